"""§7.4 Job search and matching (docs/ODD.md): seekers choose a cluster (size-corrected logit);
candidates decide whether to come at all; matching with frictions in each cluster x tier market;
the matched are placed in firms.
"""

from __future__ import annotations

import numpy as np
from mesa import Model

from sim.categories import CHANNEL, SKILLED, K
from sim import market_kernels, market_passes
from sim.kernels import seeker_rows
from sim.submodels import utility
from sim.talent import APARTMENT, CANDIDATE, EMPLOYED, GONE, MARKET, SEARCHING


def search_and_match(model: Model) -> None:
    p, beh = model.pool, model.beh
    status = p.view("status")
    seekers = seeker_rows(status=status, job_seeking=p.view("job_seeking"), candidate=CANDIDATE, searching=SEARCHING)
    if len(seekers) == 0:
        model.fill_rate = np.ones(model.S)
        model.recorder.note_labour_market(vacancies=model.vacancies, seekers=np.zeros((model.S, K)), hires=np.zeros((model.S, K)))
        return
    v_sector = utility.sector_utility(model) + utility.newcomer_housing_term(model)[model.sector_district][:, None]
    # within the city: sector chosen with probability ~ vacancy share x exp(utility) (size-corrected logit)
    log_size = utility.log_vacancy_share(model)
    # seekers differ only by tier, field and the cluster a job seeker on the job leaves, so the
    # logit is solved once for each such kind present in the month and looked up per seeker
    tier, kind = market_kernels.seeker_kinds(seekers, columns={name: p.view(name) for name in ("tier", "field", "sector", "job_seeking")},
                                             n_sectors=model.S)
    present, kind = market_passes.kinds_present(kind, n_kinds=K * model.S * (model.S + 1))
    inclusive_by_kind, p_by_kind = sector_choice_table(model, log_size + v_sector, present=present)
    uid = p.uid[seekers]
    target = clusters_below(p_by_kind, kind=kind, u=model.keyed_uniforms(uid, draw="search_cluster"))
    target = np.minimum(target, model.S - 1)
    # candidates from outside first decide whether to come at all
    if model.fixed_rates:
        target = np.where(status[seekers] == CANDIDATE, fixed_sector(model, len(seekers)), target)
    else:
        exponent = market_passes.come_exponent(seekers, tier=tier, kind=kind, channel=p.view("channel"),
                                               alternative=utility.alternative_city_utility(model), inclusive=inclusive_by_kind,
                                               prospect=beh.job_prospect_weight * np.log(job_prospect(model)),
                                               graduate=CHANNEL["graduate"], bonus=graduate_bonus(model))
        p_come = 1 / (1 + np.exp(exponent))
        comes = market_kernels.candidates_come(seekers, status=status, search_left=p.view("search_left"), p_come=p_come,
                                               u=model.keyed_uniforms(uid, draw="search_come"), candidate=CANDIDATE,
                                               search_months=max(int(round(beh.candidate_search_months)), 1))
        seekers, target, tier, uid = seekers[comes], target[comes], tier[comes], uid[comes]
    # matching with frictions in each sector x tier market
    w, cell, u_persons = market_kernels.market_cells(seekers, target=target, tier=tier, weight=p.view("weight"), n_sectors=model.S,
                                                     n_tiers=K)
    if model.fixed_rates:
        matched = np.ones(len(seekers), bool)
    else:
        quota = matches(seekers=u_persons, vacancies=model.vacancies, efficiency=beh.matching_efficiency,
                        elasticity=beh.matching_elasticity)
        matched = draw_hires(cell=cell, weight=w, quota=quota.reshape(-1), order_draw=model.keyed_uniforms(uid, draw="search_match"),
                             margin_draw=model.keyed_uniforms(uid, draw="search_match_margin"))
    hires = market_kernels.market_hires(cell=cell, weight=w, matched=matched, n_sectors=model.S, n_tiers=K)
    model.recorder.note_labour_market(vacancies=model.vacancies, seekers=u_persons, hires=hires)
    model.finding_rate = finding_rate(seekers=u_persons, hires=hires, previous=model.finding_rate)
    vacancies = model.vacancies.sum(axis=1)
    model.fill_rate = np.clip(np.divide(hires.sum(axis=1), vacancies, out=np.ones(model.S), where=vacancies > 0) + (vacancies < 1), 0, 1)
    place(model, seekers[matched], target[matched])
    # unmatched candidates search on for a few months (not yet counted in the stock), then go
    # elsewhere; displaced residents search on; job seekers on the job stay put
    market_kernels.search_on(seekers, matched=matched, status=p.view("status"), search_left=p.view("search_left"), candidate=CANDIDATE,
                             gone=GONE)
    market_passes.end_search(status=p.view("status"), search_left=p.view("search_left"), job_seeking=p.view("job_seeking"),
                             candidate=CANDIDATE, gone=GONE)


