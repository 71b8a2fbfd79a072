"""Every field of a region file, as the generated end of docs/regions.md: where it goes, its type, whether it must be
given, what values are allowed and what it means.

After changing a model of sim/region.py, regenerate the reference with ``python -m sim.region_doc docs/regions.md``;
a test checks that the document is current and that every field has a meaning here.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any, Sequence

import annotated_types
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from sim import region as r
from sim.generated_docs import rewrite_generated_tail, with_generated_tail

GENERATED_MARKER = ("<!-- Everything below is generated from the models of sim/region.py by "
                    "`python -m sim.region_doc docs/regions.md`; edit the models and sim/region_doc.py, not this list. -->")

# where each model stands in a region file, in the file's order
SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("the file (top level)", r.Region),
    ("`name`, and any {en, zh} pair such as a citation", r.Bilingual),
    ("a quantity: `talent_stock`, `resident_population`, `skilled_wage_yuan`, the numbers of `residents` and `initial`, "
     "`competitors.rank_weight` and `home_rank`", r.Quantity),
    ("`residents`", r.Residents),
    ("`tiers.<tier>` (top, national, provincial, municipal, skilled, in that order)", r.Tier),
    ("`districts` and `clusters`: a table of rows, with the unit of each column", r.Table),
    ("`districts.rows[i]`", r.District),
    ("`clusters.rows[i]` and `rest_of_city`", r.Sector),
    ("`links[i]`", r.Link),
    ("`platforms[i]`", r.Platform),
    ("`named_firms[i]`", r.NamedFirm),
    ("`competitors`", r.Competitors),
    ("`competitors.rows[i]`", r.Competitor),
    ("`initial`", r.Initial),
    ("`initial.resident_age_bands`", r.AgeBands),
    ("`observations[i]`", r.Observation),
    ("`patterns[i]`", r.Pattern),
    ("`growth_anchors[i]`", r.GrowthAnchor),
    ("`gdp[i]`", r.ObservedGDP),
]

MEANINGS: dict[str, str] = {
    # Region
    "Region.id": "the region's short name (`jiaxing`), as scenarios name it",
    "Region.name": "its display name in English and Chinese, as charts and reports print it",
    "Region.initial_month": "the month whose end the initial state describes (`2021-12`); runs start within the year after it",
    "Region.horizon_years": "how many years past the initial month the region's data and trends may be run",
    "Region.talent_stock": "the city's talent at the end of the initial month, persons (P1 for Jiaxing)",
    "Region.resident_population": "the city's residents at the end of the initial month, persons",
    "Region.residents": "the census the residents start from, and the city's vital rates (ODD §7.10)",
    "Region.skilled_wage_yuan": "the monthly wage of the skilled tier in the city, the unit of every wage index",
    "Region.tiers": "the talent tiers' counts at the start and their wage multipliers",
    "Region.districts": "the districts: names, map coordinates and market rents",
    "Region.clusters": "the industry clusters: district, level, size, wages, talent intensity, output per job",
    "Region.rest_of_city": "one sector for the talent outside the clusters, which still counts in the city's total",
    "Region.links": "related clusters, whose talent adds to each other's spillover (ODD §7.2)",
    "Region.platforms": "research platforms at the start: host cluster, linked clusters, high-end talent, capacity",
    "Region.named_firms": "firms named in the sources, with their high-end talent and R&D staff",
    "Region.competitors": "the competing cities, the outside options of talent's choices (ODD §7.0)",
    "Region.initial": "the initial state of the levers' stocks and of households",
    "Region.observations": "observed figures by year, set against the runs by `talentsim validate`; those `fitted` are calibration targets",
    "Region.patterns": "the patterns the calibration fits to (ODD §9): without any, a scenario of the region is fitted to "
                       "its fitted observations only",
    "Region.growth_anchors": "the talent growth of comparable cities, printed beside the projected growth (context, not targets)",
    "Region.gdp": "the city's GDP by year; the initial month's year sets the level of value added (ODD §7.12)",
    "Region.citations": "the published sources of the figures, as charts and reports cite them",
    # Bilingual
    "Bilingual.en": "English", "Bilingual.zh": "Chinese",
    # Quantity
    "Quantity.value": "the number", "Quantity.unit": "its unit, in words",
    "Quantity.source": "where it comes from, or `assumption`",
    "Quantity.range": "a plausible range [low, high], required for an assumption (for sensitivity analysis)",
    # Residents
    "Residents.census_month": "the month of the census reference date (its first day)",
    "Residents.population": "residents at the census, persons",
    "Residents.male_share": "share of residents who are men",
    "Residents.age_0_14_share": "share of residents aged 0-14",
    "Residents.age_60_plus_share": "share of residents aged 60 or more",
    "Residents.age_65_plus_share": "share of residents aged 65 or more (at most the 60+ share)",
    "Residents.crude_birth_rate": "births per resident per year",
    "Residents.crude_death_rate": "deaths per resident per year",
    # Tier
    "Tier.count": "persons of the tier at the start; null for the skilled tier, the remainder of the talent stock",
    "Tier.wage_multiplier": "the tier's wage as a multiple of the skilled wage",
    "Tier.unit": "the count's unit (persons)", "Tier.source": "where the count comes from, or `assumption`",
    "Tier.range": "a plausible range of the count",
    # Table
    "Table.columns": "each numeric column's unit and source, in words (documentation: the rows are checked, not this)",
    "Table.rows": "one mapping a row, with the fields below",
    # District
    "District.id": "short name, unique among districts", "District.en": "English name", "District.zh": "Chinese name",
    "District.lon": "longitude of its centre (for maps)", "District.lat": "latitude of its centre (for maps)",
    "District.rent_yuan": "market rent of a one-bedroom flat, yuan a month, at the start",
    # Sector
    "Sector.id": "short name, unique among sectors", "Sector.en": "English name", "Sector.zh": "Chinese name",
    "Sector.district": "the district it is in (a `districts` id)",
    "Sector.firms": "firms at the start (above the statistical size threshold)",
    "Sector.wage_index": "its wages relative to the city's skilled wage",
    "Sector.talent_intensity": "talent's share of all its jobs",
    "Sector.output_per_job_yuan": "output per job, yuan a year",
    "Sector.high_end_intensity": "how densely it employs high-end tiers relative to the rest of the city (shares the tiers' counts out)",
    "Sector.industry_en": "its industry in English (for labels)", "Sector.industry_zh": "its industry in Chinese",
    "Sector.level": "the cluster's level in the city's plan (global, national, regional; none for the rest of the city)",
    "Sector.talent": "its talent at the start, persons; required for clusters, and not given for the rest of the city "
                     "(the remainder of the talent stock)",
    "Sector.source": "where its figures come from",
    # Link
    "Link.a": "a cluster id", "Link.b": "another cluster id", "Link.weight": "how strongly the two clusters' talent helps each other",
    # Platform
    "Platform.id": "short name, unique among platforms", "Platform.en": "English name", "Platform.zh": "Chinese name",
    "Platform.host": "the cluster it is in", "Platform.links": "other clusters it serves",
    "Platform.founded": "the month it was founded (YYYY-MM), if known",
    "Platform.talent": "its high-end talent at the start by tier (top, national, provincial, municipal), persons",
    "Platform.capacity": "high-end talent it can host, persons",
    "Platform.source": "where its figures come from",
    # NamedFirm
    "NamedFirm.id": "short name", "NamedFirm.en": "English name", "NamedFirm.zh": "Chinese name",
    "NamedFirm.sector": "the sector it is in",
    "NamedFirm.talent": "its high-end talent at the start by tier, persons",
    "NamedFirm.rd_staff": "its R&D staff, counted as skilled talent",
    "NamedFirm.source": "where its figures come from",
    # Competitors
    "Competitors.rank_weight": "utility per log of the ratio of attractiveness ranks (ranked cities' constants)",
    "Competitors.home_rank": "the region's own rank in the same attractiveness list",
    "Competitors.rows": "the competing cities",
    # Competitor
    "Competitor.id": "short name, unique among competing cities", "Competitor.en": "English name", "Competitor.zh": "Chinese name",
    "Competitor.rank": "its attractiveness rank (1 the most attractive); or give `constant`",
    "Competitor.wage_index": "its skilled wage relative to the region's",
    "Competitor.rent_yuan": "its market rent of a one-bedroom flat, yuan a month",
    "Competitor.constant": "the utility constant of an unranked outside option (such as the rest of the country); or give `rank`",
    "Competitor.lon": "longitude (for maps)", "Competitor.lat": "latitude (for maps)",
    # Initial
    "Initial.apartments": "talent apartments at the start (unit: apartments)",
    "Initial.leading_projects": "leading-talent project firms in business at the start",
    "Initial.little_giants": "'little giant' firms at the start",
    "Initial.school_places": "school places of the kind the services lever adds, named by the unit",
    "Initial.hospital_beds": "hospital beds of the kind the services lever adds, named by the unit",
    "Initial.culture_events": "culture events a year of the kind the services lever funds, named by the unit",
    "Initial.share_with_children": "share of talent in households with children",
    "Initial.share_home_owners": "share of talent owning their home",
    "Initial.resident_age_bands": "the census age structure that shapes the initial talent's ages (ODD §5)",
    # AgeBands
    "AgeBands.edges": "band edges in years, increasing (n + 1 of them)",
    "AgeBands.shares": "each band's share of residents (n of them; they need not add up to one)",
    "AgeBands.unit": "the shares' unit", "AgeBands.source": "where they come from",
    # Observation
    "Observation.series": "a column of the `city_annual` table (docs/outputs.md)",
    "Observation.year": "the year whose end (or whole year, for flows) it describes",
    "Observation.value": "the observed figure", "Observation.unit": "its unit, in words",
    "Observation.tolerance": "the largest gap from the simulated mean still accepted",
    "Observation.tolerance_kind": "relative (a share of the value) or absolute (in the unit)",
    "Observation.use": "initial: holds by construction of the initial state; fitted: a calibration target; check: in no fit",
    "Observation.source": "where it comes from",
    # Pattern
    "Pattern.pattern": "which pattern of the model's purpose it stands for (P1, P2, ...)",
    "Pattern.measure": "what the run measures: " + ", ".join(f"`{m}` ({unit})" for m, unit in r.PATTERN_MEASURES.items()),
    "Pattern.year": "the year it is of",
    "Pattern.value": "the observed figure; or give `ratio`",
    "Pattern.ratio": "the figure as numerator and denominator (143 of 358 demands); or give `value`",
    "Pattern.band": "the band [low, high] within which a fit reproduces it; or give `tolerance`",
    "Pattern.tolerance": "a band of the figure times (1 - tolerance) to (1 + tolerance); or give `band`",
    "Pattern.use": "initial: the talent stock at the end of the initial year, which holds by construction; fitted: the others",
    "Pattern.source": "where the figure and its band come from",
    # GrowthAnchor
    "GrowthAnchor.id": "short name", "GrowthAnchor.en": "English name", "GrowthAnchor.zh": "Chinese name",
    "GrowthAnchor.period": "the years the growth was measured over (`2010-2020`)",
    "GrowthAnchor.value": "talent growth per year over the period, a share",
    "GrowthAnchor.source": "where it comes from",
    # ObservedGDP
    "ObservedGDP.year": "the calendar year", "ObservedGDP.value_yuan": "GDP at that year's prices, yuan",
    "ObservedGDP.real_growth": "real growth on the year before, a share (at constant prices)",
    "ObservedGDP.source": "where it comes from",
}


# what a model's validators allow beyond a field's own bounds (sim/region.py), shown beside them
RULES: dict[str, str] = {
    "Region.initial_month": "a month, YYYY-MM",
    "Region.talent_stock": f"value > 0, <= {r.MAX_PERSONS:g}",
    "Region.resident_population": f"value > 0, <= {r.MAX_PERSONS:g}",
    "Region.skilled_wage_yuan": "value > 0, <= 1e+07",
    "Region.tiers": "top, national, provincial, municipal, skilled, in that order",
    "Region.clusters": "unique ids; every cluster's talent given, all of it below the talent stock",
    "Region.links": "two different clusters, each pair once",
    "Region.gdp": "one a year, including the initial month's year",
    "Residents.census_month": "a month, YYYY-MM",
    "Residents.population": f"value > 0, <= {r.MAX_PERSONS:g}",
    "Residents.male_share": "value > 0, < 1",
    "Residents.age_0_14_share": "value > 0; with the 60+ share below 1",
    "Residents.age_65_plus_share": "value > 0, <= the 60+ share",
    "Sector.talent": "more than its platforms and named firms employ",
    "Platform.founded": "a month, YYYY-MM, or empty",
    "Platform.talent": "high-end tiers only",
    "Platform.host": "a cluster id",
    "Platform.links": "cluster ids",
    "NamedFirm.sector": "a sector id",
    "Competitor.rank": "either rank or constant",
    "Competitor.constant": "either rank or constant",
    "Competitors.home_rank": "value >= 1",
    "Competitors.rows": "unique ids",
    **{f"Initial.{name}": f"value from 0 to {r.MAX_PERSONS:g}" for name in ("apartments", "leading_projects")},
    **{f"Initial.{name}": f"value from 0 to {r.MAX_PERSONS:g}; unit `{kind}`" for name, kind in r.SERVICE_KINDS.items()},
    "Initial.little_giants": f"value from 0 to {r.MAX_PERSONS:g}, at most the region's firms",
    "Initial.share_with_children": "value from 0 to 1",
    "Initial.share_home_owners": "value from 0 to 1",
    "AgeBands.edges": "increasing",
    "AgeBands.shares": "one fewer than the edges, none negative, a positive sum",
    "Observation.series": "a column of city_annual; one figure a series and year",
    "Pattern.measure": ", ".join(f"`{m}`" for m in r.PATTERN_MEASURES) + "; one pattern a measure",
    "Pattern.year": "after the initial year if fitted, the initial year if initial",
    "Pattern.value": "at most " + ", ".join(f"{most:g} ({m})" for m, most in r.PATTERN_MAXIMA.items()),
    "Pattern.ratio": "numerator >= 0, denominator > 0; either value or ratio",
    "Pattern.band": "low below high, holding the figure; either band or tolerance",
    "Pattern.use": "`initial` for `talent_stock_end` of the initial year, `fitted` for every other measure",
}


def undocumented() -> list[str]:
    """Fields of the region's models without a meaning here."""
    return [f"{model.__name__}.{name}" for _, model in SECTIONS for name in model.model_fields
            if f"{model.__name__}.{name}" not in MEANINGS]


