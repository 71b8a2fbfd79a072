"""The data dictionary: what every column of every output table means, and its unit, in English and Chinese.

Every Parquet file TalentSim writes carries it: each field has the metadata keys ``description_en``,
``description_zh``, ``unit_en`` and ``unit_zh``, and the schema the keys ``table``,
``description_en`` and ``description_zh``. ``docs/outputs.md`` lists it; after changing an entry,
regenerate the list with ``python -m sim.dictionary docs/outputs.md``.
"""

from __future__ import annotations

import sys
from typing import Sequence

import pyarrow as pa

from sim.dictionary_terms import (
    Unit, Column, Table, NONE, YEAR, MONTHS, PERSONS, FIRMS, JOBS, PROJECTS, DEMANDS, APARTMENTS, YUAN,
    YUAN_PER_MONTH, YUAN_CONSTANT, YUAN_PER_PERSON, PERSONS_PER_100M_YUAN, PERSONS_PER_LEVER_UNIT, LEVER_UNIT, INDEX,
    RUNS, KEY_COLUMNS, POINT, POINT_LABEL, MONTH_END, STOCK_DATE, SECTOR, SECTOR_OR_CITY, CLUSTER_DISTRICT,
    TIER, YEAR_END, N_SEEDS, UNCERTAINTY, N_DRAWS, DRAW, PAIRED_RUNS, SEEDS, over, stock_over_seeds, interval,
)
from sim.dictionary_studies import ANALYSIS_TABLES, FACTOR, FACTOR_UNIT
from sim.generated_docs import rewrite_generated_tail, with_generated_tail

