"""Terminal tables and files shared by the commands: numbers formatted for people."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich import box
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd

    from ..results import Results


def write_rows(frame: pd.DataFrame, path: Path) -> None:
    """Write rows to CSV or Parquet atomically: a crash leaves no half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(handle)
    try:
        if path.suffix.lower() == ".parquet":
            try:
                frame.to_parquet(temp, index=False)
            except ImportError:
                raise click.ClickException("Parquet output needs pyarrow: "
                                           "pip install 'drillsim[parquet]'") from None
        else:
            frame.to_csv(temp, index=False)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def fmt(x: float | None, digits: int = 0) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def ci(pair: list | None, digits: int = 0) -> str:
    return "" if not pair else f" ({fmt(pair[0], digits)} to {fmt(pair[1], digits)})"


def money(x: float | None) -> str:
    """Compact amounts for narrow tables: 950, 78.1k, 1.20M."""
    if x is None:
        return "—"
    return f"{x / 1e6:,.2f}M" if abs(x) >= 1e6 else f"{x / 1e3:,.1f}k" if abs(x) >= 1e4 else \
        f"{x:,.0f}"


def share(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f}%"


def table(title: str, labels: list[str], *columns: str) -> Table:
    """A compact table whose first column fits the longest strategy label."""
    out = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    out.add_column(columns[0], min_width=min(max(map(len, labels)), 28), no_wrap=True)
    for column in columns[1:]:
        out.add_column(column, justify="right", no_wrap=True)
    return out


def paired(results: Results, baseline: str | None, metric: str, short: str,
           amounts=fmt) -> Table | None:
    """Each strategy against the baseline on one metric: difference, reduction, wins."""
    comparisons = [c for c in results.comparisons(baseline, (metric,))]
    if not comparisons:
        return None
    out = table(f"Paired against {comparisons[0]['baseline']} on the same draws",
                results.strategies, "strategy", f"Δ mean {short}\n(95% CI)",
                "reduction\n(95% CI)", "better/\ntied/worse")
    for c in comparisons:
        out.add_row(c["strategy"], interval(c["mean_difference"], c["ci95"], amounts),
                    reduction(c["reduction"], c["reduction_ci95"]),
                    record(c["win_share"], c["tie_share"], c["loss_share"]))
    return out


def interval(value: float | None, pair: list | None, amounts=fmt) -> str:
    """A value with its 95% CI: ``-254 (-261 to -246)``."""
    return amounts(value) + (f" ({amounts(pair[0])} to {amounts(pair[1])})" if pair else "")


def plus_minus(value: float | None, pair: list | None, amounts=fmt) -> str:
    """A value with the half-width of its symmetric 95% CI: ``-254 ± 8``, ``59% ± 1%``."""
    return amounts(value) + (f" ± {amounts((pair[1] - pair[0]) / 2)}" if pair else "")


def reduction(value: float | None, pair: list | None) -> str:
    """A reduction with its 95% CI: ``59% (58%–60%)``."""
    return share(value) + (f" ({share(pair[0])}–{share(pair[1])})" if pair else "")


def record(wins: float | None, ties: float | None, losses: float | None) -> str:
    """Shares better, tied and worse: ``85%/0%/15%``."""
    return f"{share(wins)}/{share(ties)}/{share(losses)}"
