"""Import positions from an xlsx workbook laid out as `spreadsheet.COLUMNS` (issue 3 §5).

All or nothing, inside one transaction: any error rolls everything back and the result lists every
problem by Excel row number and column header — every problem of every row at once, the cells' and
the rules' (issue 14 §4). Idempotent by 阵地编号: an existing code whose values are the same is left
alone (no write, no audit entry), one with other values is updated through
`position_update`/`position_transition`, one row at a time. The manager's name and phone as the
export masks them (spec §11) leave the stored values as they are; any other masked value is refused.

A registry is imported as it is (`registry.py`): names, hours and construction types it writes its
own way are kept with a warning, and rows at one point in different districts are named together.
Warnings never block; they are listed with the result and in the annotated workbook.

New codes, the bulk of a large file, run the same rules as a form (`services.position_prepare`)
but look other records up in what the importer read once per file (units, areas, centres, every
stored name and point for duplicate detection, the file's own earlier rows) instead of one query
each, and are saved in batches (`services.positions_create_many`: bulk inserts, one history row and
one audit entry per position, as a form would write). The sheet is read with calamine (a Rust
reader, ~8× faster than openpyxl's read-only mode); openpyxl writes the annotated workbook.

Rows are checked (`_checked_rows`) and written (`_write`) in file order. A file of
`import_worker.WORKER_MIN_ROWS` rows or more is checked in a worker process while this one writes
(decisions.md record 12).
"""

from __future__ import annotations

import gc
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from python_calamine import CalamineWorkbook

from yizhan.core.errors import ApplicationError
from yizhan.core.geo.crs import CRS, to_gcj02
from yizhan.core.geo.distance import distance_m
from yizhan.core.hours import validate_schedule
from yizhan.core.masking import looks_masked
from yizhan.core.personal_data import masked_input_problem, personal_field
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, require
from yizhan.orgs.choices import RegionLevel
from yizhan.orgs.geo import boundaries_pinned, points_ahead
from yizhan.orgs.models import PHONE_VALIDATOR, Region, Unit
from yizhan.positions import rules, services
from yizhan.positions.choices import PositionKind
from yizhan.positions.imports import registry
from yizhan.positions.imports import worker as import_worker
from yizhan.positions.models import POSITION_CODE_VALIDATOR, Position
from yizhan.positions.spreadsheet import BY_FIELD, BY_HEADER, COLUMNS, MASKED_FIELDS, SHEET_TITLE, CellError, Column

ERROR_HEADER = "错误说明"
WARNING_HEADER = "警告说明"
ERROR_FILL, WARNING_FILL = "FFFFC7CE", "FFFFEB9C"  # red and yellow cells of the annotated workbook

NOT_XLSX = _("文件不是 Excel 工作簿（.xlsx）；请使用下载的模板，另存为 .xlsx 后再上传")
EMPTY_FILE = _("文件是空的")
TOO_LARGE = _("文件过大（{size:.1f} MB），上限为 {limit:.0f} MB")
NO_HEADER = _("工作表“{sheet}”第 1 行没有表头；请使用下载的模板")
MISSING_COLUMNS = _("缺少必需的列：{columns}；请使用下载的模板")
NO_ROWS = _("文件中没有任何阵地数据（表头下没有内容）")
FILE_REFUSED = _("文件有 {count} 处错误，未导入任何阵地")
UNIT_UNKNOWN = _("单位代码“{code}”不存在或不在您的管辖范围内")
REGION_UNKNOWN = _("行政区划代码“{code}”不存在")
CENTRE_UNKNOWN = _("服务中心编号“{code}”不存在或不在您的管辖范围内")
CODE_REPEATED = _("阵地编号“{code}”在文件中重复（第 {row} 行已有）")
SAME_FILE_ROW = _("（本文件第 {row} 行）")
UNSAVABLE = _("数据无法保存：{error}")
ROW_PROBLEM = _("第 {row} 行“{column}”：{message}")
ROW_PROBLEM_NO_COLUMN = _("第 {row} 行：{message}")
WARNINGS_LISTED = _("警告 {count} 条（已导入，请核实）")

# Service error fields that are not columns of their own.
FIELD_ALIASES = {
    "to_state": "state",
    "reason": "state_reason",
    "expected_reopen_on": "state",
    "hours_source_text": "weekly_hours",
}
# Fields whose rules depend on others: refused or unread, those are not checked again by the rules.
_DEPENDENT_FIELDS = {
    "unit": ("area_override_reason",),
    "lng": ("lat", "crs", "region", "area_override_reason"),
    "lat": ("lng", "crs", "region", "area_override_reason"),
    "crs": ("lng", "lat", "region", "area_override_reason"),
    "region": ("area_override_reason",),
}
_DUPLICATE_CODE = re.compile(r"（编号 (\S+)）")


class ImportFileError(ApplicationError):
    """The file as a whole cannot be read (not xlsx, empty, too large, missing columns)."""


