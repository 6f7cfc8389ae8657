"""position_create: naming rules, coordinates, areas, duplicates, lists, hours (spec §2, §10)."""

import pytest

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.geo.crs import gcj02_to_bd09, gcj02_to_wgs84
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.positions import rules, services
from yizhan.positions.choices import BuildMode, CentreLevel, PositionKind, PositionState
from yizhan.positions.models import PositionStateChange
from yizhan.positions.tests.conftest import BEIJING, SHAHEKOU, XIGANG, ZHONGSHAN

pytestmark = pytest.mark.django_db


def test_a_station_is_registered_planned_with_area_found_and_history(make_position, zs_admin):
    position = make_position(actor=zs_admin)
    assert position.state == PositionState.PLANNED
    assert position.region.adcode == "210202"
    change = PositionStateChange.objects.get(position=position)
    assert (change.from_state, change.to_state, change.actor_name) == ("", "planned", zs_admin.user.username)
    entry = AuditEntry.objects.filter(object_type="positions.position", action=AuditAction.CREATE).get()
    assert entry.after["official_name"] == position.official_name
    assert entry.unit_path == position.unit.path


@pytest.mark.parametrize(
    ("kind", "name", "level"),
    [
        (PositionKind.STATION, "西岗八一路驿站", ""),
        (PositionKind.STATION, "工会户外劳动者服务站点·", ""),
        (PositionKind.CENTRE, "中山区职工之家", CentreLevel.DISTRICT),
        (PositionKind.CENTRE, "职工服务中心", CentreLevel.DISTRICT),
    ],
)
def test_names_that_break_the_naming_rule_are_refused(make_position, kind, name, level):
    with pytest.raises(ApplicationError) as error:
        make_position(kind=kind, official_name=name, centre_level=level)
    assert error.value.field == "official_name"
    assert error.value.message == rules.official_name_problem(kind, rules.normalise_official_name(kind, name))


def test_station_separator_variants_are_normalised(make_position):
    position = make_position(official_name="工会户外劳动者服务站点 • 青泥洼桥")
    assert position.official_name == "工会户外劳动者服务站点·青泥洼桥"
    assert position.search_initials == "qnwq"


def test_work_station_needs_its_centre_and_its_name(make_position):
    centre = make_position(
        kind=PositionKind.CENTRE, official_name="中山区职工服务中心", centre_level=CentreLevel.DISTRICT
    )
    with pytest.raises(ApplicationError) as missing:
        make_position(kind=PositionKind.WORK_STATION, official_name="中山区职工服务中心桃源工作站")
    assert missing.value.message == str(services.PARENT_CENTRE_REQUIRED)
    with pytest.raises(ApplicationError) as wrong_prefix:
        make_position(
            kind=PositionKind.WORK_STATION, official_name="西岗区职工服务中心桃源工作站", parent_centre=centre
        )
    assert wrong_prefix.value.message == rules.NAME_WORK_STATION_CENTRE.format(centre="中山区职工服务中心")
    station = make_position(
        kind=PositionKind.WORK_STATION, official_name="中山区职工服务中心桃源工作站", parent_centre=centre
    )
    assert station.parent_centre == centre and station.centre_level == ""


def test_centre_needs_a_level(make_position):
    with pytest.raises(ApplicationError) as error:
        make_position(kind=PositionKind.CENTRE, official_name="中山区职工服务中心")
    assert error.value.field == "centre_level"


@pytest.mark.parametrize("crs", ["wgs84", "bd09"])
def test_coordinates_are_stored_in_gcj02_whatever_the_input(make_position, crs):
    gcj = (121.6437, 38.9187)
    given = gcj02_to_wgs84(*gcj) if crs == "wgs84" else gcj02_to_bd09(*gcj)
    position = make_position(lng=given[0], lat=given[1], crs=crs)
    # BD-09's published inverse is not exact: within 1e-5° (about 1 m).
    assert position.lng == pytest.approx(gcj[0], abs=1e-5)
    assert position.lat == pytest.approx(gcj[1], abs=1e-5)


def test_unknown_crs_is_refused(make_position):
    with pytest.raises(ApplicationError) as error:
        make_position(crs="mercator")
    assert error.value.field == "crs"


def test_point_outside_every_area_is_refused(make_position):
    with pytest.raises(ApplicationError) as error:
        make_position(lng=BEIJING[0], lat=BEIJING[1])
    assert error.value.message.startswith("坐标（116.400000, 39.900000）不在任何已导入的行政区划内")


