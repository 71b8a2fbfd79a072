"""Command line: ``talentsim run|ensemble|sweep|compare|sensitivity|discover|optimise|calibrate|validate|dashboard|params|report``
(also ``python -m sim``).

Heavy modules are imported inside the commands so that ``talentsim --help`` answers at once.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import sys
import threading
import warnings
from pathlib import Path
from typing import Any, Callable, Sequence

from sim.cli_analysis import calibrate_command, discover_command, sensitivity_command
from sim.cli_dashboard import add_dashboard_parser, dashboard_command
from sim.cli_optimise import optimise_command
from sim.cli_report import add_report_parser
from sim.cli_common import (
    EXIT_RUN_FAILED, NAME_LOOKUP, check_common as _check_common, compared_scenarios, config_error as _config_error, fail as _fail,
    overrides as _overrides, path_option, report_failures, warn as _warn, warn_other_runs, warn_ranges,
)

def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="talentsim", description="Agent-based simulation of industry-talent agglomeration.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one scenario and write tables, charts and a manifest")
    run.add_argument("scenario", help=f"scenario file (YAML) or name ({NAME_LOOKUP})")
    run.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    run.add_argument("--scale", type=int, help="persons per skilled-tier agent; 1 = one agent per person (default: the scenario's)")
    run.add_argument("--out", type=path_option, default=Path("outputs"), help="output folder (default: outputs)")
    run.add_argument("--lang", choices=("zh", "en"), default="zh", help="chart language (default: zh)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter, e.g. --set apartments_per_year=8000 (repeatable)")
    run.add_argument("--no-charts", action="store_true", help="write tables only")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    for name, helptext in (("ensemble", "replications of one scenario: bands over seeds, or over parameter draws and seeds"),
                           ("sweep", "one lever over a range of values, several seeds each")):
        study = sub.add_parser(name, help=helptext)
        study.add_argument("scenario", help=f"scenario file (YAML) or name ({NAME_LOOKUP})")
        if name == "sweep":
            study.add_argument("--lever", required=True, metavar="NAME=LOW:HIGH:N",
                               help="lever and its values: NAME=LOW:HIGH:N (evenly spaced) or NAME=V1,V2,...")
        _study_options(study, seeds_help="runs per point (default 20)" + (", at each parameter draw" if name == "ensemble" else ""),
                       root_default="the scenario's", scale_default="the scenario's", set_help="override a parameter (repeatable)")
        if name == "ensemble":
            _draw_options(study)

    cmp = sub.add_parser("compare", help="run scenarios with the same seeds and compare them with the first")
    cmp.add_argument("scenarios", nargs="+", help=f"scenario files (YAML) or names ({NAME_LOOKUP}); the first is the reference")
    cmp.add_argument("--years", type=int, nargs="+", default=[2025, 2030, 2035], help="year ends to compare (default 2025 2030 2035)")
    cmp.add_argument("--name", help="folder name of the comparison under OUT/compare/ (default: from the scenario names)")
    _study_options(cmp, seeds_help="runs per scenario (at each parameter draw), the same seeds in each (default 20)",
                   root_default="the first scenario's", scale_default="each scenario's",
                   set_help="override a parameter in every scenario (repeatable)")
    _draw_options(cmp)

    sens = sub.add_parser("sensitivity", help="global sensitivity (Morris or Sobol', SALib) over the declared ranges")
    sens.add_argument("scenario", help=f"the base scenario: file (YAML) or name ({NAME_LOOKUP})")
    sens.add_argument("--method", choices=("morris", "sobol"), default="morris", help="morris (screening, default) or sobol (variance)")
    sens.add_argument("--factors", nargs="+", metavar="NAME",
                      help="parameters to sample: full or short names, or groups by prefix (uncertainties, levers, "
                           "uncertainties.residents, levers.housing); default: every uncertainty")
    sens.add_argument("--outcome", dest="outcomes", action="append", metavar="NAME",
                      help="outcome to analyse (repeatable): talent_total_2035, talent_<cluster>_2035, talent_share_2035, "
                           "effect:<policy>:<outcome>; default: all of these")
    sens.add_argument("--policy", dest="policies", action="append", default=[], metavar="SCENARIO",
                      help="policy scenario whose effect (paired difference to the base) is analysed too (repeatable)")
    sens.add_argument("--trajectories", type=int, help=f"Morris trajectories r (default {20}); the convergence report halves them")
    sens.add_argument("--levels", type=int, help="Morris grid levels (default 4)")
    sens.add_argument("--samples", type=int, help="Sobol' base samples N, a power of two (default 256)")
    sens.add_argument("--groups", metavar="section|mechanism|FILE",
                      help="Morris only: screen groups of factors, each moved together, in r x (groups + 1) runs instead of "
                           "r x (factors + 1): 'section' groups them by configuration section (uncertainties.behaviour, "
                           "levers.housing, ...); 'mechanism' splits the behavioural parameters by the submodel that uses "
                           "them; a YAML FILE maps each group's name to its factors or prefixes, and a factor it leaves out "
                           "is a group of its own")
    sens.add_argument("--then-top", type=int, metavar="N",
                      help="with --groups: then screen one by one the factors of the N groups ranked highest for the first "
                           "--outcome (default talent_total_2035), with the same trajectories; --doc publishes both stages")
    sens.add_argument("--second-order", action="store_true", help="Sobol' second-order indices S2 as well (runs 2k+2 rows per sample instead of k+2)")
    sens.add_argument("--name", help="folder name of the study under OUT/<scenario>/ (default: sensitivity-<method>-<hash>)")
    sens.add_argument("--doc", type=path_option, metavar="PATH", help="also write the published ranking to this Markdown file (e.g. docs/sensitivity.md)")
    _study_options(sens, seeds_help="seeds per design row, the same at every row and in every scenario (default 1)",
                   root_default="the base scenario's", scale_default="100", set_help="override a parameter in every scenario (repeatable)")
    sens.set_defaults(seeds=1, scale=100)

    disc = sub.add_parser("discover", help="scenario discovery: PRIM boxes (EMA Workbench) where a policy's effect falls below a threshold")
    disc.add_argument("scenario", help=f"the base scenario: file (YAML) or name ({NAME_LOOKUP})")
    disc.add_argument("--policy", required=True, metavar="SCENARIO", help="the policy scenario whose effect (paired difference to the base) is examined")
    disc.add_argument("--threshold", required=True, type=float, metavar="X",
                      help="a design row is a case when the effect is below X (in the outcome's unit, or a share of the base's "
                           "outcome with --threshold-kind relative, e.g. 0.02)")
    disc.add_argument("--threshold-kind", choices=("absolute", "relative"), default="absolute",
                      help="absolute (default): X in the outcome's unit; relative: X times the base scenario's outcome at the same row")
    disc.add_argument("--outcome", default="talent_total_2035", metavar="NAME",
                      help="outcome the effect is on: talent_total_2035 (default), talent_<cluster>_2035, talent_share_2035, ...")
    disc.add_argument("--factors", nargs="+", metavar="NAME",
                      help="parameters to sample: full or short names, or groups by prefix (uncertainties, "
                           "uncertainties.residents, ...); default: every uncertainty")
    disc.add_argument("--design", default="lhs:200", metavar="lhs:N", help="a Latin hypercube of N rows (default lhs:200)")
    disc.add_argument("--peel-alpha", type=float, default=0.05, metavar="A",
                      help="share of a box's rows PRIM peels at each step, between 0 and 0.5 exclusive (default 0.05)")
    _study_options(disc, seeds_help="seeds per design row, the same at every row and in both scenarios (default 1)",
                   root_default="the base scenario's", scale_default="100", set_help="override a parameter in both scenarios (repeatable)")
    disc.set_defaults(seeds=1, scale=100)

    opt = sub.add_parser("optimise", help="lever settings that do most for talent (or coordination) within an annual budget (optuna)")
    opt.add_argument("scenario", help=f"the base scenario: file (YAML) or name ({NAME_LOOKUP})")
    opt.add_argument("--budget-yuan-per-year", required=True, type=float, metavar="X",
                     help="the envelope: the levers' annual budgets together may not exceed X yuan (e.g. 1.5e10)")
    opt.add_argument("--levers", required=True, metavar="FAMILY,...",
                     help="lever families to search: housing, funding, projects, challenges, platforms, services, tailored_support, "
                          "graduates, skills (comma-separated); the others keep the base's settings and budgets")
    opt.add_argument("--objective", choices=("talent_2035", "coordination_2035"), default="talent_2035",
                     help="what to maximise: city talent at the end of 2035 (default) or the clusters' mean coupling coordination in 2035")
    opt.add_argument("--pareto", action="store_true", help="NSGA-II: the front of spending against the objective (default: TPE on the objective)")
    opt.add_argument("--trials", type=int, default=40, help="trials to add to the study (default 40); run again to add more")
    opt.add_argument("--eval-seeds", type=int, default=10, help="fresh seeds on which the best settings and the base are re-evaluated (default 10)")
    opt.add_argument("--reevaluate", type=int, default=3, help="settings re-evaluated: the best and the next best, or members of the front (default 3)")
    opt.add_argument("--from", dest="from_year", type=int, metavar="YEAR",
                     help="the settings apply from January of YEAR (default 2025, or the run's first year if it ends earlier)")
    opt.add_argument("--batch", type=int, default=4, help="trials asked for and run at once (default 4; results depend on it, not on --workers)")
    opt.add_argument("--population", type=int, help="NSGA-II population (with --pareto; default 16)")
    opt.add_argument("--name", help="name of the optuna study and of its folder OUT/<scenario>/optimise-<name> (default: from the options)")
    opt.add_argument("--storage", type=path_option, metavar="FILE",
                     help="the SQLite file of the optuna study (default OUT/<scenario>/optimise-<name>/study.db); the same name resumes")
    _study_options(opt, seeds_help="search seeds, the same in every trial (default 2)", root_default="the base scenario's",
                   scale_default="100", set_help="override a parameter of the base scenario (repeatable)")
    opt.set_defaults(seeds=2, scale=100)

    cal = sub.add_parser("calibrate", help="fit the free parameters to the region's patterns (P1-P4) and fitted observations: "
                                           "a point fit, or a posterior by ABC-SMC")
    cal.add_argument("scenario", help="scenario to calibrate (its calibration file, or with --method abc its posterior, is rewritten)")
    cal.add_argument("--method", choices=("point", "abc"), default="point",
                     help="point: the fast point fit, rewrites calibration/<name>_fit.yaml (default); "
                          "abc: ABC-SMC, writes calibration/<name>_posterior.parquet and .yaml")
    cal.add_argument("--seeds", type=int, help="point fit: replications per evaluation (default 4)")
    cal.add_argument("--scale", type=int, help="scale of the calibration runs (default 10; 20 with --method abc)")
    abc = cal.add_argument_group("ABC-SMC (--method abc)")
    abc.add_argument("--parameters", nargs="+", metavar="NAME",
                     help="uncertainties to infer, full or short names; default: the point fit's free parameters")
    abc.add_argument("--from-screening", type=path_option, metavar="STUDY_DIR",
                     help="add the top uncertainties of a Morris screening (its folder, with indices.parquet)")
    abc.add_argument("--top", type=int, help="how many factors --from-screening adds (default 5)")
    abc.add_argument("--population", type=int, help="particles per population (default 200)")
    abc.add_argument("--generations", type=int, help="populations at most (default 10)")
    abc.add_argument("--min-epsilon", type=float, help="stop when the distance threshold falls to this (default 0: no such stop)")
    abc.add_argument("--min-acceptance", type=float, help="stop when a population accepts less than this share of proposals (default 0.02)")
    _cluster_options(abc)
    abc.add_argument("--out", type=path_option, help="output folder (default: outputs); writes OUT/<scenario>/abc/ (pyabc's history, "
                                              "the posterior predictive table, charts)")
    abc.add_argument("--lang", choices=("zh", "en"), help="chart language (default: zh)")
    abc.add_argument("--no-charts", action="store_true", help="write tables only")
    abc.add_argument("--quiet", action="store_true", help="no progress lines")

    val = sub.add_parser("validate", help="set the scenario against the observed figures of its region file; exit 1 when one lies outside its tolerance")
    val.add_argument("scenario", help=f"scenario file (YAML) or name ({NAME_LOOKUP})")
    val.add_argument("--seeds", type=int, default=5, help="replications (default 5)")
    val.add_argument("--scale", type=int, default=20, help="persons per skilled-tier agent (default 20)")
    val.add_argument("--out", type=path_option, default=Path("outputs"), help="output folder (default: outputs); writes OUT/<scenario>/validation/")
    val.add_argument("--lang", choices=("zh", "en"), default="zh", help="chart language (default: zh)")
    val.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter (repeatable)")

    add_dashboard_parser(sub)

    params = sub.add_parser("params", help="list every parameter with its default, unit, source and range")
    params.add_argument("scenario", nargs="?", help="a scenario: each parameter's value in it beside the default, and which "
                                                    "values lie outside their plausible range (a scenario of another city)")
    params.add_argument("--grep", default="", help="show only names containing this text")
    add_report_parser(sub)
    return parser


def _cluster_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Where the runs go: serial, a local Dask cluster, or an existing scheduler with its TLS files."""
    parser.add_argument("--workers", type=int, help="0 = serial in this process; N = a local Dask cluster of N processes (default: one per core)")
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler (or set $DASK_SCHEDULER_ADDRESS); "
                                            "it must be trusted: the client unpickles what it sends back")
    parser.add_argument("--tls-ca-file", type=path_option, metavar="PEM", help="certificate authority of the scheduler's TLS (tls:// addresses)")
    parser.add_argument("--tls-cert", type=path_option, metavar="PEM", help="this client's TLS certificate (may hold its key too)")
    parser.add_argument("--tls-key", type=path_option, metavar="PEM", help="this client's TLS private key, if not in --tls-cert")


