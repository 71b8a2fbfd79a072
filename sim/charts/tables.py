"""What the charts read from the tables: the ids of totals, dates, and a comparison at one year."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sim.charts.text import pick, tr
from sim.categories import PARAMETERS_AND_SEEDS, SEED_ONLY
from sim.region import Region

# Rows that are not a cluster of the region, nor a tier.
REST_OF_CITY = "rest_of_city"
CITY_TOTAL = "city_total"
ALL_TIERS = "all_tiers"


DIFF_COLUMNS = ("diff_mean", "diff_ci_low", "diff_ci_high")
# A band or interval from fewer runs than this is labelled indicative on the chart.
MIN_BAND_RUNS = 10


def as_dates(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(col.cast(pa.date32()).to_numpy(zero_copy_only=False), dtype="datetime64[D]")


def where_equal(table: pa.Table, column: str, value: object) -> pa.ChunkedArray:
    return pc.fill_null(pc.equal(table[column], value), False)


def as_float(value: object) -> float:
    return float("nan") if value is None else float(value)


def all_finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def band_holds(table: pa.Table, lang: str) -> str:
    """What the bands or intervals of ``table`` hold, from its ``uncertainty`` and ``n_draws`` columns; a table
    without them (written before they existed) holds seed variation only."""
    labels = set(table["uncertainty"].to_pylist()) if "uncertainty" in table.column_names else {SEED_ONLY}
    if PARAMETERS_AND_SEEDS not in labels:
        return tr("holds_seeds", lang)
    draws = [d for d in table["n_draws"].to_pylist() if d is not None] if "n_draws" in table.column_names else []
    return tr("holds_params", lang, d=counts_text(draws) if draws else "?")


def fewest_runs(table: pa.Table, column: str) -> int | None:
    counts = [int(v) for v in table[column].to_pylist() if v is not None] if column in table.column_names else []
    return min(counts) if counts else None


def few_runs_note(table: pa.Table, column: str, lang: str, *, key: str) -> list[str]:
    """A note when the band or interval rests on fewer than :data:`MIN_BAND_RUNS` runs (the fewest over the rows)."""
    fewest = fewest_runs(table, column)
    return [tr(key, lang, n=f"{fewest:,}")] if fewest is not None and fewest < MIN_BAND_RUNS else []


def counts_text(values: list[object]) -> str:
    counts = [int(v) for v in values if v is not None]
    if not counts:
        return "0"
    lo, hi = min(counts), max(counts)
    return f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"


# ---------------------------------------------------------------- a comparison at one year

@dataclass(frozen=True)
class Comparison:
    """The comparison at one year: scenarios in design order (the reference first) and their rows by cluster."""

    year: int
    points: list[int]
    names: dict[int, str]
    titles: dict[int, str]
    rows: dict[tuple[int, str], dict]
    seeds: str
    draws: str = "1"
    holds: str = ""                 # what the intervals hold, in the chart's language
    notes: tuple[str, ...] = ()     # a warning when they rest on few runs

    @property
    def parametric(self) -> bool:
        return self.draws != "1"

    @property
    def reference(self) -> int:
        return self.points[0]

    @property
    def others(self) -> list[int]:
        return self.points[1:]

    def value(self, point: int, cluster: str, column: str) -> float:
        row = self.rows.get((point, cluster))
        return float("nan") if row is None else as_float(row.get(column))

    def interval(self, point: int, cluster: str, columns: tuple[str, str, str] = DIFF_COLUMNS) -> tuple[float, float, float]:
        mean, low, high = (self.value(point, cluster, c) for c in columns)
        return mean, low, high


def scenario_title(name: str, scenario_labels: dict[str, dict[str, str]], lang: str) -> str:
    return pick(scenario_labels.get(name), lang, name)


def comparison_at(comparison: pa.Table, scenario_labels: dict[str, dict[str, str]], lang: str,
                   year: int | None) -> Comparison:
    years = sorted({y for y in comparison["year"].to_pylist() if y is not None})
    if not years:
        raise ValueError("cannot draw the comparison charts: the comparison table has no rows with a year")
    if year is None:
        year = years[-1]
    elif year not in years:
        raise ValueError(f"cannot draw the comparison charts for {year}: the comparison table has the years "
                         f"{', '.join(str(y) for y in years)}")
    names: dict[int, str] = {}
    for point, scenario in zip(comparison["point"].to_pylist(), comparison["scenario"].to_pylist()):
        if point is not None and not names.get(point):
            names[point] = scenario or str(point)
    at_year = comparison.filter(where_equal(comparison, "year", year))
    rows = {(r["point"], r["cluster"]): r for r in at_year.to_pylist() if r["point"] is not None}
    points = sorted(names)
    titles = {p: scenario_title(names[p], scenario_labels, lang) for p in points}
    draws = counts_text(at_year["n_draws"].to_pylist()) if "n_draws" in at_year.column_names else "1"
    runs = "n_runs" if "n_runs" in at_year.column_names else "n_seeds"
    return Comparison(year=year, points=points, names=names, titles=titles, rows=rows,
                       seeds=counts_text(at_year["n_seeds"].to_pylist()), draws=draws, holds=band_holds(at_year, lang),
                       notes=tuple(few_runs_note(at_year, runs, lang, key="few_runs_interval")))


def clusters_in(comparison: pa.Table, region: Region) -> list[str]:
    """Region's clusters in its order, then the rest of the city and any other sector the table has."""
    seen = [c for c in dict.fromkeys(comparison["cluster"].to_pylist()) if c not in (None, CITY_TOTAL)]
    ordered = [c for c in region.sector_ids if c in seen]
    return ordered + [c for c in seen if c not in ordered]
