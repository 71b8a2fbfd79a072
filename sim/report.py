"""A comparison as a report to hand over: one HTML file in one language, with its charts inside and no code.

Every word comes from :mod:`sim.report_text` or, for names, from the scenario and region files in the report's
language, so a Chinese report is Chinese throughout and an English one English. The report names no file of
the machine it was made on, and it is written atomically beside the comparison's tables.
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from sim.report_text import say

__all__ = ["ReportInput", "report_html", "write_comparison_report", "REPORT_CHARTS"]

# The comparison's charts in the order the report shows them, with the words that introduce each.
REPORT_CHARTS = (("compare_trajectories", "fig_trajectories"), ("compare_differences", "fig_differences"),
                 ("compare_cost_effectiveness", "fig_cost"), ("compare_map", "fig_map"))
CITY_TOTAL = "city_total"
MIN_RUNS = 10  # as the charts: intervals from fewer runs are called indicative

_STYLE = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       "Helvetica Neue", Arial, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a;
       line-height: 1.6; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.92rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th { background: #f6f6f6; }
figure { margin: 1.2rem 0; }
figure img { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.92rem; margin-top: 0.3rem; }
footer { color: #777; font-size: 0.85rem; margin-top: 2.5rem; }
"""


@dataclass(frozen=True)
class ReportInput:
    """What a report reads: the comparison table, the scenarios compared (the reference first), their region and
    the folder of the comparison's charts (PNG), drawn in the report's language."""

    table: list[dict]
    scenarios: Sequence
    region: object
    charts: Path
    scale: int


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _name(entry: object, lang: str, fallback: str) -> str:
    """A bilingual name in ``lang``, else English, else the fallback."""
    if entry is None:
        return fallback
    if isinstance(entry, dict):
        return entry.get(lang) or entry.get("en") or fallback
    return getattr(entry, lang, "") or getattr(entry, "en", "") or fallback


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _number(value: object, *, signed: bool = False, digits: int = 0) -> str:
    if not _finite(value):
        return "–"
    text = f"{value:+,.{digits}f}" if signed else f"{value:,.{digits}f}"
    return text.replace("-", "\u2212")


def _scenario_title(scenario, lang: str) -> str:
    return _name(scenario.title, lang, scenario.name)


def _rows_at(table: list[dict], year: int) -> dict[tuple[int, str], dict]:
    return {(r["point"], r["cluster"]): r for r in table if r["year"] == year}


def _summary(data: ReportInput, lang: str, year: int) -> str:
    first = data.table[0]
    years = sorted({r["year"] for r in data.table})
    year_text = say("year_list_sep", lang).join(str(y) for y in years)
    draws = first.get("n_draws") or 1
    scale = data.scale
    if draws > 1:
        return say("subtitle_draws", lang, n=len(data.scenarios), d=draws, seeds=first["n_seeds"], scale=scale, years=year_text)
    return say("subtitle", lang, n=len(data.scenarios), seeds=first["n_seeds"], scale=scale, years=year_text)


def _scenarios_section(data: ReportInput, lang: str) -> list[str]:
    out = [f"<h2>{_esc(say('h_scenarios', lang))}</h2>", "<table>",
           f"<tr><th>{_esc(say('col_scenario', lang))}</th><th>{_esc(say('col_changes', lang))}</th></tr>"]
    for i, s in enumerate(data.scenarios):
        title = _scenario_title(s, lang)
        if i == 0:
            title = say("reference_mark", lang, name=title)
        out.append(f"<tr><td>{_esc(title)}</td><td>{_esc(_name(s.description, lang, ''))}</td></tr>")
    out.append("</table>")
    return out


