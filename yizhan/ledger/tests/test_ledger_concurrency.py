"""Two people enter the same day of the same position at the same moment (issue 15 "Bad input"):
one is saved, the other is told with a conflict naming who entered it; nothing is lost (the winner's
figures stand whole) and the audit chain stays unbroken. PostgreSQL: SQLite's in-memory test
database cannot hold several writing connections."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from yizhan.core.audit import audit_verify
from yizhan.core.errors import ConflictError
from yizhan.core.roles import Role
from yizhan.ledger import services
from yizhan.ledger.models import DailyLedger, DailyLedgerRevision

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 4


def test_same_day_entered_at_once_one_wins_the_others_get_a_conflict(dalian_map, make_actor, station):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and several writing connections need PostgreSQL")
    actors = [make_actor(Role.STATION_MANAGER, dalian_map["zs"]) for _ in range(THREADS)]
    day = timezone.localdate()
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = []

    def enter(index: int) -> None:
        try:
            barrier.wait()
            saved = services.ledger_day_save(
                actor=actors[index], position=station, day=day, figures={"visits_delivery": 10 + index}
            )
            outcomes.append(saved.outcome)
        except BaseException as error:  # noqa: BLE001 - compared below
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enter, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    created = [o for o in outcomes if o == services.LedgerOutcome.CREATED]
    conflicts = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(created) == 1 and len(conflicts) == THREADS - 1, outcomes
    ledger = DailyLedger.objects.get()
    winner = next(a for a in actors if a.user.get_username() == ledger.entered_by_name)
    assert ledger.visits_delivery == 10 + actors.index(winner)
    assert all(winner.user.get_username() in c.message and c.extra["version"] == 1 for c in conflicts)
    assert not DailyLedgerRevision.objects.exists()
    assert audit_verify().ok