def _study_options(parser: argparse.ArgumentParser, *, seeds_help: str, root_default: str, scale_default: str,
                   set_help: str) -> None:
    """Options shared by the commands that run many runs (ensemble, sweep, compare)."""
    parser.add_argument("--seeds", type=int, default=20, help=seeds_help)
    parser.add_argument("--root-seed", type=int, help=f"seed from which every run's seed derives (default: {root_default})")
    parser.add_argument("--scale", type=int, help=f"persons per skilled-tier agent (default: {scale_default})")
    _cluster_options(parser)
    parser.add_argument("--dashboard", action="store_true",
                        help="serve the local cluster's dashboard on 127.0.0.1:8787, with its task profiles (runs take ~10%% longer)")
    parser.add_argument("--out", type=path_option, default=Path("outputs"), help="output folder (default: outputs)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="chart language (default: zh)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE", help=set_help)
    parser.add_argument("--no-charts", action="store_true", help="write tables only")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _draw_options(parser: argparse.ArgumentParser) -> None:
    """Parameter uncertainty for ensemble and compare: parameter draws, each run with --seeds seeds."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--posterior", type=int, metavar="N",
                       help="run at N parameter sets drawn from the (first) scenario's posterior, "
                            "scenarios/calibration/<name>_posterior.parquet (made by talentsim calibrate SCENARIO --method abc), "
                            "each with --seeds seeds: bands over parameters and seeds")
    group.add_argument("--design", metavar="lhs:N",
                       help="run at N parameter sets of a Latin hypercube over the declared plausible ranges of every uncertainty "
                            "(or of --factors), each with --seeds seeds: bands over parameters and seeds")
    parser.add_argument("--factors", nargs="+", metavar="NAME",
                        help="with --design: the parameters to sample, full or short names or groups by prefix "
                             "(as for sensitivity); default: every uncertainty")


def _exit_on_terminate(signum: int, frame: Any) -> None:
    print("talentsim: terminated; nothing was written for the unfinished run", file=sys.stderr)
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C, so unfinished files are removed on the way out


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    args.argv = None if argv is None else list(argv)
    from sim.errors import AgentLimitError, ConfigError

    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _exit_on_terminate) if on_main_thread else None
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _shown_as_talentsim_warnings(warnings.showwarning)
            from sim.row_ranges import thread_count

            thread_count()  # a bad TALENTSIM_THREADS is refused before any work, not in the middle of a run
            return _dispatch(args)
    except ConfigError as exc:
        return _fail(str(exc))
    except AgentLimitError as exc:  # a run that outgrew its stated limit: nothing was written for it
        return _fail(f"{exc}\nnothing was written for this run", code=EXIT_RUN_FAILED)
    except KeyboardInterrupt:
        print("talentsim: interrupted; nothing was written for the unfinished run", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of the output stopped (talentsim params | head): not an error of the command
        if sys.stdout is not None and hasattr(sys.stdout, "fileno"):
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush into the closed pipe
        return 128 + signal.SIGPIPE
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        where = getattr(args, "out", None) or Path.cwd()
        return _fail(f"no space left on the device of {where} ({exc.strerror}); nothing was written for the unfinished run: "
                     "free some space and run the same command again", code=EXIT_RUN_FAILED)
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _shown_as_talentsim_warnings(show: Callable[..., None]) -> Callable[..., None]:
    """``warnings.showwarning`` that prints the model's own warnings as ``talentsim: warning: ...`` (a user has no use for
    the source line that raised them) and leaves every other warning to ``show``."""
    from sim.errors import TalentSimWarning

    def show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None,
                     line: str | None = None) -> None:
        if issubclass(category, TalentSimWarning):
            print(f"talentsim: warning: {message}", file=sys.stderr)
        else:
            show(message, category, filename, lineno, file, line)
    return show_warning


def _dispatch(args: argparse.Namespace) -> int:
    if hasattr(args, "handler"):  # commands that live in modules of their own
        return args.handler(args)
    if args.command == "run":
        return _run(args)
    if args.command == "calibrate":
        return calibrate_command(args)
    if args.command in ("ensemble", "sweep"):
        return _study(args)
    if args.command == "compare":
        return _compare(args)
    if args.command == "sensitivity":
        return sensitivity_command(args)
    if args.command == "discover":
        return discover_command(args)
    if args.command == "optimise":
        return optimise_command(args)
    if args.command == "validate":
        return _validate(args)
    if args.command == "dashboard":
        return dashboard_command(args)
    return _params(args)


def _run(args: argparse.Namespace) -> int:
    from sim.config import load_scenario
    from sim.runner import run_scenario

    _check_common(args)
    overrides = _overrides(args.overrides)
    if args.seed is not None:
        overrides["run.seed"] = args.seed
    if args.scale is not None:
        overrides["run.scale"] = args.scale
    scenario = load_scenario(args.scenario, overrides=overrides)
    _warn(scenario)
    print(f"scenario: {scenario.found.describe()}")
    result = run_scenario(scenario, out=args.out, lang=args.lang, charts=not args.no_charts, progress=not args.quiet)
    print(summary_table(result.tables, scenario=scenario, lang=args.lang))
    for note in result.notes:
        print(f"note: {note}")
    print(f"\nwrote {len(result.files)} files to {result.run_dir}")
    charts = sorted(p for p in result.files if p.suffix == ".png")
    if charts:
        print(f"charts: {charts[0].parent}")
    t = result.timings
    print("time: " + ", ".join(f"{k[:-2]} {v:.1f} s" for k, v in t.items()))
    return 0


def summary_table(tables: dict, *, scenario: Any, lang: str) -> str:
    """Talent stock per cluster and the city total at the end of the initial state's year, of every fifth year (2025,
    2030, ...) and of the run's last whole year (for Jiaxing's baseline: end-2021, 2025, 2030 and 2035)."""
    import datetime as dt

    import numpy as np

    stock = tables["talent_stock"]
    dates = np.array(stock.column("date").to_pylist())
    clusters = np.array(stock.column("cluster").to_pylist())
    values = stock.column("talent_stock").to_numpy()
    year_ends = sorted({d.year for d in dates.tolist() if (d.month, d.day) == (12, 31)})
    years = [y for y in year_ends if y in (year_ends[0], year_ends[-1]) or y % 5 == 0]
    labels = scenario.load_region().labels()
    order = list(dict.fromkeys(clusters.tolist()))
    name = lambda c: labels.get(c, {}).get(lang, c)
    width = max(_display_width(name(c)) for c in order) + 2
    pad = lambda text: text + " " * (width - _display_width(text))
    year_end = (lambda y: f"{y}年末") if lang == "zh" else (lambda y: f"end-{y}")
    head = pad("集群" if lang == "zh" else "cluster") + "".join(" " * (14 - _display_width(year_end(y))) + year_end(y) for y in years)
    title = (f"人才存量（人）· {scenario.name} · 随机种子 {scenario.run.seed} · 规模 {scenario.run.scale}" if lang == "zh" else
             f"talent stock, persons · {scenario.name} · seed {scenario.run.seed} · scale {scenario.run.scale}")
    lines = [title, head]
    totals = []
    for c in order:
        row = [values[(clusters == c) & (dates == dt.date(y, 12, 31))].sum() for y in years]
        lines.append(pad(name(c)) + "".join(f"{v:>14,.0f}" for v in row))
    for y in years:
        totals.append(values[dates == dt.date(y, 12, 31)].sum())
    lines.append(pad("全市合计" if lang == "zh" else "city total") + "".join(f"{v:>14,.0f}" for v in totals))
    return "\n".join(lines)


def _display_width(text: str) -> int:
    """Terminal columns of a string: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _study(args: argparse.Namespace) -> int:
    from sim.config import load_scenario
    from sim.compare import run_sweep
    from sim.ensemble import parse_lever_range, run_ensemble
    from sim.errors import ConfigError
    from sim.inputs import check_study_size

    security = _check_common(args)
    if args.command == "sweep":
        try:
            lever, values = parse_lever_range(args.lever)
        except ValueError as exc:
            raise ConfigError(source="--lever", problems=[str(exc)]) from None
        check_study_size(seeds=args.seeds, points=len(values))
    count = _draw_count(args) if args.command == "ensemble" else None
    _check_drawn_study_size(args, scenarios=1, draws=count)
    scenario = load_scenario(args.scenario, overrides=_overrides(args.overrides) or None)
    _warn(scenario)
    draws = _draws(args, [scenario]) if count is not None else None
    options = dict(seeds=args.seeds, out=args.out, root_seed=args.root_seed, scale=args.scale, workers=args.workers,
                   scheduler=args.scheduler, security=security, dashboard=args.dashboard, progress=not args.quiet,
                   charts=not args.no_charts, lang=args.lang)
    if args.command == "sweep":
        for value in {min(values), max(values)}:  # validity ranges are intervals: the extremes check every value
            load_scenario(args.scenario, overrides={**_overrides(args.overrides), lever: value})
        result = run_sweep(scenario, lever=lever, values=values, **options)
    else:
        result = run_ensemble(scenario, draws=draws, **options)
    print(f"{result.n_done} of {len(result.specs)} runs complete in {result.seconds:.1f} s; results in {result.study_dir}")
    warn_other_runs(result.specs, study_dir=result.study_dir)
    final = result.summary.filter(_both_equal(result.summary, "cluster", "city_total", "tier", "all_tiers"))
    if final.num_rows:
        last = max(final.column("date").to_pylist())
        for row in final.filter(_on_date(final, last)).to_pylist():
            print(f"  {row['point_label']}: city talent at {last}: median {row['median']:,.0f}, "
                  f"5-95% [{row['p05']:,.0f}, {row['p95']:,.0f}] over {row['n_runs']} runs ({_band_holds(row)})")
    if result.failures:
        report_failures(result.failures, folder=result.study_dir)
        return 1
    return 0


