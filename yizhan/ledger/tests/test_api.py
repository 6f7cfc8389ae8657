"""The feedback API: the public POST /api/v1/public/feedback (no login, no CSRF, Chinese errors,
429 with Retry-After) beside the finder's /public routes, the staff's scoped reading with the
phone masked (full only through the audited reveal), and handling (POST /feedback/{id}/transition)."""

import json

import pytest
from django.test import Client

from yizhan.core import workflow
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.ledger import services
from yizhan.ledger.api import FIELD_MISSING, FIELD_WRONG_TYPE
from yizhan.ledger.choices import FeedbackSource
from yizhan.ledger.models import Feedback, FeedbackStatusChange
from yizhan.ledger.tests.factories import FeedbackFactory
from yizhan.positions.choices import PositionState

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/feedback"


@pytest.fixture
def public():
    """An anonymous client that enforces CSRF like a browser would (a mini-program sends no token)."""
    return Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.50")


def _post(client, body, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", **extra)


def test_a_submission_answers_201_with_its_id_and_time(public, station):
    r = _post(public, {"position_id": station.pk, "rating": 5, "text": "很干净", "phone": "13800000000"})
    assert r.status_code == 201, r.content
    body = r.json()
    feedback = Feedback.objects.get()
    assert set(body) == {"id", "created_at"}
    assert body["id"] == feedback.pk
    assert feedback.source == FeedbackSource.API
    assert (feedback.rating, feedback.text, feedback.phone) == (5, "很干净", "13800000000")
    assert r["Cache-Control"] == "no-store"


def test_only_a_rating_or_only_a_text_is_enough(public, station, make_position):
    other = make_position(state=PositionState.OPERATING)
    assert _post(public, {"position_id": station.pk, "rating": 3}).status_code == 201
    assert _post(public, {"position_id": other.pk, "text": "希望早点开门", "rating": None}).status_code == 201


def test_the_address_is_stored_only_as_its_key(public, station):
    _post(public, {"position_id": station.pk, "rating": 4})
    row = Feedback.objects.values().get()
    assert "203.0.113.50" not in json.dumps(row, default=str)
    assert row["client_key"] == services.client_key("203.0.113.50")


def test_a_signed_in_staff_session_is_not_needed_nor_used(station, zs_admin, login):
    client = login(zs_admin.user)
    client.handler.enforce_csrf_checks = True
    r = _post(client, {"position_id": station.pk, "rating": 4})
    assert r.status_code == 201
    entry = AuditEntry.objects.get(object_type="ledger.feedback")
    assert entry.actor_id is None and entry.actor_name == services.PUBLIC_ACTOR_NAME


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"rating": 9}, "rating", services.RATING_INVALID),
        ({"rating": 0}, "rating", services.RATING_INVALID),
        ({"rating": None, "text": "   "}, "text", services.CONTENT_MISSING),
        ({"text": "字" * 501}, "text", services.TEXT_TOO_LONG.format(max=500, length=501)),
        ({"phone": "12"}, "phone", services.PHONE_INVALID),
    ],
)
def test_a_value_breaking_a_rule_answers_400_naming_the_field_in_chinese(public, station, body, field, message):
    r = _post(public, {"position_id": station.pk, "rating": 5, **body})
    assert r.status_code == 400
    assert r.json()["field"] == field
    assert r.json()["detail"] == str(message)
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("state", [PositionState.PLANNED, PositionState.BUILDING, PositionState.DELISTED])
def test_a_position_not_open_to_the_public_answers_404(public, make_position, state):
    position = make_position(state=state, state_reason="撤销" if state == PositionState.DELISTED else "")
    r = _post(public, {"position_id": position.pk, "rating": 5})
    assert r.status_code == 404
    assert r.json()["detail"] == str(services.POSITION_NOT_PUBLIC)


def test_an_unknown_position_answers_404(public, station):
    assert _post(public, {"position_id": station.pk + 1000, "rating": 5}).status_code == 404
    assert _post(public, {"position_id": 2**80, "rating": 5}).status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"rating": 5}, "position_id", FIELD_MISSING.format(name="position_id")),
        ({"position_id": "abc", "rating": 5}, "position_id", None),
        ({"position_id": True, "rating": 5}, "position_id", None),
        ({"position_id": 1, "rating": "五"}, "rating", None),
        ({"position_id": 1, "rating": 4.5}, "rating", None),
        ({"position_id": 1, "rating": True}, "rating", None),
        ({"position_id": 1, "rating": 5, "text": 12}, "text", None),
        ({"position_id": 1, "rating": 5, "phone": 13800000000}, "phone", None),
    ],
)
def test_a_field_of_the_wrong_type_answers_422_in_chinese(public, body, field, message):
    r = _post(public, body)
    assert r.status_code == 422
    assert r.json()["field"] == field
    detail = r.json()["detail"]
    if message is not None:
        assert detail == str(message)
    else:
        assert detail.startswith(str(FIELD_WRONG_TYPE).split("{")[0]) and field in detail
    assert not any("a" <= ch <= "z" for ch in detail.replace(field, ""))  # no pydantic English


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '"text"', "", "{"])
def test_a_body_that_is_not_a_json_object_answers_422(public, raw):
    r = _post(public, raw)
    assert r.status_code == 422
    assert r.json()["field"] is None
    assert "JSON" in r.json()["detail"]


