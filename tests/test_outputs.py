"""What a run writes: every table in two formats, the resolved configuration, a manifest and charts,
in one folder per run, with nothing half-written left behind."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import yaml

from sim.cli import main
from sim.categories import INFLOW_CHANNELS, TIERS
from sim.config import Scenario, load_scenario
from sim.model import TalentModel
from sim.submodels.observation import month_end

TABLES = ("talent_stock", "talent_flows", "firms", "projects", "housing", "spending", "cost_effectiveness", "coupling", "city_annual",
          "residents_by_age")
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def written(tmp_path_factory, toy_scenario_path) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("outputs") / "out"
    code = main(["run", str(toy_scenario_path), "--seed", "5", "--out", str(out), "--quiet", "--lang", "en"])
    assert code == 0
    return out, toy_scenario_path


@pytest.fixture(scope="module")
def run_dir(written) -> Path:
    out, _ = written
    scenario_dirs = [p for p in out.iterdir()]
    assert [p.name for p in scenario_dirs] == ["toyville"]
    runs = [p for p in scenario_dirs[0].iterdir() if not p.name.startswith(".")]
    assert len(runs) == 1
    return runs[0]


def test_layout_is_out_scenario_run_id(run_dir, written) -> None:
    _, scenario_path = written
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert run_dir.name == manifest["run_id"]
    assert run_dir.parent.name == load_scenario(scenario_path).name


def test_every_table_in_parquet_and_csv(run_dir) -> None:
    for name in TABLES:
        table = pq.read_table(run_dir / f"{name}.parquet")
        csv_bytes = (run_dir / f"{name}.csv").read_bytes()
        assert csv_bytes.startswith(BOM), f"{name}.csv lacks the UTF-8 byte-order mark Excel needs"
        csv = pacsv.read_csv(pa.BufferReader(csv_bytes[len(BOM):]))
        assert csv.num_rows == table.num_rows > 0, name
        assert csv.column_names == table.column_names, name
        assert table.column_names[:3] == ["scenario", "run_id", "seed"], name


def test_config_and_manifest(run_dir) -> None:
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    for key in ("run_id", "config_hash", "seed", "packages", "git_commit", "timings_s"):
        assert key in manifest, key
    assert manifest["seed"] == 5
    assert isinstance(manifest["packages"], dict) and "numpy" in manifest["packages"]
    assert manifest["timings_s"] and all(v >= 0 for v in manifest["timings_s"].values())
    # the saved configuration is the resolved one: it rebuilds the scenario with the manifest's hash
    config = yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8"))
    assert "extends" not in config
    scenario = Scenario.model_validate(config)
    assert scenario.config_hash() == manifest["config_hash"]
    assert scenario.run.seed == 5


def test_charts_written(run_dir) -> None:
    charts = sorted((run_dir / "charts").glob("*.png"))
    assert charts
    for chart in charts:
        assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 1000


def test_no_partial_or_temporary_files_left(written) -> None:
    out, _ = written
    leftovers = [p for p in out.rglob("*") if ".partial" in p.name or p.name.endswith(".tmp") or p.name.endswith(".old")]
    assert not leftovers, leftovers


def test_talent_stock_table(run_dir, written) -> None:
    _, scenario_path = written
    table = pq.read_table(run_dir / "talent_stock.parquet")
    assert set(table.column_names) == {"scenario", "run_id", "seed", "date", "cluster", "tier", "district", "talent_stock"}
    assert set(table.column("tier").to_pylist()) == set(TIERS)
    scenario = load_scenario(scenario_path)
    region = scenario.load_region()
    assert set(table.column("cluster").to_pylist()) == set(region.sector_ids)
    # the first date is the end of the month before the run starts, and holds the region's initial stock
    dates = table.column("date").to_pylist()
    first = min(dates)
    assert first == dt.date(2021, 12, 31)
    stock = table.column("talent_stock").to_numpy()
    at_start = stock[np.array([d == first for d in dates])]
    assert at_start.sum() == pytest.approx(region.talent_stock.value, rel=1e-6)
    # one row per month, cluster and tier
    months = len(set(dates))
    assert table.num_rows == months * len(region.sector_ids) * len(TIERS)
    assert months == 36 + 1


def test_coupling_degree_in_unit_interval(run_dir) -> None:
    table = pq.read_table(run_dir / "coupling.parquet")
    for column in ("u_talent", "u_industry", "coupling_c", "coordination_t", "coordination_d"):
        values = table.column(column).to_numpy()
        assert np.isfinite(values).all(), column
        assert values.min() >= 0 and values.max() <= 1, column
    d = table.column("coordination_d").to_numpy()
    assert d.max() > 0  # all zeros would satisfy the bounds without measuring anything


def test_flows_table_balances_stock(run_dir) -> None:
    # the written tables carry the same accounting as the model: change in stock = inflow - outflow
    stock = pq.read_table(run_dir / "talent_stock.parquet")
    flows = pq.read_table(run_dir / "talent_flows.parquet")
    total = {}
    for d, v in zip(stock.column("date").to_pylist(), stock.column("talent_stock").to_numpy()):
        total[d] = total.get(d, 0.0) + v
    net = {}
    for d, direction, v in zip(flows.column("date").to_pylist(), flows.column("direction").to_pylist(),
                               flows.column("persons").to_numpy()):
        net[d] = net.get(d, 0.0) + (v if direction == "inflow" else -v)
    dates = sorted(total)
    for before, after in zip(dates, dates[1:]):
        assert total[after] - total[before] == pytest.approx(net.get(after, 0.0), abs=1e-6 * total[after])


def test_a_chosen_few_tables_are_the_same_as_in_the_whole_set(toy_run):
    every = toy_run.recorder.tables()
    few = toy_run.recorder.tables(["coupling", "talent_stock"])
    assert list(few) == ["coupling", "talent_stock"]
    for name, table in few.items():
        assert table.equals(every[name]), name
    with pytest.raises(ValueError, match="not output tables"):
        toy_run.recorder.tables(["talent_stocks"])


@pytest.mark.parametrize("fixture", ["toy_run", "jiaxing_run"])
def test_the_flows_table_holds_every_recorded_flow_and_no_empty_cell(fixture, request):
    # built cell by cell from the recorder's arrays: every month x sector x tier x channel with persons, inflows first
    model = request.getfixturevalue(fixture)
    recorder, T = model.recorder, model.t
    sectors, districts = model.region.sector_ids, [model.district_ids[d] for d in model.sector_district]
    expected = []
    for direction, values, channels in (("inflow", recorder.inflow, INFLOW_CHANNELS), ("outflow", recorder.outflow, recorder.out_channels)):
        for t, s, k, c in np.ndindex(T, len(sectors), len(TIERS), len(channels)):
            if values[t, s, k, c] > 0:
                date = month_end(model.start + t)
                expected.append((date, sectors[s], districts[s], TIERS[k], direction, channels[c], float(values[t, s, k, c])))
    flows = recorder.tables(["talent_flows"])["talent_flows"]
    assert flows.column_names == ["date", "cluster", "district", "tier", "direction", "channel", "persons"]
    assert list(zip(*(flows.column(n).to_pylist() for n in flows.column_names))) == expected
    assert {"inflow", "outflow"} <= set(flows.column("direction").to_pylist())


@pytest.mark.parametrize("end, expected", [("2024-12", ["end-2021", "end-2024"]), ("2026-05", ["end-2021", "end-2025"]),
                                           ("2031-12", ["end-2021", "end-2025", "end-2030", "end-2031"])])
def test_the_printed_summary_takes_its_years_from_the_run(toy_scenario_path, end: str, expected: list[str]) -> None:
    # the initial state's year end, every fifth year and the run's last whole year: no year of Jiaxing's baseline is assumed
    from sim.cli import summary_table

    scenario = load_scenario(toy_scenario_path, overrides={"run.end": end, "run.scale": 10})
    model = TalentModel(scenario, seed=1, collect_model_vars=False).run()
    header = summary_table(model.recorder.tables(["talent_stock"]), scenario=scenario, lang="en").splitlines()[1]
    assert header.split()[1:] == expected
    title, header = summary_table(model.recorder.tables(["talent_stock"]), scenario=scenario, lang="zh").splitlines()[:2]
    assert title.startswith("人才存量（人）") and header.split() == ["集群", *[f"{label[4:]}年末" for label in expected]]
