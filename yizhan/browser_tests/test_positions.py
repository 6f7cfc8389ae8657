"""The position registry in the browser: register a station by clicking the map picker, then find it
in the list (by pinyin initials) and on the map (no tile server)."""

import re

import pytest
from playwright.sync_api import expect

from yizhan.positions.models import Position

NAME = "工会户外劳动者服务站点·浏览器测试"

# A point well inside the drawn area: the inside grid point of the outline nearest the centre of all
# inside points, in page coordinates (the outline is an SVG path in Leaflet's overlay pane).
INSIDE_POINT_JS = """
el => {
  const path = el.querySelector(".leaflet-overlay-pane svg path");
  const box = path.getBBox(), ctm = path.getScreenCTM(), svg = path.ownerSVGElement;
  const inside = [];
  for (let i = 1; i < 40; i++) for (let j = 1; j < 40; j++) {
    const p = svg.createSVGPoint();
    p.x = box.x + box.width * i / 40; p.y = box.y + box.height * j / 40;
    if (path.isPointInFill(p)) inside.push(p);
  }
  const cx = inside.reduce((s, p) => s + p.x, 0) / inside.length;
  const cy = inside.reduce((s, p) => s + p.y, 0) / inside.length;
  inside.sort((a, b) => Math.hypot(a.x - cx, a.y - cy) - Math.hypot(b.x - cx, b.y - cy));
  const best = inside[0].matrixTransform(ctm);
  return [best.x, best.y];
}
"""


@pytest.mark.browser
def test_register_a_station_with_the_map_picker_and_find_it(demo, page, login, live_server):
    login(page, "zs_admin")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="服务阵地").click()
    expect(page.get_by_role("heading", name="服务阵地", level=1)).to_be_visible()
    page.get_by_role("link", name="登记阵地").click()
    expect(page.get_by_role("heading", name="登记服务阵地", level=1)).to_be_visible()

    page.get_by_label("阵地编号").fill("ZS-B1")
    page.get_by_label("阵地类型").select_option("station")
    page.get_by_label("规范名称").fill(NAME)
    page.get_by_label("地址").fill("中山区人民路 1 号")
    page.get_by_label("建设类型").select_option("sanitation")
    page.get_by_label("每周开放时间").fill("04:00-22:00")
    page.get_by_role("group", name="必备设施").get_by_label("饮用水").check()

    picker = page.locator("#position-picker")
    expect(picker).to_have_attribute("data-drawn", "1")  # 中山区's outline under the picker
    picker.scroll_into_view_if_needed()
    x, y = picker.evaluate(INSIDE_POINT_JS)
    page.mouse.click(x, y)
    expect(picker).to_have_attribute("data-picked", "1")
    lng, lat = page.get_by_label("经度").input_value(), page.get_by_label("纬度").input_value()
    assert 121.5 < float(lng) < 121.8 and 38.8 < float(lat) < 39.0, (lng, lat)
    assert page.get_by_label("坐标系").input_value() == "gcj02"  # the picker's map is drawn in GCJ-02

    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("已登记阵地")
    position = Position.objects.get(code="ZS-B1")
    assert position.region.adcode == "210202"
    assert (round(position.lng, 6), round(position.lat, 6)) == (float(lng), float(lat))

    page.get_by_role("link", name="服务阵地", exact=True).first.click()
    page.get_by_role("searchbox", name="搜索").fill("llqcs")  # pinyin initials of 浏览器测试
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("p.count")).to_have_text("共 1 个阵地")
    expect(page.get_by_role("link", name=NAME)).to_be_visible()
    expect(page.locator("table.positions")).to_contain_text("规划中")

    page.get_by_role("link", name="地图视图").click()
    expect(page).to_have_url(re.compile(r"/staff/positions/map/\?.*q=llqcs"))
    position_map = page.locator("#position-map")
    expect(position_map).to_have_attribute("data-drawn", "1")
    expect(position_map).to_have_class(re.compile(r"\bno-tiles\b"))
    expect(
        position_map.locator(".leaflet-marker-pane .marker-cluster, .leaflet-overlay-pane path.leaflet-interactive")
    ).to_have_count(1)
    expect(page.locator("#map-status")).to_have_text("地图上共 1 个阵地")
