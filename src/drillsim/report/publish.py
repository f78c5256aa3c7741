"""Make a report's folder: the page, the figures (PNG and SVG), the tables (CSV) and, if asked, the
PDF — written into a fresh folder beside the target and moved into place only once complete, so a
failed or interrupted report never leaves half a folder where the last good one was.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..store import Store
from .build import Report, build
from .pdf import PdfError, print_pdf
from .recipe import Recipe
from .render import write
from .runs import Progress


@dataclass(frozen=True)
class Published:
    report: Report
    folder: Path
    page: Path
    pdf: Path | None


def default_folder(recipe: Recipe) -> Path:
    """``out/<quarter>/`` beside the recipe (``reports/out/2026Q4/`` for ``reports/*.yaml``)."""
    return recipe.source.parent / "out" / recipe.quarter


def publish(recipe: Recipe, folder: Path | None = None, store: Store | None = None, *,
            pdf: bool = False, workers: int = 1, progress: Progress | None = None,
            command: str = "", today: dt.date | None = None,
            say: Callable[[str], None] = lambda _: None) -> Published:
    """Build the report of ``recipe`` and write it to ``folder`` (default: ``default_folder``)."""
    folder = folder or default_folder(recipe)
    made_parent = not folder.parent.exists()
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = folder.parent / f".{folder.name}.partial-{os.getpid()}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    try:
        report = build(recipe, work / "figures", store, workers=workers, progress=progress,
                       command=command, today=today, say=say)
        page = write(report, work)
        failed = None
        if pdf:
            say("Printing the PDF")
            try:
                print_pdf(page, work / "report.pdf")
            except PdfError as exc:  # the page is still worth having: move it in, then say so
                failed = exc
        if folder.exists():
            shutil.rmtree(folder)
        work.rename(folder)
    finally:
        if work.exists():
            shutil.rmtree(work)
        if made_parent and not any(folder.parent.iterdir()):
            folder.parent.rmdir()  # nothing was written: leave no empty out/ behind
    if failed is not None:
        raise failed
    return Published(report, folder, folder / "report.html",
                     folder / "report.pdf" if pdf else None)
