"""Calibration with a posterior (ABC-SMC): a synthetic twin is recovered, a fit that leaves a parameter out at a
wrong value misses, the same seed gives the same posterior serially and on Dask workers, and bad options are
refused before anything runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.abc_smc import Prior, abc_smc, priors_for, screening_factors, write_abc
from sim.calibrate import fit_end, pattern_targets, target_values
from sim.cli import main
from sim.config import load_scenario
from sim.model import TalentModel
from sim.posterior import posterior_file, read_posterior

GRADUATES = "uncertainties.behaviour.graduate_candidates_per_year"
JOBS = "uncertainties.behaviour.project_jobs_end_2021"
OUTPUT = "uncertainties.behaviour.project_output_per_job_yuan"
# The twin: two parameters, each drives a target of P4 (jobs per project; output per project, the product of
# the two). True values away from the middle of the priors, so that a posterior that merely returned its prior
# would not cover them by chance.
TRUTH = {JOBS: 12.0, OUTPUT: 4.5e6}
PRIORS = [Prior(JOBS, 8, 30, "jobs/project"), Prior(OUTPUT, 1.5e6, 6e6, "yuan/job/year")]
TWIN_SEEDS = (11, 12, 13, 14)  # the synthetic observation: mean over these seeds at the true values
# the twin's tolerances as shares of the target: P4's, about twice their seed noise at scale 1; P2 and P3, which
# the two parameters barely move, wide; P1, which holds by construction, as in the region's patterns
BANDS = {"P2_graduates_employed_2022": 0.5, "P3_demands_matched_share_2022": 0.5, "P4_jobs_per_project_2022": 0.2,
         "P4_output_per_project_2022": 0.2}


@pytest.fixture(scope="module")
def toy(toy_scenario_path):
    return load_scenario(toy_scenario_path)


@pytest.fixture(scope="module")
def twin_targets(toy) -> dict[str, dict]:
    """P1-P4 of the toy simulated at the true values, each with a band around it: targets whose parameters are known."""
    patterns = pattern_targets(toy)
    runs = [target_values(TalentModel(toy, seed=seed, **{"run.end": fit_end(toy), **TRUTH}).run(), targets=patterns)
            for seed in TWIN_SEEDS]
    targets = {}
    for name, spec in patterns.items():
        value = float(np.mean([r[name] for r in runs]))
        half = value * BANDS.get(name, 0.02)
        targets[name] = {**spec, "target": value, "low": value - half, "high": value + half}
    return targets


def _toy_copy(folder: Path, toy_scenario_path: Path, toy_region_path: Path) -> Path:
    """The toy scenario in ``folder`` (calibrate writes beside the scenario), its region found where it is."""
    scenario = folder / "toy.yaml"
    scenario.write_text(toy_scenario_path.read_text(encoding="utf-8").replace("region: toyville.yaml", f"region: {toy_region_path}"),
                        encoding="utf-8")
    return scenario


def _recovery_problems(result, truth: dict[str, float]) -> list[str]:
    """What a twin fit gets wrong: a true value outside its 90% credible interval, or a target in the distance
    that fewer than half of the posterior's weight reproduces within its tolerance."""
    problems = []
    low, high = result.posterior.quantile(0.05), result.posterior.quantile(0.95)
    for name, value in truth.items():
        if name in result.posterior.parameters and not low[name] <= value <= high[name]:
            problems.append(f"{name}: true {value:.4g} outside [{low[name]:.4g}, {high[name]:.4g}]")
    for name, s in result.target_summary().items():
        if s["in_distance"] and s["share_within_tolerance"] < 0.5:
            problems.append(f"{name}: {s['share_within_tolerance']:.0%} of the weight within tolerance")
    return problems


@pytest.mark.slow  # about 15 s: some 250 toy runs
def test_a_synthetic_twin_is_recovered(toy, twin_targets, tmp_path) -> None:
    result = abc_smc(toy, priors=PRIORS, targets=twin_targets, db=tmp_path / "twin.db", population=30, generations=3, scale=1)
    assert _recovery_problems(result, TRUTH) == []
    # and the data taught something: each interval is well inside its prior (whose own 90% interval is 0.9 of it)
    low, high = result.posterior.quantile(0.05), result.posterior.quantile(0.95)
    for prior in PRIORS:
        assert high[prior.name] - low[prior.name] < 0.6 * (prior.high - prior.low), (prior.name, low[prior.name], high[prior.name])
    assert [p["generation"] for p in result.populations] == [0, 1, 2]
    assert result.populations[-1]["epsilon"] < result.populations[0]["epsilon"]


