"""Charts of scenario discovery: PRIM's peeling trajectory and the limits of the box chosen on it.

From a :class:`sim.discover.Discovery`. Factors are named by their parameter's short name, the same in
both languages (``talentsim params`` lists them with their meaning).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib import colormaps, ticker
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.charts.sensitivity import outcome_title
from sim.charts.style import (
    NOTE_COLOUR, QUALITATIVE, SMALL_PT, chart_language, legend_below, new_figure, save, settled, styled, wrapped_title,
)
from sim.charts.text import tr

__all__ = ["render_discovery_charts", "threshold_words"]

_BOX = QUALITATIVE[0]
_RANGE = "#e6e6e6"
_CHOSEN = QUALITATIVE[3]
_WEAK = "#9ecae1"
SHORT_UNIT = 12      # characters of a unit shown on the box chart


def threshold_words(*, policy: str, outcome: str, threshold: float, kind: str, lang: str,
                    clusters: dict[str, dict[str, str]], policies: dict[str, dict[str, str]]) -> str:
    """What makes a row a case, in words: the policy's effect on the outcome below the threshold."""
    effect = outcome_title(f"effect:{policy}:{outcome}", lang=lang, clusters=clusters, policies=policies)
    if kind == "relative":
        return tr("disc_question_rel", lang, effect=effect, threshold=f"{threshold:.2%}".replace(".00%", "%"))
    return tr("disc_question_abs", lang, effect=effect, threshold=f"{threshold:,.6g}")


def render_discovery_charts(discovery, *, out_dir: Path, lang: str, caption: str, question: str, weak_qp: float) -> list[Path]:
    """The peeling trajectory and the chosen box's limits (restrictions with a quasi-p-value above ``weak_qp`` pale),
    PNG (300 dpi) + SVG, sorted paths."""
    used = chart_language(lang)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with styled(used):
        for stem, draw in (("prim_trajectory", _trajectory), ("prim_box", _box)):
            fig = settled(draw(discovery, lang=used, caption=caption, question=question, weak_qp=weak_qp))
            written += save(fig, out_dir, stem, fig.subfigs[0].get_suptitle().replace("\n", " "), caption)
    return sorted(written)


def _share(value: float) -> str:
    return f"{value:.0%}"


def _trajectory(discovery, *, lang: str, caption: str, question: str, weak_qp: float) -> Figure:
    t = discovery.trajectory.to_pydict()
    coverage, density, dims = (np.array(t[k], dtype=float) for k in ("coverage", "density", "restricted_dims"))
    i = discovery.chosen
    notes = [tr("peeling_note", lang, cases=discovery.cases, rows=discovery.rows, min_cov=_share(discovery.min_coverage))]
    fig, body = new_figure(4.4, wrapped_title(tr("title_peeling", lang, question=question)), notes, caption)
    ax = body.add_subplot(1, 1, 1)
    top = int(dims.max()) if len(dims) else 0
    cmap = colormaps["viridis"].resampled(top + 1)
    norm = BoundaryNorm(np.arange(-0.5, top + 1.5), cmap.N)
    ax.plot(coverage, density, color="#bbbbbb", linewidth=0.8, zorder=1)
    points = ax.scatter(coverage, density, c=dims, cmap=cmap, norm=norm, s=14, zorder=3, edgecolors="none")
    ax.scatter([coverage[i]], [density[i]], s=110, facecolors="none", edgecolors=_CHOSEN, linewidths=1.6, zorder=4)
    ax.axhline(density[0], color=NOTE_COLOUR, linestyle="--", linewidth=0.8, zorder=0)
    ax.axvline(discovery.min_coverage, color=NOTE_COLOUR, linestyle=":", linewidth=0.8, zorder=0)
    bar = body.colorbar(points, ax=ax, ticks=_integer_ticks(top), pad=0.02, fraction=0.04)
    bar.set_label(tr("restricted_dims", lang))
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(ticker.PercentFormatter(1.0))
    ax.set_xlabel(tr("coverage_axis", lang))
    ax.set_ylabel(tr("density_axis", lang))
    handles = [Line2D([], [], color=colormaps["viridis"](0.5), marker="o", linestyle="none", markersize=4),
               Line2D([], [], color=_CHOSEN, marker="o", markerfacecolor="none", linestyle="none", markersize=8),
               Line2D([], [], color=NOTE_COLOUR, linestyle="--", linewidth=0.8),
               Line2D([], [], color=NOTE_COLOUR, linestyle=":", linewidth=0.8)]
    labels = [tr("peeling_box", lang),
              tr("chosen_box", lang, box=i, coverage=_share(coverage[i]), density=_share(density[i]), dims=int(dims[i])),
              tr("case_share", lang), tr("min_coverage", lang)]
    legend_below(body, handles, labels, ncols=2)
    return fig


