"""Errors that the command line reports to the user without a traceback."""

from __future__ import annotations


class ConfigError(ValueError):
    """A scenario or region file that cannot be used: names the file, the field and what is allowed."""

    def __init__(self, *, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: invalid configuration\n{lines}")


class AgentLimitError(RuntimeError):
    """A run whose talent agents would pass the stated limit (``run.max_agents_multiple`` times the agents
    at the start): the run stops with this error rather than exhausting memory. The ensemble runner
    records it as that run's failure; the command line reports it without a traceback."""

    def __init__(self, *, agents: int, limit: int, month: str, multiple: float, scale: int) -> None:
        self.agents, self.limit, self.month = agents, limit, month
        super().__init__(
            f"the run stopped at {month}: {agents:,} talent agents exceed the limit of {limit:,} "
            f"(run.max_agents_multiple = {multiple:g} times the agents at the start, at scale {scale}). "
            f"The city has grown beyond what the model is meant to represent: check the parameters that drive "
            f"growth (entry, candidates, demand), or raise run.max_agents_multiple or run.scale if the growth is intended.")


class TalentSimWarning(UserWarning):
    """A warning the command line shows as ``talentsim: warning: ...``, without the source line."""


class MixedArithmeticWarning(TalentSimWarning):
    """A study's runs were computed with more than one floating-point code (``sim/arithmetic.py``)."""
