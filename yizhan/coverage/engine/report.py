"""The coverage report (issue 18 §4) from reach pairs: covered share, by district, each station's
catchment, heavily overlapping stations, the nearest-station distance distribution."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from yizhan.coverage.engine.reach import Reach

# Bin edges of the distance chart, metres: every 100 m up to 3 km, then coarser; the last bin is
# "farther than 10 km or no station at all".
DISTANCE_BINS_M = (*range(0, 3001, 100), 4000, 5000, 7500, 10000)


@dataclass(frozen=True)
class SiteCatchment:
    """What one station reaches: demand weight and points, the part no other station reaches, and
    the station sharing most of it."""

    weight: float
    points: int
    exclusive_weight: float
    overlap_share: float  # share of `weight` that other stations reach too (0 when weight is 0)
    partner: int  # the station sharing the most weight with this one, -1 for none
    partner_weight: float


@dataclass(frozen=True)
class CoverageReport:
    total_weight: float
    covered_weight: float
    share: float
    points: int
    covered_points: int
    covered: np.ndarray  # bool per demand point
    reach_count: np.ndarray  # stations reaching each point
    nearest: np.ndarray  # metres to the nearest station per point (inf: none within the cap)
    nearest_site: np.ndarray  # its index, -1 for none
    catchments: list[SiteCatchment]
    districts: list[dict] = field(default_factory=list)  # {"index", "weight", "covered_weight", "share"}
    distribution: dict = field(default_factory=dict)  # {"edges", "weights", "beyond", "median", "p90"}


def covered_share(weights: np.ndarray, covered: np.ndarray) -> tuple[float, float, float]:
    """Coverage (spec §10): the share of demand (weight) within reach of an operating station.
    Returns (total weight, covered weight, share; 0 when there is no demand)."""
    total = float(weights.sum())
    covered_weight = float(weights[covered].sum())
    return total, covered_weight, (covered_weight / total if total > 0 else 0.0)


def heavily_overlapping(catchments: list[SiteCatchment], threshold: float) -> list[int]:
    """Stations that are candidates to move (issue 18 §4): at least `threshold` of the demand they
    reach is reached by another station too (YIZHAN_COVERAGE_OVERLAP_SHARE). Most overlapping
    first, then by station order."""
    flagged = [i for i, c in enumerate(catchments) if c.weight > 0 and c.overlap_share >= threshold]
    return sorted(flagged, key=lambda i: (-catchments[i].overlap_share, i))


def nearest_distance_distribution(
    nearest: np.ndarray, weights: np.ndarray, edges: tuple[float, ...] = DISTANCE_BINS_M
) -> dict:
    """Demand weight by distance to the nearest station, in the bins `edges` (a point exactly on an
    edge falls in the bin that starts there), the weight beyond the last edge or without any
    station, and the weighted median and 90th percentile (None when over half, or a tenth, of the
    demand has no station within the last edge)."""
    edges_array = np.asarray(edges, dtype=np.float64)
    finite = np.isfinite(nearest) & (nearest < edges_array[-1])
    counts, _ = np.histogram(nearest[finite], bins=edges_array, weights=weights[finite])
    beyond = float(weights[~finite].sum())
    total = float(weights.sum())
    order = np.argsort(np.where(np.isfinite(nearest), nearest, np.inf), kind="stable")
    cumulative = np.cumsum(weights[order])

    def percentile(q: float) -> float | None:
        if total <= 0:
            return None
        at = int(np.searchsorted(cumulative, q * total, side="left"))
        value = nearest[order[min(at, len(order) - 1)]]
        return float(value) if np.isfinite(value) else None

    return {
        "edges": [float(e) for e in edges_array],
        "weights": [float(c) for c in counts],
        "beyond": beyond,
        "median": percentile(0.5),
        "p90": percentile(0.9),
    }


def site_catchments(reach: Reach, weights: np.ndarray, reach_count: np.ndarray) -> list[SiteCatchment]:
    """Each station's catchment and overlaps, from the reach pairs."""
    m = reach.n_sites
    pair_weight = weights[reach.demand]
    weight = np.bincount(reach.site, weights=pair_weight, minlength=m)
    points = np.bincount(reach.site, minlength=m)
    alone = reach_count[reach.demand] == 1
    exclusive = np.bincount(reach.site[alone], weights=pair_weight[alone], minlength=m)
    partner = np.full(m, -1, dtype=np.int64)
    partner_weight = np.zeros(m)
    shared_pairs = ~alone
    if shared_pairs.any():
        # Stations × stations: demand weight both reach (only points reached at least twice).
        a = sparse.csr_matrix(
            (np.ones(int(shared_pairs.sum())), (reach.demand[shared_pairs], reach.site[shared_pairs])),
            shape=(reach.n_demand, m),
        )
        shared = (a.T @ sparse.diags(weights) @ a).tocsr()
        shared.setdiag(0)
        shared.eliminate_zeros()
        shared.sort_indices()
        for row in np.flatnonzero(np.diff(shared.indptr)):
            start, stop = shared.indptr[row], shared.indptr[row + 1]
            best = start + int(np.argmax(shared.data[start:stop]))  # first maximum: the lowest index
            partner[row] = shared.indices[best]
            partner_weight[row] = shared.data[best]
    catchments = []
    for j in range(m):
        total = float(weight[j])
        overlap = (total - float(exclusive[j])) / total if total > 0 else 0.0
        catchments.append(
            SiteCatchment(
                weight=total,
                points=int(points[j]),
                exclusive_weight=float(exclusive[j]),
                overlap_share=max(0.0, min(1.0, overlap)),
                partner=int(partner[j]),
                partner_weight=float(partner_weight[j]),
            )
        )
    return catchments


def district_shares(weights: np.ndarray, covered: np.ndarray, district: np.ndarray, n_districts: int) -> list[dict]:
    """Coverage per district (the index each point carries, -1 outside every district)."""
    inside = district >= 0
    total = np.bincount(district[inside], weights=weights[inside], minlength=n_districts)
    hit = inside & covered
    covered_weight = np.bincount(district[hit], weights=weights[hit], minlength=n_districts)
    return [
        {
            "index": i,
            "weight": float(total[i]),
            "covered_weight": float(covered_weight[i]),
            "share": float(covered_weight[i] / total[i]) if total[i] > 0 else 0.0,
        }
        for i in range(n_districts)
    ]


def coverage_report(
    reach: Reach,
    weights: np.ndarray,
    nearest: tuple[np.ndarray, np.ndarray],
    *,
    district: np.ndarray | None = None,
    n_districts: int = 0,
) -> CoverageReport:
    """Everything the report shows, from the reach pairs and the nearest stations."""
    weights = np.asarray(weights, dtype=np.float64)
    reach_count = reach.reach_count()
    covered = reach_count > 0
    total, covered_weight, share = covered_share(weights, covered)
    nearest_distance, nearest_site = nearest
    return CoverageReport(
        total_weight=total,
        covered_weight=covered_weight,
        share=share,
        points=reach.n_demand,
        covered_points=int(covered.sum()),
        covered=covered,
        reach_count=reach_count,
        nearest=nearest_distance,
        nearest_site=nearest_site,
        catchments=site_catchments(reach, weights, reach_count),
        districts=district_shares(weights, covered, district, n_districts) if district is not None else [],
        distribution=nearest_distance_distribution(nearest_distance, weights),
    )
