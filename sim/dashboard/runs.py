"""The explorer's runs: the base and the explored scenario with the same seeds (common random numbers, as
``talentsim compare``), simulated by worker processes that live as long as the server, and what they give.

Runs are written as a study's runs are (:func:`sim.ensemble.run_task`) into one folder per base scenario, and a run
already complete there is not run again: the base's runs serve every exploration at the same scale and seeds, and
going back to levers tried before costs nothing. A run asked for while it is being simulated for another request
waits for that one. The numbers are the comparison's (:func:`sim.compare.comparison_table`, with the first scenario
the reference) and the spending is the model's own account of what each lever paid (the ``spending`` table).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.compare import DEFAULT_YEARS, comparison_table, year_end_values
from sim.config import Scenario
from sim.ensemble import (RunSpec, done_marker, failure_record, partition_file, remove_stale_temporaries, run_task, specs_for_scenarios,
                          summarise)
from sim.government import LEVERS


@dataclass(frozen=True)
class RunSettings:
    """How an exploration runs: scale, seeds and the root seed they derive from (default the base's, as compare's)."""

    scale: int
    seeds: int
    root_seed: int | None = None


@dataclass
class Outcome:
    """What an exploration gives: the comparison (base first), the bands and the spending by lever and year."""

    specs: list[RunSpec]
    comparison: pa.Table
    summary: pa.Table
    spending: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]   # point -> years, spending and budget (lever x year), yuan
    seconds: float
    new_runs: int


class RunPool:
    """Worker processes for runs, shared by every page the server serves; ``workers=0`` runs in one thread here."""

    def __init__(self, *, workers: int) -> None:
        self.workers = workers
        self.executor = self._new_executor()
        self._pending: dict[str, cf.Future] = {}
        self._study_dirs: set[Path] = set()
        self._lock = threading.Lock()

    def _new_executor(self) -> cf.Executor:
        if self.workers > 0:
            # spawned, not forked: the server has threads, and a forked child can inherit a lock held by one of them
            return cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))
        return cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="talentsim-run")

    def _submit(self, *args: object) -> cf.Future:
        try:
            return self.executor.submit(*args)
        except BrokenProcessPool:  # a worker died (killed, out of memory): its runs failed, later ones get new workers
            self.executor.shutdown(wait=True)
            # a worker killed while writing left the hidden temporary of its atomic write, and no worker of the broken
            # pool is left to finish one: the folders hold what they would had the runs never started
            for study_dir in self._study_dirs:
                remove_stale_temporaries(study_dir)
            self.executor = self._new_executor()
            return self.executor.submit(*args)

    def submit(self, specs: Sequence[RunSpec], *, study_dir: Path,
               task: Callable[[RunSpec, str], dict] = run_task) -> dict[str, cf.Future]:
        """A future for each run not complete in ``study_dir`` (one being simulated already is shared), by run id."""
        out = {}
        with self._lock:
            self._study_dirs.add(Path(study_dir))
            for spec in specs:
                if spec.run_id in out or done_marker(study_dir, spec.run_id).exists():
                    continue
                future = self._pending.get(spec.run_id)
                if future is None or future.done():
                    future = self._submit(task, spec, str(study_dir))
                    self._pending[spec.run_id] = future
                    future.add_done_callback(lambda f, rid=spec.run_id: self._forget(rid, f))
                out[spec.run_id] = future
        return out

    def preload(self) -> None:
        """Start the workers and have each import the model, so that the first runs do not wait for that."""
        for _ in range(max(self.workers, 1)):
            self._submit(_import_model)

    def _forget(self, run_id: str, future: cf.Future) -> None:
        with self._lock:
            if self._pending.get(run_id) is future:
                del self._pending[run_id]

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _import_model() -> None:
    import sim.model  # noqa: F401  (loading it is the point)

    time.sleep(0.2)  # long enough for the other workers to take the other imports


def exploration_specs(base: Scenario, explored: Scenario, *, settings: RunSettings) -> list[RunSpec]:
    """The runs of ``talentsim compare BASE EXPLORED --seeds N --scale S``: the same specs, so the same numbers."""
    return specs_for_scenarios([base, explored], seeds=settings.seeds, root_seed=settings.root_seed, scale=settings.scale)


def compared_years(base: Scenario) -> list[int]:
    """The year ends compared: those of ``talentsim compare``'s default inside the run, else the run's last whole year."""
    first, last = int(base.run.start[:4]), int(base.run.end[:4]) - (0 if base.run.end.endswith("-12") else 1)
    return [y for y in DEFAULT_YEARS if first <= y <= last] or [last]


def run_exploration(pool: RunPool, specs: list[RunSpec], *, study_dir: Path, priced: bool, years: Sequence[int],
                    on_progress: Callable[[int, int], None] = lambda done, total: None) -> Outcome:
    """Run what is missing of ``specs`` and summarise them; a failed run raises RuntimeError with its error."""
    t0 = time.perf_counter()
    study_dir = Path(study_dir).resolve()
    futures = pool.submit(specs, study_dir=study_dir)
    total = len({s.run_id for s in specs})
    on_progress(total - len(futures), total)
    done = total - len(futures)
    for future in cf.as_completed(futures.values()):
        outcome = future.result()
        if outcome["status"] == "failed":
            raise RuntimeError(f"run {outcome['run_id']}: {outcome.get('error') or _failure(study_dir, outcome['run_id'])}")
        done += 1
        on_progress(done, total)
    return summarise_exploration(specs, study_dir=study_dir, priced=priced, years=years,
                                 seconds=time.perf_counter() - t0, new_runs=len(futures))


def _failure(study_dir: Path, run_id: str) -> str:
    path = failure_record(study_dir, run_id)
    return path.read_text(encoding="utf-8")[:500] if path.exists() else "failed"


def summarise_exploration(specs: list[RunSpec], *, study_dir: Path, priced: bool, years: Sequence[int],
                          seconds: float = 0.0, new_runs: int = 0) -> Outcome:
    """The comparison, the bands and the spending of complete runs (base = point 0, explored = point 1)."""
    values = year_end_values(specs, study_dir=study_dir, years=years)
    comparison = comparison_table(values, priced=[False, priced])
    summary = summarise(specs, study_dir=study_dir)
    spending = {point: spending_by_year([s for s in specs if s.point == point], study_dir=study_dir) for point in (0, 1)}
    return Outcome(specs=specs, comparison=comparison, summary=summary, spending=spending, seconds=seconds, new_runs=new_runs)


def spending_by_year(specs: Sequence[RunSpec], *, study_dir: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Years of the run that are whole, and each lever's spending and budget in each (lever x year, yuan), the
    spending averaged over the runs (budgets are settings, the same in every run)."""
    spent, budget, years = [], None, None
    for spec in specs:
        table = pq.read_table(partition_file(study_dir, "spending", spec.run_id), columns=["date", "lever", "spending_yuan", "budget_yuan"])
        year = np.asarray(table.column("date").to_numpy(), dtype="datetime64[Y]").astype(int) + 1970
        lever = np.asarray(table.column("lever").to_pylist())
        counts = {y: len(set(np.asarray(table.column("date").to_numpy())[year == y].tolist())) for y in np.unique(year)}
        years = np.array([y for y, n in counts.items() if n == 12])
        s = np.zeros((len(LEVERS), len(years)))
        b = np.zeros((len(LEVERS), len(years)))
        for i, name in enumerate(LEVERS):
            for j, y in enumerate(years):
                rows = (lever == name) & (year == y)
                s[i, j] = table.column("spending_yuan").to_numpy()[rows].sum()
                b[i, j] = table.column("budget_yuan").to_numpy()[rows].sum()
        spent.append(s)
        budget = b
    if years is None or budget is None:
        raise ValueError("no runs to read spending from")
    return years, np.mean(spent, axis=0), budget
