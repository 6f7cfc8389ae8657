"""/api/v1/ endpoints of the orgs context: the acting identity, units, regions and role grants.
Thin: each endpoint calls one selector or service."""

from django.core.cache import cache
from ninja import Router, Status
from ninja.pagination import paginate

from yizhan.core.geo.crs import CRS
from yizhan.core.pagination import BoundedPagination
from yizhan.core.personal_data import personal_data_reveal
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor
from yizhan.orgs import selectors, services
from yizhan.orgs.geo import boundaries_cache_key, region_feature_collection
from yizhan.orgs.schemas import (
    ErrorOut,
    MembershipIn,
    MembershipOut,
    MeOut,
    RegionOut,
    SwitchIn,
    UnitContactOut,
    UnitCreateIn,
    UnitMoveIn,
    UnitOut,
    UnitUpdateIn,
)

router = Router(tags=["orgs"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _actor(request) -> Actor:
    return request.actor


@router.get("/me", response=MeOut, tags=["me"])
def me(request):
    actor = _actor(request)
    return {
        "username": request.user.username,
        "full_name": request.user.full_name,
        "active": actor.membership if actor else None,
        "memberships": selectors.membership_choices(user=request.user),
    }


@router.post("/me/active-membership", response={200: MeOut, 404: ErrorOut}, tags=["me"])
def switch_membership(request, payload: SwitchIn):
    """Act for another unit/role the user holds."""
    services.membership_switch(user=request.user, session=request.session, membership_id=payload.membership_id)
    request.actor = selectors.actor_for_request(request)
    return me(request)


@router.get("/units", response={200: list[UnitOut], **ERRORS}, tags=["units"])
@paginate(BoundedPagination)
def unit_list(request, search: str = "", type: str = ""):
    """Units in the actor's scope, in tree order."""
    return selectors.unit_list(actor=_actor(request), search=search, type=type)


@router.get("/units/{unit_id}", response={200: UnitOut, **ERRORS}, tags=["units"])
def unit_detail(request, unit_id: int):
    actor = _actor(request)
    unit = selectors.unit_get(actor=actor, pk=unit_id)
    return selectors.unit_with_visible_parent(actor=actor, unit=unit)


@router.post("/units/{unit_id}/reveal", response={200: UnitContactOut, **ERRORS}, tags=["units"])
def unit_reveal(request, unit_id: int):
    """The contact person's full name and phone, for the admins; each call writes an audit entry
    naming the fields, not their values (spec §11)."""
    actor = _actor(request)
    return personal_data_reveal(actor=actor, obj=selectors.unit_get(actor=actor, pk=unit_id))


@router.post("/units", response={201: UnitOut, **ERRORS}, tags=["units"])
def unit_create(request, payload: UnitCreateIn):
    actor = _actor(request)
    parent = selectors.unit_get(actor=actor, pk=payload.parent_id)
    region = selectors.region_get(actor=actor, adcode=payload.region_adcode)
    data = payload.dict(exclude={"parent_id", "region_adcode"})
    unit = services.unit_create(actor=actor, parent=parent, region=region, **data)
    return Status(201, selectors.unit_with_visible_parent(actor=actor, unit=unit))


@router.patch("/units/{unit_id}", response={200: UnitOut, **ERRORS}, tags=["units"])
def unit_update(request, unit_id: int, payload: UnitUpdateIn):
    actor = _actor(request)
    unit = selectors.unit_get(actor=actor, pk=unit_id, action=Action.UPDATE)
    changes = payload.dict(exclude_unset=True, exclude={"region_adcode"})
    changes = {k: v for k, v in changes.items() if v is not None}
    if payload.region_adcode:
        changes["region"] = selectors.region_get(actor=actor, adcode=payload.region_adcode)
    unit = services.unit_update(actor=actor, unit=unit, **changes)
    return selectors.unit_with_visible_parent(actor=actor, unit=unit)


@router.post("/units/{unit_id}/move", response={200: UnitOut, **ERRORS}, tags=["units"])
def unit_move(request, unit_id: int, payload: UnitMoveIn):
    """Move a unit with its whole subtree below another unit in scope."""
    actor = _actor(request)
    unit = selectors.unit_get(actor=actor, pk=unit_id, action=Action.UPDATE)
    new_parent = selectors.unit_get(actor=actor, pk=payload.parent_id)
    unit = services.unit_move(actor=actor, unit=unit, new_parent=new_parent)
    return selectors.unit_with_visible_parent(actor=actor, unit=unit)


@router.delete("/units/{unit_id}", response={204: None, **ERRORS}, tags=["units"])
def unit_delete(request, unit_id: int):
    actor = _actor(request)
    unit = selectors.unit_get(actor=actor, pk=unit_id, action=Action.DELETE)
    services.unit_delete(actor=actor, unit=unit)
    return Status(204, None)


@router.get("/regions", response={200: list[RegionOut], **ERRORS}, tags=["regions"])
@paginate(BoundedPagination)
def region_list(request, level: str = "", parent: str = ""):
    """Administrative areas (GB/T 2260), without boundaries."""
    return selectors.region_list(actor=_actor(request), level=level, parent=parent)


@router.get("/regions/{adcode}", response={200: RegionOut, **ERRORS}, tags=["regions"])
def region_detail(request, adcode: str):
    return selectors.region_get(actor=_actor(request), adcode=adcode)


@router.get("/regions/{adcode}/boundaries", response={200: dict, **ERRORS}, tags=["regions"])
def region_boundaries(request, adcode: str, crs: CRS = CRS.GCJ02):
    """GeoJSON FeatureCollection of the area and the areas directly below it, simplified for display,
    in the requested coordinate system (gcj02 as stored, wgs84 for WGS-84 tiles, bd09 for Baidu)."""
    region = selectors.region_get(actor=_actor(request), adcode=adcode)
    key = boundaries_cache_key(region.adcode, crs)
    data = cache.get(key)
    if data is None:
        data = region_feature_collection(region=region, crs=crs)
        cache.set(key, data, 3600)
    return data


@router.get("/memberships", response={200: list[MembershipOut], **ERRORS}, tags=["accounts"])
@paginate(BoundedPagination)
def membership_list(request):
    """Role grants in scope (security and audit admins)."""
    return selectors.membership_list(actor=_actor(request))


@router.post("/memberships", response={201: MembershipOut, **ERRORS}, tags=["accounts"])
def membership_grant(request, payload: MembershipIn):
    actor = _actor(request)
    unit = selectors.unit_get(actor=actor, pk=payload.unit_id)
    user = selectors.user_by_username(actor=actor, username=payload.username)
    return Status(201, services.membership_grant(actor=actor, user=user, unit=unit, role=payload.role))


@router.delete("/memberships/{membership_id}", response={204: None, **ERRORS}, tags=["accounts"])
def membership_revoke(request, membership_id: int):
    actor = _actor(request)
    membership = selectors.membership_get(actor=actor, pk=membership_id, action=Action.DELETE)
    services.membership_revoke(actor=actor, membership=membership)
    return Status(204, None)
