"""§7.5 Housing (docs/ODD.md): apartment eligibility and queue, allocation by district, the rent
discount paid, home purchases, and market rents.
"""

from __future__ import annotations

import numpy as np
from mesa import Model

from sim.categories import SKILLED
from sim import market_kernels
from sim.housing_kernels import housing_rows, purchase_rows, queue_places
from sim.talent import APARTMENT, EMPLOYED, MARKET, OWNER, SEARCHING

HOUSING_CODES = {"apartment": APARTMENT, "market": MARKET, "skilled": SKILLED, "employed": EMPLOYED, "searching": SEARCHING}


def allocate_housing(model: Model) -> None:
    p, lev, gov = model.pool, model.levers.housing, model.government
    eligible_months = 12 * lev.skilled_eligibility_years
    # skilled tenants whose eligibility ended move to the market; the queue keeps employed talent in market
    # housing: high-end tiers always, skilled talent in its first years
    occupied, queued = housing_rows(housing=p.view("housing"), tier=p.view("tier"), months_in_city=p.view("months_in_city"),
                                    status=p.view("status"), queue_since=p.view("queue_since"), sector=p.view("sector"),
                                    weight=p.view("weight"), sector_district=model.sector_district, eligible_months=eligible_months,
                                    n_districts=model.D, codes=HOUSING_CODES)
    free = np.maximum(model.apartment_supply - occupied, 0.0)
    if len(queued):
        take = apartment_allocation(model, queued, free=free)
        occupied += market_kernels.move_in(take, housing=p.view("housing"), code=APARTMENT, queue_since=p.view("queue_since"), queue_mark=-1,
                                           sector=p.view("sector"), weight=p.view("weight"), sector_district=model.sector_district,
                                           n_districts=model.D)
    model.apartments_occupied = occupied
    # rent discount paid by the housing lever; an unfunded month leaves tenants in place (the city owns the flats)
    discount_cost = float((occupied * model.rent).sum() * lev.rent_discount)
    gov.request("housing", discount_cost)
    # home purchases: renters with two years in the city; subsidy for high-end tiers
    if not model.fixed_rates:
        buy_homes(model)
    # market rent follows renting talent
    if model.interactions:
        renters_d = model.renters_by_district()
        model.rent = model.rent0 * (1 + model.unc.rent_trend) ** model.years * (np.maximum(renters_d, 1.0) / model.renters0) ** model.beh.rent_demand_elasticity
    else:
        model.rent = model.rent0 * (1 + model.unc.rent_trend) ** model.years


def apartment_allocation(model: Model, queued: np.ndarray, *, free: np.ndarray) -> np.ndarray:
    """Queued rows that get a free apartment in their district.

    High-end tiers come first, then the newest arrivals, then earlier rows: apartments are
    transitional housing for newcomers, who are also the most mobile, so each further apartment
    reaches talent that is more settled than the last (diminishing returns, P6). Whole places in
    the queue (district x priority x month queued) are served at once; only the place where the
    free apartments run out is served row by row.
    """
    p = model.pool
    n_places = 2 * (model.n_months + 1)
    district, place, weight, queue = queue_places(queued=queued, sector=p.sector, tier=p.tier, queue_since=p.queue_since, weight=p.weight,
                                                  sector_district=model.sector_district, n_months=model.n_months, n_districts=model.D,
                                                  skilled=SKILLED)
    take = market_kernels.apartments_taken(district=district, place=place, weight=weight, queue=queue.reshape(model.D, n_places),
                                           free=free)
    return queued[take]


def buy_homes(model: Model) -> None:
    p, lev, gov = model.pool, model.levers.housing, model.government
    price = model.rent * 12 * model.beh.price_to_annual_rent
    base = model.beh.purchase_rate_per_year / 12
    high_end_rate = base * (1 + model.beh.purchase_subsidy_elasticity * lev.purchase_subsidy_yuan / price)
    # renters with the tenure to buy whose draw is below the highest rate, then each against its own rate
    drawn = purchase_rows(p.view("uid"), status=p.view("status"), searching=SEARCHING, housing=p.view("housing"), owner=OWNER,
                          months_in_city=p.view("months_in_city"), min_months=model.beh.purchase_min_tenure_months,
                          key=model.draw_key("purchase"), below=max(base, float(high_end_rate.max())))
    rate = np.where(p.tier[drawn] < SKILLED, high_end_rate[model.sector_district[p.sector[drawn]]], base)
    buys = drawn[model.keyed_uniforms(p.uid[drawn], draw="purchase") < rate]
    subsidised = float(p.weight[buys][p.tier[buys] < SKILLED].sum())
    share = gov.request("housing", subsidised * lev.purchase_subsidy_yuan)
    if share < 1:  # without the subsidy some high-end buyers wait
        keep = (p.tier[buys] >= SKILLED) | (model.keyed_uniforms(p.uid[buys], draw="purchase_wait") < share)
        buys = buys[keep]
    moving_out = buys[p.housing[buys] == APARTMENT]  # a tenant who buys frees the apartment
    model.apartments_occupied = model.apartments_occupied - market_kernels.move_in(
        moving_out, housing=p.view("housing"), code=OWNER, queue_since=p.view("queue_since"), queue_mark=None, sector=p.view("sector"),
        weight=p.view("weight"), sector_district=model.sector_district, n_districts=model.D)
    p.housing[buys] = OWNER
