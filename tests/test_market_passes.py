"""The passes of the labour market's logit choices: compiled and numpy paths agree exactly, and they give
the numbers the plain numpy formulas give."""

from __future__ import annotations

import numpy as np
import pytest

from sim import kernels, market_kernels as mk, market_passes as mp
from sim.submodels import utility
from sim.talent import CANDIDATE, FIELDS, GONE
from tests.conftest import planned_toy_model

needs_numba = pytest.mark.skipif(not kernels.USING_NUMBA, reason="numba not installed: only the numpy path exists")


def _utilities(rng: np.random.Generator, n: int, m: int) -> np.ndarray:
    util = rng.normal(0, 3, (n, m))
    util[: n // 10, 1] = -np.inf  # an alternative nobody can take
    util[n // 10: n // 5, 2] = util[n // 10: n // 5, 0]  # ties for the best
    return util


def _kinds(rng: np.random.Generator, n_sectors: int, n_tiers: int, n: int) -> np.ndarray:
    return rng.integers(0, n_tiers * n_sectors * (n_sectors + 1), n)


@needs_numba
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_compiled_kernels_equal_numpy_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    util = _utilities(rng, 700, 7)
    for compiled, plain in zip(mp._gaps_to_row_top_numba(util), mp._gaps_to_row_top_numpy(util)):
        assert np.array_equal(compiled, plain)
    terms = np.exp(mp._gaps_to_row_top_numpy(util)[0])
    assert np.array_equal(mp._row_totals_numba(terms), mp._row_totals_numpy(terms))
    top, log_total = rng.normal(0, 1, 700), rng.random(700)
    assert np.array_equal(mp._gaps_to_inclusive_numba(util, top, log_total), mp._gaps_to_inclusive_numpy(util, top, log_total))
    transposed = util[:, :5].T.copy().T  # the destinations of residents who gave up come as a transposed view
    for compiled, plain in zip(mp._gaps_to_row_top_numba(transposed), mp._gaps_to_row_top_numpy(transposed)):
        assert np.array_equal(compiled, plain)
    v_sector = rng.normal(0, 1, (10, 4))
    for compiled, plain in zip(mp._other_cluster_gaps_numba(v_sector), mp._other_cluster_gaps_numpy(v_sector)):
        assert np.array_equal(compiled, plain)
    cube = rng.random((10, 10, 4))
    assert np.array_equal(mp._middle_totals_numba(cube), mp._middle_totals_numpy(cube))
    kind = _kinds(rng, 10, 4, 1_500)
    for compiled, plain in zip(mp._kinds_present_numba(kind, 440), mp._kinds_present_numpy(kind, 440)):
        assert np.array_equal(compiled, plain)
    present = np.unique(kind)
    for compiled, plain in zip(mp._sector_utility_of_kinds_numba(v_sector, 0.7, present),
                               mp._sector_utility_of_kinds_numpy(v_sector, 0.7, present)):
        assert np.array_equal(compiled, plain)


@pytest.mark.parametrize("seed", [0, 1])
def test_logit_probabilities_are_the_plain_formula(seed):
    util = _utilities(np.random.default_rng(seed), 500, 6)
    plain = np.exp(util - utility.logsumexp(util, axis=1)[:, None])
    assert np.array_equal(mp.logit_probabilities(util), plain)
    assert np.allclose(plain.sum(axis=1), 1.0)


@pytest.mark.parametrize("seed", [0, 1])
def test_other_cluster_inclusive_leaves_out_the_cluster_left(seed):
    v_sector = np.random.default_rng(seed).normal(0, 1, (10, 4))
    other = np.where(np.eye(10, dtype=bool)[:, :, None], -np.inf, v_sector[None, :, :])
    assert np.array_equal(mp.other_cluster_inclusive(v_sector), utility.logsumexp(other, axis=1))
    # from cluster 0, the inclusive value is that of clusters 1..9 alone
    assert np.allclose(mp.other_cluster_inclusive(v_sector)[0], np.log(np.exp(v_sector[1:]).sum(axis=0)))


def test_kinds_present_are_the_distinct_kinds_in_order():
    kind = np.array([7, 3, 7, 0, 3, 12])
    present, position = mp.kinds_present(kind, n_kinds=13)
    assert present.tolist() == [0, 3, 7, 12]
    assert np.array_equal(present[position], kind)


@pytest.mark.parametrize("seed", [0, 1])
def test_utility_of_the_kinds_present_are_rows_of_the_whole_table(seed):
    rng = np.random.default_rng(seed)
    v_sector = rng.normal(0, 1, (10, 4))
    present = np.unique(_kinds(rng, 10, 4, 200))
    util, top = mk.sector_utility_by_kind(v_sector, field_affinity=0.4)
    util_present, top_present = mp.sector_utility_of_kinds(v_sector, field_affinity=0.4, present=present)
    assert np.array_equal(util_present, util[present]) and np.array_equal(top_present, top[present])
    # the sums of a few rows' exponentials are those of the same rows summed with the whole table
    assert np.array_equal(np.sum(np.exp(util_present - top_present), axis=1), np.sum(np.exp(util - top), axis=1)[present])


def _firms_in_runs(rng: np.random.Generator, n: int, n_sectors: int) -> tuple:
    # firms sit in runs of one sector (founded together), with a sector that has none
    sector = np.repeat(rng.integers(1, n_sectors, n // 4), rng.integers(1, 8, n // 4))[:n].astype(np.int64)
    vacancy = np.where(rng.random(len(sector)) < 0.6, 0.0, rng.lognormal(1, 1, len(sector)))
    return sector, vacancy, rng.random(len(sector)) < 0.9, rng.random(len(sector)) < 0.05, n_sectors


@needs_numba
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_compiled_hiring_firms_equal_numpy_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    firms = _firms_in_runs(rng, 6_000, 10)
    order, bounds = mp._firms_by_sector_numba(firms[0], 10)
    expected_order, expected_bounds = kernels._group_order_numpy(firms[0], 10)
    assert np.array_equal(order, expected_order) and np.array_equal(bounds, expected_bounds)
    target = rng.integers(1, 10, 500)
    u = rng.random(500)
    plain = mp._hiring_firms_numpy(*firms, target, u)
    assert np.array_equal(mp._hiring_firms_numba(*firms, target, u), plain)
    assert np.array_equal(firms[0][plain], target)


@needs_numba
@pytest.mark.parametrize("seed", [0, 1])
def test_compiled_utility_sums_equal_numpy_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    wage_log, rent_log, thick_log = rng.normal(10, 1, (10, 4)), rng.normal(8, 1, 10), rng.normal(0, 0.3, 10)
    weights = tuple(rng.uniform(0.1, 2, 4))
    for with_thick in (True, False):
        assert np.array_equal(mp._sector_utility_numba(wage_log, rent_log, thick_log, weights, with_thick),
                              mp._sector_utility_numpy(wage_log, rent_log, thick_log, weights, with_thick))
    seekers, tier, kind = rng.choice(5_000, 800, replace=False), rng.integers(0, 4, 800), rng.integers(0, 60, 800)
    come = (seekers, tier, kind, rng.integers(0, 6, 5_000), rng.normal(0, 1, 4), rng.normal(0, 1, 60), rng.normal(-1, 1, 4), 2, 0.3)
    assert np.array_equal(mp._come_exponent_numba(*come), mp._come_exponent_numpy(*come))


def test_sector_utility_is_the_weighted_sum_of_its_logs():
    wage_log, rent_log, thick_log = np.log([[10.0, 20.0], [30.0, 40.0]]), np.log([5.0, 6.0]), np.log([1.5, 0.5])
    v = mp.sector_utility(wage_log=wage_log, rent_log=rent_log, thick_log=thick_log, wage_weight=1.0, rent_weight=0.5,
                          service_term=0.25, thick_weight=0.1)
    expected = wage_log - 0.5 * rent_log[:, None] + 0.25 + 0.1 * thick_log[:, None]
    assert np.allclose(v, expected)
    without = mp.sector_utility(wage_log=wage_log, rent_log=rent_log, thick_log=None, wage_weight=1.0, rent_weight=0.5,
                                service_term=0.25, thick_weight=0.1)
    assert np.allclose(without, wage_log - 0.5 * rent_log[:, None] + 0.25)


def test_graduates_alone_get_the_bonus_in_the_come_exponent():
    seekers, tier, kind = np.array([0, 1, 2]), np.array([0, 1, 1]), np.array([0, 0, 1])
    channel = np.array([2, 0, 2])
    gap = mp.come_exponent(seekers, tier=tier, kind=kind, channel=channel, alternative=np.array([1.0, 2.0]),
                           inclusive=np.array([0.5, 0.25]), prospect=np.array([0.0, -1.0]), graduate=2, bonus=0.125)
    assert gap.tolist() == [1.0 - 0.5 - 0.125, 2.0 - 0.5 + 1.0, 2.0 - 0.25 - 0.125 + 1.0]


def _outside_utility_of_the_month(model) -> np.ndarray:
    beh = model.beh
    shock = np.where(model.t >= model.competitor_shock_start, model.competitor_shock, 0.0)
    wage = (model.region.skilled_wage_yuan.value * model.competitor_wage_index[:, None] * model.tier_wage[None, :]
            * (1 + model.unc.wage_growth) ** model.years)
    rent = model.competitor_rent * (1 + model.unc.rent_trend) ** model.years
    return (beh.wage_weight * np.log(wage) - beh.rent_weight * np.log(rent)[:, None]
            + (model.competitor_constant + model.competitor_trend * model.years + shock)[:, None])


def test_competing_cities_worked_out_for_the_run_are_each_month_s_own_numbers(toy_scenario_path):
    model = planned_toy_model(toy_scenario_path)
    model.competitor_shock = np.linspace(-0.3, 0.2, model.J)  # a shock from the second year on
    model.competitor_shock_start = np.full(model.J, 12)
    model.competitor_trend = np.linspace(-0.05, 0.05, model.J)
    vars(model).pop("_outside_utility_by_month", None)  # the competitors are set before a run works out its months
    for month in (0, 1, 11, 12, 13, model.n_months - 1):
        model.t = month
        outside = _outside_utility_of_the_month(model)
        assert np.array_equal(utility.outside_utility(model), outside), month
        assert np.array_equal(utility.alternative_city_utility(model), utility.logsumexp(outside, axis=0) - np.log(model.J)), month
    assert not np.array_equal(utility.outside_utility(model), _outside_utility_of_the_month(model) + 1.0)  # the check can fail


def _residents(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {"ids": rng.permutation(10 * n)[:n].astype(np.int64), "status": rng.integers(0, 4, n).astype(FIELDS["status"]),
            "search_left": rng.integers(0, 4, n).astype(FIELDS["search_left"]),
            "retire_month": rng.integers(280, 300, n).astype(FIELDS["retire_month"])}


@pytest.mark.parametrize("seed", [0, 1])
def test_end_of_search_sends_away_candidates_without_months_and_clears_job_seeking(seed):
    talent = _residents(np.random.default_rng(seed), 4_000)
    job_seeking = np.random.default_rng(seed).integers(0, 2, 4_000).astype(FIELDS["job_seeking"])
    states = []
    for run in ([mp._end_search_numba] if kernels.USING_NUMBA else []) + [mp._end_search_numpy]:
        status, seeking = talent["status"].copy(), job_seeking.copy()
        run(status, talent["search_left"], seeking, CANDIDATE, GONE)
        states.append((status, seeking))
    for status, seeking in states:
        assert not seeking.any()
        done = (talent["status"] == CANDIDATE) & (talent["search_left"] <= 0)
        assert done.any() and (status[done] == GONE).all()
        assert np.array_equal(status[~done], talent["status"][~done])
        assert np.array_equal(status, states[0][0])
