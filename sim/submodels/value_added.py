"""§7.12 Value added and GDP (docs/ODD.md): the firms' gross output turned into value added by sector, at
constant prices of the initial year, and the city's GDP.

The clusters' value added is a fixed share of their firms' output (``value_added_ratio``). The rest
of the city's value added stands for everything the cluster firms are not: the firms outside the
clusters, services, agriculture, government. It moves with the output of the rest of the city's firm
agents, whose jobs are the rest of the city's workforce, and its ratio is the one that makes the initial
year's GDP the region's observed figure. A labour-productivity trend (``productivity_trend_per_year``)
raises value added per unit of output in every sector; nothing else in the model follows it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mesa import Model

from sim.errors import ConfigError
from sim.kernels import group_sums

MONTHS_OF_INITIAL_YEAR = np.arange(-11, 1)  # the initial year's months, counted from the initial state (its last)


@dataclass(frozen=True)
class ValueAddedBase:
    """What setup fixes: the value-added ratios and the initial state's output they were set on."""

    ratio: np.ndarray           # value added / gross output by sector at the initial state (rest of the city last)
    initial_output: np.ndarray  # gross output by sector in the initial state's month, yuan
    year_weight: float          # the initial year's months on the productivity trend, relative to its last month
    initial_year: int


def output_by_sector(model: Model) -> np.ndarray:
    """Gross output of the firms in business (research platforms excluded) by sector in a month, yuan."""
    fm = model.firms
    in_business = fm.view("alive") & ~fm.view("is_platform")
    return group_sums(codes=fm.view("sector"), mask=in_business, n_groups=model.S, columns=(fm.output_yuan_per_month(),))[0]


def trend_factor(*, trend: float, months: np.ndarray | int) -> np.ndarray | float:
    """Value added per unit of output ``months`` after the initial state, relative to the initial state."""
    return (1.0 + trend) ** (np.asarray(months, dtype=float) / 12.0)


def setup_value_added(model: Model) -> ValueAddedBase:
    """The value-added ratios, set on the initial state so that the initial year's GDP is the observed one.

    The model reckons the initial year as twelve months at the initial state's output, each at its place on
    the productivity trend (the state at the end of the year is its last month): with the firms' output
    constant, GDP then grows by exactly the trend, in the first year as in every other.
    """
    region, unc = model.region, model.unc
    observed = region.observed_gdp(region.initial_year).value_yuan
    output = output_by_sector(model)
    year_weight = float(trend_factor(trend=unc.productivity_trend_per_year, months=MONTHS_OF_INITIAL_YEAR).sum())
    n = model.n_clusters
    clusters = unc.value_added_ratio * output[:n].sum() * year_weight
    rest_output = output[n] * year_weight
    if not clusters < observed or rest_output <= 0:
        raise ConfigError(source=str(model.config.region), problems=[f"region: the clusters' value added in {region.initial_year}, {clusters / 1e9:,.1f} bn yuan at value_added_ratio "
                         f"{unc.value_added_ratio:g}, leaves nothing of the observed GDP ({observed / 1e9:,.1f} bn yuan) for the rest "
                         f"of the city; lower value_added_ratio or the clusters' output per job"])
    ratio = np.append(np.full(n, unc.value_added_ratio), (observed - clusters) / rest_output)
    return ValueAddedBase(ratio=ratio, initial_output=output, year_weight=year_weight, initial_year=region.initial_year)


def value_added(model: Model, *, output: np.ndarray) -> np.ndarray:
    """Value added by sector of the month just observed (``model.t`` months after the initial state), from its output."""
    base = model.value_added_base
    return base.ratio * output * trend_factor(trend=model.unc.productivity_trend_per_year, months=model.t)


def initial_month_value_added(model: Model) -> float:
    """The city's value added in the initial state's month (the last of the initial year)."""
    base = model.value_added_base
    return float((base.ratio * base.initial_output).sum())


def gdp_of_initial_year(model: Model) -> float:
    """The initial year's GDP as the model reckons it: twelve months on the trend, ending at the initial state."""
    return initial_month_value_added(model) * model.value_added_base.year_weight


def real_growth(gdp: np.ndarray, *, complete: np.ndarray) -> np.ndarray:
    """Year-on-year real growth of a GDP series in constant prices; NaN for the first year and wherever either
    year is incomplete (a year's sum over fewer months is not comparable)."""
    growth = np.full(len(gdp), np.nan)
    both = complete[1:] & complete[:-1]
    growth[1:][both] = gdp[1:][both] / gdp[:-1][both] - 1.0
    return growth
