"""Firm demography (ODD §7.8): exit hazards fall with size and age, entry is bounded by the space a
city's clusters hold, industry funds back start-ups, and a run that outgrows its agent limit stops
with a clear error (in the model, the ensemble runner and the command line)."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from sim.config import load_scenario
from sim.errors import AgentLimitError
from sim.firms import FirmTable
from sim.model import TalentModel
from tests.conftest import planned_toy_model
from sim.submodels import firm_demography, firm_planning, utility
from sim.submodels.observation import FIRM_FIELDS

ROOT = Path(__file__).resolve().parent.parent
N_PER_GROUP = 4000


def _exit_shares(model: TalentModel, *, jobs: tuple[float, float], age_months: tuple[int, int]) -> tuple[float, float]:
    """Add two groups of firms alike but for size or age, with every firm of the city at the same
    productivity (no firm is selected for low productivity) and without funding; run firm demography
    once and return each group's share that closed."""
    fm = model.firms
    fm.log_productivity[: fm.size] = 0.0
    fm.long_run_productivity[: fm.size] = 0.0
    fm.funding[: fm.size] = 0.0
    groups = []
    for size, age in zip(jobs, age_months):
        n = N_PER_GROUP
        groups.append(fm.add(sector=np.arange(n) % model.S, jobs=np.full(n, float(size)), base_jobs=np.full(n, float(size)),
                             log_productivity=np.zeros(n), long_run_productivity=np.zeros(n), output_per_job=np.full(n, 1.0e6),
                             talent_intensity=np.full(n, 0.5), funding=np.zeros(n), born=np.full(n, model.t - age),
                             uid=model.mint_ids(n, source="entrant")))
    model.run_process("enter_and_exit_firms", firm_demography.enter_and_exit_firms)
    return tuple(float((~fm.alive[rows]).mean()) for rows in groups)


def test_exit_hazard_falls_with_size(toy_scenario_path) -> None:
    model = planned_toy_model(toy_scenario_path, exit_base_per_year=0.6, entry_rate_per_year=0.0)
    small, large = _exit_shares(model, jobs=(10, 2000), age_months=(240, 240))
    assert small > 0.02, "too few exits to compare"
    assert small > 3 * large, f"small firms closed at {small:.3f}, large ones at {large:.3f}"


def test_exit_hazard_falls_with_age(toy_scenario_path) -> None:
    model = planned_toy_model(toy_scenario_path, exit_base_per_year=0.6, entry_rate_per_year=0.0)
    young, old = _exit_shares(model, jobs=(100, 100), age_months=(0, 240))
    assert old > 0.01, "too few exits to compare"
    assert young > 1.5 * old, f"new firms closed at {young:.3f}, twenty-year-old ones at {old:.3f}"


def test_low_productivity_still_raises_the_hazard(toy_scenario_path) -> None:
    """The selection term is kept: among firms alike in size and age, the unproductive close more often."""
    model = planned_toy_model(toy_scenario_path, exit_base_per_year=0.1, exit_rate_per_year=1.5, entry_rate_per_year=0.0)
    fm = model.firms
    rows = fm.add(sector=np.arange(2 * N_PER_GROUP) % model.S, jobs=np.full(2 * N_PER_GROUP, 100.0), base_jobs=np.full(2 * N_PER_GROUP, 100.0),
                  log_productivity=np.tile([0.0, -1.0], N_PER_GROUP), long_run_productivity=np.zeros(2 * N_PER_GROUP),
                  output_per_job=np.full(2 * N_PER_GROUP, 1.0e6), talent_intensity=np.full(2 * N_PER_GROUP, 0.5),
                  funding=np.zeros(2 * N_PER_GROUP), born=np.full(2 * N_PER_GROUP, model.t - 240),
                  uid=model.mint_ids(2 * N_PER_GROUP, source="entrant"))
    model.run_process("enter_and_exit_firms", firm_demography.enter_and_exit_firms)
    closed = ~fm.alive[rows]
    assert closed[1::2].mean() > 3 * closed[::2].mean()


