"""Names from the data shown on the maps stay text (issue 13 item 2): a unit admin who names a position
(or an imported area is named) `"><img src=x onerror=alert(1)>` sees that text in the map's
tooltips and popups, and no element is made from it. Leaflet writes a string it is given as HTML,
so every map binds text nodes or elements built with textContent. The strict Content-Security-Policy
would stop the handler, not the markup (links and fake content would still show).

One test per page with a Leaflet map: the public finder, the staff position map, the staff region map
and the position picker of the edit form (the public position page has no map)."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE
from yizhan.core.geo.distance import distance_m
from yizhan.orgs.models import Region
from yizhan.positions.choices import PositionState
from yizhan.positions.models import Position

PAYLOAD = '"><img src=x onerror=alert(1)>'

# Elements that must never be there: anything inside a tooltip (they hold text only), an image in a
# popup or among the markers (no map here uses image icons), any element with an inline handler.
INJECTED_JS = """
() => [...document.querySelectorAll(
  ".leaflet-tooltip *, .leaflet-popup img, .leaflet-marker-pane img, [onerror]"
)].map(el => el.outerHTML)
"""

# A point well inside each filled shape of a map's overlay pane, in page coordinates.
INSIDE_POINTS_JS = """
el => [...el.querySelectorAll(".leaflet-overlay-pane svg path.leaflet-interactive")]
  .filter(path => path.getAttribute("fill") !== "none")
  .map(path => {
    const box = path.getBBox(), ctm = path.getScreenCTM(), svg = path.ownerSVGElement;
    for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
      const p = svg.createSVGPoint();
      p.x = box.x + box.width * ((i * 7) % 20) / 20; p.y = box.y + box.height * ((j * 11) % 20) / 20;
      if (path.isPointInFill(p)) { const q = p.matrixTransform(ctm); return [q.x, q.y]; }
    }
    return null;
  })
  .filter(Boolean)
"""

# At sea off 长海县, more than 70 km from every public position of the demo: a position moved here is
# the only result of a search for it, and stands alone (not clustered) on the finder's map.
ISLAND = (123.18, 39.04)


def assert_nothing_injected(page) -> None:
    assert page.evaluate(INJECTED_JS) == []


def _station_named(name: str, **changes) -> Position:
    position = Position.objects.filter(state="operating", kind="station", region__adcode="210202").order_by("code")[0]
    position.short_name = name
    for field, value in changes.items():
        setattr(position, field, value)
    position.save()  # through save(): the finder's index hears of it
    return position


@pytest.mark.browser
def test_public_finder_map_shows_a_position_name_as_text(demo, new_page):
    position = _station_named(PAYLOAD, lng=ISLAND[0], lat=ISLAND[1])
    others = Position.objects.public().exclude(pk=position.pk).values_list("lng", "lat")
    assert min(distance_m(*ISLAND, lng, lat) for lng, lat in others) > 20_000

    page = new_page(PHONE)
    page.goto(f"/?q={quote(PAYLOAD)}")  # the place found is the position: the origin is labelled with its name
    expect(page.locator("#finder-status")).to_contain_text(f"{PAYLOAD}附近 1 处")
    page.get_by_role("button", name="地图", exact=True).click()  # on a phone the map is a switch away
    finder_map = page.locator("#finder-map")
    expect(finder_map).to_have_attribute("data-drawn", "1")
    expect(finder_map).to_have_attribute("data-points", "1")
    # The result is drawn numbered only: no dot of the clustered layer under its number.
    expect(finder_map.locator('path[fill="#b3261e"]')).to_have_count(0)

    # The numbered result marker covers the origin's dot (both at one point), so that one gets its
    # hover as an event.
    origin = finder_map.locator('.leaflet-origin-pane path[fill="#0b57d0"]')
    origin.dispatch_event("mouseover")
    expect(page.locator(".leaflet-tooltip")).to_have_text(f"搜索位置：{PAYLOAD}")
    assert_nothing_injected(page)
    origin.dispatch_event("mouseout")
    expect(page.locator(".leaflet-tooltip")).to_have_count(0)

    numbered = finder_map.locator(".leaflet-results-pane .leaflet-marker-icon")
    expect(numbered).to_have_count(1)
    expect(numbered).to_have_attribute("title", f"1. {PAYLOAD}")
    expect(numbered).to_have_text("1")
    numbered.click()
    link = page.locator(".leaflet-popup-content a")
    expect(link).to_have_text(f"1. {PAYLOAD}")
    expect(link).to_have_attribute("href", re.compile(rf"^/p/{re.escape(position.code)}/\?q="))  # the search goes along
    assert_nothing_injected(page)


@pytest.mark.browser
def test_staff_position_map_shows_a_position_name_as_text(demo, page, login):
    position = _station_named(PAYLOAD)
    login(page, "zs_admin", f"/staff/positions/map/?q={position.code}")
    position_map = page.locator("#position-map")
    expect(position_map).to_have_attribute("data-drawn", "1")

    point = position_map.locator(".leaflet-overlay-pane path.leaflet-interactive")
    expect(point).to_have_count(1)
    point.hover()
    expect(page.locator(".leaflet-tooltip")).to_have_text(f"{PAYLOAD} · {PositionState.OPERATING.label}")
    assert_nothing_injected(page)

    point.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup.get_by_role("link")).to_have_text(PAYLOAD)
    expect(popup).to_contain_text(str(PositionState.OPERATING.label))
    assert_nothing_injected(page)


@pytest.mark.browser
def test_staff_region_map_shows_an_area_name_as_text(demo, page, login):
    Region.objects.filter(adcode="210203").update(name=PAYLOAD)  # 西岗区, as an import could name it
    login(page, "fed_admin", "/staff/regions/")
    region_map = page.locator("#region-map")
    expect(region_map).to_have_attribute("data-drawn", "11")
    region_map.scroll_into_view_if_needed()

    seen = []
    for x, y in region_map.evaluate(INSIDE_POINTS_JS):  # each district's sticky tooltip in turn
        page.mouse.move(x, y)
        tooltip = page.locator(".leaflet-tooltip")
        expect(tooltip).to_have_count(1)
        seen.append(tooltip.inner_text())
        assert_nothing_injected(page)
    assert len(seen) == 10
    assert PAYLOAD in seen, seen


@pytest.mark.browser
def test_position_picker_with_named_position_and_area_makes_no_markup(demo, page, login):
    position = _station_named(PAYLOAD)
    Region.objects.filter(adcode="210202").update(name=PAYLOAD)  # the area drawn under the picker
    login(page, "zs_admin", f"/staff/positions/{position.pk}/edit/")
    expect(page.get_by_label("简称")).to_have_value(PAYLOAD)
    picker = page.locator("#position-picker")
    expect(picker).to_have_attribute("data-drawn", "1")
    picker.scroll_into_view_if_needed()
    box = picker.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(picker).to_have_attribute("data-picked", "1")
    assert_nothing_injected(page)
    assert picker.evaluate("el => el.querySelectorAll('img, .leaflet-tooltip, .leaflet-popup').length") == 0
    expect(page).to_have_url(re.compile(rf"/staff/positions/{position.pk}/edit/$"))
