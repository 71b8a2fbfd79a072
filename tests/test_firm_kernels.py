"""The firm-table kernels: compiled and numpy paths agree bit for bit, and the exit bound is a bound."""

from __future__ import annotations

import numpy as np
import pytest

from sim import firm_kernels as fk
from sim.kernels import USING_NUMBA

needs_numba = pytest.mark.skipif(not USING_NUMBA, reason="numba not installed: only the numpy path exists")
N_FIRMS = 5_000


def _firms(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = N_FIRMS
    return {
        "sector": rng.integers(0, 10, n).astype(np.int64),
        "jobs": np.concatenate([rng.lognormal(3, 1.5, n - 3), [0.2, 1.0, 3e20]]),
        "lp": rng.normal(0, 0.2, n), "lr": rng.normal(0, 0.2, n), "shock": rng.normal(0, 1, n),
        "output_per_job": rng.uniform(1e5, 1e6, n),
        "funding": np.where(rng.random(n) < 0.3, rng.lognormal(14, 2, n), 0.0),
        "born": rng.integers(-400, 100, n).astype(np.int32),
        "alive": rng.random(n) < 0.9, "is_platform": rng.random(n) < 0.01,
        "is_project": rng.random(n) < 0.05, "is_little_giant": rng.random(n) < 0.1,
        "draw": rng.random(n), "spillover": rng.normal(0, 0.05, 10),
    }


def _exit_args(f: dict[str, np.ndarray], *, selection: float = 0.4) -> tuple:
    in_business = f["alive"] & ~f["is_platform"]
    youth = 1.0 + 2.0 * np.exp(-np.arange(501) / 36.0)
    bound = fk.size_factor_bounds(reference_jobs=100.0, elasticity=0.5)
    return (f["jobs"], f["born"], f["funding"], f["draw"], in_business, 100, youth, bound, 0.02, selection, 0.3, 1e7)


@needs_numba
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_compiled_firm_kernels_equal_numpy_bit_for_bit(seed):
    f = _firms(seed)
    lp_compiled, lp_plain = f["lp"].copy(), f["lp"].copy()
    walk = (f["lr"], f["shock"], 0.98, 0.03, f["spillover"], f["sector"], 1.2)
    exponent_compiled = fk._productivity_walk_numba(lp_compiled, *walk)
    exponent_plain = fk._productivity_walk_numpy(lp_plain, *walk)
    assert np.array_equal(lp_compiled, lp_plain) and not np.array_equal(lp_plain, f["lp"])
    assert np.array_equal(exponent_compiled, exponent_plain)
    for compiled, plain in zip(fk._funded_output_ratio_numba(f["jobs"], f["output_per_job"], f["funding"]),
                               fk._funded_output_ratio_numpy(f["jobs"], f["output_per_job"], f["funding"])):
        assert np.array_equal(compiled, plain) and len(plain) > 0
    in_business = f["alive"] & ~f["is_platform"]
    for sector in (f["sector"], np.sort(f["sector"])):  # firms scattered over clusters, and in runs of one cluster
        for compiled, plain in zip(fk._cluster_sums_numba(sector, f["lp"], in_business, 12), fk._cluster_sums_numpy(sector, f["lp"], in_business, 12)):
            assert np.array_equal(compiled, plain)
    output = (f["jobs"], f["output_per_job"], np.exp(f["lp"]), f["alive"])
    assert np.array_equal(fk._monthly_output_numba(*output), fk._monthly_output_numpy(*output))
    exit_args = _exit_args(f)
    plain = fk._exit_candidates_numpy(*exit_args)
    assert np.array_equal(fk._exit_candidates_numba(*exit_args), plain) and 0 < len(plain) < N_FIRMS // 2
    promotion = (in_business, f["is_little_giant"], f["born"], 40.5, f["draw"], 0.1)
    plain = fk._promotion_candidates_numpy(*promotion)
    assert np.array_equal(fk._promotion_candidates_numba(*promotion), plain) and len(plain) > 0
    funding_compiled, funding_plain = f["funding"].copy(), f["funding"].copy()
    loans = (f["jobs"], f["alive"], f["is_project"], f["is_little_giant"], 0.99)
    weights_compiled, any_compiled = fk._loan_weights_numba(funding_compiled, *loans)
    weights_plain, any_plain = fk._loan_weights_numpy(funding_plain, *loans)
    assert np.array_equal(weights_compiled, weights_plain) and any_compiled == any_plain
    fk._add_loans_numba(funding_compiled, weights_compiled, 3.3e8, weights_plain.sum())
    fk._add_loans_numpy(funding_plain, weights_plain, 3.3e8, weights_plain.sum())
    assert np.array_equal(funding_compiled, funding_plain) and not np.array_equal(funding_plain, f["funding"])
    solved = np.array([3, 17, 3, 3, 4000, 17])  # a firm may solve several demands in a month
    compiled_columns = (f["lp"].copy(), f["lr"].copy(), np.zeros(N_FIRMS, np.int32))
    plain_columns = (f["lp"].copy(), f["lr"].copy(), np.zeros(N_FIRMS, np.int32))
    fk._credit_solved_demands_numba(*compiled_columns, solved, 0.03)
    fk._credit_solved_demands_numpy(*plain_columns, solved, 0.03)
    for compiled, plain in zip(compiled_columns, plain_columns):
        assert np.array_equal(compiled, plain) and compiled.dtype == plain.dtype
    assert plain_columns[2][3] == 3 and not np.array_equal(plain_columns[0], f["lp"])


@pytest.mark.parametrize("elasticity", [0.5, 0.0, -0.3, 1.7])
def test_exit_candidates_hold_every_firm_whose_draw_is_below_its_exact_hazard(elasticity):
    """The bound may let through firms that will not close, never miss one that will."""
    from types import SimpleNamespace

    from sim.submodels.firm_demography import exit_hazard, youth_factors
    f = _firms(7)
    f["draw"] = f["draw"] * 0.05  # many firms below their hazard, so that a missed one would show
    beh = SimpleNamespace(exit_reference_jobs=100.0, exit_size_elasticity=elasticity, exit_youth_multiple=3.0, exit_youth_years=1.0,
                          funded_exit_reduction=0.3, exit_base_per_year=0.02, exit_rate_per_year=0.4)
    month, ticket = 100, 1e7
    low = f["lp"] < -0.1
    age = month - f["born"]
    hazard = exit_hazard(jobs=f["jobs"], age_months=age, low_productivity=low, funding=f["funding"], beh=beh, ticket_yuan=ticket)
    in_business = f["alive"] & ~f["is_platform"]
    closing = np.flatnonzero(in_business & (f["draw"] < hazard))
    candidates = fk.exit_candidates(jobs=f["jobs"], born=f["born"], funding=f["funding"], draw=f["draw"], in_business=in_business, month=month,
                                    youth=youth_factors(oldest=int(age.max()), beh=beh),
                                    size_bound=fk.size_factor_bounds(reference_jobs=100.0, elasticity=elasticity),
                                    base=0.02, selection=0.4, reduction=0.3, ticket=ticket)
    assert len(closing) > 20
    assert np.isin(closing, candidates).all()
    # the exact hazard over the candidates alone closes the same firms as over all of them
    sub = exit_hazard(jobs=f["jobs"][candidates], age_months=age[candidates], low_productivity=low[candidates],
                      funding=f["funding"][candidates], beh=beh, ticket_yuan=ticket)
    assert np.array_equal(candidates[f["draw"][candidates] < sub], closing)


def test_youth_factors_are_the_formula_at_every_age_whatever_the_table_length():
    from types import SimpleNamespace

    from sim.submodels.firm_demography import youth_factors

    beh = SimpleNamespace(exit_youth_multiple=2.7, exit_youth_years=3.1)
    for oldest in (0, 1, 238, 239, 240, 241, 1000):
        direct = 1.0 + (beh.exit_youth_multiple - 1.0) * np.exp(-np.arange(oldest + 1) / (12.0 * beh.exit_youth_years))
        assert np.array_equal(youth_factors(oldest=oldest, beh=beh), direct)


def _order_statistics_cases() -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    jobs = rng.lognormal(3, 1.5, 17_000)
    ties = np.round(rng.lognormal(1, 1, 5_001))  # many equal values
    return [jobs, ties, np.sort(jobs), np.sort(jobs)[::-1].copy(), np.full(999, 4.0), np.array([7.0]), np.array([2.0, 1.0]),
            np.array([3.0, np.inf, 1.0, -np.inf, 3.0]), np.array([1.0, np.nan, 0.5, 2.0])]


@pytest.mark.parametrize("case", range(9))
def test_order_statistics_are_those_of_the_sorted_values(case):
    values = _order_statistics_cases()[case]
    before = values.copy()
    for q in (0.0, 0.25, 0.5, 0.75, 0.9, 1.0):
        low = int(np.floor(q * (len(values) - 1)))
        high = min(low + 1, len(values) - 1)
        lower, upper = fk.order_statistics(values, low=low, high=high)
        expected = fk._order_statistics_numpy(values, low, high)
        if np.isnan(values).any():  # no order: numpy's partition puts NaN last
            assert (lower, upper) == pytest.approx(expected, nan_ok=True)
            continue
        assert (lower, upper) == expected
        assert (lower, upper) == tuple(np.sort(values)[[low, high]])
    assert np.array_equal(values, before, equal_nan=True)  # the values are left as they were


def test_order_statistics_refuse_ranks_outside_the_values():
    for low, high in ((-1, 0), (3, 3), (1, 0), (0, 2)):
        with pytest.raises(ValueError, match="order statistics"):
            fk.order_statistics(np.array([1.0, 2.0, 3.0]), low=low, high=high)


@pytest.mark.parametrize("values", [np.array([5, 3, 9, 1], dtype=np.int64), np.array([5, 3, 9, 1], dtype=np.float32), [5, 3, 9, 1]])
def test_order_statistics_of_any_numbers_are_floats_on_either_path(values):
    plain = fk._order_statistics_numpy(np.asarray(values), 1, 2)
    both = fk.order_statistics(values, low=1, high=2)
    assert plain == both == (3.0, 5.0) and all(type(v) is float for v in (*plain, *both))


def test_order_statistics_refuse_a_table_of_values():
    with pytest.raises(ValueError, match="one-dimensional"):
        fk.order_statistics(np.ones((3, 2)), low=0, high=1)
