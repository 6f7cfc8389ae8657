"""Business rules of nomination campaigns (spec §7, source 000), as plain functions taking `actor`.

Each service runs in one transaction and changes nothing when it refuses (ApplicationError with a
Chinese message and the field it is about)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.campaigns import rules
from yizhan.campaigns.choices import (
    CAMPAIGN_FLOW,
    NOMINATION_FLOW,
    QUOTA_STATES,
    SCORE_ITEMS,
    CampaignState,
    GroupRole,
    NominationState,
    ObjectionOutcome,
    ObjectionStatus,
    StepKind,
    VerificationResult,
)
from yizhan.campaigns.models import (
    STATEMENT_MAX_LENGTH,
    Campaign,
    CampaignStep,
    Honour,
    Nomination,
    Objection,
    Quota,
    ReviewAssignment,
    ReviewMeeting,
    ReviewMember,
    ReviewPhoto,
)
from yizhan.campaigns.quotas import Claimant, NoWeight, allocate, weight
from yizhan.campaigns.subjects import Subject, score_items
from yizhan.core import workflow
from yizhan.core.audit import audit_context
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError, from_validation_error
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE, Actor, require, require_in_scope
from yizhan.ledger import limits
from yizhan.ledger.services import LIMITED, FeedbackLimited, _wait_text, clean_text, client_key
from yizhan.orgs.choices import FEDERATION_TYPES
from yizhan.orgs.models import Unit
from yizhan.positions import photos
from yizhan.positions.choices import PositionState, StarRating
from yizhan.positions.models import Position

logger = logging.getLogger(__name__)

NAME_REQUIRED = _("请填写活动名称")
HONOUR_REQUIRED = _("请填写荣誉称号")
TOTAL_INVALID = _("推树总名额须为正整数")
GRANT_INVALID = _("补助金额须为不小于 0 的整数（单位：分）")
STATES_INVALID = _("可推荐的阵地状态无效：{value}")
NOT_A_FEDERATION = _("推树活动须由总工会发起")
STEP_UNKNOWN = _("未知的活动步骤：{value}")
NOT_DRAFT = _("活动已下达名额，名额分配表不能再修改")
NO_ELIGIBLE_STATIONS = _("各单位都没有符合条件的阵地，无法按站点数分配名额")
NO_ELIGIBLE_PROJECTS = _("各单位都没有符合条件的社会组织服务项目，无法按项目数分配名额")
SUBJECT_INVALID = _("推树对象无效：{value}")
MIN_SCORE_INVALID = _("最低评分须为 0 至 100 的整数")
SUBJECT_MISSING = _("请选择推荐的{subject}")
NO_UNITS = _("总工会下没有可分配名额的单位")
ADJUST_REASON_REQUIRED = _("调整名额须说明原因")
QUOTA_INVALID = _("名额须为不小于 0 的整数")
EXTEND_REASON_REQUIRED = _("延期须说明原因")
EXTEND_NOT_LATER = _("新的截止日期须晚于原截止日期 {deadline}")
OVER_QUOTA = _("{unit}的推荐名额为 {quota} 个，已推荐 {used} 个，不能再推荐")
NO_QUOTA = _("{unit}在本活动中没有推荐名额")
NOT_NOMINATING = _("活动当前为“{state}”，不能推荐")
INELIGIBLE_KIND = _("“{position}”不是{kind}，不能参加本活动")
INELIGIBLE_STATE = _("“{position}”当前为“{state}”，只有{states}的阵地可以推荐")
INELIGIBLE_STARS = _("“{position}”的星级为{stars}，须达到{required}才能推荐")
NOT_IN_UNIT = _("“{position}”不属于{unit}")
ALREADY_NOMINATED = _("“{position}”已在本活动中被推荐")
STATEMENT_REQUIRED = _("请填写推荐理由（主要事迹）")
STATEMENT_TOO_LONG = _("推荐理由不能超过 {max} 个字")
NOT_DRAFT_NOMINATION = _("推荐已报送，不能再修改")
NOTHING_SUBMITTED = _("还没有已报送的推荐，不能报送汇总表")
DRAFTS_LEFT = _("还有 {count} 个推荐未报送，请先报送或撤回")
MEMBER_NOT_REGISTERING = _("活动当前为“{state}”，不能报名评议小组成员")
MEMBER_NAME_REQUIRED = _("请填写姓名")
MEMBER_TITLE_REQUIRED = _("请填写职务")
MEMBER_PHONE_REQUIRED = _("请填写联系电话")
MEMBER_ACCOUNT_ROLE = _("该账号没有“评议小组成员”角色")
MEMBER_NOT_CONFIRMED = _("评议小组成员尚未确认，不能分配核查")
ONE_LEADER = _("评议小组只能有一名组长（现为 {name}）")
OWN_UNIT = _("{member}来自{unit}，不能核查本单位推荐的阵地")
DECLARED_CONFLICT = _("{member}已申报与“{position}”存在利益冲突，不能分配")
NOT_SUBMITTED_FOR_REVIEW = _("只有已报送的推荐可以分配实地核查")
NOT_REVIEWING = _("活动当前为“{state}”，不能记录核查结果")
SCORE_MISSING = _("请为“{item}”评分")
SCORE_INVALID = _("“{item}”的评分须为 0 至 {max} 的整数")
RESULT_INVALID = _("请选择核查结论")
CONFLICT_POSITIONS_INVALID = _("申报回避的阵地须为阵地编号列表")
NOTICE_CLOSED = _("该活动不在公示期内，不能提出异议")
OBJECTION_REQUIRED = _("请填写异议内容")
OBJECTION_NOMINATION_UNKNOWN = _("该推荐不在本次公示名单中")
CONTACT_TOO_LONG = _("联系方式不能超过 50 个字")
OUTCOME_INVALID = _("请选择处理结论")
ANSWER_REQUIRED = _("请填写答复内容")
ALREADY_RESOLVED = _("该异议已处理")
PLAQUE_NUMBER_REQUIRED = _("请填写牌匾编号")
MEETING_DATE_REQUIRED = _("请填写会议日期")

OBJECTION_BUCKET_PREFIX = "o"
PUBLIC_ACTOR_NAME = "公众"


def _actor_name(actor: Actor) -> str:
    return actor.user.get_username()


def _clean(value, *, required=None, max_length: int, field: str, too_long=None) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ApplicationError(str(required or too_long), field=field)
    if required is not None and not text:
        raise ApplicationError(str(required), field=field)
    if len(text) > max_length:
        raise ApplicationError(
            str(too_long.format(max=max_length)) if too_long else f"{field}: ≤ {max_length}", field=field
        )
    return text


def _full_clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        raise from_validation_error(error) from None


# --- the campaign ---------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor: Actor,
    name: str,
    year: int,
    honour_title: str,
    total_quota: int,
    grant_fen: int = 0,
    position_kind: str = "station",
    eligible_states: Iterable[str] | None = None,
    min_star_rating: str = StarRating.FIVE,
    deadlines: Mapping[str, dt.date] | None = None,
    federation: Unit | None = None,
    subject: str = Subject.POSITION,
    min_score: int | None = None,
) -> Campaign:
    """A new campaign, in draft, of the actor's federation (or of `federation`, a federation in the
    actor's scope), with the deadline of each step given (`deadlines`: StepKind → date). `subject`
    says what it selects (`subjects.Subject`): positions (eligibility by kind, states and stars) or
    social-organisation service projects (eligibility by `subjects.project_refusal`, `min_score`
    the lowest confirmed score sheet total, if any)."""
    require(actor, Action.CREATE, Campaign)
    federation = federation or actor.unit
    require_in_scope(actor, federation)
    if federation.type not in FEDERATION_TYPES:
        raise ApplicationError(str(NOT_A_FEDERATION))
    if not isinstance(total_quota, int) or isinstance(total_quota, bool) or total_quota < 1:
        raise ApplicationError(str(TOTAL_INVALID), field="total_quota")
    if not isinstance(grant_fen, int) or isinstance(grant_fen, bool) or grant_fen < 0:
        raise ApplicationError(str(GRANT_INVALID), field="grant_fen")
    if subject not in Subject.values:
        raise ApplicationError(SUBJECT_INVALID.format(value=subject), field="subject")
    if min_score is not None and (
        not isinstance(min_score, int) or isinstance(min_score, bool) or not 0 <= min_score <= 100
    ):
        raise ApplicationError(str(MIN_SCORE_INVALID), field="min_score")
    if subject == Subject.PROJECT:
        min_star_rating = ""
    states = list(eligible_states) if eligible_states is not None else [PositionState.OPERATING.value]
    bad = [s for s in states if s not in PositionState.values]
    if bad or not states:
        raise ApplicationError(STATES_INVALID.format(value="、".join(map(str, bad)) or "—"), field="eligible_states")
    campaign = Campaign(
        federation=federation,
        name=_clean(name, required=NAME_REQUIRED, max_length=200, field="name"),
        year=year,
        honour_title=_clean(honour_title, required=HONOUR_REQUIRED, max_length=100, field="honour_title"),
        total_quota=total_quota,
        grant_fen=grant_fen,
        position_kind=position_kind,
        eligible_states=states,
        min_star_rating=min_star_rating or "",
        subject=subject,
        min_score=min_score if subject == Subject.PROJECT else None,
    )
    _full_clean(campaign)
    campaign.save()
    for kind, deadline in (deadlines or {}).items():
        if kind not in StepKind.values:
            raise ApplicationError(STEP_UNKNOWN.format(value=kind), field="deadlines")
        CampaignStep.objects.create(campaign=campaign, kind=kind, deadline=deadline, original_deadline=deadline)
    return campaign


def campaign_transition(
    *,
    actor: Actor,
    campaign: Campaign,
    to_state: str,
    reason: str = "",
    notice_starts_on: dt.date | None = None,
    notice_ends_on: dt.date | None = None,
) -> Campaign:
    return workflow.transition(
        workflow=CAMPAIGN_FLOW,
        actor=actor,
        obj=campaign,
        to=to_state,
        reason=reason,
        notice_starts_on=notice_starts_on,
        notice_ends_on=notice_ends_on,
    )


@transaction.atomic
def step_extend(*, actor: Actor, step: CampaignStep, deadline: dt.date, reason: str) -> CampaignStep:
    """Extend a step's deadline with the recorded reason (the first deadline is kept)."""
    require(actor, Action.UPDATE, Campaign)
    step = CampaignStep.objects.select_for_update().select_related("campaign__federation").get(pk=step.pk)
    require_in_scope(actor, step.campaign.federation)
    reason = _clean(reason, required=EXTEND_REASON_REQUIRED, max_length=255, field="reason")
    if not isinstance(deadline, dt.date) or deadline <= step.deadline:
        raise ApplicationError(EXTEND_NOT_LATER.format(deadline=step.deadline.isoformat()), field="deadline")
    step.deadline = deadline
    step.extension_reason = reason
    step.save()
    return step