def _draw_count(args: argparse.Namespace) -> int | None:
    """The number of parameter draws asked for (None: seeds only), each option checked before any scenario is read."""
    from sim.draws import check_draw_count, parse_design
    from sim.sensitivity import select_factors

    if args.factors is not None and args.design is None:
        raise _config_error("--factors", "only with --design lhs:N (a posterior draws its own parameters)")
    count = None
    for option, given, check in (("--posterior", args.posterior, lambda n: check_draw_count(n, option="--posterior")),
                                 ("--design", args.design, parse_design), ("--factors", args.factors, select_factors)):
        if given is None:
            continue
        try:
            checked = check(given)
        except ValueError as exc:
            raise _config_error(option, str(exc)) from None
        if option != "--factors":
            count = checked
    return count


def _check_drawn_study_size(args: argparse.Namespace, *, scenarios: int, draws: int | None) -> None:
    from sim.inputs import MAX_STUDY_RUNS

    if draws is None:
        return
    runs = scenarios * draws * args.seeds
    if runs > MAX_STUDY_RUNS:
        raise _config_error("--posterior" if args.posterior is not None else "--design",
                            f"{scenarios} scenario(s) x {draws:,} parameter draws x {args.seeds} seeds = {runs:,} runs, beyond the "
                            f"limit of {MAX_STUDY_RUNS:,} runs in one study")


