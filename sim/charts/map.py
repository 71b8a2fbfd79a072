"""The map of a comparison: the clusters at their districts, linked, coloured by their difference to the reference.

The districts are drawn as a schematic (:mod:`sim.charts.schematic`): the region file has their centres, not
their boundaries, and the chart says so. The colour scale is a square-root one, so that a scenario whose effects
are a tenth of another's still shows its colours, and every circle's label gives its value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib
import networkx as nx
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import FuncNorm, Normalize
from matplotlib.patches import Polygon
from matplotlib.text import Text
from matplotlib.figure import Figure, SubFigure
from matplotlib.transforms import Bbox

from sim.charts.style import (
    DIFF_CMAP, LINE_IN, NO_ESTIMATE, SMALL_PT, WIDTH_IN, GroupedFormatter, label_lines, new_figure, text_width_em,
    wrapped, wrapped_title,
)
from sim.charts.schematic import DistrictCell, district_cells
from sim.charts.style import minus
from sim.charts.tables import Comparison, all_finite
from sim.charts.text import listing, name_of, tr
from sim.region import Region

__all__ = ["map_positions", "MAX_MAP_PANELS", "map_districts"]

MAX_MAP_PANELS = 6


_LINK_COLOUR = "#b0b0b0"
_CELL_FILL = "#f4f2ee"
_CELL_EDGE = "#9a9a9a"
_DISTRICT_COLOUR = "#7a7a7a"
_HALO = [patheffects.withStroke(linewidth=2.4, foreground="white")]


def map_positions(graph: nx.Graph, *, spread_deg: float = 0.025) -> dict[str, tuple[float, float]]:
    """Each cluster's (lon, lat); clusters of one district sit on a small circle round it, in node order."""
    by_place: dict[tuple[float, float], list[str]] = {}
    for node, pos in graph.nodes(data="pos"):
        by_place.setdefault((float(pos[0]), float(pos[1])), []).append(node)
    out: dict[str, tuple[float, float]] = {}
    for (lon, lat), nodes in by_place.items():
        if len(nodes) == 1:
            out[nodes[0]] = (lon, lat)
            continue
        squeeze = math.cos(math.radians(lat))
        for i, node in enumerate(nodes):
            angle = math.pi / 2 + 2 * math.pi * i / len(nodes)
            out[node] = (lon + spread_deg * math.cos(angle) / squeeze, lat + spread_deg * math.sin(angle))
    return out


@dataclass(frozen=True)
class _MapFrame:
    """Limits of a map panel and its height per unit width, with longitude degrees shortened as at that latitude."""

    xlim: tuple[float, float]
    ylim: tuple[float, float]

    @property
    def aspect(self) -> float:
        return 1.0 / math.cos(math.radians(sum(self.ylim) / 2))

    @property
    def height_per_width(self) -> float:
        return (self.ylim[1] - self.ylim[0]) * self.aspect / (self.xlim[1] - self.xlim[0])


def _map_frame(pos: dict[str, tuple[float, float]], cells: list[DistrictCell]) -> _MapFrame:
    lons = [p[0] for p in pos.values()] + [c[0] for cell in cells for c in cell.corners]
    lats = [p[1] for p in pos.values()] + [c[1] for cell in cells for c in cell.corners]
    dx = max(max(lons) - min(lons), 0.1)
    dy = max(max(lats) - min(lats), 0.1)
    return _MapFrame((min(lons) - 0.03 * dx, max(lons) + 0.03 * dx), (min(lats) - 0.03 * dy, max(lats) + 0.03 * dy))


def map_districts(region: Region) -> list[DistrictCell]:
    """The schematic cells of the districts that host a cluster (the rest of the city is no place on a map)."""
    hosts = {c.district for c in region.cluster_rows}
    centres = {d.id: (d.lon, d.lat) for d in region.district_rows if d.id in hosts}
    return district_cells(centres)


