"""Comparing policy scenarios, and a lever's response curve, over runs with common random numbers.

Every scenario of a comparison (and every value of a sweep) runs the same seeds, so the paired
difference of two runs with the same seed is the effect of the levers, not of chance. The
tables here summarise those paired differences: their mean with a 95% interval (Student's t over
seeds) and their 5-95% spread, the share of runs in which it is positive, the spending they took,
the talent gained per 100 million yuan, and for each pair of policies the share of runs in which one
beats the other.

A comparison with parameter draws (:mod:`sim.draws`) runs every scenario at each draw with that draw's
seeds: a run is paired with the runs of the other scenarios at the same draw and seed, the spread and
the shares are over all paired runs (parameters and seeds), and the interval of the mean is Student's t
over the draws' mean effects (the draws are the independent units; their seeds only average within).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.config import Scenario, parameter_table
from sim.ensemble import (
    CITY_TOTAL, RunSpec, StudyResult, done_marker, execute_study, partition_file, run_study, specs_for_scenarios,
    uncertainty_label,
)
from sim.inputs import check_slug
from sim.results import write_table

if TYPE_CHECKING:
    from sim.draws import Draws

DEFAULT_YEARS = (2025, 2030, 2035)
YUAN_PER_100M = 1e8
# A scenario that spends less extra money than this (10 million yuan over the period) has no
# meaningful "talent per yuan": the ratio would divide by noise in budget use.
MIN_EXTRA_SPENDING_YUAN = 1e7


@dataclass
class YearEnd:
    """Year-end talent stock (persons) by point x run x year x cluster, the city total last, and
    cumulative spending (yuan, from the first month to the year's end) by point x run x year.

    A run is a seed (and, in a study with parameter draws, a draw): ``seeds[j]`` and ``draws[j]`` are
    those of column j, the same at every point. ``draws`` is None without parameter draws.
    """

    stock: np.ndarray
    spending: np.ndarray
    years: list[int]
    clusters: list[str]
    seeds: list[int]
    labels: list[str]
    draws: list[int] | None = None

    @property
    def groups(self) -> np.ndarray:
        """The independent unit of each run: its draw, or the run itself without draws."""
        return np.arange(len(self.seeds)) if self.draws is None else np.asarray(self.draws)

    @property
    def n_draws(self) -> int:
        return 1 if self.draws is None else len(set(self.draws))

    @property
    def seeds_per_draw(self) -> int:
        """Paired seeds per draw, the fewest over the draws (all the paired seeds without draws)."""
        if self.draws is None:
            return len(self.seeds)
        return int(min(np.unique(self.draws, return_counts=True)[1]))

    @property
    def uncertainty(self) -> str:
        return uncertainty_label(self.n_draws)

    def weights(self) -> np.ndarray:
        """Each run's weight in a share over runs: every draw counts as much, however many of its seeds are paired."""
        groups = self.groups
        _, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
        return 1.0 / (counts[inverse] * len(counts))

    def group_means(self, values: np.ndarray) -> np.ndarray:
        """The mean of ``values`` (one per run, on the last axis) within each independent unit."""
        groups = self.groups
        return np.stack([values[..., groups == g].mean(axis=-1) for g in np.unique(groups)], axis=-1)


@dataclass
class Comparison:
    """A comparison's runs, its table and the files it wrote."""

    study: StudyResult
    scenarios: list[Scenario]
    table: pa.Table
    files: list[Path] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.study.study_dir


# ------------------------------------------------------------------ statistics
def _t_quantile(df: int) -> float:
    # scipy.stats.t.ppf is this function behind argument checks, and gives the same number; but importing scipy.stats
    # takes half a second or more on top of the model's imports, which every comparison and the lever explorer's first
    # answer paid, while scipy.special is loaded with the model already
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.975)) if df > 0 else float("nan")


