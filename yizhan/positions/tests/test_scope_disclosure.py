"""Issue 13 item 4: a code or name held outside the caller's scope is refused (codes are unique
everywhere, one place has one record) without revealing anything of its holder — neither its unit
nor its code — through the API, the staff form and the xlsx import alike. Inside the scope the
refusal still says what holds it."""

from io import BytesIO

import pytest
from openpyxl import Workbook

from yizhan.core.roles import Role
from yizhan.positions import services
from yizhan.positions.imports import xlsx as imports
from yizhan.positions.imports.xlsx import positions_import
from yizhan.positions.models import Position
from yizhan.positions.spreadsheet import COLUMNS, HEADERS
from yizhan.positions.tests.conftest import XIGANG

pytestmark = pytest.mark.django_db

URL = "/api/v1/positions"
JSON = "application/json"
# What a message about a record out of 西岗区's scope must never carry.
ZS_TRACES = ("中山区", "DL-ZS", "ZS-001", "ZS-C01", "青泥洼桥")


@pytest.fixture
def others(dalian_map, make_position):
    """Positions of 中山区 and of the police union, both outside 西岗区's scope."""
    station = make_position(code="ZS-001", official_name="工会户外劳动者服务站点·青泥洼桥")
    centre = make_position(code="ZS-C01", kind="centre", centre_level="street", official_name="青泥洼桥职工服务中心")
    police = make_position(unit=dalian_map["industry"], code="GAJ-001")
    return {"station": station, "centre": centre, "police": police}


@pytest.fixture
def xg_admin(dalian_map, make_user):
    return make_user(Role.UNIT_ADMIN, dalian_map["xg"])


@pytest.fixture
def xg_actor(xg_admin):
    from yizhan.core.scoping import Actor

    return Actor(user=xg_admin, membership=xg_admin.memberships.get())


@pytest.fixture
def xg_client(xg_admin, login):
    return login(xg_admin)


def payload(dalian_map, **changes) -> dict:
    data = {
        "code": "XG-NEW",
        "kind": "station",
        "official_name": "工会户外劳动者服务站点·八一路",
        "unit_id": dalian_map["xg"].pk,
        "address": "西岗区八一路 1 号",
        "lng": XIGANG[0],
        "lat": XIGANG[1],
        "construction_type": "sanitation",
    }
    data.update(changes)
    return data


def no_trace(message: str) -> bool:
    return not any(trace in message for trace in ZS_TRACES)


