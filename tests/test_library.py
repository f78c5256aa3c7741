"""The scenario library: every bundled scenario loads and runs, names resolve, ``extends`` merges."""

from __future__ import annotations

import math

import numpy as np
import pytest

import drillsim as ds
from conftest import ROOT
from drillsim.distributions import Gamma, Lognormal, Weibull, parse_distribution
from drillsim.scenario import ScenarioError, find_scenario
from drillsim.scenario.library import ENVIRONMENT, entries
from drillsim.scenario.summary import fix_attempt, key_figures

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
COVERED = {  # the outages the library promises (DESIGN §7), by file
    "website-outage", "website-outage-no-backup-site", "payment-provider-outage", "email-outage",
    "erp-outage", "ransomware-file-servers", "dns-misconfiguration", "cloud-region-outage",
    "database-corruption", "contact-centre-phone-outage",
}
VENDOR_FIXED = {"payment-provider-outage", "email-outage", "cloud-region-outage",
                "contact-centre-phone-outage"}


@pytest.fixture(autouse=True)
def _library_from_checkout(monkeypatch):
    """Look names up in the checkout's scenarios/, whatever folder the tests run from."""
    monkeypatch.setenv(ENVIRONMENT, str(ROOT / "scenarios"))


def test_the_library_covers_the_outages_firms_meet():
    names = {path.stem for path in SCENARIOS}
    assert names >= COVERED and len(names) >= 10


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_loads_runs_and_offers_a_runbook_and_an_improvised_workaround(path):
    scenario = ds.load_scenario(path)
    assert scenario.name == path.stem
    assert any(w.runbook for w in scenario.workarounds)
    assert any(not w.runbook for w in scenario.workarounds)
    assert any(scenario.available(w) for w in scenario.workarounds)
    res = ds.simulate(scenario, ["fix-only", "fix-plus-workaround"], replications=200, seed=3)
    frame = res.frame
    assert len(frame) == 400 and frame["customer_impact_minutes"].gt(0).all()
    assert (frame["time_to_restore"] >= frame["time_to_mitigate"]).all()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_number_in_a_scenario_file_has_a_comment_nearby(path):
    """Every line that holds a number has a comment on it or just above it saying where the number
    comes from (a variant's numbers, and their sources, are its parent's). The exercise script
    (`injects:`, the last section) is a facilitator's timing, not a sourced figure."""
    lines = path.read_text(encoding="utf-8").split("\ninjects:")[0].splitlines()
    uncommented = [line for i, line in enumerate(lines)
                   if any(c.isdigit() for c in line.split("#")[0])
                   and not line.lstrip().startswith(("name:", "title:", "extends:"))
                   and not any("#" in above for above in lines[max(i - 2, 0):i + 1])]
    assert not uncommented


def test_vendor_owned_fixes_and_the_rpo_where_the_outage_calls_for_them():
    for name in VENDOR_FIXED:
        assert ds.load_scenario(find_scenario(name)).fix.owner == "external", name
    assert ds.load_scenario(find_scenario("database-corruption")).rpo_minutes == 60


def test_variants_extend_their_parent_and_lose_exactly_one_capability():
    for variant, parent in [("website-outage-no-backup-site", "website-outage"),
                            ("payment-provider-outage-single-provider", "payment-provider-outage"),
                            ("cloud-region-outage-single-region", "cloud-region-outage")]:
        child, base = (ds.load_scenario(find_scenario(n)) for n in (variant, parent))
        assert child.fix == base.fix and child.workarounds == base.workarounds
        assert key_figures(child)["workarounds_available"] == \
            key_figures(base)["workarounds_available"] - 1


def test_names_resolve_by_file_by_name_and_through_the_environment(tmp_path, monkeypatch):
    assert find_scenario("website-outage") == ROOT / "scenarios" / "website-outage.yaml"
    assert find_scenario(str(SCENARIOS[0])) == SCENARIOS[0]
    own = tmp_path / "website-outage.yaml"
    own.write_text((ROOT / "scenarios" / "website-outage.yaml").read_text())
    monkeypatch.setenv(ENVIRONMENT, str(tmp_path))
    assert find_scenario("website-outage") == own  # the firm's folder comes first
    with pytest.raises(ScenarioError, match="no-such-outage: no such file and no library scenario"):
        find_scenario("no-such-outage")
    with pytest.raises(ScenarioError, match=r"missing\.yaml: no such scenario file"):
        find_scenario(tmp_path / "missing.yaml")