# --- quotas (annex 1) -----------------------------------------------------------------------


def _eligible_positions(campaign: Campaign):
    rows = Position.objects.filter(kind=campaign.position_kind, state__in=campaign.eligible_states)
    if campaign.min_star_rating:
        rows = rows.filter(star_rating__gte=campaign.min_star_rating).exclude(star_rating="")
    return rows


@transaction.atomic
def quotas_compute(*, actor: Actor, campaign: Campaign) -> list[Quota]:
    """Compute annex 1 for the units directly below the federation (districts, counties, zones,
    industry unions): operating stations and 5★ stations of the campaign's kind in each unit's
    subtree, weighed and divided by `quotas.allocate`. Replaces an earlier computation (and its
    adjustments) while the campaign is in draft."""
    require(actor, Action.UPDATE, Campaign)
    campaign = Campaign.objects.select_for_update().select_related("federation").get(pk=campaign.pk)
    require_in_scope(actor, campaign.federation)
    if campaign.state != CampaignState.DRAFT:
        raise ApplicationError(str(NOT_DRAFT))
    federation = campaign.federation
    units = list(Unit.objects.filter(path__startswith=federation.path, depth=federation.depth + 1).order_by("code"))
    if not units:
        raise ApplicationError(str(NO_UNITS))
    counts = []
    if campaign.subject == Subject.PROJECT:
        from yizhan.campaigns.subjects import eligible_project_counts

        # One count per unit: its eligible projects (`operating_count`; `five_star_count` stays 0).
        per_unit = eligible_project_counts(campaign, units)
        counts = [(unit, per_unit[unit.pk], 0) for unit in units]
    else:
        operating = Position.objects.filter(kind=campaign.position_kind, state=PositionState.OPERATING)
        for unit in units:
            in_unit = operating.filter(unit__path__startswith=unit.path)
            counts.append((unit, in_unit.count(), in_unit.filter(star_rating=StarRating.FIVE).count()))
    claimants = [Claimant(unit.pk, weight(o, s), o, unit.code) for unit, o, s in counts]
    try:
        allocations = allocate(claimants, campaign.total_quota)
    except NoWeight:
        message = NO_ELIGIBLE_PROJECTS if campaign.subject == Subject.PROJECT else NO_ELIGIBLE_STATIONS
        raise ApplicationError(str(message)) from None
    Quota.objects.filter(campaign=campaign).exclude(unit__in=units).delete()
    result = []
    for (unit, o, s), allocation in zip(counts, allocations, strict=False):
        quota = Quota.objects.filter(campaign=campaign, unit=unit).first() or Quota(campaign=campaign, unit=unit)
        quota.operating_count = o
        quota.five_star_count = s
        quota.weight = weight(o, s)
        quota.exact_share = f"{float(allocation.exact):.4f}"
        quota.computed = allocation.quota
        quota.quota = allocation.quota
        quota.adjust_reason = ""
        quota.save()
        result.append(quota)
    return result


