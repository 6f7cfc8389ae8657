"""Masking of a position manager's name and phone (spec §11, issue 5 §4: "Staff views mask by
default; revealing needs a permission and writes an audit entry") in every staff channel: per role,
the detail page, the list page, the API detail and list, the xlsx export and the raw-data admin show
them masked to every role; the roles with the need (admins, the position's station manager) reveal
them with a button (POST) or POST /api/v1/positions/{id}/reveal, an admin exports them in full by
ticking a box, and opening the edit form reveals them: each writes an audit entry naming the fields,
never the values. Other roles are refused (403; 404 outside the scope). A masked value copied back
leaves the stored one as it is (the masked export imports back) or is refused; it never overwrites
it. The audit chain keeps the values masked. Public pages, public API answers and the poster never
carry them (no consent is recorded)."""

import io
import json
import re
import zipfile
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from yizhan.core import personal_data
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.positions import services
from yizhan.positions.imports.xlsx import positions_import
from yizhan.positions.models import Position
from yizhan.positions.poster import poster_sections
from yizhan.positions.spreadsheet import BY_FIELD, COLUMNS, HEADERS, position_row
from yizhan.positions.tests.test_import import workbook

NAME, PHONE = "张三丰", "13812345678"
MASKED_NAME, MASKED_PHONE = "张**", "138****5678"
# The full number, also when split by spaces or dashes (a template could format it).
FULL_PHONE = re.compile(r"138[\s-]?1234[\s-]?5678")
PERSONAL = ["manager_name", "manager_phone"]

# Where each role is attached (reviewers and station managers see their own unit only) and whether
# it may reveal the manager. Written out rather than read from the inventory, so that a change to
# either the inventory or a channel fails here.
ROLES = {
    Role.FEDERATION_ADMIN: ("city", True),
    Role.UNIT_ADMIN: ("zs", True),
    Role.STATION_MANAGER: ("zs", True),
    Role.REVIEWER: ("zs", False),
    Role.AUDITOR: ("city", False),
    Role.SECURITY_ADMIN: ("city", False),
    Role.SYSTEM_ADMIN: ("city", False),
}
REVEALERS = [role for role, (_unit, may) in ROLES.items() if may]
OTHERS = [role for role, (_unit, may) in ROLES.items() if not may]
EXPORTERS = {Role.FEDERATION_ADMIN, Role.UNIT_ADMIN, Role.AUDITOR}
EDITORS = [Role.FEDERATION_ADMIN, Role.UNIT_ADMIN]
XLSX_CHANNELS = ["/api/v1/positions/export?format=xlsx", "/staff/positions/export/?format=xlsx"]


@pytest.fixture
def position(make_position):
    return make_position(manager_name=NAME, manager_phone=PHONE, public_phone="0411-82345678")


@pytest.fixture
def client_as(dalian_map, make_user, login):
    def make(role: str, unit: str | None = None) -> Client:
        return login(make_user(role, dalian_map[unit or ROLES[role][0]]))

    return make


def xlsx_rows(content: bytes) -> list[dict]:
    sheet = load_workbook(BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]


def manager_cells(content: bytes) -> tuple:
    (row,) = xlsx_rows(content)
    return row[BY_FIELD["manager_name"].header], row[BY_FIELD["manager_phone"].header]


def reveals(position) -> list[AuditEntry]:
    """The audit entries recording a reveal of the position's manager."""
    entries = AuditEntry.objects.filter(action=AuditAction.REVEAL, object_type="positions.position")
    return [e for e in entries.filter(object_id=str(position.pk)) if (e.after or {}).get("revealed")]


def holds_no_personal_value(entry: AuditEntry) -> bool:
    text = json.dumps([entry.object_repr, entry.before, entry.after], ensure_ascii=False)
    return NAME not in text and not FULL_PHONE.search(text)


# — masked by default, for every role —


@pytest.mark.parametrize("role", list(ROLES))
def test_detail_page_masks_for_every_role(role, position, client_as):
    body = client_as(role).get(f"/staff/positions/{position.pk}/").content.decode()
    assert f"{MASKED_NAME} {MASKED_PHONE}" in body
    assert not FULL_PHONE.search(body) and NAME not in body
    assert (f"/staff/positions/{position.pk}/reveal/" in body) == ROLES[role][1]  # the reveal button
    assert not reveals(position)


