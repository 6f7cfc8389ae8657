"""Import of N positions from one xlsx (issue 3 "Measure"): target ≤ 60 s and ≤ 1 GB for 100,000.

Generates an xlsx of BENCH_POSITIONS (default 100000) stations placed inside Dalian's districts,
times a plain openpyxl read_only read of it (the floor) and `positions_import` into an empty
throw-away database (SQLite by default, PostgreSQL when DATABASE_URL is set, as bench/run.py), and
prints a Markdown table row: seconds, rows/s, peak RSS and the ratio to the floor.
"""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
os.environ.setdefault("DEBUG", "false")  # as served: no query log kept per statement

from run import _setup_database  # noqa: E402

N = int(os.environ.get("BENCH_POSITIONS", "100000"))
BOUNDARIES = Path(__file__).resolve().parent.parent / "yizhan" / "orgs" / "data" / "boundaries" / "210200.geojson"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    engine = _setup_database()
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
    from yizhan.positions.imports import positions_import

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

    path = Path(tempfile.mkdtemp(prefix="yizhan-bench-")) / "positions.xlsx"
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
    start, cpu_start = time.perf_counter(), time.process_time()
    with audit_context(actor_name="bench"):
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(positions_import, actor=actor, file=path)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
        else:
            result = positions_import(actor=actor, file=path)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    assert result.ok and result.created == N, (result.summary(), [str(e) for e in result.errors[:5]])
    print(
        "| Engine | Rows | File | openpyxl read (floor) | positions_import | its CPU time | rows/s | ratio | peak RSS |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {engine} | {N:,} | {size_mb:.1f} MB | {floor:.1f} s | {elapsed:.1f} s | {cpu:.1f} s | "
        f"{N / elapsed:,.0f} | {elapsed / floor:.1f}× | {_peak_rss_mb():,.0f} MB |"
    )


if __name__ == "__main__":
    main()
