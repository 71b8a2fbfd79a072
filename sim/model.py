"""The TalentSim model: industry-talent agglomeration in a city's clusters, monthly.

``TalentModel.step`` runs the processes of the ODD (docs/ODD.md §3) in their order:
policy update, firm planning, inflows, job search and matching, housing, retention and exit,
projects and challenges, firm entry and exit, observation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.config import HIGH_END_TIERS, TIERS, Scenario, check_against_region, load_scenario
from sim.firms import FirmTable
from sim.government import Government, ResearchPlatform
from sim.kernels import (
    adjust_jobs, employees_of, employment, group_order, group_sum, group_sums, group_table, keyed_normals, keyed_rows,
    keyed_uniforms,
)
from sim.observe import INFLOW_CHANNELS, Recorder
from sim.region import Region
from sim.talent import (
    APARTMENT, BACHELOR, CANDIDATE, DOCTORATE, EMPLOYED, GONE, MARKET, MASTER, OWNER, SEARCHING, VOCATIONAL,
    Cohort, TalentPool,
)

K = len(TIERS)
SKILLED = TIERS.index("skilled")
CH = {name: i for i, name in enumerate(INFLOW_CHANNELS)}
# the processes of a month, in order (docs/ODD.md §3)
# Draws that belong to one agent (or firm): keyed by (seed, month, draw) and the agent's id
AGENT_DRAWS = ("search_cluster", "search_come", "search_match", "search_firm", "purchase", "purchase_wait", "consider_move",
               "move_choice", "destination", "first_child", "fixed_exit", "fixed_destination", "firm_shock_a", "firm_shock_b",
               "firm_exit", "firm_promotion")
# where agents and firms come from, for their ids
ID_SOURCES = {"initial": 0, "candidate": 1, "platform": 2, "project": 3, "challenge": 4, "tailored": 5, "entrant": 6, "new_platform": 7}
# education of the skilled tier (vocational, bachelor, master, doctorate): assumption; drawn by inverting
# the cumulative shares, the same numbers as ``Generator.choice`` with these probabilities
SKILLED_EDUCATION = np.array([VOCATIONAL, BACHELOR, MASTER, DOCTORATE])
SKILLED_EDUCATION_CDF = np.cumsum([0.35, 0.45, 0.17, 0.03])
SKILLED_EDUCATION_CDF /= SKILLED_EDUCATION_CDF[-1]
STEP_ORDER = ("update_policy", "plan_firms", "arrive", "search_and_match", "allocate_housing", "retain_and_exit",
              "run_projects", "enter_and_exit_firms")
STREAMS = (*STEP_ORDER, "challenges")  # a month's random streams, in the order of their spawn keys


def month_index(month: str) -> int:
    year, m = (int(p) for p in month.split("-"))
    return year * 12 + (m - 1)


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    top = np.max(x, axis=axis, keepdims=True)
    return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(x - top), axis=axis))


def _upper_quartile(values: np.ndarray) -> float:
    """``np.percentile(values, 75)`` (linear interpolation) from a partial sort, which is all it needs."""
    position = 0.75 * (len(values) - 1)
    low = int(np.floor(position))
    high = min(low + 1, len(values) - 1)
    part = np.partition(values, high)  # one pivot: several times faster than partitioning at [low, high]
    upper = part[high]
    lower = part[:high].max() if high > low else upper  # the low-th smallest is the largest below the pivot
    return float(lower + (position - low) * (upper - lower))


def _column(value: Any, *, n: int, dtype: type) -> np.ndarray:
    """One column of ``n`` new agents: a scalar repeated, or a copy of a per-agent array."""
    if np.ndim(value) == 0:
        return np.full(n, value, dtype=dtype)
    return np.array(value, dtype=dtype)


def _largest_remainder(total: float, weights: np.ndarray) -> np.ndarray:
    """Integers summing to round(total), proportional to weights."""
    total = int(round(total))
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(np.int64)
    short = total - base.sum()
    base[np.argsort(-(raw - base), kind="stable")[:short]] += 1
    return base


class TalentModel(mesa.Model):
    """Agent-based model of a city's talent and its industrial clusters.

    Build it from a validated :class:`Scenario`, or from keyword arguments for batch runners:
    ``TalentModel(scenario="baseline", apartments_per_year=8000, seed=3)``.
    """

    def __init__(self, scenario: Scenario | str | Path = "baseline", *, seed: int | None = None,
                 scale: int | None = None, region: Region | None = None, **overrides: Any) -> None:
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario, overrides=overrides or None)
        elif overrides:
            from sim.config import apply_overrides, build_scenario
            source_dir = scenario._source_dir
            scenario = build_scenario(apply_overrides(scenario.model_dump(mode="json"), overrides, source=scenario.name), source=scenario.name)
            scenario._source_dir = source_dir
        run = scenario.run.model_copy(update={k: v for k, v in {"seed": seed, "scale": scale}.items() if v is not None})
        scenario = scenario.model_copy(update={"run": run})
        self.config = scenario  # not ``self.scenario``: Mesa 3.5 reserves that name for its own scenarios
        self.region = region or scenario.load_region()
        check_against_region(scenario, region=self.region, source=scenario.name)
        # One root seed. The initial state draws from the model's generator; every month each process
        # draws from its own stream, keyed by (seed, month, process), so two scenarios run with the
        # same seed draw the same numbers for a process in a month whatever happened before it
        # (common random numbers: differences between scenarios come from the levers).
        super().__init__(rng=np.random.default_rng(np.random.SeedSequence(run.seed).spawn(1)[0]))
        self._root_seed = run.seed
        self._process = None  # the process now running, whose stream ``draw`` gives
        self._minted: dict[tuple[int, str], int] = {}

        self.scale = run.scale
        self.start = month_index(run.start)
        self.n_months = month_index(run.end) - self.start + 1
        self.t = 0  # months simulated so far
        self.agent_steps = 0  # talent agents resident at the start of each month, summed over months
        # the levers' time path: settings in force from each scheduled month on
        self.levers = scenario.levers
        self.lever_changes: dict[int, Any] = {}
        for month, levers in scenario.levers.time_path():
            if month_index(month) <= self.start:
                self.levers = levers
            else:
                self.lever_changes[month_index(month) - self.start] = levers
        self.unc = scenario.uncertainties
        self.beh = scenario.uncertainties.behaviour
        self.interactions = scenario.interactions
        self.fixed_rates = scenario.fixed_rates

        self._setup_geography()
        self.firms = FirmTable(capacity=self._n_initial_firms() * 2 + 1000)
        self.pool = TalentPool(capacity=int(self.region.talent_stock.value / self.scale * 1.6 + 50000))
        self.government = Government(self, levers=self.levers)
        self._setup_firms_and_talent()
        self._setup_housing_and_services()
        self._setup_policy_state()
        self.recorder = Recorder(model=self)
        self.datacollector = mesa.DataCollector(model_reporters={
            "talent_stock": lambda m: m.recorder.total_stock(),
            "firms": lambda m: int(m.firms.view("alive").sum()),
            "apartments_occupied": lambda m: float(m.apartments_occupied.sum()),
        })
        self.datacollector.collect(self)

    # ================================================================ setup
    def _setup_geography(self) -> None:
        r = self.region
        self.sectors = r.sectors
        self.S = len(self.sectors)
        self.n_clusters = self.S - 1
        self.district_ids = r.district_ids
        self.D = len(self.district_ids)
        self.sector_district = np.array([self.district_ids.index(s.district) for s in self.sectors])
        self.competitors = r.competitors.rows
        self.J = len(self.competitors)
        self.tier_wage = np.array([r.tiers[t].wage_multiplier for t in TIERS])
        self.sector_wage_index = np.array([s.wage_index for s in self.sectors])
        self.talent_intensity = np.array([s.talent_intensity for s in self.sectors])
        self.rent0 = np.array([d.rent_yuan for d in r.district_rows])
        # linked-cluster weights for the spillover (row: receiving sector)
        self.link_matrix = np.zeros((self.S, self.S))
        ids = r.sector_ids
        for link in r.links:
            a, b = ids.index(link.a), ids.index(link.b)
            self.link_matrix[a, b] = self.link_matrix[b, a] = link.weight
        own = r.competitors.own_rank
        rank_w = r.competitors.rank_weight.value
        self.competitor_constant = np.array([
            c.constant if c.rank is None else rank_w * np.log(own / c.rank) for c in self.competitors
        ])
        self.competitor_wage_index = np.array([c.wage_index for c in self.competitors])
        self.competitor_rent = np.array([c.rent_yuan for c in self.competitors])
        paths = [self.unc.competitors.get(c.id) for c in self.competitors]
        self.competitor_trend = np.array([p.trend_per_year if p else 0.0 for p in paths])
        self.competitor_shock = np.array([p.shock if p else 0.0 for p in paths])
        self.competitor_shock_start = np.array([month_index(p.shock_start) - self.start if p else 10**6 for p in paths])

    def _n_initial_firms(self) -> int:
        r = self.region
        return sum(s.firms for s in self.sectors) + int(r.initial.leading_projects.value) + len(r.platforms) + len(r.named_firms) + 64

    def _setup_firms_and_talent(self) -> None:
        r, rng, beh = self.region, self.draw, self.beh
        sector_talent = np.array(r.sector_talent())
        tier_totals = r.tier_counts()
        he_weight = sector_talent * np.array([s.high_end_intensity for s in self.sectors])
        # persons by sector x tier
        counts = np.zeros((self.S, K))
        for k, tier in enumerate(HIGH_END_TIERS):
            counts[:, k] = _largest_remainder(tier_totals[tier], he_weight)
        counts[:, SKILLED] = sector_talent - counts[:, :SKILLED].sum(axis=1)
        if (counts[:, SKILLED] < 0).any():
            raise ValueError("region: high-end tiers exceed a sector's talent")
        self.initial_tier_share = counts / counts.sum(axis=1, keepdims=True)

        firm_sector, firm_jobs, firm_opj, firm_int, firm_project, firm_platform = [], [], [], [], [], []
        special_talent: list[tuple[int, np.ndarray]] = []  # (firm position, persons by tier)
        # research platforms: employers of their own high-end talent
        self.platforms: list[ResearchPlatform] = []
        for p in r.platforms:
            persons = np.array([p.talent.get(t, 0) for t in TIERS], dtype=float)
            pos = len(firm_sector)
            firm_sector.append(r.sector_ids.index(p.host)); firm_jobs.append(max(persons.sum(), 1.0))
            firm_opj.append(self.sectors[firm_sector[-1]].output_per_job_yuan); firm_int.append(1.0)
            firm_project.append(False); firm_platform.append(True)
            special_talent.append((pos, persons))
            mix = persons[:4] / max(persons[:4].sum(), 1.0)
            self.platforms.append(ResearchPlatform(self, platform_id=p.id, host=firm_sector[-1],
                                                   links=[r.sector_ids.index(x) for x in p.links], capacity=p.capacity,
                                                   firm_row=pos, opens=0, tier_mix=mix, yearly_cost=0.0))
        for f in r.named_firms:
            persons = np.array([f.talent.get(t, 0) for t in TIERS], dtype=float)
            persons[SKILLED] += f.rd_staff
            s = r.sector_ids.index(f.sector)
            special_talent.append((len(firm_sector), persons))
            firm_sector.append(s); firm_jobs.append(persons.sum() / self.talent_intensity[s])
            firm_opj.append(self.sectors[s].output_per_job_yuan); firm_int.append(self.talent_intensity[s])
            firm_project.append(False); firm_platform.append(False)
        special_persons = np.zeros((self.S, K))
        for pos, persons in special_talent:
            special_persons[firm_sector[pos]] += persons
        # leading-talent project firms (end-2021 stock), placed where high-end talent is
        n_proj = int(r.initial.leading_projects.value)
        he_counts = counts[:, :SKILLED].sum(axis=1)
        proj_sector = rng.choice(self.S, size=n_proj, p=he_counts / he_counts.sum())
        proj_jobs = beh.project_jobs_end_2021 * rng.lognormal(-0.125, 0.5, size=n_proj)
        # ordinary firms: lognormal sizes scaled so that talent positions equal the sector's remaining talent
        for s, sector in enumerate(self.sectors):
            remaining = sector_talent[s] - special_persons[s].sum() - (proj_jobs[proj_sector == s] * self.talent_intensity[s]).sum()
            if remaining <= 0:
                raise ValueError(f"region: sector {sector.id} has fewer talent than its platforms, named firms and projects employ")
            sizes = rng.lognormal(0.0, 1.0, size=sector.firms)
            sizes *= remaining / self.talent_intensity[s] / sizes.sum()
            firm_sector.extend([s] * sector.firms); firm_jobs.extend(sizes.tolist())
            firm_opj.extend([sector.output_per_job_yuan] * sector.firms); firm_int.extend([self.talent_intensity[s]] * sector.firms)
            firm_project.extend([False] * sector.firms); firm_platform.extend([False] * sector.firms)
        firm_sector.extend(proj_sector.tolist()); firm_jobs.extend(proj_jobs.tolist())
        firm_opj.extend([beh.project_output_per_job_yuan] * n_proj); firm_int.extend(self.talent_intensity[proj_sector].tolist())
        firm_project.extend([True] * n_proj); firm_platform.extend([False] * n_proj)

        n_firms = len(firm_sector)
        lr = rng.normal(0.0, 0.15, size=n_firms)
        jobs = np.array(firm_jobs) * np.where(firm_platform, 1.0, 1 + beh.initial_vacancy_rate)  # positions, some open
        rows = self.firms.add(
            sector=np.array(firm_sector), jobs=jobs, base_jobs=jobs.copy(), log_productivity=lr, long_run_productivity=lr,
            output_per_job=np.array(firm_opj), talent_intensity=np.array(firm_int), funding=np.zeros(n_firms),
            born=-rng.integers(12, 240, size=n_firms), is_project=np.array(firm_project), is_platform=np.array(firm_platform),
            uid=self._mint_ids(n_firms, source="initial"),
        )
        self.firms.is_little_giant[rng.choice(rows[~self.firms.view("is_platform")], size=int(r.initial.little_giants.value), replace=False,
                                              p=self._size_weights(jobs[~self.firms.view("is_platform")]))] = True
        self.firms_initial = np.bincount(self.firms.view("sector"), minlength=self.S).astype(float)

        # talent agents: special employers first, then everyone else by talent positions
        general = counts - special_persons
        talent_slots = self.firms.view("jobs") * self.firms.view("talent_intensity")
        ordinary = ~np.isin(np.arange(n_firms), [pos for pos, _ in special_talent])
        for s in range(self.S):
            firms_s = np.flatnonzero((self.firms.view("sector") == s) & ordinary)
            p_firm = talent_slots[firms_s] / talent_slots[firms_s].sum()
            for k in range(K):
                self._add_initial_agents(sector=s, tier=k, persons=general[s, k], firms=firms_s, p_firm=p_firm)
        for pos, persons in special_talent:
            for k in range(K):
                self._add_initial_agents(sector=firm_sector[pos], tier=k, persons=persons[k], firms=np.array([pos]), p_firm=np.ones(1))
        self.talent_initial = counts
        self.effective_talent0 = self._effective_talent(counts.sum(axis=1))
        self.high_end0 = np.maximum(counts[:, :SKILLED].sum(axis=1), 1.0)
        self.jobs_initial = np.bincount(self.firms.view("sector"), weights=self.firms.view("jobs"), minlength=self.S)

    @staticmethod
    def _size_weights(jobs: np.ndarray) -> np.ndarray:
        w = jobs ** 1.5
        return w / w.sum()

    def _add_initial_agents(self, *, sector: int, tier: int, persons: float, firms: np.ndarray, p_firm: np.ndarray) -> None:
        if persons <= 0:
            return
        rng, ini = self.draw, self.region.initial
        per_agent = 1 if tier < SKILLED else self.scale
        n = max(int(round(persons / per_agent)), 1)
        weight = np.full(n, persons / n, dtype=np.float32)
        high_end = tier < SKILLED
        age = rng.normal(ini.mean_age.value + (8 if high_end else 0), ini.age_sd.value, size=n)
        age = np.clip(age, 22, self.beh.retirement_age - 0.1)
        months = np.minimum(rng.exponential(96, size=n), (age - 21) * 12).astype(np.int32)
        child_p = ini.share_with_children.value * np.clip((age - 24) / 12, 0, 1.6)
        children = (rng.random(n) < child_p).astype(np.int8)
        owner = rng.random(n) < ini.share_home_owners.value * np.clip(months / 96, 0.2, 1.8)
        self.pool.add(Cohort(
            status=np.full(n, EMPLOYED, np.int8), tier=np.full(n, tier, np.int8), sector=np.full(n, sector, np.int16),
            employer=firms[np.minimum(np.searchsorted(np.cumsum(p_firm), rng.random(n) * p_firm.sum()), len(firms) - 1)],
            field=self._draw_field(sector=np.full(n, sector), n=n), education=self._draw_education(tier=tier, n=n),
            age=age.astype(np.float32), housing=np.where(owner, OWNER, MARKET).astype(np.int8), children=children,
            months_in_city=months, weight=weight, channel=np.full(n, -1, np.int8), uid=self._mint_ids(n, source="initial"),
        ))

    def _draw_field(self, *, sector: np.ndarray, n: int) -> np.ndarray:
        """Field of study: fits the person's sector with probability 0.6 (assumption), else any sector."""
        other = self.draw.integers(0, self.S, size=n)
        return np.where(self.draw.random(n) < 0.6, sector, other).astype(np.int16)

    def _draw_education(self, *, tier: int | np.ndarray, n: int) -> np.ndarray:
        """Doctorate or master for high-end tiers; a mix of vocational to doctorate for the skilled tier."""
        high_end = np.where(self.draw.random(n) < 0.6, DOCTORATE, MASTER)
        skilled = SKILLED_EDUCATION[np.searchsorted(SKILLED_EDUCATION_CDF, self.draw.random(n), side="right")]
        return np.where(np.asarray(tier) < SKILLED, high_end, skilled).astype(np.int8)

    def _setup_housing_and_services(self) -> None:
        ini = self.region.initial
        talent_by_district = np.bincount(self.sector_district, weights=self.talent_initial.sum(axis=1), minlength=self.D)
        self.district_share = talent_by_district / talent_by_district.sum()
        self.apartment_supply = ini.apartments.value * self.district_share
        self.apartments_occupied = np.zeros(self.D)
        # initial tenants: eligible renters, newest arrivals first
        p = self.pool
        renters = np.flatnonzero(p.view("housing") == MARKET)
        order = renters[np.argsort(p.months_in_city[renters], kind="stable")]
        district = self.sector_district[p.sector[order]]
        for d in range(self.D):
            mine = order[district == d]
            take = mine[np.cumsum(p.weight[mine]) <= self.apartment_supply[d]]
            p.housing[take] = APARTMENT
            self.apartments_occupied[d] = p.weight[take].sum()
        self.renters0 = np.maximum(self._renters_by_district(), 1.0)
        self.rent = self.rent0.copy()
        self.school_places = ini.school_places.value
        self.hospital_beds = ini.hospital_beds.value
        self.culture_events0 = ini.culture_events.value
        self.school_places_added = 0.0

    def _setup_policy_state(self) -> None:
        self.loans_outstanding = 0.0
        self.fund_remaining = {self.region.sector_ids.index(c): v for c, v in self.levers.funding.industry_funds_yuan.items()}
        self.demand_firm = np.empty(0, dtype=np.int64)
        self.demand_posted = np.empty(0, dtype=np.int64)
        self.pipeline: list[tuple[int, int, float]] = []  # (arrival month, tier, persons) of tailored recruits
        self.pending_inflows: list[Cohort] = []
        lev = self.levers.platforms
        for i, p in enumerate(lev.new_platforms):
            host = self.region.sector_ids.index(p.cluster)
            row = int(self.firms.add(sector=np.array([host]), jobs=np.array([1.0]), base_jobs=np.array([1.0]),
                                     log_productivity=np.zeros(1), long_run_productivity=np.zeros(1),
                                     output_per_job=np.array([self.sectors[host].output_per_job_yuan]), talent_intensity=np.ones(1),
                                     funding=np.zeros(1), born=np.array([month_index(p.opens) - self.start]),
                                     is_platform=np.ones(1, bool), uid=self._mint_ids(1, source="new_platform"))[0])
            self.firms.alive[row] = False  # opens later
            self.platforms.append(ResearchPlatform(self, platform_id=p.id, host=host, links=[], capacity=p.capacity, firm_row=row,
                                                   opens=month_index(p.opens) - self.start, tier_mix=np.array([0.05, 0.25, 0.35, 0.35]),
                                                   yearly_cost=p.cost_per_year_yuan))
        self.cum_spending = 0.0

    # ================================================================ helpers
    @property
    def month_of_year(self) -> int:
        return (self.start + self.t) % 12 + 1

    @property
    def years(self) -> float:
        return self.t / 12.0

    def _effective_talent(self, talent: np.ndarray) -> np.ndarray:
        return talent + self.beh.link_weight * self.link_matrix @ talent

    def _by_district(self, by_sector: np.ndarray) -> np.ndarray:
        return np.bincount(self.sector_district, weights=by_sector, minlength=self.D)

    def _renters_by_district(self) -> np.ndarray:
        p = self.pool
        by_housing = group_table(outer=p.view("sector"), inner=p.view("housing"), shape=(self.S, 3), weights=p.view("weight"), mask=p.resident_mask())
        return self._by_district(by_housing[:, MARKET])

    def stock_by_sector_tier(self) -> np.ndarray:
        p = self.pool
        return group_table(outer=p.view("sector"), inner=p.view("tier"), shape=(self.S, K), weights=p.view("weight"), mask=p.resident_mask())

    # ================================================================ the step
    def step(self) -> None:
        self.government.start_month(month_of_year=self.month_of_year)
        self.recorder.start_month()
        self.agent_steps += int(np.count_nonzero(self.pool.resident_mask()))
        self.stock = self.recorder.stock[self.t]  # residents at the end of last month; compaction drops none
        self._start_month_draws()
        for process in STEP_ORDER:  # 1-8
            self._process = process
            getattr(self, process)()
        self._process = None
        self.t += 1
        self.recorder.observe()     # 9
        self.datacollector.collect(self)
        self.pool.compact()
        self._compact_firms()
        if self.t >= self.n_months:
            self.running = False

    def _start_month_draws(self) -> None:
        """This month's keys of the per-agent draws, and its streams (one per process and one for the
        challenges within run_projects), each made when its process first draws."""
        keys = np.random.SeedSequence(self._root_seed, spawn_key=(2, self.t)).generate_state(len(AGENT_DRAWS), np.uint64)
        self._draw_keys = dict(zip(AGENT_DRAWS, keys.tolist()))
        self._minted = {}
        self._streams = {}

    def _stream(self, name: str) -> np.random.Generator:
        """The month's stream of a process: child ``i`` of ``SeedSequence(seed, spawn_key=(1, month))``."""
        if name not in self._streams:
            index = STREAMS.index(name)
            self._streams[name] = np.random.default_rng(np.random.SeedSequence(self._root_seed, spawn_key=(1, self.t, index)))
        return self._streams[name]

    @property
    def draw(self) -> np.random.Generator:
        """The generator of the process now running (the model's own while it is set up)."""
        return self.rng if self._process is None else self._stream(self._process)

    @property
    def challenge_draw(self) -> np.random.Generator:
        return self._stream("challenges")

    def _uniforms(self, ids: np.ndarray, *, draw: str) -> np.ndarray:
        """One uniform per agent (or firm) id for a named draw of this month; see ``keyed_uniforms``."""
        return keyed_uniforms(ids, key=self._draw_keys[draw])

    def _chosen(self, ids: np.ndarray, *, mask: np.ndarray, draw: str, p: float) -> np.ndarray:
        """Rows where ``mask`` holds whose agent's keyed draw falls below ``p`` (probability p each)."""
        return keyed_rows(ids, mask=mask, key=self._draw_keys[draw], below=p)

    def _mint_ids(self, n: int, *, source: str) -> np.ndarray:
        """Ids that name the same agent in every scenario run with the same seed: the month, where the
        agent comes from, and its place among those of the month and source."""
        first = self._minted.get((self.t, source), 0)
        self._minted[(self.t, source)] = first + n
        return ((self.t + 1) << 32) | (ID_SOURCES[source] << 24) | np.arange(first, first + n, dtype=np.int64)

    def _compact_firms(self) -> None:
        """Drop exited firms' rows and renumber every reference to a firm row."""
        new_row = self.firms.compact()
        if new_row is None:
            return
        p = self.pool
        employed = np.flatnonzero(p.view("employer") >= 0)
        p.employer[employed] = new_row[p.employer[employed]]
        for platform in self.platforms:
            platform.firm_row = int(new_row[platform.firm_row])
        demand_row = new_row[self.demand_firm]
        open_demand = demand_row >= 0
        self.demand_firm, self.demand_posted = demand_row[open_demand], self.demand_posted[open_demand]

    # ---------------------------------------------------------------- 1. policy update
    def update_policy(self) -> None:
        if self.t in self.lever_changes:
            self._switch_levers(self.lever_changes[self.t])
        gov, lev = self.government, self.levers
        # talent apartments completed
        want = lev.housing.apartments_per_year / 12.0
        share = gov.request("housing", want * lev.housing.cost_per_apartment_yuan)
        self.apartment_supply += want * share * self.district_share
        # services, funded in this order when the budget binds: running events and school places
        # already open come before new school places and new hospital beds
        s = lev.services
        running = s.culture_events_per_year / 12 * s.cost_per_culture_event_yuan + self.school_places_added * s.cost_per_school_place_yuan / 12
        reserve = running * (12 - self.month_of_year)
        events_share = gov.request("services", s.culture_events_per_year / 12 * s.cost_per_culture_event_yuan)
        self.culture_events = s.culture_events_per_year * events_share
        gov.request("services", self.school_places_added * s.cost_per_school_place_yuan / 12)
        new_places = s.school_places_per_year / 12
        self.school_places_added += new_places * gov.request("services", new_places * s.cost_per_school_place_yuan / 12, reserve_yuan=reserve)
        self.school_places = self.region.initial.school_places.value + self.school_places_added
        recent_graduates = (self.pool.view("channel") == CH["graduate"]) & (self.pool.view("months_in_city") < 36) & self.pool.resident_mask()
        card_holders = float(np.sum(self.pool.view("weight"), where=recent_graduates, dtype=np.float64))
        gov.request("services", card_holders * s.graduate_card_yuan / 12)
        new_beds = s.hospital_beds_per_year / 12
        self.hospital_beds += new_beds * gov.request("services", new_beds * s.cost_per_hospital_bed_yuan, reserve_yuan=reserve)
        # loans and funds
        f = lev.funding
        self.loans_outstanding *= 1 - 1 / (12 * f.loan_term_years)
        new_loans = f.loans_per_year_yuan / 12
        gov.request("funding", self.loans_outstanding * f.interest_subsidy_rate / 12)
        fund_flow = {}
        for s_idx, left in self.fund_remaining.items():
            pay = min(left, f.industry_funds_yuan.get(self.region.sector_ids[s_idx], 0.0) / (12 * f.fund_years))
            pay *= gov.request("funding", pay)
            self.fund_remaining[s_idx] = left - pay
            fund_flow[s_idx] = pay
        self._disburse_funding(new_loans=new_loans, fund_flow=fund_flow)
        self.loans_outstanding += new_loans
        # research platforms open, grow and are paid for
        for p in self.platforms:
            if p.opens == self.t:
                self.firms.alive[p.firm_row] = True
            if self.t >= p.opens:
                p.capacity *= (1 + lev.platforms.capacity_growth_per_year) ** (1 / 12)
        talent_at = getattr(self, "firm_talent", np.zeros(self.firms.size))
        hosted = sum(talent_at[p.firm_row] for p in self.platforms if self.t >= p.opens and p.firm_row < len(talent_at))
        cost = hosted * lev.platforms.running_cost_per_talent_yuan / 12 + sum(p.yearly_cost / 12 for p in self.platforms if self.t >= p.opens)
        self.platform_funding_share = gov.request("platforms", cost)

    def _switch_levers(self, levers: Any) -> None:
        """A scheduled change of policy: new settings and budgets; newly pledged fund money is added."""
        before = self.levers.funding.industry_funds_yuan
        for cluster, amount in levers.funding.industry_funds_yuan.items():
            extra = amount - before.get(cluster, 0.0)
            if extra > 0:
                s_idx = self.region.sector_ids.index(cluster)
                self.fund_remaining[s_idx] = self.fund_remaining.get(s_idx, 0.0) + extra
        self.levers = levers
        self.government.set_levers(levers)

    def _disburse_funding(self, *, new_loans: float, fund_flow: dict[int, float]) -> None:
        fm = self.firms
        alive = fm.view("alive")
        decay = 1 - 1 / (12 * self.levers.funding.loan_term_years)
        fm.funding[: fm.size] *= decay
        # loans go to leading-talent projects and firms of high-level talent, by size
        target = alive & (fm.view("is_project") | fm.view("is_little_giant"))
        if target.any():
            w = fm.view("jobs") * target
            fm.funding[: fm.size] += new_loans * w / w.sum()
        for s, amount in fund_flow.items():
            young = alive & (fm.view("sector") == s) & (fm.view("born") > self.t - 60)
            if young.any() and amount > 0:
                w = fm.view("jobs") * young
                fm.funding[: fm.size] += amount * w / w.sum()

    # ---------------------------------------------------------------- 2. firm planning
    def plan_firms(self) -> None:
        fm, beh = self.firms, self.beh
        alive = fm.view("alive")
        talent = self.stock.sum(axis=1)
        if self.interactions:
            self.spillover = beh.agglomeration_elasticity * np.log(self._effective_talent(talent) / self.effective_talent0)
            lp, lr = fm.view("log_productivity"), fm.view("long_run_productivity")
            shock = keyed_normals(fm.view("uid"), keys=(self._draw_keys["firm_shock_a"], self._draw_keys["firm_shock_b"]))
            lp[:] = lr + (1 - beh.productivity_reversion) * (lp - lr) + beh.productivity_shock_sd * shock
        else:
            self.spillover = np.zeros(self.S)
        span = max(month_index("2035-12") - self.start, 1)
        rate = np.interp(self.t, [0, span], [self.unc.industry_demand_growth, self.unc.industry_demand_growth_2035])
        self.demand_level = getattr(self, "demand_level", 1.0) * (1 + rate) ** (1 / 12)
        annual_output = np.maximum(fm.view("jobs") * fm.view("output_per_job"), 1.0)
        funding_factor = 1 + beh.funding_effect * np.log1p(fm.view("funding") / annual_output)
        own = fm.view("log_productivity") - fm.view("long_run_productivity") if self.interactions else 0.0
        # firms grow only as fast as their cluster finds talent
        positions, demand = adjust_jobs(
            jobs=fm.view("jobs"), base_jobs=fm.view("base_jobs"), productivity_factor=np.exp(beh.job_response * (own + self.spillover[fm.view("sector")])),
            demand_level=self.demand_level, funding_factor=funding_factor, adjustment=beh.job_adjustment_per_month,
            fill_rate=getattr(self, "fill_rate", np.ones(self.S)), sector=fm.view("sector"), active=alive & ~fm.view("is_platform"),
            talent_intensity=fm.view("talent_intensity"))
        # talent positions by firm and by sector x tier (platform talent fills platform posts, not firm vacancies)
        p = self.pool
        self.firm_talent, filled = employment(status=p.view("status"), employed_code=EMPLOYED, employer=p.view("employer"),
                                              sector=p.view("sector"), tier=p.view("tier"), weights=p.view("weight"),
                                              is_platform=fm.view("is_platform"), shape=(self.S, K))
        self.firm_vacancy = np.maximum(positions - self.firm_talent, 0.0)
        self.vacancies = np.maximum(demand[:, None] * self.initial_tier_share - filled, 0.0)
        self.wage = (self.region.skilled_wage_yuan.value * self.sector_wage_index[:, None] * self.tier_wage[None, :]
                     * (1 + self.unc.wage_growth) ** self.years * np.exp(beh.wage_passthrough * self.spillover)[:, None])

    # ---------------------------------------------------------------- utilities
    def _sector_utility(self) -> np.ndarray:
        """Systematic utility of working in each sector, by tier (S x K), common to everyone."""
        beh = self.beh
        d = self.sector_district
        hospital = np.log(self.hospital_beds / self.region.initial.hospital_beds.value)
        v = beh.wage_weight * np.log(self.wage) - beh.rent_weight * np.log(self.rent[d])[:, None] + beh.service_weight * hospital
        if self.interactions:
            talent = self.stock.sum(axis=1)
            v = v + beh.thick_market_weight * np.log(np.maximum(talent, 1.0) / self.talent_initial.sum(axis=1))[:, None]
        return v

    def _outside_utility(self) -> np.ndarray:
        """Utility of each competing city, by tier (J x K)."""
        beh = self.beh
        shock = np.where(self.t >= self.competitor_shock_start, self.competitor_shock, 0.0)
        wage = (self.region.skilled_wage_yuan.value * self.competitor_wage_index[:, None] * self.tier_wage[None, :]
                * (1 + self.unc.wage_growth) ** self.years)
        rent = self.competitor_rent * (1 + self.unc.rent_trend) ** self.years
        return (beh.wage_weight * np.log(wage) - beh.rent_weight * np.log(rent)[:, None]
                + (self.competitor_constant + self.competitor_trend * self.years + shock)[:, None])

    def _alternative_city_utility(self) -> np.ndarray:
        """Utility of the typical alternative city, by tier: the log-mean-exp over competing cities."""
        return _logsumexp(self._outside_utility(), axis=0) - np.log(self.J)

    def _apartment_bonus(self) -> float:
        return -self.beh.rent_weight * np.log(max(1 - self.levers.housing.rent_discount, self.beh.min_housing_cost_share))

    def _newcomer_housing_term(self) -> np.ndarray:
        """Expected utility gain from apartment support for a newcomer, by district."""
        free = np.maximum(self.apartment_supply - self.apartments_occupied, 0.0)
        p_apartment = np.minimum(1.0, (free + self.apartment_supply / 60) / (self.queue_by_district() + 1.0))
        return -self.beh.rent_weight * np.log(np.maximum(1 - self.levers.housing.rent_discount * p_apartment, self.beh.min_housing_cost_share))

    def queue_by_district(self) -> np.ndarray:
        p = self.pool
        mask = (p.view("queue_since") >= 0) & (p.view("status") == EMPLOYED)
        return self._by_district(group_sum(codes=p.view("sector"), weights=p.view("weight"), mask=mask, n_groups=self.S))

    def _school_term(self) -> float:
        return self.beh.school_weight * np.log(self.school_places / self.region.initial.school_places.value)

    # ---------------------------------------------------------------- 3. inflows
    def arrive(self) -> None:
        beh, unc, rng = self.beh, self.unc, self.draw
        grads = (beh.graduate_candidates_per_year * unc.graduate_supply * (1 + unc.graduate_supply_trend) ** self.years
                 * beh.graduate_month_shares[self.month_of_year - 1] / sum(beh.graduate_month_shares))
        # (channel, persons this month, tier, mean age, age sd)
        sources = [
            ("graduate", grads, SKILLED, 23.5, 1.5),
            ("migrant", beh.migrant_candidates_per_year / 12, SKILLED, 31, 5),
            ("returnee", beh.returnee_candidates_per_year / 12, SKILLED, 29, 4),
            ("high_end", beh.high_end_candidates_per_year / 12 * 0.8, TIERS.index("municipal"), 36, 5),
            ("high_end", beh.high_end_candidates_per_year / 12 * 0.2, TIERS.index("provincial"), 40, 5),
        ]
        per_agent = np.array([self.scale if tier == SKILLED else 1 for _, _, tier, *_ in sources])
        counts = rng.poisson(np.array([persons for _, persons, *_ in sources]) / per_agent)
        column = lambda i: np.repeat(np.array([src[i] for src in sources]), counts)
        self.pool.add(self._cohort(n=int(counts.sum()), status=CANDIDATE, tier=column(2), channel=np.repeat([CH[src[0]] for src in sources], counts),
                                   sector=-1, employer=-1, weight=np.repeat(per_agent, counts), age_mean=column(3), age_sd=column(4),
                                   months=0, source="candidate"))
        self._tailored_recruitment()
        self._platform_recruitment()

    def _cohort(self, *, n: int, status: int, tier: int | np.ndarray, channel: str | np.ndarray, sector: int | np.ndarray,
                employer: int | np.ndarray, weight: float | np.ndarray, age_mean: float | np.ndarray,
                age_sd: float | np.ndarray, months: int | np.ndarray, source: str) -> Cohort:
        """New agents; ``sector < 0`` means candidates from outside (their field is drawn from all sectors)."""
        rng = self.draw
        age = np.clip(rng.normal(age_mean, age_sd, size=n), 21, self.beh.retirement_age - 1).astype(np.float32)
        outside = np.isscalar(sector) and sector < 0
        sector_arr = _column(sector, n=n, dtype=np.int16)
        field = rng.integers(0, self.S, size=n).astype(np.int16) if outside else self._draw_field(sector=sector_arr, n=n)
        return Cohort(
            status=np.full(n, status, np.int8), tier=_column(tier, n=n, dtype=np.int8), sector=sector_arr,
            employer=_column(employer, n=n, dtype=np.int32), field=field,
            education=self._draw_education(tier=tier, n=n), age=age, housing=np.zeros(n, np.int8),
            children=(rng.random(n) < np.clip((age - 25) / 30, 0, 0.5)).astype(np.int8),
            months_in_city=_column(months, n=n, dtype=np.int32), weight=_column(weight, n=n, dtype=np.float32),
            channel=_column(CH[channel] if isinstance(channel, str) else channel, n=n, dtype=np.int8),
            uid=self._mint_ids(n, source=source),
        )

    def _hire_directly(self, *, firm_rows: np.ndarray, tiers: np.ndarray, persons: np.ndarray, channel: str, age_mean: float) -> None:
        """Recruits hired straight into named employers (platforms, projects, tailored packages, challenge teams).

        Entry i brings ``persons[i]`` of tier ``tiers[i]`` to firm ``firm_rows[i]``, rounded stochastically
        to whole agents, so that the expected number of persons is exact at any scale.
        """
        firm_rows, tiers = np.atleast_1d(firm_rows).astype(np.int64), np.atleast_1d(tiers).astype(np.int64)
        persons = np.asarray(persons, float)
        if len(firm_rows) == 0:
            return
        per_agent = np.where(tiers == SKILLED, self.scale, 1)
        expected = persons / per_agent
        count = (np.floor(expected) + (self.draw.random(len(expected)) < expected - np.floor(expected))).astype(np.int64)
        if count.sum() == 0:
            return
        employer = np.repeat(firm_rows, count)
        rows = self.pool.add(self._cohort(n=int(count.sum()), status=EMPLOYED, tier=np.repeat(tiers, count), channel=channel,
                                          sector=self.firms.sector[employer], employer=employer, weight=np.repeat(per_agent, count),
                                          age_mean=age_mean, age_sd=5, months=0, source=channel))
        self.pool.queue_since[rows] = self.t
        self.recorder.add_inflow(sector=self.pool.sector[rows], tier=self.pool.tier[rows], channel=CH[channel], weight=self.pool.weight[rows])

    def _tailored_recruitment(self) -> None:
        ts = self.levers.tailored_support
        want = ts.packages_per_year / 12
        want *= self.government.request("tailored_support", want * ts.cost_per_package_yuan)
        lead = max(int(round(ts.onboarding_months)), 0)
        if want > 0:
            self.pipeline.append((self.t + lead, -1, want))
        arrived = [p for p in self.pipeline if p[0] <= self.t]
        self.pipeline = [p for p in self.pipeline if p[0] > self.t]
        for due, _, persons in arrived:
            survivors = persons * (1 - ts.dropout_per_month) ** lead
            hosts = [p for p in self.platforms if self.t >= p.opens]
            host = hosts[int(self.draw.integers(len(hosts)))] if hosts else None
            row = host.firm_row if host else int(np.argmax(self.firms.view("jobs") * self.firms.view("alive")))
            self._hire_directly(firm_rows=np.array([row, row]), tiers=np.array([TIERS.index("top"), TIERS.index("national")]),
                                persons=survivors * np.array([0.3, 0.7]), channel="tailored", age_mean=47)

    def _platform_recruitment(self) -> None:
        if self.fixed_rates:
            return
        fill = self.beh.platform_fill_per_month * self.platform_funding_share
        rows, tiers, persons = [], [], []
        for p in self.platforms:
            if self.t < p.opens:
                continue
            hosted = self.firm_talent[p.firm_row] if p.firm_row < len(self.firm_talent) else 0.0
            spare = max(p.capacity - hosted, 0.0)
            for k, share in enumerate(p.tier_mix):
                if share > 0:
                    rows.append(p.firm_row); tiers.append(k); persons.append(spare * fill * share)
            self.firms.jobs[p.firm_row] = max(p.capacity, 1.0)
        self._hire_directly(firm_rows=np.array(rows), tiers=np.array(tiers), persons=np.array(persons), channel="platform", age_mean=40)

    # ---------------------------------------------------------------- 4. search and matching
    def search_and_match(self) -> None:
        p, beh = self.pool, self.beh
        status = p.view("status")
        seekers = np.flatnonzero((status == CANDIDATE) | (status == SEARCHING) | (p.view("job_seeking") == 1))
        if len(seekers) == 0:
            self.fill_rate = np.ones(self.S)
            return
        tier = p.tier[seekers].astype(np.int64)
        v_sector = self._sector_utility() + self._newcomer_housing_term()[self.sector_district][:, None]
        vac_share = self.vacancies / np.maximum(self.vacancies.sum(axis=0, keepdims=True), 1e-9)
        # within the city: sector chosen with probability ~ vacancy share x exp(utility) (size-corrected logit)
        log_size = np.log(np.maximum(vac_share, 1e-12))
        # seekers differ only by tier, field and the cluster a job seeker on the job leaves, so the
        # logit is solved once per such kind and looked up per seeker
        on_job = p.job_seeking[seekers] == 1
        leaving = np.where(on_job, p.sector[seekers], self.S).astype(np.int64)  # S: no cluster excluded
        kind = (tier * self.S + p.field[seekers]) * (self.S + 1) + leaving
        inclusive_by_kind, cum_p_by_kind = self._sector_choice_table(log_size + v_sector)
        inclusive = inclusive_by_kind[kind]
        uid = p.uid[seekers]
        target = (cum_p_by_kind[kind] < self._uniforms(uid, draw="search_cluster")[:, None]).sum(axis=1)
        target = np.minimum(target, self.S - 1)
        # candidates from outside first decide whether to come at all
        is_candidate = status[seekers] == CANDIDATE
        if self.fixed_rates:
            comes = np.ones(len(seekers), bool)
            target = np.where(is_candidate, self._fixed_sector(len(seekers)), target)
        else:
            bonus = self._graduate_bonus(channel=p.channel[seekers])
            v_out = self._alternative_city_utility()[tier]
            p_come = 1 / (1 + np.exp(v_out - inclusive - bonus))
            committed = is_candidate & (p.search_left[seekers] > 0)  # came in an earlier month, still looking
            newly = is_candidate & ~committed & (self._uniforms(uid, draw="search_come") < p_come)
            p.search_left[seekers[newly]] = max(int(round(beh.candidate_search_months)), 1)
            comes = ~is_candidate | committed | newly
        seekers, target, tier, uid = seekers[comes], target[comes], tier[comes], uid[comes]
        # matching with frictions in each sector x tier market
        w = p.weight[seekers].astype(float)
        cell = target * K + tier
        u_persons = np.bincount(cell, weights=w, minlength=self.S * K).reshape(self.S, K)
        if self.fixed_rates:
            p_match = np.ones((self.S, K))
        else:
            a = beh.matching_elasticity
            m = np.minimum(beh.matching_efficiency * u_persons ** a * self.vacancies ** (1 - a), np.minimum(u_persons, self.vacancies))
            p_match = np.divide(m, u_persons, out=np.zeros_like(m), where=u_persons > 0)
        matched = self._uniforms(uid, draw="search_match") < p_match[target, tier]
        hires = np.bincount(cell[matched], weights=w[matched], minlength=self.S * K).reshape(self.S, K)
        self.fill_rate = np.divide(hires.sum(axis=1), self.vacancies.sum(axis=1), out=np.ones(self.S), where=self.vacancies.sum(axis=1) > 0)
        self.fill_rate = np.clip(self.fill_rate + (self.vacancies.sum(axis=1) < 1), 0, 1)
        self._place(seekers[matched], target[matched])
        # unmatched candidates search on for a few months (not yet counted in the stock), then go
        # elsewhere; displaced residents search on; job seekers on the job stay put
        lost = seekers[~matched]
        lost = lost[p.status[lost] == CANDIDATE]
        p.search_left[lost] -= 1
        p.status[lost[p.search_left[lost] <= 0]] = GONE
        p.job_seeking[: p.size] = 0
        undecided = np.flatnonzero((p.view("status") == CANDIDATE) & (p.view("search_left") <= 0))
        p.status[undecided] = GONE  # candidates who did not come

    def _sector_choice_table(self, v_sector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inclusive value and cumulative choice probabilities of the sector logit for every kind of
        seeker (tier x field x excluded sector, flattened), from the size-corrected utility (S x K)."""
        S = self.S
        util = np.broadcast_to(v_sector.T[:, None, None, :], (K, S, S + 1, S)).copy()
        util += self.beh.field_affinity * np.eye(S)[None, :, None, :]
        excluded = np.arange(S)
        util[:, :, excluded, excluded] = -np.inf  # a job seeker on the job looks at other clusters
        util = util.reshape(-1, S)
        inclusive = _logsumexp(util, axis=1)
        return inclusive, np.cumsum(np.exp(util - inclusive[:, None]), axis=1)

    def _fixed_sector(self, n: int) -> np.ndarray:
        share = self.talent_initial.sum(axis=1) / self.talent_initial.sum()
        return np.minimum(np.searchsorted(np.cumsum(share), self.draw.random(n)), self.S - 1)

    def _graduate_bonus(self, *, channel: np.ndarray) -> np.ndarray:
        """Settling allowance and graduate card, in utility, for graduates deciding whether to come."""
        g = self.levers.graduates.settling_allowance_yuan + 3 * self.levers.services.graduate_card_yuan
        annual = self.wage[-1, SKILLED] * 12
        return np.where(channel == CH["graduate"], self.beh.allowance_weight * g / annual, 0.0)

    def _place(self, rows: np.ndarray, target: np.ndarray) -> None:
        """Hire matched seekers into firms of their target sector, in proportion to firm vacancies."""
        if len(rows) == 0:
            return
        p, fm = self.pool, self.firms
        order, bounds = group_order(codes=fm.view("sector"), n_groups=self.S)
        vac = self.firm_vacancy[order] + 1e-9 * (fm.view("alive")[order] & ~fm.view("is_platform")[order])
        cum = np.cumsum(vac)
        start, end = bounds[:-1], bounds[1:]
        lo = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
        hi = cum[np.maximum(end - 1, 0)]
        draw = lo[target] + self._uniforms(p.uid[rows], draw="search_firm") * (hi[target] - lo[target])
        pos = np.clip(np.searchsorted(cum, draw, side="right"), start[target], end[target] - 1)
        firm = order[pos]
        old_status = p.status[rows]
        old_sector = p.sector[rows].astype(np.int64)
        arriving = old_status == CANDIDATE
        movers = ~arriving & (old_sector != target)  # residents changing cluster
        tier, weight = p.tier[rows], p.weight[rows]
        self.recorder.add_outflow(sector=old_sector[movers], tier=tier[movers], channel=self.recorder.out_internal, weight=weight[movers])
        self.recorder.add_inflow(sector=target[movers], tier=tier[movers], channel=CH["internal"], weight=weight[movers])
        self.recorder.add_inflow(sector=target[arriving], tier=tier[arriving], channel=p.channel[rows][arriving], weight=weight[arriving])
        # a talent apartment belongs to its district: moving to another district gives it up
        left_district = movers & (self.sector_district[old_sector] != self.sector_district[target]) & (p.housing[rows] == APARTMENT)
        p.housing[rows[left_district]] = MARKET
        p.status[rows] = EMPLOYED
        p.sector[rows] = target
        p.employer[rows] = firm
        p.search_left[rows] = 0
        # newcomers queue for a talent apartment if eligible
        new = rows[arriving]
        p.queue_since[new] = self.t
        p.months_in_city[new] = np.maximum(p.months_in_city[new], 0)
        graduates = int(np.sum(p.weight[new][p.channel[new] == CH["graduate"]]))
        g = self.levers.graduates
        self.government.request("graduates", graduates * g.settling_allowance_yuan)

    # ---------------------------------------------------------------- 5. housing
    def allocate_housing(self) -> None:
        p, lev, gov = self.pool, self.levers.housing, self.government
        eligible_months = 12 * lev.skilled_eligibility_years
        # skilled tenants whose eligibility ended move to the market
        tenants = np.flatnonzero(p.view("housing") == APARTMENT)
        expired = tenants[(p.tier[tenants] == SKILLED) & (p.months_in_city[tenants] > eligible_months)]
        p.housing[expired] = MARKET
        tenants = tenants[(p.housing[tenants] == APARTMENT) & (p.status[tenants] <= SEARCHING)]
        # the queue keeps employed talent in market housing: high-end tiers always, skilled talent in its first years
        queued = np.flatnonzero(p.view("queue_since") >= 0)
        stays = ((p.status[queued] == EMPLOYED) & (p.housing[queued] == MARKET)
                 & ((p.tier[queued] < SKILLED) | (p.months_in_city[queued] <= eligible_months)))
        p.queue_since[queued[~stays]] = -1
        queued = queued[stays]
        occupied = np.bincount(self.sector_district[p.sector[tenants]], weights=p.weight[tenants], minlength=self.D)
        free = np.maximum(self.apartment_supply - occupied, 0.0)
        if len(queued):
            take = self._apartment_allocation(queued, free=free)
            p.housing[take] = APARTMENT
            p.queue_since[take] = -1
            occupied += np.bincount(self.sector_district[p.sector[take]], weights=p.weight[take], minlength=self.D)
        self.apartments_occupied = occupied
        # rent discount paid by the housing lever; an unfunded month leaves tenants in place (the city owns the flats)
        discount_cost = float((occupied * self.rent).sum() * lev.rent_discount)
        gov.request("housing", discount_cost)
        # home purchases: renters with two years in the city; subsidy for high-end tiers
        if not self.fixed_rates:
            self._buy_homes()
        # market rent follows renting talent
        if self.interactions:
            renters_d = self._renters_by_district()
            self.rent = self.rent0 * (1 + self.unc.rent_trend) ** self.years * (np.maximum(renters_d, 1.0) / self.renters0) ** self.beh.rent_demand_elasticity
        else:
            self.rent = self.rent0 * (1 + self.unc.rent_trend) ** self.years

    def _apartment_allocation(self, queued: np.ndarray, *, free: np.ndarray) -> np.ndarray:
        """Queued rows that get a free apartment in their district.

        High-end tiers come first, then the newest arrivals, then earlier rows: apartments are
        transitional housing for newcomers, who are also the most mobile, so each further apartment
        reaches talent that is more settled than the last (diminishing returns, P6). Whole places in
        the queue (district x priority x month queued) are served at once; only the place where the
        free apartments run out is served row by row.
        """
        p = self.pool
        district = self.sector_district[p.sector[queued]].astype(np.int64)
        n_places = 2 * (self.n_months + 1)
        place = (p.tier[queued] == SKILLED).astype(np.int64) * (self.n_months + 1) + self.n_months - p.queue_since[queued].astype(np.int64)
        weight = p.weight[queued].astype(float)
        queue = np.bincount(district * n_places + place, weights=weight, minlength=self.D * n_places).reshape(self.D, n_places)
        served = np.cumsum(queue, axis=1) <= free[:, None]
        short = ~served.all(axis=1)
        last_place = np.where(short, np.argmax(~served, axis=1), n_places)  # the first place not served in full
        ahead = np.where(last_place > 0, np.cumsum(queue, axis=1)[np.arange(self.D), np.maximum(last_place - 1, 0)], 0.0)
        take = served[district, place]
        at_margin = np.flatnonzero(short[district] & (place == last_place[district]))
        if len(at_margin):
            by_district, bounds = group_order(codes=district[at_margin], n_groups=self.D)
            rows = at_margin[by_district]
            d = district[rows]
            cum = np.cumsum(weight[rows])
            start = bounds[:-1]
            before = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
            take[rows[ahead[d] + cum - before[d] <= free[d]]] = True
        return queued[take]

    def _buy_homes(self) -> None:
        p, lev, gov = self.pool, self.levers.housing, self.government
        price = self.rent * 12 * self.beh.price_to_annual_rent
        base = self.beh.purchase_rate_per_year / 12
        high_end_rate = base * (1 + self.beh.purchase_subsidy_elasticity * lev.purchase_subsidy_yuan / price)
        renter = p.resident_mask() & (p.view("housing") != OWNER) & (p.view("months_in_city") >= 24)
        # renters whose draw is below the highest rate, then each against its own rate
        drawn = self._chosen(p.view("uid"), mask=renter, draw="purchase", p=max(base, float(high_end_rate.max())))
        rate = np.where(p.tier[drawn] < SKILLED, high_end_rate[self.sector_district[p.sector[drawn]]], base)
        buys = drawn[self._uniforms(p.uid[drawn], draw="purchase") < rate]
        subsidised = float(p.weight[buys][p.tier[buys] < SKILLED].sum())
        share = gov.request("housing", subsidised * lev.purchase_subsidy_yuan)
        if share < 1:  # without the subsidy some high-end buyers wait
            keep = (p.tier[buys] >= SKILLED) | (self._uniforms(p.uid[buys], draw="purchase_wait") < share)
            buys = buys[keep]
        moving_out = buys[p.housing[buys] == APARTMENT]  # a tenant who buys frees the apartment
        self.apartments_occupied = self.apartments_occupied - np.bincount(
            self.sector_district[p.sector[moving_out]], weights=p.weight[moving_out], minlength=self.D)
        p.housing[buys] = OWNER

    # ---------------------------------------------------------------- 6. retention and exit
    def retain_and_exit(self) -> None:
        p, beh = self.pool, self.beh
        n = p.size
        if self.fixed_rates:
            rows = np.flatnonzero(p.resident_mask())
            leave = rows[self._uniforms(p.uid[rows], draw="fixed_exit") < self.config.exit_rate_fixed]
            dest = np.minimum((self._uniforms(p.uid[leave], draw="fixed_destination") * self.J).astype(np.int64), self.J - 1)
            self._depart(leave, channel=dest)
            return
        retire = np.flatnonzero((p.view("age") >= beh.retirement_age) & p.resident_mask())
        self._depart(retire, channel=np.full(len(retire), self.recorder.out_retirement))
        # employed talent weighs a move; displaced talent that has searched too long leaves
        considering = self._chosen(p.view("uid"), mask=p.view("status") == EMPLOYED, draw="consider_move", p=beh.consider_move_per_month)
        if len(considering):
            s = p.sector[considering].astype(np.int64)
            k = p.tier[considering].astype(np.int64)
            v_stay = (self._sector_utility()[s, k] + self._attachment(considering)
                      + beh.field_affinity * (p.field[considering] == s) + self._apartment_bonus() * (p.housing[considering] == APARTMENT))
            v_out = self._outside_utility()[:, k].T - np.log(self.J) - beh.moving_cost
            if self.interactions:
                v_sector = self._sector_utility() + np.log(np.maximum(self.vacancies / np.maximum(self.vacancies.sum(axis=0), 1e-9), 1e-12))
                v_in = self._best_other_cluster(v_sector)[s, k] - beh.internal_move_cost
            else:
                v_in = np.full(len(considering), -np.inf)
            alts = np.column_stack([v_stay, v_in, v_out])
            prob = np.exp(alts - _logsumexp(alts, axis=1)[:, None])
            u = self._uniforms(p.uid[considering], draw="move_choice")
            pick = np.minimum((np.cumsum(prob, axis=1) < u[:, None]).sum(axis=1), alts.shape[1] - 1)
            p.job_seeking[considering[pick == 1]] = 1
            leavers = pick >= 2
            self._depart(considering[leavers], channel=pick[leavers] - 2)
        searching = np.flatnonzero(p.view("status") == SEARCHING)
        p.search_left[searching] -= 1
        gave_up = searching[p.search_left[searching] <= 0]
        if len(gave_up):
            v_out = self._outside_utility()[:, p.tier[gave_up].astype(np.int64)].T
            prob = np.exp(v_out - _logsumexp(v_out, axis=1)[:, None])
            u = self._uniforms(p.uid[gave_up], draw="destination")
            dest = np.minimum((np.cumsum(prob, axis=1) < u[:, None]).sum(axis=1), self.J - 1)
            self._depart(gave_up, channel=dest)
        # ageing and tenure: every row at once (departed rows are never read again), then taken back
        # from the few newcomers still searching, who are not in the city yet
        p.age[:n] += np.float32(1 / 12)
        p.months_in_city[:n] += 1
        newcomers = np.flatnonzero(p.view("status") == CANDIDATE)
        p.age[newcomers] -= np.float32(1 / 12)
        p.months_in_city[newcomers] -= 1
        age = p.view("age")
        childless = p.resident_mask() & (p.view("children") == 0) & (age >= 25) & (age <= 40)
        p.children[self._chosen(p.view("uid"), mask=childless, draw="first_child", p=beh.child_rate_per_year / 12)] = 1

    def _best_other_cluster(self, v_sector: np.ndarray) -> np.ndarray:
        """Inclusive value of moving to another sector, from each sector (rows) by tier (columns)."""
        other = np.where(np.eye(self.S, dtype=bool)[:, :, None], -np.inf, v_sector[None, :, :])  # from x to x tier
        return _logsumexp(other, axis=1)

    def _attachment(self, rows: np.ndarray) -> np.ndarray:
        p, beh = self.pool, self.beh
        culture = beh.culture_attachment * np.log((1 + self.culture_events) / (1 + self.culture_events0))
        # returnees grew up or studied here: their ties count as years already spent in the city
        tenure = p.months_in_city[rows] + beh.returnee_ties_months * (p.channel[rows] == CH["returnee"])
        return (beh.attachment_tenure * np.log1p(tenure / 12.0) + beh.attachment_children * p.children[rows]
                + self._school_term() * p.children[rows] + beh.attachment_owner * (p.housing[rows] == OWNER)
                + beh.attachment_apartment * (p.housing[rows] == APARTMENT) + culture)

    def _depart(self, rows: np.ndarray, *, channel: np.ndarray) -> None:
        if len(rows) == 0:
            return
        p = self.pool
        self.recorder.add_outflow(sector=p.sector[rows], tier=p.tier[rows], channel=channel, weight=p.weight[rows])
        p.status[rows] = GONE
        p.employer[rows] = -1
        p.queue_since[rows] = -1

    # ---------------------------------------------------------------- 7. projects and challenges
    def run_projects(self) -> None:
        if self.fixed_rates:
            self.recorder.note_projects(selected=np.zeros(self.S), posted=np.zeros(self.S), solved=np.zeros(self.S))
            return
        selected = self._select_projects()
        posted, solved = self._challenges()
        self.recorder.note_projects(selected=selected, posted=posted, solved=solved)

    def _select_projects(self) -> np.ndarray:
        lev, beh, rng = self.levers.projects, self.beh, self.draw
        selected = np.zeros(self.S)
        if self.month_of_year != lev.selection_month:
            return selected
        n = int(rng.poisson(lev.projects_per_year))
        n = int(np.floor(n * self.government.request("projects", n * lev.grant_per_project_yuan)))
        if n == 0:
            return selected
        he = self.stock[:, :SKILLED].sum(axis=1) + np.bincount([pl.host for pl in self.platforms], weights=[pl.capacity for pl in self.platforms], minlength=self.S)
        sector = rng.choice(self.S, size=n, p=he / he.sum())
        jobs0 = np.full(n, 1.0 + beh.project_team_size) / self.talent_intensity[sector]
        rows = self.firms.add(sector=sector, jobs=jobs0, base_jobs=beh.project_jobs_end_2021 * rng.lognormal(-0.125, 0.5, size=n) / self.demand_level,
                              log_productivity=np.zeros(n), long_run_productivity=np.zeros(n),
                              output_per_job=np.full(n, beh.project_output_per_job_yuan), talent_intensity=self.talent_intensity[sector],
                              funding=np.full(n, lev.grant_per_project_yuan), born=np.full(n, self.t), is_project=np.ones(n, bool),
                              uid=self._mint_ids(n, source="project"))
        self.firm_vacancy = np.concatenate([self.firm_vacancy, np.zeros(n)])
        national = rng.random(n) < lev.national_lead_share
        lead_tier = np.where(national, TIERS.index("national"), TIERS.index("provincial"))
        self._hire_directly(firm_rows=rows, tiers=lead_tier, persons=1.0, channel="project", age_mean=42)
        self._hire_directly(firm_rows=rows, tiers=np.full(n, SKILLED), persons=beh.project_team_size, channel="project", age_mean=30)
        np.add.at(selected, sector, 1)
        return selected

    def _challenges(self) -> tuple[np.ndarray, np.ndarray]:
        lev, beh, rng, fm = self.levers.challenges, self.beh, self.challenge_draw, self.firms
        # firms post technology demands, in proportion to size
        n_new = int(rng.poisson(lev.demands_per_year / 12))
        alive = np.flatnonzero(fm.view("alive") & ~fm.view("is_platform"))
        posted = np.zeros(self.S)
        if n_new and len(alive):
            w = fm.jobs[alive]
            firms = alive[np.minimum(np.searchsorted(np.cumsum(w), rng.random(n_new) * w.sum()), len(alive) - 1)]
            self.demand_firm = np.concatenate([self.demand_firm, firms])
            self.demand_posted = np.concatenate([self.demand_posted, np.full(n_new, self.t)])
            np.add.at(posted, fm.sector[firms], 1)
        solved_by_sector = np.zeros(self.S)
        open_firm = fm.alive[self.demand_firm]  # a firm that closed withdraws its demands
        self.demand_firm, self.demand_posted = self.demand_firm[open_firm], self.demand_posted[open_firm]
        if len(self.demand_firm) == 0:
            return posted, solved_by_sector
        s = fm.sector[self.demand_firm].astype(np.int64)
        he = np.maximum(self.stock[:, :SKILLED].sum(axis=1), 1.0)
        platforms_linked = np.zeros(self.S)
        for pl in self.platforms:
            if self.t >= pl.opens:
                platforms_linked[[pl.host, *pl.links]] += 1
        hazard = (beh.challenge_base_hazard * (he / self.high_end0) ** beh.challenge_talent_elasticity
                  * (lev.reward_per_demand_yuan / beh.reference_reward_yuan) ** beh.challenge_reward_elasticity
                  * (1 + beh.challenge_platform_boost * platforms_linked))
        solved = rng.random(len(s)) < 1 - np.exp(-hazard[s])
        if solved.any():
            share = self.government.request("challenges", solved.sum() * lev.reward_per_demand_yuan)
            solved &= rng.random(len(s)) < share  # unfunded rewards leave demands open
        firms = self.demand_firm[solved]
        gain = beh.challenge_productivity_gain
        np.add.at(fm.log_productivity, firms, gain)
        np.add.at(fm.long_run_productivity, firms, gain)
        np.add.at(fm.demands_solved, firms, 1)
        np.add.at(solved_by_sector, s[solved], 1)
        teams = firms[rng.random(len(firms)) < lev.external_team_share]
        self._hire_directly(firm_rows=teams, tiers=np.full(len(teams), TIERS.index("municipal")), persons=1.0, channel="challenge", age_mean=38)
        keep = ~solved & (self.t - self.demand_posted < beh.demand_lifetime_months) & fm.alive[self.demand_firm]
        self.demand_firm, self.demand_posted = self.demand_firm[keep], self.demand_posted[keep]
        return posted, solved_by_sector

    # ---------------------------------------------------------------- 8. firm entry and exit
    def enter_and_exit_firms(self) -> None:
        fm, beh, rng, p = self.firms, self.beh, self.draw, self.pool
        entries, exits = np.zeros(self.S), np.zeros(self.S)
        promoted = np.zeros(self.S)
        if self.interactions and not self.fixed_rates:
            alive = fm.view("alive") & ~fm.view("is_platform")
            n_firms, funds, output = group_sums(codes=fm.view("sector"), mask=alive, n_groups=self.S, columns=(
                np.ones(fm.size), fm.view("funding"), fm.view("jobs") * fm.view("output_per_job")))
            talent = self.stock.sum(axis=1)
            rate = (beh.entry_rate_per_year / 12 * n_firms * (talent / self.talent_initial.sum(axis=1)) ** beh.entry_talent_elasticity
                    * (1 + beh.funding_effect * np.log1p(funds / np.maximum(output, 1.0))))
            entries = rng.poisson(rate).astype(float)
            new_sector = np.repeat(np.arange(self.S), entries.astype(int))
            if len(new_sector):
                size = beh.entrant_jobs * rng.lognormal(-0.18, 0.6, size=len(new_sector))
                lr = rng.normal(0.0, 0.15, size=len(new_sector))
                fm.add(sector=new_sector, jobs=size * 0.3, base_jobs=size / self.demand_level,
                       log_productivity=lr, long_run_productivity=lr,
                       output_per_job=np.array([self.sectors[s].output_per_job_yuan for s in new_sector]),
                       talent_intensity=self.talent_intensity[new_sector], funding=np.zeros(len(new_sector)),
                       born=np.full(len(new_sector), self.t), uid=self._mint_ids(len(new_sector), source="entrant"))
            # exit: low productivity relative to the cluster, and the hazards of youth
            alive = fm.view("alive") & ~fm.view("is_platform")
            sector = fm.view("sector")
            lp = fm.view("log_productivity")
            n_firms, lp_sum = group_sums(codes=sector, columns=(np.ones(fm.size), lp), mask=alive, n_groups=self.S)
            mean_lp = lp_sum / np.maximum(n_firms, 1)
            low = lp - mean_lp[sector] < beh.exit_productivity_threshold
            young = fm.view("born") > self.t - 36
            hazard = np.where(low, beh.exit_rate_per_year / 12, 0.0) + np.where(young, beh.young_firm_exit_per_year / 12, 0.0)
            exiting = np.flatnonzero(alive & (self._uniforms(fm.view("uid"), draw="firm_exit") < hazard))
            if len(exiting):
                fm.alive[exiting] = False
                exits = np.bincount(sector[exiting], minlength=self.S).astype(float)
                closing = np.zeros(fm.size, bool)
                closing[exiting] = True
                displaced = employees_of(status=p.view("status"), employed_code=EMPLOYED, employer=p.view("employer"), firm_mask=closing)
                p.status[displaced] = SEARCHING
                p.employer[displaced] = -1
                p.job_seeking[displaced] = 0  # no longer on the job: the own cluster is open to them again
                p.search_left[displaced] = int(round(beh.search_months))
            # promotion to 'little giant': established, productive, larger firms
            alive = fm.view("alive") & ~fm.view("is_platform")
            eligible = alive & ~fm.view("is_little_giant") & (fm.view("born") < self.t - 36) & (lp - mean_lp[sector] > 0.1)
            big = fm.view("jobs") > _upper_quartile(fm.view("jobs")[alive])
            chosen = np.flatnonzero(eligible & big & (self._uniforms(fm.view("uid"), draw="firm_promotion") < beh.little_giant_rate_per_year / 12))
            fm.is_little_giant[chosen] = True
            promoted = np.bincount(sector[chosen], minlength=self.S).astype(float)
        self.recorder.note_firm_events(entries=entries, exits=exits, promoted=promoted)

    # ================================================================ running
    def run(self, *, progress: Any = None) -> "TalentModel":
        while self.running:
            self.step()
            if progress is not None:
                progress.update(1)
        self._release_agent_id_counter()
        return self

    def _release_agent_id_counter(self) -> None:
        """Let a finished model be garbage-collected.

        Mesa 3.3 counts agent ids in a class-level dictionary keyed by model, which keeps every model
        (and its arrays) alive for the life of the process; in a worker running hundreds of runs that
        fills memory and slows every later run. No agent is created after the run, so the counter is
        no longer needed.
        """
        counters = getattr(mesa.Agent, "_ids", None)
        if isinstance(counters, dict):
            counters.pop(self, None)