@pytest.mark.slow  # about 10 s
def test_a_parameter_left_out_at_a_wrong_value_is_not_recovered(toy, twin_targets, tmp_path) -> None:
    # the jobs per project held at twice their true value; only the output per job is fitted, as in the twin
    wrong = toy.model_copy(update={"uncertainties": toy.uncertainties.model_copy(update={
        "behaviour": toy.uncertainties.behaviour.model_copy(update={"project_jobs_end_2021": 2 * TRUTH[JOBS]})})})
    result = abc_smc(wrong, priors=PRIORS[1:], targets=twin_targets, db=tmp_path / "left_out.db", population=30,
                     generations=3, scale=1)
    problems = _recovery_problems(result, TRUTH)
    # the target the left-out parameter drives is missed, and the fitted one makes up for it: output per project
    # is matched with about half the output per job, so that its true value falls outside its interval
    assert any(p.startswith("P4_jobs_per_project_2022") for p in problems), problems
    assert any(p.startswith(OUTPUT) for p in problems), problems
    assert result.target_summary()["P4_jobs_per_project_2022"]["share_within_tolerance"] < 0.1


@pytest.mark.slow  # a local Dask cluster starts in a few seconds
def test_the_same_seed_gives_the_same_posterior_serially_and_on_dask_workers(tmp_path, toy_scenario_path, toy_region_path) -> None:
    written = {}
    for workers in ("0", "2"):
        folder = tmp_path / f"workers{workers}"
        folder.mkdir()
        scenario = _toy_copy(folder, toy_scenario_path, toy_region_path)
        args = ["calibrate", str(scenario), "--method", "abc", "--parameters", GRADUATES, JOBS, "--population", "6",
                "--generations", "2", "--scale", "1", "--workers", workers, "--out", str(folder / "out"), "--no-charts", "--quiet"]
        assert main(args) == 0
        written[workers] = (posterior_file(scenario), folder / "out" / "toyville" / "abc" / "posterior_predictive.parquet")
    for serial, parallel in zip(written["0"], written["2"]):
        assert pq.read_table(serial).equals(pq.read_table(parallel)), serial.name
    summaries = [written[w][0].with_suffix(".yaml").read_text(encoding="utf-8") for w in ("0", "2")]
    assert summaries[0] == summaries[1].replace("workers2", "workers0")  # the history's folder differs
    assert len(set(read_posterior(written["0"][0]).values[:, 0])) > 1  # particles, not one value copied


def test_the_files_pair_particles_with_their_predictions(tmp_path, toy) -> None:
    result = abc_smc(toy, priors=PRIORS, db=tmp_path / "h.db", population=4, generations=1, scale=1)
    files = write_abc(result, scenario_path=tmp_path / "toy.yaml", out=tmp_path / "out", charts=False)
    posterior = read_posterior(posterior_file(tmp_path / "toy.yaml"))
    assert posterior.parameters == (JOBS, OUTPUT)
    np.testing.assert_allclose(posterior.weights, result.posterior.weights)
    predictive = pq.read_table(tmp_path / "out" / "toyville" / "abc" / "posterior_predictive.parquet").to_pylist()
    patterns = pattern_targets(toy)
    assert {r["target"] for r in predictive} == set(patterns)  # the toy region has no fitted observations
    for row in predictive:
        assert row["weight"] == pytest.approx(posterior.weights[row["particle"]])
        assert row["within_tolerance"] == (row["low"] <= row["simulated"] <= row["high"])
        assert row["in_distance"] == patterns[row["target"]]["in_distance"]
    assert {r["target"] for r in predictive if not r["in_distance"]} == {"P1_talent_stock_end_2021"}
    assert len(files) == 4


def test_priors_are_the_declared_ranges_and_levers_are_refused() -> None:
    (prior,) = priors_for(["net_migration_per_year"])
    assert (prior.name, prior.low, prior.high) == ("uncertainties.residents.net_migration_per_year", -100_000, 100_000)
    with pytest.raises(ValueError, match="lever"):
        priors_for(["apartments_per_year"])
    with pytest.raises(ValueError, match="not a lever or uncertainty"):
        priors_for(["graduate_pool"])


def test_screening_factors_are_the_best_ranked_uncertainties(tmp_path) -> None:
    rows = [("a", "uncertainties.x", 3), ("a", "uncertainties.y", 1), ("a", "levers.z", 2), ("b", "uncertainties.x", 1),
            ("b", "uncertainties.y", 2), ("b", "uncertainties.w", 3)]
    table = pa.table({"outcome": [r[0] for r in rows], "factor": [r[1] for r in rows], "design_size": [20] * len(rows),
                      "rank": [r[2] for r in rows], "mu_star": [1.0] * len(rows)})
    pq.write_table(pa.concat_tables([table, table.set_column(2, "design_size", pa.array([10] * len(rows)))]), tmp_path / "indices.parquet")
    # x and y are each first once; y's mean rank is lower; levers are not calibrated
    assert screening_factors(tmp_path, top=2) == ["uncertainties.y", "uncertainties.x"]
    assert screening_factors(tmp_path, top=9) == ["uncertainties.y", "uncertainties.x", "uncertainties.w"]


