"""Validation (docs/ODD.md §8): the simulated city set against the observed figures of its region file.

Each observation names a column of ``city_annual`` and a year. A scenario is run with several seeds;
for every observation the report gives the simulated mean, the range over the seeds (seed noise only:
the parameters are held at the scenario's values), the error and whether the mean lies within the
observation's tolerance. The projected talent growth is shown beside the growth anchors of the region
(comparable cities), which are context, not targets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from sim.config import Scenario
from sim.model import TalentModel
from sim.region import GrowthAnchor, Observation
from sim.results import base_manifest, staged_directory, write_atomic, write_table

# the projected talent growth is reported over the nine years after the initial state's (for Jiaxing, end-2021 to
# end-2030: 2022-2030), beside the region's growth anchors, which are decades of comparable cities
GROWTH_YEARS = 9


@dataclass(frozen=True)
class Check:
    """One observation against the runs."""

    observation: Observation
    simulated: np.ndarray  # one value per seed

    @property
    def mean(self) -> float:
        return float(self.simulated.mean())

    @property
    def error(self) -> float:
        return self.mean - self.observation.value

    @property
    def within(self) -> bool:
        low, high = self.observation.bounds()
        return bool(low <= self.mean <= high)


@dataclass(frozen=True)
class ValidationReport:
    scenario: Scenario
    seeds: list[int]
    scale: int
    checks: list[Check]
    uncovered: list[Observation]  # observations of years the runs do not reach: listed, not checked
    annual: list[pa.Table]  # each seed's city_annual
    talent_growth: np.ndarray | None  # per seed, per year over growth_years; None when the run ends earlier
    growth_years: tuple[int, int]  # the year ends the growth is measured between
    anchors: list[GrowthAnchor]

    @property
    def passed(self) -> bool:
        return all(c.within for c in self.checks)

    def table(self) -> pa.Table:
        rows = {k: [] for k in ("series", "year", "observed", "unit", "simulated_mean", "simulated_min", "simulated_max",
                                "error", "relative_error", "tolerance_low", "tolerance_high", "within_tolerance", "use", "source")}
        for c in self.checks:
            o, (low, high) = c.observation, c.observation.bounds()
            values = (o.series, o.year, o.value, o.unit, c.mean, float(c.simulated.min()), float(c.simulated.max()), c.error,
                      c.error / o.value if o.value else np.nan, low, high, c.within, o.use, o.source)
            for key, value in zip(rows, values):
                rows[key].append(value)
        types = {"year": pa.int32(), "within_tolerance": pa.bool_()}
        strings = {"series", "unit", "use", "source"}
        return pa.table({k: pa.array(v, type=types.get(k, pa.string() if k in strings else pa.float64()), from_pandas=True)
                         for k, v in rows.items()})

    def render(self) -> str:
        rows = [("series", "year", "observed", "simulated", "seed range", "error", "tolerance", "use", "result")]
        for c in self.checks:
            o = c.observation
            relative = o.tolerance_kind == "relative"
            rows.append((o.series, str(o.year), _number(o.value), _number(c.mean),
                         f"{_number(c.simulated.min())} – {_number(c.simulated.max())}",
                         f"{c.error / o.value:+.1%}" if relative and o.value else _number(c.error, signed=True),
                         f"±{o.tolerance:.1%}" if relative else f"±{_number(o.tolerance)}", o.use, "ok" if c.within else "OUTSIDE"))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = [f"validation · {self.scenario.name} · {len(self.seeds)} seeds · scale {self.scale} "
                 "(the range is over seeds only; parameters at the scenario's values)"]
        lines += ["  ".join(cell.ljust(w) if i in (0, 7, 8) else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
                  for row in rows]
        if self.uncovered:
            lines.append("not checked, outside the run: " + ", ".join(f"{o.series} {o.year}" for o in self.uncovered))
        if self.talent_growth is not None:
            g = self.talent_growth
            first, last = self.growth_years
            lines.append(f"talent growth {first + 1}-{last}: {g.mean():.1%} a year (seeds {g.min():.1%} – {g.max():.1%})")
            for a in self.anchors:
                lines.append(f"  beside {a.en} {a.period}: {a.value:.1%} a year ({a.source})")
        lines.append("passed: no observation falls inside the run" if not self.checks else
                     "passed: every observation within its tolerance" if self.passed else
                     f"failed: {sum(not c.within for c in self.checks)} of {len(self.checks)} observations outside their tolerance")
        return "\n".join(lines)


def _number(x: float, *, signed: bool = False) -> str:
    sign = "+" if signed else ""
    if abs(x) >= 1e9:
        return f"{x / 1e9:{sign},.1f} bn"
    return f"{x:{sign},.0f}" if abs(x) >= 100 else f"{x:{sign}.4g}"


def validation_seeds(scenario: Scenario, *, seeds: int) -> list[int]:
    """Seeds derived from the scenario's, as the calibration derives them."""
    return [int(s) for s in np.random.SeedSequence(scenario.run.seed).generate_state(seeds) % 2**31]


