"""Kept public pages (finder/pagecache.py, decision 33): a kept page is what a fresh render would
show — it changes with any write the change feed sees, expires when the station opens or closes,
never carries another request's location, cards or CSRF token — and a located results page reuses
its frame for other riders with their own values."""
# ruff: noqa: F811 (the `public` fixture is imported and then asked for)

import re
from html import unescape

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from freezegun import freeze_time

from yizhan.core.geo.crs import CRS, from_gcj02
from yizhan.finder import pagecache
from yizhan.finder.tests.test_pages import public  # noqa: F401 (fixture)
from yizhan.finder.tests.test_results_page import cards, hidden_location
from yizhan.positions.models import Position
from yizhan.positions.tests.conftest import ZHONGSHAN

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NEXT = re.compile(r'<input name="next" type="hidden" value="([^"]*)">')


@pytest.fixture(autouse=True)
def no_kept_pages():
    pagecache.PAGES.clear()
    yield
    pagecache.PAGES.clear()


def test_a_kept_station_page_changes_with_the_station(public):
    station = public["近站"]
    client = Client()
    first = client.get(f"/p/{station.code}/").content.decode()
    kept = len(pagecache.PAGES)
    assert kept == 1
    again = client.get(f"/p/{station.code}/").content.decode()
    assert len(pagecache.PAGES) == kept  # served from the kept page
    assert TOKEN.sub("", again) == TOKEN.sub("", first)
    Position.objects.filter(pk=station.pk).update(short_name="改过的简称")  # no service: the feed still sees it
    changed = client.get(f"/p/{station.code}/").content.decode()
    assert "<h1>改过的简称</h1>" in changed


def test_a_kept_page_carries_each_visitors_own_csrf_token_and_path(public):
    station = public["近站"]
    for client in (Client(), Client()):
        response = client.get(f"/p/{station.code}/")
        html = response.content.decode()
        secret = client.cookies["csrftoken"].value
        tokens = set(TOKEN.findall(html))
        assert tokens  # the language button and the problem report form
        assert {_unmask_cipher_token(token) for token in tokens} == {secret}
        assert NEXT.search(html)[1] == f"/p/{station.code}/"
        assert "\x1e" not in html  # no slot left unfilled


def test_a_kept_station_page_ends_when_the_station_closes(public):
    station = public["近站"]
    Position.objects.filter(pk=station.pk).update(
        always_open=False,
        weekly_hours={d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    client = Client()
    with freeze_time("2026-12-07 17:59:00+08:00") as clock:
        assert "营业中 · 18:00 关门" in client.get(f"/p/{station.code}/").content.decode()
        clock.move_to("2026-12-07 17:59:59+08:00")
        assert "营业中 · 18:00 关门" in client.get(f"/p/{station.code}/").content.decode()
        clock.move_to("2026-12-07 18:00:00+08:00")
        assert "已关闭 · 明天 08:00 开门" in client.get(f"/p/{station.code}/").content.decode()


def point(offset_lng: float) -> dict:
    lng, lat = from_gcj02(ZHONGSHAN[0] + offset_lng, ZHONGSHAN[1], CRS.WGS84)
    return {"lat": f"{lat:.6f}", "lng": f"{lng:.6f}", "crs": "wgs84"}


def test_located_results_share_a_frame_but_never_a_riders_values(public):
    west, east = point(-0.01), point(0.01)
    client = Client()
    first = client.get("/", west)
    second = client.get("/", east)
    assert hidden_location(first) == west and hidden_location(second) == east
    first_cards, second_cards = cards(first), cards(second)
    assert {name for _n, _url, name in first_cards} == {name for _n, _url, name in second_cards}  # same stations
    assert all(f"lng={west['lng']}" in url for _n, url, _name in first_cards)
    assert all(f"lng={east['lng']}" in url for _n, url, _name in second_cards)
    html = unescape(second.content.decode())
    assert west["lng"] not in html and "\x1e" not in html
    walks = re.findall(r"步行约 \d+ 分钟 · (\d+) 米", html)
    assert walks and walks != re.findall(r"步行约 \d+ 分钟 · (\d+) 米", first.content.decode())


def test_a_kept_search_page_changes_with_the_stations(public):
    client = Client()
    before = client.get("/", {"q": "中山区"}).content.decode()
    assert "近站" in before
    Position.objects.filter(pk=public["近站"].pk).update(short_name="新名字站")
    after = client.get("/", {"q": "中山区"}).content.decode()
    assert "新名字站" in after
