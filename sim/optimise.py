"""Budget optimisation: the lever settings that do most for talent (or for the coupling of industry and talent)
within an annual budget, searched with optuna.

A *trial* is one setting of the searched lever families (:mod:`sim.optimise_space`), put in force from January
of the start year as a step of the base scenario's lever time path, and run with the same seeds as every other
trial (common random numbers): two trials differ by their settings, not by their luck. Its value is the
objective's mean over those seeds. One objective is searched with TPE (Bergstra et al. 2011, "Algorithms for
hyper-parameter optimization", NeurIPS 24); with ``pareto`` NSGA-II (Deb et al. 2002, IEEE Transactions on
Evolutionary Computation 6(2), 182-197) searches the trade-off between the money spent and the objective.

The budget is a hard constraint. Every setting is made to fit the envelope before it runs (budgets that
together exceed it shrink towards their low ends), its cost is the model's own budget accounting, and the
runs' realised spending is checked as well: a trial whose setting or spending exceeds the envelope is
marked infeasible (optuna's ``constraints_func``) and never chosen as best nor put on the front.

The best settings found are re-evaluated with fresh seeds, disjoint from the search seeds, beside the base
scenario at the same seeds: the search's own numbers favour the settings that were lucky with the search
seeds, the fresh ones do not. The optuna study lives in SQLite, so the same command run again adds trials
to it; every run's outcomes are written as in a sensitivity study (``runs/run_outcomes``), so a run already
complete is never repeated.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.compare import mean_interval
from sim.config import Scenario
from sim.ensemble import SCHEDULER_ENV, RunSpec, derive_seeds, done_marker, partition_file
from sim.optimise_space import (
    OBJECTIVES, SETTING, SPENDING, SearchSpace, budget_in_force, setting_overrides, specs_at,
)
from sim.results import write_atomic, write_table
from sim.sensitivity import OUTCOMES_TABLE, record_outcomes
from sim.xlrm import OUTCOME_TABLES, outcome_values

EVALUATED = (*OBJECTIVES.values(), SPENDING)
BASE_POINT = -1                    # the base scenario's runs among the trials' (point = trial number)
DEFAULT_BATCH = 4                  # trials asked for at once: fixed, so that results do not depend on the workers
DEFAULT_POPULATION = 16
# user attributes of a trial, as stored in the optuna study
SAMPLED, VALUE, SPENT, MOST_SPENT, ALLOCATED, EXCESS = (
    "sampled", "objective_value", SPENDING, "max_spending_yuan_per_year", "budget_yuan_per_year", "excess_yuan")


# ---------------------------------------------------------------- one run, on a worker
def annual_spending(spending: pa.Table) -> dict[str, float]:
    """Government spending on all levers per calendar year (``spending_yuan_<year>``) from a run's spending table."""
    years = spending.column("date").to_numpy().astype("datetime64[Y]").astype(int) + 1970
    spent = spending.column("spending_yuan").to_numpy()
    return {f"spending_yuan_{y}": float(spent[years == y].sum()) for y in np.unique(years)}


def simulate_budget_outcomes(spec: RunSpec) -> dict[str, float]:
    """One run: the XLRM outcomes (:func:`sim.xlrm.outcome_values`) and its spending in each calendar year."""
    from sim.model import TalentModel

    model = TalentModel(spec.scenario(), seed=spec.seed).run()
    tables = model.recorder.tables(list(OUTCOME_TABLES))
    return {**outcome_values(tables, cluster_ids=model.region.cluster_ids), **annual_spending(tables["spending"])}


def optimise_task(spec: RunSpec, study_dir: str) -> dict[str, Any]:
    return record_outcomes(spec, study_dir, evaluate=simulate_budget_outcomes)


def policy_spending(values: dict[str, float], *, from_year: int) -> tuple[float, float]:
    """Mean and largest annual spending of a run over the years from ``from_year`` on."""
    spent = [v for k, v in values.items() if k.startswith("spending_yuan_") and k[14:].isdigit() and int(k[14:]) >= from_year]
    return (float(np.mean(spent)), float(np.max(spent))) if spent else (float("nan"), float("nan"))


