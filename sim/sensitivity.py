"""Global sensitivity analysis: Morris screening and Sobol' indices over the declared ranges, with SALib.

The factor space is the XLRM declaration (:mod:`sim.xlrm`): every uncertainty (and, where asked, lever)
with its plausible ``range`` from ``sim/config.py``. A design is drawn in the unit cube by SALib's
samplers (Morris trajectories, Campolongo et al. 2007; Saltelli's scheme on a scrambled Sobol'
sequence, Saltelli et al. 2010), mapped onto each factor's range, and run as one study by the study
runner (:func:`sim.ensemble.execute`): resumable, serial or on any Dask cluster, each run written
under its run id. The indices come from SALib's analyzers: Morris mu*, mu and sigma (Morris 1991;
Campolongo et al. 2007) and Sobol' S1, ST and S2 (Sobol' 2001; Saltelli et al. 2010; Jansen 1999),
each with a bootstrap interval.

The model a design runs through is pluggable (:class:`Simulator`): TalentSim itself
(:func:`talentsim_simulator`), or a test function with known indices (:mod:`sim.sensitivity_functions`),
which goes through the same sampling, runner and analysis.

Each design row runs every arm (the base scenario, then each policy scenario) with the same seeds
(common random numbers), so a policy's effect at a row is the paired difference between the two
runs at the same factor values and seeds, averaged over the seeds.

The convergence report compares the indices from the first half of the design (N trajectories or
base samples) with those of the whole design (2N): SALib's designs are built row block by row block,
so the first half is itself a complete design of half the size.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.config import Scenario, schedule_starts, value_at
from sim.ensemble import RunSpec, build_specs, execute, failure_record, partition_file, record_run
from sim.results import write_table
from sim.factors import Factor, declared_factor, select_factors  # noqa: F401 - the factors of a sensitivity study
from sim.xlrm import HORIZON, OUTCOME_TABLES, outcome_values

METHODS = ("morris", "sobol")        # designs with indices
DESIGNS = (*METHODS, "lhs")          # every design: a Latin hypercube has no indices, it feeds scenario discovery
DEFAULT_SCALE = 100          # persons per skilled-tier agent of a sensitivity run: coarse, since a design has thousands
DEFAULT_TRAJECTORIES = 20    # Morris r; Campolongo et al. (2007) find 10-20 enough for a ranking
DEFAULT_LEVELS = 4           # Morris grid levels p (Saltelli et al. 2004 recommend an even p, with step p/(2(p-1)))
DEFAULT_SAMPLES = 256        # Sobol' base samples N (a power of two for the Sobol' sequence's balance)
BOOTSTRAP_RESAMPLES = 1000   # resamples of SALib's bootstrap intervals
SIGMA_RESAMPLES = 200        # trajectory resamples for the interval of Morris sigma (SALib gives one for mu* only)
CONFIDENCE = 0.95
TOP_K = 5                    # the top factors whose ranking the convergence report checks
OUTCOMES_TABLE = "run_outcomes"
SHARE_OUTCOME = f"talent_share_{HORIZON}"
TOTAL_OUTCOME = f"talent_total_{HORIZON}"
EFFECT = "effect"


# ------------------------------------------------------------------ designs
@dataclass(frozen=True)
class Design:
    """A SALib design in the unit cube (rows x factors) with the factors it maps onto."""

    method: str
    factors: tuple[Factor, ...]
    unit: np.ndarray
    size: int                 # Morris trajectories r, Sobol' base samples N, or Latin hypercube rows
    levels: int = DEFAULT_LEVELS
    second_order: bool = False
    seed: int = 0
    groups: tuple[str, ...] | None = None  # Morris by groups: each factor's group, whose factors move together

    @property
    def rows(self) -> int:
        return self.unit.shape[0]

    @property
    def screened(self) -> tuple[str, ...]:
        """What the indices rank: each factor, or in a screening by groups each group (in the order of its first factor)."""
        if self.groups is None:
            return tuple(f.name for f in self.factors)
        return tuple(dict.fromkeys(self.groups))

    def members(self, unit: str) -> int:
        """Factors in a screened unit: 1 for a factor, the group's size for a group."""
        return 1 if self.groups is None else self.groups.count(unit)

    @property
    def rows_per_block(self) -> int:
        """Rows of one trajectory (Morris), of one base sample (Sobol') or one row (Latin hypercube)."""
        k = len(self.factors)
        if self.method == "lhs":
            return 1
        if self.method == "morris":
            return len(self.screened) + 1
        return 2 * k + 2 if self.second_order else k + 2

    def problem(self) -> dict[str, Any]:
        """SALib's problem: every factor on [0, 1], so that Morris effects are per whole range and comparable."""
        problem: dict[str, Any] = {"num_vars": len(self.factors), "names": [f.name for f in self.factors],
                                   "bounds": [[0.0, 1.0]] * len(self.factors)}
        if self.groups is not None:
            problem["groups"] = list(self.groups)
        return problem

    def values(self) -> list[dict[str, float | int]]:
        """Each row as scenario overrides keyed by the factors' full names."""
        columns = [f.values(self.unit[:, j]) for j, f in enumerate(self.factors)]
        return [{f.name: columns[j][i] for j, f in enumerate(self.factors)} for i in range(self.rows)]


