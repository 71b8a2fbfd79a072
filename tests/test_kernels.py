"""The bulk kernels: compiled and numpy paths agree exactly; sampling and queue rules are right."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim import housing_kernels, kernels
from sim.categories import SKILLED
from sim.model import TalentModel
from sim.submodels import housing
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
    args = (t["status"], EMPLOYED, t["employer"], t["firm_mask"])
    assert np.array_equal(kernels._employees_of_numba(*args), kernels._employees_of_numpy(*args))
    columns = (np.ones(len(mask)), t["weight"].astype(float), t["tier"] * 0.37)
    assert np.array_equal(kernels._group_sums_numba(t["sector"], columns, mask, 10), kernels._group_sums_numpy(t["sector"], columns, mask, 10))
    codes = t["sector"].astype(np.int64)
    for compiled, plain in zip(kernels._group_order_numba(codes, 10), kernels._group_order_numpy(codes, 10)):
        assert np.array_equal(compiled, plain)
    rng = np.random.default_rng(seed)
    n = 3_000
    firms = (rng.lognormal(2, 1, n), rng.lognormal(2, 1, n), rng.lognormal(0, 0.2, n), 1.03, rng.uniform(1, 1.2, n), 0.05,
             rng.uniform(0.5, 1, 10), codes[:n], rng.random(n) < 0.9, rng.uniform(0.1, 0.6, n), 10)
    jobs_compiled, jobs_plain = firms[0].copy(), firms[0].copy()
    compiled = kernels._adjust_jobs_numba(jobs_compiled, *firms[1:])
    plain = kernels._adjust_jobs_numpy(jobs_plain, *firms[1:])
    assert np.array_equal(jobs_compiled, jobs_plain) and not np.array_equal(jobs_plain, firms[0])
    for a, b in zip(compiled, plain):
        assert np.array_equal(a, b)


@needs_numba
@pytest.mark.parametrize("seed", [0, 1])
def test_compiled_housing_compaction_and_row_kernels_equal_numpy_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    n = 20_000
    table = {"housing": rng.integers(0, 3, n).astype(np.int8), "tier": rng.integers(0, 5, n).astype(np.int8),
             "months_in_city": rng.integers(0, 80, n).astype(np.int32), "status": rng.integers(0, 4, n).astype(np.int8),
             "queue_since": rng.integers(-1, 30, n).astype(np.int32), "sector": rng.integers(0, 10, n).astype(np.int16),
             "weight": rng.choice(np.array([1.0, 10.0, 100.0], np.float32), n)}
    district = rng.integers(0, 4, 10).astype(np.int64)
    codes = (1, 0, SKILLED, EMPLOYED, 1)  # apartment, market, skilled, employed, searching
    compiled_table = {k: v.copy() for k, v in table.items()}
    compiled = housing_kernels._housing_rows_numba(*compiled_table.values(), district, 36.0, 4, *codes)
    plain = housing_kernels._housing_rows_numpy(*table.values(), district, 36.0, 4, *codes)
    assert len(compiled) == 4 and len(plain) == 2
    for a, b in zip(compiled, plain):
        assert np.array_equal(a, b) and a.dtype == b.dtype
    # and the range of the weights it added up: the tenants counted in their apartments
    counted = table["weight"][(table["housing"] == 1) & (table["status"] <= 1)]
    assert compiled[2:] == (counted.min(), counted.max())
    for name in table:
        assert np.array_equal(compiled_table[name], table[name]), name
    assert 0 < len(plain[1]) < n and (table["queue_since"] == -1).sum() > 0
    queued = plain[1]
    args = (queued, table["sector"], table["tier"], table["queue_since"], table["weight"], district, 30, 4, SKILLED)
    for a, b in zip(housing_kernels._queue_places_numba(*args), housing_kernels._queue_places_numpy(*args)):
        assert np.array_equal(a, b)
    status, ids = table["status"], np.arange(n, dtype=np.int64) * 7919
    pairs = [(kernels._seeker_rows_numba, kernels._seeker_rows_numpy, (status, table["housing"], 2, 1)),
             (housing_kernels._purchase_rows_numba, housing_kernels._purchase_rows_numpy,
              (ids, status, 1, table["housing"], 2, table["months_in_city"], 24.0, np.uint64(7), 0.5))]
    for compiled_kernel, plain_kernel, args in pairs:
        a, b = compiled_kernel(*args), plain_kernel(*args)
        assert np.array_equal(a, b) and 0 < len(b) < n, compiled_kernel
    # graduates (channel 2 here) resident and arrived less than 36 months ago
    args = (table["housing"], table["months_in_city"], status, 2, 36.0, 1)
    mask = kernels._recent_arrivals_numba(*args)
    assert np.array_equal(mask, kernels._recent_arrivals_numpy(*args)) and 0 < mask.sum() < n
    assert np.array_equal(mask, (table["housing"] == 2) & (table["months_in_city"] < 36) & (status <= 1))
    # the retirees (residents whose retirement month has come) and, apart from them, the employed who weigh a move
    args = (ids, table["queue_since"], status, 12, 1, 0, np.uint64(5), 0.4)
    for a, b in zip(kernels._retiring_and_considering_numba(*args), kernels._retiring_and_considering_numpy(*args)):
        assert np.array_equal(a, b) and 0 < len(b) < n
    retiring, considering = kernels._retiring_and_considering_numpy(*args)
    assert np.array_equal(retiring, np.flatnonzero((table["queue_since"] <= 12) & (status <= 1)))
    others = np.setdiff1d(np.flatnonzero(status == 0), retiring)
    assert np.array_equal(considering, others[kernels.keyed_uniforms(ids[others], key=5) < 0.4])
    args = (table["sector"], table["weight"], table["queue_since"], status, 0, 10)
    queued_sums, smallest, largest = housing_kernels._queued_sum_numba(*args)
    assert np.array_equal(queued_sums, housing_kernels._queued_sum_numpy(*args))
    in_queue = table["weight"][(table["queue_since"] >= 0) & (status == 0)]
    assert (smallest, largest) == (in_queue.min(), in_queue.max())
    keep = rng.random(n) < 0.7
    for column in table.values():
        expected, compiled_column, plain_column = column[keep].copy(), column.copy(), column.copy()
        kernels._keep_where_numba(compiled_column, keep)
        kernels._keep_where_numpy(plain_column, keep)
        assert np.array_equal(compiled_column[: len(expected)], expected) and np.array_equal(plain_column[: len(expected)], expected)


def test_group_table_counts_what_it_says():
    t = _table(3, n=2_000)
    mask = t["status"] <= 1
    table = kernels.group_table(outer=t["sector"], inner=t["tier"], shape=(10, 5), weights=t["weight"], mask=mask)
    for s, k in [(0, 0), (4, 2), (9, 4)]:
        expected = t["weight"][mask & (t["sector"] == s) & (t["tier"] == k)].astype(float).sum()
        assert table[s, k] == pytest.approx(expected)
    assert table.sum() == pytest.approx(t["weight"][mask].astype(float).sum())


def test_group_sums_total_each_column_by_group():
    t = _table(5, n=3_000)
    mask = t["status"] != 2
    columns = (np.ones(len(mask)), t["weight"])
    sums = kernels.group_sums(codes=t["sector"], columns=columns, mask=mask, n_groups=10)
    assert sums.shape == (2, 10)
    for s in (0, 3, 9):
        rows = mask & (t["sector"] == s)
        assert sums[0, s] == rows.sum()
        assert sums[1, s] == pytest.approx(t["weight"][rows].astype(float).sum())


def test_adjust_jobs_closes_part_of_the_gap_for_active_firms_only():
    jobs = np.array([10.0, 10.0, 10.0, 10.0])
    positions, demand = kernels.adjust_jobs(
        jobs=jobs, base_jobs=np.array([20.0, 5.0, 20.0, 20.0]), productivity_factor=np.ones(4), demand_level=1.0,
        funding_factor=np.ones(4), adjustment=0.1, fill_rate=np.array([0.5, 1.0]), sector=np.array([0, 0, 1, 1]),
        active=np.array([True, True, True, False]), talent_intensity=np.full(4, 0.5))
    # growth is slowed by the cluster's fill rate, shrinking is not; an inactive row is left alone
    assert jobs.tolist() == pytest.approx([10.5, 9.5, 11.0, 10.0])
    assert positions.tolist() == pytest.approx([5.25, 4.75, 5.5, 0.0])
    assert demand.tolist() == pytest.approx([10.0, 5.5])


def test_group_order_lists_each_group_in_row_order():
    codes = np.random.default_rng(6).integers(0, 7, 2_000).astype(np.int64)
    codes[codes == 4] = 5  # an empty group in the middle
    order, bounds = kernels.group_order(codes=codes, n_groups=8)
    assert bounds[0] == 0 and bounds[-1] == len(codes) and bounds[4] == bounds[5] and bounds[7] == bounds[8]
    for g in range(8):
        assert np.array_equal(order[bounds[g]:bounds[g + 1]], np.flatnonzero(codes == g))


def test_employment_leaves_platforms_out_of_filled_positions():
    t = _table(4, n=5_000)
    by_firm, filled = kernels.employment(status=t["status"], employed_code=EMPLOYED, employer=t["employer"], sector=t["sector"],
                                         tier=t["tier"], weights=t["weight"], is_platform=t["is_platform"], shape=(10, 5))
    employed = t["status"] == EMPLOYED
    assert by_firm.sum() == pytest.approx(t["weight"][employed].astype(float).sum())
    in_firms = employed & ~t["is_platform"][t["employer"]]
    assert filled.sum() == pytest.approx(t["weight"][in_firms].astype(float).sum())


def test_keyed_uniforms_are_uniform_and_independent_across_keys():
    ids = np.arange(200_000, dtype=np.int64) * 7919 + 3
    a = kernels.keyed_uniforms(ids, key=11)
    b = kernels.keyed_uniforms(ids, key=12)
    assert a.min() >= 0.0 and a.max() < 1.0
    counts = np.bincount((a * 20).astype(int), minlength=20)
    expected = len(ids) / 20
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.01
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 0.01  # neighbouring ids


def test_an_agents_draw_depends_only_on_its_id_and_the_key():
    ids = np.random.default_rng(5).permutation(10_000).astype(np.int64)
    whole = kernels.keyed_uniforms(ids, key=99)
    part = kernels.keyed_uniforms(ids[::-3], key=99)  # other rows, other order, other length
    assert np.array_equal(whole[::-3], part)


@needs_numba
def test_compiled_keyed_uniforms_equal_numpy_bit_for_bit():
    ids = np.random.default_rng(2).integers(0, 2**62, size=50_000)
    assert np.array_equal(kernels._keyed_uniforms_numba(ids, np.uint64(2**63 + 17)), kernels._keyed_uniforms_numpy(ids, np.uint64(2**63 + 17)))


@needs_numba
@pytest.mark.parametrize("share", [0.0, 0.001, 0.3, 0.5, 0.97, 1.0])
def test_compiled_rows_where_are_flatnonzero(share):
    mask = np.random.default_rng(9).random(20_001) < share
    rows = kernels._rows_where_numba(mask)
    assert rows.dtype == np.int64 and np.array_equal(rows, np.flatnonzero(mask))
    assert len(kernels._rows_where_numba(np.zeros(0, bool))) == 0


def test_keyed_rows_is_the_masked_keyed_draw_below_p():
    rng = np.random.default_rng(8)
    ids = rng.integers(0, 2**40, size=30_000)
    mask = rng.random(30_000) < 0.7
    rows = kernels.keyed_rows(ids, mask=mask, key=77, below=0.1)
    expected = np.flatnonzero(mask & (kernels.keyed_uniforms(ids, key=77) < 0.1))
    assert np.array_equal(rows, expected)
    if kernels.USING_NUMBA:
        assert np.array_equal(kernels._keyed_rows_numba(ids, mask, np.uint64(77), 0.1), kernels._keyed_rows_numpy(ids, mask, np.uint64(77), 0.1))


def test_keyed_normals_are_standard_normal():
    z = kernels.keyed_normals(np.arange(100_000, dtype=np.int64), keys=(3, 4))
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    assert abs(np.mean(z > 1.96) - 0.025) < 0.003


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
    assert np.array_equal(np.sort(housing.apartment_allocation(model, queued, free=free)), _allocation_by_full_sort(model, queued, free))


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


@pytest.mark.parametrize("n", [1, 2, 3, 10, 1001, 17_000])
def test_upper_quantile_is_numpys_percentile(n):
    from sim.submodels.firm_demography import upper_quantile

    values = np.random.default_rng(n).lognormal(size=n)
    assert upper_quantile(values, q=0.75) == np.percentile(values, 75)


@needs_numba
def test_compiled_ageing_and_first_child_equal_numpy_bit_for_bit():
    rng = np.random.default_rng(4)
    n = 50_000
    birth = rng.integers(23_000, 24_500, n).astype(np.int32)
    status = rng.integers(0, 4, n).astype(np.int8)
    tenure = rng.integers(0, 300, n).astype(np.int32)
    children = (rng.random(n) < 0.5).astype(np.int8)
    ids = np.arange(n, dtype=np.int64) * 7919
    aged = {}
    for path, fn in (("numba", kernels._age_and_first_child_numba), ("numpy", kernels._age_and_first_child_numpy)):
        age, months = np.zeros(n, np.float32), tenure.copy()
        rows = fn(age, birth, months, status, 24_300, 0, ids, children, np.uint64(99), 0.3, 1, 25.0, 40.0)
        aged[path] = (age, months, rows)
    for a, b in zip(aged["numba"], aged["numpy"]):
        assert np.array_equal(a, b)
    # whole months since birth, and a month more in the city for everyone but the newcomers (status 0 here)
    age, months, rows = aged["numpy"]
    np.testing.assert_allclose(age, (24_300 - birth) / 12, rtol=1e-6)
    assert np.array_equal(months - tenure, (status != 0).astype(np.int32))
    # the first child is drawn at the new age, for childless residents (status 0 or 1 here) of 25-40
    eligible = np.flatnonzero((status <= 1) & (children == 0) & (age >= 25) & (age <= 40))
    assert np.array_equal(rows, eligible[kernels.keyed_uniforms(ids[eligible], key=99) < 0.3]) and 0 < len(rows) < len(eligible)


def test_count_kept_counts_residents_and_newcomers_with_search_time_left():
    rng = np.random.default_rng(5)
    status = rng.integers(0, 5, 20_000).astype(np.int8)
    search_left = rng.integers(-2, 4, 20_000).astype(np.int8)
    expected = int(((status == 1) | (status == 2) | ((status == 0) & (search_left > 0))).sum())
    assert kernels.count_kept(status=status, search_left=search_left, employed=1, searching=2, candidate=0) == expected
    assert kernels._count_kept_numpy(status, search_left, 1, 2, 0) == expected


@pytest.mark.skipif(not kernels.USING_NUMBA, reason="the compiled pass needs numba")
@pytest.mark.parametrize("weights", ["persons", "fractions", "spread"])
def test_recent_arrivals_weight_is_numpys_masked_sum(weights, monkeypatch):
    """Persons whose sum is exact in any order (whole persons at scale 100, float32 fractions of a person) come from the
    compiled pass without a mask; weights spread over twelve orders of magnitude are summed by numpy over the mask."""
    rng = np.random.default_rng(11)
    n = 300_000
    channel, months, status = rng.integers(0, 4, n).astype(np.int8), rng.integers(0, 60, n).astype(np.int16), rng.integers(0, 4, n).astype(np.int8)
    weight = {"persons": rng.choice([1.0, 100.0], n), "fractions": rng.uniform(0.05, 3.0, n),
              "spread": np.exp(rng.uniform(-14, 14, n))}[weights].astype(np.float32)
    mask = kernels._recent_arrivals_numpy(channel, months, status, 2, 36.0, 1)
    expected = float(np.sum(weight, where=mask, dtype=np.float64))
    masks_made = []
    monkeypatch.setattr(kernels, "_recent_arrivals_numba", lambda *args: masks_made.append(1) or kernels._recent_arrivals_numpy(*args))
    got = kernels.recent_arrivals_weight(channel=channel, months_in_city=months, status=status, weight=weight, channel_code=2,
                                         months_below=36.0, searching=1)
    assert got == expected and type(got) is float
    assert masks_made == ([1] if weights == "spread" else [])
    if weights == "spread":  # not exact in every order: the row-order sum differs from numpy's, which is why it is not used
        assert kernels._recent_arrivals_weight_numba(channel, months, status, weight, 2, 36.0, 1)[0] != expected
    nobody = kernels.recent_arrivals_weight(channel=channel, months_in_city=months, status=status, weight=weight, channel_code=9,
                                            months_below=36.0, searching=1)
    assert nobody == 0.0


@needs_numba
def test_compiled_resident_age_table_equals_numpy_bit_for_bit(monkeypatch):
    rng = np.random.default_rng(5)
    n = 20_000
    sex, status = rng.integers(0, 2, n).astype(np.int8), rng.integers(0, 4, n).astype(np.int8)
    age = rng.uniform(15, 130, n).astype(np.float32)  # ages past the last year count in it
    weight = (rng.choice(np.array([1.0, 100.0], np.float32), n) * rng.uniform(0.97, 1.03, n)).astype(np.float32)
    arguments = dict(sex=sex, age=age, weights=weight, status=status, searching=1, n_sexes=2, n_ages=101)
    compiled = kernels.resident_age_table(**arguments)
    monkeypatch.setattr(kernels, "USING_NUMBA", False)
    plain = kernels.resident_age_table(**arguments)
    assert np.array_equal(compiled, plain) and compiled.shape == (2, 101)
    resident = status <= 1
    assert compiled[:, 100].sum() == pytest.approx(weight[resident & (age >= 100)].sum(dtype=np.float64), rel=1e-12)
    assert compiled[1, 40] == pytest.approx(weight[resident & (sex == 1) & (age >= 40) & (age < 41)].sum(dtype=np.float64), rel=1e-12)
