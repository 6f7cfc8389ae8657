"""Coverage services (issue 18 §2–§4): the default grid, imports, coverage runs with the open-now
toggle, bad input, exports, reproducibility."""

import io
import json
from datetime import datetime

import numpy as np
import pytest
from openpyxl import load_workbook

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.hours import SHANGHAI
from yizhan.core.roles import Role
from yizhan.coverage import services
from yizhan.coverage.exports import coverage_run_export
from yizhan.coverage.models import CoverageRun, DemandSet
from yizhan.coverage.selectors import coverage_side_by_side, demand_set_list
from yizhan.coverage.tests.conftest import SIZE_M, gcj
from yizhan.positions.choices import PositionState


def test_default_grid_covers_the_area_evenly(admin, area):
    demand = services.demand_grid_create(actor=admin, unit=area["federation"])
    assert demand.cell_m == 250 and demand.points == (SIZE_M / 250) ** 2
    arrays = demand.arrays()
    assert set(arrays["weight"].tolist()) == {1.0}
    # Half the cells in each district.
    assert np.bincount(arrays["district"]).tolist() == [128, 128]
    assert [d["name"] for d in demand.districts] == ["西区", "东区"]


def test_coverage_counts_only_operating_stations_and_reports_by_district(admin, area, make_station):
    demand = services.demand_grid_create(actor=admin, unit=area["federation"], cell_m=100)
    make_station(1000, 2000)
    make_station(1100, 2000)  # overlaps the first almost entirely
    make_station(3000, 2000, state=PositionState.SUSPENDED)
    run = services.coverage_run_create(actor=admin, demand_set=demand)
    assert run.stations == 2 and run.summary["approximate"] is True
    assert run.reach_m == pytest.approx(1250 / 1.3)
    west, east = run.summary["districts"]
    # Two overlapping circles of 2.9 km² in an 8 km² district; the east only at the border (the
    # suspended station there does not count).
    assert 0.3 < west["share"] < 0.4 and east["share"] < 0.01
    assert run.summary["overlapping"] == [0, 1]
    assert run.share == pytest.approx(run.summary["covered_weight"] / run.summary["total_weight"])


def test_open_now_toggle_at_four_in_the_morning(admin, area, make_station):
    demand = services.demand_grid_create(actor=admin, unit=area["federation"])
    make_station(1000, 2000, always_open=True)
    make_station(
        3000, 2000, weekly_hours={d: [["06:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    )
    all_day = services.coverage_run_create(actor=admin, demand_set=demand)
    at_four = services.coverage_run_create(
        actor=admin, demand_set=demand, open_at=datetime(2026, 3, 2, 4, 0, tzinfo=SHANGHAI)
    )
    assert all_day.stations == 2 and at_four.stations == 1
    assert at_four.share < all_day.share


def test_the_same_inputs_give_the_same_report(admin, area, make_station):
    demand = services.demand_grid_create(actor=admin, unit=area["federation"], cell_m=100)
    make_station(900, 900)
    make_station(2500, 3100)
    first = services.coverage_run_create(actor=admin, demand_set=demand)
    second = services.coverage_run_create(actor=admin, demand_set=demand)
    assert first.digest == second.digest
    assert first.summary == second.summary


def test_scope_a_district_admin_sees_only_its_own(area, make_actor):
    district_admin = make_actor(Role.UNIT_ADMIN, area["west_union"])
    mine = services.demand_grid_create(actor=district_admin, unit=area["west_union"])
    assert mine.points == 128
    with pytest.raises(NotFoundError):
        services.demand_grid_create(actor=district_admin, unit=area["federation"])
    assert list(demand_set_list(actor=district_admin)) == [mine]
    reviewer = make_actor(Role.REVIEWER, area["west_union"])
    with pytest.raises(PermissionDeniedError):
        services.demand_grid_create(actor=reviewer, unit=area["west_union"])


def test_imported_points_and_areas(admin, area):
    lng, lat = gcj(500, 500)
    csv = f"经度,纬度,人数\n{lng},{lat},12\n{gcj(3500, 3500)[0]},{gcj(3500, 3500)[1]},\n".encode()
    demand = services.demand_set_import(actor=admin, unit=area["federation"], file_name="环卫作业点.csv", content=csv)
    assert demand.points == 2 and demand.total_weight == 13
    polygon = {
        "type": "Polygon",
        "coordinates": [[list(gcj(x, y)) for x, y in ((0, 0), (1000, 0), (1000, 1000), (0, 1000), (0, 0))]],
    }
    geojson = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": polygon, "properties": {"population": 400}}],
        }
    ).encode()
    spread = services.demand_set_import(
        actor=admin, unit=area["federation"], file_name="人口.geojson", content=geojson, cell_m=250
    )
    assert spread.points == 16 and spread.total_weight == pytest.approx(400)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"lng,lat\n121.0,30.0\n", "不在单位"),
        (b"lng,lat\nabc,38.9\n", "第 2 行"),
        (b"lng,lat,weight\n121.61,38.91,-3\n", "权重"),
        (b"name\nx\n", "经度"),
    ],
)
def test_bad_demand_files_are_refused_with_the_row(admin, area, content, message):
    with pytest.raises(ApplicationError) as refused:
        services.demand_set_import(actor=admin, unit=area["federation"], file_name="bad.csv", content=content)
    assert message in refused.value.message
    assert not DemandSet.objects.exists()


@pytest.mark.parametrize("walk_m", [0, -5, 10_000_000, float("nan")])
def test_a_reach_of_zero_or_ten_thousand_km_is_refused(admin, area, walk_m):
    demand = services.demand_grid_create(actor=admin, unit=area["federation"])
    with pytest.raises(ApplicationError) as refused:
        services.coverage_run_create(actor=admin, demand_set=demand, walk_m=walk_m)
    assert "可达距离应在" in refused.value.message


def test_a_grid_too_fine_is_refused(admin, area):
    for cell_m in (0, 10, 100_000):
        with pytest.raises(ApplicationError):
            services.demand_grid_create(actor=admin, unit=area["federation"], cell_m=cell_m)


def test_exports(admin, area, make_station):
    demand = services.demand_grid_create(actor=admin, unit=area["federation"])
    make_station(1000, 2000)
    run = services.coverage_run_create(actor=admin, demand_set=demand)
    content, kind, name = coverage_run_export(actor=admin, run=run, fmt="xlsx")
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["概况", "分区覆盖", "站点服务范围", "最近站点距离分布", "未覆盖需求"]
    assert workbook["未覆盖需求"].max_row - 1 == demand.points - run.summary["covered_points"]
    content, kind, name = coverage_run_export(actor=admin, run=run, fmt="geojson")
    features = json.loads(content)["features"]
    assert {f["properties"]["layer"] for f in features} == {"uncovered", "station"}
    assert features[0]["geometry"]["type"] == "Polygon"
    content, kind, name = coverage_run_export(actor=admin, run=run, fmt="pdf")
    assert content.startswith(b"%PDF") and kind == "application/pdf"


def test_side_by_side_with_a_street_network(admin, area, make_station, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    demand = services.demand_grid_create(actor=admin, unit=area["federation"])
    make_station(1000, 2000)
    straight = services.coverage_run_create(actor=admin, demand_set=demand)
    with pytest.raises(ApplicationError) as refused:
        services.network_file_add(
            actor=admin, unit=area["federation"], file_name="x.osm.pbf", content=b"not a pbf" * 20
        )
    assert "PBF" in refused.value.message
    pair = coverage_side_by_side(actor=admin, demand_set=demand)
    assert pair["straight"] == straight and pair["network"] is None
    assert CoverageRun.objects.count() == 1
