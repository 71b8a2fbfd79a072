"""The lever explorer's page (Solara): levers by family on the left, runs and saving in the sidebar, results on the right.

State lives in reactive variables, one set per browser tab. Runs go to the server's worker processes from a
background task (:func:`solara.lab.task`), so the page answers while they run and shows their progress; results
remember the levers and settings they were made with, and say so when these have changed since.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

import solara
from solara.lab import task, use_task

from sim.dashboard import context
from sim.dashboard.charts import CHARTS, chart_images
from sim.dashboard.levers import LeverSetting, changed, format_value, format_yuan
from sim.compare import DEFAULT_YEARS
from sim.dashboard.runs import Outcome, RunSettings, compared_years, exploration_specs, run_exploration
from sim.dashboard.scenario import describe, explored_scenario, save_scenario, scenario_data
from sim.dashboard.text import family_name, setting_name, setting_unit, word
from sim.government import LEVERS
from sim.inputs import check_slug

LANG = solara.reactive("")                          # "" until the page first shows: the server's default
VALUES: solara.Reactive[dict[str, float]] = solara.reactive({})   # changed settings only, by full name
MONTH = solara.reactive("")
SCALE = solara.reactive(0)
SEEDS = solara.reactive(0)
SAVE_NAME = solara.reactive("")
TITLE_EN = solara.reactive("Levers explored")
TITLE_ZH = solara.reactive("调整后的政策组合")
SAVE_MESSAGE: solara.Reactive[tuple[str, str] | None] = solara.reactive(None)
PROGRESS = solara.reactive((0, 0))
RESULT: solara.Reactive[Any] = solara.reactive(None)

_SMALL = {"font-size": "0.8em", "color": "#666"}


@dataclass(frozen=True)
class Request:
    """What an exploration is made from; results compare theirs with the page's to tell whether they are current."""

    changes: tuple[tuple[str, float], ...]
    month: str
    scale: int
    seeds: int


@dataclass(frozen=True)
class Result:
    request: Request
    outcome: Outcome
    explored: Any
    name: str


def _defaults() -> None:
    ex = context.current()
    if not LANG.value:
        LANG.value = ex.lang
    if not MONTH.value:
        MONTH.value = ex.month
    if not SCALE.value:
        SCALE.value = ex.scale
    if not SEEDS.value:
        SEEDS.value = ex.seeds
    if not SAVE_NAME.value:
        SAVE_NAME.value = f"{ex.base.scenario.name}_explored"


def _request() -> Request:
    settings = context.current().settings(MONTH.value)
    return Request(changes=tuple(changed(settings, VALUES.value).items()), month=MONTH.value, scale=SCALE.value, seeds=SEEDS.value)


def _scenario_for(request: Request) -> tuple[Any, dict[str, Any]]:
    ex = context.current()
    base = ex.base.scenario
    changes = dict(request.changes)
    settings = ex.settings(request.month)
    data = scenario_data(base, name=SAVE_NAME.value or f"{base.name}_explored", title={"en": TITLE_EN.value, "zh": TITLE_ZH.value},
                         description=describe(settings, changes=changes, month=request.month, base_name=base.name),
                         changes=changes, month=request.month)
    return explored_scenario(base, data), data


@task
def explore() -> None:
    ex = context.current()
    request = _request()
    explored, data = _scenario_for(request)
    if not request.changes:  # the base against itself: its own runs, none new
        explored = ex.base.scenario
    specs = exploration_specs(ex.base.scenario, explored, settings=RunSettings(scale=request.scale, seeds=request.seeds))

    PROGRESS.value = (0, len(specs))

    def progress(done: int, total: int) -> None:
        PROGRESS.value = (done, total)
        explore.progress = 100.0 * done / max(total, 1)

    outcome = run_exploration(ex.pool, specs, study_dir=ex.runs_dir, priced=bool(request.changes),
                              years=compared_years(ex.base.scenario), on_progress=progress)
    RESULT.value = Result(request=request, outcome=outcome, explored=explored, name=data["name"])


def _set_value(setting: LeverSetting, value: float | None, set_error: Any, lang: str) -> None:
    if value is None:
        return
    if setting.problem(value):
        set_error(word("not_valid", lang, value=f"{value:g}", low=format_value(setting, setting.valid[0], lang),
                       high=format_value(setting, setting.valid[1], lang)))
        return
    set_error(None)
    value = int(value) if setting.kind == "integer" else float(value)
    new = dict(VALUES.value)
    if value == setting.base:
        new.pop(setting.name, None)
    else:
        new[setting.name] = value
    VALUES.value = new