def check_design_size(*, method: str, size: int, levels: int = DEFAULT_LEVELS) -> None:
    """The sizes SALib's designs and the convergence halves need; a ``ValueError`` names what is wrong."""
    if method not in DESIGNS:
        raise ValueError(f"method {method!r}: use one of {', '.join(DESIGNS)}")
    if method == "lhs":
        if size < 1:
            raise ValueError(f"{size} rows: a Latin hypercube needs at least 1")
    elif method == "morris":
        if size < 2 or size % 2:
            raise ValueError(f"{size} trajectories: use an even number of at least 2 (the convergence report halves the design)")
        if levels < 2 or levels % 2:
            raise ValueError(f"{levels} levels: use an even number of at least 2")
    elif size < 4 or size & (size - 1):
        raise ValueError(f"{size} base samples: use a power of two of at least 4 (the Sobol' sequence is balanced at powers of two)")


def sample_design(factors: Sequence[Factor], *, method: str, size: int, seed: int, levels: int = DEFAULT_LEVELS,
                  second_order: bool = False, groups: Sequence[str] | None = None) -> Design:
    """Morris trajectories (``SALib.sample.morris``), Saltelli's scheme (``SALib.sample.sobol``) or a Latin hypercube
    of ``size`` rows (``SALib.sample.latin``, McKay et al. 1979) in the unit cube.

    ``groups`` (Morris only) names each factor's group: a trajectory then moves the factors of one group at a time,
    each in its own direction, and the indices rank the groups (Campolongo, Cariboni & Saltelli 2007), in
    ``size`` x (groups + 1) rows instead of ``size`` x (factors + 1).
    """
    check_design_size(method=method, size=size, levels=levels)
    factors = tuple(factors)
    names = [f.name for f in factors]
    fewest = 2 if method == "sobol" else 1
    if len(factors) < fewest:
        raise ValueError(f"{method} needs at least {fewest} factor{'s' if fewest > 1 else ''}")
    if len(set(names)) != len(names):
        raise ValueError(f"factors named twice: {', '.join(sorted({n for n in names if names.count(n) > 1}))}")
    if groups is not None:
        groups = tuple(groups)
        if method != "morris":
            raise ValueError(f"groups of factors are screened by Morris's method only, not {method}")
        if len(groups) != len(factors) or not all(isinstance(g, str) and g for g in groups):
            raise ValueError(f"groups: give one group name for each of the {len(factors)} factors")
    design = Design(method=method, factors=factors, unit=np.zeros((0, len(factors))), size=size, levels=levels,
                    second_order=second_order, seed=seed, groups=groups)
    sample_seed = seed % 2**32
    if method == "morris":
        from SALib.sample import morris

        unit = morris.sample(design.problem(), N=size, num_levels=levels, seed=sample_seed)
    elif method == "lhs":
        from SALib.sample import latin

        unit = latin.sample(design.problem(), size, seed=sample_seed)
    else:
        from SALib.sample import sobol

        unit = sobol.sample(design.problem(), size, calc_second_order=second_order, scramble=True, seed=sample_seed)
    return Design(method=method, factors=factors, unit=np.asarray(unit, dtype=float), size=size, levels=levels,
                  second_order=second_order, seed=seed, groups=groups)


# ------------------------------------------------------------------ what a design runs through
@dataclass(frozen=True)
class Simulator:
    """The model of a sensitivity study.

    ``specs(design)`` returns every run of the design: ``spec.point`` is the design row and
    ``spec.config["name"]`` the arm (``arms[0]`` the base of every effect); each arm runs the same
    seeds at every row. ``task`` runs one spec on a worker and writes its outcomes with
    :func:`record_outcomes`; it must be a module-level function, so that Dask can send it.
    """

    arms: tuple[str, ...]
    specs: Callable[[Design], list[RunSpec]]
    task: Callable[[RunSpec, str], dict]
    scale: int | None = None


