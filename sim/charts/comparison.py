"""Charts that compare policy scenarios, and the response curve of one policy lever.

A comparison gets four charts: the city's talent over time per scenario, the differences to the
reference per cluster, the cost-effectiveness, and the map (:mod:`sim.charts.map`). Their layout
is settled before writing, so that the same input gives byte-identical SVG.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.charts.fans import FAN_ALPHA_ONE, FAN_COLUMNS, chart_fan_total, draw_fan, fan_notes, fan_points, fan_series
from sim.charts.map import chart_map
from sim.charts.style import (
    BASE_RC, GAIN, LINE_IN, LOSS, NEUTRAL, NOTE_COLOUR, QUALITATIVE, SMALL_PT, WIDTH_IN, GroupedFormatter,
    chart_language, label_lines, label_lowest_panels, legend_below, legend_columns, minus, new_figure, no_data, save,
    settled, styled, text_width_em, wrapped, wrapped_title, year_axis,
)
from sim.charts.tables import (
    ALL_TIERS, CITY_TOTAL, REST_OF_CITY, Comparison, all_finite, as_dates, as_float, band_holds, clusters_in, comparison_at,
    counts_text, few_runs_note, scenario_title, where_equal,
)
from sim.charts.text import listing, name_of, pick, tr
from sim.region import Region

__all__ = ["render_comparison_charts", "comparison_figures", "COMPARISON_STEMS", "render_response_chart", "RESPONSE_STEMS"]

COMPARISON_STEMS = ("compare_trajectories", "compare_differences", "compare_cost_effectiveness", "compare_map")
RESPONSE_STEMS = ("sweep_response",)


# Up to this many fans stay readable on one axis; more scenarios get a panel each.
MAX_OVERLAID_FANS = 4

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

_SPENDING_COLOUR = "#a9a9a9"
_YUAN_PER_YI = 1e8
_RATIO = ("talent_per_100m_yuan", "talent_per_100m_ci_low", "talent_per_100m_ci_high")


def _require(table: pa.Table, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise ValueError(f"cannot draw the {what} chart(s): the {what} table lacks column(s) {', '.join(missing)}")


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
    return GAIN if mean > 0 else LOSS if mean < 0 else NEUTRAL


def _estimate(ax: Axes, y: float, mean: float, low: float, high: float, divisor: float) -> str | None:
    """A dot for the mean on its 95% interval, hollow where the interval includes zero; returns the style drawn."""
    if not all_finite(mean):
        return None
    colour = _sign_colour(mean)
    sure = all_finite(low, high) and (low > 0 or high < 0)
    if all_finite(low, high):
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

    entries = {"gain": (dot(GAIN, GAIN), "gain_sure"), "loss": (dot(LOSS, LOSS), "loss_sure"),
               "unsure": (dot(NEUTRAL, "white"), "not_sure")}
    items = [entries[k] for k in entries if k in styles]
    if not items:
        return
    items.append((Line2D([], [], color=NEUTRAL, linewidth=1.1), "ci95"))
    names = [tr(key, lang) for _, key in items]
    legend_below(body, [h for h, _ in items], names, ncols=_one_row_or_fit(names))


def _one_row_or_fit(names: list[str]) -> int:
    """All entries side by side when they fit across the figure, else as many columns as the longest allows."""
    avail_em = (WIDTH_IN - 0.3) * 72.0 / float(BASE_RC["legend.fontsize"])
    if sum(text_width_em(n) + 2.2 + 1.4 + 0.8 for n in names) <= avail_em:
        return len(names)
    return legend_columns(names)


def _zero_line(ax: Axes, *, vertical: bool) -> None:
    (ax.axvline if vertical else ax.axhline)(0, color="#222222", linewidth=0.8, zorder=2)


def _scenario_ticks(ax: Axes, titles: list[str], *, width_em: float) -> None:
    """Scenario titles as y tick labels, top to bottom."""
    ax.set_yticks(np.arange(len(titles)), ["\n".join(wrapped(t, width_em)) for t in titles])
    ax.set_ylim(len(titles) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)


def _no_comparison_figure(title: str, comparison: Comparison, lang: str, caption: str) -> Figure:
    fig, body = new_figure(1.4, title, [], caption)
    ax = body.add_subplot()
    text = "\n".join(wrapped(tr("no_comparison", lang, name=comparison.titles[comparison.reference]), 60))
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color=NOTE_COLOUR)
    ax.set_axis_off()
    return fig


# ---------------------------------------------------------------- trajectories

def _trajectory_names(summary: pa.Table, scenario_labels: dict[str, dict[str, str]], lang: str) -> dict[int, str]:
    _, labels = fan_points(summary)
    return {p: scenario_title(name, scenario_labels, lang) for p, name in labels.items()}


def _chart_trajectories(summary: pa.Table, scenario_labels: dict[str, dict[str, str]], lang: str,
                        caption: str) -> Figure:
    total = summary.filter(pc.and_(where_equal(summary, "cluster", CITY_TOTAL), where_equal(summary, "tier", ALL_TIERS)))
    names = _trajectory_names(total, scenario_labels, lang)
    title = tr("title_compare_trajectories", lang)
    if len(names) <= MAX_OVERLAID_FANS:
        return chart_fan_total(summary, lang, caption, title=title, names=names, max_points=MAX_OVERLAID_FANS)
    return _chart_trajectory_panels(total, names, title, lang, caption)


def _chart_trajectory_panels(total: pa.Table, names: dict[int, str], title: str, lang: str, caption: str) -> Figure:
    """One panel per scenario on a shared scale, each with the reference's median for comparison."""
    points = sorted(names)
    reference = points[0]
    ncols = 3 if len(points) <= 9 else 4
    nrows = -(-len(points) // ncols)
    panel_em = ((WIDTH_IN - 0.6) / ncols - 0.1) * 72.0 / 8.0
    titles = {p: tr("reference_tag", lang, name=names[p]) if p == reference else names[p] for p in points}
    title_lines = label_lines(list(titles.values()), panel_em)
    fig, body = new_figure(1.0 + nrows * (1.05 + title_lines * LINE_IN), title, fan_notes(total, lang), caption)
    axes = body.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
    ref_dates, ref_stats = fan_series(total.filter(where_equal(total, "point", reference)))
    all_dates = np.unique(as_dates(total["date"]))
    key, ref_line = None, None
    for i, ax in enumerate(axes):
        if i >= len(points):
            ax.remove()
            continue
        point = points[i]
        ax.set_title("\n".join(wrapped(titles[point], panel_em)), loc="left", fontsize=8)
        dates, stats = fan_series(total.filter(where_equal(total, "point", point)))
        if not len(dates):
            no_data(ax, lang)
            continue
        key = draw_fan(ax, dates, stats, QUALITATIVE[0], FAN_ALPHA_ONE)
        if point != reference and len(ref_dates):
            (ref_line,) = ax.plot(ref_dates, ref_stats["median"], color="#333333", linewidth=0.9,
                                  linestyle=(0, (3.5, 2)), zorder=5)
        ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_formatter(GroupedFormatter())
        year_axis(ax, all_dates, max_ticks=4)
    label_lowest_panels(axes, n_panels=len(points), ncols=ncols, xlabel=tr("year", lang))
    body.supylabel(tr("stock_k", lang), fontsize=BASE_RC["axes.labelsize"])
    if key is not None:
        handles = list(key) + ([ref_line] if ref_line is not None else [])
        labels = [tr("median", lang), tr("band_50", lang), tr("band_90", lang), tr("ref_median_key", lang)]
        legend_below(body, handles, labels[:len(handles)], ncols=len(handles))
    return fig


# ---------------------------------------------------------------- differences

def _chart_differences(comparison: Comparison, clusters: list[str], labels: dict[str, dict[str, str]], lang: str,
                       caption: str) -> Figure:
    title = wrapped_title(tr("title_compare_differences", lang, year=comparison.year))
    ref_title = comparison.titles[comparison.reference]
    if comparison.parametric:
        notes = [tr("diff_note_draws", lang, ref=ref_title, d=comparison.draws, n=comparison.seeds)]
    else:
        notes = [tr("diff_note", lang, ref=ref_title, n=comparison.seeds)]
    notes += comparison.notes
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
    where = {c: tr("city_total", lang) if c == CITY_TOTAL else name_of(c, labels, lang) for c in [*wholes, *parts]}
    missing = _missing_estimates(comparison, [*wholes, *parts], where, lang)
    if missing:
        notes.append(tr("no_estimate", lang, items=listing(missing, lang)))

    scenario_titles = [comparison.titles[p] for p in others]
    scenario_em = 28.0
    top_in = 0.8 + len(others) * (0.05 + label_lines(scenario_titles, scenario_em) * 0.125)
    ncols = min(len(others), 5 if len(others) > 8 else 4)
    nrows = -(-len(others) // ncols)
    part_names = [name_of(c, labels, lang) for c in parts]
    label_in = max((text_width_em(n) for n in part_names), default=4) * SMALL_PT / 72.0 + 0.15
    panel_em = ((WIDTH_IN - 0.3 - label_in) / ncols - 0.12) * 72.0 / 8.0
    panel_in = 0.12 + max(len(parts), 1) * 0.118 + label_lines(scenario_titles, panel_em) * LINE_IN
    grid_in = 0.55 + nrows * panel_in if parts else 0.0
    fig, body = new_figure(0.35 + top_in + grid_in + 0.3, title, notes, caption)
    top, grid = body.subfigures(2, 1, height_ratios=[top_in, max(grid_in, 1e-3)]) if parts else (body, None)

    styles = _whole_panels(top, whole_values, [where[c] for c in wholes], scenario_titles, scenario_em, lang)
    if grid is not None:
        styles |= _cluster_panels(grid, part_values, part_names, scenario_titles, ncols=ncols, panel_em=panel_em,
                                  lang=lang)
    _estimate_key(body, styles, lang)
    return fig


def _missing_estimates(comparison: Comparison, sectors: list[str], names: dict[str, str], lang: str) -> list[str]:
    """Each scenario without any estimate by its title; otherwise each sector it lacks, in that scenario."""
    items = []
    for point in comparison.others:
        lacking = [c for c in sectors if not all_finite(comparison.interval(point, c)[0])]
        if len(lacking) == len(sectors):
            items.append(comparison.titles[point])
        else:
            items += [tr("item_in", lang, what=names[c], where=comparison.titles[point]) for c in lacking]
    return items


def _whole_panels(top: SubFigure, values: np.ndarray, names: list[str], scenario_titles: list[str],
                  scenario_em: float, lang: str) -> set[str]:
    """The city total (and the rest of the city) per scenario, each on its own scale."""
    axes = top.subplots(1, len(names), sharey=True, squeeze=False).ravel()
    styles: set[str] = set()
    panel_em = ((WIDTH_IN - 0.3 - scenario_em * 8.0 / 72.0) / len(names)) * 72.0 / float(BASE_RC["axes.labelsize"])
    scales = [_diff_scale(rows) for rows in values]
    shared = len({unit for _, unit in scales}) == 1 and len(names) > 1
    if shared:
        top.supxlabel(tr(scales[0][1], lang), fontsize=BASE_RC["axes.labelsize"])
    for ax, name, rows, (divisor, unit) in zip(axes, names, values, scales):
        styles |= _estimates(ax, rows, divisor)
        _zero_line(ax, vertical=True)
        ax.set_xlim(*_padded(np.nanmin(rows, initial=0.0) / divisor, np.nanmax(rows, initial=0.0) / divisor))
        ax.set_title(name, loc="left")
        if not shared:
            ax.set_xlabel("\n".join(wrapped(tr(unit, lang), panel_em)))
        ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(GroupedFormatter())
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
        ax.set_title("\n".join(wrapped(titles[i], panel_em)), loc="left", fontsize=8)
        styles |= _estimates(ax, values[i], divisor)
        _zero_line(ax, vertical=True)
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0, labelsize=SMALL_PT)
        ax.tick_params(axis="x", labelsize=SMALL_PT)
    axes[0].set_yticks(np.arange(len(cluster_names)), cluster_names)
    axes[0].set_ylim(len(cluster_names) - 0.5, -0.5)
    axes[0].set_xlim(*_padded(np.nanmin(values, initial=0.0) / divisor, np.nanmax(values, initial=0.0) / divisor))
    axes[0].xaxis.set_major_locator(ticker.MaxNLocator(nbins=4 if ncols <= 4 else 3, steps=[1, 2, 2.5, 5, 10]))
    axes[0].xaxis.set_major_formatter(GroupedFormatter())
    label_lowest_panels(axes, n_panels=len(titles), ncols=ncols, xlabel=None)
    grid.suptitle(tr("by_cluster", lang), x=0.012, ha="left", fontsize=BASE_RC["axes.titlesize"])
    grid.supxlabel(tr(unit, lang), fontsize=BASE_RC["axes.labelsize"])
    return styles


# ---------------------------------------------------------------- cost-effectiveness

def _chart_cost(comparison: Comparison, lang: str, caption: str) -> Figure:
    title = wrapped_title(tr("title_compare_cost", lang, year=comparison.year))
    ref_title = comparison.titles[comparison.reference]
    others = comparison.others
    if not others:
        return _no_comparison_figure(title, comparison, lang, caption)
    ratios = {p: comparison.interval(p, CITY_TOTAL, _RATIO) for p in others}
    drawn = sorted((p for p in others if all_finite(ratios[p][0])), key=lambda p: (-ratios[p][0], p))
    skipped = [comparison.titles[p] for p in others if p not in drawn]
    notes = [tr("cost_note", lang, year=comparison.year, ref=ref_title), tr("interval_holds", lang, what=comparison.holds),
             *comparison.notes]
    if skipped:
        notes.append(tr("no_extra_spending", lang, items=listing(skipped, lang, limit=12)))
    titles = [comparison.titles[p] for p in drawn]
    values = np.array([ratios[p] for p in drawn]).reshape(-1, 3)
    if len(drawn):
        low, high = _steady_extent(values)
        cut = [titles[i] for i, (_, lo, hi) in enumerate(values) if (all_finite(lo) and lo < low) or (all_finite(hi) and hi > high)]
        if cut:
            notes.append(tr("interval_cut", lang, items=listing(cut, lang, limit=6)))
    scenario_em = 26.0
    row_in = 0.05 + label_lines(titles, scenario_em) * 0.125
    fig, body = new_figure(1.35 + max(len(drawn), 2) * row_in, title, notes, caption)
    ax, ax_money = body.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    if not drawn:
        for a in (ax, ax_money):
            a.set_xticks([])
            a.set_yticks([])
        ax.text(0.5, 0.5, tr("nothing_to_rank", lang), transform=ax.transAxes, ha="center", va="center",
                color=NOTE_COLOUR)
        return fig
    _scenario_ticks(ax, titles, width_em=scenario_em)
    styles = _estimates(ax, values, 1.0)
    ax.set_xlim(*_padded(low, high))
    _zero_line(ax, vertical=True)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(GroupedFormatter())
    _spending_bars(ax_money, [comparison.value(p, CITY_TOTAL, "extra_spending_yuan") for p in drawn])
    # Axis labels wrapped to their panels, so that the two never run into each other.
    text_in = WIDTH_IN - 0.4 - scenario_em * 8.0 / 72.0
    label_em = 72.0 / float(BASE_RC["axes.labelsize"])
    ax.set_xlabel("\n".join(wrapped(tr("per_100m", lang), 0.6 * text_in * label_em)))
    ax_money.set_xlabel("\n".join(wrapped(tr("extra_spending_yi", lang), 0.4 * text_in * label_em)))
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
        ax.annotate(minus(_fmt_yi(m)), (m, yy), xytext=(3 if m >= 0 else -3, 0), textcoords="offset points",
                    ha="left" if m >= 0 else "right", va="center", fontsize=SMALL_PT, color="#333333")
    _zero_line(ax, vertical=True)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(GroupedFormatter())


def _fmt_yi(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}" if abs(value) >= 1 else f"{value:,.2f}"


# ---------------------------------------------------------------- response curve

def _lever_name(lever_label: dict[str, str] | str | None, lever: str, lang: str) -> str:
    if isinstance(lever_label, str) and lever_label:
        return lever_label
    if isinstance(lever_label, dict):
        return pick(lever_label, lang, lever)
    return lever.rsplit(".", 1)[-1]


def _in_yuan(lever: str) -> bool:
    return "yuan" in lever.rsplit(".", 1)[-1]


def _marginal_scale(values: np.ndarray, *, yuan: bool, lang: str) -> tuple[float, str]:
    """Persons per unit, or per 10, 100, ... units while one unit brings less than a person, interval included."""
    if yuan:
        return _YUAN_PER_YI, tr("per_100m", lang)
    finite = np.abs(values[np.isfinite(values)])
    peak = float(finite.max()) if finite.size else 0.0
    if peak <= 0 or peak >= 1:
        return 1.0, tr("marginal_unit", lang)
    factor = 10.0 ** math.ceil(-math.log10(peak))
    return factor, tr("marginal_units", lang, n=f"{factor:,.0f}")


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
        rows = [r for r in response.filter(where_equal(response, "year", year)).to_pylist() if r["value"] is not None]
        rows.sort(key=lambda r: (r["value"], r["point"]))
        value = np.array([r["value"] for r in rows], dtype=float) / x_divisor
        stats = {s: np.array([as_float(r[f"talent_stock_{s}"]) for r in rows]) / 1000.0
                 for s in ("p05", "p25", "median", "p75", "p95")}
        marginal = np.array([[as_float(r[c]) for c in ("marginal_mean", "marginal_ci_low", "marginal_ci_high")]
                             for r in rows]).reshape(len(rows), 3)
        extra = np.array([as_float(r["extra_spending_yuan"]) for r in rows])
        out.append(_Curve(year, value, stats, marginal, extra))
    return out


def _chart_response(response: pa.Table, lever_label: dict[str, str] | str | None, lang: str,
                    caption: str) -> Figure:
    levers = [v for v in dict.fromkeys(response["lever"].to_pylist()) if v]
    lever = levers[0] if levers else ""
    yuan = _in_yuan(lever)
    name = _lever_name(lever_label, lever, lang)
    axis_name = tr("with_unit", lang, name=name, unit=tr("yi_unit", lang)) if yuan else name
    curves = _curves(response, _YUAN_PER_YI if yuan else 1.0)
    notes = [tr("response_note", lang, n=counts_text(response["n_seeds"].to_pylist())), tr("interval_holds", lang, what=band_holds(response, lang)),
             *few_runs_note(response, "n_seeds", lang, key="few_runs_interval")]
    notes += _spending_note(curves, lang, yuan=yuan)

    ncols = min(3, max(1, len(curves)))
    nrows = max(1, -(-len(curves) // ncols))
    title = wrapped_title(tr("title_response", lang, lever=_in_title(name, lang)))
    fig, body = new_figure(0.5 + 2.4 * nrows + 2.3, title, notes, caption)
    grid = body.add_gridspec(nrows + 1, ncols, height_ratios=[1.0] * nrows + [1.1])
    marginal_ax = body.add_subplot(grid[nrows, :])
    if not curves:
        no_data(body.add_subplot(grid[0, :]), lang)
        no_data(marginal_ax, lang)
        return fig
    colours = {c.year: QUALITATIVE[i % len(QUALITATIVE)] for i, c in enumerate(curves)}
    panel_em = ((WIDTH_IN - 0.6) / ncols - 0.2) * 72.0 / float(BASE_RC["axes.labelsize"])
    keys = []
    for i, curve in enumerate(curves):
        ax = body.add_subplot(grid[i // ncols, i % ncols])
        keys.append(_stock_panel(ax, curve, colours[curve.year], lang))
        ax.set_xlabel("\n".join(wrapped(axis_name, panel_em)))
        if i % ncols == 0:
            ax.set_ylabel(tr("stock_k", lang))
    _marginal_panel(marginal_ax, curves, colours, yuan, lang)
    marginal_ax.set_xlabel(axis_name)

    grey = "#7f7f7f"
    handles: list = [(band, median) for median, band, _ in keys]
    labels = [str(c.year) for c in curves]
    handles += [Line2D([], [], color=grey, linewidth=1.6), Patch(facecolor=grey, alpha=FAN_ALPHA_ONE[1]),
                Patch(facecolor=grey, alpha=FAN_ALPHA_ONE[0]),
                Line2D([], [], color=grey, marker="o", markersize=4, linewidth=1.1)]
    labels += [tr("median", lang), tr("band_50", lang), tr("band_90", lang), tr("mean_ci", lang)]
    legend_below(body, handles, labels, ncols=_one_row_or_fit(labels))
    return fig


def _in_title(name: str, lang: str) -> str:
    """An English name inside a sentence starts in lower case, unless it starts with an abbreviation."""
    if lang == "en" and len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _stock_panel(ax: Axes, curve: _Curve, colour: str, lang: str) -> tuple[Line2D, Patch, Patch]:
    key = draw_fan(ax, curve.value, curve.stats, colour, FAN_ALPHA_ONE)
    ax.plot(curve.value, curve.stats["median"], linestyle="none", marker="o", markersize=3.2, color=colour, zorder=5)
    ax.set_title(tr("year_end", lang, year=curve.year), loc="left")
    ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(GroupedFormatter())
    _value_ticks(ax, curve.value, max_ticks=3)  # narrow panels: every value would run into the next
    return key


def _value_ticks(ax: Axes, values: np.ndarray, *, max_ticks: int = 7) -> None:
    values = np.unique(values[np.isfinite(values)])
    if 1 < len(values) <= max_ticks:
        ax.set_xticks(values)
    else:
        ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=max_ticks - 1, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(GroupedFormatter())
    if len(values) > 1:
        pad = 0.04 * (values[-1] - values[0])
        ax.set_xlim(values[0] - pad, values[-1] + pad)


def _marginal_panel(ax: Axes, curves: list[_Curve], colours: dict[int, str], yuan: bool, lang: str) -> None:
    everything = np.concatenate([c.marginal.ravel() for c in curves])
    factor, label = _marginal_scale(everything, yuan=yuan, lang=lang)
    ax.set_ylabel("\n".join(wrapped(label, 15.0)))
    values = np.unique(np.concatenate([c.value for c in curves]))
    steps = np.diff(values)
    if not np.isfinite(everything).any() or not len(steps):
        ax.text(0.5, 0.5, tr("single_value", lang), transform=ax.transAxes, ha="center", va="center",
                color=NOTE_COLOUR)
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
    ax.yaxis.set_major_formatter(GroupedFormatter())
    _value_ticks(ax, values)


def _spending_note(curves: list[_Curve], lang: str, *, yuan: bool) -> list[str]:
    items = []
    for curve in curves:
        if len(curve.value) > 1 and all_finite(curve.extra[-1]):
            amount = minus(_fmt_yi(curve.extra[-1] / _YUAN_PER_YI))
            items.append(tr("spending_item", lang, year=curve.year, amount=amount))
    if not items:
        return []
    first, last = (minus(_fmt_value(v)) for v in (curves[0].value[0], curves[0].value[-1]))
    if yuan:
        first, last = (tr("with_unit", lang, name=v, unit=tr("yi_unit", lang)) for v in (first, last))
    return [tr("response_spending", lang, value=last, first=first, items=tr("list_sep", lang).join(items))]


def _fmt_value(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.3g}"


# ---------------------------------------------------------------- writing

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
    used = chart_language(lang)
    written: list[Path] = []
    with styled(used):
        figures = comparison_figures(summary=summary, comparison=comparison, scenario_labels=scenario_labels, region=region,
                                     lang=used, caption=caption, year=year)
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        for stem, fig in figures.items():
            title = fig.subfigs[0].get_suptitle().replace("\n", " ") or stem
            written += save(fig, out_dir, stem, title, caption or "")
    return sorted(written)


def comparison_figures(*, summary: pa.Table, comparison: pa.Table, scenario_labels: dict[str, dict[str, str]], region: Region,
                       lang: str, caption: str, year: int | None = None,
                       stems: tuple[str, ...] = COMPARISON_STEMS) -> dict[str, Figure]:
    """The comparison charts named by ``stems`` (of :data:`COMPARISON_STEMS`), laid out and settled, by stem.

    The inputs are those of :func:`render_comparison_charts`. Call it, and draw the figures, within
    ``styled(chart_language(lang))``, whose fonts the layout was made with.
    """
    used = chart_language(lang)
    _require(summary, FAN_COLUMNS, "summary")
    _require(comparison, _COMPARISON_COLUMNS, "comparison")
    unknown = [s for s in stems if s not in COMPARISON_STEMS]
    if unknown:
        raise ValueError(f"unknown comparison charts {', '.join(unknown)}; charts: {', '.join(COMPARISON_STEMS)}")
    scenario_labels = scenario_labels or {}
    caption = caption or ""
    at_year = comparison_at(comparison, scenario_labels, used, year)
    labels = region.labels()
    clusters = clusters_in(comparison, region)
    builders = {
        "compare_trajectories": lambda: _chart_trajectories(summary, scenario_labels, used, caption),
        "compare_differences": lambda: _chart_differences(at_year, clusters, labels, used, caption),
        "compare_cost_effectiveness": lambda: _chart_cost(at_year, used, caption),
        "compare_map": lambda: chart_map(at_year, region, labels, used, caption),
    }
    return {stem: settled(builders[stem]()) for stem in stems}


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
    used = chart_language(lang)
    _require(response, _RESPONSE_COLUMNS, "response")
    caption = caption or ""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with styled(used):
        fig = settled(_chart_response(response, lever_label, used, caption))
        title = fig.subfigs[0].get_suptitle().replace("\n", " ") or RESPONSE_STEMS[0]
        return sorted(save(fig, out_dir, RESPONSE_STEMS[0], title, caption))
