"""Ensembles and sweeps: identical files whatever the workers, resumable, failures recorded (real LocalCluster)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.compare import run_sweep
from sim.config import load_scenario
from sim.ensemble import (
    RunSpec, build_specs, derive_seeds, done_marker, parse_lever_range, partition_file, run_stocks, run_study, summarise,
)

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "toyville_scenario.yaml"
SHORT = {"run.end": "2023-06"}
POINTS = [{"apartments_per_year": 0}, {"apartments_per_year": 800}]


@pytest.fixture(autouse=True)
def workers_import_test_tasks(monkeypatch):
    # worker processes inherit the environment: let them import tests/ensemble_tasks.py
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]))
    sys.path.insert(0, str(ROOT / "tests"))
    yield
    sys.path.remove(str(ROOT / "tests"))


def study_files(study_dir: Path) -> dict[str, bytes]:
    """Every file a study leaves, by relative path (the charts are left out: they are off here)."""
    return {str(p.relative_to(study_dir)): p.read_bytes() for p in sorted(study_dir.rglob("*")) if p.is_file()}


def run_toy(out: Path, *, workers: int, seeds: int = 3, task=None, **extra):
    scenario = load_scenario(TOY, overrides=SHORT)
    options = {"task": task} if task is not None else {}
    return run_study(scenario, points=POINTS, seeds=seeds, out=out, study="study", workers=workers, charts=False, **options, **extra)


@pytest.fixture(scope="module")
def serial_reference(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("serial")
    result = run_toy(out, workers=0)
    assert result.n_done == 6
    return study_files(result.study_dir)


def test_seeds_derive_from_one_root_and_points_share_them():
    assert derive_seeds(7, 4) == derive_seeds(7, 4)
    assert derive_seeds(7, 4)[:2] != derive_seeds(8, 2)
    assert len(set(derive_seeds(7, 50))) == 50
    specs = build_specs(load_scenario(TOY), points=POINTS, seeds=3)
    assert [s.seed for s in specs if s.point == 0] == [s.seed for s in specs if s.point == 1]
    assert len({s.run_id for s in specs}) == 6


@pytest.mark.parametrize("workers", [1, 2])
def test_local_cluster_gives_the_serial_files(tmp_path, serial_reference, workers):
    result = run_toy(tmp_path, workers=workers)
    assert study_files(result.study_dir) == serial_reference


def test_rerun_skips_complete_runs(tmp_path, serial_reference):
    first = run_toy(tmp_path, workers=0)
    marker = done_marker(first.study_dir, first.specs[0].run_id)
    stamp = marker.stat().st_mtime_ns
    again = run_toy(tmp_path, workers=0)
    assert set(again.status.values()) == {"skipped"}
    assert marker.stat().st_mtime_ns == stamp
    assert study_files(again.study_dir) == serial_reference


@pytest.mark.parametrize("workers", [0, 2])
def test_a_failing_run_is_recorded_and_the_rest_complete(tmp_path, workers):
    from ensemble_tasks import failing_task

    result = run_toy(tmp_path, workers=workers, seeds=6, task=failing_task)
    failed = {s.run_id for s in result.specs if s.seed % 3 == 0}
    assert failed, "the seeds should include a failing one"
    assert {r for r, st in result.status.items() if st == "failed"} == failed
    assert result.n_done == len(result.specs) - len(failed)
    for record in result.failures:
        assert "Traceback" in record["traceback"] and "no such region" in record["error"]
        assert record["config"]["run"]["seed"] == record["seed"]
    # the summary counts the complete runs only
    n_runs = {row["point"]: row["n_runs"] for row in result.summary.to_pylist()}
    assert sum(n_runs.values()) == result.n_done


@pytest.mark.parametrize("workers", [1, 2])
def test_local_workers_neither_profile_their_tasks_nor_trim_memory_eagerly(tmp_path, monkeypatch, workers):
    from ensemble_tasks import settings_recording_task

    from sim.row_ranges import available_cores

    monkeypatch.delenv("TALENTSIM_THREADS", raising=False)
    result = run_toy(tmp_path, workers=workers, seeds=1, task=settings_recording_task)
    records = [json.loads(p.read_text()) for p in result.study_dir.parent.glob("settings-*.json")]
    assert len(records) == len(result.specs)
    # and the workers share the cores among their passes over a large table in row ranges (sim.row_ranges)
    threads = str(max(available_cores() // workers, 1))
    assert all(r == {"profile": False, "malloc_trim": None, "threads": threads} for r in records)


# killed outright, or halfway through writing a table (its hidden temporary must not be left in the study)
@pytest.mark.parametrize("task_name", ["worker_killing_task", "worker_killed_while_writing_task"])
def test_a_killed_worker_still_gives_complete_identical_results(tmp_path, serial_reference, monkeypatch, task_name):
    import ensemble_tasks

    specs = build_specs(load_scenario(TOY, overrides=SHORT), points=POINTS, seeds=3)
    monkeypatch.setenv("TALENTSIM_KILL_SEED", str(specs[0].seed))
    result = run_toy(tmp_path, workers=2, task=getattr(ensemble_tasks, task_name))
    assert (tmp_path / "toyville" / f"killed-{specs[0].run_id}").exists(), "the worker was not killed"
    assert set(result.status.values()) == {"done"}
    assert study_files(result.study_dir) == serial_reference


def test_a_killed_sweep_rerun_ends_with_the_files_of_an_uninterrupted_one(tmp_path):
    command = [sys.executable, "-m", "sim", "sweep", str(TOY), "--lever", "apartments_per_year=0:900:4", "--seeds", "4",
               "--set", "run.end=2023-12", "--no-charts", "--quiet", "--workers", "2"]
    reference = subprocess.run([*command[:-1], "0", "--out", str(tmp_path / "reference")], capture_output=True, text=True, cwd=ROOT)
    assert reference.returncode == 0, reference.stderr
    out = tmp_path / "killed"
    proc = subprocess.Popen([*command, "--out", str(out)], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done_dir = out / "toyville" / "sweep-apartments_per_year" / "runs" / "_done"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(done_dir.glob("*.json"))) < 4:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole group: the command and its workers
    proc.wait()
    interrupted = len(list(done_dir.glob("*.json")))
    assert 4 <= interrupted < 16, f"the sweep was not stopped mid-way ({interrupted} runs complete)"
    rerun = subprocess.run([*command, "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert rerun.returncode == 0, rerun.stderr
    study = "toyville/sweep-apartments_per_year"
    assert study_files(out / study) == study_files(tmp_path / "reference" / study)


def test_summary_bands_are_ordered_and_total_adds_up(tmp_path):
    result = run_toy(tmp_path, workers=0, seeds=5)
    rows = result.summary.to_pylist()
    for row in rows:
        assert row["p05"] <= row["p25"] <= row["median"] <= row["p75"] <= row["p95"]
    stock = result.table("talent_stock")
    last = max(stock.column("date").to_pylist())
    per_run = {}
    for r in stock.to_pylist():
        if r["date"] == last and r["point"] == 0:
            per_run[r["run_id"]] = per_run.get(r["run_id"], 0.0) + r["talent_stock"]
    total = next(r for r in rows if r["point"] == 0 and r["date"] == last and r["cluster"] == "city_total" and r["tier"] == "all_tiers")
    assert total["median"] == pytest.approx(float(np.median(list(per_run.values()))))
    assert summarise(result.specs, study_dir=result.study_dir) == result.summary


def test_run_stocks_are_read_in_the_order_of_the_runs_given(tmp_path, monkeypatch):
    import pyarrow as pa

    specs = [RunSpec(point=0, point_label="p", seed=i, run_id=f"run{i:03d}", config={}, source_dir=None) for i in range(40)]
    for i, spec in enumerate(specs):
        path = partition_file(tmp_path, "talent_stock", spec.run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"talent_stock": np.arange(6, dtype=float) + 100.0 * i}), path)
    order = [specs[i] for i in np.random.default_rng(1).permutation(40)]
    expected = np.stack([np.arange(6, dtype=float) + 100.0 * s.seed for s in order])
    for cores in (1, 4):  # one by one, and a few files at a time
        monkeypatch.setattr("sim.ensemble.available_cores", lambda: cores)
        assert np.array_equal(run_stocks(order, study_dir=tmp_path), expected)


def test_sweep_labels_points_and_lever_ranges_parse(tmp_path):
    assert parse_lever_range("apartments_per_year=0:20000:11") == ("apartments_per_year", list(np.linspace(0, 20000, 11)))
    assert parse_lever_range("rent_discount=0.3,0.5") == ("rent_discount", [0.3, 0.5])
    for bad in ("apartments_per_year", "x=1:2", "x=1:2:zero", "x="):
        with pytest.raises(ValueError):
            parse_lever_range(bad)
    result = run_sweep(load_scenario(TOY, overrides=SHORT), lever="apartments_per_year", values=[0, 500], seeds=2,
                       out=tmp_path, workers=0, charts=False)
    assert sorted({r["point_label"] for r in result.summary.to_pylist()}) == ["apartments_per_year=0", "apartments_per_year=500"]
    assert pq.read_table(result.study_dir / "runs.parquet").num_rows == 4


def test_cli_rejects_bad_study_options(tmp_path):
    for args in (["--lever", "apartments_per_yeer=0:1:2"], ["--lever", "apartments_per_year=a:b:c"], ["--lever", "apartments_per_year=0:1:2", "--seeds", "0"]):
        proc = subprocess.run([sys.executable, "-m", "sim", "sweep", str(TOY), *args, "--out", str(tmp_path / "o"), "--quiet", "--workers", "0"],
                              capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert not (tmp_path / "o").exists()


def test_a_latin_hypercube_crossed_with_policies_runs_as_one_study(tmp_path):
    from sim.xlrm import crossed, latin_hypercube, outcome_values, parameter

    design = latin_hypercube([parameter("graduate_supply"), parameter("industry_demand_growth")], n=3, seed=4)
    policies = [{"levers.housing.apartments_per_year": 0.0}, {"levers.housing.apartments_per_year": 900.0}]
    points = crossed(design, policies)
    result = run_study(load_scenario(TOY, overrides=SHORT), points=points, seeds=1, out=tmp_path, study="design", workers=0, charts=False)
    assert result.n_done == 6 and len({r["point"] for r in result.summary.to_pylist()}) == 6
    stock = result.table("talent_stock")
    first = stock.filter(pa_equal_run(stock, result.specs[0].run_id))
    values = outcome_values({"talent_stock": first, **{k: result_table(result, k, result.specs[0].run_id) for k in ("spending", "coupling")}},
                            cluster_ids=["robots", "batteries"])
    assert np.isfinite(values["talent_total_2025"]) and values["talent_total_2025"] > 0
    assert values["talent_robots_2035"] > 0


def pa_equal_run(table, rid):
    import pyarrow.compute as pc

    return pc.equal(table["run_id"], rid)


def result_table(result, name, rid):
    return pq.read_table(partition_file(result.study_dir, name, rid))


def test_a_local_cluster_without_the_dashboard_leaves_its_port_to_others(tmp_path):
    with socket.socket() as taken:
        with contextlib.suppress(OSError):  # taken already (another study, another test): the case itself
            taken.bind(("127.0.0.1", 8787))
            taken.listen()
        with warnings.catch_warnings(record=True) as caught:  # the scheduler warns from its own thread: recorded, not raised
            warnings.simplefilter("always")
            result = run_toy(tmp_path, workers=1, seeds=1)
    assert set(result.status.values()) == {"done"}
    assert [str(w.message) for w in caught if "already in use" in str(w.message)] == []


def test_a_local_cluster_quietens_its_workers_shutdown_before_closing(monkeypatch) -> None:
    # a worker's heartbeat in flight as the scheduler shuts is logged as an error with a traceback after a good study
    import logging

    from distributed import Client

    from sim import ensemble

    calls = []
    real_run, real_close = Client.run, Client.close

    def run(client, function, *args, **kwargs):
        result = real_run(client, function, *args, **kwargs)
        calls.append(("run", function.__name__, sorted(result.values(), key=str)))
        return result

    def close(client, *args, **kwargs):
        calls.append(("close",))
        return real_close(client, *args, **kwargs)

    monkeypatch.setattr(Client, "run", run)
    monkeypatch.setattr(Client, "close", close)
    with ensemble._client(workers=1, scheduler=None, security=None, dashboard=False):
        pass
    levels = {name: logging.CRITICAL for name in ensemble.SHUTDOWN_LOGGERS}
    assert calls[:2] == [("run", "quiet_shutdown_logs", [levels]), ("close",)]
    # a block left by an error closes at once: a scheduler that fails is not asked anything more
    calls.clear()
    with pytest.raises(KeyboardInterrupt):
        with ensemble._client(workers=1, scheduler=None, security=None, dashboard=False):
            raise KeyboardInterrupt
    assert calls[:1] == [("close",)]


def test_a_study_folder_holding_runs_of_other_settings_is_a_warning(tmp_path, capsys) -> None:
    # the same scenario with other settings lands in the same folder: its runs/ tables, read whole, would mix the two
    from sim.cli import main

    common = ["ensemble", str(TOY), "--seeds", "2", "--workers", "0", "--out", str(tmp_path), "--quiet", "--no-charts"]
    assert main([*common, "--set", "run.end=2022-06"]) == 0
    assert "other settings" not in capsys.readouterr().err
    assert main([*common, "--seeds", "3", "--set", "run.end=2022-06"]) == 0  # more seeds of the same: the first two are its own
    assert "other settings" not in capsys.readouterr().err
    assert main([*common, "--set", "run.end=2022-03"]) == 0
    err = capsys.readouterr().err
    assert "also holds 3 complete runs of other settings" in err and "--out" in err
    study = tmp_path / "toyville" / "ensemble"
    assert len(list((study / "runs" / "talent_stock").glob("*.parquet"))) == 5
    assert pq.read_table(study / "runs.parquet").num_rows == 2


@pytest.mark.parametrize("workers, error", [(-1, ValueError), (5000, ValueError), (2.0, TypeError), (True, TypeError)])
def test_a_study_refuses_a_number_of_workers_it_cannot_run_on(tmp_path, workers, error) -> None:
    # a local cluster of -1 workers waited for ever; nothing is written
    from sim.ensemble import run_ensemble

    scenario = load_scenario(TOY, overrides={"run.end": "2022-03"})
    with pytest.raises(error, match="workers"):
        run_ensemble(scenario, seeds=1, out=tmp_path / "out", workers=workers)
    assert not (tmp_path / "out").exists()