def record_outcomes(spec: RunSpec, study_dir: str, *, evaluate: Callable[[RunSpec], dict[str, float]]) -> dict[str, Any]:
    """Evaluate one run and write its outcomes (``runs/run_outcomes/<id>.parquet``), then its completion
    marker; never raises, so that a failure is a record in ``failures/`` and the study goes on."""
    def outcomes(spec: RunSpec) -> dict[str, pa.Table]:
        values = evaluate(spec)
        return {OUTCOMES_TABLE: pa.table({"outcome": list(values),
                                          "value": pa.array([float(v) for v in values.values()], pa.float64())})}

    return record_run(spec, study_dir, results=outcomes)


def simulate_outcomes(spec: RunSpec) -> dict[str, float]:
    """One TalentSim run: the XLRM outcomes (:func:`sim.xlrm.outcome_values`) and the talent share of
    residents at the end of the horizon year (or the run's last year, if it ends earlier)."""
    from sim.model import TalentModel

    model = TalentModel(spec.scenario(), seed=spec.seed, collect_model_vars=False).run()
    tables = model.recorder.tables([*OUTCOME_TABLES, "city_annual"])
    values = outcome_values(tables, cluster_ids=model.region.cluster_ids)
    city = tables["city_annual"]
    years = np.asarray(city.column("year").to_numpy())
    share = city.column("talent_share").to_numpy(zero_copy_only=False)
    upto = np.flatnonzero(years <= HORIZON)
    values[SHARE_OUTCOME] = float(share[upto[np.argmax(years[upto])]]) if len(upto) else float("nan")
    return values


def talentsim_task(spec: RunSpec, study_dir: str) -> dict[str, Any]:
    return record_outcomes(spec, study_dir, evaluate=simulate_outcomes)


def talentsim_simulator(scenarios: Sequence[Scenario], *, seeds: int = 1, root_seed: int | None = None,
                        scale: int | None = DEFAULT_SCALE) -> Simulator:
    """TalentSim with the first scenario as base and the others as policies, every arm at every row with
    the same ``seeds`` run seeds (derived from ``root_seed``, by default the base scenario's seed)."""
    scenarios = list(scenarios)
    if not scenarios:
        raise ValueError("no scenario to run")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenarios named twice: {', '.join(sorted({n for n in names if names.count(n) > 1}))}")
    root = scenarios[0].run.seed if root_seed is None else root_seed

    def specs(design: Design) -> list[RunSpec]:
        points = design.values()
        labels = [f"row {i}" for i in range(design.rows)]
        return [spec for s in scenarios
                for spec in build_specs(s, points=points, labels=labels, seeds=seeds, root_seed=root, scale=scale)]

    return Simulator(arms=tuple(names), specs=specs, task=talentsim_task, scale=scale)


def check_policies(scenarios: Sequence[Scenario], factors: Sequence[Factor]) -> list[str]:
    """Problems that make a policy's effect meaningless here: another region or period than the base's, or a
    sampled factor that the policy sets differently (the sample would overwrite the policy)."""
    base, problems = scenarios[0], []
    for policy in scenarios[1:]:
        if policy.load_region() != base.load_region():
            problems.append(f"{policy.name} runs on another region than {base.name}")
        if (policy.run.start, policy.run.end) != (base.run.start, base.run.end):
            problems.append(f"{policy.name} runs {policy.run.start} to {policy.run.end}, {base.name} {base.run.start} to {base.run.end}")
        for f in factors:
            mine, theirs = value_at(policy, f.name), value_at(base, f.name)
            if mine != theirs:
                problems.append(f"{policy.name} sets {f.name} to {mine} ({base.name}: {theirs}), but it is a sampled factor: "
                                "the sample would overwrite the policy; leave it out of --factors")
    return problems


def scheduled_factors(scenarios: Sequence[Scenario], factors: Sequence[Factor]) -> list[str]:
    """Sampled levers that a scenario's time path resets later in the run (the sample holds only until then)."""
    return [f.name for f in factors if any(schedule_starts(s, f.name) for s in scenarios)]


# ------------------------------------------------------------------ reading the runs
def unique_specs(specs: Sequence[RunSpec]) -> list[RunSpec]:
    """Each run once: a Morris grid may visit the same point twice, and the same configuration is the same run."""
    first: dict[str, RunSpec] = {}
    for spec in specs:
        first.setdefault(spec.run_id, spec)
    return list(first.values())


