"""Grants of the demo: the one-off 5,000-yuan grants a few Dalian stations received from an earlier
selection (the 2021 provincial one that source 000 §五 takes as its model), disbursed to their
managing units, with uses recorded as people would (rebuilding, upgrades, daily operation) and the
self-evaluation reports asked for with a due date five days ago — one submitted, the others overdue
(the 工作台 shows them). The demo's
campaigns (campaigns.demo) stop before their approval — the 2021 one ready for it, its notice
over; its grants appear when a newcomer approves it in the browser (campaigns' approval →
grant_award), to be disbursed, used and reported on here.

Everything goes through the services; idempotent: the grants of the source are left alone once made."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yizhan.core.roles import Role
from yizhan.grants import services
from yizhan.grants.choices import UsePurpose
from yizhan.grants.models import Grant
from yizhan.orgs.models import Membership, Unit
from yizhan.orgs.selectors import actor_for_user
from yizhan.positions.choices import PositionState
from yizhan.positions.models import Position

FEDERATION = "DL"
SOURCE = "demo:province-2021"
TITLE = "2021 年度辽宁省最美工会户外劳动者服务站点 补助资金"
REPORT_TITLE = "2021 年度最美工会户外劳动者服务站点补助资金绩效自评报告"
AMOUNT_FEN = 500_000
UNITS = ("DL-ZS", "DL-XG", "DL-SHK")
PER_UNIT = 2
# (share of the grant in per cent, purpose, days after disbursement, description)
USES = (
    (40, UsePurpose.REBUILDING, 20, "更换站点门头标识、修缮休息区地面"),
    (30, UsePurpose.UPGRADE, 45, "购置冷暖空调一台、净水饮水机一台"),
    (12, UsePurpose.OPERATION, 90, "站点水电费及日常清洁用品"),
)
REPORT = {
    "targets": "改善两个站点的服务设施，保障户外劳动者喝水、休息、如厕需求，日均服务 50 人次以上",
    "target_completion": "两个站点均完成改造提升，日均服务 63 人次，全年开放不少于 300 天",
    "funds_use": "补助资金 10000.00 元，已使用 8200.00 元：改造提升 4000 元、软硬件升级 3000 元、日常运营 1200 元",
    "outputs": "站点满意度由 91% 提升至 97%，新增夏季送清凉活动 6 场",
    "score": 92,
    "problems": "夜间开放时间不足，部分设施使用登记不完整",
    "rectification": "与街道协商延长开放至 22:00，建立设施使用登记本并每月检查",
}


def _actor(unit: Unit, role: str):
    membership = Membership.objects.filter(unit=unit, role=role).select_related("user", "unit").order_by("pk").first()
    return actor_for_user(membership.user, membership) if membership else None


def load(today: dt.date | None = None) -> list[str]:
    federation = Unit.objects.filter(code=FEDERATION).first()
    if federation is None:
        return []
    if Grant.objects.filter(source=SOURCE).exists():
        return ["  补助资金：已有（未重复创建）"]
    fed = _actor(federation, Role.FEDERATION_ADMIN)
    if fed is None:
        return []
    return _load(fed, today or timezone.localdate())


@transaction.atomic
def _load(fed, today: dt.date) -> list[str]:
    awarded_on = today - dt.timedelta(days=200)
    disbursed_on = awarded_on + dt.timedelta(days=14)
    made = 0
    for code in UNITS:
        unit = Unit.objects.filter(code=code).first()
        admin = _actor(unit, Role.UNIT_ADMIN) if unit else None
        if admin is None:
            continue
        stations = Position.objects.filter(unit__path__startswith=unit.path, state=PositionState.OPERATING).order_by(
            "-star_rating", "code"
        )[:PER_UNIT]
        for station in stations:
            grant = services.grant_award(
                actor=fed, position=station, amount_fen=AMOUNT_FEN, title=TITLE, source=SOURCE, awarded_on=awarded_on
            )
            grant = services.grant_disburse(
                actor=fed, grant=grant, disbursed_on=disbursed_on, reference=f"大工财〔2021〕{made + 31}号"
            )
            for share, purpose, after, description in USES[: 3 - made % 2]:
                services.grant_use_record(
                    actor=admin,
                    grant=grant,
                    amount_fen=AMOUNT_FEN * share // 100,
                    purpose=purpose,
                    used_on=min(disbursed_on + dt.timedelta(days=after), today),
                    description=description,
                )
            made += 1
    if not made:
        return []
    reports = services.self_evaluation_request(
        actor=fed, source=SOURCE, title=REPORT_TITLE, due_on=today - dt.timedelta(days=5)
    )
    # The last unit's is submitted; 中山区's (the demo's zs_admin) waits, overdue, for a newcomer to write.
    done = reports[-1]
    writer = _actor(done.unit, Role.UNIT_ADMIN)
    services.self_evaluation_save(actor=writer, report=done, **REPORT)
    services.self_evaluation_submit(actor=writer, report=done)
    return [
        f"  补助资金：{made} 笔（每笔 5000 元，已拨付并登记使用），"
        f"绩效自评报告 {len(reports)} 份（1 份已提交，其余逾期）"
    ]
