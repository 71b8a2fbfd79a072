"""Passes over a large talent table in ranges of rows side by side, one range a thread.

A pass over the whole city's two million rows is a few milliseconds of compiled code that releases the
GIL; split into ranges, the ranges run at once on the machine's cores. The results are the pass's own:
rows found are joined in range order (row order), rows changed in place are each changed by one range,
and weights summed in ranges are kept only where every order of addition gives the same number
(:func:`sums_exact`); otherwise the pass is made again over the whole table, in row order.
So a run's numbers do not depend on the number of threads.

``TALENTSIM_THREADS`` sets the number of threads (1: every pass in the calling thread); by default, the
cores this process may use; at most eight either way. Tables of fewer than ``2 x MIN_ROWS`` rows are one range.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

import numpy as np

from sim.errors import ConfigError

MIN_ROWS = 200_000  # rows of a range: below some 10^5 rows a thread's start costs more than it saves
MAX_THREADS = 8

_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None


def thread_count() -> int:
    """Threads for a pass: ``TALENTSIM_THREADS`` when set, else the cores this process may use (at most eight)."""
    text = os.environ.get("TALENTSIM_THREADS", "").strip()
    if text:
        if not text.isdigit() or int(text) < 1:
            raise ConfigError(source="TALENTSIM_THREADS (environment)",
                              problems=[f"{text!r} is not a number of threads: a whole number from 1 (1 makes every pass in one "
                                        f"thread), or unset for the cores this process may use"])
        return min(int(text), MAX_THREADS)
    return min(available_cores(), MAX_THREADS)


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ranges(n_rows: int) -> list[tuple[int, int]]:
    """Consecutive (start, stop) row ranges covering ``n_rows`` rows: one per thread, each at least ``MIN_ROWS``."""
    if n_rows < 2 * MIN_ROWS:
        return [(0, n_rows)]
    parts = min(thread_count(), n_rows // MIN_ROWS)
    bounds = [n_rows * i // parts for i in range(parts + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    # a forked process has the pool object but not its threads
    if _pool is None or _pool_pid != os.getpid():
        _pool = ThreadPoolExecutor(max_workers=MAX_THREADS - 1, thread_name_prefix="talentsim-rows")
        _pool_pid = os.getpid()
    return _pool


def map_ranges(kernel: Callable[..., Any], spans: Sequence[tuple[int, int]],
               arguments: Callable[[int, int], tuple]) -> list[Any]:
    """``kernel(*arguments(start, stop))`` for each range, the first in the calling thread and the others in
    threads at the same time; results in range order."""
    if len(spans) == 1:
        return [kernel(*arguments(*spans[0]))]
    futures = [_executor().submit(kernel, *arguments(start, stop)) for start, stop in spans[1:]]
    first = kernel(*arguments(*spans[0]))
    return [first, *(future.result() for future in futures)]


def side_by_side(tasks: Sequence[Callable[[], Any]], *, n_rows: int) -> None:
    """Runs ``tasks`` (passes over tables of ``n_rows`` rows that release the GIL and touch different columns), as many
    at once as there are ranges of ``n_rows`` rows, each thread taking every so many of them in turn."""
    lanes = len(ranges(n_rows))
    if lanes == 1:
        for task in tasks:
            task()
        return

    def lane(first: int) -> None:
        for task in tasks[first::lanes]:
            task()

    futures = [_executor().submit(lane, first) for first in range(1, lanes)]
    lane(0)
    for future in futures:
        future.result()


def _range_calls(kernel: Callable[..., Any], arguments: tuple, columns: Sequence[int],
                 n_rows: int) -> tuple[list[Any], list[tuple[int, int]]]:
    if any(len(arguments[k]) != n_rows for k in columns):
        raise ValueError(f"rows in ranges: the columns of {kernel.__name__} have {sorted({len(arguments[k]) for k in columns})} rows")
    split = set(columns)
    spans = ranges(n_rows)
    parts = map_ranges(kernel, spans, lambda start, stop: tuple(
        argument[start:stop] if k in split else argument for k, argument in enumerate(arguments)))
    return parts, spans


def _joined(found: Sequence[np.ndarray], spans: Sequence[tuple[int, int]]) -> np.ndarray:
    # each range's rows are relative to its start
    rows = np.empty(sum(len(part) for part in found), np.int64)
    at = 0
    for part, (start, _) in zip(found, spans):
        np.add(part, start, out=rows[at:at + len(part)])
        at += len(part)
    return rows


def in_ranges(kernel: Callable[..., tuple], arguments: tuple, *, columns: Sequence[int], rows: Sequence[int] = (),
              lowest: Sequence[int] = (), weights: int | None = None) -> tuple:
    """``kernel(*arguments)`` (a tuple of results) over the rows of the arguments at ``columns`` (columns of one table),
    one range of rows a thread: each range's call has those columns' rows of the range and the other arguments whole.
    Returns the results put together: those at ``rows`` (row indices found) joined as rows of the whole table, in
    row order; those at ``lowest``, the smallest of the ranges'; the others added.

    A kernel that adds up the column at ``weights`` (its index among the arguments) also returns, last, the smallest
    positive and the largest size of the weights it added; they are left out: where ranges' sums could differ from
    one pass's (:func:`sums_exact`), the kernel makes the one pass over the whole table, in row order (what it
    changes in place it must change the same way the second time)."""
    n_rows = len(arguments[columns[0]])
    sums = weights is not None
    if n_rows < 2 * MIN_ROWS:  # a coarse run's tables: one pass, with nothing made for ranges
        results = kernel(*arguments)
        return results[:-2] if sums else results
    parts, spans = _range_calls(kernel, arguments, columns, n_rows)
    # one range is one pass already, in row order
    if sums and len(parts) > 1 and not sums_exact(n_rows=n_rows, smallest=min(part[-2] for part in parts),
                                                  largest=max(part[-1] for part in parts), dtype=arguments[weights].dtype):
        return kernel(*arguments)[:-2]
    combined = []
    for k in range(len(parts[0]) - (2 if sums else 0)):
        results = [part[k] for part in parts]
        if k in rows:
            combined.append(_joined(results, spans))
        elif k in lowest:
            combined.append(min(results))
        else:
            total = results[0]
            for result in results[1:]:
                total = total + result
            combined.append(total)
    return tuple(combined)


def found_rows(kernel: Callable[..., np.ndarray], arguments: tuple, *, columns: Sequence[int]) -> np.ndarray:
    """The rows ``kernel`` finds (its one result, row indices), over ranges of rows as :func:`in_ranges` runs it, in
    row order."""
    n_rows = len(arguments[columns[0]])
    if n_rows < 2 * MIN_ROWS:
        return kernel(*arguments)
    return _joined(*_range_calls(kernel, arguments, columns, n_rows))


def added(kernel: Callable[..., tuple], arguments: tuple, *, columns: Sequence[int], weights: int) -> Any:
    """The sums of the column at ``weights`` that ``kernel`` makes (its first result; then the range of the weights it
    added, as :func:`in_ranges` asks), over ranges of rows where that is exact, else in one pass in row order."""
    if len(arguments[columns[0]]) < 2 * MIN_ROWS:
        return kernel(*arguments)[0]
    return in_ranges(kernel, arguments, columns=columns, weights=weights)[0]


def sums_exact(*, n_rows: int, smallest: float, largest: float, dtype: np.dtype = np.dtype(np.float32)) -> bool:
    """Whether weights of ``dtype`` (the talent table's float32) between ``smallest`` (the smallest positive one) and
    ``largest``, at most ``n_rows`` of them, add up in float64 to the same number in every order and grouping.

    Each such weight is a whole multiple of the spacing of the smallest in its own type, and so is every partial
    sum; while the largest possible sum stays below 2**52 of those spacings (a bit to spare below float64's 53),
    every partial sum is a float64 number and every addition is exact. With float32 weights of one person that is
    up to 2**29 persons; float64 weights of different sizes never qualify. No weight summed (``smallest``
    infinite) or only zeros sum to zero in any order."""
    if not np.isfinite(smallest) or largest <= 0.0:
        return True
    if not np.issubdtype(dtype, np.floating):
        return False
    return n_rows * largest < 2.0 ** 52 * float(np.spacing(np.dtype(dtype).type(smallest)))
