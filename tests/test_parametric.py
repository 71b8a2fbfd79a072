"""Projections and comparisons with parameter uncertainty: draws from a posterior or a Latin hypercube, each with its
own seeds, common random numbers within each draw, and tables and bands that say what they hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from sim.cli import main
from sim.compare import compare_scenarios
from sim.config import load_scenario
from sim.draws import Draws, draw_seed, lhs_draws, parse_design, posterior_draws, without_conflicts
from sim.ensemble import PARAMETERS_AND_SEEDS, SEED_ONLY, derive_seeds, specs_for_scenarios
from sim.posterior import Posterior, posterior_file, write_posterior
from sim.xlrm import parameter

ROOT = Path(__file__).resolve().parent.parent
SHORT = ["--set", "run.end=2023-12", "--scale", "5", "--years", "2022", "2023", "--no-charts", "--quiet"]
# Graduates from half to one and a half times the toy's 30,000, and firms' demand for jobs from flat to fast
# growth: the level of the city's talent moves well beyond its seed-to-seed spread.
PARTICLES = np.array([[15000.0, 0.0], [45000.0, 0.14], [30000.0, 0.02]])
POSTERIOR = ("uncertainties.behaviour.graduate_candidates_per_year", "uncertainties.industry_demand_growth")
POLICY_KEYS = {"name", "title", "description", "levers"}


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> dict[str, Path]:
    """A copy of the toy scenario with a posterior of its own, and two policies that extend it."""
    folder = tmp_path_factory.mktemp("parametric")
    toy = folder / "toy.yaml"
    toy.write_text(f"name: toy\nextends: {ROOT / 'tests/data/toyville_scenario.yaml'}\nregion: {ROOT / 'tests/data/toyville.yaml'}\n",
                   encoding="utf-8")
    write_posterior(posterior_file(toy), Posterior(parameters=POSTERIOR, values=PARTICLES, weights=[1.0, 1.0, 1.0]))
    paths = {"toy": toy}
    for name, levers in (("toy_housing", "housing: {apartments_per_year: 900, budget_yuan_per_year: 6.0e8}"),
                         ("toy_challenges", "challenges: {demands_per_year: 80}")):
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_text(f"name: {name}\nextends: toy.yaml\nlevers: {{{levers}}}\n", encoding="utf-8")
    return paths


def compare(scenarios: dict[str, Path], out: Path, *extra: str) -> Path:
    names = [str(scenarios[n]) for n in ("toy", "toy_housing", "toy_challenges")]
    assert main(["compare", *names, *SHORT, "--out", str(out), *extra]) == 0
    folders = list((out / "compare").iterdir())
    assert len(folders) == 1
    return folders[0]


@pytest.fixture(scope="module")
def parametric(scenarios, tmp_path_factory) -> Path:
    return compare(scenarios, tmp_path_factory.mktemp("posterior"), "--posterior", "3", "--seeds", "2", "--workers", "0")


@pytest.fixture(scope="module")
def seeds_only(scenarios, tmp_path_factory) -> Path:
    """The same six seeds as the parametric comparison's three draws of two, at the scenarios' own parameters."""
    return compare(scenarios, tmp_path_factory.mktemp("seeds"), "--seeds", "6", "--workers", "0")


def city(folder: Path, year: int = 2023) -> dict[str, dict]:
    table = pq.read_table(folder / "comparison.parquet")
    rows = table.filter(pc.and_(pc.equal(table["cluster"], "city_total"), pc.equal(table["year"], year))).to_pylist()
    return {r["scenario"]: r for r in rows}


def test_each_draw_runs_every_scenario_with_the_same_parameters_and_seeds(scenarios):
    loaded = [load_scenario(scenarios[n], overrides={"run.end": "2023-12"}) for n in ("toy", "toy_housing")]
    draws = posterior_draws(loaded[0], n=3, seed=draw_seed(loaded[0].run.seed))
    specs = specs_for_scenarios(loaded, seeds=2, draws=draws.sets)
    by_key = {(s.point, s.draw, s.seed): s for s in specs}
    runs = sorted({(s.draw, s.seed) for s in specs})
    assert len(runs) == 6 and len({seed for _, seed in runs}) == 6  # each draw its own seeds
    assert sorted(seed for _, seed in runs) == sorted(derive_seeds(loaded[0].run.seed, 6))
    for draw, seed in runs:
        reference, policy = by_key[(0, draw, seed)].config, by_key[(1, draw, seed)].config
        assert reference["levers"] != policy["levers"]
        assert {k: v for k, v in reference.items() if k not in POLICY_KEYS} == {k: v for k, v in policy.items() if k not in POLICY_KEYS}
        for name, value in draws.sets[draw].items():
            section, *rest = name.split(".")
            node = reference[section]
            for part in rest:
                node = node[part]
            assert node == value
    assert len({tuple(d.values()) for d in draws.sets}) > 1


def test_draws_repeat_with_the_root_seed_and_differ_with_another(scenarios):
    toy = load_scenario(scenarios["toy"])
    assert posterior_draws(toy, n=5, seed=draw_seed(3)) == posterior_draws(toy, n=5, seed=draw_seed(3))
    assert posterior_draws(toy, n=5, seed=draw_seed(3)).tag != posterior_draws(toy, n=5, seed=draw_seed(4)).tag
    policy = load_scenario(scenarios["toy_housing"])
    assert posterior_draws(policy, n=5, seed=draw_seed(3)).sets == posterior_draws(toy, n=5, seed=draw_seed(3)).sets
    design = lhs_draws(["graduate_supply", "wage_weight"], n=4, seed=draw_seed(3))
    assert design.parameters == ["uncertainties.graduate_supply", "uncertainties.behaviour.wage_weight"]
    # a Latin hypercube: each of the four strata of each range is sampled once
    low, high = parameter("graduate_supply").low, parameter("graduate_supply").high
    strata = sorted(int((s["uncertainties.graduate_supply"] - low) / (high - low) * 4) for s in design.sets)
    assert strata == [0, 1, 2, 3]


def test_parameter_draws_widen_the_bands_of_the_same_seeds(parametric, seeds_only):
    drawn, fixed = city(parametric), city(seeds_only)
    for name in ("toy", "toy_housing", "toy_challenges"):
        assert drawn[name]["uncertainty"] == PARAMETERS_AND_SEEDS and fixed[name]["uncertainty"] == SEED_ONLY
        assert (drawn[name]["n_draws"], drawn[name]["n_seeds"], drawn[name]["n_runs"]) == (3, 2, 6)
        assert (fixed[name]["n_draws"], fixed[name]["n_seeds"], fixed[name]["n_runs"]) == (1, 6, 6)
        assert drawn[name]["talent_stock_p95"] - drawn[name]["talent_stock_p05"] > 1.5 * (
            fixed[name]["talent_stock_p95"] - fixed[name]["talent_stock_p05"])
    summary = pq.read_table(parametric / "summary.parquet")
    assert set(summary["uncertainty"].to_pylist()) == {PARAMETERS_AND_SEEDS} and set(summary["n_runs"].to_pylist()) == {6}
    assert set(pq.read_table(seeds_only / "summary.parquet")["uncertainty"].to_pylist()) == {SEED_ONLY}
    assert parametric.name.startswith("toy__toy_housing__toy_challenges__posterior3-")
    draws = pq.read_table(parametric / "draws.parquet")
    assert draws.num_rows == 3 * len(POSTERIOR) and set(draws["parameter"].to_pylist()) == set(POSTERIOR)


def paired_city_totals(folder: Path, year: int) -> dict[tuple[int, int | None, int], float]:
    """City talent at a year end of every run, keyed by (point, draw, seed), read from the runs' own tables."""
    runs = pq.read_table(folder / "runs.parquet").to_pylist()
    out = {}
    for run in runs:
        stock = pq.read_table(folder / "runs" / "talent_stock" / f"{run['run_id']}.parquet").to_pylist()
        out[(run["point"], run.get("draw"), run["seed"])] = sum(r["talent_stock"] for r in stock if r["date"] == dt.date(year, 12, 31))
    return out


