"""Command line: ``talentsim run|ensemble|sweep|compare|sensitivity|calibrate|validate|params`` (also ``python -m sim``).

Heavy modules are imported inside the commands so that ``talentsim --help`` answers at once.
"""

from __future__ import annotations

import argparse
import errno
import importlib.util
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Sequence

EXIT_RUN_FAILED = 1
EXIT_BAD_INPUT = 2
NAME_LOOKUP = "./scenarios/NAME.yaml, else the packaged library"


def _overrides(pairs: Sequence[str]) -> dict[str, Any]:
    from sim.errors import ConfigError
    from sim.inputs import parse_setting

    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise ConfigError(source="--set", problems=[f"{pair[:80]!r}: write NAME=VALUE, e.g. apartments_per_year=8000"])
        key, value = pair.split("=", 1)
        out[key.strip()] = parse_setting(value, key=key.strip()[:80])
    return out


def _check_common(args: argparse.Namespace) -> Any:
    """What every command that writes results checks first, before reading a scenario: the output
    folder, the seeds, the size of the study and the scheduler with its TLS files (errors name the
    option). Returns the TLS settings for the scheduler, None when Dask's configuration decides."""
    import os

    from sim.inputs import check_output_folder, check_scheduler, check_seed, check_study_size, scheduler_security

    check_output_folder(args.out)
    check_seed(getattr(args, "seed", None), option="--seed")
    check_seed(getattr(args, "root_seed", None), option="--root-seed")
    if getattr(args, "seeds", None) is not None:
        check_study_size(seeds=args.seeds)
    if getattr(args, "workers", None) is not None and not 0 <= args.workers <= 1024:
        raise _config_error("--workers", "must be 0 (serial) or a number of worker processes up to 1024")
    if getattr(args, "dashboard", False) and importlib.util.find_spec("bokeh") is None:
        raise _config_error("--dashboard", "the Dask dashboard needs bokeh, which is not installed: "
                                           "pip install 'talentsim[dashboard]' (or run without --dashboard)")
    if hasattr(args, "scheduler"):
        from sim.ensemble import SCHEDULER_ENV

        address = args.scheduler or os.environ.get(SCHEDULER_ENV)
        security = scheduler_security(ca_file=args.tls_ca_file, cert=args.tls_cert, key=args.tls_key, address=address)
        if address:
            check_scheduler(address, option="--scheduler" if args.scheduler else f"${SCHEDULER_ENV}", security=security)
        return security
    return None


def _config_error(source: str, problem: str) -> Exception:
    from sim.errors import ConfigError

    return ConfigError(source=source, problems=[problem])