def _sqrt_norm(limit: float) -> FuncNorm:
    """Colours spread by the square root of the value: small effects stay visible beside large ones."""
    def forward(x):
        return np.sign(x) * np.sqrt(np.abs(x))

    def inverse(y):
        return np.sign(y) * np.square(y)

    return FuncNorm((forward, inverse), vmin=-limit, vmax=limit)


def _nice(x: float) -> float:
    """The nearest of 1, 2, 5 times a power of ten at or above x."""
    if x <= 0 or not math.isfinite(x):
        return 1.0
    exp = math.floor(math.log10(x))
    return next(m * 10.0 ** exp for m in (1, 2, 2.5, 5, 10) if m * 10.0 ** exp >= x * (1 - 1e-9))


def _round_1sf(x: float) -> float:
    exp = math.floor(math.log10(x))
    return round(x / 10.0 ** exp) * 10.0 ** exp


# Label spots round a node: alignment and the direction it moves away from the node.
_SPOTS = (("left", "center", 1.0, 0.0), ("right", "center", -1.0, 0.0), ("left", "bottom", 0.7, 0.7),
          ("right", "bottom", -0.7, 0.7), ("left", "top", 0.7, -0.7), ("right", "top", -0.7, -0.7),
          ("center", "bottom", 0.0, 1.0), ("center", "top", 0.0, -1.0))


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _label(ax: Axes, text: str, xy: tuple[float, float], spot: int, radius_pt: float):
    ha, va, dx, dy = _SPOTS[spot]
    gap = radius_pt + 1.5
    ann = ax.annotate(text, xy, xytext=(dx * gap, dy * gap), textcoords="offset points", ha=ha, va=va,
                      fontsize=SMALL_PT, color="#1a1a1a", zorder=6, path_effects=_HALO, annotation_clip=False)
    ann.set_in_layout(False)
    return ann


def _circle_boxes(fig: Figure, ax: Axes, nodes: list[str], pos: dict, radius_pt: dict[str, float]) -> dict[str, Bbox]:
    """Each node's circle on the drawn figure, with air round it so that a label (and its halo) never touches one."""
    px = fig.dpi / 72.0
    circles = {}
    for node in nodes:
        x, y = ax.transData.transform(pos[node])
        r = (radius_pt[node] + 3.5) * px
        circles[node] = Bbox.from_extents(x - r, y - r, x + r, y + r)
    return circles


def _district_names(fig: Figure, ax: Axes, cells: list[DistrictCell], names: dict[str, str],
                    circles: dict[str, Bbox]) -> list[Text]:
    """Each district's name inside its cell where it covers no circle nor another name; left out where it cannot."""
    frame = ax.get_window_extent()
    placed: list[Text] = []
    boxes: list[Bbox] = []
    for cell in cells:
        mx, my = cell.middle
        spots = [(mx, my)] + [((mx + x) / 2, (my + y) / 2) for x, y in cell.corners]
        for x, y in spots:
            text = ax.text(x, y, names[cell.id], ha="center", va="center", fontsize=6.5, color=_DISTRICT_COLOUR,
                           style="italic", zorder=1)
            box = text.get_window_extent()
            clear = (_overlap(box, frame) == box.width * box.height
                     and not any(_overlap(box, c) for c in circles.values()) and not any(_overlap(box, b) for b in boxes))
            if clear:
                placed.append(text)
                boxes.append(box)
                break
            text.remove()
    return placed


