"""Progress on long work: one redrawn line on a terminal, nothing in a pipe or in CI."""

import io

import pytest

from cnbudget.progress import Progress, clock, interactive, line_count


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("seconds, shown", [(5, "0:05"), (65, "1:05"), (3600 + 62, "1:01:02")])
def test_clock(seconds, shown):
    assert clock(seconds) == shown


def test_a_terminal_sees_done_total_rate_time_left_and_failures(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    stream = Terminal()
    progress = Progress(100, "build", stream=stream, every=0)
    progress.start -= 10  # ten seconds ago
    progress.advance(20, skipped=10)
    progress.advance(30, failed=2)
    text = stream.getvalue()
    assert text.startswith("\rbuild 20/100 documents (10 cached) 1/s")
    assert "\rbuild 50/100 documents (10 cached) 4/s 0:12 left, 2 failed" in text
    progress.close()
    assert stream.getvalue().endswith("\n")


@pytest.mark.parametrize("tty, ci, shown", [(True, None, True), (True, "true", False), (False, None, False)])
def test_quiet_in_pipes_and_ci(monkeypatch, tty, ci, shown):
    if ci:
        monkeypatch.setenv("CI", ci)
    else:
        monkeypatch.delenv("CI", raising=False)
    stream = Terminal() if tty else io.StringIO()
    assert interactive(stream) is shown
    progress = Progress(3, "load", stream=stream, every=0)
    assert list(progress.track("abc", every=2)) == ["a", "b", "c"]
    progress.close()
    assert (stream.getvalue() != "") is shown
    assert progress.done == 3


def test_line_count_estimates_rows(tmp_path):
    (tmp_path / "a.csv").write_text("h\n1\n2\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("h\n1\n", encoding="utf-8")
    assert line_count([tmp_path / "a.csv", tmp_path / "b.csv"]) == 3
