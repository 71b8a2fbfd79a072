"""Value added and GDP (ODD §7.11): the initial year's GDP is the region's observation at any scale, value
added never exceeds output, GDP growth follows the productivity trend without touching the talent, and the
firm table and the city table add up to the same GDP."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from sim.config import load_scenario
from sim.errors import ConfigError
from sim.model import TalentModel
from sim.region import load_region
from sim.submodels import value_added as V
from sim.submodels.observation import FIRM_FIELDS


def _observed_gdp(model: TalentModel) -> float:
    region = model.region
    return region.observed_gdp(region.initial_year).value_yuan


@pytest.mark.parametrize("scale, trend", [(100, 0.0), (400, 0.03), (400, 0.06)])
def test_the_initial_years_gdp_is_the_observed_one_at_any_scale(baseline_path, scale, trend) -> None:
    model = TalentModel(baseline_path, seed=2, scale=scale, productivity_trend_per_year=trend)
    assert V.gdp_of_initial_year(model) == pytest.approx(_observed_gdp(model), rel=1e-12)
    # the rest of the city takes what the clusters leave, at its own computed ratio
    base = model.value_added_base
    assert np.all(base.ratio[: model.n_clusters] == model.unc.value_added_ratio) and 0 < base.ratio[-1] < 1


def test_the_city_table_starts_from_the_observed_gdp(jiaxing_run) -> None:
    annual = jiaxing_run.recorder.tables()["city_annual"].to_pandas()
    assert annual["year"].iloc[0] == jiaxing_run.region.initial_year
    assert annual["gdp_yuan"].iloc[0] == pytest.approx(_observed_gdp(jiaxing_run), rel=1e-12)
    assert np.isnan(annual["gdp_real_growth"].iloc[0])
    growth = annual["gdp_yuan"].iloc[1:].to_numpy() / annual["gdp_yuan"].iloc[:-1].to_numpy() - 1
    np.testing.assert_allclose(annual["gdp_real_growth"].iloc[1:], growth, rtol=1e-12)


def test_value_added_never_exceeds_output(jiaxing_run) -> None:
    firms = jiaxing_run.recorder.tables()["firms"].to_pandas()
    assert (firms["value_added_yuan"] > 0).all()
    assert (firms["value_added_yuan"] <= firms["output_yuan"]).all()
    clusters = firms[firms["cluster"] != "rest_of_city"]
    share = clusters["value_added_yuan"] / clusters["output_yuan"]
    assert share.min() >= jiaxing_run.unc.value_added_ratio - 1e-12  # the trend only ever raises it in the baseline


def test_the_firm_table_and_the_city_table_add_up_to_the_same_gdp(jiaxing_run) -> None:
    tables = jiaxing_run.recorder.tables()
    firms = tables["firms"].to_pandas()
    by_year = firms.groupby(firms["date"].map(lambda d: d.year))["value_added_yuan"].sum()
    annual = tables["city_annual"].to_pandas().set_index("year")["gdp_yuan"]
    np.testing.assert_allclose(by_year.to_numpy(), annual.loc[by_year.index].to_numpy(), rtol=1e-12)
    # the DataCollector's annual rate is each month's value added times 12
    frame = jiaxing_run.datacollector.get_model_vars_dataframe()
    monthly = jiaxing_run.recorder.firms[: jiaxing_run.t, :, FIRM_FIELDS.index("value_added_yuan")].sum(axis=1)
    np.testing.assert_allclose(frame["gdp_yuan"].to_numpy()[1:], 12 * monthly, rtol=1e-12)
    assert frame["gdp_yuan"].iloc[0] == pytest.approx(12 * V.initial_month_value_added(jiaxing_run), rel=1e-12)


def _toy_run(toy_scenario_path, **overrides) -> TalentModel:
    return TalentModel(load_scenario(toy_scenario_path, overrides={"run.end": "2023-12", **overrides}), seed=5).run()


def test_a_higher_productivity_trend_raises_gdp_growth_and_leaves_the_talent_alone(toy_scenario_path) -> None:
    low, high = _toy_run(toy_scenario_path, productivity_trend_per_year=0.0), _toy_run(toy_scenario_path, productivity_trend_per_year=0.05)
    growth = [m.recorder.tables()["city_annual"].to_pandas()["gdp_real_growth"].iloc[1:].to_numpy() for m in (low, high)]
    # each year's growth rises by about the difference of the trends (the firms' output is the same in both)
    np.testing.assert_allclose((1 + growth[1]) / (1 + growth[0]), 1.05, atol=0.005)
    np.testing.assert_array_equal(low.recorder.stock, high.recorder.stock)
    output = FIRM_FIELDS.index("output_yuan")
    np.testing.assert_array_equal(low.recorder.firms[..., output], high.recorder.firms[..., output])


def test_a_partial_year_has_gdp_but_no_growth(toy_scenario_path) -> None:
    model = _toy_run(toy_scenario_path, **{"run.end": "2023-06"})
    annual = model.recorder.tables()["city_annual"].to_pandas()
    assert annual["months"].tolist()[1:] == [12, 6]
    assert not np.isnan(annual["gdp_real_growth"].iloc[1]) and np.isnan(annual["gdp_real_growth"].iloc[2])
    assert annual["gdp_yuan"].iloc[2] > 0


def test_clusters_worth_more_than_the_city_are_refused(toy_scenario_path, toy_region_path, tmp_path) -> None:
    region = yaml.safe_load(toy_region_path.read_text(encoding="utf-8"))
    small = copy.deepcopy(region)
    small["gdp"] = [{"year": 2021, "value_yuan": 1.0e9, "source": "invented"}]  # below the clusters' value added alone
    (tmp_path / "small.yaml").write_text(yaml.safe_dump(small, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ValueError, match="leaves nothing of the observed GDP"):
        TalentModel(load_scenario(toy_scenario_path, overrides={"region": str(tmp_path / "small.yaml")}), seed=1)
    missing = copy.deepcopy(region)
    missing["gdp"] = [{"year": 2020, "value_yuan": 1.0e10, "source": "invented"}]
    (tmp_path / "missing.yaml").write_text(yaml.safe_dump(missing, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError, match="give the GDP of 2021"):
        load_region(str(tmp_path / "missing.yaml"))
