"""The annual report as PDF (reportlab, built-in CID font STSong-Light, as the grants' and the
ledger's PDFs) and as Word (python-docx): the same sections, paragraphs and tables as the page."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yizhan.reports.selectors import Report

FONT = "STSong-Light"
PRINTABLE = str.maketrans({"\u00b7": "\u30fb", "\u2022": "\u30fb", "\u2013": "-", "\u2014": "-"})


def _text(value) -> str:
    value = str(value if value is not None else "")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").translate(PRINTABLE)


def _generated() -> str:
    return _("生成日期：{day}").format(day=timezone.localdate().isoformat())


def report_pdf(report: Report) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=TA_CENTER)
    heading = ParagraphStyle("heading", parent=body, fontSize=14, leading=22, spaceBefore=8)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=12)
    caption = ParagraphStyle("caption", parent=body, fontSize=10, leading=14)
    width = A4[0] - 36 * mm
    story = [Paragraph(_text(report.title), title), Paragraph(_text(_generated()), body), Spacer(1, 6 * mm)]
    for number, (_name, section) in enumerate(report.sections, start=1):
        story.append(Paragraph(_text(f"{number}. {section.title}"), heading))
        for paragraph in section.paragraphs:
            story.append(Paragraph(_text(paragraph), body))
        for table in section.tables:
            if table.caption:
                story.append(Paragraph(_text(table.caption), caption))
            rows = [[Paragraph(_text(h), cell) for h in table.headers]]
            rows += [[Paragraph(_text(v), cell) for v in row] for row in table.rows]
            columns = max(1, len(table.headers))
            grid = Table(rows, colWidths=[width / columns] * columns, repeatRows=1)
            grid.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ]
                )
            )
            story += [grid, Spacer(1, 4 * mm)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=report.title,
    )
    doc.build(story)
    return buffer.getvalue()


def report_docx(report: Report) -> bytes:
    document = Document()
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(report.title)
    run.bold, run.font.size = True, Pt(16)
    document.add_paragraph(_generated())
    for number, (_name, section) in enumerate(report.sections, start=1):
        document.add_heading(f"{number}. {section.title}", level=2)
        for paragraph in section.paragraphs:
            document.add_paragraph(str(paragraph))
        for table in section.tables:
            if table.caption:
                document.add_paragraph(str(table.caption))
            grid = document.add_table(rows=1 + len(table.rows), cols=max(1, len(table.headers)))
            grid.style = "Table Grid"
            for column, header in enumerate(table.headers):
                grid.rows[0].cells[column].text = str(header)
            for index, row in enumerate(table.rows, start=1):
                for column, value in enumerate(row):
                    grid.rows[index].cells[column].text = "" if value is None else str(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
