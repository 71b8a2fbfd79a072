"""The lever explorer, ``talentsim dashboard``: its lever settings, the scenario file it saves, its refusals, and
the page itself driven in a headless Chromium (change a lever, run, read the numbers and charts, save, and the saved
file reproduces the numbers through ``talentsim compare``) with no request leaving 127.0.0.1."""

from __future__ import annotations

import csv
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.config import load_scenario, parameter_table
from sim.dashboard.levers import changed, format_yuan, in_force, lever_settings
from sim.dashboard.runs import RunPool
from sim.dashboard.scenario import explored_scenario, load_base, save_scenario, scenario_data
from sim.dashboard.text import SETTINGS
from sim.ensemble import specs_for_scenarios, staging_folder

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "toyville_scenario.yaml"
TITLE = {"en": "Explored", "zh": "探索"}
DESCRIPTION = {"en": "test", "zh": "测试"}


# ---------------------------------------------------------------- levers and saved scenarios
def test_every_numeric_lever_setting_is_shown_with_words_in_both_languages() -> None:
    numeric = {tuple(r["name"].split(".")[1:]) for r in parameter_table()
               if r["name"].startswith("levers.") and isinstance(r["default"], (int, float)) and not isinstance(r["default"], bool)}
    assert set(SETTINGS) == numeric
    assert all(en and zh and unit for en, zh, unit in SETTINGS.values())


def test_sliders_span_the_base_value_on_their_grid_within_the_valid_bounds() -> None:
    base = load_base("baseline").scenario
    for s in lever_settings(base, month="2025-01"):
        assert s.valid[0] <= s.low <= s.base <= s.high <= s.valid[1], s
        assert abs((s.base - s.low) / s.step - round((s.base - s.low) / s.step)) < 1e-6, s
        assert (s.high - s.low) / s.step <= 5000, s
        assert (s.high - s.low) / s.step >= 20 or s.step == 1 and s.kind == "integer", s
        if s.declared_range:
            assert s.low <= s.declared_range[0] and s.high >= s.declared_range[1], s


def test_money_reads_in_the_units_of_each_language() -> None:
    assert format_yuan(3.0e9, "zh") == "30 亿元" and format_yuan(3.0e9, "en") == "3 bn yuan"
    assert format_yuan(2.0e4, "zh") == "2 万元" and format_yuan(2.0e4, "en") == "20,000 yuan"


def _explore(base, *, changes: dict, month: str, name: str = "explored"):
    data = scenario_data(base.scenario, name=name, title=TITLE, description=DESCRIPTION, changes=changes, month=month)
    return data, explored_scenario(base.scenario, data)


def test_saved_scenario_extends_the_base_and_reads_back_as_the_scenario_run(tmp_path: Path) -> None:
    base = load_base("baseline")
    settings = lever_settings(base.scenario, month="2025-01")
    changes = changed(settings, {"levers.housing.apartments_per_year": 9000.0, "levers.skills.trainees_per_year": 30000.0})
    data, explored = _explore(base, changes=changes, month="2025-01", name="more_homes")
    path = save_scenario(base=base, data=data, explored=explored, folder=tmp_path, comment="a test")
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert written["extends"] == "baseline.yaml"
    assert written["levers"]["schedule"] == [{"start": "2025-01", "changes": {"housing.apartments_per_year": 9000.0,
                                                                              "skills.trainees_per_year": 30000.0}}]
    saved = load_scenario(path)
    assert saved.levers == explored.levers and saved.levers != base.scenario.levers
    levers_2026 = in_force(saved, month="2026-01")
    assert (levers_2026.housing.apartments_per_year, in_force(saved, month="2024-01").housing.apartments_per_year) == (9000, 6000)
    with pytest.raises(FileExistsError):
        save_scenario(base=base, data=data, explored=explored, folder=tmp_path, comment="again")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["more_homes.yaml"]


