"""The printable QR poster of a position (issue 3 §7): one A4 page in Chinese, to hang at the door, with
the official name, the week's opening hours, the six abilities and services offered, the facilities,
the public contact phone, and two QR codes — the position's public page and its feedback form (spec §6:
feedback from the public through a QR code posted at each position).

The QR codes point at `settings.YIZHAN_PUBLIC_BASE_URL` + the finder's position page and feedback form
(`/p/<code>/`, `/p/<code>/feedback/`); the codes are stable, so printed posters keep working.
The text uses reportlab's built-in CID font STSong-Light, so no font file ships with the app (a PDF
reader supplies the glyphs from its Adobe-GB1 CJK font).
"""

from __future__ import annotations

import io

import qrcode
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from yizhan.core.hours import WEEKDAY_NAMES, WEEKDAYS
from yizhan.core.masking import mask_name
from yizhan.positions.choices import Ability, Facility, PositionKind, PositionState, Service
from yizhan.positions.models import Position

FONT = "STSong-Light"
UNION_RED = colors.HexColor("#b71c1c")
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
# Characters the Adobe-GB1 font lacks in common readers, swapped for ones it has: the middle dot of
# official names (工会户外劳动者服务站点·XXX) and the en dash of hour spans.
PRINTABLE = str.maketrans({"\u00b7": "\u30fb", "\u2022": "\u30fb", "\u2013": "-"})


def _public_url(view: str, position: Position) -> str:
    # The finder's routes by name: the poster follows wherever the public pages are mounted.
    return f"{settings.YIZHAN_PUBLIC_BASE_URL.rstrip('/')}{reverse(view, args=[position.code])}"


def poster_qr_payload(position: Position) -> str:
    """The URL of the position's public page (issue 4), encoded in the poster's main QR code."""
    return _public_url("finder:position", position)


def poster_feedback_url(position: Position) -> str:
    """The URL of the position's public feedback form (spec §6; issue 4)."""
    return _public_url("finder:feedback", position)


def _labels(enum, values) -> list[str]:
    return [str(enum(v).label) for v in values if v in enum.values]


def _hours_lines(position: Position) -> list[str]:
    if position.always_open:
        return [_("24 小时开放")]
    lines = []
    for day in WEEKDAYS:
        spans = (position.weekly_hours or {}).get(day, [])
        text = "、".join(f"{a}-{b}" for a, b in spans) if spans else _("不开放")
        lines.append(f"{WEEKDAY_NAMES[day]}  {text}")
    return lines


def poster_sections(position: Position) -> list[tuple[str, list[str]]]:
    """The poster's text blocks as (heading, lines), in print order."""
    abilities = _labels(Ability, position.abilities)
    services = _labels(Service, position.services) + [str(s) for s in position.own_services or []]
    contact = [f"{_('对外联系电话')}：{position.public_phone or '—'}"]
    if position.manager_name:
        # Spec §11: a manager's name is published only with recorded consent (none is recorded),
        # otherwise masked (张**); the manager's phone is never printed.
        contact.append(f"{_('管理员')}：{mask_name(position.manager_name)}")
    contact.append(f"{_('地址')}：{position.address}")
    return [
        (_("开放时间"), _hours_lines(position)),
        (_("六能"), abilities or ["—"]),
        (_("服务内容"), services or ["—"]),
        (_("设施"), _labels(Facility, position.facilities) or ["—"]),
        (_("联系方式"), contact),
    ]


def poster_lines(position: Position) -> list[str]:
    """Every line of text the poster prints, headings included (what the tests read)."""
    lines = [position.official_name]
    if position.state != PositionState.OPERATING:
        lines.append(f"{_('当前状态')}：{position.get_state_display()}")
    for heading, items in poster_sections(position):
        lines.append(heading)
        lines.extend(items)
    lines += [_("扫码查看阵地信息"), _("扫码留言评价"), f"{_('阵地编号')}：{position.code}"]
    return lines


def _qr_image(data: str) -> ImageReader:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def _paragraph(c: canvas.Canvas, text: str, style: ParagraphStyle, x: float, top: float, width: float) -> float:
    """Draw `text` wrapped to `width` with its top at `top`; the y below it."""
    para = Paragraph(text, style)
    _w, height = para.wrapOn(c, width, PAGE_HEIGHT)
    para.drawOn(c, x, top - height)
    return top - height


