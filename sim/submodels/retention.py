"""§7.6 Retention and exit (docs/ODD.md): retirement; employed talent weighs staying, moving to
another cluster or leaving; displaced talent that searched too long leaves; ageing, tenure, births.
"""

from __future__ import annotations

import numpy as np
from mesa import Model

from sim import market_kernels, market_passes
from sim.categories import CHANNEL, K
from sim.submodels import utility
from sim.kernels import age_and_first_child, retiring_and_considering
from sim.talent import APARTMENT, CANDIDATE, EMPLOYED, GONE, OWNER, SEARCHING


def retain_and_exit(model: Model) -> None:
    p, beh = model.pool, model.beh
    if model.fixed_rates:
        rows = np.flatnonzero(p.resident_mask())
        leave = rows[model.keyed_uniforms(p.uid[rows], draw="fixed_exit") < model.config.exit_rate_fixed]
        dest = np.minimum((model.keyed_uniforms(p.uid[leave], draw="fixed_destination") * model.J).astype(np.int64), model.J - 1)
        depart(model, leave, channel=dest)
        return
    # statutory retirement in the month the agent reaches its age (sim.demography; retire_month is set at creation)
    # and, from the same pass, the employed talent that weighs a move this month (the retirees having left)
    month = model.start + model.t
    retire, considering = retiring_and_considering(p.view("uid"), retire_month=p.view("retire_month"), status=p.view("status"), month=month,
                                                   searching=SEARCHING, employed=EMPLOYED, key=model.draw_key("consider_move"),
                                                   below=beh.consider_move_per_month)
    depart(model, retire, channel=np.full(len(retire), model.recorder.out_retirement))
    # those weighing a move stay, look for a job in another cluster or leave the city
    outside = None  # the competing cities' utility (J x K), worked out once in the month if anyone weighs them
    if len(considering):
        outside = utility.outside_utility(model)
        alts = move_alternatives(model, considering, outside=outside)
        prob = choice_probabilities(alts)
        u = model.keyed_uniforms(p.uid[considering], draw="move_choice")
        pick = utility.pick_alternative(prob, u)
        p.job_seeking[considering[pick == 1]] = 1
        leavers = pick >= 2
        depart(model, considering[leavers], channel=pick[leavers] - 2)
    # displaced talent that has searched too long leaves
    gave_up = market_kernels.count_down_search(status=p.view("status"), search_left=p.view("search_left"), searching=SEARCHING)
    if len(gave_up):
        outside = utility.outside_utility(model) if outside is None else outside
        v_out = outside[:, p.tier[gave_up].astype(np.int64)].T
        prob = choice_probabilities(v_out)
        u = model.keyed_uniforms(p.uid[gave_up], draw="destination")
        dest = utility.pick_alternative(prob, u)
        depart(model, gave_up, channel=dest)
    # ageing: whole months since birth, every row at once (departed rows are never read again), so that age
    # and birth month never drift apart; tenure: every row but the newcomers still searching, who are not in
    # the city yet; and, at their new age, a first child for childless residents aged 25-40
    p.children[age_and_first_child(age=p.view("age"), birth_month=p.view("birth_month"), months_in_city=p.view("months_in_city"),
                                   status=p.view("status"), month=month, newcomer_code=CANDIDATE, ids=p.view("uid"),
                                   children=p.view("children"), key=model.draw_key("first_child"), below=beh.child_rate_per_year / 12,
                                   searching=SEARCHING, age_from=25, age_to=40)] = 1
    model.ages_as_of = month


def choice_probabilities(util: np.ndarray) -> np.ndarray:
    """Logit probabilities of each row's alternatives (rows x alternatives)."""
    if util.shape[1] < 8:
        return market_passes.logit_probabilities(util)
    return np.exp(util - utility.logsumexp(util, axis=1)[:, None])


def best_other_cluster(model: Model, v_sector: np.ndarray) -> np.ndarray:
    """Inclusive value of moving to another sector, from each sector (rows) by tier (columns)."""
    return market_passes.other_cluster_inclusive(v_sector)


def move_alternatives(model: Model, rows: np.ndarray, *, outside: np.ndarray) -> np.ndarray:
    """Utility of staying (with the attachment to the city), of the best other cluster and of each competing
    city (``outside``: J x K), for residents weighing a move (rows x (2 + J))."""
    p, beh = model.pool, model.beh
    v_sector = utility.sector_utility(model)
    if model.interactions:
        other_cluster = best_other_cluster(model, v_sector + utility.log_vacancy_share(model))
    else:
        other_cluster = np.full((model.S, K), -np.inf)
    tenure = market_kernels.tenure_years(rows, months_in_city=p.months_in_city, channel=p.channel, returnee=CHANNEL["returnee"],
                                         ties_months=beh.returnee_ties_months)
    coefficients = (beh.attachment_children, utility.school_term(model), beh.attachment_owner, beh.attachment_apartment,
                    utility.culture_term(model), beh.field_affinity, utility.apartment_bonus(model), np.log(model.J), beh.moving_cost,
                    beh.internal_move_cost)
    return market_kernels.move_alternatives(rows, columns={name: p.view(name) for name in MOVE_COLUMNS},
                                            tenure_term=beh.attachment_tenure * np.log1p(tenure), sector_utility=v_sector,
                                            other_cluster=other_cluster, outside=outside, coefficients=coefficients,
                                            codes=(OWNER, APARTMENT))


MOVE_COLUMNS = ("sector", "tier", "field", "housing", "children")


def depart(model: Model, rows: np.ndarray, *, channel: np.ndarray) -> None:
    if len(rows) == 0:
        return
    p = model.pool
    model.recorder.add_outflow(sector=p.sector[rows], tier=p.tier[rows], channel=channel, weight=p.weight[rows], age=p.age[rows])
    p.status[rows] = GONE
    p.employer[rows] = -1
    p.queue_since[rows] = -1
