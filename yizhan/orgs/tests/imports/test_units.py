"""The unit tree from xlsx (issue 14 §3): all or nothing, errors by row and column, any row order,
idempotent by code, updates and moves, scope, and a template whose example rows are the importing
federation's own areas; the command."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yizhan.core.audit import audit_verify
from yizhan.core.errors import PermissionDeniedError
from yizhan.core.models import AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType
from yizhan.orgs.imports import sheets
from yizhan.orgs.imports.units import COLUMNS, units_import, units_template
from yizhan.orgs.models import Unit
from yizhan.orgs.tests.imports.conftest import sheet_rows, workbook

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in COLUMNS]


def row(code, name, type_label, parent, region, contact="", phone="", address=""):
    return [code, name, type_label, parent, region, "", contact, phone, address]


DISTRICTS = [
    row("ZZ-JS", "金水区总工会", "区总工会", "ZZ", "410105"),
    row("ZZ-EQ", "二七区总工会", "区总工会", "ZZ", "410103", "王五", "0371-67891234"),
    row("ZZ-ZM", "中牟县总工会", "county", "ZZ", 410122),  # a value instead of a label; a number cell
]


def codes() -> set[str]:
    return set(Unit.objects.values_list("code", flat=True))


def test_a_tree_imports_and_reimports_unchanged(zz_admin):
    data = workbook(HEADERS, DISTRICTS)
    result = units_import(actor=zz_admin, file=data)
    assert result.ok, result.errors
    assert (result.total, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    zm = Unit.objects.get(code="ZZ-ZM")
    assert (zm.type, zm.region.adcode, Unit.objects.get_parent(zm).code) == (UnitType.COUNTY, "410122", "ZZ")
    assert Unit.objects.get(code="ZZ-EQ").contact_phone == "0371-67891234"
    entries = AuditEntry.objects.count()
    again = units_import(actor=zz_admin, file=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditEntry.objects.count() == entries  # nothing written
    assert audit_verify().ok


def test_children_may_come_before_their_parents(zz_admin):
    data = workbook(
        HEADERS,
        [
            row("ZZ-JS-HH", "花园路街道工会", "街道/乡镇/园区工会", "ZZ-JS", "410105"),
            row("ZZ-JS-HH-Q", "某企业工会", "企业工会", "ZZ-JS-HH", "410105"),
            row("ZZ-JS", "金水区总工会", "区总工会", "ZZ", "410105"),
        ],
    )
    result = units_import(actor=zz_admin, file=data)
    assert result.ok, result.errors
    assert Unit.objects.get_parent(Unit.objects.get(code="ZZ-JS-HH-Q")).code == "ZZ-JS-HH"


def test_every_error_is_named_by_row_and_column_and_nothing_is_written(zz_admin):
    data = workbook(
        HEADERS,
        [
            row("ZZ-JS", "金水区总工会", "区总工会", "ZZ", "410105"),  # row 2: fine on its own
            row("ZZ-EQ", "", "区总工会", "ZZ", "410103"),  # 3: name missing
            row("ZZ-X", "某工会", "村工会", "ZZ", "410103"),  # 4: unknown type
            row("ZZ-Y", "某工会", "区总工会", "NOPE", "410103"),  # 5: unknown parent
            row("ZZ-Z", "某工会", "区总工会", "ZZ", "999999"),  # 6: unknown area
            row("ZZ-JS", "金水区总工会", "区总工会", "ZZ", "410105"),  # 7: code repeated
            row("ZZ-S", "某街道工会", "街道/乡镇/园区工会", "ZZ-EQ", "410103"),  # 8: parent row in error
            row("ZZ-P", "省总工会", "省总工会", "ZZ", "410100"),  # 9: type not allowed below
            row("ZZ-T", "某工会", "区总工会", "ZZ", "410105", phone="电话"),  # 10: bad phone
            row("bad code!", "某工会", "区总工会", "ZZ", "410105"),  # 11: bad code
        ],
    )
    result = units_import(actor=zz_admin, file=data)
    assert not result.ok and (result.created, result.updated) == (0, 0)
    found = {(e.row, e.column) for e in result.errors}
    assert found >= {
        (3, "单位名称"),
        (4, "单位类型"),
        (5, "上级单位代码"),
        (6, "行政区划代码"),
        (7, "单位代码"),
        (8, "上级单位代码"),
        (9, "单位类型"),
        (10, "联系电话"),
        (11, "单位代码"),
    }
    assert not any(e.row == 2 for e in result.errors)
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "第 3 行" in messages[(8, "上级单位代码")] and "第 2 行" in messages[(7, "单位代码")]
    assert "村工会" in messages[(4, "单位类型")] and "区总工会" in messages[(4, "单位类型")]
    assert codes() == {"ZZ"}  # not even row 2
    assert "第 3 行“单位名称”" in str(result.errors[0])


def test_a_cycle_in_the_file_is_named(zz_admin):
    data = workbook(
        HEADERS,
        [
            row("ZZ-A", "甲街道工会", "街道/乡镇/园区工会", "ZZ-B", "410105"),
            row("ZZ-B", "乙街道工会", "街道/乡镇/园区工会", "ZZ-A", "410105"),
        ],
    )
    result = units_import(actor=zz_admin, file=data)
    assert {(e.row, e.column) for e in result.errors} == {(2, "上级单位代码"), (3, "上级单位代码")}
    assert "循环" in result.errors[0].message


def test_changed_rows_update_and_move(zz_admin):
    units_import(
        actor=zz_admin,
        file=workbook(HEADERS, DISTRICTS + [row("ZZ-S", "某街道工会", "街道/乡镇/园区工会", "ZZ-JS", "410105")]),
    )
    changed = workbook(
        HEADERS,
        [
            row("ZZ-JS", "金水区总工会（新）", "区总工会", "ZZ", "410105", address="金水路 1 号"),
            row("ZZ-S", "某街道工会", "街道/乡镇/园区工会", "ZZ-EQ", "410103"),
        ],
    )
    result = units_import(actor=zz_admin, file=changed)
    assert result.ok, result.errors
    assert (result.updated, result.unchanged) == (2, 0)
    assert Unit.objects.get(code="ZZ-JS").name == "金水区总工会（新）"
    street = Unit.objects.get(code="ZZ-S")
    assert Unit.objects.get_parent(street).code == "ZZ-EQ" and street.region.adcode == "410103"


def test_the_export_imports_back_unchanged_masked_contacts_included(zz_admin, login):
    units_import(actor=zz_admin, file=workbook(HEADERS, DISTRICTS))
    client = login(zz_admin.user)
    exported = client.get("/staff/units/export.xlsx").content
    rows = sheet_rows(exported)
    assert rows[0] == tuple(HEADERS)
    body = workbook(HEADERS, [list(r) for r in rows[1:] if r[0] != "ZZ"])
    result = units_import(actor=zz_admin, file=body)
    assert result.ok, result.errors
    assert result.unchanged == 3


def test_scope_a_district_admin_imports_below_their_own_unit_only(zz_admin, make_actor):
    units_import(actor=zz_admin, file=workbook(HEADERS, DISTRICTS))
    district = make_actor(Role.UNIT_ADMIN, Unit.objects.get(code="ZZ-JS"))
    data = workbook(
        HEADERS,
        [
            row("ZZ-JS-1", "某街道工会", "街道/乡镇/园区工会", "ZZ-JS", "410105"),
            row("ZZ-EQ-1", "某街道工会", "街道/乡镇/园区工会", "ZZ-EQ", "410103"),  # a sibling's
            row("ZZ-EQ", "二七区某街道工会", "街道/乡镇/园区工会", "ZZ-JS", "410105"),  # a sibling's code
            row("ZZ-JS", "金水区", "区总工会", "ZZ", "410105"),  # their own unit, renamed
        ],
    )
    result = units_import(actor=district, file=data)
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "第 4 行" in messages[(3, "上级单位代码")]  # the row of its parent is refused
    assert "不可用" in messages[(4, "单位代码")]  # a code outside their scope, nothing said about it
    assert {e.row for e in result.errors} == {3, 4}  # renaming their own unit is theirs to do


def test_a_district_admins_own_export_imports_back_unchanged(zz_admin, make_actor, login):
    units_import(actor=zz_admin, file=workbook(HEADERS, DISTRICTS))
    street = [row("ZZ-JS-1", "某街道工会", "街道/乡镇/园区工会", "ZZ-JS", "410105")]
    units_import(actor=zz_admin, file=workbook(HEADERS, street))
    district = make_actor(Role.UNIT_ADMIN, Unit.objects.get(code="ZZ-JS"))
    rows = sheet_rows(login(district.user).get("/staff/units/export.xlsx").content)
    assert [r[:4] for r in rows[1:]] == [
        ("ZZ-JS", "金水区总工会", "区总工会", None),
        ("ZZ-JS-1", "某街道工会", "街道/乡镇/园区工会", "ZZ-JS"),
    ]
    result = units_import(actor=district, file=workbook(HEADERS, [list(r) for r in rows[1:]]))
    assert result.ok and result.unchanged == 2, result.errors


def test_a_new_unit_needs_a_parent(zz_admin):
    result = units_import(
        actor=zz_admin, file=workbook(HEADERS, [row("ZZ-JS", "金水区总工会", "区总工会", "", "410105")])
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "上级单位代码")]


def test_roles_without_the_right_are_refused(zhengzhou, make_actor):
    security = make_actor(Role.SECURITY_ADMIN, zhengzhou)
    with pytest.raises(PermissionDeniedError):
        units_import(actor=security, file=workbook(HEADERS, DISTRICTS))
    with pytest.raises(PermissionDeniedError):
        units_template(actor=security)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "空"),
        (b"not a workbook", "不是 Excel"),
        (workbook(["甲", "乙"], [["1", "2"]]), "没有表头"),
        (workbook(["单位代码", "单位名称"], [["A", "B"]]), "缺少必需的列"),
        (workbook(HEADERS, []), "没有任何数据"),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(zz_admin, data, fragment):
    with pytest.raises(sheets.ImportFileError, match=fragment):
        units_import(actor=zz_admin, file=data)


def test_dry_run_checks_and_writes_nothing(zz_admin):
    result = units_import(actor=zz_admin, file=workbook(HEADERS, DISTRICTS), dry_run=True)
    assert result.ok and result.created == 3 and "试导入" in result.summary()
    assert codes() == {"ZZ"}


def test_the_template_offers_the_federations_own_districts(zz_admin):
    rows = sheet_rows(units_template(actor=zz_admin), "工会单位")
    assert rows[0] == tuple(HEADERS)
    examples = {r[0]: r for r in rows[1:]}
    assert len(examples) == 12  # one per district and county of 郑州市
    assert examples["ZZ-JS"][:6] == ("ZZ-JS", "金水区总工会", "区总工会", "ZZ", "410105", "金水区")
    assert examples["ZZ-GY"][1:3] == ("巩义市总工会", "县（市）总工会")
    assert not any("大连" in str(cell) for r in rows for cell in r)
    result = units_import(actor=zz_admin, file=units_template(actor=zz_admin))  # usable as it is
    assert result.ok and result.created == 12
    again = sheet_rows(units_template(actor=zz_admin), "工会单位")
    assert len(again) == 2 and again[1][2] == "街道/乡镇/园区工会"  # every district has its union


def test_a_provincial_template_offers_city_federations(db, make_actor):
    from yizhan.orgs.services import federation_setup

    province = federation_setup(code="HA", name="海南省总工会", adcode="460000", security_admin="ha_sec").unit
    rows = sheet_rows(units_template(actor=make_actor(Role.FEDERATION_ADMIN, province)), "工会单位")
    haikou = next(r for r in rows if r[4] == "460100")
    assert haikou[1:4] == ("海口市总工会", "市总工会", "HA")


def test_the_template_escapes_formulas(zz_admin, monkeypatch):
    from yizhan.orgs.imports import units as importer

    monkeypatch.setattr(importer, "template_rows", lambda actor: [["=HYPERLINK(1)", "名", "区总工会", "ZZ", "410105"]])
    rows = sheet_rows(units_template(actor=zz_admin), "工会单位")
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_command_writes_the_template_and_imports(zz_admin, tmp_path):
    template = tmp_path / "units.xlsx"
    out = StringIO()
    call_command("import_units", "--template", str(template), "--as", zz_admin.user.username, stdout=out)
    assert "郑州市总工会" in out.getvalue()
    out = StringIO()
    call_command("import_units", str(template), "--as", zz_admin.user.username, stdout=out)
    assert "新建 12" in out.getvalue()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(HEADERS, [row("ZZ-Q", "", "区总工会", "ZZ", "410105")]))
    err = StringIO()
    with pytest.raises(CommandError, match="导入失败"):
        call_command("import_units", str(bad), "--as", zz_admin.user.username, stderr=err)
    assert "第 2 行“单位名称”" in err.getvalue()
    with pytest.raises(CommandError, match="--template"):
        call_command("import_units", "--as", zz_admin.user.username)
