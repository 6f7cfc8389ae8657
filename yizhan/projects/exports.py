"""Exports of service projects (spec §12): the excellent-project scoring sheet laid out like source
004 附件2 (百分评估标准: 评估对象 | 评估依据 | 分值, plus the points confirmed) as xlsx, docx and PDF,
and the projects list as xlsx. Built from plain rows (`SheetFacts`, `SheetRow`) so the renderers
know no model; `sheet_facts`, `sheet_rows` and `project_rows` read the records."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from yizhan.core.exports import safe_cell, xlsx_bytes
from yizhan.grants import pdf
from yizhan.grants.money import fen_to_yuan
from yizhan.projects import scoring

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
SONG = "宋体"

ANNEX = "附件2"
SHEET_TITLE = "工会联系引导社会组织服务职工优秀项目百分评估表"
SHEET_HEADERS = ("评估对象", "评估依据", "分值", "得分")
FACT_LABELS = ("项目名称", "承接社会组织", "发布工会", "服务类别", "完成日期", "职工满意度", "推荐日期", "确认人")
LIST_HEADERS = [
    "项目名称",
    "发布工会",
    "服务类别",
    "状态",
    "承接社会组织",
    "预算（元）",
    "协议金额（元）",
    "完成日期",
    "满意度（%）",
    "评分",
    "补助合计（元）",
]


@dataclass(frozen=True)
class SheetFacts:
    title: str
    organisation: str
    unit: str
    category: str
    completed_on: str
    satisfaction: str
    nominated_on: str
    confirmed_by: str

    def pairs(self) -> list[tuple[str, str]]:
        values = (
            self.title,
            self.organisation,
            self.unit,
            self.category,
            self.completed_on,
            self.satisfaction,
            self.nominated_on,
            self.confirmed_by,
        )
        return list(zip(FACT_LABELS, values, strict=True))


@dataclass(frozen=True)
class SheetRow:
    group: str
    item: str
    cap: int
    points: int


def _heading(federation: str) -> str:
    return f"{federation}{SHEET_TITLE}" if federation else SHEET_TITLE


# --- xlsx -------------------------------------------------------------------------------------


def scoring_sheet_xlsx(facts: SheetFacts, rows: Sequence[SheetRow], *, federation: str = "") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "评估表"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.append([ANNEX])
    sheet.append([_heading(federation)])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    sheet["A2"].font = Font(name=SONG, size=16, bold=True)
    sheet["A2"].alignment = Alignment(horizontal="center")
    for label, value in facts.pairs():
        sheet.append([label, safe_cell(value)])
        sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=4)
    sheet.append(list(SHEET_HEADERS))
    header_row = sheet.max_row
    for row in rows:
        sheet.append([safe_cell(row.group), safe_cell(row.item), row.cap, row.points])
    sheet.append(["合计", "", sum(r.cap for r in rows), sum(r.points for r in rows)])
    for line in sheet.iter_rows(min_row=3, max_row=sheet.max_row, max_col=4):
        for cell in line:
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCD", (16, 48, 8, 8), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def project_list_xlsx(rows: Sequence[Sequence]) -> bytes:
    return xlsx_bytes("社会组织服务项目", LIST_HEADERS, [list(r) for r in rows])


# --- docx -------------------------------------------------------------------------------------


def _song(document) -> None:
    style = document.styles["Normal"]
    style.font.name = SONG
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), SONG)


def scoring_sheet_docx(facts: SheetFacts, rows: Sequence[SheetRow], *, federation: str = "") -> bytes:
    document = Document()
    _song(document)
    document.add_paragraph(ANNEX)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(_heading(federation))
    run.bold = True
    run.font.size = Pt(16)
    info = document.add_table(rows=0, cols=2)
    info.style = "Table Grid"
    for label, value in facts.pairs():
        cells = info.add_row().cells
        cells[0].text, cells[1].text = label, str(value)
    document.add_paragraph()
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, SHEET_HEADERS, strict=True):
        cell.text = header
    for row in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text, cells[3].text = row.group, row.item, str(row.cap), str(row.points)
    cells = table.add_row().cells
    cells[0].text, cells[2].text = "合计", str(sum(r.cap for r in rows))
    cells[3].text = str(sum(r.points for r in rows))
    document.add_paragraph()
    document.add_paragraph("评审人（签字）：　　　　　　　　日期：")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- PDF --------------------------------------------------------------------------------------


def scoring_sheet_pdf(facts: SheetFacts, rows: Sequence[SheetRow], *, federation: str = "") -> bytes:
    s = pdf.styles()
    p = lambda value, style="cell": Paragraph(pdf.text(value), s[style])  # noqa: E731
    width = A4[0] - 40 * mm
    heading = _heading(federation)
    info = [[p(label), p(value)] for label, value in facts.pairs()]
    table = [[p(h, "head") for h in SHEET_HEADERS]]
    table += [[p(r.group), p(r.item), p(r.cap, "head"), p(r.points, "head")] for r in rows]
    table.append([p("合计"), p(""), p(sum(r.cap for r in rows), "head"), p(sum(r.points for r in rows), "head")])
    story = [
        Paragraph(pdf.text(ANNEX), s["body"]),
        Paragraph(pdf.text(heading), s["title"]),
        Spacer(1, 5 * mm),
        pdf.grid(info, [width * 0.25, width * 0.75], header_rows=0),
        Spacer(1, 5 * mm),
        pdf.grid(table, [width * 0.2, width * 0.56, width * 0.12, width * 0.12]),
        Spacer(1, 10 * mm),
        Paragraph(pdf.text("评审人（签字）：　　　　　　　　日期："), s["right"]),
    ]
    return pdf.build(story, title=heading, author=federation)


# --- from the records -------------------------------------------------------------------------


def sheet_facts(project, sheet) -> SheetFacts:
    application = project.selected_application
    return SheetFacts(
        title=project.title,
        organisation=application.organisation.name if application else "",
        unit=project.unit.name,
        category=str(project.get_category_display()),
        completed_on=project.completed_on.isoformat() if project.completed_on else "",
        satisfaction=f"{project.satisfaction_rate}%" if project.satisfaction_rate is not None else "",
        nominated_on=sheet.nominated_on.isoformat() if sheet else "",
        confirmed_by=sheet.confirmed_by if sheet else "",
    )


def sheet_rows(sheet) -> list[SheetRow]:
    points = (sheet.points or {}) if sheet else {}
    return [
        SheetRow(str(item.group), str(item.label), item.cap, int(points.get(item.key, 0))) for item in scoring.ITEMS
    ]


def project_rows(projects) -> list[list]:
    """The projects list's rows (`projects` with selected_application__organisation, unit, score_sheet
    and subsidies fetched)."""
    rows = []
    for project in projects:
        application = project.selected_application
        sheet = getattr(project, "score_sheet", None)
        paid = sum(s.amount_fen for s in project.subsidies.all())
        rows.append(
            [
                project.title,
                project.unit.name,
                str(project.get_category_display()),
                str(project.get_state_display()),
                application.organisation.name if application else "",
                fen_to_yuan(project.budget_fen),
                fen_to_yuan(project.agreement_amount_fen) if project.agreement_amount_fen is not None else "",
                project.completed_on.isoformat() if project.completed_on else "",
                str(project.satisfaction_rate) if project.satisfaction_rate is not None else "",
                sheet.total if sheet else "",
                fen_to_yuan(paid) if paid else "",
            ]
        )
    return rows