@pytest.mark.parametrize("role", list(ROLES))
def test_api_detail_and_list_mask_for_every_role(role, position, client_as):
    client = client_as(role)
    detail = client.get(f"/api/v1/positions/{position.pk}").json()
    assert (detail["manager_name"], detail["manager_phone"]) == (MASKED_NAME, MASKED_PHONE)
    assert detail["public_phone"] == "0411-82345678"  # public contact data: never masked
    (item,) = client.get("/api/v1/positions").json()["items"]
    assert (item["manager_name"], item["manager_phone"]) == (MASKED_NAME, MASKED_PHONE)


@pytest.mark.parametrize("role", sorted(EXPORTERS))
@pytest.mark.parametrize("channel", XLSX_CHANNELS)
def test_xlsx_export_masks_by_default(role, channel, position, client_as):
    response = client_as(role).get(channel)
    assert response.status_code == 200
    assert manager_cells(response.content) == (MASKED_NAME, MASKED_PHONE)
    assert not reveals(position)


@pytest.mark.parametrize("role", [role for role in ROLES if role not in EXPORTERS])
def test_roles_without_export_get_no_file(role, position, client_as):
    assert client_as(role).get("/api/v1/positions/export?format=xlsx").status_code == 403


@pytest.mark.parametrize("role", list(ROLES))
def test_raw_data_admin_masks_for_every_role(role, position, client_as):
    response = client_as(role).get(f"/admin/positions/position/{position.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert not FULL_PHONE.search(body) and NAME not in body


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_carries_the_full_number_without_a_reveal(role, position, client_as):
    client = client_as(role)
    urls = [
        "/staff/positions/",
        "/staff/positions/map/points.json",
        f"/staff/positions/{position.pk}/",
        "/staff/positions/export/",
        "/api/v1/positions",
        f"/api/v1/positions/{position.pk}",
        f"/api/v1/positions/{position.pk}/history",
        "/api/v1/positions/export?format=xlsx",
        "/admin/positions/position/",
        f"/admin/positions/position/{position.pk}/change/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        assert not FULL_PHONE.search(response.content.decode("utf-8", "replace")), url
        if url.endswith("xlsx") and response.status_code == 200:
            assert PHONE not in str(xlsx_rows(response.content)), url
    if not ROLES[role][1]:
        # Only admins edit (and so see the stored value in the form): refused here, nothing revealed.
        edit = client.get(f"/staff/positions/{position.pk}/edit/")
        assert edit.status_code in (403, 404) and not FULL_PHONE.search(edit.content.decode())
    assert not reveals(position)


# — the reveal: allowed to the roles with the need, audited; refused to the others —


@pytest.mark.parametrize("role", REVEALERS)
def test_the_reveal_button_shows_the_full_values_and_is_audited(role, position, client_as):
    client = client_as(role)
    client.handler.enforce_csrf_checks = True
    assert client.post(f"/staff/positions/{position.pk}/reveal/").status_code == 403  # no CSRF token
    page = client.get(f"/staff/positions/{position.pk}/")
    response = client.post(
        f"/staff/positions/{position.pk}/reveal/", {"csrfmiddlewaretoken": page.context["csrf_token"]}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert NAME in body and PHONE in body and "已记入审计日志" in body
    (entry,) = reveals(position)
    assert entry.action == AuditAction.REVEAL
    assert entry.after == {"revealed": PERSONAL} and holds_no_personal_value(entry)


@pytest.mark.parametrize("role", REVEALERS)
def test_the_api_reveal_answers_the_full_values_and_is_audited(role, position, client_as):
    response = client_as(role).post(f"/api/v1/positions/{position.pk}/reveal")
    assert response.status_code == 200
    assert response.json() == {"manager_name": NAME, "manager_phone": PHONE}
    (entry,) = reveals(position)
    assert entry.action == AuditAction.REVEAL
    assert entry.after == {"revealed": PERSONAL} and holds_no_personal_value(entry)


@pytest.mark.parametrize("role", OTHERS)
@pytest.mark.parametrize("channel", ["/staff/positions/{pk}/reveal/", "/api/v1/positions/{pk}/reveal"])
def test_roles_without_the_need_are_refused_the_reveal(role, channel, position, client_as):
    response = client_as(role).post(channel.format(pk=position.pk))
    assert response.status_code == 403
    assert not FULL_PHONE.search(response.content.decode()) and NAME not in response.content.decode()
    assert not reveals(position)


@pytest.mark.parametrize("role", [Role.UNIT_ADMIN, Role.STATION_MANAGER])
@pytest.mark.parametrize("channel", ["/staff/positions/{pk}/reveal/", "/api/v1/positions/{pk}/reveal"])
def test_the_reveal_outside_the_scope_answers_404(role, channel, position, client_as):
    response = client_as(role, "xg").post(channel.format(pk=position.pk))
    assert response.status_code == 404
    assert not FULL_PHONE.search(response.content.decode())
    assert not reveals(position)


def test_the_api_reveal_needs_the_csrf_token(position, client_as):
    client = client_as(Role.UNIT_ADMIN)
    client.handler.enforce_csrf_checks = True
    assert client.post(f"/api/v1/positions/{position.pk}/reveal").status_code == 403
    assert not reveals(position)


def test_a_position_without_a_manager_reveals_nothing_to_record(make_position, client_as):
    empty = make_position(manager_name="", manager_phone="")
    client = client_as(Role.UNIT_ADMIN)
    assert f"/staff/positions/{empty.pk}/reveal/" not in client.get(f"/staff/positions/{empty.pk}/").content.decode()
    response = client.post(f"/api/v1/positions/{empty.pk}/reveal")
    assert response.json() == {"manager_name": "", "manager_phone": ""}
    assert not reveals(empty)


# — the xlsx in full: admins only, on request, audited —


def _full_export(client, channel: str):
    if channel.startswith("/api/"):
        return client.get(channel + "&full_personal_data=true")
    return client.post(channel, {"full_personal_data": "1"})


@pytest.mark.parametrize("role", EDITORS)
@pytest.mark.parametrize("channel", XLSX_CHANNELS)
def test_an_admin_may_export_the_full_values_audited(role, channel, position, client_as):
    client = client_as(role)
    assert "包含完整联系方式（将记入审计日志）" in client.get("/staff/positions/export/").content.decode()
    response = _full_export(client, channel)
    assert response.status_code == 200
    assert manager_cells(response.content) == (NAME, PHONE)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_type="positions.position", object_id="")
    assert entry.after["format"] == "xlsx" and entry.after["revealed"] == PERSONAL
    assert holds_no_personal_value(entry)


@pytest.mark.parametrize("channel", XLSX_CHANNELS)
def test_an_auditor_may_not_export_the_full_values(channel, position, client_as):
    client = client_as(Role.AUDITOR)
    assert "包含完整联系方式" not in client.get("/staff/positions/export/").content.decode()
    response = _full_export(client, channel)
    assert response.status_code == 403
    assert not FULL_PHONE.search(response.content.decode("utf-8", "replace"))
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT, object_type="positions.position").exists()


def test_the_full_export_page_needs_the_csrf_token(position, client_as):
    client = client_as(Role.UNIT_ADMIN)
    client.handler.enforce_csrf_checks = True
    assert client.post(XLSX_CHANNELS[1], {"full_personal_data": "1"}).status_code == 403


# — the edit form: opening it is a reveal —


@pytest.mark.parametrize("role", EDITORS)
def test_opening_the_edit_form_reveals_and_is_audited(role, position, client_as):
    form = client_as(role).get(f"/staff/positions/{position.pk}/edit/").content.decode()
    assert f'value="{PHONE}"' in form and f'value="{NAME}"' in form
    assert "打开本页已记入审计日志" in form
    (entry,) = reveals(position)
    assert entry.action == AuditAction.REVEAL
    assert entry.after == {"revealed": PERSONAL} and holds_no_personal_value(entry)


def test_saving_the_edit_form_is_not_another_reveal(position, client_as):
    client = client_as(Role.UNIT_ADMIN)
    client.get(f"/staff/positions/{position.pk}/edit/")
    response = client.post(f"/staff/positions/{position.pk}/edit/", {"official_name": ""})  # refused: re-rendered
    assert response.status_code == 200
    assert len(reveals(position)) == 1


# — the audit chain keeps the manager masked —


def test_the_audit_chain_stores_the_manager_masked(position, zs_admin, dalian_map, make_user, login):
    services.position_update(actor=zs_admin, position=position, manager_name="李四", manager_phone="13900001111")
    entry = AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_type="positions.position", object_id=str(position.pk)
    ).latest("seq")
    assert entry.before["manager_name"] == MASKED_NAME and entry.before["manager_phone"] == MASKED_PHONE
    assert entry.after["manager_name"] == "李*" and entry.after["manager_phone"] == "139****1111"
    creation = AuditEntry.objects.get(
        action=AuditAction.CREATE, object_type="positions.position", object_id=str(position.pk)
    )
    assert creation.after["manager_phone"] == MASKED_PHONE and creation.after["manager_name"] == MASKED_NAME
    auditor = login(make_user(Role.AUDITOR, dalian_map["city"]))
    today = timezone.localdate().isoformat()
    page = auditor.get("/staff/audit/", {"since": today, "until": today}).content.decode()
    assert MASKED_PHONE in page and "139****1111" in page  # the change is listed ...
    assert not FULL_PHONE.search(page) and "13900001111" not in page and NAME not in page  # ... masked
    export = auditor.get("/staff/audit/export/", {"since": today, "until": today})
    assert export.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(export.streaming_content))) as archive:
        text = "".join(archive.read(name).decode() for name in archive.namelist())
    assert str(position.pk) in text and MASKED_PHONE in text
    assert not FULL_PHONE.search(text) and "13900001111" not in text and NAME not in text


