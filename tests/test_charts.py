"""Charts of a run: files, sizes, language fallback, atomic writing."""

from __future__ import annotations

import struct
import warnings
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pyarrow as pa
import pytest

from sim import charts

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
    months = np.arange(np.datetime64(start, "M"), np.datetime64(end, "M") + 1)
    return (months + 1).astype("datetime64[D]") - 1


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


def png_size(path: Path) -> tuple[int, int]:
    with path.open("rb") as fh:
        head = fh.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def tables() -> dict[str, pa.Table]:
    return make_tables(SMALL_CLUSTERS)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_writes_five_png_and_five_svg(tmp_path: Path, tables, lang: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a machine without a CJK font falls back to English
        paths = charts.render_run_charts(tables=tables, labels=make_labels(SMALL_CLUSTERS), out_dir=tmp_path,
                                         lang=lang, caption="Scenario test · seed 1 · scale 10 · TalentSim")
    assert paths == sorted(paths)
    assert {p.name for p in paths} == {f"{s}.{e}" for s in charts.CHART_STEMS for e in ("png", "svg")}
    for p in paths:
        assert p.parent == tmp_path and p.stat().st_size > 1000
    for p in tmp_path.glob("*.png"):
        width, height = png_size(p)
        assert width >= 1800 and height > 0
    for p in tmp_path.glob("*.svg"):
        root = ElementTree.parse(p).getroot()
        assert root.tag.endswith("svg")
    # Nothing but the charts: no temporary file survives.
    assert sorted(tmp_path.iterdir()) == paths


@pytest.mark.skipif(charts.cjk_font_name() is None, reason="no CJK font installed")
def test_chinese_charts_have_every_glyph(tmp_path: Path, tables) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        charts.render_run_charts(tables=tables, labels=make_labels(SMALL_CLUSTERS), out_dir=tmp_path, lang="zh",
                                 caption="情景 baseline · 随机种子 7 · TalentSim")


def test_resolve_language_chinese_with_font() -> None:
    if charts.cjk_font_name() is None:
        pytest.skip("no CJK font installed")
    assert charts.resolve_language("zh") == ("zh", None)


def test_resolve_language_falls_back_without_font(monkeypatch, tmp_path: Path, tables) -> None:
    monkeypatch.setattr(charts, "cjk_font_name", lambda: None)
    lang, message = charts.resolve_language("zh")
    assert lang == "en" and message and "English" in message
    with pytest.warns(UserWarning, match="English"):
        paths = charts.render_run_charts(tables=tables, labels=make_labels(SMALL_CLUSTERS), out_dir=tmp_path,
                                         lang="zh", caption="fallback")
    assert len(paths) == 10


def test_english_needs_no_font(monkeypatch) -> None:
    monkeypatch.setattr(charts, "cjk_font_name", lambda: None)
    assert charts.resolve_language("en") == ("en", None)


@pytest.mark.parametrize("lang", ["fr", "ZH", "", "zh-CN"])
def test_invalid_language(lang: str, tmp_path: Path, tables) -> None:
    with pytest.raises(ValueError):
        charts.resolve_language(lang)
    with pytest.raises(ValueError):
        charts.render_run_charts(tables=tables, labels={}, out_dir=tmp_path, lang=lang, caption="")
    assert list(tmp_path.iterdir()) == []


def test_missing_table_is_named(tmp_path: Path, tables) -> None:
    partial = {k: v for k, v in tables.items() if k != "spending"}
    with pytest.raises(ValueError, match="spending"):
        charts.render_run_charts(tables=partial, labels={}, out_dir=tmp_path, lang="en", caption="")


def test_rewrites_in_place_and_leaves_no_temporary_files(tmp_path: Path, tables) -> None:
    labels = make_labels(SMALL_CLUSTERS)
    first = charts.render_run_charts(tables=tables, labels=labels, out_dir=tmp_path, lang="en", caption="one")
    second = charts.render_run_charts(tables=tables, labels=labels, out_dir=tmp_path, lang="en", caption="two")
    assert first == second
    assert sorted(tmp_path.iterdir()) == second


def test_failed_write_leaves_no_temporary_file(monkeypatch, tmp_path: Path, tables) -> None:
    from matplotlib.figure import Figure

    def broken(self, fname, **kwargs):
        Path(fname).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OSError):
        charts.render_run_charts(tables=tables, labels={}, out_dir=tmp_path, lang="en", caption="")
    assert list(tmp_path.iterdir()) == []


def test_svg_is_reproducible(tmp_path: Path, tables) -> None:
    labels = make_labels(SMALL_CLUSTERS)
    a, b = tmp_path / "a", tmp_path / "b"
    charts.render_run_charts(tables=tables, labels=labels, out_dir=a, lang="en", caption="same")
    charts.render_run_charts(tables=tables, labels=labels, out_dir=b, lang="en", caption="same")
    assert (a / "flows.svg").read_bytes() == (b / "flows.svg").read_bytes()


def test_global_matplotlib_state_untouched(tmp_path: Path, tables) -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    backend = matplotlib.get_backend()
    charts.render_run_charts(tables=tables, labels=make_labels(SMALL_CLUSTERS), out_dir=tmp_path, lang="zh",
                             caption="")
    assert matplotlib.get_backend() == backend
    assert {k: v for k, v in matplotlib.rcParams.items() if before.get(k) != v} == {}


def test_labels_fall_back_to_ids() -> None:
    assert charts._channel_label("shanghai", "outflow", CITIES, "zh") == "流向上海"
    assert charts._channel_label("shanghai", "outflow", CITIES, "en") == "to Shanghai"
    assert charts._channel_label("retirement", "outflow", {}, "zh") == "退休"
    assert charts._channel_label("graduate", "inflow", {}, "zh") == "高校毕业生"
    assert charts._channel_label("mystery", "inflow", {"mystery": {"en": "Mystery", "zh": "神秘"}}, "zh") == "神秘"
    assert charts._channel_label("mystery", "inflow", {}, "en") == "mystery"
    assert charts._lever_label("tailored_support", {}, "zh") == "定制服务"
