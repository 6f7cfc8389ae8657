"""Security headers that Django's SecurityMiddleware does not write (issue 5 §5): the
Content-Security-Policy (django-csp, policy in settings.CONTENT_SECURITY_POLICY) with the map tile
server added, and the Permissions-Policy."""

from __future__ import annotations

import functools
from dataclasses import asdict

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings

from yizhan.core.geo.tiles import tile_image_origins

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"


# Per-answer changes django-csp's decorators may leave on a response; an answer without them (and
# without a nonce) gets the same policy as every other.
_RESPONSE_OVERRIDES = tuple(f"_csp_{part}{ro}" for part in ("config", "update", "replace") for ro in ("", "_ro"))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the tile server's origin added to `img-src` on every answer.

    The tile source is configuration read at request time (YIZHAN_MAP_TILES, YIZHAN_MAP_TILE_URL),
    so the policy follows it without listing tile hosts twice. The policy of an answer without
    per-answer changes is built once per tile origins: building it took more time than a public
    nearby search (bench/finder_http.py)."""

    def process_response(self, request, response):
        plain = not any(hasattr(response, name) for name in _RESPONSE_OVERRIDES)
        if not plain or getattr(request, "_csp_nonce", None) is not None:
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response  # Django's debug pages, as django-csp does
        prefixes = tuple((getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
        excluded = request.path_info.startswith(prefixes) if prefixes else False
        if HEADER not in response and not getattr(response, "_csp_exempt", False) and not excluded:
            policy = self._plain_policy(tuple(tile_image_origins()))
            if policy:
                response[HEADER] = policy
        if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None):
            parts = self.get_policy_parts(request, response, report_only=True)
            report_only = build_policy(**asdict(parts), report_only=True)
            if report_only and HEADER_REPORT_ONLY not in response and not getattr(response, "_csp_exempt_ro", False):
                response[HEADER_REPORT_ONLY] = report_only
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @functools.lru_cache(maxsize=8)  # noqa: B019 (one middleware instance per process)
    def _plain_policy(self, origins: tuple[str, ...]) -> str:
        parts = PolicyParts()
        if origins:
            parts.update = {"img-src": list(origins)}
        return build_policy(**asdict(parts))

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origins = tile_image_origins()
        if origins:
            update = dict(parts.update or {})
            update["img-src"] = [*update.get("img-src", []), *origins]
            parts.update = update
        return parts


def permissions_policy(features: dict[str, list[str]]) -> str:
    """The Permissions-Policy header value of `features` (feature → allowed origins, `self` for
    this site, an empty list for nobody), e.g. `geolocation=(self), camera=()`."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in features.items())


class PermissionsPolicyMiddleware:
    """Write settings.YIZHAN_PERMISSIONS_POLICY as the Permissions-Policy header on every answer."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = permissions_policy(settings.YIZHAN_PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault(PERMISSIONS_POLICY_HEADER, self.value)
        return response
