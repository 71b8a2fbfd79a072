"""Scenario discovery: where in the space of uncertainties a policy lever does little, found by PRIM.

A Latin hypercube over the declared plausible ranges (:func:`sim.sensitivity.sample_design`) runs
through the sensitivity study's machinery: each design row runs the base scenario and the policy with
the same seeds (common random numbers), and the policy's effect at a row is the paired difference,
averaged over the seeds (:func:`sim.sensitivity.read_responses`). A row is a case of interest when the
effect falls below a threshold: in the outcome's unit (``absolute``), or as a share of the base
scenario's outcome at the same row (``relative``).

PRIM, the patient rule induction method (Friedman & Fisher 1999), as EMA Workbench implements it for
scenario discovery (Bryant & Lempert 2010; Kwakkel 2017), peels the factor space down to boxes ever
denser in cases. Coverage is the share of all cases inside a box, density the share of a box's rows
that are cases, mass the share of all rows inside it. PRIM is given no density threshold to meet, so that the
whole peeling trajectory is kept; the box reported is chosen on it by one rule (:func:`choose_box`):
the densest box whose coverage is at least :data:`MIN_COVERAGE`, the first of equally dense ones (so
the one with the most coverage). Each restricted factor comes with its quasi-p-value (Bryant &
Lempert 2010): a one-sided binomial test of whether the restriction on that side raises the density;
a restriction with a quasi-p-value above 0.05 is weak evidence.
"""

from __future__ import annotations

import hashlib
import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pyarrow as pa

from sim.config import Scenario
from sim.results import write_table
from sim.sensitivity import (
    DEFAULT_SCALE, EFFECT, TOTAL_OUTCOME, Design, Factor, SensitivityResult, available_outcomes, check_policies, effect_name, run_design,
    sample_design, talentsim_simulator,
)

DESIGN_METHOD = "lhs"
DEFAULT_ROWS = 200           # Latin hypercube rows: a box of PRIM's smallest mass (5%) then holds 10 rows
MIN_ROWS = 10                # below this a box of PRIM's smallest mass holds no row: nothing to peel
PEEL_ALPHA = 0.05            # share of a box's rows peeled at each step (EMA Workbench's and Friedman & Fisher's default)
PASTE_ALPHA = 0.05           # share of rows pasted back at each step (EMA Workbench's default)
MASS_MIN = 0.05              # smallest share of all rows a box may keep (EMA Workbench's default)
MIN_COVERAGE = 0.5           # the chosen box must hold at least half of all cases: a box that explains less is not the story
WEAK_QP = 0.05               # a restriction whose quasi-p-value is above this is weak evidence (Bryant & Lempert 2010)
PRIM_THRESHOLD = 1e-6        # see find_box: any value in (0, 1) marks y == 1 as the cases
THRESHOLD_KINDS = ("absolute", "relative")
TABLES = ("discovery_cases", "prim_trajectory", "prim_box")
CHART_STEMS = ("prim_trajectory", "prim_box")


# ------------------------------------------------------------------ the analysis
@dataclass
class Discovery:
    """PRIM's peeling trajectory, the box chosen on it and that box's limits on each restricted factor."""

    trajectory: pa.Table
    chosen: int
    box: pa.Table
    cases: int
    rows: int
    min_coverage: float = MIN_COVERAGE   # the rule's least coverage (see choose_box)

    def stats(self) -> dict[str, Any]:
        """Coverage, density, mass and restricted dimensions of the chosen box."""
        row = self.trajectory.slice(self.chosen, 1).to_pylist()[0]
        return {k: row[k] for k in ("coverage", "density", "mass", "restricted_dims")}


def parse_design(text: str) -> int:
    """Rows of a design written ``lhs:N`` (a Latin hypercube of N rows); a ``ValueError`` says what is allowed."""
    method, _, size = str(text).partition(":")
    if method != DESIGN_METHOD or not size.strip().isdigit():
        raise ValueError(f"{str(text)[:40]!r}: write lhs:N, a Latin hypercube of N rows (e.g. lhs:{DEFAULT_ROWS})")
    rows = int(size)
    if rows < MIN_ROWS:
        raise ValueError(f"lhs:{rows}: use at least {MIN_ROWS} rows (PRIM keeps boxes of at least {MASS_MIN:.0%} of the rows)")
    return rows


