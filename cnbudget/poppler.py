"""poppler's `pdftotext -layout` as a child process, started early and collected when it is needed.

`cnbudget extract a.pdf` spends ~0.07 s in pdftotext and about as long importing Python modules;
on two cores both run at once when the command line starts pdftotext first (`cnbudget.__main__`
calls `start_for_command(argv)` before it imports anything else) and the PDF reader collects the
text later (`layout_text(path)`, which runs pdftotext itself when nothing was started for that
file). The text goes to an anonymous in-memory file, not a pipe, so pdftotext never waits for a
reader that is still importing. A process never collected is killed and reaped at exit.
Only `os` and `subprocess` are imported here: this runs before the rest of cnbudget is loaded.
"""

import os
import subprocess

COMMAND = "pdftotext"
OPTIONS = ("-layout", "-enc", "UTF-8", "-eol", "unix")
TIMEOUT_SECONDS = 120
MAX_STARTED = 4  # a command naming more PDFs runs the rest when it reads them
READS_FILES = ("extract", "check")  # commands whose arguments are disclosures

_started = {}  # file identity -> (process, file holding its output)


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


def spawn(path):
    """(process, output file) of pdftotext on `path`; OSError (FileNotFoundError) when it is not installed."""
    out = output_file()
    try:
        process = subprocess.Popen([COMMAND, *OPTIONS, os.fspath(path), "-"], stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=subprocess.PIPE)
    except BaseException:
        out.close()
        raise
    return process, out


def layout_text(path):
    """(exit status, text bytes, stderr bytes) of pdftotext on `path`: the process started for it, else a new one.

    Raises FileNotFoundError when pdftotext is not installed and subprocess.TimeoutExpired (the
    process killed and reaped) when it runs longer than TIMEOUT_SECONDS.
    """
    process, out = (take_started(path) if _started else None) or spawn(path)
    with out:
        try:
            _, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
        except BaseException:
            stop(process)
            raise
        out.seek(0)
        return process.returncode, out.read(), stderr


def stop(process):
    """Kill and reap a child that is no longer wanted (never a zombie, never a wait without end)."""
    process.kill()
    process.communicate()


def stop_all():
    """At exit: the processes started for files that were never read."""
    while _started:
        process, out = _started.popitem()[1]
        stop(process)
        out.close()
