"""Services in the utility (ODD §7.0): the lever adds the kind of place the initial stock counts, and the
service level is places per user, diluted as the city grows."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.categories import SERVICE_KINDS
from sim.config import ServiceLever
from sim.errors import ConfigError
from tests.conftest import planned_toy_model
from sim.region import load_region
from sim.submodels import utility

LEVER_FIELDS = {"school_places": "school_places_per_year", "hospital_beds": "hospital_beds_per_year",
                "culture_events": "culture_events_per_year"}


@pytest.mark.parametrize("service", sorted(SERVICE_KINDS))
def test_the_lever_adds_the_kind_of_place_the_initial_stock_counts(service) -> None:
    stock_unit = getattr(load_region("jiaxing").initial, service).unit
    lever_unit = ServiceLever.model_fields[LEVER_FIELDS[service]].json_schema_extra["unit"]
    assert stock_unit == SERVICE_KINDS[service]
    assert lever_unit.startswith(stock_unit)


def test_a_region_whose_stock_counts_another_kind_of_place_is_refused(tmp_path: Path, toy_region_path: Path) -> None:
    data = yaml.safe_load(toy_region_path.read_text(encoding="utf-8"))
    data["initial"]["hospital_beds"]["unit"] = "beds"  # all beds, while the lever adds tertiary beds
    path = tmp_path / "region.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="hospital_beds: unit must be"):
        load_region(str(path))


def test_more_residents_at_the_same_beds_lower_the_service_term(toy_scenario_path) -> None:
    model = planned_toy_model(toy_scenario_path)
    before = utility.sector_utility(model)
    model.residents.non_talent_total[model.t] *= 1.5
    users = model.service_users["hospital_beds"]
    model.service_users = utility.service_users(model)
    grown = model.service_users["hospital_beds"] / users
    assert grown > 1.1
    after = utility.sector_utility(model)
    assert np.allclose(before - after, model.beh.service_weight * math.log(grown))


def test_more_talent_families_at_the_same_places_lower_the_school_term(toy_scenario_path) -> None:
    model = planned_toy_model(toy_scenario_path)
    before = utility.school_term(model)
    model.recorder.families[model.t] *= 1.4
    model.service_users = utility.service_users(model)
    assert utility.school_term(model) < before


def test_more_talent_at_the_same_events_lowers_the_culture_term(toy_scenario_path) -> None:
    model = planned_toy_model(toy_scenario_path)
    before = utility.culture_term(model)
    model.recorder.stock[model.t] *= 1.3
    model.service_users = utility.service_users(model)
    assert utility.culture_term(model) == pytest.approx(before - model.beh.culture_attachment * math.log(1.3))


def test_without_interactions_the_services_are_not_diluted(toy_scenario_path) -> None:
    model = planned_toy_model(toy_scenario_path, interactions=False)
    assert model.service_users == model.service_users0
    assert utility.school_term(model) == pytest.approx(
        model.beh.school_weight * math.log(model.school_places / model.region.initial.school_places.value))


def test_the_school_places_users_are_the_talent_households_with_children_at_the_end_of_each_month(toy_scenario_path) -> None:
    from sim.kernels import group_sum
    from sim.talent import SEARCHING

    model = planned_toy_model(toy_scenario_path)
    for _ in range(3):
        model.step()
        p = model.pool
        counted = group_sum(codes=p.view("children"), weights=p.view("weight"), mask=p.view("status") <= SEARCHING, n_groups=2)[1]
        assert model.recorder.families[model.t] == counted > 0
    model.service_users = utility.service_users(model)
    assert model.service_users["school_places"] == model.recorder.families[model.t]