def _warn(scenario: Any) -> None:
    for warning in scenario.warnings:
        print(f"talentsim: warning: {warning}", file=sys.stderr)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="talentsim", description="Agent-based simulation of industry-talent agglomeration.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one scenario and write tables, charts and a manifest")
    run.add_argument("scenario", help=f"scenario file (YAML) or name ({NAME_LOOKUP})")
    run.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    run.add_argument("--scale", type=int, help="persons per skilled-tier agent; 1 = one agent per person (default: the scenario's)")
    run.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    run.add_argument("--lang", choices=("zh", "en"), default="zh", help="chart language (default: zh)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter, e.g. --set apartments_per_year=8000 (repeatable)")
    run.add_argument("--no-charts", action="store_true", help="write tables only")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    for name, helptext in (("ensemble", "replications of one scenario: uncertainty bands over seeds"),
                           ("sweep", "one lever over a range of values, several seeds each")):
        study = sub.add_parser(name, help=helptext)
        study.add_argument("scenario", help=f"scenario file (YAML) or name ({NAME_LOOKUP})")
        if name == "sweep":
            study.add_argument("--lever", required=True, metavar="NAME=LOW:HIGH:N",
                               help="lever and its values: NAME=LOW:HIGH:N (evenly spaced) or NAME=V1,V2,...")
        _study_options(study, seeds_help="runs per point (default 20)", root_default="the scenario's",
                       scale_default="the scenario's", set_help="override a parameter (repeatable)")

    cmp = sub.add_parser("compare", help="run scenarios with the same seeds and compare them with the first")
    cmp.add_argument("scenarios", nargs="+", help=f"scenario files (YAML) or names ({NAME_LOOKUP}); the first is the reference")
    cmp.add_argument("--years", type=int, nargs="+", default=[2025, 2030, 2035], help="year ends to compare (default 2025 2030 2035)")
    cmp.add_argument("--name", help="folder name of the comparison under OUT/compare/ (default: from the scenario names)")
    _study_options(cmp, seeds_help="runs per scenario, the same seeds in each (default 20)", root_default="the first scenario's",
                   scale_default="each scenario's", set_help="override a parameter in every scenario (repeatable)")

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
    sens.add_argument("--second-order", action="store_true", help="Sobol' second-order indices S2 as well (runs 2k+2 rows per sample instead of k+2)")
    sens.add_argument("--name", help="folder name of the study under OUT/<scenario>/ (default: sensitivity-<method>-<hash>)")
    sens.add_argument("--doc", type=Path, metavar="PATH", help="also write the published ranking to this Markdown file (e.g. docs/sensitivity.md)")
    _study_options(sens, seeds_help="seeds per design row, the same at every row and in every scenario (default 1)",
                   root_default="the base scenario's", scale_default="100", set_help="override a parameter in every scenario (repeatable)")
    sens.set_defaults(seeds=1, scale=100)

    cal = sub.add_parser("calibrate", help="fit the free parameters to the patterns P1-P4 and the fitted observations: "
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
    abc.add_argument("--from-screening", type=Path, metavar="STUDY_DIR",
                     help="add the top uncertainties of a Morris screening (its folder, with indices.parquet)")
    abc.add_argument("--top", type=int, help="how many factors --from-screening adds (default 5)")
    abc.add_argument("--population", type=int, help="particles per population (default 200)")
    abc.add_argument("--generations", type=int, help="populations at most (default 10)")
    abc.add_argument("--min-epsilon", type=float, help="stop when the distance threshold falls to this (default 0: no such stop)")
    abc.add_argument("--min-acceptance", type=float, help="stop when a population accepts less than this share of proposals (default 0.02)")
    abc.add_argument("--workers", type=int, help="0 = serial in this process; N = a local Dask cluster of N processes (default: one per core)")
    abc.add_argument("--scheduler", help="address of an existing Dask scheduler (or set $DASK_SCHEDULER_ADDRESS); "
                                         "it must be trusted: the client unpickles what it sends back")
    abc.add_argument("--tls-ca-file", type=Path, metavar="PEM", help="certificate authority of the scheduler's TLS (tls:// addresses)")
    abc.add_argument("--tls-cert", type=Path, metavar="PEM", help="this client's TLS certificate (may hold its key too)")
    abc.add_argument("--tls-key", type=Path, metavar="PEM", help="this client's TLS private key, if not in --tls-cert")
    abc.add_argument("--out", type=Path, help="output folder (default: outputs); writes OUT/<scenario>/abc/ (pyabc's history, "
                                              "the posterior predictive table, charts)")
    abc.add_argument("--lang", choices=("zh", "en"), help="chart language (default: zh)")
    abc.add_argument("--no-charts", action="store_true", help="write tables only")
    abc.add_argument("--quiet", action="store_true", help="no progress lines")

    val = sub.add_parser("validate", help="set the scenario against the observed figures of its region file; exit 1 when one lies outside its tolerance")
    val.add_argument("scenario", help=f"scenario file (YAML) or name ({NAME_LOOKUP})")
    val.add_argument("--seeds", type=int, default=5, help="replications (default 5)")
    val.add_argument("--scale", type=int, default=20, help="persons per skilled-tier agent (default 20)")
    val.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs); writes OUT/<scenario>/validation/")
    val.add_argument("--lang", choices=("zh", "en"), default="zh", help="chart language (default: zh)")
    val.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter (repeatable)")

    params = sub.add_parser("params", help="list every parameter with its default, unit, source and range")
    params.add_argument("--grep", default="", help="show only names containing this text")
    return parser


