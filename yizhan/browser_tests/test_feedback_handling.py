"""Handling public feedback in the browser (spec §6, issue 12 §2): the station manager marks a new
feedback read from the list, is told a note is needed to resolve it, resolves it with the reply,
and finds the moves in the feedback's handling record."""

import re

import pytest
from playwright.sync_api import expect

from yizhan.ledger import services
from yizhan.ledger.choices import FeedbackSource
from yizhan.ledger.models import Feedback, FeedbackStatusChange
from yizhan.orgs.models import Membership
from yizhan.positions.models import Position

TEXT = "饮水机没有热水了"
REPLY = "已更换加热器，并电话告知"


@pytest.mark.browser
def test_a_station_manager_handles_a_feedback(demo, page, login):
    # The demo's station manager runs the street union's positions; hand it one of 中山区's stations.
    unit = Membership.objects.get(user__username="station_mgr").unit
    position = Position.objects.public().filter(unit__code="DL-ZS").order_by("code").first()
    Position.objects.filter(pk=position.pk).update(unit=unit)
    feedback = services.feedback_submit(
        position_id=position.pk, rating=2, text=TEXT, source=FeedbackSource.QR, client="203.0.113.9"
    )

    login(page, "station_mgr", path="/staff/feedback/?status=new")
    row = page.get_by_role("row").filter(has_text=TEXT)
    expect(row).to_contain_text("未读")
    row.get_by_role("button", name="标记已读").click()

    expect(page.get_by_role("status")).to_contain_text(f"意见 #{feedback.pk} 已变为“已读”")
    expect(page).to_have_url(re.compile(r"/staff/feedback/\?status=new$"))
    expect(page.get_by_role("row").filter(has_text=TEXT)).to_have_count(0)  # no longer new

    page.goto(f"/staff/feedback/{feedback.pk}/")
    expect(page.locator("#feedback-status")).to_have_text("已读")
    page.get_by_role("button", name="标记已处理").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_text("变为“已处理”须说明原因")).to_be_visible()
    expect(page.locator("#feedback-status")).to_have_text("已读")

    page.get_by_label("处理说明").fill(REPLY)
    page.get_by_role("button", name="标记已处理").click()
    expect(page.get_by_role("status")).to_contain_text("已变为“已处理”")
    expect(page.locator("#feedback-status")).to_have_text("已处理")
    expect(page.get_by_role("button", name="重新打开")).to_be_visible()
    history = page.get_by_role("region", name="处理记录").get_by_role("row")
    expect(history.nth(1)).to_contain_text("未读 → 已读")
    expect(history.nth(2)).to_contain_text("已读 → 已处理")
    expect(history.nth(2)).to_contain_text(REPLY)
    expect(history.nth(2)).to_contain_text("station_mgr")

    assert Feedback.objects.get(pk=feedback.pk).status == "resolved"
    assert list(FeedbackStatusChange.objects.filter(feedback=feedback).values_list("to_state", flat=True)) == [
        "read",
        "resolved",
    ]
