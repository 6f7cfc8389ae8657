"""/api/v1/targets: signed in. Thin: each endpoint calls one service or selector. Targets of units
outside the actor's subtree do not exist for it (404); a unit admin sets targets for the units
below its own only (403 on its own unit)."""

from __future__ import annotations

from ninja import Query, Router, Schema, Status
from pydantic import Field

from yizhan.core.errors import NotFoundError
from yizhan.core.roles import Action
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, require
from yizhan.orgs.models import Unit
from yizhan.targets import selectors, services
from yizhan.targets.metrics import all_metrics
from yizhan.targets.models import ReportedFigure, Target
from yizhan.targets.progress import as_decimal
from yizhan.targets.schemas import (
    ErrorOut,
    FieldErrorOut,
    FigureIn,
    FigureOut,
    MetricOut,
    TargetBulkIn,
    TargetIn,
    TargetOut,
    TargetUpdateIn,
)

router = Router(tags=["targets"])
ERRORS = {403: ErrorOut, 404: ErrorOut}


def _text(value, places: str = "0.01") -> str | None:
    return None if value is None else f"{as_decimal(value, places).normalize():f}"


def _out(row: selectors.TargetProgress) -> dict:
    target, p = row.target, row.progress
    progress = None
    if p is not None:
        f = p.forecast
        progress = {
            "as_of": p.as_of,
            "achieved": _text(p.achieved),
            "ratio": None if p.ratio is None else f"{p.ratio.numerator}/{p.ratio.denominator}",
            "percent": None if p.percent is None else f"{p.percent}",
            "status": p.status,
            "past_due": p.past_due,
            "forecast": None
            if f is None
            else {
                "window_start": f.window_start,
                "start_value": _text(f.start_value),
                "rate_per_day": _text(f.rate_per_day, "0.0001"),
                "at_due": _text(f.at_due),
                "reached_on": f.reached_on,
            },
        }
    return {
        "id": target.pk,
        "unit_id": target.unit_id,
        "unit_name": target.unit.name,
        "metric": target.metric,
        "metric_label": str(row.metric.label) if row.metric else target.metric,
        "value": _text(target.value),
        "start_on": target.start_on,
        "due_on": target.due_on,
        "basis": target.basis,
        "set_by": target.set_by,
        "progress": progress,
    }


def _unit(actor, unit_id: int) -> Unit:
    unit = Unit.objects.restrict(actor).filter(pk=unit_id).first()
    if unit is None:
        raise NotFoundError(str(OUT_OF_SCOPE_MESSAGE))
    return unit


class TargetFilters(Schema):
    unit_id: int | None = Field(None, ge=1, le=2**31 - 1, description="单位")
    metric: str = Field("", max_length=40, description="指标代码")
    status: str = Field("", max_length=10, description="met、on_track、behind、unknown")
    year: int | None = Field(None, ge=1900, le=2200, description="到期年度")


@router.get("/metrics", response={200: list[MetricOut], **ERRORS}, summary="可设定目标的指标")
def metric_list(request):
    require(request.actor, Action.VIEW, Target)
    return [{"code": m.code, "label": str(m.label), "share": m.share, "reported": m.reported} for m in all_metrics()]


@router.get("", response={200: list[TargetOut], **ERRORS}, summary="目标任务及进度")
def target_list(request, filters: Query[TargetFilters]):
    require(request.actor, Action.VIEW, Target)
    rows = selectors.progress_list(actor=request.actor, **filters.dict())
    return [_out(row) for row in rows]


@router.post("", response={201: TargetOut, 400: FieldErrorOut, **ERRORS}, summary="设定目标任务")
def target_create(request, payload: TargetIn):
    """Refused: a unit outside the actor's subtree (404), a unit admin's own unit (403), a value ≤ 0,
    a count with decimals, a share above 100 %, a due date before the start (400)."""
    require(request.actor, Action.CREATE, Target)
    data = payload.dict()
    unit = _unit(request.actor, data.pop("unit_id"))
    target = services.target_create(actor=request.actor, unit=unit, **data)
    return Status(201, _out(selectors.progress_of(target)))


@router.post("/bulk", response={201: list[TargetOut], 400: FieldErrorOut, **ERRORS}, summary="批量设定目标任务")
def target_bulk_create(request, payload: TargetBulkIn):
    require(request.actor, Action.CREATE, Target)
    data = payload.dict()
    units = [_unit(request.actor, pk) for pk in dict.fromkeys(data.pop("unit_ids"))]
    created = services.target_bulk_create(actor=request.actor, units=units, **data)
    return Status(201, [_out(selectors.progress_of(t)) for t in created])


@router.get("/figures", response={200: list[FigureOut], **ERRORS}, summary="填报数")
def figure_list(request, unit_id: int | None = Query(None, ge=1, le=2**31 - 1), metric: str = Query("", max_length=40)):
    require(request.actor, Action.VIEW, ReportedFigure)
    return [_figure_out(f) for f in selectors.figure_list(actor=request.actor, unit_id=unit_id, metric=metric)[:500]]


def _figure_out(figure: ReportedFigure) -> dict:
    return {
        "id": figure.pk,
        "unit_id": figure.unit_id,
        "metric": figure.metric,
        "value": _text(figure.value),
        "as_of": figure.as_of,
        "source": figure.source,
        "recorded_by": figure.recorded_by,
    }


@router.post("/figures", response={201: FigureOut, 400: FieldErrorOut, **ERRORS}, summary="填报系统无法统计的数值")
def figure_report(request, payload: FigureIn):
    require(request.actor, Action.CREATE, ReportedFigure)
    data = payload.dict()
    unit = _unit(request.actor, data.pop("unit_id"))
    figure = services.figure_report(actor=request.actor, unit=unit, today=selectors.today(), **data)
    return Status(201, _figure_out(figure))


@router.get("/{int:target_id}", response={200: TargetOut, **ERRORS}, summary="目标任务详情及进度、预测")
def target_detail(request, target_id: int):
    return _out(selectors.progress_of(selectors.target_get(actor=request.actor, pk=target_id)))


@router.put("/{int:target_id}", response={200: TargetOut, 400: FieldErrorOut, **ERRORS}, summary="修改目标任务")
def target_update(request, target_id: int, payload: TargetUpdateIn):
    target = selectors.target_get(actor=request.actor, pk=target_id, action=Action.UPDATE)
    target = services.target_update(actor=request.actor, target=target, **payload.dict())
    return _out(selectors.progress_of(target))


@router.delete("/{int:target_id}", response={204: None, **ERRORS}, summary="删除目标任务")
def target_delete(request, target_id: int):
    target = selectors.target_get(actor=request.actor, pk=target_id, action=Action.DELETE)
    services.target_delete(actor=request.actor, target=target)
    return Status(204, None)
