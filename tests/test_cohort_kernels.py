"""The cohort kernels: compiled and numpy paths agree bit for bit; the numpy path is the rule it replaced."""

from __future__ import annotations

import numpy as np
import pytest

from sim import cohort_kernels as ck
from sim import demography
from sim.categories import AGES, K, SKILLED
from sim.config import load_scenario
from sim.submodels.inflows import education_cdf
from sim.talent import SKILLED_EDUCATION

needs_numba = pytest.mark.skipif(not ck.USING_NUMBA, reason="numba not installed: only the numpy path exists")


@pytest.fixture(scope="module")
def demo():
    return load_scenario("baseline").uncertainties.demography


def _draws(seed: int, n: int = 5_000) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "u_male": rng.random(n), "u_cadre": rng.random(n), "tier": rng.integers(0, K, n).astype(np.int8),
        # ages beyond both bounds, so that both clips are exercised
        "normal": rng.normal(38, 15, n),
        "sector": rng.integers(0, 12, n).astype(np.int16), "other_field": rng.integers(0, 12, n), "u_fit": rng.random(n),
        "u_doctorate": rng.random(n), "u_level": rng.random(n),
        "age": rng.uniform(15, 110, n).astype(np.float32), "weight": rng.choice(np.array([1.0, 100.0], np.float32), n),
        "channels": rng.integers(0, 6, n).astype(np.int8),
    }


def _lives_args(d, demo, reform):
    return (d["u_male"], d["u_cadre"], d["tier"], d["normal"], 0.55, 0.4, 21.0, 2030 * 12, *_rules(demo), reform)


def _rules(demo):
    table = demography.rule_table(demo)
    return table["base"], table["final"], table["first"], table["step"]


@needs_numba
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("reform", [False, True])
def test_compiled_kernels_equal_numpy_bit_for_bit(seed, reform, demo):
    d = _draws(seed)
    args = _lives_args(d, demo, reform)
    for compiled, plain in zip(ck._newcomer_lives_numba(*args), ck._newcomer_lives_numpy(*args), strict=True):
        assert compiled.dtype == plain.dtype and np.array_equal(compiled, plain)
    group = np.random.default_rng(seed).integers(0, 3, len(d["tier"]))
    for age_months in (np.random.default_rng(seed).integers(0, 900, len(group)), np.floor(d["normal"] * 12).clip(0)):
        args = (age_months, group, 2030 * 12, *_rules(demo), reform)
        for compiled, plain in zip(ck._life_dates_numba(*args), ck._life_dates_numpy(*args), strict=True):
            assert compiled.dtype == plain.dtype and np.array_equal(compiled, plain)
    cdf = education_cdf((0.2, 0.5, 0.25, 0.05))
    for u_fit, sector in ((d["u_fit"], d["sector"]), (np.empty(0), d["other_field"])):
        args = (d["tier"], sector, d["other_field"], u_fit, 0.6, d["u_doctorate"], d["u_level"], 0.6, cdf, SKILLED_EDUCATION)
        for compiled, plain in zip(ck._field_and_education_numba(*args), ck._field_and_education_numpy(*args), strict=True):
            assert compiled.dtype == plain.dtype and np.array_equal(compiled, plain)
    rng = np.random.default_rng(seed)
    jobs = rng.lognormal(2, 1, 3_000)
    for firm_talent in (jobs[:2_900] * rng.uniform(0, 1.3, 2_900), jobs * rng.uniform(0, 1.3, 3_000)):
        args = (jobs, firm_talent, rng.random(3_000) < 0.9, rng.random(3_000) < 0.05)
        assert np.array_equal(ck._non_talent_jobs_numba(*args), ck._non_talent_jobs_numpy(*args))
    n = 400
    args = (rng.integers(0, 300, n), rng.integers(0, K, n), rng.uniform(0, 350, n), rng.random(n), 100)
    for compiled, plain in zip(ck._whole_recruits_numba(*args), ck._whole_recruits_numpy(*args), strict=True):
        assert compiled.dtype == plain.dtype and np.array_equal(compiled, plain)
    firms = (rng.integers(0, 12, 3_000), rng.random(3_000) < 0.9, rng.random(3_000) < 0.05, rng.random(3_000) < 0.1,
             rng.random(3_000) < 0.2, jobs, rng.lognormal(10, 1, 3_000), 12)
    assert np.array_equal(ck._firm_totals_numba(*firms), ck._firm_totals_numpy(*firms))
    rows = rng.integers(0, 3_000, 200)
    for talent_length in (2_900, 3_000):
        args = (rows, rng.uniform(1, 100, 200), rng.uniform(0, 50, talent_length), rng.uniform(-1, 30, talent_length), firms[0], 12)
        for compiled, plain in zip(ck._fill_positions_numba(*args), ck._fill_positions_numpy(*args), strict=True):
            assert np.array_equal(compiled, plain)
    for channels, code, age in ((d["channels"], 0, d["age"]), (ck.NO_CHANNELS, 4, d["age"]), (d["channels"], 0, ck.NO_AGES)):
        targets = [(np.random.default_rng(seed).random((12, K, 6)), np.random.default_rng(seed).random((AGES, 6))) for _ in range(2)]
        ck._add_flows_numba(*targets[0], d["sector"], d["tier"], channels, code, d["weight"], age)
        ck._add_flows_numpy(*targets[1], d["sector"], d["tier"], channels, code, d["weight"], age)
        assert np.array_equal(targets[0][0], targets[1][0]) and np.array_equal(targets[0][1], targets[1][1])


