"""What the unit and account imports share (issue 14 §3): the xlsx read with calamine (refusing an
empty, oversized or non-xlsx file), Chinese headers mapped to columns, cells as trimmed text, errors
by Excel row and column header, and templates written with openpyxl (formula-injection escaped,
text-formatted code columns, drop-down lists, a 说明 sheet). The same shape as the positions import
(`positions/imports.py`), which it does not import: orgs sits below positions."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from yizhan.core.errors import ApplicationError
from yizhan.core.exports import FORMULA_PREFIXES, safe_cell
from yizhan.core.wording import enumeration

NOT_XLSX = _("文件不是 Excel 工作簿（.xlsx）；请使用下载的模板，另存为 .xlsx 后再上传")
EMPTY_FILE = _("文件是空的")
TOO_LARGE = _("文件过大（{size:.1f} MB），上限为 {limit:.0f} MB")
NO_HEADER = _("工作表“{sheet}”第 1 行没有表头；请使用下载的模板")
MISSING_COLUMNS = _("缺少必需的列：{columns}；请使用下载的模板")
NO_ROWS = _("文件中没有任何数据（表头下没有内容）")
FILE_REFUSED = _("文件有 {count} 处错误，未导入任何数据")
REQUIRED_MISSING = _("“{header}”为必填项")
BAD_CHOICE = _("“{header}”的值“{value}”无效，可选：{options}")
ROW_PROBLEM = _("第 {row} 行“{column}”：{message}")
ROW_PROBLEM_NO_COLUMN = _("第 {row} 行：{message}")

HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FFFCE4D6")
LISTS_SHEET_TITLE = "选项"
HELP_SHEET_TITLE = "说明"
TEMPLATE_ROWS = 10_001  # rows the drop-down lists cover


class ImportFileError(ApplicationError):
    """The file as a whole cannot be read (not xlsx, empty, too large, missing columns)."""


@dataclass(frozen=True)
class Column:
    """One column: the service argument it fills, its Chinese header, whether it is required, the
    choices it accepts (value → label; a cell may hold either) and a help text for the template."""

    field: str
    header: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    width: int = 16
    text: bool = False  # a code: the template formats it as text, so 410102 stays 410102

    def parse(self, value) -> str:
        """The cell as text; a choice column answers the value, whichever of value or label it holds."""
        text = cell_text(value)
        if not text:
            if self.required:
                raise CellError(REQUIRED_MISSING.format(header=self.header))
            return ""
        if self.choices:
            for choice, label in self.choices:
                if text in (choice, str(label)):
                    return choice
            options = "、".join(str(label) for _, label in self.choices)
            raise CellError(BAD_CHOICE.format(header=self.header, value=text, options=options))
        return text


class CellError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def cell_text(value) -> str:
    """A cell as trimmed text: whole numbers without ".0", a template's formula guard removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] and text[1:2] in FORMULA_PREFIXES:
        text = text[1:]
    return text


@dataclass
class RowError:
    row: int  # as Excel numbers it
    column: str | None  # header, or None for the whole row
    message: str

    def __str__(self) -> str:
        if self.column:
            return str(ROW_PROBLEM.format(row=self.row, column=self.column, message=self.message))
        return str(ROW_PROBLEM_NO_COLUMN.format(row=self.row, message=self.message))

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class SheetImportResult:
    """What an all-or-nothing sheet import did, or with `dry_run` would do. A subclass adds its
    counters as fields and names them, with their words in the summary, in COUNTS."""

    COUNTS: ClassVar[tuple[tuple[str, str], ...]] = ()  # (field, word in the summary)

    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        verb = "校验通过（试导入，未写入）" if self.dry_run and self.ok else ("导入完成" if self.ok else "导入失败")
        counts = "".join(f"，{word} {getattr(self, name)}" for name, word in self.COUNTS)
        text = f"{verb}：共 {self.total} 行{counts}"
        if self.errors:
            text += f"；{FILE_REFUSED.format(count=len(self.errors))}"
        return text

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "total": self.total,
            **{name: getattr(self, name) for name, _word in self.COUNTS},
            "errors": [e.as_dict() for e in self.errors],
        }


class Rollback(Exception):
    """Raised inside an import's transaction to undo it: a dry run, or a file with errors."""


def row_error(row: SheetRow, field_name: str | None, message, *, by_field: dict[str, Column]) -> RowError:
    """The error of `row`, in the column of `field_name` when the sheet has one (else of the whole row)."""
    column = by_field.get(field_name) if field_name else None
    return RowError(row.number, column.header if column else None, str(message))


@dataclass
class SheetRow:
    number: int  # Excel row number
    values: dict[str, str]  # field → text (choices as values)
    errors: list[RowError] = field(default_factory=list)


def max_bytes() -> int:
    return int(settings.YIZHAN_IMPORT_MAX_BYTES)


