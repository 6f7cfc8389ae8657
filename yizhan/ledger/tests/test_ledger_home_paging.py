"""The 每日台账 page pages today's positions (issue 21: a federation admin's list of every position
made it ~21,000 px tall on a phone): a page at a time, with the count, a link to the ones still
missing today, and the days entered paged on their own."""

import re

import pytest
from django.utils import timezone

from yizhan.core.roles import Role
from yizhan.ledger import staff_views
from yizhan.ledger.tests.factories import DailyLedgerFactory
from yizhan.positions.choices import PositionState

pytestmark = pytest.mark.django_db

NAME = re.compile(r'<span class="ledger-name">([^<]+)</span>')


@pytest.fixture
def five(make_position, monkeypatch):
    monkeypatch.setattr(staff_views, "TODAY_PER_PAGE", 2)
    return [
        make_position(
            state=PositionState.OPERATING, official_name=f"工会户外劳动者服务站点·分页{i}", short_name=f"分页{i}"
        )
        for i in range(5)
    ]


def test_todays_positions_come_a_page_at_a_time(five, dalian_map, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    seen = []
    for number in (1, 2, 3):
        html = client.get("/staff/ledger/", {"today_page": number}).content.decode()
        names = NAME.findall(html)
        assert len(names) == (2 if number < 3 else 1)
        assert f"第 {number} / 3 页" in html
        seen += names
    assert sorted(seen) == sorted(p.display_name for p in five)
    first = client.get("/staff/ledger/").content.decode()
    assert "共 5 个阵地" in first and 'href="?today=missing"' in first
    assert 'href="?today_page=2"' in first and 'rel="next"' in first
    assert client.get("/staff/ledger/", {"today_page": "x"}).status_code == 200  # a bad page: the first
    assert NAME.findall(client.get("/staff/ledger/", {"today_page": 99}).content.decode()) == names  # the last


def test_the_missing_ones_are_counted_and_paged_too(five, dalian_map, make_user, login):
    DailyLedgerFactory(position=five[0], day=timezone.localdate())
    client = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    html = client.get("/staff/ledger/", {"today": "missing"}).content.decode()
    assert "4 个阵地今日尚未录入台账" in html
    assert len(NAME.findall(html)) == 2
    second = client.get("/staff/ledger/", {"today": "missing", "today_page": 2}).content.decode()
    assert five[0].display_name not in NAME.findall(html) + NAME.findall(second)
    assert 'href="?today=missing&amp;today_page=1"' in second  # the filter is kept while paging
