"""The chart of a budget optimisation: what each trial spent against what it achieved, the front of the best
trade-offs, and the best settings re-evaluated on fresh seeds beside the base scenario, with 95% intervals.

Its words are in :data:`WORDS` (English and Chinese), filled by keyword as in :mod:`sim.charts.text`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
from matplotlib import ticker
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.charts.style import (
    NOTE_COLOUR, QUALITATIVE, GroupedFormatter, chart_language, legend_below, legend_columns, new_figure, save, settled, styled,
    wrapped_title,
)
from sim.charts.tables import MIN_BAND_RUNS
from sim.charts.text import tr

__all__ = ["render_pareto_chart", "WORDS", "FAMILY_WORDS"]

_TRIAL, _FRONT, _BEST, _FRESH, _BASE, _OVER = "#b5b5b5", QUALITATIVE[0], QUALITATIVE[3], QUALITATIVE[1], "#222222", QUALITATIVE[3]
YUAN_PER_AXIS_UNIT = 1e8           # spending in 100 million yuan (亿元)

FAMILY_WORDS = {
    "housing": {"en": "talent housing", "zh": "人才住房"}, "funding": {"en": "finance", "zh": "金融支持"},
    "projects": {"en": "leading-talent projects", "zh": "领军人才项目"}, "challenges": {"en": "open challenges", "zh": "揭榜挂帅"},
    "platforms": {"en": "research platforms", "zh": "创新平台"}, "services": {"en": "public services", "zh": "公共服务"},
    "tailored_support": {"en": "tailored recruitment", "zh": "定制引才"}, "graduates": {"en": "graduate allowances", "zh": "高校毕业生补贴"},
    "skills": {"en": "skills upgrading", "zh": "技能提升"},
}
WORDS = {
    "title": {"en": "Spending against {objective}: {n} settings of {families} within {envelope} a year",
              "zh": "支出与{objective}：年度预算{envelope}内{families}的 {n} 种设置"},
    "talent_2035": {"en": "city talent at the end of 2035", "zh": "2035 年末全市人才总量"},
    "coordination_2035": {"en": "coupling coordination in 2035", "zh": "2035 年产才耦合协调度"},
    "talent_axis": {"en": "Talent, end of 2035 (persons)", "zh": "2035 年末人才（人）"},
    "coordination_axis": {"en": "Coupling coordination degree D, 2035", "zh": "2035 年耦合协调度 D"},
    "spending_axis": {"en": "Government spending on all levers, mean per year from {year} (100 million yuan)",
                      "zh": "{year} 年起各项政策年均财政支出（亿元）"},
    "envelope": {"en": "{value} bn yuan", "zh": "{value} 亿元"},
    "trial": {"en": "trial (mean over the search seeds, n = {n})", "zh": "试验（搜索种子均值，n = {n}）"},
    "trial_no": {"en": "#{n}", "zh": "#{n}"},
    "front": {"en": "front: no trial spends less and achieves more", "zh": "前沿：没有试验支出更少而效果更好"},
    "best": {"en": "best within the budget", "zh": "预算内最优"},
    "fresh": {"en": "re-evaluated on {n} fresh seeds, 95% interval", "zh": "以 {n} 个新种子重新评估（95% 区间）"},
    "base": {"en": "base scenario, same fresh seeds", "zh": "基准情景（相同新种子）"},
    "budget_line": {"en": "budget: {value} a year", "zh": "预算：每年 {value}"},
    "over": {"en": "over budget (infeasible)", "zh": "超出预算（不可行）"},
    "note_method": {"en": "Each grey point is one trial: lever settings from {start} on, run with the same seeds as every other "
                          "trial (n = {n}); #k marks trial k. Every setting is fitted within the budget before it runs (the sum of the levers' annual budgets; "
                          "the government never spends more on a lever in a year than its budget), and trials whose budgets or "
                          "realised spending exceed it are never chosen. Spending lies below the budget line where levers leave "
                          "part of their budgets unspent. Search values favour trials that were lucky with the search seeds; "
                          "the re-evaluated points do not.",
                    "zh": "每个灰点为一次试验：{start} 起的政策设置，与其他试验使用相同的随机种子（n = {n}）；#k 表示第 k 次试验。每种设置运行前均纳入预算"
                          "（各项政策年度预算之和；政府每年对某项政策的支出不超过其预算），预算或实际支出超出者不会被选为最优。"
                          "若部分政策未用完预算，实际支出低于预算线。搜索值偏向恰好受益于搜索种子的试验，重新评估的点则不然。"},
    "note_holds": {"en": "Intervals: seed variation only.", "zh": "区间：仅随机种子差异。"},
}


def _w(key: str, lang: str, **fields: object) -> str:
    return WORDS[key][lang].format(**fields)


def family_list(families: Sequence[str], lang: str) -> str:
    names = [FAMILY_WORDS[f][lang] for f in families]
    return "、".join(names) if lang == "zh" else ", ".join(names)


def envelope_words(envelope_yuan: float, lang: str) -> str:
    return _w("envelope", lang, value=f"{envelope_yuan / 1e9:,.3g}" if lang == "en" else f"{envelope_yuan / 1e8:,.4g}")


def render_pareto_chart(*, trials: list[dict[str, Any]], evaluation: list[dict[str, Any]] | None, objective: str, outcome: str,
                        families: Sequence[str], envelope_yuan: float, start: str, search_seeds: int, out_dir: Path, lang: str,
                        caption: str) -> list[Path]:
    """``optimise_pareto`` as PNG (300 dpi) and SVG; sorted paths."""
    used = chart_language(lang)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with styled(used):
        fig = settled(_chart(trials=trials, evaluation=evaluation, objective=objective, outcome=outcome, families=families,
                             envelope_yuan=envelope_yuan, start=start, search_seeds=search_seeds, lang=used, caption=caption))
        return sorted(save(fig, out_dir, "optimise_pareto", fig.subfigs[0].get_suptitle().replace("\n", " "), caption))


def _chart(*, trials: list[dict[str, Any]], evaluation: list[dict[str, Any]] | None, objective: str, outcome: str,
           families: Sequence[str], envelope_yuan: float, start: str, search_seeds: int, lang: str, caption: str) -> Figure:
    done = [t for t in trials if t["objective_value"] is not None and t["spending_yuan_per_year"] is not None]
    notes = [_w("note_method", lang, start=start, n=search_seeds)]
    fresh_n = 0
    if evaluation:
        fresh_n = int(evaluation[0]["n_seeds"])
        notes.append(_w("note_holds", lang) + (" " + tr("few_runs_interval", lang, n=fresh_n) if fresh_n < MIN_BAND_RUNS else ""))
    title = _w("title", lang, objective=_w(objective, lang), n=len(done), families=family_list(families, lang),
               envelope=envelope_words(envelope_yuan, lang))
    fig, body = new_figure(4.6, wrapped_title(title), notes, caption)
    ax = body.add_subplot(1, 1, 1)
    x = np.array([t["spending_yuan_per_year"] for t in done]) / YUAN_PER_AXIS_UNIT
    y = np.array([t["objective_value"] for t in done])
    ok = np.array([bool(t["feasible"]) for t in done], dtype=bool)
    front = np.array([bool(t["pareto"]) for t in done], dtype=bool)
    best = np.array([bool(t["best"]) for t in done], dtype=bool)
    handles, labels = [], []
    ax.scatter(x[ok], y[ok], s=12, color=_TRIAL, edgecolors="none", zorder=2)
    handles.append(Line2D([], [], color=_TRIAL, marker="o", linestyle="none", markersize=4))
    labels.append(_w("trial", lang, n=search_seeds))
    if (~ok).any():
        ax.scatter(x[~ok], y[~ok], s=16, marker="x", color=_OVER, linewidths=0.9, zorder=2)
        handles.append(Line2D([], [], color=_OVER, marker="x", linestyle="none", markersize=4))
        labels.append(_w("over", lang))
    if front.any():
        order = np.argsort(x[front])
        ax.plot(x[front][order], y[front][order], color=_FRONT, marker="o", markersize=3.5, linewidth=1.2, zorder=3)
        handles.append(Line2D([], [], color=_FRONT, marker="o", markersize=3.5, linewidth=1.2))
        labels.append(_w("front", lang))
    if best.any():
        ax.scatter(x[best], y[best], s=90, facecolors="none", edgecolors=_BEST, linewidths=1.5, zorder=4)
        handles.append(Line2D([], [], color=_BEST, marker="o", markerfacecolor="none", linestyle="none", markersize=8))
        labels.append(_w("best", lang))
    if evaluation:
        _fresh_points(ax, evaluation, outcome=outcome, handles=handles, labels=labels, lang=lang, n=fresh_n)
    limit = envelope_yuan / YUAN_PER_AXIS_UNIT
    ax.axvline(limit, color=NOTE_COLOUR, linestyle="--", linewidth=0.9, zorder=1)
    handles.append(Line2D([], [], color=NOTE_COLOUR, linestyle="--", linewidth=0.9))
    labels.append(_w("budget_line", lang, value=envelope_words(envelope_yuan, lang)))
    ax.set_xlim(left=0, right=max(limit, float(x.max()) if len(x) else limit) * 1.06)
    ax.xaxis.set_major_formatter(GroupedFormatter())
    ax.yaxis.set_major_formatter(GroupedFormatter() if objective == "talent_2035" else ticker.FormatStrFormatter("%.3f"))
    ax.set_xlabel(_w("spending_axis", lang, year=start[:4]))
    ax.set_ylabel(_w("talent_axis" if objective == "talent_2035" else "coordination_axis", lang))
    legend_below(body, handles, labels, ncols=min(2, legend_columns(labels)))
    return fig


def _fresh_points(ax: Any, evaluation: list[dict[str, Any]], *, outcome: str, handles: list, labels: list, lang: str, n: int) -> None:
    """The re-evaluated settings and the base at the fresh seeds: mean spending against the mean objective, with the
    objective's 95% interval."""
    by_trial: dict[int, dict[str, dict[str, Any]]] = {}
    for row in evaluation:
        by_trial.setdefault(row["trial"], {})[row["outcome"]] = row
    for i, (trial, rows) in enumerate(sorted(by_trial.items())):
        value, spent = rows[outcome], rows["spending_yuan_per_year"]
        is_base = value["role"] == "base"
        colour = _BASE if is_base else _FRESH
        low, high = value["ci_low"], value["ci_high"]
        err = None if low is None or np.isnan(low) else [[value["mean"] - low], [high - value["mean"]]]
        ax.errorbar([spent["mean"] / YUAN_PER_AXIS_UNIT], [value["mean"]], yerr=err, color=colour, marker="D" if is_base else "s",
                    markersize=4.5, linewidth=1.1, capsize=2.5, zorder=5, linestyle="none")
        if not is_base:
            ax.annotate(_w("trial_no", lang, n=trial), (spent["mean"] / YUAN_PER_AXIS_UNIT, value["mean"]), xytext=(5, 3 if i % 2 else -10),
                        textcoords="offset points", fontsize=7.5, color=colour, zorder=6)
    handles.append(Line2D([], [], color=_FRESH, marker="s", markersize=4.5, linestyle="none"))
    labels.append(_w("fresh", lang, n=n))
    handles.append(Line2D([], [], color=_BASE, marker="D", markersize=4.5, linestyle="none"))
    labels.append(_w("base", lang))