def read_responses(specs: Sequence[RunSpec], *, study_dir: Path, arms: Sequence[str], rows: int) -> dict[str, np.ndarray]:
    """Every outcome per design row, in row order (never in the order the runs finished): the base arm's value
    averaged over the seeds, and for each policy ``effect:<policy>:<outcome>``, the paired difference to the base
    at the same row and seed, averaged over the seeds."""
    values: dict[tuple[str, int, int], dict[str, float]] = {}
    for spec in specs:
        key = (spec.config["name"], spec.point, spec.seed)
        if key not in values:
            table = pq.read_table(partition_file(study_dir, OUTCOMES_TABLE, spec.run_id), columns=["outcome", "value"])
            values[key] = dict(zip(table.column("outcome").to_pylist(), table.column("value").to_numpy()))
    seeds = sorted({seed for _, _, seed in values})
    base = arms[0]
    names = list(values[(base, 0, seeds[0])])
    level = np.array([[[values[(base, r, s)][o] for s in seeds] for r in range(rows)] for o in names])
    out = {o: level[i].mean(axis=1) for i, o in enumerate(names)}
    for arm in arms[1:]:
        policy = np.array([[[values[(arm, r, s)][o] for s in seeds] for r in range(rows)] for o in names])
        out.update({effect_name(arm, o): (policy[i] - level[i]).mean(axis=1) for i, o in enumerate(names)})
    return out


def effect_name(policy: str, outcome: str) -> str:
    return f"{EFFECT}:{policy}:{outcome}"


def default_outcomes(available: Sequence[str], *, cluster_ids: Sequence[str], arms: Sequence[str]) -> list[str]:
    """The city's talent at the horizon, per cluster, the talent share of residents, and each policy's effect on them."""
    levels = [TOTAL_OUTCOME, *(f"talent_{c}_{HORIZON}" for c in cluster_ids), SHARE_OUTCOME]
    wanted = levels + [effect_name(a, o) for a in arms[1:] for o in levels]
    return [o for o in wanted if o in available]


def main_outcomes(outcomes: Sequence[str]) -> list[str]:
    """The outcomes charted by default: the city total, the talent share and the policies' effects on the city total."""
    return [o for o in outcomes if o in (TOTAL_OUTCOME, SHARE_OUTCOME) or (o.startswith(EFFECT + ":") and o.endswith(":" + TOTAL_OUTCOME))]


