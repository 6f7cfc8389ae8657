"""Security headers, CSRF and production settings (issue 5 §5).

Every URL pattern of the project is found by walking the resolver and requested with GET, its
parameters filled from the demo federation, anonymously and as staff: each answer (pages, JSON,
redirects, 403, 404, 405) must carry the strict Content-Security-Policy and the other headers. A new
page is covered the moment it is routed; a new parameter name fails the walk until `sample_value`
knows a value for it. The CSRF tests are generated the same way: every page refuses a POST without a
token, and every staff API operation with an unsafe method is refused without one.
"""

from __future__ import annotations

import functools
import io
import json
import re
import subprocess
import sys
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path
from PIL import Image

from yizhan.api import api
from yizhan.core.middleware_security import permissions_policy
from yizhan.core.testing.demo import demo_in_database
from yizhan.ledger.choices import FeedbackSource
from yizhan.ledger.services import feedback_submit
from yizhan.orgs.models import Membership, User
from yizhan.orgs.selectors import actor_for_user
from yizhan.positions.choices import PositionState
from yizhan.positions.hours_exceptions import hours_exception_create
from yizhan.positions.models import Position
from yizhan.positions.photos import position_photo_add
from yizhan.tests.test_settings import PROJECT_DIR, environment

# Each directive the policy must hold exactly; img-src is checked separately (it gains tile hosts).
STRICT_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
OTHER_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
PARAMETER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")
UNSAFE_METHODS = {"post", "put", "patch", "delete"}
# The only unsafe API operations without the session's CSRF check: public, no login, no cookie auth.
# Anyone may send feedback, report a problem, or object to a campaign's public notice (公示, spec §7):
# each abuse-limited like feedback (ledger/limits.py).
PUBLIC_UNSAFE_OPERATIONS = {
    ("post", "/api/v1/public/feedback"),
    ("post", "/api/v1/public/problem-reports"),
    ("post", "/api/v1/campaigns/1/objections"),
}
PUBLIC_POSITION_STATE = PositionState.OPERATING


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as directive → sources."""
    directives = {}
    for part in response.get("Content-Security-Policy", "").split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def header_problems(response) -> list[str]:
    """What is missing or too loose in the answer's security headers (empty when all is well)."""
    problems = []
    directives = policy(response)
    if not directives:
        return ["no Content-Security-Policy"]
    for directive, sources in STRICT_DIRECTIVES.items():
        if directives.get(directive) != sources:
            problems.append(f"{directive} is {directives.get(directive)}")
    img = directives.get("img-src", [])
    if img[:2] != ["'self'", "data:"] or any(s in {"*", "http:", "https:"} for s in img):
        problems.append(f"img-src is {img}")
    loose = [s for sources in directives.values() for s in sources if s.startswith("'unsafe-")]
    if loose:
        problems.append(f"unsafe sources {loose}")
    for header, value in OTHER_HEADERS.items():
        if response.get(header) != value:
            problems.append(f"{header} is {response.get(header)!r}")
    features = response.get("Permissions-Policy", "").split(", ")
    if "geolocation=(self)" not in features or "camera=()" not in features:
        problems.append(f"Permissions-Policy is {response.get('Permissions-Policy')!r}")
    return problems


