"""The xlsx import in the browser (issue 3 "Done when"): a file with an error is refused with a
Chinese error table and an annotated workbook; the fixed file imports; the positions are on the map."""

import re

import pytest
from playwright.sync_api import expect

from yizhan.positions.models import Position
from yizhan.positions.tests.test_import import row, workbook


def _rows(phone: str):
    return [
        row(1, code="BRW-1", official_name="工会户外劳动者服务站点·导入浏览器一"),
        row(2, code="BRW-2", official_name="工会户外劳动者服务站点·导入浏览器二", manager_phone=phone),
    ]


@pytest.mark.browser
def test_import_with_an_error_then_fixed_then_on_the_map(demo, page, login, live_server, tmp_path):
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    bad.write_bytes(workbook(*_rows("12")))
    good.write_bytes(workbook(*_rows("13900000000")))

    login(page, "zs_admin")
    page.goto(f"{live_server.url}/staff/positions/")
    page.get_by_role("link", name="导入 Excel").click()
    expect(page.get_by_role("heading", name="从 Excel 导入服务阵地", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="下载导入模板")).to_be_visible()

    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_role("alert")).to_contain_text("未导入任何阵地")
    errors = page.locator("table.import-errors")
    expect(errors).to_contain_text("管理员电话")
    expect(errors.locator("tbody tr").first).to_contain_text("3")
    expect(page.get_by_role("link", name="下载标注错误的工作簿")).to_have_attribute("href", re.compile(r"annotated"))
    assert not Position.objects.filter(code__startswith="BRW-").exists()

    page.get_by_role("link", name="再导入一个文件").click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(good))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_role("status")).to_contain_text("导入成功")
    expect(page.locator("[data-created]")).to_have_text("2")
    assert Position.objects.filter(code__startswith="BRW-").count() == 2

    page.goto(f"{live_server.url}/staff/positions/map/?q=导入浏览器")
    position_map = page.locator("#position-map")
    expect(position_map).to_have_attribute("data-drawn", "2")  # both imported stations drawn
    expect(page.locator("#map-status")).to_have_text("地图上共 2 个阵地")
