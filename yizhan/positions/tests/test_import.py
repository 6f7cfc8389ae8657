"""The xlsx import of positions (issue 3 §5): template round trip, every rule per row and column,
all or nothing, duplicates, idempotence, bad files, the CLI, the API and the annotated workbook."""

from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from openpyxl import Workbook, load_workbook

from yizhan.core.models import AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs.tests.factories import UserFactory
from yizhan.positions.choices import PositionState
from yizhan.positions.imports import xlsx as imports
from yizhan.positions.imports.xlsx import ImportFileError, annotated_workbook, positions_import
from yizhan.positions.models import Position
from yizhan.positions.spreadsheet import BY_FIELD, COLUMNS, HEADERS, position_row, template_workbook
from yizhan.positions.tests.conftest import BEIJING, XIGANG, ZHONGSHAN

pytestmark = pytest.mark.django_db


def row(n: int, **overrides) -> dict:
    """One sheet row keyed by field, values as a person would type them."""
    values = {
        "code": f"IMP-{n:03d}",
        "kind": "户外劳动者服务站点",
        "official_name": f"工会户外劳动者服务站点·导入{n}",
        "unit": "DL-ZS",
        "address": f"中山区导入路{n}号",
        "lng": ZHONGSHAN[0] + n * 0.001,
        "lat": ZHONGSHAN[1],
        "construction_type": "环卫休息室、提档升级公厕",
        "manager_phone": "13800000000",
        "weekly_hours": "06:00-22:00",
        "facilities": "饮用水、微波炉、充电、打气工具",
        "state": "运营中",
    }
    values.update(overrides)
    return values


