"""Feedback completed (issue 15 §3, issue 21 §7): staff type in feedback from a suggestion box,
register or questionnaire; moderation hides abusive text from every page and answer and keeps it
for the audit log; the phone is revealed to the handling unit only; feedback is reachable from the
menu and the staff position page; satisfaction is the share of 4–5 ratings with its count and
"not enough responses" below the minimum."""

import pytest

from yizhan.core.errors import ApplicationError, PermissionDeniedError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.ledger import selectors, services
from yizhan.ledger.choices import FeedbackSource, FeedbackStatus
from yizhan.ledger.models import HIDDEN_TEXT, Feedback
from yizhan.ledger.tests.factories import FeedbackFactory, ProblemReportFactory
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import XIGANG

pytestmark = pytest.mark.django_db

ABUSE = "骂人的话"


@pytest.fixture
def manager(dalian_map, make_actor):
    return make_actor(Role.STATION_MANAGER, dalian_map["zs"])


def test_staff_type_in_feedback_from_a_suggestion_box(manager, station):
    feedback = services.feedback_record(
        actor=manager, position=station, source=FeedbackSource.BOX, rating="5", text="热水很及时"
    )
    assert (feedback.source, feedback.rating, feedback.status) == ("box", 5, FeedbackStatus.NEW)
    assert feedback.entered_by_name == manager.user.get_username()
    assert AuditEntry.objects.filter(object_type="ledger.feedback", action=AuditAction.CREATE).count() == 1


def test_staff_entry_takes_only_staff_sources_and_the_usual_rules(manager, station):
    with pytest.raises(ApplicationError) as refused:
        services.feedback_record(actor=manager, position=station, source=FeedbackSource.QR, rating=4)
    assert refused.value.field == "source"
    with pytest.raises(ApplicationError) as refused:
        services.feedback_record(actor=manager, position=station, source=FeedbackSource.REGISTER)
    assert refused.value.field == "text"
    with pytest.raises(ApplicationError):
        services.feedback_submit(position_id=station.pk, rating=4, source=FeedbackSource.BOX, client="203.0.113.3")


def test_the_staff_form_and_api_record_feedback_in_scope_only(dalian_map, make_user, login, make_position, station):
    client = login(make_user(Role.STATION_MANAGER, dalian_map["zs"]))
    r = client.post("/staff/feedback/new/", {"position": station.pk, "source": "questionnaire", "rating": "4"})
    assert r.status_code == 302
    xg = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1], state=PositionState.OPERATING)
    body = {"position_id": xg.pk, "source": "box", "text": "x"}
    r = client.post("/api/v1/feedback", body, content_type="application/json")
    assert r.status_code == 404
    assert Feedback.objects.count() == 1


def test_hidden_text_is_gone_from_every_page_and_answer_and_kept_for_the_audit(zs_admin, login, station):
    feedback = FeedbackFactory(position=station, text=ABUSE)
    with pytest.raises(ApplicationError) as refused:
        services.feedback_moderate(actor=zs_admin, feedback=feedback, hidden=True)
    assert refused.value.field == "reason"
    client = login(zs_admin.user)
    r = client.post(f"/staff/feedback/{feedback.pk}/moderate/", {"hidden": "1", "reason": "辱骂"})
    assert r.status_code == 302
    stored = Feedback.objects.get()
    assert stored.hidden and stored.text == ABUSE  # kept
    for url in ("/staff/feedback/", f"/staff/feedback/{feedback.pk}/", f"/staff/positions/{station.pk}/"):
        page = client.get(url).content.decode()
        assert ABUSE not in page, url
    assert str(HIDDEN_TEXT) in client.get(f"/staff/feedback/{feedback.pk}/").content.decode()
    for url in ("/api/v1/feedback", f"/api/v1/feedback/{feedback.pk}"):
        assert ABUSE not in client.get(url).content.decode(), url
    assert client.get(f"/api/v1/feedback/{feedback.pk}").json()["hidden"] is True
    update = AuditEntry.objects.get(object_type="ledger.feedback", action=AuditAction.UPDATE)
    assert update.after == {"hidden": True, "hidden_reason": "辱骂"}
    # Shown again through the API.
    r = client.post(f"/api/v1/feedback/{feedback.pk}/moderate", {"hidden": False}, content_type="application/json")
    assert r.status_code == 200 and r.json()["text"] == ABUSE


def test_the_phone_is_revealed_to_the_handling_unit_only(dalian_map, make_actor, login, station):
    feedback = FeedbackFactory(position=station)
    city = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    with pytest.raises(PermissionDeniedError):
        services.feedback_phone_reveal(actor=city, feedback=feedback)
    client = login(city.user)
    page = client.get(f"/staff/feedback/{feedback.pk}/").content.decode()
    assert "138****5678" in page and "显示完整号码" not in page and "13812345678" not in page
    assert client.post(f"/api/v1/feedback/{feedback.pk}/phone").status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()
    zs = make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    assert services.feedback_phone_reveal(actor=zs, feedback=feedback) == "13812345678"


def test_feedback_is_in_the_menu_and_on_the_staff_position_page(dalian_map, make_user, login, station):
    FeedbackFactory(position=station, text="桌子坏了")
    ProblemReportFactory(position=station)
    client = login(make_user(Role.STATION_MANAGER, dalian_map["zs"]))
    home = client.get("/staff/ledger/").content.decode()
    assert 'href="/staff/feedback/"' in home  # the ledger's sub-menu
    page = client.get(f"/staff/positions/{station.pk}/").content.decode()
    assert f"/staff/feedback/?position={station.pk}" in page and "未读 1 条" in page and "桌子坏了" in page
    assert "门锁着进不去" in page and "录入今日台账" in page
    listed = client.get("/staff/feedback/", {"position": station.pk}).content.decode()
    assert "桌子坏了" in listed


@pytest.mark.parametrize(
    ("ratings", "enough", "rate"),
    [
        ([5] * 9, False, None),
        ([5] * 7 + [3] * 3, True, 0.7),
        ([4] * 10, True, 1.0),
        ([3] * 10 + [1], True, 0.0),
    ],
)
def test_satisfaction_is_the_share_of_4_and_5_from_the_minimum(zs_admin, station, ratings, enough, rate):
    for rating in ratings:
        FeedbackFactory(position=station, rating=rating)
    FeedbackFactory(position=station, rating=None, text="只有文字")
    result = selectors.satisfaction(actor=zs_admin, position_id=station.pk)
    assert (result.responses, result.enough, result.rate) == (len(ratings), enough, rate)


def test_satisfaction_minimum_is_configurable_and_shown_on_the_list(settings, zs_admin, login, station):
    settings.YIZHAN_SATISFACTION_MIN_RESPONSES = 2
    FeedbackFactory(position=station, rating=5)
    FeedbackFactory(position=station, rating=2)
    assert selectors.satisfaction(actor=zs_admin).rate == 0.5
    page = login(zs_admin.user).get("/staff/feedback/").content.decode()
    assert "50%" in page and "2 条评分" in page
    settings.YIZHAN_SATISFACTION_MIN_RESPONSES = 10
    page = login(zs_admin.user).get("/staff/feedback/").content.decode()
    assert "评分不足（2 条，至少 10 条才计算）" in page
    body = login(zs_admin.user).get("/api/v1/ledger/satisfaction").json()
    assert body == {"responses": 2, "satisfied": 1, "minimum": 10, "enough": False, "rate": None}
