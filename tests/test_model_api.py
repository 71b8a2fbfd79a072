"""TalentModel as a Mesa model: keyword construction for batch runners, its DataCollector, mesa.batch_run."""

from __future__ import annotations

import inspect
import json
import warnings

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.categories import TIERS
from sim.config import load_scenario
from sim.government import LEVERS
from sim.model import TalentModel
from sim.runner import run_scenario, write_run
from sim.submodels.observation import HOUSING_FIELDS, MODEL_REPORTERS
from sim.xlrm import levers, solara_model_params


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


@pytest.mark.parametrize("scale, error", [(0, ValueError), (-5, ValueError), (10_001, ValueError), (2.5, TypeError), (True, TypeError),
                                          ("10", TypeError)])
def test_a_scale_keyword_is_checked_as_run_scale_is(toy_scenario_path, scale, error) -> None:
    with pytest.raises(error, match="TalentModel: scale"):
        TalentModel(toy_scenario_path, scale=scale)
    assert TalentModel(toy_scenario_path, scale=np.int64(3)).config.run.scale == 3


def test_a_region_given_as_a_name_is_a_type_error_that_says_how_regions_are_named(toy_scenario_path) -> None:
    with pytest.raises(TypeError, match="'region' setting"):
        TalentModel(toy_scenario_path, region="toyville")


def test_a_chart_language_the_charts_do_not_speak_is_refused_before_the_run(toy_scenario_path, tmp_path, monkeypatch) -> None:
    import sim.runner as runner

    monkeypatch.setattr(runner, "simulate", lambda *a, **k: pytest.fail("simulated before the language was checked"))
    with pytest.raises(ValueError, match="chart language"):
        runner.run_scenario(load_scenario(toy_scenario_path), out=tmp_path / "out", lang="fr")
    assert not (tmp_path / "out").exists()


