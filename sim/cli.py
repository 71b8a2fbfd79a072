"""Command line: ``talentsim run|calibrate|params`` (also ``python -m sim``).

Heavy modules are imported inside the commands so that ``talentsim --help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence

EXIT_BAD_INPUT = 2


def _parse_value(text: str) -> Any:
    import yaml

    return yaml.safe_load(text)


def _overrides(pairs: Sequence[str]) -> dict[str, Any]:
    from sim.errors import ConfigError

    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise ConfigError(source="--set", problems=[f"{pair!r}: write NAME=VALUE, e.g. apartments_per_year=8000"])
        key, value = pair.split("=", 1)
        out[key.strip()] = _parse_value(value)
    return out


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="talentsim", description="Agent-based simulation of industry-talent agglomeration.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one scenario and write tables, charts and a manifest")
    run.add_argument("scenario", help="scenario file (YAML) or the name of one in scenarios/")
    run.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    run.add_argument("--scale", type=int, help="persons per skilled-tier agent; 1 = one agent per person (default: the scenario's)")
    run.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    run.add_argument("--lang", choices=("zh", "en"), default="zh", help="chart language (default: zh)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter, e.g. --set apartments_per_year=8000 (repeatable)")
    run.add_argument("--no-charts", action="store_true", help="write tables only")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    cal = sub.add_parser("calibrate", help="fit the baseline's free parameters to the patterns P1-P4")
    cal.add_argument("scenario", help="scenario to calibrate (its calibration file is rewritten)")
    cal.add_argument("--seeds", type=int, default=4, help="replications per evaluation (default 4)")
    cal.add_argument("--scale", type=int, default=10, help="scale of the calibration runs (default 10)")

    params = sub.add_parser("params", help="list every parameter with its default, unit, source and range")
    params.add_argument("--grep", default="", help="show only names containing this text")
    return parser


def _fail(message: str) -> int:
    print(f"talentsim: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    from sim.errors import ConfigError

    try:
        if args.command == "run":
            return _run(args)
        if args.command == "calibrate":
            return _calibrate(args)
        return _params(args)
    except ConfigError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        print("talentsim: interrupted; nothing was written for the unfinished run", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    from sim.config import load_scenario
    from sim.runner import run_scenario

    overrides = _overrides(args.overrides)
    if args.seed is not None:
        overrides["run.seed"] = args.seed
    if args.scale is not None:
        overrides["run.scale"] = args.scale
    scenario = load_scenario(args.scenario, overrides=overrides)
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

    from sim.region import load_region

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


def _calibrate(args: argparse.Namespace) -> int:
    from sim.calibrate import calibrate_baseline

    report = calibrate_baseline(args.scenario, seeds=args.seeds, scale=args.scale, verbose=True)
    print(report.render())
    return 0 if report.converged else 1


def _params(args: argparse.Namespace) -> int:
    from sim.config import parameter_table

    for row in parameter_table():
        if args.grep and args.grep not in row["name"]:
            continue
        rng = f" range {row['range']}" if row["range"] else ""
        print(f"{row['name']} = {row['default']!r} [{row['unit']}] ({row['source']}){rng}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
