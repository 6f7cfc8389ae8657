"""/api/v1/campaigns: nomination campaigns (spec §7), signed in — except the public notice and
its objections (auth=None on those two operations). Thin: each endpoint calls one service or
selector; errors come from the API's one mapping (400 with `field`, 403, 404)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from yizhan.campaigns import selectors, services
from yizhan.campaigns.models import Campaign, CampaignStep, Honour, Nomination, Objection, Quota, ReviewAssignment
from yizhan.campaigns.schemas import (
    AssignIn,
    AssignmentOut,
    CampaignDetailOut,
    CampaignIn,
    CampaignOut,
    CampaignTransitionIn,
    ConflictsIn,
    ErrorOut,
    FieldErrorOut,
    HonourOut,
    MeetingIn,
    MeetingOut,
    MemberConfirmIn,
    MemberIn,
    MemberOut,
    NominationIn,
    NominationOut,
    NominationTransitionIn,
    NoticeOut,
    ObjectionIn,
    ObjectionOut,
    ObjectionReceiptOut,
    PhotoOut,
    PlaqueIn,
    QuotaAdjustIn,
    QuotaOut,
    RecordIn,
    ResolveIn,
    StateChangeOut,
    StatementIn,
    StepExtendIn,
    StepOut,
)
from yizhan.core.errors import ApplicationError, NotFoundError, api_error
from yizhan.core.request_info import remote_addr
from yizhan.core.roles import Action
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE
from yizhan.ledger.services import FeedbackLimited
from yizhan.orgs.models import Unit
from yizhan.positions.models import Position

router = Router(tags=["campaigns"])

ERRORS = {403: ErrorOut, 404: ErrorOut}
WRITE = {400: FieldErrorOut, **ERRORS}


def campaign_out(campaign: Campaign) -> dict:
    return {
        "id": campaign.pk,
        "federation": campaign.federation.code,
        "name": campaign.name,
        "year": campaign.year,
        "subject": campaign.subject,
        "min_score": campaign.min_score,
        "position_kind": campaign.position_kind,
        "honour_title": campaign.honour_title,
        "total_quota": campaign.total_quota,
        "grant_fen": campaign.grant_fen,
        "eligible_states": list(campaign.eligible_states),
        "min_star_rating": campaign.min_star_rating,
        "state": campaign.state,
        "state_label": campaign.get_state_display(),
        "quotas_published_on": campaign.quotas_published_on,
        "notice_starts_on": campaign.notice_starts_on,
        "notice_ends_on": campaign.notice_ends_on,
        "approved_on": campaign.approved_on,
    }


def step_out(step: CampaignStep, overdue: dict) -> dict:
    late = overdue.get(step.pk)
    return {
        "id": step.pk,
        "kind": step.kind,
        "label": step.get_kind_display(),
        "deadline": step.deadline,
        "original_deadline": step.original_deadline,
        "extension_reason": step.extension_reason,
        "completed_on": step.completed_on,
        "overdue_units": [u.name for u in late.units] if late else [],
        "overdue": late is not None,
    }


def campaign_detail(request, campaign: Campaign) -> dict:
    unit = None if request.actor.covers_unit(campaign.federation) else request.actor.unit
    overdue = {o.step.pk: o for o in selectors.overdue_steps(campaign, unit=unit)}
    return {**campaign_out(campaign), "steps": [step_out(s, overdue) for s in campaign.steps.all()]}


def quota_out(quota: Quota) -> dict:
    return {
        "id": quota.pk,
        "unit": quota.unit.name,
        "unit_code": quota.unit.code,
        "operating_count": quota.operating_count,
        "five_star_count": quota.five_star_count,
        "weight": quota.weight,
        "exact_share": quota.exact_share,
        "computed": quota.computed,
        "quota": quota.quota,
        "adjust_reason": quota.adjust_reason,
        "submitted_on": quota.submitted_on,
    }


def member_out(member) -> dict:
    return {
        "id": member.pk,
        "unit": member.unit.code,
        "name": member.name,
        "gender": member.gender,
        "job_title": member.job_title,
        "phone": member.phone,
        "group_role": member.group_role,
        "confirmed": member.confirmed,
        "conflicts": member.conflicts,
        "conflict_positions": list(member.conflict_positions or []),
    }


def nomination_out(n: Nomination) -> dict:
    return {
        "id": n.pk,
        "campaign": n.campaign_id,
        "unit": n.unit.code,
        "position": n.position_id,
        "project": n.project_id,
        "position_name": n.subject_name,
        "organisation": (n.form or {}).get("organisation", ""),
        "score": (n.form or {}).get("score"),
        "statement": n.statement,
        "form": n.form,
        "state": n.state,
        "state_label": n.get_state_display(),
        "sealed": bool(n.sealed_pdf),
        "decision_reason": n.decision_reason,
        "meeting": n.meeting_id,
    }


def assignment_out(a: ReviewAssignment) -> dict:
    return {
        "id": a.pk,
        "nomination": a.nomination_id,
        "position_name": a.nomination.subject_name,
        "member": a.member.name,
        "scores": a.scores or {},
        "total": a.total,
        "result": a.result,
        "notes": a.notes,
        "verified_on": a.verified_on,
    }


def objection_out(o: Objection) -> dict:
    return {
        "id": o.pk,
        "nomination": o.nomination_id,
        "text": o.text,
        "contact": o.contact,
        "status": o.status,
        "outcome": o.outcome,
        "answer": o.answer,
        "resolved_on": o.resolved_on,
        "created_at": o.created_at,
    }


def honour_out(h: Honour) -> dict:
    return {
        "id": h.pk,
        "position": h.position_id,
        "project": h.project_id,
        "position_name": h.subject_name,
        "title": h.title,
        "awarded_on": h.awarded_on,
        "plaque_issued_on": h.plaque_issued_on,
        "plaque_number": h.plaque_number,
    }


# --- campaigns ----------------------------------------------------------------------------------


@router.get("", response={200: list[CampaignOut], **ERRORS}, summary="推树活动列表")
def campaign_list(request: HttpRequest):
    return [campaign_out(c) for c in selectors.campaign_list(actor=request.actor)]


@router.post("", response={201: CampaignDetailOut, **WRITE}, summary="发起推树活动（总工会）")
def campaign_create(request: HttpRequest, payload: CampaignIn):
    values = payload.dict(exclude={"federation"})
    federation = None
    if payload.federation:
        federation = Unit.objects.restrict(request.actor).filter(code=payload.federation).first()
        if federation is None:
            raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    campaign = services.campaign_create(actor=request.actor, federation=federation, **values)
    return Status(201, campaign_detail(request, campaign))


@router.get("/{int:campaign_id}", response={200: CampaignDetailOut, **ERRORS}, summary="推树活动及其步骤（含逾期）")
def campaign_get(request: HttpRequest, campaign_id: int):
    return campaign_detail(request, selectors.campaign_get(actor=request.actor, pk=campaign_id))


@router.post(
    "/{int:campaign_id}/transition",
    response={200: CampaignDetailOut, **WRITE},
    summary="推进活动（下达名额、公示、审批…）",
)
def campaign_transition(request: HttpRequest, campaign_id: int, payload: CampaignTransitionIn):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id, action=Action.OPERATE)
    campaign = services.campaign_transition(actor=request.actor, campaign=campaign, **payload.dict())
    return campaign_detail(request, campaign)


@router.get("/{int:campaign_id}/history", response={200: list[StateChangeOut], **ERRORS}, summary="活动状态记录")
def campaign_history(request: HttpRequest, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id)
    return list(selectors.campaign_history(actor=request.actor, campaign=campaign))


@router.post("/steps/{int:step_id}/extend", response={200: StepOut, **WRITE}, summary="延长步骤截止日期（须说明原因）")
def step_extend(request: HttpRequest, step_id: int, payload: StepExtendIn):
    step = selectors.step_get(actor=request.actor, pk=step_id, action=Action.UPDATE)
    step = services.step_extend(actor=request.actor, step=step, deadline=payload.deadline, reason=payload.reason)
    return step_out(step, {})


# --- quotas (annex 1) ---------------------------------------------------------------------------


@router.get("/{int:campaign_id}/quotas", response={200: list[QuotaOut], **ERRORS}, summary="名额分配表（附件1）")
def quota_list(request: HttpRequest, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id)
    rows = Quota.objects.restrict(request.actor).filter(campaign=campaign).select_related("unit")
    return [quota_out(q) for q in rows]


@router.post(
    "/{int:campaign_id}/quotas/compute",
    response={200: list[QuotaOut], **WRITE},
    summary="按站点数计算名额（最大余额法）",
)
def quotas_compute(request: HttpRequest, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id, action=Action.UPDATE)
    return [quota_out(q) for q in services.quotas_compute(actor=request.actor, campaign=campaign)]


@router.post("/quotas/{int:quota_id}/adjust", response={200: QuotaOut, **WRITE}, summary="调整名额（须说明原因）")
def quota_adjust(request: HttpRequest, quota_id: int, payload: QuotaAdjustIn):
    quota = selectors.quota_get(actor=request.actor, pk=quota_id, action=Action.UPDATE)
    return quota_out(
        services.quota_adjust(actor=request.actor, quota=quota, value=payload.quota, reason=payload.reason)
    )


@router.post(
    "/quotas/{int:quota_id}/submit", response={200: QuotaOut, **WRITE}, summary="报送推荐（上传盖章汇总表 PDF，附件4）"
)
def nominations_submit(request: HttpRequest, quota_id: int, file: File[UploadedFile]):
    quota = selectors.quota_get(actor=request.actor, pk=quota_id)
    return quota_out(services.nominations_submit(actor=request.actor, quota=quota, data=_read(file)))


def _read(file: UploadedFile) -> bytes:
    from yizhan.campaigns import rules

    limit = rules.sealed_limit_bytes()
    if file.size > limit:
        raise ApplicationError(rules.PDF_TOO_LARGE.format(limit=limit // (1024 * 1024)), field="file")
    return file.read()


# --- review group (annex 2) ---------------------------------------------------------------------


@router.get("/{int:campaign_id}/members", response={200: list[MemberOut], **ERRORS}, summary="评议小组成员（附件2）")
def member_list(request: HttpRequest, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id)
    return [member_out(m) for m in selectors.member_list(actor=request.actor, campaign=campaign)]


@router.post("/{int:campaign_id}/members", response={201: MemberOut, **WRITE}, summary="报名评议小组成员")
def member_register(request: HttpRequest, campaign_id: int, payload: MemberIn):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id)
    unit = Unit.objects.restrict(request.actor).filter(code=payload.unit).first()
    if unit is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    values = payload.dict(exclude={"unit"})
    member = services.review_member_register(actor=request.actor, campaign=campaign, unit=unit, **values)
    return Status(201, member_out(member))


@router.post(
    "/members/{int:member_id}/confirm", response={200: MemberOut, **WRITE}, summary="确认评议小组成员（总工会）"
)
def member_confirm(request: HttpRequest, member_id: int, payload: MemberConfirmIn):
    member = selectors.member_get(actor=request.actor, pk=member_id, action=Action.UPDATE)
    return member_out(services.review_member_confirm(actor=request.actor, member=member, group_role=payload.group_role))


@router.post("/members/{int:member_id}/conflicts", response={200: MemberOut, **WRITE}, summary="申报利益冲突")
def member_conflicts(request: HttpRequest, member_id: int, payload: ConflictsIn):
    member = selectors.member_get(actor=request.actor, pk=member_id, action=Action.UPDATE)
    return member_out(services.review_member_declare(actor=request.actor, member=member, **payload.dict()))


# --- nominations (annexes 3, 4) -----------------------------------------------------------------


@router.get("/{int:campaign_id}/nominations", response={200: list[NominationOut], **ERRORS}, summary="推荐列表")
def nomination_list(request: HttpRequest, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id)
    return [nomination_out(n) for n in selectors.nomination_list(actor=request.actor, campaign=campaign)]


@router.post("/{int:campaign_id}/nominations", response={201: NominationOut, **WRITE}, summary="推荐阵地（名额内）")
def nomination_create(request: HttpRequest, campaign_id: int, payload: NominationIn):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id)
    position = project = None
    if payload.project is not None:
        from yizhan.projects.models import ServiceProject

        project = ServiceProject.objects.restrict(request.actor).filter(pk=payload.project).first()
        if project is None:
            raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    elif payload.position is not None:
        position = Position.objects.restrict(request.actor).filter(pk=payload.position).first()
        if position is None:
            raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    n = services.nomination_create(
        actor=request.actor, campaign=campaign, position=position, project=project, statement=payload.statement
    )
    return Status(201, nomination_out(n))


@router.get("/nominations/{int:nomination_id}", response={200: NominationOut, **ERRORS}, summary="推荐表（附件3）")
def nomination_get(request: HttpRequest, nomination_id: int):
    return nomination_out(selectors.nomination_get(actor=request.actor, pk=nomination_id))


@router.post(
    "/nominations/{int:nomination_id}/statement", response={200: NominationOut, **WRITE}, summary="修改推荐理由"
)
def nomination_update(request: HttpRequest, nomination_id: int, payload: StatementIn):
    n = selectors.nomination_get(actor=request.actor, pk=nomination_id, action=Action.UPDATE)
    return nomination_out(services.nomination_update(actor=request.actor, nomination=n, statement=payload.statement))


@router.post(
    "/nominations/{int:nomination_id}/sealed", response={200: NominationOut, **WRITE}, summary="上传盖章推荐表（PDF）"
)
def nomination_sealed(request: HttpRequest, nomination_id: int, file: File[UploadedFile]):
    n = selectors.nomination_get(actor=request.actor, pk=nomination_id, action=Action.UPDATE)
    return nomination_out(services.nomination_sealed_upload(actor=request.actor, nomination=n, data=_read(file)))


@router.post(
    "/nominations/{int:nomination_id}/transition",
    response={200: NominationOut, **WRITE},
    summary="推荐的状态变更（报送、撤回、评议结论）",
)
def nomination_transition(request: HttpRequest, nomination_id: int, payload: NominationTransitionIn):
    n = selectors.nomination_get(actor=request.actor, pk=nomination_id, action=Action.OPERATE)
    meeting = None
    if payload.meeting is not None:
        meeting = selectors.meeting_get(actor=request.actor, pk=payload.meeting)
    n = services.nomination_transition(
        actor=request.actor, nomination=n, to_state=payload.to_state, reason=payload.reason, meeting=meeting
    )
    return nomination_out(selectors.nomination_get(actor=request.actor, pk=n.pk))


@router.get(
    "/nominations/{int:nomination_id}/history", response={200: list[StateChangeOut], **ERRORS}, summary="推荐状态记录"
)
def nomination_history(request: HttpRequest, nomination_id: int):
    n = selectors.nomination_get(actor=request.actor, pk=nomination_id)
    return list(selectors.nomination_history(actor=request.actor, nomination=n))


# --- review ---------------------------------------------------------------------------------------


@router.post(
    "/nominations/{int:nomination_id}/assignments",
    response={201: AssignmentOut, **WRITE},
    summary="分配实地核查（不得核查本单位推荐）",
)
def review_assign(request: HttpRequest, nomination_id: int, payload: AssignIn):
    n = selectors.nomination_get(actor=request.actor, pk=nomination_id)
    member = selectors.member_get(actor=request.actor, pk=payload.member)
    return Status(201, assignment_out(services.review_assign(actor=request.actor, nomination=n, member=member)))


@router.get(
    "/assignments", response={200: list[AssignmentOut], **ERRORS}, summary="实地核查任务（评议成员只见分配给自己的）"
)
def assignment_list(request: HttpRequest):
    return [assignment_out(a) for a in selectors.assignment_list(actor=request.actor)]


@router.post(
    "/assignments/{int:assignment_id}/record", response={200: AssignmentOut, **WRITE}, summary="记录评分表与核查结论"
)
def review_record(request: HttpRequest, assignment_id: int, payload: RecordIn):
    a = selectors.assignment_get(actor=request.actor, pk=assignment_id, action=Action.UPDATE)
    return assignment_out(services.review_record(actor=request.actor, assignment=a, **payload.dict()))


@router.post("/assignments/{int:assignment_id}/photos", response={201: PhotoOut, **WRITE}, summary="上传核查照片")
def review_photo(request: HttpRequest, assignment_id: int, image: File[UploadedFile], caption: Form[str] = ""):
    a = selectors.assignment_get(actor=request.actor, pk=assignment_id, action=Action.UPDATE)
    photo = services.review_photo_add(actor=request.actor, assignment=a, data=image.read(), caption=caption)
    return Status(201, photo)


@router.get("/{int:campaign_id}/meetings", response={200: list[MeetingOut], **ERRORS}, summary="评议会议")
def meeting_list(request: HttpRequest, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id)
    return list(selectors.meeting_list(actor=request.actor, campaign=campaign))


@router.post("/{int:campaign_id}/meetings", response={201: MeetingOut, **WRITE}, summary="记录评议会议")
def meeting_record(request: HttpRequest, campaign_id: int, payload: MeetingIn):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id)
    return Status(201, services.meeting_record(actor=request.actor, campaign=campaign, **payload.dict()))


# --- notice and objections --------------------------------------------------------------------------


@router.get(
    "/{int:campaign_id}/notice", response={200: NoticeOut, 404: ErrorOut}, auth=None, summary="公示名单（公开）"
)
def notice_get(request: HttpRequest, campaign_id: int):
    campaign = selectors.public_campaign(campaign_id)
    if campaign is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    rows = [
        {
            "nomination": n.pk,
            "unit": n.unit.name,
            "position_name": n.subject_name,
            "address": n.subject_detail,
        }
        for n in selectors.public_notice_rows(campaign)
    ]
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "federation": campaign.federation.name,
        "notice_starts_on": campaign.notice_starts_on,
        "notice_ends_on": campaign.notice_ends_on,
        "open": services.notice_open(campaign),
        "rows": rows,
    }


@router.post(
    "/{int:campaign_id}/objections",
    response={201: ObjectionReceiptOut, 400: FieldErrorOut, 429: ErrorOut},
    auth=None,
    summary="提出公示异议（公开，无需登录；限流）",
)
def objection_submit(request: HttpRequest, campaign_id: int, payload: ObjectionIn):
    try:
        objection = services.objection_submit(
            campaign_id=campaign_id,
            text=payload.text,
            contact=payload.contact,
            nomination_id=payload.nomination,
            client=remote_addr(request),
        )
    except FeedbackLimited as limited:
        response = api_error(429, limited.message, retry_after=limited.retry_after)
        response["Retry-After"] = str(limited.retry_after)
        return response
    return Status(201, {"id": objection.pk, "status": objection.status})


@router.get("/{int:campaign_id}/objections", response={200: list[ObjectionOut], **ERRORS}, summary="公示异议")
def objection_list(request: HttpRequest, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id)
    return [objection_out(o) for o in selectors.objection_list(actor=request.actor, campaign=campaign)]


@router.post("/objections/{int:objection_id}/resolve", response={200: ObjectionOut, **WRITE}, summary="答复并处理异议")
def objection_resolve(request: HttpRequest, objection_id: int, payload: ResolveIn):
    o = selectors.objection_get(actor=request.actor, pk=objection_id, action=Action.UPDATE)
    return objection_out(services.objection_resolve(actor=request.actor, objection=o, **payload.dict()))


# --- honours ----------------------------------------------------------------------------------------


@router.get("/{int:campaign_id}/honours", response={200: list[HonourOut], **ERRORS}, summary="命名的阵地与挂牌")
def honour_list(request: HttpRequest, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id)
    return [honour_out(h) for h in selectors.honour_list(actor=request.actor, campaign=campaign)]


@router.post("/honours/{int:honour_id}/plaque", response={200: HonourOut, **WRITE}, summary="登记挂牌（牌匾已发放）")
def plaque_issue(request: HttpRequest, honour_id: int, payload: PlaqueIn):
    h = selectors.honour_get(actor=request.actor, pk=honour_id, action=Action.UPDATE)
    return honour_out(services.plaque_issue(actor=request.actor, honour=h, **payload.dict()))
