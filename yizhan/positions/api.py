"""/api/v1/positions: the registry's endpoints. Thin: each calls one selector or service."""

from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from yizhan.core.roles import Action
from yizhan.orgs import selectors as org_selectors
from yizhan.positions import selectors, services
from yizhan.positions.schemas import (
    BulkTransitionIn,
    BulkTransitionOut,
    ErrorOut,
    OpeningOut,
    PositionCreateIn,
    PositionOut,
    PositionUpdateIn,
    StateChangeOut,
    TransitionIn,
)

router = Router(tags=["positions"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ListFilters(Schema):
    unit: int | None = None
    kind: str = ""
    state: str = ""
    facility: list[str] = []
    construction_type: str = ""
    region: str = ""
    q: str = ""
    sort: str = "code"


def _related(actor, data: dict) -> dict:
    """Turn the API's ids and codes into records the actor may see (404 otherwise)."""
    if data.get("unit_id") is not None:
        data["unit"] = org_selectors.unit_get(actor=actor, pk=data.pop("unit_id"))
    else:
        data.pop("unit_id", None)
    if data.get("parent_centre_id") is not None:
        data["parent_centre"] = selectors.position_get(actor=actor, pk=data.pop("parent_centre_id"))
    else:
        data.pop("parent_centre_id", None)
    adcode = data.pop("region_adcode", None)
    data["region"] = org_selectors.region_get(actor=actor, adcode=adcode) if adcode else None
    return data


@router.get("", response={200: list[PositionOut], **ERRORS})
@paginate(LimitOffsetPagination)
def position_list(request, filters: Query[ListFilters]):
    """Positions in scope, filtered (unit subtree, kind, state, facilities, construction type, area,
    text or pinyin initials) and sorted."""
    return selectors.position_list(actor=request.actor, filters=selectors.PositionFilters(**filters.dict()))


@router.get("/{int:position_id}", response={200: PositionOut, **ERRORS})
def position_detail(request, position_id: int):
    return selectors.position_get(actor=request.actor, pk=position_id)


@router.get("/{int:position_id}/opening", response={200: OpeningOut, **ERRORS})
def position_opening(request, position_id: int):
    """Open now (Asia/Shanghai), and when it closes or next opens."""
    return selectors.position_opening(selectors.position_get(actor=request.actor, pk=position_id))


@router.get("/{int:position_id}/history", response={200: list[StateChangeOut], **ERRORS})
def position_history(request, position_id: int):
    position = selectors.position_get(actor=request.actor, pk=position_id)
    return list(selectors.position_history(actor=request.actor, position=position))


@router.post("", response={201: PositionOut, **ERRORS})
def position_create(request, payload: PositionCreateIn):
    actor = request.actor
    data = _related(actor, payload.dict(exclude_none=True))
    position = services.position_create(actor=actor, **data)
    return Status(201, position)


@router.patch("/{int:position_id}", response={200: PositionOut, **ERRORS})
def position_update(request, position_id: int, payload: PositionUpdateIn):
    actor = request.actor
    position = selectors.position_get(actor=actor, pk=position_id, action=Action.UPDATE)
    data = _related(actor, payload.dict(exclude_unset=True))
    if data.get("region") is None:
        data.pop("region", None)
    return services.position_update(actor=actor, position=position, **data)


@router.post("/{int:position_id}/transition", response={200: PositionOut, **ERRORS})
def position_transition(request, position_id: int, payload: TransitionIn):
    """Move along the lifecycle: planned → building → operating ⇄ suspended → delisted."""
    actor = request.actor
    position = selectors.position_get(actor=actor, pk=position_id, action=Action.OPERATE)
    return services.position_transition(actor=actor, position=position, **payload.dict())


@router.post("/bulk-transition", response={200: BulkTransitionOut, **ERRORS})
def positions_bulk_transition(request, payload: BulkTransitionIn):
    """The same move for many positions; all or none."""
    actor = request.actor
    positions = [selectors.position_get(actor=actor, pk=pk, action=Action.OPERATE) for pk in payload.ids]
    changed = services.positions_transition(actor=actor, positions=positions, **payload.dict(exclude={"ids"}))
    return {"changed": changed}
