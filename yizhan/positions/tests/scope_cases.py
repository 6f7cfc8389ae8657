"""Scope-matrix declaration for positions, their hours exceptions and photos (see
yizhan/orgs/testing/scope_matrix.py).

The matrix's units carry areas without boundaries, so points are accepted wherever they fall;
the area rules have their own tests in services/test_position_create.py. Updates send the
version the record is at (optimistic locking: a stale or missing one would be refused whoever
sends it, and the matrix is about who may, not about when).
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from yizhan.core.roles import Role
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World, page_status
from yizhan.positions.choices import PositionState
from yizhan.positions.models import HoursException, Position, PositionPhoto, PositionStateChange
from yizhan.positions.tests.factories import HoursExceptionFactory, PositionFactory

# A form's unit list offers only the units in scope: another unit is an "invalid choice", the
# same answer as a unit that does not exist.
INVALID_CHOICE = "选择一个有效的选项"

OWN_AND_BELOW = frozenset({"own", "child"})
OWN = frozenset({"own"})


def _target(world: World, relation: str) -> Position:
    position = PositionFactory(code=world.fresh(f"M-{relation}-"), unit=world.units[relation])
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


def _version(position: Position) -> int:
    return Position.objects.values_list("version", flat=True).get(pk=position.pk)


def _short_name(position: Position) -> str:
    return Position.objects.values_list("short_name", flat=True).get(pk=position.pk)


def _api_update(world, position, relation):
    body = {"short_name": "矩阵", "version": _version(position)}
    r = world.client.patch(f"/api/v1/positions/{position.pk}", body, content_type="application/json")
    return Outcome(r.status_code == 200 and _short_name(position) == "矩阵", r.status_code)


def _exported_codes(content: bytes) -> set[str]:
    return {feature["properties"]["code"] for feature in json.loads(content)["features"]}


def _api_export(world, position, relation):
    r = world.client.get("/api/v1/positions/export", {"format": "geojson"})
    return Outcome(r.status_code == 200 and position.code in _exported_codes(r.content), r.status_code)


def _api_operate(world, position, relation):
    r = world.client.post(
        f"/api/v1/positions/{position.pk}/transition", {"to_state": "building"}, content_type="application/json"
    )
    moved = Position.objects.get(pk=position.pk).state == PositionState.BUILDING
    return Outcome(r.status_code == 200 and moved, r.status_code)


def _page_list(world, position, relation):
    r = world.client.get("/staff/positions/")
    return Outcome(r.status_code == 200 and f"/staff/positions/{position.pk}/" in r.content.decode(), r.status_code)


def _page_detail(world, position, relation):
    r = world.client.get(f"/staff/positions/{position.pk}/")
    return Outcome(r.status_code == 200 and position.code in r.content.decode(), r.status_code)


def _form(position: Position, **changes) -> dict:
    """The staff form's fields for `position` as stored (the required ones and the matrix's own)."""
    return {
        "code": position.code,
        "kind": position.kind,
        "official_name": position.official_name,
        "short_name": position.short_name,
        "unit": position.unit_id,
        "region": position.region_id,
        "address": position.address,
        "crs": "gcj02",
        "lng": position.lng,
        "lat": position.lat,
        "construction_type": position.construction_type,
        "build_mode": position.build_mode,
        "build_nature": position.build_nature,
        "entry_method": position.entry_method,
        "no_app_needed": "on",
        **changes,
    }


def _page_create(world, position, relation):
    code = world.fresh("NEWP-")
    form = _form(position, code=code, official_name=f"工会户外劳动者服务站点·新{code}", short_name="")
    r = world.client.post("/staff/positions/new/", form)
    created = Position.objects.filter(code=code, unit_id=position.unit_id).exists()
    return Outcome(r.status_code == 302 and created, page_status(r, INVALID_CHOICE))


def _page_update(world, position, relation):
    form = _form(position, short_name="矩阵", version=_version(position))
    r = world.client.post(f"/staff/positions/{position.pk}/edit/", form)
    return Outcome(r.status_code == 302 and _short_name(position) == "矩阵", r.status_code)


def _page_export(world, position, relation):
    r = world.client.get("/staff/positions/export/", {"format": "geojson"})
    return Outcome(r.status_code == 200 and position.code in _exported_codes(r.content), r.status_code)


def _page_operate(world, position, relation):
    r = world.client.post(f"/staff/positions/{position.pk}/transition/", {"to_state": "building"})
    moved = Position.objects.get(pk=position.pk).state == PositionState.BUILDING
    return Outcome(r.status_code == 302 and moved, r.status_code)


def _admin_list(world, position, relation):
    r = world.client.get("/admin/positions/position/")
    link = f"/admin/positions/position/{position.pk}/change/"
    return Outcome(r.status_code == 200 and link in r.content.decode(), r.status_code)


def _api_history(world, position, relation):
    r = world.client.get(f"/api/v1/positions/{position.pk}/history")
    moves = [(item["to_state"], item["actor_name"]) for item in r.json()] if r.status_code == 200 else []
    return Outcome((PositionState.PLANNED, "matrix") in moves, r.status_code)


def _admin_history(world, position, relation):
    r = world.client.get("/admin/positions/positionstatechange/", {"position__id__exact": position.pk})
    return Outcome(r.status_code == 200 and position.official_name in r.content.decode(), r.status_code)


MANAGER = {"manager_name": "矩阵甲", "manager_phone": "13800001234"}


def _with_manager(position: Position) -> None:
    Position.objects.filter(pk=position.pk).update(**MANAGER)


def _api_reveal(world, position, relation):
    _with_manager(position)
    r = world.client.post(f"/api/v1/positions/{position.pk}/reveal")
    return Outcome(r.status_code == 200 and r.json() == MANAGER, r.status_code)


def _page_reveal(world, position, relation):
    _with_manager(position)
    r = world.client.post(f"/staff/positions/{position.pk}/reveal/")
    return Outcome(r.status_code == 200 and MANAGER["manager_phone"] in r.content.decode(), r.status_code)


ADMINS = {
    "reveal": OWN_AND_BELOW,
    "list": OWN_AND_BELOW,
    "detail": OWN_AND_BELOW,
    "create": OWN_AND_BELOW,
    "update": OWN_AND_BELOW,
    "export": OWN_AND_BELOW,
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
        ("api", "export"): _api_export,
        ("api", "operate"): _api_operate,
        ("api", "history"): _api_history,
        ("api", "reveal"): _api_reveal,
        ("page", "list"): _page_list,
        ("page", "reveal"): _page_reveal,
        ("page", "detail"): _page_detail,
        ("page", "create"): _page_create,
        ("page", "update"): _page_update,
        ("page", "export"): _page_export,
        ("page", "operate"): _page_operate,
        ("admin", "list"): _admin_list,
        ("admin", "history"): _admin_history,
    },
    expected={
        Role.FEDERATION_ADMIN: {**ADMINS, "history": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {**ADMINS, "history": OWN_AND_BELOW},
        # Spec §11: the manager's full name and phone, revealed (audited) to those who run the
        # position and the admins above it (core/personal_data.py), nobody else.
        Role.STATION_MANAGER: {"list": OWN, "detail": OWN, "operate": OWN, "history": OWN, "reveal": OWN},
        Role.REVIEWER: {"list": OWN, "detail": OWN, "history": OWN},
        Role.SOCIAL_ORG: {},
        # The auditor may export what it may read (it checks the registry); the other separated
        # roles only look.
        Role.AUDITOR: {**READERS, "export": OWN_AND_BELOW, "history": OWN_AND_BELOW},
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
    return HoursExceptionFactory(position=position, day=day, reason=f"{EXCEPTION_MARKER}{position.code}")


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


# Photos take the position's permissions too: its viewers see them on its page and in the admin;
# those who edit the position or run it (station managers, spec §1 "status, photos") add and remove
# them. An actor that may see the position but not manage photos is refused (403).
def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def _photo_target(world: World, relation: str) -> PositionPhoto:
    position = _target(world, relation)
    photo = PositionPhoto(position=position, caption=f"矩阵照片{position.code}", uploaded_by="matrix")
    photo.image.save(f"matrix-{position.code}.jpg", ContentFile(_jpeg()), save=False)
    photo.save()
    return photo


def _photo_page_detail(world, photo, relation):
    r = world.client.get(f"/staff/positions/{photo.position_id}/")
    return Outcome(r.status_code == 200 and photo.caption in r.content.decode(), r.status_code)


def _photo_page_create(world, photo, relation):
    upload = ContentFile(_jpeg(), name="new.jpg")
    r = world.client.post(f"/staff/positions/{photo.position_id}/photos/", {"image": upload, "caption": "新照片"})
    created = PositionPhoto.objects.filter(position_id=photo.position_id, caption="新照片").exists()
    return Outcome(r.status_code == 302 and created, r.status_code)


def _photo_page_delete(world, photo, relation):
    r = world.client.post(f"/staff/positions/{photo.position_id}/photos/{photo.pk}/remove/")
    gone = not PositionPhoto.objects.filter(pk=photo.pk).exists()
    return Outcome(r.status_code == 302 and gone, r.status_code)


def _photo_admin_list(world, photo, relation):
    r = world.client.get("/admin/positions/positionphoto/")
    link = f"/admin/positions/positionphoto/{photo.pk}/change/"
    return Outcome(r.status_code == 200 and link in r.content.decode(), r.status_code)


PHOTO_MANAGERS = {"detail": OWN_AND_BELOW, "list": OWN_AND_BELOW, "create": OWN_AND_BELOW, "delete": OWN_AND_BELOW}

PHOTO_CASE = ScopeCase(
    model="positions.positionphoto",
    make_target=_photo_target,
    probes={
        ("page", "detail"): _photo_page_detail,
        ("page", "create"): _photo_page_create,
        ("page", "delete"): _photo_page_delete,
        ("admin", "list"): _photo_admin_list,
    },
    expected={
        Role.FEDERATION_ADMIN: PHOTO_MANAGERS,
        Role.UNIT_ADMIN: PHOTO_MANAGERS,
        Role.STATION_MANAGER: {"detail": OWN, "list": OWN, "create": OWN, "delete": OWN},
        Role.REVIEWER: {"detail": OWN, "list": OWN},
        Role.SOCIAL_ORG: {},
        Role.AUDITOR: READERS,
        Role.SECURITY_ADMIN: READERS,
        Role.SYSTEM_ADMIN: READERS,
    },
)

CASES = [POSITION_CASE, HOURS_EXCEPTION_CASE, PHOTO_CASE]
