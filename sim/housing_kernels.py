"""The month's passes of housing over the talent table (§7.5): tenants whose eligibility ended, the apartment
queue and its places, the renters who may buy a home, and the employed queued by cluster.

Compiled with numba when available, each with a numpy twin that gives the same numbers; the passes over the
whole table run in row ranges side by side (sim.row_ranges).
"""

from __future__ import annotations

import numpy as np

from sim import row_ranges
from sim.kernels import USING_NUMBA, _group_sum_numpy, _keyed_rows_numpy, compiled

if USING_NUMBA:
    from sim.kernels import _keyed_uniform_numba, _rows_where_numba, _weight_range_numba


# ---------------------------------------------------------------- numpy path
def _housing_rows_numpy(housing, tier, months_in_city, status, queue_since, sector, weight, sector_district, eligible_months,
                        n_districts, apartment, market, skilled, employed, searching):
    tenants = np.flatnonzero(housing == apartment)
    expired = tenants[(tier[tenants] == skilled) & (months_in_city[tenants] > eligible_months)]
    housing[expired] = market
    tenants = tenants[(housing[tenants] == apartment) & (status[tenants] <= searching)]
    queued = np.flatnonzero(queue_since >= 0)
    stays = ((status[queued] == employed) & (housing[queued] == market)
             & ((tier[queued] < skilled) | (months_in_city[queued] <= eligible_months)))
    queue_since[queued[~stays]] = -1
    occupied = np.bincount(sector_district[sector[tenants]], weights=weight[tenants], minlength=n_districts)
    return occupied, queued[stays]

def _queue_places_numpy(queued, sector, tier, queue_since, weight, sector_district, n_months, n_districts, skilled):
    district = sector_district[sector[queued]].astype(np.int64)
    n_places = 2 * (n_months + 1)
    place = (tier[queued] == skilled).astype(np.int64) * (n_months + 1) + n_months - queue_since[queued].astype(np.int64)
    w = weight[queued].astype(float)
    queue = np.bincount(district * n_places + place, weights=w, minlength=n_districts * n_places)
    return district, place, w, queue

def _purchase_rows_numpy(ids, status, searching, housing, owner, months_in_city, min_months, key, below):
    mask = (status <= searching) & (housing != owner) & (months_in_city >= min_months)
    return _keyed_rows_numpy(ids, mask, key, below)

def _queued_sum_numpy(codes, weights, queue_since, status, employed, n_groups):
    return _group_sum_numpy(codes, weights, (queue_since >= 0) & (status == employed), n_groups)


# ---------------------------------------------------------------- compiled path
def _housing_rows_loop(housing, tier, months_in_city, status, queue_since, sector, weight, sector_district, eligible_months,
                       n_districts, apartment, market, skilled, employed, searching):  # pragma: no cover - compiled
    occupied = np.zeros(n_districts)
    queued = np.empty(housing.shape[0], np.int64)
    n = 0
    smallest, largest = np.inf, 0.0
    for i in range(housing.shape[0]):
        h = housing[i]
        if h == apartment:
            if tier[i] == skilled and months_in_city[i] > eligible_months:
                housing[i] = market
                h = market
            elif status[i] <= searching:
                w = np.float64(weight[i])
                smallest, largest = _weight_range_numba(w, smallest, largest)
                occupied[sector_district[sector[i]]] += w
        if queue_since[i] >= 0:
            if status[i] == employed and h == market and (tier[i] < skilled or months_in_city[i] <= eligible_months):
                queued[n] = i
                n += 1
            else:
                queue_since[i] = -1
    return occupied, queued[:n].copy(), smallest, largest


def _queue_places_loop(queued, sector, tier, queue_since, weight, sector_district, n_months, n_districts,
                       skilled):  # pragma: no cover - compiled
    n_places = 2 * (n_months + 1)
    district = np.empty(queued.shape[0], np.int64)
    place = np.empty(queued.shape[0], np.int64)
    w = np.empty(queued.shape[0])
    queue = np.zeros(n_districts * n_places)
    for i in range(queued.shape[0]):
        r = queued[i]
        district[i] = sector_district[sector[r]]
        place[i] = (n_months + 1 if tier[r] == skilled else 0) + n_months - np.int64(queue_since[r])
        w[i] = np.float64(weight[r])
        queue[district[i] * n_places + place[i]] += w[i]
    return district, place, w, queue


