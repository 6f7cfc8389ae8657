"""CSV files laid out for batch marking of positions on Amap (GCJ-02) and on Baidu (BD-09).

What the layouts are based on (found with the project's reference search; neither platform publishes
a versioned file specification, so re-check against the tool's current template before a large
upload):

- Amap: the point-layer upload of 高德企业智图 ("点位上图"), whose "经纬度模板" takes a header row of
  field names with the system fields 名称, 经度, 纬度 first and any custom fields after them (its
  "地址模板" uses 名称, 地址 instead). Amap's coordinates are GCJ-02 — our canonical store — so
  points are written unconverted.
- Baidu: the POI fields of Baidu LBS cloud storage (lbsyun.baidu.com, "lbscloud/api/geodata":
  title, address, longitude, latitude, coord_type, tags; custom columns are keys matching
  [a-zA-Z][0-9a-zA-Z_]*). coord_type 3 declares Baidu longitude/latitude (bd09ll), so points are
  converted GCJ-02 → BD-09 with `crs.gcj02_to_bd09` (spec §10); the same page warns that Baidu
  otherwise assumes BD-09 for every input.

Both files are UTF-8 with a byte-order mark, so Excel (which Chinese staff use to check the file
before uploading) opens the Chinese text correctly, and every text cell goes through
`core.exports.safe_cell` (spec §11: no cell may start a formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from yizhan.core.exports import safe_cell
from yizhan.core.geo.crs import CRS
from yizhan.positions.exports.common import point_in, public_properties
from yizhan.positions.models import Position

AMAP_HEADERS = ["名称", "经度", "纬度", "地址", "电话", "类型", "状态", "开放时间", "编号"]
BAIDU_HEADERS = ["title", "address", "longitude", "latitude", "coord_type", "tags", "code", "phone", "hours", "state"]
BAIDU_COORD_TYPE_BD09LL = 3


def _csv_bytes(headers: list[str], rows: Iterable[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def render_amap(positions: Iterable[Position]) -> bytes:
    def rows():
        for position in positions:
            props = public_properties(position)
            lng, lat = point_in(position, CRS.GCJ02)
            yield [
                props["name"],
                lng,
                lat,
                props["address"],
                props["public_phone"],
                props["kind_label"],
                props["state_label"],
                props["hours"],
                props["code"],
            ]

    return _csv_bytes(AMAP_HEADERS, rows())


def render_baidu(positions: Iterable[Position]) -> bytes:
    def rows():
        for position in positions:
            props = public_properties(position)
            lng, lat = point_in(position, CRS.BD09)
            yield [
                props["name"],
                props["address"],
                lng,
                lat,
                BAIDU_COORD_TYPE_BD09LL,
                props["kind_label"],
                props["code"],
                props["public_phone"],
                props["hours"],
                props["state_label"],
            ]

    return _csv_bytes(BAIDU_HEADERS, rows())