def test_given_area_is_checked_against_the_point(make_position, dalian_map):
    with pytest.raises(ApplicationError) as error:
        make_position(lng=XIGANG[0], lat=XIGANG[1], region=dalian_map["areas"]["210202"])
    assert error.value.message == services.NOT_IN_REGION.format(region="中山区")


def test_point_outside_the_units_area_needs_a_recorded_reason(make_position, dalian_map):
    with pytest.raises(ApplicationError) as error:
        make_position(lng=SHAHEKOU[0], lat=SHAHEKOU[1])
    assert error.value.message == services.OUTSIDE_UNIT_AREA.format(unit="中山区总工会", area="中山区")
    assert error.value.field == "area_override_reason"
    position = make_position(lng=SHAHEKOU[0], lat=SHAHEKOU[1], area_override_reason="与沙河口区共建")
    assert position.region.adcode == "210204"
    entry = AuditEntry.objects.filter(
        object_type="positions.position", object_id=str(position.pk), action=AuditAction.CREATE
    ).get()
    assert entry.after["area_override_reason"] == "与沙河口区共建"


def test_industry_union_positions_lie_anywhere_in_its_city(make_position, dalian_map, make_actor):
    actor = make_actor(Role.UNIT_ADMIN, dalian_map["industry"])
    position = make_position(actor=actor, unit=dalian_map["industry"], lng=XIGANG[0], lat=XIGANG[1])
    assert position.region.adcode == "210203" and position.area_override_reason == ""


def test_same_name_within_50_m_is_a_duplicate(make_position):
    make_position(official_name="工会户外劳动者服务站点·人民路", lng=121.6437, lat=38.9187)
    with pytest.raises(ApplicationError) as error:
        make_position(official_name="工会户外劳动者服务站点·人民路", lng=121.6440, lat=38.9189)
    assert "米内已有同名阵地" in error.value.message
    far = make_position(official_name="工会户外劳动者服务站点·人民路", lng=121.6450, lat=38.9187)
    assert far.pk


def test_code_is_unique(make_position):
    make_position(code="ZS-001")
    with pytest.raises(ApplicationError) as error:
        make_position(code="ZS-001")
    assert error.value.message == services.CODE_TAKEN.format(code="ZS-001")


def test_lists_are_checked_and_ordered(make_position):
    position = make_position(facilities=["wifi", "microwave"], abilities=["heat_food"], served_groups=["courier"])
    assert position.facilities == ["microwave", "wifi"]
    with pytest.raises(ApplicationError) as error:
        make_position(facilities=["jacuzzi"])
    assert error.value.field == "facilities" and "jacuzzi" in error.value.message
    with pytest.raises(ApplicationError):
        make_position(services=["legal_aid", "legal_aid"])


def test_hours_are_validated(make_position):
    position = make_position(weekly_hours={"tue": [["06:00", "12:00"]], "mon": [["04:00", "22:00"]]})
    assert list(position.weekly_hours) == ["mon", "tue"]
    for bad in [
        {"monday": [["06:00", "12:00"]]},
        {"mon": [["6", "12"]]},
        {"mon": [["06:00", "12:00"], ["11:00", "13:00"]]},
    ]:
        with pytest.raises(ApplicationError) as error:
            make_position(weekly_hours=bad)
        assert error.value.field == "weekly_hours"


def test_co_built_needs_the_co_builder(make_position):
    with pytest.raises(ApplicationError) as error:
        make_position(build_mode=BuildMode.CO_BUILT)
    assert error.value.message == str(services.CO_BUILDER_REQUIRED)
    assert make_position(build_mode=BuildMode.CO_BUILT, co_builder="中国工商银行大连分行").co_builder


def test_bad_phone_and_negative_area_name_their_field(make_position):
    with pytest.raises(ApplicationError) as phone:
        make_position(public_phone="电话")
    assert phone.value.field == "public_phone"
    with pytest.raises(ApplicationError) as area:
        make_position(floor_area=-3)
    assert area.value.field == "floor_area"


def test_scope_and_role(make_position, dalian_map, make_actor):
    xg_admin = make_actor(Role.UNIT_ADMIN, dalian_map["xg"])
    with pytest.raises(NotFoundError):
        make_position(actor=xg_admin, unit=dalian_map["zs"])
    manager = make_actor(Role.STATION_MANAGER, dalian_map["zs"])
    with pytest.raises(PermissionDeniedError):
        make_position(actor=manager)
    assert ZHONGSHAN