def test_a_broken_library_file_is_listed_with_its_error(tmp_path, monkeypatch):
    (tmp_path / "broken.yaml").write_text("name: broken\n")
    monkeypatch.setenv(ENVIRONMENT, str(tmp_path))
    broken = next(e for e in entries() if e.name == "broken")
    assert broken.scenario is None and "required field is missing" in broken.error


def test_extends_merges_mappings_and_replaces_lists_values_and_distributions(tmp_path):
    base = ROOT / "scenarios" / "website-outage.yaml"
    (tmp_path / "child.yaml").write_text(
        f"extends: {base}\n"
        "name: child\n"
        "team: {responders: 3}\n"                                       # mapping: merged
        "detection: {monitoring: {delay: {fixed: 5}}}\n"                # distribution: replaced
        "fix: {phases: [{name: only, duration: {exponential: {mean: 60}}}]}\n")  # list: replaced
    child, parent = ds.load_scenario(tmp_path / "child.yaml"), ds.load_scenario(base)
    assert child.team.responders == 3 and child.team.response == parent.team.response
    assert child.detection.monitoring.delay.describe() == "fixed 5"
    assert child.detection.customer_reports == parent.detection.customer_reports
    assert [p.name for p in child.fix.phases] == ["only"]
    assert child.fix.repair_failure_probability == parent.fix.repair_failure_probability
    assert child.workarounds == parent.workarounds


def test_extends_rejects_a_cycle_through_another_file(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\n")
    with pytest.raises(ScenarioError, match=r"a\.yaml:1: extends: b\.yaml extends this file again|"
                                            r"b\.yaml:1: extends: a\.yaml extends this file again"):
        ds.load_scenario(tmp_path / "a.yaml")


def test_a_fix_attempt_adds_its_phases():
    scenario = ds.load_scenario(find_scenario("website-outage"))
    median, p90 = fix_attempt(scenario)
    # Sum of LN(40, 1.22) + LN(100, 1.30) + 10: above the sum of medians' larger part, below p90s.
    assert 100 + 40 + 10 < median < 190 + 530 + 10 and p90 > median


@pytest.mark.parametrize("spec", [
    {"fixed": 7.0}, {"exponential": {"mean": 30.0}}, {"lognormal": {"median": 40.0, "sigma": 1.2}},
    {"triangular": {"low": 1.0, "mode": 2.0, "high": 9.0}}, {"uniform": {"low": 0.0, "high": 60.0}},
    {"weibull": {"shape": 0.8, "scale": 120.0}}, {"gamma": {"shape": 1.5, "scale": 50.0}},
    {"empirical": [3.0, 5.0, 8.0]},
])
def test_every_distribution_writes_its_own_yaml_and_scales_its_quantiles(spec):
    dist = parse_distribution(spec)
    assert dist.spec() == spec and parse_distribution(dist.spec()) == dist
    u = np.array([0.1, 0.5, 0.9])
    assert np.allclose(dist.scaled(2.5).ppf(u), 2.5 * dist.ppf(u))


def test_weibull_and_gamma_quantiles_and_means_agree_with_scipy():
    from scipy import stats

    u = np.linspace(0.01, 0.99, 25)
    assert np.allclose(Weibull(0.8, 120).ppf(u), stats.weibull_min(0.8, scale=120).ppf(u))
    assert np.allclose(Gamma(1.5, 50).ppf(u), stats.gamma(1.5, scale=50).ppf(u))
    assert math.isclose(Weibull(0.8, 120).mean, stats.weibull_min(0.8, scale=120).mean())
    assert Gamma(1.5, 50).mean == 75 and Lognormal(10, 0).mean == 10
    with pytest.raises(ValueError, match="shape above 0"):
        parse_distribution({"weibull": {"shape": 0, "scale": 1}})
