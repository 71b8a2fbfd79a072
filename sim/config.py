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

from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator, model_validator

from sim.categories import SERVICE_KINDS
from sim.errors import ConfigError
from sim.fields import Strict, check_month, param
from sim.inputs import MAX_SEED, check_slug
from sim.population_config import Demography, QualificationRates, ResidentRates
from sim.shape_config import FirmShapes, InitialState, Newcomers
from sim.region import Region, load_region
from sim.scenario_files import ScenarioSource, locate_scenario, read_scenario_chain


class Bilingual(Strict):
    en: str = ""
    zh: str = ""


class RunSettings(Strict):
    start: str = param("2022-01", unit="YYYY-MM", source="issue: monthly from 2022-01", doc="first simulated month")
    end: str = param("2035-12", unit="YYYY-MM", source="issue: to 2035-12", doc="last simulated month")
    scale: int = param(10, unit="persons per skilled-tier agent", source="user choice", doc="high-end tiers are always one agent per person", valid=(1, 10_000))
    seed: int = param(7, unit="integer", source="user choice", valid=(0, MAX_SEED))
    max_agents_multiple: float = param(10.0, unit="multiple of the talent agents at the start", source="user choice",
                                       doc="a run whose resident talent agents pass this multiple stops with an error (AgentLimitError) "
                                           "instead of exhausting memory; the baseline ends below 1.6 times its start", valid=(0.01, 1000))

    @field_validator("start", "end")
    @classmethod
    def _month(cls, v: str) -> str:
        return check_month(v)

    @model_validator(mode="after")
    def _order(self) -> "RunSettings":
        if self.end < self.start:
            raise ValueError(f"end {self.end} comes before start {self.start}")
        return self


# ---------------------------------------------------------------- levers
class HousingLever(Strict):
    apartments_per_year: float = param(6000, unit="apartments/year", source="assumption: 36,000 built by 2022 (jiaxing_facts policy_levers.housing) at about this pace", range=(0, 30000), doc="talent-apartment completions from 2022", valid=(0, 1e6))
    rent_discount: float = param(0.5, unit="share of market rent", source="assumption", range=(0.2, 0.9), doc="discount an apartment tenant gets on the district's market rent", valid=(0, 1))
    skilled_eligibility_years: float = param(5, unit="years since arrival", source="assumption", range=(2, 10), doc="skilled-tier talent may queue for an apartment during its first years in the city; high-end tiers always may", valid=(0, 50))
    cost_per_apartment_yuan: float = param(194300, unit="yuan/apartment", source="context_facts talent_apartment_example: 130 m yuan for 669 units (Jiashan, 2021)", valid=(1, 1e10))
    purchase_subsidy_yuan: float = param(100000, unit="yuan/purchase", source="assumption", range=(0, 500000), doc="home-purchase subsidy for high-end talent", valid=(0, 1e8))
    budget_yuan_per_year: float = param(3.0e9, unit="yuan/year", source="assumption", range=(1e9, 6e9), valid=(0, 1e12))


class FundingLever(Strict):
    loans_per_year_yuan: float = param(2.0e9, unit="yuan/year", source="assumption: ~16 bn yuan lent to date (jiaxing_facts policy_levers.funding) over about eight years", range=(0.5e9, 5e9), doc="loans to leading-talent projects and high-level talent", valid=(0, 1e12))
    loan_term_years: float = param(5, unit="years", source="assumption", range=(3, 10), valid=(1, 50))
    interest_subsidy_rate: float = param(0.015, unit="per year on outstanding loans", source="assumption", range=(0, 0.04), valid=(0, 1))
    industry_funds_yuan: dict[str, float] = Field(
        default_factory=dict,
        description="industry, guidance and incubation funds per cluster, disbursed evenly over fund_years",
        json_schema_extra={"unit": "yuan", "source": "scenario (baseline: jiaxing_facts policy_levers.funding)", "valid": [0, 1e12]},
    )
    @field_validator("industry_funds_yuan")
    @classmethod
    def _non_negative_funds(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k, x in v.items() if not 0 <= x <= 1e12]
        if bad:
            raise ValueError(f"fund sizes must be between 0 and 1e12 yuan; check {', '.join(bad)}")
        if len(v) > 1000:
            raise ValueError("more funds than the limit of 1000 clusters")
        return v

    fund_years: float = param(5, unit="years", source="assumption", range=(3, 10), valid=(1, 50))
    startup_ticket_yuan: float = param(3.0e6, unit="yuan per start-up backed", source="assumption: of the order of a leading-talent project grant (context_facts grant_per_project_yuan: 2-5 m yuan)", range=(1e6, 1e7), doc="what an industry fund invests in each start-up it backs (§7.8)", valid=(1e4, 1e10))
    budget_yuan_per_year: float = param(3.0e9, unit="yuan/year", source="assumption", range=(1e9, 8e9), valid=(0, 1e12))


