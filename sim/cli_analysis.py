"""The command line's analysis commands: ``sensitivity`` (global sensitivity), ``discover`` (scenario discovery)
and ``calibrate`` (the point fit, or a posterior by ABC-SMC).

Heavy modules are imported inside the commands so that ``talentsim --help`` answers at once.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sim.cli_common import check_common, config_error, overrides, report_failures, warn, warn_ranges


def _sensitivity_design(args: argparse.Namespace) -> tuple[int, int]:
    """The design size and Morris levels, each option checked against the method."""
    from sim.sensitivity import DEFAULT_LEVELS, DEFAULT_SAMPLES, DEFAULT_TRAJECTORIES, check_design_size

    if args.method == "morris":
        for given, option in ((args.samples, "--samples"), (args.second_order or None, "--second-order")):
            if given is not None:
                raise config_error(option, "only with --method sobol")
        # a given 0 is the user's number, to be refused, not the default
        size = DEFAULT_TRAJECTORIES if args.trajectories is None else args.trajectories
        levels, option = DEFAULT_LEVELS if args.levels is None else args.levels, "--trajectories"
    else:
        for given, option in ((args.trajectories, "--trajectories"), (args.levels, "--levels")):
            if given is not None:
                raise config_error(option, "only with --method morris")
        size, levels, option = DEFAULT_SAMPLES if args.samples is None else args.samples, DEFAULT_LEVELS, "--samples"
    try:
        check_design_size(method=args.method, size=size, levels=levels)
    except ValueError as exc:
        raise config_error("--levels" if "levels" in str(exc) else option, str(exc)) from None
    return size, levels


def report_runs(study: Any, *, failures: list[dict[str, Any]], study_dir: Any, missing: str) -> bool:
    """Print how many of a study's runs are complete and at what pace, and its failures (naming the ``missing``
    analysis they prevent); True when none failed."""
    done = sum(1 for s in study.status.values() if s in ("done", "skipped"))
    pace = "" if math.isnan(study.runs_per_minute) else f" ({study.runs_per_minute:.1f} runs per minute)"
    print(f"{done} of {study.distinct_runs} runs complete in {study.run_seconds:.1f} s{pace}; results in {study_dir}")
    if failures:
        report_failures(failures, folder=study_dir, consequence=f"; no {missing} (run the same command again to retry them)")
    return not failures


def sensitivity_command(args: argparse.Namespace) -> int:
    from sim import sensitivity as sa
    from sim.config import load_scenario
    from sim.inputs import MAX_STUDY_RUNS, check_slug
    from sim.sensitivity_doc import check_doc_target, sensitivity_markdown, write_sensitivity_doc

    check_common(args)
    if not 1 <= args.scale <= 10_000:
        raise config_error("--scale", f"{args.scale}: must be between 1 (one agent per person) and 10000")
    size, levels = _sensitivity_design(args)
    for value, option, check in ((args.name, "--name", check_slug), (args.doc, "--doc", check_doc_target)):
        if value is not None:
            try:
                check(value)
            except ValueError as exc:
                raise config_error(option, str(exc)) from None
    try:
        factors = sa.select_factors(args.factors)
    except ValueError as exc:
        raise config_error("--factors", str(exc)) from None
    groups = _factor_groups(args, factors)
    n_groups = None if groups is None else len(set(groups))
    arms = 1 + len(args.policies)
    runs = sa.design_rows(method=args.method, size=size, factors=len(factors), second_order=args.second_order,
                          groups=n_groups) * arms * args.seeds
    if args.then_top is not None:
        if groups is None:
            raise config_error("--then-top", "only with --groups (the second stage screens the factors of the top groups)")
        if not 1 <= args.then_top < n_groups:
            raise config_error("--then-top", f"{args.then_top}: give a number of groups from 1 to {n_groups - 1} (of {n_groups})")
        largest = sorted(Counter(groups).values(), reverse=True)[:args.then_top]
        runs += sa.design_rows(method="morris", size=size, factors=sum(largest)) * arms * args.seeds  # at most
    if runs > MAX_STUDY_RUNS:
        screened = f"{len(factors)} factors" + ("" if n_groups is None else f" in {n_groups} groups")
        raise config_error("--trajectories" if args.method == "morris" else "--samples",
                            f"{runs:,} runs ({screened}, {arms} scenario(s), {args.seeds} seed(s)), beyond the limit of "
                            f"{MAX_STUDY_RUNS:,} runs in one study")
    settings = overrides(args.overrides) or None
    scenarios = [load_scenario(s, overrides=settings) for s in [args.scenario, *args.policies]]
    for scenario in scenarios:
        warn(scenario)
    warn_ranges(scenarios[0], [f.name for f in factors], study="sensitivity study")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise config_error("--policy", f"scenarios named twice: {', '.join(sorted({n for n in names if names.count(n) > 1}))}")
    problems = sa.check_policies(scenarios, factors)
    if problems:
        raise config_error("--policy", "; ".join(problems))
    for late in sa.scheduled_factors(scenarios, factors):
        print(f"talentsim: warning: a scenario's levers.schedule changes {late} later in the run; the sampled value holds "
              "only until then", file=sys.stderr)
    available = sa.available_outcomes(scenarios[0].load_region().cluster_ids, arms=names)
    unknown = [o for o in args.outcomes or [] if o not in available]
    if unknown:
        raise config_error("--outcome", f"{', '.join(unknown)}: not an outcome of this study; choose from {', '.join(available)}")
    result = sa.sensitivity_study(scenarios, factors=factors, method=args.method, size=size, out=args.out, name=args.name,
                                  levels=levels, second_order=args.second_order, seeds=args.seeds, root_seed=args.root_seed,
                                  scale=args.scale, outcomes=args.outcomes, workers=args.workers, scheduler=args.scheduler,
                                  dashboard=args.dashboard, progress=not args.quiet, charts=not args.no_charts, lang=args.lang,
                                  groups=groups)
    if not report_runs(result, failures=result.failures, study_dir=result.study_dir, missing="indices"):
        return 1
    print(sensitivity_summary(result))
    first_stage = None
    if args.then_top is not None:
        first_stage, ranked_by = result, result.outcomes[0]  # the first --outcome, by default the city's talent
        top = sa.top_screened(result, outcome=ranked_by, n=args.then_top)
        chosen = [f for f, g in zip(factors, groups) if g in top]
        print(f"second stage: the {len(chosen)} factors of the {len(top)} groups ranked highest for {ranked_by} "
              f"({', '.join(top)}), one by one")
        result = sa.sensitivity_study(scenarios, factors=chosen, method="morris", size=size, out=args.out,
                                      name=None if args.name is None else f"{args.name}-factors", levels=levels, seeds=args.seeds,
                                      root_seed=args.root_seed, scale=args.scale, outcomes=args.outcomes, workers=args.workers,
                                      scheduler=args.scheduler, dashboard=args.dashboard, progress=not args.quiet,
                                      charts=not args.no_charts, lang=args.lang)
        if not report_runs(result, failures=result.failures, study_dir=result.study_dir, missing="indices"):
            return 1
        print(sensitivity_summary(result))
    if args.doc is not None:
        titles = {s.name: s.title.en or s.name for s in scenarios}
        argv = args.argv if args.argv is not None else sys.argv[1:]
        tail = sensitivity_markdown(result, command=argv, scale=args.scale, seeds=args.seeds, titles=titles, first_stage=first_stage)
        print(f"wrote {write_sensitivity_doc(args.doc, tail)}")
    return 0


def _factor_groups(args: argparse.Namespace, factors: list[Any]) -> tuple[str, ...] | None:
    """Each factor's group for ``--groups section`` or ``--groups FILE`` (a YAML mapping), None without the option."""
    from sim.factors import declared_groups, mechanism_groups, section_groups
    from sim.inputs import load_yaml

    if args.groups is None:
        return None
    if args.method != "morris":
        raise config_error("--groups", "only with --method morris (groups of factors are screened by Morris's method)")
    if not args.groups.strip():
        raise config_error("--groups", "empty: give 'section', 'mechanism' or a YAML file mapping group names to factors")
    if args.groups in ("section", "mechanism"):
        return (section_groups if args.groups == "section" else mechanism_groups)(factors)
    path = Path(args.groups)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = "file not found" if isinstance(exc, FileNotFoundError) else f"cannot be read: {exc}"
        raise config_error(str(path), f"{problem} (--groups takes 'section', 'mechanism' or a YAML file mapping group names to factors)") from None
    groups = load_yaml(text, source=str(path))  # not YAML: an error naming the file
    try:
        return declared_groups(factors, groups=groups)
    except ValueError as exc:
        raise config_error(str(path), str(exc)) from None


