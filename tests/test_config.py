"""Scenario configuration: strict keys, extends chains, overrides, and every number's unit, source and range."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from sim.config import (
    CompetitorPath, HousingLever, Levers, NewPlatform, Scenario, apply_overrides, build_scenario, load_scenario,
    parameter_table,
)
from sim.errors import ConfigError


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _listed_fields(message: str) -> set[str]:
    match = re.search(r"valid fields here: (.*)", message)
    assert match, message
    return {f.strip() for f in match.group(1).split(",")}


# ---------------------------------------------------------------- unknown keys
def test_unknown_nested_key_lists_valid_fields() -> None:
    with pytest.raises(ConfigError) as err:
        build_scenario({"levers": {"housing": {"apartmens_per_year": 1}}}, source="test.yaml")
    assert err.value.source == "test.yaml"
    (problem,) = err.value.problems
    assert problem.startswith("levers.housing.apartmens_per_year")
    assert _listed_fields(problem) == set(HousingLever.model_fields)


def test_unknown_top_level_key_lists_valid_fields() -> None:
    with pytest.raises(ConfigError) as err:
        build_scenario({"leverz": {}}, source="test.yaml")
    (problem,) = err.value.problems
    assert _listed_fields(problem) == set(Scenario.model_fields)


def test_unknown_key_inside_a_list_item_lists_valid_fields() -> None:
    with pytest.raises(ConfigError) as err:
        build_scenario({"levers": {"platforms": {"new_platforms": [{"id": "p", "cluster": "c", "capacty": 5}]}}}, source="t")
    (problem,) = err.value.problems
    assert "capacty" in problem
    assert _listed_fields(problem) == set(NewPlatform.model_fields)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        build_scenario({"levers": {"housing": {"rent_discount": 2, "apartments_per_year": "x"}}, "run": {"scale": 0}}, source="t")
    text = "\n".join(err.value.problems)
    for field in ("levers.housing.rent_discount", "levers.housing.apartments_per_year", "run.scale"):
        assert field in text


# ---------------------------------------------------------------- extends
def test_extends_chain_merges_base_and_overrides(tmp_path: Path) -> None:
    _write(tmp_path, "grand.yaml", "name: grand\nregion: jiaxing\nlevers:\n  housing: {apartments_per_year: 100, rent_discount: 0.3}\n"
                                   "  projects: {projects_per_year: 50}\n")
    _write(tmp_path, "parent.yaml", "extends: grand.yaml\nname: parent\nlevers:\n  housing: {rent_discount: 0.6}\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    child = _write(sub, "child.yaml", "extends: ../parent.yaml\nname: child\nlevers:\n  projects: {grant_per_project_yuan: 1.0e+6}\n")
    sc = load_scenario(child)
    assert sc.name == "child"
    assert sc.levers.housing.apartments_per_year == 100          # from the grandparent
    assert sc.levers.housing.rent_discount == 0.6                # the parent overrides the grandparent
    assert sc.levers.projects.projects_per_year == 50            # sibling keys of a nested override survive
    assert sc.levers.projects.grant_per_project_yuan == 1.0e6    # from the child
    assert sc.levers.funding.loans_per_year_yuan == Levers().funding.loans_per_year_yuan  # untouched defaults


def test_baseline_extends_its_calibration(baseline_path: Path) -> None:
    # the fitted values live only in the calibration file; the baseline must pick them up
    import yaml

    fit = yaml.safe_load((baseline_path.parent / "calibration" / "baseline_fit.yaml").read_text(encoding="utf-8"))
    sc = load_scenario(baseline_path)
    for name, value in fit["uncertainties"]["behaviour"].items():
        assert getattr(sc.uncertainties.behaviour, name) == pytest.approx(value)


@pytest.mark.parametrize("files", [
    {"a.yaml": "extends: a.yaml\n"},
    {"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: c.yaml\n", "c.yaml": "extends: a.yaml\n"},
], ids=["self", "three"])
def test_extends_loop_detected(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        _write(tmp_path, name, text)
    with pytest.raises(ConfigError, match="loop"):
        load_scenario(tmp_path / "a.yaml")


def test_extends_missing_base(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.yaml", "extends: nowhere.yaml\n")
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    assert "a.yaml" in err.value.source and "nowhere.yaml" in err.value.problems[0]


# ---------------------------------------------------------------- overrides
def test_flat_override_sets_the_full_path(toy_scenario_path: Path) -> None:
    sc = load_scenario(toy_scenario_path, overrides={"apartments_per_year": 8000})
    assert sc.levers.housing.apartments_per_year == 8000
    assert load_scenario(toy_scenario_path).levers.housing.apartments_per_year != 8000


def test_dotted_override_and_validation(toy_scenario_path: Path) -> None:
    sc = load_scenario(toy_scenario_path, overrides={"levers.services.budget_yuan_per_year": 5e8, "run.scale": 3})
    assert sc.levers.services.budget_yuan_per_year == 5e8 and sc.run.scale == 3
    with pytest.raises(ConfigError, match="run.scale"):
        load_scenario(toy_scenario_path, overrides={"run.scale": 0})


def test_ambiguous_override_lists_the_candidates() -> None:
    with pytest.raises(ConfigError) as err:
        apply_overrides({}, {"budget_yuan_per_year": 1.0}, source="t")
    (problem,) = err.value.problems
    assert "ambiguous" in problem
    candidates = {f"levers.{name}.budget_yuan_per_year" for name in Levers.model_fields if name != "schedule"}
    assert candidates <= set(re.findall(r"levers\.\w+\.budget_yuan_per_year", problem))


def test_unknown_override_raises() -> None:
    with pytest.raises(ConfigError, match="no_such_parameter"):
        apply_overrides({}, {"no_such_parameter": 1}, source="t")
    with pytest.raises(ConfigError, match="levers.housing.nonsense"):
        apply_overrides({}, {"levers.housing.nonsense": 1}, source="t")


def test_overrides_do_not_mutate_their_input() -> None:
    data = {"levers": {"housing": {"apartments_per_year": 1}}}
    apply_overrides(data, {"apartments_per_year": 2}, source="t")
    assert data == {"levers": {"housing": {"apartments_per_year": 1}}}


def test_config_hash_tracks_configuration(toy_scenario_path: Path) -> None:
    a = load_scenario(toy_scenario_path)
    assert a.config_hash() == load_scenario(toy_scenario_path).config_hash()
    assert a.config_hash() != load_scenario(toy_scenario_path, overrides={"apartments_per_year": 201}).config_hash()
    assert a.config_hash() != load_scenario(toy_scenario_path, overrides={"run.seed": 99}).config_hash()


# ---------------------------------------------------------------- units, sources and ranges
def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, list) and bool(value) and all(_is_number(v) for v in value)


def test_every_numeric_parameter_has_unit_and_source() -> None:
    rows = parameter_table()
    numeric = [r for r in rows if _is_number(r["default"]) or r["name"].endswith("industry_funds_yuan")]
    assert len(numeric) > 80  # the table really lists the model's parameters
    missing = [r["name"] for r in numeric if not r["unit"].strip() or not r["source"].strip()]
    assert not missing, f"parameters without unit or source: {missing}"


@pytest.mark.parametrize("model", [NewPlatform, CompetitorPath], ids=lambda m: m.__name__)
def test_fields_of_list_and_mapping_items_have_unit_and_source(model: type[BaseModel]) -> None:
    # new platforms and competitor paths appear in parameter_table only as containers; their fields need units too
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if _is_number(field.default):
            assert extra.get("unit") and extra.get("source"), f"{model.__name__}.{name}"


def test_every_assumption_has_a_range_containing_its_default() -> None:
    rows = [r for r in parameter_table() if r["source"].strip().lower().startswith("assumption")]
    assert rows
    for r in rows:
        assert r["range"] is not None, f"{r['name']}: source {r['source']!r} but no range"
        low, high = r["range"]
        assert low <= high, r["name"]
        values = r["default"] if isinstance(r["default"], list) else [r["default"]]
        assert all(low <= v <= high for v in values), f"{r['name']}: default {r['default']} outside its range {r['range']}"


# ---------------------------------------------------------------- validity bounds
def _numeric_fields(model: type[BaseModel], prefix: str = "") -> dict[str, Any]:
    """Every numeric field of the schema, in nested sections and in the items of lists and mappings."""
    found = {}
    for name, field in model.model_fields.items():
        ann = field.annotation
        inner = [a for a in getattr(ann, "__args__", ()) if isinstance(a, type)]
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            found.update(_numeric_fields(ann, f"{prefix}{name}."))
        elif inner and issubclass(inner[-1], BaseModel):
            found.update(_numeric_fields(inner[-1], f"{prefix}{name}[]."))
        elif ann in (int, float) or (inner and inner[-1] in (int, float)):
            found[prefix + name] = field
    return found


NUMERIC_FIELDS = _numeric_fields(Scenario)


def test_the_walk_finds_the_numbers_in_items() -> None:
    assert len(NUMERIC_FIELDS) > 100
    assert {"levers.platforms.new_platforms[].capacity", "uncertainties.competitors[].shock",
            "levers.funding.industry_funds_yuan", "uncertainties.behaviour.graduate_month_shares", "run.seed"} <= set(NUMERIC_FIELDS)


@pytest.mark.parametrize("name", sorted(NUMERIC_FIELDS))
def test_every_number_has_finite_validity_bounds_around_its_default_and_range(name: str) -> None:
    field = NUMERIC_FIELDS[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    assert "valid" in extra, f"{name}: no validity bounds (param(..., valid=(low, high)))"
    low, high = extra["valid"]
    assert math.isfinite(low) and math.isfinite(high) and low < high, f"{name}: valid {extra['valid']}"
    default = field.get_default(call_default_factory=True)
    values = list(default.values()) if isinstance(default, dict) else default if isinstance(default, list) else [default]
    assert all(low <= v <= high for v in values), f"{name}: default {default} outside valid {extra['valid']}"
    if extra.get("range"):
        r_low, r_high = extra["range"]
        assert low <= r_low and r_high <= high, f"{name}: plausible range {extra['range']} outside valid {extra['valid']}"


@pytest.mark.parametrize("name", [n for n in sorted(NUMERIC_FIELDS) if "[]" not in n])
def test_values_beyond_the_validity_bounds_are_refused(name: str) -> None:
    low, high = NUMERIC_FIELDS[name].json_schema_extra["valid"]
    for outside in (high * 2 + 1, low - abs(low) - 1):
        value = {"graduate_month_shares": [outside] * 12, "industry_funds_yuan": {"a_cluster": outside}}.get(name.split(".")[-1], outside)
        with pytest.raises(ConfigError, match=re.escape(name)):
            build_scenario(apply_overrides({}, {name: value}, source="test"), source="test")


def test_the_packaged_scenarios_lie_within_the_validity_bounds() -> None:
    for path in sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml")):
        load_scenario(path)  # raises on a value outside its bounds


def test_the_validity_bounds_in_the_docs_are_current() -> None:
    from sim.parameter_doc import with_generated_list

    doc = (Path(__file__).resolve().parent.parent / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert with_generated_list(doc) == doc, "docs/parameters.md is stale: run python -m sim.parameter_doc docs/parameters.md"


def test_every_field_of_a_region_file_is_in_the_reference_and_the_reference_is_current() -> None:
    from sim import region_doc

    assert region_doc.undocumented() == []
    models = {model for _, model in region_doc.SECTIONS}
    # every model a region file is made of has its section: the region's fields lead to all of them
    reachable, todo = set(), [region_doc.r.Region]
    while todo:
        model = todo.pop()
        reachable.add(model)
        for info in model.model_fields.values():
            todo += [m for m in _models_in(info.annotation) if m not in reachable]
    assert reachable - {region_doc.r.Region} <= models and {region_doc.r.District, region_doc.r.Sector} <= models
    doc = (Path(__file__).resolve().parent.parent / "docs" / "regions.md").read_text(encoding="utf-8")
    assert region_doc.with_generated_list(doc) == doc, "docs/regions.md is stale: run python -m sim.region_doc docs/regions.md"


def _models_in(annotation) -> list:
    import typing

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
