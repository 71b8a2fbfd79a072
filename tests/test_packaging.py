"""An installed TalentSim carries its scenario library: ``talentsim run baseline`` works from any folder.

The wheel is built from a copy of the sources and installed without its dependencies into a fresh
virtual environment that borrows them from this interpreter; it runs from an empty folder with no
PYTHONPATH, so nothing can fall back on the source tree. An editable install (what make uses) of
another copy must keep reading the copy's scenarios/ folder.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# what a wheel is built from; building a copy keeps build/ and *.egg-info out of the working tree
WHEEL_SOURCES = ("pyproject.toml", "README.md", "sim", "scenarios")
SHORT_RUN = ("--scale", "400", "--set", "run.end=2022-12", "--no-charts", "--quiet")

pytestmark = pytest.mark.slow  # about half a minute: two installs and four runs in subprocesses


def _check(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


def _builds_wheels_offline() -> bool:
    """Whether this interpreter's setuptools can build a wheel itself: from 70.1 on, or with the wheel package."""
    try:
        major, minor = (int(part) for part in metadata.version("setuptools").split(".")[:2])
    except metadata.PackageNotFoundError:
        return False
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def _build_wheel(*, sources: Path, dist: Path) -> Path:
    _check(sys.executable, "-m", "pip", "wheel", str(sources), "--no-deps", *_isolation(), "--quiet", "--wheel-dir", str(dist))
    (wheel,) = dist.glob("talentsim-*.whl")
    return wheel


def _isolation() -> list[str]:
    # otherwise pip fetches setuptools from the package index into an isolated build environment
    return ["--no-build-isolation"] if _builds_wheels_offline() else []


def _fresh_environment(*, venv: Path, install: list[str]) -> Path:
    """A virtual environment with TalentSim installed by ``pip install <install>``; its dependencies come
    from this interpreter's site-packages, listed after the environment's own, so they never shadow ``sim``."""
    _check(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = str(venv / "bin" / "python")
    own = Path(_check(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip())
    # a path line in a .pth file adds the folder but runs none of its .pth files (an editable install's finder)
    (own / "borrowed_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    _check(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--quiet", *install)
    return venv


def _copy_sources(target: Path) -> Path:
    for name in WHEEL_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An environment with the wheel installed (``pip install .``)."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(sources=_copy_sources(tmp / "sources"), dist=tmp / "dist")
    return _fresh_environment(venv=tmp / "venv", install=["--no-index", str(wheel)])


@pytest.fixture(scope="module")
def editable(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An environment with an editable install of a copy of the sources (``pip install -e .``, as make does)."""
    tmp = tmp_path_factory.mktemp("editable")
    sources = _copy_sources(tmp / "sources")
    return _fresh_environment(venv=tmp / "venv", install=[*_isolation(), "-e", str(sources)]), sources


def _in_empty_folder(venv: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    empty = tmp_path / "empty"
    empty.mkdir()
    return subprocess.run([str(venv / "bin" / args[0]), *args[1:]], cwd=empty, env=_clean_env(),
                          capture_output=True, text=True, timeout=600)


def test_the_wheel_carries_the_scenario_library_and_regions(installed: Path) -> None:
    (wheel,) = (installed.parent / "dist").glob("talentsim-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    library = [*(ROOT / "scenarios").rglob("*.yaml"), *(ROOT / "scenarios").rglob("*.parquet")]  # posteriors are Parquet
    expected = {f"sim/scenarios/{p.relative_to(ROOT / 'scenarios').as_posix()}" for p in library}
    expected |= {f"sim/regions/{p.name}" for p in (ROOT / "sim" / "regions").glob("*.yaml")}
    assert "sim/scenarios/calibration/baseline_fit.yaml" in expected
    assert expected <= names, f"missing from the wheel: {sorted(expected - names)}"


def test_the_installed_package_is_not_the_source_tree(installed: Path, tmp_path: Path) -> None:
    result = _in_empty_folder(installed, tmp_path, "python", "-c", "import sim; print(sim.__file__)")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(installed), result.stdout


def test_run_baseline_from_an_empty_folder_uses_the_packaged_library(installed: Path, tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    result = _in_empty_folder(installed, tmp_path, "talentsim", "run", "baseline", *SHORT_RUN, "--out", str(out))
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "packaged library" in result.stdout, result.stdout
    (manifest_path,) = out.glob("baseline/*/manifest.json")
    source = json.loads(manifest_path.read_text(encoding="utf-8"))["scenario_source"]
    assert source["found_in"] == "packaged library"
    assert Path(source["file"]).is_relative_to(installed), source


def test_a_scenario_of_the_library_that_extends_baseline_runs_installed(installed: Path, tmp_path: Path) -> None:
    # housing_plus50 extends baseline.yaml, which extends calibration/baseline_fit.yaml; its region is packaged too
    out = tmp_path / "outputs"
    result = _in_empty_folder(installed, tmp_path, "talentsim", "run", "housing_plus50", *SHORT_RUN, "--out", str(out))
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    (config_path,) = out.glob("housing_plus50/*/config.yaml")
    behaviour = yaml.safe_load(config_path.read_text(encoding="utf-8"))["uncertainties"]["behaviour"]
    fitted = yaml.safe_load((ROOT / "scenarios" / "calibration" / "baseline_fit.yaml").read_text(encoding="utf-8"))
    assert behaviour["challenge_base_hazard"] == fitted["uncertainties"]["behaviour"]["challenge_base_hazard"]


def test_an_unknown_name_lists_where_it_looked_and_the_names_available(installed: Path, tmp_path: Path) -> None:
    result = _in_empty_folder(installed, tmp_path, "talentsim", "run", "no_such_scenario", *SHORT_RUN)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    for text in ("no_such_scenario", "scenarios", "packaged library", "baseline", "housing_plus50"):
        assert text in result.stderr, result.stderr


def test_the_installed_library_is_not_recalibrated_in_place(installed: Path, tmp_path: Path) -> None:
    (fit,) = installed.glob("lib/python*/site-packages/sim/scenarios/calibration/baseline_fit.yaml")
    before = fit.read_bytes()
    result = _in_empty_folder(installed, tmp_path, "talentsim", "calibrate", "baseline", "--seeds", "1", "--scale", "1000")
    assert result.returncode == 2, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "installed package" in result.stderr and "./scenarios" in result.stderr
    assert fit.read_bytes() == before


def test_an_editable_install_uses_the_sources_scenarios_folder(editable: tuple[Path, Path], tmp_path: Path) -> None:
    venv, sources = editable
    out = tmp_path / "outputs"
    result = _in_empty_folder(venv, tmp_path, "talentsim", "run", "baseline", *SHORT_RUN, "--out", str(out))
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    (manifest_path,) = out.glob("baseline/*/manifest.json")
    source = json.loads(manifest_path.read_text(encoding="utf-8"))["scenario_source"]
    assert source == {"found_in": "packaged library", "file": str(sources / "scenarios" / "baseline.yaml")}


def test_every_package_of_sim_is_listed_for_the_wheel() -> None:
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    packages = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "sim").rglob("__init__.py")}
    assert packages <= listed, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(packages - listed)}"
