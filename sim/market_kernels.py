"""Bookkeeping of the labour and housing markets in one pass: which cluster a seeker picks, who is hired,
who gets a free talent apartment (which firm hires them: ``sim.market_passes``).

Each month these rules run on a few hundred to a few thousand rows, where numpy spends more time
calling than computing. With numba each is one compiled loop; without it, the numpy twin below. Both
do the same additions in the same order and only compare, add and multiply (no exp or log, whose last
bit differs between numba and numpy), so they give identical numbers; ``TALENTSIM_NUMBA=0`` selects
the numpy path.
"""

from __future__ import annotations

import numpy as np

from sim import kernels, row_ranges
from sim.kernels import USING_NUMBA, compiled, group_order


# ---------------------------------------------------------------- numpy path
def _clusters_below_numpy(prob_by_kind, kind, u):
    cumulative = np.cumsum(prob_by_kind, axis=1)
    below = np.zeros(len(kind), np.int64)
    for j in range(cumulative.shape[1]):
        below += cumulative[kind, j] < u
    return below


def _hired_numpy(cell, weight, quota, order_draw, margin_draw):
    order = np.lexsort((order_draw, cell))
    c, w = cell[order], weight[order]
    cumulative = np.cumsum(w)
    first = np.r_[True, c[1:] != c[:-1]]
    before_market = np.maximum.accumulate(np.where(first, cumulative - w, 0.0))
    before = cumulative - w - before_market
    hired = np.zeros(len(cell), bool)
    hired[order] = before + w * margin_draw[order] < quota[c]
    return hired


def _apartments_taken_numpy(district, place, weight, queue, free):
    n_districts, n_places = queue.shape
    cumulative = np.cumsum(queue, axis=1)
    served = cumulative <= free[:, None]
    short = ~served.all(axis=1)
    last_place = np.where(short, np.argmax(~served, axis=1), n_places)  # the first place not served in full
    ahead = np.where(last_place > 0, cumulative[np.arange(n_districts), np.maximum(last_place - 1, 0)], 0.0)
    take = served[district, place]
    at_margin = np.flatnonzero(short[district] & (place == last_place[district]))
    if len(at_margin):
        by_district, bounds = group_order(codes=district[at_margin], n_groups=n_districts)
        rows = at_margin[by_district]
        d = district[rows]
        cum = np.cumsum(weight[rows])
        start = bounds[:-1]
        before = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
        take[rows[ahead[d] + cum - before[d] <= free[d]]] = True
    return take


def _hire_numpy(rows, target, firm, status, sector, tier, weight, channel, age, housing, employer, search_left, queue_since,
                months_in_city, sector_district, month, codes):
    candidate, employed, apartment, market = codes
    old_sector = sector[rows].astype(np.int64)
    arriving = status[rows] == candidate
    movers = ~arriving & (old_sector != target)  # residents changing cluster
    moves = (old_sector[movers], target[movers], tier[rows][movers], weight[rows][movers])
    new = rows[arriving]
    arrivals = (target[arriving], tier[new], channel[new], weight[new], age[new])
    # a talent apartment belongs to its district: moving to another district gives it up
    left_district = movers & (sector_district[old_sector] != sector_district[target]) & (housing[rows] == apartment)
    housing[rows[left_district]] = market
    status[rows] = employed
    sector[rows] = target
    employer[rows] = firm
    search_left[rows] = 0
    queue_since[new] = month
    months_in_city[new] = np.maximum(months_in_city[new], 0)
    return moves, arrivals


def _seeker_kinds_numpy(seekers, tier, field, sector, job_seeking, n_sectors):
    k = tier[seekers].astype(np.int64)
    on_job = job_seeking[seekers] == 1
    leaving = np.where(on_job, sector[seekers], n_sectors).astype(np.int64)  # S: no cluster excluded
    return k, (k * n_sectors + field[seekers]) * (n_sectors + 1) + leaving


