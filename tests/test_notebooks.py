"""The planner notebooks are committed clean and take papermill parameters (nbmake runs them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_the_planner_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} >= {"compare_levers.ipynb", "baseline_projection.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and all(not c["outputs"] and c["execution_count"] is None for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_one_papermill_parameters_cell_and_no_model_logic(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0]["cell_type"] == "code"
    source = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    # the notebooks call the package; they do not build or step models themselves
    assert "TalentModel" not in source and ".step(" not in source
