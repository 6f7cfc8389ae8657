"""/api/v1/positions through the test client: filters, sorting, paging, writes, errors and scope."""

import pytest

from yizhan.core.geo.crs import gcj02_to_wgs84
from yizhan.core.models import AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType
from yizhan.orgs.tests.factories import UnitFactory
from yizhan.positions import rules, services
from yizhan.positions.choices import CentreLevel, ConstructionType, PositionKind, PositionState
from yizhan.positions.models import Position, PositionStateChange
from yizhan.positions.tests.conftest import XIGANG, ZHONGSHAN

pytestmark = pytest.mark.django_db

URL = "/api/v1/positions"
JSON = "application/json"


@pytest.fixture
def registry(dalian_map, make_position):
    """Four positions: two stations and a centre of 中山区 (one station at a street union below it),
    and a station of 西岗区."""
    street = UnitFactory(code="DL-ZS-QNWQ", name="青泥洼桥街道工会", type=UnitType.STREET, parent=dalian_map["zs"])
    return {
        "street_unit": street,
        "qnwq": make_position(
            code="ZS-001",
            official_name="工会户外劳动者服务站点·青泥洼桥",
            address="中山区友好广场1号",
            facilities=["wifi", "drinking_water", "microwave"],
            state=PositionState.OPERATING,
            always_open=True,
        ),
        "renmin": make_position(
            unit=street,
            code="ZS-002",
            official_name="工会户外劳动者服务站点·人民路",
            address="中山区人民路5号",
            facilities=["drinking_water"],
            construction_type=ConstructionType.MERCHANT,
        ),
        "centre": make_position(
            code="ZS-C01",
            kind=PositionKind.CENTRE,
            centre_level=CentreLevel.DISTRICT,
            official_name="中山区职工服务中心",
            address="中山区解放路",
            construction_type=ConstructionType.UNION_CENTRE,
        ),
        "bayi": make_position(
            unit=dalian_map["xg"],
            code="XG-001",
            official_name="工会户外劳动者服务站点·八一路",
            address="西岗区八一路",
            lng=XIGANG[0],
            lat=XIGANG[1],
            facilities=["microwave", "drinking_water"],
        ),
    }


@pytest.fixture
def city_client(dalian_map, make_user, login):
    return login(make_user(Role.FEDERATION_ADMIN, dalian_map["city"]))


@pytest.fixture
def zs_client(dalian_map, make_user, login):
    return login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


# --------------------------------------------------------------------------- reads