def case_mask(effect: np.ndarray, base: np.ndarray, *, threshold: float, kind: str) -> np.ndarray:
    """The rows where the effect falls below the threshold: in the outcome's unit, or as a share of the base's outcome."""
    effect, base = np.asarray(effect, dtype=float), np.asarray(base, dtype=float)
    if kind not in THRESHOLD_KINDS:
        raise ValueError(f"threshold kind {kind!r}: use one of {', '.join(THRESHOLD_KINDS)}")
    undefined = ~np.isfinite(effect) | (kind == "relative") & ~(np.isfinite(base) & (base > 0))
    if undefined.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(undefined)[:10])
        raise ValueError(f"the effect is undefined at design rows {rows}: the outcome is not in the runs"
                         + (" or the base scenario's value is not positive" if kind == "relative" else ""))
    return effect < (threshold * base if kind == "relative" else threshold)


def choose_box(coverage: Sequence[float], density: Sequence[float], *, min_coverage: float = MIN_COVERAGE) -> int:
    """The box of the peeling trajectory to report: the densest one whose coverage is at least ``min_coverage``, the
    first of equally dense ones (the trajectory peels on, so the first has the most coverage and fewest rows cut).
    The first box (the whole space, coverage 1) always qualifies."""
    coverage, density = np.asarray(coverage, dtype=float), np.asarray(density, dtype=float)
    eligible = np.flatnonzero(coverage >= min_coverage - 1e-12)
    best = density[eligible].max()
    return int(eligible[np.flatnonzero(density[eligible] >= best - 1e-12)[0]])


def find_box(x: Any, y: np.ndarray, *, factors: Sequence[Factor], peel_alpha: float = PEEL_ALPHA,
             min_coverage: float = MIN_COVERAGE) -> Discovery:
    """PRIM (EMA Workbench) on the factor values ``x`` (a pandas DataFrame, one column per factor by full name) and the
    cases ``y`` (booleans, one per row); at least one row must be a case and one not. The box is chosen by
    :func:`choose_box`; its limits are given within each factor's plausible range: a side PRIM did not restrict
    reaches the end of the range."""
    import inspect
    import logging

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA Workbench warns on import about parallel evaluators that PRIM does not use
        from ema_workbench.analysis import prim

    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any():
        raise ValueError(f"PRIM needs cases and other rows: {int(y.sum())} of {len(y)} rows are cases")
    by_name = {f.name: f for f in factors}
    missing = [c for c in x.columns if c not in by_name]
    if missing:
        raise ValueError(f"columns {', '.join(missing)} of x are not among the factors")
    ema_log = logging.getLogger("EMA")
    level = ema_log.level
    ema_log.setLevel(logging.WARNING)  # PRIM logs every box at INFO
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas deprecations inside EMA Workbench
            # PRIM's threshold both marks the cases (y >= threshold) and is the density a box must reach not to be
            # swapped for the whole space: just above 0 it marks exactly the ones and keeps every trajectory
            # EMA Workbench 3 takes the cases as booleans and no threshold (a box never has to reach a density)
            marks = {"threshold": PRIM_THRESHOLD} if "threshold" in inspect.signature(prim.Prim).parameters else {}
            finder = prim.Prim(x.reset_index(drop=True), y.astype(int) if marks else y, peel_alpha=peel_alpha,
                               paste_alpha=PASTE_ALPHA, mass_min=MASS_MIN, **marks)
            box = finder.find_box()
    finally:
        ema_log.setLevel(level)
    peeling = box.peeling_trajectory
    chosen = choose_box(peeling["coverage"].to_numpy(), peeling["density"].to_numpy(), min_coverage=min_coverage)
    trajectory = pa.table({
        "box": pa.array(np.arange(len(peeling)), pa.int64()),
        "coverage": pa.array(peeling["coverage"].to_numpy(dtype=float), pa.float64()),
        "density": pa.array(peeling["density"].to_numpy(dtype=float), pa.float64()),
        "mass": pa.array(peeling["mass"].to_numpy(dtype=float), pa.float64()),
        "restricted_dims": pa.array(peeling["res_dim"].to_numpy(dtype=int), pa.int64()),
        "rows_in_box": pa.array(peeling["n"].to_numpy(dtype=int), pa.int64()),
        "cases_in_box": pa.array(peeling["k"].to_numpy(dtype=int), pa.int64()),
        "chosen": pa.array(np.arange(len(peeling)) == chosen, pa.bool_()),
    })
    return Discovery(trajectory=trajectory, chosen=chosen, box=_box_table(box, chosen, finder.box_init, by_name),
                     cases=int(y.sum()), rows=len(y), min_coverage=min_coverage)


