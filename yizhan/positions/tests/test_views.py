"""Staff pages of the registry (issue 3 §4): filters and search, scope, bulk and single state changes,
the form with the services' Chinese errors, and the map's points in the tile layer's coordinates."""

import pytest

from yizhan.core.geo.crs import gcj02_to_wgs84
from yizhan.core.roles import Role
from yizhan.positions import services
from yizhan.positions.choices import PositionState
from yizhan.positions.forms import PositionForm
from yizhan.positions.models import Position, PositionStateChange
from yizhan.positions.rules import NAME_STATION
from yizhan.positions.tests.conftest import XIGANG, ZHONGSHAN

pytestmark = pytest.mark.django_db


@pytest.fixture
def zs_client(dalian_map, make_user, login):
    return login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))


def codes_in(page: str, *codes: str) -> list[str]:
    """The codes shown on the list page, in the page's order."""
    found = [code for code in codes if f"<code>{code}</code>" in page]
    return sorted(found, key=lambda code: page.index(f"<code>{code}</code>"))


def test_list_filters_and_searches_by_name_and_pinyin_initials(dalian_map, make_position, zs_client):
    make_position(code="BYL", official_name="工会户外劳动者服务站点·西岗八一路")
    make_position(code="RMR", official_name="工会户外劳动者服务站点·人民路", state=PositionState.OPERATING)
    make_position(code="CTR", kind="centre", centre_level="street", official_name="青泥洼桥职工服务中心")

    def listed(**params):
        return codes_in(zs_client.get("/staff/positions/", params).content.decode(), "BYL", "RMR", "CTR")

    assert listed() == ["BYL", "CTR", "RMR"]
    assert listed(q="xgbyl") == ["BYL"]  # pinyin initials of 西岗八一路
    assert listed(q="人民路") == ["RMR"]
    assert listed(state="operating") == ["RMR"]
    assert listed(kind="centre") == ["CTR"]
    assert listed(facility=["drinking_water"]) == []
    assert listed(sort="-code") == ["RMR", "CTR", "BYL"]
    page = zs_client.get("/staff/positions/", {"state": "operating"}).content.decode()
    assert "共 1 个阵地" in page
    assert 'class="state state-operating">运营中</span>' in page  # the state as text, not colour alone


def test_list_paginates_by_fifty(dalian_map, make_position, zs_client):
    for _ in range(51):
        make_position()
    first = zs_client.get("/staff/positions/").content.decode()
    assert first.count('name="ids"') == 50
    assert "第 1 / 2 页" in first
    assert zs_client.get("/staff/positions/", {"page": 2}).content.decode().count('name="ids"') == 1


def test_a_position_outside_the_scope_answers_404(dalian_map, make_position, zs_client):
    other = make_position(unit=dalian_map["xg"], code="XG1", lng=XIGANG[0], lat=XIGANG[1])
    assert zs_client.get(f"/staff/positions/{other.pk}/").status_code == 404
    assert zs_client.get(f"/staff/positions/{other.pk}/edit/").status_code == 404
    assert zs_client.post(f"/staff/positions/{other.pk}/transition/", {"to_state": "building"}).status_code == 404
    assert "共 0 个阵地" in zs_client.get("/staff/positions/", {"q": "XG1"}).content.decode()
    assert Position.objects.get(pk=other.pk).state == PositionState.PLANNED


def test_bulk_state_change_is_all_or_nothing(dalian_map, make_position, zs_client):
    planned = [make_position(), make_position()]
    building = make_position(state=PositionState.BUILDING)
    ids = [p.pk for p in [*planned, building]]
    response = zs_client.post(
        "/staff/positions/bulk-transition/", {"ids": ids, "to_state": "building", "reason": ""}, follow=True
    )
    page = response.content.decode()
    assert "未做任何变更：不能从“建设中”变为“建设中”" in page
    assert [p.state for p in Position.objects.filter(pk__in=ids).order_by("pk")] == ["planned", "planned", "building"]
    assert PositionStateChange.objects.filter(position__in=planned).count() == 2  # only the registrations

    response = zs_client.post(
        "/staff/positions/bulk-transition/",
        {"ids": [p.pk for p in planned], "to_state": "building", "next": "/staff/positions/?state=planned"},
    )
    assert response.url == "/staff/positions/?state=planned"
    assert set(Position.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"building"}


