"""numba, when it is installed and not turned off (``TALENTSIM_NUMBA=0``), and the one way a kernel is compiled."""

from __future__ import annotations

import os


def _load_numba():
    if os.environ.get("TALENTSIM_NUMBA", "1").strip().lower() in {"0", "false", "no", "off"}:
        return None
    try:
        import numba
    except ImportError:
        return None
    return numba


_numba = _load_numba()
USING_NUMBA = _numba is not None


def compiled(function):
    """``function`` compiled by numba (cached on disk, releasing the GIL), or None without numba: a module
    keeps its numpy twin of every compiled kernel and chooses by :data:`USING_NUMBA`."""
    return _numba.njit(cache=True, nogil=True)(function) if USING_NUMBA else None
