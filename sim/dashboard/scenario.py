"""The explored scenario: the base with the changed lever settings, from a chosen month, and the file it is saved as.

The scenario the explorer runs and the file it saves are made from the same mapping: the changes go into the
levers directly when they hold from the run's first month and the base has no time path, and otherwise into a
``levers.schedule`` entry after the base's own entries, which are written out too: a list replaces its base's in
``extends:``. (A scheduled change at or before the first month holds from the start.) A saved
file is read back with :func:`sim.config.load_scenario` and must resolve to the scenario that was run, so that
``talentsim run`` and ``talentsim compare`` give the numbers the page showed.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.config import Scenario, build_scenario, load_scenario
from sim.dashboard.levers import LeverSetting, format_value
from sim.dashboard.text import setting_name
from sim.inputs import check_slug
from sim.scenario_files import packaged_library

# what a saved scenario may differ in from the one that was run: its names, and how it names its region's file
NAMES = ("name", "title", "description", "region")


@dataclass(frozen=True)
class Base:
    """The base scenario, the file it was read from and how it was named on the command line."""

    scenario: Scenario
    file: Path
    given: str


def load_base(name_or_path: str) -> Base:
    scenario = load_scenario(name_or_path)
    return Base(scenario=scenario, file=scenario.found.file.resolve(), given=str(name_or_path))


def change_months(base: Scenario) -> list[str]:
    """The months a change may take effect from: January of each year of the run (its first month first)."""
    first, last = base.run.start, base.run.end
    months = [first] + [f"{y}-01" for y in range(int(first[:4]) + 1, int(last[:4]) + 1)]
    return [m for m in months if m <= last]


def default_month(base: Scenario) -> str:
    """January 2025, as the library's policy scenarios (history to 2024), where the run holds it; else the run's start."""
    months = change_months(base)
    return "2025-01" if "2025-01" in months else months[0]


def lever_data(base: Scenario, *, changes: dict[str, Any], month: str) -> dict[str, Any]:
    """The ``levers`` mapping that sets ``changes`` (full dotted names) from ``month`` over the base."""
    if not changes:
        return {}
    if month <= base.run.start and not base.levers.schedule:
        out: dict[str, Any] = {}
        for name, value in changes.items():
            _, family, setting = name.split(".")
            out.setdefault(family, {})[setting] = value
        return out
    own = [change.model_dump(mode="json") for change in base.levers.schedule]
    entry = {"start": month, "changes": {name.removeprefix("levers."): value for name, value in changes.items()}}
    return {"schedule": [*own, entry]}


def describe(settings: list[LeverSetting], *, changes: dict[str, Any], month: str, base_name: str) -> dict[str, str]:
    """What the explored scenario changes, in both languages."""
    by_name = {s.name: s for s in settings}
    parts = {lang: [f"{setting_name(by_name[n].family, by_name[n].setting, lang)} "
                    f"{format_value(by_name[n], v, lang)} ({'基准' if lang == 'zh' else 'base'} {format_value(by_name[n], by_name[n].base, lang)})"
                    for n, v in changes.items()] for lang in ("en", "zh")}
    year, mon = month.split("-")
    return {"en": f"As {base_name}, with these lever settings from {year}-{mon}: " + "; ".join(parts["en"]) + ".",
            "zh": f"在{base_name}基础上，自{int(year)}年{int(mon)}月起：" + "；".join(parts["zh"]) + "。"}


def scenario_data(base: Scenario, *, name: str, title: dict[str, str], description: dict[str, str], changes: dict[str, Any],
                  month: str) -> dict[str, Any]:
    """The saved file's settings, without ``extends`` (which depends on where the file goes)."""
    data: dict[str, Any] = {"name": check_slug(name), "title": dict(title), "description": dict(description)}
    levers = lever_data(base, changes=changes, month=month)
    if levers:
        data["levers"] = levers
    return data


def explored_scenario(base: Scenario, data: dict[str, Any]) -> Scenario:
    """The base with ``data`` (from :func:`scenario_data`) applied, as reading a file of ``data`` that extends the base gives."""
    full = base.model_dump(mode="json")
    for key, value in data.items():
        if key == "levers":
            for family, settings in value.items():
                if family == "schedule":
                    full["levers"]["schedule"] = settings
                else:
                    full["levers"][family].update(settings)
        else:
            full[key] = value
    scenario = build_scenario(full, source=f"levers set on the page over {base.name}")
    scenario._source_dir = base._source_dir
    return scenario


def extends_reference(base_file: Path, *, folder: Path) -> str:
    """How a file in ``folder`` names the base in ``extends:``: its file name where that finds it (next to the file,
    or in the packaged library with nothing of that name beside the file), else its path relative to the folder."""
    base_file, folder = base_file.resolve(), folder.resolve()
    beside = folder / base_file.name
    if beside.exists() and beside.resolve() == base_file:
        return base_file.name
    if not beside.exists() and base_file.parent == packaged_library().resolve():
        return base_file.name
    return Path(os.path.relpath(base_file, folder)).as_posix()


def region_reference(base: Scenario, *, folder: Path) -> str | None:
    """The base's region as a file in ``folder`` must name it, when the base names it by a path relative to its own
    folder (a region file beside the scenario) and ``folder`` is another; None when the base's name serves as it is."""
    if base._source_dir is None or not (Path(base._source_dir) / base.region).is_file():
        return None
    region = (Path(base._source_dir) / base.region).resolve()
    if Path(base._source_dir).resolve() == Path(folder).resolve():
        return None
    return Path(os.path.relpath(region, Path(folder).resolve())).as_posix()


def scenario_yaml(data: dict[str, Any], *, extends: str, comment: str) -> str:
    lines = "".join(f"# {line}\n" for line in comment.splitlines())
    ordered = {k: data[k] for k in NAMES if k in data} | {"extends": extends} | {k: v for k, v in data.items() if k not in NAMES}
    return lines + yaml.safe_dump(_plain_numbers(ordered), allow_unicode=True, sort_keys=False, width=100)


def _plain_numbers(value: Any) -> Any:
    """Whole numbers written as such (12000, not 12000.0); the schema reads them as the floats they were."""
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def save_scenario(*, base: Base, data: dict[str, Any], explored: Scenario, folder: Path, comment: str) -> Path:
    """Write ``folder/<name>.yaml`` without replacing a file of that name, read it back and check that it resolves to
    ``explored``; a file that would not is removed and the reason raised (ValueError). FileExistsError if taken."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['name']}.yaml"
    region = region_reference(base.scenario, folder=folder)
    data = {**data, "region": region} if region else data
    text = scenario_yaml(data, extends=extends_reference(base.file, folder=folder), comment=comment)
    _write_new(path, text.encode("utf-8"))
    try:
        saved = load_scenario(path)
        if _without_names(saved) != _without_names(explored) or saved.load_region() != explored.load_region():
            raise ValueError(f"{path} does not read back as the scenario that was run")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _without_names(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(mode="json", exclude=set(NAMES))


def _write_new(path: Path, data: bytes) -> None:
    """Whole or not at all, and never over an existing file: written beside it, then linked into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.link(tmp, path)  # fails with FileExistsError rather than replace what is there
    finally:
        Path(tmp).unlink(missing_ok=True)
