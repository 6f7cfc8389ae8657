"""Inspections (issue 16 §4): planning in scope, findings, the workflow table over every pair of
states, confirmation feeding the assessment, the rating and the delisting rule, and the mutual
check's grant (exactly the assigned position, for the inspection's duration)."""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest
from django.utils import timezone

from yizhan.core.audit import audit_context
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditEntry
from yizhan.core.roles import Role
from yizhan.core.scoping import Actor
from yizhan.inspections import selectors, services
from yizhan.inspections.choices import INSPECTION_FLOW, InspectionKind, InspectionState
from yizhan.inspections.models import Inspection, InspectionFinding, InspectionStateChange
from yizhan.inspections.tests.conftest import all_yes
from yizhan.orgs.choices import UnitType
from yizhan.positions.choices import PositionState
from yizhan.positions.models import Position
from yizhan.positions.tests.factories import PositionFactory
from yizhan.standards.assessments import ratings_review
from yizhan.standards.models import Assessment, ServiceFailure, StarRatingRecord

pytestmark = pytest.mark.django_db


def _later(days=30):
    return timezone.localdate() + timedelta(days=days)


def _plan(actor, position, version, **kw):
    return services.inspection_create(actor=actor, position=position, version=version, ends_on=_later(), **kw)


def _start(actor, inspection):
    return services.inspection_transition(actor=actor, inspection=inspection, to_state=InspectionState.IN_PROGRESS)


def _fill(actor, inspection, **overrides):
    return services.inspection_findings_save(
        actor=actor, inspection=inspection, answers=all_yes(inspection, **overrides)
    )


# --- planning ----------------------------------------------------------------------------------------


def test_a_district_admin_plans_its_own_positions_only(zs_admin, xg_admin, zs_station, xg_station, nine):
    inspection = _plan(zs_admin, zs_station, nine)
    assert (inspection.unit, inspection.kind, inspection.state) == (
        zs_admin.unit,
        InspectionKind.PLANNED,
        InspectionState.PLANNED,
    )
    with pytest.raises(NotFoundError):
        _plan(xg_admin, zs_station, nine)
    with pytest.raises(NotFoundError):
        services.inspection_findings_save(actor=xg_admin, inspection=inspection, answers={})
    with pytest.raises(NotFoundError):
        _start(xg_admin, inspection)
    assert list(selectors.inspection_list(actor=xg_admin)) == []


def test_only_published_versions_and_sensible_dates(zs_admin, zs_station, nine, dalian):
    from yizhan.standards.services import _draft_create

    draft = _draft_create(nine.standard)
    with pytest.raises(ApplicationError) as refused:
        _plan(zs_admin, zs_station, draft)
    assert refused.value.field == "version"
    with pytest.raises(ApplicationError) as refused:
        services.inspection_create(
            actor=zs_admin, position=zs_station, version=nine, ends_on=timezone.localdate() - timedelta(days=1)
        )
    assert refused.value.field == "ends_on"
    assert Inspection.objects.count() == 0


def test_a_station_manager_and_an_auditor_plan_nothing(make_actor, dalian, zs_station, nine):
    for role, unit in ((Role.STATION_MANAGER, dalian["street"]), (Role.AUDITOR, dalian["city"])):
        with pytest.raises(PermissionDeniedError):
            _plan(make_actor(role, unit), zs_station, nine)


# --- findings and the workflow ------------------------------------------------------------------------


