"""Diagnostics of an ABC-SMC calibration: each parameter's posterior against its prior, and the posterior
predictive check of each target against its observed value and tolerance.

Parameters are named by their short name, the same in both languages (``talentsim params`` gives their
meaning); targets by a title in the chart's language where one is known, else by their key.
"""

from __future__ import annotations

import re

from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.charts.style import NOTE_COLOUR, QUALITATIVE, GroupedFormatter, legend_below, new_figure, save, settled, styled
from sim.charts.captions import calibration_caption

__all__ = ["render_abc_charts", "MARGINALS_STEM", "PREDICTIVE_STEM"]

MARGINALS_STEM = "abc_marginals"
PREDICTIVE_STEM = "abc_predictive"
BINS = 20
POSTERIOR, PRIOR, POINT, BAND = QUALITATIVE[0], "#999999", QUALITATIVE[3], "#c7e9c0"
WORDS = {
    "marginals": {"en": "Posterior of each calibrated parameter against its prior",
                  "zh": "各校准参数的后验分布与先验分布对比"},
    "predictive": {"en": "Posterior predictive check of each calibration target",
                   "zh": "各校准目标的后验预测检验"},
    "posterior": {"en": "posterior (weighted particles)", "zh": "后验分布（加权粒子）"},
    "prior": {"en": "uniform prior over the declared range", "zh": "声明范围上的均匀先验"},
    "interval": {"en": "90% credible interval", "zh": "90% 可信区间"},
    "point": {"en": "scenario's value (point fit)", "zh": "情景取值（点估计拟合）"},
    "simulated": {"en": "simulated by the posterior's particles", "zh": "后验粒子的模拟值"},
    "target": {"en": "observed target", "zh": "观测目标值"},
    "tolerance": {"en": "tolerance", "zh": "容差范围"},
    "density": {"en": "density", "zh": "概率密度"},
    "share": {"en": "share of weight", "zh": "权重占比"},
    "not_in_distance": {"en": "holds by construction; not in the distance", "zh": "由构造成立，不计入距离"},
    "marginal_note": {"en": "Bars: weighted histogram of the last population's particles; grey: the prior's density; dashed: "
                            "the 5% and 95% quantiles.",
                      "zh": "柱：最后一代粒子的加权直方图；灰线：先验密度；虚线：5% 与 95% 分位数。"},
    "predictive_note": {"en": "Bars: each particle's simulated target (one run, its own seed), weighted; green band: the "
                              "target's tolerance; black line: the observed target.",
                        "zh": "柱：各粒子的模拟目标值（每个粒子一次运行、各自的随机种子），加权；绿色带：目标的容差范围；黑线：观测目标值。"},
}
# a pattern's title by its measure (sim.region.PATTERN_MEASURES), after its label (P1, P2, ...)
MEASURE_TITLES = {
    "talent_stock_end": {"en": "talent stock, end-{year}, persons", "zh": "{year} 年末人才存量（人）"},
    "graduates_employed": {"en": "graduates employed in {year}, persons", "zh": "{year} 年毕业生就业人数（人）"},
    "demands_matched_share": {"en": "share of demands matched, {year}", "zh": "{year} 年揭榜需求对接成功比例"},
    "jobs_per_project": {"en": "jobs per project, Dec {year}", "zh": "{year} 年 12 月每个项目岗位数"},
    "output_per_project": {"en": "output per project, Dec {year}, yuan/year", "zh": "{year} 年 12 月每个项目年产出（元）"},
}
PATTERN_NAME = re.compile(r"(P[0-9]+)_([a-z_]+)_([0-9]{4})")
SERIES_TITLES = {"residents": {"en": "residents, end of {year}, persons", "zh": "{year} 年末常住人口（人）"},
                 "gdp_real_growth": {"en": "real GDP growth in {year}", "zh": "{year} 年地区生产总值实际增速"}}


def target_title(name: str, lang: str) -> str:
    pattern = PATTERN_NAME.fullmatch(name)
    if pattern and pattern[2] in MEASURE_TITLES:
        return f"{pattern[1]} " + MEASURE_TITLES[pattern[2]][lang].format(year=pattern[3])
    series, _, year = name.rpartition("_")
    return SERIES_TITLES[series][lang].format(year=year) if series in SERIES_TITLES else name


