"""Task functions that misbehave on purpose, importable by Dask worker processes (tests put this folder on PYTHONPATH)."""

from __future__ import annotations

import os
from pathlib import Path

from sim.ensemble import RunSpec, run_task, staging_folder


def failing_task(spec: RunSpec, study_dir: str) -> dict:
    """Seed-dependent failure inside the run: the run's own code raises, the study must go on."""
    if spec.seed % 3 == 0:
        return run_task(_broken(spec), study_dir)
    return run_task(spec, study_dir)


def _broken(spec: RunSpec) -> RunSpec:
    config = {**spec.config, "region": "no_such_region_file.yaml"}
    return RunSpec(point=spec.point, point_label=spec.point_label, seed=spec.seed, run_id=spec.run_id, config=config,
                   source_dir=spec.source_dir)


def _first_attempt_at_the_kill_seed(spec: RunSpec, study_dir: str) -> bool:
    """True once: for the first attempt at the run of point 0 with seed ``$TALENTSIM_KILL_SEED`` (a flag beside the
    study marks it made)."""
    flag = Path(study_dir).parent / f"killed-{spec.run_id}"
    if spec.point == 0 and spec.seed == int(os.environ["TALENTSIM_KILL_SEED"]) and not flag.exists():
        flag.touch()
        return True
    return False


def worker_killing_task(spec: RunSpec, study_dir: str) -> dict:
    """The first attempt at the study's first run kills its worker process outright (as an OOM kill would)."""
    if _first_attempt_at_the_kill_seed(spec, study_dir):
        os._exit(1)
    return run_task(spec, study_dir)


def settings_recording_task(spec: RunSpec, study_dir: str) -> dict:
    """Records the worker's profiler setting and its malloc trim threshold next to the study, then runs."""
    import json

    import dask

    record = {"profile": dask.config.get("distributed.worker.profile.enabled"), "malloc_trim": os.environ.get("MALLOC_TRIM_THRESHOLD_"),
              "threads": os.environ.get("TALENTSIM_THREADS")}
    (Path(study_dir).parent / f"settings-{spec.run_id}.json").write_text(json.dumps(record))
    return run_task(spec, study_dir)


def worker_killed_while_writing_task(spec: RunSpec, study_dir: str) -> dict:
    """The first attempt at the study's first run dies halfway through writing a table: its worker leaves the hidden
    temporary of an atomic write in the staging folder, as a worker killed at that moment does."""
    if _first_attempt_at_the_kill_seed(spec, study_dir):
        staging = staging_folder(Path(study_dir))
        staging.mkdir(parents=True, exist_ok=True)
        (staging / f".{spec.run_id}.parquet.halfway.tmp").write_bytes(b"PAR1 and no more")
        os._exit(1)
    return run_task(spec, study_dir)
