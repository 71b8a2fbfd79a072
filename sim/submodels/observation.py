"""§7.9 Observation (docs/ODD.md): every output of a run, recorded monthly into arrays and returned as
long tables, and the coupling coordination degree of each cluster."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from typing import Callable, Sequence

import mesa
import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute is used below

from sim.categories import AGES, CHANNEL, INFLOW_CHANNELS, TIERS, K
from sim.cohort_kernels import add_flows, firm_totals
from sim.government import LEVERS
from sim.observation_kernels import Census, talent_census
from sim.talent import EMPLOYED, SEARCHING
from sim.submodels import value_added
from sim.submodels.residents import city_annual, residents_by_age

FIRM_FIELDS = ("firms", "little_giants", "jobs", "output_yuan", "value_added_yuan", "tax_yuan", "entries", "exits", "promotions")
PROJECT_FIELDS = ("projects_selected", "project_firms", "project_jobs", "project_output_yuan", "demands_posted", "demands_matched", "demands_open")
HOUSING_FIELDS = ("apartment_supply", "apartments_occupied", "apartment_queue", "market_rent_yuan")
COUPLING_FIELDS = ("u_talent", "u_industry", "coupling_c", "coordination_t", "coordination_d")
LABOUR_FIELDS = ("vacancies", "job_seekers", "hires")
# What Mesa's DataCollector records at the end of each month and for the initial state (README, "From
# Python"): name -> (meaning, reporter). Flows are those of the month just observed, zero for the initial state.
MODEL_REPORTERS = {
    "talent_stock": ("talent residents, persons", lambda m: m.recorder.total_stock()),
    "talent_by_tier": ("residents by tier, persons", lambda m: dict(zip(TIERS, m.recorder.stock[m.t].sum(axis=0).tolist()))),
    "talent_by_cluster": ("residents by sector (the clusters and the rest of the economy), persons",
                          lambda m: dict(zip(m.region.sector_ids, m.recorder.stock[m.t].sum(axis=1).tolist()))),
    "arrivals": ("talent that joined the city's stock during the month (every inflow channel, residents who became talent "
                 "included), persons",
                 lambda m: m.recorder.arrivals(m.t - 1) if m.t else 0.0),
    "departures": ("talent that left the city's stock during the month (to other cities, elsewhere or retirement), persons",
                   lambda m: m.recorder.departures(m.t - 1) if m.t else 0.0),
    "firms": ("firms in business (research platforms excluded)",
              lambda m: int((m.firms.view("alive") & ~m.firms.view("is_platform")).sum())),
    "apartments": ("talent apartments completed, occupied and queued for, apartments",
                   lambda m: {"completed": float(m.apartment_supply.sum()), "occupied": float(m.apartments_occupied.sum()),
                              # the queue the recorder has just recorded for the month (counted afresh for the initial state)
                              "queued": float((m.recorder.housing[m.t - 1][:, HOUSING_FIELDS.index("apartment_queue")] if m.t
                                               else m.queue_by_district()).sum())}),
    "spending_yuan": ("government spending during the month by lever, yuan",
                      lambda m: dict(zip(LEVERS, (m.recorder.spending[m.t - 1] if m.t else np.zeros(len(LEVERS))).tolist()))),
    "residents": ("residents of the city: non-talent cohorts and talent agents (§7.10), persons",
                  lambda m: m.residents.total(talent=m.recorder.total_stock())),
    "talent_share": ("talent stock as a share of residents",
                     lambda m: m.recorder.total_stock() / m.residents.total(talent=m.recorder.total_stock())),
    "gdp_yuan": ("the city's GDP at an annual rate: value added of the month (for the initial state, the last month of the "
                 "initial year) times 12, yuan/year at constant prices of the initial year (§7.12)",
                 lambda m: 12 * m.recorder.city_value_added(m.t)),
}


def model_reporters() -> dict[str, object]:
    """The reporters of :data:`MODEL_REPORTERS`, as ``mesa.DataCollector`` takes them."""
    return {name: reporter for name, (_, reporter) in MODEL_REPORTERS.items()}


def month_end(month_index: int) -> dt.date:
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _labels(values: list, positions: np.ndarray, *, date: bool) -> pa.Array:
    """A column of labels (strings or dates) repeated along a grid axis, built without Python lists."""
    return pa.array(values, type=pa.date32() if date else pa.string()).take(pa.array(positions))


def put_columns(rows: np.ndarray, *columns: np.ndarray) -> None:
    """Fill the leading columns of a month's rows (sector or district x field) in place."""
    for j, column in enumerate(columns):
        rows[:, j] = column


