"""Calibration: the baseline reproduces P1-P4 within their bands, and the fit moves parameters towards targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.calibrate import fit, pattern_targets, target_values
from sim.config import load_scenario
from sim.model import TalentModel

CALIBRATION_SEEDS = (1, 2)  # not the seeds the fit used, so this is an out-of-sample check
# tolerance bands from the published figures (MODEL_SPEC §1, docs/sources/jiaxing_facts.yaml)
BANDS = {
    "P1_talent_stock_end_2021": (1_260_000 * 0.98, 1_260_000 * 1.02),
    "P2_graduates_employed_2022": (100_000, 130_000),
    "P3_demands_matched_share_2022": (0.35, 0.45),
    "P4_jobs_per_project_2022": (15, 20),
    "P4_output_per_project_2022": (108.6e9 / 1708 * 0.8, 108.6e9 / 1708 * 1.2),
}


@pytest.fixture(scope="module")
def baseline_patterns(baseline_path) -> list[dict[str, float]]:
    values = []
    scenario = load_scenario(baseline_path, overrides={"run.end": "2022-12"})
    for seed in CALIBRATION_SEEDS:
        model = TalentModel(scenario, seed=seed, scale=10)
        values.append(target_values(model.run(), targets=pattern_targets(scenario)))
    return values


def test_calibrator_accepts_no_more_than_the_published_bands(baseline_path) -> None:
    # `talentsim calibrate` declares success inside the region's patterns; bands wider than the facts would hide a miss
    patterns = pattern_targets(load_scenario(baseline_path))
    assert set(patterns) == set(BANDS)
    for name, (low, high) in BANDS.items():
        assert patterns[name]["low"] >= low - 1e-9 * abs(low) and patterns[name]["high"] <= high + 1e-9 * abs(high), name


@pytest.mark.parametrize("pattern", list(BANDS))
def test_baseline_reproduces_pattern(baseline_patterns, pattern: str) -> None:
    low, high = BANDS[pattern]
    for seed, values in zip(CALIBRATION_SEEDS, baseline_patterns):
        assert low <= values[pattern] <= high, f"seed {seed}: {pattern} = {values[pattern]:.4g}, outside [{low:.4g}, {high:.4g}]"


def test_pattern_values_need_all_of_2022(toy_scenario_path) -> None:
    scenario = load_scenario(toy_scenario_path, overrides={"run.end": "2022-06"})
    model = TalentModel(scenario, seed=1).run()
    with pytest.raises(ValueError, match="2022-01 to 2022-12"):
        target_values(model, targets=pattern_targets(scenario))


@pytest.mark.parametrize("factor", [1.5, 0.6])
def test_fit_moves_a_parameter_towards_its_target(toy_scenario_path, factor: float) -> None:
    # toy-sized targets: every pattern at its value under the toy's own parameters (wide bands), except
    # output per project, whose target is moved; only project_output_per_job_yuan should follow it
    scenario = load_scenario(toy_scenario_path)
    start = fit(scenario, seeds=1, scale=1, max_iterations=1).history[0]
    patterns = pattern_targets(scenario)
    band = lambda name, value, rel: {**patterns[name], "target": value, "low": value * (1 - rel), "high": value * (1 + rel)}
    targets = {name: band(name, start[name], 0.5) for name in patterns}
    key = "P4_output_per_project_2022"
    targets[key] = band(key, start[key] * factor, 0.05)

    report = fit(scenario, targets=targets, seeds=1, scale=1, max_iterations=4)
    initial = scenario.uncertainties.behaviour.project_output_per_job_yuan
    assert report.history[0]["project_output_per_job_yuan"] == initial
    moved = report.fitted["project_output_per_job_yuan"] / initial
    assert (moved > 1.2) if factor > 1 else (moved < 0.8), f"parameter moved by x{moved:.3f} for a target x{factor}"
    # the toy has few projects, so iterations wobble around the target; the reported fit must be well inside the first miss
    first_miss = abs(report.history[0][key] - targets[key]["target"])
    assert abs(report.patterns[key] - targets[key]["target"]) < 0.5 * first_miss, \
        f"{key} by iteration: {[round(h[key] / 1e6, 2) for h in report.history]} m"


def test_report_pairs_fitted_values_with_their_patterns(toy_scenario_path) -> None:
    # the report (and the calibration file's header) give `patterns` as the simulated values of `fitted`;
    # when the fit stops without converging, that must still be true
    scenario = load_scenario(toy_scenario_path)
    # far from the toy's values, with bands too narrow to hit in two iterations
    far = {"P1_talent_stock_end_2021": 20_000, "P2_graduates_employed_2022": 4000, "P3_demands_matched_share_2022": 0.9,
           "P4_jobs_per_project_2022": 30, "P4_output_per_project_2022": 1e8}
    patterns = pattern_targets(scenario)
    unreachable = {name: {**patterns[name], "target": v, "low": v * 0.999, "high": v * 1.001} for name, v in far.items()}
    report = fit(scenario, targets=unreachable, seeds=1, scale=1, max_iterations=2)
    assert not report.converged
    # the reported values are one evaluation of the history, whole: parameters with their own patterns
    evaluated = [{k: h[k] for k in (*report.fitted, *report.patterns)} for h in report.history]
    assert {**report.fitted, **report.patterns} in evaluated


def _copy_of_the_baseline(folder, *, name: str):
    """The packaged baseline and its calibration folder, copied into ``folder/scenarios`` as ``name``.yaml."""
    import shutil

    from sim.scenario_files import packaged_library

    scenarios = folder / "scenarios"
    shutil.copytree(packaged_library() / "calibration", scenarios / "calibration")
    shutil.copy(packaged_library() / "baseline.yaml", scenarios / f"{name}.yaml")
    return scenarios / f"{name}.yaml"


def test_a_fit_that_the_scenario_would_not_read_is_refused_before_fitting(tmp_path, monkeypatch, capsys) -> None:
    # a copy of the baseline under another name still extends calibration/baseline_fit.yaml: its own fit file,
    # calibration/mine_fit.yaml, would be written and never read
    from sim.cli import main

    mine = _copy_of_the_baseline(tmp_path, name="mine")
    own = tmp_path / "own.yaml"
    own.write_text("name: own\nextends: baseline.yaml\n", encoding="utf-8")  # the packaged baseline
    monkeypatch.chdir(tmp_path)
    for scenario, fit_file in ((mine, mine.parent / "calibration" / "mine_fit.yaml"), (own, tmp_path / "calibration" / "own_fit.yaml")):
        before = sorted(tmp_path.rglob("*"))
        code = main(["calibrate", str(scenario), "--seeds", "1", "--scale", "1000"])
        err = capsys.readouterr().err
        assert code == 2, err
        assert f"`extends: calibration/{fit_file.name}`" in err and "baseline_fit.yaml" in err and "Traceback" not in err
        assert sorted(tmp_path.rglob("*")) == before


def test_the_files_a_scenario_reads(tmp_path) -> None:
    from sim.scenario_files import extends_chain, packaged_library

    mine = _copy_of_the_baseline(tmp_path, name="mine")
    assert extends_chain(mine) == [mine.resolve(), (mine.parent / "calibration" / "baseline_fit.yaml").resolve()]
    own = tmp_path / "own.yaml"
    own.write_text("name: own\nextends: scenarios/mine.yaml\n", encoding="utf-8")
    assert extends_chain(own)[1:] == extends_chain(mine)
    assert extends_chain(packaged_library() / "calibration" / "baseline_fit.yaml") == [
        (packaged_library() / "calibration" / "baseline_fit.yaml").resolve()]


def _toy_city(folder, toy_region_path, *, change) -> Path:
    """The toy scenario and its region, changed by ``change``, in ``folder``; the scenario extends its own fit file."""
    import yaml

    region = yaml.safe_load(toy_region_path.read_text(encoding="utf-8"))
    change(region)
    (folder / "calibration").mkdir(parents=True)
    (folder / "town.yaml").write_text(yaml.safe_dump(region, allow_unicode=True, sort_keys=False), encoding="utf-8")
    toy = yaml.safe_load((toy_region_path.parent / "toyville_scenario.yaml").read_text(encoding="utf-8"))
    # the fitted parameters' starting values at the city's size go in the fit file, which the calibration rewrites
    start = {"behaviour": {"graduate_candidates_per_year": toy["uncertainties"]["behaviour"].pop("graduate_candidates_per_year")}}
    (folder / "calibration" / "city_fit.yaml").write_text(yaml.safe_dump({"uncertainties": start}), encoding="utf-8")
    scenario = folder / "city.yaml"
    scenario.write_text(yaml.safe_dump({**toy, "name": "city", "region": "town.yaml", "extends": "calibration/city_fit.yaml"},
                                       allow_unicode=True, sort_keys=False), encoding="utf-8")
    return scenario


def test_a_region_without_patterns_or_fitted_observations_is_not_calibrated(tmp_path, toy_region_path, capsys) -> None:
    from sim.cli import main

    def no_targets(region: dict) -> None:
        region["patterns"] = []

    scenario = _toy_city(tmp_path, toy_region_path, change=no_targets)
    before = sorted(tmp_path.rglob("*"))
    for method in (["--seeds", "1"], ["--method", "abc", "--population", "4", "--generations", "1", "--out", str(tmp_path / "out")]):
        assert main(["calibrate", str(scenario), "--scale", "1", *method]) == 2
        err = capsys.readouterr().err
        assert "no fitted pattern or observation" in err and "patterns" in err and "Traceback" not in err
        assert sorted(tmp_path.rglob("*")) == before
    with pytest.raises(ValueError, match="nothing to fit"):
        fit(load_scenario(scenario), seeds=1, scale=1, max_iterations=1)


def test_the_patterns_years_and_figures_are_the_regions(tmp_path, toy_region_path) -> None:
    # a city whose figures are of 2023: the fit runs through 2023 and measures each pattern in 2023, with the
    # region's own figures as targets (nothing of Jiaxing's, nor its years)
    from sim.calibrate import fit_end, free_parameters, measure_value
    from sim.categories import INFLOW_CHANNELS
    from sim.charts.abc import target_title

    def of_2023(region: dict) -> None:
        for pattern in region["patterns"][1:]:
            pattern["year"] = 2023

    scenario = load_scenario(_toy_city(tmp_path, toy_region_path, change=of_2023))
    targets = pattern_targets(scenario)
    assert list(targets) == ["P1_talent_stock_end_2021", "P2_graduates_employed_2023", "P3_demands_matched_share_2023",
                             "P4_jobs_per_project_2023", "P4_output_per_project_2023"]
    assert targets["P2_graduates_employed_2023"]["target"] == 1500 and targets["P3_demands_matched_share_2023"]["target"] == 8 / 20
    assert [spec["in_distance"] for spec in targets.values()] == [False, True, True, True, True]
    assert fit_end(scenario) == "2023-12"
    assert free_parameters(scenario)["graduate_candidates_per_year"][1] == "P2_graduates_employed_2023"
    report = fit(scenario, seeds=1, scale=1, max_iterations=1)
    assert set(report.patterns) == set(targets) and report.patterns["P1_talent_stock_end_2021"] == pytest.approx(20_000)
    # each year's measure takes that year's months: the three years' graduates are the run's (2022-01 to 2024-12)
    model = TalentModel(scenario, seed=5).run()
    by_year = [measure_value(model, measure="graduates_employed", year=year) for year in (2022, 2023, 2024)]
    assert min(by_year) > 0 and sum(by_year) == model.recorder.inflow[..., INFLOW_CHANNELS.index("graduate")].sum()
    assert measure_value(model, measure="talent_stock_end", year=2023) == model.recorder.stock[24].sum()
    with pytest.raises(ValueError, match="2025-01 to 2025-12"):
        measure_value(model, measure="jobs_per_project", year=2025)
    assert target_title("P2_graduates_employed_2023", "en") == "P2 graduates employed in 2023, persons"
    assert target_title("P4_output_per_project_2023", "zh") == "P4 2023 年 12 月每个项目年产出（元）"


def test_a_fitted_parameter_set_in_the_scenario_is_refused_before_fitting(tmp_path, toy_region_path, capsys) -> None:
    # the scenario's own value would override the fit file it extends: every fit would be written and never used
    import yaml

    from sim.cli import main

    scenario = _toy_city(tmp_path, toy_region_path, change=lambda region: None)
    data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    data["uncertainties"]["behaviour"]["graduate_candidates_per_year"] = 3000
    scenario.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert main(["calibrate", str(scenario), "--seeds", "1", "--scale", "1"]) == 2
    err = capsys.readouterr().err
    assert "uncertainties.behaviour.graduate_candidates_per_year: set in" in err and "city_fit.yaml" in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_a_scenario_starting_later_in_the_year_is_fitted_from_the_initial_state(tmp_path, toy_region_path, capsys) -> None:
    # the targets are of the region's years: the fitting runs start after the initial month whatever the scenario's start
    import yaml

    from sim.calibrate import fit_runs
    from sim.cli import main

    scenario = _toy_city(tmp_path, toy_region_path, change=lambda region: None)
    data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    data["run"]["start"] = "2022-06"
    scenario.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert fit_runs(load_scenario(scenario)) == {"start": "2022-01", "end": "2022-12"}
    assert main(["calibrate", str(scenario), "--seeds", "1", "--scale", "1"]) in (0, 1)
    assert "Runs from 2022-01 to 2022-12" in (tmp_path / "calibration" / "city_fit.yaml").read_text(encoding="utf-8")


def test_a_target_the_runs_leave_empty_is_a_configuration_error(tmp_path, toy_region_path, capsys) -> None:
    # a region whose initial state is mid-year: the year after is whole, but its growth follows a partial year and is empty
    from sim.cli import main

    def mid_year(region: dict) -> None:
        region["initial_month"] = "2021-06"
        region["observations"].append({"series": "gdp_real_growth", "year": 2022, "value": 0.05, "unit": "share", "tolerance": 0.01,
                                       "tolerance_kind": "absolute", "use": "fitted", "source": "invented"})
        region["observations"].append({"series": "talent_stock", "year": 2022, "value": 22000, "unit": "persons", "tolerance": 0.05,
                                       "tolerance_kind": "relative", "use": "fitted", "source": "invented"})

    scenario = _toy_city(tmp_path, toy_region_path, change=mid_year)
    scenario.write_text(scenario.read_text(encoding="utf-8").replace("start: 2022-01", "start: 2021-07"), encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    for method in (["--seeds", "1"], ["--method", "abc", "--population", "4", "--generations", "1", "--workers", "0",
                                       "--out", str(tmp_path / "out")]):
        assert main(["calibrate", str(scenario), "--scale", "1", *method]) == 2
        err = capsys.readouterr().err
        assert "gdp_real_growth_2022" in err and "2021-07" in err and "Traceback" not in err, err
        # talent_stock has no parameter of its own: the fit leaves it out, and says so
        assert "talent_stock 2022" in err and "no parameter is fitted to" in err
        assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_the_report_gives_each_targets_response_to_its_parameter_and_flags_a_weak_one() -> None:
    from sim.calibrate import CalibrationReport

    # a pool whose target follows it with elasticity 0.1 (vacancies bind), and a level whose target moves one for one
    pools, levels = [1000.0, 2000.0, 4000.0], [0.0, 100.0, 300.0]
    history = [{"pool": pool, "P2_x_2024": 500 * pool ** 0.1, "level": level, "residents_2024": 7000 + level}
               for pool, level in zip(pools, levels)]
    report = CalibrationReport(fitted=dict(pool=4000.0, level=300.0), patterns={}, iterations=3, converged=False, history=history,
                               targets={}, free={"pool": ("behaviour", "P2_x_2024", "ratio", 1.0),
                                                 "level": ("residents", "residents_2024", "difference", 1.0)})
    responses = report.responses()
    assert responses["pool"] == pytest.approx(0.1) and responses["level"] == pytest.approx(1.0)
    rendered = report.render()
    assert "converged: False (converged: every fitted target within a quarter of its band's half-width" in rendered
    assert "response of P2_x_2024 to pool: elasticity 0.1 (WEAK" in rendered
    assert "response of residents_2024 to level: slope 1" in rendered and rendered.count("WEAK") == 1
