"""§7.8 Firm entry and exit (docs/ODD.md): entry rising with the cluster's talent and funding; exit
of low-productivity and young firms, displacing their talent; promotion to "little giant".
"""

from __future__ import annotations

import numpy as np
from mesa import Model

from sim.kernels import employees_of, group_sums
from sim.talent import EMPLOYED, SEARCHING


def upper_quartile(values: np.ndarray) -> float:
    """``np.percentile(values, 75)`` (linear interpolation) from a partial sort, which is all it needs."""
    position = 0.75 * (len(values) - 1)
    low = int(np.floor(position))
    high = min(low + 1, len(values) - 1)
    part = np.partition(values, high)  # one pivot: several times faster than partitioning at [low, high]
    upper = part[high]
    lower = part[:high].max() if high > low else upper  # the low-th smallest is the largest below the pivot
    return float(lower + (position - low) * (upper - lower))


def enter_and_exit_firms(model: Model) -> None:
    fm, beh, rng, p = model.firms, model.beh, model.draw, model.pool
    entries, exits = np.zeros(model.S), np.zeros(model.S)
    promoted = np.zeros(model.S)
    if model.interactions and not model.fixed_rates:
        alive = fm.view("alive") & ~fm.view("is_platform")
        n_firms, funds, output = group_sums(codes=fm.view("sector"), mask=alive, n_groups=model.S, columns=(
            np.ones(fm.size), fm.view("funding"), fm.view("jobs") * fm.view("output_per_job")))
        talent = model.stock.sum(axis=1)
        rate = (beh.entry_rate_per_year / 12 * n_firms * (talent / model.talent_initial.sum(axis=1)) ** beh.entry_talent_elasticity
                * (1 + beh.funding_effect * np.log1p(funds / np.maximum(output, 1.0))))
        entries = rng.poisson(rate).astype(float)
        new_sector = np.repeat(np.arange(model.S), entries.astype(int))
        if len(new_sector):
            size = beh.entrant_jobs * rng.lognormal(-0.18, 0.6, size=len(new_sector))
            lr = rng.normal(0.0, 0.15, size=len(new_sector))
            fm.add(sector=new_sector, jobs=size * 0.3, base_jobs=size / model.demand_level,
                   log_productivity=lr, long_run_productivity=lr,
                   output_per_job=np.array([model.sectors[s].output_per_job_yuan for s in new_sector]),
                   talent_intensity=model.talent_intensity[new_sector], funding=np.zeros(len(new_sector)),
                   born=np.full(len(new_sector), model.t), uid=model.mint_ids(len(new_sector), source="entrant"))
        # exit: low productivity relative to the cluster, and the hazards of youth
        alive = fm.view("alive") & ~fm.view("is_platform")
        sector = fm.view("sector")
        lp = fm.view("log_productivity")
        n_firms, lp_sum = group_sums(codes=sector, columns=(np.ones(fm.size), lp), mask=alive, n_groups=model.S)
        mean_lp = lp_sum / np.maximum(n_firms, 1)
        low = lp - mean_lp[sector] < beh.exit_productivity_threshold
        young = fm.view("born") > model.t - 36
        hazard = np.where(low, beh.exit_rate_per_year / 12, 0.0) + np.where(young, beh.young_firm_exit_per_year / 12, 0.0)
        exiting = np.flatnonzero(alive & (model.keyed_uniforms(fm.view("uid"), draw="firm_exit") < hazard))
        if len(exiting):
            fm.alive[exiting] = False
            exits = np.bincount(sector[exiting], minlength=model.S).astype(float)
            closing = np.zeros(fm.size, bool)
            closing[exiting] = True
            displaced = employees_of(status=p.view("status"), employed_code=EMPLOYED, employer=p.view("employer"), firm_mask=closing)
            p.status[displaced] = SEARCHING
            p.employer[displaced] = -1
            p.job_seeking[displaced] = 0  # no longer on the job: the own cluster is open to them again
            p.search_left[displaced] = int(round(beh.search_months))
        # promotion to 'little giant': established, productive, larger firms
        alive = fm.view("alive") & ~fm.view("is_platform")
        eligible = alive & ~fm.view("is_little_giant") & (fm.view("born") < model.t - 36) & (lp - mean_lp[sector] > 0.1)
        big = fm.view("jobs") > upper_quartile(fm.view("jobs")[alive]) if alive.any() else np.zeros(fm.size, bool)
        chosen = np.flatnonzero(eligible & big & (model.keyed_uniforms(fm.view("uid"), draw="firm_promotion") < beh.little_giant_rate_per_year / 12))
        fm.is_little_giant[chosen] = True
        promoted = np.bincount(sector[chosen], minlength=model.S).astype(float)
    model.recorder.note_firm_events(entries=entries, exits=exits, promoted=promoted)
