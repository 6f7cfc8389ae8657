"""position_transition / positions_transition: the lifecycle of spec §2 (planned → building →
operating ⇄ suspended → delisted, kept forever), its history rows, audit and scope."""

import itertools
from datetime import date

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.positions import services
from yizhan.positions.choices import STATE_TRANSITIONS, PositionState
from yizhan.positions.models import Position, PositionStateChange

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(itertools.product(PositionState.values, repeat=2))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in STATE_TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in ALL_PAIRS if b not in STATE_TRANSITIONS[a]]


def _refusal(from_state: str, to_state: str) -> str:
    return services.TRANSITION_NOT_ALLOWED.format(
        from_state=PositionState(from_state).label, to_state=PositionState(to_state).label
    )


def _updates(position: Position):
    return AuditEntry.objects.filter(
        object_type="positions.position", object_id=str(position.pk), action=AuditAction.UPDATE
    ).order_by("seq")


def test_the_table_is_the_lifecycle_of_the_spec():
    assert sorted(ALLOWED) == sorted(
        [
            ("planned", "building"),
            ("planned", "delisted"),
            ("building", "operating"),
            ("building", "delisted"),
            ("operating", "suspended"),
            ("operating", "delisted"),
            ("suspended", "operating"),
            ("suspended", "delisted"),
        ]
    )
    assert len(REFUSED) == 25 - 8


@pytest.mark.parametrize(("from_state", "to_state"), ALLOWED)
def test_every_allowed_move_succeeds_with_one_history_row_and_one_audit_entry(
    make_position, zs_admin, from_state, to_state
):
    position = make_position(actor=zs_admin, state=from_state)
    rows_before = PositionStateChange.objects.filter(position=position).count()
    audits_before = _updates(position).count()

    moved = services.position_transition(
        actor=zs_admin, position=position, to_state=to_state, reason="测试原因", effective_on=date(2026, 5, 4)
    )

    assert moved.state == to_state
    assert Position.objects.get(pk=position.pk).state == to_state
    rows = PositionStateChange.objects.filter(position=position)
    assert rows.count() == rows_before + 1
    change = rows.last()
    assert (change.from_state, change.to_state, change.actor_name, change.reason, change.effective_on) == (
        from_state,
        to_state,
        zs_admin.user.username,
        "测试原因",
        date(2026, 5, 4),
    )
    assert change.actor == zs_admin.user
    assert _updates(position).count() == audits_before + 1
    entry = _updates(position).last()
    assert (entry.before["state"], entry.after["state"]) == (from_state, to_state)
    assert entry.unit_path == position.unit.path


@pytest.mark.parametrize(("from_state", "to_state"), REFUSED)
def test_every_other_move_is_refused_and_changes_nothing(make_position, zs_admin, from_state, to_state):
    position = make_position(actor=zs_admin, state=from_state)
    rows_before = PositionStateChange.objects.filter(position=position).count()
    audits_before = _updates(position).count()

    with pytest.raises(ApplicationError) as error:
        services.position_transition(actor=zs_admin, position=position, to_state=to_state, reason="测试原因")

    assert error.value.message == _refusal(from_state, to_state)
    assert error.value.field == "to_state"
    assert Position.objects.get(pk=position.pk).state == from_state
    assert PositionStateChange.objects.filter(position=position).count() == rows_before
    assert _updates(position).count() == audits_before


def test_an_unknown_state_is_refused_by_name(make_position, zs_admin):
    position = make_position(actor=zs_admin)
    with pytest.raises(ApplicationError) as error:
        services.position_transition(actor=zs_admin, position=position, to_state="closed")
    assert error.value.message == services.TRANSITION_NOT_ALLOWED.format(from_state="规划中", to_state="closed")


@pytest.mark.parametrize(
    ("from_state", "to_state"), [("operating", "suspended"), ("operating", "delisted"), ("planned", "delisted")]
)
@pytest.mark.parametrize("reason", ["", "   "])
def test_suspending_and_delisting_need_a_reason(make_position, zs_admin, from_state, to_state, reason):
    position = make_position(actor=zs_admin, state=from_state)
    with pytest.raises(ApplicationError) as error:
        services.position_transition(actor=zs_admin, position=position, to_state=to_state, reason=reason)
    assert error.value.message == services.REASON_MISSING.format(to_state=PositionState(to_state).label)
    assert error.value.field == "reason"
    assert Position.objects.get(pk=position.pk).state == from_state


