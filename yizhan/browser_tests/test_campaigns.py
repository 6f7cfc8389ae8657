"""The Dalian 2022 campaign on a phone (issue 17 §3–5): in the demo, after the federation extended
the nominations step with a reason, 中山区's admin nominates one more operating 5★ station within its
quota — the sealed file that is not a PDF refused first — uploads the sealed PDF and submits the
nomination; the demo reviewer opens their verification task, is told the missing result, records
the score sheet and a photo. Every page fits 360 px."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.campaigns import demo as campaign_demo
from yizhan.campaigns import services
from yizhan.campaigns.choices import NominationState, StepKind
from yizhan.campaigns.models import Campaign, Nomination, Quota, ReviewAssignment
from yizhan.core.roles import Role
from yizhan.orgs.models import Membership
from yizhan.orgs.selectors import actor_for_user
from yizhan.positions.choices import PositionKind, PositionState
from yizhan.positions.models import Position


def _fits(page) -> None:
    width, wide = horizontal_overflow(page)
    assert width <= PHONE["width"], wide


def _files(tmp_path) -> tuple[str, str, str]:
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "sealed.pdf"
    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    sheet.drawString(72, 720, "sealed")
    sheet.save()
    pdf.write_bytes(out.getvalue())
    fake = tmp_path / "scan.pdf"
    fake.write_bytes(b"<html>not a pdf</html>")
    photo = tmp_path / "site.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())
    return str(pdf), str(fake), str(photo)


def _prepare(campaign: Campaign) -> Position:
    """The federation extends the overdue nominations step (with its reason); one more operating
    中山区 station is rated 5★ and the unit's quota leaves a place for it."""
    membership = Membership.objects.get(user__username="fed_admin", role=Role.FEDERATION_ADMIN)
    fed = actor_for_user(membership.user, membership)
    step = campaign.steps.get(kind=StepKind.NOMINATIONS)
    services.step_extend(actor=fed, step=step, deadline=timezone.localdate() + dt.timedelta(days=7), reason="疫情延期")
    nominated = Nomination.objects.filter(campaign=campaign).values("position_id")
    station = (
        Position.objects.filter(
            unit__code__startswith="DL-ZS", kind=PositionKind.STATION, state=PositionState.OPERATING
        )
        .exclude(pk__in=nominated)
        .order_by("code")
        .first()
    )
    Position.objects.filter(pk=station.pk).update(star_rating="5", star_rated_on=timezone.localdate())
    quota = Quota.objects.get(campaign=campaign, unit__code="DL-ZS")
    used = Nomination.objects.filter(campaign=campaign, unit=quota.unit).exclude(state="withdrawn").count()
    if used >= quota.quota:
        Quota.objects.filter(pk=quota.pk).update(quota=used + 1, submitted_on=None)
    return station


@pytest.mark.browser
def test_a_unit_admin_nominates_and_a_reviewer_scores_on_a_phone(demo, new_page, login, tmp_path):
    campaign = Campaign.objects.get(name=campaign_demo.NAME)
    station = _prepare(campaign)
    pdf, fake, photo = _files(tmp_path)

    page = new_page(PHONE)
    login(page, "zs_admin", path="/staff/campaigns/")
    page.get_by_role("link", name=campaign_demo.NAME).click()
    expect(page.locator("#my-quota")).to_contain_text("本单位名额")
    _fits(page)
    form = page.locator("#nominate-form")
    form.get_by_label("阵地（运营中、符合星级）").select_option(value=str(station.pk))
    form.get_by_label("推荐理由（主要事迹）").fill("24 小时开放，服务环卫工人和外卖骑手，群众评价好。")
    form.get_by_role("button", name="推荐").click()
    expect(page.locator("#nomination-state")).to_have_text("草稿")
    expect(page.locator("#nomination-form")).to_contain_text(station.address)
    _fits(page)

    sealed = page.locator("#sealed-form")
    sealed.get_by_label("盖章推荐表（PDF）").set_input_files(fake)
    sealed.get_by_role("button", name="上传").click()
    expect(page.locator(".messages")).to_contain_text("上传的文件不是 PDF")
    page.locator("#sealed-form").get_by_label("盖章推荐表（PDF）").set_input_files(pdf)
    page.locator("#sealed-form").get_by_role("button", name="上传").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    page.locator("#move-form").get_by_role("button", name="报送").click()
    expect(page.locator("#nomination-state")).to_have_text("已报送")
    nomination = Nomination.objects.get(campaign=campaign, position=station)
    assert nomination.state == NominationState.SUBMITTED and nomination.sealed_sha256

    reviewer = new_page(PHONE)
    login(reviewer, "reviewer", path="/staff/campaigns/assignments/")
    task = (
        ReviewAssignment.objects.filter(member__account__username="reviewer", total__isnull=True).order_by("pk").first()
    )
    assert task is not None, "the demo leaves the reviewer a verification to do"
    _fits(reviewer)
    reviewer.get_by_role("link", name=task.nomination.position.official_name).click()
    score = reviewer.locator("#score-form")
    for label in (
        "有统一的标识名称",
        "有合理的站点布局",
        "有健全的服务设施",
        "有完善的服务功能",
        "有规范的管理制度",
        "有地图可查",
        "发挥作用",
        "群众评价",
        "工作创新",
        "服务特色",
    ):
        score.get_by_label(label, exact=False).fill("9")
    score.get_by_role("button", name="保存核查结果").click()
    expect(reviewer.locator(".messages")).to_contain_text("请选择核查结论")
    score = reviewer.locator("#score-form")
    for label in (
        "有统一的标识名称",
        "有合理的站点布局",
        "有健全的服务设施",
        "有完善的服务功能",
        "有规范的管理制度",
        "有地图可查",
        "发挥作用",
        "群众评价",
        "工作创新",
        "服务特色",
    ):
        score.get_by_label(label, exact=False).fill("9")
    score.get_by_label("核查结论").select_option(label="符合推树条件")
    score.get_by_label("核查意见").fill("设施齐全，开放时间与公示一致。")
    score.get_by_role("button", name="保存核查结果").click()
    expect(reviewer.locator("#total")).to_have_text("90")
    form = reviewer.locator("#photo-form")
    form.get_by_label("照片").set_input_files(photo)
    form.get_by_role("button", name="上传照片").click()
    expect(reviewer.locator("img.review-photo")).to_have_count(1)
    _fits(reviewer)
    task.refresh_from_db()
    assert task.total == 90 and task.photos.count() == 1
