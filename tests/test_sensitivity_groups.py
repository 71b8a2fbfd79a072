"""Morris screening by groups of factors (talentsim sensitivity --groups): the design moves one group's factors at a
time, a linear function gives each group's exact mu*, the groups come from configuration sections or a file, and
the command writes the groups' ranking, chart and document."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from chart_files import assert_chart_files
from sim.cli import main
from sim.factors import BEHAVIOUR_MECHANISMS, declared_groups, group_label, mechanism_groups, section_groups, select_factors
from sim.sensitivity import TOTAL_OUTCOME, design_rows, run_sensitivity, sample_design, study_name
from sim.sensitivity_functions import OUTCOME, function_simulator, linear_factors

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "toyville_scenario.yaml"
TOY_FACTORS = ["uncertainties.graduate_supply", "uncertainties.behaviour.wage_weight", "uncertainties.behaviour.rent_weight"]


# ------------------------------------------------------------------ the design and the indices
def test_a_trajectory_moves_the_factors_of_one_group_at_a_time() -> None:
    factors = linear_factors([1.0] * 5)
    groups = ("a", "a", "b", "c", "c")
    design = sample_design(factors, method="morris", size=6, seed=5, groups=groups)
    assert design.screened == ("a", "b", "c") and design.rows_per_block == 4
    assert design.rows == 6 * 4 == design_rows(method="morris", size=6, factors=5, groups=3)
    members = {g: {j for j, h in enumerate(groups) if h == g} for g in design.screened}
    for trajectory in design.unit.reshape(6, 4, 5):
        moved = [set(np.flatnonzero(step)) for step in np.diff(trajectory, axis=0)]
        assert sorted(map(sorted, moved)) == sorted(map(sorted, members.values()))  # each group once, whole, nothing else


def test_grouped_morris_on_a_linear_function_gives_each_groups_exact_mu_star(tmp_path) -> None:
    # the zero coefficients ride along in their groups: a group's mu* is then its one active factor's |c| x width exactly
    coefficients = [1.5, 0.0, -2.0, 0.25, 0.0]
    factors = linear_factors(coefficients)
    design = sample_design(factors, method="morris", size=6, seed=4, groups=("g1", "g1", "g2", "g3", "g3"))
    result = run_sensitivity(design, function_simulator("sim.sensitivity_functions:linear", coefficients=coefficients),
                             study_dir=tmp_path, outcomes=[OUTCOME], workers=0, resamples=50)
    assert design.rows == 6 * 4 and result.distinct_runs <= design.rows  # against 6 x 6 factor by factor (a point met twice runs once)
    rows = {r["factor"]: r for r in result.indices.to_pylist() if r["design_size"] == 6}
    assert set(rows) == {"g1", "g2", "g3"}
    width = [f.high - f.low for f in factors]
    assert rows["g1"]["mu_star"] == pytest.approx(1.5 * width[0])
    assert rows["g2"]["mu_star"] == pytest.approx(2.0 * width[2])
    assert rows["g3"]["mu_star"] == pytest.approx(0.25 * width[3])
    # a group of one is a factor: its mu and sigma are defined; a group of several has no sigma
    assert rows["g2"]["mu"] == pytest.approx(-2.0 * width[2]) and rows["g2"]["sigma"] == pytest.approx(0, abs=1e-9)
    assert rows["g1"]["sigma"] is None and rows["g3"]["sigma"] is None and rows["g1"]["sigma_ci_low"] is None
    assert [rows[g]["rank"] for g in ("g1", "g2", "g3")] == [2, 1, 3]
    design_table = pq.read_table(tmp_path / "design.parquet").to_pylist()
    assert {(r["factor"], r["group"]) for r in design_table} == {(f.name, g) for f, g in zip(factors, design.groups)}


def test_groups_are_refused_where_they_do_not_fit() -> None:
    factors = linear_factors([1.0, 2.0])
    with pytest.raises(ValueError, match="Morris"):
        sample_design(factors, method="sobol", size=8, seed=1, groups=("a", "a"))
    with pytest.raises(ValueError, match="one group name for each of the 2 factors"):
        sample_design(factors, method="morris", size=2, seed=1, groups=("a",))


def test_a_grouped_study_has_its_own_folder() -> None:
    factors = select_factors(TOY_FACTORS)
    plain = study_name("morris", factors=factors, arms=["toyville"])
    grouped = study_name("morris", factors=factors, arms=["toyville"], groups=section_groups(factors))
    other = study_name("morris", factors=factors, arms=["toyville"], groups=("a", "b", "b"))
    assert len({plain, grouped, other}) == 3


# ------------------------------------------------------------------ where the groups come from
def test_section_groups_are_the_names_without_their_last_part() -> None:
    factors = select_factors(["graduate_supply", "wage_weight", "levers.housing.rent_discount"])
    assert section_groups(factors) == ("uncertainties (exogenous paths)", "uncertainties.behaviour", "levers.housing")
    every = section_groups(select_factors(["uncertainties"]))
    assert "uncertainties.behaviour" in every and len(set(every)) < len(every)


def test_mechanism_groups_split_every_behavioural_parameter_by_its_submodel() -> None:
    factors = select_factors(["uncertainties"])
    groups = mechanism_groups(factors)
    by_name = dict(zip((f.name for f in factors), groups))
    behaviour = [n for n in by_name if n.startswith("uncertainties.behaviour.")]
    # every behavioural parameter has its mechanism (a new one must be placed), and every name listed is one
    assert all(by_name[n] in BEHAVIOUR_MECHANISMS for n in behaviour)
    listed = [name for names in BEHAVIOUR_MECHANISMS.values() for name in names]
    assert sorted(listed) == sorted(n.rsplit(".", 1)[-1] for n in behaviour)
    assert by_name["uncertainties.behaviour.attachment_tenure"] == "behaviour: retention and exit"
    assert by_name["uncertainties.residents.net_migration_per_year"] == "uncertainties.residents"  # other sections as they are
    assert len(set(groups)) == len(set(section_groups(factors))) - 1 + len(BEHAVIOUR_MECHANISMS)
    assert [group_label(g) for g in ("uncertainties.behaviour", "levers.housing", "behaviour: housing")] == [
        "behaviour", "housing", "behaviour: housing"]


def test_declared_groups_take_names_and_prefixes_and_leave_the_rest_alone() -> None:
    factors = select_factors(["uncertainties"])
    groups = declared_groups(factors, groups={"utility": ["wage_weight", "rent_weight"], "residents": "uncertainties.residents"})
    by_name = dict(zip((f.name for f in factors), groups))
    assert by_name["uncertainties.behaviour.wage_weight"] == by_name["uncertainties.behaviour.rent_weight"] == "utility"
    assert all(g == "residents" for n, g in by_name.items() if n.startswith("uncertainties.residents."))
    assert by_name["uncertainties.graduate_supply"] == "uncertainties.graduate_supply"  # named by no group: alone


@pytest.mark.parametrize("groups,message", [
    (["wage_weight"], "must map each group's name"),
    ({}, "must map each group's name"),
    ({"utility": []}, "give a list of factor names"),
    ({"utility": [3]}, "give a list of factor names"),
    ({"utility": ["wage_weigth"]}, "utility: .*wage_weigth"),
    ({"utility": ["levers.housing"]}, "not among the study's factors"),
    ({"a": ["wage_weight"], "b": ["uncertainties.behaviour"]}, "wage_weight is in two groups: a and b"),
    ({"uncertainties.graduate_supply": ["wage_weight"]}, "a group named like a factor"),
])
def test_declared_groups_say_what_is_wrong(groups, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        declared_groups(select_factors(["uncertainties"]), groups=groups)


# ------------------------------------------------------------------ the command line
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_command_screens_groups_and_writes_their_ranking_chart_and_document(tmp_path, capsys, lang: str) -> None:
    out, doc = tmp_path / "out", tmp_path / "sens.md"
    code = main(["sensitivity", str(TOY), "--factors", *TOY_FACTORS, "--groups", "section", "--trajectories", "2", "--workers", "0",
                 "--out", str(out), "--lang", lang, "--quiet", "--doc", str(doc)])
    assert code == 0, capsys.readouterr().err
    folder = next((out / "toyville").iterdir())
    indices = [r for r in pq.read_table(folder / "indices.parquet").to_pylist() if r["outcome"] == TOTAL_OUTCOME]
    assert {r["factor"] for r in indices} == {"uncertainties (exogenous paths)", "uncertainties.behaviour"}
    assert len(list((folder / "runs" / "run_outcomes").glob("*.parquet"))) == 2 * 3  # 2 trajectories x (2 groups + 1)
    paths = sorted((folder / "charts").glob("*"))
    assert_chart_files(folder / "charts", paths, ("morris_talent_share_2035", "morris_talent_total_2035"))
    text = doc.read_text(encoding="utf-8")
    assert "3 factors in 2 groups" in text and "## The groups" in text and "wage_weight, rent_weight" in text
    assert "top 5 groups by mu_star" in capsys.readouterr().out


def test_the_command_takes_groups_from_a_file(tmp_path, capsys) -> None:
    groups = tmp_path / "groups.yaml"
    groups.write_text("utility: [wage_weight, rent_weight]\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["sensitivity", str(TOY), "--factors", *TOY_FACTORS, "--groups", str(groups), "--trajectories", "2",
                 "--workers", "0", "--out", str(out), "--quiet", "--no-charts"])
    assert code == 0, capsys.readouterr().err
    folder = next((out / "toyville").iterdir())
    names = {r["factor"] for r in pq.read_table(folder / "indices.parquet").to_pylist()}
    assert names == {"utility", "uncertainties.graduate_supply"}


def test_an_empty_groups_option_is_refused(tmp_path, capsys) -> None:
    code = main(["sensitivity", str(TOY), "--groups", " ", "--workers", "0", "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "--groups" in err and "empty" in err
    assert not (tmp_path / "o").exists()


BAD_GROUPS = {
    "missing_file": (None, "file not found"),
    "not_yaml": ("utility: [wage_weight\n", "not valid YAML"),
    "a_list": ("- wage_weight\n", "must map each group's name"),
    "unknown_factor": ("utility: [wage_weigth]\n", "wage_weigth"),
    "outside_the_study": ("homes: [levers.housing]\n", "not among the study's factors"),
    "two_groups": ("a: [wage_weight]\nb: [wage_weight]\n", "in two groups"),
}


@pytest.mark.parametrize("case", sorted(BAD_GROUPS))
def test_a_bad_groups_file_is_refused_before_any_run(tmp_path, capsys, case: str) -> None:
    text, message = BAD_GROUPS[case]
    path = tmp_path / "groups.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["sensitivity", str(TOY), "--factors", *TOY_FACTORS, "--groups", str(path), "--workers", "0", "--out", str(out),
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert str(path) in err and message in err and "Traceback" not in err
    assert not out.exists()


def test_groups_with_sobol_are_refused(tmp_path, capsys) -> None:
    code = main(["sensitivity", str(TOY), "--method", "sobol", "--groups", "section", "--workers", "0", "--out", str(tmp_path / "o"),
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "--groups" in err and "--method morris" in err
    assert not (tmp_path / "o").exists()


def test_the_document_of_a_grouped_study_keeps_odd_group_names_inside_their_cells(tmp_path) -> None:
    from sim.sensitivity_doc import sensitivity_markdown

    coefficients = [1.0, 2.0, 3.0]
    design = sample_design(linear_factors(coefficients), method="morris", size=2, seed=1, groups=("a|b", "a|b", "c`d"))
    result = run_sensitivity(design, function_simulator("sim.sensitivity_functions:linear", coefficients=coefficients),
                             study_dir=tmp_path, outcomes=[OUTCOME], workers=0, resamples=20)
    text = sensitivity_markdown(result, command=["sensitivity", "x"], scale=None, seeds=1)
    rows = [line for line in text.splitlines() if "a\\|b" in line or "c'd" in line]
    assert len(rows) == 4  # each group in the ranking and in the list of groups
    for line in rows:
        cells = line.replace("\\|", "").strip("|").split("|")
        assert len(cells) == (5 if line.count("`") == 2 and "[" in line else 2)


def test_two_stages_screen_the_factors_of_the_top_groups_and_publish_both(tmp_path, capsys) -> None:
    out, doc = tmp_path / "out", tmp_path / "sens.md"
    code = main(["sensitivity", str(TOY), "--factors", *TOY_FACTORS, "--groups", "section", "--then-top", "1", "--trajectories", "2",
                 "--workers", "0", "--out", str(out), "--quiet", "--no-charts", "--doc", str(doc), "--name", "two"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    first = pq.read_table(out / "toyville" / "two" / "indices.parquet").to_pylist()
    top = min((r for r in first if r["outcome"] == TOTAL_OUTCOME and r["design_size"] == 2), key=lambda r: r["rank"])["factor"]
    members = {f.name for f, g in zip(select_factors(TOY_FACTORS), section_groups(select_factors(TOY_FACTORS))) if g == top}
    second = pq.read_table(out / "toyville" / "two-factors" / "indices.parquet").to_pylist()
    assert {r["factor"] for r in second} == members  # the top group's factors, each ranked on its own
    assert f"second stage: the {len(members)} factors of the 1 groups ranked highest for {TOTAL_OUTCOME}" in printed.out
    text = doc.read_text(encoding="utf-8")
    assert "- first stage: by groups: 3 factors in 2 groups" in text and "## First stage: the groups" in text
    assert "--then-top 1" in text and text.count("| rank |") > 2


@pytest.mark.parametrize("extra,message", [
    (["--then-top", "1"], "only with --groups"),
    (["--groups", "section", "--then-top", "2"], "from 1 to 1 (of 2)"),
    (["--groups", "section", "--then-top", "0"], "from 1 to 1"),
])
def test_a_second_stage_that_cannot_be_is_refused(tmp_path, capsys, extra, message: str) -> None:
    code = main(["sensitivity", str(TOY), "--factors", *TOY_FACTORS, *extra, "--workers", "0", "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "--then-top" in err and message in err
    assert not (tmp_path / "o").exists()