@solara.component
def LeverRow(setting: LeverSetting, lang: str) -> None:
    error, set_error = solara.use_state(None)
    value = VALUES.value.get(setting.name, setting.base)
    is_changed = setting.name in VALUES.value
    unit = setting_unit(setting.family, setting.setting, unit_en=setting.unit, lang=lang)
    label = f"{setting_name(setting.family, setting.setting, lang)} ({unit})"
    span = (word("range", lang, low=format_value(setting, setting.low, lang), high=format_value(setting, setting.high, lang))
            if setting.declared_range else
            word("no_range", lang, low=format_value(setting, setting.valid[0], lang), high=format_value(setting, setting.valid[1], lang)))
    outside = setting.declared_range and not setting.declared_range[0] <= value <= setting.declared_range[1]
    with solara.Column(gap="0px", classes=["ts-lever", f"ts-lever-{setting.family}-{setting.setting}"],
                       style={"margin-bottom": "6px"}):
        solara.Text(label, style={"font-weight": "bold" if is_changed else "normal", "color": "#1f4e9e" if is_changed else "inherit"})
        with solara.Row(style={"align-items": "center"}, gap="8px"):
            shown = min(max(value, setting.low), setting.high)

            def on_slide(v: float) -> None:
                # a slider moves a value typed off its grid onto the grid as it draws it: that is no choice of the user's
                if setting.snapped(v) != setting.snapped(shown):
                    _set_value(setting, setting.snapped(v), set_error, lang)

            with solara.Div(style={"flex": "1 1 auto", "min-width": "8em"}):
                if setting.kind == "integer":
                    solara.SliderInt("", value=int(shown), min=int(setting.low), max=int(setting.high), step=int(setting.step),
                                     on_value=on_slide, thumb_label=False)
                else:
                    solara.SliderFloat("", value=float(shown), min=setting.low, max=setting.high, step=setting.step,
                                       on_value=on_slide, thumb_label=False)
            solara.InputFloat("", value=value, on_value=lambda v: _set_value(setting, v, set_error, lang), continuous_update=False,
                              dense=True, classes=["ts-input"], style={"max-width": "10em"})
        parts = [format_value(setting, value, lang), span]
        if is_changed:
            parts.append(word("base_value", lang, value=format_value(setting, setting.base, lang)))
        if outside:
            parts.append(word("outside_range", lang))
        solara.Text(" · ".join(parts), style=_SMALL)
        if error:
            solara.Text(error, style={"color": "#b2182b", "font-size": "0.85em"}, classes=["ts-error"])


@solara.component
def LeverPanel(settings: list[LeverSetting], lang: str) -> None:
    with solara.Card(word("levers", lang)):
        solara.Text(word("levers_note", lang), style=_SMALL)
        for family in LEVERS:
            rows = [s for s in settings if s.family == family]
            n_changed = sum(1 for s in rows if s.name in VALUES.value)
            budget = next(s for s in rows if s.setting == "budget_yuan_per_year")
            summary = f"{family_name(family, lang)} · " + word(
                "budget_line", lang, budget=format_yuan(VALUES.value.get(budget.name, budget.base), lang))
            if n_changed:
                summary += " · " + word("changed_count", lang, n=n_changed)
            solara.Details(summary=summary, children=[LeverRow(s, lang) for s in rows], expand=family == "housing")


@solara.component
def RunPanel(lang: str) -> None:
    ex = context.current()
    Heading(word("run_settings", lang))
    title = getattr(ex.base.scenario.title, lang)
    solara.Text(word("base", lang, name=ex.base.scenario.name) + (f" ({title})" if title else ""), style=_SMALL)
    solara.Select(word("scale", lang), values=list(context.SCALES), value=SCALE)
    solara.SliderInt(word("seeds", lang), value=SEEDS, min=2, max=context.MAX_SEEDS, thumb_label="always")
    solara.Select(word("from_year", lang), values=ex.months, value=MONTH)
    with solara.Row():
        solara.Button(word("run", lang), on_click=explore, color="primary", disabled=explore.pending, classes=["ts-run"])
        solara.Button(word("reset", lang), on_click=lambda: VALUES.set({}), text=True, classes=["ts-reset"])
    if explore.pending:
        done, total = PROGRESS.value
        solara.ProgressLinear(explore.progress if explore.progress is not None else True)
        if total:
            solara.Text(word("running", lang, done=done, total=total), classes=["ts-progress"], style=_SMALL)
    elif explore.error:
        solara.Error(word("run_failed", lang, error=str(explore.exception)[:400]))