def _draws(args: argparse.Namespace, scenarios: list) -> Any:
    """The parameter draws of the study, less the parameters that must not vary (each announced as a warning)."""
    from sim import draws as dr

    root = scenarios[0].run.seed if args.root_seed is None else args.root_seed
    try:
        if args.posterior is not None:
            drawn = dr.posterior_draws(scenarios[0], n=args.posterior, seed=dr.draw_seed(root))
        else:
            drawn = dr.lhs_draws(args.factors, n=dr.parse_design(args.design), seed=dr.draw_seed(root))
    except ValueError as exc:
        raise _config_error("--posterior" if args.posterior is not None else "--design", str(exc)) from None
    if drawn.kind == "lhs" and drawn.sets:
        warn_ranges(scenarios[0], list(drawn.sets[0]), study="design")
    drawn, held = dr.without_conflicts(drawn, scenarios, fixed=_overrides(args.overrides))
    for name, reason in held.items():
        print(f"talentsim: warning: {name} is not drawn ({reason}): each scenario keeps its own value in every draw",
              file=sys.stderr)
    if not drawn.parameters:
        raise _config_error("--posterior" if args.posterior is not None else "--factors",
                            "no parameter is left to draw: every drawn parameter is set differently by the scenarios or by --set")
    for late in dr.scheduled_parameters(drawn, scenarios):
        print(f"talentsim: warning: a scenario's levers.schedule changes {late} later in the run; the drawn value holds "
              "only until then", file=sys.stderr)
    if args.posterior is not None:
        own = [s.name for s in scenarios[1:] if _posterior_of(s) not in (None, drawn.source)]
        if own:
            print(f"talentsim: warning: {', '.join(own)} have posteriors of their own; every scenario runs at the draws "
                  f"from {drawn.source}", file=sys.stderr)
    return drawn


