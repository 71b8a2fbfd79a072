"""The talent rules written the idiomatic Mesa way: one ``mesa.Agent`` per talent agent.

``ReferenceTalentModel`` is a :class:`~sim.model.TalentModel` whose three talent processes (job
search and matching with placement into firms, housing with purchases, retention and exit with
ageing and births) are carried out by :class:`TalentAgent` objects that keep their state as plain
attributes, decide with scalar arithmetic and the model's ``random`` stream, and are stepped with
``AgentSet.shuffle_do``. Between the passes the model clears the markets that couple the agents:
matching probabilities per sector x tier, firms' vacancies, the apartment queue of each district,
home-purchase subsidies and market rents. Everything else (policy, firms, inflows, projects,
firm entry and exit, observation) is the parent's.

It serves two purposes:

* an oracle: it implements the rules of docs/ODD.md §7.4-7.6 independently of the array code, so
  that the two must agree in distribution (tests/test_reference_oracle.py);
* a baseline: the time its agents spend on those rules, against the array model's
  (``TimedTalentModel``), measured by benchmarks/bench_reference.py.

The parent's other processes read and write the talent pool's arrays, so the agents' state is
copied back to the pool after the retention step and changes made by the other processes (new
arrivals and hires, talent displaced by firm exits, renumbered employers, compaction of the pool)
are taken over before the search step. That copying is timed apart (``sync_seconds``) and is not
part of ``talent_rule_seconds``.
"""

from __future__ import annotations

import bisect
import math
import time
from operator import attrgetter
from typing import Any, Callable

import mesa
import numpy as np
from mesa.agent import AgentSet

from sim.categories import INFLOW_CHANNELS, SKILLED, TIERS
from sim.dates import month_index
from sim.demography import CADRE, MALE
from sim.model import TalentModel
from sim.submodels import housing, matching, retention, utility
from sim.talent import APARTMENT, CANDIDATE, EMPLOYED, FIELDS, GONE, MARKET, OWNER, SEARCHING

GRADUATE = INFLOW_CHANNELS.index("graduate")
INTERNAL = INFLOW_CHANNELS.index("internal")
RETURNEE = INFLOW_CHANNELS.index("returnee")
# pool columns the talent rules change; the others are fixed for an agent's life
MUTABLE = ("status", "sector", "employer", "housing", "children", "age", "months_in_city", "queue_since",
           "search_left", "job_seeking")
STATE = ("status", "tier", "sector", "employer", "field", "education", "age", "sex", "track", "birth_month", "housing", "children",
         "months_in_city", "weight", "channel", "queue_since", "search_left", "job_seeking")


def _draw(weights: list[float], total: float, u: float) -> int:
    """Index drawn with probability proportional to ``weights`` (``u`` uniform on [0, 1))."""
    r = u * total
    cum = 0.0
    for i, w in enumerate(weights):
        cum += w
        if cum > r:
            return i
    return len(weights) - 1


