"""Scenario discovery (talentsim discover): the Latin hypercube, the cases, PRIM's box on a known answer, the box
rule, a study of the toy region through the command line (resumed under another threshold, serial = parallel) and
bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from chart_files import assert_chart_files
from sim.cli import main
from sim.discover import MIN_COVERAGE, case_mask, choose_box, factor_frame, find_box, parse_design
from sim.sensitivity import OUTCOMES_TABLE, Factor, sample_design

pytest.importorskip("ema_workbench")

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "toyville_scenario.yaml"
TOY_REGION = ROOT / "tests" / "data" / "toyville.yaml"
TOY_FACTORS = ["uncertainties.graduate_supply", "uncertainties.behaviour.wage_weight"]
TOY_ROWS = 16
SHORT = ["--set", "run.end=2022-12"]
# the true box of the known answer: x0 in [2, 6] and x2 above 5, on ranges [0, 10]
TRUE_BOX = {"x0": (2.0, 6.0), "x2": (5.0, 10.0)}
LIMIT_TOLERANCE = 0.6       # PRIM's limits lie on data points: 200 rows put a point every ~0.05 of the range per factor


# ------------------------------------------------------------------ the design and the cases
def test_the_design_option_takes_lhs_rows_only() -> None:
    assert parse_design("lhs:12") == 12
    for bad in ("lhs:0", "lhs:5", "lhs:-3", "lhs:x", "lhs", "morris:20", "12"):
        with pytest.raises(ValueError):
            parse_design(bad)


def test_cases_are_rows_whose_effect_is_below_the_threshold_absolute_or_relative() -> None:
    effect, base = np.array([10.0, 50.0, 200.0, -5.0]), np.array([1000.0, 1000.0, 10_000.0, 100.0])
    assert case_mask(effect, base, threshold=50.0, kind="absolute").tolist() == [True, False, False, True]
    assert case_mask(effect, base, threshold=0.03, kind="relative").tolist() == [True, False, True, True]
    with pytest.raises(ValueError, match="undefined"):
        case_mask(np.array([1.0, np.nan]), np.array([1.0, 1.0]), threshold=0.0, kind="absolute")
    with pytest.raises(ValueError, match="not positive"):
        case_mask(np.array([1.0, 1.0]), np.array([1.0, 0.0]), threshold=0.1, kind="relative")


def test_the_chosen_box_is_the_densest_with_enough_coverage_the_first_of_equals() -> None:
    coverage = [1.0, 0.9, 0.7, 0.6, 0.45, 0.3]
    density = [0.2, 0.4, 0.8, 0.8, 0.95, 1.0]
    assert choose_box(coverage, density) == 2
    assert choose_box(coverage, density, min_coverage=0.4) == 4
    assert choose_box([1.0, 0.4], [0.3, 0.9]) == 0   # nothing else covers enough: the whole space


# ------------------------------------------------------------------ a known answer
def test_prim_finds_the_box_in_two_of_four_factors() -> None:
    factors = [Factor(name=f"x{i}", kind="real", low=0.0, high=10.0, unit="u") for i in range(4)]
    design = sample_design(factors, method="lhs", size=200, seed=9)
    x = factor_frame(design)
    y = (x["x0"].between(*TRUE_BOX["x0"]) & (x["x2"] > TRUE_BOX["x2"][0])).to_numpy()
    found = find_box(x, y, factors=factors)
    box = {r["factor"]: r for r in found.box.to_pylist()}
    assert set(box) == set(TRUE_BOX)
    for name, (low, high) in TRUE_BOX.items():
        assert abs(box[name]["low"] - low) < LIMIT_TOLERANCE and abs(box[name]["high"] - high) < LIMIT_TOLERANCE, box[name]
        assert (box[name]["range_low"], box[name]["range_high"]) == (0.0, 10.0)
    assert box["x2"]["qp_high"] is None and box["x2"]["qp_low"] < 0.01   # only its lower side is restricted
    stats = found.stats()
    assert stats["coverage"] >= 0.8 and stats["density"] >= 0.9 and stats["restricted_dims"] == 2
    t = found.trajectory.to_pydict()
    assert t["chosen"].count(True) == 1 and t["chosen"][found.chosen]
    assert t["coverage"][0] == 1.0 and math.isclose(t["density"][0], y.mean())
    assert found.cases == int(y.sum()) and found.rows == 200


def test_prim_wants_cases_and_other_rows() -> None:
    factors = [Factor(name="x0", kind="real", low=0.0, high=1.0)]
    x = factor_frame(sample_design(factors, method="lhs", size=20, seed=1))
    for y in (np.zeros(20, bool), np.ones(20, bool)):
        with pytest.raises(ValueError, match="cases and other rows"):
            find_box(x, y, factors=factors)


# ------------------------------------------------------------------ the toy region through the command line
def discover(out: Path, policy: Path, threshold: float, *extra: str) -> int:
    return main(["discover", str(TOY), "--policy", str(policy), "--threshold", repr(threshold), "--design", f"lhs:{TOY_ROWS}",
                 "--scale", "1", "--factors", *TOY_FACTORS, *SHORT, "--workers", "0", "--out", str(out), "--quiet", "--lang", "en",
                 *extra])


@pytest.fixture(scope="module")
def toy_policy(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("policy") / "toy_more_housing.yaml"
    path.write_text(f"name: toy_more_housing\nextends: {TOY}\nregion: {TOY_REGION}\nlevers: {{housing: {{apartments_per_year: 800}}}}\n",
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def toy_study(tmp_path_factory, toy_policy) -> dict:
    """A discovery of the toy region, analysed again at the median effect (the runs are found, not repeated)."""
    out = tmp_path_factory.mktemp("discover") / "out"
    assert discover(out, toy_policy, 0.0) == 0
    (folder,) = (out / "toyville").iterdir()
    effects = pq.read_table(folder / "discovery_cases.parquet").column("effect").to_numpy()
    median = float(np.median(effects))
    assert discover(out, toy_policy, median) == 0
    return {"out": out, "folder": folder, "threshold": median}


def test_the_cases_are_the_paired_effects_of_the_runs_below_the_threshold(toy_study) -> None:
    folder = toy_study["folder"]
    cases = pq.read_table(folder / "discovery_cases.parquet").to_pydict()
    assert cases["row"] == list(range(TOY_ROWS))
    design = pq.read_table(folder / "design.parquet")
    assert design.num_rows == TOY_ROWS * len(TOY_FACTORS) and (folder / "design.csv").exists()
    # each row's effect from the run files themselves: the policy's run minus the base's, same row and seed
    values: dict[tuple[str, int], float] = {}
    for path in (folder / "runs" / OUTCOMES_TABLE).glob("*.parquet"):
        t = pq.read_table(path).to_pydict()
        at = t["outcome"].index("talent_total_2035")
        values[(t["scenario"][at], t["point"][at])] = t["value"][at]
    assert len(values) == 2 * TOY_ROWS
    for row in range(TOY_ROWS):
        effect = values[("toy_more_housing", row)] - values[("toyville", row)]
        assert math.isclose(cases["effect"][row], effect, rel_tol=1e-12, abs_tol=1e-9)
        assert cases["base_value"][row] == values[("toyville", row)]
        assert cases["is_case"][row] == (effect < toy_study["threshold"])
    assert 0 < sum(cases["is_case"]) < TOY_ROWS


def test_the_box_lies_in_the_sampled_ranges_and_is_charted(toy_study) -> None:
    folder = toy_study["folder"]
    trajectory = pq.read_table(folder / "prim_trajectory.parquet").to_pydict()
    chosen = trajectory["chosen"].index(True)
    assert trajectory["chosen"].count(True) == 1 and trajectory["box"] == list(range(len(trajectory["box"])))
    eligible = [d for c, d in zip(trajectory["coverage"], trajectory["density"]) if c >= MIN_COVERAGE]
    assert trajectory["density"][chosen] == max(eligible)
    box = pq.read_table(folder / "prim_box.parquet").to_pylist()
    assert len(box) == trajectory["restricted_dims"][chosen]
    for r in box:
        assert r["factor"] in TOY_FACTORS and r["unit"]
        assert r["range_low"] <= r["low"] < r["high"] <= r["range_high"]
        assert (r["low"] > r["range_low"]) == (r["qp_low"] is not None)
    csv = pacsv.read_csv(folder / "prim_box.csv")
    assert csv.column_names == ["factor", "low", "high", "range_low", "range_high", "unit", "qp_low", "qp_high"]
    charts = sorted((folder / "charts").iterdir())
    assert_chart_files(folder / "charts", charts, ("prim_trajectory", "prim_box"))


def test_no_case_is_reported_without_prim_and_the_earlier_box_is_removed(tmp_path, toy_study, toy_policy, capsys) -> None:
    folder = toy_study["folder"]
    lowest = float(pq.read_table(folder / "discovery_cases.parquet").column("effect").to_numpy().min())
    assert (folder / "prim_box.parquet").exists()
    capsys.readouterr()
    assert discover(toy_study["out"], toy_policy, lowest) == 0
    text = capsys.readouterr().out
    assert f"{2 * TOY_ROWS} of {2 * TOY_ROWS} runs complete" in text
    assert "no row is a case" in text and "no box" in text
    assert not pq.read_table(folder / "discovery_cases.parquet").column("is_case").to_numpy().any()
    assert not any((folder / f"{name}.{ext}").exists() for name in ("prim_box", "prim_trajectory") for ext in ("parquet", "csv"))
    assert not list((folder / "charts").glob("prim_*"))
    assert discover(toy_study["out"], toy_policy, toy_study["threshold"]) == 0   # the fixture's state for the other tests


@pytest.mark.slow
def test_serial_and_parallel_write_the_same_files(tmp_path, toy_study, toy_policy) -> None:
    out = tmp_path / "parallel"
    code = main(["discover", str(TOY), "--policy", str(toy_policy), "--threshold", repr(toy_study["threshold"]), "--design",
                 f"lhs:{TOY_ROWS}", "--scale", "1", "--factors", *TOY_FACTORS, *SHORT, "--workers", "2", "--out", str(out),
                 "--quiet", "--no-charts"])
    assert code == 0
    parallel = out / "toyville" / toy_study["folder"].name
    for name in ("design.parquet", "discovery_cases.parquet", "discovery_cases.csv", "prim_trajectory.csv", "prim_box.csv",
                 "prim_box.parquet"):
        assert (parallel / name).read_bytes() == (toy_study["folder"] / name).read_bytes(), name


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(("extra", "message"), [
    (["--policy", "no_such_scenario", "--threshold", "0"], "no_such_scenario"),
    (["--threshold", "nan"], "--threshold"),
    (["--threshold", "0", "--design", "lhs:0"], "--design"),
    (["--threshold", "0", "--design", "sobol:64"], "lhs:N"),
    (["--threshold", "0", "--design", "lhs:60000"], "limit of 100,000 runs"),
    (["--threshold", "0", "--peel-alpha", "0.7"], "--peel-alpha"),
    (["--threshold", "0", "--outcome", "no_outcome"], "--outcome"),
    (["--threshold", "0", "--factors", "no_such_factor"], "--factors"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, toy_policy, capsys, extra, message) -> None:
    argv = ["discover", str(TOY), "--policy", str(toy_policy), *extra, "--out", str(tmp_path / "out"), "--workers", "0", "--quiet"]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_policy_that_sets_a_sampled_factor_or_is_the_base_exits_2(tmp_path, toy_policy, capsys) -> None:
    out = tmp_path / "out"
    assert main(["discover", str(TOY), "--policy", str(toy_policy), "--threshold", "0", "--factors", "apartments_per_year",
                 "--out", str(out), "--quiet"]) == 2
    assert "sampled factor" in capsys.readouterr().err
    assert main(["discover", str(TOY), "--policy", str(TOY), "--threshold", "0", "--out", str(out), "--quiet"]) == 2
    assert "base scenario itself" in capsys.readouterr().err
    assert not out.exists()


def test_a_threshold_that_is_no_number_exits_2(tmp_path, toy_policy, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["discover", str(TOY), "--policy", str(toy_policy), "--threshold", "five", "--out", str(tmp_path / "out")])
    assert stop.value.code == 2
    assert "--threshold" in capsys.readouterr().err


@pytest.mark.parametrize("setting, expected", [({"threshold": math.nan}, "finite"), ({"kind": "weird"}, "threshold kind"),
                                               ({"outcome": "talent_total_2099"}, "not an outcome"), ({"peel_alpha": 0.0}, "peel_alpha")])
def test_a_study_from_python_checks_its_settings_before_any_run(tmp_path, toy_policy, monkeypatch, setting, expected) -> None:
    import sim.discover as sd
    from sim.config import load_scenario
    from sim.sensitivity import select_factors

    monkeypatch.setattr(sd, "run_design", lambda *a, **k: pytest.fail("ran before the settings were checked"))
    options = {"threshold": 0.0, **setting}
    with pytest.raises(ValueError, match=expected):
        sd.discover_study(load_scenario(TOY), load_scenario(toy_policy), factors=select_factors(TOY_FACTORS), out=tmp_path / "out",
                          rows=TOY_ROWS, workers=0, **options)
    assert not (tmp_path / "out").exists()
