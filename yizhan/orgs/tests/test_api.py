"""The orgs endpoints of /api/v1 beyond the scope matrix: identity, switching, regions, bad input."""

import json

import pytest

from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs.imports.regions import region_import
from yizhan.orgs.models import Region, Unit
from yizhan.orgs.services import CHILD_TYPE_NOT_ALLOWED, CODE_UNAVAILABLE
from yizhan.orgs.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fed_admin(dalian, make_user):
    user = make_user(Role.FEDERATION_ADMIN, dalian["city"], username="fed")
    MembershipFactory(user=user, unit=dalian["zs"], role=Role.UNIT_ADMIN)
    return user


def test_anonymous_requests_get_a_json_401(client, dalian):
    for url in ["/api/v1/me", "/api/v1/units", f"/api/v1/units/{dalian['zs'].pk}", "/api/v1/regions", "/api/v1/audit"]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json() == {"detail": "请先登录"}


def test_me_lists_memberships_and_switching_changes_the_scope(fed_admin, dalian, login):
    client = login(fed_admin)
    me = client.get("/api/v1/me").json()
    assert me["username"] == "fed"
    assert [m["unit_name"] for m in me["memberships"]] == ["大连市总工会", "中山区总工会"]
    assert me["active"]["role"] == Role.FEDERATION_ADMIN
    assert len(client.get("/api/v1/units").json()["items"]) == 4

    district_role = next(m for m in me["memberships"] if m["role"] == Role.UNIT_ADMIN)
    switched = client.post("/api/v1/me/active-membership", {"membership_id": district_role["id"]}, "application/json")
    assert switched.status_code == 200
    assert switched.json()["active"]["unit_name"] == "中山区总工会"
    assert [u["name"] for u in client.get("/api/v1/units").json()["items"]] == ["中山区总工会", "青泥洼桥街道工会"]
    assert AuditEntry.objects.filter(action=AuditAction.SWITCH_UNIT, actor_name="fed").exists()


def test_switching_to_someone_elses_membership_is_404(fed_admin, dalian, make_user, login):
    other = make_user(Role.UNIT_ADMIN, dalian["xg"]).memberships.get()
    response = login(fed_admin).post("/api/v1/me/active-membership", {"membership_id": other.pk}, "application/json")
    assert response.status_code == 404
    assert login(fed_admin).get("/api/v1/me").json()["active"]["unit_name"] == "大连市总工会"


def test_unit_list_search_and_type_filter_stay_in_scope(dalian, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian["zs"]))
    assert [u["name"] for u in client.get("/api/v1/units", {"search": "街道"}).json()["items"]] == ["青泥洼桥街道工会"]
    assert client.get("/api/v1/units", {"search": "西岗"}).json()["items"] == []
    assert client.get("/api/v1/units", {"type": "district"}).json()["count"] == 1


@pytest.mark.parametrize("path", ["/api/v1/units", "/api/v1/regions", "/api/v1/positions", "/api/v1/audit"])
def test_an_offset_past_any_list_is_refused_as_input_not_a_server_error(dalian, make_user, login, path):
    # An offset over 2**63 - 1 cannot be bound by SQLite: it must stop at the input check.
    client = login(make_user(Role.FEDERATION_ADMIN, dalian["city"]))
    response = client.get(path, {"offset": 46165522243696108600320944829890560, "limit": 10})
    assert response.status_code == 422
    assert response.json()["detail"]
    assert client.get(path, {"offset": 10**9, "limit": 10}).status_code in (200, 403)


def test_unit_detail_hides_a_parent_outside_scope(dalian, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian["zs"]))
    own = client.get(f"/api/v1/units/{dalian['zs'].pk}").json()
    assert own["parent_id"] is None  # the city federation is above the actor: not revealed
    child = client.get(f"/api/v1/units/{dalian['street'].pk}").json()
    assert child["parent_id"] == dalian["zs"].pk
    assert child["region"] == {"adcode": "210200", "name": "大连市"}


def test_create_refuses_bad_input_with_clear_json_errors(dalian, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian["zs"]))
    base = {
        "parent_id": dalian["zs"].pk,
        "code": "NEW-1",
        "name": "新街道工会",
        "type": "street",
        "region_adcode": "210202",
    }

    duplicate = client.post("/api/v1/units", {**base, "code": "DL-XG"}, "application/json")
    assert duplicate.status_code == 400
    # 西岗区's code, outside this admin's scope: refused without a word on that unit (issue 13).
    assert duplicate.json()["detail"] == CODE_UNAVAILABLE.format(code="DL-XG")
    assert duplicate.json()["field"] == "code"

    wrong_type = client.post("/api/v1/units", {**base, "type": "district"}, "application/json")
    assert wrong_type.status_code == 400
    assert wrong_type.json()["detail"] == CHILD_TYPE_NOT_ALLOWED.format(
        parent="中山区总工会", parent_type="区总工会", child_type="区总工会"
    )

    bad_phone = client.post("/api/v1/units", {**base, "contact_phone": "电话abc"}, "application/json")
    assert bad_phone.status_code == 400
    assert bad_phone.json()["field"] == "contact_phone"

    for bad in [{**base, "type": "castle"}, {**base, "region_adcode": "21"}, {**base, "code": ""}, {"name": "x"}]:
        response = client.post("/api/v1/units", bad, "application/json")
        assert response.status_code == 422, bad
        assert "detail" in response.json()

    unknown_region = client.post("/api/v1/units", {**base, "region_adcode": "999999"}, "application/json")
    assert unknown_region.status_code == 404
    assert not Unit.objects.filter(code="NEW-1").exists()


