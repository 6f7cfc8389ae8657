"""Import of N positions from one xlsx (issue 3 "Measure"): target ≤ 60 s and ≤ 1 GB for 100,000.

Generates an xlsx of BENCH_POSITIONS (default 100000) stations placed inside Dalian's districts,
times a plain openpyxl read_only read of it (the floor) and `positions_import` into an empty
throw-away database (SQLite in a temporary directory by default; with DATABASE_URL=postgres://…
a database of its own, test_bench_import, dropped at the end), and prints a Markdown table row:
wall time, the CPU time of the importing process and of its worker process (files of
import_worker.WORKER_MIN_ROWS rows or more are checked there), rows/s, the ratio to the floor and
the peak RSS of both processes. The machine may be shared: compare CPU times as well as wall time.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from throwaway_db import throwaway_database  # noqa: E402 (bench/ is on sys.path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
os.environ.setdefault("DEBUG", "false")  # as served: no query log kept per statement

N = int(os.environ.get("BENCH_POSITIONS", "100000"))
PG_DATABASE = "test_bench_import"  # apart from bench/run.py's test_bench, which may run meanwhile
BOUNDARIES = Path(__file__).resolve().parent.parent / "yizhan" / "orgs" / "data" / "boundaries" / "210200.geojson"


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _WorkerPeak:
    """The worker's peak RSS since it started (VmHWM; getrusage would count the forked parent's
    pages it had before exec), read every 0.2 s while it runs."""

    def __init__(self):
        self.peak_kb = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()

    def _watch(self) -> None:
        import multiprocessing

        while not self.done.wait(0.2):
            for child in multiprocessing.active_children():
                try:
                    status = Path(f"/proc/{child.pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))


def _write_file(path: Path, districts: list[tuple[str, object]]) -> None:
    from openpyxl import Workbook
    from shapely.geometry import Point
    from shapely.prepared import prep

    from yizhan.positions.spreadsheet import HEADERS

    rng = random.Random(3)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("服务阵地")
    sheet.append(HEADERS)
    prepared = [(code, prep(geom), geom.bounds) for code, geom in districts]
    index = {h: i for i, h in enumerate(HEADERS)}
    for n in range(N):
        code, geom, (x0, y0, x1, y1) = prepared[n % len(prepared)]
        while True:
            lng, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if geom.contains(Point(lng, lat)):
                break
        row = [None] * len(HEADERS)
        row[index["阵地编号"]] = f"BN-{n:06d}"
        row[index["阵地类型"]] = "户外劳动者服务站点"
        row[index["规范名称"]] = f"工会户外劳动者服务站点·基准{n}"
        row[index["所属单位代码"]] = code
        row[index["地址"]] = f"基准路{n}号"
        row[index["经度"]] = round(lng, 6)
        row[index["纬度"]] = round(lat, 6)
        row[index["建设类型"]] = "环卫休息室、提档升级公厕"
        row[index["管理员电话"]] = "13800000000"
        row[index["每周开放时间"]] = "06:00-22:00"
        row[index["设施"]] = "饮用水、微波炉、桌椅"
        row[index["状态"]] = "运营中"
        sheet.append(row)
    book.save(path)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="yizhan-bench-import-"))
    try:
        _bench(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _bench(tmp: Path) -> None:
    db = throwaway_database(PG_DATABASE)
    engine = db.engine
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from shapely.geometry import shape

    from yizhan.core.audit import audit_context
    from yizhan.core.roles import Role
    from yizhan.orgs.choices import UnitType
    from yizhan.orgs.imports.regions import region_import
    from yizhan.orgs.models import Membership, Region, User
    from yizhan.orgs.selectors import actor_for_user
    from yizhan.orgs.services import federation_create
    from yizhan.positions.imports.xlsx import positions_import

    with audit_context(actor_name="bench"):
        region_import(BOUNDARIES)
        city = Region.objects.get(adcode="210200")
        root = federation_create(code="BN", name="基准总工会", type=UnitType.CITY_FEDERATION, region=city)
        districts = []
        for region in Region.objects.filter(level="district").order_by("adcode"):
            unit = federation_create(
                code=f"BN-{region.adcode}",
                name=f"{region.name}总工会",
                type=UnitType.DISTRICT,
                region=region,
                parent=root,
            )
            districts.append((unit.code, shape(region.boundary)))
    user = User.objects.create_user(username="bench", password="x")
    Membership.objects.create(user=user, unit=root, role=Role.UNIT_ADMIN)
    actor = actor_for_user(user)

    path = tmp / "positions.xlsx"
    _write_file(path, districts)
    size_mb = path.stat().st_size / 2**20

    from openpyxl import load_workbook

    start = time.perf_counter()
    book = load_workbook(path, read_only=True)
    rows = sum(1 for _ in book.active.iter_rows(values_only=True)) - 1
    book.close()
    floor = time.perf_counter() - start
    assert rows == N, rows

    from django.conf import settings

    settings.YIZHAN_IMPORT_MAX_BYTES = 1 << 40
    start, cpu_start, worker_start = time.perf_counter(), _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    with audit_context(actor_name="bench"), _WorkerPeak() as worker_peak:
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(positions_import, actor=actor, file=path)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
        else:
            result = positions_import(actor=actor, file=path)
    elapsed = time.perf_counter() - start
    cpu = _cpu(resource.RUSAGE_SELF) - cpu_start
    worker_cpu = _cpu(resource.RUSAGE_CHILDREN) - worker_start
    assert result.ok and result.created == N, (result.summary(), [str(e) for e in result.errors[:5]])
    from yizhan.core.audit import audit_verify

    assert audit_verify().ok
    db.drop()
    rss, worker_rss = _peak_rss_mb(), worker_peak.peak_kb / 1024
    print(
        "| Engine | Rows | File | openpyxl read (floor) | positions_import (wall) | CPU: importing process "
        "+ worker | rows/s | ratio to floor | peak RSS: importing process + worker |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {engine} | {N:,} | {size_mb:.1f} MB | {floor:.1f} s | {elapsed:.1f} s | {cpu:.1f} s + {worker_cpu:.1f} s | "
        f"{N / elapsed:,.0f} | {elapsed / floor:.1f}× | {rss:,.0f} MB + {worker_rss:,.0f} MB |"
    )


if __name__ == "__main__":
    main()
