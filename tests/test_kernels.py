"""The bulk kernels: compiled and numpy paths agree exactly; sampling and queue rules are right."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim import kernels
from sim.model import SKILLED, TalentModel
from sim.talent import EMPLOYED

ROOT = Path(__file__).resolve().parents[1]
needs_numba = pytest.mark.skipif(not kernels.USING_NUMBA, reason="numba not installed: only the numpy path exists")


def _table(seed: int, n: int = 20_000) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "status": rng.integers(0, 4, n).astype(np.int8),
        "sector": rng.integers(0, 10, n).astype(np.int16),
        "tier": rng.integers(0, 5, n).astype(np.int8),
        "employer": rng.integers(0, 300, n).astype(np.int32),
        "weight": rng.choice(np.array([1.0, 10.0, 100.0], np.float32), n),
        "is_platform": rng.random(300) < 0.05,
        "firm_mask": rng.random(300) < 0.1,
    }


@needs_numba
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_compiled_kernels_equal_numpy_bit_for_bit(seed):
    t = _table(seed)
    mask = t["status"] <= 1
    assert np.array_equal(kernels._group_sum_numba(t["sector"], t["weight"], mask, 10),
                          kernels._group_sum_numpy(t["sector"], t["weight"], mask, 10))
    assert np.array_equal(kernels._group_sum2_numba(t["sector"], t["tier"], 5, t["weight"], mask, 50),
                          kernels._group_sum2_numpy(t["sector"], t["tier"], 5, t["weight"], mask, 50))
    args = (t["status"], EMPLOYED, t["employer"], t["sector"], t["tier"], 5, t["weight"], t["is_platform"], 300, 10)
    for compiled, plain in zip(kernels._employment_numba(*args), kernels._employment_numpy(*args)):
        assert np.array_equal(compiled, plain)
    args = (t["status"], EMPLOYED, t["employer"], t["firm_mask"])
    assert np.array_equal(kernels._employees_of_numba(*args), kernels._employees_of_numpy(*args))


def test_group_table_counts_what_it_says():
    t = _table(3, n=2_000)
    mask = t["status"] <= 1
    table = kernels.group_table(outer=t["sector"], inner=t["tier"], shape=(10, 5), weights=t["weight"], mask=mask)
    for s, k in [(0, 0), (4, 2), (9, 4)]:
        expected = t["weight"][mask & (t["sector"] == s) & (t["tier"] == k)].astype(float).sum()
        assert table[s, k] == pytest.approx(expected)
    assert table.sum() == pytest.approx(t["weight"][mask].astype(float).sum())


def test_employment_leaves_platforms_out_of_filled_positions():
    t = _table(4, n=5_000)
    by_firm, filled = kernels.employment(status=t["status"], employed_code=EMPLOYED, employer=t["employer"], sector=t["sector"],
                                         tier=t["tier"], weights=t["weight"], is_platform=t["is_platform"], shape=(10, 5))
    employed = t["status"] == EMPLOYED
    assert by_firm.sum() == pytest.approx(t["weight"][employed].astype(float).sum())
    in_firms = employed & ~t["is_platform"][t["employer"]]
    assert filled.sum() == pytest.approx(t["weight"][in_firms].astype(float).sum())


@pytest.mark.parametrize("p", [0.003, 0.025, 0.4])
def test_bernoulli_rows_draws_each_row_with_probability_p(p):
    rng = np.random.default_rng(11)
    n, reps = 50_000, 40
    hits = np.zeros(n)
    counts = []
    for _ in range(reps):
        rows = kernels.bernoulli_rows(rng, n=n, p=p)
        assert np.all(np.diff(rows) > 0) and (len(rows) == 0 or (rows[0] >= 0 and rows[-1] < n))
        hits[rows] += 1
        counts.append(len(rows))
    se = np.sqrt(n * p * (1 - p) / reps)
    assert abs(np.mean(counts) - n * p) < 4 * se
    # rows early and late in the table are drawn equally often (no edge effect of the gap draws)
    blocks = hits.reshape(10, -1).sum(axis=1)
    expected = reps * p * n / 10
    assert np.all(np.abs(blocks - expected) < 5 * np.sqrt(expected))


def test_bernoulli_rows_edges():
    rng = np.random.default_rng(0)
    assert len(kernels.bernoulli_rows(rng, n=0, p=0.5)) == 0
    assert len(kernels.bernoulli_rows(rng, n=100, p=0.0)) == 0
    assert np.array_equal(kernels.bernoulli_rows(rng, n=5, p=1.0), np.arange(5))


def _allocation_by_full_sort(model: TalentModel, queued: np.ndarray, free: np.ndarray) -> np.ndarray:
    """The queue rule written as one sort: district, high-end before skilled, newest first, then row order."""
    p = model.pool
    district = model.sector_district[p.sector[queued]]
    skilled = (p.tier[queued] == SKILLED).astype(np.int64)
    order = queued[np.lexsort((-p.queue_since[queued].astype(np.int64), skilled, district))]
    d_sorted = model.sector_district[p.sector[order]]
    taken = []
    for d in range(model.D):
        rows = order[d_sorted == d]
        taken.append(rows[np.cumsum(p.weight[rows].astype(float)) <= free[d]])
    return np.sort(np.concatenate(taken))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_apartment_queue_is_served_in_priority_order(seed, baseline_path):
    from sim.config import load_scenario

    model = TalentModel(load_scenario(baseline_path, overrides={"run.scale": 100, "run.seed": seed, "run.end": "2022-06"}))
    model.run()
    p, rng = model.pool, np.random.default_rng(seed)
    queued = np.flatnonzero(p.view("status") == EMPLOYED)
    queued = np.sort(rng.choice(queued, size=min(3_000, len(queued)), replace=False))
    p.queue_since[queued] = rng.integers(0, model.t + 1, len(queued))
    free = rng.uniform(0, 2_000, model.D)
    free[0] = 0.0
    free[-1] = 1e9
    assert np.array_equal(np.sort(model._apartment_allocation(queued, free=free)), _allocation_by_full_sort(model, queued, free))


def _run_digest(env: dict[str, str], out: Path) -> str:
    code = ("from pathlib import Path; import sys; from sim.config import load_scenario; from sim.runner import run_scenario;"
            "s = load_scenario('scenarios/baseline.yaml', overrides={'run.scale': 100, 'run.seed': 5, 'run.end': '2024-12'});"
            "r = run_scenario(s, out=Path(sys.argv[1]), lang='en', charts=False); print(r.run_dir)")
    run_dir = Path(subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                                  check=True).stdout.strip().splitlines()[-1])
    digest = hashlib.sha256()
    for path in sorted(run_dir.glob("*.parquet")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@needs_numba
def test_run_gives_identical_files_with_and_without_numba(tmp_path):
    env = dict(os.environ)
    compiled = _run_digest({**env, "TALENTSIM_NUMBA": "1"}, tmp_path / "compiled")
    plain = _run_digest({**env, "TALENTSIM_NUMBA": "0"}, tmp_path / "plain")
    assert compiled == plain
