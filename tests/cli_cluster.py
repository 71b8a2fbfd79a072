"""A Dask cluster of separate processes started with Dask's own command-line tools (`dask scheduler`,
`dask worker`) on 127.0.0.1, as an operator starts one on real machines; used by the tests and by
benchmarks/bench_cluster.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# the two settings that matter for TalentSim's speed on workers started by hand (docs/studies.md):
# no stack sampling of running tasks, and glibc's own malloc trim threshold rather than the nanny's
WORKER_CONFIG = """\
distributed:
  worker:
    profile:
      enabled: false
  nanny:
    pre-spawn-environ:
      MALLOC_TRIM_THRESHOLD_: null
"""


class CliCluster:
    """A scheduler and ``workers`` single-threaded workers, each its own process group, stopped on exit."""

    def __init__(self, folder: Path, *, workers: int, start_timeout_s: float = 60.0) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.scheduler_file = self.folder / "scheduler.json"
        (self.folder / "dask-config").mkdir(exist_ok=True)
        (self.folder / "dask-config" / "talentsim.yaml").write_text(WORKER_CONFIG)
        self.env = {**os.environ, "DASK_CONFIG": str(self.folder / "dask-config"),
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
        self.n_workers = workers
        self.start_timeout_s = start_timeout_s
        self.scheduler: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    def __enter__(self) -> "CliCluster":
        self.scheduler = self._start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                     "--scheduler-file", str(self.scheduler_file))
        deadline = time.time() + self.start_timeout_s
        while not self.scheduler_file.exists():
            self._check_alive(self.scheduler, "scheduler", deadline)
            time.sleep(0.1)
        for i in range(self.n_workers):
            self.workers.append(self._start(f"worker-{i}", "worker", "--scheduler-file", str(self.scheduler_file), "--nworkers", "1",
                                            "--nthreads", "1", "--no-dashboard", "--name", f"worker-{i}", "--host", "127.0.0.1"))
        self.wait_for_workers(self.n_workers, deadline=deadline)
        return self

    def __exit__(self, *exc: object) -> None:
        for process in [*self.workers, self.scheduler]:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in [*self.workers, self.scheduler]:
            if process is None:
                continue
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    @property
    def address(self) -> str:
        return json.loads(self.scheduler_file.read_text())["address"]

    def connected_workers(self) -> int:
        from distributed import Client

        with Client(self.address, timeout="10s") as client:
            return len(client.scheduler_info()["workers"])

    def wait_for_workers(self, n: int, *, deadline: float) -> None:
        while self.connected_workers() < n:
            for i, worker in enumerate(self.workers):
                self._check_alive(worker, f"worker-{i}", deadline)
            time.sleep(0.2)

    def kill_worker(self, index: int) -> None:
        """SIGKILL a worker's whole process group (its nanny and its worker process), as a lost machine."""
        os.killpg(self.workers[index].pid, signal.SIGKILL)
        self.workers[index].wait()

    def _start(self, name: str, *command: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - the process owns it
        return subprocess.Popen([sys.executable, "-m", "dask", *command], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, cwd=self.folder)

    def _check_alive(self, process: subprocess.Popen, name: str, deadline: float) -> None:
        if process.poll() is not None:
            raise RuntimeError(f"dask {name} exited with {process.returncode}: see {self.folder / (name + '.log')}")
        if time.time() > deadline:
            raise TimeoutError(f"the Dask cluster did not start within {self.start_timeout_s} s: see the logs in {self.folder}")