def _sentence(row: dict, title: str, lang: str, year: int) -> str:
    if row["point"] == 0:
        return say("say_reference", lang, name=title)
    diff = _number(row["diff_mean"], signed=True)
    if not _finite(row.get("diff_ci_low")):
        return say("say_one_seed", lang, name=title, diff=diff, year=year)
    per = row.get("talent_per_100m_yuan")
    cost = say("say_cost", lang, value=_number(per)) if _finite(per) else ""
    key = "say_more" if row["diff_ci_low"] > 0 else "say_less" if row["diff_ci_high"] < 0 else "say_unclear"
    return say(key, lang, name=title, diff=diff, year=year, cost=cost)


def _city_section(data: ReportInput, lang: str, year: int, holds: str) -> list[str]:
    rows = _rows_at(data.table, year)
    heads = ["col_scenario", "col_stock", "col_diff", "col_ci", "col_extra", "col_per_100m"]
    out = [f"<h2>{_esc(say('h_city', lang, year=year))}</h2>", f"<p>{_esc(say('city_intro', lang, holds=holds))}</p>",
           "<table>", "<tr>" + "".join(f"<th>{_esc(say(h, lang))}</th>" for h in heads) + "</tr>"]
    sentences = []
    for point, scenario in enumerate(data.scenarios):
        row = rows.get((point, CITY_TOTAL))
        if row is None:
            continue
        title = _scenario_title(scenario, lang)
        reference = point == 0
        interval = ("–" if reference or not _finite(row.get("diff_ci_low")) else
                    say("interval", lang, low=_number(row["diff_ci_low"], signed=True), high=_number(row["diff_ci_high"], signed=True)))
        extra = row.get("extra_spending_yuan")
        cells = [_number(row["talent_stock_mean"]), "–" if reference else _number(row["diff_mean"], signed=True), interval,
                 "–" if reference or not _finite(extra) else _number(extra / 1e8, signed=True, digits=1),
                 _number(row.get("talent_per_100m_yuan"))]
        name = say("reference_mark", lang, name=title) if reference else title
        out.append(f"<tr><td>{_esc(name)}</td>" + "".join(f'<td class="num">{_esc(c)}</td>' for c in cells) + "</tr>")
        sentences.append(_sentence(row, title, lang, year))
    out.append("</table>")
    out += [f"<h2>{_esc(say('h_reading', lang))}</h2>", "<ul>"] + [f"<li>{_esc(s)}</li>" for s in sentences] + ["</ul>"]
    return out


def _charts_section(data: ReportInput, lang: str) -> list[str]:
    out = [f"<h2>{_esc(say('h_charts', lang))}</h2>"]
    shown = [(stem, words) for stem, words in REPORT_CHARTS if (data.charts / f"{stem}.png").exists()]
    for n, (stem, words) in enumerate(shown, start=1):
        encoded = base64.b64encode((data.charts / f"{stem}.png").read_bytes()).decode("ascii")
        caption = say("figure_no", lang, n=n) + say(words, lang)
        out.append(f'<figure><img alt="{_esc(caption.split("。")[0].split(". ")[0])}" src="data:image/png;base64,{encoded}">'
                   f"<figcaption>{_esc(caption)}</figcaption></figure>")
    return out


def _clusters_section(data: ReportInput, lang: str, year: int) -> list[str]:
    rows = _rows_at(data.table, year)
    labels = data.region.labels()
    clusters = [c for c in dict.fromkeys(r["cluster"] for r in data.table) if c != CITY_TOTAL] + [CITY_TOTAL]
    others = list(range(1, len(data.scenarios)))
    if not others:
        return []
    out = [f"<h2>{_esc(say('h_clusters', lang, year=year))}</h2>", f"<p>{_esc(say('clusters_intro', lang))}</p>", "<table>",
           f"<tr><th>{_esc(say('col_cluster', lang))}</th>"
           + "".join(f"<th>{_esc(_scenario_title(data.scenarios[p], lang))}</th>" for p in others) + "</tr>"]
    for cluster in clusters:
        name = say("city_total", lang) if cluster == CITY_TOTAL else _name(labels.get(cluster), lang, cluster)
        cells = []
        for p in others:
            row = rows.get((p, cluster))
            if row is None or not _finite(row.get("diff_mean")):
                cells.append("–")
            elif not _finite(row.get("diff_ci_low")):
                cells.append(_number(row["diff_mean"], signed=True))
            else:
                cells.append(say("cell", lang, diff=_number(row["diff_mean"], signed=True),
                                 low=_number(row["diff_ci_low"], signed=True), high=_number(row["diff_ci_high"], signed=True)))
        out.append(f"<tr><td>{_esc(name)}</td>" + "".join(f'<td class="num">{_esc(c)}</td>' for c in cells) + "</tr>")
    out.append("</table>")
    return out


