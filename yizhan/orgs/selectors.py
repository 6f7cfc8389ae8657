"""Reads of the orgs context. Every selector takes the actor, so scope cannot be forgotten."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from yizhan.core.errors import NotFoundError
from yizhan.core.personal_data import shown
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, Actor, get_for_actor, require
from yizhan.orgs.choices import ALLOWED_CHILD_TYPES, FEDERATION_TYPES
from yizhan.orgs.models import Membership, Region, Unit, User

ACTIVE_MEMBERSHIP_SESSION_KEY = "yizhan_membership"


def membership_choices(*, user: User) -> list[Membership]:
    """The unit/role pairs `user` may act for, in tree order."""
    return list(Membership.objects.filter(user=user).select_related("unit").order_by("unit__path", "role"))


def actor_for_request(request: HttpRequest) -> Actor | None:
    """The actor of a request: the session's chosen membership, else the user's first one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    chosen = request.session.get(ACTIVE_MEMBERSHIP_SESSION_KEY)
    memberships = Membership.objects.filter(user=user).select_related("unit").order_by("unit__path", "role")
    membership = memberships.filter(pk=chosen).first() if chosen else None
    return Actor(user=user, membership=membership or memberships.first())


def actor_for_user(user: User, membership: Membership | None = None) -> Actor:
    """An actor outside a request (commands, tests): the given membership or the user's first."""
    if membership is None:
        membership = Membership.objects.filter(user=user).select_related("unit").order_by("unit__path", "role").first()
    return Actor(user=user, membership=membership)


def unit_list(*, actor: Actor, search: str = "", type: str = "", action: str = Action.VIEW) -> QuerySet[Unit]:
    """Units the actor may see, in tree order, optionally filtered by name/code text and type."""
    require(actor, action, Unit)
    units = Unit.objects.restrict(actor, action).select_related("region").defer("region__boundary")
    if search:
        units = units.filter(Q(name__icontains=search) | Q(code__icontains=search))
    if type:
        units = units.filter(type=type)
    return units


def unit_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Unit:
    return get_for_actor(Unit.objects.select_related("region").defer("region__boundary"), actor, action, pk=pk)


def unit_parent_in_scope(*, actor: Actor, unit: Unit) -> Unit | None:
    """The unit's parent when the actor may see it (never leaks a unit above the actor's own)."""
    parent = Unit.objects.get_parent(unit)
    if parent is None or not actor.covers_unit(parent):
        return None
    return parent


def unit_children(*, actor: Actor, unit: Unit) -> QuerySet[Unit]:
    """The units directly below `unit` (one the actor may see), by name and type: shown on its
    page to whoever may see the unit."""
    return Unit.objects.get_children(unit).select_related("region").defer("region__boundary")


def unit_with_visible_parent(*, actor: Actor, unit: Unit) -> Unit:
    """`unit` with `visible_parent` set to its parent when the actor may see it (None above the
    actor's reach, which nobody learns of)."""
    unit.visible_parent = unit_parent_in_scope(actor=actor, unit=unit)
    return unit


def unit_type_choices(*, actor: Actor, unit: Unit) -> frozenset[str]:
    """The types `unit` may take where it stands in the tree (spec §1): a root is a federation,
    anything else one of the types its parent allows below it."""
    parent = Unit.objects.get_parent(unit)
    return ALLOWED_CHILD_TYPES[parent.type] if parent else FEDERATION_TYPES


def unit_counts_by_type(*, actor: Actor) -> dict[str, int]:
    """Dashboard counts: units in scope by type."""
    rows = Unit.objects.restrict(actor).order_by().values("type").annotate(n=Count("pk"))
    return {row["type"]: row["n"] for row in rows}


@dataclass(frozen=True)
class AdminsToAsk:
    """The unit whose administrators a member of staff should ask, and their names."""

    unit: Unit
    names: list[str]