def test_other_moves_need_no_reason(make_position, zs_admin):
    position = make_position(actor=zs_admin)
    for to_state in ("building", "operating"):
        position = services.position_transition(actor=zs_admin, position=position, to_state=to_state)
    assert position.state == PositionState.OPERATING and position.state_reason == ""


def test_expected_reopening_is_kept_when_suspending_and_cleared_on_reopening(make_position, zs_admin):
    position = make_position(actor=zs_admin, state=PositionState.OPERATING)
    suspended = services.position_transition(
        actor=zs_admin, position=position, to_state="suspended", reason="管道维修", expected_reopen_on=date(2026, 7, 1)
    )
    assert (suspended.state_reason, suspended.expected_reopen_on) == ("管道维修", date(2026, 7, 1))
    change = PositionStateChange.objects.filter(position=position).last()
    assert change.expected_reopen_on == date(2026, 7, 1)

    reopened = services.position_transition(actor=zs_admin, position=position, to_state="operating")
    assert (reopened.state_reason, reopened.expected_reopen_on) == ("", None)
    entry = _updates(position).last()
    assert entry.before["expected_reopen_on"] == "2026-07-01" and entry.after["expected_reopen_on"] is None


@pytest.mark.parametrize(
    ("from_state", "to_state"), [("operating", "delisted"), ("building", "operating"), ("suspended", "operating")]
)
def test_expected_reopening_only_when_suspending(make_position, zs_admin, from_state, to_state):
    position = make_position(actor=zs_admin, state=from_state)
    with pytest.raises(ApplicationError) as error:
        services.position_transition(
            actor=zs_admin, position=position, to_state=to_state, reason="原因", expected_reopen_on=date(2026, 7, 1)
        )
    assert error.value.message == str(services.REOPEN_ONLY_WHEN_SUSPENDED)
    assert error.value.field == "expected_reopen_on"
    assert Position.objects.get(pk=position.pk).state == from_state


def test_opened_on_is_set_on_the_first_opening_only(make_position, zs_admin):
    position = make_position(actor=zs_admin, state=PositionState.BUILDING)
    assert position.opened_on is None
    opened = services.position_transition(
        actor=zs_admin, position=position, to_state="operating", effective_on=date(2026, 3, 1)
    )
    assert opened.opened_on == date(2026, 3, 1)
    assert _updates(position).last().after == {"opened_on": "2026-03-01", "state": "operating"}
    services.position_transition(actor=zs_admin, position=position, to_state="suspended", reason="装修")
    reopened = services.position_transition(
        actor=zs_admin, position=position, to_state="operating", effective_on=date(2026, 9, 1)
    )
    assert Position.objects.get(pk=position.pk).opened_on == reopened.opened_on == date(2026, 3, 1)


def test_opened_on_defaults_to_today(make_position, zs_admin):
    position = make_position(actor=zs_admin, state=PositionState.BUILDING)
    opened = services.position_transition(actor=zs_admin, position=position, to_state="operating")
    assert opened.opened_on == timezone.localdate()
    assert PositionStateChange.objects.filter(position=position).last().effective_on == timezone.localdate()


def test_a_delisted_position_is_kept_forever(make_position, zs_admin):
    position = make_position(actor=zs_admin, state=PositionState.OPERATING)
    services.position_transition(actor=zs_admin, position=position, to_state="delisted", reason="场地收回")
    for to_state in PositionState.values:
        with pytest.raises(ApplicationError) as error:
            services.position_transition(actor=zs_admin, position=position, to_state=to_state, reason="恢复")
        assert error.value.message == _refusal("delisted", to_state)
    kept = Position.objects.get(pk=position.pk)
    assert (kept.state, kept.state_reason) == ("delisted", "场地收回")
    assert list(PositionStateChange.objects.filter(position=position).values_list("from_state", "to_state")) == [
        ("", "operating"),
        ("operating", "delisted"),
    ]
    # No service deletes a position, and its history protects the row in the database.
    assert not [name for name in dir(services) if "delete" in name.lower()]
    with pytest.raises(ProtectedError):
        kept.delete()
    assert Position.objects.filter(pk=position.pk).exists()
    assert not AuditEntry.objects.filter(object_type="positions.position", action=AuditAction.DELETE).exists()


