"""``talentsim report compare SCENARIOS...``: run a comparison (or reuse its complete runs) and write it as a report.

The report (:mod:`sim.report`) is one HTML file in one language with the charts inside, written beside the
comparison's tables as ``report.<lang>.html``. Progress goes to the terminal, never into the report.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli_common import NAME_LOOKUP, check_common, compared_scenarios, config_error, path_option, report_failures


def add_report_parser(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="write a comparison as an HTML report in one language, charts inside, no code")
    kinds = report.add_subparsers(dest="report_kind", required=True)
    cmp = kinds.add_parser("compare", help="run scenarios with the same seeds (complete runs are reused) and report "
                                           "the comparison with the first")
    cmp.add_argument("scenarios", nargs="+", help=f"scenario files (YAML) or names ({NAME_LOOKUP}); the first is the reference")
    cmp.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the report and its charts (default: zh)")
    cmp.add_argument("--out", type=path_option, default=Path("outputs"),
                     help="output folder; the runs, tables and report go to OUT/compare/<name>/ (default: outputs)")
    cmp.add_argument("--seeds", type=int, default=20, help="runs per scenario, the same seeds in each (default 20)")
    cmp.add_argument("--scale", type=int, help="persons per skilled-tier agent (default: each scenario's)")
    cmp.add_argument("--root-seed", type=int, help="seed from which every run's seed derives (default: the first scenario's)")
    cmp.add_argument("--years", type=int, nargs="+", default=[2025, 2030, 2035],
                     help="year ends to compare; the report reads the last (default 2025 2030 2035)")
    cmp.add_argument("--workers", type=int, help="0 = serial in this process; N = a local Dask cluster of N processes "
                                                 "(default: one per core)")
    cmp.add_argument("--name", help="folder name of the comparison under OUT/compare/ (default: from the scenario names)")
    cmp.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter in every scenario (repeatable)")
    cmp.add_argument("--quiet", action="store_true", help="no progress bar")
    report.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace) -> int:
    from sim.charts.style import resolve_language
    from sim.compare import compare_scenarios
    from sim.errors import ConfigError
    from sim.inputs import check_study_size
    from sim.report import write_comparison_report

    check_common(args)
    check_study_size(seeds=args.seeds, points=len(args.scenarios))
    used, message = resolve_language(args.lang)
    if used != args.lang:
        # A Chinese report with English charts is not what was asked for: stop before anything runs.
        raise config_error("--lang", message or f"cannot draw charts in {args.lang}")
    scenarios = compared_scenarios(args)
    try:
        comparison = compare_scenarios(scenarios, seeds=args.seeds, out=args.out, years=args.years, root_seed=args.root_seed,
                                       scale=args.scale, workers=args.workers, progress=not args.quiet, charts=True,
                                       lang=args.lang, name=args.name)
    except ValueError as exc:
        raise ConfigError(source="talentsim report compare", problems=[str(exc)]) from None
    if comparison.study.failures:
        report_failures(comparison.study.failures, folder=comparison.folder, consequence="; no report written")
        return 1
    path = write_comparison_report(comparison, lang=args.lang)
    print(f"report: {path}")
    return 0
