"""Passes over the talent table in row ranges side by side (sim.row_ranges): the same numbers as one pass in
row order, for every pass that splits and for a whole run, whatever the number of threads; and sums that
could differ range by range are made in one pass."""

from __future__ import annotations

import numpy as np
import pytest

from sim import housing_kernels, kernels, market_kernels, row_ranges
from sim import observation_kernels as ok
from sim.categories import SKILLED
from sim.config import load_scenario
from sim.errors import ConfigError
from sim.model import TalentModel
from sim.runner import write_run
from sim.talent import CANDIDATE, EMPLOYED, SEARCHING

needs_numba = pytest.mark.skipif(not kernels.USING_NUMBA, reason="numba not installed: only the numpy path exists (one range)")
N = 30_000


@pytest.fixture
def small_ranges(monkeypatch):
    """Ranges of 1,000 rows, three threads: every table of the tests below is split."""
    monkeypatch.setattr(row_ranges, "MIN_ROWS", 1_000)
    monkeypatch.setenv("TALENTSIM_THREADS", "3")


def _table(seed: int, *, weight: np.ndarray | None = None) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "sector": rng.integers(0, 10, N).astype(np.int16), "tier": rng.integers(0, 5, N).astype(np.int8),
        "housing": rng.integers(0, 3, N).astype(np.int8), "months_in_city": rng.integers(0, 80, N).astype(np.int32),
        "status": rng.integers(0, 4, N).astype(np.int8), "queue_since": rng.integers(-1, 30, N).astype(np.int32),
        "weight": rng.choice(np.array([1.0, 10.0, 100.0], np.float32), N) if weight is None else weight,
        "uid": np.arange(N, dtype=np.int64) * 7919, "retire_month": rng.integers(0, 400, N).astype(np.int32),
        "birth_month": rng.integers(-600, -200, N).astype(np.int32), "age": np.zeros(N, np.float32),
        "children": (rng.random(N) < 0.4).astype(np.int8), "channel": rng.integers(-1, 4, N).astype(np.int8),
        "employer": rng.integers(0, 300, N).astype(np.int32), "job_seeking": (rng.random(N) < 0.1).astype(np.int8),
        "search_left": rng.integers(0, 4, N).astype(np.int16),
    }


def _every_pass(t: dict[str, np.ndarray]) -> dict[str, object]:
    """The results of every pass that splits into ranges, on ``t`` (changed in place, as the passes do)."""
    district = np.arange(10, dtype=np.int64) % 4
    is_platform = np.arange(300) % 7 == 0
    out: dict[str, object] = {}
    out["housing"] = housing_kernels.housing_rows(housing=t["housing"], tier=t["tier"], months_in_city=t["months_in_city"], status=t["status"],
                                          queue_since=t["queue_since"], sector=t["sector"], weight=t["weight"], sector_district=district,
                                          eligible_months=36.0, n_districts=4,
                                          codes={"apartment": 1, "market": 0, "skilled": SKILLED, "employed": EMPLOYED,
                                                 "searching": SEARCHING})
    out["census"] = ok.talent_census(sector=t["sector"], tier=t["tier"], weight=t["weight"], status=t["status"], children=t["children"],
                                     queue_since=t["queue_since"], employer=t["employer"], is_platform=is_platform, searching=SEARCHING,
                                     employed=EMPLOYED, n_sectors=10, n_tiers=5).__dict__
    out["table"] = kernels.resident_group_table(outer=t["sector"], inner=t["housing"], shape=(10, 3), weights=t["weight"],
                                                status=t["status"], searching=SEARCHING)
    out["ages"] = kernels.resident_age_table(sex=t["children"], age=(t["retire_month"] / 3.0).astype(np.float32), weights=t["weight"],
                                             status=t["status"], searching=SEARCHING, n_sexes=2, n_ages=101)
    out["queued"] = housing_kernels.queued_sum(codes=t["sector"], weights=t["weight"], queue_since=t["queue_since"], status=t["status"],
                                       employed=EMPLOYED, n_groups=10)
    out["card"] = kernels.recent_arrivals_weight(channel=t["channel"], months_in_city=t["months_in_city"], status=t["status"],
                                                 weight=t["weight"], channel_code=2, months_below=36.0, searching=SEARCHING)
    out["retiring"] = kernels.retiring_and_considering(t["uid"], retire_month=t["retire_month"], status=t["status"], month=200,
                                                       searching=SEARCHING, employed=EMPLOYED, key=5, below=0.3)
    out["children"] = kernels.age_and_first_child(age=t["age"], birth_month=t["birth_month"], months_in_city=t["months_in_city"],
                                                  status=t["status"], month=12, newcomer_code=CANDIDATE, ids=t["uid"],
                                                  children=t["children"], key=9, below=0.2, searching=SEARCHING, age_from=25,
                                                  age_to=40)
    out["purchases"] = housing_kernels.purchase_rows(t["uid"], status=t["status"], searching=SEARCHING, housing=t["housing"], owner=2,
                                             months_in_city=t["months_in_city"], min_months=24.0, key=7, below=0.5)
    out["seekers"] = kernels.seeker_rows(status=t["status"], job_seeking=t["job_seeking"], candidate=CANDIDATE, searching=SEARCHING)
    out["displaced"] = kernels.employees_of(status=t["status"], employed_code=EMPLOYED, employer=t["employer"],
                                            firm_mask=np.arange(300) % 5 == 0)
    out["gave_up"] = market_kernels.count_down_search(status=t["status"], search_left=t["search_left"], searching=SEARCHING)
    return out