def test_the_policy_as_written(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert header_problems(response) == []
    assert response["Permissions-Policy"].startswith("geolocation=(self), camera=(), microphone=()")


def test_permissions_policy_syntax():
    assert permissions_policy({"geolocation": ["self"], "camera": []}) == "geolocation=(self), camera=()"


@pytest.mark.parametrize(
    ("tiles", "tile_url", "expected"),
    [
        ("none", "", []),
        ("osm", "", ["https://tile.openstreetmap.org"]),
        ("amap", "", ["https://*.is.autonavi.com"]),
        ("tianditu", "", ["https://*.tianditu.gov.cn"]),
        ("osm", "http://tiles.intranet:8080/{z}/{x}/{y}.png", ["http://tiles.intranet:8080"]),
        ("osm", "https://{s}.tiles.example.cn/{z}/{x}/{y}.png", ["https://*.tiles.example.cn"]),
        ("osm", "/tiles/{z}/{x}/{y}.png", []),
    ],
)
def test_the_map_tile_server_may_serve_images_and_nothing_else(client, db, settings, tiles, tile_url, expected):
    settings.YIZHAN_MAP_TILES = tiles
    settings.YIZHAN_MAP_TILE_URL = tile_url
    directives = policy(client.get("/"))
    assert directives["img-src"] == ["'self'", "data:", *expected]
    assert directives["script-src"] == ["'self'"] and directives["connect-src"] == ["'self'"]


# --- The URL walk -----------------------------------------------------------------------------


def url_routes(patterns=None, prefix: str = "") -> list[str]:
    """Every route of the project as text (converters and named regex groups left in)."""
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            routes.extend(url_routes(pattern.url_patterns, text))
        elif isinstance(pattern, URLPattern):
            routes.append(text)
    return routes


def _load_demo() -> dict:
    demo_in_database()  # the shared snapshot (core.testing.demo): loaded once per process, then restored
    position = Position.objects.filter(state=PUBLIC_POSITION_STATE, unit__code="DL-ZS").order_by("pk").first()
    admin = actor_for_user(User.objects.get(username="zs_admin"))
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(picture, format="PNG")
    photo = position_photo_add(actor=admin, position=position, data=picture.getvalue())
    tomorrow = date.today() + timedelta(days=1)
    exception = hours_exception_create(actor=admin, position=position, start=tomorrow, end=tomorrow, reason="检修")
    feedback = feedback_submit(
        position_id=position.pk, rating=5, text="很好", source=FeedbackSource.PAGE, client="203.0.113.9"
    )
    return {
        "position": position,
        "unit": position.unit,
        "photo": photo,
        "exception": exception,
        "feedback": feedback,
        "membership": Membership.objects.filter(user__username="zs_admin").first(),
    }


@pytest.fixture(scope="module")
def demo_records(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo federation plus what it leaves out (a photo, an hours exception, a feedback), loaded
    once for this module inside a transaction rolled back at its end (as Django's setUpTestData
    does); each test runs in a savepoint inside it."""
    media = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), media, transaction.atomic():
        yield _load_demo()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_records, db) -> dict:
    """The records the walk fills route parameters with."""
    return demo_records


def sample_value(route: str, name: str, objects: dict) -> str:
    """A value for the parameter `name` of `route` that names a demo record (or a missing one)."""
    position, unit = objects["position"], objects["unit"]
    by_name = {
        "code": position.code,
        "position_id": position.pk,
        "unit_id": unit.pk,
        "parent_pk": unit.pk,
        "photo_pk": objects["photo"].pk,
        "exception_pk": objects["exception"].pk,
        "exception_id": objects["exception"].pk,
        "feedback_id": objects["feedback"].pk,
        "membership_id": objects["membership"].pk,
        "job_id": 1,  # no job in the demo: a missing one (404)
        "run_id": 10**6,  # a missing coverage or siting run (404)
        "ledger_id": 10**6,  # a missing day of the ledger (404)
        "report_id": 10**6,  # a missing problem report (404)
        "day": "2026-05-01",  # a day of the ledger
        "service_id": "00000000-0000-0000-0000-000000000000",  # a missing HSDS service (404)
        "partner_id": 10**6,  # a missing partner (404)
        "key_id": 10**6,  # a missing key of a partner (404)
        "key_pk": 10**6,
        "activity_id": 10**6,  # a missing activity (404)
        "standard_id": 10**6,  # a missing standard (404)
        "version_id": 10**6,  # a missing version of a standard (404)
        "item_id": 10**6,  # a missing item of a standard (404)
        "assessment_id": 10**6,  # a missing assessment (404)
        "rating_id": 10**6,  # a missing star rating (404)
        # Campaigns (issue 17): missing records (404).
        "campaign_id": 10**6,
        "step_id": 10**6,
        "quota_id": 10**6,
        "member_id": 10**6,
        "nomination_id": 10**6,
        "assignment_id": 10**6,
        "objection_id": 10**6,
        "honour_id": 10**6,
        "inspection_id": 10**6,  # a missing inspection (404)
        "draw_id": 10**6,  # a missing spot-check draw (404)
        "rectification_id": 10**6,  # a missing rectification (404)
        "grant_id": 10**6,  # a missing grant (404)
        "use_id": 10**6,  # a missing use of a grant (404)
        "project_id": 10**6,  # a missing service project (404)
        "organisation_id": 10**6,  # a missing social organisation (404)
        "application_id": 10**6,  # a missing application to a project (404)
        # Centre acceptance (issue 19 Part A): missing records (404); a document of the exports.
        "round_id": 10**6,
        "attachment_id": 10**6,
        "document": "form",
        "fmt": "xlsx",  # an export format (of a missing record: 404)
        "target_id": 10**6,  # a missing target (404)
        "platform": "amap",  # a map platform of the marking pages
        "adcode": unit.region.adcode,
        "token": "no-such-import",
        "app_label": "positions",
        "url": "no-such-page/",
        # A public photo: /media/ serves it to anyone, /files/ to staff in scope (anonymous: to login).
        "path": objects["photo"].image.name,
        "content_type_id": ContentType.objects.get_for_model(Position).pk,
    }
    if name in {"object_id", "pk"} and route.startswith("admin/") and not route.startswith("admin/r/"):
        app_label, model_name = route.split("/")[1:3]  # admin/<app>/<model>/<id>/…
        first = apps.get_model(app_label, model_name)._base_manager.order_by("pk").first()
        return str(first.pk if first else 1)
    if name == "pk":  # named after the collection the route is in
        collection = route.split("<", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        by_collection = {
            "positions": position,
            "units": unit,
            "feedback": objects["feedback"],
            "memberships": objects["membership"],
            # Coverage and siting runs: a missing one (404).
            "runs": SimpleNamespace(pk=10**6),
            "siting": SimpleNamespace(pk=10**6),
            # Problem reports: a missing one (404).
            "reports": SimpleNamespace(pk=10**6),
            # Partners: a missing one (404).
            "partners": SimpleNamespace(pk=10**6),
            # Activities, standards and assessments: a missing one (404).
            "activities": SimpleNamespace(pk=10**6),
            "standards": SimpleNamespace(pk=10**6),
            "assessments": SimpleNamespace(pk=10**6),
            # Inspections, their draws and rectifications: a missing one (404).
            "inspections": SimpleNamespace(pk=10**6),
            "draws": SimpleNamespace(pk=10**6),
            "rectifications": SimpleNamespace(pk=10**6),
            # Grants, their uses and evidence: a missing one (404).
            "grants": SimpleNamespace(pk=10**6),
            "uses": SimpleNamespace(pk=10**6),
            "evidence": SimpleNamespace(pk=10**6),
            # Targets (issue 19 Part B): a missing one (404).
            "targets": SimpleNamespace(pk=10**6),
        }
        assert collection in by_collection, f"{route}: add a sample record for '{collection}' to sample_value"
        return str(by_collection[collection].pk)
    if name == "object_id":
        return str(position.pk)
    assert name in by_name, f"{route}: add a sample value for the parameter '{name}' to sample_value"
    return str(by_name[name])


def concrete_paths(objects: dict) -> list[str]:
    """Each route of the project once, its parameters filled in."""
    paths = []
    for route in url_routes():
        filled = PARAMETER.sub(lambda m: sample_value(route, m["name"] or m["group"], objects), route)
        paths.append("/" + filled)
    return list(dict.fromkeys(paths))


def test_the_walk_reaches_every_kind_of_page(demo):
    paths = concrete_paths(demo)
    code = demo["position"].code
    for expected in ("/", f"/p/{code}/", "/login/", "/staff/", "/staff/positions/", "/staff/audit/", "/admin/"):
        assert expected in paths
    assert any(p.startswith("/api/v1/public/") for p in paths)
    assert not [p for p in paths if "<" in p or "(?P" in p]


@pytest.mark.parametrize("username", [None, "fed_admin", "zs_admin", "auditor"])
def test_every_answer_carries_the_security_headers(demo, username):
    client = Client(raise_request_exception=False)
    if username:
        client.force_login(User.objects.get(username=username))
    problems, statuses = {}, set()
    for url in concrete_paths(demo):
        response = client.get(url)
        statuses.add(response.status_code)
        found = header_problems(response)
        if response.status_code >= 500:
            found.append(f"answered {response.status_code}")
        if found:
            problems[url] = found
    assert problems == {}
    assert {200, 404, 405} <= statuses  # pages, missing records and POST-only routes were all seen
    assert (302 if username is None else 403) in statuses  # the login redirect / a page the role may not see


@pytest.mark.parametrize(
    "url",
    ["/no-such-page/", "/staff/positions/999999999/", "/api/v1/no-such-endpoint", "/api/v1/positions/999999999"],
)
def test_missing_pages_and_api_errors_carry_the_headers(demo, url):
    client = Client()
    client.force_login(User.objects.get(username="fed_admin"))
    response = client.get(url)
    assert response.status_code == 404
    assert header_problems(response) == []


def test_a_forbidden_page_carries_the_headers(demo):
    client = Client()
    client.force_login(User.objects.get(username="auditor"))
    response = client.get("/staff/positions/new/")
    assert response.status_code == 403
    assert header_problems(response) == []


def crash(request):
    raise RuntimeError("a bug")


urlpatterns = [path("crash/", crash)]


@pytest.mark.urls(__name__)
def test_a_server_error_carries_the_headers(db):
    response = Client(raise_request_exception=False).get("/crash/")
    assert response.status_code == 500
    assert header_problems(response) == []


def test_the_public_api_keeps_cors_and_gets_the_policy(demo, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://map.example.org"]
    client = Client()
    url = f"/api/v1/public/positions/{demo['position'].pk}"
    answer = client.get(url, HTTP_ORIGIN="https://map.example.org")
    assert answer.status_code == 200 and answer["Access-Control-Allow-Origin"] == "https://map.example.org"
    preflight = client.options(url, HTTP_ORIGIN="https://map.example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight["Access-Control-Allow-Origin"] == "https://map.example.org"
    assert header_problems(answer) == []
    # CorsMiddleware answers a preflight before XFrameOptionsMiddleware sees it; nothing renders a
    # preflight, so it is never framed, and frame-ancestors 'none' is on it anyway.
    assert header_problems(preflight) == ["X-Frame-Options is None"]


# --- CSRF -------------------------------------------------------------------------------------


def test_every_page_refuses_a_post_without_the_csrf_token(demo):
    """Staff forms, the login form and the public feedback form alike: no page is CSRF-exempt.
    (The JSON API does its own check, below.)"""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(User.objects.get(username="zs_admin"))
    accepted = {}
    for url in concrete_paths(demo):
        if url.startswith("/api/"):
            continue
        response = client.post(url, {"name": "x"})
        if response.status_code != 403 or "403_csrf.html" not in [t.name for t in response.templates]:
            accepted[url] = response.status_code
    assert accepted == {}


def test_the_public_feedback_form_needs_the_token_and_takes_it(demo):
    url = f"/p/{demo['position'].code}/feedback/"
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    assert page.status_code == 200
    refused = browser.post(url, {"rating": "4", "text": "水很干净"})
    assert refused.status_code == 403
    assert "请求未通过安全校验" in refused.content.decode()
    assert header_problems(refused) == []
    token = browser.cookies["csrftoken"].value
    sent = browser.post(url, {"rating": "4", "text": "水很干净", "csrfmiddlewaretoken": token})
    assert sent.status_code == 302


@functools.cache
def unsafe_operations() -> tuple[tuple[str, str, bool], ...]:
    """(method, path with parameters filled, needs a login) of every unsafe operation of the API
    (built once per process: the schema takes seconds to build, and the routes are fixed at import)."""
    schema = api.get_openapi_schema()
    return tuple(
        (method, re.sub(r"\{\w+\}", "1", route), "security" in operation)
        for route, item in schema["paths"].items()
        for method, operation in item.items()
        if method in UNSAFE_METHODS
    )


def test_only_the_public_feedback_takes_unsafe_requests_without_a_login():
    public = {(method, route) for method, route, needs_login in unsafe_operations() if not needs_login}
    assert public == PUBLIC_UNSAFE_OPERATIONS


def test_every_staff_api_write_needs_the_csrf_token(demo):
    """The staff API signs in with the session cookie (ninja's django_auth), which a forged
    cross-site request would carry: each unsafe operation must refuse one without the token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="fed_admin"))
    accepted = {}
    for method, route, needs_login in unsafe_operations():
        if not needs_login:
            continue
        response = getattr(client, method)(route, data={}, content_type="application/json")
        if response.status_code != 403 or response.json() != {"detail": "CSRF check Failed"}:
            accepted[f"{method.upper()} {route}"] = response.status_code
    assert accepted == {}
    assert len(unsafe_operations()) > 10


def test_an_upload_to_the_staff_api_needs_the_csrf_token(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="fed_admin"))
    upload = SimpleUploadedFile("positions.xlsx", b"PK\x03\x04", content_type="application/octet-stream")
    response = client.post("/api/v1/positions/import", {"file": upload})
    assert response.status_code == 403