class Recorder:
    """Arrays of every output, indexed by month; ``tables`` turns them into long-format tables."""

    def __init__(self, *, model: mesa.Model) -> None:
        self.m = model
        T, S, D = model.n_months, model.S, model.D
        self.out_channels = (*[c.id for c in model.competitors], "retirement", "internal")
        self.out_retirement = len(model.competitors)
        self.out_internal = len(model.competitors) + 1
        self.stock = np.zeros((T + 1, S, K))
        # talent in households with children at the end of each month: the school places' users (§7.0)
        self.families = np.zeros(T + 1)
        self.census = self._census()  # the latest month-end count (§7.9), which the next month starts from
        self.stock[0], self.families[0] = self.census.stock, self.census.families
        self.inflow = np.zeros((T, S, K, len(INFLOW_CHANNELS)))
        self.outflow = np.zeros((T, S, K, len(self.out_channels)))
        # arrivals and departures by single year of age (moves within the city left out): the residents (§7.10)
        # take retirees and local graduates between their non-talent and talent states at these ages
        self.inflow_age = np.zeros((T, AGES, len(INFLOW_CHANNELS)))
        self.outflow_age = np.zeros((T, AGES, len(self.out_channels)))
        self.firms = np.zeros((T, S, len(FIRM_FIELDS)))
        self.projects = np.zeros((T, S, len(PROJECT_FIELDS)))
        self.housing = np.zeros((T, D, len(HOUSING_FIELDS)))
        self.spending = np.zeros((T, len(LEVERS)))
        self.budget = np.zeros((T, len(LEVERS)))
        self.labour = np.zeros((T, S, K, len(LABOUR_FIELDS)))
        self.coupling = np.zeros((T, model.n_clusters, len(COUPLING_FIELDS)))
        self._events = np.zeros((S, 3))
        self._projects = np.zeros((S, 3))
        self._ccd_reference = self._cluster_indicators(stock=self.stock[0]).max(axis=0) * model.beh.ccd_reference_multiple

    # ------------------------------------------------------------ during the step
    def start_month(self) -> None:
        self._events[:] = 0
        self._projects[:] = 0

    def add_inflow(self, *, sector: np.ndarray, tier: np.ndarray, channel: np.ndarray | int, weight: np.ndarray,
                   age: np.ndarray | None = None) -> None:
        """Persons coming into a sector and tier; ``age`` is given for arrivals from outside (not for moves within the city)."""
        if len(weight):
            t = self.m.t
            add_flows(target=self.inflow[t], target_age=self.inflow_age[t], sector=sector, tier=tier, channel=channel, weight=weight,
                      age=age)

    def add_outflow(self, *, sector: np.ndarray, tier: np.ndarray, channel: np.ndarray | int, weight: np.ndarray,
                    age: np.ndarray | None = None) -> None:
        """Persons leaving a sector and tier; ``age`` is given for those leaving the talent stock (not for moves within the city)."""
        if len(weight):
            t = self.m.t
            add_flows(target=self.outflow[t], target_age=self.outflow_age[t], sector=sector, tier=tier, channel=channel, weight=weight,
                      age=age)

    def note_labour_market(self, *, vacancies: np.ndarray, seekers: np.ndarray, hires: np.ndarray) -> None:
        """The month's matching, by sector x tier: vacancies, persons seeking there and persons hired."""
        self.labour[self.m.t] = np.stack([vacancies, seekers, hires], axis=-1)

    def note_projects(self, *, selected: np.ndarray, posted: np.ndarray, solved: np.ndarray) -> None:
        put_columns(self._projects, selected, posted, solved)

    def note_firm_events(self, *, entries: np.ndarray, exits: np.ndarray, promoted: np.ndarray) -> None:
        put_columns(self._events, entries, exits, promoted)

    def total_stock(self) -> float:
        return float(self.stock[self.m.t].sum())

    def arrivals(self, month: int) -> float:
        """Persons who came to the city in a month: every inflow but moves between its clusters."""
        return float(self.inflow[month].sum() - self.inflow[month][..., CHANNEL["internal"]].sum())

    def departures(self, month: int) -> float:
        """Persons who left the city's stock in a month: every outflow but moves between its clusters."""
        leaving = np.ones(len(self.out_channels), dtype=bool)
        leaving[self.out_internal] = False
        return float(self.outflow[month][..., leaving].sum())

    def city_value_added(self, month: int) -> float:
        """The city's value added in a month: 0 is the initial state's, ``month`` the month-th of the run (§7.12)."""
        if month == 0:
            return value_added.initial_month_value_added(self.m)
        return float(self.firms[month - 1, :, FIRM_FIELDS.index("value_added_yuan")].sum())

    def observe(self) -> None:
        """Record the state at the end of month t (after ``model.t`` was advanced)."""
        m = self.m
        t = m.t - 1
        self.census = self._census()
        self.stock[t + 1], self.families[t + 1], queued = self.census.stock, self.census.families, self.census.queued
        fm = m.firms
        firms, giants, jobs_by_sector, out_by_sector, projects, project_jobs, project_output = firm_totals(
            sector=fm.view("sector"), alive=fm.view("alive"), is_platform=fm.view("is_platform"), is_little_giant=fm.view("is_little_giant"),
            is_project=fm.view("is_project"), jobs=fm.view("jobs"), output=fm.output_yuan_per_month(), n_sectors=m.S)
        # the month's rows are filled column by column: the same numbers as stacking the columns, without the copies
        put_columns(self.firms[t], firms, giants, jobs_by_sector, out_by_sector, value_added.value_added(m, output=out_by_sector),
                    out_by_sector * m.beh.tax_share_of_output)
        self.firms[t][:, 6:] = self._events
        open_demands = np.bincount(fm.sector[m.demand_firm], minlength=m.S) if len(m.demand_firm) else np.zeros(m.S)
        put_columns(self.projects[t], self._projects[:, 0], projects, project_jobs, project_output, self._projects[:, 1],
                    self._projects[:, 2], open_demands)
        put_columns(self.housing[t], m.apartment_supply, m.apartments_occupied, m.by_district(queued), m.rent)
        self.spending[t] = m.government.spent_this_month
        self.budget[t] = m.government.budget / 12
        ind = self._cluster_indicators(stock=self.stock[t + 1], output=out_by_sector[: m.n_clusters] * 12, firms=firms[: m.n_clusters])
        u = np.minimum(ind / self._ccd_reference, 1.0)
        # the mean of two columns, summed in the order mean sums them
        u_talent, u_industry = (u[:, 0] + u[:, 1]) / 2, (u[:, 2] + u[:, 3]) / 2
        c = np.divide(2 * np.sqrt(u_talent * u_industry), u_talent + u_industry, out=np.zeros_like(u_talent), where=(u_talent + u_industry) > 0)
        a = m.beh.ccd_talent_weight
        t_index = a * u_talent + (1 - a) * u_industry
        put_columns(self.coupling[t], u_talent, u_industry, c, t_index, np.sqrt(c * t_index))

    def _census(self) -> Census:
        """Residents by sector x tier, talent in households with children, the queue for apartments by sector, and
        employed talent by firm and by sector x tier outside the platforms."""
        p = self.m.pool
        return talent_census(sector=p.view("sector"), tier=p.view("tier"), weight=p.view("weight"), status=p.view("status"),
                             children=p.view("children"), queue_since=p.view("queue_since"), employer=p.view("employer"),
                             is_platform=self.m.firms.view("is_platform"), searching=SEARCHING, employed=EMPLOYED, n_sectors=self.m.S,
                             n_tiers=K)

    def renumber_firms(self, new_row: np.ndarray) -> None:
        """The latest census's employment by firm after the firm table dropped rows (``new_row``: old row -> new row,
        -1 dropped; only firms without talent are dropped)."""
        kept = new_row[: len(self.census.employed_by_firm)] >= 0
        self.census = dataclasses.replace(self.census, employed_by_firm=self.census.employed_by_firm[kept])

    def _annual(self, *, dates: list[dt.date], sectors: list[str], districts: list[str]) -> pa.Table:
        """Per calendar year (complete or not): stock at the year's last month, inflows and outflows."""
        T = self.m.t
        years = np.array([d.year for d in dates[1:]])
        rows: dict[str, list] = {k: [] for k in ("year", "cluster", "tier", "district", "talent_stock_end", "inflow", "outflow", "months")}
        for year in sorted(set(years.tolist())):
            months = np.flatnonzero(years == year)
            end_stock = self.stock[months[-1] + 1]
            inflow = self.inflow[months].sum(axis=(0, 3))
            outflow = self.outflow[months].sum(axis=(0, 3))
            for s, sector in enumerate(sectors):
                for k, tier in enumerate(TIERS):
                    for key, value in (("year", year), ("cluster", sector), ("tier", tier), ("district", districts[s]),
                                       ("talent_stock_end", end_stock[s, k]), ("inflow", inflow[s, k]),
                                       ("outflow", outflow[s, k]), ("months", len(months))):
                        rows[key].append(value)
        types = {"year": pa.int32(), "months": pa.int32(), "cluster": pa.string(), "tier": pa.string(), "district": pa.string()}
        return pa.table({k: pa.array(v, type=types.get(k, pa.float64())) for k, v in rows.items()}) if T else pa.table({})

    def _labour_market(self, *, dates: list[dt.date], sectors: list[str]) -> pa.Table:
        """Each month's sector x tier market: vacancies, seekers, hires, tightness V/U and the job-finding rate."""
        T = len(dates)
        idx = np.indices((T, len(sectors), K)).reshape(3, -1)
        values = self.labour[:T].reshape(-1, len(LABOUR_FIELDS))
        vacancies, seekers, hires = values.T
        return pa.table({
            "date": _labels(dates, idx[0], date=True), "cluster": _labels(sectors, idx[1], date=False),
            "tier": _labels(list(TIERS), idx[2], date=False),
            "vacancies": pa.array(vacancies), "job_seekers": pa.array(seekers), "hires": pa.array(hires),
            # undefined without seekers: null rather than a made-up number
            "tightness": pa.array(np.divide(vacancies, seekers, out=np.full(len(seekers), np.nan), where=seekers > 0), from_pandas=True),
            "finding_rate": pa.array(np.divide(hires, seekers, out=np.full(len(seekers), np.nan), where=seekers > 0), from_pandas=True),
        })

    def _cluster_indicators(self, *, stock: np.ndarray, output: np.ndarray | None = None, firms: np.ndarray | None = None) -> np.ndarray:
        """Talent, high-end talent, annual output and firms of each cluster (columns in that order)."""
        m = self.m
        n = m.n_clusters
        if output is None:
            fm = m.firms
            alive = fm.view("alive") & ~fm.view("is_platform")
            output = np.bincount(fm.view("sector")[alive], weights=fm.output_yuan_per_month()[alive] * 12, minlength=m.S)[:n]
            firms = np.bincount(fm.view("sector")[alive], minlength=m.S)[:n].astype(float)
        return np.column_stack([stock[:n].sum(axis=1), stock[:n, :K - 1].sum(axis=1), output, firms])

    # ------------------------------------------------------------ tables
    def tables(self, names: Sequence[str] | None = None) -> dict[str, pa.Table]:
        """The output tables, or only those ``names`` (a study that reads a few outcomes need not build the rest)."""
        m = self.m
        T = m.t
        dates = [month_end(m.start - 1 + i) for i in range(T + 1)]
        sectors = m.region.sector_ids
        districts = [m.district_ids[d] for d in m.sector_district]
        clusters = sectors[: m.n_clusters]

        def grid(shape_names: list[tuple[str, list]], values: np.ndarray, value_name: str, date_list: list[dt.date]) -> pa.Table:
            axes = [("date", date_list), *shape_names]
            sizes = [len(v) for _, v in axes]
            idx = np.indices(sizes).reshape(len(sizes), -1)
            cols = {name: _labels(vals, idx[i], date=name == "date") for i, (name, vals) in enumerate(axes)}
            cols[value_name] = pa.array(values.reshape(-1).astype(np.float64))
            return pa.table(cols)

        def with_district(table: pa.Table) -> pa.Table:
            position = pa.compute.index_in(table.column("cluster"), value_set=pa.array(sectors))
            col = pa.array(districts, type=pa.string()).take(position)
            return table.add_column(table.schema.get_field_index("tier") if "tier" in table.column_names else 2, "district", col)

        def flows() -> pa.Table:
            # only the cells with a flow become rows (a tenth of the grid): the labels are taken for those alone
            def direction(values: np.ndarray, channels: list[str], name: str) -> pa.Table:
                persons = values[:T].reshape(-1).astype(np.float64)
                kept = np.flatnonzero(persons > 0.0)
                date, sector, tier, channel = np.unravel_index(kept, (T, len(sectors), K, len(channels)))
                return pa.table({"date": _labels(dates[1:], date, date=True), "cluster": _labels(sectors, sector, date=False),
                                 "district": _labels(districts, sector, date=False), "tier": _labels(list(TIERS), tier, date=False),
                                 "direction": pa.repeat(pa.scalar(name, type=pa.string()), len(kept)),
                                 "channel": _labels(channels, channel, date=False), "persons": pa.array(persons[kept])})

            return pa.concat_tables([direction(self.inflow, list(INFLOW_CHANNELS), "inflow"),
                                     direction(self.outflow, list(self.out_channels), "outflow")])

        def wide(values: np.ndarray, key: str, keys: list[str], fields: tuple[str, ...]) -> pa.Table:
            sizes = (T, len(keys))
            idx = np.indices(sizes).reshape(2, -1)
            cols = {"date": _labels(dates[1:], idx[0], date=True), key: _labels(keys, idx[1], date=False)}
            for f, name in enumerate(fields):
                cols[name] = pa.array(values[:T, :, f].reshape(-1).astype(np.float64))
            return pa.table(cols)

        def cost_effectiveness() -> pa.Table:
            total = self.stock[: T + 1].sum(axis=(1, 2))
            cum_spend = np.cumsum(self.spending[:T].sum(axis=1))
            gain = total[1:] - total[0]
            return pa.table({
                "date": pa.array(dates[1:], type=pa.date32()),
                "cumulative_spending_yuan": pa.array(cum_spend),
                "talent_gain": pa.array(gain),
                "yuan_per_additional_talent": pa.array(np.where(gain > 0, cum_spend / np.where(gain > 0, gain, 1), np.nan)),
            })

        builders: dict[str, Callable[[], pa.Table]] = {
            "talent_stock": lambda: with_district(grid([("cluster", sectors), ("tier", list(TIERS))], self.stock[: T + 1], "talent_stock", dates)),
            "talent_annual": lambda: self._annual(dates=dates, sectors=sectors, districts=districts),
            "talent_flows": flows,
            "firms": lambda: wide(self.firms, "cluster", sectors, FIRM_FIELDS),
            "projects": lambda: wide(self.projects, "cluster", sectors, PROJECT_FIELDS),
            "housing": lambda: wide(self.housing, "district", list(m.district_ids), HOUSING_FIELDS),
            "spending": lambda: wide(np.stack([self.spending[:T], self.budget[:T]], axis=2), "lever", list(LEVERS),
                                     ("spending_yuan", "budget_yuan")),
            "cost_effectiveness": cost_effectiveness,
            "coupling": lambda: wide(self.coupling, "cluster", clusters, COUPLING_FIELDS),
            "labour_market": lambda: self._labour_market(dates=dates[1:], sectors=sectors),
            "city_annual": lambda: city_annual(m, jobs=self.firms[:T, :, FIRM_FIELDS.index("jobs")].sum(axis=1),
                                               value_added=self.firms[:T, :, FIRM_FIELDS.index("value_added_yuan")].sum(axis=1),
                                               gdp_of_initial_year=value_added.gdp_of_initial_year(m),
                                               vacancies=self.labour[:T, ..., LABOUR_FIELDS.index("vacancies")].sum(axis=(1, 2)),
                                               job_seekers=self.labour[:T, ..., LABOUR_FIELDS.index("job_seekers")].sum(axis=(1, 2))),
            "residents_by_age": lambda: residents_by_age(m),
        }
        unknown = [n for n in (names or ()) if n not in builders]
        if unknown:
            raise ValueError(f"tables {', '.join(unknown)} are not output tables; they are {', '.join(builders)}")
        return {name: builders[name]() for name in (builders if names is None else names)}
