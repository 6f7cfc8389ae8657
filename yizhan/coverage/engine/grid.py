"""Demand grids (issue 18 §2): cell centres over an area, in a metric frame.

Cells are squares of `cell_m` metres whose centres lie on multiples of `cell_m` offset by half a
cell from the frame's centre, so the same area, frame and size always give the same cells. A cell
belongs to the area when its centre does (boundary included): the cells then tile the area without
double counting along a shared district border.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from yizhan.coverage.engine.progress import SILENT, Progress


def grid_cell_count_estimate(area_m2: float, cell_m: float) -> int:
    """About how many cells an area of `area_m2` square metres holds (to refuse a huge grid before
    building it)."""
    return math.ceil(area_m2 / (cell_m * cell_m))


def grid_centres(area, cell_m: float, *, progress: Progress = SILENT) -> tuple[np.ndarray, np.ndarray]:
    """Centres (x, y) of the cells of `area` (a shapely geometry in frame metres), in row-major
    order from the south-west: the order is part of the result (reproducible exports)."""
    min_x, min_y, max_x, max_y = area.bounds
    xs = (np.arange(math.floor(min_x / cell_m), math.ceil(max_x / cell_m) + 1) + 0.5) * cell_m
    ys = (np.arange(math.floor(min_y / cell_m), math.ceil(max_y / cell_m) + 1) + 0.5) * cell_m
    shapely.prepare(area)
    kept_x, kept_y = [], []
    # Row bands keep the temporary arrays small on a city-sized area.
    band = max(1, 2_000_000 // max(len(xs), 1))
    for start in range(0, len(ys), band):
        progress(start, len(ys), "生成网格")
        gx, gy = np.meshgrid(xs, ys[start : start + band])
        gx, gy = gx.ravel(), gy.ravel()
        inside = shapely.intersects_xy(area, gx, gy)
        kept_x.append(gx[inside])
        kept_y.append(gy[inside])
    progress(len(ys), len(ys), "生成网格")
    if not kept_x:
        return np.empty(0), np.empty(0)
    return np.concatenate(kept_x), np.concatenate(kept_y)


def polygon_points(polygon, cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Points that spread a polygon's demand (a population per area): the centres of the grid cells
    inside it, or its representative point when it is smaller than one cell."""
    x, y = grid_centres(polygon, cell_m)
    if len(x) == 0:
        point = polygon.representative_point()
        return np.array([point.x]), np.array([point.y])
    return x, y


def district_index(x: np.ndarray, y: np.ndarray, districts: list) -> np.ndarray:
    """For each point, the index of the first district (shapely geometries in frame metres) that
    holds it, or -1. Districts do not overlap, so "first" only settles points on a shared border."""
    result = np.full(len(x), -1, dtype=np.int16)
    for index, district in enumerate(districts):
        if district is None:
            continue
        open_points = np.flatnonzero(result < 0)
        if len(open_points) == 0:
            break
        shapely.prepare(district)
        min_x, min_y, max_x, max_y = district.bounds
        px, py = x[open_points], y[open_points]
        in_box = (px >= min_x) & (px <= max_x) & (py >= min_y) & (py <= max_y)
        candidates = open_points[in_box]
        inside = shapely.intersects_xy(district, x[candidates], y[candidates])
        result[candidates[inside]] = index
    return result
