"""Writing a run's results: tables (Parquet and Excel-friendly CSV), configuration and manifest, atomically.

A run is written into a temporary folder next to its destination and renamed into place
only when every file is complete, so an interrupted run never leaves a partial result.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import io
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator, Sequence

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml

from sim.arithmetic import arithmetic
from sim.config import Scenario
from sim.dictionary import described

PACKAGES = ("talentsim", "mesa", "numpy", "pyarrow", "pydantic", "matplotlib", "networkx", "PyYAML")


def run_id(scenario: Scenario) -> str:
    """Identifies a run by its resolved configuration (which includes seed and scale)."""
    return f"seed{scenario.run.seed}-scale{scenario.run.scale}-{scenario.config_hash()[:10]}"


def write_atomic(path: Path, data: bytes, *, staging: Path | None = None) -> None:
    """Write bytes to ``path`` so that readers see either the old file or the whole new one.

    The temporary file goes to ``staging`` (a folder on the same file system) when given, else
    beside ``path``: a folder that readers list as a dataset must not show it, even hidden.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = path.parent if staging is None else staging
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parquet_bytes(table: pa.Table, *, name: str) -> bytes:
    """Parquet of the output table ``name``, each field carrying its description and unit (sim/dictionary.py)."""
    sink = io.BytesIO()
    pq.write_table(described(table, name=name), sink, compression="zstd")
    return sink.getvalue()


def csv_bytes(table: pa.Table, *, name: str) -> bytes:
    """CSV with a UTF-8 byte-order mark, so that Excel reads Chinese text correctly.

    CSV has no place for descriptions, but its columns must be in the dictionary all the same.
    """
    sink = io.BytesIO()
    pacsv.write_csv(described(table, name=name), sink)
    return "\ufeff".encode("utf-8") + sink.getvalue()


def write_table(folder: Path, table: pa.Table, *, name: str, formats: Sequence[str] = ("parquet", "csv")) -> list[Path]:
    """The output table ``name`` as ``folder/<name>.parquet`` and/or ``.csv``, each file atomically."""
    encoders = {"parquet": parquet_bytes, "csv": csv_bytes}
    unknown = [f for f in formats if f not in encoders]
    if unknown:
        raise ValueError(f"formats {', '.join(unknown)}: write parquet or csv")
    written = []
    for fmt in formats:
        path = Path(folder) / f"{name}.{fmt}"
        write_atomic(path, encoders[fmt](table, name=name))
        written.append(path)
    return written


def with_keys(table: pa.Table, *, key_columns: dict[str, Any]) -> pa.Table:
    """The table with a run's key columns (scenario, run id, seed, ...) in front, one value each."""
    for i, (column, value) in enumerate(key_columns.items()):
        typ = pa.int64() if isinstance(value, int) else pa.string()
        table = table.add_column(i, column, pa.repeat(pa.scalar(value, type=typ), table.num_rows))
    return table