def test_over_the_limit_answers_429_with_retry_after(public, station):
    assert _post(public, {"position_id": station.pk, "rating": 5}).status_code == 201
    r = _post(public, {"position_id": station.pk, "rating": 4})
    assert r.status_code == 429
    assert 3500 < int(r["Retry-After"]) <= 3600
    assert r.json()["retry_after"] == int(r["Retry-After"])
    assert "该阵地" in r.json()["detail"]
    assert Feedback.objects.count() == 1


def test_the_limit_follows_the_trusted_proxy_address(station, settings):
    settings.YIZHAN_TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    first = _post(proxy, {"position_id": station.pk, "rating": 5}, HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = _post(proxy, {"position_id": station.pk, "rating": 5}, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert (first.status_code, second.status_code) == (201, 201)


def test_the_schema_lists_the_endpoint_beside_the_finders(public):
    schema = public.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/public/nearby" in paths
    assert "/api/v1/public/feedback" in paths
    operation = paths["/api/v1/public/feedback"]["post"]
    assert "security" not in operation or operation["security"] in ([], [{}])
    assert set(operation["responses"]) >= {"201", "400", "404", "422", "429"}
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    body = operation["requestBody"]["content"]["application/json"]
    assert set(body["schema"]["properties"]) == {"position_id", "rating", "text", "phone"}
    assert body["examples"]
    assert "/api/v1/feedback" in paths and "/api/v1/feedback/{feedback_id}/phone" in paths


def test_the_finder_still_answers_beside_the_feedback_routes(public):
    r = public.get("/api/v1/public/nearby", {"lat": 38.9187, "lng": 121.6437})
    assert r.status_code == 200


# --- staff reading ----------------------------------------------------------------------


@pytest.fixture
def given(station):
    def make(**values):
        return FeedbackFactory(position=station, **values)

    return make


def test_the_staff_list_masks_phones_and_hides_the_client_key(given, zs_admin, login):
    given(phone="13812345678")
    given(phone="0411-82345678")
    given(phone="")
    r = login(zs_admin.user).get("/api/v1/feedback")
    assert r.status_code == 200
    items = r.json()["items"]
    assert sorted(item["phone"] for item in items) == ["", "0411-****5678", "138****5678"]
    assert "13812345678" not in r.content.decode() and "82345678" not in r.content.decode()
    assert all("client_key" not in item for item in items)
    assert items[0]["position_name"]


def test_the_staff_detail_masks_the_phone_too(given, zs_admin, login):
    feedback = given()
    r = login(zs_admin.user).get(f"/api/v1/feedback/{feedback.pk}")
    assert r.status_code == 200 and r.json()["phone"] == "138****5678"


def test_the_list_filters_by_position_and_status(given, zs_admin, login, make_position):
    other = make_position(state=PositionState.OPERATING)
    mine = given()
    FeedbackFactory(position=other, rating=1, text="", phone="", source=FeedbackSource.API, status="resolved")
    client = login(zs_admin.user)
    assert [i["id"] for i in client.get("/api/v1/feedback", {"position": mine.position_id}).json()["items"]] == [
        mine.pk
    ]
    assert [i["status"] for i in client.get("/api/v1/feedback", {"status": "resolved"}).json()["items"]] == ["resolved"]


def test_revealing_the_phone_is_audited(given, dalian_map, make_actor, login):
    feedback = given()
    manager = make_actor(Role.STATION_MANAGER, dalian_map["zs"])
    r = login(manager.user).post(f"/api/v1/feedback/{feedback.pk}/phone")
    assert r.status_code == 200 and r.json() == {"phone": "13812345678"}
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL, object_type="ledger.feedback")
    assert entry.object_id == str(feedback.pk) and entry.actor_id == manager.user.pk
    assert entry.after == {"revealed": "phone"}


def test_revealing_outside_the_scope_answers_404(given, dalian_map, make_actor, login):
    feedback = given()
    xg_admin = make_actor(Role.UNIT_ADMIN, dalian_map["xg"])
    r = login(xg_admin.user).post(f"/api/v1/feedback/{feedback.pk}/phone")
    assert r.status_code == 404
    assert not AuditEntry.objects.filter(action__in=[AuditAction.REVEAL, AuditAction.EXPORT]).exists()


def test_the_staff_api_needs_a_login(given):
    assert Client().get("/api/v1/feedback").status_code == 401


def test_the_staff_reveal_still_needs_the_csrf_token(given, zs_admin, login):
    # The public endpoint's missing CSRF check is its own (auth=None), not a hole in the API.
    feedback = given()
    client = login(zs_admin.user)
    client.handler.enforce_csrf_checks = True
    assert client.post(f"/api/v1/feedback/{feedback.pk}/phone").status_code == 403


# --- handling ------------------------------------------------------------------------------------

JSON = "application/json"


def _handle(client, feedback, body):
    return client.post(f"/api/v1/feedback/{feedback.pk}/transition", body, content_type=JSON)


def test_handling_through_the_api_and_its_history(given, zs_admin, login):
    feedback = given()
    client = login(zs_admin.user)
    read = _handle(client, feedback, {"to_state": "read"})
    assert read.status_code == 200, read.content
    assert read.json()["status"] == "read" and read.json()["phone"] == "138****5678"
    resolved = _handle(client, feedback, {"to_state": "resolved", "reason": "已电话回复，饮水机已维修"})
    assert resolved.json()["status"] == "resolved"

    history = client.get(f"/api/v1/feedback/{feedback.pk}/history")
    assert history.status_code == 200
    assert [(h["from_state"], h["to_state"], h["reason"], h["actor_name"]) for h in history.json()] == [
        ("new", "read", "", zs_admin.user.username),
        ("read", "resolved", "已电话回复，饮水机已维修", zs_admin.user.username),
    ]
    assert AuditEntry.objects.filter(object_type="ledger.feedback", action=AuditAction.UPDATE).count() == 2


def test_a_refused_move_answers_400_naming_the_field(given, zs_admin, login):
    feedback = given(status="resolved")
    client = login(zs_admin.user)
    illegal = _handle(client, feedback, {"to_state": "new"})
    assert illegal.status_code == 400
    assert illegal.json() == {
        "detail": workflow.TRANSITION_NOT_ALLOWED.format(from_state="已处理", to_state="未读"),
        "field": "to_state",
    }
    no_reason = _handle(client, feedback, {"to_state": "read", "reason": " "})
    assert no_reason.status_code == 400
    assert no_reason.json() == {"detail": workflow.REASON_MISSING.format(to_state="已读"), "field": "reason"}
    assert Feedback.objects.get(pk=feedback.pk).status == "resolved"
    assert not FeedbackStatusChange.objects.exists()


@pytest.mark.parametrize(
    "body", [{"to_state": "closed"}, {}, {"to_state": "resolved", "reason": "长" * 256}, {"to_state": 1}]
)
def test_a_body_outside_the_schema_answers_422(given, zs_admin, login, body):
    feedback = given()
    assert _handle(login(zs_admin.user), feedback, body).status_code == 422
    assert Feedback.objects.get(pk=feedback.pk).status == "new"


@pytest.mark.parametrize(
    ("role", "unit"), [(Role.UNIT_ADMIN, "xg"), (Role.STATION_MANAGER, "xg"), (Role.UNIT_ADMIN, "industry")]
)
def test_handling_across_units_answers_404(given, dalian_map, make_actor, login, role, unit):
    feedback = given()
    client = login(make_actor(role, dalian_map[unit]).user)
    assert _handle(client, feedback, {"to_state": "read"}).status_code == 404
    assert client.get(f"/api/v1/feedback/{feedback.pk}/history").status_code == 404
    assert Feedback.objects.get(pk=feedback.pk).status == "new"
    assert not FeedbackStatusChange.objects.exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.AUDITOR, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN])
def test_roles_that_do_not_handle_feedback_answer_403_or_404(given, dalian_map, make_actor, login, role):
    # They may not read feedback at all, so it does not exist for them (404) — never 200.
    feedback = given()
    client = login(make_actor(role, dalian_map["zs"]).user)
    assert _handle(client, feedback, {"to_state": "read"}).status_code in (403, 404)
    assert Feedback.objects.get(pk=feedback.pk).status == "new"


def test_the_station_manager_of_its_unit_handles_it_through_the_api(given, dalian_map, make_actor, login):
    feedback = given()
    client = login(make_actor(Role.STATION_MANAGER, dalian_map["zs"]).user)
    assert _handle(client, feedback, {"to_state": "resolved", "reason": "已回复"}).status_code == 200


def test_handling_needs_the_csrf_token(given, zs_admin, login):
    feedback = given()
    client = login(zs_admin.user)
    client.handler.enforce_csrf_checks = True
    assert _handle(client, feedback, {"to_state": "read"}).status_code == 403
    assert Feedback.objects.get(pk=feedback.pk).status == "new"
