"""Bounded loopback load test (issue 5, "Must be tested"): mixed public and staff traffic against
gunicorn for BENCH_SECONDS (default 180, a warm-up included), no errors, memory flat.

The server is gunicorn (3 sync workers, DEBUG off) on 127.0.0.1 over a throw-away database with the
demo federation (`yizhan demo`: Dalian's units, positions and accounts) and `load_national(BENCH_POSITIONS)`
synthetic stations (default 20,000): SQLite by default, PostgreSQL with DATABASE_URL=postgres://…
(its own test_load_mixed database). At the same time:

- public (wrk): /api/v1/public/nearby from many points, the home page and its search (/?q=西岗区),
  position pages /p/<code>/, the map's /p/points.json;
- staff (wrk, the session cookie of the district union admin `zs_admin`, signed in once by POST
  /login/): the dashboard /staff/, the position list with a filter and a page number, position
  detail pages, GET /api/v1/positions with filters;
- writes (Python threads, low rates): POST /api/v1/public/feedback, and GET + PATCH
  /api/v1/positions/{id} with the version just read (X-CSRFToken header).

The public rate limit and the feedback abuse limits stay on with budgets the load cannot reach (a
settings module of the benchmark's own overrides YIZHAN_FEEDBACK_LIMITS), so every request pays for
the check and any 429 is a failure. A 409 on PATCH (someone changed the position between the read
and the write) is the API working as documented: it is counted, the writer reads again, and it is
not a failure. Every other answer must be 2xx (staff pages must not redirect: a 302 would mean the
session was lost).

Memory: the RSS (VmRSS) of each gunicorn worker every 5 s; after the warm-up, the mean of the first
window (a minute, or a third of the measured time when shorter) against the mean of the last.

Exits non-zero when a request failed, a worker was replaced, the writes did not all land, the audit
chain does not verify afterwards, or a worker's memory grew more than BENCH_MEMORY_GROWTH (default 0.15).

    .venv/bin/python bench/load_mixed.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/load_mixed.py
    BENCH_SECONDS=120 BENCH_POSITIONS=5000 .venv/bin/python bench/load_mixed.py

Needs wrk (Debian package `wrk`). Uses REDIS_URL when set (the production cache shared by the workers),
with a key prefix of its own that it deletes afterwards.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from serving import free_port, wait_for  # noqa: E402 (bench/ is on sys.path)
from throwaway_db import throwaway_database  # noqa: E402

POSITIONS = int(os.environ.get("BENCH_POSITIONS", "20000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "180"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
PUBLIC_CONNECTIONS = int(os.environ.get("BENCH_PUBLIC_CONNECTIONS", "8"))
STAFF_CONNECTIONS = int(os.environ.get("BENCH_STAFF_CONNECTIONS", "4"))
FEEDBACK_PER_S = float(os.environ.get("BENCH_FEEDBACK_PER_S", "1"))
UPDATES_PER_S = float(os.environ.get("BENCH_UPDATES_PER_S", "2"))
MEMORY_GROWTH_LIMIT = float(os.environ.get("BENCH_MEMORY_GROWTH", "0.15"))
WARMUP_S = min(30, SECONDS // 6)
MEASURED_S = SECONDS - WARMUP_S
# The memory windows compared: a minute each, or a third of the measured time when shorter.
MEMORY_WINDOW_S = min(60, MEASURED_S // 3)
MEMORY_SAMPLE_S = 5
DB_NAME = "test_load_mixed"
STAFF_USERNAME = "zs_admin"  # district union admin of 中山区 (yizhan/orgs/demo.py), no second factor
STAFF_UNIT = "DL-ZS"
PATH_LIST_SIZE = 5000
# Share of each kind of request in the wrk path lists.
PUBLIC_MIX = {"nearby": 60, "home": 5, "search": 5, "page": 20, "points": 10}
STAFF_MIX = {"dashboard": 15, "list": 30, "detail": 30, "api": 25}

# Settings of the benchmark only: the feedback limits far above what the load sends.
SETTINGS_MODULE = "load_mixed_settings"
SETTINGS_TEXT = """from yizhan.settings import *  # noqa: F403

