"""The budget optimiser (talentsim optimise): the budget is never exceeded by what it reports, a study resumes, the best
setting saved as a scenario runs by the normal path to the numbers reported, and bad input stops with exit code 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.cli import main
from sim.config import load_scenario
from sim.government import LEVERS
from sim.optimise import (
    EXCESS, SPENT, VALUE, best_trials, chosen_for_evaluation, evaluation_seeds, optimise_budget, pareto_front,
)
from sim.optimise_space import BUDGET, budget_in_force, lever_families, search_space, select_families, space_problems

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "data" / "toyville_scenario.yaml"
ROOM_YUAN = 5e8     # room for the housing budget above its low end: a tenth of its range


def _held_and_floor() -> tuple[float, float]:
    base = load_scenario(TOY)
    space = search_space(base, families=["housing"], envelope_yuan=1e12, start="2022-01")
    return space.held_yuan, space.floor_yuan


@pytest.fixture(scope="module")
def tight(tmp_path_factory):
    """Housing searched with room for only a tenth of its budget range: the sampler's proposals mostly exceed the envelope,
    and more housing money would buy more apartments, so the unconstrained optimum lies over the budget."""
    base = load_scenario(TOY)
    _, floor = _held_and_floor()
    space = search_space(base, families=["housing"], envelope_yuan=floor + ROOM_YUAN, start="2022-01")
    out = tmp_path_factory.mktemp("optimise")
    result = optimise_budget(base, space=space, objective="talent_2035", out=out, trials=6, seeds=1, eval_seeds=2, reevaluate=1,
                             scale=1, workers=0, charts=False)
    return base, space, result


# ---------------------------------------------------------------- families and the space
def test_each_family_searches_its_budget_and_never_a_unit_price():
    families = lever_families()
    assert list(families) == list(LEVERS)
    for family, params in families.items():
        assert f"levers.{family}.{BUDGET}" in {p.name for p in params}
        assert not [p.name for p in params if "cost_per" in p.name or p.short in ("dropout_per_month", "certification_share")]


def test_an_unknown_family_names_the_allowed_ones():
    assert select_families(["housing, challenges", "housing"]) == ["housing", "challenges"]
    with pytest.raises(ValueError, match="unknown lever family parks.*allowed: housing, funding"):
        select_families(["housing,parks"])


def test_fitted_settings_stay_within_the_envelope_whatever_is_proposed():
    base = load_scenario(TOY)
    _, floor = _held_and_floor()
    space = search_space(base, families=["housing", "challenges"], envelope_yuan=floor + 1e9, start="2022-01")
    rng = np.random.default_rng(1)
    for _ in range(200):
        proposed = {p.name: float(rng.uniform(p.low, p.high)) for p in space.parameters}
        setting = space.setting(proposed)
        budgets = sum(setting[p.name] for p in space.parameters if p.short == BUDGET)
        assert space.held_yuan + budgets <= space.envelope_yuan
        assert all(p.low <= setting[p.name] <= p.high for p in space.parameters)
        assert {k: v for k, v in setting.items() if BUDGET not in k} == {k: v for k, v in proposed.items() if BUDGET not in k}


def test_the_budget_in_force_follows_the_lever_time_path():
    scenario = load_scenario("housing_plus100")
    assert budget_in_force(scenario.levers, start="2022-01", families=["housing"]) == 6e9
    assert budget_in_force(scenario.levers, start="2026-01", families=["housing"]) == 6e9
    plain = load_scenario("baseline")
    assert budget_in_force(plain.levers, start="2026-01", families=["housing"]) == plain.levers.housing.budget_yuan_per_year


def test_a_later_step_of_the_base_that_overwrites_a_searched_setting_is_refused():
    scenario = load_scenario("housing_plus100")
    space = search_space(scenario, families=["housing"], envelope_yuan=1e11, start="2023-01")
    assert "start" in space_problems(scenario, space)
    assert space_problems(scenario, search_space(scenario, families=["skills"], envelope_yuan=1e11, start="2023-01")) == {}


def test_fresh_seeds_are_disjoint_from_the_search_seeds():
    from sim.ensemble import derive_seeds

    assert not set(evaluation_seeds(7, search=5, fresh=20)) & set(derive_seeds(7, 5))


# ---------------------------------------------------------------- the constraint
def test_an_infeasible_trial_is_never_best_nor_on_the_front():
    import optuna
    from optuna.distributions import FloatDistribution

    study = optuna.create_study(directions=["minimize", "maximize"])
    dist = {"x": FloatDistribution(0, 1)}
    for x, value, spent, excess in ((0.1, 100.0, 1e9, -1.0), (0.2, 120.0, 2e9, 0.0), (0.9, 1e6, 5e8, 3e8)):
        study.add_trial(optuna.trial.create_trial(params={"x": x}, distributions=dist, values=[spent, value],
                                                  user_attrs={VALUE: value, SPENT: spent, EXCESS: excess}))
    trials = study.get_trials()
    assert [t.params["x"] for t in best_trials(trials, k=3)] == [0.2, 0.1]
    assert [t.params["x"] for t in pareto_front(trials)] == [0.1, 0.2]
    assert 0.9 not in [t.params["x"] for t in chosen_for_evaluation(trials, pareto=True, k=3)]


def test_the_budget_binds_and_no_reported_setting_exceeds_it(tight):
    _, space, result = tight
    trials = result.trials.to_pylist()
    settings = pq.read_table(result.study_dir / "optimise_settings.parquet").to_pylist()
    proposed = {r["trial"]: r["sampled"] for r in settings if r["parameter"].endswith(BUDGET)}
    # the sampler proposed budgets beyond the envelope: unconstrained, the search would have gone there
    assert any(space.held_yuan + b > space.envelope_yuan for b in proposed.values())
    assert all(r["budget_yuan_per_year"] <= space.envelope_yuan for r in trials)
    assert all(r["max_spending_yuan_per_year"] <= space.envelope_yuan for r in trials)
    best = next(r for r in trials if r["best"])
    assert best["feasible"] and best["budget_yuan_per_year"] <= space.envelope_yuan
    assert best["objective_value"] == max(r["objective_value"] for r in trials if r["feasible"])


# ---------------------------------------------------------------- the saved scenario
def test_the_saved_scenario_runs_to_the_reevaluated_numbers(tight, tmp_path, capsys):
    base, space, result = tight
    saved = load_scenario(result.scenario_file)
    assert saved.name == f"{base.name}_optimised"
    step = saved.levers.schedule[-1]
    assert step.start == space.start
    assert budget_in_force(saved.levers, start=space.start) <= space.envelope_yuan
    runs = pq.read_table(result.study_dir / "runs" / "run_outcomes").to_pandas()
    fresh = json.loads((result.study_dir / "optimise.json").read_text(encoding="utf-8"))["evaluation_seeds"]
    best = runs[(runs["point"] == result.best) & (runs["outcome"] == "talent_total_2035") & runs["seed"].isin(fresh)]
    assert len(best) == len(fresh) == 2
    row = next(r for r in result.evaluation.to_pylist() if r["trial"] == result.best and r["outcome"] == "talent_total_2035")
    assert row["mean"] == pytest.approx(best["value"].mean())
    seed = int(best["seed"].iloc[0])
    assert main(["run", str(result.scenario_file), "--seed", str(seed), "--scale", "1", "--out", str(tmp_path), "--no-charts",
                 "--quiet"]) == 0
    stock = pq.read_table(next(tmp_path.glob(f"{saved.name}/*/talent_stock.parquet"))).to_pandas()
    at_end = stock[stock["date"] == stock["date"].max()]["talent_stock"].sum()
    assert at_end == pytest.approx(float(best[best["seed"] == seed]["value"].iloc[0]))


# ---------------------------------------------------------------- resuming, the front, the command line
def test_a_study_run_again_adds_trials_and_keeps_the_earlier_ones(tight, tmp_path):
    base, space, result = tight
    out = tmp_path / "again"
    shutil.copytree(result.study_dir.parent.parent, out)
    before = pq.read_table(result.study_dir / "optimise_settings.parquet").to_pandas()
    again = optimise_budget(base, space=space, objective="talent_2035", out=out, trials=2, seeds=1, eval_seeds=2, reevaluate=1,
                            scale=1, workers=0, charts=False)
    assert again.trials.num_rows == result.trials.num_rows + 2
    after = pq.read_table(again.study_dir / "optimise_settings.parquet").to_pandas()
    kept = after[after["trial"] < result.trials.num_rows].reset_index(drop=True)
    assert kept.equals(before.reset_index(drop=True))
    assert not after[after["trial"] >= result.trials.num_rows]["value"].isin(before["value"]).all()


def test_a_trial_left_running_by_an_interrupted_invocation_is_tried_again(tight, tmp_path):
    import optuna

    from sim.optimise import distributions

    base, space, result = tight
    out = tmp_path / "interrupted"
    shutil.copytree(result.study_dir.parent.parent, out)
    study = optuna.load_study(study_name=result.study_name, storage=f"sqlite:///{out / base.name / result.study_dir.name / 'study.db'}")
    left = study.ask(distributions(space))           # asked, never told: what a killed invocation leaves
    again = optimise_budget(base, space=space, objective="talent_2035", out=out, trials=1, seeds=1, eval_seeds=2, reevaluate=1,
                            scale=1, workers=0, charts=False)
    rows = {r["trial"]: r for r in again.trials.to_pylist()}
    assert rows[left.number]["state"] == "failed" and rows[left.number + 1]["state"] == "complete"
    retried = optuna.load_study(study_name=result.study_name, storage=again.storage).trials[left.number + 1]
    assert retried.params == left.params


def test_the_pareto_search_writes_a_front_and_its_chart(tmp_path, capsys):
    _, floor = _held_and_floor()
    code = main(["optimise", str(TOY), "--budget-yuan-per-year", f"{floor + 2e9:.0f}", "--levers", "housing", "--pareto",
                 "--population", "2", "--trials", "4", "--seeds", "1", "--eval-seeds", "1", "--reevaluate", "2", "--scale", "1",
                 "--workers", "0", "--from", "2022", "--out", str(tmp_path), "--lang", "en", "--quiet"])
    assert code == 0, capsys.readouterr().err
    folder = next(tmp_path.glob("toyville/optimise-*"))
    trials = pq.read_table(folder / "optimise_trials.parquet").to_pylist()
    front = [r for r in trials if r["pareto"]]
    assert front and all(r["feasible"] for r in front)
    for r in front:
        assert not any(o["feasible"] and o["spending_yuan_per_year"] < r["spending_yuan_per_year"]
                       and o["objective_value"] > r["objective_value"] for o in trials)
    assert (folder / "charts" / "optimise_pareto.png").stat().st_size > 10_000
    assert "best setting as a scenario" in capsys.readouterr().out


@pytest.mark.parametrize("options, message", [
    (["--budget-yuan-per-year=-5e9", "--levers", "housing"], ["--budget-yuan-per-year", "-5e+09: must be a positive number"]),
    (["--budget-yuan-per-year", "2e10", "--levers", "housing,parks"], ["--levers", "unknown lever family parks", "allowed: housing, funding, projects"]),
    (["--budget-yuan-per-year", "1e9", "--levers", "housing"], ["--budget-yuan-per-year", "below the minimum spending", "budget_yuan_per_year set lower"]),
    (["--budget-yuan-per-year", "2e10", "--levers", "housing", "--population", "8"], ["--population", "only with --pareto"]),
    (["--budget-yuan-per-year", "2e10", "--levers", "housing", "--from", "2040"], ["--from", "2040: the settings must start within the run"]),
])
def test_bad_input_stops_with_exit_code_2_and_writes_nothing(options, message, tmp_path, capsys):
    code = main(["optimise", str(TOY), *options, "--trials", "1", "--workers", "0", "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and all(part in err for part in message) and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_study_name_reused_with_other_settings_is_refused(tight, tmp_path, capsys):
    base, space, result = tight
    out = result.study_dir.parent.parent
    code = main(["optimise", str(TOY), "--budget-yuan-per-year", f"{space.envelope_yuan + 1e9:.0f}", "--levers", "housing",
                 "--name", result.study_name, "--trials", "1", "--seeds", "1", "--scale", "1", "--from", "2022", "--workers", "0",
                 "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "--name" in err and "envelope_yuan_per_year" in err


@pytest.mark.parametrize("setting", [{"trials": 0}, {"batch": 0}, {"seeds": 0}, {"eval_seeds": 0}, {"reevaluate": 0}, {"scale": 0},
                                     {"trials": 2.5}, {"population": 1, "pareto": True}])
def test_a_search_from_python_refuses_numbers_it_cannot_run_with(tmp_path, setting) -> None:
    # no trials, or batches of none, searched for ever; nothing is written
    base = load_scenario(TOY)
    space = search_space(base, families=["housing"], envelope_yuan=1e12, start="2022-01")
    options = {"trials": 2, "seeds": 1, "eval_seeds": 1, "reevaluate": 1, "scale": 1, **setting}
    with pytest.raises(ValueError, match=next(iter(setting))):
        optimise_budget(base, space=space, objective="talent_2035", out=tmp_path / "out", workers=0, charts=False, **options)
    assert not (tmp_path / "out").exists()
