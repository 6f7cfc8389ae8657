"""Exports of the filtered position set (issue 3 §6): each format checked against its standard,
scope, audit and filters."""

import csv
import io
import json
import uuid
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from openpyxl import load_workbook
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from yizhan.core.geo.crs import gcj02_to_bd09, gcj02_to_wgs84
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.core.testing.shared import assert_same_as_shared, require_shared, shared_path
from yizhan.positions import spreadsheet
from yizhan.positions.choices import CentreLevel, ConstructionType, PositionKind, PositionState
from yizhan.positions.exports import common, csv_maps, hsds
from yizhan.positions.exports.kml import KML_NS
from yizhan.positions.imports.xlsx import positions_import
from yizhan.positions.models import Position
from yizhan.positions.tests.conftest import XIGANG

pytestmark = pytest.mark.django_db

URL = "/api/v1/positions/export"
HSDS = Path(__file__).resolve().parents[1] / "data" / "hsds"
FORMULA_NAME = '=HYPERLINK("http://x")职工服务中心'
WEEKDAYS_6_TO_22 = {d: [["06:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def positions(dalian_map, make_position):
    """Two positions of 中山区 (one with a formula-like name and hours) and one of 西岗区."""
    return {
        "a": make_position(
            code="ZS-001",
            official_name="工会户外劳动者服务站点·青泥洼桥",
            facilities=["drinking_water", "microwave"],
            weekly_hours={**WEEKDAYS_6_TO_22, "sat": [["20:00", "06:00"]]},
            public_phone="0411-82345678",
            manager_name="张三",
            manager_phone="13812345678",
            state=PositionState.OPERATING,
        ),
        "b": make_position(
            code="ZS-002",
            kind=PositionKind.CENTRE,
            centre_level=CentreLevel.DISTRICT,
            construction_type=ConstructionType.UNION_CENTRE,
            official_name=FORMULA_NAME,
            short_name="+危险<&>",
            always_open=True,
        ),
        "xg": make_position(
            unit=dalian_map["xg"],
            code="XG-001",
            official_name="工会户外劳动者服务站点·八一路",
            lng=XIGANG[0],
            lat=XIGANG[1],
        ),
    }


@pytest.fixture
def zs_client(dalian_map, make_user, login):
    return login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))


def export(client, fmt, **params):
    response = client.get(URL, {"format": fmt, **params})
    assert response.status_code == 200, response.content
    return response


# --------------------------------------------------------------------------- GeoJSON


def test_geojson_is_rfc7946_in_wgs84_lng_lat_order(positions, zs_client):
    response = export(zs_client, "geojson")
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection" and "crs" not in body
    features = {f["properties"]["code"]: f for f in body["features"]}
    assert set(features) == {"ZS-001", "ZS-002"}
    for code, feature in features.items():
        position = next(p for p in positions.values() if p.code == code)
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lng, lat = feature["geometry"]["coordinates"]
        expected = gcj02_to_wgs84(position.lng, position.lat)
        assert (lng, lat) == pytest.approx(expected, abs=1e-7)
        assert (lng, lat) != pytest.approx((position.lng, position.lat), abs=1e-4)  # really converted
        assert -180 <= lng <= 180 and -90 <= lat <= 90
    props = features["ZS-001"]["properties"]
    assert props["name"] == "工会户外劳动者服务站点·青泥洼桥"
    assert props["facilities"] == ["饮用水", "微波炉"]
    assert props["hours"] == "周一至周五 06:00-22:00；周六 20:00-06:00"
    assert props["public_phone"] == "0411-82345678"
    assert features["ZS-002"]["properties"]["hours"] == "24 小时开放"


def test_public_formats_never_carry_the_manager(positions, zs_client):
    for fmt in ("geojson", "kml", "csv-amap", "csv-baidu", "hsds"):
        text = export(zs_client, fmt).content.decode("utf-8-sig")
        assert "张三" not in text and "13812345678" not in text, fmt


# --------------------------------------------------------------------------- KML


def test_kml_parses_with_one_placemark_per_position_in_wgs84(positions, zs_client):
    response = export(zs_client, "kml")
    root = ET.fromstring(response.content)
    ns = {"k": KML_NS}
    assert root.tag == f"{{{KML_NS}}}kml"
    placemarks = root.findall("k:Document/k:Placemark", ns)
    assert len(placemarks) == 2
    by_name = {p.findtext("k:name", namespaces=ns): p for p in placemarks}
    assert FORMULA_NAME in by_name  # escaped by the XML writer, read back intact
    point = by_name["工会户外劳动者服务站点·青泥洼桥"].findtext("k:Point/k:coordinates", namespaces=ns)
    lng, lat = (float(v) for v in point.split(","))
    assert (lng, lat) == pytest.approx(gcj02_to_wgs84(positions["a"].lng, positions["a"].lat), abs=1e-7)
    assert b"<&>" not in response.content


# --------------------------------------------------------------------------- CSV


def read_csv(response):
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese text right
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_amap_csv_has_its_headers_and_gcj02_points(positions, zs_client):
    rows = read_csv(export(zs_client, "csv-amap"))
    assert rows[0] == csv_maps.AMAP_HEADERS
    row = next(r for r in rows[1:] if r[8] == "ZS-001")
    assert (float(row[1]), float(row[2])) == pytest.approx((positions["a"].lng, positions["a"].lat), abs=1e-7)


def test_baidu_csv_has_its_headers_and_bd09_points(positions, zs_client):
    rows = read_csv(export(zs_client, "csv-baidu"))
    assert rows[0] == csv_maps.BAIDU_HEADERS
    row = next(r for r in rows[1:] if r[6] == "ZS-001")
    expected = gcj02_to_bd09(positions["a"].lng, positions["a"].lat)
    assert (float(row[2]), float(row[3])) == pytest.approx(expected, abs=1e-7)
    assert row[4] == "3"


@pytest.mark.parametrize(("fmt", "name_column"), [("csv-amap", 0), ("csv-baidu", 0)])
def test_csv_escapes_formula_cells(positions, zs_client, fmt, name_column):
    rows = read_csv(export(zs_client, fmt))
    names = [r[name_column] for r in rows[1:]]
    assert "'" + FORMULA_NAME in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows[1:] for cell in r)