@solara.component
def SavePanel(lang: str) -> None:
    ex = context.current()
    Heading(word("save", lang))
    solara.InputText(word("save_name", lang), value=SAVE_NAME, classes=["ts-save-name"])
    solara.InputText(word("save_title_en", lang), value=TITLE_EN)
    solara.InputText(word("save_title_zh", lang), value=TITLE_ZH)

    def save() -> None:
        request = _request()
        if not request.changes:
            SAVE_MESSAGE.value = ("error", word("save_failed", lang, error=word("nothing_changed", lang)))
            return
        try:
            check_slug(SAVE_NAME.value)
        except ValueError:
            SAVE_MESSAGE.value = ("error", word("save_failed", lang, error=word("bad_name", lang, name=SAVE_NAME.value[:40])))
            return
        try:
            explored, data = _scenario_for(request)
            seeds = RESULT.value.request.seeds if RESULT.value else request.seeds
            scale = RESULT.value.request.scale if RESULT.value else request.scale
            command = _reproduce_command(ex, folder_file=f"{ex.save_dir}/{data['name']}.yaml", seeds=seeds, scale=scale)
            comment = (f"Levers set with talentsim dashboard over {ex.base.scenario.name}.\n"
                       f"Reproduce the comparison: {command}")
            path = save_scenario(base=ex.base, data=data, explored=explored, folder=ex.save_dir, comment=comment)
        except FileExistsError:
            SAVE_MESSAGE.value = ("error", word("exists", lang, path=f"{ex.save_dir}/{SAVE_NAME.value}.yaml"))
            return
        except (ValueError, OSError) as exc:
            SAVE_MESSAGE.value = ("error", word("save_failed", lang, error=str(exc)[:400]))
            return
        SAVE_MESSAGE.value = ("ok", word("saved", lang, path=str(path), command=command))

    solara.Button(word("save_button", lang), on_click=save, classes=["ts-save"])
    if SAVE_MESSAGE.value:
        kind, text = SAVE_MESSAGE.value
        (solara.Success if kind == "ok" else solara.Error)(text, classes=["ts-save-message"])


def _reproduce_command(ex: context.Explorer, *, folder_file: str, seeds: int, scale: int) -> str:
    years = compared_years(ex.base.scenario)
    option = "" if tuple(years) == DEFAULT_YEARS else " --years " + " ".join(map(str, years))
    return f"talentsim compare {ex.base.given} {folder_file} --seeds {seeds} --scale {scale}{option}"


@solara.component
def Headline(result: Result, lang: str) -> None:
    table = result.outcome.comparison
    rows = [r for r in table.to_pylist() if r["cluster"] == "city_total"]
    year = max(r["year"] for r in rows)
    base_row = next(r for r in rows if r["point"] == 0 and r["year"] == year)
    row = next(r for r in rows if r["point"] == 1 and r["year"] == year)
    persons = lambda v: word("persons", lang, value=f"{v:,.0f}")  # noqa: E731
    with solara.Column(gap="2px", classes=["ts-headline"]):
        Heading(word("headline", lang, year=year))
        solara.Text(f"{word('base_short', lang)}: {persons(base_row['talent_stock_mean'])} · "
                    f"{word('explored', lang)}: {persons(row['talent_stock_mean'])}", classes=["ts-levels"])
        interval = "" if row["diff_ci_low"] is None else "; " + word(
            "interval", lang, low=f"{row['diff_ci_low']:+,.0f}", high=f"{row['diff_ci_high']:+,.0f}", n=row["n_seeds"])
        solara.Text(f"{word('difference', lang)}: {row['diff_mean']:+,.0f}{interval}", classes=["ts-diff"],
                    style={"font-size": "1.15em", "font-weight": "bold"})
        if row["prob_positive"] is not None:
            solara.Text(word("prob_gain", lang, p=f"{row['prob_positive']:.2f}"), style=_SMALL)
        first_year = int(result.outcome.specs[0].config["run"]["start"][:4])
        extra = row["extra_spending_yuan"] or 0.0
        solara.Text(f"{word('extra_spending', lang, start=first_year, year=year)}: {format_yuan(extra, lang)}", classes=["ts-extra"])
        per = row["talent_per_100m_yuan"]
        if per is None:
            solara.Text(f"{word('per_100m', lang)}: {word('not_priced', lang)}", classes=["ts-per100m"])
        else:
            solara.Text(f"{word('per_100m', lang)}: {per:,.1f} "
                        f"[{row['talent_per_100m_ci_low']:,.1f}, {row['talent_per_100m_ci_high']:,.1f}]", classes=["ts-per100m"])
            if row["diff_ci_low"] is not None and row["diff_ci_low"] > 0:
                solara.Text(f"{word('cost_per_talent', lang)}: {format_yuan(extra / row['diff_mean'], lang)} "
                            f"[{format_yuan(extra / row['diff_ci_high'], lang)}, {format_yuan(extra / row['diff_ci_low'], lang)}]",
                            classes=["ts-cost-per-talent"])
            else:
                solara.Text(f"{word('cost_per_talent', lang)}: {word('no_gain', lang)}", classes=["ts-cost-per-talent"])
        o = result.outcome
        solara.Text(word("run_time", lang, runs=len(o.specs), new=o.new_runs, seconds=o.seconds), style=_SMALL, classes=["ts-runtime"])


