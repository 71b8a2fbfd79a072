"""Compiled passes over a cohort of new talent agents, the month's recorded flows and the firms they join.

Agents arrive a few to a few hundred at a time, several times a month, and each cohort's columns
(sex, track, age, retirement, field, education) took a dozen small numpy calls whose fixed cost
outweighed their work. Here each is one pass over the cohort's draws. The random draws themselves stay
with the caller, in their order; these passes only turn them into columns. Every kernel has a numpy
twin giving the same bits (integer arithmetic, comparisons, min/max, floor, sums in row order and
divisions only; nothing transcendental), chosen by ``USING_NUMBA``.
"""

from __future__ import annotations

import numpy as np

from sim.categories import AGES, FEMALE, MALE, SKILLED
from sim.kernels import USING_NUMBA, compiled
from sim.talent import DOCTORATE, MASTER

# retirement tracks, as sim.demography.WORKER and CADRE: sim.demography imports this module, so they are restated
WORKER, CADRE = 0, 1


def statutory_months(birth_month: np.ndarray, group: np.ndarray, *, rules: dict[str, np.ndarray], reform: bool) -> np.ndarray:
    """Statutory retirement age in months by birth month and retirement group, from the rules' arrays
    (``sim.demography.rule_table``): ``base``, or under the reform one month more for every ``step`` months of
    birth from ``first`` on, up to ``final``. The compiled passes below write the same rule out per agent."""
    base = rules["base"][group]
    if not reform:
        return base
    steps = (np.asarray(birth_month, dtype=np.int64) - rules["first"][group]) // rules["step"][group] + 1
    return base + np.clip(steps, 0, rules["final"][group] - base)


# ---------------------------------------------------------------- numpy twins
def _life_dates_numpy(age_months, group, as_of, base, final, first, step, reform):
    birth = as_of - np.asarray(age_months, dtype=np.int64)
    retire = birth + statutory_months(birth, group, rules={"base": base, "final": final, "first": first, "step": step}, reform=reform)
    return (np.asarray(age_months) / 12).astype(np.float32), birth.astype(np.int32), retire.astype(np.int32)


def _working_ages_numpy(u, lower, upper, edges, density):
    lo, hi = lower[:, None], upper[:, None]
    start = np.clip(edges[None, :-1], lo, hi)
    mass = density * (np.clip(edges[None, 1:], lo, hi) - start)
    cum = np.cumsum(mass, axis=1)
    if (cum[:, -1] <= 0).any():
        return np.zeros(len(u), np.int64), False
    target = u * cum[:, -1]
    band = np.minimum((cum <= target[:, None]).sum(axis=1), len(density) - 1)
    rows = np.arange(len(u))
    age = start[rows, band] + (target - (cum[rows, band] - mass[rows, band])) / density[band]
    return np.clip(np.floor(age), lo[:, 0], hi[:, 0] - 1).astype(np.int64), True


def _newcomer_lives_numpy(u_male, u_cadre, tier, normal, male_share, cadre_share, youngest, as_of, base, final, first, step,
                          reform):
    sex = np.where(u_male < male_share, MALE, FEMALE).astype(np.int8)
    track = np.where((tier < SKILLED) | (u_cadre < cadre_share), CADRE, WORKER).astype(np.int8)
    group = np.where(sex == MALE, 0, np.where(track == CADRE, 1, 2))
    old_age = base[group] / 12
    age_months = np.floor(np.clip(normal, youngest, old_age - 1) * 12)
    return (sex, track, *_life_dates_numpy(age_months, group, as_of, base, final, first, step, reform))


def _field_and_education_numpy(tier, sector, other_field, u_fit, fit_share, u_doctorate, u_level, doctorate_share, cdf,
                               levels):
    field = (other_field if len(u_fit) == 0 else np.where(u_fit < fit_share, sector, other_field)).astype(np.int16)
    high_end = np.where(u_doctorate < doctorate_share, DOCTORATE, MASTER)
    skilled = levels[np.searchsorted(cdf, u_level, side="right")]
    return field, np.where(tier < SKILLED, high_end, skilled).astype(np.int8)


def _add_flows_numpy(target, target_age, sector, tier, channels, channel, weight, age):
    S, K, C = target.shape
    codes = channels.astype(np.int64) if len(channels) else np.int64(channel)
    idx = (np.asarray(sector, np.int64) * K + np.asarray(tier, np.int64)) * C + codes
    weights = np.asarray(weight, float)
    target += np.bincount(idx, weights=weights, minlength=S * K * C).reshape(S, K, C)
    if len(age):
        C = target_age.shape[1]
        years = np.minimum(np.asarray(age), AGES - 1).astype(np.int64)
        target_age += np.bincount(years * C + codes, weights=weights, minlength=AGES * C).reshape(AGES, C)