def test_list_shows_every_position_in_scope_with_its_fields(registry, city_client):
    response = city_client.get(URL)
    body = response.json()
    assert body["count"] == 4
    assert [p["code"] for p in body["items"]] == ["XG-001", "ZS-001", "ZS-002", "ZS-C01"]
    first = next(p for p in body["items"] if p["code"] == "ZS-001")
    assert first["unit_name"] == "中山区总工会"
    assert (first["region_adcode"], first["region_name"]) == ("210202", "中山区")
    assert first["facilities"] == ["drinking_water", "microwave", "wifi"]
    assert first["state"] == "operating"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"unit": "zs"}, ["ZS-001", "ZS-002", "ZS-C01"]),
        ({"unit": "street_unit"}, ["ZS-002"]),
        ({"unit": "xg"}, ["XG-001"]),
        ({"kind": "centre"}, ["ZS-C01"]),
        ({"kind": "station"}, ["XG-001", "ZS-001", "ZS-002"]),
        ({"state": "operating"}, ["ZS-001"]),
        ({"state": "planned"}, ["XG-001", "ZS-002", "ZS-C01"]),
        ({"facility": ["drinking_water"]}, ["XG-001", "ZS-001", "ZS-002"]),
        ({"facility": ["drinking_water", "microwave"]}, ["XG-001", "ZS-001"]),
        ({"facility": ["microwave", "wifi"]}, ["ZS-001"]),
        ({"facility": ["toilet"]}, []),
        ({"construction_type": "sanitation"}, ["XG-001", "ZS-001"]),
        ({"construction_type": "union_centre"}, ["ZS-C01"]),
        ({"region": "210202"}, ["ZS-001", "ZS-002", "ZS-C01"]),
        ({"region": "210203"}, ["XG-001"]),
        ({"region": "210200"}, ["XG-001", "ZS-001", "ZS-002", "ZS-C01"]),
        ({"region": "210000"}, ["XG-001", "ZS-001", "ZS-002", "ZS-C01"]),
        ({"region": "210204"}, []),
        ({"q": "人民路"}, ["ZS-002"]),
        ({"q": "八一"}, ["XG-001"]),
        ({"q": "友好广场"}, ["ZS-001"]),
        ({"q": "zs-c01"}, ["ZS-C01"]),
        ({"q": "qnwq"}, ["ZS-001"]),
        ({"q": "QNWQ"}, ["ZS-001"]),
        ({"q": "rml"}, ["ZS-002"]),
        ({"q": "职工服务中心"}, ["ZS-C01"]),
        ({"q": "中山区", "kind": "station"}, ["ZS-001", "ZS-002"]),
    ],
)
def test_list_filters(registry, dalian_map, city_client, params, expected):
    if "unit" in params:
        params = {**params, "unit": (registry.get(params["unit"]) or dalian_map[params["unit"]]).pk}
    assert codes(city_client.get(URL, params)) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("code", ["XG-001", "ZS-001", "ZS-002", "ZS-C01"]),
        ("-code", ["ZS-C01", "ZS-002", "ZS-001", "XG-001"]),
        ("name", ["ZS-C01", "ZS-002", "XG-001", "ZS-001"]),
        ("-state", ["ZS-002", "ZS-C01", "XG-001", "ZS-001"]),  # ties in creation order
        ("no-such-sort", ["XG-001", "ZS-001", "ZS-002", "ZS-C01"]),
    ],
)
def test_list_sorts(registry, city_client, sort, expected):
    assert codes(city_client.get(URL, {"sort": sort})) == expected


