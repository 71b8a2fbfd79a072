"""Charts of one run: talent by cluster and by tier, flows, spending and the city's total talent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable

import matplotlib.colors
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from matplotlib import patheffects, ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import ScaledTranslation

from sim.charts.style import (
    NOTE_COLOUR, QUALITATIVE, GroupedFormatter, chart_language, legend_below, minus, new_figure, no_data, save,
    styled, text_width_em, year_axis,
)
from sim.charts.tables import REST_OF_CITY, as_dates
from sim.charts.text import MONTH_ABBR, ids, name_of, tr

__all__ = ["render_run_charts", "CHART_STEMS"]

CHART_STEMS = ("talent_by_cluster", "talent_by_tier", "flows", "spending", "total_talent")
TIERS = ids("tier")
INFLOWS = ids("inflow")
OUTFLOWS = ids("outflow")
LEVERS = ids("lever")
INTERNAL_CHANNEL = "internal"


_TIER_COLOURS = {"skilled": "#1f77b4", "municipal": "#2ca02c", "provincial": "#ff7f0e", "national": "#9467bd", "top": "#d62728"}
_LINESTYLES = ("-", "--", "-.")


# ---------------------------------------------------------------- words

def _channel_label(channel: str, direction: str, labels: dict[str, dict[str, str]], lang: str) -> str:
    if direction == "inflow" and channel in INFLOWS:
        return tr(f"inflow.{channel}", lang)
    if direction == "outflow":
        if channel in OUTFLOWS:
            return tr(f"outflow.{channel}", lang)
        if channel in labels:
            return tr("outflow_to", lang, name=name_of(channel, labels, lang))
    return name_of(channel, labels, lang)


def _lever_label(lever: str, labels: dict[str, dict[str, str]], lang: str) -> str:
    return tr(f"lever.{lever}", lang) if lever in LEVERS else name_of(lever, labels, lang)


def _month_label(day: np.datetime64, lang: str) -> str:
    d = day.astype("datetime64[D]").astype(dt.date)
    return tr("month", lang, m=MONTH_ABBR[d.month - 1], y=d.year, n=d.month)


# ---------------------------------------------------------------- numbers

def _log_formatter(x: float, pos: int | None = None) -> str:
    return f"{x:,.0f}" if x >= 1 else f"{x:g}"


def _fmt_k(persons: float) -> str:
    k = persons / 1000.0
    return minus(f"{k:,.0f}" if abs(k) >= 100 else f"{k:,.1f}")


# ---------------------------------------------------------------- data

_REQUIRED = {
    "talent_stock": ("date", "cluster", "tier", "talent_stock"),
    "talent_flows": ("date", "cluster", "tier", "direction", "channel", "persons"),
    "spending": ("date", "lever", "spending_yuan"),
}


def _checked(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    problems = []
    for name, cols in _REQUIRED.items():
        if name not in tables:
            problems.append(f"missing table {name!r}")
            continue
        missing = [c for c in cols if c not in tables[name].column_names]
        if missing:
            problems.append(f"table {name!r} lacks column(s) {', '.join(missing)}")
    if problems:
        raise ValueError("cannot draw the run's charts: " + "; ".join(problems))
    return tables


def _pivot(table: pa.Table, time: str, key: str, value: str) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Sum ``value`` over everything but ``time`` and ``key``: (times, keys in first-seen order, matrix keys × times)."""
    keys = [k for k in pc.unique(table[key]).to_pylist() if k is not None]
    if table.num_rows == 0 or not keys:
        return np.array([], dtype="datetime64[D]" if time == "date" else int), [], np.zeros((0, 0))
    grouped = table.select([time, key, value]).group_by([time, key]).aggregate([(value, "sum")])
    t_raw = grouped[time]
    t_vals = as_dates(t_raw) if time == "date" else np.asarray(t_raw.to_numpy(), dtype=int)
    times = np.unique(t_vals)
    k_idx = {k: i for i, k in enumerate(keys)}
    rows = np.array([k_idx.get(k, -1) for k in grouped[key].to_pylist()])
    cols = np.searchsorted(times, t_vals)
    vals = np.nan_to_num(np.asarray(grouped[f"{value}_sum"].to_numpy(zero_copy_only=False), dtype=float))
    out = np.zeros((len(keys), len(times)))
    ok = rows >= 0
    np.add.at(out, (rows[ok], cols[ok]), vals[ok])
    return times, keys, out


