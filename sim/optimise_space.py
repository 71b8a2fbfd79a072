"""What a budget optimisation may choose, and what a choice costs: lever families, their settings and the
annual budgets they are given.

A lever family is one of the government's levers (:data:`sim.government.LEVERS`: housing, funding, ...).
Its settings are the levers with a declared plausible range (:func:`sim.xlrm.levers`), less the numbers a
planner does not set: unit prices (what an apartment, a school place or a trainee costs) and responses to
the policy (how many candidates drop out, how many trainees pass). An optimiser allowed to move those would
buy cheaper school places rather than choose a better policy.

What a setting costs is the model's own budget accounting: the government pays for each lever out of its
annual budget and never spends more in a calendar year (:class:`sim.government.Government`), so the sum of
the nine levers' budgets in force is the most the city can spend in any year. A setting is within the
envelope when that sum, in every period of the lever time path from the setting's start, is at most the
envelope; the runs' realised spending (the ``spending`` table) lies below it by construction and is checked too.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any, Sequence

from sim.config import Levers, Scenario, apply_overrides, build_scenario
from sim.ensemble import RunSpec
from sim.government import LEVERS
from sim.results import run_id
from sim.xlrm import Parameter, levers

BUDGET = "budget_yuan_per_year"
OBJECTIVES = {"talent_2035": "talent_total_2035", "coordination_2035": "coordination_mean_2035"}
SPENDING = "spending_yuan_per_year"
SETTING = "setting"                # a trial's user attribute: the setting its runs used
# declared as levers, but prices the city pays or behaviour it meets, not choices
NOT_CHOSEN = ("cost_per_", "running_cost_per_", "dropout_per_month", "certification_share", "external_team_share")


def _chosen(parameter: Parameter) -> bool:
    return not parameter.short.startswith(NOT_CHOSEN[:2]) and parameter.short not in NOT_CHOSEN[2:]


def lever_families() -> dict[str, list[Parameter]]:
    """Each lever family and the settings an optimisation may choose for it (its annual budget among them)."""
    chosen = [p for p in levers() if _chosen(p)]
    return {family: [p for p in chosen if p.name.split(".")[1] == family] for family in LEVERS}


def select_families(names: Sequence[str]) -> list[str]:
    """The families named (comma-separated lists allowed), in the order given, each once; ValueError names the allowed ones."""
    wanted = [n.strip() for text in names for n in str(text).split(",") if n.strip()]
    if not wanted:
        raise ValueError(f"name at least one lever family: {', '.join(LEVERS)}")
    unknown = [n for n in wanted if n not in LEVERS]
    if unknown:
        close = [c for n in unknown for c in difflib.get_close_matches(n, LEVERS, n=1)]
        hint = f" (did you mean {', '.join(dict.fromkeys(close))}?)" if close else ""
        raise ValueError(f"unknown lever famil{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}{hint}; "
                         f"allowed: {', '.join(LEVERS)}")
    return list(dict.fromkeys(wanted))


def schedule_key(name: str) -> str:
    """``levers.housing.apartments_per_year`` as a schedule change names it: ``housing.apartments_per_year``."""
    return name.removeprefix("levers.")


def budget_in_force(levers_: Levers, *, start: str, families: Sequence[str] = LEVERS) -> float:
    """The largest annual budget of ``families`` summed, over the periods of the lever time path in force from ``start`` on
    (the period running at ``start`` and every later one)."""
    periods = [("", levers_), *levers_.time_path()]
    running = max(i for i, (begins, _) in enumerate(periods) if begins <= start)
    return max(sum(getattr(period, f).budget_yuan_per_year for f in families) for _, period in periods[running:])


@dataclass(frozen=True)
class SearchSpace:
    """The settings searched, the envelope (yuan a year) and the budgets held at the base scenario's."""

    parameters: tuple[Parameter, ...]
    families: tuple[str, ...]
    envelope_yuan: float
    start: str                       # YYYY-01: the settings apply from this month on
    held_yuan: float                 # the largest sum of the other families' budgets in force from ``start``

    @property
    def floor_yuan(self) -> float:
        """The least a setting can cost: the other families' budgets plus the low end of each searched family's budget."""
        return self.held_yuan + sum(p.low for p in self.parameters if p.short == BUDGET)

    def setting(self, sampled: dict[str, float]) -> dict[str, float]:
        """The setting a sampled point stands for: the same values, except that searched budgets which together exceed the
        envelope are shrunk towards their low ends in proportion (to whole yuan), so that every setting is within it."""
        out = {p.name: sampled[p.name] for p in self.parameters}
        budgets = [p for p in self.parameters if p.short == BUDGET]
        room = self.envelope_yuan - self.floor_yuan
        above = sum(out[p.name] - p.low for p in budgets)
        if above > room:
            share = room / above
            for p in budgets:
                out[p.name] = float(math.floor(p.low + (out[p.name] - p.low) * share))
        return out

    def change(self, setting: dict[str, float]) -> dict[str, Any]:
        """The step of the lever time path that puts the setting in force (a ``levers.schedule`` entry)."""
        return {"start": self.start, "changes": {schedule_key(k): v for k, v in setting.items()}}


