"""The vocabulary of exploratory modelling: levers, uncertainties, outcomes and run designs.

XLRM (Lempert, Popper & Bankes 2003) sorts what a policy study deals with into exogenous
uncertainties X that nobody controls, policy levers L that a planner chooses, the model's
relationships R, and the measures M by which outcomes are judged. The EMA Workbench
(Kwakkel 2017, "The Exploratory Modeling Workbench: An open source toolkit for exploratory
modeling, scenario discovery, and (multi-objective) robust decision making", Environmental
Modelling & Software 96, 239-250) declares X and L as named, typed parameter lists kept apart
from the model code; this module does the same for TalentSim.

Levers and uncertainties are not listed by hand: they are read from the scenario schema
(:func:`sim.config.parameter_table`), so a parameter given a plausible ``range`` there becomes
explorable here, and its bounds, unit and source stay written in one place. Parameter names are
full dotted paths (``levers.housing.apartments_per_year``), which ``load_scenario(overrides=...)``
and ``TalentModel(**overrides)`` accept as they are.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from dataclasses import dataclass
from typing import Any, Literal, Sequence

import numpy as np
import pyarrow as pa

from sim.categories import HIGH_END_TIERS
from sim.config import Scenario, is_number, parameter_table, value_at

OUTCOME_YEARS = (2025, 2030, 2035)
HORIZON = OUTCOME_YEARS[-1]


# ---------------------------------------------------------------- levers and uncertainties
@dataclass(frozen=True)
class Parameter:
    """One explorable number of a scenario, with the plausible range it is sampled over."""

    name: str                          # full dotted path, e.g. levers.housing.apartments_per_year
    short: str                         # last component, e.g. apartments_per_year
    kind: Literal["real", "integer"]
    low: float
    high: float
    default: float
    unit: str
    source: str


def _declared_type(path: str) -> Any:
    """The annotation of a scenario field, found by walking the schema along its dotted path."""
    model: Any = Scenario
    annotation: Any = None
    for part in path.split("."):
        annotation = model.model_fields[part].annotation
        model = annotation
    return annotation


@functools.cache
def _explorable() -> tuple[Parameter, ...]:
    out = []
    for row in parameter_table():
        name = row["name"]
        if not name.startswith(("levers.", "uncertainties.")) or row["range"] is None or not is_number(row["default"]):
            continue
        # the declared type, not the type of the default literal: many float fields are written with
        # integer defaults (onboarding_months = 6 with range 0.5-12), and the model accepts any real there
        declared = _declared_type(name)
        kind: Literal["real", "integer"] = "integer" if declared is int else "real"
        low, high = row["range"]
        default = int(row["default"]) if kind == "integer" else float(row["default"])
        out.append(Parameter(name=name, short=name.rsplit(".", 1)[-1], kind=kind, low=float(low), high=float(high),
                             default=default, unit=row["unit"], source=row["source"]))
    return tuple(out)


def levers() -> list[Parameter]:
    """Every lever setting (what a planner chooses) that has a plausible range, budgets included."""
    return [p for p in _explorable() if p.name.startswith("levers.")]


def uncertainties() -> list[Parameter]:
    """Every uncertain number (what nobody controls) that has a plausible range, behaviour included."""
    return [p for p in _explorable() if p.name.startswith("uncertainties.")]


def parameter(name: str) -> Parameter:
    """A lever or uncertainty by full dotted name or by a short name that only one of them has."""
    candidates = _explorable()
    for p in candidates:
        if p.name == name:
            return p
    same_short = [p for p in candidates if p.short == name]
    if len(same_short) == 1:
        return same_short[0]
    if same_short:
        raise ValueError(f"{name!r} is ambiguous; write one of {', '.join(p.name for p in same_short)}")
    unranged = [r["name"] for r in parameter_table() if name in (r["name"], r["name"].rsplit(".", 1)[-1])]
    if unranged:
        raise ValueError(f"{name!r} ({', '.join(unranged)}) is not explorable: only numeric levers and uncertainties "
                         f"with a plausible range in sim/config.py can be sampled")
    vocabulary = [p.name for p in candidates] + [p.short for p in candidates]
    close = difflib.get_close_matches(name, vocabulary, n=6, cutoff=0.6)
    hint = f"; close names: {', '.join(dict.fromkeys(close))}" if close else "; see sim.xlrm.levers() and uncertainties()"
    raise ValueError(f"{name!r} is not a lever or uncertainty{hint}")


def outside_ranges(scenario: Scenario, names: Sequence[str]) -> list[str]:
    """The sampled parameters (full dotted names) whose value in ``scenario`` lies outside the range a study samples
    them over, each as ``short value outside [low, high]``: the declared ranges are Jiaxing's, and a scenario of
    another city whose values lie far from them would be explored around another city."""
    out = []
    for name in names:
        p, value = parameter(name), value_at(scenario, name)
        if is_number(value) and not p.low <= value <= p.high:
            out.append(f"{p.short} {value:,.6g} outside [{p.low:,.6g}, {p.high:,.6g}]")
    return out


# ---------------------------------------------------------------- outcomes
@dataclass(frozen=True)
class Outcome:
    """A scalar measure of one run."""

    name: str
    unit: str
    description: str


_AT_YEAR_END = "at the end of {year}, or at the run's last date if the run ends earlier"


def outcomes(region_cluster_ids: list[str]) -> list[Outcome]:
    """The scalar outcomes of a run of a region with these clusters (the order of :func:`outcome_values`)."""
    out = [Outcome(f"talent_total_{year}", "persons", "talent in the whole city " + _AT_YEAR_END.format(year=year))
           for year in OUTCOME_YEARS]
    out.append(Outcome(f"high_end_{HORIZON}", "persons",
                       f"talent of the {', '.join(HIGH_END_TIERS)} tiers in the whole city " + _AT_YEAR_END.format(year=HORIZON)))
    out += [Outcome(f"talent_{c}_{HORIZON}", "persons", f"talent in cluster {c} " + _AT_YEAR_END.format(year=HORIZON))
            for c in region_cluster_ids]
    out.append(Outcome("spending_total_yuan", "yuan", "government spending on all levers, summed over the run"))
    out.append(Outcome(f"coordination_mean_{HORIZON}", "index, 0-1",
                       "coupling coordination degree D, mean over the clusters, " + _AT_YEAR_END.format(year=HORIZON)))
    return out


def _date_for(dates: np.ndarray, year: int) -> np.datetime64 | None:
    """The last recorded date in or before ``year`` (the run's last date if it ends earlier)."""
    eligible = dates[dates <= np.datetime64(dt.date(year, 12, 31), "D")]
    return eligible.max() if len(eligible) else None


# the tables outcome_values reads: a run that only reports its outcomes builds these alone
OUTCOME_TABLES = ("talent_stock", "spending", "coupling")


def outcome_values(tables: dict[str, pa.Table], *, cluster_ids: list[str]) -> dict[str, float]:
    """The outcomes of one run, computed from its tables (``model.recorder.tables()``).

    An outcome whose year lies before the run's first recorded date is NaN.
    """
    stock = tables["talent_stock"]
    dates = stock.column("date").to_numpy().astype("datetime64[D]")
    persons = stock.column("talent_stock").to_numpy()
    cluster = np.asarray(stock.column("cluster").to_pylist(), dtype=object)
    high_end = np.isin(np.asarray(stock.column("tier").to_pylist(), dtype=object), HIGH_END_TIERS)
    missing = [c for c in cluster_ids if c not in set(cluster)]
    if missing:
        raise ValueError(f"clusters {', '.join(missing)} are not in the talent_stock table; "
                         f"it has {', '.join(dict.fromkeys(cluster.tolist()))}")

    def stock_sum(year: int, mask: np.ndarray | None = None) -> float:
        when = _date_for(dates, year)
        if when is None:
            return float("nan")
        rows = dates == when
        return float(persons[rows if mask is None else rows & mask].sum())

    values = {f"talent_total_{year}": stock_sum(year) for year in OUTCOME_YEARS}
    values[f"high_end_{HORIZON}"] = stock_sum(HORIZON, high_end)
    for c in cluster_ids:
        values[f"talent_{c}_{HORIZON}"] = stock_sum(HORIZON, cluster == c)
    values["spending_total_yuan"] = float(tables["spending"].column("spending_yuan").to_numpy().sum())
    coupling = tables["coupling"]
    c_dates = coupling.column("date").to_numpy().astype("datetime64[D]")
    when = _date_for(c_dates, HORIZON)
    d = coupling.column("coordination_d").to_numpy()
    values[f"coordination_mean_{HORIZON}"] = float("nan") if when is None else float(d[c_dates == when].mean())
    return values


# ---------------------------------------------------------------- run designs
def latin_hypercube(params: Sequence[Parameter], *, n: int, seed: int) -> list[dict[str, float]]:
    """``n`` design points by Latin hypercube sampling (McKay, Beckman & Conover 1979).

    McKay, M. D., Beckman, R. J. & Conover, W. J. (1979), "A comparison of three methods for
    selecting values of input variables in the analysis of output from a computer code",
    Technometrics 21(2), 239-245. Each parameter's range is cut into ``n`` equal strata and every
    stratum is sampled exactly once (``scipy.stats.qmc.LatinHypercube``), uniformly within it.
    Integers are drawn over ``[low, high + 1)`` and rounded down, so that every integer in the
    range is equally likely, as in EMA Workbench's ``IntegerParameter``.

    Returns override dicts keyed by the parameters' full dotted names.
    """
    from scipy.stats import qmc

    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not params:
        raise ValueError("no parameters to sample")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise ValueError(f"parameters listed twice: {', '.join(sorted({x for x in names if names.count(x) > 1}))}")
    unit = qmc.LatinHypercube(d=len(params), seed=seed).random(n)
    columns: list[list[float]] = []
    for j, p in enumerate(params):
        if p.kind == "integer":
            values = np.minimum(np.floor(p.low + unit[:, j] * (p.high - p.low + 1)), p.high)
            columns.append([int(v) for v in values])
        else:
            columns.append([float(v) for v in p.low + unit[:, j] * (p.high - p.low)])
    return [{name: columns[j][i] for j, name in enumerate(names)} for i in range(n)]


def crossed(scenarios: Sequence[dict[str, Any]], policies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every uncertainty point with every policy: ``len(scenarios) * len(policies)`` override dicts.

    The policy varies fastest, so the runs of one scenario are adjacent. A key set on both sides
    would let one silently overrule the other, so it is an error.
    """
    scenario_keys = set().union(*scenarios) if scenarios else set()
    policy_keys = set().union(*policies) if policies else set()
    clash = scenario_keys & policy_keys
    if clash:
        raise ValueError(f"set by both the scenarios and the policies: {', '.join(sorted(clash))}")
    return [{**s, **p} for s in scenarios for p in policies]


# ---------------------------------------------------------------- Mesa's visual tools
def solara_model_params(params: Sequence[Parameter] | None = None, *, scenario: str = "baseline", scale: int = 100,
                        seed: int = 7) -> dict[str, Any]:
    """``model_params`` for Mesa's ``SolaraViz``: a slider for each lever (or each of ``params``) over its
    plausible range, starting at its default, plus the scenario, scale and seed as fixed values.

    Keys are full dotted names, which ``TalentModel`` takes as keyword overrides; pass the model as
    ``TalentModel.for_scenario(scenario)(scenario=scenario, scale=scale, seed=seed)`` so that SolaraViz
    rebuilds it for the same scenario.
    """
    sliders: dict[str, Any] = {"scenario": scenario, "scale": scale, "seed": seed}
    for p in levers() if params is None else params:
        integer = p.kind == "integer"
        step = max(1, round((p.high - p.low) / 100)) if integer else (p.high - p.low) / 100
        sliders[p.name] = {"type": "SliderInt" if integer else "SliderFloat", "value": p.default, "min": p.low, "max": p.high,
                           "step": step, "label": f"{p.short} ({p.unit})"}
    return sliders