@pytest.mark.parametrize("which", ["parametric", "seeds_only"])
def test_probabilities_are_shares_of_paired_runs(which, request):
    folder = request.getfixturevalue(which)
    totals = paired_city_totals(folder, 2023)
    keys = sorted({(d, s) for _, d, s in totals}, key=str)
    rows = city(folder)
    for point, name in ((1, "toy_housing"), (2, "toy_challenges")):
        gains = np.array([totals[(point, *k)] - totals[(0, *k)] for k in keys])
        assert rows[name]["prob_positive"] == pytest.approx(np.mean(gains > 0))
        assert rows[name]["diff_mean"] == pytest.approx(gains.mean())
        assert 0.0 <= rows[name]["prob_positive"] <= 1.0
    pairs = pq.read_table(folder / "lever_pairs.parquet")
    assert set(pairs["uncertainty"].to_pylist()) == {rows["toy"]["uncertainty"]}
    at = {(r["scenario_a"], r["scenario_b"]): r for r in pairs.filter(pc.equal(pairs["year"], 2023)).to_pylist()}
    housing_wins = np.mean([totals[(1, *k)] > totals[(2, *k)] for k in keys])
    assert at[("toy_housing", "toy_challenges")]["prob_a_beats_b"] == pytest.approx(housing_wins)
    for (a, b), row in at.items():
        assert 0.0 <= row["prob_a_beats_b"] <= 1.0
        assert row["prob_a_beats_b"] + at[(b, a)]["prob_a_beats_b"] <= 1.0 + 1e-12
        if row["prob_a_beats_b_per_yuan"] is not None:
            assert row["prob_a_beats_b_per_yuan"] + at[(b, a)]["prob_a_beats_b_per_yuan"] <= 1.0 + 1e-12


