"""§7.3 Inflows (docs/ODD.md): candidates arrive by channel; tailored-support recruits start work;
platforms recruit. Also the making of new talent agents, which every channel shares.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from mesa import Model

from sim import cohort_kernels, cohort_passes
from sim.categories import CHANNEL, SKILLED, TIERS
from sim.talent import CANDIDATE, EMPLOYED, MARKET, OWNER, SKILLED_EDUCATION


NO_DRAWS = np.empty(0)
# the pool's columns that cohort_passes.newcomer_columns gives, in its order
NEWCOMER_COLUMNS = ("sex", "track", "age", "birth_month", "retire_month", "field", "education", "children")


def arrive(model: Model) -> None:
    beh, unc, rng, new = model.beh, model.unc, model.draw, model.unc.newcomers
    grads = (beh.graduate_candidates_per_year * unc.graduate_supply * (1 + unc.graduate_supply_trend) ** model.years
             * beh.graduate_month_shares[model.month_of_year - 1] / sum(beh.graduate_month_shares))
    # (channel, persons this month, tier, mean age, age sd)
    sources = [
        ("graduate", grads, SKILLED, new.graduate_age_mean, new.graduate_age_sd),
        ("migrant", beh.migrant_candidates_per_year / 12, SKILLED, new.migrant_age_mean, new.migrant_age_sd),
        ("returnee", beh.returnee_candidates_per_year / 12, SKILLED, new.returnee_age_mean, new.returnee_age_sd),
        ("high_end", beh.high_end_candidates_per_year / 12 * new.high_end_municipal_share, TIERS.index("municipal"),
         new.municipal_age_mean, new.high_end_age_sd),
        ("high_end", beh.high_end_candidates_per_year / 12 * (1 - new.high_end_municipal_share), TIERS.index("provincial"),
         new.provincial_age_mean, new.high_end_age_sd),
    ]
    per_agent = np.array([model.scale if tier == SKILLED else 1 for _, _, tier, *_ in sources])
    counts = rng.poisson(np.array([persons for _, persons, *_ in sources]) / per_agent)
    by_source = lambda i: np.repeat(np.array([src[i] for src in sources]), counts)
    add_new_agents(model, n=int(counts.sum()), status=CANDIDATE, tier=by_source(2), channel=np.repeat([CHANNEL[src[0]] for src in sources], counts),
                   sector=-1, employer=-1, weight=np.repeat(per_agent, counts), age_mean=by_source(3), age_sd=by_source(4), months=0,
                   source="candidate")
    tailored_recruitment(model)
    platform_recruitment(model)


def add_new_agents(model: Model, *, n: int, status: int, tier: int | np.ndarray, channel: str | np.ndarray, sector: int | np.ndarray,
                   employer: int | np.ndarray, weight: float | np.ndarray, age_mean: float | np.ndarray, age_sd: float | np.ndarray,
                   months: int | np.ndarray, source: str, queue_since: int = -1) -> slice:
    """``n`` new agents drawn and written straight into the talent pool; returns their rows (a slice at its end).

    ``sector < 0`` means candidates from outside (their field is drawn from all sectors). Scalars are every new
    agent's value; arrays give one value per agent.
    """
    rng, demo, new = model.draw, model.unc.demography, model.unc.newcomers
    pool = model.pool
    rows = pool.open_rows(n)
    if n == 0:
        return rows
    # the draws in their order: sex and track, age, field, education, children (demography.sex_and_track_draws and
    # field_and_education_draws draw the same way for agents made elsewhere); uniforms that follow one another are one
    # call, which takes the same numbers from the stream as several
    outside = isinstance(sector, (int, np.integer)) and sector < 0
    sex_and_track = rng.random(2 * n)
    normal = rng.normal(age_mean, age_sd, size=n)
    other_field = rng.integers(0, model.S, size=n)
    uniforms = rng.random((3 if outside else 4) * n)
    u_fit, (u_doctorate, u_level, u_child) = (NO_DRAWS, uniforms.reshape(3, n)) if outside else (uniforms[:n], uniforms[n:].reshape(3, n))
    # the given columns first, in the pool's types, which the pass then reads
    pool.status[rows], pool.tier[rows], pool.sector[rows], pool.employer[rows] = status, tier, sector, employer
    pool.months_in_city[rows], pool.weight[rows], pool.housing[rows] = months, weight, MARKET
    pool.channel[rows] = CHANNEL[channel] if isinstance(channel, str) else channel
    pool.queue_since[rows] = queue_since
    pool.uid[rows] = model.mint_ids(n, source=source)
    columns = cohort_passes.newcomer_columns(
        u_male=sex_and_track[:n], u_cadre=sex_and_track[n:], tier=pool.tier[rows], normal=normal, male_share=demo.male_share_inflow,
        cadre_share=demo.women_cadre_share_skilled, youngest=model.unc.initial_state.working_start_age, as_of=model.ages_as_of,
        rules=model.retirement_rules, reform=demo.retirement_reform, sector=pool.sector[rows], other_field=other_field, u_fit=u_fit,
        fit_share=new.field_fit_share, u_doctorate=u_doctorate, u_level=u_level, doctorate_share=new.high_end_doctorate_share,
        cdf=model.skilled_education_cdf, levels=SKILLED_EDUCATION, u_child=u_child,
        children_from_age=new.newcomer_children_from_age, children_ramp_years=new.newcomer_children_ramp_years,
        children_max_share=new.newcomer_children_max_share)
    for name, column in zip(NEWCOMER_COLUMNS, columns, strict=True):
        getattr(pool, name)[rows] = column
    return rows


def hire_directly(model: Model, *, firm_rows: np.ndarray, tiers: np.ndarray, persons: np.ndarray, channel: str, age_mean: float) -> None:
    """Recruits hired straight into named employers (platforms, projects, tailored packages, challenge teams).

    Entry i brings ``persons[i]`` of tier ``tiers[i]`` to firm ``firm_rows[i]``, rounded stochastically
    to whole agents, so that the expected number of persons is exact at any scale.
    """
    firm_rows, tiers = np.atleast_1d(firm_rows).astype(np.int64), np.atleast_1d(tiers).astype(np.int64)
    if len(firm_rows) == 0:
        return
    persons = np.asarray(persons, float)
    persons = np.full(len(firm_rows), persons) if persons.ndim == 0 else persons
    employer, tier, per_agent = cohort_kernels.whole_recruits(firm_rows=firm_rows, tiers=tiers, persons=persons,
                                                              u=model.draw.random(len(firm_rows)), scale=model.scale)
    if len(employer) == 0:
        return
    rows = add_new_agents(model, n=len(employer), status=EMPLOYED, tier=tier, channel=channel, sector=model.firms.sector[employer],
                          employer=employer, weight=per_agent, age_mean=age_mean, age_sd=model.unc.newcomers.high_end_age_sd, months=0,
                          source=channel, queue_since=model.t)
    p = model.pool
    model.recorder.add_inflow(sector=p.sector[rows], tier=p.tier[rows], channel=CHANNEL[channel], weight=p.weight[rows], age=p.age[rows])


def tailored_recruitment(model: Model) -> None:
    ts = model.levers.tailored_support
    want = ts.packages_per_year / 12
    want *= model.government.request("tailored_support", want * ts.cost_per_package_yuan)
    lead = max(int(round(ts.onboarding_months)), 0)
    if want > 0:
        model.pipeline.append((model.t + lead, -1, want))
    arrived = [p for p in model.pipeline if p[0] <= model.t]
    model.pipeline = [p for p in model.pipeline if p[0] > model.t]
    top = model.unc.newcomers.tailored_top_share
    for due, _, persons in arrived:
        survivors = persons * (1 - ts.dropout_per_month) ** lead
        hosts = [p for p in model.platforms if model.t >= p.opens]
        host = hosts[int(model.draw.integers(len(hosts)))] if hosts else None
        row = host.firm_row if host else int(np.argmax(model.firms.view("jobs") * model.firms.view("alive")))
        hire_directly(model, firm_rows=np.array([row, row]), tiers=np.array([TIERS.index("top"), TIERS.index("national")]),
                      persons=survivors * np.array([top, 1 - top]), channel="tailored", age_mean=model.unc.newcomers.tailored_age_mean)


def platform_recruitment(model: Model) -> None:
    if model.fixed_rates:
        return
    fill = model.beh.platform_fill_per_month * model.platform_funding_share
    rows, tiers, persons = [], [], []
    for p in model.platforms:
        if model.t < p.opens:
            continue
        hosted = model.firm_talent[p.firm_row] if p.firm_row < len(model.firm_talent) else 0.0
        spare = max(p.capacity - hosted, 0.0)
        for k, share in enumerate(p.tier_mix):
            if share > 0:
                rows.append(p.firm_row); tiers.append(k); persons.append(spare * fill * share)
        model.firms.jobs[p.firm_row] = max(p.capacity, 1.0)
    hire_directly(model, firm_rows=np.array(rows), tiers=np.array(tiers), persons=np.array(persons), channel="platform",
                  age_mean=model.unc.newcomers.platform_age_mean)


def settled_circumstances(model: Model, *, age: np.ndarray, from_age: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tenure (months), children and housing of talent that already lives in the city: the initial stock (§5) and
    residents who gain a qualification (§7.11). Tenure is exponential (mean ``initial_tenure_mean_months``), at most the years
    since ``from_age``; children and home ownership follow the region's shares, rising with age and with tenure."""
    tenure, u_child, u_owner = settled_circumstances_draws(model, n=len(age))
    return settled_circumstances_of(model, age=age, from_age=from_age, tenure=tenure, u_child=u_child, u_owner=u_owner)


