"""The report as one self-contained HTML page (jinja2, autoescaped: every scenario and recipe
text is escaped), and its tables as CSV files.

The page carries its own CSS and its figures as data URIs, and a Content-Security-Policy that
allows nothing else, so it fetches nothing and runs no script, whatever a scenario's text holds.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from . import numbers
from .build import Report


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("drillsim.report", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(pct=numbers.pct, num=numbers.num, money=numbers.money,
                       interval=numbers.interval)
    return env


def html(report: Report) -> str:
    """The page's text."""
    pictures = [p for p in (report.overview,) if p is not None]
    for section in report.scenarios:
        pictures += section.pictures
    if report.quarter is not None:
        pictures += report.quarter.pictures
    for section in (report.sensitivity, report.trend):
        pictures += section.pictures if section is not None else []
    numbering = {p.name: i for i, p in enumerate(pictures, 1)}
    return environment().get_template("report.html.j2").render(r=report, numbers=numbering)


def write(report: Report, folder: Path) -> Path:
    """Write ``report.html`` and ``tables/*.csv`` into ``folder`` (the figures are there already)."""
    tables = folder / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    for table in report.tables:
        table.frame.to_csv(tables / f"{table.name}.csv", index=False)
    page = folder / "report.html"
    page.write_text(html(report), encoding="utf-8")
    return page
