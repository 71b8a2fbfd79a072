"""The exact steps of the labour market's logit choices, each in one pass: the row maxima and the gaps to
them, the sums of the exponentials, the kinds of seeker present in the month; and which firm hires a
matched seeker.

A logit over a few alternatives, done column by column in numpy, costs a few dozen calls on a few
hundred rows. Here the exponentials and logarithms stay in numpy (numba's and numpy's last bits
differ), applied once to a whole table, and everything between them (maxima, differences, sums in the
order numpy adds them) is one compiled loop, with a numpy twin giving identical numbers;
``TALENTSIM_NUMBA=0`` selects the numpy path.
"""

from __future__ import annotations

import numpy as np

from sim.kernels import USING_NUMBA, compiled, group_order
from sim.market_kernels import _sector_utility_by_kind_numpy


# ---------------------------------------------------------------- numpy path
def _gaps_to_row_top_numpy(util):
    top = util[:, 0]
    for j in range(1, util.shape[1]):
        top = np.maximum(top, util[:, j])
    return util - top[:, None], top


def _row_totals_numpy(terms):
    total = terms[:, 0]
    for j in range(1, terms.shape[1]):
        total = total + terms[:, j]
    return total


def _gaps_to_inclusive_numpy(util, top, log_total):
    return util - (top + log_total)[:, None]


def _other_cluster_gaps_numpy(v_sector):
    n_sectors = v_sector.shape[0]
    other = np.where(np.eye(n_sectors, dtype=bool)[:, :, None], -np.inf, v_sector[None, :, :])  # from x to x tier
    top = np.max(other, axis=1, keepdims=True)
    return other - top, top[:, 0, :]


def _middle_totals_numpy(terms):
    return np.sum(terms, axis=1)


def _kinds_present_numpy(kind, n_kinds):
    present, position = np.unique(kind, return_inverse=True)
    return present, position.reshape(-1)


def _sector_utility_of_kinds_numpy(v_sector, field_affinity, present):
    util, top = _sector_utility_by_kind_numpy(v_sector, field_affinity)
    return util[present], top[present]


def _sector_utility_numpy(wage_log, rent_log, thick_log, weights, with_thick):
    wage_weight, rent_weight, service_term, thick_weight = weights
    v = wage_weight * wage_log - rent_weight * rent_log[:, None] + service_term
    if with_thick:
        v = v + thick_weight * thick_log[:, None]
    return v


def _come_exponent_numpy(seekers, tier, kind, channel, alternative, inclusive, prospect, graduate, bonus):
    graduate_bonus = np.where(channel[seekers] == graduate, bonus, 0.0)
    return alternative[tier] - inclusive[kind] - graduate_bonus - prospect[tier]


def _end_search_numpy(status, search_left, job_seeking, candidate, gone):
    job_seeking[:] = 0
    status[(status == candidate) & (search_left <= 0)] = gone


def _hiring_firms_numpy(sector, vacancy, alive, is_platform, n_sectors, target, u):
    order, bounds = group_order(codes=sector, n_groups=n_sectors)
    vac = vacancy[order] + 1e-9 * (alive[order] & ~is_platform[order])
    cum = np.cumsum(vac)
    start, end = bounds[:-1], bounds[1:]
    lo = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
    hi = cum[np.maximum(end - 1, 0)]
    draw = lo[target] + u * (hi[target] - lo[target])
    pos = np.clip(np.searchsorted(cum, draw, side="right"), start[target], end[target] - 1)
    return order[pos]


# ---------------------------------------------------------------- numba path
def _gaps_to_row_top_loop(util):  # pragma: no cover - compiled
    n, m = util.shape
    gaps = np.empty((n, m))
    top = np.empty(n)
    for i in range(n):
        t = util[i, 0]
        for j in range(1, m):
            t = max(t, util[i, j])
        top[i] = t
        for j in range(m):
            gaps[i, j] = util[i, j] - t
    return gaps, top