def workbook(*rows: dict, headers=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "服务阵地"
    headers = headers or HEADERS
    sheet.append(headers)
    by_header = {c.header: c.field for c in COLUMNS}
    for values in rows:
        sheet.append([values.get(by_header.get(h, h)) for h in headers])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def admin(dalian_map, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian_map["city"])


def test_template_round_trip(admin):
    template = load_workbook(BytesIO(template_workbook(unit_code="DL-XG")))
    assert template.sheetnames[:1] == ["服务阵地"] and "说明" in template.sheetnames
    sheet = template["服务阵地"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.data_validations.dataValidation, "choice columns have drop-down lists"
    sheet.append(list(sheet.iter_rows(min_row=2, max_row=2, values_only=True))[0])
    sheet.delete_rows(2)
    sheet.cell(row=2, column=1, value="RT-1")
    buffer = BytesIO()
    template.save(buffer)
    result = positions_import(actor=admin, file=buffer.getvalue())
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 1
    position = Position.objects.select_related("unit", "region", "parent_centre").get(code="RT-1")
    assert position.state == PositionState.OPERATING
    assert position.region.adcode == "210203"
    # The export row of the imported position re-imports as unchanged.
    again = workbook(dict(zip([c.field for c in COLUMNS], position_row(position, actor=admin), strict=True)))
    result = positions_import(actor=admin, file=again)
    assert (result.ok, result.unchanged, result.updated) == (True, 1, 0)


def test_import_creates_and_is_idempotent(admin):
    data = workbook(
        row(1), row(2), row(3, kind="职工服务中心", centre_level="区级", official_name="中山区职工服务中心")
    )
    result = positions_import(actor=admin, file=data)
    assert result.ok and (result.created, result.updated, result.unchanged) == (3, 0, 0)
    p = Position.objects.get(code="IMP-001")
    assert p.facilities == ["drinking_water", "microwave", "charging"]
    assert p.weekly_hours["sun"] == [["06:00", "22:00"]]
    audits = AuditEntry.objects.count()
    result = positions_import(actor=admin, file=data)
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert AuditEntry.objects.count() == audits


def test_changed_values_update_and_state_moves(admin):
    positions_import(actor=admin, file=workbook(row(1)))
    result = positions_import(
        actor=admin, file=workbook(row(1, address="新地址", state="暂停服务", state_reason="维修"))
    )
    assert result.ok and (result.updated, result.transitioned) == (1, 1)
    p = Position.objects.get(code="IMP-001")
    assert (p.address, p.state, p.state_reason) == ("新地址", "suspended", "维修")
    bad = positions_import(actor=admin, file=workbook(row(1, address="新地址", state="规划中")))
    assert not bad.ok and bad.errors[0].column == "状态"


@pytest.mark.parametrize(
    ("overrides", "column", "words"),
    [
        # A station's own name is kept and an official name composed (test_import_registry.py); a
        # centre's name still has to be one.
        ({"kind": "职工服务中心", "centre_level": "区级", "official_name": "八一路站"}, "规范名称", "××职工服务中心"),
        ({"manager_phone": "12"}, "管理员电话", "电话号码格式不正确"),
        ({"address": None}, "地址", "必填"),
        ({"kind": "小卖部"}, "阵地类型", "无效"),
        ({"lng": BEIJING[0], "lat": BEIJING[1]}, "经度", ""),
        ({"lng": XIGANG[0], "lat": XIGANG[1], "region": "210202"}, "行政区划代码", "不在所填行政区划"),
        ({"lng": "东经"}, "经度", "应为数字"),
        ({"unit": "NOPE"}, "所属单位代码", "不存在或不在您的管辖范围内"),
        ({"code": "坏 编号"}, "阵地编号", "阵地编号只能"),
        ({"facilities": "饮用水、飞机"}, "设施", "飞机"),
        ({"build_mode": "共建"}, "共建单位", "共建单位"),
        ({"verified_on": "昨天"}, "最近现场核实日期", "日期"),
        ({"always_open": "也许"}, "24 小时开放", "是"),
        ({"kind": "职工服务中心", "official_name": "中山区职工服务中心"}, "中心层级", "层级"),
        ({"kind": "工作站", "official_name": "中山区职工服务中心一号工作站"}, "所属服务中心编号", "服务中心"),
    ],
)
def test_each_rule_error_names_row_and_column(admin, overrides, column, words):
    result = positions_import(actor=admin, file=workbook(row(1), row(2, **overrides)))
    assert not result.ok
    assert Position.objects.count() == 0
    assert [(e.row, e.column) for e in result.errors] == [(3, column)], [str(e) for e in result.errors]
    assert words in result.errors[0].message


def test_star_columns_are_read_past_with_a_warning(admin):
    """A registry carrying its stars imports: the star columns are ignored with a warning on each
    row that fills them, whatever they say (stars are written only by the rating service)."""
    result = positions_import(
        actor=admin,
        file=workbook(row(1, star_rating="五星", star_rated_on="2026-06-30"), row(2, star_rating="六星"), row(3)),
    )
    assert result.ok, [str(e) for e in result.errors]
    ignored = [(w.row, w.column) for w in result.warnings if "星级由星级评定写入" in w.message]
    assert ignored == [(2, "星级"), (3, "星级")]
    assert set(Position.objects.values_list("star_rating", flat=True)) == {""}


def test_outside_unit_area_needs_a_reason(admin):
    result = positions_import(actor=admin, file=workbook(row(1, lng=XIGANG[0], lat=XIGANG[1])))
    assert [e.column for e in result.errors] == ["坐标在辖区外的说明"]
    result = positions_import(
        actor=admin, file=workbook(row(1, lng=XIGANG[0], lat=XIGANG[1], area_override_reason="跨区共建"))
    )
    assert result.ok


def test_all_or_nothing_lists_every_error(admin):
    rows = [row(n) for n in range(1, 6)]
    rows[2] = row(3, official_name="坏名字", manager_phone="1")
    rows[4] = row(5, address="")
    result = positions_import(actor=admin, file=workbook(*rows))
    assert not result.ok
    assert Position.objects.count() == 0
    assert {(e.row, e.column) for e in result.errors} == {(4, "管理员电话"), (6, "地址")} | (
        {(4, "规范名称")} if len(result.errors) == 3 else set()
    )


def test_dry_run_writes_nothing(admin):
    result = positions_import(actor=admin, file=workbook(row(1)), dry_run=True)
    assert result.ok and result.created == 1
    assert not Position.objects.exists()


def test_duplicates_within_file_and_against_database(admin, make_position):
    twin = row(2, code="IMP-TWIN", lng=ZHONGSHAN[0] + 0.002 + 0.0001)
    twin["official_name"] = row(2)["official_name"]
    result = positions_import(actor=admin, file=workbook(row(1), row(2), twin))
    assert [(e.row, e.column) for e in result.errors] == [(4, "规范名称")]
    assert "第 3 行" in result.errors[0].message
    existing = make_position(code="DB-1", official_name="工会户外劳动者服务站点·已有", lng=121.66, lat=38.92)
    result = positions_import(
        actor=admin, file=workbook(row(9, official_name=existing.official_name, lng=121.6601, lat=38.92))
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "规范名称")]
    assert "DB-1" in result.errors[0].message
    repeated = positions_import(actor=admin, file=workbook(row(1), row(1)))
    assert [(e.row, e.column) for e in repeated.errors] == [(3, "阵地编号")]


def test_scope_unit_outside_actor(dalian_map, make_actor):
    zs = make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    result = positions_import(actor=zs, file=workbook(row(1), row(2, unit="DL-XG", lng=XIGANG[0], lat=XIGANG[1])))
    assert [(e.row, e.column) for e in result.errors] == [(3, "所属单位代码")]
    assert not Position.objects.exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "空"),
        (b"name,code\nx,y\n", "不是 Excel"),
        (b"PK\x03\x04garbage", "不是 Excel"),
    ],
)
def test_bad_files_rejected(admin, data, words):
    with pytest.raises(ImportFileError) as caught:
        positions_import(actor=admin, file=data)
    assert words in caught.value.message


