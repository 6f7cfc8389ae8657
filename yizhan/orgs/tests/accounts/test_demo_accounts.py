"""`make run` stays usable: the demo accounts are not forced to change their password, and those
whose role needs the second factor get an authenticator with the public demo secret, whose current
code `yizhan demo-totp` prints."""

import base64
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from yizhan.orgs.accounts.passwords import password_policy_problems
from yizhan.orgs.accounts.twofactor import TWO_FACTOR_ROLES, second_factor_verify
from yizhan.orgs.models import User
from yizhan.orgs.tests.accounts.conftest import form_login

pytestmark = pytest.mark.django_db


def test_demo_accounts_and_their_authenticator(demo):
    # `demo`: what the real loaders wrote and printed on their first run (core.testing.demo).
    assert settings.YIZHAN_DEMO_TOTP_SECRET in "\n".join(demo.lines)
    assert not User.objects.filter(must_change_password=True).exists()
    # The demo password meets the current rules (issue 13: 12 characters): no login is held back.
    for user in User.objects.all():
        assert password_policy_problems(user=user, password=settings.YIZHAN_DEMO_PASSWORD) == [], user
    client = Client()
    assert form_login(client, "ngo", settings.YIZHAN_DEMO_PASSWORD)["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    needing = set(User.objects.filter(memberships__role__in=TWO_FACTOR_ROLES).values_list("username", flat=True))
    # Dalian's, Qingdao's (projects/demo.py) and Wuhan's (centres/demo.py) federation admins.
    assert needing == {"fed_admin", "qd_admin", "wh_admin", "auditor", "security", "sysadmin"}
    key = base64.b32decode(settings.YIZHAN_DEMO_TOTP_SECRET).hex()
    devices = TOTPDevice.objects.filter(confirmed=True)
    assert {d.user.username for d in devices} == needing and {d.key for d in devices} == {key}

    call_command("demo", stdout=StringIO())
    assert TOTPDevice.objects.count() == 6  # loading again adds nothing

    printed = StringIO()
    call_command("demo_totp", stdout=printed)
    code = re.match(r"(\d{6})（\d+ 秒内有效）", printed.getvalue()).group(1)
    assert second_factor_verify(user=User.objects.get(username="auditor"), token=code)