@transaction.atomic
def quota_adjust(*, actor: Actor, quota: Quota, value: int, reason: str) -> Quota:
    """The federation changes one unit's quota before publishing, with the recorded reason (the
    table must sum to the total again before it can be published)."""
    require(actor, Action.UPDATE, Quota)
    quota = Quota.objects.select_for_update().select_related("campaign__federation", "unit").get(pk=quota.pk)
    if actor.role != Role.FEDERATION_ADMIN:
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    require_in_scope(actor, quota.campaign.federation)
    if quota.campaign.state != CampaignState.DRAFT:
        raise ApplicationError(str(NOT_DRAFT))
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ApplicationError(str(QUOTA_INVALID), field="quota")
    quota.quota = value
    quota.adjust_reason = _clean(reason, required=ADJUST_REASON_REQUIRED, max_length=255, field="reason")
    quota.save()
    return quota


# --- the review group (annex 2) -------------------------------------------------------------


def _conflict_positions(values) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ApplicationError(str(CONFLICT_POSITIONS_INVALID), field="conflict_positions")
    return sorted({v.strip() for v in values if v.strip()})


def _reviewer_account(account, unit):
    if account is None:
        return None
    if not account.memberships.filter(role=Role.REVIEWER).exists():
        raise ApplicationError(str(MEMBER_ACCOUNT_ROLE), field="account")
    return account


