"""The campaign's forms exactly as the plan's annexes lay them out (source 000, issue 17 §10), built
from plain data rows so that the same rows make the xlsx (openpyxl), the docx (python-docx) and
what the pages show:

- annex 1 名额分配表 (`QuotaRow`): 序号、单位、运营站点数、五星站点数、分配名额, with the total;
- annex 2 评议小组成员报名表 (`MemberRow`): 序号、姓名、性别、单位、职务、联系电话、备注;
- annex 3 推荐表 (`NominationSheet`): one station per form, label | value rows, the statement
  (主要事迹) and the two opinions (推荐单位意见（盖章）, 市总工会意见);
- annex 4 推荐汇总表 (`SummaryRow`): 序号、站点名称、站点地址、星级、开放时间、管理人员、联系电话、备注;
- the public notice (公示) and the self-evaluation report (yizhan.grants.pdf) as PDF.

Each file carries 附件N above its title, as the plan's attachments do. The adapters at the end read
the campaign's records into rows; the renderers know no model."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from yizhan.core.exports import safe_cell
from yizhan.grants import pdf
from yizhan.grants.pdf import self_evaluation_pdf  # noqa: F401 - the self-evaluation report, one of the annex files

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
SONG = "宋体"

QUOTA_HEADERS = ("序号", "单位", "运营站点数", "五星站点数", "分配名额")
PROJECT_QUOTA_HEADERS = ("序号", "单位", "符合条件的项目数", "分配名额")  # a project campaign weighs one count
MEMBER_HEADERS = ("序号", "姓名", "性别", "单位", "职务", "联系电话", "备注")
SUMMARY_HEADERS = ("序号", "站点名称", "站点地址", "星级", "开放时间", "管理人员", "联系电话", "备注")
NOTICE_HEADERS = ("序号", "推荐单位", "站点名称", "站点地址")
TOTAL = "合计"


@dataclass(frozen=True)
class QuotaRow:
    unit: str
    operating: int
    five_star: int
    quota: int


@dataclass(frozen=True)
class MemberRow:
    name: str
    gender: str
    unit: str
    job_title: str
    phone: str
    note: str = ""  # 组长 / 副组长 / 成员


@dataclass(frozen=True)
class NominationSheet:
    """Annex 3, one station: the record's facts as label/value pairs, then the unit's statement."""

    unit: str
    facts: Sequence[tuple[str, str]]
    statement: str
    unit_opinion: str = ""
    federation_opinion: str = ""


@dataclass(frozen=True)
class SummaryRow:
    name: str
    address: str
    stars: str
    hours: str
    manager: str
    phone: str
    note: str = ""


@dataclass(frozen=True)
class NoticeRow:
    unit: str
    name: str
    address: str


@dataclass(frozen=True)
class Notice:
    title: str
    federation: str
    starts_on: dt.date
    ends_on: dt.date
    intro: str
    rows: Sequence[NoticeRow] = field(default_factory=tuple)
    contact: str = ""
    published_on: dt.date | None = None


def _ymd(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# ------------------------------------------------------------------------------------ xlsx

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _sheet(title: str, annex: int, heading: str, *, columns: int, widths: Sequence[int]):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet["A1"] = f"附件{annex}"
    sheet["A1"].font = Font(name="黑体", size=12)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns)
    sheet["A2"] = heading
    sheet["A2"].font = Font(name="方正小标宋简体", size=16, bold=True)
    sheet["A2"].alignment = CENTER
    sheet.row_dimensions[2].height = 36
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.page_setup.orientation = "landscape" if columns > 6 else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return workbook, sheet


def _table(sheet, start_row: int, headers: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Headers then rows with borders from `start_row`; returns the last row written."""
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=start_row, column=column, value=header)
        cell.font, cell.alignment, cell.border = Font(name=SONG, bold=True, size=11), CENTER, BOX
    row_number = start_row
    for row_number, row in enumerate(rows, start=start_row + 1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column, value=safe_cell(value))
            cell.font, cell.border = Font(name=SONG, size=11), BOX
            cell.alignment = CENTER if isinstance(value, int) or column == 1 else LEFT
    sheet.print_title_rows = f"{start_row}:{start_row}"
    return row_number