def settled_circumstances_draws(model: Model, *, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The draws of ``settled_circumstances`` in their order: tenure (months), children, home ownership."""
    rng = model.draw
    return rng.exponential(model.unc.initial_state.initial_tenure_mean_months, size=n), rng.random(n), rng.random(n)


def settled_circumstances_of(model: Model, *, age: np.ndarray, from_age: float, tenure: np.ndarray, u_child: np.ndarray,
                             u_owner: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``settled_circumstances`` from its draws, row by row."""
    ini, start = model.region.initial, model.unc.initial_state
    # a sampled youngest age below from_age must not give a negative tenure
    # np.minimum(np.maximum(...)) is np.clip without its wrapper's cost on small cohorts
    months = np.minimum(np.maximum(tenure, 0), np.maximum(age - from_age, 0) * 12).astype(np.int32)
    child_p = ini.share_with_children.value * np.minimum(np.maximum((age - start.stock_children_from_age) / start.stock_children_ramp_years,
                                                                    0), start.stock_children_max_multiple)
    children = (u_child < child_p).astype(np.int8)
    owner = u_owner < ini.share_home_owners.value * np.minimum(np.maximum(months / start.ownership_ramp_months, start.ownership_min_multiple),
                                                               start.ownership_max_multiple)
    return months, children, np.where(owner, OWNER, MARKET).astype(np.int8)


def draw_field_and_education(model: Model, *, tier: np.ndarray, sector: np.ndarray, fitting: bool) -> tuple[np.ndarray, np.ndarray]:
    """Field of study and education, in one pass over their draws. The field fits the person's sector with probability
    ``field_fit_share``, else is any sector (always any sector unless ``fitting``); high-end tiers hold a doctorate
    (``high_end_doctorate_share``) or a master's, the skilled tier a mix of vocational to doctorate."""
    other_field, u_fit, u_doctorate, u_level = field_and_education_draws(model.draw, n=len(tier), n_sectors=model.S, fitting=fitting)
    return field_and_education(model, tier=tier, sector=sector, other_field=other_field, u_fit=u_fit, u_doctorate=u_doctorate,
                               u_level=u_level)


def field_and_education(model: Model, *, tier: np.ndarray, sector: np.ndarray, other_field: np.ndarray, u_fit: np.ndarray,
                        u_doctorate: np.ndarray, u_level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``draw_field_and_education`` from its draws, row by row."""
    new = model.unc.newcomers
    return cohort_kernels.field_and_education(
        tier=tier, sector=sector, other_field=other_field, u_fit=u_fit, fit_share=new.field_fit_share, u_doctorate=u_doctorate,
        u_level=u_level, doctorate_share=new.high_end_doctorate_share, cdf=model.skilled_education_cdf,
        levels=SKILLED_EDUCATION)


def field_and_education_draws(rng: np.random.Generator, *, n: int, n_sectors: int,
                              fitting: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The draws of field and education in their order: any field, whether the field fits (only if ``fitting``),
    doctorate or master, the skilled tier's level."""
    other_field = rng.integers(0, n_sectors, size=n)
    u_fit = rng.random(n) if fitting else NO_DRAWS
    return other_field, u_fit, rng.random(n), rng.random(n)


@lru_cache(maxsize=16)
def education_cdf(shares: tuple[float, ...]) -> np.ndarray:
    """Cumulative shares of the skilled tier's education levels (read-only: shared by every cohort)."""
    cdf = np.cumsum(shares)
    cdf /= cdf[-1]  # the validated shares add up to one within rounding; the last step is then exactly one
    cdf.flags.writeable = False
    return cdf
