"""Fuzz the JSON API against its own OpenAPI schema (issue 3, "Bad input"; issue 13 §5): schemathesis
generates valid and invalid requests for every operation of the public and the staff API, anonymous
and as a signed-in unit admin, and checks that no answer is a 5xx, that every status answered is
documented for its operation (401 and 422 included), and that each answer's content type, body and
headers match what the schema documents for that status.

The app is called in-process through its WSGI handler, on the test's database: a Django test
client's session cookie signs the admin in, and a fixed CSRF secret in cookie and header lets unsafe
methods through `django_auth`'s CSRF check. Bounded (few examples per operation, derandomised) so it
runs in `make test`: each operation's examples come from hypothesis's fixed derandomised seed,
so a run repeats the last one exactly.
"""

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.urls import get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from yizhan.core.roles import Role
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.conftest import XIGANG, dalian_map, make_position  # noqa: F401 (fixtures)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
CSRF_SECRET = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"  # 32 characters: an unmasked CSRF secret
FUZZ_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# Anonymous, a staff operation refuses every request alike before reading its input (401, or 403
# for a write without the CSRF token): a few examples show it.
REFUSED_SETTINGS = settings(FUZZ_SETTINGS, max_examples=3)

# The schema the app serves, fetched through its WSGI handler (no database needed for it). The
# operations become one test each, so a failure names its method and path.
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


@pytest.fixture
def fuzz_data(db, dalian_map, make_position):  # noqa: F811 (fixtures imported above)
    """A few positions in two districts, and the request signals kept from closing the test's
    transaction (as Django's test client does)."""
    make_position(state=PositionState.OPERATING, facilities=["drinking_water", "wifi"], public_phone="0411-82345678")
    make_position(always_open=True)
    make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1])
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_cookies(dalian_map, make_user):  # noqa: F811
    client = Client()
    client.force_login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_SECRET}


# The in-process WSGI transport hands back the body as sent, without decoding gzip (GZipMiddleware).
PLAIN = {"Accept-Encoding": "identity"}


def _cases(label: str):
    operation = OPERATIONS[label]
    return st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))


@pytest.mark.parametrize("label", OPERATIONS)
def test_anonymous_requests_never_fail_on_the_server(label, fuzz_data):
    needs_login = bool(OPERATIONS[label].definition.raw.get("security"))

    @(REFUSED_SETTINGS if needs_login else FUZZ_SETTINGS)
    @given(case=_cases(label))
    def run(case):
        case.call_and_validate(checks=CHECKS, headers=PLAIN)

    run()


@pytest.mark.parametrize("label", OPERATIONS)
def test_a_unit_admins_requests_never_fail_on_the_server(label, fuzz_data, admin_cookies):
    @FUZZ_SETTINGS
    @given(case=_cases(label))
    def run(case):
        case.call_and_validate(checks=CHECKS, cookies=admin_cookies, headers={**PLAIN, "X-CSRFToken": CSRF_SECRET})

    run()


def test_every_route_of_the_public_and_the_staff_api_is_fuzzed():
    """Each route under /api/v1/ (an operation left out of the schema would be missed) is one of
    the fuzzed operations' paths."""
    prefix = "api/v1/"
    api_urls = next(p for p in get_resolver().url_patterns if str(p.pattern) == prefix).url_patterns
    routes = {"/" + prefix + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(p.pattern)) for p in api_urls}
    routes -= {f"/{prefix}", f"/{prefix}openapi.json", f"/{prefix}docs"}
    fuzzed = {label.split(" ", 1)[1] for label in OPERATIONS}
    assert routes == fuzzed
    assert any(path.startswith("/api/v1/public/") for path in fuzzed)
    assert len(fuzzed - {p for p in fuzzed if p.startswith("/api/v1/public/")}) > 20


def test_a_path_no_api_route_matches_answers_the_json_error(client, db):
    response = client.get("/api/v1/positions/not-a-number/history")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "detail" in response.json()
    assert client.get("/staff/no-such-page/").status_code in (302, 404)
