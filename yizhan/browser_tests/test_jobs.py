"""The background job pages in chromium, against a real server and a real worker (both
subprocesses of a throw-away instance, yizhan/tests/core/jobs_support.py; the worker on the
database queue): a job started from 我的任务 shows a moving progress bar, its cancel button stops
it half-way, and a job left to run shows its result. The pages' scripts and styles obey the CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from yizhan.browser_tests.support import serve_instance, subprocess_live_server
from yizhan.tests.core.jobs_support import PASSWORD, Instance

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory, child_databases):
    folder = tmp_path_factory.mktemp("jobs-browser")
    yield from serve_instance(Instance(folder, database=child_databases(folder, "jobs")))


@pytest.fixture
def live_server(served):
    """The harness's pages point at the subprocess server instead."""
    return subprocess_live_server(served.url)


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
