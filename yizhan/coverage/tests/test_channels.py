"""The coverage API and pages (issue 18 §4–§6): runs started as background jobs (run here in the
test's process by the runner, as a worker would), lists and details with their figures, the map
and exports, siting and ticked sites turned into planned positions; JSON errors and refusals
across units."""

from __future__ import annotations

import json
import re

import pytest
from django.utils.timezone import localtime

from yizhan.core.jobs import runner
from yizhan.core.jobs.models import Job
from yizhan.core.roles import Role
from yizhan.coverage import exports
from yizhan.coverage.exports import BOUND_SOURCES
from yizhan.coverage.models import CoverageRun, SitingRun
from yizhan.positions.models import Position

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(area, make_user, login, make_station):
    make_station(500, 500)
    make_station(1500, 3000)
    admin = make_user(Role.FEDERATION_ADMIN, area["federation"], "fed")
    west = make_user(Role.UNIT_ADMIN, area["west_union"], "west")
    auditor = make_user(Role.AUDITOR, area["federation"], "aud")
    return {"admin": login(admin), "west": login(west), "auditor": login(auditor), "area": area}


def _run_job(client, url, payload) -> dict:
    r = client.post(url, payload, content_type="application/json")
    assert r.status_code == 201, r.content
    job_id = r.json()["job_id"]
    assert r.json()["page_url"] == f"/staff/jobs/{job_id}/"
    runner.job_run(job_id)
    job = client.get(f"/api/v1/jobs/{job_id}").json()
    assert job["state"] == "succeeded", job
    return job


