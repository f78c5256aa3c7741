"""``drillsim scenarios`` and ``drillsim calibrate`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import ROOT
from drillsim.cli import main
from drillsim.scenario.library import ENVIRONMENT

GITHUB = ROOT / "data" / "github-status-incidents.csv"


@pytest.fixture
def cli(monkeypatch):
    """Invoke the CLI in-process with the checkout's library and a wide console."""
    monkeypatch.setenv(ENVIRONMENT, str(ROOT / "scenarios"))
    monkeypatch.setenv("COLUMNS", "200")

    def invoke(*args: str):
        return CliRunner().invoke(main, [str(a) for a in args])
    return invoke


def test_scenarios_list_shows_the_library_with_key_figures(cli):
    result = cli("scenarios", "list")
    assert result.exit_code == 0, result.output
    names = [p.stem for p in (ROOT / "scenarios").glob("*.yaml")]
    assert len(names) >= 10 and all(name in result.output for name in names)
    assert "The payment provider is down and checkout fails" in result.output
    assert "vendor" in result.output and "1 of 2" in result.output


def test_scenarios_show_gives_each_duration_and_the_workarounds(cli):
    result = cli("scenarios", "show", "website-outage")
    assert result.exit_code == 0, result.output
    assert "RTO 60 min · MTPD 8 h" in result.output
    assert "fix: repair" in result.output and "530" in result.output  # its p90
    assert "reroute-to-backup-site" in result.output and "improvised" in result.output
    missing = cli("scenarios", "show", "no-such-outage")
    assert missing.exit_code == 1 and "no-such-outage: no such file" in missing.output


def test_run_accepts_a_library_name(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # whatever a run writes beside it stays out of the checkout
    result = cli("run", "dns-misconfiguration", "-n", "300", "--seed", "2", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scenario"]["name"] == "dns-misconfiguration"


def test_calibrate_prints_the_fit_table_and_writes_a_snippet_validate_accepts(cli, tmp_path):
    snippet, plot = tmp_path / "fit.yaml", tmp_path / "qq.png"
    result = cli("calibrate", GITHUB, "--write-snippet", snippet, "--plot", plot)
    assert result.exit_code == 0, result.output
    for text in ("kept 779; dropped 18 maintenance windows, 22 zero-length", "lognormal",
                 "median 74.5 (68.8–80.6)", "σ 1.12 (1.07–1.18)", "weibull", "gamma",
                 "exponential", "lognormal fits best"):
        assert text in result.output
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "lognormal: {median: 74.46, sigma: 1.125}" in snippet.read_text()
    checked = cli("validate", snippet)
    assert checked.exit_code == 0, checked.output


def test_calibrate_matches_a_scenario_and_reports_simulated_beside_observed(cli, tmp_path):
    snippet = tmp_path / "matched.yaml"
    result = cli("calibrate", GITHUB, "--where", "impact=major,critical", "--scenario",
                 "payment-provider-outage", "-n", "500", "--write-snippet", snippet)
    assert result.exit_code == 0, result.output
    assert "653 left out by --where impact=major,critical" in result.output
    assert "time to mitigate from detection under fix-only" in result.output
    assert "observed (95% CI)" in result.output and "simulated" in result.output
    assert "provider-restores σ 1.13 →" in result.output and "Matched" in result.output
    assert cli("validate", snippet).exit_code == 0


def test_calibrate_errors_are_one_line(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("start,end\n2024-01-01T10:00Z,soon\n")
    result = cli("calibrate", bad)
    assert result.exit_code == 1
    assert result.output == f"Error: {bad}: row 2, column end: expected a date and time such as " \
                            "2024-05-01T14:03:00Z, found 'soon'\n"
    result = cli("calibrate", GITHUB, "--scenario", "website-outage", "--spread-phase", "verify")
    assert result.exit_code == 1 and result.output.splitlines()[-1].startswith(
        "Error: website-outage: no lognormal fix phase named 'verify'")


def test_an_empty_file_fails_in_one_line_without_a_traceback(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    done = subprocess.run([sys.executable, "-m", "drillsim", "calibrate", str(empty)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == f"Error: {empty}: the file is empty; expected a header row and one row " \
                          "per incident\n"
