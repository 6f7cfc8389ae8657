"""Rectifications (整改, issue 16 §4): opened on a failing finding with a deadline and an owner,
closed by the owner with photo evidence (checked, re-encoded, no EXIF), accepted or sent back by
the inspecting unit; bad evidence and closing without evidence refused, nothing written."""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest
from django.utils import timezone
from PIL import Image

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.roles import Role
from yizhan.inspections import selectors, services
from yizhan.inspections.choices import RECTIFICATION_FLOW, InspectionState, RectificationState
from yizhan.inspections.dashboard import OVERDUE, inspections_panel
from yizhan.inspections.models import Rectification, RectificationEvidence, RectificationStateChange
from yizhan.inspections.tests.conftest import all_yes
from yizhan.inspections.tests.factories import jpeg

pytestmark = pytest.mark.django_db


def _later(days=14):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def failing(city_admin, zs_station, nine):
    """A city spot check of 中山区's street station, submitted with two failing items."""
    inspection = services.inspection_create(actor=city_admin, position=zs_station, version=nine, ends_on=_later(30))
    services.inspection_transition(actor=city_admin, inspection=inspection, to_state=InspectionState.IN_PROGRESS)
    services.inspection_findings_save(
        actor=city_admin,
        inspection=inspection,
        answers=all_yes(inspection, online_map=False, unified_signage=False),
    )
    return services.inspection_transition(actor=city_admin, inspection=inspection, to_state=InspectionState.SUBMITTED)


def _finding(inspection, key):
    return inspection.findings.get(item__key=key)


def _open(actor, inspection, key="online_map", **kw):
    kw.setdefault("deadline", _later())
    kw.setdefault("requirement", "在线上地图标注站点")
    return services.rectification_open(actor=actor, finding=_finding(inspection, key), **kw)


@pytest.fixture
def street_manager(make_actor, dalian):
    return make_actor(Role.STATION_MANAGER, dalian["street"])


def test_a_rectification_goes_round_its_loop(city_admin, failing, street_manager, media):
    rectification = _open(city_admin, failing)
    assert (rectification.state, rectification.round, rectification.owner_unit.code) == (
        RectificationState.OPEN,
        1,
        "DL-ZS-QNWQ",
    )
    # The owner (the station's manager) submits with a photo.
    submitted = services.rectification_submit(
        actor=street_manager, rectification=rectification, photos=[jpeg()], note="已标注"
    )
    assert submitted.state == RectificationState.SUBMITTED and submitted.submitted_on == timezone.localdate()
    # The owner may not accept its own work.
    with pytest.raises(PermissionDeniedError):
        services.rectification_transition(
            actor=street_manager, rectification=submitted, to_state=RectificationState.ACCEPTED
        )
    # The inspector sends it back: a new round, the reason kept.
    back = services.rectification_transition(
        actor=city_admin, rectification=submitted, to_state=RectificationState.OPEN, reason="照片看不清"
    )
    assert (back.state, back.round) == (RectificationState.OPEN, 2)
    # The first round's photo does not close the second round.
    with pytest.raises(ApplicationError) as refused:
        services.rectification_submit(actor=street_manager, rectification=back, photos=[])
    assert refused.value.field == "evidence"
    services.rectification_submit(actor=street_manager, rectification=back, photos=[jpeg((60, 40))])
    accepted = services.rectification_transition(
        actor=city_admin, rectification=back, to_state=RectificationState.ACCEPTED
    )
    assert accepted.state == RectificationState.ACCEPTED and accepted.closed_on == timezone.localdate()
    history = list(selectors.rectification_history(actor=city_admin, rectification=accepted))
    assert [(h.from_state, h.to_state, h.round) for h in history] == [
        ("open", "submitted", 1),
        ("submitted", "open", 2),
        ("open", "submitted", 2),
        ("submitted", "accepted", 2),
    ]
    assert history[1].reason == "照片看不清"
    assert list(RectificationEvidence.objects.values_list("round", flat=True)) == [1, 2]


def test_closing_without_evidence_is_refused(city_admin, failing, street_manager, media):
    rectification = _open(city_admin, failing)
    with pytest.raises(ApplicationError) as refused:
        services.rectification_submit(actor=street_manager, rectification=rectification, photos=[])
    assert refused.value.message == "整改完成须上传整改后的照片作为证据"
    # The bare move is refused by the table's guard too.
    with pytest.raises(ApplicationError):
        services.rectification_transition(
            actor=street_manager, rectification=rectification, to_state=RectificationState.SUBMITTED
        )
    assert Rectification.objects.get(pk=rectification.pk).state == RectificationState.OPEN
    assert RectificationStateChange.objects.count() == 0