# ---------------------------------------------------------------- runs of a study
class Runner:
    """Runs specs serially or on one Dask cluster kept for the whole optimisation; complete runs are skipped."""

    def __init__(self, *, study_dir: Path, workers: int | None, scheduler: str | None, security: Any, dashboard: bool = False) -> None:
        self.study_dir = study_dir
        self.serial = workers == 0 and not (scheduler or os.environ.get(SCHEDULER_ENV))
        self.options = {"workers": workers, "scheduler": scheduler, "security": security, "dashboard": dashboard}
        self.stack = contextlib.ExitStack()
        self.client = None

    def __enter__(self) -> "Runner":
        if not self.serial:
            from sim.ensemble import _client

            self.client = self.stack.enter_context(_client(**self.options))
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    def run(self, specs: Sequence[RunSpec]) -> None:
        pending = list({s.run_id: s for s in specs if not done_marker(self.study_dir, s.run_id).exists()}.values())
        if self.client is None:
            for spec in pending:
                optimise_task(spec, str(self.study_dir))
            return
        futures = [self.client.submit(optimise_task, spec, str(self.study_dir), key=f"talentsim-{spec.run_id}", pure=False)
                   for spec in pending]
        self.client.gather(futures)

    def outcomes(self, specs: Sequence[RunSpec]) -> list[dict[str, float]] | None:
        """Each spec's outcomes, or None when one of its runs failed (its record in ``failures/`` says why)."""
        if not all(done_marker(self.study_dir, s.run_id).exists() for s in specs):
            return None
        out = []
        for spec in specs:
            table = pq.read_table(partition_file(self.study_dir, OUTCOMES_TABLE, spec.run_id), columns=["outcome", "value"])
            out.append(dict(zip(table.column("outcome").to_pylist(), table.column("value").to_pylist())))
        return out


# ---------------------------------------------------------------- the optuna study
def distributions(space: SearchSpace) -> dict[str, Any]:
    from optuna.distributions import FloatDistribution, IntDistribution

    return {p.name: IntDistribution(int(p.low), int(p.high)) if p.kind == "integer" else FloatDistribution(p.low, p.high)
            for p in space.parameters}


def storage_url(storage: str | Path) -> str:
    """An SQLAlchemy URL for a path (``sqlite:///...``); a URL given as such is kept."""
    text = str(storage)
    return text if text.startswith("sqlite:///") else f"sqlite:///{Path(text).resolve()}"


def study_plan(*, name: str, storage: str) -> tuple[int, dict[str, Any] | None]:
    """How many trials the stored study of that name has, and the settings it was made with (0 and None if new)."""
    import optuna

    if storage.startswith("sqlite:///") and not Path(storage.removeprefix("sqlite:///")).exists():
        return 0, None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        return 0, None
    return len(study.trials), study.user_attrs.get("identity")


def check_resumable(*, name: str, storage: str, identity: dict[str, Any]) -> int:
    """The trials a stored study already has; ValueError if it was made with other settings."""
    existing, stored = study_plan(name=name, storage=storage)
    if stored is not None and stored != identity:
        differ = sorted(k for k in set(stored) | set(identity) if stored.get(k) != identity.get(k))
        raise ValueError(f"study {name!r} in {storage} was made with other settings ({', '.join(differ)}); "
                         "give another --name to start a new study, or the same settings to continue it")
    return existing


