"""Fan charts of an ensemble: files, sizes, glyphs, legends and notes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from chart_files import assert_chart_files, render_recorded
from sim.charts import fans, style
from sim.charts import tables as chart_tables
from sim.ensemble import uncertainty_label

CLUSTERS = {
    "jiashan_ic": ({"en": "Integrated circuits", "zh": "集成电路"}, 35000.0),
    "xiuzhou_pv": ({"en": "Photovoltaics", "zh": "光伏新能源"}, 45000.0),
}
TIER_SHARES = {"top": 3e-5, "national": 5.5e-4, "provincial": 2e-3, "municipal": 9.5e-3}
POINT_LABELS = ("baseline", "apartments_per_year=2000", "apartments_per_year=4000", "apartments_per_year=6000",
                "graduate_subsidy=0.5", "graduate_subsidy=1.5", "housing_budget=0.8", "housing_budget=1.2",
                "platforms=off", "challenges=off")
CAPTION = {"en": "Ensemble test · 20 runs · scale 10 · TalentSim", "zh": "集合 test · 20 次运行 · 规模 10 · TalentSim"}


def month_ends(start: str, end: str) -> np.ndarray:
    months = np.arange(np.datetime64(start, "M"), np.datetime64(end, "M") + np.timedelta64(1, "M"))
    return (months + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")


def make_summary(clusters: dict[str, tuple[dict[str, str], float]] = CLUSTERS, *, points: int = 1, runs: int = 20,
                 start: str = "2021-12", end: str = "2024-12", rest: float = 970_000.0, seed: int = 0, draws: int = 1) -> pa.Table:
    """An ensemble summary as the ensemble module writes it, from simulated random-walk runs (at ``draws`` parameter draws)."""
    rng = np.random.default_rng(seed)
    dates = month_ends(start, end)
    sizes = {cid: size for cid, (_, size) in clusters.items()} | {chart_tables.REST_OF_CITY: rest}
    shares = TIER_SHARES | {"skilled": 1.0 - sum(TIER_SHARES.values())}
    months = np.arange(len(dates))
    rows: dict[str, list] = {k: [] for k in ("point", "point_label", "date", "cluster", "tier", "n_runs", "mean",
                                             "median", "p05", "p25", "p75", "p95")}

    def add(point: int, cluster: str, tier: str, paths: np.ndarray) -> None:
        q = np.percentile(paths, [5, 25, 50, 75, 95], axis=0)
        for k, date in enumerate(dates):
            rows["point"].append(point); rows["point_label"].append(POINT_LABELS[point]); rows["date"].append(date)
            rows["cluster"].append(cluster); rows["tier"].append(tier); rows["n_runs"].append(runs)
            rows["mean"].append(float(paths[:, k].mean()))
            for name, value in zip(("p05", "p25", "median", "p75", "p95"), q[:, k]):
                rows[name].append(float(value))

    for point in range(points):
        city = np.zeros((runs, len(dates)))
        for cid, size in sizes.items():
            growth = 0.02 + 0.01 * point + 0.02 * rng.random()
            # Every run starts from the same initial state; the spread grows with time.
            noise = np.cumsum(np.c_[np.zeros(runs), rng.normal(0, 0.004, (runs, len(dates) - 1))], axis=1)
            level = size * (1 + growth) ** (months / 12) * np.exp(noise)
            total = np.zeros_like(level)
            for tier, share in shares.items():
                paths = np.round(level * share)
                total += paths
                add(point, cid, tier, paths)
            add(point, cid, chart_tables.ALL_TIERS, total)
            city += total
        add(point, chart_tables.CITY_TOTAL, chart_tables.ALL_TIERS, city)

    cols = {k: (pa.array(np.array(v, dtype="datetime64[D]")).cast(pa.date32()) if k == "date"
                else pa.array(v, pa.int64()) if k in ("point", "n_runs") else pa.array(v))
            for k, v in rows.items()}
    n = len(rows["point"])
    cols["n_draws"] = pa.array([draws] * n, pa.int64())
    cols["uncertainty"] = pa.array([uncertainty_label(draws)] * n, pa.string())
    return pa.table(cols)


def make_labels(clusters: dict[str, tuple[dict[str, str], float]] = CLUSTERS) -> dict[str, dict[str, str]]:
    labels = {cid: lab for cid, (lab, _) in clusters.items()}
    labels[chart_tables.REST_OF_CITY] = {"en": "Rest of the city", "zh": "其他产业"}
    return labels


def legend_texts(fig) -> list[list[str]]:
    return [[t.get_text() for t in leg.get_texts()] for sub in [fig, *fig.subfigs] for leg in sub.legends]


def footer_text(fig) -> str:
    return "\n".join(t.get_text() for t in fig.texts)


@pytest.fixture(scope="module")
def summaries() -> dict[int, pa.Table]:
    return {1: make_summary(points=1), 2: make_summary(points=2)}


@pytest.fixture(scope="module")
def rendered(summaries, tmp_path_factory) -> dict[tuple[str, int], tuple[Path, list[Path], list, dict]]:
    """Each language and point count rendered once: (directory, returned paths, warnings, rcParams changed)."""
    out = {}
    for lang in ("en", "zh"):
        for points, summary in summaries.items():
            out_dir = tmp_path_factory.mktemp(f"fans_{lang}_{points}")
            out[lang, points] = (out_dir, *render_recorded(lambda: fans.render_fan_charts(
                summary=summary, labels=make_labels(), out_dir=out_dir, lang=lang, caption=CAPTION[lang])))
    return out


CASES = [(lang, points) for lang in ("en", "zh") for points in (1, 2)]


@pytest.mark.parametrize(("lang", "points"), CASES)
def test_writes_two_png_and_two_svg(rendered, lang: str, points: int) -> None:
    out_dir, paths, _, _ = rendered[lang, points]
    assert_chart_files(out_dir, paths, fans.FAN_STEMS)


@pytest.mark.parametrize("points", [1, 2])
def test_chinese_fans_have_every_glyph(rendered, points: int) -> None:
    if style.cjk_font_name() is None:
        pytest.skip("no CJK font installed")
    # Matplotlib warns "Glyph ... missing from font(s)" for every character it draws as a box.
    assert [str(w.message) for w in rendered["zh", points][2]] == []


@pytest.mark.parametrize(("lang", "points"), CASES)
def test_global_matplotlib_state_untouched(rendered, lang: str, points: int) -> None:
    assert rendered[lang, points][3] == {}


def test_two_points_give_a_legend_of_point_labels(summaries) -> None:
    fig = fans.chart_fan_total(summaries[2], "en", "")
    assert legend_texts(fig) == [["baseline", "apartments_per_year=2000"]]
    assert "20 runs" in footer_text(fig)


def test_one_point_gets_a_band_key_not_point_labels(summaries) -> None:
    fig = fans.chart_fan_total(summaries[1], "en", "")
    assert legend_texts(fig) == [["Median", "25–75%", "5–95%"]]
    assert "Median, 25–75% and 5–95% bands over 20 runs; seed variation only." in footer_text(fig)


def test_chinese_note_counts_runs(summaries) -> None:
    fig = fans.chart_fan_total(summaries[1], "zh", "")
    assert "中位数，25–75% 与 5–95% 区间，共 20 次运行；仅随机种子差异。" in footer_text(fig)


@pytest.mark.parametrize("chart", ["total", "clusters"])
def test_bands_over_parameter_draws_say_so_in_both_languages(chart: str) -> None:
    summary = make_summary(runs=20, draws=10)
    draw = (lambda lang: fans.chart_fan_total(summary, lang, "")) if chart == "total" else (
        lambda lang: fans._chart_fan_clusters(summary, make_labels(), lang, ""))
    assert "bands over 20 runs; parameters and seeds (10 parameter draws)." in footer_text(draw("en")).replace("\n", " ")
    assert "共 20 次运行；参数与随机种子（10 组参数抽样）。" in footer_text(draw("zh")).replace("\n", "")
    assert "seed variation only" not in footer_text(draw("en"))


@pytest.mark.parametrize(("runs", "warned"), [(4, True), (9, True), (10, False)])
def test_a_band_from_fewer_than_ten_runs_is_called_indicative(runs: int, warned: bool) -> None:
    summary = make_summary(runs=runs)
    for lang, text in (("en", f"Band from {runs} runs: indicative only."), ("zh", f"区间仅由 {runs} 次运行得出，仅供参考。")):
        for fig in (fans.chart_fan_total(summary, lang, ""), fans._chart_fan_clusters(summary, make_labels(), lang, "")):
            assert (text in footer_text(fig).replace("\n", " " if lang == "en" else "")) == warned


def test_a_summary_without_the_uncertainty_columns_holds_seeds_only(summaries) -> None:
    old = summaries[1].drop_columns(["uncertainty", "n_draws"])
    assert "seed variation only" in footer_text(fans.chart_fan_total(old, "en", ""))


def test_points_beyond_eight_are_left_out_with_a_note() -> None:
    summary = make_summary(points=10, runs=5)
    fig = fans.chart_fan_total(summary, "en", "")
    assert legend_texts(fig) == [list(POINT_LABELS[:8])]
    foot = footer_text(fig).replace("\n", " ")
    assert "8 of 10 design points" in foot and "platforms=off" in foot and "challenges=off" in foot


def test_cluster_panels_follow_first_appearance_and_use_point_zero(summaries) -> None:
    fig = fans._chart_fan_clusters(summaries[2], make_labels(), "zh", "")
    titles = [ax.get_title(loc="left") for ax in fig.subfigs[0].axes]
    assert titles == ["集成电路", "光伏新能源"]
    foot = footer_text(fig).replace("\n", "")
    assert "仅绘出设计点 0（baseline）" in foot and "其他产业未绘出" in foot
    one = fans._chart_fan_clusters(summaries[1], make_labels(), "en", "")
    assert "Design point" not in footer_text(one)


def test_nine_clusters_make_a_three_by_three_grid() -> None:
    clusters = {f"c{i}": ({"en": f"Cluster {i}", "zh": f"集群{i}"}, 10000.0 * (i + 1)) for i in range(9)}
    fig = fans._chart_fan_clusters(make_summary(clusters, runs=5), make_labels(clusters), "en", "")
    axes = fig.subfigs[0].axes
    assert len(axes) == 9
    assert {ax.get_subplotspec().get_geometry()[:2] for ax in axes} == {(3, 3)}
    # Each panel keeps its own y scale.
    assert len({ax.get_ylim() for ax in axes}) == 9


def test_seven_clusters_label_the_years_under_every_column() -> None:
    clusters = {f"c{i}": ({"en": f"Cluster {i}", "zh": f"集群{i}"}, 10000.0 * (i + 1)) for i in range(7)}
    fig = fans._chart_fan_clusters(make_summary(clusters, runs=5), make_labels(clusters), "en", "")
    axes = fig.subfigs[0].axes
    assert len(axes) == 7
    labelled = [i for i, ax in enumerate(axes) if ax.xaxis.get_tick_params()["labelbottom"]]
    assert labelled == [4, 5, 6]


@pytest.mark.parametrize("lang", ["fr", "ZH", ""])
def test_invalid_language(lang: str, tmp_path: Path, summaries) -> None:
    with pytest.raises(ValueError):
        fans.render_fan_charts(summary=summaries[1], labels={}, out_dir=tmp_path, lang=lang, caption="")
    assert list(tmp_path.iterdir()) == []


def test_missing_column_is_named(tmp_path: Path, summaries) -> None:
    partial = summaries[1].drop_columns(["p95"])
    with pytest.raises(ValueError, match="p95"):
        fans.render_fan_charts(summary=partial, labels={}, out_dir=tmp_path, lang="en", caption="")


def test_chinese_falls_back_without_font(monkeypatch, tmp_path: Path, summaries) -> None:
    monkeypatch.setattr(style, "cjk_font_name", lambda: None)
    with pytest.warns(UserWarning, match="English"):
        paths = fans.render_fan_charts(summary=summaries[1], labels=make_labels(), out_dir=tmp_path, lang="zh",
                                       caption="fallback")
    assert len(paths) == 4


def test_empty_summary_still_writes_charts(tmp_path: Path, summaries) -> None:
    paths = fans.render_fan_charts(summary=summaries[1].slice(0, 0), labels={}, out_dir=tmp_path, lang="en",
                                   caption="")
    assert sorted(tmp_path.iterdir()) == paths and len(paths) == 4


def test_failed_write_leaves_no_temporary_file(monkeypatch, tmp_path: Path, summaries) -> None:
    from matplotlib.figure import Figure

    def broken(self, fname, **kwargs):
        Path(fname).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OSError):
        fans.render_fan_charts(summary=summaries[1], labels={}, out_dir=tmp_path, lang="en", caption="")
    assert list(tmp_path.iterdir()) == []