def test_missing_columns_and_no_rows(admin):
    with pytest.raises(ImportFileError, match="缺少必需的列：.*地址"):
        positions_import(actor=admin, file=workbook(row(1), headers=[h for h in HEADERS if h != "地址"]))
    with pytest.raises(ImportFileError, match="没有任何阵地"):
        positions_import(actor=admin, file=workbook())


def test_size_limit_is_a_setting(admin, settings):
    settings.YIZHAN_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError, match="文件过大"):
        positions_import(actor=admin, file=workbook(row(1)))


def test_annotated_workbook_marks_bad_cells(admin):
    data = workbook(row(1), row(2, manager_phone="1", official_name="坏"))
    result = positions_import(actor=admin, file=data)
    annotated = load_workbook(BytesIO(annotated_workbook(data, result.errors)))
    sheet = annotated.active
    phone = sheet.cell(row=3, column=HEADERS.index(BY_FIELD["manager_phone"].header) + 1)
    assert phone.comment is not None and "电话" in phone.comment.text
    assert phone.fill.fgColor.rgb == "FFFFC7CE"
    assert sheet.cell(row=1, column=len(HEADERS) + 1).value == imports.ERROR_HEADER
    assert "管理员电话" in sheet.cell(row=3, column=len(HEADERS) + 1).value
    assert sheet.cell(row=2, column=len(HEADERS) + 1).value is None


def test_progress_callback(admin):
    seen = []
    positions_import(
        actor=admin, file=workbook(row(1), row(2)), progress=lambda done, total: seen.append((done, total))
    )
    assert seen[0][0] == 0 and seen[-1] == (2, 2)


def test_cli(admin, tmp_path, capsys):
    path = tmp_path / "p.xlsx"
    path.write_bytes(workbook(row(1), row(2, manager_phone="1")))
    with pytest.raises(CommandError):
        call_command("import_positions", str(path), "--as", admin.user.username)
    assert "第 3 行“管理员电话”" in capsys.readouterr().err
    assert not Position.objects.exists()
    path.write_bytes(workbook(row(1), row(2)))
    call_command("import_positions", str(path), "--as", admin.user.username, "--dry-run")
    assert not Position.objects.exists()
    call_command("import_positions", str(path), "--as", admin.user.username)
    assert "新建 2" in capsys.readouterr().out
    assert Position.objects.count() == 2
    with pytest.raises(CommandError, match="找不到用户"):
        call_command("import_positions", str(path), "--as", "nobody")


