"""The feedback list names each station as the clerk knows it (issue 21's screenshots): its short
name, not the numbered official name (工会户外劳动者服务站点·解放路社区驿站52), which on a phone
wrapped to five lines per row; a station without a short name keeps its official one."""

import pytest

from yizhan.core.roles import Role
from yizhan.ledger.tests.factories import FeedbackFactory
from yizhan.positions.choices import PositionState

pytestmark = pytest.mark.django_db


def test_the_list_shows_short_names(dalian_map, make_user, login, make_position):
    named = make_position(
        state=PositionState.OPERATING,
        official_name="工会户外劳动者服务站点·解放路社区驿站52",
        short_name="解放路社区驿站",
    )
    unnamed = make_position(
        state=PositionState.OPERATING, official_name="工会户外劳动者服务站点·黄河路爱心驿站48", short_name=""
    )
    FeedbackFactory(position=named, text="微波炉排队的人有点多")
    FeedbackFactory(position=unnamed, text="管理员很热情")
    client = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    html = client.get("/staff/feedback/").content.decode()
    assert "<td>解放路社区驿站</td>" in html
    assert "工会户外劳动者服务站点·解放路社区驿站52" not in html
    assert "<td>工会户外劳动者服务站点·黄河路爱心驿站48</td>" in html