def _study_options(parser: argparse.ArgumentParser, *, seeds_help: str, root_default: str, scale_default: str,
                   set_help: str) -> None:
    """Options shared by the commands that run many runs (ensemble, sweep, compare)."""
    parser.add_argument("--seeds", type=int, default=20, help=seeds_help)
    parser.add_argument("--root-seed", type=int, help=f"seed from which every run's seed derives (default: {root_default})")
    parser.add_argument("--scale", type=int, help=f"persons per skilled-tier agent (default: {scale_default})")
    parser.add_argument("--workers", type=int, help="0 = serial in this process; N = a local Dask cluster of N processes (default: one per core)")
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler (or set $DASK_SCHEDULER_ADDRESS); "
                                            "it must be trusted: the client unpickles what it sends back")
    parser.add_argument("--tls-ca-file", type=Path, metavar="PEM", help="certificate authority of the scheduler's TLS (tls:// addresses)")
    parser.add_argument("--tls-cert", type=Path, metavar="PEM", help="this client's TLS certificate (may hold its key too)")
    parser.add_argument("--tls-key", type=Path, metavar="PEM", help="this client's TLS private key, if not in --tls-cert")
    parser.add_argument("--dashboard", action="store_true",
                        help="serve the local cluster's dashboard on 127.0.0.1:8787, with its task profiles (runs take ~10%% longer)")
    parser.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="chart language (default: zh)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE", help=set_help)
    parser.add_argument("--no-charts", action="store_true", help="write tables only")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _fail(message: str, *, code: int = EXIT_BAD_INPUT) -> int:
    print(f"talentsim: error: {message}", file=sys.stderr)
    return code


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
        return _dispatch(args)
    except ConfigError as exc:
        return _fail(str(exc))
    except AgentLimitError as exc:  # a run that outgrew its stated limit: nothing was written for it
        return _fail(f"{exc}\nnothing was written for this run", code=EXIT_RUN_FAILED)
    except KeyboardInterrupt:
        print("talentsim: interrupted; nothing was written for the unfinished run", file=sys.stderr)
        return 130
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        where = getattr(args, "out", None) or Path.cwd()
        return _fail(f"no space left on the device of {where} ({exc.strerror}); nothing was written for the unfinished run: "
                     "free some space and run the same command again", code=EXIT_RUN_FAILED)
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "run":
        return _run(args)
    if args.command == "calibrate":
        return _calibrate(args)
    if args.command in ("ensemble", "sweep"):
        return _study(args)
    if args.command == "compare":
        return _compare(args)
    if args.command == "sensitivity":
        return _sensitivity(args)
    if args.command == "validate":
        return _validate(args)
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
    """Talent stock per cluster and the city total at end-2021, 2025, 2030 and 2035 (those in the run)."""
    import datetime as dt

    import numpy as np

    stock = tables["talent_stock"]
    dates = np.array(stock.column("date").to_pylist())
    clusters = np.array(stock.column("cluster").to_pylist())
    values = stock.column("talent_stock").to_numpy()
    years = [y for y in (2021, 2025, 2030, 2035) if dt.date(y, 12, 31) in set(dates.tolist())]
    labels = scenario.load_region().labels()
    order = list(dict.fromkeys(clusters.tolist()))
    name = lambda c: labels.get(c, {}).get(lang, c)
    width = max(_display_width(name(c)) for c in order) + 2
    pad = lambda text: text + " " * (width - _display_width(text))
    head = pad("集群" if lang == "zh" else "cluster") + "".join(f"{'end-' + str(y):>14}" for y in years)
    lines = [f"talent stock, persons · {scenario.name} · seed {scenario.run.seed} · scale {scenario.run.scale}", head]
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
    scenario = load_scenario(args.scenario, overrides=_overrides(args.overrides) or None)
    _warn(scenario)
    options = dict(seeds=args.seeds, out=args.out, root_seed=args.root_seed, scale=args.scale, workers=args.workers,
                   scheduler=args.scheduler, security=security, dashboard=args.dashboard, progress=not args.quiet,
                   charts=not args.no_charts, lang=args.lang)
    if args.command == "sweep":
        for value in {min(values), max(values)}:  # validity ranges are intervals: the extremes check every value
            load_scenario(args.scenario, overrides={**_overrides(args.overrides), lever: value})
        result = run_sweep(scenario, lever=lever, values=values, **options)
    else:
        result = run_ensemble(scenario, **options)
    print(f"{result.n_done} of {len(result.specs)} runs complete in {result.seconds:.1f} s; results in {result.study_dir}")
    final = result.summary.filter(_both_equal(result.summary, "cluster", "city_total", "tier", "all_tiers"))
    if final.num_rows:
        last = max(final.column("date").to_pylist())
        for row in final.filter(_on_date(final, last)).to_pylist():
            print(f"  {row['point_label']}: city talent at {last}: median {row['median']:,.0f}, "
                  f"5-95% [{row['p05']:,.0f}, {row['p95']:,.0f}] over {row['n_runs']} runs")
    if result.failures:
        print(f"{len(result.failures)} runs failed (records in {result.study_dir / 'failures'}):", file=sys.stderr)
        for f in result.failures[:10]:
            print(f"  {f['run_id']} (seed {f['seed']}, {f['point_label']}): {f['error']}", file=sys.stderr)
        return 1
    return 0