def test_api_import_and_template(admin, login):
    client = login(admin.user)
    response = client.get("/api/v1/positions/import-template")
    assert response.status_code == 200 and response.content.startswith(b"PK")
    bad = workbook(row(1), row(2, manager_phone="1"))
    response = client.post("/api/v1/positions/import", {"file": _upload(bad)})
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["errors"] == [
        {"row": 3, "column": "管理员电话", "message": body["errors"][0]["message"]}
    ]
    response = client.post("/api/v1/positions/import", {"file": _upload(b"not a workbook")})
    assert response.status_code == 400 and "不是 Excel" in response.json()["detail"]
    good = workbook(row(1), row(2))
    response = client.post("/api/v1/positions/import", {"file": _upload(good), "dry_run": "true"})
    assert response.status_code == 200 and response.json()["created"] == 2
    assert not Position.objects.exists()
    response = client.post("/api/v1/positions/import", {"file": _upload(good)})
    assert response.status_code == 200 and response.json()["created"] == 2
    assert Position.objects.count() == 2


def _upload(data: bytes, name: str = "p.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_pages(admin, login):
    client = login(admin.user)
    assert "导入 Excel" in client.get("/staff/positions/").content.decode()
    assert client.get("/staff/positions/import/").status_code == 200
    assert client.get("/staff/positions/import/template.xlsx").content.startswith(b"PK")
    response = client.post("/staff/positions/import/", {"file": _upload(workbook(row(1), row(2, address="")))})
    assert response.status_code == 302
    status = client.get(response["Location"])
    page = status.content.decode()
    assert "未导入任何阵地" in page and "地址" in page and "第" not in page.split("import-errors")[0][-5:]
    annotated = client.get(response["Location"] + "annotated.xlsx")
    assert annotated.status_code == 200 and annotated.content.startswith(b"PK")
    progress = client.get(response["Location"] + "progress.json").json()
    assert progress["state"] == "done"
    response = client.post("/staff/positions/import/", {"file": _upload(workbook(row(1), row(2)))})
    page = client.get(response["Location"]).content.decode()
    assert "导入成功" in page and Position.objects.count() == 2
    # Another user cannot see the job.
    other = login(UserFactory(username="other"))
    assert other.get(response["Location"]).status_code in (403, 404)
    response = client.post("/staff/positions/import/", {"file": _upload(b"")})
    assert response.status_code == 200 and "请选择" in response.content.decode() or "空" in response.content.decode()


# — the batch path: the same rules and records as a form, saved in bulk —


def test_batch_saves_what_a_form_would(admin, dalian_map):
    """A new row saved by the import holds the same record, first history row and audit entry as
    `position_create` with the same values (what differs: key, code, timestamps)."""
    from yizhan.core.audit import audit_verify
    from yizhan.positions import services

    positions_import(actor=admin, file=workbook(row(1)))
    imported = Position.objects.get(code="IMP-001")
    fields = {
        "code": "FORM-001",
        "kind": "station",
        "official_name": "工会户外劳动者服务站点·表单",
        "unit": dalian_map["zs"],
        "address": imported.address,
        "lng": imported.lng,
        "lat": imported.lat + 0.001,
        "construction_type": imported.construction_type,
        "manager_phone": imported.manager_phone,
        "weekly_hours": imported.weekly_hours,
        "facilities": ["drinking_water", "microwave", "charging"],
    }
    formed = services.position_create(actor=admin, state="operating", **fields)
    differ = {"id", "code", "official_name", "search_initials", "lat", "created_at", "updated_at"}
    entry_of = {
        p.pk: AuditEntry.objects.get(object_type="positions.position", object_id=str(p.pk)) for p in (imported, formed)
    }
    after_imported = {k: v for k, v in entry_of[imported.pk].after.items() if k not in differ}
    after_formed = {k: v for k, v in entry_of[formed.pk].after.items() if k not in differ}
    assert after_imported == after_formed
    assert entry_of[imported.pk].after["id"] == imported.pk
    assert entry_of[imported.pk].unit_path == dalian_map["zs"].path
    history = [(h.from_state, h.to_state, h.reason) for h in imported.state_changes.all()]
    assert (
        history
        == [(h.from_state, h.to_state, h.reason) for h in formed.state_changes.all()]
        == [("", "operating", "登记")]
    )
    assert audit_verify().ok


def test_batches_keep_file_order_and_chain(admin, monkeypatch):
    """More rows than one batch, a stored code in the middle (saved in file order), a work station
    pointing at a centre created earlier in the same file: one audit entry per write, chain intact."""
    from yizhan.core.audit import audit_verify

    monkeypatch.setattr(imports, "FLUSH_ROWS", 2)
    positions_import(actor=admin, file=workbook(row(50)))
    before = AuditEntry.objects.count()
    centre = row(3, kind="职工服务中心", centre_level="区级", official_name="中山区职工服务中心")
    station = row(
        4,
        kind="工作站",
        official_name="中山区职工服务中心一号工作站",
        parent_centre="IMP-003",
        lng=ZHONGSHAN[0] + 0.0045,
    )
    rows = [row(1), row(2), centre, row(50, address="新地址"), station, row(5), row(6)]
    result = positions_import(actor=admin, file=workbook(*rows))
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated) == (6, 1)
    ws = Position.objects.get(code="IMP-004")
    assert ws.parent_centre.code == "IMP-003"
    assert Position.objects.get(code="IMP-050").address == "新地址"
    assert AuditEntry.objects.count() == before + 7
    assert audit_verify().ok
    assert all(p.state_changes.count() == 1 for p in Position.objects.exclude(code="IMP-050"))


