"""Builds drillsim with its hot path compiled by mypyc (docs/design.md, "Speed").

The compiled modules are plain, type-checked Python: ``DRILLSIM_PURE_PYTHON=1`` builds the
package as it is, for a machine without a C compiler, and gives the same numbers, more slowly.
"""

import os

from setuptools import setup

COMPILED = ["draws.py", "rota.py", "week.py", "engine/course.py", "engine/dispatch.py",
            "engine/outcome.py", "engine/work.py"]

if os.environ.get("DRILLSIM_PURE_PYTHON"):
    setup()
else:
    from mypyc.build import mypycify

    setup(ext_modules=mypycify([f"src/drillsim/{path}" for path in COMPILED], group_name="drillsim"))
