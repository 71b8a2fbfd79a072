"""The cohort's one pass: compiled and numpy paths agree bit for bit; the numpy path is the sequence of rules it replaced."""

from __future__ import annotations

import numpy as np
import pytest

from sim import cohort_kernels, cohort_passes, demography
from sim.categories import K
from sim.config import load_scenario
from sim.submodels.inflows import education_cdf
from sim.talent import SKILLED_EDUCATION

needs_numba = pytest.mark.skipif(not cohort_passes.USING_NUMBA, reason="numba not installed: only the numpy path exists")


@pytest.fixture(scope="module")
def demo():
    return load_scenario("baseline").uncertainties.demography


def _draws(seed: int, *, n: int = 5_000, fitting: bool = True) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "u_male": rng.random(n), "u_cadre": rng.random(n), "tier": rng.integers(0, K, n).astype(np.int8),
        # ages beyond both bounds, so that both clips and every children's chance are exercised
        "normal": rng.normal(38, 15, n), "sector": rng.integers(0, 12, n).astype(np.int16), "other_field": rng.integers(0, 12, n),
        "u_fit": rng.random(n) if fitting else np.empty(0), "u_doctorate": rng.random(n), "u_level": rng.random(n),
        "u_child": rng.random(n),
    }


def _options(demo, *, reform: bool, children_rule: tuple) -> dict:
    return {"male_share": 0.55, "cadre_share": 0.4, "youngest": 21.0, "as_of": 2030 * 12, "rules": demography.rule_table(demo),
            "reform": reform, "fit_share": 0.6, "doctorate_share": 0.6, "cdf": education_cdf((0.2, 0.5, 0.25, 0.05)),
            "levels": SKILLED_EDUCATION, "children_from_age": children_rule[0], "children_ramp_years": children_rule[1],
            "children_max_share": children_rule[2]}


@needs_numba
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("reform", [False, True])
@pytest.mark.parametrize("fitting", [False, True])
@pytest.mark.parametrize("children_rule", [(25.0, 15.0, 0.7), (22.3, 7.1, 0.93), (30, 3, 1)])
def test_compiled_pass_equals_numpy_bit_for_bit(seed, reform, fitting, children_rule, demo, monkeypatch):
    kw = {**_draws(seed, fitting=fitting), **_options(demo, reform=reform, children_rule=children_rule)}
    compiled = cohort_passes.newcomer_columns(**kw)
    monkeypatch.setattr(cohort_passes, "USING_NUMBA", False)
    plain = cohort_passes.newcomer_columns(**kw)
    assert len(compiled) == len(plain) == 8
    for a, b in zip(compiled, plain, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)


@pytest.mark.parametrize("reform", [False, True])
def test_pass_gives_the_columns_of_the_separate_rules(reform, demo):
    rule = (25.0, 15.0, 0.7)
    d, opts = _draws(3), _options(demo, reform=reform, children_rule=rule)
    columns = cohort_passes.newcomer_columns(**d, **opts)
    lives = cohort_kernels.newcomer_lives(u_male=d["u_male"], u_cadre=d["u_cadre"], tier=d["tier"], normal=d["normal"],
                                          male_share=0.55, cadre_share=0.4, youngest=21.0, as_of=2030 * 12, rules=opts["rules"],
                                          reform=reform)
    field, education = cohort_kernels.field_and_education(
        tier=d["tier"], sector=d["sector"], other_field=d["other_field"], u_fit=d["u_fit"], fit_share=0.6, u_doctorate=d["u_doctorate"],
        u_level=d["u_level"], doctorate_share=0.6, cdf=opts["cdf"], levels=SKILLED_EDUCATION)
    for a, b in zip(columns, (*lives, field, education), strict=False):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    age, children = columns[2], columns[7]
    assert children.dtype == np.int8
    # nobody younger than the first age with children has a child; the chance tops out at the maximum share
    assert not children[age <= rule[0]].any()
    old = age >= rule[0] + rule[1]
    assert abs(children[old].mean() - rule[2]) < 0.05


def test_numpy_scalars_in_the_children_rule_take_numpy_arithmetic(demo):
    # numpy computes a float32 column against numpy float64 scalars in double: the pass follows numpy there too
    d = _draws(4)
    rule = (np.float64(25.1), np.float64(15.3), np.float64(0.7))
    columns = cohort_passes.newcomer_columns(**d, **_options(demo, reform=False, children_rule=rule))
    chance = np.minimum(np.maximum((columns[2] - rule[0]) / rule[1], 0), rule[2])
    assert chance.dtype == np.float64
    assert np.array_equal(columns[7], (d["u_child"] < chance).astype(np.int8))


@needs_numba
@pytest.mark.parametrize("seed", [0, 1])
def test_posting_firms_compiled_equal_numpy_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    for n in (0, 3, 12_000):
        args = (rng.random(n) < 0.8, rng.random(n) < 0.02, rng.lognormal(2, 1.5, n))
        for a, b in zip(cohort_passes._posting_firms_numba(*args), cohort_passes._posting_firms_numpy(*args), strict=True):
            assert a.dtype == b.dtype and np.array_equal(a, b)


def test_posting_firms_leave_out_closed_firms_and_platforms():
    alive = np.array([True, False, True, True, True])
    is_platform = np.array([False, False, True, False, False])
    rows, jobs, running = cohort_passes.posting_firms(alive=alive, is_platform=is_platform, jobs=np.array([2.0, 5.0, 7.0, 1.5, 4.0]))
    assert rows.tolist() == [0, 3, 4] and jobs.tolist() == [2.0, 1.5, 4.0] and running.tolist() == [2.0, 3.5, 7.5]


def test_a_cohort_and_the_pool_s_new_rows_fill_every_pool_column():
    # TalentPool.add copies a cohort's columns by name, and TalentPool.open_rows sets the rest: rows past the pool's end
    # hold agents compaction moved or dropped, so a column left out would pass one agent's value to another
    from sim.talent import FIELDS, Cohort

    assert set(Cohort.__dataclass_fields__) <= set(FIELDS)
    assert set(Cohort.__dataclass_fields__) | {"queue_since", "search_left", "job_seeking"} == set(FIELDS)
