"""Each log line is written once, and an answer of 400 or more is one line with its status, path
and request id — a traceback only for a server error (issue 12). Seen where a developer sees it:
the stderr of a real development server (`manage.py runserver`, as `make run` starts it), in both
LOG_FORMATs."""

from __future__ import annotations

import http.cookiejar
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from yizhan.core.logs import REQUEST_ID_HEADER
from yizhan.core.testing import instances
from yizhan.tests.core.logs_server_urls import SERVER_ERROR_MESSAGE

PROJECT_DIR = Path(__file__).resolve().parents[3]
SETTINGS = "yizhan.tests.core.logs_server_settings"
USERNAME, PASSWORD = "logs_reviewer", "Logs-once-test-2026"
TIMEOUT = 60

# A throw-away instance: migrated (on a SQLite run, a copy of the run's migrated test database,
# core.testing.instances, leaves `migrate` nothing to do), with one 评议小组成员 (may not see
# accounts or the audit log).
SETUP = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", "--no-input", verbosity=0)
from yizhan.core.roles import Role
from yizhan.orgs.choices import RegionLevel, UnitType
from yizhan.orgs.models import Membership, Region, User
from yizhan.orgs.services import federation_create
province = Region.objects.create(adcode="210000", name="辽宁省", level=RegionLevel.PROVINCE)
city = Region.objects.create(adcode="210200", name="大连市", level=RegionLevel.CITY, parent=province)
unit = federation_create(code="DL", name="大连市总工会", type=UnitType.CITY_FEDERATION, region=city)
user = User.objects.create_user(username={USERNAME!r}, password={PASSWORD!r})
Membership.objects.create(user=user, unit=unit, role=Role.REVIEWER)
"""


def server_env(database: Path, log_format: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": f"sqlite:///{database}",
        "CONN_MAX_AGE": "0",
        "LOG_FORMAT": log_format,
        "LOG_LEVEL": "INFO",
        # One public request per minute: the second answers 429.
        "YIZHAN_PUBLIC_RATE": "1/m",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="module")
def database(tmp_path_factory, child_databases) -> Path:
    path = tmp_path_factory.mktemp("logs-once") / "db.sqlite3"
    instances.sqlite_copy(path)
    result = subprocess.run(
        [sys.executable, "-c", SETUP],
        cwd=PROJECT_DIR,
        env=server_env(path, "plain"),
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 2,
    )
    assert result.returncode == 0, result.stderr
    return path


@dataclass
class Entry:
    """One log record as written: its first line's fields and whether a traceback followed."""

    level: str
    logger: str
    request_id: str | None
    message: str
    status: int | None
    traceback: str

    def mentions(self, path: str) -> bool:
        return path in self.message


PLAIN_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) (?P<logger>\S+) \[(?P<id>[^\]]*)\] (?P<message>.*)$"
)


def parse_plain(text: str) -> list[Entry]:
    entries: list[Entry] = []
    for line in text.splitlines():
        match = PLAIN_LINE.match(line)
        if match:
            status = re.match(r"(\d{3}) ", match["message"]) if match["logger"] != "django.server" else None
            entries.append(
                Entry(
                    level=match["level"],
                    logger=match["logger"],
                    request_id=None if match["id"] == "-" else match["id"],
                    message=match["message"],
                    status=int(status[1]) if status else None,
                    traceback="",
                )
            )
        else:
            assert entries, f"stderr starts with a line that is not a log line: {line!r}"
            entries[-1].traceback += line + "\n"
    return entries


