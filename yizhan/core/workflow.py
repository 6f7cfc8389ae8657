"""One workflow engine (issue 12 §2), in the shape of django-oscar's order status pipeline: a
declared transitions table, the moves an actor may take now, and one `transition()` that takes a
move and writes one history row.

A workflow model declares, once, next to its states (its app's `choices.py`):

    LIFECYCLE = Workflow(
        model="positions.Position",            # the record (any model with `scope_path_field`)
        history="positions.PositionStateChange",  # a `core.models.StateChangeBase` subclass
        states=PositionState,                  # TextChoices: the labels of messages and pages
        action=Action.OPERATE,                 # the permission (core/roles.py) to move it at all
        transitions=[Transition(PositionState.PLANNED, PositionState.BUILDING), ...],
    )

and its service calls `transition(workflow=LIFECYCLE, actor=actor, obj=position, to="building")`.
In one transaction that call: refuses a role without the workflow's permission (403), locks the
row, refuses a record outside the actor's scope as not found (404), refuses a move that is not in
the table, a move whose own permission or roles the actor lacks, a missing reason and whatever
the guards refuse (`ApplicationError` naming the field); then sets the state, runs the `apply`
hooks, saves (the record is an `AuditedModel`: its save writes the move's one audit entry, with
every field the move changed), writes one history row, and after commit sends `state_changed`.

The kernel knows no domain app: records, their units and the actor's rights are reached through
`scope_path_field`, `core.scoping` and `core.roles` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any, NamedTuple

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import AuditedModel
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import StateChangeBase
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE, Actor, require, require_in_scope

TRANSITION_NOT_ALLOWED = _("不能从“{from_state}”变为“{to_state}”")
REASON_MISSING = _("变为“{to_state}”须说明原因")
REASON_TOO_LONG = _("原因不能超过 {max} 个字（现有 {length} 个字）")

# Sent after the transaction of a move commits (never for a move rolled back), with the keyword
# arguments workflow, obj, change (the history row), actor, from_state, to_state and reason; the
# sender is the workflow's model. For announcing a change (notifications, indexes of other
# processes), not for rules: a move's rules are its table, guards and hooks.
state_changed = Signal()

# Every declared workflow, so that start-up checks them all (`workflows_check`).
WORKFLOWS: list[Workflow] = []


class Refusal(NamedTuple):
    """What a guard answers to refuse a move: the message and the field it is about."""

    message: str
    field: str | None = None


@dataclass(frozen=True)
class Move:
    """A move being taken, as guards and hooks see it: `obj` is the locked record, still in its
    old state for guards and already in the new one for `apply` hooks; `extra` holds every name of
    the workflow's `extra` (None when not given)."""

    workflow: Workflow
    transition: Transition
    actor: Actor
    obj: models.Model
    reason: str
    extra: dict[str, Any]

    @property
    def source(self) -> str:
        return self.transition.source

    @property
    def target(self) -> str:
        return self.transition.target


Guard = Callable[[Move], "str | Refusal | None"]
Hook = Callable[[Move], None]


@dataclass(frozen=True)
class Transition:
    """One row of a transitions table: the move `source` → `target`.

    `label` names the move on buttons (the target state's label when empty). `action` is the
    permission it needs (`roles.Action`; the workflow's when None) and `roles`, when given, the
    only roles that may take it, on top of that permission. `reason_required` refuses it without a
    reason. `guard` refuses it with a message (or a `Refusal` naming a field) or lets it pass with
    None; `apply` changes other fields of the record along with the state."""

    source: str
    target: str
    label: str = ""
    action: str | None = None
    roles: frozenset[str] | None = None
    reason_required: bool = False
    guard: Guard | None = None
    apply: Hook | None = None