def validate(scenario: Scenario, *, seeds: int = 5, scale: int = 20) -> ValidationReport:
    """Run ``scenario`` with ``seeds`` derived seeds at ``scale`` and set it against the region's observations."""
    region = scenario.load_region()
    seed_list = validation_seeds(scenario, seeds=seeds)
    annual = []
    for seed in seed_list:
        run = scenario.run.model_copy(update={"seed": seed, "scale": scale})
        model = TalentModel(scenario.model_copy(update={"run": run}), seed=seed, collect_model_vars=False).run()
        annual.append(model.recorder.tables(["city_annual"])["city_annual"])
    checks, uncovered = [], []
    for o in region.observations:
        values = [_value(table, series=o.series, year=o.year) for table in annual]
        if any(v is None for v in values):
            uncovered.append(o)
        else:
            checks.append(Check(observation=o, simulated=np.array(values, dtype=float)))
    growth = None
    first, last = region.initial_year, region.initial_year + GROWTH_YEARS
    starts = [_value(t, series="talent_stock", year=first) for t in annual]
    ends = [_value(t, series="talent_stock", year=last) for t in annual]
    if all(v is not None for v in (*starts, *ends)):
        growth = (np.array(ends, dtype=float) / np.array(starts, dtype=float)) ** (1 / (last - first)) - 1
    return ValidationReport(scenario=scenario, seeds=seed_list, scale=scale, checks=checks, uncovered=uncovered, annual=annual,
                            talent_growth=growth, growth_years=(first, last), anchors=list(region.growth_anchors))


def _value(table: pa.Table, *, series: str, year: int) -> float | None:
    """The series at the end of ``year``: the initial state's row, or a year the run covers whole (a partial
    year's row is at its last simulated month, not at the year end the observation describes)."""
    years = table.column("year").to_pylist()
    if year not in years:
        return None
    row = years.index(year)
    if row > 0 and table.column("months")[row].as_py() < 12:
        return None
    value = table.column(series)[row].as_py()
    return None if value is None else float(value)


def write_validation(report: ValidationReport, *, out: Path, lang: str = "en") -> list[Path]:
    """The table, the chart and a manifest under ``out/<scenario>/validation/``, written as one."""
    from sim.charts.style import resolve_language
    from sim.charts.validation import render_validation_chart

    final = Path(out) / report.scenario.name / "validation"
    files: list[Path] = []
    with staged_directory(final) as stage:
        files += write_table(stage, report.table(), name="validation")
        chart_lang, warning = resolve_language(lang)
        files += render_validation_chart(report, out_dir=stage, lang=chart_lang)
        manifest = {**{k: v for k, v in base_manifest(report.scenario).items() if k not in ("run_id", "seed", "scale")},
                    "region": report.scenario.region, "seeds": report.seeds, "scale": report.scale, "passed": report.passed,
                    "talent_growth_per_year": None if report.talent_growth is None else [round(float(g), 6) for g in report.talent_growth],
                    "notes": [warning] if warning else []}
        path = stage / "manifest.json"
        write_atomic(path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        files.append(path)
    return [final / f.relative_to(stage) for f in files]
