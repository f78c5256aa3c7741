"""Sweeps, break-even, sensitivity and tuning (``drillsim compare``), against closed forms where
they exist, and their errors."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

import drillsim as ds
from conftest import ROOT, WEBSITE, scenario
from drillsim.backends import Processes
from drillsim.cli import main
from drillsim.compare import (
    SweepRecord,
    break_even,
    default_fields,
    evaluate,
    load_target,
    optimize,
    plot_tornado,
    sensitivity,
    sweep,
)
from drillsim.portfolio import Portfolio
from drillsim.runner import resolve_strategies
from drillsim.store import Store
from drillsim.vary import Factor, VaryError, apply, current, fields

RETAILER = ROOT / "scenarios" / "portfolios" / "small-online-retailer.yaml"
F, W, ALPHA = 100.0, 35.0, 1.0  # mean fix, mean workaround activation, speed-up exponent


def race(success: float = 0.5) -> ds.Scenario:
    """Two responders, Exp(F) of fix work done at rate n**ALPHA, one workaround activated in
    Exp(W) that works with probability ``success`` and serves everyone.

    Fix-only: both on the fix, mean CIM F / 2**ALPHA. Fix-plus-workaround: one on each; the race
    ends at min(fix, activation) with mean F·W/(F+W); if the workaround fails (1 - p) while the
    fix is unfinished (F/(F+W)), its person joins the fix and the remaining work (memoryless,
    mean F) goes at 2**ALPHA. Equal means give the break-even p* = W·(2**ALPHA - 1)/F.
    """
    option = {"name": "switch", "find": {"fixed": 0}, "activate": {"exponential": {"mean": W}},
              "success_probability": success, "coverage": 1.0}
    return scenario(team={"speedup_exponent": ALPHA}, workarounds=[option])


def test_break_even_lands_on_the_closed_form():
    exact = W * (2**ALPHA - 1) / F  # 0.35
    found = break_even(race(), "workarounds[0].success_probability", 0, 1, replications=3000,
                       seed=1, tolerance=1 / 128, workers=2)
    low, high = found["ci95"]
    assert low <= found["value"] <= high
    assert low <= exact <= high, found["text"]
    assert high - low < 0.15  # the interval has power
    assert found["direction"] == "above" and found["metric"] == "customer_impact_minutes"
    assert "fix-plus-workaround beats fix-only" in found["text"] and "above" in found["text"]
    values = [e["value"] for e in found["evaluations"]]
    assert values == sorted(values) and len(values) == len(set(values))  # each simulated once


def test_break_even_without_a_flip_says_so():
    found = break_even(race(), "workarounds[0].success_probability", 0.6, 1, replications=500,
                       seed=1, backend="serial")
    assert found["value"] is None and found["ci95"] is None
    assert "does not flip" in found["text"]


def test_break_even_over_whole_numbers():
    """Fixed work of 100 at rate n against a workaround that always works at 30 minutes:
    fix-only takes 100/n, fix-plus-workaround min(100/(n-1), 30), so the workaround wins while
    100/n > 30, up to 3 people, and loses from 4 on."""
    sure = scenario(team={"speedup_exponent": 1.0},
                    fix={"phases": [{"name": "fix", "duration": {"fixed": 100}}]},
                    workarounds=[{"name": "switch", "find": {"fixed": 0},
                                  "activate": {"fixed": 30}, "success_probability": 1.0,
                                  "coverage": 1.0}])
    found = break_even(sure, "team.responders", 2, 10, replications=50, seed=2, backend="serial")
    assert (found["value"], found["ci95"], found["direction"]) == (4, [4, 4], "below")
    assert "beats fix-only on mean customer-impact minutes up to team.responders = 3" in found["text"]


def test_a_sweep_pairs_every_cell_on_the_same_draws():
    sw = sweep(race(), vary={"workarounds[0].success_probability": [0.2, 0.8],
                             "team.responders": "1..2"},
               replications=600, seed=4, backend="serial")
    assert len(sw.cells) == 4 and list(sw.frame.columns[:3]) == [
        "cell", "workarounds[0].success_probability", "team.responders"]
    # fix-only never reads the success draws: equal in both success cells, replication by
    # replication, because the cell is not part of any random key
    only = [sw.results[c].values("fix-only") for c in range(4)]
    pd.testing.assert_series_equal(only[0], only[2])
    pd.testing.assert_series_equal(only[1], only[3])
    one = sw.frame[(sw.frame["team.responders"] == 1) & (sw.frame["strategy"] == "fix-plus-workaround")]
    assert (one["tie_share"] == 1).all()  # one responder: fix-plus-workaround is fix-only
    two = sw.frame[(sw.frame["team.responders"] == 2) & (sw.frame["strategy"] == "fix-plus-workaround")]
    assert two["reduction"].iloc[1] > two["reduction"].iloc[0]  # a surer workaround pays more
    document = json.loads(json.dumps(sw.to_dict(), allow_nan=False))
    assert document["fields"][1] == {"path": "team.responders", "factor": False, "values": [1, 2]}
    assert len(document["cells"]) == 8 and document["headline"]


def test_a_cell_is_the_run_of_its_configuration():
    """A sweep's cell gives the very frame ``simulate`` (``quarter``) gives its configuration."""
    cell = sweep(WEBSITE, vary={"team.responders": [3]}, replications=300, seed=9, backend="serial")
    three = apply(ds.load_scenario(WEBSITE), {"team.responders": 3})
    pd.testing.assert_frame_equal(cell.results[0].frame,
                                  ds.simulate(three, replications=300, seed=9).frame, check_exact=True)
    quarters = sweep(RETAILER, replications=20, seed=9, backend="serial")
    pd.testing.assert_frame_equal(quarters.results[0].frame,
                                  ds.quarter(RETAILER, replications=20, seed=9).frame, check_exact=True)


