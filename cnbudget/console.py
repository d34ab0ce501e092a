"""What a command prints: one JSON object on stdout, or one `Error:` line on stderr — without click.

The click command line (`cnbudget.cli`) and its fast path for `cnbudget extract FILE…`
(`cnbudget.__main__`, which runs before click is imported: ~20 ms of a 0.2 s command) share
these, so both print the same bytes and the same errors.
"""

import os
import sys
from contextlib import contextmanager

from cnbudget.errors import InputError, describe_os_error, one_line


def print_json(data):
    """Print one JSON object, keys sorted, Chinese unescaped (orjson: the same bytes as json.dumps, 10x faster)."""
    import orjson

    try:
        encoded = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    except TypeError:  # a value orjson does not know (a Decimal, a non-string key): the standard library's way
        import json

        encoded = None
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
    if encoded is not None and writes_utf8_as_is(sys.stdout):
        sys.stdout.flush()
        sys.stdout.buffer.write(encoded)  # orjson's UTF-8 as it is: not decoded and encoded again (~2 ms a MB)
        sys.stdout.buffer.flush()
        return
    sys.stdout.write(text if encoded is None else encoded.decode())
    sys.stdout.flush()


def writes_utf8_as_is(stream):
    """A text stream whose bytes for a str are its UTF-8, unchanged: UTF-8 encoding, '\\n' written as it is."""
    import codecs

    encoding = getattr(stream, "encoding", None)
    try:
        utf8 = isinstance(encoding, str) and codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False
    return utf8 and hasattr(stream, "buffer") and os.linesep == "\n"


def fail(message):
    """Print `Error: message` on one line (control characters already escaped) and exit 1."""
    sys.stderr.write(f"Error: {message}\n")
    sys.stderr.flush()
    sys.exit(1)


@contextmanager
def errors_as_one_line():
    """InputError and OSError (a folder given for a file, a 5,000-character name, no permission) -> `fail`."""
    try:
        yield
    except InputError as error:
        fail(one_line(error))
    except OSError as error:
        fail(describe_os_error(error))


def extract_disclosure(paths):
    """One disclosure from one file, or from several (narrative + tables)."""
    from cnbudget.extract import extract_file, extract_files

    return extract_file(paths[0]) if len(paths) == 1 else extract_files(list(paths))