def _purchase_rows_loop(ids, status, searching, housing, owner, months_in_city, min_months, key,
                        below):  # pragma: no cover - compiled
    hit = np.empty(ids.shape[0], np.bool_)
    for i in range(ids.shape[0]):
        hit[i] = ((status[i] <= searching) & (housing[i] != owner) & (months_in_city[i] >= min_months)
                  & (_keyed_uniform_numba(ids[i], key) < below))
    return _rows_where_numba(hit)


def _queued_sum_loop(codes, weights, queue_since, status, employed, n_groups):  # pragma: no cover - compiled
    out = np.zeros(n_groups)
    smallest, largest = np.inf, 0.0
    for i in range(codes.shape[0]):
        if queue_since[i] >= 0 and status[i] == employed:
            w = np.float64(weights[i])
            smallest, largest = _weight_range_numba(w, smallest, largest)
            out[codes[i]] += w
    return out, smallest, largest


_housing_rows_numba = compiled(_housing_rows_loop)
_queue_places_numba = compiled(_queue_places_loop)
_purchase_rows_numba = compiled(_purchase_rows_loop)
_queued_sum_numba = compiled(_queued_sum_loop)


# ---------------------------------------------------------------- public kernels
def housing_rows(*, housing: np.ndarray, tier: np.ndarray, months_in_city: np.ndarray, status: np.ndarray, queue_since: np.ndarray,
                 sector: np.ndarray, weight: np.ndarray, sector_district: np.ndarray, eligible_months: float, n_districts: int,
                 codes: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The month's housing bookkeeping over the talent table, in one pass and in place: skilled tenants whose
    eligibility ended (more than ``eligible_months`` in the city) move to market housing; queued rows that no
    longer qualify (not employed, not in market housing, or skilled past eligibility) leave the queue.

    Returns the apartments occupied by residents, by district, and the rows still queued, in row order.
    ``codes`` names the housing, tier and status codes: apartment, market, skilled, employed, searching.
    """
    fixed = (float(eligible_months), int(n_districts), codes["apartment"], codes["market"], codes["skilled"], codes["employed"],
             codes["searching"])
    if not USING_NUMBA:
        return _housing_rows_numpy(housing, tier, months_in_city, status, queue_since, sector, weight, sector_district, *fixed)
    # the pass changes only rows it has already settled, so a second one (sim.row_ranges) changes nothing more
    return row_ranges.in_ranges(_housing_rows_numba, (
        housing, tier, months_in_city, status, queue_since, sector, weight, sector_district, *fixed), columns=range(7), rows=(1,),
        weights=6)


def queue_places(*, queued: np.ndarray, sector: np.ndarray, tier: np.ndarray, queue_since: np.ndarray, weight: np.ndarray,
                 sector_district: np.ndarray, n_months: int, n_districts: int, skilled: int) -> tuple[np.ndarray, ...]:
    """Each queued row's district and place in its district's queue (high-end tiers first, then the newest
    arrivals: ``place = skilled x (n_months + 1) + n_months - month queued``), its weight, and the persons
    queued at each district x place (flattened, ``n_districts x 2 (n_months + 1)``)."""
    kernel = _queue_places_numba if USING_NUMBA else _queue_places_numpy
    return kernel(queued, sector, tier, queue_since, weight, sector_district, int(n_months), int(n_districts), int(skilled))


def purchase_rows(ids: np.ndarray, *, status: np.ndarray, searching: int, housing: np.ndarray, owner: int, months_in_city: np.ndarray,
                  min_months: float, key: int, below: float) -> np.ndarray:
    """``keyed_rows`` over residents who do not own their home and have lived ``min_months`` in the city, in one pass."""
    key = np.uint64(key)
    if USING_NUMBA:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        return row_ranges.found_rows(_purchase_rows_numba, (
            ids, status, searching, housing, owner, months_in_city, float(min_months), key, float(below)), columns=(0, 1, 3, 5))
    return _purchase_rows_numpy(ids, status, searching, housing, owner, months_in_city, min_months, key, float(below))


def queued_sum(*, codes: np.ndarray, weights: np.ndarray, queue_since: np.ndarray, status: np.ndarray, employed: int,
               n_groups: int) -> np.ndarray:
    """Sum of ``weights`` by ``codes`` over employed rows in the apartment queue (``queue_since >= 0``)."""
    if USING_NUMBA:
        return row_ranges.added(_queued_sum_numba, (codes, weights, queue_since, status, employed, n_groups), columns=(0, 1, 2, 3),
                                weights=1)
    return _queued_sum_numpy(codes, weights, queue_since, status, employed, n_groups)