def test_datacollector_reports_the_recorded_state(toy_scenario_path) -> None:
    m = TalentModel(load_scenario(toy_scenario_path, overrides={"run.end": "2022-06"}), seed=1).run()
    frame = m.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == list(MODEL_REPORTERS)
    assert len(frame) == m.n_months + 1  # the initial state and every month
    tables = m.recorder.tables()
    np.testing.assert_allclose(frame["talent_stock"].to_numpy(), m.recorder.stock.sum(axis=(1, 2)), rtol=1e-12)
    by_tier = pd.DataFrame(list(frame["talent_by_tier"]))
    assert list(by_tier.columns) == list(TIERS)
    np.testing.assert_allclose(by_tier.sum(axis=1), frame["talent_stock"], rtol=1e-12)
    by_cluster = pd.DataFrame(list(frame["talent_by_cluster"]))
    assert list(by_cluster.columns) == m.region.sector_ids
    np.testing.assert_allclose(by_cluster.sum(axis=1), frame["talent_stock"], rtol=1e-12)
    # flows of the month, from the inflow and outflow tables with moves between clusters left out
    flows = tables["talent_flows"].to_pandas()
    across_the_border = flows[flows["channel"] != "internal"].groupby(["direction", "date"])["persons"].sum()
    np.testing.assert_allclose(frame["arrivals"].to_numpy()[1:], across_the_border["inflow"].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(frame["departures"].to_numpy()[1:], across_the_border["outflow"].to_numpy(), rtol=1e-9)
    assert frame["arrivals"].iloc[0] == 0 and frame["arrivals"].iloc[1:].gt(0).all()
    assert frame["departures"].iloc[1:].gt(0).all()
    apartments = pd.DataFrame(list(frame["apartments"]))
    occupied = m.recorder.housing[..., HOUSING_FIELDS.index("apartments_occupied")].sum(axis=1)
    np.testing.assert_allclose(apartments["occupied"].to_numpy()[1:], occupied, rtol=1e-12)
    assert (apartments["occupied"] <= apartments["completed"] + 1e-9).all()
    spending = pd.DataFrame(list(frame["spending_yuan"]))
    assert list(spending.columns) == list(LEVERS)
    np.testing.assert_allclose(spending.to_numpy()[1:], m.recorder.spending, rtol=1e-12)
    assert (frame["firms"].to_numpy() > 0).all()


def test_a_study_run_without_the_datacollector_records_the_same_tables(toy_scenario_path) -> None:
    sc = load_scenario(toy_scenario_path, overrides={"run.end": "2022-06"})
    collected = TalentModel(sc, seed=2).run()
    bare = TalentModel(sc, seed=2, collect_model_vars=False).run()
    assert len(collected.datacollector.get_model_vars_dataframe()) == collected.n_months + 1
    assert bare.datacollector.get_model_vars_dataframe().empty
    for name, table in collected.recorder.tables().items():
        assert bare.recorder.tables([name])[name].equals(table), name


def test_no_seed_draws_a_fresh_one_and_records_it(baseline_path, tmp_path) -> None:
    # the baseline leaves run.seed at the schema's default, as Mesa models leave their seed
    short = {"run.end": "2022-02", "scale": 1000}
    a, b = (TalentModel(str(baseline_path), **short) for _ in range(2))
    assert a.seed_origin == b.seed_origin == "drawn"
    assert a.config.run.seed != b.config.run.seed  # two draws of 32 bits: equal once in four billion
    a.run()
    result = write_run(a, out=tmp_path, charts=False)
    manifest = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == a.config.run.seed and manifest["seed_origin"] == "drawn"
    again = TalentModel(str(baseline_path), seed=manifest["seed"], **short).run()
    assert np.array_equal(again.recorder.stock, a.recorder.stock)


def test_a_seed_written_in_the_scenario_is_kept(toy_scenario_path) -> None:
    by_override = TalentModel(str(toy_scenario_path), **{"run.seed": 11, "run.end": "2022-02"})
    by_file = TalentModel(load_scenario(toy_scenario_path, overrides={"run.seed": 11}))
    assert by_override.config.run.seed == by_file.config.run.seed == 11
    assert by_override.seed_origin == by_file.seed_origin == "scenario"


def test_scenario_runs_keep_the_scenario_seed(baseline_path, tmp_path) -> None:
    scenario = load_scenario(baseline_path, overrides={"run.end": "2022-02", "run.scale": 1000})
    assert "seed" not in scenario.run.model_fields_set  # the schema's default seed, which a scenario run keeps
    result = run_scenario(scenario, out=tmp_path, charts=False)
    manifest = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == scenario.run.seed and manifest["seed_origin"] == "given"


@pytest.mark.parametrize("make_rng", [
    lambda: 5, lambda: np.int64(5), lambda: np.random.default_rng(5), lambda: np.random.SeedSequence(5), lambda: np.random.PCG64(5),
], ids=["int", "numpy-int", "Generator", "SeedSequence", "BitGenerator"])
def test_rng_gives_the_same_run_from_the_same_source(toy_scenario_path, make_rng) -> None:
    first, second = (TalentModel(str(toy_scenario_path), rng=make_rng(), **{"run.end": "2022-03"}).run() for _ in range(2))
    assert first.seed_origin == "given" and first.config.run.seed == second.config.run.seed
    assert np.array_equal(first.recorder.stock, second.recorder.stock)
    other = TalentModel(str(toy_scenario_path), rng=np.random.default_rng(6), **{"run.end": "2022-03"})
    assert other.config.run.seed != TalentModel(str(toy_scenario_path), rng=np.random.default_rng(5)).config.run.seed


def test_rng_as_an_integer_is_the_seed(toy_scenario_path) -> None:
    assert TalentModel(str(toy_scenario_path), rng=42).config.run.seed == 42


@pytest.mark.parametrize("kwargs, error", [
    ({"seed": 1, "rng": 2}, TypeError), ({"rng": "seven"}, TypeError), ({"seed": 1.5}, TypeError), ({"seed": True}, TypeError),
    ({"seed": -3}, ValueError), ({"seed": 2**63}, ValueError), ({"rng": 2**64}, ValueError),
])
def test_a_bad_seed_is_refused(toy_scenario_path, kwargs, error) -> None:
    with pytest.raises(error, match="seed"):
        TalentModel(str(toy_scenario_path), **kwargs)


def test_model_stops_at_the_end_month(toy_scenario_path) -> None:
    m = TalentModel(load_scenario(toy_scenario_path, overrides={"run.end": "2022-03"}), seed=1)
    m.run()
    assert m.t == 3 and not m.running


def test_mesa_batch_run(baseline_path) -> None:
    # the seed as the scenario field run.seed: Mesa 3.5's batch_run sets a model's ``seed`` argument itself
    parameters = {"scenario": str(baseline_path), "apartments_per_year": [6000, 8000], "run.seed": 3, "scale": 1000}
    # one replication: ``iterations=1`` on Mesa 3.3, ``rng=[None]`` from Mesa 3.5 (where iterations is deprecated)
    once = {"rng": [None]} if "rng" in inspect.signature(mesa.batch_run).parameters else {"iterations": 1}
    results = mesa.batch_run(TalentModel, parameters=parameters, **once, max_steps=2, number_processes=1,
                             data_collection_period=1, display_progress=False)
    assert {r["apartments_per_year"] for r in results} == {6000, 8000}
    for r in results:
        assert {*MODEL_REPORTERS, "Step"} <= set(r)
        assert r["talent_stock"] > 1e6 and r["firms"] > 0
    # batch_run drives the same model as direct construction: the last rows match a direct run step for step
    for value in (6000, 8000):
        rows = sorted((r for r in results if r["apartments_per_year"] == value), key=lambda r: r["Step"])
        direct = TalentModel(scenario=str(baseline_path), apartments_per_year=value, seed=3, scale=1000)
        for _ in range(int(round(rows[-1]["Step"]))):  # Mesa 3.5 reports the step as a float time
            direct.step()
        assert direct.recorder.total_stock() == pytest.approx(rows[-1]["talent_stock"], rel=1e-12)


def _rebuild_as_solaraviz_does(solara_viz, model: TalentModel, values: dict) -> TalentModel:
    """``type(model)(**values)``, through Mesa 3.5's helper where it exists (it adds a Mesa scenario of its own)."""
    build = getattr(solara_viz, "_build_model_init_kwargs", None)
    kwargs = build(model, values, add_scenario_when_empty=True, require_model_accepts_scenario=True) if build else values
    return type(model)(**kwargs)


def test_solaraviz_accepts_the_model_and_rebuilds_it_for_its_scenario(toy_scenario_path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # solara's hook linter on Mesa's own components
        from mesa.visualization import solara_viz
    params = solara_model_params(scenario=str(toy_scenario_path), scale=1, seed=4)
    model = TalentModel.for_scenario(str(toy_scenario_path))(scenario=str(toy_scenario_path), scale=1, seed=4)
    # the checks ModelCreator runs: Mesa 3.3 passes the class's __init__, Mesa 3.5 the model itself
    solara_viz._check_model_params(type(model).__init__, params)
    if "model_or_func" in inspect.signature(solara_viz._check_model_params).parameters:
        solara_viz._check_model_params(model, params)
    sliders, fixed = solara_viz.split_model_params(params)
    assert {p.name for p in levers()} == set(sliders) and set(fixed) == {"scenario", "scale", "seed"}
    values = {**fixed, **{name: spec["value"] for name, spec in sliders.items()}, "levers.housing.apartments_per_year": 1234}
    rebuilt = _rebuild_as_solaraviz_does(solara_viz, model, values)
    assert rebuilt.config.name == model.config.name and rebuilt.region.id == "toyville"
    assert rebuilt.levers.housing.apartments_per_year == 1234 and rebuilt.config.run.seed == 4
    rebuilt.step()
    assert rebuilt.datacollector.get_model_vars_dataframe().shape[0] == 2


def test_a_mesa_scenario_in_place_of_ours_runs_the_class_scenario_with_its_parameters(toy_scenario_path) -> None:
    # Mesa 3.5's SolaraViz passes an instance of its own Scenario class as ``scenario`` when it rebuilds a model
    mesa_scenario_class = type("Scenario", (), {"__module__": "mesa.experimental.scenarios.scenario"})
    mesa_scenario = mesa_scenario_class()
    vars(mesa_scenario).update({"model": None, "_scenario_id": 0, "rng": 9, "apartments_per_year": 4321})
    model = TalentModel.for_scenario(str(toy_scenario_path))(scenario=mesa_scenario)
    assert model.region.id == "toyville" and model.config.run.seed == 9
    assert model.levers.housing.apartments_per_year == 4321


def test_parameters_of_the_model_are_named_for_mesa_tools() -> None:
    signature = inspect.signature(TalentModel.__init__)
    kinds = {p.kind for p in signature.parameters.values()}
    assert inspect.Parameter.VAR_POSITIONAL not in kinds
    assert [p.name for p in signature.parameters.values() if p.kind is inspect.Parameter.VAR_KEYWORD] == ["kwargs"]
    assert all(p.default is not inspect.Parameter.empty for p in signature.parameters.values()
               if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD)


@pytest.mark.parametrize("build", [lambda: TalentModel(123), lambda: TalentModel.for_scenario(["baseline"])], ids=["model", "for_scenario"])
def test_a_scenario_of_the_wrong_type_is_refused_by_name(build) -> None:
    with pytest.raises(TypeError, match="scenario must be a Scenario"):
        build()