def open_study(*, name: str, storage: str, identity: dict[str, Any], pareto: bool, sampler_seed: int, population: int) -> Any:
    """The optuna study of that name in the storage, made if new (check it first with :func:`check_resumable`)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if pareto:
            sampler: Any = optuna.samplers.NSGAIISampler(population_size=population, seed=sampler_seed)
        else:
            sampler = optuna.samplers.TPESampler(seed=sampler_seed, multivariate=True)
    study = optuna.create_study(study_name=name, storage=storage, load_if_exists=True, sampler=sampler,
                                directions=["minimize", "maximize"] if pareto else ["maximize"])
    if "identity" not in study.user_attrs:
        study.set_user_attr("identity", identity)
    return study


def trial_summary(outcomes: list[dict[str, float]], *, objective: str, from_year: int) -> dict[str, float]:
    spent = [policy_spending(o, from_year=from_year) for o in outcomes]
    return {VALUE: float(np.mean([o[OBJECTIVES[objective]] for o in outcomes])), SPENT: float(np.mean([s[0] for s in spent])),
            MOST_SPENT: float(np.max([s[1] for s in spent]))}


@dataclass
class Search:
    """What every trial shares: the base, the space, the seeds and where the runs go."""

    base: Scenario
    space: SearchSpace
    objective: str
    pareto: bool
    seeds: list[int]
    scale: int
    runner: Runner

    @property
    def from_year(self) -> int:
        return int(self.space.start[:4])

    def specs(self, number: int, setting: dict[str, float], seeds: Sequence[int]) -> list[RunSpec]:
        return specs_at(self.base, overrides=setting_overrides(self.base, self.space, setting), point=number,
                        label=f"trial {number}", seeds=seeds, scale=self.scale)

    def evaluate(self, study: Any, trials: list[Any]) -> None:
        """Run the trials (already asked for) at the search seeds and tell the study their values."""
        from optuna.trial import TrialState

        plans = []
        for trial in trials:
            sampled = {k: trial.params[k] for k in distributions(self.space)}
            setting = self.space.setting(sampled)
            specs = self.specs(trial.number, setting, self.seeds)
            allocated = budget_in_force(specs[0].scenario().levers, start=self.space.start)
            for key, value in ((SAMPLED, sampled), (SETTING, setting), (ALLOCATED, allocated)):
                trial.set_user_attr(key, value)
            plans.append((trial, specs, allocated))
        self.runner.run([s for _, specs, _ in plans for s in specs])
        for trial, specs, allocated in plans:
            outcomes = self.runner.outcomes(specs)
            if outcomes is None:
                study.tell(trial.number, state=TrialState.FAIL)
                continue
            summary = trial_summary(outcomes, objective=self.objective, from_year=self.from_year)
            excess = max(allocated, summary[MOST_SPENT]) - self.space.envelope_yuan
            for key, value in {**summary, EXCESS: excess}.items():
                trial.set_user_attr(key, value)
            # optuna's constraint (feasible at 0 or below): TPE and NSGA-II rank infeasible trials after every feasible one
            trial.set_constraint(EXCESS, excess)
            values = [summary[SPENT], summary[VALUE]] if self.pareto else summary[VALUE]
            study.tell(trial.number, values)


def search(study: Any, work: Search, *, trials: int, batch: int, progress: bool) -> None:
    """Add ``trials`` trials, ``batch`` at a time. A trial that an interrupted invocation left running is closed as
    failed and its setting tried again first (its complete runs are not repeated)."""
    from optuna.trial import TrialState

    for left in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(left.number, state=TrialState.FAIL)
        if set(left.params) == set(distributions(work.space)):
            study.enqueue_trial(left.params, skip_if_exists=False)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=trials, unit="trial", desc="trials")
    try:
        added = 0
        while added < trials:
            k = min(batch, trials - added)
            work.evaluate(study, [study.ask(distributions(work.space)) for _ in range(k)])
            added += k
            if bar is not None:
                bar.update(k)
    finally:
        if bar is not None:
            bar.close()


# ---------------------------------------------------------------- the best settings
def feasible(trials: Sequence[Any]) -> list[Any]:
    """Complete trials whose setting and realised spending stay within the envelope."""
    from optuna.trial import TrialState

    return [t for t in trials if t.state == TrialState.COMPLETE and t.user_attrs.get(EXCESS, math.inf) <= 0]


def best_trials(trials: Sequence[Any], *, k: int) -> list[Any]:
    """The ``k`` feasible trials of the highest objective, best first."""
    return sorted(feasible(trials), key=lambda t: (-t.user_attrs[VALUE], t.number))[:k]


def pareto_front(trials: Sequence[Any]) -> list[Any]:
    """The feasible trials that no other feasible trial beats in both spending (less) and objective (more), by spending."""
    ok = feasible(trials)
    front = [t for t in ok if not any(o.user_attrs[SPENT] <= t.user_attrs[SPENT] and o.user_attrs[VALUE] >= t.user_attrs[VALUE]
                                      and (o.user_attrs[SPENT], o.user_attrs[VALUE]) != (t.user_attrs[SPENT], t.user_attrs[VALUE])
                                      for o in ok)]
    return sorted(front, key=lambda t: (t.user_attrs[SPENT], t.number))


def chosen_for_evaluation(trials: Sequence[Any], *, pareto: bool, k: int) -> list[Any]:
    """The best feasible trial first, then up to ``k - 1`` more: the next best, or members spread along the front."""
    best = best_trials(trials, k=k)
    if not pareto or not best:
        return best
    others = [t for t in pareto_front(trials) if t.number != best[0].number]
    if len(others) > k - 1:
        others = [others[int(i)] for i in np.unique(np.round(np.linspace(0, len(others) - 1, k - 1)).astype(int))] if k > 1 else []
    return [best[0], *others]


def evaluation_seeds(root_seed: int, *, search: int, fresh: int) -> list[int]:
    """``fresh`` seeds after the search's in the root seed's sequence, none equal to a search seed."""
    every = derive_seeds(root_seed, search + fresh + 16)
    used = set(every[:search])
    return [s for s in every[search:] if s not in used][:fresh]


def interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% interval of the mean (Student's t), as a comparison's; NaN bounds from a single value."""
    mean, low, high = mean_interval(values)
    return float(mean), float(low), float(high)


