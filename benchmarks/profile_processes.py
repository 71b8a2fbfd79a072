"""Where a run's month goes, process by process: wall time and Python-level calls per month.

    python benchmarks/profile_processes.py                  # the baseline at scale 100, five timed runs
    python benchmarks/profile_processes.py --scale 1 --runs 1

Each process of the month's schedule (docs/ODD.md §3), the month's start, and its end (observation,
compaction) is timed over ``--runs`` runs in one process after one run that loads the compiled kernels.
A further run under ``sys.setprofile`` counts the Python-level calls each makes a month (calls of Python
functions and of functions written in C, such as numpy's; arithmetic operators on arrays are not
counted): at coarse scales a run's time is mostly such calls, a few microseconds each, whatever the
size of their arrays.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from sim.config import load_scenario
from sim.errors import ConfigError
from sim.model import TalentModel


class TimedModel(TalentModel):
    """The model, with the wall time of each process of its month added up in ``seconds``."""

    def __init__(self, *args, **kwargs) -> None:
        self.seconds: Counter[str] = Counter()
        super().__init__(*args, **kwargs)

    def run_process(self, process, submodel) -> None:
        start = time.perf_counter()
        super().run_process(process, submodel)
        self.seconds[process] += time.perf_counter() - start

    def start_month(self) -> None:
        start = time.perf_counter()
        super().start_month()
        self.seconds["(start of month)"] += time.perf_counter() - start

    def end_month(self) -> None:
        start = time.perf_counter()
        super().end_month()
        self.seconds["(observation and compaction)"] += time.perf_counter() - start


class CountedModel(TimedModel):
    """The model, with the Python-level calls of each process of its month counted in ``calls``."""

    def __init__(self, *args, **kwargs) -> None:
        self.calls: Counter[str] = Counter()
        self._counting = "(start of month)"
        super().__init__(*args, **kwargs)

    def _count(self, frame, event, arg) -> None:
        if event in ("call", "c_call"):
            self.calls[self._counting] += 1

    def run_process(self, process, submodel) -> None:
        self._counting = process
        super().run_process(process, submodel)
        self._counting = "(observation and compaction)"

    def start_month(self) -> None:
        self._counting = "(start of month)"
        super().start_month()

    def run(self, *, progress=None):
        sys.setprofile(self._count)
        try:
            return super().run(progress=progress)
        finally:
            sys.setprofile(None)


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: give a whole number of at least 1")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--scale", type=positive_int, default=100, help="persons per skilled-tier agent (1 = one agent per person)")
    parser.add_argument("--runs", type=positive_int, default=5, help="timed runs, after one that loads the compiled kernels")
    args = parser.parse_args()
    try:
        scenario = load_scenario(args.scenario, overrides={"run.scale": args.scale})
    except ConfigError as exc:
        parser.exit(2, f"{exc}\n")
    TalentModel(scenario, seed=1, collect_model_vars=False).run()
    seconds: Counter[str] = Counter()
    months = 0
    for seed in range(100, 100 + args.runs):
        model = TimedModel(scenario, seed=seed, collect_model_vars=False).run()
        seconds.update(model.seconds)
        months += model.t
    counted = CountedModel(scenario, seed=100, collect_model_vars=False).run()
    total = sum(seconds.values())
    print(f"{args.scenario} at scale {args.scale}: {total / args.runs:.3f} s a run in its months ({args.runs} runs, "
          f"{months // args.runs} months each); calls counted in one run")
    print(f"{'process':34s} {'share':>6s} {'ms/month':>9s} {'calls/month':>12s} {'µs/call':>8s}")
    for process, spent in seconds.most_common():
        per_month = spent / months * 1e3
        calls = counted.calls[process] / counted.t
        per_call = per_month * 1e3 / calls if calls else float("nan")
        print(f"{process:34s} {spent / total:6.1%} {per_month:9.3f} {calls:12.0f} {per_call:8.2f}")
    calls = sum(counted.calls.values()) / counted.t
    print(f"{'the month':34s} {1:6.1%} {total / months * 1e3:9.3f} {calls:12.0f} {total / months * 1e6 / calls:8.2f}")


if __name__ == "__main__":
    main()