def test_newcomer_lives_follow_the_statutory_rules(demo):
    assert (ck.WORKER, ck.CADRE) == (demography.WORKER, demography.CADRE)
    d = _draws(3)
    sex, track, age, birth, retire = ck._newcomer_lives_numpy(*_lives_args(d, demo, True))
    assert np.array_equal(track[d["tier"] < SKILLED], np.full((d["tier"] < SKILLED).sum(), demography.CADRE))
    assert np.array_equal(retire, demography.retirement_month(birth, sex, track, demography=demo).astype(np.int32))
    old_age = demography.statutory_retirement_age(birth, sex, track, demography=demo, reform=False) / 12
    # no newcomer is younger than the youngest working age or within a year of the old statutory age
    assert age.min() >= 21 and (age <= old_age - 1).all()
    assert np.array_equal(birth, 2030 * 12 - np.round(age.astype(float) * 12).astype(np.int32))


def test_add_flows_counts_persons_by_cell(demo):
    d = _draws(4, n=300)
    target, target_age = np.zeros((12, K, 6)), np.zeros((AGES, 6))
    ck.add_flows(target=target, target_age=target_age, sector=d["sector"], tier=d["tier"], channel=d["channels"], weight=d["weight"],
                 age=d["age"])
    s, k, c = 3, int(d["tier"][0]), int(d["channels"][0])
    cell = (d["sector"] == s) & (d["tier"] == k) & (d["channels"] == c)
    assert target[s, k, c] == pytest.approx(d["weight"][cell].sum())
    assert target.sum() == pytest.approx(d["weight"].sum()) == target_age.sum()
    assert target_age[AGES - 1].sum() == pytest.approx(d["weight"][d["age"] >= AGES - 1].sum())


def test_cumulative_non_talent_jobs_leave_out_talent_closed_firms_and_platforms():
    jobs, talent = np.array([5.0, 3.0, 4.0, 2.0, 7.0]), np.array([1.0, 4.0, 0.0, 0.0])
    alive, platform = np.array([True, True, False, True, True]), np.array([False, False, False, True, False])
    cumulative = ck.cumulative_non_talent_jobs(jobs=jobs, firm_talent=talent, alive=alive, is_platform=platform)
    # firm 1 has more talent than jobs; firm 2 is closed; firm 3 is a platform; firm 4 entered after talent was counted
    assert cumulative.tolist() == [4.0, 4.0, 4.0, 4.0, 11.0]


