"""Screenshots for looking at (issue 21): the staff pages at 1366×768 and 390×844, the public pages
at 360×640 and 1280×800.

    .venv/bin/python scripts/screenshots.py [--out test-artifacts/screenshots] [--only login,units]

Besides the named pages below (journeys: a form with errors, the located results, a station;
SECTION_SHOTS: each section's second-level lists and one detail page per list, as the role working
there, Wuhan's centres and Qingdao's projects included; PUBLIC_SHOTS: notices, centre results, the
problem report and the English finder), every page of the staff menu is shot for each demo role
that has a menu of its own (`menu-<role>-<page>`, the menu link's path as the page name), so a page
a new app adds to the menu is looked at without being listed here.

Serves the demo federation from a throw-away SQLite database (never var/yizhan.sqlite3 or a
DATABASE_URL from the environment) with DEBUG off, drives Debian's chromium through Playwright
and writes full-page PNGs named <page>-<desktop|phone>.png. Pages wider than the phone's screen
are reported, and the script exits 1 if any page overflows or fails.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from yizhan.browser_tests.support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, horizontal_overflow  # noqa: E402

DEMO_PASSWORD = os.environ.get("YIZHAN_DEMO_PASSWORD", "Yizhan-demo-2026")


def login(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/staff/")


def shot_login(page: Page) -> None:
    page.goto("/login/")


def shot_login_error(page: Page) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").fill("zs_admin")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()


def shot_home(page: Page) -> None:
    login(page, "fed_admin")


def shot_units(page: Page) -> None:
    login(page, "fed_admin")
    page.goto("/staff/units/")


def shot_unit_detail(page: Page) -> None:
    login(page, "fed_admin")
    page.goto("/staff/units/")
    page.get_by_role("link", name="中山区总工会", exact=True).click()
    expect(page.get_by_role("heading", name="中山区总工会", level=1)).to_be_visible()


def shot_unit_form_error(page: Page) -> None:
    shot_unit_detail(page)
    page.get_by_role("link", name="新建下级单位").click()
    page.get_by_label("单位代码").fill("DL-ZS-LJ")
    page.get_by_label("单位名称").fill("中山区老虎滩街道工会")
    page.get_by_label("单位类型").select_option(label="街道/乡镇/园区工会")
    page.get_by_label("联系电话").fill("8234-567")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".has-error")).to_be_visible()


def shot_region_map(page: Page) -> None:
    login(page, "fed_admin")
    page.goto("/staff/regions/")
    expect(page.locator("#region-map")).to_have_attribute("data-drawn", "11")


def shot_audit_log(page: Page) -> None:
    login(page, "auditor")
    page.goto("/staff/audit/")


def shot_accounts(page: Page) -> None:
    login(page, "security")
    page.goto("/staff/accounts/")


def shot_not_found(page: Page) -> None:
    login(page, "zs_admin")
    page.goto("/staff/units/999999/")


def shot_finder(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#finder-map")).to_have_attribute("data-drawn", "1")


def _map_drawn(page: Page) -> None:
    """The results' map: beside the list on a desktop, a switch away on a phone."""
    if page.locator("#view-switch").is_visible():
        return
    expect(page.locator("#finder-map")).to_have_attribute("data-drawn", "1")


def shot_finder_results(page: Page) -> None:
    page.goto("/?q=西岗区")
    expect(page.locator(".result").first).to_be_visible()
    _map_drawn(page)


# A rider in 中山区 (WGS-84, as a phone's GPS gives it).
RIDER = {"latitude": 38.9145, "longitude": 121.6405}


def shot_finder_located(page: Page) -> None:
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(RIDER)
    page.goto("/")
    page.get_by_role("button", name="用我的位置找最近的").click()
    page.wait_for_url("**crs=wgs84**")
    expect(page.locator(".result").first).to_be_visible()
    _map_drawn(page)


def shot_finder_located_map(page: Page) -> None:
    shot_finder_located(page)
    if page.locator("#view-switch").is_visible():
        page.get_by_role("button", name="地图", exact=True).click()
        expect(page.locator("#finder-map")).to_have_attribute("data-drawn", "1")