def _same(a: object, b: object) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return np.array_equal(a, b) and np.asarray(a).dtype == np.asarray(b).dtype


@needs_numba
@pytest.mark.parametrize("seed", [0, 1])
def test_every_pass_in_ranges_gives_the_one_pass_results_bit_for_bit(seed, small_ranges, monkeypatch):
    assert len(row_ranges.ranges(N)) == 3
    split_table, whole_table = _table(seed), _table(seed)
    split = _every_pass(split_table)
    monkeypatch.setenv("TALENTSIM_THREADS", "1")
    assert len(row_ranges.ranges(N)) == 1
    whole = _every_pass(whole_table)
    for name in whole:
        assert _same(split[name], whole[name]), name
    for name in whole_table:  # and what the passes change in place
        assert np.array_equal(split_table[name], whole_table[name]), name
    # the passes found rows in every range, and changed some
    assert all(0 < len(whole[name]) < N for name in ("children", "purchases", "seekers", "displaced", "gave_up"))
    assert whole["retiring"][0][-1] > 2 * N // 3 and np.all(np.diff(whole["retiring"][0]) > 0)


@needs_numba
def test_weights_whose_sums_depend_on_their_order_are_added_in_one_pass(small_ranges):
    rng = np.random.default_rng(3)
    # weights from a thousandth of a person to ten million: sums of ranges, added, differ in their last bits
    weight = (10.0 ** rng.uniform(-3, 7, N)).astype(np.float32)
    t = _table(4, weight=weight)
    resident = t["status"] <= SEARCHING
    codes = t["tier"].astype(np.int64)
    in_order = np.bincount(codes[resident], weights=weight[resident], minlength=5)
    spans = row_ranges.ranges(N)
    by_range = sum(np.bincount(codes[a:b][resident[a:b]], weights=weight[a:b][resident[a:b]], minlength=5) for a, b in spans)
    assert not np.array_equal(by_range, in_order)  # the case this test is about
    got = kernels.resident_group_table(outer=t["tier"], inner=np.zeros(N, np.int8), shape=(5, 1), weights=weight, status=t["status"],
                                       searching=SEARCHING)
    assert np.array_equal(got.ravel(), in_order)
    # float64 weights of any size (the numpy path's callers may give them): one pass too
    fine = rng.uniform(0.1, 1.0, N)
    in_order = np.bincount(codes[resident], weights=fine[resident], minlength=5)
    by_range = sum(np.bincount(codes[a:b][resident[a:b]], weights=fine[a:b][resident[a:b]], minlength=5) for a, b in spans)
    assert not np.array_equal(by_range, in_order)
    got = kernels.resident_group_table(outer=t["tier"], inner=np.zeros(N, np.int8), shape=(5, 1), weights=fine, status=t["status"],
                                       searching=SEARCHING)
    assert np.array_equal(got.ravel(), in_order)
    census = ok.talent_census(sector=t["sector"], tier=t["tier"], weight=weight, status=t["status"], children=t["children"],
                              queue_since=t["queue_since"], employer=t["employer"], is_platform=np.zeros(300, bool),
                              searching=SEARCHING, employed=EMPLOYED, n_sectors=10, n_tiers=5)
    cells = t["sector"].astype(np.int64) * 5 + t["tier"]
    assert np.array_equal(census.stock.ravel(), np.bincount(cells[resident], weights=weight[resident], minlength=50))
    # the graduate card's holders: numpy's sum over their mask, whatever the ranges
    card = resident & (t["channel"] == 2) & (t["months_in_city"] < 36)
    assert kernels.recent_arrivals_weight(channel=t["channel"], months_in_city=t["months_in_city"], status=t["status"], weight=weight,
                                          channel_code=2, months_below=36.0, searching=SEARCHING) == np.sum(weight, where=card,
                                                                                                            dtype=np.float64)


