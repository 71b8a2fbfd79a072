"""The data dictionary's entries for the tables of analyses: sensitivity studies, scenario discovery and
calibration (they join :data:`sim.dictionary.TABLES` in this order)."""

from __future__ import annotations

from sim.dictionary_terms import KEY_COLUMNS, NONE, RUNS, SEEDS, Column, Table, Unit

STUDY = "<study>"
ABC_FOLDER = "outputs/<scenario>/abc"
SENSITIVITY_FOLDER = "outputs/<scenario>/sensitivity-<method>-<hash>"
DISCOVER_FOLDER = "outputs/<scenario>/discover-<policy>-<hash>"
SHARE = Unit("share of the outcome's variance, 0 to 1", "占指标方差的比例（0–1）")
OUTCOME_UNIT = Unit("the outcome's unit: persons, or a share for talent_share", "指标自身的单位：人，talent_share 为比例")
FACTOR_UNIT = Unit("the factor's own unit (see talentsim params)", "因子自身的单位（见 talentsim params）")
OUTCOME = Column("outcome: talent_total_2035 (city talent at the end of 2035), talent_<cluster>_2035, talent_share_2035 "
                 "(talent share of residents), other XLRM outcomes, or effect:<policy>:<outcome>, a policy's paired "
                 "difference to the base scenario",
                 "结果指标：talent_total_2035（2035 年末全市人才）、talent_<集群>_2035、talent_share_2035（人才占常住人口比例）、"
                 "其他 XLRM 指标，或 effect:<政策情景>:<指标>，即政策情景相对基准情景的配对差", NONE)
FACTOR = Column("the sampled parameter, by its full dotted name (see talentsim params)", "被抽样的参数（完整点分名称，见 talentsim params）", NONE)
DESIGN_ROW = Column("row of the design, from 0 (in a budget optimisation: the trial, -1 for the base scenario)",
                    "设计行编号，从 0 起（预算优化中为试验编号，基准情景为 -1）", NONE)
OPTIMISE_FOLDER = "outputs/<scenario>/optimise-<name>"
YUAN_A_YEAR = Unit("yuan per year", "元/年")
TRIAL = Column("optuna trial number, from 0, in the order the trials were asked for", "optuna 试验编号，从 0 起，按试验提出顺序", NONE)
OBJECTIVE_UNIT = Unit("the objective's unit: persons (talent_2035) or index 0-1 (coordination_2035)",
                      "目标自身的单位：人（talent_2035）或 0–1 指数（coordination_2035）")
EVALUATED_UNIT = Unit("the outcome's unit: persons, index 0-1, or yuan per year for spending_yuan_per_year",
                      "指标自身的单位：人、0–1 指数，spending_yuan_per_year 为元/年")


def _bounded(name: str, en: str, zh: str, how_en: str, how_zh: str, unit: Unit) -> dict[str, Column]:
    """An index with the bounds of its 95% interval."""
    return {name: Column(en, zh, unit),
            f"{name}_ci_low": Column(f"lower bound of its 95% interval ({how_en})", f"其 95% 区间下限（{how_zh}）", unit),
            f"{name}_ci_high": Column(f"upper bound of its 95% interval ({how_en})", f"其 95% 区间上限（{how_zh}）", unit)}



