"""Signs of the patterns P5-P7: levers and conditions move outcomes the way the model claims.

Each comparison uses common seeds and asserts the mean paired difference is at least two
standard errors from zero, so that a pass is not a coin toss between two noisy runs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.config import load_scenario
from sim.model import TalentModel

TOY_SEEDS = range(1, 9)
JIAXING_SEEDS = range(1, 13)
# Jiaxing at scale 50 over five years: at scale 100 agent noise is about as large as the effect of tripling apartments
JIAXING = {
    "run.end": "2026-12", "run.scale": 50,
    # budgets out of the way, so that a lever's setting, not its budget, decides what is delivered
    "levers.housing.budget_yuan_per_year": 3e10, "levers.services.budget_yuan_per_year": 3e10,
}


def competitor_outflow_rate(model: TalentModel) -> float:
    """Departures to competing cities over the run, per 1,000 residents (mean monthly stock)."""
    r = model.recorder
    return float(r.outflow[..., : model.J].sum() / r.stock[1:].sum(axis=(1, 2)).mean() * 1000)


def paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean and standard error of b - a over common seeds."""
    d = np.asarray(b) - np.asarray(a)
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


class Runs:
    """Scenario variants run once per module over the common seeds; outcome arrays by variant name."""

    def __init__(self, path: Path, common: dict, measure, seeds: range) -> None:
        self.path, self.common, self.measure, self.seeds = path, common, measure, seeds
        self._cache: dict[str, dict[str, np.ndarray]] = {}

    def __call__(self, name: str, **overrides) -> dict[str, np.ndarray]:
        if name not in self._cache:
            values = []
            for seed in self.seeds:
                sc = load_scenario(self.path, overrides={**self.common, **overrides, "run.seed": seed})
                values.append(self.measure(TalentModel(sc).run()))
            self._cache[name] = {k: np.array([v[k] for v in values]) for k in values[0]}
        return self._cache[name]


def _jiaxing_measures(model: TalentModel) -> dict[str, float]:
    shanghai = model.region.competitor_ids.index("shanghai")
    r = model.recorder
    return {
        "outflow_rate": competitor_outflow_rate(model),
        "to_shanghai": float(r.outflow[..., shanghai].sum()),
    }


@pytest.fixture(scope="module")
def jiaxing(baseline_path) -> Runs:
    return Runs(baseline_path, JIAXING, _jiaxing_measures, JIAXING_SEEDS)


@pytest.fixture(scope="module")
def base_apartments(baseline_path) -> float:
    return load_scenario(baseline_path).levers.housing.apartments_per_year


# ---------------------------------------------------------------- P6 retention responds to housing and services
@pytest.mark.slow
def test_p6_more_apartments_fewer_departures(jiaxing, base_apartments) -> None:
    base = jiaxing("base")["outflow_rate"]
    more = jiaxing("apartments x3", apartments_per_year=3 * base_apartments)["outflow_rate"]
    diff, se = paired(base, more)
    assert diff < -2 * se, f"tripling apartments changed departures per 1,000 residents by {diff:+.2f} ± {se:.2f}"


@pytest.mark.slow
@pytest.mark.parametrize("lever", ["school_places_per_year", "hospital_beds_per_year"])
def test_p6_better_services_fewer_departures(jiaxing, baseline_path, lever: str) -> None:
    raised = 4 * getattr(load_scenario(baseline_path).levers.services, lever)
    assert raised > 0
    base = jiaxing("base")["outflow_rate"]
    better = jiaxing(f"{lever}={raised}", **{lever: raised})["outflow_rate"]
    diff, se = paired(base, better)
    assert diff < -2 * se, f"{lever} = {raised} changed departures per 1,000 residents by {diff:+.2f} ± {se:.2f}"


@pytest.mark.slow
def test_p6_apartments_have_diminishing_returns(jiaxing, base_apartments) -> None:
    # two equal, large increments (+50,000 a year each) with a housing budget that does not bind:
    # apartments go to the newest arrivals first, so as coverage grows each further apartment
    # reaches more settled talent and the second increment must retain clearly less than the first
    # (small increments are near-linear: the queue is far longer than supply)
    unbounded = {"levers.housing.budget_yuan_per_year": 1e11}
    r0 = jiaxing("apartments base, open budget", **unbounded)["outflow_rate"]
    r1 = jiaxing("apartments +50k", apartments_per_year=base_apartments + 50_000, **unbounded)["outflow_rate"]
    r2 = jiaxing("apartments +100k", apartments_per_year=base_apartments + 100_000, **unbounded)["outflow_rate"]
    first_gain, second_gain = r0 - r1, r1 - r2
    assert first_gain.mean() > 0 and second_gain.mean() > 0
    diff, se = paired(second_gain, first_gain)
    assert diff > 2 * se, (
        f"gain (fewer departures per 1,000 residents) from the 1st increment {first_gain.mean():.2f}, "
        f"from the 2nd {second_gain.mean():.2f}; difference {diff:+.2f} ± {se:.2f}: no clear diminishing returns")


