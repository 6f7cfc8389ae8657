"""Feedback endpoints. `router` is public (/api/v1/public/feedback, no login, issue 4 §4);
`staff_router` is the staff's scoped reading (/api/v1/feedback); `ledger_router` the daily ledger
(/api/v1/ledger). Thin: each calls one service or selector."""

from datetime import date
from typing import Literal

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ValidationError

from yizhan.core.errors import ApplicationError
from yizhan.core.geo.tiles import tile_source
from yizhan.core.json_body import BodyNotJSON, request_json
from yizhan.core.pagination import KeysFirstPagination
from yizhan.core.request_info import remote_addr
from yizhan.core.roles import Action
from yizhan.ledger import imports, overview, selectors, services
from yizhan.ledger.choices import FeedbackSource
from yizhan.ledger.models import FIGURE_NAMES, LEDGER_FIGURES
from yizhan.ledger.schemas import (
    ActivityIn,
    ActivityOut,
    ActivityPatchIn,
    ActivityPhotoOut,
    DashboardOut,
    ErrorOut,
    FeedbackCreatedOut,
    FeedbackIn,
    FeedbackModerateIn,
    FeedbackOut,
    FeedbackRecordIn,
    FeedbackStatusChangeOut,
    FeedbackTransitionIn,
    FieldErrorOut,
    LedgerConflictOut,
    LedgerDayIn,
    LedgerDayOut,
    LedgerErrorOut,
    LedgerFigureOut,
    LedgerImportOut,
    LedgerRevisionOut,
    LedgerSavedOut,
    LedgerTotalsOut,
    LimitedOut,
    PhoneOut,
    ProblemNoticeOut,
    ProblemReportCreatedOut,
    ProblemReportIn,
    ProblemReportOut,
    ProblemStateChangeOut,
    ProblemTransitionIn,
    PublicErrorOut,
    QueueEntryOut,
    RecordId,
    SatisfactionOut,
    UsageMapOut,
)
from yizhan.orgs import selectors as org_selectors
from yizhan.positions import photos
from yizhan.positions import selectors as position_selectors

# No login and so no CSRF check: ninja checks CSRF only inside its cookie authentication, and a
# mini-program has neither cookie nor token. Nothing here acts for a signed-in user.
router = Router(tags=["public"], auth=None)
staff_router = Router(tags=["feedback"])

BODY_NOT_AN_OBJECT = _('请求体应为 JSON 对象，例如 {"position_id": 1024, "rating": 5}')
FIELD_MISSING = _("缺少字段 {name}")
FIELD_WRONG_TYPE = _("字段 {name} 应为{expected}")
EXPECTED_TYPES = {
    "position_id": _("整数（服务阵地编号）"),
    "rating": _("1 到 5 的整数，或不填"),
    "text": _("文字"),
    "phone": _("文字"),
}

BODY_EXAMPLES = {
    "rating_and_text": {
        "summary": "评分和意见",
        "value": {"position_id": 1024, "rating": 4, "text": "饮水机没有热水了", "phone": "13800000000"},
    },
    "rating_only": {"summary": "只评分", "value": {"position_id": 1024, "rating": 5}},
    "text_only": {"summary": "只写意见", "value": {"position_id": 1024, "text": "希望早上 5 点开门"}},
}
SUBMIT_DESCRIPTION = (
    "公众对一个服务阵地提交意见（无需登录，无需验证码）。评分 1–5 和意见内容（最多 500 字）至少填一项，"
    "联系电话选填、仅用于回复，员工列表中隐去中间几位。只有运营中和暂停服务的阵地接受意见，"
    "其他（规划中、建设中、已摘牌、不存在）返回 404。\n\n"
    "防刷限制（默认，可配置 YIZHAN_FEEDBACK_LIMITS）：同一来源 10 分钟 5 条、每天 20 条；"
    "同一来源对同一阵地每小时 1 条；同一阵地每天 200 条。超过时返回 429，Retry-After 头给出需等待的秒数。"
    "不保存来源 IP，只保存其加密散列。\n\n"
    "错误：400 字段取值不符合规则（detail 为中文说明，field 为字段名），或请求体过大、JSON 嵌套过深；"
    "404 阵地不存在或未对公众开放；"
    "422 请求体不是 JSON 对象或字段类型不对（中文说明）；429 提交过多。"
)


