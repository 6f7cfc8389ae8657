"""The 工作台 (issue 21 §6, the staff side of §5): each app's panel counts within the actor's scope,
every figure equals the rows its link opens, today's work is gathered at the top, and a station
manager whose unit has no position yet is told whom to ask instead of an empty list."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from yizhan.core.dashboard import (
    PANEL_TWICE,
    DashboardPanel,
    Figure,
    Panel,
    dashboard_for,
    register_dashboard_panel,
    unregister_dashboard_panel,
)
from yizhan.core.jobs.choices import JobState
from yizhan.core.jobs.models import Job
from yizhan.core.roles import Role
from yizhan.core.scoping import Actor
from yizhan.ledger.choices import FeedbackStatus
from yizhan.ledger.tests.factories import FeedbackFactory
from yizhan.orgs.choices import UnitType
from yizhan.orgs.models import User
from yizhan.orgs.selectors import admins_to_ask
from yizhan.orgs.tests.factories import MembershipFactory
from yizhan.positions.choices import ConstructionType, PositionState
from yizhan.positions.dashboard import NEEDS_VERIFICATION, SUSPENSION_OVERDUE
from yizhan.positions.models import Position
from yizhan.positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db

TBODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)
ROW = re.compile(r"<tr[\s>]")
COUNT_LINE = re.compile(r'<p class="count">共 (\d+) ')


def rows_behind(client, url: str) -> int:
    """The rows of the list `url` opens (one page holds them all here), checked against the
    list's own count line."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    body = TBODY.search(html).group(1)
    rows = 0 if 'colspan="' in body else len(ROW.findall(body))
    assert int(COUNT_LINE.search(html).group(1)) == rows, url
    return rows


def actor_of(membership) -> Actor:
    return Actor(user=membership.user, membership=membership)


# The panels whose lists these tests read (each app tests its own panel's links the same way).
LISTED_HERE = {"positions", "feedback", "jobs", "units"}


def figures(actor: Actor) -> dict[tuple[str, str], Figure]:
    """(panel name, figure label) → figure of the actor's 工作台, in the panels tested here."""
    return {
        (p.name, str(f.label)): f for p in dashboard_for(actor=actor).panels if p.name in LISTED_HERE for f in p.figures
    }


@pytest.fixture
def world(dalian):
    """Two districts' positions, feedback and jobs. 中山区 (with its street union): operating 3,
    suspended 2 (one past its reopening date), planned 1 with the construction type 待核实;
    feedback unread 1, read 1, resolved 1; a running job. 西岗区: operating 2, suspended 2 (both
    overdue), unread feedback 2, a queued job."""
    today = timezone.localdate()
    zs, xg, street = dalian["zs"], dalian["xg"], dalian["street"]
    made = {}

    def position(unit, state=PositionState.OPERATING, **fields):
        # Open round the clock: hours known, so that only the one meant to be is 待核实.
        return PositionFactory(unit=unit, state=state, always_open=True, **fields)

    operating = [position(zs), position(zs), position(street)]
    position(zs, PositionState.SUSPENDED, state_reason="检修", expected_reopen_on=today - timedelta(days=3))
    position(zs, PositionState.SUSPENDED, state_reason="检修", expected_reopen_on=today + timedelta(days=3))
    position(zs, PositionState.PLANNED, construction_type=ConstructionType.UNKNOWN)
    xg_operating = [position(xg), position(xg)]
    for days in (1, 40):
        position(xg, PositionState.SUSPENDED, state_reason="装修", expected_reopen_on=today - timedelta(days=days))
    for status in (FeedbackStatus.NEW, FeedbackStatus.READ, FeedbackStatus.RESOLVED):
        FeedbackFactory(position=operating[0], status=status)
    for _ in range(2):
        FeedbackFactory(position=xg_operating[0], status=FeedbackStatus.NEW)

    made["zs_admin"] = MembershipFactory(unit=zs, role=Role.UNIT_ADMIN, user__full_name="张中山")
    made["xg_admin"] = MembershipFactory(unit=xg, role=Role.UNIT_ADMIN, user__full_name="李西岗")
    made["federation"] = MembershipFactory(unit=dalian["city"], role=Role.FEDERATION_ADMIN)
    made["manager"] = MembershipFactory(unit=street, role=Role.STATION_MANAGER)
    made["auditor"] = MembershipFactory(unit=dalian["city"], role=Role.AUDITOR)
    for key, state in (("zs_admin", JobState.RUNNING), ("xg_admin", JobState.QUEUED)):
        membership = made[key]
        Job.objects.create(
            kind="positions.import",
            owner=membership.user,
            owner_name=membership.user.username,
            membership_id=membership.pk,
            unit_path=membership.unit.path,
            unit_name=membership.unit.name,
            state=state,
        )
    return made


