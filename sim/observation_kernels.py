"""The month-end count of the talent table (§7.9), in one pass: residents by cluster and tier, talent in
households with children (the school places' users, §7.0) and employed talent in the apartment queue.

Each count adds its rows' weights in row order, as the separate group sums it replaces do, so the
numbers are the same to the last bit. Compiled with numba when available, with a numpy twin.
"""

from __future__ import annotations

import numpy as np

from sim.kernels import USING_NUMBA, compiled


def _talent_census_numpy(sector, tier, n_tiers, weight, status, searching, children, queue_since, employed, n_sectors):
    resident = status <= searching
    cells = sector[resident].astype(np.int64) * n_tiers + tier[resident]
    stock = np.bincount(cells, weights=weight[resident], minlength=n_sectors * n_tiers)[: n_sectors * n_tiers]
    families = np.bincount(children[resident].astype(np.int64), weights=weight[resident], minlength=2)[1]
    queued_rows = (queue_since >= 0) & (status == employed)
    queued = np.bincount(sector[queued_rows].astype(np.int64), weights=weight[queued_rows], minlength=n_sectors)[:n_sectors]
    return stock, float(families), queued


def _talent_census_loop(sector, tier, n_tiers, weight, status, searching, children, queue_since, employed,
                        n_sectors):  # pragma: no cover - compiled
    stock = np.zeros(n_sectors * n_tiers)
    families = 0.0
    queued = np.zeros(n_sectors)
    for i in range(status.shape[0]):
        w = np.float64(weight[i])
        if status[i] <= searching:
            stock[np.int64(sector[i]) * n_tiers + np.int64(tier[i])] += w
            if children[i] == 1:
                families += w
        if queue_since[i] >= 0 and status[i] == employed:
            queued[sector[i]] += w
    return stock, families, queued


_talent_census_numba = compiled(_talent_census_loop)


def talent_census(*, sector: np.ndarray, tier: np.ndarray, weight: np.ndarray, status: np.ndarray, children: np.ndarray,
                  queue_since: np.ndarray, searching: int, employed: int, n_sectors: int, n_tiers: int) -> tuple[np.ndarray, float, np.ndarray]:
    """Residents (``status <= searching``) by sector x tier, the residents in households with children (``children``
    is a 0/1 flag) and the employed rows in the apartment queue (``queue_since >= 0``) by sector, all weighted."""
    kernel = _talent_census_numba if USING_NUMBA else _talent_census_numpy
    stock, families, queued = kernel(sector, tier, n_tiers, weight, status, searching, children, queue_since, employed, n_sectors)
    return stock.reshape(n_sectors, n_tiers), float(families), queued
