"""The command line's ``optimise``: the lever settings that do most within an annual budget (:mod:`sim.optimise`).

Every option is checked before a study folder is made or a run starts; a bad one stops with exit code 2.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from sim.cli_common import EXIT_RUN_FAILED, check_common, config_error, overrides, report_failures, warn, warn_ranges

DEFAULT_FROM_YEAR = 2025


def _check_numbers(args: argparse.Namespace) -> None:
    from sim.optimise import number_problems

    budget = args.budget_yuan_per_year
    if not (math.isfinite(budget) and budget > 0):
        raise config_error("--budget-yuan-per-year", f"{budget:g}: must be a positive number of yuan a year, e.g. 1.5e10")
    if args.population is not None and not args.pareto:
        raise config_error("--population", "only with --pareto (NSGA-II's population)")
    problems = number_problems(trials=args.trials, seeds=args.seeds, eval_seeds=args.eval_seeds, reevaluate=args.reevaluate,
                               batch=args.batch, scale=args.scale, population=args.population, pareto=args.pareto)
    for name, problem in problems.items():
        raise config_error(f"--{name.replace('_', '-')}", problem)


def _study_size(args: argparse.Namespace) -> None:
    from sim.inputs import MAX_STUDY_RUNS

    runs = args.trials * args.seeds + (args.reevaluate + 1) * args.eval_seeds
    if runs > MAX_STUDY_RUNS:
        raise config_error("--trials", f"{runs:,} runs ({args.trials} trials x {args.seeds} seeds, and {args.reevaluate + 1} "
                                       f"settings x {args.eval_seeds} fresh seeds), beyond the limit of {MAX_STUDY_RUNS:,} runs in one study")


def _start(base: Any, year: int | None) -> str:
    """The month the settings apply from: January of ``year`` (default 2025, or the run's first year when the run ends
    before 2025), never before the run's start."""
    first, last = int(base.run.start[:4]), int(base.run.end[:4])
    if year is None:
        year = DEFAULT_FROM_YEAR if first <= DEFAULT_FROM_YEAR <= last else first
    if not first <= year <= last:
        raise config_error("--from", f"{year}: the settings must start within the run, {base.run.start} to {base.run.end}")
    return max(f"{year:04d}-01", base.run.start)


def optimise_command(args: argparse.Namespace) -> int:
    from sim.config import load_scenario
    from sim.inputs import check_slug
    from sim.optimise import OBJECTIVES, default_name, optimise_budget, storage_url
    from sim.optimise_space import search_space, select_families, space_problems

    security = check_common(args)
    _check_numbers(args)
    _study_size(args)
    try:
        families = select_families([args.levers])
    except ValueError as exc:
        raise config_error("--levers", str(exc)) from None
    if args.name is not None:
        try:
            check_slug(args.name)
        except ValueError as exc:
            raise config_error("--name", str(exc)) from None
    if args.storage is not None and not str(args.storage).startswith("sqlite:///") and not args.storage.resolve().parent.is_dir():
        raise config_error("--storage", f"{args.storage}: its folder does not exist; give an SQLite file in an existing folder")
    settings = overrides(args.overrides)
    base = load_scenario(args.scenario, overrides=settings or None)
    warn(base)
    space = search_space(base, families=families, envelope_yuan=args.budget_yuan_per_year, start=_start(base, args.from_year))
    warn_ranges(base, [p.name for p in space.parameters], study="search")
    problems = space_problems(base, space)
    for key, option in (("envelope", "--budget-yuan-per-year"), ("start", "--from")):
        if key in problems:
            raise config_error(option, problems[key])
    name = args.name or default_name(objective=args.objective, families=families, envelope_yuan=space.envelope_yuan, pareto=args.pareto)
    print(f"scenario: {base.found.describe() if base.found else base.name}")
    print(f"searching {len(space.parameters)} settings of {', '.join(families)} from {space.start} within "
          f"{space.envelope_yuan:,.0f} yuan a year (at least {space.floor_yuan:,.0f}); objective {args.objective} "
          f"({OBJECTIVES[args.objective]}), {'NSGA-II front of spending and objective' if args.pareto else 'TPE'}")
    try:
        result = optimise_budget(base, space=space, objective=args.objective, out=args.out, trials=args.trials, seeds=args.seeds,
                                 eval_seeds=args.eval_seeds, reevaluate=args.reevaluate, scale=args.scale, root_seed=args.root_seed,
                                 pareto=args.pareto, name=name, storage=None if args.storage is None else storage_url(args.storage),
                                 batch=args.batch, population=args.population or 16, workers=args.workers, scheduler=args.scheduler,
                                 security=security, dashboard=args.dashboard, overrides=settings, progress=not args.quiet,
                                 charts=not args.no_charts, lang=args.lang)
    except ValueError as exc:
        if "was made with other settings" in str(exc):
            raise config_error("--name", str(exc)) from None
        raise
    print(optimise_summary(result, objective=OBJECTIVES[args.objective]))
    if result.failures:
        report_failures(result.failures, folder=result.study_dir,
                        consequence="; their trials count as failed (run the same command again to retry them)")
        return EXIT_RUN_FAILED
    return 0


def optimise_summary(result: Any, *, objective: str) -> str:
    """The study's size, the best setting and its numbers on fresh seeds beside the base's."""
    rows = result.trials.to_pylist()
    ok = sum(1 for r in rows if r["feasible"])
    lines = [f"study {result.study_name} ({result.storage}): {len(rows)} trials, {ok} within the budget; "
             f"{sum(1 for r in rows if r['pareto'])} on the front; {result.seconds:.1f} s"]
    if result.best is None:
        lines.append("no trial within the budget has completed: no best setting")
        return "\n".join(lines)
    if result.evaluation is None:
        lines.append(f"best: trial {result.best}; its re-evaluation on fresh seeds did not complete (see failures/)")
        return "\n".join(lines)
    best = next(r for r in rows if r["trial"] == result.best)
    lines.append(f"best: trial {result.best}, {objective} {best['objective_value']:{'.4f' if objective.startswith('coordination') else ',.0f'}} "
                 f"over the search seeds, budgets "
                 f"{best['budget_yuan_per_year']:,.0f} and spending {best['spending_yuan_per_year']:,.0f} yuan a year")
    for r in result.evaluation.to_pylist():
        if r["outcome"] != objective and r["outcome"] != "spending_yuan_per_year":
            continue
        form = ".4f" if r["outcome"].startswith("coordination") else ",.0f"
        interval = ("" if r["ci_low"] is None or math.isnan(r["ci_low"])
                    else f" (95% interval {r['ci_low']:{form}} to {r['ci_high']:{form}})")
        diff = "" if r["role"] == "base" else f"; versus base {r['diff_mean']:+{form}}" + (
            "" if r["diff_ci_low"] is None or math.isnan(r["diff_ci_low"]) else f" ({r['diff_ci_low']:+{form}} to {r['diff_ci_high']:+{form}})")
        who = "base" if r["role"] == "base" else f"trial {r['trial']} ({r['role']})"
        lines.append(f"  fresh seeds (n = {r['n_seeds']}), {who}: {r['outcome']} {r['mean']:{form}}{interval}{diff}")
    if result.scenario_file is not None:
        lines.append(f"best setting as a scenario: {result.scenario_file}")
    lines.append(f"tables and charts in {result.study_dir}")
    return "\n".join(lines)