ANALYSIS_TABLES: dict[str, Table] = {
    "run_outcomes": Table(
        "outcomes of a sensitivity run", "敏感性分析单次运行的结果指标",
        "The scalar outcomes of one run of a sensitivity study (talentsim sensitivity; ODD §10), of a scenario "
        "discovery (talentsim discover) or of a budget optimisation (talentsim optimise, which adds spending_yuan_<year>, the "
        "government's spending on all levers in each calendar year): one row per outcome.",
        "敏感性分析研究（talentsim sensitivity；ODD 第 10 节）、情景发现（talentsim discover）或预算优化（talentsim optimise，"
        "另含 spending_yuan_<年份>，即各自然年政府在全部政策上的支出）中单次运行的标量结果指标：每个指标一行。",
        (f"{SENSITIVITY_FOLDER}/runs/run_outcomes/<run id>.parquet", f"{DISCOVER_FOLDER}/runs/run_outcomes/<run id>.parquet",
         f"{OPTIMISE_FOLDER}/runs/run_outcomes/<run id>.parquet"),
        {**KEY_COLUMNS, "point": DESIGN_ROW, "outcome": OUTCOME,
         "value": Column("the outcome's value in this run", "该指标在本次运行中的取值", OUTCOME_UNIT)}),
    "design": Table(
        "sensitivity design", "敏感性分析设计",
        "The sampled design of a sensitivity study or of a scenario discovery (a Latin hypercube) in long form: each row "
        "of the design with each factor's point of the unit interval (as SALib drew it) and the value the runs used.",
        "敏感性分析研究或情景发现（拉丁超立方抽样）的抽样设计（长表）：设计的每一行、每个因子在单位区间上的取值（SALib 抽样所得）"
        "及运行实际使用的取值。",
        (f"{SENSITIVITY_FOLDER}/design.parquet", f"{DISCOVER_FOLDER}/design.parquet", f"{DISCOVER_FOLDER}/design.csv"),
        {"row": DESIGN_ROW, "factor": FACTOR,
         "group": Column("in a Morris screening by groups (--groups), the group whose factors move together; empty otherwise",
                         "Morris 分组筛选（--groups）中该因子所属、同时变动的组；其他情况为空", NONE),
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
         "factor": Column("the sampled parameter, by its full dotted name (see talentsim params); in a Morris screening by "
                          "groups (--groups), the group's name (its factors: the design table)",
                          "被抽样的参数（完整点分名称，见 talentsim params）；Morris 分组筛选（--groups）中为组名（组内因子见设计表）", NONE),
         "rank": Column("the factor's (or group's) rank for the outcome at this design size, 1 = most influential (by mu*, or by ST)",
                        "该设计规模下因子（或组）对该指标的影响排名，1 为最大（按 mu* 或 ST）", NONE),
         **_bounded("mu_star", "Morris mu*: mean absolute elementary effect, the outcome's change when the factor moves across "
                    "its whole plausible range", "Morris mu*：基本效应绝对值的均值，即因子在其整个合理范围内变动时指标的变化",
                    "SALib's bootstrap over elementary effects", "SALib 对基本效应的自助法", OUTCOME_UNIT),
         "mu": Column("Morris mu: mean elementary effect (its sign is the direction of the effect where it does not change)",
                      "Morris mu：基本效应的均值（效应方向不变时其符号即方向）", OUTCOME_UNIT),
         **_bounded("sigma", "Morris sigma: standard deviation of the elementary effects (nonlinearity and interactions); "
                    "empty for a group of several factors, whose factors move in either direction",
                    "Morris sigma：基本效应的标准差（非线性与交互作用）；多因子组为空（组内因子变动方向不一）", "percentiles over whole trajectories of SALib's "
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
    "discovery_cases": Table(
        "scenario discovery cases", "情景发现案例",
        "Each design row of a scenario discovery (talentsim discover; ODD §10): the policy's effect on the outcome, the "
        "base scenario's value, and whether the row is a case of interest (the effect below the threshold). The factor "
        "values of each row are in the design table.",
        "情景发现（talentsim discover；ODD 第 10 节）的每个设计行：政策对指标的效应、基准情景取值，以及该行是否为关注案例"
        "（效应低于阈值）。各行的因子取值见 design 表。",
        (f"{DISCOVER_FOLDER}/discovery_cases.parquet", f"{DISCOVER_FOLDER}/discovery_cases.csv"),
        {"row": DESIGN_ROW,
         "effect": Column("the policy's effect on the outcome at the row: the paired difference to the base scenario at the same "
                          "factor values and seeds, averaged over the seeds",
                          "该行政策对指标的效应：相同因子取值与随机种子下相对基准情景的配对差（各随机种子均值）", OUTCOME_UNIT),
         "base_value": Column("the base scenario's outcome at the row, averaged over the seeds (the denominator of a relative threshold)",
                              "该行基准情景的指标取值（各随机种子均值；相对阈值的分母）", OUTCOME_UNIT),
         "is_case": Column("whether the effect falls below the threshold: below the threshold itself (--threshold-kind absolute) "
                           "or below the threshold times base_value (relative)",
                           "效应是否低于阈值：低于阈值本身（--threshold-kind absolute）或低于阈值乘以 base_value（relative）", NONE)}),
    "prim_trajectory": Table(
        "PRIM peeling trajectory", "PRIM 剥离轨迹",
        "The boxes PRIM (EMA Workbench) passes through as it peels the factor space towards the cases, from the whole "
        "space (box 0) on, and the one chosen: the densest box that covers at least half of the cases.",
        "PRIM（EMA Workbench）朝案例逐步剥离因子空间时经过的各个盒子，从整个空间（盒子 0）开始，以及选定的盒子："
        "覆盖至少一半案例的盒子中密度最高者。",
        (f"{DISCOVER_FOLDER}/prim_trajectory.parquet", f"{DISCOVER_FOLDER}/prim_trajectory.csv"),
        {"box": Column("box on the trajectory, from 0 (the whole space)", "轨迹上的盒子编号，从 0（整个空间）起", NONE),
         "coverage": Column("share of all cases that lie inside the box", "盒内案例占全部案例的比例", Unit("share, 0 to 1", "比例（0–1）")),
         "density": Column("share of the box's rows that are cases", "盒内样本中案例所占比例", Unit("share, 0 to 1", "比例（0–1）")),
         "mass": Column("share of all design rows that lie inside the box", "盒内样本占全部设计行的比例", Unit("share, 0 to 1", "比例（0–1）")),
         "restricted_dims": Column("factors the box restricts", "盒子限制的因子数", Unit("factors", "个因子")),
         "rows_in_box": Column("design rows inside the box", "盒内设计行数", Unit("rows", "行")),
         "cases_in_box": Column("cases inside the box", "盒内案例数", Unit("rows", "行")),
         "chosen": Column("whether this is the box reported (in prim_box and the charts)", "是否为报告的盒子（见 prim_box 与图表）", NONE)}),
    "prim_box": Table(
        "PRIM box", "PRIM 盒子",
        "The box chosen on PRIM's peeling trajectory: each factor it restricts, most significant first, with its limits "
        "and the factor's plausible range. A side the box does not restrict reaches the end of the range.",
        "在 PRIM 剥离轨迹上选定的盒子：其限制的每个因子（显著性最高者在前）及其上下限与该因子的合理取值范围。盒子未限制的一侧延伸至范围端点。",
        (f"{DISCOVER_FOLDER}/prim_box.parquet", f"{DISCOVER_FOLDER}/prim_box.csv"),
        {"factor": FACTOR,
         "low": Column("lower limit of the box on the factor", "盒子在该因子上的下限", FACTOR_UNIT),
         "high": Column("upper limit of the box on the factor", "盒子在该因子上的上限", FACTOR_UNIT),
         "range_low": Column("low end of the factor's plausible range (sim/config.py)", "因子合理取值范围的下限（sim/config.py）", FACTOR_UNIT),
         "range_high": Column("high end of the factor's plausible range", "因子合理取值范围的上限", FACTOR_UNIT),
         "unit": Column("the factor's unit, as declared in sim/config.py", "因子的单位（sim/config.py 中声明）", NONE),
         "qp_low": Column("PRIM's quasi-p-value of the lower limit (one-sided binomial test of the density gained by it; "
                          "Bryant & Lempert 2010); empty when the lower side is not restricted",
                          "下限的拟 p 值（对该限制带来的密度提升的单侧二项检验；Bryant & Lempert 2010）；下侧未受限时为空",
                          Unit("probability, 0 to 1", "概率（0–1）")),
         "qp_high": Column("PRIM's quasi-p-value of the upper limit; empty when the upper side is not restricted",
                           "上限的拟 p 值；上侧未受限时为空", Unit("probability, 0 to 1", "概率（0–1）"))}),
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
         "target": Column("calibration target: a pattern of the region file <pattern>_<measure>_<year> (P1-P4) or a fitted "
                          "observation <series>_<year>",
                          "校准目标：区域文件中的模式 <模式>_<度量>_<年份>（P1–P4）或拟合用观测值 <序列>_<年份>", NONE),
         "simulated": Column("the target's value in the particle's run (one run, its own seed)",
                             "该粒子一次运行（自有随机种子）中目标的模拟值", Unit("the target's unit (column unit)", "目标自身的单位（见 unit 列）")),
         "observed": Column("the target's observed value", "目标的观测值", Unit("the target's unit (column unit)", "目标自身的单位（见 unit 列）")),
         "low": Column("lower end of the target's tolerance", "目标容差下限", Unit("the target's unit (column unit)", "目标自身的单位（见 unit 列）")),
         "high": Column("upper end of the target's tolerance", "目标容差上限", Unit("the target's unit (column unit)", "目标自身的单位（见 unit 列）")),
         "within_tolerance": Column("whether the simulated value lies within the tolerance", "模拟值是否在容差范围内", NONE),
         "in_distance": Column("whether the target counts in the distance (false for P1, which holds by construction)",
                               "该目标是否计入距离（P1 由构造成立，为 false）", NONE),
         "unit": Column("the target's unit", "目标的单位", NONE)}),
    "optimise_trials": Table(
        "budget optimisation trials", "预算优化试验",
        "Every trial of a budget optimisation (talentsim optimise): a setting of the searched lever families, run with the "
        "same search seeds as every other trial; its objective and spending are means over those seeds.",
        "预算优化（talentsim optimise）的每次试验：所搜索政策类别的一种设置，与其他试验使用相同的搜索随机种子运行；"
        "目标值与支出为这些种子的均值。",
        (f"{OPTIMISE_FOLDER}/optimise_trials.parquet", f"{OPTIMISE_FOLDER}/optimise_trials.csv"),
        {"trial": TRIAL,
         "state": Column("complete, failed (a run failed, or an interrupted invocation left it unfinished) or running",
                         "complete（完成）、failed（有运行失败或被中断）或 running（运行中）", NONE),
         "feasible": Column("whether the setting's budgets and its runs' spending stay within the budget envelope in every year",
                            "设置的预算及其运行的实际支出是否每年都在预算总额之内", NONE),
         "objective": Column("what the optimisation maximises: talent_2035 (city talent at the end of 2035) or coordination_2035 "
                             "(mean coupling coordination degree D of the clusters in 2035)",
                             "优化目标：talent_2035（2035 年末全市人才）或 coordination_2035（2035 年各集群耦合协调度 D 的均值）", NONE),
         "objective_value": Column("the objective, mean over the search seeds", "目标值（搜索随机种子的均值）", OBJECTIVE_UNIT),
         "budget_yuan_per_year": Column("the levers' annual budgets summed, the largest over the periods in force from the start year: "
                                        "the most the government can spend in a year",
                                        "各项政策年度预算之和（起始年后各时段中的最大值）：政府一年内可支出的上限", YUAN_A_YEAR),
         "spending_yuan_per_year": Column("government spending on all levers, mean per calendar year from the start year, mean over "
                                          "the search seeds", "起始年起政府在全部政策上的年均支出（搜索随机种子均值）", YUAN_A_YEAR),
         "max_spending_yuan_per_year": Column("the largest spending of any calendar year from the start year in any search run",
                                              "任一搜索运行中起始年起任一自然年的最大支出", YUAN_A_YEAR),
         "pareto": Column("whether the trial is on the front: no feasible trial spends less and achieves more",
                          "是否位于前沿：没有可行试验支出更少而目标值更高", NONE),
         "best": Column("whether the trial is the best feasible one (the highest objective), the one re-evaluated first and saved "
                        "as a scenario", "是否为最优可行试验（目标值最高），即首先重新评估并保存为情景的试验", NONE)}),
    "optimise_settings": Table(
        "budget optimisation settings", "预算优化设置",
        "The lever settings of every trial of a budget optimisation, in long form: the value the runs used and the value the "
        "sampler proposed (budgets that together exceed the envelope shrink towards their low ends).",
        "预算优化每次试验的政策设置（长表）：运行所用取值与采样器提出的取值（预算之和超出总额时向各自下限按比例收缩）。",
        (f"{OPTIMISE_FOLDER}/optimise_settings.parquet", f"{OPTIMISE_FOLDER}/optimise_settings.csv"),
        {"trial": TRIAL,
         "family": Column("lever family: housing, funding, projects, challenges, platforms, services, tailored_support, graduates, "
                          "skills", "政策类别：housing、funding、projects、challenges、platforms、services、tailored_support、"
                          "graduates、skills", NONE),
         "parameter": FACTOR,
         "value": Column("the setting the trial's runs used, from the start year on", "试验运行自起始年起所用的设置", FACTOR_UNIT),
         "sampled": Column("the value the sampler proposed (differs from value only for budgets fitted within the envelope)",
                           "采样器提出的取值（仅为纳入预算总额而调整的预算与 value 不同）", FACTOR_UNIT),
         "low": Column("low end of the parameter's declared plausible range", "参数合理取值范围下限", FACTOR_UNIT),
         "high": Column("high end of the parameter's declared plausible range", "参数合理取值范围上限", FACTOR_UNIT),
         "unit": Column("the parameter's unit", "参数的单位", NONE)}),
    "optimise_evaluation": Table(
        "budget optimisation out of sample", "预算优化样本外评估",
        "The best settings of a budget optimisation and the base scenario (trial -1), each run again with fresh seeds disjoint "
        "from the search seeds, the same for all: per outcome the mean and its 95% interval, and the paired difference to the base.",
        "预算优化的最优设置与基准情景（trial 为 -1）以与搜索种子不相交的一组新随机种子（各设置相同）重新运行：各指标的均值及其 95% "
        "区间，以及相对基准情景的配对差。",
        (f"{OPTIMISE_FOLDER}/optimise_evaluation.parquet", f"{OPTIMISE_FOLDER}/optimise_evaluation.csv"),
        {"trial": TRIAL,
         "role": Column("base (the base scenario), best (the best feasible trial), runner-up (the next best) or front (another "
                        "trial of the front, with --pareto)", "base（基准情景）、best（最优可行试验）、runner-up（次优）或 front"
                        "（前沿上的其他试验，--pareto 时）", NONE),
         "outcome": Column("talent_total_2035, coordination_mean_2035 or spending_yuan_per_year (mean per year from the start year)",
                           "talent_total_2035、coordination_mean_2035 或 spending_yuan_per_year（起始年起年均支出）", NONE),
         "n_seeds": Column("fresh seeds behind the numbers", "所依据的新随机种子数", SEEDS),
         "mean": Column("the outcome, mean over the fresh seeds", "指标在新随机种子上的均值", EVALUATED_UNIT),
         "ci_low": Column("lower bound of the mean's 95% interval (Student's t over the seeds; empty with one seed)",
                          "均值 95% 区间下限（各种子的 t 分布区间；仅一个种子时为空）", EVALUATED_UNIT),
         "ci_high": Column("upper bound of the mean's 95% interval", "均值 95% 区间上限", EVALUATED_UNIT),
         "diff_mean": Column("mean paired difference to the base scenario at the same seeds", "相同种子下相对基准情景的配对差均值",
                             EVALUATED_UNIT),
         "diff_ci_low": Column("lower bound of the difference's 95% interval", "配对差 95% 区间下限", EVALUATED_UNIT),
         "diff_ci_high": Column("upper bound of the difference's 95% interval", "配对差 95% 区间上限", EVALUATED_UNIT),
         "search_mean": Column("the objective as the search saw it (mean over the search seeds), for the objective's row only: "
                               "above mean when the search seeds flattered the setting",
                               "搜索阶段所见的目标值（搜索种子均值，仅目标所在行）：高于 mean 表示搜索种子偏向该设置", EVALUATED_UNIT)}),
}
