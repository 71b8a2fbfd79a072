"""Every word of the lever explorer in Chinese and English: the page's text and each lever setting's name and unit.

The lever families' names are the charts' (:data:`sim.charts.text.TEXT`, ``lever.<family>``). A setting's English
unit is the one declared with it in :mod:`sim.config`; its Chinese unit is given here, beside its names.
"""

from __future__ import annotations

from sim.charts.text import TEXT as CHART_TEXT

# (family, setting) -> English name, Chinese name, Chinese unit
SETTINGS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("housing", "apartments_per_year"): ("Talent apartments completed", "人才公寓年竣工量", "套/年"),
    ("housing", "rent_discount"): ("Rent discount on the market rent", "租金优惠（占市场租金比例）", "比例"),
    ("housing", "skilled_eligibility_years"): ("Years a skilled newcomer may queue for an apartment", "专业人才申请公寓年限", "来嘉年数"),
    ("housing", "cost_per_apartment_yuan"): ("Cost per apartment", "每套公寓建设成本", "元/套"),
    ("housing", "purchase_subsidy_yuan"): ("Home-purchase subsidy for high-end talent", "高层次人才购房补贴", "元/套"),
    ("housing", "budget_yuan_per_year"): ("Annual budget", "年度预算", "元/年"),
    ("funding", "loans_per_year_yuan"): ("New talent loans per year", "年度新增人才贷款", "元/年"),
    ("funding", "loan_term_years"): ("Loan term", "贷款期限", "年"),
    ("funding", "interest_subsidy_rate"): ("Interest subsidy on outstanding loans", "贷款贴息率", "每年（占未偿贷款）"),
    ("funding", "fund_years"): ("Years over which industry funds pay out", "产业基金拨付年限", "年"),
    ("funding", "startup_ticket_yuan"): ("Fund investment per start-up", "基金单笔投资额", "元/家"),
    ("funding", "budget_yuan_per_year"): ("Annual budget", "年度预算", "元/年"),
    ("projects", "projects_per_year"): ("Leading-talent projects selected per year", "年度领军人才项目数", "个/年"),
    ("projects", "grant_per_project_yuan"): ("Grant per project", "项目资助额", "元/个"),
    ("projects", "selection_month"): ("Month of selection", "评审月份", "月"),
    ("projects", "national_lead_share"): ("Share of projects led by national-tier talent", "国家级人才领衔项目占比", "比例"),
    ("projects", "budget_yuan_per_year"): ("Annual budget", "年度预算", "元/年"),
    ("challenges", "demands_per_year"): ("Technology demands published per year", "年度发布技术需求数", "项/年"),
    ("challenges", "reward_per_demand_yuan"): ("Reward per matched demand", "揭榜奖励", "元/项"),
    ("challenges", "external_team_share"): ("Share taken by teams that bring a talent to the city", "外地团队揭榜并引进人才的比例", "比例"),
    ("challenges", "budget_yuan_per_year"): ("Annual budget", "年度预算", "元/年"),
    ("platforms", "capacity_growth_per_year"): ("Capacity growth of the existing platforms", "现有平台容量年增长率", "比例/年"),
    ("platforms", "running_cost_per_talent_yuan"): ("Running cost per hosted talent", "平台人才运行经费", "元/人/年"),
    ("platforms", "budget_yuan_per_year"): ("Annual budget", "年度预算", "元/年"),
    ("services", "school_places_per_year"): ("Quality school places added", "年新增优质学位", "个/年"),
    ("services", "cost_per_school_place_yuan"): ("Cost per school place", "每个学位费用", "元/个/年"),
    ("services", "hospital_beds_per_year"): ("Tertiary hospital beds added", "年新增三级医院床位", "张/年"),
    ("services", "cost_per_hospital_bed_yuan"): ("Cost per hospital bed", "每张床位投资", "元/张"),
    ("services", "culture_events_per_year"): ("Culture events for talent", "人才文化活动", "场/年"),
    ("services", "cost_per_culture_event_yuan"): ("Cost per culture event", "每场活动费用", "元/场"),
    ("services", "graduate_card_yuan"): ("'Jia YOU' card for newly arrived graduates", "新到嘉大学生“嘉YOU卡”", "元/人/年"),
    ("services", "graduate_card_years"): ("Years a graduate holds the card", "持卡年限", "年"),
    ("services", "budget_yuan_per_year"): ("Annual budget", "年度预算", "元/年"),
    ("tailored_support", "packages_per_year"): ("Bespoke recruitment packages per year", "年度“一人一策”定制引才数", "人/年"),
    ("tailored_support", "onboarding_months"): ("Months from first contact to start of work", "从接洽到到岗月数", "月"),
    ("tailored_support", "dropout_per_month"): ("Candidates lost per month of onboarding", "引进过程中每月流失比例", "比例/月"),
    ("tailored_support", "cost_per_package_yuan"): ("Cost per package", "每人定制支持费用", "元/人"),
    ("tailored_support", "budget_yuan_per_year"): ("Annual budget", "年度预算", "元/年"),
    ("graduates", "settling_allowance_yuan"): ("Settling allowance per newly employed graduate", "大学生安家补贴", "元/人"),
    ("graduates", "budget_yuan_per_year"): ("Annual budget", "年度预算", "元/年"),
    ("skills", "trainees_per_year"): ("Subsidised trainees per year", "年度补贴培训人数", "人/年"),
    ("skills", "cost_per_trainee_yuan"): ("Subsidy per trainee", "每人培训补贴", "元/人"),
    ("skills", "certification_share"): ("Share of trainees gaining a certificate", "培训取证比例", "比例"),
    ("skills", "budget_yuan_per_year"): ("Annual budget", "年度预算", "元/年"),
}