# --------------------------------------------------------------------------- HSDS


HSDS_TABLES = ("organization", "service", "service_at_location", "location", "schedule", "phone")


def hsds_registry() -> Registry:
    """Every shipped HSDS schema, by file name (how their `$ref`s name each other)."""
    return Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012))
        for path in HSDS.glob("*.json")
    )


def hsds_validators():
    registry = hsds_registry()
    return {
        table: Draft202012Validator(
            json.loads((HSDS / f"{table}.json").read_text()), registry=registry, format_checker=FormatChecker()
        )
        for table in HSDS_TABLES
    }


def assert_valid(validator, instance):
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_hsds_validates_against_the_hsds_3_schemas(positions, zs_client, dalian_map):
    validators = hsds_validators()
    body = json.loads(export(zs_client, "hsds").content)
    assert [o["name"] for o in body["organizations"]] == ["中山区总工会"]
    # Flat tables: nothing nested where HSDS's compiled schemas would allow it (data/hsds/README.md).
    assert not any("services" in o for o in body["organizations"])
    assert not any("service" in link for link in body["service_at_locations"])
    for organization in body["organizations"]:
        assert_valid(validators["organization"], organization)
    assert len(body["locations"]) == len(body["services"]) == len(body["service_at_locations"]) == 2
    for location in body["locations"]:
        assert_valid(validators["location"], location)
    for link in body["service_at_locations"]:
        assert_valid(validators["service_at_location"], link)
    schedules, phones = [], []
    for service in body["services"]:
        assert_valid(validators["service"], service)
        schedules += service["schedules"]
        phones += service["phones"]
    for schedule in schedules:
        assert_valid(validators["schedule"], schedule)
    for phone in phones:
        assert_valid(validators["phone"], phone)

    location = next(loc for loc in body["locations"] if loc["external_identifier"] == "ZS-001")
    expected = gcj02_to_wgs84(positions["a"].lng, positions["a"].lat)
    assert (location["longitude"], location["latitude"]) == pytest.approx(expected, abs=1e-7)
    assert location["addresses"][0]["city"] == "大连市"
    service = next(s for s in body["services"] if s["name"] == "工会户外劳动者服务站点·青泥洼桥")
    assert service["status"] == "active"
    assert {(s["byday"], s["opens_at"], s["closes_at"]) for s in service["schedules"]} == {
        ("MO,TU,WE,TH,FR", "06:00+08:00", "22:00+08:00"),
        ("SA", "20:00+08:00", "06:00+08:00"),
    }
    assert [p["number"] for p in service["phones"]] == ["0411-82345678"]
    always = next(s for s in body["services"] if s["alternate_name"] == "+危险<&>")
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in always["schedules"]] == [
        ("MO,TU,WE,TH,FR,SA,SU", "00:00+08:00", "23:59+08:00")
    ]
    # Stable ids: a second export gives the same ones.
    again = json.loads(export(zs_client, "hsds").content)
    assert [s["id"] for s in again["services"]] == [s["id"] for s in body["services"]]


