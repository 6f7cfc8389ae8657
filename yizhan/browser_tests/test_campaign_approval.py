"""The end of the Dalian campaign in the browser (issue 17 "Done when", §6–§9): in the demo, the
2021 campaign's seven-day notice has ended and its objection is resolved; the federation admin
approves it on a phone, issues a plaque, and the honour shows on the station's public page; the
federation disburses one of its grants, the managing unit records a use and sees the balance
fall; the federation asks for the self-evaluation reports, the unit submits its own, and the
federation draws the random checks, which the campaign page lists. Every page fits 360 px."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.campaigns import demo as campaign_demo
from yizhan.campaigns.choices import CampaignState, NominationState
from yizhan.campaigns.models import Campaign, Honour
from yizhan.grants.choices import GrantState, ReportState
from yizhan.grants.models import Grant, SelfEvaluation
from yizhan.grants.money import fen_to_yuan
from yizhan.inspections.choices import InspectionKind
from yizhan.inspections.models import SpotCheckDraw

REPORT = (
    ("绩效目标", "改善站点服务设施"),
    ("目标完成情况", "站点完成改造提升"),
    ("资金使用情况", "已使用 1200 元"),
    ("产出与效益", "日均服务 60 人次"),
    ("自评得分", "92"),
    ("存在的问题", "夜间开放时间不足"),
    ("整改措施", "延长开放至 22:00"),
)


def _fits(page) -> None:
    width, wide = horizontal_overflow(page)
    assert width <= PHONE["width"], wide


@pytest.mark.browser
def test_the_federation_approves_the_ready_campaign_and_the_money_follows(demo, new_page, login):
    campaign = Campaign.objects.get(name=campaign_demo.READY_NAME)
    assert campaign.state == CampaignState.NOTICE and campaign.notice_ends_on < timezone.localdate()
    recommended = campaign.nominations.filter(state=NominationState.RECOMMENDED).count()

    fed = new_page(PHONE)
    login(fed, "fed_admin", path="/staff/campaigns/")
    fed.get_by_role("link", name=campaign_demo.READY_NAME).click()
    expect(fed.locator("#campaign-state")).to_have_text("公示中")
    expect(fed.locator("#objections")).to_contain_text("异议不成立")
    _fits(fed)
    fed.get_by_role("button", name="审批通过").click()
    expect(fed.locator("#campaign-state")).to_have_text("已审批通报")
    expect(fed.locator("#honours tbody tr")).to_have_count(recommended)
    _fits(fed)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.APPROVED and campaign.approved_on == timezone.localdate()
    source = f"campaign:{campaign.pk}"
    assert Grant.objects.filter(source=source).count() == recommended

    # The plaque of the first honour, then the honour on the station's public page.
    honour = (
        Honour.objects.filter(campaign=campaign).select_related("position").order_by("position__official_name").first()
    )
    row = fed.locator("#honours tbody tr", has=fed.get_by_text(honour.position.official_name, exact=True))
    row.get_by_label("牌匾编号").fill("DL-2021-001")
    row.get_by_role("button", name="登记挂牌").click()
    expect(fed.locator("#honours")).to_contain_text("DL-2021-001")
    visitor = new_page(PHONE)
    visitor.goto(f"/p/{honour.position.code}/")
    expect(visitor.locator(".pos-honour")).to_contain_text(campaign_demo.READY_HONOUR)
    _fits(visitor)

    # One grant of a unit with a demo admin: disbursed by the federation, a use recorded by the unit.
    grant, admin = None, None
    for username, code in (("zs_admin", "DL-ZS"), ("xg_admin", "DL-XG")):
        grant = Grant.objects.filter(source=source, unit__code__startswith=code).order_by("pk").first()
        if grant is not None:
            admin = username
            break
    assert grant is not None, "the ready campaign honours a station of 中山区 or 西岗区"
    fed.goto(f"/staff/grants/{grant.pk}/")
    fed.get_by_label("拨付日期").fill(timezone.localdate().isoformat())
    fed.get_by_label("拨付凭证号").fill("大工财〔2026〕12号")
    fed.get_by_role("button", name="登记拨付").click()
    expect(fed.get_by_role("status")).to_be_visible()
    grant.refresh_from_db()
    assert grant.state == GrantState.DISBURSED

    unit = new_page(PHONE)
    login(unit, admin, path=f"/staff/grants/{grant.pk}/")
    expect(unit.locator("#balance")).to_contain_text(fen_to_yuan(grant.amount_fen))
    form = unit.locator("form", has=unit.get_by_role("button", name="登记"))
    form.get_by_label("金额（元）").fill("1200.00")
    form.get_by_label("用途").select_option(label="软硬件升级")
    form.get_by_label("使用日期").fill(timezone.localdate().isoformat())
    form.get_by_label("使用说明").fill("购置冷暖空调一台")
    form.get_by_role("button", name="登记").click()
    expect(unit.get_by_role("status")).to_contain_text("已登记使用 1200.00 元")
    expect(unit.locator("#balance")).to_contain_text(fen_to_yuan(grant.amount_fen - 120_000))
    _fits(unit)

    # The self-evaluation reports asked for, the unit's submitted.
    fed.goto("/staff/grants/reports/")
    fed.get_by_label("资金来源").select_option(value=source)
    fed.get_by_label("报告名称").fill("2021 年度最美站点补助资金绩效自评报告")
    fed.get_by_label("报送截止日期").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    fed.get_by_role("button", name="布置").click()
    expect(fed.get_by_role("status")).to_be_visible()
    report = SelfEvaluation.objects.get(source=source, unit=grant.unit)
    unit.goto(f"/staff/grants/reports/{report.pk}/")
    for label, value in REPORT:
        unit.get_by_label(label).fill(value)
    unit.get_by_role("button", name="保存草稿").click()
    unit.get_by_role("button", name="提交报告").click()
    expect(unit.locator("#report-state")).to_contain_text("已提交")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED

    # The random check of the reporting unit's honoured stations, listed on the campaign's page.
    fed.goto(f"/staff/campaigns/{campaign.pk}/#spot-checks")
    expect(fed.locator("#spot-reported")).to_contain_text(grant.unit.name)
    form = fed.locator("#spot-form")
    form.get_by_label("抽取数量（个）").fill("1")
    form.get_by_label("随机种子（选填，留空自动生成并记录）").fill("20221028")
    form.get_by_role("button", name="抽取并建立抽查").click()
    expect(fed.locator(".messages")).to_contain_text("随机种子 20221028")
    draw = SpotCheckDraw.objects.get(source=source)
    inspection = draw.inspections.get()
    assert inspection.kind == InspectionKind.SPOT_CHECK and draw.seed == 20221028
    expect(fed.locator("#spot-checks")).to_contain_text(inspection.position.official_name)
    _fits(fed)