def _compare(args: argparse.Namespace) -> int:
    from sim.compare import check_years, compare_scenarios
    from sim.config import load_scenario
    from sim.errors import ConfigError
    from sim.inputs import check_slug, check_study_size

    security = _check_common(args)
    check_study_size(seeds=args.seeds, points=len(args.scenarios))
    if args.name is not None:
        try:
            check_slug(args.name)
        except ValueError as exc:
            raise ConfigError(source="--name", problems=[str(exc)]) from None
    overrides = _overrides(args.overrides) or None
    scenarios = [load_scenario(s, overrides=overrides) for s in args.scenarios]
    for scenario in scenarios:
        _warn(scenario)
    try:
        check_years(scenarios, args.years)
    except ValueError as exc:
        raise ConfigError(source="--years", problems=[str(exc)]) from None
    try:
        comparison = compare_scenarios(scenarios, seeds=args.seeds, out=args.out, years=args.years, root_seed=args.root_seed,
                                       scale=args.scale, workers=args.workers, scheduler=args.scheduler, security=security,
                                       dashboard=args.dashboard,
                                       progress=not args.quiet, charts=not args.no_charts, lang=args.lang,
                                       name=args.name)
    except ValueError as exc:
        raise ConfigError(source="talentsim compare", problems=[str(exc)]) from None
    print(comparison_summary(comparison.table, lang=args.lang, titles={s.name: s.title for s in scenarios}))
    print(f"\nresults in {comparison.folder} (comparison.csv, charts/)")
    failures = comparison.study.failures
    if failures:
        print(f"{len(failures)} runs failed (records in {comparison.folder / 'failures'}):", file=sys.stderr)
        for f in failures[:10]:
            print(f"  {f['run_id']} (seed {f['seed']}, {f['point_label']}): {f['error']}", file=sys.stderr)
        return 1
    return 0


