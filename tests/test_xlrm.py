"""XLRM vocabulary: parameter lists read from the schema, outcomes of a run, and run designs."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow as pa
import pytest
from numpy.testing import assert_allclose

from sim.categories import HIGH_END_TIERS
from sim.config import load_scenario, parameter_table
from sim.xlrm import (
    Parameter, crossed, latin_hypercube, levers, outcome_values, outcomes, parameter, uncertainties,
)


# ---------------------------------------------------------------- levers and uncertainties
def test_every_explorable_parameter_has_a_valid_range_around_its_default() -> None:
    bad = [f"{p.name}: default {p.default} outside [{p.low}, {p.high}]"
           for p in levers() + uncertainties() if not (p.low < p.high and p.low <= p.default <= p.high)]
    assert not bad, "\n".join(bad)


def test_lists_hold_exactly_the_ranged_numeric_levers_and_uncertainties() -> None:
    expected = {r["name"] for r in parameter_table()
                if r["name"].startswith(("levers.", "uncertainties.")) and r["range"] is not None
                and isinstance(r["default"], (int, float)) and not isinstance(r["default"], bool)}
    assert {p.name for p in levers()} | {p.name for p in uncertainties()} == expected
    assert all(p.name.startswith("levers.") for p in levers())
    assert all(p.name.startswith("uncertainties.") for p in uncertainties())
    budgets = [p.name for p in levers() if p.short == "budget_yuan_per_year"]
    assert len(budgets) == 9
    assert "uncertainties.behaviour.graduate_month_shares" not in expected  # a list, not a number


def test_kind_follows_the_declared_type() -> None:
    assert parameter("selection_month").kind == "integer"
    # written as 6 in the schema, but a float field whose range starts at 0.5
    assert parameter("onboarding_months").kind == "real"


@pytest.mark.parametrize("end", ["low", "high", "default"])
def test_every_name_and_range_end_is_a_valid_scenario_override(toy_scenario_path, end: str) -> None:
    params = levers() + uncertainties()
    scenario = load_scenario(toy_scenario_path, overrides={p.name: getattr(p, end) for p in params})
    data = scenario.model_dump()
    for p in params:
        node = data
        for part in p.name.split("."):
            node = node[part]
        assert node == getattr(p, end), p.name


def test_parameter_lookup_by_full_or_short_name() -> None:
    full = parameter("levers.housing.apartments_per_year")
    assert parameter("apartments_per_year") == full
    assert full.short == "apartments_per_year" and full.unit == "apartments/year"


def test_ambiguous_short_name_lists_full_names() -> None:
    with pytest.raises(ValueError, match="ambiguous") as err:
        parameter("budget_yuan_per_year")
    assert "levers.housing.budget_yuan_per_year" in str(err.value)
    assert "levers.graduates.budget_yuan_per_year" in str(err.value)


def test_unknown_name_suggests_close_names() -> None:
    with pytest.raises(ValueError, match="close names: apartments_per_year"):
        parameter("apartment_per_year")


def test_parameter_without_range_is_named_as_such() -> None:
    with pytest.raises(ValueError, match="levers.projects.projects_per_year.*not explorable"):
        parameter("projects_per_year")


# ---------------------------------------------------------------- run designs
def _design_params() -> list[Parameter]:
    return [parameter(n) for n in ("apartments_per_year", "graduate_supply", "rent_trend", "wage_weight")]


def test_latin_hypercube_is_within_bounds_and_stratified() -> None:
    params, n = _design_params(), 20
    points = latin_hypercube(params, n=n, seed=11)
    assert len(points) == n
    for p in params:
        values = np.array([pt[p.name] for pt in points])
        assert ((values >= p.low) & (values <= p.high)).all(), p.name
        strata = np.floor((values - p.low) / (p.high - p.low) * n).astype(int)
        assert sorted(strata.tolist()) == list(range(n)), p.name


def test_latin_hypercube_is_reproducible_and_seed_dependent() -> None:
    params = _design_params()
    a = latin_hypercube(params, n=8, seed=1)
    assert a == latin_hypercube(params, n=8, seed=1)
    assert a != latin_hypercube(params, n=8, seed=2)


def test_latin_hypercube_integers_cover_their_range_evenly() -> None:
    month = parameter("selection_month")
    points = latin_hypercube([month], n=12, seed=5)
    values = [pt[month.name] for pt in points]
    assert all(isinstance(v, int) for v in values)
    assert sorted(values) == list(range(1, 13))  # 12 strata over 12 months: each month once


def test_latin_hypercube_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        latin_hypercube([], n=3, seed=1)
    with pytest.raises(ValueError):
        latin_hypercube(_design_params(), n=0, seed=1)
    with pytest.raises(ValueError, match="twice"):
        latin_hypercube([parameter("graduate_supply")] * 2, n=3, seed=1)


def test_crossed_pairs_every_scenario_with_every_policy() -> None:
    scenarios = latin_hypercube([parameter("graduate_supply")], n=3, seed=1)
    policies = latin_hypercube([parameter("apartments_per_year"), parameter("settling_allowance_yuan")], n=4, seed=2)
    runs = crossed(scenarios, policies)
    assert len(runs) == 12
    assert runs[0] == {**scenarios[0], **policies[0]} and runs[5] == {**scenarios[1], **policies[1]}
    assert crossed(scenarios, []) == [] and crossed([], policies) == []


def test_crossed_rejects_a_key_on_both_sides() -> None:
    with pytest.raises(ValueError, match="uncertainties.graduate_supply"):
        crossed([{"uncertainties.graduate_supply": 1.0}], [{"uncertainties.graduate_supply": 0.8, "x": 1}])


# ---------------------------------------------------------------- outcomes
def test_outcome_names_match_the_values(toy_run) -> None:
    ids = toy_run.region.cluster_ids
    values = outcome_values(toy_run.recorder.tables(), cluster_ids=ids)
    assert [o.name for o in outcomes(ids)] == list(values)
    assert {"talent_robots_2035", "talent_batteries_2035", "coordination_mean_2035"} <= set(values)


def test_outcome_values_of_a_toy_run(toy_run) -> None:
    tables = toy_run.recorder.tables()
    values = outcome_values(tables, cluster_ids=toy_run.region.cluster_ids)
    assert all(math.isfinite(v) for v in values.values()), values
    stock = tables["talent_stock"].to_pandas()
    last = stock[stock["date"] == stock["date"].max()]
    # the toy run ends in 2024, so every year's total is the last date's
    for year in (2025, 2030, 2035):
        assert_allclose(values[f"talent_total_{year}"], last["talent_stock"].sum(), rtol=1e-12)
    assert_allclose(values["high_end_2035"], last[last["tier"].isin(HIGH_END_TIERS)]["talent_stock"].sum(), rtol=1e-12)
    assert_allclose(values["talent_robots_2035"], last[last["cluster"] == "robots"]["talent_stock"].sum(), rtol=1e-12)
    assert_allclose(values["spending_total_yuan"], tables["spending"].to_pandas()["spending_yuan"].sum(), rtol=1e-12)
    assert 0 < values["coordination_mean_2035"] <= 1


def _stock_table(rows: list[tuple[dt.date, str, str, float]]) -> pa.Table:
    dates, clusters, tiers, persons = zip(*rows)
    return pa.table({"date": pa.array(dates, type=pa.date32()), "cluster": list(clusters), "district": ["d"] * len(rows),
                     "tier": list(tiers), "talent_stock": list(persons)})


def test_outcomes_are_taken_at_each_years_end() -> None:
    """A run to 2036: each year's outcome is the stock at its December, not at the last date."""
    rows = []
    for year, base in ((2025, 100.0), (2030, 200.0), (2035, 300.0), (2036, 900.0)):
        for month_end in (dt.date(year, 6, 30), dt.date(year, 12, 31)):
            bump = 0.0 if month_end.month == 12 else 50.0
            rows += [(month_end, "a", "top", base + bump), (month_end, "a", "skilled", 2 * base + bump),
                     (month_end, "rest", "skilled", 10.0)]
    december = [dt.date(y, 12, 31) for y in (2035, 2036)]
    tables = {
        "talent_stock": _stock_table(rows),
        "spending": pa.table({"date": pa.array(december, type=pa.date32()), "lever": ["housing"] * 2,
                              "spending_yuan": [1.0, 2.0], "budget_yuan": [5.0, 5.0]}),
        "coupling": pa.table({"date": pa.array(december, type=pa.date32()), "cluster": ["a", "a"],
                              "coordination_d": [0.4, 0.9]}),
    }
    values = outcome_values(tables, cluster_ids=["a"])
    assert values["talent_total_2025"] == 100 + 200 + 10
    assert values["talent_total_2030"] == 200 + 400 + 10
    assert values["talent_total_2035"] == 300 + 600 + 10
    assert values["high_end_2035"] == 300
    assert values["talent_a_2035"] == 900
    assert values["spending_total_yuan"] == 3.0
    assert values["coordination_mean_2035"] == 0.4


def test_unknown_cluster_is_an_error(toy_run) -> None:
    with pytest.raises(ValueError, match="nowhere"):
        outcome_values(toy_run.recorder.tables(), cluster_ids=["nowhere"])