class ProjectLever(Strict):
    projects_per_year: float = param(170, unit="projects/year", source="jiaxing_facts projects (1708 to 2022) less context_facts leading_talent_programme (1196 in 2010-2019), over 2020-2022", valid=(0, 1e5))
    grant_per_project_yuan: float = param(3.0e6, unit="yuan/project", source="context_facts grant_per_project_yuan: A 5 m, B 3 m, C 2 m (mid grade)", valid=(1, 1e10))
    selection_month: int = param(9, unit="month of year", source="assumption", range=(1, 12), valid=(1, 12))
    national_lead_share: float = param(0.3, unit="share of project leads in the national tier (rest provincial)", source="assumption", range=(0.1, 0.5), valid=(0, 1))
    budget_yuan_per_year: float = param(1.0e9, unit="yuan/year", source="assumption", range=(3e8, 3e9), valid=(0, 1e12))


class ChallengeLever(Strict):
    demands_per_year: float = param(358, unit="technology demands/year", source="jiaxing_facts projects: 358 published in 2022", valid=(0, 1e5))
    reward_per_demand_yuan: float = param(5.0e5, unit="yuan per matched demand", source="assumption", range=(1e5, 2e6), valid=(1, 1e10))
    external_team_share: float = param(0.3, unit="share of matched demands taken by a team that relocates one talent", source="assumption", range=(0.1, 0.6), valid=(0, 1))
    budget_yuan_per_year: float = param(5.0e8, unit="yuan/year", source="assumption", range=(1e8, 2e9), valid=(0, 1e12))


class NewPlatform(Strict):
    id: str
    cluster: str
    opens: str = param("2024-01", unit="YYYY-MM", source="scenario")
    capacity: float = param(60, unit="high-end talent persons", source="assumption", range=(20, 200), valid=(0, 1e5))
    cost_per_year_yuan: float = param(5.0e7, unit="yuan/year", source="assumption", range=(2e7, 2e8), valid=(0, 1e11))

    @field_validator("opens")
    @classmethod
    def _month(cls, v: str) -> str:
        return check_month(v)


class PlatformLever(Strict):
    new_platforms: list[NewPlatform] = Field(default_factory=list, description="research platforms opened during the run")
    capacity_growth_per_year: float = param(0.05, unit="share of capacity per year", source="assumption", range=(0, 0.15), doc="existing platforms' capacity for high-end talent grows by this share", valid=(0, 1))
    running_cost_per_talent_yuan: float = param(4.0e5, unit="yuan per hosted talent per year", source="assumption", range=(2e5, 1e6), valid=(0, 1e8))
    budget_yuan_per_year: float = param(5.0e8, unit="yuan/year", source="assumption", range=(2e8, 2e9), valid=(0, 1e12))


class ServiceLever(Strict):
    school_places_per_year: float = param(2000, unit=f"{SERVICE_KINDS['school_places']} added per year", source="assumption: of the order of a few new schools a year", range=(0, 10000), doc="quality school places for talent families (e.g. Tsinghua-affiliated high school resources, jiaxing_facts services), added to initial.school_places", valid=(0, 1e6))
    cost_per_school_place_yuan: float = param(30000, unit="yuan per place per year", source="assumption", range=(15000, 60000), valid=(1, 1e10))
    hospital_beds_per_year: float = param(500, unit=f"{SERVICE_KINDS['hospital_beds']} added per year", source="assumption: a year's beds are the 500 of the smallest tertiary general hospital under the national grading standard (the article plans the first tertiary-standard international general hospital: jiaxing_facts services)", range=(0, 3000), doc="added to initial.hospital_beds", valid=(0, 1e5))
    cost_per_hospital_bed_yuan: float = param(1.5e6, unit="yuan per bed (capital)", source="assumption", range=(8e5, 3e6), valid=(1, 1e10))
    culture_events_per_year: float = param(400, unit=SERVICE_KINDS["culture_events"], source="assumption: red-culture, heritage and countryside activities (jiaxing_facts services)", range=(0, 1000), doc="the events held from 2022 on, in place of initial.culture_events", valid=(0, 1e5))
    cost_per_culture_event_yuan: float = param(2.0e5, unit="yuan/event", source="assumption", range=(5e4, 5e5), valid=(1, 1e10))
    graduate_card_yuan: float = param(1000, unit="yuan per newly arrived graduate per year, for graduate_card_years", source="assumption: 'Jia YOU' card (jiaxing_facts services)", range=(0, 5000), valid=(0, 1e6))
    graduate_card_years: float = param(3, unit="years after arrival a graduate holds the card", source="assumption: the card's benefits are for newly arrived graduates (jiaxing_facts services)", range=(1, 5), valid=(0, 20))
    budget_yuan_per_year: float = param(1.0e9, unit="yuan/year", source="assumption", range=(3e8, 3e9), valid=(0, 1e12))


