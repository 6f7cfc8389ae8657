"""Staff pages of feedback: the scoped list and detail mask phones; the reveal button shows the
full phone to a role that replies, and audits it."""

import pytest

from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.ledger.choices import FeedbackSource
from yizhan.ledger.models import Feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback(station):
    return Feedback.objects.create(
        position=station,
        rating=2,
        text="没有热水\n桌子坏了",
        phone="13812345678",
        source=FeedbackSource.QR,
        client_key="0" * 64,
    )


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
