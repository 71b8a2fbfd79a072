"""The explorer's figures, as PNG for the page: the comparison's own charts (trajectories with bands, the
difference per cluster, cost-effectiveness; :func:`sim.charts.comparison.comparison_figures`) and each lever's
spending per year against its budget, the base beside the explored levers.
"""

from __future__ import annotations

import io
import threading

import numpy as np
from matplotlib import ticker
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.charts.comparison import comparison_figures
from sim.charts.style import (
    GroupedFormatter, NOTE_COLOUR, QUALITATIVE, chart_language, label_lowest_panels, legend_below, new_figure, settled, styled,
)
from sim.config import Scenario
from sim.dashboard.runs import Outcome
from sim.dashboard.text import family_name, word
from sim.government import LEVERS

SCREEN_DPI = 110
_DRAWING = threading.Lock()
CHARTS = ("compare_trajectories", "compare_differences", "compare_cost_effectiveness", "spending")
_BASE_COLOUR = "#8c8c8c"


def chart_images(outcome: Outcome, *, base: Scenario, explored: Scenario, lang: str) -> dict[str, bytes]:
    """Every chart of an exploration as PNG bytes, by the names of :data:`CHARTS`."""
    used = chart_language(lang)
    labels = {s.name: {"en": s.title.en or s.name, "zh": s.title.zh or s.title.en or s.name} for s in (base, explored)}
    spec = outcome.specs[0]
    seeds = len({s.seed for s in outcome.specs})
    caption = (f"{base.name}; {explored.name} · {seeds} seeds each, common random numbers · scale {spec.config['run']['scale']} · "
               "TalentSim (region data: docs/sources)")
    # the house style is set in matplotlib's global settings for the block: one page's charts at a time
    with _DRAWING, styled(used):
        figures = comparison_figures(summary=outcome.summary, comparison=outcome.comparison, scenario_labels=labels,
                                     region=base.load_region(), lang=used, caption=caption, stems=CHARTS[:3])
        figures["spending"] = settled(spending_figure(outcome, lang=used, caption=caption,
                                                      names=[labels[s.name][used] for s in (base, explored)]))
        return {name: _png(fig) for name, fig in figures.items()}


def spending_figure(outcome: Outcome, *, lang: str, caption: str, names: list[str]) -> Figure:
    """One panel per lever: spending per year of the base and of the explored levers, and the explored budget."""
    years, base_spent, _ = outcome.spending[0]
    _, spent, budget = outcome.spending[1]
    ncols, nrows = 3, -(-len(LEVERS) // 3)
    note = word("spending_note", lang)
    fig, body = new_figure(0.9 + nrows * 1.35, word("chart_spending_title", lang), [note], caption)
    axes = body.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
    x = years.astype(float)
    for i, ax in enumerate(axes):
        if i >= len(LEVERS):
            ax.remove()
            continue
        ax.set_title(family_name(LEVERS[i], lang), loc="left", fontsize=8.5)
        ax.plot(x, base_spent[i] / 1e8, color=_BASE_COLOUR, linewidth=1.2, linestyle=(0, (3.5, 2)))
        ax.plot(x, spent[i] / 1e8, color=QUALITATIVE[0], linewidth=1.6)
        ax.step(x, budget[i] / 1e8, where="mid", color="black", linewidth=0.9)
        top = max(float(np.max(budget[i])), float(np.max(spent[i])), float(np.max(base_spent[i]))) / 1e8
        ax.set_ylim(0, top * 1.12 if top > 0 else 1)
        ax.yaxis.set_major_formatter(GroupedFormatter())
        ax.xaxis.set_major_locator(_year_locator(x))
        ax.xaxis.set_major_formatter(ticker.FormatStrFormatter("%d"))
        ax.tick_params(labelsize=7)
    label_lowest_panels(axes, n_panels=len(LEVERS), ncols=ncols, xlabel=None)
    body.supylabel(word("spending_axis", lang), fontsize=8.5, color=NOTE_COLOUR)
    handles = [Line2D([], [], color=_BASE_COLOUR, linewidth=1.2, linestyle=(0, (3.5, 2))),
               Line2D([], [], color=QUALITATIVE[0], linewidth=1.6), Line2D([], [], color="black", linewidth=0.9)]
    legend_below(body, handles, [names[0], names[1], word("budget_key", lang)], ncols=3)
    return fig


def _year_locator(x: np.ndarray) -> ticker.Locator:
    step = 5 if len(x) > 8 else 2
    return ticker.FixedLocator([y for y in x if int(y) % step == 0])


def _png(fig: Figure) -> bytes:
    sink = io.BytesIO()
    fig.savefig(sink, format="png", dpi=SCREEN_DPI)
    return sink.getvalue()
