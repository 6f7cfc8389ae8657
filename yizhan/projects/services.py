"""Writes of social organisations and their service projects (spec §9, source 004): plain functions
taking the actor, each in one transaction, refusing with a Chinese message and writing nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core import workflow
from yizhan.core.errors import ApplicationError, NotFoundError, from_validation_error
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, Actor, get_for_actor, require, require_in_scope
from yizhan.grants.money import MAX_FEN, NOT_POSITIVE, TOO_LARGE, fen_to_yuan
from yizhan.orgs.models import Unit, User
from yizhan.positions import photos
from yizhan.projects import scoring
from yizhan.projects.choices import PROJECT_FLOW, ApplicationState, Category, HonourLevel, Level, ProjectState
from yizhan.projects.models import (
    Application,
    PerformanceReport,
    ScoreSheet,
    ServiceProject,
    SocialOrganisation,
    SubsidyPayment,
)
from yizhan.projects.qualification import qualification
from yizhan.projects.subsidies import subsidy_due

NAME_REQUIRED = _("请填写社会组织的登记名称")
TITLE_REQUIRED = _("请填写项目名称")
TEXT_TOO_LONG = _("“{field}”不能超过 {max} 个字")
BAD_CATEGORY = _("请从生产服务类或生活服务类中选择服务类别")
NUMBER_TAKEN = _("登记证号 {number} 已登记为“{name}”")
NOT_EDITABLE = _("项目已进入“{state}”，不能再修改发布内容")
NOT_OPEN = _("项目不在接受申报阶段（现为“{state}”），不能申报")
ALREADY_APPLIED = _("“{organisation}”已申报过这个项目")
NOT_YOUR_ORGANISATION = _("只能以本账号所属的社会组织申报或提交报告")
PROPOSAL_REQUIRED = _("请填写服务方案")
NOT_CHECKING = _("项目不在资格审查阶段（现为“{state}”）")
CHECK_DONE = _("这份申报的结果已确定（{state}），不能再审查")
NOT_PERFORMING = _("项目不在实施阶段（现为“{state}”），不能提交履约报告")
NOT_THE_CONTRACTOR = _("只有承接本项目的社会组织可以提交履约报告")
REPORT_REQUIRED = _("请填写履约情况")
REPORT_IN_FUTURE = _("报告日期不能晚于今天")
NOT_ARCHIVED = _("项目完成结项评估并归档后才能评分（现为“{state}”）")
SUBSIDY_PAID_TWICE = _("该项目的{level}补助已于 {day} 发放（{amount} 元），不能重复补助")
SUBSIDY_NOTHING_DUE = _("该项目已按更高荣誉足额补助（已发 {paid} 元），{level}不再补助")
NOT_A_RATE = scoring.NOT_A_RATE
RESPONDENTS_REQUIRED = _("测评人数应为大于 0 的整数")
AGREEMENT_DATES = _("协议结束日期不能早于开始日期")
ACCOUNT_NOT_SOCIAL_ORG = _("该账号在本单位没有“社会组织”角色")
PHOTO_EMPTY = _("没有选择照片")
PHOTO_TOO_LARGE = _("照片不能大于 {limit} MB")

ORGANISATION_FIELDS = (
    "name",
    "registration_number",
    "registered_on",
    "certificate_valid_from",
    "certificate_valid_to",
    "union_approved_on",
    "contact_name",
    "contact_phone",
)
# What the organisation's own account may change of its profile: contacts only; the registration
# facts that decide its qualification are the union's to record.
OWN_ACCOUNT_FIELDS = ("contact_name", "contact_phone")
PROJECT_FIELDS = ("title", "category", "needs", "requirements", "budget_fen", "apply_by")


def _text(value, *, field: str, label, required=None, max_length: int = 2000) -> str:
    value = (value or "").strip()
    if required is not None and not value:
        raise ApplicationError(str(required), field=field)
    if len(value) > max_length:
        raise ApplicationError(str(TEXT_TOO_LONG).format(field=label, max=max_length), field=field)
    return value


def _amount(amount_fen, *, field: str = "amount_fen", allow_zero: bool = False) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen < 0:
        raise ApplicationError(str(NOT_POSITIVE), field=field)
    if amount_fen == 0 and not allow_zero:
        raise ApplicationError(str(NOT_POSITIVE), field=field)
    if amount_fen > MAX_FEN:
        raise ApplicationError(str(TOO_LARGE), field=field)
    return amount_fen


def _save(obj) -> None:
    try:
        obj.full_clean(exclude=["accounts"])
    except ValidationError as error:
        raise from_validation_error(error) from None
    obj.save()


# ------------------------------------------------------------------ social organisations


def _clean_organisation(organisation: SocialOrganisation) -> None:
    organisation.name = _text(
        organisation.name, field="name", label=_("登记名称"), required=NAME_REQUIRED, max_length=200
    )
    organisation.registration_number = _text(
        organisation.registration_number, field="registration_number", label=_("登记证号"), max_length=40
    ).upper()
    if organisation.registration_number:
        taken = (
            SocialOrganisation.objects.filter(registration_number=organisation.registration_number)
            .exclude(pk=organisation.pk)
            .first()
        )
        if taken is not None:
            raise ApplicationError(
                str(NUMBER_TAKEN).format(number=organisation.registration_number, name=taken.name),
                field="registration_number",
            )


@transaction.atomic
def organisation_create(*, actor: Actor, unit: Unit, **fields) -> SocialOrganisation:
    """Register a social organisation contacted by `unit` (in the actor's scope)."""
    require(actor, Action.CREATE, SocialOrganisation)
    require_in_scope(actor, unit)
    organisation = SocialOrganisation(unit=unit, **{k: v for k, v in fields.items() if k in ORGANISATION_FIELDS})
    _clean_organisation(organisation)
    _save(organisation)
    return organisation


@transaction.atomic
def organisation_update(*, actor: Actor, organisation: SocialOrganisation, **fields) -> SocialOrganisation:
    """Change an organisation's record; its own account changes its contacts only."""
    organisation = get_for_actor(
        SocialOrganisation.objects.select_for_update(), actor, Action.UPDATE, pk=organisation.pk
    )
    allowed = OWN_ACCOUNT_FIELDS if actor.role == Role.SOCIAL_ORG else ORGANISATION_FIELDS
    for key, value in fields.items():
        if key in allowed:
            setattr(organisation, key, value)
    _clean_organisation(organisation)
    _save(organisation)
    return organisation


@transaction.atomic
def organisation_signboard_set(*, actor: Actor, organisation: SocialOrganisation, data: bytes) -> SocialOrganisation:
    """The signboard photo: checked by content and size, re-encoded as JPEG without EXIF."""
    organisation = get_for_actor(
        SocialOrganisation.objects.select_for_update(), actor, Action.UPDATE, pk=organisation.pk
    )
    if not data:
        raise ApplicationError(str(PHOTO_EMPTY), field="image")
    limit = settings.YIZHAN_PHOTO_MAX_BYTES
    if len(data) > limit:
        raise ApplicationError(str(PHOTO_TOO_LARGE).format(limit=limit // (1024 * 1024)), field="image")
    content, _size = photos.reencode(data)
    organisation.signboard_photo.save(f"{uuid.uuid4().hex}.jpg", ContentFile(content), save=False)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_account_add(*, actor: Actor, organisation: SocialOrganisation, user: User) -> None:
    """Let `user`, holding the social-organisation role at the organisation's unit, act for it."""
    organisation = get_for_actor(SocialOrganisation.objects.all(), actor, Action.UPDATE, pk=organisation.pk)
    if (
        actor.role == Role.SOCIAL_ORG
        or not user.memberships.filter(unit=organisation.unit, role=Role.SOCIAL_ORG).exists()
    ):
        raise ApplicationError(str(ACCOUNT_NOT_SOCIAL_ORG), field="user")
    organisation.accounts.add(user)


def organisation_qualification(organisation: SocialOrganisation, *, on: dt.date | None = None):
    """The pure verdict for a stored organisation on `on` (today in Asia/Shanghai by default)."""
    return qualification(
        registration_number=organisation.registration_number,
        registered_on=organisation.registered_on,
        certificate_valid_from=organisation.certificate_valid_from,
        certificate_valid_to=organisation.certificate_valid_to,
        on=on or timezone.localdate(),
    )


# ------------------------------------------------------------------ projects


def _clean_project(project: ServiceProject) -> None:
    project.title = _text(project.title, field="title", label=_("项目名称"), required=TITLE_REQUIRED, max_length=200)
    if project.category not in Category.values:
        raise ApplicationError(str(BAD_CATEGORY), field="category")
    project.needs = _text(project.needs, field="needs", label=_("职工需求分析"))
    project.requirements = _text(project.requirements, field="requirements", label=_("服务要求"))
    project.budget_fen = _amount(project.budget_fen or 0, field="budget_fen", allow_zero=True)


@transaction.atomic
def project_create(*, actor: Actor, unit: Unit, **fields) -> ServiceProject:
    """A project at its first step: the workers' needs analysed by `unit`."""
    require(actor, Action.CREATE, ServiceProject)
    require_in_scope(actor, unit)
    project = ServiceProject(unit=unit, **{k: v for k, v in fields.items() if k in PROJECT_FIELDS})
    _clean_project(project)
    _save(project)
    return project


@transaction.atomic
def project_update(*, actor: Actor, project: ServiceProject, **fields) -> ServiceProject:
    """Change what the project asks for, before its applications are checked."""
    project = get_for_actor(ServiceProject.objects.select_for_update(), actor, Action.UPDATE, pk=project.pk)
    if project.state not in (ProjectState.NEEDS, ProjectState.PUBLISHED):
        raise ApplicationError(str(NOT_EDITABLE).format(state=project.get_state_display()), field="state")
    for key, value in fields.items():
        if key in PROJECT_FIELDS:
            setattr(project, key, value)
    _clean_project(project)
    _save(project)
    return project


def project_transition(*, actor: Actor, project: ServiceProject, to_state: str, reason: str = "", **extra):
    """Move a project along PROJECT_FLOW (guards: choices.py)."""
    return workflow.transition(workflow=PROJECT_FLOW, actor=actor, obj=project, to=to_state, reason=reason, **extra)


@transaction.atomic
def project_select(*, actor: Actor, application: Application, reason: str, on: dt.date | None = None):
    """Select the organisation of `application` for its project, with the reason recorded; only a
    qualified organisation (checked again on `on`) may be selected. The other applications are
    marked not selected."""
    application = get_for_actor(
        Application.objects.select_related("organisation", "project"), actor, Action.UPDATE, pk=application.pk
    )
    project = project_transition(
        actor=actor,
        project=application.project,
        to_state=ProjectState.SELECTED,
        reason=reason,
        application=application,
        on=on or timezone.localdate(),
    )
    application.state = ApplicationState.SELECTED
    application.save()
    for other in project.applications.exclude(pk=application.pk).exclude(state=ApplicationState.NOT_QUALIFIED):
        other.state = ApplicationState.NOT_SELECTED
        other.save()
    return project


@transaction.atomic
def project_sign(
    *,
    actor: Actor,
    project: ServiceProject,
    signed_on: dt.date | None,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    amount_fen: int | None,
    deliverables: str,
) -> ServiceProject:
    """The agreement with the selected organisation: dates, amount and deliverables."""
    if amount_fen is not None:
        _amount(amount_fen, field="agreement")
    if starts_on and ends_on and ends_on < starts_on:
        raise ApplicationError(str(AGREEMENT_DATES), field="agreement")
    agreement = {
        "signed_on": signed_on,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "amount_fen": amount_fen,
        "deliverables": _text(deliverables, field="agreement", label=_("服务内容与成果")),
    }
    return project_transition(actor=actor, project=project, to_state=ProjectState.AGREED, agreement=agreement)


def _rate(value) -> Decimal:
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError(str(NOT_A_RATE), field="satisfaction_rate") from None
    scoring.satisfaction_points(rate)  # refuses what is not 0–100
    if rate.quantize(Decimal("0.01")) != rate:
        raise ApplicationError(str(NOT_A_RATE), field="satisfaction_rate")
    return rate


@transaction.atomic
def project_archive(
    *,
    actor: Actor,
    project: ServiceProject,
    completed_on: dt.date | None,
    satisfaction_rate,
    respondents: int | None,
    summary: str = "",
) -> ServiceProject:
    """The closing evaluation with its satisfaction survey, and the project archived."""
    if respondents is not None and (
        isinstance(respondents, bool) or not isinstance(respondents, int) or respondents <= 0
    ):
        raise ApplicationError(str(RESPONDENTS_REQUIRED), field="respondents")
    evaluation = {
        "completed_on": completed_on,
        "satisfaction_rate": None if satisfaction_rate in (None, "") else _rate(satisfaction_rate),
        "respondents": respondents,
        "summary": _text(summary, field="summary", label=_("评估总结")),
    }
    return project_transition(actor=actor, project=project, to_state=ProjectState.ARCHIVED, evaluation=evaluation)


# ------------------------------------------------------------------ applications and reports


def _own_organisation(actor: Actor, organisation: SocialOrganisation) -> SocialOrganisation:
    found = SocialOrganisation.objects.restrict(actor).filter(pk=organisation.pk).first()
    if found is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    if actor.role == Role.SOCIAL_ORG and not found.accounts.filter(pk=actor.user.pk).exists():
        raise ApplicationError(str(NOT_YOUR_ORGANISATION), field="organisation")
    return found


@transaction.atomic
def application_submit(
    *, actor: Actor, project: ServiceProject, organisation: SocialOrganisation, proposal: str, amount_fen: int
) -> Application:
    """An organisation applies to a published project of its unit."""
    require(actor, Action.CREATE, Application)
    project = get_for_actor(ServiceProject.objects.select_for_update(), actor, Action.VIEW, pk=project.pk)
    organisation = _own_organisation(actor, organisation)
    if project.state != ProjectState.PUBLISHED:
        raise ApplicationError(str(NOT_OPEN).format(state=project.get_state_display()), field="project")
    if project.applications.filter(organisation=organisation).exists():
        raise ApplicationError(str(ALREADY_APPLIED).format(organisation=organisation.name), field="organisation")
    application = Application(
        project=project,
        organisation=organisation,
        proposal=_text(proposal, field="proposal", label=_("服务方案"), required=PROPOSAL_REQUIRED),
        amount_fen=_amount(amount_fen),
        submitted_by=actor.user.get_username(),
    )
    _save(application)
    return application


@transaction.atomic
def application_check(*, actor: Actor, application: Application, on: dt.date | None = None) -> Application:
    """The qualification check of spec §9 on `on`: qualified, or not qualified with every reason."""
    application = get_for_actor(
        Application.objects.select_for_update().select_related("organisation", "project"),
        actor,
        Action.UPDATE,
        pk=application.pk,
    )
    if application.project.state != ProjectState.CHECKING:
        raise ApplicationError(str(NOT_CHECKING).format(state=application.project.get_state_display()), field="project")
    if application.state in (ApplicationState.SELECTED, ApplicationState.NOT_SELECTED):
        raise ApplicationError(str(CHECK_DONE).format(state=application.get_state_display()), field="state")
    on = on or timezone.localdate()
    verdict = organisation_qualification(application.organisation, on=on)
    application.state = ApplicationState.QUALIFIED if verdict.qualified else ApplicationState.NOT_QUALIFIED
    application.qualification_reason = verdict.reason[:500]
    application.checked_on = on
    application.checked_by = actor.user.get_username()
    application.save()
    return application


@transaction.atomic
def report_submit(
    *, actor: Actor, project: ServiceProject, reported_on: dt.date, content: str, workers_served: int = 0
) -> PerformanceReport:
    """A performance report of the organisation carrying out the project."""
    require(actor, Action.CREATE, PerformanceReport)
    project = get_for_actor(
        ServiceProject.objects.select_for_update(of=("self",)).select_related("selected_application__organisation"),
        actor,
        Action.VIEW,
        pk=project.pk,
    )
    if project.state != ProjectState.AGREED:
        raise ApplicationError(str(NOT_PERFORMING).format(state=project.get_state_display()), field="project")
    organisation = project.selected_application.organisation
    if not SocialOrganisation.objects.restrict(actor).filter(pk=organisation.pk).exists():
        raise ApplicationError(str(NOT_THE_CONTRACTOR), field="project")
    if reported_on > timezone.localdate():
        raise ApplicationError(str(REPORT_IN_FUTURE), field="reported_on")
    if isinstance(workers_served, bool) or not isinstance(workers_served, int) or workers_served < 0:
        raise ApplicationError(str(scoring.NEGATIVE_COUNT), field="workers_served")
    report = PerformanceReport(
        project=project,
        organisation=organisation,
        reported_on=reported_on,
        content=_text(content, field="content", label=_("履约情况"), required=REPORT_REQUIRED),
        workers_served=workers_served,
        submitted_by=actor.user.get_username(),
    )
    _save(report)
    return report


# ------------------------------------------------------------------ scoring and subsidies

EVIDENCE_FLAGS = (
    "study",
    "activity_materials",
    "certificate",
    "signboard",
    "union_approval",
    "union_work",
    "union_activities",
)
EVIDENCE_COUNTS = (
    "documents",
    "media_city",
    "media_provincial",
    "media_national",
    "exchanges_city",
    "exchanges_provincial",
    "exchanges_national",
)


def sheet_evidence(sheet: ScoreSheet) -> scoring.Evidence:
    """The pure module's evidence from a stored sheet and its project's evaluation."""
    return scoring.Evidence(
        nominated_on=sheet.nominated_on,
        completed_on=sheet.project.completed_on,
        satisfaction=sheet.project.satisfaction_rate,
        documents=sheet.documents,
        media={
            Level.CITY: sheet.media_city,
            Level.PROVINCIAL: sheet.media_provincial,
            Level.NATIONAL: sheet.media_national,
        },
        exchanges={
            Level.CITY: sheet.exchanges_city,
            Level.PROVINCIAL: sheet.exchanges_provincial,
            Level.NATIONAL: sheet.exchanges_national,
        },
        **{flag: getattr(sheet, flag) for flag in EVIDENCE_FLAGS},
    )


@transaction.atomic
def score_sheet_confirm(
    *, actor: Actor, project: ServiceProject, nominated_on: dt.date, evidence: dict, adjustments: dict | None = None
) -> ScoreSheet:
    """Record the evidence of an archived project, compute each item and confirm the sheet with the
    reviewer's adjustments (each within its cap: refused above it, nothing written)."""
    require(actor, Action.CREATE, ScoreSheet)
    project = get_for_actor(ServiceProject.objects.select_for_update(), actor, Action.VIEW, pk=project.pk)
    if project.state != ProjectState.ARCHIVED:
        raise ApplicationError(str(NOT_ARCHIVED).format(state=project.get_state_display()), field="project")
    sheet = ScoreSheet.objects.filter(project=project).first() or ScoreSheet(project=project)
    sheet.nominated_on = nominated_on
    for flag in EVIDENCE_FLAGS:
        setattr(sheet, flag, bool(evidence.get(flag, False)))
    for count in EVIDENCE_COUNTS:
        value = evidence.get(count, 0) or 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 1000:
            raise ApplicationError(str(scoring.NEGATIVE_COUNT), field=count)
        setattr(sheet, count, value)
    points = scoring.confirm(sheet_evidence(sheet), adjustments)
    sheet.points = points
    sheet.total = scoring.total(points)
    sheet.confirmed_by = actor.user.get_username()
    _save(sheet)
    return sheet


@transaction.atomic
def subsidy_pay(*, actor: Actor, project: ServiceProject, level: str, paid_on: dt.date) -> SubsidyPayment:
    """Pay the subsidy an honour of `level` adds: the difference up to its amount (pay once at the
    highest honour, top up). A level paid before, or nothing left to top up, is refused."""
    require(actor, Action.CREATE, SubsidyPayment)
    if level not in HonourLevel.values:
        raise ApplicationError(str(_("荣誉级别应为市级、省级或全国优秀项目")), field="level")
    # The project's row lock serialises payments of one project (PostgreSQL; SQLite's writes are serial).
    project = get_for_actor(ServiceProject.objects.select_for_update(), actor, Action.VIEW, pk=project.pk)
    label = HonourLevel(level).label
    earlier = list(SubsidyPayment.objects.filter(project=project))
    twice = next((p for p in earlier if p.level == level), None)
    if twice is not None:
        raise ApplicationError(
            str(SUBSIDY_PAID_TWICE).format(level=label, day=twice.paid_on, amount=fen_to_yuan(twice.amount_fen)),
            field="level",
        )
    due = subsidy_due(level=level, paid_fen=[p.amount_fen for p in earlier])
    if due == 0:
        paid = sum(p.amount_fen for p in earlier)
        raise ApplicationError(str(SUBSIDY_NOTHING_DUE).format(paid=fen_to_yuan(paid), level=label), field="level")
    payment = SubsidyPayment(
        project=project, level=level, amount_fen=due, paid_on=paid_on, recorded_by=actor.user.get_username()
    )
    _save(payment)
    return payment


@transaction.atomic
def honour_subsidy_record(
    *, actor: Actor, project: ServiceProject, source: str, on: dt.date, level: str = HonourLevel.CITY
) -> SubsidyPayment | None:
    """The subsidy due for an honour awarded by a selection campaign (city level by default),
    recorded as a payment of the approval's day with its source (`campaign:<pk>`): the difference
    up to the level's amount after what the project was paid before; None when a higher honour was
    already paid in full. A level paid before is refused (pay once), as `subsidy_pay` does."""
    project = ServiceProject.objects.select_for_update().get(pk=project.pk)
    label = HonourLevel(level).label
    earlier = list(SubsidyPayment.objects.filter(project=project))
    twice = next((p for p in earlier if p.level == level), None)
    if twice is not None:
        raise ApplicationError(
            str(SUBSIDY_PAID_TWICE).format(level=label, day=twice.paid_on, amount=fen_to_yuan(twice.amount_fen)),
            field="level",
        )
    due = subsidy_due(level=level, paid_fen=[p.amount_fen for p in earlier])
    if due == 0:
        return None
    payment = SubsidyPayment(
        project=project,
        level=level,
        amount_fen=due,
        paid_on=on,
        source=source[:40],
        recorded_by=actor.user.get_username(),
    )
    _save(payment)
    return payment