def _posterior_of(scenario: Any) -> str | None:
    from sim.posterior import find_posterior

    found = find_posterior(scenario.found.file) if scenario.found is not None else None
    return None if found is None else str(found)


def _band_holds(row: dict) -> str:
    draws = row.get("n_draws") or 1
    return row["uncertainty"] if draws < 2 else f"{row['uncertainty']}: {draws} parameter draws"


def _compare(args: argparse.Namespace) -> int:
    from sim.compare import compare_scenarios
    from sim.errors import ConfigError
    from sim.inputs import check_study_size

    security = _check_common(args)
    count = _draw_count(args)
    check_study_size(seeds=args.seeds, points=len(args.scenarios))
    _check_drawn_study_size(args, scenarios=len(args.scenarios), draws=count)
    scenarios = compared_scenarios(args)
    draws = _draws(args, scenarios) if count is not None else None
    try:
        comparison = compare_scenarios(scenarios, seeds=args.seeds, out=args.out, years=args.years, root_seed=args.root_seed,
                                       scale=args.scale, workers=args.workers, scheduler=args.scheduler, security=security,
                                       dashboard=args.dashboard,
                                       progress=not args.quiet, charts=not args.no_charts, lang=args.lang,
                                       name=args.name, draws=draws)
    except ValueError as exc:
        raise ConfigError(source="talentsim compare", problems=[str(exc)]) from None
    print(comparison_summary(comparison.table, lang=args.lang, titles={s.name: s.title for s in scenarios}))
    print(pairs_summary(comparison.folder, lang=args.lang, titles={s.name: s.title for s in scenarios}))
    print(f"\nresults in {comparison.folder} (comparison.csv, lever_pairs.csv, charts/)")
    warn_other_runs(comparison.study.specs, study_dir=comparison.study.study_dir)
    if comparison.study.failures:
        report_failures(comparison.study.failures, folder=comparison.folder)
        return 1
    return 0


