"""Staff pages of feedback: the scoped list and detail mask phones; the reveal button shows the
full phone to a role that replies, and audits it; the roles that handle feedback mark it read,
resolve it with a note and reopen it (POST with the CSRF token)."""

import pytest

from yizhan.core import workflow
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.ledger.choices import FeedbackStatus
from yizhan.ledger.models import Feedback, FeedbackStatusChange
from yizhan.ledger.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback(station):
    return FeedbackFactory(position=station, rating=2, text="没有热水\n桌子坏了")


def test_the_list_page_shows_feedback_with_the_phone_masked(feedback, zs_admin, login):
    r = login(zs_admin.user).get("/staff/feedback/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "138****5678" in html and "13812345678" not in html
    assert "没有热水" in html and feedback.position.official_name in html
    assert feedback.client_key not in html


def test_the_list_page_filters_by_status(feedback, zs_admin, login):
    html = login(zs_admin.user).get("/staff/feedback/", {"status": "resolved"}).content.decode()
    assert "没有热水" not in html


def test_the_detail_page_masks_the_phone_until_revealed(feedback, zs_admin, login):
    client = login(zs_admin.user)
    html = client.get(f"/staff/feedback/{feedback.pk}/").content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert "显示完整号码" in html
    assert not AuditEntry.objects.filter(action__in=[AuditAction.REVEAL, AuditAction.EXPORT]).exists()

    r = client.post(f"/staff/feedback/{feedback.pk}/")
    assert r.status_code == 200 and "13812345678" in r.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert entry.object_type == "ledger.feedback" and entry.object_id == str(feedback.pk)
    assert entry.actor_id == zs_admin.user.pk


def test_a_sibling_unit_does_not_see_it(feedback, dalian_map, make_actor, login):
    client = login(make_actor(Role.UNIT_ADMIN, dalian_map["xg"]).user)
    assert "没有热水" not in client.get("/staff/feedback/").content.decode()
    assert client.get(f"/staff/feedback/{feedback.pk}/").status_code == 404
    assert client.post(f"/staff/feedback/{feedback.pk}/").status_code == 404


def test_a_role_without_access_is_refused(feedback, dalian_map, make_actor, login):
    client = login(make_actor(Role.REVIEWER, dalian_map["zs"]).user)
    assert client.get("/staff/feedback/").status_code == 403


def test_the_admin_masks_the_phone(feedback, zs_admin, login):
    client = login(zs_admin.user)
    listing = client.get("/admin/ledger/feedback/").content.decode()
    change = client.get(f"/admin/ledger/feedback/{feedback.pk}/change/").content.decode()
    for html in (listing, change):
        assert "138****5678" in html and "13812345678" not in html
    assert feedback.client_key not in change


# --- handling ------------------------------------------------------------------------------------


def test_the_detail_page_offers_the_moves_and_handles_with_a_note(feedback, zs_admin, login):
    client = login(zs_admin.user)
    html = client.get(f"/staff/feedback/{feedback.pk}/").content.decode()
    assert 'value="read"' in html and "标记已读" in html and "标记已处理" in html
    assert "尚未处理" in html

    r = client.post(f"/staff/feedback/{feedback.pk}/transition/", {"to_state": "resolved", "reason": "已更换饮水机"})
    assert r.status_code == 302 and r["Location"] == f"/staff/feedback/{feedback.pk}/"
    page = client.get(r["Location"]).content.decode()
    assert "已更换饮水机" in page and "重新打开" in page and "标记已读" not in page
    assert Feedback.objects.get(pk=feedback.pk).status == FeedbackStatus.RESOLVED
    change = FeedbackStatusChange.objects.get(feedback=feedback)
    assert (change.from_state, change.to_state, change.reason) == ("new", "resolved", "已更换饮水机")


def test_resolving_without_a_note_shows_the_refusal_on_the_page(feedback, zs_admin, login):
    r = login(zs_admin.user).post(f"/staff/feedback/{feedback.pk}/transition/", {"to_state": "resolved", "reason": ""})
    assert r.status_code == 200
    assert str(workflow.REASON_MISSING.format(to_state="已处理")) in r.content.decode()
    assert Feedback.objects.get(pk=feedback.pk).status == FeedbackStatus.NEW
    assert not FeedbackStatusChange.objects.exists()


def test_a_move_not_in_the_table_is_refused_in_its_words(feedback, zs_admin, login):
    client = login(zs_admin.user)
    client.post(f"/staff/feedback/{feedback.pk}/transition/", {"to_state": "read"})
    r = client.post(f"/staff/feedback/{feedback.pk}/transition/", {"to_state": "read"})  # pressed twice
    assert r.status_code == 200
    assert str(workflow.TRANSITION_NOT_ALLOWED.format(from_state="已读", to_state="已读")) in r.content.decode()
    assert FeedbackStatusChange.objects.count() == 1


def test_the_list_marks_new_feedback_read_and_returns_to_the_list(feedback, zs_admin, login):
    client = login(zs_admin.user)
    html = client.get("/staff/feedback/", {"status": "new"}).content.decode()
    assert f'action="/staff/feedback/{feedback.pk}/transition/"' in html
    r = client.post(
        f"/staff/feedback/{feedback.pk}/transition/", {"to_state": "read", "next": "/staff/feedback/?status=new"}
    )
    assert r.status_code == 302 and r["Location"] == "/staff/feedback/?status=new"
    assert Feedback.objects.get(pk=feedback.pk).status == FeedbackStatus.READ
    assert f'action="/staff/feedback/{feedback.pk}/transition/"' not in client.get("/staff/feedback/").content.decode()


def test_handling_never_redirects_to_another_site(feedback, zs_admin, login):
    r = login(zs_admin.user).post(
        f"/staff/feedback/{feedback.pk}/transition/", {"to_state": "read", "next": "https://evil.example/"}
    )
    assert r.status_code == 302 and r["Location"] == f"/staff/feedback/{feedback.pk}/"


def test_handling_is_a_post_with_the_csrf_token(feedback, zs_admin, login):
    client = login(zs_admin.user)
    assert client.get(f"/staff/feedback/{feedback.pk}/transition/").status_code == 405
    client.handler.enforce_csrf_checks = True
    assert client.post(f"/staff/feedback/{feedback.pk}/transition/", {"to_state": "read"}).status_code == 403
    assert Feedback.objects.get(pk=feedback.pk).status == FeedbackStatus.NEW


def test_other_units_and_roles_cannot_handle(feedback, dalian_map, make_actor, login):
    sibling = login(make_actor(Role.UNIT_ADMIN, dalian_map["xg"]).user)
    assert sibling.post(f"/staff/feedback/{feedback.pk}/transition/", {"to_state": "read"}).status_code == 404
    reviewer = login(make_actor(Role.REVIEWER, dalian_map["zs"]).user)
    assert reviewer.post(f"/staff/feedback/{feedback.pk}/transition/", {"to_state": "read"}).status_code in (403, 404)
    assert Feedback.objects.get(pk=feedback.pk).status == FeedbackStatus.NEW


def test_the_station_manager_sees_the_moves_and_the_history(feedback, dalian_map, make_actor, login, zs_admin):
    FeedbackStatusChange.objects.create(
        feedback=feedback, from_state="new", to_state="read", actor=zs_admin.user, actor_name=zs_admin.user.username
    )
    Feedback.objects.filter(pk=feedback.pk).update(status=FeedbackStatus.READ)
    html = login(make_actor(Role.STATION_MANAGER, dalian_map["zs"]).user).get(f"/staff/feedback/{feedback.pk}/")
    page = html.content.decode()
    assert "标记已处理" in page and zs_admin.user.username in page