@dataclass(frozen=True, eq=False)
class Workflow:
    """A model's transitions table and what its moves write (see the module docstring).

    `model` and `history` are app labels ("app.Model"), so that a `choices.py` imported by its own
    `models.py` can declare the workflow. `extra` names the keyword arguments `transition()`
    accepts besides the reason (a position's effective date); `guard` and `apply` run on every
    move before the transition's own; `history_fields(move)` gives the history row's fields beyond
    the ones of `StateChangeBase`."""

    model: str
    history: str
    states: type[models.TextChoices]
    transitions: Sequence[Transition]
    action: str
    state_field: str = "state"
    extra: tuple[str, ...] = ()
    guard: Guard | None = None
    apply: Hook | None = None
    history_fields: Callable[[Move], dict] | None = None
    _table: dict[tuple[str, str], Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        known = set(self.states.values)
        table: dict[tuple[str, str], Transition] = {}
        for step in self.transitions:
            key = (step.source, step.target)
            if not {step.source, step.target} <= known:
                raise ImproperlyConfigured(f"{self.model}: {key} names a state {self.states.__name__} does not have")
            if step.source == step.target:
                raise ImproperlyConfigured(f"{self.model}: {key} is not a move")
            if key in table:
                raise ImproperlyConfigured(f"{self.model}: {key} is declared twice")
            table[key] = step
        object.__setattr__(self, "_table", table)
        WORKFLOWS.append(self)

    # --- the table ------------------------------------------------------------------------

    def find(self, source: str, target: str) -> Transition | None:
        return self._table.get((source, target))

    def moves_from(self, state: str) -> list[Transition]:
        """The declared moves out of `state`, in the order of the states' declaration."""
        return [self._table[(state, s)] for s in self.states.values if (state, s) in self._table]

    def targets(self, state: str) -> list[str]:
        return [step.target for step in self.moves_from(state)]

    def table(self) -> dict[str, frozenset[str]]:
        """state → the states it may move to (every state a key; final states map to nothing)."""
        return {state: frozenset(self.targets(state)) for state in self.states.values}

    def label(self, state: str) -> str:
        """A state's label; an unknown value as given (it is what the caller sent)."""
        return str(self.states(state).label) if state in self.states.values else str(state)

    def move_label(self, step: Transition) -> str:
        return str(step.label) if step.label else self.label(step.target)

    # --- who may ----------------------------------------------------------------------------

    def permits(self, actor: Actor | None, step: Transition) -> bool:
        """Whether the actor's role may take this move (scope aside)."""
        if actor is None or not actor.can(self.action, self.model_class):
            return False
        if step.action is not None and not actor.can(step.action, self.model_class):
            return False
        return step.roles is None or actor.role in step.roles

    def available_transitions(self, actor: Actor | None, obj: models.Model) -> list[Transition]:
        """The moves out of the record's current state that the actor may take on it (its role
        and scope; guards and reasons are checked when the move is taken)."""
        if actor is None or actor.unit is None or not actor.covers_unit(self.unit_of(obj)):
            return []
        return [step for step in self.moves_from(getattr(obj, self.state_field)) if self.permits(actor, step)]

    # --- the models ---------------------------------------------------------------------------

    @cached_property
    def model_class(self) -> type[AuditedModel]:
        model = apps.get_model(self.model)
        if not issubclass(model, AuditedModel):
            # Its save writes the move's audit entry: one per move, with what the hooks changed.
            raise ImproperlyConfigured(f"{self.model} must be an AuditedModel to have a workflow")
        return model

    @cached_property
    def history_class(self) -> type[StateChangeBase]:
        history = apps.get_model(self.history)
        if not issubclass(history, StateChangeBase):
            raise ImproperlyConfigured(f"{self.history} must subclass core.models.StateChangeBase")
        return history

    @cached_property
    def history_link(self) -> str:
        """The history model's one foreign key to the workflow's model."""
        links = [
            f.name
            for f in self.history_class._meta.concrete_fields
            if f.is_relation and f.related_model is self.model_class
        ]
        if len(links) != 1:
            raise ImproperlyConfigured(f"{self.history} needs exactly one foreign key to {self.model}")
        return links[0]

    @cached_property
    def _unit_lookup(self) -> tuple[str, ...]:
        """The relations from a record to its union unit, from its `scope_path_field`
        ("position__unit__path" → ("position", "unit"))."""
        path_field = getattr(self.model_class, "scope_path_field", "")
        parts = tuple(path_field.split("__"))
        if parts[-1] != "path":
            raise ImproperlyConfigured(f"{self.model} needs a scope_path_field ending in 'path'")
        return parts[:-1]

    def unit_of(self, obj: models.Model):
        """The union unit the record belongs to (what scope is checked against)."""
        for name in self._unit_lookup:
            obj = getattr(obj, name)
        return obj

    def problems(self) -> list[str]:
        """What is wrong with the declaration's models (empty when nothing): checked at start-up."""
        try:
            self.model_class._meta.get_field(self.state_field)
            self.history_link  # noqa: B018 (resolves and checks the history model)
            self._unit_lookup  # noqa: B018
        except (ImproperlyConfigured, LookupError, FieldDoesNotExist) as error:
            return [f"workflow of {self.model}: {error}"]
        return []

    def lock(self, pk) -> models.Model:
        """The stored record, its row locked until the transaction ends (PostgreSQL; SQLite's
        transactions hold the write lock from their start), with the relations to its unit."""
        rows = self.model_class._default_manager.select_for_update(of=("self",))
        if self._unit_lookup:
            rows = rows.select_related("__".join(self._unit_lookup))
        obj = rows.filter(pk=pk).first()
        if obj is None:
            raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
        return obj


@transaction.atomic
def transition(*, workflow: Workflow, actor: Actor, obj: models.Model, to: str, reason: str = "", **extra):
    """Move `obj` to the state `to` along `workflow`'s table, as `actor`, with `reason` and the
    workflow's `extra` arguments; returns the record as saved (a fresh, locked instance). Refuses
    with PermissionDeniedError (the role), NotFoundError (outside the actor's scope, or gone) or
    ApplicationError (field "to_state": not in the table; "reason": missing or too long; a guard's
    field), changing nothing. Writes the record, one audit entry and one history row."""
    unknown = extra.keys() - set(workflow.extra)
    if unknown:
        raise TypeError(f"transition() of {workflow.model} got unexpected arguments {sorted(unknown)}")
    require(actor, workflow.action, workflow.model_class)
    obj = workflow.lock(obj.pk)
    require_in_scope(actor, workflow.unit_of(obj))
    source = getattr(obj, workflow.state_field)
    step = workflow.find(source, to)
    if step is None:
        raise ApplicationError(
            TRANSITION_NOT_ALLOWED.format(from_state=workflow.label(source), to_state=workflow.label(to)),
            field="to_state",
        )
    if not workflow.permits(actor, step):
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise ApplicationError(REASON_MISSING.format(to_state=workflow.label(to)), field="reason")
    longest = workflow.history_class._meta.get_field("reason").max_length
    if len(reason) > longest:
        raise ApplicationError(REASON_TOO_LONG.format(max=longest, length=len(reason)), field="reason")
    move = Move(
        workflow=workflow,
        transition=step,
        actor=actor,
        obj=obj,
        reason=reason,
        extra={name: extra.get(name) for name in workflow.extra},
    )
    for guard in (workflow.guard, step.guard):
        refusal = guard(move) if guard is not None else None
        if refusal is not None:
            refusal = refusal if isinstance(refusal, Refusal) else Refusal(refusal)
            raise ApplicationError(str(refusal.message), field=refusal.field)

    setattr(obj, workflow.state_field, to)
    for hook in (workflow.apply, step.apply):
        if hook is not None:
            hook(move)
    obj.save()  # the move's one audit entry (AuditedModel), with every field the hooks changed
    change = workflow.history_class(
        **{workflow.history_link: obj},
        from_state=source,
        to_state=to,
        reason=reason,
        actor=actor.user,
        actor_name=actor.user.get_username(),
        **(workflow.history_fields(move) if workflow.history_fields else {}),
    )
    change.save()
    transaction.on_commit(
        partial(
            state_changed.send,
            sender=workflow.model_class,
            workflow=workflow,
            obj=obj,
            change=change,
            actor=actor,
            from_state=source,
            to_state=to,
            reason=reason,
        ),
        robust=True,
    )
    return obj


@transaction.atomic
def transition_many(
    *, workflow: Workflow, actor: Actor, objs: Iterable[models.Model], to: str, reason: str = "", **extra
) -> int:
    """The same move for many records: all of them or none (the first refusal rolls back every
    move before it). Returns how many moved."""
    count = 0
    for obj in objs:
        transition(workflow=workflow, actor=actor, obj=obj, to=to, reason=reason, **extra)
        count += 1
    return count


@checks.register()
def workflows_check(app_configs, **kwargs):
    """Refuse to start with a workflow whose models do not fit (a missing state field, a history
    model that is not a StateChangeBase or has no single link to the record, no unit to scope by)."""
    return [checks.Error(problem, id="core.E101") for workflow in WORKFLOWS for problem in workflow.problems()]
