"""The workflow engine (core/workflow.py, issue 12 §2), exercised through the two workflows built on
it (the position lifecycle, feedback handling): random sequences of moves against the declared
table — every move the table does not hold, or holds with a reason not given, or a guard refuses,
is refused and changes nothing; every other one succeeds; history rows equal the successful moves,
with one audit entry each — the signal after commit only, bulk moves all or nothing, the checks of
a declaration, and concurrent moves of one row on PostgreSQL."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yizhan.core import workflow as engine
from yizhan.core.errors import ApplicationError, PermissionDeniedError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Action, Role
from yizhan.core.workflow import Refusal, Transition, Workflow, state_changed
from yizhan.ledger.choices import FEEDBACK_HANDLING, FeedbackStatus
from yizhan.ledger.models import Feedback, FeedbackStatusChange
from yizhan.ledger.tests import conftest as ledger_fixtures
from yizhan.ledger.tests.factories import FeedbackFactory
from yizhan.positions.choices import POSITION_LIFECYCLE, PositionState
from yizhan.positions.models import PositionStateChange
from yizhan.positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db

dalian_map = ledger_fixtures.dalian_map
make_position = ledger_fixtures.make_position
station = ledger_fixtures.station
zs_admin = ledger_fixtures.zs_admin

HYPOTHESIS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
REASONS = st.sampled_from(["", "  ", "原因"])


def _updates(obj) -> int:
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=AuditAction.UPDATE
    ).count()


def _expected_refusal(flow: Workflow, state: str, to: str, reason: str, extra: dict) -> str | None:
    """Which field the engine must refuse the move by (None: it must succeed), from the table."""
    step = flow.find(state, to)
    if step is None:
        return "to_state"
    if step.reason_required and not reason.strip():
        return "reason"
    if extra.get("expected_reopen_on") and to != PositionState.SUSPENDED:
        return "expected_reopen_on"  # the position lifecycle's guard
    return None


def _run(flow: Workflow, actor, obj, history, moves) -> None:
    state = getattr(obj, flow.state_field)
    succeeded = 0
    audits = _updates(obj)
    for to, reason, extra in moves:
        refused_by = _expected_refusal(flow, state, to, reason, extra)
        if refused_by is None:
            moved = engine.transition(workflow=flow, actor=actor, obj=obj, to=to, reason=reason, **extra)
            assert getattr(moved, flow.state_field) == to
            state = to
            succeeded += 1
        else:
            with pytest.raises(ApplicationError) as error:
                engine.transition(workflow=flow, actor=actor, obj=obj, to=to, reason=reason, **extra)
            assert error.value.field == refused_by
            if refused_by == "to_state":
                assert error.value.message == engine.TRANSITION_NOT_ALLOWED.format(
                    from_state=flow.label(state), to_state=flow.label(to)
                )
        stored = type(obj).objects.get(pk=obj.pk)
        assert getattr(stored, flow.state_field) == state
        rows = history.filter(**{flow.history_link: obj}).order_by("created_at", "pk")
        assert rows.count() == succeeded
        assert _updates(obj) - audits == succeeded
    # The history, read in order, replays the record's path through the table.
    moves_made = list(history.filter(**{flow.history_link: obj}).values_list("from_state", "to_state"))
    for (from_state, to_state), (next_from, _next_to) in zip(moves_made, moves_made[1:], strict=False):
        assert flow.find(from_state, to_state) is not None
        assert to_state == next_from


@HYPOTHESIS
@given(
    moves=st.lists(
        st.tuples(st.sampled_from([*FeedbackStatus.values, "closed", ""]), REASONS, st.just({})), max_size=12
    ),
    start=st.sampled_from(FeedbackStatus.values),
)
def test_random_feedback_handling_follows_the_table(station, zs_admin, moves, start):
    _run(
        FEEDBACK_HANDLING,
        zs_admin,
        FeedbackFactory(position=station, status=start),
        FeedbackStatusChange.objects,
        moves,
    )


@HYPOTHESIS
@given(
    moves=st.lists(
        st.tuples(
            st.sampled_from([*PositionState.values, "closed"]),
            REASONS,
            st.sampled_from([{}, {"effective_on": date(2026, 3, 1)}, {"expected_reopen_on": date(2026, 9, 1)}]),
        ),
        max_size=12,
    )
)
def test_random_position_lifecycles_follow_the_table(dalian_map, zs_admin, moves):
    position = PositionFactory(unit=dalian_map["zs"])
    _run(POSITION_LIFECYCLE, zs_admin, position, PositionStateChange.objects, moves)


def test_the_signal_is_sent_after_commit_only(station, zs_admin, django_capture_on_commit_callbacks):
    feedback = FeedbackFactory(position=station)
    heard = []

    def receiver(sender, **kwargs):
        heard.append((sender, kwargs["obj"].pk, kwargs["from_state"], kwargs["to_state"], kwargs["change"].pk))

    state_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            engine.transition(workflow=FEEDBACK_HANDLING, actor=zs_admin, obj=feedback, to="read")
            assert heard == []  # not before the commit
        change = FeedbackStatusChange.objects.get(feedback=feedback)
        assert heard == [(Feedback, feedback.pk, "new", "read", change.pk)]
        assert len(callbacks) == 1

        with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ApplicationError):
            engine.transition(workflow=FEEDBACK_HANDLING, actor=zs_admin, obj=feedback, to="new")
        assert callbacks == [] and len(heard) == 1  # a refused move announces nothing
    finally:
        state_changed.disconnect(receiver)


def test_bulk_moves_are_all_or_nothing(station, zs_admin):
    first, resolved, last = (
        FeedbackFactory(position=station),
        FeedbackFactory(position=station, status=FeedbackStatus.RESOLVED),
        FeedbackFactory(position=station),
    )
    audits = AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as error:
        engine.transition_many(workflow=FEEDBACK_HANDLING, actor=zs_admin, objs=[first, resolved, last], to="read")
    assert error.value.field == "reason"  # resolved → read is a reopening: it needs a reason
    assert list(Feedback.objects.order_by("pk").values_list("status", flat=True)) == ["new", "resolved", "new"]
    assert not FeedbackStatusChange.objects.exists()
    assert AuditEntry.objects.count() == audits

    assert engine.transition_many(workflow=FEEDBACK_HANDLING, actor=zs_admin, objs=[first, last], to="read") == 2
    assert FeedbackStatusChange.objects.count() == 2


def test_unknown_arguments_are_a_programming_error(station, zs_admin):
    with pytest.raises(TypeError):
        engine.transition(
            workflow=FEEDBACK_HANDLING,
            actor=zs_admin,
            obj=FeedbackFactory(position=station),
            to="read",
            effective_on=date.today(),
        )


# --- a transition's own permission, roles and guard (a workflow declared here) -----------------


def _no_resolving_a_rating_of_one(move):
    return "一星意见须先电话回访" if move.obj.rating == 1 and not move.extra["called"] else None


STRICT = Workflow(
    model="ledger.Feedback",
    history="ledger.FeedbackStatusChange",
    states=FeedbackStatus,
    state_field="status",
    action=Action.UPDATE,
    extra=("called",),
    transitions=[
        Transition(FeedbackStatus.NEW, FeedbackStatus.READ),
        # Only the admins close it, and only with the reply.
        Transition(
            FeedbackStatus.READ,
            FeedbackStatus.RESOLVED,
            roles=frozenset({Role.UNIT_ADMIN, Role.FEDERATION_ADMIN}),
            guard=_no_resolving_a_rating_of_one,
        ),
        # A move needing another permission than the workflow's.
        Transition(FeedbackStatus.RESOLVED, FeedbackStatus.NEW, action=Action.DELETE),
    ],
)
engine.WORKFLOWS.remove(STRICT)  # a test's declaration, not one start-up checks


def test_a_move_limited_to_roles(station, zs_admin, make_actor, dalian_map):
    manager = make_actor(Role.STATION_MANAGER, dalian_map["zs"])
    feedback = FeedbackFactory(position=station, status=FeedbackStatus.READ)
    assert STRICT.available_transitions(manager, feedback) == []
    with pytest.raises(PermissionDeniedError):
        engine.transition(workflow=STRICT, actor=manager, obj=feedback, to="resolved")
    assert [t.target for t in STRICT.available_transitions(zs_admin, feedback)] == ["resolved"]
    assert engine.transition(workflow=STRICT, actor=zs_admin, obj=feedback, to="resolved").status == "resolved"


def test_a_move_needing_another_permission(station, zs_admin, make_actor, dalian_map):
    feedback = FeedbackFactory(position=station, status=FeedbackStatus.RESOLVED)
    manager = make_actor(Role.STATION_MANAGER, dalian_map["zs"])  # may update feedback, not delete
    with pytest.raises(PermissionDeniedError):
        engine.transition(workflow=STRICT, actor=manager, obj=feedback, to="new")
    assert engine.transition(workflow=STRICT, actor=zs_admin, obj=feedback, to="new").status == "new"


def test_a_guard_refuses_with_its_message(station, zs_admin):
    feedback = FeedbackFactory(position=station, status=FeedbackStatus.READ)
    Feedback.objects.filter(pk=feedback.pk).update(rating=1)
    with pytest.raises(ApplicationError) as error:
        engine.transition(workflow=STRICT, actor=zs_admin, obj=feedback, to="resolved")
    assert (error.value.message, error.value.field) == ("一星意见须先电话回访", None)
    assert Feedback.objects.get(pk=feedback.pk).status == "read"
    engine.transition(workflow=STRICT, actor=zs_admin, obj=feedback, to="resolved", called=True)
    assert Feedback.objects.get(pk=feedback.pk).status == "resolved"


def test_a_refusal_names_its_field():
    assert Refusal("x", "reason") == ("x", "reason") and Refusal("x").field is None


# --- the declaration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "transitions",
    [
        [Transition("new", "archived")],  # a state the choices do not have
        [Transition("new", "new")],  # not a move
        [Transition("new", "read"), Transition("new", "read", reason_required=True)],  # twice
    ],
)
def test_a_table_that_does_not_fit_its_states_is_refused(transitions):
    with pytest.raises(ImproperlyConfigured):
        Workflow(model="ledger.Feedback", history="ledger.FeedbackStatusChange", states=FeedbackStatus,
                 state_field="status", action=Action.UPDATE, transitions=transitions)  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"state_field": "state"}, "state"),  # feedback's field is `status`
        ({"history": "ledger.Feedback"}, "StateChangeBase"),
        ({"history": "positions.PositionStateChange"}, "foreign key"),
        ({"model": "core.AuditEntry"}, "AuditedModel"),
    ],
)
def test_start_up_checks_the_models_of_a_declaration(changes, problem):
    values = {
        "model": "ledger.Feedback",
        "history": "ledger.FeedbackStatusChange",
        "states": FeedbackStatus,
        "state_field": "status",
        "action": Action.UPDATE,
        "transitions": [Transition("new", "read")],
        **changes,
    }
    flow = Workflow(**values)
    engine.WORKFLOWS.remove(flow)
    (found,) = flow.problems()
    assert problem in found


def test_the_declared_workflows_pass_the_start_up_check():
    assert engine.workflows_check(None) == []
    assert {flow.model for flow in engine.WORKFLOWS} >= {"positions.Position", "ledger.Feedback"}


def test_the_table_reads_in_the_states_order():
    assert POSITION_LIFECYCLE.targets(PositionState.OPERATING) == ["suspended", "delisted"]
    assert POSITION_LIFECYCLE.table()[PositionState.DELISTED] == frozenset()
    assert POSITION_LIFECYCLE.label("closed") == "closed"
    assert FEEDBACK_HANDLING.move_label(FEEDBACK_HANDLING.find("resolved", "read")) == "重新打开"


# --- concurrency (PostgreSQL: SQLite's in-memory test database holds one writing connection) ---


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_marking_the_same_feedback_read_move_it_once(station, zs_admin):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and several writing connections need PostgreSQL")
    feedback = FeedbackFactory(position=station)
    threads_n = 5
    barrier = threading.Barrier(threads_n)
    outcomes: list[str] = []

    def handle() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                engine.transition(workflow=FEEDBACK_HANDLING, actor=zs_admin, obj=feedback, to="read")
            outcomes.append("moved")
        except ApplicationError as error:
            outcomes.append(error.field)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=handle) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["moved"] + ["to_state"] * (threads_n - 1)
    assert FeedbackStatusChange.objects.filter(feedback=feedback).count() == 1
    assert _updates(feedback) == 1
