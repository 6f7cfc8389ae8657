"""Demo ledgers for the Dalian demo (issue 15 §7): 180 days of daily ledgers for every operating
station and centre, with a weekday/weekend rhythm, the season (summer heat, winter cold) and two
heat waves; activities through the year (送清凉 in the heat, 送温暖 in the cold, festivals, safety
training, anti-fraud talks); public feedback with ratings, some handled; a few problem reports,
open and settled. Deterministic for a given day (fixed seeds, one stream per position code) and
idempotent: a second run finds the ledgers and creates nothing.

The daily rows are written in bulk (`core.bulk.bulk_insert`, 50,000 rows would take minutes one
audited save at a time) with one IMPORT audit entry naming the count, as an import of registry data
records itself; activities, feedback moves and problem reports go through their services."""

from __future__ import annotations

import math
import random
import zlib
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from yizhan.core.audit import audit_context, audit_record
from yizhan.core.bulk import bulk_insert
from yizhan.core.models import AuditAction
from yizhan.core.roles import Role
from yizhan.ledger import services
from yizhan.ledger.choices import ActivityKind, FeedbackSource, FeedbackStatus, ProblemKind, ProblemStatus
from yizhan.ledger.models import SERVICE_ITEM_NAMES, VISIT_NAMES, DailyLedger, Feedback
from yizhan.orgs.models import Membership, Unit
from yizhan.orgs.selectors import actor_for_user
from yizhan.positions.choices import PositionKind, PositionState
from yizhan.positions.models import Position

SEED = 20260015
DAYS = 180
PREFIX = "DL-"
# Heat waves (month, first day, days): riders and sanitation workers crowd the stations to cool
# down and drink.
HEAT_WAVES = ((7, 20, 6), (8, 8, 5))
# Served groups a station sees when it registered none: the mix of Dalian's outdoor workers.
DEFAULT_GROUPS = ("delivery", "courier", "sanitation", "taxi", "city_management", "landscaping")
FEEDBACK_TEXTS = (
    "热水很及时，谢谢",
    "夏天空调很凉快",
    "微波炉排队的人有点多",
    "希望早上五点就开门",
    "管理员很热情",
    "充电插座不够用",
    "卫生很干净",
    "",
)


def _rng(*parts) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, (SEED, *parts))).encode()))


def _season(day: date) -> tuple[float, float, float]:
    """(volume factor, heat 0–1, cold 0–1) of a day in Dalian: hottest late July to mid August,
    coldest in January."""
    angle = 2 * math.pi * (day.timetuple().tm_yday - 200) / 365  # 0 at about 19 July
    heat = max(0.0, math.cos(angle))
    cold = max(0.0, -math.cos(angle))
    wave = any(
        date(day.year, month, first) <= day < date(day.year, month, first) + timedelta(days=length)
        for month, first, length in HEAT_WAVES
    )
    return 1.0 + 0.35 * heat + 0.2 * cold + (0.8 if wave else 0.0), min(1.0, heat + (0.5 if wave else 0)), cold


def _day_row(position: Position, day: date, base: float, groups: tuple[str, ...], rng: random.Random) -> DailyLedger:
    volume, heat, cold = _season(day)
    weekday = 1.0 if day.weekday() < 5 else 0.7  # sanitation and city staff work weekdays
    expected = base * volume * weekday * rng.uniform(0.75, 1.25)
    visits = dict.fromkeys(VISIT_NAMES, 0)
    weights = [rng.uniform(0.5, 1.5) for _ in groups]
    for group, weight in zip(groups, weights, strict=True):
        visits[f"visits_{group}"] = max(0, round(expected * weight / sum(weights)))
    visits["visits_other"] = max(0, round(expected * 0.05 * rng.random()))
    total = sum(visits.values())
    abilities = {
        "ability_rest": round(total * rng.uniform(0.5, 0.7)),
        "ability_heat_food": round(total * rng.uniform(0.15, 0.3) * (1 + 0.5 * cold)),
        "ability_drink": round(total * rng.uniform(0.5, 0.7) * (1 + 0.4 * heat)),
        "ability_warm_up": round(total * 0.5 * cold * rng.random()),
        "ability_cool_down": round(total * 0.6 * heat * rng.random()),
        "ability_toilet": round(total * rng.uniform(0.2, 0.35)),
    }
    service_rates = {
        "service_assistance": 0.02,
        "service_labour_protection": 0.03,
        "service_legal_aid": 0.01,
        "service_policy": 0.04,
        "service_employment": 0.015,
        "service_petitions": 0.003,
    }
    figures = {name: round(total * rate * rng.uniform(0, 2)) for name, rate in service_rates.items()}
    row = DailyLedger(position=position, day=day, entered_by_name="演示数据", **visits, **abilities, **figures)
    row.visits_total = total
    row.services_total = sum(getattr(row, name) for name in SERVICE_ITEM_NAMES)
    return row


def _actor(unit: Unit, role: str = Role.UNIT_ADMIN):
    paths = [unit.path[:i] for i in range(4, len(unit.path) + 1, 4)]
    membership = (
        Membership.objects.filter(unit__path__in=paths, role__in=[role, Role.FEDERATION_ADMIN])
        .select_related("user", "unit")
        .order_by("-unit__depth")
        .first()
    )
    return actor_for_user(membership.user, membership) if membership else None


