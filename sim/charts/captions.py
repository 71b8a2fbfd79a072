"""The footers of the charts in the chart's language: what was run, and the published sources of the data.

A footer names scenarios by their titles and cites the region's sources (its ``citations``), never a
file path, so that a chart handed on reads the same on any machine.
"""

from __future__ import annotations

from typing import Sequence

from sim.charts.text import tr
from sim.region import Region

__all__ = ["source_line", "run_caption", "comparison_caption", "study_caption", "sweep_caption", "validation_caption",
           "design_caption", "optimise_caption", "calibration_caption"]


def _title(scenario, lang: str) -> str:
    title = getattr(scenario, "title", None)
    text = (getattr(title, lang, "") or getattr(title, "en", "")) if title is not None else ""
    return text or scenario.name


def source_line(region: Region, lang: str) -> str:
    """``Sources: A; B; C; assumed values ...`` from the region's citations, in ``lang``."""
    items = [getattr(c, lang) or c.en for c in region.citations]
    if not items:
        return tr("cap_no_sources", lang, region=getattr(region.name, lang) or region.name.en)
    return tr("cap_sources", lang, items=tr("cite_sep", lang).join(items))


def _with_sources(text: str, region: Region, lang: str) -> str:
    return f"{text}\n{source_line(region, lang)}"


def run_caption(scenario, *, lang: str) -> str:
    """The footer of a single run's charts: the scenario's title, seed and scale, and the sources."""
    text = tr("cap_run", lang, title=_title(scenario, lang), seed=scenario.run.seed, scale=scenario.run.scale)
    return _with_sources(text, scenario.load_region(), lang)


def comparison_caption(scenarios: Sequence, *, seeds: int, scale: object, draws: int | None, lang: str) -> str:
    """The footer of a comparison's charts (the panels name the scenarios)."""
    if draws is None:
        text = tr("cap_compare", lang, n=len(scenarios), seeds=seeds, scale=scale)
    else:
        text = tr("cap_compare_draws", lang, n=len(scenarios), d=draws, seeds=seeds, scale=scale)
    return _with_sources(text, scenarios[0].load_region(), lang)


def study_caption(scenario, *, runs: int, seeds: int, draws: int | None, scale: object, lang: str) -> str:
    """The footer of an ensemble's or a sweep's fan charts."""
    per = (tr("cap_per_point", lang, seeds=seeds) if draws is None
           else tr("cap_per_point_draws", lang, d=draws, seeds=seeds))
    text = tr("cap_study", lang, title=_title(scenario, lang), runs=runs, per=per, scale=scale)
    return _with_sources(text, scenario.load_region(), lang)


def sweep_caption(scenario, *, lever: str, seeds: int, scale: object, lang: str) -> str:
    """The footer of a sweep's response chart."""
    text = tr("cap_sweep", lang, title=_title(scenario, lang), lever=lever, seeds=seeds, scale=scale)
    return _with_sources(text, scenario.load_region(), lang)


def validation_caption(scenario, *, seeds: int, scale: object, lang: str) -> str:
    """The footer of a validation chart."""
    text = tr("cap_validation", lang, title=_title(scenario, lang), seeds=seeds, scale=scale)
    return _with_sources(text, scenario.load_region(), lang)


def design_caption(scenarios: Sequence, *, kind: str, method: str = "", factors: int, rows: int, seeds: int, scale: object,
                   alpha: float = 0.0, lang: str, groups: int | None = None) -> str:
    """The footer of a sensitivity study's (``kind='sensitivity'``; ``groups``: a screening by groups) or a scenario
    discovery's (``'discover'``) charts."""
    arms = tr("arms_sep", lang).join(f"“{_title(s, lang)}”" for s in scenarios)
    if kind == "sensitivity" and groups is not None:
        text = tr("cap_sensitivity_groups", lang, arms=arms, method=method, k=factors, g=groups, rows=f"{rows:,}", seeds=seeds,
                  scale=scale)
    elif kind == "sensitivity":
        text = tr("cap_sensitivity", lang, arms=arms, method=method, k=factors, rows=f"{rows:,}", seeds=seeds, scale=scale)
    else:
        text = tr("cap_discover", lang, arms=arms, k=factors, rows=f"{rows:,}", seeds=seeds, scale=scale, alpha=f"{alpha:g}")
    return _with_sources(text, scenarios[0].load_region(), lang)


def optimise_caption(scenario, *, trials: int, sampler: str, seeds: int, fresh_seeds: int, scale: object, lang: str) -> str:
    """The footer of a budget optimisation's chart."""
    text = tr("cap_optimise", lang, title=_title(scenario, lang), trials=trials, sampler=sampler, seeds=seeds, fresh=fresh_seeds,
              scale=scale)
    return _with_sources(text, scenario.load_region(), lang)


def calibration_caption(scenario, *, particles: int, generations: int, simulations: int, scale: object, lang: str) -> str:
    """The footer of an ABC-SMC calibration's charts."""
    text = tr("cap_abc", lang, title=_title(scenario, lang), particles=particles, generations=generations,
              simulations=f"{simulations:,}", scale=scale)
    return _with_sources(text, scenario.load_region(), lang)
