"""feedback_transition: handling a feedback (spec §6) on the workflow engine — new → read,
new/read → resolved with a note, resolved → read (reopened) with a reason; one history row and one
audit entry per move; the roles that may update feedback, within their scope."""

import itertools

import pytest

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.core.workflow import REASON_MISSING, REASON_TOO_LONG, TRANSITION_NOT_ALLOWED
from yizhan.ledger import services
from yizhan.ledger.choices import FEEDBACK_HANDLING, FeedbackStatus
from yizhan.ledger.models import Feedback, FeedbackStatusChange
from yizhan.ledger.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(itertools.product(FeedbackStatus.values, repeat=2))
ALLOWED = [("new", "read"), ("new", "resolved"), ("read", "resolved"), ("resolved", "read")]
REFUSED = [pair for pair in ALL_PAIRS if pair not in ALLOWED]


@pytest.fixture
def make_feedback(station):
    def make(status=FeedbackStatus.NEW, position=None):
        return FeedbackFactory(position=position or station, rating=2, text="饮水机没有热水", status=status)

    return make


def _updates(feedback: Feedback):
    return AuditEntry.objects.filter(
        object_type="ledger.feedback", object_id=str(feedback.pk), action=AuditAction.UPDATE
    ).order_by("seq")


def _status(feedback: Feedback) -> str:
    return Feedback.objects.values_list("status", flat=True).get(pk=feedback.pk)


def test_the_table_is_the_handling_of_the_spec():
    assert sorted((t.source, t.target) for t in FEEDBACK_HANDLING.transitions) == sorted(ALLOWED)
    assert {(t.source, t.target) for t in FEEDBACK_HANDLING.transitions if t.reason_required} == {
        ("new", "resolved"),
        ("read", "resolved"),
        ("resolved", "read"),
    }


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_every_allowed_move_writes_one_history_row_and_one_audit_entry(make_feedback, zs_admin, from_status, to_status):
    feedback = make_feedback(from_status)
    audits_before = _updates(feedback).count()

    handled = services.feedback_transition(actor=zs_admin, feedback=feedback, to_state=to_status, reason=" 已回电 ")

    assert handled.status == to_status == _status(feedback)
    (change,) = FeedbackStatusChange.objects.filter(feedback=feedback)
    assert (change.from_state, change.to_state, change.reason, change.actor, change.actor_name) == (
        from_status,
        to_status,
        "已回电",
        zs_admin.user,
        zs_admin.user.username,
    )
    assert _updates(feedback).count() == audits_before + 1
    entry = _updates(feedback).last()
    assert (entry.before, entry.after) == ({"status": from_status}, {"status": to_status})
    assert entry.unit_path == feedback.position.unit.path


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_every_other_move_is_refused_by_its_labels_and_changes_nothing(make_feedback, zs_admin, from_status, to_status):
    feedback = make_feedback(from_status)
    with pytest.raises(ApplicationError) as error:
        services.feedback_transition(actor=zs_admin, feedback=feedback, to_state=to_status, reason="说明")
    assert error.value.message == TRANSITION_NOT_ALLOWED.format(
        from_state=FeedbackStatus(from_status).label, to_state=FeedbackStatus(to_status).label
    )
    assert error.value.field == "to_state"
    assert _status(feedback) == from_status
    assert not FeedbackStatusChange.objects.exists()
    assert not _updates(feedback).exists()


@pytest.mark.parametrize(
    ("from_status", "to_status"), [("new", "resolved"), ("read", "resolved"), ("resolved", "read")]
)
@pytest.mark.parametrize("reason", ["", "  \n "])
def test_resolving_and_reopening_need_a_note(make_feedback, zs_admin, from_status, to_status, reason):
    feedback = make_feedback(from_status)
    with pytest.raises(ApplicationError) as error:
        services.feedback_transition(actor=zs_admin, feedback=feedback, to_state=to_status, reason=reason)
    assert error.value.message == REASON_MISSING.format(to_state=FeedbackStatus(to_status).label)
    assert error.value.field == "reason"
    assert _status(feedback) == from_status
    assert not FeedbackStatusChange.objects.exists()


