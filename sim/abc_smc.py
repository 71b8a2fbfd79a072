"""Calibration with a posterior: ABC-SMC (pyabc) over the fitted parameters, against every calibration target.

The point fit (:mod:`sim.calibrate`) gives one parameter set; this gives the weighted parameter sets that
reproduce the same targets — P1-P4 and the region's ``fitted`` observations — as well as the seed noise of
the model allows (Toni et al. 2009; Beaumont et al. 2009, whose population Monte Carlo is what pyabc
implements). Every parameter has a uniform prior over its declared plausible
range. A particle's distance to the targets is the Euclidean norm of the differences in units of each
target's tolerance half-width, so that a share and a population count weigh alike; the targets that hold
by construction of the initial state (P1) are simulated and reported but left out of the distance, since
no parameter moves them. Each generation accepts the particles within the median distance of the last
(pyabc's default), until the generations are spent, the distance threshold falls below a minimum, or fewer
proposals than a minimum share are accepted.

Reproducible: the global numpy generator is seeded from the scenario's seed; each particle's sampling
task is seeded from it in turn (pyabc's own mapping sampler reseeds every task from the operating
system), and each simulation draws its model seed inside the task. The same seed therefore gives the
same posterior serially or on any number of Dask workers.

Beaumont, M. A., Cornuet, J.-M., Marin, J.-M. & Robert, C. P. (2009), "Adaptive approximate Bayesian
computation", Biometrika 96(4), 983-990. Toni, T., Welch, D., Strelkowa, N., Ipsen, A. & Stumpf, M. P. H.
(2009), "Approximate Bayesian computation scheme for parameter inference and model selection in dynamical
systems", J. R. Soc. Interface 6, 187-202. Schälte, Y., Klinger, E., Alamoudi, E. & Hasenauer, J. (2022),
"pyABC: Efficient and robust easy-to-use approximate Bayesian computation", JOSS 7(74), 4304.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import cloudpickle
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.calibrate import fit_end, fit_runs, fitted_targets, free_parameters, target_values
from sim.config import Scenario
from sim.posterior import Posterior, posterior_file, write_posterior
from sim.results import write_table

# Settings of the analysis, not of the model.
# 200 particles give 5-95% quantiles from about ten particles in each tail; fewer make the interval a guess.
DEFAULT_POPULATION = 200
# Accepting within the median distance halves the accepted volume each generation, so with k parameters the
# threshold falls by about 2^(-1/k) a generation: for the baseline's six it fell from 6.1 tolerance half-widths
# at the prior to 3.6 after four generations and 1.6 after ten, when about nine tenths of the weight reproduced
# each target within its tolerance. Later generations cost more as the acceptance rate falls.
DEFAULT_GENERATIONS = 10
# The scale of the sensitivity screening's neighbour below: at 20, a run to 2022-12 takes 0.15 s and its seed
# noise in P2-P4 is well inside their tolerances.
DEFAULT_SCALE = 20
# Below 2% accepted, a generation costs over 50 simulations per particle: the threshold is then at the seed noise.
DEFAULT_MIN_ACCEPTANCE = 0.02
DISTANCE_NORM = 2  # Euclidean, in tolerance half-widths: a Gaussian kernel of one half-width per target
CREDIBLE = (0.05, 0.95)  # the 90% credible interval
ABC_FOLDER = "abc"
MAX_POPULATION = 100_000  # particles of one population, the limit of runs in one study
MAX_GENERATIONS = 100


@dataclass(frozen=True)
class Prior:
    """A uniform prior over a declared plausible range."""

    name: str  # full dotted name, as --set takes it
    low: float
    high: float
    unit: str

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]


def default_parameters(scenario: Scenario) -> list[str]:
    """The point fit's free parameters, by full dotted name."""
    return [".".join(["uncertainties", *([group] if group else []), name])
            for name, (group, *_) in free_parameters(scenario).items()]


