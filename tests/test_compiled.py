"""The modules mypyc compiles give, to the bit, the numbers their Python source gives: the
source stays the definition, and a pure-Python build (``DRILLSIM_PURE_PYTHON=1``) is exact."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT
from mypyc_build import compiled_modules

# Prints where each compiled module was loaded from, then a digest of quarters of every rota
# variant and of single outages (one with four people slowing to 0.7, whose summed efficiencies
# do not add exactly) under every built-in strategy, incident rows included.
SCRIPT = """
import hashlib, importlib, pickle, sys
sys.path.insert(0, {tests!r})
from mypyc_build import compiled_modules, run_from_source
if sys.argv[1] == "source":
    run_from_source()
import drillsim as ds
from conftest import WEBSITE, scenario
from drillsim.portfolio import load_portfolio
from test_rota import RETAILER, STRATEGIES, VARIANTS, variant
for name in sorted(compiled_modules()):
    print(name, importlib.import_module(name).__file__.endswith(".py"))
digest = hashlib.sha256()
def add(result, *tables):
    for table in tables:
        digest.update(pickle.dumps(getattr(result, table).to_records().tolist()))
retailer = load_portfolio(RETAILER)
for changes in VARIANTS.values():
    add(ds.quarter(variant(retailer, **changes), STRATEGIES, replications=16, seed=11,
                   incidents=True), "frame", "incidents")
tiring = scenario(team={{"responders": 4, "speedup_exponent": 0.7,
                         "fatigue": {{"after_hours": 0.5, "slowdown": 0.3}}}})
for outage in (WEBSITE, tiring):
    add(ds.simulate(outage, STRATEGIES, replications=300, seed=3), "frame")
print(digest.hexdigest())
"""


def _run(mode: str) -> list[str]:
    script = SCRIPT.format(tests=str(ROOT / "tests"))
    done = subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_compiled_modules_give_their_sources_numbers():
    modules = sorted(compiled_modules())
    if not modules:
        pytest.skip("drillsim is installed as pure Python here (DRILLSIM_PURE_PYTHON=1)")
    compiled, source = _run("compiled"), _run("source")
    assert compiled[:-1] == [f"{name} False" for name in modules]
    assert source[:-1] == [f"{name} True" for name in modules]
    assert compiled[-1] == source[-1]
