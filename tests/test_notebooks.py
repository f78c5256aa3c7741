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


CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "01-quickstart.ipynb": check_quickstart,
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
