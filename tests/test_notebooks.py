"""The analyst notebooks: committed without outputs, and run top to bottom on a real kernel.

Every notebook in ``notebooks/`` ends with a code cell that prints its findings as one JSON
object. ``CHECKS`` maps each notebook to a function that asserts claims about those findings —
claims that could fail, not only "it ran". A new notebook plugs in with one entry there.

The notebooks read ``DRILLSIM_NOTEBOOK_REPLICATIONS`` for their replication counts; the tests set
it small so the whole set runs in well under two minutes. A parameterised notebook (one code cell
tagged ``parameters``, papermill style) gets its ``PARAMETERS`` injected in a cell right after that
one, as papermill does, and reports the parameters it ran with in its findings.
"""

from __future__ import annotations

import asyncio
import html
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
REPORT_QUARTER = "2026Q3"  # not the recipe's own quarter: the notebook must take the parameter


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


def check_sensitivity(found: dict[str, Any]) -> None:
    assert found["replications"] == REPLICATIONS
    assert found["scan_replications"] == max(500, REPLICATIONS // 2)
    assert set(found["scenarios"]) == {"website-outage", "database-corruption"}
    for name in found["scenarios"]:
        assert found["as_written"][name]["ci95"][1] < 0, f"{name}: the workaround should pay as written"
        # The tornado: the top factor is one of the fields tried, ranked by swing; no move reverses.
        tornado = found["tornado"][name]
        assert tornado["top"] == tornado["fields"][0]
        assert tornado["top_workaround"] in tornado["fields"]
        assert tornado["top_workaround"].startswith("workarounds[")
        assert tornado["swings"] == sorted(tornado["swings"], reverse=True)
        assert tornado["base_ci95"][1] < 0
        assert not tornado["reversed"] and tornado["least_favourable"]["ci95"][1] < 0
        assert "team.responders=1" in tornado["tied"], "alone, nobody can go to a workaround"
        # The break-even of success: below what the file says, with an interval around it.
        flip = found["break_even_success"][name]
        assert flip["direction"] == "above" and 0 < flip["value"] < 0.8
        low, high = flip["ci95"]
        assert low <= flip["value"] <= high < min(flip["written"])
        # The swept curve, on the same draws, changes sign once, where the bisection found it.
        field = flip["field"]
        curve = sorted(found["curve"][name], key=lambda r: r[field])
        costs = [r[field] for r in curve if r["difference"] > 0]
        pays = [r[field] for r in curve if r["difference"] < 0]
        assert costs and pays and max(costs) < flip["value"] < min(pays)
        assert all(r["difference_low"] <= r["difference"] <= r["difference_high"] for r in curve)
    web, db = (found["break_even_success"][n]["value"] for n in ("website-outage", "database-corruption"))
    assert web < db, "the weaker workarounds need to work more often"
    assert found["break_even_find"]["website-outage"]["value"] is None, "the backup site still pays at x30"
    slow = found["break_even_find"]["database-corruption"]
    assert slow["direction"] == "below" and 1 < slow["value"] < 30
    assert slow["ci95"][0] <= slow["value"] <= slow["ci95"][1]
    # The heatmap: better with more success, worse with slower finding; the frontier is inside.
    heat = found["heatmap"]
    success, find = heat["success_factors"], heat["find_factors"]
    by = (found["break_even_success"]["database-corruption"]["field"], slow["field"])
    cells = {(c[by[0]], c[by[1]]): c for c in heat["cells"]}
    assert set(cells) == {(s, f) for s in success for f in find}
    for f in find:
        assert cells[success[0], f]["reduction"] < cells[success[-1], f]["reduction"]
    for s in success:
        assert cells[s, find[0]]["reduction"] > cells[s, find[-1]]["reduction"]
    assert any(c["reduction_low"] > 0 for c in cells.values())
    assert any(c["reduction_high"] < 0 for c in cells.values())
    assert cells[1.0, 8.0]["reduction"] > 0 > cells[1.0, 32.0]["reduction"], "consistent with the flip"
    # Escalation: the optimum is the curve's minimum, early; waiting clearly costs, more and more.
    escalate = found["escalate"]
    assert escalate["objective_value"] == min(c["objective_value"] for c in escalate["curve"])
    assert escalate["ci95"][0] <= escalate["objective_value"] <= escalate["ci95"][1]
    assert 0 <= escalate["value"] < 30
    cost = escalate["wait_cost"]
    assert cost["30"]["ci95"][0] > 0, "waiting 30 minutes should clearly cost"
    assert [cost[w]["difference"] for w in ("15", "30", "60", "120")] == sorted(
        cost[w]["difference"] for w in ("15", "30", "60", "120"))
    assert escalate["at_once_tie_share_with_fix_plus_workaround"] == 1.0


def check_report(found: dict[str, Any]) -> None:
    assert found["quick"] and found["replications"] == min(REPLICATIONS, found["recipe_replications"])
    assert found["quarter"] == REPORT_QUARTER, "the parameter should override the recipe's quarter"
    assert len(found["scenarios"]) == found["library_scenarios"] >= 3
    page = Path(found["page"])
    assert page.parent == Path(found["parameters"]["out"]) == Path(found["folder"])
    text = page.read_text(encoding="utf-8")
    assert "<h2>Executive summary</h2>" in text
    assert html.escape(found["organisation"]) in text and found["quarter"] in text
    assert all(found["html"].values())
    assert found["summary"] and found["recommendations"]
    priorities = [r["priority"] for r in found["recommendations"]]
    assert priorities == sorted(priorities), "the most urgent recommendation first"
    for row in found["overview"]:
        low, high = row["reduction_low"], row["reduction_high"]
        assert low <= row["reduction"] <= high
        assert row["verdict"] == ("pays" if low > 0 else "loses" if high < 0 else "within noise")
    assert next(r for r in found["overview"] if r["scenario"] == "website-outage")["verdict"] == "pays"
    crossover = found["crossover"]
    assert {(c["team"], c["load"]) for c in crossover} == {
        (t, float(x)) for t in found["team_sizes"] for x in found["loads"]}
    assert all(c["tie_share"] == 1 for c in crossover if c["team"] == 1), "alone, nobody to spare"
    assert found["sensitivity_swings"] == sorted(found["sensitivity_swings"], reverse=True)
    assert not found["missing_figures"] and found["figures"] >= 2 * len(found["scenarios"])
    assert all(found["csv_matches"].values()) and len(found["tables"]) > len(found["scenarios"])
    assert all((Path(found["folder"]) / "tables" / f"{name}.csv").is_file() for name in found["tables"])
    assert found["same_numbers_afresh"], "the report's numbers should be the simulation's"


CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "01-quickstart.ipynb": check_quickstart,
    "02-staffing-strategies.ipynb": check_staffing,
    "03-calibrate-from-history.ipynb": check_calibration,
    "04-sensitivity-and-break-even.ipynb": check_sensitivity,
    "05-quarterly-report.ipynb": check_report,
}