def _xlsx_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _quota_table(rows: Sequence[QuotaRow], projects: bool) -> tuple[tuple, list, list]:
    """(headers, body rows, total row) of annex 1: stations weigh operating and 5★ counts, projects
    their eligible count (kept in `operating`)."""
    if projects:
        body = [[i, r.unit, r.operating, r.quota] for i, r in enumerate(rows, start=1)]
        total = [TOTAL, "", sum(r.operating for r in rows), sum(r.quota for r in rows)]
        return PROJECT_QUOTA_HEADERS, body, total
    body = [[i, r.unit, r.operating, r.five_star, r.quota] for i, r in enumerate(rows, start=1)]
    total = [TOTAL, "", sum(r.operating for r in rows), sum(r.five_star for r in rows), sum(r.quota for r in rows)]
    return QUOTA_HEADERS, body, total


def quota_table_xlsx(heading: str, rows: Sequence[QuotaRow], *, projects: bool = False) -> bytes:
    """Annex 1: one row per unit and the total row (合计)."""
    headers, body, total = _quota_table(rows, projects)
    widths = (8, 40, 18, 12) if projects else (8, 40, 14, 14, 12)
    workbook, sheet = _sheet("名额分配表", 1, heading, columns=len(headers), widths=widths)
    last = _table(sheet, 3, headers, [*body, total])
    sheet.merge_cells(start_row=last, start_column=1, end_row=last, end_column=2)
    return _xlsx_bytes(workbook)


def review_group_xlsx(heading: str, rows: Sequence[MemberRow], *, unit: str = "") -> bytes:
    """Annex 2: the members a unit registers (or the whole group), with 报送单位 above the table."""
    workbook, sheet = _sheet("评议小组成员报名表", 2, heading, columns=7, widths=(8, 12, 8, 32, 20, 16, 14))
    sheet["A3"] = f"报送单位（盖章）：{unit}"
    sheet["A3"].font = Font(name=SONG, size=11)
    body = [[i, r.name, r.gender, r.unit, r.job_title, r.phone, r.note] for i, r in enumerate(rows, start=1)]
    _table(sheet, 4, MEMBER_HEADERS, body)
    return _xlsx_bytes(workbook)


def nomination_form_xlsx(heading: str, sheets: Sequence[NominationSheet]) -> bytes:
    """Annex 3: one worksheet per station, label in column A, value over B–D."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for index, form in enumerate(sheets, start=1):
        sheet = workbook.create_sheet(f"{index}"[:31])
        sheet["A1"] = "附件3"
        sheet["A1"].font = Font(name="黑体", size=12)
        sheet.merge_cells("A2:D2")
        sheet["A2"] = heading
        sheet["A2"].font = Font(name="方正小标宋简体", size=16, bold=True)
        sheet["A2"].alignment = CENTER
        sheet["A3"] = f"推荐单位（盖章）：{form.unit}"
        for letter, width in zip("ABCD", (20, 24, 20, 24), strict=True):
            sheet.column_dimensions[letter].width = width
        lines = [*form.facts, ("主要事迹", form.statement), ("推荐单位意见（盖章）", form.unit_opinion)]
        lines.append(("市总工会意见", form.federation_opinion))
        for row, (label, value) in enumerate(lines, start=4):
            sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
            label_cell = sheet.cell(row=row, column=1, value=label)
            value_cell = sheet.cell(row=row, column=2, value=safe_cell(value))
            label_cell.font, label_cell.alignment = Font(name=SONG, bold=True, size=11), CENTER
            value_cell.font, value_cell.alignment = Font(name=SONG, size=11), LEFT
            for column in range(1, 5):
                sheet.cell(row=row, column=column).border = BOX
            if label in ("主要事迹", "推荐单位意见（盖章）", "市总工会意见"):
                sheet.row_dimensions[row].height = 120 if label == "主要事迹" else 60
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    if not sheets:
        workbook.create_sheet("推荐表")
    return _xlsx_bytes(workbook)


def summary_xlsx(heading: str, rows: Sequence[SummaryRow], *, unit: str = "") -> bytes:
    """Annex 4: the unit's nominated stations, one row each."""
    workbook, sheet = _sheet("推荐汇总表", 4, heading, columns=8, widths=(8, 34, 34, 8, 18, 12, 16, 12))
    sheet["A3"] = f"推荐单位（盖章）：{unit}"
    sheet["A3"].font = Font(name=SONG, size=11)
    body = [[i, r.name, r.address, r.stars, r.hours, r.manager, r.phone, r.note] for i, r in enumerate(rows, start=1)]
    _table(sheet, 4, SUMMARY_HEADERS, body)
    return _xlsx_bytes(workbook)


