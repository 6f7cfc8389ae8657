"""Import the unit tree from xlsx (issue 14 §3): one row per unit (code, name, type, parent code,
area), the columns of the unit export, so an export imports back.

All or nothing, inside one transaction: every row goes through the services a person's form uses
(`unit_create`, `unit_update`, `unit_move`: types allowed under the parent, codes unique, scope), any
error rolls everything back, and the result names every problem by Excel row and column header.
Rows may come in any order: a row whose parent is another row of the file is written after it.
Idempotent by 单位代码: a stored unit whose values are the same is left alone (no write, no audit
entry), one with other values is updated (and moved, when its parent differs).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.masking import looks_masked
from yizhan.core.personal_data import shown
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, require
from yizhan.orgs import services
from yizhan.orgs.choices import ALLOWED_CHILD_TYPES, RegionLevel, UnitType
from yizhan.orgs.imports.sheets import (
    REQUIRED_MISSING,
    Column,
    Rollback,
    SheetImportResult,
    SheetRow,
    read_rows,
    row_error,
    template_workbook,
)
from yizhan.orgs.models import Region, Unit

SHEET_TITLE = "工会单位"

PARENT_UNKNOWN = _("上级单位代码“{code}”不存在或不在您的管辖范围内")
PARENT_FAILED = _("上级单位“{code}”（第 {row} 行）有错误，本行未处理")
PARENT_CYCLE = _("上级单位代码“{code}”与本文件中的其他行形成循环")
CODE_REPEATED = _("单位代码“{code}”在文件中重复（第 {row} 行已有）")
REGION_UNKNOWN = _("行政区划代码“{code}”不存在；先用 import-regions 导入，或为开发区设定自定义区域")

COLUMNS = (
    Column("code", "单位代码", required=True, text=True, help="唯一；字母、数字、- 和 _，如 ZZ-JS"),
    Column("name", "单位名称", required=True, width=28, help="如 金水区总工会"),
    Column("type", "单位类型", required=True, choices=tuple(UnitType.choices), help="须为上级单位下允许的类型"),
    Column(
        "parent",
        "上级单位代码",
        text=True,
        help="已有单位或本文件中另一行的单位代码；新单位必填，已有单位不填则不移动",
    ),
    Column(
        "region",
        "行政区划代码",
        required=True,
        text=True,
        help="6 位区划代码（如 410105），或自定义区域代码（X 开头，开发区、新区等）",
    ),
    Column("region_name", "行政区划", help="仅供阅读，导入时不使用"),
    Column("contact_name", "联系人"),
    Column("contact_phone", "联系电话", text=True, help="手机 11 位，座机如 0371-67891234"),
    Column("address", "地址", width=30),
)
BY_FIELD = {column.field: column for column in COLUMNS}
EDITABLE = ("name", "type", "region", "contact_name", "contact_phone", "address")
RULES = [
    "整个文件全部通过校验才会写入；任何一行有错则什么都不写入，并列出全部错误（行号和列名）。",
    "按“单位代码”识别：已有代码且内容相同则不变，内容不同则更新（上级单位不同则移动），新代码则新建。",
    "行的顺序不限：上级单位可以是系统中已有的单位，也可以是本文件中的另一行。",
    "单位类型须符合层级：市总工会下设区总工会、县（市）总工会、开发区工会、产业工会、街道/乡镇/园区工会、企业工会；"
    "区县总工会下设街道和企业工会。",
    "开发区、新区等没有区划代码的区域：先填所在城市或区县的代码，导入后在单位页面“设定自定义区域”。",
]


@dataclass
class UnitImportResult(SheetImportResult):
    COUNTS = (("created", "新建"), ("updated", "更新"), ("unchanged", "未变"))

    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _order(rows: list[SheetRow]) -> list[SheetRow]:
    """Rows with their parents first: a parent stored (or in error) comes before; rows whose parent
    is another row follow it. Rows left over name a parent that is neither, or form a cycle."""
    by_code = {row.values["code"]: row for row in rows if not row.errors}
    ordered, placed = [], set()
    pending = [row for row in rows if not row.errors]
    while pending:
        left = []
        for row in pending:
            parent = row.values.get("parent", "")
            if parent in placed or parent not in by_code or by_code[parent] is row:
                ordered.append(row)
                placed.add(row.values["code"])
            else:
                left.append(row)
        if len(left) == len(pending):
            for row in left:
                row.errors.append(
                    row_error(row, "parent", PARENT_CYCLE.format(code=row.values["parent"]), by_field=BY_FIELD)
                )
            break
        pending = left
    return ordered


def units_import(*, actor: Actor, file, dry_run: bool = False) -> UnitImportResult:
    """Import the unit rows of `file` (bytes, a path or an upload) as `actor`; all or nothing."""
    require(actor, Action.CREATE, Unit)
    rows = read_rows(file, sheet_title=SHEET_TITLE, columns=COLUMNS)
    result = UnitImportResult(total=len(rows), dry_run=dry_run)
    seen: dict[str, int] = {}
    for row in rows:
        code = row.values.get("code")
        if code and code in seen:
            row.errors.append(
                row_error(row, "code", CODE_REPEATED.format(code=code, row=seen[code]), by_field=BY_FIELD)
            )
        elif code:
            seen[code] = row.number
    regions = {r.adcode: r for r in Region.objects.defer("boundary")}
    try:
        with transaction.atomic():
            stored = {u.code: u for u in Unit.objects.all()}
            failed: dict[str, int] = {
                row.values["code"]: row.number for row in rows if row.errors and row.values.get("code")
            }
            for row in _order(rows):
                _apply(actor, row, result, stored=stored, regions=regions, failed=failed)
            result.errors = sorted(
                (error for row in rows for error in row.errors), key=lambda e: (e.row, e.column or "")
            )
            if result.errors or dry_run:
                raise Rollback
    except Rollback:
        if result.errors:
            result.created = result.updated = result.unchanged = 0
    return result


def _apply(actor, row: SheetRow, result, *, stored: dict[str, Unit], regions, failed: dict[str, int]) -> None:
    values = row.values
    code, parent_code = values["code"], values.get("parent", "")

    def refuse(field_name: str | None, message) -> None:
        row.errors.append(row_error(row, field_name, message, by_field=BY_FIELD))
        failed[code] = row.number

    unit = stored.get(code)
    if unit is not None and not actor.covers_unit(unit):
        return refuse("code", services.CODE_UNAVAILABLE.format(code=code))
    parent = None  # a stored unit keeps its place unless the row names another parent
    if parent_code in failed:
        return refuse("parent", PARENT_FAILED.format(code=parent_code, row=failed[parent_code]))
    if parent_code and (unit is None or parent_code != _parent_code(unit, stored)):
        parent = stored.get(parent_code)
        if parent is None or not actor.covers_unit(parent):
            return refuse("parent", PARENT_UNKNOWN.format(code=parent_code))
    if unit is None and parent is None:
        return refuse("parent", REQUIRED_MISSING.format(header=BY_FIELD["parent"].header))
    region = regions.get(values["region"])
    if region is None:
        return refuse("region", REGION_UNKNOWN.format(code=values["region"]))
    fields = {
        "name": values["name"],
        "type": values["type"],
        "region": region,
        "contact_name": values.get("contact_name", ""),
        "contact_phone": values.get("contact_phone", ""),
        "address": values.get("address", ""),
    }
    try:
        with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
            if unit is None:
                stored[code] = services.unit_create(actor=actor, parent=parent, code=code, **fields)
                result.created += 1
                return
            changes = _changes(actor, unit, fields)
            if parent is not None:
                services.unit_move(actor=actor, unit=unit, new_parent=parent)
            if changes:
                services.unit_update(actor=actor, unit=unit, **changes)
            if parent is None and not changes:
                result.unchanged += 1
                return
            stored[code] = Unit.objects.get(pk=unit.pk)
            for other in stored.values():  # a move renames the paths below it
                if other.path.startswith(unit.path) and other.pk != unit.pk:
                    other.refresh_from_db(fields=["path", "depth"])
            result.updated += 1
    except (NotFoundError, PermissionDeniedError) as error:
        refuse("code", error.message)
    except ApplicationError as error:
        row.errors.append(row_error(row, error.field, error.message, by_field=BY_FIELD))
        failed[code] = row.number


def _parent_code(unit: Unit, stored: dict[str, Unit]) -> str | None:
    """The code of the stored unit's parent (read from the paths already in memory)."""
    parent_path = unit.path[: -Unit.steplen]
    return next((other.code for other in stored.values() if other.path == parent_path), None)


