"""The host's pace: seconds per coarse run (the baseline at scale 100, 2022-2035) in one process.

The timed targets depend on how fast this machine runs at the hour they are measured (a shared host's pace varies
by half over a day), so each is measured with this gauge just before and after it: `bench_ensemble.py`,
`bench_sensitivity.py` and `bench_scale.py` print it themselves (`--no-pace` leaves it out). The first run loads
the compiled kernels and is not counted.

    python benchmarks/bench_pace.py            # eight runs
    python benchmarks/bench_pace.py --runs 20
"""

from __future__ import annotations

import argparse
import time

from sim.config import load_scenario
from sim.model import TalentModel


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: give a whole number of at least 1")
    return value


def coarse_run_seconds(*, runs: int = 8) -> float:
    """Mean seconds of a coarse run over ``runs`` runs in this process, after one that loads the compiled kernels."""
    scenario = load_scenario("baseline", overrides={"run.scale": 100})
    TalentModel(scenario, seed=1, collect_model_vars=False).run()
    t0 = time.perf_counter()
    for seed in range(100, 100 + runs):
        TalentModel(scenario, seed=seed, collect_model_vars=False).run()
    return (time.perf_counter() - t0) / runs


def print_pace(before: float | None, after: float | None) -> None:
    """The host's pace around a timed target, as the benchmarks' READMEs quote it."""
    if before is not None and after is not None:
        print(f"host pace (bench_pace.py): a coarse run {before:.2f} s before, {after:.2f} s after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=positive_int, default=8, help="runs to time after the first (at least 1)")
    args = parser.parse_args()
    print(f"a coarse run: {coarse_run_seconds(runs=args.runs):.3f} s (mean of {args.runs}, one process)")


if __name__ == "__main__":
    main()
