"""A progress bar on stderr for long imports and exports (stdout keeps the report, so it can be redirected)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError

from miaopu.apps.exchange.report import ImportReport


class ProgressBar:
    """``bar(stage, done, total)``: redraws at most five times a second; one line per stage off a terminal."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.stage = ""
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        finished = total > 0 and done >= total
        if stage != self.stage:
            if self.stage and self.tty:
                self.stream.write("\n")
            self.stage = stage
            self.last = 0.0
        if not self.tty:
            if finished:
                self.stream.write(f"{stage}：{total:,}\n")
                self.stream.flush()
            return
        if not finished and now - self.last < 0.2:
            return
        self.last = now
        share = done / total if total else 1.0
        filled = int(self.width * share)
        bar = "█" * filled + "░" * (self.width - filled)
        self.stream.write(f"\r{stage} {bar} {share:4.0%} {done:,}/{total:,}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty and self.stage:
            self.stream.write("\n")
            self.stream.flush()


def print_report(command: BaseCommand, result: ImportReport, report_path: str | None) -> None:
    """Every issue on its own line, then the summary; exit status 1 when there are errors."""
    for line in result.lines():
        command.stdout.write(line)
    if report_path:
        Path(report_path).write_bytes(result.workbook_bytes())
    if result.errors:
        raise CommandError(result.summary())
    command.stdout.write(result.summary())
