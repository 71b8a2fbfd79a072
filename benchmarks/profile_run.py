"""Profile one baseline run (simulation and output writing) with pyinstrument.

    python benchmarks/profile_run.py --scale 1                  # text report to the terminal
    python benchmarks/profile_run.py --scale 10 --html outputs/profile.html

The report shows where a month's time goes: the processes of the step (docs/ODD.md §3), the
observation, the compaction of the tables and the writing of Parquet and CSV files.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    parser.add_argument("--scale", type=int, default=10, help="persons per skilled-tier agent (1 = one agent per person)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--html", type=Path, help="write an interactive HTML report here instead of text")
    args = parser.parse_args()
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("pyinstrument is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    from sim.config import load_scenario
    from sim.runner import run_scenario

    scenario = load_scenario(args.scenario, overrides={"run.scale": args.scale, "run.seed": args.seed})
    profiler = Profiler(interval=0.002)
    with tempfile.TemporaryDirectory() as out:
        profiler.start()
        run_scenario(scenario, out=Path(out), lang="en", charts=False)
        profiler.stop()
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(profiler.output_html(), encoding="utf-8")
        print(f"profile written to {args.html}")
    else:
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