def comparison_summary(table: Any, *, lang: str, titles: dict[str, Any]) -> str:
    """City talent at the last compared year per scenario: mean, difference to the first with its 95% interval, money."""
    import pyarrow.compute as pc

    if table.num_rows == 0:
        return "no complete runs to compare"
    last = max(table.column("year").to_pylist())
    rows = table.filter(pc.and_(pc.equal(table["year"], last), pc.equal(table["cluster"], "city_total"))).to_pylist()
    name = lambda r: (getattr(titles.get(r["scenario"]), lang, "") or r["scenario"])
    width = max(_display_width(name(r)) for r in rows) + 2
    pad = lambda text: text + " " * (width - _display_width(text))
    head = ("情景" if lang == "zh" else "scenario")
    lines = [f"city talent stock at end-{last}, persons; difference to {rows[0]['scenario']} with 95% interval over "
             f"{rows[0]['n_seeds']} paired seeds; extra spending since the start; talent per 100 million yuan",
             pad(head) + f"{'mean':>12}{'difference':>12}{'95% interval':>24}{'extra 100m yuan':>17}{'per 100m yuan':>15}"]
    fmt = lambda v, spec: "—" if v is None else format(v, spec)
    for r in rows:
        interval = "" if r["diff_ci_low"] is None else f"[{r['diff_ci_low']:,.0f}, {r['diff_ci_high']:,.0f}]"
        extra = None if r["extra_spending_yuan"] is None else r["extra_spending_yuan"] / 1e8
        lines.append(pad(name(r)) + f"{r['talent_stock_mean']:>12,.0f}{r['diff_mean']:>+12,.0f}{interval:>24}"
                     f"{fmt(extra, '+,.1f'):>17}{fmt(r['talent_per_100m_yuan'], ',.0f'):>15}")
    return "\n".join(lines)


def _both_equal(table: Any, col_a: str, value_a: str, col_b: str, value_b: str) -> Any:
    import pyarrow.compute as pc

    return pc.and_(pc.equal(table[col_a], value_a), pc.equal(table[col_b], value_b))


def _on_date(table: Any, date: Any) -> Any:
    import pyarrow.compute as pc

    return pc.equal(table["date"], date)


def _sensitivity_design(args: argparse.Namespace) -> tuple[int, int]:
    """The design size and Morris levels, each option checked against the method."""
    from sim.sensitivity import DEFAULT_LEVELS, DEFAULT_SAMPLES, DEFAULT_TRAJECTORIES, check_design_size

    if args.method == "morris":
        for given, option in ((args.samples, "--samples"), (args.second_order or None, "--second-order")):
            if given is not None:
                raise _config_error(option, "only with --method sobol")
        size, levels, option = args.trajectories or DEFAULT_TRAJECTORIES, args.levels or DEFAULT_LEVELS, "--trajectories"
    else:
        for given, option in ((args.trajectories, "--trajectories"), (args.levels, "--levels")):
            if given is not None:
                raise _config_error(option, "only with --method morris")
        size, levels, option = args.samples or DEFAULT_SAMPLES, DEFAULT_LEVELS, "--samples"
    try:
        check_design_size(method=args.method, size=size, levels=levels)
    except ValueError as exc:
        raise _config_error("--levels" if "levels" in str(exc) else option, str(exc)) from None
    return size, levels


