"""Demo partners and map markings for the Dalian demo (issue 20), loaded by `yizhan demo` after the
positions. Deterministic (fixed seed, choices by position code) and idempotent: a second run
finds the partners and the markings and creates nothing.

- Two partners of 大连市总工会, registered and given keys through the services (audited):
  职工之家 (the union app) reading the whole federation, with a key in use and an older one
  revoked; and 甘井子区暖心驿站小程序 (a district mini-program) reading 甘井子区总工会's subtree,
  whose webhook address fails and is flagged (已停止) after the eight attempts the delivery makes.
  The keys' secrets are never printed nor kept: to try the API, issue a new key on the partner's
  page (shown once there).
- Usage per key and day for the past weeks (a poll a minute and some bursts), as the key
  accesses count them.
- A marking on Amap (9 days ago) and one on Baidu (23 days ago) of the whole federation, made
  through the service; then a few marked points are set back to what the stations were before
  recent changes the demo has no history of (moved, renamed, new since, closed since), so the
  out-of-date list and the "changes since the last marking" export show a realistic handful of
  rows. Marked points are derived rows (no audit of their own): the markings themselves are
  audited.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from yizhan.core.roles import Role
from yizhan.orgs.models import Membership, Unit
from yizhan.orgs.selectors import actor_for_user
from yizhan.positions.choices import PositionState
from yizhan.positions.models import Position
from yizhan.publishing import marking, services
from yizhan.publishing.choices import MapPlatform
from yizhan.publishing.models import ApiKey, ApiKeyUsage, MapMarking, MapPoint, Partner
from yizhan.publishing.webhooks import MAX_FAILURES

SEED = 20260020
FEDERATION = "DL"
UNION_APP = "职工之家"
MINI_PROGRAM = "甘井子区暖心驿站小程序"
# (name, unit code, contact name, contact phone, email, requests per minute)
PARTNERS = [
    (UNION_APP, "DL", "刘对接", "13940001234", "api@zgzj-demo.example.cn", 600),
    (MINI_PROGRAM, "DL-GJZ", "孙小程", "13940005678", "", 120),
]
WEBHOOK_URL = "https://xcx.gjz-demo.example.cn/yizhan/webhook"
WEBHOOK_ERROR = "HTTP 502 Bad Gateway（演示数据）"
USAGE_DAYS = 21
# Days before today of each platform's marking, and how many points of each kind are set back.
MARKINGS = {
    MapPlatform.AMAP: (9, {"moved": 2, "renamed": 1, "new": 2, "closed": 1}),
    MapPlatform.BAIDU: (23, {"moved": 4, "renamed": 2, "new": 3, "closed": 2}),
}
FORMER_NAME_SUFFIX = "（原名）"
MOVED_DEGREES = 0.0012  # about 100–130 m in Dalian


def _federation_admin():
    membership = (
        Membership.objects.filter(unit__code=FEDERATION, role=Role.FEDERATION_ADMIN)
        .select_related("user", "unit")
        .order_by("pk")
        .first()
    )
    return (actor_for_user(membership.user, membership), membership) if membership else (None, None)


def _usage(key: ApiKey, rng: random.Random, days: range, base: int) -> list[ApiKeyUsage]:
    today = timezone.localdate()
    rows = []
    for ago in days:
        day = today - timedelta(days=ago)
        requests = base + rng.randint(0, base // 5) + (rng.choice([0, 0, 0, 400]) if base > 100 else 0)
        refused = rng.choice([0, 0, 0, 0, 3, 12]) if base > 100 else 0
        last = timezone.make_aware(datetime.combine(day, time(23, 59 - rng.randint(0, 20))))
        rows.append(ApiKeyUsage(key=key, day=day, requests=requests, refused=refused, last_at=last))
    return rows


def _partners(actor, membership, rng: random.Random) -> int:
    created = 0
    for name, unit_code, contact, phone, email, rate in PARTNERS:
        unit = Unit.objects.get(code=unit_code)
        partner = services.partner_create(
            actor=actor,
            unit=unit,
            name=name,
            contact_name=contact,
            contact_phone=phone,
            contact_email=email,
            rate_per_minute=rate,
        )
        created += 1
        usage = []
        if name == UNION_APP:
            old = services.api_key_issue(actor=actor, partner=partner, label="正式环境（已更换）").key
            usage += _usage(old, rng, range(USAGE_DAYS - 1, 11, -1), 1440)
            services.api_key_revoke(actor=actor, key=old)
            ApiKey.objects.filter(pk=old.pk).update(revoked_at=timezone.now() - timedelta(days=11))
            current = services.api_key_issue(actor=actor, partner=partner, label="正式环境").key
            usage += _usage(current, rng, range(11, -1, -1), 1440)
            test = services.api_key_issue(actor=actor, partner=partner, label="测试环境").key
            usage += _usage(test, rng, range(6, -1, -2), 40)
        else:
            key = services.api_key_issue(actor=actor, partner=partner, label="小程序后台").key
            usage += _usage(key, rng, range(USAGE_DAYS - 1, -1, -1), 1440)
            # The address failed every attempt and was flagged (publishing/webhooks.py).
            partner.webhook_url = WEBHOOK_URL
            partner.webhook_secret = secrets.token_hex(32)
            partner.webhook_membership = membership
            partner.webhook_failures = MAX_FAILURES
            partner.webhook_failing = True
            partner.webhook_error = WEBHOOK_ERROR
            partner.save()
        ApiKeyUsage.objects.bulk_create(usage)
    return created


def _set_back(platform: str, kinds: dict[str, int], rng: random.Random) -> None:
    """Set some marked points back to the stations as they were before changes since the marking."""
    points = list(MapPoint.objects.filter(platform=platform).order_by("code"))
    rng.shuffle(points)
    for point in points[: kinds["moved"]]:
        point.lng += MOVED_DEGREES * rng.choice([-1, 1])
        point.lat += MOVED_DEGREES * rng.choice([-1, 1])
        point.save(update_fields=["lng", "lat"])
    start = kinds["moved"]
    for point in points[start : start + kinds["renamed"]]:
        point.name = point.name + FORMER_NAME_SUFFIX
        point.save(update_fields=["name"])
    start += kinds["renamed"]
    # Opened since the marking: not on the map yet.
    MapPoint.objects.filter(pk__in=[p.pk for p in points[start : start + kinds["new"]]]).delete()
    # Closed since the marking: suspended or delisted stations still on the map.
    closed = (
        Position.objects.filter(
            unit__path__startswith=Unit.objects.get(code=FEDERATION).path,
            state__in=[PositionState.SUSPENDED, PositionState.DELISTED],
        )
        .select_related("unit")
        .order_by("code")
    )
    closed = list(closed)
    rng.shuffle(closed)
    marking_row = MapMarking.objects.filter(platform=platform).order_by("-pk").first()
    for position in closed[: kinds["closed"]]:
        MapPoint.objects.create(
            platform=platform,
            position_id=position.pk,
            code=position.code,
            name=position.official_name,
            lng=position.lng,
            lat=position.lat,
            unit_path=position.unit.path,
            marking=marking_row,
        )


def _markings(actor, rng: random.Random) -> int:
    unit = Unit.objects.get(code=FEDERATION)
    for platform, (days_ago, kinds) in MARKINGS.items():
        recorded = marking.map_marking_record(actor=actor, unit=unit, platform=platform)
        MapMarking.objects.filter(pk=recorded.pk).update(marked_at=timezone.now() - timedelta(days=days_ago))
        _set_back(platform, kinds, rng)
    return len(MARKINGS)


@transaction.atomic
def load() -> list[str]:
    actor, membership = _federation_admin()
    if actor is None or not Position.objects.filter(code__startswith=f"{FEDERATION}-").exists():
        return []
    if Partner.objects.filter(unit__code=FEDERATION, name=UNION_APP).exists():
        return ["  数据合作方与地图标注：已有（未重复创建）"]
    rng = random.Random(SEED)
    partners = _partners(actor, membership, rng)
    markings = _markings(actor, rng)
    out_of_date = {
        platform.label: marking.out_of_date_count(unit=Unit.objects.get(code=FEDERATION), platform=platform)
        for platform in MapPlatform
    }
    figures = "，".join(f"{label} {count} 处待更新" for label, count in out_of_date.items())
    return [
        f"  数据合作方：{partners} 个（密钥明文不保留，试用接口请在合作方页面签发新密钥）",
        f"  地图标注：{markings} 次，{figures}",
    ]