def test_centre_must_come_before_its_work_stations(admin):
    station = row(
        4,
        kind="工作站",
        official_name="中山区职工服务中心一号工作站",
        parent_centre="IMP-003",
        lng=ZHONGSHAN[0] + 0.0045,
    )
    centre = row(3, kind="职工服务中心", centre_level="区级", official_name="中山区职工服务中心")
    result = positions_import(actor=admin, file=workbook(station, centre))
    assert [(e.row, e.column) for e in result.errors] == [(2, "所属服务中心编号")]
    assert not Position.objects.exists()


def test_work_station_name_checked_against_a_centre_of_the_same_file(admin):
    centre = row(3, kind="职工服务中心", centre_level="区级", official_name="中山区职工服务中心")
    station = row(
        4,
        kind="工作站",
        official_name="西岗区职工服务中心一号工作站",
        parent_centre="IMP-003",
        lng=ZHONGSHAN[0] + 0.0045,
    )
    result = positions_import(actor=admin, file=workbook(centre, station))
    assert [(e.row, e.column) for e in result.errors] == [(3, "规范名称")]
    assert "中山区职工服务中心" in result.errors[0].message


def test_sheet_not_starting_in_column_a(admin):
    """Cells are numbered as Excel numbers them even when the table starts further right."""
    book = Workbook()
    sheet = book.active
    sheet.title = "服务阵地"
    sheet.append([None, *HEADERS])
    by_header = {c.header: c.field for c in COLUMNS}
    for values in (row(1), row(2, manager_phone="1")):
        sheet.append([None, *[values.get(by_header[h]) for h in HEADERS]])
    buffer = BytesIO()
    book.save(buffer)
    result = positions_import(actor=admin, file=buffer.getvalue())
    (error,) = result.errors
    assert (error.row, error.column) == (3, "管理员电话")
    assert error.col_index == HEADERS.index("管理员电话") + 2


def test_stored_duplicate_found_by_the_batch(admin, make_position):
    existing = make_position(code="DB-2", official_name="工会户外劳动者服务站点·导入7", lng=121.66, lat=38.92)
    far = row(7, lng=121.70, lat=38.92)  # same name, several km away: allowed
    near = row(8, official_name=existing.official_name, lng=121.6602, lat=38.9201)
    result = positions_import(actor=admin, file=workbook(far, near))
    assert [(e.row, e.column) for e in result.errors] == [(3, "规范名称")]
    assert "DB-2" in result.errors[0].message