def sensitivity_summary(result: Any) -> str:
    """The top factors of the main outcomes at 2N, and whether each ranking's top has settled between N and 2N."""
    from sim.sensitivity import TOP_K, main_outcomes

    from sim.factors import group_label

    measure = "mu_star" if result.design.method == "morris" else "st"
    label = (lambda name: name.rsplit(".", 1)[-1]) if result.design.groups is None else group_label
    rows = [r for r in result.indices.to_pylist() if r["design_size"] == result.design.size]
    stable = {r["outcome"]: r["same_top_set"] for r in result.convergence.to_pylist()}
    screened = "factors" if result.design.groups is None else "groups"
    lines = [f"top {TOP_K} {screened} by {measure} ({result.design.size} {'trajectories' if measure == 'mu_star' else 'base samples'}); "
             "top stable between N and 2N?"]
    for outcome in main_outcomes(result.outcomes) or result.outcomes:
        top = sorted((r for r in rows if r["outcome"] == outcome), key=lambda r: r["rank"])[:TOP_K]
        shown = ", ".join(f"{label(r['factor'])} {r[measure]:,.3g}" for r in top if r[measure] is not None)
        lines.append(f"  {outcome}: {shown} · {'stable' if stable.get(outcome) else 'NOT stable'}")
    return "\n".join(lines)


