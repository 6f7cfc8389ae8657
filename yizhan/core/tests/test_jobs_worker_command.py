"""`yizhan jobs-worker`'s options reach the backend's worker: how often the database queue is looked
at when it is empty (`--interval`, one second by default; the job tests' workers look every 0.1 s)
and `--burst`. The workers themselves run in yizhan/tests/core/test_jobs_workers.py."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from yizhan.core.management.commands import jobs_worker


@pytest.fixture
def started(monkeypatch, settings) -> list[tuple[str, dict]]:
    settings.YIZHAN_JOBS_BACKEND = "database"
    calls: list[tuple[str, dict]] = []
    monkeypatch.setattr(jobs_worker, "call_command", lambda name, **options: calls.append((name, options)))
    return calls


@pytest.mark.django_db
def test_the_database_queue_is_looked_at_every_second_by_default(started):
    call_command("jobs_worker", "--burst")
    [(name, options)] = started
    assert name == "db_worker"
    assert options["interval"] == 1 and options["batch"] is True
    assert options["queue_name"] == jobs_worker.settings.YIZHAN_JOBS_QUEUE


@pytest.mark.django_db
def test_the_interval_is_the_one_asked_for(started):
    call_command("jobs_worker", "--interval", "0.1")
    [(name, options)] = started
    assert (name, options["interval"], options["batch"]) == ("db_worker", 0.1, False)