def test_remembered_cells_parse_as_the_column_does(admin):
    """Cells that repeat are parsed once per import: each row still gets what `Column.parse` gives,
    as its own copy, and a bad cell is refused every time it appears."""
    from datetime import datetime

    from yizhan.positions.spreadsheet import CellError

    importer = imports._Importer(admin, dict(enumerate(COLUMNS)))
    cells = {
        "facilities": ["饮用水、微波炉", "无此设施", "饮用水、微波炉", "充电、打气工具"],
        "weekly_hours": ["06:00-22:00", "25:00-26:00", "mon-fri 06:00-20:00; sat,sun 08:00-18:00"],
        "always_open": ["是", True, 1.0, 1, "否", "也许", None],
        "kind": ["户外劳动者服务站点", "station", "STATION", "站"],
        "verified_on": ["2024-05-01", datetime(2024, 5, 1, 8), 45413.0, None],
        "own_services": ["理发、修车", "", None],
        "short_name": [None, "简称", None],
        "code": [None, "A-1"],  # required: an empty cell is refused every time
        "lng": [None, 121.5, "121.5"],
    }
    for field, values in cells.items():
        column = BY_FIELD[field]
        for cell in values * 2:
            try:
                expected = column.parse(cell)
            except CellError:
                with pytest.raises(CellError):
                    importer.parse_cell(column, cell)
                continue
            parsed = importer.parse_cell(column, cell)
            assert (type(parsed), parsed) == (type(expected), expected), (field, cell)
    facilities = importer.parse_cell(BY_FIELD["facilities"], "饮用水、微波炉")
    facilities.append("wifi")
    hours = importer.parse_cell(BY_FIELD["weekly_hours"], "06:00-22:00")
    hours["mon"][0][0] = "00:00"
    assert importer.parse_cell(BY_FIELD["facilities"], "饮用水、微波炉") == ["drinking_water", "microwave"]
    assert importer.parse_cell(BY_FIELD["weekly_hours"], "06:00-22:00")["mon"] == [["06:00", "22:00"]]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a setting of SQLite connections")
def test_sqlite_page_cache_is_restored(admin):
    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    with imports._page_cache():
        assert cache_size() == -imports.SQLITE_IMPORT_CACHE_KIB
    assert cache_size() == before
    with pytest.raises(RuntimeError), imports._page_cache(), transaction.atomic():
        positions_import(actor=admin, file=workbook(row(1)))
        raise RuntimeError("the import's transaction fails")
    assert cache_size() == before
    assert positions_import(actor=admin, file=workbook(row(2), row(3, manager_phone="1"))).errors
    assert cache_size() == before


def test_stored_rows_are_read_together(admin):
    """The stored positions of a file's rows are read in one query per chunk of rows, and each row
    is still applied against what is stored (an earlier row changes only its own position)."""
    from django.test.utils import CaptureQueriesContext

    positions_import(actor=admin, file=workbook(*(row(n) for n in range(1, 6))))
    rows = [row(n) for n in range(1, 6)]
    rows[2]["address"] = "改过的地址"
    with CaptureQueriesContext(connection) as queries:
        result = positions_import(actor=admin, file=workbook(*rows))
    assert (result.updated, result.unchanged) == (1, 4)
    assert Position.objects.get(code="IMP-003").address == "改过的地址"
    table = connection.ops.quote_name(Position._meta.db_table)
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and f"FROM {table}" in q["sql"]]
    by_key = f"{table}.{connection.ops.quote_name('id')} ="
    assert len([sql for sql in reads if " IN (" in sql]) == 1
    assert len([sql for sql in reads if by_key in sql and "LIMIT 21" in sql]) == 1  # position_update's own


def test_fewer_collections_while_imports_run(admin):
    """The cycle collector's threshold is raised while any import runs and restored by the last."""
    import gc

    before = gc.get_threshold()
    seen = []
    with imports.fewer_collections():
        with imports.fewer_collections():
            seen.append(gc.get_threshold())
        seen.append(gc.get_threshold())
        positions_import(actor=admin, file=workbook(row(1), row(2, manager_phone="1")))
        seen.append(gc.get_threshold())
    assert all(t[0] >= imports.GC_IMPORT_THRESHOLD and t[1:] == before[1:] for t in seen)
    assert gc.get_threshold() == before
    with pytest.raises(ImportFileError):
        positions_import(actor=admin, file=workbook())  # no rows: refused inside the import
    assert gc.get_threshold() == before


def test_chinese_cells_import_when_the_page_is_english(admin):
    """A person reading the pages in English imports the Chinese template (or an English one)."""
    from django.utils import translation

    with translation.override("en"):
        result = positions_import(actor=admin, file=workbook(row(1), row(2, kind="Outdoor-worker service station")))
    assert result.ok, [str(e) for e in result.errors]
    assert Position.objects.filter(code__in=["IMP-001", "IMP-002"], kind="station").count() == 2