# ------------------------------------------------------------------------------------ docx


def _document(*, landscape: bool = False):
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = SONG
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SONG)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    return document


def _heading(document, annex: int, heading: str, unit_line: str | None = None) -> None:
    document.add_paragraph().add_run(f"附件{annex}").font.size = Pt(12)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(heading)
    run.bold, run.font.size = True, Pt(16)
    if unit_line is not None:
        document.add_paragraph(unit_line)


def _docx_table(document, headers: Sequence[str], rows: Iterable[Sequence]):
    rows = list(rows)
    table = document.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, header in enumerate(headers):
        cell = table.rows[0].cells[column]
        cell.text = header
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraphs[0].runs[0].bold = True
    for index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            table.rows[index].cells[column].text = "" if value is None else str(value)
    return table


def _docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def quota_table_docx(heading: str, rows: Sequence[QuotaRow], *, projects: bool = False) -> bytes:
    document = _document()
    _heading(document, 1, heading)
    headers, body, total = _quota_table(rows, projects)
    table = _docx_table(document, headers, [*body, total])
    last = table.rows[-1]
    last.cells[0].merge(last.cells[1]).text = TOTAL
    return _docx_bytes(document)


def review_group_docx(heading: str, rows: Sequence[MemberRow], *, unit: str = "") -> bytes:
    document = _document()
    _heading(document, 2, heading, f"报送单位（盖章）：{unit}")
    body = [[i, r.name, r.gender, r.unit, r.job_title, r.phone, r.note] for i, r in enumerate(rows, start=1)]
    _docx_table(document, MEMBER_HEADERS, body)
    return _docx_bytes(document)


def nomination_form_docx(heading: str, sheets: Sequence[NominationSheet]) -> bytes:
    """Annex 3: one form per station, each on its own page."""
    document = _document()
    for index, form in enumerate(sheets):
        if index:
            document.add_page_break()
        _heading(document, 3, heading, f"推荐单位（盖章）：{form.unit}")
        lines = [*form.facts, ("主要事迹", form.statement), ("推荐单位意见（盖章）", form.unit_opinion)]
        lines.append(("市总工会意见", form.federation_opinion))
        table = document.add_table(rows=len(lines), cols=2)
        table.style = "Table Grid"
        for row, (label, value) in zip(table.rows, lines, strict=True):
            row.cells[0].text = label
            row.cells[0].paragraphs[0].runs[0].bold = True
            row.cells[0].width, row.cells[1].width = Cm(4), Cm(13)
            row.cells[1].text = value or ""
            if label != "主要事迹" and not value and label.endswith(("（盖章）", "意见")):
                row.cells[1].add_paragraph("\n\n（盖章）    年  月  日")
    if not sheets:
        _heading(document, 3, heading)
    return _docx_bytes(document)


def summary_docx(heading: str, rows: Sequence[SummaryRow], *, unit: str = "") -> bytes:
    document = _document(landscape=True)
    _heading(document, 4, heading, f"推荐单位（盖章）：{unit}")
    body = [[i, r.name, r.address, r.stars, r.hours, r.manager, r.phone, r.note] for i, r in enumerate(rows, start=1)]
    _docx_table(document, SUMMARY_HEADERS, body)
    return _docx_bytes(document)


# ------------------------------------------------------------------------------------ pdf


