"""Faults while writing: a run stopped by SIGTERM or Ctrl-C leaves no stage and no empty folder, a
stage left by a process killed outright is swept by the next write beside it (never a live writer's), and
processes writing the same run at once neither fail nor leave a reader without the run."""

from __future__ import annotations

import json
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
    # the rerun is the run that was never interrupted
    clean = tmp_path / "clean"
    assert main([*args[:3], str(clean), *args[4:]]) == 0
    tables = sorted(p.name for p in run_dir.glob("*.parquet"))
    assert tables and tables == sorted(p.name for p in (clean / SCENARIO / run_dir.name).glob("*.parquet"))
    assert all((run_dir / name).read_bytes() == (clean / SCENARIO / run_dir.name / name).read_bytes() for name in tables)


def test_a_previous_version_left_by_a_killed_swap_is_restored_or_removed(tmp_path) -> None:
    folder = tmp_path / SCENARIO
    folder.mkdir()
    dead_pid = _a_pid_that_is_not_running()
    # killed after moving the old version aside, before moving the new one in: the old one comes back
    orphan = folder / f".seed1.v2.{dead_pid}.1f2e.old"
    orphan.mkdir()
    (orphan / "manifest.json").write_text("{}")
    # killed after both renames, before removing the old version: it goes
    replaced = folder / f".seed2.{dead_pid}.3a4b.old"
    replaced.mkdir()
    (folder / "seed2").mkdir()
    assert sorted(sweep_abandoned_stages(folder)) == sorted([orphan, replaced])
    assert (folder / "seed1.v2" / "manifest.json").exists()
    assert not replaced.exists() and (folder / "seed2").exists()


# Each writer simulates the toy scenario briefly, says it is ready, waits for the word, then writes the run
# again and again through the path `talentsim run` uses. "two-step" forces the fallback swap.
WRITER = """
import sys
from pathlib import Path
import sim.results
from sim.config import load_scenario
from sim.runner import simulate, write_run
scenario, out, writes, swap = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if swap == "two-step":
    sim.results.exchange_paths = lambda a, b: False
model, _ = simulate(load_scenario(scenario, overrides={"run.end": "2022-02"}))
print("ready", flush=True)
sys.stdin.readline()
for _ in range(writes):
    write_run(model, out=out, charts=False)
"""
WRITERS, WRITES_EACH = 3, 40


def _write_concurrently(out: Path, *, swap: str) -> tuple[list[str], int, Path]:
    """Start the writers of one run and read it while they write; the problems seen, the reads made, the run."""
    from sim.config import load_scenario
    from sim.results import run_id

    final = out / SCENARIO / run_id(load_scenario(TOY, overrides={"run.end": "2022-02"}))
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(TOY), str(out), str(WRITES_EACH), swap], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(WRITERS)]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready", writer.communicate()[1]
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    problems, reads = [], 0
    deadline = time.monotonic() + 120
    while not final.exists() and time.monotonic() < deadline:
        time.sleep(0.001)
    manifest = final / "manifest.json"
    while any(writer.poll() is None for writer in writers) and time.monotonic() < deadline:
        for _ in range(50):  # mostly the quick question, so that a brief absence is caught
            reads += 1
            if not os.path.isdir(final):
                problems.append("the run folder was missing")
        try:
            reads += 1
            if json.loads(manifest.read_bytes())["run_id"] != final.name:
                problems.append("a manifest of another run")
        except (OSError, ValueError) as error:
            problems.append(f"{type(error).__name__}: {error}")
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        if writer.returncode != 0:
            problems.append(f"a writer failed:\n{err}")
    return problems, reads, final


@pytest.mark.parametrize("swap", ["exchange", "two-step"])
def test_concurrent_writers_of_one_run_leave_one_whole_version(tmp_path, swap) -> None:
    out = tmp_path / "out"
    problems, reads, final = _write_concurrently(out, swap=swap)
    writer_problems = [p for p in problems if p.startswith("a writer failed")]
    assert not writer_problems, writer_problems[0]
    if swap == "exchange":
        # the system's single-step exchange: a reader never finds the run missing or half there
        assert reads > 100, "the reader hardly overlapped the writers"
        assert not problems, f"{len(problems)} of {reads} reads failed, first: {problems[0]}"
    assert not [p.name for p in final.parent.iterdir() if p.name.startswith(".")], "stages or old versions left behind"
    assert [p.name for p in final.parent.iterdir()] == [final.name]
    expected = {f"{name}.{fmt}" for name in _table_names() for fmt in ("parquet", "csv")} | {"config.yaml", "manifest.json"}
    assert {p.name for p in final.iterdir()} == expected
    assert json.loads((final / "manifest.json").read_text(encoding="utf-8"))["run_id"] == final.name


def _table_names() -> list[str]:
    from sim.dictionary import RUN_TABLES

    return list(RUN_TABLES)


def test_a_ctrl_c_just_after_the_stage_is_made_removes_it(tmp_path, monkeypatch) -> None:
    # the signal lands between the stage's folder being made and the writer knowing its name
    real_mkdir = os.mkdir

    def mkdir_then_interrupted(path, *args, **kwargs):
        real_mkdir(path, *args, **kwargs)
        if str(path).endswith(".partial"):
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "mkdir", mkdir_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        with staged_directory(tmp_path / SCENARIO / "run-1"):
            pass
    monkeypatch.undo()
    assert not list(tmp_path.rglob("*.partial")), "a stage was left behind"
    assert not (tmp_path / SCENARIO).exists(), "an empty scenario folder was left behind"
