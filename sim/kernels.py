"""Bulk rules over whole talent and firm tables: weighted counts by group and keyed random numbers.

A count such as "persons by cluster and tier among residents" is one pass over up to two
million rows every month. numpy needs a gather per column for it; with numba installed it is a
single compiled loop. Both paths add the weights in row order into float64 bins, so they give
identical numbers; ``TALENTSIM_NUMBA=0`` selects the numpy path. With numba, the passes over a large
table run in row ranges side by side (sim.row_ranges), which give the same numbers as one pass.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from sim import row_ranges


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


def compiled(function):
    """``function`` compiled by numba (cached on disk, releasing the GIL), or None without numba: a module
    keeps its numpy twin of every compiled kernel and chooses by :data:`USING_NUMBA`."""
    return _numba.njit(cache=True, nogil=True)(function) if USING_NUMBA else None


# ---------------------------------------------------------------- numpy path
def _group_sum_numpy(codes: np.ndarray, weights: np.ndarray, mask: np.ndarray, n_groups: int) -> np.ndarray:
    return np.bincount(codes[mask], weights=weights[mask], minlength=n_groups)[:n_groups]


def _group_sum2_numpy(outer: np.ndarray, inner: np.ndarray, n_inner: int, weights: np.ndarray, mask: np.ndarray,
                      n_groups: int) -> np.ndarray:
    codes = outer[mask].astype(np.int64) * n_inner + inner[mask]
    return np.bincount(codes, weights=weights[mask], minlength=n_groups)[:n_groups]


def _group_sums_numpy(codes: np.ndarray, columns: tuple[np.ndarray, ...], mask: np.ndarray, n_groups: int) -> np.ndarray:
    rows = np.flatnonzero(mask)
    grouped = codes[rows]
    return np.stack([np.bincount(grouped, weights=column[rows], minlength=n_groups)[:n_groups] for column in columns])


def _group_order_numpy(codes: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    # a stable sort of 16-bit keys is a radix sort in numpy, several times faster than of 64-bit ones
    narrow = codes.astype(np.int16) if n_groups <= np.iinfo(np.int16).max else codes
    order = np.argsort(narrow, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(n_groups + 1), side="left")
    return order, bounds


def _adjust_jobs_numpy(jobs: np.ndarray, base_jobs: np.ndarray, productivity_factor: np.ndarray, demand_level: float,
                       funding_factor: np.ndarray, adjustment: float, fill_rate: np.ndarray, sector: np.ndarray,
                       active: np.ndarray, talent_intensity: np.ndarray, n_sectors: int) -> tuple[np.ndarray, np.ndarray]:
    desired = base_jobs * productivity_factor * demand_level * funding_factor
    gap = desired - jobs
    step = adjustment * gap * np.where(gap > 0, fill_rate[sector], 1.0)
    jobs[:] = np.where(active, jobs + step, jobs)
    positions = jobs * talent_intensity * active
    return positions, np.bincount(sector, weights=positions, minlength=n_sectors)[:n_sectors]


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


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def _keyed_uniforms_numpy(ids: np.ndarray, key: np.uint64) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = ids.astype(np.uint64) ^ key
        z += _GOLDEN
        z = (z ^ (z >> _S30)) * _MIX1
        z = (z ^ (z >> _S27)) * _MIX2
        z ^= z >> _S31
    return (z >> _S11).astype(np.float64) * _UNIT


def _keyed_rows_numpy(ids: np.ndarray, mask: np.ndarray, key: np.uint64, below: float) -> np.ndarray:
    rows = np.flatnonzero(mask)
    return rows[_keyed_uniforms_numpy(ids[rows], key) < below]


# ---------------------------------------------------------------- numba path
def _age_a_month_numpy(age, birth_month, months_in_city, status, month, newcomer_code):
    age[:] = (month - birth_month) / np.float32(12)
    months_in_city += (status != newcomer_code).astype(months_in_city.dtype)


def _count_kept_numpy(status, search_left, employed, searching, candidate):
    return int(((status == employed) | (status == searching) | ((status == candidate) & (search_left > 0))).sum())


def _keep_where_numpy(column, keep):
    kept = column[: len(keep)][keep]
    column[: len(kept)] = kept


def _retiring_and_considering_numpy(ids, retire_month, status, month, searching, employed, key, below):
    retiring = (retire_month <= month) & (status <= searching)
    return np.flatnonzero(retiring), _keyed_rows_numpy(ids, (status == employed) & ~retiring, key, below)


def _recent_arrivals_numpy(channel, months_in_city, status, channel_code, months_below, searching):
    return (channel == channel_code) & (months_in_city < months_below) & (status <= searching)


def _seeker_rows_numpy(status, job_seeking, candidate, searching):
    return np.flatnonzero((status == candidate) | (status == searching) | (job_seeking == 1))


def _age_and_first_child_numpy(age, birth_month, months_in_city, status, month, newcomer_code, ids, children, key, below, searching,
                               age_from, age_to):
    _age_a_month_numpy(age, birth_month, months_in_city, status, month, newcomer_code)
    mask = (status <= searching) & (children == 0) & (age >= age_from) & (age <= age_to)
    return _keyed_rows_numpy(ids, mask, key, below)


if USING_NUMBA:
    _jit = compiled

    @_jit
    def _weight_range_numba(w, smallest, largest):  # pragma: no cover - compiled
        # the smallest positive and the largest size of the weights summed so far (sim.row_ranges.sums_exact)
        size = abs(w)
        if size > largest:
            largest = size
        if 0.0 < size < smallest:
            smallest = size
        return smallest, largest

    @_jit
    def _rows_where_numba(mask):  # pragma: no cover - compiled
        # np.flatnonzero as numba compiles it passes over the mask twice and branches on every element; writing
        # each row and moving on only past the true ones is one pass without a branch (a third less time on the
        # whole city's table, a sixth of it when true and false are mixed)
        rows = np.empty(mask.shape[0], np.int64)
        n = 0
        for i in range(mask.shape[0]):
            rows[n] = i
            n += mask[i]
        return rows[:n].copy()

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
    def _group_sums_numba(codes, columns, mask, n_groups):  # pragma: no cover - compiled
        # all columns of a row together: firms come in long runs of one cluster, and one column at a
        # time would make every add wait for the previous one to the same total
        m = len(columns)
        out = np.zeros((n_groups, m))
        for i in range(codes.shape[0]):
            if mask[i]:
                g = codes[i]
                for c in range(m):
                    out[g, c] += columns[c][i]
        return out.T.copy()

    @_jit
    def _group_order_numba(codes, n_groups):  # pragma: no cover - compiled
        bounds = np.zeros(n_groups + 1, np.int64)
        for i in range(codes.shape[0]):
            bounds[codes[i] + 1] += 1
        for g in range(n_groups):
            bounds[g + 1] += bounds[g]
        fill = bounds[:n_groups].copy()
        order = np.empty(codes.shape[0], np.int64)
        for i in range(codes.shape[0]):
            g = codes[i]
            order[fill[g]] = i
            fill[g] += 1
        return order, bounds

    @_jit
    def _adjust_jobs_numba(jobs, base_jobs, productivity_factor, demand_level, funding_factor, adjustment, fill_rate, sector,
                           active, talent_intensity, n_sectors):  # pragma: no cover - compiled
        positions = np.zeros(jobs.shape[0])
        demand = np.zeros(n_sectors)
        # a cluster's run of firms is summed in a register (as in firm_kernels' cluster sums): the adds are in row order
        current, run_sum = -1, 0.0
        for i in range(jobs.shape[0]):
            if active[i]:
                gap = base_jobs[i] * productivity_factor[i] * demand_level * funding_factor[i] - jobs[i]
                step = adjustment * gap
                if gap > 0:
                    step = step * fill_rate[sector[i]]
                jobs[i] = jobs[i] + step
                positions[i] = jobs[i] * talent_intensity[i]
            s = sector[i]
            if s != current:
                if current >= 0:
                    demand[current] = run_sum
                current, run_sum = s, demand[s]
            run_sum += positions[i]
        if current >= 0:
            demand[current] = run_sum
        return positions, demand

    @_jit
    def _keyed_uniform_numba(agent_id, key):  # pragma: no cover - compiled
        z = np.uint64(agent_id) ^ key
        z += _GOLDEN
        z = (z ^ (z >> _S30)) * _MIX1
        z = (z ^ (z >> _S27)) * _MIX2
        z ^= z >> _S31
        return np.float64(z >> _S11) * _UNIT

    @_jit
    def _keyed_uniforms_numba(ids, key):  # pragma: no cover - compiled
        out = np.empty(ids.shape[0])
        for i in range(ids.shape[0]):
            out[i] = _keyed_uniform_numba(ids[i], key)
        return out

    @_jit
    def _age_and_first_child_numba(age, birth_month, months_in_city, status, month, newcomer_code, ids, children, key, below,
                                   searching, age_from, age_to):  # pragma: no cover - compiled
        hit = np.empty(ids.shape[0], np.bool_)
        for i in range(ids.shape[0]):
            a = np.float32(np.float64(month - birth_month[i]) / 12.0)
            age[i] = a
            months_in_city[i] += status[i] != newcomer_code
            hit[i] = ((status[i] <= searching) & (children[i] == 0) & (a >= age_from) & (a <= age_to)
                      & (_keyed_uniform_numba(ids[i], key) < below))
        return _rows_where_numba(hit)

    @_jit
    def _count_kept_numba(status, search_left, employed, searching, candidate):  # pragma: no cover - compiled
        n = 0
        for i in range(status.shape[0]):
            s = status[i]
            n += (s == employed) | (s == searching) | ((s == candidate) & (search_left[i] > 0))
        return n

    @_jit
    def _keyed_rows_numba(ids, mask, key, below):  # pragma: no cover - compiled
        # without a branch in the loop the compiler vectorises the hashing: 40% faster than appending rows
        hit = np.empty(ids.shape[0], np.bool_)
        for i in range(ids.shape[0]):
            hit[i] = mask[i] & (_keyed_uniform_numba(ids[i], key) < below)
        return _rows_where_numba(hit)

    @_jit
    def _employees_of_numba(status, employed_code, employer, firm_mask):  # pragma: no cover - compiled
        rows = np.empty(status.shape[0], np.int64)
        n = 0
        for i in range(status.shape[0]):
            if status[i] == employed_code and firm_mask[employer[i]]:
                rows[n] = i
                n += 1
        return rows[:n].copy()

    @_jit
    def _keep_where_numba(column, keep):  # pragma: no cover - compiled
        # every row is copied to the next free place and the place moves on only past a kept row: one pass over
        # a one-byte mask rather than an eight-byte row index for each column (a fifth less time a compaction);
        # the place never passes the row, so a row is read before anything is written over it
        j = 0
        for i in range(keep.shape[0]):
            column[j] = column[i]
            j += keep[i]


    @_jit
    def _retiring_and_considering_numba(ids, retire_month, status, month, searching, employed, key, below):  # pragma: no cover - compiled
        retiring = np.empty(ids.shape[0], np.bool_)
        considering = np.empty(ids.shape[0], np.bool_)
        for i in range(ids.shape[0]):
            r = (retire_month[i] <= month) & (status[i] <= searching)
            retiring[i] = r
            considering[i] = (status[i] == employed) & (not r) & (_keyed_uniform_numba(ids[i], key) < below)
        return _rows_where_numba(retiring), _rows_where_numba(considering)

    @_jit
    def _recent_arrivals_numba(channel, months_in_city, status, channel_code, months_below, searching):  # pragma: no cover - compiled
        mask = np.empty(channel.shape[0], np.bool_)
        for i in range(channel.shape[0]):
            mask[i] = (channel[i] == channel_code) & (months_in_city[i] < months_below) & (status[i] <= searching)
        return mask

    @_jit
    def _recent_arrivals_weight_numba(channel, months_in_city, status, weight, channel_code, months_below,
                                      searching):  # pragma: no cover - compiled
        total, magnitude, smallest = 0.0, 0.0, np.inf
        for i in range(channel.shape[0]):
            if (channel[i] == channel_code) & (months_in_city[i] < months_below) & (status[i] <= searching):
                w = np.float64(weight[i])
                total += w
                magnitude += abs(w)
                if w != 0.0:
                    smallest = min(smallest, abs(w))
        return total, magnitude, smallest

    @_jit
    def _seeker_rows_numba(status, job_seeking, candidate, searching):  # pragma: no cover - compiled
        hit = np.empty(status.shape[0], np.bool_)
        for i in range(status.shape[0]):
            hit[i] = (status[i] == candidate) | (status[i] == searching) | (job_seeking[i] == 1)
        return _rows_where_numba(hit)

    @_jit
    def _resident_age_table_numba(sex, age, n_ages, weights, status, searching, n_sexes):  # pragma: no cover - compiled
        out = np.zeros(n_sexes * n_ages)
        smallest, largest = np.inf, 0.0
        for i in range(status.shape[0]):
            if status[i] <= searching:
                w = np.float64(weights[i])
                smallest, largest = _weight_range_numba(w, smallest, largest)
                out[np.int64(sex[i]) * n_ages + np.int64(min(age[i], n_ages - 1))] += w
        return out, smallest, largest

    @_jit
    def _resident_group_sum2_numba(outer, inner, n_inner, weights, status, searching, n_groups):  # pragma: no cover - compiled
        out = np.zeros(n_groups)
        smallest, largest = np.inf, 0.0
        for i in range(outer.shape[0]):
            if status[i] <= searching:
                w = np.float64(weights[i])
                smallest, largest = _weight_range_numba(w, smallest, largest)
                out[np.int64(outer[i]) * n_inner + np.int64(inner[i])] += w
        return out, smallest, largest

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


def group_sums(*, codes: np.ndarray, columns: Sequence[np.ndarray], mask: np.ndarray, n_groups: int) -> np.ndarray:
    """Sums of each of ``columns`` over rows where ``mask`` holds, by ``codes``: len(columns) x n_groups.

    Several per-group totals of the same rows, such as firms, jobs and output per cluster, in one call.
    """
    columns = tuple(np.ascontiguousarray(column, dtype=np.float64) for column in columns)
    if USING_NUMBA:
        return _group_sums_numba(codes, columns, mask, n_groups)
    return _group_sums_numpy(codes, columns, mask, n_groups)


def group_order(*, codes: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows sorted by code, stably, and where each group starts: group g is ``order[bounds[g]:bounds[g + 1]]``."""
    if USING_NUMBA:
        return _group_order_numba(codes, n_groups)
    return _group_order_numpy(codes, n_groups)


