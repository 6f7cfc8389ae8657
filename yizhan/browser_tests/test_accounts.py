"""Accounts and roles as the security admin sees them."""

import pytest
from playwright.sync_api import expect

from yizhan.orgs.models import Membership


@pytest.mark.browser
def test_security_admin_revokes_a_role_only_after_confirming(demo, page, login):
    login(page, "security")
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="账号与角色").click()
    expect(nav.get_by_role("link", name="账号与角色")).to_have_attribute("aria-current", "page")
    rows = page.locator("table.accounts tbody tr")
    expect(rows).to_have_count(10)
    # The header shows the security admin's own single role, not the role grants listed on the page.
    expect(page.locator(".current-identity")).to_have_text("大连市总工会 · 安全管理员")
    expect(page.get_by_label("当前身份")).to_have_count(0)
    # Both forms have a 用户名 field; each label points at its own form's input.
    for heading, input_id in (("开通账号", "create_username"), ("授予角色", "grant_username")):
        form = page.locator("form", has=page.get_by_role("heading", name=heading))
        expect(form.get_by_label("用户名")).to_have_attribute("id", input_id)

    revoke = page.get_by_role("button", name="撤销 zs_admin · 中山区总工会 · 单位管理员")
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    revoke.click()
    assert asked == ["撤销 zs_admin 在“中山区总工会”的“单位管理员”角色？"]
    expect(rows).to_have_count(10)
    assert Membership.objects.filter(user__username="zs_admin").exists()

    page.once("dialog", lambda dialog: dialog.accept())
    revoke.click()
    expect(page.get_by_role("status")).to_contain_text("已撤销角色")
    expect(rows).to_have_count(9)
    expect(page.locator("table.accounts")).not_to_contain_text("zs_admin")
    assert not Membership.objects.filter(user__username="zs_admin").exists()