def _non_talent_jobs_numpy(jobs, firm_talent, alive, is_platform):
    held = np.zeros(len(jobs))
    held[: len(firm_talent)] = firm_talent[: len(jobs)]
    return np.cumsum(np.maximum(jobs - held, 0.0) * (alive & ~is_platform))


def _whole_recruits_numpy(firm_rows, tiers, persons, u, scale):
    per_agent = np.where(tiers == SKILLED, scale, 1)
    expected = persons / per_agent
    count = (np.floor(expected) + (u < expected - np.floor(expected))).astype(np.int64)
    return np.repeat(firm_rows, count), np.repeat(tiers, count), np.repeat(per_agent, count)


def _firm_totals_numpy(sector, alive, is_platform, is_little_giant, is_project, jobs, output, n_sectors):
    rows = np.flatnonzero(alive & ~is_platform)
    grouped = sector[rows]
    columns = (np.ones(len(sector)), is_little_giant, jobs, output, is_project, is_project * jobs, is_project * output)
    return np.stack([np.bincount(grouped, weights=np.asarray(column, np.float64)[rows], minlength=n_sectors)[:n_sectors]
                     for column in columns])


def _fill_positions_numpy(firm_rows, persons, firm_talent, firm_vacancy, firm_sector, n_sectors):
    added = np.bincount(firm_rows, weights=persons, minlength=len(firm_sector))[: len(firm_sector)]
    return (firm_talent + added[: len(firm_talent)], np.maximum(firm_vacancy - added[: len(firm_vacancy)], 0.0),
            np.bincount(firm_sector[firm_rows], weights=persons, minlength=n_sectors))


# ---------------------------------------------------------------- compiled twins
def _fill_positions_loop(firm_rows, persons, firm_talent, firm_vacancy, firm_sector, n_sectors):
    added, by_sector = np.zeros(len(firm_sector)), np.zeros(n_sectors)
    for i in range(len(firm_rows)):
        added[firm_rows[i]] += persons[i]
        by_sector[firm_sector[firm_rows[i]]] += persons[i]
    talent, vacancy = np.empty(len(firm_talent)), np.empty(len(firm_vacancy))
    for f in range(len(firm_talent)):
        talent[f] = firm_talent[f] + added[f]
    for f in range(len(firm_vacancy)):
        left = firm_vacancy[f] - added[f]
        vacancy[f] = left if left >= 0.0 or left != left else 0.0  # np.maximum(left, 0.0), which keeps NaN
    return talent, vacancy, by_sector


def _firm_totals_loop(sector, alive, is_platform, is_little_giant, is_project, jobs, output, n_sectors):
    # firms come in long runs of one cluster: a run's totals are kept in registers and stored when the cluster
    # changes, so that each add need not wait for the previous one to the same total to reach memory (the adds
    # within each cluster, and so every bit of the totals, are in row order)
    out = np.zeros((7, n_sectors))
    current = -1
    firms = giants = jobs_sum = output_sum = projects = project_jobs = project_output = 0.0
    for i in range(len(sector)):
        if alive[i] and not is_platform[i]:
            s = sector[i]
            if s != current:
                if current >= 0:
                    out[0, current], out[1, current], out[2, current], out[3, current] = firms, giants, jobs_sum, output_sum
                    out[4, current], out[5, current], out[6, current] = projects, project_jobs, project_output
                current = s
                firms, giants, jobs_sum, output_sum = out[0, s], out[1, s], out[2, s], out[3, s]
                projects, project_jobs, project_output = out[4, s], out[5, s], out[6, s]
            project = 1.0 if is_project[i] else 0.0
            firms += 1.0
            giants += 1.0 if is_little_giant[i] else 0.0
            jobs_sum += jobs[i]
            output_sum += output[i]
            projects += project
            project_jobs += project * jobs[i]
            project_output += project * output[i]
    if current >= 0:
        out[0, current], out[1, current], out[2, current], out[3, current] = firms, giants, jobs_sum, output_sum
        out[4, current], out[5, current], out[6, current] = projects, project_jobs, project_output
    return out


