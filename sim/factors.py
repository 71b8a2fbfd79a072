"""The factors of a study: declared levers and uncertainties sampled over their plausible ranges.

The factor space is the XLRM declaration (:mod:`sim.xlrm`): every uncertainty (and, where asked, lever)
with its plausible ``range`` from ``sim/config.py``, inside its validity bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Sequence

import numpy as np

from sim.config import parameter_table
from sim.xlrm import Parameter, levers, parameter, uncertainties


@dataclass(frozen=True)
class Factor:
    """One sampled input: its name, type and the range it is sampled over (inside its validity bounds)."""

    name: str
    kind: Literal["real", "integer"]
    low: float
    high: float
    unit: str = ""
    source: str = ""

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def values(self, unit: np.ndarray) -> list[float | int]:
        """Values for points of the unit interval. Integers take ``[low, high + 1)`` rounded down, so that every
        integer of the range is as likely (as :func:`sim.xlrm.latin_hypercube` and EMA Workbench do)."""
        unit = np.clip(np.asarray(unit, dtype=float), 0.0, 1.0)
        if self.kind == "integer":
            return [int(v) for v in np.minimum(np.floor(self.low + unit * (self.high - self.low + 1)), self.high)]
        # clipped: low + 1 * (high - low) can round past high (-0.5 + 0.4 = -0.09999999999999998 > -0.1)
        return [float(v) for v in np.clip(self.low + unit * (self.high - self.low), self.low, self.high)]


def declared_factor(p: Parameter) -> Factor:
    """The factor of a declared lever or uncertainty; its plausible range must lie inside its validity bounds."""
    valid = next((row["valid"] for row in parameter_table() if row["name"] == p.name), None)
    if valid is not None and not (valid[0] <= p.low and p.high <= valid[1]):
        raise ValueError(f"{p.name}: plausible range [{p.low:g}, {p.high:g}] reaches outside its validity bounds "
                         f"[{valid[0]:g}, {valid[1]:g}] in sim/config.py")
    return Factor(name=p.name, kind=p.kind, low=p.low, high=p.high, unit=p.unit, source=p.source)


def select_factors(names: Sequence[str] | None = None) -> list[Factor]:
    """Factors by name: a full or unique short parameter name, or a group of them by dotted prefix
    (``uncertainties``, ``levers``, ``uncertainties.residents``, ``levers.housing``). Default: every uncertainty."""
    pool = [*uncertainties(), *levers()]
    chosen: list[Parameter] = []
    for name in (["uncertainties"] if not names else names):
        group = [p for p in pool if p.name.startswith(name.rstrip(".") + ".")]
        picked = group or [parameter(name)]
        chosen += [p for p in picked if p not in chosen]
    return [declared_factor(p) for p in chosen]


# ------------------------------------------------------------------ groups of factors (Morris screening by groups)
# the parameters directly under ``uncertainties`` are its exogenous paths (docs/parameters.md); a group named
# "uncertainties" would read as every uncertainty
TOP_LEVEL_GROUPS = {"uncertainties": "uncertainties (exogenous paths)"}


def section_groups(factors: Sequence[Factor]) -> tuple[str, ...]:
    """Each factor's group: its configuration section, the name without its last part (``uncertainties.behaviour``,
    ``levers.housing``; ``uncertainties (exogenous paths)`` for those such as ``uncertainties.graduate_supply``)."""
    sections = (f.name.rsplit(".", 1)[0] for f in factors)
    return tuple(TOP_LEVEL_GROUPS.get(section, section) for section in sections)


# The behavioural parameters by the submodel whose section of docs/ODD.md defines them (§7.0, §7.2-§7.9): the
# finer first stage of a screening by groups, where uncertainties.behaviour as one section holds 69 factors.
BEHAVIOUR_MECHANISMS = {
    "behaviour: location choice": ["wage_weight", "rent_weight", "service_weight", "school_weight", "thick_market_weight",
                                   "culture_attachment", "apartment_turnover_months", "min_housing_cost_share"],
    "behaviour: firm planning": ["agglomeration_elasticity", "link_weight", "job_response", "funding_effect", "productivity_shock_sd",
                                 "productivity_reversion", "wage_passthrough", "initial_vacancy_rate", "job_adjustment_per_month"],
    "behaviour: inflows": ["platform_fill_per_month", "graduate_candidates_per_year", "migrant_candidates_per_year",
                           "returnee_ties_months", "returnee_candidates_per_year", "high_end_candidates_per_year"],
    "behaviour: job search and matching": ["field_affinity", "allowance_weight", "matching_efficiency", "job_prospect_weight",
                                           "matching_elasticity", "candidate_search_months"],
    "behaviour: housing": ["attachment_apartment", "purchase_rate_per_year", "purchase_min_tenure_months",
                           "purchase_subsidy_elasticity", "rent_demand_elasticity", "price_to_annual_rent"],
    "behaviour: retention and exit": ["consider_move_per_month", "attachment_tenure", "attachment_children", "attachment_owner",
                                      "child_rate_per_year", "moving_cost", "internal_move_cost", "search_months"],
    "behaviour: projects and challenges": ["challenge_productivity_gain", "challenge_talent_elasticity", "challenge_reward_elasticity",
                                           "challenge_platform_boost", "challenge_base_hazard", "project_team_size",
                                           "project_jobs_end_2021", "project_output_per_job_yuan", "reference_reward_yuan",
                                           "demand_lifetime_months"],
    "behaviour: firm entry and exit": ["entry_rate_per_year", "entry_talent_elasticity", "exit_productivity_threshold",
                                       "exit_rate_per_year", "exit_base_per_year", "exit_reference_jobs", "exit_size_elasticity",
                                       "exit_youth_multiple", "exit_youth_years", "funded_exit_reduction", "fund_additionality",
                                       "industrial_space_multiple", "little_giant_rate_per_year", "entrant_jobs"],
    "behaviour: coupling index": ["ccd_reference_multiple", "ccd_talent_weight"],
}


def group_label(name: str) -> str:
    """A group's name without the section every uncertainty or lever shares (uncertainties.behaviour -> behaviour)."""
    return name.removeprefix("uncertainties.").removeprefix("levers.")