class BodyInvalid(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _parse_body(request) -> FeedbackIn:
    """The body as FeedbackIn; BodyInvalid naming the first wrong field in Chinese (not pydantic's
    English) when it is not a JSON object of the documented types. A body too large or too deep
    for the shared bounded reader raises its BodyError (400)."""
    try:
        data = request_json(request)
    except BodyNotJSON:
        data = None
    if not isinstance(data, dict):
        raise BodyInvalid(str(BODY_NOT_AN_OBJECT))
    try:
        return FeedbackIn.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0])
        if first["type"] == "missing":
            raise BodyInvalid(str(FIELD_MISSING.format(name=name)), name) from None
        raise BodyInvalid(str(FIELD_WRONG_TYPE.format(name=name, expected=EXPECTED_TYPES[name])), name) from None


@router.post(
    "",
    response={201: FeedbackCreatedOut, 400: PublicErrorOut, 404: PublicErrorOut, 422: PublicErrorOut, 429: LimitedOut},
    summary="提交意见反馈（公众）",
    description=SUBMIT_DESCRIPTION,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": FeedbackIn.model_json_schema(), "examples": BODY_EXAMPLES}},
        },
        "responses": {
            201: {"content": {"application/json": {"example": {"id": 1, "created_at": "2026-05-01T08:30:00+08:00"}}}},
            400: {
                "content": {"application/json": {"example": {"detail": "评分应为 1 到 5 的整数", "field": "rating"}}}
            },
            404: {"content": {"application/json": {"example": {"detail": "服务阵地不存在或未对公众开放"}}}},
            422: {
                "content": {"application/json": {"example": {"detail": "缺少字段 position_id", "field": "position_id"}}}
            },
            429: {
                "headers": {
                    "Retry-After": {"description": "需等待的秒数", "schema": {"type": "integer", "example": 3600}}
                },
                "content": {
                    "application/json": {
                        "example": {"detail": "您刚对该阵地提交过意见，请 60 分钟后再试", "retry_after": 3600}
                    }
                },
            },
        },
    },
)
def feedback_submit(request, response: HttpResponse):
    response["Cache-Control"] = "no-store"
    try:
        body = _parse_body(request)
    except BodyInvalid as invalid:
        return Status(422, {"detail": invalid.message, "field": invalid.field})
    try:
        feedback = services.feedback_submit(
            position_id=body.position_id,
            rating=body.rating,
            text=body.text or "",
            phone=body.phone or "",
            source=FeedbackSource.API,
            client=remote_addr(request),
        )
    except services.FeedbackLimited as limited:
        response["Retry-After"] = str(limited.retry_after)
        return Status(429, {"detail": limited.message, "retry_after": limited.retry_after})
    return Status(201, {"id": feedback.pk, "created_at": feedback.created_at})


class FeedbackFilters(Schema):
    position: int | None = None
    status: str = ""


STAFF_ERRORS = {403: ErrorOut, 404: ErrorOut}


@staff_router.get("", response={200: list[FeedbackOut], **STAFF_ERRORS}, summary="意见反馈列表")
@paginate(KeysFirstPagination)
def feedback_list(request, filters: Query[FeedbackFilters]):
    """Feedback on the positions in scope, newest first; phones masked (138****0000)."""
    return selectors.feedback_list(actor=request.actor, position_id=filters.position, status=filters.status)


@staff_router.post("", response={201: FeedbackOut, 400: FieldErrorOut, **STAFF_ERRORS}, summary="录入意见（员工）")
def feedback_record(request, payload: FeedbackRecordIn):
    """Feedback from a suggestion box, a register or a questionnaire, typed in by staff for a
    position in scope; handled like the public's."""
    position = position_selectors.position_get(actor=request.actor, pk=payload.position_id)
    feedback = services.feedback_record(
        actor=request.actor,
        position=position,
        source=payload.source,
        rating=payload.rating,
        text=payload.text,
        phone=payload.phone,
    )
    return Status(201, feedback)


@staff_router.get("/{int:feedback_id}", response={200: FeedbackOut, **STAFF_ERRORS}, summary="意见反馈详情")
def feedback_detail(request, feedback_id: int):
    """One feedback in scope; the phone masked like in the list."""
    return selectors.feedback_get(actor=request.actor, pk=feedback_id)


@staff_router.post("/{int:feedback_id}/phone", response={200: PhoneOut, **STAFF_ERRORS}, summary="查看完整联系电话")
def feedback_phone(request, feedback_id: int):
    """The full phone, for roles that reply to feedback (those who may update it) acting for the
    position's own unit (the handling unit; 403 for an admin above it); each call writes an audit
    entry (spec §11)."""
    feedback = selectors.feedback_get(actor=request.actor, pk=feedback_id, action=Action.UPDATE)
    return {"phone": services.feedback_phone_reveal(actor=request.actor, feedback=feedback)}


@staff_router.post(
    "/{int:feedback_id}/moderate",
    response={200: FeedbackOut, 400: FieldErrorOut, **STAFF_ERRORS},
    summary="隐藏或恢复意见内容（审核）",
)
def feedback_moderate(request, feedback_id: int, payload: FeedbackModerateIn):
    """Hide abusive text from every page and answer (kept in the audit log), with the reason; or
    show it again."""
    feedback = selectors.feedback_get(actor=request.actor, pk=feedback_id, action=Action.UPDATE)
    return services.feedback_moderate(
        actor=request.actor, feedback=feedback, hidden=payload.hidden, reason=payload.reason
    )


@staff_router.get(
    "/{int:feedback_id}/history", response={200: list[FeedbackStatusChangeOut], **STAFF_ERRORS}, summary="处理记录"
)
def feedback_history(request, feedback_id: int):
    """The handling moves of one feedback in scope, oldest first."""
    feedback = selectors.feedback_get(actor=request.actor, pk=feedback_id)
    return list(selectors.feedback_history(actor=request.actor, feedback=feedback))


@staff_router.post(
    "/{int:feedback_id}/transition",
    response={200: FeedbackOut, 400: FieldErrorOut, **STAFF_ERRORS},
    summary="处理意见反馈（标记已读、已处理、重新打开）",
)
def feedback_transition(request, feedback_id: int, payload: FeedbackTransitionIn):
    """Move a feedback in scope along its handling: new → read; new or read → resolved with a note
    (the reply or what was done); resolved → read (reopened) with the reason. 400 names the refused
    field (to_state: not a move from the current status; reason: missing); 403 for a role that may
    not handle feedback; 404 outside the scope."""
    feedback = selectors.feedback_get(actor=request.actor, pk=feedback_id, action=Action.UPDATE)
    return services.feedback_transition(actor=request.actor, feedback=feedback, **payload.dict())


# --- the daily ledger (/api/v1/ledger) ----------------------------------------------------------

ledger_router = Router(tags=["ledger"])
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LedgerFilters(Schema):
    position: RecordId | None = Field(None, description="服务阵地编号（id）")
    unit: RecordId | None = Field(None, description="单位编号：该单位及下级单位的阵地")
    date_from: date | None = Field(None, description="起始日期（含）")
    date_to: date | None = Field(None, description="截止日期（含）")


class UsageMapFilters(Schema):
    unit: RecordId | None = Field(None, description="单位编号（默认本人所在单位）：该单位及下级单位的阵地")
    date_from: date | None = Field(None, description="起始日期（含，默认截止日期前 30 天）")
    date_to: date | None = Field(None, description="截止日期（含，默认今天）")


def _filters(request, filters: LedgerFilters) -> dict:
    unit = org_selectors.unit_get(actor=request.actor, pk=filters.unit) if filters.unit is not None else None
    return {
        "position_id": filters.position,
        "unit": unit,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
    }


@ledger_router.get("/figures", response={200: list[LedgerFigureOut]}, summary="台账项目")
def ledger_figures(request):
    """The counts a day of the ledger holds, in page order: visits by served group (visits_…),
    the six abilities (ability_…), the six services (service_…)."""
    return [{"name": name, "label": str(label), "group": name.split("_", 1)[0]} for name, label in LEDGER_FIGURES]


