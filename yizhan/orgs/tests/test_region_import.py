"""Region import (issue 2 §3): the real Dalian file, idempotent re-import, all-or-nothing refusal of bad
files with each problem named by feature index and reason, and the command-line entry points."""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from yizhan import cli
from yizhan.core.errors import ApplicationError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.orgs.choices import RegionLevel
from yizhan.orgs.imports import regions as importer
from yizhan.orgs.imports.regions import RegionImportError, region_import
from yizhan.orgs.models import Region

DALIAN_FILE = Path(importer.__file__).resolve().parent.parent / "data" / "boundaries" / "210200.geojson"
DALIAN_DISTRICTS = {
    "210202", "210203", "210204", "210211", "210212", "210213", "210214", "210224", "210281", "210283"
}  # fmt: skip


@pytest.fixture
def small_file() -> dict:
    """A city and its ten districts as small squares: many good features, quick to import."""
    features = [feature("210200", "大连市", "city", square(121.0, 38.7, size=2.0))]
    for n, adcode in enumerate(sorted(DALIAN_DISTRICTS)):
        features.append(feature(adcode, f"区{n}", "district", square(121.1 + n * 0.1, 38.8)))
    return {"type": "FeatureCollection", "features": features}


def write(tmp_path, data, name="areas.geojson") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def square(lng=121.6, lat=38.9, size=0.01) -> dict:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(adcode, name, level, geometry) -> dict:
    properties = {"adcode": adcode, "name": name, "level": level, "province": "辽宁省"}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def rows() -> list[tuple]:
    return list(
        Region.objects.order_by("adcode").values_list(
            "pk", "adcode", "name", "level", "parent_id", "boundary", "min_lng", "min_lat", "max_lng", "max_lat"
        )
    )


# --- the real file ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_real_file_imports_the_city_and_its_districts_and_reimport_changes_nothing():
    result = region_import(DALIAN_FILE)

    assert (result.created, result.updated, result.unchanged) == (11, 0, 0)
    assert Region.objects.count() == 12
    province = Region.objects.get(adcode="210000")
    assert (province.level, province.name, province.parent, province.boundary) == (
        RegionLevel.PROVINCE,
        "辽宁省",
        None,
        None,
    )
    city = Region.objects.get(adcode="210200")
    assert (city.name, city.level, city.parent) == ("大连市", RegionLevel.CITY, province)
    districts = Region.objects.filter(level=RegionLevel.DISTRICT)
    assert set(districts.values_list("adcode", flat=True)) == DALIAN_DISTRICTS
    assert set(districts.values_list("parent__adcode", flat=True)) == {"210200"}
    assert Region.objects.get(adcode="210202").name == "中山区"
    for region in Region.objects.exclude(adcode="210000"):
        assert region.boundary["type"] in {"Polygon", "MultiPolygon"}
        # Dalian lies around 120.9–123.5 E, 38.7–40.2 N (GCJ-02).
        assert 120.5 < region.min_lng < region.max_lng < 124 and 38.5 < region.min_lat < region.max_lat < 40.5
        assert city.min_lng <= region.min_lng and region.max_lng <= city.max_lng
    entries = AuditEntry.objects.filter(action=AuditAction.IMPORT, object_type="orgs.region")
    assert entries.count() == 12
    assert {e.after["adcode"] for e in entries} == DALIAN_DISTRICTS | {"210000", "210200"}

    # Re-importing the same file: no row changes, no new audit entries.
    before, entry_count = rows(), AuditEntry.objects.count()
    again = region_import(DALIAN_FILE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 11)
    assert rows() == before
    assert AuditEntry.objects.count() == entry_count


@pytest.mark.django_db
def test_reimport_updates_a_changed_area(tmp_path, small_file):
    region_import(write(tmp_path, small_file))
    data = copy.deepcopy(small_file)
    data["features"][1]["properties"]["name"] = "中山区（新）"

    result = region_import(write(tmp_path, data, name="changed.geojson"))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 10)
    assert Region.objects.get(adcode="210202").name == "中山区（新）"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.after) == (AuditAction.UPDATE, {"adcode": "210202", "changed": ["name"]})