def test_station_managers_run_their_own_units_positions_but_do_not_edit_them(make_position, make_actor, dalian_map):
    position = make_position(state=PositionState.OPERATING)
    manager = make_actor(Role.STATION_MANAGER, dalian_map["zs"])
    suspended = services.position_transition(actor=manager, position=position, to_state="suspended", reason="停水")
    assert suspended.state == PositionState.SUSPENDED
    assert PositionStateChange.objects.filter(position=position).last().actor_name == manager.user.username
    with pytest.raises(PermissionDeniedError):
        services.position_update(actor=manager, position=position, manager_name="张三")
    assert Position.objects.get(pk=position.pk).manager_name == ""


@pytest.mark.parametrize(
    ("role", "unit"),
    [
        (Role.UNIT_ADMIN, "xg"),
        (Role.STATION_MANAGER, "xg"),
        # A station manager's reach is its own unit: the city's does not reach a district's station.
        (Role.STATION_MANAGER, "city"),
    ],
)
def test_an_actor_out_of_scope_does_not_find_the_position(make_position, make_actor, dalian_map, role, unit):
    position = make_position(state=PositionState.OPERATING)
    actor = make_actor(role, dalian_map[unit])
    with pytest.raises(NotFoundError):
        services.position_transition(actor=actor, position=position, to_state="suspended", reason="停水")
    assert Position.objects.get(pk=position.pk).state == PositionState.OPERATING
    assert PositionStateChange.objects.filter(position=position).count() == 1


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.AUDITOR, Role.SYSTEM_ADMIN])
def test_roles_that_only_look_may_not_move_a_position(make_position, make_actor, dalian_map, role):
    position = make_position(state=PositionState.OPERATING)
    with pytest.raises(PermissionDeniedError):
        services.position_transition(
            actor=make_actor(role, dalian_map["zs"]), position=position, to_state="suspended", reason="停水"
        )
    assert Position.objects.get(pk=position.pk).state == PositionState.OPERATING


def test_the_city_federation_moves_positions_below_it(make_position, make_actor, dalian_map):
    position = make_position(state=PositionState.BUILDING)
    city_admin = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    assert services.position_transition(actor=city_admin, position=position, to_state="operating").state == "operating"


def test_bulk_transition_moves_all(make_position, zs_admin):
    positions = [make_position(actor=zs_admin, state=PositionState.OPERATING) for _ in range(3)]
    changed = services.positions_transition(actor=zs_admin, positions=positions, to_state="suspended", reason="台风")
    assert changed == 3
    assert set(Position.objects.values_list("state", "state_reason")) == {("suspended", "台风")}
    assert PositionStateChange.objects.filter(to_state="suspended").count() == 3


def test_bulk_transition_is_all_or_nothing(make_position, zs_admin):
    first = make_position(actor=zs_admin, state=PositionState.OPERATING)
    planned = make_position(actor=zs_admin)
    last = make_position(actor=zs_admin, state=PositionState.OPERATING)
    rows_before = PositionStateChange.objects.count()
    audits_before = AuditEntry.objects.count()

    with pytest.raises(ApplicationError) as error:
        services.positions_transition(
            actor=zs_admin, positions=[first, planned, last], to_state="suspended", reason="台风"
        )

    assert error.value.message == _refusal("planned", "suspended")
    assert dict(Position.objects.values_list("pk", "state")) == {
        first.pk: "operating",
        planned.pk: "planned",
        last.pk: "operating",
    }
    assert PositionStateChange.objects.count() == rows_before
    assert AuditEntry.objects.count() == audits_before


def test_bulk_transition_with_one_position_out_of_scope_changes_none(make_position, make_actor, dalian_map, zs_admin):
    own = make_position(actor=zs_admin, state=PositionState.OPERATING)
    xg_actor = make_actor(Role.UNIT_ADMIN, dalian_map["xg"])
    other = make_position(
        actor=xg_actor, unit=dalian_map["xg"], state=PositionState.OPERATING, lng=121.6126, lat=38.9146
    )
    with pytest.raises(NotFoundError):
        services.positions_transition(actor=zs_admin, positions=[own, other], to_state="suspended", reason="台风")
    assert set(Position.objects.values_list("state", flat=True)) == {"operating"}
