"""Imports in progress on the 工作台 (issue 21 §6): a large xlsx file is imported in the background
(its progress kept in the cache, not as a background job), and while it runs the importing user's
工作台 counts it, with a link to its progress page; when it ends it is no longer counted; nobody
else sees it."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yizhan.core.dashboard import dashboard_for
from yizhan.core.roles import Role
from yizhan.positions.dashboard import IMPORTS_RUNNING
from yizhan.positions.imports import views as import_views
from yizhan.positions.imports.xlsx import ImportResult

pytestmark = pytest.mark.django_db


def imports_figure(actor):
    panel = next(p for p in dashboard_for(actor=actor).panels if p.name == "positions")
    return next((f for f in panel.figures if str(f.label) == str(IMPORTS_RUNNING)), None), panel


@pytest.fixture
def held_import(monkeypatch, settings):
    """The import itself waits until released, so the test sees it running in the background."""
    settings.YIZHAN_IMPORT_SYNC_BYTES = 10  # any file goes to the background
    release, started, finished = threading.Event(), threading.Event(), threading.Event()

    def slow_import(*, actor, file, dry_run, progress):
        started.set()
        release.wait(10)
        return ImportResult(total=0, created=0, updated=0, unchanged=0, transitioned=0, dry_run=dry_run)

    real_run = import_views._run

    def run(*args, **kwargs):
        try:
            return real_run(*args, **kwargs)
        finally:
            finished.set()

    monkeypatch.setattr(import_views, "positions_import", slow_import)
    monkeypatch.setattr(import_views, "_run", run)
    return release, started, finished


def test_a_background_import_is_counted_while_it_runs_with_a_link_to_its_progress(
    dalian, make_actor, login, held_import
):
    release, started, finished = held_import
    admin = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    other = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    assert imports_figure(admin)[0] is None  # nothing running: no figure
    client = login(admin.user)
    upload = SimpleUploadedFile("站点表.xlsx", b"x" * 100)
    response = client.post(reverse("positions:import"), {"file": upload})
    assert response.status_code == 302
    status_url = response["Location"]
    assert started.wait(10)

    figure, panel = imports_figure(admin)
    assert figure.count == 1 and figure.url == status_url and figure.todo
    assert panel.links[0].url == status_url  # then 登记阵地 and 导入 Excel: no position yet
    assert "站点表.xlsx" in str(panel.links[0].label)
    page = client.get(reverse("staff:home")).content.decode()
    assert str(IMPORTS_RUNNING) in page and status_url in page
    assert client.get(status_url).status_code == 200
    assert imports_figure(other)[0] is None  # another user's import is not theirs to follow

    release.set()
    assert finished.wait(10)
    assert imports_figure(admin)[0] is None


def test_a_station_manager_who_cannot_import_has_no_such_figure(dalian, make_actor):
    manager = make_actor(Role.STATION_MANAGER, dalian["street"])
    panel = next((p for p in dashboard_for(actor=manager).panels if p.name == "positions"), None)
    assert panel is None or all(str(f.label) != str(IMPORTS_RUNNING) for f in panel.figures)


def test_an_import_left_behind_by_a_stopped_server_is_over_after_the_timeout(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(import_views.time, "time", lambda: now[0])
    import_views._track("t1", {"user": 7, "name": "a.xlsx", "state": "running"})
    assert import_views.running_imports(7) == [("t1", "a.xlsx")]
    now[0] += import_views.JOB_TIMEOUT + 1
    assert import_views.running_imports(7) == []
