"""grant_award: one grant per source and position, by the federation, in its scope."""

import datetime as dt

import pytest

from yizhan.core.audit import audit_verify
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.grants import services
from yizhan.grants.choices import GrantState
from yizhan.grants.models import Grant
from yizhan.grants.money import NOT_POSITIVE

pytestmark = pytest.mark.django_db
DAY = dt.date(2022, 8, 1)
TITLE = "2022 年度最美工会户外劳动者服务站点 补助资金"


def award(actor, position, **overrides):
    values = {"amount_fen": 500_000, "title": TITLE, "source": "campaign:3", "awarded_on": DAY}
    values.update(overrides)
    return services.grant_award(actor=actor, position=position, **values)


def test_awards_to_the_positions_unit(fed, zs_station):
    grant = award(fed, zs_station)
    assert (grant.unit, grant.amount_fen, grant.balance_fen, grant.state) == (
        zs_station.unit,
        500_000,
        500_000,
        GrantState.AWARDED,
    )
    assert grant.awarded_by == fed.user.get_username()
    assert audit_verify().ok


def test_awarding_again_returns_the_same_grant(fed, zs_station):
    first = award(fed, zs_station)
    again = award(fed, zs_station, amount_fen=1)
    assert again.pk == first.pk and again.amount_fen == 500_000
    assert Grant.objects.count() == 1
    assert award(fed, zs_station, source="campaign:4").pk != first.pk


@pytest.mark.parametrize("amount", [0, -1, 1.5, True])
def test_amount_must_be_positive_integer_fen(fed, zs_station, amount):
    with pytest.raises(ApplicationError) as error:
        award(fed, zs_station, amount_fen=amount)
    assert error.value.message == str(NOT_POSITIVE)


def test_title_and_source_required(fed, zs_station):
    with pytest.raises(ApplicationError) as error:
        award(fed, zs_station, title=" ")
    assert error.value.message == str(services.TITLE_REQUIRED)
    with pytest.raises(ApplicationError) as error:
        award(fed, zs_station, source="")
    assert error.value.message == str(services.SOURCE_REQUIRED)


def test_unit_admin_may_not_award(zs, zs_station):
    with pytest.raises(PermissionDeniedError):
        award(zs, zs_station)


def test_outside_scope_is_not_found(dalian, make_actor, zs_station):
    from yizhan.core.roles import Role

    other_fed = make_actor(Role.FEDERATION_ADMIN, dalian["xg"])  # a role held elsewhere: no reach
    with pytest.raises(NotFoundError):
        award(other_fed, zs_station)
    assert not Grant.objects.exists()
