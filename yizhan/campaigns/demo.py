"""The Dalian 2022 campaign of the demo (source 000), in a realistic mid-flow state: 50 places
allocated over the federation's units and published; the review group registered and confirmed
(the demo's reviewer account among them); most units have nominated their operating 5★ stations
with the sealed PDFs and submitted the summary; one unit has not, and its nominations step is
past its deadline (overdue on both sides), so the campaign still waits in 名额已下达 while the
on-site verifications of what was submitted have begun — some recorded with score sheets, the
demo reviewer's still to do. From there a newcomer extends the late unit's deadline or closes the
nominations, takes the review meeting's decisions, opens the notice, answers objections and
approves, in the browser (the approval only after the notice's seven days).

A second campaign, the 2021 one (`READY_NAME`), has gone further: nominated, verified, decided at
the review meeting (one nomination not passed, with its reason), its seven-day public notice held
and ENDED three days ago (Asia/Shanghai dates counted from the day the demo is loaded, so it stays
true whenever it is loaded), its one objection answered and resolved. It waits for the approval:
a newcomer approves it in the browser, which names the positions (their honour on the public
page) and awards the grants; then disburses them, records uses, asks for the self-evaluation
reports and draws the random checks.

Everything goes through the services, as people would, with the step deadlines dated from today
(the past ones moved into the past at the end, as if the time had passed; the notice's dates
likewise, since a notice can only be opened from today). Idempotent: a campaign of the same name
is left alone."""

from __future__ import annotations

import datetime as dt
import io

from django.db import transaction
from django.utils import timezone

from yizhan.campaigns import services
from yizhan.campaigns.choices import (
    CampaignState,
    GroupRole,
    NominationState,
    ObjectionOutcome,
    StepKind,
    VerificationResult,
)
from yizhan.campaigns.models import Campaign, CampaignStep, Nomination, Objection, Quota, ReviewMember
from yizhan.campaigns.rules import NOTICE_MIN_DAYS
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
# The second campaign: everything done up to the approval.
READY_NAME = "2021年市级最美工会户外劳动者服务站点推树活动"
READY_HONOUR = "2021 年度最美工会户外劳动者服务站点"
READY_TOTAL = 8
READY_NOTICE_ENDED = 3  # the notice ended this many days before the day the demo is loaded
READY_DEADLINES = {
    StepKind.QUOTAS: -70,
    StepKind.REVIEW_GROUP: -60,
    StepKind.NOMINATIONS: -45,
    StepKind.REVIEW: -20,
    StepKind.NOTICE: 2,
    StepKind.APPROVAL: 10,
    StepKind.FUNDS: 40,
    StepKind.SELF_EVALUATION: 120,
    StepKind.SPOT_CHECKS: 180,
}
READY_OBJECTION = "听说该站点晚上经常不开门，与公示的 24 小时开放不符，请核实。"
READY_ANSWER = "经评议小组夜间两次暗访，站点 24 小时开放属实；夜间由社区网格员值守。异议不成立。"
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


# The steps the demo's campaigns share (these two and campaigns.project_demo's), each through the
# services as people would take it.


def _ahead(deadlines: dict, today: dt.date) -> dict:
    """Step deadlines a month or more ahead, for creating the campaign: `_steps_dated` moves them to
    `deadlines` (days from today, negative: passed) once the steps are done, as if the time had passed."""
    return {kind: today + dt.timedelta(days=max(days, 1) + 30) for kind, days in deadlines.items()}


def _steps_dated(campaign: Campaign, deadlines: dict, today: dt.date) -> None:
    for kind, days in deadlines.items():
        deadline = today + dt.timedelta(days=days)
        CampaignStep.objects.filter(campaign=campaign, kind=kind).update(deadline=deadline, original_deadline=deadline)


def _publish(fed, **fields) -> Campaign | None:
    """The campaign created with `fields`, its quotas computed and published; None when no unit has
    anything to nominate (the campaign stays, without quotas)."""
    campaign = services.campaign_create(actor=fed, **fields)
    try:
        services.quotas_compute(actor=fed, campaign=campaign)
    except ApplicationError:
        return None
    return services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.PUBLISHED)


def _review_group(fed, campaign: Campaign, rows, *, phone_prefix: str) -> list[ReviewMember]:
    """The review group of `rows` (unit code, name, gender, job title, group role) registered and
    confirmed, numbered phones after `phone_prefix`; a row whose unit the demo lacks is left out."""
    members = []
    for code, name, gender, title, group_role in rows:
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
            phone=f"{phone_prefix}{len(members) + 1:04d}",
        )
        members.append(services.review_member_confirm(actor=fed, member=member, group_role=group_role))
    return members