def priors_for(names: Iterable[str]) -> list[Prior]:
    """Uniform priors over the declared ranges of these uncertainties (full or unambiguous short names);
    a ``ValueError`` names what cannot be calibrated."""
    from sim.xlrm import parameter

    priors: dict[str, Prior] = {}
    for name in names:
        p = parameter(name)
        if not p.name.startswith("uncertainties."):
            raise ValueError(f"{name}: a lever is what a planner chooses, not what a calibration infers; "
                             "choose uncertainties (talentsim params --grep uncertainties)")
        if p.kind != "real":
            raise ValueError(f"{name}: an integer parameter; the calibration samples real-valued uncertainties only")
        priors.setdefault(p.name, Prior(name=p.name, low=p.low, high=p.high, unit=p.unit))
    if not priors:
        raise ValueError("no parameters to calibrate")
    return list(priors.values())


def screening_factors(study_dir: Path, *, top: int) -> list[str]:
    """The ``top`` uncertainties of a Morris screening (its ``indices.parquet``), ranked by their best rank
    by mu* over the screening's outcomes at its whole design, then by their mean rank."""
    path = Path(study_dir) / "indices.parquet"
    if top < 1:
        raise ValueError(f"{top}: take at least one factor")
    try:
        rows = pq.read_table(path, columns=["outcome", "factor", "design_size", "rank", "mu_star"]).to_pylist()
    except (OSError, pa.ArrowInvalid, KeyError) as exc:
        raise ValueError(f"{path}: not the indices of a Morris screening (talentsim sensitivity --method morris): {exc}") from None
    rows = [r for r in rows if r["factor"].startswith("uncertainties.") and r["rank"] is not None]
    if not rows:
        raise ValueError(f"{path}: no ranked uncertainty")
    size = max(r["design_size"] for r in rows)
    ranks: dict[str, list[int]] = {}
    for r in rows:
        if r["design_size"] == size:
            ranks.setdefault(r["factor"], []).append(r["rank"])
    order = sorted(ranks, key=lambda f: (min(ranks[f]), float(np.mean(ranks[f])), f))
    return order[:top]


def tolerance(spec: dict[str, Any]) -> float:
    """Half the width of a target's tolerance band: the unit in which its miss is measured."""
    return (float(spec["high"]) - float(spec["low"])) / 2


def distance_weights(targets: dict[str, dict[str, Any]]) -> dict[str, float]:
    return {name: 1.0 / tolerance(spec) if spec["in_distance"] else 0.0 for name, spec in targets.items()}


@dataclass(frozen=True)
class TargetSimulator:
    """One run to the end of the fitting period at a particle's parameter values; its target values.

    Picklable, for Dask workers. The run's seed is drawn from numpy's global generator, which the sampling
    task has seeded, so a particle's simulation is the same wherever it runs.
    """

    config: dict[str, Any]  # the scenario, as JSON-ready data
    source_dir: str | None  # where its relative region path is resolved
    scale: int
    months: dict[str, str]  # the run's start and end (sim.calibrate.fit_runs)
    targets: dict[str, dict[str, Any]]  # by name: what each measures and in which year (sim.calibrate.target_values)

    @classmethod
    def of(cls, scenario: Scenario, *, scale: int, targets: dict[str, dict[str, Any]]) -> "TargetSimulator":
        return cls(config=scenario.model_dump(mode="json"), source_dir=str(scenario._source_dir) if scenario._source_dir else None,
                   scale=scale, months=fit_runs(scenario, targets=targets), targets=targets)

    def __call__(self, parameters: dict[str, float]) -> dict[str, float]:
        from sim.model import TalentModel

        scenario = Scenario.model_validate(self.config)
        scenario._source_dir = Path(self.source_dir) if self.source_dir else None
        seed = int(np.random.randint(0, 2**31 - 1))
        overrides = {**{f"run.{key}": month for key, month in self.months.items()},
                     **{name: float(value) for name, value in parameters.items()}}
        model = TalentModel(scenario, seed=seed, scale=self.scale, collect_model_vars=False, **overrides).run()
        return target_values(model, targets=self.targets)


def _sampler_class():
    from pyabc.sampler import Sampler

    class SeededMappingSampler(Sampler):
        """pyabc's mapping sampler with each task seeded from the outer numpy generator, in order.

        ``map_`` works like ``map`` and returns results in the order of its inputs (the built-in ``map``, or
        a Dask client's map and gather), so the population does not depend on where or when tasks ran.
        """

        def __init__(self, map_: Callable = map) -> None:
            super().__init__()
            self.map_ = map_

        def __getstate__(self) -> dict[str, Any]:
            # a particle's closure holds the sampler; the map (a Dask client) stays behind
            return {k: v for k, v in self.__dict__.items() if k != "map_"}

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
            seeds = np.random.randint(0, 2**31 - 1, size=n).tolist()
            task = functools.partial(_sample_until_accepted, cloudpickle.dumps(simulate_one), self.sample_factory)
            results = list(self.map_(task, seeds))
            sample = self._create_empty_sample()
            for part, _ in results:
                sample += part
            self.nr_evaluations_ = sum(evaluations for _, evaluations in results)
            return sample

    return SeededMappingSampler


