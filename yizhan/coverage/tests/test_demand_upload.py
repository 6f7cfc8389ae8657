"""The demand page (issue 18 §2): a unit's demand sets, the upload of xlsx/CSV/GeoJSON as a
background job (run here by the runner, as a worker would) whose failure names every bad row and
writes nothing, and the default grid with a chosen cell size; the newest set is what runs use."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from yizhan.core.jobs import runner
from yizhan.core.jobs.models import Job
from yizhan.core.roles import Role
from yizhan.coverage.jobs import UPLOADS
from yizhan.coverage.models import CoverageRun, DemandSet
from yizhan.coverage.tests.conftest import gcj

pytestmark = pytest.mark.django_db

PAGE = "/staff/coverage/demand/"


@pytest.fixture
def people(area, make_user, login, make_station):
    make_station(500, 500)
    admin = make_user(Role.FEDERATION_ADMIN, area["federation"], "fed")
    west = make_user(Role.UNIT_ADMIN, area["west_union"], "west")
    auditor = make_user(Role.AUDITOR, area["federation"], "aud")
    return {"admin": login(admin), "west": login(west), "auditor": login(auditor)}


def _upload(client, file_name: str, content: bytes, **fields):
    data = {"unit": "TC", "crs": "gcj02", "name": "", "cell_m": "250", **fields}
    data["file"] = SimpleUploadedFile(file_name, content)
    return client.post(PAGE, data)


def _run_latest_job(client) -> dict:
    job = Job.objects.latest("pk")
    runner.job_run(job.pk)
    return client.get(f"/api/v1/jobs/{job.pk}").json()


def test_an_uploaded_file_becomes_the_demand_runs_use(people):
    c = people["admin"]
    html = c.get(PAGE + "?unit=TC").content.decode()
    assert "data-demand-upload" in html and "data-demand-empty" in html
    (x0, y0), (x1, y1) = gcj(500, 500), gcj(3500, 3500)
    csv = f"名称,经度,纬度,人数\n环卫班组甲,{x0},{y0},12\n快递站乙,{x1},{y1},\n".encode()
    r = _upload(c, "环卫作业点.csv", csv, name="环卫与快递")
    job = Job.objects.latest("pk")
    assert r.status_code == 302 and r.url == f"/staff/jobs/{job.pk}/"
    assert job.kind == "coverage.demand_import" and job.params["file"].startswith(UPLOADS)
    result = _run_latest_job(c)
    assert result["state"] == "succeeded" and "需求数据：2 个点" in result["summary"]
    demand = DemandSet.objects.get()
    assert (demand.name, demand.points, demand.total_weight, demand.source) == ("环卫与快递", 2, 13.0, "upload")
    assert not default_storage.exists(job.params["file"])
    html = c.get(PAGE + "?unit=TC").content.decode()
    assert f'data-demand-set="{demand.pk}"' in html and "（当前使用）" in html
    # A coverage run started now counts this demand.
    c.post("/staff/coverage/start/", {"unit": "TC", "reach": "straight"})
    _run_latest_job(c)
    assert CoverageRun.objects.get().demand_set_id == demand.pk


def test_a_bad_file_fails_its_job_with_every_row_and_writes_nothing(people):
    c = people["admin"]
    far = gcj(9000, 9000)
    csv = f"经度,纬度,权重\n东经121,38.9,1\n121.61,38.91,-3\n{far[0]},{far[1]},1\n".encode()
    _upload(c, "bad.csv", csv)
    result = _run_latest_job(c)
    assert result["state"] == "failed"
    assert "第 2 行：“经度”不是数字：东经121" in result["error"]
    assert "第 3 行：权重应为不小于 0 的有限数字：-3" in result["error"]
    assert not DemandSet.objects.exists()
    # Outside the unit's area, once the rows are right.
    _upload(c, "far.csv", f"经度,纬度\n{far[0]},{far[1]}\n".encode())
    result = _run_latest_job(c)
    assert result["state"] == "failed" and "不在单位“测试市总工会”的辖区" in result["error"]
    assert not DemandSet.objects.exists()
    # The form's own refusals, before any job.
    before = Job.objects.count()
    r = c.post(PAGE, {"unit": "TC", "crs": "gcj02"})
    assert r.status_code == 400 and "请选择需求数据文件（.xlsx、.csv 或 .geojson）" in r.content.decode()
    r = _upload(c, "a.csv", b"lng,lat\n", cell_m="10")
    assert r.status_code == 400
    assert Job.objects.count() == before


def test_the_default_grid_with_a_chosen_cell_and_who_may(people):
    c, west, auditor = people["admin"], people["west"], people["auditor"]
    r = c.post("/staff/coverage/demand/grid/", {"unit": "TC", "cell_m": "500"})
    job = Job.objects.latest("pk")
    assert r.url == f"/staff/jobs/{job.pk}/" and job.params["cell_m"] == 500
    assert _run_latest_job(c)["state"] == "succeeded"
    demand = DemandSet.objects.get()
    assert (demand.kind, demand.cell_m, demand.points) == ("grid", 500, 64)
    assert west.get(PAGE + "?unit=TC").status_code == 404
    assert _upload(west, "a.csv", b"lng,lat\n1,1\n").status_code == 404
    html = auditor.get(PAGE + "?unit=TC").content.decode()
    assert "data-demand-upload" not in html and f'data-demand-set="{demand.pk}"' in html
    assert _upload(auditor, "a.csv", b"lng,lat\n1,1\n").status_code == 403
    assert auditor.post("/staff/coverage/demand/grid/", {"unit": "TC"}).status_code == 403


def test_through_the_api(people):
    c, west = people["admin"], people["west"]
    lng, lat = gcj(1500, 1500)
    upload = SimpleUploadedFile("点.csv", f"经度,纬度,人数\n{lng},{lat},5\n".encode())
    r = c.post("/api/v1/coverage/demand", {"unit": "TC", "file": upload, "name": "接口导入"})
    assert r.status_code == 201, r.content
    runner.job_run(r.json()["job_id"])
    assert [d["name"] for d in c.get("/api/v1/coverage/demand?unit=TC").json()] == ["接口导入"]
    upload = SimpleUploadedFile("点.csv", f"经度,纬度\n{lng},{lat}\n".encode())
    r = c.post("/api/v1/coverage/demand", {"unit": "TC", "file": upload, "cell_m": "1"})
    assert r.status_code == 400 and r.json()["field"] == "cell_m"
    upload = SimpleUploadedFile("点.csv", f"经度,纬度\n{lng},{lat}\n".encode())
    assert west.post("/api/v1/coverage/demand", {"unit": "TC", "file": upload}).status_code == 404
    assert west.get("/api/v1/coverage/demand").json() == []
