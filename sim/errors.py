"""Errors that the command line reports to the user without a traceback."""

from __future__ import annotations


class ConfigError(ValueError):
    """A scenario or region file that cannot be used: names the file, the field and what is allowed."""

    def __init__(self, *, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: invalid configuration\n{lines}")
