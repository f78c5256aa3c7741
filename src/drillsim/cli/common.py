"""What every command shares: a progress bar that appears only for long work."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn


class LazyProgress:
    """A progress bar on stderr that appears only once work has run for over a second."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.started = time.monotonic()
        self.bar: Progress | None = None

    def __call__(self, finished: int) -> None:
        self.done += finished
        if self.bar is None and time.monotonic() - self.started > 1.0 and self.done < self.total:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                TaskProgressColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=self.total)
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
