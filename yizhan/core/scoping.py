"""Data scope (spec §1): the single mechanism every queryset of business data goes through.

A scoped model sets `scope_path_field`, the lookup that yields the materialised path of the union
unit a record belongs to (`"path"` for Unit itself, `"unit__path"` for a record owned by a unit).
`Model.objects.restrict(actor, action)` keeps only what the actor's role may do (`roles.PERMISSIONS`)
inside its reach (`roles.ROLE_REACH`). Outside the scope an object does not exist for the actor:
callers answer 404, never 403, so nobody learns what lies in another unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import NotFoundError, PermissionDeniedError
from yizhan.core.roles import ROLE_REACH, Action, Reach, allowed

# The account, membership and unit types belong to `orgs` (the kernel imports no domain app):
# an actor holds them as the objects they are, typed loosely here.
User = Membership = Unit = Any

OUT_OF_SCOPE_MESSAGE = _("对象不存在或不在您的管辖范围内")
FORBIDDEN_MESSAGE = _("您的角色无权执行此操作")


@dataclass(frozen=True)
class Actor:
    """Who acts: a user through one of their memberships (the unit and role they act for)."""

    user: User
    membership: Membership | None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def unit(self) -> Unit | None:
        return self.membership.unit if self.membership else None

    @property
    def reach(self) -> str | None:
        return ROLE_REACH.get(self.role) if self.role else None

    def can(self, action: str, model: type[models.Model] | str) -> bool:
        if self.membership is None or not self.user.is_active:
            return False
        return allowed(self.role, action, permission_label(model))

    def covers_path(self, path: str) -> bool:
        """Whether a unit with materialised path `path` lies inside this actor's reach."""
        if self.unit is None:
            return False
        if self.reach == Reach.OWN_UNIT:
            return path == self.unit.path
        return path.startswith(self.unit.path)

    def covers_unit(self, unit: Unit) -> bool:
        return self.covers_path(unit.path)


def permission_label(model: type[models.Model] | str) -> str:
    """The PERMISSIONS key of a model. Records that belong to another record (a position's state
    history, its hours exceptions) name it in `scope_permissions_from` and share its permissions."""
    if isinstance(model, str):
        return model
    return getattr(model, "scope_permissions_from", model._meta.label_lower)


def scope_q(model: type[models.Model], actor: Actor) -> Q:
    """The filter that keeps the rows of `model` inside `actor`'s reach."""
    custom = getattr(model, "scope_q", None)
    if custom is not None:
        return custom(actor)
    field = model.scope_path_field
    if field.endswith("unit__path"):
        # Records owned by a unit: filter by the ids of the units in reach (a subquery on the unit
        # table's path index) rather than joining the unit to every row, so counts and sorted pages
        # can use the record table's own indexes.
        units = (
            type(actor.unit).objects.filter(path=actor.unit.path)
            if actor.reach == Reach.OWN_UNIT
            else type(actor.unit).objects.filter(path__startswith=actor.unit.path)
        )
        return Q(**{f"{field[: -len('__path')]}__in": units.values("pk")})
    if actor.reach == Reach.OWN_UNIT:
        return Q(**{field: actor.unit.path})
    return Q(**{f"{field}__startswith": actor.unit.path})


class ScopedQuerySet(models.QuerySet):
    def restrict(self, actor: Actor | None, action: str = Action.VIEW) -> ScopedQuerySet:
        """Rows of this queryset that `actor` may take `action` on; empty when the role may not."""
        if actor is None or not actor.can(action, self.model):
            return self.none()
        return self.filter(scope_q(self.model, actor))


def get_for_actor(queryset: models.QuerySet, actor: Actor | None, action: str = Action.VIEW, **lookup):
    """One object for `action`: NotFoundError when it is invisible to the actor, PermissionDeniedError
    when it is visible but the role may not take `action` on it."""
    obj = queryset.restrict(actor, Action.VIEW).filter(**lookup).first()
    if obj is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    if action != Action.VIEW and not actor.can(action, queryset.model):
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    return obj


def require(actor: Actor | None, action: str, model: type[models.Model] | str) -> None:
    """Refuse with PermissionDeniedError unless the actor's role may take `action` on `model`."""
    if actor is None or not actor.can(action, model):
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)


def require_in_scope(actor: Actor, unit: Unit) -> None:
    """Refuse with NotFoundError (404) unless `unit` lies inside the actor's reach."""
    if not actor.covers_unit(unit):
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
