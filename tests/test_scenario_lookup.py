"""Scenario names resolve in order: a file at the path given, ./scenarios/<name>.yaml, the packaged library.

The packaged library is the repository's scenarios/ folder here; tests/test_packaging.py checks an
installed wheel.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.config import load_scenario
from sim.errors import ConfigError
from sim.scenario_files import FOUND_AS_GIVEN, FOUND_IN_FOLDER, FOUND_IN_LIBRARY, locate_scenario, packaged_library

ROOT = Path(__file__).resolve().parent.parent
SHORT = 'run: {end: "2022-02", scale: 1000}\n'


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder outside the repository."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_packaged_library_in_a_checkout_is_the_repositorys_scenarios_folder() -> None:
    assert packaged_library() == ROOT / "scenarios"


def test_a_name_found_nowhere_else_comes_from_the_packaged_library(elsewhere: Path) -> None:
    scenario = load_scenario("baseline")
    assert scenario.found.found_in == FOUND_IN_LIBRARY
    assert scenario.found.file == packaged_library() / "baseline.yaml"
    assert scenario.found.record() == {"found_in": FOUND_IN_LIBRARY, "file": str(packaged_library() / "baseline.yaml")}


def test_a_scenario_in_the_current_folders_scenarios_comes_before_the_library(elsewhere: Path) -> None:
    _write(elsewhere / "scenarios", "baseline.yaml", "name: my_baseline\nregion: jiaxing\n" + SHORT)
    scenario = load_scenario("baseline")
    assert scenario.name == "my_baseline"
    assert scenario.found.found_in == FOUND_IN_FOLDER
    assert scenario.found.record()["file"] == str(elsewhere / "scenarios" / "baseline.yaml")


def test_an_existing_file_comes_first_even_without_a_yaml_suffix(elsewhere: Path) -> None:
    _write(elsewhere / "scenarios", "baseline.yaml", "name: from_folder\nregion: jiaxing\n")
    _write(elsewhere, "baseline", "name: from_file\nregion: jiaxing\n")
    scenario = load_scenario("baseline")
    assert (scenario.name, scenario.found.found_in) == ("from_file", FOUND_AS_GIVEN)


def test_a_path_that_does_not_exist_is_not_looked_up_elsewhere(elsewhere: Path) -> None:
    for written in ("baseline.yaml", "scenarios/baseline.yaml", "other/baseline"):
        with pytest.raises(ConfigError) as err:
            locate_scenario(written)
        assert err.value.problems[0].startswith("file not found"), err.value.problems
    assert "give its name" in err.value.problems[0]


def test_an_unknown_name_says_where_it_looked_and_which_names_exist(elsewhere: Path) -> None:
    _write(elsewhere / "scenarios", "mine.yaml", "name: mine\n")
    with pytest.raises(ConfigError) as err:
        locate_scenario("housing_plus75")
    text = "\n".join(err.value.problems)
    assert err.value.source == "housing_plus75"
    assert str(elsewhere / "scenarios") in text and str(packaged_library()) in text
    assert "mine" in text and "housing_plus50" in text and "baseline" in text


def test_a_scenario_of_ones_own_can_extend_the_packaged_baseline(elsewhere: Path) -> None:
    mine = _write(elsewhere, "mine.yaml", "extends: baseline.yaml\nname: mine\n" + SHORT
                  + "levers: {housing: {apartments_per_year: 9000}}\n")
    scenario = load_scenario(mine)
    baseline = load_scenario("baseline")
    assert scenario.levers.housing.apartments_per_year == 9000
    # the packaged baseline brings its calibration and its region with it
    assert scenario.uncertainties.behaviour == baseline.uncertainties.behaviour
    assert scenario.levers.funding == baseline.levers.funding
    assert scenario.region == "jiaxing"


def test_a_base_next_to_the_scenario_comes_before_the_packaged_one(elsewhere: Path) -> None:
    _write(elsewhere, "baseline.yaml", "name: local_base\nregion: jiaxing\nlevers: {housing: {rent_discount: 0.3}}\n")
    mine = _write(elsewhere, "mine.yaml", "extends: baseline.yaml\nname: mine\n")
    assert load_scenario(mine).levers.housing.rent_discount == 0.3


def test_a_missing_base_names_both_places_it_looked(elsewhere: Path) -> None:
    mine = _write(elsewhere, "mine.yaml", "extends: nowhere.yaml\n")
    with pytest.raises(ConfigError) as err:
        load_scenario(mine)
    assert "nowhere.yaml" in err.value.problems[0]
    assert str(elsewhere) in err.value.problems[0] and str(packaged_library()) in err.value.problems[0]


def test_a_base_given_by_its_scenario_name_is_told_its_file_name(elsewhere: Path) -> None:
    mine = _write(elsewhere, "mine.yaml", "extends: baseline\n")
    with pytest.raises(ConfigError) as err:
        load_scenario(mine)
    assert "write `extends: baseline.yaml`" in err.value.problems[0] and str(packaged_library()) in err.value.problems[0]


def test_a_scenario_of_ones_own_draws_from_the_posterior_of_the_packaged_base(elsewhere: Path) -> None:
    from sim.posterior import find_posterior, posterior_file

    mine = _write(elsewhere, "mine.yaml", "extends: baseline.yaml\nname: mine\n")
    packaged = posterior_file(packaged_library() / "baseline.yaml")
    assert packaged.is_file()
    assert find_posterior(mine) == packaged.resolve()
    # a base next to the scenario comes first, and without a posterior of its own neither the scenario nor it has one
    _write(elsewhere, "baseline.yaml", "name: local_base\n")
    assert find_posterior(mine) is None


def test_a_scenario_built_in_memory_has_no_source() -> None:
    from sim.config import Scenario

    assert Scenario().found is None


def test_a_fit_file_not_written_yet_is_told_how_it_starts(elsewhere: Path) -> None:
    mine = _write(elsewhere, "mine.yaml", "extends: calibration/mine_fit.yaml\n")
    with pytest.raises(ConfigError) as err:
        load_scenario(mine)
    assert "starting values, or `{}`" in err.value.problems[0] and "docs/regions.md" in err.value.problems[0]


def test_a_study_warns_when_the_scenarios_values_lie_outside_the_ranges_it_samples(toy_scenario_path, capsys) -> None:
    # the declared ranges are Jiaxing's: a small city's candidate pools lie below them; the packaged library's do not
    from sim.cli_common import warn_ranges
    from sim.xlrm import levers, outside_ranges, uncertainties

    names = [p.name for p in (*levers(), *uncertainties())]
    toy = load_scenario(toy_scenario_path)
    outside = outside_ranges(toy, names)
    assert "migrant_candidates_per_year 3,000 outside [40,000, 150,000]" in outside
    assert all(outside_ranges(load_scenario(path), names) == [] for path in sorted(packaged_library().glob("*.yaml")))
    warn_ranges(toy, names, study="sensitivity study")
    err = capsys.readouterr().err
    assert f"{len(outside)} of the parameters this sensitivity study samples" in err and "Jiaxing's" in err


def test_params_of_a_scenario_show_its_values_beside_the_defaults(toy_scenario_path, capsys) -> None:
    from sim.cli import main

    assert main(["params", str(toy_scenario_path), "--grep", "candidates_per_year"]) == 0
    lines = capsys.readouterr().out.splitlines()
    migrant = next(line for line in lines if line.startswith("uncertainties.behaviour.migrant_candidates_per_year"))
    assert migrant.startswith("uncertainties.behaviour.migrant_candidates_per_year = 3000.0 (default 90000) OUTSIDE its range")
    assert main(["params", "--grep", "migrant_candidates_per_year"]) == 0
    assert capsys.readouterr().out.startswith("uncertainties.behaviour.migrant_candidates_per_year = 90000 [")
    # a lever the schedule changes later says so, beside its value at the start
    assert main(["params", "housing_plus100", "--grep", "housing.apartments_per_year"]) == 0
    assert capsys.readouterr().out.startswith(
        "levers.housing.apartments_per_year = 6000 (levers.schedule changes it from 2025-01) [")
