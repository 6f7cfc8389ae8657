"""The spreadsheet layout of a position (issue 3 §5, §6): one column per editable attribute, in
Chinese, shared by the xlsx template, the import and the xlsx export so that an export re-imports.

Each `Column` knows how to render a stored value to a cell and how to parse a cell back; parsing
raises `CellError` with a Chinese message naming the column. References (unit, parent centre,
administrative area) are rendered and parsed as codes; resolving a code to a record is the import's
job (it looks them up once per file).

Cells are read as registries write them (issue 14 §4): hours in Chinese (`core.hours.read_hours`;
what cannot be read comes back as a `HoursReading` with the text, never as an error), list items
separated by any of ；;，,、 or new lines (labels that hold a 、 themselves, 充电、打气工具, are matched
whole first) and named by obvious synonyms (充电 → 充电、打气工具). Lists are written with ；, which no
label holds, so what is written reads back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from yizhan.core.exports import FORMULA_PREFIXES, safe_cell
from yizhan.core.hours import read_hours, schedule_text
from yizhan.core.personal_data import personal_field, shown
from yizhan.core.scoping import Actor
from yizhan.positions.choices import (
    Ability,
    BuildMode,
    BuildNature,
    CentreLevel,
    ConstructionType,
    EntryMethod,
    Facility,
    InputCRS,
    PositionKind,
    PositionState,
    ServedGroup,
    Service,
    StarRating,
)
from yizhan.positions.personal_data import PERSONAL_FIELDS as _REGISTERED  # noqa: F401 (the inventory, before MASKED_FIELDS)
from yizhan.positions.rules import text_too_long

SHEET_TITLE = "服务阵地"
HELP_SHEET_TITLE = "说明"
LISTS_SHEET_TITLE = "选项"
# Written between list items and choice options: no label holds it (、 and ， appear in labels).
LIST_SEPARATOR = "；"
_SPLIT = re.compile(r"[、,，;；\n]+")
YES, NO = "是", "否"
_TRUE = {"是", "y", "yes", "true", "1", "√", "对"}
_FALSE = {"否", "n", "no", "false", "0", "×", "不"}

REQUIRED_MISSING = "“{header}”为必填项"
BAD_CHOICE = "“{header}”的值“{value}”无效，可选：{options}"
BAD_LIST_ITEM = "“{header}”中的“{value}”无效，可选：{options}"
BAD_NUMBER = "“{header}”应为数字，而不是“{value}”"
BAD_DATE = "“{header}”应为日期（如 2024-05-01），而不是“{value}”"
BAD_BOOL = "“{header}”应填“是”或“否”，而不是“{value}”"

# What registries call the facilities (and other listed things) besides their labels, by enumeration.
SYNONYMS: dict[type[models.TextChoices], dict[str, str]] = {
    Facility: {
        "饮水": Facility.DRINKING_WATER, "开水": Facility.DRINKING_WATER, "热水": Facility.DRINKING_WATER,
        "饮水机": Facility.DRINKING_WATER, "直饮水": Facility.DRINKING_WATER, "免费饮水": Facility.DRINKING_WATER,
        "微波": Facility.MICROWAVE, "座椅": Facility.TABLES_CHAIRS, "桌凳": Facility.TABLES_CHAIRS,
        "桌椅板凳": Facility.TABLES_CHAIRS, "休息座椅": Facility.TABLES_CHAIRS,
        "空调": Facility.FAN_OR_AC, "电风扇": Facility.FAN_OR_AC, "风扇": Facility.FAN_OR_AC,
        "电扇": Facility.FAN_OR_AC, "空调或电风扇": Facility.FAN_OR_AC,
        "药箱": Facility.MEDICINE_KIT, "急救箱": Facility.MEDICINE_KIT, "应急药箱": Facility.MEDICINE_KIT,
        "医疗箱": Facility.MEDICINE_KIT, "常用药品": Facility.MEDICINE_KIT,
        "插座": Facility.POWER_OUTLETS, "插线板": Facility.POWER_OUTLETS, "充电插座": Facility.POWER_OUTLETS,
        "水电": Facility.WATER_AND_POWER, "厕所": Facility.TOILET, "洗手间": Facility.TOILET,
        "公厕": Facility.TOILET, "冷藏柜": Facility.REFRIGERATOR, "存包柜": Facility.LOCKERS,
        "储物箱": Facility.LOCKERS, "寄存柜": Facility.LOCKERS, "工具箱": Facility.REPAIR_TOOLBOX,
        "维修工具": Facility.REPAIR_TOOLBOX, "修理工具": Facility.REPAIR_TOOLBOX, "电视机": Facility.TELEVISION,
        "wifi": Facility.WIFI, "wi-fi": Facility.WIFI, "免费wifi": Facility.WIFI, "无线网": Facility.WIFI,
        "无线上网": Facility.WIFI, "书报": Facility.READING, "报刊": Facility.READING, "图书": Facility.READING,
        "书籍": Facility.READING, "报刊图书": Facility.READING, "阅读": Facility.READING,
        "充电": Facility.CHARGING, "打气": Facility.CHARGING, "充气": Facility.CHARGING,
        "充电打气": Facility.CHARGING, "充电打气工具": Facility.CHARGING, "打气筒": Facility.CHARGING,
        "充电、打气": Facility.CHARGING, "电动车充电": Facility.CHARGING,
    },
    ServedGroup: {
        "环卫工": ServedGroup.SANITATION, "环卫": ServedGroup.SANITATION, "园林工人": ServedGroup.LANDSCAPING,
        "快递小哥": ServedGroup.COURIER, "快递": ServedGroup.COURIER, "外卖骑手": ServedGroup.DELIVERY,
        "外卖": ServedGroup.DELIVERY, "网约车司机": ServedGroup.TAXI, "出租车": ServedGroup.TAXI,
        "货车": ServedGroup.TRUCK, "交警": ServedGroup.TRAFFIC_POLICE,
    },
}  # fmt: skip


_ACCEPTED: dict[tuple[str, str | None], dict[str, str]] = {}


class CellError(ValueError):
    """A cell that cannot be read; the message names the column (Chinese)."""

    def __init__(self, message: str, *, column: Column):
        super().__init__(message)
        self.message = message
        self.column = column


def _text(value) -> str:
    """A cell as trimmed text: whole numbers without ".0", the export's formula guard removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    text = str(value).strip()
    if text.startswith("'") and text[1:2] and text[1:2] in FORMULA_PREFIXES:
        text = text[1:]
    return text


@dataclass(frozen=True)
class Column:
    """One column of the sheet. `field` is the service argument (an EDITABLE_FIELDS name, or crs,
    state, state_reason); `kind` is how a value is written and read."""

    field: str
    header: str
    kind: str  # text, choice, choices, bool, number, decimal, date, hours, list, ref
    required: bool = False
    choices: type[models.TextChoices] | None = None
    default: object = ""
    help: str = ""
    max_length: int | None = None
    width: int = 16

    # — choices —
    def option_labels(self) -> list[str]:
        return [str(label) for label in self.choices.labels] if self.choices else []

    def _accepted(self) -> dict[str, str]:
        """What a cell may say → stored value: the labels in the active language and the values.
        Built once per column and language (a large import reads hundreds of thousands of cells)."""
        key = (self.field, get_language())
        accepted = _ACCEPTED.get(key)
        if accepted is None:
            accepted = dict(SYNONYMS.get(self.choices, {}))
            accepted.update({value: value for value in self.choices.values})
            # The Chinese labels always (the template and most files are Chinese, whatever the
            # importing person's page language), then those of the active language.
            with translation.override(settings.LANGUAGE_CODE):
                accepted.update({str(label): value for value, label in self.choices.choices})
            accepted.update({str(label): value for value, label in self.choices.choices})
            _ACCEPTED[key] = accepted
        return accepted

    def _known(self, text: str) -> str | None:
        accepted = self._accepted()
        value = accepted.get(text)
        return value if value is not None else accepted.get(text.lower())

    def _refused(self, error: str, values: list[str]) -> CellError:
        options = LIST_SEPARATOR.join(self.option_labels())
        return CellError(error.format(header=self.header, value="”“".join(values), options=options), column=self)

    def _choice(self, text: str, *, error: str) -> str:
        value = self._known(text)
        if value is None:
            raise self._refused(error, [text])
        return value

    def _choice_list(self, text: str) -> list[str]:
        """The values a cell lists, each once, in the cell's order; every item not understood is
        named in one error. A label or synonym that itself holds a separator (充电、打气工具) is
        matched whole first, joining neighbouring pieces with either list separator."""
        tokens = [item.strip() for item in _SPLIT.split(text) if item.strip()]
        values: list[str] = []
        unknown: list[str] = []
        i = 0
        while i < len(tokens):
            for j in range(len(tokens), i, -1):
                value = None
                for joiner in ("、", "，"):
                    value = value or self._known(joiner.join(tokens[i:j]))
                if value is not None:
                    if value not in values:
                        values.append(value)
                    i = j
                    break
            else:
                unknown.append(tokens[i])
                i += 1
        if unknown:
            raise self._refused(BAD_LIST_ITEM, unknown)
        return values

    # — render —
    def render(self, value):
        """A stored value as the cell shows it."""
        if self.kind == "choice":
            if not value:
                return None
            try:
                return str(self.choices(value).label)
            except ValueError:
                return str(value)
        if self.kind == "choices":
            labels = dict(self.choices.choices)
            return LIST_SEPARATOR.join(str(labels.get(v, v)) for v in value or []) or None
        if self.kind == "bool":
            return YES if value else NO
        if self.kind == "hours":
            return schedule_text(value or {}) or None
        if self.kind == "list":
            return LIST_SEPARATOR.join(value or []) or None
        if self.kind == "date":
            return value.isoformat() if value else None
        if self.kind == "decimal":
            return None if value in (None, "") else float(value)
        if self.kind == "number":
            return None if value in (None, "") else float(value)
        if value in (None, ""):
            return None
        return safe_cell(str(value))

    # — parse —
    def parse(self, cell):
        """A cell as the service argument; an empty optional cell gives the column's default."""
        text = _text(cell)
        if not text:
            if self.required:
                raise CellError(REQUIRED_MISSING.format(header=self.header), column=self)
            if self.kind == "hours":
                return {}
            if self.kind in ("choices", "list"):
                return []
            return None if self.kind in ("date", "decimal") else self.default
        too_long = text_too_long(self.header, self.max_length, text)
        if too_long:
            raise CellError(too_long, column=self)
        if self.kind == "choice":
            return self._choice(text, error=BAD_CHOICE)
        if self.kind == "choices":
            return self._choice_list(text)
        if self.kind == "list":
            return [item.strip() for item in _SPLIT.split(text) if item.strip()]
        if self.kind == "bool":
            lowered = text.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise CellError(BAD_BOOL.format(header=self.header, value=text), column=self)
        if self.kind == "number":
            if isinstance(cell, (int, float)) and not isinstance(cell, bool):
                return float(cell)
            try:
                return float(text.replace("，", "."))
            except ValueError:
                raise CellError(BAD_NUMBER.format(header=self.header, value=text), column=self) from None
        if self.kind == "decimal":
            try:
                return Decimal(text)
            except InvalidOperation:
                raise CellError(BAD_NUMBER.format(header=self.header, value=text), column=self) from None
        if self.kind == "date":
            if isinstance(cell, datetime):
                return cell.date()
            if isinstance(cell, date):
                return cell
            try:
                return date.fromisoformat(text.replace("/", "-").replace(".", "-"))
            except ValueError:
                raise CellError(BAD_DATE.format(header=self.header, value=text), column=self) from None
        if self.kind == "hours":
            # Never refused: hours not read are unknown, to be verified, with the text kept.
            reading = read_hours(text)
            plain = not (reading.always_open or reading.unreadable or reading.notes)
            return reading.schedule if plain else reading
        return text  # text and ref (a code)


HOURS_HELP = (
    "每天相同写“06:00-22:00”；分日写“周一至周五 08:30-17:30，周末 09:00-16:00”"
    "（或“mon-fri 06:00-20:00; sat,sun 08:00-18:00”）；跨夜写“20:00-06:00”；“24小时”为全天开放。"
    "无法识别的内容照原文保存，显示为“开放时间待核实”"
)
LIST_HELP = "多项用“；”分隔（也可用、，,; 或换行）"

COLUMNS: list[Column] = [
    Column("code", "阵地编号", "text", required=True, max_length=40, width=14,
           help="唯一编号，字母、数字、- 和 _；再次导入时按编号更新已有阵地"),
    Column("kind", "阵地类型", "choice", required=True, choices=PositionKind, width=20),
    Column("centre_level", "中心层级", "choice", choices=CentreLevel, help="仅职工服务中心填写"),
    Column("parent_centre", "所属服务中心编号", "ref", help="仅工作站填写：所属职工服务中心的阵地编号"),
    Column("official_name", "规范名称", "text", required=True, max_length=200, width=36,
           help="站点：工会户外劳动者服务站点·站点名；中心：××职工服务中心；工作站：××职工服务中心××工作站"),
    Column("short_name", "简称", "text", max_length=60),
    Column("unit", "所属单位代码", "ref", required=True, help="所属工会单位的单位代码，须在您的管辖范围内"),
    Column("region", "行政区划代码", "ref", help="6 位区划代码；留空则按坐标自动判定"),
    Column("address", "地址", "text", required=True, max_length=255, width=30),
    Column("lng", "经度", "number", required=True, width=12),
    Column("lat", "纬度", "number", required=True, width=12),
    Column("crs", "坐标系", "choice", choices=InputCRS, default="gcj02", width=20,
           help="经纬度所用坐标系，留空为 GCJ-02（高德、腾讯）"),
    Column("area_override_reason", "坐标在辖区外的说明", "text", max_length=255,
           help="坐标不在所属单位辖区内时必填"),
    Column("construction_type", "建设类型", "choice", choices=ConstructionType, width=28,
           help="留空记为“待核实”，列入待核实清单"),
    Column("build_mode", "自建/共建", "choice", choices=BuildMode, default=BuildMode.SELF_BUILT.value,
           help="留空为自建"),
    Column("co_builder", "共建单位", "text", max_length=200, help="共建时必填"),
    Column("build_nature", "新建/提升", "choice", choices=BuildNature, default=BuildNature.NEW.value,
           help="留空为新建"),
    Column("floor_area", "面积（平方米）", "decimal"),
    Column("manager_name", "管理员姓名", "text", max_length=50),
    Column("manager_phone", "管理员电话", "text", max_length=20, help="手机 11 位，座机如 0411-82345678"),
    Column("public_phone", "对外联系电话", "text", max_length=20, help="手机 11 位，座机如 0411-82345678"),
    Column("always_open", "24 小时开放", "bool", default=False, help="是/否，留空为否"),
    Column("weekly_hours", "每周开放时间", "hours", width=30, help=HOURS_HELP),
    Column("facilities", "设施", "choices", choices=Facility, width=30, help=LIST_HELP),
    Column("abilities", "六能", "choices", choices=Ability, width=30, help=LIST_HELP),
    Column("services", "六服务", "choices", choices=Service, width=30, help=LIST_HELP),
    Column("own_services", "特色服务", "list", width=20, help=LIST_HELP),
    Column("served_groups", "服务对象", "choices", choices=ServedGroup, width=30, help=LIST_HELP),
    Column("entry_method", "进入方式", "choice", choices=EntryMethod, default=EntryMethod.STAFFED.value,
           help="留空为有人值守"),
    Column("no_app_needed", "无需下载 App", "bool", default=True, help="是/否，留空为是"),
    Column("verified_on", "最近现场核实日期", "date", help="日期，如 2024-05-01"),
    Column("signage_issued_on", "授牌日期", "date", help="日期，如 2024-05-01"),
    Column("plaque_number", "牌匾编号", "text", max_length=40),
    Column("opened_on", "启用日期", "date", help="日期，如 2024-05-01"),
    Column("star_rating", "星级", "choice", choices=StarRating,
           help="由星级评定写入，导入时忽略（仅供导出查看）"),
    Column("star_rated_on", "评星日期", "date", help="由星级评定写入，导入时忽略（仅供导出查看）"),
    Column("state", "状态", "choice", choices=PositionState, default=PositionState.PLANNED.value,
           help="留空为规划中；已有阵地的状态变化须符合生命周期（规划中→建设中→运营中⇄暂停服务→已摘牌）"),
    Column("state_reason", "状态说明", "text", max_length=255, help="变为暂停服务或已摘牌时必填"),
]  # fmt: skip

