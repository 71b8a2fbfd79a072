"""Many runs: replications, lever sweeps and experimental designs, serial or on a Dask cluster.

Every run is a :class:`RunSpec`: a fully resolved configuration (design point plus seed), identified
by a hash of that configuration. Seeds derive from one root seed through
``numpy.random.SeedSequence``, and every design point uses the same seeds (common random numbers),
so results do not depend on the number of workers or on the order in which runs finish; they do depend
on the floating-point code the workers' numpy computes with (:mod:`sim.arithmetic`), which each run's
completion marker records and a study warns of when its runs mix kinds.

A study may also run every design point at several parameter sets (``draws``: from a posterior, or a
design over the declared ranges; :mod:`sim.draws`). Each draw has its own seeds, and every design point
runs draw d with the same parameter values and the same seeds, so common random numbers hold within
each draw. Bands over such a study hold parameters and seeds; without draws, seed variation only.

Workers write their run's tables themselves into one Parquet dataset per table
(``<study>/runs/<table>/<id>.parquet``), each file atomically, and mark the run complete last
(``<study>/runs/_done/<id>.json``). A rerun skips complete runs, so a study that was
stopped at any point and started again ends with exactly the files of an uninterrupted one.
A run that raises is recorded in ``<study>/failures/<id>.json`` (traceback, seed, configuration)
and the study goes on.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.arithmetic import arithmetic
from sim.categories import PARAMETERS_AND_SEEDS, SEED_ONLY, TIERS
from sim.config import Scenario, apply_overrides, build_scenario
from sim.errors import MixedArithmeticWarning
from sim.inputs import MAX_SWEEP_POINTS, MAX_WORKERS, SCHEDULER_TIMEOUT_S
from sim.results import parquet_bytes, run_id, with_keys, write_atomic, write_table
from sim.row_ranges import available_cores

if TYPE_CHECKING:
    from sim.draws import Draws

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
CITY_TOTAL, ALL_TIERS = "city_total", "all_tiers"
QUANTILES = {"p05": 0.05, "p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95}
# What a band or interval holds, as the tables and charts label it.


@dataclass(frozen=True)
class RunSpec:
    """One run of a study: a design point, a seed, and the configuration they resolve to."""

    point: int
    point_label: str
    seed: int
    run_id: str
    config: dict[str, Any]          # the resolved scenario, as JSON-ready data
    source_dir: str | None          # where relative region paths are resolved
    draw: int | None = None         # the parameter draw, from 0; None: the scenario's own parameters

    def scenario(self) -> Scenario:
        scenario = Scenario.model_validate(self.config)
        scenario._source_dir = Path(self.source_dir) if self.source_dir else None
        return scenario


@dataclass
class StudyResult:
    """What a study produced: its folder, the runs' statuses, the summary bands and the failures."""

    study_dir: Path
    specs: list[RunSpec]
    status: dict[str, str]
    summary: pa.Table
    failures: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def n_done(self) -> int:
        return sum(1 for s in self.status.values() if s in ("done", "skipped"))

    def table(self, name: str) -> pa.Table:
        """One output table over every complete run of the study (the same columns as a single run)."""
        parts = [pq.read_table(partition_file(self.study_dir, name, s.run_id)) for s in self.specs
                 if done_marker(self.study_dir, s.run_id).exists()]
        return pa.concat_tables(parts) if parts else pa.table({})


# ------------------------------------------------------------------ designs
def derive_seeds(root_seed: int, n: int) -> list[int]:
    """``n`` independent run seeds from one root seed (``SeedSequence.spawn``)."""
    return [int(child.generate_state(1)[0]) for child in np.random.SeedSequence(root_seed).spawn(n)]


