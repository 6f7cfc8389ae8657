"""The README's "Set up your federation" (issue 14), as a newcomer follows it: every command of its
shell blocks, exactly as written and in that order, each in its own process against a new SQLite
file (the server on a free port instead of 8000), and the sign-ins it describes in a browser — for
郑州市 (410100), a city that is not in the demo — until the public map finds the imported stations.

The files a newcomer edits (units.xlsx, stations.xlsx, zhengdong.geojson) are edited here the way the
README says: the units template gets a development zone, the positions template three stations."""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from io import BytesIO
from pathlib import Path

import pytest
from django_otp.oath import hotp
from openpyxl import load_workbook
from playwright.sync_api import expect
from shapely.geometry import Point, box, shape

from yizhan.browser_tests.support import off_host
from yizhan.orgs.imports import gbt2260

REPOSITORY = Path(__file__).resolve().parents[2]
README = REPOSITORY / "README.md"
SECTION = "## Set up your federation"
YIZHAN = ".venv/bin/yizhan"

COMMANDS = [
    f"{YIZHAN} migrate",
    f"{YIZHAN} federation-create --name 郑州市总工会 --code ZZ --adcode 410100",
    f"{YIZHAN} import-regions --adcode 410100",
    f"{YIZHAN} runserver 127.0.0.1:8000",
    f"{YIZHAN} import-units --template units.xlsx --as zz_admin",
    f"{YIZHAN} import-units units.xlsx --as zz_admin",
    f"{YIZHAN} unit-area ZZ-ZD --name 郑东新区 --geojson zhengdong.geojson --as zz_admin",
    f"{YIZHAN} import-accounts --template accounts.xlsx --as zz_security",
    f"{YIZHAN} import-accounts accounts.xlsx --as zz_security --out passwords.xlsx",
    f"{YIZHAN} import-positions stations.xlsx --as zz_admin",
]
COMMAND_TIMEOUT = 600


def readme_commands() -> list[str]:
    """The lines of the shell blocks of the README's set-up section, in order."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_readme_section_holds_these_commands():
    assert readme_commands() == COMMANDS


def current_code(secret_text: str) -> str:
    secret = secret_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{hotp(key, int(time.time()) // 30, digits=6):06d}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Newcomer:
    """Runs the README's commands one after another, in a directory of their own."""

    def __init__(self, directory: Path):
        self.directory = directory
        # `.venv/bin/yizhan` as written: the directory holds a link to this interpreter's environment.
        (directory / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{directory / 'yizhan.sqlite3'}",
            "CONN_MAX_AGE": "0",
            "MEDIA_ROOT": str(directory / "media"),
            "PYTHONUNBUFFERED": "1",
        }
        self.commands = iter(COMMANDS)

    def next_command(self) -> str:
        return next(self.commands)

    def run(self, expect_in_output: str = "") -> str:
        command = self.next_command()
        done = subprocess.run(  # noqa: S603 - the README's own commands
            shlex.split(command),
            cwd=self.directory,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert expect_in_output in done.stdout, f"{command}\n{done.stdout}"
        return done.stdout

    def start_server(self, port: int) -> subprocess.Popen:
        command = self.next_command().replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        server = subprocess.Popen(  # noqa: S603 - the README's own command
            shlex.split(command),
            cwd=self.directory,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the autoreloader's child goes with it
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=2) as answer:
                    if answer.status == 200:
                        return server
            except OSError:
                time.sleep(0.5)
        stop(server)
        pytest.fail("the server did not answer within 120 s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def watched_page(context, problems: list[str]):
    page = context.new_page()
    page.set_default_timeout(15_000)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type in {"stylesheet", "script", "image", "font"}
            else None
        ),
    )
    page.requested = requested
    return page