def _escape(text: str) -> str:
    """Text for a Paragraph: markup characters escaped, glyphs the font lacks swapped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").translate(PRINTABLE)


def position_poster_pdf(position: Position, public_url: str | None = None) -> bytes:
    """The A4 poster as PDF bytes. `public_url` overrides the page the main QR code opens (default:
    `poster_qr_payload`, i.e. the public page of issue 4)."""
    public_url = public_url or poster_qr_payload(position)
    feedback_url = f"{public_url.rstrip('/')}/feedback/"
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(position.official_name)
    c.setAuthor(position.unit.name)
    c.setSubject(_("服务阵地二维码海报"))

    title = ParagraphStyle("title", fontName=FONT, fontSize=26, leading=34, alignment=TA_CENTER, wordWrap="CJK")
    heading = ParagraphStyle("heading", fontName=FONT, fontSize=17, leading=24, textColor=UNION_RED)
    body = ParagraphStyle("body", fontName=FONT, fontSize=14, leading=21, wordWrap="CJK")
    small = ParagraphStyle("small", fontName=FONT, fontSize=10, leading=14, alignment=TA_CENTER, wordWrap="CJK")
    width = PAGE_WIDTH - 2 * MARGIN

    # Banner: the kind of position, on union red.
    banner_h = 22 * mm
    c.setFillColor(UNION_RED)
    c.rect(0, PAGE_HEIGHT - banner_h, PAGE_WIDTH, banner_h, stroke=0, fill=1)
    c.setFillColor(colors.white)
    c.setFont(FONT, 22)
    banner = {
        PositionKind.STATION: _("工会户外劳动者服务站点"),
        PositionKind.CENTRE: _("职工服务中心"),
        PositionKind.WORK_STATION: _("职工服务中心工作站"),
    }.get(position.kind, _("工会服务阵地"))
    c.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - banner_h / 2 - 8, banner)

    y = _paragraph(c, _escape(position.official_name), title, MARGIN, PAGE_HEIGHT - banner_h - 8 * mm, width)
    if position.state != PositionState.OPERATING:
        notice = f"{_('当前状态')}：{position.get_state_display()}"
        if position.state_reason:
            notice += f"（{position.state_reason}）"
        alert = ParagraphStyle("alert", parent=small, fontSize=12, leading=16, textColor=UNION_RED)
        y = _paragraph(c, _escape(notice), alert, MARGIN, y - 2 * mm, width)
    y -= 4 * mm
    c.setStrokeColor(UNION_RED)
    c.setLineWidth(1.2)
    c.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)
    y -= 6 * mm

    # Two columns: hours on the left; what is offered on the right; contact across the page.
    sections = dict(poster_sections(position))
    gap = 8 * mm
    col = (width - gap) / 2
    hours_heading, abilities_heading, services_heading, facilities_heading, contact_heading = sections
    left = _paragraph(c, hours_heading, heading, MARGIN, y, col)
    for line in sections[hours_heading]:
        left = _paragraph(c, _escape(line), body, MARGIN, left - 1, col)
    right_x = MARGIN + col + gap
    right = y
    for name in (abilities_heading, services_heading):
        right = _paragraph(c, name, heading, right_x, right, col)
        right = _paragraph(c, _escape("、".join(sections[name])), body, right_x, right - 1, col) - 3 * mm
    y = min(left, right) - 4 * mm
    for name in (facilities_heading, contact_heading):
        y = _paragraph(c, name, heading, MARGIN, y, width)
        separator = "、" if name == facilities_heading else "<br/>"
        y = _paragraph(c, separator.join(_escape(s) for s in sections[name]), body, MARGIN, y - 1, width) - 4 * mm

    # The QR codes, side by side at the foot of the page.
    size = 58 * mm
    caption_h = 14 * mm
    footer_h = 12 * mm
    qr_bottom = MARGIN + footer_h + caption_h
    if y - size - 4 * mm < qr_bottom:
        # A long list of services or facilities: shrink the codes rather than overprint the text.
        size = max(34 * mm, y - 4 * mm - qr_bottom)
    for i, (url, caption) in enumerate(((public_url, _("扫码查看阵地信息")), (feedback_url, _("扫码留言评价")))):
        centre_x = PAGE_WIDTH / 2 + (i * 2 - 1) * (size / 2 + 14 * mm)
        c.drawImage(_qr_image(url), centre_x - size / 2, qr_bottom, size, size)
        _paragraph(c, caption, small, centre_x - size / 2 - 10 * mm, qr_bottom - 1 * mm, size + 20 * mm)
        _paragraph(c, _escape(url), small, centre_x - size / 2 - 20 * mm, qr_bottom - 6 * mm, size + 40 * mm)

    c.setStrokeColor(colors.lightgrey)
    c.line(MARGIN, MARGIN + footer_h - 2 * mm, PAGE_WIDTH - MARGIN, MARGIN + footer_h - 2 * mm)
    c.setFillColor(colors.grey)
    c.setFont(FONT, 9)
    footer = f"{_('阵地编号')}：{position.code}　{position.unit.name}"
    if position.no_app_needed:
        footer += "　" + _("无需下载 App，扫码即可使用")
    c.drawCentredString(PAGE_WIDTH / 2, MARGIN + 2 * mm, footer.translate(PRINTABLE))
    c.showPage()
    c.save()
    return buffer.getvalue()
