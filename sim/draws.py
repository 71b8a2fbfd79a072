"""Parameter draws: the parameter sets at which a projection or a comparison runs, so that its bands and
intervals carry parameter uncertainty as well as seed variation.

Two sources (``talentsim ensemble|compare --posterior N`` or ``--design lhs:N``):

- the scenario's posterior (:mod:`sim.posterior`): ``N`` parameter sets resampled by weight from the particles
  of its ABC calibration (a policy without a posterior of its own uses its base's, through ``extends``);
- a Latin hypercube (:func:`sim.xlrm.latin_hypercube`) of ``N`` points over the declared plausible ranges of
  the uncertainties, or of the parameters named by ``--factors``. These are the ranges of ``sim/config.py``,
  not a posterior: they include the calibrated parameters that have a range (the non-talent net migration and
  the productivity trend), which over their whole ranges move the projected levels far more than the
  calibration leaves them free to.

Both are drawn by a generator seeded from the study's root seed (:func:`draw_seed`), so the same root seed
gives the same draws on any machine. Each draw runs with its own seeds, and every scenario of a comparison
runs draw d with the same parameter values and the same seeds (:func:`sim.ensemble.draw_seeds`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Literal, Sequence

import numpy as np
import pyarrow as pa

from sim.config import Scenario, flat_parameter_names, value_at
from sim.inputs import MAX_DRAWS

KINDS = ("posterior", "lhs")
# Mixed with the root seed, so that the generator of the draws is not that of any run seed.
DRAW_STREAM = 20_251_306


@dataclass(frozen=True)
class Draws:
    """Parameter sets of a study, each as overrides keyed by full dotted name."""

    kind: Literal["posterior", "lhs"]
    sets: tuple[dict[str, Any], ...]
    source: str                     # the posterior file, or the sampled ranges
    held: tuple[str, ...] = ()      # parameters left out of every set (see :func:`without_conflicts`)

    @property
    def n(self) -> int:
        return len(self.sets)

    @property
    def parameters(self) -> list[str]:
        return list(self.sets[0]) if self.sets else []

    @property
    def tag(self) -> str:
        """``posterior<N>-<hash>`` or ``lhs<N>-<hash>``, the hash of the drawn values: studies at other draws
        (another root seed, other factors) get other folders."""
        blob = json.dumps([list(s.items()) for s in self.sets], sort_keys=True)
        return f"{self.kind}{self.n}-{hashlib.sha256(blob.encode()).hexdigest()[:8]}"

    def describe(self) -> str:
        if self.kind == "posterior":
            return f"posterior {Path(self.source).name}"  # the file's name only: captions must not depend on the machine
        return f"Latin hypercube over the declared ranges of {len(self.parameters)} parameters"

    def table(self) -> pa.Table:
        """The draws in long form: draw, parameter, value."""
        names = self.parameters
        return pa.table({
            "draw": pa.array(np.repeat(np.arange(self.n), len(names)), pa.int64()),
            "parameter": names * self.n,
            "value": pa.array([float(s[name]) for s in self.sets for name in names], pa.float64()),
        })


def draw_seed(root_seed: int) -> int:
    """The seed of the draws of a study with this root seed."""
    return int(np.random.SeedSequence([DRAW_STREAM, int(root_seed)]).generate_state(1)[0])


def check_draw_count(n: int, *, option: str) -> int:
    if not 1 <= n <= MAX_DRAWS:
        raise ValueError(f"{option} {n}: the number of parameter draws must be a whole number from 1 to {MAX_DRAWS:,}")
    return n


def parse_design(text: str) -> int:
    """``lhs:N``: the number of points of a Latin hypercube over the declared ranges."""
    kind, _, count = text.partition(":")
    if kind.strip() != "lhs" or not count.strip().isdigit() or not 1 <= int(count) <= MAX_DRAWS:
        raise ValueError(f"--design {text[:80]!r}: write lhs:N, N the number of parameter draws "
                         f"(a Latin hypercube over the declared ranges), from 1 to {MAX_DRAWS:,}")
    return int(count)


def posterior_draws(scenario: Scenario, *, n: int, seed: int) -> Draws:
    """``n`` parameter sets from the posterior of the scenario's file (or of a scenario it extends)."""
    from sim.posterior import find_posterior, posterior_file, read_posterior

    check_draw_count(n, option="--posterior")
    found = scenario.found.file if scenario.found is not None else None
    path = find_posterior(found) if found is not None else None
    if path is None:
        where = f" (no {posterior_file(found)}, nor one of a scenario it extends)" if found is not None else ""
        target = found if found is not None else scenario.name
        raise ValueError(f"scenario {scenario.name} has no posterior{where}: make one with "
                         f"`talentsim calibrate {target} --method abc`, or use --design lhs:N for the declared ranges")
    return Draws(kind="posterior", sets=tuple(read_posterior(path).draw(n, seed=seed)), source=str(path))


def lhs_draws(factors: Sequence[str] | None, *, n: int, seed: int) -> Draws:
    """A Latin hypercube of ``n`` points over the declared ranges of ``factors`` (names or groups as
    :func:`sim.sensitivity.select_factors` takes them; default every uncertainty)."""
    from sim.factors import select_factors
    from sim.xlrm import latin_hypercube, parameter

    check_draw_count(n, option="--design lhs:N, N")
    params = [parameter(f.name) for f in select_factors(factors)]
    return Draws(kind="lhs", sets=tuple(latin_hypercube(params, n=n, seed=seed)), source="declared ranges")


def full_name(key: str) -> str:
    """The full dotted name of a parameter given as ``--set`` takes it (full, or a unique short name)."""
    path = flat_parameter_names().get(key)
    return ".".join(path) if path and "." not in key else key


def conflicts(draws: Draws, scenarios: Sequence[Scenario], *, fixed: Iterable[str] = ()) -> dict[str, str]:
    """Drawn parameters that must not vary, each with the reason: the compared scenarios set it differently
    (a draw would overwrite what one of them changes), or ``--set`` fixes it (``fixed``, as given there)."""
    fixed_names = {full_name(k) for k in fixed}
    found = {}
    for name in draws.parameters:
        values = [value_at(s, name) for s in scenarios]
        if name in fixed_names:
            found[name] = "fixed by --set"
        elif any(v != values[0] for v in values[1:]):
            differing = ", ".join(f"{s.name} {v}" for s, v in zip(scenarios, values))
            found[name] = f"set differently by the scenarios ({differing})"
    return found


def without_conflicts(draws: Draws, scenarios: Sequence[Scenario], *, fixed: Iterable[str] = ()) -> tuple[Draws, dict[str, str]]:
    """The draws less the parameters that :func:`conflicts` finds, which each scenario keeps at its own value
    in every draw; and those parameters with the reasons."""
    found = conflicts(draws, scenarios, fixed=fixed)
    if not found:
        return draws, {}
    sets = tuple({k: v for k, v in s.items() if k not in found} for s in draws.sets)
    return replace(draws, sets=sets, held=tuple(sorted({*draws.held, *found}))), found


def scheduled_parameters(draws: Draws, scenarios: Sequence[Scenario]) -> list[str]:
    """Drawn levers that a scenario's time path resets later in the run (the drawn value holds only until then)."""
    keys = {key for s in scenarios for change in s.levers.schedule for key in change.changes}
    return [n for n in draws.parameters
            if n.startswith("levers.") and (n.rsplit(".", 1)[-1] in keys or n.removeprefix("levers.") in keys)]
