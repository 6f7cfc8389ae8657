"""Demo standards and star ratings for 大连市总工会: the shipped defaults (spec §3), published, then
an on-site assessment against the star-rating standard and a periodic star rating for about seven
stations in ten that operate, so that the demo's stars come from ratings (decision 13 ended): each
with its arithmetic, its inputs read from the demo ledger (visits over the last 180 days against
the district median, satisfaction of the feedback) and the position's stars and date written from
it. Facilities are answered from the record; the four management items are found met or not by a
fixed stream per station code, and the assessors leave a satisfaction questionnaire with 10–16
workers on site (feedback of source 问卷, ratings only, dated the assessment day): the demo's public
feedback alone gives no station the ledger's minimum of responses, and without a satisfaction rate
no station could pass 80 points. Idempotent (stations with a rating are left alone) and
deterministic for a given day, as the ledger demo is.

The rows are written in bulk (`core.bulk.bulk_insert`) with one IMPORT audit entry naming the
count, as the ledger demo does; the stars go to the positions in one UPDATE per level (the change
feed's triggers see it, so the finder's index follows). The rating itself is `rating.rate`, the
rule `assessments.station_rate` applies, with the inputs `ratings.py` reads, gathered here once
for all stations instead of once per station (each district's median reads every station of it)."""

from __future__ import annotations

import random
import zlib
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from yizhan.core.audit import audit_record
from yizhan.core.bulk import bulk_insert, bulk_insert_rows
from yizhan.core.models import AuditAction
from yizhan.core.roles import Role
from yizhan.ledger.choices import FeedbackSource, FeedbackStatus
from yizhan.ledger.models import DailyLedger, Feedback
from yizhan.ledger.selectors import satisfaction
from yizhan.orgs.models import Membership, Unit
from yizhan.orgs.selectors import actor_for_user
from yizhan.positions.choices import PositionKind, PositionState
from yizhan.positions.models import Position
from yizhan.standards.assessments import RATING_STANDARD
from yizhan.standards.choices import VersionState
from yizhan.standards.models import Assessment, AssessmentAnswer, StandardVersion, StarRatingRecord
from yizhan.standards.rating import MANAGEMENT_ITEMS, RatingInputs, after_result, district_median, rate
from yizhan.standards.ratings import period_months, rating_policy_for
from yizhan.standards.services import standard_defaults_load

FEDERATION = "DL"
SEED = 20260016
RATED_SHARE = 7  # in 10 operating stations
QUESTIONNAIRE = (10, 16)  # responses collected on site, at least the ledger's default minimum
WINDOW_DAYS = 180  # the ledger demo's span
ASSESSED_DAYS_AGO = 7


def _rng(code: str) -> random.Random:
    return random.Random(zlib.crc32(f"{SEED}|{code}".encode()))


def _rated(code: str) -> bool:
    return zlib.crc32(f"{SEED}|share|{code}".encode()) % 10 < RATED_SHARE


def _actor(unit: Unit):
    membership = (
        Membership.objects.filter(unit=unit, role=Role.FEDERATION_ADMIN).select_related("user").order_by("pk").first()
    )
    return actor_for_user(membership.user, membership) if membership else None


def load() -> list[str]:
    unit = Unit.objects.filter(code=FEDERATION).first()
    if unit is None:
        return []
    standard_defaults_load(unit=unit)
    return _ratings(unit)


