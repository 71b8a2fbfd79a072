"""What a budget optimisation leaves besides its tables: the best setting as a scenario file that ``extends`` the
base (so that ``talentsim run``, ``compare`` and the notebooks take it as any other scenario), and the chart."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any, Sequence

import pyarrow as pa
import yaml

from sim.config import Scenario, apply_overrides, load_scenario
from sim.inputs import MAX_NAME_LENGTH
from sim.optimise_space import OBJECTIVES, SETTING, SPENDING, SearchSpace, setting_overrides, specs_at
from sim.results import write_atomic
from sim.scenario_files import FOUND_IN_LIBRARY


def _evaluated(evaluation: pa.Table, *, trial: int, outcome: str) -> dict[str, Any]:
    return next(r for r in evaluation.to_pylist() if r["trial"] == trial and r["outcome"] == outcome)


def _extends(base: Scenario, *, folder: Path) -> str:
    """How the saved file names its base: by file name for the packaged library (found wherever TalentSim is installed),
    else by the path from the study folder."""
    assert base.found is not None
    if base.found.found_in == FOUND_IN_LIBRARY:
        return base.found.file.name
    return os.path.relpath(base.found.file.resolve(), folder.resolve())


def _header(*, trial: Any, evaluation: pa.Table, outcome: str, space: SearchSpace, seeds: Sequence[int], scale: int,
            file_name: str) -> str:
    value = _evaluated(evaluation, trial=trial.number, outcome=outcome)
    spent = _evaluated(evaluation, trial=trial.number, outcome=SPENDING)
    form = ".4f" if outcome.startswith("coordination") else ",.0f"
    one_seed = len(seeds) < 2
    level = "" if one_seed else f" (95% interval {value['ci_low']:{form}} to {value['ci_high']:{form}})"
    diff = "" if one_seed else f" ({value['diff_ci_low']:+{form}} to {value['diff_ci_high']:+{form}})"
    lines = [f"Found by talentsim optimise (trial {trial.number}): the best setting of {', '.join(space.families)} within "
             f"{space.envelope_yuan:,.0f} yuan a year of lever budgets, from {space.start} on.",
             f"Re-evaluated on {len(seeds)} fresh seed{'' if one_seed else 's'} at scale {scale}: {outcome} {value['mean']:{form}}"
             f"{level}; difference to the base at the same seeds {value['diff_mean']:+{form}}{diff}; "
             f"spending {spent['mean']:,.0f} yuan a year.",
             f"One of those runs: talentsim run {file_name} --scale {scale} --seed {seeds[0]}",
             "The values are the optimiser's, not rounded, so that the runs reproduce exactly."]
    return "".join(f"# {part}\n" for line in lines for part in textwrap.wrap(line, 110))


def write_best_scenario(base: Scenario, *, space: SearchSpace, trial: Any, evaluation: pa.Table, study_dir: Path, objective: str,
                        seeds: Sequence[int], scale: int, overrides: dict[str, Any]) -> Path:
    """``<base>_optimised.yaml`` in the study folder, checked by loading it: it must give the base with the trial's setting."""
    from sim.charts.optimise import family_list

    name = f"{base.name[:MAX_NAME_LENGTH - 10]}_optimised"
    path = Path(study_dir) / f"{name}.yaml"
    setting = trial.user_attrs[SETTING]
    envelope = {"en": f"{space.envelope_yuan / 1e9:,.3g} bn yuan", "zh": f"{space.envelope_yuan / 1e8:,.4g}亿元"}
    doc: dict[str, Any] = {
        "name": name,
        "title": {"en": f"{base.title.en or base.name}: best {family_list(space.families, 'en')} within {envelope['en']} a year",
                  "zh": f"{base.title.zh or base.name}：年度预算{envelope['zh']}内{family_list(space.families, 'zh')}的最优设置"},
        "description": {
            "en": f"As {base.name} before {space.start}; from then on the lever settings that an optimiser found best for "
                  f"{objective} while the annual budgets of all levers sum to at most {envelope['en']}.",
            "zh": f"{space.start} 之前与 {base.name} 相同；此后采用优化器所得的政策设置，使 {objective} 最优，且各项政策年度预算之和"
                  f"不超过 {envelope['zh']}。"},
        "extends": _extends(base, folder=Path(study_dir)),
    }
    region_file = Path(base._source_dir or ".") / base.region
    if region_file.is_file():  # a region given by path is found relative to the scenario file: the saved file lives elsewhere
        doc["region"] = os.path.relpath(region_file.resolve(), Path(study_dir).resolve())
    doc.update(apply_overrides({}, overrides, source="--set") if overrides else {})
    doc.setdefault("levers", {})["schedule"] = setting_overrides(base, space, setting)["levers.schedule"]
    text = _header(trial=trial, evaluation=evaluation, outcome=OBJECTIVES[objective], space=space, seeds=seeds, scale=scale,
                   file_name=path.name)
    text += yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    write_atomic(path, text.encode("utf-8"))
    saved = load_scenario(path)
    expected = specs_at(base, overrides=setting_overrides(base, space, setting), point=trial.number, label="check", seeds=[seeds[0]],
                        scale=scale)[0].scenario()
    if (saved.levers, saved.uncertainties, saved.load_region().id) != (expected.levers, expected.uncertainties, expected.load_region().id):
        path.unlink(missing_ok=True)
        raise RuntimeError(f"{path} does not give the setting of trial {trial.number}; not kept")
    return path


def render_chart(result: Any, *, base: Scenario, space: SearchSpace, objective: str, pareto: bool, lang: str, scale: int,
                 seeds: int, eval_seeds: int) -> list[Path]:
    from sim.charts.captions import optimise_caption
    from sim.charts.optimise import render_pareto_chart
    from sim.charts.style import resolve_language

    chart_lang, _ = resolve_language(lang)
    sampler = "NSGA-II" if pareto else "TPE"
    caption = optimise_caption(base, trials=result.trials.num_rows, sampler=sampler, seeds=seeds, fresh_seeds=eval_seeds, scale=scale,
                               lang=chart_lang)
    return render_pareto_chart(trials=result.trials.to_pylist(),
                               evaluation=None if result.evaluation is None else result.evaluation.to_pylist(),
                               objective=objective, outcome=OBJECTIVES[objective], families=space.families,
                               envelope_yuan=space.envelope_yuan, start=space.start, search_seeds=seeds,
                               out_dir=result.study_dir / "charts", lang=chart_lang, caption=caption)
