"""A study's runs dataset reads as it is with the usual tools, each with its default options."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from sim.config import load_scenario
from sim.dictionary import RUN_TABLES, columns_of
from sim.ensemble import partition_file, run_study

SHORT = {"run.end": "2023-06"}
POINTS = [{"apartments_per_year": 0}, {"apartments_per_year": 800}]


def toy_study(out: Path, scenario_path: Path):
    scenario = load_scenario(scenario_path, overrides=SHORT)
    return run_study(scenario, points=POINTS, seeds=2, out=out, study="study", workers=0, charts=False)


@pytest.fixture(scope="module")
def study(tmp_path_factory, toy_scenario_path):
    result = toy_study(tmp_path_factory.mktemp("readers"), toy_scenario_path)
    assert result.n_done == 4
    return result


def table_folders(study_dir: Path) -> list[Path]:
    return sorted(p for p in (study_dir / "runs").iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def test_every_table_folder_holds_one_file_per_run_and_nothing_else(study):
    folders = table_folders(study.study_dir)
    assert [p.name for p in folders] == sorted(RUN_TABLES)
    run_ids = sorted(s.run_id for s in study.specs)
    for folder in folders:
        assert sorted(p.name for p in folder.iterdir()) == [f"{rid}.parquet" for rid in run_ids], folder.name


@pytest.mark.parametrize("reader", ["pandas", "pyarrow.dataset", "pyarrow.parquet", "polars", "duckdb"])
def test_each_reader_gets_every_run_with_its_run_id(study, reader):
    run_ids = {s.run_id for s in study.specs}
    for folder in table_folders(study.study_dir):
        expected = study.table(folder.name)
        frame = read(folder, reader=reader)
        assert list(frame.columns) == expected.column_names, (reader, folder.name)
        assert len(frame) == expected.num_rows, (reader, folder.name)
        assert set(frame["run_id"]) == run_ids, (reader, folder.name)
        assert {type(v) for v in frame["run_id"]} == {str}, (reader, folder.name)


def read(folder: Path, *, reader: str) -> pd.DataFrame:
    """The whole dataset of one table as pandas, read by ``reader`` with nothing but the folder's path."""
    if reader == "pandas":
        return pd.read_parquet(folder)
    if reader == "pyarrow.dataset":
        return ds.dataset(folder).to_table().to_pandas()
    if reader == "pyarrow.parquet":
        return pq.read_table(folder).to_pandas()
    if reader == "polars":
        return pl.read_parquet(folder).to_pandas()
    if reader == "duckdb":
        return duckdb.sql(f"SELECT * FROM read_parquet('{folder}/*.parquet')").df()
    raise ValueError(reader)


def test_a_study_begun_in_the_former_layout_resumes_and_reads(tmp_path, toy_scenario_path, study):
    old = tmp_path / "old"
    shutil.copytree(study.study_dir.parent.parent, old)
    old_study = old / study.study_dir.relative_to(study.study_dir.parent.parent)
    for spec in study.specs:
        for name in RUN_TABLES:
            now = partition_file(old_study, name, spec.run_id)
            former = now.parent / f"run_id={spec.run_id}" / "part-0.parquet"
            former.parent.mkdir()
            os.replace(now, former)
    resumed = toy_study(old, toy_scenario_path)
    assert set(resumed.status.values()) == {"skipped"}
    assert resumed.summary == study.summary
    for folder in table_folders(resumed.study_dir):
        assert not [p for p in folder.iterdir() if p.is_dir()], folder
        assert set(pd.read_parquet(folder)["run_id"]) == {s.run_id for s in study.specs}


def test_a_run_being_written_leaves_no_temporary_file_in_a_table_folder(tmp_path, toy_scenario_path, monkeypatch):
    import tempfile

    import sim.results
    from sim.ensemble import build_specs, run_task

    folders = []
    mkstemp = tempfile.mkstemp

    def recording_mkstemp(*args, dir, **kwargs):
        folders.append(Path(dir))
        return mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(sim.results.tempfile, "mkstemp", recording_mkstemp)
    spec = build_specs(load_scenario(toy_scenario_path, overrides=SHORT), points=[{}], seeds=1)[0]
    assert run_task(spec, str(tmp_path))["status"] == "done"
    table_folder_paths = {partition_file(tmp_path, name, spec.run_id).parent for name in RUN_TABLES}
    assert folders and not table_folder_paths & set(folders)


@pytest.mark.parametrize("reader", ["pyarrow.dataset", "pyarrow.parquet"])
def test_a_study_folder_read_with_pyarrow_keeps_the_descriptions_and_units(study, reader):
    for folder in table_folders(study.study_dir):
        table = ds.dataset(folder).to_table() if reader == "pyarrow.dataset" else pq.read_table(folder)
        assert table.schema.metadata[b"table"] == folder.name.encode(), (reader, folder.name)
        entries = columns_of(folder.name)
        for field in table.schema:
            assert field.metadata[b"description_en"].decode() == entries[field.name].en, (reader, folder.name, field.name)
            assert field.metadata[b"description_zh"].decode() == entries[field.name].zh, (reader, folder.name, field.name)
            assert field.metadata[b"unit_zh"].decode() == entries[field.name].unit.zh, (reader, folder.name, field.name)