@dataclass
class RowError:
    row: int  # as Excel numbers it
    column: str | None  # header, or None for the whole row
    message: str
    col_index: int | None = None  # 1-based column of the uploaded sheet

    def __str__(self) -> str:
        if self.column:
            return str(ROW_PROBLEM.format(row=self.row, column=self.column, message=self.message))
        return str(ROW_PROBLEM_NO_COLUMN.format(row=self.row, message=self.message))

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    transitioned: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    # What was imported other than the rules expect (never blocks): a RowError each, by row.
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def summary(self) -> str:
        verb = "校验通过（试导入，未写入）" if self.dry_run and self.ok else ("导入完成" if self.ok else "导入失败")
        text = f"{verb}：共 {self.total} 行，新建 {self.created}，更新 {self.updated}，未变 {self.unchanged}"
        if self.transitioned:
            text += f"，状态变更 {self.transitioned}"
        if self.errors:
            text += f"；{FILE_REFUSED.format(count=len(self.errors))}"
        if self.warnings:
            text += f"；{WARNINGS_LISTED.format(count=len(self.warnings))}"
        return text

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "transitioned": self.transitioned,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
        }


@dataclass(frozen=True)
class RowNotes:
    """What a checked row tells besides its record: its warnings, and its point (GCJ-02 lng, lat,
    and the districts it names) for the rows-at-one-point check."""

    warnings: list[RowError]
    point: tuple[float, float, frozenset[str]] | None


class _Rollback(Exception):
    pass


# — reading the file —


def max_bytes() -> int:
    return int(settings.YIZHAN_IMPORT_MAX_BYTES)


def _read_bytes(file) -> bytes:
    """The upload as bytes, refusing an empty, oversized or non-xlsx file."""
    limit = max_bytes()
    if isinstance(file, (bytes, bytearray)):
        data = bytes(file)
    elif isinstance(file, (str, Path)):
        path = Path(file)
        size = path.stat().st_size
        if size > limit:
            raise ImportFileError(TOO_LARGE.format(size=size / 2**20, limit=limit / 2**20))
        data = path.read_bytes()
    else:
        size = getattr(file, "size", None)
        if size is not None and size > limit:
            raise ImportFileError(TOO_LARGE.format(size=size / 2**20, limit=limit / 2**20))
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(limit + 1)
    if not data:
        raise ImportFileError(str(EMPTY_FILE))
    if len(data) > limit:
        raise ImportFileError(TOO_LARGE.format(size=len(data) / 2**20, limit=limit / 2**20))
    if not data.startswith(b"PK\x03\x04"):
        raise ImportFileError(str(NOT_XLSX))
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise ImportFileError(str(NOT_XLSX)) from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
        raise ImportFileError(str(NOT_XLSX))
    return data


def _sheet_rows(data: bytes):
    """(sheet title, number of rows below the header, first used column, row iterator) of the
    positions sheet (or the first sheet). Rows start at Excel row 1; cells at the first used column."""
    try:
        workbook = CalamineWorkbook.from_filelike(BytesIO(data))
        title = SHEET_TITLE if SHEET_TITLE in workbook.sheet_names else workbook.sheet_names[0]
        sheet = workbook.get_sheet_by_name(title)
    except Exception:  # calamine raises its own kinds for a damaged archive
        raise ImportFileError(str(NOT_XLSX)) from None
    if sheet.start is None:
        return title, 0, 0, iter(())
    return title, sheet.end[0], sheet.start[1], sheet.iter_rows()


