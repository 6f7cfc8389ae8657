"""A registry imported as it is (issue 14 §4): what a federation's own list holds is kept, with a
warning where it is not what the rules expect, and refused only where it is a real error.

- Names: a station's name that is not an official name (上街区中心路工会驿站(金苑社区党群服务中心旁)) is
  kept as the short (display) name, and the official name composed from it
  (`rules.station_official_name`). Only the import does this; a form still refuses such a name.
- Hours: read in Chinese (`core.hours.read_hours`); what cannot be read is kept as the source text
  with the hours unknown (开放时间待核实, never closed, in the 待核实 list).
- Construction type missing: 待核实 (a stored position keeps the one it has).
- Coordinates a geocoder gave up on: several rows at one point whose addresses, areas or units
  name different districts — the city centre a geocoder falls back to — are named together.

Every function here takes the parsed values of one row (`xlsx._Importer.parse`), or for the points
the whole file's rows, and gives warnings as (field, message); nothing here refuses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from yizhan.core.geo.distance import distance_m
from yizhan.core.hours import HoursReading, hours_unknown
from yizhan.positions import rules
from yizhan.positions.choices import PUBLIC_STATES, ConstructionType, PositionKind
from yizhan.positions.models import Position

NAME_COMPOSED = _("“{name}”不是规范名称：规范名称记为“{official}”，原名称作为简称保留")
NAME_COMPOSED_LONG = _("“{name}”不是规范名称：规范名称记为“{official}”（原名称超过简称的 {limit} 字，未作为简称）")
NAME_COMPOSED_SHORT_GIVEN = _("“{name}”不是规范名称：规范名称记为“{official}”，简称仍为“{short}”")
HOURS_NOT_READ = _("开放时间“{text}”无法识别：照原文保存，显示为“开放时间待核实”，请核实后补录")
HOURS_MISSING = _("未填写开放时间：显示为“开放时间待核实”（不会显示为已关闭），请核实后补录")
CONSTRUCTION_UNKNOWN = _("建设类型未填写：记为“待核实”，请核实后补录")
STARS_IGNORED = _("星级由星级评定写入，导入时忽略“星级”和“评星日期”两列（本行的值未导入）")
# Written only by the rating service (decision 13, ended by issue 16): a registry's star columns are
# read past, with a warning on a row that fills them, never refused.
RATED_FIELDS = frozenset({"star_rating", "star_rated_on"})
SAME_POINT = _(
    "第 {rows} 行的坐标相同（相距不超过 {radius} 米），地址或所属却分属{districts}："
    "疑为地理编码落到了城市中心，请核实这些坐标"
)

SHORT_NAME_LIMIT = Position._meta.get_field("short_name").max_length

Warn = Callable[[str, str], None]


def registry_names(values: dict, warn: Warn) -> None:
    """A station's name that breaks the naming rule (spec §2): the official name composed from it,
    the name itself kept as the short name unless the row gives one (or it is too long for one)."""
    name, kind = values.get("official_name"), values.get("kind")
    if kind != PositionKind.STATION or not isinstance(name, str) or not name.strip():
        return
    if not rules.official_name_problem(kind, rules.normalise_official_name(kind, name)):
        return
    source = " ".join(name.split())
    official = rules.station_official_name(source)
    values["official_name"] = official
    short = (values.get("short_name") or "").strip()
    if short:
        warn("official_name", NAME_COMPOSED_SHORT_GIVEN.format(name=source, official=official, short=short))
    elif len(source) > SHORT_NAME_LIMIT:
        warn("official_name", NAME_COMPOSED_LONG.format(name=source, official=official, limit=SHORT_NAME_LIMIT))
    else:
        values["short_name"] = source
        warn("official_name", NAME_COMPOSED.format(name=source, official=official))


def registry_hours(values: dict, warn: Warn, *, new: bool) -> None:
    """The hours cell as read (`Column.parse` gives a schedule, or a `HoursReading` for round the
    clock, text it could not read, or a reading with caveats) as the service's fields."""
    if "weekly_hours" not in values:
        return
    reading = values["weekly_hours"]
    if isinstance(reading, HoursReading):
        values["weekly_hours"] = {day: [list(span) for span in spans] for day, spans in reading.schedule.items()}
        values["hours_source_text"] = reading.unreadable
        if reading.always_open:
            values["always_open"] = True
        if reading.unreadable:
            warn("weekly_hours", HOURS_NOT_READ.format(text=reading.unreadable))
        for note in reading.notes:
            warn("weekly_hours", note)
        return
    values["hours_source_text"] = ""
    public = values.get("state") in PUBLIC_STATES
    if new and public and hours_unknown(always_open=bool(values.get("always_open")), schedule=reading):
        warn("weekly_hours", HOURS_MISSING)


