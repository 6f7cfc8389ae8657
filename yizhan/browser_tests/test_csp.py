"""The strict Content-Security-Policy breaks nothing (issue 5 §5): the main public and staff pages,
the Django admin and the API docs load in chromium under the enforced policy without a single
violation, maps and scripts included.

A violation is caught two ways: the `securitypolicyviolation` event (reported to the test through
an exposed binding, installed before any page script runs) and chromium's console message "Refused
to … because it violates the following Content Security Policy directive". A first test proves the
watch sees a violation when one happens.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from yizhan.core.roles import Role
from yizhan.orgs.models import Membership, Unit, User
from yizhan.positions.models import Position

REPORT = """
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


def watch_csp(page: Page) -> list[str]:
    """Start collecting the page's policy violations; returns the (growing) list."""
    seen: list[str] = []
    page.expose_binding("__cspViolation", lambda source, text: seen.append(f"{source['page'].url}: {text}"))
    page.add_init_script(REPORT)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            seen.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return seen


def visit(page: Page, path: str) -> None:
    """Open `path` and let its scripts finish (maps fetch their data after the page loads)."""
    response = page.goto(path)
    assert response is not None and response.status < 500, f"{path} answered {response and response.status}"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
def test_the_watch_sees_a_violation(demo, page):
    seen = watch_csp(page)
    visit(page, "/login/")
    page.evaluate(
        """() => {
             const script = document.createElement("script");
             script.textContent = "window.injected = true";
             document.body.appendChild(script);
             document.body.insertAdjacentHTML("beforeend", '<p style="color: red">styled</p>');
           }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None  # the inline script did not run
    assert any("script-src" in line for line in seen), seen
    assert any("style-src" in line for line in seen), seen


@pytest.mark.browser
def test_public_pages_run_under_the_policy(demo, new_page):
    position = Position.objects.filter(state="operating", unit__code="DL-ZS").order_by("pk").first()
    page = new_page()
    seen = watch_csp(page)
    visit(page, "/")
    visit(page, "/?q=西岗区")  # results, the numbered markers and the json_script data block
    expect(page.locator("#finder-map")).to_have_attribute("data-drawn", "1")
    assert int(page.locator("#finder-map").get_attribute("data-points") or 0) > 0
    page.locator("#finder-map .leaflet-results-pane .leaflet-marker-icon").first.click()  # a popup built by the script
    expect(page.locator("#finder-map .leaflet-popup-content a")).to_be_visible()
    visit(page, f"/p/{position.code}/")
    visit(page, f"/p/{position.code}/feedback/")
    visit(page, "/no-such-page/")
    visit(page, "/login/")
    assert seen == []


@pytest.mark.browser
def test_staff_pages_run_under_the_policy(demo, page, login):
    """A unit admin (a role without a second factor) through the staff pages, maps and forms."""
    position = Position.objects.filter(unit__code="DL-ZS").order_by("pk").first()
    seen = watch_csp(page)
    login(page, "zs_admin")
    page.wait_for_load_state("networkidle")
    for path in (
        "/staff/positions/",
        f"/staff/positions/{position.pk}/",
        f"/staff/positions/{position.pk}/edit/",  # the map picker
        "/staff/positions/new/",
        "/staff/positions/import/",
        "/staff/feedback/",
        "/staff/units/",
        "/staff/regions/",
    ):
        visit(page, path)
    visit(page, "/staff/positions/map/")
    expect(page.locator("#position-map")).not_to_have_attribute("data-drawn", "error")
    page.locator("#position-map .leaflet-interactive").first.wait_for()
    visit(page, "/staff/regions/210202/")
    expect(page.locator("#region-map")).to_have_attribute("data-drawn", "1")
    page.get_by_role("button", name="退出").click()  # a POST form under form-action 'self'
    page.wait_for_load_state("networkidle")
    assert seen == []


@pytest.mark.browser
def test_audit_log_admin_and_api_docs_run_under_the_policy(demo, page, login):
    """The auditor's pages (the test login stands for a sign-in that passed the second factor)."""
    seen = watch_csp(page)
    login(page, "auditor", "/staff/audit/")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_contain_text("审计日志")
    visit(page, "/staff/audit/verify/")
    visit(page, "/admin/")  # Django's admin: read-only, its own scripts and styles from /static/admin/
    visit(page, "/admin/core/auditentry/")
    visit(page, "/api/v1/docs")  # django-ninja's Swagger UI
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Yizhan API")
    assert seen == []


def sign_in_with_the_form(page: Page, username: str, password: str) -> None:
    visit(page, "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()


@pytest.mark.browser
def test_second_factor_pages_run_under_the_policy(demo, page, settings):
    """What a 2FA role meets after the password: the code prompt, and for an account without an
    authenticator the enrolment page with its QR code drawn by the server."""
    seen = watch_csp(page)
    sign_in_with_the_form(page, "auditor", settings.YIZHAN_DEMO_PASSWORD)  # the demo auditor has one
    expect(page).to_have_url(re.compile(r"/account/2fa/\?next="))
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    newcomer = User.objects.create_user(username="new_security", password="Yizhan-csp-2026!")
    Membership.objects.create(user=newcomer, unit=Unit.objects.get(code="DL"), role=Role.SECURITY_ADMIN)
    sign_in_with_the_form(page, "new_security", "Yizhan-csp-2026!")
    expect(page).to_have_url(re.compile(r"/account/2fa/setup/"))
    expect(page.locator(".otp-qr svg")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert seen == []
