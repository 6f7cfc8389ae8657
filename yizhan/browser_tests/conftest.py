"""Browser-test harness.

Playwright's sync API drives Debian's chromium (never a downloaded browser) against pytest-django's
`live_server`. One browser per test session; a fresh context and page per test, so cookies,
storage and the session never leak between tests.

Fixtures:
  demo        the demo federation (`manage.py demo`), loaded into the test's empty database
  new_page    new_page(viewport=DESKTOP) -> a page in a fresh context, based at the live server
  page        new_page() at the desktop viewport
  login       login(page, username, path="/staff/") signs a demo account in (session cookie)

Every page is watched: a test fails if a request went to a host other than the live server
(everything is served locally: no CDN, no tile server, no analytics), if a stylesheet, script,
image or font failed to load, or if a script on the page threw. A failing test leaves a full-page
screenshot of each of its pages in test-artifacts/failures/.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from yizhan.browser_tests.support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, off_host
from yizhan.core.testing.demo import DemoSnapshot, demo_in_database
from yizhan.orgs.models import User

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 10_000
# Assertions wait as long as actions: Playwright's own 5 s for an `expect` was overrun on the shared
# CI machine by a map drawing eleven outlines (test_map_injection, 2026-12-07); what is asserted is
# unchanged, only how long a page may take to reach it.
expect.set_options(timeout=TIMEOUT_MS)
ASSET_TYPES = {"stylesheet", "script", "image", "font"}

_reports = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so page fixtures know whether the test failed."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run `make browser-deps` (Playwright never downloads one)")
    # Playwright's sync API keeps an asyncio loop marked as running in this thread for as long as it
    # lives, and Django refuses ORM calls while a loop runs. The tests (and the live server thread)
    # are plain synchronous code, so lift that guard while the browser is up and restore it after.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# --- Demo data ----------------------------------------------------------------------------------
# The shared snapshot (yizhan.core.testing.demo): the first test of a worker loads the demo through
# its services and keeps the rows; later tests find the database flushed (live_server tests are
# transactional) and get those rows back in milliseconds.


@pytest.fixture
def demo(transactional_db) -> DemoSnapshot:
    """The demo federation of `manage.py demo`; every account's password is YIZHAN_DEMO_PASSWORD."""
    cache.clear()
    try:
        return demo_in_database()
    except AssertionError as error:
        pytest.fail(f"the demo fixture expects an empty database: {error}")


# --- Pages --------------------------------------------------------------------------------------


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^\w.-]+", "_", nodeid).strip("_")[:150]


@dataclass
class _Watched:
    page: Page
    requested: list[str] = field(default_factory=list)
    broken_assets: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)


def _note_response(watched: _Watched, response) -> None:
    if response.status >= 400 and response.request.resource_type in ASSET_TYPES:
        watched.broken_assets.append(f"{response.status} {response.url}")


@pytest.fixture
def new_page(browser, live_server, request):
    """new_page(viewport=DESKTOP) opens a page in a fresh browser context (Chinese locale, Shanghai
    time) whose relative URLs resolve against the live server."""
    opened: list[_Watched] = []

    def make(viewport: dict | None = None) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or DESKTOP,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            service_workers="block",
        )
        context.set_default_timeout(TIMEOUT_MS)
        watched = _Watched(context.new_page())
        watched.page.on("request", lambda r: watched.requested.append(r.url))
        watched.page.on("response", lambda r: _note_response(watched, r))
        watched.page.on("pageerror", lambda e: watched.script_errors.append(str(e)))
        opened.append(watched)
        return watched.page

    yield make

    failed = any(r.failed for r in request.node.stash.get(_reports, {}).values())
    try:
        for index, watched in enumerate(opened):
            if failed and not watched.page.is_closed():
                target = ARTIFACTS / "failures" / f"{_artifact_name(request.node.nodeid)}-{index}.png"
                target.parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(PlaywrightError):  # the test's own failure is what matters
                    watched.page.screenshot(path=str(target), full_page=True)
            if not failed:
                assert not off_host(watched.requested), f"requests left the live server: {off_host(watched.requested)}"
                assert not watched.broken_assets, f"assets failed to load: {watched.broken_assets}"
                assert not watched.script_errors, f"scripts threw on the page: {watched.script_errors}"
    finally:
        for watched in opened:
            watched.page.context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


@pytest.fixture
def login(live_server):
    """login(page, username, path="/staff/") signs a demo account in and opens `path` (the 工作台).

    Only test_login drives the login form; everywhere else the session cookie is made directly
    (Django's test client), which saves a page load and a password check per test."""

    def sign_in(page: Page, username: str, path: str = "/staff/") -> Page:
        client = Client()
        client.force_login(User.objects.get(username=username))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True, "sameSite": "Lax"}]
        )
        page.goto(path)
        return page

    return sign_in
