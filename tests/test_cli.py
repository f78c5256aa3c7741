"""The command line, run as a user would: real processes, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, WEBSITE

CONTRACT_METRICS = ("customer_impact_minutes", "customers_affected", "time_to_detect",
                    "time_to_mitigate", "time_to_restore")


def drillsim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The command as a user runs it; runs are not recorded (the store has its own tests)."""
    store = ("--no-store",) if args[0] == "run" else ()
    return subprocess.run([sys.executable, "-m", "drillsim", *args, *store], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def report() -> dict:
    done = drillsim("run", str(WEBSITE), "-s", "fix-only", "-s", "fix-plus-workaround",
                    "-n", "2000", "--seed", "7", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_json_has_the_contract_shape(report):
    assert report["seed"] == 7 and report["replications"] == 2000
    assert report["scenario"]["name"] == "website-outage"
    for name in ("fix-only", "fix-plus-workaround"):
        entry = report["strategies"][name]
        for metric in CONTRACT_METRICS:
            assert {"mean", "median", "p90", "p95", "p99", "mean_ci95"} <= set(entry[metric])
        assert 0 <= entry["rto_met_share"] <= 1
    first = report["comparisons"][0]
    assert {"baseline", "strategy", "metric", "mean_difference", "ci95", "win_share"} <= set(first)
    assert first["baseline"] == "fix-only" and first["strategy"] == "fix-plus-workaround"


def test_json_carries_null_never_nan_and_no_interval_from_too_few():
    done = drillsim("run", str(WEBSITE), "-s", "fix-only", "-n", "100", "--seed", "1", "--json")
    assert "NaN" not in done.stdout
    cim = json.loads(done.stdout)["strategies"]["fix-only"]["customer_impact_minutes"]
    assert cim["p99_ci95"] is None and cim["median_ci95"] is not None  # p99 needs n ≥ 367


def test_continuity_first_wins_on_the_website_outage(report):
    cim = next(c for c in report["comparisons"] if c["metric"] == "customer_impact_minutes")
    assert cim["ci95"][1] < 0 and cim["reduction_ci95"][0] > 0.3
    assert "cuts mean customer-impact minutes" in report["headline"][0]


def test_table_output_and_headline():
    done = drillsim("run", str(WEBSITE), "-n", "1000", "--seed", "3")
    assert done.returncode == 0
    assert "Customer-impact minutes" in done.stdout
    assert "fix-plus-workaround cuts mean customer-impact minutes by" in done.stdout


def test_same_json_on_one_and_two_workers():
    args = ("run", str(WEBSITE), "-s", "fix-plus-workaround", "-n", "1500", "--seed", "9",
            "--json")
    one = json.loads(drillsim(*args, "--workers", "1").stdout)
    two = json.loads(drillsim(*args, "--workers", "2").stdout)
    assert one["strategies"] == two["strategies"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_out_writes_one_row_per_replication_and_strategy(tmp_path, suffix):
    out = tmp_path / f"rows{suffix}"
    done = drillsim("run", str(WEBSITE), "-n", "300", "--seed", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    assert len(frame) == 600 and set(frame["strategy"]) == {"fix-only", "fix-plus-workaround"}
    assert not list(tmp_path.glob(".rows*"))  # no temporary left behind


def bad_inputs(tmp: Path) -> dict[str, Path]:
    text = WEBSITE.read_text()
    files = {
        "syntax": "name: [unclosed\n",
        "empty": "",
        "typo": text.replace("responders: 2", "responderz: 2"),
        "negative": text.replace("median: 40, p90: 190", "median: -40, p90: 190"),
        "probability": text.replace("success_probability: 0.8", "success_probability: 1.8"),
    }
    for name, content in files.items():
        (tmp / f"{name}.yaml").write_text(content)
    return {name: tmp / f"{name}.yaml" for name in files}


def test_bad_input_is_one_clear_line_and_a_non_zero_exit(tmp_path):
    for name, path in bad_inputs(tmp_path).items():
        done = drillsim("run", str(path), "-n", "10")
        assert done.returncode != 0, name
        assert "Traceback" not in done.stderr, name
        assert done.stderr.startswith(f"Error: {path}"), (name, done.stderr)
        assert done.stdout == ""


def test_unknown_strategy_and_bad_out(tmp_path):
    done = drillsim("run", str(WEBSITE), "-s", "fix-first", "-n", "10")
    assert done.returncode != 0 and "unknown strategy 'fix-first'" in done.stderr
    assert "Traceback" not in done.stderr
    done = drillsim("run", str(WEBSITE), "-n", "10", "--out", str(tmp_path / "rows.xlsx"))
    assert done.returncode != 0 and ".csv or .parquet" in done.stderr


def test_validate_checks_each_file(tmp_path):
    bad = bad_inputs(tmp_path)
    done = drillsim("validate", str(WEBSITE), str(bad["typo"]))
    assert done.returncode == 1
    assert "ok  " in done.stdout and "website-outage" in done.stdout
    assert "team.responderz: unknown field" in done.stderr
    assert drillsim("validate", str(WEBSITE)).returncode == 0


def test_strategies_lists_the_built_ins():
    done = drillsim("strategies")
    for name in ("fix-only", "fix-plus-workaround", "workaround-first", "escalate-after"):
        assert name in done.stdout