def test_a_change_hidden_by_the_mask_is_still_recorded(position, zs_admin):
    # 13812345678 → 13899995678: the same mask (138****5678), still a change the chain records.
    services.position_update(actor=zs_admin, position=position, manager_phone="13899995678")
    entry = AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_type="positions.position", object_id=str(position.pk)
    ).latest("seq")
    assert entry.before["manager_phone"] == MASKED_PHONE
    assert entry.after["manager_phone"] == MASKED_PHONE


# — a masked value never overwrites the stored one —


def exported_row(position, actor, full_personal_data=False, **changes) -> dict:
    cells = position_row(position, actor=actor, full_personal_data=full_personal_data)
    row = dict(zip([c.field for c in COLUMNS], cells, strict=True))
    row.update(changes)
    return row


def test_a_masked_export_re_imports_unchanged(position, dalian_map, make_actor):
    # Everyone's export is masked now: its masked cells leave the stored values as they are.
    admin = make_actor(Role.UNIT_ADMIN, dalian_map["city"])
    stored = Position.objects.select_related("unit", "region", "parent_centre").get(pk=position.pk)
    row = exported_row(stored, admin)
    assert (row["manager_name"], row["manager_phone"]) == (MASKED_NAME, MASKED_PHONE)
    result = positions_import(actor=admin, file=workbook(row))
    assert (result.ok, result.unchanged) == (True, 1), result.errors
    stored.refresh_from_db()
    assert (stored.manager_name, stored.manager_phone) == (NAME, PHONE)