def evaluation_table(per_setting: dict[int, list[dict[str, float]]], *, roles: dict[int, str], search_values: dict[int, float],
                     objective: str, from_year: int) -> pa.Table:
    """Each re-evaluated setting (and the base, trial -1) per outcome: mean and 95% interval over the fresh seeds, and the
    paired difference to the base at the same seeds with its interval."""
    def column(outcomes: list[dict[str, float]], name: str) -> np.ndarray:
        if name == SPENDING:
            return np.array([policy_spending(o, from_year=from_year)[0] for o in outcomes])
        return np.array([o[name] for o in outcomes])

    rows = []
    for number, outcomes in per_setting.items():
        for name in EVALUATED:
            values, base = column(outcomes, name), column(per_setting[BASE_POINT], name)
            mean, low, high = interval(values)
            diff, diff_low, diff_high = interval(values - base)
            rows.append({"trial": number, "role": roles[number], "outcome": name, "n_seeds": len(values), "mean": mean,
                         "ci_low": low, "ci_high": high, "diff_mean": diff, "diff_ci_low": diff_low, "diff_ci_high": diff_high,
                         "search_mean": search_values.get(number) if name == OBJECTIVES[objective] else None})
    types = {"trial": pa.int64(), "role": pa.string(), "outcome": pa.string(), "n_seeds": pa.int64()}
    return pa.table({k: pa.array([r[k] for r in rows], type=types.get(k, pa.float64())) for k in rows[0]})


def trials_table(trials: Sequence[Any], *, front: set[int], best: int | None, objective: str) -> pa.Table:
    from optuna.trial import TrialState

    names = {TrialState.COMPLETE: "complete", TrialState.FAIL: "failed", TrialState.RUNNING: "running"}
    ok = {t.number for t in feasible(trials)}

    def attr(t: Any, key: str) -> float | None:
        value = t.user_attrs.get(key)
        return None if value is None else float(value)

    columns = {
        "trial": pa.array([t.number for t in trials], pa.int64()),
        "state": pa.array([names.get(t.state, t.state.name.lower()) for t in trials], pa.string()),
        "feasible": pa.array([t.number in ok for t in trials], pa.bool_()),
        "objective": pa.array([objective] * len(trials), pa.string()),
        "objective_value": pa.array([attr(t, VALUE) for t in trials], pa.float64()),
        "budget_yuan_per_year": pa.array([attr(t, ALLOCATED) for t in trials], pa.float64()),
        "spending_yuan_per_year": pa.array([attr(t, SPENT) for t in trials], pa.float64()),
        "max_spending_yuan_per_year": pa.array([attr(t, MOST_SPENT) for t in trials], pa.float64()),
        "pareto": pa.array([t.number in front for t in trials], pa.bool_()),
        "best": pa.array([t.number == best for t in trials], pa.bool_()),
    }
    return pa.table(columns)


