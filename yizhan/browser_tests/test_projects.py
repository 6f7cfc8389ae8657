"""Social-organisation service projects from the browser (issue 19 Part C "Done when"): in the
demo, 市北区总工会's admin on a 360 × 640 screen tries to select an organisation whose certificate
has expired for the project in its qualification check — refused with the rule — then selects the
qualified one with a reason; the organisation's own account sees only its organisation; Dalian's
federation admin cannot open Qingdao's project."""

import pytest
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.projects.choices import ProjectState
from yizhan.projects.models import ServiceProject


def _fits(page) -> None:
    width, wide = horizontal_overflow(page)
    assert width <= PHONE["width"], wide


@pytest.mark.browser
def test_selecting_on_a_phone_and_the_organisations_own_view(demo, new_page, login):
    project = ServiceProject.objects.get(state=ProjectState.CHECKING, unit__code="QD-SB")
    admin = new_page(PHONE)
    login(admin, "qdsb_admin", path=f"/staff/projects/{project.pk}/")
    expect(admin.locator("#state")).to_have_text("资格审查")
    expect(admin.locator("#applications")).to_contain_text("资格审查不合格")
    _fits(admin)

    form = admin.locator("#select-form")
    form.get_by_label("社会组织").select_option(label="青岛市阳光法律援助服务社（资格审查不合格）")
    form.get_by_label("确定理由").fill("报价最低")
    form.get_by_role("button", name="确定承接组织").click()
    expect(admin.locator(".messages")).to_contain_text("只有资格审查合格的社会组织才能被确定为承接方")
    expect(admin.locator(".messages")).to_contain_text("登记证书已于 2023-03-19 过期")
    expect(admin.locator("#state")).to_have_text("资格审查")

    form = admin.locator("#select-form")
    form.get_by_label("社会组织").select_option(label="青岛市市北区暖心社会工作服务中心（资格审查合格）")
    form.get_by_label("确定理由").fill("资格合格，方案完整")
    form.get_by_role("button", name="确定承接组织").click()
    expect(admin.locator("#state")).to_have_text("已确定承接组织")
    expect(admin.locator("#contractor")).to_contain_text("青岛市市北区暖心社会工作服务中心")
    _fits(admin)

    own = new_page(PHONE)
    login(own, "qd_ngo", path="/staff/projects/organisations/")
    rows = own.locator("#organisations tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("青岛市市北区暖心社会工作服务中心")
    _fits(own)

    dalian = new_page()
    login(dalian, "xg_admin", path=f"/staff/projects/{project.pk}/")
    expect(dalian.locator("body")).to_contain_text("不存在")