def shot_finder_position(page: Page) -> None:
    shot_finder_located(page)
    page.locator(".result h2 a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("#position-map")).to_have_attribute("data-drawn", "1")


def shot_positions(page: Page) -> None:
    login(page, "zs_admin")
    page.goto("/staff/positions/?star=5")


def shot_home_district(page: Page) -> None:
    """A district clerk's 工作台: today's work, then the panels."""
    login(page, "zs_admin")
    expect(page.get_by_role("heading", name="工作台", level=1)).to_be_visible()


def shot_home_station(page: Page) -> None:
    """A station manager whose unit has no position yet: told whom to ask."""
    login(page, "station_mgr")


def shot_positions_overdue(page: Page) -> None:
    """The federation's queue of suspensions past their reopening date, as its 工作台 links to it."""
    login(page, "fed_admin")
    page.get_by_role("region", name="服务阵地").get_by_role("link", name=re.compile("暂停服务已过恢复日期")).click()
    expect(page.locator("p.count")).to_be_visible()


def shot_position_form(page: Page) -> None:
    login(page, "zs_admin")
    page.goto("/staff/positions/new/")
    expect(page.get_by_role("heading", name="登记服务阵地", level=1)).to_be_visible()


def shot_position_map(page: Page) -> None:
    login(page, "zs_admin")
    page.goto("/staff/positions/map/")
    expect(page.locator("#position-map")).to_have_attribute("data-drawn", re.compile(r"^\d+$"))


def shot_feedback(page: Page) -> None:
    login(page, "zs_admin")
    page.goto("/staff/feedback/")


def shot_jobs(page: Page) -> None:
    login(page, "zs_admin")
    page.goto("/staff/jobs/")


def shot_finder_feedback(page: Page) -> None:
    shot_finder_position(page)
    page.get_by_role("link", name="留言评价").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def shot_finder_plain_position(page: Page) -> None:
    """A station's page opened from a shared link: no location, one tap measures the walk."""
    shot_finder_results(page)
    href = page.locator(".result h2 a").first.get_attribute("href")
    page.goto(href.split("?")[0])
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def shot_position_detail(page: Page) -> None:
    shot_positions(page)
    page.locator("tbody a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _follow(page: Page, path: str, *patterns: str) -> None:
    """Open `path`, then in turn the first link in the main content whose path matches each of
    `patterns` (regular expressions): one detail page per list, whichever record the demo lists first."""
    page.goto(path)
    for pattern in patterns:
        hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        target = next((h for h in hrefs if re.fullmatch(pattern, h.split("?")[0].split("#")[0])), None)
        if target is None:
            raise AssertionError(f"no link matching {pattern} on {page.url}")
        page.goto(target)
    page.wait_for_load_state("networkidle")


def _staff(role: str, path: str, *patterns: str):
    """A staff page opened as `role`: `path`, then the links matching `patterns` (see _follow)."""

    def shot(page: Page) -> None:
        login(page, role)
        _follow(page, path, *patterns)

    return shot


def _public(path: str, *patterns: str):
    def shot(page: Page) -> None:
        _follow(page, path, *patterns)

    return shot


def shot_finder_english(page: Page) -> None:
    """The language switch: the finder in English, as the header's link leaves it."""
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^en"))


def shot_finder_report(page: Page) -> None:
    """A rider's problem report on a station (the station page's 报告问题 link)."""
    shot_finder_plain_position(page)
    page.goto(page.url.split("?")[0] + "report/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


# Pages beyond the staff menu's first level: each section's lists and one detail page per list
# (the first the demo lists), as the role that works there. Dalian: fed_admin/zs_admin; Wuhan's
# centres: wh_admin/whja_admin; Qingdao's projects and project campaign: qd_admin, qd_ngo.
ID = r"\d+/"
SECTION_SHOTS = {
    # Feedback and the ledger (台账与意见)
    "feedback-detail": _staff("zs_admin", "/staff/feedback/", r"/staff/feedback/" + ID),
    "ledger-problems": _staff("zs_admin", "/staff/ledger/reports/"),
    "ledger-problem-detail": _staff("zs_admin", "/staff/ledger/reports/", r"/staff/ledger/reports/" + ID),
    "ledger-reverify": _staff("zs_admin", "/staff/ledger/reverify/"),
    "ledger-overview": _staff("fed_admin", "/staff/ledger/dashboard/"),
    "ledger-idle": _staff("zs_admin", "/staff/ledger/idle/"),
    "ledger-activities": _staff("zs_admin", "/staff/ledger/activities/"),
    "ledger-activity-detail": _staff("zs_admin", "/staff/ledger/activities/", r"/staff/ledger/activities/" + ID),
    "ledger-entry": _staff("zs_admin", "/staff/ledger/", r"/staff/ledger/\d+/\d{4}-\d\d-\d\d/"),
    "ledger-week": _staff(
        "zs_admin", "/staff/ledger/", r"/staff/ledger/\d+/\d{4}-\d\d-\d\d/", r"/staff/ledger/\d+/week/"
    ),
    "ledger-import": _staff("zs_admin", "/staff/ledger/import/"),
    # Coverage (覆盖分析)
    "coverage-siting": _staff("fed_admin", "/staff/coverage/siting/"),
    "coverage-candidates": _staff("fed_admin", "/staff/coverage/candidates/"),
    "coverage-demand": _staff("fed_admin", "/staff/coverage/demand/"),
    # Publishing (数据发布)
    "publishing-partners": _staff("fed_admin", "/staff/publishing/partners/"),
    "publishing-partner": _staff("fed_admin", "/staff/publishing/partners/", r"/staff/publishing/partners/" + ID),
    "publishing-out-of-date": _staff("fed_admin", "/staff/publishing/map-marking/amap/out-of-date/"),
    # Standards and ratings (标准与星级)
    "standard-detail": _staff("fed_admin", "/staff/standards/", r"/staff/standards/" + ID),
    "standards-policy": _staff("fed_admin", "/staff/standards/policy/"),
    "assessments": _staff("fed_admin", "/staff/standards/assessments/"),
    "assessment-detail": _staff("fed_admin", "/staff/standards/assessments/", r"/staff/standards/assessments/" + ID),
    "ratings": _staff("zs_admin", "/staff/standards/ratings/"),
    "rating-detail": _staff("fed_admin", "/staff/standards/ratings/", r"/staff/standards/ratings/" + ID),
    "ratings-review": _staff("fed_admin", "/staff/standards/review/"),
    # Inspections (检查与整改)
    "inspection-detail": _staff("fed_admin", "/staff/inspections/", r"/staff/inspections/" + ID),
    "inspection-draws": _staff("fed_admin", "/staff/inspections/draws/"),
    "inspection-draw-detail": _staff("fed_admin", "/staff/inspections/draws/", r"/staff/inspections/draws/" + ID),
    "rectifications": _staff("zs_admin", "/staff/inspections/rectifications/"),
    "rectification-detail": _staff(
        "zs_admin", "/staff/inspections/rectifications/", r"/staff/inspections/rectifications/" + ID
    ),
    "inspections-report": _staff("fed_admin", "/staff/inspections/report/"),
    # Campaigns (推树活动), the Dalian station campaigns and Qingdao's project campaign
    "campaign-detail": _staff("fed_admin", "/staff/campaigns/", r"/staff/campaigns/" + ID),
    "campaign-conflicts": _staff(
        "fed_admin", "/staff/campaigns/", r"/staff/campaigns/" + ID, r"/staff/campaigns/members/\d+/conflicts/"
    ),
    "campaign-nomination": _staff(
        "fed_admin", "/staff/campaigns/", r"/staff/campaigns/" + ID, r"/staff/campaigns/nominations/" + ID
    ),
    "campaign-assignments": _staff("reviewer", "/staff/campaigns/assignments/"),
    "campaign-assignment": _staff("reviewer", "/staff/campaigns/assignments/", r"/staff/campaigns/assignments/" + ID),
    "campaigns-qingdao": _staff("qd_admin", "/staff/campaigns/"),
    "campaign-project": _staff("qd_admin", "/staff/campaigns/", r"/staff/campaigns/" + ID),
    # Grants (资金与绩效)
    "grant-detail": _staff("fed_admin", "/staff/grants/", r"/staff/grants/" + ID),
    "grant-reports": _staff("fed_admin", "/staff/grants/reports/"),
    "grant-report-detail": _staff("fed_admin", "/staff/grants/reports/", r"/staff/grants/reports/" + ID),
    # Social-organisation projects (社会组织项目), Qingdao
    "projects-qingdao": _staff("qd_admin", "/staff/projects/"),
    "project-detail": _staff("qd_admin", "/staff/projects/", r"/staff/projects/" + ID),
    "project-organisations": _staff("qd_admin", "/staff/projects/organisations/"),
    "project-organisation": _staff(
        "qd_admin", "/staff/projects/organisations/", r"/staff/projects/organisations/" + ID
    ),
    "projects-ngo": _staff("qd_ngo", "/staff/projects/"),
    # Centres' acceptance (考核验收), Wuhan
    "centres-wuhan": _staff("wh_admin", "/staff/centres/"),
    "centres-district": _staff("whja_admin", "/staff/centres/"),
    "centre-application": _staff("wh_admin", "/staff/centres/", r"/staff/centres/" + ID),
    "centre-models": _staff("wh_admin", "/staff/centres/models/"),
    "home-wuhan": _staff("wh_admin", "/staff/"),
    # Targets (目标任务) and the yearly report (年度报告)
    "targets-wuhan": _staff("wh_admin", "/staff/targets/"),
    "target-detail": _staff("fed_admin", "/staff/targets/", r"/staff/targets/" + ID),
    "target-figures": _staff("fed_admin", "/staff/targets/figures/"),
    "report-wuhan": _staff("wh_admin", "/staff/reports/"),
}

PUBLIC_SHOTS = {
    "finder-english": shot_finder_english,
    "finder-report": shot_finder_report,
    "finder-notices": _public("/notices/"),
    "finder-notice": _public("/notices/", r"/notices/" + ID),
    "finder-centre-results": _public("/centre-results/"),
    "finder-centre-round": _public("/centre-results/", r"/centre-results/" + ID),
}


SHOTS = {
    "finder": shot_finder,
    "finder-results": shot_finder_results,
    "finder-located": shot_finder_located,
    "finder-located-map": shot_finder_located_map,
    "finder-position": shot_finder_position,
    "finder-plain-position": shot_finder_plain_position,
    "finder-feedback": shot_finder_feedback,
    "positions": shot_positions,
    "position-detail": shot_position_detail,
    "home-district": shot_home_district,
    "home-station": shot_home_station,
    "positions-overdue": shot_positions_overdue,
    "position-form": shot_position_form,
    "position-map": shot_position_map,
    "feedback": shot_feedback,
    "jobs": shot_jobs,
    "login": shot_login,
    "login-error": shot_login_error,
    "home": shot_home,
    "units": shot_units,
    "unit-detail": shot_unit_detail,
    "unit-form-error": shot_unit_form_error,
    "region-map": shot_region_map,
    "audit-log": shot_audit_log,
    "accounts": shot_accounts,
    "not-found": shot_not_found,
    **SECTION_SHOTS,
    **PUBLIC_SHOTS,
}


PUBLIC_PAGES = {name for name in SHOTS if name.startswith("finder")} | {"login", "login-error"}
# Issue 21: staff pages at a laptop's and a current phone's size, public pages at a small phone's
# (and a desktop's).
STAFF_SIZES = (("desktop", {"width": 1366, "height": 768}), ("phone", {"width": 390, "height": 844}))
PUBLIC_SIZES = (("phone", PHONE), ("desktop", DESKTOP))
# The demo roles whose staff menu is walked, each once (the others' menus are subsets of these).
MENU_ROLES = ("fed_admin", "zs_admin", "station_mgr", "reviewer", "auditor", "security")


def menu_shots(browser, base_url: str) -> dict:
    """`menu-<role>-<path>` → a shot opening that menu page as that role, for every link of every
    MENU_ROLES menu not already shot under another role."""
    found: dict = {}
    seen: set[str] = set()
    for role in MENU_ROLES:
        context = browser.new_context(base_url=base_url, viewport=STAFF_SIZES[0][1], locale="zh-CN")
        page = context.new_page()
        try:
            login(page, role)
            hrefs = page.locator("nav.mainnav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        finally:
            context.close()
        for href in hrefs:
            path = (href or "").split("#")[0]
            if not path.startswith("/staff/") or path in seen:
                continue
            seen.add(path)
            slug = re.sub(r"[^a-z0-9]+", "-", path.removeprefix("/staff/").lower()).strip("-") or "home"
            found[f"menu-{role}-{slug}"] = _menu_shot(role, path)
    return found


def _menu_shot(role: str, path: str):
    def shot(page: Page) -> None:
        login(page, role)
        page.goto(path)
        page.wait_for_load_state("networkidle")

    return shot


def sizes(name: str) -> tuple:
    return PUBLIC_SIZES if name in PUBLIC_PAGES else STAFF_SIZES


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_demo(workdir: Path) -> tuple[subprocess.Popen, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yizhan.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'screenshots.sqlite3'}",
        "DEBUG": "0",
        "YIZHAN_MAP_TILES": "none",
        # The pages, not the second factor (its pages have their own tests): the admins sign in
        # with the password alone here, as many times as there are pages.
        "YIZHAN_REQUIRE_2FA": "0",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(PROJECT / "manage.py")]
    # Fixed argument lists (this interpreter, this project's manage.py): nothing comes from outside.
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=PROJECT)  # noqa: S603
    subprocess.run([*manage, "demo"], env=env, check=True, cwd=PROJECT, stdout=subprocess.DEVNULL)  # noqa: S603
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180  # a loaded machine starts Django slowly
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            if server.poll() is not None:
                raise SystemExit("runserver exited early")
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("runserver did not start within 180 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(PROJECT / "test-artifacts" / "screenshots"))
    parser.add_argument(
        "--only", default="", help="comma-separated page names (menu: every staff menu page): " + ", ".join(SHOTS)
    )
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or [*SHOTS, "menu"]
    unknown = set(names) - set(SHOTS) - {"menu"}
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # A page's own signal (a map drawn, a result shown) may take more than Playwright's 5 s on a
    # loaded 2-core machine (the located finder's map failed so while tests ran beside it).
    expect.set_options(timeout=20_000)
    problems = []
    with tempfile.TemporaryDirectory(prefix="yizhan-shots-") as tmp:
        server, base_url = serve_demo(Path(tmp))
        try:
            with sync_playwright() as playwright:
                # Date fields show mm/dd/yyyy: this chromium ships the en-US locale only (a Chinese
                # browser shows 年/月/日); the pages' own dates are Chinese.
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                shots = dict(SHOTS)
                if "menu" in names:
                    menu = menu_shots(browser, base_url)
                    shots.update(menu)
                    names = [n for n in names if n != "menu"] + list(menu)
                for name in names:
                    for size_name, viewport in sizes(name):
                        context = browser.new_context(base_url=base_url, viewport=viewport, locale="zh-CN")
                        context.set_default_timeout(10_000)
                        page = context.new_page()
                        target = out / f"{name}-{size_name}.png"
                        try:
                            shots[name](page)
                            page.screenshot(path=str(target), full_page=True)
                            width, sticking_out = horizontal_overflow(page)
                            if width > viewport["width"]:
                                problems.append(f"{target.name}: {width}px wide; sticking out: {sticking_out}")
                            print(target.relative_to(PROJECT) if target.is_relative_to(PROJECT) else target)
                        except Exception as error:  # noqa: BLE001 - report every page, then fail
                            problems.append(f"{target.name}: {error.__class__.__name__}: {error}")
                        finally:
                            context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    for problem in problems:
        print("PROBLEM", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