def reference_markdown() -> str:
    """A table of fields for each part of a region file."""
    parts = []
    for where, model in SECTIONS:
        lines = [f"### {where}", "", "| field | type | required | allowed | meaning |", "|---|---|---|---|---|"]
        for name, info in model.model_fields.items():
            required = "yes" if info.is_required() else f"no ({_default(info.default)})"
            key = f"{model.__name__}.{name}"
            allowed = "; ".join(a for a in (_allowed(info.annotation, info.metadata), RULES.get(key, "")) if a)
            lines.append(f"| `{name}` | {_type(info.annotation)} | {required} | {allowed} | {MEANINGS[key]} |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _default(value: Any) -> str:
    if value is PydanticUndefined or value is None:
        return "none"
    if value in ("", [], {}):
        return "empty"
    return f"`{value}`"


def _type(annotation: Any) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type(a) for a in args if a is not type(None)) + (" or null" if type(None) in args else "")
    if origin is typing.Annotated:
        return _type(args[0])
    if origin is typing.Literal:
        return "text"
    if origin is list:
        return f"list of {_type(args[0])}"
    if origin is tuple:
        return f"[{', '.join(_type(a) for a in args)}]"
    if origin is dict:
        return f"mapping of {_type(args[0])} to {_type(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"{_model_name(annotation)} (below)"
    return {str: "text", float: "number", int: "whole number", Any: "any"}.get(annotation, str(annotation))