def _candidates_come_numpy(seekers, status, search_left, p_come, u, candidate, search_months):
    is_candidate = status[seekers] == candidate
    committed = is_candidate & (search_left[seekers] > 0)  # came in an earlier month, still looking
    newly = is_candidate & ~committed & (u < p_come)
    search_left[seekers[newly]] = search_months
    return ~is_candidate | committed | newly


def _market_cells_numpy(seekers, target, tier, weight, n_sectors, n_tiers):
    w = weight[seekers].astype(float)
    cell = target * n_tiers + tier
    return w, cell, np.bincount(cell, weights=w, minlength=n_sectors * n_tiers).reshape(n_sectors, n_tiers)


def _market_hires_numpy(cell, weight, matched, n_sectors, n_tiers):
    return np.bincount(cell[matched], weights=weight[matched], minlength=n_sectors * n_tiers).reshape(n_sectors, n_tiers)


def _search_on_numpy(seekers, matched, status, search_left, candidate, gone):
    lost = seekers[~matched]
    lost = lost[status[lost] == candidate]
    search_left[lost] -= 1
    status[lost[search_left[lost] <= 0]] = gone


def _count_down_search_numpy(status, search_left, searching):
    rows = np.flatnonzero(status == searching)
    search_left[rows] -= 1
    return rows[search_left[rows] <= 0]


def _move_in_numpy(rows, housing, queue_since, sector, weight, sector_district, n_districts, code, queue_mark):
    housing[rows] = code
    if queue_mark is not None:
        queue_since[rows] = queue_mark
    return np.bincount(sector_district[sector[rows]], weights=weight[rows], minlength=n_districts)


def _tenure_years_numpy(rows, months_in_city, channel, returnee, ties_months):
    # returnees grew up or studied here: their ties count as years already spent in the city
    return (months_in_city[rows] + ties_months * (channel[rows] == returnee)) / 12.0


def _move_alternatives_numpy(rows, sector, tier, field, housing, children, tenure_term, sector_utility, other_cluster, outside,
                             coefficients, codes):
    (attachment_children, school, attachment_owner, attachment_apartment, culture, field_affinity, apartment_bonus,
     log_cities, moving_cost, internal_move_cost) = coefficients
    owner, apartment = codes
    s, k = sector[rows].astype(np.int64), tier[rows].astype(np.int64)
    kids, home = children[rows], housing[rows]
    attachment = (tenure_term + attachment_children * kids + school * kids + attachment_owner * (home == owner)
                  + attachment_apartment * (home == apartment) + culture)
    v_stay = sector_utility[s, k] + attachment + field_affinity * (field[rows] == s) + apartment_bonus * (home == apartment)
    v_in = other_cluster[s, k] - internal_move_cost
    v_out = outside[:, k].T - log_cities - moving_cost
    return np.column_stack([v_stay, v_in, v_out])


def _pick_alternative_numpy(prob, u):
    cumulative = prob[:, 0]
    below = (cumulative < u).astype(np.int64)
    for j in range(1, prob.shape[1]):
        cumulative = cumulative + prob[:, j]
        below += cumulative < u
    return np.minimum(below, prob.shape[1] - 1)


def _sector_utility_by_kind_numpy(v_sector, field_affinity):
    n_sectors, n_tiers = v_sector.shape
    util = np.broadcast_to(v_sector.T[:, None, None, :], (n_tiers, n_sectors, n_sectors + 1, n_sectors)).copy()
    util += field_affinity * np.eye(n_sectors)[None, :, None, :]
    excluded = np.arange(n_sectors)
    util[:, :, excluded, excluded] = -np.inf  # a job seeker on the job looks at other clusters
    util = util.reshape(-1, n_sectors)
    return util, np.max(util, axis=1, keepdims=True)