def comparison_summary(table: Any, *, lang: str, titles: dict[str, Any]) -> str:
    """City talent at the last compared year per scenario: mean, difference to the first with its 95% interval and its
    5-95% range, the share of runs in which it is positive, money; and what the intervals hold."""
    import pyarrow.compute as pc

    if table.num_rows == 0:
        return "no complete runs to compare"
    last = max(table.column("year").to_pylist())
    rows = table.filter(pc.and_(pc.equal(table["year"], last), pc.equal(table["cluster"], "city_total"))).to_pylist()
    name = lambda r: (getattr(titles.get(r["scenario"]), lang, "") or r["scenario"])
    width = max(_display_width(name(r)) for r in rows) + 2
    pad = lambda text: text + " " * (width - _display_width(text))
    head = ("情景" if lang == "zh" else "scenario")
    first = rows[0]
    over = (f"{first['n_seeds']} paired seeds" if first["n_draws"] < 2 else
            f"{first['n_draws']} parameter draws ({first['n_seeds']} paired seeds each, {first['n_runs']} paired runs)")
    lines = [f"city talent stock at end-{last}, persons; difference to {first['scenario']}: mean with 95% interval over {over}, "
             f"5-95% range and share of runs with a gain; extra spending since the start; talent per 100 million yuan",
             f"uncertainty: {first['uncertainty']}",
             pad(head) + f"{'mean':>12}{'difference':>12}{'95% interval':>24}{'5-95% range':>24}{'P(gain)':>9}"
             f"{'extra 100m yuan':>17}{'per 100m yuan':>15}"]
    fmt = lambda v, spec: "—" if v is None else format(v, spec)
    for r in rows:
        interval = "" if r["diff_ci_low"] is None else f"[{r['diff_ci_low']:,.0f}, {r['diff_ci_high']:,.0f}]"
        spread = "" if r["point"] == 0 else f"[{r['diff_p05']:,.0f}, {r['diff_p95']:,.0f}]"
        extra = None if r["extra_spending_yuan"] is None else r["extra_spending_yuan"] / 1e8
        lines.append(pad(name(r)) + f"{r['talent_stock_mean']:>12,.0f}{r['diff_mean']:>+12,.0f}{interval:>24}{spread:>24}"
                     f"{fmt(r['prob_positive'], '.2f'):>9}{fmt(extra, '+,.1f'):>17}{fmt(r['talent_per_100m_yuan'], ',.0f'):>15}")
    return "\n".join(lines)


