"""The TalentSim model: industry-talent agglomeration in a city's clusters, monthly.

This module holds the setup (docs/ODD.md §5) and the monthly schedule (§3). Each process of the
schedule is a submodel of §7 and lives in its own module of ``sim.submodels``, as a function of
the model whose state it reads and writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import mesa
import numpy as np

from sim import demography
from sim.categories import HIGH_END_TIERS, SKILLED, TIERS, K
from sim.config import RunSettings, Scenario, apply_overrides, build_scenario, check_against_region, load_scenario
from sim.dates import month_index, month_label
from sim.errors import AgentLimitError, ConfigError
from sim.firms import FirmTable
from sim.government import Government, ResearchPlatform
from sim.inputs import MAX_SEED
from sim.housing_kernels import queued_sum
from sim.kernels import group_order, keyed_uniforms, mean_one_lognormal, resident_group_table
from sim.region import Region
from sim.streams import MonthStreams, month_keys
from sim.submodels import firm_demography, firm_planning, housing, inflows, matching, policy, projects, qualification, residents, retention, utility, value_added
from sim.submodels.observation import Recorder, model_reporters
from sim.talent import APARTMENT, EMPLOYED, MARKET, SEARCHING, Cohort, TalentPool

# The month's processes in their order (docs/ODD.md §3); observation (11) follows them in ``step``.
SCHEDULE = (
    ("update_policy", policy.update_policy),
    ("plan_firms", firm_planning.plan_firms),
    ("arrive", inflows.arrive),
    ("qualify", qualification.qualify),
    ("search_and_match", matching.search_and_match),
    ("allocate_housing", housing.allocate_housing),
    ("retain_and_exit", retention.retain_and_exit),
    ("run_projects", projects.run_projects),
    ("enter_and_exit_firms", firm_demography.enter_and_exit_firms),
    ("move_residents", residents.move_residents),  # last: it counts the month's talent flows
)
# processes that draw no random numbers (cohort arithmetic) and so have no stream
DRAWLESS = ("move_residents",)
# a month's random streams, in the order of their spawn keys: one per process that draws and one for the challenges;
# streams of processes added later come last, so that the older processes keep their keys (and their draws)
ADDED_STREAMS = ("qualify",)
STREAMS = (*(name for name, _ in SCHEDULE if name not in DRAWLESS + ADDED_STREAMS), "challenges", *ADDED_STREAMS)
STREAM_INDEX = {name: i for i, name in enumerate(STREAMS)}
# Draws that belong to one agent (or firm): keyed by (seed, month, draw) and the agent's id
AGENT_DRAWS = ("search_cluster", "search_come", "search_match", "search_match_margin", "search_firm", "purchase", "purchase_wait", "consider_move",
               "move_choice", "destination", "first_child", "fixed_exit", "fixed_destination", "firm_shock_a", "firm_shock_b",
               "firm_exit", "firm_promotion")
# where agents and firms come from, for their ids
ID_SOURCES = {"initial": 0, "candidate": 1, "platform": 2, "project": 3, "challenge": 4, "tailored": 5, "entrant": 6, "new_platform": 7,
              "qualification": 8}


@dataclass(frozen=True)
class InitialCell:
    """Persons of one tier in one sector of the initial stock, employed by ``firms`` in the shares ``p_firm``."""

    sector: int
    tier: int
    persons: float
    firms: np.ndarray
    p_firm: np.ndarray


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


SEED_GIVEN, SEED_SCENARIO, SEED_DRAWN = "given", "scenario", "drawn"


class NoStream:
    """The ``draw`` of a process that has no random stream (``DRAWLESS``): any use of it is an error."""

    def __init__(self, process: str) -> None:
        self.process = process

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"process {self.process!r} draws no random numbers (it is in DRAWLESS) and has no stream")


def _scenario_with(scenario: Scenario | str | Path, *, overrides: dict[str, Any]) -> tuple[Scenario, bool]:
    """The scenario with the overrides applied, and whether it chose a seed (in its file or the overrides)
    rather than leaving the schema's default."""
    _check_scenario_argument(scenario)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides=overrides or None)
        return scenario, "seed" in scenario.run.model_fields_set
    seed_written = "seed" in scenario.run.model_fields_set or any(key in ("seed", "run.seed") for key in overrides)
    if not overrides:
        return scenario, seed_written
    rebuilt = build_scenario(apply_overrides(scenario.model_dump(mode="json"), overrides, source=scenario.name), source=scenario.name)
    rebuilt._source_dir = scenario._source_dir
    return rebuilt, seed_written