@transaction.atomic
def review_member_register(
    *,
    actor: Actor,
    campaign: Campaign,
    unit: Unit,
    name: str,
    job_title: str,
    phone: str,
    gender: str = "",
    account=None,
    conflicts: str = "",
    conflict_positions=None,
) -> ReviewMember:
    """A unit registers a member of the review group before the step's deadline (annex 2)."""
    require(actor, Action.CREATE, ReviewMember)
    require_in_scope(actor, unit)
    campaign = Campaign.objects.get(pk=campaign.pk)
    if campaign.state not in (CampaignState.DRAFT, CampaignState.PUBLISHED):
        raise ApplicationError(MEMBER_NOT_REGISTERING.format(state=campaign.get_state_display()))
    if actor.role != Role.FEDERATION_ADMIN:
        closed = rules.step_refusal(campaign, StepKind.REVIEW_GROUP)
        if closed:
            raise ApplicationError(closed)
    member = ReviewMember(
        campaign=campaign,
        unit=unit,
        name=_clean(name, required=MEMBER_NAME_REQUIRED, max_length=50, field="name"),
        gender=gender or "",
        job_title=_clean(job_title, required=MEMBER_TITLE_REQUIRED, max_length=100, field="job_title"),
        phone=_clean(phone, required=MEMBER_PHONE_REQUIRED, max_length=20, field="phone"),
        account=_reviewer_account(account, unit),
        conflicts=_clean(conflicts, max_length=500, field="conflicts"),
        conflict_positions=_conflict_positions(conflict_positions),
        registered_by_name=_actor_name(actor),
    )
    _full_clean(member)
    member.save()
    return member


@transaction.atomic
def review_member_declare(
    *, actor: Actor, member: ReviewMember, conflicts: str, conflict_positions=None
) -> ReviewMember:
    """A member (or their unit, or the federation) declares conflicts of interest: a text and the
    codes of the positions the member must not verify."""
    require(actor, Action.UPDATE, ReviewMember)
    member = ReviewMember.objects.select_for_update().select_related("unit").get(pk=member.pk)
    if not ReviewMember.objects.restrict(actor, Action.UPDATE).filter(pk=member.pk).exists():
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    member.conflicts = _clean(conflicts, max_length=500, field="conflicts")
    member.conflict_positions = _conflict_positions(conflict_positions)
    member.save()
    return member


@transaction.atomic
def review_member_confirm(*, actor: Actor, member: ReviewMember, group_role: str = GroupRole.MEMBER) -> ReviewMember:
    """The federation confirms a member in the group as leader, deputy or member (one leader)."""
    require(actor, Action.UPDATE, ReviewMember)
    member = ReviewMember.objects.select_for_update().select_related("campaign__federation").get(pk=member.pk)
    if actor.role != Role.FEDERATION_ADMIN:
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    require_in_scope(actor, member.campaign.federation)
    if group_role not in GroupRole.values:
        raise ApplicationError(str(RESULT_INVALID), field="group_role")
    if group_role == GroupRole.LEADER:
        leader = (
            ReviewMember.objects.filter(campaign=member.campaign, group_role=GroupRole.LEADER, confirmed=True)
            .exclude(pk=member.pk)
            .first()
        )
        if leader is not None:
            raise ApplicationError(ONE_LEADER.format(name=leader.name), field="group_role")
    member.group_role = group_role
    member.confirmed = True
    member.save()
    return member


# --- nominations (annexes 3 and 4) ----------------------------------------------------------


def nomination_form_from(position: Position) -> dict:
    """The nomination form's fields filled from the position's record (annex 3), kept with the
    nomination as they were when nominated."""
    return {
        "official_name": position.official_name,
        "code": position.code,
        "unit": position.unit.name,
        "address": position.address,
        "construction_type": str(position.get_construction_type_display()),
        "build_mode": str(position.get_build_mode_display()) if position.build_mode else "",
        "co_builder": position.co_builder,
        "floor_area": str(position.floor_area) if position.floor_area is not None else "",
        "opened_on": position.opened_on.isoformat() if position.opened_on else "",
        "always_open": position.always_open,
        "hours": position.hours_source_text,
        "manager_name": position.manager_name,
        "manager_phone": position.manager_phone,
        "public_phone": position.public_phone,
        "star_rating": str(position.get_star_rating_display()) if position.star_rating else "",
        "facilities": list(position.facilities or []),
        "services": list(position.services or []),
        "served_groups": list(position.served_groups or []),
    }


def eligibility_refusal(campaign: Campaign, position: Position) -> str | None:
    """Why `position` may not be nominated in `campaign` (None when it may)."""
    from yizhan.positions.choices import PositionKind

    if position.kind != campaign.position_kind:
        return INELIGIBLE_KIND.format(position=position.official_name, kind=PositionKind(campaign.position_kind).label)
    if position.state not in campaign.eligible_states:
        states = "、".join(str(PositionState(s).label) for s in campaign.eligible_states)
        return INELIGIBLE_STATE.format(
            position=position.official_name, state=position.get_state_display(), states=states
        )
    if campaign.min_star_rating and (not position.star_rating or position.star_rating < campaign.min_star_rating):
        stars = position.get_star_rating_display() if position.star_rating else _("未评星")
        return INELIGIBLE_STARS.format(
            position=position.official_name, stars=stars, required=StarRating(campaign.min_star_rating).label
        )
    return None


def _statement(value) -> str:
    return _clean(
        value,
        required=STATEMENT_REQUIRED,
        max_length=STATEMENT_MAX_LENGTH,
        field="statement",
        too_long=STATEMENT_TOO_LONG,
    )