def clusters_below(p_by_kind: np.ndarray, *, kind: np.ndarray, u: np.ndarray) -> np.ndarray:
    """For each seeker, how many of its kind's cumulative cluster probabilities (``p_by_kind`` summed along
    the row) lie below its uniform ``u``: the cluster it picks by inversion."""
    return market_kernels.clusters_below(p_by_kind, kind=kind, u=u)


def matches(*, seekers: np.ndarray, vacancies: np.ndarray, efficiency: float, elasticity: float) -> np.ndarray:
    """The matching function M = min(mu U^alpha V^(1-alpha), U, V) of every market (Petrongolo & Pissarides 2001)."""
    return np.minimum(efficiency * seekers ** elasticity * vacancies ** (1 - elasticity), np.minimum(seekers, vacancies))


def draw_hires(*, cell: np.ndarray, weight: np.ndarray, quota: np.ndarray, order_draw: np.ndarray,
               margin_draw: np.ndarray) -> np.ndarray:
    """Which seekers are hired: in each market, seekers in a random order (``order_draw``) until the market's
    quota of persons is filled. The seeker who straddles the quota is hired with the probability of the part of
    it inside (``margin_draw``), so hires equal the quota in expectation and exceed it by less than one agent's
    weight; a market never hires more persons than sought a job in it."""
    return market_kernels.hired(cell=cell, weight=weight, quota=quota, order_draw=order_draw, margin_draw=margin_draw)


def job_prospect(model: Model) -> np.ndarray:
    """Probability, by tier, of finding a job within a newcomer's search period at last month's city-wide finding rate."""
    months = max(int(round(model.beh.candidate_search_months)), 1)
    return np.maximum(1 - (1 - model.finding_rate) ** months, 1e-6)


def finding_rate(*, seekers: np.ndarray, hires: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """The month's job-finding rate by tier across the city (hires per seeker); a tier without seekers keeps its last rate."""
    u, h = seekers.sum(axis=0), hires.sum(axis=0)
    return np.divide(h, u, out=previous.copy(), where=u > 0)


def initial_finding_rate(beh) -> np.ndarray:
    """The rate the matching function gives at tightness V/U = 1 (before any month has been observed)."""
    return np.full(K, min(beh.matching_efficiency, 1.0))


def sector_choice_table(model: Model, v_sector: np.ndarray, *, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inclusive value and choice probabilities of the sector logit for the kinds of seeker ``present``
    (tier x field x excluded sector, flattened; rows in its order), from the size-corrected utility (S x K).
    Only the month's kinds are worked out: a kind's row does not depend on the others."""
    util, top = market_passes.sector_utility_of_kinds(v_sector, field_affinity=model.beh.field_affinity, present=present)
    # utility.logsumexp by rows, with the row maxima found in the same pass as the table
    inclusive = top[:, 0] + np.log(np.sum(np.exp(util - top), axis=1))
    return inclusive, np.exp(util - inclusive[:, None])


def fixed_sector(model: Model, n: int) -> np.ndarray:
    share = model.talent_initial.sum(axis=1) / model.talent_initial.sum()
    return np.minimum(np.searchsorted(np.cumsum(share), model.draw.random(n)), model.S - 1)


def graduate_bonus(model: Model) -> float:
    """Settling allowance and graduate card, in utility, for graduates deciding whether to come."""
    services = model.levers.services
    g = model.levers.graduates.settling_allowance_yuan + services.graduate_card_years * services.graduate_card_yuan
    annual = model.wage[-1, SKILLED] * 12
    return model.beh.allowance_weight * g / annual


HIRE_COLUMNS = ("status", "sector", "tier", "weight", "channel", "age", "housing", "employer", "search_left", "queue_since",
                "months_in_city")


def place(model: Model, rows: np.ndarray, target: np.ndarray) -> None:
    """Hire matched seekers into firms of their target sector, in proportion to firm vacancies."""
    if len(rows) == 0:
        return
    p, fm = model.pool, model.firms
    firm = market_passes.hiring_firms(sector=fm.view("sector"), vacancy=model.firm_vacancy, alive=fm.view("alive"),
                                      is_platform=fm.view("is_platform"), n_sectors=model.S, target=target,
                                      u=model.keyed_uniforms(p.uid[rows], draw="search_firm"))
    columns = {name: p.view(name) for name in HIRE_COLUMNS}
    moves, arrivals = market_kernels.hire(rows, target=target, firm=firm, columns=columns, sector_district=model.sector_district,
                                          month=model.t, codes=(CANDIDATE, EMPLOYED, APARTMENT, MARKET))
    from_sector, to_sector, tier, weight = moves
    model.recorder.add_outflow(sector=from_sector, tier=tier, channel=model.recorder.out_internal, weight=weight)
    model.recorder.add_inflow(sector=to_sector, tier=tier, channel=CHANNEL["internal"], weight=weight)
    sector, tier, channel, weight, age = arrivals
    model.recorder.add_inflow(sector=sector, tier=tier, channel=channel, weight=weight, age=age)
    graduates = int(np.sum(weight[channel == CHANNEL["graduate"]]))
    g = model.levers.graduates
    model.government.request("graduates", graduates * g.settling_allowance_yuan)