def test_a_screening_adds_its_top_uncertainties(tmp_path, toy_scenario_path, toy_region_path) -> None:
    ranked = ["uncertainties.wage_growth", "uncertainties.graduate_supply", "uncertainties.rent_trend"]
    pq.write_table(pa.table({"outcome": ["talent_total_2035"] * 3, "factor": ranked, "design_size": [20] * 3, "rank": [1, 2, 3],
                             "mu_star": [3.0, 2.0, 1.0]}), tmp_path / "indices.parquet")
    scenario = _toy_copy(tmp_path, toy_scenario_path, toy_region_path)
    assert main(["calibrate", str(scenario), "--method", "abc", "--parameters", JOBS, "--from-screening", str(tmp_path), "--top", "2",
                 "--population", "3", "--generations", "1", "--scale", "1", "--workers", "0", "--out", str(tmp_path / "out"),
                 "--no-charts", "--quiet"]) == 0
    assert read_posterior(posterior_file(scenario)).parameters == (JOBS, *ranked[:2])


@pytest.mark.parametrize("options, option", [
    (["--parameters", "no_such_parameter"], "--parameters"),
    (["--parameters", "apartments_per_year"], "--parameters"),
    (["--population", "1"], "--population"),
    (["--generations", "0"], "--generations"),
    (["--min-acceptance", "1.5"], "--min-acceptance"),
    (["--min-epsilon", "-1"], "--min-epsilon"),
    (["--scale", "0"], "--scale"),
    (["--seeds", "3"], "--seeds"),
    (["--top", "3"], "--top"),
    (["--from-screening", "{tmp}/absent", "--top", "2"], "--from-screening"),
    (["--workers", "-1"], "--workers"),
])
def test_bad_abc_options_are_refused_before_anything_runs(options, option, tmp_path, toy_scenario_path, toy_region_path,
                                                          capsys) -> None:
    scenario = _toy_copy(tmp_path, toy_scenario_path, toy_region_path)
    before = sorted(tmp_path.rglob("*"))
    args = ["calibrate", str(scenario), "--method", "abc", "--out", str(tmp_path / "out"),
            *[o.replace("{tmp}", str(tmp_path)) for o in options]]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert option in err and "Traceback" not in err, err
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("options", [["--population", "50"], ["--workers", "2"], ["--parameters", GRADUATES]])
def test_abc_options_are_refused_with_the_point_fit(options, tmp_path, toy_scenario_path, capsys) -> None:
    assert main(["calibrate", str(toy_scenario_path), *options]) == 2
    err = capsys.readouterr().err
    assert options[0] in err and "only with --method abc" in err, err


def test_the_installed_package_is_not_given_a_posterior(monkeypatch, tmp_path, capsys) -> None:
    import sim.calibrate as calibrate

    # the guard compares the target with the package's folder: pretend the package lives where the scenario is
    monkeypatch.setattr(calibrate, "__file__", str(Path(__file__).resolve().parent.parent / "scenarios" / "calibrate.py"))
    baseline = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
    assert main(["calibrate", str(baseline), "--method", "abc", "--out", str(tmp_path)]) == 2
    assert "installed package" in capsys.readouterr().err


def test_the_diagnostics_charts_speak_the_chosen_language_and_cite_the_region(tmp_path, toy_scenario_path, toy_region_path) -> None:
    from PIL import Image

    scenario = _toy_copy(tmp_path, toy_scenario_path, toy_region_path)
    args = ["calibrate", str(scenario), "--method", "abc", "--parameters", GRADUATES, JOBS, "--population", "6",
            "--generations", "2", "--scale", "1", "--workers", "0", "--out", str(tmp_path / "out"), "--lang", "zh", "--quiet"]
    assert main(args) == 0
    charts = sorted((tmp_path / "out" / "toyville" / "abc" / "charts").glob("*.png"))
    assert len(charts) == 2, charts
    for png in charts:
        footer = Image.open(png).info["Description"]
        assert "粒子" in footer and "资料来源" in footer and "particles" not in footer, footer


@pytest.mark.parametrize("setting, expected", [({"min_epsilon": float("nan")}, "min_epsilon"), ({"min_acceptance": 1.0}, "min_acceptance"),
                                               ({"priors": []}, "priors"), ({"scale": 0}, "scale"), ({"population": 1}, "population"),
                                               ({"generations": 0}, "generations")])
def test_a_calibration_from_python_refuses_settings_before_any_simulation(tmp_path, toy_scenario_path, setting, expected) -> None:
    scenario = load_scenario(toy_scenario_path)
    options = {"priors": priors_for(["uncertainties.behaviour.graduate_candidates_per_year"]), "population": 4, "generations": 1,
               "scale": 1, **setting}
    with pytest.raises(ValueError, match=expected):
        abc_smc(scenario, db=tmp_path / "abc" / "history.db", **options)
    assert not (tmp_path / "abc").exists()