@ledger_router.get("/days", response={200: list[LedgerDayOut], **STAFF_ERRORS}, summary="每日台账列表")
@paginate(KeysFirstPagination)
def ledger_list(request, filters: Query[LedgerFilters]):
    """Days of the ledger of the positions in scope, newest first, filtered by position, unit
    subtree and period."""
    return selectors.ledger_list(actor=request.actor, **_filters(request, filters))


@ledger_router.get("/days/{int:ledger_id}", response={200: LedgerDayOut, **STAFF_ERRORS}, summary="一天的台账")
def ledger_detail(request, ledger_id: int):
    return selectors.ledger_get(actor=request.actor, pk=ledger_id)


@ledger_router.get(
    "/days/{int:ledger_id}/history", response={200: list[LedgerRevisionOut], **STAFF_ERRORS}, summary="更正记录"
)
def ledger_history(request, ledger_id: int):
    """The figures of a day before each correction, newest first."""
    ledger = selectors.ledger_get(actor=request.actor, pk=ledger_id)
    return list(selectors.ledger_revisions(actor=request.actor, ledger=ledger))


@ledger_router.put(
    "/positions/{int:position_id}/days/{day}",
    response={
        200: LedgerSavedOut,
        201: LedgerSavedOut,
        400: LedgerErrorOut,
        409: LedgerConflictOut,
        **STAFF_ERRORS,
    },
    summary="录入或更正一天的台账",
)
def ledger_save(request, position_id: int, day: date, payload: LedgerDayIn):
    """Enter a day (201) or correct it (200, with the `version` read). Late entry is allowed, a
    future day is refused (400); two people entering the same day at once: one is saved, the
    other answers 409 naming who entered it, with the current version — nothing is lost, nothing
    overwritten. 400 lists every refused figure (`problems`)."""
    position = position_selectors.position_get(actor=request.actor, pk=position_id)
    saved = services.ledger_day_save(
        actor=request.actor,
        position=position,
        day=day,
        figures=payload.figures,
        own_items=payload.own_items,
        expected_version=payload.version,
        reason=payload.reason,
    )
    ledger = saved.ledger
    ledger.outcome = saved.outcome
    return Status(201 if saved.outcome == services.LedgerOutcome.CREATED else 200, ledger)


class DashboardFilters(UsageMapFilters):
    trend_by: Literal["day", "week", "month"] = Field("month", description="趋势的粒度：day、week 或 month")


@ledger_router.get("/dashboard", response={200: DashboardOut, **STAFF_ERRORS}, summary="单位看板")
def dashboard(request, filters: Query[DashboardFilters]):
    """The figures of a unit's dashboard over its subtree (default the actor's unit) for the
    period (default the last 30 days), as the page, the xlsx and the PDF give them: each with the
    URL of the staff list whose rows add up to it."""
    unit = org_selectors.unit_get(actor=request.actor, pk=filters.unit) if filters.unit else request.actor.unit
    result = overview.overview(
        actor=request.actor,
        unit=unit,
        date_from=filters.date_from,
        date_to=filters.date_to,
        trend_by=filters.trend_by,
    )
    sections = ("by_state", "by_kind", "by_construction", "by_star", "ledger", "trend", "top", "work")
    return {
        "unit_id": unit.pk,
        "unit_name": unit.name,
        "date_from": result.date_from,
        "date_to": result.date_to,
        "trend_by": result.trend_by,
        **{name: [vars(stat) for stat in getattr(result, name)] for name in sections},
    }


@ledger_router.get("/usage-map", response={200: UsageMapOut, **STAFF_ERRORS}, summary="阵地服务人次地图")
def usage_map(request, filters: Query[UsageMapFilters]):
    """The positions of a unit's subtree (default the actor's unit) with their visits in the
    period (default the last 30 days), coloured by quantile class for the dashboard's map, in the
    tile layer's coordinate system; each with the URL of the ledger rows behind its figure."""
    unit = org_selectors.unit_get(actor=request.actor, pk=filters.unit) if filters.unit else request.actor.unit
    date_from, date_to = overview.period_of(filters.date_from, filters.date_to)
    return overview.usage_map(
        actor=request.actor, unit=unit, date_from=date_from, date_to=date_to, crs=tile_source().crs
    )


