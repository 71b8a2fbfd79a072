"""Firm agents as arrays: one row per firm (research platforms hold a row too, as employers)."""

from __future__ import annotations

import numpy as np

from sim.columns import ColumnTable
from sim.firm_kernels import monthly_output
from sim.kernels import keep_where

FIELDS: dict[str, np.dtype] = {
    "sector": np.dtype(np.int64),            # int64: indexes per-cluster arrays many times a month
    "jobs": np.dtype(np.float64),            # all jobs, persons
    "base_jobs": np.dtype(np.float64),       # desired jobs at unit productivity and end-2021 demand
    "log_productivity": np.dtype(np.float64),
    "long_run_productivity": np.dtype(np.float64),
    "output_per_job": np.dtype(np.float64),  # yuan per job per year at unit productivity
    "talent_intensity": np.dtype(np.float64),
    "funding": np.dtype(np.float64),         # outstanding loans and fund equity, yuan
    "born": np.dtype(np.int32),              # month index (negative: before the run)
    "alive": np.dtype(np.bool_),
    "is_project": np.dtype(np.bool_),
    "is_little_giant": np.dtype(np.bool_),
    "is_platform": np.dtype(np.bool_),
    "demands_solved": np.dtype(np.int32),
    "uid": np.dtype(np.int64),               # the firm's id: the same firm in every scenario run with the same seed
}


class FirmTable(ColumnTable):
    """Firms; exited firms stay as dead rows so that employer indices stay valid."""

    FIELDS = FIELDS

    def add(self, **columns: np.ndarray) -> np.ndarray:
        """Append firms in business; returns their rows. A field not given starts at zero (no project, no little giant,
        no platform, no demands solved): the rows past the table's end may hold firms that compaction moved or dropped."""
        unknown = set(columns) - set(self.FIELDS)
        if unknown:
            raise KeyError(f"unknown firm fields: {sorted(unknown)}")
        n = len(columns["sector"])
        if n == 0:
            return np.empty(0, dtype=np.int64)
        start = self.size
        rows = self._append_rows(n)
        new = slice(start, start + n)
        for name in self.FIELDS:
            getattr(self, name)[new] = columns.get(name, 0)
        self.alive[new] = True
        return rows

    def compact(self) -> np.ndarray | None:
        """Drop exited firms once they are a tenth of the rows; returns old row -> new row (-1 dropped), or None."""
        keep = self.view("alive") | self.view("is_platform")  # platforms not yet open keep their row
        n_kept = int(np.count_nonzero(keep))
        if n_kept > 0.9 * self.size:
            return None
        new_row = np.cumsum(keep) - 1
        new_row[~keep] = -1
        for name in self.FIELDS:
            keep_where(getattr(self, name), keep=keep)
        self.size = n_kept
        return new_row

    def output_yuan_per_month(self) -> np.ndarray:
        return monthly_output(jobs=self.view("jobs"), output_per_job=self.view("output_per_job"), productivity=np.exp(self.view("log_productivity")),
                              alive=self.view("alive"))