def test_a_masked_export_with_other_changes_keeps_the_manager(position, dalian_map, make_actor):
    admin = make_actor(Role.UNIT_ADMIN, dalian_map["city"])
    stored = Position.objects.select_related("unit", "region", "parent_centre").get(pk=position.pk)
    result = positions_import(actor=admin, file=workbook(exported_row(stored, admin, short_name="新简称")))
    assert (result.ok, result.updated) == (True, 1), result.errors
    stored.refresh_from_db()
    assert (stored.short_name, stored.manager_name, stored.manager_phone) == ("新简称", NAME, PHONE)


def test_a_masked_value_not_of_the_stored_one_is_refused_by_row_and_column(position, dalian_map, make_actor):
    admin = make_actor(Role.UNIT_ADMIN, dalian_map["city"])
    stored = Position.objects.select_related("unit", "region", "parent_centre").get(pk=position.pk)
    row = exported_row(stored, admin, manager_name="王**", manager_phone="139****0000")
    result = positions_import(actor=admin, file=workbook(row))
    assert not result.ok
    errors = {(e.row, e.column): e.message for e in result.errors}
    assert set(errors) == {(2, "管理员姓名"), (2, "管理员电话")}
    assert errors[(2, "管理员电话")] == personal_data.MASKED_INPUT.format(label="管理员电话", value="139****0000")
    assert "格式不正确" not in errors[(2, "管理员电话")]  # the masked value's own message, not the format's
    stored.refresh_from_db()
    assert (stored.manager_name, stored.manager_phone) == (NAME, PHONE)


