"""The factors of a study: declared levers and uncertainties sampled over their plausible ranges.

The factor space is the XLRM declaration (:mod:`sim.xlrm`): every uncertainty (and, where asked, lever)
with its plausible ``range`` from ``sim/config.py``, inside its validity bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np

from sim.config import parameter_table
from sim.xlrm import Parameter, levers, parameter, uncertainties


@dataclass(frozen=True)
class Factor:
    """One sampled input: its name, type and the range it is sampled over (inside its validity bounds)."""

    name: str
    kind: Literal["real", "integer"]
    low: float
    high: float
    unit: str = ""
    source: str = ""

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def values(self, unit: np.ndarray) -> list[float | int]:
        """Values for points of the unit interval. Integers take ``[low, high + 1)`` rounded down, so that every
        integer of the range is as likely (as :func:`sim.xlrm.latin_hypercube` and EMA Workbench do)."""
        unit = np.clip(np.asarray(unit, dtype=float), 0.0, 1.0)
        if self.kind == "integer":
            return [int(v) for v in np.minimum(np.floor(self.low + unit * (self.high - self.low + 1)), self.high)]
        # clipped: low + 1 * (high - low) can round past high (-0.5 + 0.4 = -0.09999999999999998 > -0.1)
        return [float(v) for v in np.clip(self.low + unit * (self.high - self.low), self.low, self.high)]


def declared_factor(p: Parameter) -> Factor:
    """The factor of a declared lever or uncertainty; its plausible range must lie inside its validity bounds."""
    valid = next((row["valid"] for row in parameter_table() if row["name"] == p.name), None)
    if valid is not None and not (valid[0] <= p.low and p.high <= valid[1]):
        raise ValueError(f"{p.name}: plausible range [{p.low:g}, {p.high:g}] reaches outside its validity bounds "
                         f"[{valid[0]:g}, {valid[1]:g}] in sim/config.py")
    return Factor(name=p.name, kind=p.kind, low=p.low, high=p.high, unit=p.unit, source=p.source)


def select_factors(names: Sequence[str] | None = None) -> list[Factor]:
    """Factors by name: a full or unique short parameter name, or a group of them by dotted prefix
    (``uncertainties``, ``levers``, ``uncertainties.residents``, ``levers.housing``). Default: every uncertainty."""
    pool = [*uncertainties(), *levers()]
    chosen: list[Parameter] = []
    for name in (["uncertainties"] if not names else names):
        group = [p for p in pool if p.name.startswith(name.rstrip(".") + ".")]
        picked = group or [parameter(name)]
        chosen += [p for p in picked if p not in chosen]
    return [declared_factor(p) for p in chosen]
