"""Runs per minute of an ensemble of the baseline at scale 100 (2022-2035, every table written).

Serial (``--workers 0``) against a local Dask cluster of one worker process per core, each on a
fresh output folder so that nothing is skipped. Prints runs per minute and the time 1,000 runs
would take at that pace.

    python benchmarks/bench_ensemble.py                 # 20 runs each way
    python benchmarks/bench_ensemble.py --runs 100 --workers 2
    python benchmarks/bench_ensemble.py --runs 1000 --cluster-only --charts    # a study end to end: runs, summary, charts
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
from sim.ensemble import run_ensemble


def timed(*, runs: int, workers: int, scale: int, charts: bool) -> float:
    scenario = load_scenario("baseline")
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        result = run_ensemble(scenario, seeds=runs, out=Path(out), scale=scale, workers=workers, charts=charts)
        seconds = time.perf_counter() - t0
    if result.n_done != runs:
        raise SystemExit(f"only {result.n_done} of {runs} runs completed")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cluster-only", action="store_true", help="only the local cluster, not the serial runs")
    parser.add_argument("--charts", action="store_true", help="include the study's charts (the summary is always written)")
    parser.add_argument("--no-pace", action="store_true", help="do not time the host's pace (bench_pace.py) before and after")
    args = parser.parse_args()
    pace_before = None if args.no_pace else coarse_run_seconds()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}; "
          f"{args.runs} runs of the baseline at scale {args.scale}")
    print(f"{'mode':>22} {'seconds':>8} {'runs/min':>9} {'1,000 runs (min)':>17}")
    modes = [("serial", 0)] * (not args.cluster_only) + [(f"local cluster x{args.workers}", args.workers)]
    for label, workers in modes:
        seconds = timed(runs=args.runs, workers=workers, scale=args.scale, charts=args.charts)
        per_min = args.runs / seconds * 60
        print(f"{label:>22} {seconds:>8.1f} {per_min:>9.1f} {1000 / per_min:>17.1f}", flush=True)
    print_pace(pace_before, None if args.no_pace else coarse_run_seconds())


if __name__ == "__main__":
    main()
