"""Charts of a run: files, sizes, language fallback, atomic writing."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from chart_files import assert_chart_files, render_recorded
from sim.charts import run, style, text

CITIES = {
    "shanghai": {"en": "Shanghai", "zh": "上海"},
    "hangzhou": {"en": "Hangzhou", "zh": "杭州"},
    "suzhou": {"en": "Suzhou", "zh": "苏州"},
    "ningbo": {"en": "Ningbo", "zh": "宁波"},
    "rest_of_country": {"en": "Rest of China", "zh": "全国其他"},
}
SMALL_CLUSTERS = {
    "jiashan_ic": ({"en": "Integrated circuits", "zh": "集成电路"}, 35000.0),
    "xiuzhou_pv": ({"en": "Photovoltaics", "zh": "光伏新能源"}, 45000.0),
    "port_hydrogen": ({"en": "Hydrogen energy", "zh": "氢能"}, 12000.0),
}
# Shares of each cluster's talent in the high-end tiers (the rest is the skilled tier).
TIER_SHARES = {"top": 3e-5, "national": 5.5e-4, "provincial": 2e-3, "municipal": 9.5e-3}
INFLOW_TIER = {"graduate": "skilled", "migrant": "skilled", "returnee": "skilled", "high_end": "municipal",
               "platform": "provincial", "project": "national", "challenge": "provincial", "tailored": "top",
               "internal": "skilled"}
INFLOW_RATE = {"graduate": 0.045, "migrant": 0.03, "returnee": 0.012, "high_end": 0.0012, "platform": 2e-5,
               "project": 1e-4, "challenge": 3e-5, "tailored": 2e-6, "internal": 0.004}
OUTFLOW_RATE = {"shanghai": 0.015, "hangzhou": 0.01, "suzhou": 0.006, "ningbo": 0.003, "rest_of_country": 0.012,
                "retirement": 0.02, "internal": 0.004}
LEVER_YUAN = {"housing": 1.8e9, "funding": 2.0e9, "projects": 0.6e9, "challenges": 0.2e9, "platforms": 0.9e9,
              "services": 0.4e9, "tailored_support": 0.05e9, "graduates": 1.5e9}


def month_ends(start: str, end: str) -> np.ndarray:
    months = np.arange(np.datetime64(start, "M"), np.datetime64(end, "M") + np.timedelta64(1, "M"))
    return (months + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")


def make_tables(clusters: dict[str, tuple[dict[str, str], float]], *, start: str = "2021-12", end: str = "2023-12",
                rest: float = 970_000.0, seed: int = 0) -> dict[str, pa.Table]:
    """Long tables shaped as the model writes them; sizes loosely follow Jiaxing's."""
    rng = np.random.default_rng(seed)
    dates = month_ends(start, end)
    sizes = {cid: size for cid, (_, size) in clusters.items()} | {"rest_of_city": rest}
    stock_rows: dict[str, list] = {k: [] for k in ("date", "cluster", "tier", "district", "talent_stock")}
    flow_rows: dict[str, list] = {k: [] for k in ("date", "cluster", "tier", "district", "direction", "channel", "persons")}
    for cid, size in sizes.items():
        growth = 0.02 + 0.03 * rng.random()
        for k, date in enumerate(dates):
            level = size * (1 + growth) ** (k / 12) * (1 + 0.003 * rng.standard_normal())
            high = 0.0
            for tier, share in TIER_SHARES.items():
                count = round(level * share * (1 + 0.04 * k / 12))
                high += count
                stock_rows["date"].append(date); stock_rows["cluster"].append(cid); stock_rows["tier"].append(tier)
                stock_rows["district"].append(f"d_{cid}"); stock_rows["talent_stock"].append(float(count))
            stock_rows["date"].append(date); stock_rows["cluster"].append(cid); stock_rows["tier"].append("skilled")
            stock_rows["district"].append(f"d_{cid}"); stock_rows["talent_stock"].append(level - high)
            if k == 0:
                continue
            for direction, rates in (("inflow", INFLOW_RATE), ("outflow", OUTFLOW_RATE)):
                for channel, rate in rates.items():
                    persons = float(rng.poisson(level * rate / 12 * (1.25 if direction == "inflow" else 1.0)))
                    flow_rows["date"].append(date); flow_rows["cluster"].append(cid)
                    flow_rows["tier"].append(INFLOW_TIER.get(channel, "skilled")); flow_rows["district"].append(f"d_{cid}")
                    flow_rows["direction"].append(direction); flow_rows["channel"].append(channel)
                    flow_rows["persons"].append(persons)
    spend_rows: dict[str, list] = {k: [] for k in ("date", "lever", "spending_yuan", "budget_yuan")}
    for k, date in enumerate(dates[1:]):
        for lever, yearly in LEVER_YUAN.items():
            spend_rows["date"].append(date); spend_rows["lever"].append(lever)
            spend_rows["spending_yuan"].append(yearly / 12 * (0.8 + 0.3 * rng.random()) * (1 + 0.05 * k / 12))
            spend_rows["budget_yuan"].append(yearly * 1.1 / 12)

    def table(rows: dict[str, list]) -> pa.Table:
        cols = {k: (pa.array(np.array(v, dtype="datetime64[D]")).cast(pa.date32()) if k == "date" else pa.array(v))
                for k, v in rows.items()}
        return pa.table(cols)

    return {"talent_stock": table(stock_rows), "talent_flows": table(flow_rows), "spending": table(spend_rows)}