def report_parameters(tmp: Path) -> dict[str, Any]:
    """Another quarter than the recipe's, and the report and its store in the test's own folder."""
    return {"quarter": REPORT_QUARTER, "out": str(tmp / "report"), "store": str(tmp / "drillsim.db")}


PARAMETERS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "05-quarterly-report.ipynb": report_parameters,
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
def test_notebook_runs_and_finds(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("DRILLSIM_NOTEBOOK_REPLICATIONS", str(REPLICATIONS))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    injected = PARAMETERS[path.name](tmp_path) if path.name in PARAMETERS else {}
    if injected:
        _inject(nb, injected)
    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}})
    try:
        asyncio.run(asyncio.wait_for(client.async_execute(), TIMEOUT))
    except TimeoutError:
        pytest.fail(f"{path.name} took longer than {TIMEOUT} s")
    found = _findings(nb)
    for name, value in injected.items():
        assert found["parameters"][name] == value, f"{path.name} did not take the parameter {name}"
    CHECKS[path.name](found)


def _inject(nb: nbformat.NotebookNode, values: dict[str, Any]) -> None:
    """Papermill's way: a cell right after the one tagged ``parameters`` that sets ``values``."""
    tagged = [i for i, cell in enumerate(nb.cells) if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, "a parameterised notebook needs exactly one cell tagged 'parameters'"
    source = "\n".join(f"{name} = {value!r}" for name, value in values.items())
    nb.cells.insert(tagged[0] + 1, nbformat.v4.new_code_cell(
        source, metadata={"tags": ["injected-parameters"]}))


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
