"""Fixtures of the account-security tests: a controllable clock, real sign-ins through the login
form (no shortcut past the second factor), and authenticator codes."""

from __future__ import annotations

import base64
import datetime as dt
import time

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from yizhan.orgs.tests.factories import PASSWORD


class Clock:
    """The time Django, django-axes and the session limits see; moves only when told."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr("django.utils.timezone.now", clock)
    # django-axes imported `now` by name.
    monkeypatch.setattr("axes.attempts.now", clock)
    monkeypatch.setattr("axes.handlers.proxy.now", clock)
    return clock


def form_login(client: Client, username: str, password: str = PASSWORD, **extra):
    """Sign in through the login page, as a person does (django-axes and every check apply)."""
    return client.post("/login/", {"username": username, "password": password}, **extra)


def totp_code(device: TOTPDevice, *, at: float | None = None, steps: int = 0) -> str:
    """The code `device`'s authenticator shows (optionally `steps` periods later)."""
    now = time.time() if at is None else at
    return f"{hotp(device.bin_key, int(now - device.t0) // device.step + steps, digits=device.digits):06d}"


def code_from_secret(secret_text: str) -> str:
    """The current code for a secret as the enrolment page shows it (base32 in groups)."""
    key = base64.b32decode(secret_text.replace(" ", "") + "=" * (-len(secret_text.replace(" ", "")) % 8))
    return f"{hotp(key, int(time.time()) // 30, digits=6):06d}"
