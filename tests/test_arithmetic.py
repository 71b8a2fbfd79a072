"""The floating-point code a run is computed with: named, recorded with every run, and warned of when a study's runs
mix kinds (numpy's maths functions give other last bits on another processor, and so another run)."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim import ensemble
from sim.arithmetic import arithmetic
from sim.cli import main
from sim.config import load_scenario
from sim.errors import MixedArithmeticWarning
from sim.runner import run_scenario

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "toyville_scenario.yaml"
SHORT = {"run.end": "2022-06"}
KIND_A, KIND_B = "numpy 9.9 x86_64 X86_V4+X86_V3", "numpy 9.9 x86_64 X86_V3"


def test_the_arithmetic_names_numpy_the_architecture_and_the_vector_code():
    kind = arithmetic()
    assert kind.startswith(f"numpy {np.__version__} {platform.machine()} ") and kind == arithmetic()
    assert kind.rsplit(" ", 1)[1], kind


def test_numpy_turned_to_its_plainer_code_is_another_kind_and_computes_other_bits():
    # the vector code numpy chose here, turned off in a fresh process: numpy falls back to the code every processor has
    targets = arithmetic().rsplit(" ", 1)[1]
    if targets == "baseline":
        pytest.skip("numpy runs no vector code beyond its baseline on this processor: there is nothing to turn off")
    script = ("import numpy as np; from sim.arithmetic import arithmetic; "
              "print(arithmetic()); print(np.exp(np.linspace(-5, 5, 100001)).tobytes().hex())")
    proc = subprocess.run([sys.executable, "-c", script], env={**os.environ, "NPY_DISABLE_CPU_FEATURES": targets.replace("+", " ")},
                          capture_output=True, text=True, cwd=ROOT, check=True)
    kind, exp_bits = proc.stdout.splitlines()
    assert kind != arithmetic() and kind.endswith(" baseline"), kind
    assert exp_bits != np.exp(np.linspace(-5, 5, 100001)).tobytes().hex()


def test_a_runs_manifest_records_its_arithmetic(tmp_path):
    result = run_scenario(load_scenario(TOY, overrides=SHORT), out=tmp_path, charts=False)
    assert json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))["arithmetic"] == arithmetic()


def toy_study(out: Path, *, seeds: int):
    return ensemble.run_ensemble(load_scenario(TOY, overrides=SHORT), seeds=seeds, out=out, workers=0, charts=False)


def test_a_study_of_one_kind_records_it_for_every_run_and_does_not_warn(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", MixedArithmeticWarning)
        result = toy_study(tmp_path, seeds=2)
    assert pq.read_table(result.study_dir / "runs.parquet")["arithmetic"].to_pylist() == [arithmetic()] * 2


def test_a_study_whose_runs_mix_kinds_warns_with_the_count_of_each(tmp_path, monkeypatch):
    kinds = iter([KIND_A, KIND_B, KIND_A])
    monkeypatch.setattr(ensemble, "arithmetic", lambda: next(kinds))
    with pytest.warns(MixedArithmeticWarning, match=re.escape(f"2 kinds of floating-point code ({KIND_A}: 2 runs; {KIND_B}: 1 run)")):
        result = toy_study(tmp_path, seeds=3)
    runs = pq.read_table(result.study_dir / "runs.parquet")
    assert runs["arithmetic"].to_pylist() == [KIND_A, KIND_B, KIND_A]


def test_a_run_not_complete_an_older_marker_and_a_spoilt_one_have_no_arithmetic(tmp_path):
    result = toy_study(tmp_path, seeds=4)
    older, missing, *spoilt = result.specs
    marker = ensemble.done_marker(result.study_dir, older.run_id)
    marker.write_text(json.dumps({k: v for k, v in json.loads(marker.read_text()).items() if k != "arithmetic"}))
    ensemble.done_marker(result.study_dir, missing.run_id).unlink()
    ensemble.done_marker(result.study_dir, spoilt[0].run_id).write_bytes(b'{"run_id": "cut sho')
    ensemble.done_marker(result.study_dir, spoilt[1].run_id).write_text('["not", "a", "marker"]')
    assert ensemble.arithmetic_of_runs(result.specs, study_dir=result.study_dir) == {s.run_id: None for s in result.specs}
    rerun = toy_study(tmp_path, seeds=4)  # the missing run is done again; the study ends without tripping on the others
    assert pq.read_table(rerun.study_dir / "runs.parquet")["arithmetic"].to_pylist() == [None, arithmetic(), None, None]


def test_the_command_line_shows_the_mixed_kinds_as_its_own_warning(tmp_path, monkeypatch, capsys):
    kinds = iter([KIND_A, KIND_B])
    monkeypatch.setattr(ensemble, "arithmetic", lambda: next(kinds))
    code = main(["ensemble", str(TOY), "--seeds", "2", "--workers", "0", "--set", "run.end=2022-06", "--out", str(tmp_path),
                 "--quiet", "--no-charts"])
    err = capsys.readouterr().err
    assert code == 0
    assert err.startswith("talentsim: warning: the study's runs were computed with 2 kinds"), err
    assert "Warning" not in err and "warnings.warn" not in err
