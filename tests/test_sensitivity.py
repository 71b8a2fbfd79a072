"""Global sensitivity (talentsim sensitivity): the factor space, SALib's designs and indices through the study
runner, known answers (Ishigami's Sobol' indices, a linear function's Morris effects), lever effects as
paired differences, serial = parallel, resuming, convergence, charts and the published document."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from chart_files import assert_chart_files
from sim.cli import main
from sim.config import load_scenario
from sim.ensemble import done_marker, partition_file
from sim.sensitivity import (
    OUTCOMES_TABLE, SHARE_OUTCOME, TOTAL_OUTCOME, Factor, analyse, check_policies, convergence_table, declared_factor,
    _elementary_effects, effect_name, effects_by_trajectory, read_responses, run_sensitivity, unique_specs, sample_design, select_factors, sensitivity_study, talentsim_simulator,
)
from sim.sensitivity_doc import MARKER, check_doc_target, sensitivity_markdown, write_sensitivity_doc
from sim.sensitivity_functions import (
    OUTCOME, function_simulator, ishigami_factors, ishigami_indices, linear_factors,
)
from sim.xlrm import Parameter, levers, uncertainties

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "toyville_scenario.yaml"
TOY_REGION = ROOT / "tests" / "data" / "toyville.yaml"
ISHIGAMI_N = 256            # base samples: 2,048 runs with second order, about 15 s through the runner
ISHIGAMI_TOLERANCE = 0.1    # |estimate - analytic| for S1, ST and S2 at this N (the estimates' errors are below 0.06)
TOY_FACTORS = ["uncertainties.graduate_supply", "uncertainties.behaviour.wage_weight"]
TOY_SIZE = 2                # Morris trajectories of the toy studies: 6 rows x 3 scenarios x 2 seeds


# ------------------------------------------------------------------ known answers
@pytest.fixture(scope="module")
def ishigami_study(tmp_path_factory):
    design = sample_design(ishigami_factors(), method="sobol", size=ISHIGAMI_N, seed=11, second_order=True)
    return run_sensitivity(design, function_simulator("sim.sensitivity_functions:ishigami"),
                           study_dir=tmp_path_factory.mktemp("ishigami"), outcomes=[OUTCOME], workers=0, resamples=200)


def ishigami_errors(indices, second_order) -> dict[str, float]:
    """The largest distance of S1, ST and S2 (whole design) from the analytic values."""
    exact = ishigami_indices()
    full = [r for r in indices.to_pylist() if r["design_size"] == ISHIGAMI_N]
    errors = {"S1": max(abs(r["s1"] - exact["S1"][r["factor"]]) for r in full),
              "ST": max(abs(r["st"] - exact["ST"][r["factor"]]) for r in full)}
    if second_order is not None:
        errors["S2"] = max(abs(r["s2"] - exact["S2"][(r["factor_a"], r["factor_b"])]) for r in second_order.to_pylist())
    return errors


def test_ishigami_through_the_pipeline_recovers_its_analytic_sobol_indices(ishigami_study) -> None:
    assert not ishigami_study.failures
    assert len(ishigami_study.specs) == ishigami_study.design.rows == ISHIGAMI_N * 8
    errors = ishigami_errors(ishigami_study.indices, ishigami_study.second_order)
    assert set(errors) == {"S1", "ST", "S2"}
    assert all(e < ISHIGAMI_TOLERANCE for e in errors.values()), errors
    # the interval of each index covers the analytic value
    exact = ishigami_indices()
    for r in ishigami_study.indices.to_pylist():
        if r["design_size"] == ISHIGAMI_N:
            assert r["st_ci_low"] <= exact["ST"][r["factor"]] <= r["st_ci_high"]


def test_the_ishigami_check_fails_on_misordered_responses_and_on_a_wrong_estimator(ishigami_study) -> None:
    design, y = ishigami_study.design, ishigami_study.responses[OUTCOME]
    # responses taken in the order the runs finished rather than the design's: a runner bug the check must catch
    shuffled = {OUTCOME: np.random.default_rng(0).permutation(y)}
    indices, second, _ = analyse(design, shuffled, outcomes=[OUTCOME], resamples=20)
    assert max(ishigami_errors(indices, second).values()) > ISHIGAMI_TOLERANCE
    # an estimator that ignores interactions (first-order indices reported as totals) misses x3's total effect
    wrong = ishigami_study.indices.set_column(ishigami_study.indices.schema.get_field_index("st"), "st",
                                              ishigami_study.indices.column("s1"))
    assert ishigami_errors(wrong, None)["ST"] > ISHIGAMI_TOLERANCE


def test_morris_on_a_linear_function_gives_its_exact_elementary_effects(tmp_path) -> None:
    coefficients = [1.5, -2.0, 0.25]
    factors = linear_factors(coefficients)
    design = sample_design(factors, method="morris", size=6, seed=4)
    result = run_sensitivity(design, function_simulator("sim.sensitivity_functions:linear", coefficients=coefficients),
                             study_dir=tmp_path, outcomes=[OUTCOME], workers=0, resamples=50)
    rows = {r["factor"]: r for r in result.indices.to_pylist() if r["design_size"] == 6}
    for c, f in zip(coefficients, factors):
        width = f.high - f.low  # effects are per whole range: the design is drawn in the unit cube
        assert rows[f.name]["mu"] == pytest.approx(c * width)
        assert rows[f.name]["mu_star"] == pytest.approx(abs(c) * width)
        assert rows[f.name]["sigma"] == pytest.approx(0, abs=1e-9)
    assert [rows[f.name]["rank"] for f in factors] == [2, 1, 3]  # |c| x width: 3, 6, 1.5 -> ranks 2, 1, 3


def test_elementary_effects_agree_with_salib_statistics_by_either_route() -> None:
    import SALib.analyze.morris as salib_morris

    design = sample_design(linear_factors([1.0, 2.0, 3.0, 4.0]), method="morris", size=6, seed=2)
    y = np.sin(3 * design.unit).sum(axis=1) + design.unit[:, 0] * design.unit[:, 1]  # nonlinear and interacting: sigma > 0
    stats = salib_morris.analyze(design.problem(), design.unit, y, num_levels=design.levels)
    fast = _elementary_effects(design, design.unit, y)
    assert np.allclose(fast.mean(axis=1), stats["mu"]) and np.allclose(fast.std(axis=1, ddof=1), stats["sigma"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a screening's log shows no numpy warning for a trajectory's undefined spread
        by_trajectory = effects_by_trajectory(design, design.unit, y)
    assert np.allclose(by_trajectory, fast)


# ------------------------------------------------------------------ the factor space
@pytest.mark.parametrize("method,size", [("morris", 4), ("sobol", 8), ("lhs", 10)])
def test_sampled_values_respect_every_declared_range_valid_bounds_and_integer_type(method: str, size: int) -> None:
    from sim.config import parameter_table

    valid = {r["name"]: r["valid"] for r in parameter_table()}
    factors = select_factors(["uncertainties", "levers"])
    assert {f.name for f in factors} == {p.name for p in [*uncertainties(), *levers()]}
    rows = sample_design(factors, method=method, size=size, seed=3).values()
    for f in factors:
        values = np.array([row[f.name] for row in rows])
        assert f.low <= values.min() and values.max() <= f.high
        if valid[f.name] is not None:
            assert valid[f.name][0] <= values.min() and values.max() <= valid[f.name][1]
        if f.kind == "integer":
            assert all(isinstance(row[f.name], int) for row in rows)


def test_integer_factors_reach_both_ends_of_their_range() -> None:
    month = Factor(name="levers.projects.selection_month", kind="integer", low=1, high=12)
    assert month.values(np.array([0.0, 0.5, 0.999, 1.0])) == [1, 7, 12, 12]
    assert sorted(set(month.values(np.linspace(0, 1, 1000)))) == list(range(1, 13))


def test_a_range_outside_its_validity_bounds_is_refused() -> None:
    p = Parameter(name="levers.housing.rent_discount", short="rent_discount", kind="real", low=0.2, high=1.5, default=0.5,
                  unit="", source="assumption")
    with pytest.raises(ValueError, match="validity bounds"):
        declared_factor(p)


def test_factor_groups_short_names_and_unknown_names() -> None:
    residents = select_factors(["uncertainties.residents"])
    assert residents and all(f.name.startswith("uncertainties.residents.") for f in residents)
    assert [f.name for f in select_factors(["wage_weight", "levers.housing.rent_discount"])] == [
        "uncertainties.behaviour.wage_weight", "levers.housing.rent_discount"]
    assert [f.name for f in select_factors(None)] == [p.name for p in uncertainties()]
    with pytest.raises(ValueError, match="close names"):
        select_factors(["wage_weigth"])


def test_design_sizes_are_checked() -> None:
    factors = select_factors(TOY_FACTORS)
    for method, size in (("morris", 3), ("morris", 0), ("sobol", 6), ("sobol", 2), ("lhs", 0), ("latin", 10)):
        with pytest.raises(ValueError):
            sample_design(factors, method=method, size=size, seed=1)


def test_a_latin_hypercube_puts_one_row_in_each_stratum_of_every_factor() -> None:
    factors = [Factor(name=f"x{i}", kind="real", low=0.0, high=1.0) for i in range(3)]
    design = sample_design(factors, method="lhs", size=20, seed=5)
    assert design.unit.shape == (20, 3) and design.rows == 20 and design.rows_per_block == 1
    for j in range(3):
        assert sorted(np.floor(design.unit[:, j] * 20).astype(int)) == list(range(20))
    again = sample_design(factors, method="lhs", size=20, seed=5)
    assert np.array_equal(design.unit, again.unit)
    assert not np.array_equal(design.unit, sample_design(factors, method="lhs", size=20, seed=6).unit)


def test_a_latin_hypercube_has_no_sensitivity_indices(tmp_path) -> None:
    design = sample_design(linear_factors([1.0, 2.0]), method="lhs", size=8, seed=2)
    with pytest.raises(ValueError, match="no sensitivity indices"):
        run_sensitivity(design, function_simulator("sim.sensitivity_functions:linear", coefficients=[1.0, 2.0]),
                        study_dir=tmp_path / "lhs", workers=0)
    assert not (tmp_path / "lhs").exists()


# ------------------------------------------------------------------ TalentSim as the model: effects, workers, resuming
def toy_policy(folder: Path, *, name: str, apartments: float) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(f"name: {name}\ntitle: {{en: {name}, zh: {name}}}\nextends: {TOY}\nregion: {TOY_REGION}\n"
                    f"levers:\n  housing: {{apartments_per_year: {apartments}}}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def toy_study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("toy")
    scenarios = [load_scenario(TOY), load_scenario(toy_policy(folder, name="toy_more_housing", apartments=2000)),
                 load_scenario(toy_policy(folder, name="toy_same_policy", apartments=200))]
    result = sensitivity_study(scenarios, factors=select_factors(TOY_FACTORS), method="morris", size=TOY_SIZE, out=folder / "out",
                               seeds=2, workers=0, charts=False, resamples=50)
    return scenarios, result


def test_a_lever_effect_is_the_paired_difference_at_the_same_values_and_seeds(toy_study) -> None:
    scenarios, result = toy_study
    assert not result.failures
    by_key = {}
    for spec in result.specs:
        table = pq.read_table(partition_file(result.study_dir, OUTCOMES_TABLE, spec.run_id)).to_pylist()
        by_key[(spec.config["name"], spec.point, spec.seed)] = ({r["outcome"]: r["value"] for r in table}, spec)
    seeds = sorted({seed for _, _, seed in by_key})
    assert len(seeds) == 2
    effect = result.responses[effect_name("toy_more_housing", TOTAL_OUTCOME)]
    for row in range(result.design.rows):
        pairs = [(by_key.get(("toy_more_housing", row, s)), by_key.get(("toyville", row, s))) for s in seeds]
        pairs = [p for p in pairs if p[0] and p[1]]
        for (policy, p_spec), (base, b_spec) in pairs:
            factors = [f.name for f in result.design.factors]
            assert [_config_value(p_spec.config, n) for n in factors] == [_config_value(b_spec.config, n) for n in factors]
            assert p_spec.seed == b_spec.seed
        if len(pairs) == len(seeds):
            expected = np.mean([p[0][0][TOTAL_OUTCOME] - p[1][0][TOTAL_OUTCOME] for p in pairs])
            assert effect[row] == pytest.approx(expected)
    # a "policy" that changes nothing has no effect at any row: the same values and seeds give the same run
    assert np.all(result.responses[effect_name("toy_same_policy", TOTAL_OUTCOME)] == 0)
    assert np.any(effect != 0)


def _config_value(config: dict, name: str):
    node = config
    for part in name.split("."):
        node = node[part]
    return node


def test_indices_cover_the_outcomes_asked_for_at_n_and_2n(toy_study) -> None:
    _, result = toy_study
    assert TOTAL_OUTCOME in result.outcomes and SHARE_OUTCOME in result.outcomes
    assert effect_name("toy_more_housing", TOTAL_OUTCOME) in result.outcomes
    sizes = sorted(set(result.indices.column("design_size").to_pylist()))
    assert sizes == [TOY_SIZE // 2, TOY_SIZE]
    assert set(result.convergence.column("outcome").to_pylist()) == set(result.outcomes)


def test_serial_and_parallel_studies_give_the_same_indices_and_a_resumed_one_too(toy_study, tmp_path) -> None:
    scenarios, serial = toy_study
    factors = select_factors(TOY_FACTORS)
    parallel = sensitivity_study(scenarios, factors=factors, method="morris", size=TOY_SIZE, out=tmp_path, seeds=2, workers=2,
                                 charts=False, resamples=50)
    assert parallel.indices.equals(serial.indices)
    # stop half-way: remove the completion marker and outcome file of every other run, then run again
    removed = unique_specs(parallel.specs)[::2]
    for spec in removed:
        done_marker(parallel.study_dir, spec.run_id).unlink()
        partition_file(parallel.study_dir, OUTCOMES_TABLE, spec.run_id).unlink()
    resumed = sensitivity_study(scenarios, factors=factors, method="morris", size=TOY_SIZE, out=tmp_path, seeds=2, workers=0,
                                charts=False, resamples=50)
    assert sum(1 for s in resumed.status.values() if s == "done") == len(removed)
    assert resumed.indices.equals(serial.indices)


def test_responses_are_read_in_design_order_whatever_the_order_of_the_specs(toy_study) -> None:
    _, result = toy_study
    reordered = list(reversed(result.specs))
    again = read_responses(reordered, study_dir=result.study_dir, arms=result.arms, rows=result.design.rows)
    assert all(np.array_equal(again[o], result.responses[o]) for o in result.responses)


def test_a_policy_that_sets_a_sampled_factor_is_refused(tmp_path) -> None:
    base = load_scenario(TOY)
    policy = load_scenario(toy_policy(tmp_path, name="toy_more_housing", apartments=2000))
    problems = check_policies([base, policy], select_factors(["levers.housing.apartments_per_year"]))
    assert problems and "sampled factor" in problems[0]
    assert check_policies([base, policy], select_factors(TOY_FACTORS)) == []


def test_talentsim_simulator_runs_each_row_in_each_arm_with_the_same_seeds() -> None:
    scenarios = [load_scenario(TOY)]
    design = sample_design(select_factors(TOY_FACTORS), method="morris", size=2, seed=5)
    specs = talentsim_simulator(scenarios, seeds=3, scale=100).specs(design)
    assert len(specs) == design.rows * 3
    assert {s.config["run"]["scale"] for s in specs} == {100}
    seeds_by_row = {}
    for s in specs:
        seeds_by_row.setdefault(s.point, set()).add(s.seed)
    assert len({frozenset(v) for v in seeds_by_row.values()}) == 1


# ------------------------------------------------------------------ convergence, charts, document
def test_the_convergence_report_flags_a_ranking_whose_top_changes() -> None:
    import pyarrow as pa

    names = [f"f{i}" for i in range(7)]
    half = [7, 6, 5, 4, 3, 2, 1]
    full_same, full_other = [7.5, 6.5, 5, 4, 3, 2, 1], [1, 2, 3, 4, 5, 6, 7]

    def table(full):
        rows = []
        for size, values in ((2, half), (4, full)):
            order = np.argsort(-np.array(values), kind="stable")
            ranks = np.empty(len(values), int)
            ranks[order] = np.arange(1, len(values) + 1)
            rows += [{"outcome": "y", "design_size": size, "factor": n, "rank": int(r), "mu_star": float(v)}
                     for n, r, v in zip(names, ranks, values)]
        return pa.Table.from_pylist(rows)

    same = convergence_table(table(full_same), method="morris", size=4).to_pylist()[0]
    other = convergence_table(table(full_other), method="morris", size=4).to_pylist()[0]
    assert same["same_top_set"] and same["same_top_order"] and same["rank_correlation"] == pytest.approx(1.0)
    assert not other["same_top_set"] and other["rank_correlation"] == pytest.approx(-1.0)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_morris_and_sobol_charts(toy_study, ishigami_study, tmp_path, lang: str) -> None:
    from sim.charts.sensitivity import chart_stem, render_sensitivity_charts

    scenarios, result = toy_study
    outcomes = [TOTAL_OUTCOME, effect_name("toy_more_housing", TOTAL_OUTCOME)]
    paths = render_sensitivity_charts(indices=result.indices, outcomes=outcomes, out_dir=tmp_path / "m", lang=lang,
                                      caption="test", clusters=scenarios[0].load_region().labels())
    assert_chart_files(tmp_path / "m", paths, tuple(chart_stem("morris", o) for o in outcomes))
    paths = render_sensitivity_charts(indices=ishigami_study.indices, outcomes=[OUTCOME], out_dir=tmp_path / "s", lang=lang, caption="")
    assert_chart_files(tmp_path / "s", paths, (chart_stem("sobol", OUTCOME),))


def test_the_published_document_keeps_its_head_and_names_its_command(toy_study, tmp_path) -> None:
    _, result = toy_study
    command = ["sensitivity", "toyville", "--trajectories", "4"]
    tail = sensitivity_markdown(result, command=command, scale=100, seeds=2)
    assert "talentsim sensitivity toyville --trajectories 4" in tail
    assert "uncertainties.behaviour.wage_weight" in tail and "Which parameters most need evidence" in tail
    doc = tmp_path / "sensitivity.md"
    write_sensitivity_doc(doc, tail)
    text = doc.read_text(encoding="utf-8")
    assert MARKER in text and text.startswith("# Global sensitivity")
    doc.write_text(text.replace("# Global sensitivity", "# My own head"), encoding="utf-8")
    write_sensitivity_doc(doc, tail)
    assert doc.read_text(encoding="utf-8").startswith("# My own head")
    hand_written = tmp_path / "notes.md"
    hand_written.write_text("# notes\n", encoding="utf-8")
    with pytest.raises(ValueError, match="generated tables"):
        check_doc_target(hand_written)


def test_docs_sensitivity_md_names_the_command_that_regenerates_it() -> None:
    text = (ROOT / "docs" / "sensitivity.md").read_text(encoding="utf-8")
    assert MARKER in text
    command = text.split(MARKER, 1)[1].split("```")[1].strip()
    assert command.startswith("talentsim sensitivity ") and "--doc docs/sensitivity.md" in command


# ------------------------------------------------------------------ the command line
def test_the_command_runs_a_study_writes_its_tables_charts_and_document(tmp_path, capsys) -> None:
    out, doc = tmp_path / "out", tmp_path / "sens.md"
    code = main(["sensitivity", str(TOY), "--factors", *TOY_FACTORS, "--trajectories", "2", "--workers", "0", "--out", str(out),
                 "--lang", "en", "--quiet", "--doc", str(doc)])
    assert code == 0, capsys.readouterr().err
    folder = next((out / "toyville").iterdir())
    for name in ("design.parquet", "responses.parquet", "indices.csv", "convergence.csv"):
        assert (folder / name).exists()
    assert sorted(p.name for p in (folder / "charts").glob("*.png")) == ["morris_talent_share_2035.png", "morris_talent_total_2035.png"]
    assert "--trajectories 2" in doc.read_text(encoding="utf-8")
    printed = capsys.readouterr().out
    assert "runs per minute" in printed and "talent_total_2035" in printed


BAD_OPTIONS = {
    "odd_trajectories": (["--trajectories", "3"], "--trajectories"),
    "samples_with_morris": (["--samples", "8"], "--samples"),
    "trajectories_with_sobol": (["--method", "sobol", "--trajectories", "4"], "--trajectories"),
    "samples_not_power_of_two": (["--method", "sobol", "--samples", "100"], "--samples"),
    "odd_levels": (["--levels", "3"], "--levels"),
    # zero is a number given, not the default left out
    "zero_trajectories": (["--trajectories", "0"], "--trajectories"),
    "zero_levels": (["--levels", "0"], "--levels"),
    "zero_samples": (["--method", "sobol", "--samples", "0"], "--samples"),
    "unknown_factor": (["--factors", "wage_weigth"], "--factors"),
    "unknown_outcome": (["--outcome", "talent_total_2099"], "--outcome"),
    "huge_design": (["--trajectories", "1000000000"], "--trajectories"),
    "scale_zero": (["--scale", "0"], "--scale"),
    "bad_name": (["--name", "../x"], "--name"),
    "doc_folder_missing": (["--doc", "/no/such/folder/s.md"], "--doc"),
}


@pytest.mark.parametrize("case", sorted(BAD_OPTIONS))
def test_bad_options_are_refused_before_any_run(tmp_path, capsys, case: str) -> None:
    extra, option = BAD_OPTIONS[case]
    out = tmp_path / "out"
    code = main(["sensitivity", str(TOY), "--workers", "0", "--out", str(out), "--quiet", *extra])
    err = capsys.readouterr().err
    assert code == 2, err
    assert option in err and "Traceback" not in err
    assert not out.exists()


def test_a_policy_setting_a_sampled_factor_is_refused_by_the_command(tmp_path, capsys) -> None:
    policy = toy_policy(tmp_path, name="toy_more_housing", apartments=2000)
    out = tmp_path / "out"
    code = main(["sensitivity", str(TOY), "--policy", str(policy), "--factors", "apartments_per_year", "--workers", "0",
                 "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "--policy" in err and "apartments_per_year" in err
    assert not out.exists()


def test_a_hand_written_document_is_not_overwritten(tmp_path, capsys) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text("# notes\n", encoding="utf-8")
    code = main(["sensitivity", str(TOY), "--workers", "0", "--out", str(tmp_path / "out"), "--quiet", "--doc", str(doc)])
    assert code == 2 and "--doc" in capsys.readouterr().err
    assert doc.read_text(encoding="utf-8") == "# notes\n"
    assert not (tmp_path / "out").exists()


def test_a_study_from_python_refuses_an_unknown_outcome_and_no_scenario_before_any_run(tmp_path, monkeypatch) -> None:
    import sim.sensitivity as sa

    monkeypatch.setattr(sa, "run_sensitivity", lambda *a, **k: pytest.fail("ran before the outcomes were checked"))
    factors = select_factors(TOY_FACTORS)
    with pytest.raises(ValueError, match="talent_total_2099 are not outcomes of this study"):
        sensitivity_study([load_scenario(TOY)], factors=factors, method="morris", size=TOY_SIZE, out=tmp_path / "out", workers=0,
                          outcomes=["talent_total_2035", "talent_total_2099"])
    with pytest.raises(ValueError, match="needs a base scenario"):
        sensitivity_study([], factors=factors, method="morris", size=TOY_SIZE, out=tmp_path / "out", workers=0)
    assert not (tmp_path / "out").exists()
