"""Custom areas (issue 14 §2): a development zone's own area, uploaded, drawn (in the map's system)
or composed of listed areas; coded X…, below the GB/T area; the unit's area from then on, used by
the positions' inside-its-area check and the finder's place search like any other area."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from shapely.geometry import shape

from yizhan.core.audit import audit_verify
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.geo.crs import from_gcj02
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.finder.places import find_place
from yizhan.orgs import services
from yizhan.orgs.choices import RegionLevel, UnitType
from yizhan.orgs.geo import region_at, region_contains
from yizhan.orgs.imports.regions import region_import_adcode
from yizhan.orgs.models import Region, Unit

pytestmark = pytest.mark.django_db

# A square inside 金水区 (410105), GCJ-02, about 4 km across; and a point well outside it.
INSIDE = (113.70, 34.78)
OUTSIDE = (113.40, 34.60)


def square(lng, lat, size=0.04) -> dict:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


ZONE = square(INSIDE[0] - 0.02, INSIDE[1] - 0.02)


@pytest.fixture
def zhengzhou(db):
    region_import_adcode("410100")
    city = services.federation_create(
        code="ZZ", name="郑州市总工会", type=UnitType.CITY_FEDERATION, region=Region.objects.get(adcode="410100")
    )
    zone = services.federation_create(
        code="ZZ-ZD", name="郑东新区工会", type=UnitType.DEVELOPMENT_ZONE, region=city.region, parent=city
    )
    jinshui = services.federation_create(
        code="ZZ-JS",
        name="金水区总工会",
        type=UnitType.DISTRICT,
        region=Region.objects.get(adcode="410105"),
        parent=city,
    )
    return {"city": city, "zone": zone, "jinshui": jinshui}


@pytest.fixture
def admin(zhengzhou, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, zhengzhou["city"])


def test_an_uploaded_outline_becomes_the_units_area(zhengzhou, admin):
    area = services.custom_area_create(actor=admin, unit=zhengzhou["zone"], name="郑东新区", geometry=ZONE)
    assert (area.adcode, area.level, area.parent.adcode, area.owner) == (
        "X41010001", RegionLevel.CUSTOM, "410100", zhengzhou["zone"]
    )  # fmt: skip
    assert shape(area.boundary).symmetric_difference(shape(ZONE)).area < 1e-10
    assert (area.min_lng, area.max_lat) == pytest.approx((ZONE["coordinates"][0][0][0], ZONE["coordinates"][0][2][1]))
    assert Unit.objects.get(pk=zhengzhou["zone"].pk).region == area
    entry = AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="orgs.region").get()
    assert entry.after["owner"] == "ZZ-ZD" and entry.unit_name == "郑东新区工会"
    assert audit_verify().ok


def test_the_inside_its_area_check_uses_it(zhengzhou, admin):
    area = services.custom_area_create(actor=admin, unit=zhengzhou["zone"], name="郑东新区", geometry=ZONE)
    assert region_contains(Unit.objects.get(pk=zhengzhou["zone"].pk).region_id, *INSIDE) is True
    assert region_contains(area, *OUTSIDE) is False
    # A position's administrative area stays its district: custom areas are not districts.
    assert region_at(*INSIDE).adcode == "410105"


def test_the_finders_place_search_finds_it(zhengzhou, admin):
    services.custom_area_create(actor=admin, unit=zhengzhou["zone"], name="郑东新区", geometry=ZONE)
    for typed in ("郑东新区", "郑东"):
        place = find_place(typed)
        assert place.label == "郑东新区" and place.kind == "region"
        assert shape(ZONE).contains(shape({"type": "Point", "coordinates": [place.lng, place.lat]}))


def test_a_drawing_on_a_wgs84_map_is_stored_in_gcj02(zhengzhou, admin):
    ring = [list(from_gcj02(lng, lat, "wgs84")) for lng, lat in ZONE["coordinates"][0]]
    drawn = json.dumps({"type": "Polygon", "coordinates": [ring]})
    area = services.custom_area_create(
        actor=admin, unit=zhengzhou["zone"], name="郑东新区", geometry=drawn, crs="wgs84"
    )
    assert shape(area.boundary).symmetric_difference(shape(ZONE)).area < 1e-8


def test_a_union_of_listed_areas(zhengzhou, admin):
    area = services.custom_area_create(
        actor=admin, unit=zhengzhou["zone"], name="东区", members=["410105", "410104", "410105"]
    )
    union = shape(Region.objects.get(adcode="410105").boundary).union(
        shape(Region.objects.get(adcode="410104").boundary)
    )
    assert shape(area.boundary).symmetric_difference(union).area < 1e-6
    entry = AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="orgs.region").get()
    assert entry.after["members"] == ["410105", "410104"]


def test_a_collection_of_polygons_is_merged_and_an_invalid_one_repaired(zhengzhou, admin):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[113.6, 34.7], [113.7, 34.8], [113.7, 34.7], [113.6, 34.8], [113.6, 34.7]]],
    }
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": g} for g in (ZONE, bowtie)],
    }
    area = services.custom_area_create(actor=admin, unit=zhengzhou["zone"], name="郑东新区", geometry=collection)
    assert shape(area.boundary).is_valid and shape(area.boundary).buffer(1e-9).contains(shape(ZONE))


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({}, "geometry", "三者选一"),
        ({"geometry": ZONE, "members": ["410105"]}, "geometry", "三者选一"),
        ({"geometry": {"type": "Point", "coordinates": [113.7, 34.7]}}, "geometry", "Point"),
        ({"geometry": "{not json"}, "geometry", "GeoJSON"),
        ({"geometry": square(200, 34.7)}, "geometry", "坐标"),
        ({"geometry": square(113.7, 34.7, size=0.00001)}, "geometry", "太小"),
        ({"geometry": {"type": "FeatureCollection", "features": []}}, "geometry", "为空"),
        ({"members": ["999999"]}, "members", "999999"),
        ({"members": ["410000"]}, "members", "没有边界"),
        ({"geometry": ZONE, "crs": "mars"}, "crs", "mars"),
    ],
)
def test_bad_outlines_are_refused_and_nothing_is_written(zhengzhou, admin, kwargs, field, fragment):
    before = AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as caught:
        services.custom_area_create(actor=admin, unit=zhengzhou["zone"], name="郑东新区", **kwargs)
    assert caught.value.field == field and fragment in caught.value.message
    assert not Region.objects.filter(level=RegionLevel.CUSTOM).exists()
    assert AuditEntry.objects.count() == before


def test_a_name_is_required(zhengzhou, admin):
    with pytest.raises(ApplicationError) as caught:
        services.custom_area_create(actor=admin, unit=zhengzhou["zone"], name=" ", geometry=ZONE)
    assert caught.value.field == "name"


def test_codes_count_up_below_the_same_area(zhengzhou, admin):
    first = services.custom_area_create(actor=admin, unit=zhengzhou["zone"], name="郑东新区", geometry=ZONE)
    second = services.custom_area_create(
        actor=admin, unit=zhengzhou["city"], name="航空港区", geometry=square(113.8, 34.5), assign=False
    )
    assert (first.adcode, second.adcode) == ("X41010001", "X41010002")
    assert Unit.objects.get(pk=zhengzhou["city"].pk).region.adcode == "410100"  # not assigned


def test_setting_it_again_redraws_the_same_area(zhengzhou, admin):
    area, created = services.unit_area_set(actor=admin, unit=zhengzhou["zone"], name="郑东新区", geometry=ZONE)
    assert created
    moved = square(INSIDE[0] + 0.1, INSIDE[1])
    again, created = services.unit_area_set(
        actor=admin, unit=zhengzhou["zone"], name="郑东新区（扩区）", geometry=moved
    )
    assert not created and again.pk == area.pk and again.name == "郑东新区（扩区）"
    assert region_contains(again, *INSIDE) is False  # the prepared outline was replaced at once
    assert region_contains(again, INSIDE[0] + 0.12, INSIDE[1] + 0.02) is True
    update = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_type="orgs.region").get()
    assert update.after["changed"] == ["boundary", "name"]
    same, _ = services.unit_area_set(actor=admin, unit=zhengzhou["zone"], name="郑东新区（扩区）", geometry=moved)
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE, object_type="orgs.region").count() == 1


def test_scope_and_permission(zhengzhou, make_actor, make_unit):
    other_city = make_unit(UnitType.CITY_FEDERATION, name="大连市总工会", code="DL")
    stranger = make_actor(Role.FEDERATION_ADMIN, other_city)
    with pytest.raises(NotFoundError):
        services.custom_area_create(actor=stranger, unit=zhengzhou["zone"], name="郑东新区", geometry=ZONE)
    sibling = make_actor(Role.UNIT_ADMIN, zhengzhou["jinshui"])
    with pytest.raises(NotFoundError):
        services.custom_area_create(actor=sibling, unit=zhengzhou["zone"], name="郑东新区", geometry=ZONE)
    security = make_actor(Role.SECURITY_ADMIN, zhengzhou["city"])
    with pytest.raises(PermissionDeniedError):
        services.custom_area_create(actor=security, unit=zhengzhou["zone"], name="郑东新区", geometry=ZONE)
    zone_admin = make_actor(Role.UNIT_ADMIN, zhengzhou["zone"])
    area = services.custom_area_create(actor=zone_admin, unit=zhengzhou["zone"], name="郑东新区", geometry=ZONE)
    with pytest.raises(NotFoundError):
        services.custom_area_update(actor=sibling, area=area, name="改名")
    with pytest.raises(ApplicationError, match="只能修改自定义区域"):
        services.custom_area_update(actor=zone_admin, area=Region.objects.get(adcode="410105"), name="改名")


def test_the_database_keeps_custom_codes_and_levels_together(zhengzhou):
    city = Region.objects.get(adcode="410100")
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(adcode="X41010009", name="坏", level=RegionLevel.DISTRICT, parent=city)
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(adcode="410199", name="坏", level=RegionLevel.CUSTOM, parent=city)
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(adcode="410198", name="坏", level=RegionLevel.DISTRICT, owner=zhengzhou["city"])


def test_command_sets_a_units_area_from_a_file_or_a_union(zhengzhou, admin, tmp_path):
    path = tmp_path / "zone.geojson"
    path.write_text(json.dumps(ZONE), encoding="utf-8")
    out = StringIO()
    call_command(
        "unit_area", "ZZ-ZD", "--name", "郑东新区", "--geojson", str(path), "--as", admin.user.username, stdout=out
    )
    assert "X41010001" in out.getvalue()
    call_command("unit_area", "ZZ-ZD", "--name", "郑东新区", "--union", "410105，410104", "--as", admin.user.username)
    assert Region.objects.filter(level=RegionLevel.CUSTOM).count() == 1
    with pytest.raises(CommandError, match="不存在或无权访问|不存在"):
        call_command("unit_area", "NOPE", "--name", "x", "--union", "410105", "--as", admin.user.username)


def test_positions_of_the_zone_must_lie_inside_it(zhengzhou, admin):
    from yizhan.positions import services as positions
    from yizhan.positions.choices import ConstructionType, PositionKind

    services.custom_area_create(actor=admin, unit=zhengzhou["zone"], name="郑东新区", geometry=ZONE)
    zone = Unit.objects.get(pk=zhengzhou["zone"].pk)
    values = {
        "kind": PositionKind.STATION,
        "address": "郑东新区某路 1 号",
        "construction_type": ConstructionType.SANITATION,
    }
    inside = positions.position_create(
        actor=admin,
        unit=zone,
        code="ZD-1",
        official_name="工会户外劳动者服务站点·甲",
        lng=INSIDE[0],
        lat=INSIDE[1],
        **values,
    )
    assert inside.region.adcode == "410105" and inside.area_override_reason == ""
    with pytest.raises(ApplicationError) as caught:
        positions.position_create(
            actor=admin,
            unit=zone,
            code="ZD-2",
            official_name="工会户外劳动者服务站点·乙",
            lng=OUTSIDE[0],
            lat=OUTSIDE[1],
            **values,
        )
    assert caught.value.field == "area_override_reason" and "郑东新区" in caught.value.message
