"""Start-up times, each in a fresh process, median of ``--repeat``: ``import sim``, ``talentsim --help``, and
importing the model (``sim.model``: numpy, Mesa, pydantic and the compiled kernels), which every run pays.

    python benchmarks/bench_startup.py
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "import sim": [sys.executable, "-c", "import sim"],
    "talentsim --help": [sys.executable, "-m", "sim", "--help"],
    "import sim.model": [sys.executable, "-c", "import sim.model"],
}


def seconds(command: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'command':>18} {'median (s)':>11} {'all':>22}")
    for label, command in COMMANDS.items():
        times = [seconds(command) for _ in range(args.repeat)]
        print(f"{label:>18} {statistics.median(times):>11.2f} {', '.join(f'{t:.2f}' for t in times):>22}")


if __name__ == "__main__":
    main()
