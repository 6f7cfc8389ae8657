"""The yearly excellent-project selection on the campaign engine, from the browser (issue 19 C4,
decision 39), every page on a 360 × 640 screen: in the Qingdao demo — whose 2026 selection named one
市北区 project and turned the other down — 青岛市总工会's admin opens a 2025 selection of
social-organisation projects from the campaigns page, computes the quotas on the eligible projects
and publishes them; 市北区总工会's admin is offered only the project without a city subsidy,
nominates it (the project's facts on the form), uploads the sealed form, submits it and the sealed
summary; the federation assigns the review group's member, who scores the project from their own
account; the federation records the meeting, passes the project and opens the seven-day notice,
which the public page lists; once it has ended the federation approves: the project holds the
honour and its 10,000-yuan city subsidy, and the public page says the list is approved.

Only two steps are not taken on a page: the member's registration with their reviewer account (no
page links an account; `services.review_member_register`, as the API) and the passing of the
notice's seven days (its dates moved back, as the demo does)."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.campaigns import project_demo, services
from yizhan.campaigns.choices import CampaignState, NominationState
from yizhan.campaigns.models import Campaign, Honour, Nomination
from yizhan.campaigns.subjects import Subject
from yizhan.core.roles import Role
from yizhan.orgs.models import Membership, Unit
from yizhan.orgs.selectors import actor_for_user
from yizhan.orgs.services import system_account_create
from yizhan.projects.choices import HonourLevel
from yizhan.projects.models import ScoreSheet, SubsidyPayment

NAME = "2025 年度青岛市工会联系引导社会组织服务职工优秀项目推选"
HONOUR = "2025 年度青岛市工会服务职工优秀项目"
STATEMENT = "为 1,200 名环卫职工完成职业健康体检，开展宣讲 24 场，职工满意度 93%。"


def _fits(page) -> None:
    width, wide = horizontal_overflow(page)
    assert width <= PHONE["width"], wide


def _pdf(tmp_path, name: str) -> str:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    sheet.drawString(72, 720, name)
    sheet.save()
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(out.getvalue())
    return str(path)


def _demo_projects():
    """The demo's 2026 selection: the project it named (city subsidy paid) and the one it turned down."""
    demo = Campaign.objects.get(name=project_demo.NAME)
    named = Nomination.objects.get(campaign=demo, state=NominationState.SELECTED).project
    turned_down = Nomination.objects.get(campaign=demo, state=NominationState.REJECTED).project
    return named, turned_down


