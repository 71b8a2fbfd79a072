"""The words on the charts, in English and Chinese: one catalogue, looked up by key.

Every title, axis label, legend entry and note that a chart shows lives in :data:`TEXT` in both
languages, as a ``str.format`` template that :func:`tr` fills by keyword. Names that come with the
data (clusters, districts, cities, scenarios) are not here: they arrive as ``{"en": ..., "zh": ...}``
labels, from which :func:`name_of` picks.
"""

from __future__ import annotations

LANGS = ("en", "zh")

# Words for ids that the model writes are keyed "<group>.<id>"; the order within a group is the
# order in which the charts stack and colour them (see :func:`ids`).
TEXT: dict[str, dict[str, str]] = {
    "tier.top": {"en": "Top", "zh": "顶尖人才"},
    "tier.national": {"en": "National", "zh": "国家级人才"},
    "tier.provincial": {"en": "Provincial", "zh": "省级人才"},
    "tier.municipal": {"en": "Municipal", "zh": "市级人才"},
    "tier.skilled": {"en": "Graduates & professionals", "zh": "大学生及专业人才"},
    "inflow.graduate": {"en": "Graduates", "zh": "高校毕业生"},
    "inflow.migrant": {"en": "Talent from elsewhere", "zh": "外地人才"},
    "inflow.returnee": {"en": "Returnees", "zh": "返乡人才"},
    "inflow.high_end": {"en": "High-end recruitment", "zh": "高端引才"},
    "inflow.platform": {"en": "Platform recruitment", "zh": "平台引才"},
    "inflow.project": {"en": "Leading-talent projects", "zh": "领军人才项目"},
    "inflow.challenge": {"en": "Open challenges", "zh": "揭榜挂帅"},
    "inflow.tailored": {"en": "Tailored recruitment", "zh": "定制引才"},
    "inflow.qualification": {"en": "Residents gaining a qualification", "zh": "在岗取得资格"},
    "inflow.internal": {"en": "Moves within the city", "zh": "市内流动"},
    # Outflows to other cities are named after the city (from the run's labels); these are not.
    "outflow.retirement": {"en": "Retirement", "zh": "退休"},
    "outflow.internal": {"en": "Moves within the city", "zh": "市内流动"},
    "outflow_to": {"en": "to {name}", "zh": "流向{name}"},
    "lever.housing": {"en": "Talent housing", "zh": "人才安居"},
    "lever.funding": {"en": "Financial support", "zh": "金融支持"},
    "lever.projects": {"en": "Leading-talent projects", "zh": "领军人才项目"},
    "lever.challenges": {"en": "Open challenges", "zh": "揭榜挂帅"},
    "lever.platforms": {"en": "Innovation platforms", "zh": "创新平台"},
    "lever.services": {"en": "Talent services", "zh": "人才服务"},
    "lever.tailored_support": {"en": "Tailored support", "zh": "定制服务"},
    "lever.graduates": {"en": "Graduate subsidies", "zh": "大学生补贴"},
    "lever.skills": {"en": "Skills upgrading", "zh": "技能提升"},
    # charts of one run
    "year": {"en": "Year", "zh": "年份"},
    "stock_k": {"en": "Talent stock (thousand persons)", "zh": "人才数量（千人）"},
    "persons_log": {"en": "Talent stock (persons, log scale)", "zh": "人才数量（人，对数刻度）"},
    "flows_k": {"en": "Thousand persons per year (outflows negative)", "zh": "千人/年（流出为负）"},
    "spending_yi": {"en": "Spending (100 million yuan)", "zh": "支出（亿元）"},
    "title_cluster": {"en": "Talent stock by cluster", "zh": "各产业集群人才数量"},
    "title_tier": {"en": "Talent stock by tier, city total", "zh": "全市分层次人才数量"},
    "panel_skilled": {"en": "Graduates & professionals", "zh": "大学生及专业人才"},
    "panel_high_end": {"en": "High-end talent", "zh": "高层次人才"},
    "title_flows": {"en": "Talent inflows and outflows, city total", "zh": "全市人才流入与流出"},
    "title_spending": {"en": "Spending by policy lever", "zh": "各项人才政策支出"},
    "title_total": {"en": "Total talent stock of the city", "zh": "全市人才总量"},
    "inflows": {"en": "Inflows", "zh": "流入"},
    "outflows": {"en": "Outflows", "zh": "流出"},
    "net": {"en": "Net", "zh": "净流入"},
    "budget": {"en": "Budget", "zh": "预算"},
    "no_data": {"en": "No data in this run", "zh": "本次运行无数据"},
    "rest_note": {
        "en": "{name} (not drawn): {start} thousand persons in {start_month}, {end} thousand in {end_month}.",
        "zh": "{name}（未绘出）：{start_month}{start}千人，{end_month}{end}千人。",
    },
    "internal_note": {
        "en": "Moves between clusters inside the city are left out: they cancel in the city total.",
        "zh": "市内集群间流动未计入：在全市合计中相互抵消。",
    },
    "small_note": {
        "en": "Too small to see at this scale (persons over {period}): {items}.",
        "zh": "以下渠道数量过小，图中难以辨认（{period}合计人数）：{items}。",
    },
    "partial_note": {
        "en": "* Part of a year only ({items}).",
        "zh": "* 非完整年度（{items}）。",
    },
    "partial_item": {"en": "{year}: {months} months", "zh": "{year}年{months}个月"},
    "budget_note": {
        "en": "Black marks: the year's budget, the sum of the levers' monthly shares.",
        "zh": "黑色短线：年度预算（各政策工具月度预算之和）。",
    },
    "start_mark": {"en": "{month} (start)\n{value} thousand", "zh": "{month}（起点）\n{value}千人"},
    "end_mark": {"en": "{month}\n{value} thousand", "zh": "{month}\n{value}千人"},
    "month": {"en": "{m} {y}", "zh": "{y}年{n}月"},
    "period": {"en": "{a}–{b}", "zh": "{a}—{b}年"},
    "list_sep": {"en": ", ", "zh": "，"},
    "title_total_one_run": {"en": "Total talent stock of the city: one run (seed {seed})",
                            "zh": "全市人才总量：单次运行（随机种子 {seed}）"},
    "one_run_note": {
        "en": "One simulated run: a projection under the model's assumptions, not a forecast, and without its "
              "uncertainty; talentsim ensemble gives the band over many runs.",
        "zh": "单次模拟运行：在模型假设下的推演，并非预测，也未显示不确定性；多次运行的区间见 talentsim ensemble。",
    },
    "persons_axis": {"en": "Talent stock (persons)", "zh": "人才数量（人）"},
    # footers: what was run, and the sources
    "cap_run": {"en": "One run of “{title}” · seed {seed} · scale {scale} · TalentSim",
                "zh": "单次运行：“{title}” · 随机种子 {seed} · 规模 {scale} · TalentSim"},
    "cap_compare": {"en": "{n} scenarios · {seeds} seeds each, common random numbers · scale {scale} · TalentSim",
                    "zh": "{n} 个情景 · 每个情景 {seeds} 个随机种子（共同随机数） · 规模 {scale} · TalentSim"},
    "cap_compare_draws": {
        "en": "{n} scenarios · {d} parameter draws × {seeds} seeds each, common random numbers within each draw · "
              "scale {scale} · TalentSim",
        "zh": "{n} 个情景 · 每个情景 {d} 组参数抽样 × {seeds} 个随机种子（同一抽样内共同随机数） · 规模 {scale} · TalentSim",
    },
    "cap_study": {"en": "“{title}” · {runs} runs ({per}) · scale {scale} · TalentSim",
                  "zh": "“{title}” · {runs} 次运行（{per}） · 规模 {scale} · TalentSim"},
    "cap_per_point": {"en": "{seeds} seeds per point", "zh": "每个设计点 {seeds} 个随机种子"},
    "cap_per_point_draws": {"en": "{d} parameter draws × {seeds} seeds per point",
                            "zh": "每个设计点 {d} 组参数抽样 × {seeds} 个随机种子"},
    "cap_sweep": {"en": "“{title}” · sweep of {lever} · {seeds} seeds per value, common random numbers · scale {scale} · TalentSim",
                  "zh": "“{title}” · {lever}取值扫描 · 每个取值 {seeds} 个随机种子（共同随机数） · 规模 {scale} · TalentSim"},
    "cap_validation": {"en": "“{title}” · {seeds} seeds · scale {scale} · TalentSim",
                       "zh": "“{title}” · {seeds} 个随机种子 · 规模 {scale} · TalentSim"},
    "cap_sensitivity": {"en": "{arms} · {method}, {k} factors, {rows} design rows × {seeds} seed(s) · scale {scale} · TalentSim",
                        "zh": "{arms} · {method}，{k} 个因子，{rows} 行设计 × {seeds} 个随机种子 · 规模 {scale} · TalentSim"},
    "cap_sensitivity_groups": {"en": "{arms} · {method} by groups, {k} factors in {g} groups, {rows} design rows × {seeds} seed(s) · "
                                      "scale {scale} · TalentSim",
                               "zh": "{arms} · 分组{method}，{k} 个因子分为 {g} 组，{rows} 行设计 × {seeds} 个随机种子 · 规模 {scale} · TalentSim"},
    "cap_discover": {
        "en": "{arms} · Latin hypercube, {k} factors, {rows} rows × {seeds} seed(s) · scale {scale} · PRIM (EMA Workbench), "
              "peel α {alpha} · TalentSim",
        "zh": "{arms} · 拉丁超立方抽样，{k} 个因子，{rows} 行 × {seeds} 个随机种子 · 规模 {scale} · PRIM（EMA Workbench），"
              "剥离系数 α {alpha} · TalentSim",
    },
    "cap_optimise": {
        "en": "“{title}” · {trials} trials ({sampler}, optuna) × {seeds} seeds, common random numbers · best settings re-run on "
              "{fresh} fresh seeds · scale {scale} · TalentSim",
        "zh": "“{title}” · {trials} 次试验（{sampler}，optuna）× {seeds} 个随机种子（共同随机数） · 最优设置以 {fresh} 个新种子重新评估 · "
              "规模 {scale} · TalentSim",
    },
    "cap_abc": {"en": "“{title}” · ABC-SMC (pyabc) · {particles} particles · {generations} generations · {simulations} simulations · "
                      "scale {scale} · TalentSim",
                "zh": "“{title}” · ABC-SMC（pyabc） · {particles} 个粒子 · {generations} 代 · {simulations} 次模拟 · 规模 {scale} · TalentSim"},
    "arms_sep": {"en": " vs ", "zh": "与"},
    "cap_sources": {"en": "Sources: {items}; assumed values as listed by talentsim params.",
                    "zh": "资料来源：{items}；假设值见 talentsim params 参数表。"},
    "cap_no_sources": {"en": "Sources: the {region} region file cites none; assumed values as listed by talentsim params.",
                       "zh": "资料来源：{region}区域文件未列出出处；假设值见 talentsim params 参数表。"},
    "cite_sep": {"en": "; ", "zh": "；"},
    # fan charts of a study
    "title_fan_total": {"en": "Total talent stock of the city across runs", "zh": "全市人才总量（多次运行）"},
    "title_fan_clusters": {"en": "Talent stock by cluster across runs", "zh": "各产业集群人才数量（多次运行）"},
    "median": {"en": "Median", "zh": "中位数"},
    "band_50": {"en": "25–75%", "zh": "25–75% 区间"},
    "band_90": {"en": "5–95%", "zh": "5–95% 区间"},
    "fan_note": {
        "en": "Median, 25–75% and 5–95% bands over {n} runs; {what}.",
        "zh": "中位数，25–75% 与 5–95% 区间，共 {n} 次运行；{what}。",
    },
    "holds_seeds": {"en": "seed variation only", "zh": "仅随机种子差异"},
    "holds_params": {"en": "parameters and seeds ({d} parameter draws)", "zh": "参数与随机种子（{d} 组参数抽样）"},
    "few_runs_band": {"en": "Band from {n} runs: indicative only.", "zh": "区间仅由 {n} 次运行得出，仅供参考。"},
    "few_runs_interval": {"en": "Intervals from {n} runs: indicative only.", "zh": "区间仅由 {n} 次运行得出，仅供参考。"},
    "interval_holds": {"en": "Intervals: {what}.", "zh": "区间：{what}。"},
    "points_left_out": {
        "en": "The first {shown} of {total} design points are drawn; left out: {items}.",
        "zh": "共 {total} 个设计点，图中绘出前 {shown} 个；未绘出：{items}。",
    },
    "more_items": {"en": "and {n} more", "zh": "等 {n} 个"},
    "one_point_only": {
        "en": "Design point {point} ({label}) only, of {total} in the ensemble.",
        "zh": "仅绘出设计点 {point}（{label}），共 {total} 个设计点。",
    },
    "rest_left_out": {"en": "{name} is not drawn.", "zh": "{name}未绘出。"},
    # scenario comparisons, the map and response curves
    "title_compare_trajectories": {"en": "Total talent stock of the city by scenario", "zh": "各情景全市人才总量"},
    "title_compare_differences": {
        "en": "Difference to the reference scenario, end of {year}",
        "zh": "各情景与参照情景的人才数量之差（{year}年末）",
    },
    "title_compare_cost": {
        "en": "Additional talent per 100 million yuan spent, end of {year}",
        "zh": "每亿元新增支出带来的新增人才（截至{year}年末）",
    },
    "title_compare_map": {
        "en": "Talent stock by cluster relative to the reference scenario, end of {year}",
        "zh": "各产业集群人才数量相对参照情景的变化（{year}年末）",
    },
    "title_response": {"en": "Response of the city's talent stock to {lever}", "zh": "全市人才总量对{lever}的响应"},
    "reference_tag": {"en": "{name} (reference)", "zh": "{name}（参照情景）"},
    "city_total": {"en": "City total", "zh": "全市合计"},
    "by_cluster": {"en": "By cluster (same scale in every panel)", "zh": "分产业集群（各分图刻度相同）"},
    "diff_persons": {"en": "Difference to the reference (persons)", "zh": "与参照情景之差（人）"},
    "diff_k": {"en": "Difference to the reference (thousand persons)", "zh": "与参照情景之差（千人）"},
    "gain_sure": {"en": "Gain (95% interval above 0)", "zh": "增加（95% 区间在 0 以上）"},
    "loss_sure": {"en": "Loss (95% interval below 0)", "zh": "减少（95% 区间在 0 以下）"},
    "not_sure": {"en": "95% interval includes 0", "zh": "95% 区间包含 0"},
    "ci95": {"en": "95% confidence interval", "zh": "95% 置信区间"},
    "diff_note": {
        "en": "Mean paired difference to “{ref}” over {n} seeds, with its 95% confidence interval; seed variation only.",
        "zh": "与“{ref}”的配对差均值（{n} 个随机种子）及其 95% 置信区间；仅随机种子差异。",
    },
    "diff_note_draws": {
        "en": "Mean paired difference to “{ref}” over {d} parameter draws × {n} seeds, with its 95% confidence interval "
              "over the draws; parameters and seeds.",
        "zh": "与“{ref}”的配对差均值（{d} 组参数抽样 × {n} 个随机种子）及其按参数抽样计算的 95% 置信区间；参数与随机种子。",
    },
    "no_comparison": {
        "en": "No comparison: “{name}” is the only scenario.",
        "zh": "无可比较的情景：仅有“{name}”一个情景。",
    },
    "no_estimate": {"en": "No estimate (not drawn): {items}.", "zh": "无估计值（未绘出）：{items}。"},
    "item_in": {"en": "{what} in {where}", "zh": "“{where}”中的{what}"},
    "per_100m": {"en": "Additional talent per 100 million yuan (persons)", "zh": "每亿元新增人才（人）"},
    "extra_spending_yi": {"en": "Extra spending (100 million yuan)", "zh": "新增支出（亿元）"},
    "cost_note": {
        "en": "Extra spending: cumulative to the end of {year}, over “{ref}”. Mean with 95% confidence interval; "
              "sorted by talent per 100 million yuan.",
        "zh": "新增支出：截至{year}年末相对“{ref}”的累计支出增量。图中为均值及 95% 置信区间，按每亿元新增人才排序。",
    },
    "interval_cut": {
        "en": "Intervals cut at the edge of the chart (little extra money, so an unsteady ratio): {items}.",
        "zh": "以下情景新增支出很少、比值不稳定，其置信区间在图边截断：{items}。",
    },
    "no_extra_spending": {
        "en": "No extra policy spending over the reference, or no change of policy (not drawn): {items}.",
        "zh": "政策支出未高于参照情景或未调整政策（未绘出）：{items}。",
    },
    "nothing_to_rank": {
        "en": "No scenario spends more than the reference.",
        "zh": "没有情景的支出高于参照情景。",
    },
    "ref_median_key": {"en": "Median of the reference", "zh": "参照情景中位数"},
    "rel_diff_pct": {
        "en": "Difference to the reference (% of its talent stock)",
        "zh": "与参照情景之差（占其人才数量的百分比，%）",
    },
    "node_area": {
        "en": "Circle area: talent stock of the reference at the end of {year} (persons)",
        "zh": "圆面积：参照情景{year}年末人才数量（人）",
    },
    "map_note": {
        "en": "Circles at their districts' approximate centres. Area: talent stock of “{ref}”; colour and label: mean "
              "difference to it (colours on a square-root scale); dark outline: its 95% interval excludes 0. Lines: links "
              "between clusters, wider for stronger links.",
        "zh": "圆点位于所在区县的大致中心。面积：“{ref}”的人才数量；颜色与标注：与之相比的均值差（颜色按平方根刻度）；"
              "深色边框：差值的 95% 区间不含 0。连线：产业集群间的关联，越粗关联越强。",
    },
    "schematic_note": {
        "en": "Schematic, not a map: each district is drawn as the area nearest its centre; the shapes are not its "
              "boundaries.",
        "zh": "示意图，非地图：各区县按距其中心最近的范围绘出，形状并非实际行政边界。",
    },
    "spread_note": {
        "en": "Clusters in the same district are drawn slightly apart.",
        "zh": "同一区县的产业集群略微错开绘制。",
    },
    "no_estimate_grey": {"en": "Grey: no estimate.", "zh": "灰色：无估计值。"},
    "panels_left_out": {
        "en": "The first {shown} of {total} scenarios compared are drawn; left out: {items}.",
        "zh": "共 {total} 个对比情景，图中绘出前 {shown} 个；未绘出：{items}。",
    },
    "lon": {"en": "Longitude (°E)", "zh": "经度（°E）"},
    "lat": {"en": "Latitude (°N)", "zh": "纬度（°N）"},
    "year_end": {"en": "End of {year}", "zh": "{year}年末"},
    "marginal_unit": {
        "en": "Additional talent per unit of the lever (persons)",
        "zh": "每单位增量的新增人才（人）",
    },
    "marginal_units": {
        "en": "Additional talent per {n} units of the lever (persons)",
        "zh": "每 {n} 单位增量的新增人才（人）",
    },
    "yi_unit": {"en": "100 million yuan", "zh": "亿元"},
    "with_unit": {"en": "{name} ({unit})", "zh": "{name}（{unit}）"},
    "mean_ci": {"en": "Mean, 95% interval", "zh": "均值及 95% 置信区间"},
    "response_note": {
        "en": "Upper panels: median, 25–75% and 5–95% bands over {n} seeds. Lower panel: mean additional talent "
              "per unit step of the lever between successive values, with 95% confidence interval, drawn midway "
              "between the values; falling values mean diminishing returns.",
        "zh": "上图：中位数及 25–75%、5–95% 区间（{n} 个随机种子）。下图：政策变量相邻取值之间每单位增量带来的"
              "新增人才均值及 95% 置信区间，绘于两取值的中点；数值下降即边际收益递减。",
    },
    "response_spending": {
        "en": "Extra spending at {value} over {first}: {items} (100 million yuan).",
        "zh": "取值 {value} 相对 {first} 的新增支出：{items}（亿元）。",
    },
    "spending_item": {"en": "{amount} to the end of {year}", "zh": "截至{year}年末 {amount}"},
    "single_value": {
        "en": "One lever value only: no marginal effect.",
        "zh": "政策变量仅有一个取值，无法计算边际效应。",
    },
    # sensitivity studies
    "title_morris": {"en": "Morris screening: {outcome}", "zh": "Morris 筛选：{outcome}"},
    "title_sobol": {"en": "Sobol' indices: {outcome}", "zh": "Sobol' 指数：{outcome}"},
    "sens_total": {"en": "city talent stock, end of {year}", "zh": "{year}年末全市人才总量"},
    "sens_share": {"en": "talent share of residents, end of {year}", "zh": "{year}年末人才占常住人口比例"},
    "sens_cluster": {"en": "talent in {cluster}, end of {year}", "zh": "{year}年末{cluster}人才数量"},
    "sens_effect": {"en": "effect of “{policy}” on {outcome}", "zh": "“{policy}”对{outcome}的效应"},
    "mu_star_axis": {"en": "μ*: mean absolute effect of moving the factor across its range", "zh": "μ*：因子在其范围内变动时效应绝对值的均值"},
    "sigma_axis": {"en": "σ: spread of the effects", "zh": "σ：效应的离散程度"},
    "morris_point": {"en": "Factor: μ* and σ with 95% bootstrap intervals", "zh": "因子：μ* 与 σ 及其 95% 自助法区间"},
    "sigma_equals_mu": {"en": "σ = μ*", "zh": "σ = μ*"},
    "morris_note": {
        "en": "{r} trajectories over {k} factors, each sampled over its plausible range. Right: influential; above the "
              "dashed line: the effect depends on the factor's value or on other factors (nonlinear or interacting). "
              "The ten highest μ* are named.",
        "zh": "{k} 个因子、{r} 条轨迹，每个因子在其合理范围内抽样。越靠右影响越大；虚线以上表示效应随因子取值或其他因子而变"
              "（非线性或交互作用）。图中标出 μ* 最高的十个因子。",
    },
    "title_morris_groups": {"en": "Morris screening by groups: {outcome}", "zh": "Morris 分组筛选：{outcome}"},
    "mu_star_group_axis": {"en": "μ*: mean absolute effect of moving the group's factors across their ranges",
                           "zh": "μ*：组内因子在其范围内同时变动时效应绝对值的均值"},
    "mu_star_bar": {"en": "μ*", "zh": "μ*"},
    "morris_groups_note": {
        "en": "{r} trajectories over {k} groups of factors; each step moves every factor of one group across its plausible "
              "range, each in its own direction. The longer the bar, the more influential the group; screen the factors "
              "of the top groups one by one next.",
        "zh": "{k} 组因子、{r} 条轨迹；每一步将某一组的全部因子各自向上或向下移动，移动幅度取自其合理范围。条形越长，该组影响越大；"
              "下一步可对影响最大的几组逐个因子筛选。",
    },
    "sobol_axis": {"en": "Share of the outcome's variance", "zh": "占指标方差的比例"},
    "s1": {"en": "S1: the factor alone", "zh": "S1：因子单独作用"},
    "st": {"en": "ST: with its interactions", "zh": "ST：含交互作用"},
    "ci95_bootstrap": {"en": "95% bootstrap interval", "zh": "95% 自助法区间"},
    "sobol_note": {
        "en": "{n} base samples over {k} factors, each sampled over its plausible range; the {shown} highest total "
              "indices are drawn. ST well above S1: the factor acts through interactions.",
        "zh": "{k} 个因子、{n} 个基础样本，每个因子在其合理范围内抽样；图中绘出总效应指数最高的 {shown} 个因子。"
              "ST 明显高于 S1 表示该因子主要通过交互作用发挥影响。",
    },
    # scenario discovery
    "disc_question_abs": {"en": "{effect} below {threshold}", "zh": "{effect}低于 {threshold}"},
    "disc_question_rel": {"en": "{effect} below {threshold} of the base's value", "zh": "{effect}低于基准情景取值的 {threshold}"},
    "title_peeling": {"en": "PRIM peeling trajectory: {question}", "zh": "PRIM 剥离轨迹：{question}"},
    "title_box": {"en": "Where {question}: the box chosen by PRIM", "zh": "{question}的情形：PRIM 选定的盒子"},
    "coverage_axis": {"en": "Coverage: share of all cases inside the box", "zh": "覆盖率：盒内案例占全部案例的比例"},
    "density_axis": {"en": "Density: share of the box's rows that are cases", "zh": "密度：盒内样本中案例所占比例"},
    "restricted_dims": {"en": "Factors restricted", "zh": "受限因子数"},
    "peeling_box": {"en": "Box on the trajectory", "zh": "轨迹上的盒子"},
    "chosen_box": {"en": "Chosen box {box}: coverage {coverage}, density {density}, {dims} factor(s)",
                   "zh": "选定盒子 {box}：覆盖率 {coverage}，密度 {density}，{dims} 个因子"},
    "case_share": {"en": "Share of cases among all rows", "zh": "全部样本中的案例比例"},
    "min_coverage": {"en": "Least coverage of the chosen box", "zh": "选定盒子的最低覆盖率"},
    "peeling_note": {
        "en": "{cases} of {rows} design rows are cases. PRIM peels the factor space step by step, each box denser in cases "
              "and covering fewer; the chosen box is the densest one that still covers at least {min_cov} of the cases.",
        "zh": "{rows} 个设计样本中有 {cases} 个案例。PRIM 逐步剥离因子空间，盒子中案例越来越密集、覆盖越来越少；"
              "选定盒子为覆盖率不低于 {min_cov} 的盒子中密度最高者。",
    },
    "full_range": {"en": "Plausible range", "zh": "合理取值范围"},
    "box_interval": {"en": "Box", "zh": "盒子区间"},
    "box_weak": {"en": "Box, weak restriction (qp > {qp:g})", "zh": "盒子区间，限制较弱（qp > {qp:g}）"},
    "box_axis": {"en": "Position within the factor's plausible range (0 = low end, 1 = high end)",
                 "zh": "在因子合理取值范围中的位置（0 为下限，1 为上限）"},
    "qp": {"en": "qp {value}", "zh": "qp {value}"},
    "box_note": {
        "en": "Coverage {coverage}, density {density}, mass {mass} (share of all rows inside the box). qp: PRIM's quasi-p-value "
              "of the restriction (one-sided binomial test); above 0.05 the restriction is weak evidence.",
        "zh": "覆盖率 {coverage}，密度 {density}，质量 {mass}（盒内样本占全部样本的比例）。qp：PRIM 对该限制的拟 p 值"
              "（单侧二项检验）；大于 0.05 表示该限制证据较弱。",
    },
    "box_unrestricted": {"en": "The chosen box restricts no factor: the cases are spread over the whole space",
                         "zh": "选定盒子未限制任何因子：案例分布于整个因子空间"},
}
# English dates name the month; Chinese ones number it (see "month").
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Line breaking: closing punctuation stays with the character before it, so a line never starts
# with it; an opening bracket or quotation mark goes with the text after it.
NO_LINE_START = frozenset("，。、；：！？）」』》】,.;:!?)")
OPENING_MARKS = frozenset("（《「『“‘(")


def tr(key: str, lang: str, **fields: object) -> str:
    """The catalogue's text for ``key`` in ``lang``, with ``fields`` filled in."""
    text = TEXT[key][lang]
    return text.format(**fields) if fields else text


def ids(group: str) -> tuple[str, ...]:
    """The ids that have words in ``group`` (``tier``, ``inflow``, ``outflow``, ``lever``), in catalogue order."""
    prefix = f"{group}."
    return tuple(key[len(prefix):] for key in TEXT if key.startswith(prefix))


def pick(entry: dict[str, str] | None, lang: str, fallback: str) -> str:
    if not entry:
        return fallback
    return entry.get(lang) or entry.get("en") or fallback


def name_of(ident: str, labels: dict[str, dict[str, str]], lang: str) -> str:
    """The id's name from the data's labels, in ``lang`` where there is one, else in English, else the id."""
    return pick(labels.get(ident), lang, ident)


def listing(items: list[str], lang: str, *, limit: int = 6) -> str:
    shown = items[:limit] + ([tr("more_items", lang, n=len(items) - limit)] if len(items) > limit else [])
    return tr("list_sep", lang).join(shown)
