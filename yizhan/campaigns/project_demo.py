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
from yizhan.campaigns.choices import CampaignState, GroupRole, NominationState, StepKind
from yizhan.campaigns.demo import (
    _actor,
    _decide,
    _nominate,
    _notice_ended,
    _open_notice,
    _publish,
    _review_group,
    _verify,
)
from yizhan.campaigns.models import Campaign, CampaignStep, Nomination, Quota
from yizhan.campaigns.rules import NOTICE_MIN_DAYS
from yizhan.campaigns.subjects import Subject, eligible_projects, project_refusal
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
# The review group's on-site check against the excellent-project standard (百分评估标准,
# `subjects.score_items`): 92 of 100.
SCORES = {
    "study": 10,
    "activity_materials": 9,
    "certificate": 10,
    "signboard": 10,
    "union_approval": 10,
    "union_work": 5,
    "union_activities": 4,
    "project_documents": 10,
    "satisfaction": 10,
    "media": 8,
    "exchanges": 6,
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
    campaign = _publish(
        fed,
        name=NAME,
        year=YEAR,
        honour_title=HONOUR,
        total_quota=TOTAL,
        subject=Subject.PROJECT,
        min_score=MIN_SCORE,
        deadlines={
            kind: today + dt.timedelta(days=days) for kind, days in ((StepKind.NOMINATIONS, 30), (StepKind.REVIEW, 60))
        },
    )
    if campaign is None:
        return ["  优秀项目推选：已创建（没有符合条件的项目，未分配名额）"]
    members = _review_group(fed, campaign, MEMBERS, phone_prefix="1380532")
    quotas = Quota.objects.filter(campaign=campaign, quota__gt=0).select_related("unit").order_by("unit__code")

    def subjects_of(quota: Quota) -> list:
        rows = (
            eligible_projects(campaign).filter(unit__path__startswith=quota.unit.path).order_by("-score_sheet__total")
        )
        projects = [p for p in rows if project_refusal(campaign, p, on=today) is None][: quota.quota]
        return [({"project": project}, f"Project {project.pk}") for project in projects]

    submitted = _nominate(fed, campaign, quotas, subjects_of, statement=STATEMENT)
    if not submitted:
        return ["  优秀项目推选：已下达名额（没有可推荐的项目）"]
    campaign = services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.REVIEWING)
    reviewed_on = today - dt.timedelta(days=NOTICE_ENDED + NOTICE_MIN_DAYS + 5)
    _verify(
        fed,
        [(nomination, members[index % len(members)]) for index, nomination in enumerate(submitted)],
        scores=SCORES,
        notes="合同、实施方案、评估总结齐全；现场查看服务台账和活动照片。",
        on=reviewed_on,
    )
    _decide(
        fed,
        campaign,
        submitted,
        reason=REJECTED_REASON,
        held_on=reviewed_on + dt.timedelta(days=2),
        place="市总工会法律工作部会议室",
        attendees="、".join(m.name for m in members),
        minutes="评议小组对照百分评估标准逐项评议推荐项目。",
    )
    campaign = _open_notice(fed, campaign, today)
    # Time has passed: the seven-day notice ended NOTICE_ENDED days ago without objection.
    _notice_ended(campaign, today, NOTICE_ENDED)
    CampaignStep.objects.filter(campaign=campaign, completed_on__isnull=False).update(completed_on=reviewed_on)
    campaign = services.campaign_transition(
        actor=fed, campaign=Campaign.objects.get(pk=campaign.pk), to_state=CampaignState.APPROVED
    )
    honoured = Nomination.objects.filter(campaign=campaign, state=NominationState.SELECTED).count()
    return [
        f"  优秀项目推选：{NAME}（已审批）：命名 {honoured} 个（市级优秀项目，补助 1 万元），"
        f"未通过 {len(submitted) - honoured} 个"
    ]
