"""A study on a cluster started with Dask's own tools (`dask scheduler`, `dask worker`), reached through
`--scheduler`, writes the files of a serial study, and survives a worker killed mid-study."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_cluster import CliCluster

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "toyville_scenario.yaml"
SEEDS = 16
STUDY = Path("toyville") / "ensemble"

pytestmark = pytest.mark.slow


def ensemble(out: Path, *placement: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "sim", "ensemble", str(TOY), "--seeds", str(SEEDS), "--set", "run.end=2024-06",
               "--no-charts", "--quiet", "--out", str(out), *placement]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)


def study_files(study_dir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(study_dir)): p.read_bytes() for p in sorted(study_dir.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def serial_study(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("serial")
    result = ensemble(out, "--workers", "0")
    assert result.returncode == 0, result.stderr
    files = study_files(out / STUDY)
    assert sum(name.startswith("runs/_done") for name in files) == SEEDS
    return files


def test_a_cluster_of_separate_processes_gives_the_serial_files(tmp_path, serial_study) -> None:
    with CliCluster(tmp_path / "cluster", workers=2) as cluster:
        result = ensemble(tmp_path / "out", "--scheduler", cluster.address)
        assert cluster.connected_workers() == 2
    assert result.returncode == 0, result.stderr
    assert study_files(tmp_path / "out" / STUDY) == serial_study


def test_a_worker_killed_mid_study_is_survived(tmp_path, serial_study) -> None:
    out = tmp_path / "out"
    with CliCluster(tmp_path / "cluster", workers=2) as cluster:
        command = [sys.executable, "-m", "sim", "ensemble", str(TOY), "--seeds", str(SEEDS), "--set", "run.end=2024-06",
                   "--no-charts", "--quiet", "--out", str(out), "--scheduler", cluster.address]
        study = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        done_dir = out / STUDY / "runs" / "_done"
        deadline = time.time() + 300
        while time.time() < deadline and len(list(done_dir.glob("*.json"))) < 2 and study.poll() is None:
            time.sleep(0.02)
        cluster.kill_worker(0)
        complete_at_kill = len(list(done_dir.glob("*.json")))
        stdout, stderr = study.communicate(timeout=600)
        assert cluster.connected_workers() == 1
    assert 2 <= complete_at_kill < SEEDS, f"the worker was not killed mid-study ({complete_at_kill} of {SEEDS} runs complete)"
    assert study.returncode == 0, stderr
    assert f"{SEEDS} of {SEEDS} runs complete" in stdout
    assert study_files(out / STUDY) == serial_study
