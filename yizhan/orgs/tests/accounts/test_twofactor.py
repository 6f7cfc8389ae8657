"""Second factor (issue 5 §1): required for the federation admin and the three separated admins on
every page and API call until passed; enrolment with a server-drawn QR code, confirmed by a first
code, ten recovery codes shown once; codes and recovery codes single use; all of it audited."""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from yizhan.core.errors import ApplicationError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs.accounts import twofactor
from yizhan.orgs.accounts.middleware import SECOND_FACTOR_REQUIRED
from yizhan.orgs.accounts.twofactor import TWO_FACTOR_ROLES
from yizhan.orgs.tests.accounts.conftest import code_from_secret, form_login, totp_code

pytestmark = pytest.mark.django_db

OTHER_ROLES = [role for role in Role if role not in TWO_FACTOR_ROLES]
SECRET = "PFUXU2DBNZSGK3LPORXXI4DTMVRXEZLU"
# Pages and API calls of every kind an unverified session must not reach.
PAGES = ["/staff/", "/staff/units/", "/staff/positions/", "/staff/accounts/", "/staff/audit/", "/admin/"]
API = ["/api/v1/me", "/api/v1/units", "/api/v1/positions", "/api/v1/audit/entries"]


@pytest.fixture(autouse=True)
def no_throttle_delay(settings):
    """django-otp waits 1, 2, 4 … s after failures; tests of other things go on at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def unit_for(role, dalian):
    return dalian["zs"] if role == Role.UNIT_ADMIN else dalian["city"]


def events(user, event):
    return AuditEntry.objects.filter(object_id=str(user.pk), after__event=event)


@pytest.mark.parametrize("role", sorted(TWO_FACTOR_ROLES))
@pytest.mark.parametrize("enrolled", [False, True])
def test_an_unverified_session_of_such_a_role_reaches_no_page_and_no_api(role, enrolled, make_user, dalian):
    user = make_user(role, dalian["city"], username="admin")
    if enrolled:
        twofactor.totp_device_install(user=user, secret_base32=SECRET)
    client = Client()
    assert form_login(client, "admin").status_code == 302
    step = "/account/2fa/" if enrolled else "/account/2fa/setup/"
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(f"{step}?next="), page
    for url in API:
        response = client.get(url)
        assert (response.status_code, response.json()) == (403, {"detail": str(SECOND_FACTOR_REQUIRED)}), url
    assert client.post("/api/v1/me/active-membership", {}, content_type="application/json").status_code == 403


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_need_no_second_factor(role, make_user, dalian):
    make_user(role, unit_for(role, dalian), username="staff")
    client = Client()
    form_login(client, "staff")
    assert client.get("/staff/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_holding_such_a_role_anywhere_is_enough(make_user, dalian):
    """A federation admin acting as a unit admin elsewhere still passes the second factor first."""
    from yizhan.orgs.models import Membership

    user = make_user(Role.UNIT_ADMIN, dalian["zs"], username="both")
    Membership.objects.create(user=user, unit=dalian["city"], role=Role.FEDERATION_ADMIN)
    client = Client()
    form_login(client, "both")
    assert client.get("/staff/")["Location"].startswith("/account/2fa/setup/")


def test_the_setting_can_switch_the_requirement_off(make_user, dalian, settings):
    settings.YIZHAN_REQUIRE_2FA = False
    make_user(Role.AUDITOR, dalian["city"], username="auditor")
    client = Client()
    form_login(client, "auditor")
    assert client.get("/staff/").status_code == 200


def test_enrolment_journey(make_user, dalian):
    user = make_user(Role.SECURITY_ADMIN, dalian["city"], username="security")
    client = Client()
    form_login(client, "security")
    response = client.get("/staff/accounts/")
    assert response["Location"] == "/account/2fa/setup/?next=%2Fstaff%2Faccounts%2F"
    page = client.get(response["Location"]).content.decode()
    assert "绑定身份验证器" in page
    assert re.search(r"<svg[^>]*>.*<path", page, re.S)  # the QR code, drawn on the server
    assert "http" not in re.search(r"<svg.*?</svg>", page, re.S).group(0).replace("http://www.w3.org/2000/svg", "")
    secret = re.search(r'<code id="otp-secret">([A-Z2-7 ]+)</code>', page).group(1)
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed and secret.replace(" ", "") in device.config_url

    wrong = client.post("/account/2fa/setup/?next=/staff/accounts/", {"token": "000000", "next": "/staff/accounts/"})
    assert wrong.status_code == 200 and str(twofactor.CODE_WRONG) in wrong.content.decode()
    assert events(user, "otp_failed").count() == 1
    assert client.get("/staff/").status_code == 302  # still held back

    done = client.post("/account/2fa/setup/", {"token": code_from_secret(secret), "next": "/staff/accounts/"})
    assert done["Location"] == "/account/2fa/recovery-codes/?next=%2Fstaff%2Faccounts%2F"
    codes_page = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Stored as keyed digests, never as the codes themselves (等保 8.1.4.8).
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == {twofactor.recovery_code_digest(code) for code in codes} and not stored & set(codes)
    assert 'href="/staff/accounts/"' in codes_page
    # Shown once only.
    assert not re.findall(r"<li><code>", client.get("/account/2fa/recovery-codes/").content.decode())
    assert client.get("/staff/accounts/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    entry = events(user, "otp_enrolled").get()
    assert (entry.action, entry.after["recovery_codes"]) == (AuditAction.CREATE, 10)
    assert TOTPDevice.objects.get(user=user).confirmed


def test_a_password_alone_cannot_bind_another_authenticator(make_user, dalian):
    user = make_user(Role.AUDITOR, dalian["city"], username="auditor")
    twofactor.totp_device_install(user=user, secret_base32=SECRET)
    client = Client()
    form_login(client, "auditor")
    response = client.get("/account/2fa/setup/")
    assert response["Location"].startswith("/account/2fa/?next=")
    assert client.post("/account/2fa/setup/", {"token": "123456"})["Location"].startswith("/account/2fa/")
    with pytest.raises(ApplicationError) as error:
        twofactor.totp_enrolment_device(user=user)
    assert error.value.message == twofactor.ALREADY_ENROLLED
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_verification_with_the_authenticator_and_no_replay(make_user, dalian):
    user = make_user(Role.SYSTEM_ADMIN, dalian["city"], username="sysadmin")
    device = twofactor.totp_device_install(user=user, secret_base32=SECRET)
    client = Client()
    form_login(client, "sysadmin")
    assert client.get("/staff/")["Location"] == "/account/2fa/?next=%2Fstaff%2F"
    page = client.get("/account/2fa/?next=/staff/").content.decode()
    assert "双因素验证" in page and "恢复码" in page
    wrong = client.post("/account/2fa/", {"token": "12345", "next": "/staff/"})
    assert wrong.status_code == 200 and str(twofactor.CODE_WRONG) in wrong.content.decode()
    code = totp_code(device)
    response = client.post("/account/2fa/", {"token": code, "next": "/staff/"})
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert events(user, "otp_verified").get().action == AuditAction.LOGIN
    assert events(user, "otp_failed").get().action == AuditAction.LOGIN_FAILED

    # The same code a second time (another session) is refused.
    other = Client()
    form_login(other, "sysadmin")
    again = other.post("/account/2fa/", {"token": code, "next": "/staff/"})
    assert again.status_code == 200 and other.get("/staff/").status_code == 302


def test_off_site_next_is_ignored(make_user, dalian):
    user = make_user(Role.AUDITOR, dalian["city"], username="auditor")
    device = twofactor.totp_device_install(user=user, secret_base32=SECRET)
    client = Client()
    form_login(client, "auditor")
    response = client.post("/account/2fa/", {"token": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/staff/"


def test_a_recovery_code_works_once(make_user, dalian):
    user = make_user(Role.FEDERATION_ADMIN, dalian["city"], username="fed_admin")
    twofactor.totp_device_install(user=user, secret_base32=SECRET)
    recovery = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    recovery.token_set.create(token=twofactor.recovery_code_digest("abcd2345"))
    recovery.token_set.create(token=twofactor.recovery_code_digest("efgh6723"))

    client = Client()
    form_login(client, "fed_admin")
    response = client.post("/account/2fa/", {"token": "ABCD 2345", "next": "/staff/"})
    assert response["Location"] == "/staff/"
    assert "还剩 1 个" in client.get("/staff/").content.decode()
    entry = events(user, "recovery_code_used").get()
    assert (entry.action, entry.after["recovery_codes_left"]) == (AuditAction.LOGIN, 1)

    other = Client()
    form_login(other, "fed_admin")
    refused = other.post("/account/2fa/", {"token": "abcd2345", "next": "/staff/"})
    assert refused.status_code == 200 and str(twofactor.CODE_WRONG) in refused.content.decode()
    assert other.get("/staff/").status_code == 302
    assert list(recovery.token_set.values_list("token", flat=True)) == [twofactor.recovery_code_digest("efgh6723")]


def test_repeated_failures_are_slowed_down(make_user, dalian, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    settings.OTP_STATIC_THROTTLE_FACTOR = 60
    user = make_user(Role.AUDITOR, dalian["city"], username="auditor")
    device = twofactor.totp_device_install(user=user, secret_base32=SECRET)
    with pytest.raises(ApplicationError):
        twofactor.second_factor_verify(user=user, token="000000")
    with pytest.raises(ApplicationError) as error:
        twofactor.second_factor_verify(user=user, token=totp_code(device))  # right, but too soon
    assert error.value.message == twofactor.CODE_THROTTLED
    assert events(user, "otp_failed").filter(after__throttled=True).count() == 1


def test_the_security_admin_clears_a_lost_authenticator(make_user, make_actor, dalian):
    security = make_actor(Role.SECURITY_ADMIN, dalian["city"])
    user = make_user(Role.AUDITOR, dalian["city"], username="auditor")
    twofactor.totp_device_install(user=user, secret_base32=SECRET)
    StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    twofactor.second_factor_reset(actor=security, user=user)
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticDevice.objects.filter(user=user).exists()
    assert events(user, "otp_reset").get().action == AuditAction.DELETE
    with pytest.raises(ApplicationError) as error:
        twofactor.second_factor_reset(actor=security, user=security.user)
    assert error.value.message == twofactor.RESET_OWN_DEVICES
    client = Client()
    form_login(client, "auditor")
    assert client.get("/staff/")["Location"].startswith("/account/2fa/setup/")


def test_test_logins_pass_the_second_factor_but_form_logins_do_not(make_user, dalian, login):
    """The suite's force_login helper stands for a finished sign-in; a real one is held back."""
    user = make_user(Role.AUDITOR, dalian["city"], username="auditor")
    assert login(user).get("/staff/audit/").status_code == 200
    client = Client()
    form_login(client, "auditor")
    assert client.get("/staff/audit/").status_code == 302
