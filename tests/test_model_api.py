"""TalentModel as a Mesa model: keyword construction for batch runners, its DataCollector, mesa.batch_run."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from sim.config import load_scenario
from sim.model import TalentModel


@pytest.fixture(scope="module")
def keyword_model(baseline_path) -> TalentModel:
    return TalentModel(scenario=str(baseline_path), apartments_per_year=8000, seed=3, scale=1000)


def test_keyword_construction(keyword_model) -> None:
    m = keyword_model
    assert m.levers.housing.apartments_per_year == 8000
    assert m.config.levers.housing.apartments_per_year == 8000
    assert m.config.run.seed == 3 and m.config.run.scale == 1000 and m.scale == 1000
    assert m.region.id == "jiaxing"
    assert m.n_months == 14 * 12  # the baseline runs 2022-01 to 2035-12


def test_scenario_by_bare_name() -> None:
    m = TalentModel("baseline", scale=1000, **{"run.end": "2022-03"})
    assert m.config.name == "baseline" and m.n_months == 3


def test_dotted_keywords_by_dict_unpacking(toy_scenario_path) -> None:
    m = TalentModel(str(toy_scenario_path), **{"run.end": "2022-06", "levers.housing.rent_discount": 0.3})
    assert m.n_months == 6 and m.levers.housing.rent_discount == 0.3


def test_overrides_on_a_scenario_object_keep_its_region(toy_scenario_path) -> None:
    # the toy's region file is found relative to the scenario file, which an in-memory Scenario must remember
    scenario = load_scenario(toy_scenario_path)
    m = TalentModel(scenario, apartments_per_year=999, seed=2)
    assert m.region.id == "toyville"
    assert m.levers.housing.apartments_per_year == 999
    assert scenario.levers.housing.apartments_per_year != 999  # the caller's scenario is not modified


def test_seed_and_scale_keywords_override_the_scenario(toy_scenario_path) -> None:
    sc = load_scenario(toy_scenario_path, overrides={"run.end": "2022-04"})
    a = TalentModel(sc, seed=8).run()
    b = TalentModel(sc, seed=9).run()
    assert a.config.run.seed == 8 and b.config.run.seed == 9
    assert not np.array_equal(a.recorder.stock, b.recorder.stock)
    coarse = TalentModel(sc, scale=5)
    assert coarse.scale == 5 and coarse.config.run.scale == 5


def test_datacollector_reports_the_recorded_state(toy_scenario_path) -> None:
    m = TalentModel(load_scenario(toy_scenario_path, overrides={"run.end": "2022-06"}), seed=1).run()
    frame = m.datacollector.get_model_vars_dataframe()
    assert {"talent_stock", "firms", "apartments_occupied"} <= set(frame.columns)
    assert len(frame) == m.n_months + 1  # the initial state and every month
    np.testing.assert_allclose(frame["talent_stock"].to_numpy(), m.recorder.stock.sum(axis=(1, 2)), rtol=1e-12)
    from sim.submodels.observation import HOUSING_FIELDS

    occupied = m.recorder.housing[..., HOUSING_FIELDS.index("apartments_occupied")].sum(axis=1)
    np.testing.assert_allclose(frame["apartments_occupied"].to_numpy()[1:], occupied, rtol=1e-12)
    assert (frame["firms"].to_numpy() > 0).all()


def test_model_stops_at_the_end_month(toy_scenario_path) -> None:
    m = TalentModel(load_scenario(toy_scenario_path, overrides={"run.end": "2022-03"}), seed=1)
    m.run()
    assert m.t == 3 and not m.running


def test_mesa_batch_run(baseline_path) -> None:
    # the seed as the scenario field run.seed: Mesa 3.5's batch_run sets a model's ``seed`` argument itself
    parameters = {"scenario": str(baseline_path), "apartments_per_year": [6000, 8000], "run.seed": 3, "scale": 1000}
    results = mesa.batch_run(TalentModel, parameters=parameters, iterations=1, max_steps=2, number_processes=1,
                             data_collection_period=1, display_progress=False)
    assert {r["apartments_per_year"] for r in results} == {6000, 8000}
    for r in results:
        assert {"talent_stock", "firms", "apartments_occupied", "Step"} <= set(r)
        assert r["talent_stock"] > 1e6 and r["firms"] > 0
    # batch_run drives the same model as direct construction: the last rows match a direct run step for step
    for value in (6000, 8000):
        rows = sorted((r for r in results if r["apartments_per_year"] == value), key=lambda r: r["Step"])
        direct = TalentModel(scenario=str(baseline_path), apartments_per_year=value, seed=3, scale=1000)
        for _ in range(int(round(rows[-1]["Step"]))):  # Mesa 3.5 reports the step as a float time
            direct.step()
        assert direct.recorder.total_stock() == pytest.approx(rows[-1]["talent_stock"], rel=1e-12)