@pytest.mark.slow
def test_a_parametric_comparison_writes_the_same_files_serial_or_parallel(scenarios, parametric, tmp_path):
    parallel = compare(scenarios, tmp_path, "--posterior", "3", "--seeds", "2", "--workers", "2")
    files = lambda folder: {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    assert files(parallel) == files(parametric)


def test_a_parametric_ensemble_has_its_own_folder_and_labelled_bands(scenarios, tmp_path, capsys):
    common = [str(scenarios["toy"]), "--seeds", "2", "--workers", "0", "--set", "run.end=2022-06", "--scale", "20", "--quiet",
              "--out", str(tmp_path), "--lang", "en"]
    assert main(["ensemble", *common, "--no-charts"]) == 0
    assert main(["ensemble", *common, "--design", "lhs:3", "--factors", "graduate_supply", "wage_weight"]) == 0
    printed = capsys.readouterr().out
    assert "(seed variation only)" in printed and "(parameters and seeds: 3 parameter draws)" in printed
    seeds, drawn = sorted((tmp_path / "toy").iterdir())
    assert seeds.name == "ensemble" and drawn.name.startswith("ensemble-lhs3-")
    assert set(pq.read_table(drawn / "summary.parquet")["uncertainty"].to_pylist()) == {PARAMETERS_AND_SEEDS}
    assert set(pq.read_table(drawn / "runs.parquet")["draw"].to_pylist()) == {0, 1, 2}
    assert "draw" not in pq.read_table(seeds / "runs.parquet").column_names
    assert (drawn / "charts" / "fan_total.png").exists()


def test_a_drawn_parameter_that_a_policy_sets_is_held_at_each_scenarios_value(scenarios, tmp_path, capsys):
    stress = scenarios["toy"].parent / "toy_wages.yaml"
    stress.write_text("name: toy_wages\nextends: toy.yaml\nuncertainties: {industry_demand_growth: 0.02}\n", encoding="utf-8")
    loaded = [load_scenario(scenarios["toy"]), load_scenario(stress)]
    draws = posterior_draws(loaded[0], n=2, seed=1)
    with pytest.raises(ValueError, match="uncertainties.industry_demand_growth"):
        compare_scenarios(loaded, seeds=1, out=tmp_path, years=(2022,), draws=draws, workers=0, charts=False)
    kept, held = without_conflicts(draws, loaded)
    assert list(held) == ["uncertainties.industry_demand_growth"] and kept.parameters == ["uncertainties.behaviour.graduate_candidates_per_year"]
    _, fixed = without_conflicts(draws, loaded[:1], fixed=["graduate_candidates_per_year"])
    assert list(fixed) == ["uncertainties.behaviour.graduate_candidates_per_year"]
    assert main(["compare", str(scenarios["toy"]), str(stress), "--posterior", "2", "--seeds", "1", "--workers", "0",
                 "--set", "run.end=2022-12", "--scale", "50", "--years", "2022", "--no-charts", "--quiet", "--out", str(tmp_path / "o")]) == 0
    assert "uncertainties.industry_demand_growth is not drawn" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "expected"), [
    (["--posterior", "0"], ["--posterior", "1 to 10,000"]),
    (["--design", "lhs:0"], ["--design", "lhs:N"]),
    (["--design", "lhs:abc"], ["--design", "lhs:N"]),
    (["--design", "sobol:4"], ["--design", "lhs:N"]),
    (["--design", "lhs:10000", "--seeds", "20"], ["--design", "400,000 runs", "100,000"]),
    (["--posterior", "10001"], ["--posterior", "1 to 10,000"]),
    (["--factors", "wage_weight"], ["--factors", "only with --design"]),
    (["--design", "lhs:2", "--factors", "wage_wieght"], ["--factors", "wage_wieght"]),
])
def test_bad_draw_options_exit_2_and_write_nothing(args, expected, scenarios, tmp_path, capsys):
    out = tmp_path / "o"
    code = main(["compare", str(scenarios["toy"]), str(scenarios["toy_housing"]), "--workers", "0", "--out", str(out), "--quiet", *args])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    for text in expected:
        assert text in err, err
    assert not out.exists()


def test_posterior_and_design_exclude_each_other(scenarios, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["ensemble", str(scenarios["toy"]), "--posterior", "2", "--design", "lhs:2", "--out", str(tmp_path / "o")])
    assert exit_.value.code == 2 and "not allowed with argument" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_scenario_without_a_posterior_says_how_to_make_one(tmp_path, capsys):
    toy = ROOT / "tests" / "data" / "toyville_scenario.yaml"
    code = main(["ensemble", str(toy), "--posterior", "2", "--seeds", "1", "--workers", "0", "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "has no posterior" in err and f"talentsim calibrate {toy} --method abc" in err
    assert not (tmp_path / "o").exists()


def test_design_text_parses_or_names_the_form():
    assert parse_design("lhs:12") == 12
    for bad in ("lhs", "lhs:", "lhs:-1", "lhs:1.5", "LHS:3", "lhs:10001"):
        with pytest.raises(ValueError, match="lhs:N"):
            parse_design(bad)
    assert Draws(kind="lhs", sets=({"a": 1.0}, {"a": 2.0}), source="x").table().num_rows == 2
