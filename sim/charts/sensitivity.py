"""Charts of a sensitivity study: Morris mu*-sigma screening and Sobol' S1/ST bars, each with its intervals.

One chart per outcome, from the ``indices`` table of :mod:`sim.sensitivity` (the whole design, 2N).
Factors are named by their parameter's short name, the same in both languages (``talentsim params``
lists them with their meaning).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pyarrow as pa
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.charts.style import (
    NOTE_COLOUR, QUALITATIVE, SMALL_PT, GroupedFormatter, chart_language, legend_below, new_figure, no_data, save,
    settled, styled, wrapped_title,
)
from sim.charts.text import name_of, tr
from sim.factors import group_label

__all__ = ["render_sensitivity_charts", "chart_stem", "outcome_title"]

MORRIS_LABELLED = 10   # factors named beside their point (the most influential)
SOBOL_BARS = 15        # factors drawn as bars (the highest ST)
_S1, _ST = QUALITATIVE[0], "#9ecae1"


def chart_stem(method: str, outcome: str) -> str:
    """``morris_<outcome>`` / ``sobol_<outcome>``, with an effect's colons as double underscores."""
    return f"{method}_{outcome.replace(':', '__')}"


def outcome_title(outcome: str, *, lang: str, clusters: dict[str, dict[str, str]], policies: dict[str, dict[str, str]]) -> str:
    """The outcome in words: the city's talent, a cluster's, the talent share, or a policy's effect on one of these."""
    if outcome.startswith("effect:"):
        _, policy, level = outcome.split(":", 2)
        return tr("sens_effect", lang, policy=name_of(policy, policies, lang), outcome=_level_title(level, lang, clusters))
    return _level_title(outcome, lang, clusters)


def _level_title(outcome: str, lang: str, clusters: dict[str, dict[str, str]]) -> str:
    stem, _, year = outcome.rpartition("_")
    if stem == "talent_total":
        return tr("sens_total", lang, year=year)
    if stem == "talent_share":
        return tr("sens_share", lang, year=year)
    if stem.startswith("talent_") and stem[len("talent_"):] in clusters:
        return tr("sens_cluster", lang, cluster=name_of(stem[len("talent_"):], clusters, lang), year=year)
    return outcome


def render_sensitivity_charts(*, indices: pa.Table, outcomes: Sequence[str], out_dir: Path, lang: str, caption: str,
                              clusters: dict[str, dict[str, str]] | None = None,
                              policies: dict[str, dict[str, str]] | None = None, groups: bool = False) -> list[Path]:
    """A Morris or Sobol' chart (by the table's method) for each outcome; PNG (300 dpi) + SVG, sorted paths. A Morris
    screening by ``groups`` is drawn as bars of mu*: a group of several factors has no sigma."""
    used = chart_language(lang)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    full = max(indices["design_size"].to_pylist(), default=0)
    rows = [r for r in indices.to_pylist() if r["design_size"] == full]
    written: list[Path] = []
    with styled(used):
        for outcome in outcomes:
            mine = [r for r in rows if r["outcome"] == outcome]
            method = mine[0]["method"] if mine else "morris"
            title = outcome_title(outcome, lang=used, clusters=clusters or {}, policies=policies or {})
            draw = (_morris_groups if groups else _morris) if method == "morris" else _sobol
            fig = settled(draw(mine, title=title, lang=used, caption=caption))
            written += save(fig, out_dir, chart_stem(method, outcome), fig.subfigs[0].get_suptitle().replace("\n", " "), caption)
    return sorted(written)


def _values(rows: list[dict], key: str) -> np.ndarray:
    return np.array([np.nan if r[key] is None else r[key] for r in rows], dtype=float)


def _morris(rows: list[dict], *, title: str, lang: str, caption: str) -> Figure:
    n = rows[0]["design_size"] if rows else 0
    notes = [tr("morris_note", lang, r=n, k=len(rows))]
    fig, body = new_figure(4.6, wrapped_title(tr("title_morris", lang, outcome=title)), notes, caption)
    ax = body.add_subplot(1, 1, 1)
    mu, sigma = _values(rows, "mu_star"), _values(rows, "sigma")
    ok = np.isfinite(mu) & np.isfinite(sigma)
    if not ok.any():
        no_data(ax, lang)
        return fig
    x_err = _errors(mu, _values(rows, "mu_star_ci_low"), _values(rows, "mu_star_ci_high"))
    y_err = _errors(sigma, _values(rows, "sigma_ci_low"), _values(rows, "sigma_ci_high"))
    ax.errorbar(mu[ok], sigma[ok], xerr=x_err[:, ok], yerr=y_err[:, ok], fmt="o", color=_S1, markersize=3.5,
                elinewidth=0.7, ecolor="#9ecae1", capsize=0, zorder=3)
    top = max(float(np.nanmax(mu[ok])), float(np.nanmax(sigma[ok])), 1e-12) * 1.08
    ax.plot([0, top], [0, top], color=NOTE_COLOUR, linestyle="--", linewidth=0.8, zorder=1)
    order = np.argsort(-np.where(ok, mu, -np.inf), kind="stable")[:MORRIS_LABELLED]
    for i in order:
        if ok[i]:
            ax.annotate(rows[i]["factor"].rsplit(".", 1)[-1], (mu[i], sigma[i]), xytext=(4, 3), textcoords="offset points",
                        fontsize=SMALL_PT, color="#333333")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_formatter(GroupedFormatter())
    ax.yaxis.set_major_formatter(GroupedFormatter())
    ax.set_xlabel(tr("mu_star_axis", lang))
    ax.set_ylabel(tr("sigma_axis", lang))
    handles = [Line2D([], [], color=_S1, marker="o", linestyle="none", markersize=4),
               Line2D([], [], color=NOTE_COLOUR, linestyle="--", linewidth=0.8)]
    legend_below(body, handles, [tr("morris_point", lang), tr("sigma_equals_mu", lang)], ncols=2)
    return fig


