"""The planner's journey in chromium, against a real server and a real worker (subprocesses of a
throw-away instance, yizhan/coverage/tests/live_support.py): a planner opens 甘井子区, sees its
uncovered areas on the map, asks for 10 new sites, watches the job's progress, sees coverage rise,
and turns three of them into planned stations. The pages' scripts and styles obey the CSP."""

from __future__ import annotations

import re
import socket
import time
from types import SimpleNamespace
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from yizhan.coverage.tests.live_support import PASSWORD, CoverageInstance

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    instance = CoverageInstance(tmp_path_factory.mktemp("coverage-browser"))
    port = _free_port()
    instance.start_server(port)
    instance.start_worker()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urlopen(f"{url}/health/live", timeout=2).read()  # noqa: S310 (our own server)
            break
        except OSError:
            if time.monotonic() > deadline:
                instance.close()
                raise RuntimeError("the server did not start:\n" + instance.log()) from None
            time.sleep(0.5)
    yield SimpleNamespace(instance=instance, url=url)
    instance.close()


class _NoSettings:
    def enable(self):
        pass

    def disable(self):
        pass


@pytest.fixture
def live_server(served):
    """The harness's pages point at the subprocess server instead."""
    return SimpleNamespace(url=served.url, _live_server_modified_settings=_NoSettings())


def _share(text: str) -> float:
    return float(re.search(r"\d+(\.\d+)?", text).group(0))


def _wait_for_job(page, label: str) -> int:
    expect(page.get_by_role("heading", name=re.compile(rf"后台任务 #\d+：{label}"))).to_be_visible()
    job_id = int(re.search(r"/staff/jobs/(\d+)/", page.url).group(1))
    expect(page.get_by_role("progressbar", name="任务进度")).to_be_visible()
    expect(page.locator("[data-job-state]")).to_have_text("已完成", timeout=180_000)
    expect(page.locator("[data-job-bar]")).to_have_attribute("value", "100")
    return job_id


def test_a_planner_finds_gaps_sites_ten_stations_and_plans_three(page, served):
    page.goto("/login/")
    page.get_by_label("用户名").fill("planner")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", name="工作台", level=1)).to_be_visible()

    # 甘井子区: no result yet; a run is started and followed on the job's page.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="覆盖分析").click()
    expect(page.get_by_role("heading", name="覆盖分析：甘井子区总工会", level=1)).to_be_visible()
    expect(page.locator("[data-coverage-empty]")).to_be_visible()
    page.get_by_role("button", name="开始计算").click()
    _wait_for_job(page, "覆盖分析")
    expect(page.locator("[data-job-summary]")).to_contain_text("覆盖率")

    # The uncovered cells on the map, drawn from the map endpoint; the figures beside it.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="覆盖分析").click()
    the_map = page.locator("#coverage-map")
    expect(the_map).to_have_attribute("data-loaded", "1", timeout=60_000)
    assert int(the_map.get_attribute("data-uncovered")) > 0
    assert int(the_map.get_attribute("data-stations")) == 3
    expect(page.locator("#coverage-map path.coverage-uncovered").first).to_be_attached()
    expect(page.locator("#coverage-map-status")).to_contain_text("未覆盖")
    expect(page.locator("[data-districts]")).to_contain_text("甘井子区")
    expect(page.locator("[data-distance-chart] progress").first).to_be_visible()
    before = _share(page.locator("[data-coverage-share]").inner_text())
    assert 0 < before < 1

    # 10 new sites: the job's progress, then coverage rising.
    page.get_by_role("link", name="选址", exact=True).click()
    expect(page.get_by_role("heading", name="选址：甘井子区总工会", level=1)).to_be_visible()
    page.get_by_label("新增站点数 k").fill("10")
    page.get_by_label("服务半径（米）").fill("960")
    page.get_by_label("候选点来源").select_option("grid")
    page.get_by_role("button", name="开始选址").click()
    _wait_for_job(page, "选址分析")
    expect(page.locator("[data-job-summary]")).to_contain_text("新增 10 个站点")
    page.goto("/staff/coverage/siting/")
    share_before = _share(page.locator("[data-share-before]").inner_text())
    share_after = _share(page.locator("[data-share-after]").inner_text())
    assert share_after > share_before
    expect(page.locator("tr[data-site]")).to_have_count(10)

    # Three ticked sites become planned stations.
    for number in (1, 2, 3):
        page.locator(f"#site-{number}").check()
    page.get_by_role("button", name="转为规划阵地").click()
    expect(page.get_by_text(re.compile(r"已生成 3 个规划阵地"))).to_be_visible()
    expect(page.locator("[data-planned]")).to_contain_text(re.compile(r"SR\d+-001、SR\d+-002、SR\d+-003"))
    expect(page.get_by_role("button", name="转为规划阵地")).to_have_count(0)
