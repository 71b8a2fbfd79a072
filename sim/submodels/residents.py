"""§7.10 Residents (docs/ODD.md): the city's residents by sex and single year of age, moved by births,
deaths, ageing and migration (cohort-component). Residents who are not talent are cohort arrays; the
talent residents are the talent agents, so that residents = non-talent cohorts + talent agents and the
talent share of residents is an outcome. Retiring talent stays as a non-talent resident; a local
graduate who becomes talent leaves the non-talent cohorts without migrating, as does a resident who
gains a qualification (§7.11, which takes them out of the cohorts itself).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pyarrow as pa
from mesa import Model

from sim.categories import AGES, CHANNEL, FEMALE, MALE, SEXES
from sim.dates import month_index
from sim.errors import ConfigError
from sim.kernels import resident_age_table
from sim.talent import SEARCHING
from sim.submodels.value_added import real_growth

AGE = np.arange(AGES, dtype=float)  # single years of age; the last is the open group 100+
BIRTHDAYS_PER_MONTH = 1 / 12  # share of a single-year cohort one year older after a month, birthdays spread evenly
FERTILE = (AGE >= 15) & (AGE <= 49)
SMOOTHING_ROUNDS = 10  # moving average then band totals restored, repeated: enough for the bands' steps to fade
PROJECTION_ROUNDS = 6  # secant steps for the projection's migration level: a nearly linear problem settles in two or three
FIVE_YEAR_GROUPS = [*(f"{a}-{a + 4}" for a in range(0, 100, 5)), "100+"]


@dataclass(frozen=True)
class VitalRates:
    """Age-specific rates, fixed for the run: their levels are set once on the census population."""

    fertility: np.ndarray   # births per woman per year, by age
    mortality: np.ndarray   # deaths per person per year (a hazard), sex x age
    migration: np.ndarray   # shares of the non-talent net migrants, sex x age, summing to 1
    net_migration: float    # non-talent net migrants per year
    boy_share: float        # share of boys among births

    # the month's death probabilities and net migrants by cohort, the same every month of a run
    @cached_property
    def monthly_deaths(self) -> np.ndarray:
        return -np.expm1(-self.mortality / 12)

    @cached_property
    def monthly_migrants(self) -> np.ndarray:
        return self.net_migration / 12 * self.migration


@dataclass(frozen=True)
class MonthFlows:
    births: float
    deaths: float
    migration: float        # non-talent net migration actually realised (a cohort never falls below zero)
    joined: float           # retired talent that stays, now non-talent
    left: float             # local graduates who became talent


# ------------------------------------------------------------------ rates and the census
class CensusError(ValueError):
    """A census whose figures the demographic parameters cannot reproduce."""


def sex_split(male_share: float) -> np.ndarray:
    return np.array([male_share, 1.0 - male_share])[:, None]


def gompertz_mortality(population: np.ndarray, *, demo, crude_death_rate: float) -> np.ndarray:
    """Makeham-Gompertz hazards, men's a multiple of women's, with the level that gives the crude death rate on ``population``."""
    sex_factor = np.array([demo.male_mortality_ratio, 1.0])[:, None]
    known = sex_factor * demo.background_mortality + np.where(AGE == 0, demo.infant_mortality, 0.0)[None, :]
    senescent = sex_factor * np.exp(demo.mortality_slope * (AGE - 60.0))[None, :]
    level = (crude_death_rate * population.sum() - (population * known).sum()) / (population * senescent).sum()
    if level <= 0:
        raise CensusError("the background and infant mortality alone exceed the census's crude death rate; lower them")
    return known + level * senescent


def fertility_schedule(women: np.ndarray, *, demo, crude_birth_rate: float, population: float) -> np.ndarray:
    """A bell-shaped schedule over ages 15-49 with the level that gives the crude birth rate."""
    shape = np.exp(-0.5 * ((AGE - demo.fertility_mean_age) / demo.fertility_sd_age) ** 2) * FERTILE
    return shape * crude_birth_rate * population / (shape * women).sum()


def migration_profile(demo) -> np.ndarray:
    """A Rogers-Castro age profile (labour-force peak plus children moving with parents), split by sex."""
    labour = np.exp(-demo.migration_fall * (AGE - demo.migration_peak_age) - np.exp(-demo.migration_rise * (AGE - demo.migration_peak_age)))
    profile = labour + demo.migration_child_ratio * np.exp(-demo.migration_fall * AGE)
    return sex_split(demo.migrant_male_share) * (profile / profile.sum())[None, :]


def _smoothed_bands(density: np.ndarray, *, bands: list[tuple[int, int, float]], width: float) -> np.ndarray:
    """A moving average smooths the steps between bands; each band's total is restored after every round."""
    w = max(int(round(width)) // 2 * 2 + 1, 1)  # odd, so the average is centred
    for _ in range(SMOOTHING_ROUNDS if w > 1 else 0):
        density = np.convolve(np.pad(density, w // 2, mode="edge"), np.ones(w) / w, mode="valid")
        for lo, hi, share in bands:
            density[lo:hi] *= share / density[lo:hi].sum()
    return density


def census_structure(census, *, demo, survivorship: np.ndarray) -> np.ndarray:
    """Residents at the census by sex x age, from its broad shares.

    Within 0-14, 15-59 and 60-64 persons are spread evenly over the single years, within 65+ along
    ``survivorship`` (a stationary population); the steps are then smoothed with band totals kept. Men's
    share is the sex ratio at birth's under 15, ``old_age_male_share`` at 65+ and, at 15-64, what
    makes up the census's share of men.
    """
    young, old60, old65 = census.age_0_14_share.value, census.age_60_plus_share.value, census.age_65_plus_share.value
    bands = [(0, 15, young), (15, 60, 1.0 - young - old60), (60, 65, old60 - old65), (65, AGES, old65)]
    density = np.zeros(AGES)
    for lo, hi, share in bands[:3]:
        density[lo:hi] = share / (hi - lo)
    density[65:] = old65 * survivorship[65:] / survivorship[65:].sum()
    density = _smoothed_bands(density, bands=bands, width=demo.age_smoothing_years)
    boys = demo.sex_ratio_at_birth / (1.0 + demo.sex_ratio_at_birth)
    working = (AGE >= 15) & (AGE < 65)
    rest = census.male_share.value - boys * density[AGE < 15].sum() - demo.old_age_male_share * density[AGE >= 65].sum()
    male = np.where(AGE < 15, boys, np.where(working, rest / density[working].sum(), demo.old_age_male_share))
    if not 0 < male[working][0] < 1:
        raise CensusError("the census's share of men cannot be met with these sex ratios")
    return census.population.value * np.vstack([male * density, (1.0 - male) * density])


def census_rates(census, *, demo) -> tuple[np.ndarray, VitalRates]:
    """The census population and the rates scaled on it. The 65+ shape depends on the mortality, whose level
    depends on the population: a few rounds find both."""
    survivorship = np.exp(-np.cumsum(np.full(AGES, 0.02)))
    for _ in range(4):
        population = census_structure(census, demo=demo, survivorship=survivorship)
        mortality = gompertz_mortality(population, demo=demo, crude_death_rate=census.crude_death_rate.value)
        survivorship = np.exp(-np.cumsum(mortality[FEMALE]))
    fertility = fertility_schedule(population[FEMALE], demo=demo, crude_birth_rate=census.crude_birth_rate.value,
                                   population=population.sum())
    rates = VitalRates(fertility=fertility, mortality=mortality, migration=migration_profile(demo),
                       net_migration=demo.net_migration_per_year,
                       boy_share=demo.sex_ratio_at_birth / (1.0 + demo.sex_ratio_at_birth))
    return population, rates


# ------------------------------------------------------------------ one month of the cohort-component method
def advance_month(non_talent: np.ndarray, *, rates: VitalRates, talent_women: np.ndarray, joining: np.ndarray,
                  leaving: np.ndarray) -> tuple[np.ndarray, MonthFlows]:
    """The non-talent residents a month later, and the month's flows.

    Deaths and births are counted on the residents at the start of the month (talent women bear children
    too); net migrants, talent that retired (``joining``) and local graduates who became talent
    (``leaving``, at most the residents there are) change the cohorts; then a twelfth of each single year
    ages by one and the newborns enter at age 0.
    """
    deaths = non_talent * rates.monthly_deaths
    births = float((rates.fertility * (non_talent[FEMALE] + talent_women)).sum() / 12)
    after = non_talent - deaths
    moved = np.maximum(after + rates.monthly_migrants, 0.0)
    migration = moved - after
    left = np.minimum(leaving, moved + joining)
    after = moved + joining - left
    ageing = after[:, :-1] * BIRTHDAYS_PER_MONTH
    after[:, :-1] -= ageing
    after[:, 1:] += ageing
    after[:, 0] += births * np.array([rates.boy_share, 1.0 - rates.boy_share])
    return after, MonthFlows(births=births, deaths=float(deaths.sum()), migration=float(migration.sum()),
                             joined=float(joining.sum()), left=float(left.sum()))


# ------------------------------------------------------------------ the model's residents
def talent_by_age(model: Model) -> np.ndarray:
    """Talent residents (agents' weights) by sex x single year of age."""
    p = model.pool
    return resident_age_table(sex=p.view("sex"), age=p.view("age"), weights=p.view("weight"), status=p.view("status"),
                              searching=SEARCHING, n_sexes=len(SEXES), n_ages=AGES)


def sex_shares_by_age(talent: np.ndarray) -> np.ndarray:
    """Each sex's share of the talent of each age (sex x age); an age without talent splits evenly.
    Flows recorded by age only (retirements, local graduates) are split by it."""
    total = talent.sum(axis=0, keepdims=True)
    return np.divide(talent, total, out=np.full_like(talent, 1.0 / len(SEXES)), where=total > 0)


class Residents:
    """Non-talent residents by sex x age, the month's components, and year-end snapshots by age."""

    FLOWS = ("births", "deaths", "non_talent_migration", "talent_arrivals", "talent_departures", "talent_from_residents",
             "retirements", "qualifications")

    def __init__(self, *, non_talent: np.ndarray, rates: VitalRates, n_months: int, talent_age: np.ndarray,
                 start: dict[str, float]) -> None:
        self.non_talent = non_talent
        self.rates = rates
        self.flows = {name: np.zeros(n_months) for name in self.FLOWS}
        self.non_talent_total = np.zeros(n_months + 1)
        self.non_talent_total[0] = non_talent.sum()
        self.talent_age_share = talent_age / max(talent_age.sum(), 1e-12)  # sex x age
        self._split_of: np.ndarray | None = None
        self.snapshots = {0: (non_talent.copy(), talent_age)}  # month index (0 = initial state) -> (non-talent, talent by sex x age)
        self.start = start  # the projection from the census to the initial state

    def talent_split(self) -> np.ndarray:
        """:func:`sex_shares_by_age` of the talent's ages, recomputed only when a snapshot has replaced them."""
        if self._split_of is not self.talent_age_share:
            self._split, self._split_of = sex_shares_by_age(self.talent_age_share), self.talent_age_share
        return self._split

    def total(self, *, talent: float) -> float:
        return float(self.non_talent.sum() + talent)

    def snapshot(self, month: int, *, talent_age: np.ndarray) -> None:
        self.snapshots[month] = (self.non_talent.copy(), talent_age)
        self.talent_age_share = talent_age / max(talent_age.sum(), 1e-12)


def project(population: np.ndarray, *, rates: VitalRates, months: int) -> tuple[np.ndarray, dict[str, float]]:
    """All residents ``months`` ahead with the rates (no talent agents exist before the run)."""
    totals = dict(births=0.0, deaths=0.0, migration=0.0)
    none = np.zeros_like(population)
    for _ in range(months):
        population, flows = advance_month(population, rates=rates, talent_women=np.zeros(AGES), joining=none, leaving=none)
        for key in totals:
            totals[key] += getattr(flows, key)
    return population, totals


def setup_residents(model: Model) -> Residents:
    """The census projected to the initial state; the talent agents of each age are taken out of it.

    The census gives the structure and the region's ``resident_population`` (the bulletin's count at the
    initial month) the level: the projection's non-talent net migration between the census and the
    initial state is the one level that makes the residents equal that count (found by the secant
    method, since the count is nearly linear in it). Where talent exceeds the projected residents of an
    age and sex, that cohort is the talent alone: the excess (``start['talent_beyond_projection']``) adds
    to the residents.
    """
    census, demo = model.region.residents, model.unc.residents
    try:
        population, rates = census_rates(census, demo=demo)
    except CensusError as exc:
        raise ConfigError(source=str(model.config.region), problems=[
            f"residents: {exc} (the region's residents census with the scenario's uncertainties.residents)"]) from None
    months = month_index(model.region.initial_month) - month_index(census.census_month) + 1
    talent_age = talent_by_age(model)
    target = model.region.resident_population.value

    def initial_state(level: float) -> tuple[np.ndarray, dict[str, float], float]:
        projected, totals = project(population, rates=replace(rates, net_migration=level), months=months)
        residents = float(np.maximum(projected - talent_age, 0.0).sum() + talent_age.sum())
        return projected, totals, residents

    levels = [0.0, 100_000.0]
    gaps = [initial_state(level)[2] - target for level in levels]
    for _ in range(PROJECTION_ROUNDS):
        if gaps[-1] == gaps[-2]:
            break
        levels.append(levels[-1] - gaps[-1] * (levels[-1] - levels[-2]) / (gaps[-1] - gaps[-2]))
        gaps.append(initial_state(levels[-1])[2] - target)
    level = levels[int(np.argmin(np.abs(gaps)))]
    projected, totals, _ = initial_state(level)
    non_talent = projected - talent_age
    firms = model.firms
    start = {"census": float(population.sum()), "months": float(months), "projected": float(projected.sum()),
             "migration_level": level, "talent_beyond_projection": float(np.maximum(-non_talent, 0.0).sum()),
             "jobs": float(firms.view("jobs")[firms.view("alive") & ~firms.view("is_platform")].sum()), **totals}
    return Residents(non_talent=np.maximum(non_talent, 0.0), rates=rates, n_months=model.n_months, talent_age=talent_age,
                     start=start)


def move_residents(model: Model) -> None:
    """The month's births, deaths, migration and ageing of non-talent residents, and their exchanges with talent
    (retirements and local graduates here; the month's qualifications, §7.11, were taken out before)."""
    res, rec, t, demo = model.residents, model.recorder, model.t, model.unc.residents
    talent_women = model.stock.sum() * res.talent_age_share[FEMALE]
    split = res.talent_split()
    retired = rec.outflow_age[t][:, rec.out_retirement]
    local_graduates = rec.inflow_age[t][:, CHANNEL["graduate"]] * demo.local_graduate_share
    res.non_talent, flows = advance_month(res.non_talent, rates=res.rates, talent_women=talent_women,
                                          joining=split * retired[None, :], leaving=split * local_graduates[None, :])
    # every talent inflow but moves within the city carries an age, and so does every departure to another city;
    # residents who qualified this month (§7.11) already left the cohorts
    arrivals = rec.inflow_age[t].sum()
    from_residents = flows.left + res.flows["qualifications"][t]
    for name, value in (("births", flows.births), ("deaths", flows.deaths), ("non_talent_migration", flows.migration),
                        ("talent_arrivals", arrivals - from_residents), ("talent_from_residents", from_residents),
                        ("talent_departures", rec.outflow_age[t][:, : len(model.competitors)].sum()), ("retirements", flows.joined)):
        res.flows[name][t] = value
    res.non_talent_total[t + 1] = res.non_talent.sum()
    if model.month_of_year == 12 or t == model.n_months - 1:
        res.snapshot(t + 1, talent_age=talent_by_age(model))


# ------------------------------------------------------------------ tables
def _year_rows(model: Model) -> list[tuple[int, int, list[int]]]:
    """(year, snapshot month, months of flows) for the initial state and each calendar year of the run."""
    start_year = (model.start - 1) // 12
    rows = [(start_year, 0, [])]
    for month in sorted(m for m in model.residents.snapshots if m > 0):
        year = (model.start + month - 1) // 12
        rows.append((year, month, [t for t in range(month) if (model.start + t) // 12 == year]))
    return rows


def _by_age(model: Model, month: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-talent residents and talent by sex x age at a snapshot, talent scaled to the recorded stock."""
    res = model.residents
    non_talent, talent_age = res.snapshots[month]
    stock = model.recorder.stock[month].sum()
    talent = talent_age * stock / max(talent_age.sum(), 1e-12)
    return non_talent, talent


def city_annual(model: Model, *, jobs: np.ndarray, value_added: np.ndarray, gdp_of_initial_year: float, vacancies: np.ndarray,
                job_seekers: np.ndarray) -> pa.Table:
    """One row per year: the initial state (flows of the projection from the census), then each calendar year.
    ``jobs`` are the firms' jobs at each month end, ``value_added`` the city's value added, ``vacancies`` and
    ``job_seekers`` the talent markets' totals in each month (the recorder's); the initial state's row has the GDP
    of its year as the model reckons it (§7.12)."""
    res, rec = model.residents, model.recorder
    cols: dict[str, list] = {k: [] for k in (
        "year", "months", "residents", "residents_male", "residents_0_14", "residents_15_64", "residents_65_plus", "talent_stock",
        "talent_share", "births", "deaths", "net_migration", "non_talent_net_migration", "talent_net_migration",
        "talent_from_residents", "qualifications_gained", "retirements", "jobs", "vacancies", "job_seekers", "gdp_yuan")}
    complete = []
    for year, month, months in _year_rows(model):
        non_talent, talent = _by_age(model, month)
        everyone = non_talent + talent
        stock = float(rec.stock[month].sum())
        residents = float(res.non_talent_total[month] + stock)
        f = {name: float(res.flows[name][months].sum()) for name in Residents.FLOWS}
        first = month == 0
        talent_net = np.nan if first else f["talent_arrivals"] - f["talent_departures"]
        non_talent_net = res.start["migration"] if first else f["non_talent_migration"]
        values = {
            "year": year, "months": int(res.start["months"]) if first else len(months), "residents": residents,
            "residents_male": float(everyone[MALE].sum()), "residents_0_14": float(everyone[:, :15].sum()),
            "residents_15_64": float(everyone[:, 15:65].sum()), "residents_65_plus": float(everyone[:, 65:].sum()),
            "talent_stock": stock, "talent_share": stock / residents,
            "births": res.start["births"] if first else f["births"], "deaths": res.start["deaths"] if first else f["deaths"],
            "net_migration": non_talent_net if first else non_talent_net + talent_net,
            "non_talent_net_migration": non_talent_net, "talent_net_migration": talent_net,
            "talent_from_residents": np.nan if first else f["talent_from_residents"],
            "qualifications_gained": np.nan if first else f["qualifications"],
            "retirements": np.nan if first else f["retirements"],
            "jobs": res.start["jobs"] if first else float(jobs[month - 1]),
            "vacancies": np.nan if first else float(vacancies[month - 1]),
            "job_seekers": np.nan if first else float(job_seekers[month - 1]),
            "gdp_yuan": gdp_of_initial_year if first else float(value_added[months].sum()),
        }
        complete.append(first or len(months) == 12)
        for key, value in values.items():
            cols[key].append(value)
    cols["gdp_real_growth"] = real_growth(np.array(cols["gdp_yuan"]), complete=np.array(complete)).tolist()
    types = {"year": pa.int32(), "months": pa.int32()}
    # NaN marks a flow the initial state does not have: written as empty (null)
    return pa.table({k: pa.array(v, type=types.get(k, pa.float64()), from_pandas=True) for k, v in cols.items()})


def residents_by_age(model: Model) -> pa.Table:
    """Residents and talent by year end, sex and five-year age group."""
    groups = np.minimum(np.arange(AGES) // 5, len(FIVE_YEAR_GROUPS) - 1)
    cols: dict[str, list] = {k: [] for k in ("year", "sex", "age_group", "residents", "talent")}
    for year, month, _ in _year_rows(model):
        non_talent, talent = _by_age(model, month)
        for s, sex in enumerate(SEXES):
            everyone = np.bincount(groups, weights=non_talent[s] + talent[s], minlength=len(FIVE_YEAR_GROUPS))
            talented = np.bincount(groups, weights=talent[s], minlength=len(FIVE_YEAR_GROUPS))
            for g, label in enumerate(FIVE_YEAR_GROUPS):
                for key, value in (("year", year), ("sex", sex), ("age_group", label), ("residents", everyone[g]), ("talent", talented[g])):
                    cols[key].append(value)
    types = {"year": pa.int32(), "sex": pa.string(), "age_group": pa.string()}
    return pa.table({k: pa.array(v, type=types.get(k, pa.float64())) for k, v in cols.items()})