def _check_scenario_argument(scenario: Any) -> None:
    if not isinstance(scenario, (Scenario, str, Path)):
        raise TypeError(f"TalentModel: scenario must be a Scenario, a scenario's name or a path to its file, not {type(scenario).__name__}")


def _is_mesa_scenario(value: Any) -> bool:
    """Mesa 3.5's own scenario class (``mesa.experimental.scenarios``), which its SolaraViz passes as ``scenario``."""
    return any(c.__module__.startswith("mesa.") and c.__name__ == "Scenario" for c in type(value).__mro__)


def _mesa_scenario_values(scenario: Any) -> dict[str, Any]:
    """The parameters set on a Mesa scenario, which TalentModel takes as overrides."""
    return {k: v for k, v in vars(scenario).items() if not k.startswith("_") and k not in ("model", "rng")}


def _root_seed(*, seed: int | None, rng: Any, written: int | None) -> tuple[int, str]:
    """The run's root seed and where it came from (:data:`SEED_GIVEN`, :data:`SEED_SCENARIO` or :data:`SEED_DRAWN`)."""
    if seed is not None and rng is not None:
        raise TypeError("TalentModel: give seed or rng, not both")
    chosen = seed if seed is not None else rng
    if chosen is None:
        if written is not None:
            return written, SEED_SCENARIO
        return int(np.random.SeedSequence().generate_state(1)[0]), SEED_DRAWN
    if isinstance(chosen, (bool, np.bool_)) or not isinstance(chosen, (int, np.integer, np.random.Generator, np.random.BitGenerator,
                                                                        np.random.SeedSequence)):
        raise TypeError(f"TalentModel: seed/rng must be an integer, a numpy Generator, BitGenerator or SeedSequence, "
                        f"not {type(chosen).__name__}")
    if isinstance(chosen, (int, np.integer)):
        if not 0 <= chosen <= MAX_SEED:
            raise ValueError(f"TalentModel: a seed must be an integer from 0 to 2^63-1 (the outputs store it as int64), not {chosen}")
        return int(chosen), SEED_GIVEN
    if isinstance(chosen, np.random.SeedSequence):
        return int(chosen.generate_state(1)[0]), SEED_GIVEN
    generator = chosen if isinstance(chosen, np.random.Generator) else np.random.Generator(chosen)
    return int(generator.integers(2**32)), SEED_GIVEN



def check_scale(scale: Any) -> None:
    """The ``scale`` keyword is checked as ``run.scale`` is: a whole number of persons per skilled-tier agent."""
    low, high = RunSettings.model_fields["scale"].json_schema_extra["valid"]
    if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, (int, np.integer)):
        raise TypeError(f"TalentModel: scale must be a whole number of persons per skilled-tier agent, not {type(scale).__name__}")
    if not low <= scale <= high:
        raise ValueError(f"TalentModel: scale must be from {low} (one agent per person) to {high:,}, not {scale}")


