"""Partners and their API keys (issue 20 §3): registered by a federation admin within its reach,
keys issued (shown once, stored as a SHA-256 digest) and revoked. Every write is audited by the
models; a key's accesses by `keys.key_access_record`."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError, from_validation_error
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor, require, require_in_scope
from yizhan.orgs.models import Unit
from yizhan.publishing.models import ApiKey, Partner

KEY_PREFIX = "yz"
PARTNER_NAME_TAKEN = _("该单位已登记同名合作方")
KEY_ALREADY_REVOKED = _("该密钥已被吊销")
PARTNER_FIELDS = ("name", "contact_name", "contact_phone", "contact_email", "rate_per_minute", "active", "unit")


def key_digest(secret: str) -> str:
    """The stored form of a key: its SHA-256. A key is 32 random bytes, so no slow hash is needed
    (nothing to guess); the digest is compared in constant time."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _save(partner: Partner) -> Partner:
    try:
        partner.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise from_validation_error(error) from None
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError:
        raise ApplicationError(PARTNER_NAME_TAKEN, field="name") from None
    return partner


@transaction.atomic
def partner_create(
    *,
    actor: Actor,
    unit: Unit,
    name: str,
    contact_name: str,
    contact_phone: str,
    contact_email: str = "",
    rate_per_minute: int = 120,
) -> Partner:
    """Register a partner allowed to read the public registry of `unit` and every unit below it."""
    require(actor, Action.CREATE, Partner)
    require_in_scope(actor, unit)
    partner = Partner(
        unit=unit,
        name=name.strip(),
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        contact_email=contact_email.strip(),
        rate_per_minute=rate_per_minute,
    )
    return _save(partner)


@transaction.atomic
def partner_update(*, actor: Actor, partner: Partner, **changes) -> Partner:
    """Change a partner's record (name, contact, allowed subtree, rate limit, active)."""
    partner = get_for_actor(Partner.objects.select_for_update(), actor, Action.UPDATE, pk=partner.pk)
    unknown = set(changes) - set(PARTNER_FIELDS)
    if unknown:
        raise ApplicationError(f"不能修改的字段：{', '.join(sorted(unknown))}")
    if "unit" in changes:
        require_in_scope(actor, changes["unit"])
    for field, value in changes.items():
        setattr(partner, field, value.strip() if isinstance(value, str) else value)
    return _save(partner)


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once, never stored


@transaction.atomic
def api_key_issue(*, actor: Actor, partner: Partner, label: str = "") -> IssuedKey:
    """A new key for the partner; the returned secret is the only time it is seen."""
    partner = get_for_actor(Partner.objects.select_for_update(), actor, Action.UPDATE, pk=partner.pk)
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        partner=partner,
        prefix=prefix,
        digest=key_digest(secret),
        label=label.strip()[:60],
        issued_by=actor.user.username,
    )
    key.save()
    return IssuedKey(key, secret)


@transaction.atomic
def api_key_revoke(*, actor: Actor, key: ApiKey) -> ApiKey:
    """Revoke a key at once: the next request with it is refused (401)."""
    key = get_for_actor(ApiKey.objects.select_for_update(), actor, Action.UPDATE, pk=key.pk)
    if key.revoked:
        raise ApplicationError(KEY_ALREADY_REVOKED)
    key.revoked_at = timezone.now()
    key.revoked_by = actor.user.username
    key.save()
    return key
