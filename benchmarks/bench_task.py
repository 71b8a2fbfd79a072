"""What a study's task costs beyond its run: coarse runs of the baseline timed three ways.

1. in one process, a run alone and a study's task (``sim.ensemble.run_task``: the model's setup, the run, its
   tables, Parquet and the atomic writes of its thirteen files) one after the other, ``--runs`` of each: the
   host's pace moves between one minute and the next, and alternating the two cancels its drift from their
   difference;
2. the same in two processes side by side (each with its own seeds), as a study's two workers run;
3. tasks on the local cluster of two workers a study uses: the wall time per task per worker, and the time
   inside the task.

Each way starts with a task that loads the compiled kernels; ``--rounds`` repeats the three. Prints seconds a run.

    python benchmarks/bench_task.py                  # 16 runs and 16 tasks each way, two rounds
    python benchmarks/bench_task.py --runs 8 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sim.config import load_scenario
from sim.ensemble import build_specs, run_task

SCALE = 100


def specs_for(*, root: int, runs: int) -> list:
    return build_specs(load_scenario("baseline"), points=[{}], seeds=runs + 1, root_seed=root, scale=SCALE)


def one_process(*, root: int, runs: int) -> dict[str, float]:
    """Mean seconds of a run alone and of a study's task, alternating, ``runs`` of each, in this process."""
    from sim.model import TalentModel

    specs = specs_for(root=root, runs=2 * runs)
    seconds = {"run": 0.0, "task": 0.0}
    with tempfile.TemporaryDirectory() as study:
        run_task(specs[0], study)
        for i, spec in enumerate(specs[1:]):
            start = time.perf_counter()
            if i % 2 == 0:
                TalentModel(spec.scenario(), seed=spec.seed, collect_model_vars=False).run()
            else:
                run_task(spec, study)
            seconds["run" if i % 2 == 0 else "task"] += time.perf_counter() - start
    return {way: total / runs for way, total in seconds.items()}


def side_by_side(*, runs: int) -> list[dict[str, float]]:
    """``one_process`` in two processes at once, with other seeds each."""
    command = [sys.executable, __file__, "--child", "--runs", str(runs)]
    children = [subprocess.Popen([*command, "--root", str(root)], stdout=subprocess.PIPE, text=True) for root in (1, 2)]
    return [json.loads(child.communicate()[0]) for child in children]


def timed_task(spec, study: str) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = run_task(spec, study)
    return {**outcome, "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def on_local_cluster(*, runs: int) -> dict[str, float]:
    """Tasks on a local cluster of two workers with a study's settings: wall seconds per task per worker, and the
    mean time inside a task."""
    from distributed import as_completed

    from sim.ensemble import _client

    specs = specs_for(root=3, runs=2 * runs)
    with tempfile.TemporaryDirectory() as study, _client(workers=2, scheduler=None, security=None, dashboard=False) as client:
        client.gather(client.map(timed_task, specs[:2], study=study, pure=False))  # each worker loads the kernels
        start = time.perf_counter()
        outcomes = [f.result() for f in as_completed(client.map(timed_task, specs[2:], study=study, pure=False))]
        wall = time.perf_counter() - start
    return {"per_task": 2 * wall / len(outcomes), "in_task": sum(o["wall"] for o in outcomes) / len(outcomes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.runs < 1 or args.rounds < 1:
        parser.error("--runs and --rounds take whole numbers of at least 1")
    if args.child:
        print(json.dumps(one_process(root=args.root, runs=args.runs)))
        return
    print(f"{os.cpu_count()} cores; {args.runs} coarse runs (scale {SCALE}) each way; seconds a run")
    for round_ in range(1, args.rounds + 1):
        print(f"round {round_} ({time.strftime('%H:%M:%S')})")
        alone = one_process(root=1, runs=args.runs)
        print(f"  one process:                    run {alone['run']:.3f}, task {alone['task']:.3f} "
              f"({1000 * (alone['task'] - alone['run']):+.0f} ms)")
        for k, both in enumerate(side_by_side(runs=args.runs), start=1):
            print(f"  two side by side, process {k}:    run {both['run']:.3f}, task {both['task']:.3f} "
                  f"({1000 * (both['task'] - both['run']):+.0f} ms)")
        cluster = on_local_cluster(runs=args.runs)
        print(f"  local cluster of two:           task {cluster['per_task']:.3f} per worker "
              f"({cluster['in_task']:.3f} inside the task)")


if __name__ == "__main__":
    main()