def first_sign_in(page, *, username: str, password: str, new_password: str) -> None:
    """The first sign-in of an account that needs a second factor and was given its password."""
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/account/2fa/setup/"))
    secret = page.locator("#otp-secret").inner_text()
    page.get_by_label("验证码").fill(current_code(secret))
    page.get_by_role("button", name="确认绑定").click()
    expect(page.locator("ol.recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page).to_have_url(re.compile(r"/account/password/"))
    page.get_by_label("原密码").fill(password)
    page.locator("#id_new_password").fill(new_password)
    page.get_by_label("再次输入新密码").fill(new_password)
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_role("heading", name="工作台", level=1)).to_be_visible()


def inside(adcode: str, near: tuple[float, float] | None = None) -> tuple[float, float]:
    """A GCJ-02 point inside the area (`near` when it is inside)."""
    outline = shape(gbt2260.area_boundary(gbt2260.area_get(adcode)))
    if near is not None and outline.contains(Point(near)):
        return near
    point = outline.representative_point()
    return round(point.x, 6), round(point.y, 6)


@pytest.mark.browser
def test_a_newcomer_sets_up_zhengzhou_by_the_readme(browser, tmp_path):
    assert readme_commands() == COMMANDS
    newcomer = Newcomer(tmp_path)
    problems: list[str] = []

    # 1. Tables, then the federation with its areas and first security admin.
    newcomer.run()
    created = newcomer.run(expect_in_output="zz_security")
    one_time = re.search(r"一次性密码：(\S+)", created).group(1)
    assert "新增 13" in created  # 郑州市 and its 12 districts and counties
    # 2. The areas are there: loading them again changes nothing.
    newcomer.run(expect_in_output="新增 0，更新 0，未变 13")

    # 3. The server; the security admin's first sign-in, then the federation admin's account.
    port = free_port()
    server = newcomer.start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        security = browser.new_context(base_url=base, locale="zh-CN", timezone_id="Asia/Shanghai")
        page = watched_page(security, problems)
        first_sign_in(page, username="zz_security", password=one_time, new_password="Zz-security-own-2026")
        page.goto("/staff/accounts/")
        page.locator("#create_username").fill("zz_admin")
        page.locator("#create_full_name").fill("王总")
        page.locator("#create_password").fill("Zz-admin-initial-1")
        page.locator("#create_unit").select_option(label="郑州市总工会")
        page.locator("#create_role").select_option(label="总工会管理员")
        page.get_by_role("button", name="开通", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("账号已开通")
        federation = browser.new_context(base_url=base, locale="zh-CN", timezone_id="Asia/Shanghai")
        admin_page = watched_page(federation, problems)
        first_sign_in(admin_page, username="zz_admin", password="Zz-admin-initial-1", new_password="Zz-admin-own-2026")

        # 4. The unit tree from the template (the newcomer adds a development zone), the zone's area.
        newcomer.run(expect_in_output="郑州市总工会")
        units = load_workbook(tmp_path / "units.xlsx")
        sheet = units["工会单位"]
        assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)][:4] == [
            "ZZ-ZY",
            "ZZ-EQ",
            "ZZ-GCHZ",
            "ZZ-JS",
        ]
        sheet.append(["ZZ-ZD", "郑东新区工会", "开发区工会", "ZZ", "410100"])
        units.save(tmp_path / "units.xlsx")
        newcomer.run(expect_in_output="新建 13")
        centre = inside("410105", near=(113.735, 34.77))  # 郑东新区, 4 km from 金水区's own point
        zone = box(centre[0] - 0.01, centre[1] - 0.01, centre[0] + 0.01, centre[1] + 0.01)
        (tmp_path / "zhengdong.geojson").write_text(json.dumps(zone.__geo_interface__), encoding="utf-8")
        newcomer.run(expect_in_output="郑东新区（X41010001）")

        # 5. The accounts the template proposes; their one-time passwords in a file.
        newcomer.run(expect_in_output="郑州市总工会")
        newcomer.run(expect_in_output="新开账号 5")
        passwords = load_workbook(tmp_path / "passwords.xlsx").active
        opened = {row[0]: row[5] for row in passwords.iter_rows(min_row=2, values_only=True)}
        assert set(opened) == {"zz_sysadmin", "zz_auditor", "zz_zy_admin", "zz_eq_admin", "zz_gchz_admin"}
        assert (tmp_path / "passwords.xlsx").stat().st_mode & 0o077 == 0

        # 6. The registry from the positions template, downloaded by the federation admin.
        template = federation.request.get("/api/v1/positions/import-template")
        assert template.ok
        stations = load_workbook(BytesIO(template.body()))
        sheet = stations["服务阵地"]
        headers = [cell.value for cell in sheet[1]]
        example = dict(zip(headers, [cell.value for cell in sheet[2]], strict=True))
        sheet.delete_rows(2, sheet.max_row)
        for code, name, unit, (lng, lat) in [
            ("ZZ-JS-0001", "金水路", "ZZ-JS", inside("410105")),  # where a search for 金水区 looks
            ("ZZ-EQ-0001", "大学路", "ZZ-EQ", inside("410103", near=(113.6400, 34.7300))),
            ("ZZ-ZD-0001", "如意湖", "ZZ-ZD", centre),
        ]:
            values = dict(example, 阵地编号=code, 规范名称=f"工会户外劳动者服务站点·{name}", 简称=f"{name}站")
            values.update(所属单位代码=unit, 行政区划代码=None, 地址=f"河南省郑州市{name} 1 号", 经度=lng, 纬度=lat)
            values["24 小时开放"] = "是"  # found whatever the hour the test runs
            sheet.append([values[header] for header in headers])
        stations.save(tmp_path / "stations.xlsx")
        newcomer.run(expect_in_output="新建 3")

        # The public map of the new federation: its area outlined, the stations found by place.
        public = browser.new_context(base_url=base, locale="zh-CN", timezone_id="Asia/Shanghai")
        finder = watched_page(public, problems)
        finder.goto("/")
        expect(finder.locator("#finder-map")).to_have_attribute("data-drawn", "1")
        boundaries = public.request.get("/p/boundaries.json").json()
        assert {"410100", "410105"} <= {f["properties"]["adcode"] for f in boundaries["features"]}
        for typed, nearest in [("金水区", "金水路站"), ("郑东新区", "如意湖站")]:
            finder.get_by_label("在哪儿找？").fill(typed)
            finder.get_by_role("button", name="搜索", exact=True).click()
            expect(finder.locator("#finder-status")).to_contain_text(f"{typed}内")
            expect(finder.locator(".result").first.get_by_role("heading")).to_contain_text(nearest)
        for watched in (page, admin_page, finder):
            assert off_host(watched.requested) == []
        assert problems == []
    finally:
        stop(server)
    with pytest.raises(StopIteration):  # every command of the README ran
        newcomer.next_command()