def test_bulk_change_naming_an_out_of_scope_position_changes_nothing(dalian_map, make_position, zs_client):
    mine = make_position()
    other = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1])
    response = zs_client.post(
        "/staff/positions/bulk-transition/", {"ids": [mine.pk, other.pk], "to_state": "building"}, follow=True
    )
    assert "未做任何变更" in response.content.decode()
    assert Position.objects.get(pk=mine.pk).state == PositionState.PLANNED


def form_data(dalian_map, **changes):
    data = {
        "code": "ZS-NEW",
        "kind": "station",
        "official_name": "八一路",
        "unit": dalian_map["zs"].pk,
        "address": "中山区八一路 1 号",
        "crs": "gcj02",
        "lng": ZHONGSHAN[0],
        "lat": ZHONGSHAN[1],
        "construction_type": "sanitation",
        "build_mode": "self_built",
        "build_nature": "new",
        "entry_method": "open_door",
        "no_app_needed": "on",
        "weekly_hours": "mon-fri 04:30-20:00; sat,sun 06:00-18:00",
        "facilities": ["drinking_water", "microwave", "toilet"],
        "abilities": ["rest", "drink"],
        "own_services": "理发，缝补\n手机充电",
        "served_groups": ["sanitation", "delivery"],
    }
    data.update(changes)
    return data


def test_form_has_every_editable_field():
    # Besides the fields: the coordinate system typed in, and the version the page was opened at.
    # Stars are written only by the rating service (decision 13 ended): not on the form.
    rated = {"star_rating", "star_rated_on"}
    assert set(PositionForm.base_fields) - {"crs", "version"} == set(services.EDITABLE_FIELDS) - rated


def test_create_shows_the_naming_rule_then_saves(dalian_map, zs_client):
    response = zs_client.post("/staff/positions/new/", form_data(dalian_map))
    page = response.content.decode()
    assert response.status_code == 200
    assert str(NAME_STATION) in page
    assert 'id="id_official_name_error"' in page  # on the name field, not only at the top
    assert not Position.objects.filter(code="ZS-NEW").exists()

    response = zs_client.post(
        "/staff/positions/new/", form_data(dalian_map, official_name="工会户外劳动者服务站点·八一路")
    )
    position = Position.objects.get(code="ZS-NEW")
    assert response.url == f"/staff/positions/{position.pk}/"
    assert position.region.adcode == "210202"
    assert position.weekly_hours["mon"] == [["04:30", "20:00"]]
    assert position.own_services == ["理发", "缝补", "手机充电"]
    assert position.facilities == ["drinking_water", "microwave", "toilet"]
    detail = zs_client.get(response.url).content.decode()
    assert "西岗八一路" not in detail and "工会户外劳动者服务站点·八一路" in detail
    assert "饮用水、微波炉、卫生间" in detail
    assert "04:30–20:00" in detail


def test_create_refuses_bad_hours_and_a_point_outside_the_unit_area(dalian_map, zs_client):
    name = "工会户外劳动者服务站点·八一路"
    page = zs_client.post(
        "/staff/positions/new/", form_data(dalian_map, official_name=name, weekly_hours="25:00-26:00")
    )
    assert 'id="id_weekly_hours_error"' in page.content.decode()
    page = zs_client.post(
        "/staff/positions/new/", form_data(dalian_map, official_name=name, lng=XIGANG[0], lat=XIGANG[1])
    ).content.decode()
    assert 'id="id_area_override_reason_error"' in page
    assert "请填写说明" in page
    assert not Position.objects.filter(code="ZS-NEW").exists()