def test_a_masked_value_for_a_position_out_of_scope_is_refused(position, dalian_map, make_actor):
    xg_admin = make_actor(Role.UNIT_ADMIN, dalian_map["xg"])
    stored = Position.objects.select_related("unit", "region", "parent_centre").get(pk=position.pk)
    result = positions_import(actor=xg_admin, file=workbook(exported_row(stored, xg_admin)))
    assert (2, "管理员电话") in {(e.row, e.column) for e in result.errors}
    stored.refresh_from_db()
    assert (stored.manager_name, stored.manager_phone) == (NAME, PHONE)


def test_a_new_row_with_a_masked_phone_is_refused(dalian_map, make_actor, make_position):
    admin = make_actor(Role.UNIT_ADMIN, dalian_map["city"])
    template = make_position(manager_phone=PHONE)
    row = exported_row(
        template, admin, code="NEW-1", official_name="工会户外劳动者服务站点·新站", manager_phone="139****0000"
    )
    result = positions_import(actor=admin, file=workbook(row))
    assert [(e.row, e.column) for e in result.errors] == [(2, "管理员电话")]
    assert not Position.objects.filter(code="NEW-1").exists()


def test_the_admins_full_export_re_imports_unchanged(position, dalian_map, make_actor):
    admin = make_actor(Role.UNIT_ADMIN, dalian_map["city"])
    stored = Position.objects.select_related("unit", "region", "parent_centre").get(pk=position.pk)
    result = positions_import(actor=admin, file=workbook(exported_row(stored, admin, full_personal_data=True)))
    assert (result.ok, result.unchanged) == (True, 1)


@pytest.mark.parametrize(("field", "value"), [("manager_phone", MASKED_PHONE), ("manager_name", MASKED_NAME)])
def test_the_api_refuses_a_masked_value(field, value, position, client_as):
    response = client_as(Role.UNIT_ADMIN).patch(
        f"/api/v1/positions/{position.pk}", {field: value}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "打码" in response.json()["detail"]
    position.refresh_from_db()
    assert (position.manager_name, position.manager_phone) == (NAME, PHONE)


def test_the_service_refuses_a_masked_name(position, zs_admin):
    with pytest.raises(services.ApplicationError) as refused:
        services.position_update(actor=zs_admin, position=position, manager_name=MASKED_NAME)
    assert refused.value.field == "manager_name"
    assert refused.value.message == personal_data.MASKED_INPUT.format(label="管理员姓名", value=MASKED_NAME)


# — public: no consent is recorded, so nothing of the manager is published —


def test_public_pages_and_poster_never_carry_the_manager(make_position, zs_admin):
    station = make_position(actor=zs_admin, manager_name=NAME, manager_phone=PHONE, always_open=True, state="operating")
    anonymous = Client()
    near = f"lng={station.lng}&lat={station.lat}"
    urls = (
        f"/p/{station.code}/",
        f"/?{near}",
        f"/api/v1/public/positions/{station.pk}",
        f"/api/v1/public/nearby?{near}",
    )
    for url in urls:
        response = anonymous.get(url)
        body = response.content.decode()
        assert response.status_code == 200 and station.code in body, url
        assert NAME not in body and not FULL_PHONE.search(body) and MASKED_PHONE not in body, url
    contact = dict(poster_sections(station))["联系方式"]
    assert f"管理员：{MASKED_NAME}" in contact
    assert not any(PHONE in line or NAME in line for line in contact)
