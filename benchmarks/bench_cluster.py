"""Scaling of a study on a Dask cluster started as separate processes (`dask scheduler`, `dask worker`).

For 1, then 2 workers (``--workers``): a scheduler and that many single-threaded workers are started
with Dask's command-line tools on 127.0.0.1, with the two worker settings of docs/studies.md, and
``talentsim ensemble baseline --scale 100 --scheduler ADDRESS`` runs ``--runs`` runs into a fresh
folder, end to end (summary included, charts off). The median of ``--repeat`` studies is printed with
the runs per minute and the speed-up over one worker.

    python benchmarks/bench_cluster.py                   # 40 runs, workers 1 and 2, median of three
    python benchmarks/bench_cluster.py --runs 100 --workers 1 2 --repeat 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from cli_cluster import CliCluster  # noqa: E402


def study_seconds(*, runs: int, scale: int, workers: int) -> float:
    with tempfile.TemporaryDirectory() as folder, CliCluster(Path(folder) / "cluster", workers=workers) as cluster:
        command = [sys.executable, "-m", "sim", "ensemble", "baseline", "--seeds", str(runs), "--scale", str(scale), "--no-charts",
                   "--quiet", "--out", str(Path(folder) / "out"), "--scheduler", cluster.address]
        t0 = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - t0
    if result.returncode != 0 or f"{runs} of {runs} runs complete" not in result.stdout:
        raise SystemExit(f"the study failed:\n{result.stdout}\n{result.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.2f}; {args.runs} runs of the baseline at scale {args.scale}")
    print(f"{'workers':>8} {'seconds (median)':>17} {'all':>24} {'runs/min':>9} {'speed-up':>9}")
    first = None
    for workers in args.workers:
        times = [study_seconds(runs=args.runs, scale=args.scale, workers=workers) for _ in range(args.repeat)]
        median = statistics.median(times)
        first = first or median
        print(f"{workers:>8} {median:>17.1f} {', '.join(f'{t:.1f}' for t in times):>24} {args.runs / median * 60:>9.1f} "
              f"{first / median:>9.2f}")
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