def test_the_shipped_hsds_schemas_are_those_of_shared():
    assert_same_as_shared(HSDS, "data/hsds", "*.json", every_file=False)


# What only describes a field (HSDS's own keys and JSON Schema annotations): left out when comparing
# what two schemas check.
HSDS_ANNOTATIONS = {"name", "title", "description", "path", "datapackage_metadata", "example", "core", "constraints"}


def test_hsds_compiled_schemas_check_what_the_shipped_ones_check():
    """HSDS's compiled schemas (not shipped, data/hsds/README.md) are the per-table ones with every
    `$ref` written out in place, plus the nesting the flat export never uses."""
    compiled = shared_path("data/hsds/compiled")
    require_shared(compiled)
    files = {path.name: json.loads(path.read_text()) for path in HSDS.glob("*.json")}

    def checks(schema, within=()):
        if isinstance(schema, list):
            return [checks(item, within) for item in schema]
        if not isinstance(schema, dict):
            return schema
        if schema.get("$ref") in files:
            assert not schema.keys() - {"$ref"} - HSDS_ANNOTATIONS, schema.keys()
            ref = schema["$ref"]
            return {"$ref": ref} if ref in within else checks(files[ref], (*within, ref))
        return {
            key: {name: checks(field, within) for name, field in value.items()}
            if key == "properties"
            else checks(value, within)
            for key, value in schema.items()
            if key not in HSDS_ANNOTATIONS
        }

    for table, nested in (("organization", "services"), ("service", None), ("service_at_location", "service")):
        theirs = checks(json.loads((compiled / f"{table}.json").read_text()))
        if nested:
            del theirs["properties"][nested]
        assert checks(files[f"{table}.json"], (f"{table}.json",)) == theirs, table


# --------------------------------------------------------------------------- scope, audit, filters


@pytest.mark.parametrize("fmt", ["xlsx", "geojson", "kml", "csv-amap", "csv-baidu", "hsds"])
def test_every_format_writes_one_export_audit_entry(positions, zs_client, fmt):
    before = AuditEntry.objects.filter(action=AuditAction.EXPORT).count()
    export(zs_client, fmt)
    entries = list(AuditEntry.objects.filter(action=AuditAction.EXPORT).order_by("seq"))
    assert len(entries) == before + 1
    entry = entries[-1]
    assert entry.after["format"] == fmt and entry.after["count"] == 2
    assert fmt in entry.object_repr and "2" in entry.object_repr
    assert entry.unit_name == "中山区总工会"


def test_another_districts_positions_never_appear(positions, dalian_map, make_user, login):
    xg_client = login(make_user(Role.UNIT_ADMIN, dalian_map["xg"]))
    body = json.loads(export(xg_client, "geojson").content)
    assert [f["properties"]["code"] for f in body["features"]] == ["XG-001"]
    # Asking for 中山区's unit or area from 西岗区 gives nothing, not 中山区's positions.
    for params in ({"unit": dalian_map["zs"].pk}, {"region": "210202"}):
        assert json.loads(export(xg_client, "geojson", **params).content)["features"] == []
    city_client = login(make_user(Role.FEDERATION_ADMIN, dalian_map["city"]))
    body = json.loads(export(city_client, "geojson").content)
    assert {f["properties"]["code"] for f in body["features"]} == {"ZS-001", "ZS-002", "XG-001"}


