"""The one error type a user sees: bad input, named by file, place and what was expected."""

import re

# Control characters (C0, DEL, C1: newlines, terminal escape codes) and the Unicode line and
# paragraph separators: printed as escapes so an error stays one line and cannot drive the terminal.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text):
    """`text` with every control character escaped (`\\n`, `\\x1b`): safe to print on one line."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def shorten(text, width=40):
    """A long value cut for an error message: its start, an ellipsis and its length."""
    text = str(text)
    return text if len(text) <= width else f"{text[:width]}… ({len(text):,} characters)"


class InputError(Exception):
    """A source that cannot be read as a budget disclosure."""

    def __init__(self, path, expected, line=None, page=None):
        self.path = None if path is None else str(path)  # None: not known where (a caller may say)
        self.expected = expected
        self.line = line
        self.page = page
        where = self.path or ""
        if page is not None:
            where += f", page {page}"
        if line is not None:
            where += f", line {line}"
        super().__init__(one_line(f"{where.lstrip(', ')}: {expected}" if where else expected))

    def __reduce__(self):
        # Rebuilt from its parts when it crosses a process boundary (parallel builds).
        return (self.__class__, (self.path, self.expected, self.line, self.page))


def describe_os_error(error):
    """An OSError (file name too long, a folder where a file was expected, no permission) as one line."""
    names = [name for name in (error.filename, error.filename2) if name is not None]
    where = " -> ".join(shorten(name, 200) for name in names)
    reason = error.strerror or str(error)
    return one_line(f"{where}: {reason}" if where else reason)


def path_inside(folder, relative, descriptor):
    """`folder / relative` when it stays inside `folder` (no `..`, absolute path, URL or symlink out);
    else an InputError naming the descriptor that declared it."""
    from pathlib import Path, PurePosixPath

    if not isinstance(relative, str) or not relative or "://" in relative or "\x00" in relative:
        raise InputError(descriptor, f"a resource path relative to the package folder, got {shorten(repr(relative), 80)}")
    folder = Path(folder).resolve()
    path = folder / relative
    if PurePosixPath(relative).is_absolute() or ".." in PurePosixPath(relative).parts \
            or not path.resolve().is_relative_to(folder):
        raise InputError(descriptor, f"a resource path inside the package folder, got {shorten(repr(relative), 80)}")
    return path
