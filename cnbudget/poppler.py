"""poppler's `pdftotext -layout` as a child process, started early and collected when it is needed.

`cnbudget extract a.pdf` spends ~0.07 s in pdftotext and about as long importing Python modules;
on two cores both run at once when the command line starts pdftotext first (`cnbudget.__main__`
calls `start_for_command(argv)` before it imports anything else) and the PDF reader collects the
text later (`layout_text(path)`, which runs pdftotext itself when nothing was started for that
file). The text goes to an anonymous in-memory file, not a pipe, so pdftotext never waits for a
reader that is still importing. A process never collected is killed and reaped at exit.
Only `os` is imported before the child starts (Python's start-up has loaded it already): the
child is started with `os.posix_spawnp` and awaited with `select.poll`, not with `subprocess`,
whose import (threading, signal, selectors, locale, re…) took ~17 ms before pdftotext could start.
"""

import os

COMMAND = "pdftotext"
OPTIONS = ("-layout", "-enc", "UTF-8", "-eol", "unix")
TIMEOUT_SECONDS = 120
MAX_STARTED = 4  # a command naming more PDFs runs the rest when it reads them
READS_FILES = ("extract", "check")  # commands whose arguments are disclosures

_started = {}  # file identity -> (process, file holding its output)
_while_waiting = []  # work for later that a command may do while pdftotext still runs


def identity(path):
    """The file as it is now (device, inode, size, modification time): a file changed since is not the same."""
    status = os.stat(path)
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


def start_for_command(argv):
    """Start pdftotext on each regular file named after `extract`/`check` that is a PDF, before the slow imports."""
    if not argv or argv[0] not in READS_FILES:
        return
    for arg in argv[1:]:
        if len(_started) >= MAX_STARTED:
            return
        if arg.startswith("-") or is_started(arg):
            continue  # options; the command line itself says what is wrong with them
        try:
            if not is_pdf(arg):
                continue
            key = identity(arg)
            _started[key] = spawn(arg)
        except OSError:
            continue  # not readable, or no pdftotext: the reader says so, with the file's name
        if len(_started) == 1:
            import atexit

            atexit.register(stop_all)


def while_waiting(work):
    """Run `work` (a warm-up: an import needed later) the first time a reader would wait for pdftotext.

    Nothing is waited for when pdftotext has finished: then it never runs, and whatever it would
    have done is done where it is needed. An error in it is ignored for the same reason.
    """
    _while_waiting.append(work)


def run_waiting_work():
    while _while_waiting:
        try:
            _while_waiting.pop(0)()
        except Exception:  # noqa: BLE001 (a warm-up: the real use does it again and reports)
            pass


def is_started(path):
    """Whether a process was started for this file as it is now."""
    try:
        return identity(path) in _started
    except OSError:
        return False


def take_started(path):
    """The (process, output file) started for this file as it is now, or None."""
    try:
        return _started.pop(identity(path), None)
    except OSError:
        return None  # gone since: a new run says so


def is_pdf(path):
    """A regular file that starts like a PDF (never opens a FIFO or a device, which could block)."""
    import stat

    if not stat.S_ISREG(os.stat(path).st_mode):
        return False
    with open(path, "rb") as f:
        return f.read(4) == b"%PDF"


def output_file():
    """An unnamed file for the child's text: memory-backed where Linux offers it."""
    if hasattr(os, "memfd_create"):
        return os.fdopen(os.memfd_create("pdftotext", os.MFD_CLOEXEC), "w+b")
    import tempfile

    return tempfile.TemporaryFile()


class Timeout(Exception):
    """pdftotext ran longer than TIMEOUT_SECONDS (it has been killed and reaped)."""


class Child:
    """A pdftotext started with posix_spawn: its process id, the read end of its stderr pipe, its exit status."""

    __slots__ = ("pid", "stderr", "returncode")

    def __init__(self, pid, stderr):
        self.pid = pid
        self.stderr = stderr
        self.returncode = None


def spawn(path):
    """(child, output file) of pdftotext on `path`; OSError (FileNotFoundError) when it is not installed.

    Like subprocess.Popen(…, stdin=DEVNULL, stdout=out, stderr=PIPE): the child inherits no other
    descriptor (Python opens them non-inheritable).
    """
    out = output_file()
    read_end, write_end = os.pipe()
    try:
        pid = os.posix_spawnp(COMMAND, [COMMAND, *OPTIONS, os.fspath(path), "-"], os.environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, write_end, 2)])
    except BaseException:
        out.close()
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    return Child(pid, read_end), out


def layout_text(path):
    """(exit status, text bytes, stderr bytes) of pdftotext on `path`: the process started for it, else a new one.

    Raises FileNotFoundError when pdftotext is not installed and Timeout (the process killed and
    reaped) when it runs longer than TIMEOUT_SECONDS.
    """
    child, out = (take_started(path) if _started else None) or spawn(path)
    with out:
        try:
            stderr = communicate(child, TIMEOUT_SECONDS)
        except BaseException:
            stop(child)
            raise
        out.seek(0)
        return child.returncode, out.read(), stderr


def communicate(child, timeout):
    """The child's stderr, read until it closes (it never blocks on a full pipe), then its exit status reaped."""
    import select
    import time

    deadline = time.monotonic() + timeout
    poller = select.poll()
    poller.register(child.stderr, select.POLLIN)
    chunks = []
    while True:
        if _while_waiting and not poller.poll(0):
            run_waiting_work()  # pdftotext still runs: do now what is needed after it
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Timeout(f"{COMMAND} did not finish within {timeout} s")
        if poller.poll(remaining * 1000):
            chunk = os.read(child.stderr, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    reap(child)
    return b"".join(chunks)


def reap(child):
    """Wait for the child's exit (once) and close its pipe: returncode as subprocess gives it (-N: killed by signal N)."""
    if child.returncode is None:
        _, status = os.waitpid(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.stderr is not None:
        os.close(child.stderr)
        child.stderr = None


def stop(child):
    """Kill and reap a child that is no longer wanted (never a zombie, never a wait without end)."""
    if child.returncode is None:
        import signal

        try:
            os.kill(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # exited already: reaped below
    reap(child)


def stop_all():
    """At exit: the processes started for files that were never read."""
    while _started:
        child, out = _started.popitem()[1]
        stop(child)
        out.close()
