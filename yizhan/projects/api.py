"""/api/v1/projects: social organisations, service projects and their lifecycle, applications,
performance reports, the excellent-project score sheet and subsidies. Thin: each endpoint calls
one service or selector; outside the actor's scope everything answers 404."""

from decimal import Decimal

from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from yizhan.core.pagination import KeysFirstPagination
from yizhan.core.roles import Action
from yizhan.core.scoping import get_for_actor
from yizhan.orgs.models import Unit
from yizhan.projects import selectors, services
from yizhan.projects.choices import ProjectState
from yizhan.projects.schemas import (
    AgreementIn,
    ApplicationIn,
    ApplicationOut,
    ArchiveIn,
    CheckIn,
    ErrorOut,
    FieldErrorOut,
    HistoryOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    QualificationOut,
    ReportIn,
    ReportOut,
    ScoreSheetIn,
    ScoreSheetOut,
    SelectIn,
    SubsidyIn,
    SubsidyOut,
    TransitionIn,
)

router = Router(tags=["projects"])
ERRORS = {400: FieldErrorOut, 403: ErrorOut, 404: ErrorOut}


def _fen(yuan: Decimal) -> int:
    return int(yuan * 100)


def _unit(actor, pk: int) -> Unit:
    return get_for_actor(Unit.objects.all(), actor, Action.VIEW, pk=pk)


# ------------------------------------------------------------------ organisations


@router.get("/organisations", response={200: list[OrganisationOut], **ERRORS}, summary="社会组织列表")
@paginate(KeysFirstPagination)
def organisation_list(request):
    return selectors.organisation_list(actor=request.actor)


@router.post("/organisations", response={201: OrganisationOut, **ERRORS}, summary="登记社会组织")
def organisation_create(request, payload: OrganisationIn):
    data = payload.dict()
    unit = _unit(request.actor, data.pop("unit_id"))
    return Status(201, services.organisation_create(actor=request.actor, unit=unit, **data))


@router.get("/organisations/{int:organisation_id}", response={200: OrganisationOut, **ERRORS}, summary="社会组织详情")
def organisation_detail(request, organisation_id: int):
    return selectors.organisation_get(actor=request.actor, pk=organisation_id)


@router.patch("/organisations/{int:organisation_id}", response={200: OrganisationOut, **ERRORS}, summary="修改社会组织")
def organisation_update(request, organisation_id: int, payload: OrganisationPatch):
    organisation = selectors.organisation_get(actor=request.actor, pk=organisation_id, action=Action.UPDATE)
    fields = payload.dict(exclude_unset=True)
    return services.organisation_update(actor=request.actor, organisation=organisation, **fields)


@router.get(
    "/organisations/{int:organisation_id}/qualification",
    response={200: QualificationOut, **ERRORS},
    summary="资格审查（登记、成立满 2 年、证书有效）",
)
def organisation_qualification(request, organisation_id: int, on: Query[CheckIn]):
    organisation = selectors.organisation_get(actor=request.actor, pk=organisation_id)
    day = on.on or timezone.localdate()
    verdict = services.organisation_qualification(organisation, on=day)
    return {"on": day, "qualified": verdict.qualified, "reasons": list(verdict.reasons)}


# ------------------------------------------------------------------ projects


@router.get("", response={200: list[ProjectOut], **ERRORS}, summary="服务项目列表")
@paginate(KeysFirstPagination)
def project_list(request, state: ProjectState | None = None):
    return selectors.project_list(actor=request.actor, state=state or "")


@router.post("", response={201: ProjectOut, **ERRORS}, summary="新建服务项目（需求分析）")
def project_create(request, payload: ProjectIn):
    data = payload.dict()
    unit = _unit(request.actor, data.pop("unit_id"))
    data["budget_fen"] = _fen(data.pop("budget"))
    return Status(201, services.project_create(actor=request.actor, unit=unit, **data))


@router.get("/{int:project_id}", response={200: ProjectOut, **ERRORS}, summary="服务项目详情")
def project_detail(request, project_id: int):
    return selectors.project_get(actor=request.actor, pk=project_id)


@router.patch("/{int:project_id}", response={200: ProjectOut, **ERRORS}, summary="修改服务项目")
def project_update(request, project_id: int, payload: ProjectPatch):
    project = selectors.project_get(actor=request.actor, pk=project_id, action=Action.UPDATE)
    data = payload.dict(exclude_unset=True)
    if "budget" in data:
        budget = data.pop("budget")
        data["budget_fen"] = _fen(budget) if budget is not None else 0
    return services.project_update(actor=request.actor, project=project, **data)


@router.post("/{int:project_id}/transition", response={200: ProjectOut, **ERRORS}, summary="变更项目状态")
def project_transition(request, project_id: int, payload: TransitionIn):
    """Moves without their own form: publish, withdraw, close applications, reopen, close the project.
    Selecting, signing and archiving have their own endpoints (they carry the selection, agreement
    and evaluation)."""
    project = selectors.project_get(actor=request.actor, pk=project_id, action=Action.OPERATE)
    return services.project_transition(actor=request.actor, project=project, **payload.dict())