def test_changes_from_the_first_month_set_the_levers_and_keep_a_region_file_found(tmp_path: Path) -> None:
    base = load_base(str(TOY))
    data, explored = _explore(base, changes={"levers.housing.apartments_per_year": 400.0}, month=base.scenario.run.start)
    path = save_scenario(base=base, data=data, explored=explored, folder=tmp_path / "elsewhere", comment="")
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert written["levers"] == {"housing": {"apartments_per_year": 400.0}}
    assert (path.parent / written["extends"]).resolve() == TOY.resolve()
    assert load_scenario(path).load_region() == base.scenario.load_region()


def test_a_base_with_a_time_path_keeps_it_and_the_change_comes_after(tmp_path: Path) -> None:
    base = load_base("housing_plus100")
    assert [s.base for s in lever_settings(base.scenario, month="2027-01") if s.setting == "apartments_per_year"] == [12000]
    data, explored = _explore(base, changes={"levers.housing.apartments_per_year": 15000.0}, month="2027-01")
    saved = load_scenario(save_scenario(base=base, data=data, explored=explored, folder=tmp_path, comment=""))
    assert [c.start for c in saved.levers.schedule] == ["2025-01", "2027-01"]
    paths = dict(saved.levers.time_path())
    assert (paths["2025-01"].housing.apartments_per_year, paths["2027-01"].housing.apartments_per_year) == (12000, 15000)
    assert paths["2027-01"].housing.budget_yuan_per_year == 6.0e9


def test_a_dead_worker_leaves_later_runs_new_workers() -> None:
    pool = RunPool(workers=1)
    try:
        with pytest.raises(BrokenProcessPool):
            pool._submit(os._exit, 3).result(timeout=60)  # a worker killed mid-run, as by the kernel's out-of-memory killer
        assert pool._submit(abs, -4).result(timeout=60) == 4
    finally:
        pool.close()


def test_a_worker_killed_while_writing_leaves_no_temporary_once_runs_go_on(tmp_path: Path, monkeypatch) -> None:
    from ensemble_tasks import worker_killed_while_writing_task

    specs = specs_for_scenarios([load_scenario(TOY, overrides={"run.end": "2022-06"})], seeds=2)
    monkeypatch.setenv("TALENTSIM_KILL_SEED", str(specs[0].seed))  # the first attempt at that run dies mid-write
    study = tmp_path / "study"
    pool = RunPool(workers=1)
    try:
        with pytest.raises(BrokenProcessPool):
            pool.submit(specs[:1], study_dir=study, task=worker_killed_while_writing_task)[specs[0].run_id].result(timeout=120)
        assert list(staging_folder(study).glob(".*.tmp")), "the worker left no temporary"
        futures = pool.submit(specs, study_dir=study, task=worker_killed_while_writing_task)
        assert [f.result(timeout=300)["status"] for f in futures.values()] == ["done", "done"]
    finally:
        pool.close()
    assert list(study.rglob(".*.tmp")) == []
    assert sorted(p.stem for p in (study / "runs" / "_done").glob("*.json")) == sorted(s.run_id for s in specs)


# ---------------------------------------------------------------- the command's refusals
def _talentsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("args, expected", [
    (["--port", "70000"], "--port"), (["--scale", "7"], "--scale"), (["--seeds", "1"], "--seeds"),
    (["--workers", "-1"], "--workers"), (["no_such_scenario"], "no_such_scenario"),
])
def test_bad_options_stop_with_a_message_and_serve_nothing(tmp_path: Path, capsys, args: list[str], expected: str) -> None:
    code = main(["dashboard", *args, "--out", str(tmp_path / "out"), "--save-dir", str(tmp_path / "scen")])
    assert code == 2 and expected in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and not (tmp_path / "scen").exists()


