"""Uses of one grant recorded at the same moment (issue 17 §8): the balance is checked under the
grant's row lock, so uses beyond it are refused and the sum never exceeds the grant. PostgreSQL:
SQLite's in-memory test database cannot hold several writing connections."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Role
from yizhan.grants import services
from yizhan.grants.choices import UsePurpose
from yizhan.grants.models import Grant, GrantUse
from yizhan.grants.tests.factories import GrantFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6
EACH = 150_000  # 1,500 yuan: three fit in 5,000 yuan, the other three must be refused


def test_concurrent_uses_never_exceed_the_grant(dalian, make_actor):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and several writing connections need PostgreSQL")
    grant = GrantFactory(position__unit=dalian["zs"])
    actors = [make_actor(Role.UNIT_ADMIN, dalian["zs"]) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = []

    def spend(index: int) -> None:
        try:
            barrier.wait()
            outcomes.append(
                services.grant_use_record(
                    actor=actors[index],
                    grant=grant,
                    amount_fen=EACH,
                    purpose=UsePurpose.OPERATION,
                    used_on=dt.date(2022, 9, 1),
                    description=f"日常运营 {index}",
                )
            )
        except BaseException as error:  # noqa: BLE001 - compared below
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=spend, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    saved = [o for o in outcomes if isinstance(o, GrantUse)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(saved) == 3 and len(refused) == 3, outcomes
    assert all("超出余额" in error.message for error in refused)
    grant = Grant.objects.get()
    assert grant.spent_fen == 3 * EACH == sum(u.amount_fen for u in GrantUse.objects.all())
    assert grant.balance_fen == 50_000