# ---------------------------------------------------------------- numba path
def _hire_loop(rows, target, firm, status, sector, tier, weight, channel, age, housing, employer, search_left, queue_since,
               months_in_city, sector_district, month, codes):  # pragma: no cover - compiled
    candidate, employed, apartment, market = codes
    n_movers = n_arrivals = 0
    for i in range(rows.shape[0]):
        if status[rows[i]] == candidate:
            n_arrivals += 1
        elif sector[rows[i]] != target[i]:
            n_movers += 1
    moves = (np.empty(n_movers, np.int64), np.empty(n_movers, np.int64), np.empty(n_movers, tier.dtype),
             np.empty(n_movers, weight.dtype))
    arrivals = (np.empty(n_arrivals, np.int64), np.empty(n_arrivals, tier.dtype), np.empty(n_arrivals, channel.dtype),
                np.empty(n_arrivals, weight.dtype), np.empty(n_arrivals, age.dtype))
    n_movers = n_arrivals = 0
    for i in range(rows.shape[0]):
        r, to = rows[i], target[i]
        if status[r] == candidate:
            arrivals[0][n_arrivals], arrivals[1][n_arrivals], arrivals[2][n_arrivals] = to, tier[r], channel[r]
            arrivals[3][n_arrivals], arrivals[4][n_arrivals] = weight[r], age[r]
            n_arrivals += 1
            queue_since[r] = month
            months_in_city[r] = max(months_in_city[r], 0)
        elif sector[r] != to:
            moves[0][n_movers], moves[1][n_movers], moves[2][n_movers], moves[3][n_movers] = sector[r], to, tier[r], weight[r]
            n_movers += 1
            if sector_district[sector[r]] != sector_district[to] and housing[r] == apartment:
                housing[r] = market
        status[r] = employed
        sector[r] = to
        employer[r] = firm[i]
        search_left[r] = 0
    return moves, arrivals


def _seeker_kinds_loop(seekers, tier, field, sector, job_seeking, n_sectors):  # pragma: no cover - compiled
    k = np.empty(seekers.shape[0], np.int64)
    kind = np.empty(seekers.shape[0], np.int64)
    for i in range(seekers.shape[0]):
        r = seekers[i]
        k[i] = tier[r]
        leaving = sector[r] if job_seeking[r] == 1 else n_sectors
        kind[i] = (k[i] * n_sectors + field[r]) * (n_sectors + 1) + leaving
    return k, kind


def _candidates_come_loop(seekers, status, search_left, p_come, u, candidate, search_months):  # pragma: no cover - compiled
    comes = np.empty(seekers.shape[0], np.bool_)
    for i in range(seekers.shape[0]):
        r = seekers[i]
        if status[r] != candidate or search_left[r] > 0:
            comes[i] = True
        else:
            comes[i] = u[i] < p_come[i]
            if comes[i]:
                search_left[r] = search_months
    return comes


def _market_cells_loop(seekers, target, tier, weight, n_sectors, n_tiers):  # pragma: no cover - compiled
    w = np.empty(seekers.shape[0])
    cell = np.empty(seekers.shape[0], np.int64)
    persons = np.zeros(n_sectors * n_tiers)
    for i in range(seekers.shape[0]):
        w[i] = weight[seekers[i]]
        cell[i] = target[i] * n_tiers + tier[i]
        persons[cell[i]] += w[i]
    return w, cell, persons.reshape(n_sectors, n_tiers)


def _market_hires_loop(cell, weight, matched, n_sectors, n_tiers):  # pragma: no cover - compiled
    hires = np.zeros(n_sectors * n_tiers)
    for i in range(cell.shape[0]):
        if matched[i]:
            hires[cell[i]] += weight[i]
    return hires.reshape(n_sectors, n_tiers)


def _search_on_loop(seekers, matched, status, search_left, candidate, gone):  # pragma: no cover - compiled
    for i in range(seekers.shape[0]):
        r = seekers[i]
        if not matched[i] and status[r] == candidate:
            search_left[r] -= 1
            if search_left[r] <= 0:
                status[r] = gone