def test_edit_shows_hours_as_text_and_saves(dalian_map, make_position, zs_client):
    position = make_position(
        weekly_hours={d: [["06:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    )
    page = zs_client.get(f"/staff/positions/{position.pk}/edit/").content.decode()
    assert 'value="06:00-22:00"' in page
    data = form_data(
        dalian_map,
        code=position.code,
        official_name=position.official_name,
        address="中山区新地址 9 号",
        lng=position.lng,
        lat=position.lat,
        weekly_hours="20:00-06:00",
        version=position.version,
    )
    response = zs_client.post(f"/staff/positions/{position.pk}/edit/", data)
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.address == "中山区新地址 9 号"
    assert position.weekly_hours["sun"] == [["20:00", "06:00"]]


def test_transition_needs_a_reason_to_suspend(dalian_map, make_position, zs_client):
    position = make_position(state=PositionState.OPERATING)
    page = zs_client.get(f"/staff/positions/{position.pk}/").content.decode()
    assert '<option value="suspended">暂停服务</option>' in page
    assert '<option value="building">' not in page  # only the allowed next states
    response = zs_client.post(f"/staff/positions/{position.pk}/transition/", {"to_state": "suspended", "reason": ""})
    assert "变为“暂停服务”须说明原因" in response.content.decode()
    assert 'id="id_reason_error"' in response.content.decode()
    assert Position.objects.get(pk=position.pk).state == PositionState.OPERATING

    response = zs_client.post(
        f"/staff/positions/{position.pk}/transition/",
        {"to_state": "suspended", "reason": "水管检修", "expected_reopen_on": "2030-01-31"},
        follow=True,
    )
    page = response.content.decode()
    assert "已变更为“暂停服务”" in page
    assert "水管检修" in page
    assert Position.objects.get(pk=position.pk).state == PositionState.SUSPENDED


def test_station_manager_may_operate_but_not_edit(dalian_map, make_position, make_user, login):
    position = make_position()
    client = login(make_user(Role.STATION_MANAGER, dalian_map["zs"]))
    page = client.get(f"/staff/positions/{position.pk}/").content.decode()
    assert f"/staff/positions/{position.pk}/edit/" not in page
    assert 'name="to_state"' in page
    assert client.get(f"/staff/positions/{position.pk}/edit/").status_code == 403


def test_map_points_are_scoped_and_in_the_tile_crs(dalian_map, make_position, zs_client, settings):
    mine = make_position(state=PositionState.OPERATING)
    make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1])
    data = zs_client.get("/staff/positions/map/points.json").json()
    assert data["crs"] == "gcj02"
    assert [(p["id"], p["lng"], p["lat"]) for p in data["points"]] == [
        (mine.pk, round(mine.lng, 7), round(mine.lat, 7))
    ]
    assert data["points"][0]["state_label"] == "运营中"

    settings.YIZHAN_MAP_TILES = "osm"
    data = zs_client.get("/staff/positions/map/points.json", {"state": "operating"}).json()
    lng, lat = gcj02_to_wgs84(mine.lng, mine.lat)
    assert data["crs"] == "wgs84"
    assert data["points"][0]["lng"] == pytest.approx(lng, abs=1e-6)
    assert data["points"][0]["lat"] == pytest.approx(lat, abs=1e-6)
    assert abs(data["points"][0]["lng"] - mine.lng) > 0.003  # really converted (hundreds of metres)
    assert zs_client.get("/staff/positions/map/points.json", {"state": "planned"}).json()["count"] == 0


def test_map_page_draws_boundaries_of_the_acting_unit_area(dalian_map, zs_client):
    page = zs_client.get("/staff/positions/map/", {"kind": "station"}).content.decode()
    assert 'data-boundaries-url="/api/v1/regions/210202/boundaries?crs=gcj02"' in page
    assert 'data-points-url="/staff/positions/map/points.json?kind=station"' in page
    assert "<script>" not in page and "style=" not in page


def test_the_form_does_not_take_stars_typed_in(dalian_map, zs_client):
    """Stars are written only by the rating service (decision 13 ended by issue 16): the form has
    no star fields and a posted star is not saved; the page shows the stars held with their date."""
    name = "工会户外劳动者服务站点·八一路"
    assert 'name="star_rating"' not in zs_client.get("/staff/positions/new/").content.decode()
    saved = zs_client.post(
        "/staff/positions/new/",
        form_data(dalian_map, official_name=name, star_rating="5", star_rated_on="2026-06-30"),
    )
    assert saved.status_code == 302
    position = Position.objects.get(code="ZS-NEW")
    assert (position.star_rating, position.star_rated_on) == ("", None)
    Position.objects.filter(pk=position.pk).update(star_rating="5", star_rated_on="2026-06-30")  # as a rating writes
    assert "五星（2026年6月30日）" in zs_client.get(saved.url).content.decode()
    edit = zs_client.get(f"/staff/positions/{position.pk}/edit/").content.decode()
    assert "星级由星级评定写入" in edit and 'name="star_rating"' not in edit