def notice_pdf(notice: Notice) -> bytes:
    """The public notice (公示, source 000 §四(四)): the period in Asia/Shanghai dates, the stations
    proposed, where to object, the federation and the date."""
    from reportlab.lib.pagesizes import A4

    s = pdf.styles()
    p = lambda value, style="cell": Paragraph(pdf.text(value), s[style])  # noqa: E731
    width = A4[0] - 40 * mm
    period = f"公示期：{_ymd(notice.starts_on)}至{_ymd(notice.ends_on)}"
    rows = [[p(h, "head") for h in NOTICE_HEADERS]]
    rows += [[p(i), p(r.unit), p(r.name), p(r.address)] for i, r in enumerate(notice.rows, start=1)]
    story = [
        Paragraph(pdf.text(notice.title), s["title"]),
        Spacer(1, 6 * mm),
        Paragraph(pdf.text(notice.intro), s["body"]),
        Spacer(1, 3 * mm),
        Paragraph(pdf.text(period), s["body"]),
        Spacer(1, 4 * mm),
        pdf.grid(rows, [width * 0.08, width * 0.27, width * 0.35, width * 0.30]),
    ]
    if notice.contact:
        story += [Spacer(1, 4 * mm), Paragraph(pdf.text(notice.contact), s["body"])]
    story += [Spacer(1, 10 * mm), Paragraph(pdf.text(notice.federation), s["right"])]
    if notice.published_on:
        story.append(Paragraph(pdf.text(_ymd(notice.published_on)), s["right"]))
    return pdf.build(story, title=notice.title, author=notice.federation)


# ------------------------------------------------------------------------------------ from records
# The campaign's own rows (campaigns.selectors: quota_table, review_group_rows, nomination_form,
# nomination_summary) turned into the renderers' rows. Callers fetched the campaign, unit and
# nominations within the actor's scope.

FORMATS = {"xlsx": XLSX, "docx": DOCX}
# Annex 3's rows: the form's key and its label, in the printed order.
FORM_FACTS = (
    ("official_name", "站点名称"),
    ("unit", "所属单位"),
    ("address", "站点地址"),
    ("construction_type", "建设类型"),
    ("build_mode", "建设方式"),
    ("co_builder", "共建单位"),
    ("floor_area", "使用面积（平方米）"),
    ("opened_on", "启用日期"),
    ("hours", "开放时间"),
    ("manager_name", "管理人员"),
    ("manager_phone", "管理人员电话"),
    ("public_phone", "对外联系电话"),
    ("star_rating", "星级"),
    ("facilities", "服务设施"),
    ("services", "服务功能"),
    ("served_groups", "服务对象"),
)


def _labels(enum, values) -> str:
    labels = dict(enum.choices)
    return "、".join(str(labels.get(v, v)) for v in values or [])


def _form_value(form: dict, key: str) -> str:
    from yizhan.positions.choices import Facility, ServedGroup, Service

    value = form.get(key, "")
    if key == "hours" and form.get("always_open"):
        return "24 小时开放"
    if isinstance(value, list):
        return _labels({"facilities": Facility, "services": Service, "served_groups": ServedGroup}[key], value)
    return "" if value is None else str(value)


# Annex 3 of a project campaign (campaigns.subjects.project_form): the project's facts.
PROJECT_FORM_FACTS = (
    ("project_title", "项目名称"),
    ("category", "服务类别"),
    ("unit", "发布工会"),
    ("organisation", "承接社会组织"),
    ("registration_number", "统一社会信用代码/登记证号"),
    ("manager_name", "联系人"),
    ("manager_phone", "联系电话"),
    ("completed_on", "完成日期"),
    ("satisfaction_rate", "职工满意度（%）"),
    ("score", "评分表总分"),
)