def _count_down_search_loop(status, search_left, searching):  # pragma: no cover - compiled
    n = 0
    for r in range(status.shape[0]):
        if status[r] == searching:
            search_left[r] -= 1
            if search_left[r] <= 0:
                n += 1
    rows = np.empty(n, np.int64)
    n = 0
    for r in range(status.shape[0]):
        if status[r] == searching and search_left[r] <= 0:
            rows[n] = r
            n += 1
    return rows


def _move_in_loop(rows, housing, queue_since, sector, weight, sector_district, n_districts, code, queue_mark):  # pragma: no cover - compiled
    persons = np.zeros(n_districts)
    for i in range(rows.shape[0]):
        r = rows[i]
        housing[r] = code
        if queue_mark is not None:
            queue_since[r] = queue_mark
        persons[sector_district[sector[r]]] += weight[r]
    return persons


def _tenure_years_loop(rows, months_in_city, channel, returnee, ties_months):  # pragma: no cover - compiled
    years = np.empty(rows.shape[0])
    for i in range(rows.shape[0]):
        years[i] = (months_in_city[rows[i]] + ties_months * (1.0 if channel[rows[i]] == returnee else 0.0)) / 12.0
    return years


def _move_alternatives_loop(rows, sector, tier, field, housing, children, tenure_term, sector_utility, other_cluster, outside,
                            coefficients, codes):  # pragma: no cover - compiled
    (attachment_children, school, attachment_owner, attachment_apartment, culture, field_affinity, apartment_bonus,
     log_cities, moving_cost, internal_move_cost) = coefficients
    owner, apartment = codes
    n_cities = outside.shape[0]
    alternatives = np.empty((rows.shape[0], 2 + n_cities))
    for i in range(rows.shape[0]):
        r = rows[i]
        s, k = sector[r], tier[r]
        kids = float(children[r])
        in_apartment = 1.0 if housing[r] == apartment else 0.0
        attachment = (tenure_term[i] + attachment_children * kids + school * kids
                      + attachment_owner * (1.0 if housing[r] == owner else 0.0) + attachment_apartment * in_apartment + culture)
        alternatives[i, 0] = (sector_utility[s, k] + attachment + field_affinity * (1.0 if field[r] == s else 0.0)
                              + apartment_bonus * in_apartment)
        alternatives[i, 1] = other_cluster[s, k] - internal_move_cost
        for j in range(n_cities):
            alternatives[i, 2 + j] = outside[j, k] - log_cities - moving_cost
    return alternatives


def _pick_alternative_loop(prob, u):  # pragma: no cover - compiled
    picked = np.empty(prob.shape[0], np.int64)
    for i in range(prob.shape[0]):
        cumulative = prob[i, 0]
        below = 1 if cumulative < u[i] else 0
        for j in range(1, prob.shape[1]):
            cumulative = cumulative + prob[i, j]
            if cumulative < u[i]:
                below += 1
        picked[i] = min(below, prob.shape[1] - 1)
    return picked


def _sector_utility_by_kind_loop(v_sector, field_affinity):  # pragma: no cover - compiled
    n_sectors, n_tiers = v_sector.shape
    util = np.empty((n_tiers * n_sectors * (n_sectors + 1), n_sectors))
    top = np.empty((util.shape[0], 1))
    row = 0
    for k in range(n_tiers):
        for f in range(n_sectors):
            for left in range(n_sectors + 1):
                for j in range(n_sectors):
                    util[row, j] = -np.inf if j == left else v_sector[j, k] + field_affinity * (1.0 if j == f else 0.0)
                    top[row, 0] = util[row, j] if j == 0 else max(top[row, 0], util[row, j])
                row += 1
    return util, top


