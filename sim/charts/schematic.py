"""A schematic of a city's districts for the comparison map: each district as the area nearest its centre.

The region file gives each district's approximate centre, not its boundary, so the map cannot draw true
outlines. It draws the Voronoi cells of the centres instead (within the centres' hull, enlarged), which
shows which district is next to which, and says on the chart that the shapes are a schematic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["DistrictCell", "district_cells"]

# How far the outer edge lies beyond the outermost centres, as a share of their distance from the middle.
_HULL_GROWTH = 0.35


@dataclass(frozen=True)
class DistrictCell:
    """One district's cell: its id, its centre and the corners of its polygon, as (lon, lat)."""

    id: str
    centre: tuple[float, float]
    corners: list[tuple[float, float]]

    @property
    def middle(self) -> tuple[float, float]:
        """The polygon's centroid (where the district's name goes)."""
        xs, ys = np.array([c[0] for c in self.corners]), np.array([c[1] for c in self.corners])
        cross = xs * np.roll(ys, -1) - np.roll(xs, -1) * ys
        area = cross.sum() / 2.0
        if abs(area) < 1e-12:
            return float(xs.mean()), float(ys.mean())
        return (float(((xs + np.roll(xs, -1)) * cross).sum() / (6 * area)),
                float(((ys + np.roll(ys, -1)) * cross).sum() / (6 * area)))


def district_cells(centres: dict[str, tuple[float, float]]) -> list[DistrictCell]:
    """The Voronoi cell of each centre (lon, lat), bounded by the centres' convex hull enlarged by a margin.

    Distances are measured with longitude degrees shortened as at the centres' mean latitude, so the cells
    are those of the ground, not of the degree grid.
    """
    if not centres:
        return []
    ids = list(centres)
    squeeze = math.cos(math.radians(float(np.mean([p[1] for p in centres.values()]))))
    points = {i: (centres[i][0] * squeeze, centres[i][1]) for i in ids}
    outer = _outer_polygon(list(points.values()))
    cells = []
    for i in ids:
        polygon = outer
        for j in ids:
            if j != i and points[j] != points[i]:
                polygon = _clip_nearer(polygon, points[i], points[j])
        corners = [(x / squeeze, y) for x, y in polygon]
        cells.append(DistrictCell(id=i, centre=centres[i], corners=corners))
    return cells


def _outer_polygon(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points' convex hull grown about its middle; a square round them when they do not span an area."""
    hull = _convex_hull(points)
    cx, cy = float(np.mean([p[0] for p in points])), float(np.mean([p[1] for p in points]))
    if len(hull) < 3:
        reach = max([math.hypot(x - cx, y - cy) for x, y in points] + [0.0]) + 0.05
        return [(cx - reach, cy - reach), (cx + reach, cy - reach), (cx + reach, cy + reach), (cx - reach, cy + reach)]
    grow = 1.0 + _HULL_GROWTH
    return [(cx + grow * (x - cx), cy + grow * (y - cy)) for x, y in hull]


def _convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain: the hull's corners anticlockwise (fewer than three when the points are collinear)."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o, a, b) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _clip_nearer(polygon: list[tuple[float, float]], own: tuple[float, float],
                 other: tuple[float, float]) -> list[tuple[float, float]]:
    """The part of a convex polygon nearer to ``own`` than to ``other`` (one Sutherland-Hodgman step)."""
    nx_, ny_ = other[0] - own[0], other[1] - own[1]
    mid = ((own[0] + other[0]) / 2, (own[1] + other[1]) / 2)

    def side(p) -> float:  # negative: on own's side of the bisector
        return (p[0] - mid[0]) * nx_ + (p[1] - mid[1]) * ny_

    out: list[tuple[float, float]] = []
    for k, current in enumerate(polygon):
        previous = polygon[k - 1]
        s_cur, s_prev = side(current), side(previous)
        if (s_cur <= 0) != (s_prev <= 0):
            t = s_prev / (s_prev - s_cur)
            out.append((previous[0] + t * (current[0] - previous[0]), previous[1] + t * (current[1] - previous[1])))
        if s_cur <= 0:
            out.append(current)
    return out