def test_funding_lowers_the_exit_hazard(toy_scenario_path) -> None:
    model = planned_toy_model(toy_scenario_path, exit_base_per_year=0.6, entry_rate_per_year=0.0, funded_exit_reduction=0.5)
    fm = model.firms
    n = 2 * N_PER_GROUP
    rows = fm.add(sector=np.arange(n) % model.S, jobs=np.full(n, 30.0), base_jobs=np.full(n, 30.0), log_productivity=np.zeros(n),
                  long_run_productivity=np.zeros(n), output_per_job=np.full(n, 1.0e6), talent_intensity=np.full(n, 0.5),
                  funding=np.tile([0.0, model.levers.funding.startup_ticket_yuan], N_PER_GROUP), born=np.full(n, model.t),
                  uid=model.mint_ids(n, source="entrant"))
    model.run_process("enter_and_exit_firms", firm_demography.enter_and_exit_firms)
    closed = ~fm.alive[rows]
    assert closed[::2].mean() > 1.3 * closed[1::2].mean()


def test_no_organic_entry_once_the_industrial_space_is_full(toy_scenario_path) -> None:
    """Entry falls to nothing as a cluster's jobs reach what its industrial space holds."""
    roomy = planned_toy_model(toy_scenario_path, entry_rate_per_year=12.0)
    full = planned_toy_model(toy_scenario_path, entry_rate_per_year=12.0)
    fm = full.firms
    jobs = np.bincount(fm.view("sector"), weights=fm.view("jobs") * (fm.view("alive") & ~fm.view("is_platform")), minlength=full.S)
    full.jobs_initial = jobs / full.beh.industrial_space_multiple  # today's jobs fill the space
    for model in (roomy, full):
        model.run_process("enter_and_exit_firms", firm_demography.enter_and_exit_firms)
    assert roomy.recorder._events[:, 0].sum() > 20
    assert full.recorder._events[:, 0].sum() == 0


def test_industry_funds_back_start_ups(toy_scenario_path) -> None:
    """A fund's monthly payment backs start-ups with tickets; some would not have started without it."""
    model = planned_toy_model(toy_scenario_path, entry_rate_per_year=0.0, fund_additionality=1.0)
    ticket = model.levers.funding.startup_ticket_yuan
    model.fund_paid = np.full(model.S, 20 * ticket)
    before = model.firms.size
    model.run_process("enter_and_exit_firms", firm_demography.enter_and_exit_firms)
    new = np.arange(before, model.firms.size)
    assert len(new) > 5 * model.S
    assert np.all(model.firms.funding[new] == ticket)


@pytest.mark.slow
def test_entry_stays_bounded_at_extreme_settings() -> None:
    """Issue 12: both settings lie inside their declared ranges; without a bound on entry the city's
    firms multiplied (74 entrants a month in 2022, 12,577 in 2034) and the run asked for 35 M agents."""
    model = TalentModel("baseline", seed=1, scale=1000, entry_rate_per_year=0.09, entry_talent_elasticity=1.9)
    agents0 = int(np.count_nonzero(model.pool.resident_mask()))
    model.run()
    r, entries = model.recorder, FIRM_FIELDS.index("entries")
    firms = r.firms[:, :, FIRM_FIELDS.index("firms")].sum(axis=1)
    per_month = r.firms[:, :, entries].sum(axis=1)
    agents = int(np.count_nonzero(model.pool.resident_mask()))
    # entry levels off as the clusters fill and small new firms close (run on to 2060 the firms settle at about 3 times)
    assert firms[-1] < 3 * firms[0], f"firms grew from {firms[0]:,.0f} to {firms[-1]:,.0f}"
    assert per_month[-12:].mean() < 5 * per_month[:12].mean(), f"entrants a month: {per_month[:12].mean():.0f} in 2022, {per_month[-12:].mean():.0f} in 2035"
    assert agents < 2 * agents0, f"talent agents grew from {agents0:,} to {agents:,}"


