"""CPU per request of the public nearby endpoint inside the process, through Django's WSGI handler
(every middleware, no HTTP server, no load generator): the same 5,000 points as bench/finder_http.py,
a first pass (records read from the database) and a second (held), against `GET /health/live` as
the baseline. CPU time of this process, so a busy machine disturbs it less than the HTTP figures.

    .venv/bin/python bench/finder_wsgi_cpu.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/finder_wsgi_cpu.py
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway_db import throwaway_database  # noqa: E402 (bench/ is on sys.path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
os.environ["DEBUG"] = "false"
os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
os.environ["YIZHAN_PUBLIC_RATE"] = "100000000/m"  # checked on every request, never reached

POSITIONS = int(os.environ.get("BENCH_POSITIONS", "130000"))


def main() -> None:
    db = throwaway_database("test_finder_wsgi_cpu")
    import django

    django.setup()
    import finder_http
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command

    from yizhan.core.audit import audit_context
    from yizhan.positions.demo import load_national

    try:
        call_command("migrate", verbosity=0)
        with audit_context(actor_name="bench"):
            load_national(POSITIONS)
        paths = finder_http._paths()[0]  # the nearby API's paths (then the pages' and the stations')
        app = WSGIHandler()

        def call(path: str) -> None:
            route, _, query = path.partition("?")
            environ = {
                "REQUEST_METHOD": "GET", "PATH_INFO": route, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1",
                "HTTP_ACCEPT_ENCODING": "gzip", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http",
                "wsgi.errors": sys.stderr,
            }  # fmt: skip
            status = []
            b"".join(app(environ, lambda s, headers, *rest: status.append(s)))
            if not status[0].startswith("200"):
                raise RuntimeError(f"{path}: {status[0]}")

        def cpu_per_request(batch: list[str]) -> float:
            started = time.process_time()
            for path in batch:
                call(path)
            return (time.process_time() - started) / len(batch) * 1e6

        call("/health/live")
        call(paths[0])  # builds the index
        cold = cpu_per_request(paths)
        warm = cpu_per_request(paths)
        health = cpu_per_request(["/health/live"] * len(paths))
    finally:
        db.drop()
    print(f"### Nearby through the WSGI handler on {db.engine}: {POSITIONS:,} stations, {len(paths):,} points\n")
    print("| request | CPU per request | ÷ `/health/live` |")
    print("|---|---|---|")
    print(f"| `GET /health/live` (baseline) | {health:,.0f} µs | 1× |")
    print(f"| nearby, first pass (records read) | {cold:,.0f} µs | {cold / health:.1f}× |")
    print(f"| nearby, second pass (records held) | {warm:,.0f} µs | {warm / health:.1f}× |")
    print(f"\nLoad average (1 min): {os.getloadavg()[0]:.1f} (2 CPUs)")


if __name__ == "__main__":
    main()
