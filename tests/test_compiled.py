"""The modules mypyc compiles give, to the bit, the numbers their Python source gives: the
source stays the definition, and a pure-Python build (``DRILLSIM_PURE_PYTHON=1``) is exact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from compiled import compiled_modules

ROOT = Path(__file__).resolve().parents[1]

# Prints where each compiled module was loaded from, then a digest of quarters and single
# outages under every built-in strategy, incident rows included.
SCRIPT = """
import hashlib, pathlib, pickle, sys
sys.path.insert(0, {tests!r})
from compiled import compiled_modules, run_from_source
if sys.argv[1] == "source":
    run_from_source()
import drillsim as ds
for name in sorted(compiled_modules()):
    print(name, sys.modules[name].__file__.endswith(".py"))
strategies = ["fix-only", "fix-plus-workaround", "workaround-first",
              "escalate-after:after_minutes=20"]
digest = hashlib.sha256()
for path in sorted(pathlib.Path({root!r}).glob("scenarios/portfolios/*.yaml")):
    result = ds.quarter(path, strategies, replications=24, seed=11, workers=1, incidents=True)
    digest.update(pickle.dumps(result.frame.to_records().tolist()))
    digest.update(pickle.dumps(result.incidents.to_records().tolist()))
result = ds.simulate({root!r} + "/scenarios/website-outage.yaml", strategies,
                     replications=400, seed=3)
digest.update(pickle.dumps(result.frame.to_records().tolist()))
print(digest.hexdigest())
"""


def _run(mode: str) -> list[str]:
    script = SCRIPT.format(tests=str(ROOT / "tests"), root=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True,
                          timeout=600, cwd=ROOT, check=True)
    return done.stdout.split("\n")[:-1]


def test_the_compiled_modules_give_their_sources_numbers():
    modules = compiled_modules()
    if not modules:
        pytest.skip("drillsim is built as pure Python here")
    compiled, source = _run("compiled"), _run("source")
    assert compiled[:-1] == [f"{name} False" for name in sorted(modules)]
    assert source[:-1] == [f"{name} True" for name in sorted(modules)]
    assert compiled[-1] == source[-1]