def _whole_recruits_loop(firm_rows, tiers, persons, u, scale):
    n = len(firm_rows)
    count = np.empty(n, np.int64)
    for i in range(n):
        expected = persons[i] / (scale if tiers[i] == SKILLED else 1)
        whole = np.floor(expected)
        count[i] = np.int64(whole + (1.0 if u[i] < expected - whole else 0.0))
    total = count.sum()
    employer, tier, per_agent = np.empty(total, np.int64), np.empty(total, np.int64), np.empty(total, np.int64)
    row = 0
    for i in range(n):
        for _ in range(count[i]):
            employer[row], tier[row], per_agent[row] = firm_rows[i], tiers[i], scale if tiers[i] == SKILLED else 1
            row += 1
    return employer, tier, per_agent


def _non_talent_jobs_loop(jobs, firm_talent, alive, is_platform):
    cumulative = np.empty(len(jobs))
    total = 0.0
    for i in range(len(jobs)):
        free = jobs[i] - (firm_talent[i] if i < len(firm_talent) else 0.0)
        # np.maximum(free, 0.0), which keeps NaN
        free = (free if free >= 0.0 or free != free else 0.0) * (1.0 if alive[i] and not is_platform[i] else 0.0)
        # a running sum from the first firm's jobs, as cumsum adds them
        total = free if i == 0 else total + free
        cumulative[i] = total
    return cumulative


