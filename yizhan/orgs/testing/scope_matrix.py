"""The data-scope test matrix (issue 2 "Must be tested"), declared once per model.

A model joins the matrix with one `ScopeCase`: how to place a target record at a unit, the probes
that try each action through each channel (API, pages, Django admin), and which (role, action)
pairs are expected to succeed for which unit relations. `matrix_params()` expands every case into
one pytest parameter per role × relation, and `run_row()` tries every channel × action on it, each
in a rolled-back savepoint, and checks each outcome:

- an allowed cell must take effect (visible in the list, detail shown, record created, changed or
  deleted, row present in the export);
- a denied cell must not, and on a unit outside the actor's scope (sibling, parent) a direct
  request must answer 404 (never 400 or 200) when the role may take that action elsewhere, so
  nobody learns the record exists; a role that may never take it may get 403.

The expectations are written out by hand in each case, independently of `roles.PERMISSIONS`, so a
wrong permission table fails the matrix instead of being copied into it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client

from yizhan.core.roles import Action, Role
from yizhan.orgs.choices import ALLOWED_CHILD_TYPES, FEDERATION_TYPES, UnitType
from yizhan.orgs.models import Unit, User
from yizhan.orgs.tests.factories import MembershipFactory

RELATIONS = ("own", "child", "sibling", "parent")
OUTSIDE = frozenset({"sibling", "parent"})
DIRECT_ACTIONS = frozenset({"detail", "history", "create", "update", "reveal", "delete", "operate"})
DIRECT_CHANNELS = frozenset({"api", "page"})
# The permission (roles.Action) each probe action exercises: a probe's action must be one of these,
# so the guard in test_scope_matrix can tell which permitted actions no probe tries.
PROBE_ACTIONS: dict[str, str] = {
    "list": Action.VIEW,
    "detail": Action.VIEW,
    "history": Action.VIEW,
    "create": Action.CREATE,
    "update": Action.UPDATE,
    "reveal": Action.UPDATE,
    "delete": Action.DELETE,
    "export": Action.EXPORT,
    "operate": Action.OPERATE,
}

# Where each role naturally sits: (parent type, own type, sibling type, child type).
ROLE_PLACES: dict[str, tuple[str, str, str, str]] = {
    Role.FEDERATION_ADMIN: (
        UnitType.PROVINCIAL_FEDERATION,
        UnitType.CITY_FEDERATION,
        UnitType.CITY_FEDERATION,
        UnitType.DISTRICT,
    ),
    Role.UNIT_ADMIN: (UnitType.CITY_FEDERATION, UnitType.DISTRICT, UnitType.DISTRICT, UnitType.STREET),
    Role.STATION_MANAGER: (UnitType.CITY_FEDERATION, UnitType.DISTRICT, UnitType.DISTRICT, UnitType.STREET),
    Role.REVIEWER: (UnitType.CITY_FEDERATION, UnitType.DISTRICT, UnitType.DISTRICT, UnitType.STREET),
    Role.SOCIAL_ORG: (UnitType.CITY_FEDERATION, UnitType.DISTRICT, UnitType.DISTRICT, UnitType.STREET),
    Role.AUDITOR: (
        UnitType.PROVINCIAL_FEDERATION,
        UnitType.CITY_FEDERATION,
        UnitType.CITY_FEDERATION,
        UnitType.DISTRICT,
    ),
    Role.SECURITY_ADMIN: (
        UnitType.PROVINCIAL_FEDERATION,
        UnitType.CITY_FEDERATION,
        UnitType.CITY_FEDERATION,
        UnitType.DISTRICT,
    ),
    Role.SYSTEM_ADMIN: (
        UnitType.PROVINCIAL_FEDERATION,
        UnitType.CITY_FEDERATION,
        UnitType.CITY_FEDERATION,
        UnitType.DISTRICT,
    ),
}


@dataclass
class World:
    """An actor at unit `own`, with a parent, a sibling and a (leaf) child unit around it."""

    role: str
    user: User
    client: Client
    units: dict[str, Unit]
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"


def build_world(role: str, make_unit) -> World:
    parent_type, own_type, sibling_type, child_type = ROLE_PLACES[role]
    top = None
    if parent_type not in FEDERATION_TYPES:
        top = make_unit(UnitType.CITY_FEDERATION)
    parent = make_unit(parent_type, top)
    own = make_unit(own_type, parent)
    sibling = make_unit(sibling_type, parent)
    child = make_unit(child_type, own)
    user = MembershipFactory(user__username=f"actor-{role}", unit=own, role=role).user
    client = Client()
    client.force_login(user)
    units = {"own": own, "child": child, "sibling": sibling, "parent": parent}
    return World(role=role, user=user, client=client, units=units)


def child_type_for(unit: Unit) -> str:
    """A unit type that may sit below `unit`, so that creation is refused only by scope or role."""
    return sorted(ALLOWED_CHILD_TYPES[unit.type])[0]


@dataclass(frozen=True)
class Outcome:
    took_effect: bool
    status: int


def page_status(response, *not_found_messages) -> int:
    """The status of a page answer, where a form that names its object by a choice or a key (a unit
    from a list of the units in scope, a username, a submitter's phone) answers 200 with one of
    `not_found_messages` — the same words as for an object that does not exist, which is the page's
    way of saying "not found" — counted as 404."""
    if response.status_code == 200 and any(str(m) in response.content.decode() for m in not_found_messages):
        return 404
    return response.status_code


# A probe tries one action through one channel on the target placed at a relation.
Probe = Callable[[World, object, str], Outcome]


@dataclass(frozen=True)
class ScopeCase:
    model: str
    make_target: Callable[[World, str], object]
    probes: dict[tuple[str, str], Probe]  # (channel, action) → probe
    expected: dict[str, dict[str, frozenset[str]]]  # role → action → relations where it succeeds

    def allowed(self, role: str, action: str, relation: str) -> bool:
        return relation in self.expected.get(role, {}).get(action, frozenset())


def matrix_params(case: ScopeCase) -> list:
    """One pytest parameter per role × unit relation; each runs every (channel, action) probe."""
    return [
        pytest.param(case, role.value, relation, id=f"{case.model}-{role.value}-{relation}")
        for role in Role
        for relation in RELATIONS
    ]


def check_cell(case: ScopeCase, role: str, relation: str, channel: str, action: str, outcome: Outcome) -> list[str]:
    """What is wrong with one cell's outcome (empty when it is as expected)."""
    problems = []
    expected = case.allowed(role, action, relation)
    if outcome.took_effect != expected:
        verdict = "allowed" if expected else "denied"
        problems.append(f"{channel} {action} on {relation}: should be {verdict}, got status {outcome.status}")
    if relation in OUTSIDE and action in DIRECT_ACTIONS and channel in DIRECT_CHANNELS:
        # A role that may do this somewhere must not learn that the outside record exists: 404.
        # A role that may never do it is refused as a role (403), which tells nothing about the record.
        may_somewhere = any(case.allowed(role, action, r) for r in RELATIONS)
        hidden = {404} if may_somewhere else {403, 404}
        if outcome.status not in hidden:
            problems.append(f"{channel} {action} on {relation}: must answer {sorted(hidden)}, got {outcome.status}")
    return problems


def run_row(case: ScopeCase, role: str, relation: str, make_unit) -> None:
    """Build the world once, then try every probe inside a savepoint that is rolled back, so each
    cell starts from the same state; report every wrong cell of the row together."""
    world = build_world(role, make_unit)
    target = case.make_target(world, relation)
    problems = []
    for (channel, action), probe in case.probes.items():
        with transaction.atomic():
            outcome = probe(world, target, relation)
            transaction.set_rollback(True)
        problems += check_cell(case, role, relation, channel, action, outcome)
    assert not problems, f"{case.model} as {role}:\n" + "\n".join(problems)