YIZHAN_FEEDBACK_LIMITS = {
    "client": [(10_000_000, 600)],
    "client_position": [(10_000_000, 3600)],
    "position": [(10_000_000, 86400)],
}
"""


def _configure(settings_dir: Path) -> None:
    (settings_dir / f"{SETTINGS_MODULE}.py").write_text(SETTINGS_TEXT)
    sys.path.insert(0, str(settings_dir))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(settings_dir), str(ROOT)])
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["YIZHAN_PUBLIC_RATE"] = "100000000/m"  # checked on every request, never reached
    os.environ["YIZHAN_MAP_TILES"] = "none"
    os.environ["LOG_LEVEL"] = "WARNING"  # one INFO line per feedback would bury any error line
    if os.environ.get("REDIS_URL"):
        os.environ["CACHE_KEY_PREFIX"] = f"load-mixed-{os.getpid()}"
        (settings_dir / f"{SETTINGS_MODULE}.py").write_text(
            SETTINGS_TEXT + f'CACHES["default"]["KEY_PREFIX"] = "{os.environ["CACHE_KEY_PREFIX"]}"\n'
        )


# --- Data and request paths ----------------------------------------------------------------------


@dataclass
class Targets:
    public_paths: list[str]
    staff_paths: list[str]
    feedback_ids: list[int]  # public positions anyone may give feedback on
    update_ids: list[int]  # positions in the staff account's scope


def _weighted(rng: random.Random, makers: dict, mix: dict[str, int]) -> list[str]:
    kinds = rng.choices(list(mix), weights=list(mix.values()), k=PATH_LIST_SIZE)
    return [makers[kind]() for kind in kinds]


def _targets() -> Targets:
    from yizhan.core.geo.crs import CRS, from_gcj02
    from yizhan.orgs.models import Unit
    from yizhan.positions.models import Position

    rng = random.Random(5)
    public = list(Position.objects.public().values_list("id", "code", "lng", "lat"))
    unit = Unit.objects.get(code=STAFF_UNIT)
    in_scope = list(Position.objects.filter(unit__path__startswith=unit.path).values_list("id", flat=True))

    def nearby() -> str:
        _id, _code, lng, lat = rng.choice(public)
        lng, lat = from_gcj02(lng + rng.uniform(-0.02, 0.02), lat + rng.uniform(-0.02, 0.02), CRS.WGS84)
        query = f"lat={lat:.6f}&lng={lng:.6f}&crs=wgs84&limit=5"
        if rng.random() < 0.5:
            query += "&facility=microwave&open_now=true"
        return f"/api/v1/public/nearby?{query}"

    def points() -> str:
        _id, _code, lng, lat = rng.choice(public)
        bbox = f"{lng - 0.03:.5f},{lat - 0.02:.5f},{lng + 0.03:.5f},{lat + 0.02:.5f}"
        return f"/p/points.json?bbox={urllib.parse.quote(bbox)}"

    public_makers = {
        "nearby": nearby,
        "home": lambda: "/",
        "search": lambda: "/?" + urllib.parse.urlencode({"q": "西岗区"}),
        "page": lambda: f"/p/{urllib.parse.quote(rng.choice(public)[1])}/",
        "points": points,
    }
    lists = [
        {"kind": "station", "page": "2"},
        {"state": "operating", "page": "1"},
        {"q": "人民路"},
        {"sort": "-code", "page": "2"},
    ]
    api_queries = [
        {"state": "operating", "limit": "20", "offset": "20"},
        {"kind": "station", "q": "中山", "limit": "50"},
        {"facility": "microwave", "limit": "10"},
    ]
    staff_makers = {
        "dashboard": lambda: "/staff/",
        "list": lambda: "/staff/positions/?" + urllib.parse.urlencode(rng.choice(lists)),
        "detail": lambda: f"/staff/positions/{rng.choice(in_scope)}/",
        "api": lambda: "/api/v1/positions?" + urllib.parse.urlencode(rng.choice(api_queries)),
    }
    dalian_public = [pid for pid, code, *_ in public if code.startswith("DL-")]
    return Targets(
        public_paths=_weighted(rng, public_makers, PUBLIC_MIX),
        staff_paths=_weighted(rng, staff_makers, STAFF_MIX),
        feedback_ids=dalian_public,
        update_ids=in_scope,
    )


# --- wrk ---------------------------------------------------------------------------------------------

LUA_TEMPLATE = """local paths = {
%(paths)s
}
%(headers)s
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end
init = function(args)
  statuses = {}
  i = math.random(#paths)
end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%%d duration_us=%%d p50_us=%%d p99_us=%%d "
    .. "connect=%%d read=%%d write=%%d timeout=%%d status=%%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout, e.status))
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      io.write(string.format("STATUS %%d %%d\\n", code, n))
    end
  end
end
"""


def _lua(name: str, paths: list[str], headers: dict[str, str], directory: Path) -> Path:
    script = directory / f"{name}.lua"
    header_lines = "\n".join(f'wrk.headers["{key}"] = "{value}"' for key, value in headers.items())
    items = ",\n".join(f'"{p}"' for p in paths)
    script.write_text(LUA_TEMPLATE % {"paths": items, "headers": header_lines})
    return script


def _wrk_start(base: str, script: Path, connections: int, seconds: int) -> subprocess.Popen:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), base + "/"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603


@dataclass
class ClassResult:
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    socket_errors: dict[str, int] = field(default_factory=dict)
    expected: dict[int, int] = field(default_factory=dict)  # accounted statuses (409 on PATCH)

    @property
    def failed(self) -> int:
        """Answers other than 2xx (and the accounted ones), plus socket errors."""
        bad = sum(n for code, n in self.statuses.items() if not 200 <= code < 300)
        return bad + sum(self.socket_errors.values())


def _wrk_result(process: subprocess.Popen) -> ClassResult:
    out, err = process.communicate()
    if process.returncode != 0 or "RESULT" not in out:
        raise RuntimeError(f"wrk failed ({process.returncode}): {err or out}")
    values = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", re.search(r"^RESULT (.*)$", out, re.M)[1])}
    statuses: dict[int, int] = {}
    for code, n in re.findall(r"^STATUS (\d+) (\d+)$", out, re.M):
        statuses[int(code)] = statuses.get(int(code), 0) + int(n)
    return ClassResult(
        requests=values["requests"],
        seconds=values["duration_us"] / 1e6,
        p50_ms=values["p50_us"] / 1e3,
        p99_ms=values["p99_us"] / 1e3,
        statuses=statuses,
        socket_errors={k: values[k] for k in ("connect", "read", "write", "timeout") if values[k]},
    )


# --- Python clients: sign-in and the writes ---------------------------------------------------------


def _staff_session(base: str, username: str, password: str) -> dict[str, str]:
    """Sign in through the login form (CSRF token from the page) and return the cookies."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/login/", timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    with opener.open(base + "/login/", data=form.encode(), timeout=30) as response:
        landed = urllib.parse.urlsplit(response.geturl()).path
    if landed != "/staff/":
        raise RuntimeError(f"signing in as {username} ended on {landed}, not /staff/")
    return {cookie.name: cookie.value for cookie in jar}


class Recorder:
    """Latencies and statuses of one class of Python-driven requests (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies_ms: list[float] = []
        self.statuses: dict[int, int] = {}
        self.expected: dict[int, int] = {}
        self.socket_errors: dict[str, int] = {}

    def add(self, status: int, ms: float, *, expected: bool = False) -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            target = self.expected if expected else self.statuses
            target[status] = target.get(status, 0) + 1

    def error(self, kind: str) -> None:
        with self.lock:
            self.socket_errors[kind] = self.socket_errors.get(kind, 0) + 1

    def result(self, seconds: float) -> ClassResult:
        quantiles = statistics.quantiles(self.latencies_ms, n=100) if len(self.latencies_ms) > 1 else [0.0] * 99
        return ClassResult(
            requests=len(self.latencies_ms),
            seconds=seconds,
            p50_ms=quantiles[49],
            p99_ms=quantiles[98],
            statuses=dict(self.statuses),
            socket_errors=dict(self.socket_errors),
            expected=dict(self.expected),
        )


def _call(port: int, method: str, path: str, body: dict | None, headers: dict[str, str]) -> tuple[int, bytes, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers = {**headers, "Content-Type": "application/json"}
    started = time.perf_counter()
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
    finally:
        connection.close()
    return response.status, payload, (time.perf_counter() - started) * 1e3


def _paced(stop: threading.Event, per_s: float, step) -> None:
    """Run `step(n)` at `per_s` a second until `stop` is set."""
    interval, n = 1.0 / per_s, 0
    next_at = time.monotonic()
    while not stop.is_set():
        step(n)
        n += 1
        next_at += interval
        stop.wait(max(0.0, next_at - time.monotonic()))


def _feedback_writer(port: int, ids: list[int], recorder: Recorder, stop: threading.Event) -> None:
    rng = random.Random(7)

    def step(n: int) -> None:
        body = {"position_id": rng.choice(ids), "rating": rng.randint(1, 5), "text": f"压测意见 {n}"}
        try:
            status, _payload, ms = _call(port, "POST", "/api/v1/public/feedback", body, {})
        except OSError as error:
            recorder.error(type(error).__name__)
            return
        recorder.add(status, ms)

    _paced(stop, FEEDBACK_PER_S, step)


def _position_updater(
    port: int,
    ids: list[int],
    cookies: dict[str, str],
    names: tuple[str, str],
    recorder: Recorder,
    stop: threading.Event,
) -> None:
    """GET a position in scope, then PATCH its short name with the version just read."""
    rng = random.Random(11)
    session_cookie, csrf_cookie = names
    cookie = f"{session_cookie}={cookies[session_cookie]}; {csrf_cookie}={cookies[csrf_cookie]}"
    headers = {"Cookie": cookie, "X-CSRFToken": cookies[csrf_cookie]}

    def step(n: int) -> None:
        position_id = rng.choice(ids)
        try:
            for _attempt in range(2):  # a 409 (changed since the read) is answered by reading again once
                status, payload, read_ms = _call(port, "GET", f"/api/v1/positions/{position_id}", None, headers)
                if status != 200:
                    recorder.add(status, read_ms)
                    return
                version = json.loads(payload)["version"]
                body = {"version": version, "short_name": f"压测站{n % 1000:03d}"}
                status, _payload, ms = _call(port, "PATCH", f"/api/v1/positions/{position_id}", body, headers)
                recorder.add(status, ms, expected=status == 409)
                if status != 409:
                    return
        except OSError as error:
            recorder.error(type(error).__name__)

    _paced(stop, UPDATES_PER_S, step)


# --- Server and memory -------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # Field 4 (after the parenthesised command, which may hold spaces) is the parent pid.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return sorted(found)


def _rss_mb(pid: int) -> float | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return int(re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)[1]) / 1024


class MemorySampler(threading.Thread):
    """RSS of every worker of the gunicorn master, every MEMORY_SAMPLE_S seconds."""

    def __init__(self, master_pid: int):
        super().__init__(daemon=True)
        self.master_pid = master_pid
        self.samples: dict[int, list[tuple[float, float]]] = {}  # pid → [(seconds since start, MB)]
        self.stop = threading.Event()
        self.started_at = time.monotonic()

    def run(self) -> None:
        while True:
            at = time.monotonic() - self.started_at
            for pid in _children(self.master_pid):
                rss = _rss_mb(pid)
                if rss is not None:
                    self.samples.setdefault(pid, []).append((at, rss))
            if self.stop.wait(MEMORY_SAMPLE_S):
                return


@dataclass
class WorkerMemory:
    pid: int
    start_mb: float
    end_mb: float
    max_mb: float
    first_mean_mb: float
    last_mean_mb: float
    series_mb: list[float]

    @property
    def growth(self) -> float:
        return self.last_mean_mb / self.first_mean_mb - 1


def _memory(samples: dict[int, list[tuple[float, float]]], measured_s: float) -> list[WorkerMemory]:
    rows = []
    for pid, series in sorted(samples.items()):
        values = [mb for _at, mb in series]
        first = [mb for at, mb in series if at <= MEMORY_WINDOW_S] or values[:1]
        last = [mb for at, mb in series if at >= measured_s - MEMORY_WINDOW_S] or values[-1:]
        rows.append(
            WorkerMemory(pid, values[0], values[-1], max(values), statistics.mean(first), statistics.mean(last), values)
        )
    return rows


# --- The run -----------------------------------------------------------------------------------------


def _prepare() -> tuple[Targets, str]:
    import django

    django.setup()
    from django.core.management import call_command

    from yizhan.core.audit import audit_context
    from yizhan.positions.demo import load_national

    call_command("migrate", verbosity=0)
    call_command("demo", stdout=io.StringIO())
    with audit_context(actor_name="bench"):
        load_national(POSITIONS)
    targets = _targets()
    from django.db import connections

    connections.close_all()
    from django.conf import settings

    return targets, settings.YIZHAN_DEMO_PASSWORD


def _after_checks(accepted_feedback: int) -> list[str]:
    """What must hold in the database after the load: every accepted feedback stored, the audit chain whole."""
    from yizhan.core.audit import audit_verify
    from yizhan.ledger.models import Feedback

    problems = []
    stored = Feedback.objects.filter(text__startswith="压测意见").count()
    if stored != accepted_feedback:
        problems.append(f"{accepted_feedback} feedback answers were 201 but {stored} are stored")
    report = audit_verify()
    if not report.ok:
        problems.append(f"audit chain broken at {report.first_broken_seq}: {report.reason}")
    return problems


def _delete_cache_keys() -> None:
    prefix = os.environ.get("CACHE_KEY_PREFIX")
    if not prefix:
        return
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


FEEDBACK = "public feedback POST"


def _phase(port: int, scripts: tuple[Path, Path], targets: Targets, cookies, names, seconds: int):
    """All four kinds of traffic at once for `seconds`; their results and the time it took."""
    base = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    feedback, updates = Recorder(), Recorder()
    writers = [
        threading.Thread(target=_feedback_writer, args=(port, targets.feedback_ids, feedback, stop)),
        threading.Thread(target=_position_updater, args=(port, targets.update_ids, cookies, names, updates, stop)),
    ]
    started = time.monotonic()
    public_wrk = _wrk_start(base, scripts[0], PUBLIC_CONNECTIONS, seconds)
    staff_wrk = _wrk_start(base, scripts[1], STAFF_CONNECTIONS, seconds)
    for writer in writers:
        writer.start()
    results = {"public (wrk)": _wrk_result(public_wrk), "staff pages and API reads (wrk)": _wrk_result(staff_wrk)}
    stop.set()
    for writer in writers:
        writer.join()
    elapsed = time.monotonic() - started
    results[FEEDBACK] = feedback.result(elapsed)
    results["staff PATCH /api/v1/positions/{id}"] = updates.result(elapsed)
    return results, elapsed


def main() -> int:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    if MEASURED_S < 30:
        sys.exit("BENCH_SECONDS must be at least 36 (a warm-up and two memory windows)")
    tmp = Path(tempfile.mkdtemp(prefix="yizhan-load-"))
    _configure(tmp)
    db = throwaway_database(DB_NAME)
    gunicorn = None
    try:
        targets, password = _prepare()
        from django.conf import settings

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = subprocess.Popen(  # noqa: S603
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "yizhan.wsgi",
                f"--bind=127.0.0.1:{port}",
                f"--workers={WORKERS}",
                "--access-logfile=/dev/null",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
        )
        wait_for(base + "/health/live")
        cookies = _staff_session(base, STAFF_USERNAME, password)
        names = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
        staff_headers = {"Cookie": "; ".join(f"{name}={cookies[name]}" for name in names)}

        scripts = (
            _lua("public", targets.public_paths, {}, tmp),
            _lua("staff", targets.staff_paths, staff_headers, tmp),
        )
        # Warm-up, the same traffic unmeasured: every worker builds its nearby index, patches it after
        # the first writes and fills its caches before memory is watched.
        warmup, _seconds = _phase(port, scripts, targets, cookies, names, WARMUP_S)
        workers_before = _children(gunicorn.pid)
        sampler = MemorySampler(gunicorn.pid)
        sampler.start()
        results, elapsed = _phase(port, scripts, targets, cookies, names, MEASURED_S)
        sampler.stop.set()
        sampler.join()
        workers_after = _children(gunicorn.pid)
        accepted = sum(r.statuses.get(201, 0) for r in (warmup[FEEDBACK], results[FEEDBACK]))
        problems = _after_checks(accepted)
        warmup_failed = sum(r.failed for r in warmup.values())
        if warmup_failed:
            problems.append(f"{warmup_failed} requests failed during the warm-up")
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(30)
        _delete_cache_keys()
        shutil.rmtree(tmp, ignore_errors=True)
        db.drop()

    memory = _memory(sampler.samples, elapsed)
    return _report(db.engine, results, memory, problems, workers_before, workers_after, elapsed)


def _report(engine, results, memory, problems, workers_before, workers_after, elapsed) -> int:
    cache = "Redis" if os.environ.get("CACHE_KEY_PREFIX") else "local memory (per worker)"
    print(
        f"### Mixed load on {engine}: demo federation + {POSITIONS:,} national stations, gunicorn {WORKERS} sync "
        f"workers, cache {cache}; {WARMUP_S} s warm-up + {elapsed:.0f} s measured "
        f"(load average after: {os.getloadavg()[0]:.1f})\n"
    )
    print("| traffic | requests | requests/s | p50 | p99 | statuses | failed (non-2xx, socket errors) |")
    print("|---|---|---|---|---|---|---|")
    failures = 0
    for label, r in results.items():
        statuses = ", ".join(f"{code}: {n:,}" for code, n in sorted(r.statuses.items()))
        if r.expected:
            statuses += " (accounted: " + ", ".join(f"{c}: {n}" for c, n in sorted(r.expected.items())) + ")"
        errors = ", ".join(f"{k} {n}" for k, n in r.socket_errors.items())
        failures += r.failed
        print(
            f"| {label} | {r.requests:,} | {r.requests / r.seconds:,.1f} | {r.p50_ms:.1f} ms | {r.p99_ms:.1f} ms "
            f"| {statuses} | {r.failed}{f' ({errors})' if errors else ''} |"
        )
    print(
        f"\nMemory (VmRSS) per worker, sampled every {MEMORY_SAMPLE_S} s after the warm-up; growth = mean of the "
        f"last {MEMORY_WINDOW_S} s against the mean of the first {MEMORY_WINDOW_S} s "
        f"(limit {MEMORY_GROWTH_LIMIT:.0%}):\n"
    )
    print("| worker | start | end | max | first window mean | last window mean | growth |")
    print("|---|---|---|---|---|---|---|")
    for row in memory:
        print(
            f"| {row.pid} | {row.start_mb:.0f} MB | {row.end_mb:.0f} MB | {row.max_mb:.0f} MB "
            f"| {row.first_mean_mb:.1f} MB | {row.last_mean_mb:.1f} MB | {row.growth:+.1%} |"
        )
    print()
    for row in memory:
        print(f"- worker {row.pid}, MB every {MEMORY_SAMPLE_S} s: " + " ".join(f"{mb:.0f}" for mb in row.series_mb))
    if workers_before != workers_after:
        problems.append(f"gunicorn workers changed during the run: {workers_before} → {workers_after}")
    if failures:
        problems.append(f"{failures} requests failed")
    problems += [f"worker {r.pid} grew {r.growth:+.1%}" for r in memory if r.growth > MEMORY_GROWTH_LIMIT]
    print()
    if problems:
        print("**FAILED**: " + "; ".join(problems))
        return 1
    print("**Passed**: no failed request, writes stored, audit chain verified, memory flat.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