class TailoredSupportLever(Strict):
    packages_per_year: float = param(12, unit="top or national talents/year", source="assumption", range=(0, 60), doc="bespoke recruitment packages (team, equipment, site, funding, daily life)", valid=(0, 1e4))
    onboarding_months: float = param(6, unit="months from first contact to start of work", source="assumption: 15 days in the exceptional case (jiaxing_facts tailored_support)", range=(0.5, 12), valid=(0, 120))
    dropout_per_month: float = param(0.08, unit="share of candidates in onboarding who go elsewhere, per month", source="assumption", range=(0.02, 0.2), valid=(0, 1))
    cost_per_package_yuan: float = param(5.0e6, unit="yuan/package", source="assumption", range=(1e6, 2e7), valid=(1, 1e10))
    budget_yuan_per_year: float = param(2.0e8, unit="yuan/year", source="assumption", range=(5e7, 1e9), valid=(0, 1e12))


class GraduateLever(Strict):
    settling_allowance_yuan: float = param(20000, unit="yuan per newly employed graduate (one-off)", source="assumption", range=(0, 100000), valid=(0, 1e7))
    budget_yuan_per_year: float = param(3.0e9, unit="yuan/year", source="assumption", range=(1e9, 6e9), valid=(0, 1e12))


class SkillsLever(Strict):
    trainees_per_year: float = param(20000, unit="subsidised trainees/year", source="assumption: subsidised vocational training towards a skill certificate for residents at work; Jiaxing's count is not in the sources", range=(5000, 60000), doc="trainees whose training the skills-upgrading subsidy pays", valid=(0, 1e7))
    cost_per_trainee_yuan: float = param(1500, unit="yuan per subsidised trainee", source="assumption: Chinese vocational-training subsidies are paid per certificate by level, typically hundreds to a few thousand yuan", range=(500, 4000), valid=(1, 1e7))
    certification_share: float = param(0.7, unit="share of subsidised trainees who gain a certificate", source="assumption", range=(0.5, 0.9), valid=(0, 1))
    budget_yuan_per_year: float = param(4.0e7, unit="yuan/year", source="assumption: the baseline trainees at the baseline cost (30 m yuan) with a margin", range=(2e7, 1.5e8), valid=(0, 1e12))


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
    skills: SkillsLever = Field(default_factory=SkillsLever)
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

    wage_weight: float = param(2.0, unit="utility per log yuan", source="assumption: logit location choice on log wage (Diamond 2016)", range=(1.0, 4.0), valid=(0, 10))
    rent_weight: float = param(0.8, unit="utility per log yuan of rent", source="assumption: Diamond 2016; high-skill more housing-sensitive (Huang, Xing & Cui 2022)", range=(0.3, 1.5), valid=(0, 10))
    service_weight: float = param(0.6, unit="utility per log of tertiary hospital beds per resident relative to end-2021", source="assumption: local amenities enter a logit location choice beside log wage and log rent (Diamond 2016, AER 106(3)); access to tertiary hospitals is what patients seek, bypassing lower levels (Yip et al. 2019, Lancet 394). Range: 0.1-0.6 of the wage weight per log point", range=(0.2, 1.2), valid=(0, 10))
    school_weight: float = param(0.8, unit="utility per log of school places per talent household with children relative to end-2021, families with children", source="assumption: parents value access to better schools, which house prices capitalise (Black 1999, QJE 114(2)); in log form as the amenities of Diamond 2016. Range: 0.1-0.75 of the wage weight per log point", range=(0.2, 1.5), valid=(0, 10))
    thick_market_weight: float = param(0.3, unit="utility per log of cluster talent relative to end-2021", source="assumption: a thicker local labour market gives better matches and insurance (Duranton & Puga 2004, Handbook of Regional and Urban Economics 4; Moretti 2011, Handbook of Labor Economics 4B). Range: 0.05-0.3 of the wage weight per log point, small beside the wage it also raises", range=(0.1, 0.6), valid=(0, 10))
    field_affinity: float = param(1.2, unit="utility when a person's field matches the cluster", source="assumption: a job in one's field of study pays more and is preferred (Robst 2007, Economics of Education Review 26(4)). Range: the utility of 0.25-1 log points of wage at wage_weight 2", range=(0.5, 2.0), valid=(0, 10))
    allowance_weight: float = param(1.0, unit="utility per year of wages paid as allowance", source="assumption: 1 values an allowance as the same money paid as wages; the range allows one-off cash to be discounted (below 1) or salient to graduates (above 1)", range=(0.3, 2.0), valid=(0, 10))
    consider_move_per_month: float = param(0.025, unit="share of employed talent weighing a move, per month", source="assumption", range=(0.01, 0.05), valid=(0, 1))
    attachment_tenure: float = param(0.6, unit="utility per log(1 + years in city)", source="assumption: location-specific capital grows with years in a place and lowers the chance of moving (DaVanzo 1981, Population and Environment 4(1)); the log makes the first years count most. Range: 0.1-0.5 log points of wage per log year at wage_weight 2", range=(0.2, 1.0), valid=(0, 10))
    attachment_children: float = param(0.5, unit="utility for a household with children", source="assumption: families with children move less (Mincer 1978, JPE 86(5)). Range: 0.1-0.5 log points of wage at wage_weight 2", range=(0.2, 1.0), valid=(0, 10))
    attachment_owner: float = param(0.8, unit="utility for owning a home", source="assumption: home owners move much less often than renters (Dietz & Haurin 2003, J Urban Econ 54(3)). Range: 0.2-0.75 log points of wage at wage_weight 2", range=(0.4, 1.5), valid=(0, 10))
    attachment_apartment: float = param(0.4, unit="utility for living in a talent apartment", source="assumption: a subsidised tenancy is lost on leaving, a smaller tie than ownership: range below attachment_owner", range=(0.1, 0.8), valid=(0, 10))
    culture_attachment: float = param(0.3, unit="utility per log of culture events per talent relative to end-2021", source="assumption: cultural amenities are among the local amenities that hold residents (Diamond 2016); range from none to half the service weight", range=(0.0, 0.6), valid=(0, 10))
    purchase_rate_per_year: float = param(0.04, unit="share of renting talent with purchase_min_tenure_months in the city or more buying a home, per year", source="assumption", range=(0.02, 0.08), valid=(0, 12))
    purchase_min_tenure_months: float = param(24, unit="months in the city before a renter may buy", source="assumption: newcomers rent first", range=(12, 48), valid=(0, 600))
    purchase_subsidy_elasticity: float = param(2.0, unit="purchase-rate increase per subsidy/price ratio", source="assumption", range=(0.5, 4.0), valid=(0, 20))
    child_rate_per_year: float = param(0.06, unit="births per childless talent aged 25-40, per year", source="assumption", range=(0.03, 0.1), valid=(0, 1))
    agglomeration_elasticity: float = param(0.05, unit="elasticity of productivity to cluster talent", source="context_facts literature_ranges agglomeration_elasticity_of_productivity (typical 0.02-0.08, China up to 0.15)", range=(0.02, 0.15), valid=(0, 1))
    link_weight: float = param(0.3, unit="weight of linked clusters' talent in the spillover", source="assumption", range=(0.0, 0.6), valid=(0, 1))
    matching_efficiency: float = param(0.6, unit="monthly matches per U^a V^(1-a)", source="assumption", range=(0.3, 1.0), valid=(0, 5))
    job_prospect_weight: float = param(1.0, unit="utility per log of the probability of finding a job within the search period",
                                       source="assumption: migrants weigh a destination's wage by the probability of employment (Harris & Todaro 1970, AER 60(1)); 1 is the expected-utility weight",
                                       range=(0.5, 1.5), valid=(0, 10))
    matching_elasticity: float = param(0.5, unit="elasticity of matches to seekers (alpha)", source="context_facts literature_ranges matching_function (0.3-0.7)", range=(0.3, 0.7), valid=(0, 1))
    job_response: float = param(1.0, unit="elasticity of desired jobs to productivity", source="assumption", range=(0.5, 1.5), valid=(0, 5))
    funding_effect: float = param(0.4, unit="desired-jobs increase per funding/annual-output ratio", source="assumption", range=(0.1, 0.8), valid=(0, 5))
    productivity_shock_sd: float = param(0.03, unit="log points per month", source="assumption", range=(0.01, 0.06), valid=(0, 1))
    productivity_reversion: float = param(0.02, unit="per month", source="assumption", range=(0.005, 0.05), valid=(0, 1))
    challenge_productivity_gain: float = param(0.03, unit="log productivity per matched demand", source="assumption", range=(0.01, 0.08), valid=(0, 1))
    challenge_talent_elasticity: float = param(0.5, unit="elasticity of the matching hazard to the cluster's high-end talent", source="assumption", range=(0.2, 1.0), valid=(0, 5))
    challenge_reward_elasticity: float = param(0.3, unit="elasticity of the matching hazard to the reward", source="assumption", range=(0.1, 0.6), valid=(0, 5))
    challenge_platform_boost: float = param(0.3, unit="hazard increase per research platform linked to the cluster", source="assumption", range=(0.0, 0.6), valid=(0, 5))
    challenge_base_hazard: float = param(0.06, unit="monthly matching hazard of a posted demand at end-2021 conditions", source="calibrated to P3 (scenarios/calibration). Range, the prior of talentsim calibrate --method abc: a posted demand matched within 5 to 50 months on average", range=(0.02, 0.2), valid=(0, 1))
    entry_rate_per_year: float = param(0.06, unit="new firms per existing firm, per year, at end-2021 talent and free space", source="assumption", range=(0.03, 0.12), valid=(0, 12))
    entry_talent_elasticity: float = param(1.0, unit="elasticity of entry to cluster talent growth", source="assumption", range=(0.3, 2.0), valid=(0, 5))
    exit_productivity_threshold: float = param(-0.25, unit="log productivity relative to cluster mean", source="assumption", range=(-0.5, -0.1), valid=(-5, 0))
    exit_rate_per_year: float = param(0.4, unit="added exit hazard of a firm below the threshold, per year, at the reference size, mature", source="assumption: selection on productivity (Jovanovic 1982)", range=(0.3, 1.5), valid=(0, 12))
    exit_base_per_year: float = param(0.02, unit="exit hazard per year of a mature firm of the reference size", source="assumption: annual exit of established manufacturing firms a few per cent (Dunne, Roberts & Samuelson 1989; Brandt, Van Biesebroeck & Zhang 2012 for Chinese firms above the size threshold)", range=(0.01, 0.06), valid=(0, 12))
    exit_reference_jobs: float = param(100, unit="jobs at which the size factor of the exit hazard is 1", source="assumption", range=(30, 300), valid=(1, 1e6))
    exit_size_elasticity: float = param(0.5, unit="elasticity of the exit hazard to firm size (jobs), sign reversed", source="assumption: failure rates fall with size (Evans 1987; Dunne, Roberts & Samuelson 1989)", range=(0.2, 0.6), valid=(0, 2))
    exit_youth_multiple: float = param(3.0, unit="exit hazard at birth / hazard of a mature firm of the same size", source="assumption: young firms exit several times as often as mature ones of the same size (Haltiwanger, Jarmin & Miranda 2013)", range=(1.5, 5.0), valid=(1, 20))
    exit_youth_years: float = param(3.0, unit="years over which the youth excess of the exit hazard falls by the factor e", source="assumption: exit rates level off after about five to ten years (Haltiwanger, Jarmin & Miranda 2013)", range=(1.5, 6.0), valid=(0.1, 50))
    funded_exit_reduction: float = param(0.3, unit="share by which funding of a full start-up ticket or more lowers a firm's exit hazard", source="assumption: publicly backed start-ups survive more often (Lerner 1999; Howell 2017)", range=(0.1, 0.6), valid=(0, 1))
    fund_additionality: float = param(0.5, unit="share of fund-backed start-ups that would not have started without the fund", source="assumption: public venture funds partly crowd out private finance (Lerner 2009)", range=(0.2, 0.9), valid=(0, 1))
    industrial_space_multiple: float = param(3.0, unit="jobs a cluster's industrial space holds / its firms' jobs at end-2021", source="assumption: industrial land is scarce and allotted by quota in Zhejiang (the 'per-mu' land-efficiency reform); room for about three times the end-2021 jobs by new land and densification", range=(1.5, 5.0), valid=(1.01, 100))
    little_giant_rate_per_year: float = param(0.08, unit="promotions per eligible firm, per year", source="assumption", range=(0.03, 0.2), valid=(0, 12))
    rent_demand_elasticity: float = param(0.5, unit="elasticity of market rent to renting talent", source="assumption", range=(0.2, 1.0), valid=(0, 5))
    platform_fill_per_month: float = param(0.05, unit="share of a platform's spare capacity filled per month", source="assumption", range=(0.02, 0.15), valid=(0, 1))
    project_team_size: float = param(3, unit="skilled talent hired with each new project", source="assumption", range=(1, 8), valid=(0, 1000))
    project_jobs_end_2021: float = param(15.0, unit="mean jobs per leading-talent project at end-2021", source="calibrated to P4 (scenarios/calibration). Range, the prior of talentsim calibrate --method abc: about half to twice the 15-20 jobs per project of P4 (30,000 jobs / 1,708 projects)", range=(8, 30), valid=(0.1, 1e4))
    project_output_per_job_yuan: float = param(3.5e6, unit="yuan per job per year in project firms", source="calibrated to P4 (scenarios/calibration). Range, the prior of talentsim calibrate --method abc: about half to twice the 3.6 m yuan per job of the project firms (108.6 bn yuan / 30,000 jobs)", range=(1.5e6, 6e6), valid=(0, 1e9))
    graduate_candidates_per_year: float = param(160000, unit="graduates per year weighing a job in the city", source="calibrated to P2 (scenarios/calibration). Range, the prior of talentsim calibrate --method abc: from below the 115,000 graduates employed in 2022 (P2) to above Zhejiang's 382,619 graduates of 2022", range=(100000, 500000), valid=(0, 1e7))
    migrant_candidates_per_year: float = param(90000, unit="experienced professionals per year weighing a job in the city", source="assumption: about half the urban new jobs (context_facts urban_new_jobs_2021: 188,800)", range=(40000, 150000), valid=(0, 1e7))
    returnee_ties_months: float = param(60, unit="months of tenure a returnee's ties to the city count as", source="assumption", range=(24, 120), doc="returnees (grew up or studied here) are as attached as talent with this much tenure; their apartment eligibility counts from arrival", valid=(0, 1200))
    returnee_candidates_per_year: float = param(15000, unit="persons per year", source="assumption", range=(5000, 30000), valid=(0, 1e7))
    high_end_candidates_per_year: float = param(1500, unit="municipal/provincial-tier candidates per year outside platforms and projects", source="assumption", range=(500, 4000), valid=(0, 1e6))
    moving_cost: float = param(0.5, unit="utility of leaving the city for a resident", source="assumption: moving costs are large in location choice (Kennan & Walker 2011, Econometrica 79(1)). Range: the utility of 0-1 log points of wage at wage_weight 2", range=(0.0, 2.0), valid=(0, 10))
    internal_move_cost: float = param(1.5, unit="utility of changing cluster within the city", source="assumption: changing cluster means a new employer and often new sector-specific skills. Range: the utility of 0.25-1.5 log points of wage at wage_weight 2", range=(0.5, 3.0), valid=(0, 10))
    wage_passthrough: float = param(0.5, unit="elasticity of cluster wages to cluster productivity", source="assumption", range=(0.2, 1.0), valid=(0, 2))
    initial_vacancy_rate: float = param(0.08, unit="open talent positions / filled positions at end-2021", source="assumption: firms in the clusters report unfilled talent positions", range=(0.03, 0.12), valid=(0, 1))
    job_adjustment_per_month: float = param(0.2, unit="share of the gap to desired jobs closed per month", source="assumption", range=(0.03, 0.3), valid=(0, 1))
    entrant_jobs: float = param(60, unit="jobs a new firm grows to (mean), persons", source="assumption", range=(20, 150), valid=(1, 1e5))
    apartment_turnover_months: float = param(60, unit="months a talent apartment is held on average; a newcomer expects supply/this to come free each month", source="assumption: a skilled tenant may stay up to skilled_eligibility_years (5)", range=(24, 120), valid=(1, 1200))
    min_housing_cost_share: float = param(0.05, unit="share of market rent a tenant still bears (utilities, upkeep), even rent-free", source="assumption", range=(0.02, 0.2), valid=(0, 1))
    price_to_annual_rent: float = param(40, unit="house price / annual rent", source="assumption", range=(25, 60), valid=(1, 500))
    reference_reward_yuan: float = param(5.0e5, unit="yuan; the reward at which the hazard is challenge_base_hazard", source="assumption", range=(1e5, 2e6), valid=(1, 1e10))
    demand_lifetime_months: float = param(12, unit="months a posted demand stays open", source="assumption", range=(6, 24), valid=(1, 240))
    ccd_reference_multiple: float = param(3.0, unit="multiple of the largest cluster's end-2021 level that scores 1", source="assumption (fixed reference so that scores compare across scenarios; Wang et al. 2021)", range=(2.0, 5.0), valid=(0.1, 100))
    ccd_talent_weight: float = param(0.5, unit="weight a of the talent subsystem in the comprehensive index T = a U1 + (1 - a) U2", source="assumption: equal weights, the usual choice for two subsystems (Wang et al. 2021)", range=(0.3, 0.7), valid=(0, 1))
    graduate_month_shares: list[float] = Field(
        default_factory=lambda: [0.02, 0.02, 0.03, 0.04, 0.05, 0.16, 0.30, 0.16, 0.08, 0.05, 0.05, 0.04],
        description="share of the year's graduates arriving in each month, January first",
        json_schema_extra={"unit": "share", "source": "assumption: graduation in June-July", "range": [0.0, 1.0], "valid": [0.0, 1.0]},
    )
    tax_share_of_output: float = param(0.0292, unit="tax / output", source="jiaxing_facts projects: 3.17 bn yuan tax on 108.6 bn yuan output", valid=(0, 1))
    candidate_search_months: float = param(3, unit="months a newcomer who chose the city searches before going elsewhere", source="assumption", range=(1, 6), valid=(1, 120))
    search_months: float = param(4, unit="months a displaced talent searches before leaving", source="assumption", range=(2, 8), valid=(1, 120))

    @field_validator("industrial_space_multiple")
    @classmethod
    def _room_to_grow(cls, v: float) -> float:
        if not v > 1:
            raise ValueError("must exceed 1: the industrial space must hold more than the end-2021 jobs")
        return v

    @field_validator("graduate_month_shares")
    @classmethod
    def _twelve_shares(cls, v: list[float]) -> list[float]:
        if len(v) != 12 or any(not 0 <= x <= 1 for x in v) or sum(v) <= 0:
            raise ValueError("must be 12 shares between 0 and 1, January first, with a positive sum")
        return v