def _sample_until_accepted(payload: bytes, sample_factory: Any, seed: int) -> tuple[Any, int]:
    """Propose and simulate particles from ``seed`` until one is accepted; the sample and the simulations it took."""
    simulate_one = cloudpickle.loads(payload)
    # run serially, the task shares the process's generators with the sampler's outer stream: it gives them back
    states = np.random.get_state(), random.getstate()
    np.random.seed(seed)
    random.seed(seed)
    try:
        sample = sample_factory()
        evaluations = 0
        while True:
            particle = simulate_one()
            evaluations += 1
            sample.append(particle)
            if particle.accepted:
                return sample, evaluations
    finally:
        np.random.set_state(states[0])
        random.setstate(states[1])


@dataclass
class AbcResult:
    """The last population of an ABC-SMC run, with what produced it."""

    scenario: Scenario
    priors: list[Prior]
    targets: dict[str, dict[str, Any]]
    posterior: Posterior
    predictive: np.ndarray  # particles x targets: each particle's simulated target values
    distances: np.ndarray  # each particle's distance to the targets
    populations: list[dict[str, Any]]
    settings: dict[str, Any]
    seconds: float = 0.0
    point_values: dict[str, float] = field(default_factory=dict)  # the scenario's own values (its point fit)

    @property
    def simulations(self) -> int:
        return int(self.settings.get("prior_sample_simulations", 0) + sum(p["simulations"] for p in self.populations))

    def predictive_table(self) -> pa.Table:
        names = list(self.targets)
        n = self.posterior.particles
        rows = {k: [] for k in ("particle", "weight", "distance", "target", "simulated", "observed", "low", "high",
                                "within_tolerance", "in_distance", "unit")}
        for i in range(n):
            for j, name in enumerate(names):
                spec, value = self.targets[name], float(self.predictive[i, j])
                for key, v in zip(rows, (i, float(self.posterior.weights[i]), float(self.distances[i]), name, value,
                                         float(spec["target"]), float(spec["low"]), float(spec["high"]),
                                         bool(spec["low"] <= value <= spec["high"]), bool(spec["in_distance"]), str(spec["unit"]))):
                    rows[key].append(v)
        types = {"particle": pa.int64(), "within_tolerance": pa.bool_(), "in_distance": pa.bool_(),
                 "target": pa.string(), "unit": pa.string()}
        return pa.table({k: pa.array(v, type=types.get(k, pa.float64())) for k, v in rows.items()})

    def target_summary(self) -> dict[str, dict[str, Any]]:
        """Per target: the observed value, tolerance, posterior predictive mean, 90% interval and share within tolerance."""
        out = {}
        w = self.posterior.weights
        for j, (name, spec) in enumerate(self.targets.items()):
            values = self.predictive[:, j]
            low, high = weighted_quantiles(values, w, CREDIBLE)
            out[name] = {"target": _g(spec["target"]), "low": _g(spec["low"]), "high": _g(spec["high"]),
                         "unit": str(spec["unit"]), "in_distance": bool(spec["in_distance"]),
                         "tolerance_half_width": _g(tolerance(spec)), "predictive_mean": _g(np.sum(w * values)),
                         "predictive_p05": _g(low), "predictive_p95": _g(high),
                         "share_within_tolerance": _g(np.sum(w[(values >= spec["low"]) & (values <= spec["high"])]))}
        return out

    def parameter_summary(self) -> dict[str, dict[str, Any]]:
        mean, p05, p95 = self.posterior.mean(), self.posterior.quantile(CREDIBLE[0]), self.posterior.quantile(CREDIBLE[1])
        return {p.name: {"prior": {"distribution": "uniform", "low": p.low, "high": p.high}, "unit": p.unit,
                         "scenario_value": self.point_values.get(p.name), "mean": _g(mean[p.name]), "p05": _g(p05[p.name]),
                         "p95": _g(p95[p.name])}
                for p in self.priors}

    def summary(self) -> dict[str, Any]:
        return {
            "method": "ABC-SMC (pyabc)",
            "scenario": self.scenario.name,
            "written": dt.date.today().isoformat(),
            "settings": self.settings,
            "particles": self.posterior.particles,
            "effective_sample_size": round(self.posterior.effective_sample_size, 1),
            "final_epsilon": _g(self.populations[-1]["epsilon"]),
            "simulations": self.simulations,
            "parameters": self.parameter_summary(),
            "targets": self.target_summary(),
            "populations": self.populations,
        }


