"""A feedback submitter's personal data (PIPL art. 45, 47; spec §11): admins in scope find it by
the phone given, export it as JSON or erase it (phone, address key and text; the rating stays),
audited under a keyed hash of the phone, never the phone; phones older than the retention period
are anonymised by `yizhan feedback-anonymise`."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from yizhan.core.audit import audit_verify
from yizhan.core.errors import ApplicationError, PermissionDeniedError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.ledger import services
from yizhan.ledger.models import Feedback
from yizhan.ledger.tests.factories import FeedbackFactory
from yizhan.positions.choices import PositionState

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
OTHER = "13900001111"


def give(position, *, phone=PHONE, text="热水器坏了，我是老王", rating=2, days_ago=0) -> Feedback:
    feedback = FeedbackFactory(position=position, rating=rating, text=text, phone=phone, client_key="a" * 64)
    if days_ago:
        Feedback.objects.filter(pk=feedback.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return feedback


@pytest.fixture
def given(station, make_position, dalian_map):
    """Two of PHONE's feedback in 中山区, one in 西岗区, and someone else's in 中山区."""
    xg_station = make_position(unit=dalian_map["xg"], state=PositionState.OPERATING, lng=121.62, lat=38.92)
    return {
        "zs": [give(station), give(station, text="", rating=5)],
        "xg": give(xg_station),
        "other": give(station, phone=OTHER, text="别人的意见"),
    }


def newest() -> AuditEntry:
    return AuditEntry.objects.order_by("-seq").first()


def test_export_holds_every_feedback_of_that_phone_in_scope(given, zs_admin):
    result = services.feedback_subject_export(actor=zs_admin, phone=" 138 1234 5678 ")
    data = json.loads(result.content)
    assert result.count == 2
    assert {f["id"] for f in data["feedback"]} == {f.pk for f in given["zs"]}
    assert all(f["phone"] == PHONE for f in data["feedback"])
    assert data["feedback"][0]["text"] == "热水器坏了，我是老王"
    entry = newest()
    assert (entry.action, entry.object_type) == (AuditAction.EXPORT, "ledger.feedback")
    assert entry.after == {"subject": services.subject_key(PHONE), "feedback": [f.pk for f in given["zs"]], "count": 2}
    assert PHONE not in json.dumps([entry.after, entry.object_repr]) and "5678" not in entry.object_repr


def test_the_federation_admin_reaches_every_district(given, dalian_map, make_actor):
    actor = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    assert services.feedback_subject_export(actor=actor, phone=PHONE).count == 3


def test_erase_removes_phone_key_and_text_and_keeps_the_rating(given, zs_admin):
    assert services.feedback_subject_erase(actor=zs_admin, phone=PHONE) == 2
    for feedback in given["zs"]:
        feedback.refresh_from_db()
        assert (feedback.phone, feedback.client_key, feedback.text) == ("", "", services.ERASED_TEXT)
    assert [f.rating for f in given["zs"]] == [2, 5]
    xg = Feedback.objects.get(pk=given["xg"].pk)
    assert xg.phone == PHONE  # outside the unit admin's scope
    assert Feedback.objects.get(pk=given["other"].pk).text == "别人的意见"
    entry = newest()
    assert entry.action == AuditAction.ANONYMISE
    assert entry.after["subject"] == services.subject_key(PHONE) and entry.after["count"] == 2
    assert audit_verify().ok
    with pytest.raises(ApplicationError, match=str(services.SUBJECT_NOTHING)):
        services.feedback_subject_erase(actor=zs_admin, phone=PHONE)


def test_the_subject_key_is_keyed_and_stable(settings):
    assert services.subject_key(PHONE) == services.subject_key(PHONE) != services.subject_key(OTHER)
    first = services.subject_key(PHONE)
    settings.SECRET_KEY = "another-secret-key-of-sufficient-length-for-the-test-0123456789"
    assert services.subject_key(PHONE) != first


@pytest.mark.parametrize("phone", ["", "   ", None])
def test_a_request_needs_a_phone(given, zs_admin, phone):
    with pytest.raises(ApplicationError, match=str(services.SUBJECT_PHONE_REQUIRED)):
        services.feedback_subject_export(actor=zs_admin, phone=phone)


def test_a_malformed_phone_is_explained(given, zs_admin):
    with pytest.raises(ApplicationError, match=str(services.PHONE_INVALID)):
        services.feedback_subject_erase(actor=zs_admin, phone="12")


@pytest.mark.parametrize("role", [Role.STATION_MANAGER, Role.AUDITOR, Role.SECURITY_ADMIN, Role.REVIEWER])
def test_only_admins_answer_requests(given, dalian_map, make_actor, role):
    actor = make_actor(role, dalian_map["zs"])
    with pytest.raises(PermissionDeniedError):
        services.feedback_subject_export(actor=actor, phone=PHONE)
    with pytest.raises(PermissionDeniedError):
        services.feedback_subject_erase(actor=actor, phone=PHONE)
    assert Feedback.objects.filter(phone=PHONE).count() == 3


# --- the page -------------------------------------------------------------------------------------


def test_page_finds_exports_and_erases(given, zs_admin, login):
    client = login(zs_admin.user)
    assert "提交人个人信息请求" in client.get("/staff/feedback/").content.decode()
    page = client.post("/staff/feedback/submitters/", {"phone": PHONE, "step": "find"}).content.decode()
    assert "热水器坏了" in page and "别人的意见" not in page
    download = client.post("/staff/feedback/submitters/", {"phone": PHONE, "step": "export"})
    assert download["Content-Type"].startswith("application/json")
    assert len(json.loads(download.content)["feedback"]) == 2
    refused = client.post("/staff/feedback/submitters/", {"phone": PHONE, "step": "erase"})
    assert "请勾选确认" in refused.content.decode()
    assert Feedback.objects.filter(phone=PHONE).count() == 3
    done = client.post("/staff/feedback/submitters/", {"phone": PHONE, "step": "erase", "confirm": "yes"}, follow=True)
    assert "已删除该提交人的个人信息：2 条" in done.content.decode()
    assert Feedback.objects.filter(phone=PHONE).count() == 1


@pytest.mark.parametrize("phone", ["", "12", "１３８", "x" * 500])
def test_page_explains_bad_input_in_chinese(given, zs_admin, login, phone):
    r = login(zs_admin.user).post("/staff/feedback/submitters/", {"phone": phone, "step": "find"})
    assert r.status_code == 200
    assert 'role="alert"' in r.content.decode()


def test_page_is_closed_to_station_managers(given, dalian_map, make_user, login):
    client = login(make_user(Role.STATION_MANAGER, dalian_map["zs"]))
    assert client.get("/staff/feedback/submitters/").status_code == 403
    assert "提交人个人信息请求" not in client.get("/staff/feedback/").content.decode()


# --- the command ----------------------------------------------------------------------------------


def test_command_exports_and_erases(given, zs_admin, tmp_path):
    out = tmp_path / "subject.json"
    request = ["personal_data_request", "--phone", PHONE, "--as", zs_admin.user.username]
    call_command(*request, "--export", str(out), stdout=StringIO())
    assert len(json.loads(out.read_text())["feedback"]) == 2
    assert newest().actor_name == f"命令行:{zs_admin.user.username}"
    call_command(*request, "--erase", stdout=StringIO())
    with pytest.raises(CommandError, match=str(services.SUBJECT_NOTHING)):
        call_command(*request, "--erase")


# --- expiry ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "expected"), [(364, False), (366, True)])
def test_phones_older_than_the_retention_are_anonymised(station, days, expected):
    feedback = give(station, days_ago=days)
    fresh = give(station, phone=OTHER)
    out = StringIO()
    call_command("feedback_anonymise", stdout=out)
    feedback.refresh_from_db()
    fresh.refresh_from_db()
    assert (feedback.phone == "") is expected and (feedback.client_key == "") is expected
    assert feedback.text == "热水器坏了，我是老王" and feedback.rating == 2
    assert fresh.phone == OTHER
    assert f"已匿名化 {int(expected)} 条" in out.getvalue()
    entries = AuditEntry.objects.filter(action=AuditAction.ANONYMISE)
    assert entries.count() == int(expected)
    assert audit_verify().ok


def test_the_retention_is_a_setting(station, settings):
    settings.YIZHAN_FEEDBACK_PHONE_RETENTION_DAYS = 30
    feedback = give(station, days_ago=31)
    assert services.feedback_anonymise_expired() == 1
    feedback.refresh_from_db()
    assert feedback.phone == ""
    assert services.feedback_anonymise_expired() == 0
