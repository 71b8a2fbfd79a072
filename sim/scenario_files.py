"""Where a scenario file is found, and how it is read with the chain of files it ``extends:``.

A name resolves to a file given as a path, else ``./scenarios/<name>.yaml``, else the scenario
library that ships with the package. Reading follows ``extends:`` (next to the scenario, else in
the library) and merges each file over its base; the files are read with the limits of
:mod:`sim.inputs`. Validation against the schema is :mod:`sim.config`'s.
"""

from __future__ import annotations

import copy
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from sim.errors import ConfigError
from sim.inputs import MAX_EXTENDS, load_yaml, read_text_file


# where a scenario file was found, in the order names are looked up
FOUND_AS_GIVEN, FOUND_IN_FOLDER, FOUND_IN_LIBRARY = "path given", "./scenarios", "packaged library"


class ScenarioSource(BaseModel):
    """The scenario file a name or path resolved to, and which place it was found in."""

    model_config = ConfigDict(frozen=True)
    file: Path
    found_in: str  # FOUND_AS_GIVEN, FOUND_IN_FOLDER or FOUND_IN_LIBRARY

    def describe(self) -> str:
        return f"{self.file} ({self.found_in})"

    def record(self) -> dict[str, str]:
        """For a run's manifest: the absolute path, since a relative one means nothing once the folder is left."""
        return {"found_in": self.found_in, "file": str(self.file.resolve())}


def packaged_library() -> Path:
    """The scenario library that ships with the package: ``sim/scenarios`` in an installed wheel, the
    repository's ``scenarios/`` when ``sim`` runs from a checkout or an editable install."""
    package = Path(__file__).resolve().parent
    installed = package / "scenarios"
    return installed if installed.is_dir() else package.parent / "scenarios"


def locate_scenario(name_or_path: str | Path, *, folder: Path = Path("scenarios")) -> ScenarioSource:
    """A file at the path given; else ``<name>.yaml`` in ``folder`` (``./scenarios``); else in the packaged library.

    Something written as a path (with a folder or a .yaml suffix) is not looked up elsewhere: a
    mistyped path should not quietly run a packaged scenario of the same name.
    """
    given = Path(name_or_path)
    written_as_path = given.suffix in (".yaml", ".yml") or len(given.parts) != 1
    if given.is_file() or (written_as_path and given.exists()):  # a folder or device: the reader says why not
        return ScenarioSource(file=given, found_in=FOUND_AS_GIVEN)
    library = packaged_library()
    if written_as_path:
        packaged = (library / f"{given.stem}.yaml").is_file()
        hint = f"; the packaged library has a scenario {given.stem!r}: give its name to use it" if packaged else ""
        raise ConfigError(source=str(name_or_path), problems=[f"file not found{hint}"])
    for place, found_in in ((folder, FOUND_IN_FOLDER), (library, FOUND_IN_LIBRARY)):
        if (place / f"{given}.yaml").is_file():
            return ScenarioSource(file=place / f"{given}.yaml", found_in=found_in)
    problems = [f"no scenario of that name: looked for {given}.yaml in {folder.resolve()} and in the packaged library ({library})"]
    if _scenario_names(folder):
        problems.append(f"names in {folder.resolve()}: {', '.join(_scenario_names(folder))}")
    problems.append(f"names in the packaged library: {', '.join(_scenario_names(library)) or '(none)'}")
    raise ConfigError(source=str(name_or_path), problems=problems)


def _scenario_names(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml"))


def resolve_scenario_path(name_or_path: str | Path) -> Path:
    """The scenario file a name or path resolves to (see :func:`locate_scenario`)."""
    return locate_scenario(name_or_path).file


def _deep_merge(base: dict, over: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _read_yaml(path: Path, *, what: str = "scenario") -> dict:
    data = load_yaml(read_text_file(path, what=what), source=str(path))
    if data is None:
        raise ConfigError(source=str(path), problems=[f"empty {what}: the file holds no settings "
                                                      "(write at least `extends: baseline.yaml`)"])
    if not isinstance(data, dict):
        raise ConfigError(source=str(path), problems=["the top level must be a mapping of field names to values"])
    return data


def read_scenario_chain(path: Path) -> dict:
    """The scenario file's settings merged over those of its ``extends:`` chain, base first."""
    merged: dict = {}
    for _, data in reversed(_read_chain(path)):
        merged = _deep_merge(merged, data)
    return merged


def settings_chain(path: Path) -> list[tuple[Path, dict]]:
    """Each file of the scenario's ``extends:`` chain with the settings it gives itself, the scenario first."""
    return _read_chain(path)


def extends_chain(path: Path) -> list[Path]:
    """The files a scenario is read from, itself first, then each base its ``extends:`` names (resolved paths)."""
    return [file.resolve() for file, _ in _read_chain(path)]


def _read_chain(path: Path) -> list[tuple[Path, dict]]:
    """Each file of the scenario's ``extends:`` chain with its settings (``extends`` taken out), the scenario first."""
    chain: list[tuple[Path, dict]] = []
    seen: list[Path] = []  # resolved, for finding loops; errors name the paths as written (not /proc/1234/mem for /proc/self/mem)
    while True:
        if path.resolve() in seen:
            raise ConfigError(source=str(path), problems=["extends: the chain of base files loops back to this file"])
        if len(seen) >= MAX_EXTENDS:
            raise ConfigError(source=str(chain[0][0]), problems=[f"extends: a chain of more than the limit of {MAX_EXTENDS} files"])
        data = _read_yaml(path, what="scenario" if not chain else "extends: base scenario")
        base_name = data.pop("extends", None)
        chain.append((path, data))
        seen.append(path.resolve())
        if base_name is None:
            return chain
        if not isinstance(base_name, str) or not base_name or "\0" in base_name:
            raise ConfigError(source=str(path), problems=["extends: must be the path of a base scenario file"])
        path = _base_file(base_name, scenario=path)


def _base_file(base_name: str, *, scenario: Path) -> Path:
    """The file an ``extends:`` names: next to the scenario, else in the packaged library, so that a
    scenario of one's own can build on the packaged baseline without copying it and its calibration."""
    places = (scenario.parent, packaged_library())
    for place in places:
        if (place / base_name).exists():  # found even if not a regular file, so the reader says what is wrong
            return place / base_name
    # a scenario's name is what the command line takes, but extends: names a file
    named = [place for place in places if Path(base_name).suffix == "" and (place / f"{base_name}.yaml").is_file()]
    hint = f"; {named[0]} has {base_name}.yaml: write `extends: {base_name}.yaml`" if named else ""
    if not hint and Path(base_name).parent.name == "calibration" and Path(base_name).name.endswith("_fit.yaml"):
        hint = ("; a fit file that calibrate has not written yet starts as the fitted parameters' starting values, or `{}` "
                "(docs/regions.md)")
    raise ConfigError(source=str(scenario), problems=[
        f"extends: base file {base_name!r} not found next to this scenario ({places[0]}) "
        f"nor in the packaged library ({places[1]}){hint}"])