@pytest.mark.django_db
def test_reimport_puts_a_misplaced_area_back_under_its_parent(tmp_path, small_file):
    path = write(tmp_path, small_file)
    region_import(path)
    Region.objects.filter(adcode="210202").update(parent=Region.objects.get(adcode="210000"))

    result = region_import(path)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 10)
    assert Region.objects.get(adcode="210202").parent.adcode == "210200"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.after == {"adcode": "210202", "changed": ["parent"]}


# --- bad files: a clear error, nothing loaded ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", importer.NOT_GEOJSON.split("{")[0]),
        ("[]", importer.NOT_COLLECTION),
        (json.dumps({"type": "Feature", "features": []}), importer.NOT_COLLECTION),
        (json.dumps({"type": "FeatureCollection", "features": {}}), importer.NOT_COLLECTION),
        (json.dumps({"type": "FeatureCollection"}), importer.NOT_COLLECTION),
        (json.dumps({"type": "FeatureCollection", "features": []}), importer.NO_FEATURES),
    ],
    ids=["not-json", "array", "not-a-collection", "features-not-a-list", "no-features", "empty-features"],
)
def test_bad_file_is_refused_as_a_whole(tmp_path, content, message):
    with pytest.raises(ApplicationError) as error:
        region_import(write(tmp_path, content))
    assert error.value.message.startswith(str(message))
    assert Region.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def bad_adcode(f):
    f["properties"]["adcode"] = "21020X"


def no_name(f):
    del f["properties"]["name"]


def blank_name(f):
    f["properties"]["name"] = "  "


def unknown_level(f):
    f["properties"]["level"] = "town"


def district_with_city_code(f):
    f["properties"].update(level="district", adcode="210300")


def city_with_district_code(f):
    f["properties"].update(level="city", adcode="210399")


def province_with_city_code(f):
    f["properties"].update(level="province", adcode="210300")


def point(f):
    f["geometry"] = {"type": "Point", "coordinates": [121.6, 38.9]}


def no_geometry(f):
    f["geometry"] = None


def out_of_range(f):
    f["geometry"] = square(lng=181.0)


def latitude_out_of_range(f):
    f["geometry"] = square(lat=91.0)


def text_coordinates(f):
    f["geometry"] = {"type": "Polygon", "coordinates": [[["121.6", "38.9"], ["121.7", "38.9"], ["121.7", "39.0"]]]}


def half_text_coordinates(f):
    ring = square()["coordinates"][0]
    ring[2] = [121.61, "39.0"]
    f["geometry"] = {"type": "Polygon", "coordinates": [ring]}


def boolean_coordinates(f):
    ring = square()["coordinates"][0]
    ring[1] = [True, 38.9]
    f["geometry"] = {"type": "Polygon", "coordinates": [ring]}


def nan_coordinates(f):
    ring = square()["coordinates"][0]
    ring[1] = [float("nan"), 38.9]
    f["geometry"] = {"type": "Polygon", "coordinates": [ring]}


def empty_coordinates(f):
    f["geometry"] = {"type": "Polygon", "coordinates": []}


def not_a_feature(f):
    f["type"] = "Geometry"


