"""Concurrent writers never fork the audit chain (the head row serialises them). Needs PostgreSQL:
SQLite's in-memory test database cannot hold several writing connections."""

import threading

import pytest
from django.db import connection, connections

from yizhan.core.audit import audit_context, audit_verify
from yizhan.core.models import AuditEntry
from yizhan.orgs.choices import UnitType
from yizhan.orgs.models import Unit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 4
WRITES = 10


def test_parallel_audited_writes_keep_one_unbroken_chain(make_unit):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and several writing connections need PostgreSQL")
    root = make_unit(UnitType.CITY_FEDERATION)
    units = [make_unit(UnitType.DISTRICT, root) for _ in range(THREADS)]
    before = AuditEntry.objects.count()
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def writer(unit_pk: int) -> None:
        try:
            barrier.wait()
            with audit_context(actor_name=f"thread-{unit_pk}"):
                for i in range(WRITES):
                    unit = Unit.objects.get(pk=unit_pk)
                    unit.contact_name = f"联系人{i}"
                    unit.save()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(u.pk,)) for u in units]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AuditEntry.objects.count() - before == THREADS * WRITES
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    report = audit_verify()
    assert report.ok, report
