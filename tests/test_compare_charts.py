"""Charts comparing scenarios and a lever's response curve: files, determinism, notes and bad input."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest
from matplotlib.patches import Polygon
from matplotlib.text import Annotation

from chart_files import assert_chart_files, render_recorded
from sim.charts import comparison as comparison_charts
from sim.charts import style
from sim.charts import tables as chart_tables
from sim.charts.comparison import COMPARISON_STEMS, RESPONSE_STEMS, render_comparison_charts, render_response_chart
from sim.charts.map import MAX_MAP_PANELS, chart_map, map_positions
from sim.ensemble import uncertainty_label
from sim.region import load_region

REGION = load_region("jiaxing")
CAPTION = {"en": "Scenario comparison · 10 seeds · scale 10 · TalentSim",
           "zh": "情景比较 · 10 个随机种子 · 规模 10 · TalentSim"}
# (name, en title, zh title, effect on the city's talent by 2035 in persons, extra spending by 2035 in yuan)
SCENARIOS = (
    ("baseline", "Baseline: policies as in 2022", "基准情景：延续2022年政策", 0.0, 0.0),
    ("housing_expansion", "Talent housing doubled from 2025", "2025年起人才公寓建设翻倍", 24_000.0, 2.2e10),
    ("graduate_subsidy_up", "Graduate subsidies up by half", "大学生补贴提高一半", 15_000.0, 6.0e9),
    ("no_challenges", "Open challenges stopped", "停止揭榜挂帅", -2_500.0, -1.5e9),
    ("platforms_plus", "Two more innovation platforms", "新增两个创新平台", 4_000.0, 3.0e9),
    ("tailored_support", "Tailored support for top talent", "顶尖人才定制服务", 800.0, 4.0e8),
    ("services_plus", "Talent services expanded", "人才服务扩容", 3_000.0, 1.2e9),
    ("funding_plus", "Industry funds doubled", "产业基金翻倍", 9_000.0, 1.1e10),
    ("projects_plus", "Leading-talent projects up by a third", "领军人才项目增加三分之一", 2_000.0, 1.8e9),
    ("wage_market", "Market wages rise faster (no policy)", "市场工资加速上涨（无政策）", 12_000.0, 0.0),
    ("rent_control", "Rent growth capped", "租金涨幅设限", 5_000.0, 0.0),
    ("housing_half", "Talent housing halved", "人才公寓建设减半", -9_000.0, -8.0e9),
    ("combined", "Housing and graduate subsidies together", "人才公寓与大学生补贴组合", 36_000.0, 2.8e10),
    ("combined_all", "All levers stepped up", "全部政策工具加力", 52_000.0, 5.5e10),
)
YEARS = tuple(range(2022, 2036))


def titles(count: int) -> dict[str, dict[str, str]]:
    return {name: {"en": en, "zh": zh} for name, en, zh, _, _ in SCENARIOS[:count]}


def make_comparison(count: int = 3, *, seeds: int = 10, years: tuple[int, ...] = YEARS, seed: int = 0, draws: int = 1) -> pa.Table:
    """A comparison table as the comparison step writes it, with effects that grow from 2025 (at ``draws`` parameter
    draws of ``seeds`` seeds each)."""
    rng = np.random.default_rng(seed)
    clusters = [*REGION.cluster_ids, chart_tables.REST_OF_CITY]
    start = dict(zip(clusters, REGION.sector_talent()))
    rows: dict[str, list] = {k: [] for k in (
        "point", "scenario", "year", "cluster", "n_seeds", "talent_stock_mean", "talent_stock_p05",
        "talent_stock_median", "talent_stock_p95", "diff_mean", "diff_ci_low", "diff_ci_high", "diff_p05",
        "diff_p95", "spending_yuan", "extra_spending_yuan", "talent_per_100m_yuan", "talent_per_100m_ci_low",
        "talent_per_100m_ci_high")}
    # How each scenario's gain splits over the sectors: mostly by size, with a twist per scenario.
    weights = {p: np.array([start[c] for c in clusters]) * rng.uniform(0.3, 1.7, len(clusters))
               for p in range(count)}
    for point, (name, _, _, effect, extra) in enumerate(SCENARIOS[:count]):
        for year in years:
            ramp = max(0.0, (year - 2024) / 11.0)
            share = weights[point] / weights[point].sum()
            gains = effect * ramp * share
            base = np.array([start[c] * 1.028 ** (year - 2021) for c in clusters])
            half = 0.35 * np.abs(gains) + 60.0 * np.sqrt(share) * (year - 2021) ** 0.5
            for k, cluster in enumerate([*clusters, chart_tables.CITY_TOTAL]):
                if cluster == chart_tables.CITY_TOTAL:
                    gain, level, width = gains.sum(), base.sum(), 0.25 * abs(gains.sum()) + 300.0 * ramp + 50.0
                else:
                    gain, level, width = gains[k], base[k], half[k]
                if point == 0:
                    gain, width = 0.0, 0.0
                stock = level + gain
                rows["point"].append(point); rows["scenario"].append(name); rows["year"].append(year)
                rows["cluster"].append(cluster); rows["n_seeds"].append(seeds)
                rows["talent_stock_mean"].append(stock); rows["talent_stock_p05"].append(stock * 0.985)
                rows["talent_stock_median"].append(stock); rows["talent_stock_p95"].append(stock * 1.015)
                rows["diff_mean"].append(gain); rows["diff_ci_low"].append(gain - width)
                rows["diff_ci_high"].append(gain + width); rows["diff_p05"].append(gain - 2 * width)
                rows["diff_p95"].append(gain + 2 * width)
                city = cluster == chart_tables.CITY_TOTAL
                money = extra * ramp
                spent = 4.0e9 * (year - 2021) + money
                ratio = gain / (money / 1e8) if city and point and money > 0 else None
                rows["spending_yuan"].append(spent if city else None)
                rows["extra_spending_yuan"].append(money if city else None)
                rows["talent_per_100m_yuan"].append(ratio)
                rows["talent_per_100m_ci_low"].append(None if ratio is None else (gain - width) / (money / 1e8))
                rows["talent_per_100m_ci_high"].append(None if ratio is None else (gain + width) / (money / 1e8))
    types = {"point": pa.int64(), "n_seeds": pa.int64(), "year": pa.int32(), "scenario": pa.string(),
             "cluster": pa.string()}
    table = pa.table({k: pa.array(v, type=types.get(k, pa.float64())) for k, v in rows.items()})
    n = table.num_rows
    return (table.append_column("uncertainty", pa.array([uncertainty_label(draws)] * n, pa.string()))
            .append_column("n_draws", pa.array([draws] * n, pa.int64()))
            .append_column("n_runs", pa.array([draws * seeds] * n, pa.int64())))


def make_summary(count: int = 3, *, runs: int = 10, seed: int = 1) -> pa.Table:
    """City-total fans of each scenario, month by month, as the ensemble summary has them."""
    rng = np.random.default_rng(seed)
    months = np.arange(np.datetime64("2021-12"), np.datetime64("2035-12") + np.timedelta64(1, "M"))
    dates = (months + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    t = np.arange(len(dates)) / 12.0
    rows: dict[str, list] = {k: [] for k in ("point", "point_label", "date", "cluster", "tier", "n_runs", "mean",
                                             "p05", "p25", "median", "p75", "p95")}
    # The same seeds in every scenario: their runs share most of their noise.
    common = np.cumsum(np.c_[np.zeros(runs), rng.normal(0, 0.0012, (runs, len(dates) - 1))], axis=1)
    for point, (name, _, _, effect, _) in enumerate(SCENARIOS[:count]):
        level = 1_260_000 * 1.028 ** t + effect * np.clip((t - 3.0) / 11.0, 0, None)
        noise = common + np.cumsum(np.c_[np.zeros(runs), rng.normal(0, 0.0003, (runs, len(dates) - 1))], axis=1)
        q = np.percentile(level * np.exp(noise), [5, 25, 50, 75, 95], axis=0)
        rows["point"] += [point] * len(dates); rows["point_label"] += [name] * len(dates)
        rows["date"] += list(dates); rows["cluster"] += [chart_tables.CITY_TOTAL] * len(dates)
        rows["tier"] += [chart_tables.ALL_TIERS] * len(dates); rows["n_runs"] += [runs] * len(dates)
        rows["mean"] += list(q[2])
        for key, values in zip(("p05", "p25", "median", "p75", "p95"), q):
            rows[key] += list(values)
    cols = {k: (pa.array(np.array(v, dtype="datetime64[D]")).cast(pa.date32()) if k == "date"
                else pa.array(v, pa.int64()) if k in ("point", "n_runs") else pa.array(v, pa.float64())
                if k not in ("point_label", "cluster", "tier") else pa.array(v, pa.string()))
            for k, v in rows.items()}
    return pa.table(cols)


def make_response(values: tuple[float, ...] = (0, 3000, 6000, 9000, 12000, 15000), *,
                  lever: str = "levers.housing.apartments_per_year", years: tuple[int, ...] = (2030, 2035),
                  per_unit: float = 3.0, yuan_per_unit: float = 250_000.0, seeds: int = 10) -> pa.Table:
    """A sweep of one lever with diminishing returns: the gain grows like the square root of the step."""
    rows: dict[str, list] = {k: [] for k in (
        "point", "lever", "value", "year", "n_seeds", "talent_stock_mean", "talent_stock_p05", "talent_stock_p25",
        "talent_stock_median", "talent_stock_p75", "talent_stock_p95", "gain_mean", "gain_ci_low", "gain_ci_high",
        "marginal_mean", "marginal_ci_low", "marginal_ci_high", "extra_spending_yuan")}
    top = max(values) - min(values) or 1.0
    for year in years:
        ramp = (year - 2024) / 11.0
        base = 1_260_000 * 1.028 ** (year - 2021)
        gains = [per_unit * ramp * top * np.sqrt((v - values[0]) / top) for v in values]
        for i, (value, gain) in enumerate(zip(values, gains)):
            stock = base + gain
            rows["point"].append(i); rows["lever"].append(lever); rows["value"].append(float(value))
            rows["year"].append(year); rows["n_seeds"].append(seeds)
            rows["talent_stock_mean"].append(stock)
            for key, q in (("p05", -1.645), ("p25", -0.674), ("median", 0.0), ("p75", 0.674), ("p95", 1.645)):
                rows[f"talent_stock_{key}"].append(stock + q * 2500.0 * ramp)
            rows["gain_mean"].append(gain); rows["gain_ci_low"].append(gain - 900.0 * ramp)
            rows["gain_ci_high"].append(gain + 900.0 * ramp)
            if i == 0:
                marginal, half = None, None
            else:
                marginal = (gain - gains[i - 1]) / (value - values[i - 1])
                half = 1100.0 * ramp / (value - values[i - 1])
            rows["marginal_mean"].append(marginal)
            rows["marginal_ci_low"].append(None if marginal is None else marginal - half)
            rows["marginal_ci_high"].append(None if marginal is None else marginal + half)
            rows["extra_spending_yuan"].append((value - values[0]) * yuan_per_unit * (year - 2024))
    types = {"point": pa.int64(), "n_seeds": pa.int64(), "year": pa.int32(), "lever": pa.string()}
    return pa.table({k: pa.array(v, type=types.get(k, pa.float64())) for k, v in rows.items()})


LEVER = {"en": "Talent apartments built per year", "zh": "人才公寓年建设量（套）"}


def render(out_dir: Path, *, count: int, lang: str, **kw) -> list[Path]:
    return render_comparison_charts(
        summary=make_summary(count), comparison=make_comparison(count), scenario_labels=titles(count),
        region=REGION, out_dir=out_dir, lang=lang, caption=CAPTION[lang], **kw)


def footer_text(fig) -> str:
    return "\n".join(t.get_text() for t in fig.texts).replace("\n", " ")


def comparison_at(count: int, lang: str = "en"):
    return chart_tables.comparison_at(make_comparison(count), titles(count), lang, None)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, tuple[Path, list[Path], list, dict]]:
    """Each language rendered once: (directory, returned paths, warnings, rcParams changed)."""
    out = {}
    for lang in ("en", "zh"):
        out_dir = tmp_path_factory.mktemp(f"compare_{lang}")
        paths, caught, changed = render_recorded(lambda: render(out_dir, count=3, lang=lang) + render_response_chart(
            response=make_response(), lever_label=LEVER, out_dir=out_dir, lang=lang, caption=CAPTION[lang]))
        out[lang] = (out_dir, sorted(paths), caught, changed)
    return out


def cost_titles(fig) -> list[str]:
    return [t.get_text().replace("\n", " ") for t in fig.subfigs[0].axes[0].get_yticklabels()]


def texts_in_axes(fig) -> list[str]:
    return [t.get_text().replace("\n", " ") for ax in fig.subfigs[0].axes for t in ax.texts]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_writes_png_and_svg_of_every_chart(rendered, lang: str) -> None:
    out_dir, paths, _, _ = rendered[lang]
    assert_chart_files(out_dir, paths, COMPARISON_STEMS + RESPONSE_STEMS)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_global_matplotlib_state_untouched(rendered, lang: str) -> None:
    assert rendered[lang][3] == {}


def test_chinese_charts_have_every_glyph(rendered) -> None:
    if style.cjk_font_name() is None:
        pytest.skip("no CJK font installed")
    # Matplotlib warns "Glyph ... missing from font(s)" for every character it draws as a box.
    assert [str(w.message) for w in rendered["zh"][2]] == []


def test_same_input_gives_identical_svg(rendered, tmp_path: Path) -> None:
    out_dir = rendered["en"][0]
    render(tmp_path, count=3, lang="en")
    render_response_chart(response=make_response(), lever_label=LEVER, out_dir=tmp_path, lang="en",
                          caption=CAPTION["en"])
    for svg in sorted(out_dir.glob("*.svg")):
        assert (tmp_path / svg.name).read_bytes() == svg.read_bytes(), svg.name


def test_scenarios_without_extra_spending_are_noted_not_drawn() -> None:
    # "Market wages rise faster" and "Rent growth capped" spend nothing more, "Open challenges
    # stopped" spends less: none of them has a ratio.
    fig = comparison_charts._chart_cost(comparison_at(11), "en", "")
    drawn = cost_titles(fig)
    assert len(drawn) == 7
    foot = footer_text(fig)
    assert "No extra policy spending over the reference, or no change of policy (not drawn):" in foot
    for title in ("Market wages rise faster (no policy)", "Rent growth capped", "Open challenges stopped"):
        assert title not in drawn and title in foot


def test_cost_chart_ranks_by_talent_per_100m_yuan() -> None:
    comparison = comparison_at(8)
    fig = comparison_charts._chart_cost(comparison, "en", "")
    ratio = {comparison.titles[p]: comparison.value(p, chart_tables.CITY_TOTAL, "talent_per_100m_yuan")
             for p in comparison.others}
    drawn = cost_titles(fig)
    assert [ratio[t] for t in drawn] == sorted((ratio[t] for t in drawn), reverse=True)
    money = fig.subfigs[0].axes[1]
    assert money.get_xlabel().replace("\n", " ") == "Extra spending (100 million yuan)"
    assert len(money.patches) == len(drawn)


def test_one_scenario_only_draws_a_no_comparison_note(tmp_path: Path) -> None:
    paths = render(tmp_path, count=1, lang="en")
    assert_chart_files(tmp_path, paths, COMPARISON_STEMS)
    comparison = comparison_at(1)
    clusters = [*REGION.cluster_ids, chart_tables.REST_OF_CITY]
    for fig in (comparison_charts._chart_differences(comparison, clusters, REGION.labels(), "en", ""),
                comparison_charts._chart_cost(comparison, "en", "")):
        assert "No comparison: “Baseline: policies as in 2022” is the only scenario." in texts_in_axes(fig)
    fig = chart_map(comparison, REGION, REGION.labels(), "en", "")
    assert "No comparison" in footer_text(fig)


def test_differences_split_wholes_from_clusters_and_note_missing_values() -> None:
    table = make_comparison(3)
    keys = table.select(["point", "year", "cluster"]).to_pylist()
    gone = keys.index({"point": 2, "year": 2035, "cluster": "port_hydrogen"})
    diff = table["diff_mean"].to_pylist()
    diff[gone] = float("nan")
    table = table.set_column(table.column_names.index("diff_mean"), "diff_mean", pa.array(diff, pa.float64()))
    comparison = chart_tables.comparison_at(table, titles(3), "en", None)
    clusters = chart_tables.clusters_in(table, REGION)
    assert clusters == [*REGION.cluster_ids, chart_tables.REST_OF_CITY]
    fig = comparison_charts._chart_differences(comparison, clusters, REGION.labels(), "en", "")
    wholes, parts = fig.subfigs[0].subfigs
    assert [ax.get_title(loc="left") for ax in wholes.axes] == ["City total", "Rest of the city"]
    names = [t.get_text() for t in parts.axes[0].get_yticklabels()]
    assert names == [REGION.labels()[c]["en"] for c in REGION.cluster_ids]
    assert "No estimate (not drawn): Hydrogen energy in Graduate subsidies up by half." in footer_text(fig)
    assert "Grey: no estimate." in footer_text(chart_map(comparison, REGION, REGION.labels(), "en", ""))


def test_missing_year_of_one_scenario_is_noted() -> None:
    table = make_comparison(3)
    keep = [not (p == 1 and y == 2035) for p, y in zip(table["point"].to_pylist(), table["year"].to_pylist())]
    table = table.filter(pa.array(keep))
    comparison = chart_tables.comparison_at(table, titles(3), "en", None)
    fig = comparison_charts._chart_differences(comparison, chart_tables.clusters_in(table, REGION), REGION.labels(),
                                               "en", "")
    # A scenario with nothing at all for the year is named once, not sector by sector.
    assert "No estimate (not drawn): Talent housing doubled from 2025." in footer_text(fig)


def test_year_defaults_to_the_last_and_is_checked(tmp_path: Path) -> None:
    assert comparison_at(2).year == 2035
    assert chart_tables.comparison_at(make_comparison(2), {}, "en", 2030).year == 2030
    with pytest.raises(ValueError, match="2040"):
        render(tmp_path, count=2, lang="en", year=2040)
    assert list(tmp_path.iterdir()) == []


def test_many_scenarios_get_a_trajectory_panel_each() -> None:
    fig = comparison_charts._chart_trajectories(make_summary(14), titles(14), "en", "")
    axes = fig.subfigs[0].axes
    assert len(axes) == 14
    assert axes[0].get_title(loc="left").replace("\n", " ") == "Baseline: policies as in 2022 (reference)"
    few = comparison_charts._chart_trajectories(make_summary(3), titles(3), "en", "")
    legend = [t.get_text() for leg in few.subfigs[0].legends for t in leg.get_texts()]
    assert legend == [SCENARIOS[i][1] for i in range(3)]


def test_map_caps_its_panels_and_keeps_real_positions() -> None:
    fig = chart_map(comparison_at(9), REGION, REGION.labels(), "en", "")
    maps = fig.subfigs[0].subfigs[0].axes
    assert len(maps) == MAX_MAP_PANELS
    assert "The first 6 of 8 scenarios compared are drawn" in footer_text(fig)
    lo, hi = maps[0].get_xlim()
    assert lo < 120.56 and hi > 121.08
    assert maps[0].get_aspect() == pytest.approx(1 / np.cos(np.radians(30.675)), rel=0.01)
    labels = [t.get_text() for t in maps[0].texts if isinstance(t, Annotation)]
    assert sorted(label.rsplit(" ", 1)[0] for label in labels) == sorted(REGION.labels()[c]["en"] for c in REGION.cluster_ids)


def test_map_draws_the_districts_as_a_captioned_schematic_and_labels_each_value() -> None:
    comparison = comparison_at(3)
    fig = chart_map(comparison, REGION, REGION.labels(), "en", "")
    panel = fig.subfigs[0].subfigs[0].axes[0]
    hosts = {c.district for c in REGION.cluster_rows}
    cells = [p for p in panel.patches if isinstance(p, Polygon)]
    assert len(cells) == len(hosts) == 9
    # neighbouring cells share edges: the outlines tile the area rather than float apart
    corners = [tuple(np.round(xy, 6)) for cell in cells for xy in cell.get_xy()]
    assert len(corners) - len(set(corners)) >= len(cells)
    assert panel.get_xticks().size == 0 and panel.get_yticks().size == 0  # no degree grid on a schematic
    assert "Schematic, not a map" in footer_text(fig)
    named = {t.get_text() for t in panel.texts if not isinstance(t, Annotation)}
    assert named and named <= {REGION.labels()[d]["en"] for d in hosts}
    point = comparison.others[0]
    for label in (t.get_text() for t in panel.texts if isinstance(t, Annotation)):
        name, value = label.rsplit(" ", 1)
        cluster = next(c for c in REGION.cluster_ids if REGION.labels()[c]["en"] == name)
        expected = 100 * comparison.value(point, cluster, "diff_mean") / comparison.value(0, cluster, "talent_stock_mean")
        assert float(value.rstrip("%").replace("\u2212", "-")) == pytest.approx(expected, abs=0.051)
    with style.styled("zh"):
        zh = chart_map(comparison, REGION, REGION.labels(), "zh", "")
    assert "示意图，非地图" in footer_text(zh)


def _interval_charts(table: pa.Table, lang: str) -> dict[str, str]:
    """The notes of every chart of a comparison that draws intervals, by stem (lines joined)."""
    comparison = chart_tables.comparison_at(table, titles(3), lang, None)
    clusters = chart_tables.clusters_in(table, REGION)
    join = " " if lang == "en" else ""
    with style.styled(lang):
        figs = {"differences": comparison_charts._chart_differences(comparison, clusters, REGION.labels(), lang, ""),
                "cost": comparison_charts._chart_cost(comparison, lang, ""),
                "map": chart_map(comparison, REGION, REGION.labels(), lang, "")}
    return {stem: "\n".join(t.get_text() for t in fig.texts).replace("\n", join) for stem, fig in figs.items()}


def test_every_interval_of_a_comparison_says_what_it_holds() -> None:
    seeds_en, params_en = _interval_charts(make_comparison(3), "en"), _interval_charts(make_comparison(3, seeds=2, draws=10), "en")
    seeds_zh, params_zh = _interval_charts(make_comparison(3), "zh"), _interval_charts(make_comparison(3, seeds=2, draws=10), "zh")
    for stem in ("differences", "cost", "map"):
        assert "seed variation only" in seeds_en[stem] and "parameters and seeds" not in seeds_en[stem], stem
        assert "parameters and seeds" in params_en[stem] and "seed variation only" not in params_en[stem], stem
        assert "仅随机种子差异" in seeds_zh[stem] and "参数与随机种子" in params_zh[stem], stem
    assert "over 10 parameter draws × 2 seeds, with its 95% confidence interval over the draws" in params_en["differences"]
    assert "10 组参数抽样 × 2 个随机种子" in params_zh["differences"]


@pytest.mark.parametrize(("seeds", "draws", "warned"), [(4, 1, True), (3, 3, True), (10, 1, False), (2, 5, False)])
def test_intervals_from_fewer_than_ten_runs_are_called_indicative(seeds: int, draws: int, warned: bool) -> None:
    runs = seeds * draws
    for lang, text in (("en", f"Intervals from {runs} runs: indicative only."), ("zh", f"区间仅由 {runs} 次运行得出，仅供参考。")):
        notes = _interval_charts(make_comparison(3, seeds=seeds, draws=draws), lang)
        assert all((text in note) == warned for note in notes.values()), (lang, notes)
    response = comparison_charts._chart_response(make_response(seeds=runs), LEVER, "en", "")
    assert ("Intervals from" in footer_text(response)) == (runs < 10)
    assert "Intervals: seed variation only." in footer_text(response)


def test_clusters_of_one_district_are_spread_apart() -> None:
    graph = nx.Graph()
    for node, pos in (("a", (120.7, 30.7)), ("b", (120.7, 30.7)), ("c", (120.7, 30.7)), ("d", (121.0, 30.5))):
        graph.add_node(node, pos=pos)
    pos = map_positions(graph)
    assert pos["d"] == (121.0, 30.5)
    assert len({pos[n] for n in "abc"}) == 3
    assert all(abs(pos[n][1] - 30.7) <= 0.03 for n in "abc")
    assert map_positions(graph) == pos


def test_response_has_a_panel_per_year_and_the_marginal_effect() -> None:
    fig = comparison_charts._chart_response(make_response(), LEVER, "en", "")
    marginal, *stock = fig.subfigs[0].axes
    assert [ax.get_title(loc="left") for ax in stock] == ["End of 2030", "End of 2035"]
    assert marginal.get_ylabel().replace("\n", " ") == "Additional talent per unit of the lever (persons)"
    assert fig.subfigs[0].get_suptitle() == "Response of the city's talent stock to talent apartments built per year"


def test_response_in_yuan_is_drawn_in_100_million_yuan() -> None:
    response = make_response((0.0, 1e9, 2e9, 3e9), lever="levers.housing.budget_yuan_per_year", per_unit=2e-5,
                             yuan_per_unit=1.0)
    fig = comparison_charts._chart_response(response, "Housing budget per year", "en", "")
    marginal = fig.subfigs[0].axes[0]
    assert marginal.get_xlabel() == "Housing budget per year (100 million yuan)"
    assert marginal.get_ylabel().replace("\n", " ") == "Additional talent per 100 million yuan (persons)"


def test_small_marginal_effects_are_given_per_ten_or_more_units() -> None:
    fig = comparison_charts._chart_response(make_response(per_unit=0.05), LEVER, "en", "")
    assert "per 10 units" in fig.subfigs[0].axes[0].get_ylabel().replace("\n", " ")


def test_response_with_one_value_says_so(tmp_path: Path) -> None:
    paths = render_response_chart(response=make_response((6000.0,)), lever_label="Apartments",
                                  out_dir=tmp_path, lang="en", caption="")
    assert_chart_files(tmp_path, paths, RESPONSE_STEMS)
    fig = comparison_charts._chart_response(make_response((6000.0,)), "Apartments", "en", "")
    assert "One lever value only: no marginal effect." in texts_in_axes(fig)


@pytest.mark.parametrize(("table", "column"), [("summary", "p95"), ("comparison", "diff_ci_high"),
                                                ("comparison", "talent_per_100m_yuan")])
def test_missing_column_is_named(tmp_path: Path, table: str, column: str) -> None:
    tables = {"summary": make_summary(2), "comparison": make_comparison(2)}
    tables[table] = tables[table].drop_columns([column])
    with pytest.raises(ValueError, match=f"{table} table lacks column.*{column}"):
        render_comparison_charts(summary=tables["summary"], comparison=tables["comparison"],
                                 scenario_labels={}, region=REGION, out_dir=tmp_path, lang="en", caption="")
    assert list(tmp_path.iterdir()) == []


def test_response_missing_column_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="marginal_ci_low"):
        render_response_chart(response=make_response().drop_columns(["marginal_ci_low"]),
                              lever_label=LEVER, out_dir=tmp_path, lang="en", caption="")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("lang", ["fr", "ZH", ""])
def test_invalid_language(tmp_path: Path, lang: str) -> None:
    with pytest.raises(ValueError, match="language"):
        render_comparison_charts(summary=make_summary(2), comparison=make_comparison(2),
                                 scenario_labels={}, region=REGION, out_dir=tmp_path, lang=lang, caption="")
    with pytest.raises(ValueError, match="language"):
        render_response_chart(response=make_response(), lever_label=LEVER, out_dir=tmp_path,
                              lang=lang, caption="")
    assert list(tmp_path.iterdir()) == []


def test_chinese_falls_back_without_font(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(style, "cjk_font_name", lambda: None)
    with pytest.warns(UserWarning, match="English"):
        paths = render_response_chart(response=make_response(), lever_label=LEVER, out_dir=tmp_path,
                                      lang="zh", caption="")
    assert len(paths) == 2
