"""The field every configuration number is declared with, and the strict base model of the schema.

``param`` records a number's unit, its source and, for an assumption, its plausible range, and
enforces its validity bounds; :class:`Strict` refuses unknown fields, NaN, infinity and booleans
given for numbers.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from sim.inputs import NoBooleanNumbers


def param(default: Any, *, unit: str, source: str, range: tuple[float, float] | None = None, doc: str = "",
          valid: tuple[float, float] | None = None) -> Any:
    """A configuration field whose metadata says its unit, its source and, for assumptions, its range.

    ``range`` is the plausible range, for exploring; ``valid`` bounds what the model can run with at all
    (a month 1-12, a share 0-1, a monthly rate at most 1, money finite and bounded) and is enforced.
    Every number must have one, so that a value such as 1e30 or 0 in a divisor is refused on reading.
    """
    if source == "assumption" and range is None:
        raise TypeError("an assumed parameter needs a plausible range")
    numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
    if numeric and valid is None:
        raise TypeError("a numeric parameter needs validity bounds valid=(low, high)")
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if range is not None:
        extra["range"] = list(range)
    if valid is None:
        return Field(default, description=doc, json_schema_extra=extra)
    extra["valid"] = list(valid)
    return Field(default, description=doc, json_schema_extra=extra, ge=valid[0], le=valid[1])


def check_month(value: Any) -> str:
    parts = str(value).split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or not 1 <= int(parts[1]) <= 12:
        raise ValueError("must be a month written YYYY-MM, e.g. 2022-01")
    return f"{int(parts[0]):04d}-{int(parts[1]):02d}"


class Strict(NoBooleanNumbers):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)
