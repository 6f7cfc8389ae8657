"""The staff forms and lists as clerks expect them (issue 21 §8): no "---------" empty choice, several
choices as checkbox groups (never a Ctrl-click multi-select), dates as date inputs and shown as
2026年12月6日, a position's history newest first."""

from __future__ import annotations

import re
from datetime import date

import pytest

from yizhan.core.roles import Role
from yizhan.orgs.tests.factories import MembershipFactory
from yizhan.positions import services
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(dalian, login):
    admin = MembershipFactory(unit=dalian["zs"], role=Role.UNIT_ADMIN)
    federation = MembershipFactory(unit=dalian["city"], role=Role.FEDERATION_ADMIN)
    security = MembershipFactory(unit=dalian["city"], role=Role.SECURITY_ADMIN)
    return {"admin": login(admin.user), "federation": login(federation.user), "security": login(security.user)}


def test_no_select_offers_dashes(dalian, clients):
    position = PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING)
    pages = [
        ("admin", "/staff/positions/"),
        ("admin", "/staff/positions/new/"),
        ("admin", f"/staff/positions/{position.pk}/edit/"),
        ("admin", f"/staff/positions/{position.pk}/"),
        ("admin", f"/staff/units/{dalian['zs'].pk}/new/"),
        ("federation", f"/staff/units/{dalian['street'].pk}/move/"),
        ("security", "/staff/accounts/"),
    ]
    for who, url in pages:
        html = clients[who].get(url).content.decode()
        assert "<select" in html, url
        assert "---------" not in html, url
        assert not re.search(r"<select[^>]*\bmultiple\b", html), url
    form = clients["admin"].get("/staff/positions/new/").content.decode()
    assert '<option value="" selected>按坐标自动判定</option>' in form
    for name in ("verified_on", "signage_issued_on", "opened_on"):
        assert re.search(rf'<input type="date" name="{name}"', form), name
    accounts = clients["security"].get("/staff/accounts/").content.decode()
    assert '<option value="" selected>请选择</option>' in accounts


def test_the_facility_filter_is_a_checkbox_group(dalian, clients):
    html = clients["admin"].get("/staff/positions/", {"facility": ["microwave", "wifi"]}).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="facility" value="(\w+)"[^>]*>', html)
    assert len(boxes) == 15
    assert sorted(re.findall(r'<input type="checkbox" name="facility" value="(\w+)"[^>]*checked', html)) == [
        "microwave",
        "wifi",
    ]
    assert '<span class="filter-count">已选 2 项</span>' in html  # said on the folded panel's summary


def test_dates_read_in_chinese_and_history_is_newest_first(dalian, clients, make_actor):
    actor = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    position = PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING, verified_on=date(2026, 3, 5))
    services.position_transition(
        actor=actor, position=position, to_state="suspended", reason="先暂停", expected_reopen_on=date(2030, 1, 31)
    )
    position.refresh_from_db()
    services.position_transition(actor=actor, position=position, to_state="operating", reason="后恢复")
    html = clients["admin"].get(f"/staff/positions/{position.pk}/").content.decode()
    assert "2026年3月5日" in html and "2026-03-05" not in html
    assert "2030年1月31日" in html
    history = html[html.index('id="h-history"') :]
    assert history.index("后恢复") < history.index("先暂停")
    listing = clients["admin"].get("/staff/positions/").content.decode()
    assert "2026年3月5日" in listing
