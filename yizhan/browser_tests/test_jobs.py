"""The background job pages in chromium, against a real server and a real worker (both
subprocesses of a throw-away instance, yizhan/tests/core/jobs_support.py; the worker on the
database queue): a job started from 我的任务 shows a moving progress bar, its cancel button stops
it half-way, and a job left to run shows its result. The pages' scripts and styles obey the CSP."""

from __future__ import annotations

import re
import socket
import time
from types import SimpleNamespace
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from yizhan.tests.core.jobs_support import PASSWORD, Instance

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    instance = Instance(tmp_path_factory.mktemp("jobs-browser"))
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
    """The harness's pages (new_page, its checks) point at the subprocess server instead."""
    return SimpleNamespace(url=served.url, _live_server_modified_settings=_NoSettings())


def _sign_in(page, username="tester"):
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", name="工作台", level=1)).to_be_visible()


def _start_slow_job(page) -> int:
    page.get_by_role("link", name="我的任务").click()
    expect(page.get_by_role("heading", name="我的任务", level=1)).to_be_visible()
    page.get_by_role("button", name="开始：慢任务（测试）").click()
    expect(page.get_by_role("heading", name=re.compile(r"后台任务 #\d+：慢任务（测试）"))).to_be_visible()
    return int(re.search(r"/staff/jobs/(\d+)/", page.url).group(1))


def test_progress_moves_and_cancel_stops_the_job_half_way(page, served):
    _sign_in(page)
    job_id = _start_slow_job(page)  # 30 steps of 0.3 s
    bar = page.get_by_role("progressbar", name="任务进度")
    expect(page.locator("[data-job-state]")).to_have_text("运行中", timeout=60_000)
    # The bar moves while the page stays (polled, not reloaded).
    page.wait_for_function("() => document.querySelector('[data-job-bar]').value >= 10", timeout=30_000)
    first = int(bar.get_attribute("value") or bar.evaluate("el => el.value"))
    page.wait_for_function(f"() => document.querySelector('[data-job-bar]').value > {first}", timeout=30_000)
    expect(page.locator("[data-job-message]")).to_contain_text(re.compile(r"第 \d+ / 30 步"))

    page.get_by_role("button", name="取消任务").click()
    expect(page.get_by_text(f"已请求取消任务 #{job_id}")).to_be_visible()
    # The worker stops it at its next step; the page reloads once it has ended.
    expect(page.locator("[data-job-cancelled]")).to_have_text("已按请求取消，未写入任何数据", timeout=30_000)
    expect(page.locator("[data-job-state]")).to_have_text("已取消")
    stopped_at = int(page.locator("[data-job-bar]").evaluate("el => el.value"))
    assert 0 < stopped_at < 100
    expect(page.get_by_role("button", name="取消任务")).to_have_count(0)

    # Run again: a new job, linked to this one, that finishes with its result.
    page.get_by_role("button", name="重新运行").click()
    expect(page.get_by_text(re.compile(r"已重新运行为任务 #\d+"))).to_be_visible()
    expect(page.get_by_role("link", name=f"#{job_id}")).to_be_visible()
    expect(page.locator("[data-job-state]")).to_have_text("已完成", timeout=60_000)
    expect(page.locator("[data-job-bar]")).to_have_attribute("value", "100")
    expect(page.locator("table.job-result")).to_contain_text("30")


def test_a_job_of_another_unit_is_not_found(new_page, served):
    page = new_page()
    _sign_in(page)
    job_id = _start_slow_job(page)
    other = new_page()
    _sign_in(other, "outsider")
    response = other.goto(f"/staff/jobs/{job_id}/")
    assert response.status == 404