def _with_year(table: pa.Table) -> pa.Table:
    return table.append_column("year", pc.year(table["date"].cast(pa.date32())))


def _months_per_year(table: pa.Table) -> dict[int, int]:
    if table.num_rows == 0:
        return {}
    days = np.unique(as_dates(table["date"]))
    months = np.unique(days.astype("datetime64[M]"))
    years, counts = np.unique(months.astype("datetime64[Y]").astype(int) + 1970, return_counts=True)
    return {int(y): int(c) for y, c in zip(years, counts)}


def _after_start(table: pa.Table, start: np.datetime64 | None) -> pa.Table:
    # The first stock date is the initial state: nothing in the run happens on or before it.
    if start is None or table.num_rows == 0:
        return table
    scalar = pa.scalar(start.astype("datetime64[D]").astype(dt.date), type=pa.date32())
    return table.filter(pc.greater(table["date"].cast(pa.date32()), scalar))


def _partial_note(years: np.ndarray, months: dict[int, int], lang: str) -> list[str]:
    partial = [int(y) for y in years if months.get(int(y), 12) < 12]
    if not partial:
        return []
    items = tr("list_sep", lang).join(tr("partial_item", lang, year=y, months=months[y]) for y in partial)
    return [tr("partial_note", lang, items=items)]


def _year_ticks(ax: Axes, years: np.ndarray, months: dict[int, int]) -> None:
    """One tick per year (thinned for long runs), starred where the run covers only part of the year."""
    labels = [f"{int(y)}*" if months.get(int(y), 12) < 12 else str(int(y)) for y in years]
    step = max(1, int(np.ceil(len(years) / 15)))
    ax.set_xticks(years[::step], labels[::step])
    ax.set_xlim(years.min() - 0.6, years.max() + 0.6)
    ax.grid(axis="x", visible=False)


def _stack(ax: Axes, x: np.ndarray, values: np.ndarray, colours: list[str], sign: float, width: float = 0.72) -> None:
    """Stacked bars that keep positive and negative parts apart, so a stray sign cannot hide a segment."""
    pos = np.zeros(len(x))
    neg = np.zeros(len(x))
    for row, colour in zip(values, colours):
        v = sign * row
        bottom = np.where(v >= 0, pos, neg)
        ax.bar(x, v, width=width, bottom=bottom, color=colour, edgecolor="white", linewidth=0.4, zorder=2)
        pos = np.where(v >= 0, pos + v, pos)
        neg = np.where(v < 0, neg + v, neg)


def _colours(keys: list[str], known: Iterable[str], palette: tuple[str, ...]) -> list[str]:
    """A colour per key that depends on the key, not on which other keys this run happens to have."""
    known = list(known)
    unknown = [k for k in keys if k not in known]
    return [palette[(known.index(k) if k in known else len(known) + unknown.index(k)) % len(palette)] for k in keys]


def _grey_ramp(n: int) -> tuple[str, ...]:
    return tuple(matplotlib.colors.to_hex((g, g, g)) for g in np.linspace(0.23, 0.87, max(n, 1)))


# ---------------------------------------------------------------- charts

