"""Builds drillsim with its hot path compiled by mypyc (docs/design.md, "Speed").

The compiled modules are plain, type-checked Python: ``DRILLSIM_PURE_PYTHON=1`` builds the
package as it is, for a machine without a C compiler, and gives the same numbers, more slowly.
"""

import hashlib
import os
from pathlib import Path

from setuptools import setup

COMPILED = ["draws.py", "rota.py", "week.py", "engine/course.py", "engine/dispatch.py",
            "engine/outcome.py", "engine/work.py"]
GROUP = "drillsim"  # the compiled code is one library, drillsim__mypyc, beside the package
SOURCE = Path(__file__).parent / "src"
PACKAGE = SOURCE / "drillsim"
MANIFEST = PACKAGE / "_compiled.py"  # compiled with them: which sources the binaries are of


def write_manifest() -> None:
    """Record each compiled module's source digest, so that stale binaries can be told."""
    digests = {path: hashlib.sha256((PACKAGE / path).read_bytes()).hexdigest()
               for path in COMPILED}
    lines = "".join(f"    {path!r}: {digest!r},\n" for path, digest in digests.items())
    MANIFEST.write_text('"""Written by setup.py: the digest of each compiled module\'s source, '
                        'compiled with them."""\n\nSOURCES = {\n' + lines + "}\n")


if os.environ.get("DRILLSIM_PURE_PYTHON") == "1":
    for binary in [*SOURCE.glob(f"{GROUP}__mypyc.*"), *PACKAGE.rglob("*.so"),
                   *PACKAGE.rglob("*.pyd"), MANIFEST]:
        binary.unlink(missing_ok=True)  # an earlier build's binaries would shadow the source
    setup()
else:
    from mypyc.build import mypycify

    write_manifest()
    extensions = mypycify([f"src/drillsim/{path}" for path in [*COMPILED, "_compiled.py"]],
                          group_name=GROUP)
    if os.name != "nt":  # (MSVC never fuses by default)
        for extension in extensions:  # a multiply-add fused into one rounding changes numbers
            extension.extra_compile_args.append("-ffp-contract=off")
    setup(ext_modules=extensions)