def test_a_run_past_its_agent_limit_stops_with_a_clear_error(toy_scenario_path) -> None:
    model = TalentModel(load_scenario(toy_scenario_path, overrides={"run.end": "2022-12", "max_agents_multiple": 0.5}), seed=5)
    with pytest.raises(AgentLimitError, match="max_agents_multiple"):
        model.run()


def test_the_ensemble_records_a_run_past_its_agent_limit_as_failed(tmp_path, toy_scenario_path) -> None:
    from sim.ensemble import build_specs, failure_record, run_task

    spec = build_specs(load_scenario(toy_scenario_path, overrides={"run.end": "2022-03", "max_agents_multiple": 0.5}), points=[{}], seeds=1)[0]
    status = run_task(spec, str(tmp_path))
    assert status["status"] == "failed" and "AgentLimitError" in status["error"]
    assert failure_record(tmp_path, spec.run_id).exists()


def test_the_command_line_reports_the_agent_limit_without_a_traceback(tmp_path) -> None:
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "sim", "run", str(ROOT / "tests" / "data" / "toyville_scenario.yaml"), "--quiet",
                             "--no-charts", "--out", str(out), "--set", "max_agents_multiple=0.5", "--set", "run.end=2022-03"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert "max_agents_multiple" in result.stderr and "talent agents" in result.stderr, result.stderr
    assert not out.exists() or not any(out.rglob("*.parquet"))


def test_new_firms_take_no_flags_from_the_rows_compaction_left():
    # compaction moves the firms kept to the front and leaves the old rows' values past the end: a firm added
    # there later must not inherit another firm's project, little-giant or platform flag, or its solved demands
    fm = FirmTable(capacity=16)
    n = 10
    plain = dict(jobs=np.full(n, 5.0), base_jobs=np.full(n, 5.0), log_productivity=np.zeros(n), long_run_productivity=np.zeros(n),
                 output_per_job=np.full(n, 1e6), talent_intensity=np.full(n, 0.1), funding=np.zeros(n), born=np.zeros(n, np.int32),
                 uid=np.arange(n))
    fm.add(sector=np.zeros(n, np.int64), is_project=np.ones(n, bool), is_little_giant=np.ones(n, bool), is_platform=np.arange(n) == 9,
           demands_solved=np.full(n, 3, np.int32), **plain)
    fm.alive[:6] = False
    new_row = fm.compact()
    assert new_row is not None and fm.size == 4 and fm.is_platform[3]
    rows = fm.add(sector=np.ones(n, np.int64), **plain)
    assert rows.tolist() == list(range(4, 14))
    for name in ("is_project", "is_little_giant", "is_platform", "demands_solved"):
        assert not getattr(fm, name)[rows].any(), name
    assert fm.alive[rows].all() and (fm.sector[rows] == 1).all()


def test_a_city_left_without_talent_plans_no_jobs_offers_no_wage_and_warns_of_nothing(toy_scenario_path) -> None:
    # the absorbing end of a collapse (docs/ODD.md §13): a sector with no talent, in it or in the sectors linked to it
    model = planned_toy_model(toy_scenario_path)
    model.stock[:] = 0.0
    in_business = model.firms.view("alive") & ~model.firms.view("is_platform")
    jobs_before = model.firms.view("jobs")[in_business].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.run_process("plan_firms", firm_planning.plan_firms)
        sector_utility = utility.sector_utility(model)
    assert np.isneginf(model.spillover).all()
    assert (model.wage == 0.0).all()
    assert np.isneginf(sector_utility).all()
    jobs_after = model.firms.view("jobs")[in_business]
    assert (jobs_after < jobs_before).all() and (jobs_before > 0).all()  # every firm sheds jobs towards none
