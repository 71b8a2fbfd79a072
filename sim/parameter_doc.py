"""The validity bounds of every scenario number, as the generated end of docs/parameters.md.

After changing a ``valid=`` bound in sim/config.py, regenerate the list with
``python -m sim.parameter_doc docs/parameters.md``; a test checks that the document is current.
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

from sim.config import parameter_table
from sim.generated_docs import rewrite_generated_tail, with_generated_tail

GENERATED_MARKER = ("<!-- Everything below is generated from the `valid=` bounds in sim/config.py by "
                    "`python -m sim.parameter_doc docs/parameters.md`; edit the schema, not this list. -->")


def validity_markdown() -> str:
    """One row per bounded parameter: the bounds a value must lie within, next to its plausible range."""
    lines = ["| name | valid from | valid to | unit | plausible range |", "|---|---|---|---|---|"]
    for row in parameter_table():
        if row["valid"] is None:
            continue
        low, high = row["valid"]
        plausible = f"[{_number(row['range'][0])}, {_number(row['range'][1])}]" if row["range"] else ""
        lines.append(f"| `{row['name']}` | {_number(low)} | {_number(high)} | {row['unit'].replace('|', '/')} | {plausible} |")
    for model, prefix in _item_models():
        for name, field in model.model_fields.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            if "valid" in extra:
                low, high = extra["valid"]
                plausible = f"[{_number(extra['range'][0])}, {_number(extra['range'][1])}]" if extra.get("range") else ""
                lines.append(f"| `{prefix}.{name}` | {_number(low)} | {_number(high)} | {extra['unit']} | {plausible} |")
    return "\n".join(lines) + "\n"


def _item_models() -> list[tuple[Any, str]]:
    """Models of list and mapping entries, which parameter_table lists only as containers."""
    from sim.config import CompetitorPath, NewPlatform

    return [(NewPlatform, "levers.platforms.new_platforms[i]"), (CompetitorPath, "uncertainties.competitors.CITY")]


def _number(value: float) -> str:
    if value == 2**63 - 1:
        return "2^63-1"
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) < 1e7 else f"{value:g}"


def with_generated_list(doc: str) -> str:
    """``doc`` with everything after the generated-list marker replaced by the current bounds."""
    return with_generated_tail(doc, marker=GENERATED_MARKER, tail=validity_markdown(), what="bounds")


def main(argv: Sequence[str] | None = None) -> int:
    return rewrite_generated_tail(argv, render=with_generated_list,
                                  usage="python -m sim.parameter_doc docs/parameters.md   (rewrites the generated bounds in that file)")


if __name__ == "__main__":
    sys.exit(main())
