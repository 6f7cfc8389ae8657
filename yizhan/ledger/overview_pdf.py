"""The unit dashboard as a PDF report (issue 15 §6): the same figures as the page and the xlsx,
with the page's charts drawn as vectors by reportlab.graphics (visits by month as bars, the
busiest positions as bars, positions by state as a pie) from the same `Overview`, so the report
and the page cannot disagree. Chinese text in reportlab's built-in CID font STSong-Light, as the
project's other PDFs (positions' poster, coverage map, assessment sheet): no font file ships and
any PDF reader supplies the face. Scope is the caller's: the view builds the `Overview` for a
unit in the actor's scope, as for the xlsx."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yizhan.ledger.overview import Overview, Stat

FONT = "STSong-Light"
RED = colors.HexColor("#b91c1c")
PALETTE = [colors.HexColor(c) for c in ("#b91c1c", "#2563eb", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#6b7280")]
WIDTH = A4[0] - 36 * mm  # the frame's width between the margins

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, spaceAfter=4)
HEADING = ParagraphStyle("heading", fontName=FONT, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=12)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: names typed by users may hold <, > or & (markup to reportlab)."""
    return Paragraph(escape(str(text)), style)


def _number(value) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _table(stats: list[Stat], notes: bool = False) -> Table:
    header = [_("项目"), _("数值")] + ([pgettext("note", "说明")] if notes else [])
    rows = [header] + [
        [_p(stat.label, CELL), _number(stat.value)] + ([_p(stat.note, CELL)] if notes else []) for stat in stats
    ]
    widths = [WIDTH * 0.5, WIDTH * 0.18, WIDTH * 0.32] if notes else [WIDTH * 0.7, WIDTH * 0.3]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
                ("ALIGN", (1, 1), (1, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9ca3af")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _bars(stats: list[Stat], *, horizontal: bool = False) -> Drawing:
    """A bar chart of `stats` (value by label): months upright, positions lying down."""
    values = [stat.value or 0 for stat in stats]
    labels = [stat.label if len(stat.label) <= 14 else stat.label[:13] + "…" for stat in stats]
    height = 40 + 16 * len(stats) if horizontal else 170
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    left = 150 if horizontal else 50
    chart.x, chart.y = left, 20
    chart.width, chart.height = WIDTH - left - 20, height - 35
    chart.data = [values]
    chart.bars[0].fillColor = RED
    chart.bars[0].strokeColor = None
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    if horizontal:
        chart.categoryAxis.reverseDirection = 1  # the busiest first, at the top
        chart.barLabelFormat = "{:,}".format
        chart.barLabels.fontName = FONT
        chart.barLabels.fontSize = 7
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 3
    else:
        chart.barLabelFormat = "{:,}".format
        chart.barLabels.fontName = FONT
        chart.barLabels.fontSize = 7
        chart.barLabels.nudge = 7
    drawing.add(chart)
    return drawing


def _pie(stats: list[Stat]) -> Drawing:
    """Positions by state as a pie with its legend (label and count), the empty states left out."""
    shown = [stat for stat in stats if stat.value]
    drawing = Drawing(WIDTH, 150)
    if not shown:
        drawing.add(String(0, 70, _("没有阵地"), fontName=FONT, fontSize=10))
        return drawing
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 20, 10, 130, 130
    pie.data = [stat.value for stat in shown]
    pie.slices.strokeColor = colors.white
    for i in range(len(shown)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = 180, 130
    legend.fontName, legend.fontSize = FONT, 9
    legend.alignment = "right"
    legend.colorNamePairs = [
        (PALETTE[i % len(PALETTE)], f"{stat.label}  {stat.value:,}") for i, stat in enumerate(shown)
    ]
    drawing.add(legend)
    return drawing


def overview_pdf(result: Overview) -> bytes:
    """The dashboard of `result` as an A4 PDF report: heading, ledger totals, visits by month
    (chart and table), the busiest positions (chart and table), work and results, positions by
    state (pie and table), kind, star and construction type."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = BytesIO()
    period = _("{start} 至 {end}").format(start=f"{result.date_from:%Y-%m-%d}", end=f"{result.date_to:%Y-%m-%d}")
    title = _("{name}看板").format(name=result.unit.name)
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{title} {period}",
        author=_("驿站"),
    )
    made = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    story = [
        _p(title, TITLE),
        _p(_("含下级单位 · 统计期间 {period} · 生成于 {made}").format(period=period, made=made), BODY),
        Spacer(1, 4),
        Paragraph(_("台账合计"), HEADING),
        _table(result.ledger),
        _p(result.trend_title, HEADING),
    ]
    if result.trend:
        story += [_bars(result.trend), _table(result.trend)]
    else:
        story.append(Paragraph(_("期间内没有台账"), BODY))
    story.append(Paragraph(_("服务人次最多的阵地"), HEADING))
    if result.top:
        story += [_bars(result.top, horizontal=True), _table(result.top)]
    else:
        story.append(Paragraph(_("期间内没有台账"), BODY))
    story += [
        KeepTogether([Paragraph(_("待办与成效"), HEADING), _table(result.work, notes=True)]),
        KeepTogether([Paragraph(_("阵地状态"), HEADING), _pie(result.by_state), _table(result.by_state)]),
        KeepTogether([Paragraph(_("阵地类型"), HEADING), _table(result.by_kind)]),
        KeepTogether([Paragraph(_("星级"), HEADING), _table(result.by_star)]),
        KeepTogether([Paragraph(_("建设类型"), HEADING), _table(result.by_construction)]),
    ]
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.setFillColor(colors.HexColor("#6b7280"))
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, _("第 {n} 页").format(n=doc.page))
    canvas.restoreState()