@transaction.atomic
def nomination_create(
    *,
    actor: Actor,
    campaign: Campaign,
    position: Position | None = None,
    statement: str,
    unit: Unit | None = None,
    project=None,
) -> Nomination:
    """A unit nominates one of its positions (or, in a project campaign, one service project its
    union ran) within its quota. The unit's quota row is locked first, so that admins of the unit
    nominating at the same moment are counted one after the other: exactly the quota succeeds,
    the rest are refused."""
    require(actor, Action.CREATE, Nomination)
    campaign = Campaign.objects.select_related("federation").get(pk=campaign.pk)
    if campaign.subject == Subject.PROJECT or project is not None:
        return _nominate_project(actor=actor, campaign=campaign, project=project, statement=statement, unit=unit)
    if position is None:
        raise ApplicationError(SUBJECT_MISSING.format(subject=Subject.POSITION.label), field="position")
    position = Position.objects.select_related("unit").get(pk=position.pk)
    require_in_scope(actor, position.unit)
    if campaign.state != CampaignState.PUBLISHED:
        raise ApplicationError(NOT_NOMINATING.format(state=campaign.get_state_display()))
    closed = rules.step_refusal(campaign, StepKind.NOMINATIONS)
    if closed:
        raise ApplicationError(closed)
    quota = _quota_of(campaign, unit or position.unit)
    require_in_scope(actor, quota.unit)
    if not position.unit.path.startswith(quota.unit.path):
        raise ApplicationError(
            NOT_IN_UNIT.format(position=position.official_name, unit=quota.unit.name), field="position"
        )
    refusal = eligibility_refusal(campaign, position)
    if refusal:
        raise ApplicationError(refusal, field="position")
    used = Nomination.objects.filter(campaign=campaign, unit=quota.unit, state__in=QUOTA_STATES).count()
    if used >= quota.quota:
        if quota.quota == 0:
            raise ApplicationError(NO_QUOTA.format(unit=quota.unit.name))
        raise ApplicationError(OVER_QUOTA.format(unit=quota.unit.name, quota=quota.quota, used=used))
    if (
        Nomination.objects.filter(campaign=campaign, position=position)
        .exclude(state=NominationState.WITHDRAWN)
        .exists()
    ):
        raise ApplicationError(ALREADY_NOMINATED.format(position=position.official_name), field="position")
    nomination = Nomination(
        campaign=campaign,
        unit=quota.unit,
        position=position,
        statement=_statement(statement),
        form=nomination_form_from(position),
        created_by_name=_actor_name(actor),
    )
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        raise ApplicationError(ALREADY_NOMINATED.format(position=position.official_name), field="position") from None
    return nomination


def _nominate_project(*, actor: Actor, campaign: Campaign, project, statement: str, unit: Unit | None) -> Nomination:
    """A project campaign's nomination: the union that ran the project nominates it (or a unit
    above it holding the quota), if `subjects.project_refusal` finds nothing against it."""
    from yizhan.campaigns.subjects import WRONG_SUBJECT, project_form, project_refusal
    from yizhan.projects.models import ServiceProject

    if campaign.subject != Subject.PROJECT:
        raise ApplicationError(
            WRONG_SUBJECT.format(subject=Subject.POSITION.label, other=Subject.PROJECT.label), field="project"
        )
    if project is None:
        raise ApplicationError(SUBJECT_MISSING.format(subject=Subject.PROJECT.label), field="project")
    project = ServiceProject.objects.select_related("unit", "selected_application__organisation").get(pk=project.pk)
    require_in_scope(actor, project.unit)
    if campaign.state != CampaignState.PUBLISHED:
        raise ApplicationError(NOT_NOMINATING.format(state=campaign.get_state_display()))
    closed = rules.step_refusal(campaign, StepKind.NOMINATIONS)
    if closed:
        raise ApplicationError(closed)
    quota = _quota_of(campaign, unit or project.unit)
    require_in_scope(actor, quota.unit)
    if not project.unit.path.startswith(quota.unit.path):
        raise ApplicationError(NOT_IN_UNIT.format(position=project.title, unit=quota.unit.name), field="project")
    refusal = project_refusal(campaign, project)
    if refusal:
        raise ApplicationError(refusal, field="project")
    used = Nomination.objects.filter(campaign=campaign, unit=quota.unit, state__in=QUOTA_STATES).count()
    if used >= quota.quota:
        if quota.quota == 0:
            raise ApplicationError(NO_QUOTA.format(unit=quota.unit.name))
        raise ApplicationError(OVER_QUOTA.format(unit=quota.unit.name, quota=quota.quota, used=used))
    taken = Nomination.objects.filter(campaign=campaign, project=project).exclude(state=NominationState.WITHDRAWN)
    if taken.exists():
        raise ApplicationError(ALREADY_NOMINATED.format(position=project.title), field="project")
    nomination = Nomination(
        campaign=campaign,
        unit=quota.unit,
        project=project,
        statement=_statement(statement),
        form=project_form(project),
        created_by_name=_actor_name(actor),
    )
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        raise ApplicationError(ALREADY_NOMINATED.format(position=project.title), field="project") from None
    return nomination