def build_specs(scenario: Scenario, *, points: Sequence[dict[str, Any]], labels: Sequence[str] | None = None,
                seeds: int, root_seed: int | None = None, scale: int | None = None,
                draws: Sequence[dict[str, Any]] | None = None) -> list[RunSpec]:
    """Every design point crossed with the same ``seeds`` run seeds, at each parameter set of ``draws`` if given
    (draw d with its own seeds, the same at every point)."""
    if seeds < 1:
        raise ValueError("seeds must be at least 1")
    labels = list(labels) if labels is not None else [point_label(p) or scenario.name for p in points]
    base = scenario.model_dump(mode="json")
    if scale is not None:
        base["run"]["scale"] = scale
    source = str(scenario._source_dir) if scenario._source_dir else None
    blocks = draw_seeds(scenario.run.seed if root_seed is None else root_seed, seeds=seeds, draws=draws)
    specs = []
    for index, (overrides, label) in enumerate(zip(points, labels)):
        for draw, drawn, run_seeds in blocks:
            for seed in run_seeds:
                data = apply_overrides(base, {**drawn, **overrides, "run.seed": seed}, source=scenario.name)
                resolved = build_scenario(data, source=f"{scenario.name} point {label}")
                specs.append(RunSpec(point=index, point_label=label, seed=seed, run_id=run_id(resolved),
                                     config=resolved.model_dump(mode="json"), source_dir=source, draw=draw))
    return specs


def specs_for_scenarios(scenarios: Sequence[Scenario], *, seeds: int, root_seed: int | None = None,
                        scale: int | None = None, draws: Sequence[dict[str, Any]] | None = None) -> list[RunSpec]:
    """Each scenario is a design point, and every one runs the same ``seeds`` run seeds (common random numbers);
    with ``draws``, every scenario runs each parameter set with that draw's own seeds.

    The root seed defaults to the first scenario's seed.
    """
    if seeds < 1:
        raise ValueError("seeds must be at least 1")
    if not scenarios:
        raise ValueError("no scenarios to run")
    blocks = draw_seeds(scenarios[0].run.seed if root_seed is None else root_seed, seeds=seeds, draws=draws)
    specs = []
    for index, scenario in enumerate(scenarios):
        base = scenario.model_dump(mode="json")
        if scale is not None:
            base["run"]["scale"] = scale
        source = str(scenario._source_dir) if scenario._source_dir else None
        for draw, drawn, run_seeds in blocks:
            for seed in run_seeds:
                data = apply_overrides(base, {**drawn, "run.seed": seed}, source=scenario.name)
                resolved = build_scenario(data, source=scenario.name)
                specs.append(RunSpec(point=index, point_label=scenario.name, seed=seed, run_id=run_id(resolved),
                                     config=resolved.model_dump(mode="json"), source_dir=source, draw=draw))
    return specs


def draw_seeds(root_seed: int, *, seeds: int, draws: Sequence[dict[str, Any]] | None) -> list[tuple[int | None, dict[str, Any], list[int]]]:
    """(draw, its overrides, its run seeds) for each parameter draw, or one block without overrides.

    Draw d takes seeds ``d*seeds`` to ``(d+1)*seeds - 1`` of one sequence, so that draws do not share their
    luck, and draw 0 runs the seeds of the study without draws.
    """
    if not draws:
        return [(None, {}, derive_seeds(root_seed, seeds))]
    every = derive_seeds(root_seed, seeds * len(draws))
    return [(d, dict(drawn), every[d * seeds:(d + 1) * seeds]) for d, drawn in enumerate(draws)]


def point_label(overrides: dict[str, Any]) -> str:
    return ", ".join(f"{k.split('.')[-1]}={v:g}" if isinstance(v, (int, float)) else f"{k.split('.')[-1]}={v}"
                     for k, v in overrides.items())


def parse_lever_range(text: str) -> tuple[str, list[float]]:
    """``name=low:high:n`` (n evenly spaced values) or ``name=v1,v2,...``."""
    if "=" not in text:
        raise ValueError(f"--lever {text!r}: write NAME=LOW:HIGH:N or NAME=V1,V2,...")
    name, spec = text.split("=", 1)
    try:
        if ":" in spec:
            low, high, n = spec.split(":")
            if not 1 <= int(n) <= MAX_SWEEP_POINTS:  # checked before the grid is built: N may be 10^8
                raise ValueError
            values = np.linspace(float(low), float(high), int(n)).tolist()
        else:
            values = [float(v) for v in spec.split(",", MAX_SWEEP_POINTS) if v.strip()]
    except ValueError:
        raise ValueError(f"--lever {text[:80]!r}: write NAME=LOW:HIGH:N (N a whole number from 1 to {MAX_SWEEP_POINTS}) "
                         f"or NAME=V1,V2,... (at most {MAX_SWEEP_POINTS} values)") from None
    if not values:
        raise ValueError(f"--lever {text!r}: no values")
    if len(values) > MAX_SWEEP_POINTS or not all(math.isfinite(v) for v in values):
        raise ValueError(f"--lever {text[:80]!r}: at most {MAX_SWEEP_POINTS} finite values")
    return name.strip(), values