def _open(data: bytes, *, read_only: bool):
    try:
        workbook = load_workbook(BytesIO(data), read_only=read_only, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged archive
        raise ImportFileError(str(NOT_XLSX)) from None
    sheet = workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.worksheets[0]
    return workbook, sheet


def _header_map(header_row, sheet_title: str) -> dict[int, Column]:
    """0-based cell index → Column, refusing a sheet without the required columns."""
    found: dict[int, Column] = {}
    for index, value in enumerate(header_row or ()):
        text = str(value).strip() if value is not None else ""
        column = BY_HEADER.get(text)
        if column is not None and column not in found.values():
            found[index] = column
    if not found:
        raise ImportFileError(NO_HEADER.format(sheet=sheet_title))
    missing = [c.header for c in COLUMNS if c.required and c not in found.values()]
    if missing:
        raise ImportFileError(MISSING_COLUMNS.format(columns="、".join(missing)))
    return found


# — comparing a row with a stored position —


def _same(column: Column, stored, given) -> bool:
    if column.kind == "number":
        return stored is not None and given is not None and abs(float(stored) - float(given)) < 1e-7
    if column.kind == "decimal":
        if stored in (None, "") or given in (None, ""):
            return stored in (None, "") and given in (None, "")
        try:
            return Decimal(str(stored)) == Decimal(str(given)).quantize(Decimal("0.1"))
        except InvalidOperation:
            return False
    if column.kind == "hours":
        try:
            return validate_schedule(stored or {}) == validate_schedule(given or {})
        except ValueError:
            return False
    if column.kind == "choices":
        try:
            return list(stored or []) == rules.clean_choice_list(column.field, given)
        except ValueError:
            return False
    if column.kind == "list":
        return list(stored or []) == list(given or [])
    return (stored if stored is not None else "") == (given if given is not None else "")


_REMEMBERED_KINDS = ("choice", "choices", "bool", "hours", "list", "date")
_REMEMBERED_CELLS = 4096  # distinct cells remembered per column


def _copy(value):
    """A parsed cell for one row: lists and schedules copied (immutable values shared)."""
    if type(value) is list:
        return list(value)
    if type(value) is dict:
        return {day: [list(span) for span in spans] for day, spans in value.items()}
    return value


class _Importer(services.RecordLookups):
    """One file's import: parses rows, and answers the rules' lookups from what it read once."""

    def __init__(self, actor: Actor, header: dict[int, Column], column_offset: int = 0):
        self.actor = actor
        self.header = header
        # Each field's column as Excel numbers it (1-based, where the table starts), for errors.
        self.positions = {column.field: index + 1 + column_offset for index, column in header.items()}
        self.units = {u.code: u for u in Unit.objects.all()}
        self.unit_paths = {u.pk: u.path for u in self.units.values()}
        self.regions = {r.adcode: r for r in Region.objects.defer("boundary")}
        # District-level areas by id and by name, for the rows that name different districts at one point.
        levels = (RegionLevel.DISTRICT, RegionLevel.CUSTOM)
        self.districts = {r.pk: r.name for r in self.regions.values() if r.level in levels}
        self.district_names = frozenset(self.districts.values())
        self.longest_district = max(map(len, self.district_names), default=0)
        self.codes: dict[str, int] = dict(Position.objects.values_list("code", "pk"))
        self.file_rows: dict[str, int] = {}  # code → first row in this file
        # Every stored position by official name (code, point, unit id), for duplicate detection;
        # new rows join as they pass.
        self.names: dict[str, list[tuple[str, float, float, int]]] = {}
        stored_names = Position.objects.values_list("official_name", "code", "lng", "lat", "unit_id")
        for name, code, lng, lat, unit_id in stored_names.iterator():
            self.names.setdefault(name, []).append((code, lng, lat, unit_id))
        self.centres: dict[str, Position | None] = {}  # stored centre codes looked up so far
        self.new_centres: dict[str, Position] = {}  # centres created by this file
        self.pending: list[Position] = []
        self.stored: dict[int, Position] = {}  # stored positions read for the rows being written
        self.checked_values = services.CheckedValues(Position)
        self.valid_phones: set[str] = set()
        self.units_in_scope: set[str] = set()  # codes of units the actor's scope was found to cover
        self.parsed: dict[str, dict] = {column.field: {} for column in COLUMNS if column.kind in _REMEMBERED_KINDS}
        # code → the personal columns' stored values as an export masks them; read at the first
        # masked cell of a file (`stored_masked`).
        self.stored_masks: dict[str, dict[str, str]] | None = None

    # — services.RecordLookups, answered from the file —
    def code_holder(self, code: str, *, exclude_pk: int | None = None) -> str | None:
        pk = self.codes.get(code)
        if pk is None or pk == exclude_pk:
            return None
        # Rare: a row of a stored code is applied as an update, not prepared as a new position.
        return Position.objects.filter(pk=pk).values_list("unit__path", flat=True).first()

    def centre(self, actor: Actor, position: Position) -> Position | None:
        return position.parent_centre  # resolved (in scope) by `parse`

    def namesakes(self, position: Position) -> list[tuple[str, str, float]]:
        found = []
        for code, lng, lat, unit_id in self.names.get(position.official_name, ()):
            if code == position.code:
                continue  # the same record again (its code is refused as repeated), not a namesake
            distance = distance_m(position.lng, position.lat, lng, lat)
            if distance <= services.DUPLICATE_RADIUS_M:
                found.append((position.official_name, code, distance, self.unit_paths.get(unit_id, "")))
        return found

    def stored_centre(self, code: str) -> Position | None:
        if code not in self.centres:
            self.centres[code] = (
                Position.objects.restrict(self.actor).filter(code=code).only("pk", "kind", "official_name").first()
            )
        return self.centres[code]

    def stored_masked(self, code: str, field_name: str) -> str | None:
        """A personal field of the stored position `code` (one the actor may update) as the xlsx
        export masks it (spec §11), or None for a code the actor may not update."""
        if self.stored_masks is None:
            fields = sorted(MASKED_FIELDS)
            masks = [personal_field(Position._meta.label_lower, name).mask for name in fields]
            rows = Position.objects.restrict(self.actor, Action.UPDATE).values_list("code", *fields)
            self.stored_masks = {
                stored_code: {name: mask(value) for name, mask, value in zip(fields, masks, values, strict=True)}
                for stored_code, *values in rows.iterator()
            }
        return self.stored_masks.get(code, {}).get(field_name)

    # Row → (service arguments, errors, warnings)
    def parse(self, row_number: int, cells):
        values: dict[str, object] = {}
        errors: list[RowError] = []
        warnings: list[RowError] = []
        positions = self.positions
        stars_given = ""
        for index, column in self.header.items():
            cell = cells[index] if index < len(cells) else None
            if column.field in registry.RATED_FIELDS:
                if not stars_given and cell is not None and str(cell).strip():
                    stars_given = column.field
                continue
            try:
                values[column.field] = self.parse_cell(column, cell)
            except CellError as error:
                errors.append(RowError(row_number, column.header, error.message, positions[column.field]))

        def fail(field_name: str, message: str) -> None:
            column = BY_FIELD[field_name]
            errors.append(RowError(row_number, column.header, str(message), positions.get(field_name)))

        def warn(field_name: str, message: str) -> None:
            column = BY_FIELD[field_name]
            warnings.append(RowError(row_number, column.header, str(message), positions.get(field_name)))

        code = values.get("code")
        if isinstance(code, str) and code:
            try:
                POSITION_CODE_VALIDATOR(code)
            except ValidationError as error:
                fail("code", "；".join(error.messages))
            if code in self.file_rows:
                fail("code", CODE_REPEATED.format(code=code, row=self.file_rows[code]))
            else:
                self.file_rows[code] = row_number
        masked = set()
        for field_name in MASKED_FIELDS & values.keys():
            value = values[field_name]
            if not looks_masked(value):
                continue
            masked.add(field_name)
            if isinstance(code, str) and code in self.codes and value == self.stored_masked(code, field_name):
                # The stored value as the export masked it: kept as it is, so a masked export imports back.
                del values[field_name]
            elif problem := masked_input_problem(Position, field=field_name, value=value):
                fail(field_name, problem)
        for phone in ("manager_phone", "public_phone"):
            number = values.get(phone)
            if number and phone not in masked and number not in self.valid_phones:
                try:
                    PHONE_VALIDATOR(number)
                except ValidationError as error:
                    fail(phone, "；".join(error.messages))
                else:
                    if len(self.valid_phones) < _REMEMBERED_CELLS:
                        self.valid_phones.add(number)  # a text the validator passed passes again
        unit_code = values.get("unit")
        if isinstance(unit_code, str) and unit_code:
            unit = self.units.get(unit_code)
            if unit is None or not (unit_code in self.units_in_scope or self.actor.covers_unit(unit)):
                fail("unit", UNIT_UNKNOWN.format(code=unit_code))
            else:
                self.units_in_scope.add(unit_code)
                values["unit"] = unit
        if "region" in values:
            adcode = values["region"]
            if adcode:
                region = self.regions.get(str(adcode))
                if region is None:
                    fail("region", REGION_UNKNOWN.format(code=adcode))
                else:
                    values["region"] = region
            else:
                values["region"] = None
        if "parent_centre" in values:
            centre_code = values["parent_centre"]
            if centre_code and values.get("kind") == PositionKind.WORK_STATION:
                centre = self.new_centres.get(centre_code) or (
                    self.stored_centre(centre_code) if centre_code in self.codes else None
                )
                if centre is None:
                    fail("parent_centre", CENTRE_UNKNOWN.format(code=centre_code))
                else:
                    values["parent_centre"] = centre
            else:
                values["parent_centre"] = None
        today = timezone.localdate()
        for field_name in rules.PAST_EVENT_DATES:
            problem = rules.past_date_problem(BY_FIELD[field_name].header, values.get(field_name), today=today)
            if problem:
                fail(field_name, problem)
        new = not (isinstance(code, str) and code in self.codes)
        if stars_given:
            warn(stars_given, registry.STARS_IGNORED)
        registry.registry_names(values, warn)
        registry.registry_hours(values, warn, new=new)
        registry.registry_construction(values, warn, new=new)
        return values, errors, warnings

    def parse_cell(self, column: Column, cell):
        """`column.parse(cell)`, read once per distinct cell of the columns whose cells repeat (kinds,
        choices, lists, hours: a pure function of the cell) and once for an empty cell of any
        column, each row getting its own copy."""
        memo = self.parsed.get(column.field)
        if memo is None:
            if cell is not None:
                return column.parse(cell)
            memo = self.parsed.setdefault(column.field + ":empty", {})
        key = (type(cell), cell)
        if key not in memo:
            value = column.parse(cell)  # a CellError is not remembered: each such row reports it
            if len(memo) >= _REMEMBERED_CELLS:
                return value
            memo[key] = value
        return _copy(memo[key])

    def error_of(self, row_number: int, error: ApplicationError) -> RowError:
        field_name = FIELD_ALIASES.get(error.field, error.field)
        column = BY_FIELD.get(field_name) if field_name else None
        message = error.message
        match = _DUPLICATE_CODE.search(message)
        if match and match.group(1) in self.file_rows and self.file_rows[match.group(1)] != row_number:
            message += str(SAME_FILE_ROW.format(row=self.file_rows[match.group(1)]))
        if column is None:
            return RowError(row_number, None, message, None)
        return RowError(row_number, column.header, message, self.positions.get(column.field))

    def errors_of(self, row_number: int, error: ApplicationError, ignored: set[str] = frozenset()) -> list[RowError]:
        """Every problem `error` stands for (a service's `RecordRefused` holds several), as row
        errors, leaving out those about `ignored` fields (already reported by the cells)."""
        return [
            self.error_of(row_number, problem)
            for problem in services.errors_of(error)
            if FIELD_ALIASES.get(problem.field, problem.field) not in ignored
        ]

    def is_new(self, values: dict) -> bool:
        return values.get("code") not in self.codes

    def district_names_of(self, values: dict) -> set[str]:
        """The districts a row names: in its address, by its given area, by its unit's area."""
        names = registry.district_names(values.get("address") or "", self.district_names, self.longest_district)
        for record in (values.get("region"), values.get("unit")):
            region_id = getattr(record, "region_id" if isinstance(record, Unit) else "pk", None)
            if region_id in self.districts:
                names.add(self.districts[region_id])
        return names

    def point_of(self, values: dict) -> tuple[float, float] | None:
        """A row's point in GCJ-02, or None when it cannot be read."""
        try:
            lng, lat = float(values["lng"]), float(values["lat"])
        except (KeyError, TypeError, ValueError):
            return None
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            return None
        return to_gcj02(lng, lat, values.get("crs") or CRS.GCJ02)

    @staticmethod
    def ignored_fields(errors: list[RowError]) -> set[str]:
        """The fields of the cells refused, and the fields whose rules depend on them."""
        refused = {BY_HEADER[e.column].field for e in errors if e.column in BY_HEADER}
        for name in list(refused):
            refused.update(_DEPENDENT_FIELDS.get(name, ()))
        return refused

    def usable(self, values: dict, ignored: set[str], *, new: bool) -> dict:
        """A row's values with its refused cells left out, so the rules check everything else: a
        new row stands in the actor's own unit for a unit that could not be read (its area is then
        not checked), and no area, centre or point for those that could not be read."""
        # A refused code is still the row's own (a repeated one: not a namesake of its first row).
        values = {name: v for name, v in values.items() if name not in ignored or (name == "code" and v)}
        if new:
            if not isinstance(values.get("unit"), Unit):
                values["unit"] = self.actor.unit
            if not isinstance(values.get("region"), Region):
                values["region"] = None
            if not isinstance(values.get("parent_centre"), Position):
                values["parent_centre"] = None
        return values

    def update_problems(self, row_number: int, values: dict, ignored: set[str]) -> list[RowError]:
        """The rules' refusals of a row of a stored code whose cells were refused too, checked
        against the stored position without writing (the row is not applied)."""
        values = self.usable(values, ignored, new=False)
        position = self.stored_query().get(pk=self.codes[values["code"]])
        if not self.actor.covers_unit(position.unit):
            return []  # refused by its code, as when it is applied (`apply`)
        crs = values.pop("crs", "gcj02") or "gcj02"
        region = values.pop("region", None)
        for name in ("state", "state_reason"):
            values.pop(name, None)
        changes = self.changes(position, values, crs=crs)
        if region is not None and region.pk == position.region_id:
            region = None
        try:
            problems = services.position_update_problems(
                actor=self.actor, position=position, crs=crs, region=region, lookups=self, **changes
            )
        except ApplicationError as error:  # a centre out of scope: refused as such
            problems = [error]
        found = []
        for problem in problems:
            found.extend(self.errors_of(row_number, problem, ignored))
        return found

    def points_ahead(self, batch: list[tuple[int, list]]) -> None:
        """Have the areas tested against the points of a batch of rows at once, as the checks will
        ask (`geo.points_ahead`): the point as `services._place` converts it, with its unit's area.
        A row whose point cannot be read is left to its own check. (Point and unit are required
        columns, the coordinate system is not.)"""
        cells_of = {column.field: index for index, column in self.header.items()}
        lng_at, lat_at, unit_at, crs_at = (cells_of.get(field) for field in ("lng", "lat", "unit", "crs"))

        def cell(cells, index):
            return cells[index] if index is not None and index < len(cells) else None

        points = []
        for _row_number, cells in batch:
            try:
                lng = float(self.parse_cell(BY_FIELD["lng"], cell(cells, lng_at)))
                lat = float(self.parse_cell(BY_FIELD["lat"], cell(cells, lat_at)))
                crs = (self.parse_cell(BY_FIELD["crs"], cell(cells, crs_at)) if crs_at is not None else "") or "gcj02"
                lng, lat = to_gcj02(lng, lat, crs)
                unit = self.units.get(self.parse_cell(BY_FIELD["unit"], cell(cells, unit_at)))
            except (CellError, ValueError, TypeError):
                continue
            points.append((lng, lat, unit.region_id if unit is not None else None))
        if points:
            points_ahead(points)

    def check(self, row_number: int, cells) -> tuple[int, str, object, str | None, RowNotes]:
        """Read and check one row: (row, "errors", [RowError]), (row, "new", a checked Position) or
        (row, "stored", parsed values of a stored code, applied later in file order), the code
        this row was the first to use (the writer keeps `file_rows` in step from it), and the
        row's notes (warnings, point). A row whose cells are refused is still checked by every rule
        its other cells allow, so all its errors are listed at once."""
        values, errors, warnings = self.parse(row_number, cells)
        code = values.get("code")
        first = code if isinstance(code, str) and self.file_rows.get(code) == row_number else None
        point = self.point_of(values) if not self.ignored_fields(errors) & {"lng", "lat", "crs"} else None
        notes = RowNotes(warnings, None if point is None else (*point, frozenset(self.district_names_of(values))))
        new = self.is_new(values)
        if not new and not errors:
            return row_number, "stored", values, first, notes
        ignored = self.ignored_fields(errors)
        if not new:
            return row_number, "errors", errors + self.update_problems(row_number, values, ignored), first, notes
        try:
            position = self.prepare(self.usable(values, ignored, new=True), register=not errors)
        except ApplicationError as error:
            errors += self.errors_of(row_number, error, ignored)
        except (ValidationError, DatabaseError) as error:
            errors.append(RowError(row_number, None, str(UNSAVABLE.format(error=error))))
        if errors:
            return row_number, "errors", errors, first, notes
        return row_number, "new", position, first, notes

    def prepare(self, values: dict, *, register: bool = True) -> Position:
        """Check a row with a new code: the position, not yet saved (later rows see its name and,
        for a centre, its code, unless the row is refused: `register`)."""
        values = dict(values)
        crs = values.pop("crs", "gcj02") or "gcj02"
        region = values.pop("region", None)
        state = values.pop("state", None)
        state_reason = values.pop("state_reason", "")
        position = services.position_prepare(
            actor=self.actor,
            crs=crs,
            region=region,
            state=state or "planned",
            state_reason=state_reason or "",
            lookups=self,
            **values,
        )
        if not register:
            return position
        self.names.setdefault(position.official_name, []).append(
            (position.code, position.lng, position.lat, position.unit_id)
        )
        if position.kind == PositionKind.CENTRE:
            self.new_centres[position.code] = position
        return position

    def queue(self, position: Position) -> None:
        """Take a checked new position for the next `flush`."""
        self.pending.append(self.linked(position))
        if position.kind == PositionKind.CENTRE:
            self.new_centres[position.code] = position

    def linked(self, record):
        """A checked position, or the values of a stored row, pointing at this importer's own copy of
        a service centre created earlier in the file (rows checked in another process arrive as
        copies; the copy that is saved is the one that gets the key)."""
        centre = getattr(record, "parent_centre", None) if isinstance(record, Position) else record.get("parent_centre")
        if centre is None or centre.pk is not None or self.new_centres.get(centre.code, centre) is centre:
            return record
        if isinstance(record, Position):
            record.parent_centre = self.new_centres[centre.code]
        else:
            record["parent_centre"] = self.new_centres[centre.code]
        return record

    @staticmethod
    def stored_query():
        # The unit for the scope check; the area and centre are compared by key (an area row carries
        # its boundary, which is no business of a row of the file).
        return Position.objects.select_related("unit")

    def read_stored(self, codes: list[str]) -> None:
        """Read the stored positions of these codes at once, for the next `apply`s."""
        self.stored = self.stored_query().in_bulk([self.codes[code] for code in codes]) if codes else {}

    def flush(self) -> int:
        """Save the queued new positions; returns how many."""
        pending, self.pending = self.pending, []
        services.positions_create_many(actor=self.actor, positions=pending)
        for position in pending:
            self.codes[position.code] = position.pk
        return len(pending)

    # Apply one parsed row of a stored code: "updated" or "unchanged", and whether the state moved.
    def apply(self, values: dict) -> tuple[str, bool]:
        values = dict(values)
        crs = values.pop("crs", "gcj02") or "gcj02"
        region = values.pop("region", None)
        state = values.pop("state", None)
        state_reason = values.pop("state_reason", "")
        pk = self.codes[values["code"]]
        position = self.stored.pop(pk, None) or self.stored_query().get(pk=pk)
        if not self.actor.covers_unit(position.unit):
            # The code of a position out of scope: refused as any code held there is, without a
            # word on that position or its unit (spec §1).
            raise ApplicationError(services.code_refusal(self.actor, values["code"], position.unit.path), field="code")
        changes = self.changes(position, values, crs=crs)
        if region is not None and region.pk == position.region_id:
            region = None
        kind = "unchanged"
        if changes or region is not None:
            position = services.position_update(actor=self.actor, position=position, crs=crs, region=region, **changes)
            kind = "updated"
        moved = False
        if state and state != position.state:
            services.position_transition(actor=self.actor, position=position, to_state=state, reason=state_reason)
            moved = True
        return kind, moved

    def changes(self, position: Position, values: dict, *, crs: str) -> dict:
        changes: dict[str, object] = {}
        given = dict(values)
        if "lng" in given and "lat" in given and given["lng"] is not None and given["lat"] is not None:
            try:
                lng, lat = to_gcj02(float(given["lng"]), float(given["lat"]), crs)
            except (TypeError, ValueError):
                lng, lat = given["lng"], given["lat"]
            if abs(lng - position.lng) > 1e-6 or abs(lat - position.lat) > 1e-6:
                changes["lng"], changes["lat"] = given["lng"], given["lat"]
        for name, value in given.items():
            if name in ("lng", "lat"):
                continue
            if name in ("area_override_reason", "hours_source_text"):
                if (value or "").strip() != getattr(position, name):
                    changes[name] = value
                continue
            column = BY_FIELD[name]
            if column.kind == "ref":
                stored_id = getattr(position, f"{name}_id")
                if (value.pk if value is not None else None) != stored_id:
                    changes[name] = value
                continue
            if name == "official_name":
                value_cmp = rules.normalise_official_name(given.get("kind", position.kind), value)
                if value_cmp != position.official_name:
                    changes[name] = value
                continue
            if name == "centre_level" and given.get("kind", position.kind) != PositionKind.CENTRE:
                if position.centre_level:
                    changes[name] = value
                continue
            if not _same(column, getattr(position, name), value):
                changes[name] = value
        if ("lng" in changes) != ("lat" in changes):
            # A point typed in another system is only meaningful as a pair.
            changes["lng"], changes["lat"] = given["lng"], given["lat"]
        return changes


FLUSH_ROWS = 1000  # new positions saved per batch


def positions_import(
    *, actor: Actor, file, dry_run: bool = False, progress: Callable[[int, int], None] | None = None
) -> ImportResult:
    """Import a workbook; see the module docstring. File-level problems raise ImportFileError; row
    problems are listed in the result (and nothing is written)."""
    require(actor, Action.CREATE, Position)
    data = _read_bytes(file)
    title, total, column_offset, rows = _sheet_rows(data)
    result = ImportResult(dry_run=dry_run)
    header = _header_map(next(rows, None), title)
    importer = _Importer(actor, header, column_offset)
    points = registry.SamePoints(
        min_rows=settings.YIZHAN_IMPORT_SAME_POINT_ROWS, radius_m=settings.YIZHAN_IMPORT_SAME_POINT_METRES
    )
    if progress:
        progress(0, total)
    try:
        with fewer_collections(), _page_cache(), transaction.atomic(), boundaries_pinned():
            if import_worker.wanted(total):
                rows = None  # the worker reads the sheet itself; this process need not keep it
                with import_worker.checked_in_worker(importer, data) as checked:
                    _write(importer, result, checked, progress, total, points)
            else:
                _write(importer, result, _checked_rows(importer, rows), progress, total, points)
            if result.total == 0:
                raise ImportFileError(str(NO_ROWS))
            _same_points(importer, result, points)
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if progress:
        progress(result.total, result.total)
    return result


AHEAD_ROWS = 256  # rows whose points are tested against the areas together (`geo.points_ahead`)


def _checked_rows(importer: _Importer, rows) -> Iterator[tuple]:
    """Every non-blank data row read and checked (`_Importer.check`), in file order. Runs in this
    process, or for a large file in a worker process (`import_worker`) while this one writes."""
    batch = []
    for row_number, cells in enumerate(rows, start=2):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        batch.append((row_number, cells))
        if len(batch) >= AHEAD_ROWS:
            yield from _checked_batch(importer, batch)
            batch = []
    yield from _checked_batch(importer, batch)


def _checked_batch(importer: _Importer, batch: list) -> Iterator[tuple]:
    importer.points_ahead(batch)
    for row_number, cells in batch:
        yield importer.check(row_number, cells)


WRITE_ROWS = 250  # checked rows taken at a time by the writer (stored positions read together)


def _write(
    importer: _Importer, result: ImportResult, checked, progress, total: int, points: registry.SamePoints
) -> None:
    """Save the checked rows in file order: new positions in batches, stored codes one by one."""
    checked = iter(checked)
    while chunk := list(islice(checked, WRITE_ROWS)):
        # A stored code appears once in a file and a row changes only its own position, so the
        # chunk's stored positions can be read together before its rows are applied in order.
        importer.read_stored([payload["code"] for _row, kind, payload, _first, _notes in chunk if kind == "stored"])
        for row_number, kind, payload, first, notes in chunk:
            result.total += 1
            result.warnings.extend(notes.warnings)
            if notes.point is not None:
                points.add(row_number, *notes.point)
            if first is not None:
                importer.file_rows.setdefault(first, row_number)
            if kind == "errors":
                result.errors.extend(payload)
            elif kind == "new":
                importer.queue(payload)
            else:
                _apply(importer, result, row_number, payload)
            if len(importer.pending) >= FLUSH_ROWS:
                _flush(importer, result)
            if progress and result.total % 200 == 0:
                progress(result.total, max(total, result.total))
    _flush(importer, result)


def _apply(importer: _Importer, result: ImportResult, row_number: int, values: dict) -> None:
    # A stored code: the new rows before it are saved first, so the file applies in its order.
    try:
        _flush(importer, result)
        with transaction.atomic():
            kind, moved = importer.apply(importer.linked(values))
    except ApplicationError as error:
        result.errors.extend(importer.errors_of(row_number, error))
    except (ValidationError, DatabaseError) as error:
        result.errors.append(RowError(row_number, None, str(UNSAVABLE.format(error=error))))
    else:
        setattr(result, kind, getattr(result, kind) + 1)
        result.transitioned += int(moved)


def _same_points(importer: _Importer, result: ImportResult, points: registry.SamePoints) -> None:
    """Warn of the rows at one point in different districts (a geocoder's city centre), then put
    the warnings in row order."""
    column = BY_FIELD["lng"]
    for row_number, message in points.warnings():
        result.warnings.append(RowError(row_number, column.header, message, importer.positions.get("lng")))
    result.warnings.sort(key=lambda warning: (warning.row, warning.col_index or 0))


# Python's cycle collector looks at the young objects after every 700 new containers. An import
# makes millions of short-lived ones (cells, values, records) and spent 13 % of its time collecting
# (7.6 s of 58 s for 50,000 rows, bench/positions_import.py): while one runs the process collects
# after every GC_IMPORT_THRESHOLD instead (the same garbage is found, later). Imports running at
# once in a server's threads share the setting; the last one to end restores it.
GC_IMPORT_THRESHOLD = 50_000
_gc_lock = threading.Lock()
_gc_imports = 0
_gc_saved: tuple[int, ...] = ()


@contextmanager
def fewer_collections():
    global _gc_imports, _gc_saved
    with _gc_lock:
        if _gc_imports == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(GC_IMPORT_THRESHOLD, _gc_saved[0]), *_gc_saved[1:])
        _gc_imports += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_imports -= 1
            if _gc_imports == 0:
                gc.set_threshold(*_gc_saved)