def _quota_of(campaign: Campaign, unit: Unit) -> Quota:
    """The quota row of `unit` or of the unit above it that holds the campaign's quota, locked."""
    ancestors = [unit.path[:n] for n in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    quota = (
        Quota.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(campaign=campaign, unit__path__in=ancestors)
        .order_by("-unit__depth")
        .first()
    )
    if quota is None:
        raise ApplicationError(NO_QUOTA.format(unit=unit.name))
    return quota


def _nomination_for_update(actor: Actor, nomination: Nomination) -> Nomination:
    require(actor, Action.UPDATE, Nomination)
    nomination = (
        Nomination.objects.select_for_update(of=("self",)).select_related("unit", "campaign").get(pk=nomination.pk)
    )
    require_in_scope(actor, nomination.unit)
    if nomination.state != NominationState.DRAFT:
        raise ApplicationError(str(NOT_DRAFT_NOMINATION))
    return nomination


@transaction.atomic
def nomination_update(*, actor: Actor, nomination: Nomination, statement: str) -> Nomination:
    nomination = _nomination_for_update(actor, nomination)
    nomination.statement = _statement(statement)
    nomination.save()
    return nomination


@transaction.atomic
def nomination_sealed_upload(*, actor: Actor, nomination: Nomination, data: bytes) -> Nomination:
    """The unit uploads the sealed PDF of the nomination form (checked: `rules.check_pdf`)."""
    nomination = _nomination_for_update(actor, nomination)
    rules.check_pdf(data)
    nomination.sealed_pdf.save(f"{uuid.uuid4().hex}.pdf", ContentFile(data), save=False)
    nomination.sealed_sha256 = hashlib.sha256(data).hexdigest()
    nomination.save()
    return nomination


def nomination_transition(
    *, actor: Actor, nomination: Nomination, to_state: str, reason: str = "", meeting: ReviewMeeting | None = None
) -> Nomination:
    return workflow.transition(
        workflow=NOMINATION_FLOW, actor=actor, obj=nomination, to=to_state, reason=reason, meeting=meeting
    )


@transaction.atomic
def nominations_submit(*, actor: Actor, quota: Quota, data: bytes) -> Quota:
    """A unit submits its nominations with the sealed summary table (annex 4) before the step's
    deadline: every nomination of the unit must be submitted (or withdrawn) first."""
    require(actor, Action.OPERATE, Nomination)
    quota = Quota.objects.select_for_update(of=("self",)).select_related("unit", "campaign").get(pk=quota.pk)
    require_in_scope(actor, quota.unit)
    campaign = quota.campaign
    if campaign.state != CampaignState.PUBLISHED:
        raise ApplicationError(NOT_NOMINATING.format(state=campaign.get_state_display()))
    closed = rules.step_refusal(campaign, StepKind.NOMINATIONS)
    if closed:
        raise ApplicationError(closed)
    nominations = Nomination.objects.filter(campaign=campaign, unit=quota.unit)
    drafts = nominations.filter(state=NominationState.DRAFT).count()
    if drafts:
        raise ApplicationError(DRAFTS_LEFT.format(count=drafts))
    if not nominations.filter(state=NominationState.SUBMITTED).exists():
        raise ApplicationError(str(NOTHING_SUBMITTED))
    rules.check_pdf(data)
    quota.summary_pdf.save(f"{uuid.uuid4().hex}.pdf", ContentFile(data), save=False)
    quota.summary_sha256 = hashlib.sha256(data).hexdigest()
    quota.submitted_on = timezone.localdate()
    quota.submitted_by_name = _actor_name(actor)
    quota.save()
    return quota


# --- review: on-site verification and the meeting ------------------------------------------


@transaction.atomic
def review_assign(*, actor: Actor, nomination: Nomination, member: ReviewMember) -> ReviewAssignment:
    """The federation assigns a confirmed member the on-site verification of a submitted
    nomination — never one of the member's own unit (or below it) nor a position the member
    declared a conflict with."""
    require(actor, Action.CREATE, ReviewAssignment)
    nomination = Nomination.objects.select_related(
        "unit", "position__unit", "project__unit", "campaign__federation"
    ).get(pk=nomination.pk)
    require_in_scope(actor, nomination.unit)
    member = ReviewMember.objects.select_related("unit").get(pk=member.pk, campaign=nomination.campaign)
    if nomination.state != NominationState.SUBMITTED:
        raise ApplicationError(str(NOT_SUBMITTED_FOR_REVIEW))
    if not member.confirmed:
        raise ApplicationError(str(MEMBER_NOT_CONFIRMED), field="member")
    federation = nomination.campaign.federation
    subject_unit = nomination.position.unit if nomination.position_id else nomination.project.unit
    own = member.unit_id == nomination.unit_id or (
        member.unit_id != federation.pk and subject_unit.path.startswith(member.unit.path)
    )
    if own:
        raise ApplicationError(OWN_UNIT.format(member=member.name, unit=member.unit.name), field="member")
    if nomination.position_id and nomination.position.code in (member.conflict_positions or []):
        raise ApplicationError(
            DECLARED_CONFLICT.format(member=member.name, position=nomination.position.official_name), field="member"
        )
    assignment, _created = ReviewAssignment.objects.get_or_create(nomination=nomination, member=member)
    return assignment


def _scores(values, items=SCORE_ITEMS) -> tuple[dict, int]:
    if not isinstance(values, Mapping):
        values = {}
    clean = {}
    for key, label, points in items:
        raw = values.get(key)
        if raw is None or raw == "":
            raise ApplicationError(SCORE_MISSING.format(item=label), field=f"scores.{key}")
        try:
            score = int(raw)
        except (TypeError, ValueError):
            score = -1
        if isinstance(raw, bool) or isinstance(raw, float) and raw != int(raw) or not 0 <= score <= points:
            raise ApplicationError(SCORE_INVALID.format(item=label, max=points), field=f"scores.{key}")
        clean[key] = score
    return clean, sum(clean.values())


@transaction.atomic
def review_record(
    *,
    actor: Actor,
    assignment: ReviewAssignment,
    scores,
    result: str,
    notes: str = "",
    verified_on: dt.date | None = None,
) -> ReviewAssignment:
    """The member records the score sheet and the verification result (or the federation from a
    paper sheet), while the campaign is under review."""
    require(actor, Action.UPDATE, ReviewAssignment)
    if not ReviewAssignment.objects.restrict(actor, Action.UPDATE).filter(pk=assignment.pk).exists():
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("nomination__campaign")
        .get(pk=assignment.pk)
    )
    campaign = assignment.nomination.campaign
    if campaign.state not in (CampaignState.PUBLISHED, CampaignState.REVIEWING):
        raise ApplicationError(NOT_REVIEWING.format(state=campaign.get_state_display()))
    clean, total = _scores(scores, score_items(campaign.subject))
    if result not in VerificationResult.values:
        raise ApplicationError(str(RESULT_INVALID), field="result")
    assignment.scores = clean
    assignment.total = total
    assignment.result = result
    assignment.notes = _clean(notes, max_length=1000, field="notes")
    assignment.verified_on = verified_on or timezone.localdate()
    assignment.recorded_by_name = _actor_name(actor)
    assignment.save()
    return assignment