def _label_spots(fig: Figure, ax: Axes, nodes: list[str], pos: dict, names: dict[str, str],
                 radius_pt: dict[str, float], circles: dict[str, Bbox], obstacles: list[Text]) -> dict[str, int]:
    """For each node, the first spot round it whose label covers no other node, label, district name or the panel's edge."""
    frame = ax.get_window_extent()
    px = fig.dpi / 72.0
    placed: list[Bbox] = [t.get_window_extent().padded(1.0 * px) for t in obstacles]
    spots: dict[str, int] = {}
    for node in sorted(nodes, key=lambda n: -radius_pt[n]):
        best: tuple[float, int, Bbox] | None = None
        for spot in range(len(_SPOTS)):
            ann = _label(ax, names[node], pos[node], spot, radius_pt[node])
            box = ann.get_window_extent().padded(1.5 * px)
            ann.remove()
            cost = sum(_overlap(box, c) for n, c in circles.items() if n != node)
            cost += sum(_overlap(box, p) for p in placed)
            cost += 4.0 * (box.width * box.height - _overlap(box, frame))
            if best is None or cost < best[0]:
                best = (cost, spot, box)
            if cost == 0:
                break
        spots[node] = best[1]
        placed.append(best[2])
    return spots


def chart_map(comparison: Comparison, region: Region, labels: dict[str, dict[str, str]], lang: str,
               caption: str) -> Figure:
    graph = region.cluster_graph()
    nodes = [n for n in graph.nodes]
    pos = map_positions(graph)
    cells = map_districts(region)
    frame = _map_frame(pos, cells)
    ref_title = comparison.titles[comparison.reference]
    shown = comparison.others[:MAX_MAP_PANELS]
    stock = {n: comparison.value(comparison.reference, n, "talent_stock_mean") for n in nodes}
    rel = {(p, n): _relative(comparison, p, n, stock[n]) for p in shown for n in nodes}
    notes = _map_notes(comparison, graph, pos, rel, lang)

    ncols = 1 if len(shown) <= 1 else 2
    nrows = max(1, -(-len(shown) // ncols))
    panel_w = (WIDTH_IN - 0.75) / ncols if ncols > 1 else 4.6
    panel_titles = [comparison.titles[p] for p in shown] or [tr("reference_tag", lang, name=ref_title)]
    panel_em = panel_w * 72.0 / 8.0
    title_lines = label_lines(panel_titles, panel_em)
    row_in = panel_w * frame.height_per_width + 0.12 + title_lines * LINE_IN
    finite_stock = [v for v in stock.values() if all_finite(v) and v > 0]
    top_stock = max(finite_stock, default=1.0)
    # The largest circle is about a tenth of the panel's width across.
    max_area = (0.1 * panel_w * 72.0) ** 2
    size_key = _size_key(top_stock, min(finite_stock, default=top_stock), max_area,
                         tr("node_area", lang, year=comparison.year))
    keys_in = max(0.8, size_key.height_in)
    fig, body = new_figure(0.45 + nrows * row_in + keys_in, wrapped_title(tr("title_compare_map", lang,
                            year=comparison.year)), notes, caption)
    maps, keys = body.subfigures(2, 1, height_ratios=[nrows * row_in + 0.45, keys_in])
    axes = maps.subplots(nrows, ncols, squeeze=False).ravel()

    area = {n: max_area * (stock[n] / top_stock if all_finite(stock[n]) and stock[n] > 0 else 0.04) for n in nodes}
    radius = {n: math.sqrt(area[n]) / 2 for n in nodes}
    span = max((abs(v[0]) for v in rel.values() if all_finite(v[0])), default=0.0)
    limit = _nice(span)
    norm = _sqrt_norm(limit)
    cmap = matplotlib.colormaps[DIFF_CMAP]
    names = {n: name_of(n, labels, lang) for n in nodes}

    drawn: list[tuple[Axes, int | None]] = []
    for i, ax in enumerate(axes):
        if i >= max(len(shown), 1):
            ax.remove()
            continue
        _draw_districts(ax, cells)
        point = shown[i] if shown else None
        fills, edges, widths = _node_style(rel, point, nodes, cmap, norm)
        _draw_network(ax, graph, pos, nodes, area, fills, edges, widths)
        _map_axes(ax, frame)
        ax.set_title("\n".join(wrapped(panel_titles[i], panel_em)), loc="left", fontsize=8)
        drawn.append((ax, point))

    _map_keys(keys, ScalarMappable(norm=norm, cmap=cmap) if shown else None, size_key, lang, keys_in=keys_in,
              limit=limit)
    fig.draw_without_rendering()
    district_names = {c.id: name_of(c.id, labels, lang) for c in cells}
    for ax, point in drawn:
        circles = _circle_boxes(fig, ax, nodes, pos, radius)
        placed = _district_names(fig, ax, cells, district_names, circles)
        # Each panel's labels carry its own values, so each is placed for its own lengths.
        panel_names = {n: _with_value(names[n], rel.get((point, n), (float("nan"), False))[0]) for n in nodes}
        spots = _label_spots(fig, ax, nodes, pos, panel_names, radius, circles, placed)
        for n in nodes:
            _label(ax, panel_names[n], pos[n], spots[n], radius[n])
    return fig


def _with_value(name: str, percent: float) -> str:
    """A cluster's name with its relative difference, e.g. ``Hydrogen energy +1.2%``."""
    if not all_finite(percent):
        return name
    if round(percent, 1) == 0:  # no sign on a value that rounds to zero
        return f"{name} 0.0%"
    return f"{name} {minus(f'{percent:+.1f}')}%"


def _draw_districts(ax: Axes, cells: list[DistrictCell]) -> None:
    """The districts' schematic cells, under everything else."""
    for cell in cells:
        ax.add_patch(Polygon(cell.corners, closed=True, facecolor=_CELL_FILL, edgecolor=_CELL_EDGE, linewidth=0.7,
                             zorder=0))


def _map_notes(comparison: Comparison, graph: nx.Graph, pos: dict, rel: dict, lang: str) -> list[str]:
    """The map's notes: how to read it, spread clusters, scenarios left out, and missing estimates."""
    ref_title = comparison.titles[comparison.reference]
    others = comparison.others
    shown = others[:MAX_MAP_PANELS]
    notes = [tr("map_note", lang, ref=ref_title), tr("schematic_note", lang),
             tr("interval_holds", lang, what=comparison.holds), *comparison.notes]
    if len(pos) > len({tuple(p) for _, p in graph.nodes(data="pos")}):
        notes.append(tr("spread_note", lang))
    if len(others) > len(shown):
        left = [comparison.titles[p] for p in others[len(shown):]]
        notes.append(tr("panels_left_out", lang, shown=len(shown), total=len(others), items=listing(left, lang)))
    if not others:
        notes.append(tr("no_comparison", lang, name=ref_title))
    if any(not all_finite(v[0]) for v in rel.values()):
        notes.append(tr("no_estimate_grey", lang))
    return notes


def _node_style(rel: dict, point: int | None, nodes: list[str], cmap, norm: Normalize) -> tuple[list, list, list]:
    """Fill, outline colour and outline width of each cluster's circle in one scenario's panel."""
    fills, edges, widths = [], [], []
    for n in nodes:
        mean, sure = rel.get((point, n), (float("nan"), False))
        fills.append(matplotlib.colors.to_hex(cmap(norm(mean))) if all_finite(mean) else NO_ESTIMATE)
        edges.append("#1a1a1a" if sure else "#8c8c8c")
        widths.append(1.3 if sure else 0.5)
    return fills, edges, widths

def _relative(comparison: Comparison, point: int, cluster: str, stock: float) -> tuple[float, bool]:
    """Mean difference as % of the reference's stock, and whether its 95% interval excludes zero."""
    mean, low, high = comparison.interval(point, cluster)
    if not (all_finite(mean, stock) and stock > 0):
        return float("nan"), False
    return 100.0 * mean / stock, all_finite(low, high) and (low > 0 or high < 0)


def _draw_network(ax: Axes, graph: nx.Graph, pos: dict, nodes: list[str], area: dict[str, float],
                  fills: list[str], edges: list[str], widths: list[float]) -> None:
    links = list(graph.edges(data="weight"))
    nx.draw_networkx_edges(graph, pos, ax=ax, edgelist=[(a, b) for a, b, _ in links],
                           width=[0.6 + 2.6 * (w or 0.0) for _, _, w in links], edge_color=_LINK_COLOUR)
    # Large circles first, so that a small neighbour is never hidden under one.
    order = sorted(range(len(nodes)), key=lambda i: -area[nodes[i]])
    nx.draw_networkx_nodes(graph, pos, ax=ax, nodelist=[nodes[i] for i in order],
                           node_size=[area[nodes[i]] for i in order], node_color=[fills[i] for i in order],
                           edgecolors=[edges[i] for i in order], linewidths=[widths[i] for i in order])


def _map_axes(ax: Axes, frame: _MapFrame) -> None:
    """The panel's extent and proportions; no degree ticks, since the districts' shapes are a schematic."""
    ax.set_xlim(*frame.xlim)
    ax.set_ylim(*frame.ylim)
    ax.set_aspect(frame.aspect, adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)


@dataclass(frozen=True)
class _SizeKey:
    """Round talent stocks and their circles' diameters in points, on the maps' scale."""

    title: list[str]
    persons: list[float]
    diameters_pt: list[float]

    @property
    def height_in(self) -> float:
        return (max(self.diameters_pt, default=8.0) + len(self.title) * LINE_IN * 72.0 + 20.0) / 72.0


def _size_key(top_stock: float, low_stock: float, max_area: float, title: str) -> _SizeKey:
    persons = sorted({_round_1sf(v) for v in (low_stock, math.sqrt(low_stock * top_stock), top_stock) if v > 0})
    return _SizeKey(wrapped(title, 30.0), persons, [math.sqrt(max_area * v / top_stock) for v in persons])


def _map_keys(keys: SubFigure, colours: ScalarMappable | None, size_key: _SizeKey, lang: str, *,
              keys_in: float, limit: float) -> None:
    """Colour scale on the left and circle sizes on the right, in one row under the maps."""
    if colours is not None:
        cax = keys.add_axes((0.07, 1.0 - 0.36 / keys_in, 0.36, 0.11 / keys_in))
        bar = keys.colorbar(colours, cax=cax, orientation="horizontal")
        bar.set_label(tr("rel_diff_pct", lang), fontsize=8)
        cax.tick_params(labelsize=SMALL_PT)
        # Ticks where the square-root scale puts them apart: the ends, a quarter of them, and zero.
        inner = _nice(limit / 5)
        bar.set_ticks([-limit, -inner, 0.0, inner, limit])
        cax.xaxis.set_major_formatter(GroupedFormatter())
        bar.outline.set_linewidth(0.5)
    left = 0.52 if colours is not None else 0.3
    _draw_size_key(keys.add_axes((left, 0.0, 0.46, 1.0)), size_key, width_pt=0.46 * WIDTH_IN * 72.0,
                   height_pt=keys_in * 72.0)


def _draw_size_key(ax: Axes, key: _SizeKey, *, width_pt: float, height_pt: float) -> None:
    """The key drawn in an axes measured in points, so that its circles sit apart whatever their size."""
    ax.set_axis_off()
    ax.set_xlim(0.0, width_pt)
    ax.set_ylim(0.0, height_pt)
    # Clear of the axis labels of the maps above.
    top = height_pt - 10.0
    ax.text(0.0, top, "\n".join(key.title), ha="left", va="top", fontsize=8, linespacing=1.25)
    below_title = top - len(key.title) * LINE_IN * 72.0 - 4.0
    y = below_title - max(key.diameters_pt, default=8.0) / 2
    x = 2.0
    for persons, diameter in zip(key.persons, key.diameters_pt):
        label = f"{persons:,.0f}"
        ax.scatter([x + diameter / 2], [y], s=diameter ** 2, color=NO_ESTIMATE, edgecolors="#8c8c8c",
                   linewidths=0.5, clip_on=False)
        ax.text(x + diameter + 4.0, y, label, ha="left", va="center", fontsize=SMALL_PT)
        x += diameter + 4.0 + text_width_em(label) * SMALL_PT + 12.0
