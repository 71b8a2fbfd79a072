"""The array model against its Mesa reference: the same talent rules must give the same distribution.

benchmarks/reference_mesa.py carries out search and matching, housing, and retention and exit agent
by agent (one ``mesa.Agent`` each, stepped with ``AgentSet.shuffle_do``), written from docs/ODD.md
§7.4-7.6 apart from the array code. Both run the toy region at scale 2 (about 10,000 talent agents)
for a year on several seeds; their mean stocks and flows must agree within sampling error, and a
reference whose residents leave at twice the odds must be told apart.

Closures of established low-productivity firms are switched off here: each one displaces up to
hundreds of talent at once and would dominate the between-seed spread of the flows, leaving the
comparison little power for the talent rules. Young firms and projects still close, so displaced
talent still searches. Residents gaining a qualification (§7.11) are switched off too: both models
make them with the same array code, so they would only add spread.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from sim.categories import TIERS
from sim.config import load_scenario
from sim.model import TalentModel
from sim.submodels.observation import HOUSING_FIELDS
from sim.talent import GONE, OWNER

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SKILLED = TIERS.index("skilled")
MAIN_SEEDS = range(40)  # the array model is cheap: its many runs pin down the spread
REFERENCE_SEEDS = range(100, 110)


def _load_reference():
    spec = importlib.util.spec_from_file_location("reference_mesa", ROOT / "benchmarks" / "reference_mesa.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = _load_reference()


class RestlessTalentAgent(reference.TalentAgent):
    """A deliberately wrong rule: leaving for each competing city has twice the odds against staying."""

    def move_alternatives(self) -> list[float]:
        stay, move, *leave = super().move_alternatives()
        return [stay, move, *(v + math.log(2) for v in leave)]


class RestlessReferenceModel(reference.ReferenceTalentModel):
    agent_class = RestlessTalentAgent


@pytest.fixture(scope="module")
def scenario(toy_scenario_path):
    # residents who qualify (§7.11) are made by the same array code in both models: their draws only add spread
    return load_scenario(toy_scenario_path, overrides={"run.end": "2022-12", "run.scale": 2, "exit_rate_per_year": 0.0,
                                                       "qualification_rate_per_year": 0.0, "trainees_per_year": 0.0})


def summary(model: TalentModel) -> dict[str, float]:
    """End-of-run stocks and flows over the run, in persons."""
    r = model.recorder
    end = r.stock[model.t]
    out = {f"stock {sector}": float(end[s].sum()) for s, sector in enumerate(model.region.sector_ids)}
    out["stock total"] = float(end.sum())
    out["stock high-end"] = float(end[:, :SKILLED].sum())
    out["inflow"] = float(r.inflow.sum())
    out["outflow"] = float(r.outflow.sum())
    out["outflow to other cities"] = float(r.outflow[..., : len(model.competitors)].sum())
    out["internal moves"] = float(r.outflow[..., r.out_internal].sum())
    p = model.pool
    resident = p.resident_mask()
    out["home owners"] = float(p.view("weight")[resident & (p.view("housing") == OWNER)].sum())
    out["apartment queue"] = float(r.housing[model.t - 1, :, HOUSING_FIELDS.index("apartment_queue")].sum())
    return out


def _runs(model_class: type[TalentModel], scenario, seeds: range) -> dict[str, np.ndarray]:
    runs = [summary(model_class(scenario, seed=seed).run()) for seed in seeds]
    return {key: np.array([run[key] for run in runs]) for key in runs[0]}


def disagreements(main: dict[str, np.ndarray], other: dict[str, np.ndarray]) -> dict[str, str]:
    """Statistics whose means differ by more than 4 standard errors (+1 person), with how far apart.

    Under the hypothesis that both models draw from the same distribution the two samples share
    one variance, so the standard error pools them.
    """
    failed = {}
    for key, a in main.items():
        b = other[key]
        pooled = ((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2)
        se = math.sqrt(pooled * (1 / len(a) + 1 / len(b)))
        gap = b.mean() - a.mean()
        if abs(gap) > 4 * se + 1.0:
            failed[key] = f"{b.mean():.1f} vs {a.mean():.1f} (difference {gap:+.1f}, {abs(gap) / max(se, 1e-9):.1f} SE)"
    return failed


@pytest.fixture(scope="module")
def main_runs(scenario) -> dict[str, np.ndarray]:
    return _runs(TalentModel, scenario, MAIN_SEEDS)


def test_scale_gives_about_ten_thousand_agents(scenario) -> None:
    model = TalentModel(scenario, seed=0)
    assert 8_000 <= int(model.pool.resident_mask().sum()) <= 12_000


@pytest.fixture(scope="module")
def reference_runs(scenario) -> dict[str, np.ndarray]:
    return _runs(reference.ReferenceTalentModel, scenario, REFERENCE_SEEDS)


def test_reference_agrees_with_array_model(main_runs, reference_runs) -> None:
    ref = reference_runs
    assert ref["outflow"].mean() > 100 and ref["internal moves"].mean() > 5, "too few exits to compare"
    failed = disagreements(main_runs, ref)
    assert not failed, "the Mesa reference departs from the array model: " + "; ".join(f"{k}: {v}" for k, v in failed.items())


def test_comparison_detects_doubled_exit_odds(scenario, main_runs) -> None:
    failed = disagreements(main_runs, _runs(RestlessReferenceModel, scenario, REFERENCE_SEEDS))
    assert "outflow to other cities" in failed and "outflow" in failed, f"doubled exit odds went unnoticed; flagged only {sorted(failed)}"


class MirrorCheckedModel(reference.ReferenceTalentModel):
    """Checks that the pool's arrays, which the other processes and the recorder read, mirror the agents."""

    compactions = 0

    def _search_and_match(self) -> None:
        self.check_mirror("after taking over the other processes' changes")
        super()._search_and_match()

    def retain_and_exit(self) -> None:
        super().retain_and_exit()
        self.check_mirror("after the talent processes")

    def _compact_pool(self) -> None:
        before = self.pool.size
        super()._compact_pool()
        self.compactions += self.pool.size < before

    def check_mirror(self, when: str) -> None:
        p = self.pool
        assert len(self.agent_at_row) == p.size
        for name in reference.MUTABLE:
            mirrored = np.array([getattr(a, name) for a in self.agent_at_row], dtype=p.view(name).dtype)
            np.testing.assert_array_equal(p.view(name), mirrored, err_msg=f"{name} {when}, month {self.t}")
        assert len(self.talent) == int((p.view("status") != GONE).sum()), f"departed agents still stepped ({when}, month {self.t})"


def test_agents_and_pool_stay_in_step(scenario, reference_runs) -> None:
    seed = REFERENCE_SEEDS[0]
    model = MirrorCheckedModel(scenario, seed=seed).run()
    assert model.compactions > 0, "the pool was never compacted: the row bookkeeping went untested"
    assert model.talent_rule_seconds > 0 and model.sync_seconds > 0
    # the checks draw nothing, so the run must repeat the plain reference's run with the same seed exactly
    assert summary(model) == {key: float(values[0]) for key, values in reference_runs.items()}
