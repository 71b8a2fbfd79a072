"""Row passes split between threads give the rows and changes of the whole pass, to the element."""

from __future__ import annotations

import numpy as np
import pytest

from sim import kernel_parts, kernels
from sim.model import TalentModel

needs_numba = pytest.mark.skipif(not kernels.USING_NUMBA, reason="numba not installed: passes are not split")


@pytest.fixture
def split_everything(monkeypatch):
    """Every pass split into three parts, however small the table."""
    monkeypatch.setattr(kernel_parts, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setenv(kernel_parts.THREADS_ENV, "3")


def _table(n: int = 30_001) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(4)
    return {"status": rng.integers(0, 4, n).astype(np.int8), "housing": rng.integers(0, 3, n).astype(np.int8),
            "months": rng.integers(0, 80, n).astype(np.int32), "search_left": rng.integers(-2, 3, n).astype(np.int32),
            "employer": rng.integers(0, 300, n).astype(np.int32), "ids": rng.integers(0, 2**40, n).astype(np.int64),
            "age": rng.uniform(18, 70, n).astype(np.float32), "birth": rng.integers(-800, -200, n).astype(np.int32)}


def _selections(t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    firm_mask = np.arange(300) % 7 == 0
    return {
        "employees_of": kernels.employees_of(status=t["status"], employed_code=0, employer=t["employer"], firm_mask=firm_mask),
        "keyed_rows": kernels.keyed_rows(t["ids"], mask=t["status"] == 1, key=11, below=0.4),
        "retiring_rows": kernels.retiring_rows(retire_month=t["months"], status=t["status"], month=30, searching=1),
        "seeker_rows": kernels.seeker_rows(status=t["status"], job_seeking=t["housing"], candidate=2, searching=1),
        "undecided_rows": kernels.undecided_rows(status=t["status"], search_left=t["search_left"], candidate=2),
        "first_child_rows": kernels.first_child_rows(t["ids"], status=t["status"], children=t["housing"], age=t["age"], key=3, below=0.5,
                                                     searching=1, age_from=25.0, age_to=40.0),
        "keyed_status_rows": kernels.keyed_status_rows(t["ids"], status=t["status"], code=0, key=5, below=0.3),
        "purchase_rows": kernels.purchase_rows(t["ids"], status=t["status"], searching=1, housing=t["housing"], owner=2,
                                               months_in_city=t["months"], min_months=24.0, key=7, below=0.5),
    }


@needs_numba
def test_split_selections_are_the_whole_passes_rows(monkeypatch):
    table = _table()
    whole = _selections(table)
    monkeypatch.setattr(kernel_parts, "PARALLEL_MIN_ROWS", 0)
    for threads in ("2", "3", "7"):
        monkeypatch.setenv(kernel_parts.THREADS_ENV, threads)
        assert len(kernel_parts._parts(len(table["ids"]), min_rows=None)) == int(threads)
        for name, rows in _selections(table).items():
            assert rows.dtype == whole[name].dtype and np.array_equal(rows, whole[name]), (name, threads)
            assert 0 < len(rows) < len(table["ids"]), name  # a selection that selects something, not everything


@needs_numba
def test_split_ageing_changes_every_row_as_the_whole_pass(split_everything):
    whole, split = _table(), _table()
    kernel_parts.PARALLEL_MIN_ROWS = 10**9  # the whole pass first
    kernels.age_a_month(age=whole["age"], birth_month=whole["birth"], months_in_city=whole["months"], status=whole["status"], month=5,
                        newcomer_code=2)
    kernel_parts.PARALLEL_MIN_ROWS = 0
    kernels.age_a_month(age=split["age"], birth_month=split["birth"], months_in_city=split["months"], status=split["status"], month=5,
                        newcomer_code=2)
    for name in whole:
        assert np.array_equal(whole[name], split[name]), name


@needs_numba
def test_a_run_with_every_pass_split_repeats_the_unsplit_run(toy_scenario_path, monkeypatch):
    from sim.config import load_scenario

    scenario = load_scenario(toy_scenario_path, overrides={"run.end": "2023-06"})
    whole = TalentModel(scenario, seed=5).run().recorder
    monkeypatch.setattr(kernel_parts, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setenv(kernel_parts.THREADS_ENV, "2")
    split = TalentModel(scenario, seed=5).run().recorder
    for name in ("stock", "inflow", "outflow", "firms", "housing"):
        np.testing.assert_array_equal(getattr(whole, name), getattr(split, name), err_msg=name)


def test_small_tables_and_one_thread_are_never_split(monkeypatch):
    monkeypatch.setenv(kernel_parts.THREADS_ENV, "4")
    assert kernel_parts._parts(kernel_parts.PARALLEL_MIN_ROWS - 1, min_rows=None) == [slice(0, kernel_parts.PARALLEL_MIN_ROWS - 1)]
    monkeypatch.setenv(kernel_parts.THREADS_ENV, "1")
    assert len(kernel_parts._parts(10**8, min_rows=None)) == 1


def test_a_bad_thread_count_says_what_is_allowed(monkeypatch):
    monkeypatch.setenv(kernel_parts.THREADS_ENV, "two")
    with pytest.raises(ValueError, match="TALENTSIM_THREADS.*whole number"):
        kernel_parts.thread_count()
