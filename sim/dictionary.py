"""The data dictionary: what every column of every output table means, and its unit, in English and Chinese.

Every Parquet file TalentSim writes carries it: each field has the metadata keys ``description_en``,
``description_zh``, ``unit_en`` and ``unit_zh``, and the schema the keys ``table``,
``description_en`` and ``description_zh``. ``docs/outputs.md`` lists it; after changing an entry,
regenerate the list with ``python -m sim.dictionary docs/outputs.md``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Sequence

import pyarrow as pa

from sim.generated_docs import rewrite_generated_tail, with_generated_tail


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


def _over(what_en: str, what_zh: str, unit: Unit, *, over_en: str, over_zh: str) -> dict[str, Column]:
    """Mean and quantiles of one quantity over runs or seeds, as the summary-like tables name them."""
    return {"mean": Column(f"mean of {what_en} over {over_en}", f"{what_zh}在各{over_zh}间的均值", unit),
            **{f"p{q:02d}" if q != 50 else "median": Column(
                f"{'median' if q == 50 else f'{q}th percentile'} of {what_en} over {over_en}",
                f"{what_zh}在各{over_zh}间的{'中位数' if q == 50 else f'第 {q} 百分位数'}", unit)
               for q in (5, 25, 50, 75, 95)}}


def _stock_over_seeds(what_en: str, what_zh: str, quantiles: Sequence[int]) -> dict[str, Column]:
    bands = _over(what_en, what_zh, PERSONS, over_en="the paired seeds", over_zh="配对种子")
    names = ["mean", *("median" if q == 50 else f"p{q:02d}" for q in quantiles)]
    return {f"talent_stock_{name}": bands[name] for name in names}


def _interval(what_en: str, what_zh: str, unit: Unit) -> dict[str, Column]:
    """The mean of a paired quantity with its 95% interval (Student's t over seeds)."""
    return {
        "mean": Column(f"mean of {what_en} over the paired seeds", f"{what_zh}在各配对种子间的均值", unit),
        "ci_low": Column("lower bound of the 95% confidence interval of that mean (Student's t over seeds; "
                         "empty with one seed)", "该均值 95% 置信区间下限（按种子的 t 分布；仅一个种子时为空）", unit),
        "ci_high": Column("upper bound of the 95% confidence interval of that mean (Student's t over seeds; "
                          "empty with one seed)", "该均值 95% 置信区间上限（按种子的 t 分布；仅一个种子时为空）", unit),
    }


SENSITIVITY_FOLDER = "outputs/<scenario>/sensitivity-<method>-<hash>"
SHARE = Unit("share of the outcome's variance, 0 to 1", "占指标方差的比例（0–1）")
OUTCOME_UNIT = Unit("the outcome's unit: persons, or a share for talent_share", "指标自身的单位：人，talent_share 为比例")
FACTOR_UNIT = Unit("the factor's own unit (see talentsim params)", "因子自身的单位（见 talentsim params）")
OUTCOME = Column("outcome: talent_total_2035 (city talent at the end of 2035), talent_<cluster>_2035, talent_share_2035 "
                 "(talent share of residents), other XLRM outcomes, or effect:<policy>:<outcome>, a policy's paired "
                 "difference to the base scenario",
                 "结果指标：talent_total_2035（2035 年末全市人才）、talent_<集群>_2035、talent_share_2035（人才占常住人口比例）、"
                 "其他 XLRM 指标，或 effect:<政策情景>:<指标>，即政策情景相对基准情景的配对差", NONE)
FACTOR = Column("the sampled parameter, by its full dotted name (see talentsim params)", "被抽样的参数（完整点分名称，见 talentsim params）", NONE)
DESIGN_ROW = Column("row of the design, from 0", "设计行编号，从 0 起", NONE)


def _bounded(name: str, en: str, zh: str, how_en: str, how_zh: str, unit: Unit) -> dict[str, Column]:
    """An index with the bounds of its 95% interval."""
    return {name: Column(en, zh, unit),
            f"{name}_ci_low": Column(f"lower bound of its 95% interval ({how_en})", f"其 95% 区间下限（{how_zh}）", unit),
            f"{name}_ci_high": Column(f"upper bound of its 95% interval ({how_en})", f"其 95% 区间上限（{how_zh}）", unit)}


RUN_FOLDER = "outputs/<scenario>/<run id>"
STUDY = "<study>"
COMPARE_FOLDER = "outputs/compare/<names>"
ABC_FOLDER = "outputs/<scenario>/abc"


def _run_files(name: str) -> tuple[str, ...]:
    return (f"{RUN_FOLDER}/{name}.parquet", f"{RUN_FOLDER}/{name}.csv", f"{STUDY}/runs/{name}/<run id>.parquet")


# ------------------------------------------------------------------ tables
TABLES: dict[str, Table] = {
    "talent_stock": Table(
        "talent stock", "人才存量",
        "Talent stock at each month end by sector, district and tier, the initial state included.",
        "各月末按产业、区县和人才层次统计的人才存量，含初始状态。",
        _run_files("talent_stock"),
        {"date": STOCK_DATE, "cluster": SECTOR, "district": CLUSTER_DISTRICT, "tier": TIER,
         "talent_stock": Column("talent in the sector and tier at the month end: residents of the city "
                                "(newcomers still searching for a job are not counted)",
                                "月末该产业、该层次的人才数：本市常住人才（仍在求职的新来者不计）", PERSONS)},
        run_keys=True),
    "talent_annual": Table(
        "talent per year", "年度人才",
        "Talent per calendar year by sector and tier: the stock at the year's last simulated month end, "
        "and the inflows and outflows over the year.",
        "按日历年、产业和人才层次统计：该年最后一个模拟月末的存量，以及全年的流入与流出。",
        _run_files("talent_annual"),
        {"year": Column("calendar year", "日历年", YEAR), "cluster": SECTOR, "tier": TIER, "district": CLUSTER_DISTRICT,
         "talent_stock_end": Column("talent stock at the year's last simulated month end",
                                    "该年最后一个模拟月末的人才存量", PERSONS),
         "inflow": Column("persons who came in over the year, all channels (moves from another sector of the city included)",
                          "全年流入人数，合计所有渠道（含从本市其他产业流入）", PERSONS),
         "outflow": Column("persons who left over the year, all destinations (moves to another sector of the city included)",
                           "全年流出人数，合计所有去向（含流向本市其他产业）", PERSONS),
         "months": Column("months of the year inside the run (fewer than 12 in a partial year)",
                          "该年在运行期内的月数（不完整的年份少于 12）", MONTHS)},
        run_keys=True),
    "city_annual": Table(
        "city per year", "全市年度",
        "The city's residents and talent per calendar year (ODD §7.10): residents at the year's last simulated month end "
        "and the year's births, deaths and net migration, so that each year's residents are the previous year's plus "
        "births less deaths plus net migration; and the city's GDP and its real growth (ODD §7.12). The first row is the "
        "initial state, projected from the 2020 census; its flows are those of that projection.",
        "按日历年统计的全市常住人口与人才（ODD 第 7.10 节）：该年最后一个模拟月末的常住人口，以及全年的出生、死亡和净迁移，"
        "每年常住人口等于上年常住人口加出生、减死亡、加净迁移；以及全市 GDP 及其实际增长率（ODD 第 7.12 节）。"
        "第一行为初始状态，由 2020 年人口普查推算而来，其流量为该推算期的流量。",
        _run_files("city_annual"),
        {"year": Column("calendar year; the first row is the initial state at the end of the year before the run",
                        "日历年；第一行为运行开始前一年年末的初始状态", YEAR),
         "months": Column("months of flows in the row: the months of the year inside the run, or for the initial state the "
                          "months projected from the census reference date",
                          "该行流量所含月数：该年在运行期内的月数；初始状态行为自普查标准时点起推算的月数", MONTHS),
         "residents": Column("residents of the city at the year end: non-talent residents and talent",
                             "年末全市常住人口：非人才常住人口与人才之和", PERSONS),
         "residents_male": Column("male residents at the year end (talent by the agents' own sex)",
                                  "年末男性常住人口（人才按人才主体自身的性别）", PERSONS),
         "residents_0_14": Column("residents aged 0-14 at the year end", "年末 0–14 岁常住人口", PERSONS),
         "residents_15_64": Column("residents aged 15-64 at the year end", "年末 15–64 岁常住人口", PERSONS),
         "residents_65_plus": Column("residents aged 65 or more at the year end", "年末 65 岁及以上常住人口", PERSONS),
         "talent_stock": Column("talent stock at the year end (talent residents)", "年末人才存量（常住人才）", PERSONS),
         "talent_share": Column("talent stock as a share of residents: an outcome, not an input", "人才占常住人口的比例：模型结果，而非输入",
                                Unit("share, 0 to 1", "比例（0–1）")),
         "births": Column("births to residents over the year", "全年常住人口出生数", PERSONS),
         "deaths": Column("deaths of non-talent residents over the year (talent agents do not die in the model)",
                          "全年非人才常住人口死亡数（模型中人才主体不死亡）", PERSONS),
         "net_migration": Column("net migration over the year: non-talent net migration plus talent net migration",
                                 "全年净迁移：非人才净迁移与人才净迁移之和", PERSONS),
         "non_talent_net_migration": Column("net migration of non-talent residents over the year (the level is the parameter "
                                            "net_migration_per_year)",
                                            "全年非人才常住人口净迁移（水平由参数 net_migration_per_year 给定）", PERSONS),
         "talent_net_migration": Column("talent that came from outside the city less talent that left for another city, over "
                                        "the year; local graduates and residents who gained a qualification becoming talent, and retirements, "
                                        "are not migration (empty for the initial state)",
                                        "全年从市外流入的人才减去迁往他市的人才；本地毕业生和取得资格的常住人口成为人才以及退休均不计为迁移"
                                        "（初始状态行为空）", PERSONS),
         "talent_from_residents": Column("residents who became talent over the year without migrating: local graduates "
                                         "and residents who gained a qualification (empty for the initial state)",
                                         "全年原为本市常住人口、未经迁移而成为人才者：本地毕业生与取得资格的常住人口（初始状态行为空）", PERSONS),
         "qualifications_gained": Column("non-talent residents who gained a qualification (skill certificate, professional "
                                         "title, part-time degree) over the year and so became talent, the skills lever's "
                                         "additional certificates included (ODD §7.11; empty for the initial state)",
                                         "全年取得资格（技能证书、职称、非全日制学历）而成为人才的非人才常住人口，含技能提升补贴带来的新增证书"
                                         "（ODD 第 7.11 节；初始状态行为空）", PERSONS),
         "retirements": Column("talent who retired over the year and stayed as non-talent residents (empty for the initial state)",
                               "全年退休并作为非人才常住人口留在本市的人才（初始状态行为空）", PERSONS),
         "jobs": Column("all jobs of the modelled firms at the year end (research platforms excluded); not the city's employment",
                        "年末模型中企业的全部岗位（不含研发平台）；并非全市就业人数", JOBS),
         "vacancies": Column("open talent positions in the year's last simulated month, all sectors and tiers (the labour_market "
                             "table's vacancies summed; empty for the initial state)",
                             "该年最后一个模拟月的人才岗位空缺，合计所有产业和层次（labour_market 表空缺之和；初始状态行为空）", JOBS),
         "job_seekers": Column("persons seeking a talent job in the year's last simulated month, all sectors and tiers (the "
                               "labour_market table's job seekers summed; empty for the initial state)",
                               "该年最后一个模拟月寻求人才岗位的人数，合计所有产业和层次（labour_market 表求职者之和；初始状态行为空）", PERSONS),
         "gdp_yuan": Column("the city's GDP over the year (ODD §7.12): value added of every sector summed over the year's months "
                            "in the run (fewer in a partial year). The initial state's row is the GDP of its year, which the "
                            "value-added ratios are set to match: the region's observed figure",
                            "全年全市 GDP（ODD 第 7.12 节）：各产业增加值在该年运行期内各月的合计（不完整年份月数较少）。"
                            "初始状态行为该年的 GDP，增加值率据此设定，等于区域文件中的统计值",
                            YUAN_CONSTANT),
         "gdp_real_growth": Column("real GDP growth on the year before (constant prices); empty for the initial state, whose growth "
                                   "the model does not simulate (the observed figure is in the region file), and for a year "
                                   "that is not complete, or follows one that is not",
                                   "GDP 比上年实际增长率（不变价）；初始状态行为空（模型不模拟其增长，统计值见区域文件），"
                                   "不完整年份及其后一年亦为空",
                                   Unit("share of the year before", "占上年的比例"))},
        run_keys=True),
    "residents_by_age": Table(
        "residents by age", "分年龄常住人口",
        "Residents and talent at each year end (and the initial state) by sex and five-year age group (ODD §7.10).",
        "各年末（含初始状态）按性别和五岁年龄组统计的常住人口与人才（ODD 第 7.10 节）。",
        _run_files("residents_by_age"),
        {"year": Column("calendar year whose end the row describes; the first is the initial state",
                        "该行所述年末所在的日历年；第一年为初始状态", YEAR),
         "sex": Column("male or female", "male（男）或 female（女）", NONE),
         "age_group": Column("five-year age group (0-4, ..., 95-99) or 100+", "五岁年龄组（0-4、…、95-99）或 100+", NONE),
         "residents": Column("residents of the group: non-talent residents and talent", "该组常住人口：非人才常住人口与人才之和", PERSONS),
         "talent": Column("talent of the group (by the agents' own sex and age)",
                          "该组人才（按人才主体自身的性别与年龄）", PERSONS)},
        run_keys=True),
    "talent_flows": Table(
        "talent flows", "人才流动",
        "Talent coming in and leaving within each month, by sector, tier, direction and channel "
        "(rows with persons only).",
        "每月按产业、人才层次、流向和渠道统计的人才流入与流出（仅含人数大于零的行）。",
        _run_files("talent_flows"),
        {"date": MONTH_END, "cluster": SECTOR, "district": CLUSTER_DISTRICT, "tier": TIER,
         "direction": Column("inflow or outflow", "流向：inflow（流入）或 outflow（流出）", NONE),
         "channel": Column(
             "for an inflow, how the persons came: graduate, migrant (experienced), returnee, high_end (high-end "
             "recruitment), platform (by a research platform), project (leading-talent project), challenge "
             "(challenge-based recruitment), tailored (tailored support), qualification (residents who gained a qualification "
             "in the job they hold) or internal (from another sector of the city); "
             "for an outflow, where they went: a competing city of the region file (for Jiaxing shanghai, hangzhou, "
             "suzhou, ningbo, rest_of_country), retirement, or internal (to another sector of the city)",
             "流入时为来源渠道：graduate（高校毕业生）、migrant（有经验的外来人才）、returnee（回流人才）、"
             "high_end（高层次人才引进）、platform（研发平台引进）、project（领军人才项目）、challenge（揭榜挂帅）、"
             "tailored（定制化支持）、qualification（在岗取得资格的常住人口）或 internal（来自本市其他产业）；流出时为去向：区域文件中的竞争城市"
             "（嘉兴为 shanghai、hangzhou、suzhou、ningbo、rest_of_country）、retirement（退休）或 internal（流向本市其他产业）",
             NONE),
         "persons": Column("persons in the flow during the month", "当月流动人数", PERSONS)},
        run_keys=True),
    "firms": Table(
        "firms", "企业",
        "Firms in business by sector at each month end (research platforms excluded), their jobs, output, value added "
        "and tax in the month, and the month's entries, exits and promotions.",
        "各月末按产业统计的在营企业（不含研发平台）及其岗位、当月产值、增加值与税收，以及当月新进入、退出和晋升的企业。",
        _run_files("firms"),
        {"date": MONTH_END, "cluster": SECTOR,
         "firms": Column("firms in business at the month end, research platforms excluded",
                         "月末在营企业数（不含研发平台）", FIRMS),
         "little_giants": Column("of these, specialised and sophisticated 'little giant' firms",
                                 "其中专精特新“小巨人”企业数", FIRMS),
         "jobs": Column("all jobs of these firms at the month end (talent and other workers)",
                        "月末这些企业的全部岗位（人才及其他员工）", JOBS),
         "output_yuan": Column("output of these firms in the month", "这些企业当月的产值", YUAN),
         "value_added_yuan": Column(
             "value added in the month (ODD §7.12): for a cluster its output × value_added_ratio; for rest_of_city the value "
             "added of the whole economy outside the nine clusters (firms outside them, services, agriculture, government), "
             "moving with these firms' output; both raised by productivity_trend_per_year. Summed over sectors and the "
             "year's months it is the city's GDP in city_annual",
             "当月增加值（ODD 第 7.12 节）：产业集群为产值 × value_added_ratio；rest_of_city 为九大集群以外全部经济"
             "（集群外企业、服务业、农业、政府等）的增加值，随这些企业的产值变动；两者均按 productivity_trend_per_year 提高。"
             "按产业和全年各月加总即为 city_annual 中的全市 GDP",
             YUAN_CONSTANT),
         "tax_yuan": Column("tax from that output in the month (output × tax_share_of_output)",
                            "当月产值对应的税收（产值 × tax_share_of_output）", YUAN),
         "entries": Column("firms founded in the month", "当月新进入的企业数", FIRMS),
         "exits": Column("firms that closed in the month", "当月退出的企业数", FIRMS),
         "promotions": Column("firms that became little giants in the month", "当月新晋“小巨人”的企业数", FIRMS)},
        run_keys=True),
    "projects": Table(
        "projects and technology demands", "项目与技术需求",
        "Leading-talent projects and the technology demands of challenge-based recruitment (揭榜挂帅) by sector "
        "and month.",
        "按产业和月份统计的领军人才项目与揭榜挂帅技术需求。",
        _run_files("projects"),
        {"date": MONTH_END, "cluster": SECTOR,
         "projects_selected": Column("leading-talent projects selected in the month", "当月入选的领军人才项目数", PROJECTS),
         "project_firms": Column("leading-talent project firms in business at the month end",
                                 "月末在营的领军人才项目企业数", FIRMS),
         "project_jobs": Column("all jobs of those project firms at the month end", "月末这些项目企业的全部岗位", JOBS),
         "project_output_yuan": Column("output of those project firms in the month", "这些项目企业当月的产值", YUAN),
         "demands_posted": Column("technology demands posted by firms in the month", "当月企业发布的技术需求数", DEMANDS),
         "demands_matched": Column("technology demands matched with a solver in the month", "当月揭榜成功的技术需求数", DEMANDS),
         "demands_open": Column("technology demands still open at the month end", "月末尚未揭榜的技术需求数", DEMANDS)},
        run_keys=True),
    "housing": Table(
        "housing", "住房",
        "Talent apartments, the queue for them and market rent by district at each month end.",
        "各月末按区县统计的人才公寓、排队人数与市场租金。",
        _run_files("housing"),
        {"date": MONTH_END,
         "district": Column("district of the region file (in Jiaxing's, citywide stands for the rest of the city)",
                            "区域文件中的区县（嘉兴区域文件中 citywide 指全市其余地区）", NONE),
         "apartment_supply": Column("talent apartments in the district at the month end, one tenant each",
                                    "月末该区县的人才公寓数（每套住一人）", APARTMENTS),
         "apartments_occupied": Column("talent apartments let at the month end (equal to the persons housed)",
                                       "月末已入住的人才公寓数（等于入住人数）", APARTMENTS),
         "apartment_queue": Column("employed talent waiting for a talent apartment at the month end",
                                   "月末排队等候人才公寓的在职人才", PERSONS),
         "market_rent_yuan": Column("market rent of a one-bedroom flat in the district", "该区县一居室的市场租金",
                                    YUAN_PER_MONTH)},
        run_keys=True),
    "spending": Table(
        "spending", "财政支出",
        "Government spending on each policy lever in each month, with the monthly share of its annual budget.",
        "各月各政策杠杆的政府支出，及其年度预算的月度份额。",
        _run_files("spending"),
        {"date": MONTH_END,
         "lever": Column("policy lever: housing, funding, projects, challenges, platforms, services, tailored_support, "
                         "graduates or skills",
                         "政策杠杆：housing（人才公寓）、funding（贷款与产业基金）、projects（领军人才项目）、"
                         "challenges（揭榜挂帅）、platforms（研发平台）、services（公共服务）、tailored_support（定制化支持）、"
                         "graduates（高校毕业生补贴）或 skills（技能提升补贴）", NONE),
         "spending_yuan": Column("spending on the lever in the month", "该杠杆当月的支出", YUAN),
         "budget_yuan": Column("one twelfth of the lever's annual budget in force in the month (a month's spending may "
                               "exceed it; a calendar year's never exceeds the annual budget)",
                               "当月有效年度预算的十二分之一（单月支出可超过此数，但全年支出不超过年度预算）", YUAN)},
        run_keys=True),
    "cost_effectiveness": Table(
        "cost-effectiveness", "成本效益",
        "Cumulative spending on all levers against the city's talent gain since the start, each month.",
        "每月所有杠杆的累计支出与全市人才自起始以来的增量。",
        _run_files("cost_effectiveness"),
        {"date": MONTH_END,
         "cumulative_spending_yuan": Column("spending on all levers from the first month to this one",
                                            "自首月至本月所有杠杆的累计支出", YUAN),
         "talent_gain": Column("city talent stock at the month end minus the initial stock",
                               "月末全市人才存量减初始存量", PERSONS),
         "yuan_per_additional_talent": Column("cumulative spending divided by the talent gain; NaN while the gain is "
                                              "not positive",
                                              "累计支出除以人才增量；增量不为正时为 NaN", YUAN_PER_PERSON)},
        run_keys=True),
    "coupling": Table(
        "coupling coordination", "耦合协调度",
        "Coupling coordination of the talent and industry subsystems (产才融合) of each cluster at each month end "
        "(ODD §7.9); every indicator is relative to a fixed reference set from the initial state.",
        "各产业集群每月末人才子系统与产业子系统的耦合协调度（ODD 第 7.9 节）；各指标均相对于由初始状态确定的固定参照值。",
        _run_files("coupling"),
        {"date": MONTH_END,
         "cluster": Column("cluster of the region (rest_of_city has no row)", "区域的产业集群（rest_of_city 不计）", NONE),
         "u_talent": Column("talent subsystem score U1: the mean of talent and high-end talent, each divided by its "
                            "reference and capped at 1",
                            "人才子系统评价值 U1：人才数与高层次人才数各除以参照值（封顶为 1）后的均值", INDEX),
         "u_industry": Column("industry subsystem score U2: the mean of annual output and firms, each divided by its "
                              "reference and capped at 1",
                              "产业子系统评价值 U2：年产值与企业数各除以参照值（封顶为 1）后的均值", INDEX),
         "coupling_c": Column("coupling degree C = 2·√(U1·U2) / (U1 + U2)", "耦合度 C = 2·√(U1·U2) / (U1 + U2)", INDEX),
         "coordination_t": Column("comprehensive coordination index T = (U1 + U2) / 2",
                                  "综合协调指数 T = (U1 + U2) / 2", INDEX),
         "coordination_d": Column("coupling coordination degree D = √(C·T)", "耦合协调度 D = √(C·T)", INDEX)},
        run_keys=True),
    "labour_market": Table(
        "labour market", "劳动力市场",
        "Each month's matching in every sector x tier market (ODD §7.4): vacancies, the persons who sought a job "
        "there, the persons hired, and the market's tightness and job-finding rate. Which side is short emerges from "
        "these numbers: tightness above 1 means seekers are short, below 1 vacancies are short.",
        "各月每个产业 × 人才层次市场的匹配情况（ODD 第 7.4 节）：空缺岗位、在该市场求职的人数、被录用人数，以及市场紧度与求职成功率。"
        "哪一方短缺由这些数字体现：紧度大于 1 表示求职者短缺，小于 1 表示岗位短缺。",
        _run_files("labour_market"),
        {"date": MONTH_END, "cluster": SECTOR, "tier": TIER,
         "vacancies": Column("talent vacancies of the sector and tier at the month's matching", "本月匹配时该产业该层次的人才空缺岗位", JOBS),
         "job_seekers": Column("persons who sought a job in this market this month (newcomers who came, displaced residents "
                               "and residents seeking on the job)",
                               "本月在该市场求职的人数（决定前来的新来者、失去工作的居民及在职求职的居民）", PERSONS),
         "hires": Column("persons hired in this market this month", "本月在该市场被录用的人数", PERSONS),
         "tightness": Column("market tightness: vacancies per job seeker (V/U); empty when nobody sought a job",
                             "市场紧度：每名求职者对应的空缺岗位数（V/U）；无人求职时为空", Unit("vacancies per seeker", "个岗位/人")),
         "finding_rate": Column("job-finding rate: hires per job seeker this month; empty when nobody sought a job",
                                "求职成功率：本月每名求职者的录用数；无人求职时为空", Unit("share", "比例"))},
        run_keys=True),
    "summary": Table(
        "study summary", "研究汇总",
        "Talent stock over a study's complete runs: mean and quantiles per design point, date, sector (with the city "
        "total) and tier (with all tiers).",
        "研究中已完成运行的人才存量统计：按设计点、日期、产业（含全市合计）和人才层次（含全部层次）给出均值与分位数。",
        (f"{STUDY}/summary.parquet", f"{STUDY}/summary.csv"),
        {"point": POINT, "point_label": POINT_LABEL, "date": STOCK_DATE, "cluster": SECTOR_OR_CITY,
         "tier": Column("talent tier (see talent_stock), or all_tiers (their sum)",
                        "人才层次（见 talent_stock），或 all_tiers（各层次合计）", NONE),
         "n_runs": Column("complete runs of the design point behind the statistics", "该设计点参与统计的已完成运行次数", RUNS),
         **_over("the talent stock", "人才存量", PERSONS, over_en="the runs", over_zh="次运行")}),
    "runs": Table(
        "study runs", "研究运行清单",
        "Every run of a study with its design point, seed and state on disk.",
        "研究的每次运行及其设计点、随机种子和完成状态。",
        (f"{STUDY}/runs.parquet",),
        {"run_id": KEY_COLUMNS["run_id"], "point": POINT, "point_label": POINT_LABEL, "seed": KEY_COLUMNS["seed"],
         "status": Column("state of the run on disk: complete, failed (its record is in failures/) or missing (not run yet)",
                          "运行状态：complete（已完成）、failed（失败，记录见 failures/）或 missing（尚未运行）", NONE)}),
    "comparison": Table(
        "scenario comparison", "情景比较",
        "Scenarios compared at year ends with common random numbers, per sector and for the whole city: talent stock, "
        "the paired difference to the first scenario, spending, and additional talent per 100 million yuan.",
        "以共同随机数比较各情景的年末结果（分产业及全市）：人才存量、相对第一个情景的配对差值、支出，以及每亿元新增人才。",
        (f"{COMPARE_FOLDER}/comparison.parquet", f"{COMPARE_FOLDER}/comparison.csv"),
        {"point": POINT,
         "scenario": Column("scenario name; the first (point 0) is the reference of every difference",
                            "情景名称；第一个情景（点 0）是所有差值的参照", NONE),
         "year": YEAR_END, "cluster": SECTOR_OR_CITY, "n_seeds": N_SEEDS,
         **_stock_over_seeds("the talent stock at the year end", "年末人才存量", (5, 50, 95)),
         **{f"diff_{k}": c for k, c in _interval("the paired difference in talent stock to the first scenario (same seed)",
                                                 "相对第一个情景（同一种子）的人才存量配对差值", PERSONS).items()},
         "diff_p05": Column("5th percentile of the paired differences over seeds", "配对差值在各种子间的第 5 百分位数", PERSONS),
         "diff_p95": Column("95th percentile of the paired differences over seeds", "配对差值在各种子间的第 95 百分位数", PERSONS),
         "spending_yuan": Column("mean spending on all levers from the first month to the year end (city_total rows only)",
                                 "自首月至该年末所有杠杆累计支出的均值（仅 city_total 行）", YUAN),
         "extra_spending_yuan": Column("that spending minus the first scenario's (city_total rows only)",
                                       "上述累计支出减去第一个情景的累计支出（仅 city_total 行）", YUAN),
         "talent_per_100m_yuan": Column(
             "additional talent per 100 million yuan of extra spending: mean paired difference / extra spending × 10^8 "
             "(city_total rows of scenarios whose levers differ from the reference's and that spend at least "
             "10 million yuan more; empty elsewhere)",
             "每亿元额外支出带来的新增人才：配对差值均值 / 额外支出 × 10^8（仅限杠杆与参照情景不同、且额外支出不少于"
             "一千万元的情景的 city_total 行；其余为空）", PERSONS_PER_100M_YUAN),
         "talent_per_100m_ci_low": Column("lower bound of its 95% confidence interval (Student's t over seeds)",
                                          "其 95% 置信区间下限（按种子的 t 分布）", PERSONS_PER_100M_YUAN),
         "talent_per_100m_ci_high": Column("upper bound of its 95% confidence interval (Student's t over seeds)",
                                           "其 95% 置信区间上限（按种子的 t 分布）", PERSONS_PER_100M_YUAN)}),
    "response": Table(
        "lever response", "杠杆响应",
        "City talent at year ends against a swept lever's value, with common random numbers: the stock, the paired "
        "gain over the first value and the marginal gain per unit of the lever.",
        "以共同随机数扫描一个杠杆时全市年末人才随杠杆取值的变化：存量、相对第一个取值的配对增量，以及每单位杠杆的边际增量。",
        (f"{STUDY}/response.parquet", f"{STUDY}/response.csv"),
        {"point": POINT,
         "lever": Column("the swept lever, as named on the command line (e.g. apartments_per_year)",
                         "被扫描的杠杆，名称同命令行（如 apartments_per_year）", NONE),
         "value": Column("the lever's value at this point", "该点的杠杆取值", LEVER_UNIT),
         "year": YEAR_END, "n_seeds": N_SEEDS,
         **_stock_over_seeds("the city talent stock at the year end", "全市年末人才存量", (5, 25, 50, 75, 95)),
         **{f"gain_{k}": c for k, c in _interval("the paired gain in city talent over the first value (same seed)",
                                                 "相对第一个取值（同一种子）的全市人才配对增量", PERSONS).items()},
         **{f"marginal_{k}": c for k, c in _interval(
             "the marginal gain: the paired change in city talent from the previous value divided by the change in "
             "the lever (empty at the first value)",
             "边际增量，即相对前一个取值的全市人才配对变化除以杠杆变化量（第一个取值处为空）",
             PERSONS_PER_LEVER_UNIT).items()},
         "extra_spending_yuan": Column("mean spending on all levers to the year end minus that at the first value",
                                       "至该年末所有杠杆累计支出的均值减去第一个取值处的累计支出", YUAN)}),
    "validation": Table(
        "validation", "模型验证",
        "Observed figures of the region file set against the same column of city_annual over several seeds "
        "(talentsim validate; ODD §8): one row per observation.",
        "区域文件中的观测值与多个随机种子下 city_annual 同一列的模拟值对比（talentsim validate；ODD 第 8 节）：每个观测值一行。",
        ("outputs/<scenario>/validation/validation.parquet", "outputs/<scenario>/validation/validation.csv"),
        {"series": Column("the column of city_annual observed", "所观测的 city_annual 列名", NONE),
         "year": Column("the year whose end the figure describes", "观测值所述年末的年份", YEAR),
         "observed": Column("the observed figure", "观测值", Unit("the unit column's unit", "见 unit 列")),
         "unit": Column("unit of the observed and simulated figures", "观测值与模拟值的单位", NONE),
         "simulated_mean": Column("mean over the seeds of the simulated figure", "模拟值在各种子间的均值", Unit("the unit column's unit", "见 unit 列")),
         "simulated_min": Column("smallest simulated figure over the seeds (seed noise only; parameters at the scenario's values)",
                                 "各种子中最小的模拟值（仅随机种子差异；参数取情景设定值）", Unit("the unit column's unit", "见 unit 列")),
         "simulated_max": Column("largest simulated figure over the seeds", "各种子中最大的模拟值", Unit("the unit column's unit", "见 unit 列")),
         "error": Column("simulated mean minus observed", "模拟均值减观测值", Unit("the unit column's unit", "见 unit 列")),
         "relative_error": Column("error as a share of the observed figure (empty when it is 0)", "误差占观测值的比例（观测值为 0 时为空）",
                                  Unit("share", "比例")),
         "tolerance_low": Column("lowest simulated mean accepted", "可接受的模拟均值下限", Unit("the unit column's unit", "见 unit 列")),
         "tolerance_high": Column("highest simulated mean accepted", "可接受的模拟均值上限", Unit("the unit column's unit", "见 unit 列")),
         "within_tolerance": Column("whether the simulated mean lies within the tolerance (talentsim validate exits 1 otherwise)",
                                    "模拟均值是否在容差范围内（否则 talentsim validate 以 1 退出）", NONE),
         "use": Column("what the model does with the figure: initial (holds by construction of the initial state), fitted "
                       "(a target of talentsim calibrate) or check (used in no fit)",
                       "模型对该观测值的用法：initial（由初始状态构造而成立）、fitted（talentsim calibrate 的拟合目标）或 check（未用于任何拟合）", NONE),
         "source": Column("where the figure comes from", "观测值来源", NONE)}),
    "run_outcomes": Table(
        "outcomes of a sensitivity run", "敏感性分析单次运行的结果指标",
        "The scalar outcomes of one run of a sensitivity study (talentsim sensitivity; ODD §10): one row per outcome.",
        "敏感性分析研究（talentsim sensitivity；ODD 第 10 节）中单次运行的标量结果指标：每个指标一行。",
        (f"{SENSITIVITY_FOLDER}/runs/run_outcomes/<run id>.parquet",),
        {**KEY_COLUMNS, "point": DESIGN_ROW, "outcome": OUTCOME,
         "value": Column("the outcome's value in this run", "该指标在本次运行中的取值", OUTCOME_UNIT)}),
    "design": Table(
        "sensitivity design", "敏感性分析设计",
        "The sampled design of a sensitivity study in long form: each row of the design with each factor's point of the "
        "unit interval (as SALib drew it) and the value the runs used.",
        "敏感性分析研究的抽样设计（长表）：设计的每一行、每个因子在单位区间上的取值（SALib 抽样所得）及运行实际使用的取值。",
        (f"{SENSITIVITY_FOLDER}/design.parquet",),
        {"row": DESIGN_ROW, "factor": FACTOR,
         "unit_value": Column("the factor's point of the unit interval: 0 is the low end of its plausible range, 1 the high end",
                              "因子在单位区间上的取值：0 为合理取值范围下限，1 为上限", Unit("share of the range, 0 to 1", "范围比例（0–1）")),
         "value": Column("the factor's value in the runs of the row (integers rounded down over [low, high + 1))",
                         "该行各次运行中因子的取值（整数型参数在 [下限, 上限+1) 上向下取整）", FACTOR_UNIT)}),
    "responses": Table(
        "sensitivity responses", "敏感性分析响应",
        "Each outcome of a sensitivity study at each design row: the base scenario's value averaged over the seeds, or "
        "for an effect the paired difference between the policy and the base at the same factor values and seeds.",
        "敏感性分析研究中每个设计行的各结果指标：基准情景取值在各随机种子间的均值；对政策效应而言，为相同因子取值与随机种子下"
        "政策情景与基准情景之差的均值。",
        (f"{SENSITIVITY_FOLDER}/responses.parquet",),
        {"row": DESIGN_ROW, "outcome": OUTCOME,
         "value": Column("the outcome at the row, averaged over the seeds", "该行的指标取值（各随机种子均值）", OUTCOME_UNIT)}),
    "indices": Table(
        "sensitivity indices", "敏感性指数",
        "Sensitivity indices per outcome and factor (SALib), from the first half of the design (N) and from all of it "
        "(2N): Morris mu*, mu and sigma, or Sobol' S1 and ST, each with a 95% bootstrap interval.",
        "各结果指标与因子的敏感性指数（SALib），分别由设计的前一半（N）与全部（2N）计算：Morris 法的 mu*、mu 与 sigma，"
        "或 Sobol' 法的 S1 与 ST，均附 95% 自助法区间。",
        (f"{SENSITIVITY_FOLDER}/indices.parquet", f"{SENSITIVITY_FOLDER}/indices.csv"),
        {"outcome": OUTCOME,
         "method": Column("morris (elementary effects) or sobol (variance decomposition)", "morris（基本效应法）或 sobol（方差分解法）", NONE),
         "design_size": Column("Morris trajectories or Sobol' base samples behind the indices (N or 2N)",
                               "指数所依据的 Morris 轨迹数或 Sobol' 基础样本数（N 或 2N）", Unit("trajectories or samples", "条轨迹或个样本")),
         "runs_per_arm": Column("design rows behind the indices: runs per scenario and seed", "指数所依据的设计行数：每个情景、每个随机种子的运行次数", RUNS),
         "factor": FACTOR,
         "rank": Column("the factor's rank for the outcome at this design size, 1 = most influential (by mu*, or by ST)",
                        "该设计规模下因子对该指标的影响排名，1 为最大（按 mu* 或 ST）", NONE),
         **_bounded("mu_star", "Morris mu*: mean absolute elementary effect, the outcome's change when the factor moves across "
                    "its whole plausible range", "Morris mu*：基本效应绝对值的均值，即因子在其整个合理范围内变动时指标的变化",
                    "SALib's bootstrap over elementary effects", "SALib 对基本效应的自助法", OUTCOME_UNIT),
         "mu": Column("Morris mu: mean elementary effect (its sign is the direction of the effect where it does not change)",
                      "Morris mu：基本效应的均值（效应方向不变时其符号即方向）", OUTCOME_UNIT),
         **_bounded("sigma", "Morris sigma: standard deviation of the elementary effects (nonlinearity and interactions)",
                    "Morris sigma：基本效应的标准差（非线性与交互作用）", "percentiles over whole trajectories of SALib's "
                    "elementary effects resampled with replacement", "对 SALib 基本效应按整条轨迹有放回重抽所得的百分位数", OUTCOME_UNIT),
         **_bounded("s1", "Sobol' first-order index S1: share of the outcome's variance due to the factor alone",
                    "Sobol' 一阶指数 S1：仅由该因子引起的指标方差占比", "SALib's bootstrap", "SALib 自助法", SHARE),
         **_bounded("st", "Sobol' total index ST: share of the variance due to the factor with all its interactions",
                    "Sobol' 总效应指数 ST：该因子及其全部交互作用引起的方差占比", "SALib's bootstrap", "SALib 自助法", SHARE)}),
    "second_order": Table(
        "second-order Sobol' indices", "Sobol' 二阶指数",
        "Sobol' second-order indices S2 of each pair of factors (talentsim sensitivity --method sobol --second-order), from "
        "the whole design.",
        "每对因子的 Sobol' 二阶指数 S2（talentsim sensitivity --method sobol --second-order），由全部设计计算。",
        (f"{SENSITIVITY_FOLDER}/second_order.parquet", f"{SENSITIVITY_FOLDER}/second_order.csv"),
        {"outcome": OUTCOME, "factor_a": FACTOR, "factor_b": Column("the other factor of the pair", "该对因子中的另一个", NONE),
         **_bounded("s2", "S2: share of the outcome's variance due to the interaction of the two factors alone",
                    "S2：仅由两因子交互作用引起的指标方差占比", "SALib's bootstrap", "SALib 自助法", SHARE)}),
    "convergence": Table(
        "sensitivity convergence", "敏感性分析收敛性",
        "Whether a sensitivity ranking has settled: per outcome, the top factors from the first half of the design (N) "
        "and from all of it (2N), and the rank correlation of the ranking measure over all factors.",
        "敏感性排序是否已稳定：对每个指标，比较设计前一半（N）与全部（2N）得到的前几位因子，以及全部因子排序指标的秩相关。",
        (f"{SENSITIVITY_FOLDER}/convergence.parquet", f"{SENSITIVITY_FOLDER}/convergence.csv"),
        {"outcome": OUTCOME,
         "measure": Column("the ranking measure: mu_star (Morris) or st (Sobol')", "排序指标：mu_star（Morris）或 st（Sobol'）", NONE),
         "n": Column("design size N of the first half", "前一半设计的规模 N", Unit("trajectories or samples", "条轨迹或个样本")),
         "two_n": Column("design size 2N of the whole design", "全部设计的规模 2N", Unit("trajectories or samples", "条轨迹或个样本")),
         "top_k": Column("how many top factors are compared", "比较的前几位因子个数", Unit("factors", "个因子")),
         "top_at_n": Column("the top factors at N, most influential first", "规模 N 时的前几位因子（影响最大者在前）", NONE),
         "top_at_2n": Column("the top factors at 2N, most influential first", "规模 2N 时的前几位因子（影响最大者在前）", NONE),
         "same_top_set": Column("whether the top factors at N and 2N are the same factors: the ranking of the top is stable",
                                "N 与 2N 时前几位因子是否相同：前列排序是否稳定", NONE),
         "same_top_order": Column("whether they are also in the same order", "其顺序是否也相同", NONE),
         "rank_correlation": Column("Spearman rank correlation of the measure at N and at 2N over all factors (empty when undefined)",
                                    "全部因子在 N 与 2N 时排序指标的 Spearman 秩相关（无法计算时为空）", NONE)}),
    "posterior": Table(
        "calibration posterior", "校准后验分布",
        "The posterior of an ABC-SMC calibration in long form: each weighted particle (parameter set) of the last "
        "population with each fitted parameter's value. Draws for --posterior resample the particles by weight.",
        "ABC-SMC 校准所得后验分布（长表）：最后一代的每个加权粒子（一组参数）及各被校准参数的取值。--posterior 按权重重抽样粒子。",
        ("scenarios/calibration/<scenario>_posterior.parquet",),
        {"particle": Column("particle of the last population, from 0", "最后一代的粒子编号，从 0 起", NONE),
         "weight": Column("the particle's importance weight; the weights of all particles sum to one",
                          "粒子的重要性权重；全部粒子权重之和为 1", Unit("share, 0 to 1", "比例（0–1）")),
         "parameter": FACTOR,
         "value": Column("the parameter's value in the particle", "该粒子中参数的取值", FACTOR_UNIT)}),
    "posterior_predictive": Table(
        "posterior predictive check", "后验预测检验",
        "Each particle of an ABC-SMC calibration's last population (talentsim calibrate --method abc) with the value it "
        "simulated for each calibration target, beside the observed target and its tolerance: the posterior predictive check.",
        "ABC-SMC 校准（talentsim calibrate --method abc）最后一代的每个粒子对各校准目标的模拟值，及观测目标值与容差：后验预测检验。",
        (f"{ABC_FOLDER}/posterior_predictive.parquet", f"{ABC_FOLDER}/posterior_predictive.csv"),
        {"particle": Column("particle of the last population, from 0; the same numbers as in the posterior file",
                            "最后一代的粒子编号，从 0 起；与后验文件中的编号相同", NONE),
         "weight": Column("the particle's importance weight; the weights of all particles sum to one",
                          "粒子的重要性权重；全部粒子权重之和为 1", Unit("share, 0 to 1", "比例（0–1）")),
         "distance": Column("the particle's distance to the targets: the Euclidean norm of (simulated - target) / tolerance "
                            "half-width over the targets in the distance",
                            "粒子与目标的距离：计入距离的各目标（模拟值 − 目标值）/ 容差半宽的欧氏范数",
                            Unit("tolerance half-widths", "容差半宽")),
         "target": Column("calibration target: a pattern P1-P4 or a fitted observation <series>_<year>",
                          "校准目标：模式 P1–P4 或拟合用观测值 <序列>_<年份>", NONE),
         "simulated": Column("the target's value in the particle's run (one run, its own seed)",
                             "该粒子一次运行（自有随机种子）中目标的模拟值", Unit("the target's unit (column unit)", "目标自身的单位（见 unit 列）")),
         "observed": Column("the target's observed value", "目标的观测值", Unit("the target's unit (column unit)", "目标自身的单位（见 unit 列）")),
         "low": Column("lower end of the target's tolerance", "目标容差下限", Unit("the target's unit (column unit)", "目标自身的单位（见 unit 列）")),
         "high": Column("upper end of the target's tolerance", "目标容差上限", Unit("the target's unit (column unit)", "目标自身的单位（见 unit 列）")),
         "within_tolerance": Column("whether the simulated value lies within the tolerance", "模拟值是否在容差范围内", NONE),
         "in_distance": Column("whether the target counts in the distance (false for P1, which holds by construction)",
                               "该目标是否计入距离（P1 由构造成立，为 false）", NONE),
         "unit": Column("the target's unit", "目标的单位", NONE)}),
    "scenarios": Table(
        "compared scenarios", "参与比较的情景",
        "The scenarios of a comparison with their titles and descriptions.",
        "参与比较的情景及其标题与说明。",
        (f"{COMPARE_FOLDER}/scenarios.csv",),
        {"point": POINT, "scenario": Column("scenario name", "情景名称", NONE),
         "title_en": Column("the scenario's title in English", "情景的英文标题", NONE),
         "title_zh": Column("the scenario's title in Chinese", "情景的中文标题", NONE),
         "description_en": Column("the scenario's description in English", "情景的英文说明", NONE),
         "description_zh": Column("the scenario's description in Chinese", "情景的中文说明", NONE)}),
}
RUN_TABLES = tuple(name for name, table in TABLES.items() if table.run_keys)


# ------------------------------------------------------------------ looking up and attaching
def columns_of(name: str) -> dict[str, Column]:
    """Every column a table may have, its run key columns included."""
    if name not in TABLES:
        raise ValueError(f"no table {name!r} in the data dictionary (sim/dictionary.py); it has {', '.join(TABLES)}")
    table = TABLES[name]
    return {**KEY_COLUMNS, **table.columns} if table.run_keys else dict(table.columns)


def undocumented(table: pa.Table, *, name: str) -> list[str]:
    """The columns of ``table`` that the dictionary entry ``name`` does not describe."""
    known = columns_of(name)
    return [column for column in table.column_names if column not in known]


def described(table: pa.Table, *, name: str) -> pa.Table:
    """The same table with the dictionary's descriptions and units as field and schema metadata.

    The columns are the same arrays: no value changes. A column without an entry is an error, so
    that no file is written whose columns nobody has described.
    """
    missing = undocumented(table, name=name)
    if missing:
        raise ValueError(f"table {name}: columns {', '.join(missing)} are not in the data dictionary; add a description "
                         f"and a unit in English and Chinese for each to TABLES[{name!r}] in sim/dictionary.py")
    known = columns_of(name)
    fields = [field.with_metadata({**(field.metadata or {}), **field_metadata(known[field.name])}) for field in table.schema]
    entry = TABLES[name]
    metadata = {**(table.schema.metadata or {}), "table": name, "description_en": entry.en, "description_zh": entry.zh}
    return pa.Table.from_arrays(table.columns, schema=pa.schema(fields, metadata=metadata))


def field_metadata(column: Column) -> dict[str, str]:
    return {"description_en": column.en, "description_zh": column.zh, "unit_en": column.unit.en, "unit_zh": column.unit.zh}


# ------------------------------------------------------------------ docs/outputs.md
GENERATED_MARKER = ("<!-- Everything below is generated from sim/dictionary.py by "
                    "`python -m sim.dictionary docs/outputs.md`; edit the dictionary, not this list. -->")


def markdown() -> str:
    """The dictionary as Markdown: the key columns, then every table with its files and columns."""
    lines = ["## Key columns of a run's tables · 运行表的键列", "",
             f"Every table of a run ({', '.join(f'`{n}`' for n in RUN_TABLES)}) starts with these columns; "
             "`point` only in a study's `runs/` dataset.", "",
             "运行的每张表都以这些列开头；`point` 仅见于研究的 `runs/` 数据集。", "", *_column_rows(KEY_COLUMNS)]
    for name, table in TABLES.items():
        files = ", ".join(f"`{f}`" for f in table.files)
        keys = " (after the key columns · 键列之后)" if table.run_keys else ""
        lines += ["", f"## `{name}` — {table.title_en} · {table.title_zh}", "", table.en, "", table.zh, "",
                  f"Files · 文件: {files}", "", f"Columns{keys}:", "", *_column_rows(table.columns)]
    return "\n".join(lines) + "\n"


def _column_rows(columns: dict[str, Column]) -> list[str]:
    rows = ["| column · 列 | description | 说明 | unit | 单位 |", "|---|---|---|---|---|"]
    rows += [f"| `{name}` | {_cell(c.en)} | {_cell(c.zh)} | {_cell(c.unit.en)} | {_cell(c.unit.zh)} |"
             for name, c in columns.items()]
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def with_generated_list(doc: str) -> str:
    """``doc`` with everything after the generated-list marker replaced by the current dictionary entries."""
    return with_generated_tail(doc, marker=GENERATED_MARKER, tail=markdown(), what="dictionary entries")


def main(argv: Sequence[str] | None = None) -> int:
    return rewrite_generated_tail(argv, render=with_generated_list,
                                  usage="python -m sim.dictionary docs/outputs.md   (rewrites the generated list in that file)")


if __name__ == "__main__":
    sys.exit(main())