@pytest.mark.parametrize(
    "data", [b"%PDF-1.4 not a photo", b"GIF89a" + b"\x00" * 40, "文字".encode() * 10], ids=["pdf", "gif", "text"]
)
def test_evidence_that_is_not_an_image_is_refused_and_nothing_is_written(
    city_admin, failing, street_manager, media, data
):
    rectification = _open(city_admin, failing)
    with pytest.raises(ApplicationError) as refused:
        services.rectification_submit(actor=street_manager, rectification=rectification, photos=[jpeg(), data])
    assert refused.value.field == "evidence" and "不是照片" in refused.value.message
    assert RectificationEvidence.objects.count() == 0
    assert Rectification.objects.get(pk=rectification.pk).state == RectificationState.OPEN
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_evidence_is_re_encoded_without_exif(city_admin, failing, street_manager, media):
    rectification = _open(city_admin, failing)
    services.rectification_submit(actor=street_manager, rectification=rectification, photos=[jpeg(exif=True)])
    evidence = RectificationEvidence.objects.get()
    with Image.open(evidence.image.path) as stored:
        assert stored.format == "JPEG" and not stored.getexif()
    assert (evidence.width, evidence.height, evidence.round) == (40, 30, 1)


def test_only_a_failing_finding_of_a_submitted_inspection_opens_one(city_admin, failing, zs_station, nine):
    with pytest.raises(ApplicationError) as refused:
        _open(city_admin, failing, key="fixed_space")
    assert refused.value.message == "只有不达标的检查发现才能开具整改"
    _open(city_admin, failing)
    with pytest.raises(ApplicationError) as refused:
        _open(city_admin, failing)
    assert refused.value.message == "该检查发现已开具整改"
    with pytest.raises(ApplicationError) as refused:
        _open(city_admin, failing, key="unified_signage", deadline=timezone.localdate() - timedelta(days=1))
    assert refused.value.field == "deadline"
    with pytest.raises(ApplicationError) as refused:
        _open(city_admin, failing, key="unified_signage", requirement="  ")
    assert refused.value.field == "requirement"
    assert Rectification.objects.count() == 1


def test_the_owner_is_the_positions_unit_or_above(city_admin, failing, dalian, make_user):
    with pytest.raises(ApplicationError) as refused:
        _open(city_admin, failing, owner_unit=dalian["xg"])
    assert refused.value.field == "owner_unit"
    stranger = make_user(Role.UNIT_ADMIN, dalian["xg"])
    with pytest.raises(ApplicationError) as refused:
        _open(city_admin, failing, owner_unit=dalian["zs"], owner_user=stranger)
    assert refused.value.field == "owner_user"
    owner = make_user(Role.UNIT_ADMIN, dalian["zs"])
    rectification = _open(city_admin, failing, owner_unit=dalian["zs"], owner_user=owner)
    assert (rectification.owner_unit, rectification.owner_user) == (dalian["zs"], owner)


def test_another_district_neither_sees_nor_touches_it(city_admin, failing, xg_admin, media):
    rectification = _open(city_admin, failing)
    assert list(selectors.rectification_list(actor=xg_admin)) == []
    with pytest.raises(NotFoundError):
        services.rectification_submit(actor=xg_admin, rectification=rectification, photos=[jpeg()])
    with pytest.raises(NotFoundError):
        _open(xg_admin, failing, key="unified_signage")


ALLOWED = {
    (RectificationState.OPEN, RectificationState.SUBMITTED),
    (RectificationState.SUBMITTED, RectificationState.ACCEPTED),
    (RectificationState.SUBMITTED, RectificationState.OPEN),
    (RectificationState.ACCEPTED, RectificationState.OPEN),
}


def test_the_table_is_exactly_the_declared_moves():
    assert {(s.source, s.target) for s in RECTIFICATION_FLOW.transitions} == ALLOWED


@pytest.mark.parametrize(("source", "target"), list(product(RectificationState.values, repeat=2)))
def test_every_pair_of_states(source, target, city_admin, failing, media):
    rectification = _open(city_admin, failing)
    services.rectification_submit(actor=city_admin, rectification=rectification, photos=[jpeg()])
    Rectification.objects.filter(pk=rectification.pk).update(state=source)
    before = RectificationStateChange.objects.count()
    if (source, target) in ALLOWED:
        moved = services.rectification_transition(
            actor=city_admin, rectification=rectification, to_state=target, reason="因故"
        )
        assert moved.state == target and RectificationStateChange.objects.count() == before + 1
    else:
        with pytest.raises(ApplicationError):
            services.rectification_transition(
                actor=city_admin, rectification=rectification, to_state=target, reason="因故"
            )
        assert Rectification.objects.get(pk=rectification.pk).state == source
        assert RectificationStateChange.objects.count() == before


def test_overdue_rectifications_are_flagged_on_the_dashboard(city_admin, failing, street_manager, xg_admin):
    rectification = _open(city_admin, failing)
    Rectification.objects.filter(pk=rectification.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    for actor, count in ((city_admin, 1), (street_manager, 1), (xg_admin, 0)):
        figures = {str(f.label): f for f in inspections_panel(actor).figures}
        assert figures[str(OVERDUE)].count == count
        assert figures[str(OVERDUE)].todo
    assert inspections_panel(street_manager) is not None
