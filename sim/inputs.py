"""Reading what a user hands over (files, names, folders, addresses) with stated limits.

Everything here fails with a :class:`ConfigError` that names the file, field or option, before any
simulating: a scenario is a few kilobytes of YAML, so a file, a nesting, a list or a study far
beyond that size is a mistake (or an attack) and is refused at once rather than parsed for minutes.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationInfo, field_validator

from sim.errors import ConfigError

# The limits of the input (docs/scenarios.md, "Input limits"); each is far beyond any real use.
MAX_FILE_BYTES = 1_000_000  # a scenario or region file; the packaged region is ~20 kB
MAX_DEPTH = 32  # nesting of mappings and lists in one YAML document
MAX_NODES = 50_000  # values in one document, counting every use of an alias
MAX_EXTENDS = 16  # files in one chain of ``extends:``
MAX_NAME_LENGTH = 64  # a name that becomes a folder: scenario names, comparison names
MAX_SEEDS = 10_000  # runs per point of a study
MAX_SWEEP_POINTS = 1_000  # values of a swept lever
MAX_DRAWS = 10_000  # parameter sets of a study (--posterior N, --design lhs:N)
MAX_STUDY_RUNS = 100_000  # points x seeds of one study
MAX_SEED = 2**63 - 1  # seeds are stored as signed 64-bit integers in every table
MAX_WORKERS = 1_024  # worker processes of a local cluster
SCHEDULER_TIMEOUT_S = 5  # how long a Dask scheduler may take to answer
# file systems whose files are not data: reading /proc/self/mem or writing under /dev is never meant
VIRTUAL_ROOTS = (Path("/proc"), Path("/sys"), Path("/dev"))

SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


# ---------------------------------------------------------------- files
def read_text_file(path: Path, *, what: str, limit: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes.

    The type is checked before opening, so that a FIFO does not block the reader, and again on
    the open file, so that a file swapped for a device in between is still refused.
    """
    try:
        if Path(path).resolve() == Path(os.devnull).resolve():
            raise ConfigError(source=str(path), problems=[f"empty {what}: {os.devnull} holds no settings"])
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ConfigError(source=str(path), problems=[f"{what}: not a regular file (a folder, device or pipe)"])
        if _under_virtual_root(Path(path)):
            raise ConfigError(source=str(path), problems=[f"{what}: a system file (under /proc, /sys or /dev), not a {what}"])
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise ConfigError(source=str(path), problems=[f"{what}: not a regular file"])
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise ConfigError(source=str(path), problems=["file not found"]) from None
    except OSError as exc:
        raise ConfigError(source=str(path), problems=[f"{what}: cannot be read ({exc.strerror or exc})"]) from None
    if len(data) > limit:
        raise ConfigError(source=str(path), problems=[f"{what}: larger than the limit of {limit:,} bytes"])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(source=str(path), problems=[f"{what}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None


def _under_virtual_root(path: Path) -> bool:
    resolved = path.resolve()
    return any(resolved == root or root in resolved.parents for root in VIRTUAL_ROOTS)


# ---------------------------------------------------------------- YAML
class _LimitedLoader(yaml.SafeLoader):
    """Safe YAML that refuses duplicate keys, deep nesting and documents with too many values.

    The limits act while the document is composed, so a huge or deep document stops early.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        self._nodes += 1
        if self._depth > MAX_DEPTH:
            raise _LimitExceeded(f"nested deeper than the limit of {MAX_DEPTH} levels")
        if self._nodes > MAX_NODES:
            raise _LimitExceeded(f"more than the limit of {MAX_NODES:,} values")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (dict, list)):
                raise yaml.constructor.ConstructorError(None, None, "a key must be a name, not a mapping or list", key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _LimitExceeded(Exception):
    pass


def load_yaml(text: str, *, source: str, what: str = "file") -> Any:
    """Parse YAML with the limits above; aliases count once per use, so a "billion laughs" is refused."""
    try:
        loader = _LimitedLoader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
        _count_values(data, budget=[MAX_NODES])
    except _LimitExceeded as exc:
        raise ConfigError(source=source, problems=[f"{what}: {exc}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError(source=source, problems=[f"{what}: not valid YAML: {exc}"]) from None
    return data


def _count_values(data: Any, *, budget: list[int], depth: int = 0) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise _LimitExceeded(f"more than the limit of {MAX_NODES:,} values (aliases count once per use)")
    if depth > MAX_DEPTH:
        raise _LimitExceeded(f"nested deeper than the limit of {MAX_DEPTH} levels")
    children = data.values() if isinstance(data, dict) else data if isinstance(data, list) else ()
    for child in children:
        _count_values(child, budget=budget, depth=depth + 1)


def parse_setting(text: str, *, key: str) -> Any:
    """The value of ``--set NAME=VALUE``: YAML (so 8000, 0.5, [1, 2] and {a: 1} work), with the same limits."""
    return load_yaml(text, source=f"--set {key}", what="value")


# ---------------------------------------------------------------- names that become folders
def check_slug(name: Any) -> str:
    """A name used as a folder under the output folder: letters, digits, ``_``, ``.`` and ``-``,
    starting with a letter or digit (so never ``..``), at most MAX_NAME_LENGTH characters."""
    if not isinstance(name, str) or not SLUG.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
        shown = repr(name)[:80]
        raise ValueError(f"{shown} cannot name a folder; use 1-{MAX_NAME_LENGTH} letters, digits, '_', '.' "
                         "or '-', starting with a letter or digit")
    return name


# ---------------------------------------------------------------- the output folder
def check_output_folder(out: Path) -> None:
    """Refuse an output folder that cannot be one, before anything is simulated: an existing file,
    a system location, or a place that cannot be written. Nothing is created here."""
    out = Path(out)
    problems = []
    if out.exists() and not out.is_dir():
        problems.append("exists and is not a folder")
    elif _under_virtual_root(out):
        problems.append("is a system location (under /proc, /sys or /dev), not a folder for results")
    else:
        existing = next(p for p in [out, *out.resolve().parents] if p.exists())
        if not existing.is_dir():
            problems.append(f"{existing} is not a folder")
        elif not os.access(existing, os.W_OK | os.X_OK) or _read_only_mount(existing):
            problems.append(f"{existing} cannot be written")
    if problems:
        raise ConfigError(source="--out", problems=[f"{out}: {p}" for p in problems])


def _read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


# ---------------------------------------------------------------- study sizes and seeds
def check_seed(seed: int | None, *, option: str) -> None:
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise ConfigError(source=option, problems=[f"{seed}: must be between 0 and 2^63-1 (seeds are stored as 64-bit integers)"])


def check_study_size(*, seeds: int, points: int = 1) -> None:
    if not 1 <= seeds <= MAX_SEEDS:
        raise ConfigError(source="--seeds", problems=[f"{seeds}: must be between 1 and the limit of {MAX_SEEDS:,} runs per point"])
    if points * seeds > MAX_STUDY_RUNS:
        raise ConfigError(source="--seeds", problems=[f"{points} points x {seeds} seeds = {points * seeds:,} runs, beyond the "
                                                      f"limit of {MAX_STUDY_RUNS:,} runs in one study"])


# ---------------------------------------------------------------- Dask schedulers
SCHEDULER_ADDRESS = re.compile(r"(?:(?:tcp|tls|ucx|ws|wss)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}/?")


ENCRYPTED_SCHEMES = ("tls://", "wss://")


def check_scheduler(address: str, *, option: str, timeout: float = SCHEDULER_TIMEOUT_S, security: Any = None) -> None:
    """The address of a Dask scheduler that answers within ``timeout`` seconds, reached with ``security``
    (a ``distributed.security.Security``; None leaves Dask's own configuration to decide).

    The client unpickles what the scheduler sends back, so only a trusted scheduler may be named
    (docs/studies.md); this check only spares the user a study that hangs or fails half-way.
    """
    if not SCHEDULER_ADDRESS.fullmatch(address) or not 0 < int(address.rstrip("/").rsplit(":", 1)[1]) < 65536:
        raise ConfigError(source=option, problems=[f"{address!r}: not a Dask scheduler address; write tcp://HOST:PORT"])
    if security is not None and not address.startswith(ENCRYPTED_SCHEMES):
        raise ConfigError(source=option, problems=[f"{address}: the TLS options need an encrypted address; write tls://HOST:PORT"])
    from distributed import Client

    try:
        client = Client(address, timeout=f"{timeout}s", set_as_default=False, security=security)
    except Exception as exc:  # OSError, TimeoutError and the comm errors of distributed alike
        raise ConfigError(source=option, problems=[f"{address}: no Dask scheduler answered within {timeout:g} s "
                                                   f"({type(exc).__name__})"]) from None
    client.close()


TLS_OPTIONS = {"--tls-ca-file": ("tls_ca_file", "distributed.comm.tls.ca-file"),
               "--tls-cert": ("tls_client_cert", "distributed.comm.tls.client.cert"),
               "--tls-key": ("tls_client_key", "distributed.comm.tls.client.key")}


def scheduler_security(*, ca_file: Path | None, cert: Path | None, key: Path | None, address: str | None) -> Any:
    """Dask's TLS settings for reaching the scheduler at ``address``: a ``distributed.security.Security``
    that requires encryption, from the certificate authority, the client certificate and its key.

    None when no file is given: Dask's own configuration (``distributed.comm.tls.*``, also read from
    ``DASK_DISTRIBUTED__COMM__TLS__...`` variables) then applies as it stands. A file left out here is
    taken from that configuration too. Dask's TLS is mutual, so a certificate authority and a client
    certificate are both needed; each is read now, so that a wrong path or key is an error naming the
    option before any study starts.
    """
    given = {option: path for option, path in zip(TLS_OPTIONS, (ca_file, cert, key)) if path is not None}
    if not given:
        return None
    first = next(iter(given))
    if not address:
        raise ConfigError(source=first, problems=["TLS is for an existing cluster: give --scheduler (or $DASK_SCHEDULER_ADDRESS) "
                                                  "too; the local cluster listens on 127.0.0.1 only"])
    for option, path in given.items():
        try:
            read_text_file(path, what="PEM file")
        except ConfigError as exc:
            raise ConfigError(source=option, problems=[f"{path}: {problem}" for problem in exc.problems]) from None
    from distributed.security import Security

    security = Security(require_encryption=True, **{TLS_OPTIONS[option][0]: str(path) for option, path in given.items()})
    for option in ("--tls-ca-file", "--tls-cert"):
        field, setting = TLS_OPTIONS[option]
        if not getattr(security, field):
            raise ConfigError(source=option, problems=[f"needed for TLS (Dask's TLS is mutual); give {option} or set {setting}"])
    try:
        security.get_connection_args("client")  # loads the files as the connection will
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise ConfigError(source=", ".join(given), problems=[f"the TLS files cannot be used together: {exc}"]) from None
    return security


# ---------------------------------------------------------------- schema helpers
class NoBooleanNumbers(BaseModel):
    """A model whose numbers refuse ``true``/``false``: YAML reads ``yes`` as true, and pydantic would
    otherwise take it as 1, so a typo becomes a plausible value."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is None or field.annotation is bool:
            return value
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
        if _numeric_annotation(field.annotation) and any(isinstance(v, bool) for v in items):
            raise ValueError("must be a number, not true/false")
        return value


def _numeric_annotation(annotation: Any) -> bool:
    """int, float, ``float | None``, ``list[float]`` or ``dict[str, float]``."""
    if annotation in (int, float):
        return True
    args = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]
    origin = getattr(annotation, "__origin__", None)
    if origin in (list, dict):
        return bool(args) and args[-1] in (int, float)
    return bool(args) and all(a in (int, float) for a in args)