def _life_dates_loop(age_months, group, as_of, base, final, first, step, reform):
    n = len(age_months)
    age, birth_month, retire_month = np.empty(n, np.float32), np.empty(n, np.int32), np.empty(n, np.int32)
    for i in range(n):
        birth = as_of - np.int64(age_months[i])
        age[i] = np.float32(age_months[i] / 12)
        birth_month[i] = birth
        g = group[i]
        statutory = base[g]
        if reform:  # written out in each loop: a call to another compiled function here costs more than the loop
            statutory += min(max((birth - first[g]) // step[g] + 1, 0), final[g] - base[g])
        retire_month[i] = birth + statutory
    return age, birth_month, retire_month


def _working_ages_loop(u, lower, upper, edges, density):
    n, n_bands = u.shape[0], density.shape[0]
    ages = np.empty(n, np.int64)
    start, mass, cum = np.empty(n_bands), np.empty(n_bands), np.empty(n_bands)
    for i in range(n):
        lo, hi = lower[i], upper[i]
        for b in range(n_bands):
            # np.clip as min(max(.)), and a running sum from the first band's mass, as cumsum adds them
            start[b] = min(max(edges[b], lo), hi)
            mass[b] = density[b] * (min(max(edges[b + 1], lo), hi) - start[b])
            cum[b] = mass[b] if b == 0 else cum[b - 1] + mass[b]
        if cum[n_bands - 1] <= 0:
            return ages, False
        target = u[i] * cum[n_bands - 1]
        band = 0
        for b in range(n_bands):
            band += cum[b] <= target
        band = min(band, n_bands - 1)
        age = start[band] + (target - (cum[band] - mass[band])) / density[band]
        ages[i] = np.int64(min(max(np.floor(age), lo), hi - 1))
    return ages, True


def _newcomer_lives_loop(u_male, u_cadre, tier, normal, male_share, cadre_share, youngest, as_of, base, final, first, step,
                         reform):
    n = len(u_male)
    sex, track = np.empty(n, np.int8), np.empty(n, np.int8)
    age, birth_month, retire_month = np.empty(n, np.float32), np.empty(n, np.int32), np.empty(n, np.int32)
    for i in range(n):
        male = u_male[i] < male_share
        cadre = tier[i] < SKILLED or u_cadre[i] < cadre_share
        sex[i], track[i] = MALE if male else FEMALE, CADRE if cadre else WORKER
        g = 0 if male else (1 if cadre else 2)
        # at least a year short of the old statutory age, which the reform only raises
        oldest = base[g] / 12 - 1
        age_months = np.floor(min(max(normal[i], youngest), oldest) * 12)
        birth = as_of - np.int64(age_months)
        age[i] = np.float32(age_months / 12)
        birth_month[i] = birth
        statutory = base[g]
        if reform:
            statutory += min(max((birth - first[g]) // step[g] + 1, 0), final[g] - base[g])
        retire_month[i] = birth + statutory
    return sex, track, age, birth_month, retire_month


def _field_and_education_loop(tier, sector, other_field, u_fit, fit_share, u_doctorate, u_level, doctorate_share, cdf, levels):
    n = len(tier)
    field, education = np.empty(n, np.int16), np.empty(n, np.int8)
    for i in range(n):
        field[i] = sector[i] if len(u_fit) and u_fit[i] < fit_share else other_field[i]
        if tier[i] < SKILLED:
            education[i] = DOCTORATE if u_doctorate[i] < doctorate_share else MASTER
        else:
            level = 0
            while level < len(cdf) and cdf[level] <= u_level[i]:
                level += 1
            education[i] = levels[level]
    return field, education


def _add_flows_loop(target, target_age, sector, tier, channels, channel, weight, age):
    S, K, C = target.shape
    # each bin sums its weights in row order from zero before it is added to the month, as numpy's bincount does
    added = np.zeros(S * K * C)
    for i in range(len(weight)):
        code = channels[i] if len(channels) else channel
        cell = (np.int64(sector[i]) * K + tier[i]) * C + code
        if cell < 0 or cell >= len(added):  # where numpy's bincount would refuse rather than write elsewhere
            raise ValueError("recorded flows: a sector, tier or channel outside the recorder's table")
        added[cell] += np.float64(weight[i])
    flat = target.reshape(-1)
    for j in range(S * K * C):
        flat[j] += added[j]
    if len(age):
        C = target_age.shape[1]
        added = np.zeros(AGES * C)
        for i in range(len(weight)):
            code = channels[i] if len(channels) else channel
            cell = np.int64(min(age[i], AGES - 1)) * C + code
            if cell < 0 or cell >= len(added):
                raise ValueError("recorded flows: an age or channel outside the recorder's table")
            added[cell] += np.float64(weight[i])
        flat = target_age.reshape(-1)
        for j in range(AGES * C):
            flat[j] += added[j]


if USING_NUMBA:
    _life_dates_numba = compiled(_life_dates_loop)
    _working_ages_numba = compiled(_working_ages_loop)
    _newcomer_lives_numba = compiled(_newcomer_lives_loop)
    _field_and_education_numba = compiled(_field_and_education_loop)
    _add_flows_numba = compiled(_add_flows_loop)
    _non_talent_jobs_numba = compiled(_non_talent_jobs_loop)
    _whole_recruits_numba = compiled(_whole_recruits_loop)
    _firm_totals_numba = compiled(_firm_totals_loop)
    _fill_positions_numba = compiled(_fill_positions_loop)


# ---------------------------------------------------------------- the passes
def life_dates(*, age_months: np.ndarray, group: np.ndarray, as_of: int, rules: dict[str, np.ndarray],
               reform: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Age in years (float32), birth month and retirement month (int32) of agents ``age_months`` old at the end of
    month ``as_of``; ``rules`` are the statutory rules' arrays by retirement group (``sim.demography``)."""
    args = (int(as_of), rules["base"], rules["final"], rules["first"], rules["step"], bool(reform))
    if USING_NUMBA:
        return _life_dates_numba(np.asarray(age_months), np.asarray(group, np.int64), *args)
    return _life_dates_numpy(age_months, group, *args)


def working_ages(*, u: np.ndarray, lower_months: np.ndarray, upper_months: np.ndarray, edges_months: np.ndarray,
                 density: np.ndarray) -> np.ndarray:
    """Ages in whole months on each agent's [lower, upper) with the piecewise-constant ``density`` between
    ``edges_months``, by inversion of the uniforms ``u``. Raises ValueError if an agent's interval holds no mass."""
    args = (np.asarray(u, np.float64), np.asarray(lower_months, np.float64), np.asarray(upper_months, np.float64),
            np.asarray(edges_months, np.float64), np.asarray(density, np.float64))
    ages, ok = (_working_ages_numba if USING_NUMBA else _working_ages_numpy)(*args)
    if not ok:
        raise ValueError("working ages: an agent's interval [lower, upper) holds no mass under the density")
    return ages


def newcomer_lives(*, u_male: np.ndarray, u_cadre: np.ndarray, tier: np.ndarray, normal: np.ndarray, male_share: float,
                   cadre_share: float, youngest: float, as_of: int, rules: dict[str, np.ndarray],
                   reform: bool) -> tuple[np.ndarray, ...]:
    """Sex, track, age, birth month and retirement month of new agents from their draws: ``u_male`` and ``u_cadre``
    uniforms, ``normal`` ages in years, kept between ``youngest`` and a year short of the old statutory age."""
    args = (float(male_share), float(cadre_share), float(youngest), int(as_of), rules["base"], rules["final"], rules["first"],
            rules["step"], bool(reform))
    kernel = _newcomer_lives_numba if USING_NUMBA else _newcomer_lives_numpy
    return kernel(u_male, u_cadre, tier, normal, *args)


def field_and_education(*, tier: np.ndarray, sector: np.ndarray, other_field: np.ndarray, u_fit: np.ndarray, fit_share: float,
                        u_doctorate: np.ndarray, u_level: np.ndarray, doctorate_share: float, cdf: np.ndarray,
                        levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Field of study (int16): the sector where ``u_fit < fit_share``, else ``other_field`` (``other_field`` alone when
    ``u_fit`` is empty); education (int8): doctorate or master for high-end tiers, for the skilled tier the level
    whose cumulative share ``cdf`` first exceeds ``u_level``."""
    kernel = _field_and_education_numba if USING_NUMBA else _field_and_education_numpy
    return kernel(tier, sector, other_field, u_fit, float(fit_share), u_doctorate, u_level, float(doctorate_share), cdf, levels)


NO_AGES = np.empty(0, np.float32)
NO_CHANNELS = np.empty(0, np.int8)


def add_flows(*, target: np.ndarray, target_age: np.ndarray, sector: np.ndarray, tier: np.ndarray, channel: np.ndarray | int,
              weight: np.ndarray, age: np.ndarray | None) -> None:
    """Add persons to a month's flows by sector x tier x channel (``target``, in place), and by single year of age x
    channel (``target_age``) when ``age`` is given; ``channel`` is one code or one per person."""
    channels = np.asarray(channel) if isinstance(channel, (np.ndarray, list, tuple)) else None
    if channels is None or channels.ndim == 0:
        code, channels = int(channel), NO_CHANNELS
    else:
        code = 0
    age = NO_AGES if age is None else age
    if USING_NUMBA:
        _add_flows_numba(target, target_age, sector, tier, channels, code, weight, age)
    else:
        _add_flows_numpy(target, target_age, sector, tier, channels, code, weight, age)


def cumulative_non_talent_jobs(*, jobs: np.ndarray, firm_talent: np.ndarray, alive: np.ndarray, is_platform: np.ndarray) -> np.ndarray:
    """Running sum over firm rows of the jobs not held by talent (``firm_talent``, shorter when firms entered since it was
    counted), none in closed firms or research platforms."""
    kernel = _non_talent_jobs_numba if USING_NUMBA else _non_talent_jobs_numpy
    return kernel(jobs, firm_talent, alive, is_platform)


def whole_recruits(*, firm_rows: np.ndarray, tiers: np.ndarray, persons: np.ndarray, u: np.ndarray,
                   scale: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entry i's ``persons[i]`` of tier ``tiers[i]`` for firm ``firm_rows[i]`` as whole agents, rounded up where the
    uniform ``u[i]`` falls below the fraction: one row per agent of its employer, tier and persons it stands for
    (``scale`` in the skilled tier, else one), all int64."""
    kernel = _whole_recruits_numba if USING_NUMBA else _whole_recruits_numpy
    return kernel(firm_rows, tiers, persons, u, int(scale))


def firm_totals(*, sector: np.ndarray, alive: np.ndarray, is_platform: np.ndarray, is_little_giant: np.ndarray, is_project: np.ndarray,
                jobs: np.ndarray, output: np.ndarray, n_sectors: int) -> np.ndarray:
    """By sector, over firms in business (research platforms left out), 7 x sectors: firms, little giants, jobs, output,
    project firms, their jobs and their output; each sum in row order."""
    kernel = _firm_totals_numba if USING_NUMBA else _firm_totals_numpy
    return kernel(sector, alive, is_platform, is_little_giant, is_project, jobs, output, int(n_sectors))


def filled_positions(*, firm_rows: np.ndarray, persons: np.ndarray, firm_talent: np.ndarray, firm_vacancy: np.ndarray,
                     firm_sector: np.ndarray, n_sectors: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Persons taking talent positions in firms ``firm_rows``: new arrays of each firm's talent and vacancies (never
    below zero), and the persons by sector. ``firm_talent`` and ``firm_vacancy`` may be shorter than the firm table."""
    if max(len(firm_talent), len(firm_vacancy)) > len(firm_sector):
        raise ValueError(f"filled positions: talent ({len(firm_talent)}) and vacancies ({len(firm_vacancy)}) are counted for more "
                         f"firms than the {len(firm_sector)} there are")
    kernel = _fill_positions_numba if USING_NUMBA else _fill_positions_numpy
    return kernel(firm_rows, persons, firm_talent, firm_vacancy, firm_sector, int(n_sectors))
