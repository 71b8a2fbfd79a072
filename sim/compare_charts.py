"""Charts that compare policy scenarios, and the response curve of one policy lever.

Same house style, languages and file handling as :mod:`sim.charts`: a 7-inch figure with a
footer for notes and the caption, PNG (300 dpi) and SVG written atomically, Chinese or
English labels, and byte-identical SVG for the same input.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from matplotlib import patheffects, ticker
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

from sim import charts
from sim.charts import (
    _BASE_RC, _FAN_ALPHA_ONE, _FAN_COLUMNS, _NOTE_COLOUR, _QUALITATIVE, ALL_TIERS, CITY_TOTAL, REST_OF_CITY, WIDTH_IN,
    _chart_fan_total, _draw_fan, _equal, _fan_points, _fan_series, _GroupedFormatter, _label_lowest_panels, _legend_below,
    _dates, _legend_columns, _minus, _name, _new_figure, _no_data, _pick, _runs_text, _save, _t, _text_width_em,
    _wrap, _year_axis,
)
from sim.region import Region

__all__ = ["render_comparison_charts", "COMPARISON_STEMS", "render_response_chart", "RESPONSE_STEMS"]

COMPARISON_STEMS = ("compare_trajectories", "compare_differences", "compare_cost_effectiveness", "compare_map")
RESPONSE_STEMS = ("sweep_response",)
# Up to this many fans stay readable on one axis; more scenarios get a panel each.
MAX_OVERLAID_FANS = 4
MAX_MAP_PANELS = 6

_COMPARISON_COLUMNS = (
    "point", "scenario", "year", "cluster", "n_seeds", "talent_stock_mean", "diff_mean", "diff_ci_low",
    "diff_ci_high", "extra_spending_yuan", "talent_per_100m_yuan", "talent_per_100m_ci_low",
    "talent_per_100m_ci_high",
)
_RESPONSE_COLUMNS = (
    "point", "lever", "value", "year", "n_seeds", "talent_stock_p05", "talent_stock_p25", "talent_stock_median",
    "talent_stock_p75", "talent_stock_p95", "marginal_mean", "marginal_ci_low", "marginal_ci_high",
    "extra_spending_yuan",
)

# The ends of the map's diverging colour map, so that a gain is the same blue in every chart.
_CMAP = "RdBu"
_GAIN = "#2166ac"
_LOSS = "#b2182b"
_NEUTRAL = "#777777"
_NO_ESTIMATE = "#d9d9d9"
_SPENDING_COLOUR = "#a9a9a9"
_LINK_COLOUR = "#c4c4c4"
_HALO = [patheffects.withStroke(linewidth=2.4, foreground="white")]
_SMALL_PT = 7.5
_YUAN_PER_YI = 1e8
_LINE_IN = 8.0 * 1.25 / 72.0  # one line of 8 pt text with its leading
_DIFF = ("diff_mean", "diff_ci_low", "diff_ci_high")
_RATIO = ("talent_per_100m_yuan", "talent_per_100m_ci_low", "talent_per_100m_ci_high")


# ---------------------------------------------------------------- input

def _require(table: pa.Table, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise ValueError(f"cannot draw the {what} chart(s): the {what} table lacks column(s) {', '.join(missing)}")


def _num(value: object) -> float:
    return float("nan") if value is None else float(value)


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def _counts_text(values: list[object]) -> str:
    counts = [int(v) for v in values if v is not None]
    if not counts:
        return "0"
    lo, hi = min(counts), max(counts)
    return f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"


def _listing(items: list[str], lang: str, *, limit: int = 6) -> str:
    shown = items[:limit] + ([_t("more_items", lang, n=len(items) - limit)] if len(items) > limit else [])
    return _t("list_sep", lang).join(shown)


_OPENING = set("（《「『“‘(")


def _wrapped(text: str, width_em: float) -> list[str]:
    """Lines of at most ``width_em``, with no line ending on an opening bracket or quotation mark."""
    lines = _wrap(text, width_em)
    for i in range(len(lines) - 1):
        while lines[i] and lines[i][-1] in _OPENING:
            lines[i + 1] = lines[i][-1] + lines[i + 1]
            lines[i] = lines[i][:-1]
    return [ln for ln in lines if ln]


def _title(text: str) -> str:
    # Bold 11 pt runs wider than the 8 pt the width estimate is for.
    return "\n".join(_wrapped(text, (WIDTH_IN - 0.3) * 72.0 / 11.0 / 1.1))


@dataclass(frozen=True)
class _Comparison:
    """The comparison at one year: scenarios in design order (the reference first) and their rows by cluster."""

    year: int
    points: list[int]
    names: dict[int, str]
    titles: dict[int, str]
    rows: dict[tuple[int, str], dict]
    seeds: str

    @property
    def reference(self) -> int:
        return self.points[0]

    @property
    def others(self) -> list[int]:
        return self.points[1:]

    def value(self, point: int, cluster: str, column: str) -> float:
        row = self.rows.get((point, cluster))
        return float("nan") if row is None else _num(row.get(column))

    def interval(self, point: int, cluster: str, columns: tuple[str, str, str] = _DIFF) -> tuple[float, float, float]:
        mean, low, high = (self.value(point, cluster, c) for c in columns)
        return mean, low, high


def _scenario_title(name: str, scenario_labels: dict[str, dict[str, str]], lang: str) -> str:
    return _pick(scenario_labels.get(name), lang, name)


def _comparison_at(comparison: pa.Table, scenario_labels: dict[str, dict[str, str]], lang: str,
                   year: int | None) -> _Comparison:
    years = sorted({y for y in comparison["year"].to_pylist() if y is not None})
    if not years:
        raise ValueError("cannot draw the comparison charts: the comparison table has no rows with a year")
    if year is None:
        year = years[-1]
    elif year not in years:
        raise ValueError(f"cannot draw the comparison charts for {year}: the comparison table has the years "
                         f"{', '.join(str(y) for y in years)}")
    names: dict[int, str] = {}
    for point, scenario in zip(comparison["point"].to_pylist(), comparison["scenario"].to_pylist()):
        if point is not None and not names.get(point):
            names[point] = scenario or str(point)
    at_year = comparison.filter(_equal(comparison, "year", year))
    rows = {(r["point"], r["cluster"]): r for r in at_year.to_pylist() if r["point"] is not None}
    points = sorted(names)
    titles = {p: _scenario_title(names[p], scenario_labels, lang) for p in points}
    return _Comparison(year=year, points=points, names=names, titles=titles, rows=rows,
                       seeds=_counts_text(at_year["n_seeds"].to_pylist()))


def _clusters(comparison: pa.Table, region: Region) -> list[str]:
    """Region's clusters in its order, then the rest of the city and any other sector the table has."""
    seen = [c for c in dict.fromkeys(comparison["cluster"].to_pylist()) if c not in (None, CITY_TOTAL)]
    ordered = [c for c in region.sector_ids if c in seen]
    return ordered + [c for c in seen if c not in ordered]


