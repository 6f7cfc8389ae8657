"""Every error under /api/ is JSON {"detail": "<中文说明>"} and documented (issue 13 §3, §5).

- Bodies: too deep, too large or not JSON answer 400 with the shared reader's Chinese message,
  on the public feedback (which reads its body itself) and on the schema-typed staff endpoints
  (ninja's parser), with DEBUG on or off.
- Paths: no route, a converter that refuses (-1, abc), the API's root: JSON 404, never Django's
  technical page with the URL list; a method an operation does not take: JSON 405 with `Allow`.
- The server's own failure: JSON 500 without the traceback; Django's error handlers answer JSON
  under /api/ for what fails before the API's views.
- The schema: every operation documents 400, 422 with its schema where it takes input, 404 where
  its path has parameters, 401 and 403 where it needs a login.
"""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import get_resolver

from yizhan.core.errors import BAD_REQUEST, METHOD_NOT_ALLOWED, SERVER_ERROR
from yizhan.core.json_body import BODY_NOT_JSON, BODY_TOO_DEEP, BODY_TOO_LARGE, MAX_DEPTH
from yizhan.core.roles import Role
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE

pytestmark = pytest.mark.django_db

JSON = "application/json"
DEEP = "[" * 1_000 + "]" * 1_000
DEEP_OBJECT = '{"position_id": ' + '{"a": ' * 1_000 + "1" + "}" * 1_000 + ', "rating": 5}'
FEEDBACK = "/api/v1/public/feedback"


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings):
    """Both ways Django answers errors: its handlers, or with DEBUG its technical pages."""
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def staff(dalian, make_user, login):
    return login(make_user(Role.UNIT_ADMIN, dalian["zs"]))


def error(response, status: int) -> str:
    """The answer's Chinese message, once it is the API's JSON error with that status."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith(JSON), response["Content-Type"]
    body = json.loads(response.content)
    assert isinstance(body["detail"], str)
    for leak in ("Traceback", "urlpatterns", "URLconf", "Cannot parse", "RecursionError", "recursion"):
        assert leak not in response.content.decode()
    return body["detail"]


# ------------------------------------------------------------------ bodies


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_a_deeply_nested_feedback_answers_400(client, debug, body):
    assert error(client.post(FEEDBACK, body, JSON), 400) == BODY_TOO_DEEP.format(depth=MAX_DEPTH)


def test_an_oversized_feedback_answers_400(client, debug, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"position_id": 1, "rating": 5, "text": "饮水机" * 400})
    assert error(client.post(FEEDBACK, body, JSON), 400) == BODY_TOO_LARGE.format(limit=1_000)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/api/v1/positions/1"),
        ("post", "/api/v1/positions"),
        ("post", "/api/v1/units"),
        ("post", "/api/v1/positions/1/hours-exceptions"),
        ("post", "/api/v1/me/active-membership"),
    ],
)
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_a_deeply_nested_body_to_a_typed_endpoint_answers_400_in_chinese(staff, debug, method, path, body):
    response = getattr(staff, method)(path, body, JSON)
    assert error(response, 400) == BODY_TOO_DEEP.format(depth=MAX_DEPTH)


@pytest.mark.parametrize("content_type", [JSON, "text/plain"])
def test_an_oversized_body_to_a_typed_endpoint_answers_400(staff, debug, settings, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"name": "x" * 2_000})
    response = staff.patch("/api/v1/positions/1", body, content_type)
    assert error(response, 400) == BODY_TOO_LARGE.format(limit=1_000)


def test_a_body_that_is_not_json_answers_400_in_chinese(staff, debug):
    assert error(staff.post("/api/v1/units", "{not json", JSON), 400) == BODY_NOT_JSON


def test_a_body_within_the_limits_still_reaches_validation(staff):
    response = staff.post("/api/v1/units", json.dumps({"name": [[[["x"]]]]}), JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


# ------------------------------------------------------------------ paths and methods


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/public/positions/-1",
        "/api/v1/public/positions/abc",
        "/api/v1/positions/not-a-number/history",
        "/api/v1/no-such-thing",
        "/api/v1/",
        "/api/v2/positions",
    ],
)
def test_a_path_no_route_takes_answers_the_json_404(client, debug, path):
    assert error(client.get(path), 404) == OUT_OF_SCOPE_MESSAGE


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/v1/public/nearby", "GET"),
        ("put", FEEDBACK, "POST"),
        ("put", "/api/v1/units/1", None),
    ],
)
def test_a_method_an_operation_does_not_take_answers_the_json_405(client, debug, method, path, allowed):
    response = getattr(client, method)(path)
    assert error(response, 405) == METHOD_NOT_ALLOWED.format(method=method.upper())
    assert response["Allow"]
    if allowed:
        assert response["Allow"] == allowed


def test_a_failure_of_the_server_answers_the_json_500(dalian, make_user, debug, monkeypatch):
    def broken():
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr("yizhan.core.api.audit_verify", broken)
    client = Client(raise_request_exception=False)
    client.force_login(make_user(Role.AUDITOR, dalian["city"]))
    response = client.get("/api/v1/audit/verify")
    assert error(response, 500) == SERVER_ERROR
    assert "secret detail" not in response.content.decode()


def test_a_failure_of_the_server_still_reaches_the_test_client(dalian, make_user, login, monkeypatch):
    def broken():
        raise RuntimeError("the failure")

    monkeypatch.setattr("yizhan.core.api.audit_verify", broken)
    with pytest.raises(RuntimeError, match="the failure"):
        login(make_user(Role.AUDITOR, dalian["city"])).get("/api/v1/audit/verify")


def test_an_error_raised_before_any_view_answers_json_under_the_api(client):
    """Django's handlers (an unknown host is refused in CommonMiddleware, above the API)."""
    assert error(client.get("/api/v1/public/nearby", HTTP_HOST="evil.example"), 400) == BAD_REQUEST
    page = client.get("/", HTTP_HOST="evil.example")
    assert page.status_code == 400 and not page["Content-Type"].startswith(JSON)