def registry_construction(values: dict, warn: Warn, *, new: bool) -> None:
    """No construction type: 待核实 for a new position; a stored one keeps its own."""
    given = values.get("construction_type", "")
    if given:
        return
    if new:
        values["construction_type"] = ConstructionType.UNKNOWN
        warn("construction_type", CONSTRUCTION_UNKNOWN)
    else:
        values.pop("construction_type", None)


# — the same point for rows in different districts —

_AREA_END = re.compile(r"[区县市旗]")


def district_names(address: str, names: frozenset[str], longest: int) -> set[str]:
    """The district-level area names (`names`, e.g. 西岗区, 瓦房店市) that `address` mentions: every
    name ending at one of its 区/县/市/旗 characters."""
    found = set()
    for match in _AREA_END.finditer(address or ""):
        end = match.end()
        for length in range(2, min(longest, end) + 1):
            if address[end - length : end] in names:
                found.add(address[end - length : end])
    return found


@dataclass
class SamePoints:
    """The rows' points (GCJ-02) and the districts each row names, collected while a file is
    checked; `clusters` gives the groups of at least `min_rows` rows within `radius_m` of one
    another that name at least two districts between them."""

    min_rows: int
    radius_m: float
    rows: list[tuple[int, float, float, frozenset[str]]] = field(default_factory=list)

    def add(self, row: int, lng: float, lat: float, districts: Iterable[str]) -> None:
        self.rows.append((row, lng, lat, frozenset(districts)))

    def clusters(self) -> list[tuple[list[int], list[str]]]:
        """(rows, districts) of each group, by first row."""
        if self.min_rows < 2 or len(self.rows) < self.min_rows:
            return []
        cell_lat = self.radius_m / 111_000 or 1e-9
        cells: dict[tuple[int, int], list[int]] = {}
        keys = []
        for index, (_row, lng, lat, _districts) in enumerate(self.rows):
            cell_lng = cell_lat / max(math.cos(math.radians(lat)), 0.01)
            key = (math.floor(lat / cell_lat), math.floor(lng / cell_lng))
            keys.append(key)
            cells.setdefault(key, []).append(index)
        parent = list(range(len(self.rows)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for index, (y, x) in enumerate(keys):
            _row, lng, lat, _districts = self.rows[index]
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    for other in cells.get((y + dy, x + dx), ()):
                        if other <= index:
                            continue
                        _r, other_lng, other_lat, _d = self.rows[other]
                        if distance_m(lng, lat, other_lng, other_lat) <= self.radius_m:
                            parent[root(other)] = root(index)
        groups: dict[int, list[int]] = {}
        for index in range(len(self.rows)):
            groups.setdefault(root(index), []).append(index)
        found = []
        for members in groups.values():
            if len(members) < self.min_rows:
                continue
            districts = sorted(set().union(*(self.rows[i][3] for i in members)))
            if len(districts) >= 2:
                found.append((sorted(self.rows[i][0] for i in members), districts))
        return sorted(found)

    def warnings(self) -> list[tuple[int, str]]:
        """(row, message) for every row of every group."""
        result = []
        for rows, districts in self.clusters():
            message = SAME_POINT.format(
                rows="、".join(str(row) for row in rows), radius=f"{self.radius_m:g}", districts="、".join(districts)
            )
            result.extend((row, str(message)) for row in rows)
        return result