@pytest.mark.browser
def test_a_development_zone_draws_its_area_on_the_staff_map(demo, page, login):
    from yizhan.orgs.choices import RegionLevel
    from yizhan.orgs.models import Unit

    zone = Unit.objects.get(code="DL-KFXD")
    login(page, "fed_admin", f"/staff/units/{zone.pk}/")
    page.get_by_role("link", name="设定自定义区域").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("大连市开放先导区工会")
    drawing = page.locator("#area-draw")
    expect(drawing).to_have_attribute("data-drawn", re.compile(r"^\d+$"))
    frame = drawing.bounding_box()
    cx, cy = frame["width"] / 2, frame["height"] / 2
    for dx, dy in [(-60, -40), (60, -40), (70, 40), (-50, 50)]:
        drawing.click(position={"x": cx + dx, "y": cy + dy})
    expect(drawing).to_have_attribute("data-vertices", "4")
    page.get_by_role("button", name="撤销上一个点").click()
    expect(drawing).to_have_attribute("data-vertices", "3")
    drawing.click(position={"x": cx - 50, "y": cy + 50})
    drawn = json.loads(page.locator("[data-area-drawn]").input_value())
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 5
    page.get_by_label("区域名称").fill("开放先导区")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("已设定“大连市开放先导区工会”的自定义区域：开放先导区")
    expect(page.get_by_role("link", name="修改自定义区域")).to_be_visible()
    zone.refresh_from_db()
    area = zone.region
    assert (area.level, area.name, area.adcode) == (RegionLevel.CUSTOM, "开放先导区", "X21021301")
    assert shape(area.boundary).symmetric_difference(shape(drawn)).area < 1e-10  # no tiles: drawn in GCJ-02