def test_sums_are_exact_in_any_order_only_below_2_to_the_52_spacings():
    assert row_ranges.sums_exact(n_rows=2_000_000, smallest=1.0, largest=1.0)
    assert row_ranges.sums_exact(n_rows=2 ** 28, smallest=1.0, largest=1.0)
    assert not row_ranges.sums_exact(n_rows=2 ** 29, smallest=1.0, largest=1.0)  # 2**52 spacings of 2**-23
    assert not row_ranges.sums_exact(n_rows=1_000, smallest=1e-3, largest=1e7)
    assert row_ranges.sums_exact(n_rows=1_000, smallest=np.inf, largest=0.0)  # nothing summed
    # float64 weights are multiples of a far finer spacing: persons and tenths of persons are not exact in any order
    assert not row_ranges.sums_exact(n_rows=1_000, smallest=0.1, largest=1.0, dtype=np.dtype(np.float64))
    assert row_ranges.sums_exact(n_rows=1_000, smallest=0.1, largest=1.0, dtype=np.dtype(np.float32))
    assert not row_ranges.sums_exact(n_rows=10, smallest=1.0, largest=1.0, dtype=np.dtype(np.int64))


def test_the_number_of_threads_is_checked(monkeypatch):
    monkeypatch.setattr(row_ranges, "MIN_ROWS", 10)
    for text in ("0", "-2", "two", "1.5"):
        monkeypatch.setenv("TALENTSIM_THREADS", text)
        with pytest.raises(ConfigError, match="TALENTSIM_THREADS"):
            row_ranges.ranges(1_000)
    monkeypatch.setenv("TALENTSIM_THREADS", "64")
    assert len(row_ranges.ranges(1_000)) == row_ranges.MAX_THREADS
    monkeypatch.setenv("TALENTSIM_THREADS", "4")
    spans = row_ranges.ranges(1_001)
    assert len(spans) == 4 and spans[0][0] == 0 and spans[-1][1] == 1_001
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert row_ranges.ranges(15) == [(0, 15)]  # fewer than two ranges' rows


def _run_tables(scenario) -> dict[str, object]:
    model = TalentModel(scenario)
    model.run()
    return write_run(model, out=None, charts=False).tables


@needs_numba
def test_a_run_in_ranges_of_threads_gives_the_same_tables(small_ranges, monkeypatch):
    scenario = load_scenario("scenarios/baseline.yaml", overrides={"run.scale": 100, "run.seed": 11, "run.end": "2023-06"})
    split = _run_tables(scenario)
    monkeypatch.setenv("TALENTSIM_THREADS", "1")
    whole = _run_tables(scenario)
    assert split.keys() == whole.keys()
    for name in whole:
        assert split[name].equals(whole[name]), name


def test_results_of_ranges_are_joined_added_or_the_lowest_as_declared(small_ranges):
    values = np.random.default_rng(8).permutation(np.arange(10_000, dtype=np.float64))

    def kernel(column, below):  # rows below a value, their sum, the smallest value of the range
        return np.flatnonzero(column < below), column[column < below].sum(), column.min()

    rows, total, smallest = row_ranges.in_ranges(kernel, (values, 500.0), columns=(0,), rows=(0,), lowest=(2,))
    assert len(row_ranges.ranges(len(values))) == 3
    assert np.array_equal(rows, np.flatnonzero(values < 500)) and total == values[values < 500].sum() and smallest == 0.0
    assert np.array_equal(row_ranges.found_rows(lambda column: np.flatnonzero(column % 7 == 0), (values,), columns=(0,)),
                          np.flatnonzero(values % 7 == 0))
    with pytest.raises(ValueError, match="columns of kernel have"):
        row_ranges.in_ranges(kernel, (values, values[:10]), columns=(0, 1))


def test_a_pass_in_one_range_is_not_made_twice_whatever_its_weights(small_ranges, monkeypatch):
    weight = np.random.default_rng(9).uniform(0.1, 1.0, 10_000)  # float64 of any size: never exact in any order
    calls = []

    def kernel(weights):  # the sum, then the range of the weights summed
        calls.append(len(weights))
        return weights.sum(), weights.min(), weights.max()

    monkeypatch.setenv("TALENTSIM_THREADS", "1")
    assert row_ranges.in_ranges(kernel, (weight,), columns=(0,), weights=0) == (weight.sum(),)
    assert calls == [10_000]
    monkeypatch.setenv("TALENTSIM_THREADS", "3")  # three ranges whose sums are not kept: then the one pass
    calls.clear()
    assert row_ranges.in_ranges(kernel, (weight,), columns=(0,), weights=0) == (weight.sum(),)
    assert sorted(calls) == [3_333, 3_333, 3_334, 10_000]


def test_the_command_line_refuses_a_bad_number_of_threads_before_any_work(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "TALENTSIM_THREADS": "two"}
    proc = subprocess.run([sys.executable, "-m", "sim", "run", "baseline", "--scale", "100", "--out", str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "TALENTSIM_THREADS" in proc.stderr and "'two' is not a number of threads" in proc.stderr
    assert not any(tmp_path.iterdir())  # nothing written
