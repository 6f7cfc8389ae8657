"""The dashboard's PDF report (issue 15 §6): an A4 PDF in the CID font STSong-Light holding the
unit's name, the page's figures and its charts (the chart labels drawn beside the tables), linked
from the dashboard, under the same scope as the xlsx. The text is read back with a small parser
of reportlab's output (ASCII85 + Flate content streams, UTF-16 strings in the CID font), so the
test does not trust the writer."""

import base64
import re
import zlib
from datetime import timedelta

import pytest
from django.utils import timezone

from yizhan.core.roles import Role
from yizhan.ledger import overview
from yizhan.ledger.overview_pdf import overview_pdf
from yizhan.ledger.tests.factories import DailyLedgerFactory
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import XIGANG

pytestmark = pytest.mark.django_db

_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        if raw[i : i + 1] != b"\\":
            out += raw[i : i + 1]
            i += 1
            continue
        octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8) & 0xFF)
            i += 1 + len(octal.group())
        else:
            char = raw[i + 1 : i + 2]
            out += _ESCAPES.get(char, char)
            i += 2
    return bytes(out)


def pdf_text(pdf: bytes) -> str:
    """The text shown on the pages, in drawing order: strings in the Latin font as Latin-1, in
    the CID font as UTF-16 (big-endian)."""
    latin = set(re.findall(rb"/BaseFont /Helvetica[^>]*?/Name /(F\d+)", pdf))
    text, font = [], None
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        raw = raw.strip()
        if raw.endswith(b"~>"):
            raw = base64.a85decode(raw[:-2])
        content = zlib.decompress(raw)
        for match in re.finditer(rb"/(F\d+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj", content):
            if match.group(1):
                font = match.group(1)
                continue
            string = _unescape(match.group(2))
            text.append(string.decode("latin-1") if font in latin else string.decode("utf-16-be"))
    return "".join(text)


@pytest.fixture
def world(dalian_map, make_position, station):
    today = timezone.localdate()
    xg = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1], state=PositionState.OPERATING)
    for n in range(5):
        DailyLedgerFactory(position=station, day=today - timedelta(days=n), visits_delivery=1000 + n)
        DailyLedgerFactory(position=xg, day=today - timedelta(days=n), visits_delivery=3)
    return {"station": station, "xg": xg}


def test_the_report_holds_the_unit_the_figures_and_the_charts(world, dalian_map, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    page = client.get("/staff/ledger/dashboard/").content.decode()
    assert "format=pdf" in page and "导出 PDF 报告" in page
    r = client.get("/staff/ledger/dashboard/", {"format": "pdf"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("attachment;") and ".pdf" in r["Content-Disposition"]
    assert r.content.startswith(b"%PDF-") and b"/STSong-Light" in r.content
    text = pdf_text(r.content)
    assert "中山区总工会看板" in text
    result = overview.overview(actor=r.wsgi_request.actor, unit=dalian_map["zs"])
    visits = {s.label: s.value for s in result.ledger}["服务人次"]
    assert visits == sum(1000 + n for n in range(5)) + 5 * 4  # the station's couriers and its 4 riders a day
    assert f"{visits:,}" in text
    for heading in ("台账合计", "按月服务人次", "服务人次最多的阵地", "待办与成效", "阵地状态", "建设类型"):
        assert heading in text
    # The busiest position twice: its bar's label in the chart and its row in the table.
    name = world["station"].short_name or world["station"].official_name
    assert text.count(name[:13]) >= 2
    # Every month of the trend is a bar label and a table row; the pie's legend gives the states.
    for stat in result.trend:
        assert text.count(stat.label) >= 2
    assert "运营中" in text
    # Another district's station is not in this district's report.
    assert (world["xg"].short_name or world["xg"].official_name) not in text


def test_the_report_follows_the_dashboards_scope(world, dalian_map, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    for unit in ("xg", "city"):
        r = client.get("/staff/ledger/dashboard/", {"format": "pdf", "unit": dalian_map[unit].pk})
        assert r.status_code == 404
    city = login(make_user(Role.FEDERATION_ADMIN, dalian_map["city"]))
    r = city.get("/staff/ledger/dashboard/", {"format": "pdf", "unit": dalian_map["xg"].pk})
    assert r.status_code == 200
    assert "西岗区" in pdf_text(r.content)


def test_names_with_markup_characters_and_an_empty_period_render(dalian_map, make_actor):
    unit = dalian_map["zs"]
    unit.name = "中山区<总工会> & 驿站"
    actor = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    result = overview.overview(actor=actor, unit=unit)
    assert result.trend == [] and result.top == []
    text = pdf_text(overview_pdf(result))
    assert "中山区<总工会> & 驿站看板" in text and "期间内没有台账" in text