@ledger_router.get("/totals", response={200: LedgerTotalsOut, **STAFF_ERRORS}, summary="台账合计")
def ledger_totals(request, filters: Query[LedgerFilters]):
    """Sums of every count over the days in scope with the same filters as the list (spec §6:
    totals roll up the unit tree); `days` is the number of rows summed."""
    totals = selectors.ledger_totals(actor=request.actor, **_filters(request, filters))
    return {
        "days": totals["days"],
        "visits_total": totals["visits_total"],
        "services_total": totals["services_total"],
        "figures": {name: totals[name] for name in FIGURE_NAMES},
    }


@ledger_router.get(
    "/import-template",
    response={200: None, **STAFF_ERRORS},
    summary="台账导入模板",
    openapi_extra={"responses": {200: {"description": "xlsx 模板", "content": {XLSX_TYPE: {}}}}},
)
def ledger_import_template(request):
    """The xlsx template: Chinese headers, yesterday's empty row for the positions in scope, a 说明 sheet."""
    response = HttpResponse(imports.ledger_template(actor=request.actor), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="ledger-template.xlsx"'
    return response


@ledger_router.post(
    "/import", response={200: LedgerImportOut, 400: LedgerImportOut | ErrorOut, **STAFF_ERRORS}, summary="导入台账"
)
def ledger_import(request, file: File[UploadedFile]):
    """Import an xlsx laid out as the template: all or nothing, idempotent (position code + date);
    400 lists every problem by row (as Excel numbers it) and column header, and nothing is written."""
    result = imports.ledger_import(actor=request.actor, file=file)
    return Status(200 if result.ok else 400, result.as_dict())


# --- problem reports (/api/v1/public/problem-reports, /api/v1/ledger/problem-reports) -----------

problem_public_router = Router(tags=["public"], auth=None)
PROBLEM_BODY_NOT_AN_OBJECT = _('请求体应为 JSON 对象，例如 {"position_id": 1024, "kind": "locked"}')
PROBLEM_EXPECTED_TYPES = {"position_id": _("整数（服务阵地编号）"), "kind": _("文字"), "text": _("文字")}
PROBLEM_DESCRIPTION = (
    "公众反映服务阵地的问题（无需登录）：closed 开放时间没开门、locked 门锁着进不去、no_water 没有饮用水、"
    "broken 设备坏了、wrong_location 位置不对，补充说明选填（最多 200 字）。要附照片时以 multipart/form-data "
    "提交同样的字段和 photo 文件（JPEG、PNG 或 WebP，不超过 YIZHAN_PHOTO_MAX_BYTES，重新编码并去除 EXIF，"
    "只给工作人员看）。反映后该阵地页面提示"
    "“有职工反映：…，x月x日”，直到工作人员核实处理。防刷限制同意见反馈（可配置 YIZHAN_PROBLEM_REPORT_LIMITS），"
    "超过时返回 429 和 Retry-After。错误：400 取值不符合规则；404 阵地不存在或未对公众开放；"
    "422 请求体不是 JSON 对象或类型不对。"
)

PROBLEM_MULTIPART_SCHEMA = {
    "type": "object",
    "required": ["position_id", "kind"],
    "properties": {
        "position_id": {"type": "integer", "description": "服务阵地编号"},
        "kind": {"type": "string", "description": "问题（同 JSON 提交）"},
        "text": {"type": "string", "description": "补充说明，最多 200 字（选填）"},
        "photo": {"type": "string", "format": "binary", "description": "照片（选填）"},
    },
}


@problem_public_router.post(
    "",
    response={
        201: ProblemReportCreatedOut,
        400: PublicErrorOut,
        404: PublicErrorOut,
        422: PublicErrorOut,
        429: LimitedOut,
    },
    summary="反映阵地的问题（公众）",
    description=PROBLEM_DESCRIPTION,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ProblemReportIn.model_json_schema()},
                "multipart/form-data": {"schema": PROBLEM_MULTIPART_SCHEMA},
            },
        }
    },
)
def problem_report_submit(request, response: HttpResponse):
    response["Cache-Control"] = "no-store"
    upload = None
    if request.content_type == "multipart/form-data":
        data = {name: request.POST.get(name) for name in request.POST}
        upload = request.FILES.get("photo")
    else:
        try:
            data = request_json(request)
        except BodyNotJSON:
            data = None
    if not isinstance(data, dict):
        return Status(422, {"detail": str(PROBLEM_BODY_NOT_AN_OBJECT), "field": None})
    try:
        body = ProblemReportIn.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0])
        if first["type"] == "missing":
            return Status(422, {"detail": str(FIELD_MISSING.format(name=name)), "field": name})
        expected = PROBLEM_EXPECTED_TYPES.get(name, "")
        return Status(422, {"detail": str(FIELD_WRONG_TYPE.format(name=name, expected=expected)), "field": name})
    try:
        report = services.problem_report_submit(
            position_id=body.position_id,
            kind=body.kind,
            text=body.text or "",
            client=remote_addr(request),
            photo=services.upload_read(upload),
        )
    except services.FeedbackLimited as limited:
        response["Retry-After"] = str(limited.retry_after)
        return Status(429, {"detail": limited.message, "retry_after": limited.retry_after})
    return Status(201, {"id": report.pk, "created_at": report.created_at, "due_on": report.due_on})