def admins_to_ask(*, actor: Actor) -> AdminsToAsk | None:
    """Whom to ask for what the actor's role may not do itself (a station manager whose unit has
    no position yet: registering one is for an admin): the unit admins of the actor's own unit,
    else of the nearest unit above it that has any (a federation's federation admins count as
    such). Read past the actor's reach on purpose, but only the unit's name and the admins' names
    as `shown` lets every member of staff read them (orgs.personal_data); None when nobody is
    found or the actor acts for no unit."""
    if actor is None or actor.unit is None:
        return None
    admin_roles = (Role.UNIT_ADMIN, Role.FEDERATION_ADMIN)
    for unit in [actor.unit, *reversed(Unit.objects.get_ancestors(actor.unit))]:
        memberships = (
            Membership.objects.filter(unit=unit, role__in=admin_roles, user__is_active=True)
            .exclude(user=actor.user)
            .select_related("user")
            .order_by("role", "user__username")
        )
        names = list(dict.fromkeys(shown(actor, m.user, "full_name") or m.user.username for m in memberships))
        if names:
            return AdminsToAsk(unit=unit, names=names)
    return None


def unit_tree(*, actor: Actor) -> list[tuple[Unit, int]]:
    """Units in scope with their depth relative to the actor's unit, in depth-first order."""
    units = list(unit_list(actor=actor))
    base = actor.unit.depth
    return [(unit, unit.depth - base) for unit in units]


def region_list(*, actor: Actor, level: str = "", parent: str = "") -> QuerySet[Region]:
    """Administrative areas are reference data: every staff member with a role may read them."""
    _require_staff(actor)
    # Neither the areas' boundaries nor their parents' (a city's, large, once per district) are read.
    regions = Region.objects.select_related("parent").defer("boundary", "parent__boundary")
    if level:
        regions = regions.filter(level=level)
    if parent:
        regions = regions.filter(parent__adcode=parent)
    return regions


def region_get(*, actor: Actor, adcode: str) -> Region:
    _require_staff(actor)
    region = Region.objects.select_related("parent").defer("boundary", "parent__boundary").filter(adcode=adcode).first()
    if region is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    return region


def region_for_actor(*, actor: Actor) -> Region:
    """The area to show first: the acting unit's own."""
    return region_get(actor=actor, adcode=actor.unit.region.adcode)


def region_ancestors(*, actor: Actor, region: Region) -> list[Region]:
    """The areas above `region`, top first (for breadcrumbs)."""
    _require_staff(actor)
    chain = []
    parent_id = region.parent_id
    while parent_id is not None:
        parent = Region.objects.defer("boundary").get(pk=parent_id)
        chain.insert(0, parent)
        parent_id = parent.parent_id
    return chain


def _require_staff(actor: Actor | None) -> None:
    if actor is None or actor.membership is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)


def membership_list(*, actor: Actor) -> QuerySet[Membership]:
    require(actor, Action.VIEW, Membership)
    return Membership.objects.restrict(actor).select_related("user", "unit", "granted_by")


def membership_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Membership:
    return get_for_actor(Membership.objects.select_related("user", "unit"), actor, action, pk=pk)


def user_by_username(*, actor: Actor, username: str) -> User:
    """An account the actor may grant roles to: one holding a role in the actor's scope, or none yet.
    Accounts of other federations stay invisible."""
    require(actor, Action.VIEW, Membership)
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    held = Membership.objects.filter(user=user)
    if held.exists() and not held.filter(pk__in=Membership.objects.restrict(actor)).exists():
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    return user


def unit_by_code(*, actor: Actor, code: str, action: str = Action.UPDATE) -> Unit:
    """The unit coded `code`, when the actor may take `action` on it (404 otherwise, as for a key)."""
    pk = Unit.objects.filter(code=code).values_list("pk", flat=True).first()
    if pk is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    return unit_get(actor=actor, pk=pk, action=action)