def make_labels(clusters: dict[str, tuple[dict[str, str], float]]) -> dict[str, dict[str, str]]:
    labels = {cid: lab for cid, (lab, _) in clusters.items()}
    labels["rest_of_city"] = {"en": "Rest of the city", "zh": "其他产业"}
    return labels | CITIES


CAPTION = {"en": "Scenario test · seed 1 · scale 10 · TalentSim", "zh": "情景 test · 随机种子 1 · 规模 10 · TalentSim"}


@pytest.fixture(scope="module")
def tables() -> dict[str, pa.Table]:
    return make_tables(SMALL_CLUSTERS)


@pytest.fixture(scope="module")
def rendered(tables, tmp_path_factory) -> dict[str, tuple[Path, list[Path], list[warnings.WarningMessage], dict]]:
    """Each language rendered once: (directory, returned paths, warnings raised, rcParams changed by the call)."""
    out = {}
    for lang in ("en", "zh"):
        out_dir = tmp_path_factory.mktemp(f"charts_{lang}")
        out[lang] = (out_dir, *render_recorded(lambda: run.render_run_charts(
            tables=tables, labels=make_labels(SMALL_CLUSTERS), out_dir=out_dir, lang=lang, caption=CAPTION[lang])))
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_writes_five_png_and_five_svg(rendered, lang: str) -> None:
    out_dir, paths, _, _ = rendered[lang]
    assert_chart_files(out_dir, paths, run.CHART_STEMS)


def test_chinese_charts_have_every_glyph(rendered) -> None:
    if style.cjk_font_name() is None:
        pytest.skip("no CJK font installed")
    # Matplotlib warns "Glyph ... missing from font(s)" for every character it draws as a box.
    assert [str(w.message) for w in rendered["zh"][2]] == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_global_matplotlib_state_untouched(rendered, lang: str) -> None:
    assert rendered[lang][3] == {}


def test_resolve_language_chinese_with_font() -> None:
    if style.cjk_font_name() is None:
        pytest.skip("no CJK font installed")
    assert style.resolve_language("zh") == ("zh", None)


def test_resolve_language_falls_back_without_font(monkeypatch, tmp_path: Path, tables) -> None:
    monkeypatch.setattr(style, "cjk_font_name", lambda: None)
    lang, message = style.resolve_language("zh")
    assert lang == "en" and message and "English" in message
    with pytest.warns(UserWarning, match="English"):
        paths = run.render_run_charts(tables=tables, labels=make_labels(SMALL_CLUSTERS), out_dir=tmp_path,
                                      lang="zh", caption="fallback")
    assert len(paths) == 10


def test_english_needs_no_font(monkeypatch) -> None:
    monkeypatch.setattr(style, "cjk_font_name", lambda: None)
    assert style.resolve_language("en") == ("en", None)


@pytest.mark.parametrize("lang", ["fr", "ZH", "", "zh-CN"])
def test_invalid_language(lang: str, tmp_path: Path, tables) -> None:
    with pytest.raises(ValueError):
        style.resolve_language(lang)
    with pytest.raises(ValueError):
        run.render_run_charts(tables=tables, labels={}, out_dir=tmp_path, lang=lang, caption="")
    assert list(tmp_path.iterdir()) == []


def test_missing_table_is_named(tmp_path: Path, tables) -> None:
    partial = {k: v for k, v in tables.items() if k != "spending"}
    with pytest.raises(ValueError, match="spending"):
        run.render_run_charts(tables=partial, labels={}, out_dir=tmp_path, lang="en", caption="")


