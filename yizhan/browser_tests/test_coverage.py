"""The planner's journey in chromium, against a real server and a real worker (subprocesses of a
throw-away instance, yizhan/coverage/tests/live_support.py): a planner opens 甘井子区, sees its
uncovered areas on the map, asks for 10 new sites, watches the job's progress, sees coverage rise,
and turns three of them into planned stations. The pages' scripts and styles obey the CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from yizhan.browser_tests.support import serve_instance, subprocess_live_server
from yizhan.coverage.engine.frame import MetricFrame
from yizhan.coverage.tests.live_support import PASSWORD, CoverageInstance

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory, child_databases):
    folder = tmp_path_factory.mktemp("coverage-browser")
    yield from serve_instance(CoverageInstance(folder, database=child_databases(folder, "coverage")))


@pytest.fixture
def live_server(served):
    """The harness's pages point at the subprocess server instead."""
    return subprocess_live_server(served.url)


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
    expect(page.locator("[data-coverage-share]")).to_contain_text("%")
    before = float(page.locator("[data-coverage-share]").get_attribute("data-coverage-share"))
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
    # Coverage rising on the map: the ten sites with their reach, the demand they newly cover.
    siting_map = page.locator("#siting-map")
    expect(siting_map).to_have_attribute("data-loaded", "1", timeout=60_000)
    assert siting_map.get_attribute("data-sites") == "10"
    assert siting_map.get_attribute("data-stations") == "3"
    assert int(siting_map.get_attribute("data-newly-covered")) > 0
    expect(page.locator("#siting-map path.siting-newly-covered").first).to_be_attached()
    expect(page.locator("#siting-map path.siting-site")).to_have_count(10)
    expect(page.locator("#siting-map-status")).to_contain_text("新增站点 10 个")

    # Three ticked sites become planned stations.
    for number in (1, 2, 3):
        page.locator(f"#site-{number}").check()
    page.get_by_role("button", name="转为规划阵地").click()
    expect(page.get_by_text(re.compile(r"已生成 3 个规划阵地"))).to_be_visible()
    expect(page.locator("[data-planned]")).to_contain_text(re.compile(r"SR\d+-001、SR\d+-002、SR\d+-003"))
    expect(page.get_by_role("button", name="转为规划阵地")).to_have_count(0)


def _gcj(x_m: float, y_m: float) -> tuple[float, float]:
    """GCJ-02 of a point of the seeded 甘井子区 (x, y metres from its south-west corner)."""
    lng, lat = MetricFrame(121.55, 38.95).to_gcj02([x_m], [y_m])
    return float(lng[0]), float(lat[0])


def test_a_planner_uploads_partner_branches_fixes_the_file_and_sites_with_them(page, served, tmp_path):
    page.goto("/login/")
    page.get_by_label("用户名").fill("planner")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.goto("/staff/coverage/siting/")
    page.get_by_role("link", name="候选点", exact=True).click()
    expect(page.get_by_role("heading", name="候选点：甘井子区总工会", level=1)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载导入模板").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # A file with two bad rows: nothing is written, each row is named with its reason.
    rows = ["名称,类型,经度,纬度"]
    sites = [
        ("建设银行甘井子支行", "银行网点", 2500, 1000),
        ("", "加油站", 3000, 3000),
        ("理发店", "理发店", 3500, 500),
    ]
    for name, kind, x, y in sites:
        rows.append(f"{name},{kind},{_gcj(x, y)[0]:.6f},{_gcj(x, y)[1]:.6f}")
    bad = tmp_path / "共建网点.csv"
    bad.write_text("\n".join(rows), encoding="utf-8")
    page.get_by_label("候选点文件（.xlsx、.csv 或 .geojson）").set_input_files(str(bad))
    page.get_by_label("候选点类别").select_option("partners")
    page.get_by_role("button", name="上传并导入").click()
    errors = page.get_by_role("alert")
    expect(errors).to_contain_text("文件未导入，没有写入任何候选点")
    expect(errors).to_contain_text("第 3 行：共建单位网点须填写名称")
    expect(errors).to_contain_text("第 4 行：类型“理发店”无法识别")
    sets = page.locator("[data-candidate-sets] tr[data-candidate-set]")
    before = sets.count()
    expect(sets.filter(has_text="共建单位网点")).to_have_count(0)

    # Fixed, it goes in whole; the siting page offers it.
    rows[2] = rows[2].replace(",加油站", "中石油甘井子加油站,加油站", 1)
    rows[3] = rows[3].replace("理发店,理发店", "联通营业厅,通信营业厅", 1)
    good = tmp_path / "共建网点-改.csv"
    good.write_text("\n".join(rows), encoding="utf-8")
    page.get_by_label("候选点文件（.xlsx、.csv 或 .geojson）").set_input_files(str(good))
    page.get_by_label("候选点类别").select_option("partners")
    page.get_by_label("名称", exact=True).fill("共建单位网点")
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_text("已导入候选点“共建单位网点”：3 个")).to_be_visible()
    expect(sets).to_have_count(before + 1)
    sets.filter(has_text="共建单位网点").get_by_role("link", name="用这批候选点选址").click()
    chooser = page.get_by_label("候选点来源")
    expect(chooser).to_have_value(re.compile(r"^\d+$"))
    expect(chooser.locator("option:checked")).to_contain_text("共建单位网点（共建单位网点，3 个）")
