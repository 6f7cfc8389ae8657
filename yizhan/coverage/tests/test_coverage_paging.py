"""The stations under a coverage result are paged on the server (issue 21's screenshots: unpaged,
the table ran to ~18,000 px on a phone): the heavily overlapping ones first, the filters (unit,
opening time) kept in the pager's links, every station reachable page by page."""

from __future__ import annotations

import re

import pytest

from yizhan.core.jobs import runner
from yizhan.core.jobs.models import Job
from yizhan.core.roles import Role
from yizhan.coverage import views
from yizhan.coverage.models import CoverageRun
from yizhan.coverage.templatetags.coverage_figures import percent

pytestmark = pytest.mark.django_db

STATIONS = 7


@pytest.fixture
def run(area, make_user, login, make_station, monkeypatch):
    for n in range(STATIONS):
        make_station(300 + 500 * n, 400 + 450 * n)
    client = login(make_user(Role.FEDERATION_ADMIN, area["federation"], "fed"))
    client.post("/staff/coverage/start/", {"unit": "TC", "reach": "straight", "at": ""})
    runner.job_run(Job.objects.latest("pk").pk)
    monkeypatch.setattr(views, "STATIONS_PER_PAGE", 3)
    return client, CoverageRun.objects.get()


def _station_rows(html: str) -> list[str]:
    table = html[html.index("data-catchments>") : html.index("</table>", html.index("data-catchments>"))]
    return re.findall(r"<tr(?: data-overlapping)?><td>([^<]+) <span", table)


def test_the_station_table_is_paged_and_keeps_the_filters(run):
    client, coverage = run
    assert coverage.stations == STATIONS
    first = client.get("/staff/coverage/?unit=TC").content.decode()
    shown = _station_rows(first)
    assert len(shown) == 3
    assert "共 7 个站点，显示第 1–3 个" in first
    # The pager's link keeps the unit (and nothing is lost on the way back).
    assert 'href="?unit=TC&amp;page=2" rel="next"' in first
    seen = list(shown)
    for number in (2, 3):
        html = client.get(f"/staff/coverage/?unit=TC&page={number}").content.decode()
        seen += _station_rows(html)
        assert f"第 {number} / 3 页" in html
    assert len(seen) == STATIONS == len(set(seen))
    last = client.get("/staff/coverage/?unit=TC&page=3").content.decode()
    assert 'rel="next"' not in last and 'href="?unit=TC&amp;page=2" rel="prev"' in last
    # A page out of range shows the last one, not an error.
    assert _station_rows(client.get("/staff/coverage/?unit=TC&page=99").content.decode()) == _station_rows(last)


def test_the_overlapping_stations_come_first(run):
    client, coverage = run
    flagged = coverage.summary["overlapping"]
    html = client.get("/staff/coverage/?unit=TC").content.decode()
    rows = re.findall(r"<tr( data-overlapping)?><td>", html[html.index("data-catchments>") :])
    marks = [bool(m) for m in rows[:3]]
    assert marks == sorted(marks, reverse=True)
    assert sum(marks) == min(len(flagged), 3)


def test_one_page_shows_no_pager(run, monkeypatch):
    client, _ = run
    monkeypatch.setattr(views, "STATIONS_PER_PAGE", 25)
    html = client.get("/staff/coverage/?unit=TC").content.decode()
    assert len(_station_rows(html)) == STATIONS
    assert 'class="pager"' not in html and "data-catchments-count" not in html


def test_shares_read_as_percentages(run):
    """The coverage share, each district's and the overlap threshold as percentages (a fraction
    written to one decimal read "0.2")."""
    client, coverage = run
    html = client.get("/staff/coverage/?unit=TC").content.decode()
    headline = re.search(r'<strong data-coverage-share="([0-9.]+)">([^<]+)</strong>', html)
    assert float(headline.group(1)) == pytest.approx(coverage.share, abs=1e-4)
    assert re.fullmatch(r"\d+\.\d%", headline.group(2))
    assert float(headline.group(2)[:-1]) == pytest.approx(coverage.share * 100, abs=0.051)
    districts = html[html.index("data-districts>") : html.index("</table>", html.index("data-districts>"))]
    shares = re.findall(r'<td class="num">([0-9.]+%)</td></tr>', districts)
    assert len(shares) == len(coverage.summary["districts"]) == 2
    assert re.search(r"至少 \d+% 的需求", html)


@pytest.mark.parametrize(
    ("share", "places", "shown"),
    [(0.55078125, 1, "55.1%"), (0.2043, 1, "20.4%"), (0.8, 0, "80%"), (1, 1, "100.0%"), (None, 1, "—")],
)
def test_the_percent_filter_rounds(share, places, shown):
    assert percent(share, places) == shown
