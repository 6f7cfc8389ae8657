"""A password set before the rules were tightened (12 characters since issue 13 item 7) is caught at
the next login through the form: the account reaches nothing but the change form (API: JSON 403)
until its holder picks a password that meets the current rules; flagged and audited once."""

import pytest
from django.test import Client

from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs.accounts import passwords, twofactor
from yizhan.orgs.accounts.middleware import PASSWORD_CHANGE_REQUIRED, PASSWORD_OUTDATED
from yizhan.orgs.models import User
from yizhan.orgs.selectors import actor_for_user
from yizhan.orgs.tests.accounts.conftest import form_login, totp_code

pytestmark = pytest.mark.django_db

OLD_PASSWORD = "Old-pass1"  # 9 characters, 4 classes: valid until issue 13
NEW_PASSWORD = "Own-longer-pass-2026"
PAGES = ["/staff/", "/staff/units/", "/staff/positions/", "/staff/feedback/"]


def stored_before_the_rules(user: User, password: str) -> User:
    """The account as an earlier policy left it: the password hashed without today's validators."""
    user.set_password(password)
    user.save()
    return user


@pytest.fixture
def old(make_user, dalian):
    return stored_before_the_rules(make_user(Role.UNIT_ADMIN, dalian["zs"], username="old_timer"), OLD_PASSWORD)


def outdated_events(user):
    return AuditEntry.objects.filter(object_id=str(user.pk), after__event="password_outdated")


def change(client, old_password, new_password):
    return client.post(
        "/account/password/",
        {
            "old_password": old_password,
            "new_password": new_password,
            "new_password_again": new_password,
            "next": "/staff/units/",
        },
    )


def test_an_old_nine_character_password_leads_to_the_change_form_first(old):
    client = Client()
    response = form_login(client, "old_timer", OLD_PASSWORD, follow=True)
    assert response.redirect_chain == [("/staff/", 302), ("/account/password/?next=%2Fstaff%2F", 302)]
    page = response.content.decode()
    assert str(PASSWORD_OUTDATED) in page and "至少 12 个字符" in page
    assert "别人为您设置的密码" not in page and str(PASSWORD_CHANGE_REQUIRED) not in page
    for url in PAGES:
        assert client.get(url)["Location"].startswith("/account/password/?next="), url
    response = client.get("/api/v1/me")
    assert (response.status_code, response.json()) == (403, {"detail": str(PASSWORD_OUTDATED)})

    user = User.objects.get(pk=old.pk)
    assert user.must_change_password
    event = outdated_events(user).get()
    assert (event.action, event.actor_name, event.after["event_label"]) == (
        AuditAction.UPDATE,
        "old_timer",
        "密码不符合现行规则，须修改",
    )
    assert OLD_PASSWORD not in str(event.after)

    # The old password again is refused by the rules; a new one that meets them ends the hold.
    refused = change(client, OLD_PASSWORD, "Old-pass12")
    assert refused.status_code == 200 and "密码至少 12 个字符" in refused.content.decode()
    assert change(client, OLD_PASSWORD, NEW_PASSWORD)["Location"] == "/staff/units/"
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/me").status_code == 200
    assert not User.objects.get(pk=old.pk).must_change_password

    again = Client()
    assert form_login(again, "old_timer", NEW_PASSWORD)["Location"] == "/staff/"
    assert again.get("/staff/").status_code == 200
    assert outdated_events(user).count() == 1


@pytest.mark.parametrize(
    ("password", "outdated"),
    [
        ("Old-pass-12", True),  # 11 characters
        ("Old-pass-123", False),  # 12 characters
        ("oldpassword-2026", False),
        ("oldpassword2026", True),  # two classes
    ],
)
def test_the_login_applies_the_current_rules(make_user, dalian, password, outdated):
    user = stored_before_the_rules(make_user(Role.REVIEWER, dalian["city"], username="someone"), password)
    client = Client()
    assert form_login(client, "someone", password)["Location"] == "/staff/"
    assert User.objects.get(pk=user.pk).must_change_password is outdated
    assert (client.get("/staff/").status_code == 200) is not outdated


def test_logging_in_again_without_changing_keeps_the_hold_and_audits_once(old):
    form_login(Client(), "old_timer", OLD_PASSWORD)
    client = Client()
    form_login(client, "old_timer", OLD_PASSWORD)
    assert client.get("/staff/")["Location"].startswith("/account/password/")
    assert outdated_events(old).count() == 1


def test_a_failed_login_flags_nothing(old):
    assert form_login(Client(), "old_timer", "short").status_code == 200
    assert form_login(Client(), "old_timer", "Old-pass2").status_code == 200
    assert not User.objects.get(pk=old.pk).must_change_password
    assert not outdated_events(old).exists()


def test_a_password_reset_keeps_its_own_reason(make_user, dalian):
    """Reset passwords meet the rules: the message still says someone else chose the password."""

    user = make_user(Role.UNIT_ADMIN, dalian["zs"], username="mgr")
    security = actor_for_user(make_user(Role.SECURITY_ADMIN, dalian["city"]))
    passwords.account_password_reset(actor=security, user=user, password="Reset-pass-2026")
    client = Client()
    page = form_login(client, "mgr", "Reset-pass-2026", follow=True).content.decode()
    assert str(PASSWORD_CHANGE_REQUIRED) in page and "别人为您设置的密码" in page
    assert not outdated_events(user).exists()


def test_the_second_factor_comes_first_then_the_change(make_user, dalian):
    user = stored_before_the_rules(make_user(Role.AUDITOR, dalian["city"], username="old_auditor"), OLD_PASSWORD)
    device = twofactor.totp_device_install(user=user, secret_base32="PFUXU2DBNZSGK3LPORXXI4DTMVRXEZLU")
    client = Client()
    form_login(client, "old_auditor", OLD_PASSWORD)
    assert client.get("/staff/audit/")["Location"].startswith("/account/2fa/?next=")
    verified = client.post("/account/2fa/", {"token": totp_code(device), "next": "/staff/audit/"})
    assert verified["Location"] == "/staff/audit/"
    assert client.get("/staff/audit/")["Location"].startswith("/account/password/?next=")
    assert change(client, OLD_PASSWORD, NEW_PASSWORD)["Location"] == "/staff/units/"
    assert client.get("/staff/audit/").status_code == 200
