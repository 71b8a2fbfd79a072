"""Row passes over the whole talent table split between threads.

The compiled kernels release the GIL (``nogil``), so a pass that selects rows, or changes each row on
its own, can run over consecutive parts of the table at once: each part gives its rows in order, and
the parts joined in order are the rows the single pass gives, to the element. Sums over rows are not
split: adding in another order would change the last bits. Below ``PARALLEL_MIN_ROWS`` rows (every
coarse run) a pass stays whole, where starting threads would cost more than it saves.

``TALENTSIM_THREADS`` sets the number of threads (default: the cores this process may use, at most
four); the workers of a local Dask cluster run with one, as each already has a core of its own.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

PARALLEL_MIN_ROWS = 400_000
THREADS_ENV = "TALENTSIM_THREADS"
_MAX_DEFAULT_THREADS = 4
_pool: ThreadPoolExecutor | None = None


def thread_count() -> int:
    """Threads a split pass uses: ``$TALENTSIM_THREADS``, else the usable cores (at most four)."""
    text = os.environ.get(THREADS_ENV, "").strip()
    if text:
        try:
            return max(int(text), 1)
        except ValueError:
            raise ValueError(f"${THREADS_ENV}: a whole number of threads (1 or more), not {text!r}") from None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, _MAX_DEFAULT_THREADS)


def _parts(n_rows: int, *, min_rows: int | None) -> list[slice]:
    threads = thread_count()
    if threads < 2 or n_rows < max(PARALLEL_MIN_ROWS if min_rows is None else min_rows, 2):
        return [slice(0, n_rows)]
    bounds = np.linspace(0, n_rows, min(threads, n_rows) + 1).astype(np.int64)
    return [slice(int(lo), int(hi)) for lo, hi in zip(bounds[:-1], bounds[1:])]


def _map(work: Callable[[slice], object], parts: list[slice]) -> list:
    global _pool
    if len(parts) == 1:
        return [work(parts[0])]
    if _pool is None or _pool._max_workers < len(parts):
        _pool = ThreadPoolExecutor(max_workers=len(parts), thread_name_prefix="talentsim-rows")
    return list(_pool.map(work, parts))


def rows_in_parts(select: Callable[[slice], np.ndarray], *, n_rows: int, min_rows: int | None = None) -> np.ndarray:
    """The rows ``select`` finds in the whole table, from ``select(part)`` on consecutive parts (each part's
    rows counted from its own start), joined in row order."""
    parts = _parts(n_rows, min_rows=min_rows)
    found = _map(select, parts)
    if len(parts) == 1:
        return found[0]
    return np.concatenate([rows + part.start for rows, part in zip(found, parts)])


def each_row_in_parts(change: Callable[[slice], None], *, n_rows: int, min_rows: int | None = None) -> None:
    """Apply ``change(part)``, which changes each row of its part on its own, to consecutive parts at once."""
    _map(change, _parts(n_rows, min_rows=min_rows))