def load(today: date | None = None) -> list[str]:
    positions = list(
        Position.objects.filter(code__startswith=PREFIX, state=PositionState.OPERATING)
        .exclude(kind=PositionKind.WORK_STATION)
        .select_related("unit")
        .order_by("code")
    )
    if not positions:
        return []
    if DailyLedger.objects.filter(position__code__startswith=PREFIX).exists():
        return [f"  台账：已有 {DailyLedger.objects.count()} 天（未重复创建）"]
    today = today or timezone.localdate()
    first = today - timedelta(days=DAYS - 1)
    rows = []
    for position in positions:
        rng = _rng(position.code)
        base = rng.uniform(8, 60) * (2.0 if position.kind == PositionKind.CENTRE else 1.0)
        groups = tuple(position.served_groups or DEFAULT_GROUPS)
        start = max(first, position.opened_on or first)
        day = start
        while day <= today:
            if rng.random() > 0.03:  # a station now and then misses a day
                rows.append(_day_row(position, day, base, groups, rng))
            day += timedelta(days=1)
    with transaction.atomic(), audit_context(actor_name="演示数据"):
        for i in range(0, len(rows), 5000):
            bulk_insert(rows[i : i + 5000])
        services.ledger_months_rebuild(position_ids=[p.pk for p in positions])
        audit_record(
            action=AuditAction.IMPORT,
            object_type=DailyLedger._meta.label_lower,
            object_repr=f"演示台账 {len(rows)} 天",
            unit_path="",
            unit_name="",
            after={"days": len(rows), "positions": len(positions), "from": first.isoformat(), "to": today.isoformat()},
        )
    activities = _activities(positions, first, today)
    feedback = _feedback(positions, first, today)
    reports = _problem_reports(positions)
    return [
        f"  台账：{len(positions)} 个阵地 {DAYS} 天共 {len(rows)} 条；活动 {activities} 项；"
        f"意见 {feedback} 条；问题反映 {reports} 条"
    ]


def _activities(positions: list[Position], first: date, today: date) -> int:
    count = 0
    for position in positions:
        rng = _rng("activity", position.code)
        actor = _actor(position.unit)
        if actor is None:
            continue
        for _ in range(rng.randint(1, 4)):
            held_on = first + timedelta(days=rng.randrange((today - first).days + 1))
            _volume, heat, cold = _season(held_on)
            if heat > 0.6:
                kind, title = ActivityKind.COOLNESS, "夏季送清凉"
            elif cold > 0.6:
                kind, title = ActivityKind.WARMTH, "冬季送温暖"
            else:
                kind, title = rng.choice(
                    [
                        (ActivityKind.SAFETY_TRAINING, "交通安全培训"),
                        (ActivityKind.ANTI_FRAUD, "反诈骗宣传"),
                        (ActivityKind.POLICY, "新就业形态劳动者权益政策宣讲"),
                        (ActivityKind.FESTIVAL, "中秋节慰问"),
                        (ActivityKind.HEALTH, "健康义诊"),
                    ]
                )
            services.activity_create(
                actor=actor,
                unit=position.unit,
                position=position,
                title=f"{title}（{position.display_name}）",
                kind=kind,
                held_on=held_on,
                participants=rng.randint(8, 80),
            )
            count += 1
    return count


def _feedback(positions: list[Position], first: date, today: date) -> int:
    count = 0
    for position in positions:
        rng = _rng("feedback", position.code)
        actor = _actor(position.unit)
        for _ in range(rng.randint(0, 5)):
            rating = rng.choices([5, 4, 3, 2, 1], weights=[50, 30, 10, 6, 4])[0]
            text = rng.choice(FEEDBACK_TEXTS)
            with audit_context(actor_id=None, actor_name=services.PUBLIC_ACTOR_NAME, unit_path="", unit_name=""):
                feedback = Feedback(
                    position=position,
                    rating=rating,
                    text=text,
                    source=rng.choice([FeedbackSource.QR, FeedbackSource.PAGE]),
                    client_key=services.client_key(f"198.51.100.{rng.randrange(256)}"),
                )
                feedback.save()
            count += 1
            if actor is not None and rng.random() < 0.6:
                services.feedback_transition(actor=actor, feedback=feedback, to_state=FeedbackStatus.READ)
                if rng.random() < 0.7:
                    services.feedback_transition(
                        actor=actor, feedback=feedback, to_state=FeedbackStatus.RESOLVED, reason="已回复并处理"
                    )
    return count


def _problem_reports(positions: list[Position]) -> int:
    rng = _rng("problems")
    chosen = rng.sample(positions, min(10, len(positions)))
    kinds = list(ProblemKind.values)
    for i, position in enumerate(chosen):
        report = services.problem_report_submit(
            position_id=position.pk, kind=kinds[i % len(kinds)], text="", client=f"192.0.2.{i + 1}"
        )
        actor = _actor(position.unit)
        if i >= 6 and actor is not None:  # four of ten already settled on site
            services.problem_report_transition(
                actor=actor, report=report, to_state=ProblemStatus.RESOLVED, reason="已到现场核实处理", on_site=True
            )
    return len(chosen)
