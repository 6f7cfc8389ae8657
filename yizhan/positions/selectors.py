"""Reads of the position registry; every selector takes the actor (scope cannot be forgotten)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.lookups import Exact
from django.utils import timezone

from yizhan.core.pagination import VersionedCountQuerySet
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor, require
from yizhan.orgs.models import Region, Unit
from yizhan.positions.choices import PositionState
from yizhan.positions.listing import facility_filter, list_version, text_candidates
from yizhan.positions.models import HoursException, Position, PositionQuerySet, PositionStateChange

UNRATED = "none"  # the star filter's value for stations without a star

SORTS = {
    "code": "code",
    "-code": "-code",
    "name": "official_name",
    "-name": "-official_name",
    "state": "state",
    "-state": "-state",
    "updated": "updated_at",
    "-updated": "-updated_at",
    "verified": "verified_on",
    "-verified": "-verified_on",
    "reopen": "expected_reopen_on",  # the queue of overdue suspensions: the longest overdue first
}


@dataclass
class PositionFilters:
    """The filters of the staff list, the map and the exports (all optional)."""

    unit: int | None = None  # this unit and every unit below it
    kind: str = ""
    state: str = ""
    facility: list[str] = field(default_factory=list)  # has all of these
    construction_type: str = ""
    region: str = ""  # adcode: this area and the areas below it
    star: str = ""  # a StarRating value, or UNRATED
    needs_verification: bool = False  # only the 待核实 queue: hours or construction type unknown
    suspension_overdue: bool = False  # only suspended ones past their expected reopening date
    q: str = ""  # name, address, code or pinyin initials
    sort: str = "code"


class PositionListQuerySet(VersionedCountQuerySet, PositionQuerySet):
    """The list's positions: counted once per filter and list version (listing.list_version)."""

    def count_version(self) -> int | None:
        return list_version(using=self.db)


def position_list(
    *, actor: Actor, filters: PositionFilters | None = None, action: str = Action.VIEW
) -> QuerySet[Position]:
    """Positions in the actor's scope matching `filters`."""
    require(actor, action, Position)
    filters = filters or PositionFilters()
    positions = (
        PositionListQuerySet(Position)
        .restrict(actor, action)
        .select_related("unit", "region")
        .defer("region__boundary", "unit__region")
    )
    if filters.unit:
        unit = Unit.objects.filter(pk=filters.unit).first()
        positions = positions.filter(unit__path__startswith=unit.path) if unit else positions.none()
    if filters.kind:
        positions = positions.filter(kind=filters.kind)
    if filters.state:
        positions = positions.filter(state=filters.state)
    bits, other_values = facility_filter(filters.facility)
    for bit in bits:
        # One test per facility, as PostgreSQL keeps statistics on each (migration 0005).
        positions = positions.filter(Exact(F("facility_mask").bitand(bit), bit))
    for value in other_values:
        # No facility by that name: the JSON text test the filter has always made (it finds nothing
        # in lists the services wrote, but the answer stays what it was).
        positions = positions.filter(facilities__icontains=f'"{value}"')
    if filters.construction_type:
        positions = positions.filter(construction_type=filters.construction_type)
    if filters.star:
        positions = positions.filter(star_rating="" if filters.star == UNRATED else filters.star)
    if filters.needs_verification:
        positions = positions.needing_verification()
    if filters.suspension_overdue:
        positions = positions.suspension_overdue(timezone.localdate())
    if filters.region:
        # Areas are province → city → district: a province's positions lie two levels down.
        areas = Region.objects.filter(
            Q(adcode=filters.region) | Q(parent__adcode=filters.region) | Q(parent__parent__adcode=filters.region)
        )
        positions = positions.filter(region_id__in=list(areas.values_list("pk", flat=True)))
    if filters.q:
        text = filters.q.strip()
        candidates = text_candidates(text, using=positions.db)
        if candidates is not None:
            positions = positions.filter(candidates)
        positions = positions.filter(
            Q(official_name__icontains=text)
            | Q(short_name__icontains=text)
            | Q(address__icontains=text)
            | Q(code__iexact=text)
            | Q(search_initials__contains=text.lower())
        )
    order = SORTS.get(filters.sort, "code")
    # The code is unique: no tie-breaker needed, so an index on (…, code) serves the page directly.
    return positions.order_by(order) if order.lstrip("-") == "code" else positions.order_by(order, "pk")


def position_counts_by_state(*, actor: Actor) -> dict[str, int]:
    """How many positions in the actor's scope are in each state (every state, zeros included),
    counted over the rows `position_list` gives with the state filter (the 工作台's figures)."""
    rows = position_list(actor=actor).order_by().values("state").annotate(n=Count("pk"))
    counts = dict.fromkeys(PositionState.values, 0)
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def position_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Position:
    return get_for_actor(Position.objects.select_related("unit", "region", "parent_centre"), actor, action, pk=pk)


def position_history(*, actor: Actor, position: Position, newest_first: bool = False) -> QuerySet[PositionStateChange]:
    """A position's lifecycle moves (the position already fetched for the actor): oldest first, as
    the API gives them, or newest first, as the staff pages list every history."""
    require(actor, Action.VIEW, Position)
    order = ("-created_at", "-pk") if newest_first else ("created_at", "pk")
    return PositionStateChange.objects.filter(position=position).order_by(*order)


def centre_choices(*, actor: Actor) -> QuerySet[Position]:
    """Service centres a work station may be attached to."""
    return Position.objects.restrict(actor).filter(kind="centre").order_by("official_name")


def region_choices(*, actor: Actor) -> QuerySet[Region]:
    """The administrative areas a position may be placed in: reference data every member of staff
    reads (nothing for a request without a role)."""
    if actor is None or actor.membership is None:
        return Region.objects.none()
    return Region.objects.defer("boundary").order_by("adcode")


def hours_exception_list(*, actor: Actor, position: Position) -> QuerySet[HoursException]:
    """A position's dated hours exceptions (the position already fetched for the actor), by date."""
    return HoursException.objects.restrict(actor).filter(position=position).order_by("start", "pk")


def hours_exception_get(*, actor: Actor, position: Position, pk: int, action: str = Action.VIEW) -> HoursException:
    """One exception of `position`: 404 when it is not that position's or out of scope."""
    return get_for_actor(HoursException.objects.filter(position=position), actor, action, pk=pk)
