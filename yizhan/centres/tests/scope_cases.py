"""Scope-matrix declarations (yizhan/orgs/testing/scope_matrix.py) of the service-centre acceptance.
A federation opens rounds at its own unit, seen by every unit inside it (and by itself from below:
the rounds of the federations above); applications and model centres belong to the centre's unit
and are reached by the federation and unit admins of that unit's subtree."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yizhan.centres.choices import ApplicationState
from yizhan.centres.models import AcceptanceRound, Application, ChecklistItem, ModelCentre
from yizhan.core.roles import Role
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World
from yizhan.positions.choices import CentreLevel, PositionKind
from yizhan.positions.tests.factories import PositionFactory

JSON = "application/json"
OWN_AND_BELOW = frozenset({"own", "child"})
SEEN = frozenset({"own", "child", "parent"})


def _ids(r) -> set[int]:
    if r.status_code != 200:
        return set()
    body = r.json()
    items = body["items"] if isinstance(body, dict) else body
    return {item["id"] for item in items}


def _round(world: World, relation: str) -> AcceptanceRound:
    today = timezone.localdate()
    return AcceptanceRound.objects.create(
        unit=world.units[relation],
        year=2000 + len(world.fresh("y")),
        title=f"矩阵验收{world.fresh(relation)}",
        deadline=today + dt.timedelta(days=30),
    )


def _centre(world: World, relation: str):
    unit = world.units[relation]
    return PositionFactory(
        unit=unit,
        kind=PositionKind.CENTRE,
        centre_level=CentreLevel.DISTRICT,
        official_name=f"矩阵职工服务中心{world.fresh(relation)}",
    )


# --- rounds ---------------------------------------------------------------------------------------


def _r_api_list(world, target, relation):
    r = world.client.get("/api/v1/centres/rounds", {"limit": 500})
    return Outcome(target.pk in _ids(r), r.status_code)


def _r_api_create(world, target, relation):
    body = {"unit_id": target.unit_id, "year": 2099, "deadline": "2099-10-30"}
    r = world.client.post("/api/v1/centres/rounds", body, content_type=JSON)
    made = AcceptanceRound.objects.filter(unit_id=target.unit_id, year=2099).exists()
    return Outcome(r.status_code == 201 and made, r.status_code)


ROUND_CASE = ScopeCase(
    model="centres.acceptanceround",
    make_target=_round,
    probes={("api", "list"): _r_api_list, ("api", "create"): _r_api_create},
    expected={
        Role.FEDERATION_ADMIN: {"list": SEEN, "create": frozenset({"own"})},
        Role.UNIT_ADMIN: {"list": SEEN},
    },
)


# --- applications ---------------------------------------------------------------------------------


def _application(world, relation):
    """A draft whose self-check is complete, in a round of the root federation (seen by all)."""
    root = world.units["parent"]
    while not root.is_root():
        root = type(root).objects.get(path=root.path[: type(root).steplen])
    acceptance_round = AcceptanceRound.objects.filter(unit=root).first() or _round_at(world, root)
    centre = _centre(world, relation)
    application = Application.objects.create(
        round=acceptance_round, centre=centre, unit=centre.unit, centre_level=centre.centre_level, self_report="自查"
    )
    ChecklistItem.objects.create(
        application=application, order=1, key="six-haves.plaque", part="hardware", text="有服务中心标牌", self_met=True
    )
    return application


def _round_at(world, unit):
    return AcceptanceRound.objects.create(
        unit=unit, year=2001, title="矩阵根批次", deadline=timezone.localdate() + dt.timedelta(days=30)
    )


def _a_api_list(world, application, relation):
    r = world.client.get("/api/v1/centres", {"limit": 500})
    return Outcome(application.pk in _ids(r), r.status_code)


def _a_api_detail(world, application, relation):
    r = world.client.get(f"/api/v1/centres/{application.pk}")
    return Outcome(r.status_code == 200 and r.json()["id"] == application.pk, r.status_code)


def _a_api_create(world, application, relation):
    from yizhan.standards.services import standard_defaults_load

    standard_defaults_load(unit=application.round.unit)
    centre = _centre(world, relation)
    body = {"round_id": application.round_id, "centre_id": centre.pk}
    r = world.client.post("/api/v1/centres", body, content_type=JSON)
    made = Application.objects.filter(centre=centre).exists()
    return Outcome(r.status_code == 201 and made, r.status_code)


def _a_api_update(world, application, relation):
    r = world.client.put(f"/api/v1/centres/{application.pk}/self-check", {"self_report": "矩阵改"}, content_type=JSON)
    changed = Application.objects.filter(pk=application.pk, self_report="矩阵改").exists()
    return Outcome(r.status_code == 200 and changed, r.status_code)


def _a_api_operate(world, application, relation):
    r = world.client.post(f"/api/v1/centres/{application.pk}/file")
    moved = Application.objects.filter(pk=application.pk, state=ApplicationState.FILED).exists()
    return Outcome(r.status_code == 200 and moved, r.status_code)


def _a_page_list(world, application, relation):
    r = world.client.get("/staff/centres/")
    return Outcome(r.status_code == 200 and application.centre.official_name in r.content.decode(), r.status_code)


def _a_page_detail(world, application, relation):
    r = world.client.get(f"/staff/centres/{application.pk}/")
    return Outcome(r.status_code == 200 and application.centre.official_name in r.content.decode(), r.status_code)


def _a_page_operate(world, application, relation):
    r = world.client.post(f"/staff/centres/{application.pk}/file/")
    moved = Application.objects.filter(pk=application.pk, state=ApplicationState.FILED).exists()
    return Outcome(r.status_code == 302 and moved, r.status_code)


def _a_page_export(world, application, relation):
    r = world.client.get(f"/staff/centres/{application.pk}/form.xlsx")
    return Outcome(r.status_code == 200 and r.content.startswith(b"PK"), r.status_code)


ADMIN_APPLICATION = dict.fromkeys(("list", "detail", "create", "update", "operate", "export"), OWN_AND_BELOW)

APPLICATION_CASE = ScopeCase(
    model="centres.application",
    make_target=_application,
    probes={
        ("api", "list"): _a_api_list,
        ("api", "detail"): _a_api_detail,
        ("api", "create"): _a_api_create,
        ("api", "update"): _a_api_update,
        ("api", "operate"): _a_api_operate,
        ("page", "list"): _a_page_list,
        ("page", "detail"): _a_page_detail,
        ("page", "operate"): _a_page_operate,
        ("page", "export"): _a_page_export,
    },
    expected={Role.FEDERATION_ADMIN: ADMIN_APPLICATION, Role.UNIT_ADMIN: ADMIN_APPLICATION},
)


# --- model centres --------------------------------------------------------------------------------


def _model(world, relation):
    centre = _centre(world, relation)
    return ModelCentre.objects.create(
        unit=world.units[relation], centre=centre, year=timezone.localdate().year, designated_by="matrix"
    )


def _m_page_list(world, model, relation):
    r = world.client.get("/staff/centres/models/")
    return Outcome(r.status_code == 200 and model.centre.official_name in r.content.decode(), r.status_code)


def _m_page_create(world, model, relation):
    year = model.year + 1
    data = {"unit": model.unit_id, "centre": model.centre_id, "year": str(year)}
    r = world.client.post("/staff/centres/models/", data)
    made = ModelCentre.objects.filter(centre=model.centre, year=year).exists()
    return Outcome(r.status_code == 302 and made, r.status_code)


MODEL_CASE = ScopeCase(
    model="centres.modelcentre",
    make_target=_model,
    probes={("page", "list"): _m_page_list, ("page", "create"): _m_page_create},
    expected={
        Role.FEDERATION_ADMIN: {"list": OWN_AND_BELOW, "create": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {"list": OWN_AND_BELOW, "create": OWN_AND_BELOW},
    },
)

CASES = [ROUND_CASE, APPLICATION_CASE, MODEL_CASE]
