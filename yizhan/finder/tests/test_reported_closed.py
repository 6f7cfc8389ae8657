"""Positions with an open "closed" or "locked" problem report in the public finder (issue 15 §4):
ranked after the others (the default), left out, or neither (YIZHAN_FINDER_REPORTED_CLOSED), in the
selectors, the public API and the results page, each result saying so; a new report and its
settling reach the index at once through the change feed."""

import re

import pytest
from django.core.checks import run_checks
from django.test import Client

from yizhan.core.geo.crs import CRS, from_gcj02
from yizhan.core.roles import Role
from yizhan.finder import index, selectors
from yizhan.finder.schemas import NearbyOut
from yizhan.ledger import services as ledger_services
from yizhan.ledger.choices import ProblemKind
from yizhan.positions.tests.conftest import ZHONGSHAN

pytestmark = pytest.mark.django_db

WGS_LNG, WGS_LAT = from_gcj02(ZHONGSHAN[0], ZHONGSHAN[1], CRS.WGS84)
HERE = {"lat": f"{WGS_LAT:.6f}", "lng": f"{WGS_LNG:.6f}", "crs": "wgs84"}
_clients = iter(range(1, 250))


@pytest.fixture
def row(make_position, dalian_map, make_actor):
    """Three operating stations east of 中山区's point, 200 m apart, nearest first, open round the
    clock; and a unit admin who settles reports."""
    admin = make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    stations = [
        make_position(
            actor=admin,
            official_name=f"工会户外劳动者服务站点·一排{i}",
            short_name=f"一排{i}",
            lng=ZHONGSHAN[0] + 0.001 + i * 0.0024,
            lat=ZHONGSHAN[1],
            always_open=True,
            state="operating",
        )
        for i in range(3)
    ]
    return {"stations": stations, "admin": admin}


def report(position, kind=ProblemKind.LOCKED):
    return ledger_services.problem_report_submit(
        position_id=position.pk, kind=kind, client=f"203.0.113.{next(_clients) % 250}"
    )


def found(limit=10):
    return [
        (r.position_id, r.reported)
        for r in selectors.nearby(lng=ZHONGSHAN[0], lat=ZHONGSHAN[1], crs=CRS.GCJ02, limit=limit)
    ]


def test_a_reported_position_is_ranked_after_the_others_by_default(row):
    a, b, c = row["stations"]
    assert found() == [(a.pk, ()), (b.pk, ()), (c.pk, ())]
    report(a, ProblemKind.LOCKED)
    report(a, ProblemKind.CLOSED)
    assert found() == [(b.pk, ()), (c.pk, ()), (a.pk, ("closed", "locked"))]
    # The limit is filled by the unreported first, then the nearest reported.
    assert found(limit=2) == [(b.pk, ()), (c.pk, ())]
    report(c)
    assert found(limit=2) == [(b.pk, ()), (a.pk, ("closed", "locked"))]
    assert found() == [(b.pk, ()), (a.pk, ("closed", "locked")), (c.pk, ("locked",))]


def test_other_kinds_of_report_change_nothing(row):
    a, b, c = row["stations"]
    report(a, ProblemKind.NO_WATER)
    report(b, ProblemKind.BROKEN)
    assert found() == [(a.pk, ()), (b.pk, ()), (c.pk, ())]


def test_hide_leaves_reported_positions_out_and_off_keeps_the_distance_order(row, settings):
    a, b, c = row["stations"]
    report(b)
    settings.YIZHAN_FINDER_REPORTED_CLOSED = "hide"
    assert found() == [(a.pk, ()), (c.pk, ())]
    assert found(limit=1) == [(a.pk, ())]
    settings.YIZHAN_FINDER_REPORTED_CLOSED = "off"
    assert found() == [(a.pk, ()), (b.pk, ("locked",)), (c.pk, ())]


