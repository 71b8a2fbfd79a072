"""Hostile input (issue 12): every case is refused with exit code 2 before anything is simulated,
naming the file, field or option, without a traceback, writing nothing under --out and creating
nothing beside it, in a few seconds.

The corpus is data: add a :class:`Case` to ``CASES`` to cover a new input. Placeholders in the
arguments: ``{tmp}`` (the case's folder), ``{out}`` (its --out), ``{ok}`` (a valid short scenario),
``{bad}`` (the file ``bad.yaml`` of the case's ``files``).
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
import yaml

from sim.cli import main
from sim.inputs import MAX_EXTENDS, MAX_NODES

ROOT = Path(__file__).resolve().parent.parent
REGION = yaml.safe_load((ROOT / "sim" / "regions" / "jiaxing.yaml").read_text(encoding="utf-8"))
SHORT_RUN = 'run: {end: "2022-02", scale: 1000}\n'  # a case that wrongly passes fails quickly
OK = "region: jiaxing\n" + SHORT_RUN
TIME_LIMIT_S = 10  # generous: a refusal takes well under a second, the scheduler's timeout five


def region_with(change: Callable[[dict], None]) -> str:
    """The packaged region with one change: a hostile region file."""
    data = copy.deepcopy(REGION)
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)  # the tiers' order matters: keep the file's


def _set(path: str, value: object) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value
    return change


def _drop_district_of_first_cluster(data: dict) -> None:
    del data["clusters"]["rows"][0]["district"]


def _repeat_first_district(data: dict) -> None:
    data["districts"]["rows"].append(dict(data["districts"]["rows"][0]))


def _output_per_project_of_zero(data: dict) -> None:
    del data["patterns"][4]["ratio"]
    data["patterns"][4]["value"] = 0  # its band is a share of the figure either side: none


def _drop_range_of_national_tier(data: dict) -> None:
    del data["tiers"]["national"]["range"]


def _drop_band_of_second_pattern(data: dict) -> None:
    del data["patterns"][1]["band"]


def _link_first_cluster_to_itself(data: dict) -> None:
    data["links"][0]["b"] = data["links"][0]["a"]


def _repeat_first_link_reversed(data: dict) -> None:
    first = data["links"][0]
    data["links"].append({"a": first["b"], "b": first["a"], "weight": 0.5})


def _platform_host_without_other_talent(data: dict) -> None:
    host = data["platforms"][0]["host"]
    row = next(r for r in data["clusters"]["rows"] if r["id"] == host)
    row["talent"] = 50  # fewer than the research platforms it hosts employ


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    expect: tuple[str, ...]  # texts that stderr must contain: the file, field or option, and what is wrong
    files: dict[str, str] = field(default_factory=dict)  # written into the case's folder first
    special: str = ""  # "fifo" (bad.fifo), "unreadable" (bad.yaml mode 000), "readonly" (a folder ro/ of mode 555)
    env: dict[str, str] = field(default_factory=dict)


def run_case(*extra: str, expect: tuple[str, ...], files: dict[str, str] | None = None, id: str = "", **kw) -> Case:
    return Case(id=id, args=("run", *extra), expect=expect, files=files or {}, **kw)


def bad_file(text: str) -> dict[str, str]:
    return {"bad.yaml": text}


NESTED = "[" * 200 + "]" * 200
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))

CASES: list[Case] = [
    # ---- names that become folders must stay inside --out
    run_case("{ok}", "--set", "name=..", "--out", "{out}", id="set_name_dotdot", expect=("name", "cannot name a folder")),
    run_case("{ok}", "--set", "name=../../escaped", "--out", "{out}", id="set_name_parent_path", expect=("name", "cannot name a folder")),
    run_case("{ok}", "--set", "name=/tmp/escaped", "--out", "{out}", id="set_name_absolute", expect=("name", "cannot name a folder")),
    run_case("{ok}", "--set", "name=a/b", "--out", "{out}", id="set_name_separator", expect=("name",)),
    run_case("{bad}", "--out", "{out}", id="file_name_dotdot", files=bad_file('name: ".."\n' + OK), expect=("bad.yaml", "name")),
    run_case("{bad}", "--out", "{out}", id="file_name_nul", files=bad_file('name: "a\\0b"\n' + OK), expect=("bad.yaml", "name")),
    run_case("{bad}", "--out", "{out}", id="file_name_backslash", files=bad_file("name: 'a\\..\\b'\n" + OK), expect=("bad.yaml", "name")),
    run_case("{bad}", "--out", "{out}", id="file_name_too_long", files=bad_file(f"name: {'a' * 65}\n" + OK), expect=("bad.yaml", "name", "64")),
    run_case("{bad}", "--out", "{out}", id="file_name_empty", files=bad_file('name: ""\n' + OK), expect=("bad.yaml", "name")),
    run_case("{bad}", "--out", "{out}", id="file_name_hidden", files=bad_file('name: ".hidden"\n' + OK), expect=("bad.yaml", "name")),
    Case("compare_name_dotdot", ("compare", "{ok}", "{ok}", "--name", "..", "--seeds", "1", "--workers", "0", "--out", "{out}"), ("--name",)),
    Case("compare_name_path", ("compare", "{ok}", "{ok}", "--name", "../x", "--seeds", "1", "--workers", "0", "--out", "{out}"), ("--name",)),
    # ---- paths that are not scenario files
    run_case("/dev/zero", "--out", "{out}", id="scenario_dev_zero", expect=("/dev/zero", "not a regular file")),
    run_case("/dev/null", "--out", "{out}", id="scenario_dev_null", expect=("/dev/null", "empty scenario")),
    run_case("/proc/self/mem", "--out", "{out}", id="scenario_proc_mem", expect=("/proc/self/mem",)),
    run_case("{tmp}/bad.fifo", "--out", "{out}", id="scenario_fifo", special="fifo", expect=("bad.fifo", "not a regular file")),
    run_case("{tmp}/folder.yaml", "--out", "{out}", id="scenario_directory", files={"folder.yaml/x": ""}, expect=("folder.yaml", "not a regular file")),
    run_case("{bad}", "--out", "{out}", id="scenario_unreadable", special="unreadable", files=bad_file(OK), expect=("bad.yaml", "cannot be read")),
    run_case("{bad}", "--out", "{out}", id="scenario_too_large", files=bad_file(OK + "#" * 1_100_000 + "\n"), expect=("bad.yaml", "limit")),
    run_case("{tmp}/latin1.yaml", "--out", "{out}", id="scenario_not_utf8", files={"latin1.yaml": "name: caf\udce9\n"}, expect=("latin1.yaml", "UTF-8")),
    run_case("{bad}", "--out", "{out}", id="extends_dev_zero", files=bad_file("extends: /dev/zero\n"), expect=("extends", "not a regular file")),
    run_case("{bad}", "--out", "{out}", id="extends_fifo", special="fifo", files=bad_file("extends: bad.fifo\n"), expect=("extends", "not a regular file")),
    run_case("{bad}", "--out", "{out}", id="extends_directory", files={"bad.yaml": "extends: base.yaml\n", "base.yaml/x": ""}, expect=("extends", "not a regular file")),
    run_case("{bad}", "--out", "{out}", id="extends_proc_mem", files=bad_file("extends: /proc/self/mem\n"), expect=("extends",)),
    run_case("{bad}", "--out", "{out}", id="extends_not_a_name", files=bad_file("extends: [a, b]\n" + OK), expect=("bad.yaml", "extends")),
    run_case("{bad}", "--out", "{out}", id="region_dev_zero", files=bad_file("region: /dev/zero\n" + SHORT_RUN), expect=("bad.yaml", "region", "not a regular file")),
    run_case("{bad}", "--out", "{out}", id="region_directory", files=bad_file(f"region: {ROOT / 'sim' / 'regions'}\n" + SHORT_RUN), expect=("bad.yaml", "region", "not a regular file")),
    # ---- --set values that are not valid YAML, or are code
    run_case("{ok}", "--set", "apartments_per_year=[1", "--out", "{out}", id="set_unclosed_list", expect=("--set apartments_per_year", "YAML")),
    run_case("{ok}", "--set", "apartments_per_year=*x", "--out", "{out}", id="set_undefined_alias", expect=("--set apartments_per_year", "YAML")),
    run_case("{ok}", "--set", "=*x", "--out", "{out}", id="set_no_name", expect=("--set",)),
    run_case("{ok}", "--set", "apartments_per_year=!!python/object/apply:os.system [echo owned]", "--out", "{out}", id="set_python_tag", expect=("--set apartments_per_year", "python")),
    run_case("{bad}", "--out", "{out}", id="file_python_tag", files=bad_file(OK + "name: !!python/name:os.system\n"), expect=("bad.yaml", "python")),
    # ---- an output folder that cannot be one, checked first
    run_case("{ok}", "--out", "{tmp}/a_file", id="out_is_a_file", files={"a_file": "x"}, expect=("--out", "not a folder")),
    run_case("{ok}", "--out", "{tmp}/a_file/below", id="out_below_a_file", files={"a_file": "x"}, expect=("--out", "not a folder")),
    run_case("{ok}", "--out", "/proc/talentsim", id="out_proc", expect=("--out", "/proc")),
    run_case("{ok}", "--out", "/dev/null", id="out_dev_null", expect=("--out", "/dev/null")),
    run_case("{ok}", "--out", "{tmp}/ro/out", id="out_read_only", special="readonly", expect=("--out", "cannot be written")),
    run_case("/dev/zero", "--out", "{tmp}/a_file", id="out_checked_before_scenario", files={"a_file": "x"}, expect=("--out",)),
    # ---- seeds the outputs cannot store; months outside the region's span
    run_case("{ok}", "--seed", "-1", "--out", "{out}", id="seed_negative", expect=("--seed",)),
    run_case("{ok}", "--seed", str(2**63), "--out", "{out}", id="seed_2_63", expect=("--seed", "2^63")),
    run_case("{ok}", "--set", f"run.seed={2**64}", "--out", "{out}", id="set_seed_2_64", expect=("run.seed",)),
    run_case("{bad}", "--out", "{out}", id="file_seed_negative", files=bad_file("region: jiaxing\nrun: {seed: -5, end: '2022-02', scale: 1000}\n"), expect=("bad.yaml", "run.seed")),
    Case("root_seed_2_63", ("ensemble", "{ok}", "--root-seed", str(2**63), "--seeds", "1", "--workers", "0", "--out", "{out}"), ("--root-seed",)),
    run_case("{ok}", "--set", "run.start=1990-01", "--out", "{out}", id="start_before_region", expect=("run.start", "2022-01")),
    run_case("{ok}", "--set", "run.start=2030-01", "--set", "run.end=2030-06", "--out", "{out}", id="start_years_after_region", expect=("run.start",)),
    run_case("{ok}", "--set", "run.end=2200-12", "--out", "{out}", id="end_beyond_horizon", expect=("run.end", "horizon")),
    # ---- numbers outside their validity range
    run_case("{ok}", "--set", "projects_per_year=1e30", "--out", "{out}", id="projects_1e30", expect=("levers.projects.projects_per_year", "valid")),
    run_case("{ok}", "--set", "loan_term_years=0", "--out", "{out}", id="loan_term_zero", expect=("levers.funding.loan_term_years",)),
    run_case("{bad}", "--out", "{out}", id="platform_capacity_1e12", files=bad_file(OK + "levers: {platforms: {new_platforms: [{id: p, cluster: jiashan_ic, capacity: 1.0e+12}]}}\n"), expect=("bad.yaml", "new_platforms.0.capacity")),
    run_case("{ok}", "--set", "selection_month=13", "--out", "{out}", id="selection_month_13", expect=("levers.projects.selection_month", "12")),
    run_case("{ok}", "--set", "selection_month=0", "--out", "{out}", id="selection_month_0", expect=("levers.projects.selection_month",)),
    run_case("{ok}", "--set", "min_housing_cost_share=50", "--out", "{out}", id="share_50", expect=("min_housing_cost_share",)),
    run_case("{ok}", "--set", "dropout_per_month=5", "--out", "{out}", id="monthly_rate_5", expect=("dropout_per_month",)),
    run_case("{ok}", "--set", "ccd_reference_multiple=0", "--out", "{out}", id="divisor_zero", expect=("ccd_reference_multiple",)),
    run_case("{ok}", "--set", "demand_lifetime_months=0", "--out", "{out}", id="lifetime_zero", expect=("demand_lifetime_months",)),
    run_case("{ok}", "--set", "levers.housing.budget_yuan_per_year=1e308", "--out", "{out}", id="budget_1e308", expect=("levers.housing.budget_yuan_per_year",)),
    run_case("{ok}", "--set", "apartments_per_year=.inf", "--out", "{out}", id="infinite_apartments", expect=("apartments_per_year",)),
    run_case("{ok}", "--set", "exit_rate_fixed=2", "--out", "{out}", id="monthly_hazard_2", expect=("exit_rate_fixed",)),
    run_case("{ok}", "--set", "run.scale=1000000", "--out", "{out}", id="scale_huge", expect=("run.scale",)),
    run_case("{ok}", "--set", "graduate_month_shares=[5,0,0,0,0,0,0,0,0,0,0,0]", "--out", "{out}", id="month_share_5", expect=("graduate_month_shares",)),
    run_case("{bad}", "--out", "{out}", id="fund_1e300", files=bad_file(OK + "levers: {funding: {industry_funds_yuan: {jiashan_ic: 1.0e+300}}}\n"), expect=("bad.yaml", "industry_funds_yuan")),
    run_case("{ok}", "--set", "uncertainties.competitors={shanghai: {shock: 1.0e+100}}", "--out", "{out}", id="shock_1e100", expect=("uncertainties.competitors.shanghai.shock",)),
    run_case("{bad}", "--out", "{out}", id="schedule_bad_value", files=bad_file(OK + "levers: {schedule: [{start: '2022-02', changes: {dropout_per_month: 3}}]}\n"), expect=("bad.yaml", "dropout_per_month")),
    # ---- booleans for numbers, duplicate keys
    run_case("{ok}", "--set", "apartments_per_year=true", "--out", "{out}", id="bool_for_float", expect=("apartments_per_year", "true/false")),
    run_case("{ok}", "--set", "run.scale=yes", "--out", "{out}", id="bool_for_int", expect=("run.scale", "true/false")),
    run_case("{bad}", "--out", "{out}", id="duplicate_top_key", files=bad_file(OK + "region: jiaxing\n"), expect=("bad.yaml", "duplicate key 'region'")),
    run_case("{bad}", "--out", "{out}", id="duplicate_nested_key", files=bad_file(OK + "levers: {housing: {rent_discount: 0.5, rent_discount: 0.6}}\n"), expect=("bad.yaml", "duplicate key 'rent_discount'")),
    # ---- sizes: nesting, chains, lists, studies
    run_case("{bad}", "--out", "{out}", id="deep_nesting_file", files=bad_file(OK + f"description: {NESTED}\n"), expect=("bad.yaml", "nested deeper")),
    run_case("{ok}", "--set", f"graduate_month_shares={NESTED}", "--out", "{out}", id="deep_nesting_set", expect=("--set graduate_month_shares", "nested deeper")),
    run_case("{bad}", "--out", "{out}", id="huge_list", files=bad_file(OK + "graduate_month_shares_x: [" + "0," * (MAX_NODES + 10) + "0]\n"), expect=("bad.yaml", "limit")),
    run_case("{bad}", "--out", "{out}", id="billion_laughs", files=bad_file(OK + LAUGHS), expect=("bad.yaml", "aliases")),
    run_case("{tmp}/chain0.yaml", "--out", "{out}", id="long_extends_chain",
             files={f"chain{i}.yaml": f"extends: chain{i + 1}.yaml\n" for i in range(MAX_EXTENDS + 4)} | {f"chain{MAX_EXTENDS + 4}.yaml": OK},
             expect=("extends", "limit")),
    Case("sweep_1e8_points", ("sweep", "{ok}", "--lever", "apartments_per_year=0:1000:100000000", "--seeds", "1", "--workers", "0", "--out", "{out}"), ("--lever", "1000")),
    Case("sweep_nan_value", ("sweep", "{ok}", "--lever", "apartments_per_year=1,nan", "--seeds", "1", "--workers", "0", "--out", "{out}"), ("--lever", "finite")),
    Case("sweep_value_invalid", ("sweep", "{ok}", "--lever", "rent_discount=0:5:3", "--seeds", "1", "--workers", "0", "--out", "{out}"), ("rent_discount",)),
    Case("sweep_too_many_runs", ("sweep", "{ok}", "--lever", "apartments_per_year=0:1000:1000", "--seeds", "1000", "--workers", "0", "--out", "{out}"), ("--seeds", "runs")),
    Case("ensemble_seeds_1e6", ("ensemble", "{ok}", "--seeds", "1000000", "--workers", "0", "--out", "{out}"), ("--seeds", "10,000")),
    Case("ensemble_seeds_0", ("ensemble", "{ok}", "--seeds", "0", "--workers", "0", "--out", "{out}"), ("--seeds",)),
    Case("ensemble_workers_negative", ("ensemble", "{ok}", "--seeds", "1", "--workers", "-1", "--out", "{out}"), ("--workers",)),
    Case("compare_seeds_1e6", ("compare", "{ok}", "{ok}", "--seeds", "1000000", "--workers", "0", "--out", "{out}"), ("--seeds",)),
    # ---- calibrate's arguments
    Case("calibrate_seeds_0", ("calibrate", "{ok}", "--seeds", "0"), ("--seeds",)),
    Case("calibrate_seeds_negative", ("calibrate", "{ok}", "--seeds", "-3"), ("--seeds",)),
    Case("calibrate_scale_0", ("calibrate", "{ok}", "--scale", "0"), ("--scale",)),
    Case("calibrate_scale_negative", ("calibrate", "{ok}", "--scale", "-10"), ("--scale",)),
    Case("calibrate_abc_population_1", ("calibrate", "{ok}", "--method", "abc", "--population", "1", "--out", "{out}"), ("--population",)),
    Case("calibrate_abc_unknown_parameter", ("calibrate", "{ok}", "--method", "abc", "--parameters", "graduate_pool", "--out", "{out}"),
         ("--parameters", "graduate_pool")),
    Case("calibrate_abc_lever", ("calibrate", "{ok}", "--method", "abc", "--parameters", "apartments_per_year", "--out", "{out}"),
         ("--parameters", "lever")),
    Case("calibrate_abc_nan_epsilon", ("calibrate", "{ok}", "--method", "abc", "--min-epsilon", "nan", "--out", "{out}"), ("--min-epsilon",)),
    Case("calibrate_point_with_abc_option", ("calibrate", "{ok}", "--population", "5"), ("--population", "--method abc")),
    # ---- empty scenarios
    run_case("{bad}", "--out", "{out}", id="empty_file", files=bad_file(""), expect=("bad.yaml", "empty scenario")),
    run_case("{bad}", "--out", "{out}", id="comments_only", files=bad_file("# nothing here\n"), expect=("bad.yaml", "empty scenario")),
    run_case("{bad}", "--out", "{out}", id="extends_empty_base", files={"bad.yaml": "extends: base.yaml\n", "base.yaml": ""}, expect=("base.yaml", "empty")),
    # ---- region files as strict as scenarios
    *[run_case("{bad}", "--out", "{out}", id=f"region_{name}", files={"bad.yaml": "region: region.yaml\n" + SHORT_RUN, "region.yaml": region_with(change)},
               expect=("region.yaml", *expected))
      for name, change, expected in [
          ("negative_count", _set("tiers.national.count", -5), ("tiers.national.count",)),
          ("negative_platform_talent", _set("platforms.0.talent.national", -3), ("platforms.0.talent.national",)),
          ("share_above_one", _set("initial.share_with_children.value", 1.5), ("share_with_children",)),
          ("nan_rent", _set("districts.rows.0.rent_yuan", float("nan")), ("rent_yuan",)),
          ("infinite_stock", _set("talent_stock.value", float("inf")), ("talent_stock",)),
          ("duplicate_district", _repeat_first_district, ("districts", "unique")),
          ("rank_zero", _set("competitors.rows.0.rank", 0), ("competitors.rows.0.rank",)),
          ("home_rank_zero", _set("competitors.home_rank.value", 0), ("home_rank",)),
          ("malformed_initial_month", _set("initial_month", "2021-13"), ("initial_month", "YYYY-MM")),
          ("malformed_founded", _set("platforms.0.founded", "long ago"), ("platforms.0.founded",)),
          ("cluster_without_district", _drop_district_of_first_cluster, ("district",)),
          ("bool_wage_index", _set("competitors.rows.0.wage_index", True), ("wage_index", "true/false")),
          ("latitude_1000", _set("districts.rows.0.lat", 1000), ("lat",)),
          ("observation_unknown_series", _set("observations.0.series", "population"), ("observations[0].series", "city_annual")),
          ("observation_negative_tolerance", _set("observations.0.tolerance", -0.01), ("observations.0.tolerance",)),
          ("observation_unknown_use", _set("observations.0.use", "maybe"), ("observations.0.use",)),
          ("platform_capacity_1e12", _set("platforms.0.capacity", 1e12), ("platforms.0.capacity",)),
          ("cluster_firms_1e12", _set("clusters.rows.0.firms", 10**12), ("firms",)),
          ("talent_stock_1e12", _set("talent_stock.value", 1e12), ("talent_stock",)),
          ("tier_count_1e12", _set("tiers.municipal.count", 1e12), ("tiers.municipal.count",)),
          ("competitor_constant_1e308", _set("competitors.rows.4.constant", 1e308), ("competitors.rows.4.constant",)),
          ("link_to_itself", _link_first_cluster_to_itself, ("links", "linked to itself")),
          ("link_twice", _repeat_first_link_reversed, ("links", "one link a pair of clusters")),
          ("cluster_talent_zero", _set("clusters.rows.0.talent", 0), ("clusters.", ".talent", "platforms and named firms")),
          ("cluster_talent_below_its_platforms", _platform_host_without_other_talent, ("clusters.", ".talent", "platforms and named firms")),
          ("more_little_giants_than_firms", _set("initial.little_giants.value", 10**7), ("initial.little_giants", "firms")),
          ("pattern_unknown_measure", _set("patterns.1.measure", "graduates"), ("patterns.1", "measure", "graduates_employed")),
          ("pattern_value_and_ratio", _set("patterns.1.ratio", [1, 2]), ("patterns.1", "either value or ratio")),
          ("pattern_without_band", _drop_band_of_second_pattern, ("patterns.1", "either band", "tolerance")),
          ("pattern_band_missing_its_value", _set("patterns.1.band", [1, 2]), ("patterns.1", "band", "115000")),
          ("pattern_ratio_over_zero", _set("patterns.2.ratio", [143, 0]), ("patterns.2", "ratio", "positive denominator")),
          ("pattern_measure_twice", _set("patterns.2.measure", "graduates_employed"), ("patterns", "one pattern a measure")),
          ("pattern_fitted_in_initial_year", _set("patterns.1.year", 2021), ("patterns.1", "P2_graduates_employed_2021", "after 2021")),
          ("pattern_initial_of_a_later_year", _set("patterns.0.year", 2022), ("patterns.0", "P1_talent_stock_end_2022", "2021", "use: initial")),
          ("pattern_talent_stock_fitted", _set("patterns.0.use", "fitted"), ("patterns.0", "initial state only")),
          ("pattern_fitted_measure_as_initial", _set("patterns.1.use", "initial"), ("patterns.1", "write use: fitted")),
          ("pattern_band_without_width", _set("patterns.1.band", [115000, 115000]), ("patterns.1", "no width")),
          ("pattern_zero_with_tolerance", _output_per_project_of_zero, ("patterns.4", "no width")),
          ("pattern_beyond_any_city", _set("patterns.1.value", 1e12), ("patterns.1", "beyond any city", "graduates_employed")),
          ("tier_assumed_without_range", _drop_range_of_national_tier, ("tiers.national", "plausible range")),
          ("cluster_row_firms_zero", _set("clusters.rows.2.firms", 0), ("clusters.rows.2.firms", "greater than 0")),
          ("district_row_negative_rent", _set("districts.rows.1.rent_yuan", -1), ("districts.rows.1.rent_yuan",)),
          ("pattern_label", _set("patterns.1.pattern", "two"), ("patterns.1.pattern",)),
      ]],
    # ---- new platforms: named, and each name once
    *[run_case("{bad}", "--out", "{out}", id=f"new_platform_{name}", files=bad_file(OK + "levers: {platforms: {new_platforms: " + platforms + "}}\n"),
               expect=("bad.yaml", *expected))
      for name, platforms, expected in [
          ("without_id", "[{id: '', cluster: haiyan_nuclear}]", ("new_platforms.0.id", "name")),
          ("id_twice", "[{id: lab, cluster: haiyan_nuclear}, {id: lab, cluster: jiashan_ic}]", ("new_platforms.1.id", "'lab'")),
          ("id_of_a_region_platform", "[{id: flexible_electronics_institute, cluster: haiyan_nuclear}]",
           ("new_platforms.0.id", "flexible_electronics_institute")),
      ]],
    # ---- settings within their bounds that the region's initial state cannot be built with: refused at setup, as cleanly
    run_case("{ok}", "--set", "uncertainties.behaviour.project_jobs_end_2021=10000", "--out", "{out}", id="projects_larger_than_clusters",
             expect=("jiaxing", "project_jobs_end_2021", "leading_projects")),
    run_case("{ok}", "--set", "uncertainties.residents.background_mortality=0.05", "--out", "{out}", id="mortality_above_census",
             expect=("jiaxing", "crude death rate", "uncertainties.residents")),
    # ---- validate's arguments
    Case("validate_seeds_0", ("validate", "{ok}", "--seeds", "0", "--out", "{out}"), ("--seeds",)),
    Case("validate_scale_0", ("validate", "{ok}", "--scale", "0", "--out", "{out}"), ("--scale",)),
    Case("validate_no_observations", ("validate", "{bad}", "--out", "{out}"), ("region region.yaml", "observations"),
         files={"bad.yaml": "region: region.yaml\n" + SHORT_RUN, "region.yaml": region_with(_set("observations", []))}),
    Case("compare_different_regions", ("compare", "{ok}", "{tmp}/other.yaml", "--years", "2021", "--seeds", "1", "--workers", "0", "--out", "{out}"),
         ("other (region region.yaml)", "a comparison needs one region"),
         files={"other.yaml": "name: other\nregion: region.yaml\n" + SHORT_RUN,
                "region.yaml": region_with(_set("districts.rows.0.rent_yuan", 9999))}),
    # ---- Dask schedulers
    Case("scheduler_not_an_address", ("ensemble", "{ok}", "--seeds", "1", "--scheduler", "not an address", "--out", "{out}"), ("--scheduler", "not an address")),
    Case("scheduler_no_answer", ("ensemble", "{ok}", "--seeds", "1", "--scheduler", "tcp://127.0.0.1:9", "--out", "{out}"), ("--scheduler", "tcp://127.0.0.1:9")),
    Case("scheduler_env_not_an_address", ("ensemble", "{ok}", "--seeds", "1", "--out", "{out}"), ("DASK_SCHEDULER_ADDRESS",),
         env={"DASK_SCHEDULER_ADDRESS": "file:///etc/passwd"}),
    # ---- TLS to a scheduler: each file is read before anything is made
    *[Case(f"tls_{which}_missing", ("ensemble", "{ok}", "--seeds", "1", "--scheduler", "tls://127.0.0.1:9",
                                    f"--tls-{which}", "{tmp}/absent.pem", "--out", "{out}"), (f"--tls-{which}", "absent.pem", "file not found"))
      for which in ("ca-file", "cert", "key")],
    Case("tls_cert_a_folder", ("sweep", "{ok}", "--lever", "apartments_per_year=1:2:2", "--seeds", "1", "--scheduler", "tls://127.0.0.1:9",
                               "--tls-ca-file", "{tmp}", "--out", "{out}"), ("--tls-ca-file", "not a regular file")),
    Case("tls_cert_not_pem", ("compare", "{ok}", "{ok}", "--years", "2021", "--seeds", "1", "--scheduler", "tls://127.0.0.1:9",
                              "--tls-ca-file", "{bad}", "--tls-cert", "{bad}", "--out", "{out}"),
         ("--tls-ca-file, --tls-cert", "cannot be used together"), files=bad_file("not a certificate\n")),
    Case("tls_without_a_scheduler", ("ensemble", "{ok}", "--seeds", "1", "--tls-cert", "{bad}", "--out", "{out}"),
         ("--tls-cert", "--scheduler"), files=bad_file("x\n")),
    Case("tls_only_a_key", ("ensemble", "{ok}", "--seeds", "1", "--scheduler", "tls://127.0.0.1:9", "--tls-ca-file", "{bad}",
                            "--tls-key", "{bad}", "--out", "{out}"), ("--tls-cert", "distributed.comm.tls.client.cert"), files=bad_file("x\n")),
]


def _prepare(case: Case, tmp: Path) -> dict[str, str]:
    for name, text in case.files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
    (tmp / "ok.yaml").write_text(OK, encoding="utf-8")
    if case.special == "fifo":
        os.mkfifo(tmp / "bad.fifo")
    if case.special == "unreadable":
        (tmp / "bad.yaml").chmod(0)
        if os.access(tmp / "bad.yaml", os.R_OK):
            pytest.skip("this user reads files whatever their mode (root)")
    if case.special == "readonly":
        (tmp / "ro").mkdir()
        (tmp / "ro").chmod(0o555)
        if os.access(tmp / "ro", os.W_OK):
            pytest.skip("this user writes into folders whatever their mode (root)")
    return {"tmp": str(tmp), "out": str(tmp / "out"), "ok": str(tmp / "ok.yaml"), "bad": str(tmp / "bad.yaml")}


def _fill(arg: str, places: dict[str, str]) -> str:
    """The argument with its placeholders filled (not str.format: arguments may hold YAML braces)."""
    for key, value in places.items():
        arg = arg.replace("{" + key + "}", value)
    return arg


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _check_refusal(*, code: int, stderr: str, case: Case, tmp: Path, before: set[str], seconds: float) -> None:
    assert "Traceback" not in stderr, stderr
    assert code == 2, f"{case.id}: exit code {code}; stderr:\n{stderr}"
    for text in case.expect:
        assert text in stderr, f"{case.id}: {text!r} not in stderr:\n{stderr}"
    assert not (tmp / "out").exists(), f"{case.id}: the output folder was created"
    assert _tree(tmp) == before, f"{case.id}: files appeared: {sorted(_tree(tmp) - before)}"
    assert seconds < TIME_LIMIT_S, f"{case.id}: took {seconds:.1f} s"


def test_the_corpus_is_large_and_its_ids_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input_is_refused(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    places = _prepare(case, tmp_path)
    monkeypatch.chdir(tmp_path)  # whatever a wrongly accepted case writes by default lands here, and is seen
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    before = _tree(tmp_path)
    t0 = time.perf_counter()
    try:
        code = main([_fill(arg, places) for arg in case.args])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    seconds = time.perf_counter() - t0
    _check_refusal(code=code, stderr=capsys.readouterr().err, case=case, tmp=tmp_path, before=before, seconds=seconds)


@pytest.mark.parametrize("case_id", ["set_name_dotdot", "scenario_fifo", "set_python_tag", "deep_nesting_file"])
def test_hostile_input_is_refused_by_the_command(case_id: str, tmp_path: Path) -> None:
    """A few cases as a user meets them: the installed entry point in its own process."""
    case = next(c for c in CASES if c.id == case_id)
    places = _prepare(case, tmp_path)
    before = _tree(tmp_path)
    t0 = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "sim", *[_fill(a, places) for a in case.args]], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    _check_refusal(code=result.returncode, stderr=result.stderr, case=case, tmp=tmp_path, before=before,
                   seconds=time.perf_counter() - t0)


def test_a_schedule_the_run_never_reaches_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from sim.config import load_scenario

    scenario = tmp_path / "late.yaml"
    scenario.write_text(OK + "levers: {schedule: [{start: '2030-01', changes: {apartments_per_year: 9000}}]}\n", encoding="utf-8")
    warnings = load_scenario(scenario).warnings
    assert len(warnings) == 1 and "levers.schedule.0.start" in warnings[0] and "2030-01" in warnings[0]


def test_a_platform_that_opens_after_the_run_is_a_warning(tmp_path: Path) -> None:
    from sim.config import load_scenario

    scenario = tmp_path / "late.yaml"
    scenario.write_text(OK + "levers: {platforms: {new_platforms: [{id: late_lab, cluster: haiyan_nuclear, opens: '2030-01'}]}}\n",
                        encoding="utf-8")
    warnings = load_scenario(scenario).warnings
    assert len(warnings) == 1 and "levers.platforms.new_platforms.0.opens" in warnings[0] and "never opens" in warnings[0]


def _self_signed_pem(folder: Path) -> tuple[Path, Path]:
    """A certificate and its key, the certificate being its own authority."""
    import shutil

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=talentsim-test", "-days", "1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def test_tls_files_make_a_security_that_requires_encryption(tmp_path: Path) -> None:
    import ssl

    from sim.inputs import scheduler_security

    cert, key = _self_signed_pem(tmp_path)
    security = scheduler_security(ca_file=cert, cert=cert, key=key, address="tls://127.0.0.1:8786")
    assert (security.tls_ca_file, security.tls_client_cert, security.tls_client_key) == (str(cert), str(cert), str(key))
    assert security.require_encryption is True
    assert isinstance(security.get_connection_args("client")["ssl_context"], ssl.SSLContext)
    assert scheduler_security(ca_file=None, cert=None, key=None, address="tls://127.0.0.1:8786") is None


def test_tls_files_left_out_come_from_dasks_configuration(tmp_path: Path) -> None:
    import dask

    from sim.inputs import scheduler_security

    cert, key = _self_signed_pem(tmp_path)
    with dask.config.set({"distributed.comm.tls.ca-file": str(cert)}):
        security = scheduler_security(ca_file=None, cert=cert, key=key, address="tls://127.0.0.1:8786")
    assert security.tls_ca_file == str(cert)


def test_tls_needs_an_encrypted_address(tmp_path: Path, capsys) -> None:
    cert, key = _self_signed_pem(tmp_path)
    (tmp_path / "ok.yaml").write_text(OK, encoding="utf-8")
    code = main(["ensemble", str(tmp_path / "ok.yaml"), "--seeds", "1", "--scheduler", "tcp://127.0.0.1:9",
                 "--tls-ca-file", str(cert), "--tls-cert", str(cert), "--tls-key", str(key), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "--scheduler" in err and "tls://" in err
    assert not (tmp_path / "out").exists()


def test_the_study_client_is_given_the_tls_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Security built from the options reaches the client that runs the study (no cluster needed)."""
    import distributed

    cert, key = _self_signed_pem(tmp_path)
    seen = []

    class Refused(Exception):
        pass

    def client(address, **kwargs):
        seen.append((address, kwargs.get("security")))
        if len(seen) == 1:  # the check before the study: answer it
            return type("Answered", (), {"close": lambda self: None})()
        raise Refused()

    monkeypatch.setattr(distributed, "Client", client)
    (tmp_path / "ok.yaml").write_text(OK, encoding="utf-8")
    with pytest.raises(Refused):
        main(["ensemble", str(tmp_path / "ok.yaml"), "--seeds", "1", "--scheduler", "tls://127.0.0.1:8786", "--quiet",
              "--tls-ca-file", str(cert), "--tls-cert", str(cert), "--tls-key", str(key), "--out", str(tmp_path / "out")])
    assert [address for address, _ in seen] == ["tls://127.0.0.1:8786"] * 2
    for _, security in seen:
        assert (security.tls_ca_file, security.tls_client_cert, security.tls_client_key) == (str(cert), str(cert), str(key))
