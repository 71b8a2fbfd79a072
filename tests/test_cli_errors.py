"""Bad input reaches the user as a short message naming the file and the field: exit code 2,
no traceback, and nothing written. Run as a subprocess, exactly as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.config import HousingLever, Scenario

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "toyville_scenario.yaml"
# a short run, so that a configuration that wrongly passes validation fails the test quickly
SHORT_RUN = 'run: {end: "2022-02", scale: 1000}\n'


def talentsim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def assert_rejected(result: subprocess.CompletedProcess, out: Path, *expected: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, f"exit code {result.returncode}; stderr:\n{result.stderr}"
    for text in expected:
        assert text in result.stderr, f"{text!r} not in stderr:\n{result.stderr}"
    assert not out.exists(), f"{out} was created for a rejected configuration"


BAD_FILES = {
    "unknown_key": ("region: jiaxing\n" + SHORT_RUN + "levers: {housing: {apartmens_per_year: 8000}}\n",
                    ["levers.housing.apartmens_per_year", "unknown field", *HousingLever.model_fields]),
    "unknown_top_level_key": ("region: jiaxing\n" + SHORT_RUN + "levres: {}\n",
                              ["levres", "unknown field", *Scenario.model_fields]),
    "wrong_type": ("region: jiaxing\n" + SHORT_RUN + "levers: {housing: {apartments_per_year: many}}\n",
                   ["levers.housing.apartments_per_year", "many"]),
    "scale_zero": ('region: jiaxing\nrun: {end: "2022-02", scale: 0}\n', ["run.scale"]),
    "rent_discount_above_one": ("region: jiaxing\n" + SHORT_RUN + "levers: {housing: {rent_discount: 1.5}}\n",
                                ["levers.housing.rent_discount", "1.5"]),
    "end_before_start": ('region: jiaxing\nrun: {start: "2023-01", end: "2022-06", scale: 1000}\n', ["run", "2022-06"]),
    "bad_month": ('region: jiaxing\nrun: {end: "2022-13", scale: 1000}\n', ["run.end", "YYYY-MM"]),
    "unknown_cluster": ("region: jiaxing\n" + SHORT_RUN + "levers: {funding: {industry_funds_yuan: {atlantis: 1.0e+8}}}\n",
                        ["levers.funding.industry_funds_yuan.atlantis", "nanhu_microelectronics"]),
    "unknown_competitor": ("region: jiaxing\n" + SHORT_RUN + "uncertainties: {competitors: {gotham: {shock: 0.5}}}\n",
                           ["uncertainties.competitors.gotham", "shanghai"]),
    "unknown_region": ("region: atlantis\n" + SHORT_RUN, ["region", "jiaxing"]),
    "missing_base": ("extends: no_such_base.yaml\n" + SHORT_RUN, ["extends", "no_such_base.yaml"]),
    "invalid_yaml": ("levers: {housing: [1\n", ["YAML"]),
    "top_level_list": ("- 1\n- 2\n", ["mapping"]),
    # a NaN or a negative number of apartments is no plan a city can make
    "nan_lever": ("region: jiaxing\n" + SHORT_RUN + "levers: {housing: {apartments_per_year: .nan}}\n",
                  ["levers.housing.apartments_per_year"]),
    "negative_apartments": ("region: jiaxing\n" + SHORT_RUN + "levers: {housing: {apartments_per_year: -100}}\n",
                            ["levers.housing.apartments_per_year"]),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_scenario_file(tmp_path: Path, case: str) -> None:
    text, expected = BAD_FILES[case]
    bad = tmp_path / f"{case}.yaml"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = talentsim("run", str(bad), "--out", str(out), "--quiet")
    assert_rejected(result, out, bad.name, *expected)


def test_extends_loop(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n" + SHORT_RUN, encoding="utf-8")
    out = tmp_path / "out"
    assert_rejected(talentsim("run", str(tmp_path / "a.yaml"), "--out", str(out), "--quiet"), out, "extends", "loop")


def test_nonexistent_scenario_file(tmp_path: Path) -> None:
    missing = tmp_path / "no_such_scenario.yaml"
    out = tmp_path / "out"
    assert_rejected(talentsim("run", str(missing), "--out", str(out), "--quiet"), out, "no_such_scenario.yaml", "not found")


def test_unknown_scenario_name_lists_the_shipped_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert_rejected(talentsim("run", "no_such_name", "--out", str(out), "--quiet"), out, "no_such_name", "baseline")


@pytest.mark.parametrize("setting, expected", [
    ("nonsense_parameter=3", ["nonsense_parameter", "unknown parameter"]),
    ("budget_yuan_per_year=1e9", ["budget_yuan_per_year", "ambiguous", "levers.housing.budget_yuan_per_year"]),
    ("run.scale=abc", ["run.scale", "abc"]),
    ("apartments_per_year", ["apartments_per_year", "NAME=VALUE"]),
], ids=["unknown", "ambiguous", "wrong_type", "no_equals_sign"])
def test_bad_set_override(tmp_path: Path, setting: str, expected: list[str]) -> None:
    out = tmp_path / "out"
    result = talentsim("run", str(TOY), "--set", setting, "--out", str(out), "--quiet")
    assert_rejected(result, out, *expected)
    if "=" in setting:
        assert TOY.name in result.stderr


def test_set_override_into_an_empty_section(tmp_path: Path) -> None:
    # `levers:` left empty in a file (all its lines commented out) is YAML null; an override must still apply or be refused cleanly
    scenario = tmp_path / "empty_levers.yaml"
    scenario.write_text("region: jiaxing\n" + SHORT_RUN + "levers:\n", encoding="utf-8")
    out = tmp_path / "out"
    result = talentsim("run", str(scenario), "--set", "apartments_per_year=5", "--out", str(out), "--quiet")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 2)
    if result.returncode == 2:
        assert_rejected(result, out, scenario.name, "levers")


def test_scale_flag_out_of_range(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert_rejected(talentsim("run", str(TOY), "--scale", "0", "--out", str(out), "--quiet"), out, TOY.name, "run.scale")


def test_unknown_language_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert_rejected(talentsim("run", str(TOY), "--lang", "fr", "--out", str(out), "--quiet"), out, "--lang")


def test_help_exits_zero() -> None:
    script = Path(sys.executable).parent / "talentsim"
    assert script.exists(), "the talentsim console script is not installed in the environment"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for command in ("run", "calibrate", "params"):
        assert command in result.stdout
    result = talentsim("run", "--help")
    assert result.returncode == 0 and "--seed" in result.stdout and "--set" in result.stdout


@pytest.mark.parametrize("command", ["ensemble", "sweep"])
def test_dashboard_without_bokeh_is_refused_before_any_run(tmp_path, monkeypatch, capsys, command) -> None:
    import importlib.util

    from sim.cli import main

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "bokeh" else real_find_spec(name, *a))
    out = tmp_path / "out"
    lever = ["--lever", "apartments_per_year=0:100:2"] if command == "sweep" else []
    code = main([command, str(TOY), *lever, "--seeds", "1", "--dashboard", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "--dashboard" in err and "bokeh" in err and "Traceback" not in err
    assert not out.exists()


def test_a_reader_that_stops_early_is_not_an_error_with_a_traceback(monkeypatch, capsys) -> None:
    # talentsim params | head: the pipe closes while the command still writes
    import io

    from sim.cli import main

    class ClosedPipe(io.TextIOBase):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            raise io.UnsupportedOperation("no descriptor")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["params"]) == 141
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("args", [["run", "baseline", "--out", ""], ["ensemble", "baseline", "--out", " "],
                                  ["sensitivity", "baseline", "--doc", ""], ["dashboard", "--save-dir", ""],
                                  ["ensemble", "baseline", "--tls-ca-file", ""]])
def test_an_empty_path_is_refused_not_read_as_the_current_folder(tmp_path: Path, args: list[str]) -> None:
    # an unset shell variable ($OUT) would otherwise write into the folder the command runs in
    result = talentsim(*args, cwd=tmp_path)
    assert result.returncode == 2 and "empty: give a path" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []
