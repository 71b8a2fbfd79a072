"""Sex, ages and statutory retirement (ODD §5, §7.3, §7.6): the reform's schedule month by month, the
initial age and sex structure, the sex of inflows, and retirement in the month the age is reached.

Expected retirement ages are derived here from the rule as the law writes it (Measures on the gradual
raising of the statutory retirement age, art. 1): from 2025-01-01 the statutory age rises by one month
for every four months (women whose old age is 50: every two months) of *old retirement date*, up to
63 / 58 / 55. The code works by birth cohort; the test counts from the old retirement date instead.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.categories import SKILLED
from sim.config import load_scenario
from sim.population_config import Demography
from sim.dates import month_index
from sim.demography import CADRE, FEMALE, MALE, WORKER, draw_working_ages, statutory_retirement_age
from sim.model import TalentModel

REFORM_START = month_index("2025-01")
# (old age, months of old retirement date per month added, final age) as the law states them
LAW = {(MALE, WORKER): (60, 4, 63), (MALE, CADRE): (60, 4, 63), (FEMALE, CADRE): (55, 4, 58), (FEMALE, WORKER): (50, 2, 55)}


def law_age(birth: int, sex: int, track: int, *, reform: bool = True) -> int:
    """Statutory age in months from the law's text: months added by the old retirement date."""
    old, per, final = LAW[(sex, track)]
    old_date = birth + 12 * old
    if not reform or old_date < REFORM_START:
        return 12 * old
    return min(12 * old + (old_date - REFORM_START) // per + 1, 12 * final)


def ym(years: int, months: int = 0) -> int:
    return 12 * years + months


@pytest.mark.parametrize(("born", "sex", "track", "age"), [
    ("1964-12", MALE, WORKER, ym(60)), ("1965-01", MALE, WORKER, ym(60, 1)), ("1965-04", MALE, CADRE, ym(60, 1)),
    ("1965-05", MALE, WORKER, ym(60, 2)), ("1976-08", MALE, WORKER, ym(62, 11)), ("1976-09", MALE, WORKER, ym(63)),
    ("1976-12", MALE, WORKER, ym(63)), ("1990-06", MALE, WORKER, ym(63)),
    ("1969-12", FEMALE, CADRE, ym(55)), ("1970-01", FEMALE, CADRE, ym(55, 1)), ("1970-05", FEMALE, CADRE, ym(55, 2)),
    ("1981-08", FEMALE, CADRE, ym(57, 11)), ("1981-09", FEMALE, CADRE, ym(58)), ("1995-01", FEMALE, CADRE, ym(58)),
    ("1974-12", FEMALE, WORKER, ym(50)), ("1975-01", FEMALE, WORKER, ym(50, 1)), ("1975-02", FEMALE, WORKER, ym(50, 1)),
    ("1975-03", FEMALE, WORKER, ym(50, 2)), ("1984-10", FEMALE, WORKER, ym(54, 11)), ("1984-11", FEMALE, WORKER, ym(55)),
])
def test_retirement_age_of_named_cohorts(born: str, sex: int, track: int, age: int) -> None:
    got = statutory_retirement_age(np.array([month_index(born)]), np.array([sex]), np.array([track]), demography=Demography())
    assert int(got[0]) == age == law_age(month_index(born), sex, track)


@pytest.mark.parametrize("reform", [True, False])
def test_retirement_age_follows_the_law_month_by_month(reform: bool) -> None:
    births = np.arange(month_index("1955-01"), month_index("2000-12") + 1)
    for (sex, track) in LAW:
        got = statutory_retirement_age(births, np.full(len(births), sex), np.full(len(births), track), demography=Demography(),
                                       reform=reform)
        expected = [law_age(int(b), sex, track, reform=reform) for b in births]
        assert got.tolist() == expected, (sex, track)


def test_the_scenario_switch_turns_the_reform_off(toy_scenario_path) -> None:
    scenario = load_scenario(toy_scenario_path, overrides={"retirement_reform": False})
    born = np.array([month_index("1980-01")])
    off = statutory_retirement_age(born, np.array([MALE]), np.array([WORKER]), demography=scenario.uncertainties.demography)
    assert int(off[0]) == ym(60)


def test_ages_are_drawn_with_the_band_density() -> None:
    bands = type("Bands", (), {"edges": [15, 40, 50, 65], "shares": [0.45, 0.25, 0.10]})
    u = (np.arange(200_000) + 0.5) / 200_000
    ages = draw_working_ages(u, lower_months=22 * 12, upper_months=np.full(len(u), 55 * 12), bands=bands) / 12
    mass = np.array([0.45 / 25 * 18, 0.25, 0.10 / 15 * 5])  # [22, 40), [40, 50), [50, 55)
    shares = [np.mean((ages >= a) & (ages < b)) for a, b in ((22, 40), (40, 50), (50, 55))]
    assert shares == pytest.approx(mass / mass.sum(), abs=1e-3)
    assert ages.min() >= 22 and ages.max() < 55


def _expected_band_shares(bands, low: float, high: float) -> np.ndarray:
    edges, shares = np.array(bands.edges, float), np.array(bands.shares, float)
    overlap = np.clip(np.minimum(edges[1:], high) - np.maximum(edges[:-1], low), 0, None)
    mass = shares / np.diff(edges) * overlap
    return mass / mass.sum()


@pytest.mark.parametrize("male_share", [0.521, 0.3])
def test_initial_sex_and_ages_reproduce_the_configured_shares(toy_scenario_path, male_share: float) -> None:
    model = TalentModel(load_scenario(toy_scenario_path, overrides={"male_share_initial": male_share,
                                                                    "women_cadre_share_skilled": 0.4}), seed=11)
    p, demo, bands = model.pool, model.unc.demography, model.region.initial.resident_age_bands
    sex, track, tier, age = p.view("sex"), p.view("track"), p.view("tier"), p.view("age")
    n = p.size
    assert abs((sex == MALE).mean() - male_share) < 4 * np.sqrt(male_share * (1 - male_share) / n)
    women_skilled = (sex == FEMALE) & (tier == SKILLED)
    cadre = (track[women_skilled] == CADRE).mean()
    assert abs(cadre - 0.4) < 4 * np.sqrt(0.24 / women_skilled.sum())
    assert (track[tier < SKILLED] == CADRE).all()
    # skilled tier by retirement group: ages between the youngest age and the old statutory age, shaped by the bands
    for group, old_age in (((sex == MALE), 60), ((sex == FEMALE) & (track == CADRE), 55), ((sex == FEMALE) & (track == WORKER), 50)):
        rows = group & (tier == SKILLED)
        a = age[rows]
        assert a.min() >= demo.skilled_min_age and a.max() < old_age
        edges = np.clip(np.array(bands.edges, float), demo.skilled_min_age, old_age)
        observed = np.array([np.mean((a >= lo) & (a < hi)) for lo, hi in zip(edges[:-1], edges[1:])])
        expected = _expected_band_shares(bands, demo.skilled_min_age, old_age)
        assert np.all(np.abs(observed - expected) <= 4 * np.sqrt(expected * (1 - expected) / len(a)) + 1e-9), (old_age, observed, expected)
    assert age[tier < SKILLED].min() >= demo.high_end_min_age


def test_inflows_carry_the_configured_sex_share(toy_scenario_path) -> None:
    model = TalentModel(load_scenario(toy_scenario_path, overrides={"male_share_inflow": 0.35, "run.end": "2023-12"}), seed=4)
    new_sex = []
    for _ in range(3):
        model.start_month()
        for process, submodel in model.schedule:
            before = model.pool.size
            model.run_process(process, submodel)
            if process in ("arrive", "run_projects"):  # every inflow channel: candidates, direct hires, challenge teams
                new_sex.append(model.pool.sex[before:model.pool.size].copy())
        model.end_month()
    sex = np.concatenate(new_sex)
    assert len(sex) > 1000
    assert abs((sex == MALE).mean() - 0.35) < 4 * np.sqrt(0.35 * 0.65 / len(sex))


@pytest.mark.parametrize("reform", [True, False])
def test_agents_retire_in_the_month_they_reach_the_statutory_age(toy_scenario_path, reform: bool) -> None:
    # through the start of the reform: cohorts retire at the old age until 2024-12, later ones at the raised age
    # (a run starts within a year of the region's initial state, so the months before 2024-09 are run unchecked)
    scenario = load_scenario(toy_scenario_path, overrides={"run.start": "2022-01", "run.end": "2025-08", "retirement_reform": reform})
    model = TalentModel(scenario, seed=2)
    while model.start + model.t < month_index("2024-09"):
        model.step()
    p, raised = model.pool, 0
    while model.running:
        month = model.start + model.t
        resident = p.resident_mask()
        uid, birth = p.view("uid")[resident].copy(), p.view("birth_month")[resident].astype(np.int64)
        sex, track, weight = p.view("sex")[resident], p.view("track")[resident], p.view("weight")[resident]
        law = np.array([law_age(int(b), int(s), int(k), reform=reform) for b, s, k in zip(birth, sex, track)])
        due = month - birth >= law
        assert (month - birth[due] == law[due]).all(), "an agent stayed past its statutory age"
        raised += int((law[due] % 12 != 0).sum())
        t = model.t
        model.step()
        still = p.view("uid")[p.resident_mask()]
        assert not np.isin(uid[due], still).any(), "an agent of statutory age did not retire"
        retired = model.recorder.outflow[t, ..., model.recorder.out_retirement].sum()
        assert retired == pytest.approx(weight[due].sum(), rel=1e-6, abs=1e-6)
    assert (raised > 0) == reform  # the reform's raised ages were reached in 2025, and only with the reform
