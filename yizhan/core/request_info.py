"""Facts about a request that several layers need (remote address)."""

from django.conf import settings
from django.http import HttpRequest


def remote_addr(request: HttpRequest) -> str:
    """The client address: REMOTE_ADDR, or the address the trusted proxies saw
    (YIZHAN_TRUSTED_PROXY_COUNT hops from the right of X-Forwarded-For)."""
    hops = settings.YIZHAN_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]