def _integer_ticks(top: int) -> list[int]:
    step = max(1, int(np.ceil((top + 1) / 8)))
    return list(range(0, top + 1, step))


def _short_unit(unit: str) -> str:
    """A unit short enough to stand beside the limits (years, months, yuan); a longer one (a declared unit that says what
    the number counts) is left to the prim_box table."""
    first = unit.replace(";", ",").split(",", 1)[0].strip()
    return first if len(first) <= SHORT_UNIT else ""


def _number(value: float) -> str:
    return f"{value:,.4g}"


def _qp(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"{value:.2g}"


def _box(discovery, *, lang: str, caption: str, question: str, weak_qp: float) -> Figure:
    rows = discovery.box.to_pylist()
    stats = discovery.stats()
    notes = [tr("box_note", lang, coverage=_share(stats["coverage"]), density=_share(stats["density"]), mass=_share(stats["mass"]))]
    fig, body = new_figure(1.3 + 0.5 * max(len(rows), 3), wrapped_title(tr("title_box", lang, question=question)), notes, caption)
    ax = body.add_subplot(1, 1, 1)
    if not rows:
        ax.text(0.5, 0.5, tr("box_unrestricted", lang), transform=ax.transAxes, ha="center", va="center", color=NOTE_COLOUR)
        ax.set_xticks([])
        ax.set_yticks([])
        return fig
    y = np.arange(len(rows))
    for j, r in enumerate(rows):
        span = r["range_high"] - r["range_low"]
        low = (r["low"] - r["range_low"]) / span if span > 0 else 0.0
        high = (r["high"] - r["range_low"]) / span if span > 0 else 1.0
        ax.barh(j, 1.0, height=0.45, color=_RANGE, zorder=1)
        qps = [v for v in (r["qp_low"], r["qp_high"]) if v is not None]
        ax.barh(j, high - low, left=low, height=0.45, color=_BOX if qps and min(qps) <= weak_qp else _WEAK, zorder=2)
        unit = _short_unit(r["unit"])
        limits = f"{_number(r['low'])} – {_number(r['high'])}" + (f" {unit}" if unit else "")
        if qps:
            limits += " · " + tr("qp", lang, value=_qp(min(qps)))
        # under the bar, where the track leaves room: tick labels of two lines are not always given room by the layout
        right = low > 0.5  # a box in the upper half of the range: the text ends where the box ends, inside the axes
        ax.text(min(high, 1.0) if right else max(low, 0.0), j + 0.27, limits, ha="right" if right else "left", va="top",
                fontsize=SMALL_PT, color="#333333", zorder=3)
    ax.set_yticks(y, [r["factor"].rsplit(".", 1)[-1] for r in rows])
    ax.set_ylim(len(rows) - 0.35, -0.5)  # top to bottom, with room for the last row's limits under its bar
    ax.set_xlim(0, 1)
    ax.set_xlabel(tr("box_axis", lang))
    ax.spines["right"].set_visible(False)
    legend_below(body, [Patch(facecolor=_RANGE), Patch(facecolor=_BOX), Patch(facecolor=_WEAK)],
                 [tr("full_range", lang), tr("box_interval", lang), tr("box_weak", lang, qp=weak_qp)], ncols=3)
    return fig
