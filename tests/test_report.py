"""The comparison report (`talentsim report compare`): one language throughout, charts inside, no code, no paths.

The toy region, two scenarios and two seeds over three years keep the runs to seconds; both reports share them.
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sim.charts.captions import (
    calibration_caption, comparison_caption, design_caption, optimise_caption, run_caption, source_line, validation_caption,
)
from sim.charts.schematic import district_cells
from sim.cli import main
from sim.config import load_scenario
from sim.region import load_region

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# Latin words a Chinese report may hold: the model's name, its command and the name of its model description.
ALLOWED_LATIN = {"TalentSim", "talentsim", "params", "ODD"}
# ... and the names of methods and tools that a chart's footer may name as they are
METHOD_NAMES = {"Morris", "PRIM", "EMA", "Workbench", "NSGA", "II", "optuna", "ABC", "SMC", "pyabc"}
# Words of the English templates: none may be left in a Chinese report.
ENGLISH_WORDS = ("the", "reference", "scenario", "difference", "interval", "persons", "talent", "cluster", "spending",
                 "Figure", "Sources", "Warning", "seed", "scale")
CITATIONS = """citations:
  - {en: "Toyville statistical bulletin 2021", zh: "玩具城2021年统计公报"}
  - {en: "Toyville talent survey (2020)", zh: "玩具城人才调查（2020）"}
"""
MORE_HOUSING = """extends: toyville_scenario.yaml
name: toy_more_housing
title: {en: "Twice the talent apartments", zh: "人才公寓翻倍"}
description: {en: "As the test scenario, with twice the apartments a year.", zh: "与测试情景相同，但每年人才公寓数量翻倍。"}
levers:
  housing: {apartments_per_year: 400}
"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory, toy_scenario_path: Path, toy_region_path: Path) -> dict[str, Path]:
    """The same comparison reported in Chinese, then in English (the second reuses the runs of the first)."""
    folder = tmp_path_factory.mktemp("report")
    region = toy_region_path.read_text(encoding="utf-8").replace("name: {en: Toyville, zh: 玩具城}\n",
                                                                  "name: {en: Toyville, zh: 玩具城}\n" + CITATIONS)
    (folder / "toyville.yaml").write_text(region, encoding="utf-8")
    base = toy_scenario_path.read_text(encoding="utf-8").replace(
        "title: {en: Toyville test scenario, zh: 测试情景}",
        'title: {en: Toyville test scenario, zh: 测试情景}\ndescription: {en: "Levers as in the test region.", zh: "测试区域的政策力度。"}')
    (folder / "toyville_scenario.yaml").write_text(base, encoding="utf-8")
    (folder / "toy_more_housing.yaml").write_text(MORE_HOUSING, encoding="utf-8")
    out = folder / "out"
    paths = {}
    for lang in ("zh", "en"):
        code = main(["report", "compare", str(folder / "toyville_scenario.yaml"), str(folder / "toy_more_housing.yaml"),
                     "--seeds", "2", "--years", "2023", "2024", "--workers", "0", "--out", str(out), "--lang", lang, "--quiet"])
        assert code == 0
        paths[lang] = out / "compare" / "toyville__toy_more_housing" / f"report.{lang}.html"
    return paths


def prose(document: str) -> str:
    """The text a reader sees: tags, embedded images and the style sheet removed, entities decoded."""
    document = re.sub(r"<style>.*?</style>", " ", document, flags=re.S)
    document = re.sub(r'src="data:[^"]*"', " ", document)
    return html.unescape(re.sub(r"<[^>]+>", " ", document))


def latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_LATIN


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_is_one_html_file_with_its_charts_and_no_code(reports, lang: str) -> None:
    document = reports[lang].read_text(encoding="utf-8")
    assert document.startswith("<!DOCTYPE html>") and document.rstrip().endswith("</html>")
    assert document.count('src="data:image/png;base64,') == 4
    for marker in ("<pre", "<code", "<script", "In [", "import ", "Traceback", "Warning", "warning", "tqdm"):
        assert marker not in document, marker
    # nothing of the machine it was made on
    assert str(reports[lang].parent) not in document and str(Path.home()) not in document
    assert not re.search(r"(?<![\w.])/(tmp|home|work|root|Users|var)/", prose(document))
    # written whole: no temporary file left beside it
    assert [p.name for p in reports[lang].parent.iterdir() if p.name.startswith(".")] == []


def test_chinese_report_is_chinese_throughout(reports) -> None:
    text = prose(reports["zh"].read_text(encoding="utf-8"))
    assert latin_words(text) == set(), sorted(latin_words(text))
    for word in ENGLISH_WORDS:
        assert not re.search(rf"\b{word}\b", text, flags=re.I), word
    for raw_id in ("robots", "batteries", "rest_of_city", "city_total", "toyville", "toy_more_housing"):
        assert raw_id not in text
    for name in ("机器人", "电池", "全市合计", "人才公寓翻倍", "测试情景", "玩具城2021年统计公报"):
        assert name in text
    # the per-cluster table gives intervals, and the sentences are generated in Chinese
    assert re.search(r"[+−]\d[\d,]*（[+−]\d[\d,]* 至 [+−]\d[\d,]*）", text)
    assert "“测试情景”为参照情景" in text


