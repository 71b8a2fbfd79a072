"""A Morris screening of every declared uncertainty of the baseline, timed end to end.

r trajectories (default 20) over all uncertainties (143 at the time of writing: (143 + 1) x 20 = 2,880
runs) at scale 100, 2022-2035, one seed per design row, on a local Dask cluster of one worker per
core, in a fresh output folder (nothing is skipped). End to end: sampling, the runs, reading the
responses, SALib's indices with their bootstrap intervals, the convergence report and the charts.
Prints the runs per minute and the time of each phase.

    python benchmarks/bench_sensitivity.py                      # r = 20, the published screening
    python benchmarks/bench_sensitivity.py --trajectories 2     # a quick measure of the pace
    python benchmarks/bench_sensitivity.py --groups section                 # a screening of the 8 sections' groups
    python benchmarks/bench_sensitivity.py --groups mechanism --then-top 4  # two stages: 16 groups, then the factors of the top 4

With ``--then-top N`` the second stage screens, factor by factor with the same r, the factors of the N groups
ranked highest for the city's talent in 2035 by the first; the end-to-end time is both stages'.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from bench_pace import coarse_run_seconds, print_pace
from sim.config import load_scenario
from sim.factors import mechanism_groups, section_groups
from sim.sensitivity import DEFAULT_SCALE, DEFAULT_TRAJECTORIES, TOTAL_OUTCOME, select_factors, sensitivity_study, top_screened


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trajectories", type=int, default=DEFAULT_TRAJECTORIES)
    parser.add_argument("--scale", type=int, default=DEFAULT_SCALE)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, help="keep the study here (default: a temporary folder, removed after)")
    parser.add_argument("--groups", choices=("section", "mechanism"), help="screen groups of the uncertainties first (as --groups does)")
    parser.add_argument("--then-top", type=int, metavar="N", help="with --groups: then screen the factors of the N top groups one by one")
    parser.add_argument("--no-pace", action="store_true", help="do not time the host's pace (bench_pace.py) before and after")
    args = parser.parse_args()
    if args.then_top is not None and (args.groups is None or args.then_top < 1):
        parser.error("--then-top takes a whole number of groups, 1 or more, with --groups")
    pace_before = None if args.no_pace else coarse_run_seconds()
    factors = select_factors(["uncertainties"])
    groups = {"section": section_groups, "mechanism": mechanism_groups}[args.groups](factors) if args.groups else None
    screened = len(factors) if groups is None else len(set(groups))
    runs = (screened + 1) * args.trajectories
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}; load average "
          f"{os.getloadavg()[0]:.1f} at the start")
    print(f"Morris: {len(factors)} uncertainties" + ("" if groups is None else f" in {screened} groups")
          + f", r = {args.trajectories}, up to {runs:,} runs of the baseline at scale "
          f"{args.scale}, {args.workers} workers")
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        t0 = time.perf_counter()
        result = screen(factors, groups=groups, args=args, out=out)
        if args.then_top:
            top = top_screened(result, outcome=TOTAL_OUTCOME, n=args.then_top)
            chosen = [f for f, g in zip(factors, groups) if g in top]
            print(f"second stage: the {len(chosen)} factors of {', '.join(top)}")
            screen(chosen, groups=None, args=args, out=out)
        total = time.perf_counter() - t0
    print(f"end to end: {total / 60:.1f} min (target 8 min); load average {os.getloadavg()[0]:.1f} at the end")
    print_pace(pace_before, None if args.no_pace else coarse_run_seconds())


def screen(factors: list, *, groups: tuple[str, ...] | None, args: argparse.Namespace, out: Path):
    t0 = time.perf_counter()
    result = sensitivity_study([load_scenario("baseline")], factors=factors, method="morris", size=args.trajectories,
                               out=out, scale=args.scale, workers=args.workers, progress=True, groups=groups)
    seconds = time.perf_counter() - t0
    if result.failures:
        raise SystemExit(f"{len(result.failures)} runs failed; first: {result.failures[0]['error']}")
    ran = sum(1 for s in result.status.values() if s == "done")
    print(f"{ran:,} runs in {result.run_seconds / 60:.1f} min: {result.runs_per_minute:.1f} runs per minute; "
          f"analysis, tables and charts: {seconds - result.run_seconds:.1f} s")
    for row in result.convergence.to_pylist():
        if row["outcome"] == "talent_total_2035":
            print(f"talent_total_2035: top at r/2 {row['top_at_n']}; at r {row['top_at_2n']}; "
                  f"top set stable: {row['same_top_set']}")
    return result



if __name__ == "__main__":
    main()
