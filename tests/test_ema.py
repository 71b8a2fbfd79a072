"""EMA Workbench drives the model through the adapter: sampled levers and uncertainties reach the run."""

from __future__ import annotations

import numpy as np
import pytest

ema_workbench = pytest.importorskip("ema_workbench")

from sim.ema import DEFAULT_LEVERS, DEFAULT_UNCERTAINTIES, ema_model, ema_name, run_experiment  # noqa: E402
from sim.xlrm import outcomes, parameter  # noqa: E402


@pytest.fixture(scope="module")
def toy_model(toy_scenario_path):
    return ema_model(toy_scenario_path, scale=1, levers_=["apartments_per_year"], uncertainties_=["graduate_supply"])


def test_declares_xlrm_lists_under_ema_names(toy_model) -> None:
    (lever,) = toy_model.levers
    (unc,) = toy_model.uncertainties
    apartments, supply = parameter("apartments_per_year"), parameter("graduate_supply")
    assert lever.name == "levers__housing__apartments_per_year" == ema_name(apartments.name)
    assert lever.variable_name == [apartments.name]
    assert (unc.lower_bound, unc.upper_bound) == (supply.low, supply.high)
    assert [o.name for o in toy_model.outcomes] == [o.name for o in outcomes(["robots", "batteries"])]
    assert {c.name: c.value for c in toy_model.constants}["scale"] == 1


def test_default_sets_resolve(toy_scenario_path) -> None:
    model = ema_model(toy_scenario_path, scale=1)
    assert len(model.levers) == len(DEFAULT_LEVERS) and len(model.uncertainties) == len(DEFAULT_UNCERTAINTIES)


def test_perform_experiments_runs_every_pair(toy_model) -> None:
    experiments, results = ema_workbench.perform_experiments(toy_model, scenarios=3, policies=2)
    assert len(experiments) == 6
    assert experiments["scenario"].nunique() == 3 and experiments["policy"].nunique() == 2
    for name, values in results.items():
        assert values.shape == (6,), name
        assert np.isfinite(values).all(), name
    # the sampled values reach the model: different uncertainty points give different stocks
    assert len(set(results["talent_total_2035"].round(6))) > 1


def test_experiment_reproduces_a_direct_run(toy_model, toy_scenario_path) -> None:
    """EMA's result for one experiment equals the run function called with the same values."""
    policy = _sample("Policy", "p", **{"levers__housing__apartments_per_year": 400.0})
    scenario = _sample("Scenario", "s", **{"uncertainties__graduate_supply": 0.9})
    _, results = ema_workbench.perform_experiments(toy_model, scenarios=[scenario], policies=[policy])
    direct = run_experiment(scenario_file=str(toy_scenario_path.resolve()), seed=7, scale=1,
                            **{"levers.housing.apartments_per_year": 400.0, "uncertainties.graduate_supply": 0.9})
    for name, value in direct.items():
        assert results[name][0] == pytest.approx(value, rel=1e-12), name


def test_rejects_a_lever_named_as_an_uncertainty(toy_scenario_path) -> None:
    with pytest.raises(ValueError, match="not an uncertainty"):
        ema_model(toy_scenario_path, uncertainties_=["apartments_per_year"])


def test_warns_when_the_time_path_resets_a_sampled_lever(tmp_path, toy_scenario_path) -> None:
    scenario = tmp_path / "stepped.yaml"
    scenario.write_text(f"extends: {toy_scenario_path}\nregion: {toy_scenario_path.parent / 'toyville.yaml'}\n"
                        "levers:\n  schedule:\n    - {start: '2023-01', changes: {housing.apartments_per_year: 400}}\n",
                        encoding="utf-8")
    with pytest.warns(UserWarning, match="levers.housing.apartments_per_year"):
        ema_model(scenario, scale=1, levers_=["apartments_per_year"], uncertainties_=[])


def test_import_does_not_need_ema_workbench() -> None:
    import subprocess
    import sys

    code = "import sys; sys.modules['ema_workbench'] = None; import sim.ema"
    subprocess.run([sys.executable, "-c", code], check=True)


def _sample(kind: str, name: str, **values: float):
    """A named policy or scenario: ``Policy``/``Scenario`` in EMA Workbench 2, one ``Sample`` class from 3.0."""
    factory = getattr(ema_workbench, kind, None) or ema_workbench.Sample
    return factory(name, **values)
