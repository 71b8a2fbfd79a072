"""Which floating-point code a process computes with, so that a run's numbers can be reproduced.

numpy chooses the machine code of its maths functions (``exp``, ``log``, ``log1p``, ``power`` and others)
when it is imported, by what the processor offers: AVX-512, AVX2 or plain x86-64 code (NEON or SVE on
ARM). The codes agree to within an ulp, not to the last bit: the same run computed with numpy's AVX2 code
instead of its AVX-512 code gives other last bits in its floating-point outputs (and a draw that falls at
its threshold could go the other way). A run's files are reproduced byte for byte on machines whose numpy
computes with the same code, which :func:`arithmetic` names; the run's manifest and a study's run index
record it.
"""

from __future__ import annotations

import platform
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=1)
def arithmetic() -> str:
    """This process's floating-point code: numpy's version, the processor's architecture and the vector code
    numpy runs its floating-point functions with, e.g. ``numpy 2.4.6 x86_64 X86_V4+X86_V3``."""
    targets = _float_dispatch_targets()
    return f"numpy {np.__version__} {platform.machine() or 'unknown'} {'+'.join(targets) if targets else 'baseline'}"


def _float_dispatch_targets() -> list[str]:
    """The vector-code targets numpy dispatches its float32 and float64 loops to in this process (beyond the
    code its build assumes of every processor), highest first."""
    try:
        from numpy.lib.introspect import opt_func_info
    except ImportError:  # numpy < 2.0: the targets this processor enables among those the build carries
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
        return sorted((t for t in __cpu_dispatch__ if __cpu_features__.get(t)), reverse=True)
    used = {loop["current"] for loops in opt_func_info().values() for types, loop in loops.items() if set(types) & set("fd")}
    return sorted((t for t in used if not t.startswith("baseline")), reverse=True)