def _changes(actor: Actor, unit: Unit, fields: dict) -> dict:
    """The fields that differ from the stored unit. A contact as the export masks it (spec §11) is
    the stored one, not a change."""
    changes = {}
    for name, value in fields.items():
        stored = unit.region_id if name == "region" else getattr(unit, name)
        given = value.pk if name == "region" else value
        if stored == given:
            continue
        if looks_masked(given) and given == shown(actor, unit, name):
            continue
        changes[name] = value
    return changes


# --- The template --------------------------------------------------------------------------------


def _initials(name: str) -> str:
    core = name
    for suffix in ("自治县", "自治旗", "区", "县", "市", "旗"):
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            core = core[: -len(suffix)]
            break
    return "".join(p[0] for p in lazy_pinyin(core, style=Style.FIRST_LETTER, errors="ignore") if p).upper()


def _type_for(area: Region, parent: Unit) -> str:
    allowed = ALLOWED_CHILD_TYPES[parent.type]
    if UnitType.CITY_FEDERATION in allowed:  # a province's cities and directly administered counties
        return UnitType.CITY_FEDERATION
    kind = UnitType.DISTRICT if area.name.endswith("区") else UnitType.COUNTY
    return kind if kind in allowed else UnitType.STREET


def _union_name(area: Region, unit_type: str) -> str:
    if unit_type == UnitType.STREET:
        return f"{area.name}街道工会"
    return f"{area.name}总工会"


