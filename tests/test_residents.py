"""Residents (ODD §7.10): the cohort-component accounts balance, talent is a subset of the residents,
the census is reproduced, and the cohorts age without losing anyone."""

from __future__ import annotations

import numpy as np
import pytest

from sim.categories import AGES, FEMALE, MALE
from sim.config import load_scenario
from sim.population_config import ResidentRates
from sim.errors import ConfigError
from sim.model import TalentModel
from sim.region import load_region
from sim.submodels import residents as R


# Residents gaining a qualification (§7.11) are drawn from the cohorts, so the cohorts shape talent through them;
# with it off, talent behaviour does not depend on the residents at all
NO_QUALIFICATION = {"qualification_rate_per_year": 0.0, "trainees_per_year": 0.0}


def _residents_series(model: TalentModel) -> np.ndarray:
    """Residents at each month end, the initial state first: non-talent cohorts plus the recorded talent stock."""
    return model.residents.non_talent_total[: model.t + 1] + model.recorder.stock[: model.t + 1].sum(axis=(1, 2))


def test_every_month_residents_change_by_births_less_deaths_plus_net_migration(toy_run) -> None:
    res, T = toy_run.residents, toy_run.t
    f = {name: series[:T] for name, series in res.flows.items()}
    net_migration = f["non_talent_migration"] + f["talent_arrivals"] - f["talent_departures"]
    residents = _residents_series(toy_run)
    np.testing.assert_allclose(np.diff(residents), f["births"] - f["deaths"] + net_migration, rtol=0, atol=1e-6 * residents.max())
    assert f["talent_arrivals"].sum() > 0 and f["talent_departures"].sum() > 0 and f["births"].min() > 0


def test_the_annual_table_balances_year_on_year(toy_run) -> None:
    table = toy_run.recorder.tables()["city_annual"].to_pandas()
    change = table["residents"].diff().iloc[1:]
    components = (table["births"] - table["deaths"] + table["net_migration"]).iloc[1:]
    np.testing.assert_allclose(change, components, rtol=1e-9)
    np.testing.assert_allclose(table["net_migration"], table["non_talent_net_migration"] + table["talent_net_migration"].fillna(0.0))
    np.testing.assert_allclose(table["talent_share"], table["talent_stock"] / table["residents"])
    # the age groups add up to the residents (talent by age is scaled to the recorded stock)
    np.testing.assert_allclose(table["residents_0_14"] + table["residents_15_64"] + table["residents_65_plus"], table["residents"], rtol=1e-9)


def test_talent_is_a_subset_of_the_working_age_residents(toy_run) -> None:
    tables = toy_run.recorder.tables()
    annual = tables["city_annual"].to_pandas()
    by_age = tables["residents_by_age"].to_pandas()
    assert (by_age["talent"] <= by_age["residents"] + 1e-6).all()
    old_talent = by_age[by_age["age_group"].isin([f"{a}-{a + 4}" for a in range(65, 100, 5)] + ["100+"])].groupby("year")["talent"].sum()
    assert (annual["talent_stock"].to_numpy() <= annual["residents_15_64"].to_numpy() + old_talent.to_numpy() + 1e-6).all()
    for non_talent, _ in toy_run.residents.snapshots.values():
        assert non_talent.min() >= 0


@pytest.mark.parametrize("width", [1, 5, 9])
def test_the_census_population_reproduces_the_census_shares(toy_region_path, width) -> None:
    census = load_region(str(toy_region_path)).residents
    population, _ = R.census_rates(census, demo=ResidentRates(age_smoothing_years=width))
    total = population.sum()
    assert total == pytest.approx(census.population.value, rel=1e-9)
    assert population[MALE].sum() / total == pytest.approx(census.male_share.value, abs=1e-9)
    assert population[:, :15].sum() / total == pytest.approx(census.age_0_14_share.value, abs=1e-9)
    assert population[:, 60:].sum() / total == pytest.approx(census.age_60_plus_share.value, abs=1e-9)
    assert population[:, 65:].sum() / total == pytest.approx(census.age_65_plus_share.value, abs=1e-9)
    assert (population > 0).all()
    if width > 1:  # smoothing leaves no cliff between the bands
        both = population.sum(axis=0)
        assert np.abs(np.diff(both[5:90])).max() < 0.25 * both[5:90].mean()


def test_the_census_rates_give_the_census_birth_and_death_rates(toy_region_path) -> None:
    census = load_region(str(toy_region_path)).residents
    population, rates = R.census_rates(census, demo=ResidentRates())
    assert (rates.mortality * population).sum() / population.sum() == pytest.approx(census.crude_death_rate.value, rel=1e-9)
    assert (rates.fertility * population[FEMALE]).sum() / population.sum() == pytest.approx(census.crude_birth_rate.value, rel=1e-9)
    assert (np.diff(rates.mortality[:, 30:], axis=1) > 0).all() and (rates.mortality[MALE] > rates.mortality[FEMALE]).all()


