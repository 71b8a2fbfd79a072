"""§7.0 Notation and common utilities (docs/ODD.md): the utilities that seekers, candidates and
residents weigh — a cluster, a competing city, a talent apartment, schools.
"""

from __future__ import annotations

import numpy as np
from mesa import Model


def logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    top = np.max(x, axis=axis, keepdims=True)
    return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(x - top), axis=axis))


def sector_utility(model: Model) -> np.ndarray:
    """Systematic utility of working in each sector, by tier (S x K), common to everyone."""
    beh = model.beh
    d = model.sector_district
    hospital = np.log(model.hospital_beds / model.region.initial.hospital_beds.value)
    v = beh.wage_weight * np.log(model.wage) - beh.rent_weight * np.log(model.rent[d])[:, None] + beh.service_weight * hospital
    if model.interactions:
        talent = model.stock.sum(axis=1)
        v = v + beh.thick_market_weight * np.log(np.maximum(talent, 1.0) / model.talent_initial.sum(axis=1))[:, None]
    return v


def outside_utility(model: Model) -> np.ndarray:
    """Utility of each competing city, by tier (J x K)."""
    beh = model.beh
    shock = np.where(model.t >= model.competitor_shock_start, model.competitor_shock, 0.0)
    wage = (model.region.skilled_wage_yuan.value * model.competitor_wage_index[:, None] * model.tier_wage[None, :]
            * (1 + model.unc.wage_growth) ** model.years)
    rent = model.competitor_rent * (1 + model.unc.rent_trend) ** model.years
    return (beh.wage_weight * np.log(wage) - beh.rent_weight * np.log(rent)[:, None]
            + (model.competitor_constant + model.competitor_trend * model.years + shock)[:, None])


def alternative_city_utility(model: Model) -> np.ndarray:
    """Utility of the typical alternative city, by tier: the log-mean-exp over competing cities."""
    return logsumexp(outside_utility(model), axis=0) - np.log(model.J)


def apartment_bonus(model: Model) -> float:
    return -model.beh.rent_weight * np.log(max(1 - model.levers.housing.rent_discount, model.beh.min_housing_cost_share))


def newcomer_housing_term(model: Model) -> np.ndarray:
    """Expected utility gain from apartment support for a newcomer, by district."""
    free = np.maximum(model.apartment_supply - model.apartments_occupied, 0.0)
    p_apartment = np.minimum(1.0, (free + model.apartment_supply / model.beh.apartment_turnover_months) / (model.queue_by_district() + 1.0))
    return -model.beh.rent_weight * np.log(np.maximum(1 - model.levers.housing.rent_discount * p_apartment, model.beh.min_housing_cost_share))


def school_term(model: Model) -> float:
    return model.beh.school_weight * np.log(model.school_places / model.region.initial.school_places.value)
