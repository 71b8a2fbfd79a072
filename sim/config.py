"""Scenario configuration: typed, validated, every number with its unit and its source.

A scenario is a YAML file of overrides on the defaults below. ``extends:`` names a base
file (relative to the scenario) whose values the scenario overrides; chains are allowed.
Levers (what a planner chooses) are kept apart from uncertainties (what nobody controls).
Every field carries ``unit`` and ``source`` in its metadata; a source of ``assumption``
always comes with a plausible ``range`` for sensitivity analysis.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from sim.errors import ConfigError
from sim.region import Region, load_region


def param(default: Any, *, unit: str, source: str, range: tuple[float, float] | None = None, doc: str = "",
          ge: float | None | str = "auto") -> Any:
    """A configuration field whose metadata says its unit, its source and, for assumptions, its range.

    Numbers are non-negative unless their plausible range reaches below zero or ``ge=None`` says so.
    """
    if source == "assumption" and range is None:
        raise TypeError("an assumed parameter needs a plausible range")
    extra = {"unit": unit, "source": source}
    if range is not None:
        extra["range"] = list(range)
    if ge == "auto":
        numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
        ge = 0 if numeric and (range is None or range[0] >= 0) else None
    return Field(default, description=doc, json_schema_extra=extra, ge=ge)


def check_month(value: Any) -> str:
    parts = str(value).split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or not 1 <= int(parts[1]) <= 12:
        raise ValueError("must be a month written YYYY-MM, e.g. 2022-01")
    return f"{int(parts[0]):04d}-{int(parts[1]):02d}"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class Bilingual(Strict):
    en: str = ""
    zh: str = ""


class RunSettings(Strict):
    start: str = param("2022-01", unit="YYYY-MM", source="issue: monthly from 2022-01", doc="first simulated month")
    end: str = param("2035-12", unit="YYYY-MM", source="issue: to 2035-12", doc="last simulated month")
    scale: int = param(10, unit="persons per skilled-tier agent", source="user choice", doc="high-end tiers are always one agent per person")
    seed: int = param(7, unit="integer", source="user choice")

    @field_validator("start", "end")
    @classmethod
    def _month(cls, v: str) -> str:
        return check_month(v)

    @field_validator("scale")
    @classmethod
    def _scale(cls, v: int) -> int:
        if not 1 <= v <= 10_000:
            raise ValueError("must be between 1 (one agent per person) and 10000")
        return v

    @model_validator(mode="after")
    def _order(self) -> "RunSettings":
        if self.end < self.start:
            raise ValueError(f"end {self.end} comes before start {self.start}")
        return self


# ---------------------------------------------------------------- levers
class HousingLever(Strict):
    apartments_per_year: float = param(6000, unit="apartments/year", source="assumption: 36,000 built by 2022 (jiaxing_facts policy_levers.housing) at about this pace", range=(0, 30000), doc="talent-apartment completions from 2022")
    rent_discount: float = param(0.5, unit="share of market rent", source="assumption", range=(0.2, 0.9), doc="discount an apartment tenant gets on the district's market rent")
    skilled_eligibility_years: float = param(5, unit="years since arrival", source="assumption", range=(2, 10), doc="skilled-tier talent may queue for an apartment during its first years in the city; high-end tiers always may")
    cost_per_apartment_yuan: float = param(194300, unit="yuan/apartment", source="context_facts talent_apartment_example: 130 m yuan for 669 units (Jiashan, 2021)")
    purchase_subsidy_yuan: float = param(100000, unit="yuan/purchase", source="assumption", range=(0, 500000), doc="home-purchase subsidy for high-end talent")
    budget_yuan_per_year: float = param(3.0e9, unit="yuan/year", source="assumption", range=(1e9, 6e9))

    @field_validator("rent_discount")
    @classmethod
    def _share(cls, v: float) -> float:
        if not 0 <= v <= 1:
            raise ValueError("must be a share between 0 and 1")
        return v


class FundingLever(Strict):
    loans_per_year_yuan: float = param(2.0e9, unit="yuan/year", source="assumption: ~16 bn yuan lent to date (jiaxing_facts policy_levers.funding) over about eight years", range=(0.5e9, 5e9), doc="loans to leading-talent projects and high-level talent")
    loan_term_years: float = param(5, unit="years", source="assumption", range=(3, 10))
    interest_subsidy_rate: float = param(0.015, unit="per year on outstanding loans", source="assumption", range=(0, 0.04))
    industry_funds_yuan: dict[str, float] = Field(
        default_factory=dict,
        description="industry, guidance and incubation funds per cluster, disbursed evenly over fund_years",
        json_schema_extra={"unit": "yuan", "source": "scenario (baseline: jiaxing_facts policy_levers.funding)"},
    )
    @field_validator("industry_funds_yuan")
    @classmethod
    def _non_negative_funds(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k, x in v.items() if not x >= 0]
        if bad:
            raise ValueError(f"fund sizes must be non-negative yuan; check {', '.join(bad)}")
        return v

    fund_years: float = param(5, unit="years", source="assumption", range=(3, 10))
    budget_yuan_per_year: float = param(3.0e9, unit="yuan/year", source="assumption", range=(1e9, 8e9))


class ProjectLever(Strict):
    projects_per_year: float = param(170, unit="projects/year", source="jiaxing_facts projects (1708 to 2022) less context_facts leading_talent_programme (1196 in 2010-2019), over 2020-2022")
    grant_per_project_yuan: float = param(3.0e6, unit="yuan/project", source="context_facts grant_per_project_yuan: A 5 m, B 3 m, C 2 m (mid grade)")
    selection_month: int = param(9, unit="month of year", source="assumption", range=(1, 12))
    national_lead_share: float = param(0.3, unit="share of project leads in the national tier (rest provincial)", source="assumption", range=(0.1, 0.5))
    budget_yuan_per_year: float = param(1.0e9, unit="yuan/year", source="assumption", range=(3e8, 3e9))


class ChallengeLever(Strict):
    demands_per_year: float = param(358, unit="technology demands/year", source="jiaxing_facts projects: 358 published in 2022")
    reward_per_demand_yuan: float = param(5.0e5, unit="yuan per matched demand", source="assumption", range=(1e5, 2e6))
    external_team_share: float = param(0.3, unit="share of matched demands taken by a team that relocates one talent", source="assumption", range=(0.1, 0.6))
    budget_yuan_per_year: float = param(5.0e8, unit="yuan/year", source="assumption", range=(1e8, 2e9))


class NewPlatform(Strict):
    id: str
    cluster: str
    opens: str = param("2024-01", unit="YYYY-MM", source="scenario")
    capacity: float = param(60, unit="high-end talent persons", source="assumption", range=(20, 200))
    cost_per_year_yuan: float = param(5.0e7, unit="yuan/year", source="assumption", range=(2e7, 2e8))

    @field_validator("opens")
    @classmethod
    def _month(cls, v: str) -> str:
        return check_month(v)


class PlatformLever(Strict):
    new_platforms: list[NewPlatform] = Field(default_factory=list, description="research platforms opened during the run")
    capacity_growth_per_year: float = param(0.05, unit="share of capacity per year", source="assumption", range=(0, 0.15), doc="existing platforms' capacity for high-end talent grows by this share")
    running_cost_per_talent_yuan: float = param(4.0e5, unit="yuan per hosted talent per year", source="assumption", range=(2e5, 1e6))
    budget_yuan_per_year: float = param(5.0e8, unit="yuan/year", source="assumption", range=(2e8, 2e9))


class ServiceLever(Strict):
    school_places_per_year: float = param(2000, unit="school places/year", source="assumption", range=(0, 10000), doc="quality school places for talent families (e.g. Tsinghua-affiliated high school resources)")
    cost_per_school_place_yuan: float = param(30000, unit="yuan per place per year", source="assumption", range=(15000, 60000))
    hospital_beds_per_year: float = param(500, unit="tertiary hospital beds/year", source="assumption", range=(0, 3000))
    cost_per_hospital_bed_yuan: float = param(1.5e6, unit="yuan per bed (capital)", source="assumption", range=(8e5, 3e6))
    culture_events_per_year: float = param(400, unit="events/year", source="assumption: red-culture, heritage and countryside activities (jiaxing_facts services)", range=(0, 1000))
    cost_per_culture_event_yuan: float = param(2.0e5, unit="yuan/event", source="assumption", range=(5e4, 5e5))
    graduate_card_yuan: float = param(1000, unit="yuan per newly arrived graduate per year, first 3 years", source="assumption: 'Jia YOU' card (jiaxing_facts services)", range=(0, 5000))
    budget_yuan_per_year: float = param(1.0e9, unit="yuan/year", source="assumption", range=(3e8, 3e9))


class TailoredSupportLever(Strict):
    packages_per_year: float = param(12, unit="top or national talents/year", source="assumption", range=(0, 60), doc="bespoke recruitment packages (team, equipment, site, funding, daily life)")
    onboarding_months: float = param(6, unit="months from first contact to start of work", source="assumption: 15 days in the exceptional case (jiaxing_facts tailored_support)", range=(0.5, 12))
    dropout_per_month: float = param(0.08, unit="share of candidates in onboarding who go elsewhere, per month", source="assumption", range=(0.02, 0.2))
    cost_per_package_yuan: float = param(5.0e6, unit="yuan/package", source="assumption", range=(1e6, 2e7))
    budget_yuan_per_year: float = param(2.0e8, unit="yuan/year", source="assumption", range=(5e7, 1e9))


class GraduateLever(Strict):
    settling_allowance_yuan: float = param(20000, unit="yuan per newly employed graduate (one-off)", source="assumption", range=(0, 100000))
    budget_yuan_per_year: float = param(3.0e9, unit="yuan/year", source="assumption", range=(1e9, 6e9))


class LeverChange(Strict):
    """From ``start`` on, the named lever settings take new values (a step in the lever's time path)."""

    start: str = param("2025-01", unit="YYYY-MM", source="scenario")
    changes: dict[str, Any] = Field(description="lever settings by name (apartments_per_year) or path (housing.apartments_per_year)")

    @field_validator("start")
    @classmethod
    def _month(cls, v: str) -> str:
        return check_month(v)


class Levers(Strict):
    housing: HousingLever = Field(default_factory=HousingLever)
    funding: FundingLever = Field(default_factory=FundingLever)
    projects: ProjectLever = Field(default_factory=ProjectLever)
    challenges: ChallengeLever = Field(default_factory=ChallengeLever)
    platforms: PlatformLever = Field(default_factory=PlatformLever)
    services: ServiceLever = Field(default_factory=ServiceLever)
    tailored_support: TailoredSupportLever = Field(default_factory=TailoredSupportLever)
    graduates: GraduateLever = Field(default_factory=GraduateLever)
    schedule: list[LeverChange] = Field(default_factory=list, description="time paths: lever settings that change from a given month, applied in order")

    @model_validator(mode="after")
    def _schedule_resolves(self) -> "Levers":
        self.time_path()  # every change must name a lever setting and give it a valid value
        return self

    def time_path(self) -> list[tuple[str, "Levers"]]:
        """The lever settings in force from each scheduled month on, in order of their start."""
        paths = {".".join(p): p for p in _leaf_paths(Levers) if p[0] != "schedule"}
        short: dict[str, list[tuple[str, ...]]] = {}
        for p in paths.values():
            short.setdefault(p[-1], []).append(p)
        current = self.model_dump(mode="json", exclude={"schedule"})
        out = []
        for i, change in enumerate(sorted(self.schedule, key=lambda c: c.start)):
            for key, value in change.changes.items():
                path = paths.get(key) or (short[key][0] if len(short.get(key, [])) == 1 else None)
                if path is None and len(short.get(key, [])) > 1:
                    options = ", ".join(".".join(p) for p in short[key])
                    raise ValueError(f"schedule {change.start}: {key!r} is ambiguous; write one of {options}")
                if path is None:
                    raise ValueError(f"schedule {change.start}: {key!r} is not a lever setting; write a name such as "
                                     f"apartments_per_year or a path such as housing.apartments_per_year")
                if path[:2] == ("platforms", "new_platforms"):
                    raise ValueError(f"schedule {change.start}: new platforms carry their own opening month; list them in platforms.new_platforms")
                node = current
                for part in path[:-1]:
                    node = node[part]
                node[path[-1]] = value
            try:
                out.append((change.start, Levers.model_validate(current)))
            except ValidationError as exc:
                detail = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
                raise ValueError(f"schedule {change.start}: {detail}") from None
        return out


# ---------------------------------------------------------------- uncertainties
class Behaviour(Strict):
    """Behavioural parameters: uncertain, so they live among the uncertainties."""

    wage_weight: float = param(2.0, unit="utility per log yuan", source="assumption: logit location choice on log wage (Diamond 2016)", range=(1.0, 4.0))
    rent_weight: float = param(0.8, unit="utility per log yuan of rent", source="assumption: Diamond 2016; high-skill more housing-sensitive (Huang, Xing & Cui 2022)", range=(0.3, 1.5))
    service_weight: float = param(0.6, unit="utility per log of service level ratio", source="assumption", range=(0.2, 1.2))
    school_weight: float = param(0.8, unit="utility per log of school-place ratio, families with children", source="assumption", range=(0.2, 1.5))
    thick_market_weight: float = param(0.3, unit="utility per log of cluster talent relative to end-2021", source="assumption", range=(0.1, 0.6))
    field_affinity: float = param(1.2, unit="utility when a person's field matches the cluster", source="assumption", range=(0.5, 2.0))
    allowance_weight: float = param(1.0, unit="utility per year of wages paid as allowance", source="assumption", range=(0.3, 2.0))
    consider_move_per_month: float = param(0.025, unit="share of employed talent weighing a move, per month", source="assumption", range=(0.01, 0.05))
    attachment_tenure: float = param(0.6, unit="utility per log(1 + years in city)", source="assumption", range=(0.2, 1.0))
    attachment_children: float = param(0.5, unit="utility for a household with children", source="assumption", range=(0.2, 1.0))
    attachment_owner: float = param(0.8, unit="utility for owning a home", source="assumption", range=(0.4, 1.5))
    attachment_apartment: float = param(0.4, unit="utility for living in a talent apartment", source="assumption", range=(0.1, 0.8))
    culture_attachment: float = param(0.3, unit="utility per log of culture-event ratio", source="assumption", range=(0.0, 0.6))
    purchase_rate_per_year: float = param(0.04, unit="share of renting talent with 2+ years tenure buying a home, per year", source="assumption", range=(0.02, 0.08))
    purchase_subsidy_elasticity: float = param(2.0, unit="purchase-rate increase per subsidy/price ratio", source="assumption", range=(0.5, 4.0))
    child_rate_per_year: float = param(0.06, unit="births per childless talent aged 25-40, per year", source="assumption", range=(0.03, 0.1))
    retirement_age: float = param(60, unit="years", source="assumption: statutory retirement age in China (60 for men, 50-55 for women)", range=(55, 63))
    agglomeration_elasticity: float = param(0.05, unit="elasticity of productivity to cluster talent", source="context_facts literature_ranges agglomeration_elasticity_of_productivity (typical 0.02-0.08, China up to 0.15)", range=(0.02, 0.15))
    link_weight: float = param(0.3, unit="weight of linked clusters' talent in the spillover", source="assumption", range=(0.0, 0.6))
    matching_efficiency: float = param(0.6, unit="monthly matches per U^a V^(1-a)", source="assumption", range=(0.3, 1.0))
    matching_elasticity: float = param(0.5, unit="elasticity of matches to seekers (alpha)", source="context_facts literature_ranges matching_function (0.3-0.7)", range=(0.3, 0.7))
    job_response: float = param(1.0, unit="elasticity of desired jobs to productivity", source="assumption", range=(0.5, 1.5))
    funding_effect: float = param(0.4, unit="desired-jobs increase per funding/annual-output ratio", source="assumption", range=(0.1, 0.8))
    productivity_shock_sd: float = param(0.03, unit="log points per month", source="assumption", range=(0.01, 0.06))
    productivity_reversion: float = param(0.02, unit="per month", source="assumption", range=(0.005, 0.05))
    challenge_productivity_gain: float = param(0.03, unit="log productivity per matched demand", source="assumption", range=(0.01, 0.08))
    challenge_talent_elasticity: float = param(0.5, unit="elasticity of the matching hazard to the cluster's high-end talent", source="assumption", range=(0.2, 1.0))
    challenge_reward_elasticity: float = param(0.3, unit="elasticity of the matching hazard to the reward", source="assumption", range=(0.1, 0.6))
    challenge_platform_boost: float = param(0.3, unit="hazard increase per research platform linked to the cluster", source="assumption", range=(0.0, 0.6))
    challenge_base_hazard: float = param(0.06, unit="monthly matching hazard of a posted demand at end-2021 conditions", source="calibrated to P3 (scenarios/calibration)")
    entry_rate_per_year: float = param(0.06, unit="new firms per existing firm, per year", source="assumption", range=(0.03, 0.12))
    entry_talent_elasticity: float = param(1.0, unit="elasticity of entry to cluster talent growth", source="assumption", range=(0.3, 2.0))
    exit_productivity_threshold: float = param(-0.25, unit="log productivity relative to cluster mean", source="assumption", range=(-0.5, -0.1))
    exit_rate_per_year: float = param(0.8, unit="exit hazard of a firm below the threshold, per year", source="assumption", range=(0.3, 1.5))
    young_firm_exit_per_year: float = param(0.05, unit="exit hazard of firms younger than 3 years, per year", source="assumption", range=(0.02, 0.12))
    little_giant_rate_per_year: float = param(0.08, unit="promotions per eligible firm, per year", source="assumption", range=(0.03, 0.2))
    rent_demand_elasticity: float = param(0.5, unit="elasticity of market rent to renting talent", source="assumption", range=(0.2, 1.0))
    platform_fill_per_month: float = param(0.05, unit="share of a platform's spare capacity filled per month", source="assumption", range=(0.02, 0.15))
    project_team_size: float = param(3, unit="skilled talent hired with each new project", source="assumption", range=(1, 8))
    project_jobs_end_2021: float = param(15.0, unit="mean jobs per leading-talent project at end-2021", source="calibrated to P4 (scenarios/calibration)")
    project_output_per_job_yuan: float = param(3.5e6, unit="yuan per job per year in project firms", source="calibrated to P4 (scenarios/calibration)")
    graduate_candidates_per_year: float = param(160000, unit="graduates per year weighing a job in the city", source="calibrated to P2 (scenarios/calibration)")
    migrant_candidates_per_year: float = param(90000, unit="experienced professionals per year weighing a job in the city", source="assumption: about half the urban new jobs (context_facts urban_new_jobs_2021: 188,800)", range=(40000, 150000))
    returnee_ties_months: float = param(60, unit="months of tenure a returnee's ties to the city count as", source="assumption", range=(24, 120), doc="returnees (grew up or studied here) are as attached as talent with this much tenure; their apartment eligibility counts from arrival")
    returnee_candidates_per_year: float = param(15000, unit="persons per year", source="assumption", range=(5000, 30000))
    high_end_candidates_per_year: float = param(1500, unit="municipal/provincial-tier candidates per year outside platforms and projects", source="assumption", range=(500, 4000))
    moving_cost: float = param(0.5, unit="utility of leaving the city for a resident", source="assumption", range=(0.0, 2.0))
    internal_move_cost: float = param(1.5, unit="utility of changing cluster within the city", source="assumption", range=(0.5, 3.0))
    wage_passthrough: float = param(0.5, unit="elasticity of cluster wages to cluster productivity", source="assumption", range=(0.2, 1.0))
    initial_vacancy_rate: float = param(0.08, unit="open talent positions / filled positions at end-2021", source="assumption: firms in the clusters report unfilled talent positions (a supply-constrained market)", range=(0.03, 0.12))
    job_adjustment_per_month: float = param(0.2, unit="share of the gap to desired jobs closed per month", source="assumption", range=(0.03, 0.3))
    entrant_jobs: float = param(60, unit="jobs a new firm grows to (mean), persons", source="assumption", range=(20, 150))
    min_housing_cost_share: float = param(0.05, unit="share of market rent a tenant still bears (utilities, upkeep), even rent-free", source="assumption", range=(0.02, 0.2))
    price_to_annual_rent: float = param(40, unit="house price / annual rent", source="assumption", range=(25, 60))
    reference_reward_yuan: float = param(5.0e5, unit="yuan; the reward at which the hazard is challenge_base_hazard", source="assumption", range=(1e5, 2e6))
    demand_lifetime_months: float = param(12, unit="months a posted demand stays open", source="assumption", range=(6, 24))
    ccd_reference_multiple: float = param(3.0, unit="multiple of the largest cluster's end-2021 level that scores 1", source="assumption (fixed reference so that scores compare across scenarios; Wang et al. 2021)", range=(2.0, 5.0))
    graduate_month_shares: list[float] = Field(
        default_factory=lambda: [0.02, 0.02, 0.03, 0.04, 0.05, 0.16, 0.30, 0.16, 0.08, 0.05, 0.05, 0.04],
        description="share of the year's graduates arriving in each month, January first",
        json_schema_extra={"unit": "share", "source": "assumption: graduation in June-July", "range": [0.0, 1.0]},
    )
    tax_share_of_output: float = param(0.0292, unit="tax / output", source="jiaxing_facts projects: 3.17 bn yuan tax on 108.6 bn yuan output")
    candidate_search_months: float = param(3, unit="months a newcomer who chose the city searches before going elsewhere", source="assumption", range=(1, 6))
    search_months: float = param(4, unit="months a displaced talent searches before leaving", source="assumption", range=(2, 8))

    @field_validator("graduate_month_shares")
    @classmethod
    def _twelve_shares(cls, v: list[float]) -> list[float]:
        if len(v) != 12 or any(x < 0 for x in v) or sum(v) <= 0:
            raise ValueError("must be 12 non-negative shares, January first, with a positive sum")
        return v


class CompetitorPath(Strict):
    trend_per_year: float = param(0.0, unit="utility per year", source="assumption", range=(-0.05, 0.1))
    shock: float = param(0.0, unit="utility, a step change", source="scenario", ge=None)
    shock_start: str = param("2025-01", unit="YYYY-MM", source="scenario")

    @field_validator("shock_start")
    @classmethod
    def _month(cls, v: str) -> str:
        return check_month(v)


class Demography(Strict):
    """Shapes of the residents' vital rates and migration (ODD §7.10); their levels come from the region's census and rates."""

    net_migration_per_year: float = param(0.0, unit="persons/year, non-talent residents (talent flows are the agents' own)", source="assumption: no net migration of non-talent residents; a calibration will fit it", range=(-100000, 100000))
    migration_peak_age: float = param(24, unit="years", source="assumption: labour-migration peak of a Rogers-Castro model schedule (Rogers & Castro 1981: about 20-25)", range=(20, 28))
    migration_rise: float = param(0.4, unit="per year of age, rise to the peak (lambda_2)", source="assumption: Rogers & Castro 1981 typical values", range=(0.2, 0.6))
    migration_fall: float = param(0.1, unit="per year of age, fall after the peak and in childhood (alpha)", source="assumption: Rogers & Castro 1981 typical values", range=(0.06, 0.16))
    migration_child_ratio: float = param(0.3, unit="childhood component relative to the labour component (a_1/a_2)", source="assumption: children move with their parents (Rogers & Castro 1981 typical values)", range=(0.0, 0.6))
    migrant_male_share: float = param(0.55, unit="share of non-talent net migrants who are men", source="assumption: the male surplus is among in-migrants (census note)", range=(0.5, 0.62))
    mortality_slope: float = param(0.09, unit="per year of age (Gompertz b)", source="assumption: typical adult Gompertz slope of human mortality", range=(0.075, 0.11))
    background_mortality: float = param(0.0003, unit="per year, age-independent (Makeham)", source="assumption", range=(0.0001, 0.001))
    infant_mortality: float = param(0.002, unit="deaths per infant per year (age 0)", source="assumption: infant mortality of about 2 per mille in Zhejiang", range=(0.001, 0.005))
    male_mortality_ratio: float = param(1.4, unit="men's mortality relative to women's at the same age", source="assumption", range=(1.2, 1.8))
    fertility_mean_age: float = param(29.5, unit="years, mean age of mothers", source="assumption", range=(27, 32))
    fertility_sd_age: float = param(5.0, unit="years, spread of mothers' ages (15-49)", source="assumption", range=(4, 7))
    sex_ratio_at_birth: float = param(1.113, unit="boys per girl", source="assumption: national 7th census figure 111.3, taken for the city", range=(1.05, 1.15))
    old_age_male_share: float = param(0.47, unit="share of men among residents 65+ at the census", source="assumption: women outlive men", range=(0.44, 0.5))
    age_smoothing_years: float = param(5, unit="years, width of the moving average that smooths the census's broad age bands", source="assumption", range=(1, 9))
    talent_male_share: float = param(0.58, unit="share of men among talent (talent agents carry no sex yet)", source="assumption", range=(0.5, 0.7))
    local_graduate_share: float = param(0.2, unit="share of graduate-channel talent who were already residents (local students)", source="assumption: graduates of the city's own colleges", range=(0.05, 0.4))


class Uncertainties(Strict):
    competitors: dict[str, CompetitorPath] = Field(default_factory=dict, description="attractiveness paths of competing cities; unnamed cities keep a flat path")
    graduate_supply: float = param(1.0, unit="multiplier on graduate candidates", source="assumption", range=(0.7, 1.2))
    graduate_supply_trend: float = param(0.0, unit="per year", source="assumption", range=(-0.03, 0.03))
    industry_demand_growth: float = param(0.08, unit="per year in 2022, real growth of firms' desired jobs", source="assumption: GDP growth 8.5% in 2021 (context_facts gdp_100m_yuan); desired jobs close to output growth", range=(0.04, 0.10))
    industry_demand_growth_2035: float = param(0.025, unit="per year in 2035; the rate moves linearly between the two", source="assumption: slowing growth", range=(0.0, 0.05))
    wage_growth: float = param(0.04, unit="per year, all cities", source="assumption", range=(0.02, 0.07))
    rent_trend: float = param(0.02, unit="per year, market rent in the city", source="assumption", range=(-0.03, 0.05))
    behaviour: Behaviour = Field(default_factory=Behaviour)
    demography: Demography = Field(default_factory=Demography)


class Scenario(Strict):
    name: str = "baseline"
    title: Bilingual = Field(default_factory=Bilingual)
    description: Bilingual = Field(default_factory=Bilingual)
    region: str = param("jiaxing", unit="region name or path", source="scenario")
    run: RunSettings = Field(default_factory=RunSettings)
    levers: Levers = Field(default_factory=Levers)
    uncertainties: Uncertainties = Field(default_factory=Uncertainties)
    interactions: bool = Field(True, description="False switches off every feedback (spillovers, firm dynamics, rents, crowding) for the analytic limit case")
    fixed_rates: bool = Field(False, description="True replaces choice-driven exits with the constant hazard exit_rate_fixed, for the analytic limit case")
    exit_rate_fixed: float = param(0.004, unit="per month", source="analytic test setting", doc="used only with fixed_rates")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v or any(c in v for c in "/\\ ") :
            raise ValueError("must be a short name without spaces or slashes")
        return v

    _source_dir: Path | None = PrivateAttr(default=None)
    _found: ScenarioSource | None = PrivateAttr(default=None)

    def load_region(self) -> Region:
        """The scenario's region: a packaged name, or a path relative to the scenario file."""
        return load_region(self.region, relative_to=self._source_dir)

    @property
    def found(self) -> ScenarioSource | None:
        """The file the scenario was read from and where it was found; None for one built in memory."""
        return self._found

    def config_hash(self) -> str:
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


# ---------------------------------------------------------------- loading
def _deep_merge(base: dict, over: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _read_yaml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source=str(path), problems=["file not found"]) from None
    except (IsADirectoryError, UnicodeDecodeError) as exc:
        raise ConfigError(source=str(path), problems=[f"cannot read as UTF-8 text: {exc}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(source=str(path), problems=[f"not valid YAML: {exc}"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(source=str(path), problems=["the top level must be a mapping of field names to values"])
    return data


def _resolve_chain(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    path = path.resolve()
    if path in seen:
        raise ConfigError(source=str(path), problems=["extends: the chain of base files loops back to this file"])
    data = _read_yaml(path)
    base_name = data.pop("extends", None)
    if base_name is None:
        return data
    if not isinstance(base_name, str):
        raise ConfigError(source=str(path), problems=["extends: must be the path of a base scenario file"])
    return _deep_merge(_resolve_chain(_base_file(base_name, scenario=path), seen + (path,)), data)


def _base_file(base_name: str, *, scenario: Path) -> Path:
    """The file an ``extends:`` names: next to the scenario, else in the packaged library, so that a
    scenario of one's own can build on the packaged baseline without copying it and its calibration."""
    places = (scenario.parent, packaged_library())
    for place in places:
        if (place / base_name).is_file():
            return place / base_name
    raise ConfigError(source=str(scenario), problems=[
        f"extends: base file {base_name!r} not found next to this scenario ({places[0]}) "
        f"nor in the packaged library ({places[1]})"])


def _leaf_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    paths: dict[tuple[str, ...], Any] = {}
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            paths.update(_leaf_paths(ann, prefix + (name,)))
        else:
            paths[prefix + (name,)] = field
    return paths


def flat_parameter_names() -> dict[str, tuple[str, ...]]:
    """Short names (``apartments_per_year``) mapped to their full path, for names that are unique."""
    counts: dict[str, list[tuple[str, ...]]] = {}
    for path in _leaf_paths(Scenario):
        counts.setdefault(path[-1], []).append(path)
    return {name: paths[0] for name, paths in counts.items() if len(paths) == 1}


def apply_overrides(data: dict, overrides: dict[str, Any], *, source: str) -> dict:
    """Apply flat (``apartments_per_year``) or dotted (``levers.housing.apartments_per_year``) overrides."""
    flat = flat_parameter_names()
    all_paths = {".".join(p): p for p in _leaf_paths(Scenario)}
    data = copy.deepcopy(data)
    problems = []
    for key, value in overrides.items():
        path = all_paths.get(key) or flat.get(key)
        if path is None:
            if any(p[-1] == key for p in all_paths.values()):
                options = sorted(k for k, p in all_paths.items() if p[-1] == key)
                problems.append(f"{key}: ambiguous; write one of {', '.join(options)}")
            else:
                problems.append(f"{key}: unknown parameter; see `talentsim params` for the valid names")
            continue
        node = data
        for part in path[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}  # an empty section (``levers:`` with nothing under it) reads as None
            node = node[part]
        node[path[-1]] = value
    if problems:
        raise ConfigError(source=source, problems=problems)
    return data


def _format_validation(exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            parent = _model_at(err["loc"][:-1])
            valid = ", ".join(sorted(parent.model_fields)) if parent is not None else "see `talentsim params`"
            problems.append(f"{loc}: unknown field; valid fields here: {valid}")
        else:
            shown = err.get("input")
            got = "" if isinstance(shown, (dict, list)) else f" (got {shown!r})"
            problems.append(f"{loc}: {err['msg'].removeprefix('Value error, ')}{got}")
    return problems


def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return None
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        elif args and isinstance(args[-1], type) and issubclass(args[-1], BaseModel):
            model = args[-1]
        else:
            return None
    return model


def build_scenario(data: dict, *, source: str) -> Scenario:
    """Validate a merged scenario mapping; errors name the source file and the field."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source=source, problems=_format_validation(exc)) from None


# where a scenario file was found, in the order names are looked up
FOUND_AS_GIVEN, FOUND_IN_FOLDER, FOUND_IN_LIBRARY = "path given", "./scenarios", "packaged library"


class ScenarioSource(BaseModel):
    """The scenario file a name or path resolved to, and which place it was found in."""

    model_config = ConfigDict(frozen=True)
    file: Path
    found_in: str  # FOUND_AS_GIVEN, FOUND_IN_FOLDER or FOUND_IN_LIBRARY

    def describe(self) -> str:
        return f"{self.file} ({self.found_in})"

    def record(self) -> dict[str, str]:
        """For a run's manifest: the absolute path, since a relative one means nothing once the folder is left."""
        return {"found_in": self.found_in, "file": str(self.file.resolve())}


def packaged_library() -> Path:
    """The scenario library that ships with the package: ``sim/scenarios`` in an installed wheel, the
    repository's ``scenarios/`` when ``sim`` runs from a checkout or an editable install."""
    package = Path(__file__).resolve().parent
    installed = package / "scenarios"
    return installed if installed.is_dir() else package.parent / "scenarios"


def locate_scenario(name_or_path: str | Path, *, folder: Path = Path("scenarios")) -> ScenarioSource:
    """A file at the path given; else ``<name>.yaml`` in ``folder`` (``./scenarios``); else in the packaged library.

    Something written as a path (with a folder or a .yaml suffix) is not looked up elsewhere: a
    mistyped path should not quietly run a packaged scenario of the same name.
    """
    given = Path(name_or_path)
    if given.is_file():
        return ScenarioSource(file=given, found_in=FOUND_AS_GIVEN)
    library = packaged_library()
    if given.suffix in (".yaml", ".yml") or len(given.parts) != 1:
        packaged = (library / f"{given.stem}.yaml").is_file()
        hint = f"; the packaged library has a scenario {given.stem!r}: give its name to use it" if packaged else ""
        raise ConfigError(source=str(name_or_path), problems=[f"file not found{hint}"])
    for place, found_in in ((folder, FOUND_IN_FOLDER), (library, FOUND_IN_LIBRARY)):
        if (place / f"{given}.yaml").is_file():
            return ScenarioSource(file=place / f"{given}.yaml", found_in=found_in)
    problems = [f"no scenario of that name: looked for {given}.yaml in {folder.resolve()} and in the packaged library ({library})"]
    if _scenario_names(folder):
        problems.append(f"names in {folder.resolve()}: {', '.join(_scenario_names(folder))}")
    problems.append(f"names in the packaged library: {', '.join(_scenario_names(library)) or '(none)'}")
    raise ConfigError(source=str(name_or_path), problems=problems)


def _scenario_names(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml"))


def resolve_scenario_path(name_or_path: str | Path) -> Path:
    """The scenario file a name or path resolves to (see :func:`locate_scenario`)."""
    return locate_scenario(name_or_path).file


def load_scenario(name_or_path: str | Path, *, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read a scenario file (following ``extends:``), apply overrides, validate against the region."""
    found = locate_scenario(name_or_path)
    path = found.file
    data = _resolve_chain(path)
    if overrides:
        data = apply_overrides(data, overrides, source=str(path))
    scenario = build_scenario(data, source=str(path))
    scenario._source_dir = path.resolve().parent
    scenario._found = found
    try:
        region = scenario.load_region()
    except ConfigError as exc:
        raise ConfigError(source=str(path), problems=[f"region: {p}" if not p.startswith("region") else p for p in exc.problems]
                          + ([f"(in region file {exc.source})"] if exc.source != scenario.region else [])) from None
    check_against_region(scenario, region=region, source=str(path))
    return scenario


def check_against_region(scenario: Scenario, *, region: Any, source: str) -> None:
    """Cluster and city names in a scenario must exist in its region."""
    clusters = set(region.cluster_ids)
    problems = []
    for key in scenario.levers.funding.industry_funds_yuan:
        if key not in clusters:
            problems.append(f"levers.funding.industry_funds_yuan.{key}: unknown cluster; clusters of {region.id}: {', '.join(region.cluster_ids)}")
    for i, platform in enumerate(scenario.levers.platforms.new_platforms):
        if platform.cluster not in clusters:
            problems.append(f"levers.platforms.new_platforms.{i}.cluster: {platform.cluster!r} is not a cluster of {region.id}; clusters: {', '.join(region.cluster_ids)}")
    cities = set(region.competitor_ids)
    for key in scenario.uncertainties.competitors:
        if key not in cities:
            problems.append(f"uncertainties.competitors.{key}: unknown competing city; cities of {region.id}: {', '.join(region.competitor_ids)}")
    if problems:
        raise ConfigError(source=source, problems=problems)


def parameter_table() -> list[dict[str, Any]]:
    """Every scenario parameter with its default, unit, source and range (for docs and `talentsim params`)."""
    rows = []
    for path, field in _leaf_paths(Scenario).items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        default = field.get_default(call_default_factory=True)
        rows.append({
            "name": ".".join(path), "default": default, "unit": extra.get("unit", ""),
            "source": extra.get("source", ""), "range": extra.get("range"), "meaning": field.description or "",
        })
    return rows


Language = Literal["zh", "en"]
