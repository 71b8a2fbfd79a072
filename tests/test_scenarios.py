"""Every shipped scenario file loads, validates against its region and runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.config import load_scenario
from sim.model import TalentModel

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


def test_there_are_scenarios() -> None:
    assert any(p.name == "baseline.yaml" for p in SCENARIOS)


def _plus_months(month: str, n: int) -> str:
    year, m = (int(x) for x in month.split("-"))
    year, m = divmod(year * 12 + m - 1 + n, 12)
    return f"{year}-{m + 1:02d}"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_runs(path: Path) -> None:
    start = load_scenario(path).run.start
    scenario = load_scenario(path, overrides={"run.end": _plus_months(start, 5), "run.scale": 1000})
    model = TalentModel(scenario).run()
    assert model.t == 6
    stock = model.recorder.stock
    assert np.isfinite(stock).all() and stock[-1].sum() > 0
    tables = model.recorder.tables()
    assert tables["talent_stock"].num_rows > 0
