"""Charts of one run: talent by cluster and by tier, flows, spending and the city's total talent.

Every chart is written as PNG (300 dpi) and SVG, in Chinese or English. Chinese needs an
installed CJK font; without one the charts fall back to English and say so. Styling is
applied through ``matplotlib.rc_context`` so that importing or calling this module never
changes the caller's matplotlib state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import unicodedata
import warnings
from pathlib import Path
from typing import Iterable

import matplotlib
import matplotlib.colors
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from cycler import cycler
from matplotlib import dates as mdates
from matplotlib import patheffects, ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import ScaledTranslation

__all__ = ["cjk_font_name", "resolve_language", "render_run_charts", "CHART_STEMS", "render_fan_charts", "FAN_STEMS"]

LANGS = ("en", "zh")
CHART_STEMS = ("talent_by_cluster", "talent_by_tier", "flows", "spending", "total_talent")
REST_OF_CITY = "rest_of_city"
FAN_STEMS = ("fan_total", "fan_clusters")
CITY_TOTAL = "city_total"
ALL_TIERS = "all_tiers"
MAX_FAN_POINTS = 8
DPI = 300
WIDTH_IN = 7.0

# ---------------------------------------------------------------- fonts and language

# Simplified-Chinese faces first: the JP/KR/TC faces of the same families draw some shared
# characters (e.g. 关, 直) in shapes a mainland reader finds foreign.
_PREFERRED_CJK = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC",
    "Hiragino Sans GB", "SimHei", "Sarasa Gothic SC", "Droid Sans Fallback",
)
_CJK_MARKERS = (
    "cjk", "wenquanyi", "source han", "noto sans sc", "noto serif sc", "simhei", "simsun",
    "microsoft yahei", "pingfang", "hiragino sans gb", "heiti", "droid sans fallback",
    "ar pl", "sarasa",
)


def cjk_font_name() -> str | None:
    """Name of an installed font family that has CJK glyphs, or None.

    Sans-serif simplified-Chinese families are preferred; any family whose name marks it as
    CJK (Noto CJK, Source Han, WenQuanYi, ...) is accepted otherwise.
    """
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in _PREFERRED_CJK:
        if name in names:
            return name
    candidates = [n for n in names if any(m in n.lower() for m in _CJK_MARKERS)]
    if not candidates:
        return None

    def rank(name: str) -> tuple[int, int, str]:
        low = name.lower()
        return (
            int("serif" in low or "mono" in low),
            int(not any(tag in name for tag in ("SC", "CN", "GB"))),
            name,
        )

    return min(candidates, key=rank)


def resolve_language(lang: str) -> tuple[str, str | None]:
    """The language the charts will use, and a warning when it is not the one asked for.

    ``'zh'`` needs a CJK font; without one the charts fall back to English and the message
    says so. ``'en'`` is always available. Any other value is a ``ValueError``.
    """
    if lang not in LANGS:
        raise ValueError(f"chart language must be one of {', '.join(LANGS)}; got {lang!r}")
    if lang == "en":
        return "en", None
    if cjk_font_name() is not None:
        return "zh", None
    return "en", (
        "no CJK font found (looked for Noto Sans CJK, Source Han Sans, WenQuanYi and similar): "
        "charts use English labels; install one (e.g. `apt-get install fonts-noto-cjk`, or "
        "`make fonts`) to get Chinese labels"
    )


# ---------------------------------------------------------------- words

TIER_LABELS: dict[str, dict[str, str]] = {
    "top": {"en": "Top", "zh": "顶尖人才"},
    "national": {"en": "National", "zh": "国家级人才"},
    "provincial": {"en": "Provincial", "zh": "省级人才"},
    "municipal": {"en": "Municipal", "zh": "市级人才"},
    "skilled": {"en": "Graduates & professionals", "zh": "大学生及专业人才"},
}
HIGH_END_TIERS = ("top", "national", "provincial", "municipal")

INFLOW_LABELS: dict[str, dict[str, str]] = {
    "graduate": {"en": "Graduates", "zh": "高校毕业生"},
    "migrant": {"en": "Talent from elsewhere", "zh": "外地人才"},
    "returnee": {"en": "Returnees", "zh": "返乡人才"},
    "high_end": {"en": "High-end recruitment", "zh": "高端引才"},
    "platform": {"en": "Platform recruitment", "zh": "平台引才"},
    "project": {"en": "Leading-talent projects", "zh": "领军人才项目"},
    "challenge": {"en": "Open challenges", "zh": "揭榜挂帅"},
    "tailored": {"en": "Tailored recruitment", "zh": "定制引才"},
    "internal": {"en": "Moves within the city", "zh": "市内流动"},
}
# Outflows to other cities are named after the city (from the run's labels); these are not.
OUTFLOW_LABELS: dict[str, dict[str, str]] = {
    "retirement": {"en": "Retirement", "zh": "退休"},
    "internal": {"en": "Moves within the city", "zh": "市内流动"},
}
_OUTFLOW_PREFIX = {"en": "to ", "zh": "流向"}
INTERNAL_CHANNEL = "internal"

LEVER_LABELS: dict[str, dict[str, str]] = {
    "housing": {"en": "Talent housing", "zh": "人才安居"},
    "funding": {"en": "Financial support", "zh": "金融支持"},
    "projects": {"en": "Leading-talent projects", "zh": "领军人才项目"},
    "challenges": {"en": "Open challenges", "zh": "揭榜挂帅"},
    "platforms": {"en": "Innovation platforms", "zh": "创新平台"},
    "services": {"en": "Talent services", "zh": "人才服务"},
    "tailored_support": {"en": "Tailored support", "zh": "定制服务"},
    "graduates": {"en": "Graduate subsidies", "zh": "大学生补贴"},
}

TEXT: dict[str, dict[str, str]] = {
    "year": {"en": "Year", "zh": "年份"},
    "stock_k": {"en": "Talent stock (thousand persons)", "zh": "人才数量（千人）"},
    "persons_log": {"en": "Persons (log scale)", "zh": "人数（对数刻度）"},
    "flows_k": {"en": "Thousand persons per year (outflows negative)", "zh": "千人/年（流出为负）"},
    "spending_yi": {"en": "Spending (100 million yuan)", "zh": "支出（亿元）"},
    "title_cluster": {"en": "Talent stock by cluster", "zh": "各产业集群人才数量"},
    "title_tier": {"en": "Talent stock by tier, city total", "zh": "全市分层次人才数量"},
    "panel_skilled": {"en": "Graduates & professionals", "zh": "大学生及专业人才"},
    "panel_high_end": {"en": "High-end talent", "zh": "高层次人才"},
    "title_flows": {"en": "Talent inflows and outflows, city total", "zh": "全市人才流入与流出"},
    "title_spending": {"en": "Spending by policy lever", "zh": "各项人才政策支出"},
    "title_total": {"en": "Total talent stock of the city", "zh": "全市人才总量"},
    "inflows": {"en": "Inflows", "zh": "流入"},
    "outflows": {"en": "Outflows", "zh": "流出"},
    "net": {"en": "Net", "zh": "净流入"},
    "budget": {"en": "Budget", "zh": "预算"},
    "no_data": {"en": "No data in this run", "zh": "本次运行无数据"},
    "rest_note": {
        "en": "{name} (not drawn): {start} thousand persons in {start_month}, {end} thousand in {end_month}.",
        "zh": "{name}（未绘出）：{start_month}{start}千人，{end_month}{end}千人。",
    },
    "internal_note": {
        "en": "Moves between clusters inside the city are left out: they cancel in the city total.",
        "zh": "市内集群间流动未计入：在全市合计中相互抵消。",
    },
    "small_note": {
        "en": "Too small to see at this scale (persons over {period}): {items}.",
        "zh": "以下渠道数量过小，图中难以辨认（{period}合计人数）：{items}。",
    },
    "partial_note": {
        "en": "* Part of a year only ({items}).",
        "zh": "* 非完整年度（{items}）。",
    },
    "partial_item": {"en": "{year}: {months} months", "zh": "{year}年{months}个月"},
    "budget_note": {
        "en": "Black marks: the year's budget, the sum of the levers' monthly shares.",
        "zh": "黑色短线：年度预算（各政策工具月度预算之和）。",
    },
    "start_mark": {"en": "{month} (start)\n{value} thousand", "zh": "{month}（起点）\n{value}千人"},
    "end_mark": {"en": "{month}\n{value} thousand", "zh": "{month}\n{value}千人"},
    "month": {"en": "{m} {y}", "zh": "{y}年{n}月"},
    "period": {"en": "{a}–{b}", "zh": "{a}—{b}年"},
    "list_sep": {"en": ", ", "zh": "，"},
    "title_fan_total": {"en": "Total talent stock of the city across runs", "zh": "全市人才总量（多次运行）"},
    "title_fan_clusters": {"en": "Talent stock by cluster across runs", "zh": "各产业集群人才数量（多次运行）"},
    "median": {"en": "Median", "zh": "中位数"},
    "band_50": {"en": "25–75%", "zh": "25–75% 区间"},
    "band_90": {"en": "5–95%", "zh": "5–95% 区间"},
    "fan_note": {
        "en": "Median, 25–75% and 5–95% bands over {n} runs.",
        "zh": "中位数，25–75% 与 5–95% 区间，共 {n} 次运行。",
    },
    "points_left_out": {
        "en": "The first {shown} of {total} design points are drawn; left out: {items}.",
        "zh": "共 {total} 个设计点，图中绘出前 {shown} 个；未绘出：{items}。",
    },
    "more_items": {"en": "and {n} more", "zh": "等 {n} 个"},
    "one_point_only": {
        "en": "Design point {point} ({label}) only, of {total} in the ensemble.",
        "zh": "仅绘出设计点 {point}（{label}），共 {total} 个设计点。",
    },
    "rest_left_out": {"en": "{name} is not drawn.", "zh": "{name}未绘出。"},
    # scenario comparisons and response curves (sim.compare_charts)
    "title_compare_trajectories": {"en": "Total talent stock of the city by scenario", "zh": "各情景全市人才总量"},
    "title_compare_differences": {
        "en": "Difference to the reference scenario, end of {year}",
        "zh": "各情景与参照情景的人才数量之差（{year}年末）",
    },
    "title_compare_cost": {
        "en": "Additional talent per 100 million yuan spent, end of {year}",
        "zh": "每亿元新增支出带来的新增人才（截至{year}年末）",
    },
    "title_compare_map": {
        "en": "Talent stock by cluster relative to the reference scenario, end of {year}",
        "zh": "各产业集群人才数量相对参照情景的变化（{year}年末）",
    },
    "title_response": {"en": "Response of the city's talent stock to {lever}", "zh": "全市人才总量对{lever}的响应"},
    "reference_tag": {"en": "{name} (reference)", "zh": "{name}（参照情景）"},
    "city_total": {"en": "City total", "zh": "全市合计"},
    "by_cluster": {"en": "By cluster (same scale in every panel)", "zh": "分产业集群（各分图刻度相同）"},
    "diff_persons": {"en": "Difference to the reference (persons)", "zh": "与参照情景之差（人）"},
    "diff_k": {"en": "Difference to the reference (thousand persons)", "zh": "与参照情景之差（千人）"},
    "gain_sure": {"en": "Gain (95% interval above 0)", "zh": "增加（95% 区间在 0 以上）"},
    "loss_sure": {"en": "Loss (95% interval below 0)", "zh": "减少（95% 区间在 0 以下）"},
    "not_sure": {"en": "95% interval includes 0", "zh": "95% 区间包含 0"},
    "ci95": {"en": "95% confidence interval", "zh": "95% 置信区间"},
    "diff_note": {
        "en": "Mean paired difference to “{ref}” over {n} seeds, with its 95% confidence interval.",
        "zh": "与“{ref}”的配对差均值（{n} 个随机种子）及其 95% 置信区间。",
    },
    "no_comparison": {
        "en": "No comparison: “{name}” is the only scenario.",
        "zh": "无可比较的情景：仅有“{name}”一个情景。",
    },
    "no_estimate": {"en": "No estimate (not drawn): {items}.", "zh": "无估计值（未绘出）：{items}。"},
    "item_in": {"en": "{what} in {where}", "zh": "“{where}”中的{what}"},
    "per_100m": {"en": "Additional talent per 100 million yuan (persons)", "zh": "每亿元新增人才（人）"},
    "extra_spending_yi": {"en": "Extra spending (100 million yuan)", "zh": "新增支出（亿元）"},
    "cost_note": {
        "en": "Extra spending: cumulative to the end of {year}, over “{ref}”. Mean with 95% confidence interval; "
              "sorted by talent per 100 million yuan.",
        "zh": "新增支出：截至{year}年末相对“{ref}”的累计支出增量。图中为均值及 95% 置信区间，按每亿元新增人才排序。",
    },
    "interval_cut": {
        "en": "Intervals cut at the edge of the chart (little extra money, so an unsteady ratio): {items}.",
        "zh": "以下情景新增支出很少、比值不稳定，其置信区间在图边截断：{items}。",
    },
    "no_extra_spending": {
        "en": "No extra policy spending over the reference, or no change of policy (not drawn): {items}.",
        "zh": "政策支出未高于参照情景或未调整政策（未绘出）：{items}。",
    },
    "nothing_to_rank": {
        "en": "No scenario spends more than the reference.",
        "zh": "没有情景的支出高于参照情景。",
    },
    "ref_median_key": {"en": "Median of the reference", "zh": "参照情景中位数"},
    "rel_diff_pct": {
        "en": "Difference to the reference (% of its talent stock)",
        "zh": "与参照情景之差（占其人才数量的百分比，%）",
    },
    "node_area": {
        "en": "Circle area: talent stock of the reference at the end of {year} (persons)",
        "zh": "圆面积：参照情景{year}年末人才数量（人）",
    },
    "map_note": {
        "en": "Circles at their districts' approximate centres. Area: talent stock of “{ref}”; colour: mean "
              "difference to it; dark outline: its 95% interval excludes 0. Lines: links between clusters, "
              "wider for stronger links.",
        "zh": "圆点位于所在区县的大致中心。面积：“{ref}”的人才数量；颜色：与之相比的均值差；深色边框："
              "差值的 95% 区间不含 0。连线：产业集群间的关联，越粗关联越强。",
    },
    "spread_note": {
        "en": "Clusters in the same district are drawn slightly apart.",
        "zh": "同一区县的产业集群略微错开绘制。",
    },
    "no_estimate_grey": {"en": "Grey: no estimate.", "zh": "灰色：无估计值。"},
    "panels_left_out": {
        "en": "The first {shown} of {total} scenarios compared are drawn; left out: {items}.",
        "zh": "共 {total} 个对比情景，图中绘出前 {shown} 个；未绘出：{items}。",
    },
    "lon": {"en": "Longitude (°E)", "zh": "经度（°E）"},
    "lat": {"en": "Latitude (°N)", "zh": "纬度（°N）"},
    "year_end": {"en": "End of {year}", "zh": "{year}年末"},
    "marginal_unit": {
        "en": "Additional talent per unit of the lever (persons)",
        "zh": "每单位增量的新增人才（人）",
    },
    "marginal_units": {
        "en": "Additional talent per {n} units of the lever (persons)",
        "zh": "每 {n} 单位增量的新增人才（人）",
    },
    "yi_unit": {"en": "100 million yuan", "zh": "亿元"},
    "with_unit": {"en": "{name} ({unit})", "zh": "{name}（{unit}）"},
    "mean_ci": {"en": "Mean, 95% interval", "zh": "均值及 95% 置信区间"},
    "response_note": {
        "en": "Upper panels: median, 25–75% and 5–95% bands over {n} seeds. Lower panel: mean additional talent "
              "per unit step of the lever between successive values, with 95% confidence interval, drawn midway "
              "between the values; falling values mean diminishing returns.",
        "zh": "上图：中位数及 25–75%、5–95% 区间（{n} 个随机种子）。下图：政策变量相邻取值之间每单位增量带来的"
              "新增人才均值及 95% 置信区间，绘于两取值的中点；数值下降即边际收益递减。",
    },
    "response_spending": {
        "en": "Extra spending at {value} over {first}: {items} (100 million yuan).",
        "zh": "取值 {value} 相对 {first} 的新增支出：{items}（亿元）。",
    },
    "spending_item": {"en": "{amount} to the end of {year}", "zh": "截至{year}年末 {amount}"},
    "single_value": {
        "en": "One lever value only: no marginal effect.",
        "zh": "政策变量仅有一个取值，无法计算边际效应。",
    },
}
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _t(key: str, lang: str, **kw: object) -> str:
    text = TEXT[key][lang]
    return text.format(**kw) if kw else text


def _pick(entry: dict[str, str] | None, lang: str, fallback: str) -> str:
    if not entry:
        return fallback
    return entry.get(lang) or entry.get("en") or fallback


def _name(ident: str, labels: dict[str, dict[str, str]], lang: str) -> str:
    return _pick(labels.get(ident), lang, ident)


def _channel_label(channel: str, direction: str, labels: dict[str, dict[str, str]], lang: str) -> str:
    if direction == "inflow" and channel in INFLOW_LABELS:
        return INFLOW_LABELS[channel][lang]
    if direction == "outflow":
        if channel in OUTFLOW_LABELS:
            return OUTFLOW_LABELS[channel][lang]
        if channel in labels:
            return _OUTFLOW_PREFIX[lang] + _name(channel, labels, lang)
    return _name(channel, labels, lang)


def _lever_label(lever: str, labels: dict[str, dict[str, str]], lang: str) -> str:
    return LEVER_LABELS[lever][lang] if lever in LEVER_LABELS else _name(lever, labels, lang)


def _month_label(day: np.datetime64, lang: str) -> str:
    d = day.astype("datetime64[D]").astype(dt.date)
    return _t("month", lang, m=_MONTH_ABBR[d.month - 1], y=d.year, n=d.month)


# ---------------------------------------------------------------- style

# tab10 without its grey: grey is kept for outflows and notes, so no series looks "inactive".
_QUALITATIVE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf")
_TIER_COLOURS = {"skilled": "#1f77b4", "municipal": "#2ca02c", "provincial": "#ff7f0e", "national": "#9467bd", "top": "#d62728"}
_LINESTYLES = ("-", "--", "-.")
_NOTE_COLOUR = "#555555"
_CAPTION_COLOUR = "#808080"
_FOOT_PT = 8.0

_BASE_RC: dict[str, object] = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.edgecolor": "#444444",
    "axes.linewidth": 0.8,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=list(_QUALITATIVE)),
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8.5,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    # Fixed salt: the same run gives byte-identical SVG files.
    "svg.hashsalt": "talentsim",
}


def _rc(lang: str, cjk: str | None) -> dict[str, object]:
    rc = dict(_BASE_RC)
    if lang == "zh" and cjk:
        rc.update({
            "font.family": "sans-serif",
            "font.sans-serif": [cjk, "DejaVu Sans"],
            # CJK fonts' hyphen-minus sits better with their digits than U+2212 does.
            "axes.unicode_minus": False,
        })
    elif cjk:
        # English charts still draw any Chinese that arrives in a caption or a label.
        rc.update({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", cjk]})
    return rc


def _minus(s: str) -> str:
    return s.replace("-", "\u2212") if matplotlib.rcParams["axes.unicode_minus"] else s


class _GroupedFormatter(ticker.Formatter):
    """Tick labels with thousands separators and only as many decimals as the tick step needs."""

    def __init__(self) -> None:
        self._ticks = np.array([], dtype=float)

    def set_locs(self, locs) -> None:
        self._ticks = np.sort(np.asarray(locs, dtype=float))

    def __call__(self, x: float, pos: int | None = None) -> str:
        steps = np.diff(self._ticks)
        step = float(steps[steps > 0].min()) if (steps > 0).any() else abs(x)
        decimals = max(0, -int(np.floor(np.log10(step)))) if step > 0 else 0
        if abs(x) < 0.5 * 10.0 ** (-decimals):
            return "0"
        return _minus(f"{x:,.{decimals}f}")


def _log_formatter(x: float, pos: int | None = None) -> str:
    return f"{x:,.0f}" if x >= 1 else f"{x:g}"


def _fmt_k(persons: float) -> str:
    k = persons / 1000.0
    return _minus(f"{k:,.0f}" if abs(k) >= 100 else f"{k:,.1f}")


def _text_width_em(text: str) -> float:
    return sum(1.0 if _wide(ch) else 0.56 for ch in text)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


# Closing punctuation stays with the character before it: a line never starts with it.
_NO_LINE_START = set("，。、；：！？）」』》】,.;:!?)")


def _wrap(text: str, width_em: float) -> list[str]:
    """Greedy wrapping: Latin text breaks at spaces, CJK text between any two characters."""
    lines: list[str] = []
    for para in text.split("\n"):
        tokens: list[str] = []
        for ch in para:
            starts_token = (not tokens or _wide(ch) or ch == " " or tokens[-1][-1] == " " or _wide(tokens[-1][-1]))
            if starts_token and not (tokens and ch in _NO_LINE_START):
                tokens.append(ch)
            else:
                tokens[-1] += ch
        line = ""
        for tok in tokens:
            if line.strip() and _text_width_em(line + tok) > width_em:
                lines.append(line.rstrip())
                line = tok.lstrip()
            else:
                line += tok
        lines.append(line.rstrip())
    return lines


def _new_figure(body_in: float, title: str, notes: Iterable[str], caption: str) -> tuple[Figure, SubFigure]:
    """A figure of ``body_in`` inches for the chart and its legend, plus a footer for the notes and the caption.

    The chart lives in a subfigure so that legends placed "outside lower" sit under the axes
    but above the footer, whatever the length of the footer.
    """
    width_em = (WIDTH_IN - 0.25) * 72.0 / _FOOT_PT
    note_lines = [ln for note in notes for ln in _wrap(note, width_em)]
    caption_lines = _wrap(caption, width_em) if caption else []
    line_in = _FOOT_PT * 1.3 * 1.2 / 72.0
    pad_in = 0.06
    foot_in = 2 * pad_in + line_in * (len(note_lines) + len(caption_lines))
    height_in = body_in + foot_in
    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    fig.get_layout_engine().set(h_pad=0.03, w_pad=0.04, hspace=0.0)
    body, _foot = fig.subfigures(2, 1, height_ratios=[body_in, foot_in])
    body.suptitle(title, x=0.012, ha="left", fontsize=11, fontweight="bold")
    y_in = pad_in
    for lines, colour in ((caption_lines, _CAPTION_COLOUR), (note_lines, _NOTE_COLOUR)):
        if lines:
            fig.text(0.012, y_in / height_in, "\n".join(lines), fontsize=_FOOT_PT, color=colour,
                     ha="left", va="bottom", linespacing=1.3)
            y_in += line_in * len(lines)
    return fig, body


def _legend_below(body: SubFigure, handles: list, labels: list[str], *, ncols: int,
                  where: str = "center", title: str | None = None):
    return body.legend(handles, labels, loc=f"outside lower {where}", ncols=ncols, title=title,
                       alignment="left", handlelength=2.2, columnspacing=1.4)


def _year_axis(ax: Axes, dates: np.ndarray, *, max_ticks: int, right_room: float = 0.0) -> None:
    """Year ticks inside the run only (room added on the right for labels gets no ticks)."""
    if not len(dates):
        return
    first, last = dates.min(), dates.max()
    years = np.arange(first.astype("datetime64[Y]"), last.astype("datetime64[Y]") + np.timedelta64(2, "Y"))
    span = len(years)
    base = next(b for b in (1, 2, 5, 10, 20, 50, 100) if span / b <= max_ticks)
    starts = years.astype("datetime64[D]")
    starts = starts[(starts >= first) & (starts <= last)]
    starts = starts[(starts.astype("datetime64[Y]").astype(int) + 1970) % base == 0]
    ax.xaxis.set_major_locator(ticker.FixedLocator(mdates.date2num(starts)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    if span <= 4:
        ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    right = last + np.timedelta64(int(round((last - first).astype(int) * right_room)), "D")
    ax.set_xlim(first, right)


def _no_data(ax: Axes, lang: str) -> None:
    ax.text(0.5, 0.5, _t("no_data", lang), transform=ax.transAxes, ha="center", va="center", color=_NOTE_COLOUR)
    ax.set_xticks([])
    ax.set_yticks([])


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


def _dates(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(col.cast(pa.date32()).to_numpy(zero_copy_only=False), dtype="datetime64[D]")


def _pivot(table: pa.Table, time: str, key: str, value: str) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Sum ``value`` over everything but ``time`` and ``key``: (times, keys in first-seen order, matrix keys × times)."""
    keys = [k for k in pc.unique(table[key]).to_pylist() if k is not None]
    if table.num_rows == 0 or not keys:
        return np.array([], dtype="datetime64[D]" if time == "date" else int), [], np.zeros((0, 0))
    grouped = table.select([time, key, value]).group_by([time, key]).aggregate([(value, "sum")])
    t_raw = grouped[time]
    t_vals = _dates(t_raw) if time == "date" else np.asarray(t_raw.to_numpy(), dtype=int)
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
    days = np.unique(_dates(table["date"]))
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
    items = _t("list_sep", lang).join(_t("partial_item", lang, year=y, months=months[y]) for y in partial)
    return [_t("partial_note", lang, items=items)]


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
        notes.append(_t("rest_note", lang, name=_name(REST_OF_CITY, labels, lang),
                        start=_fmt_k(r_vals[0, 0]), start_month=_month_label(r_dates[0], lang),
                        end=_fmt_k(r_vals[0, -1]), end_month=_month_label(r_dates[-1], lang)))
    fig, body = _new_figure(4.8, _t("title_cluster", lang), notes, caption)
    ax = body.add_subplot()
    if not clusters:
        _no_data(ax, lang)
        return fig
    lines = []
    n = len(_QUALITATIVE)
    for i in range(len(clusters)):
        # Line styles as well as colours, so that neighbours stay apart for colour-blind readers.
        (line,) = ax.plot(dates, values[i] / 1000.0, color=_QUALITATIVE[i % n],
                          linestyle=_LINESTYLES[(i + i // n) % len(_LINESTYLES)])
        lines.append(line)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(_t("stock_k", lang))
    ax.set_xlabel(_t("year", lang))
    ax.yaxis.set_major_formatter(_GroupedFormatter())
    _year_axis(ax, dates, max_ticks=10)
    # Largest cluster first, so the legend reads in the order the lines stack at the end.
    order = np.argsort(-values[:, -1], kind="stable")
    _legend_below(body, [lines[i] for i in order], [_name(clusters[i], labels, lang) for i in order], ncols=3)
    return fig


def _chart_talent_by_tier(stock: pa.Table, labels, lang: str, caption: str) -> Figure:
    dates, tiers, values = _pivot(stock, "date", "tier", "talent_stock")
    fig, body = _new_figure(4.0, _t("title_tier", lang), [], caption)
    ax_s, ax_h = body.subplots(1, 2)
    if not tiers:
        _no_data(ax_s, lang)
        _no_data(ax_h, lang)
        return fig
    index = {t: i for i, t in enumerate(tiers)}
    handles, names = [], []

    if "skilled" in index:
        (line,) = ax_s.plot(dates, values[index["skilled"]] / 1000.0, color=_TIER_COLOURS["skilled"])
        handles.append(line)
        names.append(TIER_LABELS["skilled"][lang])
        ax_s.yaxis.set_major_formatter(_GroupedFormatter())
        _year_axis(ax_s, dates, max_ticks=6)
    else:
        _no_data(ax_s, lang)
    ax_s.set_title(_t("panel_skilled", lang), loc="left")
    ax_s.set_ylabel(_t("stock_k", lang))
    ax_s.set_xlabel(_t("year", lang))

    # Listed from the largest tier down, the order in which the lines lie on the axis.
    high = [t for t in ("municipal", "provincial", "national", "top") if t in index]
    high += [t for t in tiers if t not in TIER_LABELS]
    drawn = []
    for j, tier in enumerate(high):
        series = values[index[tier]]
        if not (series > 0).any():
            continue
        colour = _TIER_COLOURS.get(tier, _QUALITATIVE[(j + 5) % len(_QUALITATIVE)])
        # A log axis cannot show zero; a tier that empties shows as a gap, not a plunge.
        (line,) = ax_h.plot(dates, np.where(series > 0, series, np.nan), color=colour)
        drawn.append(series[series > 0])
        handles.append(line)
        names.append(_pick(TIER_LABELS.get(tier), lang, _name(tier, labels, lang)))
    if drawn:
        # A log axis keeps tens of top talents and thousands of municipal talents readable together.
        ax_h.set_yscale("log")
        ax_h.yaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax_h.yaxis.set_major_formatter(ticker.FuncFormatter(_log_formatter))
        ax_h.yaxis.set_minor_formatter(ticker.NullFormatter())
        lo = min(float(d.min()) for d in drawn)
        hi = max(float(d.max()) for d in drawn)
        ax_h.set_ylim(lo / 1.5, hi * 1.5)
        _year_axis(ax_h, dates, max_ticks=6)
    else:
        _no_data(ax_h, lang)
    ax_h.set_title(_t("panel_high_end", lang), loc="left")
    ax_h.set_ylabel(_t("persons_log", lang))
    ax_h.set_xlabel(_t("year", lang))
    if handles:
        _legend_below(body, handles, names, ncols=len(handles) if lang == "zh" else 3)
    return fig


def _order(keys: list[str], preferred: Iterable[str]) -> list[str]:
    pref = [k for k in preferred if k in keys]
    return pref + sorted(k for k in keys if k not in pref)


def _chart_flows(flows: pa.Table, start: np.datetime64 | None, labels, lang: str, caption: str) -> Figure:
    flows = _after_start(flows, start)
    channel = pc.fill_null(flows["channel"], "")
    city = flows.filter(pc.not_equal(channel, INTERNAL_CHANNEL))
    months = _months_per_year(city)
    notes = [_t("internal_note", lang)]

    groups = {}
    for direction in ("inflow", "outflow"):
        part = _with_year(city.filter(pc.fill_null(pc.equal(city["direction"], direction), False)))
        years, keys, vals = _pivot(part, "year", "channel", "persons")
        groups[direction] = (years, keys, vals)
    all_years = np.union1d(groups["inflow"][0], groups["outflow"][0]).astype(int)

    def aligned(direction: str, preferred: Iterable[str]) -> tuple[list[str], np.ndarray]:
        years, keys, vals = groups[direction]
        out = np.zeros((len(keys), len(all_years)))
        if len(keys):
            out[:, np.searchsorted(all_years, years)] = vals
        order = _order(keys, preferred)
        return order, out[[keys.index(k) for k in order]] if order else out

    in_keys, in_vals = aligned("inflow", INFLOW_LABELS)
    # destinations in the region's own order (the order of its labels), then retirement and the rest
    written = set(city.filter(pc.fill_null(pc.equal(city["direction"], "outflow"), False))["channel"].to_pylist())
    out_order = [k for k in labels if k in written] + [k for k in OUTFLOW_LABELS if k in written]
    out_order += sorted(written - set(out_order))
    out_keys, out_vals = aligned("outflow", out_order)
    keep_in = [i for i, _ in enumerate(in_keys) if np.abs(in_vals[i]).sum() > 0]
    keep_out = [i for i, _ in enumerate(out_keys) if np.abs(out_vals[i]).sum() > 0]

    span = (in_vals.clip(min=0).sum(axis=0).max(initial=0) + out_vals.clip(min=0).sum(axis=0).max(initial=0))
    small = []
    for keys, vals, direction, keep in ((in_keys, in_vals, "inflow", keep_in), (out_keys, out_vals, "outflow", keep_out)):
        for i in keep:
            if span > 0 and np.abs(vals[i]).max() < 0.01 * span:
                small.append(f"{_channel_label(keys[i], direction, labels, lang)}\u00a0{_minus(f'{vals[i].sum():,.0f}')}")
    if small and len(all_years):
        period = _t("period", lang, a=int(all_years.min()), b=int(all_years.max()))
        notes.append(_t("small_note", lang, period=period, items=_t("list_sep", lang).join(small)))
    notes += _partial_note(all_years, months, lang)

    fig, body = _new_figure(4.9, _t("title_flows", lang), notes, caption)
    ax = body.add_subplot()
    if not len(all_years) or not (keep_in or keep_out):
        _no_data(ax, lang)
        return fig
    x = all_years.astype(float)
    in_colours = _colours(in_keys, INFLOW_LABELS, _QUALITATIVE)
    # Outflows in greys: one family below the axis, set apart from the coloured inflows.
    out_colours = _colours(out_keys, out_order, _grey_ramp(len(out_order)))
    _stack(ax, x, in_vals[keep_in] / 1000.0, [in_colours[i] for i in keep_in], +1.0)
    _stack(ax, x, out_vals[keep_out] / 1000.0, [out_colours[i] for i in keep_out], -1.0)
    net = (in_vals.sum(axis=0) - out_vals.sum(axis=0)) / 1000.0
    ax.axhline(0, color="#222222", linewidth=0.8, zorder=3)
    halo = [patheffects.withStroke(linewidth=3.0, foreground="white")]
    ax.plot(x, net, color="black", linewidth=1.4, marker="o", markersize=3.5, markerfacecolor="white",
            markeredgewidth=1.0, zorder=4, path_effects=halo)
    # The net line is labelled past the last bar rather than in a legend; the x-axis is widened
    # by as many years as the label needs at this figure width.
    label = _t("net", lang)
    label_in = _text_width_em(label) * 8.0 * 1.1 / 72.0 + 0.05
    inch_per_year = 6.2 / (len(x) + 2.0)
    ax.text(x[-1] + 0.42, net[-1], label, va="center", ha="left", fontsize=8, fontweight="bold", zorder=5,
            path_effects=halo)
    _year_ticks(ax, all_years, months)
    ax.set_xlim(x.min() - 0.6, x.max() + 0.42 + label_in / inch_per_year + 0.1)
    ax.set_ylabel(_t("flows_k", lang))
    ax.set_xlabel(_t("year", lang))
    ax.yaxis.set_major_formatter(_GroupedFormatter())
    in_items = [(Patch(facecolor=in_colours[i]), _channel_label(in_keys[i], "inflow", labels, lang)) for i in keep_in]
    out_items = [(Patch(facecolor=out_colours[i], edgecolor="#bbbbbb", linewidth=0.4),
                  _channel_label(out_keys[i], "outflow", labels, lang)) for i in keep_out]
    # Both legends get the same number of rows so that their titles line up.
    rows = max(-(-len(in_items) // 2), -(-len(out_items) // 2))
    for items, where, title in ((in_items, "left", "inflows"), (out_items, "right", "outflows")):
        if not items:
            continue
        ncols = 2 if len(items) > rows else 1
        items = items + [(Patch(visible=False), "")] * (ncols * rows - len(items))
        _legend_below(body, [h for h, _ in items], [n for _, n in items], ncols=ncols,
                      where=where, title=_t(title, lang))
    return fig


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
    notes = [_t("budget_note", lang)] if budget is not None else []
    notes += _partial_note(years, months, lang)
    fig, body = _new_figure(4.6, _t("title_spending", lang), notes, caption)
    ax = body.add_subplot()
    if not levers or not len(years):
        _no_data(ax, lang)
        return fig
    order = _order(levers, LEVER_LABELS)
    idx = [levers.index(k) for k in order]
    colours = _colours(order, LEVER_LABELS, _QUALITATIVE)
    x = years.astype(float)
    _stack(ax, x, vals[idx] / 1e8, colours, +1.0)
    handles: list = [Patch(facecolor=c) for c in colours]
    names = [_lever_label(k, labels, lang) for k in order]
    if budget is not None:
        # A white halo keeps the mark visible where spending runs past the budget.
        ax.hlines(budget / 1e8, x - 0.42, x + 0.42, colors="black", linewidth=2.0, zorder=4,
                  path_effects=[patheffects.withStroke(linewidth=3.6, foreground="white")])
        handles.append(Line2D([], [], color="black", linewidth=2.0))
        names.append(_t("budget", lang))
    _year_ticks(ax, years, months)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(_t("spending_yi", lang))
    ax.set_xlabel(_t("year", lang))
    ax.yaxis.set_major_formatter(_GroupedFormatter())
    _legend_below(body, handles, names, ncols=3)
    return fig


def _chart_total(stock: pa.Table, labels, lang: str, caption: str) -> Figure:
    dates, _, values = _pivot(stock.append_column("all", pa.array(["all"] * stock.num_rows, pa.string())),
                              "date", "all", "talent_stock")
    fig, body = _new_figure(3.6, _t("title_total", lang), [], caption)
    ax = body.add_subplot()
    if not len(dates):
        _no_data(ax, lang)
        return fig
    total = values[0]
    ax.plot(dates, total / 1000.0, color=_QUALITATIVE[0])
    ax.plot(dates[:1], total[:1] / 1000.0, linestyle="none", marker="o", markersize=6, color="black", zorder=4,
            clip_on=False)
    ax.plot(dates[-1:], total[-1:] / 1000.0, linestyle="none", marker="o", markersize=4.5,
            color=_QUALITATIVE[0], zorder=4, clip_on=False)
    lo, hi = float(total.min()) / 1000.0, float(total.max()) / 1000.0
    pad = max((hi - lo) * 0.3, hi * 0.01, 1e-9)
    # The start label spans about a quarter of the axis: it goes above or below the line over
    # that stretch, whichever side has more room, so that the line never runs through it.
    near = total[dates <= dates[0] + (dates[-1] - dates[0]) * 0.28] / 1000.0
    room_below, room_above = near.min() - (lo - pad), (hi + pad) - near.max()
    need = 0.45 * (hi - lo + 2 * pad) / 2.8  # two 8 pt lines and the gap, over an axis about 2.8 in tall
    below = room_below >= need or room_below >= room_above
    shift = ScaledTranslation(9 / 72, (-6 if below else 6) / 72, fig.dpi_scale_trans)
    ax.annotate(_t("start_mark", lang, month=_month_label(dates[0], lang), value=_fmt_k(total[0])),
                (dates[0], total[0] / 1000.0), xytext=(dates[0], near.min() if below else near.max()),
                textcoords=ax.transData + shift, ha="left", va="top" if below else "bottom", fontsize=8,
                arrowprops={"arrowstyle": "-", "color": _NOTE_COLOUR, "linewidth": 0.6, "shrinkA": 1, "shrinkB": 4})
    if len(dates) > 1:
        ax.annotate(_t("end_mark", lang, month=_month_label(dates[-1], lang), value=_fmt_k(total[-1])),
                    (dates[-1], total[-1] / 1000.0), xytext=(7, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=8)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_ylabel(_t("stock_k", lang))
    ax.set_xlabel(_t("year", lang))
    ax.yaxis.set_major_formatter(_GroupedFormatter())
    _year_axis(ax, dates, max_ticks=10, right_room=0.18 if len(dates) > 1 else 0.0)
    return fig


# ---------------------------------------------------------------- ensemble fan charts

_FAN_COLUMNS = ("point", "point_label", "date", "cluster", "tier", "n_runs", "p05", "p25", "median", "p75", "p95")
_FAN_STATS = ("p05", "p25", "median", "p75", "p95")
# Band opacities: one fan alone can be strong; several must stay readable where they overlap.
_FAN_ALPHA_ONE = (0.18, 0.42)
_FAN_ALPHA_MANY = (0.10, 0.26)


def _fan_checked(summary: pa.Table) -> None:
    missing = [c for c in _FAN_COLUMNS if c not in summary.column_names]
    if missing:
        raise ValueError(f"cannot draw the fan charts: the summary lacks column(s) {', '.join(missing)}")


def _equal(table: pa.Table, column: str, value: object) -> pa.ChunkedArray:
    return pc.fill_null(pc.equal(table[column], value), False)


def _fan_points(table: pa.Table) -> tuple[list[int], dict[int, str]]:
    """Design points in index order, each with its label (the index itself when the label is missing)."""
    names: dict[int, str] = {}
    for point, label in zip(table["point"].to_pylist(), table["point_label"].to_pylist()):
        if point is not None and (point not in names or not names[point]):
            names[point] = label or ""
    points = sorted(names)
    return points, {p: names[p] or str(p) for p in points}


def _fan_series(table: pa.Table) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Dates in order and each statistic in thousand persons; a repeated date keeps its first row."""
    if table.num_rows == 0:
        return np.array([], dtype="datetime64[D]"), {s: np.array([]) for s in _FAN_STATS}
    dates = _dates(table["date"])
    order = np.argsort(dates, kind="stable")
    dates, first = np.unique(dates[order], return_index=True)
    rows = order[first]
    stats = {}
    for s in _FAN_STATS:
        values = np.asarray(table[s].cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
        stats[s] = values[rows] / 1000.0
    return dates, stats


def _runs_text(table: pa.Table) -> str:
    runs = [n for n in table["n_runs"].to_pylist() if n is not None]
    if not runs:
        return "0"
    lo, hi = min(runs), max(runs)
    return f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"


def _draw_fan(ax: Axes, dates: np.ndarray, stats: dict[str, np.ndarray], colour: str,
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


def _legend_columns(names: list[str], *, handle_em: float = 2.2, spacing_em: float = 1.4) -> int:
    """As many legend columns as the longest name leaves room for across the figure."""
    avail_em = (WIDTH_IN - 0.3) * 72.0 / float(_BASE_RC["legend.fontsize"])
    need_em = max(_text_width_em(n) for n in names) + handle_em + spacing_em + 0.8
    return max(1, min(len(names), int(avail_em // need_em)))


def _band_key(body: SubFigure, handles: tuple[Line2D, Patch, Patch], lang: str) -> None:
    _legend_below(body, list(handles), [_t("median", lang), _t("band_50", lang), _t("band_90", lang)], ncols=3)


def _chart_fan_total(summary: pa.Table, lang: str, caption: str, *, title: str | None = None,
                     names: dict[int, str] | None = None, max_points: int = MAX_FAN_POINTS) -> Figure:
    """One fan per design point; ``names`` (by point) replace the points' labels, e.g. with scenario titles."""
    total = summary.filter(pc.and_(_equal(summary, "cluster", CITY_TOTAL), _equal(summary, "tier", ALL_TIERS)))
    points, point_names = _fan_points(total)
    point_names = {p: (names or {}).get(p) or n for p, n in point_names.items()}
    drawn = points[:max_points]
    used = total.filter(pc.is_in(total["point"], pa.array(drawn, pa.int64()))) if drawn else total
    notes = [_t("fan_note", lang, n=_runs_text(used))]
    if len(points) > len(drawn):
        left = [point_names[p] for p in points[len(drawn):]]
        items = left[:5] + ([_t("more_items", lang, n=len(left) - 5)] if len(left) > 5 else [])
        notes.append(_t("points_left_out", lang, shown=len(drawn), total=len(points),
                        items=_t("list_sep", lang).join(items)))
    fig, body = _new_figure(4.2, title or _t("title_fan_total", lang), notes, caption)
    ax = body.add_subplot()
    series = [(p, *_fan_series(used.filter(_equal(used, "point", p)))) for p in drawn]
    series = [(p, d, s) for p, d, s in series if len(d)]
    if not series:
        _no_data(ax, lang)
        return fig
    many = len(series) > 1
    # Band edges help tell two or three fans apart; with more they only add clutter.
    outline = 1 < len(series) <= 3
    keys = []
    for i, (p, dates, stats) in enumerate(series):
        colour = _QUALITATIVE[i % len(_QUALITATIVE)]
        keys.append(_draw_fan(ax, dates, stats, colour, _FAN_ALPHA_MANY if many else _FAN_ALPHA_ONE, outline=outline))
    all_dates = np.unique(np.concatenate([d for _, d, _ in series]))
    ax.set_ylabel(_t("stock_k", lang))
    ax.set_xlabel(_t("year", lang))
    ax.yaxis.set_major_formatter(_GroupedFormatter())
    _year_axis(ax, all_dates, max_ticks=10)
    if many:
        names = [point_names[p] for p, _, _ in series]
        # Each point's key is its inner band with its median drawn across it.
        _legend_below(body, [(band, median) for median, band, _ in keys], names, ncols=_legend_columns(names))
    else:
        _band_key(body, keys[0], lang)
    return fig


def _label_lowest_panels(axes, *, n_panels: int, ncols: int, xlabel: str | None) -> None:
    """Tick labels (and the axis label) under the lowest drawn panel of each column of a shared-x grid.

    Also where an empty slot is under it; per-column labels because a figure-wide one would collide
    with the legend below.
    """
    for i, ax in enumerate(axes[:n_panels]):
        if i + ncols >= n_panels:
            ax.xaxis.set_tick_params(labelbottom=True)
            if xlabel:
                ax.set_xlabel(xlabel)


def _chart_fan_clusters(summary: pa.Table, labels, lang: str, caption: str) -> Figure:
    tiers = summary.filter(_equal(summary, "tier", ALL_TIERS))
    points, point_names = _fan_points(tiers)
    if points:
        tiers = tiers.filter(_equal(tiers, "point", points[0]))
    clusters = [c for c in dict.fromkeys(tiers["cluster"].to_pylist()) if c not in (None, REST_OF_CITY, CITY_TOTAL)]
    panels = tiers.filter(pc.is_in(tiers["cluster"], pa.array(clusters, pa.string()))) if clusters else tiers
    notes = [_t("fan_note", lang, n=_runs_text(panels))]
    if len(points) > 1:
        notes.append(_t("one_point_only", lang, point=points[0], label=point_names[points[0]], total=len(points)))
    if pc.any(_equal(tiers, "cluster", REST_OF_CITY)).as_py():
        notes.append(_t("rest_left_out", lang, name=_name(REST_OF_CITY, labels, lang)))

    ncols = min(3, max(1, len(clusters)))
    nrows = max(1, -(-len(clusters) // 3))
    fig, body = _new_figure(1.05 + 1.75 * nrows, _t("title_fan_clusters", lang), notes, caption)
    if not clusters:
        _no_data(body.add_subplot(), lang)
        return fig
    axes = body.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
    # The panel less its y tick labels: a longer title would run into the next panel.
    panel_em = ((WIDTH_IN - 0.5) / ncols - 0.35) * 72.0 / float(_BASE_RC["axes.titlesize"])
    key = None
    for i, ax in enumerate(axes):
        if i >= len(clusters):
            ax.remove()
            continue
        dates, stats = _fan_series(panels.filter(_equal(panels, "cluster", clusters[i])))
        ax.set_title("\n".join(_wrap(_name(clusters[i], labels, lang), panel_em)), loc="left")
        if not len(dates):
            _no_data(ax, lang)
            continue
        key = _draw_fan(ax, dates, stats, _QUALITATIVE[0], _FAN_ALPHA_ONE)
        ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
        ax.yaxis.set_major_formatter(_GroupedFormatter())
        _year_axis(ax, dates, max_ticks=5)
    _label_lowest_panels(axes, n_panels=len(clusters), ncols=ncols, xlabel=_t("year", lang))
    body.supylabel(_t("stock_k", lang), fontsize=_BASE_RC["axes.labelsize"])
    if key is not None:
        _band_key(body, key, lang)
    return fig


# ---------------------------------------------------------------- writing

def _save(fig: Figure, out_dir: Path, stem: str, title: str, caption: str) -> list[Path]:
    """PNG and SVG, each written to a temporary file beside its target and then renamed over it."""
    written = []
    for ext in ("png", "svg"):
        final = out_dir / f"{stem}.{ext}"
        metadata: dict[str, str | None] = {"Title": title, "Description": caption}
        if ext == "svg":
            metadata["Date"] = None  # reproducible files
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=f".{stem}.", suffix=f".{ext}.tmp", delete=False) as tmp:
            tmp_path = Path(tmp.name)
        try:
            fig.savefig(tmp_path, format=ext, dpi=DPI, metadata=metadata)
            # NamedTemporaryFile creates 0600; charts are for sharing.
            os.chmod(tmp_path, 0o644)
            os.replace(tmp_path, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
            raise
        written.append(final)
    return written


def render_run_charts(*, tables: dict[str, pa.Table], labels: dict[str, dict[str, str]], out_dir: Path,
                      lang: str, caption: str) -> list[Path]:
    """Write the run's charts as PNG (300 dpi) and SVG into ``out_dir``; return the written paths, sorted.

    ``tables`` needs ``talent_stock``, ``talent_flows`` and ``spending`` (long format, as the
    model writes them); ``labels`` maps cluster, district and city ids to ``{"en": ..., "zh": ...}``.
    ``lang`` is ``'zh'`` or ``'en'``; ``'zh'`` without a CJK font falls back to English with a
    warning (see :func:`resolve_language`). The file stems are :data:`CHART_STEMS`.
    """
    used, message = resolve_language(lang)
    if message:
        warnings.warn(message, UserWarning, stacklevel=2)
    _checked(tables)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = labels or {}
    caption = caption or ""
    stock = tables["talent_stock"]
    start = _dates(stock["date"]).min() if stock.num_rows else None

    builders = {
        "talent_by_cluster": lambda: _chart_talent_by_cluster(stock, labels, used, caption),
        "talent_by_tier": lambda: _chart_talent_by_tier(stock, labels, used, caption),
        "flows": lambda: _chart_flows(tables["talent_flows"], start, labels, used, caption),
        "spending": lambda: _chart_spending(tables["spending"], start, labels, used, caption),
        "total_talent": lambda: _chart_total(stock, labels, used, caption),
    }
    written: list[Path] = []
    with matplotlib.rc_context(_rc(used, cjk_font_name())):
        for stem in CHART_STEMS:
            fig = builders[stem]()
            title = fig.get_suptitle() or stem
            written += _save(fig, out_dir, stem, title, caption)
    return sorted(written)


def render_fan_charts(*, summary: pa.Table, labels: dict[str, dict[str, str]], out_dir: Path, lang: str,
                      caption: str) -> list[Path]:
    """Fan charts of an ensemble: city total, and one small-multiple panel per cluster; PNG (300 dpi) + SVG, atomically; returns sorted paths.

    ``summary`` has one row per design point, date, cluster and tier with the columns ``point``,
    ``point_label``, ``date``, ``cluster``, ``tier``, ``n_runs``, ``median``, ``p05``, ``p25``,
    ``p75`` and ``p95`` (persons); ``cluster`` includes ``"city_total"`` and ``tier`` includes
    ``"all_tiers"``. ``fan_total`` draws one fan per design point (at most
    :data:`MAX_FAN_POINTS`); ``fan_clusters`` draws the first design point only. ``labels`` and
    ``lang`` work as in :func:`render_run_charts`. The file stems are :data:`FAN_STEMS`.
    """
    used, message = resolve_language(lang)
    if message:
        warnings.warn(message, UserWarning, stacklevel=2)
    _fan_checked(summary)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = labels or {}
    caption = caption or ""

    builders = {
        "fan_total": (lambda: _chart_fan_total(summary, used, caption), "title_fan_total"),
        "fan_clusters": (lambda: _chart_fan_clusters(summary, labels, used, caption), "title_fan_clusters"),
    }
    written: list[Path] = []
    with matplotlib.rc_context(_rc(used, cjk_font_name())):
        for stem in FAN_STEMS:
            build, title_key = builders[stem]
            written += _save(build(), out_dir, stem, _t(title_key, used), caption)
    return sorted(written)
