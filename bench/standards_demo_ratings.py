"""Demo star ratings (decision 29): the bulk path of `yizhan demo` (`standards.demo._ratings`: inputs
gathered once, rows written with core.bulk) against the services one station at a time
(`assessment_record` + `station_rate`, whose inputs read the station's whole district each time),
on the same demo database in the same run; both rolled back, nothing stays.

Needs a database where `yizhan demo` ran, e.g.:

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python manage.py demo
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/standards_demo_ratings.py
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from yizhan.core.audit import audit_context  # noqa: E402
from yizhan.orgs.models import Unit  # noqa: E402
from yizhan.positions.choices import PositionKind, PositionState  # noqa: E402
from yizhan.positions.models import Position  # noqa: E402
from yizhan.standards import demo  # noqa: E402
from yizhan.standards.assessments import RATING_STANDARD, assessment_record, station_rate  # noqa: E402
from yizhan.standards.models import Assessment, AssessmentAnswer, StandardVersion, StarRatingRecord  # noqa: E402
from yizhan.standards.rating import MANAGEMENT_ITEMS  # noqa: E402

ONE_BY_ONE = int(os.environ.get("BENCH_STATIONS", "20"))


class Rollback(Exception):
    pass


def _clear() -> None:
    StarRatingRecord.objects.all().delete()
    AssessmentAnswer.objects.all().delete()
    Assessment.objects.all().delete()


def main() -> None:
    unit = Unit.objects.get(code=demo.FEDERATION)
    actor = demo._actor(unit)
    version = StandardVersion.objects.get(standard__unit=unit, standard__code=RATING_STANDARD, state="published")
    items = [i for i in version.items.all() if i.applies_to(PositionKind.STATION)]
    operating = Position.objects.filter(
        unit__path__startswith=unit.path, kind=PositionKind.STATION, state=PositionState.OPERATING
    ).order_by("code")
    stations = [p for p in operating if demo._rated(p.code)][:ONE_BY_ONE]
    on = timezone.localdate() - timedelta(days=demo.ASSESSED_DAYS_AGO)
    with audit_context(actor_name="bench"):
        try:
            with transaction.atomic():
                _clear()
                start = time.perf_counter()
                demo._ratings(unit)
                bulk = time.perf_counter() - start
                rated = StarRatingRecord.objects.count()
                raise Rollback
        except Rollback:
            pass
        try:
            with transaction.atomic():
                _clear()
                start = time.perf_counter()
                for station in stations:
                    answers = {i.key: i.key in station.facilities or i.key in MANAGEMENT_ITEMS for i in items}
                    assessment = assessment_record(
                        actor=actor, position=station, version=version, assessed_on=on, answers=answers
                    )
                    station_rate(
                        actor=actor,
                        assessment=assessment,
                        period=on.year,
                        date_from=on - timedelta(days=demo.WINDOW_DAYS - 1),
                        date_to=on,
                    )
                one = (time.perf_counter() - start) / len(stations)
                raise Rollback
        except Rollback:
            pass
    per = bulk / rated
    print(
        f"bulk: {rated} stations in {bulk:.2f} s ({per * 1000:.1f} ms a station); "
        f"services one by one: {one * 1000:.1f} ms a station (over {len(stations)}); {one / per:.0f}x"
    )


if __name__ == "__main__":
    main()
