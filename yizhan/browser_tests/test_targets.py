"""Targets from the browser (issue 19 Part B): in the demo, Dalian's federation admin sets 西岗区 a
target it cannot reach this year (300 stations operating by 31 December), sees it behind schedule
with the forecast explained, finds 西岗区 (and the demo's 金州区) flagged on the 工作台, and listed
among the behind-schedule units of the annual report; 西岗区's own admin may read but not change it."""

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.orgs.models import User
from yizhan.targets.models import Target


@pytest.mark.browser
def test_a_federation_admin_sets_a_target_and_sees_the_district_behind(demo, new_page, login):
    year = timezone.localdate().year
    # The first request of a process loads the URL conf and the templates (seconds on a loaded
    # machine): made here, in-process, rather than counted against the browser's navigation timeout.
    warm = Client()
    warm.force_login(User.objects.get(username="fed_admin"))
    warm.get("/staff/targets/new/")
    page = new_page(PHONE)
    login(page, "fed_admin", path="/staff/targets/new/")
    page.get_by_label("单位", exact=True).select_option(label="西岗区总工会")
    page.get_by_label("指标").select_option(label="运营中的户外劳动者服务站点数")
    page.get_by_label("目标值").fill("300")
    page.get_by_label("完成期限").fill(f"{year}-12-31")
    page.get_by_label("依据").fill("大工发〔2026〕8号")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#status")).to_have_text("进度滞后")
    expect(page.locator("#forecast")).to_contain_text("按线性推算")
    width, wide = horizontal_overflow(page)
    assert width <= PHONE["width"], wide
    target = Target.objects.get(unit__code="DL-XG", due_on__year=year, value=300)

    page.goto("/staff/")
    panel = page.locator("#panel-targets")
    expect(panel).to_contain_text("进度滞后的目标")
    expect(panel.locator(".panel-notice")).to_contain_text("西岗区总工会")
    expect(panel.locator(".panel-notice")).to_contain_text("金州区总工会")
    panel.get_by_role("link", name="进度滞后的目标").click()
    expect(page.locator("#targets")).to_contain_text("西岗区总工会")

    page.goto(f"/staff/reports/?year={year}")
    section = page.locator("#section-targets")
    expect(section).to_contain_text("进度滞后的单位")
    expect(section.locator("table").last).to_contain_text("西岗区总工会")

    district = new_page()
    login(district, "xg_admin", path=f"/staff/targets/{target.pk}/")
    expect(district.locator("#status")).to_have_text("进度滞后")
    expect(district.locator("body")).not_to_contain_text("修改目标任务")
