"""Qualification (ODD §7.11): residents who gain a qualification leave the non-talent cohorts and become talent
in place, exactly and never more than a cohort holds; the skills lever adds certificates within its budget."""

from __future__ import annotations

import numpy as np
import pytest

from sim.categories import AGES, CHANNEL, SEXES, SKILLED, K
from sim.config import load_scenario
from sim.government import LEVERS
from sim.kernels import employment
from sim.model import TalentModel
from sim.submodels import qualification as Q
from sim.talent import EMPLOYED

QUALIFICATION = CHANNEL["qualification"]
SKILLS = LEVERS.index("skills")


def _run(path, **overrides) -> TalentModel:
    return TalentModel(load_scenario(path, overrides={"run.end": "2022-12", **overrides}), seed=5).run()


def _qualified(model: TalentModel) -> float:
    return float(model.residents.flows["qualifications"][: model.t].sum())


def _up_to_qualify(path, **overrides) -> TalentModel:
    """A model two months in, with this month's processes run up to (not including) the qualification."""
    model = TalentModel(load_scenario(path, overrides={"run.end": "2022-12", **overrides}), seed=9)
    model.step()
    model.start_month()
    for name, submodel in model.schedule:
        if name == "qualify":
            return model
        model.run_process(name, submodel)
    raise AssertionError("qualify is not in the schedule")


def test_the_qualified_leave_the_cohorts_exactly_by_sex_and_age(toy_scenario_path) -> None:
    model = _up_to_qualify(toy_scenario_path, trainees_per_year=4000)
    before, first_new = model.residents.non_talent.copy(), model.pool.size
    model.run_process("qualify", Q.qualify)
    p = model.pool
    rows = np.arange(first_new, p.size)
    assert len(rows) > 0 and (p.channel[rows] == QUALIFICATION).all()
    taken = np.zeros((len(SEXES), AGES))
    np.add.at(taken, (p.sex[rows].astype(np.int64), np.floor(p.age[rows]).astype(np.int64)), p.weight[rows])
    np.testing.assert_allclose(before - model.residents.non_talent, taken, rtol=0, atol=1e-9)
    assert model.residents.flows["qualifications"][model.t] == pytest.approx(p.weight[rows].sum())
    # talent in place: employed by a firm in business, in the firm's sector, of the skilled tier, not past retirement
    firms = p.employer[rows]
    assert (p.status[rows] == EMPLOYED).all() and (p.tier[rows] == SKILLED).all()
    assert (model.firms.alive[firms] & ~model.firms.is_platform[firms]).all()
    assert (p.sector[rows] == model.firms.sector[firms]).all()
    assert (p.retire_month[rows] > model.start + model.t).all()


def test_the_firms_count_the_qualified_as_their_talent(toy_scenario_path) -> None:
    model = _up_to_qualify(toy_scenario_path, trainees_per_year=4000)
    skilled_vacancies = model.vacancies[:, SKILLED].copy()
    model.run_process("qualify", Q.qualify)
    p, fm = model.pool, model.firms
    by_firm, filled = employment(status=p.view("status"), employed_code=EMPLOYED, employer=p.view("employer"), sector=p.view("sector"),
                                 tier=p.view("tier"), weights=p.view("weight"), is_platform=fm.view("is_platform"), shape=(model.S, K))
    np.testing.assert_allclose(model.firm_talent, by_firm, rtol=1e-9)
    assert (model.vacancies[:, SKILLED] <= skilled_vacancies).all() and model.vacancies[:, SKILLED].sum() < skilled_vacancies.sum()


def test_the_residents_identity_holds_every_month_with_qualification(toy_scenario_path) -> None:
    model = _run(toy_scenario_path, trainees_per_year=4000)
    res, T = model.residents, model.t
    f = {name: series[:T] for name, series in res.flows.items()}
    residents = res.non_talent_total[: T + 1] + model.recorder.stock[: T + 1].sum(axis=(1, 2))
    change = f["births"] - f["deaths"] + f["non_talent_migration"] + f["talent_arrivals"] - f["talent_departures"]
    np.testing.assert_allclose(np.diff(residents), change, rtol=0, atol=1e-6 * residents.max())
    # the qualified are recorded as inflows of their channel, and count among the residents who became talent
    assert f["qualifications"].sum() == pytest.approx(model.recorder.inflow[..., QUALIFICATION].sum())
    assert (f["talent_from_residents"] >= f["qualifications"]).all() and f["qualifications"].min() > 0