# ---------------------------------------------------------------- shared drawing

def _diff_scale(values: np.ndarray) -> tuple[float, str]:
    """Persons for small differences, thousand persons once they run into the thousands."""
    finite = np.abs(values[np.isfinite(values)])
    return (1000.0, "diff_k") if finite.size and finite.max() >= 5000 else (1.0, "diff_persons")


def _padded(lo: float, hi: float, *, share: float = 0.08, with_zero: bool = True) -> tuple[float, float]:
    if with_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    span = hi - lo or max(abs(hi), 1.0)
    return lo - share * span, hi + share * span


def _sign_colour(mean: float) -> str:
    return _GAIN if mean > 0 else _LOSS if mean < 0 else _NEUTRAL


def _estimate(ax: Axes, y: float, mean: float, low: float, high: float, divisor: float) -> str | None:
    """A dot for the mean on its 95% interval, hollow where the interval includes zero; returns the style drawn."""
    if not _finite(mean):
        return None
    colour = _sign_colour(mean)
    sure = _finite(low, high) and (low > 0 or high < 0)
    if _finite(low, high):
        ax.plot([low / divisor, high / divisor], [y, y], color=colour, linewidth=1.1, solid_capstyle="butt", zorder=3)
    ax.plot([mean / divisor], [y], linestyle="none", marker="o", markersize=4.2, markeredgewidth=1.0,
            markeredgecolor=colour, markerfacecolor=colour if sure else "white", zorder=4)
    return ("gain" if mean > 0 else "loss") if sure else "unsure"


def _estimates(ax: Axes, values: np.ndarray, divisor: float) -> set[str]:
    """One estimate per row of (mean, low, high), top to bottom."""
    styles = (_estimate(ax, y, mean, low, high, divisor) for y, (mean, low, high) in enumerate(values))
    return {style for style in styles if style}


def _estimate_key(body: SubFigure, styles: set[str], lang: str) -> None:
    """A key to the dots drawn: only the styles that occur, and the interval."""
    def dot(colour: str, fill: str) -> Line2D:
        return Line2D([], [], linestyle="none", marker="o", markersize=4.2, markeredgewidth=1.0,
                      markeredgecolor=colour, markerfacecolor=fill)

    entries = {"gain": (dot(_GAIN, _GAIN), "gain_sure"), "loss": (dot(_LOSS, _LOSS), "loss_sure"),
               "unsure": (dot(_NEUTRAL, "white"), "not_sure")}
    items = [entries[k] for k in entries if k in styles]
    if not items:
        return
    items.append((Line2D([], [], color=_NEUTRAL, linewidth=1.1), "ci95"))
    names = [_t(key, lang) for _, key in items]
    _legend_below(body, [h for h, _ in items], names, ncols=_one_row_or_fit(names))


def _one_row_or_fit(names: list[str]) -> int:
    """All entries side by side when they fit across the figure, else as many columns as the longest allows."""
    avail_em = (WIDTH_IN - 0.3) * 72.0 / float(_BASE_RC["legend.fontsize"])
    if sum(_text_width_em(n) + 2.2 + 1.4 + 0.8 for n in names) <= avail_em:
        return len(names)
    return _legend_columns(names)


def _zero_line(ax: Axes, *, vertical: bool) -> None:
    (ax.axvline if vertical else ax.axhline)(0, color="#222222", linewidth=0.8, zorder=2)


def _scenario_ticks(ax: Axes, titles: list[str], *, width_em: float) -> None:
    """Scenario titles as y tick labels, top to bottom."""
    ax.set_yticks(np.arange(len(titles)), ["\n".join(_wrapped(t, width_em)) for t in titles])
    ax.set_ylim(len(titles) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)


def _label_lines(titles: list[str], width_em: float) -> int:
    return max((len(_wrapped(t, width_em)) for t in titles), default=1)


def _no_comparison_figure(title: str, comparison: _Comparison, lang: str, caption: str) -> Figure:
    fig, body = _new_figure(1.4, title, [], caption)
    ax = body.add_subplot()
    text = "\n".join(_wrapped(_t("no_comparison", lang, name=comparison.titles[comparison.reference]), 60))
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color=_NOTE_COLOUR)
    ax.set_axis_off()
    return fig


# ---------------------------------------------------------------- trajectories

def _trajectory_names(summary: pa.Table, scenario_labels: dict[str, dict[str, str]], lang: str) -> dict[int, str]:
    _, labels = _fan_points(summary)
    return {p: _scenario_title(name, scenario_labels, lang) for p, name in labels.items()}


def _chart_trajectories(summary: pa.Table, scenario_labels: dict[str, dict[str, str]], lang: str,
                        caption: str) -> Figure:
    total = summary.filter(pc.and_(_equal(summary, "cluster", CITY_TOTAL), _equal(summary, "tier", ALL_TIERS)))
    names = _trajectory_names(total, scenario_labels, lang)
    title = _t("title_compare_trajectories", lang)
    if len(names) <= MAX_OVERLAID_FANS:
        return _chart_fan_total(summary, lang, caption, title=title, names=names, max_points=MAX_OVERLAID_FANS)
    return _chart_trajectory_panels(total, names, title, lang, caption)


