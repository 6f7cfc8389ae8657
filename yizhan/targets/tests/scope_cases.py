"""Scope-matrix declarations (see yizhan/orgs/testing/scope_matrix.py) of targets and reported
figures. A federation admin reads and sets targets anywhere in its subtree, its own unit included;
a unit admin reads its own unit's targets and those below, and sets (creates, changes, deletes)
only those below — its own unit's are set from above. Both read and report figures for their
subtree. Other roles have neither. No admin pages."""

from __future__ import annotations

import datetime as dt

from yizhan.core.roles import Role
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World
from yizhan.targets.models import ReportedFigure, Target

OWN_AND_BELOW = frozenset({"own", "child"})
BELOW = frozenset({"child"})
NOBODY = {
    Role.STATION_MANAGER: {},
    Role.REVIEWER: {},
    Role.SOCIAL_ORG: {},
    Role.AUDITOR: {},
    Role.SECURITY_ADMIN: {},
    Role.SYSTEM_ADMIN: {},
}
DUE = dt.date(2030, 12, 31)


def _target(world: World, relation: str) -> Target:
    marker = world.fresh("矩阵目标")
    return Target.objects.create(
        unit=world.units[relation], metric="stations_operating", value=5, due_on=DUE, basis=marker, set_by="matrix"
    )


def _api_list(world, target, relation):
    r = world.client.get("/api/v1/targets")
    ids = {t["id"] for t in r.json()} if r.status_code == 200 else set()
    return Outcome(target.pk in ids, r.status_code)


def _api_detail(world, target, relation):
    r = world.client.get(f"/api/v1/targets/{target.pk}")
    return Outcome(r.status_code == 200 and r.json()["basis"] == target.basis, r.status_code)


def _created(target) -> bool:
    return Target.objects.filter(unit_id=target.unit_id, due_on=DUE - dt.timedelta(days=1)).exists()


def _api_create(world, target, relation):
    body = {
        "unit_id": target.unit_id,
        "metric": "stations_operating",
        "value": "3",
        "due_on": str(DUE - dt.timedelta(days=1)),
    }
    r = world.client.post("/api/v1/targets", body, content_type="application/json")
    return Outcome(r.status_code == 201 and _created(target), r.status_code)


def _changed(target) -> bool:
    return Target.objects.filter(pk=target.pk, value=7).exists()


def _api_update(world, target, relation):
    r = world.client.put(
        f"/api/v1/targets/{target.pk}", {"value": "7", "due_on": str(DUE)}, content_type="application/json"
    )
    return Outcome(r.status_code == 200 and _changed(target), r.status_code)


def _api_delete(world, target, relation):
    r = world.client.delete(f"/api/v1/targets/{target.pk}")
    return Outcome(r.status_code == 204 and not Target.objects.filter(pk=target.pk).exists(), r.status_code)


def _page_list(world, target, relation):
    r = world.client.get("/staff/targets/")
    return Outcome(r.status_code == 200 and f"/staff/targets/{target.pk}/" in r.content.decode(), r.status_code)


def _page_detail(world, target, relation):
    r = world.client.get(f"/staff/targets/{target.pk}/")
    return Outcome(r.status_code == 200 and target.basis in r.content.decode(), r.status_code)


def _page_update(world, target, relation):
    r = world.client.post(f"/staff/targets/{target.pk}/", {"value": "7", "due_on": str(DUE)})
    return Outcome(r.status_code == 302 and _changed(target), r.status_code)


def _page_delete(world, target, relation):
    r = world.client.post(f"/staff/targets/{target.pk}/delete/")
    return Outcome(r.status_code == 302 and not Target.objects.filter(pk=target.pk).exists(), r.status_code)


TARGET_CASE = ScopeCase(
    model="targets.target",
    make_target=_target,
    probes={
        ("api", "list"): _api_list,
        ("api", "detail"): _api_detail,
        ("api", "create"): _api_create,
        ("api", "update"): _api_update,
        ("api", "delete"): _api_delete,
        ("page", "list"): _page_list,
        ("page", "detail"): _page_detail,
        ("page", "update"): _page_update,
        ("page", "delete"): _page_delete,
    },
    expected={
        Role.FEDERATION_ADMIN: {
            "list": OWN_AND_BELOW,
            "detail": OWN_AND_BELOW,
            "create": OWN_AND_BELOW,
            "update": OWN_AND_BELOW,
            "delete": OWN_AND_BELOW,
        },
        Role.UNIT_ADMIN: {
            "list": OWN_AND_BELOW,
            "detail": OWN_AND_BELOW,
            "create": BELOW,
            "update": BELOW,
            "delete": BELOW,
        },
        **NOBODY,
    },
)


# --- reported figures -----------------------------------------------------------------------------


def _figure(world: World, relation: str) -> ReportedFigure:
    return ReportedFigure.objects.create(
        unit=world.units[relation],
        metric="enterprises_covered",
        value=10,
        as_of=dt.date(2025, 1, 1),
        source=world.fresh("矩阵来源"),
        recorded_by="matrix",
    )


def _api_figures(world, figure, relation):
    r = world.client.get("/api/v1/targets/figures")
    ids = {f["id"] for f in r.json()} if r.status_code == 200 else set()
    return Outcome(figure.pk in ids, r.status_code)


def _api_figure_create(world, figure, relation):
    marker = f"矩阵填报{figure.pk}"
    body = {
        "unit_id": figure.unit_id,
        "metric": "enterprises_covered",
        "value": "12",
        "as_of": "2025-02-01",
        "source": marker,
    }
    r = world.client.post("/api/v1/targets/figures", body, content_type="application/json")
    return Outcome(r.status_code == 201 and ReportedFigure.objects.filter(source=marker).exists(), r.status_code)


def _page_figures(world, figure, relation):
    r = world.client.get("/staff/targets/figures/")
    return Outcome(r.status_code == 200 and figure.source in r.content.decode(), r.status_code)


FIGURE_CASE = ScopeCase(
    model="targets.reportedfigure",
    make_target=_figure,
    probes={
        ("api", "list"): _api_figures,
        ("api", "create"): _api_figure_create,
        ("page", "list"): _page_figures,
    },
    expected={
        Role.FEDERATION_ADMIN: {"list": OWN_AND_BELOW, "create": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {"list": OWN_AND_BELOW, "create": OWN_AND_BELOW},
        **NOBODY,
    },
)

CASES = [TARGET_CASE, FIGURE_CASE]
