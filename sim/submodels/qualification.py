"""§7.11 Qualification (docs/ODD.md): residents who are not talent gain a qualification (a skill certificate,
a professional title, a degree by part-time study) and so join the talent stock, in the job they hold;
the skills-upgrading lever's subsidised trainees raise the rate. They leave the non-talent cohorts
without migrating, so that residents = non-talent cohorts + talent agents stays exact.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from mesa import Model

from sim import cohort_kernels, demography
from sim.categories import AGES, CHANNEL, SEXES, SKILLED
from sim.submodels import inflows
from sim.talent import EMPLOYED, Cohort

# ages [lower, upper) of the bands of the qualification rate; none below 18 or from 55
BANDS = ((18, 25), (25, 35), (35, 45), (45, 55))
SETTLED_FROM_AGE = 16  # a resident's tenure counts at most from the end of compulsory schooling


def monthly_chance(rates) -> np.ndarray:
    """The base chance of gaining a qualification in a month, by single year of age (read-only: the same every month
    of a run, so computed once per set of rates)."""
    return _monthly_chance(rates.qualification_rate_per_year, (rates.relative_rate_18_24, 1.0, rates.relative_rate_35_44,
                                                               rates.relative_rate_45_54))


def _annual_rates(rate_per_year: float, relative: tuple[float, ...]) -> np.ndarray:
    by_age = np.zeros(AGES)
    for (lower, upper), factor in zip(BANDS, relative):
        by_age[lower:upper] = rate_per_year * factor
    return by_age


@lru_cache(maxsize=64)
def _monthly_chance(rate_per_year: float, relative: tuple[float, ...]) -> np.ndarray:
    chance = -np.expm1(-_annual_rates(rate_per_year, relative) / 12)
    chance.flags.writeable = False
    return chance


def funded_certificates(model: Model) -> float:
    """Additional qualifications the skills lever pays for this month: the trainees it can fund, times the share
    who gain a certificate, less those who would have gained it anyway (deadweight)."""
    skills = model.levers.skills
    trainees = skills.trainees_per_year / 12
    trainees *= model.government.request("skills", trainees * skills.cost_per_trainee_yuan)
    return trainees * skills.certification_share * (1 - model.unc.qualification.deadweight_share)


def expected_qualifications(non_talent: np.ndarray, *, chance: np.ndarray, additional: float) -> np.ndarray:
    """Persons by sex x age expected to qualify in the month: the base hazard on each cohort, and the lever's
    ``additional`` certificates spread over the cohorts like the base ones (the subsidy raises the rate at every
    age alike; with no base rate, over the working-age bands in proportion to their residents)."""
    base = non_talent * chance[None, :]
    profile = base if base.sum() > 0 else non_talent * (qualifying_ages()[None, :])
    if additional <= 0 or profile.sum() <= 0:
        return base
    return base + additional * profile / profile.sum()


def qualifying_ages() -> np.ndarray:
    """Ages with a qualification rate (the bands' span)."""
    mask = np.zeros(AGES, dtype=bool)
    mask[BANDS[0][0]:BANDS[-1][1]] = True
    return mask


def whole_agents(expected: np.ndarray, *, non_talent: np.ndarray, per_agent: float, u: np.ndarray) -> np.ndarray:
    """Agents per cohort cell: the expected persons over ``per_agent`` rounded stochastically (``u`` uniform), so
    that the expected persons are exact at any scale, and never more persons than the cell holds."""
    x = expected / per_agent
    count = np.floor(x) + (u < x - np.floor(x))
    return np.minimum(count, np.floor(non_talent / per_agent)).astype(np.int64)


def employers(model: Model, n: int) -> np.ndarray:
    """Firm rows of the newly qualified: they keep the job they hold, drawn in proportion to each firm's jobs not
    held by talent (research platforms and closed firms hold none)."""
    fm = model.firms
    cumulative = cohort_kernels.cumulative_non_talent_jobs(jobs=fm.view("jobs"), firm_talent=model.firm_talent, alive=fm.view("alive"),
                                                           is_platform=fm.view("is_platform"))
    if n == 0 or cumulative[-1] <= 0:
        return np.empty(0, dtype=np.int64)
    return np.minimum(np.searchsorted(cumulative, model.draw.random(n) * cumulative[-1], side="right"), fm.size - 1)


def fill_positions(model: Model, *, firm_rows: np.ndarray, persons: np.ndarray) -> None:
    """The newly qualified hold talent positions from now on: their firms' talent, firm vacancies and the skilled
    vacancies of their sectors are what firm planning (§7.2) would compute with them, so matching (§7.4) does not
    hire into positions they fill."""
    model.firm_talent, model.firm_vacancy, by_sector = cohort_kernels.filled_positions(
        firm_rows=firm_rows, persons=persons, firm_talent=model.firm_talent, firm_vacancy=model.firm_vacancy,
        firm_sector=model.firms.view("sector"), n_sectors=model.S)
    model.vacancies[:, SKILLED] = np.maximum(model.vacancies[:, SKILLED] - by_sector, 0.0)


def qualify(model: Model) -> None:
    res, rng, demo = model.residents, model.draw, model.unc.demography
    expected = expected_qualifications(res.non_talent, chance=monthly_chance(model.unc.qualification),
                                       additional=funded_certificates(model))
    per_agent = float(model.scale)
    count = whole_agents(expected, non_talent=res.non_talent, per_agent=per_agent, u=rng.random(expected.shape))
    cell = np.repeat(np.arange(count.size), count.ravel())
    sex, years = np.divmod(cell, AGES)
    sex = sex.astype(np.int8)
    n = len(cell)
    # women are on the cadre (professional) track as the skilled tier's are (§5); the track matters for women only
    track = np.where(rng.random(n) < demo.women_cadre_share_skilled, demography.CADRE, demography.WORKER).astype(np.int8)
    age_months = years * 12 + rng.integers(0, 12, size=n)
    age, birth_month, retire_month = demography.life_dates(age_months, sex, track, as_of=model.ages_as_of, demography=demo)
    # a woman on the worker track past her statutory age has retired: she does not join the talent
    working = retire_month > model.start + model.t
    firm = employers(model, int(working.sum()))
    if len(firm) == 0:
        return
    keep = np.flatnonzero(working)
    cell, sex, track, age, birth_month, retire_month = (a[keep] for a in (cell, sex, track, age, birth_month, retire_month))
    n = len(keep)
    res.non_talent -= (np.bincount(cell, minlength=count.size) * per_agent).reshape(len(SEXES), AGES)
    res.flows["qualifications"][model.t] = n * per_agent
    sector = model.firms.sector[firm].astype(np.int16)
    months, children, housing = inflows.settled_circumstances(model, age=age, from_age=SETTLED_FROM_AGE)
    weight = np.full(n, per_agent, dtype=np.float32)
    tier = np.full(n, SKILLED, np.int8)
    field, education = inflows.draw_field_and_education(model, tier=tier, sector=sector, fitting=True)
    model.pool.add(Cohort(
        status=np.full(n, EMPLOYED, np.int8), tier=tier, sector=sector, employer=firm.astype(np.int32), field=field, education=education,
        age=age, sex=sex, track=track, birth_month=birth_month, retire_month=retire_month, housing=housing,
        children=children, months_in_city=months, weight=weight, channel=np.full(n, CHANNEL["qualification"], np.int8),
        uid=model.mint_ids(n, source="qualification")))
    fill_positions(model, firm_rows=firm, persons=weight.astype(float))
    model.recorder.add_inflow(sector=sector, tier=tier, channel=CHANNEL["qualification"], weight=weight, age=age)