def test_findings_are_saved_as_the_inspector_goes_and_bad_values_write_nothing(zs_admin, zs_station, nine):
    inspection = _start(zs_admin, _plan(zs_admin, zs_station, nine))
    keys = [item.key for item in inspection.applicable_items()]
    services.inspection_findings_save(actor=zs_admin, inspection=inspection, answers={keys[0]: True})
    with pytest.raises(ApplicationError) as refused:
        services.inspection_findings_save(
            actor=zs_admin, inspection=inspection, answers={keys[1]: True, keys[2]: "也许"}, summary="x"
        )
    assert refused.value.field == keys[2]
    assert InspectionFinding.objects.filter(inspection=inspection).count() == 1
    assert Inspection.objects.get(pk=inspection.pk).summary == ""
    with pytest.raises(ApplicationError) as refused:
        services.inspection_findings_save(actor=zs_admin, inspection=inspection, answers={"no-such-item": True})
    assert refused.value.field == "answers"
    # Submitting with items unanswered is refused with the count.
    with pytest.raises(ApplicationError) as refused:
        services.inspection_transition(actor=zs_admin, inspection=inspection, to_state=InspectionState.SUBMITTED)
    assert refused.value.field == "findings" and f"{len(keys) - 1} 个" in refused.value.message
    _fill(zs_admin, inspection, online_map=False)
    submitted = services.inspection_transition(
        actor=zs_admin, inspection=inspection, to_state=InspectionState.SUBMITTED
    )
    assert submitted.inspected_on == timezone.localdate()
    assert InspectionFinding.objects.get(inspection=inspection, item__key="online_map").met is False


def test_findings_only_while_under_way(zs_admin, zs_station, nine):
    inspection = _plan(zs_admin, zs_station, nine)
    with pytest.raises(ApplicationError) as refused:
        _fill(zs_admin, inspection)
    assert refused.value.field == "state"


ALLOWED = {
    (InspectionState.PLANNED, InspectionState.IN_PROGRESS),
    (InspectionState.IN_PROGRESS, InspectionState.SUBMITTED),
    (InspectionState.SUBMITTED, InspectionState.IN_PROGRESS),
    (InspectionState.SUBMITTED, InspectionState.CONFIRMED),
    (InspectionState.PLANNED, InspectionState.CANCELLED),
    (InspectionState.IN_PROGRESS, InspectionState.CANCELLED),
}


def test_the_table_is_exactly_the_declared_moves():
    declared = {(s.source, s.target) for s in INSPECTION_FLOW.transitions}
    assert declared == ALLOWED


@pytest.mark.parametrize(("source", "target"), list(product(InspectionState.values, repeat=2)))
def test_every_pair_of_states(source, target, city_admin, zs_station, nine):
    inspection = _plan(city_admin, zs_station, nine)
    if source != InspectionState.PLANNED:
        # Put it in `source` with its findings complete (the guards of later moves pass).
        _start(city_admin, inspection)
        _fill(city_admin, inspection)
        Inspection.objects.filter(pk=inspection.pk).update(state=source)
    before_history = InspectionStateChange.objects.count()
    before_audit = AuditEntry.objects.count()
    if (source, target) in ALLOWED:
        moved = services.inspection_transition(actor=city_admin, inspection=inspection, to_state=target, reason="因故")
        assert moved.state == target
        assert InspectionStateChange.objects.count() == before_history + 1
        change = InspectionStateChange.objects.latest("pk")
        assert (change.from_state, change.to_state, change.reason) == (source, target, "因故")
    else:
        with pytest.raises(ApplicationError) as refused:
            services.inspection_transition(actor=city_admin, inspection=inspection, to_state=target, reason="因故")
        assert refused.value.field == "to_state"
        assert Inspection.objects.get(pk=inspection.pk).state == source
        assert InspectionStateChange.objects.count() == before_history
        assert AuditEntry.objects.count() == before_audit


def test_cancelling_needs_a_reason(zs_admin, zs_station, nine):
    inspection = _plan(zs_admin, zs_station, nine)
    with pytest.raises(ApplicationError) as refused:
        services.inspection_transition(actor=zs_admin, inspection=inspection, to_state=InspectionState.CANCELLED)
    assert refused.value.field == "reason"


# --- confirmation: the assessment, the rating, the delisting rule ------------------------------------


def test_confirming_records_the_assessment(zs_admin, zs_station, nine):
    inspection = _start(zs_admin, _plan(zs_admin, zs_station, nine))
    _fill(zs_admin, inspection, online_map=False)
    services.inspection_transition(actor=zs_admin, inspection=inspection, to_state=InspectionState.SUBMITTED)
    confirmed = services.inspection_transition(
        actor=zs_admin, inspection=inspection, to_state=InspectionState.CONFIRMED
    )
    assessment = Assessment.objects.get(pk=confirmed.assessment_id)
    assert (assessment.position_id, assessment.version_id) == (zs_station.pk, nine.pk)
    assert assessment.met == assessment.applicable - 1
    assert not assessment.answers.get(item__key="online_map").met


