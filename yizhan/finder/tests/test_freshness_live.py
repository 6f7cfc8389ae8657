"""The public answers follow every write at once, whoever makes it (issue 12 §1), checked the way a
running site meets them: two server processes (gunicorn, one worker each, connections reused as in
production) over one throw-away database with the demo, each index warmed by a first question,
then writes through the real entry points — `yizhan import-positions` in another process, the
staff page import and the API through one server, raw SQL from another connection, a restore —
and at once both servers' `/api/v1/public/nearby` must show them. No test tells the index anything.

The database is SQLite in a temporary folder, or a database of its own on the PostgreSQL server
DATABASE_URL names (dropped afterwards): a copy of this run's migrated test database with the
demo's rows and files (core.testing.instances). Before issue 12 the CLI import, the page import,
raw SQL and the restore never reached a running server, and a write through one server never
reached the other."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime
from http.cookiejar import CookieJar
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from yizhan.core.testing import instances
from yizhan.positions.tests.conftest import ZHONGSHAN
from yizhan.positions.tests.test_import import row, workbook

PROJECT_DIR = Path(__file__).resolve().parents[3]
TIMEOUT = 180
PASSWORD = "Yizhan-demo-2026"
STAFF = "zs_admin"  # 中山区总工会's unit admin in the demo (no second factor)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """One throw-away installation (database and MEDIA_ROOT) with the demo loaded: a copy of this
    run's migrated test database with the demo's rows and files (core.testing.instances), as
    `manage.py migrate` and `manage.py demo` leave a new installation."""

    def __init__(self, folder: Path, database: instances.Database):
        self.folder = folder
        self.database = database
        self.database_url = database.url
        self.sqlite_path = database.sqlite_path
        self.media = folder / "media"

    def env(self) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "yizhan.settings",
            "DATABASE_URL": self.database_url,
            "MEDIA_ROOT": str(self.media),
            "CONN_MAX_AGE": "60",  # reused connections, as served
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "YIZHAN_PUBLIC_RATE": "off",
        }

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def execute(self, sql: str, params: tuple) -> None:
        """Raw SQL from a connection of its own (not Django's, not a server's), committed."""
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path, timeout=30) as conn:
                conn.execute(sql.replace("%s", "?"), params)
            conn.close()
            return
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            conn.execute(sql, params)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.sqlite_path is not None:
            conn = sqlite3.connect(self.sqlite_path, timeout=30)
            try:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def drop(self) -> None:
        self.database.drop()


class Server:
    """gunicorn with one worker (one process, one index) on a port of its own."""

    def __init__(self, site: Site, log: Path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "yizhan.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                "--workers=1",
                "--access-logfile=/dev/null",
                "--log-level=warning",
            ],
            cwd=PROJECT_DIR,
            env=site.env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(self.base + "/health/live", timeout=10) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                assert self.process.poll() is None, f"gunicorn stopped: {log.read_text()}"
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)

    def nearby(self, lng: float, lat: float, **params) -> dict[str, dict]:
        """The public nearby answer around a GCJ-02 point, by position code."""
        query = urllib.parse.urlencode({"lng": lng, "lat": lat, "crs": "gcj02", "radius": 300, "limit": 50, **params})
        with urllib.request.urlopen(f"{self.base}/api/v1/public/nearby?{query}", timeout=30) as response:  # noqa: S310
            return {item["code"]: item for item in json.loads(response.read())["results"]}

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)
        self.log.close()


class Staff:
    """A staff member signed in through the login form of one server (session and CSRF cookies)."""

    def __init__(self, server: Server, username: str = STAFF):
        self.base = server.base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        token = self._form_token("/login/")
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        with self.opener.open(self.base + "/login/", data=form.encode(), timeout=30) as response:
            assert urllib.parse.urlsplit(response.geturl()).path == "/staff/", "signed in"

    def _form_token(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())[1]

    def _csrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def post_json(self, path: str, body: dict) -> tuple[int, dict]:
        request = urllib.request.Request(  # noqa: S310 - our own server
            self.base + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self._csrf(), "Referer": self.base + "/"},
            method="POST",
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def upload(self, path: str, name: str, content: bytes) -> int:
        """A form with one file, as the browser sends it (multipart, CSRF token from the page)."""
        token = self._form_token(path)
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(  # noqa: S310 - our own server
            self.base + path,
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": self.base + path},
            method="POST",
        )
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        try:
            with opener.open(request, timeout=120) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def site(tmp_path_factory, child_databases, django_db_blocker):
    folder = tmp_path_factory.mktemp("freshness")
    made = Site(folder, child_databases(folder, "fresh"))
    try:
        with django_db_blocker.unblock():
            instances.write_demo(made.database, made.media)
        made.archive = folder / "before.zip"
        made.manage("backup", str(made.archive))
        yield made
    finally:
        made.drop()


@pytest.fixture(scope="module")
def servers(site, tmp_path_factory):
    logs = tmp_path_factory.mktemp("server-logs")
    started = []
    try:
        for n in range(2):
            started.append(Server(site, logs / f"server{n}.log"))
        for server in started:
            assert server.nearby(*ZHONGSHAN, radius=5000), "the index is built and warm"
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture(scope="module")
def stations(site) -> list[tuple[int, str, float, float]]:
    """Operating demo stations of 中山区 (within the signed-in admin's scope), (id, code, lng, lat)
    by code, read before any test changes them: each test takes its own."""
    rows = site.query(
        "SELECT p.id, p.code, p.lng, p.lat FROM positions_position p JOIN orgs_unit u ON u.id = p.unit_id"
        " WHERE p.state = 'operating' AND p.kind = 'station' AND u.code LIKE 'DL-ZS%%' ORDER BY p.code"
    )
    assert len(rows) >= 4
    return rows


def _on_every_server(servers, lng: float, lat: float, **params) -> list[dict[str, dict]]:
    return [server.nearby(lng, lat, **params) for server in servers]


def _xlsx(tmp_path: Path, prefix: str, points: list[tuple[float, float]]) -> Path:
    rows = [
        row(
            900 + i,
            code=f"{prefix}-{i}",
            official_name=f"工会户外劳动者服务站点·{prefix}{i}",
            address=f"中山区新鲜路{i}号",
            lng=lng,
            lat=lat,
            always_open="是",
        )
        for i, (lng, lat) in enumerate(points, start=1)
    ]
    path = tmp_path / f"{prefix}.xlsx"
    path.write_bytes(workbook(*rows))
    return path


NEW_POINTS = [(ZHONGSHAN[0] + 0.0101, ZHONGSHAN[1] + 0.0033), (ZHONGSHAN[0] + 0.0105, ZHONGSHAN[1] + 0.0031)]


def test_a_cli_import_in_another_process_reaches_both_servers_at_once(site, servers, tmp_path):
    point = NEW_POINTS[0]
    assert all("CLI-1" not in answer for answer in _on_every_server(servers, *point))
    path = _xlsx(tmp_path, "CLI", NEW_POINTS)
    assert "新建 2" in site.manage("import_positions", str(path), "--as", STAFF).stdout
    for answer in _on_every_server(servers, *point):
        assert {"CLI-1", "CLI-2"} <= set(answer)
        assert answer["CLI-1"]["state"] == "operating" and answer["CLI-1"]["is_open"] is True


def test_a_page_import_through_one_server_reaches_both_at_once(site, servers):
    point = (ZHONGSHAN[0] - 0.0097, ZHONGSHAN[1] + 0.0041)
    assert all("PAGE-1" not in answer for answer in _on_every_server(servers, *point))
    content = workbook(
        row(950, code="PAGE-1", official_name="工会户外劳动者服务站点·页面导入", lng=point[0], lat=point[1])
    )
    assert Staff(servers[0]).upload("/staff/positions/import/", "page.xlsx", content) == 302
    assert site.query("SELECT count(*) FROM positions_position WHERE code = 'PAGE-1'") == [(1,)]
    for answer in _on_every_server(servers, *point):
        assert "PAGE-1" in answer


def test_a_lifecycle_change_through_the_api_reaches_both_servers_at_once(servers, stations):
    pk, code, lng, lat = stations[0]
    assert all(answer[code]["state"] == "operating" for answer in _on_every_server(servers, lng, lat))
    status, _body = Staff(servers[0]).post_json(
        f"/api/v1/positions/{pk}/transition", {"to_state": "suspended", "reason": "管道检修"}
    )
    assert status == 200
    for answer in _on_every_server(servers, lng, lat):
        assert answer[code]["state"] == "suspended" and answer[code]["state_reason"] == "管道检修"
    for answer in _on_every_server(servers, lng, lat, include_suspended="false"):
        assert code not in answer


def test_an_hours_exception_through_the_api_reaches_both_servers_at_once(servers, stations):
    pk, code, lng, lat = stations[1]
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    status, _body = Staff(servers[0]).post_json(
        f"/api/v1/positions/{pk}/hours-exceptions", {"start": today, "end": today, "closed": True, "reason": "停电"}
    )
    assert status == 201
    for answer in _on_every_server(servers, lng, lat):
        assert answer[code]["is_open"] is False  # still listed, closed today
    for answer in _on_every_server(servers, lng, lat, open_now="true"):
        assert code not in answer


def test_a_delisting_through_the_api_disappears_from_both_servers_at_once(servers, stations):
    pk, code, lng, lat = stations[2]
    assert all(code in answer for answer in _on_every_server(servers, lng, lat))
    status, _body = Staff(servers[0]).post_json(
        f"/api/v1/positions/{pk}/transition", {"to_state": "delisted", "reason": "场地收回"}
    )
    assert status == 200
    for answer in _on_every_server(servers, lng, lat):
        assert code not in answer


def test_raw_sql_from_another_connection_reaches_both_servers_at_once(site, servers, stations):
    _pk, code, lng, lat = stations[3]
    moved = (lng + 0.03, lat - 0.02)
    assert all(code not in answer for answer in _on_every_server(servers, *moved, radius=50))
    site.execute("UPDATE positions_position SET lng = %s, lat = %s WHERE code = %s", (*moved, code))
    for answer in _on_every_server(servers, *moved, radius=50):
        assert answer[code]["distance_m"] == 0


def test_a_restore_reaches_both_servers_at_once(site, servers, tmp_path):
    """The restore (another process) replaces every row: the servers start over from it."""
    point = (ZHONGSHAN[0] + 0.0203, ZHONGSHAN[1] - 0.0011)
    site.manage("import_positions", str(_xlsx(tmp_path, "GONE", [point])), "--as", STAFF)
    assert all("GONE-1" in answer for answer in _on_every_server(servers, *point))
    site.manage("restore", str(site.archive), "--force")
    for answer in _on_every_server(servers, *point):
        assert "GONE-1" not in answer
