"""`yizhan coverage` and `yizhan site-plan` as a planner runs them: subprocesses of a throw-away
instance with a real worker on the database queue; each starts the job, shows its progress and
ends with the result, or exits 1 with the reason."""

from __future__ import annotations

import re

import pytest

from yizhan.coverage.tests.live_support import CoverageInstance


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    instance = CoverageInstance(tmp_path_factory.mktemp("coverage-cli"))
    instance.start_worker()
    yield instance
    instance.close()


def test_coverage_and_site_plan_from_the_command_line(instance):
    result = instance.ok(instance.manage("coverage", "--unit", "GJZ", "--as", "planner"))
    assert re.search(r"任务 #\d+ 已加入队列：覆盖分析", result.stdout), result.stdout
    assert re.search(r"任务 #\d+ 已完成：覆盖率 \d+\.\d%", result.stdout), result.stdout
    assert "%" in result.stdout  # the progress lines

    result = instance.ok(instance.manage("coverage", "--unit", "GJZ", "--at", "04:00", "--as", "planner"))
    assert "已完成" in result.stdout

    result = instance.ok(
        instance.manage("site-plan", "--unit", "GJZ", "--k", "3", "--radius", "960", "--greedy-only", "--as", "planner")
    )
    found = re.search(r"新增 3 个站点，覆盖率由 (\d+\.\d)% 升至 (\d+\.\d)%", result.stdout)
    assert found, result.stdout
    assert float(found.group(2)) > float(found.group(1))


def test_refusals_exit_1_with_the_reason(instance):
    result = instance.manage("coverage", "--unit", "DL", "--as", "planner")  # the city: not theirs
    assert result.returncode == 1 and "不在您的管辖范围内" in result.stderr
    result = instance.manage("coverage", "--unit", "GJZ", "--reach", "network", "--as", "planner")
    assert result.returncode == 1 and "还没有路网" in result.stderr
    result = instance.manage("site-plan", "--unit", "GJZ", "--as", "planner")
    assert result.returncode == 1 and "k" in result.stderr