def _sensitivity(args: argparse.Namespace) -> int:
    import math

    from sim import sensitivity as sa
    from sim.config import load_scenario
    from sim.inputs import MAX_STUDY_RUNS, check_slug
    from sim.sensitivity_doc import check_doc_target, sensitivity_markdown, write_sensitivity_doc

    _check_common(args)
    if not 1 <= args.scale <= 10_000:
        raise _config_error("--scale", f"{args.scale}: must be between 1 (one agent per person) and 10000")
    size, levels = _sensitivity_design(args)
    for value, option, check in ((args.name, "--name", check_slug), (args.doc, "--doc", check_doc_target)):
        if value is not None:
            try:
                check(value)
            except ValueError as exc:
                raise _config_error(option, str(exc)) from None
    try:
        factors = sa.select_factors(args.factors)
    except ValueError as exc:
        raise _config_error("--factors", str(exc)) from None
    arms = 1 + len(args.policies)
    runs = sa.design_rows(method=args.method, size=size, factors=len(factors), second_order=args.second_order) * arms * args.seeds
    if runs > MAX_STUDY_RUNS:
        raise _config_error("--trajectories" if args.method == "morris" else "--samples",
                            f"{runs:,} runs ({len(factors)} factors, {arms} scenario(s), {args.seeds} seed(s)), beyond the limit of "
                            f"{MAX_STUDY_RUNS:,} runs in one study")
    overrides = _overrides(args.overrides) or None
    scenarios = [load_scenario(s, overrides=overrides) for s in [args.scenario, *args.policies]]
    for scenario in scenarios:
        _warn(scenario)
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise _config_error("--policy", f"scenarios named twice: {', '.join(sorted({n for n in names if names.count(n) > 1}))}")
    problems = sa.check_policies(scenarios, factors)
    if problems:
        raise _config_error("--policy", "; ".join(problems))
    for late in sa.scheduled_factors(scenarios, factors):
        print(f"talentsim: warning: a scenario's levers.schedule changes {late} later in the run; the sampled value holds "
              "only until then", file=sys.stderr)
    available = sa.available_outcomes(scenarios[0].load_region().cluster_ids, arms=names)
    unknown = [o for o in args.outcomes or [] if o not in available]
    if unknown:
        raise _config_error("--outcome", f"{', '.join(unknown)}: not an outcome of this study; choose from {', '.join(available)}")
    result = sa.sensitivity_study(scenarios, factors=factors, method=args.method, size=size, out=args.out, name=args.name,
                                  levels=levels, second_order=args.second_order, seeds=args.seeds, root_seed=args.root_seed,
                                  scale=args.scale, outcomes=args.outcomes, workers=args.workers, scheduler=args.scheduler,
                                  dashboard=args.dashboard, progress=not args.quiet, charts=not args.no_charts, lang=args.lang)
    done = sum(1 for s in result.status.values() if s in ("done", "skipped"))
    pace = "" if math.isnan(result.runs_per_minute) else f" ({result.runs_per_minute:.1f} runs per minute)"
    print(f"{done} of {result.distinct_runs} runs complete in {result.run_seconds:.1f} s{pace}; results in {result.study_dir}")
    if result.failures:
        print(f"{len(result.failures)} runs failed (records in {result.study_dir / 'failures'}); no indices: "
              "run the same command again to retry them", file=sys.stderr)
        for f in result.failures[:10]:
            print(f"  {f['run_id']} (seed {f['seed']}, {f['point_label']}): {f['error']}", file=sys.stderr)
        return 1
    print(sensitivity_summary(result))
    if args.doc is not None:
        titles = {s.name: s.title.en or s.name for s in scenarios}
        argv = args.argv if args.argv is not None else sys.argv[1:]
        tail = sensitivity_markdown(result, command=argv, scale=args.scale, seeds=args.seeds, titles=titles)
        print(f"wrote {write_sensitivity_doc(args.doc, tail)}")
    return 0


def sensitivity_summary(result: Any) -> str:
    """The top factors of the main outcomes at 2N, and whether each ranking's top has settled between N and 2N."""
    from sim.sensitivity import TOP_K, main_outcomes

    measure = "mu_star" if result.design.method == "morris" else "st"
    rows = [r for r in result.indices.to_pylist() if r["design_size"] == result.design.size]
    stable = {r["outcome"]: r["same_top_set"] for r in result.convergence.to_pylist()}
    lines = [f"top {TOP_K} factors by {measure} ({result.design.size} {'trajectories' if measure == 'mu_star' else 'base samples'}); "
             "top stable between N and 2N?"]
    for outcome in main_outcomes(result.outcomes) or result.outcomes:
        top = sorted((r for r in rows if r["outcome"] == outcome), key=lambda r: r["rank"])[:TOP_K]
        shown = ", ".join(f"{r['factor'].rsplit('.', 1)[-1]} {r[measure]:,.3g}" for r in top if r[measure] is not None)
        lines.append(f"  {outcome}: {shown} · {'stable' if stable.get(outcome) else 'NOT stable'}")
    return "\n".join(lines)


ABC_OPTIONS = {"parameters": "--parameters", "from_screening": "--from-screening", "top": "--top", "population": "--population",
               "generations": "--generations", "min_epsilon": "--min-epsilon", "min_acceptance": "--min-acceptance",
               "workers": "--workers", "scheduler": "--scheduler", "tls_ca_file": "--tls-ca-file", "tls_cert": "--tls-cert",
               "tls_key": "--tls-key", "out": "--out", "lang": "--lang", "no_charts": "--no-charts", "quiet": "--quiet"}