def _clusters_below_loop(prob_by_kind, kind, u):  # pragma: no cover - compiled
    below = np.zeros(kind.shape[0], np.int64)
    for i in range(kind.shape[0]):
        row = kind[i]
        cumulative = prob_by_kind[row, 0]
        count = 1 if cumulative < u[i] else 0
        for j in range(1, prob_by_kind.shape[1]):
            cumulative += prob_by_kind[row, j]
            if cumulative < u[i]:
                count += 1
        below[i] = count
    return below


def _hired_loop(cell, weight, quota, order_draw, margin_draw):  # pragma: no cover - compiled
    n = cell.shape[0]
    by_cell, bounds = kernels._group_order_numba(cell, quota.shape[0])
    order = np.empty(n, np.int64)
    for g in range(quota.shape[0]):
        members = by_cell[bounds[g]:bounds[g + 1]]
        # a stable sort, as lexsort breaks ties between equal draws by row
        order[bounds[g]:bounds[g + 1]] = members[np.argsort(order_draw[members], kind="mergesort")]
    hired = np.zeros(n, np.bool_)
    cumulative = 0.0
    before_market = 0.0
    for i in range(n):
        row = order[i]
        w = weight[row]
        cumulative = w if i == 0 else cumulative + w
        if i == 0 or cell[row] != cell[order[i - 1]]:
            before_market = max(before_market, cumulative - w)
        before = cumulative - w - before_market
        hired[row] = before + w * margin_draw[row] < quota[cell[row]]
    return hired


def _apartments_taken_loop(district, place, weight, queue, free):  # pragma: no cover - compiled
    n_districts, n_places = queue.shape
    last_place = np.full(n_districts, n_places, np.int64)  # the first place not served in full
    ahead = np.zeros(n_districts)
    served_through = np.zeros(n_districts)
    for d in range(n_districts):
        cumulative = 0.0
        for q in range(n_places):
            cumulative = queue[d, q] if q == 0 else cumulative + queue[d, q]
            if not cumulative <= free[d]:
                last_place[d] = q
                break
            served_through[d] = cumulative
        if last_place[d] > 0:
            ahead[d] = served_through[d]
    take = np.zeros(district.shape[0], np.bool_)
    n_margin = 0
    for i in range(district.shape[0]):
        take[i] = place[i] < last_place[district[i]]
        if place[i] == last_place[district[i]]:
            n_margin += 1
    if n_margin == 0:
        return take
    at_margin = np.empty(n_margin, np.int64)
    n_margin = 0
    for i in range(district.shape[0]):
        if place[i] == last_place[district[i]]:
            at_margin[n_margin] = i
            n_margin += 1
    by_district, bounds = kernels._group_order_numba(district[at_margin], n_districts)
    # persons ahead in the district: the whole places served, then the margin's rows in row order
    cum = 0.0
    before = 0.0
    for j in range(n_margin):
        row = at_margin[by_district[j]]
        d = district[row]
        if j == bounds[d]:
            before = cum if j > 0 else 0.0
        cum = weight[row] if j == 0 else cum + weight[row]
        if ahead[d] + cum - before <= free[d]:
            take[row] = True
    return take


_hire_numba = compiled(_hire_loop)
_seeker_kinds_numba = compiled(_seeker_kinds_loop)
_candidates_come_numba = compiled(_candidates_come_loop)
_market_cells_numba = compiled(_market_cells_loop)
_market_hires_numba = compiled(_market_hires_loop)
_search_on_numba = compiled(_search_on_loop)
_count_down_search_numba = compiled(_count_down_search_loop)
_move_in_numba = compiled(_move_in_loop)
_tenure_years_numba = compiled(_tenure_years_loop)
_move_alternatives_numba = compiled(_move_alternatives_loop)
_pick_alternative_numba = compiled(_pick_alternative_loop)
_sector_utility_by_kind_numba = compiled(_sector_utility_by_kind_loop)
_clusters_below_numba = compiled(_clusters_below_loop)
_hired_numba = compiled(_hired_loop)
_apartments_taken_numba = compiled(_apartments_taken_loop)


