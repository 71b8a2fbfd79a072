"""Time the talent rules of the array model against the Mesa reference, in one process.

Both implementations run the same scenario with the same seed and the same number of talent agents
(the scale is chosen so that the city starts with about --agents of them; high-end tiers are always
one agent per person, so the skilled tier's scale makes up the rest). The table gives, for each:

  agents         talent agents resident at the start of the run
  agent-steps    talent agents resident at the start of each month, summed over the months
  rules s        seconds in the talent processes: search and matching (with placement in firms),
                 housing (with purchases) and retention and exit (with ageing and births); for the
                 reference without copying state between its agents and the talent pool
  steps/s        agent-steps per second of talent-rule time
  run s          seconds for all months of the run, every process included (the reference's
                 copying too; building the model is not included)
  sync s         the reference's copying between agents and pool during the run

followed by the ratio main/reference of talent-rule agent-steps per second. With --repeat N every
figure is the median of N runs, the two implementations taking turns.

    python benchmarks/bench_reference.py                         # about 100,000 agents, 24 months
    python benchmarks/bench_reference.py --agents 20000 --months 12 --repeat 3
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import platform
import statistics
import time
from pathlib import Path

import mesa

from sim.categories import HIGH_END_TIERS
from sim.config import load_scenario
from sim.dates import month_index

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _load_reference():
    spec = importlib.util.spec_from_file_location("reference_mesa", HERE / "reference_mesa.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = _load_reference()


def scale_for(scenario, *, agents: int) -> int:
    """Persons per skilled-tier agent that give about ``agents`` talent agents at the start."""
    counts = scenario.load_region().tier_counts()
    high_end = sum(counts[t] for t in HIGH_END_TIERS)
    if agents <= high_end:
        raise SystemExit(f"--agents must exceed the region's {high_end:,.0f} high-end talent, who are one agent each")
    return max(1, round(counts["skilled"] / (agents - high_end)))


def end_month(start: str, months: int) -> str:
    year, month = divmod(month_index(start) + months - 1, 12)
    return f"{year:04d}-{month + 1:02d}"


def run_once(model_class: type, scenario, *, seed: int) -> dict[str, float]:
    gc.collect()
    model = model_class(scenario, seed=seed)
    agents = int(model.pool.resident_mask().sum())
    sync_at_start = getattr(model, "sync_seconds", 0.0)  # creating the reference's agents belongs to building it
    t0 = time.perf_counter()
    model.run()
    run_s = time.perf_counter() - t0
    return {"agents": agents, "agent_steps": model.agent_steps, "rules_s": model.talent_rule_seconds, "run_s": run_s,
            "sync_s": getattr(model, "sync_seconds", 0.0) - sync_at_start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=100_000, help="talent agents at the start (default: 100000)")
    parser.add_argument("--months", type=int, default=24, help="months simulated from the scenario's start (default: 24)")
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"), help="scenario file or name (default: the baseline)")
    parser.add_argument("--seed", type=int, default=7, help="seed of both implementations (default: 7)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each implementation; medians are reported (default: 1)")
    args = parser.parse_args()
    if args.months < 1 or args.repeat < 1:
        parser.error("--months and --repeat must be at least 1")

    base = load_scenario(args.scenario)
    scale = scale_for(base, agents=args.agents)
    scenario = load_scenario(args.scenario, overrides={"run.scale": scale, "run.end": end_month(base.run.start, args.months)})
    print(f"scenario {scenario.name}: {scenario.run.start} to {scenario.run.end} ({args.months} months), scale {scale}, "
          f"seed {args.seed}, {args.repeat} run(s) each")
    print(f"machine: {platform.machine()}, python {platform.python_version()}, mesa {mesa.__version__}")

    implementations = {"main (arrays)": reference.TimedTalentModel, "reference (Mesa agents)": reference.ReferenceTalentModel}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in implementations}
    for _ in range(args.repeat):
        for name, model_class in implementations.items():
            results[name].append(run_once(model_class, scenario, seed=args.seed))

    median = {name: {key: statistics.median(r[key] for r in runs) for key in runs[0]} for name, runs in results.items()}
    print(f"{'implementation':<24} {'agents':>9} {'agent-steps':>12} {'rules s':>9} {'steps/s':>12} {'run s':>8} {'sync s':>7}")
    for name, m in median.items():
        print(f"{name:<24} {m['agents']:>9,.0f} {m['agent_steps']:>12,.0f} {m['rules_s']:>9.2f} "
              f"{m['agent_steps'] / m['rules_s']:>12,.0f} {m['run_s']:>8.2f} {m['sync_s']:>7.2f}")
    main_m, ref_m = median["main (arrays)"], median["reference (Mesa agents)"]
    ratio = (main_m["agent_steps"] / main_m["rules_s"]) / (ref_m["agent_steps"] / ref_m["rules_s"])
    print(f"main/reference, talent-rule agent-steps per second: {ratio:,.1f}x; whole run: {ref_m['run_s'] / main_m['run_s']:,.1f}x")


if __name__ == "__main__":
    main()