def _calibrate(args: argparse.Namespace) -> int:
    from sim.calibrate import calibrate_baseline
    from sim.inputs import MAX_SEEDS

    if args.method == "abc":
        return _calibrate_abc(args)
    for key, option in ABC_OPTIONS.items():
        if getattr(args, key) not in (None, False):
            raise _config_error(option, "only with --method abc")
    seeds, scale = 4 if args.seeds is None else args.seeds, 10 if args.scale is None else args.scale
    if not 1 <= seeds <= MAX_SEEDS:
        raise _config_error("--seeds", f"{seeds}: must be between 1 and {MAX_SEEDS:,} replications per evaluation")
    if not 1 <= scale <= 10_000:
        raise _config_error("--scale", f"{scale}: must be between 1 (one agent per person) and 10000")
    report = calibrate_baseline(args.scenario, seeds=seeds, scale=scale, verbose=True)
    print(report.render())
    return 0 if report.converged else 1


def _calibrate_abc(args: argparse.Namespace) -> int:
    import math
    import os

    from sim import abc_smc as abc
    from sim.calibrate import _refuse_installed_library
    from sim.config import load_scenario
    from sim.ensemble import SCHEDULER_ENV
    from sim.posterior import posterior_file
    from sim.scenario_files import resolve_scenario_path

    if args.seeds is not None:
        raise _config_error("--seeds", "only with --method point: ABC-SMC draws a seed for every simulation")
    args.out = Path("outputs") if args.out is None else args.out
    args.lang = args.lang or "zh"
    security = _check_common(args)
    scale = abc.DEFAULT_SCALE if args.scale is None else args.scale
    checks = ((scale, "--scale", 1, 10_000, "between 1 (one agent per person) and 10000"),
              (args.population, "--population", 2, abc.MAX_POPULATION, f"a whole number of particles from 2 to {abc.MAX_POPULATION:,}"),
              (args.generations, "--generations", 1, abc.MAX_GENERATIONS, f"a whole number of populations from 1 to {abc.MAX_GENERATIONS}"),
              (args.top, "--top", 1, 1_000, "a number of factors from 1 to 1000"))
    for value, option, low, high, allowed in checks:
        if value is not None and not low <= value <= high:
            raise _config_error(option, f"{value}: must be {allowed}")
    if args.min_epsilon is not None and not (math.isfinite(args.min_epsilon) and args.min_epsilon >= 0):
        raise _config_error("--min-epsilon", f"{args.min_epsilon}: must be a distance of 0 or more")
    if args.min_acceptance is not None and not 0 <= args.min_acceptance < 1:
        raise _config_error("--min-acceptance", f"{args.min_acceptance}: must be a share from 0 up to (not including) 1")
    if args.top is not None and args.from_screening is None:
        raise _config_error("--top", "only with --from-screening")
    path = resolve_scenario_path(args.scenario)
    _refuse_installed_library(posterior_file(path), scenario_path=path)
    scenario = load_scenario(path)
    _warn(scenario)
    names = list(args.parameters) if args.parameters else abc.default_parameters(scenario)
    if args.from_screening is not None:
        try:
            names += abc.screening_factors(args.from_screening, top=args.top or 5)
        except ValueError as exc:
            raise _config_error("--from-screening", str(exc)) from None
    try:
        priors = abc.priors_for(names)
    except ValueError as exc:
        raise _config_error("--parameters", str(exc)) from None
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
    from sim.config import parameter_table

    for row in parameter_table():
        if args.grep and args.grep not in row["name"]:
            continue
        rng = f" range {row['range']}" if row["range"] else ""
        valid = f" valid {row['valid']}" if row["valid"] else ""
        print(f"{row['name']} = {row['default']!r} [{row['unit']}] ({row['source']}){rng}{valid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