def mechanism_groups(factors: Sequence[Factor]) -> tuple[str, ...]:
    """Each factor's group: its configuration section (:func:`section_groups`), the behavioural parameters split by the
    submodel that uses them (:data:`BEHAVIOUR_MECHANISMS`)."""
    behaviour = {f"uncertainties.behaviour.{name}": group for group, names in BEHAVIOUR_MECHANISMS.items() for name in names}
    return tuple(behaviour.get(f.name, section) for f, section in zip(factors, section_groups(factors)))


def declared_groups(factors: Sequence[Factor], *, groups: Any) -> tuple[str, ...]:
    """Each factor's group from a mapping of group names to the factors they hold, written as ``--factors`` takes
    them (full or short names, or dotted prefixes). A factor that no group names is a group of its own, under its
    full name. Raises ``ValueError`` saying what is wrong: not such a mapping, a name that is no parameter or no
    factor of the study, a factor in two groups, a group named like a factor left on its own."""
    if not isinstance(groups, dict) or not groups:
        raise ValueError("must map each group's name to a list of factors, e.g. {utility: [wage_weight, rent_weight]}")
    chosen = {f.name for f in factors}
    group_of: dict[str, str] = {}
    for group, members in groups.items():
        if not isinstance(group, str) or not group.strip():
            raise ValueError(f"{group!r}: a group's name is a non-empty text")
        names = [members] if isinstance(members, str) else members
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
            raise ValueError(f"{group}: give a list of factor names or prefixes, not {members!r}")
        for name in names:
            try:
                picked = [f.name for f in select_factors([name])]
            except ValueError as exc:
                raise ValueError(f"{group}: {exc}") from None
            if not chosen.intersection(picked):
                raise ValueError(f"{group}: {name} is not among the study's factors (choose them with --factors)")
            for factor in picked:
                if factor in chosen and group_of.setdefault(factor, group) != group:
                    raise ValueError(f"{factor} is in two groups: {group_of[factor]} and {group}")
    alone = chosen - set(group_of)
    clash = sorted(alone & set(groups))
    if clash:
        raise ValueError(f"{', '.join(clash)}: a group named like a factor that no group holds")
    return tuple(group_of.get(f.name, f.name) for f in factors)
