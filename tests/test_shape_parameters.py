"""The shapes of the initial state, of newcomers and of firms are configuration (sim/shape_config.py):
each setting reaches the rule that uses it, and shares that must add up to one are checked on reading."""

from __future__ import annotations

import numpy as np
import pytest

from sim.categories import SKILLED, TIERS
from sim.config import load_scenario
from sim.errors import ConfigError
from sim.model import TalentModel
from sim.submodels import firm_demography, firm_planning, inflows, policy
from sim.talent import BACHELOR, CANDIDATE


def _toy(toy_scenario_path, **overrides) -> TalentModel:
    return TalentModel(load_scenario(toy_scenario_path, overrides={"run.end": "2023-12", **overrides}), seed=5)


def test_the_field_of_study_fits_the_sector_as_often_as_configured(toy_scenario_path) -> None:
    p = _toy(toy_scenario_path, field_fit_share=1.0).pool
    assert np.array_equal(p.view("field"), p.view("sector"))
    p = _toy(toy_scenario_path, field_fit_share=0.0).pool
    assert not np.array_equal(p.view("field"), p.view("sector"))


def test_the_skilled_education_shares_are_read_from_configuration(toy_scenario_path) -> None:
    p = _toy(toy_scenario_path, skilled_education_shares=[0.0, 1.0, 0.0, 0.0]).pool
    assert (p.view("education")[p.view("tier") == SKILLED] == BACHELOR).all()


@pytest.mark.parametrize("shares", [[0.5, 0.5, 0.5, 0.0], [0.2, 0.3, 0.5], [1.2, -0.2, 0.0, 0.0]])
def test_shares_that_do_not_add_up_to_one_are_refused(toy_scenario_path, shares) -> None:
    with pytest.raises(ConfigError, match="skilled_education_shares"):
        load_scenario(toy_scenario_path, overrides={"skilled_education_shares": shares})


def test_high_end_candidates_split_between_tiers_as_configured(toy_scenario_path) -> None:
    model = _toy(toy_scenario_path, high_end_municipal_share=1.0, high_end_candidates_per_year=12000)
    model.start_month()
    before = model.pool.size
    model.run_process("update_policy", policy.update_policy)
    model.run_process("plan_firms", firm_planning.plan_firms)
    model.run_process("arrive", inflows.arrive)
    new = np.arange(before, model.pool.size)
    tiers = model.pool.tier[new[model.pool.status[new] == CANDIDATE]]
    assert (tiers == TIERS.index("municipal")).sum() > 0
    assert (tiers == TIERS.index("provincial")).sum() == 0


def test_initial_firms_are_founded_within_the_configured_years(toy_scenario_path) -> None:
    fm = _toy(toy_scenario_path, initial_firm_age_min_years=2, initial_firm_age_max_years=3).firms
    born = fm.view("born")[~fm.view("is_platform")]
    assert born.min() >= -36 and born.max() <= -24


def test_entrants_start_at_the_configured_share_of_their_size(toy_scenario_path) -> None:
    model = _toy(toy_scenario_path, entrant_start_share=1.0)
    model.start_month()
    before = model.firms.size
    model.run_process("enter_and_exit_firms", lambda m: firm_demography.add_entrants(m, sector=np.zeros(5, np.int64), funding=np.zeros(5)))
    new = np.arange(before, model.firms.size)
    assert np.allclose(model.firms.jobs[new], model.firms.base_jobs[new] * model.demand_level)


def test_the_ccd_weight_of_talent_is_configuration(toy_scenario_path) -> None:
    model = _toy(toy_scenario_path, ccd_talent_weight=1.0)
    model.step()
    u_talent, u_industry, _, index, _ = model.recorder.coupling[0].T
    assert np.allclose(index, u_talent) and not np.allclose(index, u_industry)
