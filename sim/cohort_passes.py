"""One compiled pass that turns a new cohort's draws into its columns (sim.submodels.inflows.add_new_agents), and one
that lists the firms that may post a technology demand (sim.submodels.projects.challenges).

A cohort's sex, track, age and retirement, its field and education, and its children were three passes and
a few small numpy calls each time a cohort was made (some six hundred times a run). Here they are one
pass. The draws stay with the caller, in their order; this pass only reads them. The numpy twin is the
sequence of rules it replaced (sim.cohort_kernels' twins and the children's chance), chosen by ``USING_NUMBA``.
"""

from __future__ import annotations

import numpy as np

from sim import cohort_kernels
from sim.kernels import USING_NUMBA, compiled


def _children_numpy(age, u_child, from_age, ramp_years, max_share):
    chance = np.minimum(np.maximum((age - from_age) / ramp_years, 0), max_share)
    return (u_child < chance).astype(np.int8)


def _newcomer_columns_numpy(u_male, u_cadre, tier, normal, male_share, cadre_share, youngest, as_of, base, final, first, step,
                            reform, sector, other_field, u_fit, fit_share, u_doctorate, u_level, doctorate_share, cdf, levels,
                            u_child, from_age, ramp_years, max_share):
    lives = cohort_kernels._newcomer_lives_numpy(u_male, u_cadre, tier, normal, male_share, cadre_share, youngest, as_of, base,
                                                 final, first, step, reform)
    field, education = cohort_kernels._field_and_education_numpy(tier, sector, other_field, u_fit, fit_share, u_doctorate,
                                                                 u_level, doctorate_share, cdf, levels)
    return (*lives, field, education, _children_numpy(lives[2], u_child, from_age, ramp_years, max_share))


def _newcomer_columns_loop(u_male, u_cadre, tier, normal, male_share, cadre_share, youngest, as_of, base, final, first, step,
                           reform, sector, other_field, u_fit, fit_share, u_doctorate, u_level, doctorate_share, cdf, levels,
                           u_child, from_age, ramp_years, max_share):
    sex, track, age, birth_month, retire_month = cohort_kernels._newcomer_lives_numba(
        u_male, u_cadre, tier, normal, male_share, cadre_share, youngest, as_of, base, final, first, step, reform)
    field, education = cohort_kernels._field_and_education_numba(tier, sector, other_field, u_fit, fit_share, u_doctorate,
                                                                 u_level, doctorate_share, cdf, levels)
    # numpy takes a Python float beside a float32 column as float32: each step is rounded to float32 as it would be
    # (one operation on float32 operands rounded once from double gives the float32 result)
    lowest, ramp, highest = np.float32(from_age), np.float32(ramp_years), np.float32(max_share)
    children = np.empty(len(age), np.int8)
    for i in range(len(age)):
        chance = np.float32(np.float32(age[i] - lowest) / ramp)
        chance = min(max(chance, np.float32(0)), highest)
        children[i] = 1 if u_child[i] < np.float64(chance) else 0
    return sex, track, age, birth_month, retire_month, field, education, children


def _posting_firms_numpy(alive, is_platform, jobs):
    rows = np.flatnonzero(alive & ~is_platform)
    jobs_of = jobs[rows]
    return rows, jobs_of, np.cumsum(jobs_of)


def _posting_firms_loop(alive, is_platform, jobs):
    n = 0
    for i in range(len(alive)):
        if alive[i] and not is_platform[i]:
            n += 1
    rows, jobs_of, running = np.empty(n, np.int64), np.empty(n, np.float64), np.empty(n, np.float64)
    total, k = 0.0, 0
    for i in range(len(alive)):
        if alive[i] and not is_platform[i]:
            # numpy's cumulative sum adds in row order, as here
            total += jobs[i]
            rows[k], jobs_of[k], running[k] = i, jobs[i], total
            k += 1
    return rows, jobs_of, running


if USING_NUMBA:
    _newcomer_columns_numba = compiled(_newcomer_columns_loop)
    _posting_firms_numba = compiled(_posting_firms_loop)


def newcomer_columns(*, u_male: np.ndarray, u_cadre: np.ndarray, tier: np.ndarray, normal: np.ndarray, male_share: float,
                     cadre_share: float, youngest: float, as_of: int, rules: dict[str, np.ndarray], reform: bool,
                     sector: np.ndarray, other_field: np.ndarray, u_fit: np.ndarray, fit_share: float, u_doctorate: np.ndarray,
                     u_level: np.ndarray, doctorate_share: float, cdf: np.ndarray, levels: np.ndarray, u_child: np.ndarray,
                     children_from_age: float, children_ramp_years: float, children_max_share: float) -> tuple[np.ndarray, ...]:
    """Sex, track, age, birth month, retirement month (as ``cohort_kernels.newcomer_lives``), field and education (as
    ``cohort_kernels.field_and_education``) and children (int8: ``u_child`` below the chance rising from
    ``children_from_age`` over ``children_ramp_years`` to ``children_max_share``) of a new cohort, from its draws."""
    args = (u_male, u_cadre, tier, normal, float(male_share), float(cadre_share), float(youngest), int(as_of), rules["base"],
            rules["final"], rules["first"], rules["step"], bool(reform), sector, other_field, u_fit, float(fit_share), u_doctorate,
            u_level, float(doctorate_share), cdf, levels, u_child)
    children_rule = (children_from_age, children_ramp_years, children_max_share)
    # the compiled pass states numpy's float32 arithmetic for plain Python numbers; numpy scalars (float64) would
    # make numpy compute in double, which the numpy twin then does
    if USING_NUMBA and all(type(x) in (float, int) for x in children_rule):
        return _newcomer_columns_numba(*args, *(float(x) for x in children_rule))
    return _newcomer_columns_numpy(*args, *children_rule)


def posting_firms(*, alive: np.ndarray, is_platform: np.ndarray, jobs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of the firms in business other than platforms, their jobs (float64) and the running sum of those jobs in
    row order (``np.cumsum``), from which a demand's firm is drawn in proportion to size."""
    kernel = _posting_firms_numba if USING_NUMBA else _posting_firms_numpy
    return kernel(alive, is_platform, np.asarray(jobs, np.float64))
