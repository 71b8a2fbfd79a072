"""§7.8 Firm entry and exit (docs/ODD.md): entry rising with the cluster's talent and falling as its
industrial space fills, start-ups backed by the industry funds; exit hazards falling with size and
age, raised by low productivity and lowered by funding, displacing the firms' talent; promotion to
"little giant".
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from mesa import Model

from sim.firm_kernels import cluster_mean_productivity, cluster_sums, exit_candidates, order_statistics, promotion_candidates, size_factor_bounds
from sim.kernels import employees_of, mean_one_lognormal
from sim.talent import EMPLOYED, SEARCHING


def upper_quantile(values: np.ndarray, *, q: float) -> float:
    """``np.percentile(values, 100 q)`` (linear interpolation) from the two order statistics it lies between, which is
    all it needs."""
    position = q * (len(values) - 1)
    low = int(np.floor(position))
    lower, upper = order_statistics(values, low=low, high=min(low + 1, len(values) - 1))
    return float(lower + (position - low) * (upper - lower))


def enter_and_exit_firms(model: Model) -> None:
    entries, exits, promoted = np.zeros(model.S), np.zeros(model.S), np.zeros(model.S)
    if model.interactions and not model.fixed_rates:
        entries = enter_firms(model)
        exits = exit_firms(model)
        promoted = promote_firms(model)
    model.recorder.note_firm_events(entries=entries, exits=exits, promoted=promoted)


# ---------------------------------------------------------------- entry
def space_left(*, jobs: np.ndarray, jobs_initial: np.ndarray, capacity_multiple: float) -> np.ndarray:
    """The cluster's free industrial space relative to end-2021: 1 at the start, 0 once its firms' jobs
    reach ``capacity_multiple`` times their end-2021 level (land and floor space for that many jobs).

    Entrants need premises; as a cluster's zone fills, sites get scarce and dear and fewer firms
    set up (a logistic, density-dependent founding rate), so entry cannot outgrow the city.
    """
    capacity = capacity_multiple * jobs_initial
    free = np.maximum(1.0 - jobs / np.maximum(capacity, 1.0), 0.0)  # np.clip costs several times more on a few clusters
    return free / (1.0 - 1.0 / capacity_multiple)


def enter_firms(model: Model) -> np.ndarray:
    """New firms by cluster: organic entrants plus the start-ups the industry funds back that would not
    have started without them; the funds' start-ups carry their ticket as funding."""
    fm, beh, rng = model.firms, model.beh, model.draw
    in_business = fm.view("alive") & ~fm.view("is_platform")
    jobs = cluster_sums(sector=fm.view("sector"), values=fm.view("jobs"), in_business=in_business, n_sectors=model.S)[1]
    free = space_left(jobs=jobs, jobs_initial=model.jobs_initial, capacity_multiple=beh.industrial_space_multiple)
    talent = model.stock.sum(axis=1)
    # founders come from the cluster's workforce (spawning), so entry grows with its jobs, not its count of firms
    spawning = model.firms_initial * jobs / np.maximum(model.jobs_initial, 1.0)
    organic = rng.poisson(beh.entry_rate_per_year / 12 * spawning * (talent / model.talent_initial.sum(axis=1)) ** beh.entry_talent_elasticity * free)
    ticket = model.levers.funding.startup_ticket_yuan
    backed = rng.poisson(model.fund_paid / ticket)  # start-ups the funds invest in this month
    # only some would not have started anyway, and only where there is space for them
    extra = rng.binomial(backed, np.minimum(np.maximum(beh.fund_additionality * free, 0.0), 1.0))
    entries = organic + extra
    new_sector = np.repeat(np.arange(model.S), entries)
    if len(new_sector):
        # the first ``backed`` entrants of each cluster carry the funds' tickets
        place_in_cluster = np.arange(len(new_sector)) - np.repeat(np.cumsum(entries) - entries, entries)
        funded = place_in_cluster < np.repeat(backed, entries)
        add_entrants(model, sector=new_sector, funding=np.where(funded, ticket, 0.0))
    return entries.astype(float)


def add_entrants(model: Model, *, sector: np.ndarray, funding: np.ndarray) -> None:
    fm, beh, rng, shapes = model.firms, model.beh, model.draw, model.unc.firm_shapes
    size = beh.entrant_jobs * mean_one_lognormal(rng, sd=shapes.entrant_size_sd, size=len(sector))
    lr = rng.normal(0.0, shapes.log_productivity_sd, size=len(sector))
    fm.add(sector=sector, jobs=size * shapes.entrant_start_share, base_jobs=size / model.demand_level, log_productivity=lr, long_run_productivity=lr,
           output_per_job=model.sector_output_per_job[sector],
           talent_intensity=model.talent_intensity[sector], funding=funding,
           born=np.full(len(sector), model.t), uid=model.mint_ids(len(sector), source="entrant"))


# ---------------------------------------------------------------- exit
def exit_hazard(*, jobs: np.ndarray, age_months: np.ndarray, low_productivity: np.ndarray, funding: np.ndarray,
                beh, ticket_yuan: float) -> np.ndarray:
    """Monthly exit probability of each firm.

    A firm's hazard falls with its size, (jobs / reference)^-beta, and with its age, from
    ``exit_youth_multiple`` times the mature rate at birth towards the mature rate (the regularities of
    firm-dynamics data: Evans 1987; Dunne, Roberts & Samuelson 1989; Haltiwanger, Jarmin & Miranda
    2013). Low productivity relative to the cluster adds the selection hazard (Jovanovic 1982), which
    scales with size and age in the same way: a large, established firm rides out a bad spell that
    closes a small new one. Funding up to a start-up ticket lowers the hazard (it finances the losses
    of the first years).
    """
    size = (np.maximum(jobs, 1.0) / beh.exit_reference_jobs) ** -beh.exit_size_elasticity
    age_months = np.maximum(age_months, 0)
    age = youth_factors(oldest=int(age_months.max(initial=0)), beh=beh)[age_months]
    backed = 1.0 - beh.funded_exit_reduction * np.minimum(funding / ticket_yuan, 1.0)
    per_year = (beh.exit_base_per_year + np.where(low_productivity, beh.exit_rate_per_year, 0.0)) * size * age * backed
    return np.minimum(per_year / 12.0, 1.0)


