"""Siting services (issue 18 §5): candidates, both objectives, existing stations, bad input, planned
positions in one step, exports."""

import io
import json

import pytest
from openpyxl import load_workbook

from yizhan.core.errors import ApplicationError
from yizhan.core.models import AuditEntry
from yizhan.coverage import services
from yizhan.coverage.choices import CandidateSource, SitingObjective
from yizhan.coverage.exports import siting_run_export
from yizhan.coverage.tests.conftest import gcj
from yizhan.positions.choices import PositionState
from yizhan.positions.models import Position


@pytest.fixture
def setting(admin, area, make_station):
    demand = services.demand_grid_create(actor=admin, unit=area["federation"])
    make_station(1000, 1000)
    rows = ["名称,类型,经度,纬度"]
    for n, (x, y) in enumerate(((1100, 1000), (3000, 1000), (3000, 3000), (1000, 3000)), start=1):
        lng, lat = gcj(x, y)
        rows.append(f"网点{n},{'银行网点' if n % 2 else '加油站'},{lng},{lat}")
    candidates = services.candidate_set_import(
        actor=admin,
        unit=area["federation"],
        file_name="partners.csv",
        content="\n".join(rows).encode(),
        source=CandidateSource.PARTNERS,
    )
    return demand, candidates


def test_max_cover_respects_existing_stations(admin, setting):
    demand, candidates = setting
    run = services.siting_run_create(
        actor=admin,
        demand_set=demand,
        candidate_set=candidates,
        objective=SitingObjective.MAX_COVER,
        k=2,
        time_limit=10,
    )
    greedy, exact = run.summary["greedy"], run.summary["exact"]
    # Candidate 0 sits next to the existing station: it adds almost nothing.
    assert 0 not in exact["chosen"] and len(exact["chosen"]) == 2
    assert greedy["covered_weight"] <= exact["covered_weight"] + 1e-9
    assert exact["status"] == "optimal" and exact["gap"] == 0
    assert exact["share_after"] > run.summary["share_before"] > 0
    assert {s["kind"] for s in exact["sites"]} <= {"bank", "gas_station"}
    # Each chosen site with the weight it adds, for the exact answer too (the page's and the
    # export's column): the gains add up to the answer's covered weight.
    for answer in (greedy, exact):
        assert len(answer["gains"]) == len(answer["chosen"]) and all(g > 0 for g in answer["gains"])
        assert sum(answer["gains"]) == pytest.approx(answer["covered_weight"])


def test_set_cover_reaches_the_target_with_the_fewest_sites(admin, setting):
    demand, candidates = setting
    run = services.siting_run_create(
        actor=admin,
        demand_set=demand,
        candidate_set=candidates,
        objective=SitingObjective.SET_COVER,
        target_share=0.4,
        time_limit=10,
    )
    assert run.summary["exact"]["share_after"] >= 0.4
    with pytest.raises(ApplicationError) as refused:
        services.siting_run_create(
            actor=admin,
            demand_set=demand,
            candidate_set=candidates,
            objective=SitingObjective.SET_COVER,
            target_share=0.99,
            time_limit=10,
        )
    assert "最高也只能达到" in refused.value.message


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"objective": SitingObjective.MAX_COVER, "k": 5}, "k 应在 1～4"),
        ({"objective": SitingObjective.MAX_COVER, "k": 0}, "k 应在"),
        ({"objective": SitingObjective.MAX_COVER}, "须给出新增站点数"),
        ({"objective": SitingObjective.SET_COVER, "target_share": 1.5}, "目标覆盖率"),
        ({"objective": SitingObjective.MAX_COVER, "k": 2, "walk_m": 0}, "可达距离应在"),
        ({"objective": SitingObjective.MAX_COVER, "k": 2, "walk_m": 10_000_000}, "可达距离应在"),
    ],
)
def test_bad_siting_input(admin, setting, arguments, message):
    demand, candidates = setting
    with pytest.raises(ApplicationError) as refused:
        services.siting_run_create(actor=admin, demand_set=demand, candidate_set=candidates, time_limit=10, **arguments)
    assert message in refused.value.message


def test_plan_positions_in_one_step(admin, setting, area):
    demand, candidates = setting
    run = services.siting_run_create(
        actor=admin,
        demand_set=demand,
        candidate_set=candidates,
        objective=SitingObjective.MAX_COVER,
        k=2,
        time_limit=10,
    )
    positions = services.siting_plan_positions(actor=admin, siting_run=run)
    assert [p.code for p in positions] == [f"SR{run.pk}-001", f"SR{run.pk}-002"]
    assert all(p.state == PositionState.PLANNED and p.build_mode == "co_built" for p in positions)
    run.refresh_from_db()
    assert run.planned_codes == [p.code for p in positions]
    assert AuditEntry.objects.filter(object_type="positions.position", action="create").count() >= 2
    assert AuditEntry.objects.filter(object_type="coverage.sitingrun", action="update").exists()
    with pytest.raises(ApplicationError) as refused:
        services.siting_plan_positions(actor=admin, siting_run=run)
    assert "已生成规划阵地" in refused.value.message
    assert Position.objects.filter(code__startswith=f"SR{run.pk}-").count() == 2


def test_siting_exports_and_repeats(admin, setting):
    demand, candidates = setting
    runs = [
        services.siting_run_create(
            actor=admin,
            demand_set=demand,
            candidate_set=candidates,
            objective=SitingObjective.MAX_COVER,
            k=2,
            time_limit=10,
        )
        for _ in range(2)
    ]
    assert runs[0].summary["exact"]["chosen"] == runs[1].summary["exact"]["chosen"]
    assert runs[0].summary["greedy"] == runs[1].summary["greedy"] | {"seconds": runs[0].summary["greedy"]["seconds"]}
    content, _kind, _name = siting_run_export(actor=admin, run=runs[0], fmt="xlsx")
    assert load_workbook(io.BytesIO(content))["选中站址"].max_row == 3
    content, _kind, _name = siting_run_export(actor=admin, run=runs[0], fmt="geojson")
    assert len(json.loads(content)["features"]) == 2
