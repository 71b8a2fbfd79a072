"""Structure-of-arrays storage shared by talent agents and firms: one row per agent, one array per field."""

from __future__ import annotations

import numpy as np


class ColumnTable:
    """Named columns with amortised growth; subclasses declare ``FIELDS`` (name -> dtype)."""

    FIELDS: dict[str, np.dtype] = {}

    def __init__(self, *, capacity: int) -> None:
        self.size = 0
        self._capacity = max(int(capacity), 16)
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.zeros(self._capacity, dtype=dtype))

    def __setattr__(self, name: str, value: object) -> None:
        # a new size or a new array for a column ends the views made for the old ones
        object.__setattr__(self, name, value)
        if name == "size" or name in self.FIELDS:
            object.__setattr__(self, "_views", {})

    def __getstate__(self) -> dict:
        # a copy (or a pickle) makes its own views of its own columns
        return {k: v for k, v in self.__dict__.items() if k != "_views"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        object.__setattr__(self, "_views", {})

    def view(self, name: str) -> np.ndarray:
        """The live rows of one column (a view, not a copy), made once for each size of the table: a month asks
        for some 150 of them."""
        try:
            return self._views[name]
        except KeyError:
            view = self._views[name] = getattr(self, name)[: self.size]
            return view

    def _append_rows(self, n: int) -> np.ndarray:
        """Room for ``n`` more rows; returns their indices (the caller fills them, then they count)."""
        needed = self.size + n
        if needed > self._capacity:
            new_capacity = max(needed, int(self._capacity * 1.5))
            for name, dtype in self.FIELDS.items():
                grown = np.zeros(new_capacity, dtype=dtype)
                grown[: self.size] = getattr(self, name)[: self.size]
                setattr(self, name, grown)
            self._capacity = new_capacity
        rows = np.arange(self.size, needed)
        self.size = needed
        return rows
