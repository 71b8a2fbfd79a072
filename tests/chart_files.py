"""Checks shared by the chart tests: what a rendered set of chart files must look like."""

from __future__ import annotations

import struct
import warnings
from pathlib import Path
from typing import Callable
from xml.etree import ElementTree

import matplotlib


def png_size(path: Path) -> tuple[int, int]:
    with path.open("rb") as fh:
        head = fh.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def assert_chart_files(out_dir: Path, paths: list[Path], stems: tuple[str, ...]) -> None:
    """Each stem as PNG (>= 1800 px wide) and SVG, sorted, and nothing else left in the folder."""
    assert paths == sorted(paths)
    assert {p.name for p in paths} == {f"{s}.{e}" for s in stems for e in ("png", "svg")}
    for p in paths:
        assert p.parent == out_dir and p.stat().st_size > 1000
    for p in out_dir.glob("*.png"):
        width, height = png_size(p)
        assert width >= 1800 and height > 0
    for p in out_dir.glob("*.svg"):
        assert ElementTree.parse(p).getroot().tag.endswith("svg")
    # Nothing but the charts: no temporary file survives.
    assert sorted(out_dir.iterdir()) == paths


def render_recorded(render: Callable[[], list[Path]]) -> tuple[list[Path], list[warnings.WarningMessage], dict]:
    """Call ``render``; returns the paths it gave, every warning it raised and the rcParams it left changed."""
    before = dict(matplotlib.rcParams)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = render()
    changed = {k: v for k, v in matplotlib.rcParams.items() if before.get(k) != v}
    return paths, list(caught), changed