RUN_FOLDER = "outputs/<scenario>/<run id>"
STUDY = "<study>"
COMPARE_FOLDER = "outputs/compare/<names>"


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
             "added of the whole economy outside the clusters (firms outside them, services, agriculture, government), "
             "moving with these firms' output; both raised by productivity_trend_per_year. Summed over sectors and the "
             "year's months it is the city's GDP in city_annual",
             "当月增加值（ODD 第 7.12 节）：产业集群为产值 × value_added_ratio；rest_of_city 为各产业集群以外全部经济"
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
         "n_draws": N_DRAWS, "uncertainty": UNCERTAINTY,
         **over("the talent stock", "人才存量", PERSONS, over_en="the runs", over_zh="次运行")}),
    "runs": Table(
        "study runs", "研究运行清单",
        "Every run of a study with its design point, seed and state on disk.",
        "研究的每次运行及其设计点、随机种子和完成状态。",
        (f"{STUDY}/runs.parquet",),
        {"run_id": KEY_COLUMNS["run_id"], "point": POINT, "point_label": POINT_LABEL, "seed": KEY_COLUMNS["seed"], "draw": DRAW,
         "status": Column("state of the run on disk: complete, failed (its record is in failures/) or missing (not run yet)",
                          "运行状态：complete（已完成）、failed（失败，记录见 failures/）或 missing（尚未运行）", NONE),
         "arithmetic": Column("the floating-point code the run was computed with (numpy's version, the processor's architecture and "
                              "the vector code numpy used): a run is reproduced to the bit on a machine of the same kind; empty for "
                              "a run not complete", "运行所用的浮点计算代码（numpy 版本、处理器架构及 numpy 所用的向量指令代码）："
                              "在同类机器上可逐位复现该运行；未完成的运行为空", NONE)}),
    "comparison": Table(
        "scenario comparison", "情景比较",
        "Scenarios compared at year ends with common random numbers, per sector and for the whole city: talent stock, "
        "the paired difference to the first scenario, the share of runs in which it is positive, spending, and additional "
        "talent per 100 million yuan; over seeds, or over parameter draws and seeds.",
        "以共同随机数比较各情景的年末结果（分产业及全市）：人才存量、相对第一个情景的配对差值、差值为正的运行占比、支出，"
        "以及每亿元新增人才；统计范围为随机种子，或参数抽样与随机种子。",
        (f"{COMPARE_FOLDER}/comparison.parquet", f"{COMPARE_FOLDER}/comparison.csv"),
        {"point": POINT,
         "scenario": Column("scenario name; the first (point 0) is the reference of every difference",
                            "情景名称；第一个情景（点 0）是所有差值的参照", NONE),
         "year": YEAR_END, "cluster": SECTOR_OR_CITY, "uncertainty": UNCERTAINTY, "n_draws": N_DRAWS,
         "n_seeds": Column("paired seeds per parameter draw (the fewest over the draws): the seeds whose runs are complete at "
                           "every point", "每组参数抽样的配对种子数（各组中最少者）：在每个点都已完成运行的种子", SEEDS),
         "n_runs": PAIRED_RUNS,
         **stock_over_seeds("the talent stock at the year end", "年末人才存量", (5, 50, 95)),
         "diff_mean": Column("mean paired difference in talent stock to the first scenario (same draw and seed): the mean over "
                             "the parameter draws of each draw's mean over its seeds",
                             "相对第一个情景（同一参数抽样、同一种子）的人才存量配对差值均值：先按种子求各组抽样的均值，再对各组求均值",
                             PERSONS),
         "diff_ci_low": Column("lower bound of the 95% confidence interval of that mean (Student's t over the seeds, or over the "
                               "draws' means with draws; empty with one seed or one draw)",
                               "该均值 95% 置信区间下限（按种子的 t 分布；有参数抽样时按各组抽样均值；仅一个种子或一组抽样时为空）", PERSONS),
         "diff_ci_high": Column("upper bound of the 95% confidence interval of that mean (Student's t over the seeds, or over the "
                                "draws' means with draws; empty with one seed or one draw)",
                                "该均值 95% 置信区间上限（按种子的 t 分布；有参数抽样时按各组抽样均值；仅一个种子或一组抽样时为空）", PERSONS),
         "diff_p05": Column("5th percentile of the paired differences over the paired runs: the effect's range over seeds, or over "
                            "parameters and seeds (see uncertainty)",
                            "配对差值在各配对运行间的第 5 百分位数：效果在随机种子间（或参数与随机种子间，见 uncertainty）的范围", PERSONS),
         "diff_p95": Column("95th percentile of the paired differences over the paired runs: the effect's range over seeds, or over "
                            "parameters and seeds (see uncertainty)",
                            "配对差值在各配对运行间的第 95 百分位数：效果在随机种子间（或参数与随机种子间，见 uncertainty）的范围", PERSONS),
         "prob_positive": Column("share of the paired runs in which the difference is above zero, each parameter draw weighted "
                                 "alike (empty for the first scenario)",
                                 "配对差值大于零的配对运行占比，各组参数抽样权重相同（第一个情景为空）", Unit("share, 0 to 1", "比例（0–1）")),
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
         "talent_per_100m_ci_low": Column("lower bound of its 95% confidence interval (that of diff_mean divided by the extra spending)",
                                          "其 95% 置信区间下限（diff_mean 的区间除以额外支出）", PERSONS_PER_100M_YUAN),
         "talent_per_100m_ci_high": Column("upper bound of its 95% confidence interval (that of diff_mean divided by the extra spending)",
                                           "其 95% 置信区间上限（diff_mean 的区间除以额外支出）", PERSONS_PER_100M_YUAN)}),
    "lever_pairs": Table(
        "policies against each other", "政策两两比较",
        "For every ordered pair of compared scenarios other than the reference, per year: the share of paired runs (same "
        "draw and seed) in which the first has more city talent than the second, and the share in which it gains more "
        "talent per yuan of extra spending.",
        "对参照情景以外的每一对情景（有序）逐年给出：在配对运行（同一参数抽样、同一种子）中，前者全市人才多于后者的占比，"
        "以及前者每元额外支出带来的新增人才多于后者的占比。",
        (f"{COMPARE_FOLDER}/lever_pairs.parquet", f"{COMPARE_FOLDER}/lever_pairs.csv"),
        {"year": YEAR_END,
         "point_a": Column("design point of scenario A", "情景 A 的设计点编号", NONE),
         "scenario_a": Column("scenario A", "情景 A", NONE),
         "point_b": Column("design point of scenario B", "情景 B 的设计点编号", NONE),
         "scenario_b": Column("scenario B", "情景 B", NONE),
         "uncertainty": UNCERTAINTY, "n_draws": N_DRAWS, "n_runs": PAIRED_RUNS,
         "prob_a_beats_b": Column("share of the paired runs in which A ends the year with more city talent than B (a larger "
                                  "effect than B's), each parameter draw weighted alike; ties count for neither, so this and "
                                  "the reverse pair's sum to at most 1",
                                  "A 的年末全市人才多于 B（效果大于 B）的配对运行占比，各组参数抽样权重相同；相等时不计入任何一方，"
                                  "故与反向一对之和不超过 1", Unit("share, 0 to 1", "比例（0–1）")),
         "prob_a_beats_b_per_yuan": Column(
             "share of the paired runs in which A's gain over the reference per yuan of extra spending exceeds B's; only when "
             "both change policy and spend at least 10 million yuan more than the reference in every paired run (empty otherwise)",
             "A 相对参照情景的每元额外支出新增人才高于 B 的配对运行占比；仅当两者都调整了政策、且在每次配对运行中额外支出均不少于"
             "一千万元时给出（否则为空）", Unit("share, 0 to 1", "比例（0–1）"))}),
    "draws": Table(
        "parameter draws", "参数抽样",
        "The parameter sets of a study with --posterior or --design: each draw with the value of each drawn parameter. "
        "Every scenario runs each draw with the same values and seeds.",
        "使用 --posterior 或 --design 的研究所用的参数组：每组抽样中各被抽样参数的取值。每个情景在同一组抽样下使用相同取值与随机种子。",
        (f"{STUDY}/draws.parquet", f"{STUDY}/draws.csv"),
        {"draw": Column("parameter draw, from 0", "参数抽样编号，从 0 起", NONE),
         "parameter": FACTOR,
         "value": Column("the parameter's value in the draw", "该组抽样中参数的取值", FACTOR_UNIT)}),
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
         **stock_over_seeds("the city talent stock at the year end", "全市年末人才存量", (5, 25, 50, 75, 95)),
         **{f"gain_{k}": c for k, c in interval("the paired gain in city talent over the first value (same seed)",
                                                 "相对第一个取值（同一种子）的全市人才配对增量", PERSONS).items()},
         **{f"marginal_{k}": c for k, c in interval(
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
    **ANALYSIS_TABLES,
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
