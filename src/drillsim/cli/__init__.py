"""The ``drillsim`` command: thin click wrappers over the API; all I/O lives in this package.

Each command family has its own module; this one only assembles the group.
"""

from __future__ import annotations

import click

from .. import __version__
from .calibrate import calibrate
from .compare import compare
from .drill import drill
from .quarter import quarter
from .report import report
from .run import list_strategies, run, validate
from .scenarios import scenarios
from .store import actions, history, show


@click.group()
@click.version_option(__version__, prog_name="drillsim")
def main() -> None:
    """Tabletop-exercise simulator: how should we staff an outage?"""


for command in (run, quarter, validate, list_strategies, scenarios, calibrate, history, show,
                actions, drill, report, compare):
    main.add_command(command)
