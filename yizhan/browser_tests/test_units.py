"""The unit tree in the browser: data scope, switching the acting unit, creating a unit."""

import re

import pytest
from playwright.sync_api import expect

from yizhan.orgs.models import Unit

ZS_SUBTREE = ["中山区总工会", "中山区青泥洼桥街道工会", "中山区人民路街道工会", "中山区桃源街道工会"]


def unit_names(page) -> list[str]:
    return page.locator("table.tree tbody td:first-child a").all_inner_texts()


def subtree_of(page, name: str) -> list[tuple[str, int]]:
    """(name, depth below the acting unit) of the rows shown under `name` in the unit tree."""
    rows = page.locator("table.tree tbody tr").evaluate_all(
        "rows => rows.map(r => [r.querySelector('a').textContent, parseInt(r.className.replace('level-', ''), 10)])"
    )
    start = [row[0] for row in rows].index(name)
    below = []
    for row_name, level in rows[start + 1 :]:
        if level <= rows[start][1]:
            break
        below.append((row_name, level))
    return below


@pytest.mark.browser
def test_unit_list_and_detail_stay_inside_the_data_scope(demo, page, login, live_server):
    xg = Unit.objects.get(code="DL-XG")
    missing_pk = Unit.objects.order_by("-pk").first().pk + 1000

    login(page, "zs_admin")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="工会单位").click()
    expect(page).to_have_url(f"{live_server.url}/staff/units/")
    expect(page.locator("p.count")).to_have_text("共 4 个单位")
    assert sorted(unit_names(page)) == sorted(ZS_SUBTREE)
    assert unit_names(page)[0] == "中山区总工会"  # tree order: the acting unit first
    expect(page.locator("main")).not_to_contain_text("西岗区")

    # Typing another district's detail URL gives the same Chinese 404 as a unit that does not exist.
    response = page.goto(f"/staff/units/{xg.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在", level=1)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("西岗区")
    expect(page.locator("main")).not_to_contain_text("DL-XG")
    scoped_404 = page.locator("main").inner_text()

    response = page.goto(f"/staff/units/{missing_pk}/")
    assert response.status == 404
    assert page.locator("main").inner_text() == scoped_404

    # Its edit form is just as closed, and the header still shows who is acting.
    response = page.goto(f"/staff/units/{xg.pk}/edit/")
    assert response.status == 404
    expect(page.locator(".current-identity")).to_have_text("中山区总工会 · 单位管理员")


@pytest.mark.browser
def test_switching_the_acting_unit_changes_the_unit_list(demo, page, login):
    login(page, "fed_admin", "/staff/units/")
    expect(page.locator("p.count")).to_have_text("共 25 个单位")
    switcher = page.get_by_label("当前身份")
    expect(switcher.locator("option:checked")).to_have_text("大连市总工会 · 总工会管理员")

    switcher.select_option(label="大连市开放先导区工会 · 单位管理员")  # submits itself (app.js)
    expect(page.get_by_role("status")).to_contain_text("已切换为：大连市开放先导区工会 · 单位管理员")
    expect(page).to_have_url(re.compile(r"/staff/units/$"))  # back on the page it was switched from
    expect(page.locator("p.count")).to_have_text("共 1 个单位")
    assert unit_names(page) == ["大连市开放先导区工会"]
    expect(page.get_by_label("当前身份").locator("option:checked")).to_have_text("大连市开放先导区工会 · 单位管理员")

    # The choice lives in the session: the next page acts for the same unit.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="首页").click()
    expect(page.get_by_role("heading", name="大连市开放先导区工会", level=2)).to_be_visible()


@pytest.mark.browser
def test_federation_admin_creates_a_child_unit(demo, page, login, live_server):
    login(page, "fed_admin", "/staff/units/")
    page.get_by_role("link", name="中山区总工会", exact=True).click()
    expect(page.get_by_role("heading", name="中山区总工会", level=1)).to_be_visible()
    page.get_by_role("link", name="新建下级单位").click()
    expect(page.get_by_role("heading", name="在“中山区总工会”下新建单位", level=1)).to_be_visible()
    new_url = page.url

    form = page.locator("form.form")
    expect(form.get_by_label("行政区划")).to_have_value(str(Unit.objects.get(code="DL-ZS").region_id))
    form.get_by_label("单位代码").fill("DL-ZS-LJ")
    form.get_by_label("单位名称").fill("中山区老虎滩街道工会")
    form.get_by_label("单位类型").select_option(label="街道/乡镇/园区工会")
    form.get_by_label("联系人").fill("孙联络")
    form.get_by_label("联系电话").fill("8234-567")
    form.get_by_role("button", name="保存").click()

    expect(form.get_by_role("alert")).to_have_text(re.compile("请按标红处的提示修改后再提交"))
    phone = form.get_by_label("联系电话")
    expect(phone).to_have_accessible_description("电话号码格式不正确（手机 11 位，座机如 0411-82345678）")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(form.locator(".field", has=page.get_by_label("联系电话"))).to_have_class(re.compile(r"\bhas-error\b"))
    expect(form.locator(".has-error")).to_have_count(1)
    assert page.url == new_url
    expect(form.get_by_label("单位名称")).to_have_value("中山区老虎滩街道工会")  # nothing typed is lost
    assert not Unit.objects.filter(code="DL-ZS-LJ").exists()

    form.get_by_label("联系电话").fill("0411-82345678")
    form.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("已新建单位：中山区老虎滩街道工会")
    expect(page.get_by_role("heading", name="中山区老虎滩街道工会", level=1)).to_be_visible()
    # Spec §11: the contact is masked on the page until the admin reveals it (audited).
    expect(page.locator("dl.facts")).to_contain_text("0411-****5678")
    expect(page.locator("dl.facts")).not_to_contain_text("0411-82345678")
    page.get_by_role("button", name="显示完整信息").click()
    expect(page.locator("dl.facts")).to_contain_text("0411-82345678")
    expect(page.locator("dl.facts")).to_contain_text("已记入审计日志")
    expect(page.get_by_role("navigation", name="位置")).to_contain_text("中山区总工会")

    # In the tree it sits inside 中山区总工会's subtree, one level below it, beside the other street unions.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="工会单位").click()
    expect(page.locator("p.count")).to_have_text("共 26 个单位")
    assert sorted(subtree_of(page, "中山区总工会")) == sorted(
        [(name, 2) for name in ZS_SUBTREE[1:]] + [("中山区老虎滩街道工会", 2)]
    )
    row = page.locator("table.tree tbody tr", has=page.get_by_role("link", name="中山区老虎滩街道工会"))
    expect(row).to_contain_text("DL-ZS-LJ")
