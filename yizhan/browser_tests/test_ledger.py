"""The daily ledger and problem reports in the browser (issue 15 "Done when"): in the demo, the
station manager enters today's ledger on a 360 × 640 screen, and the district's and the
federation's dashboards include it; a worker reports a station locked from its public page, sees
the notice on it, and a district admin settles it on site from the re-verify queue."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.core.roles import Role
from yizhan.ledger import overview
from yizhan.ledger.models import DailyLedger
from yizhan.orgs.models import Membership, Unit
from yizhan.orgs.selectors import actor_for_user
from yizhan.positions.models import Position


def _visits(username: str, role: str, unit_code: str) -> int:
    membership = Membership.objects.select_related("user", "unit").get(user__username=username, role=role)
    actor = actor_for_user(membership.user, membership)
    result = overview.overview(actor=actor, unit=Unit.objects.get(code=unit_code))
    return next(stat.value for stat in result.ledger if stat.label == "服务人次")


# Both on PostgreSQL too (make test): a day entered through the page on each engine, and the demo
# fixture's second use copies its rows back with PostgreSQL's COPY.
@pytest.mark.browser
@pytest.mark.both_engines
def test_a_station_manager_enters_todays_ledger_on_a_phone(demo, new_page, login):
    # The demo's station manager runs the street union's positions; hand it one of 中山区's stations.
    unit = Membership.objects.get(user__username="station_mgr").unit
    position = Position.objects.filter(unit__code="DL-ZS", state="operating").order_by("code").first()
    Position.objects.filter(pk=position.pk).update(unit=unit)
    DailyLedger.objects.filter(position=position, day=timezone.localdate()).delete()
    district_before = _visits("zs_admin", Role.UNIT_ADMIN, "DL-ZS")
    city_before = _visits("fed_admin", Role.FEDERATION_ADMIN, "DL")

    page = new_page(PHONE)
    login(page, "station_mgr", path="/staff/ledger/")
    page.get_by_role("link", name="录入今日台账").first.click()
    expect(page).to_have_url(re.compile(rf"/staff/ledger/{position.pk}/\d{{4}}-\d{{2}}-\d{{2}}/$"))
    expect(page.get_by_label("快递员", exact=True)).to_have_attribute("inputmode", "numeric")
    for label, value in (("快递员", "6"), ("外卖送餐员", "9"), ("渴了能喝水", "12")):
        field = page.get_by_label(label, exact=True)
        if not field.is_visible():  # a group the station did not register: behind 其他 n 项
            field.locator("xpath=ancestor::details[1]/summary").click()
        field.fill(value)
    save = page.get_by_role("button", name="保存")
    save.scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()
    width, wide = horizontal_overflow(page)
    assert width <= PHONE["width"], wide
    save.click()
    expect(page.get_by_role("status")).to_contain_text("已录入")
    expect(page.get_by_text("已录入 · 15 人次")).to_be_visible()

    stored = DailyLedger.objects.get(position=position, day=timezone.localdate())
    assert (stored.visits_courier, stored.visits_delivery, stored.ability_drink) == (6, 9, 12)
    assert _visits("zs_admin", Role.UNIT_ADMIN, "DL-ZS") == district_before + 15
    assert _visits("fed_admin", Role.FEDERATION_ADMIN, "DL") == city_before + 15
    admin = new_page()
    login(admin, "zs_admin", path="/staff/ledger/dashboard/")
    expect(admin.get_by_role("heading", level=1)).to_contain_text("中山区总工会看板")
    expect(admin.get_by_role("row", name=re.compile("^服务人次"))).to_contain_text(str(district_before + 15))


@pytest.mark.browser
@pytest.mark.both_engines
def test_a_worker_reports_a_station_locked_and_the_district_settles_it(demo, new_page, login):
    position = (
        Position.objects.filter(unit__code="DL-ZS", state="operating")
        .exclude(problem_reports__status="open")
        .order_by("code")
        .last()
    )
    rider = new_page(PHONE)
    rider.goto(f"/p/{position.code}/")
    expect(rider.get_by_text("有职工反映")).to_have_count(0)
    rider.get_by_role("button", name="门锁着进不去").click()
    expect(rider.get_by_role("heading", name="感谢您的反映")).to_be_visible()
    rider.get_by_role("link", name="返回驿站页面").click()
    today = timezone.localdate()
    expect(rider.get_by_role("status").filter(has_text="有职工反映")).to_contain_text(
        f"门锁着进不去，{today.month}月{today.day}日"
    )

    clerk = new_page()
    login(clerk, "zs_admin", path="/staff/ledger/reverify/")
    row = clerk.get_by_role("row").filter(has_text=position.display_name)
    row.get_by_role("link", name=re.compile("门锁着进不去")).click()
    clerk.get_by_label("处理说明").fill("到现场看过，门已打开")
    clerk.get_by_role("button", name="已解决").click()
    expect(clerk.get_by_role("status")).to_contain_text("已变为“已解决”")
    assert Position.objects.get(pk=position.pk).verified_on == today

    rider.reload()
    expect(rider.get_by_text("有职工反映")).to_have_count(0)
