"""The inspection report of a period (issue 16 §6), in Chinese: xlsx (openpyxl, formula-escaped
cells) and PDF (reportlab with its built-in CJK font, as coverage/exports.py). What the actor sees
only: the inspections of the period by their start date and their rectifications."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yizhan.core.errors import ApplicationError
from yizhan.core.exports import safe_cell
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, require
from yizhan.inspections import selectors
from yizhan.inspections.choices import InspectionState, RectificationState
from yizhan.inspections.models import Inspection, Rectification

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
FONT = "STSong-Light"
BAD_FORMAT = _("导出格式应为 xlsx 或 pdf")
BAD_PERIOD = _("统计期间无效：起始日须不晚于截止日")

INSPECTION_HEADERS = [
    "编号",
    "检查类型",
    "状态",
    "检查单位",
    "阵地编码",
    "服务阵地",
    "检查标准",
    "开始日期",
    "截止日期",
    "检查日期",
    "达标条目",
    "检查条目",
    "不能正常服务",
    "检查意见",
]
RECTIFICATION_HEADERS = [
    "编号",
    "检查编号",
    "服务阵地",
    "不达标条目",
    "整改要求",
    "责任单位",
    "整改期限",
    "状态",
    "是否逾期",
    "轮次",
    "验收日期",
]


@dataclass(frozen=True)
class Report:
    date_from: date
    date_to: date
    inspections: list[Inspection]
    rectifications: list[Rectification]

    def summary(self) -> list[tuple[str, int]]:
        by_state = dict.fromkeys(InspectionState.values, 0)
        for i in self.inspections:
            by_state[i.state] += 1
        today = timezone.localdate()
        return [
            ("检查总数", len(self.inspections)),
            *[(str(InspectionState(s).label), n) for s, n in by_state.items()],
            ("不能正常服务", sum(1 for i in self.inspections if i.cannot_serve)),
            ("整改总数", len(self.rectifications)),
            ("已验收", sum(1 for r in self.rectifications if r.state == RectificationState.ACCEPTED)),
            (
                "逾期未整改",
                sum(1 for r in self.rectifications if r.state == RectificationState.OPEN and r.deadline < today),
            ),
        ]

    def inspection_rows(self) -> list[list]:
        rows = []
        for i in self.inspections:
            findings = list(i.findings.all())
            rows.append(
                [
                    i.pk,
                    i.get_kind_display(),
                    i.get_state_display(),
                    i.unit.name,
                    i.position.code,
                    i.position.display_name,
                    f"{i.version.standard.name} 第{i.version.number}版",
                    i.starts_on.isoformat(),
                    i.ends_on.isoformat(),
                    i.inspected_on.isoformat() if i.inspected_on else "",
                    sum(1 for f in findings if f.met),
                    len(findings),
                    "是" if i.cannot_serve else "否",
                    i.summary,
                ]
            )
        return rows

    def rectification_rows(self) -> list[list]:
        today = timezone.localdate()
        return [
            [
                r.pk,
                r.inspection_id,
                r.position.display_name,
                r.finding.item.text,
                r.requirement,
                r.owner_unit.name,
                r.deadline.isoformat(),
                r.get_state_display(),
                "是" if r.state == RectificationState.OPEN and r.deadline < today else "否",
                r.round,
                r.closed_on.isoformat() if r.closed_on else "",
            ]
            for r in self.rectifications
        ]


def inspection_report(*, actor: Actor, date_from: date, date_to: date) -> Report:
    require(actor, Action.VIEW, Inspection)
    if date_from > date_to:
        raise ApplicationError(BAD_PERIOD, field="date_from")
    inspections = list(
        selectors.inspection_list(actor=actor, date_from=date_from, date_to=date_to)
        .select_related("version__standard")
        .prefetch_related("findings")
        .order_by("starts_on", "pk")
    )
    rectifications = list(
        selectors.rectification_list(actor=actor)
        .filter(inspection__in=[i.pk for i in inspections])
        .order_by("deadline", "pk")
    )
    return Report(date_from, date_to, inspections, rectifications)


def report_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = "概况"
    summary.append(["检查报告", f"{report.date_from} 至 {report.date_to}"])
    summary["A1"].font = Font(bold=True)
    for label, count in report.summary():
        summary.append([label, count])
    for title, headers, rows in (
        ("检查", INSPECTION_HEADERS, report.inspection_rows()),
        ("整改", RECTIFICATION_HEADERS, report.rectification_rows()),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_pdf(report: Report) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10, wordWrap="CJK")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=24, rightMargin=24, topMargin=24, bottomMargin=24
    )
    doc.title = f"检查报告 {report.date_from} 至 {report.date_to}"
    story = [
        Paragraph(f"检查报告：{report.date_from} 至 {report.date_to}", title),
        Paragraph("；".join(f"{label} {count}" for label, count in report.summary()), body),
        Spacer(1, 8),
    ]
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    for heading, headers, rows in (
        ("检查", INSPECTION_HEADERS, report.inspection_rows()),
        ("整改", RECTIFICATION_HEADERS, report.rectification_rows()),
    ):
        story.append(Paragraph(heading, body))
        data = [[Paragraph(str(v), cell) for v in headers]]
        data += [[Paragraph(_escape(v), cell) for v in row] for row in rows] or [
            [Paragraph("无", cell)] + [""] * (len(headers) - 1)
        ]
        table = Table(data, repeatRows=1)
        table.setStyle(style)
        story += [table, Spacer(1, 10)]
    doc.build(story)
    return buffer.getvalue()


def _escape(value) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inspection_report_export(*, actor: Actor, date_from: date, date_to: date, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the inspection report of a period."""
    if fmt not in ("xlsx", "pdf"):
        raise ApplicationError(str(BAD_FORMAT), field="format")
    report = inspection_report(actor=actor, date_from=date_from, date_to=date_to)
    name = f"检查报告-{date_from}-{date_to}"
    if fmt == "xlsx":
        return report_xlsx(report), XLSX, f"{name}.xlsx"
    return report_pdf(report), PDF, f"{name}.pdf"