# SQLite pages kept in memory while a file is imported (KiB; SQLite's default is 2 MiB). The tables
# and indexes an import grows outgrow the default at a few thousand rows, after which every insert
# rereads index pages from the file; the default comes back when the import ends.
SQLITE_IMPORT_CACHE_KIB = 256 * 1024


@contextmanager
def _page_cache():
    connection = transaction.get_connection()
    if connection.vendor != "sqlite":
        yield
        return
    # On the driver's own connection: a setting of this connection, not part of any transaction,
    # and restored even when the import's transaction has failed.
    connection.ensure_connection()
    driver = connection.connection
    (previous,) = driver.execute("PRAGMA cache_size").fetchone()
    driver.execute(f"PRAGMA cache_size = -{int(SQLITE_IMPORT_CACHE_KIB)}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size = {int(previous)}")


def _flush(importer: _Importer, result: ImportResult) -> None:
    if not importer.pending:
        return
    rows = [importer.file_rows.get(p.code) for p in importer.pending]
    try:
        with transaction.atomic():
            result.created += importer.flush()
    except DatabaseError as error:
        first = min(r for r in rows if r is not None)
        result.errors.append(RowError(first, None, str(UNSAVABLE.format(error=error))))


def annotated_workbook(file, errors: list[RowError], warnings: list[RowError] = ()) -> bytes:
    """The uploaded workbook with each bad cell filled red and each warned cell yellow, both
    commented, and the 错误说明 and 警告说明 columns."""
    data = _read_bytes(file)
    workbook, sheet = _open(data, read_only=False)
    header_cells = [c.value for c in sheet[1]]
    width = len(header_cells)
    notes = []
    for header, problems, colour, text_colour in (
        (ERROR_HEADER, errors, ERROR_FILL, "FF9C0006"),
        (WARNING_HEADER, warnings, WARNING_FILL, "FF9C5700"),
    ):
        if header in header_cells:
            note_column = header_cells.index(header) + 1
            for (cell,) in sheet.iter_rows(min_row=2, min_col=note_column, max_col=note_column):
                cell.value = None
        else:
            width += 1
            note_column = width
        notes.append((header, problems, PatternFill("solid", fgColor=colour), text_colour, note_column))
    for header, problems, fill, text_colour, note_column in notes:
        sheet.cell(row=1, column=note_column, value=header).font = Font(bold=True, color=text_colour)
        by_row: dict[int, list[RowError]] = {}
        for problem in problems:
            by_row.setdefault(problem.row, []).append(problem)
        for row, row_problems in by_row.items():
            for problem in row_problems:
                if problem.col_index:
                    cell = sheet.cell(row=row, column=problem.col_index)
                    if cell.fill.fgColor.rgb != ERROR_FILL:  # an error's red is not painted over
                        cell.fill = fill
                    text = problem.message if cell.comment is None else f"{cell.comment.text}\n{problem.message}"
                    cell.comment = Comment(text, "驿站")
            note = sheet.cell(row=row, column=note_column)
            note.value = "；".join(f"{p.column}：{p.message}" if p.column else p.message for p in row_problems)
            note.fill = fill
        sheet.column_dimensions[sheet.cell(row=1, column=note_column).column_letter].width = 60
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
