"""Hours unknown, to be verified (issue 14 §4), as the public and the staff see them: 开放时间待核实
on the finder's card and page, the staff detail page and list, never 已关闭; never listed as open
now; the public API says so; the index answers as the rule on the stored row."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from yizhan.core.roles import Role
from yizhan.finder import index
from yizhan.positions.models import HoursException
from yizhan.positions.rules import position_opening
from yizhan.positions.tests.conftest import ZHONGSHAN

pytestmark = pytest.mark.django_db

UNKNOWN = "开放时间待核实"


@pytest.fixture
def stations(make_position, dalian_map, make_actor):
    """Next to 中山区's point: one station whose registry wrote 工作日开放, one open round the clock."""
    admin = make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    unknown = make_position(
        actor=admin,
        official_name="工会户外劳动者服务站点·待核实站",
        lng=ZHONGSHAN[0] + 0.001,
        lat=ZHONGSHAN[1],
        state="operating",
        always_open=False,
        weekly_hours={},
        hours_source_text="工作日开放",
    )
    always = make_position(
        actor=admin,
        official_name="工会户外劳动者服务站点·全天站",
        lng=ZHONGSHAN[0] + 0.002,
        lat=ZHONGSHAN[1],
        state="operating",
        always_open=True,
    )
    return {"unknown": unknown, "always": always, "admin": admin}


def _status(page: str) -> str:
    """The station page's opening status: its `r-open` element (a badge with a symbol and the text)."""
    return re.search(r'<(p|span) class="r-open[^>]*>(?:<span[^>]*>[^<]*</span>)?[^<]*</\1>', page).group()


def _card(page: str, name: str) -> str:
    start = page.index(name)
    return page[start : page.index("</li>", start)]


def test_the_finder_card_and_page_say_to_be_verified_never_closed(stations):
    client = Client()
    page = client.get("/", {"lng": ZHONGSHAN[0], "lat": ZHONGSHAN[1], "crs": "gcj02"}).content.decode()
    card = _card(page, "待核实站")
    assert UNKNOWN in card and "is-unknown" in card
    assert "已关闭" not in card and "is-closed" not in card
    position = client.get(f"/p/{stations['unknown'].code}/").content.decode()
    status = _status(position)
    assert UNKNOWN in status and "已关闭" not in status
    hours = position[position.index('id="hours-h"') :]
    assert f"{UNKNOWN}（登记原文：工作日开放）" in hours
    assert "不开放" not in hours[: hours.index("</section>")]


def test_open_now_does_not_list_hours_that_are_unknown(stations):
    page = (
        Client().get("/", {"lng": ZHONGSHAN[0], "lat": ZHONGSHAN[1], "crs": "gcj02", "open_now": "1"}).content.decode()
    )
    assert "全天站" in page and "待核实站" not in page
    found = index.nearest(*ZHONGSHAN, radius_m=1000, limit=10, open_now=True)
    assert stations["unknown"].pk not in [pk for pk, _distance in found]


def test_the_public_api_says_hours_unknown_not_closed(stations):
    client = Client()
    body = client.get("/api/v1/public/nearby", {"lng": ZHONGSHAN[0], "lat": ZHONGSHAN[1], "crs": "gcj02"}).json()
    item = next(r for r in body["results"] if r["id"] == stations["unknown"].pk)
    assert (item["is_open"], item["hours_unknown"], item["always_open"]) == (False, True, False)
    other = next(r for r in body["results"] if r["id"] == stations["always"].pk)
    assert (other["is_open"], other["hours_unknown"]) == (True, False)
    detail = client.get(f"/api/v1/public/positions/{stations['unknown'].pk}").json()
    assert (detail["hours_unknown"], detail["hours_source_text"]) == (True, "工作日开放")


def test_a_dated_exception_still_closes_a_day_of_unknown_hours(stations):
    position = stations["unknown"]
    today = timezone.localdate()
    HoursException.objects.create(position=position, start=today, end=today, closed=True, reason="停电")
    status = index.current_index().opening(position.pk, timezone.now())
    assert (status.is_open, status.unknown) == (False, False)
    position.refresh_from_db()
    assert status == position_opening(position)
    page = Client().get(f"/p/{position.code}/").content.decode()
    assert "已关闭" in _status(page)
    tomorrow = timezone.now() + timedelta(days=1)
    assert index.current_index().opening(position.pk, tomorrow).unknown


def test_the_index_answers_unknown_as_the_rule_does(stations):
    now = timezone.now()
    for position in (stations["unknown"], stations["always"]):
        position.refresh_from_db()
        assert index.current_index().opening(position.pk, now) == position_opening(position, now)
    assert index.current_index().opening(stations["unknown"].pk, now).unknown


def test_staff_pages_show_to_be_verified_and_list_it(stations, login, dalian_map):
    client = login(stations["admin"].user)
    detail = client.get(f"/staff/positions/{stations['unknown'].pk}/").content.decode()
    status = detail[detail.index('class="status-line"') : detail.index("</p>", detail.index('class="status-line"'))]
    assert UNKNOWN in status and "已关闭" not in status and "待核实" in status
    hours = detail[detail.index('id="h-hours"') :]
    assert "登记原文：工作日开放" in hours and "不开放" not in hours[: hours.index("</section>")]
    queue = client.get("/staff/positions/", {"needs_verification": "on"}).content.decode()
    assert "待核实站" in queue and "全天站" not in queue
    edit = client.get(f"/staff/positions/{stations['unknown'].pk}/edit/").content.decode()
    assert "登记原文：工作日开放" in edit


def test_hours_given_replace_the_unknown_and_its_source_text(stations):
    from django.db import IntegrityError, transaction

    from yizhan.positions import services
    from yizhan.positions.models import Position

    admin, position = stations["admin"], stations["unknown"]
    with transaction.atomic(), pytest.raises(IntegrityError):
        # The database keeps the source text only while the hours are unknown.
        Position.objects.filter(pk=position.pk).update(weekly_hours={"mon": [["08:00", "17:00"]]})
    updated = services.position_update(actor=admin, position=position, weekly_hours={"mon": [["08:00", "17:00"]]})
    assert (updated.hours_unknown, updated.hours_source_text) == (False, "")
    Position.objects.filter(pk=position.pk).update(weekly_hours={}, hours_source_text="工作日开放")
    updated = services.position_update(actor=admin, position=position, always_open=True)
    assert (updated.hours_unknown, updated.hours_source_text) == (False, "")
