"""/api/v1/inspections: inspections, spot-check draws and rectifications (issue 16 §4), signed
in. Thin: each endpoint calls one service or selector; errors come from the API's one mapping
(400 with `field`, 403, 404)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Action
from yizhan.inspections import exports, selectors, services
from yizhan.inspections.choices import INSPECTION_FLOW, RECTIFICATION_FLOW, RectificationState
from yizhan.inspections.models import Inspection, Rectification, SpotCheckDraw
from yizhan.inspections.schemas import (
    DrawIn,
    DrawOut,
    ErrorOut,
    FindingsIn,
    HistoryOut,
    InspectionDetailOut,
    InspectionFormOut,
    InspectionIn,
    InspectionOut,
    RecordId,
    RectificationDetailOut,
    RectificationIn,
    RectificationOut,
    TransitionIn,
)
from yizhan.orgs.models import Unit
from yizhan.positions.models import Position
from yizhan.standards.models import StandardVersion

router = Router(tags=["inspections"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
USER_UNKNOWN = "找不到用户：{username}"
VERSION_UNKNOWN = "标准版本不存在"
UNIT_UNKNOWN = "单位不存在或不在您的管辖范围内"
ITEM_UNKNOWN = "该检查没有条目“{key}”的检查结果"


def _users(names: list[str], field: str) -> list:
    users = []
    for name in names:
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise ApplicationError(USER_UNKNOWN.format(username=name), field=field)
        users.append(user)
    return users


def _version(pk: int) -> StandardVersion:
    version = StandardVersion.objects.filter(pk=pk).first()
    if version is None:
        raise ApplicationError(VERSION_UNKNOWN, field="version")
    return version


def _unit(pk: int, field: str) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise ApplicationError(UNIT_UNKNOWN, field=field)
    return unit


# --- inspections ------------------------------------------------------------------------------------


def inspection_out(i: Inspection) -> dict:
    return {
        "id": i.pk,
        "kind": i.kind,
        "kind_label": i.get_kind_display(),
        "state": i.state,
        "state_label": i.get_state_display(),
        "unit": i.unit.code,
        "position": i.position_id,
        "position_name": i.position.display_name,
        "standard": i.version.standard.code,
        "version": i.version_id,
        "draw": i.draw_id,
        "starts_on": i.starts_on,
        "ends_on": i.ends_on,
        "inspected_on": i.inspected_on,
        "cannot_serve": i.cannot_serve,
        "summary": i.summary,
        "assessment": i.assessment_id,
    }


def inspection_detail_out(actor, i: Inspection) -> dict:
    rectified = dict(Rectification.objects.filter(inspection=i).values_list("finding_id", "pk"))
    return {
        **inspection_out(i),
        "inspectors": [a.user.get_username() for a in selectors.inspection_assignments(inspection=i)],
        "findings": [
            {
                "item": f.item.key,
                "text": f.item.text,
                "required": f.item.required,
                "met": f.met,
                "yes": f.yes,
                "number": f.number,
                "choice": f.choice,
                "note": f.note,
                "rectification": rectified.get(f.pk),
            }
            for f in selectors.inspection_findings(inspection=i)
        ],
        "moves": [step.target for step in INSPECTION_FLOW.available_transitions(actor, i)],
    }


@router.get("", response={200: list[InspectionOut], **ERRORS}, summary="检查列表")
def inspection_list(
    request: HttpRequest,
    state: str | None = None,
    kind: str | None = None,
    draw: RecordId | None = None,
    position: RecordId | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
):
    rows = selectors.inspection_list(
        actor=request.actor,
        state=state,
        kind=kind,
        draw=draw,
        position=position,
        date_from=date_from,
        date_to=date_to,
    )
    return [inspection_out(i) for i in rows[:500]]


@router.post("", response={201: InspectionDetailOut, **ERRORS}, summary="安排检查（计划检查、互检）")
def inspection_create(request: HttpRequest, payload: InspectionIn):
    inspection = services.inspection_create(
        actor=request.actor,
        position=Position(pk=payload.position),
        version=_version(payload.version),
        kind=payload.kind,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        inspectors=_users(payload.inspectors, "inspectors"),
        inspecting_unit=_unit(payload.inspecting_unit, "inspecting_unit") if payload.inspecting_unit else None,
    )
    inspection = selectors.inspection_get(actor=request.actor, pk=inspection.pk)
    return Status(201, inspection_detail_out(request.actor, inspection))


@router.get("/{int:inspection_id}", response={200: InspectionDetailOut, **ERRORS}, summary="检查详情")
def inspection_detail(request: HttpRequest, inspection_id: int):
    inspection = selectors.inspection_get(actor=request.actor, pk=inspection_id)
    return inspection_detail_out(request.actor, inspection)


@router.get(
    "/{int:inspection_id}/form",
    response={200: InspectionFormOut, **ERRORS},
    summary="检查表：被检查阵地与适用条目（互检人员经指派读取）",
)
def inspection_form(request: HttpRequest, inspection_id: int):
    inspection = selectors.inspection_get(actor=request.actor, pk=inspection_id)
    position = selectors.inspection_position(actor=request.actor, inspection=inspection)
    found = {f.item_id: f for f in selectors.inspection_findings(inspection=inspection)}
    return {
        "inspection": inspection.pk,
        "position": {
            "id": position.pk,
            "code": position.code,
            "name": position.display_name,
            "address": position.address,
            "unit": position.unit.name,
            "lng": position.lng,
            "lat": position.lat,
        },
        "items": [
            {
                "key": item.key,
                "group": item.group,
                "text": item.text,
                "check_type": item.check_type,
                "minimum": item.minimum,
                "unit_label": item.unit_label,
                "choices": item.choices,
                "required": item.required,
                "found": found[item.pk].value if item.pk in found else None,
                "note": found[item.pk].note if item.pk in found else "",
            }
            for item in inspection.applicable_items()
        ],
    }


@router.post(
    "/{int:inspection_id}/findings", response={200: InspectionDetailOut, **ERRORS}, summary="填写检查结果（可分次保存）"
)
def inspection_findings(request: HttpRequest, inspection_id: int, payload: FindingsIn):
    inspection = selectors.inspection_get(actor=request.actor, pk=inspection_id, action=Action.UPDATE)
    services.inspection_findings_save(
        actor=request.actor,
        inspection=inspection,
        answers=payload.answers,
        notes=payload.notes,
        cannot_serve=payload.cannot_serve,
        summary=payload.summary,
    )
    inspection = selectors.inspection_get(actor=request.actor, pk=inspection_id)
    return inspection_detail_out(request.actor, inspection)


@router.post("/{int:inspection_id}/transition", response={200: InspectionDetailOut, **ERRORS}, summary="变更检查状态")
def inspection_transition(request: HttpRequest, inspection_id: int, payload: TransitionIn):
    inspection = selectors.inspection_get(actor=request.actor, pk=inspection_id, action=Action.OPERATE)
    services.inspection_transition(
        actor=request.actor, inspection=inspection, to_state=payload.to_state, reason=payload.reason
    )
    inspection = selectors.inspection_get(actor=request.actor, pk=inspection_id)
    return inspection_detail_out(request.actor, inspection)


@router.get("/{int:inspection_id}/history", response={200: list[HistoryOut], **ERRORS}, summary="检查状态变更记录")
def inspection_history(request: HttpRequest, inspection_id: int):
    inspection = selectors.inspection_get(actor=request.actor, pk=inspection_id)
    return list(selectors.inspection_history(actor=request.actor, inspection=inspection))


# --- spot-check draws ---------------------------------------------------------------------------------


def draw_out(d: SpotCheckDraw) -> dict:
    return {
        "id": d.pk,
        "unit": d.unit.code,
        "version": d.version_id,
        "size": d.size,
        "rate": d.rate,
        "seed": d.seed,
        "recent_days": d.recent_days,
        "include_recent": d.include_recent,
        "eligible": d.eligible,
        "picked": d.picked,
        "drawn_on": d.drawn_on,
        "ends_on": d.ends_on,
        "strata": d.strata,
        "inspections": list(d.inspections.order_by("pk").values_list("pk", flat=True)),
    }


@router.get("/draws", response={200: list[DrawOut], **ERRORS}, summary="随机抽查记录")
def draw_list(request: HttpRequest):
    return [draw_out(d) for d in selectors.draw_list(actor=request.actor)[:200]]


@router.post("/draws", response={201: DrawOut, **ERRORS}, summary="随机抽查：按单位分层抽取（种子可复现）")
def draw_create(request: HttpRequest, payload: DrawIn):
    record = services.spot_check_draw(
        actor=request.actor,
        units=[_unit(pk, "units") for pk in payload.units],
        version=_version(payload.version),
        ends_on=payload.ends_on,
        size=payload.size,
        rate=payload.rate,
        seed=payload.seed,
        recent_days=payload.recent_days,
        include_recent=payload.include_recent,
        kinds=payload.kinds,
        inspectors=_users(payload.inspectors, "inspectors"),
    )
    return Status(201, draw_out(selectors.draw_get(actor=request.actor, pk=record.pk)))


@router.get("/draws/{int:draw_id}", response={200: DrawOut, **ERRORS}, summary="随机抽查详情")
def draw_detail(request: HttpRequest, draw_id: int):
    return draw_out(selectors.draw_get(actor=request.actor, pk=draw_id))


# --- rectifications -------------------------------------------------------------------------------------


def rectification_out(r: Rectification) -> dict:
    return {
        "id": r.pk,
        "inspection": r.inspection_id,
        "position": r.position_id,
        "position_name": r.position.display_name,
        "item": r.finding.item.key,
        "item_text": r.finding.item.text,
        "requirement": r.requirement,
        "owner_unit": r.owner_unit.code,
        "owner_user": r.owner_user.get_username() if r.owner_user_id else None,
        "deadline": r.deadline,
        "overdue": r.state == RectificationState.OPEN and r.deadline < timezone.localdate(),
        "state": r.state,
        "state_label": r.get_state_display(),
        "round": r.round,
        "submitted_on": r.submitted_on,
        "closed_on": r.closed_on,
    }


def rectification_detail_out(actor, r: Rectification) -> dict:
    return {
        **rectification_out(r),
        "evidence": [
            {
                "id": e.pk,
                "round": e.round,
                "url": e.image.url,
                "width": e.width,
                "height": e.height,
                "note": e.note,
                "uploaded_by": e.uploaded_by,
                "created_at": e.created_at,
            }
            for e in selectors.rectification_evidence(rectification=r)
        ],
        "moves": [step.target for step in RECTIFICATION_FLOW.available_transitions(actor, r)],
    }


@router.get("/rectifications", response={200: list[RectificationOut], **ERRORS}, summary="整改列表")
def rectification_list(
    request: HttpRequest,
    state: str | None = None,
    overdue: bool = False,
    inspection: RecordId | None = None,
    position: RecordId | None = None,
):
    rows = selectors.rectification_list(
        actor=request.actor, state=state, overdue=overdue, inspection=inspection, position=position
    )
    return [rectification_out(r) for r in rows[:500]]


@router.post("/rectifications", response={201: RectificationDetailOut, **ERRORS}, summary="开具整改（不达标条目）")
def rectification_create(request: HttpRequest, payload: RectificationIn):
    inspection = selectors.inspection_get(actor=request.actor, pk=payload.inspection)
    finding = inspection.findings.filter(item__key=payload.item).first()
    if finding is None:
        raise ApplicationError(ITEM_UNKNOWN.format(key=payload.item), field="item")
    owners = _users([payload.owner_user], "owner_user") if payload.owner_user else [None]
    rectification = services.rectification_open(
        actor=request.actor,
        finding=finding,
        deadline=payload.deadline,
        requirement=payload.requirement,
        owner_unit=_unit(payload.owner_unit, "owner_unit") if payload.owner_unit else None,
        owner_user=owners[0],
    )
    rectification = selectors.rectification_get(actor=request.actor, pk=rectification.pk)
    return Status(201, rectification_detail_out(request.actor, rectification))


@router.get(
    "/rectifications/{int:rectification_id}", response={200: RectificationDetailOut, **ERRORS}, summary="整改详情"
)
def rectification_detail(request: HttpRequest, rectification_id: int):
    rectification = selectors.rectification_get(actor=request.actor, pk=rectification_id)
    return rectification_detail_out(request.actor, rectification)


@router.post(
    "/rectifications/{int:rectification_id}/submit",
    response={200: RectificationDetailOut, **ERRORS},
    summary="提交整改结果（须附整改后照片，JPEG/PNG/WebP）",
)
def rectification_submit(
    request: HttpRequest,
    rectification_id: int,
    photos: File[list[UploadedFile]] = None,
    note: Form[str] = "",
):
    rectification = selectors.rectification_get(actor=request.actor, pk=rectification_id, action=Action.OPERATE)
    data = [photo.read() for photo in photos or []]
    services.rectification_submit(actor=request.actor, rectification=rectification, photos=data, note=note)
    rectification = selectors.rectification_get(actor=request.actor, pk=rectification_id)
    return rectification_detail_out(request.actor, rectification)


@router.post(
    "/rectifications/{int:rectification_id}/transition",
    response={200: RectificationDetailOut, **ERRORS},
    summary="验收、退回或重新打开整改",
)
def rectification_transition(request: HttpRequest, rectification_id: int, payload: TransitionIn):
    rectification = selectors.rectification_get(actor=request.actor, pk=rectification_id, action=Action.OPERATE)
    services.rectification_transition(
        actor=request.actor, rectification=rectification, to_state=payload.to_state, reason=payload.reason
    )
    rectification = selectors.rectification_get(actor=request.actor, pk=rectification_id)
    return rectification_detail_out(request.actor, rectification)


@router.get(
    "/rectifications/{int:rectification_id}/history",
    response={200: list[HistoryOut], **ERRORS},
    summary="整改状态变更记录",
)
def rectification_history(request: HttpRequest, rectification_id: int):
    rectification = selectors.rectification_get(actor=request.actor, pk=rectification_id)
    return list(selectors.rectification_history(actor=request.actor, rectification=rectification))


# --- the report of a period ----------------------------------------------------------------------------


@router.get(
    "/report",
    response={200: None, **ERRORS},
    summary="检查报告（期间内的检查与整改，xlsx 或 pdf）",
    openapi_extra={"responses": {200: {"description": "检查报告", "content": {exports.XLSX: {}, exports.PDF: {}}}}},
)
def inspection_report(request: HttpRequest, date_from: date, date_to: date, format: str = "xlsx"):  # noqa: A002
    content, content_type, filename = exports.inspection_report_export(
        actor=request.actor, date_from=date_from, date_to=date_to, fmt=format
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