def settings_table(trials: Sequence[Any], space: SearchSpace) -> pa.Table:
    rows = [{"trial": t.number, "family": p.name.split(".")[1], "parameter": p.name, "value": t.user_attrs[SETTING][p.name],
             "sampled": t.user_attrs[SAMPLED][p.name], "low": p.low, "high": p.high, "unit": p.unit}
            for t in trials if SETTING in t.user_attrs for p in space.parameters]
    types = {"trial": pa.int64(), "family": pa.string(), "parameter": pa.string(), "unit": pa.string()}
    keys = ("trial", "family", "parameter", "value", "sampled", "low", "high", "unit")
    return pa.table({k: pa.array([r[k] for r in rows], type=types.get(k, pa.float64())) for k in keys})


# ---------------------------------------------------------------- the whole optimisation
@dataclass
class OptimiseResult:
    study_dir: Path
    study_name: str
    storage: str
    trials: pa.Table
    evaluation: pa.Table | None
    best: int | None
    scenario_file: Path | None
    files: list[Path] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


def default_name(*, objective: str, families: Sequence[str], envelope_yuan: float, pareto: bool) -> str:
    return f"{'pareto-' if pareto else ''}{objective}-{'-'.join(families)}-{envelope_yuan / 1e6:.0f}m"


MAX_TRIALS = 10_000
MAX_REEVALUATE = 20


def number_problems(*, trials: int, seeds: int, eval_seeds: int, reevaluate: int, batch: int, scale: int, population: int | None,
                    pareto: bool) -> dict[str, str]:
    """What is wrong with a search's numbers, by the setting that gives each (a search of no trials, or of batches of
    none, would never end)."""
    from sim.inputs import MAX_SEEDS

    checks = (("trials", trials, 1, MAX_TRIALS, "trials to add"), ("seeds", seeds, 1, MAX_SEEDS, "seeds per trial"),
              ("eval_seeds", eval_seeds, 1, MAX_SEEDS, "fresh seeds"), ("reevaluate", reevaluate, 1, MAX_REEVALUATE, "settings to re-evaluate"),
              ("batch", batch, 1, 1_000, "trials run at once"), ("scale", scale, 1, 10_000, "persons per skilled-tier agent"))
    problems = {name: f"{value}: must be a whole number of {what} from {low} to {high:,}" for name, value, low, high, what in checks
                if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high}
    if pareto and population is not None and not 2 <= population <= 1_000:
        problems["population"] = f"{population}: must be a population of 2 to 1,000 trials"
    return problems


