"""A digest of the tables of 15 runs: proof that a change of code shape changed no number.

    python benchmarks/digest_runs.py                 # print the digest of every run and of all
    python benchmarks/digest_runs.py --save FILE     # keep it
    python benchmarks/digest_runs.py --check FILE    # compare with a kept one; exit 1 on any difference

The digest covers each table's column names and values in order, not the Parquet bytes, so metadata
(descriptions, units) may change without changing it. It also keeps the floating-point code the runs were
computed with (``sim/arithmetic.py``): a digest made on a machine whose numpy computes with other vector
code cannot be checked here (every table differs in its last bits), and ``--check`` says so and exits 2.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import pyarrow as pa

from sim.arithmetic import arithmetic
from sim.config import load_scenario
from sim.runner import run_scenario

RUNS = (
    *(("baseline", seed) for seed in (1, 2, 3, 4, 5)),
    ("housing_plus100", 3), ("challenges_double", 3), ("funding_double", 3), ("combined_package", 3),
    ("stress_shanghai", 3), ("new_platform_haiyan_nuclear", 3), ("tailored_fast_onboarding", 3),
    ("graduate_allowance", 3), ("services_schools_hospitals", 3), ("projects_more", 3),
)
SCALE = 100


def table_digest(table: pa.Table) -> str:
    digest = hashlib.sha256()
    for name in table.column_names:
        column = table.column(name).combine_chunks()
        digest.update(name.encode())
        digest.update(str(column.type).encode())
        for buffer in column.buffers():
            if buffer is not None:
                digest.update(buffer.to_pybytes())
    return digest.hexdigest()[:16]


def run_digests() -> dict[str, dict[str, str]]:
    digests = {}
    for name, seed in RUNS:
        scenario = load_scenario(name, overrides={"seed": seed, "scale": SCALE})
        tables = run_scenario(scenario, out=None).tables
        digests[f"{name}/seed{seed}"] = {table: table_digest(t) for table, t in sorted(tables.items())}
        print(f"{name}/seed{seed}: {hashlib.sha256(json.dumps(digests[f'{name}/seed{seed}']).encode()).hexdigest()[:16]}", flush=True)
    return digests


def kept_digest(path: Path) -> object:
    """The digest kept in ``path``, or None when it is not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--check", type=Path)
    args = parser.parse_args()
    kept = kept_digest(args.check) if args.check else None
    if args.check and not (isinstance(kept, dict) and isinstance(kept.get("runs"), dict) and "arithmetic" in kept):
        print(f"{args.check}: not a digest of this script (an object with 'arithmetic' and 'runs'); a digest saved before "
              "the floating-point code was kept must be saved again with --save", file=sys.stderr)
        return 2
    if kept is not None and kept["arithmetic"] != arithmetic():
        print(f"{args.check}: made with {kept['arithmetic']}, and this process computes with {arithmetic()}: every table "
              "differs in its last bits, so nothing can be checked. Save a digest with this code first (--save), then "
              "check against it after the change.", file=sys.stderr)
        return 2
    digests = run_digests()
    print("all:", hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()[:16])
    if args.save:
        args.save.write_text(json.dumps({"arithmetic": arithmetic(), "runs": digests}, indent=1, sort_keys=True))
    if kept is not None:
        kept = kept["runs"]
        changed = [f"{run} {table}" for run in sorted(set(kept) | set(digests))
                   for table in sorted(set(kept.get(run, {})) | set(digests.get(run, {})))
                   if kept.get(run, {}).get(table) != digests.get(run, {}).get(table)]
        for line in changed:
            print("changed:", line)
        print("digest unchanged" if not changed else f"{len(changed)} tables changed")
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