def test_a_port_in_use_is_refused(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _talentsim("dashboard", "--port", str(port), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2 and "in use" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_the_page_needs_no_asset_from_the_internet(monkeypatch) -> None:
    pytest.importorskip("solara")
    from sim.dashboard.server import SOLARA_ENVIRONMENT, missing_assets

    for key, value in SOLARA_ENVIRONMENT.items():
        monkeypatch.setenv(key, value)
    assert missing_assets() == []


# ---------------------------------------------------------------- the page in a browser
def chromium() -> str | None:
    """A Chromium or Chrome on this machine (Debian's package is ``chromium``), or None."""
    for name in (os.environ.get("TALENTSIM_CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = name and shutil.which(name)
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _number(text: str) -> float:
    """The first signed number of a text such as 'Difference to the base: +1,234; 95% interval ...'."""
    return float(re.search(r"[+-]?[\d,]+(?:\.\d+)?", text.split(":", 1)[1]).group(0).replace(",", ""))


@pytest.fixture
def dashboard(tmp_path: Path):
    """The page's address, served from a subprocess on a free port, with the toy region as its base; and the folder."""
    if chromium() is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium; or set TALENTSIM_CHROMIUM)")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sim", "dashboard", str(TOY), "--port", str(port), "--out", str(tmp_path / "out"),
         "--save-dir", str(tmp_path / "scen"), "--scale", "100", "--seeds", "2", "--workers", "2", "--lang", "en"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"the server stopped: {server.stdout.read()}")
            time.sleep(0.3)
    try:
        yield f"http://127.0.0.1:{port}/", tmp_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.slow
def test_the_page_runs_the_levers_and_saves_a_scenario_that_compare_reproduces(dashboard) -> None:
    browser_path = chromium()
    from playwright import sync_api as playwright  # in the test extra: a missing one is a broken environment, not a skip
    url, folder = dashboard
    outside, failed = [], []

    def local_only(route) -> None:
        if re.match(r"^(https?|wss?)://127\.0\.0\.1[:/]", route.request.url) or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.route("**/*", local_only)
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(url)
        page.wait_for_selector(".ts-run", timeout=60_000)

        def set_lever(css: str, value: str) -> None:
            box = page.locator(f".ts-lever-{css} .ts-input input")
            box.fill(value)
            box.press("Enter")

        def run() -> tuple[str, bytes]:
            page.locator(".ts-run").click()
            page.wait_for_selector(".ts-diff", timeout=60_000)
            page.wait_for_function("() => !document.querySelector('.ts-stale')", timeout=60_000)
            chart = page.locator(".ts-chart-compare_trajectories")
            chart.wait_for(timeout=60_000)
            return page.locator(".ts-diff").inner_text(), chart.screenshot()

        set_lever("housing-apartments_per_year", "400")
        first, first_chart = run()
        set_lever("housing-apartments_per_year", "2000")
        page.wait_for_selector(".ts-stale", timeout=10_000)  # the results say they no longer match the levers
        second, second_chart = run()
        assert _number(first) != _number(second) and first_chart != second_chart
        assert page.locator(".ts-chart-spending").is_visible()

        page.locator(".ts-save-name input").fill("toy_more_homes")
        page.locator(".ts-save-name input").press("Enter")
        page.locator(".ts-save").click()
        message = page.locator(".ts-save-message")
        message.wait_for(timeout=20_000)
        command = re.search(r"talentsim compare .*", message.inner_text()).group(0).split()
        assert command[2:] == [str(TOY), str(folder / "scen" / "toy_more_homes.yaml"), "--seeds", "2", "--scale", "100", "--years", "2024"]

        page.locator(".ts-lang").click()
        page.wait_for_selector("text=与基准之差", timeout=20_000)
        browser.close()
    assert not outside, f"requests that left 127.0.0.1: {outside}"
    assert not failed, f"requests that failed: {failed}"

    saved = folder / "scen" / "toy_more_homes.yaml"
    assert load_scenario(saved).levers.housing.apartments_per_year == 2000
    # the command the page gave, in this process (the same parser and code as a shell's talentsim)
    assert main(["compare", str(TOY), str(saved), "--seeds", "2", "--scale", "100", "--years", "2024", "--workers", "0",
                 "--no-charts", "--quiet", "--out", str(folder / "cmp")]) == 0
    (table,) = (folder / "cmp" / "compare").glob("*/comparison.csv")
    with table.open(encoding="utf-8-sig") as fh:
        row = next(r for r in csv.DictReader(fh) if r["point"] == "1" and r["cluster"] == "city_total" and r["year"] == "2024")
    assert round(float(row["diff_mean"])) == _number(second)