def _nominate(fed, campaign: Campaign, quotas, subjects_of, *, statement: str, late: Quota | None = None):
    """Each quota's unit (its unit admin, else the federation) nominates `subjects_of(quota)` — pairs of
    the nomination's subject as keyword arguments and the text of its sealed PDF — seals and submits
    them and sends its summary; the `late` quota's unit only drafts them. Returns the submitted ones."""
    submitted = []
    for quota in quotas:
        actor = _actor(quota.unit, Role.UNIT_ADMIN) or fed
        subjects = subjects_of(quota)
        for subject, document in subjects:
            nomination = services.nomination_create(actor=actor, campaign=campaign, statement=statement, **subject)
            if quota is late:
                continue  # drafted, never sealed nor submitted
            services.nomination_sealed_upload(actor=actor, nomination=nomination, data=_pdf(document))
            submitted.append(
                services.nomination_transition(actor=actor, nomination=nomination, to_state=NominationState.SUBMITTED)
            )
        if quota is not late and subjects:
            services.nominations_submit(actor=actor, quota=quota, data=_pdf(f"Summary {quota.unit.code}"))
    return submitted


def _verify(fed, assignments, *, scores: dict, notes: str, on: dt.date) -> None:
    """Each (nomination, member) of `assignments` assigned and its on-site verification recorded as conforming."""
    for nomination, member in assignments:
        assignment = services.review_assign(actor=fed, nomination=nomination, member=member)
        services.review_record(
            actor=fed,
            assignment=assignment,
            scores=scores,
            result=VerificationResult.CONFORMS,
            notes=notes,
            verified_on=on,
        )


def _decide(fed, campaign: Campaign, submitted: list, *, reason: str, **meeting):
    """The review meeting recorded; it passes every nomination but the last, which it turns down with
    `reason` (to show a refusal) — the one nomination of a single-nomination campaign passes."""
    meeting = services.meeting_record(actor=fed, campaign=campaign, **meeting)
    for nomination in submitted[:-1] if len(submitted) > 1 else submitted:
        services.nomination_transition(
            actor=fed, nomination=nomination, to_state=NominationState.RECOMMENDED, meeting=meeting
        )
    if len(submitted) > 1:
        services.nomination_transition(
            actor=fed, nomination=submitted[-1], to_state=NominationState.REJECTED, meeting=meeting, reason=reason
        )
    return meeting


def _open_notice(fed, campaign: Campaign, today: dt.date) -> Campaign:
    """The seven-day notice opened today (it can only be opened from today; `_notice_ended` moves it back)."""
    return services.campaign_transition(
        actor=fed,
        campaign=campaign,
        to_state=CampaignState.NOTICE,
        notice_starts_on=today,
        notice_ends_on=today + dt.timedelta(days=NOTICE_MIN_DAYS - 1),
    )


def _notice_ended(campaign: Campaign, today: dt.date, days_ago: int, **fields) -> tuple[dt.date, dt.date]:
    """Time has passed: the seven-day notice ended `days_ago` days before today (and `fields` are
    moved back with it). Returns its first and last days."""
    ends = today - dt.timedelta(days=days_ago)
    starts = ends - dt.timedelta(days=NOTICE_MIN_DAYS - 1)
    Campaign.objects.filter(pk=campaign.pk).update(notice_starts_on=starts, notice_ends_on=ends, **fields)
    return starts, ends


def load(today: dt.date | None = None) -> list[str]:
    federation = Unit.objects.filter(code=FEDERATION).first()
    if federation is None:
        return []
    fed = _actor(federation, Role.FEDERATION_ADMIN)
    if fed is None:
        return []
    today = today or timezone.localdate()
    lines = []
    if Campaign.objects.filter(federation=federation, name=NAME).exists():
        lines.append("  推树活动：已有（未重复创建）")
    else:
        lines.extend(_load(federation, fed, today))
    if Campaign.objects.filter(federation=federation, name=READY_NAME).exists():
        lines.append("  推树活动（待审批）：已有（未重复创建）")
    else:
        lines.extend(_load_ready(federation, fed, today))
    return lines


@transaction.atomic
def _load(federation: Unit, fed, today: dt.date) -> list[str]:
    campaign = _publish(
        fed,
        name=NAME,
        year=2022,
        honour_title=HONOUR,
        total_quota=TOTAL,
        grant_fen=GRANT_FEN,
        deadlines=_ahead(DEADLINES, today),
    )
    if campaign is None:
        return ["  推树活动：已创建（没有符合条件的站点，未分配名额）"]

    reviewer_account = Membership.objects.filter(unit=federation, role=Role.REVIEWER).select_related("user").first()
    members = _review_group(fed, campaign, MEMBERS, phone_prefix="1390411")
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
    submitted = _nominate(fed, campaign, quotas, _positions(campaign), statement=STATEMENT, late=late)

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
    _steps_dated(campaign, DEADLINES, today)
    reviewers = ReviewMember.objects.filter(campaign=campaign).count()
    lines = [
        f"  推树活动：{NAME}（{campaign.get_state_display()}）：名额 {TOTAL} 个分配到 {len(quotas)} 个单位，"
        f"评议小组 {reviewers} 人，已报送推荐 {len(submitted)} 个，实地核查 {assigned} 项"
    ]
    if late is not None:
        lines.append(f"  推树活动：{late.unit.name} 的推荐已逾期未报送（演示逾期提醒）")
    return lines