def test_stars_are_not_typed_in_through_the_api_and_the_star_filter(registry, city_client):
    """Stars are written only by the rating service (decision 13 ended by issue 16): a PATCH or a
    POST carrying them is refused, nothing changed; the list still filters by the stars held."""
    station = registry["qnwq"]
    response = city_client.patch(
        f"{URL}/{station.pk}", {"star_rating": "4", "star_rated_on": "2026-06-30"}, content_type="application/json"
    )
    assert response.status_code in (400, 422), response.content
    assert Position.objects.get(pk=station.pk).star_rating == ""
    Position.objects.filter(pk=station.pk).update(star_rating="4", star_rated_on="2026-06-30")  # as a rating writes
    assert city_client.get(f"{URL}/{station.pk}").json()["star_rated_on"] == "2026-06-30"
    assert codes(city_client.get(URL, {"star": "4"})) == ["ZS-001"]
    assert codes(city_client.get(URL, {"star": "none", "kind": "station"})) == ["XG-001", "ZS-002"]
    bad = city_client.get(URL, {"star": "6"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "star"]


def test_list_pages_with_limit_and_offset(registry, city_client):
    page = city_client.get(URL, {"limit": 2, "offset": 1, "sort": "code"}).json()
    assert page["count"] == 4
    assert [p["code"] for p in page["items"]] == ["ZS-001", "ZS-002"]
    last = city_client.get(URL, {"limit": 2, "offset": 3}).json()
    assert (last["count"], [p["code"] for p in last["items"]]) == (4, ["ZS-C01"])
    filtered = city_client.get(URL, {"limit": 1, "kind": "station"}).json()
    assert (filtered["count"], len(filtered["items"])) == (3, 1)


def test_detail_opening_and_history(registry, zs_client):
    station = registry["qnwq"]
    detail = zs_client.get(f"{URL}/{station.pk}")
    assert detail.status_code == 200
    assert detail.json()["official_name"] == "工会户外劳动者服务站点·青泥洼桥"
    assert (detail.json()["lng"], detail.json()["lat"]) == (station.lng, station.lat)

    assert zs_client.get(f"{URL}/{station.pk}/opening").json() == {"is_open": True, "closes_at": None, "opens_at": None}
    planned = zs_client.get(f"{URL}/{registry['centre'].pk}/opening").json()
    assert planned == {"is_open": False, "closes_at": None, "opens_at": None}

    history = zs_client.get(f"{URL}/{station.pk}/history").json()
    assert [(h["from_state"], h["to_state"]) for h in history] == [("", "operating")]
    assert zs_client.get(f"{URL}/999999").status_code == 404


# --------------------------------------------------------------------------- create


def _payload(dalian_map, **changes) -> dict:
    return {
        "code": "API-1",
        "kind": "station",
        "official_name": "工会户外劳动者服务站点·友好广场",
        "unit_id": dalian_map["zs"].pk,
        "address": "中山区友好广场",
        "lng": ZHONGSHAN[0],
        "lat": ZHONGSHAN[1],
        "construction_type": "merchant",
        **changes,
    }


def test_create_converts_wgs84_to_gcj02(dalian_map, zs_client):
    target = (121.6452, 38.9195)
    wgs = gcj02_to_wgs84(*target)
    payload = _payload(
        dalian_map,
        lng=wgs[0],
        lat=wgs[1],
        crs="wgs84",
        facilities=["wifi", "drinking_water"],
        weekly_hours={"tue": [["06:00", "20:00"]], "mon": [["04:00", "22:00"]]},
    )
    response = zs_client.post(URL, payload, JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lng"] == pytest.approx(target[0], abs=1e-6)
    assert body["lat"] == pytest.approx(target[1], abs=1e-6)
    assert (body["region_adcode"], body["state"], body["unit_id"]) == ("210202", "planned", dalian_map["zs"].pk)
    assert body["facilities"] == ["drinking_water", "wifi"]
    assert list(body["weekly_hours"]) == ["mon", "tue"]
    stored = Position.objects.get(code="API-1")
    assert (stored.lng, stored.lat) == (body["lng"], body["lat"])
    assert PositionStateChange.objects.filter(position=stored).count() == 1


def test_create_a_work_station_under_a_centre(registry, dalian_map, zs_client):
    payload = _payload(
        dalian_map,
        kind="work_station",
        official_name="中山区职工服务中心桃源工作站",
        parent_centre_id=registry["centre"].pk,
        region_adcode="210202",
    )
    response = zs_client.post(URL, payload, JSON)
    assert response.status_code == 201, response.content
    assert response.json()["parent_centre_id"] == registry["centre"].pk


@pytest.mark.parametrize(
    "changes",
    [
        {"lat": 91},
        {"lng": -181},
        {"crs": "mercator"},
        {"kind": "hotel"},
        {"construction_type": "castle"},
        {"facilities": ["drinking_water"] * 31},
        {"code": ""},
        {"region_adcode": "2102"},
        {"state": "closed"},
        {"weekly_hours": "06:00-20:00"},
    ],
)
def test_create_refuses_schema_violations_with_422(dalian_map, zs_client, changes):
    positions, audits = Position.objects.count(), AuditEntry.objects.count()
    response = zs_client.post(URL, _payload(dalian_map, **changes), JSON)
    assert response.status_code == 422, response.content
    assert Position.objects.count() == positions
    assert AuditEntry.objects.count() == audits


def test_create_refuses_missing_fields_with_422(dalian_map, zs_client):
    payload = _payload(dalian_map)
    del payload["lat"]
    assert zs_client.post(URL, payload, JSON).status_code == 422
    assert not Position.objects.exists()


@pytest.mark.parametrize(
    ("changes", "detail", "field"),
    [
        ({"official_name": "友好广场驿站"}, str(rules.NAME_STATION), "official_name"),
        (
            {"lng": XIGANG[0], "lat": XIGANG[1]},
            services.OUTSIDE_UNIT_AREA.format(unit="中山区总工会", area="中山区"),
            "area_override_reason",
        ),
        (
            {"kind": "centre", "official_name": "中山区职工服务中心"},
            str(services.CENTRE_LEVEL_REQUIRED),
            "centre_level",
        ),
        ({"facilities": ["jacuzzi"]}, rules.UNKNOWN_CHOICE.format(value="jacuzzi", what="设施"), "facilities"),
        ({"build_mode": "co_built"}, str(services.CO_BUILDER_REQUIRED), "co_builder"),
    ],
)
def test_create_refuses_rule_violations_with_400_and_the_field(dalian_map, zs_client, changes, detail, field):
    audits = AuditEntry.objects.count()
    response = zs_client.post(URL, _payload(dalian_map, **changes), JSON)
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "field": field}
    assert not Position.objects.exists()
    assert not PositionStateChange.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_create_refuses_a_namesake_within_50_m(registry, dalian_map, zs_client):
    existing = registry["qnwq"]
    payload = _payload(
        dalian_map, code="API-2", official_name=existing.official_name, lng=existing.lng + 0.0002, lat=existing.lat
    )
    positions, audits = Position.objects.count(), AuditEntry.objects.count()
    response = zs_client.post(URL, payload, JSON)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "official_name"
    assert body["detail"].endswith(f"米内已有同名阵地“{existing.official_name}”（编号 ZS-001）")
    assert (Position.objects.count(), AuditEntry.objects.count()) == (positions, audits)


def test_create_refuses_a_code_in_use(registry, dalian_map, zs_client):
    response = zs_client.post(URL, _payload(dalian_map, code="XG-001"), JSON)
    assert response.status_code == 400
    # 西岗区's code, outside this admin's scope: refused without a word on its holder (issue 13).
    assert response.json() == {"detail": services.CODE_UNAVAILABLE.format(code="XG-001"), "field": "code"}


def test_create_for_a_unit_out_of_scope_is_404(dalian_map, zs_client):
    response = zs_client.post(
        URL, _payload(dalian_map, unit_id=dalian_map["xg"].pk, lng=XIGANG[0], lat=XIGANG[1]), JSON
    )
    assert response.status_code == 404
    assert not Position.objects.exists()


# --------------------------------------------------------------------------- update and lifecycle


def test_patch_changes_the_given_fields(registry, zs_client):
    station = registry["renmin"]
    response = zs_client.patch(f"{URL}/{station.pk}", {"manager_name": "张三", "facilities": ["wifi"]}, JSON)
    assert response.status_code == 200, response.content
    body = response.json()
    # The answer masks the manager as every staff answer does (spec §11); the stored value is in full.
    assert (body["manager_name"], body["facilities"], body["address"]) == ("张*", ["wifi"], "中山区人民路5号")
    assert Position.objects.get(pk=station.pk).manager_name == "张三"


def test_patch_moves_the_point_in_the_given_crs_and_checks_the_area(registry, zs_client):
    station = registry["renmin"]
    target = (121.6452, 38.9195)
    wgs = gcj02_to_wgs84(*target)
    moved = zs_client.patch(f"{URL}/{station.pk}", {"lng": wgs[0], "lat": wgs[1], "crs": "wgs84"}, JSON).json()
    assert moved["lng"] == pytest.approx(target[0], abs=1e-6)
    assert moved["lat"] == pytest.approx(target[1], abs=1e-6)

    outside = zs_client.patch(f"{URL}/{station.pk}", {"lng": XIGANG[0], "lat": XIGANG[1]}, JSON)
    assert outside.status_code == 400
    assert outside.json() == {
        "detail": services.OUTSIDE_UNIT_AREA.format(unit="青泥洼桥街道工会", area="中山区"),
        "field": "area_override_reason",
    }
    assert Position.objects.get(pk=station.pk).lng == pytest.approx(target[0], abs=1e-6)
    assert zs_client.patch(f"{URL}/{station.pk}", {"lat": 95}, JSON).status_code == 422


def test_patch_does_not_change_the_state(registry, zs_client):
    station = registry["renmin"]
    # The schema has no state and refuses unknown fields: the lifecycle moves only through /transition.
    response = zs_client.patch(f"{URL}/{station.pk}", {"state": "operating", "manager_name": "张三"}, JSON)
    assert response.status_code == 422
    assert Position.objects.get(pk=station.pk).state == PositionState.PLANNED
    assert Position.objects.get(pk=station.pk).manager_name != "张三"
    assert PositionStateChange.objects.filter(position=station).count() == 1


def test_transition_and_its_history(registry, zs_client):
    station = registry["renmin"]
    response = zs_client.post(f"{URL}/{station.pk}/transition", {"to_state": "building"}, JSON)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "building"
    opened = zs_client.post(
        f"{URL}/{station.pk}/transition", {"to_state": "operating", "effective_on": "2026-03-01"}, JSON
    ).json()
    assert (opened["state"], opened["opened_on"]) == ("operating", "2026-03-01")
    suspended = zs_client.post(
        f"{URL}/{station.pk}/transition",
        {"to_state": "suspended", "reason": "管道维修", "expected_reopen_on": "2026-07-01"},
        JSON,
    ).json()
    assert (suspended["state_reason"], suspended["expected_reopen_on"]) == ("管道维修", "2026-07-01")

    history = zs_client.get(f"{URL}/{station.pk}/history").json()
    assert [(h["from_state"], h["to_state"], h["reason"]) for h in history] == [
        ("", "planned", "登记"),
        ("planned", "building", ""),
        ("building", "operating", ""),
        ("operating", "suspended", "管道维修"),
    ]
    assert history[2]["effective_on"] == "2026-03-01"
    assert history[3]["expected_reopen_on"] == "2026-07-01"


def test_transition_errors(registry, zs_client):
    station = registry["renmin"]
    illegal = zs_client.post(f"{URL}/{station.pk}/transition", {"to_state": "operating"}, JSON)
    assert illegal.status_code == 400
    assert illegal.json() == {
        "detail": services.TRANSITION_NOT_ALLOWED.format(from_state="规划中", to_state="运营中"),
        "field": "to_state",
    }
    no_reason = zs_client.post(f"{URL}/{station.pk}/transition", {"to_state": "delisted"}, JSON)
    assert no_reason.json() == {"detail": services.REASON_MISSING.format(to_state="已摘牌"), "field": "reason"}
    assert zs_client.post(f"{URL}/{station.pk}/transition", {"to_state": "closed"}, JSON).status_code == 422
    assert Position.objects.get(pk=station.pk).state == PositionState.PLANNED
    assert PositionStateChange.objects.filter(position=station).count() == 1


def test_bulk_transition(registry, zs_client):
    ids = [registry["renmin"].pk, registry["centre"].pk]
    response = zs_client.post(f"{URL}/bulk-transition", {"ids": ids, "to_state": "building"}, JSON)
    assert response.status_code == 200, response.content
    assert response.json() == {"changed": 2}
    assert set(Position.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"building"}


def test_bulk_transition_keeps_the_dates_it_accepts(registry, zs_client):
    station = registry["qnwq"]
    payload = {
        "ids": [station.pk],
        "to_state": "suspended",
        "reason": "台风",
        "effective_on": "2026-06-10",
        "expected_reopen_on": "2026-06-20",
    }
    assert zs_client.post(f"{URL}/bulk-transition", payload, JSON).json() == {"changed": 1}
    assert Position.objects.get(pk=station.pk).expected_reopen_on.isoformat() == "2026-06-20"
    change = PositionStateChange.objects.filter(position=station).last()
    assert (change.effective_on.isoformat(), change.expected_reopen_on.isoformat()) == ("2026-06-10", "2026-06-20")


def test_bulk_transition_is_all_or_nothing(registry, zs_client):
    ids = [registry["renmin"].pk, registry["qnwq"].pk, registry["centre"].pk]  # the second is operating
    before = dict(Position.objects.values_list("pk", "state"))
    rows, audits = PositionStateChange.objects.count(), AuditEntry.objects.count()
    response = zs_client.post(f"{URL}/bulk-transition", {"ids": ids, "to_state": "building"}, JSON)
    assert response.status_code == 400
    assert response.json()["detail"] == services.TRANSITION_NOT_ALLOWED.format(from_state="运营中", to_state="建设中")
    assert dict(Position.objects.values_list("pk", "state")) == before
    assert (PositionStateChange.objects.count(), AuditEntry.objects.count()) == (rows, audits)

    out_of_scope = zs_client.post(
        f"{URL}/bulk-transition", {"ids": [registry["renmin"].pk, registry["bayi"].pk], "to_state": "building"}, JSON
    )
    assert out_of_scope.status_code == 404
    assert dict(Position.objects.values_list("pk", "state")) == before
    assert zs_client.post(f"{URL}/bulk-transition", {"ids": [], "to_state": "building"}, JSON).status_code == 422


def test_station_managers_move_but_do_not_edit_or_create(registry, dalian_map, make_user, login):
    client = login(make_user(Role.STATION_MANAGER, dalian_map["zs"]))
    station = registry["qnwq"]
    moved = client.post(f"{URL}/{station.pk}/transition", {"to_state": "suspended", "reason": "停水"}, JSON)
    assert moved.status_code == 200
    assert client.patch(f"{URL}/{station.pk}", {"manager_name": "张三"}, JSON).status_code == 403
    assert client.post(URL, _payload(dalian_map), JSON).status_code == 403
    # Its reach is its own unit: not the street union's station below it.
    assert codes(client.get(URL)) == ["ZS-001", "ZS-C01"]
    assert client.get(f"{URL}/{registry['renmin'].pk}").status_code == 404


def test_positions_are_never_deleted_through_the_api(registry, city_client):
    station = registry["qnwq"]
    assert city_client.delete(f"{URL}/{station.pk}").status_code == 405
    assert Position.objects.filter(pk=station.pk).exists()


# --------------------------------------------------------------------------- who may see what


def test_anonymous_requests_get_401(registry, client, dalian_map):
    pk = registry["qnwq"].pk
    calls = [
        ("get", URL, None),
        ("get", f"{URL}/{pk}", None),
        ("get", f"{URL}/{pk}/opening", None),
        ("get", f"{URL}/{pk}/history", None),
        ("post", URL, _payload(dalian_map)),
        ("patch", f"{URL}/{pk}", {"manager_name": "张三"}),
        ("post", f"{URL}/{pk}/transition", {"to_state": "suspended", "reason": "x"}),
        ("post", f"{URL}/bulk-transition", {"ids": [pk], "to_state": "suspended", "reason": "x"}),
    ]
    for method, url, body in calls:
        response = getattr(client, method)(url, body, JSON) if body else getattr(client, method)(url)
        assert response.status_code == 401, (method, url)
        assert response.json() == {"detail": "请先登录"}
    assert Position.objects.get(pk=pk).state == PositionState.OPERATING


def test_a_west_district_admin_does_not_see_central_positions(registry, dalian_map, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian_map["xg"]))
    station = registry["qnwq"]
    assert codes(client.get(URL)) == ["XG-001"]
    assert codes(client.get(URL, {"unit": dalian_map["zs"].pk})) == []
    assert codes(client.get(URL, {"q": "qnwq"})) == []
    assert codes(client.get(URL, {"region": "210202"})) == []
    for url in [f"{URL}/{station.pk}", f"{URL}/{station.pk}/opening", f"{URL}/{station.pk}/history"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "对象不存在或不在您的管辖范围内"}
    assert client.patch(f"{URL}/{station.pk}", {"manager_name": "张三"}, JSON).status_code == 404
    assert (
        client.post(f"{URL}/{station.pk}/transition", {"to_state": "suspended", "reason": "x"}, JSON).status_code == 404
    )
    assert (
        client.post(
            f"{URL}/bulk-transition", {"ids": [station.pk], "to_state": "suspended", "reason": "x"}, JSON
        ).status_code
        == 404
    )
    kept = Position.objects.get(pk=station.pk)
    assert (kept.state, kept.manager_name) == (PositionState.OPERATING, "")
