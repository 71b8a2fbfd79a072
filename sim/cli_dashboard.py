"""``talentsim dashboard``: the lever explorer in the browser (:mod:`sim.dashboard`), served on this machine."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from sim.cli_common import NAME_LOOKUP, config_error, path_option

DEFAULT_PORT = 8765


def add_dashboard_parser(sub: argparse._SubParsersAction) -> None:
    dash = sub.add_parser("dashboard", help="explore the levers in the browser: run them against a base scenario and save them as a scenario")
    dash.add_argument("scenario", nargs="?", default="baseline", help=f"the base scenario, file (YAML) or name ({NAME_LOOKUP}); default baseline")
    dash.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this machine only)")
    dash.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to serve on (default {DEFAULT_PORT})")
    dash.add_argument("--out", type=path_option, default=Path("outputs"), help="output folder; the runs go to OUT/dashboard/<scenario>/ (default: outputs)")
    dash.add_argument("--save-dir", type=path_option, default=Path("scenarios"),
                      help="folder that 'save as scenario' writes to (default: scenarios, where names are looked up first)")
    dash.add_argument("--workers", type=int, help="worker processes for the runs (default: one per core; 0 = one thread of the server)")
    dash.add_argument("--scale", type=int, default=100, help="starting scale, persons per skilled-tier agent (default 100)")
    dash.add_argument("--seeds", type=int, default=8, help="starting number of seeds per scenario (default 8)")
    dash.add_argument("--lang", choices=("zh", "en"), default="zh", help="starting language of the page (default: zh)")
    dash.add_argument("--no-warm", action="store_true", help="do not start the workers and the base's runs before the first page asks")


def dashboard_command(args: argparse.Namespace) -> int:
    from sim.errors import ConfigError
    from sim.inputs import check_output_folder

    if importlib.util.find_spec("solara") is None or importlib.util.find_spec("uvicorn") is None:
        raise config_error("talentsim dashboard", "the lever explorer needs Solara, which is not installed: "
                                                   "pip install 'talentsim[dashboard]'")
    from sim.dashboard import context
    from sim.dashboard.scenario import load_base
    from sim.dashboard.server import bind_problem, is_loopback, missing_assets, prepare_environment, serve

    if not 1 <= args.port <= 65535:
        raise config_error("--port", f"{args.port}: must be a port number between 1 and 65535")
    if args.scale not in context.SCALES:
        raise config_error("--scale", f"{args.scale}: the page offers scales {', '.join(map(str, context.SCALES))}")
    if not 2 <= args.seeds <= context.MAX_SEEDS:
        raise config_error("--seeds", f"{args.seeds}: must be between 2 and {context.MAX_SEEDS} (intervals need two seeds)")
    if args.workers is not None and not 0 <= args.workers <= 64:
        raise config_error("--workers", f"{args.workers}: must be 0 (a thread of the server) or up to 64 worker processes")
    check_output_folder(args.out)
    try:
        check_output_folder(args.save_dir)
    except ConfigError as exc:  # the same checks, named after this option
        raise ConfigError(source="--save-dir", problems=exc.problems) from None
    base = load_base(args.scenario)
    problem = bind_problem(args.host, args.port)
    if problem:
        raise config_error(*problem)
    prepare_environment()
    missing = missing_assets()
    if missing:
        raise config_error("talentsim dashboard", f"the page's files {', '.join(missing)} are not on this machine, and the page "
                                                   "must not fetch them from the internet: pip install 'talentsim[dashboard]' "
                                                   "(solara-assets, with ipyvue and ipyvuetify before version 3)")
    from sim.dashboard.runs import RunPool

    for warning in base.scenario.warnings:
        print(f"talentsim: warning: {warning}", file=sys.stderr)
    workers = (os.cpu_count() or 1) if args.workers is None else args.workers
    explorer = context.Explorer(base=base, pool=RunPool(workers=workers), runs_dir=args.out / "dashboard" / base.scenario.name,
                                save_dir=args.save_dir, lang=args.lang, scale=args.scale, seeds=args.seeds)
    context.configure(explorer)
    if not args.no_warm:
        explorer.warm()
    if not is_loopback(args.host):
        print(f"talentsim: warning: serving on {args.host}, reachable from other machines; the page has no login", file=sys.stderr)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"scenario: {base.scenario.found.describe()}")
    print(f"lever explorer at http://{shown}:{args.port}/ (Ctrl-C stops it); runs in {explorer.runs_dir}, "
          f"scenarios saved to {args.save_dir}", flush=True)
    try:
        serve(host=args.host, port=args.port)
    finally:
        explorer.pool.close()
    return 0