def parse_json(text: str) -> list[Entry]:
    entries = []
    for line in text.splitlines():
        record = json.loads(line)  # every line of stderr is one JSON object
        entries.append(
            Entry(
                level=record["level"],
                logger=record["logger"],
                request_id=record["request_id"],
                message=record["message"],
                status=record.get("status"),
                traceback=record.get("exception", ""),
            )
        )
    return entries


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """An HTTP client with its own cookies; answers of 400 and more are returned, not raised."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, *, data: dict | None = None, request_id: str | None = None) -> tuple[int, str]:
        headers = {REQUEST_ID_HEADER: request_id} if request_id else {}
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def login(self) -> None:
        status, page = self.request("/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        form = {"csrfmiddlewaretoken": token, "username": USERNAME, "password": PASSWORD}
        status, _ = self.request("/login/", data=form)
        assert status == 200, "the login did not reach a page"


def run_server(database: Path, log_format: str, tmp_path: Path, visit) -> str:
    """Start `manage.py runserver` as `make run` does (DEBUG on, development mode), call
    visit(base_url), stop the server and return everything it wrote on stderr."""
    port = free_port()
    stderr_path = tmp_path / f"server-{log_format}.stderr"
    with stderr_path.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            cwd=PROJECT_DIR,
            env=server_env(database, log_format),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            deadline = time.monotonic() + TIMEOUT
            while True:  # a bare connection, no request: the server writes nothing for it
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert server.poll() is None, stderr_path.read_text()
                    assert time.monotonic() < deadline, "the development server did not start"
                    time.sleep(0.2)
            visit(f"http://127.0.0.1:{port}")
            time.sleep(0.5)  # the server writes its own line after the answer is sent
        finally:
            server.terminate()
            server.wait(timeout=TIMEOUT)
    return stderr_path.read_text()


def new_id(name: str) -> str:
    return f"logs-once-{name}-{uuid.uuid4().hex[:8]}"


# (name, path, expected status); each path is asked once, by a request with an id of its own.
REFUSALS = [
    ("404", "/no-such-page-logs-once/", 404),
    ("401", "/api/v1/positions?limit=1", 401),
    ("public-404", "/api/v1/public/positions/999999001", 404),
    ("429", "/api/v1/public/positions/999999002", 429),
    ("403-page", "/staff/accounts/", 403),
    ("403-api", "/api/v1/audit", 403),
]


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_every_answer_is_one_line_and_only_a_server_error_has_a_traceback(database, tmp_path, log_format):
    ids: dict[str, str] = {}

    def visit(base: str) -> None:
        anonymous, reviewer = Browser(base), Browser(base)
        assert anonymous.request("/health/live")[0] == 200
        reviewer.login()
        for name, path, expected in REFUSALS:
            client = reviewer if name.startswith("403") else anonymous
            ids[name] = new_id(name)
            assert client.request(path, request_id=ids[name])[0] == expected, name
        ids["csrf"] = new_id("csrf")
        assert Browser(base).request("/login/", data={"username": "x"}, request_id=ids["csrf"])[0] == 403
        ids["500"] = new_id("500")
        assert anonymous.request("/test-server-error/", request_id=ids["500"])[0] == 500

    stderr = run_server(database, log_format, tmp_path, visit)
    entries = (parse_json if log_format == "json" else parse_plain)(stderr)

    # A successful answer: the development server's one line, no other.
    assert [e.logger for e in entries if e.mentions("/health/live")] == ["django.server"]

    refusals = [*((name, path.split("?")[0], status) for name, path, status in REFUSALS), ("csrf", "/login/", 403)]
    for name, path, status in refusals:
        lines = [e for e in entries if e.request_id == ids[name]]
        assert len(lines) == 1, (name, stderr)
        (line,) = lines
        assert line.status == status and line.mentions(path), (name, line)
        assert line.traceback == "", (name, line.traceback)
        # The development server's own line for the same answer is left out.
        assert not [e for e in entries if e.logger == "django.server" and f'{path} HTTP/1.1" {status} ' in e.message]
    assert not [e for e in entries if e.logger == "django.server" and re.search(r'" 4\d\d ', e.message)], stderr
    assert "Forbidden (Permission denied): /staff/accounts/" in stderr

    (error,) = [e for e in entries if e.request_id == ids["500"]]
    assert error.status == 500 and error.level == "ERROR" and error.mentions("/test-server-error/")
    assert "Traceback (most recent call last)" in error.traceback
    assert f"RuntimeError: {SERVER_ERROR_MESSAGE}" in error.traceback
    assert not [e for e in entries if e.logger == "django.server" and e.mentions("/test-server-error/")]

    # Nothing else carries a traceback, and no line is written twice.
    assert [e.request_id for e in entries if e.traceback] == [ids["500"]]
    written = [(e.logger, e.request_id, e.message) for e in entries if e.request_id]
    assert len(written) == len(set(written)), stderr


def test_django_loggers_have_no_handler_of_their_own():
    """Django's default LOGGING gives `django` (DEBUG on) and `django.server` handlers of their own;
    ours leaves one handler, on the root logger, so no django.* record is written twice."""
    for name in ("django", "django.server", "django.request", "django.security.csrf"):
        logger = logging.getLogger(name)
        assert logger.handlers == [] and logger.propagate, name
    assert len(logging.getLogger().handlers) >= 1
