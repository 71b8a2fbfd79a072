"""§7.0 Notation and common utilities (docs/ODD.md): the utilities that seekers, candidates and
residents weigh — a cluster, a competing city, a talent apartment, and the city's services per user
(tertiary hospital beds per resident, school places per talent family, culture events per talent).
"""

from __future__ import annotations

import numpy as np
from mesa import Model

from sim import market_kernels, market_passes


def logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    if x.ndim == 2 and axis == 1 and x.shape[1] < 8:
        return _logsumexp_few_columns(x)
    top = np.max(x, axis=axis, keepdims=True)
    return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(x - top), axis=axis))


def _logsumexp_few_columns(x: np.ndarray) -> np.ndarray:
    """``logsumexp(x, axis=1)`` for a few columns (a choice among a few alternatives), column by column.

    numpy reduces a short row in a slow per-row loop, over ten times slower than whole columns; below
    eight columns its sum adds a row's terms in order, as this does, so the numbers are the same.
    """
    top = x[:, 0]
    for j in range(1, x.shape[1]):
        top = np.maximum(top, x[:, j])
    total = np.exp(x[:, 0] - top)
    for j in range(1, x.shape[1]):
        total = total + np.exp(x[:, j] - top)
    return top + np.log(total)


def pick_alternative(prob: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The alternative each row's uniform ``u`` picks, by inversion of the row's cumulative probabilities
    (``prob``: rows x alternatives): the number of cumulative sums below ``u``, at most the last alternative.
    Accumulated in the order ``np.cumsum`` adds a row's terms."""
    return market_kernels.pick_alternative(prob, u)


def sector_utility(model: Model) -> np.ndarray:
    """Systematic utility of working in each sector, by tier (S x K), common to everyone."""
    beh = model.beh
    hospital = service_level(model, service="hospital_beds", stock=model.hospital_beds, start=model.region.initial.hospital_beds.value)
    thick_log = None
    if model.interactions:
        thick_log = np.log(np.maximum(model.stock.sum(axis=1), 1.0) / model.talent_initial.sum(axis=1))
    # wage, rent, hospitals and the thick market weighed and added up in one pass; the wage of a sector whose spillover
    # is minus infinity (no talent left in it or its links, docs/ODD.md §13) is zero and its utility minus infinity
    with np.errstate(divide="ignore"):
        wage_log = np.log(model.wage)
    return market_passes.sector_utility(wage_log=wage_log, rent_log=np.log(model.rent[model.sector_district]),
                                        thick_log=thick_log, wage_weight=beh.wage_weight, rent_weight=beh.rent_weight,
                                        service_term=beh.service_weight * hospital, thick_weight=beh.thick_market_weight)


def outside_utility(model: Model) -> np.ndarray:
    """Utility of each competing city, by tier (J x K), in this month (not to be written to)."""
    return _outside_utility_table(model)[0][model.t]


def alternative_city_utility(model: Model) -> np.ndarray:
    """Utility of the typical alternative city, by tier: the log-mean-exp over competing cities (not to be written to)."""
    return _outside_utility_table(model)[1][model.t]


def _outside_utility_table(model: Model) -> tuple[np.ndarray, np.ndarray]:
    """The competing cities' utility (months x J x K) and the alternative city's (months x K) for every month
    of the run, worked out at once: they depend on the month alone, and the newcomers' and the residents'
    choices weigh them every month. Every element is what the month's own arithmetic would give."""
    table = getattr(model, "_outside_utility_by_month", None)
    if table is not None and len(table[0]) > model.t:
        return table
    beh = model.beh
    months = np.arange(max(model.n_months, model.t) + 1)
    years = [int(t) / 12.0 for t in months]  # the model's years in each month
    wage_growth = np.array([(1 + model.unc.wage_growth) ** y for y in years])
    rent_growth = np.array([(1 + model.unc.rent_trend) ** y for y in years])
    base_wage = model.region.skilled_wage_yuan.value * model.competitor_wage_index[:, None] * model.tier_wage[None, :]
    wage = base_wage[None, :, :] * wage_growth[:, None, None]
    rent = model.competitor_rent[None, :] * rent_growth[:, None]
    shock = np.where(months[:, None] >= model.competitor_shock_start[None, :], model.competitor_shock[None, :], 0.0)
    trend = model.competitor_constant[None, :] + model.competitor_trend[None, :] * np.array(years)[:, None] + shock
    outside = beh.wage_weight * np.log(wage) - beh.rent_weight * np.log(rent)[:, :, None] + trend[:, :, None]
    alternative = logsumexp(outside, axis=1) - np.log(model.J)
    outside.flags.writeable = alternative.flags.writeable = False  # shared by every later month's choices
    model._outside_utility_by_month = (outside, alternative)
    return model._outside_utility_by_month


def log_vacancy_share(model: Model) -> np.ndarray:
    """Log of each sector's share of its tier's vacancies (S x K), the size of its market in the sector logits.
    Matching and retention both weigh it; it is worked out once for the month's vacancies (not to be written to)."""
    month, vacancies, log_share = getattr(model, "_log_vacancy_share_of_month", (None, None, None))
    if month != model.t or vacancies is not model.vacancies:
        share = model.vacancies / np.maximum(model.vacancies.sum(axis=0, keepdims=True), 1e-9)
        log_share = np.log(np.maximum(share, 1e-12))
        log_share.flags.writeable = False  # shared by matching and retention
        model._log_vacancy_share_of_month = (model.t, model.vacancies, log_share)
    return log_share


def apartment_bonus(model: Model) -> float:
    return -model.beh.rent_weight * np.log(max(1 - model.levers.housing.rent_discount, model.beh.min_housing_cost_share))


def newcomer_housing_term(model: Model) -> np.ndarray:
    """Expected utility gain from apartment support for a newcomer, by district."""
    free = np.maximum(model.apartment_supply - model.apartments_occupied, 0.0)
    p_apartment = np.minimum(1.0, (free + model.apartment_supply / model.beh.apartment_turnover_months) / (model.queue_by_district() + 1.0))
    return -model.beh.rent_weight * np.log(np.maximum(1 - model.levers.housing.rent_discount * p_apartment, model.beh.min_housing_cost_share))


def school_term(model: Model) -> float:
    return model.beh.school_weight * service_level(model, service="school_places", stock=model.school_places,
                                                   start=model.region.initial.school_places.value)


def culture_term(model: Model) -> float:
    """Attachment from culture events per talent; one event is added to both counts so that no events stays finite."""
    return model.beh.culture_attachment * service_level(model, service="culture_events", stock=1 + model.culture_events,
                                                        start=1 + model.culture_events0)


# who each service is for: its places are shared among these users (sim.categories.SERVICE_KINDS)
SERVICE_USERS = {"hospital_beds": "residents", "school_places": "talent households with children", "culture_events": "talent"}


def service_users(model: Model) -> dict[str, float]:
    """The users of each service at the end of last month: all residents share the hospitals (§7.10), talent
    households with children the school places open to talent families, talent the culture events for talent."""
    talent = float(model.recorder.stock[model.t].sum())
    families = float(model.recorder.families[model.t])
    return {"hospital_beds": float(model.residents.non_talent_total[model.t]) + talent, "school_places": families, "culture_events": talent}


def service_level(model: Model, *, service: str, stock: float, start: float) -> float:
    """Log of the service's places per user relative to the end of 2021: the stock grows by the lever, the
    users by the city's growth, which dilutes it. Without interactions the users stay at their end-2021 level."""
    users, users0 = model.service_users[service], model.service_users0[service]
    return float(np.log(stock / start) - np.log(max(users, 1.0) / max(users0, 1.0)))
