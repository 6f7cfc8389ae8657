"""Scope-matrix declarations for coverage and siting (see yizhan/orgs/testing/scope_matrix.py).

Pages and the API come with the rest of issue 18; today the read-only admin is the one channel, so
each model is probed by its admin list. The services' own scope and permission checks are tested in
services/ (a district admin refused another unit, a reviewer refused)."""

from __future__ import annotations

import numpy as np

from yizhan.core.roles import Role
from yizhan.coverage.models import CandidateSet, CoverageRun, DemandSet, NetworkFile, SitingRun
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
    run.set_arrays(covered=np.zeros(1, dtype=bool))
    run.save()
    return run


def _siting(world: World, relation: str) -> SitingRun:
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
    run.set_arrays(chosen_greedy=np.zeros(0, dtype=np.int64))
    run.save()
    return run


def _admin_list(model: str):
    def probe(world, record, relation):
        r = world.client.get(f"/admin/coverage/{model}/")
        link = f"/admin/coverage/{model}/{record.pk}/change/"
        return Outcome(r.status_code == 200 and link in r.content.decode(), r.status_code)

    return probe


def _case(model: str, make_target) -> ScopeCase:
    return ScopeCase(
        model=f"coverage.{model}",
        make_target=make_target,
        probes={("admin", "list"): _admin_list(model)},
        expected={
            Role.FEDERATION_ADMIN: {"list": OWN_AND_BELOW},
            Role.UNIT_ADMIN: {"list": OWN_AND_BELOW},
            Role.STATION_MANAGER: {},
            Role.REVIEWER: {},
            Role.SOCIAL_ORG: {},
            Role.AUDITOR: {"list": OWN_AND_BELOW},
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
