"""What every command of the command line shares: exit codes, reading ``--set``, the checks made before
a scenario is read, and how errors and warnings are printed."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any, Sequence

EXIT_RUN_FAILED = 1
EXIT_BAD_INPUT = 2
NAME_LOOKUP = "./scenarios/NAME.yaml, else the packaged library"


def overrides(pairs: Sequence[str]) -> dict[str, Any]:
    from sim.errors import ConfigError
    from sim.inputs import parse_setting

    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise ConfigError(source="--set", problems=[f"{pair[:80]!r}: write NAME=VALUE, e.g. apartments_per_year=8000"])
        key, value = pair.split("=", 1)
        out[key.strip()] = parse_setting(value, key=key.strip()[:80])
    return out


def check_common(args: argparse.Namespace) -> Any:
    """What every command that writes results checks first, before reading a scenario: the output
    folder, the seeds, the size of the study and the scheduler with its TLS files (errors name the
    option). Returns the TLS settings for the scheduler, None when Dask's configuration decides."""
    import os

    from sim.inputs import MAX_WORKERS, check_output_folder, check_scheduler, check_seed, check_study_size, scheduler_security

    check_output_folder(args.out)
    check_seed(getattr(args, "seed", None), option="--seed")
    check_seed(getattr(args, "root_seed", None), option="--root-seed")
    if getattr(args, "seeds", None) is not None:
        check_study_size(seeds=args.seeds)
    if getattr(args, "workers", None) is not None and not 0 <= args.workers <= MAX_WORKERS:
        raise config_error("--workers", f"must be 0 (serial) or a number of worker processes up to {MAX_WORKERS:,}")
    if getattr(args, "dashboard", False) and importlib.util.find_spec("bokeh") is None:
        raise config_error("--dashboard", "the Dask dashboard needs bokeh, which is not installed: "
                                           "pip install 'talentsim[dashboard]' (or run without --dashboard)")
    if hasattr(args, "scheduler"):
        from sim.ensemble import SCHEDULER_ENV

        address = args.scheduler or os.environ.get(SCHEDULER_ENV)
        security = scheduler_security(ca_file=args.tls_ca_file, cert=args.tls_cert, key=args.tls_key, address=address)
        if address:
            check_scheduler(address, option="--scheduler" if args.scheduler else f"${SCHEDULER_ENV}", security=security)
        return security
    return None


def config_error(source: str, problem: str) -> Exception:
    from sim.errors import ConfigError

    return ConfigError(source=source, problems=[problem])


def path_option(text: str) -> Path:
    """A path given to an option; an empty one (an unset shell variable, say) is refused rather than read as the current
    folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty: give a path")
    return Path(text)


def warn_other_runs(specs: Any, *, study_dir: Any) -> None:
    """Warn when a study's folder also holds complete runs of other settings: its runs/ tables, read whole, mix them."""
    from sim.ensemble import other_complete_runs

    others = other_complete_runs(specs, study_dir=study_dir)
    if others:
        print(f"talentsim: warning: {study_dir} also holds {others:,} complete run{'s' * (others != 1)} of other settings, from an "
              f"earlier study there; its runs/ tables read whole mix them with this study's (runs.parquet lists this study's "
              f"runs, and the summary counts only them): give another --out to keep studies apart", file=sys.stderr)


def warn_ranges(scenario: Any, names: Any, *, study: str) -> None:
    """Warn when the scenario's own values of sampled parameters lie outside the ranges the study samples."""
    from sim.xlrm import outside_ranges

    outside = outside_ranges(scenario, list(names))
    if outside:
        print(f"talentsim: warning: {scenario.name} has {len(outside)} of the parameters this {study} samples outside the ranges it "
              f"samples them over, the declared ranges of talentsim params, which are Jiaxing's: {'; '.join(outside)}. The "
              "study explores a city of other sizes than this one (docs/regions.md)", file=sys.stderr)


def warn(scenario: Any) -> None:
    for warning in scenario.warnings:
        print(f"talentsim: warning: {warning}", file=sys.stderr)


def compared_scenarios(args: argparse.Namespace) -> list[Any]:
    """The scenarios of ``compare`` and ``report compare``, with ``--set`` applied and their warnings shown, after
    ``--name`` and ``--years`` are checked (errors name the option)."""
    from sim.compare import check_years
    from sim.config import load_scenario
    from sim.inputs import check_slug

    if args.name is not None:
        try:
            check_slug(args.name)
        except ValueError as exc:
            raise config_error("--name", str(exc)) from None
    given = overrides(args.overrides) or None
    scenarios = [load_scenario(s, overrides=given) for s in args.scenarios]
    for scenario in scenarios:
        warn(scenario)
    try:
        check_years(scenarios, args.years)
    except ValueError as exc:
        raise config_error("--years", str(exc)) from None
    return scenarios


def report_failures(failures: Sequence[dict[str, Any]], *, folder: Any, consequence: str = "") -> None:
    """The first ten failed runs of a study on stderr, with where their records are."""
    print(f"{len(failures)} runs failed (records in {folder / 'failures'}){consequence}:", file=sys.stderr)
    for f in failures[:10]:
        print(f"  {f['run_id']} (seed {f['seed']}, {f['point_label']}): {f['error']}", file=sys.stderr)


def fail(message: str, *, code: int = EXIT_BAD_INPUT) -> int:
    print(f"talentsim: error: {message}", file=sys.stderr)
    return code