def _g(value: Any) -> float:
    """A summary number to six significant digits: the file is read by people, the particles keep full precision."""
    return float(f"{float(value):.6g}")


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Iterable[float]) -> list[float]:
    """Quantiles of the weighted empirical distribution, as :meth:`Posterior.quantile` takes them."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return [float(values[order][min(np.searchsorted(cumulative, q * cumulative[-1]), len(order) - 1)]) for q in qs]


@contextlib.contextmanager
def _global_numpy_seed(seed: int):
    """pyabc draws from numpy's global generator; seed it for the calibration and give the caller's state back."""
    state = np.random.get_state()
    np.random.seed(seed % 2**32)
    try:
        yield
    finally:
        np.random.set_state(state)


def _scenario_value(scenario: Scenario, name: str) -> float:
    node: Any = scenario
    for part in name.split("."):
        node = getattr(node, part)
    return float(node)


def abc_smc(scenario: Scenario, *, priors: list[Prior], db: Path, targets: dict[str, dict[str, Any]] | None = None,
            population: int = DEFAULT_POPULATION, generations: int = DEFAULT_GENERATIONS, min_epsilon: float = 0.0,
            min_acceptance: float = DEFAULT_MIN_ACCEPTANCE, scale: int = DEFAULT_SCALE, map_: Callable = map,
            progress: bool = False) -> AbcResult:
    """ABC-SMC of ``priors`` against ``targets`` (default: the scenario's calibration targets); pyabc's history
    goes to the SQLite file ``db``, replaced if it exists."""
    import pyabc

    if population < 2:
        raise ValueError(f"population {population}: at least 2 particles (a population's weights need more than one)")
    if generations < 1:
        raise ValueError(f"generations {generations}: at least one")
    if not priors:
        raise ValueError("priors: at least one parameter to calibrate")
    if not (math.isfinite(min_epsilon) and min_epsilon >= 0):
        raise ValueError(f"min_epsilon {min_epsilon}: a distance of 0 or more")
    if not 0 <= min_acceptance < 1:
        raise ValueError(f"min_acceptance {min_acceptance}: a share from 0 up to (not including) 1")
    from sim.model import check_scale

    check_scale(scale)  # here, not in the first simulation
    targets = dict(fitted_targets(scenario) if targets is None else targets)
    for name, spec in targets.items():
        missing = [key for key in ("target", "low", "high", "unit", "year", "in_distance") if key not in spec]
        if missing or ("measure" in spec) == ("series" in spec):
            raise ValueError(f"target {name}: give target, low, high, unit, year, in_distance and either measure or series "
                             "(as sim.calibrate.fitted_targets does)")
        if not tolerance(spec) > 0:
            raise ValueError(f"target {name}: its tolerance band [{spec['low']}, {spec['high']}] has no width")
    if not any(spec["in_distance"] for spec in targets.values()):
        raise ValueError("no target in the distance: the region's patterns and observations give nothing to fit (docs/ODD.md §9)")
    logging.getLogger("ABC").setLevel(logging.INFO if progress else logging.WARNING)
    simulator = TargetSimulator.of(scenario, scale=scale, targets=targets)
    prior = pyabc.Distribution(**{p.name: pyabc.RV("uniform", p.low, p.high - p.low) for p in priors})
    distance = pyabc.PNormDistance(p=DISTANCE_NORM, fixed_weights=distance_weights(targets))
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with _global_numpy_seed(scenario.run.seed):
        abc = pyabc.ABCSMC(simulator, prior, distance, population_size=population, sampler=_sampler_class()(map_))
        abc.new(f"sqlite:///{db.resolve()}", {name: float(spec["target"]) for name, spec in targets.items()})
        history = abc.run(minimum_epsilon=min_epsilon, max_nr_populations=generations, min_acceptance_rate=min_acceptance)
    seconds = time.perf_counter() - t0
    last = history.get_population(t=history.max_t)
    particles = last.particles
    names = [p.name for p in priors]
    posterior = Posterior(parameters=tuple(names), values=np.array([[float(q.parameter[n]) for n in names] for q in particles]),
                          weights=np.array([q.weight for q in particles]))
    predictive = np.array([[float(q.sum_stat[t]) for t in targets] for q in particles])
    distances = np.array([float(q.distance) for q in particles])
    rows = list(history.get_all_populations().itertuples())
    populations = [{"generation": int(row.t), "epsilon": _g(row.epsilon), "particles": int(row.particles),
                    "simulations": int(row.samples), "acceptance_rate": round(float(row.particles / row.samples), 4)}
                   for row in rows if row.t >= 0]
    # the sample from the prior that sets the first threshold (pyabc's generation -1)
    prior_sample = int(sum(row.samples for row in rows if row.t < 0))
    settings = {"population": population, "generations": generations, "generations_run": len(populations),
                "min_epsilon": min_epsilon, "min_acceptance": min_acceptance, "scale": scale, "seed": scenario.run.seed,
                "runs_end": fit_end(scenario, targets=targets), "distance": f"L{DISTANCE_NORM} norm of (simulated - target) / tolerance half-width",
                "not_in_distance": sorted(name for name, spec in targets.items() if not spec["in_distance"]),
                "epsilon": "median distance of the last population; the first from a sample of the prior",
                "prior_sample_simulations": prior_sample, "history": db.as_posix()}
    return AbcResult(scenario=scenario, priors=list(priors), targets=targets, posterior=posterior, predictive=predictive,
                     distances=distances, populations=populations, settings=settings, seconds=seconds,
                     point_values={p.name: _scenario_value(scenario, p.name) for p in priors})


def abc_folder(out: Path, scenario: Scenario) -> Path:
    return Path(out) / scenario.name / ABC_FOLDER


def write_abc(result: AbcResult, *, scenario_path: Path, out: Path, lang: str = "en", charts: bool = True) -> list[Path]:
    """The posterior predictive table and the charts under OUT/<scenario>/abc/, then the posterior and its
    summary beside the scenario, each file atomically. Nothing in them depends on the workers or the time
    taken, so that one seed gives the same files serially or in parallel."""
    folder = abc_folder(out, result.scenario)
    written = write_table(folder, result.predictive_table(), name="posterior_predictive")
    if charts:
        from sim.charts.abc import render_abc_charts
        from sim.charts.style import chart_language

        written += render_abc_charts(result, out_dir=folder / "charts", lang=chart_language(lang))
    written += write_posterior(posterior_file(scenario_path), result.posterior, summary=result.summary())
    return written


def render(result: AbcResult) -> str:
    """The posterior and the predictive checks as text."""
    lines = ["parameter                                              mean        5%         95%      prior"]
    for name, s in result.parameter_summary().items():
        lines.append(f"{name:50s} {s['mean']:>10.4g} {s['p05']:>10.4g} {s['p95']:>10.4g}   "
                     f"[{s['prior']['low']:.4g}, {s['prior']['high']:.4g}]")
    lines.append("target                             predictive mean  90% interval              target   tolerance     within")
    for name, s in result.target_summary().items():
        lines.append(f"{name:34s} {s['predictive_mean']:>12.4g}  [{s['predictive_p05']:.4g}, {s['predictive_p95']:.4g}]"
                     f" {s['target']:>12.4g}   [{s['low']:.4g}, {s['high']:.4g}]  {s['share_within_tolerance']:.0%}")
    lines.append("generation  epsilon   simulations  acceptance")
    for p in result.populations:
        lines.append(f"{p['generation']:>10d}  {p['epsilon']:>7.3g}  {p['simulations']:>11d}  {p['acceptance_rate']:>9.1%}")
    lines.append(f"{result.posterior.particles} particles, effective sample size {result.posterior.effective_sample_size:.0f}, "
                 f"{result.simulations} simulations in {result.seconds:.0f} s")
    return "\n".join(lines)
