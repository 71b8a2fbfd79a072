"""Documents whose tail is generated from the code: everything after a marker line is rewritten, the
hand-written head is kept. ``docs/outputs.md`` (from :mod:`sim.dictionary`) and the bounds table of
``docs/parameters.md`` (from :mod:`sim.parameter_doc`) are made this way, and tests check both are current.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Sequence


def with_generated_tail(doc: str, *, marker: str, tail: str, what: str) -> str:
    """``doc`` with everything after ``marker`` replaced by ``tail``."""
    head, found, _ = doc.partition(marker)
    if not found:
        raise ValueError(f"the document has no line {marker!r} after which the {what} go")
    return f"{head}{marker}\n\n{tail}"


def rewrite_generated_tail(argv: Sequence[str] | None, *, render: Callable[[str], str], usage: str) -> int:
    """The command line of a generator: rewrite the one file named with ``render(its text)``; 2 on misuse."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print(f"usage: {usage}", file=sys.stderr)
        return 2
    path = Path(args[0])
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0
