"""Fan charts of a study: the city's total talent per design point, and each cluster, across runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.charts.style import (
    BASE_RC, QUALITATIVE, WIDTH_IN, GroupedFormatter, chart_language, label_lowest_panels, legend_below,
    legend_columns, new_figure, no_data, save, styled, wrap, year_axis,
)
from sim.charts.tables import ALL_TIERS, CITY_TOTAL, REST_OF_CITY, as_dates, band_holds, few_runs_note, where_equal
from sim.charts.text import name_of, tr

__all__ = ["render_fan_charts", "FAN_STEMS"]

FAN_STEMS = ("fan_total", "fan_clusters")
MAX_FAN_POINTS = 8


FAN_COLUMNS = ("point", "point_label", "date", "cluster", "tier", "n_runs", "p05", "p25", "median", "p75", "p95")
_FAN_STATS = ("p05", "p25", "median", "p75", "p95")
# Band opacities: one fan alone can be strong; several must stay readable where they overlap.
FAN_ALPHA_ONE = (0.18, 0.42)
_FAN_ALPHA_MANY = (0.10, 0.26)


def _fan_checked(summary: pa.Table) -> None:
    missing = [c for c in FAN_COLUMNS if c not in summary.column_names]
    if missing:
        raise ValueError(f"cannot draw the fan charts: the summary lacks column(s) {', '.join(missing)}")


def fan_points(table: pa.Table) -> tuple[list[int], dict[int, str]]:
    """Design points in index order, each with its label (the index itself when the label is missing)."""
    names: dict[int, str] = {}
    for point, label in zip(table["point"].to_pylist(), table["point_label"].to_pylist()):
        if point is not None and (point not in names or not names[point]):
            names[point] = label or ""
    points = sorted(names)
    return points, {p: names[p] or str(p) for p in points}


def fan_series(table: pa.Table) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Dates in order and each statistic in thousand persons; a repeated date keeps its first row."""
    if table.num_rows == 0:
        return np.array([], dtype="datetime64[D]"), {s: np.array([]) for s in _FAN_STATS}
    dates = as_dates(table["date"])
    order = np.argsort(dates, kind="stable")
    dates, first = np.unique(dates[order], return_index=True)
    rows = order[first]
    stats = {}
    for s in _FAN_STATS:
        values = np.asarray(table[s].cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
        stats[s] = values[rows] / 1000.0
    return dates, stats


def runs_text(table: pa.Table) -> str:
    runs = [n for n in table["n_runs"].to_pylist() if n is not None]
    if not runs:
        return "0"
    lo, hi = min(runs), max(runs)
    return f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"


def fan_notes(table: pa.Table, lang: str) -> list[str]:
    """How many runs the bands pool, what they hold, and a warning when they rest on fewer than ten runs."""
    return [tr("fan_note", lang, n=runs_text(table), what=band_holds(table, lang)),
            *few_runs_note(table, "n_runs", lang, key="few_runs_band")]


def draw_fan(ax: Axes, dates: np.ndarray, stats: dict[str, np.ndarray], colour: str,
              alpha: tuple[float, float], *, outline: bool = False) -> tuple[Line2D, Patch, Patch]:
    ax.fill_between(dates, stats["p05"], stats["p95"], color=colour, alpha=alpha[0], linewidth=0, zorder=2)
    ax.fill_between(dates, stats["p25"], stats["p75"], color=colour, alpha=alpha[1], linewidth=0, zorder=2)
    if outline:
        # Where several outer bands overlap, their faint edges tell which band reaches where.
        for s in ("p05", "p95"):
            ax.plot(dates, stats[s], color=colour, linewidth=0.5, alpha=0.7, zorder=3)
    (median,) = ax.plot(dates, stats["median"], color=colour, linewidth=1.6, zorder=4)
    return (median, Patch(facecolor=colour, alpha=alpha[1], linewidth=0),
            Patch(facecolor=colour, alpha=alpha[0], linewidth=0))


def _band_key(body: SubFigure, handles: tuple[Line2D, Patch, Patch], lang: str) -> None:
    legend_below(body, list(handles), [tr("median", lang), tr("band_50", lang), tr("band_90", lang)], ncols=3)


def chart_fan_total(summary: pa.Table, lang: str, caption: str, *, title: str | None = None,
                     names: dict[int, str] | None = None, max_points: int = MAX_FAN_POINTS) -> Figure:
    """One fan per design point; ``names`` (by point) replace the points' labels, e.g. with scenario titles."""
    total = summary.filter(pc.and_(where_equal(summary, "cluster", CITY_TOTAL), where_equal(summary, "tier", ALL_TIERS)))
    points, point_names = fan_points(total)
    point_names = {p: (names or {}).get(p) or n for p, n in point_names.items()}
    drawn = points[:max_points]
    used = total.filter(pc.is_in(total["point"], pa.array(drawn, pa.int64()))) if drawn else total
    notes = fan_notes(used, lang)
    if len(points) > len(drawn):
        left = [point_names[p] for p in points[len(drawn):]]
        items = left[:5] + ([tr("more_items", lang, n=len(left) - 5)] if len(left) > 5 else [])
        notes.append(tr("points_left_out", lang, shown=len(drawn), total=len(points),
                        items=tr("list_sep", lang).join(items)))
    fig, body = new_figure(4.2, title or tr("title_fan_total", lang), notes, caption)
    ax = body.add_subplot()
    series = [(p, *fan_series(used.filter(where_equal(used, "point", p)))) for p in drawn]
    series = [(p, d, s) for p, d, s in series if len(d)]
    if not series:
        no_data(ax, lang)
        return fig
    many = len(series) > 1
    # Band edges help tell two or three fans apart; with more they only add clutter.
    outline = 1 < len(series) <= 3
    keys = []
    for i, (p, dates, stats) in enumerate(series):
        colour = QUALITATIVE[i % len(QUALITATIVE)]
        keys.append(draw_fan(ax, dates, stats, colour, _FAN_ALPHA_MANY if many else FAN_ALPHA_ONE, outline=outline))
    all_dates = np.unique(np.concatenate([d for _, d, _ in series]))
    ax.set_ylabel(tr("stock_k", lang))
    ax.set_xlabel(tr("year", lang))
    ax.yaxis.set_major_formatter(GroupedFormatter())
    year_axis(ax, all_dates, max_ticks=10)
    if many:
        names = [point_names[p] for p, _, _ in series]
        # Each point's key is its inner band with its median drawn across it.
        legend_below(body, [(band, median) for median, band, _ in keys], names, ncols=legend_columns(names))
    else:
        _band_key(body, keys[0], lang)
    return fig


def _chart_fan_clusters(summary: pa.Table, labels, lang: str, caption: str) -> Figure:
    tiers = summary.filter(where_equal(summary, "tier", ALL_TIERS))
    points, point_names = fan_points(tiers)
    if points:
        tiers = tiers.filter(where_equal(tiers, "point", points[0]))
    clusters = [c for c in dict.fromkeys(tiers["cluster"].to_pylist()) if c not in (None, REST_OF_CITY, CITY_TOTAL)]
    panels = tiers.filter(pc.is_in(tiers["cluster"], pa.array(clusters, pa.string()))) if clusters else tiers
    notes = fan_notes(panels, lang)
    if len(points) > 1:
        notes.append(tr("one_point_only", lang, point=points[0], label=point_names[points[0]], total=len(points)))
    if pc.any(where_equal(tiers, "cluster", REST_OF_CITY)).as_py():
        notes.append(tr("rest_left_out", lang, name=name_of(REST_OF_CITY, labels, lang)))

    ncols = min(3, max(1, len(clusters)))
    nrows = max(1, -(-len(clusters) // 3))
    fig, body = new_figure(1.05 + 1.75 * nrows, tr("title_fan_clusters", lang), notes, caption)
    if not clusters:
        no_data(body.add_subplot(), lang)
        return fig
    axes = body.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
    # The panel less its y tick labels: a longer title would run into the next panel.
    panel_em = ((WIDTH_IN - 0.5) / ncols - 0.35) * 72.0 / float(BASE_RC["axes.titlesize"])
    key = None
    for i, ax in enumerate(axes):
        if i >= len(clusters):
            ax.remove()
            continue
        dates, stats = fan_series(panels.filter(where_equal(panels, "cluster", clusters[i])))
        ax.set_title("\n".join(wrap(name_of(clusters[i], labels, lang), panel_em)), loc="left")
        if not len(dates):
            no_data(ax, lang)
            continue
        key = draw_fan(ax, dates, stats, QUALITATIVE[0], FAN_ALPHA_ONE)
        ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
        ax.yaxis.set_major_formatter(GroupedFormatter())
        year_axis(ax, dates, max_ticks=5)
    label_lowest_panels(axes, n_panels=len(clusters), ncols=ncols, xlabel=tr("year", lang))
    body.supylabel(tr("stock_k", lang), fontsize=BASE_RC["axes.labelsize"])
    if key is not None:
        _band_key(body, key, lang)
    return fig


# ---------------------------------------------------------------- writing

def render_fan_charts(*, summary: pa.Table, labels: dict[str, dict[str, str]], out_dir: Path, lang: str,
                      caption: str) -> list[Path]:
    """Fan charts of an ensemble: city total, and one small-multiple panel per cluster; PNG (300 dpi) + SVG, atomically; returns sorted paths.

    ``summary`` has one row per design point, date, cluster and tier with the columns ``point``,
    ``point_label``, ``date``, ``cluster``, ``tier``, ``n_runs``, ``median``, ``p05``, ``p25``,
    ``p75`` and ``p95`` (persons); ``cluster`` includes ``"city_total"`` and ``tier`` includes
    ``"all_tiers"``. ``fan_total`` draws one fan per design point (at most
    :data:`MAX_FAN_POINTS`); ``fan_clusters`` draws the first design point only. ``labels`` and
    ``lang`` work as in :func:`sim.charts.run.render_run_charts`. The file stems are :data:`FAN_STEMS`.
    """
    used = chart_language(lang)
    _fan_checked(summary)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = labels or {}
    caption = caption or ""

    builders = {
        "fan_total": (lambda: chart_fan_total(summary, used, caption), "title_fan_total"),
        "fan_clusters": (lambda: _chart_fan_clusters(summary, labels, used, caption), "title_fan_clusters"),
    }
    written: list[Path] = []
    with styled(used):
        for stem in FAN_STEMS:
            build, title_key = builders[stem]
            written += save(build(), out_dir, stem, tr(title_key, used), caption)
    return sorted(written)
