"""Months as integers: the model counts time in months since year 0, so that month arithmetic is integer."""

from __future__ import annotations


def month_index(month: str) -> int:
    """``"2022-01"`` as ``2022 * 12 + 0``."""
    year, m = (int(p) for p in month.split("-"))
    return year * 12 + (m - 1)


def month_label(index: int) -> str:
    """A month index written YYYY-MM (the inverse of :func:`month_index`)."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