# ---------------------------------------------------------------- the rules
def seeker_kinds(seekers: np.ndarray, *, columns: dict[str, np.ndarray], n_sectors: int) -> tuple[np.ndarray, np.ndarray]:
    """Each seeker's tier and kind: tier x field x the cluster a job seeker on the job leaves (``n_sectors``
    for none), flattened as the rows of ``sector_utility_by_kind``."""
    run = _seeker_kinds_numba if USING_NUMBA else _seeker_kinds_numpy
    c = columns
    return run(seekers, c["tier"], c["field"], c["sector"], c["job_seeking"], n_sectors)


def candidates_come(seekers: np.ndarray, *, status: np.ndarray, search_left: np.ndarray, p_come: np.ndarray, u: np.ndarray,
                    candidate: int, search_months: int) -> np.ndarray:
    """Which seekers take part in the month's matching: residents, candidates who came in an earlier month
    and still look, and candidates who come now (``u`` below their ``p_come``), whose ``search_left`` is set
    to ``search_months``."""
    run = _candidates_come_numba if USING_NUMBA else _candidates_come_numpy
    return run(seekers, status, search_left, p_come, u, candidate, search_months)


def market_cells(seekers: np.ndarray, *, target: np.ndarray, tier: np.ndarray, weight: np.ndarray, n_sectors: int,
                 n_tiers: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each seeker's persons (float64) and market (sector x tier, flattened), and the persons seeking in each
    market (sectors x tiers)."""
    run = _market_cells_numba if USING_NUMBA else _market_cells_numpy
    return run(seekers, target, tier, weight, n_sectors, n_tiers)


def market_hires(*, cell: np.ndarray, weight: np.ndarray, matched: np.ndarray, n_sectors: int, n_tiers: int) -> np.ndarray:
    """Persons hired in each market (sectors x tiers)."""
    run = _market_hires_numba if USING_NUMBA else _market_hires_numpy
    return run(cell, weight, matched, n_sectors, n_tiers)


def search_on(seekers: np.ndarray, *, matched: np.ndarray, status: np.ndarray, search_left: np.ndarray, candidate: int, gone: int) -> None:
    """Unmatched candidates use up a month of their search; those with none left are gone."""
    run = _search_on_numba if USING_NUMBA else _search_on_numpy
    run(seekers, matched, status, search_left, candidate, gone)


def count_down_search(*, status: np.ndarray, search_left: np.ndarray, searching: int) -> np.ndarray:
    """Displaced residents use up a month of their search; returns the rows with none left, in row order."""
    if not USING_NUMBA:
        return _count_down_search_numpy(status, search_left, searching)
    return row_ranges.found_rows(_count_down_search_numba, (status, search_left, searching), columns=(0, 1))


def move_in(rows: np.ndarray, *, housing: np.ndarray, code: int, queue_since: np.ndarray, queue_mark: int | None, sector: np.ndarray,
            weight: np.ndarray, sector_district: np.ndarray, n_districts: int) -> np.ndarray:
    """Sets the housing of ``rows`` to ``code`` (and, unless ``queue_mark`` is None, their ``queue_since`` to
    it); returns the persons moving, by district of their cluster."""
    run = _move_in_numba if USING_NUMBA else _move_in_numpy
    return run(rows, housing, queue_since, sector, weight, sector_district, n_districts, code, queue_mark)


def tenure_years(rows: np.ndarray, *, months_in_city: np.ndarray, channel: np.ndarray, returnee: int, ties_months: float) -> np.ndarray:
    """Years each row has been tied to the city: its months in the city, plus ``ties_months`` for returnees."""
    run = _tenure_years_numba if USING_NUMBA else _tenure_years_numpy
    return run(rows, months_in_city, channel, returnee, float(ties_months))


def move_alternatives(rows: np.ndarray, *, columns: dict[str, np.ndarray], tenure_term: np.ndarray, sector_utility: np.ndarray,
                      other_cluster: np.ndarray, outside: np.ndarray, coefficients: tuple[float, ...],
                      codes: tuple[int, int]) -> np.ndarray:
    """Utility of each alternative of residents weighing a move (rows x (2 + J)): staying, with its attachment;
    the best other cluster (``other_cluster``, S x K, less the internal move cost); each competing city
    (``outside``, J x K, less log J and the moving cost). ``coefficients``: attachment per child, school term,
    attachment of owners, attachment of tenants, culture term, field affinity, apartment bonus, log J, moving
    cost, internal move cost; ``codes``: owner and apartment housing."""
    run = _move_alternatives_numba if USING_NUMBA else _move_alternatives_numpy
    c = columns
    return run(rows, c["sector"], c["tier"], c["field"], c["housing"], c["children"], tenure_term, sector_utility, other_cluster, outside,
               tuple(float(x) for x in coefficients), codes)


def pick_alternative(prob: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The alternative each row's uniform ``u`` picks, by inversion of the row's cumulative probabilities
    (``prob``: rows x alternatives): the number of cumulative sums below ``u``, at most the last alternative."""
    run = _pick_alternative_numba if USING_NUMBA else _pick_alternative_numpy
    return run(prob, u)


def sector_utility_by_kind(v_sector: np.ndarray, *, field_affinity: float) -> tuple[np.ndarray, np.ndarray]:
    """Utility of each sector (columns) for every kind of seeker (rows: tier x field x excluded sector, the
    last of the S + 1 meaning none), from the sector utility by tier (``v_sector``: S x K), and each row's
    highest utility (a column)."""
    run = _sector_utility_by_kind_numba if USING_NUMBA else _sector_utility_by_kind_numpy
    return run(v_sector, float(field_affinity))


def clusters_below(prob_by_kind: np.ndarray, *, kind: np.ndarray, u: np.ndarray) -> np.ndarray:
    """For each seeker, how many of its kind's cumulative cluster probabilities (``prob_by_kind`` summed
    along a row, in order) lie below its uniform ``u``: the cluster it picks by inversion."""
    run = _clusters_below_numba if USING_NUMBA else _clusters_below_numpy
    return run(prob_by_kind, kind, u)


def hired(*, cell: np.ndarray, weight: np.ndarray, quota: np.ndarray, order_draw: np.ndarray, margin_draw: np.ndarray) -> np.ndarray:
    """Which seekers are hired (see ``sim.submodels.matching.draw_hires``)."""
    run = _hired_numba if USING_NUMBA else _hired_numpy
    return run(cell, weight, quota, order_draw, margin_draw)


def hire(rows: np.ndarray, *, target: np.ndarray, firm: np.ndarray, columns: dict[str, np.ndarray], sector_district: np.ndarray,
         month: int, codes: tuple[int, int, int, int]) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """Employ ``rows`` in ``firm`` of sector ``target``: writes status, sector, employer and search months in
    the talent ``columns``; residents moving to another district give up their talent apartment; arrivals
    from outside join the apartment queue this ``month``. ``codes``: candidate and employed status, apartment
    and market housing. Returns the residents changing cluster (from, to, tier, weight) and the arrivals
    (sector, tier, channel, weight, age), in row order."""
    run = _hire_numba if USING_NUMBA else _hire_numpy
    c = columns
    return run(rows, target, firm, c["status"], c["sector"], c["tier"], c["weight"], c["channel"], c["age"], c["housing"], c["employer"],
               c["search_left"], c["queue_since"], c["months_in_city"], sector_district, month, codes)


def apartments_taken(*, district: np.ndarray, place: np.ndarray, weight: np.ndarray, queue: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Which queued rows get a free apartment: every place in the queue (``queue``: district x place, persons)
    that fits whole in its district's ``free`` apartments, then, at the place where they run out, rows in
    row order while they fit."""
    run = _apartments_taken_numba if USING_NUMBA else _apartments_taken_numpy
    return run(district, place, weight, queue, free)