def render_abc_charts(result, *, out_dir: Path, lang: str) -> list[Path]:
    """The marginals and predictive charts of ``result`` (a :class:`sim.abc_smc.AbcResult`), PNG and SVG."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    caption = calibration_caption(result.scenario, particles=result.posterior.particles, generations=len(result.populations),
                                  simulations=result.simulations, scale=result.settings["scale"], lang=lang)
    return [*_marginals(result, out_dir=out_dir, lang=lang, caption=caption),
            *_predictive(result, out_dir=out_dir, lang=lang, caption=caption)]


def _grid(n: int, *, most: int) -> tuple[int, int]:
    ncols = min(n, most)
    return -(-n // ncols), ncols


def _marginals(result, *, out_dir: Path, lang: str, caption: str) -> list[Path]:
    posterior = result.posterior
    nrows, ncols = _grid(len(result.priors), most=3)
    title = WORDS["marginals"][lang]
    with styled(lang):
        fig, body = new_figure(2.1 * nrows + 0.7, title, [WORDS["marginal_note"][lang]], caption)
        axes = body.subplots(nrows, ncols, squeeze=False).ravel()
        for j, (ax, prior) in enumerate(zip(axes, result.priors)):
            values = posterior.values[:, j]
            edges = np.linspace(prior.low, prior.high, BINS + 1)
            ax.hist(values, bins=edges, weights=posterior.weights, density=True, color=POSTERIOR, alpha=0.75)
            density = 1 / (prior.high - prior.low)
            ax.plot([prior.low, prior.low, prior.high, prior.high], [0, density, density, 0], color=PRIOR, linewidth=1.2)
            for q in (posterior.quantile(0.05)[prior.name], posterior.quantile(0.95)[prior.name]):
                ax.axvline(q, color=POSTERIOR, linestyle="--", linewidth=0.9)
            point = result.point_values.get(prior.name)
            if point is not None and prior.low <= point <= prior.high:
                ax.axvline(point, color=POINT, linewidth=1.4)
            ax.set_title(prior.short, fontsize=9, loc="left")
            ax.set_yticks([])
            ax.xaxis.set_major_formatter(GroupedFormatter())
            ax.tick_params(axis="x", labelsize=7)
            ax.xaxis.get_major_locator().set_params(nbins=4)
        for ax in axes[len(result.priors):]:
            ax.set_visible(False)
        handles = [Patch(color=POSTERIOR, alpha=0.75), Line2D([], [], color=PRIOR), Line2D([], [], color=POSTERIOR, linestyle="--"),
                   Line2D([], [], color=POINT)]
        legend_below(body, handles, [WORDS[k][lang] for k in ("posterior", "prior", "interval", "point")], ncols=2)
        return save(settled(fig), out_dir, MARGINALS_STEM, title, caption)


def _predictive(result, *, out_dir: Path, lang: str, caption: str) -> list[Path]:
    names = list(result.targets)
    weights = result.posterior.weights
    nrows, ncols = _grid(len(names), most=2)  # target titles are long
    title = WORDS["predictive"][lang]
    with styled(lang):
        fig, body = new_figure(2.1 * nrows + 0.7, title, [WORDS["predictive_note"][lang]], caption)
        axes = body.subplots(nrows, ncols, squeeze=False).ravel()
        for j, (ax, name) in enumerate(zip(axes, names)):
            spec, values = result.targets[name], result.predictive[:, j]
            low, high = float(min(values.min(), spec["low"])), float(max(values.max(), spec["high"]))
            pad = (high - low) * 0.05 or abs(high) * 0.01 or 1.0
            edges = np.linspace(low - pad, high + pad, BINS + 1)
            ax.axvspan(spec["low"], spec["high"], color=BAND, zorder=0)
            ax.hist(values, bins=edges, weights=weights, color=POSTERIOR, alpha=0.75)
            ax.axvline(spec["target"], color="black", linewidth=1.2)
            left_out = not spec["in_distance"]
            ax.set_title(target_title(name, lang) + ("\n" + WORDS["not_in_distance"][lang].strip() if left_out else ""),
                         fontsize=8, loc="left", color=NOTE_COLOUR if left_out else "black")
            ax.xaxis.set_major_formatter(GroupedFormatter())
            ax.tick_params(axis="x", labelsize=7)
            ax.xaxis.get_major_locator().set_params(nbins=4)
            ax.set_yticks([])
        for ax in axes[len(names):]:
            ax.set_visible(False)
        handles = [Patch(color=POSTERIOR, alpha=0.75), Line2D([], [], color="black"), Patch(color=BAND)]
        legend_below(body, handles, [WORDS[k][lang] for k in ("simulated", "target", "tolerance")], ncols=3)
        return save(settled(fig), out_dir, PREDICTIVE_STEM, title, caption)
