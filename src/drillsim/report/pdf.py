"""The report as PDF, printed by headless Chromium from the same page.

Chromium lays out the print stylesheet (A4, page numbers, a page per section) exactly as a reader
printing the page would get it, and needs no system libraries beyond itself; WeasyPrint would
need Pango and lays out CSS grid differently.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 180  # seconds: a long report prints in a few


class PdfError(RuntimeError):
    """The PDF could not be printed; ``str()`` says why in one line."""


def browser() -> str | None:
    """The Chromium (or Chrome) on the PATH, if any."""
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def flags(profile: Path) -> list[str]:
    """Headless Chromium that fetches nothing of its own, in a fresh profile; without the
    sandbox only when running as root, where Chromium refuses to start with it."""
    out = ["--headless", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           "--disable-default-apps", f"--user-data-dir={profile}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        out.append("--no-sandbox")
    return out


def print_pdf(page: Path, pdf: Path) -> Path:
    """Print ``page`` (an HTML file) to ``pdf`` with headless Chromium."""
    found = browser()
    if found is None:
        raise PdfError("--pdf needs Chromium (or Chrome) on the PATH, e.g. `apt-get install "
                       "chromium`; the HTML report was written")
    profile = Path(tempfile.mkdtemp(prefix="drillsim-chromium-"))
    command = [found, *flags(profile), "--no-pdf-header-footer",
               f"--print-to-pdf={pdf.resolve()}", page.resolve().as_uri()]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise PdfError(f"Chromium did not print the PDF within {TIMEOUT} s") from None
    finally:
        stop(process, profile)
    if process.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        reason = (stderr.strip().splitlines() or ["no output"])[-1]
        raise PdfError(f"Chromium could not print the PDF ({reason})")
    return pdf


def stop(process: subprocess.Popen, profile: Path) -> None:
    """End a Chromium started in a session of its own — its renderer and helper processes too,
    which may still be writing into the profile after the browser itself exits — then remove
    the profile."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break  # nothing of it is left
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue
        time.sleep(0.1)  # the group outlives its leader by a moment
    for _ in range(50):
        shutil.rmtree(profile, ignore_errors=True)
        if not profile.exists():
            return
        time.sleep(0.1)
