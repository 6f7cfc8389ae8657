"""Exports of the filtered position set (issue 3 §6): xlsx (the import template's columns),
GeoJSON and KML (WGS-84), CSV for batch marking on Amap (GCJ-02) and Baidu (BD-09), and Open
Referral HSDS 3.0 JSON.

`position_export` is the one entry point for the API and the staff page: it reads through the
scoped selector with the EXPORT action (a role without it is refused; positions outside the actor's
scope never appear) and writes one audit entry naming the format and the number of positions.
Only the xlsx carries personal data (the manager's name and phone): masked, or in full for a role
that may reveal them (spec §11), which the audit entry then records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import audit_record
from yizhan.core.errors import PermissionDeniedError
from yizhan.core.models import AuditAction
from yizhan.core.personal_data import REVEAL_REFUSED, revealable_fields
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor
from yizhan.positions import selectors
from yizhan.positions.exports import csv_maps, geojson, hsds, kml, xlsx
from yizhan.positions.models import Position


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    description: str
    extension: str
    content_type: str
    # (positions, exporting actor, personal data in full) → file content.
    render: Callable[[Iterable[Position], Actor, bool], bytes]
    # Whether the format carries personal data (and so may carry it in full).
    personal: bool = False


def _public(render: Callable[[Iterable[Position]], bytes]) -> Callable[[Iterable[Position], Actor, bool], bytes]:
    """A public format's renderer: it carries no personal data, so it is the same for every actor."""
    return lambda positions, actor, full_personal_data: render(positions)


CSV_TYPE = "text/csv; charset=utf-8"
EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat(
            "xlsx",
            _("Excel（导入模板格式）"),
            _(
                "与导入模板相同的列，修改后可重新导入；管理员姓名和电话为打码值（导回时保持不变），管理员可勾选导出完整联系方式"
            ),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx.render,
            personal=True,
        ),
        ExportFormat(
            "geojson",
            _("GeoJSON"),
            _("RFC 7946，WGS-84 坐标，供 GIS 软件和各类应用使用"),
            "geojson",
            "application/geo+json",
            _public(geojson.render),
        ),
        ExportFormat(
            "kml",
            _("KML"),
            _("KML 2.2，WGS-84 坐标，可在奥维、Google 地球等软件中打开"),
            "kml",
            "application/vnd.google-earth.kml+xml",
            _public(kml.render),
        ),
        ExportFormat(
            "csv-amap",
            _("高德地图批量标注 CSV"),
            _("GCJ-02 坐标，列为 名称、经度、纬度 及附加字段"),
            "csv",
            CSV_TYPE,
            _public(csv_maps.render_amap),
        ),
        ExportFormat(
            "csv-baidu",
            _("百度地图批量标注 CSV"),
            _("BD-09 坐标（coord_type=3），列为 title、address、longitude、latitude 等"),
            "csv",
            CSV_TYPE,
            _public(csv_maps.render_baidu),
        ),
        ExportFormat(
            "hsds",
            _("Open Referral HSDS 3.0"),
            _("服务目录交换格式（机构、地点、服务、开放时间、电话），JSON"),
            "json",
            "application/json",
            _public(hsds.render),
        ),
    )
}
EXPORT_REPR = "服务阵地导出（{format}）{count} 条"


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str
    count: int


def position_export(
    *, actor: Actor, filters: selectors.PositionFilters, format_key: str, full_personal_data: bool = False
) -> ExportFile:
    """The positions in the actor's scope matching `filters`, rendered in `format_key` (a key of
    EXPORT_FORMATS), with one EXPORT audit entry (spec §11). With `full_personal_data` a format
    carrying personal data has it in full: refused to a role that may not reveal it, and the audit
    entry names the revealed fields."""
    export_format = EXPORT_FORMATS[format_key]
    full_personal_data = full_personal_data and export_format.personal
    revealed = revealable_fields(actor, Position) if full_personal_data else []
    if full_personal_data and not revealed:
        raise PermissionDeniedError(REVEAL_REFUSED)
    positions = list(
        selectors.position_list(actor=actor, filters=filters, action=Action.EXPORT)
        .select_related("parent_centre", "region__parent__parent")
        .defer("region__parent__boundary", "region__parent__parent__boundary")
    )
    content = export_format.render(positions, actor, full_personal_data)
    after = {"format": format_key, "count": len(positions), "filters": asdict(filters)}
    if revealed:
        after["revealed"] = revealed
    audit_record(
        action=AuditAction.EXPORT,
        object_type=Position._meta.label_lower,
        object_repr=EXPORT_REPR.format(format=format_key, count=len(positions)),
        unit_path=actor.unit.path,
        unit_name=actor.unit.name,
        after=after,
    )
    stamp = timezone.localdate().isoformat()
    return ExportFile(
        content=content,
        content_type=export_format.content_type,
        filename=f"positions-{stamp}.{export_format.extension}",
        count=len(positions),
    )