class CompetitorPath(Strict):
    trend_per_year: float = param(0.0, unit="utility per year", source="assumption", range=(-0.05, 0.1), valid=(-1, 1))
    shock: float = param(0.0, unit="utility, a step change", source="scenario", valid=(-20, 20))
    shock_start: str = param("2025-01", unit="YYYY-MM", source="scenario")

    @field_validator("shock_start")
    @classmethod
    def _month(cls, v: str) -> str:
        return check_month(v)


class Uncertainties(Strict):
    competitors: dict[str, CompetitorPath] = Field(default_factory=dict, description="attractiveness paths of competing cities; unnamed cities keep a flat path")
    graduate_supply: float = param(1.0, unit="multiplier on graduate candidates", source="assumption", range=(0.7, 1.2), valid=(0, 10))
    graduate_supply_trend: float = param(0.0, unit="per year", source="assumption", range=(-0.03, 0.03), valid=(-0.5, 0.5))
    industry_demand_growth: float = param(0.08, unit="per year in 2022, real growth of firms' desired jobs", source="assumption: GDP growth 8.5% in 2021 (context_facts gdp_100m_yuan); desired jobs close to output growth", range=(0.04, 0.10), valid=(-0.5, 0.5))
    industry_demand_growth_2035: float = param(0.025, unit="per year in 2035; the rate moves linearly between the two", source="assumption: slowing growth", range=(0.0, 0.05), valid=(-0.5, 0.5))
    wage_growth: float = param(0.04, unit="per year, all cities", source="assumption", range=(0.02, 0.07), valid=(-0.5, 0.5))
    rent_trend: float = param(0.02, unit="per year, market rent in the city", source="assumption", range=(-0.03, 0.05), valid=(-0.5, 0.5))
    value_added_ratio: float = param(0.22, unit="value added / gross output of the clusters' firms, constant prices",
                                     source="assumption: no published ratio for Jiaxing's clusters; Chinese manufacturing's value added is about a "
                                            "fifth to a quarter of its gross output", range=(0.18, 0.30),
                                     doc="one ratio for the clusters' manufacturing; the rest of the city's ratio is computed at setup from the "
                                         "region's GDP (§7.12)", valid=(0.01, 1))
    productivity_trend_per_year: float = param(0.03, unit="per year, real growth of value added per unit of the firms' output",
                                               source="assumption: the labour-productivity growth that the firm agents do not model (technical "
                                                      "progress, upgrading), mid-range until fitted to the city's real GDP growth in 2022", range=(0.0, 0.06),
                                               doc="raises value added only, the city's and the clusters' alike: output, tax, jobs and wages do not "
                                                   "follow it (§7.12)", valid=(-0.05, 0.10))
    behaviour: Behaviour = Field(default_factory=Behaviour)
    demography: Demography = Field(default_factory=Demography)
    residents: ResidentRates = Field(default_factory=ResidentRates)
    initial_state: InitialState = Field(default_factory=InitialState)
    newcomers: Newcomers = Field(default_factory=Newcomers)
    firm_shapes: FirmShapes = Field(default_factory=FirmShapes)
    qualification: QualificationRates = Field(default_factory=QualificationRates)


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
    exit_rate_fixed: float = param(0.004, unit="per month", source="analytic test setting", doc="used only with fixed_rates", valid=(0, 1))

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return check_slug(v)  # it names the output folder: it must stay inside --out

    @model_validator(mode="after")
    def _schedule_in_range(self) -> "Scenario":
        self._schedule_warnings = schedule_outside_run(self)
        return self

    _source_dir: Path | None = PrivateAttr(default=None)
    _schedule_warnings: list[str] = PrivateAttr(default_factory=list)
    _found: ScenarioSource | None = PrivateAttr(default=None)

    def load_region(self) -> Region:
        """The scenario's region: a packaged name, or a path relative to the scenario file."""
        return load_region(self.region, relative_to=self._source_dir)

    @property
    def warnings(self) -> list[str]:
        """Settings that are valid but have no effect in this run (a lever change after its end)."""
        return list(self._schedule_warnings)

    @property
    def found(self) -> ScenarioSource | None:
        """The file the scenario was read from and where it was found; None for one built in memory."""
        return self._found

    def config_hash(self) -> str:
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


