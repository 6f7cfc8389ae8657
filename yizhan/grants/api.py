"""/api/v1/grants: signed in. Thin: each endpoint calls one service or selector. A unit reads and
records the uses of its own grants only; the federation reads all of them (scope: 404 outside)."""

from django.http import HttpResponse
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from yizhan.core.pagination import KeysFirstPagination
from yizhan.core.roles import Action
from yizhan.grants import selectors, services
from yizhan.grants.money import yuan_to_fen
from yizhan.grants.pdf import self_evaluation_pdf
from yizhan.grants.schemas import (
    DisburseIn,
    ErrorOut,
    EvidenceOut,
    FieldErrorOut,
    GrantOut,
    GrantUseIn,
    GrantUseOut,
    ReportOut,
    ReportPatchIn,
    ReportRequestIn,
    UnitBalanceOut,
)

router = Router(tags=["grants"])
ERRORS = {403: ErrorOut, 404: ErrorOut}


class GrantFilters(Schema):
    source: str = Field("", max_length=60, description="资金来源，如 campaign:3")
    unit_id: int | None = Field(None, ge=1, le=2**31 - 1, description="管理单位")


@router.get("", response={200: list[GrantOut], **ERRORS}, summary="补助资金列表")
@paginate(KeysFirstPagination)
def grant_list(request, filters: Query[GrantFilters]):
    return selectors.grant_list(actor=request.actor, source=filters.source, unit_id=filters.unit_id)


@router.get("/balances", response={200: list[UnitBalanceOut], **ERRORS}, summary="各管理单位资金余额")
def grant_balances(request, source: str = Query("", max_length=60)):
    return [
        {**vars(b), "balance_fen": b.balance_fen}
        for b in selectors.grant_balances_by_unit(actor=request.actor, source=source)
    ]


@router.get("/{int:grant_id}", response={200: GrantOut, **ERRORS}, summary="补助资金详情")
def grant_detail(request, grant_id: int):
    return selectors.grant_get(actor=request.actor, pk=grant_id)


@router.post("/{int:grant_id}/disburse", response={200: GrantOut, 400: FieldErrorOut, **ERRORS}, summary="登记拨付")
def grant_disburse(request, grant_id: int, payload: DisburseIn):
    grant = selectors.grant_get(actor=request.actor, pk=grant_id, action=Action.UPDATE)
    return services.grant_disburse(actor=request.actor, grant=grant, **payload.dict())


@router.get("/{int:grant_id}/uses", response={200: list[GrantUseOut], **ERRORS}, summary="资金使用记录")
def grant_uses(request, grant_id: int):
    grant = selectors.grant_get(actor=request.actor, pk=grant_id)
    return list(selectors.grant_uses(actor=request.actor, grant=grant))


@router.post("/{int:grant_id}/uses", response={201: GrantUseOut, 400: FieldErrorOut, **ERRORS}, summary="登记资金使用")
def grant_use_record(request, grant_id: int, payload: GrantUseIn):
    """Refused beyond the balance (400, field amount), before disbursement, by another unit (404)."""
    grant = selectors.grant_get(actor=request.actor, pk=grant_id)
    data = payload.dict()
    amount_fen = yuan_to_fen(data.pop("amount"))
    return Status(201, services.grant_use_record(actor=request.actor, grant=grant, amount_fen=amount_fen, **data))


def _evidence_out(evidence) -> dict:
    return {
        "id": evidence.pk,
        "kind": evidence.kind,
        "caption": evidence.caption,
        "url": reverse("grants:evidence_file", args=[evidence.pk]),
    }


@router.get("/uses/{int:use_id}/evidence", response={200: list[EvidenceOut], **ERRORS}, summary="使用凭证")
def evidence_list(request, use_id: int):
    use = selectors.grant_use_get(actor=request.actor, pk=use_id)
    return [_evidence_out(e) for e in use.evidence.all()]


@router.post(
    "/uses/{int:use_id}/evidence",
    response={201: EvidenceOut, 400: FieldErrorOut, **ERRORS},
    summary="上传使用凭证",
)
def evidence_add(request, use_id: int, file: File[UploadedFile], caption: Form[str] = ""):
    """A photo (JPEG, PNG, WebP; re-encoded without EXIF) or a PDF, up to YIZHAN_PHOTO_MAX_BYTES."""
    use = selectors.grant_use_get(actor=request.actor, pk=use_id, action=Action.CREATE)
    evidence = services.grant_evidence_add(actor=request.actor, use=use, data=file.read(), caption=caption)
    return Status(201, _evidence_out(evidence))


class ReportFilters(Schema):
    state: str = Field("", max_length=10, description="draft 填写中、submitted 已提交")
    overdue: bool = Field(False, description="仅逾期未提交的")


@router.get("/reports", response={200: list[ReportOut], **ERRORS}, summary="绩效自评报告列表")
@paginate(KeysFirstPagination)
def report_list(request, filters: Query[ReportFilters]):
    return selectors.self_evaluation_list(actor=request.actor, state=filters.state, overdue=filters.overdue)


@router.post("/reports", response={201: list[ReportOut], 400: FieldErrorOut, **ERRORS}, summary="布置绩效自评")
def report_request(request, payload: ReportRequestIn):
    return Status(201, services.self_evaluation_request(actor=request.actor, **payload.dict()))


@router.get("/reports/{int:report_id}", response={200: ReportOut, **ERRORS}, summary="绩效自评报告详情")
def report_detail(request, report_id: int):
    return selectors.self_evaluation_get(actor=request.actor, pk=report_id)


@router.patch(
    "/reports/{int:report_id}", response={200: ReportOut, 400: FieldErrorOut, **ERRORS}, summary="填写报告（草稿）"
)
def report_update(request, report_id: int, payload: ReportPatchIn):
    report = selectors.self_evaluation_get(actor=request.actor, pk=report_id, action=Action.UPDATE)
    return services.self_evaluation_save(actor=request.actor, report=report, **payload.dict(exclude_unset=True))


@router.post(
    "/reports/{int:report_id}/submit",
    response={200: ReportOut, 400: FieldErrorOut, **ERRORS},
    summary="提交报告",
)
def report_submit(request, report_id: int):
    """Refused while any field is empty: 400 with `missing`, the empty fields."""
    report = selectors.self_evaluation_get(actor=request.actor, pk=report_id, action=Action.UPDATE)
    return services.self_evaluation_submit(actor=request.actor, report=report)


@router.get(
    "/reports/{int:report_id}/pdf",
    response={200: None, **ERRORS},
    summary="报告 PDF",
    openapi_extra={"responses": {200: {"description": "A4 PDF", "content": {"application/pdf": {}}}}},
)
def report_pdf(request, report_id: int):
    report = selectors.self_evaluation_get(actor=request.actor, pk=report_id, action=Action.EXPORT)
    return HttpResponse(self_evaluation_pdf(report), content_type="application/pdf")
