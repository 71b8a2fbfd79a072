"""The words of the comparison report (:mod:`sim.report`) in English and Chinese, looked up by key.

Each entry is a ``str.format`` template; names that come with the data (scenarios, clusters, sources)
arrive in the report's language from the scenario and region files.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "Comparing policy levers in {region}", "zh": "{region}人才政策工具比较"},
    "subtitle": {
        "en": "{n} scenarios, each run with the same {seeds} seeds (common random numbers) at scale {scale}; "
              "year ends compared: {years}.",
        "zh": "共 {n} 个情景，各情景使用相同的 {seeds} 个随机种子运行（共同随机数），规模 {scale}；比较年份：{years}年末。",
    },
    "subtitle_draws": {
        "en": "{n} scenarios, each run at {d} parameter draws × {seeds} seeds (common random numbers within each draw) at "
              "scale {scale}; year ends compared: {years}.",
        "zh": "共 {n} 个情景，各情景在 {d} 组参数抽样 × {seeds} 个随机种子下运行（同一抽样内共同随机数），规模 {scale}；"
              "比较年份：{years}年末。",
    },
    "intro": {
        "en": "Which lever, how strong, at what cost, for which cluster? Every scenario runs with the same random numbers, "
              "so the differences below come from the policies, not from chance. The first scenario is the reference: "
              "every difference is measured against it.",
        "zh": "用哪项政策、力度多大、花多少钱、对哪个产业集群有效？各情景使用相同的随机数运行，因此下文的差异来自政策本身而非偶然。"
              "第一个情景为参照情景，所有差值均相对于它计算。",
    },
    "year_list_sep": {"en": ", ", "zh": "、"},
    "h_scenarios": {"en": "The scenarios", "zh": "比较的情景"},
    "col_scenario": {"en": "Scenario", "zh": "情景"},
    "col_changes": {"en": "What changes", "zh": "政策内容"},
    "reference_mark": {"en": "{name} (reference)", "zh": "{name}（参照情景）"},
    "h_city": {"en": "The city as a whole, end of {year}", "zh": "全市总体情况（{year}年末）"},
    "city_intro": {
        "en": "Mean talent stock over the runs; the difference to the reference with its 95% confidence interval ({holds}); "
              "the extra money spent since the start over the reference; and the additional talent per 100 million yuan of "
              "that extra money. An interval that contains zero means the runs cannot tell the scenario from the reference.",
        "zh": "表中为各次运行的人才数量均值；与参照情景之差及其 95% 置信区间（{holds}）；自起始以来相对参照情景的新增支出；"
              "以及每亿元新增支出带来的新增人才。置信区间包含零，表示在当前运行次数下无法将该情景与参照情景区分开来。",
    },
    "col_stock": {"en": "Talent stock (persons)", "zh": "人才数量（人）"},
    "col_diff": {"en": "Difference to the reference (persons)", "zh": "与参照情景之差（人）"},
    "col_ci": {"en": "95% confidence interval", "zh": "95% 置信区间"},
    "col_extra": {"en": "Extra spending (100 million yuan)", "zh": "新增支出（亿元）"},
    "col_per_100m": {"en": "Additional talent per 100 million yuan", "zh": "每亿元新增人才（人）"},
    "interval": {"en": "{low} to {high}", "zh": "{low} 至 {high}"},
    "none": {"en": "–", "zh": "–"},
    "h_reading": {"en": "In brief", "zh": "要点"},
    "say_reference": {"en": "“{name}” is the reference.", "zh": "“{name}”为参照情景。"},
    "say_one_seed": {"en": "{name}: {diff} persons by the end of {year} (one run each, no interval).",
                     "zh": "{name}：至{year}年末与参照情景相差 {diff} 人（每个情景仅一次运行，无置信区间）。"},
    "say_more": {"en": "{name}: {diff} persons by the end of {year}, clearly more talent than the reference{cost}.",
                 "zh": "{name}：至{year}年末与参照情景相差 {diff} 人，明显多于参照情景{cost}。"},
    "say_less": {"en": "{name}: {diff} persons by the end of {year}, clearly less talent than the reference{cost}.",
                 "zh": "{name}：至{year}年末与参照情景相差 {diff} 人，明显少于参照情景{cost}。"},
    "say_unclear": {"en": "{name}: {diff} persons by the end of {year}, a difference the runs cannot tell apart from none{cost}.",
                    "zh": "{name}：至{year}年末与参照情景相差 {diff} 人，在当前运行次数下与参照情景无法区分{cost}。"},
    "say_cost": {"en": "; {value} more talent per 100 million yuan of extra spending",
                 "zh": "；每亿元新增支出带来新增人才 {value} 人"},
    "h_charts": {"en": "Charts", "zh": "图表"},
    "figure_no": {"en": "Figure {n}. ", "zh": "图{n}　"},
    "fig_trajectories": {
        "en": "Trajectories. The city's talent over time, one band per scenario: median, 25–75% and 5–95% of the runs.",
        "zh": "人才总量走势。各情景全市人才数量随时间的变化：中位数及各次运行的 25–75%、5–95% 区间。",
    },
    "fig_differences": {
        "en": "Differences per cluster. Where the extra talent lands: the difference to the reference in each cluster, "
              "with its 95% interval.",
        "zh": "分产业集群差值。新增人才落在哪里：各产业集群与参照情景之差及其 95% 置信区间。",
    },
    "fig_cost": {
        "en": "Cost-effectiveness. Additional talent per 100 million yuan of extra spending. Scenarios that spend no extra "
              "money have no ratio and are listed under the chart.",
        "zh": "成本效益。每亿元新增支出带来的新增人才。未增加支出的情景没有该比值，列于图下。",
    },
    "fig_map": {
        "en": "Schematic of the districts. The clusters at their districts, linked where they share supply chains "
              "or talent; the colour and the label give each cluster's relative difference to the reference. The "
              "districts' shapes are a schematic, not their boundaries.",
        "zh": "区县示意图。各产业集群位于所在区县，存在产业链或人才关联的集群以线相连；颜色与标注为各集群相对参照情景的变化。"
              "区县形状为示意，并非实际行政边界。",
    },
    "h_clusters": {"en": "By cluster, end of {year}", "zh": "分产业集群（{year}年末）"},
    "clusters_intro": {
        "en": "Difference to the reference in persons, with its 95% confidence interval in brackets.",
        "zh": "与参照情景之差（人），括号内为 95% 置信区间。",
    },
    "col_cluster": {"en": "Cluster", "zh": "产业集群"},
    "city_total": {"en": "City total", "zh": "全市合计"},
    "cell": {"en": "{diff} ({low} to {high})", "zh": "{diff}（{low} 至 {high}）"},
    "h_care": {"en": "Reading the numbers with care", "zh": "解读数字时的注意事项"},
    "care_1": {
        "en": "A difference whose interval contains zero is not evidence of no effect: more runs narrow the interval.",
        "zh": "置信区间包含零并不表示政策没有效果：增加运行次数可使区间收窄。",
    },
    "care_2": {
        "en": "These are projections under the model's assumptions, not forecasts. A coarse scale (many persons per "
              "agent) adds noise to each run; 10–20 suits a report.",
        "zh": "以上结果是在模型假设下的推演，并非预测。规模越粗（每个主体代表的人数越多），单次运行的随机波动越大；"
              "正式报告宜用 10–20。",
    },
    "care_3": {
        "en": "The levers act through assumed behavioural parameters; each parameter's value, unit and source is listed "
              "by talentsim params, and the model is described in its ODD protocol.",
        "zh": "政策通过假设的行为参数发挥作用；各参数的取值、单位与来源可由 talentsim params 列出，模型说明见其 ODD 文档。",
    },
    "few_runs": {
        "en": "The intervals rest on {n} runs per scenario: indicative only.",
        "zh": "置信区间仅基于每个情景 {n} 次运行，仅供参考。",
    },
    "h_sources": {"en": "Sources", "zh": "资料来源"},
    "sources_intro": {
        "en": "The region's figures come from these publications; values without a published figure are assumptions "
              "with a plausible range, listed by talentsim params.",
        "zh": "区域数据出自以下资料；无公开数据的数值为假设值，并给出合理范围，可由 talentsim params 列出。",
    },
    "no_sources": {"en": "The region file cites no sources.", "zh": "区域文件未列出资料来源。"},
    "made_by": {"en": "Made with TalentSim {version}.", "zh": "由 TalentSim {version} 生成。"},
}


def say(key: str, lang: str, **fields: object) -> str:
    """The report's text for ``key`` in ``lang``, with ``fields`` filled in."""
    text = WORDS[key][lang]
    return text.format(**fields) if fields else text
