"""Test functions with known sensitivity indices, run through the same pipeline as TalentSim.

A function here is a :class:`sim.sensitivity.Simulator` whose runs evaluate a formula instead of the
model: the design is sampled, each row becomes a run of the study runner (written under its run id,
resumable, serial or on Dask) and the indices come from the same analysis. Their analytic indices
check that pipeline end to end: a wrong estimator, or responses read in the order the runs finished
instead of the design's, gives indices far from the known ones.

- Ishigami & Homma (1990), "An importance quantification technique in uncertainty analysis for
  computer models", Proc. ISUMA '90, 398-403: ``f = sin x1 + a sin^2 x2 + b x3^4 sin x1`` on
  ``[-pi, pi]^3``, with closed-form Sobol' indices (Sobol' & Levitan 1999; Saltelli et al. 2008, §4.5).
- A linear function ``f = sum c_i x_i``: every Morris elementary effect of factor i is ``c_i`` times
  its range, so mu* = |c_i| (high - low), mu = c_i (high - low) and sigma = 0 exactly.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
from typing import Any, Callable, Sequence

from sim.ensemble import RunSpec
from sim.sensitivity import Design, Factor, Simulator, record_outcomes

ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1
OUTCOME = "y"


def ishigami_factors() -> list[Factor]:
    return [Factor(name=f"x{i}", kind="real", low=-math.pi, high=math.pi) for i in (1, 2, 3)]


def ishigami(values: dict[str, float], *, a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, float]:
    x1, x2, x3 = values["x1"], values["x2"], values["x3"]
    return {OUTCOME: math.sin(x1) + a * math.sin(x2) ** 2 + b * x3 ** 4 * math.sin(x1)}


def ishigami_indices(*, a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, dict[str, float]]:
    """Analytic first-order and total indices: V1 = (1 + b pi^4/5)^2 / 2, V2 = a^2/8, V3 = 0,
    V13 = b^2 pi^8 (1/18 - 1/50) = 8 b^2 pi^8 / 225, and V = V1 + V2 + V13."""
    pi4 = math.pi ** 4
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * math.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {"S1": {"x1": v1 / v, "x2": v2 / v, "x3": 0.0}, "ST": {"x1": (v1 + v13) / v, "x2": v2 / v, "x3": v13 / v},
            "S2": {("x1", "x3"): v13 / v, ("x1", "x2"): 0.0, ("x2", "x3"): 0.0}}


def linear_factors(coefficients: Sequence[float]) -> list[Factor]:
    return [Factor(name=f"x{i + 1}", kind="real", low=-1.0 + i, high=1.0 + 2 * i) for i in range(len(coefficients))]


def linear(values: dict[str, float], *, coefficients: Sequence[float]) -> dict[str, float]:
    return {OUTCOME: sum(c * values[f"x{i + 1}"] for i, c in enumerate(coefficients))}


# ------------------------------------------------------------------ as a simulator
def function_simulator(function: str, **parameters: Any) -> Simulator:
    """A simulator whose runs evaluate ``function`` (``module:name``, e.g. ``sim.sensitivity_functions:ishigami``)
    with the row's values and ``parameters``; the function is named, not passed, so that Dask workers import it."""
    _resolve(function)  # fail here, not in every run

    def specs(design: Design) -> list[RunSpec]:
        out = []
        for row, values in enumerate(design.values()):
            config = {"name": function.rsplit(":", 1)[-1], "function": function, "parameters": parameters, "values": values}
            digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16]
            out.append(RunSpec(point=row, point_label=f"row {row}", seed=0, run_id=f"fn-{digest}", config=config, source_dir=None))
        return out

    name = function.rsplit(":", 1)[-1]
    return Simulator(arms=(name,), specs=specs, task=function_task)


def function_task(spec: RunSpec, study_dir: str) -> dict[str, Any]:
    return record_outcomes(spec, study_dir, evaluate=_evaluate)


def _evaluate(spec: RunSpec) -> dict[str, float]:
    function = _resolve(spec.config["function"])
    return function(spec.config["values"], **spec.config["parameters"])


def _resolve(function: str) -> Callable[..., dict[str, float]]:
    module, _, name = function.partition(":")
    if not name:
        raise ValueError(f"{function!r}: name a function as module:name")
    return getattr(importlib.import_module(module), name)
