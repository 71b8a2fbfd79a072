"""Seconds per run over rows of a Morris design, run one after another in one process.

A study's pace is set by the time of one coarse run, and a Morris design spreads its runs over every
declared range, where the dearest rows have many more firms than the baseline. This times the
simulation of every ``--step``-th row of an r = 2 design of all declared uncertainties at scale 100
(the first row once before, to load the compiled kernels), without a cluster's noise; ``--profile``
prints cProfile's report sorted by cumulative time instead.

    python benchmarks/bench_design_rows.py                 # 24 rows: mean seconds per run
    python benchmarks/bench_design_rows.py --step 24 --profile | head -80
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from sim.config import load_scenario
from sim.sensitivity import sample_design, select_factors, simulate_outcomes, talentsim_simulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--step", type=int, default=12, help="time every STEP-th row of the 288 (default 12: 24 rows)")
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.step < 1 or args.scale < 1:
        parser.error("--step and --scale are whole numbers of 1 or more")
    design = sample_design(select_factors(["uncertainties"]), method="morris", size=2, seed=1)
    specs = talentsim_simulator([load_scenario("baseline")], scale=args.scale).specs(design)[::args.step]
    simulate_outcomes(specs[0])
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    seconds = []
    for spec in specs:
        t0 = time.perf_counter()
        simulate_outcomes(spec)
        seconds.append(time.perf_counter() - t0)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
    print(f"{len(specs)} rows at scale {args.scale}: {sum(seconds) / len(seconds):.3f} s per run "
          f"(shortest {min(seconds):.2f} s, longest {max(seconds):.2f} s)")


if __name__ == "__main__":
    main()
