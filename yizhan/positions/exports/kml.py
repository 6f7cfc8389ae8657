"""KML 2.2 (OGC 07-147r2) of positions: one Placemark per position, Point in WGS-84 "lng,lat".

KML's coordinates are WGS-84 by definition (§6.2 of the standard), so stored GCJ-02 points are
converted. Built with ElementTree, which escapes names and text (a name with "<" or "&" stays text).
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.etree import ElementTree as ET

from yizhan.core.geo.crs import CRS
from yizhan.positions.exports.common import point_in, public_properties
from yizhan.positions.models import Position

KML_NS = "http://www.opengis.net/kml/2.2"
DOCUMENT_NAME = "工会服务阵地"
# ExtendedData fields, in order, with their Chinese display names.
FIELDS = [
    ("code", "编号"),
    ("kind_label", "类型"),
    ("state_label", "状态"),
    ("address", "地址"),
    ("hours", "开放时间"),
    ("facilities", "设施"),
    ("public_phone", "联系电话"),
    ("unit", "所属单位"),
]


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _value(value) -> str:
    return "、".join(value) if isinstance(value, list) else str(value)


def render(positions: Iterable[Position]) -> bytes:
    ET.register_namespace("", KML_NS)
    kml = ET.Element(f"{{{KML_NS}}}kml")
    document = ET.SubElement(kml, f"{{{KML_NS}}}Document")
    _text(document, f"{{{KML_NS}}}name", DOCUMENT_NAME)
    for position in positions:
        props = public_properties(position)
        placemark = ET.SubElement(document, f"{{{KML_NS}}}Placemark", id=f"position-{position.code}")
        _text(placemark, f"{{{KML_NS}}}name", props["name"])
        lines = [f"{label}：{_value(props[key])}" for key, label in FIELDS[3:] if props[key]]
        _text(placemark, f"{{{KML_NS}}}description", "\n".join(lines))
        extended = ET.SubElement(placemark, f"{{{KML_NS}}}ExtendedData")
        for key, label in FIELDS:
            data = ET.SubElement(extended, f"{{{KML_NS}}}Data", name=key)
            _text(data, f"{{{KML_NS}}}displayName", label)
            _text(data, f"{{{KML_NS}}}value", _value(props[key]))
        point = ET.SubElement(placemark, f"{{{KML_NS}}}Point")
        lng, lat = point_in(position, CRS.WGS84)
        _text(point, f"{{{KML_NS}}}coordinates", f"{lng},{lat}")
    return ET.tostring(kml, encoding="utf-8", xml_declaration=True)
