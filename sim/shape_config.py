"""Configuration of the shapes the model draws from: the spread of the initial state (ODD §5), the mix
and ages of newcomers (§7.3, §7.7) and the size, age and productivity rules of firms (§5, §7.8).

These numbers have no published figure for Jiaxing; each is an assumption with a plausible range, as
in :mod:`sim.config`, which gathers these groups under ``uncertainties``. Shares that must add up
to one are lists (sampled as a whole or not at all), so that exploring one share cannot break the sum.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from sim.fields import Strict, param


def _shares(default: list[float], *, unit: str, source: str, doc: str) -> list[float]:
    return Field(default_factory=lambda: list(default), description=doc,
                 json_schema_extra={"unit": unit, "source": source, "range": [0.0, 1.0], "valid": [0.0, 1.0]})


def _check_shares(value: list[float], *, n: int) -> list[float]:
    if len(value) != n or any(not 0 <= x <= 1 for x in value) or abs(sum(value) - 1) > 1e-9:
        raise ValueError(f"must be {n} shares between 0 and 1 that add up to 1")
    return value


class InitialState(Strict):
    """How the end-2021 talent agents are drawn (ODD §5): tenure, children and home ownership."""

    working_start_age: float = param(21, unit="years; no tenure before it, no newcomer younger", source="assumption: end of a three-year vocational degree", range=(19, 23), valid=(14, 40))
    initial_tenure_mean_months: float = param(96, unit="months, mean of the exponential tenure of the end-2021 stock", source="assumption: about eight years in the city on average", range=(48, 144), valid=(1, 600))
    stock_children_from_age: float = param(24, unit="years; no child below it", source="assumption: mean age at first birth in China in the late twenties", range=(22, 27), valid=(14, 50))
    stock_children_ramp_years: float = param(12, unit="years over which the chance of children rises to initial.share_with_children", source="assumption", range=(8, 16), valid=(1, 50))
    stock_children_max_multiple: float = param(1.6, unit="cap on the chance of children, as a multiple of initial.share_with_children", source="assumption: most talent in their forties have a child", range=(1.2, 2.0), valid=(1, 10))
    ownership_ramp_months: float = param(96, unit="months of tenure at which the chance of owning is initial.share_home_owners", source="assumption", range=(48, 144), valid=(1, 600))
    ownership_min_multiple: float = param(0.2, unit="floor on the chance of owning, as a multiple of initial.share_home_owners", source="assumption: a few newcomers buy at once", range=(0.0, 0.5), valid=(0, 1))
    ownership_max_multiple: float = param(1.8, unit="cap on the chance of owning, as a multiple of initial.share_home_owners", source="assumption: most long-settled talent own", range=(1.4, 2.2), valid=(1, 10))


class Newcomers(Strict):
    """Mix and ages of newcomers by channel (ODD §7.3, §7.7), and the field and education every agent is drawn with (§5)."""

    field_fit_share: float = param(0.6, unit="share of agents whose field of study fits their sector", source="assumption", range=(0.4, 0.8), valid=(0, 1))
    skilled_education_shares: list[float] = _shares(
        [0.35, 0.45, 0.17, 0.03], unit="shares: vocational, bachelor, master, doctorate",
        source="assumption: the skilled tier is mostly vocational and bachelor graduates", doc="education of skilled-tier agents")
    high_end_doctorate_share: float = param(0.6, unit="share of high-end agents with a doctorate (the rest a master)", source="assumption", range=(0.4, 0.8), valid=(0, 1))
    high_end_municipal_share: float = param(0.8, unit="share of high-end candidates in the municipal tier (the rest provincial)", source="assumption: the municipal tier is about 5 times the provincial at end-2021 (region tiers)", range=(0.7, 0.9), valid=(0, 1))
    tailored_top_share: float = param(0.3, unit="share of tailored-support recruits in the top tier (the rest national)", source="assumption", range=(0.1, 0.5), valid=(0, 1))
    new_platform_tier_shares: list[float] = _shares(
        [0.05, 0.25, 0.35, 0.35], unit="shares: top, national, provincial, municipal",
        source="assumption: close to the mix of the city's existing platforms", doc="high-end tier mix a new platform recruits")
    graduate_age_mean: float = param(23.5, unit="years", source="assumption: bachelor or master graduates", range=(22.5, 25), valid=(16, 60))
    graduate_age_sd: float = param(1.5, unit="years", source="assumption", range=(1, 3), valid=(0, 20))
    migrant_age_mean: float = param(31, unit="years", source="assumption: experienced professionals", range=(28, 35), valid=(16, 60))
    migrant_age_sd: float = param(5, unit="years", source="assumption", range=(3, 7), valid=(0, 20))
    returnee_age_mean: float = param(29, unit="years", source="assumption", range=(26, 33), valid=(16, 60))
    returnee_age_sd: float = param(4, unit="years", source="assumption", range=(3, 6), valid=(0, 20))
    municipal_age_mean: float = param(36, unit="years, high-end candidates of the municipal tier", source="assumption", range=(32, 40), valid=(16, 70))
    provincial_age_mean: float = param(40, unit="years, high-end candidates of the provincial tier", source="assumption", range=(36, 45), valid=(16, 70))
    high_end_age_sd: float = param(5, unit="years, high-end candidates and direct hires", source="assumption", range=(3, 8), valid=(0, 20))
    tailored_age_mean: float = param(47, unit="years, tailored-support recruits (top and national tiers)", source="assumption", range=(40, 55), valid=(16, 70))
    platform_age_mean: float = param(40, unit="years, platform recruits", source="assumption", range=(34, 46), valid=(16, 70))
    project_lead_age_mean: float = param(42, unit="years, leads of new leading-talent projects", source="assumption", range=(36, 48), valid=(16, 70))
    project_team_age_mean: float = param(30, unit="years, skilled staff hired with a new project", source="assumption", range=(26, 35), valid=(16, 70))
    challenge_age_mean: float = param(38, unit="years, members of external challenge teams", source="assumption", range=(32, 45), valid=(16, 70))
    newcomer_children_from_age: float = param(25, unit="years; a candidate younger has no child", source="assumption", range=(22, 28), valid=(14, 50))
    newcomer_children_ramp_years: float = param(30, unit="years over which a candidate's chance of children rises by 1", source="assumption", range=(20, 40), valid=(1, 100))
    newcomer_children_max_share: float = param(0.5, unit="cap on a candidate's chance of children", source="assumption: movers are less often parents than stayers", range=(0.3, 0.7), valid=(0, 1))

    @field_validator("skilled_education_shares", "new_platform_tier_shares")
    @classmethod
    def _four_shares(cls, v: list[float]) -> list[float]:
        return _check_shares(v, n=4)


class FirmShapes(Strict):
    """Sizes, ages and productivity of firms at the start and at entry (ODD §5, §7.7, §7.8), and the
    bar for promotion to little giant (§7.8)."""

    log_productivity_sd: float = param(0.15, unit="sd of log productivity of initial firms and entrants", source="assumption: within-industry productivity dispersion is wide (Syverson 2011); this is the part not explained by sector", range=(0.05, 0.3), valid=(0, 2))
    initial_firm_size_sd: float = param(1.0, unit="sd of log size of ordinary firms at the start (sizes are then scaled to the sector's talent)", source="assumption: firm sizes are right-skewed, close to lognormal (Cabral & Mata 2003)", range=(0.6, 1.5), valid=(0, 5))
    project_firm_size_sd: float = param(0.5, unit="sd of log size of project firms (mean-one lognormal)", source="assumption", range=(0.3, 0.8), valid=(0, 5))
    entrant_size_sd: float = param(0.6, unit="sd of log size of entrants (mean-one lognormal)", source="assumption", range=(0.3, 1.0), valid=(0, 5))
    entrant_start_share: float = param(0.3, unit="share of its size an entrant starts with", source="assumption: entrants start small and grow (Cabral & Mata 2003)", range=(0.1, 0.6), valid=(0.01, 1))
    initial_firm_age_min_years: float = param(1, unit="years before the start, youngest founding", source="assumption", range=(0.5, 2), valid=(0, 100))
    initial_firm_age_max_years: float = param(20, unit="years before the start, oldest founding (uniform in between)", source="assumption: most of the clusters' firms were founded after 2000", range=(15, 30), valid=(1, 100))
    initial_little_giant_size_power: float = param(1.5, unit="power of jobs in the chance of being an initial little giant", source="assumption: little giants are mostly larger firms", range=(1.0, 2.5), valid=(0, 10))
    little_giant_min_age_months: float = param(36, unit="months a firm must be older than to be promoted", source="assumption: the national list asks for about three years of operation", range=(24, 60), valid=(0, 600))
    little_giant_productivity_margin: float = param(0.1, unit="log productivity above the cluster mean needed for promotion", source="assumption", range=(0.0, 0.3), valid=(-1, 2))
    little_giant_size_quantile: float = param(0.75, unit="quantile of the city's firm sizes a firm must exceed to be promoted", source="assumption: little giants are among the larger firms", range=(0.5, 0.9), valid=(0, 1))

    @model_validator(mode="after")
    def _ages_in_order(self) -> "FirmShapes":
        if round(12 * self.initial_firm_age_max_years) <= round(12 * self.initial_firm_age_min_years):
            raise ValueError("initial_firm_age_max_years must exceed initial_firm_age_min_years by at least a month")
        return self