# ------------------------------------------------------------------ files of a study
def partition_file(study_dir: Path, table: str, rid: str) -> Path:
    """One run's part of a table's dataset.

    The run id is a column of every file and not a ``run_id=<id>`` folder: pandas and pyarrow would
    then read it twice, as a string column and as a dictionary partition key, and refuse to merge
    them, while pyarrow.dataset and a polars glob would not read the folder name at all.
    """
    return Path(study_dir) / "runs" / table / f"{rid}.parquet"


def staging_folder(study_dir: Path) -> Path:
    """Where a run's files are written before they are renamed into the dataset, outside every table's folder."""
    return Path(study_dir) / "runs" / "_staging"


def done_marker(study_dir: Path, rid: str) -> Path:
    return Path(study_dir) / "runs" / "_done" / f"{rid}.json"


def other_complete_runs(specs: Sequence[RunSpec], *, study_dir: Path) -> int:
    """Complete runs in ``study_dir`` that are not among ``specs``: left by an earlier study in the same folder with other
    settings (another scale, seed count, ``--set`` or scenario file). A folder of ``runs/`` read whole holds them too."""
    ours = {spec.run_id for spec in specs}
    done = Path(study_dir) / "runs" / "_done"
    return sum(1 for marker in done.glob("*.json") if marker.stem not in ours) if done.is_dir() else 0


def failure_record(study_dir: Path, rid: str) -> Path:
    return Path(study_dir) / "failures" / f"{rid}.json"


def adopt_partition_folders(study_dir: Path) -> int:
    """Move the files of a study begun in the former layout (``runs/<table>/run_id=<id>/part-0.parquet``)
    to their place in the current one, so that resuming it skips its complete runs as before."""
    moved = 0
    for old in sorted(Path(study_dir).glob("runs/*/run_id=*/part-0.parquet")):
        table, rid = old.parent.parent.name, old.parent.name.removeprefix("run_id=")
        os.replace(old, partition_file(study_dir, table, rid))
        with contextlib.suppress(OSError):  # a file someone left there is theirs to remove
            old.parent.rmdir()
        moved += 1
    return moved


