"""Validation against observed figures: `talentsim validate` passes on the baseline and fails on a scenario
whose population path is wrong; the region's observations are checked like any input; calibration fits the
residents' migration to the observation marked ``fitted``."""

from __future__ import annotations

import subprocess
import sys

import pyarrow.parquet as pq
import pytest
import yaml

from sim.calibrate import free_parameters, observation_targets
from sim.config import load_scenario
from sim.errors import ConfigError
from sim.region import load_region
from tests.conftest import BASELINE, ROOT


def _validate(scenario: str, out, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", "validate", scenario, "--seeds", "2", "--scale", "100",
                           "--out", str(out), "--lang", "en", *extra], cwd=ROOT, capture_output=True, text=True, timeout=300)


def _table(out, scenario: str):
    return pq.read_table(out / scenario / "validation" / "validation.parquet").to_pandas()


def test_validate_passes_on_the_baseline(tmp_path) -> None:
    done = _validate(str(BASELINE), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    table = _table(tmp_path, "baseline")
    assert table["within_tolerance"].all()
    assert {"initial", "fitted"} <= set(table["use"])
    fitted = table[table["use"] == "fitted"].iloc[0]
    # the fitted year is simulated, not copied: the seeds differ
    assert fitted["simulated_min"] < fitted["simulated_max"]
    assert (tmp_path / "baseline" / "validation" / "charts" / "validation.png").stat().st_size > 10_000
    assert "talent growth 2022-2030" in done.stdout and "Suzhou" in done.stdout


def test_validate_fails_on_a_wrong_population_path(tmp_path) -> None:
    # non-talent residents leaving at 150,000 a year: the end-2022 residents fall far below the bulletin's
    wrong = tmp_path / "wrong_population.yaml"
    wrong.write_text(yaml.safe_dump({"name": "wrong_population", "extends": str(BASELINE),
                                     "uncertainties": {"residents": {"net_migration_per_year": -150000}}}))
    done = _validate(str(wrong), tmp_path / "out")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    table = _table(tmp_path / "out", "wrong_population")
    row = table[(table["series"] == "residents") & (table["year"] == 2022)].iloc[0]
    assert not row["within_tolerance"] and row["error"] < -row["observed"] * 0.01
    assert "OUTSIDE" in done.stdout


def test_validate_refuses_bad_options_before_running(tmp_path) -> None:
    done = _validate(str(BASELINE), tmp_path, "--scale", "0")
    assert done.returncode == 2 and "--scale" in done.stderr and "Traceback" not in done.stderr
    assert not any(tmp_path.iterdir())


def _region_with(tmp_path, observations: list[dict]) -> str:
    region = yaml.safe_load((ROOT / "sim" / "regions" / "jiaxing.yaml").read_text(encoding="utf-8"))
    region["observations"] = observations
    path = tmp_path / "region.yaml"
    path.write_text(yaml.safe_dump(region, allow_unicode=True), encoding="utf-8")
    return str(path)


OBSERVATION = {"series": "residents", "year": 2022, "value": 5551000, "unit": "persons", "tolerance": 0.01,
               "tolerance_kind": "relative", "use": "fitted", "source": "test"}


@pytest.mark.parametrize("change, field", [
    ({"series": "resident"}, "observations[0].series"),
    ({"tolerance": 0}, "tolerance"),
    ({"use": "maybe"}, "use"),
    ({"tolerance_kind": "percent"}, "tolerance_kind"),
])
def test_region_observations_are_checked(tmp_path, change: dict, field: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_region(_region_with(tmp_path, [{**OBSERVATION, **change}]))
    assert field in str(err.value)


def test_one_observation_per_series_and_year(tmp_path) -> None:
    with pytest.raises(ConfigError, match="repeated: residents 2022"):
        load_region(_region_with(tmp_path, [OBSERVATION, {**OBSERVATION, "value": 5_600_000}]))


def test_calibration_fits_migration_to_the_fitted_observation() -> None:
    scenario = load_scenario(BASELINE)
    targets = observation_targets(scenario)
    assert targets["residents_2022"]["target"] == 5_551_000
    assert free_parameters(scenario)["net_migration_per_year"][:3] == ("residents", "residents_2022", "difference")


def test_the_initial_residents_are_the_regions_count() -> None:
    # the projection from the census finds the migration level that gives the bulletin's count, at any scale
    from sim.model import TalentModel

    for scale in (50, 400):
        model = TalentModel(BASELINE, seed=3, scale=scale, **{"run.end": "2022-01"})
        residents = model.residents.total(talent=model.recorder.total_stock())
        assert residents == pytest.approx(load_region("jiaxing").resident_population.value, rel=1e-6)
        assert 0 < model.residents.start["migration_level"] < 200_000


def test_a_partial_year_is_listed_not_checked() -> None:
    # a run ending in mid-2022 has a 2022 row at its last month, not at the year end the bulletin describes
    from sim.validation import validate

    report = validate(load_scenario(BASELINE, overrides={"run.end": "2022-06"}), seeds=1, scale=400)
    assert {(o.series, o.year) for o in report.uncovered} == {("residents", 2022), ("gdp_real_growth", 2022)}
    assert {(c.observation.series, c.observation.year) for c in report.checks} >= {("residents", 2021)}
    assert "not checked, outside the run: residents 2022" in report.render()


def test_a_region_a_year_later_is_validated_over_its_own_years(tmp_path, toy_region_path, toy_scenario_path) -> None:
    # the toy city with its initial state at the end of 2022: the projected growth runs from end-2022 to end-2031
    from sim.validation import validate

    region = yaml.safe_load(toy_region_path.read_text(encoding="utf-8"))
    region["initial_month"] = "2022-12"
    region["gdp"][0]["year"] = 2022
    region["observations"][0]["year"] = 2022
    region["patterns"] = [{**p, "year": p["year"] + 1} for p in region["patterns"]]
    (tmp_path / "later.yaml").write_text(yaml.safe_dump(region, allow_unicode=True, sort_keys=False), encoding="utf-8")
    scenario = yaml.safe_load(toy_scenario_path.read_text(encoding="utf-8"))
    scenario.update(region="later.yaml", run={"start": "2023-01", "end": "2031-12", "scale": 10, "seed": 3})
    (tmp_path / "later_city.yaml").write_text(yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = validate(load_scenario(tmp_path / "later_city.yaml"), seeds=2, scale=10)
    assert report.growth_years == (2022, 2031) and report.talent_growth is not None
    assert "talent growth 2023-2031" in report.render()
    assert [(c.observation.series, c.observation.year) for c in report.checks] == [("residents", 2022)]
