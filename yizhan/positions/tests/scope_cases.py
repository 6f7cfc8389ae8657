"""Scope-matrix declaration for positions (see yizhan/core/testing/scope_matrix.py).

The matrix's units carry areas without boundaries, so points are accepted wherever they fall;
the area rules have their own tests in services/test_position_create.py.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from yizhan.core.roles import Role
from yizhan.core.testing.scope_matrix import Outcome, ScopeCase, World
from yizhan.positions.choices import ConstructionType, PositionKind, PositionState
from yizhan.positions.models import HoursException, Position, PositionStateChange

OWN_AND_BELOW = frozenset({"own", "child"})
OWN = frozenset({"own"})


def _target(world: World, relation: str) -> Position:
    unit = world.units[relation]
    code = world.fresh(f"M-{relation}-")
    position = Position.objects.create(
        code=code,
        kind=PositionKind.STATION,
        official_name=f"工会户外劳动者服务站点·矩阵{code}",
        unit=unit,
        region=unit.region,
        address="矩阵路 1 号",
        lng=121.64,
        lat=38.92,
        construction_type=ConstructionType.MERCHANT,
    )
    PositionStateChange.objects.create(
        position=position, to_state=PositionState.PLANNED, effective_on=date(2026, 1, 1), actor_name="matrix"
    )
    return position


def _api_list(world, position, relation):
    r = world.client.get("/api/v1/positions", {"limit": 500})
    ids = {item["id"] for item in r.json()["items"]} if r.status_code == 200 else set()
    return Outcome(position.pk in ids, r.status_code)


def _api_detail(world, position, relation):
    r = world.client.get(f"/api/v1/positions/{position.pk}")
    return Outcome(r.status_code == 200 and r.json()["code"] == position.code, r.status_code)


def _api_create(world, position, relation):
    code = world.fresh("NEWP-")
    body = {
        "code": code,
        "kind": "station",
        "official_name": f"工会户外劳动者服务站点·新{code}",
        "unit_id": position.unit_id,
        "region_adcode": position.unit.region.adcode,
        "address": "新路 2 号",
        "lng": 121.65,
        "lat": 38.93,
        "construction_type": "merchant",
    }
    r = world.client.post("/api/v1/positions", body, content_type="application/json")
    return Outcome(r.status_code == 201 and Position.objects.filter(code=code).exists(), r.status_code)


def _api_update(world, position, relation):
    r = world.client.patch(f"/api/v1/positions/{position.pk}", {"short_name": "矩阵"}, content_type="application/json")
    changed = Position.objects.get(pk=position.pk).short_name == "矩阵"
    return Outcome(r.status_code == 200 and changed, r.status_code)


def _api_operate(world, position, relation):
    r = world.client.post(
        f"/api/v1/positions/{position.pk}/transition", {"to_state": "building"}, content_type="application/json"
    )
    moved = Position.objects.get(pk=position.pk).state == PositionState.BUILDING
    return Outcome(r.status_code == 200 and moved, r.status_code)


def _admin_list(world, position, relation):
    r = world.client.get("/admin/positions/position/")
    link = f"/admin/positions/position/{position.pk}/change/"
    return Outcome(r.status_code == 200 and link in r.content.decode(), r.status_code)


def _admin_history(world, position, relation):
    r = world.client.get("/admin/positions/positionstatechange/", {"position__id__exact": position.pk})
    return Outcome(r.status_code == 200 and position.official_name in r.content.decode(), r.status_code)


ADMINS = {
    "list": OWN_AND_BELOW,
    "detail": OWN_AND_BELOW,
    "create": OWN_AND_BELOW,
    "update": OWN_AND_BELOW,
    "operate": OWN_AND_BELOW,
}
READERS = {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW}

POSITION_CASE = ScopeCase(
    model="positions.position",
    make_target=_target,
    probes={
        ("api", "list"): _api_list,
        ("api", "detail"): _api_detail,
        ("api", "create"): _api_create,
        ("api", "update"): _api_update,
        ("api", "operate"): _api_operate,
        ("admin", "list"): _admin_list,
        ("admin", "history"): _admin_history,
    },
    expected={
        Role.FEDERATION_ADMIN: {**ADMINS, "history": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {**ADMINS, "history": OWN_AND_BELOW},
        Role.STATION_MANAGER: {"list": OWN, "detail": OWN, "operate": OWN, "history": OWN},
        Role.REVIEWER: {"list": OWN, "detail": OWN, "history": OWN},
        Role.SOCIAL_ORG: {},
        Role.AUDITOR: {**READERS, "history": OWN_AND_BELOW},
        Role.SECURITY_ADMIN: {**READERS, "history": OWN_AND_BELOW},
        Role.SYSTEM_ADMIN: {**READERS, "history": OWN_AND_BELOW},
    },
)


# Hours exceptions take the position's permissions (scope_permissions_from): the position's viewers
# see them on its page, in the API and the admin; those who may update the position add, change and
# delete them. Each probe acts on the target position's own exception.
EXCEPTION_MARKER = "矩阵例外"


def _exception_target(world: World, relation: str) -> HoursException:
    position = _target(world, relation)
    day = timezone.localdate() + timedelta(days=10)
    return HoursException.objects.create(
        position=position, start=day, end=day, closed=True, reason=f"{EXCEPTION_MARKER}{position.code}"
    )


def _new_day() -> date:
    return timezone.localdate() + timedelta(days=20)


def _created(exception: HoursException) -> bool:
    return HoursException.objects.filter(position_id=exception.position_id, start=_new_day()).exists()


def _reason(exception: HoursException) -> str | None:
    return HoursException.objects.filter(pk=exception.pk).values_list("reason", flat=True).first()


def _exc_api_detail(world, exception, relation):
    r = world.client.get(f"/api/v1/positions/{exception.position_id}/hours-exceptions")
    ids = {item["id"] for item in r.json()} if r.status_code == 200 else set()
    return Outcome(exception.pk in ids, r.status_code)


def _exc_api_create(world, exception, relation):
    body = {"start": _new_day().isoformat(), "end": _new_day().isoformat(), "reason": "新例外"}
    r = world.client.post(
        f"/api/v1/positions/{exception.position_id}/hours-exceptions", body, content_type="application/json"
    )
    return Outcome(r.status_code == 201 and _created(exception), r.status_code)


def _exc_api_update(world, exception, relation):
    r = world.client.patch(
        f"/api/v1/positions/{exception.position_id}/hours-exceptions/{exception.pk}",
        {"reason": "改过"},
        content_type="application/json",
    )
    return Outcome(r.status_code == 200 and _reason(exception) == "改过", r.status_code)


def _exc_api_delete(world, exception, relation):
    r = world.client.delete(f"/api/v1/positions/{exception.position_id}/hours-exceptions/{exception.pk}")
    return Outcome(r.status_code == 204 and _reason(exception) is None, r.status_code)


def _exc_page_detail(world, exception, relation):
    r = world.client.get(f"/staff/positions/{exception.position_id}/")
    return Outcome(r.status_code == 200 and exception.reason in r.content.decode(), r.status_code)


def _exc_form(reason: str) -> dict:
    return {"start": _new_day().isoformat(), "end": _new_day().isoformat(), "closed": "on", "reason": reason}


def _exc_page_create(world, exception, relation):
    r = world.client.post(f"/staff/positions/{exception.position_id}/hours-exceptions/new/", _exc_form("新例外"))
    return Outcome(r.status_code == 302 and _created(exception), r.status_code)


def _exc_page_update(world, exception, relation):
    r = world.client.post(
        f"/staff/positions/{exception.position_id}/hours-exceptions/{exception.pk}/edit/", _exc_form("改过")
    )
    return Outcome(r.status_code == 302 and _reason(exception) == "改过", r.status_code)


def _exc_page_delete(world, exception, relation):
    r = world.client.post(f"/staff/positions/{exception.position_id}/hours-exceptions/{exception.pk}/delete/")
    return Outcome(r.status_code == 302 and _reason(exception) is None, r.status_code)


def _exc_admin_list(world, exception, relation):
    r = world.client.get("/admin/positions/hoursexception/")
    link = f"/admin/positions/hoursexception/{exception.pk}/change/"
    return Outcome(r.status_code == 200 and link in r.content.decode(), r.status_code)


EXCEPTION_WRITERS = {
    "detail": OWN_AND_BELOW,
    "list": OWN_AND_BELOW,
    "create": OWN_AND_BELOW,
    "update": OWN_AND_BELOW,
    "delete": OWN_AND_BELOW,
}

HOURS_EXCEPTION_CASE = ScopeCase(
    model="positions.hoursexception",
    make_target=_exception_target,
    probes={
        ("api", "detail"): _exc_api_detail,
        ("api", "create"): _exc_api_create,
        ("api", "update"): _exc_api_update,
        ("api", "delete"): _exc_api_delete,
        ("page", "detail"): _exc_page_detail,
        ("page", "create"): _exc_page_create,
        ("page", "update"): _exc_page_update,
        ("page", "delete"): _exc_page_delete,
        ("admin", "list"): _exc_admin_list,
    },
    expected={
        Role.FEDERATION_ADMIN: EXCEPTION_WRITERS,
        Role.UNIT_ADMIN: EXCEPTION_WRITERS,
        Role.STATION_MANAGER: {"detail": OWN, "list": OWN},
        Role.REVIEWER: {"detail": OWN, "list": OWN},
        Role.SOCIAL_ORG: {},
        Role.AUDITOR: READERS,
        Role.SECURITY_ADMIN: READERS,
        Role.SYSTEM_ADMIN: READERS,
    },
)

CASES = [POSITION_CASE, HOURS_EXCEPTION_CASE]
