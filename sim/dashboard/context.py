"""What every page of one server shares: the base scenario, the worker processes, the folders and the defaults.

``talentsim dashboard`` sets it once, before the server starts (:func:`configure`); the page reads it
(:func:`current`). Each browser tab keeps its own levers and results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sim.dashboard.levers import LeverSetting, lever_settings
from sim.dashboard.runs import RunPool, RunSettings, exploration_specs
from sim.dashboard.scenario import Base, change_months, default_month

SCALES = (1000, 200, 100, 50, 20, 10)
MAX_SEEDS = 40


@dataclass
class Explorer:
    """The server's base scenario, worker pool, folders and starting settings."""

    base: Base
    pool: RunPool
    runs_dir: Path          # OUT/dashboard/<base>: every run of every page, reused across pages and restarts
    save_dir: Path          # where "save as scenario" writes
    lang: str
    scale: int
    seeds: int
    months: list[str] = field(default_factory=list)
    month: str = ""

    def __post_init__(self) -> None:
        self.months = change_months(self.base.scenario)
        self.month = self.month or default_month(self.base.scenario)

    def settings(self, month: str) -> list[LeverSetting]:
        return lever_settings(self.base.scenario, month=month)

    def warm(self) -> None:
        """Start the base's runs at the starting scale and seeds, so that a page's first exploration waits only for its own."""
        self.pool.preload()
        specs = exploration_specs(self.base.scenario, self.base.scenario, settings=RunSettings(scale=self.scale, seeds=self.seeds))
        self.pool.submit(specs[: self.seeds], study_dir=self.runs_dir.resolve())


_current: Explorer | None = None


def configure(explorer: Explorer) -> None:
    global _current
    _current = explorer


def current() -> Explorer:
    if _current is None:
        raise RuntimeError("the lever explorer is not configured: start it with `talentsim dashboard`")
    return _current