def discover_command(args: argparse.Namespace) -> int:
    from sim import discover as sd
    from sim import sensitivity as sa
    from sim.config import load_scenario
    from sim.inputs import MAX_STUDY_RUNS

    check_common(args)
    if not 1 <= args.scale <= 10_000:
        raise config_error("--scale", f"{args.scale}: must be between 1 (one agent per person) and 10000")
    try:
        rows = sd.parse_design(args.design)
    except ValueError as exc:
        raise config_error("--design", str(exc)) from None
    try:
        factors = sa.select_factors(args.factors)
    except ValueError as exc:
        raise config_error("--factors", str(exc)) from None
    runs = rows * 2 * args.seeds
    if runs > MAX_STUDY_RUNS:
        raise config_error("--design", f"{runs:,} runs ({rows:,} rows, 2 scenarios, {args.seeds} seed(s)), beyond the limit of "
                                        f"{MAX_STUDY_RUNS:,} runs in one study")
    if importlib.util.find_spec("ema_workbench") is None:
        raise config_error("talentsim discover", "PRIM comes from EMA Workbench, which is not installed: pip install 'talentsim[ema]'")
    settings = overrides(args.overrides) or None
    base, policy = (load_scenario(s, overrides=settings) for s in (args.scenario, args.policy))
    for scenario in (base, policy):
        warn(scenario)
    warn_ranges(base, [f.name for f in factors], study="discovery study")
    if base.name == policy.name:
        raise config_error("--policy", f"{policy.name} is the base scenario itself: name another scenario")
    problems = sa.check_policies([base, policy], factors)
    if problems:
        raise config_error("--policy", "; ".join(problems))
    for late in sa.scheduled_factors([base, policy], factors):
        print(f"talentsim: warning: a scenario's levers.schedule changes {late} later in the run; the sampled value holds "
              "only until then", file=sys.stderr)
    settings = sd.settings_problems(base, threshold=args.threshold, kind=args.threshold_kind, outcome=args.outcome,
                                    peel_alpha=args.peel_alpha)
    for name, problem in settings.items():
        raise config_error({"kind": "--threshold-kind"}.get(name, f"--{name.replace('_', '-')}"), problem)
    result = sd.discover_study(base, policy, factors=factors, threshold=args.threshold, kind=args.threshold_kind, outcome=args.outcome,
                               rows=rows, seeds=args.seeds, root_seed=args.root_seed, scale=args.scale, peel_alpha=args.peel_alpha,
                               out=args.out, workers=args.workers, scheduler=args.scheduler, dashboard=args.dashboard,
                               progress=not args.quiet, charts=not args.no_charts, lang=args.lang)
    if not report_runs(result.study, failures=result.failures, study_dir=result.study_dir, missing="discovery"):
        return 1
    print(discovery_summary(result))
    return 0