WORDS: dict[str, dict[str, str]] = {
    "app_title": {"en": "TalentSim lever explorer", "zh": "TalentSim 政策杠杆探索"},
    "base": {"en": "Base scenario: {name}", "zh": "基准情景：{name}"},
    "base_short": {"en": "Base", "zh": "基准"},
    "levers": {"en": "Levers", "zh": "政策杠杆"},
    "levers_note": {"en": "Sliders span each setting's plausible range; the box takes any value the model accepts.",
                    "zh": "滑块覆盖各参数的合理取值范围；输入框可填写模型允许的任意值。"},
    "range": {"en": "plausible range {low} to {high}", "zh": "合理范围 {low} 至 {high}"},
    "no_range": {"en": "no plausible range declared; valid {low} to {high}", "zh": "未设合理范围；有效范围 {low} 至 {high}"},
    "outside_range": {"en": "outside the plausible range", "zh": "超出合理范围"},
    "not_valid": {"en": "{value}: the model accepts {low} to {high}", "zh": "{value}：模型允许 {low} 至 {high}"},
    "base_value": {"en": "base {value}", "zh": "基准 {value}"},
    "changed_count": {"en": "{n} changed", "zh": "已改 {n} 项"},
    "reset": {"en": "Reset to the base", "zh": "恢复基准设置"},
    "budget_line": {"en": "budget {budget}/year", "zh": "预算 {budget}/年"},
    "run_settings": {"en": "Runs", "zh": "运行设置"},
    "scale": {"en": "Scale (persons per skilled-tier agent)", "zh": "比例（每个专业人才主体代表的人数）"},
    "seeds": {"en": "Seeds (the same in both scenarios)", "zh": "随机种子数（两情景相同）"},
    "from_year": {"en": "Changes take effect from January of", "zh": "调整生效年份（1月起）"},
    "run": {"en": "Run", "zh": "运行"},
    "running": {"en": "{done} of {total} runs complete", "zh": "已完成 {done}/{total} 次运行"},
    "run_time": {"en": "{runs} runs ({new} new) in {seconds:.1f} s", "zh": "共 {runs} 次运行（新运行 {new} 次），用时 {seconds:.1f} 秒"},
    "run_failed": {"en": "Runs failed: {error}", "zh": "运行失败：{error}"},
    "stale": {"en": "The levers or run settings changed since these results: run again to update them.",
              "zh": "结果生成后杠杆或运行设置已更改：请重新运行以更新。"},
    "no_results": {"en": "Change levers and press Run: the scenario runs against the base with the same seeds.",
                   "zh": "调整杠杆后点击“运行”：调整后的情景与基准情景使用相同随机种子运行。"},
    "results": {"en": "Results", "zh": "结果"},
    "headline": {"en": "City talent at the end of {year}", "zh": "{year}年末全市人才总量"},
    "explored": {"en": "With these levers", "zh": "调整后"},
    "difference": {"en": "Difference to the base", "zh": "与基准之差"},
    "interval": {"en": "95% interval {low} to {high} over {n} paired seeds", "zh": "95%置信区间 {low} 至 {high}（{n}对种子）"},
    "prob_gain": {"en": "share of seeds with a gain {p}", "zh": "增加的种子占比 {p}"},
    "extra_spending": {"en": "Extra spending {start} to {year}", "zh": "{start}—{year}年新增支出"},
    "per_100m": {"en": "Additional talent per 100 million yuan", "zh": "每亿元新增人才"},
    "cost_per_talent": {"en": "Extra spending per additional talent", "zh": "每新增一名人才的新增支出"},
    "not_priced": {"en": "not given: the levers spend less than 10 million yuan more than the base",
                   "zh": "不计算：新增支出不足1000万元"},
    "no_gain": {"en": "not given: no gain that the interval sets apart from zero", "zh": "不计算：人才增量的置信区间包含零"},
    "persons": {"en": "{value} persons", "zh": "{value} 人"},
    "spending_table": {"en": "Spending against the budget, mean per year {start} to {end}",
                       "zh": "支出与预算（{start}—{end}年年均）"},
    "col_lever": {"en": "Lever", "zh": "政策"},
    "col_budget": {"en": "Budget", "zh": "预算"},
    "col_base": {"en": "Base spending", "zh": "基准支出"},
    "col_explored": {"en": "Spending", "zh": "调整后支出"},
    "col_peak": {"en": "Peak use of budget", "zh": "预算最高使用率"},
    "save": {"en": "Save as scenario", "zh": "另存为情景"},
    "save_name": {"en": "File name (letters, digits, _ and -)", "zh": "文件名（字母、数字、_ 和 -）"},
    "save_title_en": {"en": "Title (English)", "zh": "标题（英文）"},
    "save_title_zh": {"en": "Title (Chinese)", "zh": "标题（中文）"},
    "save_button": {"en": "Save", "zh": "保存"},
    "saved": {"en": "Saved {path}. Reproduce: {command}", "zh": "已保存 {path}。复现命令：{command}"},
    "save_failed": {"en": "Not saved: {error}", "zh": "未保存：{error}"},
    "bad_name": {"en": "{name!r} cannot name a file: use up to 64 letters, digits, '_', '.' or '-', starting with a letter or digit",
                 "zh": "“{name}”不能作文件名：请使用不超过64个字母、数字、“_”、“.”或“-”，以字母或数字开头"},
    "exists": {"en": "{path} exists; choose another name", "zh": "{path} 已存在；请换一个文件名"},
    "nothing_changed": {"en": "no lever differs from the base", "zh": "没有与基准不同的杠杆设置"},
    "language": {"en": "中文", "zh": "English"},
    "chart_trajectories": {"en": "Trajectories", "zh": "人才总量走势"},
    "chart_differences": {"en": "Difference per cluster", "zh": "各集群差异"},
    "chart_cost": {"en": "Cost-effectiveness", "zh": "成本效益"},
    "chart_spending": {"en": "Spending and budgets", "zh": "支出与预算"},
    "chart_spending_title": {"en": "Spending per year by policy lever, against its budget",
                             "zh": "各项人才政策年度支出与预算"},
    "spending_axis": {"en": "100 million yuan per year", "zh": "亿元/年"},
    "budget_key": {"en": "Budget (explored levers)", "zh": "预算（调整后）"},
    "spending_note": {"en": "Spending as the model pays it out of each lever's annual budget, mean over the seeds; where "
                            "the line meets the budget, the budget binds and more of the lever buys nothing more.",
                      "zh": "支出为模型按各项政策年度预算实际拨付的金额（各随机种子的均值）；支出线触及预算线时预算约束生效，"
                            "继续加大该项政策力度不再带来更多投入。"},
}


def word(key: str, lang: str, **fields: object) -> str:
    """The page's text for ``key`` in ``lang``, with ``fields`` filled in."""
    text = WORDS[key][lang]
    return text.format(**fields) if fields else text


def family_name(family: str, lang: str) -> str:
    return CHART_TEXT[f"lever.{family}"][lang]


def setting_name(family: str, setting: str, lang: str) -> str:
    en, zh, _ = SETTINGS[(family, setting)]
    return zh if lang == "zh" else en


def setting_unit(family: str, setting: str, *, unit_en: str, lang: str) -> str:
    return SETTINGS[(family, setting)][2] if lang == "zh" else unit_en