def youth_factors(*, oldest: int, beh) -> np.ndarray:
    """The age factor of the exit hazard at each whole month of age from 0 to ``oldest``: ``exit_youth_multiple``
    at birth, falling towards 1 (ages are whole months, so the factor is computed once per age and looked up)."""
    return youth_factor_table(multiple=beh.exit_youth_multiple, years=beh.exit_youth_years,
                              months=YOUTH_TABLE_MONTHS * (oldest // YOUTH_TABLE_MONTHS + 1))[: oldest + 1]


YOUTH_TABLE_MONTHS = 240  # the table grows by twenty years of age at a time


@lru_cache(maxsize=8)
def youth_factor_table(*, multiple: float, years: float, months: int) -> np.ndarray:
    """``youth_factors`` for ages 0 to ``months - 1``, kept for the run's later months (read-only); each age's
    factor is the same whatever the table's length."""
    table = 1.0 + (multiple - 1.0) * np.exp(-np.arange(months) / (12.0 * years))
    table.flags.writeable = False
    return table


def relative_productivity(model: Model, *, in_business: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The log productivity of the firms at ``rows`` less the mean of the firms in business of their cluster."""
    fm = model.firms
    sector, lp = fm.view("sector"), fm.view("log_productivity")
    mean = cluster_mean_productivity(sector=sector, log_productivity=lp, in_business=in_business, n_sectors=model.S)
    return lp[rows] - mean[sector[rows]]


def exit_firms(model: Model) -> np.ndarray:
    fm, beh = model.firms, model.beh
    in_business = fm.view("alive") & ~fm.view("is_platform")
    sector, jobs, born, funding = fm.view("sector"), fm.view("jobs"), fm.view("born"), fm.view("funding")
    ticket = model.levers.funding.startup_ticket_yuan
    draw = model.keyed_uniforms(fm.view("uid"), draw="firm_exit")
    # the exact hazard takes a power of every firm's size; an upper bound of it, without the power, first sets
    # aside the many firms whose draw lies above it, so that the exact hazard is needed for a few hundred only
    oldest = max(model.t - int(born.min()), 0) if len(born) else 0
    candidates = exit_candidates(jobs=jobs, born=born, funding=funding, draw=draw, in_business=in_business, month=model.t,
                                 youth=youth_factors(oldest=oldest, beh=beh),
                                 size_bound=size_factor_bounds(reference_jobs=beh.exit_reference_jobs, elasticity=beh.exit_size_elasticity),
                                 base=beh.exit_base_per_year, selection=beh.exit_rate_per_year, reduction=beh.funded_exit_reduction,
                                 ticket=ticket)
    exiting = candidates
    if len(candidates):
        low_productivity = relative_productivity(model, in_business=in_business, rows=candidates) < beh.exit_productivity_threshold
        hazard = exit_hazard(jobs=jobs[candidates], age_months=model.t - born[candidates], low_productivity=low_productivity,
                             funding=funding[candidates], beh=beh, ticket_yuan=ticket)
        exiting = candidates[draw[candidates] < hazard]
    if len(exiting):
        close_firms(model, rows=exiting)
    return np.bincount(sector[exiting], minlength=model.S).astype(float)


def close_firms(model: Model, *, rows: np.ndarray) -> None:
    """The firms close; their talent searches, and may look in its own cluster again (no job there to keep)."""
    fm, p = model.firms, model.pool
    fm.alive[rows] = False
    closing = np.zeros(fm.size, bool)
    closing[rows] = True
    displaced = employees_of(status=p.view("status"), employed_code=EMPLOYED, employer=p.view("employer"), firm_mask=closing)
    p.status[displaced] = SEARCHING
    p.employer[displaced] = -1
    p.job_seeking[displaced] = 0
    p.search_left[displaced] = int(round(model.beh.search_months))


# ---------------------------------------------------------------- promotion
def promote_firms(model: Model) -> np.ndarray:
    """Promotion to 'little giant': established, productive, larger firms."""
    fm, beh, shapes = model.firms, model.beh, model.unc.firm_shapes
    in_business = fm.view("alive") & ~fm.view("is_platform")
    sector, jobs = fm.view("sector"), fm.view("jobs")
    # the draw is the most selective condition: the others are checked for the few firms it picks
    chosen = promotion_candidates(in_business=in_business, is_little_giant=fm.view("is_little_giant"), born=fm.view("born"),
                                  born_before=model.t - shapes.little_giant_min_age_months,
                                  draw=model.keyed_uniforms(fm.view("uid"), draw="firm_promotion"), below=beh.little_giant_rate_per_year / 12)
    if len(chosen):
        productive = relative_productivity(model, in_business=in_business, rows=chosen) > shapes.little_giant_productivity_margin
        big = jobs[chosen] > upper_quantile(jobs[in_business], q=shapes.little_giant_size_quantile)
        chosen = chosen[productive & big]
    fm.is_little_giant[chosen] = True
    return np.bincount(sector[chosen], minlength=model.S).astype(float)
