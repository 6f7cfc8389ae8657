"""The Dalian 2022 campaign of the demo (source 000), in a realistic mid-flow state: 50 places
allocated over the federation's units and published; the review group registered and confirmed
(the demo's reviewer account among them); most units have nominated their operating 5★ stations
with the sealed PDFs and submitted the summary; one unit has not, and its nominations step is
past its deadline (overdue on both sides), so the campaign still waits in 名额已下达 while the
on-site verifications of what was submitted have begun — some recorded with score sheets, the
demo reviewer's still to do. From there a newcomer extends the late unit's deadline or closes the
nominations, takes the review meeting's decisions, opens the notice, answers objections and
approves, in the browser (the approval only after the notice's seven days).

Everything goes through the services, as people would, with the step deadlines dated from today
(the last two moved into the past at the end, as if the time had passed). Idempotent: a campaign
of the same name is left alone."""

from __future__ import annotations

import datetime as dt
import io

from django.db import transaction
from django.utils import timezone

from yizhan.campaigns import services
from yizhan.campaigns.choices import CampaignState, GroupRole, NominationState, StepKind, VerificationResult
from yizhan.campaigns.models import Campaign, CampaignStep, Quota, ReviewMember
from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Role
from yizhan.orgs.models import Membership, Unit
from yizhan.orgs.selectors import actor_for_user

FEDERATION = "DL"
NAME = "2022年市级最美工会户外劳动者服务站点推树活动"
HONOUR = "2022 年度最美工会户外劳动者服务站点"
TOTAL = 50
GRANT_FEN = 500_000
# Days from today of each step's deadline (negative: passed).
DEADLINES = {
    StepKind.QUOTAS: -40,
    StepKind.REVIEW_GROUP: -30,
    StepKind.NOMINATIONS: -3,
    StepKind.REVIEW: 20,
    StepKind.NOTICE: 40,
    StepKind.APPROVAL: 55,
    StepKind.FUNDS: 90,
    StepKind.SELF_EVALUATION: 180,
    StepKind.SPOT_CHECKS: 240,
}
# The group of source 000 §四(一): the vice-chairman in charge as leader, the head of the
# livelihood department as deputy, members from the departments and unions.
MEMBERS = (
    ("DL", "孙立新", "male", "市总工会副主席", GroupRole.LEADER),
    ("DL", "周慧", "female", "生活保障部部长", GroupRole.DEPUTY),
    ("DL-JZSH", "钱国强", "male", "机重石化电信工会副主席", GroupRole.MEMBER),
    ("DL-CMJR", "吴敏", "female", "财贸金融服务工会干事", GroupRole.MEMBER),
    ("DL-ZS", "郑海燕", "female", "中山区总工会生活保障部部长", GroupRole.MEMBER),
    ("DL-XG", "王波", "male", "西岗区总工会权益保障部副部长", GroupRole.MEMBER),
)
SCORES = {
    "signage": 9,
    "layout": 8,
    "facilities": 10,
    "functions": 9,
    "rules": 8,
    "map": 10,
    "role": 9,
    "opinion": 9,
    "innovation": 7,
    "features": 8,
}
STATEMENT = (
    "该站点位于户外劳动者集中的路段，24 小时开放，设施齐全，管理制度上墙；"
    "今年以来开展送清凉、安全培训等活动，服务环卫工人、快递员和外卖骑手，群众评价好。"
)


def _pdf(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 760, text)
    page.drawString(72, 740, "(sealed)")
    page.save()
    return out.getvalue()


def _actor(unit: Unit, role: str):
    membership = Membership.objects.filter(unit=unit, role=role).select_related("user", "unit").order_by("pk").first()
    return actor_for_user(membership.user, membership) if membership else None


def load(today: dt.date | None = None) -> list[str]:
    federation = Unit.objects.filter(code=FEDERATION).first()
    if federation is None:
        return []
    if Campaign.objects.filter(federation=federation, name=NAME).exists():
        return ["  推树活动：已有（未重复创建）"]
    fed = _actor(federation, Role.FEDERATION_ADMIN)
    if fed is None:
        return []
    return _load(federation, fed, today or timezone.localdate())


