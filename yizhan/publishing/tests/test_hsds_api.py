"""/api/v1/hsds (issue 20 §1): HSDS 3.0 shapes validated against HSDS's OpenAPI document and
schemas, only what the public may see, WGS-84, the list parameters and their bad values."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from yizhan.core.geo.crs import gcj02_to_wgs84
from yizhan.core.testing.shared import assert_same_as_shared, require_shared, shared_path
from yizhan.positions import services
from yizhan.positions.choices import PositionState
from yizhan.publishing import api as hsds_api
from yizhan.publishing.records import service_id_of
from yizhan.publishing.tests.hsds_schemas import OURS, errors_of, registry, response_validator, table_validator

URL = "/api/v1/hsds"


@pytest.fixture
def registry_positions(make_position, zs_admin):
    """Two operating stations and a suspended one in 中山区, one in 西岗区, and a planned and a
    delisted one (never public)."""
    operating = make_position(state=PositionState.OPERATING, short_name="青泥洼桥", public_phone="0411-82345678")
    other = make_position(state=PositionState.OPERATING, short_name="人民路", always_open=True)
    suspended = make_position(state=PositionState.OPERATING, short_name="修缮中")
    services.position_transition(actor=zs_admin, position=suspended, to_state=PositionState.SUSPENDED, reason="修缮")
    planned = make_position(short_name="规划站")
    delisted = make_position(state=PositionState.OPERATING, short_name="已摘牌")
    services.position_transition(actor=zs_admin, position=delisted, to_state=PositionState.DELISTED, reason="撤站")
    return {"operating": operating, "other": other, "suspended": suspended, "planned": planned, "delisted": delisted}


def get(client, path, **params):
    response = client.get(URL + path, params)
    return response, (json.loads(response.content) if response.status_code not in (304,) and response.content else None)


def test_services_lists_the_public_registry_valid_against_hsds(client, registry_positions):
    response, body = get(client, "/services")
    assert response.status_code == 200
    assert errors_of(response_validator("/services"), body) == []
    names = {s["alternate_name"]: s for s in body["contents"]}
    assert set(names) == {"青泥洼桥", "人民路", "修缮中"}  # planned and delisted never appear
    assert names["修缮中"]["status"] == "temporarily closed" and names["修缮中"]["alert"] == "修缮"
    assert names["青泥洼桥"]["status"] == "active"
    assert body["total_items"] == 3 and body["page_number"] == 1 and body["first_page"] and body["last_page"]
    # A list holds one-to-one fields only (HSDS `service_list`).
    assert not any(isinstance(v, list | dict) for s in body["contents"] for v in s.values())


def test_a_service_is_fully_nested_in_wgs84_and_valid(client, registry_positions):
    position = registry_positions["operating"]
    response, body = get(client, f"/services/{service_id_of(position.code)}")
    assert response.status_code == 200
    assert errors_of(table_validator("service"), body) == []
    (link,) = body["service_at_locations"]
    expected = gcj02_to_wgs84(position.lng, position.lat)
    assert (link["location"]["longitude"], link["location"]["latitude"]) == pytest.approx(expected, abs=1e-7)
    assert body["organization"]["name"] == "中山区总工会"
    assert [p["number"] for p in body["phones"]] == ["0411-82345678"]
    assert body["last_modified"].endswith("Z")
    # Nothing the public may not see: the manager's name and mobile are not in the record.
    text = json.dumps(body, ensure_ascii=False)
    assert position.manager_name == "" or position.manager_name not in text


def test_a_service_against_hsds_compiled_schema_when_shared_is_present(client, registry_positions):
    compiled = shared_path("data/hsds/compiled/service.json")
    require_shared(compiled)
    validator = Draft202012Validator(json.loads(compiled.read_text()), format_checker=FormatChecker())
    _response, body = get(client, f"/services/{service_id_of(registry_positions['other'].code)}")
    assert errors_of(validator, body) == []


@pytest.mark.parametrize("which", ["planned", "delisted"])
def test_a_service_the_public_may_not_see_is_404(client, registry_positions, which):
    response, body = get(client, f"/services/{service_id_of(registry_positions[which].code)}")
    assert response.status_code == 404 and body["detail"] == str(hsds_api.SERVICE_NOT_FOUND)


def test_hours_exceptions_are_in_the_record(client, registry_positions, zs_admin):
    from yizhan.positions.hours_exceptions import hours_exception_create

    position = registry_positions["operating"]
    day = timezone.localdate() + timedelta(days=3)
    hours_exception_create(actor=zs_admin, position=position, start=day, end=day, reason="国庆休息")
    _response, body = get(client, f"/services/{service_id_of(position.code)}")
    (closed,) = [s for s in body["schedules"] if s.get("valid_from")]
    assert closed["valid_from"] == closed["valid_to"] == day.isoformat()
    assert closed["description"] == "国庆休息" and "关闭" in closed["notes"]
    assert errors_of(table_validator("service"), body) == []


def test_minimal_streams_every_service_in_one_page(client, registry_positions):
    response = client.get(URL + "/services", {"minimal": "true"})
    assert response.status_code == 200 and response.streaming
    body = json.loads(b"".join(response.streaming_content))
    assert errors_of(response_validator("/services"), body) == []
    assert body["total_items"] == body["size"] == 3 and body["total_pages"] == 1
    assert all(set(s) == {"id", "name", "status", "last_modified"} for s in body["contents"])
    # With per_page: pages of minimal services.
    _response, paged = get(client, "/services", minimal="true", per_page=2, page=2)
    assert paged["size"] == 1 and paged["last_page"] and paged["total_pages"] == 2


def test_pages_search_and_organization(client, registry_positions, dalian_map):
    _r, first = get(client, "/services", per_page=2)
    _r, second = get(client, "/services", per_page=2, page=2)
    assert first["size"] == 2 and not first["last_page"] and second["size"] == 1 and second["last_page"]
    assert {s["id"] for s in first["contents"]} | {s["id"] for s in second["contents"]} == {
        service_id_of(registry_positions[k].code) for k in ("operating", "other", "suspended")
    }
    _r, beyond = get(client, "/services", per_page=2, page=5)
    assert beyond["empty"] and beyond["contents"] == []
    _r, found = get(client, "/services", search="泥洼")
    assert [s["alternate_name"] for s in found["contents"]] == ["青泥洼桥"]
    _r, organizations = get(client, "/organizations")
    assert errors_of(response_validator("/organizations"), organizations) == []
    assert [o["name"] for o in organizations["contents"]] == ["中山区总工会"]
    _r, of_it = get(client, "/services", organization_id=organizations["contents"][0]["id"])
    assert of_it["total_items"] == 3


def test_service_at_locations_and_taxonomies(client, registry_positions):
    response, body = get(client, "/service_at_locations")
    assert response.status_code == 200
    assert errors_of(response_validator("/service_at_locations"), body) == []
    assert body["total_items"] == 3 and all("location" in link for link in body["contents"])
    response, body = get(client, "/taxonomies")
    assert errors_of(response_validator("/taxonomies"), body) == []
    assert [t["name"] for t in body["contents"]] == ["阵地类型", "设施", "六服务", "服务对象"]


def test_modified_after(client, registry_positions, zs_admin):
    get(client, "/services")  # published now
    later = timezone.now()
    position = registry_positions["other"]
    services.position_update(actor=zs_admin, position=position, address="中山区人民路 1 号")
    _r, body = get(client, "/services", modified_after=later.isoformat())
    assert [s["alternate_name"] for s in body["contents"]] == ["人民路"]
    _r, body = get(client, "/services", modified_after=(later - timedelta(days=1)).date().isoformat())
    assert body["total_items"] == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "1000000"}, "per_page"),
        ({"per_page": "abc"}, "per_page"),
        ({"page": "0"}, "page"),
        ({"minimal": "yes please"}, "minimal"),
        ({"modified_after": "not a date"}, "modified_after"),
        ({"modified_after": "2026-13-45"}, "modified_after"),
        ({"modified_after": "2999-01-01T00:00:00+08:00"}, "modified_after"),
    ],
)
def test_bad_parameters_answer_a_clear_json_error(client, registry_positions, params, field):
    response, body = get(client, "/services", **params)
    assert response.status_code == 400
    assert body["field"] == field and body["detail"]


def test_an_unchanged_list_answers_304(client, registry_positions, zs_admin):
    response, _body = get(client, "/services", per_page=10)
    etag, last_modified = response["ETag"], response["Last-Modified"]
    again = client.get(URL + "/services", {"per_page": 10}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    since = client.get(URL + "/services", {"per_page": 10}, headers={"If-Modified-Since": last_modified})
    assert since.status_code == 304
    # Another query has another tag.
    other, _ = get(client, "/services", per_page=11)
    assert other["ETag"] != etag
    # A published change changes every tag.
    services.position_update(actor=zs_admin, position=registry_positions["operating"], short_name="青泥洼")
    changed = client.get(URL + "/services", {"per_page": 10}, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    # A change the public cannot see (a planned position) changes nothing published.
    tag = changed["ETag"]
    services.position_update(actor=zs_admin, position=registry_positions["planned"], short_name="规划中")
    assert client.get(URL + "/services", {"per_page": 10}, headers={"If-None-Match": tag}).status_code == 304


def test_the_api_is_in_the_openapi_document(client):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    for path in ("/services", "/services/{service_id}", "/service_at_locations", "/organizations", "/taxonomies"):
        assert f"/api/v1/hsds{path}" in schema["paths"]
    assert registry()  # the shipped documents load


def test_the_shipped_hsds_documents_are_those_of_shared():
    assert_same_as_shared(OURS, "data/hsds", "openapi.json", every_file=False)
    assert_same_as_shared(OURS / "compiled", "data/hsds/compiled", "*_list.json")


@given(
    name=st.text(max_size=30),
    status=st.sampled_from(["active", "temporarily closed"]),
    moment=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
)
def test_a_minimal_service_written_directly_is_the_encoded_one(name, status, moment):
    row = (service_id_of("DL-001"), name, status, moment)
    assert hsds_api._minimal_text(row) == hsds_api._dumps(hsds_api._minimal(row))
    assert json.loads(hsds_api._minimal_text(row))["name"] == name
