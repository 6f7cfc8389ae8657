"""The ledger's 工作台 panel (issue 21 §6, issue 15 §4): open problem reports, those past their
deadline and the re-verify queue, each figure equal to the rows its link lists."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from yizhan.core.dashboard import dashboard_for
from yizhan.core.roles import Role
from yizhan.ledger.tests.factories import DailyLedgerFactory, ProblemReportFactory
from yizhan.positions.choices import PositionState
from yizhan.positions.models import Position
from yizhan.positions.tests.factories import XIGANG

pytestmark = pytest.mark.django_db
ROWS = re.compile(r"<tbody>(.*?)</tbody>", re.S)


def _figures(actor):
    panel = next(p for p in dashboard_for(actor=actor).panels if p.name == "problem_reports")
    return {str(f.label): f for f in panel.figures}


def test_each_figure_equals_the_rows_behind_its_link(dalian_map, make_actor, make_position, login, station):
    today = timezone.localdate()
    ProblemReportFactory(position=station)
    ProblemReportFactory(position=station, due_on=today - timedelta(days=2))
    xg = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1], state=PositionState.OPERATING)
    ProblemReportFactory(position=xg, due_on=today - timedelta(days=1))
    Position.objects.filter(pk=station.pk).update(verified_on=today)
    Position.objects.filter(pk=xg.pk).update(verified_on=today)
    zs = make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    figures = _figures(zs)
    assert [(label, f.count, f.todo) for label, f in figures.items()] == [
        ("待核实的问题反映", 2, True),
        ("超过核实期限的问题反映", 1, True),
        ("待现场核实的阵地", 1, False),
    ]
    client = login(zs.user)
    for figure in figures.values():
        body = ROWS.search(client.get(figure.url).content.decode()).group(1)
        assert body.count("<tr>") == figure.count, figure
    city = _figures(make_actor(Role.FEDERATION_ADMIN, dalian_map["city"]))
    assert city["待核实的问题反映"].count == 3 and city["超过核实期限的问题反映"].count == 2


def test_roles_that_do_not_read_reports_get_no_panel(dalian_map, make_actor):
    auditor = make_actor(Role.AUDITOR, dalian_map["city"])
    assert "problem_reports" not in [p.name for p in dashboard_for(actor=auditor).panels]


def test_todays_missing_ledgers_are_the_station_managers_work(dalian_map, make_actor, make_position, login, station):
    other = make_position(state=PositionState.OPERATING)
    DailyLedgerFactory(position=station, day=timezone.localdate())
    manager = make_actor(Role.STATION_MANAGER, dalian_map["zs"])
    panel = next(p for p in dashboard_for(actor=manager).panels if p.name == "ledger")
    (figure,) = panel.figures
    assert (figure.count, figure.todo) == (1, True)
    page = login(manager.user).get(figure.url).content.decode()
    today_list = page[: page.index('id="h-days"')]
    assert "1 个阵地今日尚未录入台账" in today_list
    assert other.display_name in today_list and station.display_name not in today_list
    admin = make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    assert not next(p for p in dashboard_for(actor=admin).panels if p.name == "ledger").figures[0].todo