@router.post("/{int:project_id}/select", response={200: ProjectOut, **ERRORS}, summary="确定承接组织（记录理由）")
def project_select(request, project_id: int, payload: SelectIn):
    project = selectors.project_get(actor=request.actor, pk=project_id, action=Action.OPERATE)
    application = selectors.application_get(actor=request.actor, pk=payload.application_id)
    if application.project_id != project.pk:
        application = selectors.application_get(actor=request.actor, pk=0)  # 404: not this project's
    return services.project_select(actor=request.actor, application=application, reason=payload.reason)


@router.post("/{int:project_id}/agreement", response={200: ProjectOut, **ERRORS}, summary="签订协议")
def project_sign(request, project_id: int, payload: AgreementIn):
    project = selectors.project_get(actor=request.actor, pk=project_id, action=Action.OPERATE)
    data = payload.dict()
    data["amount_fen"] = _fen(data.pop("amount"))
    return services.project_sign(actor=request.actor, project=project, **data)


@router.post("/{int:project_id}/archive", response={200: ProjectOut, **ERRORS}, summary="结项评估并归档")
def project_archive(request, project_id: int, payload: ArchiveIn):
    project = selectors.project_get(actor=request.actor, pk=project_id, action=Action.OPERATE)
    return services.project_archive(actor=request.actor, project=project, **payload.dict())


@router.get("/{int:project_id}/history", response={200: list[HistoryOut], **ERRORS}, summary="项目状态记录")
def project_history(request, project_id: int):
    project = selectors.project_get(actor=request.actor, pk=project_id)
    return list(selectors.project_history(actor=request.actor, project=project))


# ------------------------------------------------------------------ applications and reports


@router.get("/{int:project_id}/applications", response={200: list[ApplicationOut], **ERRORS}, summary="项目申报")
def application_list(request, project_id: int):
    project = selectors.project_get(actor=request.actor, pk=project_id)
    return list(selectors.application_list(actor=request.actor, project=project))


@router.post("/{int:project_id}/applications", response={201: ApplicationOut, **ERRORS}, summary="申报项目")
def application_submit(request, project_id: int, payload: ApplicationIn):
    project = selectors.project_get(actor=request.actor, pk=project_id)
    organisation = selectors.organisation_get(actor=request.actor, pk=payload.organisation_id)
    application = services.application_submit(
        actor=request.actor,
        project=project,
        organisation=organisation,
        proposal=payload.proposal,
        amount_fen=_fen(payload.amount),
    )
    return Status(201, application)


@router.post("/applications/{int:application_id}/check", response={200: ApplicationOut, **ERRORS}, summary="资格审查")
def application_check(request, application_id: int, payload: CheckIn):
    application = selectors.application_get(actor=request.actor, pk=application_id, action=Action.UPDATE)
    return services.application_check(actor=request.actor, application=application, on=payload.on)


@router.get("/{int:project_id}/reports", response={200: list[ReportOut], **ERRORS}, summary="履约报告")
def report_list(request, project_id: int):
    project = selectors.project_get(actor=request.actor, pk=project_id)
    return list(selectors.report_list(actor=request.actor, project=project))


@router.post("/{int:project_id}/reports", response={201: ReportOut, **ERRORS}, summary="提交履约报告")
def report_submit(request, project_id: int, payload: ReportIn):
    project = selectors.project_get(actor=request.actor, pk=project_id)
    return Status(201, services.report_submit(actor=request.actor, project=project, **payload.dict()))


# ------------------------------------------------------------------ scoring and subsidies


@router.get("/{int:project_id}/score-sheet", response={200: ScoreSheetOut | None, **ERRORS}, summary="优秀项目评分表")
def score_sheet_detail(request, project_id: int):
    project = selectors.project_get(actor=request.actor, pk=project_id)
    return selectors.score_sheet_get(actor=request.actor, project=project)


@router.post("/{int:project_id}/score-sheet", response={200: ScoreSheetOut, **ERRORS}, summary="确认评分")
def score_sheet_confirm(request, project_id: int, payload: ScoreSheetIn):
    project = selectors.project_get(actor=request.actor, pk=project_id)
    data = payload.dict()
    nominated_on = data.pop("nominated_on")
    adjustments = data.pop("adjustments")
    return services.score_sheet_confirm(
        actor=request.actor, project=project, nominated_on=nominated_on, evidence=data, adjustments=adjustments
    )


@router.get("/{int:project_id}/subsidies", response={200: list[SubsidyOut], **ERRORS}, summary="优秀项目补助")
def subsidy_list(request, project_id: int):
    project = selectors.project_get(actor=request.actor, pk=project_id)
    return list(selectors.subsidy_list(actor=request.actor, project=project))


@router.post(
    "/{int:project_id}/subsidies", response={201: SubsidyOut, **ERRORS}, summary="发放补助（按最高荣誉差额补齐）"
)
def subsidy_pay(request, project_id: int, payload: SubsidyIn):
    project = selectors.project_get(actor=request.actor, pk=project_id)
    return Status(201, services.subsidy_pay(actor=request.actor, project=project, **payload.dict()))