def test_an_inspection_downgrades_a_station_at_once(city_admin, zs_station, rating_version):
    Position.objects.filter(pk=zs_station.pk).update(star_rating="5", star_rated_on=timezone.localdate())
    inspection = _start(city_admin, _plan(city_admin, zs_station, rating_version))
    _fill(city_admin, inspection, microwave=False)
    services.inspection_transition(actor=city_admin, inspection=inspection, to_state=InspectionState.SUBMITTED)
    services.inspection_transition(actor=city_admin, inspection=inspection, to_state=InspectionState.CONFIRMED)
    record = StarRatingRecord.objects.get(position=zs_station)
    assert (record.periodic, record.stars_before, record.stars_after) == (False, 5, None)
    zs_station.refresh_from_db()
    assert zs_station.star_rating == ""


def test_cannot_serve_feeds_the_delisting_rule(city_admin, zs_station, nine):
    inspection = _start(city_admin, _plan(city_admin, zs_station, nine))
    services.inspection_findings_save(
        actor=city_admin,
        inspection=inspection,
        answers=all_yes(inspection),
        cannot_serve=True,
        summary="站点长期锁门",
    )
    services.inspection_transition(actor=city_admin, inspection=inspection, to_state=InspectionState.SUBMITTED)
    services.inspection_transition(actor=city_admin, inspection=inspection, to_state=InspectionState.CONFIRMED)
    failure = ServiceFailure.objects.get(position=zs_station)
    assert failure.source == f"inspection:{inspection.pk}"
    due = ratings_review(actor=city_admin, period=timezone.localdate().year)
    assert zs_station.pk in [d.position.pk for d in due]


def test_a_refused_confirmation_writes_nothing(zs_admin, zs_station, nine):
    from yizhan.standards.services import _draft_create, _publish

    inspection = _start(zs_admin, _plan(zs_admin, zs_station, nine))
    _fill(zs_admin, inspection)
    services.inspection_transition(actor=zs_admin, inspection=inspection, to_state=InspectionState.SUBMITTED)
    with audit_context(actor_name="test"):
        _publish(_draft_create(nine.standard))  # the version used is superseded meanwhile
    with pytest.raises(ApplicationError):
        services.inspection_transition(actor=zs_admin, inspection=inspection, to_state=InspectionState.CONFIRMED)
    assert Inspection.objects.get(pk=inspection.pk).state == InspectionState.SUBMITTED
    assert Assessment.objects.count() == 0


# --- mutual checks: the grant ---------------------------------------------------------------------------


@pytest.fixture
def mutual(city_admin, dalian, make_user, xg_station, nine):
    """西岗区's assigned inspector checks 中山区's station (organised by the city federation); a
    second 西岗区 admin is not assigned; 中山区 has another station nobody assigned."""
    inspector = make_user(Role.UNIT_ADMIN, dalian["xg"], "xg-inspector")
    bystander = make_user(Role.UNIT_ADMIN, dalian["xg"], "xg-bystander")
    target = PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING)
    other = PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING)
    inspection = _plan(
        city_admin, target, nine, kind=InspectionKind.MUTUAL, inspecting_unit=dalian["xg"], inspectors=[inspector]
    )

    def actor(user):
        return Actor(user=user, membership=user.memberships.get())

    return {
        "inspection": inspection,
        "inspector": actor(inspector),
        "bystander": actor(bystander),
        "target": target,
        "other": other,
    }