def _chart_talent_by_cluster(stock: pa.Table, labels, lang: str, caption: str) -> Figure:
    is_rest = pc.equal(stock["cluster"], REST_OF_CITY)
    clusters_tbl = stock.filter(pc.invert(pc.fill_null(is_rest, False)))
    rest_tbl = stock.filter(pc.fill_null(is_rest, False))
    dates, clusters, values = _pivot(clusters_tbl, "date", "cluster", "talent_stock")

    notes = []
    if rest_tbl.num_rows:
        r_dates, _, r_vals = _pivot(rest_tbl, "date", "cluster", "talent_stock")
        notes.append(tr("rest_note", lang, name=name_of(REST_OF_CITY, labels, lang),
                        start=_fmt_k(r_vals[0, 0]), start_month=_month_label(r_dates[0], lang),
                        end=_fmt_k(r_vals[0, -1]), end_month=_month_label(r_dates[-1], lang)))
    fig, body = new_figure(4.8, tr("title_cluster", lang), notes, caption)
    ax = body.add_subplot()
    if not clusters:
        no_data(ax, lang)
        return fig
    lines = []
    n = len(QUALITATIVE)
    for i in range(len(clusters)):
        # Line styles as well as colours, so that neighbours stay apart for colour-blind readers.
        (line,) = ax.plot(dates, values[i] / 1000.0, color=QUALITATIVE[i % n],
                          linestyle=_LINESTYLES[(i + i // n) % len(_LINESTYLES)])
        lines.append(line)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(tr("stock_k", lang))
    ax.set_xlabel(tr("year", lang))
    ax.yaxis.set_major_formatter(GroupedFormatter())
    year_axis(ax, dates, max_ticks=10)
    # Largest cluster first, so the legend reads in the order the lines stack at the end.
    order = np.argsort(-values[:, -1], kind="stable")
    legend_below(body, [lines[i] for i in order], [name_of(clusters[i], labels, lang) for i in order], ncols=3)
    return fig


def _chart_talent_by_tier(stock: pa.Table, labels, lang: str, caption: str) -> Figure:
    dates, tiers, values = _pivot(stock, "date", "tier", "talent_stock")
    fig, body = new_figure(4.0, tr("title_tier", lang), [], caption)
    ax_s, ax_h = body.subplots(1, 2)
    if not tiers:
        no_data(ax_s, lang)
        no_data(ax_h, lang)
        return fig
    index = {t: i for i, t in enumerate(tiers)}
    handles, names = [], []

    if "skilled" in index:
        # Persons, as on the high-end panel: one unit in the figure.
        (line,) = ax_s.plot(dates, values[index["skilled"]], color=_TIER_COLOURS["skilled"])
        handles.append(line)
        names.append(tr("tier.skilled", lang))
        ax_s.yaxis.set_major_formatter(GroupedFormatter())
        year_axis(ax_s, dates, max_ticks=6)
    else:
        no_data(ax_s, lang)
    ax_s.set_title(tr("panel_skilled", lang), loc="left")
    ax_s.set_ylabel(tr("persons_axis", lang))
    ax_s.set_xlabel(tr("year", lang))

    # Listed from the largest tier down, the order in which the lines lie on the axis.
    high = [t for t in ("municipal", "provincial", "national", "top") if t in index]
    high += [t for t in tiers if t not in TIERS]
    drawn = []
    for j, tier in enumerate(high):
        series = values[index[tier]]
        if not (series > 0).any():
            continue
        colour = _TIER_COLOURS.get(tier, QUALITATIVE[(j + 5) % len(QUALITATIVE)])
        # A log axis cannot show zero; a tier that empties shows as a gap, not a plunge.
        (line,) = ax_h.plot(dates, np.where(series > 0, series, np.nan), color=colour)
        drawn.append(series[series > 0])
        handles.append(line)
        names.append(tr(f"tier.{tier}", lang) if tier in TIERS else name_of(tier, labels, lang))
    if drawn:
        # A log axis keeps tens of top talents and thousands of municipal talents readable together.
        ax_h.set_yscale("log")
        ax_h.yaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax_h.yaxis.set_major_formatter(ticker.FuncFormatter(_log_formatter))
        ax_h.yaxis.set_minor_formatter(ticker.NullFormatter())
        lo = min(float(d.min()) for d in drawn)
        hi = max(float(d.max()) for d in drawn)
        ax_h.set_ylim(lo / 1.5, hi * 1.5)
        year_axis(ax_h, dates, max_ticks=6)
    else:
        no_data(ax_h, lang)
    ax_h.set_title(tr("panel_high_end", lang), loc="left")
    ax_h.set_ylabel(tr("persons_log", lang))
    ax_h.set_xlabel(tr("year", lang))
    if handles:
        legend_below(body, handles, names, ncols=len(handles) if lang == "zh" else 3)
    return fig


def _order(keys: list[str], preferred: Iterable[str]) -> list[str]:
    pref = [k for k in preferred if k in keys]
    return pref + sorted(k for k in keys if k not in pref)


def _chart_flows(flows: pa.Table, start: np.datetime64 | None, labels, lang: str, caption: str) -> Figure:
    flows = _after_start(flows, start)
    channel = pc.fill_null(flows["channel"], "")
    city = flows.filter(pc.not_equal(channel, INTERNAL_CHANNEL))
    months = _months_per_year(city)
    all_years, (in_keys, in_vals), (out_keys, out_vals), out_order = _flows_by_year(city, labels)
    keep_in = [i for i, _ in enumerate(in_keys) if np.abs(in_vals[i]).sum() > 0]
    keep_out = [i for i, _ in enumerate(out_keys) if np.abs(out_vals[i]).sum() > 0]
    notes = [tr("internal_note", lang)]
    notes += _small_flows_note(all_years, (in_keys, in_vals, keep_in), (out_keys, out_vals, keep_out), labels, lang)
    notes += _partial_note(all_years, months, lang)

    fig, body = new_figure(4.9, tr("title_flows", lang), notes, caption)
    ax = body.add_subplot()
    if not len(all_years) or not (keep_in or keep_out):
        no_data(ax, lang)
        return fig
    x = all_years.astype(float)
    in_colours = _colours(in_keys, INFLOWS, QUALITATIVE)
    # Outflows in greys: one family below the axis, set apart from the coloured inflows.
    out_colours = _colours(out_keys, out_order, _grey_ramp(len(out_order)))
    _stack(ax, x, in_vals[keep_in] / 1000.0, [in_colours[i] for i in keep_in], +1.0)
    _stack(ax, x, out_vals[keep_out] / 1000.0, [out_colours[i] for i in keep_out], -1.0)
    right = _draw_net(ax, x, (in_vals.sum(axis=0) - out_vals.sum(axis=0)) / 1000.0, lang)
    _year_ticks(ax, all_years, months)
    ax.set_xlim(x.min() - 0.6, right)
    ax.set_ylabel(tr("flows_k", lang))
    ax.set_xlabel(tr("year", lang))
    ax.yaxis.set_major_formatter(GroupedFormatter())
    in_items = [(Patch(facecolor=in_colours[i]), _channel_label(in_keys[i], "inflow", labels, lang)) for i in keep_in]
    out_items = [(Patch(facecolor=out_colours[i], edgecolor="#bbbbbb", linewidth=0.4),
                  _channel_label(out_keys[i], "outflow", labels, lang)) for i in keep_out]
    _flow_legends(body, in_items, out_items, lang)
    return fig


def _flows_by_year(city: pa.Table, labels) -> tuple[np.ndarray, tuple[list[str], np.ndarray],
                                                      tuple[list[str], np.ndarray], list[str]]:
    """Persons per channel and year, inflows and outflows on the same years, and the outflows' order."""
    groups = {}
    for direction in ("inflow", "outflow"):
        part = _with_year(city.filter(pc.fill_null(pc.equal(city["direction"], direction), False)))
        groups[direction] = _pivot(part, "year", "channel", "persons")
    all_years = np.union1d(groups["inflow"][0], groups["outflow"][0]).astype(int)

    def aligned(direction: str, preferred: Iterable[str]) -> tuple[list[str], np.ndarray]:
        years, keys, vals = groups[direction]
        out = np.zeros((len(keys), len(all_years)))
        if len(keys):
            out[:, np.searchsorted(all_years, years)] = vals
        order = _order(keys, preferred)
        return order, out[[keys.index(k) for k in order]] if order else out

    # destinations in the region's own order (the order of its labels), then retirement and the rest
    written = set(city.filter(pc.fill_null(pc.equal(city["direction"], "outflow"), False))["channel"].to_pylist())
    out_order = [k for k in labels if k in written] + [k for k in OUTFLOWS if k in written]
    out_order += sorted(written - set(out_order))
    return all_years, aligned("inflow", INFLOWS), aligned("outflow", out_order), out_order


def _small_flows_note(all_years: np.ndarray, inflows: tuple, outflows: tuple, labels, lang: str) -> list[str]:
    """A note naming the channels too small to see next to the tallest year, with their totals."""
    (in_keys, in_vals, keep_in), (out_keys, out_vals, keep_out) = inflows, outflows
    span = (in_vals.clip(min=0).sum(axis=0).max(initial=0) + out_vals.clip(min=0).sum(axis=0).max(initial=0))
    small = []
    for keys, vals, direction, keep in ((in_keys, in_vals, "inflow", keep_in), (out_keys, out_vals, "outflow", keep_out)):
        for i in keep:
            if span > 0 and np.abs(vals[i]).max() < 0.01 * span:
                small.append(f"{_channel_label(keys[i], direction, labels, lang)}\u00a0{minus(f'{vals[i].sum():,.0f}')}")
    if not (small and len(all_years)):
        return []
    period = tr("period", lang, a=int(all_years.min()), b=int(all_years.max()))
    return [tr("small_note", lang, period=period, items=tr("list_sep", lang).join(small))]


def _draw_net(ax: Axes, x: np.ndarray, net: np.ndarray, lang: str) -> float:
    """The net inflow as a line over the bars, labelled past the last bar; returns the x-axis' right end."""
    ax.axhline(0, color="#222222", linewidth=0.8, zorder=3)
    halo = [patheffects.withStroke(linewidth=3.0, foreground="white")]
    ax.plot(x, net, color="black", linewidth=1.4, marker="o", markersize=3.5, markerfacecolor="white",
            markeredgewidth=1.0, zorder=4, path_effects=halo)
    # The label stands in for a legend; the x-axis is widened by as many years as the label
    # needs at this figure width.
    label = tr("net", lang)
    label_in = text_width_em(label) * 8.0 * 1.1 / 72.0 + 0.05
    inch_per_year = 6.2 / (len(x) + 2.0)
    ax.text(x[-1] + 0.42, net[-1], label, va="center", ha="left", fontsize=8, fontweight="bold", zorder=5,
            path_effects=halo)
    return x.max() + 0.42 + label_in / inch_per_year + 0.1


def _flow_legends(body: SubFigure, in_items: list, out_items: list, lang: str) -> None:
    """Inflows' legend below on the left, outflows' on the right, with as many rows each so that their titles line up."""
    rows = max(-(-len(in_items) // 2), -(-len(out_items) // 2))
    for items, where, title in ((in_items, "left", "inflows"), (out_items, "right", "outflows")):
        if not items:
            continue
        ncols = 2 if len(items) > rows else 1
        items = items + [(Patch(visible=False), "")] * (ncols * rows - len(items))
        legend_below(body, [h for h, _ in items], [n for _, n in items], ncols=ncols,
                     where=where, title=tr(title, lang))


def _chart_spending(spending: pa.Table, start: np.datetime64 | None, labels, lang: str, caption: str) -> Figure:
    spending = _after_start(spending, start)
    months = _months_per_year(spending)
    with_year = _with_year(spending)
    years, levers, vals = _pivot(with_year, "year", "lever", "spending_yuan")
    budget = None
    if "budget_yuan" in spending.column_names and spending.num_rows:
        b_years, _, b_vals = _pivot(with_year.append_column("all", pa.array(["all"] * with_year.num_rows)),
                                    "year", "all", "budget_yuan")
        budget = np.zeros(len(years))
        budget[np.searchsorted(years, b_years)] = b_vals[0]
        if not (budget > 0).any():
            budget = None
    notes = [tr("budget_note", lang)] if budget is not None else []
    notes += _partial_note(years, months, lang)
    fig, body = new_figure(4.6, tr("title_spending", lang), notes, caption)
    ax = body.add_subplot()
    if not levers or not len(years):
        no_data(ax, lang)
        return fig
    order = _order(levers, LEVERS)
    idx = [levers.index(k) for k in order]
    colours = _colours(order, LEVERS, QUALITATIVE)
    x = years.astype(float)
    _stack(ax, x, vals[idx] / 1e8, colours, +1.0)
    handles: list = [Patch(facecolor=c) for c in colours]
    names = [_lever_label(k, labels, lang) for k in order]
    if budget is not None:
        # A white halo keeps the mark visible where spending runs past the budget.
        ax.hlines(budget / 1e8, x - 0.42, x + 0.42, colors="black", linewidth=2.0, zorder=4,
                  path_effects=[patheffects.withStroke(linewidth=3.6, foreground="white")])
        handles.append(Line2D([], [], color="black", linewidth=2.0))
        names.append(tr("budget", lang))
    _year_ticks(ax, years, months)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(tr("spending_yi", lang))
    ax.set_xlabel(tr("year", lang))
    ax.yaxis.set_major_formatter(GroupedFormatter())
    legend_below(body, handles, names, ncols=3)
    return fig


def _chart_total(stock: pa.Table, labels, lang: str, caption: str, seed: int | None) -> Figure:
    dates, _, values = _pivot(stock.append_column("all", pa.array(["all"] * stock.num_rows, pa.string())),
                              "date", "all", "talent_stock")
    # One run's line drawn alone reads like a forecast: the title and a note say what it is.
    title = tr("title_total", lang) if seed is None else tr("title_total_one_run", lang, seed=seed)
    fig, body = new_figure(3.6, title, [tr("one_run_note", lang)], caption)
    ax = body.add_subplot()
    if not len(dates):
        no_data(ax, lang)
        return fig
    total = values[0]
    ax.plot(dates, total / 1000.0, color=QUALITATIVE[0])
    ax.plot(dates[:1], total[:1] / 1000.0, linestyle="none", marker="o", markersize=6, color="black", zorder=4,
            clip_on=False)
    ax.plot(dates[-1:], total[-1:] / 1000.0, linestyle="none", marker="o", markersize=4.5,
            color=QUALITATIVE[0], zorder=4, clip_on=False)
    lo, hi = float(total.min()) / 1000.0, float(total.max()) / 1000.0
    pad = max((hi - lo) * 0.3, hi * 0.01, 1e-9)
    # The start label spans about a quarter of the axis: it goes above or below the line over
    # that stretch, whichever side has more room, so that the line never runs through it.
    near = total[dates <= dates[0] + (dates[-1] - dates[0]) * 0.28] / 1000.0
    room_below, room_above = near.min() - (lo - pad), (hi + pad) - near.max()
    need = 0.45 * (hi - lo + 2 * pad) / 2.8  # two 8 pt lines and the gap, over an axis about 2.8 in tall
    below = room_below >= need or room_below >= room_above
    shift = ScaledTranslation(9 / 72, (-6 if below else 6) / 72, fig.dpi_scale_trans)
    ax.annotate(tr("start_mark", lang, month=_month_label(dates[0], lang), value=_fmt_k(total[0])),
                (dates[0], total[0] / 1000.0), xytext=(dates[0], near.min() if below else near.max()),
                textcoords=ax.transData + shift, ha="left", va="top" if below else "bottom", fontsize=8,
                arrowprops={"arrowstyle": "-", "color": NOTE_COLOUR, "linewidth": 0.6, "shrinkA": 1, "shrinkB": 4})
    if len(dates) > 1:
        ax.annotate(tr("end_mark", lang, month=_month_label(dates[-1], lang), value=_fmt_k(total[-1])),
                    (dates[-1], total[-1] / 1000.0), xytext=(7, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=8)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_ylabel(tr("stock_k", lang))
    ax.set_xlabel(tr("year", lang))
    ax.yaxis.set_major_formatter(GroupedFormatter())
    year_axis(ax, dates, max_ticks=10, right_room=0.18 if len(dates) > 1 else 0.0)
    return fig


# ---------------------------------------------------------------- writing

def render_run_charts(*, tables: dict[str, pa.Table], labels: dict[str, dict[str, str]], out_dir: Path,
                      lang: str, caption: str, seed: int | None = None) -> list[Path]:
    """Write the run's charts as PNG (300 dpi) and SVG into ``out_dir``; return the written paths, sorted.

    ``tables`` needs ``talent_stock``, ``talent_flows`` and ``spending`` (long format, as the
    model writes them); ``labels`` maps cluster, district and city ids to ``{"en": ..., "zh": ...}``.
    ``lang`` is ``'zh'`` or ``'en'``; ``'zh'`` without a CJK font falls back to English with a
    warning (see :func:`sim.charts.style.resolve_language`). The file stems are :data:`CHART_STEMS`.
    ``seed``, when given, is named in the title of the total's chart, which says it shows one run.
    """
    used = chart_language(lang)
    _checked(tables)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = labels or {}
    caption = caption or ""
    stock = tables["talent_stock"]
    start = as_dates(stock["date"]).min() if stock.num_rows else None

    builders = {
        "talent_by_cluster": lambda: _chart_talent_by_cluster(stock, labels, used, caption),
        "talent_by_tier": lambda: _chart_talent_by_tier(stock, labels, used, caption),
        "flows": lambda: _chart_flows(tables["talent_flows"], start, labels, used, caption),
        "spending": lambda: _chart_spending(tables["spending"], start, labels, used, caption),
        "total_talent": lambda: _chart_total(stock, labels, used, caption, seed),
    }
    written: list[Path] = []
    with styled(used):
        for stem in CHART_STEMS:
            fig = builders[stem]()
            title = fig.get_suptitle() or stem
            written += save(fig, out_dir, stem, title, caption)
    return sorted(written)