def remove_stale_temporaries(study_dir: Path) -> int:
    """Half-written files of an interrupted study, or of a worker killed during one (atomic writes leave only hidden
    temporaries)."""
    removed = 0
    for path in Path(study_dir).rglob(".*.tmp"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


# ------------------------------------------------------------------ one run, on a worker
def run_task(spec: RunSpec, study_dir: str) -> dict[str, Any]:
    """Simulate one run and write its tables; never raises, so that a failure is a record, not a crash."""
    return record_run(spec, study_dir, results=simulated_tables)


def simulated_tables(spec: RunSpec) -> dict[str, pa.Table]:
    from sim.model import TalentModel

    return TalentModel(spec.scenario(), seed=spec.seed, collect_model_vars=False).run().recorder.tables()


def record_run(spec: RunSpec, study_dir: str, *, results: Callable[[RunSpec], dict[str, pa.Table]]) -> dict[str, Any]:
    """Compute one run's output tables with ``results``, write each under ``runs/<table>/<id>.parquet`` and then
    the run's completion marker; a run already marked complete is skipped. Never raises: a failure is written to
    ``failures/`` and reported, and the study goes on."""
    study = Path(study_dir)
    if done_marker(study, spec.run_id).exists():
        return {"run_id": spec.run_id, "status": "skipped"}
    try:
        tables = results(spec)
        keys = {"scenario": spec.config["name"], "run_id": spec.run_id, "seed": spec.seed, "point": spec.point}
        for name, table in tables.items():
            write_atomic(partition_file(study, name, spec.run_id), parquet_bytes(with_keys(table, key_columns=keys), name=name),
                         staging=staging_folder(study))
        failure_record(study, spec.run_id).unlink(missing_ok=True)
        marker = {"run_id": spec.run_id, "seed": spec.seed, "point": spec.point, "point_label": spec.point_label,
                  **_draw_of(spec), "arithmetic": arithmetic()}
        write_atomic(done_marker(study, spec.run_id), json.dumps(marker, indent=1).encode())
        return {"run_id": spec.run_id, "status": "done"}
    except Exception as exc:  # noqa: BLE001 - every failure of a run is recorded and reported
        record = {"run_id": spec.run_id, "seed": spec.seed, "point": spec.point, "point_label": spec.point_label,
                  **_draw_of(spec), "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(), "config": spec.config}
        write_atomic(failure_record(study, spec.run_id), json.dumps(record, indent=1, ensure_ascii=False).encode("utf-8"))
        return {"run_id": spec.run_id, "status": "failed", "error": record["error"]}


def _draw_of(spec: RunSpec) -> dict[str, int]:
    return {} if spec.draw is None else {"draw": spec.draw}


# ------------------------------------------------------------------ running a study
def execute(specs: Sequence[RunSpec], *, study_dir: Path, workers: int | None = None, scheduler: str | None = None,
            security: Any = None, dashboard: bool = False, progress: bool = False,
            task: Callable[[RunSpec, str], dict] = run_task) -> dict[str, str]:
    """Run every spec not yet complete; returns each run's status (done, skipped or failed).

    ``workers=0`` runs serially in this process. Otherwise the runs go to a Dask cluster: the one at
    ``scheduler`` (or ``$DASK_SCHEDULER_ADDRESS``), else a local cluster of ``workers`` processes
    (one per core by default) on the loopback interface. Workers must see ``study_dir`` (a shared
    file system on a real cluster). ``security`` (a ``distributed.security.Security``) is how the
    client reaches that scheduler; None leaves it to Dask's configuration.
    """
    check_workers(workers)
    study_dir = Path(study_dir).resolve()
    study_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(study_dir)
    adopt_partition_folders(study_dir)
    status = {s.run_id: "skipped" for s in specs if done_marker(study_dir, s.run_id).exists()}
    pending = [s for s in specs if s.run_id not in status]
    bar = _progress_bar(total=len(specs), initial=len(status), enabled=progress)
    try:
        if workers == 0 and not (scheduler or os.environ.get(SCHEDULER_ENV)):
            for spec in pending:
                status[spec.run_id] = task(spec, str(study_dir))["status"]
                _advance(bar, status)
        else:
            with _client(workers=workers, scheduler=scheduler, security=security, dashboard=dashboard) as client:
                from distributed import as_completed

                futures = [client.submit(task, spec, str(study_dir), key=f"talentsim-{spec.run_id}", pure=False) for spec in pending]
                for future in as_completed(futures):
                    outcome = future.result()
                    status[outcome["run_id"]] = outcome["status"]
                    _advance(bar, status)
    finally:
        if bar is not None:
            bar.close()
    # a worker killed while writing leaves its hidden temporary, and its run is done again by another: once every
    # run has its outcome, no writer of this study is left, and the study's files are what a serial study leaves
    remove_stale_temporaries(study_dir)
    warn_if_mixed_arithmetic(arithmetic_of_runs(specs, study_dir=study_dir))
    return {s.run_id: status[s.run_id] for s in specs}


def check_workers(workers: Any) -> None:
    """``workers`` is None (one per core), 0 (serial, in this process) or a number of local worker processes: a
    cluster of no workers would wait for ever."""
    if workers is None:
        return
    if isinstance(workers, (bool, np.bool_)) or not isinstance(workers, (int, np.integer)):
        raise TypeError(f"workers must be a whole number (0: serial in this process), not {type(workers).__name__}")
    if not 0 <= workers <= MAX_WORKERS:
        raise ValueError(f"workers must be 0 (serial in this process) or a number of worker processes up to {MAX_WORKERS:,}, "
                         f"not {workers}")


def arithmetic_of_runs(specs: Sequence[RunSpec], *, study_dir: Path) -> dict[str, str | None]:
    """The floating-point code each complete run was computed with, by run id, as its completion marker records it
    (None for a run not complete, or completed before markers recorded it)."""
    return {spec.run_id: _recorded_arithmetic(done_marker(study_dir, spec.run_id)) for spec in specs}


def _recorded_arithmetic(marker: Path) -> str | None:
    try:
        recorded = json.loads(marker.read_bytes())
    except (FileNotFoundError, ValueError):  # not complete, or a marker no longer JSON: its code is unknown, not an error
        return None
    kind = recorded.get("arithmetic") if isinstance(recorded, dict) else None
    return kind if isinstance(kind, str) else None


def warn_if_mixed_arithmetic(kinds: dict[str, str | None]) -> None:
    """Warn when complete runs were computed with different floating-point codes: each run's files are then
    reproducible only on a machine of its own kind."""
    counts = Counter(kind for kind in kinds.values() if kind is not None)
    if len(counts) > 1:
        listed = "; ".join(f"{kind}: {n} run{'s' * (n != 1)}" for kind, n in counts.most_common())
        warnings.warn(f"the study's runs were computed with {len(counts)} kinds of floating-point code ({listed}). numpy picks "
                      "the code of exp, log and power by the processor and their last bits differ, so each run's files are "
                      "reproduced byte for byte only on a machine of its kind (the arithmetic column of runs.parquet). "
                      "docs/studies.md says how to give every worker the same code.", MixedArithmeticWarning,
                      stacklevel=2)


class _client:
    """A Dask client for an existing scheduler, or for a local cluster that lives as long as the block."""

    def __init__(self, *, workers: int | None, scheduler: str | None, security: Any, dashboard: bool) -> None:
        self.address = scheduler or os.environ.get(SCHEDULER_ENV)
        self.security = security
        self.workers = workers
        self.dashboard = dashboard
        self.cluster = None

    def __enter__(self):
        from distributed import Client, LocalCluster

        if self.address:
            # not Dask's 30 s: an absent scheduler is a typo
            self.client = Client(self.address, timeout=f"{SCHEDULER_TIMEOUT_S}s", security=self.security)
        else:
            import dask

            n = self.workers or os.cpu_count() or 1
            # Dask's nannies set MALLOC_TRIM_THRESHOLD_=65536 for their workers, which hands every large
            # temporary array back to the OS at once; the model allocates many, and runs took 30% longer.
            # Each worker also samples its running task's stack every 10 ms for the dashboard's profile
            # page, which made runs 10% longer: it runs only when the dashboard is asked for.
            # Every process also wakes its event loop to measure its own latency (every 20 ms), to sample CPU and
            # memory for the dashboard (500 ms) and to check the memory limit (100 ms); each wake-up takes the
            # GIL from the running task. Slower monitoring (a blocked loop is still reported after 3 s, the
            # memory limit still enforced) cut a task's wait for the GIL from about 4% of its time to 1.5%, and the
            # client's process's CPU by half or more (docs/studies.md gives the same settings for a real cluster).
            settings = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                        "distributed.worker.profile.enabled": self.dashboard,
                        "distributed.admin.tick.interval": "1s",
                        "distributed.worker.memory.monitor-interval": "1s",
                        **({} if self.dashboard else {"distributed.admin.system-monitor.interval": "2s"})}
            # the workers share the cores: a whole city's passes in row ranges (sim.row_ranges) take what each has
            if "TALENTSIM_THREADS" not in os.environ:
                settings["distributed.nanny.pre-spawn-environ.TALENTSIM_THREADS"] = str(max(available_cores() // n, 1))
            # Without the dashboard the scheduler still serves its plain HTTP routes, on Dask's dashboard port by default,
            # and a second study at the same time warned that the port was taken: they get a free port instead.
            if self.dashboard:
                addresses = {"dashboard_address": "127.0.0.1:8787"}
            else:
                addresses = {"dashboard_address": None, "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"}}
            with dask.config.set(settings):
                self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1", silence_logs=40,
                                            **addresses)
            self.client = Client(self.cluster)
        return self.client

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if self.cluster is not None and exc_type is None:
            # Closing a local cluster races its workers' heartbeats: a worker whose heartbeat is in flight when the
            # scheduler shuts logs the closed connection as an error with its traceback (dask/distributed#7105),
            # after a study that went well. The workers are past their last task here: what they could still
            # report is their own shutdown.
            with contextlib.suppress(Exception):
                self.client.run(quiet_shutdown_logs)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


SHUTDOWN_LOGGERS = ("distributed.worker", "distributed.core", "distributed.comm", "distributed.batched")


def quiet_shutdown_logs() -> dict[str, int]:
    """In a worker of a local cluster about to close: only critical messages of Dask's own loggers; returns their levels."""
    import logging

    for name in SHUTDOWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return {name: logging.getLogger(name).level for name in SHUTDOWN_LOGGERS}


def _progress_bar(*, total: int, initial: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="run", desc="runs", smoothing=0.1)


def _advance(bar, status: dict[str, str]) -> None:
    if bar is None:
        return
    failed = sum(1 for s in status.values() if s == "failed")
    bar.set_postfix(done=len(status) - failed, failed=failed)
    bar.update(1)


# ------------------------------------------------------------------ summary
def summarise(specs: Sequence[RunSpec], *, study_dir: Path) -> pa.Table:
    """Median, mean and 5-95% and 25-75% bands of talent stock per point x date x cluster x tier.

    Includes the city total (cluster ``city_total``) and the sum over tiers (tier ``all_tiers``). A point's
    band pools every complete run of it: over seeds only, or over parameter draws and their seeds, as its
    ``uncertainty`` column says.
    """
    columns: dict[str, list] = {k: [] for k in ("point", "point_label", "date", "cluster", "tier", "n_runs", "n_draws",
                                                "uncertainty", "mean", *QUANTILES)}
    by_point: dict[int, list[RunSpec]] = {}
    for spec in specs:
        if done_marker(study_dir, spec.run_id).exists():
            by_point.setdefault(spec.point, []).append(spec)
    for point, runs in sorted(by_point.items()):
        first = pq.read_table(partition_file(study_dir, "talent_stock", runs[0].run_id), columns=["date", "cluster", "tier"])
        dates = list(dict.fromkeys(first.column("date").to_pylist()))
        clusters = list(dict.fromkeys(first.column("cluster").to_pylist()))
        values = run_stocks(runs, study_dir=study_dir).reshape(len(runs), len(dates), len(clusters), len(TIERS))
        with_tiers = np.concatenate([values, values.sum(axis=3, keepdims=True)], axis=3)
        full = np.concatenate([with_tiers, with_tiers.sum(axis=2, keepdims=True)], axis=2)
        cluster_names = [*clusters, CITY_TOTAL]
        tier_names = [*TIERS, ALL_TIERS]
        stats = {"mean": full.mean(axis=0), **{k: np.quantile(full, q, axis=0) for k, q in QUANTILES.items()}}
        idx = np.indices(full.shape[1:]).reshape(3, -1)
        n = idx.shape[1]
        n_draws = len({s.draw for s in runs})
        columns["point"] += [point] * n
        columns["point_label"] += [runs[0].point_label] * n
        columns["date"] += [dates[i] for i in idx[0]]
        columns["cluster"] += [cluster_names[i] for i in idx[1]]
        columns["tier"] += [tier_names[i] for i in idx[2]]
        columns["n_runs"] += [len(runs)] * n
        columns["n_draws"] += [n_draws] * n
        columns["uncertainty"] += [uncertainty_label(n_draws)] * n
        for key, array in stats.items():
            columns[key] += array.reshape(-1).tolist()
    types = {"point": pa.int64(), "n_runs": pa.int64(), "n_draws": pa.int64(), "date": pa.date32(), "point_label": pa.string(),
             "cluster": pa.string(), "tier": pa.string(), "uncertainty": pa.string()}
    return pa.table({k: pa.array(v, type=types.get(k, pa.float64())) for k, v in columns.items()})


def run_stocks(runs: Sequence[RunSpec], *, study_dir: Path) -> np.ndarray:
    """The talent stock column of each run's ``talent_stock`` table, one row per run in the order given. The files are
    read a few at a time (Parquet decoding releases the GIL): a thousand runs' files took two seconds one by one."""
    from concurrent.futures import ThreadPoolExecutor

    def stock(spec: RunSpec) -> np.ndarray:
        table = pq.read_table(partition_file(study_dir, "talent_stock", spec.run_id), columns=["talent_stock"])
        return table.column("talent_stock").to_numpy()

    threads = min(available_cores(), 4)
    if threads < 2 or len(runs) < 16:
        return np.stack([stock(s) for s in runs])
    with ThreadPoolExecutor(max_workers=threads) as readers:
        return np.stack(list(readers.map(stock, runs)))


def uncertainty_label(n_draws: int) -> str:
    """What a band over ``n_draws`` parameter sets holds: one set (the scenario's own, or a single draw) leaves seeds only."""
    return PARAMETERS_AND_SEEDS if n_draws >= 2 else SEED_ONLY


def run_index(specs: Sequence[RunSpec], *, study_dir: Path) -> pa.Table:
    """Every run of the study with its state on disk (complete, failed or missing), whichever invocation ran it;
    a study with parameter draws also gives each run's draw."""
    def state(spec: RunSpec) -> str:
        if done_marker(study_dir, spec.run_id).exists():
            return "complete"
        return "failed" if failure_record(study_dir, spec.run_id).exists() else "missing"

    columns = {
        "run_id": [s.run_id for s in specs], "point": pa.array([s.point for s in specs], pa.int64()),
        "point_label": [s.point_label for s in specs], "seed": pa.array([s.seed for s in specs], pa.int64()),
    }
    if any(s.draw is not None for s in specs):
        columns["draw"] = pa.array([s.draw for s in specs], pa.int64())
    kinds = arithmetic_of_runs(specs, study_dir=study_dir)
    return pa.table({**columns, "status": [state(s) for s in specs],
                     "arithmetic": pa.array([kinds[s.run_id] for s in specs], pa.string())})


def execute_study(specs: Sequence[RunSpec], *, study_dir: Path, workers: int | None = None, scheduler: str | None = None,
                  security: Any = None, dashboard: bool = False, progress: bool = False,
                  task: Callable[[RunSpec, str], dict] = run_task, draws: Draws | None = None) -> StudyResult:
    """Run the specs not yet complete and write the run index, the summary and the parameter draws (if any); no charts."""
    t0 = time.perf_counter()
    study_dir = Path(study_dir)
    status = execute(specs, study_dir=study_dir, workers=workers, scheduler=scheduler, security=security,
                     dashboard=dashboard, progress=progress, task=task)
    summary = summarise(specs, study_dir=study_dir)
    write_table(study_dir, summary, name="summary")
    write_table(study_dir, run_index(specs, study_dir=study_dir), name="runs", formats=("parquet",))
    if draws is not None:
        write_table(study_dir, draws.table(), name="draws")
    failures = [json.loads(failure_record(study_dir, s.run_id).read_text(encoding="utf-8"))
                for s in specs if status[s.run_id] == "failed"]
    return StudyResult(study_dir=study_dir, specs=list(specs), status=status, summary=summary, failures=failures,
                       seconds=time.perf_counter() - t0)


def run_study(scenario: Scenario, *, points: Sequence[dict[str, Any]], labels: Sequence[str] | None = None, seeds: int,
              out: Path, study: str, root_seed: int | None = None, scale: int | None = None, workers: int | None = None,
              scheduler: str | None = None, security: Any = None, dashboard: bool = False, progress: bool = False,
              charts: bool = True, lang: str = "en", task: Callable[[RunSpec, str], dict] = run_task,
              draws: Draws | None = None) -> StudyResult:
    """Run a design (points x seeds, or points x parameter draws x seeds) and write the dataset, the run index,
    the summary, the draws and the fan charts."""
    t0 = time.perf_counter()
    specs = build_specs(scenario, points=points, labels=labels, seeds=seeds, root_seed=root_seed, scale=scale,
                        draws=draws.sets if draws is not None else None)
    result = execute_study(specs, study_dir=Path(out) / scenario.name / study, workers=workers, scheduler=scheduler,
                           security=security, dashboard=dashboard, progress=progress, task=task, draws=draws)
    if charts and result.summary.num_rows:
        from sim.charts.captions import study_caption
        from sim.charts.fans import render_fan_charts
        from sim.charts.style import resolve_language

        chart_lang, _ = resolve_language(lang)
        caption = study_caption(scenario, runs=len(specs), seeds=seeds, draws=None if draws is None else draws.n,
                                scale=specs[0].config["run"]["scale"], lang=chart_lang)
        render_fan_charts(summary=result.summary, labels=scenario.load_region().labels(), out_dir=result.study_dir / "charts",
                          lang=chart_lang, caption=caption)
    result.seconds = time.perf_counter() - t0
    return result


def run_ensemble(scenario: Scenario, *, seeds: int, out: Path, draws: Draws | None = None, **options: Any) -> StudyResult:
    """Replications of one scenario: bands from ``seeds`` runs, or from ``seeds`` runs at each parameter draw.

    The study folder is ``ensemble``, or ``ensemble-<draws tag>`` with draws, so that a seed-only and a
    parametric ensemble of the same scenario never share a summary.
    """
    study = "ensemble" if draws is None else f"ensemble-{draws.tag}"
    return run_study(scenario, points=[{}], labels=[scenario.name], seeds=seeds, out=out, study=study, draws=draws, **options)
