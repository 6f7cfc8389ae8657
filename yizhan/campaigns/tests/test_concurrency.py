"""Several admins of one unit nominate at the same moment (issue 17 §4): exactly the unit's quota
succeeds, every other one is refused as over quota — the quota row is locked before counting.
PostgreSQL: SQLite's in-memory test database cannot hold several writing connections."""

import threading

import pytest
from django.db import connection, connections

from yizhan.campaigns import services
from yizhan.campaigns.models import Nomination
from yizhan.core.audit import audit_verify
from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


def test_exactly_the_quota_succeeds_when_admins_nominate_at_once(published, stations, dalian, make_actor):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and several writing connections need PostgreSQL")
    actors = [make_actor(Role.UNIT_ADMIN, dalian["zs"]) for _ in range(THREADS)]
    positions = stations["zs"][:THREADS]  # six eligible stations, quota 4
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = []

    def nominate(index: int) -> None:
        try:
            barrier.wait()
            outcomes.append(
                services.nomination_create(
                    actor=actors[index], campaign=published, position=positions[index], statement="同时推荐"
                )
            )
        except BaseException as error:  # noqa: BLE001 - compared below
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=nominate, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    saved = [o for o in outcomes if isinstance(o, Nomination)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(saved) == 4 and len(refused) == THREADS - 4, outcomes
    assert all("中山区总工会的推荐名额为 4 个，已推荐 4 个" in e.message for e in refused)
    assert Nomination.objects.filter(campaign=published).count() == 4
    assert audit_verify().ok
