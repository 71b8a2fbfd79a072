"""The data dictionary: every column of every table the command line writes is described, in both
languages, in the files themselves and in docs/outputs.md, and describing changes no value."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from sim.categories import INFLOW_CHANNELS, TIERS
from sim.cli import main
from sim.config import load_scenario
from sim.dictionary import KEY_COLUMNS, RUN_TABLES, TABLES, columns_of, described, undocumented, with_generated_list
from sim.government import LEVERS
from sim.posterior import Posterior, posterior_file, write_posterior
from sim.results import csv_bytes, parquet_bytes, with_keys
from sim.runner import run_scenario

ROOT = Path(__file__).resolve().parent.parent
SHORT = ["--set", "run.end=2022-12"]
STUDY = ["--seeds", "2", "--workers", "0", "--no-charts", "--quiet"]
SENSITIVITY_FACTORS = ["graduate_supply", "wage_weight"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def out(tmp_path_factory, toy_scenario_path, toy_region_path) -> Path:
    """What the command line writes for a run, an ensemble, a sweep, a comparison, a validation, sensitivity
    studies, a scenario discovery, a budget optimisation and an ABC-SMC calibration of the toy region, and an ensemble and a comparison with
    parameter draws."""
    out = tmp_path_factory.mktemp("dictionary") / "out"
    more_housing = out.parent / "toy_more_housing.yaml"
    more_housing.write_text(f"name: toy_more_housing\nextends: {toy_scenario_path}\nregion: {toy_region_path}\n"
                            "levers: {housing: {apartments_per_year: 800}}\n", encoding="utf-8")
    with_posterior = out.parent / "toy_fitted.yaml"
    with_posterior.write_text(f"name: toy_fitted\nextends: {toy_scenario_path}\nregion: {toy_region_path}\n", encoding="utf-8")
    write_posterior(posterior_file(with_posterior), Posterior(parameters=("uncertainties.wage_growth",),
                                                              values=np.array([[0.03], [0.05]]), weights=np.ones(2)))
    toy = str(toy_scenario_path)
    commands = (["run", toy, "--seed", "5", "--no-charts", "--quiet", *SHORT],
                ["ensemble", toy, *STUDY, *SHORT],
                # the response table compares year ends 2025, 2030 and 2035: the first must be inside the runs
                ["sweep", toy, "--lever", "apartments_per_year=0,500", *STUDY, "--set", "run.end=2025-12"],
                ["compare", toy, str(more_housing), "--years", "2022", *STUDY, *SHORT],
                ["ensemble", toy, "--design", "lhs:2", "--factors", *SENSITIVITY_FACTORS, *STUDY, *SHORT],
                ["compare", str(with_posterior), str(more_housing), str(toy_scenario_path), "--posterior", "2", "--years", "2022",
                 *STUDY, *SHORT],
                ["validate", toy, "--seeds", "2", "--scale", "1", *SHORT],
                ["optimise", toy, "--budget-yuan-per-year", "1.1e10", "--levers", "housing", "--trials", "2", "--seeds", "1",
                 "--eval-seeds", "1", "--reevaluate", "1", "--scale", "1", "--from", "2022", "--workers", "0", "--no-charts", "--quiet"],
                ["sensitivity", toy, "--factors", *SENSITIVITY_FACTORS, "--trajectories", "2", "--policy", str(more_housing),
                 "--workers", "0", "--no-charts", "--quiet"],
                ["sensitivity", toy, "--method", "sobol", "--samples", "4", "--second-order", "--factors", *SENSITIVITY_FACTORS,
                 "--workers", "0", "--no-charts", "--quiet"])
    # calibrate writes the posterior beside the scenario: a copy of the toy inside the output folder, so that
    # the posterior is among the tables checked here
    toy_copy = out / "scenario" / "toy.yaml"
    toy_copy.parent.mkdir(parents=True)
    toy_copy.write_text(toy_scenario_path.read_text(encoding="utf-8").replace("region: toyville.yaml", f"region: {toy_region_path}"),
                        encoding="utf-8")
    commands += (["calibrate", str(toy_copy), "--method", "abc", "--parameters", "challenge_base_hazard", "--population", "3",
                  "--generations", "1", "--workers", "0", "--no-charts", "--quiet"],)
    for command in commands:
        assert main([*command, "--out", str(out)]) == 0, command
    # discovery at the median effect, so that PRIM has cases and other rows and writes its tables
    discover = ["discover", toy, "--policy", str(more_housing), "--design", "lhs:12", "--scale", "1", "--factors", *SENSITIVITY_FACTORS,
                *SHORT, "--workers", "0", "--no-charts", "--quiet", "--out", str(out)]
    assert main([*discover, "--threshold", "0"]) == 0
    (cases,) = out.glob("toyville/discover-*/discovery_cases.parquet")
    assert main([*discover, "--threshold", repr(float(np.median(pq.read_table(cases).column("effect").to_numpy())))]) == 0
    return out


def table_files(out: Path) -> dict[Path, str]:
    """Every table file written, with the name of its table in the dictionary."""
    files = {}
    for path in sorted([*out.rglob("*.parquet"), *out.rglob("*.csv")]):
        in_dataset = path.parent.parent.name == "runs"
        files[path] = path.parent.name if in_dataset else "posterior" if path.stem.endswith("_posterior") else path.stem
    return files


def read_any(path: Path) -> pa.Table:
    if path.suffix == ".parquet":
        return pq.read_table(path)
    return pacsv.read_csv(pa.BufferReader(path.read_bytes().removeprefix(b"\xef\xbb\xbf")))


def test_every_written_column_is_in_the_dictionary(out):
    files = table_files(out)
    assert {"comparison", "lever_pairs", "draws", "response", "scenarios", "summary", "runs", "validation", "design", "responses",
            "indices", "second_order", "convergence", "run_outcomes", "discovery_cases", "prim_trajectory", "prim_box", "posterior",
            "posterior_predictive", "optimise_trials", "optimise_settings", "optimise_evaluation", *RUN_TABLES} <= set(files.values())
    for path, name in files.items():
        assert name in TABLES, path
        assert undocumented(read_any(path), name=name) == [], path


def test_the_dictionary_describes_no_column_that_is_never_written(out):
    written: dict[str, set[str]] = {}
    for path, name in table_files(out).items():
        written.setdefault(name, set()).update(read_any(path).column_names)
    assert set(written) == set(TABLES)
    for name in TABLES:
        assert set(columns_of(name)) == written[name], name


def test_every_parquet_field_carries_its_description_and_unit(out):
    for path, name in table_files(out).items():
        if path.suffix != ".parquet":
            continue
        schema = pq.read_schema(path)
        assert schema.metadata[b"table"].decode() == name, path
        assert schema.metadata[b"description_zh"].decode() == TABLES[name].zh, path
        for field in schema:
            entry = columns_of(name)[field.name]
            meta = {k.decode(): v.decode() for k, v in field.metadata.items()}
            assert meta == {"description_en": entry.en, "description_zh": entry.zh,
                            "unit_en": entry.unit.en, "unit_zh": entry.unit.zh}, (path, field.name)


def test_every_entry_is_in_english_and_chinese():
    entries = [(name, column) for name in TABLES for column in columns_of(name).items()]
    for name, (column, entry) in entries:
        assert entry.en and entry.unit.en and entry.unit.zh, (name, column)
        assert CJK.search(entry.zh) and CJK.search(entry.unit.zh), (name, column)
    for name, table in TABLES.items():
        assert table.en and table.title_en and CJK.search(table.zh) and CJK.search(table.title_zh), name


def test_the_names_a_column_can_hold_are_all_explained():
    vocabularies = {("talent_stock", "tier"): TIERS, ("talent_flows", "channel"): INFLOW_CHANNELS,
                    ("spending", "lever"): LEVERS}
    for (table, column), names in vocabularies.items():
        entry = columns_of(table)[column]
        for value in names:
            assert value in entry.en and value in entry.zh, (table, column, value)


def test_describing_a_table_changes_no_value(tmp_path, toy_scenario_path):
    scenario = load_scenario(toy_scenario_path, overrides={"run.end": "2022-06"})
    result = run_scenario(scenario, out=tmp_path, charts=False)
    for name, table in result.tables.items():
        written = pq.read_table(result.run_dir / f"{name}.parquet")
        assert written.drop_columns(["scenario", "run_id", "seed"]).equals(table), name
        assert described(table, name=name).equals(table), name


def test_a_column_without_an_entry_stops_the_writing_with_a_clear_message():
    table = pa.table({"date": pa.array([], pa.date32()), "talent_density": pa.array([], pa.float64())})
    for write in (parquet_bytes, csv_bytes, described):
        with pytest.raises(ValueError, match=r"table talent_stock: columns talent_density .*sim/dictionary\.py"):
            write(table, name="talent_stock")
    with pytest.raises(ValueError, match="no table 'talent_stocks'"):
        described(table, name="talent_stocks")


def test_docs_outputs_md_lists_the_current_dictionary():
    doc = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    assert with_generated_list(doc) == doc, "docs/outputs.md is stale: run python -m sim.dictionary docs/outputs.md"
    for name, table in TABLES.items():
        for column in table.columns:
            assert f"| `{column}` |" in doc, (name, column)
    for column in KEY_COLUMNS:
        assert f"| `{column}` |" in doc, column


def test_every_column_of_a_jiaxing_run_is_in_the_dictionary(jiaxing_run):
    keys = {"scenario": "baseline", "run_id": "r", "seed": 1, "point": 0}
    tables = jiaxing_run.recorder.tables()
    assert set(tables) == set(RUN_TABLES)
    for name, table in tables.items():
        assert undocumented(with_keys(table, key_columns=keys), name=name) == [], name
