"""The validation chart: one panel per observed series, the runs' yearly values (one line per seed) and
each observation with its tolerance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D

from sim.charts.captions import validation_caption
from sim.charts.style import QUALITATIVE, GroupedFormatter, legend_below, new_figure, save, styled

__all__ = ["render_validation_chart", "VALIDATION_STEM"]

VALIDATION_STEM = "validation"
WORDS = {
    "title": {"en": "Simulated against observed", "zh": "模拟值与观测值对比"},
    "runs": {"en": "simulated, one line per seed", "zh": "模拟值（每条线为一个随机种子）"},
    "within": {"en": "observed, within tolerance", "zh": "观测值（在容差内）"},
    "outside": {"en": "observed, outside tolerance", "zh": "观测值（超出容差）"},
    "note": {"en": "Bars: the observation's tolerance. Lines differ by seed only; parameters are at the scenario's values.",
             "zh": "误差棒为观测值的容差。各线仅随机种子不同，参数取情景设定值。"},
}
OUTSIDE_COLOUR = "#c0392b"
SERIES_TITLES = {  # panel titles of the usual series; any other column of city_annual is titled by its name
    "residents": {"en": "Residents, persons", "zh": "常住人口（人）"},
    "talent_stock": {"en": "Talent stock, persons", "zh": "人才存量（人）"},
    "talent_share": {"en": "Talent share of residents", "zh": "人才占常住人口比例"},
    "gdp_yuan": {"en": "GDP, yuan ({year} prices)", "zh": "地区生产总值（元，{year} 年价格）"},  # the initial state's year
    "gdp_real_growth": {"en": "Real GDP growth", "zh": "地区生产总值实际增速"},
}


def render_validation_chart(report, *, out_dir: Path, lang: str) -> list[Path]:
    """PNG and SVG of ``report`` (a :class:`sim.validation.ValidationReport`) in ``out_dir``."""
    series = list(dict.fromkeys(c.observation.series for c in report.checks)) or ["talent_stock"]
    ncols = min(len(series), 2)
    nrows = -(-len(series) // ncols)
    caption = validation_caption(report.scenario, seeds=len(report.seeds), scale=report.scale, lang=lang)
    title = WORDS["title"][lang]
    initial_year = report.scenario.load_region().initial_year  # GDP is at its prices
    with styled(lang):
        fig, body = new_figure(2.6 * nrows + 0.6, title, [WORDS["note"][lang]], caption)
        axes = np.atleast_1d(body.subplots(nrows, ncols, squeeze=False).ravel())
        for ax, name in zip(axes, series):
            for table in report.annual:
                years = np.array(table.column("year").to_pylist())
                values = np.array(table.column(name).to_pylist(), dtype=float)
                ax.plot(years, values, color=QUALITATIVE[0], alpha=0.45, linewidth=1.0)
            for c in (c for c in report.checks if c.observation.series == name):
                low, high = c.observation.bounds()
                colour = "black" if c.within else OUTSIDE_COLOUR
                ax.errorbar([c.observation.year], [c.observation.value], yerr=[[c.observation.value - low], [high - c.observation.value]],
                            fmt="o", color=colour, markersize=5, capsize=4, zorder=3)
            title_of = SERIES_TITLES.get(name, {}).get(lang, name)
            ax.set_title(title_of.format(year=initial_year), fontsize=10, loc="left")
            ax.yaxis.set_major_formatter(GroupedFormatter())
            ax.xaxis.get_major_locator().set_params(integer=True)
        for ax in axes[len(series):]:
            ax.set_visible(False)
        handles = [Line2D([], [], color=QUALITATIVE[0], alpha=0.6),
                   Line2D([], [], color="black", marker="o", linestyle=""),
                   Line2D([], [], color=OUTSIDE_COLOUR, marker="o", linestyle="")]
        legend_below(body, handles, [WORDS["runs"][lang], WORDS["within"][lang], WORDS["outside"][lang]], ncols=3)
        charts = Path(out_dir) / "charts"
        charts.mkdir(parents=True, exist_ok=True)
        return save(fig, charts, VALIDATION_STEM, title, caption)
