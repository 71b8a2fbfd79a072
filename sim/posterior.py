"""A scenario's posterior: weighted parameter sets from an ABC-SMC calibration, and draws from it.

The posterior of ``scenarios/<name>.yaml`` is ``scenarios/calibration/<name>_posterior.parquet``, in
long form (``particle``, ``weight``, ``parameter``, ``value``; parameters by full dotted name, as
``--set`` takes them), with a summary beside it (``<name>_posterior.yaml``: the targets, distances,
populations and acceptance rates). A scenario without a posterior of its own uses the one of the
scenario it ``extends``, so that a policy and its base are run at the same parameter draws.

Draws are a weighted resample (multinomial, with replacement) by a seeded generator: the same seed
gives the same draws on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from sim.results import parquet_bytes, write_atomic
from sim.scenario_files import extends_chain

POSTERIOR_TABLE = "posterior"


def posterior_file(scenario_path: Path) -> Path:
    """Where the posterior of the scenario file ``scenario_path`` is written."""
    scenario_path = Path(scenario_path)
    return scenario_path.parent / "calibration" / f"{scenario_path.stem}_posterior.parquet"


def posterior_summary_file(scenario_path: Path) -> Path:
    return posterior_file(scenario_path).with_suffix(".yaml")


def find_posterior(scenario_path: Path) -> Path | None:
    """The posterior of a scenario file, or of the nearest scenario it ``extends`` that has one (the scenario must be
    readable, as a loaded one is)."""
    return next((posterior_file(path) for path in extends_chain(scenario_path) if posterior_file(path).exists()), None)


@dataclass(frozen=True)
class Posterior:
    """Weighted particles: ``values`` is particles x parameters, ``weights`` sum to one."""

    parameters: tuple[str, ...]
    values: np.ndarray
    weights: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=float)
        weights = np.asarray(self.weights, dtype=float)
        if values.ndim != 2 or values.shape != (len(weights), len(self.parameters)):
            raise ValueError(f"a posterior needs particles x parameters values ({values.shape}) matching "
                             f"{len(weights)} weights and {len(self.parameters)} parameters")
        if len(weights) == 0 or not np.all(np.isfinite(values)) or not np.all(weights >= 0) or not weights.sum() > 0:
            raise ValueError("a posterior needs at least one particle, finite values and non-negative weights that sum above zero")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "weights", weights / weights.sum())

    @property
    def particles(self) -> int:
        return len(self.weights)

    @property
    def effective_sample_size(self) -> float:
        """Kish's effective sample size of the weights, 1 / sum(w^2)."""
        return float(1.0 / np.sum(self.weights ** 2))

    def draw(self, n: int, *, seed: int) -> list[dict[str, float]]:
        """``n`` parameter sets resampled by weight, as overrides keyed by full dotted name."""
        if n < 1:
            raise ValueError("draw at least one parameter set")
        picks = np.random.default_rng(seed).choice(self.particles, size=n, replace=True, p=self.weights)
        return [{name: float(self.values[i, j]) for j, name in enumerate(self.parameters)} for i in picks]

    def mean(self) -> dict[str, float]:
        return {name: float(np.sum(self.weights * self.values[:, j])) for j, name in enumerate(self.parameters)}

    def quantile(self, q: float) -> dict[str, float]:
        """The weighted ``q`` quantile of each parameter (the inverse of the weighted empirical distribution)."""
        out = {}
        for j, name in enumerate(self.parameters):
            order = np.argsort(self.values[:, j], kind="stable")
            cumulative = np.cumsum(self.weights[order])
            out[name] = float(self.values[order, j][min(np.searchsorted(cumulative, q * cumulative[-1]), len(order) - 1)])
        return out

    def table(self) -> pa.Table:
        k = len(self.parameters)
        return pa.table({
            "particle": pa.array(np.repeat(np.arange(self.particles), k), pa.int64()),
            "weight": pa.array(np.repeat(self.weights, k), pa.float64()),
            "parameter": list(self.parameters) * self.particles,
            "value": pa.array(self.values.reshape(-1), pa.float64()),
        })


def write_posterior(path: Path, posterior: Posterior, *, summary: dict[str, Any] | None = None) -> list[Path]:
    """The posterior's particles (Parquet) and, when given, its summary (YAML) beside it, each atomically."""
    path = Path(path)
    write_atomic(path, parquet_bytes(posterior.table(), name=POSTERIOR_TABLE))
    written = [path]
    if summary is not None:
        text = yaml.safe_dump(summary, sort_keys=False, allow_unicode=True)
        write_atomic(path.with_suffix(".yaml"), text.encode("utf-8"))
        written.append(path.with_suffix(".yaml"))
    return written


def read_posterior(path: Path) -> Posterior:
    """A posterior file; a ``ValueError`` names the file and what is wrong with it."""
    path = Path(path)
    try:
        table = pq.read_table(path, columns=["particle", "weight", "parameter", "value"])
    except (OSError, pa.ArrowInvalid, KeyError) as exc:
        raise ValueError(f"{path}: not a posterior file ({exc})") from None
    particle = table.column("particle").to_numpy()
    names = list(dict.fromkeys(table.column("parameter").to_pylist()))
    n = int(particle.max()) + 1 if len(particle) else 0
    if not names or len(particle) != n * len(names):
        raise ValueError(f"{path}: every particle needs one value of each parameter")
    if particle.min() < 0:
        raise ValueError(f"{path}: particles are numbered from 0")
    index = {name: j for j, name in enumerate(names)}
    column = np.array([index[name] for name in table.column("parameter").to_pylist()], dtype=np.int64)
    values = np.full((n, len(names)), np.nan)
    weights = np.full(n, np.nan)
    values[particle, column] = table.column("value").to_numpy()
    weights[particle] = table.column("weight").to_numpy()
    try:
        return Posterior(parameters=tuple(names), values=values, weights=weights)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