def test_english_report_has_no_chinese(reports) -> None:
    text = prose(reports["en"].read_text(encoding="utf-8"))
    assert not CJK.search(text), CJK.findall(text)[:10]
    for name in ("Robots", "Batteries", "City total", "Twice the talent apartments", "Toyville statistical bulletin 2021"):
        assert name in text
    assert "rest_of_city" not in text and "city_total" not in text


def test_english_report_charts_have_english_footers(reports) -> None:
    # the English report was made last, so the comparison's charts are its charts
    for png in sorted((reports["en"].parent / "charts").glob("*.png")):
        footer = Image.open(png).info["Description"]
        assert not CJK.search(footer) and "Sources: Toyville statistical bulletin 2021" in footer, png.name


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chart_footers_cite_the_sources_in_the_charts_language(lang: str) -> None:
    baseline = load_scenario("baseline")
    housing = load_scenario("housing_plus100")
    for footer in (run_caption(baseline, lang=lang),
                   comparison_caption([baseline, housing], seeds=20, scale=20, draws=None, lang=lang),
                   comparison_caption([baseline, housing], seeds=2, scale=100, draws=10, lang=lang),
                   validation_caption(baseline, seeds=5, scale=20, lang=lang),
                   design_caption([baseline, housing], kind="sensitivity", method="Morris", factors=143, rows=2880, seeds=1,
                                  scale=100, lang=lang),
                   design_caption([baseline, housing], kind="discover", factors=143, rows=100, seeds=1, scale=100,
                                  alpha=0.05, lang=lang),
                   optimise_caption(baseline, trials=40, sampler="NSGA-II", seeds=2, fresh_seeds=10, scale=100, lang=lang),
                   calibration_caption(baseline, particles=150, generations=10, simulations=3892, scale=20, lang=lang)):
        assert "/" not in footer  # a citation, not a file path
        if lang == "zh":
            assert latin_words(footer) - METHOD_NAMES == set(), footer
            assert "中国城市报" in footer and "统计公报" in footer
        else:
            assert not CJK.search(footer), footer
            assert "China City News" in footer and "statistical bulletins" in footer
    assert "baseline" not in run_caption(baseline, lang=lang)  # the scenario by its title, not its file name


def test_a_region_without_citations_says_so(toy_region_path: Path) -> None:
    region = load_region(str(toy_region_path))
    assert region.citations == []
    assert "cites none" in source_line(region, "en") and "未列出出处" in source_line(region, "zh")


def test_chinese_charts_of_the_comparison_have_chinese_footers(reports, tmp_path: Path) -> None:
    from sim.charts.comparison import render_comparison_charts
    import pyarrow.parquet as pq

    folder = reports["zh"].parent
    scenarios = [load_scenario(str(folder.parents[2] / f)) for f in ("toyville_scenario.yaml", "toy_more_housing.yaml")]
    caption = comparison_caption(scenarios, seeds=2, scale=1, draws=None, lang="zh")
    paths = render_comparison_charts(summary=pq.read_table(folder / "summary.parquet"),
                                     comparison=pq.read_table(folder / "comparison.parquet"),
                                     scenario_labels={s.name: {"en": s.title.en, "zh": s.title.zh} for s in scenarios},
                                     region=scenarios[0].load_region(), out_dir=tmp_path, lang="zh", caption=caption)
    for png in (p for p in paths if p.suffix == ".png"):
        footer = Image.open(png).info["Description"]
        assert latin_words(footer) == set() and "资料来源：玩具城2021年统计公报" in footer, png.name


def test_report_refuses_bad_input_before_running(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["report", "compare", "baseline", "housing_plus100", "--name", "../escape", "--out", str(out)]) == 2
    assert main(["report", "compare", "no_such_scenario", "--out", str(out)]) == 2
    assert main(["report", "compare", "baseline", "--seeds", "0", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--name" in err and "no_such_scenario" in err and "Traceback" not in err
    assert not out.exists() or not any(out.rglob("report.*.html"))
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "compare", "baseline", "--lang", "fr", "--out", str(out)])
    assert exit_info.value.code == 2


def test_district_cells_tile_the_area_round_their_centres() -> None:
    region = load_region("jiaxing")
    centres = {d.id: (d.lon, d.lat) for d in region.district_rows if d.id != "citywide"}
    cells = district_cells(centres)
    assert [c.id for c in cells] == list(centres)
    squeeze = math.cos(math.radians(np.mean([p[1] for p in centres.values()])))
    rng = np.random.default_rng(3)
    for cell in cells:
        corners = np.array(cell.corners)
        # every point inside a cell is nearer its own centre than any other centre
        for _ in range(20):
            w = rng.dirichlet(np.ones(len(corners)))
            x, y = w @ corners
            distance = {k: math.hypot((x - c[0]) * squeeze, y - c[1]) for k, c in centres.items()}
            assert min(distance, key=distance.get) == cell.id
    assert len(district_cells({"a": (1.0, 1.0)})[0].corners) == 4  # one district: a square round it
