"""Government and research platforms: the few agents that are Mesa objects.

The government holds the levers' time paths and budgets and pays for every mechanism;
spending on a lever never exceeds its budget for the calendar year.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.config import Levers

LEVERS = ("housing", "funding", "projects", "challenges", "platforms", "services", "tailored_support", "graduates", "skills")
LEVER_INDEX = {name: i for i, name in enumerate(LEVERS)}


class Government(mesa.Agent):
    """Pays for levers out of annual budgets; ``request`` returns the share of a cost it can fund."""

    def __init__(self, model: mesa.Model, *, levers: Levers) -> None:
        super().__init__(model)
        self.set_levers(levers)
        # plain floats by lever, not arrays: a month makes a dozen requests, each a few scalar operations
        self._spent_this_year = [0.0] * len(LEVERS)
        self._spent_this_month = [0.0] * len(LEVERS)

    def set_levers(self, levers: Levers) -> None:
        """Settings and annual budgets in force from now on (what was spent this year still counts)."""
        self.levers = levers
        self._budget = [float(getattr(levers, name).budget_yuan_per_year) for name in LEVERS]

    @property
    def budget(self) -> np.ndarray:
        """Annual budget by lever (``LEVERS``), yuan."""
        return np.array(self._budget)

    @property
    def spent_this_year(self) -> np.ndarray:
        """Spent by lever since January, yuan."""
        return np.array(self._spent_this_year)

    @property
    def spent_this_month(self) -> np.ndarray:
        """Spent by lever this month, yuan."""
        return np.array(self._spent_this_month)

    def start_month(self, *, month_of_year: int) -> None:
        if month_of_year == 1:
            self._spent_this_year = [0.0] * len(LEVERS)
        self._spent_this_month = [0.0] * len(LEVERS)

    def request(self, lever: str, cost_yuan: float, *, reserve_yuan: float = 0.0) -> float:
        """Fund as much of ``cost_yuan`` as the lever's remaining annual budget allows; returns the funded share.

        ``reserve_yuan`` is kept back for the lever's running costs later in the year, so that
        new capital spending cannot starve services already promised.
        """
        if cost_yuan <= 0:
            return 1.0
        i = LEVER_INDEX[lever]
        remaining = max(self._budget[i] - self._spent_this_year[i] - reserve_yuan, 0.0)
        granted = min(cost_yuan, remaining)
        self._spent_this_year[i] += granted
        self._spent_this_month[i] += granted
        return granted / cost_yuan


class ResearchPlatform(mesa.Agent):
    """A research platform: hosts high-end talent up to its capacity, links to clusters, hatches projects."""

    def __init__(self, model: mesa.Model, *, platform_id: str, host: int, links: list[int], capacity: float,
                 firm_row: int, opens: int, tier_mix: np.ndarray, yearly_cost: float) -> None:
        super().__init__(model)
        self.platform_id = platform_id
        self.host = host                # sector index
        self.links = links              # sector indices it serves besides its host
        self.capacity = capacity        # high-end talent persons
        self.firm_row = firm_row        # its employer row in the firm table
        self.opens = opens              # month index from which it recruits
        self.tier_mix = tier_mix        # shares of top, national, provincial, municipal recruits
        self.yearly_cost = yearly_cost  # yuan per year paid by the platform lever (new platforms)
