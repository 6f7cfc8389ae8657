"""Past-due suspensions (issue 21 §5): suspended with an expected reopening date before today. One
rule (`rules.suspension_overdue`), the same as a query (`Position.objects.suspension_overdue`,
which the staff's list and queue filter with)."""

from datetime import date, timedelta

import pytest

from yizhan.core.roles import Role
from yizhan.positions import services
from yizhan.positions.models import Position
from yizhan.positions.rules import suspension_overdue
from yizhan.positions.tests.conftest import XIGANG

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)


@pytest.fixture
def suspensions(make_position, zs_admin, dalian_map, make_actor):
    """Suspended positions reopening yesterday, today, tomorrow and never said; an operating one;
    one past due in 西岗区."""
    made = {}
    cases = [
        ("yesterday", TODAY - timedelta(days=1), zs_admin, None),
        ("today", TODAY, zs_admin, None),
        ("tomorrow", TODAY + timedelta(days=1), zs_admin, None),
        ("unsaid", None, zs_admin, None),
        ("long_ago", TODAY - timedelta(days=300), make_actor(Role.UNIT_ADMIN, dalian_map["xg"]), dalian_map["xg"]),
    ]
    for name, reopen, actor, unit in cases:
        where = {"lng": XIGANG[0], "lat": XIGANG[1]} if unit is not None else {}
        p = make_position(actor=actor, unit=unit, state="operating", **where)
        made[name] = services.position_transition(
            actor=actor, position=p, to_state="suspended", reason="检修", expected_reopen_on=reopen
        )
    made["operating"] = make_position(state="operating")
    return made


def test_the_rule_and_the_query_agree(suspensions):
    overdue = {
        name
        for name, p in suspensions.items()
        if suspension_overdue(state=p.state, expected_reopen_on=p.expected_reopen_on, today=TODAY)
    }
    assert overdue == {"yesterday", "long_ago"}
    by_code = {p.code: name for name, p in suspensions.items()}
    assert {by_code[p.code] for p in Position.objects.suspension_overdue(TODAY)} == overdue


def test_an_operating_position_is_never_overdue():
    assert not suspension_overdue(state="operating", expected_reopen_on=TODAY - timedelta(days=5), today=TODAY)