def read_bytes(file) -> bytes:
    """The upload (bytes, a path or a file object) as bytes, refusing an empty, oversized or
    non-xlsx file."""
    limit = max_bytes()
    if isinstance(file, (bytes, bytearray)):
        data = bytes(file)
    elif isinstance(file, (str, Path)):
        path = Path(file)
        if path.stat().st_size > limit:
            raise ImportFileError(TOO_LARGE.format(size=path.stat().st_size / 2**20, limit=limit / 2**20))
        data = path.read_bytes()
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(limit + 1)
    if not data:
        raise ImportFileError(str(EMPTY_FILE))
    if len(data) > limit:
        raise ImportFileError(TOO_LARGE.format(size=len(data) / 2**20, limit=limit / 2**20))
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise ImportFileError(str(NOT_XLSX)) from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
        raise ImportFileError(str(NOT_XLSX))
    return data


def read_rows(file, *, sheet_title: str, columns: tuple[Column, ...]) -> list[SheetRow]:
    """Every non-empty row below the header of the sheet `sheet_title` (or the first sheet), cells
    parsed by their column; a cell that cannot be read is a RowError of its row."""
    data = read_bytes(file)
    try:
        workbook = CalamineWorkbook.from_filelike(BytesIO(data))
        title = sheet_title if sheet_title in workbook.sheet_names else workbook.sheet_names[0]
        cells = workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own kinds for a damaged archive
        raise ImportFileError(str(NOT_XLSX)) from None
    header = next((i for i, row in enumerate(cells) if any(cell_text(c) for c in row)), None)
    if header is None:
        raise ImportFileError(str(NO_ROWS))
    by_header = {column.header: column for column in columns}
    found: dict[int, Column] = {}
    for index, value in enumerate(cells[header]):
        column = by_header.get(cell_text(value))
        if column is not None and column not in found.values():
            found[index] = column
    if not found:
        raise ImportFileError(NO_HEADER.format(sheet=title))
    missing = [c.header for c in columns if c.required and c not in found.values()]
    if missing:
        raise ImportFileError(MISSING_COLUMNS.format(columns=enumeration(missing)))
    rows = []
    for offset, cells_of_row in enumerate(cells[header + 1 :], start=header + 2):
        if not any(cell_text(c) for c in cells_of_row):
            continue
        row = SheetRow(number=offset, values={})
        for index, column in found.items():
            try:
                row.values[column.field] = column.parse(cells_of_row[index] if index < len(cells_of_row) else None)
            except CellError as error:
                row.errors.append(RowError(offset, column.header, error.message))
        rows.append(row)
    if not rows:
        raise ImportFileError(str(NO_ROWS))
    return rows


def template_workbook(
    *,
    sheet_title: str,
    columns: tuple[Column, ...],
    rows: list[list],
    rules: list[str],
) -> bytes:
    """A template: bold Chinese headers (required ones shaded), `rows` as examples, codes formatted
    as text, a drop-down list for each choice column (on a hidden 选项 sheet) and a 说明 sheet with
    each column's help and the import `rules`."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append([c.header for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        if column.help:
            cell.comment = Comment(column.help, "驿站")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for row in rows:
        sheet.append([safe_cell(str(value) if isinstance(value, Promise) else value) for value in row])
    for index, column in enumerate(columns, start=1):
        if column.text:
            for number in range(2, len(rows) + 2):
                sheet.cell(row=number, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    lists = workbook.create_sheet(LISTS_SHEET_TITLE)
    lists.sheet_state = "hidden"
    list_index = 0
    for index, column in enumerate(columns, start=1):
        if not column.choices:
            continue
        list_index += 1
        letter = get_column_letter(list_index)
        lists.cell(row=1, column=list_index, value=column.header)
        for offset, (_value, label) in enumerate(column.choices, start=2):
            lists.cell(row=offset, column=list_index, value=str(label))
        validation = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(LISTS_SHEET_TITLE)}!${letter}$2:${letter}${len(column.choices) + 1}",
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle="无效的值",
            error=f"请从下拉列表中选择“{column.header}”",
        )
        target = get_column_letter(index)
        validation.add(f"{target}2:{target}{TEMPLATE_ROWS}")
        sheet.add_data_validation(validation)

    help_sheet = workbook.create_sheet(HELP_SHEET_TITLE)
    help_sheet.append(["列名", "必填", "说明", "可选值"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for column in columns:
        options = "、".join(str(label) for _, label in column.choices)
        help_sheet.append([column.header, "是" if column.required else "", column.help, options])
    help_sheet.append([])
    for number, rule in enumerate(rules):
        help_sheet.append(["导入规则" if number == 0 else "", "", rule])
    for letter, width in zip("ABCD", (16, 6, 70, 50), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