HEADERS = [column.header for column in COLUMNS]
# Columns holding personal data (core/personal_data.py): exported as the exporting actor may see them.
MASKED_FIELDS = frozenset(c.field for c in COLUMNS if personal_field("positions.position", c.field))
BY_FIELD = {column.field: column for column in COLUMNS}
BY_HEADER = {column.header: column for column in COLUMNS}


def _ref(position, field_name: str, attr: str):
    related_id = getattr(position, f"{field_name}_id", None)
    if related_id is None:
        return None
    return getattr(getattr(position, field_name), attr)


def position_row(position, *, actor: Actor, full_personal_data: bool = False) -> list:
    """A position as one sheet row, in COLUMNS order (select_related unit, region, parent_centre),
    with the manager's name and phone masked as staff views show them (spec §11), or in full when
    the caller revealed them (`exports.position_export`, audited). A masked value imports back as
    "unchanged" for its own position and is refused anywhere else (`imports`)."""
    row = []
    for column in COLUMNS:
        if column.field in MASKED_FIELDS:
            value = getattr(position, column.field) if full_personal_data else shown(actor, position, column.field)
            row.append(column.render(value))
        elif column.field == "weekly_hours" and position.hours_unknown and position.hours_source_text:
            row.append(safe_cell(position.hours_source_text))  # as the registry wrote it: reads back the same
        elif column.field == "unit":
            row.append(_ref(position, "unit", "code"))
        elif column.field == "parent_centre":
            row.append(_ref(position, "parent_centre", "code"))
        elif column.field == "region":
            row.append(_ref(position, "region", "adcode"))
        elif column.field == "crs":
            row.append(str(InputCRS.GCJ02.label))  # stored coordinates are canonical GCJ-02
        else:
            row.append(column.render(getattr(position, column.field)))
    return row