def _care_section(data: ReportInput, lang: str) -> list[str]:
    runs = min((r.get("n_runs") or r.get("n_seeds") or 0) for r in data.table)
    items = [say("care_1", lang), say("care_2", lang), say("care_3", lang)]
    if runs < MIN_RUNS:
        items.insert(0, say("few_runs", lang, n=runs))
    return [f"<h2>{_esc(say('h_care', lang))}</h2>", "<ul>"] + [f"<li>{_esc(i)}</li>" for i in items] + ["</ul>"]


def _sources_section(data: ReportInput, lang: str) -> list[str]:
    citations = [_name(c, lang, "") for c in getattr(data.region, "citations", [])]
    out = [f"<h2>{_esc(say('h_sources', lang))}</h2>"]
    if not citations:
        return out + [f"<p>{_esc(say('no_sources', lang))}</p>"]
    return out + [f"<p>{_esc(say('sources_intro', lang))}</p>", "<ul>"] + [f"<li>{_esc(c)}</li>" for c in citations] + ["</ul>"]


def report_html(data: ReportInput, *, lang: str, version: str) -> str:
    """The whole report as one HTML document in ``lang`` (``zh`` or ``en``), for the last year compared."""
    if lang not in ("zh", "en"):
        raise ValueError(f"report language must be zh or en; got {lang!r}")
    if not data.table:
        raise ValueError("the comparison table has no rows: nothing to report")
    from sim.charts.tables import band_holds  # the words for what an interval holds, as the charts say them
    import pyarrow as pa

    year = max(r["year"] for r in data.table)
    holds = band_holds(pa.Table.from_pylist(data.table), lang)
    region = _name(data.region.name, lang, "")
    parts = ["<!DOCTYPE html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}">', "<head>", '<meta charset="utf-8">',
             f"<title>{_esc(say('title', lang, region=region))}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
             f"<h1>{_esc(say('title', lang, region=region))}</h1>", f'<p class="meta">{_esc(_summary(data, lang, year))}</p>',
             f"<p>{_esc(say('intro', lang))}</p>"]
    parts += _scenarios_section(data, lang)
    parts += _city_section(data, lang, year, holds)
    parts += _charts_section(data, lang)
    parts += _clusters_section(data, lang, year)
    parts += _care_section(data, lang)
    parts += _sources_section(data, lang)
    parts += [f"<footer>{_esc(say('made_by', lang, version=version))}</footer>", "</body>", "</html>", ""]
    return "\n".join(parts)


def write_comparison_report(comparison, *, lang: str) -> Path:
    """``report.<lang>.html`` in the comparison's folder, from its table and charts (which must be in ``lang``)."""
    from sim import __version__
    from sim.results import write_atomic

    data = ReportInput(table=comparison.table.to_pylist(), scenarios=comparison.scenarios,
                       region=comparison.scenarios[0].load_region(), charts=comparison.folder / "charts",
                       scale=int(comparison.study.specs[0].config["run"]["scale"]))
    path = comparison.folder / f"report.{lang}.html"
    write_atomic(path, report_html(data, lang=lang, version=__version__).encode("utf-8"))
    path.chmod(0o644)  # a report is for handing on, as the charts are
    return path