def discovery_summary(result: Any) -> str:
    """How many rows are cases, and the chosen box: its statistics and each restricted factor's limits within its range."""
    from sim.discover import WEAK_QP

    cases, rows = int(result.cases.sum()), len(result.cases)
    rule = (f"below {result.threshold:g} x the base's value" if result.kind == "relative" else f"below {result.threshold:,g}")
    lines = [f"cases: {cases} of {rows} design rows have effect:{result.study.arms[1]}:{result.outcome} {rule}"]
    if result.discovery is None:
        which = "no row" if cases == 0 else "every row"
        lines.append(f"{which} is a case: nothing for PRIM to separate, no box (discovery_cases lists the effects)")
        return "\n".join(lines)
    stats = result.discovery.stats()
    lines.append(f"PRIM box {result.discovery.chosen} (trajectory of boxes 0-{result.discovery.trajectory.num_rows - 1}): coverage {stats['coverage']:.0%}, "
                 f"density {stats['density']:.0%}, mass {stats['mass']:.0%}, {stats['restricted_dims']} factor(s) restricted")
    box = result.discovery.box.to_pylist()
    strong = sum(1 for r in box if min(v for v in (r["qp_low"], r["qp_high"], 1.0) if v is not None) <= WEAK_QP)
    if box:
        lines.append(f"  {strong} of {len(box)} restrictions have a quasi-p-value of at most {WEAK_QP:g}; the others are weak evidence")
    for r in box:
        qps = [v for v in (r["qp_low"], r["qp_high"]) if v is not None]
        qp = f", qp {min(qps):.2g}" if qps else ""
        lines.append(f"  {r['factor']}: {r['low']:,.4g} to {r['high']:,.4g} of [{r['range_low']:,.4g}, {r['range_high']:,.4g}] "
                     f"{r['unit']}{qp}")
    return "\n".join(lines)


ABC_OPTIONS = {"parameters": "--parameters", "from_screening": "--from-screening", "top": "--top", "population": "--population",
               "generations": "--generations", "min_epsilon": "--min-epsilon", "min_acceptance": "--min-acceptance",
               "workers": "--workers", "scheduler": "--scheduler", "tls_ca_file": "--tls-ca-file", "tls_cert": "--tls-cert",
               "tls_key": "--tls-key", "out": "--out", "lang": "--lang", "no_charts": "--no-charts", "quiet": "--quiet"}


def calibrate_command(args: argparse.Namespace) -> int:
    from sim.calibrate import calibrate_baseline, calibration_file
    from sim.inputs import MAX_SEEDS
    from sim.scenario_files import resolve_scenario_path

    if args.method == "abc":
        return _calibrate_abc(args)
    for key, option in ABC_OPTIONS.items():
        if getattr(args, key) not in (None, False):
            raise config_error(option, "only with --method abc")
    seeds, scale = 4 if args.seeds is None else args.seeds, 10 if args.scale is None else args.scale
    if not 1 <= seeds <= MAX_SEEDS:
        raise config_error("--seeds", f"{seeds}: must be between 1 and {MAX_SEEDS:,} replications per evaluation")
    if not 1 <= scale <= 10_000:
        raise config_error("--scale", f"{scale}: must be between 1 (one agent per person) and 10000")
    report = calibrate_baseline(args.scenario, seeds=seeds, scale=scale, verbose=True)
    print(report.render())
    print(f"fitted values written to {calibration_file(resolve_scenario_path(args.scenario))}")
    return 0 if report.converged else 1