def heading(campaign, annex: int) -> str:
    """The annex's title for `campaign` (source 000's attachment names; a project campaign's name
    its projects, source 004)."""
    year = f"{campaign.year}年"
    if getattr(campaign, "subject", "position") == "project":
        return {
            1: f"{year}工会联系引导社会组织服务职工优秀项目名额分配表",
            2: "工会联系引导社会组织服务职工优秀项目推选评议小组成员报名表",
            3: f"{year}工会联系引导社会组织服务职工优秀项目推荐表",
            4: f"{year}工会联系引导社会组织服务职工优秀项目推荐汇总表",
        }[annex]
    return {
        1: f"{year}市级最美工会户外劳动者服务站点名额分配表",
        2: "市级最美工会户外劳动者服务站点推树活动评议小组成员报名表",
        3: f"{year}市级最美工会户外劳动者服务站点推荐表",
        4: f"{year}市级最美工会户外劳动者服务站点推荐汇总表",
    }[annex]


def quota_rows(table: Sequence[dict]) -> list[QuotaRow]:
    return [QuotaRow(r["unit"], r["operating"], r["five_star"], r["quota"]) for r in table]


def member_rows(rows: Sequence[dict]) -> list[MemberRow]:
    return [MemberRow(r["name"], r["gender"], r["unit"], r["job_title"], r["phone"], r["group_role"]) for r in rows]


def nomination_sheet(form: dict) -> NominationSheet:
    """Annex 3 from `campaigns.selectors.nomination_form(nomination)`."""
    labels = PROJECT_FORM_FACTS if "project_title" in form else FORM_FACTS
    facts = [(label, _form_value(form, key)) for key, label in labels]
    opinion = form.get("decision_reason", "")
    return NominationSheet(form.get("unit", ""), facts, form.get("statement", ""), federation_opinion=opinion)


def summary_rows(rows: Sequence[dict]) -> list[SummaryRow]:
    return [
        SummaryRow(
            r["official_name"],
            r["address"],
            r.get("star_rating", ""),
            r.get("hours", ""),
            r.get("manager_name", ""),
            r.get("manager_phone", ""),
        )
        for r in rows
    ]


def export(annex: int, fmt: str, campaign, *, rows: Sequence[dict], unit: str = "") -> tuple[bytes, str, str]:
    """(content, content type, file name) of annex 1–4 of `campaign` as xlsx or docx, from the
    campaign selectors' rows (annex 3: a list of nomination_form dicts)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    title = heading(campaign, annex)
    xlsx = fmt == "xlsx"
    if annex == 1:
        projects = getattr(campaign, "subject", "position") == "project"
        data = (quota_table_xlsx if xlsx else quota_table_docx)(title, quota_rows(rows), projects=projects)
    elif annex == 2:
        data = (review_group_xlsx if xlsx else review_group_docx)(title, member_rows(rows), unit=unit)
    elif annex == 3:
        data = (nomination_form_xlsx if xlsx else nomination_form_docx)(title, [nomination_sheet(r) for r in rows])
    elif annex == 4:
        data = (summary_xlsx if xlsx else summary_docx)(title, summary_rows(rows), unit=unit)
    else:
        raise ValueError(annex)
    return data, FORMATS[fmt], f"annex{annex}-{campaign.pk}.{fmt}"


def notice_for(campaign, nominations, *, contact: str = "") -> Notice:
    """The public notice of `campaign` from its recommended nominations (campaigns.selectors.public_notice_rows)."""
    projects = campaign.subject == "project"
    return Notice(
        title=(
            f"关于{campaign.year}年度优秀社会组织服务项目推荐对象的公示"
            if projects
            else f"关于{campaign.year}年度市级最美工会户外劳动者服务站点推荐对象的公示"
        ),
        federation=campaign.federation.name,
        starts_on=campaign.notice_starts_on,
        ends_on=campaign.notice_ends_on,
        intro=(
            "经各区市县（开放先导区）总工会和产业工会推荐、评议小组实地核查和综合评议，"
            + ("拟将以下项目评为" if projects else "拟将以下站点命名为")
            + f"“{campaign.honour_title}”，现予公示。"
        ),
        rows=[NoticeRow(n.unit.name, n.subject_name, n.subject_detail) for n in nominations],
        contact=contact or "公示期间，任何单位和个人均可通过公示页面提出异议，请提供具体事实。",
        published_on=campaign.notice_starts_on,
    )
