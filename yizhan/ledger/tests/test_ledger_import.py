"""The daily ledger's xlsx upload (issue 15 §1): the template reads back, every problem is named by
row and column, nothing is written when one row fails, the same file twice changes nothing, a
changed figure is a correction with its history; positions outside the scope are not found."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.ledger import imports
from yizhan.ledger.models import DailyLedger, DailyLedgerRevision
from yizhan.orgs.imports.sheets import ImportFileError
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import XIGANG

pytestmark = pytest.mark.django_db

HEADERS = ["阵地编号", "日期", "外卖送餐员", "快递员", "渴了能喝水", "特色服务人次"]


def _xlsx(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = imports.SHEET_TITLE
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def manager(dalian_map, make_actor):
    return make_actor(Role.STATION_MANAGER, dalian_map["zs"])


def _days(n):
    return (timezone.localdate() - timedelta(days=n)).isoformat()


def test_a_file_imports_and_the_same_file_again_changes_nothing(manager, station):
    data = _xlsx([[station.code, _days(2), 5, 3, 8, ""], [station.code, _days(1), "6", None, 9, ""]])
    result = imports.ledger_import(actor=manager, file=data)
    assert result.as_dict() == {"created": 2, "corrected": 0, "unchanged": 0, "errors": []}
    assert DailyLedger.objects.get(day=timezone.localdate() - timedelta(days=1)).visits_total == 6
    again = imports.ledger_import(actor=manager, file=data)
    assert (again.created, again.corrected, again.unchanged) == (0, 0, 2)
    assert not DailyLedgerRevision.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT, object_type="ledger.dailyledger").count() == 2


def test_a_changed_figure_is_a_correction_with_the_earlier_one_kept(manager, station):
    imports.ledger_import(actor=manager, file=_xlsx([[station.code, _days(1), 5, 3, 8, ""]]))
    result = imports.ledger_import(actor=manager, file=_xlsx([[station.code, _days(1), 7, 3, 8, ""]]))
    assert (result.created, result.corrected) == (0, 1)
    ledger = DailyLedger.objects.get()
    assert (ledger.visits_delivery, ledger.version) == (7, 2)
    assert DailyLedgerRevision.objects.get().figures["visits_delivery"] == 5


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(dalian_map, make_position, manager, station):
    other = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1], state=PositionState.OPERATING)
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    rows = [
        [station.code, _days(3), 5, 3, 8, ""],  # good, but not written: another row fails
        [station.code, future, -1, 3, 8, ""],
        [other.code, _days(1), 1, 1, 1, ""],  # another district's: not found for this manager
        [station.code, "昨天", "x", 0, 0, "理发"],
        [station.code, _days(3), 1, 0, 0, ""],  # the first row's day again
    ]
    result = imports.ledger_import(actor=manager, file=_xlsx(rows))
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "外卖送餐员"),
        (3, "日期"),
        (4, "阵地编号"),
        (5, "日期"),
        (5, "特色服务人次"),
        (5, "外卖送餐员"),
        (6, "日期"),
    ]
    assert "不能为负数" in result.errors[0].message
    assert "不存在或不在您的管辖范围内" in result.errors[2].message
    assert "第 2 行" in result.errors[-1].message
    assert (result.created, result.corrected, result.unchanged) == (0, 0, 0)
    assert not DailyLedger.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "文件是空的"), (b"not a zip", "不是 Excel 工作簿"), (None, "缺少必需的列")],
)
def test_a_file_that_cannot_be_read_is_refused_whole(manager, data, message):
    if data is None:
        data = _xlsx([["x", "y"]], headers=["阵地编号", "数量"])
    with pytest.raises(ImportFileError) as refused:
        imports.ledger_import(actor=manager, file=data)
    assert message in refused.value.message


def test_the_template_lists_the_positions_in_scope_and_imports_as_it_is(manager, station):
    book = load_workbook(BytesIO(imports.ledger_template(actor=manager)))
    sheet = book[imports.SHEET_TITLE]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["阵地编号", "日期", "环卫工人", "园林绿化工人"]
    assert header[-1] == "特色服务人次"
    assert sheet.cell(row=2, column=1).value == station.code
    sheet.cell(row=2, column=header.index("外卖送餐员") + 1, value=4)
    out = BytesIO()
    book.save(out)
    result = imports.ledger_import(actor=manager, file=out.getvalue())
    assert (result.created, result.errors) == (1, [])
    assert DailyLedger.objects.get().visits_delivery == 4