@pytest.mark.parametrize(("status", "message"), [(403, FORBIDDEN_MESSAGE), (500, SERVER_ERROR)])
def test_djangos_other_error_handlers_answer_json_under_the_api(rf, status, message):
    handler = get_resolver().resolve_error_handler(status)
    arguments = () if status == 500 else (PermissionDenied(),)
    assert error(handler(rf.get("/api/v1/units"), *arguments), status) == message
    assert not handler(rf.get("/staff/"), *arguments)["Content-Type"].startswith(JSON)


# ------------------------------------------------------------------ the schema


@pytest.fixture(scope="module")
def operations():
    schema = Client().get("/api/v1/openapi.json").json()
    return schema, [
        (f"{method.upper()} {path}", operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def _resolve(schema, reference: dict) -> dict:
    return schema["components"]["schemas"][reference["$ref"].rsplit("/", 1)[1]]


def test_every_operation_documents_the_errors_the_api_answers_for_it(operations):
    schema, labelled = operations
    missing = []
    for label, operation in labelled:
        expected = {"400"}
        parameters = operation.get("parameters", [])
        if parameters or "requestBody" in operation:
            expected.add("422")
        if any(p["in"] == "path" for p in parameters):
            expected.add("404")
        if operation.get("security"):
            expected |= {"401", "403"}
        for status in sorted(expected - set(operation["responses"])):
            missing.append(f"{label} {status}")
        for status in expected & set(operation["responses"]):
            documented = operation["responses"][status]["content"][JSON]["schema"]
            # One of the shapes (the import's 400 is its report or the error) carries `detail`.
            shapes = [_resolve(schema, shape) for shape in documented.get("anyOf", [documented])]
            assert any("detail" in shape["properties"] for shape in shapes), (label, status)
    assert missing == []
    assert len(labelled) > 30


def test_the_422_of_a_typed_operation_documents_its_list_of_fields(operations, staff):
    schema, labelled = operations
    documented = dict(labelled)["POST /api/v1/units"]["responses"]["422"]["content"][JSON]["schema"]
    detail = _resolve(schema, documented)["properties"]["detail"]
    assert detail["type"] == "array"
    issue = _resolve(schema, detail["items"])
    assert {"loc", "msg", "type"} <= set(issue["required"])
    answered = staff.post("/api/v1/units", json.dumps({"name": 5}), JSON)
    assert answered.status_code == 422
    assert all({"loc", "msg", "type"} <= set(item) for item in answered.json()["detail"])