def test_a_target_file_is_parsed_once(monkeypatch):
    import yaml

    parsed = []
    compose = yaml.composer.Composer.compose_document
    monkeypatch.setattr(yaml.composer.Composer, "compose_document",
                        lambda loader: parsed.append(1) or compose(loader))
    assert isinstance(load_target(WEBSITE), ds.Scenario) and len(parsed) == 1
    assert isinstance(load_target(RETAILER), Portfolio)


def test_each_cell_is_handed_over_as_soon_as_it_is_in():
    cells = [apply(ds.load_scenario(WEBSITE), {"team.responders": n}) for n in (1, 2)]
    handed = []
    results = evaluate(cells, resolve_strategies(["fix-only", "fix-plus-workaround"]), 1100, 3,
                       Processes(2), ready=handed.append)
    assert sorted(map(id, handed)) == sorted(map(id, results))  # each once, in any order


def test_a_sweep_of_a_portfolio_multiplies_the_rates():
    sw = sweep(RETAILER, vary=["systems[*].rate=x0.5,x2"], replications=40, seed=3,
               backend="serial")
    assert sw.metric == sw.results[0].headline_metric  # cost, or customers where a system has none
    low, high = (sw.results[c].frame["incidents"].mean() for c in (0, 1))
    assert high > 2.5 * low


