"""The two-sided talent market (ODD §7.4): the matching function, hires bounded by both sides, the
city's job prospects in the decision to come, and a regime that emerges rather than being assumed."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config import load_scenario
from sim.model import TalentModel
from tests.conftest import planned_toy_model
from sim.submodels import inflows, matching
from sim.talent import EMPLOYED

TOY_SHORT = {"run.end": "2023-12"}


def test_no_vacancies_give_no_hires(toy_scenario_path) -> None:
    model = planned_toy_model(toy_scenario_path)
    employed_before = int((model.pool.view("status") == EMPLOYED).sum())
    model.vacancies = np.zeros_like(model.vacancies)
    model.run_process("search_and_match", matching.search_and_match)
    market = model.recorder.labour[model.t]
    assert market[..., 1].sum() > 0  # people did seek
    assert market[..., 2].sum() == 0
    assert int((model.pool.view("status") == EMPLOYED).sum()) <= employed_before  # nobody hired (on-the-job seekers stay)


def test_hires_follow_the_matching_function_and_never_exceed_the_seekers(toy_run) -> None:
    # one agent per person on the toy region: hires differ from the matching function by less than one person per market
    market = toy_run.recorder.labour
    vacancies, seekers, hires = market[..., 0], market[..., 1], market[..., 2]
    beh = toy_run.beh
    expected = matching.matches(seekers=seekers, vacancies=vacancies, efficiency=beh.matching_efficiency,
                                elasticity=beh.matching_elasticity)
    assert (hires <= seekers).all()
    assert (hires < vacancies + 1).all()
    assert np.abs(hires - expected).max() < 1
    assert hires.sum() > 1000  # the markets were not empty
    # over all markets and months, the simulated finding rate is the function's
    assert hires.sum() / seekers.sum() == pytest.approx(expected.sum() / seekers.sum(), rel=0.01)


@pytest.mark.parametrize("weights", [1.0, 10.0])
def test_drawn_hires_equal_the_quota_in_expectation(weights) -> None:
    rng = np.random.default_rng(1)
    n, markets = 400, 4
    cell = rng.integers(0, markets, n)
    weight = np.full(n, weights)
    sought = np.bincount(cell, weights=weight, minlength=markets)
    quota = sought * np.array([0.0, 0.13, 0.5, 1.0])
    totals = []
    for _ in range(400):
        hired = matching.draw_hires(cell=cell, weight=weight, quota=quota, order_draw=rng.random(n), margin_draw=rng.random(n))
        got = np.bincount(cell[hired], weights=weight[hired], minlength=markets)
        assert (got <= sought).all() and (got < quota + weights).all() and (got > quota - weights).all()
        totals.append(got)
    np.testing.assert_allclose(np.mean(totals, axis=0), quota, atol=weights * 0.1)


@pytest.mark.parametrize("weight, fewer_come", [(1.0, True), (0.0, False)])
def test_the_citys_job_prospects_enter_the_decision_to_come(toy_scenario_path, weight, fewer_come) -> None:
    model = planned_toy_model(toy_scenario_path)
    model.finding_rate = np.full_like(model.finding_rate, 0.9)
    good = matching.job_prospect(model)
    model.finding_rate = np.full_like(model.finding_rate, 0.05)
    poor = matching.job_prospect(model)
    assert (poor < good).all() and (good <= 1).all() and (poor > 0).all()
    came = {}
    for rate in (0.9, 0.05):
        m = planned_toy_model(toy_scenario_path, **{"uncertainties.behaviour.job_prospect_weight": weight})
        m.finding_rate = np.full_like(m.finding_rate, rate)
        m.run_process("arrive", inflows.arrive)
        m.run_process("search_and_match", matching.search_and_match)
        came[rate] = m.recorder.labour[m.t][..., 1].sum()
    # with weight 0 the prospects are ignored: the same candidates come whatever the finding rate
    assert (came[0.05] < came[0.9]) if fewer_come else (came[0.05] == came[0.9])


# residents who qualify (§7.11) fill vacancies in place and so shift the market towards seekers; these studies
# compare regimes set by the candidates alone
NO_QUALIFICATION = {"qualification_rate_per_year": 0.0, "trainees_per_year": 0.0}


def _stock_and_tightness(toy_scenario_path, **overrides) -> tuple[float, float]:
    stock, tight = [], []
    for seed in (1, 2, 3):
        model = TalentModel(load_scenario(toy_scenario_path, overrides={**TOY_SHORT, **NO_QUALIFICATION, **overrides}), seed=seed).run()
        market = model.recorder.tables()["labour_market"].to_pandas()
        stock.append(model.recorder.stock[-1].sum())
        tight.append(market["vacancies"].sum() / market["job_seekers"].sum())
    return float(np.mean(stock)), float(np.mean(tight))


def test_more_graduates_raise_the_stock_where_seekers_are_short_and_not_where_vacancies_are(toy_scenario_path) -> None:
    few_candidates = {"uncertainties.behaviour.graduate_candidates_per_year": 1500,
                      "uncertainties.behaviour.migrant_candidates_per_year": 300}
    many_candidates = {"uncertainties.behaviour.graduate_candidates_per_year": 30000}
    more = {"uncertainties.graduate_supply": 1.2}
    short_base, short_tightness = _stock_and_tightness(toy_scenario_path, **few_candidates)
    short_more, _ = _stock_and_tightness(toy_scenario_path, **few_candidates, **more)
    ample_base, ample_tightness = _stock_and_tightness(toy_scenario_path, **many_candidates)
    ample_more, _ = _stock_and_tightness(toy_scenario_path, **many_candidates, **more)
    # the regime is read from the output, not set: vacancies per seeker above 1 in one, below 1 in the other
    assert short_tightness > 1 > ample_tightness
    gain_where_seekers_short = short_more - short_base
    gain_where_vacancies_short = ample_more - ample_base
    assert gain_where_seekers_short > 0.005 * short_base
    assert abs(gain_where_vacancies_short) < 0.2 * gain_where_seekers_short