def test_cohorts_age_a_year_in_twelve_months_and_lose_nobody() -> None:
    population = np.zeros((2, AGES))
    population[:, :80] = np.linspace(1000, 200, 80)
    still = R.VitalRates(fertility=np.zeros(AGES), mortality=np.zeros((2, AGES)), migration=R.migration_profile(ResidentRates()),
                         net_migration=0.0, boy_share=0.5)
    later, totals = R.project(population, rates=still, months=60)
    assert later.sum() == pytest.approx(population.sum(), rel=1e-12)
    assert totals == {"births": 0.0, "deaths": 0.0, "migration": 0.0}
    mean_age = lambda p: (p.sum(axis=0) * np.arange(AGES)).sum() / p.sum()
    assert mean_age(later) - mean_age(population) == pytest.approx(5.0, abs=1e-3)


def test_with_births_equal_to_deaths_and_no_migration_the_total_holds(toy_region_path) -> None:
    census = load_region(str(toy_region_path)).residents  # its crude birth and death rates are equal
    assert census.crude_birth_rate.value == census.crude_death_rate.value
    population, rates = R.census_rates(census, demo=ResidentRates(net_migration_per_year=0.0))
    one_year, totals = R.project(population, rates=rates, months=12)
    assert totals["births"] == pytest.approx(totals["deaths"], rel=0.03)
    assert one_year.sum() == pytest.approx(population.sum(), rel=5e-4)
    five_years, _ = R.project(population, rates=rates, months=60)
    assert five_years.sum() == pytest.approx(population.sum(), rel=0.01)


def test_net_migration_follows_its_level_and_age_profile(toy_region_path) -> None:
    census = load_region(str(toy_region_path)).residents
    demo = ResidentRates(net_migration_per_year=12000.0)
    population, rates = R.census_rates(census, demo=demo)
    _, totals = R.project(population, rates=rates, months=12)
    assert totals["migration"] == pytest.approx(12000.0, rel=1e-9)
    profile = rates.migration.sum(axis=0)
    assert 18 <= int(np.argmax(profile[10:])) + 10 <= 30  # the labour-migration peak
    assert rates.migration[MALE].sum() == pytest.approx(demo.migrant_male_share)


def test_local_graduates_become_talent_without_migrating(toy_scenario_path) -> None:
    runs = {}
    for share in (0.05, 0.4):
        scenario = load_scenario(toy_scenario_path, overrides={"run.end": "2022-09", "local_graduate_share": share, **NO_QUALIFICATION})
        runs[share] = TalentModel(scenario, seed=4).run()
    low, high = runs[0.05], runs[0.4]
    np.testing.assert_array_equal(low.recorder.stock, high.recorder.stock)  # talent behaviour does not depend on it
    moved = {share: m.residents.flows["talent_from_residents"].sum() for share, m in runs.items()}
    assert moved[0.4] == pytest.approx(8 * moved[0.05]) and moved[0.4] > 0
    arrivals = {share: m.residents.flows["talent_arrivals"].sum() for share, m in runs.items()}
    assert arrivals[0.05] - arrivals[0.4] == pytest.approx(moved[0.4] - moved[0.05])
    # the residents differ only by the local graduates' own counts: both runs start from the same cohorts
    assert _residents_series(high)[-1] < _residents_series(low)[-1]


@pytest.mark.parametrize("service_weight, same", [(0.0, True), (0.6, False)])
def test_residents_change_talent_behaviour_only_through_beds_and_qualification(toy_scenario_path, service_weight, same) -> None:
    """The residents share the hospital beds (ODD §7.0, §7.10) and some gain a qualification (§7.11); with neither
    the service weight nor qualification they leave talent alone."""
    settings = {"run.end": "2022-12", "service_weight": service_weight, **NO_QUALIFICATION}
    base = load_scenario(toy_scenario_path, overrides=settings)
    moved = load_scenario(toy_scenario_path, overrides={**settings, "net_migration_per_year": 30000, "mortality_slope": 0.1})
    a, b = TalentModel(base, seed=2).run(), TalentModel(moved, seed=2).run()
    assert np.array_equal(a.recorder.stock, b.recorder.stock) == same
    assert _residents_series(b)[-1] > _residents_series(a)[-1] + 20000


def test_retired_talent_stays_a_resident(toy_scenario_path) -> None:
    model = TalentModel(load_scenario(toy_scenario_path, overrides={"run.end": "2022-06"}), seed=1).run()
    retired = model.recorder.outflow[..., model.recorder.out_retirement].sum()
    assert retired > 0
    assert model.residents.flows["retirements"].sum() == pytest.approx(retired)


def test_datacollector_reports_residents_and_the_talent_share(toy_run) -> None:
    frame = toy_run.datacollector.get_model_vars_dataframe()
    np.testing.assert_allclose(frame["residents"].to_numpy(), _residents_series(toy_run), rtol=1e-12)
    np.testing.assert_allclose(frame["talent_share"], frame["talent_stock"] / frame["residents"], rtol=1e-12)


def test_a_census_with_inconsistent_shares_is_refused(tmp_path, toy_region_path) -> None:
    text = toy_region_path.read_text(encoding="utf-8").replace("age_65_plus_share: {value: 0.14", "age_65_plus_share: {value: 0.24")
    bad = tmp_path / "bad_region.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="65"):
        load_region(str(bad))
