"""The acceptance's documents (spec §12: acceptance application, self-evaluation report, and the
results table) as xlsx (openpyxl), docx (python-docx) and PDF (reportlab, CID font STSong-Light),
all three made from one plain `Sheet` so the formats never disagree:

- 验收申报表 (`application_sheet`): the centre's facts as label | value rows, the self-check's
  rates, and the opinions to be sealed;
- 自查报告 (`self_check_sheet`): the unit's report, then every checklist item with its result;
- 验收结果表 (`results_sheet`): the graded centres of a round with the three rates and the grade.

Cells beginning with = + - @ are escaped (core.exports.safe_cell). The documents are the
regulation's Chinese forms whatever the reader's language: build them `with in_chinese()`."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from yizhan.centres.grading import percent, ratio
from yizhan.centres.selectors import Result
from yizhan.core.exports import safe_cell
from yizhan.grants import pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
SONG = "宋体"
FORMATS = {"xlsx": XLSX, "docx": DOCX, "pdf": PDF}

RESULT_HEADERS = (
    "序号",
    "单位",
    "服务中心",
    "层级",
    "硬件建设达标率",
    "运行机制和措施保障到位率",
    "职工满意率",
    "等次",
    "奖励",
)
ITEM_HEADERS = ("序号", "类别", "条目", "自查结果", "说明")


def in_chinese():
    """The platform's language (Simplified Chinese) for labels and grades read while building a
    document, so an English-speaking clerk downloads the same official form as everyone."""
    return translation.override(settings.LANGUAGE_CODE)


@dataclass(frozen=True)
class Sheet:
    title: str
    lines: Sequence[str] = ()  # under the title: 申报单位（盖章）…
    facts: Sequence[tuple[str, str]] = ()
    paragraphs: Sequence[str] = ()
    headers: Sequence[str] = ()
    rows: Sequence[Sequence] = field(default_factory=tuple)
    wide: bool = False


# ------------------------------------------------------------------ from the records


def application_sheet(application) -> Sheet:
    centre = application.centre
    self_rates = application.rates(review=False)
    facts = [
        ("申报单位", application.unit.name),
        ("服务中心名称", centre.official_name),
        ("中心层级", centre.get_centre_level_display()),
        ("地址", centre.address),
        ("使用面积（平方米）", "" if centre.floor_area is None else str(centre.floor_area)),
        ("对外联系电话", centre.public_phone),
        ("启用日期", centre.opened_on.isoformat() if centre.opened_on else ""),
        ("考核验收批次", application.round.title),
        ("申报截止日期", application.round.deadline.isoformat()),
        ("申报日期", application.filed_on.isoformat() if application.filed_on else "（未申报）"),
        ("自查：硬件建设达标率", percent(self_rates["hardware"])),
        ("自查：运行机制和措施保障到位率", percent(self_rates["mechanism"])),
        ("申报单位意见（盖章）", "\n\n（盖章）    年  月  日"),
        ("区、局（总公司）、产业、直属大单位工会意见", "\n\n（盖章）    年  月  日"),
        ("市总工会考核意见", application.review_summary or "\n\n（盖章）    年  月  日"),
    ]
    return Sheet(title=f"{application.round.year}年职工服务中心（站）验收申报表", facts=facts)


def self_check_sheet(application) -> Sheet:
    rows = []
    for i, item in enumerate(application.items.all(), start=1):
        if item.self_met is None:
            result = "未填写"
        else:
            result = "达标" if item.self_met else "未达标"
        if item.self_number is not None:
            result += f"（{item.self_number}{item.unit_label}）"
        if not item.required:
            result += "（可选项目，不计入达标率）"
        rows.append([i, item.get_part_display(), item.text, result, item.self_note])
    self_rates = application.rates(review=False)
    paragraphs = [
        application.self_report or "（未填写自查报告）",
        f"自查结果：硬件建设达标率 {percent(self_rates['hardware'])}，运行机制和措施保障到位率 "
        f"{percent(self_rates['mechanism'])}。",
    ]
    return Sheet(
        title=f"{application.centre.official_name}自查报告",
        lines=[f"申报单位（盖章）：{application.unit.name}"],
        paragraphs=paragraphs,
        headers=ITEM_HEADERS,
        rows=rows,
    )


def results_sheet(acceptance_round, results: Sequence[Result]) -> Sheet:
    rows = [
        [i, r.unit, r.centre, r.level, r.hardware, r.mechanism, r.satisfaction, r.grade_label, r.reward]
        for i, r in enumerate(results, start=1)
    ]
    return Sheet(
        title=f"{acceptance_round.title}结果",
        lines=[f"组织单位：{acceptance_round.unit.name}"],
        headers=RESULT_HEADERS,
        rows=rows,
        wide=True,
    )


# ------------------------------------------------------------------ xlsx

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def to_xlsx(sheet_data: Sheet) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_data.title[:31].replace("/", "-")
    columns = max(len(sheet_data.headers), 2)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet["A1"] = sheet_data.title
    sheet["A1"].font = Font(name=SONG, size=16, bold=True)
    sheet["A1"].alignment = CENTER
    sheet.row_dimensions[1].height = 32
    row = 2
    for line in sheet_data.lines:
        sheet.cell(row=row, column=1, value=safe_cell(line)).font = Font(name=SONG, size=11)
        row += 1
    for label, value in sheet_data.facts:
        label_cell = sheet.cell(row=row, column=1, value=label)
        value_cell = sheet.cell(row=row, column=2, value=safe_cell(value))
        label_cell.font, label_cell.alignment, label_cell.border = Font(name=SONG, bold=True, size=11), CENTER, BOX
        value_cell.font, value_cell.alignment, value_cell.border = Font(name=SONG, size=11), LEFT, BOX
        if "\n" in (value or ""):
            sheet.row_dimensions[row].height = 60
        row += 1
    for paragraph in sheet_data.paragraphs:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
        cell = sheet.cell(row=row, column=1, value=safe_cell(paragraph))
        cell.font, cell.alignment = Font(name=SONG, size=11), LEFT
        sheet.row_dimensions[row].height = max(20, 15 * (1 + len(paragraph) // 60))
        row += 1
    if sheet_data.headers:
        for column, header in enumerate(sheet_data.headers, start=1):
            cell = sheet.cell(row=row, column=column, value=header)
            cell.font, cell.alignment, cell.border = Font(name=SONG, bold=True, size=11), CENTER, BOX
        sheet.print_title_rows = f"{row}:{row}"
        for values in sheet_data.rows:
            row += 1
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=column, value=safe_cell(value))
                cell.font, cell.border = Font(name=SONG, size=11), BOX
                cell.alignment = CENTER if isinstance(value, int) else LEFT
    widths = (8, 20, 34, 14, 14, 14, 12, 10, 20) if sheet_data.headers else (30, 60)
    if sheet_data.headers and len(sheet_data.headers) == len(ITEM_HEADERS):
        widths = (8, 18, 50, 24, 30)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.page_setup.orientation = "landscape" if sheet_data.wide else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ docx


def to_docx(sheet_data: Sheet) -> bytes:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = SONG
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SONG)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if sheet_data.wide:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(sheet_data.title)
    run.bold, run.font.size = True, Pt(16)
    for line in sheet_data.lines:
        document.add_paragraph(line)
    if sheet_data.facts:
        table = document.add_table(rows=len(sheet_data.facts), cols=2)
        table.style = "Table Grid"
        for table_row, (label, value) in zip(table.rows, sheet_data.facts, strict=True):
            table_row.cells[0].text = label
            table_row.cells[0].paragraphs[0].runs[0].bold = True
            table_row.cells[0].width, table_row.cells[1].width = Cm(5), Cm(12)
            table_row.cells[1].text = value or ""
    for paragraph in sheet_data.paragraphs:
        document.add_paragraph(paragraph)
    if sheet_data.headers:
        table = document.add_table(rows=1 + len(sheet_data.rows), cols=len(sheet_data.headers))
        table.style = "Table Grid"
        for column, header in enumerate(sheet_data.headers):
            cell = table.rows[0].cells[column]
            cell.text = header
            cell.paragraphs[0].runs[0].bold = True
        for index, values in enumerate(sheet_data.rows, start=1):
            for column, value in enumerate(values):
                table.rows[index].cells[column].text = "" if value is None else str(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ pdf


def to_pdf(sheet_data: Sheet) -> bytes:
    s = pdf.styles()
    pagesize = landscape(A4) if sheet_data.wide else A4
    usable = pagesize[0] - 40 * mm
    story = [Paragraph(pdf.text(sheet_data.title), s["title"]), Spacer(1, 6 * mm)]
    for line in sheet_data.lines:
        story.append(Paragraph(pdf.text(line), s["body"]))
    if sheet_data.facts:
        rows = [
            [Paragraph(pdf.text(label), s["head"]), Paragraph(pdf.text(value), s["cell"])]
            for label, value in sheet_data.facts
        ]
        story.append(pdf.grid(rows, [usable * 0.35, usable * 0.65], header_rows=0))
    for paragraph in sheet_data.paragraphs:
        story += [Spacer(1, 3 * mm), Paragraph(pdf.text(paragraph), s["body"])]
    if sheet_data.headers:
        count = len(sheet_data.headers)
        weights = [0.5] + [1.0] * (count - 1)
        if count == len(ITEM_HEADERS):
            weights = [0.5, 1.2, 3.0, 1.5, 2.0]
        total = sum(weights)
        widths = [usable * w / total for w in weights]
        rows = [[Paragraph(pdf.text(h), s["head"]) for h in sheet_data.headers]]
        rows += [[Paragraph(pdf.text(v), s["cell"]) for v in values] for values in sheet_data.rows]
        story += [Spacer(1, 4 * mm), pdf.grid(rows, widths)]
    return pdf.build(story, title=sheet_data.title, pagesize=pagesize)


RENDERERS = {"xlsx": to_xlsx, "docx": to_docx, "pdf": to_pdf}


def render(sheet_data: Sheet, fmt: str) -> bytes:
    return RENDERERS[fmt](sheet_data)


__all__ = ["Sheet", "application_sheet", "self_check_sheet", "results_sheet", "render", "ratio"]
