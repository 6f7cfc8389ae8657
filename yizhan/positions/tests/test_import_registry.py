"""A real registry imports as it is (issue 14 §4): a messy registry modelled on real ones — names
the registry's own way, hours in every Chinese form, construction types missing, 充电、打气工具 and
synonyms, four stations a geocoder put on the city centre, and a few real errors — imported
through the staff page and the API here, and through `yizhan import-positions` in another process
(test_import_registry_cli.py). What is imported, warned and refused is asserted row by row."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from yizhan.core.roles import Role
from yizhan.positions.choices import ConstructionType, Facility
from yizhan.positions.imports import registry
from yizhan.positions.imports import xlsx as imports
from yizhan.positions.imports.xlsx import annotated_workbook, positions_import
from yizhan.positions.models import Position
from yizhan.positions.spreadsheet import COLUMNS, HEADERS, position_row
from yizhan.positions.tests.conftest import SHAHEKOU, XIGANG, ZHONGSHAN
from yizhan.positions.tests.test_import import workbook

pytestmark = pytest.mark.django_db

GANJINGZI = (121.50885, 38.98506)
CITY_CENTRE = XIGANG  # where a geocoder put four stations of four districts


def at(point: tuple[float, float], dx: float = 0.0, dy: float = 0.0) -> tuple[float, float]:
    return round(point[0] + dx, 6), round(point[1] + dy, 6)


def station(code: str, name: str, point, address: str, hours: str, **more) -> dict:
    values = {
        "code": code,
        "kind": "户外劳动者服务站点",
        "official_name": name,
        "unit": "DL",
        "address": address,
        "lng": point[0],
        "lat": point[1],
        "construction_type": "环卫休息室、提档升级公厕",
        "weekly_hours": hours,
        "facilities": "饮用水、微波炉、桌椅",
        "public_phone": "0411-82641234",
        "state": "运营中",
    }
    values.update(more)
    return values


# Excel row 2 onwards, in this order.
GOOD_ROWS = [
    station("LZ-01", "中山区人民路工会驿站(青泥洼桥街道党群服务中心旁)", at(ZHONGSHAN, 0.002, 0.001),
            "大连市中山区人民路23号", "24小时", unit="DL-ZS", facilities="饮用水、微波炉、桌椅、充电、打气工具"),
    station("LZ-02", "工会户外劳动者爱心驿站(友好广场)", at(ZHONGSHAN, -0.002), "大连市中山区友好广场1号",
            "周一至周五 09:00-17:00", unit="DL-ZS", construction_type=None, facilities="饮用水；微波炉；医药箱"),
    station("LZ-03", "工会户外劳动者服务站点·胜利广场地下商城", at(ZHONGSHAN, 0.004, -0.003),
            "大连市中山区胜利广场", "周一至周五 08:30-12:00,13:00-17:30", unit="DL-ZS",
            construction_type="依托政务大厅、社区服务中心、警务站", facilities="充电、打气工具；无线网络"),
    station("LZ-04", "西岗区八一路工会驿站", at(XIGANG, 0.002, 0.002), "大连市西岗区八一路88号", "工作日开放",
            unit="DL-XG"),
    station("LZ-05", "西岗区北京街爱心驿站", at(XIGANG, -0.003, -0.002), "大连市西岗区北京街6号",
            "08:00-12:00,14:00-16:00", unit="DL-XG", facilities="充电，打气"),
    station("LZ-06", "沙河口区星海广场驿站", at(SHAHEKOU, 0.0, 0.002), "大连市沙河口区中山路572号", "全天"),
    station("LZ-07", "沙河口区西南路工会驿站", at(SHAHEKOU, 0.003, -0.002), "大连市沙河口区西南路9号",
            "7:00～21:00", construction_type="爱心企业和商户"),
    station("LZ-08", "工会户外劳动者服务站点·中山公园", at(ZHONGSHAN, 0.0, 0.002), "大连市中山区解放路",
            "8:00—20:00", unit="DL-ZS"),
    station("LZ-09", "工会户外劳动者服务站点·人民广场", at(XIGANG, 0.004, -0.003), "大连市西岗区人民广场",
            "周末及节假日 9:00-17:00", unit="DL-XG"),
    station("LZ-10", "工会户外劳动者服务站点·春柳", at(SHAHEKOU, -0.004, 0.003), "大连市沙河口区春柳街道",
            "早8点至晚8点"),
    station("LZ-11", "工会户外劳动者服务站点·桃源", at(ZHONGSHAN, 0.004, 0.003), "大连市中山区桃源街道",
            "周一至周五 ９：００－１７：３０", unit="DL-ZS"),
    station("LZ-12", "工会户外劳动者服务站点·白云山", at(XIGANG, -0.004, 0.003), "大连市西岗区白云街道",
            "上午8:30-11:30，下午2:30-5:30", unit="DL-XG"),
    station("LZ-13", "工会户外劳动者服务站点·泉水", GANJINGZI, "大连市甘井子区泉水街道", None),
    station("LZ-14", "工会户外劳动者服务站点·周水子", at(GANJINGZI, 0.003, 0.002), "大连市甘井子区周水子街道",
            "夏季8:00-20:00，冬季8:30-17:30"),
    # Four stations of four districts that a geocoder put on one point, the city centre.
    station("LZ-15", "中山区天津街工会驿站", CITY_CENTRE, "大连市中山区天津街1号", "24小时"),
    station("LZ-16", "沙河口区马栏广场工会驿站", CITY_CENTRE, "大连市沙河口区马栏广场", "8:00-18:00"),
    station("LZ-17", "甘井子区红旗街道工会驿站", CITY_CENTRE, "大连市甘井子区红旗东路", "8:00-18:00"),
    station("LZ-18", "西岗区香炉礁工会驿站", CITY_CENTRE, "大连市西岗区香炉礁", "8:00-18:00"),
    {
        **station("LZ-19", "沙河口区职工服务中心", at(SHAHEKOU, 0.001, -0.001), "大连市沙河口区太原街",
                  "周一至周五 8:30-17:00", construction_type="工会投入，依托工会服务中心"),
        "kind": "职工服务中心",
        "centre_level": "区级",
    },
    station("LZ-20", "工会户外劳动者服务站点·西安路", at(SHAHEKOU, 0.002, 0.003), "大连市沙河口区西安路",
            "6:00-22:00", construction_type="待核实"),
    station("LZ-21", "工会户外劳动者服务站点·解放路", at(ZHONGSHAN, -0.004, -0.003), "大连市中山区解放路2号",
            "6:00-22:00", unit="DL-ZS", facilities="饮水、空调、WiFi、厕所、药箱"),
    station("LZ-22", "工会户外劳动者服务站点·长江路", at(XIGANG, 0.0, -0.003), "大连市西岗区长江路",
            "24小时开放", unit="DL-XG"),
]  # fmt: skip
# Real errors: refused, every one of a row at once.
BAD_ROWS = [
    station("LZ-E1", "工会户外劳动者服务站点·郑州来的", at(XIGANG, 0.001, -0.001), "大连市西岗区某路", "8:00-18:00",
            unit="ZZ-001"),
    station("LZ-E2", "工会户外劳动者服务站点·填反了", (XIGANG[1], XIGANG[0]), "大连市西岗区某街", "8:00-18:00",
            public_phone="0411-123"),
    station("LZ-E3", "工会户外劳动者服务站点·出国了", (12.1626, 38.9146), "大连市西岗区某巷", "8:00-18:00",
            facilities="饮用水、按摩椅"),
    {
        **station("LZ-E4", "八一路职工之家", at(XIGANG, -0.001, 0.001), "大连市西岗区八一路", "8:00-18:00",
                  unit="NOPE", verified_on="2099-01-01", manager_phone="12"),
        "kind": "职工服务中心",
    },
]  # fmt: skip
GOOD_ROW_NUMBERS = range(2, 2 + len(GOOD_ROWS))
FIRST_BAD = 2 + len(GOOD_ROWS)  # Excel row of LZ-E1

# What is refused: (row, column) of every error, each row's at once.
EXPECTED_ERRORS = {
    (FIRST_BAD, "所属单位代码"),
    (FIRST_BAD + 1, "经度"),
    (FIRST_BAD + 1, "对外联系电话"),
    (FIRST_BAD + 2, "经度"),
    (FIRST_BAD + 2, "设施"),
    (FIRST_BAD + 3, "所属单位代码"),
    (FIRST_BAD + 3, "管理员电话"),
    (FIRST_BAD + 3, "最近现场核实日期"),
    (FIRST_BAD + 3, "中心层级"),
    (FIRST_BAD + 3, "规范名称"),
}
# What is warned of, by row and column (a name composed, hours not read or read with a caveat,
# construction type missing, hours missing, one point for four districts).
EXPECTED_WARNINGS = {
    (2, "规范名称"),
    (3, "规范名称"),
    (3, "建设类型"),
    (5, "规范名称"),
    (5, "每周开放时间"),
    (6, "规范名称"),
    (7, "规范名称"),
    (7, "每周开放时间"),
    (8, "规范名称"),
    (10, "每周开放时间"),
    (14, "每周开放时间"),
    (15, "每周开放时间"),
    *((row, "规范名称") for row in range(16, 20)),
    *((row, "经度") for row in range(16, 20)),
}


def registry_file(*, with_errors: bool = True) -> bytes:
    return workbook(*GOOD_ROWS, *(BAD_ROWS if with_errors else ()))


@pytest.fixture
def admin(dalian_map, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian_map["city"])


def _pairs(problems) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in problems}


def test_a_messy_registry_is_refused_only_for_its_real_errors_each_listed(admin):
    result = positions_import(actor=admin, file=registry_file())
    assert not Position.objects.exists()
    assert _pairs(result.errors) == EXPECTED_ERRORS, [str(e) for e in result.errors]
    assert len(result.errors) == len(EXPECTED_ERRORS)  # each once
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "ZZ-001" in messages[(FIRST_BAD, "所属单位代码")]
    assert "填反" in messages[(FIRST_BAD + 1, "经度")]
    assert "不在任何已导入的行政区划内" in messages[(FIRST_BAD + 2, "经度")]
    assert "按摩椅" in messages[(FIRST_BAD + 2, "设施")]
    assert "2099-01-01" in messages[(FIRST_BAD + 3, "最近现场核实日期")]
    assert "职工服务中心" in messages[(FIRST_BAD + 3, "规范名称")]
    # The good rows' warnings are there already, so one round fixes everything.
    assert _pairs(result.warnings) == EXPECTED_WARNINGS, [str(w) for w in result.warnings]


def test_the_registry_without_its_real_errors_imports_as_it_is(admin):
    result = positions_import(actor=admin, file=registry_file(with_errors=False))
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.total) == (len(GOOD_ROWS), len(GOOD_ROWS))
    assert _pairs(result.warnings) == EXPECTED_WARNINGS
    stored = {p.code: p for p in Position.objects.all()}

    # Names: the registry's own kept as the short name, the official name composed.
    lz01 = stored["LZ-01"]
    assert lz01.official_name == "工会户外劳动者服务站点·中山区人民路（青泥洼桥街道党群服务中心旁）"
    assert lz01.short_name == "中山区人民路工会驿站(青泥洼桥街道党群服务中心旁)"
    assert stored["LZ-02"].official_name == "工会户外劳动者服务站点·友好广场"
    assert stored["LZ-02"].short_name == "工会户外劳动者爱心驿站(友好广场)"
    assert stored["LZ-03"].official_name == "工会户外劳动者服务站点·胜利广场地下商城"
    assert stored["LZ-03"].short_name == ""

    # Hours in every form, and the ones that cannot be read unknown with their text.
    assert lz01.always_open and lz01.weekly_hours == {}
    assert stored["LZ-02"].weekly_hours == {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    assert stored["LZ-03"].weekly_hours["fri"] == [["08:30", "12:00"], ["13:00", "17:30"]]
    lz04 = stored["LZ-04"]
    assert (lz04.weekly_hours, lz04.always_open, lz04.hours_source_text) == ({}, False, "工作日开放")
    assert lz04.hours_unknown and lz04.needs_verification
    assert stored["LZ-05"].weekly_hours["sun"] == [["08:00", "12:00"], ["14:00", "16:00"]]
    assert stored["LZ-06"].always_open  # 全天, with a warning to check it
    assert stored["LZ-07"].weekly_hours["mon"] == [["07:00", "21:00"]]
    assert stored["LZ-08"].weekly_hours["sun"] == [["08:00", "20:00"]]
    assert stored["LZ-09"].weekly_hours == {"sat": [["09:00", "17:00"]], "sun": [["09:00", "17:00"]]}
    assert stored["LZ-10"].weekly_hours["wed"] == [["08:00", "20:00"]]
    assert stored["LZ-11"].weekly_hours["mon"] == [["09:00", "17:30"]] and "sat" not in stored["LZ-11"].weekly_hours
    assert stored["LZ-12"].weekly_hours["tue"] == [["08:30", "11:30"], ["14:30", "17:30"]]
    assert stored["LZ-13"].hours_unknown and stored["LZ-13"].hours_source_text == ""
    assert stored["LZ-14"].hours_source_text == "夏季8:00-20:00，冬季8:30-17:30"
    assert stored["LZ-22"].always_open

    # Construction types: missing → 待核实, written 待核实 → 待核实, the others as written.
    assert stored["LZ-02"].construction_type == ConstructionType.UNKNOWN
    assert stored["LZ-20"].construction_type == ConstructionType.UNKNOWN
    assert stored["LZ-03"].construction_type == ConstructionType.PUBLIC_SERVICE

    # Facilities: the label holding 、, any separator, synonyms, each once.
    assert stored["LZ-01"].facilities == ["drinking_water", "microwave", "tables_chairs", "charging"]
    assert stored["LZ-02"].facilities == ["drinking_water", "microwave", "medicine_kit"]
    assert stored["LZ-03"].facilities == ["wifi", "charging"]
    assert stored["LZ-05"].facilities == [Facility.CHARGING]
    assert stored["LZ-21"].facilities == ["drinking_water", "fan_or_ac", "medicine_kit", "toilet", "wifi"]

    # The four stations on the city centre are imported, and named together in a warning each.
    same_point = [w for w in result.warnings if w.column == "经度"]
    assert [w.row for w in same_point] == [16, 17, 18, 19]
    assert all("第 16、17、18、19 行" in w.message for w in same_point)
    assert all("中山区、沙河口区、甘井子区、西岗区" in w.message for w in same_point)

    # The 待核实 queue: hours or construction type unknown.
    queue = set(Position.objects.needing_verification().values_list("code", flat=True))
    assert queue == {"LZ-02", "LZ-04", "LZ-13", "LZ-14", "LZ-20"}


def test_the_registry_imports_again_unchanged_and_its_export_reads_back(admin):
    data = registry_file(with_errors=False)
    positions_import(actor=admin, file=data)
    again = positions_import(actor=admin, file=data)
    assert (again.ok, again.unchanged, again.updated, again.created) == (True, len(GOOD_ROWS), 0, 0)
    positions = Position.objects.select_related("unit", "region", "parent_centre").order_by("code")
    exported = [dict(zip([c.field for c in COLUMNS], position_row(p, actor=admin), strict=True)) for p in positions]
    lz04 = next(row for row in exported if row["code"] == "LZ-04")
    assert lz04["weekly_hours"] == "工作日开放"  # the source text, as the registry wrote it
    lz01 = next(row for row in exported if row["code"] == "LZ-01")
    assert lz01["facilities"] == "饮用水；微波炉；桌椅；充电、打气工具"  # ； cannot clash with a label
    result = positions_import(actor=admin, file=workbook(*exported))
    assert (result.ok, result.unchanged, result.updated) == (True, len(GOOD_ROWS), 0), [str(e) for e in result.errors]
    assert not [w for w in result.warnings if w.column == "规范名称"]  # exported names are official


def test_hours_read_later_replace_the_unknown_and_its_text(admin):
    positions_import(actor=admin, file=registry_file(with_errors=False))
    fixed = [dict(row, weekly_hours="周一至周五 8:00-17:00") if row["code"] == "LZ-04" else row for row in GOOD_ROWS]
    result = positions_import(actor=admin, file=workbook(*fixed))
    assert (result.ok, result.updated) == (True, 1)
    lz04 = Position.objects.get(code="LZ-04")
    assert (lz04.hours_unknown, lz04.hours_source_text) == (False, "")
    assert lz04.weekly_hours["mon"] == [["08:00", "17:00"]]


def test_a_stored_position_keeps_its_construction_type_when_the_cell_is_empty(admin):
    positions_import(actor=admin, file=registry_file(with_errors=False))
    again = [dict(row, construction_type=None) if row["code"] == "LZ-03" else row for row in GOOD_ROWS]
    result = positions_import(actor=admin, file=workbook(*again))
    assert result.ok and result.updated == 0
    assert Position.objects.get(code="LZ-03").construction_type == ConstructionType.PUBLIC_SERVICE


def test_the_same_point_check_needs_different_districts_and_enough_rows(settings):
    points = registry.SamePoints(min_rows=3, radius_m=10)
    for row, district in ((2, "中山区"), (3, "中山区"), (4, "中山区")):
        points.add(row, *CITY_CENTRE, {district})
    assert points.clusters() == []  # one district: a building with several positions
    points.add(5, CITY_CENTRE[0] + 0.00005, CITY_CENTRE[1], {"西岗区"})  # ~4 m away
    points.add(6, CITY_CENTRE[0] + 0.001, CITY_CENTRE[1], {"沙河口区"})  # ~90 m away: not the same point
    assert points.clusters() == [([2, 3, 4, 5], ["中山区", "西岗区"])]
    two = registry.SamePoints(min_rows=3, radius_m=10)
    two.add(2, *CITY_CENTRE, {"中山区"})
    two.add(3, *CITY_CENTRE, {"西岗区"})
    assert two.clusters() == []


def test_the_same_point_check_is_configurable(admin, settings):
    settings.YIZHAN_IMPORT_SAME_POINT_ROWS = 5
    result = positions_import(actor=admin, file=registry_file(with_errors=False))
    assert not [w for w in result.warnings if w.column == "经度"]


def test_every_error_of_a_row_at_once_for_a_stored_code_too(admin):
    positions_import(actor=admin, file=registry_file(with_errors=False))
    broken = [
        dict(row, manager_phone="12", area_override_reason=None, unit="DL-ZS", lng=XIGANG[0], lat=XIGANG[1])
        if row["code"] == "LZ-08"
        else row
        for row in GOOD_ROWS
    ]
    result = positions_import(actor=admin, file=workbook(*broken))
    # The phone cell and the rule it does not reach (a 西岗区 point for 中山区's union) together.
    assert _pairs(result.errors) == {(9, "管理员电话"), (9, "坐标在辖区外的说明")}


def test_annotated_workbook_marks_errors_red_and_warnings_yellow(admin):
    data = registry_file()
    result = positions_import(actor=admin, file=data)
    sheet = load_workbook(BytesIO(annotated_workbook(data, result.errors, result.warnings))).active
    error_note, warning_note = len(HEADERS) + 1, len(HEADERS) + 2
    assert sheet.cell(row=1, column=error_note).value == imports.ERROR_HEADER
    assert sheet.cell(row=1, column=warning_note).value == imports.WARNING_HEADER
    hours = sheet.cell(row=5, column=HEADERS.index("每周开放时间") + 1)
    assert hours.fill.fgColor.rgb == imports.WARNING_FILL and "工作日开放" in hours.comment.text
    assert "开放时间待核实" in sheet.cell(row=5, column=warning_note).value
    phone = sheet.cell(row=FIRST_BAD + 1, column=HEADERS.index("对外联系电话") + 1)
    assert phone.fill.fgColor.rgb == imports.ERROR_FILL
    assert "对外联系电话" in sheet.cell(row=FIRST_BAD + 1, column=error_note).value
    assert sheet.cell(row=4, column=error_note).value is None and sheet.cell(row=4, column=warning_note).value is None


# --------------------------------------------------------------------------- the staff page and API


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("台账.xlsx", data, content_type="application/octet-stream")


def test_the_import_page_lists_every_error_and_every_warning(admin, login):
    client = login(admin.user)
    response = client.post("/staff/positions/import/", {"file": _upload(registry_file())})
    page = client.get(response["Location"]).content.decode()
    assert f"文件有 {len(EXPECTED_ERRORS)} 处错误，未导入任何阵地" in page
    errors = page[page.index("import-errors") : page.index("</table>", page.index("import-errors"))]
    assert errors.count("<tr>") == len(EXPECTED_ERRORS) + 1  # and the header row
    assert "ZZ-001" in errors and "按摩椅" in errors and "填反" in errors
    warnings = page[page.index("import-warnings") :]
    assert f"警告 {len(EXPECTED_WARNINGS)} 条" in page
    assert "工作日开放" in warnings and "第 16、17、18、19 行" in warnings
    assert not Position.objects.exists()

    response = client.post("/staff/positions/import/", {"file": _upload(registry_file(with_errors=False))})
    page = client.get(response["Location"]).content.decode()
    assert "导入成功" in page and f"警告 {len(EXPECTED_WARNINGS)} 条" in page
    assert Position.objects.count() == len(GOOD_ROWS)
    annotated = client.get(response["Location"] + "annotated.xlsx")
    assert annotated.status_code == 200
    sheet = load_workbook(BytesIO(annotated.content)).active
    assert sheet.cell(row=1, column=len(HEADERS) + 2).value == imports.WARNING_HEADER


def test_the_api_answers_errors_and_warnings(admin, login):
    client = login(admin.user)
    response = client.post("/api/v1/positions/import", {"file": _upload(registry_file())})
    assert response.status_code == 400
    body = response.json()
    assert {(e["row"], e["column"]) for e in body["errors"]} == EXPECTED_ERRORS
    assert {(w["row"], w["column"]) for w in body["warnings"]} == EXPECTED_WARNINGS
    response = client.post("/api/v1/positions/import", {"file": _upload(registry_file(with_errors=False))})
    assert response.status_code == 200 and response.json()["created"] == len(GOOD_ROWS)


def test_the_form_still_refuses_a_name_that_is_not_official(admin, login, dalian_map):
    client = login(admin.user)
    data = {
        "code": "FORM-1",
        "kind": "station",
        "official_name": "西岗区八一路工会驿站",
        "unit": dalian_map["xg"].pk,
        "address": "大连市西岗区八一路",
        "lng": XIGANG[0],
        "lat": XIGANG[1],
        "crs": "gcj02",
        "construction_type": "sanitation",
        "build_mode": "self_built",
        "build_nature": "new",
        "entry_method": "staffed",
        "weekly_hours": "周一至周五 9:00-17:00",
    }
    response = client.post("/staff/positions/new/", data)
    assert response.status_code == 200
    assert "工会户外劳动者服务站点·站点名" in response.content.decode()
    assert not Position.objects.exists()
    # The same form reads hours as registries write them, and refuses what it cannot read.
    response = client.post("/staff/positions/new/", dict(data, official_name="工会户外劳动者服务站点·八一路"))
    assert response.status_code == 302
    assert Position.objects.get(code="FORM-1").weekly_hours["fri"] == [["09:00", "17:00"]]
    response = client.post(
        "/staff/positions/new/",
        dict(data, code="FORM-2", official_name="工会户外劳动者服务站点·北京街", weekly_hours="工作日开放"),
    )
    assert response.status_code == 200 and "无法识别开放时间“工作日开放”" in response.content.decode()
