"""Security headers that Django's SecurityMiddleware does not write (issue 5 §5): the
Content-Security-Policy (django-csp, policy in settings.CONTENT_SECURITY_POLICY) with the map tile
server added, and the Permissions-Policy."""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

from yizhan.core.geo.tiles import tile_image_origins

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the tile server's origin added to `img-src` on every answer.

    The tile source is configuration read at request time (YIZHAN_MAP_TILES, YIZHAN_MAP_TILE_URL),
    so the policy follows it without listing tile hosts twice."""

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
