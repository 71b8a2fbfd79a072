"""Bulk rules over whole talent and firm tables: weighted counts by group and Bernoulli sampling.

A count such as "persons by cluster and tier among residents" is one pass over up to two
million rows every month. numpy needs a gather per column for it; with numba installed it is a
single compiled loop. Both paths add the weights in row order into float64 bins, so they give
identical numbers; ``TALENTSIM_NUMBA=0`` selects the numpy path.
"""

from __future__ import annotations

import os

import numpy as np


def _load_numba():
    if os.environ.get("TALENTSIM_NUMBA", "1").strip().lower() in {"0", "false", "no", "off"}:
        return None
    try:
        import numba
    except ImportError:
        return None
    return numba


_numba = _load_numba()
USING_NUMBA = _numba is not None


# ---------------------------------------------------------------- numpy path
def _group_sum_numpy(codes: np.ndarray, weights: np.ndarray, mask: np.ndarray, n_groups: int) -> np.ndarray:
    return np.bincount(codes[mask], weights=weights[mask], minlength=n_groups)[:n_groups]


def _group_sum2_numpy(outer: np.ndarray, inner: np.ndarray, n_inner: int, weights: np.ndarray, mask: np.ndarray,
                      n_groups: int) -> np.ndarray:
    codes = outer[mask].astype(np.int64) * n_inner + inner[mask]
    return np.bincount(codes, weights=weights[mask], minlength=n_groups)[:n_groups]


def _employment_numpy(status: np.ndarray, employed_code: int, employer: np.ndarray, sector: np.ndarray, tier: np.ndarray,
                      n_tiers: int, weights: np.ndarray, is_platform: np.ndarray, n_firms: int,
                      n_sectors: int) -> tuple[np.ndarray, np.ndarray]:
    employed = np.flatnonzero(status == employed_code)
    firm, weight = employer[employed], weights[employed]
    by_firm = np.bincount(firm, weights=weight, minlength=n_firms)[:n_firms]
    in_firms = ~is_platform[firm]
    cell = sector[employed][in_firms].astype(np.int64) * n_tiers + tier[employed][in_firms]
    filled = np.bincount(cell, weights=weight[in_firms], minlength=n_sectors * n_tiers)
    return by_firm, filled


def _employees_of_numpy(status: np.ndarray, employed_code: int, employer: np.ndarray, firm_mask: np.ndarray) -> np.ndarray:
    employed = np.flatnonzero(status == employed_code)
    return employed[firm_mask[employer[employed]]]


# ---------------------------------------------------------------- numba path
if USING_NUMBA:
    _jit = _numba.njit(cache=True, nogil=True)

    @_jit
    def _group_sum_numba(codes, weights, mask, n_groups):  # pragma: no cover - compiled
        out = np.zeros(n_groups)
        for i in range(codes.shape[0]):
            if mask[i]:
                out[codes[i]] += np.float64(weights[i])
        return out

    @_jit
    def _group_sum2_numba(outer, inner, n_inner, weights, mask, n_groups):  # pragma: no cover - compiled
        out = np.zeros(n_groups)
        for i in range(outer.shape[0]):
            if mask[i]:
                out[np.int64(outer[i]) * n_inner + np.int64(inner[i])] += np.float64(weights[i])
        return out

    @_jit
    def _employment_numba(status, employed_code, employer, sector, tier, n_tiers, weights, is_platform, n_firms,
                          n_sectors):  # pragma: no cover - compiled
        by_firm = np.zeros(n_firms)
        filled = np.zeros(n_sectors * n_tiers)
        for i in range(status.shape[0]):
            if status[i] == employed_code:
                w = np.float64(weights[i])
                f = employer[i]
                by_firm[f] += w
                if not is_platform[f]:
                    filled[np.int64(sector[i]) * n_tiers + np.int64(tier[i])] += w
        return by_firm, filled

    @_jit
    def _employees_of_numba(status, employed_code, employer, firm_mask):  # pragma: no cover - compiled
        rows = np.empty(status.shape[0], np.int64)
        n = 0
        for i in range(status.shape[0]):
            if status[i] == employed_code and firm_mask[employer[i]]:
                rows[n] = i
                n += 1
        return rows[:n].copy()


# ---------------------------------------------------------------- public kernels
def group_sum(*, codes: np.ndarray, weights: np.ndarray, mask: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum of ``weights`` over rows where ``mask`` holds, by ``codes`` (0 <= code < n_groups)."""
    if USING_NUMBA:
        return _group_sum_numba(codes, weights, mask, n_groups)
    return _group_sum_numpy(codes, weights, mask, n_groups)


def group_table(*, outer: np.ndarray, inner: np.ndarray, shape: tuple[int, int], weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Sum of ``weights`` over rows where ``mask`` holds, by the pair (outer, inner), as a table of ``shape``."""
    n_outer, n_inner = shape
    if USING_NUMBA:
        flat = _group_sum2_numba(outer, inner, n_inner, weights, mask, n_outer * n_inner)
    else:
        flat = _group_sum2_numpy(outer, inner, n_inner, weights, mask, n_outer * n_inner)
    return flat.reshape(n_outer, n_inner)


def employment(*, status: np.ndarray, employed_code: int, employer: np.ndarray, sector: np.ndarray, tier: np.ndarray,
               weights: np.ndarray, is_platform: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Employed persons by firm row, and by (sector, tier) in firms other than research platforms."""
    n_sectors, n_tiers = shape
    n_firms = len(is_platform)
    kernel = _employment_numba if USING_NUMBA else _employment_numpy
    by_firm, filled = kernel(status, employed_code, employer, sector, tier, n_tiers, weights, is_platform, n_firms, n_sectors)
    return by_firm, filled.reshape(n_sectors, n_tiers)


def employees_of(*, status: np.ndarray, employed_code: int, employer: np.ndarray, firm_mask: np.ndarray) -> np.ndarray:
    """Rows of employed agents whose employer's row is set in ``firm_mask``, in row order."""
    kernel = _employees_of_numba if USING_NUMBA else _employees_of_numpy
    return kernel(status, employed_code, employer, firm_mask)


def bernoulli_rows(rng: np.random.Generator, *, n: int, p: float) -> np.ndarray:
    """Sorted row numbers in [0, n), each drawn independently with probability ``p``.

    Draws the gaps between successes (geometric), so a rare event over two million rows costs
    a few thousand draws instead of two million.
    """
    if n <= 0 or p <= 0:
        return np.empty(0, np.int64)
    if p >= 1:
        return np.arange(n, dtype=np.int64)
    expected = n * p
    batch = int(expected + 6 * np.sqrt(expected) + 16)
    rows = np.cumsum(rng.geometric(p, size=batch)) - 1
    while rows[-1] < n:
        rows = np.concatenate([rows, rows[-1] + np.cumsum(rng.geometric(p, size=batch))])
    return rows[: np.searchsorted(rows, n)]