@transaction.atomic
def review_photo_add(*, actor: Actor, assignment: ReviewAssignment, data: bytes, caption: str = "") -> ReviewPhoto:
    """A photo of the verification through the positions' photo pipeline (checked, re-encoded, no EXIF)."""
    require(actor, Action.UPDATE, ReviewAssignment)
    if not ReviewAssignment.objects.restrict(actor, Action.UPDATE).filter(pk=assignment.pk).exists():
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    if not data:
        raise ApplicationError(str(photos.PHOTO_EMPTY), field="image")
    from django.conf import settings

    limit = getattr(settings, "YIZHAN_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
    if len(data) > limit:
        raise ApplicationError(photos.PHOTO_TOO_LARGE.format(limit=limit // (1024 * 1024)), field="image")
    jpeg, (width, height) = photos.reencode(data)
    photo = ReviewPhoto(
        assignment=assignment,
        width=width,
        height=height,
        caption=_clean(caption, max_length=100, field="caption"),
        uploaded_by=_actor_name(actor),
    )
    photo.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(jpeg), save=False)
    photo.save()
    return photo


@transaction.atomic
def meeting_record(
    *, actor: Actor, campaign: Campaign, held_on: dt.date, place: str = "", attendees: str = "", minutes: str = ""
) -> ReviewMeeting:
    require(actor, Action.CREATE, ReviewMeeting)
    campaign = Campaign.objects.select_related("federation").get(pk=campaign.pk)
    require_in_scope(actor, campaign.federation)
    if not isinstance(held_on, dt.date):
        raise ApplicationError(str(MEETING_DATE_REQUIRED), field="held_on")
    meeting = ReviewMeeting(
        campaign=campaign,
        held_on=held_on,
        place=_clean(place, max_length=200, field="place"),
        attendees=_clean(attendees, max_length=500, field="attendees"),
        minutes=_clean(minutes, max_length=5000, field="minutes"),
    )
    meeting.save()
    return meeting


# --- the public notice (公示) and its objections ----------------------------------------------


def notice_open(campaign: Campaign, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        campaign.state == CampaignState.NOTICE
        and campaign.notice_starts_on is not None
        and campaign.notice_starts_on <= today <= campaign.notice_ends_on
    )


def objection_submit(*, campaign_id, text: str, contact: str = "", nomination_id=None, client: str) -> Objection:
    """Anyone lodges an objection during the notice: a text (≤ 500 characters), an optional
    contact, about one listed nomination or the whole list. Limited like public feedback (the same
    windows, buckets of its own per campaign); the address is kept only as a keyed hash."""
    campaign = Campaign.objects.filter(pk=campaign_id if str(campaign_id).isdecimal() else None).first()
    if campaign is None or not notice_open(campaign):
        raise ApplicationError(str(NOTICE_CLOSED))
    text = clean_text(text)
    if not text:
        raise ApplicationError(str(OBJECTION_REQUIRED), field="text")
    contact = (contact or "").strip() if isinstance(contact, str) else ""
    if len(contact) > 50:
        raise ApplicationError(str(CONTACT_TOO_LONG), field="contact")
    nomination = None
    if nomination_id not in (None, ""):
        nomination = Nomination.objects.filter(
            campaign=campaign,
            pk=nomination_id if str(nomination_id).isdecimal() else None,
            state=NominationState.RECOMMENDED,
        ).first()
        if nomination is None:
            raise ApplicationError(str(OBJECTION_NOMINATION_UNKNOWN), field="nomination")
    key = client_key(client)
    objection = Objection(campaign=campaign, nomination=nomination, text=text, contact=contact, client_key=key)
    subject = nomination.pk if nomination else f"c{campaign.pk}"
    buckets = {
        "client": f"{OBJECTION_BUCKET_PREFIX}c:{key}",
        "client_position": f"{OBJECTION_BUCKET_PREFIX}cp:{key}:{subject}",
        "position": f"{OBJECTION_BUCKET_PREFIX}p:{subject}",
    }
    charge = limits.charge(buckets)
    if charge.refusal is not None:
        refusal = charge.refusal
        raise FeedbackLimited(
            LIMITED[refusal.scope].format(wait=_wait_text(refusal.retry_after)),
            retry_after=refusal.retry_after,
            scope=refusal.scope,
        )
    try:
        with (
            transaction.atomic(),
            audit_context(actor_id=None, actor_name=PUBLIC_ACTOR_NAME, unit_path="", unit_name="", remote_addr=""),
        ):
            objection.save()
    except BaseException:
        limits.refund(charge)
        raise
    logger.info("objection %s lodged on campaign %s", objection.pk, campaign.pk)
    return objection


@transaction.atomic
def objection_resolve(*, actor: Actor, objection: Objection, outcome: str, answer: str) -> Objection:
    """The federation answers an objection and resolves it (dismissed or upheld; an upheld one is
    followed by changing the nomination's decision, its own move)."""
    require(actor, Action.UPDATE, Objection)
    objection = (
        Objection.objects.select_for_update(of=("self",)).select_related("campaign__federation").get(pk=objection.pk)
    )
    require_in_scope(actor, objection.campaign.federation)
    if objection.status == ObjectionStatus.RESOLVED:
        raise ApplicationError(str(ALREADY_RESOLVED))
    if outcome not in ObjectionOutcome.values:
        raise ApplicationError(str(OUTCOME_INVALID), field="outcome")
    objection.answer = _clean(answer, required=ANSWER_REQUIRED, max_length=1000, field="answer")
    objection.outcome = outcome
    objection.status = ObjectionStatus.RESOLVED
    objection.resolved_on = timezone.localdate()
    objection.resolved_by_name = _actor_name(actor)
    objection.save()
    return objection


# --- approval: honours, plaques and grants --------------------------------------------------


def campaign_award(*, actor: Actor, campaign: Campaign) -> list[Honour]:
    """Inside the campaign's approval (`rules.campaign_approve_apply`): each recommended
    nomination is named (its move), its position gets the honour, and one grant of the campaign's
    amount is awarded to it through `grants.services.grant_award` (idempotent per position)."""
    from yizhan.grants.services import grant_award

    token = rules.approving.set(campaign.pk)
    honours = []
    try:
        recommended = Nomination.objects.filter(campaign=campaign, state=NominationState.RECOMMENDED).select_related(
            "position", "project"
        )
        for nomination in recommended:
            nomination_transition(actor=actor, nomination=nomination, to_state=NominationState.SELECTED)
            if nomination.project_id:
                honours.append(_award_project(actor=actor, campaign=campaign, nomination=nomination))
                continue
            honour, _created = Honour.objects.get_or_create(
                campaign=campaign,
                position=nomination.position,
                defaults={"title": campaign.honour_title, "awarded_on": timezone.localdate()},
            )
            honours.append(honour)
            if campaign.grant_fen:
                grant_award(
                    actor=actor,
                    position=nomination.position,
                    amount_fen=campaign.grant_fen,
                    title=campaign.name,
                    source=f"campaign:{campaign.pk}",
                    awarded_on=timezone.localdate(),
                )
    finally:
        rules.approving.reset(token)
    return honours


def _award_project(*, actor: Actor, campaign: Campaign, nomination: Nomination) -> Honour:
    """A selected project's city honour (优秀项目) and the subsidy it is due under the
    pay-once-at-highest-and-top-up rule, recorded by `projects.services.honour_subsidy_record`."""
    from yizhan.projects.services import honour_subsidy_record

    honour, _created = Honour.objects.get_or_create(
        campaign=campaign,
        project=nomination.project,
        defaults={"title": campaign.honour_title, "awarded_on": timezone.localdate()},
    )
    source = f"campaign:{campaign.pk}"
    honour_subsidy_record(actor=actor, project=nomination.project, source=source, on=honour.awarded_on)
    return honour


@transaction.atomic
def plaque_issue(*, actor: Actor, honour: Honour, plaque_number: str, issued_on: dt.date | None = None) -> Honour:
    """Track the honour's plaque (挂牌) as issued."""
    require(actor, Action.UPDATE, Honour)
    honour = (
        Honour.objects.select_for_update(of=("self",))
        .select_related("position__unit", "project__unit")
        .get(pk=honour.pk)
    )
    require_in_scope(actor, honour.subject_unit)
    honour.plaque_number = _clean(plaque_number, required=PLAQUE_NUMBER_REQUIRED, max_length=40, field="plaque_number")
    honour.plaque_issued_on = issued_on or timezone.localdate()
    honour.save()
    return honour
