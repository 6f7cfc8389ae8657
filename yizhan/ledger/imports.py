"""Daily ledgers from xlsx (issue 15 §1): a template with Chinese headers, one row per position and
day; every error of every row named by row and column; all or nothing; idempotent — position code
and date are the key, so the same file again changes nothing, and a changed figure is a correction
(the earlier figures kept in the history and the audit log). Rows go through the same rules as a
day entered on the page (`services.ledger_figures_clean`, `ledger_day_problems`, `ledger_day_save`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import audit_record
from yizhan.core.errors import ApplicationError
from yizhan.core.models import AuditAction
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, require
from yizhan.ledger import services
from yizhan.ledger.models import LEDGER_FIGURES, DailyLedger
from yizhan.orgs.imports.sheets import Column, ImportFileError, RowError, SheetRow, read_rows, template_workbook
from yizhan.positions.choices import PUBLIC_STATES
from yizhan.positions.models import Position

SHEET_TITLE = "每日台账"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CODE_COLUMN = Column("code", "阵地编号", required=True, text=True, help="服务阵地的编号（阵地列表中可查）", width=18)
DAY_COLUMN = Column("day", "日期", required=True, help="如 2026-05-01；不能是未来日期", width=12)
OWN_COLUMN = Column(
    "own_items",
    "特色服务人次",
    help="该阵地登记的特色服务及人次，如“理发=3；法律讲座=12”，用；分隔",
    width=28,
)
# Headers are the Chinese labels whatever language the page is in (a file moves between people).
with translation.override(None):
    FIGURE_COLUMNS = tuple(
        Column(name, str(label), help="人次，不小于 0 的整数；空白为 0", width=8) for name, label in LEDGER_FIGURES
    )
COLUMNS = (CODE_COLUMN, DAY_COLUMN, *FIGURE_COLUMNS, OWN_COLUMN)
_HEADER_OF = {column.field: column.header for column in COLUMNS}
_HEADER_OF.update({"position": CODE_COLUMN.header, "figures": None, "reason": None})

RULES = [
    "每行是一个服务阵地一天的台账：阵地编号 + 日期唯一；同一文件中不能重复。",
    "已录入的日期再次导入：数字相同则不变，数字不同则更正，原数字保留在更正记录和审计日志中。",
    "任何一行有错误，整个文件都不导入；错误按行和列列出。",
    "可以补录以前的日期，不能录入未来的日期。",
]

DAY_INVALID = _("日期“{value}”无法识别，请写成 2026-05-01")
POSITION_UNKNOWN = _("阵地编号“{code}”不存在或不在您的管辖范围内")
DUPLICATE_ROW = _("与第 {row} 行重复（同一阵地同一天）")
OWN_ITEMS_INVALID = _("“{value}”无法识别，请写成“理发=3；法律讲座=12”")
IMPORTED_REPR = "台账导入：新增 {created}，更正 {corrected}，未变 {unchanged}"

_DATE_FORMS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S")
_OWN_SEPARATORS = re.compile(r"[；;，,、\n]+")


@dataclass
class LedgerImportResult:
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "corrected": self.corrected,
            "unchanged": self.unchanged,
            "errors": [error.as_dict() for error in self.errors],
        }


@dataclass
class _Checked:
    row: SheetRow
    position: Position
    day: date
    figures: dict[str, int]
    own_items: dict[str, int]


def parse_day(text: str) -> date:
    """A date as spreadsheets and people write it (2026-05-01, 2026/5/1, 2026年5月1日, a date cell)."""
    text = text.strip()
    for form in _DATE_FORMS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    if text.isdecimal() and 20000 < int(text) < 80000:  # an Excel serial day number in a text cell
        return date(1899, 12, 30) + timedelta(days=int(text))
    raise ValueError(str(DAY_INVALID.format(value=text[:20])))


def parse_own_items(text: str) -> dict[str, str]:
    """“理发=3；法律讲座=12” as {name: count text}; ValueError when a part has no “=”."""
    items: dict[str, str] = {}
    for part in _OWN_SEPARATORS.split(text.strip()):
        if not part.strip():
            continue
        name, sep, count = part.replace("＝", "=").replace("：", "=").replace(":", "=").partition("=")
        if not sep or not name.strip():
            raise ValueError(str(OWN_ITEMS_INVALID.format(value=part.strip()[:40])))
        items[name.strip()] = count.strip()
    return items


def ledger_import(*, actor: Actor, file) -> LedgerImportResult:
    """Import a file of daily ledgers (the template's columns): every row checked first, every
    problem reported by row and column; if any, nothing is written. Otherwise every row is saved
    through `services.ledger_day_save` (the file is the source: a day already entered with other
    figures is corrected) in one transaction, with one audit entry for the import as a whole
    besides each row's own. A conflicting entry made at the same moment fails the whole import."""
    require(actor, Action.CREATE, DailyLedger)
    rows = read_rows(file, sheet_title=SHEET_TITLE, columns=COLUMNS)
    result = LedgerImportResult()
    codes = {row.values.get("code", "") for row in rows}
    positions = {p.code: p for p in Position.objects.restrict(actor).filter(code__in=codes).select_related("unit")}
    seen: dict[tuple[int, date], int] = {}
    checked: list[_Checked] = []
    today = timezone.localdate()
    for row in rows:
        result.errors += row.errors
        if row.errors:
            continue
        errors: list[RowError] = []
        position = positions.get(row.values["code"])
        if position is None:
            unknown = str(POSITION_UNKNOWN.format(code=row.values["code"]))
            errors.append(RowError(row.number, CODE_COLUMN.header, unknown))
        try:
            day = parse_day(row.values["day"])
        except ValueError as error:
            errors.append(RowError(row.number, DAY_COLUMN.header, str(error)))
            day = None
        try:
            own = parse_own_items(row.values.get("own_items", ""))
        except ValueError as error:
            errors.append(RowError(row.number, OWN_COLUMN.header, str(error)))
            own = {}
        if position is not None:
            figures = {name: row.values.get(name, "") for name, _label in LEDGER_FIGURES}
            cleaned = services.ledger_figures_clean(position=position, figures=figures, own_items=own)
            errors += [RowError(row.number, _HEADER_OF.get(f), m) for f, m in cleaned.problems]
            if day is not None:
                problems = services.ledger_day_problems(position=position, day=day, today=today)
                errors += [RowError(row.number, _HEADER_OF.get(f), m) for f, m in problems]
                key = (position.pk, day)
                if key in seen:
                    errors.append(RowError(row.number, DAY_COLUMN.header, str(DUPLICATE_ROW.format(row=seen[key]))))
                seen.setdefault(key, row.number)
            if not errors and day is not None:
                checked.append(_Checked(row, position, day, cleaned.figures, cleaned.own_items))
        result.errors += errors
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for item in checked:
                try:
                    saved = services.ledger_day_save(
                        actor=actor,
                        position=item.position,
                        day=item.day,
                        figures=item.figures,
                        own_items=item.own_items,
                        overwrite=True,
                        reason=services.IMPORT_REASON,
                    )
                except ApplicationError as error:
                    result.errors.append(RowError(item.row.number, _HEADER_OF.get(error.field), error.message))
                    raise
                setattr(result, saved.outcome, getattr(result, saved.outcome) + 1)
            audit_record(
                action=AuditAction.IMPORT,
                object_type=DailyLedger._meta.label_lower,
                object_repr=IMPORTED_REPR.format(
                    created=result.created, corrected=result.corrected, unchanged=result.unchanged
                ),
                unit_path=actor.unit.path,
                unit_name=actor.unit.name,
                after={"created": result.created, "corrected": result.corrected, "unchanged": result.unchanged},
            )
    except ApplicationError:
        result.created = result.corrected = result.unchanged = 0
    return result


def ledger_template(*, actor: Actor) -> bytes:
    """The upload template: the headers, and as examples yesterday's empty row of the first
    positions in the actor's scope (at most 20), so a station manager fills in numbers only."""
    require(actor, Action.CREATE, DailyLedger)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    positions = Position.objects.restrict(actor).filter(state__in=PUBLIC_STATES).order_by("code")[:20]
    rows = [[p.code, yesterday, *([0] * len(FIGURE_COLUMNS)), ""] for p in positions]
    return template_workbook(sheet_title=SHEET_TITLE, columns=COLUMNS, rows=rows, rules=RULES)


__all__ = ["ImportFileError", "LedgerImportResult", "ledger_import", "ledger_template"]