def _row_totals_loop(terms):  # pragma: no cover - compiled
    n, m = terms.shape
    total = np.empty(n)
    for i in range(n):
        s = terms[i, 0]
        for j in range(1, m):
            s = s + terms[i, j]
        total[i] = s
    return total


def _gaps_to_inclusive_loop(util, top, log_total):  # pragma: no cover - compiled
    n, m = util.shape
    gaps = np.empty((n, m))
    for i in range(n):
        inclusive = top[i] + log_total[i]
        for j in range(m):
            gaps[i, j] = util[i, j] - inclusive
    return gaps


def _other_cluster_gaps_loop(v_sector):  # pragma: no cover - compiled
    n_sectors, n_tiers = v_sector.shape
    top = np.empty((n_sectors, n_tiers))
    gaps = np.empty((n_sectors, n_sectors, n_tiers))
    for f in range(n_sectors):
        for k in range(n_tiers):
            t = -np.inf
            for to in range(n_sectors):
                if to != f:
                    t = max(t, v_sector[to, k])
            top[f, k] = t
            for to in range(n_sectors):
                gaps[f, to, k] = (-np.inf if to == f else v_sector[to, k]) - t
    return gaps, top


def _middle_totals_loop(terms):  # pragma: no cover - compiled
    n_outer, n_middle, n_inner = terms.shape
    total = np.empty((n_outer, n_inner))
    for a in range(n_outer):
        for c in range(n_inner):
            s = terms[a, 0, c]
            for b in range(1, n_middle):
                s = s + terms[a, b, c]
            total[a, c] = s
    return total


def _kinds_present_loop(kind, n_kinds):  # pragma: no cover - compiled
    slot = np.full(n_kinds, -1, np.int64)
    for i in range(kind.shape[0]):
        slot[kind[i]] = 0
    n_present = 0
    for q in range(n_kinds):
        if slot[q] == 0:
            slot[q] = n_present
            n_present += 1
    present = np.empty(n_present, np.int64)
    for q in range(n_kinds):
        if slot[q] >= 0:
            present[slot[q]] = q
    position = np.empty(kind.shape[0], np.int64)
    for i in range(kind.shape[0]):
        position[i] = slot[kind[i]]
    return present, position