def test_a_sweep_is_recorded_and_reads_back(tmp_path):
    sw = sweep(race(), vary=["team.responders=1..2"], replications=300, seed=5, backend="serial")
    record = SweepRecord(sw, {"note": "test"})
    with Store(tmp_path / "s.db") as store:
        run_id = store.record(record, "test", "compare")
        pd.testing.assert_frame_equal(store.frame(run_id), record.frame, check_exact=True)
        stored = store.run(run_id)
    assert stored["kind"] == "compare" and stored["replications"] == 300
    assert stored["summaries"]["note"] == "test" and len(stored["summaries"]["cells"]) == 4
    frame = record.frame
    assert not frame.duplicated(["strategy", "replication"]).any()
    assert (frame["replication"] // 300 == frame["cell"]).all()


def test_sensitivity_moves_each_field_and_ranks_by_swing():
    frame = sensitivity(race(), replications=400, seed=6, backend="serial")
    assert set(frame["field"]) == set(default_fields(race()))
    assert frame["swing"].is_monotonic_decreasing
    top = frame.iloc[0]
    assert top["field"] in ("workarounds[switch].success_probability", "team.responders",
                            "fix.phases[fix].duration", "workarounds[switch].activate")
    assert frame.attrs["baseline"] == "fix-only" and frame.attrs["base"] is not None
    responders = frame.set_index("field").loc["team.responders"]
    assert (responders["low"], responders["high"]) == (1, 3)
    assert responders["difference_low"] == 0  # one person: the strategies tie
    ax = plot_tornado(frame)
    assert len(ax.patches) == 2 * len(frame)


def test_sensitivity_of_given_fields_with_multipliers():
    frame = sensitivity(race(), {"fix.phases[0].duration": ("x0.5", "x2")}, replications=300,
                        seed=6, backend="serial")
    assert frame.loc[0, "low"] == "x0.5" and frame.loc[0, "high"] == "x2"


def test_optimize_finds_an_early_escalation_where_the_workaround_is_free():
    """With the speed-up exponent 0 a second person adds nothing to the fix, so escalating at
    once (escalate-after(0) = fix-plus-workaround) is best."""
    free = scenario(workarounds=[{"name": "switch", "find": {"fixed": 0},
                                  "activate": {"exponential": {"mean": 30}},
                                  "success_probability": 0.8, "coverage": 1.0}])
    tuned = optimize(free, "escalate-after", "after_minutes", 0, 120, replications=500, seed=7,
                     points=5, backend="serial")
    assert tuned["value"] == 0
    curve = [e["objective_value"] for e in tuned["curve"]]
    assert curve[0] == min(curve) and curve[-1] > curve[0]
    assert [e["value"] for e in tuned["curve"]] == sorted(e["value"] for e in tuned["curve"])
    p90 = optimize(free, "escalate-after", "after_minutes", 0, 120, objective="p90",
                   replications=500, seed=7, points=3, rounds=1, backend="serial")
    assert p90["objective"] == "p90" and p90["value"] == 0


def test_field_paths_reach_into_the_models():
    website = ds.load_scenario(WEBSITE)
    changed = apply(website, {"team.responders": 4, "fix.phases[repair].duration": "x2",
                              "workarounds[phone-orders].tested": "never"})
    assert changed.team.responders == 4
    assert changed.fix.phases[1].duration.median == pytest.approx(2 * website.fix.phases[1].duration.median)
    assert changed.workarounds[1].success == 0.5 and changed.workarounds[1].success_probability is None
    assert current(website, "workarounds[*].success_probability") == [0.8, 0.7]
    retailer = ds.load_portfolio(RETAILER)
    doubled = apply(retailer, {"systems[*].rate": Factor(2)})
    assert [s.rate.per_month for s in doubled.systems] == [2 * s.rate.per_month for s in retailer.systems]
    assert [f.values for f in fields(website, ["team.responders=1..3"])] == [(1, 2, 3)]


@pytest.mark.parametrize("spec, message", [
    ("team.responder=1..3", "team.responder: team has no field 'responder'; it has responders"),
    ("team.responders=0,1", "team.responders=0: team.responders: expected greater than or equal to 1"),
    ("workarounds[5].coverage=0.5", "workarounds[5].coverage: workarounds has 2 items"),
    ("workarounds[backup].coverage=0.5", "no item named 'backup'; it has reroute-to-backup-site"),
    ("workarounds[0].success_probability=0.5,1.5", "expected less than or equal to 1; found 1.5"),
    ("fix.phases[0].duration=30", "fix.phases[0].duration: expected a distribution"),
    ("severity.level=1", "severity is 1.0, which has no field 'level'"),
    ("team.responders=1.5..3", "a range a..b takes whole numbers"),
    ("team.responders=x2,3", "give all values as multipliers (x0.5) or none"),
    ("onset.weekday=x2", "x2 multiplies a number, a distribution or a rate"),
    ("team.responders", "expected PATH=VALUES"),
])
def test_bad_vary_paths_and_values_name_the_path(spec, message):
    with pytest.raises(VaryError, match=None) as caught:
        fields(ds.load_scenario(WEBSITE), [spec])
    assert message in str(caught.value) and "\n" not in str(caught.value)


def drillsim(*args: str) -> Result:
    """The command in this process (the store's, backends' and run's tests start real ones)."""
    return CliRunner().invoke(main, list(args))


def test_cli_sweep_table_json_plots_and_store(tmp_path):
    store = tmp_path / "runs.db"
    common = ["compare", "website-outage", "--vary", "team.responders=1..2", "-n", "300",
              "--seed", "3", "--backend", "serial", "--store", str(store)]
    done = drillsim(*common, "--vary", "workarounds[0].success_probability=0.5,0.9",
                    "--plot", str(tmp_path / "heat.png"), "--out", str(tmp_path / "cells.csv"))
    assert done.exit_code == 0, done.output
    assert "paired against fix-only on the same draws" in done.stdout
    assert "workarounds[0]." in done.stdout and "Δ mean CIM" in done.stdout
    assert (tmp_path / "heat.png").stat().st_size > 10_000
    assert len(pd.read_csv(tmp_path / "cells.csv")) == 8
    done = drillsim(*common, "--json", "--plot", str(tmp_path / "lines.png"))
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["seed"] == 3 and [f["path"] for f in document["fields"]] == ["team.responders"]
    assert (tmp_path / "lines.png").stat().st_size > 10_000
    with sqlite3.connect(store) as db:
        kinds = [row[0] for row in db.execute("SELECT kind FROM runs ORDER BY id")]
    assert kinds == ["compare", "compare"]
    history = drillsim("history", "--store", str(store))
    assert history.exit_code == 0 and history.stdout.count("compare") == 2


def test_cli_analyses(tmp_path):
    done = drillsim("compare", "website-outage", "-s", "fix-only", "-s", "fix-plus-workaround",
                    "-s", "escalate-after", "-n", "200", "--seed", "1", "--backend", "serial",
                    "--no-store", "--json", "--break-even", "workarounds[*].success_probability=0..1",
                    "--sensitivity", "--tornado", str(tmp_path / "t.png"),
                    "--optimize", "after_minutes=0..60")
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["break_even"]["field"] == "workarounds[*].success_probability"
    swings = [row["swing"] for row in document["sensitivity"]["fields"]]
    assert swings == sorted(swings, reverse=True)
    assert document["optimize"]["strategy"] == "escalate-after"
    assert (tmp_path / "t.png").stat().st_size > 10_000


@pytest.mark.parametrize("args, message", [
    (["--vary", "team.responder=1..3"], "team.responder: team has no field 'responder'"),
    (["--vary", "team.responders=0..2"], "team.responders=0: team.responders: expected greater"),
    (["--vary", "workarounds[0].coverage"], "expected PATH=VALUES"),
    (["--break-even", "team.responders"], "--break-even team.responders: expected NAME=LOW..HIGH"),
    (["--optimize", "after_minutes=0..60"], "no strategy given takes after_minutes; e.g. -s escalate-after"),
    (["--backend", "serial", "--dask", "local"], "a Dask cluster was given but the backend is serial"),
    (["--plot", "x.pdf"], "--plot x.pdf: expected a file ending in .png"),
])
def test_cli_errors_are_one_line(args, message):
    done = drillsim("compare", "website-outage", "-n", "10", "--no-store", *args)
    assert (done.exit_code != 0 and done.exception is None) or isinstance(done.exception, SystemExit)
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], done.stderr


def test_heatmap_and_lines_draw_the_cells():
    sw = sweep(race(), vary={"team.responders": [1, 2], "workarounds[0].coverage": [0.5, 1.0]},
               replications=200, seed=8, backend="serial")
    ax = sw.plot_heatmap("team.responders", "workarounds[0].coverage")
    assert np.asarray(ax.images[0].get_array()).shape == (2, 2)
    ax = sw.plot_lines("team.responders")
    assert len(ax.lines) >= 2  # a line per coverage
    with pytest.raises(ValueError, match="not a varied field"):
        sw.plot_lines("severity")
