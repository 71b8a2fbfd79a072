"""An adapter that lets EMA Workbench drive TalentSim.

:func:`ema_model` wraps the model as an ``ema_workbench.Model`` (Kwakkel 2017, Environmental
Modelling & Software 96, 239-250) whose uncertainties, levers and outcomes come from the XLRM
lists in :mod:`sim.xlrm`, so EMA's samplers, evaluators and analyses (scenario discovery, feature
scoring, robust optimisation) work on it unchanged::

    from ema_workbench import perform_experiments
    from sim.ema import ema_model

    model = ema_model("baseline", scale=100, levers_=["apartments_per_year"])
    experiments, outcomes = perform_experiments(model, scenarios=50, policies=4)

EMA Workbench is imported only when a model is built, so ``import sim.ema`` works without it.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from sim.config import Scenario, load_scenario, schedule_starts
from sim.scenario_files import resolve_scenario_path
from sim.xlrm import OUTCOME_TABLES, Parameter, levers, outcome_values, outcomes, parameter, uncertainties

if TYPE_CHECKING:
    import ema_workbench

DEFAULT_LEVERS = ("apartments_per_year", "settling_allowance_yuan", "packages_per_year")
DEFAULT_UNCERTAINTIES = ("graduate_supply", "industry_demand_growth", "agglomeration_elasticity")


def ema_name(name: str) -> str:
    """The EMA Workbench name of a parameter: EMA names must be identifiers, so dots become ``__``."""
    return name.replace(".", "__")


def run_experiment(*, scenario_file: str, seed: int, scale: int, **overrides: float) -> dict[str, float]:
    """One run with the sampled values as overrides keyed by full dotted name; returns its outcomes.

    EMA Workbench calls this with each parameter under its ``variable_name``, which :func:`ema_model`
    sets to the dotted name, so the values arrive here as scenario overrides without translation.
    A module-level function rather than a closure, so that parallel evaluators can pickle it.
    """
    from sim.model import TalentModel

    model = TalentModel(scenario_file, seed=seed, scale=scale, collect_model_vars=False, **overrides).run()
    return outcome_values(model.recorder.tables(OUTCOME_TABLES), cluster_ids=model.region.cluster_ids)


def _select(names: Sequence[str], pool: list[Parameter], *, role: str) -> list[Parameter]:
    chosen: list[Parameter] = []
    allowed = {p.name for p in pool}
    for name in names:
        p = parameter(name)
        if p.name not in allowed:
            raise ValueError(f"{name!r} ({p.name}) is not {role}")
        if p in chosen:
            raise ValueError(f"{name!r} ({p.name}) is named twice")
        chosen.append(p)
    return chosen


def _scheduled_levers(scenario: Scenario, chosen: list[Parameter]) -> list[str]:
    """Chosen levers that the scenario's time path resets later; a sampled value would hold only until then."""
    return [p.name for p in chosen if schedule_starts(scenario, p.name)]


def ema_model(scenario: str | Path = "baseline", *, scale: int = 100, seed: int = 7,
              levers_: Sequence[str] | None = None, uncertainties_: Sequence[str] | None = None,
              name: str = "talentsim") -> "ema_workbench.Model":
    """An ``ema_workbench.Model`` that runs TalentSim from ``scenario`` and returns the XLRM outcomes.

    ``levers_`` and ``uncertainties_`` name the parameters EMA samples (full dotted or unique short
    names from :func:`sim.xlrm.levers` / :func:`sim.xlrm.uncertainties`); ``None`` picks a small
    default set, an empty list none. Every other number keeps its value in the scenario file.
    Each parameter is declared under :func:`ema_name` with its range from ``sim/config.py``.

    Every experiment runs with the same ``seed`` (common random numbers), so differences between
    experiments come from the sampled values, not from sampling noise; for noise, build models with
    other seeds. ``scenario``, ``seed`` and ``scale`` are EMA constants of the model.
    """
    from ema_workbench import Constant, IntegerParameter, Model, RealParameter, ScalarOutcome

    path = resolve_scenario_path(scenario).resolve()
    resolved = load_scenario(path)  # fail here, once, rather than in every experiment
    chosen_levers = _select(DEFAULT_LEVERS if levers_ is None else levers_, levers(), role="a lever")
    chosen_unc = _select(DEFAULT_UNCERTAINTIES if uncertainties_ is None else uncertainties_, uncertainties(),
                         role="an uncertainty")
    late = _scheduled_levers(resolved, chosen_levers)
    if late:
        warnings.warn(f"{path.name}: levers.schedule changes {', '.join(late)} later in the run; "
                      f"the sampled value applies only until then", stacklevel=2)

    def declare(p: Parameter):
        kind = IntegerParameter if p.kind == "integer" else RealParameter
        low, high = (int(p.low), int(p.high)) if p.kind == "integer" else (p.low, p.high)
        return kind(ema_name(p.name), low, high, default=p.default, variable_name=p.name)

    model = Model(name, function=run_experiment)
    model.uncertainties = [declare(p) for p in chosen_unc]
    model.levers = [declare(p) for p in chosen_levers]
    model.outcomes = [ScalarOutcome(o.name) for o in outcomes(resolved.load_region().cluster_ids)]
    model.constants = [Constant("scenario_file", str(path)), Constant("seed", seed), Constant("scale", scale)]
    return model
