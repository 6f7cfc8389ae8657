"""Grants on a phone (issue 17 §8, §9): in the demo, 中山区's admin sees the balance of its unit,
records a use of a grant — one beyond the balance refused first — with a photo as evidence and
sees the balance fall; then writes the overdue self-evaluation report, is told every missing field
when submitting it half done, completes and submits it and opens its PDF. Every page fits 360 px."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.grants.choices import ReportState
from yizhan.grants.models import Grant, GrantUse, SelfEvaluation
from yizhan.grants.money import fen_to_yuan


def _fits(page) -> None:
    width, wide = horizontal_overflow(page)
    assert width <= PHONE["width"], wide


def _photo(tmp_path) -> str:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, format="JPEG")
    path = tmp_path / "invoice.jpg"
    path.write_bytes(out.getvalue())
    return str(path)


@pytest.mark.browser
def test_a_unit_admin_records_a_use_and_submits_the_report_on_a_phone(demo, new_page, login, tmp_path):
    grant = Grant.objects.filter(unit__code="DL-ZS").order_by("pk").first()
    assert grant is not None, "the demo gives 中山区 grants"
    uses = GrantUse.objects.filter(grant=grant).count()
    page = new_page(PHONE)
    login(page, "zs_admin", path="/staff/grants/")
    expect(page.locator("#balances")).to_contain_text("中山区总工会")
    _fits(page)

    page.goto(f"/staff/grants/{grant.pk}/")
    expect(page.locator("#balance")).to_contain_text(fen_to_yuan(grant.balance_fen))
    form = page.locator("form", has=page.get_by_role("button", name="登记"))
    form.get_by_label("金额（元）").fill(fen_to_yuan(grant.balance_fen + 1))
    form.get_by_label("用途").select_option(label="软硬件升级")
    form.get_by_label("使用日期").fill("2026-11-30")
    form.get_by_label("使用说明").fill("更换站点空调")
    form.get_by_role("button", name="登记").click()
    expect(page.locator("#id_amount_error")).to_contain_text(
        f"超出余额：该资金剩余 {fen_to_yuan(grant.balance_fen)} 元"
    )
    assert GrantUse.objects.filter(grant=grant).count() == uses

    form = page.locator("form", has=page.get_by_role("button", name="登记"))
    form.get_by_label("金额（元）").fill("100.50")
    form.get_by_label("使用说明").fill("更换站点空调")
    form.get_by_label("凭证").set_input_files(_photo(tmp_path))
    _fits(page)
    form.get_by_role("button", name="登记").click()
    expect(page.get_by_role("status")).to_contain_text("已登记使用 100.50 元")
    expect(page.locator("#balance")).to_contain_text(fen_to_yuan(grant.balance_fen - 10_050))
    expect(page.locator("#uses")).to_contain_text("照片")

    report = SelfEvaluation.objects.get(unit__code="DL-ZS")
    page.goto("/staff/grants/reports/?state=draft&overdue=1")
    expect(page.locator("#reports")).to_contain_text("已逾期")
    page.get_by_role("link", name="中山区总工会").click()
    page.get_by_label("绩效目标").fill("改善两个站点的服务设施")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("status")).to_contain_text("报告已保存")
    page.get_by_role("button", name="提交报告").click()
    expect(page.get_by_role("status")).to_contain_text(
        "报告不完整，不能提交。请填写：目标完成情况、资金使用情况、产出与效益、自评得分、存在的问题、整改措施"
    )
    for label, value in (
        ("目标完成情况", "两个站点均完成改造"),
        ("资金使用情况", "已使用 8200 元"),
        ("产出与效益", "满意度提升至 97%"),
        ("自评得分", "90"),
        ("存在的问题", "夜间开放不足"),
        ("整改措施", "延长开放至 22:00"),
    ):
        page.get_by_label(label).fill(value)
    _fits(page)
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="提交报告").click()
    expect(page.locator("#report-state")).to_contain_text("已提交")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    response = page.request.get(f"/staff/grants/reports/{report.pk}/pdf/")
    assert response.ok and response.body().startswith(b"%PDF-")
