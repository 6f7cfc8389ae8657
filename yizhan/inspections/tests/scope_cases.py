"""Scope-matrix declarations of inspections (see yizhan/orgs/testing/scope_matrix.py).

An inspection is probed by the staff API: list, detail, its history, planning one (create),
recording a finding (update) and cancelling it (operate). A spot-check draw: list, detail, a draw
over the target's unit (create). A rectification: list, detail, its history, opening one on a
failing finding (create) and submitting it with a photo (operate). Assignments, findings,
evidence and histories are read and written through their record only
(test_scope_matrix.NOT_IN_MATRIX). The mutual-check grant, which crosses units by assignment
rather than by relation, is tested in tests/services/test_inspection.py and tests/test_api.py."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yizhan.core.roles import Role
from yizhan.inspections.choices import InspectionState, RectificationState
from yizhan.inspections.models import Inspection, InspectionFinding, Rectification, SpotCheckDraw
from yizhan.inspections.tests.factories import InspectionFactory, jpeg, shipped_version
from yizhan.orgs.models import Unit
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory

OWN_AND_BELOW = frozenset({"own", "child"})
OWN = frozenset({"own"})


def _root(unit):
    return Unit.objects.get(path=unit.path[: Unit.steplen])


def _later(days=30):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# ------------------------------------------------------------------ inspections


def _inspection(world: World, relation: str) -> Inspection:
    position = PositionFactory(unit=world.units[relation], state=PositionState.OPERATING)
    return InspectionFactory(position=position, unit=world.units[relation], state=InspectionState.IN_PROGRESS)


def _list(world, inspection, relation):
    r = world.client.get("/api/v1/inspections")
    return Outcome(r.status_code == 200 and inspection.pk in [i["id"] for i in r.json()], r.status_code)


def _detail(world, inspection, relation):
    r = world.client.get(f"/api/v1/inspections/{inspection.pk}")
    return Outcome(r.status_code == 200 and r.json()["id"] == inspection.pk, r.status_code)


def _history(world, inspection, relation):
    r = world.client.get(f"/api/v1/inspections/{inspection.pk}/history")
    return Outcome(r.status_code == 200 and isinstance(r.json(), list), r.status_code)


def _create(world, inspection, relation):
    position = PositionFactory(unit=world.units[relation], state=PositionState.OPERATING)
    payload = {"position": position.pk, "version": inspection.version_id, "ends_on": _later()}
    r = world.client.post("/api/v1/inspections", payload, content_type="application/json")
    return Outcome(r.status_code == 201 and Inspection.objects.filter(position=position).exists(), r.status_code)


def _update(world, inspection, relation):
    payload = {"answers": {"fixed_space": True}}
    r = world.client.post(f"/api/v1/inspections/{inspection.pk}/findings", payload, content_type="application/json")
    return Outcome(r.status_code == 200 and inspection.findings.filter(item__key="fixed_space").exists(), r.status_code)


def _operate(world, inspection, relation):
    payload = {"to_state": "cancelled", "reason": "矩阵"}
    r = world.client.post(f"/api/v1/inspections/{inspection.pk}/transition", payload, content_type="application/json")
    moved = Inspection.objects.get(pk=inspection.pk).state == InspectionState.CANCELLED
    return Outcome(r.status_code == 200 and moved, r.status_code)


INSPECTORS = dict.fromkeys(("list", "detail", "history", "create", "update", "operate"), OWN_AND_BELOW)
READERS = dict.fromkeys(("list", "detail", "history"), OWN_AND_BELOW)

CASES = [
    ScopeCase(
        model="inspections.inspection",
        make_target=_inspection,
        probes={
            ("api", "list"): _list,
            ("api", "detail"): _detail,
            ("api", "history"): _history,
            ("api", "create"): _create,
            ("api", "update"): _update,
            ("api", "operate"): _operate,
        },
        expected={
            Role.FEDERATION_ADMIN: INSPECTORS,
            Role.UNIT_ADMIN: INSPECTORS,
            Role.STATION_MANAGER: {},
            Role.REVIEWER: {},
            Role.SOCIAL_ORG: {},
            Role.AUDITOR: READERS,
            Role.SECURITY_ADMIN: {},
            Role.SYSTEM_ADMIN: {},
        },
    )
]


# ------------------------------------------------------------------ spot-check draws


def _draw(world: World, relation: str) -> SpotCheckDraw:
    unit = world.units[relation]
    PositionFactory(unit=unit, state=PositionState.OPERATING)
    record = SpotCheckDraw(
        unit=unit,
        version=shipped_version(_root(unit)),
        strata=[],
        size=1,
        seed=1,
        eligible=0,
        picked=0,
        drawn_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        drawn_by="matrix",
    )
    record.save()
    return record


def _draw_list(world, record, relation):
    r = world.client.get("/api/v1/inspections/draws")
    return Outcome(r.status_code == 200 and record.pk in [d["id"] for d in r.json()], r.status_code)


def _draw_detail(world, record, relation):
    r = world.client.get(f"/api/v1/inspections/draws/{record.pk}")
    return Outcome(r.status_code == 200 and r.json()["id"] == record.pk, r.status_code)


def _draw_create(world, record, relation):
    unit = world.units[relation]
    payload = {"units": [unit.pk], "version": record.version_id, "ends_on": _later(), "size": 1}
    r = world.client.post("/api/v1/inspections/draws", payload, content_type="application/json")
    made = r.status_code == 201 and SpotCheckDraw.objects.filter(pk=r.json()["id"], strata__0__unit=unit.pk).exists()
    return Outcome(made, r.status_code)


DRAWERS = dict.fromkeys(("list", "detail", "create"), OWN_AND_BELOW)

CASES.append(
    ScopeCase(
        model="inspections.spotcheckdraw",
        make_target=_draw,
        probes={
            ("api", "list"): _draw_list,
            ("api", "detail"): _draw_detail,
            ("api", "create"): _draw_create,
        },
        expected={
            Role.FEDERATION_ADMIN: DRAWERS,
            Role.UNIT_ADMIN: DRAWERS,
            Role.STATION_MANAGER: {},
            Role.REVIEWER: {},
            Role.SOCIAL_ORG: {},
            Role.AUDITOR: {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW},
            Role.SECURITY_ADMIN: {},
            Role.SYSTEM_ADMIN: {},
        },
    )
)


# ------------------------------------------------------------------ rectifications


def _rectification(world: World, relation: str) -> Rectification:
    unit = world.units[relation]
    position = PositionFactory(unit=unit, state=PositionState.OPERATING)
    inspection = InspectionFactory(position=position, unit=unit, state=InspectionState.SUBMITTED)
    items = {item.key: item for item in inspection.applicable_items()}
    findings = {}
    for key in ("fixed_space", "online_map"):
        findings[key] = InspectionFinding(inspection=inspection, item=items[key], met=False, yes=False)
        findings[key].save()
    rectification = Rectification(
        inspection=inspection,
        finding=findings["fixed_space"],
        position=position,
        owner_unit=unit,
        requirement="矩阵",
        deadline=timezone.localdate() + timedelta(days=7),
        created_by="matrix",
    )
    rectification.save()
    return rectification


def _r_list(world, rectification, relation):
    r = world.client.get("/api/v1/inspections/rectifications")
    return Outcome(r.status_code == 200 and rectification.pk in [x["id"] for x in r.json()], r.status_code)


def _r_detail(world, rectification, relation):
    r = world.client.get(f"/api/v1/inspections/rectifications/{rectification.pk}")
    return Outcome(r.status_code == 200 and r.json()["id"] == rectification.pk, r.status_code)


def _r_history(world, rectification, relation):
    r = world.client.get(f"/api/v1/inspections/rectifications/{rectification.pk}/history")
    return Outcome(r.status_code == 200 and isinstance(r.json(), list), r.status_code)


def _r_create(world, rectification, relation):
    payload = {
        "inspection": rectification.inspection_id,
        "item": "online_map",
        "requirement": "在线上地图标注",
        "deadline": _later(7),
    }
    r = world.client.post("/api/v1/inspections/rectifications", payload, content_type="application/json")
    made = Rectification.objects.filter(
        finding__inspection=rectification.inspection_id, finding__item__key="online_map"
    )
    return Outcome(r.status_code == 201 and made.exists(), r.status_code)


def _r_operate(world, rectification, relation):
    photo = SimpleUploadedFile("after.jpg", jpeg(), content_type="image/jpeg")
    r = world.client.post(f"/api/v1/inspections/rectifications/{rectification.pk}/submit", {"photos": [photo]})
    moved = Rectification.objects.get(pk=rectification.pk).state == RectificationState.SUBMITTED
    return Outcome(r.status_code == 200 and moved, r.status_code)


OWNERS = dict.fromkeys(("list", "detail", "history", "create", "operate"), OWN_AND_BELOW)

CASES.append(
    ScopeCase(
        model="inspections.rectification",
        make_target=_rectification,
        probes={
            ("api", "list"): _r_list,
            ("api", "detail"): _r_detail,
            ("api", "history"): _r_history,
            ("api", "create"): _r_create,
            ("api", "operate"): _r_operate,
        },
        expected={
            Role.FEDERATION_ADMIN: OWNERS,
            Role.UNIT_ADMIN: OWNERS,
            Role.STATION_MANAGER: {"list": OWN, "detail": OWN, "history": OWN, "operate": OWN},
            Role.REVIEWER: {},
            Role.SOCIAL_ORG: {},
            Role.AUDITOR: READERS,
            Role.SECURITY_ADMIN: {},
            Role.SYSTEM_ADMIN: {},
        },
    )
)
