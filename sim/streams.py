"""The month's random streams: numpy's ``SeedSequence`` children, made at a fraction of numpy's cost.

Every month each process draws from its own stream, ``Generator(PCG64(SeedSequence(seed, spawn_key=(1,
month, i))))`` (docs/ODD.md §3). Made the numpy way, one stream costs about 28 microseconds (the
sequence's hashing and coercions in Python-level code), several percent of a coarse run with its ten
streams a month. Here the hashing of every month's keys is done once per run, in bulk over arrays,
and a month's stream is the process's one bit generator put into the state numpy's seeding would give
it. The numbers drawn are numpy's to the bit (``tests/test_streams.py`` checks them against numpy's
own streams); only the making is cheaper.

The hashing follows numpy's ``SeedSequence`` (O'Neill's seed_seq, with numpy's constants and pool
of four 32-bit words); the seeding follows PCG64's ``pcg_setseq_128_srandom_r``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

_POOL = 4  # numpy's default pool size, in 32-bit words
_INIT_A, _MULT_A = np.uint32(0x43B0D7E5), np.uint32(0x931E8875)
_INIT_B, _MULT_B = np.uint32(0x8B51F9DD), np.uint32(0x58F38DED)
_MIX_MULT_L, _MIX_MULT_R = np.uint32(0xCA01F9DD), np.uint32(0x4973F715)
_XSHIFT = np.uint32(16)
_PCG_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341
_MASK_128 = (1 << 128) - 1


def _words(value: int) -> list[int]:
    """An integer as numpy's sequence takes it: little-endian 32-bit words, at least one."""
    if value < 0:
        raise ValueError(f"a seed must be non-negative, not {value}")
    words = []
    while True:
        words.append(value & 0xFFFFFFFF)
        value >>= 32
        if value == 0:
            return words


def _hashmix(value: np.ndarray, hash_const: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    value = value ^ hash_const
    hash_const = hash_const * _MULT_A
    value = value * hash_const
    return value ^ (value >> _XSHIFT), hash_const


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    result = _MIX_MULT_L * x - _MIX_MULT_R * y
    return result ^ (result >> _XSHIFT)


def seed_states(root: int, *, spawn_keys: np.ndarray, words: int = 4) -> np.ndarray:
    """``SeedSequence(root, spawn_key=tuple(k)).generate_state(words, np.uint64)`` for every row ``k`` of
    ``spawn_keys`` (non-negative integers below 2**32), as an (n, words) array."""
    keys = np.asarray(spawn_keys)
    if keys.ndim != 2 or keys.shape[1] == 0 or (keys < 0).any() or (keys > 0xFFFFFFFF).any():
        raise ValueError("spawn keys: an (n, k) array of integers from 0 to 2**32-1, k >= 1")
    root_words = _words(int(root))
    root_words += [0] * (_POOL - len(root_words))  # numpy pads the entropy to the pool when there is a spawn key
    n = len(keys)
    entropy = np.concatenate([np.tile(np.array(root_words, np.uint32), (n, 1)), keys.astype(np.uint32)], axis=1)
    with np.errstate(over="ignore"):
        hash_const = np.full(n, _INIT_A, np.uint32)
        pool = np.empty((n, _POOL), np.uint32)
        for i in range(_POOL):
            pool[:, i], hash_const = _hashmix(entropy[:, i], hash_const)
        for i_src in range(_POOL):
            for i_dst in range(_POOL):
                if i_src != i_dst:
                    mixed, hash_const = _hashmix(pool[:, i_src], hash_const)
                    pool[:, i_dst] = _mix(pool[:, i_dst], mixed)
        for i_src in range(_POOL, entropy.shape[1]):
            for i_dst in range(_POOL):
                mixed, hash_const = _hashmix(entropy[:, i_src], hash_const)
                pool[:, i_dst] = _mix(pool[:, i_dst], mixed)
        state = np.empty((n, 2 * words), np.uint32)
        out_const = np.uint32(_INIT_B)
        for i in range(2 * words):
            value = pool[:, i % _POOL] ^ out_const
            out_const = out_const * _MULT_B
            value = value * out_const
            state[:, i] = value ^ (value >> _XSHIFT)
    return state.astype("<u4").view("<u8").reshape(n, words).astype(np.uint64)


def pcg64_state(words: Sequence[int]) -> dict:
    """The state of a PCG64 seeded with the four 64-bit words of a seed sequence (``PCG64(seed_seq).state``)."""
    initstate = (int(words[0]) << 64) + int(words[1])
    inc = (((int(words[2]) << 64) + int(words[3])) << 1 | 1) & _MASK_128
    state = (0 * _PCG_MULTIPLIER + inc) & _MASK_128
    state = (state + initstate) & _MASK_128
    state = (state * _PCG_MULTIPLIER + inc) & _MASK_128
    return {"bit_generator": "PCG64", "state": {"state": state, "inc": inc}, "has_uint32": 0, "uinteger": 0}


def month_keys(root: int, *, domain: int, months: int, words: int) -> np.ndarray:
    """``SeedSequence(root, spawn_key=(domain, t)).generate_state(words, np.uint64)`` for every month ``t``."""
    t = np.arange(months)
    return seed_states(root, spawn_keys=np.stack([np.full(months, domain), t], axis=1), words=words)


class MonthStreams:
    """A run's streams: stream ``i`` of month ``t`` is ``SeedSequence(root, spawn_key=(domain, t, i))``'s.

    ``stream(t, i)`` gives a generator that draws exactly what numpy's would. It reuses one bit generator
    per stream index, so a stream of an earlier month must not be used once a later month's is made.
    """

    def __init__(self, root: int, *, domain: int, months: int, streams: int) -> None:
        t, i = np.meshgrid(np.arange(months), np.arange(streams), indexing="ij")
        keys = np.stack([np.full(t.size, domain), t.ravel(), i.ravel()], axis=1)
        self._states = seed_states(root, spawn_keys=keys).reshape(months, streams, 4)
        self._generators: dict[int, np.random.Generator] = {}

    def stream(self, t: int, index: int) -> np.random.Generator:
        generator = self._generators.get(index)
        if generator is None:
            generator = self._generators[index] = np.random.Generator(np.random.PCG64(0))
        generator.bit_generator.state = pcg64_state(self._states[t, index].tolist())
        return generator
