"""`yizhan coverage`, `yizhan site-plan`, `yizhan import-candidates` and `yizhan import-demand` as a
planner runs them: subprocesses of a throw-away
instance with a real worker on the database queue; each starts the job, shows its progress and
ends with the result, or exits 1 with the reason."""

from __future__ import annotations

import re

import pytest

from yizhan.coverage.engine.frame import MetricFrame
from yizhan.coverage.tests.live_support import CoverageInstance


@pytest.fixture(scope="module")
def instance(tmp_path_factory, child_databases):
    folder = tmp_path_factory.mktemp("coverage-cli")
    instance = CoverageInstance(folder, database=child_databases(folder, "coverage"))
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


def test_candidates_and_demand_loaded_from_the_command_line(instance, tmp_path):
    frame = MetricFrame(121.55, 38.95)  # the seeded 甘井子区's south-west corner

    def row(*cells_and_point):
        *cells, (x, y) = cells_and_point
        lng, lat = frame.to_gcj02([x], [y])
        return ",".join([*cells, f"{lng[0]:.6f}", f"{lat[0]:.6f}"])

    bad = tmp_path / "网点.csv"
    bad.write_text(
        "\n".join(["名称,类型,经度,纬度", row("甲银行", "银行", (2500, 800)), row("", "加油站", (3000, 3000))])
    )
    result = instance.manage("import-candidates", str(bad), "--unit", "GJZ", "--partners", "--as", "planner")
    assert result.returncode == 1 and "第 3 行：共建单位网点须填写名称" in result.stderr, result.stderr
    good = tmp_path / "网点-改.csv"
    good.write_text(
        "\n".join(["名称,类型,经度,纬度", row("甲银行", "银行", (2500, 800)), row("乙站", "加油站", (3000, 3000))])
    )
    result = instance.ok(
        instance.manage("import-candidates", str(good), "--unit", "GJZ", "--partners", "--as", "planner")
    )
    number = re.search(r"已导入候选点“网点-改.csv”：2 个（候选点集 #(\d+)）", result.stdout)
    assert number, result.stdout
    result = instance.ok(
        instance.manage(
            "site-plan",
            "--unit",
            "GJZ",
            "--k",
            "1",
            "--candidates",
            number.group(1),
            "--greedy-only",
            "--as",
            "planner",
        )
    )
    assert "新增 1 个站点" in result.stdout

    demand = tmp_path / "环卫作业点.csv"
    demand.write_text(
        "\n".join(["名称,人数,经度,纬度", row("班组甲", "12", (500, 500)), row("班组乙", "3", (3500, 3500))])
    )
    result = instance.ok(instance.manage("import-demand", str(demand), "--unit", "GJZ", "--as", "planner"))
    assert re.search(r"任务 #\d+ 已完成：需求数据：2 个点，总权重 15\.0", result.stdout), result.stdout