EXAMPLE_ROW = {
    "code": "XG-0001",
    "kind": PositionKind.STATION,
    "official_name": "工会户外劳动者服务站点·八一路",
    "short_name": "八一路站",
    "unit": "",
    "address": "辽宁省大连市西岗区八一路 100 号",
    "lng": 121.6205,
    "lat": 38.9181,
    "crs": InputCRS.GCJ02,
    "construction_type": ConstructionType.SANITATION,
    "build_mode": BuildMode.SELF_BUILT,
    "build_nature": BuildNature.NEW,
    "floor_area": Decimal("20"),
    "manager_name": "张三",
    "manager_phone": "13800000000",
    "always_open": False,
    "weekly_hours": {d: [["06:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    "facilities": [f.value for f in Facility][:7],
    "abilities": [Ability.REST, Ability.DRINK],
    "services": [Service.POLICY],
    "served_groups": [ServedGroup.SANITATION, ServedGroup.COURIER],
    "entry_method": EntryMethod.STAFFED,
    "no_app_needed": True,
    "state": PositionState.OPERATING,
}

HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FFFCE4D6")


def _example_row(unit_code: str = "") -> list:
    values = dict(EXAMPLE_ROW, unit=unit_code)
    row = []
    for column in COLUMNS:
        value = values.get(column.field, column.default if column.kind != "bool" else column.default)
        if column.kind == "ref":
            row.append(value or None)
        elif column.kind == "choice":
            row.append(column.render(value) if value else None)
        else:
            row.append(column.render(value))
    return row


def template_workbook(*, unit_code: str = "") -> bytes:
    """The downloadable template: Chinese header row, an example row, a 说明 sheet, and drop-down
    lists for the choice columns (kept on a hidden 选项 sheet)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(HEADERS)
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        if column.help:
            cell.comment = Comment(column.help, "驿站")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.append(_example_row(unit_code))
    for index, column in enumerate(COLUMNS, start=1):
        if column.field in ("code", "unit", "region", "parent_centre", "manager_phone", "public_phone"):
            sheet.cell(row=2, column=index).number_format = "@"
    sheet.freeze_panes = "B2"

    lists = workbook.create_sheet(LISTS_SHEET_TITLE)
    lists.sheet_state = "hidden"
    list_index = 0
    for index, column in enumerate(COLUMNS, start=1):
        if column.kind == "choice":
            options = column.option_labels()
        elif column.kind == "bool":
            options = [YES, NO]
        else:
            continue
        list_index += 1
        letter = get_column_letter(list_index)
        lists.cell(row=1, column=list_index, value=column.header)
        for offset, option in enumerate(options, start=2):
            lists.cell(row=offset, column=list_index, value=option)
        formula = f"{quote_sheetname(LISTS_SHEET_TITLE)}!${letter}$2:${letter}${len(options) + 1}"
        validation = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle="无效的值",
            error=f"请从下拉列表中选择“{column.header}”",
        )
        target = get_column_letter(index)
        validation.add(f"{target}2:{target}100001")
        sheet.add_data_validation(validation)

    help_sheet = workbook.create_sheet(HELP_SHEET_TITLE)
    help_sheet.append(["列名", "必填", "说明", "可选值"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for column in COLUMNS:
        options = (
            LIST_SEPARATOR.join(column.option_labels())
            if column.choices
            else (LIST_SEPARATOR.join((YES, NO)) if column.kind == "bool" else "")
        )
        help_sheet.append([column.header, "是" if column.required else "", column.help, options])
    help_sheet.append([])
    help_sheet.append(["导入规则", "", "整个文件全部通过校验才会写入；任何一行有错则什么都不写入，并列出全部错误。"])
    help_sheet.append(["", "", "按“阵地编号”识别：已有编号且内容相同则不变，内容不同则更新，新编号则新建。"])
    help_sheet.append(["", "", "同名阵地在 50 米内视为重复（文件内和系统中均检查）。"])
    help_sheet.append(
        ["", "", "每行的全部错误一次列出；警告（名称已按规范补全、开放时间待核实、坐标疑似城市中心等）不影响导入。"]
    )
    for letter, width in zip("ABCD", (20, 6, 70, 60), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
