"""Staff pages of nomination campaigns under /staff/campaigns/ (Chinese, phone-friendly): the list,
a campaign's page (steps and overdue, quota table, review group, nominations, meetings,
objections, honours — each section shown to the roles that act on it), a nomination's page
(the form, the sealed PDF, submit/withdraw, the decision, assignments), the reviewer's tasks and
a verification's score sheet. Every POST calls one service and comes back with its message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yizhan.campaigns import rules, selectors, services
from yizhan.campaigns.choices import (
    CAMPAIGN_FLOW,
    NOMINATION_FLOW,
    CampaignState,
    GroupRole,
    NominationState,
    ObjectionOutcome,
    StepKind,
    VerificationResult,
)
from yizhan.campaigns.models import (
    Campaign,
    Nomination,
    Quota,
    ReviewAssignment,
    ReviewMeeting,
    ReviewMember,
)
from yizhan.campaigns.subjects import Subject, project_candidates, score_items
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE
from yizhan.core.views_helpers import run_action, staff_view
from yizhan.orgs.models import Unit
from yizhan.positions.models import Position
from yizhan.projects.models import ServiceProject

DONE = _("已保存")
MOVED = _("已变为“{state}”")
DATE_INVALID = _("日期格式不正确")
NUMBER_INVALID = _("请填写整数")
SPOT_DRAWN = _("已从 {eligible} 个命名阵地中抽取 {picked} 个进行抽查（随机种子 {seed}）")
DECLARED = _("利益冲突申报已保存：申报的阵地不会分配给该成员核查")


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        raise ApplicationError(str(DATE_INVALID)) from None


def _int(value) -> int:
    value = (value or "").strip()
    if not value.lstrip("-").isdecimal() or len(value) > 12:
        raise ApplicationError(str(NUMBER_INVALID))
    return int(value)


def _campaign_url(campaign_id: int, anchor: str = "") -> str:
    return reverse("campaigns:detail", args=[campaign_id]) + (f"#{anchor}" if anchor else "")


# --- list and creation ---------------------------------------------------------------------------


@require_GET
@staff_view
def campaign_list(request):
    actor = request.actor
    overdue = selectors.overdue_for_actor(actor=actor) if actor.role in (Role.FEDERATION_ADMIN, Role.UNIT_ADMIN) else []
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": selectors.campaign_list(actor=actor),
            "overdue": overdue,
            "can_create": actor.can(Action.CREATE, Campaign) and actor.role == Role.FEDERATION_ADMIN,
            "subjects": Subject.choices,
            "is_reviewer": actor.role == Role.REVIEWER,
            "steps": StepKind.choices,
            "only_overdue": request.GET.get("overdue") == "1",
        },
    )


@require_POST
@staff_view
def campaign_create(request):
    post = request.POST

    def call():
        deadlines = {kind: _date(post.get(f"deadline_{kind}")) for kind in StepKind.values}
        subject = post.get("subject") or Subject.POSITION
        projects = subject == Subject.PROJECT
        min_score = post.get("min_score", "").strip()
        return services.campaign_create(
            actor=request.actor,
            name=post.get("name", ""),
            year=_int(post.get("year")),
            honour_title=post.get("honour_title", ""),
            total_quota=_int(post.get("total_quota")),
            # A project's subsidy follows its honour (decision 39), not a per-campaign amount.
            grant_fen=0 if projects else _int(post.get("grant_yuan") or "0") * 100,
            deadlines={k: v for k, v in deadlines.items() if v},
            subject=subject,
            min_score=_int(min_score) if projects and min_score else None,
        )

    try:
        campaign = call()
    except (PermissionDeniedError, NotFoundError):
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("campaigns:list")
    messages.success(request, DONE)
    return redirect("campaigns:detail", campaign_id=campaign.pk)


# --- a campaign's page ----------------------------------------------------------------------------


@require_GET
@staff_view
def campaign_detail(request, campaign_id: int):
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, pk=campaign_id)
    is_federation = actor.role == Role.FEDERATION_ADMIN and actor.covers_unit(campaign.federation)
    unit_view = None if is_federation else actor.unit
    overdue = {o.step.pk: o for o in selectors.overdue_steps(campaign, unit=unit_view)}
    steps = [(s, overdue.get(s.pk)) for s in campaign.steps.all()]
    quotas = list(Quota.objects.restrict(actor).filter(campaign=campaign).select_related("unit"))
    nominations = list(selectors.nomination_list(actor=actor, campaign=campaign))
    my_quota = next((q for q in quotas if q.unit_id == actor.unit.pk), None)
    eligible = []
    if actor.can(Action.CREATE, Nomination) and campaign.state == CampaignState.PUBLISHED and my_quota:
        if campaign.subject == Subject.PROJECT:
            eligible = project_candidates(campaign, actor, nominations)
        else:
            nominated = {n.position_id for n in nominations if n.state != NominationState.WITHDRAWN}
            eligible = [
                p
                for p in services._eligible_positions(campaign).restrict(actor).order_by("official_name")[:500]
                if p.pk not in nominated
            ]
    context = {
        "campaign": campaign,
        "is_federation": is_federation,
        "steps": steps,
        "moves": [
            (t.target, CAMPAIGN_FLOW.move_label(t), t.reason_required)
            for t in CAMPAIGN_FLOW.available_transitions(actor, campaign)
        ],
        "quotas": quotas,
        "quota_sum": sum(q.quota for q in quotas),
        "my_quota": my_quota,
        "my_used": sum(
            1
            for n in nominations
            if my_quota and n.unit_id == my_quota.unit_id and n.state != NominationState.WITHDRAWN
        ),
        "members": list(selectors.member_list(actor=actor, campaign=campaign)),
        "can_register": actor.can(Action.CREATE, ReviewMember)
        and campaign.state in (CampaignState.DRAFT, CampaignState.PUBLISHED),
        "register_units": list(
            Unit.objects.restrict(actor).filter(depth__lte=actor.unit.depth + 1).order_by("path")[:50]
        ),
        "group_roles": GroupRole.choices,
        "nominations": nominations,
        "eligible": eligible,
        "meetings": list(selectors.meeting_list(actor=actor, campaign=campaign)),
        "objections": list(selectors.objection_list(actor=actor, campaign=campaign)),
        "outcomes": ObjectionOutcome.choices,
        "honours": list(selectors.honour_list(actor=actor, campaign=campaign)),
        "today": timezone.localdate(),
        "notice_default_end": timezone.localdate() + dt.timedelta(days=rules.NOTICE_MIN_DAYS - 1),
        "notice_min_days": rules.NOTICE_MIN_DAYS,
        "is_reviewer": actor.role == Role.REVIEWER,
        "history": list(selectors.campaign_history(actor=actor, campaign=campaign)),
        **_spot_check_context(actor, campaign, is_federation),
    }
    return render(request, "campaigns/campaign_detail.html", context)


def _spot_check_context(actor, campaign: Campaign, is_federation: bool) -> dict:
    """The random checks after the self-evaluation (`spotchecks.py`), once the campaign is approved."""
    from yizhan.campaigns import spotchecks
    from yizhan.inspections.forms import usable_versions

    if campaign.state != CampaignState.APPROVED:
        return {}
    context = {"draws": spotchecks.campaign_draws(actor=actor, campaign=campaign)}
    if is_federation:
        context.update(
            spot_reported=spotchecks.reported_units(campaign),
            spot_candidates=len(spotchecks.candidates(campaign)),
            spot_versions=spotchecks.applicable_versions(usable_versions(actor), campaign),
            spot_ends_on=spotchecks.default_ends_on(),
        )
    return context


@require_POST
@staff_view
def spot_checks_draw(request, campaign_id: int):
    from yizhan.campaigns import spotchecks
    from yizhan.inspections.forms import usable_versions

    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, pk=campaign_id, action=Action.UPDATE)
    post = request.POST

    def call():
        version_id = post.get("version", "")
        version = None
        if version_id.isdecimal() and len(version_id) < 12:
            version = usable_versions(actor).filter(pk=int(version_id)).first()
        seed = post.get("seed", "").strip()
        rate = post.get("rate_percent", "").strip()
        return spotchecks.spot_checks_draw(
            actor=actor,
            campaign=campaign,
            version=version,
            ends_on=_date(post.get("ends_on")) or spotchecks.default_ends_on(),
            size=post.get("size", "").strip() or None,
            rate=str(Decimal(rate) / 100) if _is_number(rate) else (rate or None),
            seed=_int(seed) if seed else None,
        )

    return run_action(
        request,
        _campaign_url(campaign.pk, "spot-checks"),
        call,
        lambda d: SPOT_DRAWN.format(picked=d.picked, eligible=d.eligible, seed=d.seed),
    )


def _is_number(value: str) -> bool:
    try:
        return Decimal(value).is_finite() and len(value) < 12
    except (InvalidOperation, ValueError):
        return False


@require_POST
@staff_view
def campaign_transition(request, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id, action=Action.OPERATE)
    post = request.POST
    return run_action(
        request,
        _campaign_url(campaign.pk),
        lambda: services.campaign_transition(
            actor=request.actor,
            campaign=campaign,
            to_state=post.get("to_state", ""),
            reason=post.get("reason", ""),
            notice_starts_on=_date(post.get("notice_starts_on")),
            notice_ends_on=_date(post.get("notice_ends_on")),
        ),
        lambda c: MOVED.format(state=c.get_state_display()),
    )


@require_POST
@staff_view
def step_extend(request, step_id: int):
    step = selectors.step_get(actor=request.actor, pk=step_id, action=Action.UPDATE)
    return run_action(
        request,
        _campaign_url(step.campaign_id, "steps"),
        lambda: services.step_extend(
            actor=request.actor,
            step=step,
            deadline=_date(request.POST.get("deadline")),
            reason=request.POST.get("reason", ""),
        ),
        DONE,
    )


@require_POST
@staff_view
def quotas_compute(request, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id, action=Action.UPDATE)
    return run_action(
        request,
        _campaign_url(campaign.pk, "quotas"),
        lambda: services.quotas_compute(actor=request.actor, campaign=campaign),
        DONE,
    )


@require_POST
@staff_view
def quota_adjust(request, quota_id: int):
    quota = selectors.quota_get(actor=request.actor, pk=quota_id, action=Action.UPDATE)
    return run_action(
        request,
        _campaign_url(quota.campaign_id, "quotas"),
        lambda: services.quota_adjust(
            actor=request.actor,
            quota=quota,
            value=_int(request.POST.get("quota")),
            reason=request.POST.get("reason", ""),
        ),
        DONE,
    )


@require_POST
@staff_view
def nominations_submit(request, quota_id: int):
    quota = selectors.quota_get(actor=request.actor, pk=quota_id)
    return run_action(
        request,
        _campaign_url(quota.campaign_id, "nominations"),
        lambda: services.nominations_submit(actor=request.actor, quota=quota, data=_upload(request)),
        DONE,
    )


def _upload(request, name: str = "file") -> bytes:
    upload = request.FILES.get(name)
    if upload is None:
        return b""
    if upload.size > rules.sealed_limit_bytes():
        raise ApplicationError(rules.PDF_TOO_LARGE.format(limit=rules.sealed_limit_bytes() // (1024 * 1024)))
    return upload.read()


@require_GET
@staff_view
def summary_pdf(request, quota_id: int):
    quota = selectors.quota_get(actor=request.actor, pk=quota_id)
    if not quota.summary_pdf:
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    return FileResponse(
        quota.summary_pdf.open("rb"), content_type="application/pdf", filename=f"summary-{quota.pk}.pdf"
    )


@require_POST
@staff_view
def member_register(request, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id)
    post = request.POST

    def call():
        unit = (
            Unit.objects.restrict(request.actor).filter(pk=_int(post.get("unit") or str(request.actor.unit.pk))).first()
        )
        if unit is None:
            raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
        codes = [c for c in post.get("conflict_positions", "").replace("，", ",").split(",") if c.strip()]
        return services.review_member_register(
            actor=request.actor,
            campaign=campaign,
            unit=unit,
            name=post.get("name", ""),
            gender=post.get("gender", ""),
            job_title=post.get("job_title", ""),
            phone=post.get("phone", ""),
            conflicts=post.get("conflicts", ""),
            conflict_positions=codes,
        )

    return run_action(request, _campaign_url(campaign.pk, "members"), call, DONE)


@require_POST
@staff_view
def member_confirm(request, member_id: int):
    member = selectors.member_get(actor=request.actor, pk=member_id, action=Action.UPDATE)
    return run_action(
        request,
        _campaign_url(member.campaign_id, "members"),
        lambda: services.review_member_confirm(
            actor=request.actor, member=member, group_role=request.POST.get("group_role", GroupRole.MEMBER)
        ),
        DONE,
    )


@require_http_methods(["GET", "POST"])
@staff_view
def member_conflicts(request, member_id: int):
    """A review member's declaration of conflicts of interest (利益冲突申报): a free text and the
    positions of the campaign it concerns (ticked, or codes typed), by the member themselves
    (their reviewer account) or the federation. The rule it feeds: `services.review_assign`."""
    actor = request.actor
    member = selectors.member_get(actor=actor, pk=member_id)
    can_declare = ReviewMember.objects.restrict(actor, Action.UPDATE).filter(pk=member.pk).exists()
    back = reverse("campaigns:member_conflicts", args=[member.pk])
    if request.method == "POST":
        if not can_declare:
            raise PermissionDeniedError(str(FORBIDDEN_MESSAGE))
        post = request.POST
        typed = post.get("other_positions", "").replace("，", ",").replace("、", ",").split(",")
        codes = [c.strip() for c in [*post.getlist("positions"), *typed] if c.strip()]
        return run_action(
            request,
            back,
            lambda: services.review_member_declare(
                actor=actor, member=member, conflicts=post.get("conflicts", ""), conflict_positions=codes
            ),
            DECLARED,
        )
    candidates = selectors.conflict_candidates(member)
    listed = {c["code"] for c in candidates}
    return render(
        request,
        "campaigns/member_conflicts.html",
        {
            "member": member,
            "campaign": member.campaign,
            "candidates": candidates,
            "others": [code for code in member.conflict_positions or [] if code not in listed],
            "can_declare": can_declare,
        },
    )


@require_POST
@staff_view
def nomination_create(request, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id)
    post = request.POST

    def call():
        if campaign.subject == Subject.PROJECT:
            project = ServiceProject.objects.restrict(request.actor).filter(pk=_int(post.get("project"))).first()
            if project is None:
                raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
            return services.nomination_create(
                actor=request.actor, campaign=campaign, project=project, statement=post.get("statement", "")
            )
        position = Position.objects.restrict(request.actor).filter(pk=_int(post.get("position"))).first()
        if position is None:
            raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
        return services.nomination_create(
            actor=request.actor, campaign=campaign, position=position, statement=post.get("statement", "")
        )

    try:
        nomination = call()
    except (PermissionDeniedError, NotFoundError):
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_campaign_url(campaign.pk, "nominations"))
    messages.success(request, DONE)
    return redirect("campaigns:nomination", nomination_id=nomination.pk)


@require_POST
@staff_view
def meeting_record(request, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.actor, pk=campaign_id)
    post = request.POST
    return run_action(
        request,
        _campaign_url(campaign.pk, "meetings"),
        lambda: services.meeting_record(
            actor=request.actor,
            campaign=campaign,
            held_on=_date(post.get("held_on")),
            place=post.get("place", ""),
            attendees=post.get("attendees", ""),
            minutes=post.get("minutes", ""),
        ),
        DONE,
    )


@require_POST
@staff_view
def objection_resolve(request, objection_id: int):
    objection = selectors.objection_get(actor=request.actor, pk=objection_id, action=Action.UPDATE)
    return run_action(
        request,
        _campaign_url(objection.campaign_id, "objections"),
        lambda: services.objection_resolve(
            actor=request.actor,
            objection=objection,
            outcome=request.POST.get("outcome", ""),
            answer=request.POST.get("answer", ""),
        ),
        DONE,
    )


@require_POST
@staff_view
def plaque_issue(request, honour_id: int):
    honour = selectors.honour_get(actor=request.actor, pk=honour_id, action=Action.UPDATE)
    return run_action(
        request,
        _campaign_url(honour.campaign_id, "honours"),
        lambda: services.plaque_issue(
            actor=request.actor,
            honour=honour,
            plaque_number=request.POST.get("plaque_number", ""),
            issued_on=_date(request.POST.get("issued_on")),
        ),
        DONE,
    )


# --- a nomination's page ----------------------------------------------------------------------------


@require_GET
@staff_view
def nomination_detail(request, nomination_id: int):
    actor = request.actor
    nomination = selectors.nomination_get(actor=actor, pk=nomination_id)
    campaign = nomination.campaign
    is_federation = actor.role == Role.FEDERATION_ADMIN
    moves = [
        (t.target, NOMINATION_FLOW.move_label(t), t.reason_required)
        for t in NOMINATION_FLOW.available_transitions(actor, nomination)
        if t.target != NominationState.SELECTED
    ]
    assignments = list(ReviewAssignment.objects.restrict(actor).filter(nomination=nomination).select_related("member"))
    members = []
    if is_federation and nomination.state == NominationState.SUBMITTED:
        members = list(ReviewMember.objects.filter(campaign=campaign, confirmed=True).select_related("unit"))
    context = {
        "nomination": nomination,
        "campaign": campaign,
        "form": selectors.nomination_form(nomination),
        "moves": moves,
        "can_edit": nomination.state == NominationState.DRAFT
        and actor.can(Action.UPDATE, Nomination)
        and actor.role != Role.REVIEWER,
        "decision_moves": is_federation and campaign.state in (CampaignState.REVIEWING, CampaignState.NOTICE),
        "meetings": list(ReviewMeeting.objects.filter(campaign=campaign)) if is_federation else [],
        "assignments": assignments,
        "members": members,
        "history": list(selectors.nomination_history(actor=actor, nomination=nomination)),
        "is_reviewer": actor.role == Role.REVIEWER,
    }
    return render(request, "campaigns/nomination_detail.html", context)


@require_POST
@staff_view
def nomination_update(request, nomination_id: int):
    nomination = selectors.nomination_get(actor=request.actor, pk=nomination_id, action=Action.UPDATE)
    back = reverse("campaigns:nomination", args=[nomination.pk])
    return run_action(
        request,
        back,
        lambda: services.nomination_update(
            actor=request.actor, nomination=nomination, statement=request.POST.get("statement", "")
        ),
        DONE,
    )


@require_POST
@staff_view
def nomination_sealed(request, nomination_id: int):
    nomination = selectors.nomination_get(actor=request.actor, pk=nomination_id, action=Action.UPDATE)
    back = reverse("campaigns:nomination", args=[nomination.pk])
    return run_action(
        request,
        back,
        lambda: services.nomination_sealed_upload(actor=request.actor, nomination=nomination, data=_upload(request)),
        DONE,
    )


@require_GET
@staff_view
def sealed_pdf(request, nomination_id: int):
    nomination = selectors.nomination_get(actor=request.actor, pk=nomination_id)
    if not nomination.sealed_pdf:
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    return FileResponse(
        nomination.sealed_pdf.open("rb"), content_type="application/pdf", filename=f"nomination-{nomination.pk}.pdf"
    )


@require_POST
@staff_view
def nomination_transition(request, nomination_id: int):
    nomination = selectors.nomination_get(actor=request.actor, pk=nomination_id, action=Action.OPERATE)
    post = request.POST

    def call():
        meeting = None
        if post.get("meeting"):
            meeting = selectors.meeting_get(actor=request.actor, pk=_int(post.get("meeting")))
        return services.nomination_transition(
            actor=request.actor,
            nomination=nomination,
            to_state=post.get("to_state", ""),
            reason=post.get("reason", ""),
            meeting=meeting,
        )

    return run_action(
        request,
        reverse("campaigns:nomination", args=[nomination.pk]),
        call,
        lambda n: MOVED.format(state=n.get_state_display()),
    )


@require_POST
@staff_view
def review_assign(request, nomination_id: int):
    nomination = selectors.nomination_get(actor=request.actor, pk=nomination_id)

    def call():
        member = selectors.member_get(actor=request.actor, pk=_int(request.POST.get("member")))
        return services.review_assign(actor=request.actor, nomination=nomination, member=member)

    return run_action(request, reverse("campaigns:nomination", args=[nomination.pk]), call, DONE)


# --- the reviewer's tasks -----------------------------------------------------------------------------


@require_GET
@staff_view
def assignment_list(request):
    rows = selectors.assignment_list(actor=request.actor)
    pending = request.GET.get("pending") == "1"
    if pending:
        rows = rows.filter(total__isnull=True)
    return render(request, "campaigns/assignment_list.html", {"assignments": list(rows), "pending": pending})


@require_GET
@staff_view
def assignment_detail(request, assignment_id: int):
    actor = request.actor
    assignment = selectors.assignment_get(actor=actor, pk=assignment_id)
    return render(
        request,
        "campaigns/assignment_detail.html",
        {
            "assignment": assignment,
            "nomination": assignment.nomination,
            "form": selectors.nomination_form(assignment.nomination),
            "score_rows": selectors.score_rows(assignment),
            "results": VerificationResult.choices,
            "photos": list(assignment.photos.all()),
            "can_record": actor.can(Action.UPDATE, ReviewAssignment),
            "today": timezone.localdate(),
        },
    )


@require_POST
@staff_view
def review_record(request, assignment_id: int):
    assignment = selectors.assignment_get(actor=request.actor, pk=assignment_id, action=Action.UPDATE)
    post = request.POST
    back = reverse("campaigns:assignment", args=[assignment.pk])

    def call():
        items = score_items(assignment.nomination.campaign.subject)
        scores = {key: post.get(f"score_{key}", "") for key, _label, _max in items}
        scores = {k: (_int(v) if v.strip() else "") for k, v in scores.items()}
        return services.review_record(
            actor=request.actor,
            assignment=assignment,
            scores=scores,
            result=post.get("result", ""),
            notes=post.get("notes", ""),
            verified_on=_date(post.get("verified_on")),
        )

    return run_action(request, back, call, DONE)


@require_POST
@staff_view
def review_photo(request, assignment_id: int):
    assignment = selectors.assignment_get(actor=request.actor, pk=assignment_id, action=Action.UPDATE)
    upload = request.FILES.get("image")
    return run_action(
        request,
        reverse("campaigns:assignment", args=[assignment.pk]),
        lambda: services.review_photo_add(
            actor=request.actor,
            assignment=assignment,
            data=upload.read() if upload else b"",
            caption=request.POST.get("caption", ""),
        ),
        DONE,
    )


# --- the annexes as files (the renderers are annexes.py) ------------------------------------------------


def _annex_response(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@staff_view
def annex_export(request, campaign_id: int, fmt: str, annex: int):
    """Annex 1 (quota table) and 2 (review group) of the whole campaign for its federation; annex 4
    (the summary) of the acting unit, or of `?unit=` for the federation. xlsx or docx."""
    from yizhan.campaigns import annexes

    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, pk=campaign_id)
    if fmt not in annexes.FORMATS:
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    is_federation = actor.role == Role.FEDERATION_ADMIN and actor.covers_unit(campaign.federation)
    unit_name = ""
    if annex in (1, 2):
        if not is_federation:
            raise PermissionDeniedError(str(FORBIDDEN_MESSAGE))
        rows = selectors.quota_table(campaign) if annex == 1 else selectors.review_group_rows(campaign)
    else:
        unit = actor.unit
        wanted = request.GET.get("unit", "")
        if is_federation and wanted.isdecimal() and len(wanted) < 10:
            unit = Unit.objects.restrict(actor).filter(pk=int(wanted)).first()
        if unit is None or not Quota.objects.restrict(actor).filter(campaign=campaign, unit=unit).exists():
            raise Http404(OUT_OF_SCOPE_MESSAGE)
        rows, unit_name = selectors.nomination_summary(campaign, unit), unit.name
    return _annex_response(*annexes.export(annex, fmt, campaign, rows=rows, unit=unit_name))


@require_GET
@staff_view
def nomination_annex(request, nomination_id: int, fmt: str):
    """Annex 3, the nomination form of one nomination in scope, as xlsx or docx."""
    from yizhan.campaigns import annexes

    nomination = selectors.nomination_get(actor=request.actor, pk=nomination_id)
    if fmt not in annexes.FORMATS:
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    rows = [selectors.nomination_form(nomination)]
    return _annex_response(*annexes.export(3, fmt, nomination.campaign, rows=rows, unit=nomination.unit.name))
