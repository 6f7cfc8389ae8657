"""Results change as soon as a position's state or hours change (issue 4 §1), whoever writes (issue 12
§1): the index follows the database's change feed, never a writer's call. These tests run inside
the test's transaction, where the index also holds the transaction's own writes; the same writes
from other processes and through a live server are in test_freshness_live.py."""

from datetime import datetime

import pytest
from django.db import connection, transaction

from yizhan.core.geo.crs import CRS
from yizhan.core.hours import SHANGHAI
from yizhan.finder import index, selectors
from yizhan.finder.tests.conftest import CENTRE
from yizhan.positions import services
from yizhan.positions.choices import PositionState
from yizhan.positions.models import Position
from yizhan.positions.tests.factories import HoursExceptionFactory, PositionFactory

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)


def _ids(**kwargs) -> list[int]:
    query = {"lng": CENTRE[0], "lat": CENTRE[1], "crs": CRS.GCJ02, "radius_m": 5000, "limit": 10, **kwargs}
    return [r.position_id for r in selectors.nearby(**query)]


@pytest.fixture
def station(make_position):
    return make_position(state=PositionState.OPERATING, always_open=True)


def test_suspending_and_reopening_changes_results_at_once(station, zs_admin):
    assert _ids(open_now=True, at=NOON) == [station.pk]
    services.position_transition(actor=zs_admin, position=station, to_state=PositionState.SUSPENDED, reason="停水")
    assert _ids(open_now=True, at=NOON) == []
    assert _ids(filters=index.Filters(include_suspended=False)) == []
    [result] = selectors.nearby(lng=CENTRE[0], lat=CENTRE[1], crs=CRS.GCJ02)
    assert result.record.fields()["state"] == PositionState.SUSPENDED
    assert result.record.fields()["state_reason"] == "停水"
    services.position_transition(actor=zs_admin, position=station, to_state=PositionState.OPERATING)
    assert _ids(open_now=True, at=NOON) == [station.pk]


def test_delisting_removes_the_position(station, zs_admin):
    services.position_transition(actor=zs_admin, position=station, to_state=PositionState.DELISTED, reason="摘牌")
    assert _ids() == []


def test_a_closure_exception_and_its_removal_change_open_now_at_once(station):
    closure = HoursExceptionFactory(position=station, day=NOON.date(), reason="停电检修")
    assert _ids(open_now=True, at=NOON) == []
    assert _ids(at=NOON) == [station.pk]  # still listed, only not open
    closure.delete()
    assert _ids(open_now=True, at=NOON) == [station.pk]


def test_changed_weekly_hours_change_open_now_at_once(station, zs_admin):
    services.position_update(
        actor=zs_admin, position=station, always_open=False, weekly_hours={"wed": [["04:00", "10:00"]]}
    )
    assert _ids(open_now=True, at=NOON) == []  # 2026-11-25 is a Wednesday
    assert _ids(open_now=True, at=NOON.replace(hour=9)) == [station.pk]


def test_moving_a_position_moves_it_in_the_results(station, zs_admin):
    services.position_update(
        actor=zs_admin, position=station, lng=CENTRE[0] - 0.1, lat=CENTRE[1], area_override_reason="临时迁址"
    )
    assert _ids() == []
    assert _ids(radius_m=50_000) == [station.pk]


def test_bulk_writes_reach_the_index_without_being_told(dalian_map):
    """bulk_create and QuerySet.update send no signal and call nothing: the database's triggers
    record them (before issue 12 the first assertion saw nothing until `positions_changed()`)."""
    assert _ids() == []  # the index is built (empty)
    [position] = Position.objects.bulk_create(
        [PositionFactory.build(unit=dalian_map["zs"], lng=CENTRE[0], lat=CENTRE[1], state=PositionState.OPERATING)]
    )
    assert _ids() == [position.pk]
    Position.objects.filter(pk=position.pk).update(state=PositionState.DELISTED)
    assert _ids() == []


def test_raw_sql_reaches_the_index(station):
    assert _ids() == [station.pk]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE positions_position SET state = %s WHERE id = %s", [PositionState.DELISTED, station.pk])
    assert _ids() == []
    with connection.cursor() as cursor:
        cursor.execute("UPDATE positions_position SET state = %s WHERE id = %s", [PositionState.OPERATING, station.pk])
        cursor.execute(
            'INSERT INTO positions_hoursexception (position_id, start, "end", closed, intervals, reason)'
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [station.pk, NOON.date(), NOON.date(), True, "[]", "停电"],
        )
    assert _ids(at=NOON) == [station.pk]
    assert _ids(open_now=True, at=NOON) == []


