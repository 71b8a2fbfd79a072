"""The lever settings the explorer shows: every number a planner sets in ``levers.*``, by family, with the
value the base scenario has in force, the plausible range a slider spans and the validity bounds any value must
keep (all read from the scenario schema, :func:`sim.config.parameter_table`).

A setting with a declared plausible range gets a slider over it (widened to hold the base's value, should the base
lie outside); one without (a cost from the sources, say) gets a slider from its lowest valid value to twice the base's
value, and says so; both take any value within the validity bounds in their number box. A slider's step is about a
hundredth of its span, on a grid that runs through the base's value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from sim.config import Levers, Scenario, parameter_table
from sim.dashboard.text import SETTINGS
from sim.government import LEVERS

FAMILIES = LEVERS


@dataclass(frozen=True)
class LeverSetting:
    """One lever setting as the explorer shows it."""

    name: str                       # full dotted path, levers.housing.apartments_per_year
    family: str                     # housing
    setting: str                    # apartments_per_year
    kind: Literal["real", "integer"]
    base: float                     # the base scenario's value in force from the month explored
    low: float                      # the slider's span
    high: float
    step: float
    declared_range: tuple[float, float] | None
    valid: tuple[float, float]
    unit: str                       # as declared in sim/config.py (English)

    @property
    def money(self) -> bool:
        return self.unit.startswith("yuan")

    @property
    def share(self) -> bool:
        """Shares and rates between 0 and 1, shown as percentages."""
        return self.kind == "real" and self.valid == (0.0, 1.0)

    def snapped(self, value: float) -> float | int:
        """A slider's value on its step, written without float noise (0.55, not 0.5500000000000002)."""
        value = self.low + round((value - self.low) / self.step) * self.step
        return int(round(value)) if self.kind == "integer" else float(f"{value:.10g}")

    def problem(self, value: float) -> str | None:
        """Why the model would refuse ``value``, or None."""
        if not math.isfinite(value) or not self.valid[0] <= value <= self.valid[1]:
            return "not_valid"
        if self.kind == "integer" and value != int(value):
            return "not_valid"
        return None


def in_force(base: Scenario, *, month: str) -> Levers:
    """The base scenario's lever settings in force from ``month`` on (its schedule applied up to that month)."""
    current = base.levers
    for start, levers in base.levers.time_path():
        if start <= month:
            current = levers
    return current


def lever_settings(base: Scenario, *, month: str) -> list[LeverSetting]:
    """Every numeric lever setting, family by family in the order of :data:`FAMILIES`, at the base's values in force
    from ``month``."""
    levers = in_force(base, month=month)
    rows = {row["name"]: row for row in parameter_table()}
    out = []
    for family in FAMILIES:
        for (fam, setting) in SETTINGS:
            if fam != family:
                continue
            row = rows[f"levers.{family}.{setting}"]
            value = getattr(getattr(levers, family), setting)
            kind: Literal["real", "integer"] = "integer" if _declared_type(family, setting) is int else "real"
            valid = (float(row["valid"][0]), float(row["valid"][1]))
            declared = (float(row["range"][0]), float(row["range"][1])) if row["range"] else None
            low, high = declared if declared else (valid[0], min(valid[1], 2 * max(float(value), 1.0)))
            low, high = min(low, float(value)), max(high, float(value))
            step = _step_through(float(value), raw=(high - low) / 100, integer=kind == "integer")
            # the slider's grid starts on a multiple of its step inside the valid range, so that it runs through the base
            low = max(math.floor(low / step) * step, math.ceil(valid[0] / step) * step)
            high = min(math.ceil(high / step) * step, math.floor(valid[1] / step) * step)
            out.append(LeverSetting(name=row["name"], family=family, setting=setting, kind=kind, base=value, low=low, high=high,
                                    step=step, declared_range=declared, valid=valid, unit=row["unit"]))
    return out


def _declared_type(family: str, setting: str) -> Any:
    return Levers.model_fields[family].annotation.model_fields[setting].annotation


def _step_through(value: float, *, raw: float, integer: bool) -> float:
    """A slider step of about ``raw`` on whose multiples ``value`` lies (else the step of :func:`_nice_step`)."""
    step = _nice_step(raw, integer=integer)
    for _ in range(9):  # down to a thousandth of the step
        if abs(value / step - round(value / step)) < 1e-9:
            return step
        step = _nice_step(step * 0.999, integer=integer)
    return _nice_step(raw, integer=integer)


def _nice_step(raw: float, *, integer: bool) -> float:
    """The largest of 1, 2 or 5 times a power of ten not above ``raw`` (at least 1 for integers)."""
    if raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    step = max(m * power for m in (1, 2, 5) if m * power <= raw * (1 + 1e-9))
    return max(1.0, float(round(step))) if integer else float(f"{step:.6g}")


def changed(settings: list[LeverSetting], values: dict[str, float]) -> dict[str, float | int]:
    """The settings whose value differs from the base's, by full name, in the order shown."""
    out: dict[str, float | int] = {}
    for s in settings:
        value = values.get(s.name, s.base)
        if value != s.base:
            out[s.name] = int(value) if s.kind == "integer" else float(value)
    return out


def format_value(setting: LeverSetting, value: float, lang: str) -> str:
    """A value as a planner reads it: money in 亿元/万元 or million/billion yuan, shares as percentages."""
    if setting.share:
        return f"{value * 100:.4g}%"
    if setting.money:
        return format_yuan(value, lang)
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def format_yuan(value: float, lang: str) -> str:
    size = abs(value)
    if lang == "zh":
        if size >= 1e8:
            return f"{value / 1e8:,.4g} 亿元"
        if size >= 1e4:
            return f"{value / 1e4:,.4g} 万元"
        return f"{value:,.0f} 元"
    if size >= 1e9:
        return f"{value / 1e9:,.4g} bn yuan"
    if size >= 1e6:
        return f"{value / 1e6:,.4g} m yuan"
    return f"{value:,.0f} yuan"
