"""The labour and housing market kernels: compiled and numpy paths agree exactly, and the rules do what they say."""

from __future__ import annotations

import numpy as np
import pytest

from sim import kernels, market_kernels as mk, market_passes as mp
from sim.talent import APARTMENT, CANDIDATE, EMPLOYED, FIELDS, MARKET, SEARCHING

HIRE_CODES = (CANDIDATE, EMPLOYED, APARTMENT, MARKET)

needs_numba = pytest.mark.skipif(not kernels.USING_NUMBA, reason="numba not installed: only the numpy path exists")


def _seekers(rng: np.random.Generator, n: int, n_cells: int) -> dict[str, np.ndarray]:
    weight = rng.choice(np.array([1.0, 100.0]), n)
    cell = rng.integers(0, n_cells, n)
    quota = np.bincount(cell, weights=weight, minlength=n_cells) * rng.uniform(0, 1.2, n_cells)
    quota[: n_cells // 5] = 0.0
    order_draw = rng.random(n)
    order_draw[: n // 10] = 0.5  # ties are broken by row, as lexsort does
    return {"cell": cell, "weight": weight, "quota": quota, "order_draw": order_draw, "margin_draw": rng.random(n)}


def _firms(rng: np.random.Generator, n: int, n_sectors: int) -> tuple:
    sector = rng.integers(1, n_sectors, n).astype(np.int16)  # sector 0 has no firm
    vacancy = np.where(rng.random(n) < 0.6, 0.0, rng.lognormal(1, 1, n))
    vacancy[sector == 2] = 0.0  # a sector without vacancies
    return sector, vacancy, rng.random(n) < 0.9, rng.random(n) < 0.05, n_sectors


def _queue(rng: np.random.Generator, n: int, n_districts: int, n_places: int) -> dict[str, np.ndarray]:
    district = rng.integers(0, n_districts, n)
    place = rng.integers(0, n_places, n)
    weight = rng.choice(np.array([1.0, 100.0]), n)
    queue = np.bincount(district * n_places + place, weights=weight, minlength=n_districts * n_places).reshape(n_districts, n_places)
    free = queue.sum(axis=1) * rng.uniform(0, 1.2, n_districts)
    free[0] = 0.0
    return {"district": district, "place": place, "weight": weight, "queue": queue, "free": free}


@needs_numba
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_compiled_kernels_equal_numpy_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    v_sector = rng.normal(0, 1, (10, 5))
    for compiled, plain in zip(mk._sector_utility_by_kind_numba(v_sector, 0.7), mk._sector_utility_by_kind_numpy(v_sector, 0.7)):
        assert np.array_equal(compiled, plain)
    prob = rng.dirichlet(np.ones(10), 550)
    kind, u = rng.integers(0, 550, 3_000), rng.random(3_000)
    assert np.array_equal(mk._clusters_below_numba(prob, kind, u), mk._clusters_below_numpy(prob, kind, u))
    s = _seekers(rng, 2_000, 50)
    plain = mk._hired_numpy(*s.values())
    assert np.array_equal(mk._hired_numba(*s.values()), plain) and 0 < plain.sum() < len(plain)
    firms = _firms(rng, 5_000, 10)
    target = rng.integers(0, 10, 400)
    u = rng.random(400)
    assert np.array_equal(mp._hiring_firms_numba(*firms, target, u), mp._hiring_firms_numpy(*firms, target, u))
    q = _queue(rng, 300, 5, 2 * 169)
    taken = mk._apartments_taken_numpy(*q.values())
    assert np.array_equal(mk._apartments_taken_numba(*q.values()), taken) and 0 < taken.sum() < len(taken)


def _talent(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    draws = {"status": rng.integers(0, 3, n), "sector": rng.integers(0, 10, n), "tier": rng.integers(0, 5, n),
             "weight": rng.choice([1.0, 100.0], n), "channel": rng.integers(0, 10, n), "age": rng.uniform(20, 60, n),
             "housing": rng.integers(0, 3, n), "employer": rng.integers(-1, 500, n), "search_left": rng.integers(0, 4, n),
             "queue_since": rng.integers(-1, 30, n), "months_in_city": rng.integers(-1, 100, n)}
    return {name: np.asarray(column).astype(FIELDS[name]) for name, column in draws.items()}


@needs_numba
@pytest.mark.parametrize("seed", [0, 1])
def test_compiled_hiring_writes_and_reports_what_numpy_does(seed):
    rng = np.random.default_rng(seed)
    talent = _talent(rng, 5_000)
    rows = rng.choice(5_000, 800, replace=False)
    target, firm, district = rng.integers(0, 10, 800), rng.integers(0, 500, 800), rng.integers(0, 4, 10)
    compiled_talent = {name: column.copy() for name, column in talent.items()}
    compiled = mk._hire_numba(rows, target, firm, *compiled_talent.values(), district, 31, HIRE_CODES)
    plain = mk._hire_numpy(rows, target, firm, *talent.values(), district, 31, HIRE_CODES)
    for name in talent:
        assert np.array_equal(compiled_talent[name], talent[name]), name
    for compiled_part, plain_part in zip(compiled, plain):
        for a, b in zip(compiled_part, plain_part):
            assert a.dtype == b.dtype and np.array_equal(a, b)


@needs_numba
@pytest.mark.parametrize("seed", [0, 1])
def test_compiled_seeker_bookkeeping_equals_numpy_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    talent = _talent(rng, 4_000)
    talent["field"] = rng.integers(0, 10, 4_000).astype(FIELDS["field"])
    talent["job_seeking"] = rng.integers(0, 2, 4_000).astype(FIELDS["job_seeking"])
    seekers = np.sort(rng.choice(4_000, 1_500, replace=False))
    args = (seekers, talent["tier"], talent["field"], talent["sector"], talent["job_seeking"], 10)
    for compiled, plain in zip(mk._seeker_kinds_numba(*args), mk._seeker_kinds_numpy(*args)):
        assert compiled.dtype == plain.dtype and np.array_equal(compiled, plain)
    left_compiled, left_plain = talent["search_left"].copy(), talent["search_left"].copy()
    p_come, u = rng.random(1_500), rng.random(1_500)
    comes = mk._candidates_come_numba(seekers, talent["status"], left_compiled, p_come, u, CANDIDATE, 3)
    assert np.array_equal(comes, mk._candidates_come_numpy(seekers, talent["status"], left_plain, p_come, u, CANDIDATE, 3))
    assert np.array_equal(left_compiled, left_plain) and not comes.all()
    target, tier = rng.integers(0, 10, 1_500), rng.integers(0, 5, 1_500)
    for compiled, plain in zip(mk._market_cells_numba(seekers, target, tier, talent["weight"], 10, 5),
                               mk._market_cells_numpy(seekers, target, tier, talent["weight"], 10, 5)):
        assert compiled.dtype == plain.dtype and np.array_equal(compiled, plain)


@needs_numba
@pytest.mark.parametrize("seed", [0, 1])
def test_compiled_search_and_housing_bookkeeping_equals_numpy_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    talent = _talent(rng, 4_000)
    cell, matched = rng.integers(0, 50, 1_500), rng.random(1_500) < 0.6
    w = talent["weight"][:1_500].astype(float)
    assert np.array_equal(mk._market_hires_numba(cell, w, matched, 10, 5), mk._market_hires_numpy(cell, w, matched, 10, 5))
    seekers = np.sort(rng.choice(4_000, 1_500, replace=False))
    pairs = [({name: talent[name].copy() for name in ("status", "search_left")}, run) for run in (mk._search_on_numba, mk._search_on_numpy)]
    for state, run in pairs:
        run(seekers, matched, state["status"], state["search_left"], CANDIDATE, 3)
    assert all(np.array_equal(pairs[0][0][name], pairs[1][0][name]) for name in ("status", "search_left"))
    assert not np.array_equal(pairs[0][0]["status"], talent["status"])
    pairs = [({name: talent[name].copy() for name in ("status", "search_left")}, run)
             for run in (mk._count_down_search_numba, mk._count_down_search_numpy)]
    gave_up = [run(state["status"], state["search_left"], SEARCHING) for state, run in pairs]
    assert len(gave_up[0]) and np.array_equal(gave_up[0], gave_up[1])
    assert np.array_equal(pairs[0][0]["search_left"], pairs[1][0]["search_left"])
    rows, district = rng.choice(4_000, 300, replace=False), rng.integers(0, 4, 10)
    for mark in (-1, None):
        state = [{name: talent[name].copy() for name in ("housing", "queue_since")} for _ in range(2)]
        persons = [run(rows, s["housing"], s["queue_since"], talent["sector"], talent["weight"], district, 4, APARTMENT, mark)
                   for s, run in zip(state, (mk._move_in_numba, mk._move_in_numpy))]
        assert np.array_equal(persons[0], persons[1]) and persons[0].sum() > 0
        assert all(np.array_equal(state[0][name], state[1][name]) for name in ("housing", "queue_since"))
        assert np.array_equal(state[0]["queue_since"], talent["queue_since"]) == (mark is None)


def test_candidates_who_come_start_their_search():
    status = np.array([CANDIDATE, CANDIDATE, CANDIDATE, EMPLOYED, SEARCHING])
    search_left = np.array([2, 0, 0, 0, 0], np.int8)
    comes = mk.candidates_come(np.arange(5), status=status, search_left=search_left, p_come=np.array([0.0, 0.9, 0.1, 0.0, 0.0]),
                               u=np.full(5, 0.5), candidate=CANDIDATE, search_months=4)
    assert comes.tolist() == [True, True, False, True, True]
    assert search_left.tolist() == [2, 4, 0, 0, 0]


def test_hiring_employs_the_rows_and_reports_movers_and_arrivals():
    rng = np.random.default_rng(7)
    talent = _talent(rng, 300)
    before = {name: column.copy() for name, column in talent.items()}
    rows = np.arange(0, 300, 3)
    target, firm = rng.integers(0, 10, 100), rng.integers(0, 500, 100)
    district = np.arange(10) // 3
    (from_sector, to_sector, _, _), (arrival_sector, _, _, _, _) = mk.hire(
        rows, target=target, firm=firm, columns=talent, sector_district=district, month=12, codes=HIRE_CODES)
    assert (talent["status"][rows] == EMPLOYED).all() and np.array_equal(talent["employer"][rows], firm)
    arriving = before["status"][rows] == CANDIDATE
    moving = ~arriving & (before["sector"][rows] != target)
    assert np.array_equal(arrival_sector, target[arriving]) and (talent["queue_since"][rows[arriving]] == 12).all()
    assert np.array_equal(from_sector, before["sector"][rows[moving]]) and np.array_equal(to_sector, target[moving])
    gave_up = moving & (district[before["sector"][rows]] != district[target]) & (before["housing"][rows] == APARTMENT)
    assert gave_up.any() and (talent["housing"][rows[gave_up]] == MARKET).all()
    untouched = np.setdiff1d(np.arange(300), rows)
    assert all(np.array_equal(talent[name][untouched], before[name][untouched]) for name in talent)
    assert SEARCHING not in talent["status"][rows]


@needs_numba
@pytest.mark.parametrize("seed", [0, 1])
def test_compiled_move_choice_equals_numpy_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    talent = _talent(rng, 3_000)
    talent["field"] = rng.integers(0, 10, 3_000).astype(FIELDS["field"])
    talent["children"] = rng.integers(0, 2, 3_000).astype(FIELDS["children"])
    rows = rng.choice(3_000, 400, replace=False)
    for ties in (60, 37.3):
        assert np.array_equal(mk._tenure_years_numba(rows, talent["months_in_city"], talent["channel"], 2, float(ties)),
                              mk._tenure_years_numpy(rows, talent["months_in_city"], talent["channel"], 2, ties))
    columns = [talent[name] for name in ("sector", "tier", "field", "housing", "children")]
    tables = (rng.normal(0, 1, 400), rng.normal(0, 1, (10, 5)), rng.normal(0, 1, (10, 5)), rng.normal(0, 1, (5, 5)))
    coefficients = tuple(rng.normal(0, 1, 10))
    for other in (tables[2], np.full((10, 5), -np.inf)):
        args = (rows, *columns, tables[0], tables[1], other, tables[3], coefficients, (2, 1))
        compiled, plain = mk._move_alternatives_numba(*args), mk._move_alternatives_numpy(*args)
        assert compiled.shape == (400, 7) and np.array_equal(compiled, plain)
    prob = rng.dirichlet(np.ones(7), 400)
    u = rng.random(400)
    assert np.array_equal(mk._pick_alternative_numba(prob, u), mk._pick_alternative_numpy(prob, u))


def test_alternative_picked_by_inversion():
    prob = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    u = np.array([0.45, 0.999, 0.3])
    assert mk.pick_alternative(prob, np.array([0.1, 0.1, 0.1])).tolist() == [0, 0, 2]
    assert mk.pick_alternative(prob, u).tolist() == [1, 0, 2]
    assert mk.pick_alternative(prob[:1], np.array([1.0])).tolist() == [2]  # never past the last alternative


@needs_numba
def test_compiled_kernels_equal_numpy_on_empty_and_single_rows():
    rng = np.random.default_rng(5)
    s = {k: v[:1] if k != "quota" else v for k, v in _seekers(rng, 10, 4).items()}
    assert np.array_equal(mk._hired_numba(*s.values()), mk._hired_numpy(*s.values()))
    empty = {k: v[:0] if k != "quota" else v for k, v in s.items()}
    assert len(mk._hired_numba(*empty.values())) == 0
    q = _queue(rng, 1, 3, 6)
    assert np.array_equal(mk._apartments_taken_numba(*q.values()), mk._apartments_taken_numpy(*q.values()))


@pytest.mark.parametrize("seed", [0, 1])
def test_cluster_picked_by_inversion_of_cumulative_probabilities(seed):
    rng = np.random.default_rng(seed)
    prob = rng.dirichlet(np.ones(6), 20)
    kind, u = rng.integers(0, 20, 500), rng.random(500)
    expected = [int(np.searchsorted(np.cumsum(prob[k]), x, side="right")) for k, x in zip(kind, u)]
    assert mk.clusters_below(prob, kind=kind, u=u).tolist() == expected


def test_sector_utility_by_kind_excludes_the_cluster_left_and_favours_the_field():
    v_sector = np.arange(12.0).reshape(4, 3)
    util, top = mk.sector_utility_by_kind(v_sector, field_affinity=0.5)
    table = util.reshape(3, 4, 5, 4)  # tier x field x excluded sector (4: none) x sector
    assert table[2, 1, 4].tolist() == [2.0, 5.5, 8.0, 11.0]
    assert table[2, 1, 3].tolist() == [2.0, 5.5, 8.0, -np.inf]
    assert np.array_equal(top[:, 0], util.max(axis=1))


def test_hiring_firm_is_in_the_target_sector_and_has_vacancies():
    rng = np.random.default_rng(3)
    sector, vacancy, alive, is_platform, n_sectors = _firms(rng, 2_000, 6)
    target = rng.integers(1, n_sectors, 1_000)
    firm = mp.hiring_firms(sector=sector, vacancy=vacancy, alive=alive, is_platform=is_platform, n_sectors=n_sectors,
                           target=target, u=rng.random(1_000))
    assert np.array_equal(sector[firm], target)
    has_vacancies = target != 2
    assert (vacancy[firm[has_vacancies]] > 0).all()


def test_apartments_go_to_whole_places_first_and_never_exceed_the_free_ones():
    rng = np.random.default_rng(4)
    q = _queue(rng, 400, 4, 20)
    take = mk.apartments_taken(**q)
    housed = np.bincount(q["district"][take], weights=q["weight"][take], minlength=4)
    assert (housed <= q["free"]).all() and housed[0] == 0
    for d in range(4):
        mine = q["district"] == d
        if take[mine].any() and not take[mine].all():
            # every place ahead of the first row left out is served in full
            first_left = q["place"][mine & ~take].min()
            assert take[mine & (q["place"] < first_left)].all()
