"""The month-end count of the talent table (§7.9), in one pass: residents by cluster and tier, talent in
households with children (the school places' users, §7.0), employed talent in the apartment queue, and
employed talent by firm and by cluster and tier outside the research platforms (what next month's firm
planning starts from, §7.2).

Each count adds its rows' weights in row order, as the separate group sums it replaces do, so the
numbers are the same to the last bit. Compiled with numba when available, with a numpy twin; over a large
table the compiled pass runs in row ranges side by side, whose sums are kept only where they are exact
(sim.row_ranges), so the numbers are still those of one pass in row order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import row_ranges
from sim.kernels import USING_NUMBA, compiled, employment

if USING_NUMBA:
    from sim.kernels import _weight_range_numba


def _talent_census_numpy(sector, tier, n_tiers, weight, status, searching, children, queue_since, employed, n_sectors, employer,
                         is_platform):
    resident = status <= searching
    cells = sector[resident].astype(np.int64) * n_tiers + tier[resident]
    stock = np.bincount(cells, weights=weight[resident], minlength=n_sectors * n_tiers)[: n_sectors * n_tiers]
    families = np.bincount(children[resident].astype(np.int64), weights=weight[resident], minlength=2)[1]
    queued_rows = (queue_since >= 0) & (status == employed)
    queued = np.bincount(sector[queued_rows].astype(np.int64), weights=weight[queued_rows], minlength=n_sectors)[:n_sectors]
    by_firm, filled = employment(status=status, employed_code=employed, employer=employer, sector=sector, tier=tier, weights=weight,
                                 is_platform=is_platform, shape=(n_sectors, n_tiers))
    return stock, float(families), queued, by_firm, filled.reshape(-1)


def _talent_census_loop(sector, tier, n_tiers, weight, status, searching, children, queue_since, employed, n_sectors, employer,
                        is_platform):  # pragma: no cover - compiled
    stock = np.zeros(n_sectors * n_tiers)
    families = 0.0
    queued = np.zeros(n_sectors)
    by_firm = np.zeros(is_platform.shape[0])
    filled = np.zeros(n_sectors * n_tiers)
    smallest, largest = np.inf, 0.0  # of the weights summed: whether ranges' sums may be added (sim.row_ranges)
    for i in range(status.shape[0]):
        w = np.float64(weight[i])
        if status[i] <= searching:
            smallest, largest = _weight_range_numba(w, smallest, largest)
            cell = np.int64(sector[i]) * n_tiers + np.int64(tier[i])
            stock[cell] += w
            if children[i] == 1:
                families += w
            if status[i] == employed:
                f = employer[i]
                by_firm[f] += w
                if not is_platform[f]:
                    filled[cell] += w
                if queue_since[i] >= 0:
                    queued[sector[i]] += w
    return stock, families, queued, by_firm, filled, smallest, largest


_talent_census_numba = compiled(_talent_census_loop)


def talent_census(*, sector: np.ndarray, tier: np.ndarray, weight: np.ndarray, status: np.ndarray, children: np.ndarray,
                  queue_since: np.ndarray, employer: np.ndarray, is_platform: np.ndarray, searching: int, employed: int, n_sectors: int,
                  n_tiers: int) -> Census:
    """Residents (``status <= searching``) by sector x tier, the residents in households with children (``children``
    is a 0/1 flag), the employed rows in the apartment queue (``queue_since >= 0``) by sector, and the employed rows
    by firm row (``employer``) and by sector x tier in firms other than platforms, all weighted.

    ``employed`` must be a resident status (at most ``searching``)."""
    if employed > searching:
        raise ValueError(f"talent census: the employed status ({employed}) must be a resident one (at most {searching})")
    if USING_NUMBA:
        stock, families, queued, by_firm, filled = row_ranges.in_ranges(_talent_census_numba, (
            sector, tier, n_tiers, weight, status, searching, children, queue_since, employed, n_sectors, employer, is_platform),
            columns=(0, 1, 3, 4, 6, 7, 10), weights=3)
    else:
        stock, families, queued, by_firm, filled = _talent_census_numpy(sector, tier, n_tiers, weight, status, searching, children,
                                                                        queue_since, employed, n_sectors, employer, is_platform)
    return Census(stock=stock.reshape(n_sectors, n_tiers), families=float(families), queued=queued, employed_by_firm=by_firm,
                  employed_by_cell=filled.reshape(n_sectors, n_tiers))


@dataclass(frozen=True)
class Census:
    """The month-end counts of the talent table (persons)."""

    stock: np.ndarray             # residents, sector x tier
    families: float               # residents in households with children
    queued: np.ndarray            # employed residents in the apartment queue, by sector
    employed_by_firm: np.ndarray  # employed talent by firm row
    employed_by_cell: np.ndarray  # employed talent in firms other than research platforms, sector x tier