def _calibrate_abc(args: argparse.Namespace) -> int:
    import os

    from sim import abc_smc as abc
    from sim.calibrate import (TargetError, _refuse_installed_library, check_targets, fitted_targets, nothing_to_fit,
                               unfitted_observations, unfitted_warning)
    from sim.config import load_scenario
    from sim.ensemble import SCHEDULER_ENV
    from sim.posterior import posterior_file
    from sim.scenario_files import resolve_scenario_path

    if args.seeds is not None:
        raise config_error("--seeds", "only with --method point: ABC-SMC draws a seed for every simulation")
    args.out = Path("outputs") if args.out is None else args.out
    args.lang = args.lang or "zh"
    security = check_common(args)
    scale = abc.DEFAULT_SCALE if args.scale is None else args.scale
    checks = ((scale, "--scale", 1, 10_000, "between 1 (one agent per person) and 10000"),
              (args.population, "--population", 2, abc.MAX_POPULATION, f"a whole number of particles from 2 to {abc.MAX_POPULATION:,}"),
              (args.generations, "--generations", 1, abc.MAX_GENERATIONS, f"a whole number of populations from 1 to {abc.MAX_GENERATIONS}"),
              (args.top, "--top", 1, 1_000, "a number of factors from 1 to 1000"))
    for value, option, low, high, allowed in checks:
        if value is not None and not low <= value <= high:
            raise config_error(option, f"{value}: must be {allowed}")
    if args.min_epsilon is not None and not (math.isfinite(args.min_epsilon) and args.min_epsilon >= 0):
        raise config_error("--min-epsilon", f"{args.min_epsilon}: must be a distance of 0 or more")
    if args.min_acceptance is not None and not 0 <= args.min_acceptance < 1:
        raise config_error("--min-acceptance", f"{args.min_acceptance}: must be a share from 0 up to (not including) 1")
    if args.top is not None and args.from_screening is None:
        raise config_error("--top", "only with --from-screening")
    path = resolve_scenario_path(args.scenario)
    _refuse_installed_library(posterior_file(path), scenario_path=path)
    scenario = load_scenario(path)
    warn(scenario)
    if not any(spec["in_distance"] for spec in fitted_targets(scenario).values()):
        raise config_error(str(path), nothing_to_fit(scenario))
    if unfitted := unfitted_observations(scenario):
        print(unfitted_warning(unfitted), file=sys.stderr)
    names = list(args.parameters) if args.parameters else abc.default_parameters(scenario)
    if args.from_screening is not None:
        try:
            names += abc.screening_factors(args.from_screening, top=args.top or 5)
        except ValueError as exc:
            raise config_error("--from-screening", str(exc)) from None
    try:
        priors = abc.priors_for(names)
    except ValueError as exc:
        raise config_error("--parameters", str(exc)) from None
    warn_ranges(scenario, [p.name for p in priors], study="calibration")
    try:  # one fitting run, after every option is checked: a target the runs cannot give is refused before the study
        check_targets(scenario, scale=scale)
    except TargetError as exc:
        raise config_error(str(path), str(exc)) from None
    print(f"scenario: {scenario.found.describe()}")
    print(f"ABC-SMC of {len(priors)} parameters: {', '.join(p.name for p in priors)}")
    options = dict(priors=priors, db=abc.abc_folder(args.out, scenario) / "history.db", scale=scale, progress=not args.quiet,
                   population=args.population or abc.DEFAULT_POPULATION, generations=args.generations or abc.DEFAULT_GENERATIONS,
                   min_epsilon=args.min_epsilon or 0.0,
                   min_acceptance=abc.DEFAULT_MIN_ACCEPTANCE if args.min_acceptance is None else args.min_acceptance)
    if args.workers == 0 and not (args.scheduler or os.environ.get(SCHEDULER_ENV)):
        result = abc.abc_smc(scenario, **options)
    else:
        from sim.ensemble import _client

        with _client(workers=args.workers, scheduler=args.scheduler, security=security, dashboard=False) as client:
            result = abc.abc_smc(scenario, map_=lambda f, xs: client.gather(client.map(f, xs, pure=False)), **options)
    files = abc.write_abc(result, scenario_path=path, out=args.out, lang=args.lang, charts=not args.no_charts)
    print(abc.render(result))
    print(f"\nposterior: {posterior_file(path)} (summary beside it); diagnostics in {abc.abc_folder(args.out, scenario)}")
    print(f"wrote {len(files)} files")
    return 0
