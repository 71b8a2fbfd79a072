"""Faults while writing: a run stopped by SIGTERM or Ctrl-C leaves no stage and no empty folder, and a
stage left by a process killed outright is swept by the next write beside it (never a live writer's)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.results import staged_directory, sweep_abandoned_stages

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "toyville_scenario.yaml"
SCENARIO = "toyville"  # the toy scenario's name, its output folder


def _start_run(out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim", "run", str(TOY), "--out", str(out), "--quiet", *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_stage(out: Path, process: subprocess.Popen, *, timeout: float = 120) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stages = list(out.glob("*/.*.partial"))
        if stages:
            return stages[0]
        if process.poll() is not None:
            pytest.fail(f"the run ended before it began writing:\n{process.stderr.read()}")
        time.sleep(0.005)
    pytest.fail("no stage appeared")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_run_stopped_while_writing_leaves_nothing_behind(tmp_path, stop) -> None:
    out = tmp_path / "out"
    process = _start_run(out)
    _wait_for_stage(out, process)
    process.send_signal(stop)
    _, err = process.communicate(timeout=120)
    assert process.returncode in (130, 128 + stop), err
    assert "Traceback" not in err and "nothing was written" in err
    assert not list(out.rglob("*.partial")), "a stage was left behind"
    assert not list(out.glob("*")), "an empty scenario folder was left behind"


def test_a_stage_left_by_a_killed_run_is_swept_by_the_next(tmp_path) -> None:
    out = tmp_path / "out"
    process = _start_run(out)
    stage = _wait_for_stage(out, process)
    process.kill()  # SIGKILL: no chance to clean up
    process.communicate(timeout=60)
    assert stage.exists()
    rerun = subprocess.run([sys.executable, "-m", "sim", "run", str(TOY), "--out", str(out), "--quiet", "--no-charts",
                            "--set", "run.end=2022-03"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert not stage.exists()
    assert not list(out.rglob("*.partial"))
    assert len([p for p in (out / SCENARIO).iterdir() if not p.name.startswith(".")]) == 1


def test_a_live_writers_stage_is_left_alone(tmp_path) -> None:
    folder = tmp_path / SCENARIO
    folder.mkdir()
    live = folder / f".run-a.{os.getpid()}.x1.partial"
    live.mkdir()
    dead_pid = _a_pid_that_is_not_running()
    dead = folder / f".run-b.{dead_pid}.x2.partial"
    dead.mkdir()
    assert sweep_abandoned_stages(folder) == [dead]
    assert live.exists() and not dead.exists()


def test_a_failed_write_removes_its_stage_and_the_folder_it_made(tmp_path) -> None:
    final = tmp_path / "scenario" / "run-1"
    with pytest.raises(RuntimeError):
        with staged_directory(final) as stage:
            (stage / "table.parquet").write_bytes(b"half")
            raise RuntimeError("disk full")
    assert not (tmp_path / "scenario").exists()


def _a_pid_that_is_not_running() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_a_full_disk_is_a_clear_error_and_a_rerun_completes(tmp_path, monkeypatch, capsys) -> None:
    import errno

    import sim.results
    from sim.cli import main

    out = tmp_path / "out"
    args = ["run", str(TOY), "--out", str(out), "--quiet", "--no-charts", "--set", "run.end=2022-03"]

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(sim.results.os, "fsync", full)
        code = main(args)
    err = capsys.readouterr().err
    assert code == 1 and "no space left" in err and str(out) in err and "Traceback" not in err
    assert not list(out.rglob("*")), "files or folders were left by the failed write"
    assert main(args) == 0
    (run_dir,) = (out / SCENARIO).iterdir()
    assert (run_dir / "manifest.json").exists()


def test_a_previous_version_left_by_a_killed_swap_is_restored_or_removed(tmp_path) -> None:
    folder = tmp_path / SCENARIO
    folder.mkdir()
    dead_pid = _a_pid_that_is_not_running()
    # killed after moving the old version aside, before moving the new one in: the old one comes back
    orphan = folder / f".seed1.v2.{dead_pid}.old"
    orphan.mkdir()
    (orphan / "manifest.json").write_text("{}")
    # killed after both renames, before removing the old version: it goes
    replaced = folder / f".seed2.{dead_pid}.old"
    replaced.mkdir()
    (folder / "seed2").mkdir()
    assert sorted(sweep_abandoned_stages(folder)) == sorted([orphan, replaced])
    assert (folder / "seed1.v2" / "manifest.json").exists()
    assert not replaced.exists() and (folder / "seed2").exists()