def template_rows(*, actor: Actor) -> list[list]:
    """Example rows from the actor's own unit, not the demo's: one union for each area directly
    below the unit's area that has no unit yet (a city's districts and counties, a province's
    cities), coded from the unit's code and the area's pinyin initials, or one street union."""
    unit = Unit.objects.select_related("region").defer("region__boundary").get(pk=actor.unit.pk)
    taken_codes = set(Unit.objects.values_list("code", flat=True))
    covered = set(Unit.objects.filter(path__startswith=unit.path).values_list("region_id", flat=True))
    areas = Region.objects.filter(parent=unit.region, level__in=(RegionLevel.CITY, RegionLevel.DISTRICT))
    rows = []
    for area in areas.defer("boundary").order_by("adcode"):
        if area.pk in covered:
            continue
        unit_type = _type_for(area, unit)
        base = f"{unit.code}-{_initials(area.name) or area.adcode}"[:30]
        code, number = base, 2
        while code in taken_codes:
            code, number = f"{base}{number}", number + 1
        taken_codes.add(code)
        rows.append([code, _union_name(area, unit_type), UnitType(unit_type).label, unit.code, area.adcode, area.name])
    if not rows:
        region = unit.region
        street = UnitType.STREET if UnitType.STREET in ALLOWED_CHILD_TYPES[unit.type] else UnitType.ENTERPRISE
        label = f"{region.name}示例街道工会" if street == UnitType.STREET else f"{region.name}示例企业工会"
        rows.append([f"{unit.code}-01", label, UnitType(street).label, unit.code, region.adcode, region.name])
    return [row + ["", "", ""] for row in rows]


def units_template(*, actor: Actor) -> bytes:
    """The xlsx template with the actor's federation's example rows."""
    require(actor, Action.CREATE, Unit)
    return template_workbook(sheet_title=SHEET_TITLE, columns=COLUMNS, rows=template_rows(actor=actor), rules=RULES)
