"""A district clerk's 工作台 in the browser (issue 21 §6, the staff side of §5): today's work at the
top, each figure a link to exactly the rows that add up to it — the suspensions past their
reopening date, the unread feedback, the positions by state — on a desktop and on a phone, where
the list's filters fold away."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from yizhan.browser_tests.support import horizontal_overflow
from yizhan.ledger import services as feedback_services
from yizhan.ledger.choices import FeedbackSource
from yizhan.ledger.models import Feedback
from yizhan.orgs.models import Membership
from yizhan.orgs.selectors import actor_for_user
from yizhan.positions import selectors, services
from yizhan.positions.models import Position
from yizhan.positions.selectors import PositionFilters

PHONE_390 = {"width": 390, "height": 844}


def _figure(page, label: str):
    """The 今日待办 entry whose words are `label`: its link and the count it shows."""
    link = page.get_by_role("region", name="今日待办").get_by_role("link", name=re.compile(rf"^\d+ {label}$"))
    return link, int(link.locator(".figure-count").inner_text())


def _rows(page) -> int:
    return page.locator("table.positions tbody tr").count()


@pytest.fixture
def clerk(demo):
    """中山区's unit admin, with two of its stations suspended for repairs that were to end 40 and
    3 days ago (nobody has said whether they reopened)."""
    membership = Membership.objects.get(user__username="zs_admin", role="unit_admin")
    actor = actor_for_user(membership.user, membership)
    today = timezone.localdate()
    stations = Position.objects.filter(unit=membership.unit, state="operating").order_by("code")[:2]
    for days, station in zip((40, 3), stations, strict=True):
        services.position_transition(
            actor=actor,
            position=station,
            to_state="suspended",
            reason="检修",
            expected_reopen_on=today - timedelta(days),
        )
    return actor


@pytest.mark.browser
def test_a_district_clerk_follows_todays_work_to_the_rows(clerk, page, login):
    actor = clerk
    overdue = selectors.position_list(actor=actor, filters=PositionFilters(suspension_overdue=True)).count()
    assert 2 <= overdue <= 50, "one page of past-due suspensions in 中山区"
    station = Position.objects.public().filter(unit=actor.unit, state="operating").order_by("code").first()
    for number, text in enumerate(("饮水机坏了", "晚上十点后锁门了")):
        feedback_services.feedback_submit(
            position_id=station.pk, rating=2, text=text, source=FeedbackSource.QR, client=f"203.0.113.{number + 9}"
        )

    login(page, "zs_admin")
    expect(page.get_by_role("heading", name="工作台", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="中山区总工会", level=2)).to_be_visible()

    link, shown = _figure(page, "暂停服务已过恢复日期")
    assert shown == overdue
    link.click()
    expect(page.get_by_role("heading", name="服务阵地", level=1)).to_be_visible()
    expect(page.locator("p.count")).to_have_text(f"共 {overdue} 个阵地")
    assert _rows(page) == overdue
    expect(page.locator("table.positions tbody .badge.overdue")).to_have_count(overdue)
    expect(page.get_by_label("只看逾期未恢复")).to_be_checked()

    page.go_back()
    unread = Feedback.objects.restrict(actor).filter(status="new").count()
    link, shown = _figure(page, "未读意见")
    assert shown == unread >= 2
    link.click()
    expect(page.get_by_role("heading", name="意见反馈", level=1)).to_be_visible()
    expect(page.locator("p.count")).to_have_text(f"共 {unread} 条意见")
    expect(page.locator("table.feedback tbody tr")).to_have_count(min(unread, 50))
    for text in ("饮水机坏了", "晚上十点后锁门了"):
        expect(page.get_by_role("row").filter(has_text=text)).to_contain_text("未读")

    page.go_back()
    panel = page.get_by_role("region", name="服务阵地")
    operating = panel.get_by_role("link", name=re.compile(r"^运营中 \d+$"))
    count = int(operating.locator(".figure-count").inner_text())
    assert count == Position.objects.restrict(actor).filter(state="operating").count()
    operating.click()
    expect(page.locator("p.count")).to_have_text(f"共 {count} 个阵地")
    expect(page.get_by_label("状态", exact=True)).to_have_value("operating")
    assert _rows(page) == min(count, 50)


@pytest.mark.browser
def test_the_dashboard_and_the_folded_filters_on_a_phone(clerk, new_page, login):
    page = new_page(PHONE_390)
    login(page, "zs_admin")
    expect(page.get_by_role("region", name="今日待办")).to_be_visible()
    width, sticking_out = horizontal_overflow(page)
    assert width <= PHONE_390["width"], sticking_out

    _figure(page, "暂停服务已过恢复日期")[0].click()
    expect(page.locator("p.count")).to_be_visible()
    more = page.locator("details.filter-more")
    expect(more).not_to_have_attribute("open", "")  # folded on a phone, saying what is set
    expect(more.locator("summary")).to_have_text("更多条件 已选 1 项")
    expect(page.get_by_label("只看逾期未恢复")).to_be_hidden()
    more.locator("summary").click()
    expect(page.get_by_label("只看逾期未恢复")).to_be_checked()
    expect(page.get_by_role("group", name="具备设施").get_by_label("微波炉")).to_be_visible()
    width, sticking_out = horizontal_overflow(page)
    assert width <= PHONE_390["width"], sticking_out
