"""One run from a scenario to files: simulate, write tables, configuration, manifest and charts."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from sim.config import Scenario
from sim.model import TalentModel
from sim.results import base_manifest, run_id, staged_directory, write_run_metadata, write_tables


@dataclass
class RunResult:
    """What a finished run produced."""

    scenario: Scenario
    run_dir: Path | None
    tables: dict[str, pa.Table]
    files: list[Path]
    timings: dict[str, float]
    notes: list[str]


def simulate(scenario: Scenario, *, progress: bool = False) -> tuple[TalentModel, dict[str, float]]:
    """Build and run the model with the scenario's seed; returns it with setup and simulation times in seconds."""
    t0 = time.perf_counter()
    model = TalentModel(scenario, seed=scenario.run.seed)
    t1 = time.perf_counter()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=model.n_months, unit="month", desc=f"{scenario.name} (scale {scenario.run.scale})", leave=False)
    try:
        model.run(progress=bar)
    finally:
        if bar is not None:
            bar.close()
    return model, {"setup_s": t1 - t0, "simulate_s": time.perf_counter() - t1}


def run_scenario(scenario: Scenario, *, out: Path | None, lang: str = "en", charts: bool = True, progress: bool = False) -> RunResult:
    """Simulate one scenario with its seed and, when ``out`` is given, write everything under ``out/<scenario>/<run id>/``."""
    if charts:
        from sim.charts.style import check_language

        check_language(lang)  # before the run, not after it
    model, timings = simulate(scenario, progress=progress)
    return write_run(model, out=out, lang=lang, charts=charts, timings=timings)


def write_run(model: TalentModel, *, out: Path | None, lang: str = "en", charts: bool = True,
              timings: dict[str, float] | None = None) -> RunResult:
    """A finished model's tables and, when ``out`` is given, its files under ``out/<scenario>/<run id>/``.

    The configuration and manifest are the model's own, with the seed it ran with (drawn fresh when the
    model was built without one: ``manifest.json`` says so under ``seed_origin``).
    """
    scenario = model.config
    timings = dict(timings or {})
    t0 = time.perf_counter()
    tables = model.recorder.tables()
    timings["tables_s"] = time.perf_counter() - t0
    notes: list[str] = []
    if out is None:
        return RunResult(scenario=scenario, run_dir=None, tables=tables, files=[], timings=timings, notes=notes)
    final = Path(out) / scenario.name / run_id(scenario)
    files: list[Path] = []
    with staged_directory(final) as stage:
        t0 = time.perf_counter()
        key = {"scenario": scenario.name, "run_id": run_id(scenario), "seed": scenario.run.seed}
        files += write_tables(stage, tables, key_columns=key)
        timings["write_s"] = time.perf_counter() - t0
        if charts:
            files += _run_charts(scenario, tables=tables, stage=stage, lang=lang, notes=notes, timings=timings)
        manifest = {**base_manifest(scenario), "seed_origin": model.seed_origin,
                    "timings_s": {k: round(v, 3) for k, v in timings.items()},
                    "talent_agents_at_end": int(model.pool.size),
                    "talent_agent_steps": int(model.agent_steps), "notes": notes}
        files += write_run_metadata(stage, scenario=scenario, manifest=manifest)
    files = [final / f.relative_to(stage) for f in files]
    return RunResult(scenario=scenario, run_dir=final, tables=tables, files=files, timings=timings, notes=notes)


def _run_charts(scenario: Scenario, *, tables: dict[str, pa.Table], stage: Path, lang: str, notes: list[str],
                timings: dict[str, float]) -> list[Path]:
    from sim.charts.captions import run_caption
    from sim.charts.run import render_run_charts
    from sim.charts.style import resolve_language

    t0 = time.perf_counter()
    chart_lang, warning = resolve_language(lang)
    if warning:
        notes.append(warning)
    files = render_run_charts(tables=tables, labels=scenario.load_region().labels(), out_dir=stage / "charts",
                              lang=chart_lang, caption=run_caption(scenario, lang=chart_lang), seed=scenario.run.seed)
    timings["charts_s"] = time.perf_counter() - t0
    return files
