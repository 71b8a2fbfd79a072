"""Fitting the baseline to its region's patterns (P1-P4 for Jiaxing) and observations marked ``fitted``
(docs/ODD.md, Calibration). The targets are data of the region file, with their sources; the code knows only
how to measure each kind of pattern in a run.

Each free parameter drives one target almost alone, so the fit updates every parameter towards its
target — a rate or a size multiplicatively, ``theta <- theta * (target / simulated) ** gain``; a level
that may be negative (a net migration) by the gap, ``theta <- theta + gain * (target - simulated)`` —
averaging over seeds (common random numbers across iterations), until every target is within a
quarter of its tolerance band's half-width of the target centre. The fitted values are written to the
calibration file that the scenario extends; nothing fitted is typed in by hand.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.categories import INFLOW_CHANNELS
from sim.config import Scenario, load_scenario
from sim.dates import month_label
from sim.errors import ConfigError
from sim.scenario_files import extends_chain, resolve_scenario_path, settings_chain
from sim.model import TalentModel
from sim.results import write_atomic

# free parameter -> (the measure of the region's fitted pattern it is fitted to, gain of the multiplicative update)
FREE_PARAMETERS = {
    "graduate_candidates_per_year": ("graduates_employed", 1.0),
    "challenge_base_hazard": ("demands_matched_share", 1.5),
    "project_jobs_end_2021": ("jobs_per_project", 1.0),
    "project_output_per_job_yuan": ("output_per_project", 1.0),
}
# free parameter -> (group under ``uncertainties``, city_annual series whose ``fitted`` observation it is
# fitted to, gain of the additive update per unit of the series). One year of non-talent net migration at
# the level theta adds about theta residents by the year end.
# A year's value added grows by the trend on top of what the firms do, so the growth moves one for one with it.
# "" is the top level of ``uncertainties``.
OBSERVED_FREE_PARAMETERS = {
    "net_migration_per_year": ("residents", "residents", 1.0),
    "productivity_trend_per_year": ("", "gdp_real_growth", 1.0),
}
# a response below which a target is said to barely follow its parameter: a 10% change of the parameter moving the target
# by less than 2% (an elasticity), or a level moving its target by less than a fifth of its own change (a slope)
WEAK_RESPONSE = 0.2


class TargetError(ValueError):
    """A target that the fitting runs cannot give: a year they do not cover whole, or a value the run leaves empty."""


PROJECT_FIELDS = ("projects_selected", "project_firms", "project_jobs", "project_output_yuan", "demands_posted", "demands_matched",
                  "demands_open")


def pattern_targets(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """The region's patterns (P1-P4 for Jiaxing) as targets by name, e.g. ``P2_graduates_employed_2022``, each with
    its measure, year, centre, band and unit, and whether it is in a fit (``in_distance``: not if it holds by
    construction of the initial state)."""
    targets = {}
    for p in scenario.load_region().patterns:
        low, high = p.bounds()
        targets[p.id] = {"target": p.target, "low": low, "high": high, "unit": p.unit, "measure": p.measure, "year": p.year,
                         "in_distance": p.use == "fitted"}
    return targets


def measure_value(model: TalentModel, *, measure: str, year: int) -> float:
    """A pattern's measure (sim.region.PATTERN_MEASURES) in ``year`` of a model that has run through that year."""
    r = model.recorder
    if measure == "talent_stock_end" and (model.start - 1) // 12 == year:
        return float(r.stock[0].sum())  # the initial state, at the end of the month before the start
    months = [i for i in range(model.t) if (model.start + i) // 12 == year]
    if len(months) < 12:
        raise TargetError(f"the pattern {measure} of {year} needs a run covering {year}-01 to {year}-12")
    dec = months[-1]
    if measure == "talent_stock_end":
        return float(r.stock[dec + 1].sum())
    if measure == "graduates_employed":
        return float(r.inflow[months][..., INFLOW_CHANNELS.index("graduate")].sum())
    proj = r.projects
    field_of = {name: i for i, name in enumerate(PROJECT_FIELDS)}
    if measure == "demands_matched_share":
        return float(proj[months][..., field_of["demands_matched"]].sum() / max(proj[months][..., field_of["demands_posted"]].sum(), 1))
    firms = max(proj[dec, :, field_of["project_firms"]].sum(), 1)
    if measure == "jobs_per_project":
        return float(proj[dec, :, field_of["project_jobs"]].sum() / firms)
    if measure == "output_per_project":
        return float(proj[dec, :, field_of["project_output_yuan"]].sum() * 12 / firms)
    raise ValueError(f"unknown pattern measure {measure!r}")


def observation_targets(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """The region's ``fitted`` observations of the series that a free parameter drives, as targets
    named ``<series>_<year>`` with the observation's tolerance as the band."""
    fitted_series = {series for _, series, _ in OBSERVED_FREE_PARAMETERS.values()}
    targets = {}
    for o in scenario.load_region().observations:
        if o.use == "fitted" and o.series in fitted_series:
            low, high = o.bounds()
            targets[f"{o.series}_{o.year}"] = {"target": o.value, "low": low, "high": high, "unit": o.unit, "series": o.series,
                                               "year": o.year, "in_distance": True}
    return targets


def fitted_targets(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """Every target of a fit: the region's patterns, then its fitted observations."""
    return {**pattern_targets(scenario), **observation_targets(scenario)}


def free_parameters(scenario: Scenario, *, targets: dict[str, dict[str, Any]] | None = None) -> dict[str, tuple[str, str, str, float]]:
    """name -> (group under ``uncertainties``, target, update, gain): every free parameter with a target among ``targets``
    (default: the scenario's, ``fitted_targets``). A pattern's parameter is fitted to the pattern of its measure; an
    observed series' parameter to the latest year of the series."""
    targets = fitted_targets(scenario) if targets is None else targets
    in_fit = {name: spec for name, spec in targets.items() if spec["in_distance"]}
    by_measure = {spec["measure"]: name for name, spec in in_fit.items() if "measure" in spec}
    free = {name: ("behaviour", by_measure[measure], "ratio", gain) for name, (measure, gain) in FREE_PARAMETERS.items()
            if measure in by_measure}
    for name, (group, series, gain) in OBSERVED_FREE_PARAMETERS.items():
        years = sorted((int(spec["year"]), key) for key, spec in in_fit.items() if spec.get("series") == series)
        if years:  # the latest fitted year of the series
            free[name] = (group, years[-1][1], "difference", gain)
    return free


def fit_end(scenario: Scenario, *, targets: dict[str, dict[str, Any]] | None = None) -> str:
    """The month the fitting runs end: December of the latest year a target in the fit is of (``targets``, default the
    scenario's; the year after the initial state's when there is none)."""
    targets = fitted_targets(scenario) if targets is None else targets
    years = [int(spec["year"]) for spec in targets.values() if spec["in_distance"]]
    return f"{max(years, default=scenario.load_region().initial_year + 1)}-12"


def target_values(model: TalentModel, *, targets: dict[str, dict[str, Any]]) -> dict[str, float]:
    """The simulated value of each of ``targets``: a pattern's measure (``measure``, ``year``), or an observed series
    read from the run's ``city_annual`` (``series``, ``year``)."""
    values = {name: measure_value(model, measure=spec["measure"], year=int(spec["year"]))
              for name, spec in targets.items() if "measure" in spec}
    observed = {name: spec for name, spec in targets.items() if "measure" not in spec}
    if observed:
        annual = model.recorder.tables(["city_annual"])["city_annual"]
        years = annual.column("year").to_pylist()
        for name, spec in observed.items():
            year = int(spec["year"])
            value = annual.column(spec["series"])[years.index(year)].as_py() if year in years else None
            if value is None:
                raise TargetError(f"the target {name}: {spec['series']} of {year} is not in a run from {month_label(model.start)} "
                                  f"to {month_label(model.start + model.t - 1)} (a year the run covers whole, and for a growth the "
                                  "year before too)")
            values[name] = float(value)
    return {name: values[name] for name in targets}


def fit_runs(scenario: Scenario, *, targets: dict[str, dict[str, Any]] | None = None) -> dict[str, str]:
    """The months of a fitting run: from the region's initial state, whose years the targets are of, to ``fit_end``
    (a scenario that starts later in the year is fitted from the month after the initial month all the same)."""
    return {"start": scenario.load_region().supported_starts()[0], "end": fit_end(scenario, targets=targets)}


def check_targets(scenario: Scenario, *, scale: int) -> None:
    """One fitting run (the scenario's seed, at ``scale``): a ``TargetError`` names a target that the runs cannot give,
    before a study of many runs starts."""
    targets = fitted_targets(scenario)
    run = scenario.run.model_copy(update={"scale": scale, **fit_runs(scenario, targets=targets)})
    model = TalentModel(scenario.model_copy(update={"run": run}), seed=scenario.run.seed, collect_model_vars=False).run()
    target_values(model, targets=targets)


def mean_patterns(scenario: Scenario, *, targets: dict[str, dict[str, Any]], seeds: list[int], scale: int) -> dict[str, float]:
    """The mean over ``seeds`` of each target's simulated value, in runs over ``fit_runs``."""
    months = fit_runs(scenario, targets=targets)
    values = []
    for seed in seeds:
        run = scenario.run.model_copy(update={"seed": seed, "scale": scale, **months})
        model = TalentModel(scenario.model_copy(update={"run": run}), seed=seed, collect_model_vars=False)
        model.run()
        values.append(target_values(model, targets=targets))
    return {k: float(np.mean([v[k] for v in values])) for k in values[0]}


@dataclass
class CalibrationReport:
    fitted: dict[str, float]
    patterns: dict[str, float]
    iterations: int
    converged: bool
    history: list[dict[str, float]] = field(default_factory=list)
    targets: dict[str, dict] = field(default_factory=dict)
    free: dict[str, tuple[str, str, str, float]] = field(default_factory=dict)  # as free_parameters gives them

    def responses(self) -> dict[str, float]:
        """How each free parameter's target answered it over the iterations: the elasticity of the target to a parameter
        updated by ratio, the slope for one updated by difference (the median over steps that moved the parameter;
        common random numbers make the steps comparable). Parameters that never moved are left out."""
        out = {}
        for name, (_, target, update, _) in self.free.items():
            steps = []
            for before, after in zip(self.history, self.history[1:]):
                if update == "ratio" and min(before[name], after[name], before[target], after[target]) > 0:
                    change = np.log(after[name] / before[name])
                    if abs(change) > 0.01:
                        steps.append(np.log(after[target] / before[target]) / change)
                elif update == "difference" and after[name] != before[name]:
                    steps.append((after[target] - before[target]) / (after[name] - before[name]))
            if steps:
                out[name] = float(np.median(steps))
        return out

    def render(self) -> str:
        lines = ["target                               simulated        target      tolerance"]
        for name, spec in self.targets.items():
            v = self.patterns[name]
            ok = "ok" if spec["low"] <= v <= spec["high"] else "OUT"
            lines.append(f"{name:34s} {v:>12,.4g} {spec['target']:>12,.4g}   [{spec['low']:,.4g}, {spec['high']:,.4g}] {ok}")
        lines.append("fitted: " + ", ".join(f"{k}={v:.6g}" for k, v in self.fitted.items()))
        lines.append(f"iterations: {self.iterations}, converged: {self.converged}" + (
            "" if self.converged else " (converged: every fitted target within a quarter of its band's half-width of its centre)"))
        for name, response in self.responses().items():
            _, target, update, _ = self.free[name]
            kind = "elasticity" if update == "ratio" else "slope"
            weak = abs(response) < WEAK_RESPONSE
            lines.append(f"response of {target} to {name}: {kind} {response:.3g}" + (
                f" (WEAK: the target barely follows the parameter, so the fitted value depends on where the fit started; "
                "an identification problem of this city's targets, ODD §9)" if weak else ""))
        return "\n".join(lines)


def fit(scenario: Scenario, *, targets: dict[str, dict[str, Any]] | None = None, seeds: int = 4, scale: int = 10,
        max_iterations: int = 15, tolerance: float = 0.25, verbose: bool = False) -> CalibrationReport:
    """Fit the free parameters of ``scenario`` to ``targets`` (default: the region's patterns and fitted observations,
    ``fitted_targets``); a pattern that holds by construction of the initial state is reported, not fitted."""
    seed_list = list(np.random.SeedSequence(scenario.run.seed).generate_state(seeds) % 2**31)
    targets = fitted_targets(scenario) if targets is None else targets
    free = free_parameters(scenario, targets=targets)
    if not free:
        raise ValueError("nothing to fit: no target of a free parameter (the region's fitted patterns and observations, "
                         f"docs/ODD.md §9); free parameters: {', '.join([*FREE_PARAMETERS, *OBSERVED_FREE_PARAMETERS])}")
    unc = scenario.uncertainties
    theta = {name: float(getattr(getattr(unc, group) if group else unc, name)) for name, (group, *_) in free.items()}
    history: list[dict[str, float]] = []
    best: tuple[float, dict[str, float], dict[str, float]] | None = None
    for iteration in range(1, max_iterations + 1):
        trial = with_uncertainties(scenario, theta, groups={name: group for name, (group, *_) in free.items()})
        patterns = mean_patterns(trial, targets=targets, seeds=[int(s) for s in seed_list], scale=scale)
        history.append({**theta, **patterns})
        # close enough: within a quarter of the tolerance band's half-width around the target centre
        worst = max(abs(patterns[t] - targets[t]["target"]) / (targets[t]["high"] - targets[t]["low"]) * 2
                    for _, t, _, _ in free.values())
        if best is None or worst < best[0]:
            best = (worst, dict(theta), patterns)
        if verbose:
            print(f"iteration {iteration}: " + ", ".join(f"{t}={patterns[t]:.4g}" for _, t, _, _ in free.values()))
        if worst <= tolerance:
            break
        damping = 1.0 if iteration <= 4 else 0.6
        for name, (_, t, update, gain) in free.items():
            if update == "ratio":
                theta[name] *= (targets[t]["target"] / max(patterns[t], 1e-12)) ** (gain * damping)
            else:
                theta[name] += gain * damping * (targets[t]["target"] - patterns[t])
    assert best is not None
    # the report pairs values that were simulated with the patterns they gave: the best evaluation
    worst, fitted, patterns = best
    return CalibrationReport(fitted=fitted, patterns=patterns, iterations=len(history), converged=worst <= tolerance,
                             history=history, targets=targets, free=free)


def with_uncertainties(scenario: Scenario, values: dict[str, float], *, groups: dict[str, str]) -> Scenario:
    """The scenario with ``values`` set in their groups under ``uncertainties`` (``groups``: name -> group)."""
    unc = scenario.uncertainties
    updates: dict[str, object] = {name: value for name, value in values.items() if not groups[name]}
    for group in set(groups.values()) - {""}:
        mine = {name: value for name, value in values.items() if groups[name] == group}
        updates[group] = getattr(unc, group).model_copy(update=mine)
    return scenario.model_copy(update={"uncertainties": unc.model_copy(update=updates)})


def calibration_file(scenario_path: Path) -> Path:
    return scenario_path.parent / "calibration" / f"{scenario_path.stem}_fit.yaml"


def _refuse_installed_library(target: Path, *, scenario_path: Path) -> None:
    """The library inside an installed package is shared by everyone using the environment and replaced by
    the next install, so a refit goes to a copy of the scenario rather than into the package."""
    if target.resolve().is_relative_to(Path(__file__).resolve().parent):
        raise ConfigError(source=str(scenario_path), problems=[
            "this scenario belongs to the installed package, whose calibration is not rewritten in place; copy it, "
            f"with its calibration/ folder, into ./scenarios and calibrate the copy (e.g. talentsim calibrate {scenario_path.stem})"])


def _refuse_unread_fit(target: Path, *, scenario_path: Path) -> None:
    """A fit is written to ``calibration/<name>_fit.yaml`` beside the scenario, which must be in the scenario's chain of
    ``extends:``; otherwise the fitted values would be written where nothing reads them (a copy of a scenario under
    another name still extends the original's calibration file)."""
    chain = extends_chain(scenario_path)
    if target.resolve() in chain:
        return
    relative = target.relative_to(scenario_path.parent).as_posix()
    read = ", ".join(str(p) for p in chain[1:]) or "none"
    fits = [p for p in chain[1:] if p.parent.name == "calibration"]
    start = f", starting as a copy of {fits[-1]}" if fits else ""
    raise ConfigError(source=str(scenario_path), problems=[
        f"extends: a fit is written to {relative}, which this scenario does not read (it extends {read}), so nothing was "
        f"fitted; a scenario to calibrate extends its own fit file: write `extends: {relative}` in it{start}, and keep its "
        "other settings in the scenario itself"])


def _refuse_overridden_fit(fit_file: Path, *, scenario_path: Path, free: dict[str, tuple[str, str, str, float]]) -> None:
    """A free parameter that the scenario itself sets (or a file it extends before reaching its fit file) overrides the
    fitted value: the fit would be written and never used, and every fit would start again from the same value."""
    chain = settings_chain(scenario_path)
    problems = []
    for file, data in chain[:[f.resolve() for f, _ in chain].index(fit_file.resolve())]:  # the files read over the fit file
        for name, (group, *_) in free.items():
            node = data.get("uncertainties")
            node = node.get(group) if group and isinstance(node, dict) else node
            if isinstance(node, dict) and name in node:
                dotted = ".".join(["uncertainties", *([group] if group else []), name])
                problems.append(f"{dotted}: set in {file}, which overrides the fit file it extends, so a fitted value would never be "
                                f"used; give its starting value in {fit_file.name} instead (the fit starts from it and rewrites it)")
    if problems:
        raise ConfigError(source=str(scenario_path), problems=problems)


def unfitted_observations(scenario: Scenario) -> list[str]:
    """The region's observations marked ``fitted`` that no free parameter is fitted to (``series year``)."""
    fitted = {series for _, series, _ in OBSERVED_FREE_PARAMETERS.values()}
    return [f"{o.series} {o.year}" for o in scenario.load_region().observations if o.use == "fitted" and o.series not in fitted]


def unfitted_warning(unfitted: list[str]) -> str:
    series = ", ".join(series for _, series, _ in OBSERVED_FREE_PARAMETERS.values())
    return (f"warning: observations marked fitted that no parameter is fitted to: {', '.join(unfitted)} (a fitted observation is "
            f"of {series}); talentsim validate checks them, the fit leaves them out")


def nothing_to_fit(scenario: Scenario) -> str:
    """What to say of a scenario whose region gives no target a free parameter is fitted to."""
    return (f"region {scenario.load_region().id}: no fitted pattern or observation that a free parameter is fitted to, so nothing "
            "to fit; give the region file's `patterns` (or `observations` with use: fitted), docs/ODD.md §9")


def calibrate_baseline(name_or_path: str, *, seeds: int = 4, scale: int = 10, verbose: bool = False) -> CalibrationReport:
    """Fit a scenario and rewrite its calibration file (which the scenario extends)."""
    path = resolve_scenario_path(name_or_path)
    _refuse_installed_library(calibration_file(path), scenario_path=path)
    scenario = load_scenario(path)
    _refuse_unread_fit(calibration_file(path), scenario_path=path)
    if not free_parameters(scenario):
        raise ConfigError(source=str(path), problems=[nothing_to_fit(scenario)])
    _refuse_overridden_fit(calibration_file(path), scenario_path=path, free=free_parameters(scenario))
    if verbose and (unfitted := unfitted_observations(scenario)):
        print(unfitted_warning(unfitted), file=sys.stderr)
    try:
        report = fit(scenario, seeds=seeds, scale=scale, verbose=verbose)
    except TargetError as exc:
        raise ConfigError(source=str(path), problems=[str(exc)]) from None
    months = fit_runs(scenario)
    header = [
        f"# Fitted by `talentsim calibrate {path.as_posix()}` on {dt.date.today().isoformat()}: do not edit by hand.",
        f"# Runs from {months['start']} to {months['end']} at scale {scale}, {seeds} seeds per evaluation; converged: {report.converged} after {report.iterations} iterations.",
        "# Targets (simulated mean; target; tolerance):",
        *[f"#   {k}: {report.patterns[k]:.6g}; {v['target']:.6g}; [{v['low']:.6g}, {v['high']:.6g}] {v['unit']}" for k, v in report.targets.items()],
    ]
    uncertainties: dict[str, object] = {}
    for name, (group, *_) in free_parameters(scenario).items():
        node = uncertainties.setdefault(group, {}) if group else uncertainties
        node[name] = float(f"{report.fitted[name]:.6g}")
    body = {"uncertainties": uncertainties}
    text = "\n".join(header) + "\n" + yaml.safe_dump(body, sort_keys=False)
    write_atomic(calibration_file(path), text.encode("utf-8"))
    return report