def spending_table(outcome: Outcome, *, month: str, lang: str) -> tuple[str, str]:
    """Each lever's budget, the base's and the explored spending per year (means from the change's year on) and the
    highest share of the budget the explored levers used in any year: a caption and the rows of an HTML table."""
    years, base_spent, _ = outcome.spending[0]
    _, spent, budget = outcome.spending[1]
    keep = years >= int(month[:4])
    if not keep.any():
        keep = years == years
    caption = word("spending_table", lang, start=int(years[keep][0]), end=int(years[keep][-1]))
    cell = 'style="padding: 2px 10px; white-space: nowrap; text-align: {}"'
    head = 'style="padding: 2px 10px; vertical-align: bottom; text-align: {}"'
    rows = ["<tr>" + "".join(f"<th {head.format('left' if i == 0 else 'right')}>{escape(word(k, lang))}</th>"
                             for i, k in enumerate(("col_lever", "col_budget", "col_base", "col_explored", "col_peak"))) + "</tr>"]
    for i, lever in enumerate(LEVERS):
        b = budget[i, keep]
        peak = f"{float((spent[i, keep] / b).max()):.0%}" if (b > 0).all() else "—"
        values = [format_yuan(float(b.mean()), lang), format_yuan(float(base_spent[i, keep].mean()), lang),
                  format_yuan(float(spent[i, keep].mean()), lang), peak]
        rows.append(f"<tr><td {cell.format('left')}>{escape(family_name(lever, lang))}</td>"
                    + "".join(f"<td {cell.format('right')}>{escape(v)}</td>" for v in values) + "</tr>")
    return caption, "".join(rows)


@solara.component
def Heading(text: str) -> None:
    solara.Text(text, style={"font-weight": "bold", "display": "block", "margin": "10px 0 4px 0"})


@solara.component
def Charts(result: Result, lang: str) -> None:
    ex = context.current()
    images = use_task(lambda: chart_images(result.outcome, base=ex.base.scenario, explored=result.explored, lang=lang),
                      dependencies=[id(result), lang])
    if images.value is None or images.pending:
        solara.ProgressLinear(True)
        return
    titles = {"compare_trajectories": "chart_trajectories", "compare_differences": "chart_differences",
              "compare_cost_effectiveness": "chart_cost", "spending": "chart_spending"}
    for name in CHARTS:
        Heading(word(titles[name], lang))
        solara.Image(images.value[name], width="100%", classes=[f"ts-chart-{name}"])


@solara.component
def ResultsPanel(lang: str) -> None:
    with solara.Card(word("results", lang)):
        result = RESULT.value
        if result is None:
            solara.Info(word("no_results", lang))
            return
        if result.request != _request():
            solara.Warning(word("stale", lang), classes=["ts-stale"])
        Headline(result, lang)
        caption, table = spending_table(result.outcome, month=result.request.month, lang=lang)
        Heading(caption)
        solara.HTML(tag="table", unsafe_innerHTML=table, classes=["ts-spending"], style="border-collapse: collapse; font-size: 0.9em")
        Charts(result, lang)


@solara.component
def Page() -> None:
    _defaults()
    ex = context.current()
    lang = LANG.value
    settings = ex.settings(MONTH.value)
    solara.Title(word("app_title", lang))
    with solara.AppBar():
        solara.v.Spacer()
        solara.Button(word("language", lang), on_click=lambda: LANG.set("en" if lang == "zh" else "zh"), text=True,
                      classes=["ts-lang"], style={"color": "white"})
    with solara.Sidebar():
        RunPanel(lang)
        SavePanel(lang)
    with solara.Columns([5, 7]):
        LeverPanel(settings, lang)
        ResultsPanel(lang)
