"""§7.7 Projects and challenges (docs/ODD.md): leading-talent project selection once a year, and
challenge-based recruitment (揭榜挂帅): firms post technology demands that talent teams take up.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from mesa import Model

from sim import cohort_passes
from sim.categories import SKILLED, TIERS
from sim.firm_kernels import credit_solved_demands
from sim.kernels import mean_one_lognormal
from sim.submodels import inflows


def run_projects(model: Model) -> None:
    if model.fixed_rates:
        model.recorder.note_projects(selected=np.zeros(model.S), posted=np.zeros(model.S), solved=np.zeros(model.S))
        return
    selected = select_projects(model)
    posted, solved = challenges(model)
    model.recorder.note_projects(selected=selected, posted=posted, solved=solved)


def select_projects(model: Model) -> np.ndarray:
    lev, beh = model.levers.projects, model.beh
    selected = np.zeros(model.S)
    if model.month_of_year != lev.selection_month:
        return selected
    rng = model.draw  # the process's stream is made when first drawn from: not in the months without a selection
    n = int(rng.poisson(lev.projects_per_year))
    n = int(np.floor(n * model.government.request("projects", n * lev.grant_per_project_yuan)))
    if n == 0:
        return selected
    he = model.stock[:, :SKILLED].sum(axis=1) + np.bincount([pl.host for pl in model.platforms], weights=[pl.capacity for pl in model.platforms], minlength=model.S)
    sector = rng.choice(model.S, size=n, p=he / he.sum())
    jobs0 = np.full(n, 1.0 + beh.project_team_size) / model.talent_intensity[sector]
    size = beh.project_jobs_end_2021 * mean_one_lognormal(rng, sd=model.unc.firm_shapes.project_firm_size_sd, size=n)
    rows = model.firms.add(sector=sector, jobs=jobs0, base_jobs=size / model.demand_level,
                          log_productivity=np.zeros(n), long_run_productivity=np.zeros(n),
                          output_per_job=np.full(n, beh.project_output_per_job_yuan), talent_intensity=model.talent_intensity[sector],
                          funding=np.full(n, lev.grant_per_project_yuan), born=np.full(n, model.t), is_project=np.ones(n, bool),
                          uid=model.mint_ids(n, source="project"))
    model.firm_vacancy = np.concatenate([model.firm_vacancy, np.zeros(n)])
    national = rng.random(n) < lev.national_lead_share
    lead_tier = np.where(national, TIERS.index("national"), TIERS.index("provincial"))
    inflows.hire_directly(model, firm_rows=rows, tiers=lead_tier, persons=1.0, channel="project",
                          age_mean=model.unc.newcomers.project_lead_age_mean)
    inflows.hire_directly(model, firm_rows=rows, tiers=np.full(n, SKILLED), persons=beh.project_team_size, channel="project",
                          age_mean=model.unc.newcomers.project_team_age_mean)
    np.add.at(selected, sector, 1)
    return selected


def challenges(model: Model) -> tuple[np.ndarray, np.ndarray]:
    lev, beh, rng, fm = model.levers.challenges, model.beh, model.challenge_draw, model.firms
    # firms post technology demands, in proportion to size
    n_new = int(rng.poisson(lev.demands_per_year / 12))
    posted = np.zeros(model.S)
    open_rows, jobs, running = (cohort_passes.posting_firms(alive=fm.view("alive"), is_platform=fm.view("is_platform"), jobs=fm.view("jobs"))
                                if n_new else (np.empty(0, np.int64), None, None))
    if len(open_rows):
        firms = open_rows[np.minimum(np.searchsorted(running, rng.random(n_new) * jobs.sum()), len(open_rows) - 1)]
        model.demand_firm = np.concatenate([model.demand_firm, firms])
        model.demand_posted = np.concatenate([model.demand_posted, np.full(n_new, model.t)])
        posted = np.bincount(fm.sector[firms], minlength=model.S).astype(float)
    solved_by_sector = np.zeros(model.S)
    open_firm = fm.alive[model.demand_firm]  # a firm that closed withdraws its demands
    model.demand_firm, model.demand_posted = model.demand_firm[open_firm], model.demand_posted[open_firm]
    if len(model.demand_firm) == 0:
        return posted, solved_by_sector
    s = fm.sector[model.demand_firm].astype(np.int64)
    he = np.maximum(model.stock[:, :SKILLED].sum(axis=1), 1.0)
    platforms_linked = linked_platforms(tuple((pl.host, *pl.links) for pl in model.platforms if model.t >= pl.opens), n_sectors=model.S)
    hazard = (beh.challenge_base_hazard * (he / model.high_end0) ** beh.challenge_talent_elasticity
              * (lev.reward_per_demand_yuan / beh.reference_reward_yuan) ** beh.challenge_reward_elasticity
              * (1 + beh.challenge_platform_boost * platforms_linked))
    solved = rng.random(len(s)) < (1 - np.exp(-hazard))[s]  # per cluster, then per demand
    if solved.any():
        share = model.government.request("challenges", solved.sum() * lev.reward_per_demand_yuan)
        solved &= rng.random(len(s)) < share  # unfunded rewards leave demands open
    firms = model.demand_firm[solved]
    credit_solved_demands(log_productivity=fm.log_productivity, long_run=fm.long_run_productivity, demands_solved=fm.demands_solved, firms=firms,
                          gain=beh.challenge_productivity_gain)
    solved_by_sector = np.bincount(s[solved], minlength=model.S).astype(float)
    teams = firms[rng.random(len(firms)) < lev.external_team_share]
    inflows.hire_directly(model, firm_rows=teams, tiers=np.full(len(teams), TIERS.index("municipal")), persons=1.0, channel="challenge",
                          age_mean=model.unc.newcomers.challenge_age_mean)
    keep = ~solved & (model.t - model.demand_posted < beh.demand_lifetime_months) & fm.alive[model.demand_firm]
    model.demand_firm, model.demand_posted = model.demand_firm[keep], model.demand_posted[keep]
    return posted, solved_by_sector


@lru_cache(maxsize=64)
def linked_platforms(opened: tuple[tuple[int, ...], ...], *, n_sectors: int) -> np.ndarray:
    """Research platforms open by cluster, from each open platform's host and linked clusters (read-only: shared by the
    months with the same open platforms)."""
    linked = np.zeros(n_sectors)
    for clusters in opened:
        linked[list(clusters)] += 1
    linked.flags.writeable = False
    return linked