def test_settling_the_report_restores_the_ranking_at_once(row):
    a, b, c = row["stations"]
    locked = report(a)
    assert found()[-1] == (a.pk, ("locked",))
    assert index.current_index().reported(a.pk) == ("locked",)
    ledger_services.problem_report_transition(actor=row["admin"], report=locked, to_state="resolved", reason="已开门")
    assert found() == [(a.pk, ()), (b.pk, ()), (c.pk, ())]
    assert index.current_index().reported(a.pk) == ()
    # Reopened: demoted again, at once.
    ledger_services.problem_report_transition(actor=row["admin"], report=locked, to_state="open", reason="又锁了")
    assert found()[-1] == (a.pk, ("locked",))


def test_a_report_written_by_anyone_reaches_the_index(row):
    """Any write (here a bulk update, no service, no signal) goes through the change feed."""
    from yizhan.ledger.models import ProblemReport

    a, b, c = row["stations"]
    report(a)
    assert found()[-1][0] == a.pk
    ProblemReport.objects.filter(position=a).update(status="unfounded", settled_on="2026-11-20")
    assert found() == [(a.pk, ()), (b.pk, ()), (c.pk, ())]


def _api(**extra):
    response = Client().get(
        "/api/v1/public/nearby", {"lng": ZHONGSHAN[0], "lat": ZHONGSHAN[1], "crs": "gcj02", **extra}
    )
    assert response.status_code == 200
    body = response.json()
    NearbyOut.model_validate(body)
    return [(item["id"], item["reported_closed"]) for item in body["results"]]


def test_the_public_api_demotes_hides_or_not_and_says_so(row, settings):
    a, b, c = row["stations"]
    report(a, ProblemKind.CLOSED)
    assert _api() == [(b.pk, []), (c.pk, []), (a.pk, ["closed"])]
    assert _api(limit=2) == [(b.pk, []), (c.pk, [])]
    settings.YIZHAN_FINDER_REPORTED_CLOSED = "hide"
    assert _api() == [(b.pk, []), (c.pk, [])]
    settings.YIZHAN_FINDER_REPORTED_CLOSED = "off"
    assert _api() == [(a.pk, ["closed"]), (b.pk, []), (c.pk, [])]


def test_the_public_place_search_demotes_too(row):
    a, b, c = row["stations"]
    report(a)
    response = Client().get("/api/v1/public/search", {"q": a.official_name, "crs": "gcj02"})
    assert response.status_code == 200
    results = [(item["id"], item["reported_closed"]) for item in response.json()["results"]]
    assert results[-1] == (a.pk, ["locked"]) and {pk for pk, _k in results} == {a.pk, b.pk, c.pk}


def _cards(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<h2><span class="r-num"[^>]*>\d+</span> <a href="[^"]+">([^<]+)</a></h2>', html)


@pytest.mark.parametrize("sort", ["open", "distance", "stars"])
def test_the_results_page_ranks_the_reported_station_last_and_says_so(row, sort):
    a, _b, _c = row["stations"]
    report(a)
    response = Client().get("/", {**HERE, "sort": sort})
    assert _cards(response) == ["一排1", "一排2", "一排0"]
    html = response.content.decode()
    assert html.count('class="r-reason r-reported"') == 1
    assert "<strong>有职工反映：</strong>门锁着进不去（待核实）" in html


def test_the_results_page_hides_or_keeps_the_order_as_configured(row, settings):
    a, b, c = row["stations"]
    locked = report(a)
    settings.YIZHAN_FINDER_REPORTED_CLOSED = "hide"
    assert _cards(Client().get("/", {**HERE, "sort": "distance"})) == ["一排1", "一排2"]
    settings.YIZHAN_FINDER_REPORTED_CLOSED = "off"
    response = Client().get("/", {**HERE, "sort": "distance"})
    assert _cards(response) == ["一排0", "一排1", "一排2"]
    assert "有职工反映：" in response.content.decode()
    settings.YIZHAN_FINDER_REPORTED_CLOSED = "demote"
    ledger_services.problem_report_transition(actor=row["admin"], report=locked, to_state="unfounded", reason="查无")
    response = Client().get("/", {**HERE, "sort": "distance"})
    assert _cards(response) == ["一排0", "一排1", "一排2"]
    assert "r-reported" not in response.content.decode()


def test_an_unknown_setting_is_refused_at_start(settings):
    settings.YIZHAN_FINDER_REPORTED_CLOSED = "bury"
    assert "finder.E005" in [e.id for e in run_checks()]