def _chart_trajectory_panels(total: pa.Table, names: dict[int, str], title: str, lang: str, caption: str) -> Figure:
    """One panel per scenario on a shared scale, each with the reference's median for comparison."""
    points = sorted(names)
    reference = points[0]
    ncols = 3 if len(points) <= 9 else 4
    nrows = -(-len(points) // ncols)
    panel_em = ((WIDTH_IN - 0.6) / ncols - 0.1) * 72.0 / 8.0
    titles = {p: _t("reference_tag", lang, name=names[p]) if p == reference else names[p] for p in points}
    title_lines = _label_lines(list(titles.values()), panel_em)
    fig, body = _new_figure(1.0 + nrows * (1.05 + title_lines * _LINE_IN), title,
                            [_t("fan_note", lang, n=_runs_text(total))], caption)
    axes = body.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
    ref_dates, ref_stats = _fan_series(total.filter(_equal(total, "point", reference)))
    all_dates = np.unique(_dates(total["date"]))
    key, ref_line = None, None
    for i, ax in enumerate(axes):
        if i >= len(points):
            ax.remove()
            continue
        point = points[i]
        ax.set_title("\n".join(_wrapped(titles[point], panel_em)), loc="left", fontsize=8)
        dates, stats = _fan_series(total.filter(_equal(total, "point", point)))
        if not len(dates):
            _no_data(ax, lang)
            continue
        key = _draw_fan(ax, dates, stats, _QUALITATIVE[0], _FAN_ALPHA_ONE)
        if point != reference and len(ref_dates):
            (ref_line,) = ax.plot(ref_dates, ref_stats["median"], color="#333333", linewidth=0.9,
                                  linestyle=(0, (3.5, 2)), zorder=5)
        ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_formatter(_GroupedFormatter())
        _year_axis(ax, all_dates, max_ticks=4)
    _label_lowest_panels(axes, n_panels=len(points), ncols=ncols, xlabel=_t("year", lang))
    body.supylabel(_t("stock_k", lang), fontsize=_BASE_RC["axes.labelsize"])
    if key is not None:
        handles = list(key) + ([ref_line] if ref_line is not None else [])
        labels = [_t("median", lang), _t("band_50", lang), _t("band_90", lang), _t("ref_median_key", lang)]
        _legend_below(body, handles, labels[:len(handles)], ncols=len(handles))
    return fig


# ---------------------------------------------------------------- differences

def _chart_differences(comparison: _Comparison, clusters: list[str], labels: dict[str, dict[str, str]], lang: str,
                       caption: str) -> Figure:
    title = _title(_t("title_compare_differences", lang, year=comparison.year))
    ref_title = comparison.titles[comparison.reference]
    notes = [_t("diff_note", lang, ref=ref_title, n=comparison.seeds)]
    others = comparison.others
    if not others:
        return _no_comparison_figure(title, comparison, lang, caption)
    # The city total and the rest of the city run to tens of thousands, the clusters to hundreds:
    # each gets its own scale, the nine clusters one shared scale.
    wholes = [CITY_TOTAL] + [c for c in clusters if c == REST_OF_CITY]
    parts = [c for c in clusters if c != REST_OF_CITY]
    whole_values = np.array([[comparison.interval(p, c) for p in others] for c in wholes])
    part_values = np.array([[comparison.interval(p, c) for c in parts] for p in others]).reshape(
        len(others), len(parts), 3)
    where = {c: _t("city_total", lang) if c == CITY_TOTAL else _name(c, labels, lang) for c in [*wholes, *parts]}
    missing = _missing_estimates(comparison, [*wholes, *parts], where, lang)
    if missing:
        notes.append(_t("no_estimate", lang, items=_listing(missing, lang)))

    scenario_titles = [comparison.titles[p] for p in others]
    scenario_em = 28.0
    top_in = 0.8 + len(others) * (0.05 + _label_lines(scenario_titles, scenario_em) * 0.125)
    ncols = min(len(others), 5 if len(others) > 8 else 4)
    nrows = -(-len(others) // ncols)
    part_names = [_name(c, labels, lang) for c in parts]
    label_in = max((_text_width_em(n) for n in part_names), default=4) * _SMALL_PT / 72.0 + 0.15
    panel_em = ((WIDTH_IN - 0.3 - label_in) / ncols - 0.12) * 72.0 / 8.0
    panel_in = 0.12 + max(len(parts), 1) * 0.118 + _label_lines(scenario_titles, panel_em) * _LINE_IN
    grid_in = 0.55 + nrows * panel_in if parts else 0.0
    fig, body = _new_figure(0.35 + top_in + grid_in + 0.3, title, notes, caption)
    top, grid = body.subfigures(2, 1, height_ratios=[top_in, max(grid_in, 1e-3)]) if parts else (body, None)

    styles = _whole_panels(top, whole_values, [where[c] for c in wholes], scenario_titles, scenario_em, lang)
    if grid is not None:
        styles |= _cluster_panels(grid, part_values, part_names, scenario_titles, ncols=ncols, panel_em=panel_em,
                                  lang=lang)
    _estimate_key(body, styles, lang)
    return fig


def _missing_estimates(comparison: _Comparison, sectors: list[str], names: dict[str, str], lang: str) -> list[str]:
    """Each scenario without any estimate by its title; otherwise each sector it lacks, in that scenario."""
    items = []
    for point in comparison.others:
        lacking = [c for c in sectors if not _finite(comparison.interval(point, c)[0])]
        if len(lacking) == len(sectors):
            items.append(comparison.titles[point])
        else:
            items += [_t("item_in", lang, what=names[c], where=comparison.titles[point]) for c in lacking]
    return items


def _whole_panels(top: SubFigure, values: np.ndarray, names: list[str], scenario_titles: list[str],
                  scenario_em: float, lang: str) -> set[str]:
    """The city total (and the rest of the city) per scenario, each on its own scale."""
    axes = top.subplots(1, len(names), sharey=True, squeeze=False).ravel()
    styles: set[str] = set()
    panel_em = ((WIDTH_IN - 0.3 - scenario_em * 8.0 / 72.0) / len(names)) * 72.0 / float(_BASE_RC["axes.labelsize"])
    scales = [_diff_scale(rows) for rows in values]
    shared = len({unit for _, unit in scales}) == 1 and len(names) > 1
    if shared:
        top.supxlabel(_t(scales[0][1], lang), fontsize=_BASE_RC["axes.labelsize"])
    for ax, name, rows, (divisor, unit) in zip(axes, names, values, scales):
        styles |= _estimates(ax, rows, divisor)
        _zero_line(ax, vertical=True)
        ax.set_xlim(*_padded(np.nanmin(rows, initial=0.0) / divisor, np.nanmax(rows, initial=0.0) / divisor))
        ax.set_title(name, loc="left")
        if not shared:
            ax.set_xlabel("\n".join(_wrapped(_t(unit, lang), panel_em)))
        ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(_GroupedFormatter())
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
    _scenario_ticks(axes[0], scenario_titles, width_em=scenario_em)
    return styles


def _cluster_panels(grid: SubFigure, values: np.ndarray, cluster_names: list[str], titles: list[str], *, ncols: int,
                    panel_em: float, lang: str) -> set[str]:
    """One panel per scenario, clusters down the side, every panel on the same scale."""
    nrows = -(-len(titles) // ncols)
    axes = grid.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
    divisor, unit = _diff_scale(values)
    styles: set[str] = set()
    for i, ax in enumerate(axes):
        if i >= len(titles):
            ax.remove()
            continue
        ax.set_title("\n".join(_wrapped(titles[i], panel_em)), loc="left", fontsize=8)
        styles |= _estimates(ax, values[i], divisor)
        _zero_line(ax, vertical=True)
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0, labelsize=_SMALL_PT)
        ax.tick_params(axis="x", labelsize=_SMALL_PT)
    axes[0].set_yticks(np.arange(len(cluster_names)), cluster_names)
    axes[0].set_ylim(len(cluster_names) - 0.5, -0.5)
    axes[0].set_xlim(*_padded(np.nanmin(values, initial=0.0) / divisor, np.nanmax(values, initial=0.0) / divisor))
    axes[0].xaxis.set_major_locator(ticker.MaxNLocator(nbins=4 if ncols <= 4 else 3, steps=[1, 2, 2.5, 5, 10]))
    axes[0].xaxis.set_major_formatter(_GroupedFormatter())
    _label_lowest_panels(axes, n_panels=len(titles), ncols=ncols, xlabel=None)
    grid.suptitle(_t("by_cluster", lang), x=0.012, ha="left", fontsize=_BASE_RC["axes.titlesize"])
    grid.supxlabel(_t(unit, lang), fontsize=_BASE_RC["axes.labelsize"])
    return styles


# ---------------------------------------------------------------- cost-effectiveness

def _chart_cost(comparison: _Comparison, lang: str, caption: str) -> Figure:
    title = _title(_t("title_compare_cost", lang, year=comparison.year))
    ref_title = comparison.titles[comparison.reference]
    others = comparison.others
    if not others:
        return _no_comparison_figure(title, comparison, lang, caption)
    ratios = {p: comparison.interval(p, CITY_TOTAL, _RATIO) for p in others}
    drawn = sorted((p for p in others if _finite(ratios[p][0])), key=lambda p: (-ratios[p][0], p))
    skipped = [comparison.titles[p] for p in others if p not in drawn]
    notes = [_t("cost_note", lang, year=comparison.year, ref=ref_title)]
    if skipped:
        notes.append(_t("no_extra_spending", lang, items=_listing(skipped, lang, limit=12)))
    titles = [comparison.titles[p] for p in drawn]
    values = np.array([ratios[p] for p in drawn]).reshape(-1, 3)
    if len(drawn):
        low, high = _steady_extent(values)
        cut = [titles[i] for i, (_, lo, hi) in enumerate(values) if (_finite(lo) and lo < low) or (_finite(hi) and hi > high)]
        if cut:
            notes.append(_t("interval_cut", lang, items=_listing(cut, lang, limit=6)))
    scenario_em = 26.0
    row_in = 0.05 + _label_lines(titles, scenario_em) * 0.125
    fig, body = _new_figure(1.35 + max(len(drawn), 2) * row_in, title, notes, caption)
    ax, ax_money = body.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    if not drawn:
        for a in (ax, ax_money):
            a.set_xticks([])
            a.set_yticks([])
        ax.text(0.5, 0.5, _t("nothing_to_rank", lang), transform=ax.transAxes, ha="center", va="center",
                color=_NOTE_COLOUR)
        return fig
    _scenario_ticks(ax, titles, width_em=scenario_em)
    styles = _estimates(ax, values, 1.0)
    ax.set_xlim(*_padded(low, high))
    _zero_line(ax, vertical=True)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(_GroupedFormatter())
    _spending_bars(ax_money, [comparison.value(p, CITY_TOTAL, "extra_spending_yuan") for p in drawn])
    # Axis labels wrapped to their panels, so that the two never run into each other.
    text_in = WIDTH_IN - 0.4 - scenario_em * 8.0 / 72.0
    label_em = 72.0 / float(_BASE_RC["axes.labelsize"])
    ax.set_xlabel("\n".join(_wrapped(_t("per_100m", lang), 0.6 * text_in * label_em)))
    ax_money.set_xlabel("\n".join(_wrapped(_t("extra_spending_yi", lang), 0.4 * text_in * label_em)))
    _estimate_key(body, styles, lang)
    return fig


def _steady_extent(values: np.ndarray) -> tuple[float, float]:
    """The x-range of every estimate and of the intervals that are not many times wider than the typical one.

    A scenario that spends little extra money has a ratio with a huge interval; drawn in full it
    would squeeze every other scenario onto the zero line.
    """
    mean, lo, hi = values[:, 0], values[:, 1], values[:, 2]
    width = hi - lo
    typical = np.nanmedian(width) if np.isfinite(width).any() else np.nan
    steady = np.isfinite(width) & (width <= 5 * typical) if np.isfinite(typical) else np.zeros(len(values), bool)
    points = np.concatenate([mean[np.isfinite(mean)], lo[steady], hi[steady], [0.0]])
    return float(points.min()), float(points.max())


def _spending_bars(ax: Axes, spending_yuan: list[float]) -> None:
    money = np.array(spending_yuan, dtype=float) / _YUAN_PER_YI
    y = np.arange(len(money))
    ok = np.isfinite(money)
    ax.barh(y[ok], money[ok], height=0.55, color=_SPENDING_COLOUR, zorder=2)
    lo, hi = _padded(np.nanmin(money, initial=0.0), np.nanmax(money, initial=0.0), share=0.05)
    # Room at the outer ends of the bars for their values.
    span = hi - lo
    ax.set_xlim(lo - (0.25 * span if lo < 0 else 0), hi + (0.25 * span if hi > 0 else 0))
    for yy, m in zip(y[ok], money[ok]):
        ax.annotate(_minus(_fmt_yi(m)), (m, yy), xytext=(3 if m >= 0 else -3, 0), textcoords="offset points",
                    ha="left" if m >= 0 else "right", va="center", fontsize=_SMALL_PT, color="#333333")
    _zero_line(ax, vertical=True)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(_GroupedFormatter())


def _fmt_yi(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}" if abs(value) >= 1 else f"{value:,.2f}"


# ---------------------------------------------------------------- map

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


def _map_frame(pos: dict[str, tuple[float, float]]) -> _MapFrame:
    lons = [p[0] for p in pos.values()]
    lats = [p[1] for p in pos.values()]
    dx = max(max(lons) - min(lons), 0.1)
    dy = max(max(lats) - min(lats), 0.1)
    # Room round the outer circles for their labels.
    return _MapFrame((min(lons) - 0.2 * dx, max(lons) + 0.2 * dx), (min(lats) - 0.12 * dy, max(lats) + 0.12 * dy))


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
                      fontsize=_SMALL_PT, color="#1a1a1a", zorder=6, path_effects=_HALO, annotation_clip=False)
    ann.set_in_layout(False)
    return ann


def _label_spots(fig: Figure, ax: Axes, nodes: list[str], pos: dict, names: dict[str, str],
                 radius_pt: dict[str, float]) -> dict[str, int]:
    """For each node, the first spot round it whose label covers no other node, label or the panel's edge."""
    fig.draw_without_rendering()
    frame = ax.get_window_extent()
    px = fig.dpi / 72.0
    circles = {}
    for node in nodes:
        x, y = ax.transData.transform(pos[node])
        # Air round each circle, so that a label (and its halo) never touches one.
        r = (radius_pt[node] + 3.5) * px
        circles[node] = Bbox.from_extents(x - r, y - r, x + r, y + r)
    placed: list[Bbox] = []
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


def _chart_map(comparison: _Comparison, region: Region, labels: dict[str, dict[str, str]], lang: str,
               caption: str) -> Figure:
    graph = region.cluster_graph()
    nodes = [n for n in graph.nodes]
    pos = map_positions(graph)
    frame = _map_frame(pos)
    ref = comparison.reference
    ref_title = comparison.titles[ref]
    others = comparison.others
    shown = others[:MAX_MAP_PANELS]

    notes = [_t("map_note", lang, ref=ref_title)]
    if len(pos) > len({tuple(p) for _, p in graph.nodes(data="pos")}):
        notes.append(_t("spread_note", lang))
    if len(others) > len(shown):
        left = [comparison.titles[p] for p in others[len(shown):]]
        notes.append(_t("panels_left_out", lang, shown=len(shown), total=len(others), items=_listing(left, lang)))
    if not others:
        notes.append(_t("no_comparison", lang, name=ref_title))

    stock = {n: comparison.value(ref, n, "talent_stock_mean") for n in nodes}
    rel = {(p, n): _relative(comparison, p, n, stock[n]) for p in shown for n in nodes}
    if any(not _finite(v[0]) for v in rel.values()):
        notes.append(_t("no_estimate_grey", lang))

    ncols = 1 if len(shown) <= 1 else 2
    nrows = max(1, -(-len(shown) // ncols))
    panel_w = (WIDTH_IN - 0.75) / ncols if ncols > 1 else 4.6
    panel_titles = [comparison.titles[p] for p in shown] or [_t("reference_tag", lang, name=ref_title)]
    panel_em = panel_w * 72.0 / 8.0
    title_lines = _label_lines(panel_titles, panel_em)
    row_in = panel_w * frame.height_per_width + 0.12 + title_lines * _LINE_IN
    finite_stock = [v for v in stock.values() if _finite(v) and v > 0]
    top_stock = max(finite_stock, default=1.0)
    # The largest circle is about a tenth of the panel's width across.
    max_area = (0.1 * panel_w * 72.0) ** 2
    size_key = _size_key(top_stock, min(finite_stock, default=top_stock), max_area,
                         _t("node_area", lang, year=comparison.year))
    keys_in = max(0.8, size_key.height_in)
    fig, body = _new_figure(0.45 + nrows * row_in + keys_in, _title(_t("title_compare_map", lang,
                            year=comparison.year)), notes, caption)
    maps, keys = body.subfigures(2, 1, height_ratios=[nrows * row_in + 0.45, keys_in])
    axes = maps.subplots(nrows, ncols, squeeze=False).ravel()

    area = {n: max_area * (stock[n] / top_stock if _finite(stock[n]) and stock[n] > 0 else 0.04) for n in nodes}
    radius = {n: math.sqrt(area[n]) / 2 for n in nodes}
    span = max((abs(v[0]) for v in rel.values() if _finite(v[0])), default=0.0)
    norm = Normalize(-_nice(span), _nice(span))
    cmap = matplotlib.colormaps[_CMAP]
    names = {n: _name(n, labels, lang) for n in nodes}

    for i, ax in enumerate(axes):
        if i >= max(len(shown), 1):
            ax.remove()
            continue
        point = shown[i] if shown else None
        fills, edges, widths = [], [], []
        for n in nodes:
            mean, sure = rel.get((point, n), (float("nan"), False))
            fills.append(matplotlib.colors.to_hex(cmap(norm(mean))) if _finite(mean) else _NO_ESTIMATE)
            edges.append("#1a1a1a" if sure else "#8c8c8c")
            widths.append(1.3 if sure else 0.5)
        _draw_network(ax, graph, pos, nodes, area, fills, edges, widths)
        _map_axes(ax, frame, lang, left=i % ncols == 0, bottom=i + ncols >= max(len(shown), 1))
        ax.set_title("\n".join(_wrapped(panel_titles[i], panel_em)), loc="left", fontsize=8)

    drawn = [ax for ax in axes[:max(len(shown), 1)]]
    _map_keys(keys, ScalarMappable(norm=norm, cmap=cmap) if shown else None, size_key, lang, keys_in=keys_in)
    spots = _label_spots(fig, drawn[0], nodes, pos, names, radius)
    for ax in drawn:
        for n in nodes:
            _label(ax, names[n], pos[n], spots[n], radius[n])
    return fig


def _relative(comparison: _Comparison, point: int, cluster: str, stock: float) -> tuple[float, bool]:
    """Mean difference as % of the reference's stock, and whether its 95% interval excludes zero."""
    mean, low, high = comparison.interval(point, cluster)
    if not (_finite(mean, stock) and stock > 0):
        return float("nan"), False
    return 100.0 * mean / stock, _finite(low, high) and (low > 0 or high < 0)


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


def _map_axes(ax: Axes, frame: _MapFrame, lang: str, *, left: bool, bottom: bool) -> None:
    ax.set_xlim(*frame.xlim)
    ax.set_ylim(*frame.ylim)
    ax.set_aspect(frame.aspect, adjustable="box")
    ax.tick_params(axis="both", which="both", bottom=True, left=True, labelbottom=bottom, labelleft=left,
                   labelsize=_SMALL_PT)
    ax.xaxis.set_major_locator(ticker.MultipleLocator(0.2))
    ax.yaxis.set_major_locator(ticker.MultipleLocator(0.1))
    ax.xaxis.set_major_formatter(ticker.FormatStrFormatter("%.1f"))
    ax.yaxis.set_major_formatter(ticker.FormatStrFormatter("%.1f"))
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    for spine in ax.spines.values():
        spine.set_color("#999999")
        spine.set_linewidth(0.6)
    if bottom:
        ax.set_xlabel(_t("lon", lang), fontsize=8)
    if left:
        ax.set_ylabel(_t("lat", lang), fontsize=8)


@dataclass(frozen=True)
class _SizeKey:
    """Round talent stocks and their circles' diameters in points, on the maps' scale."""

    title: list[str]
    persons: list[float]
    diameters_pt: list[float]

    @property
    def height_in(self) -> float:
        return (max(self.diameters_pt, default=8.0) + len(self.title) * _LINE_IN * 72.0 + 20.0) / 72.0


def _size_key(top_stock: float, low_stock: float, max_area: float, title: str) -> _SizeKey:
    persons = sorted({_round_1sf(v) for v in (low_stock, math.sqrt(low_stock * top_stock), top_stock) if v > 0})
    return _SizeKey(_wrapped(title, 30.0), persons, [math.sqrt(max_area * v / top_stock) for v in persons])


def _map_keys(keys: SubFigure, colours: ScalarMappable | None, size_key: _SizeKey, lang: str, *,
              keys_in: float) -> None:
    """Colour scale on the left and circle sizes on the right, in one row under the maps."""
    if colours is not None:
        cax = keys.add_axes((0.07, 1.0 - 0.36 / keys_in, 0.36, 0.11 / keys_in))
        bar = keys.colorbar(colours, cax=cax, orientation="horizontal")
        bar.set_label(_t("rel_diff_pct", lang), fontsize=8)
        cax.tick_params(labelsize=_SMALL_PT)
        cax.xaxis.set_major_formatter(_GroupedFormatter())
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
    below_title = top - len(key.title) * _LINE_IN * 72.0 - 4.0
    y = below_title - max(key.diameters_pt, default=8.0) / 2
    x = 2.0
    for persons, diameter in zip(key.persons, key.diameters_pt):
        label = f"{persons:,.0f}"
        ax.scatter([x + diameter / 2], [y], s=diameter ** 2, color=_NO_ESTIMATE, edgecolors="#8c8c8c",
                   linewidths=0.5, clip_on=False)
        ax.text(x + diameter + 4.0, y, label, ha="left", va="center", fontsize=_SMALL_PT)
        x += diameter + 4.0 + _text_width_em(label) * _SMALL_PT + 12.0


# ---------------------------------------------------------------- response curve

def _lever_name(lever_label: dict[str, str] | str | None, lever: str, lang: str) -> str:
    if isinstance(lever_label, str) and lever_label:
        return lever_label
    if isinstance(lever_label, dict):
        return _pick(lever_label, lang, lever)
    return lever.rsplit(".", 1)[-1]


def _in_yuan(lever: str) -> bool:
    return "yuan" in lever.rsplit(".", 1)[-1]


def _marginal_scale(values: np.ndarray, *, yuan: bool, lang: str) -> tuple[float, str]:
    """Persons per unit, or per 10, 100, ... units while one unit brings less than a person, interval included."""
    if yuan:
        return _YUAN_PER_YI, _t("per_100m", lang)
    finite = np.abs(values[np.isfinite(values)])
    peak = float(finite.max()) if finite.size else 0.0
    if peak <= 0 or peak >= 1:
        return 1.0, _t("marginal_unit", lang)
    factor = 10.0 ** math.ceil(-math.log10(peak))
    return factor, _t("marginal_units", lang, n=f"{factor:,.0f}")


@dataclass(frozen=True)
class _Curve:
    year: int
    value: np.ndarray
    stats: dict[str, np.ndarray]
    marginal: np.ndarray  # (n, 3): mean, low, high
    extra: np.ndarray


def _curves(response: pa.Table, x_divisor: float) -> list[_Curve]:
    out = []
    years = sorted({y for y in response["year"].to_pylist() if y is not None})
    for year in years:
        rows = [r for r in response.filter(_equal(response, "year", year)).to_pylist() if r["value"] is not None]
        rows.sort(key=lambda r: (r["value"], r["point"]))
        value = np.array([r["value"] for r in rows], dtype=float) / x_divisor
        stats = {s: np.array([_num(r[f"talent_stock_{s}"]) for r in rows]) / 1000.0
                 for s in ("p05", "p25", "median", "p75", "p95")}
        marginal = np.array([[_num(r[c]) for c in ("marginal_mean", "marginal_ci_low", "marginal_ci_high")]
                             for r in rows]).reshape(len(rows), 3)
        extra = np.array([_num(r["extra_spending_yuan"]) for r in rows])
        out.append(_Curve(year, value, stats, marginal, extra))
    return out


def _chart_response(response: pa.Table, lever_label: dict[str, str] | str | None, lang: str,
                    caption: str) -> Figure:
    levers = [v for v in dict.fromkeys(response["lever"].to_pylist()) if v]
    lever = levers[0] if levers else ""
    yuan = _in_yuan(lever)
    name = _lever_name(lever_label, lever, lang)
    axis_name = _t("with_unit", lang, name=name, unit=_t("yi_unit", lang)) if yuan else name
    curves = _curves(response, _YUAN_PER_YI if yuan else 1.0)
    notes = [_t("response_note", lang, n=_counts_text(response["n_seeds"].to_pylist()))]
    notes += _spending_note(curves, lang, yuan=yuan)

    ncols = min(3, max(1, len(curves)))
    nrows = max(1, -(-len(curves) // ncols))
    title = _title(_t("title_response", lang, lever=_in_title(name, lang)))
    fig, body = _new_figure(0.5 + 2.4 * nrows + 2.3, title, notes, caption)
    grid = body.add_gridspec(nrows + 1, ncols, height_ratios=[1.0] * nrows + [1.1])
    marginal_ax = body.add_subplot(grid[nrows, :])
    if not curves:
        _no_data(body.add_subplot(grid[0, :]), lang)
        _no_data(marginal_ax, lang)
        return fig
    colours = {c.year: _QUALITATIVE[i % len(_QUALITATIVE)] for i, c in enumerate(curves)}
    panel_em = ((WIDTH_IN - 0.6) / ncols - 0.2) * 72.0 / float(_BASE_RC["axes.labelsize"])
    keys = []
    for i, curve in enumerate(curves):
        ax = body.add_subplot(grid[i // ncols, i % ncols])
        keys.append(_stock_panel(ax, curve, colours[curve.year], lang))
        ax.set_xlabel("\n".join(_wrapped(axis_name, panel_em)))
        if i % ncols == 0:
            ax.set_ylabel(_t("stock_k", lang))
    _marginal_panel(marginal_ax, curves, colours, yuan, lang)
    marginal_ax.set_xlabel(axis_name)

    grey = "#7f7f7f"
    handles: list = [(band, median) for median, band, _ in keys]
    labels = [str(c.year) for c in curves]
    handles += [Line2D([], [], color=grey, linewidth=1.6), Patch(facecolor=grey, alpha=_FAN_ALPHA_ONE[1]),
                Patch(facecolor=grey, alpha=_FAN_ALPHA_ONE[0]),
                Line2D([], [], color=grey, marker="o", markersize=4, linewidth=1.1)]
    labels += [_t("median", lang), _t("band_50", lang), _t("band_90", lang), _t("mean_ci", lang)]
    _legend_below(body, handles, labels, ncols=_one_row_or_fit(labels))
    return fig


def _in_title(name: str, lang: str) -> str:
    """An English name inside a sentence starts in lower case, unless it starts with an abbreviation."""
    if lang == "en" and len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _stock_panel(ax: Axes, curve: _Curve, colour: str, lang: str) -> tuple[Line2D, Patch, Patch]:
    key = _draw_fan(ax, curve.value, curve.stats, colour, _FAN_ALPHA_ONE)
    ax.plot(curve.value, curve.stats["median"], linestyle="none", marker="o", markersize=3.2, color=colour, zorder=5)
    ax.set_title(_t("year_end", lang, year=curve.year), loc="left")
    ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(_GroupedFormatter())
    _value_ticks(ax, curve.value, max_ticks=3)  # narrow panels: every value would run into the next
    return key


def _value_ticks(ax: Axes, values: np.ndarray, *, max_ticks: int = 7) -> None:
    values = np.unique(values[np.isfinite(values)])
    if 1 < len(values) <= max_ticks:
        ax.set_xticks(values)
    else:
        ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=max_ticks - 1, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(_GroupedFormatter())
    if len(values) > 1:
        pad = 0.04 * (values[-1] - values[0])
        ax.set_xlim(values[0] - pad, values[-1] + pad)


def _marginal_panel(ax: Axes, curves: list[_Curve], colours: dict[int, str], yuan: bool, lang: str) -> None:
    everything = np.concatenate([c.marginal.ravel() for c in curves])
    factor, label = _marginal_scale(everything, yuan=yuan, lang=lang)
    ax.set_ylabel("\n".join(_wrapped(label, 15.0)))
    values = np.unique(np.concatenate([c.value for c in curves]))
    steps = np.diff(values)
    if not np.isfinite(everything).any() or not len(steps):
        ax.text(0.5, 0.5, _t("single_value", lang), transform=ax.transAxes, ha="center", va="center",
                color=_NOTE_COLOUR)
        ax.set_yticks([])
        _value_ticks(ax, values)
        return
    # Curves for several years sit side by side round each midpoint so that their intervals do not hide each other.
    dodge = 0.06 * float(steps[steps > 0].min()) if (steps > 0).any() else 0.0
    for i, curve in enumerate(curves):
        shift = (i - (len(curves) - 1) / 2) * dodge
        mid = (curve.value[1:] + curve.value[:-1]) / 2 + shift
        mean, low, high = (curve.marginal[1:, k] * factor for k in range(3))
        colour = colours[curve.year]
        ok = np.isfinite(mean)
        ax.plot(mid[ok], mean[ok], color=colour, linewidth=0.9, alpha=0.6, zorder=3)
        both = ok & np.isfinite(low) & np.isfinite(high)
        ax.vlines(mid[both], low[both], high[both], color=colour, linewidth=1.1, zorder=3)
        ax.plot(mid[ok], mean[ok], linestyle="none", marker="o", markersize=4, color=colour, zorder=4)
    _zero_line(ax, vertical=False)
    ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(_GroupedFormatter())
    _value_ticks(ax, values)


def _spending_note(curves: list[_Curve], lang: str, *, yuan: bool) -> list[str]:
    items = []
    for curve in curves:
        if len(curve.value) > 1 and _finite(curve.extra[-1]):
            amount = _minus(_fmt_yi(curve.extra[-1] / _YUAN_PER_YI))
            items.append(_t("spending_item", lang, year=curve.year, amount=amount))
    if not items:
        return []
    first, last = (_minus(_fmt_value(v)) for v in (curves[0].value[0], curves[0].value[-1]))
    if yuan:
        first, last = (_t("with_unit", lang, name=v, unit=_t("yi_unit", lang)) for v in (first, last))
    return [_t("response_spending", lang, value=last, first=first, items=_t("list_sep", lang).join(items))]


def _fmt_value(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.3g}"


# ---------------------------------------------------------------- writing

def _settled(fig: Figure) -> Figure:
    """The figure with its layout done once and frozen, each axes' place rounded to a millionth of the figure.

    The layout solver can come out a last bit apart from one call to the next, and the SVG
    backend names clip paths by hashing the exact coordinates: frozen, rounded places keep
    the same input giving the same file, and PNG and SVG the same layout.
    """
    fig.draw_without_rendering()
    subfigures = list(fig.subfigs)
    while subfigures:
        sub = subfigures.pop()
        sub.bbox_relative.set_points(np.round(sub.bbox_relative.get_points(), 6))
        subfigures += sub.subfigs
    for ax in fig.axes:
        ax.set_position([round(float(v), 6) for v in ax.get_position(original=True).bounds], which="original")
    fig.set_layout_engine("none")
    return fig


def _language(lang: str) -> str:
    used, message = charts.resolve_language(lang)
    if message:
        warnings.warn(message, UserWarning, stacklevel=3)
    return used


def render_comparison_charts(*, summary: pa.Table, comparison: pa.Table, scenario_labels: dict[str, dict[str, str]],
                             region: Region, out_dir: Path, lang: str, caption: str,
                             year: int | None = None) -> list[Path]:
    """Charts comparing scenarios with the reference (design point 0); PNG (300 dpi) + SVG; returns sorted paths.

    ``summary`` is the ensemble summary (one row per point, date, cluster and tier, as
    :func:`sim.ensemble.summarise` writes it, ``point_label`` being the scenario's name);
    ``comparison`` has one row per point, year and cluster with the mean paired differences to
    point 0 and, on ``city_total`` rows, the extra spending and talent per 100 million yuan.
    ``scenario_labels`` maps scenario names to ``{"en": ..., "zh": ...}`` titles (the name is
    the fallback). ``year`` is the year compared (default: the last in ``comparison``). The file
    stems are :data:`COMPARISON_STEMS`. A missing column or year is a ``ValueError``.
    """
    used = _language(lang)
    _require(summary, _FAN_COLUMNS, "summary")
    _require(comparison, _COMPARISON_COLUMNS, "comparison")
    scenario_labels = scenario_labels or {}
    caption = caption or ""
    at_year = _comparison_at(comparison, scenario_labels, used, year)
    labels = region.labels()
    clusters = _clusters(comparison, region)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    builders = {
        "compare_trajectories": lambda: _chart_trajectories(summary, scenario_labels, used, caption),
        "compare_differences": lambda: _chart_differences(at_year, clusters, labels, used, caption),
        "compare_cost_effectiveness": lambda: _chart_cost(at_year, used, caption),
        "compare_map": lambda: _chart_map(at_year, region, labels, used, caption),
    }
    written: list[Path] = []
    with matplotlib.rc_context(charts._rc(used, charts.cjk_font_name())):
        for stem in COMPARISON_STEMS:
            fig = _settled(builders[stem]())
            title = fig.subfigs[0].get_suptitle().replace("\n", " ") or stem
            written += _save(fig, out_dir, stem, title, caption)
    return sorted(written)


def render_response_chart(*, response: pa.Table, lever_label: dict[str, str] | str, out_dir: Path, lang: str,
                          caption: str) -> list[Path]:
    """A lever's response curve: talent stock against the lever's value per year, and the marginal effect.

    ``response`` has one row per design point (lever value) and year: ``point``, ``lever``,
    ``value``, ``year``, ``n_seeds``, the city's talent stock (``talent_stock_p05`` ... ``_p95``,
    persons), the marginal effect per unit of the lever since the previous value
    (``marginal_mean``, ``marginal_ci_low``, ``marginal_ci_high``; null for the first value)
    and ``extra_spending_yuan``. ``lever_label`` is the lever's display name with its unit, as a string or
    ``{"en": ..., "zh": ...}``; for levers in yuan (``yuan`` in the parameter's name) the values
    are drawn in 100 million yuan and that unit is added. PNG (300 dpi) + SVG with the stem
    :data:`RESPONSE_STEMS`; returns the sorted paths. A missing column is a ``ValueError``.
    """
    used = _language(lang)
    _require(response, _RESPONSE_COLUMNS, "response")
    caption = caption or ""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(charts._rc(used, charts.cjk_font_name())):
        fig = _settled(_chart_response(response, lever_label, used, caption))
        title = fig.subfigs[0].get_suptitle().replace("\n", " ") or RESPONSE_STEMS[0]
        return sorted(_save(fig, out_dir, RESPONSE_STEMS[0], title, caption))