@contextmanager
def staged_directory(final: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``final``; on success it takes the place of ``final`` whole.

    The new version replaces an existing one in a single step where the system allows it (Linux's
    ``renameat2`` with ``RENAME_EXCHANGE``, glibc 2.28 or later): a reader always finds ``final``, either
    the old version or the new one. Elsewhere (another system, an older C library, or a file system that
    refuses the exchange) the old version is first moved aside and the new one renamed in, so for a
    moment ``final`` is absent. Several processes may write the same run at once: each has its own stage
    and its own names for the version it moves aside, and the last to finish wins, wholly.

    On any failure (an exception, Ctrl-C, or SIGTERM, which the CLI turns into an exit) the stage is
    removed, and so is the scenario folder if nothing else is in it. The stage's name carries the
    writer's process id, so that stages left by a process that was killed outright are swept by the
    next write beside them, while a stage of a writer still running is left alone.
    """
    parent_existed = final.parent.exists()
    final.parent.mkdir(parents=True, exist_ok=True)
    sweep_abandoned_stages(final.parent)
    # the stage is named first and made inside the block: a Ctrl-C that lands just after the folder is made (before
    # a name returned by mkdtemp could be kept) still removes it
    stage: Path | None = final.parent / f".{final.name}.{os.getpid()}.{secrets.token_hex(6)}.partial"
    try:
        try:
            stage.mkdir(mode=0o700)
        except FileExistsError:
            stage = None  # another writer's: never removed here
            raise
        yield stage
        _swap_into_place(stage, final)
    except BaseException:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        if not parent_existed:
            _remove_if_empty(final.parent)
        raise


def _swap_into_place(stage: Path, final: Path) -> None:
    """Put the folder ``stage`` at ``final``, removing the version it replaces.

    Another writer may put its own version in place at any moment; whoever renames last wins.
    """
    while True:
        if not final.exists():
            if _rename_unless_taken(stage, final):
                return
            continue
        try:
            exchanged = exchange_paths(stage, final)
        except FileNotFoundError:  # another writer's two-step swap had moved it aside
            continue
        if exchanged:
            shutil.rmtree(stage, ignore_errors=True)  # the stage's name now holds the replaced version
            return
        if _replace_in_two_steps(stage, final):
            return


def _rename_unless_taken(stage: Path, final: Path) -> bool:
    """Rename ``stage`` to ``final``; False when another writer's version got there first."""
    try:
        os.rename(stage, final)
    except OSError as error:
        if error.errno in (errno.ENOTEMPTY, errno.EEXIST):
            return False
        raise
    return True


def _replace_in_two_steps(stage: Path, final: Path) -> bool:
    """The fallback swap: ``final`` moved aside, ``stage`` renamed in, the old version removed.

    ``final`` is absent between the two renames. The name it is moved to is this writer's alone and
    carries its process id, so a swap killed in between is undone by the next sweep. False when another
    writer's version took the place first (the caller tries again).
    """
    old = final.with_name(f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.old")
    try:
        os.rename(final, old)
    except FileNotFoundError:  # another writer moved it aside first
        pass
    try:
        placed = _rename_unless_taken(stage, final)
    finally:
        shutil.rmtree(old, ignore_errors=True)
    return placed


# Linux renameat2(2): exchange two paths atomically.
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_EXCHANGE_REFUSED = {errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP}


def exchange_paths(a: Path, b: Path) -> bool:
    """Exchange the paths ``a`` and ``b`` in one step; False where the system or file system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _EXCHANGE_REFUSED:
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


@functools.cache
def _renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2  # glibc 2.28 and later
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def sweep_abandoned_stages(folder: Path) -> list[Path]:
    """Remove the stages in ``folder`` whose writing process is gone: ``.<run>.<pid>.<random>.partial``, and
    ``.<run>.<pid>.<random>.old``, the previous version of a run being replaced by the two-step swap."""
    swept = []
    for path in [*folder.glob(".*.partial"), *folder.glob(".*.old")]:
        pid = _writer_pid(path)
        if pid is None or _process_alive(pid):
            continue
        run = folder / path.name[1:].rsplit(".", 3)[0]
        if not (path.suffix == ".old" and _restore(path, run=run)):
            shutil.rmtree(path, ignore_errors=True)
        swept.append(path)
    return swept


def _restore(old: Path, *, run: Path) -> bool:
    """Put back a previous version when its run is missing (its writer was killed between the two renames)."""
    if run.exists():
        return False
    try:
        return _rename_unless_taken(old, run)
    except FileNotFoundError:  # another sweep got there first
        return True


def _writer_pid(stage: Path) -> int | None:
    """The process id in a stage's name; counted from the end, since a run's name may hold dots and digits."""
    parts = stage.name.split(".")
    if len(parts) < 5 or not parts[-3].isdigit():
        return None
    return int(parts[-3])


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's
        return True
    return True


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit() -> str | None:
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True, timeout=5)
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def write_tables(stage: Path, tables: dict[str, pa.Table], *, key_columns: dict[str, Any]) -> list[Path]:
    """Each table as Parquet and CSV, with the run's key columns (scenario, run_id, seed) in front."""
    written = []
    for name, table in tables.items():
        written += write_table(stage, with_keys(table, key_columns=key_columns), name=name)
    return written


def write_run_metadata(stage: Path, *, scenario: Scenario, manifest: dict[str, Any]) -> list[Path]:
    config_path = stage / "config.yaml"
    write_atomic(config_path, yaml.safe_dump(scenario.model_dump(mode="json"), allow_unicode=True, sort_keys=False).encode("utf-8"))
    manifest_path = stage / "manifest.json"
    write_atomic(manifest_path, json.dumps(manifest, indent=2, ensure_ascii=False, default=str).encode("utf-8"))
    return [config_path, manifest_path]


def base_manifest(scenario: Scenario) -> dict[str, Any]:
    return {
        "run_id": run_id(scenario),
        "scenario": scenario.name,
        "scenario_source": scenario.found.record() if scenario.found else None,
        "config_hash": scenario.config_hash(),
        "seed": scenario.run.seed,
        "scale": scenario.run.scale,
        "start": scenario.run.start,
        "end": scenario.run.end,
        "git_commit": git_commit(),
        "packages": package_versions(),
        "arithmetic": arithmetic(),  # the floating-point code the numbers were computed with (sim/arithmetic.py)
        "command": " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:]),
    }
