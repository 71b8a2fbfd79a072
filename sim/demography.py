"""Sex, ages and statutory retirement of talent agents (docs/ODD.md §5, §7.3 and §7.6).

Months are integer month indices (``sim.dates.month_index``: year * 12 + month - 1). An agent born in
month ``b`` is ``c - b`` whole months old in month ``c`` and retires in the month that age reaches its
statutory retirement age. Every function works on whole arrays of agents.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from sim import cohort_kernels
from sim.categories import FEMALE, MALE, SKILLED
from sim.dates import month_index

# retirement tracks; they matter for women only (men have one statutory age)
WORKER, CADRE = 0, 1
# the statutory rules in the order of ``retirement_group``
RULES = ("men", "women_cadres", "women_workers")


def retirement_group(sex: np.ndarray, track: np.ndarray) -> np.ndarray:
    """Index into :data:`RULES`: men, women on the cadre/professional track, women on the worker track."""
    return np.where(np.asarray(sex) == MALE, 0, np.where(np.asarray(track) == CADRE, 1, 2))


def rule_table(demography: Any) -> dict[str, np.ndarray]:
    """The three rules' numbers as arrays indexed by retirement group, in months."""
    # every new agent needs its retirement date, so the table is built once per set of rules (read-only)
    return _rule_arrays(_rule_numbers(demography))


def _rule_numbers(demography: Any) -> tuple[tuple[float, float, str, int], ...]:
    rules = [getattr(demography, name) for name in RULES]
    return tuple((r.base_age_years, r.final_age_years, r.first_cohort, r.cohort_months_per_step) for r in rules)


@lru_cache(maxsize=64)
def _rule_arrays(rules: tuple[tuple[float, float, str, int], ...]) -> dict[str, np.ndarray]:
    table = {
        "base": np.array([round(base * 12) for base, _, _, _ in rules], dtype=np.int64),
        "final": np.array([round(final * 12) for _, final, _, _ in rules], dtype=np.int64),
        "first": np.array([month_index(first) for _, _, first, _ in rules], dtype=np.int64),
        "step": np.array([step for _, _, _, step in rules], dtype=np.int64),
    }
    for column in table.values():
        column.flags.writeable = False
    return table


def statutory_retirement_age(birth_month: np.ndarray, sex: np.ndarray, track: np.ndarray, *, demography: Any,
                             reform: bool | None = None, group: np.ndarray | None = None) -> np.ndarray:
    """Statutory retirement age in months, by birth month, sex and track.

    Under the 2025 reform a cohort born ``first_cohort`` or later gets one month added for every
    ``cohort_months_per_step`` months of birth, counted from ``first_cohort`` (the first step of months
    already adds one), up to ``final_age_years``; earlier cohorts keep ``base_age_years``. ``reform``
    defaults to ``demography.retirement_reform``; without it every cohort keeps the old age. ``group`` is
    ``retirement_group(sex, track)`` where the caller has it already.
    """
    group = retirement_group(sex, track) if group is None else group
    return cohort_kernels.statutory_months(birth_month, group, rules=rule_table(demography),
                                           reform=demography.retirement_reform if reform is None else reform)


def retirement_month(birth_month: np.ndarray, sex: np.ndarray, track: np.ndarray, *, demography: Any,
                     group: np.ndarray | None = None) -> np.ndarray:
    """The month in which each agent reaches its statutory retirement age."""
    return np.asarray(birth_month, dtype=np.int64) + statutory_retirement_age(birth_month, sex, track, demography=demography, group=group)


def oldest_working_age(month: int, *, demography: Any) -> np.ndarray:
    """By retirement group, the number of whole months A such that agents aged 0..A-1 months in ``month`` have
    not reached their statutory age, and older ones have (ages rise with age, statutory ages fall with it)."""
    # every initial cohort asks for the same month: the answer is kept per month and set of rules (read-only)
    return _oldest_working_age(int(month), _rule_numbers(demography), bool(demography.retirement_reform))


@lru_cache(maxsize=64)
def _oldest_working_age(month: int, rules: tuple[tuple[float, float, str, int], ...], reform: bool) -> np.ndarray:
    table = _rule_arrays(rules)
    out = np.empty(len(RULES), dtype=np.int64)
    for g in range(len(RULES)):
        ages = np.arange(int(table["final"][g]) + 1)
        statutory = cohort_kernels.statutory_months(month - ages, np.full(len(ages), g), rules=table, reform=reform)
        out[g] = int((ages < statutory).sum())
    out.flags.writeable = False
    return out


def sex_and_track_draws(rng: np.random.Generator, *, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The draws of ``sex_and_track`` in their order: sex, then whether a skilled-tier woman is a professional."""
    return rng.random(n), rng.random(n)


def sex_and_track(u_male: np.ndarray, u_professional: np.ndarray, *, tier: int | np.ndarray, male_share: float,
                  demography: Any) -> tuple[np.ndarray, np.ndarray]:
    """Sex with probability ``male_share`` of male; track: high-end tiers are professionals (cadre track),
    skilled-tier agents are on the cadre track with probability ``women_cadre_share_skilled``."""
    sex = np.where(u_male < male_share, MALE, FEMALE).astype(np.int8)
    professional = u_professional < demography.women_cadre_share_skilled
    track = np.where((np.asarray(tier) < SKILLED) | professional, CADRE, WORKER).astype(np.int8)
    return sex, track


def draw_working_ages(u: np.ndarray, *, lower_months: float | np.ndarray, upper_months: np.ndarray, bands: Any) -> np.ndarray:
    """Ages in whole months on [lower, upper) with the density of the resident age bands, by inversion of ``u``.

    ``bands`` has ``edges`` (years) and ``shares``: the density within band i is share_i / width_i, the
    census structure; outside the bands it is zero. Each agent's interval is its own (tier and sex).
    """
    edges = np.asarray(bands.edges, dtype=float) * 12
    density = np.asarray(bands.shares, dtype=float) / np.diff(edges)
    lower = np.broadcast_to(np.asarray(lower_months, dtype=float), np.shape(u))
    try:
        return cohort_kernels.working_ages(u=u, lower_months=lower, upper_months=np.asarray(upper_months, dtype=float),
                                           edges_months=edges, density=density)
    except ValueError:
        raise ValueError("initial ages: an agent's working years [minimum age, retirement age) fall outside the region's "
                         "resident_age_bands") from None


def life_dates(age_months: np.ndarray, sex: np.ndarray, track: np.ndarray, *, as_of: int,
               demography: Any, group: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Age in years, birth month and retirement month of agents ``age_months`` old at the end of month ``as_of``."""
    group = retirement_group(sex, track) if group is None else group
    return cohort_kernels.life_dates(age_months=age_months, group=group, as_of=as_of, rules=rule_table(demography),
                                     reform=demography.retirement_reform)