# --- Production mode --------------------------------------------------------------------------

PRODUCTION_DATABASE = "postgres://postgres@127.0.0.1:5432/test"
PRODUCTION_HOST = "yizhan.example.cn"
PROBE = f"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="{PRODUCTION_HOST}")
plain = client.get("/health/live")
secure = client.get("/login/", secure=True)
print(json.dumps({{
    "plain": [plain.status_code, plain.get("Location")],
    "headers": dict(secure.headers),
    "cookies": {{name: dict(c) for name, c in secure.cookies.items()}},
    "session_cookie": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY],
}}))
"""


def run_production(*args: str) -> subprocess.CompletedProcess:
    env = environment({"DATABASE_URL": PRODUCTION_DATABASE, "ALLOWED_HOSTS": PRODUCTION_HOST})
    # Set by the browser tests' harness while its browser is up; a deployment never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production_mode():
    result = run_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout + result.stderr


def test_production_answers_over_https_only_with_secure_cookies():
    result = run_production("-c", PROBE)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, f"https://{PRODUCTION_HOST}/health/live"]
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert policy({"Content-Security-Policy": headers["Content-Security-Policy"]})["script-src"] == ["'self'"]
    csrf_cookie = seen["cookies"]["csrftoken"]
    assert csrf_cookie["secure"] is True and csrf_cookie["samesite"] == "Lax"
    assert seen["session_cookie"] == [True, True]


def test_answers_with_their_own_policy_changes_still_get_them():
    """The policy built once for plain answers must not swallow django-csp's per-view changes."""
    from csp.constants import HEADER
    from django.http import HttpResponse
    from django.test import RequestFactory

    from yizhan.core.middleware_security import ContentSecurityPolicyMiddleware

    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    plain = middleware(RequestFactory().get("/"))
    assert "script-src 'self';" in plain[HEADER] + ";" and "example.org" not in plain[HEADER]

    def updated_view(request):
        response = HttpResponse()
        response._csp_update = {"img-src": ["https://example.org"]}
        return response

    updated = ContentSecurityPolicyMiddleware(updated_view)(RequestFactory().get("/"))
    assert "https://example.org" in updated[HEADER]

    def exempt_view(request):
        response = HttpResponse()
        response._csp_exempt = True
        return response

    assert HEADER not in ContentSecurityPolicyMiddleware(exempt_view)(RequestFactory().get("/"))
    again = middleware(RequestFactory().get("/"))
    assert again[HEADER] == plain[HEADER]
