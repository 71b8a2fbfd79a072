"""Shared paths and model runs.

Runs that several tests only read are built once per session; tests must not mutate them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.config import load_scenario
from sim.model import TalentModel
from sim.submodels import firm_planning, policy

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
TOY_SCENARIO = DATA / "toyville_scenario.yaml"
TOY_REGION = DATA / "toyville.yaml"
BASELINE = ROOT / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="session")
def toy_scenario_path() -> Path:
    return TOY_SCENARIO


@pytest.fixture(scope="session")
def toy_region_path() -> Path:
    return TOY_REGION


@pytest.fixture(scope="session")
def baseline_path() -> Path:
    return BASELINE


@pytest.fixture(scope="session")
def toy_run() -> TalentModel:
    """The toy region, one agent per person, over its full three years."""
    model = TalentModel(load_scenario(TOY_SCENARIO), seed=3)
    return model.run()


@pytest.fixture(scope="session")
def jiaxing_run() -> TalentModel:
    """Jiaxing at scale 200 over 2022-2023: coarse but with every mechanism and lever active."""
    model = TalentModel(BASELINE, seed=1, scale=200, **{"run.end": "2023-12"})
    return model.run()


def planned_toy_model(scenario_path: Path, **overrides) -> TalentModel:
    """The toy region three months in, at the start of its fourth month with policy updated and firms planned:
    the state in which inflows, matching, housing and firm demography are tested one at a time."""
    model = TalentModel(load_scenario(scenario_path, overrides={"run.end": "2023-12", **overrides}), seed=5)
    for _ in range(3):
        model.step()
    model.start_month()
    model.run_process("update_policy", policy.update_policy)
    model.run_process("plan_firms", firm_planning.plan_firms)
    return model

