"""The month's streams made in bulk draw exactly what numpy's SeedSequence children draw."""

from __future__ import annotations

import numpy as np
import pytest

from sim.streams import MonthStreams, month_keys, pcg64_state, seed_states

ROOTS = [0, 1, 7, 2**32 - 1, 2**32, 2**40 + 3, 2**63 - 1]


def numpy_state(root: int, key: tuple[int, ...], words: int = 4) -> np.ndarray:
    return np.random.SeedSequence(root, spawn_key=key).generate_state(words, np.uint64)


@pytest.mark.parametrize("root", ROOTS)
def test_seed_states_are_numpys_for_any_root_and_key(root):
    rng = np.random.default_rng(root % 1000)
    keys = np.concatenate([np.array([[1, 0, 0], [1, 167, 10], [2, 2**32 - 1, 0]]),
                           np.column_stack([rng.integers(0, 3, 20), rng.integers(0, 2**32, 20), rng.integers(0, 12, 20)])])
    got = seed_states(root, spawn_keys=keys)
    want = np.array([numpy_state(root, tuple(int(x) for x in k)) for k in keys])
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("length", [1, 2, 5])
def test_seed_states_of_keys_of_any_length_and_any_number_of_words(length):
    keys = np.arange(3 * length).reshape(3, length)
    for words in (1, 4, 17):
        want = np.array([numpy_state(99, tuple(int(x) for x in k), words) for k in keys])
        np.testing.assert_array_equal(seed_states(99, spawn_keys=keys, words=words), want)


def test_month_keys_are_numpys():
    got = month_keys(5, domain=2, months=30, words=17)
    want = np.array([numpy_state(5, (2, t), 17) for t in range(30)])
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("root", ROOTS)
def test_pcg64_state_is_numpys_seeding(root):
    for key in [(1, 0, 0), (1, 12, 3), (7, 2**31, 9)]:
        sequence = np.random.SeedSequence(root, spawn_key=key)
        assert pcg64_state(sequence.generate_state(4, np.uint64).tolist()) == np.random.PCG64(sequence).state


def test_month_streams_draw_numpys_numbers_in_any_order_of_months_and_streams():
    streams = MonthStreams(12345, domain=1, months=24, streams=11)
    for t, i in [(0, 0), (0, 10), (5, 3), (23, 10), (2, 3)]:  # a stream index reused after another month's
        mine = streams.stream(t, i)
        reference = np.random.default_rng(np.random.SeedSequence(12345, spawn_key=(1, t, i)))
        np.testing.assert_array_equal(mine.random(7), reference.random(7))
        np.testing.assert_array_equal(mine.normal(size=3), reference.normal(size=3))
        assert mine.integers(0, 10**9) == reference.integers(0, 10**9)
        np.testing.assert_array_equal(mine.poisson([0.5, 3.0, 40.0]), reference.poisson([0.5, 3.0, 40.0]))


def test_a_uint32_draw_left_half_used_does_not_leak_into_the_next_months_stream():
    streams = MonthStreams(3, domain=1, months=3, streams=2)
    streams.stream(0, 1).integers(0, 10, dtype=np.uint32)  # numpy keeps the other half of a 64-bit word
    reference = np.random.default_rng(np.random.SeedSequence(3, spawn_key=(1, 1, 1)))
    assert streams.stream(1, 1).integers(0, 10, size=5, dtype=np.uint32).tolist() == reference.integers(0, 10, size=5, dtype=np.uint32).tolist()


@pytest.mark.parametrize("keys", [np.array([[-1, 0]]), np.array([[2**32, 0]]), np.zeros((3, 0), int), np.zeros(3, int)])
def test_bad_spawn_keys_are_refused(keys):
    with pytest.raises(ValueError, match="spawn keys"):
        seed_states(1, spawn_keys=keys)