def search_space(base: Scenario, *, families: Sequence[str], envelope_yuan: float, start: str) -> SearchSpace:
    """The search space of ``families`` on the base scenario, from ``start`` on (check it with :func:`space_problems`)."""
    by_family = lever_families()
    held = [f for f in LEVERS if f not in families]
    return SearchSpace(parameters=tuple(p for f in families for p in by_family[f]), families=tuple(families),
                       envelope_yuan=float(envelope_yuan), start=start,
                       held_yuan=budget_in_force(base.levers, start=start, families=held) if held else 0.0)


def space_problems(base: Scenario, space: SearchSpace) -> dict[str, str]:
    """What makes the search impossible, by what causes it: ``envelope`` below the least spending, or ``start`` before a
    step of the base's lever time path that would overwrite a searched setting."""
    problems = {}
    if space.envelope_yuan < space.floor_yuan:
        problems["envelope"] = (f"{space.envelope_yuan:,.0f} yuan a year is below the minimum spending of {space.floor_yuan:,.0f}: "
                                f"the base scenario's budgets of the levers not searched ({space.held_yuan:,.0f}) plus the low end "
                                f"of the budget range of each searched family ({space.floor_yuan - space.held_yuan:,.0f}); a "
                                "larger envelope, fewer families searched, or the other levers' budget_yuan_per_year set lower "
                                "in the scenario lowers it (the budget ranges searched are the declared ones, talentsim params)")
    searched = {schedule_key(p.name) for p in space.parameters}
    late = sorted({f"{step.start}: {key}" for step in base.levers.schedule if step.start > space.start
                   for key in step.changes if _full_key(key) in searched})
    if late:
        problems["start"] = (f"the base scenario's levers.schedule changes searched settings after {space.start} "
                             f"({'; '.join(late)}), which would overwrite the setting tried; start later or search other families")
    return problems


def _full_key(key: str) -> str:
    """A schedule change's key (short or family.name) as family.name."""
    if "." in key:
        return key
    owners = [p for p in levers() if p.short == key]
    return schedule_key(owners[0].name) if len(owners) == 1 else key


# ---------------------------------------------------------------- a setting as runs
def specs_at(base: Scenario, *, overrides: dict[str, Any], point: int, label: str, seeds: Sequence[int], scale: int) -> list[RunSpec]:
    """The base scenario with ``overrides`` at each of ``seeds`` (one design point of the optimisation)."""
    data = base.model_dump(mode="json")
    data["run"]["scale"] = scale
    source = str(base._source_dir) if base._source_dir else None
    specs = []
    for seed in seeds:
        resolved = build_scenario(apply_overrides(data, {**overrides, "run.seed": seed}, source=base.name), source=f"{base.name} {label}")
        specs.append(RunSpec(point=point, point_label=label, seed=seed, run_id=run_id(resolved), config=resolved.model_dump(mode="json"),
                             source_dir=source))
    return specs


def setting_overrides(base: Scenario, space: SearchSpace, setting: dict[str, float]) -> dict[str, Any]:
    """The base's lever time path with the setting's step added last (so that, starting the same month as a step of
    the base, it wins)."""
    steps = [step.model_dump(mode="json") for step in base.levers.schedule]
    return {"levers.schedule": [*steps, space.change(setting)]}
