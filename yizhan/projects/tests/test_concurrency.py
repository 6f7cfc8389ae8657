"""Subsidies of one project paid at the same moment (issue 19 Part C §4): the earlier payments are
read under the project's row lock, so six federation admins paying the same honour pay it once and
paying city, provincial and national at once still sums to the highest honour. PostgreSQL: SQLite's
in-memory test database cannot hold several writing connections."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, connections

from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Role
from yizhan.projects import services
from yizhan.projects.choices import ProjectState
from yizhan.projects.models import SubsidyPayment
from yizhan.projects.tests.factories import ServiceProjectFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(actors, project, levels):
    barrier = threading.Barrier(len(levels))
    outcomes: list[object] = []

    def pay(index: int) -> None:
        try:
            barrier.wait()
            outcomes.append(
                services.subsidy_pay(
                    actor=actors[index], project=project, level=levels[index], paid_on=dt.date(2024, 9, 1)
                )
            )
        except BaseException as error:  # noqa: BLE001 - compared below
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(len(levels))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("levels", [["city"] * 6, ["city", "provincial", "national", "city", "provincial", "national"]])
def test_concurrent_subsidies_pay_the_highest_honour_once(dalian, make_actor, levels):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and several writing connections need PostgreSQL")
    project = ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.ARCHIVED)
    actors = [make_actor(Role.FEDERATION_ADMIN, dalian["city"]) for _ in levels]
    outcomes = _race(actors, project, levels)
    assert not [o for o in outcomes if isinstance(o, IntegrityError)], outcomes
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    paid = [o for o in outcomes if isinstance(o, SubsidyPayment)]
    assert len(paid) + len(refused) == len(levels), outcomes
    highest = {"city": 1_000_000, "provincial": 2_000_000, "national": 3_000_000}
    assert sum(SubsidyPayment.objects.values_list("amount_fen", flat=True)) == max(highest[lv] for lv in levels)
    assert len({p.level for p in paid}) == len(paid)