def test_a_rolled_back_write_leaves_no_trace(station, zs_admin):
    """A savepoint rolled back takes its changes with it: the next query starts over from what
    the database holds, never from an index that saw the undone write."""
    assert _ids() == [station.pk]
    with pytest.raises(RuntimeError), transaction.atomic():
        services.position_transition(actor=zs_admin, position=station, to_state=PositionState.DELISTED, reason="撤")
        assert _ids() == []
        raise RuntimeError("roll back")
    assert _ids() == [station.pk]


def test_a_process_that_missed_changes_rebuilds(station):
    """Changes the feed no longer holds (pruned) mean a full rebuild, never a stale index."""
    first = index.current_index()
    Position.objects.filter(pk=station.pk).update(state=PositionState.DELISTED)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_change")
    with connection.cursor() as cursor:  # one later change, so the feed has moved past the mark
        cursor.execute("UPDATE positions_position SET short_name = short_name WHERE id = %s", [station.pk])
    rebuilt = index.current_index()
    assert rebuilt is not first and len(rebuilt) == 0


def test_a_patch_in_place_keeps_the_tree(station, make_position):
    other = make_position(state=PositionState.OPERATING, lng=CENTRE[0] + 0.001, lat=CENTRE[1])
    first = index.current_index()
    Position.objects.filter(pk=other.pk).update(facilities=["wifi"])
    patched = index.current_index()
    assert patched.main.tree is first.main.tree and len(patched.overlay) == 0
    assert _ids(filters=index.Filters(facilities=("wifi",))) == [other.pk]


def test_an_unchanged_version_reuses_the_index(station):
    assert index.current_index() is index.current_index()


def test_now_is_the_default_moment(station):
    assert _ids(open_now=True) == [station.pk]
    HoursExceptionFactory(position=station, reason="休息")
    assert _ids(open_now=True) == []


def test_the_national_demo_load_reaches_the_index(db):
    from yizhan.core.audit import audit_context
    from yizhan.positions.demo import load_national

    assert index.current_index() is not None  # built before the load
    with audit_context(actor_name="test"):
        load_national(40)
    public = Position.objects.public().order_by("pk").first()
    hits = index.nearest(public.lng, public.lat, radius_m=1, limit=1)
    assert hits[0][1] == 0.0


def test_rows_are_read_once_per_version_and_again_after_a_change(station, zs_admin, django_assert_num_queries):
    from yizhan.positions.rules import position_opening

    selectors.nearby(lng=CENTRE[0], lat=CENTRE[1], crs=CRS.GCJ02, at=NOON)
    with django_assert_num_queries(0):
        [again] = selectors.nearby(lng=CENTRE[0], lat=CENTRE[1], crs=CRS.GCJ02, at=NOON)
    assert again.opening == position_opening(Position.objects.get(pk=station.pk), NOON)
    services.position_update(actor=zs_admin, position=station, short_name="新简称")
    [changed] = selectors.nearby(lng=CENTRE[0], lat=CENTRE[1], crs=CRS.GCJ02, at=NOON)
    assert changed.record.fields()["short_name"] == "新简称"


def test_opening_from_the_index_matches_the_stored_rows_for_every_schedule(make_position):
    """Closing and opening times too, with an overnight span, a closure and a changed day."""
    from datetime import timedelta

    from yizhan.positions.rules import position_opening

    made = [
        make_position(state=PositionState.OPERATING, always_open=True),
        make_position(
            state=PositionState.OPERATING, weekly_hours={"wed": [["22:00", "06:00"]], "thu": [["08:00", "12:00"]]}
        ),
        make_position(state=PositionState.OPERATING, weekly_hours={d: [["06:00", "20:00"]] for d in ("wed", "thu")}),
    ]
    HoursExceptionFactory(position=made[2], day=NOON.date(), reason="检修")
    HoursExceptionFactory(
        position=made[1],
        day=NOON.date() + timedelta(days=1),
        closed=False,
        intervals=[["10:00", "11:00"]],
        reason="调整",
    )
    held = index.current_index()
    for hours_ahead in range(0, 48, 3):
        at = NOON + timedelta(hours=hours_ahead)
        for position in Position.objects.filter(pk__in=[p.pk for p in made]).prefetch_related("hours_exceptions"):
            assert held.opening(position.pk, at) == position_opening(position, at), (position.code, at)


