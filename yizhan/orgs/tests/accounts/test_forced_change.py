"""Forced password change (issue 5 §1): an account opened by the security admin, or whose password
they reset, reaches only the change form (API: JSON 403) until its holder picks their own password;
the demo and command-line accounts are not forced; the change is audited."""

import pytest
from django.test import Client

from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs import services
from yizhan.orgs.accounts.middleware import PASSWORD_CHANGE_REQUIRED
from yizhan.orgs.models import User
from yizhan.orgs.tests.accounts.conftest import form_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def security(dalian, make_actor):
    return make_actor(Role.SECURITY_ADMIN, dalian["city"])


@pytest.fixture
def opened(dalian, security):
    return services.account_create(
        actor=security, username="newbie", password="Initial-pass-1", unit=dalian["zs"], role=Role.UNIT_ADMIN
    )


def test_a_new_account_must_change_its_password_first(opened):
    client = Client()
    assert form_login(client, "newbie", "Initial-pass-1")["Location"] == "/staff/"
    for page in ("/staff/", "/staff/units/", "/staff/positions/"):
        response = client.get(page)
        assert response["Location"].startswith("/account/password/?next="), page
    response = client.get("/api/v1/me")
    assert (response.status_code, response.json()) == (403, {"detail": str(PASSWORD_CHANGE_REQUIRED)})

    page = client.get("/account/password/?next=/staff/units/").content.decode()
    assert "修改密码" in page and str(PASSWORD_CHANGE_REQUIRED) in page and "别人为您设置的密码" in page
    assert "至少 12 个字符" in page  # the rules are explained beside the field

    weak = client.post(
        "/account/password/",
        {
            "old_password": "Initial-pass-1",
            "new_password": "abcdefgh",
            "new_password_again": "abcdefgh",
            "next": "/staff/units/",
        },
    )
    assert weak.status_code == 200 and "密码至少 12 个字符" in weak.content.decode()
    same = client.post(
        "/account/password/",
        {
            "old_password": "Initial-pass-1",
            "new_password": "Initial-pass-1",
            "new_password_again": "Initial-pass-1",
            "next": "/staff/units/",
        },
    )
    assert same.status_code == 200 and "最近 5 次" in same.content.decode()
    differ = client.post(
        "/account/password/",
        {
            "old_password": "Initial-pass-1",
            "new_password": "Own-pass-2026",
            "new_password_again": "Own-pass-2027",
            "next": "/staff/units/",
        },
    )
    assert differ.status_code == 200 and "两次输入的新密码不一致" in differ.content.decode()

    done = client.post(
        "/account/password/",
        {
            "old_password": "Initial-pass-1",
            "new_password": "Own-pass-2026",
            "new_password_again": "Own-pass-2026",
            "next": "/staff/units/",
        },
    )
    assert done["Location"] == "/staff/units/"
    assert client.get("/staff/units/").status_code == 200  # the session survived the change
    assert client.get("/api/v1/me").status_code == 200
    user = User.objects.get(pk=opened.pk)
    assert not user.must_change_password and user.check_password("Own-pass-2026")
    changed = AuditEntry.objects.get(object_id=str(user.pk), after__event="password_changed")
    assert (changed.action, changed.after["forced"], changed.actor_name) == (AuditAction.UPDATE, True, "newbie")
    cleared = AuditEntry.objects.filter(object_id=str(user.pk), after__must_change_password=False).get()
    assert cleared.before == {"must_change_password": True}


def test_a_reset_by_the_security_admin_on_the_accounts_page_forces_a_change(make_user, dalian, login):
    user = make_user(Role.STATION_MANAGER, dalian["street"], username="mgr")
    security_user = make_user(Role.SECURITY_ADMIN, dalian["city"])
    admin = login(security_user)
    page = admin.get("/staff/accounts/").content.decode()
    assert "重置密码" in page
    response = admin.post("/staff/accounts/", {"form": "reset", "username": "mgr", "password": "Reset-pass-2026"})
    assert response["Location"] == "/staff/accounts/"
    assert "已重置 mgr 的密码" in admin.get("/staff/accounts/").content.decode()
    assert User.objects.get(pk=user.pk).must_change_password
    client = Client()
    form_login(client, "mgr", "Reset-pass-2026")
    assert client.get("/staff/")["Location"].startswith("/account/password/")

    refused = admin.post("/staff/accounts/", {"form": "reset", "username": "mgr", "password": "short"})
    assert refused.status_code == 200 and "密码至少 12 个字符" in refused.content.decode()


def test_only_the_security_admin_may_reset(make_user, dalian, login):
    make_user(Role.STATION_MANAGER, dalian["street"], username="mgr")
    fed = login(make_user(Role.FEDERATION_ADMIN, dalian["city"]))
    assert (
        fed.post("/staff/accounts/", {"form": "reset", "username": "mgr", "password": "Reset-pass-2026"}).status_code
        == 403
    )
    assert not User.objects.get(username="mgr").must_change_password


def test_logout_and_the_second_factor_pages_stay_open_while_forced(opened):
    client = Client()
    form_login(client, "newbie", "Initial-pass-1")
    assert client.post("/logout/")["Location"] == "/login/"


def test_demo_style_accounts_are_not_forced(dalian):
    services.system_account_create(
        username="demo_like", password="Yizhan-demo-2026", unit=dalian["zs"], role=Role.UNIT_ADMIN
    )
    client = Client()
    form_login(client, "demo_like", "Yizhan-demo-2026")
    assert client.get("/staff/").status_code == 200