def mean_interval(values: np.ndarray, *, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% confidence interval of the mean (Student's t) along ``axis``; NaN interval for one value."""
    values = np.asarray(values, dtype=float)
    n = values.shape[axis]
    mean = values.mean(axis=axis)
    if n < 2:
        nan = np.full_like(mean, np.nan)
        return mean, nan, nan
    half = _t_quantile(n - 1) * values.std(axis=axis, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


# ------------------------------------------------------------------ reading a study
def year_end_values(specs: Sequence[RunSpec], *, study_dir: Path, years: Sequence[int],
                    tiers: Sequence[str] | None = None) -> YearEnd:
    """Year-end stocks (of the given ``tiers``, all by default) and cumulative spending of every
    complete run, paired by seed (and parameter draw) across points.

    Runs that are not complete in every point are left out, so that each difference is a pair.
    """
    points = sorted({s.point for s in specs})
    by_key = {(s.point, s.draw, s.seed): s for s in specs}
    runs = list(dict.fromkeys((s.draw, s.seed) for s in specs))
    runs = [(draw, seed) for draw, seed in runs
            if all((p, draw, seed) in by_key and done_marker(study_dir, by_key[(p, draw, seed)].run_id).exists() for p in points)]
    if not runs:
        raise ValueError(f"no seed has complete runs for every scenario in {study_dir}")
    labels = [next(s.point_label for s in specs if s.point == p) for p in points]
    first = by_key[(points[0], *runs[0])]
    stock_table = pq.read_table(partition_file(study_dir, "talent_stock", first.run_id), columns=["date", "cluster"])
    clusters = list(dict.fromkeys(stock_table.column("cluster").to_pylist()))
    in_run = {d.year for d in stock_table.column("date").to_pylist() if (d.month, d.day) == (12, 31)}
    kept = [y for y in years if y in in_run]
    if not kept:
        raise ValueError(f"none of the years {', '.join(map(str, years))} ends inside the runs (year ends in the runs: "
                         f"{', '.join(map(str, sorted(in_run))) or 'none'})")
    stock = np.zeros((len(points), len(runs), len(kept), len(clusters) + 1))
    spending = np.zeros((len(points), len(runs), len(kept)))
    for i, p in enumerate(points):
        for j, key in enumerate(runs):
            rid = by_key[(p, *key)].run_id
            stock[i, j, :, :-1] = _year_end_stock(partition_file(study_dir, "talent_stock", rid), years=kept, clusters=clusters,
                                                  tiers=tiers)
            spending[i, j] = _cumulative_spending(partition_file(study_dir, "spending", rid), years=kept)
    stock[..., -1] = stock[..., :-1].sum(axis=-1)
    draws = None if all(draw is None for draw, _ in runs) else [int(draw) for draw, _ in runs]
    return YearEnd(stock=stock, spending=spending, years=kept, clusters=[*clusters, CITY_TOTAL], seeds=[seed for _, seed in runs],
                   labels=labels, draws=draws)


def _year_end_stock(path: Path, *, years: Sequence[int], clusters: Sequence[str], tiers: Sequence[str] | None) -> np.ndarray:
    table = pq.read_table(path, columns=["date", "cluster", "tier", "talent_stock"])
    dates = np.asarray(table.column("date").to_numpy(), dtype="datetime64[D]")
    cluster = np.asarray(table.column("cluster").to_pylist())
    value = table.column("talent_stock").to_numpy()
    if tiers is not None:
        value = np.where(np.isin(np.asarray(table.column("tier").to_pylist()), list(tiers)), value, 0.0)
    out = np.zeros((len(years), len(clusters)))
    for y, year in enumerate(years):
        at = dates == np.datetime64(dt.date(year, 12, 31))
        for c, name in enumerate(clusters):
            out[y, c] = value[at & (cluster == name)].sum()
    return out


def _cumulative_spending(path: Path, *, years: Sequence[int]) -> np.ndarray:
    table = pq.read_table(path, columns=["date", "spending_yuan"])
    dates = np.asarray(table.column("date").to_numpy(), dtype="datetime64[D]")
    value = table.column("spending_yuan").to_numpy()
    return np.array([value[dates <= np.datetime64(dt.date(year, 12, 31))].sum() for year in years])


# ------------------------------------------------------------------ tables
def comparison_table(values: YearEnd, *, priced: Sequence[bool] | None = None) -> pa.Table:
    """One row per scenario x year x cluster (and city total): stocks over runs, the paired
    difference to the first scenario, the share of runs in which it is positive, and on city-total
    rows spending and talent per 100 million yuan.

    ``priced[p]`` says whether point p changes policy against the first; talent per yuan is given
    only for those (a stress case spends more or less by the way, not as a policy).
    """
    priced = list(priced) if priced is not None else [True] * len(values.labels)
    diff = values.stock - values.stock[:1]
    extra = values.spending - values.spending[:1]
    weights = values.weights()
    cols: dict[str, list] = {k: [] for k in (
        "point", "scenario", "year", "cluster", "uncertainty", "n_draws", "n_seeds", "n_runs", "talent_stock_mean",
        "talent_stock_p05", "talent_stock_median", "talent_stock_p95", "diff_mean", "diff_ci_low", "diff_ci_high",
        "diff_p05", "diff_p95", "prob_positive", "spending_yuan", "extra_spending_yuan", "talent_per_100m_yuan",
        "talent_per_100m_ci_low", "talent_per_100m_ci_high")}
    for p, label in enumerate(values.labels):
        for y, year in enumerate(values.years):
            for c, cluster in enumerate(values.clusters):
                stock, d = values.stock[p, :, y, c], diff[p, :, y, c]
                mean, low, high = mean_interval(values.group_means(d))
                row = {"point": p, "scenario": label, "year": year, "cluster": cluster, "uncertainty": values.uncertainty,
                       "n_draws": values.n_draws, "n_seeds": values.seeds_per_draw, "n_runs": len(values.seeds),
                       "talent_stock_mean": stock.mean(), "talent_stock_p05": np.quantile(stock, 0.05),
                       "talent_stock_median": np.median(stock), "talent_stock_p95": np.quantile(stock, 0.95),
                       "diff_mean": mean, "diff_ci_low": low, "diff_ci_high": high,
                       "diff_p05": np.quantile(d, 0.05), "diff_p95": np.quantile(d, 0.95),
                       "prob_positive": float(np.sum(weights * (d > 0))) if p > 0 else None}
                row.update(_money(values, extra, diff, p=p, y=y, city=cluster == CITY_TOTAL, priced=priced[p]))
                for key, value in row.items():
                    cols[key].append(value)
    types = {"point": pa.int64(), "scenario": pa.string(), "year": pa.int32(), "cluster": pa.string(), "uncertainty": pa.string(),
             "n_draws": pa.int64(), "n_seeds": pa.int64(), "n_runs": pa.int64()}
    return pa.table({k: pa.array([_null_nan(v) for v in vals], type=types.get(k, pa.float64())) for k, vals in cols.items()})


def _money(values: YearEnd, extra: np.ndarray, diff: np.ndarray, *, p: int, y: int, city: bool,
           priced: bool) -> dict[str, float | None]:
    """Spending columns of a city-total row (None elsewhere).

    Talent per 100 million yuan divides the mean paired difference in talent by the mean extra spending
    (each a mean over the draws of the draws' means); budgets are policy, so spending varies little over
    seeds, and its interval is that of the talent.
    """
    keys = ("spending_yuan", "extra_spending_yuan", "talent_per_100m_yuan", "talent_per_100m_ci_low", "talent_per_100m_ci_high")
    if not city:
        return dict.fromkeys(keys)
    extra_mean = float(values.group_means(extra[p, :, y]).mean())
    out = {"spending_yuan": float(values.group_means(values.spending[p, :, y]).mean()), "extra_spending_yuan": extra_mean,
           "talent_per_100m_yuan": None, "talent_per_100m_ci_low": None, "talent_per_100m_ci_high": None}
    if p > 0 and priced and extra_mean >= MIN_EXTRA_SPENDING_YUAN:
        mean, low, high = mean_interval(values.group_means(diff[p, :, y, -1]))
        per = YUAN_PER_100M / extra_mean
        out.update({"talent_per_100m_yuan": float(mean) * per, "talent_per_100m_ci_low": float(low) * per,
                    "talent_per_100m_ci_high": float(high) * per})
    return out


def lever_pairs_table(values: YearEnd, *, priced: Sequence[bool] | None = None) -> pa.Table:
    """For every ordered pair of scenarios other than the reference, per year: the share of paired runs in which
    the first gains more city talent than the second, and the share in which it gains more per yuan of extra
    spending (only when both change policy and spend at least :data:`MIN_EXTRA_SPENDING_YUAN` more than the
    reference in every paired run; empty otherwise).

    Same draw and seed make a pair, so a share is over seeds, or over parameter draws and seeds; each draw counts
    as much. Ties count for neither side, so the two shares of a pair sum to at most one.
    """
    priced = list(priced) if priced is not None else [True] * len(values.labels)
    total = values.stock[..., -1]                       # point x run x year
    gain = total - total[:1]
    extra = values.spending - values.spending[:1]
    weights = values.weights()
    cols: dict[str, list] = {k: [] for k in ("year", "point_a", "scenario_a", "point_b", "scenario_b", "uncertainty", "n_draws",
                                             "n_runs", "prob_a_beats_b", "prob_a_beats_b_per_yuan")}
    others = range(1, len(values.labels))
    for y, year in enumerate(values.years):
        for a in others:
            for b in others:
                if a == b:
                    continue
                per_yuan = None
                if priced[a] and priced[b] and np.all(extra[[a, b], :, y] >= MIN_EXTRA_SPENDING_YUAN):
                    ratio = gain[:, :, y] / np.where(extra[:, :, y] != 0, extra[:, :, y], np.nan)
                    per_yuan = float(np.sum(weights * (ratio[a] > ratio[b])))
                row = [year, a, values.labels[a], b, values.labels[b], values.uncertainty, values.n_draws, len(values.seeds),
                       float(np.sum(weights * (total[a, :, y] > total[b, :, y]))), per_yuan]
                for key, value in zip(cols, row):
                    cols[key].append(value)
    types = {"year": pa.int32(), "point_a": pa.int64(), "scenario_a": pa.string(), "point_b": pa.int64(), "scenario_b": pa.string(),
             "uncertainty": pa.string(), "n_draws": pa.int64(), "n_runs": pa.int64(), "prob_a_beats_b": pa.float64(),
             "prob_a_beats_b_per_yuan": pa.float64()}
    return pa.table({k: pa.array(v, type=types[k]) for k, v in cols.items()})


def response_table(values: YearEnd, *, lever: str, lever_values: Sequence[float]) -> pa.Table:
    """City talent against a lever's value: stocks over seeds, the paired gain over the first value,
    and the marginal gain per unit of the lever between successive values (where returns diminish)."""
    total = values.stock[..., -1]  # point x seed x year
    gain = total - total[:1]
    extra = values.spending - values.spending[:1]
    cols: dict[str, list] = {k: [] for k in (
        "point", "lever", "value", "year", "n_seeds", "talent_stock_mean", "talent_stock_p05", "talent_stock_p25",
        "talent_stock_median", "talent_stock_p75", "talent_stock_p95", "gain_mean", "gain_ci_low", "gain_ci_high",
        "marginal_mean", "marginal_ci_low", "marginal_ci_high", "extra_spending_yuan")}
    for p, value in enumerate(lever_values):
        for y, year in enumerate(values.years):
            stock = total[p, :, y]
            mean, low, high = mean_interval(gain[p, :, y])
            marginal = (None, None, None)
            if p > 0 and lever_values[p] != lever_values[p - 1]:
                step = (total[p, :, y] - total[p - 1, :, y]) / (lever_values[p] - lever_values[p - 1])
                marginal = tuple(float(v) for v in mean_interval(step))
            q = np.quantile(stock, [0.05, 0.25, 0.5, 0.75, 0.95])
            row = [p, lever, float(value), year, len(values.seeds), stock.mean(), *q, mean, low, high, *marginal,
                   float(extra[p, :, y].mean())]
            for key, v in zip(cols, row):
                cols[key].append(v)
    types = {"point": pa.int64(), "lever": pa.string(), "year": pa.int32(), "n_seeds": pa.int64()}
    return pa.table({k: pa.array([_null_nan(v) for v in vals], type=types.get(k, pa.float64())) for k, vals in cols.items()})


def _null_nan(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.ndim == 0:  # mean_interval's NaN interval of a single run
        value = value[()]
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def scenario_table(scenarios: Sequence[Scenario]) -> pa.Table:
    """The compared scenarios with their names and descriptions in both languages."""
    return pa.table({
        "point": pa.array(range(len(scenarios)), pa.int64()),
        "scenario": [s.name for s in scenarios],
        "title_en": [s.title.en for s in scenarios], "title_zh": [s.title.zh for s in scenarios],
        "description_en": [s.description.en for s in scenarios], "description_zh": [s.description.zh for s in scenarios],
    })


# ------------------------------------------------------------------ running
def comparison_name(scenarios: Sequence[Scenario]) -> str:
    """A folder name for the comparison: the scenario names, shortened with a hash when long."""
    names = [s.name for s in scenarios]
    joined = "__".join(names)
    if len(joined) <= 80:
        return joined
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:8]
    return f"{names[0]}__and_{len(names) - 1}_more__{digest}"


def _check_same_region(scenarios: Sequence[Scenario]) -> None:
    # the whole region, not only its cluster names: the same clusters with other data are another city
    regions = [(s.name, s.region, s.load_region()) for s in scenarios]
    _, first_given, first = regions[0]
    different = [f"{name} (region {given})" for name, given, r in regions[1:] if r != first]
    if different:
        raise ValueError(f"scenarios {', '.join(different)} run on another region than {scenarios[0].name} "
                         f"(region {first_given}); a comparison needs one region")


def check_years(scenarios: Sequence[Scenario], years: Sequence[int]) -> None:
    if not years:
        raise ValueError("no years to compare")
    for s in scenarios:
        # the initial state is the end of the month before the start (end-2021 for a January 2022 start)
        first = int(s.run.start[:4]) - (1 if s.run.start.endswith("-01") else 0)
        last = int(s.run.end[:4]) - (0 if s.run.end.endswith("-12") else 1)
        outside = [y for y in years if not first <= y <= last]
        if outside:
            raise ValueError(f"years {', '.join(map(str, outside))}: scenario {s.name} runs {s.run.start} to {s.run.end}, "
                             f"so the year ends it covers are {first}-{last}")


def compare_scenarios(scenarios: Sequence[Scenario], *, seeds: int, out: Path, years: Sequence[int] = DEFAULT_YEARS,
                      root_seed: int | None = None, scale: int | None = None, workers: int | None = None,
                      scheduler: str | None = None, security: Any = None, dashboard: bool = False, progress: bool = False,
                      charts: bool = True, lang: str = "en", name: str | None = None, draws: Draws | None = None) -> Comparison:
    """Run every scenario with the same seeds (at each parameter draw of ``draws``, if given) and write the
    comparison tables and charts.

    Files go to ``out/compare/<name>/`` (by default the scenario names, followed by the draws' tag when there
    are draws): the runs' dataset and summary (as for an ensemble), ``comparison`` and ``lever_pairs``
    (Parquet and CSV), ``scenarios.csv``, ``draws`` (with draws) and ``charts/``. The first scenario is the
    reference of every difference. A drawn parameter that the scenarios set differently is refused
    (:func:`sim.draws.without_conflicts` leaves such parameters out).
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise ValueError("a comparison needs at least one scenario (the first is the reference of every difference)")
    if name is not None:
        check_slug(name)  # the comparison's folder: it must stay inside out/compare/
    _check_same_region(scenarios)
    check_years(scenarios, years)
    years = list(dict.fromkeys(years))  # a year given twice is compared once, in the order given
    if draws is not None:
        _check_draws(draws, scenarios)
    specs = specs_for_scenarios(scenarios, seeds=seeds, root_seed=root_seed, scale=scale,
                                draws=draws.sets if draws is not None else None)
    folder = name or (comparison_name(scenarios) + ("" if draws is None else f"__{draws.tag}"))
    study_dir = Path(out) / "compare" / folder
    result = execute_study(specs, study_dir=study_dir, workers=workers, scheduler=scheduler, security=security,
                           dashboard=dashboard, progress=progress, draws=draws)
    reference = scenarios[0].levers
    priced = [s.levers != reference for s in scenarios]
    values = year_end_values(specs, study_dir=study_dir, years=years)
    table = comparison_table(values, priced=priced)
    files = write_table(study_dir, table, name="comparison")
    files += write_table(study_dir, lever_pairs_table(values, priced=priced), name="lever_pairs")
    files += write_table(study_dir, scenario_table(scenarios), name="scenarios", formats=("csv",))
    if charts:
        files += _comparison_charts(scenarios, result=result, table=table, lang=lang, seeds=seeds, draws=draws)
    return Comparison(study=result, scenarios=scenarios, table=table, files=files)


def _check_draws(draws: Draws, scenarios: Sequence[Scenario]) -> None:
    from sim.draws import conflicts

    if not draws.parameters:
        raise ValueError("the parameter draws vary no parameter: every drawn parameter was left out")
    clash = conflicts(draws, scenarios)
    if clash:
        raise ValueError("drawn parameters that the scenarios set differently (a draw would overwrite a scenario's setting): "
                         + "; ".join(f"{k}: {v}" for k, v in clash.items()))


def _comparison_charts(scenarios: Sequence[Scenario], *, result: StudyResult, table: pa.Table, lang: str, seeds: int,
                       draws: Draws | None = None) -> list[Path]:
    from sim.charts.captions import comparison_caption
    from sim.charts.comparison import render_comparison_charts
    from sim.charts.style import resolve_language

    chart_lang, _ = resolve_language(lang)
    n_seeds = int(table.column("n_seeds")[0].as_py()) if table.num_rows else seeds
    caption = comparison_caption(scenarios, seeds=n_seeds, scale=result.specs[0].config["run"]["scale"],
                                 draws=None if draws is None else draws.n, lang=chart_lang)
    labels = {s.name: {"en": s.title.en or s.name, "zh": s.title.zh or s.title.en or s.name} for s in scenarios}
    return render_comparison_charts(summary=result.summary, comparison=table, scenario_labels=labels,
                                    region=scenarios[0].load_region(), out_dir=result.study_dir / "charts",
                                    lang=chart_lang, caption=caption)


def sweep_response(result: StudyResult, *, lever: str, values: Sequence[float], years: Sequence[int] = DEFAULT_YEARS) -> pa.Table:
    """The response table of a finished sweep (see :func:`response_table`)."""
    return response_table(year_end_values(result.specs, study_dir=result.study_dir, years=years), lever=lever, lever_values=values)


# ---------------------------------------------------------------- sweeps: one lever over a range
def run_sweep(scenario: Scenario, *, lever: str, values: Iterable[float], seeds: int, out: Path, **options: Any) -> StudyResult:
    """One lever over a range of values, ``seeds`` runs each, with common random numbers across values.

    Besides the study's files it writes ``response.parquet``/``.csv`` (city talent against the
    lever's value, with the marginal gain per unit of the lever) and the response chart.
    """
    values = list(values)
    if not values:
        raise ValueError(f"a sweep of {lever} needs at least one value")
    points = [{lever: v} for v in values]
    result = run_study(scenario, points=points, seeds=seeds, out=out, study=f"sweep-{lever.split('.')[-1]}", **options)
    try:
        response = sweep_response(result, lever=lever, values=values)
    except ValueError:  # no seed complete at every value, or no year end inside the runs
        return result
    write_table(result.study_dir, response, name="response")
    if options.get("charts", True):
        from sim.charts.captions import sweep_caption
        from sim.charts.comparison import render_response_chart
        from sim.charts.style import resolve_language

        chart_lang, _ = resolve_language(options.get("lang", "en"))
        caption = sweep_caption(scenario, lever=lever.split(".")[-1], seeds=seeds, scale=result.specs[0].config["run"]["scale"],
                                lang=chart_lang)
        render_response_chart(response=response, lever_label=lever_label(lever), out_dir=result.study_dir / "charts",
                              lang=chart_lang, caption=caption)
    return result


def lever_label(lever: str) -> str:
    """The lever's name with its unit, e.g. ``apartments_per_year (apartments/year)``."""
    short = lever.split(".")[-1]
    for row in parameter_table():
        if row["name"] == lever or row["name"].endswith("." + lever):
            return f"{short} ({row['unit']})"
    return short
