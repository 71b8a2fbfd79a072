"""§7.1 Policy update (docs/ODD.md): a scheduled lever change takes effect; apartments completed;
services added; loans disbursed and industry funds paid out (to start-ups, §7.8); research platforms open, grow and are paid for.
"""

from __future__ import annotations

import numpy as np
from mesa import Model

from sim.categories import CHANNEL
from sim.config import Levers
from sim.firm_kernels import add_loans, loan_weights
from sim.kernels import recent_arrivals_weight
from sim.submodels import utility
from sim.talent import SEARCHING


def update_policy(model: Model) -> None:
    if model.t in model.lever_changes:
        switch_levers(model, model.lever_changes[model.t])
    gov, lev = model.government, model.levers
    # talent apartments completed
    want = lev.housing.apartments_per_year / 12.0
    share = gov.request("housing", want * lev.housing.cost_per_apartment_yuan)
    model.apartment_supply += want * share * model.district_share
    # services, funded in this order when the budget binds: running events and school places
    # already open come before the graduate card, new school places and new hospital beds
    s = lev.services
    running = s.culture_events_per_year / 12 * s.cost_per_culture_event_yuan + model.school_places_added * s.cost_per_school_place_yuan / 12
    reserve = running * (12 - model.month_of_year)
    events_share = gov.request("services", s.culture_events_per_year / 12 * s.cost_per_culture_event_yuan)
    model.culture_events = s.culture_events_per_year * events_share
    gov.request("services", model.school_places_added * s.cost_per_school_place_yuan / 12)
    new_places = s.school_places_per_year / 12
    model.school_places_added += new_places * gov.request("services", new_places * s.cost_per_school_place_yuan / 12, reserve_yuan=reserve)
    model.school_places = model.region.initial.school_places.value + model.school_places_added
    pool = model.pool
    card_holders = recent_arrivals_weight(channel=pool.view("channel"), months_in_city=pool.view("months_in_city"), status=pool.view("status"),
                                          weight=pool.view("weight"), channel_code=CHANNEL["graduate"],
                                          months_below=12 * s.graduate_card_years, searching=SEARCHING)
    # the card is paid after the running costs of the rest of the year are held back, so that it never
    # leaves the year's last months without culture events or open school places
    gov.request("services", card_holders * s.graduate_card_yuan / 12, reserve_yuan=reserve)
    new_beds = s.hospital_beds_per_year / 12
    model.hospital_beds += new_beds * gov.request("services", new_beds * s.cost_per_hospital_bed_yuan, reserve_yuan=reserve)
    # the users the services are shared among, at the start of the month (§7.0); fixed without interactions
    model.service_users = utility.service_users(model) if model.interactions else model.service_users0
    # loans and funds
    f = lev.funding
    model.loans_outstanding *= 1 - 1 / (12 * f.loan_term_years)
    new_loans = f.loans_per_year_yuan / 12
    gov.request("funding", model.loans_outstanding * f.interest_subsidy_rate / 12)
    model.fund_paid = np.zeros(model.S)  # invested in start-ups by firm entry (§7.8)
    for s_idx, left in model.fund_remaining.items():
        pay = min(left, f.industry_funds_yuan.get(model.region.sector_ids[s_idx], 0.0) / (12 * f.fund_years))
        pay *= gov.request("funding", pay)
        model.fund_remaining[s_idx] = left - pay
        model.fund_paid[s_idx] = pay
    disburse_loans(model, new_loans=new_loans)
    model.loans_outstanding += new_loans
    # research platforms open, grow and are paid for
    for p in model.platforms:
        if p.opens == model.t:
            model.firms.alive[p.firm_row] = True
        if model.t >= p.opens:
            p.capacity *= (1 + lev.platforms.capacity_growth_per_year) ** (1 / 12)
    talent_at = getattr(model, "firm_talent", np.zeros(model.firms.size))
    hosted = sum(talent_at[p.firm_row] for p in model.platforms if model.t >= p.opens and p.firm_row < len(talent_at))
    cost = hosted * lev.platforms.running_cost_per_talent_yuan / 12 + sum(p.yearly_cost / 12 for p in model.platforms if model.t >= p.opens)
    model.platform_funding_share = gov.request("platforms", cost)


def switch_levers(model: Model, levers: Levers) -> None:
    """A scheduled change of policy: new settings and budgets; newly pledged fund money is added."""
    before = model.levers.funding.industry_funds_yuan
    for cluster, amount in levers.funding.industry_funds_yuan.items():
        extra = amount - before.get(cluster, 0.0)
        if extra > 0:
            s_idx = model.region.sector_ids.index(cluster)
            model.fund_remaining[s_idx] = model.fund_remaining.get(s_idx, 0.0) + extra
    model.levers = levers
    model.government.set_levers(levers)


def disburse_loans(model: Model, *, new_loans: float) -> None:
    """Every firm's funding is repaid at the loan term; new loans go to leading-talent projects and
    little giants, by size. (The industry funds back start-ups: §7.8.)"""
    fm = model.firms
    decay = 1 - 1 / (12 * model.levers.funding.loan_term_years)
    weights, any_target = loan_weights(funding=fm.view("funding"), jobs=fm.view("jobs"), alive=fm.view("alive"), is_project=fm.view("is_project"),
                                       is_little_giant=fm.view("is_little_giant"), decay=decay)
    if any_target:
        add_loans(funding=fm.view("funding"), weights=weights, new_loans=new_loans, total=weights.sum())
