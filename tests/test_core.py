"""Core checks of the model: stock-flow invariants, analytic limit, determinism, bad input, calibration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.calibrate import PATTERNS, pattern_values
from sim.cli import main
from sim.config import load_scenario
from sim.model import TalentModel
from sim.observe import INFLOW_CHANNELS

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "toyville_scenario.yaml"


def _check_invariants(model: TalentModel) -> None:
    r = model.recorder
    change = r.stock[1:] - r.stock[:-1]
    net = r.inflow.sum(axis=3) - r.outflow.sum(axis=3)
    np.testing.assert_allclose(change, net, atol=1e-6 * r.stock.max())
    assert (r.stock >= 0).all()
    assert (r.housing[..., 1] <= r.housing[..., 0] + 1e-9).all()
    years = np.array([(model.start + t) // 12 for t in range(model.t)])
    for year in set(years.tolist()):
        spent = r.spending[years == year].sum(axis=0)
        assert (spent <= r.budget[years == year][0] * 12 + 1e-6).all()


def test_invariants_jiaxing_every_month():
    model = TalentModel(ROOT / "scenarios" / "baseline.yaml", seed=11, scale=200, **{"run.end": "2023-12"})
    model.run()
    _check_invariants(model)


@settings(max_examples=8, deadline=None)
@given(
    apartments=st.floats(0, 2000), discount=st.floats(0, 1), projects=st.floats(0, 20), demands=st.floats(0, 100),
    housing_budget=st.floats(1e5, 1e9), growth=st.floats(0, 0.09), consider=st.floats(0.01, 0.05), seed=st.integers(0, 10_000),
)
def test_invariants_hold_for_valid_configurations(apartments, discount, projects, demands, housing_budget, growth, consider, seed):
    scenario = load_scenario(TOY, overrides={
        "apartments_per_year": apartments, "rent_discount": discount, "projects_per_year": projects, "demands_per_year": demands,
        "levers.housing.budget_yuan_per_year": housing_budget, "industry_demand_growth": growth,
        "consider_move_per_month": consider, "run.seed": seed, "run.end": "2022-12",
    })
    model = TalentModel(scenario)
    model.run()
    _check_invariants(model)


def test_analytic_limit_matches_closed_form():
    h = 0.01
    overrides = {"interactions": False, "fixed_rates": True, "exit_rate_fixed": h, "projects_per_year": 0,
                 "demands_per_year": 0, "packages_per_year": 0, "run.end": "2023-12"}
    paths = []
    for seed in range(12):
        model = TalentModel(load_scenario(TOY, overrides={**overrides, "run.seed": seed}))
        model.run()
        paths.append(model.recorder.stock.sum(axis=(1, 2)))
    paths = np.array(paths)
    beh, unc = model.beh, model.unc
    shares = np.array(beh.graduate_month_shares) / sum(beh.graduate_month_shares)
    closed = [paths[0, 0]]
    for t in range(model.n_months):
        month = (model.start + t) % 12
        grads = beh.graduate_candidates_per_year * unc.graduate_supply * (1 + unc.graduate_supply_trend) ** (t / 12) * shares[month]
        inflow = grads + (beh.migrant_candidates_per_year + beh.returnee_candidates_per_year + beh.high_end_candidates_per_year) / 12
        closed.append((closed[-1] + inflow) * (1 - h))
    closed = np.array(closed)
    mean, se = paths.mean(axis=0), paths.std(axis=0, ddof=1) / np.sqrt(len(paths))
    assert np.all(np.abs(mean - closed) <= 4 * se + 1e-6 * closed)
    # the same inflows without exits would end far above: the check can tell the two apart
    without_exits = closed[0] + np.cumsum(np.diff(closed) + h * closed[:-1] + h * np.diff(closed))[-1]
    assert abs(mean[-1] - without_exits) > 10 * se[-1]


def _run_cli(tmp: Path, seed: int) -> Path:
    assert main(["run", str(TOY), "--seed", str(seed), "--out", str(tmp), "--quiet", "--no-charts", "--lang", "en"]) == 0
    (run_dir,) = (tmp / "toyville").iterdir()
    return run_dir


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a, b, c = _run_cli(tmp_path / "a", 5), _run_cli(tmp_path / "b", 5), _run_cli(tmp_path / "c", 6)
    for parquet in sorted(a.glob("*.parquet")):
        assert parquet.read_bytes() == (b / parquet.name).read_bytes(), parquet.name
    assert (a / "talent_stock.parquet").read_bytes() != (c / "talent_stock.parquet").read_bytes()
    assert (a / "talent_stock.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not list((tmp_path / "a" / "toyville").glob(".*"))


@pytest.mark.parametrize("scenario", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_scenario_runs(scenario):
    model = TalentModel(scenario, scale=1000, **{"run.end": "2022-06"})
    model.run()
    assert model.recorder.stock[-1].sum() > 0


BAD_CASES = {
    "unknown_key": ("levers:\n  housing:\n    apartments_per_yer: 5\n", "apartments_per_year"),
    "wrong_type": ("levers:\n  housing:\n    apartments_per_year: many\n", "levers.housing.apartments_per_year"),
    "out_of_range": ("run:\n  scale: 0\n", "run.scale"),
    "share_range": ("levers:\n  housing:\n    rent_discount: 1.5\n", "rent_discount"),
    "unknown_cluster": ("levers:\n  funding:\n    industry_funds_yuan: {atlantis: 5}\n", "atlantis"),
    "missing_base": ("extends: nowhere.yaml\n", "extends"),
    "bad_yaml": ("levers: [unclosed\n", "not valid YAML"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_configuration_exits_2_without_traceback_or_output(tmp_path, case):
    text, expected = BAD_CASES[case]
    bad = tmp_path / f"{case}.yaml"
    bad.write_text("name: bad\n" + text, encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(bad), "--out", str(out), "--quiet"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr and expected in proc.stderr
    assert not out.exists()


def test_unknown_override_and_missing_file_exit_2(tmp_path):
    assert main(["run", str(TOY), "--set", "apartments_per_yeer=3", "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert main(["run", str(tmp_path / "none.yaml"), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_baseline_reproduces_calibration_targets():
    values = []
    for seed in (101, 202):
        model = TalentModel(ROOT / "scenarios" / "baseline.yaml", seed=seed, scale=10, **{"run.end": "2022-12"})
        model.run()
        values.append(pattern_values(model))
    for name, spec in PATTERNS.items():
        mean = float(np.mean([v[name] for v in values]))
        assert spec["low"] <= mean <= spec["high"], (name, mean, spec)


def test_keyword_construction_for_batch_runners():
    model = TalentModel(scenario="baseline", apartments_per_year=8000, seed=3, scale=1000, **{"run.end": "2022-03"})
    assert model.levers.housing.apartments_per_year == 8000
    model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == ["talent_stock", "firms", "apartments_occupied"] and len(frame) == 4
    assert set(INFLOW_CHANNELS) >= {"graduate", "internal"}


def test_lever_time_path_steps_at_its_month():
    # apartment completions double from 2023-01: supply grows at the old pace before, the new one after
    scenario = load_scenario(TOY, overrides={"run.end": "2023-12", "levers.housing.budget_yuan_per_year": 1e12, "levers.schedule": [
        {"start": "2023-01", "changes": {"apartments_per_year": 600, "housing.rent_discount": 0.7}}]})
    model = TalentModel(scenario)
    model.run()
    supply = model.recorder.housing[..., 0].sum(axis=1)
    np.testing.assert_allclose(np.diff(supply[:12]), 200 / 12)
    np.testing.assert_allclose(np.diff(supply[12:]), 600 / 12)
    assert model.levers.housing.rent_discount == 0.7


@pytest.mark.parametrize("change, expected", [
    ({"apartments_per_yeer": 5}, "apartments_per_yeer"),
    ({"housing.rent_discount": 3}, "rent_discount"),
    ({"budget_yuan_per_year": 5}, "budget_yuan_per_year"),  # ambiguous: every lever has one
])
def test_bad_schedule_is_reported(tmp_path, change, expected):
    bad = tmp_path / "bad_schedule.yaml"
    import yaml
    bad.write_text(yaml.safe_dump({"name": "bad", "region": str(ROOT / "tests/data/toyville.yaml"),
                                   "levers": {"schedule": [{"start": "2023-01", "changes": change}]}}), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(bad), "--out", str(tmp_path / "o"), "--quiet"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "levers" in proc.stderr and expected in proc.stderr and str(bad) in proc.stderr