def test_move_api_refuses_a_cycle_and_moves_a_subtree(dalian, make_user, make_unit, login):
    client = login(make_user(Role.FEDERATION_ADMIN, dalian["city"]))
    cycle = client.post(f"/api/v1/units/{dalian['zs'].pk}/move", {"parent_id": dalian["street"].pk}, "application/json")
    assert cycle.status_code == 400
    moved = client.post(f"/api/v1/units/{dalian['zs'].pk}/move", {"parent_id": dalian["xg"].pk}, "application/json")
    assert moved.status_code == 400  # a district union cannot sit below another district union
    street = client.post(
        f"/api/v1/units/{dalian['street'].pk}/move", {"parent_id": dalian["xg"].pk}, "application/json"
    )
    assert street.status_code == 200
    assert street.json()["parent_id"] == dalian["xg"].pk


def test_regions_list_detail_and_boundaries(dalian, make_user, login):
    Region.objects.filter(adcode="210202").update(
        boundary={"type": "Polygon", "coordinates": [[[121.6, 38.9], [121.7, 38.9], [121.7, 39.0], [121.6, 38.9]]]},
    )
    client = login(make_user(Role.STATION_MANAGER, dalian["street"]))
    listed = client.get("/api/v1/regions", {"parent": "210200"}).json()
    assert [r["adcode"] for r in listed["items"]] == ["210202", "210203"]
    assert client.get("/api/v1/regions/210202").json()["parent_adcode"] == "210200"
    assert client.get("/api/v1/regions/999999").status_code == 404

    gcj = client.get("/api/v1/regions/210200/boundaries").json()
    assert [f["properties"]["adcode"] for f in gcj["features"]] == ["210202"]
    wgs = client.get("/api/v1/regions/210200/boundaries", {"crs": "wgs84"}).json()
    gcj_lng = gcj["features"][0]["geometry"]["coordinates"][0][0][0]
    wgs_lng = wgs["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 0.003 < gcj_lng - wgs_lng < 0.008  # WGS-84 lies a few hundred metres west of GCJ-02 in Dalian
    assert client.get("/api/v1/regions/210200/boundaries", {"crs": "mercator"}).status_code == 422


def test_regions_need_a_role(dalian, login):
    roleless = UserFactory(username="nobody")
    assert login(roleless).get("/api/v1/regions/210200").status_code == 404


def test_audit_verify_endpoint_is_for_auditors(dalian, make_user, login):
    auditor = login(make_user(Role.AUDITOR, dalian["city"]))
    assert auditor.get("/api/v1/audit/verify").json()["ok"] is True
    admin = login(make_user(Role.FEDERATION_ADMIN, dalian["city"]))
    assert admin.get("/api/v1/audit/verify").status_code == 403


def test_openapi_schema_lists_every_endpoint(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/me",
        "/api/v1/me/active-membership",
        "/api/v1/units",
        "/api/v1/units/{unit_id}",
        "/api/v1/units/{unit_id}/move",
        "/api/v1/regions",
        "/api/v1/regions/{adcode}",
        "/api/v1/regions/{adcode}/boundaries",
        "/api/v1/memberships",
        "/api/v1/memberships/{membership_id}",
        "/api/v1/audit",
        "/api/v1/audit/verify",
    ]:
        assert path in paths, path


def test_reimport_refreshes_the_cached_boundaries(dalian, make_user, login, tmp_path):
    def square(size):
        ring = [[121.6, 38.9], [121.6 + size, 38.9], [121.6 + size, 38.9 + size], [121.6, 38.9 + size], [121.6, 38.9]]
        feature = {"type": "Feature", "properties": {"adcode": "210202", "name": "中山区", "level": "district"}}
        feature["geometry"] = {"type": "Polygon", "coordinates": [ring]}
        path = tmp_path / f"square-{size}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
        return path

    client = login(make_user(Role.UNIT_ADMIN, dalian["zs"]))
    region_import(square(0.01))
    first = client.get("/api/v1/regions/210200/boundaries").json()["features"][0]["geometry"]["coordinates"]
    region_import(square(0.02))
    second = client.get("/api/v1/regions/210200/boundaries").json()["features"][0]["geometry"]["coordinates"]
    assert first[0][2] == [121.61, 38.91]
    assert second[0][2] == [121.62, 38.92]
