"""The month-end census of the talent table: compiled and numpy paths agree bit for bit, each count is the
group sum it stands for, and next month's firm planning starts from the employment it counted."""

from __future__ import annotations

import numpy as np
import pytest

from sim import housing_kernels, kernels
from sim import observation_kernels as ok
from sim.categories import K
from sim.config import load_scenario
from sim.model import TalentModel
from sim.submodels import policy
from sim.talent import EMPLOYED, SEARCHING

needs_numba = pytest.mark.skipif(not kernels.USING_NUMBA, reason="numba not installed: only the numpy path exists")
N_SECTORS, N_TIERS, N_FIRMS = 12, 5, 300


def _table(seed: int, n: int = 20_000) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "sector": rng.integers(0, N_SECTORS, n).astype(np.int16), "tier": rng.integers(0, N_TIERS, n).astype(np.int8),
        # fractional weights: the sums' order shows in their last bits
        "weight": (rng.choice(np.array([1.0, 100.0], np.float32), n) * rng.uniform(0.97, 1.03, n)).astype(np.float32),
        "status": rng.integers(0, 4, n).astype(np.int8), "children": (rng.random(n) < 0.4).astype(np.int8),
        "queue_since": np.where(rng.random(n) < 0.2, rng.integers(0, 100, n), -1).astype(np.int32),
        "employer": rng.integers(0, N_FIRMS, n).astype(np.int32), "is_platform": rng.random(N_FIRMS) < 0.1,
    }


def _args(t: dict[str, np.ndarray]) -> tuple:
    return (t["sector"], t["tier"], N_TIERS, t["weight"], t["status"], SEARCHING, t["children"], t["queue_since"], EMPLOYED, N_SECTORS,
            t["employer"], t["is_platform"])


@needs_numba
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_compiled_census_equals_numpy_bit_for_bit(seed):
    t = _table(seed)
    compiled, plain = ok._talent_census_numba(*_args(t)), ok._talent_census_numpy(*_args(t))
    assert len(compiled) == len(plain) + 2
    for a, b in zip(compiled, plain):
        assert np.array_equal(a, b)
    # and the range of the weights it added up (the residents'), for sim.row_ranges
    resident = t["weight"][t["status"] <= SEARCHING]
    assert compiled[-2:] == (resident[resident > 0].min(), resident.max())


@pytest.mark.parametrize("seed", [0, 1])
def test_census_counts_are_the_group_sums_they_replace(seed):
    t = _table(seed)
    census = ok.talent_census(sector=t["sector"], tier=t["tier"], weight=t["weight"], status=t["status"], children=t["children"],
                              queue_since=t["queue_since"], employer=t["employer"], is_platform=t["is_platform"], searching=SEARCHING,
                              employed=EMPLOYED, n_sectors=N_SECTORS, n_tiers=N_TIERS)
    assert np.array_equal(census.stock, kernels.resident_group_table(outer=t["sector"], inner=t["tier"], shape=(N_SECTORS, N_TIERS),
                                                                     weights=t["weight"], status=t["status"], searching=SEARCHING))
    assert census.families == kernels.group_sum(codes=t["children"], weights=t["weight"], mask=t["status"] <= SEARCHING, n_groups=2)[1]
    assert np.array_equal(census.queued, housing_kernels.queued_sum(codes=t["sector"], weights=t["weight"], queue_since=t["queue_since"],
                                                            status=t["status"], employed=EMPLOYED, n_groups=N_SECTORS))
    by_firm, by_cell = kernels.employment(status=t["status"], employed_code=EMPLOYED, employer=t["employer"], sector=t["sector"],
                                          tier=t["tier"], weights=t["weight"], is_platform=t["is_platform"], shape=(N_SECTORS, N_TIERS))
    assert np.array_equal(census.employed_by_firm, by_firm) and np.array_equal(census.employed_by_cell, by_cell)
    resident = t["status"] <= SEARCHING
    assert 0 < census.families < t["weight"][resident].sum() and census.queued.sum() > 0
    # platforms' talent is counted by firm but not in the cells the firms' vacancies are set against
    assert census.employed_by_cell.sum() < census.employed_by_firm.sum()


def test_census_refuses_an_employed_status_outside_the_residents():
    t = _table(0, n=100)
    with pytest.raises(ValueError, match="resident"):
        ok.talent_census(sector=t["sector"], tier=t["tier"], weight=t["weight"], status=t["status"], children=t["children"],
                         queue_since=t["queue_since"], employer=t["employer"], is_platform=t["is_platform"], searching=SEARCHING,
                         employed=SEARCHING + 1, n_sectors=N_SECTORS, n_tiers=N_TIERS)


def test_each_month_starts_from_the_employment_its_table_holds(toy_scenario_path):
    """What the month-end census counted is, bit for bit, what a fresh count of the talent table gives at the next
    month's firm planning, including after the firm table has dropped exited firms and renumbered the rest."""
    model = TalentModel(load_scenario(toy_scenario_path, overrides={"run.end": "2024-12", "exit_base_per_year": 0.5}), seed=3)
    compactions = 0
    while model.running:
        model.start_month()
        model.run_process("update_policy", policy.update_policy)
        p, fm = model.pool, model.firms
        by_firm, by_cell = kernels.employment(status=p.view("status"), employed_code=EMPLOYED, employer=p.view("employer"),
                                              sector=p.view("sector"), tier=p.view("tier"), weights=p.view("weight"),
                                              is_platform=fm.view("is_platform"), shape=(model.S, K))
        at_start = model.employment_at_month_start()
        assert np.array_equal(at_start[0], by_firm) and np.array_equal(at_start[1], by_cell)
        for process, submodel in model.schedule[1:]:
            model.run_process(process, submodel)
        rows = model.firms.size
        model.end_month()
        compactions += model.firms.size < rows
    assert compactions > 0, "no exited firm left the table: the renumbering was not exercised"