def _highest(rows: list[dict], measure: str) -> list[dict]:
    """The rows with the highest finite ``measure``, as many as a bar chart draws."""
    values = _values(rows, measure)
    order = np.argsort(-np.where(np.isfinite(values), values, -np.inf), kind="stable")
    return [rows[i] for i in order if np.isfinite(values[i])][:SOBOL_BARS]


def _bar_axes(shown: list[dict], *, title: str, notes: list[str], caption: str, lang: str) -> tuple[Figure, object, object]:
    """A figure sized for one bar (or pair of bars) per row shown; axes that say so when there is none."""
    fig, body = new_figure(1.2 + 0.28 * max(len(shown), 3), wrapped_title(title), notes, caption)
    ax = body.add_subplot(1, 1, 1)
    if not shown:
        no_data(ax, lang)
    return fig, body, ax


def _morris_groups(rows: list[dict], *, title: str, lang: str, caption: str) -> Figure:
    n = rows[0]["design_size"] if rows else 0
    shown = _highest(rows, "mu_star")
    fig, body, ax = _bar_axes(shown, title=tr("title_morris_groups", lang, outcome=title),
                              notes=[tr("morris_groups_note", lang, r=n, k=len(rows))], caption=caption, lang=lang)
    if not shown:
        return fig
    y = np.arange(len(shown))
    mu_shown = _values(shown, "mu_star")
    ax.barh(y, mu_shown, height=0.6, color=_S1, xerr=_errors(mu_shown, _values(shown, "mu_star_ci_low"), _values(shown, "mu_star_ci_high")),
            error_kw={"elinewidth": 0.8, "ecolor": "#333333"}, zorder=3)
    ax.set_yticks(y, [group_label(r["factor"]) for r in shown])
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.xaxis.set_major_formatter(GroupedFormatter())
    ax.set_xlabel(tr("mu_star_group_axis", lang))
    legend_below(body, [Patch(facecolor=_S1), Line2D([], [], color="#333333", linewidth=0.8)],
                 [tr("mu_star_bar", lang), tr("ci95_bootstrap", lang)], ncols=2)
    return fig


def _sobol(rows: list[dict], *, title: str, lang: str, caption: str) -> Figure:
    n = rows[0]["design_size"] if rows else 0
    shown = _highest(rows, "st")
    fig, body, ax = _bar_axes(shown, title=tr("title_sobol", lang, outcome=title),
                              notes=[tr("sobol_note", lang, n=n, k=len(rows), shown=len(shown))], caption=caption, lang=lang)
    if not shown:
        return fig
    y = np.arange(len(shown))
    s1, st_shown = _values(shown, "s1"), _values(shown, "st")
    ax.barh(y + 0.2, st_shown, height=0.38, color=_ST, xerr=_errors(st_shown, _values(shown, "st_ci_low"), _values(shown, "st_ci_high")),
            error_kw={"elinewidth": 0.8, "ecolor": "#333333"}, zorder=3)
    ax.barh(y - 0.2, s1, height=0.38, color=_S1, xerr=_errors(s1, _values(shown, "s1_ci_low"), _values(shown, "s1_ci_high")),
            error_kw={"elinewidth": 0.8, "ecolor": "#333333"}, zorder=3)
    ax.set_yticks(y, [r["factor"].rsplit(".", 1)[-1] for r in shown])
    ax.invert_yaxis()
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.xaxis.set_major_formatter(GroupedFormatter())
    ax.set_xlabel(tr("sobol_axis", lang))
    legend_below(body, [Patch(facecolor=_S1), Patch(facecolor=_ST), Line2D([], [], color="#333333", linewidth=0.8)],
                 [tr("s1", lang), tr("st", lang), tr("ci95_bootstrap", lang)], ncols=3)
    return fig


def _errors(value: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Error-bar lengths below and above each value (0 where an interval is missing)."""
    below = np.where(np.isfinite(low), value - low, 0.0)
    above = np.where(np.isfinite(high), high - value, 0.0)
    return np.clip(np.nan_to_num(np.vstack([below, above])), 0.0, None)


def titles_of(scenarios: Sequence[object]) -> dict[str, dict[str, str]]:
    """Scenario names to their titles, for :func:`outcome_title`."""
    return {s.name: {"en": s.title.en or s.name, "zh": s.title.zh or s.title.en or s.name} for s in scenarios}