def test_marking_read_needs_no_note(make_feedback, zs_admin):
    feedback = make_feedback()
    services.feedback_transition(actor=zs_admin, feedback=feedback, to_state="read")
    assert FeedbackStatusChange.objects.get(feedback=feedback).reason == ""


def test_a_note_longer_than_the_history_keeps_is_refused(make_feedback, zs_admin):
    feedback = make_feedback()
    with pytest.raises(ApplicationError) as error:
        services.feedback_transition(actor=zs_admin, feedback=feedback, to_state="resolved", reason="长" * 256)
    assert error.value.message == REASON_TOO_LONG.format(max=255, length=256)
    assert error.value.field == "reason"
    assert _status(feedback) == "new"


def test_a_whole_handling_is_kept_in_order(make_feedback, zs_admin):
    feedback = make_feedback()
    for to_status, note in [("read", ""), ("resolved", "已更换饮水机"), ("read", "又坏了"), ("resolved", "已维修")]:
        services.feedback_transition(actor=zs_admin, feedback=feedback, to_state=to_status, reason=note)
    assert list(
        FeedbackStatusChange.objects.filter(feedback=feedback).values_list("from_state", "to_state", "reason")
    ) == [
        ("new", "read", ""),
        ("read", "resolved", "已更换饮水机"),
        ("resolved", "read", "又坏了"),
        ("read", "resolved", "已维修"),
    ]
    assert _updates(feedback).count() == 4


def test_the_station_manager_of_its_unit_handles_it(make_feedback, make_actor, dalian_map):
    feedback = make_feedback()
    manager = make_actor(Role.STATION_MANAGER, dalian_map["zs"])
    services.feedback_transition(actor=manager, feedback=feedback, to_state="resolved", reason="已回复")
    assert FeedbackStatusChange.objects.get(feedback=feedback).actor_name == manager.user.username


def test_the_federation_handles_feedback_below_it(make_feedback, make_actor, dalian_map):
    feedback = make_feedback()
    city_admin = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    assert services.feedback_transition(actor=city_admin, feedback=feedback, to_state="read").status == "read"


@pytest.mark.parametrize(
    ("role", "unit"),
    [
        (Role.UNIT_ADMIN, "xg"),
        (Role.STATION_MANAGER, "xg"),
        # A station manager's reach is its own unit: the city's does not reach a district's feedback.
        (Role.STATION_MANAGER, "city"),
        (Role.UNIT_ADMIN, "industry"),
    ],
)
def test_an_actor_out_of_scope_does_not_find_it(make_feedback, make_actor, dalian_map, role, unit):
    feedback = make_feedback()
    actor = make_actor(role, dalian_map[unit])
    with pytest.raises(NotFoundError):
        services.feedback_transition(actor=actor, feedback=feedback, to_state="read")
    assert _status(feedback) == "new"
    assert not FeedbackStatusChange.objects.exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.SOCIAL_ORG, Role.AUDITOR, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN])
def test_roles_that_do_not_handle_feedback_may_not(make_feedback, make_actor, dalian_map, role):
    feedback = make_feedback()
    with pytest.raises(PermissionDeniedError):
        services.feedback_transition(actor=make_actor(role, dalian_map["zs"]), feedback=feedback, to_state="read")
    assert _status(feedback) == "new"
    assert not FeedbackStatusChange.objects.exists()


def test_available_moves_follow_the_status_and_the_actor(make_feedback, zs_admin, make_actor, dalian_map):
    def moves(actor, feedback):
        return [
            (t.target, FEEDBACK_HANDLING.move_label(t))
            for t in FEEDBACK_HANDLING.available_transitions(actor, feedback)
        ]

    assert moves(zs_admin, make_feedback("new")) == [("read", "标记已读"), ("resolved", "标记已处理")]
    assert moves(zs_admin, make_feedback("read")) == [("resolved", "标记已处理")]
    assert moves(zs_admin, make_feedback("resolved")) == [("read", "重新打开")]
    assert moves(make_actor(Role.UNIT_ADMIN, dalian_map["xg"]), make_feedback("new")) == []
    assert moves(make_actor(Role.AUDITOR, dalian_map["city"]), make_feedback("new")) == []