def _model_name(model: type[BaseModel]) -> str:
    """``NamedFirm`` as "named firm", ``ObservedGDP`` as "observed GDP"."""
    words = re.findall(r"[A-Z][a-z]+|[A-Z]+(?![a-z])", model.__name__)
    return " ".join(w if w.isupper() else w.lower() for w in words)


def _allowed(annotation: Any, metadata: list[Any]) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return ", ".join(f"`{a}`" for a in args)
    if origin in (types.UnionType, typing.Union, list, dict) and args:
        inner = [_allowed(a, []) for a in args if a is not type(None)]
        if any(inner):
            return "; ".join(i for i in inner if i)
    if origin is typing.Annotated:
        metadata = [*metadata, *[m for a in args[1:] for m in getattr(a, "metadata", [a])]]
    bounds = []
    for m in metadata:
        for kind, sign, attribute in ((annotated_types.Ge, ">=", "ge"), (annotated_types.Gt, ">", "gt"), (annotated_types.Le, "<=", "le"),
                                      (annotated_types.Lt, "<", "lt")):
            if isinstance(m, kind):
                bounds.append(f"{sign} {_number(getattr(m, attribute))}")
        if getattr(m, "pattern", None):
            bounds.append(f"matching `{m.pattern}`")
    return ", ".join(bounds)


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e4:  # years and small bounds without a thousands separator
        return f"{value:.0f}"
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) < 1e7 else f"{value:g}"


def with_generated_list(doc: str) -> str:
    """``doc`` with everything after the generated-list marker replaced by the current reference."""
    return with_generated_tail(doc, marker=GENERATED_MARKER, tail=reference_markdown(), what="fields")


def main(argv: Sequence[str] | None = None) -> int:
    return rewrite_generated_tail(argv, render=with_generated_list,
                                  usage="python -m sim.region_doc docs/regions.md   (rewrites the generated fields in that file)")


if __name__ == "__main__":
    raise SystemExit(main())
