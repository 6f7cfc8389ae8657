"""position_update: changed fields audited, a moved point checked again, codes, scope (spec §2, §10)."""

import pytest

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.geo.crs import gcj02_to_wgs84
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.positions import rules, services
from yizhan.positions.choices import CentreLevel, PositionKind, PositionState
from yizhan.positions.models import Position, PositionStateChange
from yizhan.positions.tests.conftest import BEIJING, SHAHEKOU, XIGANG

pytestmark = pytest.mark.django_db


def _updates(position: Position):
    return AuditEntry.objects.filter(
        object_type="positions.position", object_id=str(position.pk), action=AuditAction.UPDATE
    ).order_by("seq")


def test_only_the_changed_fields_are_audited(make_position, zs_admin):
    position = make_position(actor=zs_admin, manager_name="李四")
    updated = services.position_update(
        actor=zs_admin, position=position, manager_name="张三", public_phone="0411-82345678", address=position.address
    )
    assert (updated.manager_name, updated.public_phone) == ("张三", "0411-82345678")
    entry = _updates(position).get()
    # The manager's name is personal data: the chain keeps it masked (spec §11, core/personal_data.py).
    assert entry.before == {"manager_name": "李*", "public_phone": ""}
    assert entry.after == {"manager_name": "张*", "public_phone": "0411-82345678"}
    assert entry.unit_path == position.unit.path


def test_an_update_that_changes_nothing_writes_no_audit_entry(make_position, zs_admin):
    position = make_position(actor=zs_admin, facilities=["microwave", "drinking_water"], floor_area=12.5)
    services.position_update(actor=zs_admin, position=position, facilities=["drinking_water", "microwave"])
    assert not _updates(position).exists()


def test_update_keeps_the_record_rules(make_position, zs_admin):
    position = make_position(actor=zs_admin)
    renamed = services.position_update(
        actor=zs_admin, position=position, official_name="工会户外劳动者服务站点.青泥洼桥"
    )
    assert renamed.official_name == "工会户外劳动者服务站点·青泥洼桥"
    assert renamed.search_initials == "qnwq"
    with pytest.raises(ApplicationError) as name:
        services.position_update(actor=zs_admin, position=position, official_name="青泥洼桥驿站")
    assert name.value.message == str(rules.NAME_STATION)
    with pytest.raises(ApplicationError) as hours:
        services.position_update(actor=zs_admin, position=position, weekly_hours={"mon": [["06:00", "06:00"]]})
    assert hours.value.field == "weekly_hours"
    assert Position.objects.get(pk=position.pk).official_name == "工会户外劳动者服务站点·青泥洼桥"


def test_moving_the_point_finds_the_area_again(make_position, zs_admin, dalian_map):
    position = make_position(actor=zs_admin)
    with pytest.raises(ApplicationError) as error:
        services.position_update(actor=zs_admin, position=position, lng=XIGANG[0], lat=XIGANG[1])
    assert error.value.message == services.OUTSIDE_UNIT_AREA.format(unit="中山区总工会", area="中山区")
    assert error.value.field == "area_override_reason"
    unchanged = Position.objects.get(pk=position.pk)
    assert (unchanged.lng, unchanged.lat, unchanged.region.adcode) == (position.lng, position.lat, "210202")

    moved = services.position_update(
        actor=zs_admin, position=position, lng=XIGANG[0], lat=XIGANG[1], area_override_reason="跨区共建"
    )
    assert (moved.lng, moved.lat, moved.region.adcode) == (XIGANG[0], XIGANG[1], "210203")
    entry = _updates(position).get()
    assert entry.after["region_id"] == dalian_map["areas"]["210203"].pk
    assert entry.after["area_override_reason"] == "跨区共建"


def test_moving_back_inside_drops_the_override_reason(make_position, zs_admin):
    position = make_position(actor=zs_admin, lng=SHAHEKOU[0], lat=SHAHEKOU[1], area_override_reason="与沙河口区共建")
    back = services.position_update(actor=zs_admin, position=position, lng=121.6437, lat=38.9187)
    assert (back.region.adcode, back.area_override_reason) == ("210202", "")


def test_clearing_the_override_reason_of_an_outside_point_is_refused(make_position, zs_admin):
    position = make_position(actor=zs_admin, lng=SHAHEKOU[0], lat=SHAHEKOU[1], area_override_reason="与沙河口区共建")
    with pytest.raises(ApplicationError) as error:
        services.position_update(actor=zs_admin, position=position, area_override_reason="")
    assert error.value.message == services.OUTSIDE_UNIT_AREA.format(unit="中山区总工会", area="中山区")


def test_a_point_outside_every_area_is_refused(make_position, zs_admin):
    position = make_position(actor=zs_admin)
    with pytest.raises(ApplicationError) as error:
        services.position_update(actor=zs_admin, position=position, lng=BEIJING[0], lat=BEIJING[1])
    assert error.value.message == services.NOT_IN_ANY_REGION.format(lng=BEIJING[0], lat=BEIJING[1])


def test_crs_applies_to_the_new_coordinates(make_position, zs_admin):
    position = make_position(actor=zs_admin)
    target = (121.6452, 38.9195)
    wgs = gcj02_to_wgs84(*target)
    moved = services.position_update(actor=zs_admin, position=position, lng=wgs[0], lat=wgs[1], crs="wgs84")
    assert moved.lng == pytest.approx(target[0], abs=1e-6)
    assert moved.lat == pytest.approx(target[1], abs=1e-6)
    # Without new coordinates the crs converts nothing: the stored point is already GCJ-02.
    same = services.position_update(actor=zs_admin, position=position, crs="wgs84", manager_name="张三")
    assert (same.lng, same.lat) == (moved.lng, moved.lat)
    with pytest.raises(ApplicationError) as error:
        services.position_update(actor=zs_admin, position=position, lng=121.645, lat=38.919, crs="mercator")
    assert error.value.field == "crs"