def test_coverage_run_through_the_api(people):
    c = people["admin"]
    job = _run_job(c, "/api/v1/coverage/runs", {"unit": "TC"})
    run_id = job["result"]["coverage_run"]
    assert "覆盖率" in job["summary"]
    runs = c.get("/api/v1/coverage/runs?unit=TC").json()
    assert [r["id"] for r in runs] == [run_id]
    detail = c.get(f"/api/v1/coverage/runs/{run_id}").json()
    assert 0 < detail["share"] < 1 and detail["approximate"] is True
    assert {d["name"] for d in detail["districts"]} == {"西区", "东区"}
    assert detail["distribution"]["edges"]
    geo = c.get(f"/api/v1/coverage/runs/{run_id}/map")
    layers = {f["properties"]["layer"] for f in json.loads(geo.content)["features"]}
    assert layers == {"uncovered", "station"}
    xlsx = c.get(f"/api/v1/coverage/runs/{run_id}/export?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert c.get(f"/api/v1/coverage/runs/{run_id}/export?format=doc").json()["detail"]
    assert c.get(f"/api/v1/coverage/runs/{run_id}/export?crs=x").status_code == 400
    # Open at 04:00: the stations have no hours recorded as open then → a run of its own.
    job = _run_job(c, "/api/v1/coverage/runs", {"unit": "TC", "at": "04:00"})
    run = CoverageRun.objects.get(pk=job["result"]["coverage_run"])
    assert localtime(run.open_at).strftime("%H:%M") == "04:00"


def test_siting_and_planning_through_the_api(people):
    c = people["admin"]
    job = _run_job(c, "/api/v1/coverage/siting", {"unit": "TC", "k": 4, "candidates": "grid", "exact": False})
    run_id = job["result"]["siting_run"]
    detail = c.get(f"/api/v1/coverage/siting/{run_id}").json()
    assert len(detail["sites"]) == 4 and detail["share_after"] > detail["share_before"]
    assert all(s["gain"] > 0 for s in detail["sites"])
    assert c.get("/api/v1/coverage/siting?unit=TC").json()[0]["id"] == run_id
    assert c.get(f"/api/v1/coverage/siting/{run_id}/export?format=geojson").status_code == 200
    bad = c.post(f"/api/v1/coverage/siting/{run_id}/plan", {"sites": [9]}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "sites"
    r = c.post(f"/api/v1/coverage/siting/{run_id}/plan", {"sites": [1, 3]}, content_type="application/json")
    assert r.status_code == 201
    assert r.json()["codes"] == [f"SR{run_id}-001", f"SR{run_id}-003"]
    assert Position.objects.filter(code__in=r.json()["codes"], state="planned").count() == 2
    again = c.post(f"/api/v1/coverage/siting/{run_id}/plan", {}, content_type="application/json")
    assert again.status_code == 400 and "已生成规划阵地" in again.json()["detail"]


def test_refusals_through_the_api(people, client):
    c, west, auditor = people["admin"], people["west"], people["auditor"]
    run_id = _run_job(c, "/api/v1/coverage/runs", {"unit": "TC"})["result"]["coverage_run"]
    # A district admin: the federation's unit and its runs are outside their reach.
    r = west.post("/api/v1/coverage/runs", {"unit": "TC"}, content_type="application/json")
    assert r.status_code == 404 and r.json()["detail"]
    assert west.get(f"/api/v1/coverage/runs/{run_id}").status_code == 404
    assert west.get(f"/api/v1/coverage/runs/{run_id}/map").status_code == 404
    assert west.get("/api/v1/coverage/runs").json() == []
    r = west.post("/api/v1/coverage/siting", {"unit": "TC", "k": 2}, content_type="application/json")
    assert r.status_code == 404
    # An auditor reads but neither starts nor exports.
    assert auditor.get(f"/api/v1/coverage/runs/{run_id}").status_code == 200
    assert auditor.post("/api/v1/coverage/runs", {"unit": "TC"}, content_type="application/json").status_code == 403
    assert auditor.get(f"/api/v1/coverage/runs/{run_id}/export").status_code == 403
    # Bad parameters name the field; no job is left behind.
    before = Job.objects.count()
    r = c.post("/api/v1/coverage/runs", {"unit": "TC", "reach": "fly"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "reach"
    r = c.post("/api/v1/coverage/runs", {"unit": "TC", "at": "25:00"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "at"
    r = c.post("/api/v1/coverage/runs", {"unit": "TC", "reach": "network"}, content_type="application/json")
    assert r.status_code == 400 and "路网" in r.json()["detail"]
    r = c.post("/api/v1/coverage/siting", {"unit": "TC"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "k"
    assert Job.objects.count() == before
    assert client.get("/api/v1/coverage/runs").status_code == 401


def test_pages(people):
    c, west, auditor = people["admin"], people["west"], people["auditor"]
    page = c.get("/staff/coverage/?unit=TC")
    assert page.status_code == 200 and "data-coverage-empty" in page.content.decode()
    r = c.post("/staff/coverage/start/", {"unit": "TC", "reach": "straight"})
    job = Job.objects.latest("pk")
    assert r.status_code == 302 and r.url == f"/staff/jobs/{job.pk}/"
    runner.job_run(job.pk)
    run = CoverageRun.objects.get()
    html = c.get("/staff/coverage/?unit=TC").content.decode()
    assert f'data-coverage-run="{run.pk}"' in html and f"/api/v1/coverage/runs/{run.pk}/map" in html
    assert "西区" in html and "<progress" in html and "coverage-map.js" in html
    assert "data-catchments" in html and html.count("<tr data-overlapping") == len(run.summary["overlapping"])
    assert "<script>" not in html and "style=" not in html
    assert c.get(f"/staff/coverage/runs/{run.pk}/").url == "/staff/coverage/?unit=TC"
    # The siting page: start, the result, three ticked sites planned.
    r = c.post("/staff/coverage/siting/start/", {"unit": "TC", "k": "5", "radius": "960", "candidates": "grid"})
    job = Job.objects.latest("pk")
    assert r.url == f"/staff/jobs/{job.pk}/"
    runner.job_run(job.pk)
    siting = SitingRun.objects.get()
    html = c.get("/staff/coverage/siting/?unit=TC").content.decode()
    assert "转为规划阵地" in html and html.count('name="site"') == 5
    assert f"/api/v1/coverage/siting/{siting.pk}/map" in html and "siting-map.js" in html
    # The greedy and the exact answers side by side, with where each bound comes from.
    assert 'data-answer="greedy"' in html and 'data-answer="exact"' in html
    assert BOUND_SOURCES[siting.summary["exact"]["bound_by"]] in html
    # Every chosen site's row says the weight it adds (the exact answer's too).
    for n, site_row in enumerate(re.findall(r'<tr data-site="\d+">.*?</tr>', html), start=1):
        gain = siting.summary["exact"]["gains"][n - 1]
        assert f"<td>{gain:.1f}</td>" in site_row, site_row
    # The map: the five sites, the stations, the demand newly covered and what stays uncovered.
    layers = [f["properties"]["layer"] for f in c.get(f"/api/v1/coverage/siting/{siting.pk}/map").json()["features"]]
    assert layers.count("site") == 5 and layers.count("station") == 2
    assert layers.count("newly_covered") > 0 and layers.count("uncovered") > 0
    assert west.get(f"/api/v1/coverage/siting/{siting.pk}/map").status_code == 404
    # Set covering from the page: a target share in percent.
    r = c.post("/staff/coverage/siting/start/", {"unit": "TC", "objective": "set_cover", "target": "60", "k": "5"})
    job = Job.objects.latest("pk")
    assert r.url == f"/staff/jobs/{job.pk}/" and job.params["target"] == 0.6 and "k" not in job.params
    r = c.post(f"/staff/coverage/siting/{siting.pk}/plan/", {"site": ["1", "2", "3"]})
    assert r.status_code == 302
    siting.refresh_from_db()
    assert len(siting.planned_codes) == 3
    assert "data-planned" in c.get("/staff/coverage/siting/?unit=TC").content.decode()
    # Refusals: another unit's page 404; an auditor sees no start form and may not plan.
    assert west.get("/staff/coverage/?unit=TC").status_code == 404
    assert west.get("/staff/coverage/siting/?unit=TC").status_code == 404
    assert west.post(f"/staff/coverage/siting/{siting.pk}/plan/", {"site": "4"}).status_code == 404
    html = auditor.get("/staff/coverage/?unit=TC").content.decode()
    assert "data-coverage-start" not in html and "data-coverage-run" in html
    assert auditor.post("/staff/coverage/start/", {"unit": "TC"}).status_code == 403
    assert auditor.post(f"/staff/coverage/siting/{siting.pk}/plan/", {"site": "4"}).status_code == 403
    # The menu link.
    assert 'href="/staff/coverage/"' in c.get("/staff/coverage/").content.decode()


def test_a_large_siting_map_is_drawn_binned(people, monkeypatch):
    c = people["admin"]
    job = _run_job(c, "/api/v1/coverage/siting", {"unit": "TC", "k": 2, "candidates": "grid", "exact": False})
    url = f"/api/v1/coverage/siting/{job['result']['siting_run']}/map"
    cells = c.get(url).json()["features"]
    monkeypatch.setattr(exports, "MAP_MAX_CELLS", 10)
    monkeypatch.setattr(exports, "MAP_BINS", 4)  # squares of about 1 km over the 4 km area
    binned = c.get(url).json()["features"]
    for layer in ("newly_covered", "uncovered"):
        each = [f["properties"] for f in cells if f["properties"]["layer"] == layer]
        squares = [f["properties"] for f in binned if f["properties"]["layer"] == layer]
        if len(each) <= 10:
            assert squares == each
            continue
        # Every cell is in one square, with its weight; fewer features than cells.
        assert sum(s["cells"] for s in squares) == len(each) and len(squares) < len(each)
        assert sum(s["weight"] for s in squares) == pytest.approx(sum(e["weight"] for e in each))
    assert [f for f in binned if f["properties"]["layer"] == "site"] == [
        f for f in cells if f["properties"]["layer"] == "site"
    ]


def test_a_large_coverage_map_is_drawn_binned_and_its_export_is_whole(people, monkeypatch):
    c = people["admin"]
    run_id = _run_job(c, "/api/v1/coverage/runs", {"unit": "TC"})["result"]["coverage_run"]
    cells = [f["properties"] for f in c.get(f"/api/v1/coverage/runs/{run_id}/map").json()["features"]]
    uncovered = [p for p in cells if p["layer"] == "uncovered"]
    monkeypatch.setattr(exports, "MAP_MAX_CELLS", 10)
    monkeypatch.setattr(exports, "MAP_BINS", 4)
    squares = [f["properties"] for f in c.get(f"/api/v1/coverage/runs/{run_id}/map").json()["features"]]
    binned = [p for p in squares if p["layer"] == "uncovered"]
    assert len(uncovered) > 10 and len(binned) < len(uncovered)
    assert sum(p["cells"] for p in binned) == len(uncovered)
    assert [p for p in squares if p["layer"] == "station"] == [p for p in cells if p["layer"] == "station"]
    export = json.loads(c.get(f"/api/v1/coverage/runs/{run_id}/export?format=geojson").content)
    assert sum(f["properties"]["layer"] == "uncovered" for f in export["features"]) == len(uncovered)
