from django.conf import settings

from yizhan.core.actors import membership_choices
from yizhan.core.geo.tiles import tile_source


def actor(request):
    """The acting membership and the units the user may switch to, for the page header."""
    current = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    memberships = []
    if user is not None and user.is_authenticated:
        memberships = membership_choices(user=user)
    return {
        "actor": current,
        # Not "memberships": a page listing memberships (accounts) would replace the header's list.
        "switchable_memberships": memberships,
        "site_title": settings.YIZHAN_TITLE,
        "map_tiles": tile_source(),
    }
