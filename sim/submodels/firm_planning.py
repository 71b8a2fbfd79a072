"""§7.2 Firm planning (docs/ODD.md): productivity and the agglomeration spillover, industry demand,
desired jobs, talent vacancies by cluster and tier, and wages.
"""

from __future__ import annotations

import numpy as np
from mesa import Model

from sim.dates import month_index
from sim.firm_kernels import funded_output_ratio, productivity_walk
from sim.kernels import adjust_jobs, keyed_normals


def plan_firms(model: Model) -> None:
    fm, beh = model.firms, model.beh
    alive, sector = fm.view("alive"), fm.view("sector")
    if model.interactions:
        talent = model.stock.sum(axis=1)
        # a sector left with no talent, nor any in the sectors linked to it, has the log form's limit of minus infinity:
        # no desired jobs and no wage, so no one chooses it again (docs/ODD.md §13, "Firm exit"); not an error to warn of
        with np.errstate(divide="ignore"):
            model.spillover = beh.agglomeration_elasticity * np.log(model.effective_talent(talent) / model.effective_talent0)
        shock = keyed_normals(fm.view("uid"), keys=(model.draw_key("firm_shock_a"), model.draw_key("firm_shock_b")))
        # the walk of productivity and its effect on desired jobs (own gap + cluster spillover), in one pass
        job_exponent = productivity_walk(log_productivity=fm.view("log_productivity"), long_run=fm.view("long_run_productivity"), shock=shock,
                                         persistence=1 - beh.productivity_reversion, shock_sd=beh.productivity_shock_sd,
                                         spillover=model.spillover, sector=sector, job_response=beh.job_response)
    else:
        model.spillover = np.zeros(model.S)
        job_exponent = beh.job_response * (0.0 + model.spillover[sector])
    span = max(month_index("2035-12") - model.start, 1)
    rate = np.interp(model.t, [0, span], [model.unc.industry_demand_growth, model.unc.industry_demand_growth_2035])
    model.demand_level = model.demand_level * (1 + rate) ** (1 / 12)
    funding_factor = funding_effect(jobs=fm.view("jobs"), output_per_job=fm.view("output_per_job"), funding=fm.view("funding"),
                                    effect=beh.funding_effect)
    # firms grow only as fast as their cluster finds talent
    positions, demand = adjust_jobs(
        jobs=fm.view("jobs"), base_jobs=fm.view("base_jobs"), productivity_factor=np.exp(job_exponent),
        demand_level=model.demand_level, funding_factor=funding_factor, adjustment=beh.job_adjustment_per_month,
        fill_rate=model.fill_rate, sector=sector, active=alive & ~fm.view("is_platform"),
        talent_intensity=fm.view("talent_intensity"))
    # talent positions by firm and by sector x tier (platform talent fills platform posts, not firm vacancies), as
    # last month's census counted them
    model.firm_talent, filled = model.employment_at_month_start()
    model.firm_vacancy = np.maximum(positions - model.firm_talent, 0.0)
    model.vacancies = np.maximum(demand[:, None] * model.initial_tier_share - filled, 0.0)
    model.wage = (model.region.skilled_wage_yuan.value * model.sector_wage_index[:, None] * model.tier_wage[None, :]
                 * (1 + model.unc.wage_growth) ** model.years * np.exp(beh.wage_passthrough * model.spillover)[:, None])


def funding_effect(*, jobs: np.ndarray, output_per_job: np.ndarray, funding: np.ndarray, effect: float) -> np.ndarray:
    """The funding factor of desired jobs, ``1 + effect x log(1 + funding / annual output)``: one for the many
    firms without funding, so only the funded ones are computed."""
    factor = np.ones(len(funding))
    funded, funding_to_output = funded_output_ratio(jobs=jobs, output_per_job=output_per_job, funding=funding)
    factor[funded] = 1 + effect * np.log1p(funding_to_output)
    return factor
