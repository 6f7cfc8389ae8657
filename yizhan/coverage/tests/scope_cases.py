"""Scope-matrix declarations for coverage and siting (see yizhan/orgs/testing/scope_matrix.py).

Every model is probed by its admin list; demand and candidate sets by their pages' lists and
uploads, runs by the API's list, detail and export, creation by starting the job that makes the
record (API and pages), a siting result's update by turning its sites into planned positions.
The services' own scope and permission checks are tested in services/ (a district admin refused
another unit, a reviewer refused)."""

from __future__ import annotations

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile

from yizhan.core.jobs.models import Job
from yizhan.core.roles import Role
from yizhan.coverage.models import CandidateSet, CoverageRun, DemandSet, NetworkFile, SitingRun
from yizhan.orgs.geo import boundaries_changed
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World

OWN_AND_BELOW = frozenset({"own", "child"})


def _demand(world: World, relation: str) -> DemandSet:
    demand = DemandSet(
        unit=world.units[relation],
        name=world.fresh(f"矩阵需求{relation}-"),
        kind="points",
        source="upload",
        points=1,
        total_weight=1.0,
        frame_lng=121.6,
        frame_lat=38.9,
    )
    demand.set_arrays(x=np.zeros(1), y=np.zeros(1), weight=np.ones(1), district=np.full(1, -1, dtype=np.int16))
    demand.save()
    return demand


def _candidates(world: World, relation: str) -> CandidateSet:
    candidates = CandidateSet(
        unit=world.units[relation], name=world.fresh(f"矩阵候选{relation}-"), source="upload", sites=0
    )
    candidates.set_arrays(lng=np.zeros(0), lat=np.zeros(0))
    candidates.save()
    return candidates


def _network(world: World, relation: str) -> NetworkFile:
    network = NetworkFile(
        unit=world.units[relation],
        name=world.fresh(f"矩阵路网{relation}-"),
        file="coverage/networks/x.osm.pbf",
        file_name="x.osm.pbf",
        file_size=1,
        file_digest="0" * 64,
        nodes=0,
        edges=0,
        length_km=0,
    )
    network.set_arrays(u=np.zeros(0))
    network.save()
    return network


def _coverage(world: World, relation: str) -> CoverageRun:
    run = CoverageRun(
        unit=world.units[relation],
        demand_set=_demand(world, relation),
        mode="straight",
        reach_m=960,
        walk_m=1250,
        stations=0,
        share=0,
        seconds=0,
    )
    run.summary = {
        "approximate": True,
        "total_weight": 1.0,
        "covered_weight": 0.0,
        "points": 1,
        "covered_points": 0,
        "districts": [],
        "distribution": {"edges": [0, 100], "weights": [0.0], "beyond": 1.0, "median": None, "p90": None},
        "stations": {"id": [], "code": [], "name": [], "lng": [], "lat": []},
        "catchments": [],
        "overlapping": [],
        "overlap_share": 0.5,
    }
    run.set_arrays(
        covered=np.zeros(1, dtype=bool),
        reach_count=np.zeros(1, dtype=np.int32),
        nearest=np.full(1, np.inf),
        nearest_site=np.full(1, -1, dtype=np.int32),
    )
    run.save()
    return run


def _siting(world: World, relation: str) -> SitingRun:
    # The chosen site lies inside the unit's area, as a real result's do (planned positions are
    # placed in the area that contains them).
    region = world.units[relation].region
    square = [[121.5, 38.8], [121.7, 38.8], [121.7, 39.0], [121.5, 39.0], [121.5, 38.8]]
    region.boundary = {"type": "Polygon", "coordinates": [square]}
    region.min_lng, region.min_lat, region.max_lng, region.max_lat = 121.5, 38.8, 121.7, 39.0
    region.save()
    boundaries_changed()
    run = SitingRun(
        unit=world.units[relation],
        demand_set=_demand(world, relation),
        candidate_set=_candidates(world, relation),
        mode="straight",
        reach_m=960,
        objective="max_cover",
        k=1,
        time_limit=10,
        stations=0,
        seconds=0,
    )
    site = {"index": 0, "label": "矩阵候选点", "kind": "", "lng": 121.6, "lat": 38.9}
    answer = {
        "method": "greedy",
        "chosen": [0],
        "sites": [site],
        "gains": [1.0],
        "covered_weight": 1.0,
        "share_after": 1.0,
        "bound": 1.0,
        "gap": 0.0,
        "status": "optimal",
        "seconds": 0.0,
    }
    run.summary = {
        "total_weight": 1.0,
        "covered_before": 0.0,
        "share_before": 0.0,
        "stations": {"id": [], "code": [], "name": [], "lng": [], "lat": []},
        "greedy": answer,
    }
    run.set_arrays(chosen_greedy=np.zeros(1, dtype=np.int64))
    run.save()
    return run


def _admin_list(model: str):
    def probe(world, record, relation):
        r = world.client.get(f"/admin/coverage/{model}/")
        link = f"/admin/coverage/{model}/{record.pk}/change/"
        return Outcome(r.status_code == 200 and link in r.content.decode(), r.status_code)

    return probe


def _job_started(response, kind: str) -> Outcome:
    started = response.status_code in (201, 302) and Job.objects.filter(kind=kind).exists()
    return Outcome(started, response.status_code)


def _api_start(path: str, kind: str, **extra):
    def probe(world, record, relation):
        r = world.client.post(path, {"unit": record.unit.code, **extra}, content_type="application/json")
        return _job_started(r, kind)

    return probe


