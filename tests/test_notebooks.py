"""The analyst notebooks: committed without outputs, and run top to bottom on a real kernel.

Every notebook in ``notebooks/`` ends with a code cell that prints its findings as one JSON
object. ``CHECKS`` maps each notebook to a function that asserts claims about those findings —
claims that could fail, not only "it ran". A new notebook plugs in with one entry there.

The notebooks read ``DRILLSIM_NOTEBOOK_REPLICATIONS`` for their replication counts; the tests set
it small so the whole set runs in well under two minutes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REPLICATIONS = 2000
TIMEOUT = 120  # seconds for a whole notebook, kernel start included


def check_quickstart(found: dict[str, Any]) -> None:
    assert found["replications"] == REPLICATIONS  # the notebook honoured the environment
    low, high = found["website_cim_reduction_ci95"]
    assert 0 < low <= found["website_cim_reduction"] <= high, "the workaround should clearly pay"
    assert found["website_win_share"] > 0.5
    assert 0 < found["website_loss_share"] < 0.5, "it should lose sometimes, and say so"
    rto = found["website_rto_met"]
    assert rto["fix-plus-workaround"] > rto["fix-only"]
    nb_low, nb_high = found["no_backup_cim_reduction_ci95"]
    assert 0 < nb_low <= found["no_backup_cim_reduction"] <= nb_high
    assert nb_high < low, "without a backup site the gain should be clearly smaller"
    assert found["no_backup_loss_share"] > found["website_loss_share"]
    # With nothing rehearsed to try, the custom strategy is fix-only on every outage.
    assert found["rehearsed_only_no_backup_tie_share"] == 1.0
    assert found["rehearsed_only_cim_reduction"]["no backup site"] == 0.0
    assert 0 < found["rehearsed_only_cim_reduction"]["with backup site"] <= found["website_cim_reduction"]


def check_staffing(found: dict[str, Any]) -> None:
    assert found["replications"] == REPLICATIONS
    assert found["quarters"] == max(50, REPLICATIONS // 10)
    assert len(found["scenarios"]) >= 3
    assert any(s.startswith("escalate-after:") for s in found["strategies"])
    paired = {(r["scenario"], r["strategy"]): r for r in found["paired"]}
    others = [s for s in found["strategies"] if s != "fix-only"]
    assert set(paired) == {(sc, s) for sc in found["scenarios"] for s in others}
    for r in found["paired"]:
        assert r["low"] <= r["reduction"] <= r["high"]
        assert r["verdict"] == ("better" if r["low"] > 0 else "worse" if r["high"] < 0 else "within noise")
        assert abs(r["better"] + r["tied"] + r["worse"] - 1) < 1e-9
    web = paired["website-outage", "fix-plus-workaround"]
    assert web["low"] > 0, "the continuity-first gain on the website outage should exclude 0"
    for scenario, best in found["best"].items():  # the commentary names the table's best
        rows = [r for r in found["paired"] if r["scenario"] == scenario]
        assert best["strategy"] == max(rows, key=lambda r: r["reduction"])["strategy"]
    # The custom strategy: registered, run by name on the same draws; a 30-minute box costs.
    assert found["custom_registered"] and found["custom_same_draws"]
    boxed = [r for r in found["custom_vs_fix_plus_workaround"] if r["strategy"].endswith("minutes=30")]
    assert {r["scenario"] for r in boxed} == set(found["scenarios"])
    website_box = next(r for r in boxed if r["scenario"] == "website-outage")
    assert website_box["high"] < 0, "abandoning the workaround after 30 minutes should cost"
    # The quarter, and the crossover search consistent with the table it printed.
    low, high = found["quarter_reduction_ci95"]
    assert 0 < low <= found["quarter_reduction"] <= high
    factors = found["sweep_rate_factors"]
    assert set(found["stops_paying_at"]) == {str(t) for t in found["sweep_teams"]}
    for team, stop in found["stops_paying_at"].items():
        rows = [r for r in found["sweep"] if r["responders"] == int(team)]
        assert [r["rate_factor"] for r in rows] == factors[:len(rows)]
        assert all(bool(r["pays"]) == (r["low"] > 0) for r in rows)
        assert all(r["pays"] for r in rows[:-1]), "the search should stop where it stops paying"
        if stop is None:
            assert rows[-1]["pays"] and len(rows) == len(factors)
        else:
            assert not rows[-1]["pays"] and rows[-1]["rate_factor"] == stop
    alone = [r for r in found["sweep"] if r["responders"] == 1]
    assert found["stops_paying_at"]["1"] == 1 and alone[0]["tie_share"] == 1.0, "nobody to send"
    assert found["stops_paying_at"]["4"] != 1, "the file's team should gain at the file's rates"


def check_calibration(found: dict[str, Any]) -> None:
    assert found["replications"] == REPLICATIONS
    assert found["kept"] + sum(found["dropped"].values()) + found["filtered"] == found["rows"]
    assert found["pandas_kept"] == found["kept"]
    assert found["dropped"]["maintenance windows"] > 0 and found["dropped"]["zero-length"] > 0
    fits = found["fits"]
    assert sorted(f["family"] for f in fits) == ["exponential", "gamma", "lognormal", "weibull"]
    assert [f["aic"] for f in fits] == sorted(f["aic"] for f in fits)
    assert found["best_family"] == fits[0]["family"] == "lognormal"
    assert fits[1]["aic"] - fits[0]["aic"] > 10, "the lognormal should win decisively"
    assert 70 <= found["lognormal_median"] <= 80
    assert 1.05 <= found["lognormal_sigma"] <= 1.2
    low, high = found["lognormal_median_ci95"]
    assert low < found["lognormal_median"] < high
    assert "median" in found["fitted_inside_ci"]["lognormal"]
    match = found["match"]
    assert (match["strategy"], match["target"]) == ("fix-only", "time_to_mitigate")
    assert match["matched"]
    for simulated, (low, high) in zip(match["simulated"], match["observed_ci95"], strict=True):
        assert low <= simulated <= high
    assert match["scale"] < 1, "GitHub's incidents should be shorter than the scenario's defaults"
    assert not found["wrong_strategy_match"]["matched"], "a fast workaround caps time to mitigate"
    comparison = found["comparison"]
    written, matched = comparison["as written"], comparison["matched"]
    slow = comparison["matched fix, workarounds as written"]
    assert matched["fix-plus-workaround"]["ci95"][0] > 0
    assert matched["fix-plus-workaround"]["fix_only_mean"] < written["fix-plus-workaround"]["fix_only_mean"]
    assert found["fix_only_same_on_matched_variants"]
    assert slow["fix-plus-workaround"]["fix_only_mean"] == matched["fix-plus-workaround"]["fix_only_mean"]
    assert slow["fix-plus-workaround"]["reduction"] < matched["fix-plus-workaround"]["reduction"]
    for change in (*found["reduction_change_matched_vs_written"].values(),
                   found["reduction_change_written_pace_vs_matched"]):
        assert change["ci95"][0] <= change["change"] <= change["ci95"][1]


CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "01-quickstart.ipynb": check_quickstart,
    "02-staffing-strategies.ipynb": check_staffing,
    "03-calibrate-from-history.ipynb": check_calibration,
}


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def test_every_notebook_has_a_check():
    names = {p.name for p in NOTEBOOKS}
    assert names, "no notebooks found"
    assert names == set(CHECKS), (f"notebooks without a check: {sorted(names - set(CHECKS))}; "
                                  f"checks without a notebook: {sorted(set(CHECKS) - names)}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_committed_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, (f"{path.name}: code cells {dirty} carry outputs or execution counts; "
                       "clear all outputs before committing")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_and_finds(path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DRILLSIM_NOTEBOOK_REPLICATIONS", str(REPLICATIONS))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}})
    try:
        asyncio.run(asyncio.wait_for(client.async_execute(), TIMEOUT))
    except TimeoutError:
        pytest.fail(f"{path.name} took longer than {TIMEOUT} s")
    CHECKS[path.name](_findings(nb))


def _findings(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The JSON object printed by the notebook's last code cell."""
    last = [cell for cell in nb.cells if cell.cell_type == "code"][-1]
    text = "".join(out.get("text", "") for out in last.outputs
                   if out.output_type == "stream" and out.name == "stdout")
    try:
        found = json.loads(text)
    except json.JSONDecodeError:
        pytest.fail(f"the last code cell should print its findings as JSON; it printed {text!r}")
    assert isinstance(found, dict)
    return found
