"""Second factor (双因素验证) for the roles with power over the whole system, its accounts or its
logs (issue 5 §1, GB/T 22239-2019 8.1.4.1 c: two or more authentication techniques).

After the password, a user holding any of `TWO_FACTOR_ROLES` proves possession of their
authenticator (TOTP, RFC 6238, django-otp) or spends one of ten single-use recovery codes. A user
without an authenticator enrols one first: the secret is shown as a QR code drawn on the server
(no outside service) and as text, confirmed with a first code, and the recovery codes are shown
once. Every enrolment, check and recovery-code use is audited.
"""

from __future__ import annotations

import base64
import binascii

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Role
from yizhan.core.scoping import Actor
from yizhan.orgs.accounts.events import AuthEvent, auth_event_record
from yizhan.orgs.accounts.passwords import require_account_in_scope
from yizhan.orgs.models import Membership, User

# 三员 and the federation admin: each can reach the whole federation's data, accounts or logs.
TWO_FACTOR_ROLES = frozenset({Role.FEDERATION_ADMIN, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "身份验证器"
RECOVERY_DEVICE_NAME = "恢复码"
RECOVERY_DIGEST_SALT = "yizhan.orgs.accounts.twofactor.recovery-code"

CODE_WRONG = _("验证码不正确或已使用，请输入身份验证器上当前的 6 位数字，或一个未用过的恢复码")
CODE_THROTTLED = _("验证失败次数过多，请稍等片刻再试")
ALREADY_ENROLLED = _("该账号已绑定身份验证器；如设备丢失，请使用恢复码登录，或请安全管理员清除后重新绑定")
RESET_OWN_DEVICES = _("不能清除自己的双因素验证设备")
SECRET_NOT_BASE32 = _("身份验证器密钥不是有效的 Base32 文本")


def two_factor_required(user: User) -> bool:
    """Whether `user` must pass the second factor: they hold one of `TWO_FACTOR_ROLES` (at any unit,
    active or not: switching roles happens inside the session)."""
    if not settings.YIZHAN_REQUIRE_2FA:
        return False
    return Membership.objects.filter(user=user, role__in=TWO_FACTOR_ROLES).exists()


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_enrolment_device(*, user: User) -> TOTPDevice:
    """The authenticator the user is about to enrol: a new secret, kept unconfirmed until a first
    code proves the user's app holds it. Refused once one is confirmed: a password alone must never
    be enough to bind another authenticator."""
    if confirmed_totp_device(user) is not None:
        raise ApplicationError(ALREADY_ENROLLED)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code (drawn here, no outside service)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=14)
    return image.to_string(encoding="unicode")


def _normalised(token: str) -> str:
    """Codes as people type them: spaces and dashes dropped, recovery codes in any case."""
    return "".join(token.split()).replace("-", "").lower()[:32]


def recovery_code_digest(code: str) -> str:
    """What is stored of a recovery code: a keyed digest (HMAC-SHA256 under SECRET_KEY, 16 hex
    characters, the width of django-otp's token column), never the code itself (等保 8.1.4.8:
    authentication data kept confidential in storage). Rotating SECRET_KEY invalidates the codes;
    the security admin then resets the account's second factor."""
    return salted_hmac(RECOVERY_DIGEST_SALT, _normalised(code), algorithm="sha256").hexdigest()[:16]


def totp_enrol_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a first code and issue `RECOVERY_CODE_COUNT` new
    recovery codes (earlier ones stop working). Returns the device and the codes, shown once."""
    device = totp_enrolment_device(user=user)
    if not device.verify_is_allowed()[0]:
        auth_event_record(event=AuthEvent.OTP_FAILED, user=user, stage="enrolment", throttled=True)
        raise ApplicationError(CODE_THROTTLED, field="token")
    if not device.verify_token(_normalised(token)):
        auth_event_record(event=AuthEvent.OTP_FAILED, user=user, stage="enrolment")
        raise ApplicationError(CODE_WRONG, field="token")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        digests = [recovery_code_digest(code) for code in codes]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=digest) for digest in digests)
        auth_event_record(event=AuthEvent.OTP_ENROLLED, user=user, recovery_codes=RECOVERY_CODE_COUNT)
    return device, codes


def second_factor_verify(*, user: User, token: str) -> Device:
    """Check a code from the user's authenticator, or spend one recovery code (a used one is gone).
    Returns the device that accepted it; audited either way. Each device slows repeated failures
    down (django-otp throttling: 1, 2, 4 … seconds), and a TOTP code is accepted once."""
    token = _normalised(token)
    devices = [confirmed_totp_device(user), StaticDevice.objects.filter(user=user, confirmed=True).first()]
    devices = [device for device in devices if device is not None]
    if devices and not any(device.verify_is_allowed()[0] for device in devices):
        auth_event_record(event=AuthEvent.OTP_FAILED, user=user, stage="verify", throttled=True)
        raise ApplicationError(CODE_THROTTLED, field="token")
    for device in devices:
        # Each device saves its own throttling and used-code state, committed even when all fail.
        # Recovery codes are stored as digests (recovery_code_digest).
        if device.verify_token(recovery_code_digest(token) if isinstance(device, StaticDevice) else token):
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                auth_event_record(event=AuthEvent.RECOVERY_CODE_USED, user=user, recovery_codes_left=left)
            else:
                auth_event_record(event=AuthEvent.OTP_VERIFIED, user=user)
            return device
    auth_event_record(event=AuthEvent.OTP_FAILED, user=user, stage="verify")
    raise ApplicationError(CODE_WRONG, field="token")


@transaction.atomic
def second_factor_reset(*, actor: Actor, user: User) -> None:
    """The security admin removes an account's authenticator and recovery codes (a lost phone):
    its holder enrols a new authenticator at the next login. Same scope rule as a password reset."""
    require_account_in_scope(actor=actor, user=user, own_message=RESET_OWN_DEVICES)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    auth_event_record(event=AuthEvent.OTP_RESET, user=user)


def totp_device_install(*, user: User, secret_base32: str) -> TOTPDevice:
    """Give `user` a confirmed authenticator with a known secret, unless they have one: the demo
    accounts' (`yizhan demo`, secret YIZHAN_DEMO_TOTP_SECRET), so `make run` needs no enrolment."""
    existing = confirmed_totp_device(user)
    if existing is not None:
        return existing
    try:
        key = base64.b32decode(secret_base32.replace(" ", "").upper())
    except binascii.Error as error:
        raise ApplicationError(SECRET_NOT_BASE32) from error
    with transaction.atomic():
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=key.hex(), confirmed=True)
        auth_event_record(event=AuthEvent.OTP_ENROLLED, user=user, recovery_codes=0)
    return device