def _box_table(box: Any, i: int, box_init: Any, factors: dict[str, Factor]) -> pa.Table:
    """Each factor the box restricts, most significant first (lowest quasi-p-value): its limits within the range."""
    # EMA Workbench 3 calls the quasi-p-values p_values
    limits, qp = box.box_lims[i], (box.qp if hasattr(box, "qp") else box.p_values)[i]
    rows = []
    for name in limits.columns:
        lower, upper = float(limits.at[0, name]), float(limits.at[1, name])
        data_low, data_high = float(box_init.at[0, name]), float(box_init.at[1, name])
        if lower == data_low and upper == data_high:
            continue
        f = factors[name]
        qp_low, qp_high = (qp.get(name, [-1, -1]) + [-1, -1])[:2]
        rows.append({"factor": name, "low": lower if lower != data_low else float(f.low),
                     "high": upper if upper != data_high else float(f.high), "range_low": float(f.low),
                     "range_high": float(f.high), "unit": f.unit,
                     "qp_low": None if lower == data_low or qp_low < 0 else float(qp_low),
                     "qp_high": None if upper == data_high or qp_high < 0 else float(qp_high)})
    rows.sort(key=lambda r: (min(v for v in (r["qp_low"], r["qp_high"], math.inf) if v is not None), r["factor"]))
    types = {"factor": pa.string(), "low": pa.float64(), "high": pa.float64(), "range_low": pa.float64(),
             "range_high": pa.float64(), "unit": pa.string(), "qp_low": pa.float64(), "qp_high": pa.float64()}
    return pa.table({k: pa.array([r[k] for r in rows], type=t) for k, t in types.items()})


def factor_frame(design: Design) -> Any:
    """The design's factor values as a pandas DataFrame, one column per factor (integers stay integers)."""
    import pandas as pd

    values = design.values()
    return pd.DataFrame({f.name: pd.Series([values[i][f.name] for i in range(design.rows)],
                                           dtype="int64" if f.kind == "integer" else "float64")
                         for f in design.factors})


def cases_table(effect: np.ndarray, base: np.ndarray, cases: np.ndarray) -> pa.Table:
    return pa.table({"row": pa.array(np.arange(len(effect)), pa.int64()),
                     "effect": pa.array(np.asarray(effect, dtype=float), pa.float64()),
                     "base_value": pa.array(np.asarray(base, dtype=float), pa.float64()),
                     "is_case": pa.array(np.asarray(cases, dtype=bool), pa.bool_())})


# ------------------------------------------------------------------ a whole study
@dataclass
class DiscoveryResult:
    study: SensitivityResult
    outcome: str
    threshold: float
    kind: str
    cases: np.ndarray | None = None
    discovery: Discovery | None = None
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def study_dir(self) -> Path:
        return self.study.study_dir

    @property
    def failures(self) -> list[dict[str, Any]]:
        return self.study.failures


def discovery_name(policy: str, *, factors: Sequence[Factor], arms: Sequence[str], rows: int, seeds: int, root_seed: int,
                   scale: int | None) -> str:
    """``discover-<policy>-<hash>``: the hash of what decides the runs (factors, scenarios, design, seeds, scale), so that
    the same runs are found again under another threshold and different designs never mix."""
    key = [*(f.name for f in factors), "|", *arms, "|", f"{DESIGN_METHOD}:{rows}", str(seeds), str(root_seed), str(scale)]
    return f"discover-{policy}-{hashlib.sha256(chr(10).join(key).encode()).hexdigest()[:8]}"


