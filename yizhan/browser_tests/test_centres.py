"""Service-centre acceptance from the browser (issue 19 Part A): in the Wuhan demo, the federation
admin opens next year's round; 江岸区's admin starts the self-check of its district centre, ticks
every item, writes the report and files the application; the federation admin records the working
group's findings (看、查、谈) and a questionnaire, finishes the review, grades it 优秀 with the
explanation, and the result is on the public page. Dalian's admin cannot open it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from yizhan.centres import demo as wuhan
from yizhan.centres.models import Application


def _tick_all(page, selector: str) -> None:
    boxes = page.locator(selector)
    for i in range(boxes.count()):
        boxes.nth(i).check()


def _fill_all(page, selector: str, value: str) -> None:
    fields = page.locator(selector)
    for i in range(fields.count()):
        fields.nth(i).fill(value)


@pytest.mark.browser
def test_district_files_federation_grades_public_sees(demo, new_page, login):
    today = timezone.localdate()
    year = max(today.year, wuhan.YEAR) + 1
    fed = new_page()
    login(fed, "wh_admin", path="/staff/centres/")
    fed.locator("#round-form").evaluate("form => form.closest('details').open = true")
    form = fed.locator("#round-form")
    form.get_by_label("年度").fill(str(year))
    form.get_by_label("申报截止日期").fill((today + dt.timedelta(days=60)).isoformat())
    form.get_by_role("button", name="建立批次").click()
    expect(fed.locator("#rounds")).to_contain_text(f"{year}年度职工服务中心考核验收")

    district = new_page()
    login(district, "whja_admin", path="/staff/centres/")
    opening = district.locator("#open-form")
    opening.get_by_label("职工服务中心").select_option(label="江岸区职工服务中心（区级，江岸区总工会）")
    opening.get_by_role("button", name="开始自查").click()
    expect(district.locator("#state")).to_contain_text("自查中")
    _tick_all(district, 'input[type=radio][value="1"][form="self-check-form"]')
    _fill_all(district, 'input[name^="s-number-"]', "460")
    district.get_by_label("自查报告").fill("江岸区职工服务中心按“六有”标准逐项自查，台账齐全。")
    district.get_by_role("button", name="保存自查").click()
    expect(district.locator(".messages")).to_contain_text("已保存")
    expect(district.locator("#self-rates")).to_contain_text("硬件建设达标率 100.0%")
    district.get_by_role("button", name="提交验收申报").click()
    expect(district.locator("#state")).to_contain_text("已申报")
    application = Application.objects.get(round__year=year, centre__code="WH-JA-C1")

    fed.goto(f"/staff/centres/{application.pk}/")
    _tick_all(fed, 'input[type=radio][value="1"][form="review-form"]')
    _tick_all(fed, 'input[type=checkbox][value="look"]')
    _fill_all(fed, 'input[name^="r-number-"]', "460")
    review = fed.locator("#review-form")
    review.get_by_label("问卷样本数").fill("120")
    review.get_by_label("问卷满意数").fill("108")
    review.get_by_role("button", name="保存并完成考核").click()
    expect(fed.locator("#state")).to_contain_text("已考核")
    fed.get_by_role("button", name="评定等次并公示").click()
    expect(fed.locator("#grade-result")).to_contain_text("优秀")
    expect(fed.locator("#explanation")).to_contain_text("职工满意率 90.00% ≥ 80%，达到")

    public = new_page()
    public.goto("/centre-results/")
    public.get_by_role("link", name=f"{year}年度职工服务中心考核验收").click()
    expect(public.locator("#results")).to_contain_text("江岸区职工服务中心")
    expect(public.locator("#results")).to_contain_text("优秀")

    dalian = new_page()
    login(dalian, "fed_admin", path=f"/staff/centres/{application.pk}/")
    expect(dalian.locator("body")).to_contain_text("不存在")