# ---------------------------------------------------------------- loading
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
            got = "" if isinstance(shown, (dict, list)) else f" (got {repr(shown)[:80]})"
            problems.append(f"{loc}: {err['msg'].removeprefix('Value error, ')}{got}{_valid_note(err['loc'])}")
    return problems


def _valid_note(loc: tuple) -> str:
    """The field's validity range and unit, so that an error says what is allowed, not only what is not."""
    parent = _model_at(loc[:-1]) if loc else None
    field = parent.model_fields.get(loc[-1]) if parent is not None and isinstance(loc[-1], str) else None
    extra = field.json_schema_extra if field is not None and isinstance(field.json_schema_extra, dict) else {}
    if "valid" not in extra:
        return ""
    low, high = extra["valid"]
    return f"; valid: {low:g} to {high:g} {extra.get('unit', '')}".rstrip()


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


def load_scenario(name_or_path: str | Path, *, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read a scenario file (following ``extends:``), apply overrides, validate against the region."""
    found = locate_scenario(name_or_path)
    path = found.file
    data = read_scenario_chain(path)
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


def schedule_outside_run(scenario: Scenario) -> list[str]:
    """Scheduled lever changes that the run never reaches: valid, but a sign of a mistyped year."""
    return [*(f"levers.schedule.{i}.start: {change.start} is after the run's end {scenario.run.end}; this change never takes effect"
              for i, change in enumerate(scenario.levers.schedule) if change.start > scenario.run.end),
            *(f"levers.platforms.new_platforms.{i}.opens: {platform.opens} is after the run's end {scenario.run.end}; this platform never opens"
              for i, platform in enumerate(scenario.levers.platforms.new_platforms) if platform.opens > scenario.run.end)]


def check_against_region(scenario: Scenario, *, region: Any, source: str) -> None:
    """Cluster and city names in a scenario must exist in its region, and its months in the region's span."""
    clusters = set(region.cluster_ids)
    problems = _months_outside_region(scenario, region=region)
    for key in scenario.levers.funding.industry_funds_yuan:
        if key not in clusters:
            problems.append(f"levers.funding.industry_funds_yuan.{key}: unknown cluster; clusters of {region.id}: {', '.join(region.cluster_ids)}")
    taken = {p.id for p in region.platforms}
    for i, platform in enumerate(scenario.levers.platforms.new_platforms):
        if platform.cluster not in clusters:
            problems.append(f"levers.platforms.new_platforms.{i}.cluster: {platform.cluster!r} is not a cluster of {region.id}; clusters: {', '.join(region.cluster_ids)}")
        if not platform.id.strip():
            problems.append(f"levers.platforms.new_platforms.{i}.id: give the platform a name")
        elif platform.id in taken:
            problems.append(f"levers.platforms.new_platforms.{i}.id: {platform.id!r} is already a platform's id (region {region.id}'s "
                            "platforms and the new ones each have their own)")
        taken.add(platform.id)
    cities = set(region.competitor_ids)
    for key in scenario.uncertainties.competitors:
        if key not in cities:
            problems.append(f"uncertainties.competitors.{key}: unknown competing city; cities of {region.id}: {', '.join(region.competitor_ids)}")
    if problems:
        raise ConfigError(source=source, problems=problems)


def is_number(value: Any) -> bool:
    """An int or float, not a bool (which Python counts as an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def schedule_starts(scenario: Scenario, name: str) -> list[str]:
    """The months from which the scenario's ``levers.schedule`` changes the lever setting ``name`` (a full dotted name;
    a change names it as family.setting or by its short name)."""
    if not name.startswith("levers."):
        return []
    names = (name.removeprefix("levers."), name.rsplit(".", 1)[-1])
    return [change.start for change in scenario.levers.schedule if any(key in names for key in change.changes)]


def value_at(scenario: Scenario, name: str) -> Any:
    """The value of the setting ``name`` (a full dotted name) in ``scenario``; None where the path leads nowhere."""
    node: Any = scenario
    for part in name.split("."):
        node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
    return node


def parameter_table() -> list[dict[str, Any]]:
    """Every scenario parameter with its default, unit, source, plausible range and validity range
    (for docs and `talentsim params`)."""
    rows = []
    for path, field in _leaf_paths(Scenario).items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        default = field.get_default(call_default_factory=True)
        rows.append({
            "name": ".".join(path), "default": default, "unit": extra.get("unit", ""),
            "source": extra.get("source", ""), "range": extra.get("range"), "valid": extra.get("valid"),
            "meaning": field.description or "",
        })
    return rows


def _months_outside_region(scenario: Scenario, *, region: Any) -> list[str]:
    """The region describes the end of its initial month: a run starts within the year after it
    and ends within the region's horizon, beyond which its trends were never meant to reach."""
    (first_start, last_start), last_end = region.supported_starts(), region.supported_end()
    problems = []
    if not first_start <= scenario.run.start <= last_start:
        problems.append(f"run.start: {scenario.run.start} is outside what region {region.id} supports: its initial state is "
                        f"{region.initial_month}, so a run starts between {first_start} and {last_start}")
    if scenario.run.end > last_end:
        problems.append(f"run.end: {scenario.run.end} is beyond region {region.id}'s horizon, {last_end}")
    return problems


Language = Literal["zh", "en"]