def pairs_summary(folder: Path, *, lang: str, titles: dict[str, Any]) -> str:
    """For each pair of compared policies at the last year: the share of paired runs in which the first beats the
    second, in talent and in talent per yuan."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = Path(folder) / "lever_pairs.parquet"
    table = pq.read_table(path) if path.exists() else None
    if table is None or table.num_rows == 0:
        return ""
    last = max(table.column("year").to_pylist())
    rows = table.filter(pc.equal(table["year"], last)).to_pylist()
    name = lambda n: (getattr(titles.get(n), lang, "") or n)
    fmt = lambda v: "—" if v is None else f"{v:.2f}"
    lines = [f"\npairs of policies at end-{last}: share of paired runs in which A gains more city talent than B, "
             f"and more per yuan of extra spending ({rows[0]['uncertainty']})"]
    for r in rows:
        lines.append(f"  {name(r['scenario_a'])} vs {name(r['scenario_b'])}: P(A beats B) {fmt(r['prob_a_beats_b'])}, "
                     f"per yuan {fmt(r['prob_a_beats_b_per_yuan'])}")
    return "\n".join(lines)


def _both_equal(table: Any, col_a: str, value_a: str, col_b: str, value_b: str) -> Any:
    import pyarrow.compute as pc

    return pc.and_(pc.equal(table[col_a], value_a), pc.equal(table[col_b], value_b))


def _on_date(table: Any, date: Any) -> Any:
    import pyarrow.compute as pc

    return pc.equal(table["date"], date)


def _validate(args: argparse.Namespace) -> int:
    from sim.config import load_scenario
    from sim.inputs import MAX_SEEDS
    from sim.validation import validate, write_validation

    _check_common(args)
    if not 1 <= args.seeds <= MAX_SEEDS:
        raise _config_error("--seeds", f"{args.seeds}: must be between 1 and {MAX_SEEDS:,} replications")
    if not 1 <= args.scale <= 10_000:
        raise _config_error("--scale", f"{args.scale}: must be between 1 (one agent per person) and 10000")
    scenario = load_scenario(args.scenario, overrides=_overrides(args.overrides))
    _warn(scenario)
    if not scenario.load_region().observations:
        raise _config_error(f"region {scenario.region}", "observations: the region file lists no observed figure to validate against")
    print(f"scenario: {scenario.found.describe()}")
    report = validate(scenario, seeds=args.seeds, scale=args.scale)
    files = write_validation(report, out=args.out, lang=args.lang)
    print(report.render())
    print(f"\nwrote {len(files)} files to {files[0].parent}")
    return 0 if report.passed else EXIT_RUN_FAILED


def _params(args: argparse.Namespace) -> int:
    from sim.config import is_number, load_scenario, parameter_table, schedule_starts, value_at

    scenario = None
    if args.scenario is not None:
        scenario = load_scenario(args.scenario)
        _warn(scenario)
    for row in parameter_table():
        if args.grep and args.grep not in row["name"]:
            continue
        rng = f" range {row['range']}" if row["range"] else ""
        valid = f" valid {row['valid']}" if row["valid"] else ""
        value = row["default"] if scenario is None else value_at(scenario, row["name"])
        note = "" if scenario is None or value == row["default"] else f" (default {row['default']!r})"
        if scenario is not None and row["range"] and is_number(value) and not row["range"][0] <= value <= row["range"][1]:
            note += " OUTSIDE its range"
        if scenario is not None and (starts := schedule_starts(scenario, row["name"])):
            note += f" (levers.schedule changes it from {', '.join(starts)})"
        print(f"{row['name']} = {value!r}{note} [{row['unit']}] ({row['source']}){rng}{valid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
