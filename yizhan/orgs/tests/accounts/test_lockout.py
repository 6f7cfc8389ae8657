"""Login lockout (issue 5 §1): 5 failures within 15 minutes lock the account, and separately the
client address, for 15 minutes; the answer is 429 with a Chinese page; every lockout is audited;
the address is the one the audit log uses (trusted proxies); the API is no way around it."""

import base64

import pytest
from django.test import Client

from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs.accounts.lockout import lockout_message
from yizhan.orgs.tests.accounts.conftest import form_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def zs_admin(make_user, dalian):
    return make_user(Role.UNIT_ADMIN, dalian["zs"], username="zs_admin")


@pytest.fixture
def xg_admin(make_user, dalian):
    return make_user(Role.UNIT_ADMIN, dalian["xg"], username="xg_admin")


def fail(client, username, times, **extra):
    return [form_login(client, username, "wrong-password", **extra).status_code for _ in range(times)]


def assert_locked_page(response):
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    assert "暂时无法登录" in page and str(lockout_message()) in page
    assert "15 分钟后再试" in page


def test_five_failures_lock_the_account_even_from_other_addresses(zs_admin, clock):
    client = Client()
    statuses = [
        form_login(client, "zs_admin", "wrong-password", REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(4)
    ]
    assert statuses == [200, 200, 200, 200]  # the login form again, with its error
    fifth = form_login(client, "zs_admin", "wrong-password", REMOTE_ADDR="198.51.100.9")
    assert_locked_page(fifth)
    # The right password from yet another address is refused too, for 15 minutes.
    right = form_login(client, "zs_admin", REMOTE_ADDR="203.0.113.7")
    assert_locked_page(right)
    assert "_auth_user_id" not in client.session
    clock.advance(minutes=14, seconds=59)
    assert_locked_page(form_login(client, "zs_admin", REMOTE_ADDR="203.0.113.7"))
    clock.advance(minutes=15, seconds=1)
    assert form_login(client, "zs_admin", REMOTE_ADDR="203.0.113.7").status_code == 302
    assert client.session["_auth_user_id"] == str(zs_admin.pk)


def test_five_failures_from_one_address_lock_that_address_not_others(zs_admin, xg_admin, clock):
    client = Client()
    for n in range(4):
        form_login(client, f"nobody{n}", "wrong-password", REMOTE_ADDR="198.51.100.1")
    assert_locked_page(form_login(client, "somebody", "wrong-password", REMOTE_ADDR="198.51.100.1"))
    # Another account from the locked address: refused; from another address: fine.
    assert_locked_page(form_login(client, "xg_admin", REMOTE_ADDR="198.51.100.1"))
    assert form_login(Client(), "xg_admin", REMOTE_ADDR="198.51.100.2").status_code == 302


def test_failures_older_than_the_window_do_not_count(zs_admin, clock):
    client = Client()
    fail(client, "zs_admin", 4)
    clock.advance(minutes=16)
    assert fail(client, "zs_admin", 4) == [200] * 4  # the window started again
    assert form_login(client, "zs_admin").status_code == 302


def test_a_successful_login_clears_earlier_failures(zs_admin, clock):
    fail(Client(), "zs_admin", 4)
    assert form_login(Client(), "zs_admin").status_code == 302
    assert fail(Client(), "zs_admin", 4) == [200] * 4


def test_lockouts_are_audited_with_the_failed_logins(zs_admin, clock):
    client = Client()
    fail(client, "zs_admin", 5, REMOTE_ADDR="198.51.100.5")
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, object_id=str(zs_admin.pk))
    locked = [e for e in failed if (e.after or {}).get("event") == "locked_out"]
    assert len(failed) - len(locked) == 5  # the five failed passwords (core.signals)
    assert len(locked) == 1
    assert (locked[0].actor_name, locked[0].remote_addr, locked[0].after["limit"]) == ("zs_admin", "198.51.100.5", 5)
    # A try while locked out is refused and recorded as a lockout again.
    form_login(client, "zs_admin", REMOTE_ADDR="198.51.100.5")
    assert failed.filter(after__event="locked_out").count() == 2


def test_lockout_of_an_unknown_name_is_audited_without_an_account(db, clock):
    fail(Client(), "no-such-user", 5)
    entry = AuditEntry.objects.filter(after__event="locked_out").get()
    assert (entry.object_type, entry.object_id, entry.object_repr) == ("orgs.user", "", "no-such-user")


def test_the_address_behind_a_trusted_proxy_is_the_one_locked(zs_admin, xg_admin, settings, clock):
    settings.YIZHAN_TRUSTED_PROXY_COUNT = 1
    client = Client()
    for n in range(5):
        form_login(client, f"nobody{n}", "wrong-password", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
    locked = form_login(client, "xg_admin", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert_locked_page(locked)
    # Same proxy, another client behind it: not locked.
    other = form_login(Client(), "xg_admin", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert other.status_code == 302
    lockouts = AuditEntry.objects.filter(after__event="locked_out")
    assert {e.remote_addr for e in lockouts} == {"198.51.100.8"} and lockouts.count() == 2  # the lock, the refused try


def test_the_api_accepts_no_password_so_it_cannot_get_round_a_lockout(zs_admin, clock):
    fail(Client(), "zs_admin", 5)
    basic = base64.b64encode(b"zs_admin:Test-pass-2026").decode()
    for headers in ({}, {"HTTP_AUTHORIZATION": f"Basic {basic}"}, {"HTTP_AUTHORIZATION": "Bearer zs_admin"}):
        response = Client().get("/api/v1/me", **headers)
        assert response.status_code == 401
        assert response.json() == {"detail": "请先登录"}


def test_the_django_admin_signs_in_through_the_one_login_page(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/admin/")
