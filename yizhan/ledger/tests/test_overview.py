"""The unit dashboard (issue 15 §6): every figure links to a list whose rows add up to it (the
test follows each link), a district sees its subtree only, a federation the whole tree, and the
xlsx export holds the figures and the rows. Roll-ups equal the sum of their rows after inserts,
corrections, late entries and uploads, for any period (Hypothesis), and the monthly summary equals
its days."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from yizhan.core.roles import Role
from yizhan.ledger import imports, overview, selectors, services
from yizhan.ledger.models import DailyLedger, DailyLedgerRevision, LedgerMonth
from yizhan.ledger.tests.factories import (
    ActivityFactory,
    DailyLedgerFactory,
    FeedbackFactory,
    ProblemReportFactory,
)
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import XIGANG

pytestmark = pytest.mark.django_db
COUNT = re.compile(r"共 (\d+) ")
SUMS = re.compile(r"合计服务人次 (\d+)")
ROWS = re.compile(r"<tbody>(.*?)</tbody>", re.S)


@pytest.fixture
def world(dalian_map, make_position, station):
    today = timezone.localdate()
    xg = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1], state=PositionState.OPERATING)
    idle = make_position(state=PositionState.OPERATING)
    for n in range(5):
        DailyLedgerFactory(position=station, day=today - timedelta(days=n), visits_delivery=10 + n)
        DailyLedgerFactory(position=xg, day=today - timedelta(days=n), visits_delivery=3)
    DailyLedgerFactory(position=idle, day=today - timedelta(days=40), visits_delivery=9)
    ActivityFactory(position=station, participants=30)
    FeedbackFactory(position=station, rating=5)
    FeedbackFactory(position=xg, rating=2)
    ProblemReportFactory(position=station)
    return {"station": station, "xg": xg, "idle": idle}


def _count(client, url: str, pattern=COUNT) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    return int(pattern.search(page.content.decode()).group(1))


def test_every_figure_adds_up_to_the_rows_behind_it(world, dalian_map, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    actor_unit = dalian_map["zs"]
    page = client.get("/staff/ledger/dashboard/")
    assert page.status_code == 200 and "中山区总工会看板" in page.content.decode()
    result = overview.overview(actor=page.wsgi_request.actor, unit=actor_unit)
    ledger = {s.label: s for s in result.ledger}
    assert ledger["服务人次"].value == sum(10 + n for n in range(5)) + sum(4 for _ in range(5))
    assert _count(client, ledger["服务人次"].url, SUMS) == ledger["服务人次"].value
    assert _count(client, ledger["台账天数"].url) == ledger["台账天数"].value == 5
    for stat in result.trend:
        assert _count(client, stat.url, SUMS) == stat.value
    for stat in result.top:
        assert _count(client, stat.url, SUMS) == stat.value
    for stat in result.by_state + result.by_kind + result.by_construction + result.by_star:
        assert _count(client, stat.url) == stat.value, stat
    work = {s.label: s for s in result.work}
    idle = work["30 天内没有服务人次的运营阵地"]
    assert idle.value == 1 and _count(client, idle.url) == 1
    assert _count(client, work["活动"].url) == work["活动"].value == 1
    assert _count(client, work["未读意见"].url) == work["未读意见"].value == 1
    assert _count(client, work["待核实的问题反映"].url) == 1
    queue = ROWS.search(client.get(work["待现场核实的阵地"].url).content.decode()).group(1)
    assert queue.count("<tr>") == work["待现场核实的阵地"].value
    satisfaction = work["满意率（%）"]
    assert satisfaction.value is None and "评分不足（1 条" in satisfaction.note
    assert _count(client, satisfaction.url) == 1  # the rated feedback behind it


def test_a_district_sees_its_subtree_and_the_federation_all(world, dalian_map, make_actor, make_user, login):
    city = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    whole = {s.label: s.value for s in overview.overview(actor=city, unit=dalian_map["city"]).ledger}
    zs = {s.label: s.value for s in overview.overview(actor=city, unit=dalian_map["zs"]).ledger}
    assert whole["服务人次"] == zs["服务人次"] + 5 * (3 + 4)  # 西岗区: 3 riders and 4 couriers a day
    client = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    assert client.get(f"/staff/ledger/dashboard/?unit={dalian_map['xg'].pk}").status_code == 404
    assert client.get(f"/staff/ledger/dashboard/?unit={dalian_map['city'].pk}").status_code == 404


def test_the_dashboard_exports_its_figures_and_rows(world, dalian_map, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    r = client.get("/staff/ledger/dashboard/", {"format": "xlsx"})
    assert r.status_code == 200
    book = load_workbook(BytesIO(r.content))
    figures = {(row[0], row[1]): row[2] for row in book["看板"].iter_rows(min_row=3, values_only=True)}
    assert figures[("台账合计", "服务人次")] == 80
    rows = list(book["台账明细"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5 and sum(row[3] for row in rows) == 80


def test_the_charts_come_from_this_site(world, dalian_map, make_user, login):
    page = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"])).get("/staff/ledger/dashboard/").content.decode()
    assert "/static/vendor/echarts/echarts.common.min.js" in page and 'id="overview-charts"' in page


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["enter", "correct", "late", "upload"]),
            st.integers(min_value=0, max_value=2),  # which position
            st.integers(min_value=0, max_value=6),  # days back (late: 30 more)
            st.integers(min_value=0, max_value=500),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_roll_ups_equal_the_sum_of_their_rows(roll_world, steps):
    actor, positions, unit = roll_world
    DailyLedgerRevision.objects.all().delete()
    DailyLedger.objects.all().delete()
    LedgerMonth.objects.all().delete()
    today = timezone.localdate()
    for action, which, back, value in steps:
        day = today - timedelta(days=back + (30 if action == "late" else 0))
        figures = {"visits_delivery": value, "service_policy": value // 3}
        if action == "upload":
            row = [positions[which].code, day.isoformat(), value, value // 3]
            result = imports.ledger_import(actor=actor, file=_upload(row))
            assert result.ok, result.errors
            continue
        stored = DailyLedger.objects.filter(position=positions[which], day=day).first()
        services.ledger_day_save(
            actor=actor,
            position=positions[which],
            day=day,
            figures=figures,
            expected_version=stored.version if stored else None,
        )
    rows = list(DailyLedger.objects.all())
    assert all(r.visits_total == r.visits_delivery for r in rows)
    periods = [(None, None), (today - timedelta(days=45), today), (today - timedelta(days=3), None)]
    periods += [(None, today - timedelta(days=20)), (today.replace(day=1), today)]
    for date_from, date_to in periods:
        kept = [r for r in rows if (date_from is None or r.day >= date_from) and (date_to is None or r.day <= date_to)]
        totals = selectors.ledger_totals(actor=actor, unit=unit, date_from=date_from, date_to=date_to)
        assert totals["visits_total"] == sum(r.visits_total for r in kept), (date_from, date_to)
        assert totals["service_policy"] == sum(r.service_policy for r in kept)
        assert totals["days"] == len(kept)
        zs = selectors.ledger_totals(actor=actor, unit=positions[0].unit, date_from=date_from, date_to=date_to)
        assert zs["visits_total"] == sum(r.visits_total for r in kept if r.position.unit_id == positions[0].unit_id)
    trend = overview.overview(actor=actor, unit=unit, date_from=today - timedelta(days=60), date_to=today).trend
    assert (
        sum(stat.value for stat in trend)
        == selectors.ledger_totals(actor=actor, unit=unit, date_from=today - timedelta(days=60), date_to=today)[
            "visits_total"
        ]
    )
    # The dashboard's own grid (whole months from the summary, partial ones from the days): its
    # totals, monthly trend and busiest positions equal the daily rows, whatever the period's ends.
    for date_from in (today - timedelta(days=90), today - timedelta(days=45), today.replace(day=1), today):
        o = overview.overview(actor=actor, unit=unit, date_from=date_from, date_to=today)
        kept = [r for r in rows if date_from <= r.day <= today]
        ledger = {s.label: s.value for s in o.ledger}
        assert (ledger["台账天数"], ledger["服务人次"]) == (len(kept), sum(r.visits_total for r in kept))
        assert ledger["政策咨询"] == sum(r.service_policy for r in kept)
        assert sum(s.value for s in o.trend) == ledger["服务人次"]
        per_position = {}
        for r in kept:
            per_position[r.position_id] = per_position.get(r.position_id, 0) + r.visits_total
        busiest = sorted(per_position.items(), key=lambda item: (-item[1], item[0]))[: overview.TOP]
        assert [s.value for s in o.top] == [visits for _pk, visits in busiest]
    for month in LedgerMonth.objects.all():
        raw = [r for r in rows if r.position_id == month.position_id and r.day.replace(day=1) == month.month]
        assert (month.days, month.visits_total) == (len(raw), sum(r.visits_total for r in raw))


def _upload(row) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["阵地编号", "日期", "外卖送餐员", "政策咨询"])
    sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def roll_world(dalian_map, make_actor, make_position):
    actor = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    positions = [
        make_position(state=PositionState.OPERATING),
        make_position(state=PositionState.OPERATING),
        make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1], state=PositionState.OPERATING),
    ]
    return actor, positions, dalian_map["city"]


@pytest.mark.parametrize("trend_by", ["day", "week", "month"])
def test_the_trend_by_day_week_or_month_adds_up_to_the_totals_and_its_rows(
    world, dalian_map, make_user, login, trend_by
):
    client = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    page = client.get("/staff/ledger/dashboard/", {"by": trend_by})
    assert page.status_code == 200
    title = {"day": "按日服务人次", "week": "按周服务人次", "month": "按月服务人次"}[trend_by]
    assert f'<h2 id="h-trend">{title}</h2>' in page.content.decode()
    today = timezone.localdate()
    start = today - timedelta(days=59)
    result = overview.overview(
        actor=page.wsgi_request.actor, unit=dalian_map["zs"], date_from=start, date_to=today, trend_by=trend_by
    )
    assert result.trend_title == title
    totals = selectors.ledger_totals(
        actor=page.wsgi_request.actor, unit=dalian_map["zs"], date_from=start, date_to=today
    )
    assert sum(stat.value for stat in result.trend) == totals["visits_total"]
    if trend_by == "day":
        assert len(result.trend) == 6  # the station's 5 days and the idle position's day 40 days ago
    for stat in result.trend:
        assert _count(client, stat.url, SUMS) == stat.value
    assert overview.overview(actor=page.wsgi_request.actor, unit=dalian_map["zs"], trend_by="hour").trend_by == "month"


def test_the_api_gives_the_dashboards_figures_in_scope(world, dalian_map, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    r = client.get("/api/v1/ledger/dashboard", {"trend_by": "day"})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["unit_name"] == dalian_map["zs"].name and data["trend_by"] == "day"
    result = overview.overview(actor=r.wsgi_request.actor, unit=dalian_map["zs"], trend_by="day")
    for name in ("by_state", "by_kind", "by_construction", "by_star", "ledger", "trend", "top", "work"):
        assert [(s["label"], s["value"], s["url"]) for s in data[name]] == [
            (s.label, s.value, s.url) for s in getattr(result, name)
        ]
    ledger = {s["label"]: s for s in data["ledger"]}
    assert _count(client, ledger["服务人次"]["url"], SUMS) == ledger["服务人次"]["value"] == 80
    for unit in ("xg", "city"):
        assert client.get("/api/v1/ledger/dashboard", {"unit": dalian_map[unit].pk}).status_code == 404
    assert client.get("/api/v1/ledger/dashboard", {"trend_by": "hour"}).status_code == 422
