"""Session time limits (issue 5 §1): 30 minutes without a request, 12 hours after the login at the
most; an ended session goes back to the login page with a Chinese reason (API: JSON 401), audited."""

import pytest
from django.test import Client

from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs.accounts.middleware import SESSION_IDLE_MESSAGE, SESSION_MAX_AGE_MESSAGE
from yizhan.orgs.tests.accounts.conftest import form_login

pytestmark = pytest.mark.django_db

IDLE = str(SESSION_IDLE_MESSAGE.format(minutes=30))
MAX_AGE = str(SESSION_MAX_AGE_MESSAGE.format(hours=12))


@pytest.fixture
def signed_in(make_user, dalian, clock):
    user = make_user(Role.UNIT_ADMIN, dalian["zs"], username="zs_admin")
    client = Client()
    assert form_login(client, "zs_admin").status_code == 302
    return client, user


def assert_sent_to_login(client, response, message, path="/staff/units/"):
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path.replace('/', '%2F')}"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert message in page


def test_idle_for_thirty_minutes_ends_the_session(signed_in, clock):
    client, user = signed_in
    clock.advance(minutes=29, seconds=59)
    assert client.get("/staff/units/").status_code == 200  # activity: the half hour starts again
    clock.advance(minutes=29, seconds=59)
    assert client.get("/staff/units/").status_code == 200
    clock.advance(minutes=30)
    assert_sent_to_login(client, client.get("/staff/units/"), IDLE)
    entry = AuditEntry.objects.filter(action=AuditAction.LOGOUT).order_by("-seq").first()
    assert (entry.object_id, entry.after["event"], entry.actor_name) == (str(user.pk), "session_idle", "zs_admin")


def test_a_session_ends_twelve_hours_after_the_login_however_active(signed_in, clock):
    client, user = signed_in
    for _ in range(35):  # every 20 minutes for 11 h 40 min
        clock.advance(minutes=20)
        assert client.get("/staff/").status_code == 200
    clock.advance(minutes=19, seconds=59)
    assert client.get("/staff/").status_code == 200
    clock.advance(seconds=1)
    assert_sent_to_login(client, client.get("/staff/units/"), MAX_AGE)
    assert AuditEntry.objects.filter(after__event="session_max_age", object_id=str(user.pk)).count() == 1


def test_the_api_answers_an_ended_session_with_json_401(signed_in, clock):
    client, _ = signed_in
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/api/v1/me")
    assert (response.status_code, response.json()) == (401, {"detail": IDLE})
    assert client.get("/api/v1/me").json() == {"detail": "请先登录"}  # signed out for good


def test_the_limits_come_from_settings(signed_in, clock, settings):
    import datetime as dt

    client, _ = signed_in
    settings.YIZHAN_SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=5)
    clock.advance(minutes=5)
    response = client.get("/staff/units/")
    assert_sent_to_login(client, response, str(SESSION_IDLE_MESSAGE.format(minutes=5)))


def test_a_signed_in_session_without_its_stamps_is_ended(make_user, dalian, clock):
    client = Client()
    client.force_login(make_user(Role.UNIT_ADMIN, dalian["zs"]))
    session = client.session
    del session["yizhan_login_at"]
    session.save()
    assert_sent_to_login(client, client.get("/staff/units/"), MAX_AGE)


def test_an_ended_session_may_still_sign_out_and_then_reads_public_pages(signed_in, clock):
    client, _ = signed_in
    clock.advance(hours=1)
    response = client.post("/logout/")
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 200
