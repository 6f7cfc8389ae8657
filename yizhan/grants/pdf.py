"""PDF documents with reportlab's built-in CID font STSong-Light, as the registry's poster does (no
font file ships; a reader supplies the glyphs from its Adobe-GB1 CJK font): the performance
self-evaluation report (绩效自评报告, source 000 §六), and the small layout kit the campaign annexes'
public notice uses (yizhan/campaigns/annexes.py)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yizhan.grants.models import SelfEvaluation
from yizhan.grants.money import fen_to_yuan

FONT = "STSong-Light"
# Characters the Adobe-GB1 font lacks in common readers, swapped for ones it has (positions/poster.py).
PRINTABLE = str.maketrans({"\u00b7": "\u30fb", "\u2022": "\u30fb", "\u2013": "-"})


def text(value) -> str:
    """Text for a Paragraph: markup escaped, glyphs the font lacks swapped, line breaks kept."""
    value = str(value if value is not None else "")
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").translate(PRINTABLE)
    return escaped.replace("\n", "<br/>")


def styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=18, leading=26, alignment=TA_CENTER, wordWrap="CJK"),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=10, leading=14),
        "head": ParagraphStyle("head", parent=body, fontSize=10, leading=14, alignment=TA_CENTER),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
    }


def grid(rows: list[list], widths: list[float], *, header_rows: int = 1) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=header_rows)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#eeeeee")),
            ]
        )
    )
    return table


def build(story: list, *, title: str, author: str = "", pagesize=A4) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=author,
    )
    document.build(story)
    return buffer.getvalue()


def self_evaluation_pdf(report: SelfEvaluation) -> bytes:
    """The report as an A4 PDF: title, unit, due and submission dates, the grants' figures and every
    field in the order of the form (what the unit prints, seals and sends, source 000 §六)."""
    s = styles()
    p = lambda value, style="cell": Paragraph(text(value), s[style])  # noqa: E731
    width = A4[0] - 40 * mm
    facts = [
        [p(_("填报单位")), p(report.unit.name), p(_("报送截止日期")), p(f"{report.due_on:%Y-%m-%d}")],
        [
            p(_("补助资金总额（元）")),
            p(fen_to_yuan(report.awarded_fen)),
            p(_("已使用资金（元）")),
            p(fen_to_yuan(report.spent_fen)),
        ],
        [
            p(_("资金使用率")),
            p(f"{report.spent_fen * 100 // report.awarded_fen}%" if report.awarded_fen else "—"),
            p(_("自评得分")),
            p("" if report.score is None else report.score),
        ],
        [
            p(_("状态")),
            p(report.get_state_display()),
            p(_("提交日期")),
            p(f"{report.submitted_on:%Y-%m-%d}" if report.submitted_on else ""),
        ],
    ]
    story = [
        Paragraph(text(report.title), s["title"]),
        Spacer(1, 6 * mm),
        grid(facts, [width * 0.22, width * 0.28] * 2, header_rows=0),
    ]
    for name in ("targets", "target_completion", "funds_use", "outputs", "problems", "rectification"):
        label = SelfEvaluation._meta.get_field(name).verbose_name
        story += [Spacer(1, 4 * mm), grid([[p(label, "head")], [p(getattr(report, name) or "")]], [width])]
    story += [Spacer(1, 10 * mm), Paragraph(text(_("填报单位（盖章）：") + report.unit.name), s["right"])]
    return build(story, title=report.title, author=report.unit.name)