@problem_public_router.get("", response={200: list[ProblemNoticeOut]}, summary="阵地的未处理问题（公众）")
def problem_notices(request, position_id: Query[RecordId]):
    """The open problem reports of a public position as its page shows them: the kind and the
    latest day of each, never the text. Empty for a position that is not public."""
    return selectors.problem_notices(position_id=position_id)


class ProblemFilters(Schema):
    position: RecordId | None = None
    status: str = ""
    overdue: bool = False


@ledger_router.get("/problem-reports", response={200: list[ProblemReportOut], **STAFF_ERRORS}, summary="问题反映列表")
@paginate(KeysFirstPagination)
def problem_report_list(request, filters: Query[ProblemFilters]):
    """Problem reports on the positions in scope, newest first; by position, status, or the open
    ones past their deadline (`overdue`)."""
    return selectors.problem_report_list(
        actor=request.actor, position_id=filters.position, status=filters.status, overdue=filters.overdue
    )


@ledger_router.get(
    "/problem-reports/{int:report_id}", response={200: ProblemReportOut, **STAFF_ERRORS}, summary="问题反映详情"
)
def problem_report_detail(request, report_id: int):
    return selectors.problem_report_get(actor=request.actor, pk=report_id)


@ledger_router.get(
    "/problem-reports/{int:report_id}/history",
    response={200: list[ProblemStateChangeOut], **STAFF_ERRORS},
    summary="问题处理记录",
)
def problem_report_history(request, report_id: int):
    report = selectors.problem_report_get(actor=request.actor, pk=report_id)
    return list(selectors.problem_report_history(actor=request.actor, report=report))


@ledger_router.post(
    "/problem-reports/{int:report_id}/transition",
    response={200: ProblemReportOut, 400: FieldErrorOut, **STAFF_ERRORS},
    summary="处理问题反映（已解决、核实无此问题、重新打开）",
)
def problem_report_transition(request, report_id: int, payload: ProblemTransitionIn):
    """Settle a report in scope with a note (required); `on_site` also sets the position's
    verified-on date to today. 400 names the refused field; 403 a role that may not; 404 outside."""
    report = selectors.problem_report_get(actor=request.actor, pk=report_id, action=Action.UPDATE)
    return services.problem_report_transition(actor=request.actor, report=report, **payload.dict())


@ledger_router.get("/reverify-queue", response={200: list[QueueEntryOut], **STAFF_ERRORS}, summary="待现场核实队列")
def reverify_queue(request):
    """Positions in scope to check on site: those with open problem reports (earliest deadline
    first), then those not verified for YIZHAN_VERIFIED_STALE_DAYS days or never."""
    return [
        {
            "position_id": entry.position.pk,
            "position_code": entry.position.code,
            "position_name": entry.position.official_name,
            "verified_on": entry.position.verified_on,
            "stale": entry.stale,
            "due_on": entry.due_on,
            "overdue": entry.overdue,
            "reports": [report.pk for report in entry.reports],
        }
        for entry in selectors.reverify_queue(actor=request.actor)
    ]