@transaction.atomic
def _load(federation: Unit, fed, today: dt.date) -> list[str]:
    later = {kind: today + dt.timedelta(days=max(days, 1) + 30) for kind, days in DEADLINES.items()}
    campaign = services.campaign_create(
        actor=fed,
        name=NAME,
        year=2022,
        honour_title=HONOUR,
        total_quota=TOTAL,
        grant_fen=GRANT_FEN,
        deadlines=later,
    )
    try:
        services.quotas_compute(actor=fed, campaign=campaign)
    except ApplicationError:
        return ["  推树活动：已创建（没有符合条件的站点，未分配名额）"]
    campaign = services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.PUBLISHED)

    reviewer_account = Membership.objects.filter(unit=federation, role=Role.REVIEWER).select_related("user").first()
    members = []
    for code, name, gender, title, group_role in MEMBERS:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            continue
        member = services.review_member_register(
            actor=fed,
            campaign=campaign,
            unit=unit,
            name=name,
            gender=gender,
            job_title=title,
            phone=f"1390411{len(members) + 1:04d}",
        )
        members.append(services.review_member_confirm(actor=fed, member=member, group_role=group_role))
    if reviewer_account is not None:
        user = reviewer_account.user
        member = services.review_member_register(
            actor=fed,
            campaign=campaign,
            unit=federation,
            name=user.full_name or user.get_username(),
            job_title="生活保障部干部",
            phone="13904110099",
            account=user,
        )
        members.insert(0, services.review_member_confirm(actor=fed, member=member, group_role=GroupRole.MEMBER))

    quotas = list(
        Quota.objects.filter(campaign=campaign, quota__gt=0).select_related("unit").order_by("-quota", "unit__code")
    )
    late = quotas[-1] if len(quotas) > 1 else None  # the smallest quota: the unit that is late
    eligible = services._eligible_positions(campaign)
    submitted = []
    for quota in quotas:
        actor = _actor(quota.unit, Role.UNIT_ADMIN) or fed
        positions = list(eligible.filter(unit__path__startswith=quota.unit.path).order_by("code")[: quota.quota])
        for position in positions:
            nomination = services.nomination_create(
                actor=actor, campaign=campaign, position=position, statement=STATEMENT
            )
            if quota is late:
                continue  # drafted, never sealed nor submitted
            services.nomination_sealed_upload(
                actor=actor, nomination=nomination, data=_pdf(f"Nomination {position.code}")
            )
            submitted.append(
                services.nomination_transition(actor=actor, nomination=nomination, to_state=NominationState.SUBMITTED)
            )
        if quota is not late and positions:
            services.nominations_submit(actor=actor, quota=quota, data=_pdf(f"Summary {quota.unit.code}"))

    assigned = 0
    for index, nomination in enumerate(submitted):
        candidates = [m for m in members if m.unit_id != nomination.unit_id]
        if not candidates:
            continue
        member = candidates[index % len(candidates)]
        try:
            assignment = services.review_assign(actor=fed, nomination=nomination, member=member)
        except ApplicationError:
            continue
        assigned += 1
        # Every other verification is recorded (by the federation from the paper sheet); the demo
        # reviewer's own are left for them to do in the browser.
        if index % 2 == 1 and member.account_id is None:
            services.review_record(
                actor=fed,
                assignment=assignment,
                scores=SCORES,
                result=VerificationResult.CONFORMS,
                notes="设施齐全，制度上墙，开放时间与公示一致。",
                verified_on=today - dt.timedelta(days=1),
            )
    # Time has passed: the earlier steps' deadlines are behind us (the nominations' three days).
    for kind, days in DEADLINES.items():
        deadline = today + dt.timedelta(days=days)
        CampaignStep.objects.filter(campaign=campaign, kind=kind).update(deadline=deadline, original_deadline=deadline)
    reviewers = ReviewMember.objects.filter(campaign=campaign).count()
    lines = [
        f"  推树活动：{NAME}（{campaign.get_state_display()}）：名额 {TOTAL} 个分配到 {len(quotas)} 个单位，"
        f"评议小组 {reviewers} 人，已报送推荐 {len(submitted)} 个，实地核查 {assigned} 项"
    ]
    if late is not None:
        lines.append(f"  推树活动：{late.unit.name} 的推荐已逾期未报送（演示逾期提醒）")
    return lines
