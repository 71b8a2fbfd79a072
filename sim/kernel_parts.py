"""Row passes over the whole talent table split between threads.

The compiled kernels release the GIL (``nogil``), so a pass that selects rows, or changes each row on
its own, can run over consecutive parts of the table at once: each part gives its rows in order, and
the parts joined in order are the rows the single pass gives, to the element.

Sums are split only where the order of the additions cannot matter. A float32 weight ``w`` is a whole
multiple of ``q = 2**(exponent(w) - 23)``, so float64 sums of weights of which the smallest has
quantum ``q`` are exact, in any order, while every partial sum stays below ``2**53 * q``. Each part
also reports the smallest and the total of its weights; when the bound holds, the parts' sums joined
are the whole pass's sums to the bit, and when it does not (a weight far smaller than the others, or
weights that are not float32), the sums are taken again in one pass. Persons' weights (one or a few
persons per agent, two million in all) are within the bound by a factor of a hundred.

Below ``PARALLEL_MIN_ROWS`` rows (every coarse run) a pass stays whole, where starting threads would
cost more than it saves.

``TALENTSIM_THREADS`` sets the number of threads (default: the cores this process may use, at most
four); the workers of a local Dask cluster run with one, as each already has a core of its own.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

from sim.compiler import USING_NUMBA, compiled

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


def _weight_bounds_numpy(weights: np.ndarray) -> tuple[float, float]:
    size = np.abs(weights.astype(np.float64))
    positive = size[size > 0]
    return (float(positive.min()) if len(positive) else np.inf), float(size.sum())


def _weight_bounds_loop(weights):  # pragma: no cover - compiled
    smallest, total = np.inf, 0.0
    for i in range(weights.shape[0]):
        w = abs(np.float64(weights[i]))
        total += w
        if 0.0 < w < smallest:
            smallest = w
    return smallest, total


_weight_bounds = compiled(_weight_bounds_loop) if USING_NUMBA else _weight_bounds_numpy


def sums_exact_in_any_order(*, smallest: float, total: float, dtype: np.dtype) -> bool:
    """Whether float64 sums of weights of ``dtype``, none smaller than ``smallest`` (other than zero) and
    ``total`` in all, are exact whatever the order of the additions."""
    if np.dtype(dtype) != np.float32:
        return False
    if not np.isfinite(smallest):  # no weight other than zero
        return True
    quantum = np.ldexp(1.0, int(np.frexp(smallest)[1]) - 1 - 23)
    return total < np.ldexp(quantum, 53)


def sums_in_parts(add: Callable[[slice], tuple[np.ndarray, ...]], *, weights: np.ndarray, n_rows: int,
                  min_rows: int | None = None) -> tuple[np.ndarray, ...]:
    """The sums ``add`` gives over the whole table (a tuple of float64 arrays), from its sums over
    consecutive parts when they are exact in any order (see the module's note), else from one pass."""
    parts = _parts(n_rows, min_rows=min_rows)
    if len(parts) == 1:
        return add(parts[0])

    def add_and_bound(part: slice) -> tuple[tuple[np.ndarray, ...], tuple[float, float]]:
        return add(part), _weight_bounds(weights[part])

    found = _map(add_and_bound, parts)
    smallest = min(bounds[0] for _, bounds in found)
    total = sum(bounds[1] for _, bounds in found)
    if not sums_exact_in_any_order(smallest=smallest, total=total, dtype=weights.dtype):
        return add(slice(0, n_rows))
    joined = [np.array(first, copy=True) for first in found[0][0]]
    for sums, _ in found[1:]:
        for into, more in zip(joined, sums):
            into += more
    return tuple(joined)