def _positions(campaign: Campaign):
    """`subjects_of` for `_nominate`: the first of each unit's eligible positions by code, as many as its quota."""
    eligible = services._eligible_positions(campaign)

    def subjects_of(quota: Quota) -> list:
        positions = eligible.filter(unit__path__startswith=quota.unit.path).order_by("code")[: quota.quota]
        return [({"position": position}, f"Nomination {position.code}") for position in positions]

    return subjects_of


@transaction.atomic
def _load_ready(federation: Unit, fed, today: dt.date) -> list[str]:
    """The 2021 campaign up to its approval: see the module's docstring."""
    campaign = _publish(
        fed,
        name=READY_NAME,
        year=2021,
        honour_title=READY_HONOUR,
        total_quota=READY_TOTAL,
        grant_fen=GRANT_FEN,
        deadlines=_ahead(READY_DEADLINES, today),
    )
    if campaign is None:
        return ["  推树活动（待审批）：已创建（没有符合条件的站点，未分配名额）"]
    members = _review_group(fed, campaign, MEMBERS, phone_prefix="1390412")
    quotas = Quota.objects.filter(campaign=campaign, quota__gt=0).select_related("unit").order_by("unit__code")
    submitted = _nominate(fed, campaign, quotas, _positions(campaign), statement=STATEMENT)
    if not submitted:
        return ["  推树活动（待审批）：已创建（没有可推荐的站点）"]
    campaign = services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.REVIEWING)
    reviewed_on = today - dt.timedelta(days=READY_NOTICE_ENDED + NOTICE_MIN_DAYS + 5)
    assignments = []
    for index, nomination in enumerate(submitted):
        candidates = [m for m in members if m.unit_id != nomination.unit_id and m.unit_id == federation.pk]
        candidates = candidates or [m for m in members if m.unit_id != nomination.unit_id]
        assignments.append((nomination, candidates[index % len(candidates)]))
    _verify(fed, assignments, scores=SCORES, notes="设施齐全，制度上墙，开放时间与公示一致。", on=reviewed_on)
    _decide(
        fed,
        campaign,
        submitted,
        reason="站点周边道路施工，近三个月服务人次偏少，建议下一年度再推荐",
        held_on=reviewed_on + dt.timedelta(days=2),
        place="市总工会三楼会议室",
        attendees="、".join(m.name for m in members),
        minutes="评议小组听取实地核查情况汇报，逐个评议推荐站点。",
    )
    campaign = _open_notice(fed, campaign, today)
    objected = Nomination.objects.filter(campaign=campaign, state=NominationState.RECOMMENDED).order_by("pk").first()
    objection = services.objection_submit(
        campaign_id=campaign.pk, text=READY_OBJECTION, nomination_id=objected.pk, client="198.51.100.21"
    )
    objection = services.objection_resolve(
        actor=fed, objection=objection, outcome=ObjectionOutcome.DISMISSED, answer=READY_ANSWER
    )
    # Time has passed: the seven-day notice ended READY_NOTICE_ENDED days ago, the objection came in
    # on its second day and was answered the day after; the earlier steps' deadlines are behind us.
    starts, ends = _notice_ended(
        campaign,
        today,
        READY_NOTICE_ENDED,
        quotas_published_on=today + dt.timedelta(days=READY_DEADLINES[StepKind.QUOTAS]),
    )
    lodged = starts + dt.timedelta(days=1)
    Objection.objects.filter(pk=objection.pk).update(
        created_at=timezone.make_aware(dt.datetime.combine(lodged, dt.time(10, 12))),
        resolved_on=lodged + dt.timedelta(days=1),
    )
    _steps_dated(campaign, READY_DEADLINES, today)
    CampaignStep.objects.filter(campaign=campaign, completed_on__isnull=False).update(completed_on=reviewed_on)
    CampaignStep.objects.filter(campaign=campaign, kind__in=(StepKind.REVIEW_GROUP, StepKind.NOMINATIONS)).update(
        completed_on=reviewed_on - dt.timedelta(days=10)
    )
    recommended = len(submitted) - 1 if len(submitted) > 1 else 1
    return [
        f"  推树活动：{READY_NAME}（公示期 {starts.isoformat()} 至 {ends.isoformat()} 已结束，异议已处理，待审批）："
        f"评议通过 {recommended} 个，未通过 {len(submitted) - recommended} 个"
    ]
