"""Lever time paths: scheduled changes of lever settings take effect in their month."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.config import load_scenario
from sim.model import TalentModel

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "toyville_scenario.yaml"


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
    bad.write_text(yaml.safe_dump({"name": "bad", "region": str(ROOT / "tests/data/toyville.yaml"),
                                   "levers": {"schedule": [{"start": "2023-01", "changes": change}]}}), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(bad), "--out", str(tmp_path / "o"), "--quiet"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "levers" in proc.stderr and expected in proc.stderr and str(bad) in proc.stderr
