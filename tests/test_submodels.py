"""Each submodel of ODD §7 run alone on the toy region, from a state a few months into a run.

``TalentModel.start_month`` prepares what every process relies on and ``run_process`` runs one
submodel with its own random stream, so a rule is checked without the rest of the month.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.categories import CHANNEL
from sim.config import load_scenario
from sim.model import TalentModel
from sim.submodels import firm_demography, firm_planning, housing, inflows, matching, policy, projects, retention, utility
from sim.categories import FEMALE, MALE
from sim.talent import APARTMENT, CANDIDATE, EMPLOYED, FIELDS, GONE, MARKET, SEARCHING


def _model(toy_scenario_path, months: int = 3, **overrides) -> TalentModel:
    model = TalentModel(load_scenario(toy_scenario_path, overrides={"run.end": "2023-12", **overrides}), seed=5)
    for _ in range(months):
        model.step()
    model.start_month()
    return model


def _prepared(toy_scenario_path, **overrides) -> TalentModel:
    """A model in the middle of a month: policy and firm planning done, ready for the processes after them."""
    model = _model(toy_scenario_path, **overrides)
    model.run_process("update_policy", policy.update_policy)
    model.run_process("plan_firms", firm_planning.plan_firms)
    return model


def test_policy_update_completes_the_apartments_the_budget_pays_for(toy_scenario_path) -> None:
    model = _model(toy_scenario_path, **{"levers.housing.apartments_per_year": 1200})
    before = model.apartment_supply.sum()
    model.run_process("update_policy", policy.update_policy)
    assert model.apartment_supply.sum() - before == pytest.approx(100.0)
    spent = model.government.spent_this_month[0]
    assert spent >= 100 * model.levers.housing.cost_per_apartment_yuan


def test_policy_update_completes_nothing_without_a_budget(toy_scenario_path) -> None:
    model = _model(toy_scenario_path, **{"levers.housing.apartments_per_year": 1200, "levers.housing.budget_yuan_per_year": 0})
    before = model.apartment_supply.copy()
    model.run_process("update_policy", policy.update_policy)
    assert np.array_equal(model.apartment_supply, before)


def test_firm_planning_opens_more_vacancies_when_demand_is_higher(toy_scenario_path) -> None:
    low, high = _model(toy_scenario_path), _model(toy_scenario_path)
    high.demand_level = high.demand_level * 1.5
    for model in (low, high):
        model.run_process("update_policy", policy.update_policy)
        model.run_process("plan_firms", firm_planning.plan_firms)
        assert (model.vacancies >= 0).all() and model.wage.shape == (model.S, len(model.tier_wage))
    assert high.vacancies.sum() > low.vacancies.sum()


def test_inflows_add_candidates_from_outside(toy_scenario_path) -> None:
    model = _prepared(toy_scenario_path)
    before = model.pool.size
    model.run_process("arrive", inflows.arrive)
    new = np.arange(before, model.pool.size)
    candidates = new[model.pool.status[new] == CANDIDATE]
    assert len(candidates) > 0
    assert (model.pool.sector[candidates] == -1).all() and (model.pool.employer[candidates] == -1).all()
    p = model.pool
    age = p.age[new]
    assert (age >= 21).all()
    # nobody arrives at or past the statutory age, and age is the whole months since birth
    assert (p.retire_month[new] > model.start + model.t).all()
    assert np.array_equal(np.round(age * 12).astype(np.int64), model.ages_as_of - p.birth_month[new].astype(np.int64))


def test_new_agents_fill_every_column_of_reused_rows(toy_scenario_path) -> None:
    # rows past the table's end keep what compaction left there: new agents must overwrite every column
    model = _prepared(toy_scenario_path)
    p, start = model.pool, model.pool.size
    for name in FIELDS:
        getattr(p, name)[start:start + 40] = 77
    model.draw = np.random.default_rng(11)
    rows = inflows.add_new_agents(model, n=40, status=EMPLOYED, tier=np.arange(40) % 4, channel="challenge", sector=2, employer=5,
                                  weight=1.0, age_mean=40.0, age_sd=6.0, months=0, source="challenge", queue_since=model.t)
    assert (rows.start, rows.stop) == (start, start + 40) and p.size == start + 40
    for name in FIELDS:
        assert not (getattr(p, name)[rows] == 77).any(), name
    assert (p.queue_since[rows] == model.t).all() and (p.search_left[rows] == 0).all() and (p.housing[rows] == MARKET).all()
    assert (p.tier[rows] == np.arange(40) % 4).all() and (p.employer[rows] == 5).all() and len(np.unique(p.uid[rows])) == 40
    # the draws, in their order, are those of separate calls: sex, track, age, any field, fit, doctorate, level, children
    rng = np.random.default_rng(11)
    u_male, _, normal, other_field = rng.random(40), rng.random(40), rng.normal(40.0, 6.0, 40), rng.integers(0, model.S, 40)
    u_fit = rng.random(40)
    assert (p.sex[rows] == np.where(u_male < model.unc.demography.male_share_inflow, MALE, FEMALE)).all()
    fits = u_fit < model.unc.newcomers.field_fit_share
    assert (p.field[rows][fits] == 2).all() and (p.field[rows][~fits] == other_field[~fits]).all()
    inside = (normal > model.unc.initial_state.working_start_age) & (normal < 45)  # short of every statutory age
    assert inside.sum() > 20
    assert np.array_equal(p.birth_month[rows][inside], model.ages_as_of - np.floor(normal[inside] * 12).astype(np.int64))


def test_matching_hires_no_more_than_the_vacancies(toy_scenario_path) -> None:
    model = _prepared(toy_scenario_path)
    model.run_process("arrive", inflows.arrive)
    vacancies = model.vacancies.copy()
    employed_before = model.stock_by_sector_tier().sum()
    model.run_process("search_and_match", matching.search_and_match)
    p = model.pool
    employed = np.flatnonzero(p.view("status") == EMPLOYED)
    assert (model.firms.sector[p.employer[employed]] == p.sector[employed]).all()
    hired = model.recorder.inflow[model.t].sum()
    assert 0 < hired <= vacancies.sum() + 1e-6
    assert model.stock_by_sector_tier().sum() > employed_before


def test_matching_hires_nobody_where_no_job_is_open(toy_scenario_path) -> None:
    model = _prepared(toy_scenario_path)
    model.run_process("arrive", inflows.arrive)
    model.vacancies[:] = 0.0
    model.firm_vacancy[:] = 0.0
    model.run_process("search_and_match", matching.search_and_match)
    assert model.recorder.inflow[model.t].sum() == 0.0


def test_housing_never_lets_more_apartments_than_exist(toy_scenario_path) -> None:
    model = _prepared(toy_scenario_path, **{"levers.housing.apartments_per_year": 3000})
    model.run_process("arrive", inflows.arrive)
    model.run_process("search_and_match", matching.search_and_match)
    model.run_process("allocate_housing", housing.allocate_housing)
    p = model.pool
    tenants = np.flatnonzero((p.view("housing") == APARTMENT) & p.resident_mask())
    occupied = np.bincount(model.sector_district[p.sector[tenants]], weights=p.weight[tenants], minlength=model.D)
    assert (occupied <= model.apartment_supply + 1e-6).all()
    assert (p.queue_since[tenants] == -1).all()  # a tenant no longer queues


def test_retention_retires_everyone_of_retirement_age_and_ages_the_rest(toy_scenario_path) -> None:
    model = _prepared(toy_scenario_path)
    p = model.pool
    month = model.start + model.t
    residents = np.flatnonzero(p.resident_mask())
    due = residents[p.retire_month[residents] <= month]
    old = residents[:50]
    p.retire_month[old] = month
    young = np.setdiff1d(residents[50:], due)
    age_before = p.age[young].copy()
    model.run_process("retain_and_exit", retention.retain_and_exit)
    assert (p.status[old] == GONE).all() and (p.status[due] == GONE).all()
    stayed = p.status[young] != GONE
    assert np.allclose(p.age[young][stayed], age_before[stayed] + 1 / 12, atol=1e-4)
    retired = model.recorder.outflow[model.t, :, :, model.recorder.out_retirement].sum()
    assert retired == pytest.approx(p.weight[np.union1d(old, due)].sum(), rel=1e-5)


def test_projects_are_selected_in_their_month_and_hire_their_teams(toy_scenario_path) -> None:
    model = _model(toy_scenario_path, months=0, **{"levers.projects.projects_per_year": 40, "levers.projects.selection_month": 1})
    model.run_process("update_policy", policy.update_policy)
    model.run_process("plan_firms", firm_planning.plan_firms)
    projects_before = model.firms.view("is_project").sum()
    model.run_process("run_projects", projects.run_projects)
    assert model.firms.view("is_project").sum() > projects_before
    assert model.recorder.inflow[model.t, :, :, CHANNEL["project"]].sum() > 0


def test_firm_exit_displaces_the_firms_talent(toy_scenario_path) -> None:
    model = _prepared(toy_scenario_path)
    model.beh = model.beh.model_copy(update={"exit_base_per_year": 1.0e4})  # so high that every ordinary firm closes this month
    fm, p = model.firms, model.pool
    model.run_process("enter_and_exit_firms", firm_demography.enter_and_exit_firms)
    closed = np.flatnonzero(~fm.view("alive") & ~fm.view("is_platform"))
    assert len(closed) > 0
    assert not np.isin(p.view("employer")[p.view("status") == EMPLOYED], closed).any()
    assert (p.view("status") == SEARCHING).any()


def test_utility_prefers_higher_wages(toy_scenario_path) -> None:
    model = _prepared(toy_scenario_path)
    base = utility.sector_utility(model)
    model.wage = model.wage * 1.2
    assert (utility.sector_utility(model) > base).all()
    assert utility.alternative_city_utility(model).shape == (model.tier_wage.shape[0],)


def test_every_process_of_the_schedule_is_a_submodel_function() -> None:
    assert [name for name, _ in TalentModel.schedule] == [
        "update_policy", "plan_firms", "arrive", "qualify", "search_and_match", "allocate_housing", "retain_and_exit", "run_projects",
        "enter_and_exit_firms", "move_residents"]
    assert all(fn.__module__.startswith("sim.submodels.") for _, fn in TalentModel.schedule)


def test_column_views_follow_the_table_as_it_grows_shrinks_and_replaces_columns():
    import copy

    from sim.talent import EMPLOYED, GONE, TalentPool

    pool = TalentPool(capacity=16)
    rows = pool.open_rows(10)
    pool.status[rows] = EMPLOYED
    first = pool.view("status")
    assert len(first) == 10 and pool.view("status") is first  # made once for a size
    pool.open_rows(40)  # past the capacity: every column is a new array
    grown = pool.view("status")
    assert len(grown) == 50 and np.shares_memory(grown, pool.status) and not np.shares_memory(grown, first)
    pool.status[:50] = GONE
    pool.status[[3, 7]] = EMPLOYED
    pool.compact()
    assert pool.size == 2 and len(pool.view("status")) == 2 and (pool.view("status") == EMPLOYED).all()
    twin = copy.deepcopy(pool)
    assert np.shares_memory(twin.view("status"), twin.status) and not np.shares_memory(twin.view("status"), pool.status)
    pool.status = np.full(pool.status.shape, GONE, pool.status.dtype)  # a column put in place of another
    assert (pool.view("status") == GONE).all()
