"""The vocabulary of the data dictionary (:mod:`sim.dictionary`): its entry types, the units, and the columns
that many tables share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Unit:
    en: str
    zh: str


@dataclass(frozen=True)
class Column:
    en: str
    zh: str
    unit: Unit


@dataclass(frozen=True)
class Table:
    """An output table: its title, what one row is, the files it is written to and its columns."""

    title_en: str
    title_zh: str
    en: str
    zh: str
    files: tuple[str, ...]
    columns: dict[str, Column]
    run_keys: bool = False          # the run's key columns (KEY_COLUMNS) stand in front


# ------------------------------------------------------------------ units
NONE = Unit("none", "无")
DATE = Unit("date", "日期")
YEAR = Unit("year", "年")
MONTHS = Unit("months", "月")
PERSONS = Unit("persons", "人")
FIRMS = Unit("firms", "家")
JOBS = Unit("jobs", "个岗位")
PROJECTS = Unit("projects", "个")
DEMANDS = Unit("technology demands", "项")
APARTMENTS = Unit("apartments", "套")
YUAN = Unit("yuan", "元")
YUAN_PER_MONTH = Unit("yuan per month", "元/月")
YUAN_CONSTANT = Unit("yuan at constant prices of the initial year (2021 for Jiaxing)", "元（初始年份不变价，嘉兴为 2021 年）")
YUAN_PER_PERSON = Unit("yuan per person", "元/人")
PERSONS_PER_100M_YUAN = Unit("persons per 100 million yuan", "人/亿元")
PERSONS_PER_LEVER_UNIT = Unit("persons per unit of the lever", "人/杠杆单位")
LEVER_UNIT = Unit("the lever's own unit (see talentsim params)", "杠杆自身的单位（见 talentsim params）")
INDEX = Unit("index, 0 to 1", "指数（0–1）")
RUNS = Unit("runs", "次")
SEEDS = Unit("seeds", "个")

# ------------------------------------------------------------------ columns that several tables share
KEY_COLUMNS = {
    "scenario": Column("scenario name (its YAML file's name)", "情景名称（情景 YAML 文件名）", NONE),
    "run_id": Column("run id: seed, scale and a hash of the run's fully resolved configuration",
                     "运行编号：随机种子、规模及该次运行完整配置的哈希值", NONE),
    "seed": Column("random seed of the run", "该次运行的随机种子", NONE),
    "point": Column("design point of the study, from 0 (a scenario of a comparison, a lever value of a sweep); "
                    "only in a study's runs/ dataset",
                    "研究中的设计点编号，从 0 起（比较中的一个情景、扫描中的一个杠杆取值）；仅见于研究的 runs/ 数据集", NONE),
}
POINT = Column("design point of the study, from 0 (a scenario of a comparison, a lever value of a sweep)",
               "研究中的设计点编号，从 0 起（比较中的一个情景、扫描中的一个杠杆取值）", NONE)
POINT_LABEL = Column("label of the design point: the scenario's name, or the lever settings it overrides "
                     "(e.g. apartments_per_year=8000)",
                     "设计点标签：情景名称，或该点改动的杠杆取值（如 apartments_per_year=8000）", NONE)

MONTH_END = Column("last day of the month the row describes", "该行所述月份的最后一天", DATE)
STOCK_DATE = Column("month end at which the stock is counted; the first date is the initial state, the end of the "
                    "month before the run starts",
                    "统计存量的月末日期；第一个日期为初始状态，即运行开始前一个月的月末", DATE)
SECTOR = Column("sector: one of the region's clusters, or rest_of_city (the rest of the city's economy)",
                "产业：区域文件中的产业集群之一，或 rest_of_city（全市其余产业）", NONE)
SECTOR_OR_CITY = Column("sector: one of the region's clusters, rest_of_city (the rest of the city's economy), "
                        "or city_total (the whole city)",
                        "产业：区域文件中的产业集群之一、rest_of_city（全市其余产业）或 city_total（全市合计）", NONE)
CLUSTER_DISTRICT = Column("district where the sector lies (from the region file)", "该产业所在区县（取自区域文件）", NONE)
TIER = Column("talent tier: top, national, provincial, municipal (the four high-end tiers) or skilled "
              "(graduates and professionals)",
              "人才层次：top（顶尖）、national（国家级）、provincial（省级）、municipal（市级）四个高层次人才层次，"
              "或 skilled（高校毕业生与专业技术人才）", NONE)
YEAR_END = Column("year whose end (31 December) the row describes", "该行所述年末（12 月 31 日）所在的年份", YEAR)
N_SEEDS = Column("paired seeds: the seeds whose runs are complete at every point", "配对种子数：在每个点都已完成运行的种子", SEEDS)
UNCERTAINTY = Column("what the bands and intervals of the row hold: 'seed variation only' (the parameters at the scenario's "
                     "values, or at one draw) or 'parameters and seeds' (runs at several parameter draws, from a posterior "
                     "with --posterior or over the declared ranges with --design, each with its own seeds)",
                     "该行区间所含的不确定性：'seed variation only'（仅随机种子差异：参数取情景设定值或仅一组抽样）或 "
                     "'parameters and seeds'（参数与随机种子：在多组参数抽样下运行，抽样来自后验分布 --posterior 或声明范围 "
                     "--design，每组各有随机种子）", NONE)
N_DRAWS = Column("parameter draws behind the row (1 when the parameters are held at the scenarios' values)",
                 "该行所依据的参数抽样组数（参数取情景设定值时为 1）", Unit("parameter sets", "组"))
DRAW = Column("parameter draw of the run, from 0 (only in studies with --posterior or --design)",
              "该次运行的参数抽样编号，从 0 起（仅见于使用 --posterior 或 --design 的研究）", NONE)
PAIRED_RUNS = Column("paired runs: the (draw and) seed pairs whose runs are complete at every point",
                     "配对运行数：在每个点都已完成运行的（参数抽样与）种子组合", RUNS)


def over(what_en: str, what_zh: str, unit: Unit, *, over_en: str, over_zh: str) -> dict[str, Column]:
    """Mean and quantiles of one quantity over runs or seeds, as the summary-like tables name them."""
    return {"mean": Column(f"mean of {what_en} over {over_en}", f"{what_zh}在各{over_zh}间的均值", unit),
            **{f"p{q:02d}" if q != 50 else "median": Column(
                f"{'median' if q == 50 else f'{q}th percentile'} of {what_en} over {over_en}",
                f"{what_zh}在各{over_zh}间的{'中位数' if q == 50 else f'第 {q} 百分位数'}", unit)
               for q in (5, 25, 50, 75, 95)}}


def stock_over_seeds(what_en: str, what_zh: str, quantiles: Sequence[int]) -> dict[str, Column]:
    bands = over(what_en, what_zh, PERSONS, over_en="the paired seeds", over_zh="配对种子")
    names = ["mean", *("median" if q == 50 else f"p{q:02d}" for q in quantiles)]
    return {f"talent_stock_{name}": bands[name] for name in names}


def interval(what_en: str, what_zh: str, unit: Unit) -> dict[str, Column]:
    """The mean of a paired quantity with its 95% interval (Student's t over seeds)."""
    return {
        "mean": Column(f"mean of {what_en} over the paired seeds", f"{what_zh}在各配对种子间的均值", unit),
        "ci_low": Column("lower bound of the 95% confidence interval of that mean (Student's t over seeds; "
                         "empty with one seed)", "该均值 95% 置信区间下限（按种子的 t 分布；仅一个种子时为空）", unit),
        "ci_high": Column("upper bound of the 95% confidence interval of that mean (Student's t over seeds; "
                          "empty with one seed)", "该均值 95% 置信区间上限（按种子的 t 分布；仅一个种子时为空）", unit),
    }
