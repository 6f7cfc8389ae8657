"""Walking reach on a street network read from an OpenStreetMap PBF file (issue 18 §3).

The file is read with pyosmium (BSD licence; not pandana, which is AGPL-3.0, spec §10): the ways
people may walk on become an undirected graph whose nodes keep their WGS-84 positions (OpenStreetMap
is WGS-84; demand and stations are GCJ-02 and reach the same metric frame through
`MetricFrame.from_gcj02`) and whose edges their length in metres. A point joins the network at its
nearest node, and the straight line to it counts as walking, so the walk from a station to a point
is: station → its node, the shortest path (scipy.sparse.csgraph Dijkstra, stopped at the walking
limit), node → point. The nearest node rather than the nearest edge keeps it simple; on a network
with nodes every few tens of metres the difference is smaller than a grid cell.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _
from pyproj import Geod
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from yizhan.core.errors import ApplicationError
from yizhan.coverage.engine.frame import MetricFrame
from yizhan.coverage.engine.progress import SILENT, Progress
from yizhan.coverage.engine.reach import NEAREST_CAP_M, Reach

NOT_A_PBF = _("文件不是 OpenStreetMap PBF 格式（.osm.pbf），无法读取路网")
NO_WALKWAYS = _("文件中没有可步行的道路（highway），无法建立步行路网")

# Ways a person may walk on. Motorways, expressways and their ramps are not; neither are ways
# under construction or only proposed.
WALKABLE_HIGHWAYS = frozenset(
    {
        "footway", "path", "pedestrian", "steps", "living_street", "residential", "service", "unclassified",
        "tertiary", "tertiary_link", "secondary", "secondary_link", "primary", "primary_link", "trunk",
        "trunk_link", "track", "cycleway", "road", "corridor", "bridleway",
    }
)  # fmt: skip
NO_ACCESS = frozenset({"no", "private"})
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})
# Dijkstra writes one row of distances per source: this many distances at once at the most.
DIJKSTRA_CELLS = 20_000_000
# Zero-length edges (two nodes at the same place) would read as "no edge" in a sparse matrix.
MIN_EDGE_M = 1e-6


def is_walkable(tags) -> bool:
    """Whether a way with these OpenStreetMap tags may be walked on."""
    highway = tags.get("highway")
    if highway not in WALKABLE_HIGHWAYS:
        return False
    foot = tags.get("foot")
    if foot == "no":
        return False
    return not (tags.get("access") in NO_ACCESS and foot not in FOOT_ALLOWED)


@dataclass(frozen=True)
class StreetNetwork:
    """Nodes (WGS-84 degrees) and undirected edges (u < v, length in metres)."""

    lng: np.ndarray
    lat: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray

    @property
    def nodes(self) -> int:
        return len(self.lng)

    @property
    def edges(self) -> int:
        return len(self.u)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(buffer, lng=self.lng, lat=self.lat, u=self.u, v=self.v, length=self.length)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> StreetNetwork:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return cls(*(arrays[name] for name in ("lng", "lat", "u", "v", "length")))

    def graph(self) -> sparse.csr_matrix:
        """The symmetric adjacency matrix of edge lengths."""
        n = self.nodes
        length = np.maximum(self.length, MIN_EDGE_M)
        return sparse.csr_matrix(
            (np.concatenate([length, length]), (np.concatenate([self.u, self.v]), np.concatenate([self.v, self.u]))),
            shape=(n, n),
        )


def looks_like_pbf(head: bytes) -> bool:
    """A PBF file starts with the 4-byte length of a BlobHeader whose type is "OSMHeader"."""
    if len(head) < 16:
        return False
    (size,) = struct.unpack(">I", head[:4])
    return 0 < size < 64 * 1024 and b"OSMHeader" in head[4 : 4 + size]


def geodesic_m(lng1, lat1, lng2, lat2) -> np.ndarray:
    """Lengths on the WGS-84 ellipsoid (a sphere would be ~0.25 % short east–west at Dalian)."""
    if len(lng1) == 0:
        return np.empty(0)
    _forward, _back, distance = Geod(ellps="WGS84").inv(
        np.asarray(lng1, dtype=np.float64),
        np.asarray(lat1, dtype=np.float64),
        np.asarray(lng2, dtype=np.float64),
        np.asarray(lat2, dtype=np.float64),
    )
    return np.asarray(distance, dtype=np.float64)


def read_pbf(path, *, progress: Progress = SILENT) -> StreetNetwork:
    """The walking network of a PBF file; ApplicationError when it is not one or has no walkways."""
    import osmium

    with open(path, "rb") as handle:
        if not looks_like_pbf(handle.read(64 * 1024)):
            raise ApplicationError(str(NOT_A_PBF))
    refs: list[int] = []
    lngs: list[float] = []
    lats: list[float] = []
    way_ends: list[int] = []
    try:
        processor = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for count, way in enumerate(processor):
            if count % 20000 == 0:
                progress(count, 0, "读取路网")
            if not is_walkable(way.tags):
                continue
            for node in way.nodes:
                location = node.location
                if not location.valid():
                    # A node missing from an extract's edge: the way is cut there.
                    if way_ends and way_ends[-1] != len(refs):
                        way_ends.append(len(refs))
                    continue
                refs.append(node.ref)
                lngs.append(location.lon)
                lats.append(location.lat)
            way_ends.append(len(refs))
    except RuntimeError as error:  # osmium's answer to a damaged or foreign file
        raise ApplicationError(str(NOT_A_PBF)) from error
    if len(refs) < 2:
        raise ApplicationError(str(NO_WALKWAYS))
    refs_array = np.asarray(refs, dtype=np.int64)
    ids, index = np.unique(refs_array, return_inverse=True)
    lng = np.zeros(len(ids))
    lat = np.zeros(len(ids))
    lng[index] = lngs
    lat[index] = lats
    # Consecutive nodes of a way are joined, except across a way's (or a cut's) end.
    joined = np.ones(len(refs), dtype=bool)
    joined[np.asarray(way_ends, dtype=np.int64)[:-1]] = False
    joined[0] = False
    second = np.flatnonzero(joined)
    a, b = index[second - 1], index[second]
    keep = a != b
    a, b = a[keep], b[keep]
    u, v = np.minimum(a, b), np.maximum(a, b)
    length = geodesic_m(lng[u], lat[u], lng[v], lat[v])
    # One edge per node pair: the shortest.
    order = np.lexsort((length, v, u))
    u, v, length = u[order], v[order], length[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    if not first.any():
        raise ApplicationError(str(NO_WALKWAYS))
    return StreetNetwork(lng, lat, u[first].astype(np.int32), v[first].astype(np.int32), length[first])


@dataclass(frozen=True)
class Snapped:
    """Each point's network node and the straight walk to it (metres)."""

    node: np.ndarray
    distance: np.ndarray


