"""Liveness and readiness endpoints: no login, JSON, never cached; readiness names what fails."""

import pytest
from django.db import DatabaseError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_live_and_ready_answer_without_login():
    for url in ("/health/live", "/health/ready"):
        response = Client().get(url)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_ready_names_the_failing_check(monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", broken)
    response = Client().get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failed": ["database"]}


def test_ready_reports_a_cache_that_loses_what_it_is_given(monkeypatch):
    monkeypatch.setattr("django.core.cache.cache.get", lambda *args, **kwargs: None)
    response = Client().get("/health/ready")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


def test_only_get():
    assert Client().post("/health/live").status_code == 405