def _page_start(path: str, kind: str, **extra):
    def probe(world, record, relation):
        r = world.client.post(path, {"unit": record.unit.code, **extra})
        return _job_started(r, kind)

    return probe


def _api_job_start(kind: str):
    def probe(world, record, relation):
        payload = {"kind": kind, "params": {"unit": record.unit.code}}
        return _job_started(world.client.post("/api/v1/jobs", payload, content_type="application/json"), kind)

    return probe


def _api_network_upload(world, record, relation):
    upload = SimpleUploadedFile("x.osm.pbf", b"not really a pbf")
    r = world.client.post("/api/v1/coverage/networks", {"unit": record.unit.code, "file": upload})
    return _job_started(r, "coverage.network_load")


def _page_candidate_upload(world, record, relation):
    upload = SimpleUploadedFile("sites.csv", "名称,经度,纬度\n矩阵网点,121.6,38.9\n".encode())
    data = {"unit": record.unit.code, "source": "upload", "crs": "gcj02", "name": "矩阵上传", "file": upload}
    r = world.client.post("/staff/coverage/candidates/", data)
    return Outcome(r.status_code == 302 and CandidateSet.objects.filter(name="矩阵上传").exists(), r.status_code)


def _page_demand_upload(world, record, relation):
    upload = SimpleUploadedFile("demand.csv", b"lng,lat,weight\n121.6,38.9,2\n")
    r = world.client.post("/staff/coverage/demand/", {"unit": record.unit.code, "crs": "gcj02", "file": upload})
    return _job_started(r, "coverage.demand_import")


def _page_list(path: str, marker: str):
    def probe(world, record, relation):
        r = world.client.get(f"{path}?unit={record.unit.code}")
        return Outcome(r.status_code == 200 and marker.format(pk=record.pk) in r.content.decode(), r.status_code)

    return probe


def _api_list(path: str):
    def probe(world, record, relation):
        r = world.client.get(path)
        return Outcome(r.status_code == 200 and record.pk in [row["id"] for row in r.json()], r.status_code)

    return probe


def _api_detail(path: str):
    def probe(world, record, relation):
        r = world.client.get(path.format(pk=record.pk))
        return Outcome(r.status_code == 200 and r.json()["id"] == record.pk, r.status_code)

    return probe


def _api_export(path: str):
    def probe(world, record, relation):
        r = world.client.get(path.format(pk=record.pk) + "?format=geojson")
        return Outcome(r.status_code == 200 and b"FeatureCollection" in r.content, r.status_code)

    return probe


def _api_plan(world, record, relation):
    r = world.client.post(f"/api/v1/coverage/siting/{record.pk}/plan", {}, content_type="application/json")
    return Outcome(r.status_code == 201 and len(r.json()["codes"]) == 1, r.status_code)


def _page_plan(world, record, relation):
    r = world.client.post(f"/staff/coverage/siting/{record.pk}/plan/", {"site": "1"})
    record.refresh_from_db()
    return Outcome(r.status_code == 302 and bool(record.planned_codes), r.status_code)


PROBES = {
    "demandset": {
        ("api", "create"): _api_job_start("coverage.demand_grid"),
        ("page", "create"): _page_demand_upload,
        ("page", "list"): _page_list("/staff/coverage/demand/", 'data-demand-set="{pk}"'),
    },
    "candidateset": {
        ("page", "create"): _page_candidate_upload,
        ("page", "list"): _page_list("/staff/coverage/candidates/", 'data-candidate-set="{pk}"'),
    },
    "networkfile": {("api", "create"): _api_network_upload},
    "coveragerun": {
        ("api", "list"): _api_list("/api/v1/coverage/runs"),
        ("api", "detail"): _api_detail("/api/v1/coverage/runs/{pk}"),
        ("api", "export"): _api_export("/api/v1/coverage/runs/{pk}/export"),
        ("api", "create"): _api_start("/api/v1/coverage/runs", "coverage.coverage_run"),
        ("page", "create"): _page_start("/staff/coverage/start/", "coverage.coverage_run"),
    },
    "sitingrun": {
        ("api", "list"): _api_list("/api/v1/coverage/siting"),
        ("api", "detail"): _api_detail("/api/v1/coverage/siting/{pk}"),
        ("api", "export"): _api_export("/api/v1/coverage/siting/{pk}/export"),
        ("api", "create"): _api_start("/api/v1/coverage/siting", "coverage.siting_run", k=1),
        ("page", "create"): _page_start("/staff/coverage/siting/start/", "coverage.siting_run", k=1),
        ("api", "update"): _api_plan,
        ("page", "update"): _page_plan,
    },
}


def _case(model: str, make_target) -> ScopeCase:
    admin = dict.fromkeys({"list"} | {action for _c, action in PROBES[model]}, OWN_AND_BELOW)
    audit = dict.fromkeys({"list", "detail"} & ({"list"} | {a for _c, a in PROBES[model]}), OWN_AND_BELOW)
    return ScopeCase(
        model=f"coverage.{model}",
        make_target=make_target,
        probes={("admin", "list"): _admin_list(model), **PROBES[model]},
        expected={
            Role.FEDERATION_ADMIN: admin,
            Role.UNIT_ADMIN: admin,
            Role.STATION_MANAGER: {},
            Role.REVIEWER: {},
            Role.SOCIAL_ORG: {},
            Role.AUDITOR: audit,
            Role.SECURITY_ADMIN: {},
            Role.SYSTEM_ADMIN: {},
        },
    )


CASES = [
    _case("demandset", _demand),
    _case("candidateset", _candidates),
    _case("networkfile", _network),
    _case("coveragerun", _coverage),
    _case("sitingrun", _siting),
]