@pytest.mark.parametrize("who", ["zs_admin", "xg_admin", "federation", "manager", "auditor"])
def test_every_figure_equals_the_rows_its_link_opens(world, who, login):
    membership = world[who]
    client = login(membership.user)
    shown = figures(actor_of(membership))
    assert shown
    for (panel, label), figure in shown.items():
        assert rows_behind(client, figure.url) == figure.count, (panel, label, figure.url)


def test_a_district_admin_counts_its_own_district_and_never_another(world):
    zs = figures(actor_of(world["zs_admin"]))
    assert {label: f.count for (panel, label), f in zs.items() if panel == "positions"} == {
        str(SUSPENSION_OVERDUE): 1,
        str(NEEDS_VERIFICATION): 1,
        "规划中": 1,
        "建设中": 0,
        "运营中": 3,  # its street union's one included
        "暂停服务": 2,
        "已摘牌": 0,
        "全部阵地": 6,
    }
    assert zs["feedback", "未读意见"].count == 1
    assert zs["feedback", "已读未处理的意见"].count == 1
    assert zs["jobs", "运行中的任务"].count == 1
    assert zs["jobs", "排队中的任务"].count == 0

    xg = figures(actor_of(world["xg_admin"]))
    assert xg["positions", str(SUSPENSION_OVERDUE)].count == 2
    assert xg["positions", "运营中"].count == 2
    assert xg["feedback", "未读意见"].count == 2
    assert xg["jobs", "排队中的任务"].count == 1

    city = figures(actor_of(world["federation"]))
    assert city["positions", "全部阵地"].count == 10
    assert city["positions", str(SUSPENSION_OVERDUE)].count == 3
    assert city["feedback", "未读意见"].count == 3
    assert city["jobs", "运行中的任务"].count + city["jobs", "排队中的任务"].count == 2


def test_todays_work_is_the_due_figures_in_panel_order(world):
    board = dashboard_for(actor=actor_of(world["zs_admin"]))
    mine = {str(f.label) for p in board.panels if p.name in LISTED_HERE for f in p.figures}
    assert [(str(f.label), f.count) for f in board.todo if str(f.label) in mine] == [
        (str(SUSPENSION_OVERDUE), 1),
        (str(NEEDS_VERIFICATION), 1),
        ("未读意见", 1),
        ("已读未处理的意见", 1),
    ]
    auditor = dashboard_for(actor=actor_of(world["auditor"]))
    assert not any(f.todo for p in auditor.panels if p.name in LISTED_HERE for f in p.figures)
    assert "feedback" not in [p.name for p in auditor.panels]  # auditors do not read feedback


def test_the_page_shows_todays_work_with_links(world, login):
    html = login(world["zs_admin"].user).get("/staff/").content.decode()
    assert "<h1>工作台</h1>" in html
    todo = html[html.index('id="h-todo"') : html.index('class="dashboard"')]
    assert (
        '<a href="/staff/positions/?suspension_overdue=on&amp;sort=reopen"><span class="figure-count">1</span>' in todo
    )
    unread = '<a href="/staff/feedback/?status=new"><span class="figure-count">1</span> <span class="figure-label">未读'
    assert unread in todo
    assert "管辖范围内共 2 个工会单位" in html  # 中山区 and its street union

    auditor = login(world["auditor"].user).get("/staff/").content.decode()
    assert 'id="h-todo"' not in auditor and "<h1>工作台</h1>" in auditor


def test_nothing_to_do_is_said(dalian, login):
    membership = MembershipFactory(unit=dalian["xg"], role=Role.UNIT_ADMIN)
    PositionFactory(unit=dalian["xg"], state=PositionState.OPERATING, always_open=True)
    html = login(membership.user).get("/staff/").content.decode()
    assert "今天没有待办事项。" in html