@ledger_router.get("/satisfaction", response={200: SatisfactionOut, **STAFF_ERRORS}, summary="满意率")
def satisfaction(request, filters: Query[LedgerFilters]):
    """The share of ratings 4–5 over the feedback in scope (a position, a unit's subtree, a period
    of submission days), with the count; `rate` is null below the minimum number of ratings."""
    result = selectors.satisfaction(actor=request.actor, **_filters(request, filters))
    return {
        "responses": result.responses,
        "satisfied": result.satisfied,
        "minimum": result.minimum,
        "enough": result.enough,
        "rate": result.rate,
    }


# --- activities (/api/v1/ledger/activities) ----------------------------------------------------


class ActivityFilters(LedgerFilters):
    kind: str = Field("", description="活动类型")


@ledger_router.get("/activities", response={200: list[ActivityOut], **STAFF_ERRORS}, summary="活动列表")
@paginate(KeysFirstPagination)
def activity_list(request, filters: Query[ActivityFilters]):
    """Activities of the units in scope, latest first; by position, unit subtree, kind and period."""
    return selectors.activity_list(actor=request.actor, kind=filters.kind, **_filters(request, filters))


@ledger_router.post("/activities", response={201: ActivityOut, 400: FieldErrorOut, **STAFF_ERRORS}, summary="登记活动")
def activity_create(request, payload: ActivityIn):
    data = payload.dict()
    unit = org_selectors.unit_get(actor=request.actor, pk=data.pop("unit_id"))
    position_id = data.pop("position_id")
    position = position_selectors.position_get(actor=request.actor, pk=position_id) if position_id else None
    return Status(201, services.activity_create(actor=request.actor, unit=unit, position=position, **data))


@ledger_router.get("/activities/{int:activity_id}", response={200: ActivityOut, **STAFF_ERRORS}, summary="活动详情")
def activity_detail(request, activity_id: int):
    return selectors.activity_get(actor=request.actor, pk=activity_id)


@ledger_router.patch(
    "/activities/{int:activity_id}",
    response={200: ActivityOut, 400: FieldErrorOut, **STAFF_ERRORS},
    summary="修改活动",
)
def activity_update(request, activity_id: int, payload: ActivityPatchIn):
    activity = selectors.activity_get(actor=request.actor, pk=activity_id, action=Action.UPDATE)
    changes = payload.dict(exclude_unset=True)
    if "position_id" in changes:
        position_id = changes.pop("position_id")
        changes["position"] = (
            position_selectors.position_get(actor=request.actor, pk=position_id) if position_id else None
        )
    return services.activity_update(actor=request.actor, activity=activity, **changes)


@ledger_router.get(
    "/activities/{int:activity_id}/photos", response={200: list[ActivityPhotoOut], **STAFF_ERRORS}, summary="活动照片"
)
def activity_photos(request, activity_id: int):
    activity = selectors.activity_get(actor=request.actor, pk=activity_id)
    return list(selectors.activity_photos(actor=request.actor, activity=activity))


@ledger_router.post(
    "/activities/{int:activity_id}/photos",
    response={201: ActivityPhotoOut, 400: FieldErrorOut, **STAFF_ERRORS},
    summary="上传活动照片",
)
def activity_photo_add(request, activity_id: int, image: File[UploadedFile], caption: Form[str] = ""):
    """JPEG, PNG or WebP up to YIZHAN_PHOTO_MAX_BYTES, re-encoded as JPEG without EXIF."""
    activity = selectors.activity_get(actor=request.actor, pk=activity_id, action=Action.UPDATE)
    limit = settings.YIZHAN_PHOTO_MAX_BYTES
    if image.size > limit:
        raise ApplicationError(photos.PHOTO_TOO_LARGE.format(limit=limit // (1024 * 1024)), field="image")
    photo = services.activity_photo_add(actor=request.actor, activity=activity, data=image.read(), caption=caption)
    return Status(201, photo)
