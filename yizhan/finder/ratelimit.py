"""A per-client request budget for the public endpoints (issue 4 §6), counted in Django's cache:
a fixed window per client address (`YIZHAN_PUBLIC_RATE`, e.g. "120/m"), incremented atomically
(`cache.incr`), so all processes sharing the cache share the budget. A fixed window lets a client
spend up to twice the budget across a window boundary; that is accepted for a public read API."""

from __future__ import annotations

import functools
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*([smhd])\s*$")
KEY = "public-rate:{client}:{window}"


@functools.lru_cache(maxsize=8)
def parse_rate(text: str) -> tuple[int, int] | None:
    """ "120/m" → (120 requests, 60 s); "" or "off" → None (no limit)."""
    if text.strip().lower() in ("", "off"):
        return None
    match = _RATE.match(text)
    if not match or int(match.group(1)) <= 0:
        raise ImproperlyConfigured(f"YIZHAN_PUBLIC_RATE must look like 120/m (count / s, m, h or d), not {text!r}")
    return int(match.group(1)), PERIODS[match.group(2)]


def rate_limit_hit(client: str, *, now: float | None = None) -> int | None:
    """Count one request of `client`; None while within the budget, else the seconds until the
    window ends (the Retry-After)."""
    rate = parse_rate(settings.YIZHAN_PUBLIC_RATE)
    if rate is None:
        return None
    budget, period = rate
    now = time.time() if now is None else now
    window = int(now // period)
    key = KEY.format(client=client, window=window)
    cache.add(key, 0, period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, period + 1)
        count = 1
    if count <= budget:
        return None
    return max(1, int((window + 1) * period - now + 0.999))
