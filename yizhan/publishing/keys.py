"""Reading the HSDS API with a partner's key (issue 20 §3): the key found by its prefix and checked
against its digest in constant time; refused (401) when unknown, malformed, revoked or of a
partner switched off; a budget of requests per minute per key (429 with Retry-After), counted in
Django's cache like the public limit; every request with a key counted per day and written to the
audit chain (who: the partner and key; what: the path and the answer's status). Requests without
a key are the public's, as before."""

from __future__ import annotations

import hmac
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import audit_record
from yizhan.core.models import AuditAction
from yizhan.publishing.models import ApiKey, ApiKeyUsage
from yizhan.publishing.services import KEY_PREFIX, key_digest

KEY_UNKNOWN = _("接口密钥无效")
KEY_REVOKED = _("接口密钥已被吊销")
PARTNER_INACTIVE = _("该合作方已停用")
ACCESS_REPR = "合作方接口访问：{partner}（密钥 {prefix}…）{path}"
RATE_KEY = "publishing-key-rate:{key}:{window}"
PERIOD_S = 60


class KeyRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def presented_key(request) -> str | None:
    """The key a request carries: `Authorization: Bearer <key>` or `X-API-Key: <key>`; None for
    none (the public)."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _space, value = header.partition(" ")
        return value.strip() if scheme.lower() == "bearer" else header.strip()
    value = request.headers.get("X-API-Key", "")
    return value.strip() or None


def key_authenticate(secret: str) -> ApiKey:
    """The live key `secret` is, or KeyRefused."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1].isalnum():
        raise KeyRefused(KEY_UNKNOWN)
    key = ApiKey.objects.select_related("partner__unit").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.digest, key_digest(secret)):
        raise KeyRefused(KEY_UNKNOWN)
    if key.revoked:
        raise KeyRefused(KEY_REVOKED)
    if not key.partner.active:
        raise KeyRefused(PARTNER_INACTIVE)
    return key


def key_rate_hit(key: ApiKey, *, now: float | None = None) -> int | None:
    """Count one request of `key` against its partner's budget per minute: None while within it,
    else the seconds until the window ends."""
    now = time.time() if now is None else now
    window = int(now // PERIOD_S)
    name = RATE_KEY.format(key=key.pk, window=window)
    cache.add(name, 0, PERIOD_S + 1)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, PERIOD_S + 1)
        count = 1
    if count <= key.partner.rate_per_minute:
        return None
    return max(1, int((window + 1) * PERIOD_S - now + 0.999))


@transaction.atomic
def key_access_record(key: ApiKey, *, path: str, status: int) -> None:
    """Count the request on the key's day and write its audit entry."""
    now = timezone.now()
    day = timezone.localdate(now)
    refused = 1 if status == 429 else 0
    updated = ApiKeyUsage.objects.filter(key=key, day=day).update(
        requests=F("requests") + 1, refused=F("refused") + refused, last_at=now
    )
    if not updated:
        ApiKeyUsage.objects.get_or_create(key=key, day=day, defaults={"last_at": now})
        ApiKeyUsage.objects.filter(key=key, day=day).update(
            requests=F("requests") + 1, refused=F("refused") + refused, last_at=now
        )
    audit_record(
        action=AuditAction.EXPORT,
        object_type=ApiKey._meta.label_lower,
        object_id=str(key.pk),
        object_repr=ACCESS_REPR.format(partner=key.partner.name, prefix=key.prefix, path=path),
        unit_path=key.partner.unit.path,
        unit_name=key.partner.unit.name,
        after={"path": path, "status": status, "partner": key.partner.pk, "key": key.prefix},
    )
