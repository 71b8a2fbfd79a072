"""The month-end census of the talent table: compiled and numpy paths agree bit for bit, and each count is the
group sum it stands for."""

from __future__ import annotations

import numpy as np
import pytest

from sim import kernels
from sim import observation_kernels as ok
from sim.talent import EMPLOYED, SEARCHING

needs_numba = pytest.mark.skipif(not kernels.USING_NUMBA, reason="numba not installed: only the numpy path exists")
N_SECTORS, N_TIERS = 12, 5


def _table(seed: int, n: int = 20_000) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "sector": rng.integers(0, N_SECTORS, n).astype(np.int16), "tier": rng.integers(0, N_TIERS, n).astype(np.int8),
        # fractional weights: the sums' order shows in their last bits
        "weight": (rng.choice(np.array([1.0, 100.0], np.float32), n) * rng.uniform(0.97, 1.03, n)).astype(np.float32),
        "status": rng.integers(0, 4, n).astype(np.int8), "children": (rng.random(n) < 0.4).astype(np.int8),
        "queue_since": np.where(rng.random(n) < 0.2, rng.integers(0, 100, n), -1).astype(np.int32),
    }


def _args(t: dict[str, np.ndarray]) -> tuple:
    return (t["sector"], t["tier"], N_TIERS, t["weight"], t["status"], SEARCHING, t["children"], t["queue_since"], EMPLOYED, N_SECTORS)


@needs_numba
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_compiled_census_equals_numpy_bit_for_bit(seed):
    t = _table(seed)
    for compiled, plain in zip(ok._talent_census_numba(*_args(t)), ok._talent_census_numpy(*_args(t))):
        assert np.array_equal(compiled, plain)


@pytest.mark.parametrize("seed", [0, 1])
def test_census_counts_are_the_group_sums_they_replace(seed):
    t = _table(seed)
    stock, families, queued = ok.talent_census(sector=t["sector"], tier=t["tier"], weight=t["weight"], status=t["status"],
                                               children=t["children"], queue_since=t["queue_since"], searching=SEARCHING,
                                               employed=EMPLOYED, n_sectors=N_SECTORS, n_tiers=N_TIERS)
    assert np.array_equal(stock, kernels.resident_group_table(outer=t["sector"], inner=t["tier"], shape=(N_SECTORS, N_TIERS),
                                                              weights=t["weight"], status=t["status"], searching=SEARCHING))
    assert families == kernels.resident_group_sum(codes=t["children"], weights=t["weight"], status=t["status"], searching=SEARCHING,
                                                  n_groups=2)[1]
    assert np.array_equal(queued, kernels.queued_sum(codes=t["sector"], weights=t["weight"], queue_since=t["queue_since"],
                                                     status=t["status"], employed=EMPLOYED, n_groups=N_SECTORS))
    resident = t["status"] <= SEARCHING
    assert 0 < families < t["weight"][resident].sum() and queued.sum() > 0