class TalentModel(mesa.Model):
    """Agent-based model of a city's talent and its industrial clusters.

    Build it from a validated :class:`Scenario` or a scenario's name or file, with any parameter
    overridden by keyword, by its short or dotted name (``sim.config.apply_overrides``):
    ``TalentModel("baseline", apartments_per_year=8000, seed=3)``. Mesa's batch runner and
    ``SolaraViz`` build it the same way (``sim.xlrm.solara_model_params`` gives the levers as sliders).

    The random seed is ``seed`` or ``rng`` (an integer, a ``numpy.random.Generator``, ``BitGenerator`` or
    ``SeedSequence``, from which a seed is drawn); else the seed written in the scenario file or its
    overrides (``run.seed``); else a fresh seed from the operating system, as Mesa models do. The seed used
    is in ``model.config.run.seed`` and where it came from in ``model.seed_origin``.

    Every month Mesa's ``DataCollector`` (``model.datacollector``) gathers the model reporters of
    ``sim.submodels.observation.MODEL_REPORTERS``; ``collect_model_vars=False`` leaves it empty, for
    studies that read only the recorder's tables (it copies each month's reports, 2-3% of a coarse run).
    """

    schedule = SCHEDULE  # (process, submodel) in the month's order; a subclass may put its own submodel in a place
    default_scenario: Scenario | str | Path = "baseline"  # run when no scenario is given (see ``for_scenario``)

    def __init__(self, scenario: Scenario | str | Path | None = None, *, seed: int | None = None, rng: Any = None,
                 scale: int | None = None, region: Region | None = None, collect_model_vars: bool = True, **kwargs: Any) -> None:
        # ``kwargs`` are parameter overrides; Mesa's SolaraViz accepts a var-keyword parameter only by that name
        if _is_mesa_scenario(scenario):
            scenario, rng, kwargs = None, rng if rng is not None else scenario.rng, {**_mesa_scenario_values(scenario), **kwargs}
        scenario, seed_written = _scenario_with(self.default_scenario if scenario is None else scenario, overrides=kwargs)
        root_seed, self.seed_origin = _root_seed(seed=seed, rng=rng, written=scenario.run.seed if seed_written else None)
        if scale is not None:
            check_scale(scale)
        run = scenario.run.model_copy(update={"seed": root_seed, **({"scale": int(scale)} if scale is not None else {})})
        scenario = scenario.model_copy(update={"run": run})
        self.config = scenario  # not ``self.scenario``: Mesa 3.5 reserves that name for its own scenarios
        if region is not None and not isinstance(region, Region):
            raise TypeError(f"TalentModel: region must be a sim.region.Region (as sim.region.load_region gives), not "
                            f"{type(region).__name__}; a scenario names its region in its 'region' setting")
        self.region = region or scenario.load_region()
        check_against_region(scenario, region=self.region, source=scenario.name)
        # One root seed. The initial state draws from the model's generator; every month each process
        # draws from its own stream, keyed by (seed, month, process), so two scenarios run with the
        # same seed draw the same numbers for a process in a month whatever happened before it
        # (common random numbers: differences between scenarios come from the levers).
        super().__init__(rng=np.random.default_rng(np.random.SeedSequence(root_seed).spawn(1)[0]))
        self._root_seed = root_seed
        self.draw: np.random.Generator | NoStream = self.rng  # its stream while it runs; the model's own generator outside
        self._minted: dict[tuple[int, str], int] = {}

        self.scale = run.scale
        self.start = month_index(run.start)
        self.n_months = month_index(run.end) - self.start + 1
        # every month's keys: of the per-agent draws, SeedSequence(seed, spawn_key=(2, month)); of the streams, (1, month, i)
        self._month_draw_keys = month_keys(root_seed, domain=2, months=self.n_months, words=len(AGENT_DRAWS))
        self._month_streams = MonthStreams(root_seed, domain=1, months=self.n_months, streams=len(STREAMS))
        self.t = 0  # months simulated so far
        self.ages_as_of = self.start - 1  # the month at whose end agents' ages were last brought up to date (§7.6)
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
        # every new agent needs these two tables, which a run's uncertainties fix
        self.retirement_rules = demography.rule_table(self.unc.demography)
        self.skilled_education_cdf = inflows.education_cdf(tuple(self.unc.newcomers.skilled_education_shares))
        self.interactions = scenario.interactions
        self.fixed_rates = scenario.fixed_rates

        self._setup_geography()
        self.firms = FirmTable(capacity=self._n_initial_firms() * 2 + 1000)
        self.pool = TalentPool(capacity=int(self.region.talent_stock.value / self.scale * 1.6 + 50000))
        self.government = Government(self, levers=self.levers)
        self._setup_firms_and_talent()
        self._setup_housing_and_services()
        self._setup_policy_state()
        self.agent_limit = int(np.ceil(run.max_agents_multiple * np.count_nonzero(self.pool.resident_mask())))
        self.residents = residents.setup_residents(self)
        self.value_added_base = value_added.setup_value_added(self)  # on the initial state's firms (§7.12)
        self.recorder = Recorder(model=self)
        self.service_users0 = utility.service_users(self)  # the users of each service at end-2021 (§7.0)
        self.service_users = self.service_users0
        self.collect_model_vars = collect_model_vars
        self.datacollector = mesa.DataCollector(model_reporters=model_reporters())
        if collect_model_vars:
            self.datacollector.collect(self)

    @classmethod
    def for_scenario(cls, scenario: Scenario | str | Path) -> type["TalentModel"]:
        """A subclass that runs ``scenario`` when built from keyword parameters alone.

        Tools that rebuild a model from its class and the user's parameters (Mesa's ``SolaraViz``:
        ``type(model)(**parameters)``; Mesa 3.5 also passes a scenario of its own) then rebuild it
        for this scenario rather than the baseline.
        """
        _check_scenario_argument(scenario)
        return type(cls.__name__, (cls,), {"default_scenario": scenario, "__module__": cls.__module__,
                                           "__doc__": f"{cls.__name__} for the scenario {scenario}."})

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
        self.sector_output_per_job = np.array([s.output_per_job_yuan for s in self.sectors])  # yuan per job per year
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

    def _region_error(self, problem: str) -> ConfigError:
        """A region that this scenario's setup cannot place its talent in: a configuration error, reported as one."""
        return ConfigError(source=str(self.config.region), problems=[f"region: {problem}"])

    def _setup_firms_and_talent(self) -> None:
        r, rng, beh, shapes = self.region, self.draw, self.beh, self.unc.firm_shapes
        sector_talent = np.array(r.sector_talent())
        tier_totals = r.tier_counts()
        he_weight = sector_talent * np.array([s.high_end_intensity for s in self.sectors])
        # persons by sector x tier
        counts = np.zeros((self.S, K))
        for k, tier in enumerate(HIGH_END_TIERS):
            counts[:, k] = _largest_remainder(tier_totals[tier], he_weight)
        counts[:, SKILLED] = sector_talent - counts[:, :SKILLED].sum(axis=1)
        if (counts[:, SKILLED] < 0).any():
            short = [self.sectors[s].id for s in np.flatnonzero(counts[:, SKILLED] < 0)]
            raise self._region_error(f"{', '.join(short)}: the high-end tiers' persons placed in it (the tiers' counts shared by "
                                     "the sectors' talent x high_end_intensity) exceed its talent; give it more talent, a lower "
                                     "high_end_intensity, or the tiers lower counts")
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
        proj_jobs = beh.project_jobs_end_2021 * mean_one_lognormal(rng, sd=shapes.project_firm_size_sd, size=n_proj)
        # ordinary firms: lognormal sizes scaled so that talent positions equal the sector's remaining talent
        for s, sector in enumerate(self.sectors):
            remaining = sector_talent[s] - special_persons[s].sum() - (proj_jobs[proj_sector == s] * self.talent_intensity[s]).sum()
            if remaining <= 0:
                placed = int((proj_sector == s).sum())
                raise self._region_error(
                    f"{sector.id}: {sector_talent[s]:,.0f} persons, fewer than its platforms, named firms and the {placed} leading-talent "
                    f"projects placed in it at the start employ (projects of about {beh.project_jobs_end_2021:g} jobs, "
                    "uncertainties.behaviour.project_jobs_end_2021); give it more talent, or the region fewer initial.leading_projects, "
                    "or the projects fewer jobs")
            sizes = rng.lognormal(0.0, shapes.initial_firm_size_sd, size=sector.firms)  # scaled next: only the spread matters
            sizes *= remaining / self.talent_intensity[s] / sizes.sum()
            firm_sector.extend([s] * sector.firms); firm_jobs.extend(sizes.tolist())
            firm_opj.extend([sector.output_per_job_yuan] * sector.firms); firm_int.extend([self.talent_intensity[s]] * sector.firms)
            firm_project.extend([False] * sector.firms); firm_platform.extend([False] * sector.firms)
        firm_sector.extend(proj_sector.tolist()); firm_jobs.extend(proj_jobs.tolist())
        firm_opj.extend([beh.project_output_per_job_yuan] * n_proj); firm_int.extend(self.talent_intensity[proj_sector].tolist())
        firm_project.extend([True] * n_proj); firm_platform.extend([False] * n_proj)

        n_firms = len(firm_sector)
        lr = rng.normal(0.0, shapes.log_productivity_sd, size=n_firms)
        jobs = np.array(firm_jobs) * np.where(firm_platform, 1.0, 1 + beh.initial_vacancy_rate)  # positions, some open
        rows = self.firms.add(
            sector=np.array(firm_sector), jobs=jobs, base_jobs=jobs.copy(), log_productivity=lr, long_run_productivity=lr,
            output_per_job=np.array(firm_opj), talent_intensity=np.array(firm_int), funding=np.zeros(n_firms),
            born=-rng.integers(round(12 * shapes.initial_firm_age_min_years), round(12 * shapes.initial_firm_age_max_years), size=n_firms), is_project=np.array(firm_project), is_platform=np.array(firm_platform),
            uid=self.mint_ids(n_firms, source="initial"),
        )
        self.firms.is_little_giant[rng.choice(rows[~self.firms.view("is_platform")], size=int(r.initial.little_giants.value), replace=False,
                                              p=self._size_weights(jobs[~self.firms.view("is_platform")], power=shapes.initial_little_giant_size_power))] = True
        self.firms_initial = np.bincount(self.firms.view("sector"), weights=~self.firms.view("is_platform"), minlength=self.S)  # platforms apart

        # talent agents: special employers first, then everyone else by talent positions
        general = counts - special_persons
        talent_slots = self.firms.view("jobs") * self.firms.view("talent_intensity")
        ordinary = ~np.isin(np.arange(n_firms), [pos for pos, _ in special_talent])
        cells: list[InitialCell] = []
        for s in range(self.S):
            firms_s = np.flatnonzero((self.firms.view("sector") == s) & ordinary)
            p_firm = talent_slots[firms_s] / talent_slots[firms_s].sum()
            cells += [InitialCell(sector=s, tier=k, persons=general[s, k], firms=firms_s, p_firm=p_firm) for k in range(K)]
        for pos, persons in special_talent:
            cells += [InitialCell(sector=firm_sector[pos], tier=k, persons=persons[k], firms=np.array([pos]), p_firm=np.ones(1))
                      for k in range(K)]
        self._add_initial_agents(cells)
        self.talent_initial = counts
        self.effective_talent0 = self.effective_talent(counts.sum(axis=1))
        self.high_end0 = np.maximum(counts[:, :SKILLED].sum(axis=1), 1.0)
        # firms' jobs by cluster at end-2021, research platforms apart (the reference of the industrial space, §7.8)
        self.jobs_initial = np.bincount(self.firms.view("sector"), weights=self.firms.view("jobs") * ~self.firms.view("is_platform"),
                                        minlength=self.S)

    @staticmethod
    def _size_weights(jobs: np.ndarray, *, power: float) -> np.ndarray:
        w = jobs ** power
        return w / w.sum()

    def _add_initial_agents(self, cells: list["InitialCell"]) -> None:
        """The initial stock's agents, cell by cell of sector x tier (and named employer): each cell's draws in the
        order its rules take them, then each rule over every cell's agents at once (the rules are row by row)."""
        rng, ini, demo, start = self.draw, self.region.initial, self.unc.demography, self.unc.initial_state
        cells = [c for c in cells if c.persons > 0]
        if not cells:
            return
        sizes = [max(int(round(c.persons / (1 if c.tier < SKILLED else self.scale))), 1) for c in cells]
        names = ("u_male", "u_professional", "u_age", "tenure", "u_child", "u_owner", "u_employer", "other_field", "u_fit",
                 "u_doctorate", "u_level")
        drawn: dict[str, list[np.ndarray]] = {name: [] for name in names}
        for n in sizes:
            cell_draws = (*demography.sex_and_track_draws(rng, n=n), rng.random(n),
                          *inflows.settled_circumstances_draws(self, n=n), rng.random(n),
                          *inflows.field_and_education_draws(rng, n=n, n_sectors=self.S, fitting=True))
            for name, values in zip(names, cell_draws):
                drawn[name].append(values)
        d = {name: np.concatenate(values) for name, values in drawn.items()}
        tier = np.repeat(np.array([c.tier for c in cells], np.int8), sizes)
        sector = np.repeat(np.array([c.sector for c in cells], np.int16), sizes)
        sex, track = demography.sex_and_track(d["u_male"], d["u_professional"], tier=tier, male_share=demo.male_share_initial,
                                              demography=demo)
        # ages follow the census shape between the tier's youngest age and the agent's statutory retirement age
        youngest = np.where(tier < SKILLED, demo.high_end_min_age, demo.skilled_min_age)
        group = demography.retirement_group(sex, track)
        oldest = demography.oldest_working_age(self.ages_as_of, demography=demo)[group]
        age_months = demography.draw_working_ages(d["u_age"], lower_months=youngest * 12, upper_months=oldest, bands=ini.resident_age_bands)
        age, birth_month, retire_month = demography.life_dates(age_months, sex, track, as_of=self.ages_as_of, demography=demo, group=group)
        months, children, housing = inflows.settled_circumstances_of(self, age=age, from_age=start.working_start_age, tenure=d["tenure"],
                                                                     u_child=d["u_child"], u_owner=d["u_owner"])
        ends = np.cumsum(sizes)
        # a sector's tiers share its firms' shares: their running and whole sums are taken once
        shares = {id(c.p_firm): (np.cumsum(c.p_firm), c.p_firm.sum()) for c in cells}
        employer = np.concatenate([
            c.firms[np.minimum(np.searchsorted(shares[id(c.p_firm)][0], u * shares[id(c.p_firm)][1]), len(c.firms) - 1)]
            for c, u in zip(cells, np.split(d["u_employer"], ends[:-1]))])
        field, education = inflows.field_and_education(self, tier=tier, sector=sector, other_field=d["other_field"], u_fit=d["u_fit"],
                                                       u_doctorate=d["u_doctorate"], u_level=d["u_level"])
        total = int(ends[-1])
        self.pool.add(Cohort(
            status=np.full(total, EMPLOYED, np.int8), tier=tier, sector=sector, employer=employer.astype(np.int32), field=field,
            education=education, age=age, sex=sex, track=track, birth_month=birth_month, retire_month=retire_month, housing=housing,
            children=children, months_in_city=months,
            weight=np.repeat(np.array([c.persons / n for c, n in zip(cells, sizes)]), sizes).astype(np.float32),
            channel=np.full(total, -1, np.int8), uid=self.mint_ids(total, source="initial"),
        ))

    def _setup_housing_and_services(self) -> None:
        ini = self.region.initial
        talent_by_district = np.bincount(self.sector_district, weights=self.talent_initial.sum(axis=1), minlength=self.D)
        self.district_share = talent_by_district / talent_by_district.sum()
        self.apartment_supply = ini.apartments.value * self.district_share
        self.apartments_occupied = np.zeros(self.D)
        # initial tenants: eligible renters, newest arrivals first
        p = self.pool
        renters = np.flatnonzero(p.view("housing") == MARKET)
        months = p.months_in_city[renters]
        order = renters[group_order(codes=months, n_groups=int(months.max(initial=0)) + 1)[0]]
        district = self.sector_district[p.sector[order]]
        for d in range(self.D):
            mine = order[district == d]
            take = mine[np.cumsum(p.weight[mine]) <= self.apartment_supply[d]]
            p.housing[take] = APARTMENT
            self.apartments_occupied[d] = p.weight[take].sum()
        self.renters0 = np.maximum(self.renters_by_district(), 1.0)
        self.rent = self.rent0.copy()
        self.school_places = ini.school_places.value
        self.hospital_beds = ini.hospital_beds.value
        self.culture_events0 = ini.culture_events.value
        self.school_places_added = 0.0

    def _setup_policy_state(self) -> None:
        self.demand_level = 1.0  # industry demand relative to the start (§7.2)
        self.fill_rate = np.ones(self.S)  # share of last month's vacancies filled, by sector (§7.4 sets it, §7.2 uses it)
        self.finding_rate = matching.initial_finding_rate(self.beh)  # last month's hires per seeker, by tier (§7.4)
        self.loans_outstanding = 0.0
        self.fund_remaining = {self.region.sector_ids.index(c): v for c, v in self.levers.funding.industry_funds_yuan.items()}
        self.fund_paid = np.zeros(self.S)  # this month's fund payments by cluster, invested in start-ups (§7.1, §7.8)
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
                                     is_platform=np.ones(1, bool), uid=self.mint_ids(1, source="new_platform"))[0])
            self.firms.alive[row] = False  # opens later
            self.platforms.append(ResearchPlatform(self, platform_id=p.id, host=host, links=[], capacity=p.capacity, firm_row=row,
                                                   opens=month_index(p.opens) - self.start, tier_mix=np.array(self.unc.newcomers.new_platform_tier_shares),
                                                   yearly_cost=p.cost_per_year_yuan))
        self.cum_spending = 0.0

    # ================================================================ helpers
    @property
    def month_of_year(self) -> int:
        return (self.start + self.t) % 12 + 1

    @property
    def years(self) -> float:
        return self.t / 12.0

    def effective_talent(self, talent: np.ndarray) -> np.ndarray:
        return talent + self.beh.link_weight * self.link_matrix @ talent

    def by_district(self, by_sector: np.ndarray) -> np.ndarray:
        return np.bincount(self.sector_district, weights=by_sector, minlength=self.D)

    def renters_by_district(self) -> np.ndarray:
        p = self.pool
        by_housing = resident_group_table(outer=p.view("sector"), inner=p.view("housing"), shape=(self.S, 3), weights=p.view("weight"),
                                          status=p.view("status"), searching=SEARCHING)
        return self.by_district(by_housing[:, MARKET])

    def stock_by_sector_tier(self) -> np.ndarray:
        p = self.pool
        return resident_group_table(outer=p.view("sector"), inner=p.view("tier"), shape=(self.S, K), weights=p.view("weight"),
                                    status=p.view("status"), searching=SEARCHING)

    # ================================================================ the step
    def step(self) -> None:
        """One month: its start, the processes 1-10 of the schedule, then observation (11) and tidying."""
        self.start_month()
        for process, submodel in self.schedule:  # 1-10
            self.run_process(process, submodel)
        self.end_month()

    def start_month(self) -> None:
        """What every process of the month relies on: budgets and counters, the stock snapshot, the draws."""
        self.government.start_month(month_of_year=self.month_of_year)
        self.recorder.start_month()
        agents = int(np.count_nonzero(self.pool.resident_mask()))
        if agents > self.agent_limit:
            raise AgentLimitError(agents=agents, limit=self.agent_limit, month=month_label(self.start + self.t),
                                  multiple=self.config.run.max_agents_multiple, scale=self.scale)
        self.agent_steps += agents
        self.stock = self.recorder.stock[self.t]  # residents at the end of last month; compaction drops none
        self._start_month_draws()

    def run_process(self, process: str, submodel: Callable[["TalentModel"], None]) -> None:
        """Run one submodel of the month with its own random stream (also how a test runs one alone)."""
        # an attribute, not a property: a month reads it tens of thousands of times
        self.draw = self._stream(process) if process in STREAM_INDEX else NoStream(process)
        try:
            submodel(self)
        finally:
            self.draw = self.rng

    def end_month(self) -> None:
        """Observation (11), then compaction of departed agents and exited firms."""
        self.t += 1
        self.recorder.observe()
        if self.collect_model_vars:
            self.datacollector.collect(self)
        self.pool.compact()
        self._compact_firms()
        if self.t >= self.n_months:
            self.running = False

    def _start_month_draws(self) -> None:
        """This month's keys of the per-agent draws, and a fresh set of its streams (one per process, made when the
        process starts, and one for the challenges within run_projects, made when they first draw)."""
        self._draw_keys = dict(zip(AGENT_DRAWS, self._month_draw_keys[self.t].tolist()))
        self._minted = {}
        self._streams = {}

    def _stream(self, name: str) -> np.random.Generator:
        """The month's stream of a process: that of ``SeedSequence(seed, spawn_key=(1, month, i))``, made once a month."""
        if name not in self._streams:
            self._streams[name] = self._month_streams.stream(self.t, STREAM_INDEX[name])
        return self._streams[name]

    @property
    def challenge_draw(self) -> np.random.Generator:
        return self._stream("challenges")

    def draw_key(self, draw: str) -> int:
        """This month's key of a named per-agent draw."""
        return self._draw_keys[draw]

    def keyed_uniforms(self, ids: np.ndarray, *, draw: str) -> np.ndarray:
        """One uniform per agent (or firm) id for a named draw of this month; see ``sim.kernels.keyed_uniforms``."""
        return keyed_uniforms(ids, key=self._draw_keys[draw])

    def mint_ids(self, n: int, *, source: str) -> np.ndarray:
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
        self.recorder.renumber_firms(new_row)
        p = self.pool
        employed = np.flatnonzero(p.view("employer") >= 0)
        p.employer[employed] = new_row[p.employer[employed]]
        for platform in self.platforms:
            platform.firm_row = int(new_row[platform.firm_row])
        demand_row = new_row[self.demand_firm]
        open_demand = demand_row >= 0
        self.demand_firm, self.demand_posted = demand_row[open_demand], self.demand_posted[open_demand]


    def employment_at_month_start(self) -> tuple[np.ndarray, np.ndarray]:
        """Employed talent by firm row (a new array over the whole firm table) and by sector x tier in firms other than
        research platforms, as last month's census counted them: nothing changes employment between that count and the
        month's firm planning (compaction keeps the rows' order, so the sums are the same to the last bit)."""
        census = self.recorder.census
        by_firm = np.zeros(self.firms.size)
        counted = min(len(census.employed_by_firm), self.firms.size)
        by_firm[:counted] = census.employed_by_firm[:counted]
        return by_firm, census.employed_by_cell.copy()

    def queue_by_district(self) -> np.ndarray:
        p = self.pool
        return self.by_district(queued_sum(codes=p.view("sector"), weights=p.view("weight"), queue_since=p.view("queue_since"),
                                           status=p.view("status"), employed=EMPLOYED, n_groups=self.S))


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