@pytest.mark.parametrize("role", [Role.STATION_MANAGER, Role.SOCIAL_ORG])
def test_roles_without_export_are_refused(positions, dalian_map, make_user, login, role):
    client = login(make_user(role, dalian_map["zs"]))
    before = AuditEntry.objects.filter(action=AuditAction.EXPORT).count()
    assert client.get(URL, {"format": "geojson"}).status_code == 403
    assert client.get("/staff/positions/export/", {"format": "geojson"}).status_code == 403
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == before


def test_filters_apply(positions, zs_client):
    def codes(**params):
        body = json.loads(export(zs_client, "geojson", **params).content)
        return [f["properties"]["code"] for f in body["features"]]

    assert codes(state="operating") == ["ZS-001"]
    assert codes(facility=["microwave"]) == ["ZS-001"]
    assert codes(q="ZS-002") == ["ZS-002"]
    assert codes(sort="-code") == ["ZS-002", "ZS-001"]


@pytest.mark.parametrize("params", [{}, {"format": "pdf"}, {"format": "GEOJSON"}])
def test_a_bad_format_is_422(positions, zs_client, params):
    assert zs_client.get(URL, params).status_code == 422


# --------------------------------------------------------------------------- page


def test_export_page_lists_formats_with_the_current_filters(positions, zs_client):
    response = zs_client.get("/staff/positions/export/", {"state": "operating", "page": "2"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "按当前筛选条件，将导出 1 个阵地" in page
    assert "state=operating&amp;format=csv-baidu" in page
    assert "page=2&amp;format" not in page  # the download links drop the list's page
    download = zs_client.get("/staff/positions/export/", {"state": "operating", "format": "geojson"})
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert [f["properties"]["code"] for f in json.loads(download.content)["features"]] == ["ZS-001"]


def test_list_page_links_to_the_export_page_with_its_filters(positions, zs_client):
    page = zs_client.get("/staff/positions/", {"kind": "station"}).content.decode()
    assert 'href="/staff/positions/export/?kind=station"' in page


# --------------------------------------------------------------------------- xlsx


def test_xlsx_has_the_template_columns_and_round_trips_through_the_import(positions, zs_client, zs_admin):
    content = export(zs_client, "xlsx").content
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == spreadsheet.SHEET_TITLE
    assert list(rows[0]) == spreadsheet.HEADERS
    assert sorted(r[0] for r in rows[1:]) == ["ZS-001", "ZS-002"]
    name = spreadsheet.HEADERS.index("规范名称")
    assert "'" + FORMULA_NAME in [r[name] for r in rows[1:]]  # escaped in the file

    def snapshot():
        return {p.code: model_to_dict(p) for p in Position.objects.order_by("code")}

    before = snapshot()
    result = positions_import(actor=zs_admin, file=content)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.total, result.created, result.updated, result.unchanged) == (2, 0, 0, 2)
    assert snapshot() == before


# --------------------------------------------------------------------------- cost at scale


@given(st.lists(st.text(max_size=12), min_size=1, max_size=5))
def test_hsds_ids_are_the_uuid5_of_their_parts(parts):
    assert hsds._id(*parts) == str(uuid.uuid5(hsds.ID_NAMESPACE, ":".join(parts)))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_cached_labels_follow_the_active_language(language):
    with translation.override(language):
        assert common.label(PositionState, PositionState.SUSPENDED) == str(PositionState.SUSPENDED.label)
        assert common.labels_of(PositionState, ["operating", "nonsense"]) == [str(PositionState.OPERATING.label)]
        assert common.label_of(PositionState, "nonsense") is None
    with pytest.raises(ValueError):
        common.label(PositionState, "nonsense")


@pytest.mark.parametrize("fmt", ["hsds", "xlsx", "geojson"])
def test_the_export_reads_no_area_boundary_and_no_row_by_row_queries(positions, zs_client, make_position, fmt):
    with CaptureQueriesContext(connection) as few:
        export(zs_client, fmt)
    for n in range(4):
        make_position(code=f"ZS-1{n}", official_name=f"工会户外劳动者服务站点·{n}")
    with CaptureQueriesContext(connection) as more:
        export(zs_client, fmt)
    assert len(more) == len(few)
    selected = [q["sql"] for q in more if "boundary" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")]
    assert selected == []
