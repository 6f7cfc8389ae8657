"""/api/v1/map-marking: the difference to upload to Amap or Baidu and the record of a marking
(issue 20 §4), for the unit admins, signed in. Thin: services and selectors."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Action
from yizhan.core.scoping import require
from yizhan.publishing import marking, selectors
from yizhan.publishing.api_partners import unit_by_code
from yizhan.publishing.choices import MapPlatform
from yizhan.publishing.models import MapMarking
from yizhan.publishing.schemas import ErrorOut

router = Router(tags=["map-marking"])

BAD_PLATFORM = _("地图平台只能是 amap 或 baidu")


class MarkingIn(Schema):
    unit: str = Field(..., description="单位代码：标注该单位及其下级单位的阵地")
    digest: str = Field(
        "", description="所上传差异文件的摘要（下载时响应头 X-Difference-Digest）；给出时差异已变则拒绝（409）"
    )


class MarkingOut(Schema):
    id: int
    unit: str
    platform: str
    marked_by: str
    marked_at: datetime
    rows: int
    counts: dict
    codes: list[str]


def _platform(value: str) -> str:
    if value not in MapPlatform.values:
        raise ApplicationError(BAD_PLATFORM, field="platform")
    return value


def marking_out(m: MapMarking) -> dict:
    return {
        "id": m.pk,
        "unit": m.unit.code,
        "platform": m.platform,
        "marked_by": m.marked_by,
        "marked_at": m.marked_at,
        "rows": m.rows,
        "counts": m.counts,
        "codes": m.codes,
    }


@router.get(
    "/{platform}/difference",
    summary="自上次标注以来的变更（平台批量标注 CSV）",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "平台批量标注格式的 CSV（UTF-8 带 BOM），末列为变更类型",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def difference(request: HttpRequest, platform: str, unit: str):
    """New, moved (> 20 m), renamed and closed positions of the unit's subtree since the last
    marking on the platform, in its batch layout; headers X-Difference-Digest and -Rows."""
    platform = _platform(platform)
    require(request.actor, Action.EXPORT, MapMarking)
    found = marking.marking_difference_export(
        actor=request.actor, unit=unit_by_code(request.actor, unit), platform=platform
    )
    response = HttpResponse(found.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    response["X-Difference-Digest"] = found.digest
    response["X-Difference-Rows"] = str(found.rows)
    return response


@router.post("/{platform}/markings", response={201: MarkingOut, 409: ErrorOut}, summary="记录已完成的标注")
def marking_record(request: HttpRequest, platform: str, payload: MarkingIn):
    platform = _platform(platform)
    require(request.actor, Action.CREATE, MapMarking)
    recorded = marking.map_marking_record(
        actor=request.actor,
        unit=unit_by_code(request.actor, payload.unit),
        platform=platform,
        expected_digest=payload.digest,
    )
    return Status(201, marking_out(recorded))


@router.get("/markings", response=list[MarkingOut], summary="标注记录")
def marking_list(request: HttpRequest):
    return [marking_out(m) for m in selectors.map_marking_list(actor=request.actor)[:200]]