def workbook(*rows: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "服务阵地"
    sheet.append(HEADERS)
    for values in rows:
        sheet.append([values.get(c.field) for c in COLUMNS])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xg_row(**changes) -> dict:
    values = {
        "code": "XG-NEW",
        "kind": "户外劳动者服务站点",
        "official_name": "工会户外劳动者服务站点·八一路",
        "unit": "DL-XG",
        "address": "西岗区八一路 1 号",
        "lng": XIGANG[0],
        "lat": XIGANG[1],
        "construction_type": "环卫休息室、提档升级公厕",
    }
    values.update(changes)
    return values


# — codes —


def test_api_create_with_a_code_held_out_of_scope_reveals_nothing(others, dalian_map, xg_client):
    response = xg_client.post(URL, payload(dalian_map, code="ZS-001"), JSON)
    assert response.status_code == 400
    body = response.json()
    assert body == {"detail": services.CODE_UNAVAILABLE.format(code="ZS-001"), "field": "code"}
    # Another holder out of scope (another kind of unit) reads exactly the same, but for the code typed.
    police = xg_client.post(URL, payload(dalian_map, code="GAJ-001"), JSON).json()
    assert police["detail"].replace("GAJ-001", "ZS-001") == body["detail"]
    assert "已被使用" not in body["detail"]
    assert Position.objects.filter(code="ZS-001").count() == 1


def test_api_patch_to_a_code_held_out_of_scope_reveals_nothing(others, dalian_map, make_position, xg_client):
    own = make_position(unit=dalian_map["xg"], code="XG-001", lng=XIGANG[0], lat=XIGANG[1])
    response = xg_client.patch(f"{URL}/{own.pk}", {"code": "ZS-001"}, JSON)
    assert response.status_code == 400
    assert response.json() == {"detail": services.CODE_UNAVAILABLE.format(code="ZS-001"), "field": "code"}
    assert no_trace(response.json()["detail"].replace("ZS-001", ""))
    assert Position.objects.get(pk=own.pk).code == "XG-001"
    # In the scope, the refusal says the code is in use (the caller can find that position).
    make_position(unit=dalian_map["xg"], code="XG-002", lng=XIGANG[0] + 0.001, lat=XIGANG[1])
    taken = xg_client.patch(f"{URL}/{own.pk}", {"code": "XG-002"}, JSON)
    assert taken.json() == {"detail": services.CODE_TAKEN.format(code="XG-002"), "field": "code"}


def test_form_with_a_code_held_out_of_scope_reveals_nothing(others, dalian_map, xg_client):
    form = {
        "code": "ZS-001",
        "kind": "station",
        "official_name": "工会户外劳动者服务站点·八一路",
        "unit": dalian_map["xg"].pk,
        "address": "西岗区八一路 1 号",
        "crs": "gcj02",
        "lng": XIGANG[0],
        "lat": XIGANG[1],
        "construction_type": "sanitation",
        "build_mode": "self_built",
        "build_nature": "new",
        "entry_method": "open_door",
    }
    page = xg_client.post("/staff/positions/new/", form).content.decode()
    assert str(services.CODE_UNAVAILABLE.format(code="ZS-001")) in page
    assert "中山区总工会" not in page and "DL-ZS" not in page and "青泥洼桥" not in page
    assert Position.objects.filter(code="ZS-001").count() == 1


def test_import_of_a_code_held_out_of_scope_reveals_nothing(others, xg_actor):
    # Before issue 13 this row answered "单位代码“DL-ZS”不存在或不在您的管辖范围内": the holder's unit.
    result = positions_import(actor=xg_actor, file=workbook(xg_row(code="ZS-001")))
    assert [(e.row, e.column) for e in result.errors] == [(2, "阵地编号")]
    assert result.errors[0].message == services.CODE_UNAVAILABLE.format(code="ZS-001")
    police = positions_import(actor=xg_actor, file=workbook(xg_row(code="GAJ-001")))
    assert police.errors[0].message.replace("GAJ-001", "ZS-001") == result.errors[0].message
    assert no_trace(result.errors[0].message.replace("ZS-001", ""))
    assert Position.objects.get(code="ZS-001").unit.code == "DL-ZS"
    assert not Position.objects.filter(unit__code="DL-XG").exists()


def test_import_unit_and_centre_out_of_scope_read_as_unknown_ones(others, xg_actor):
    result = positions_import(
        actor=xg_actor,
        file=workbook(
            xg_row(code="XG-1", unit="DL-ZS"),
            xg_row(code="XG-2", unit="NOPE", lng=XIGANG[0] + 0.001),
            xg_row(code="XG-3", kind="工作站", official_name="青泥洼桥职工服务中心一号工作站", parent_centre="ZS-C01"),
            xg_row(code="XG-4", kind="工作站", official_name="青泥洼桥职工服务中心二号工作站", parent_centre="NOPE-C"),
        ),
    )
    by_row = {e.row: e for e in result.errors}
    assert (by_row[2].column, by_row[3].column) == ("所属单位代码", "所属单位代码")
    assert by_row[2].message.replace("DL-ZS", "X") == by_row[3].message.replace("NOPE", "X")
    assert by_row[2].message == imports.UNIT_UNKNOWN.format(code="DL-ZS")
    assert (by_row[4].column, by_row[5].column) == ("所属服务中心编号", "所属服务中心编号")
    assert by_row[4].message.replace("ZS-C01", "X") == by_row[5].message.replace("NOPE-C", "X")


# — names: one place, one record —


@pytest.fixture
def namesake(dalian_map, make_position):
    """A 中山区 station registered at a point in 西岗区 (a cross-district site, with its reason)."""
    return make_position(
        code="ZS-001",
        official_name="工会户外劳动者服务站点·八一路",
        lng=XIGANG[0],
        lat=XIGANG[1],
        area_override_reason="跨区设点",
    )


def test_api_namesake_out_of_scope_is_refused_without_its_code(namesake, dalian_map, xg_client):
    response = xg_client.post(URL, payload(dalian_map, lng=XIGANG[0] + 0.0001), JSON)
    assert response.status_code == 400
    body = response.json()
    assert body == {
        "detail": services.DUPLICATE_NEARBY_UNSEEN.format(radius=services.DUPLICATE_RADIUS_M),
        "field": "official_name",
    }
    assert no_trace(body["detail"])
    assert not Position.objects.filter(code="XG-NEW").exists()


def test_import_namesake_out_of_scope_is_refused_without_its_code(namesake, xg_actor):
    result = positions_import(actor=xg_actor, file=workbook(xg_row(lng=XIGANG[0] + 0.0001)))
    assert [(e.row, e.column) for e in result.errors] == [(2, "规范名称")]
    assert result.errors[0].message == services.DUPLICATE_NEARBY_UNSEEN.format(radius=services.DUPLICATE_RADIUS_M)


def test_namesake_in_scope_is_still_named(namesake, dalian_map, make_actor):
    zs = make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    with pytest.raises(services.ApplicationError) as error:
        services.position_create(
            actor=zs,
            unit=dalian_map["zs"],
            code="ZS-002",
            kind="station",
            official_name=namesake.official_name,
            address="x",
            lng=XIGANG[0] + 0.0001,
            lat=XIGANG[1],
            area_override_reason="跨区设点",
            construction_type="sanitation",
        )
    assert "（编号 ZS-001）" in error.value.message
