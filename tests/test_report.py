"""``drillsim report`` as a BC manager uses it: a recipe in, a folder out, and the page checked in a
real browser (headless Chromium): it loads without console errors, fetches nothing, shows every
figure and shows a scenario's ``<script>`` as text. The PDF has the report's headings. The words
come from the numbers: different numbers give different recommendations."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml
from click.testing import CliRunner

import drillsim as ds
from conftest import ROOT, WEBSITE
from drillsim.cli import main
from drillsim.report import load_recipe
from drillsim.report.findings import (
    LOSES,
    NOISE,
    PAYS,
    SAME,
    CrossoverCell,
    Evidence,
    Exercises,
    Outcome,
    ScenarioFinding,
    crossover_text,
    recommendations,
    summary,
    verdict,
    weakness,
)
from drillsim.report.pdf import browser
from test_drill_cli import built_in_decisions, drill_file

XSS = 'Payments <script>alert(1)</script> & "friends"'
HEADINGS = ("Executive summary", "Recommendations", "Scenario results",
            "The quarter: staff contention", "Sensitivity: what the conclusion leans on",
            "Trend against earlier quarters", "Exercises and improvement plan",
            "Method and assumptions")
needs_chromium = pytest.mark.skipif(browser() is None, reason="Chromium is not installed "
                                    "(.ci/run installs Debian's chromium)")


def drillsim(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "200"})


def write_recipe(folder, **changes):
    recipe = {"organisation": "Test & Sons <Ltd>", "quarter": "2026Q4",
              "scenarios": ["website-outage", "xss.yaml"], "portfolio": "small-online-retailer",
              "strategies": ["fix-only", "fix-plus-workaround"], "team_sizes": [1, 2],
              "loads": [1, 4], "replications": 300, "quarter_replications": 20, "seed": 11,
              "currency": "EUR", "notes": "Numbers <b>not</b> final.",
              "sensitivity": {"scenarios": ["website-outage"], "replications": 100},
              **changes}
    path = folder / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A small report of two scenarios (one titled with a script), a quarter, a store holding an
    earlier quarter and a drill of this quarter."""
    folder = tmp_path_factory.mktemp("report")
    (folder / "xss.yaml").write_text(yaml.safe_dump({
        "extends": str(WEBSITE), "name": "xss-outage", "title": XSS,
        "description": "A <b>bold</b> claim.", "capabilities": {"backup_site": False}}))
    store = folder / "drillsim.db"
    with ds.Store(store) as db:  # last quarter: the website outage before a change
        earlier = ds.simulate(WEBSITE, ["fix-only", "fix-plus-workaround"], 300, seed=3)
        db.record(earlier, "drillsim run website-outage", quarter="2026Q3")
    script = drill_file(folder / "drill.yaml", built_in_decisions("fix-only"), date="2026-11-04")
    done = drillsim("drill", WEBSITE, "--decisions", script, "--aar", folder / "aar", "-n", 20,
                    "--store", store)
    assert done.exit_code == 0, done.output
    recipe = write_recipe(folder)
    done = drillsim("report", recipe, "--pdf", "--store", store, "--workers", 1)
    assert done.exit_code == 0, done.output
    return folder, folder / "out" / "2026Q4", done.output


def test_the_folder_holds_the_page_figures_tables_and_pdf(made):
    _, out, said = made
    assert "Report: " in said and "report.html" in said
    page = (out / "report.html").read_text()
    pngs = sorted(p.stem for p in (out / "figures").glob("*.png"))
    assert pngs == sorted(p.stem for p in (out / "figures").glob("*.svg"))
    assert {"overview", "website-outage-impact", "xss-outage-recovery", "quarter", "crossover",
            "sensitivity-website-outage", "trend"} <= set(pngs)
    assert page.count('<img src="data:image/png;base64,') == len(pngs)
    assert {"scenarios", "quarter", "crossover", "trend", "improvement-plan",
            "scenario-website-outage"} <= {p.stem for p in (out / "tables").glob("*.csv")}
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    assert "http://" not in page and "https://" not in page and "<script" not in page


