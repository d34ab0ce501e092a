"""Progress of long work on a terminal: done / total, rate, time left, failures; silent in CI and pipes.

`Progress(total, "build")` redraws one stderr line at most a few times a second when stderr is a
terminal (and `CI` is not set); otherwise it prints nothing, so logs and pipes stay clean.
"""

import os
import sys
import time


def interactive(stream):
    """A person is watching: the stream is a terminal and this is not a CI run."""
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("CI")


def clock(seconds):
    """h:mm:ss or m:ss."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    """One redrawn status line; `advance(n, failed=k)` after each piece of work, `close()` at the end."""

    def __init__(self, total, label, unit="documents", stream=None, enabled=None, every=0.2):
        self.stream = stream or sys.stderr
        self.enabled = interactive(self.stream) if enabled is None else enabled
        self.total, self.label, self.unit, self.every = total, label, unit, every
        self.done = self.failed = self.skipped = 0
        self.start = self.shown = time.monotonic()

    def advance(self, count=1, failed=0, skipped=0):
        """`count` more done, of which `failed` failed and `skipped` needed no work (cached)."""
        self.done += count
        self.failed += failed
        self.skipped += skipped
        now = time.monotonic()
        if self.enabled and (now - self.shown >= self.every or self.done >= self.total):
            self.shown = now
            self.stream.write("\r" + self.line(now) + "\033[K")
            self.stream.flush()

    def line(self, now=None):
        """The status text: `build 1,234/10,000 documents (1,000 cached) 250/s 0:35 left, 2 failed`."""
        elapsed = max((now or time.monotonic()) - self.start, 1e-9)
        worked = self.done - self.skipped
        rate = worked / elapsed
        text = f"{self.label} {self.done:,}/{self.total:,} {self.unit}"
        if self.skipped:
            text += f" ({self.skipped:,} cached)"
        if worked:
            text += f" {rate:,.0f}/s"
        if rate > 0 and self.done < self.total:
            text += f" {clock((self.total - self.done) / rate)} left"
        elif self.done >= self.total:
            text += f" in {clock(elapsed)}"
        if self.failed:
            text += f", {self.failed:,} failed"
        return text

    def track(self, items, every=1000):
        """Yield the items, advancing by one each (redrawn every `every` items)."""
        count = 0
        for count, item in enumerate(items, 1):
            yield item
            if count % every == 0:
                self.advance(every)
        self.advance(count % every)

    def close(self):
        self.total = max(self.total, self.done) if self.total else self.done
        if self.enabled:
            self.stream.write("\r" + self.line() + "\033[K\n")
            self.stream.flush()


def line_count(paths):
    """Newlines in the files: a quick estimate of CSV rows for a progress total (text cells may hold more)."""
    total = 0
    for path in paths:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 24):
                total += chunk.count(b"\n")
    return total - len(paths)


def row_progress(paths, label):
    """A Progress over the rows of CSV files; their lines are counted only when someone watches."""
    progress = Progress(0, label, unit="rows")
    if progress.enabled:
        progress.total = line_count(paths)
    return progress
