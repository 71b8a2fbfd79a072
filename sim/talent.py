"""Talent agents kept as arrays (one row per agent), so that a whole city runs one agent per person.

Each row is one talent agent. High-end tiers are always one agent per person; a skilled-tier
agent stands for ``scale`` persons (its ``weight``). Rules are applied to whole arrays at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from sim import row_ranges
from sim.columns import ColumnTable
from sim.kernels import count_kept, keep_where

# status codes
EMPLOYED, SEARCHING, CANDIDATE, GONE = 0, 1, 2, 3
# housing codes
MARKET, APARTMENT, OWNER = 0, 1, 2
# education codes
VOCATIONAL, BACHELOR, MASTER, DOCTORATE = 0, 1, 2, 3
# education of the skilled tier (vocational, bachelor, master, doctorate): assumption; drawn by inverting
# the cumulative shares, the same numbers as ``Generator.choice`` with these probabilities
SKILLED_EDUCATION = np.array([VOCATIONAL, BACHELOR, MASTER, DOCTORATE])

FIELDS: dict[str, np.dtype] = {
    "status": np.dtype(np.int8),
    "tier": np.dtype(np.int8),
    "sector": np.dtype(np.int16),     # current sector (cluster or rest of the city); -1 for candidates
    "employer": np.dtype(np.int32),   # firm row; -1 when not employed
    "field": np.dtype(np.int16),      # sector the person's field of study fits best
    "education": np.dtype(np.int8),
    "age": np.dtype(np.float32),      # years: whole months since birth_month, as of the end of the last month aged
    "sex": np.dtype(np.int8),         # sim.categories.MALE or FEMALE
    "track": np.dtype(np.int8),       # retirement track (sim.demography.WORKER or CADRE); matters for women only
    "birth_month": np.dtype(np.int32),   # month index (year * 12 + month - 1)
    "retire_month": np.dtype(np.int32),  # month in which the agent reaches its statutory retirement age
    "housing": np.dtype(np.int8),
    "children": np.dtype(np.int8),
    "months_in_city": np.dtype(np.int32),
    "weight": np.dtype(np.float32),   # persons this agent stands for
    "channel": np.dtype(np.int8),     # inflow channel by which the agent came (for candidates and graduates' benefits)
    "queue_since": np.dtype(np.int32),  # month the agent joined the apartment queue; -1 when not queued
    "search_left": np.dtype(np.int8),   # months of local search left (displaced workers)
    "job_seeking": np.dtype(np.int8),   # 1 when looking for a job in another cluster while employed
    "uid": np.dtype(np.int64),        # the agent's id: the same agent in every scenario run with the same seed
}


@dataclass
class Cohort:
    """Attributes of agents about to be added; every array has the same length."""

    status: np.ndarray
    tier: np.ndarray
    sector: np.ndarray
    employer: np.ndarray
    field: np.ndarray
    education: np.ndarray
    age: np.ndarray
    sex: np.ndarray
    track: np.ndarray
    birth_month: np.ndarray
    retire_month: np.ndarray
    housing: np.ndarray
    children: np.ndarray
    months_in_city: np.ndarray
    weight: np.ndarray
    channel: np.ndarray
    uid: np.ndarray

    def __len__(self) -> int:
        return len(self.tier)


class TalentPool(ColumnTable):
    """Talent agents, with periodic compaction of departed agents and rejected candidates."""

    FIELDS = FIELDS

    def add(self, cohort: Cohort) -> np.ndarray:
        """Append agents; returns their row indices."""
        n = len(cohort)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        new = self.open_rows(n)
        # the new rows are one run at the end: slices are filled without an index array; every column of a
        # cohort is a column of the pool
        for name, column in vars(cohort).items():
            getattr(self, name)[new] = column
        return np.arange(new.start, new.stop)

    def open_rows(self, n: int) -> slice:
        """Room for ``n`` new agents at the end of the table, not in the apartment queue, with no local search and not
        seeking; returns their rows. The caller fills every other column."""
        start = self.size
        self._append_rows(n)
        new = slice(start, start + n)
        self.queue_since[new] = -1
        self.search_left[new] = 0
        self.job_seeking[new] = 0
        return new

    def compact(self) -> None:
        """Drop departed agents and rejected candidates once they make up a large share of rows."""
        status = self.view("status")
        # newcomers who chose the city and are still searching are kept, like residents
        n_keep = count_kept(status=status, search_left=self.view("search_left"), employed=EMPLOYED, searching=SEARCHING,
                            candidate=CANDIDATE)
        if n_keep > 0.9 * self.size:  # compaction is cheap next to a month of work on dead rows
            return
        keep = (status == EMPLOYED) | (status == SEARCHING) | ((status == CANDIDATE) & (self.view("search_left") > 0))
        # each column is compacted on its own, so the columns of a large table are shared out among threads
        row_ranges.side_by_side([partial(keep_where, getattr(self, name), keep=keep) for name in self.FIELDS], n_rows=len(keep))
        self.size = n_keep

    def resident_mask(self) -> np.ndarray:
        return self.view("status") <= SEARCHING