# ---------------------------------------------------------------- P7 competition
@pytest.mark.slow
def test_p7_competitor_shock_raises_outflow(jiaxing) -> None:
    base = jiaxing("base")
    shocked = jiaxing("shanghai shock", **{"uncertainties.competitors": {"shanghai": {"shock": 0.5, "shock_start": "2022-01"}}})
    diff, se = paired(base["to_shanghai"], shocked["to_shanghai"])
    assert diff > 2 * se, f"departures to Shanghai changed by {diff:+.0f} ± {se:.0f}"
    diff, se = paired(base["outflow_rate"], shocked["outflow_rate"])
    assert diff > 2 * se, f"departures to all competing cities per 1,000 residents changed by {diff:+.2f} ± {se:.2f}"


def test_p7_shock_starts_when_scheduled(toy_scenario_path) -> None:
    # before shock_start the shocked and unshocked runs are the same run
    shock = {"uncertainties.competitors": {"metropolis": {"shock": 0.5, "shock_start": "2023-01"}}}
    plain = TalentModel(load_scenario(toy_scenario_path), seed=2).run()
    shocked = TalentModel(load_scenario(toy_scenario_path, overrides=shock), seed=2).run()
    np.testing.assert_array_equal(plain.recorder.stock[:13], shocked.recorder.stock[:13])
    assert not np.array_equal(plain.recorder.stock[13:], shocked.recorder.stock[13:])


# ---------------------------------------------------------------- P5 the positive feedback (toy region)
def _toy_variant(folder: Path, toy_region: Path, toy_scenario: Path, name: str, **robots) -> Path:
    region = yaml.safe_load(toy_region.read_text(encoding="utf-8"))
    row = next(r for r in region["clusters"]["rows"] if r["id"] == "robots")
    row.update(robots)  # the rest of the city is the remainder of the fixed city total, so it shrinks to match
    (folder / f"{name}_region.yaml").write_text(yaml.safe_dump(region, allow_unicode=True, sort_keys=False), encoding="utf-8")
    scenario = yaml.safe_load(toy_scenario.read_text(encoding="utf-8"))
    scenario["region"] = f"{name}_region.yaml"
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _robots_inflow(model: TalentModel) -> dict[str, float]:
    robots = model.region.sector_ids.index("robots")
    return {"inflow": float(model.recorder.inflow[:, robots].sum())}


@pytest.fixture(scope="module")
def toy_variants(tmp_path_factory, toy_region_path, toy_scenario_path) -> dict[str, Runs]:
    folder = tmp_path_factory.mktemp("p5")
    variants = {"base": {}, "more talent": {"talent": 8000}, "more firms": {"firms": 120}}
    out = {}
    for name, change in variants.items():
        path = _toy_variant(folder, toy_region_path, toy_scenario_path, name.replace(" ", "_"), **change)
        out[name] = Runs(path, {}, _robots_inflow, TOY_SEEDS)
    return out


def test_p5_toy_variant_changes_only_robots(toy_variants) -> None:
    base = TalentModel(load_scenario(toy_variants["base"].path), seed=1)
    more = TalentModel(load_scenario(toy_variants["more talent"].path), seed=1)
    s = base.recorder.stock[0].sum(axis=1)
    m = more.recorder.stock[0].sum(axis=1)
    assert s.sum() == pytest.approx(m.sum())  # the city total is the region's, unchanged
    assert m[0] == pytest.approx(8000) and s[0] == pytest.approx(4000)
    assert m[1] == pytest.approx(s[1])


def test_p5_cluster_with_more_talent_attracts_more(toy_variants) -> None:
    base = toy_variants["base"]("base")["inflow"]
    more = toy_variants["more talent"]("more talent")["inflow"]
    diff, se = paired(base, more)
    assert diff > 2 * se, f"doubling robots' talent changed its inflows by {diff:+.0f} ± {se:.0f} persons"


def test_p5_cluster_with_more_firms_attracts_more_talent(toy_variants) -> None:
    base = toy_variants["base"]("base")["inflow"]
    more = toy_variants["more firms"]("more firms")["inflow"]
    diff, se = paired(base, more)
    assert diff > 2 * se, (f"tripling robots' firms (same talent) changed its inflows by {diff:+.0f} ± {se:.0f} persons "
                           f"(mean {base.mean():.0f} -> {more.mean():.0f})")