def test_a_station_manager_without_a_position_is_told_whom_to_ask(world, dalian, make_unit, login):
    unit = make_unit(UnitType.STREET, dalian["zs"], name="桃源街道工会", code="DL-ZS-TY")
    membership = MembershipFactory(unit=unit, role=Role.STATION_MANAGER)
    actor = actor_of(membership)

    ask = admins_to_ask(actor=actor)
    assert (ask.unit, ask.names) == (dalian["zs"], ["张中山"])
    panel = next(p for p in dashboard_for(actor=actor).panels if p.name == "positions")
    expected = "“桃源街道工会”还没有服务阵地。阵地由单位管理员登记，请联系“中山区总工会”的单位管理员：张中山。"
    assert (panel.notice, panel.figures, panel.links) == (expected, (), ())

    client = login(membership.user)
    assert expected in client.get("/staff/").content.decode()
    listing = client.get("/staff/positions/").content.decode()
    assert expected in listing and "没有符合条件的阵地" not in listing
    # A filter that finds nothing in a scope that has positions still says so.
    district = login(world["zs_admin"].user).get("/staff/positions/", {"q": "没有这个"}).content.decode()
    assert "没有符合条件的阵地" in district and "还没有" not in district


def test_whom_to_ask_is_the_own_units_admin_first_then_up_the_tree(dalian):
    street = dalian["street"]
    manager = actor_of(MembershipFactory(unit=street, role=Role.STATION_MANAGER))
    assert admins_to_ask(actor=manager) is None  # nobody anywhere yet
    MembershipFactory(unit=dalian["city"], role=Role.FEDERATION_ADMIN, user__full_name="王市总")
    assert admins_to_ask(actor=manager).names == ["王市总"]
    MembershipFactory(unit=dalian["zs"], role=Role.UNIT_ADMIN, user__full_name="张中山")
    MembershipFactory(unit=dalian["xg"], role=Role.UNIT_ADMIN, user__full_name="李西岗")  # a sibling: never
    assert admins_to_ask(actor=manager).names == ["张中山"]
    own = MembershipFactory(unit=street, role=Role.UNIT_ADMIN, user__full_name="赵街道")
    assert (admins_to_ask(actor=manager).unit, admins_to_ask(actor=manager).names) == (street, ["赵街道"])
    User.objects.filter(pk=own.user.pk).update(is_active=False)
    assert admins_to_ask(actor=manager).names == ["张中山"]


def test_an_admin_without_positions_is_offered_to_register_or_import(dalian, login):
    membership = MembershipFactory(unit=dalian["xg"], role=Role.UNIT_ADMIN)
    panel = next(p for p in dashboard_for(actor=actor_of(membership)).panels if p.name == "positions")
    assert panel.notice == "还没有登记服务阵地：可以逐个登记，也可以导入 Excel 表格。"
    assert [(str(link.label), link.url) for link in panel.links] == [
        ("登记阵地", "/staff/positions/new/"),
        ("导入 Excel", "/staff/positions/import/"),
    ]


def test_the_overdue_queue_lists_the_longest_overdue_first(world, login):
    html = login(world["federation"].user).get("/staff/positions/?suspension_overdue=on&sort=reopen").content.decode()
    body = TBODY.search(html).group(1)
    days = re.findall(r"预计 (\d{4}年\d{1,2}月\d{1,2}日) 恢复", body)
    today = timezone.localdate()
    expected = [today - timedelta(days=n) for n in (40, 3, 1)]
    assert days == [f"{d.year}年{d.month}月{d.day}日" for d in expected]
    assert body.count("已过恢复日期") == 3


def test_a_panel_is_registered_once(world):
    def build(actor):
        return Panel(title="测试", figures=(Figure("一", 1, "/staff/", todo=True),))

    panel = DashboardPanel(name="test.panel", order=1, build=build)
    try:
        register_dashboard_panel(panel)
        register_dashboard_panel(panel)  # the same again (AppConfig.ready() may run twice)
        with pytest.raises(ValueError, match=PANEL_TWICE.format(name="test.panel")):
            register_dashboard_panel(DashboardPanel(name="test.panel", order=2, build=build))
        board = dashboard_for(actor=actor_of(world["zs_admin"]))
        assert board.panels[0].name == "test.panel" and board.todo[0].label == "一"
    finally:
        unregister_dashboard_panel("test.panel")


def test_an_overdue_suspension_asks_for_confirmation_on_its_page(world, login):
    client = login(world["zs_admin"].user)
    today = timezone.localdate()
    overdue = Position.objects.get(unit__code="DL-ZS", expected_reopen_on__lt=today)
    later = Position.objects.get(unit__code="DL-ZS", expected_reopen_on__gt=today)
    assert "已过恢复日期" in client.get(f"/staff/positions/{overdue.pk}/").content.decode()
    assert "已过恢复日期" not in client.get(f"/staff/positions/{later.pk}/").content.decode()