def optimise_budget(base: Scenario, *, space: SearchSpace, objective: str, out: Path, trials: int, seeds: int = 2,
                    eval_seeds: int = 10, reevaluate: int = 3, scale: int = 100, root_seed: int | None = None,
                    pareto: bool = False, name: str | None = None, storage: str | Path | None = None,
                    batch: int = DEFAULT_BATCH, population: int = DEFAULT_POPULATION, workers: int | None = None,
                    scheduler: str | None = None, security: Any = None, dashboard: bool = False, overrides: dict[str, Any] | None = None,
                    progress: bool = False, charts: bool = True, lang: str = "en") -> OptimiseResult:
    """Search the space for the best settings within the envelope, re-evaluate them on fresh seeds and write the
    tables, the chart and the best setting as a scenario file under ``out/<base>/optimise-<name>/``."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective {objective!r}: choose {' or '.join(OBJECTIVES)}")
    problems = number_problems(trials=trials, seeds=seeds, eval_seeds=eval_seeds, reevaluate=reevaluate, batch=batch, scale=scale,
                               population=population, pareto=pareto)
    if problems:
        raise ValueError("; ".join(f"{name} {problem}" for name, problem in problems.items()))
    t0 = time.perf_counter()
    root = base.run.seed if root_seed is None else root_seed
    name = name or default_name(objective=objective, families=space.families, envelope_yuan=space.envelope_yuan, pareto=pareto)
    study_dir = (Path(out) / base.name / f"optimise-{name}").resolve()
    url = storage_url(storage if storage is not None else study_dir / "study.db")
    identity = {"base": base.name, "base_config": base.config_hash(), "families": list(space.families),
                "envelope_yuan_per_year": space.envelope_yuan, "objective": objective, "pareto": pareto, "seeds": seeds,
                "scale": scale, "root_seed": root, "start": space.start}
    existing = check_resumable(name=name, storage=url, identity=identity)
    study_dir.mkdir(parents=True, exist_ok=True)
    search_seeds = derive_seeds(root, seeds)
    fresh = evaluation_seeds(root, search=seeds, fresh=eval_seeds)
    with Runner(study_dir=study_dir, workers=workers, scheduler=scheduler, security=security, dashboard=dashboard) as runner:
        # the sampler's seed moves on with the trials already made, so a resumed study does not propose its first trials again
        study = open_study(name=name, storage=url, identity=identity, pareto=pareto, sampler_seed=root + existing,
                           population=population)
        work = Search(base=base, space=space, objective=objective, pareto=pareto, seeds=search_seeds, scale=scale, runner=runner)
        search(study, work, trials=trials, batch=batch, progress=progress)
        every = study.get_trials(deepcopy=False)
        chosen = chosen_for_evaluation(every, pareto=pareto, k=reevaluate)
        per_setting: dict[int, list[dict[str, float]]] = {}
        if chosen:
            points = {BASE_POINT: specs_at(base, overrides={}, point=BASE_POINT, label="base", seeds=fresh, scale=scale)}
            points.update({t.number: work.specs(t.number, t.user_attrs[SETTING], fresh) for t in chosen})
            runner.run([s for specs in points.values() for s in specs])
            per_setting = {n: o for n, specs in points.items() if (o := runner.outcomes(specs)) is not None}
    front = {t.number for t in pareto_front(every)}
    best = chosen[0].number if chosen else None
    result = OptimiseResult(study_dir=study_dir, study_name=name, storage=url, evaluation=None, best=best, scenario_file=None,
                            trials=trials_table(every, front=front, best=best, objective=objective))
    result.files += write_table(study_dir, result.trials, name="optimise_trials")
    result.files += write_table(study_dir, settings_table(every, space), name="optimise_settings")
    result.failures = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((study_dir / "failures").glob("*.json"))]
    evaluated = best is not None and BASE_POINT in per_setting and best in per_setting
    if evaluated:
        roles = {BASE_POINT: "base", **{t.number: "best" if t.number == best else ("front" if pareto else "runner-up") for t in chosen}}
        per_setting = {n: o for n, o in per_setting.items() if n in roles}
        result.evaluation = evaluation_table(per_setting, roles=roles, search_values={t.number: t.user_attrs[VALUE] for t in chosen},
                                             objective=objective, from_year=work.from_year)
        result.files += write_table(study_dir, result.evaluation, name="optimise_evaluation")
        if base.found is not None:
            from sim.optimise_files import write_best_scenario

            result.scenario_file = write_best_scenario(base, space=space, trial=next(t for t in chosen if t.number == best),
                                                       evaluation=result.evaluation, study_dir=study_dir, objective=objective,
                                                       seeds=fresh, scale=scale, overrides=overrides or {})
            result.files.append(result.scenario_file)
    if charts and result.trials.num_rows:
        from sim.optimise_files import render_chart

        result.files += render_chart(result, base=base, space=space, objective=objective, pareto=pareto, lang=lang, scale=scale,
                                     seeds=seeds, eval_seeds=len(fresh))
    meta = {"study": name, "storage": url, **identity, "levers": [p.name for p in space.parameters],
            "search_seeds": search_seeds, "evaluation_seeds": fresh, "trials": len(every),
            "feasible_trials": len(feasible(every)), "best_trial": best,
            "scenario_file": None if result.scenario_file is None else result.scenario_file.name}
    write_atomic(study_dir / "optimise.json", json.dumps(meta, indent=1, ensure_ascii=False).encode("utf-8"))
    result.files.append(study_dir / "optimise.json")
    result.seconds = time.perf_counter() - t0
    return result


__all__ = ["OBJECTIVES", "optimise_budget", "pareto_front", "best_trials", "feasible"]
