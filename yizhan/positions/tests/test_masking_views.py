"""Masking of a position manager's name and phone (spec §11, issue 5 §4) in every staff channel:
per role, the detail page, the list page, the API detail and list, the xlsx export and the raw-data
admin show them in full exactly to the roles `core/personal_data.py` names (admins and station
managers) and masked to everyone else; no page of a role without the need carries the full number.
A masked value copied back (import, API, form) is refused and never overwrites the stored one.
Public pages, public API answers and the poster never carry them (no consent is recorded)."""

import re
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from yizhan.core.roles import Role
from yizhan.positions import services
from yizhan.positions.imports import positions_import
from yizhan.positions.models import Position
from yizhan.positions.poster import poster_sections
from yizhan.positions.spreadsheet import BY_FIELD, COLUMNS, HEADERS, position_row
from yizhan.positions.tests.test_import import workbook

NAME, PHONE = "张三丰", "13812345678"
MASKED_NAME, MASKED_PHONE = "张**", "138****5678"
# The full number, also when split by spaces or dashes (a template could format it).
FULL_PHONE = re.compile(r"138[\s-]?1234[\s-]?5678")

# Where each role is attached (reviewers and station managers see their own unit only) and whether
# it sees the manager in full. Written out rather than read from the inventory, so that a change to
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
EXPORTERS = {Role.FEDERATION_ADMIN, Role.UNIT_ADMIN, Role.AUDITOR}


@pytest.fixture
def position(make_position):
    return make_position(manager_name=NAME, manager_phone=PHONE, public_phone="0411-82345678")


@pytest.fixture
def client_as(dalian_map, make_user, login):
    def make(role: str) -> Client:
        return login(make_user(role, dalian_map[ROLES[role][0]]))

    return make


def expected(role: str) -> tuple[str, str]:
    return (NAME, PHONE) if ROLES[role][1] else (MASKED_NAME, MASKED_PHONE)


def xlsx_rows(content: bytes) -> list[dict]:
    sheet = load_workbook(BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("role", list(ROLES))
def test_detail_page(role, position, client_as):
    body = client_as(role).get(f"/staff/positions/{position.pk}/").content.decode()
    name, phone = expected(role)
    assert f"{name} {phone}" in body
    assert bool(FULL_PHONE.search(body)) == ROLES[role][1]
    assert (NAME in body) == ROLES[role][1]


@pytest.mark.parametrize("role", list(ROLES))
def test_api_detail_and_list(role, position, client_as):
    client = client_as(role)
    detail = client.get(f"/api/v1/positions/{position.pk}").json()
    assert (detail["manager_name"], detail["manager_phone"]) == expected(role)
    assert detail["public_phone"] == "0411-82345678"  # public contact data: never masked
    (item,) = client.get("/api/v1/positions").json()["items"]
    assert (item["manager_name"], item["manager_phone"]) == expected(role)


@pytest.mark.parametrize("role", sorted(EXPORTERS))
@pytest.mark.parametrize("channel", ["/api/v1/positions/export?format=xlsx", "/staff/positions/export/?format=xlsx"])
def test_xlsx_export(role, channel, position, client_as):
    response = client_as(role).get(channel)
    assert response.status_code == 200
    (row,) = xlsx_rows(response.content)
    header_name, header_phone = BY_FIELD["manager_name"].header, BY_FIELD["manager_phone"].header
    assert (row[header_name], row[header_phone]) == expected(role)


@pytest.mark.parametrize("role", [role for role in ROLES if role not in EXPORTERS])
def test_roles_without_export_get_no_file(role, position, client_as):
    assert client_as(role).get("/api/v1/positions/export?format=xlsx").status_code == 403


@pytest.mark.parametrize("role", list(ROLES))
def test_raw_data_admin(role, position, client_as):
    response = client_as(role).get(f"/admin/positions/position/{position.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert bool(FULL_PHONE.search(body)) == ROLES[role][1]
    assert (NAME in body) == ROLES[role][1]


@pytest.mark.parametrize("role", [role for role, (_unit, full) in ROLES.items() if not full])
def test_no_page_of_a_role_without_the_need_carries_the_full_number(role, position, client_as):
    client = client_as(role)
    urls = [
        "/staff/positions/",
        "/staff/positions/map/points.json",
        f"/staff/positions/{position.pk}/",
        f"/staff/positions/{position.pk}/edit/",
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
    # Only admins edit (and so see the stored value in the form): the edit page is refused here.
    assert client.get(f"/staff/positions/{position.pk}/edit/").status_code in (403, 404)


def test_admins_keep_the_full_values_in_the_edit_form(position, client_as):
    """The roles that edit need the stored values: the form carries them (the xlsx: test_xlsx_export)."""
    client = client_as(Role.UNIT_ADMIN)
    form = client.get(f"/staff/positions/{position.pk}/edit/").content.decode()
    assert f'value="{PHONE}"' in form and f'value="{NAME}"' in form


# — a masked value never overwrites the stored one —


def exported_row(position, actor, **changes) -> dict:
    row = dict(zip([c.field for c in COLUMNS], position_row(position, actor=actor), strict=True))
    row.update(changes)
    return row


def test_a_masked_export_re_imported_is_refused_by_row_and_column(position, dalian_map, make_actor):
    auditor = make_actor(Role.AUDITOR, dalian_map["city"])
    admin = make_actor(Role.UNIT_ADMIN, dalian_map["city"])
    stored = Position.objects.select_related("unit", "region", "parent_centre").get(pk=position.pk)
    result = positions_import(actor=admin, file=workbook(exported_row(stored, auditor)))
    assert not result.ok
    errors = {(e.row, e.column): e.message for e in result.errors}
    assert set(errors) == {(2, "管理员姓名"), (2, "管理员电话")}
    assert errors[(2, "管理员电话")] == services.MASKED_INPUT.format(label="管理员电话", value=MASKED_PHONE)
    assert "格式不正确" not in errors[(2, "管理员电话")]  # the masked value's own message, not the format's
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


def test_the_admins_export_re_imports_unchanged(position, dalian_map, make_actor):
    admin = make_actor(Role.UNIT_ADMIN, dalian_map["city"])
    stored = Position.objects.select_related("unit", "region", "parent_centre").get(pk=position.pk)
    result = positions_import(actor=admin, file=workbook(exported_row(stored, admin)))
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
    assert refused.value.message == services.MASKED_INPUT.format(label="管理员姓名", value=MASKED_NAME)


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