FEATURE_PROBLEMS = [
    (bad_adcode, ["adcode", "21020X", "6 位数字"]),
    (no_name, ["缺少 name"]),
    (blank_name, ["缺少 name"]),
    (unknown_level, ["level", "town"]),
    (district_with_city_code, ["县级", "210300"]),
    (city_with_district_code, ["地级", "210399"]),
    (province_with_city_code, ["省级", "210300"]),
    (point, ["Polygon", "Point"]),
    (no_geometry, ["Polygon", "None"]),
    (out_of_range, ["超出经纬度范围", "181"]),
    (latitude_out_of_range, ["超出经纬度范围", "91"]),
    (text_coordinates, ["坐标"]),
    (half_text_coordinates, ["坐标不是数字对"]),
    (boolean_coordinates, ["坐标不是数字对"]),
    (nan_coordinates, ["超出经纬度范围", "nan"]),
    (empty_coordinates, ["坐标为空"]),
    (not_a_feature, ["不是 GeoJSON Feature"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize("index", [0, 6, 10])
@pytest.mark.parametrize("spoil, words", FEATURE_PROBLEMS, ids=[spoil.__name__ for spoil, _ in FEATURE_PROBLEMS])
def test_one_bad_feature_among_good_ones_loads_nothing(tmp_path, small_file, spoil, words, index):
    data = copy.deepcopy(small_file)
    spoil(data["features"][index])

    with pytest.raises(RegionImportError) as error:
        region_import(write(tmp_path, data))

    problems = error.value.problems
    assert len(problems) >= 1
    assert {p.index for p in problems} == {index}
    text = " ".join(str(p) for p in problems)
    assert str(problems[0]).startswith(f"第 {index} 个要素：")
    for word in words:
        assert word in text, (word, text)
    assert error.value.message == importer.FILE_REFUSED.format(count=len(problems))
    assert error.value.extra["problems"] == [str(p) for p in problems]
    assert Region.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_bad_file_leaves_existing_areas_untouched(tmp_path, small_file):
    region_import(write(tmp_path, small_file))
    before, entries = rows(), AuditEntry.objects.count()
    data = copy.deepcopy(small_file)
    for item in data["features"]:
        item["properties"]["name"] += "（改）"
    data["features"].append(feature("210299", "新区", "district", square()))
    data["features"][-1]["geometry"]["coordinates"][0][1] = [500, 38.9]

    with pytest.raises(RegionImportError) as error:
        region_import(write(tmp_path, data, name="bad.geojson"))

    assert [p.index for p in error.value.problems] == [11]
    assert rows() == before
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_duplicate_adcode_names_both_features(tmp_path, small_file):
    data = copy.deepcopy(small_file)
    data["features"][5]["properties"]["adcode"] = "210202"

    with pytest.raises(RegionImportError) as error:
        region_import(write(tmp_path, data))

    [problem] = error.value.problems
    assert problem.index == 5
    assert "210202" in problem.reason and "第 1 个要素" in problem.reason and "重复" in problem.reason
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_every_problem_is_listed(tmp_path, small_file):
    data = copy.deepcopy(small_file)
    bad_adcode(data["features"][2])
    point(data["features"][4])
    no_name(data["features"][9])

    with pytest.raises(RegionImportError) as error:
        region_import(write(tmp_path, data))

    assert [p.index for p in error.value.problems] == [2, 4, 9]
    assert error.value.message == importer.FILE_REFUSED.format(count=3)
    assert Region.objects.count() == 0


# --- command line --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_imports_the_file(tmp_path, small_file):
    out = StringIO()
    call_command("import_regions", str(write(tmp_path, small_file)), stdout=out)
    assert Region.objects.count() == 12
    assert "新增 11" in out.getvalue()


@pytest.mark.django_db
def test_command_prints_each_problem_and_fails(tmp_path, small_file):
    data = copy.deepcopy(small_file)
    bad_adcode(data["features"][3])
    point(data["features"][7])
    err = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("import_regions", str(write(tmp_path, data)), stderr=err)

    assert str(error.value) == importer.FILE_REFUSED.format(count=2)
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("第 3 个要素：") and "21020X" in lines[0]
    assert lines[1].startswith("第 7 个要素：") and "Point" in lines[1]
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_command_refuses_a_missing_or_unreadable_file(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("import_regions", str(tmp_path / "missing.geojson"))
    assert "missing.geojson" in str(error.value)
    with pytest.raises(CommandError) as error:
        call_command("import_regions", str(write(tmp_path, "{oops")))
    assert str(error.value).startswith(importer.NOT_GEOJSON.split("{")[0])
    assert Region.objects.count() == 0


@pytest.fixture
def keep_test_connection(monkeypatch):
    """run_from_argv closes every connection when a command ends, which would end the test's
    transaction on PostgreSQL; the command's own work is what is under test."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_test_connection")
def test_yizhan_console_script_takes_the_dashed_name(tmp_path, small_file, capsys):
    path = write(tmp_path, small_file, name="dalian.geojson")

    cli.main(["yizhan", "import-regions", str(path)])

    assert Region.objects.count() == 12
    assert "新增 11" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_test_connection")
def test_yizhan_console_script_exits_non_zero_on_a_bad_file(tmp_path, small_file, capsys):
    data = copy.deepcopy(small_file)
    unknown_level(data["features"][0])

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["yizhan", "import-regions", str(write(tmp_path, data))])

    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "第 0 个要素" in err and "town" in err
    assert importer.FILE_REFUSED.format(count=1) in err
    assert Region.objects.count() == 0
