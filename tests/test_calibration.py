"""Calibration: the baseline reproduces P1-P4 within their bands, and the fit moves parameters towards targets."""

from __future__ import annotations

import pytest

import sim.calibrate as calibrate
from sim.calibrate import PATTERNS, fit, pattern_values
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
    for seed in CALIBRATION_SEEDS:
        model = TalentModel(load_scenario(baseline_path, overrides={"run.end": "2022-12"}), seed=seed, scale=10)
        values.append(pattern_values(model.run()))
    return values


def test_calibrator_accepts_no_more_than_the_published_bands() -> None:
    # `talentsim calibrate` declares success inside PATTERNS; bands wider than the facts would hide a miss
    for name, (low, high) in BANDS.items():
        assert PATTERNS[name]["low"] >= low - 1e-9 * abs(low) and PATTERNS[name]["high"] <= high + 1e-9 * abs(high), name


@pytest.mark.parametrize("pattern", list(BANDS))
def test_baseline_reproduces_pattern(baseline_patterns, pattern: str) -> None:
    low, high = BANDS[pattern]
    for seed, values in zip(CALIBRATION_SEEDS, baseline_patterns):
        assert low <= values[pattern] <= high, f"seed {seed}: {pattern} = {values[pattern]:.4g}, outside [{low:.4g}, {high:.4g}]"


def test_pattern_values_need_all_of_2022(toy_scenario_path) -> None:
    model = TalentModel(load_scenario(toy_scenario_path, overrides={"run.end": "2022-06"}), seed=1).run()
    with pytest.raises(ValueError, match="2022"):
        pattern_values(model)


@pytest.mark.parametrize("factor", [1.5, 0.6])
def test_fit_moves_a_parameter_towards_its_target(monkeypatch, toy_scenario_path, factor: float) -> None:
    # toy-sized targets: every pattern at its value under the toy's own parameters (wide bands), except
    # output per project, whose target is moved; only project_output_per_job_yuan should follow it
    scenario = load_scenario(toy_scenario_path)
    start = fit(scenario, seeds=1, scale=1, max_iterations=1).history[0]
    band = lambda value, rel: {"target": value, "low": value * (1 - rel), "high": value * (1 + rel), "unit": ""}
    targets = {name: band(start[name], 0.5) for name in PATTERNS}
    key = "P4_output_per_project_2022"
    targets[key] = band(start[key] * factor, 0.05)
    monkeypatch.setattr(calibrate, "PATTERNS", targets)

    report = fit(scenario, seeds=1, scale=1, max_iterations=4)
    initial = scenario.uncertainties.behaviour.project_output_per_job_yuan
    assert report.history[0]["project_output_per_job_yuan"] == initial
    moved = report.fitted["project_output_per_job_yuan"] / initial
    assert (moved > 1.2) if factor > 1 else (moved < 0.8), f"parameter moved by x{moved:.3f} for a target x{factor}"
    # the toy has few projects, so iterations wobble around the target; the reported fit must be well inside the first miss
    first_miss = abs(report.history[0][key] - targets[key]["target"])
    assert abs(report.patterns[key] - targets[key]["target"]) < 0.5 * first_miss, \
        f"{key} by iteration: {[round(h[key] / 1e6, 2) for h in report.history]} m"


def test_report_pairs_fitted_values_with_their_patterns(monkeypatch, toy_scenario_path) -> None:
    # the report (and the calibration file's header) give `patterns` as the simulated values of `fitted`;
    # when the fit stops without converging, that must still be true
    scenario = load_scenario(toy_scenario_path)
    # far from the toy's values, with bands too narrow to hit in two iterations
    far = {"P1_talent_stock_end_2021": 20_000, "P2_graduates_employed_2022": 4000, "P3_demands_matched_share_2022": 0.9,
           "P4_jobs_per_project_2022": 30, "P4_output_per_project_2022": 1e8}
    unreachable = {name: {"target": v, "low": v * 0.999, "high": v * 1.001, "unit": ""} for name, v in far.items()}
    monkeypatch.setattr(calibrate, "PATTERNS", unreachable)
    report = fit(scenario, seeds=1, scale=1, max_iterations=2)
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