def snap(node_tree: cKDTree, x, y) -> Snapped:
    if len(x) == 0:
        return Snapped(np.empty(0, dtype=np.int64), np.empty(0))
    distance, node = node_tree.query(np.column_stack([x, y]), k=1)
    return Snapped(node.astype(np.int64), distance)


def network_coverage(
    network: StreetNetwork,
    frame: MetricFrame,
    demand_x,
    demand_y,
    site_x,
    site_y,
    walk_m: float,
    *,
    nearest: bool = True,
    progress: Progress = SILENT,
) -> tuple[Reach, tuple[np.ndarray, np.ndarray]]:
    """Every (demand point, site) pair within `walk_m` metres of walking, and each point's nearest
    site by walking (up to NEAREST_CAP_M; infinity and -1 beyond)."""
    demand_x = np.asarray(demand_x, dtype=np.float64)
    demand_y = np.asarray(demand_y, dtype=np.float64)
    site_x = np.asarray(site_x, dtype=np.float64)
    site_y = np.asarray(site_y, dtype=np.float64)
    n, m = len(demand_x), len(site_x)
    node_x, node_y = frame.from_wgs84(network.lng, network.lat)
    tree = cKDTree(np.column_stack([node_x, node_y]))
    graph = network.graph()
    points = snap(tree, demand_x, demand_y)
    sites = snap(tree, site_x, site_y)
    # Demand points grouped by their node.
    by_node = np.argsort(points.node, kind="stable")
    per_node = np.bincount(points.node, minlength=network.nodes)
    node_start = np.concatenate([[0], np.cumsum(per_node)[:-1]])
    pair_demand, pair_site, pair_distance = [], [], []
    usable = np.flatnonzero(sites.distance <= walk_m)
    chunk = max(1, min(256, DIJKSTRA_CELLS // max(network.nodes, 1)))
    for start in range(0, len(usable), chunk):
        progress(start, len(usable), "计算步行可达范围")
        batch = usable[start : start + chunk]
        rows = csgraph.dijkstra(graph, directed=False, indices=sites.node[batch], limit=walk_m)
        for row, j in zip(rows, batch, strict=True):
            budget = walk_m - sites.distance[j]
            reached = np.flatnonzero(row <= budget)
            counts = per_node[reached]
            holding = counts > 0
            reached, counts = reached[holding], counts[holding]
            if len(reached) == 0:
                continue
            firsts = np.repeat(np.cumsum(counts) - counts, counts)
            members = by_node[np.repeat(node_start[reached], counts) + np.arange(int(counts.sum())) - firsts]
            total = sites.distance[j] + row[points.node[members]] + points.distance[members]
            inside = total <= walk_m
            pair_demand.append(members[inside])
            pair_site.append(np.full(int(inside.sum()), j, dtype=np.int64))
            pair_distance.append(total[inside])
    progress(len(usable), len(usable), "计算步行可达范围")
    empty_i, empty_f = np.empty(0, dtype=np.int64), np.empty(0)
    reach = Reach(
        n,
        m,
        np.concatenate(pair_demand) if pair_demand else empty_i,
        np.concatenate(pair_site) if pair_site else empty_i,
        np.concatenate(pair_distance) if pair_distance else empty_f,
        walk_m,
    )
    best = np.full(n, np.inf)
    best_site = np.full(n, -1, dtype=np.int64)
    if not nearest or n == 0 or m == 0:
        return reach, (best, best_site)
    # Covered points: the nearest among the pairs (the lower site index on a tie).
    if len(reach.demand):
        np.minimum.at(best, reach.demand, reach.distance)
        at_best = reach.distance == best[reach.demand]
        candidate = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(candidate, reach.demand[at_best], reach.site[at_best])
        found = candidate != np.iinfo(np.int64).max
        best_site[found] = candidate[found]
    # The others: one Dijkstra from every station at once, each entering the network through a
    # node of its own joined to its network node by its straight walk.
    open_points = np.flatnonzero(best_site < 0)
    near_sites = np.flatnonzero(sites.distance <= NEAREST_CAP_M)
    if len(open_points) and len(near_sites):
        total_nodes = network.nodes + len(near_sites)
        entry = sparse.csr_matrix(
            (
                np.maximum(sites.distance[near_sites], MIN_EDGE_M),
                (network.nodes + np.arange(len(near_sites)), sites.node[near_sites]),
            ),
            shape=(total_nodes, total_nodes),
        )
        both_ways = graph.copy()
        both_ways.resize((total_nodes, total_nodes))
        augmented = (both_ways + entry).tocsr()
        distance, _predecessors, sources = csgraph.dijkstra(
            augmented,
            directed=True,
            indices=network.nodes + np.arange(len(near_sites)),
            min_only=True,
            limit=NEAREST_CAP_M,
            return_predecessors=True,
        )
        walk = distance[points.node[open_points]] + points.distance[open_points]
        source = sources[points.node[open_points]]
        ok = np.isfinite(walk) & (walk <= NEAREST_CAP_M) & (source >= 0)
        best[open_points[ok]] = walk[ok]
        best_site[open_points[ok]] = near_sites[source[ok] - network.nodes]
    return reach, (best, best_site)