def discover_study(base: Scenario, policy: Scenario, *, factors: Sequence[Factor], threshold: float, out: Path,
                   kind: str = "absolute", outcome: str = TOTAL_OUTCOME, rows: int = DEFAULT_ROWS, seeds: int = 1,
                   root_seed: int | None = None, scale: int | None = DEFAULT_SCALE, peel_alpha: float = PEEL_ALPHA,
                   workers: int | None = None, scheduler: str | None = None, dashboard: bool = False, progress: bool = False,
                   charts: bool = True, lang: str = "en") -> DiscoveryResult:
    """Scenario discovery for one policy against its base, in ``out/<base>/discover-<policy>-<hash>/``: the runs,
    ``design``, ``discovery_cases`` and, when some rows are cases and some not, PRIM's ``prim_trajectory`` and
    ``prim_box`` with their charts. A study with failed runs is not analysed (rerun it: complete runs are skipped)."""
    t0 = time.perf_counter()
    settings = settings_problems(base, threshold=threshold, kind=kind, outcome=outcome, peel_alpha=peel_alpha)
    problems = check_policies([base, policy], factors) + [f"{name} {problem}" for name, problem in settings.items()]
    if problems:  # before the runs, not after them
        raise ValueError("; ".join(problems))
    root = base.run.seed if root_seed is None else root_seed
    design = sample_design(factors, method=DESIGN_METHOD, size=rows, seed=root)
    simulator = talentsim_simulator([base, policy], seeds=seeds, root_seed=root, scale=scale)
    folder = Path(out) / base.name / discovery_name(policy.name, factors=factors, arms=simulator.arms, rows=rows, seeds=seeds,
                                                    root_seed=root, scale=scale)
    study = run_design(design, simulator, study_dir=folder, workers=workers, scheduler=scheduler, dashboard=dashboard,
                       progress=progress, design_formats=("parquet", "csv"))
    result = DiscoveryResult(study=study, outcome=outcome, threshold=threshold, kind=kind, files=list(study.files))
    if study.failures:
        result.seconds = time.perf_counter() - t0
        return result
    effect, level = study.responses[effect_name(policy.name, outcome)], study.responses[outcome]
    result.cases = case_mask(effect, level, threshold=threshold, kind=kind)
    result.files += write_table(folder, cases_table(effect, level, result.cases), name="discovery_cases")
    _remove_stale(folder)
    if 0 < result.cases.sum() < len(result.cases):
        result.discovery = find_box(factor_frame(design), result.cases, factors=factors, peel_alpha=peel_alpha)
        result.files += write_table(folder, result.discovery.trajectory, name="prim_trajectory")
        result.files += write_table(folder, result.discovery.box, name="prim_box")
        if charts:
            from sim.charts.captions import design_caption
            from sim.charts.discover import render_discovery_charts, threshold_words
            from sim.charts.sensitivity import titles_of
            from sim.charts.style import resolve_language

            chart_lang, _ = resolve_language(lang)
            caption = design_caption([base, policy], kind="discover", factors=len(factors), rows=rows, seeds=seeds,
                                     scale=study.specs[0].config["run"]["scale"], alpha=peel_alpha, lang=chart_lang)
            result.files += render_discovery_charts(
                result.discovery, out_dir=folder / "charts", lang=chart_lang, caption=caption, weak_qp=WEAK_QP,
                question=threshold_words(policy=policy.name, outcome=outcome, threshold=threshold, kind=kind, lang=chart_lang,
                                         clusters=base.load_region().labels(), policies=titles_of([base, policy])))
    result.seconds = time.perf_counter() - t0
    return result


def settings_problems(base: Scenario, *, threshold: float, kind: str, outcome: str, peel_alpha: float) -> dict[str, str]:
    """What is wrong with a discovery's threshold, its kind, its outcome (one of the runs' levels) and PRIM's peeling
    share, by the keyword that gives each."""
    problems = {}
    if not math.isfinite(threshold):
        problems["threshold"] = f"{threshold}: must be a finite number"
    if kind not in THRESHOLD_KINDS:
        problems["kind"] = f"{kind!r}: a threshold kind is one of {', '.join(THRESHOLD_KINDS)}"
    if not 0 < peel_alpha < 0.5:
        problems["peel_alpha"] = f"{peel_alpha}: must lie between 0 and 0.5 exclusive"
    levels = [o for o in available_outcomes(base.load_region().cluster_ids, arms=[base.name]) if not o.startswith(EFFECT + ":")]
    if outcome not in levels:
        problems["outcome"] = f"{outcome}: not an outcome of the runs; choose from {', '.join(levels)}"
    return problems


def _remove_stale(folder: Path) -> None:
    """PRIM's tables and charts of an earlier analysis in the same folder (another threshold): this one may have none."""
    for name in TABLES[1:]:
        for ext in ("parquet", "csv"):
            (folder / f"{name}.{ext}").unlink(missing_ok=True)
    for stem in CHART_STEMS:
        for ext in ("png", "svg"):
            (folder / "charts" / f"{stem}.{ext}").unlink(missing_ok=True)