# ------------------------------------------------------------------ indices
def analyse(design: Design, responses: dict[str, np.ndarray], *, outcomes: Sequence[str],
            resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[pa.Table, pa.Table, pa.Table]:
    """The indices of each outcome at N (first half of the design) and 2N (all of it), the second-order indices
    (Sobol' with ``second_order``, at 2N) and the convergence report; computed by SALib's analyzers."""
    rows: list[dict[str, Any]] = []
    pairs: list[dict[str, Any]] = []
    for outcome in outcomes:
        y = np.asarray(responses[outcome], dtype=float)
        for size in (design.size // 2, design.size):
            found = _indices(design, y, size=size, resamples=resamples)
            rows += [{"outcome": outcome, **row} for row in found["rows"]]
            if size == design.size:
                pairs += [{"outcome": outcome, **pair} for pair in found["pairs"]]
    indices = _table(rows, INDEX_TYPES)
    second = _table(pairs, {"outcome": pa.string(), "factor_a": pa.string(), "factor_b": pa.string(), "s2": pa.float64(),
                            "s2_ci_low": pa.float64(), "s2_ci_high": pa.float64()})
    return indices, second, convergence_table(indices, method=design.method, size=design.size)


INDEX_TYPES = {"outcome": pa.string(), "method": pa.string(), "design_size": pa.int64(), "runs_per_arm": pa.int64(),
               "factor": pa.string(), "rank": pa.int64(), "mu_star": pa.float64(), "mu_star_ci_low": pa.float64(),
               "mu_star_ci_high": pa.float64(), "mu": pa.float64(), "sigma": pa.float64(), "sigma_ci_low": pa.float64(),
               "sigma_ci_high": pa.float64(), "s1": pa.float64(), "s1_ci_low": pa.float64(), "s1_ci_high": pa.float64(),
               "st": pa.float64(), "st_ci_low": pa.float64(), "st_ci_high": pa.float64()}


def _indices(design: Design, y: np.ndarray, *, size: int, resamples: int) -> dict[str, list[dict[str, Any]]]:
    n_rows = size * design.rows_per_block
    names = list(design.screened)
    empty = dict.fromkeys(k for k in INDEX_TYPES if k not in ("outcome", "method", "design_size", "runs_per_arm", "factor", "rank"))
    rows = [{"method": design.method, "design_size": size, "runs_per_arm": n_rows, "factor": n, **empty} for n in names]
    pairs: list[dict[str, Any]] = []
    with warnings.catch_warnings():
        # a constant outcome (a cluster the factors cannot move) divides zero by zero: its indices are empty
        warnings.simplefilter("ignore", RuntimeWarning)
        if design.method == "morris":
            key = _morris(design, y[:n_rows], resamples=resamples)
        else:
            key, pairs = _sobol(design, y[:n_rows], resamples=resamples)
    for row, values in zip(rows, key):
        row.update(values)
    measure = "mu_star" if design.method == "morris" else "st"
    order = sorted(range(len(rows)), key=lambda i: (-_finite_or(rows[i][measure], -np.inf), i))
    for rank, i in enumerate(order, start=1):
        rows[i]["rank"] = rank
    return {"rows": rows, "pairs": pairs}


def _finite_or(value: Any, default: float) -> float:
    return float(value) if value is not None and np.isfinite(value) else default


def _morris(design: Design, y: np.ndarray, *, resamples: int) -> list[dict[str, float]]:
    """mu*, its bootstrap interval, mu and sigma by ``SALib.analyze.morris``; sigma's percentile interval by
    resampling whole trajectories of SALib's elementary effects (sigma is their standard deviation, ddof 1).
    In the order of ``design.screened``; a group of several factors has no sigma (SALib's NaN), since its factors
    move in either direction and their effects partly cancel in mu (mu* is the measure for groups)."""
    from SALib.analyze import morris

    problem, x = design.problem(), design.unit[: len(y)]
    result = morris.analyze(problem, x, y, num_resamples=resamples, conf_level=CONFIDENCE, num_levels=design.levels, seed=design.seed)
    position = {name: j for j, name in enumerate(result["names"])}
    effects = _elementary_effects(design, x, y)
    r = effects.shape[1]
    low = high = np.full(len(design.screened), np.nan)
    if r > 1:
        picks = np.random.default_rng(design.seed).integers(0, r, size=(SIGMA_RESAMPLES, r))
        sigmas = effects[:, picks].std(axis=2, ddof=1)  # screened units x resamples
        tail = (1 - CONFIDENCE) / 2 * 100
        low, high = np.percentile(sigmas, [tail, 100 - tail], axis=1)
    rows = []
    for i, name in enumerate(design.screened):
        j = position[name]
        rows.append({"mu_star": result["mu_star"][j], "mu_star_ci_low": result["mu_star"][j] - result["mu_star_conf"][j],
                     "mu_star_ci_high": result["mu_star"][j] + result["mu_star_conf"][j], "mu": result["mu"][j],
                     "sigma": result["sigma"][j], "sigma_ci_low": low[i], "sigma_ci_high": high[i]})
    return rows


def _elementary_effects(design: Design, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """SALib's elementary effects, screened units (``design.screened``) x trajectories; NaN for a group of several
    factors, whose effect has no one sign. Its analyzer computes them but returns only their statistics; its
    internal function is used where present (one pass), else the analyzer on each trajectory alone, whose mean
    effect is that trajectory's effect (one call per trajectory, the same numbers)."""
    try:
        from SALib.analyze.morris import _compute_delta, _compute_elementary_effects
    except ImportError:
        effects = effects_by_trajectory(design, x, y)
    else:
        by_factor = np.asarray(_compute_elementary_effects(x, y, design.rows_per_block, _compute_delta(design.levels)), dtype=float)
        units = design.groups or tuple(f.name for f in design.factors)
        first = {}
        for j, unit in enumerate(units):
            first.setdefault(unit, j)
        effects = by_factor[[first[unit] for unit in design.screened]]
    alone = np.array([design.members(unit) == 1 for unit in design.screened])
    return np.where(alone[:, None], effects, np.nan)


def effects_by_trajectory(design: Design, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The elementary effects through SALib's public analyzer, one trajectory at a time (screened units x trajectories)."""
    from SALib.analyze import morris

    block = design.rows_per_block
    with warnings.catch_warnings():
        # each call sees one trajectory, whose sigma (a spread over one effect) numpy warns is undefined; only mu is read
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        return np.array([morris.analyze(design.problem(), x[j * block:(j + 1) * block], y[j * block:(j + 1) * block],
                                        num_resamples=1, num_levels=design.levels)["mu"] for j in range(len(y) // block)]).T


def _sobol(design: Design, y: np.ndarray, *, resamples: int) -> tuple[list[dict[str, float]], list[dict[str, Any]]]:
    """S1, ST (and S2) with their bootstrap intervals by ``SALib.analyze.sobol``."""
    from SALib.analyze import sobol

    k = len(design.factors)
    if not np.ptp(y) > 0:
        return [dict.fromkeys(("s1", "st")) for _ in range(k)], []
    result = sobol.analyze(design.problem(), y, calc_second_order=design.second_order, num_resamples=resamples,
                           conf_level=CONFIDENCE, seed=design.seed)
    key = [{"s1": result["S1"][j], "s1_ci_low": result["S1"][j] - result["S1_conf"][j],
            "s1_ci_high": result["S1"][j] + result["S1_conf"][j], "st": result["ST"][j],
            "st_ci_low": result["ST"][j] - result["ST_conf"][j], "st_ci_high": result["ST"][j] + result["ST_conf"][j]}
           for j in range(k)]
    pairs = []
    if design.second_order:
        for a in range(k):
            for b in range(a + 1, k):
                s2, conf = result["S2"][a, b], result["S2_conf"][a, b]
                pairs.append({"factor_a": design.factors[a].name, "factor_b": design.factors[b].name, "s2": s2,
                              "s2_ci_low": s2 - conf, "s2_ci_high": s2 + conf})
    return key, pairs


def _table(rows: list[dict[str, Any]], types: dict[str, pa.DataType]) -> pa.Table:
    def clean(v: Any) -> Any:
        if v is None or (isinstance(v, (float, np.floating)) and not np.isfinite(v)):
            return None
        return v.item() if isinstance(v, np.generic) else v
    return pa.table({k: pa.array([clean(r[k]) for r in rows], type=t) for k, t in types.items()})


def convergence_table(indices: pa.Table, *, method: str, size: int, top_k: int = TOP_K) -> pa.Table:
    """Per outcome: the top factors at N and at 2N, whether they are the same (set and order), and the rank
    correlation (Spearman) of the ranking measure (mu* or ST) over all factors."""
    from scipy.stats import spearmanr

    measure = "mu_star" if method == "morris" else "st"
    cols: dict[str, list] = {k: [] for k in ("outcome", "measure", "n", "two_n", "top_k", "top_at_n", "top_at_2n",
                                             "same_top_set", "same_top_order", "rank_correlation")}
    data = indices.to_pylist()
    for outcome in dict.fromkeys(r["outcome"] for r in data):
        half = {r["factor"]: r for r in data if r["outcome"] == outcome and r["design_size"] == size // 2}
        full = {r["factor"]: r for r in data if r["outcome"] == outcome and r["design_size"] == size}
        k = min(top_k, len(full))
        top = {n: [f for f, _ in sorted(((f, r["rank"]) for f, r in part.items()), key=lambda t: t[1])][:k]
               for n, part in (("n", half), ("2n", full))}
        a = np.array([_finite_or(half[f][measure], np.nan) for f in full])
        b = np.array([_finite_or(full[f][measure], np.nan) for f in full])
        ok = np.isfinite(a) & np.isfinite(b)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a constant ranking has no rank correlation
            rho = float(spearmanr(a[ok], b[ok]).statistic) if ok.sum() > 2 else float("nan")
        row = [outcome, measure, size // 2, size, k, ", ".join(top["n"]), ", ".join(top["2n"]), set(top["n"]) == set(top["2n"]),
               top["n"] == top["2n"], rho if math.isfinite(rho) else None]
        for key, value in zip(cols, row):
            cols[key].append(value)
    types = {"n": pa.int64(), "two_n": pa.int64(), "top_k": pa.int64(), "same_top_set": pa.bool_(), "same_top_order": pa.bool_(),
             "rank_correlation": pa.float64()}
    return pa.table({k: pa.array(v, type=types.get(k, pa.string())) for k, v in cols.items()})


# ------------------------------------------------------------------ a whole study
@dataclass
class SensitivityResult:
    study_dir: Path
    design: Design
    arms: tuple[str, ...]
    specs: list[RunSpec]           # every run of every row and arm, in design order (a repeated configuration repeats)
    status: dict[str, str]         # by run id: each distinct run once
    outcomes: list[str]
    responses: dict[str, np.ndarray] = field(default_factory=dict)
    indices: pa.Table | None = None
    second_order: pa.Table | None = None
    convergence: pa.Table | None = None
    failures: list[dict[str, Any]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    run_seconds: float = 0.0

    @property
    def distinct_runs(self) -> int:
        """Runs of the study: design rows x seeds x scenarios, a configuration met twice counted once."""
        return len(self.status)

    @property
    def runs_per_minute(self) -> float:
        """Runs simulated by this invocation per minute of running them (NaN when all were complete before)."""
        ran = sum(1 for s in self.status.values() if s == "done")
        return 60.0 * ran / self.run_seconds if ran and self.run_seconds > 0 else float("nan")


def run_design(design: Design, simulator: Simulator, *, study_dir: Path, workers: int | None = None,
               scheduler: str | None = None, dashboard: bool = False, progress: bool = False,
               design_formats: Sequence[str] = ("parquet",)) -> SensitivityResult:
    """Run the design through the simulator as one study (resumable: complete runs are skipped) and write the
    design; the responses are read when no run failed. A result without indices: :func:`run_sensitivity` and
    scenario discovery (:mod:`sim.discover`) analyse it."""
    t0 = time.perf_counter()
    study_dir = Path(study_dir)
    every = simulator.specs(design)
    status = execute(unique_specs(every), study_dir=study_dir, workers=workers, scheduler=scheduler, dashboard=dashboard,
                     progress=progress, task=simulator.task)
    run_seconds = time.perf_counter() - t0
    result = SensitivityResult(study_dir=study_dir, design=design, arms=simulator.arms, specs=every, status=status,
                               outcomes=[], run_seconds=run_seconds)
    result.files += write_table(study_dir, design_table(design), name="design", formats=tuple(design_formats))
    result.failures = [json.loads(failure_record(study_dir, s.run_id).read_text(encoding="utf-8"))
                       for s in unique_specs(every) if status[s.run_id] == "failed"]
    if not result.failures:
        result.responses = read_responses(every, study_dir=study_dir, arms=simulator.arms, rows=design.rows)
    result.seconds = time.perf_counter() - t0
    return result


def run_sensitivity(design: Design, simulator: Simulator, *, study_dir: Path, outcomes: Sequence[str] | None = None,
                    cluster_ids: Sequence[str] = (), workers: int | None = None, scheduler: str | None = None,
                    dashboard: bool = False, progress: bool = False, resamples: int = BOOTSTRAP_RESAMPLES) -> SensitivityResult:
    """Run the design through the simulator as one study and compute the indices of ``outcomes``
    (default: :func:`default_outcomes`). Writes the design, the responses, the indices and the convergence
    report; a study with failed runs gets no indices (rerun it: complete runs are skipped)."""
    t0 = time.perf_counter()
    if design.method not in METHODS:
        raise ValueError(f"a {design.method} design has no sensitivity indices; use one of {', '.join(METHODS)}")
    study_dir = Path(study_dir)
    result = run_design(design, simulator, study_dir=study_dir, workers=workers, scheduler=scheduler, dashboard=dashboard,
                        progress=progress)
    if not result.failures:
        chosen = list(outcomes) if outcomes else default_outcomes(list(result.responses), cluster_ids=cluster_ids, arms=simulator.arms)
        unknown = [o for o in chosen if o not in result.responses]
        if unknown:
            raise ValueError(f"outcomes {', '.join(unknown)} are not computed; available: {', '.join(result.responses)}")
        result.outcomes = chosen
        result.indices, result.second_order, result.convergence = analyse(design, result.responses, outcomes=chosen, resamples=resamples)
        result.files += write_table(study_dir, responses_table(result.responses, outcomes=chosen), name="responses", formats=("parquet",))
        result.files += write_table(study_dir, result.indices, name="indices")
        result.files += write_table(study_dir, result.convergence, name="convergence")
        if design.second_order:
            result.files += write_table(study_dir, result.second_order, name="second_order")
    result.seconds = time.perf_counter() - t0
    return result


def top_screened(result: SensitivityResult, *, outcome: str, n: int) -> list[str]:
    """The ``n`` factors, or groups, ranked highest for ``outcome`` over the whole design (by mu* or ST)."""
    if result.indices is None:
        raise ValueError("the study has no indices (failed runs?)")
    rows = [r for r in result.indices.to_pylist() if r["outcome"] == outcome and r["design_size"] == result.design.size]
    if not rows:
        raise ValueError(f"{outcome} is not among the study's outcomes: {', '.join(result.outcomes)}")
    return [r["factor"] for r in sorted(rows, key=lambda r: r["rank"])[:n]]


def design_table(design: Design) -> pa.Table:
    """The design in long form: row, factor, its group (a screening by groups), its point of the unit interval and the
    value the runs used."""
    k = len(design.factors)
    values = design.values()
    return pa.table({
        "row": pa.array(np.repeat(np.arange(design.rows), k), pa.int64()),
        "factor": [f.name for f in design.factors] * design.rows,
        "group": pa.array(list(design.groups or [None] * k) * design.rows, pa.string()),
        "unit_value": pa.array(design.unit.reshape(-1), pa.float64()),
        "value": pa.array([float(values[i][f.name]) for i in range(design.rows) for f in design.factors], pa.float64()),
    })


def responses_table(responses: dict[str, np.ndarray], *, outcomes: Sequence[str]) -> pa.Table:
    rows = len(next(iter(responses.values())))
    return pa.table({"row": pa.array(np.tile(np.arange(rows), len(outcomes)), pa.int64()),
                     "outcome": [o for o in outcomes for _ in range(rows)],
                     "value": pa.array(np.concatenate([responses[o] for o in outcomes]), pa.float64())})


def study_name(method: str, *, factors: Sequence[Factor], arms: Sequence[str], groups: Sequence[str] | None = None) -> str:
    """``sensitivity-<method>`` with a short hash of the factors (and their groups) and arms, so that different designs
    do not mix."""
    grouped = [] if groups is None else ["|groups", *groups]
    digest = hashlib.sha256("\n".join([*(f.name for f in factors), *grouped, "|", *arms]).encode()).hexdigest()[:8]
    return f"sensitivity-{method}-{digest}"


def available_outcomes(cluster_ids: Sequence[str], *, arms: Sequence[str]) -> list[str]:
    """Every outcome a TalentSim study computes: the XLRM outcomes, the talent share, and each policy's effect on them."""
    from sim.xlrm import outcomes as xlrm_outcomes

    levels = [o.name for o in xlrm_outcomes(list(cluster_ids))] + [SHARE_OUTCOME]
    return levels + [effect_name(a, o) for a in arms[1:] for o in levels]


def design_rows(*, method: str, size: int, factors: int, second_order: bool = False, groups: int | None = None) -> int:
    """Rows of a design, known before it is drawn (so that an oversized study is refused at once); ``groups``: the
    number of groups of a Morris screening by groups."""
    if method == "lhs":
        return size
    per_block = (groups or factors) + 1 if method == "morris" else (2 * factors + 2 if second_order else factors + 2)
    return size * per_block


def sensitivity_study(scenarios: Sequence[Scenario], *, factors: Sequence[Factor], method: str, size: int, out: Path,
                      name: str | None = None, levels: int = DEFAULT_LEVELS, second_order: bool = False, seeds: int = 1,
                      root_seed: int | None = None, scale: int | None = DEFAULT_SCALE, outcomes: Sequence[str] | None = None,
                      workers: int | None = None, scheduler: str | None = None, dashboard: bool = False, progress: bool = False,
                      charts: bool = True, lang: str = "en", resamples: int = BOOTSTRAP_RESAMPLES,
                      groups: Sequence[str] | None = None) -> SensitivityResult:
    """A TalentSim sensitivity study: the first scenario is the base, the others policies whose effects are analysed;
    ``groups`` (Morris): each factor's group, to screen groups of factors rather than each (:func:`sample_design`).

    Files go to ``out/<base>/<name>/`` (default ``sensitivity-<method>-<hash of factors and scenarios>``): the runs,
    ``design``, ``responses``, ``indices``, ``convergence`` (and ``second_order``) and the charts of the main outcomes
    (the city total, the talent share and each policy's effect on the city total) or of the ``outcomes`` asked for.
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise ValueError("a sensitivity study needs a base scenario (the first; the others are policies)")
    problems = check_policies(scenarios, factors)
    if problems:
        raise ValueError("; ".join(problems))
    base = scenarios[0]
    root = base.run.seed if root_seed is None else root_seed
    design = sample_design(factors, method=method, size=size, seed=root, levels=levels, second_order=second_order, groups=groups)
    simulator = talentsim_simulator(scenarios, seeds=seeds, root_seed=root, scale=scale)
    folder = Path(out) / base.name / (name or study_name(method, factors=factors, arms=simulator.arms, groups=design.groups))
    region = base.load_region()
    available = available_outcomes(region.cluster_ids, arms=simulator.arms)
    unknown = [o for o in outcomes or [] if o not in available]
    if unknown:  # before the runs, not after them
        raise ValueError(f"outcomes {', '.join(unknown)} are not outcomes of this study; choose from {', '.join(available)}")
    result = run_sensitivity(design, simulator, study_dir=folder, outcomes=outcomes, cluster_ids=region.cluster_ids,
                             workers=workers, scheduler=scheduler, dashboard=dashboard, progress=progress, resamples=resamples)
    if charts and result.indices is not None:
        from sim.charts.captions import design_caption
        from sim.charts.sensitivity import render_sensitivity_charts, titles_of
        from sim.charts.style import resolve_language

        chart_lang, _ = resolve_language(lang)
        caption = design_caption(scenarios, kind="sensitivity", method={"morris": "Morris", "sobol": "Sobol'"}.get(method, method),
                                 factors=len(factors), groups=None if design.groups is None else len(design.screened), rows=design.rows, seeds=seeds, scale=result.specs[0].config["run"]["scale"],
                                 lang=chart_lang)
        result.files += render_sensitivity_charts(indices=result.indices, outcomes=list(outcomes) if outcomes else main_outcomes(result.outcomes),
                                                  out_dir=folder / "charts", lang=chart_lang, caption=caption,
                                                  clusters=region.labels(), policies=titles_of(scenarios),
                                                  groups=design.groups is not None)
    return result
