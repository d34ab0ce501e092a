"""Write beside the target, then swap it in: a build killed at any moment leaves the last good output.

`temp_dir(target)` / `temp_file(target)` make a scratch folder or file beside `target` (same file
system, so the swap is a rename) named `.<target>.tmp.<pid>.<random>`, after first removing the
leftovers of builds whose process is gone (`sweep`). `swap_dir` fsyncs the new folder, then
exchanges it with the old one in one step (Linux `renameat2(RENAME_EXCHANGE)`): readers see the old
package or the new one, never none; the old one is then in the scratch path, for the caller to
remove. `swap_file` fsyncs a file and `os.replace`s it over the target (atomic for files).
"""

import contextlib
import ctypes
import errno
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

MARK = ".tmp."
RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


def prefix(target):
    """The name every scratch path of `target` starts with: `.package.tmp.`, `.cnbudget.db.tmp.`."""
    return f".{Path(target).name}{MARK}"


def temp_dir(target):
    """A new empty folder beside `target` (leftovers of dead builds removed first)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep(target)
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix(target)}{os.getpid()}.", dir=target.parent))
    folder.chmod(0o755)
    return folder


def temp_file(target):
    """A path for a new file beside `target` (not created; leftovers of dead builds removed first)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep(target)
    handle, name = tempfile.mkstemp(prefix=f"{prefix(target)}{os.getpid()}.", dir=target.parent)
    os.close(handle)
    os.unlink(name)
    return Path(name)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def leftovers(target):
    """Scratch paths of `target` whose process is gone, plus the names older builds left
    (`.package.old`, mkdtemp's `.package.xxxxxxxx`, `.cnbudget.db.<pid>.tmp`)."""
    target = Path(target)
    if not target.parent.is_dir():
        return []
    ours = re.compile(re.escape(prefix(target)) + r"(\d+)\.")
    legacy = re.compile(re.escape(f".{target.name}.") + r"(?:old|[a-z0-9_]{8}|(\d+)\.tmp(?:-journal)?)$")
    found = []
    for path in target.parent.iterdir():
        match = ours.match(path.name) or legacy.match(path.name)
        if match and not (match.group(1) and _alive(int(match.group(1)))):
            found.append(path)
    return sorted(found)


def sweep(target):
    """Remove the leftovers of killed or failed builds of `target`; returns what was removed."""
    removed = leftovers(target)
    for path in removed:
        remove(path)
    return removed


def remove(path):
    """Remove a scratch file or folder, whatever is left of it."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def fsync_path(path, directory=False):
    """Flush one file (or a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_in_background(paths):
    """Start writing files to disk on a thread (fsync releases the GIL) while the build validates; join it
    before `swap_dir`, whose own fsync then finds them written. Errors are left to that fsync to raise."""

    def flush():
        for path in paths:
            with contextlib.suppress(OSError):
                fsync_path(path)

    thread = threading.Thread(target=flush, name="fsync", daemon=True)
    thread.start()
    return thread


def fsync_tree(folder):
    """Flush every file of a folder, its sub-folders and the folder itself."""
    for root, dirs, files in os.walk(folder):
        for name in files:
            fsync_path(os.path.join(root, name))
        for name in dirs:
            fsync_path(os.path.join(root, name), directory=True)
    fsync_path(folder, directory=True)


def _renameat2():
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


def exchange(a, b):
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    function = _renameat2()
    if function is None:
        return False
    if function(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # an old kernel or a file system without exchange
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def swap_dir(new, target):
    """Put the folder `new` at `target`; the previous folder ends up at `new` (for the caller to remove).

    With RENAME_EXCHANGE there is no moment without a folder at `target`; elsewhere the old folder
    is renamed aside and the new one renamed in right after (two renames, a tiny gap).
    """
    new, target = Path(new), Path(target)
    fsync_tree(new)
    if target.exists() and not exchange(new, target):
        aside = new.with_name(new.name + ".old")
        target.rename(aside)
        new.rename(target)
        aside.rename(new)
    elif not target.exists():
        new.rename(target)
    fsync_path(target.parent, directory=True)


def swap_file(new, target):
    """Flush the file `new` and rename it over `target` (atomic: readers see the old or the new file)."""
    fsync_path(new)
    os.replace(new, target)
    fsync_path(Path(target).parent, directory=True)