def test_whole_agents_never_take_more_than_a_cohort_holds() -> None:
    rng = np.random.default_rng(0)
    non_talent = rng.uniform(0, 500, size=(len(SEXES), AGES))
    expected = non_talent * 3  # far more than there are: a cap must bind
    for per_agent in (1.0, 100.0, 333.0):
        count = Q.whole_agents(expected, non_talent=non_talent, per_agent=per_agent, u=rng.random(expected.shape))
        assert (count * per_agent <= non_talent + 1e-9).all()
        assert count.sum() > 0


def test_whole_agents_keep_the_expected_persons_at_any_scale() -> None:
    rng = np.random.default_rng(1)
    non_talent = np.full((len(SEXES), AGES), 1e6)
    expected = rng.uniform(0, 80, size=non_talent.shape)
    draws = [Q.whole_agents(expected, non_talent=non_talent, per_agent=100.0, u=rng.random(expected.shape)).sum() * 100.0
             for _ in range(400)]
    assert np.mean(draws) == pytest.approx(expected.sum(), rel=0.02)


def test_a_huge_rate_takes_no_more_than_the_cohorts_hold(toy_scenario_path) -> None:
    model = _run(toy_scenario_path, qualification_rate_per_year=1.0, relative_rate_18_24=10, relative_rate_35_44=10,
                 relative_rate_45_54=10, trainees_per_year=1e6, **{"levers.skills.budget_yuan_per_year": 1e12, "run.scale": 50})
    for non_talent, _ in model.residents.snapshots.values():
        assert non_talent.min() >= 0
    assert model.residents.non_talent.min() >= 0 and _qualified(model) > 0


def test_no_rate_and_no_trainees_bring_no_qualified(toy_scenario_path) -> None:
    model = _run(toy_scenario_path, qualification_rate_per_year=0.0, trainees_per_year=0.0)
    assert _qualified(model) == 0 and model.recorder.inflow[..., QUALIFICATION].sum() == 0
    assert model.recorder.spending[:, SKILLS].sum() == 0
    some = _run(toy_scenario_path, qualification_rate_per_year=0.0, trainees_per_year=4000)
    assert _qualified(some) > 0  # the lever alone still qualifies residents


def test_more_trainees_bring_more_qualified_and_more_spending(toy_scenario_path) -> None:
    runs = {n: _run(toy_scenario_path, trainees_per_year=n) for n in (0.0, 4000.0, 8000.0)}
    qualified = {n: _qualified(m) for n, m in runs.items()}
    spent = {n: m.recorder.spending[:, SKILLS].sum() for n, m in runs.items()}
    assert qualified[0.0] < qualified[4000.0] < qualified[8000.0]
    assert spent[0.0] == 0 < spent[4000.0] < spent[8000.0]
    skills, deadweight = runs[8000.0].levers.skills, runs[8000.0].unc.qualification.deadweight_share
    assert spent[8000.0] == pytest.approx(8000.0 * skills.cost_per_trainee_yuan)
    additional = 8000.0 * skills.certification_share * (1 - deadweight)
    assert qualified[8000.0] - qualified[0.0] == pytest.approx(additional, rel=0.1)


def test_the_budget_caps_the_trainees(toy_scenario_path) -> None:
    budget = 2.0e6  # a third of what 4,000 trainees at 1,500 yuan cost
    capped = _run(toy_scenario_path, trainees_per_year=4000, **{"levers.skills.budget_yuan_per_year": budget})
    full = _run(toy_scenario_path, trainees_per_year=4000)
    none = _run(toy_scenario_path, trainees_per_year=0.0)
    assert capped.recorder.spending[:, SKILLS].sum() == pytest.approx(budget)
    assert _qualified(none) < _qualified(capped) < _qualified(full)
