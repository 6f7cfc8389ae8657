"""The classifications Yizhan publishes as HSDS taxonomies (issue 20 §1): the registry's own code
lists, whose terms are the values of the positions' fields (kind, facilities, six services,
served groups). Ids are uuid5 from their names, so they never change."""

from __future__ import annotations

from yizhan.positions.exports import hsds

VERSION = "1"

TAXONOMIES = [
    {
        "id": hsds._id("taxonomy", key),
        "name": name,
        "description": description,
        "version": VERSION,
    }
    for key, name, description in (
        ("position-kind", "阵地类型", "工会户外劳动者服务站点、职工服务中心、工作站（《驿站》领域规范 §2）"),
        ("facility", "设施", "饮水、微波炉、桌椅、风扇或空调、药箱、多孔插座等必备和可选设施"),
        ("service", "六服务", "帮扶救助、劳动保护、法律援助、政策咨询、就业信息、信访代理"),
        ("served-group", "服务对象", "环卫工人、快递员、外卖骑手、出租车和货车司机等户外劳动者"),
    )
]
