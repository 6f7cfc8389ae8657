"""ledger_day_save (issue 15 §1): a day entered, corrected with its version (earlier figures kept
in a revision and the audit log), refused in the future, before opening, for a position not
serving, with negative or wrong counts (every problem at once), out of scope (404), by a role that
keeps no ledger (403); a second first entry of the same day is a conflict, never an overwrite."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from yizhan.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.ledger import services
from yizhan.ledger.models import DailyLedger, DailyLedgerRevision
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import XIGANG

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(dalian_map, make_actor):
    """The station manager of 中山区总工会 (the station fixture's unit)."""
    return make_actor(Role.STATION_MANAGER, dalian_map["zs"])


def _save(actor, position, day=None, **kwargs):
    kwargs.setdefault("figures", {"visits_delivery": 12, "visits_sanitation": "8", "ability_drink": 15})
    return services.ledger_day_save(actor=actor, position=position, day=day or timezone.localdate(), **kwargs)


def _entries(ledger: DailyLedger, action: str):
    return AuditEntry.objects.filter(object_type="ledger.dailyledger", object_id=str(ledger.pk), action=action)


def test_a_first_entry_is_created_with_its_totals_and_one_audit_entry(manager, station):
    saved = _save(manager, station, own_items={})
    assert saved.outcome == services.LedgerOutcome.CREATED
    ledger = DailyLedger.objects.get()
    assert (ledger.visits_delivery, ledger.visits_sanitation, ledger.ability_drink) == (12, 8, 15)
    assert ledger.visits_total == 20
    assert ledger.services_total == 15
    assert ledger.version == 1
    assert ledger.entered_by_name == manager.user.get_username()
    assert _entries(ledger, AuditAction.CREATE).count() == 1


def test_a_late_entry_is_allowed_and_a_future_day_never(manager, station):
    today = timezone.localdate()
    assert _save(manager, station, day=today - timedelta(days=40)).outcome == services.LedgerOutcome.CREATED
    with pytest.raises(ApplicationError) as refused:
        _save(manager, station, day=today + timedelta(days=1))
    assert refused.value.field == "day"
    assert refused.value.message == services.LEDGER_DAY_FUTURE.format(day=(today + timedelta(days=1)).isoformat())
    assert DailyLedger.objects.count() == 1


def test_a_day_before_the_position_opened_is_refused(manager, make_position):
    position = make_position(state=PositionState.OPERATING, opened_on=date(2026, 3, 1))
    with pytest.raises(ApplicationError) as refused:
        _save(manager, position, day=date(2026, 2, 28))
    assert refused.value.field == "day"


@pytest.mark.parametrize("state", [PositionState.PLANNED, PositionState.BUILDING])
def test_a_position_not_serving_yet_keeps_no_ledger(manager, make_position, state):
    position = make_position(state=state)
    with pytest.raises(ApplicationError) as refused:
        _save(manager, position)
    assert refused.value.field == "position"


def test_every_bad_count_is_named_at_once(manager, station):
    with pytest.raises(ApplicationError) as refused:
        _save(manager, station, figures={"visits_delivery": -3, "visits_taxi": "abc", "ability_rest": 100_001})
    problems = {p["field"]: p["message"] for p in refused.value.extra["problems"]}
    assert problems == {
        "visits_delivery": services.LEDGER_COUNT_NEGATIVE.format(label="外卖送餐员"),
        "visits_taxi": services.LEDGER_COUNT_INVALID.format(label="出租车司机"),
        "ability_rest": services.LEDGER_COUNT_TOO_LARGE.format(label="累了能歇脚", max=100_000),
    }
    assert not DailyLedger.objects.exists()


def test_an_unknown_figure_and_an_own_item_the_position_does_not_offer_are_refused(manager, station):
    with pytest.raises(ApplicationError) as refused:
        _save(manager, station, figures={"visits_aliens": 1}, own_items={"理发": 2})
    fields = [p["field"] for p in refused.value.extra["problems"]]
    assert fields == ["figures", "own_items"]


def test_own_items_of_the_position_count_in_the_services_total(manager, make_position):
    position = make_position(state=PositionState.OPERATING, own_services=["理发", "法律讲座"])
    _save(manager, position, figures={"ability_rest": 4}, own_items={"理发": "3", "法律讲座": 0})
    ledger = DailyLedger.objects.get()
    assert ledger.own_items == {"理发": 3}
    assert ledger.services_total == 7


def test_a_correction_with_the_version_read_keeps_the_earlier_figures(manager, station):
    first = _save(manager, station).ledger
    saved = _save(manager, station, figures={"visits_delivery": 13}, expected_version=1, reason="少记一位骑手")
    assert saved.outcome == services.LedgerOutcome.CORRECTED
    ledger = DailyLedger.objects.get()
    assert (ledger.visits_delivery, ledger.visits_sanitation, ledger.version, ledger.visits_total) == (13, 0, 2, 13)
    revision = DailyLedgerRevision.objects.get()
    assert revision.version == 1
    assert revision.figures["visits_delivery"] == 12 and revision.figures["visits_sanitation"] == 8
    assert revision.reason == "少记一位骑手"
    update = _entries(first, AuditAction.UPDATE).get()
    assert update.before["visits_delivery"] == 12 and update.after["visits_delivery"] == 13


def test_the_same_figures_again_change_nothing(manager, station):
    _save(manager, station)
    assert _save(manager, station, expected_version=1).outcome == services.LedgerOutcome.UNCHANGED
    assert DailyLedger.objects.get().version == 1
    assert not DailyLedgerRevision.objects.exists()


def test_entering_a_day_someone_entered_meanwhile_is_a_conflict_that_keeps_their_figures(manager, station, zs_admin):
    _save(zs_admin, station, figures={"visits_delivery": 30})
    with pytest.raises(ConflictError) as conflict:
        _save(manager, station, figures={"visits_delivery": 31})  # thought it was not entered yet
    assert conflict.value.extra["version"] == 1
    assert zs_admin.user.get_username() in conflict.value.message
    with pytest.raises(ConflictError):
        _save(manager, station, figures={"visits_delivery": 31}, expected_version=7)  # an older read
    assert DailyLedger.objects.get().visits_delivery == 30
    assert not DailyLedgerRevision.objects.exists()


def test_outside_the_scope_is_not_found_and_a_role_without_ledgers_is_refused(
    dalian_map, make_actor, make_position, station
):
    xg_station = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1], state=PositionState.OPERATING)
    with pytest.raises(NotFoundError):
        _save(make_actor(Role.STATION_MANAGER, dalian_map["zs"]), xg_station)
    with pytest.raises(NotFoundError):
        _save(make_actor(Role.UNIT_ADMIN, dalian_map["xg"]), station)
    with pytest.raises(PermissionDeniedError):
        _save(make_actor(Role.REVIEWER, dalian_map["zs"]), station)
    assert _save(make_actor(Role.FEDERATION_ADMIN, dalian_map["city"]), station).outcome == "created"