def test_a_mutual_check_grants_exactly_the_assigned_position(mutual):
    inspection, inspector = mutual["inspection"], mutual["inspector"]
    assert inspection.unit.code == "DL-XG"
    assert selectors.inspection_position(actor=inspector, inspection=inspection) == mutual["target"]
    assert list(selectors.granted_positions(inspector)) == [mutual["target"]]
    # Nothing else of the sibling: its other station and the target itself through the registry.
    assert not Position.objects.restrict(inspector).filter(pk__in=[mutual["target"].pk, mutual["other"].pk]).exists()
    # The inspector works through it: starts, records findings, submits.
    _start(inspector, inspection)
    _fill(inspector, inspection)
    services.inspection_transition(actor=inspector, inspection=inspection, to_state=InspectionState.SUBMITTED)
    # Submitted: the grant has ended.
    with pytest.raises(NotFoundError):
        selectors.inspection_position(actor=inspector, inspection=inspection)
    assert list(selectors.granted_positions(inspector)) == []
    # Confirming is for those who cover the position, not the inspector.
    with pytest.raises(ApplicationError):
        services.inspection_transition(actor=inspector, inspection=inspection, to_state=InspectionState.CONFIRMED)


def test_an_unassigned_admin_of_the_inspecting_unit_sees_nothing(mutual):
    bystander, inspection = mutual["bystander"], mutual["inspection"]
    assert list(selectors.inspection_list(actor=bystander)) == []
    with pytest.raises(NotFoundError):
        selectors.inspection_get(actor=bystander, pk=inspection.pk)
    with pytest.raises(NotFoundError):
        selectors.inspection_position(actor=bystander, inspection=inspection)
    with pytest.raises(NotFoundError):
        _start(bystander, inspection)


def test_the_grant_ends_with_the_inspections_dates(mutual):
    inspection, inspector = mutual["inspection"], mutual["inspector"]
    _start(inspector, inspection)
    Inspection.objects.filter(pk=inspection.pk).update(
        starts_on=timezone.localdate() - timedelta(days=10), ends_on=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(NotFoundError):
        selectors.inspection_position(actor=inspector, inspection=inspection)
    with pytest.raises(ApplicationError) as refused:
        _fill(inspector, Inspection.objects.get(pk=inspection.pk))
    assert "互检期限" in refused.value.message


def test_the_grant_holds_only_when_acting_for_the_inspecting_unit(mutual, dalian):
    from yizhan.orgs.tests.factories import MembershipFactory

    inspector = mutual["inspector"]
    elsewhere = MembershipFactory(user=inspector.user, unit=dalian["street"], role=Role.UNIT_ADMIN)
    as_other = Actor(user=inspector.user, membership=elsewhere)
    with pytest.raises(NotFoundError):
        selectors.inspection_position(actor=as_other, inspection=mutual["inspection"])


def test_a_mutual_check_needs_a_sibling_and_its_inspectors(city_admin, zs_admin, dalian, make_user, make_unit, nine):
    target = PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING)
    xg_user = make_user(Role.UNIT_ADMIN, dalian["xg"])
    kw = {"kind": InspectionKind.MUTUAL}
    # Its own branch is not a sibling.
    with pytest.raises(ApplicationError) as refused:
        _plan(city_admin, target, nine, inspecting_unit=dalian["zs"], inspectors=[xg_user], **kw)
    assert refused.value.field == "inspecting_unit"
    with pytest.raises(ApplicationError) as refused:
        _plan(city_admin, target, nine, inspecting_unit=dalian["xg"], **kw)
    assert refused.value.field == "inspectors"
    # An inspector must be an admin of the inspecting unit.
    zs_user = make_user(Role.UNIT_ADMIN, dalian["zs"])
    with pytest.raises(ApplicationError) as refused:
        _plan(city_admin, target, nine, inspecting_unit=dalian["xg"], inspectors=[zs_user], **kw)
    assert refused.value.field == "inspectors"
    # A district admin cannot organise a check by a unit outside its scope.
    street_target = PositionFactory(unit=dalian["street"], state=PositionState.OPERATING)
    with pytest.raises(ApplicationError) as refused:
        _plan(zs_admin, street_target, nine, inspecting_unit=dalian["xg"], inspectors=[xg_user], **kw)
    assert refused.value.field == "inspecting_unit"
    assert Inspection.objects.count() == 0
    # Two streets of one district check each other: organised by the district.
    other_street = make_unit(UnitType.STREET, dalian["zs"])
    street_user = make_user(Role.UNIT_ADMIN, other_street)
    inspection = _plan(zs_admin, street_target, nine, inspecting_unit=other_street, inspectors=[street_user], **kw)
    assert inspection.unit == other_street