@transaction.atomic
def _ratings(unit: Unit) -> list[str]:
    actor = _actor(unit)
    version = (
        StandardVersion.objects.filter(
            standard__unit=unit, standard__code=RATING_STANDARD, state=VersionState.PUBLISHED
        )
        .prefetch_related("items")
        .first()
    )
    if actor is None or version is None:
        return []
    operating = Position.objects.filter(
        unit__path__startswith=unit.path, kind=PositionKind.STATION, state=PositionState.OPERATING
    ).select_related("unit")
    if StarRatingRecord.objects.filter(position__in=operating).exists():
        return [f"  星级评定：已有 {StarRatingRecord.objects.count()} 条（未重复创建）"]
    stations = list(operating.order_by("code"))
    today = timezone.localdate()
    assessed_on = today - timedelta(days=ASSESSED_DAYS_AGO)
    date_from, date_to = assessed_on - timedelta(days=WINDOW_DAYS - 1), assessed_on
    months = period_months(date_from, date_to)
    visits = dict(
        DailyLedger.objects.filter(position__in=operating, day__gte=date_from, day__lte=date_to)
        .order_by()
        .values_list("position_id")
        .annotate(total=Sum("visits_total"))
    )
    by_district: dict[int | None, list[Decimal]] = {}
    for station in stations:
        by_district.setdefault(station.region_id, []).append(Decimal(visits.get(station.pk, 0)) / months)
    medians = {region: district_median(values) for region, values in by_district.items()}
    questionnaires = _questionnaires(stations, assessed_on)
    items = [i for i in version.items.all() if i.applies_to(PositionKind.STATION)]
    required = [i for i in items if i.required]
    assessments, answers, records, stars_by_level = [], [], [], {}
    policies = {}
    for station in stations:
        if not _rated(station.code):
            continue
        rng = _rng(station.code)
        quality = rng.random()
        have = set(station.facilities or [])
        met_keys = set()
        rows = []
        for item in items:
            found = item.key in have if item.key not in MANAGEMENT_ITEMS else rng.random() < 0.6 + 0.4 * quality
            rows.append(AssessmentAnswer(item=item, yes=found, met=found))
            if found:
                met_keys.add(item.key)
        met = sum(1 for row in rows if row.met and row.item.required)
        assessment = Assessment(
            position=station,
            version=version,
            assessed_on=assessed_on,
            applicable=len(required),
            met=met,
            compliance=(Decimal(met) / Decimal(len(required))).quantize(Decimal("0.0001")),
            note="演示数据：年度星级评定现场检查",
        )
        for row in rows:
            row.assessment = assessment
        assessments.append(assessment)
        answers.extend(rows)
        if station.unit_id not in policies:
            policies[station.unit_id] = rating_policy_for(unit=station.unit)
        policy, policy_version = policies[station.unit_id]
        rate_of = satisfaction(actor=actor, position_id=station.pk, date_from=date_from, date_to=date_to).rate
        inputs = RatingInputs(
            facilities=frozenset(met_keys - set(MANAGEMENT_ITEMS)),
            management=frozenset(met_keys & set(MANAGEMENT_ITEMS)),
            monthly_visits=Decimal(visits.get(station.pk, 0)) / months,
            district_median=medians.get(station.region_id),
            satisfaction=None if rate_of is None else Decimal(str(rate_of)),
        )
        result = rate(inputs, policy)
        review = after_result(current=station.stars, result=result.stars, periodic=True)
        records.append(
            StarRatingRecord(
                position=station,
                period=assessed_on.year,
                assessment=assessment,
                policy=policy_version,
                date_from=date_from,
                date_to=date_to,
                inputs={
                    "facilities": sorted(inputs.facilities),
                    "management": sorted(inputs.management),
                    "monthly_visits": str(inputs.monthly_visits),
                    "district_median": None if inputs.district_median is None else str(inputs.district_median),
                    "satisfaction": None if inputs.satisfaction is None else str(inputs.satisfaction),
                },
                lines=result.arithmetic(),
                total=result.total,
                stars=result.stars,
                stars_before=station.stars,
                stars_after=review.stars,
                rectification_required=result.rectification_required,
                periodic=True,
                verdict=f"{result.verdict}；{review.reason}",
            )
        )
        stars_by_level.setdefault(review.stars, []).append(station.pk)
    if not records:
        return []
    bulk_insert(assessments)
    for row in answers:
        row.assessment_id = row.assessment.pk
    for record in records:
        record.assessment_id = record.assessment.pk
    for i in range(0, len(answers), 5000):
        bulk_insert(answers[i : i + 5000])
    bulk_insert(records)
    for level, pks in stars_by_level.items():
        Position.objects.filter(pk__in=pks).update(
            star_rating="" if level is None else str(level),
            star_rated_on=None if level is None else assessed_on,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
    audit_record(
        action=AuditAction.IMPORT,
        object_type=StarRatingRecord._meta.label_lower,
        object_repr=f"演示星级评定 {len(records)} 个站点",
        unit_path=unit.path,
        unit_name=unit.name,
        after={
            "assessments": len(assessments),
            "answers": len(answers),
            "questionnaire_responses": questionnaires,
            "period": assessed_on.year,
        },
    )
    counts = {level: len(pks) for level, pks in stars_by_level.items()}
    shown = (
        "，".join(f"{level}星 {counts.get(level, 0)} 个" for level in (5, 4, 3)) + f"，未评上 {counts.get(None, 0)} 个"
    )
    return [f"  星级评定：{len(records)} 个运营站点（{shown}）"]


def _questionnaires(stations: list[Position], assessed_on) -> int:
    """The on-site satisfaction questionnaire of each station to be rated: ratings 1–5, more of
    them satisfied at a better-kept station (the same per-code stream as its assessment)."""
    when = timezone.make_aware(datetime.combine(assessed_on, time(10, 0)))
    rows = []
    for station in stations:
        if not _rated(station.code):
            continue
        rng = random.Random(zlib.crc32(f"{SEED}|questionnaire|{station.code}".encode()))
        quality = _rng(station.code).random()
        for _ in range(rng.randint(*QUESTIONNAIRE)):
            satisfied = rng.random() < 0.55 + 0.45 * quality
            rating = rng.choice((4, 5, 5)) if satisfied else rng.choice((1, 2, 3, 3))
            rows.append((station.pk, rating, FeedbackSource.QUESTIONNAIRE, FeedbackStatus.RESOLVED, "星级评定组", when))
    names = ("position_id", "rating", "source", "status", "entered_by_name", "created_at")
    for i in range(0, len(rows), 5000):
        bulk_insert_rows(Feedback, names, rows[i : i + 5000])
    return len(rows)
