"""Time the full baseline (2022-01 to 2035-12, all outputs written) at several scales.

Each scale runs in its own process so that peak memory (max RSS) is that run's alone.
Prints talent agent-steps per second (agents resident at the start of each month, summed
over months, divided by the simulation time) and the wall time including writing outputs.

    python benchmarks/bench_scale.py                 # scales 100, 50, 20, 10, 5, 2, 1
    python benchmarks/bench_scale.py --scales 100 10 --repeat 3

The last column checks that time grows linearly with the number of agents: the wall time's growth
per doubling of the agent-steps against the previous (coarser) scale; 2.0 is exactly linear.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap

from bench_pace import coarse_run_seconds, print_pace

CHILD = textwrap.dedent("""
    import json, resource, sys, time
    from pathlib import Path
    t0 = time.perf_counter()
    from sim.config import load_scenario
    from sim.runner import run_scenario
    scenario = load_scenario("scenarios/baseline.yaml", overrides={"run.scale": int(sys.argv[1]), "run.seed": 7})
    result = run_scenario(scenario, out=Path(sys.argv[2]), lang="en", charts=False)
    wall = time.perf_counter() - t0
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    print(json.dumps({
        "scale": int(sys.argv[1]),
        "wall_s": wall,
        "simulate_s": result.timings["simulate_s"],
        "agent_steps": manifest["talent_agent_steps"],
        "agents_at_end": manifest["talent_agents_at_end"],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
""")


def run_once(scale: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.run([sys.executable, "-c", CHILD, str(scale), out], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[100, 50, 20, 10, 5, 2, 1])
    parser.add_argument("--repeat", type=int, default=1, help="runs per scale; the median is reported")
    parser.add_argument("--no-pace", action="store_true", help="do not time the host's pace (bench_pace.py) before and after")
    args = parser.parse_args()
    pace_before = None if args.no_pace else coarse_run_seconds()
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, python {platform.python_version()}")
    print(f"{'scale':>6} {'agents(end)':>12} {'agent-steps':>14} {'simulate s':>11} {'wall s':>8} {'agent-steps/s':>14} "
          f"{'peak MB':>8} {'x per doubling':>15}")
    previous = None
    for scale in args.scales:
        runs = [run_once(scale) for _ in range(args.repeat)]
        sim_s = statistics.median(r["simulate_s"] for r in runs)
        wall = statistics.median(r["wall_s"] for r in runs)
        peak = max(r["peak_rss_mb"] for r in runs)
        r = runs[0]
        growth = ""
        if previous is not None and r["agent_steps"] > previous[0]:
            doublings = math.log2(r["agent_steps"] / previous[0])
            growth = f"{(wall / previous[1]) ** (1 / doublings):.2f}"
        previous = (r["agent_steps"], wall)
        print(f"{scale:>6} {r['agents_at_end']:>12,} {r['agent_steps']:>14,} {sim_s:>11.1f} {wall:>8.1f} "
              f"{r['agent_steps'] / sim_s:>14,.0f} {peak:>8.0f} {growth:>15}", flush=True)
    print_pace(pace_before, None if args.no_pace else coarse_run_seconds())


if __name__ == "__main__":
    main()
