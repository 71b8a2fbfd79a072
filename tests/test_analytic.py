"""The analytic limit: without interactions and with a fixed exit hazard h, the model is a cohort projection.

Every candidate comes and is hired, and each resident leaves with probability h in the month,
after that month's arrivals, so E[S(t+1)] = (E[S(t)] + I(t)) (1 - h), with I(t) the expected
arrivals. The mean over seeds must match this within its sampling error.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.categories import INFLOW_CHANNELS, TIERS
from sim.config import load_scenario
from sim.model import TalentModel

SEEDS = range(20)
START, END = "2022-03", "2024-02"  # 24 months; a March start checks that graduates follow the calendar month
SKILLED, MUNICIPAL, PROVINCIAL = (TIERS.index(t) for t in ("skilled", "municipal", "provincial"))


def _limit_scenario(path, h: float):
    return load_scenario(path, overrides={
        "interactions": False, "fixed_rates": True, "exit_rate_fixed": h,
        # levers that bring talent outside the candidate channels
        "projects_per_year": 0, "demands_per_year": 0, "packages_per_year": 0,
        # and residents who gain a qualification (§7.11)
        "qualification_rate_per_year": 0.0, "trainees_per_year": 0.0,
        # a supply multiplier and trend different from 1 and 0, so that both must enter I(t)
        "graduate_supply": 0.9, "graduate_supply_trend": 0.02,
        "run.start": START, "run.end": END,
    })


def expected_arrivals(scenario, n_months: int) -> dict[str, np.ndarray]:
    """Expected persons arriving each month, by channel and tier, from the scenario's parameters."""
    beh, unc = scenario.uncertainties.behaviour, scenario.uncertainties
    first_month = int(scenario.run.start.split("-")[1]) - 1
    shares = np.asarray(beh.graduate_month_shares, dtype=float)
    t = np.arange(n_months)
    graduates = (beh.graduate_candidates_per_year * unc.graduate_supply * (1 + unc.graduate_supply_trend) ** (t / 12)
                 * shares[(first_month + t) % 12] / shares.sum())
    flat = lambda per_year: np.full(n_months, per_year / 12)
    return {
        "graduate": graduates,
        "migrant": flat(beh.migrant_candidates_per_year),
        "returnee": flat(beh.returnee_candidates_per_year),
        "high_end": flat(beh.high_end_candidates_per_year),
    }


def cohort_projection(s0: float, arrivals: np.ndarray, h: float) -> np.ndarray:
    path = [s0]
    for inflow in arrivals:
        path.append((path[-1] + inflow) * (1 - h))
    return np.array(path)


@pytest.fixture(scope="module", params=[0.01, 0.03], ids=["h=0.01", "h=0.03"])
def limit_runs(request, toy_scenario_path):
    h = request.param
    scenario = _limit_scenario(toy_scenario_path, h)
    runs = [TalentModel(scenario, seed=seed).run() for seed in SEEDS]
    stock = np.array([m.recorder.stock.sum(axis=1) for m in runs])  # seeds x (T+1) x tiers
    inflow = np.array([m.recorder.inflow.sum(axis=(1, 2)) for m in runs])  # seeds x T x channels
    return h, scenario, stock, inflow


def _mean_and_se(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return samples.mean(axis=0), samples.std(axis=0, ddof=1) / np.sqrt(len(samples))


def _critical_t(*, n_seeds: int, n_months: int, family_error: float = 1e-3) -> float:
    """Student's t bound for all months at once: a check of many months at 4 SE each would fail
    a correct model now and then by chance alone (Bonferroni over the months)."""
    from scipy.stats import t

    return float(t.ppf(1 - family_error / (2 * n_months), n_seeds - 1))


def _assert_matches(simulated: np.ndarray, closed: np.ndarray, what: str) -> None:
    mean, se = _mean_and_se(simulated)
    tol = _critical_t(n_seeds=len(simulated), n_months=simulated.shape[1]) * se + 1.0
    bad = np.flatnonzero(np.abs(mean - closed) > tol)
    assert not len(bad), (f"{what}: mean over {len(simulated)} seeds departs from the closed form in months {bad.tolist()}; "
                          f"first: simulated {mean[bad[0]]:.1f} ± {se[bad[0]]:.1f} vs closed form {closed[bad[0]]:.1f}")


def test_arrivals_match_expected_candidates(limit_runs) -> None:
    _, scenario, _, inflow = limit_runs
    expected = expected_arrivals(scenario, inflow.shape[1])
    for channel, values in expected.items():
        _assert_matches(inflow[..., INFLOW_CHANNELS.index(channel)], values, f"{channel} inflow")
    others = [i for i, c in enumerate(INFLOW_CHANNELS) if c not in expected]
    assert inflow[..., others].sum() == 0, "only the candidate channels may bring talent in the analytic limit"


def test_city_stock_follows_cohort_projection(limit_runs) -> None:
    h, scenario, stock, _ = limit_runs
    total = stock.sum(axis=2)
    arrivals = sum(expected_arrivals(scenario, total.shape[1] - 1).values())
    assert np.all(total[:, 0] == total[0, 0]), "the initial stock does not depend on the seed"
    _assert_matches(total, cohort_projection(total[0, 0], arrivals, h), "city total stock")


def test_tier_stocks_follow_cohort_projection(limit_runs) -> None:
    h, scenario, stock, _ = limit_runs
    a = expected_arrivals(scenario, stock.shape[1] - 1)
    by_tier = {
        SKILLED: a["graduate"] + a["migrant"] + a["returnee"],
        MUNICIPAL: 0.8 * a["high_end"],
        PROVINCIAL: 0.2 * a["high_end"],
    }
    for k, arrivals in by_tier.items():
        _assert_matches(stock[..., k], cohort_projection(stock[0, 0, k], arrivals, h), f"{TIERS[k]} stock")


def test_closed_form_rejects_wrong_exit_rates(limit_runs) -> None:
    # the comparison has power: the same runs are far from projections with no exits or a doubled hazard
    h, scenario, stock, _ = limit_runs
    total = stock.sum(axis=2)
    mean, se = _mean_and_se(total)
    arrivals = sum(expected_arrivals(scenario, total.shape[1] - 1).values())
    for wrong_h in (0.0, 2 * h):
        wrong = cohort_projection(total[0, 0], arrivals, wrong_h)
        assert abs(mean[-1] - wrong[-1]) > 10 * se[-1] + 1.0, f"cannot tell h={h} from h={wrong_h}"
    no_exits = total[0, 0] + arrivals.sum()
    assert mean[-1] < no_exits - 10 * se[-1]