@pytest.mark.browser
def test_a_project_selection_from_opening_to_the_published_result(demo, new_page, login, tmp_path):
    named, project = _demo_projects()
    assert project.completed_on.year == 2025 and not SubsidyPayment.objects.filter(project=project).exists()
    score = ScoreSheet.objects.get(project=project).total
    assert score >= project_demo.MIN_SCORE
    organisation = project.selected_application.organisation.name
    today = timezone.localdate()

    # 青岛市总工会 opens the selection from the campaigns page.
    fed = new_page(PHONE)
    login(fed, "qd_admin", path="/staff/campaigns/")
    _fits(fed)
    form = fed.locator("form", has=fed.get_by_role("button", name="发起"))
    form.get_by_label("活动名称").fill(NAME)
    form.get_by_label("年度").fill("2025")
    form.get_by_label("荣誉称号").fill(HONOUR)
    form.get_by_label("推树对象").select_option(label="社会组织服务项目")
    form.get_by_label("项目最低评分（仅社会组织服务项目，选填）").fill("60")
    form.get_by_label("推树总名额").fill("1")
    for step in ("评议小组成员报名", "各地推荐报送", "实地核查与综合评议"):
        form.get_by_label(step, exact=True).fill((today + dt.timedelta(days=30)).isoformat())
    form.get_by_role("button", name="发起").click()
    expect(fed.locator("h1")).to_have_text(NAME)
    expect(fed.locator("#campaign-state")).to_have_text("筹备中")
    facts = fed.locator("dl.facts")
    expect(facts).to_contain_text(
        "社会组织服务项目：2024 年或 2025 年完成并归档，承接组织资格合格，评分表已确认，评分不低于 60 分"
    )
    expect(facts).not_to_contain_text("每个阵地补助")
    campaign = Campaign.objects.get(name=NAME)
    assert campaign.subject == Subject.PROJECT and campaign.min_score == 60 and campaign.grant_fen == 0

    fed.get_by_role("button", name="按符合条件的项目数计算名额（最大余额法）").click()
    quotas = fed.locator("#quota-table")
    row = quotas.locator("tbody tr", has=fed.get_by_text("市北区总工会", exact=True))
    expect(row.locator("td").nth(1)).to_have_text("1")  # eligible projects: the one without a city subsidy
    expect(row.get_by_label("分配名额")).to_have_value("1")
    expect(quotas.locator("tfoot")).to_contain_text("1 / 1")
    _fits(fed)

    # The review group's member, registered with their reviewer account, confirmed as its leader.
    qingdao = Unit.objects.get(code=project_demo.FEDERATION)
    reviewer = system_account_create(
        username="qd_reviewer",
        password=settings.YIZHAN_DEMO_PASSWORD,
        unit=qingdao,
        role=Role.REVIEWER,
        full_name="樊朝斌",
    )
    membership = Membership.objects.get(user__username="qd_admin", role=Role.FEDERATION_ADMIN)
    services.review_member_register(
        actor=actor_for_user(membership.user, membership),
        campaign=campaign,
        unit=qingdao,
        name="樊朝斌",
        gender="male",
        job_title="市总工会法律工作部部长",
        phone="13805320001",
        account=reviewer,
    )
    fed.reload()
    member_row = fed.locator("#member-table tbody tr", has=fed.get_by_text("樊朝斌", exact=True))
    expect(member_row).to_contain_text("待确认")
    member_row.get_by_label("小组职务").select_option(label="组长")
    member_row.get_by_role("button", name="确认").click()
    expect(fed.locator("#member-table tbody tr", has=fed.get_by_text("樊朝斌", exact=True))).to_contain_text("组长")
    fed.get_by_role("button", name="下达名额").click()
    expect(fed.locator("#campaign-state")).to_have_text("名额已下达")
    _fits(fed)

    # 市北区总工会 is offered the project without a city subsidy only, and nominates it.
    union = new_page(PHONE)
    login(union, "qdsb_admin", path="/staff/campaigns/")
    union.get_by_role("link", name=NAME).click()
    expect(union.locator("#my-quota")).to_contain_text("本单位名额 1 个，已推荐 0 个")
    _fits(union)
    form = union.locator("#nominate-form")
    choice = form.get_by_label("项目（已归档、评分表已确认、承接组织资格合格）")
    expect(choice.locator("option")).to_have_count(1)
    expect(choice.locator("option")).to_have_text(f"{project.title}（{score} 分）")
    expect(choice).not_to_contain_text(named.title)  # its city subsidy is paid: never twice
    form.get_by_label("推荐理由（主要事迹）").fill(STATEMENT)
    form.get_by_role("button", name="推荐").click()
    expect(union.locator("h1")).to_have_text(project.title)
    expect(union.locator("#nomination-state")).to_have_text("草稿")
    expect(union.locator("#nomination-organisation")).to_contain_text(organisation)
    expect(union.locator("#nomination-score")).to_have_text(f"{score} 分")
    expect(union.locator("#nomination-form")).to_contain_text(STATEMENT)
    expect(union.locator("#nomination-form")).not_to_contain_text("阵地编号")
    _fits(union)
    union.locator("#sealed-form").get_by_label("盖章推荐表（PDF）").set_input_files(_pdf(tmp_path, "nomination"))
    union.locator("#sealed-form").get_by_role("button", name="上传").click()
    expect(union.locator(".messages")).to_contain_text("已保存")
    union.locator("#move-form").get_by_role("button", name="报送").click()
    expect(union.locator("#nomination-state")).to_have_text("已报送")
    union.get_by_role("link", name=NAME).click()
    expect(union.locator("#my-quota")).to_contain_text("本单位名额 1 个，已推荐 1 个")
    union.locator("#summary-form").get_by_label("盖章汇总表（PDF）").set_input_files(_pdf(tmp_path, "summary"))
    union.locator("#summary-form").get_by_role("button", name="报送汇总表").click()
    expect(union.locator("#my-quota")).to_contain_text("汇总表已报送")
    _fits(union)
    nomination = Nomination.objects.get(campaign=campaign)
    assert nomination.project == project and nomination.state == NominationState.SUBMITTED

    # The federation closes the nominations and assigns the verification.
    fed.reload()
    fed.get_by_role("button", name="截止推荐，开始评议").click()
    expect(fed.locator("#campaign-state")).to_have_text("评议中")
    nominations = fed.locator("#nomination-table tbody tr")
    expect(nominations).to_have_count(1)
    expect(nominations.first).to_contain_text(organisation)
    expect(nominations.first.locator("td.num")).to_have_text(str(score))
    _fits(fed)
    nominations.first.get_by_role("link", name=project.title).click()
    fed.get_by_label("评议小组成员").select_option(label="樊朝斌（青岛市总工会）")
    fed.get_by_role("button", name="分配核查").click()
    expect(fed.locator("#h-review + ul")).to_contain_text("樊朝斌：未核查")

    # The member scores the project from their own account.
    member = new_page(PHONE)
    login(member, "qd_reviewer", path="/staff/campaigns/assignments/")
    member.get_by_role("link", name=project.title).click()
    expect(member.locator("h1")).to_have_text(project.title)
    expect(member.locator("main, body").first).to_contain_text(organisation)
    sheet = member.locator("#score-form")
    # The excellent-project standard (百分评估标准), not a station's conditions.
    expect(sheet).not_to_contain_text("有地图可查")
    expect(sheet.locator("input[type=number]")).to_have_count(11)
    for label, points in (
        ("学习制度、学习记录", "10"),
        ("活动方案、会议记录、宣传报道", "9"),
        ("登记证书", "10"),
        ("场所照片，招牌名称与登记名称一致", "10"),
        ("建立工会的批复文件", "10"),
        ("开展工会工作的材料", "5"),
        ("开展工会活动的材料", "5"),
        ("合同、实施方案、评估总结（每项 5 分）", "10"),
        ("满意度测评结果", "10"),
        ("设区市级 1 分、省部级 2 分、国家级 3 分/次", "3"),
        ("设区市级 1 分、省级 2 分、国家级 3 分/次", "3"),
    ):
        sheet.get_by_label(label, exact=False).fill(points)
    sheet.get_by_label("核查结论").select_option(label="符合推树条件")
    sheet.get_by_label("核查意见").fill("合同、实施方案、评估总结齐全；现场查看体检台账和宣讲照片。")
    sheet.get_by_role("button", name="保存核查结果").click()
    expect(member.locator(".messages")).to_contain_text("已保存")
    expect(member.locator("#total")).to_have_text("85")
    assert member.locator("label[for=s-union_work]").inner_text().endswith("（0–5）")
    _fits(member)

    # The meeting passes the project; the seven-day notice opens and the public page lists it.
    fed.reload()
    expect(fed.locator("#h-review + ul")).to_contain_text("樊朝斌：85 分 · 符合推树条件")
    fed.get_by_role("link", name=NAME).click()
    fed.locator("#meetings summary").click()
    meeting = fed.locator("#meetings form")
    meeting.get_by_label("地点").fill("市总工会法律工作部会议室")
    meeting.get_by_label("出席人员").fill("樊朝斌、武晓楠")
    meeting.get_by_label("会议纪要").fill("对照百分评估标准逐项评议，一致同意推荐。")
    meeting.get_by_role("button", name="保存").click()
    expect(fed.locator("#meetings ul")).to_contain_text("市总工会法律工作部会议室")
    fed.locator("#nomination-table").get_by_role("link", name=project.title).click()
    fed.locator("#move-form").get_by_role("button", name="评议通过").click()
    expect(fed.locator("#nomination-state")).to_have_text("评议通过")
    fed.get_by_role("link", name=NAME).click()
    expect(fed.get_by_label("公示开始日期")).to_have_value(today.isoformat())
    expect(fed.get_by_label("公示结束日期（不少于 7 天）")).to_have_value((today + dt.timedelta(days=6)).isoformat())
    fed.get_by_role("button", name="开始公示").click()
    expect(fed.locator("#campaign-state")).to_have_text("公示中")
    _fits(fed)

    public = new_page(PHONE)
    public.goto(f"/notices/{campaign.pk}/")
    expect(public.locator("h1")).to_have_text(f"{NAME}拟推树名单公示")
    expect(public.locator("#notice-period")).to_contain_text("共 7 天")
    expect(public.locator("#notice-rows li")).to_have_count(1)
    expect(public.locator("#notice-rows li")).to_contain_text(project.title)
    expect(public.locator("#notice-rows li")).to_contain_text(organisation)
    expect(public.locator("body")).to_contain_text("如对名单中的项目有异议")
    expect(public.get_by_label("针对的项目（可不选）")).to_be_visible()
    _fits(public)

    # Seven days pass without objection; the federation approves.
    ended = today - dt.timedelta(days=1)
    Campaign.objects.filter(pk=campaign.pk).update(notice_starts_on=ended - dt.timedelta(days=6), notice_ends_on=ended)
    fed.reload()
    expect(fed.locator("#objections")).to_contain_text("暂无异议")
    fed.get_by_role("button", name="审批通过").click()
    expect(fed.locator("#campaign-state")).to_have_text("已审批通报")
    honours = fed.locator("#honours")
    expect(honours.locator("thead")).to_contain_text("项目")
    expect(honours.locator("tbody tr")).to_have_count(1)
    expect(honours.locator("tbody tr")).to_contain_text(HONOUR)
    expect(fed.locator("#spot-checks")).to_have_count(0)  # positions' random checks: not for projects
    _fits(fed)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.APPROVED
    assert Honour.objects.get(campaign=campaign).project == project
    payment = SubsidyPayment.objects.get(project=project)
    assert payment.level == HonourLevel.CITY and payment.amount_fen == 1_000_000
    assert payment.source == f"campaign:{campaign.pk}"

    # The result: on the project's page (its honour, its subsidy) and on the public page.
    honours.get_by_role("link", name=project.title).click()
    expect(fed.locator("#project-honours")).to_contain_text(f"{HONOUR}（{NAME}")
    subsidy = fed.locator("#subsidies tbody tr", has=fed.get_by_text("推树活动审批"))
    expect(subsidy).to_contain_text("10000.00")
    _fits(fed)
    public.reload()
    expect(public.locator("#notice-period")).to_contain_text("已审批通报")
    expect(public.locator("#notice-rows li")).to_contain_text(project.title)
    expect(public.locator("#objection-form")).to_have_count(0)
    _fits(public)
