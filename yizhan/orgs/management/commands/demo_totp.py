"""`yizhan demo-totp`: the current code of the demo accounts' authenticator, for trying the staff
pages after `make run` without an authenticator app. It knows only the public demo secret
(YIZHAN_DEMO_TOTP_SECRET), never a real account's."""

import base64
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django_otp.oath import hotp

TOTP_STEP = 30  # seconds, django-otp's default for TOTP devices


def demo_totp_code(*, at: float | None = None) -> str:
    """The six-digit code of the demo secret at `at` (Unix seconds; now by default): RFC 6238, i.e.
    HOTP over the number of 30-second steps since 1970."""
    key = base64.b32decode(settings.YIZHAN_DEMO_TOTP_SECRET.replace(" ", "").upper())
    counter = int(time.time() if at is None else at) // TOTP_STEP
    return f"{hotp(key, counter, digits=6):06d}"


class Command(BaseCommand):
    help = "显示演示账号身份验证器的当前验证码（仅演示密钥 YIZHAN_DEMO_TOTP_SECRET）"

    def handle(self, *args, **options):
        now = time.time()
        left = TOTP_STEP - int(now) % TOTP_STEP
        self.stdout.write(f"{demo_totp_code(at=now)}（{left} 秒内有效）")
