"""Comparing scenarios: common random numbers, the comparison and response tables, the command."""

from __future__ import annotations

import math

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from sim.cli import main
from sim.compare import YearEnd, compare_scenarios, comparison_table, mean_interval, response_table
from sim.config import load_scenario

SHORT = {"run.end": "2025-12", "run.scale": 200}


def _copy_of_baseline(tmp_path, baseline_path):
    path = tmp_path / "baseline_copy.yaml"
    path.write_text(f"name: baseline_copy\nextends: {baseline_path}\n", encoding="utf-8")
    return path


def test_a_scenario_compared_with_itself_differs_by_exactly_zero(tmp_path, baseline_path):
    scenarios = [load_scenario(baseline_path, overrides=SHORT), load_scenario(_copy_of_baseline(tmp_path, baseline_path), overrides=SHORT)]
    comparison = compare_scenarios(scenarios, seeds=2, out=tmp_path / "out", years=(2022, 2025), workers=0, charts=False)
    table = comparison.table
    copy = table.filter(pc.equal(table["point"], 1))
    assert copy.num_rows == 2 * 11  # two years x (nine clusters, the rest of the city, the city total)
    assert all(v == 0.0 for v in copy["diff_mean"].to_pylist())
    assert all(v == 0.0 for v in copy["diff_p05"].to_pylist() + copy["diff_p95"].to_pylist())
    # distinct runs, not one run read twice
    runs = pq.read_table(comparison.folder / "runs.parquet")
    assert len(set(runs["run_id"].to_pylist())) == 4
    assert (comparison.folder / "comparison.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert set(pq.read_table(comparison.folder / "comparison.parquet").column_names) == set(table.column_names)


def test_different_levers_give_different_runs_with_the_same_seeds(tmp_path, baseline_path):
    scenarios = [load_scenario(baseline_path, overrides=SHORT),
                 load_scenario(baseline_path, overrides={**SHORT, "name": "more_housing", "apartments_per_year": 30000,
                                                         "levers.housing.budget_yuan_per_year": 8e9})]
    comparison = compare_scenarios(scenarios, seeds=2, out=tmp_path / "out", years=(2025,), workers=0, charts=False)
    city = comparison.table.filter(pc.and_(pc.equal(comparison.table["cluster"], "city_total"), pc.equal(comparison.table["point"], 1)))
    row = city.to_pylist()[0]
    assert row["diff_mean"] != 0.0
    assert row["extra_spending_yuan"] > 0
    assert row["talent_per_100m_yuan"] == pytest.approx(row["diff_mean"] / (row["extra_spending_yuan"] / 1e8))
    runs = pq.read_table(comparison.folder / "runs.parquet").to_pylist()
    assert {r["seed"] for r in runs if r["point"] == 0} == {r["seed"] for r in runs if r["point"] == 1}


def _year_end(stock: np.ndarray, spending: np.ndarray) -> YearEnd:
    points, seeds, years, clusters = stock.shape
    return YearEnd(stock=stock, spending=spending, years=list(range(2030, 2030 + years)),
                   clusters=[f"c{i}" for i in range(clusters - 1)] + ["city_total"], seeds=list(range(seeds)),
                   labels=[f"s{i}" for i in range(points)])


def test_comparison_table_pairs_runs_by_seed():
    rng = np.random.default_rng(0)
    base = rng.normal(1000, 100, size=(1, 8, 1, 3))
    effect = np.array([0.0, 10.0, 0.0])  # the city total is recomputed below
    stock = np.concatenate([base, base + effect + rng.normal(0, 1, size=(1, 8, 1, 3))])
    stock[..., -1] = stock[..., :-1].sum(axis=-1)
    spending = np.stack([np.full((8, 1), 5e8), np.full((8, 1), 7e8)])
    table = comparison_table(_year_end(stock, spending))
    rows = {(r["point"], r["cluster"]): r for r in table.to_pylist()}
    # the seed-to-seed spread of the stocks (sd 100) does not enter the paired difference (sd 1)
    assert rows[(1, "c1")]["diff_ci_low"] < 10 < rows[(1, "c1")]["diff_ci_high"]
    assert rows[(1, "c1")]["diff_ci_high"] - rows[(1, "c1")]["diff_ci_low"] < 5
    city = rows[(1, "city_total")]
    expected = (stock[1, :, 0, -1] - stock[0, :, 0, -1]).mean()
    assert city["diff_mean"] == pytest.approx(expected)
    assert city["extra_spending_yuan"] == pytest.approx(2e8)
    assert city["talent_per_100m_yuan"] == pytest.approx(expected / 2)
    assert rows[(1, "c0")]["spending_yuan"] is None and rows[(0, "city_total")]["talent_per_100m_yuan"] is None


def test_comparison_of_one_seed_has_no_interval():
    stock = np.array([[[[100.0, 200.0, 300.0]]], [[[110.0, 190.0, 300.0]]]])
    spending = np.stack([np.full((1, 1), 5e8), np.full((1, 1), 7e8)])
    rows = {(r["point"], r["cluster"]): r for r in comparison_table(_year_end(stock, spending)).to_pylist()}
    assert rows[(1, "c0")]["diff_mean"] == pytest.approx(10.0)
    assert rows[(1, "c0")]["diff_ci_low"] is None and rows[(1, "c0")]["diff_ci_high"] is None


def test_response_table_marginal_gain_per_unit_of_lever():
    values = [0.0, 10.0, 20.0, 40.0]
    gains = np.array([0.0, 100.0, 150.0, 175.0])  # diminishing: 10, 5 then 1.25 per unit
    noise = np.random.default_rng(1).normal(0, 0.5, size=(1, 6, 1, 1))
    stock = 5000 + gains[:, None, None, None] + noise + np.zeros((4, 6, 1, 2))
    table = response_table(_year_end(stock, np.zeros((4, 6, 1))), lever="apartments_per_year", lever_values=values)
    marginal = table["marginal_mean"].to_pylist()
    assert marginal[0] is None
    assert marginal[1:] == pytest.approx([10.0, 5.0, 1.25])
    assert table["gain_mean"].to_pylist() == pytest.approx(list(gains))


def test_mean_interval_covers_the_mean_at_the_stated_rate():
    rng = np.random.default_rng(3)
    draws = rng.normal(2.0, 1.0, size=(4000, 10))
    _, low, high = mean_interval(draws, axis=1)
    coverage = np.mean((low < 2.0) & (2.0 < high))
    assert 0.93 < coverage < 0.97


def test_the_t_quantile_is_scipy_stats_one():
    from scipy.stats import t

    from sim.compare import _t_quantile

    for df in [*range(1, 200), 999, 10_000]:
        assert _t_quantile(df) == float(t.ppf(0.975, df)), df
    assert math.isnan(_t_quantile(0))


def test_compare_command_rejects_years_outside_the_runs(tmp_path, capsys, baseline_path):
    code = main(["compare", str(baseline_path), str(baseline_path), "--years", "2050", "--seeds", "1", "--workers", "0",
                 "--out", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "2050" in err and "Traceback" not in err
    assert not (tmp_path / "compare").exists()


def test_compare_command_rejects_a_missing_scenario(tmp_path, capsys, baseline_path):
    code = main(["compare", str(baseline_path), str(tmp_path / "nowhere.yaml"), "--seeds", "1", "--out", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "nowhere.yaml" in err
    assert not (tmp_path / "compare").exists()


def test_a_sweep_without_values_and_a_comparison_without_scenarios_are_refused(tmp_path, toy_scenario_path):
    from sim.compare import run_sweep

    with pytest.raises(ValueError, match="at least one value"):
        run_sweep(load_scenario(toy_scenario_path), lever="apartments_per_year", values=[], seeds=1, out=tmp_path / "s", workers=0)
    with pytest.raises(ValueError, match="at least one scenario"):
        compare_scenarios([], seeds=1, out=tmp_path / "c", workers=0)
    assert not (tmp_path / "s").exists() and not (tmp_path / "c").exists()


def test_a_year_given_twice_is_compared_once(tmp_path, toy_scenario_path):
    scenario = load_scenario(toy_scenario_path, overrides={"run.end": "2022-12"})
    comparison = compare_scenarios([scenario, scenario], seeds=1, out=tmp_path, years=[2022, 2022], workers=0, charts=False, name="twice")
    table = comparison.table.to_pandas()
    assert sorted(table.year.unique()) == [2022]
    assert table.groupby(["point", "year", "cluster"]).size().max() == 1