def _sector_utility_of_kinds_loop(v_sector, field_affinity, present):  # pragma: no cover - compiled
    n_sectors = v_sector.shape[0]
    util = np.empty((present.shape[0], n_sectors))
    top = np.empty((present.shape[0], 1))
    for row in range(present.shape[0]):
        left = present[row] % (n_sectors + 1)
        f = (present[row] // (n_sectors + 1)) % n_sectors
        k = present[row] // ((n_sectors + 1) * n_sectors)
        for j in range(n_sectors):
            util[row, j] = -np.inf if j == left else v_sector[j, k] + field_affinity * (1.0 if j == f else 0.0)
            top[row, 0] = util[row, j] if j == 0 else max(top[row, 0], util[row, j])
    return util, top


def _sector_utility_loop(wage_log, rent_log, thick_log, weights, with_thick):  # pragma: no cover - compiled
    wage_weight, rent_weight, service_term, thick_weight = weights
    n_sectors, n_tiers = wage_log.shape
    v = np.empty((n_sectors, n_tiers))
    for s in range(n_sectors):
        for k in range(n_tiers):
            v[s, k] = wage_weight * wage_log[s, k] - rent_weight * rent_log[s] + service_term
            if with_thick:
                v[s, k] = v[s, k] + thick_weight * thick_log[s]
    return v


def _come_exponent_loop(seekers, tier, kind, channel, alternative, inclusive, prospect, graduate, bonus):  # pragma: no cover - compiled
    gap = np.empty(seekers.shape[0])
    for i in range(seekers.shape[0]):
        graduate_bonus = bonus if channel[seekers[i]] == graduate else 0.0
        gap[i] = alternative[tier[i]] - inclusive[kind[i]] - graduate_bonus - prospect[tier[i]]
    return gap


def _end_search_loop(status, search_left, job_seeking, candidate, gone):  # pragma: no cover - compiled
    for i in range(status.shape[0]):
        job_seeking[i] = 0
        if status[i] == candidate and search_left[i] <= 0:
            status[i] = gone


def _firms_by_sector_loop(sector, n_sectors):  # pragma: no cover - compiled
    # firms of a sector mostly sit in runs of rows: counting and placing a whole run at once keeps the
    # sector's counter out of memory between rows, which would otherwise make each row wait on the last
    n = sector.shape[0]
    bounds = np.zeros(n_sectors + 1, np.int64)
    i = 0
    while i < n:
        g, run_start = sector[i], i
        while i < n and sector[i] == g:
            i += 1
        bounds[g + 1] += i - run_start
    for g in range(n_sectors):
        bounds[g + 1] += bounds[g]
    fill = bounds[:n_sectors].copy()
    order = np.empty(n, np.int64)
    i = 0
    while i < n:
        g = sector[i]
        at = fill[g]
        while i < n and sector[i] == g:
            order[at] = i
            at += 1
            i += 1
        fill[g] = at
    return order, bounds


def _hiring_firms_loop(sector, vacancy, alive, is_platform, n_sectors, target, u):  # pragma: no cover - compiled
    order, bounds = _firms_by_sector_numba(sector, n_sectors)
    cum = np.empty(order.shape[0])
    total = 0.0
    for i in range(order.shape[0]):
        f = order[i]
        vac = vacancy[f] + 1e-9 * (1.0 if alive[f] and not is_platform[f] else 0.0)
        total = vac if i == 0 else total + vac
        cum[i] = total
    firms = np.empty(target.shape[0], np.int64)
    for i in range(target.shape[0]):
        start, end = bounds[target[i]], bounds[target[i] + 1]
        lo = cum[start - 1] if start > 0 else 0.0
        hi = cum[max(end - 1, 0)]
        pos = np.searchsorted(cum, lo + u[i] * (hi - lo), side="right")
        firms[i] = order[min(max(pos, start), end - 1)]
    return firms


_gaps_to_row_top_numba = compiled(_gaps_to_row_top_loop)
_row_totals_numba = compiled(_row_totals_loop)
_gaps_to_inclusive_numba = compiled(_gaps_to_inclusive_loop)
_other_cluster_gaps_numba = compiled(_other_cluster_gaps_loop)
_middle_totals_numba = compiled(_middle_totals_loop)
_kinds_present_numba = compiled(_kinds_present_loop)
_sector_utility_of_kinds_numba = compiled(_sector_utility_of_kinds_loop)
_sector_utility_numba = compiled(_sector_utility_loop)
_come_exponent_numba = compiled(_come_exponent_loop)
_end_search_numba = compiled(_end_search_loop)
_firms_by_sector_numba = compiled(_firms_by_sector_loop)
_hiring_firms_numba = compiled(_hiring_firms_loop)


# ---------------------------------------------------------------- the rules
def logit_probabilities(util: np.ndarray) -> np.ndarray:
    """The logit choice probabilities of each row's alternatives (``util``: rows x alternatives, fewer than
    eight): exp(util - logsumexp(util)), with the row's terms added in column order, as
    ``sim.submodels.utility.logsumexp`` adds them for so few columns."""
    gaps_to_top = _gaps_to_row_top_numba if USING_NUMBA else _gaps_to_row_top_numpy
    row_totals = _row_totals_numba if USING_NUMBA else _row_totals_numpy
    gaps_to_inclusive = _gaps_to_inclusive_numba if USING_NUMBA else _gaps_to_inclusive_numpy
    gaps, top = gaps_to_top(util)
    log_total = np.log(row_totals(np.exp(gaps)))
    return np.exp(gaps_to_inclusive(util, top, log_total))


def other_cluster_inclusive(v_sector: np.ndarray) -> np.ndarray:
    """Inclusive value of moving to another cluster, from each cluster (rows) by tier (columns): the
    logsumexp of ``v_sector`` (S x K) over every cluster but the one left, terms added in cluster order."""
    gaps_of = _other_cluster_gaps_numba if USING_NUMBA else _other_cluster_gaps_numpy
    totals = _middle_totals_numba if USING_NUMBA else _middle_totals_numpy
    gaps, top = gaps_of(v_sector)
    return top + np.log(totals(np.exp(gaps)))


def kinds_present(kind: np.ndarray, *, n_kinds: int) -> tuple[np.ndarray, np.ndarray]:
    """The kinds of seeker present (ascending) and each seeker's place among them."""
    run = _kinds_present_numba if USING_NUMBA else _kinds_present_numpy
    return run(kind, n_kinds)


def sector_utility_of_kinds(v_sector: np.ndarray, *, field_affinity: float, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows ``present`` of ``sim.market_kernels.sector_utility_by_kind``: the utility of each sector for
    those kinds of seeker, and each row's highest utility (a column)."""
    run = _sector_utility_of_kinds_numba if USING_NUMBA else _sector_utility_of_kinds_numpy
    return run(v_sector, float(field_affinity), present)


def hiring_firms(*, sector: np.ndarray, vacancy: np.ndarray, alive: np.ndarray, is_platform: np.ndarray, n_sectors: int,
                 target: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The firm row that hires each matched seeker: firms of its target sector in row order, one picked by
    the seeker's uniform ``u`` in proportion to its vacancies (open firms that are not platforms get a tiny
    share, so that a sector without vacancies still hires into a firm)."""
    run = _hiring_firms_numba if USING_NUMBA else _hiring_firms_numpy
    return run(sector, vacancy, alive, is_platform, n_sectors, target, u)


def sector_utility(*, wage_log: np.ndarray, rent_log: np.ndarray, thick_log: np.ndarray | None, wage_weight: float, rent_weight: float,
                   service_term: float, thick_weight: float) -> np.ndarray:
    """The sector utility by tier (S x K) from its logs: wage (S x K), rent of the sector's district (S) and,
    unless None, the thick-market ratio (S); ``service_term`` is the weighted hospital level."""
    run = _sector_utility_numba if USING_NUMBA else _sector_utility_numpy
    weights = (float(wage_weight), float(rent_weight), float(service_term), float(thick_weight))
    with_thick = thick_log is not None
    return run(wage_log, rent_log, thick_log if with_thick else rent_log, weights, with_thick)


def come_exponent(seekers: np.ndarray, *, tier: np.ndarray, kind: np.ndarray, channel: np.ndarray, alternative: np.ndarray,
                  inclusive: np.ndarray, prospect: np.ndarray, graduate: int, bonus: float) -> np.ndarray:
    """For each seeker, the utility of the alternative city (``alternative``, by tier) less the inclusive value of
    its kind, the graduates' ``bonus`` (``channel`` ``graduate``) and the job prospect term (by tier): a candidate
    comes with probability 1 / (1 + exp of it)."""
    run = _come_exponent_numba if USING_NUMBA else _come_exponent_numpy
    return run(seekers, tier, kind, channel, alternative, inclusive, prospect, graduate, float(bonus))


def end_search(*, status: np.ndarray, search_left: np.ndarray, job_seeking: np.ndarray, candidate: int, gone: int) -> None:
    """The month's search over, in one pass: no one is looking on the job any more, and candidates with no
    search months left (those who did not come, or came and found nothing) are gone."""
    run = _end_search_numba if USING_NUMBA else _end_search_numpy
    run(status, search_left, job_seeking, candidate, gone)