@needs_chromium
def test_the_page_in_a_real_browser(made, tmp_path):
    from browser import Page

    _, out, _ = made
    page = Page()
    try:
        page.open(out / "report.html")
        assert page.console_errors() == []
        own = out.resolve().as_uri() + "/report.html"
        assert {url for url in page.requests() if not url.startswith("data:")} == {own}
        images = page.evaluate("[...document.images].map(i => [i.complete, i.naturalWidth])")
        assert len(images) == len(list((out / "figures").glob("*.png")))
        assert all(complete and width > 0 for complete, width in images)
        assert page.evaluate("document.querySelectorAll('script').length") == 0
        text = page.evaluate("document.body.innerText")
        assert XSS in text and "Test & Sons <Ltd>" in text and "Numbers <b>not</b> final." in text
        assert page.evaluate("document.querySelectorAll('b').length") == 0
        shot = page.screenshot(tmp_path / "first-page.png")
        assert shot.read_bytes().startswith(b"\x89PNG")
        page.viewport(390, 844, mobile=True)  # a phone: nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    finally:
        page.close()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed "
                    "(.ci/run installs poppler-utils)")
def test_the_pdf_has_the_report_headings(made):
    _, out, _ = made
    text = subprocess.run(["pdftotext", "-layout", str(out / "report.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    for heading in HEADINGS:
        assert heading in " ".join(text.split()), heading
    assert "file://" not in text and "Page 1 of" in text


def test_the_sections_say_what_the_store_and_the_numbers_hold(made):
    _, out, _ = made
    page = (out / "report.html").read_text()
    assert "2026Q3" in page and "website-outage: mean customer-impact minutes" in page
    assert "1 exercise held in 2026Q4: website-outage on 4 November" in page
    assert "Write continuity-first into the incident procedure" in page  # the drill's action
    assert "incident manager" in page and "reroute to backup site" in page
    assert "Without a backup site, on xss-outage" in page  # its variant lacks the capability
    assert "the conclusion leans most on" in page


def test_a_second_report_reuses_the_stored_runs_and_says_the_same(made, tmp_path):
    folder, out, _ = made
    again = drillsim("report", folder / "recipe.yaml", "--store", folder / "drillsim.db",
                     "--out", tmp_path / "again", "--workers", 1)
    assert again.exit_code == 0, again.output
    assert "3 runs reused from the store" in again.output
    first, second = (p.read_text() for p in (out / "tables" / "scenarios.csv",
                                               tmp_path / "again" / "tables" / "scenarios.csv"))
    assert first == second


@pytest.mark.parametrize("changes, message", [
    ({"quarterr": "2026Q4"}, "recipe.yaml:25: quarterr: unknown field (did you mean 'quarter'?)"),
    ({"quarter": "2026-Q4"}, "quarter: expected a year and quarter such as 2026Q4"),
    ({"baseline": "escalate-after"}, "baseline 'escalate-after' is not among the strategies"),
    ({"scenarios": ["no-such-outage"]}, "no-such-outage: no such file and no library scenario"),
    ({"team_sizes": [0]}, "team_sizes[0]: expected greater than or equal to 1"),
])
def test_a_bad_recipe_is_one_line_naming_file_and_field(tmp_path, changes, message):
    done = drillsim("report", write_recipe(tmp_path, **changes), "--no-store")
    assert done.exit_code == 1 and message in done.output, done.output
    assert "Traceback" not in done.output and not (tmp_path / "out").exists()


def test_quarter_option_and_the_worked_example_load():
    recipe = load_recipe(ROOT / "reports" / "quarterly.yaml", quarter="2027Q1")
    assert recipe.quarter == "2027Q1" and recipe.scenarios == "library"
    assert len(recipe.scenario_objects()) >= 10 and recipe.portfolio_object() is not None


# -- The words follow the numbers ---------------------------------------------------------
def outcome(mean: float, rto: float = 0.5, mtpd: float = 0.01) -> Outcome:
    return Outcome(mean, [mean * 0.9, mean * 1.1], mean, mean * 2, rto, [rto - 0.02, rto + 0.02],
                   mtpd, [0, mtpd * 2], mean * 100, None)


def finding(name: str, reduction: float, ci: list[float], rto: float = 0.6,
            mtpd: float = 0.01, reason: str = "") -> ScenarioFinding:
    return ScenarioFinding(name, f"The {name}", {"a": outcome(100, rto, mtpd),
                                                 "b": outcome(100 * (1 - reduction), rto, mtpd)},
                           reduction, ci, 0.6, 0.0, 0.4, verdict(reduction, ci), reason, 60, 480)


def test_verdicts():
    assert verdict(0.3, [0.2, 0.4]) == PAYS and verdict(-0.3, [-0.4, -0.2]) == LOSES
    assert verdict(0.05, [-0.01, 0.1]) == NOISE and verdict(0.0, [0.0, 0.0], tie=1) == SAME


def test_different_numbers_give_different_recommendations():
    paying = Evidence("a", "b", "EUR", [finding("web", 0.5, [0.45, 0.55]),
                                         finding("mail", 0.3, [0.25, 0.35])])
    losing = Evidence("a", "b", "EUR", [finding("web", 0.5, [0.45, 0.55]),
                                         finding("ransom", -0.2, [-0.3, -0.1], reason="no luck")])
    unsure = Evidence("a", "b", "EUR", [finding("web", 0.02, [-0.05, 0.09], rto=0.2, mtpd=0.2,
                                                reason="it is hard")])
    titles = [[r.title for r in recommendations(e)] for e in (paying, losing, unsure)]
    assert titles[0] == ["Make b the standard procedure where it pays"]
    assert titles[1][0] == "Keep everyone on the fix for ransom"  # the urgent one first
    assert titles[2] == ["Reduce the risk of breaching the MTPD", "Revisit the RTOs that are "
                         "rarely met", "Settle the evidence for web"]
    words = [summary(e) for e in (paying, losing, unsure)]
    assert words[0][0].startswith("Across 2 scenarios, b cut customer-impact minutes by 40%")
    assert "It paid in every one of them." in words[0][0]
    assert "It did not pay for “The ransom”, where no luck" in " ".join(words[1])
    assert "does not separate the two procedures" in " ".join(words[2])
    assert len({tuple(w) for w in words}) == 3


def test_the_plan_and_the_crossover_speak_from_their_numbers():
    busy = Evidence("a", "b", "", [finding("web", 0.5, [0.45, 0.55])],
                    exercises=Exercises(held=0, open=3, overdue=2, closed_this_quarter=0))
    titles = [r.title for r in recommendations(busy)]
    assert titles[0] == "Close the overdue corrective actions"
    assert "Hold a tabletop exercise next quarter" in titles
    cells = [CrossoverCell(1, 1.0, 0.0, [0.0, 0.0], SAME), CrossoverCell(2, 1.0, 0.3, [0.2, 0.4], PAYS),
             CrossoverCell(2, 8.0, 0.01, [-0.05, 0.07], NOISE)]
    text = crossover_text(cells, "b")
    assert "with 1 person both procedures are the same" in text
    assert "with 2 people it stops paying from 8× today's incident rate" in text
    assert crossover_text(cells[1:2], "b").startswith("b paid in every combination tried")


def test_weakness_names_what_the_scenario_lacks():
    website = ds.load_scenario(WEBSITE)
    without = website.model_copy(update={"capabilities": {"backup_site": False}})
    assert weakness(without).startswith("“reroute to backup site” needs a backup site, which is "
                                        "missing; the other workarounds serve too little")
    assert "costs about as much as the workaround saves" in weakness(website)
