"""A position's hours exceptions in the browser: a unit admin closes an operating station for today and
its page says closed at once; deleting the closure opens it again. The page also fits a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.core.scoping import Actor
from yizhan.orgs.models import User
from yizhan.positions import hours_exceptions
from yizhan.positions.choices import PositionState
from yizhan.positions.models import HoursException, Position


def _open_station_of(username: str) -> tuple[Position, Actor]:
    """An operating station open round the clock in the user's unit or below (open now, always)."""
    user = User.objects.get(username=username)
    membership = user.memberships.get()
    station = (
        Position.objects.filter(
            state=PositionState.OPERATING, always_open=True, unit__path__startswith=membership.unit.path
        )
        .order_by("code")
        .first()
    )
    assert station is not None, "the demo should have an always-open operating station in 中山区"
    return station, Actor(user=user, membership=membership)


@pytest.mark.browser
def test_a_closure_for_today_shows_the_station_closed_now(demo, page, new_page, login, tmp_path):
    station, actor = _open_station_of("zs_admin")
    today = timezone.localdate()
    hours_exceptions.hours_exception_create(
        actor=actor,
        position=station,
        start=today - timedelta(days=40),
        end=today - timedelta(days=38),
        reason="去年检修",
    )
    hours_exceptions.hours_exception_create(
        actor=actor,
        position=station,
        start=today + timedelta(days=7),
        end=today + timedelta(days=7),
        closed=False,
        intervals=[["08:00", "12:00"], ["14:00", "18:00"]],
        reason="消毒作业，缩短开放",
    )

    login(page, "zs_admin", f"/staff/positions/{station.pk}/")
    expect(page.get_by_role("heading", name=station.official_name, level=1)).to_be_visible()
    status = page.locator(".status-line")
    expect(status.locator(".opening")).to_have_text("营业中")
    past = page.locator("details.past-exceptions")
    expect(past.locator("summary")).to_have_text("已过去的例外（1 条）")
    expect(past.get_by_text("去年检修")).to_be_hidden()  # folded away until opened

    page.get_by_role("link", name="添加例外").click()
    expect(page.get_by_role("heading", name="添加开放时间例外", level=1)).to_be_visible()
    expect(page.get_by_label("开始日期")).to_have_value(today.isoformat())
    expect(page.get_by_label("结束日期")).to_have_value(today.isoformat())
    expect(page.get_by_label("全天关闭")).to_be_checked()
    page.get_by_label("原因").fill("临时停水")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", name=station.official_name, level=1)).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("已添加开放时间例外：临时停水")
    expect(status.locator(".opening")).to_have_text("已关闭")
    expect(status).to_contain_text("今日按例外安排：临时停水")
    rows = page.locator("table.exceptions").first.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("进行中")
    expect(rows.nth(0)).to_contain_text("全天关闭")
    expect(rows.nth(1)).to_contain_text("08:00–12:00、14:00–18:00")
    assert HoursException.objects.filter(position=station, start=today, end=today, closed=True).exists()

    past.locator("summary").click()
    expect(past.get_by_text("去年检修")).to_be_visible()
    page.locator("#h-exceptions").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "hours-exceptions-detail.png"), full_page=True)

    phone = new_page(PHONE)
    login(phone, "zs_admin", f"/staff/positions/{station.pk}/")
    scroll_width, sticking_out = horizontal_overflow(phone)
    assert scroll_width <= PHONE["width"], f"the page is {scroll_width}px wide on a phone: {sticking_out}"
    phone.screenshot(path=str(tmp_path / "hours-exceptions-phone.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    rows.nth(0).get_by_role("button", name="删除").click()
    expect(page.locator(".messages")).to_contain_text("开放时间例外已删除：临时停水")
    expect(status.locator(".opening")).to_have_text("营业中")