def test_whole_recruits_round_persons_to_agents():
    employer, tier, per_agent = ck.whole_recruits(firm_rows=np.array([7, 8, 9]), tiers=np.array([0, SKILLED, SKILLED]),
                                                  persons=np.array([2.5, 250.0, 30.0]), u=np.array([0.4, 0.6, 0.2]), scale=100)
    # 2.5 high-end persons and u below the half: three agents; 250 skilled persons at 100 each and u above the half: two;
    # 0.3 of a skilled agent and u below it: one
    assert employer.tolist() == [7, 7, 7, 8, 8, 9] and tier.tolist() == [0, 0, 0, SKILLED, SKILLED, SKILLED]
    assert per_agent.tolist() == [1, 1, 1, 100, 100, 100]


@pytest.mark.parametrize("reform", [False, True])
def test_oldest_working_age_is_the_last_age_short_of_the_statutory_one(reform, demo):
    demo = demo.model_copy(update={"retirement_reform": reform})
    month = 2040 * 12 + 5
    oldest = demography.oldest_working_age(month, demography=demo)
    for g, (sex, track) in enumerate(((0, demography.CADRE), (1, demography.CADRE), (1, demography.WORKER))):
        ages = np.arange(1_000)
        statutory = demography.statutory_retirement_age(month - ages, np.full(1_000, sex), np.full(1_000, track), demography=demo)
        assert oldest[g] == (ages < statutory).sum() and statutory[oldest[g] - 1] > oldest[g] - 1 >= 0


@pytest.mark.parametrize("channel", [4, np.int8(4), np.array(4)])
def test_add_flows_puts_everyone_in_one_channel_given_one(channel):
    d = _draws(5, n=200)
    target, target_age = np.zeros((12, K, 6)), np.zeros((AGES, 6))
    ck.add_flows(target=target, target_age=target_age, sector=d["sector"], tier=d["tier"], channel=channel, weight=d["weight"],
                 age=None)
    assert target[..., 4].sum() == pytest.approx(d["weight"].sum()) and target.sum() == target[..., 4].sum()
    assert target_age.sum() == 0


def test_add_flows_refuse_a_sector_outside_the_table():
    d = _draws(6, n=20)
    with pytest.raises(ValueError):
        ck.add_flows(target=np.zeros((12, K, 6)), target_age=np.zeros((AGES, 6)), sector=np.full(20, 12, np.int16), tier=d["tier"],
                     channel=2, weight=d["weight"], age=d["age"])


@needs_numba
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_compiled_working_ages_equal_numpy_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    n = 20_000
    edges = np.array([15, 20, 25, 30, 40, 50, 60, 65], float) * 12
    density = rng.uniform(0.01, 0.3, len(edges) - 1) / np.diff(edges)
    # intervals starting inside a band or at its edge, ending inside a band, at its edge or between whole months
    lower = rng.choice([16 * 12, 18 * 12, 22 * 12, 25 * 12], n).astype(float)
    upper = rng.choice([50 * 12, 55 * 12, 60 * 12, 63 * 12 + 7], n).astype(float)
    u = rng.random(n)
    u[:3] = (0.0, 1 - 2 ** -53, 0.5)
    compiled = ck._working_ages_numba(u, lower, upper, edges, density)
    plain = ck._working_ages_numpy(u, lower, upper, edges, density)
    assert compiled[1] and plain[1]
    assert compiled[0].dtype == plain[0].dtype and np.array_equal(compiled[0], plain[0])
    assert (plain[0] >= lower).all() and (plain[0] < upper).all()


def test_working_ages_outside_every_band_are_refused():
    edges, density = np.array([15.0, 65.0]) * 12, np.array([1.0 / 600])
    with pytest.raises(ValueError, match="holds no mass"):
        ck.working_ages(u=np.array([0.3, 0.6]), lower_months=np.array([20.0, 70.0]) * 12, upper_months=np.array([50.0, 80.0]) * 12,
                        edges_months=edges, density=density)
    # the initial stock's draw says which region field is at fault
    bands = type("Bands", (), {"edges": [15, 65], "shares": [1.0]})
    with pytest.raises(ValueError, match="resident_age_bands"):
        demography.draw_working_ages(np.array([0.3, 0.6]), lower_months=np.array([20.0, 70.0]) * 12,
                                     upper_months=np.array([50.0, 80.0]) * 12, bands=bands)