class TalentAgent(mesa.Agent):
    """A talent agent: one person of a high-end tier, or ``weight`` persons of the skilled tier."""

    def __init__(self, model: "ReferenceTalentModel", *, status: int, tier: int, sector: int, employer: int, field: int,
                 education: int, age: float, sex: int, track: int, birth_month: int, housing: int, children: int,
                 months_in_city: int, weight: float, channel: int, queue_since: int, search_left: int, job_seeking: int) -> None:
        super().__init__(model)
        self.status = status
        self.tier = tier
        self.sector = sector
        self.employer = employer
        self.field = field
        self.education = education
        self.age = age
        self.sex = sex
        self.track = track
        self.birth_month = birth_month
        self.housing = housing
        self.children = children
        self.months_in_city = months_in_city
        self.weight = weight
        self.channel = channel
        self.queue_since = queue_since
        self.search_left = search_left
        self.job_seeking = job_seeking
        self.target = -1  # cluster chosen in this month's search

    @property
    def is_resident(self) -> bool:
        return self.status == EMPLOYED or self.status == SEARCHING

    @property
    def is_seeking(self) -> bool:
        return self.status == SEARCHING or self.status == CANDIDATE or self.job_seeking == 1

    # ------------------------------------------------------------ search and matching (ODD §7.4)
    def choose_cluster(self) -> None:
        m = self.model
        k = self.tier
        weights = list(m.cluster_weights[k])
        weights[self.field] *= m.field_factor
        if self.job_seeking == 1:
            weights[self.sector] = 0.0  # looks at the other clusters only
        total = sum(weights)
        self.target = _draw(weights, total, self.random.random())
        if self.status == CANDIDATE:
            if m.fixed_rates:
                self.target = _draw(m.fixed_sector_weights, 1.0, self.random.random())
            elif self.search_left <= 0:  # this month's candidate: come at all?
                inclusive = m.cluster_top[k] + math.log(total)
                bonus = m.graduate_bonus if self.channel == GRADUATE else 0.0
                if self.random.random() >= 1.0 / (1.0 + math.exp(m.alternative_city[k] - inclusive - bonus)):
                    self.status = GONE  # goes elsewhere, never counted
                    self.remove()
                    return
                self.search_left = m.candidate_search_months
        m.enter_market(self)

    def seek_match(self) -> None:
        m = self.model
        if self.random.random() < m.match_probability[self.target][self.tier]:
            self.take_job()
        elif self.status == CANDIDATE:
            self.search_left -= 1
            if self.search_left <= 0:
                self.status = GONE  # search ran out before any job: never counted
                self.remove()
        self.job_seeking = 0

    def take_job(self) -> None:
        m = self.model
        target, w = self.target, self.weight
        firm = m.draw_firm(target, self.random.random())
        arriving = self.status == CANDIDATE
        if arriving:
            m.note_inflow(target, self.tier, self.channel, w, age=self.age)
        elif self.sector != target:
            m.note_outflow(self.sector, self.tier, m.recorder.out_internal, w)
            m.note_inflow(target, self.tier, INTERNAL, w)
            if self.housing == APARTMENT and m.sector_district[self.sector] != m.sector_district[target]:
                self.housing = MARKET  # a talent apartment belongs to its district
        self.status = EMPLOYED
        self.sector = target
        self.employer = firm
        self.search_left = 0
        if arriving:
            self.queue_since = m.t
            self.months_in_city = max(self.months_in_city, 0)
            if self.channel == GRADUATE:
                m.graduates_hired += w
        m.hires[target] += w

    # ------------------------------------------------------------ housing (ODD §7.5)
    def review_housing(self) -> None:
        if self.status == GONE:
            return
        m = self.model
        if self.housing == APARTMENT and self.tier == SKILLED and self.months_in_city > m.eligible_months:
            self.housing = MARKET
        eligible = self.status == EMPLOYED and (self.tier < SKILLED or self.months_in_city <= m.eligible_months)
        if not eligible or self.housing != MARKET:
            self.queue_since = -1
        if self.queue_since >= 0:
            m.apartment_queue.append(self)
        elif self.housing == APARTMENT and self.is_resident:
            m.occupied[m.sector_district[self.sector]] += self.weight

    def move_into_apartment(self) -> None:
        self.housing = APARTMENT
        self.queue_since = -1

    def consider_purchase(self) -> None:
        if not self.is_resident:
            return
        m = self.model
        d = m.sector_district[self.sector]
        if self.housing != OWNER and self.months_in_city >= 24 and not m.fixed_rates:
            rate = m.purchase_rate * (m.purchase_boost[d] if self.tier < SKILLED else 1.0)
            if self.random.random() < rate:
                m.buyers.append(self)
                return
        if self.housing == MARKET:
            m.renters[d] += self.weight

    def buy_home(self, subsidy_share: float) -> None:
        m = self.model
        if self.tier < SKILLED and subsidy_share < 1 and self.random.random() >= subsidy_share:
            if self.housing == MARKET:  # waits for the subsidy, renting on
                m.renters[m.sector_district[self.sector]] += self.weight
            return
        if self.housing == APARTMENT:  # a tenant who buys frees the apartment
            m.occupied[m.sector_district[self.sector]] -= self.weight
        self.housing = OWNER

    # ------------------------------------------------------------ retention and exit (ODD §7.6)
    def weigh_staying(self) -> None:
        if not self.is_resident:
            return
        m = self.model
        if m.fixed_rates:
            if self.random.random() < m.exit_rate_fixed:
                self.depart(self.random.randrange(m.J))
            return
        if m.month - self.birth_month >= self.statutory_age():
            self.depart(m.recorder.out_retirement)
            return
        if self.status == EMPLOYED:
            if self.random.random() < m.consider_move:
                alternatives = self.move_alternatives()
                top = max(alternatives)
                odds = [math.exp(v - top) for v in alternatives]
                pick = _draw(odds, sum(odds), self.random.random())
                if pick == 1:
                    self.job_seeking = 1  # looks for a job in another cluster next month
                elif pick >= 2:
                    self.depart(pick - 2)
                    return
        else:
            self.search_left -= 1
            if self.search_left <= 0:
                odds = m.leave_odds[self.tier]
                self.depart(_draw(odds, sum(odds), self.random.random()))
                return
        self.age = (m.month - self.birth_month) / 12
        self.months_in_city += 1
        if self.children == 0 and 25 <= self.age <= 40 and self.random.random() < m.birth_rate:
            self.children = 1

    def statutory_age(self) -> int:
        """Months: the old age, plus under the reform one month per ``cohort_months_per_step`` months by which the
        old retirement date falls on or after the reform's first month (the first cohort's old date), up to the final age."""
        demo = self.model.demography
        rule = demo.men if self.sex == MALE else demo.women_cadres if self.track == CADRE else demo.women_workers
        old = round(rule.base_age_years * 12)
        reform_starts = month_index(rule.first_cohort) + old
        if not demo.retirement_reform or self.birth_month + old < reform_starts:
            return old
        return min(old + (self.birth_month + old - reform_starts) // rule.cohort_months_per_step + 1, round(rule.final_age_years * 12))

    def move_alternatives(self) -> list[float]:
        """Utilities of staying, moving to another cluster and leaving for each competing city."""
        m = self.model
        s, k = self.sector, self.tier
        stay = m.sector_utility[s][k] + self.attachment()
        if self.field == s:
            stay += m.field_affinity
        if self.housing == APARTMENT:
            stay += m.apartment_bonus
        return [stay, m.internal_move_utility[s][k], *m.leave_utility[k]]

    def attachment(self) -> float:
        m = self.model
        tenure = self.months_in_city + (m.returnee_ties if self.channel == RETURNEE else 0.0)
        a = m.tenure_weight * math.log1p(tenure / 12.0) + m.culture_term
        if self.children:
            a += m.children_term
        if self.housing == OWNER:
            a += m.owner_term
        elif self.housing == APARTMENT:
            a += m.tenant_term
        return a

    def depart(self, channel: int) -> None:
        self.model.note_outflow(self.sector, self.tier, channel, self.weight, age=self.age)
        self.status = GONE
        self.employer = -1
        self.queue_since = -1
        self.remove()


TALENT_PROCESSES = ("search_and_match", "allocate_housing", "retain_and_exit")


def _method_process(name: str) -> Callable[[TalentModel], None]:
    """A place in the schedule that runs the model's own method of that name."""
    return lambda model: getattr(model, name)()


def _with_talent_methods(schedule: tuple) -> tuple:
    """The schedule with the three talent processes run by methods of the model class."""
    return tuple((name, _method_process(name) if name in TALENT_PROCESSES else submodel) for name, submodel in schedule)


class ReferenceTalentModel(TalentModel):
    """TalentModel whose talent processes are run by one :class:`TalentAgent` per talent agent.

    Construct it like ``TalentModel``. ``talent_rule_seconds`` is the time spent in the three
    talent processes, ``sync_seconds`` the time spent copying state between the agents and the pool.
    Subclasses may set ``agent_class`` to a subclass of :class:`TalentAgent`.
    """

    agent_class: type[TalentAgent] = TalentAgent
    schedule = _with_talent_methods(TalentModel.schedule)

    def __init__(self, scenario: Any = "baseline", **kwargs: Any) -> None:
        super().__init__(scenario, **kwargs)
        self.talent_rule_seconds = 0.0
        self.sync_seconds = 0.0
        self._inflows: list[tuple[int, int, int, float]] = []  # (sector, tier, channel, persons) this process
        self._outflows: list[tuple[int, int, int, float]] = []
        t0 = time.perf_counter()
        self.agent_at_row: list[TalentAgent] = []  # the agent of each pool row, departed ones until compaction
        self._pushed: dict[str, np.ndarray] = {name: self.pool.view(name).copy() for name in MUTABLE}
        self._adopt_new_rows()
        self._compact_rows = self.pool.compact
        self.pool.compact = self._compact_pool  # dropped rows must drop their agents too
        self.field_affinity = self.beh.field_affinity
        self.field_factor = math.exp(self.beh.field_affinity)
        self.sync_seconds += time.perf_counter() - t0

    @property
    def talent(self) -> AgentSet:
        """Talent agents still in the model: residents and newcomers who are still searching."""
        agents = self.agents_by_type.get(self.agent_class)
        return agents if agents is not None else AgentSet([], random=self.random)

    # ================================================================ the three processes
    def search_and_match(self) -> None:
        self._pull_from_pool()
        t0 = time.perf_counter()
        self._search_and_match()
        self.talent_rule_seconds += time.perf_counter() - t0

    def allocate_housing(self) -> None:
        t0 = time.perf_counter()
        self._allocate_housing()
        self.talent_rule_seconds += time.perf_counter() - t0

    def retain_and_exit(self) -> None:
        t0 = time.perf_counter()
        self._retain_and_exit()
        self.talent_rule_seconds += time.perf_counter() - t0
        self._push_to_pool()

    # ---------------------------------------------------------------- search and matching
    def _search_and_match(self) -> None:
        seekers = self.talent.select(lambda a: a.is_seeking)
        if len(seekers) == 0:
            self.fill_rate = np.ones(self.S)
            return
        # the clusters' pull by tier: vacancy share x exp(utility + newcomers' housing prospects)
        v_sector = utility.sector_utility(self) + self._newcomer_housing()[self.sector_district][:, None]
        vac_share = self.vacancies / np.maximum(self.vacancies.sum(axis=0, keepdims=True), 1e-9)
        util = (np.log(np.maximum(vac_share, 1e-12)) + v_sector).T  # K x S
        self.cluster_top = util.max(axis=1).tolist()
        self.cluster_weights = np.exp(util - util.max(axis=1, keepdims=True)).tolist()
        self.alternative_city = utility.alternative_city_utility(self).tolist()
        self.graduate_bonus = float(matching.graduate_bonus(self))
        self.candidate_search_months = max(int(round(self.beh.candidate_search_months)), 1)
        if self.fixed_rates:
            share = self.talent_initial.sum(axis=1)
            self.fixed_sector_weights = (share / share.sum()).tolist()
        self.searching_persons = [[0.0] * len(TIERS) for _ in range(self.S)]
        self.in_market: list[TalentAgent] = []
        seekers.shuffle_do("choose_cluster")
        # matching with frictions in each sector x tier market
        u = np.array(self.searching_persons)
        if self.fixed_rates:
            p_match = np.ones((self.S, len(TIERS)))
        else:
            a = self.beh.matching_elasticity
            matches = np.minimum(self.beh.matching_efficiency * u ** a * self.vacancies ** (1 - a), np.minimum(u, self.vacancies))
            p_match = np.divide(matches, u, out=np.zeros_like(matches), where=u > 0)
        self.match_probability = p_match.tolist()
        self._open_firm_market()
        self.hires = [0.0] * self.S
        self.graduates_hired = 0.0
        AgentSet(self.in_market, random=self.random).shuffle_do("seek_match")
        vacancies = self.vacancies.sum(axis=1)
        fill = np.divide(np.array(self.hires), vacancies, out=np.ones(self.S), where=vacancies > 0)
        self.fill_rate = np.clip(fill + (vacancies < 1), 0, 1)
        self._record_flows()
        self.government.request("graduates", int(self.graduates_hired) * self.levers.graduates.settling_allowance_yuan)
        self.in_market = []

    def _newcomer_housing(self) -> np.ndarray:
        """A newcomer's expected gain from apartment support, by district (ODD §7.0)."""
        queue = np.zeros(self.D)
        for a in self.talent:
            if a.queue_since >= 0 and a.status == EMPLOYED:
                queue[self.sector_district[a.sector]] += a.weight
        free = np.maximum(self.apartment_supply - self.apartments_occupied, 0.0)
        p_apartment = np.minimum(1.0, (free + self.apartment_supply / 60) / (queue + 1.0))
        return -self.beh.rent_weight * np.log(np.maximum(1 - self.levers.housing.rent_discount * p_apartment, self.beh.min_housing_cost_share))

    def enter_market(self, agent: TalentAgent) -> None:
        self.searching_persons[agent.target][agent.tier] += agent.weight
        self.in_market.append(agent)

    def _open_firm_market(self) -> None:
        """Open positions by cluster: each alive firm's vacancies, with a vanishing weight for firms without any."""
        fm = self.firms
        weight = self.firm_vacancy + 1e-9 * (fm.view("alive") & ~fm.view("is_platform"))
        sector = fm.view("sector")
        self.firm_rows, self.firm_cum = [], []
        for s in range(self.S):
            rows = np.flatnonzero((sector == s) & (weight > 0))
            self.firm_rows.append(rows.tolist())
            self.firm_cum.append(np.cumsum(weight[rows]).tolist())

    def draw_firm(self, sector: int, u: float) -> int:
        cum = self.firm_cum[sector]
        i = bisect.bisect_right(cum, u * cum[-1])
        return self.firm_rows[sector][min(i, len(cum) - 1)]

    # ---------------------------------------------------------------- housing
    def _allocate_housing(self) -> None:
        lev = self.levers.housing
        self.eligible_months = 12 * lev.skilled_eligibility_years
        self.apartment_queue: list[TalentAgent] = []
        self.occupied = np.zeros(self.D)
        talent = self.talent
        talent.shuffle_do("review_housing")
        # per district: high-end tiers first, then the newest arrivals, earlier agents first among equals
        district = self.sector_district
        queue = sorted(self.apartment_queue, key=lambda a: (district[a.sector], a.tier == SKILLED, -a.queue_since, a.unique_id))
        free = np.maximum(self.apartment_supply - self.occupied, 0.0).tolist()
        taken = [0.0] * self.D
        full = [False] * self.D
        for a in queue:
            d = district[a.sector]
            if full[d]:
                continue
            if taken[d] + a.weight <= free[d]:
                a.move_into_apartment()
                taken[d] += a.weight
            else:
                full[d] = True  # the queue is served in order: nobody behind may jump it
        self.occupied += np.array(taken)
        self.apartments_occupied = self.occupied
        self.apartment_queue = []
        self.government.request("housing", float((self.occupied * self.rent).sum() * lev.rent_discount))
        # home purchases, with a subsidy for high-end buyers
        price = self.rent * 12 * self.beh.price_to_annual_rent
        self.purchase_rate = self.beh.purchase_rate_per_year / 12
        self.purchase_boost = (1 + self.beh.purchase_subsidy_elasticity * lev.purchase_subsidy_yuan / price).tolist()
        self.buyers: list[TalentAgent] = []
        self.renters = [0.0] * self.D
        talent.shuffle_do("consider_purchase")
        subsidised = sum(a.weight for a in self.buyers if a.tier < SKILLED)
        share = self.government.request("housing", subsidised * lev.purchase_subsidy_yuan) if self.buyers else 1.0
        AgentSet(self.buyers, random=self.random).shuffle_do("buy_home", share)
        self.buyers = []
        trend = self.rent0 * (1 + self.unc.rent_trend) ** self.years
        if self.interactions:
            self.rent = trend * (np.maximum(np.array(self.renters), 1.0) / self.renters0) ** self.beh.rent_demand_elasticity
        else:
            self.rent = trend

    # ---------------------------------------------------------------- retention and exit
    def _retain_and_exit(self) -> None:
        beh = self.beh
        self.exit_rate_fixed = self.config.exit_rate_fixed
        self.month = self.start + self.t
        self.demography = self.unc.demography
        self.consider_move = beh.consider_move_per_month
        self.birth_rate = beh.child_rate_per_year / 12
        v = utility.sector_utility(self)
        self.sector_utility = v.tolist()
        outside = utility.outside_utility(self)  # J x K
        self.leave_utility = (outside - np.log(self.J) - beh.moving_cost).T.tolist()
        self.leave_odds = np.exp(outside - outside.max(axis=0)).T.tolist()
        if self.interactions:
            share = self.vacancies / np.maximum(self.vacancies.sum(axis=0), 1e-9)
            v_in = v + np.log(np.maximum(share, 1e-12))
            internal = np.empty_like(v)
            for s in range(self.S):
                others = np.delete(v_in, s, axis=0)
                top = others.max(axis=0)
                internal[s] = top + np.log(np.exp(others - top).sum(axis=0)) - beh.internal_move_cost
        else:
            internal = np.full_like(v, -np.inf)
        self.internal_move_utility = internal.tolist()
        self.tenure_weight = beh.attachment_tenure
        self.returnee_ties = beh.returnee_ties_months
        self.culture_term = beh.culture_attachment * math.log((1 + self.culture_events) / (1 + self.culture_events0))
        self.children_term = beh.attachment_children + utility.school_term(self)
        self.owner_term = beh.attachment_owner
        self.tenant_term = beh.attachment_apartment
        self.apartment_bonus = utility.apartment_bonus(self)
        self.talent.shuffle_do("weigh_staying")
        self._record_flows()

    # ---------------------------------------------------------------- flows
    def note_inflow(self, sector: int, tier: int, channel: int, weight: float, *, age: float | None = None) -> None:
        self._inflows.append((sector, tier, channel, weight, age))

    def note_outflow(self, sector: int, tier: int, channel: int, weight: float, *, age: float | None = None) -> None:
        self._outflows.append((sector, tier, channel, weight, age))

    def _record_flows(self) -> None:
        for flows, add in ((self._inflows, self.recorder.add_inflow), (self._outflows, self.recorder.add_outflow)):
            if flows:
                sector, tier, channel, weight, age = (np.array(c) for c in zip(*flows))
                crossing = np.array([a is not None for a in age], dtype=bool)  # arrivals and departures carry an age, internal moves none
                add(sector=sector[~crossing], tier=tier[~crossing], channel=channel[~crossing], weight=weight[~crossing])
                add(sector=sector[crossing], tier=tier[crossing], channel=channel[crossing], weight=weight[crossing],
                    age=age[crossing].astype(float))
            flows.clear()

    # ================================================================ agents <-> pool
    def _adopt_new_rows(self) -> None:
        p = self.pool
        start = len(self.agent_at_row)
        if p.size == start:
            return
        columns = [p.view(name)[start:].tolist() for name in STATE]
        for values in zip(*columns):
            self.agent_at_row.append(self.agent_class(self, **dict(zip(STATE, values))))
        for a in self.agent_at_row[start:]:
            if a.status == GONE:
                a.remove()

    def _pull_from_pool(self) -> None:
        """Take over what the other processes changed: firm exits, renumbered employers, new agents."""
        t0 = time.perf_counter()
        n = len(self.agent_at_row)
        for name in MUTABLE:
            now = self.pool.view(name)[:n]
            changed = np.flatnonzero(now != self._pushed[name])
            for row, value in zip(changed.tolist(), now[changed].tolist()):
                agent = self.agent_at_row[row]
                setattr(agent, name, value)
                if name == "status" and value == GONE:
                    agent.remove()
        self._adopt_new_rows()
        self.sync_seconds += time.perf_counter() - t0

    def _push_to_pool(self) -> None:
        t0 = time.perf_counter()
        agents = self.agent_at_row
        if len(agents) != self.pool.size:
            raise RuntimeError("talent pool rows were added during the talent processes")
        for name in MUTABLE:
            values = np.fromiter(map(attrgetter(name), agents), dtype=FIELDS[name], count=len(agents))
            self.pool.view(name)[:] = values
            self._pushed[name] = values
        self.sync_seconds += time.perf_counter() - t0

    def _compact_pool(self) -> None:
        t0 = time.perf_counter()
        p = self.pool
        before = p.size
        status = p.view("status")
        # TalentPool.compact's rule: residents and committed newcomers stay
        keep = (status == EMPLOYED) | (status == SEARCHING) | ((status == CANDIDATE) & (p.view("search_left") > 0))
        fingerprint = [p.view(name)[keep].copy() for name in ("status", "age", "tier")]
        self._compact_rows()
        if p.size != before:
            if p.size != len(fingerprint[0]) or not all(np.array_equal(f, p.view(name)) for f, name in zip(fingerprint, ("status", "age", "tier"))):
                raise RuntimeError("TalentPool.compact kept other rows than ReferenceTalentModel expects; update _compact_pool")
            known = keep[: len(self.agent_at_row)]
            for agent, kept in zip(self.agent_at_row, known.tolist()):
                if not kept:
                    agent.remove()
            self.agent_at_row = [a for a, kept in zip(self.agent_at_row, known.tolist()) if kept]
            self._pushed = {name: values[known] for name, values in self._pushed.items()}
        self.sync_seconds += time.perf_counter() - t0


class TimedTalentModel(TalentModel):
    """The array model with the time spent in its three talent processes counted (``talent_rule_seconds``)."""

    talent_rule_seconds = 0.0
    schedule = _with_talent_methods(TalentModel.schedule)

    def search_and_match(self) -> None:
        t0 = time.perf_counter()
        matching.search_and_match(self)
        self.talent_rule_seconds += time.perf_counter() - t0

    def allocate_housing(self) -> None:
        t0 = time.perf_counter()
        housing.allocate_housing(self)
        self.talent_rule_seconds += time.perf_counter() - t0

    def retain_and_exit(self) -> None:
        t0 = time.perf_counter()
        retention.retain_and_exit(self)
        self.talent_rule_seconds += time.perf_counter() - t0