def test_a_move_next_to_a_namesake_is_a_duplicate(make_position, zs_admin):
    make_position(actor=zs_admin, official_name="工会户外劳动者服务站点·人民路", lng=121.6437, lat=38.9187)
    other = make_position(actor=zs_admin, official_name="工会户外劳动者服务站点·人民路", lng=121.6500, lat=38.9187)
    with pytest.raises(ApplicationError) as error:
        services.position_update(actor=zs_admin, position=other, lng=121.6439, lat=38.9188)
    assert "米内已有同名阵地" in error.value.message


def test_code_stays_unique(make_position, zs_admin):
    make_position(actor=zs_admin, code="ZS-001")
    position = make_position(actor=zs_admin, code="ZS-002")
    with pytest.raises(ApplicationError) as error:
        services.position_update(actor=zs_admin, position=position, code="ZS-001")
    assert error.value.message == services.CODE_TAKEN.format(code="ZS-001")
    assert error.value.field == "code"
    assert services.position_update(actor=zs_admin, position=position, code="ZS-002").code == "ZS-002"
    with pytest.raises(ApplicationError) as bad:
        services.position_update(actor=zs_admin, position=position, code="ZS 003")
    assert bad.value.field == "code"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"state": PositionState.OPERATING}, "state"),
        ({"search_initials": "x", "id": 7}, "id, search_initials"),
        ({"state_reason": "x", "manager_name": "张三"}, "state_reason"),
    ],
)
def test_unknown_fields_are_refused(make_position, zs_admin, changes, named):
    position = make_position(actor=zs_admin)
    with pytest.raises(ApplicationError) as error:
        services.position_update(actor=zs_admin, position=position, **changes)
    assert error.value.message == services.UNKNOWN_FIELDS.format(fields=named)
    kept = Position.objects.get(pk=position.pk)
    assert (kept.state, kept.manager_name) == (PositionState.PLANNED, "")
    assert PositionStateChange.objects.filter(position=position).count() == 1


def test_moving_to_a_unit_out_of_scope_is_not_found(make_position, zs_admin, dalian_map):
    position = make_position(actor=zs_admin)
    with pytest.raises(NotFoundError):
        services.position_update(actor=zs_admin, position=position, unit=dalian_map["xg"])
    assert Position.objects.get(pk=position.pk).unit == dalian_map["zs"]


def test_moving_to_another_unit_checks_its_area(make_position, make_actor, dalian_map):
    city_admin = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    position = make_position(actor=city_admin)
    with pytest.raises(ApplicationError) as error:
        services.position_update(actor=city_admin, position=position, unit=dalian_map["xg"])
    assert error.value.message == services.OUTSIDE_UNIT_AREA.format(unit="西岗区总工会", area="西岗区")
    moved = services.position_update(
        actor=city_admin, position=position, unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1]
    )
    assert (moved.unit, moved.region.adcode) == (dalian_map["xg"], "210203")


def test_an_actor_out_of_scope_does_not_find_the_position(make_position, make_actor, dalian_map):
    position = make_position()
    with pytest.raises(NotFoundError):
        services.position_update(
            actor=make_actor(Role.UNIT_ADMIN, dalian_map["xg"]), position=position, manager_name="张三"
        )
    with pytest.raises(PermissionDeniedError):
        services.position_update(
            actor=make_actor(Role.REVIEWER, dalian_map["zs"]), position=position, manager_name="张三"
        )
    assert Position.objects.get(pk=position.pk).manager_name == ""


def test_a_station_becoming_a_centre_needs_a_level(make_position, zs_admin):
    position = make_position(actor=zs_admin)
    with pytest.raises(ApplicationError) as error:
        services.position_update(
            actor=zs_admin, position=position, kind=PositionKind.CENTRE, official_name="中山区职工服务中心"
        )
    assert error.value.message == str(services.CENTRE_LEVEL_REQUIRED)
    assert error.value.field == "centre_level"
    assert Position.objects.get(pk=position.pk).kind == PositionKind.STATION
    centre = services.position_update(
        actor=zs_admin,
        position=position,
        kind=PositionKind.CENTRE,
        official_name="中山区职工服务中心",
        centre_level=CentreLevel.DISTRICT,
    )
    assert (centre.kind, centre.centre_level) == (PositionKind.CENTRE, CentreLevel.DISTRICT)


def test_update_does_not_touch_the_lifecycle(make_position, zs_admin):
    position = make_position(actor=zs_admin, state=PositionState.OPERATING)
    services.position_update(actor=zs_admin, position=position, manager_name="张三")
    assert Position.objects.get(pk=position.pk).state == PositionState.OPERATING
    assert PositionStateChange.objects.filter(position=position).count() == 1


def test_a_lone_coordinate_in_another_system_is_refused(make_position, zs_admin):
    position = make_position(actor=zs_admin)
    with pytest.raises(ApplicationError) as error:
        services.position_update(actor=zs_admin, position=position, lng=121.64, crs="wgs84")
    assert error.value.message == str(services.BOTH_COORDINATES_NEEDED)
