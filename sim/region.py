"""A region as data: districts, clusters and their links, platforms, competing cities, initial state.

Nothing in the model names a place: every place comes from a region file. The packaged
regions live in ``sim/regions/``; a path to any other YAML file of the same form also works.
"""

from __future__ import annotations

import functools
import re
from collections import Counter

from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import networkx as nx
from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.categories import SERVICE_KINDS, TIERS
from sim.errors import ConfigError
from sim.inputs import NoBooleanNumbers, load_yaml, read_text_file

REGION_DIR = Path(__file__).resolve().parent / "regions"


MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
Count = Annotated[int, Field(ge=0, le=10**9)]
Share = Annotated[float, Field(ge=0, le=1)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
# Upper bounds of a region's amounts: far beyond any city (Jiaxing: 5.5 M residents, 1.26 M talent), so
# that a typo such as 1e12 is refused rather than simulated until memory runs out.
MAX_PERSONS = 1e8
MAX_RENT_YUAN = 1e6  # per month
MAX_MULTIPLE = 100.0  # wage indices and multipliers, relative to the city's skilled wage


def _month(value: str) -> str:
    if not MONTH.fullmatch(value):
        raise ValueError("must be a month written YYYY-MM, e.g. 2021-12")
    return value


class _Strict(NoBooleanNumbers):
    # as strict as a scenario: no NaN or infinity, no unknown fields, no true/false for a number
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Bilingual(_Strict):
    en: str
    zh: str


class Quantity(_Strict):
    value: float
    unit: str
    source: str
    range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _assumption_has_range(self) -> "Quantity":
        if self.source.strip().lower() == "assumption" and self.range is None:
            raise ValueError("an assumed value needs a plausible range")
        return self


class Tier(_Strict):
    count: float | None = Field(ge=0, le=MAX_PERSONS)
    wage_multiplier: float = Field(gt=0, le=MAX_MULTIPLE)
    unit: str
    source: str
    range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _assumption_has_range(self) -> "Tier":
        if self.source.strip().lower() == "assumption" and self.range is None:
            raise ValueError("an assumed count needs a plausible range")
        return self


class District(_Strict):
    id: str
    en: str
    zh: str
    lon: Longitude
    lat: Latitude
    rent_yuan: float = Field(gt=0, le=MAX_RENT_YUAN)


class Sector(_Strict):
    id: str
    en: str
    zh: str
    district: str
    firms: int = Field(gt=0, le=10**6)
    wage_index: float = Field(gt=0, le=MAX_MULTIPLE)
    talent_intensity: float = Field(gt=0, le=1)
    output_per_job_yuan: float = Field(gt=0, le=1e9)
    high_end_intensity: float = Field(gt=0, le=MAX_MULTIPLE)
    industry_en: str = ""
    industry_zh: str = ""
    level: Literal["global", "national", "regional", "none"] = "none"
    talent: float | None = Field(None, ge=0, le=MAX_PERSONS)
    source: str = ""


class Table(_Strict):
    columns: dict[str, str]
    rows: list[Any]


class Link(_Strict):
    a: str
    b: str
    weight: float = Field(gt=0, le=1)


class Platform(_Strict):
    id: str
    en: str
    zh: str
    host: str
    links: list[str] = []
    founded: str = ""
    talent: dict[str, Count]
    capacity: float = Field(gt=0, le=1e5)  # as a new platform's in a scenario
    source: str

    @field_validator("founded")
    @classmethod
    def _founded(cls, v: str) -> str:
        return v and _month(v)


class NamedFirm(_Strict):
    id: str
    en: str
    zh: str
    sector: str
    talent: dict[str, Count]
    rd_staff: float = Field(0, ge=0, le=1e6)
    source: str


class Competitor(_Strict):
    id: str
    en: str
    zh: str
    rank: float | None = Field(None, ge=1, le=1e4)  # 1 is the most attractive city
    wage_index: float = Field(gt=0, le=MAX_MULTIPLE)
    rent_yuan: float = Field(gt=0, le=MAX_RENT_YUAN)
    constant: float | None = Field(None, ge=-20, le=20)  # a term of a choice utility: exp(20) already outweighs every city
    lon: Longitude | None = None
    lat: Latitude | None = None

    @model_validator(mode="after")
    def _rank_or_constant(self) -> "Competitor":
        if (self.rank is None) == (self.constant is None):
            raise ValueError("give either rank (a ranked city) or constant (an unranked outside option)")
        return self


class Competitors(_Strict):
    rank_weight: Quantity
    home_rank: Quantity  # the region's own rank in the same attractiveness list as the cities' ranks
    rows: list[Competitor]

    @model_validator(mode="after")
    def _ranks(self) -> "Competitors":
        if self.home_rank.value < 1:
            raise ValueError("home_rank: a rank is 1 or more")
        ids = [c.id for c in self.rows]
        if len(set(ids)) != len(ids):
            raise ValueError(f"rows: competing city ids must be unique; repeated: {', '.join(_repeated(ids))}")
        return self

    @property
    def own_rank(self) -> float:
        return self.home_rank.value


class AgeBands(_Strict):
    """Shares of the resident population in age bands [edges[i], edges[i+1]) (a census structure)."""

    edges: list[float]
    shares: list[float]
    unit: str
    source: str

    @model_validator(mode="after")
    def _bands(self) -> "AgeBands":
        if len(self.edges) < 2 or len(self.shares) != len(self.edges) - 1:
            raise ValueError("give n + 1 band edges and n shares")
        if any(b <= a for a, b in zip(self.edges, self.edges[1:])) or any(s < 0 for s in self.shares) or sum(self.shares) <= 0:
            raise ValueError("edges must increase and shares be non-negative with a positive sum")
        return self


class Initial(_Strict):
    apartments: Quantity
    leading_projects: Quantity
    little_giants: Quantity
    school_places: Quantity
    hospital_beds: Quantity
    culture_events: Quantity
    share_with_children: Quantity
    share_home_owners: Quantity
    resident_age_bands: AgeBands  # the shape of initial talent ages within each agent's working years (ODD §5)

    @model_validator(mode="after")
    def _plausible(self) -> "Initial":
        problems = [f"{name}: must be a count from 0 to {MAX_PERSONS:g}" for name in
                    ("apartments", "leading_projects", "little_giants", "school_places", "hospital_beds", "culture_events")
                    if not 0 <= getattr(self, name).value <= MAX_PERSONS]
        problems += [f"{name}: must be a share between 0 and 1" for name in ("share_with_children", "share_home_owners")
                     if not 0 <= getattr(self, name).value <= 1]
        # the services lever adds places of one kind; the stock it adds to must count the same kind
        problems += [f"{name}: unit must be {kind!r}, the kind of place the services lever adds (got {getattr(self, name).unit!r})"
                     for name, kind in SERVICE_KINDS.items() if getattr(self, name).unit != kind]
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Observation(_Strict):
    """An observed figure of the city for a year, set against the same column of the run's ``city_annual``
    table by ``talentsim validate``; ``use`` says what the model does with it."""

    series: str  # a column of city_annual
    year: int = Field(ge=1900, le=2200)
    value: float
    unit: str
    tolerance: float = Field(gt=0)  # the largest gap from the simulated mean still accepted
    tolerance_kind: Literal["relative", "absolute"]  # relative: a share of the observed value
    use: Literal["initial", "fitted", "check"]  # initial: holds by construction; fitted: a calibration target; check: used in no fit
    source: str

    def bounds(self) -> tuple[float, float]:
        half = self.tolerance * abs(self.value) if self.tolerance_kind == "relative" else self.tolerance
        return self.value - half, self.value + half


# What a calibration pattern measures (ODD §9), and its unit. The model computes each from a run: the talent stock at the
# end of the pattern's year; graduates who took a job in the city over the year; technology demands matched over the
# year as a share of those posted; and, in December of the year, the jobs and the annual output of the leading-talent
# project firms in business, per firm.
PATTERN_MEASURES = {
    "talent_stock_end": "persons",
    "graduates_employed": "persons",
    "demands_matched_share": "share",
    "jobs_per_project": "jobs/project",
    "output_per_project": "yuan/project/year",
}
# the largest figure of each measure a city could have: a typo beyond it is refused rather than fitted to
PATTERN_MAXIMA = {"talent_stock_end": MAX_PERSONS, "graduates_employed": MAX_PERSONS, "demands_matched_share": 1.0,
                  "jobs_per_project": 1e5, "output_per_project": 1e12}


class Pattern(_Strict):
    """A pattern the baseline is calibrated to (ODD §9; MODEL_SPEC §1, P1-P4): what the city observed in a year, the
    band within which a fit counts as reproducing it, and the source. ``use: initial`` marks a pattern that holds by
    construction of the initial state (reported, in no fit); ``fitted``, one a free parameter is fitted to."""

    pattern: str = Field(pattern=r"^P[0-9]+$")  # which pattern of the model's purpose it stands for (MODEL_SPEC §1)
    measure: str
    year: int = Field(ge=1900, le=2200)
    value: float | None = Field(None, ge=0)
    ratio: tuple[float, float] | None = None  # a value given as numerator and denominator, e.g. demands matched and posted
    band: tuple[float, float] | None = None  # low and high
    tolerance: float | None = Field(None, gt=0, lt=1)  # or a band of value x (1 -/+ tolerance)
    use: Literal["initial", "fitted"]
    source: str

    @model_validator(mode="after")
    def _one_value_and_one_band(self) -> "Pattern":
        problems = []
        if self.measure not in PATTERN_MEASURES:
            problems.append(f"measure: {self.measure!r} is not one the model computes; one of {', '.join(PATTERN_MEASURES)}")
        if (self.value is None) == (self.ratio is None):
            problems.append("give either value or ratio (numerator and denominator)")
        elif self.ratio is not None and not (self.ratio[0] >= 0 and self.ratio[1] > 0):
            problems.append("ratio: a numerator of 0 or more and a positive denominator")
        if (self.band is None) == (self.tolerance is None):
            problems.append("give either band (low and high) or tolerance (a share of the value either side)")
        if not problems:
            low, high = self.bounds()
            most = PATTERN_MAXIMA[self.measure]
            if not self.target <= most:
                problems.append(f"the figure {self.target:g} is beyond any city's ({self.measure}: at most {most:g})")
            elif not low < high:
                problems.append(f"band: [{low:g}, {high:g}] has no width; a fit is measured in its half-width")
            elif not low <= self.target <= high:
                problems.append(f"band: [{low:g}, {high:g}] must hold the value {self.target:g}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def id(self) -> str:
        """The pattern's name in fit files, posteriors and charts, e.g. ``P2_graduates_employed_2022``."""
        return f"{self.pattern}_{self.measure}_{self.year}"

    @property
    def unit(self) -> str:
        return PATTERN_MEASURES[self.measure]

    @property
    def target(self) -> float:
        return self.value if self.ratio is None else self.ratio[0] / self.ratio[1]

    def bounds(self) -> tuple[float, float]:
        if self.band is not None:
            return self.band
        return self.target * (1 - self.tolerance), self.target * (1 + self.tolerance)


class GrowthAnchor(_Strict):
    """The talent growth of a comparable city over a period, shown beside the projected growth (not a target)."""

    id: str
    en: str
    zh: str
    period: str  # e.g. 2010-2020
    value: float = Field(ge=-1, le=1)  # per year
    source: str


class Residents(_Strict):
    """The census that the residents (ODD §7.10) start from, the city's vital rates, and resident counts to compare with."""

    census_month: str  # the census reference date is the first day of this month
    population: Quantity
    male_share: Quantity
    age_0_14_share: Quantity
    age_60_plus_share: Quantity
    age_65_plus_share: Quantity
    crude_birth_rate: Quantity
    crude_death_rate: Quantity

    @model_validator(mode="after")
    def _shares(self) -> "Residents":
        young, old60, old65 = self.age_0_14_share.value, self.age_60_plus_share.value, self.age_65_plus_share.value
        if not (0 < young and 0 < old65 <= old60 and young + old60 < 1 and 0 < self.male_share.value < 1):
            raise ValueError("residents: age shares must satisfy 0 < 0-14, 0 < 65+ <= 60+, 0-14 + 60+ < 1, and 0 < male share < 1")
        return self


class ObservedGDP(_Strict):
    """The city's GDP in a calendar year, at that year's prices, and its real growth on the year before."""

    year: int = Field(ge=1900, le=2200)
    value_yuan: float = Field(gt=0)
    real_growth: float | None = Field(None, gt=-1, lt=1)  # share, at constant prices
    source: str


class Region(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))
    id: str
    name: Bilingual
    initial_month: str
    horizon_years: int = Field(30, ge=1, le=100)  # how far past its initial month the region's data and trends may be run
    talent_stock: Quantity
    resident_population: Quantity
    residents: Residents
    skilled_wage_yuan: Quantity
    tiers: dict[str, Tier]
    districts: Table
    clusters: Table
    rest_of_city: Sector
    links: list[Link]
    platforms: list[Platform]
    named_firms: list[NamedFirm] = []
    competitors: Competitors
    initial: Initial
    observations: list[Observation] = []
    patterns: list[Pattern] = []  # what a calibration fits to (ODD §9); none: a scenario of the region is fitted to observations only
    growth_anchors: list[GrowthAnchor] = []
    # the city's GDP (ODD §7.12): the initial month's year sets the level of value added; the others are for comparison only
    gdp: list[ObservedGDP]
    # the published sources of the region's figures, as a chart's or report's source line cites them
    citations: list[Bilingual] = []

    @field_validator("initial_month")
    @classmethod
    def _initial_month(cls, v: str) -> str:
        return _month(v)

    @model_validator(mode="after")
    def _consistent(self) -> "Region":
        try:
            self.district_rows, self.cluster_rows  # the table rows are checked here, not at first use
        except ValidationError:  # said again row by row, so that each problem names its row
            raise ValueError("; ".join(problem for table, model in (("districts", District), ("clusters", Sector))
                                       for i, row in enumerate(getattr(self, table).rows)
                                       for problem in _row_problems(model, row, where=f"{table}.rows.{i}"))) from None
        problems = []
        for name, most in (("talent_stock", MAX_PERSONS), ("resident_population", MAX_PERSONS), ("skilled_wage_yuan", 1e7)):
            if not 0 < getattr(self, name).value <= most:
                problems.append(f"{name}: must be positive and at most {most:g}")
        if not 0 < self.residents.population.value <= MAX_PERSONS:
            problems.append(f"residents.population: must be positive and at most {MAX_PERSONS:g}")
        district_list = [d.id for d in self.district_rows]
        if len(set(district_list)) != len(district_list):
            problems.append(f"districts: ids must be unique; repeated: {', '.join(_repeated(district_list))}")
        platform_ids = [p.id for p in self.platforms]
        if len(set(platform_ids)) != len(platform_ids):
            problems.append(f"platforms: ids must be unique; repeated: {', '.join(_repeated(platform_ids))}")
        if tuple(self.tiers) != TIERS:
            problems.append(f"tiers: must list {', '.join(TIERS)} in that order")
        district_ids = {d.id for d in self.district_rows}
        for s in self.sectors:
            if s.district not in district_ids:
                problems.append(f"clusters.{s.id}.district: {s.district!r} is not a district; districts: {', '.join(sorted(district_ids))}")
        sector_ids = set(self.sector_ids)
        for link in self.links:
            for end in (link.a, link.b):
                if end not in sector_ids:
                    problems.append(f"links: {end!r} is not a cluster")
            if link.a == link.b:
                problems.append(f"links: {link.a!r} is linked to itself; a link joins two clusters")
        pairs = [" and ".join(sorted((link.a, link.b))) for link in self.links]
        if len(set(pairs)) != len(pairs):
            problems.append(f"links: one link a pair of clusters; repeated: {', '.join(_repeated(pairs))}")
        for p in self.platforms:
            for c in [p.host, *p.links]:
                if c not in sector_ids:
                    problems.append(f"platforms.{p.id}: {c!r} is not a cluster")
            for tier in p.talent:
                if tier not in TIERS[:4]:
                    problems.append(f"platforms.{p.id}.talent.{tier}: not a high-end tier ({', '.join(TIERS[:4])})")
        for f in self.named_firms:
            if f.sector not in sector_ids:
                problems.append(f"named_firms.{f.id}.sector: {f.sector!r} is not a sector")
        cluster_talent = sum(c.talent or 0 for c in self.cluster_rows)
        if cluster_talent >= self.talent_stock.value:
            problems.append("clusters: their talent must leave a remainder for the rest of the city")
        if any(c.talent is None for c in self.cluster_rows):
            problems.append("clusters: every cluster needs talent")
        else:
            problems += self._fixed_employer_problems()
        firms = sum(sector.firms for sector in self.sectors) + len(self.named_firms) + int(self.initial.leading_projects.value)
        if self.initial.little_giants.value > firms:
            problems.append(f"initial.little_giants: {self.initial.little_giants.value:,.0f}, more than the region's "
                            f"{firms:,} firms (its sectors', named firms and leading-talent projects)")
        if len(sector_ids) != len(self.sectors):
            problems.append("clusters: ids must be unique")
        problems += self._observation_problems()
        gdp_years = [g.year for g in self.gdp]
        if len(set(gdp_years)) != len(gdp_years):
            problems.append(f"gdp: one figure a year; repeated: {', '.join(_repeated([str(y) for y in gdp_years]))}")
        if self.initial_year not in gdp_years:
            problems.append(f"gdp: give the GDP of {self.initial_year}, the year of the initial month, which sets the level of value added")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _fixed_employer_problems(self) -> list[str]:
        """A sector's talent must exceed what its research platforms and named firms employ: its ordinary firms are
        sized from the rest (ODD §5)."""
        fixed: Counter[str] = Counter()
        for p in self.platforms:
            fixed[p.host] += sum(p.talent.values())
        for f in self.named_firms:
            fixed[f.sector] += sum(f.talent.values()) + f.rd_staff
        clusters = {c.id for c in self.cluster_rows}

        def where(sector: str) -> str:
            return f"clusters.{sector}.talent" if sector in clusters else f"{sector} (talent_stock less the clusters' talent)"

        return [f"{where(sector)}: {talent:,.0f} persons, not more than its platforms and named firms employ ({fixed[sector]:,.0f}); "
                "its other firms need talent too"
                for sector, talent in zip(self.sector_ids, self.sector_talent()) if talent <= fixed[sector]]

    def _observation_problems(self) -> list[str]:
        from sim.dictionary import columns_of

        series = set(columns_of("city_annual")) - {"year", "months"}
        problems = [f"observations[{i}].series: {o.series!r} is not a column of city_annual; one of {', '.join(sorted(series))}"
                    for i, o in enumerate(self.observations) if o.series not in series]
        keys = [f"{o.series} {o.year}" for o in self.observations]
        if len(set(keys)) != len(keys):
            problems.append(f"observations: one figure per series and year; repeated: {', '.join(_repeated(keys))}")
        problems += self._pattern_problems()
        anchors = [a.id for a in self.growth_anchors]
        if len(set(anchors)) != len(anchors):
            problems.append(f"growth_anchors: ids must be unique; repeated: {', '.join(_repeated(anchors))}")
        return problems

    def _pattern_problems(self) -> list[str]:
        measures = [p.measure for p in self.patterns]
        problems = [f"patterns: one pattern a measure, each fits its own parameter; repeated: {', '.join(_repeated(measures))}"
                    ] if len(set(measures)) != len(measures) else []
        for i, p in enumerate(self.patterns):
            if p.measure == "talent_stock_end" and (p.use, p.year) != ("initial", self.initial_year):
                problems.append(f"patterns.{i} ({p.id}): the talent stock is a pattern of the initial state only, year "
                                f"{self.initial_year} and use: initial (no parameter is fitted to it)")
            elif p.use == "initial" and p.measure != "talent_stock_end":
                problems.append(f"patterns.{i} ({p.id}): only the talent stock at the end of the initial year holds by "
                                "construction; write use: fitted")
            elif p.use == "fitted" and p.year <= self.initial_year:
                problems.append(f"patterns.{i} ({p.id}): a fitted pattern is of a year the runs simulate, after {self.initial_year}")
            elif p.use == "fitted" and p.year > self.initial_year + self.horizon_years:
                problems.append(f"patterns.{i} ({p.id}): beyond the region's horizon ({self.initial_year + self.horizon_years})")
        return problems

    @property
    def initial_year(self) -> int:
        return int(self.initial_month[:4])

    def observed_gdp(self, year: int) -> ObservedGDP | None:
        return next((g for g in self.gdp if g.year == year), None)

    def supported_starts(self) -> tuple[str, str]:
        """The first and last month a run may start: within the year after the initial state."""
        return _month_after(self.initial_month, 1), _month_after(self.initial_month, 12)

    def supported_end(self) -> str:
        return _month_after(self.initial_month, 12 * self.horizon_years)

    # ------------------------------------------------------------ derived views
    # Cached: the model asks for them every month, and validating the rows again each time cost a
    # tenth of a coarse run. A frozen region cannot change under its cache; callers must not mutate the lists.
    @cached_property
    def district_rows(self) -> list[District]:
        return [District.model_validate(r) for r in self.districts.rows]

    @cached_property
    def cluster_rows(self) -> list[Sector]:
        return [Sector.model_validate(r) for r in self.clusters.rows]

    @cached_property
    def sectors(self) -> list[Sector]:
        """The clusters, then the rest of the city (always the last sector)."""
        return [*self.cluster_rows, self.rest_of_city]

    @cached_property
    def cluster_ids(self) -> list[str]:
        return [c.id for c in self.cluster_rows]

    @cached_property
    def sector_ids(self) -> list[str]:
        return [s.id for s in self.sectors]

    @cached_property
    def district_ids(self) -> list[str]:
        return [d.id for d in self.district_rows]

    @property
    def competitor_ids(self) -> list[str]:
        return [c.id for c in self.competitors.rows]

    def sector_talent(self) -> list[float]:
        clusters = [float(c.talent) for c in self.cluster_rows]
        return [*clusters, self.talent_stock.value - sum(clusters)]

    def tier_counts(self) -> dict[str, float]:
        high_end = {t: float(self.tiers[t].count or 0) for t in TIERS[:4]}
        return {**high_end, "skilled": self.talent_stock.value - sum(high_end.values())}

    def cluster_graph(self) -> nx.Graph:
        """Clusters as nodes (with district and level), related clusters as weighted edges."""
        graph = nx.Graph()
        districts = {d.id: d for d in self.district_rows}
        for c in self.cluster_rows:
            d = districts[c.district]
            graph.add_node(c.id, district=c.district, level=c.level, en=c.en, zh=c.zh, pos=(d.lon, d.lat))
        for link in self.links:
            if link.a in graph and link.b in graph:
                graph.add_edge(link.a, link.b, weight=link.weight)
        return graph

    def labels(self) -> dict[str, dict[str, str]]:
        """Display names (en, zh) of sectors, districts and competing cities, keyed by id."""
        out = {s.id: {"en": s.en, "zh": s.zh} for s in self.sectors}
        out.update({d.id: {"en": d.en, "zh": d.zh} for d in self.district_rows})
        out.update({c.id: {"en": c.en, "zh": c.zh} for c in self.competitors.rows})
        return out


def _repeated(ids: list[str]) -> list[str]:
    return sorted({i for i in ids if ids.count(i) > 1})


def _row_problems(model: type[_Strict], row: Any, *, where: str) -> list[str]:
    """What is wrong with one row of a table (at ``where``), field by field (``clusters.rows.2.firms: Input should be ...``)."""
    try:
        model.model_validate(row)
    except ValidationError as exc:
        return [_problem(e, where=where) for e in exc.errors()]
    return []


def _month_after(month: str, n: int) -> str:
    year, m = (int(p) for p in month.split("-"))
    index = year * 12 + m - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def load_region(name_or_path: str, *, relative_to: Path | None = None) -> Region:
    """A packaged region by name (``jiaxing``) or a region file by path."""
    candidates = [REGION_DIR / f"{name_or_path}.yaml"]
    if relative_to is not None:
        candidates.insert(0, relative_to / name_or_path)
    candidates.append(Path(name_or_path))
    path = next((p for p in candidates if p.exists()), None)  # the reader says why a non-file cannot be used
    if path is None:
        packaged = ", ".join(sorted(p.stem for p in REGION_DIR.glob("*.yaml")))
        raise ConfigError(source=str(name_or_path), problems=[f"region: no such region; packaged regions: {packaged}, or give a path to a region file"])
    stat = path.stat()
    return _read_region(str(path.resolve()), stat.st_mtime_ns, stat.st_size).model_copy(deep=True)


@functools.lru_cache(maxsize=16)
def _read_region(path: str, mtime_ns: int, size: int) -> Region:
    """A region file parsed once per process and version of the file: an ensemble worker runs
    hundreds of models of the same region, and parsing it took a twentieth of a run."""
    data = load_yaml(read_text_file(Path(path), what="region file"), source=str(path))
    if not isinstance(data, dict):
        raise ConfigError(source=str(path), problems=["a region file is a mapping of field names to values"])
    try:
        return Region.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(e) for e in exc.errors()]
        raise ConfigError(source=str(path), problems=problems) from None


def _problem(error: Any, *, where: str = "") -> str:
    """A validation error as the field's path (under ``where``) and what is wrong; a check across fields names its fields
    itself."""
    message = error["msg"].removeprefix("Value error, ")
    path = ".".join([where, *map(str, error["loc"])] if where else map(str, error["loc"]))
    return f"{path}: {message}" if path else message