def adjust_jobs(*, jobs: np.ndarray, base_jobs: np.ndarray, productivity_factor: np.ndarray, demand_level: float,
                funding_factor: np.ndarray, adjustment: float, fill_rate: np.ndarray, sector: np.ndarray, active: np.ndarray,
                talent_intensity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Firms' monthly move towards their desired jobs, in place; returns talent positions by firm and by sector.

    Desired jobs are ``base_jobs x productivity_factor x demand_level x funding_factor``; an active
    firm closes ``adjustment`` of the gap, and a growing one only as fast as its cluster fills
    vacancies (``fill_rate``). Inactive rows (exited firms, platforms) keep their jobs and hold no positions.
    """
    kernel = _adjust_jobs_numba if USING_NUMBA else _adjust_jobs_numpy
    return kernel(jobs, base_jobs, productivity_factor, float(demand_level), funding_factor, float(adjustment), fill_rate, sector,
                  active, talent_intensity, len(fill_rate))


def employment(*, status: np.ndarray, employed_code: int, employer: np.ndarray, sector: np.ndarray, tier: np.ndarray,
               weights: np.ndarray, is_platform: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Employed persons by firm row, and by (sector, tier) in firms other than research platforms: the plain count that the
    month-end census (``sim.observation_kernels.talent_census``) makes in its pass."""
    n_sectors, n_tiers = shape
    n_firms = len(is_platform)
    by_firm, filled = _employment_numpy(status, employed_code, employer, sector, tier, n_tiers, weights, is_platform, n_firms, n_sectors)
    return by_firm, filled.reshape(n_sectors, n_tiers)


def employees_of(*, status: np.ndarray, employed_code: int, employer: np.ndarray, firm_mask: np.ndarray) -> np.ndarray:
    """Rows of employed agents whose employer's row is set in ``firm_mask``, in row order."""
    if not USING_NUMBA:
        return _employees_of_numpy(status, employed_code, employer, firm_mask)
    return row_ranges.found_rows(_employees_of_numba, (status, employed_code, employer, firm_mask), columns=(0, 2))


def keyed_uniforms(ids: np.ndarray, *, key: int) -> np.ndarray:
    """One uniform number in [0, 1) per id, a function of (id, key) only (splitmix64 of id xor key).

    An agent's draw for a decision in a month depends on nothing but its own id and the draw's key,
    so two scenarios run with the same seed give the same agent the same draw, whoever else is in
    the table and in whatever row.
    """
    key = np.uint64(key)
    if USING_NUMBA:
        return _keyed_uniforms_numba(np.ascontiguousarray(ids, dtype=np.int64), key)
    return _keyed_uniforms_numpy(ids, key)


def age_and_first_child(*, age: np.ndarray, birth_month: np.ndarray, months_in_city: np.ndarray, status: np.ndarray, month: int,
                        newcomer_code: int, ids: np.ndarray, children: np.ndarray, key: int, below: float, searching: int, age_from: float,
                        age_to: float) -> np.ndarray:
    """In place, every row: age in years of whole months since birth as of ``month``; a month more in the city except
    for newcomers (``status == newcomer_code``), who are not in the city yet. Returns, from the same pass, the rows of
    childless residents (``status <= searching``) aged ``age_from``-``age_to`` at their new age whose keyed draw falls
    below ``below`` (``keyed_rows`` over that mask)."""
    key = np.uint64(key)
    if USING_NUMBA:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        return row_ranges.found_rows(_age_and_first_child_numba, (
            age, birth_month, months_in_city, status, np.int64(month), np.int64(newcomer_code), ids, children, key, float(below),
            searching, float(age_from), float(age_to)), columns=(0, 1, 2, 3, 6, 7))
    return _age_and_first_child_numpy(age, birth_month, months_in_city, status, month, newcomer_code, ids, children, key, float(below),
                                      searching, age_from, age_to)


def count_kept(*, status: np.ndarray, search_left: np.ndarray, employed: int, searching: int, candidate: int) -> int:
    """Rows of agents still in the talent table's life: employed, searching, or newcomers with search time left."""
    if USING_NUMBA:
        return int(_count_kept_numba(status, search_left, np.int8(employed), np.int8(searching), np.int8(candidate)))
    return _count_kept_numpy(status, search_left, employed, searching, candidate)


def keyed_rows(ids: np.ndarray, *, mask: np.ndarray, key: int, below: float) -> np.ndarray:
    """Rows where ``mask`` holds and the row's keyed uniform is below ``below``, in row order.

    The same as ``keyed_uniforms(ids[rows], key=key) < below`` over the masked rows, in one pass.
    """
    key = np.uint64(key)
    if USING_NUMBA:
        return _keyed_rows_numba(np.ascontiguousarray(ids, dtype=np.int64), mask, key, float(below))
    return _keyed_rows_numpy(ids, mask, key, float(below))


def keyed_normals(ids: np.ndarray, *, keys: tuple[int, int]) -> np.ndarray:
    """Standard normal numbers per id from two keyed uniforms (Box-Muller)."""
    u1 = keyed_uniforms(ids, key=keys[0])
    u2 = keyed_uniforms(ids, key=keys[1])
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


def mean_one_lognormal(rng: np.random.Generator, *, sd: float, size: int) -> np.ndarray:
    """Lognormal factors of mean one: exp(N(-sd^2/2, sd^2)), which scale a mean size without biasing it."""
    return rng.lognormal(-(sd ** 2) / 2, sd, size=size)


def keep_where(column: np.ndarray, *, keep: np.ndarray) -> None:
    """In place: the first ``keep.sum()`` entries of ``column`` become ``column[keep]`` (``keep``: a mask over the
    column's first ``len(keep)`` rows); entries after them are left undefined."""
    if USING_NUMBA:
        _keep_where_numba(column, keep)
    else:
        _keep_where_numpy(column, keep)


def retiring_and_considering(ids: np.ndarray, *, retire_month: np.ndarray, status: np.ndarray, month: int, searching: int,
                             employed: int, key: int, below: float) -> tuple[np.ndarray, np.ndarray]:
    """In one pass: the rows of residents (``status <= searching``) whose retirement month has come by ``month``, and the
    rows of the other employed residents whose keyed draw falls below ``below`` (``keyed_rows`` over that mask): those
    who weigh a move once the retirees have left."""
    key = np.uint64(key)
    if USING_NUMBA:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        return row_ranges.in_ranges(_retiring_and_considering_numba, (
            ids, retire_month, status, int(month), searching, employed, key, float(below)), columns=(0, 1, 2), rows=(0, 1))
    return _retiring_and_considering_numpy(ids, retire_month, status, int(month), searching, employed, key, float(below))


def recent_arrivals(*, channel: np.ndarray, months_in_city: np.ndarray, status: np.ndarray, channel_code: int, months_below: float,
                    searching: int) -> np.ndarray:
    """The mask of residents (``status <= searching``) who came by ``channel_code`` less than ``months_below`` months
    ago, in one pass."""
    kernel = _recent_arrivals_numba if USING_NUMBA else _recent_arrivals_numpy
    return kernel(channel, months_in_city, status, int(channel_code), float(months_below), int(searching))


def recent_arrivals_weight(*, channel: np.ndarray, months_in_city: np.ndarray, status: np.ndarray, weight: np.ndarray,
                           channel_code: int, months_below: float, searching: int) -> float:
    """The persons among the residents (``status <= searching``) who came by ``channel_code`` less than ``months_below``
    months ago: numpy's ``np.sum(weight, where=recent_arrivals(...), dtype=np.float64)``.

    The compiled path adds the float32 weights in row order in the pass that picks the rows, with no mask, and keeps
    its sum where every order of addition gives the same number: each weight is a multiple of the float32 spacing
    of the smallest, so every partial sum is too, and none needs more than float64's 53 bits of that spacing while
    the sum of their sizes stays below 2**53 spacings (with weights of at least one person: below 2**30 persons).
    Otherwise it takes numpy's sum over the mask, so the two paths always agree.
    """
    mask_args = (channel, months_in_city, status, int(channel_code), float(months_below), int(searching))
    if USING_NUMBA and weight.dtype == np.float32:
        total, magnitude, smallest = row_ranges.in_ranges(_recent_arrivals_weight_numba, (
            channel, months_in_city, status, weight, *mask_args[3:]), columns=(0, 1, 2, 3), lowest=(2,))
        # kept where one pass's sum would be exact: then any order, and any ranges, give the same number; no rows, or
        # only weights of zero, sum to zero in any order
        if magnitude == 0.0 or magnitude < 2.0 ** 53 * float(np.spacing(np.float32(smallest))):
            return float(total)
    mask = (_recent_arrivals_numba if USING_NUMBA else _recent_arrivals_numpy)(*mask_args)
    return float(np.sum(weight, where=mask, dtype=np.float64))


def seeker_rows(*, status: np.ndarray, job_seeking: np.ndarray, candidate: int, searching: int) -> np.ndarray:
    """Rows looking for a job this month: candidates, the searching, and job seekers on the job."""
    if not USING_NUMBA:
        return _seeker_rows_numpy(status, job_seeking, candidate, searching)
    return row_ranges.found_rows(_seeker_rows_numba, (status, job_seeking, candidate, searching), columns=(0, 1))


def resident_age_table(*, sex: np.ndarray, age: np.ndarray, weights: np.ndarray, status: np.ndarray, searching: int, n_sexes: int,
                       n_ages: int) -> np.ndarray:
    """Residents' weights (``status <= searching``) by sex x whole years of ``age``, the last year holding every age
    above it (n_sexes x n_ages), without building a column of cells."""
    if USING_NUMBA:
        flat = row_ranges.added(_resident_age_table_numba, (
            sex, age, n_ages, weights, status, searching, n_sexes), columns=(0, 1, 3, 4), weights=3)
    else:
        cell = sex.astype(np.int64) * n_ages + np.minimum(age, n_ages - 1).astype(np.int64)
        flat = _group_sum_numpy(cell, weights, status <= searching, n_sexes * n_ages)
    return flat.reshape(n_sexes, n_ages)


def resident_group_table(*, outer: np.ndarray, inner: np.ndarray, shape: tuple[int, int], weights: np.ndarray, status: np.ndarray,
                         searching: int) -> np.ndarray:
    """``group_table`` over residents (``status <= searching``), without building their mask."""
    n_outer, n_inner = shape
    if USING_NUMBA:
        flat = row_ranges.added(_resident_group_sum2_numba, (
            outer, inner, n_inner, weights, status, searching, n_outer * n_inner), columns=(0, 1, 3, 4), weights=3)
    else:
        flat = _group_sum2_numpy(outer, inner, n_inner, weights, status <= searching, n_outer * n_inner)
    return flat.reshape(n_outer, n_inner)