def test_replaces_old_charts_reproducibly(rendered, tmp_path: Path, tables) -> None:
    for stem in run.CHART_STEMS:
        (tmp_path / f"{stem}.png").write_bytes(b"stale")
        (tmp_path / f"{stem}.svg").write_bytes(b"stale")
    paths = run.render_run_charts(tables=tables, labels=make_labels(SMALL_CLUSTERS), out_dir=tmp_path,
                                  lang="en", caption=CAPTION["en"])
    assert sorted(tmp_path.iterdir()) == paths
    earlier = rendered["en"][0]
    for p in paths:
        if p.suffix == ".svg":
            assert p.read_bytes() == (earlier / p.name).read_bytes()
        else:
            assert p.read_bytes() != b"stale"


def test_failed_write_leaves_no_temporary_file(monkeypatch, tmp_path: Path, tables) -> None:
    from matplotlib.figure import Figure

    def broken(self, fname, **kwargs):
        Path(fname).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OSError):
        run.render_run_charts(tables=tables, labels={}, out_dir=tmp_path, lang="en", caption="")
    assert list(tmp_path.iterdir()) == []


def test_every_word_has_both_languages() -> None:
    for key, entry in text.TEXT.items():
        assert set(entry) == {"en", "zh"} and all(entry.values()), key


def test_labels_fall_back_to_ids() -> None:
    assert run._channel_label("shanghai", "outflow", CITIES, "zh") == "流向上海"
    assert run._channel_label("shanghai", "outflow", CITIES, "en") == "to Shanghai"
    assert run._channel_label("retirement", "outflow", {}, "zh") == "退休"
    assert run._channel_label("graduate", "inflow", {}, "zh") == "高校毕业生"
    assert run._channel_label("mystery", "inflow", {"mystery": {"en": "Mystery", "zh": "神秘"}}, "zh") == "神秘"
    assert run._channel_label("mystery", "inflow", {}, "en") == "mystery"
    assert run._lever_label("tailored_support", {}, "zh") == "定制服务"


def test_chinese_notes_never_start_a_line_with_punctuation() -> None:
    text = "以下渠道数量过小，图中难以辨认：高端引才 34,880，平台引才 579，领军人才项目 2,878，揭榜挂帅 848。" * 3
    lines = style.wrap(text, 20)
    assert len(lines) > 3
    assert all(line and line[0] not in "，。：" for line in lines)
    assert all(style.text_width_em(line) <= 21 for line in lines)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_total_of_one_run_says_it_is_one_run(tables, lang: str) -> None:
    with style.styled(lang):
        one = run._chart_total(tables["talent_stock"], {}, lang, "", 5)
        untitled = run._chart_total(tables["talent_stock"], {}, lang, "", None)
    assert one.subfigs[0].get_suptitle() == text.tr("title_total_one_run", lang, seed=5)
    assert untitled.subfigs[0].get_suptitle() == text.tr("title_total", lang)
    footer = "\n".join(t.get_text() for t in one.texts).replace("\n", "")
    assert text.tr("one_run_note", lang).replace(" ", "") in footer.replace(" ", "")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_tier_chart_has_one_unit(tables, lang: str) -> None:
    with style.styled(lang):
        fig = run._chart_talent_by_tier(tables["talent_stock"], {}, lang, "")
    skilled, high_end = fig.subfigs[0].axes[:2]
    assert skilled.get_ylabel() == text.tr("persons_axis", lang) and high_end.get_ylabel() == text.tr("persons_log", lang)
    # both panels in persons: the skilled panel's values are the persons of the table, not thousands
    stock = tables["talent_stock"].to_pandas()
    first = stock[(stock["tier"] == "skilled")].groupby("date")["talent_stock"].sum().iloc[0]
    assert skilled.lines[0].get_ydata()[0] == pytest.approx(first)
    assert ("thousand" not in skilled.get_ylabel()) and ("千人" not in skilled.get_ylabel())


@pytest.mark.parametrize("ticks, labels", [
    ([17.5, 20.0, 22.5, 25.0], ["17.5", "20.0", "22.5", "25.0"]),  # 2.5 apart: the halves are written, not rounded to even
    ([0.0, 200_000.0, 400_000.0], ["0", "200,000", "400,000"]),
    ([0.1, 0.2, 0.30000000000000004], ["0.1", "0.2", "0.3"]),
    ([0.025, 0.05, 0.075], ["0.025", "0.050", "0.075"]),
    ([1.0e6, 1.25e6, 1.5e6], ["1,000,000", "1,250,000", "1,500,000"]),
])
def test_tick_labels_write_every_tick_exactly(ticks: list[float], labels: list[str]) -> None:
    formatter = style.GroupedFormatter()
    formatter.set_locs(ticks)
    assert [formatter(t).replace("\u2212", "-") for t in ticks] == labels