def test_the_memo_keeps_the_most_recently_shown_positions(make_position, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(selectors, "RECORD_MEMO_MAX", 2)
    a, b, c = (make_position(state=PositionState.OPERATING, always_open=True) for _ in range(3))
    held = index.current_index()
    selectors.public_records(held, [a.pk, b.pk])
    selectors.public_records(held, [a.pk])  # a shown again: b is now the least recent
    selectors.public_records(held, [c.pk])  # c enters, b leaves
    with django_assert_num_queries(0):
        assert set(selectors.public_records(held, [a.pk, c.pk])) == {a.pk, c.pk}
    with django_assert_num_queries(1):
        assert set(selectors.public_records(held, [b.pk])) == {b.pk}


def test_a_change_keeps_the_records_of_the_other_positions(make_position, zs_admin, django_assert_num_queries):
    """A patched index version re-reads only the records of the positions that changed."""
    a, b = (make_position(state=PositionState.OPERATING, always_open=True) for _ in range(2))
    selectors.public_records(index.current_index(), [a.pk, b.pk])
    services.position_update(actor=zs_admin, position=a, short_name="改过的简称")
    held = index.current_index()
    with django_assert_num_queries(0):
        assert set(selectors.public_records(held, [b.pk])) == {b.pk}
    with django_assert_num_queries(1):
        assert selectors.public_records(held, [a.pk])[a.pk].fields()["short_name"] == "改过的简称"


def test_opening_is_shared_within_a_minute_and_right_at_every_second(make_position):
    """The index works out an opening once per hours and minute: asked again at another second of
    the same minute it must still be exact, next to a span that starts or ends at the minute."""
    from datetime import timedelta

    from yizhan.positions.rules import position_opening

    made = [
        make_position(state=PositionState.OPERATING, weekly_hours={"wed": [["08:00", "12:01"]]}),
        make_position(state=PositionState.OPERATING, weekly_hours={"wed": [["12:01", "13:00"]]}),
        make_position(state=PositionState.OPERATING, weekly_hours={"wed": [["12:00", "12:01"], ["12:02", "14:00"]]}),
    ]
    held = index.current_index()
    for second in (0, 1, 30, 59, 60, 61, 119, 120):
        at = NOON + timedelta(seconds=second)
        for position in Position.objects.filter(pk__in=[p.pk for p in made]).prefetch_related("hours_exceptions"):
            assert held.opening(position.pk, at) == position_opening(position, at), (position.code, at)


def test_a_truncate_starts_over(station):
    """TRUNCATE (PostgreSQL; SQLite has none, its DELETE fires the row triggers) records every
    position as changed: the index is rebuilt, never patched."""
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    HoursExceptionFactory(position=station, day=NOON.date(), reason="检修")
    first = index.current_index()
    assert _ids(open_now=True, at=NOON) == []
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred foreign key check pending
        cursor.execute("TRUNCATE positions_hoursexception")
    assert _ids(open_now=True, at=NOON) == [station.pk]
    assert index.current_index().main.tree is not first.main.tree


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transactions_own_writes_stay_with_it_until_it_commits(station, zs_admin):
    """The writing thread sees its write at once; another thread of the process (another
    connection) sees it only once committed, and never an index built from uncommitted rows."""
    if connection.vendor != "postgresql":
        pytest.skip("a second connection writing beside the first needs PostgreSQL")
    import threading

    from django.db import connections

    assert _ids() == [station.pk]
    seen_inside: list[list[int]] = []
    wrote, may_commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with transaction.atomic():
                position = Position.objects.get(pk=station.pk)
                services.position_transition(
                    actor=zs_admin, position=position, to_state=PositionState.DELISTED, reason="撤"
                )
                seen_inside.append(_ids())
                wrote.set()
                assert may_commit.wait(30)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
            wrote.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert wrote.wait(30)
    assert seen_inside == [[]]
    assert _ids() == [station.pk]
    may_commit.set()
    thread.join(30)
    assert errors == []
    assert _ids() == []
