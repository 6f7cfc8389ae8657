"""Demo of the campaign engine selecting projects (issue 19 C4): 青岛市总工会's yearly selection of
excellent social-organisation service projects, run through the services after the Qingdao demo's
projects exist (`yizhan.projects.demo`; loader after it in DEMO_LOADERS): quotas by Hamilton on the
eligible projects of each district, a confirmed review group, 市北区's two 2025 projects nominated
with sealed forms, verified and decided at a meeting (one passed, one not, with the reason), a
seven-day notice that ended before the day of loading, and the approval — the passed project holds
the city honour and its 10,000-yuan subsidy (pay once at the highest honour, top up later).

Dates are relative to the day of loading, as the Dalian campaigns'. Idempotent: a campaign of that
name is never created twice."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yizhan.campaigns import services
from yizhan.campaigns.choices import CampaignState, GroupRole, NominationState, StepKind, VerificationResult
from yizhan.campaigns.demo import _actor, _pdf
from yizhan.campaigns.models import Campaign, CampaignStep, Nomination, Quota
from yizhan.campaigns.rules import NOTICE_MIN_DAYS
from yizhan.campaigns.subjects import Subject, eligible_projects, project_refusal
from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Role
from yizhan.orgs.models import Unit

FEDERATION = "QD"
YEAR = 2026
NAME = "2026 年度青岛市工会联系引导社会组织服务职工优秀项目推选"
HONOUR = "2026 年度青岛市工会服务职工优秀项目"
TOTAL = 2
MIN_SCORE = 60
# (unit code, name, gender, job title, group role)
MEMBERS = [
    ("QD", "樊朝斌", "male", "市总工会法律工作部部长", GroupRole.LEADER),
    ("QD", "武晓楠", "female", "市总工会财务部部长", GroupRole.MEMBER),
]
STATEMENT = "项目按协议完成，第三方测评职工满意度 92.5%，媒体多次报道，经验在全市工会会议上交流。"
REJECTED_REASON = "项目服务覆盖面较小，宣传推广不足，建议下一年度再推荐"
SCORES = {
    "signage": 9,
    "layout": 9,
    "facilities": 9,
    "functions": 9,
    "rules": 10,
    "map": 8,
    "role": 9,
    "opinion": 10,
    "innovation": 8,
    "features": 9,
}
NOTICE_ENDED = 5  # days before the day of loading


def load(today: dt.date | None = None) -> list[str]:
    federation = Unit.objects.filter(code=FEDERATION).first()
    fed = _actor(federation, Role.FEDERATION_ADMIN) if federation else None
    if fed is None:
        return []
    if Campaign.objects.filter(federation=federation, name=NAME).exists():
        return ["  优秀项目推选：已有（未重复创建）"]
    return _load(federation, fed, today or timezone.localdate())


@transaction.atomic
def _load(federation: Unit, fed, today: dt.date) -> list[str]:
    later = {
        kind: today + dt.timedelta(days=days) for kind, days in ((StepKind.NOMINATIONS, 30), (StepKind.REVIEW, 60))
    }
    campaign = services.campaign_create(
        actor=fed,
        name=NAME,
        year=YEAR,
        honour_title=HONOUR,
        total_quota=TOTAL,
        subject=Subject.PROJECT,
        min_score=MIN_SCORE,
        deadlines=later,
    )
    try:
        services.quotas_compute(actor=fed, campaign=campaign)
    except ApplicationError:
        return ["  优秀项目推选：已创建（没有符合条件的项目，未分配名额）"]
    campaign = services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.PUBLISHED)
    members = []
    for index, (code, name, gender, title, group_role) in enumerate(MEMBERS, start=1):
        member = services.review_member_register(
            actor=fed,
            campaign=campaign,
            unit=Unit.objects.get(code=code),
            name=name,
            gender=gender,
            job_title=title,
            phone=f"1380532{index:04d}",
        )
        members.append(services.review_member_confirm(actor=fed, member=member, group_role=group_role))
    submitted = []
    quotas = Quota.objects.filter(campaign=campaign, quota__gt=0).select_related("unit").order_by("unit__code")
    for quota in quotas:
        actor = _actor(quota.unit, Role.UNIT_ADMIN) or fed
        rows = (
            eligible_projects(campaign).filter(unit__path__startswith=quota.unit.path).order_by("-score_sheet__total")
        )
        projects = [p for p in rows if project_refusal(campaign, p, on=today) is None][: quota.quota]
        for project in projects:
            nomination = services.nomination_create(
                actor=actor, campaign=campaign, project=project, statement=STATEMENT
            )
            services.nomination_sealed_upload(actor=actor, nomination=nomination, data=_pdf(f"Project {project.pk}"))
            submitted.append(
                services.nomination_transition(actor=actor, nomination=nomination, to_state=NominationState.SUBMITTED)
            )
        if projects:
            services.nominations_submit(actor=actor, quota=quota, data=_pdf(f"Summary {quota.unit.code}"))
    if not submitted:
        return ["  优秀项目推选：已下达名额（没有可推荐的项目）"]
    campaign = services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.REVIEWING)
    reviewed_on = today - dt.timedelta(days=NOTICE_ENDED + NOTICE_MIN_DAYS + 5)
    for index, nomination in enumerate(submitted):
        assignment = services.review_assign(actor=fed, nomination=nomination, member=members[index % len(members)])
        services.review_record(
            actor=fed,
            assignment=assignment,
            scores=SCORES,
            result=VerificationResult.CONFORMS,
            notes="合同、实施方案、评估总结齐全；现场查看服务台账和活动照片。",
            verified_on=reviewed_on,
        )
    meeting = services.meeting_record(
        actor=fed,
        campaign=campaign,
        held_on=reviewed_on + dt.timedelta(days=2),
        place="市总工会法律工作部会议室",
        attendees="、".join(m.name for m in members),
        minutes="评议小组对照百分评估标准逐项评议推荐项目。",
    )
    passed = submitted[:-1] if len(submitted) > 1 else submitted
    for nomination in passed:
        services.nomination_transition(
            actor=fed, nomination=nomination, to_state=NominationState.RECOMMENDED, meeting=meeting
        )
    if len(submitted) > 1:
        services.nomination_transition(
            actor=fed,
            nomination=submitted[-1],
            to_state=NominationState.REJECTED,
            meeting=meeting,
            reason=REJECTED_REASON,
        )
    campaign = services.campaign_transition(
        actor=fed,
        campaign=campaign,
        to_state=CampaignState.NOTICE,
        notice_starts_on=today,
        notice_ends_on=today + dt.timedelta(days=NOTICE_MIN_DAYS - 1),
    )
    # Time has passed: the seven-day notice ended NOTICE_ENDED days ago without objection.
    ends = today - dt.timedelta(days=NOTICE_ENDED)
    starts = ends - dt.timedelta(days=NOTICE_MIN_DAYS - 1)
    Campaign.objects.filter(pk=campaign.pk).update(notice_starts_on=starts, notice_ends_on=ends)
    CampaignStep.objects.filter(campaign=campaign, completed_on__isnull=False).update(completed_on=reviewed_on)
    campaign = services.campaign_transition(
        actor=fed, campaign=Campaign.objects.get(pk=campaign.pk), to_state=CampaignState.APPROVED
    )
    honoured = Nomination.objects.filter(campaign=campaign, state=NominationState.SELECTED).count()
    return [
        f"  优秀项目推选：{NAME}（已审批）：命名 {honoured} 个（市级优秀项目，补助 1 万元），"
        f"未通过 {len(submitted) - honoured} 个"
    ]
