"""Provenance sidecars (NAME.provenance.json): read and validated strictly, one clear error each.

A sidecar describes one document: `file` (one source file) or `files` (a disclosure published as
several files, read together in the order listed, e.g. Beijing's 附件1 情况说明 + 附件2 报表),
and the facts the cover may not print (`unit_name`, `fiscal_year`, `kind`, `level`, `region`…).
"""

import json
import re

from cnbudget.cover import KINDS, LEVELS
from cnbudget.errors import InputError
from cnbudget.reading import as_path, read_bytes

# field -> (accepted types, description of what is expected)
FIELDS = {
    "file": (str, "a file name beside the sidecar"),
    "files": (list, "a list of file names beside the sidecar, in reading order"),
    "document_id": (str, "a string"),
    "unit_name": (str, "a string (the unit's name as printed)"),
    "unit_name_en": (str, "a string"),
    "region": (str, "a string such as '四川省攀枝花市西区'"),
    "fiscal_year": (int, "a year such as 2026"),
    "kind": (str, "one of " + "、".join(KINDS)),
    "level": (str, "one of " + ", ".join(LEVELS)),
    "title": (str, "a string"),
    "sha256": (str, "64 hexadecimal digits"),
    "encoding": (str, "a string"),
    "source_url": (str, "a URL string or null"),
    "obtained": (str, "a string or null"),
    "synthetic": (bool, "true or false"),
}
# Fields that, when given, override what the cover says.
SIDECAR_FIELDS = ("unit_name", "fiscal_year", "kind", "level", "region")


def sidecar_path(path):
    """NAME.provenance.json beside the source; a Path is not parsed again into a Path (pathlib's costliest step)."""
    return as_path(path).with_suffix(".provenance.json")


def read_provenance(path):
    """The validated sidecar beside a source (NAME.provenance.json), or {} when there is none."""
    sidecar = sidecar_path(path)
    try:
        data = read_bytes(sidecar)  # one system call where exists() and then reading made two
    except (FileNotFoundError, NotADirectoryError):
        return {}
    return read_sidecar(sidecar, data)


def read_sidecar(sidecar, data=None):
    """A sidecar file's fields, validated; bad JSON or a bad field is one InputError with its line."""
    text = (sidecar.read_bytes() if data is None else data).decode("utf-8-sig", "replace")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(sidecar, f"invalid JSON ({error.msg}); expected a JSON object of provenance fields",
                         line=error.lineno) from None
    except RecursionError:
        raise InputError(sidecar, "JSON nested too deeply; expected a JSON object of provenance fields") from None
    return validate_provenance(sidecar, data, text)


def files_ok(value):
    """`files`: a non-empty list of non-empty names, none a path."""
    return bool(value) and all(isinstance(v, str) and v for v in value) and names_ok(value)


def names_ok(names):
    """File names beside the sidecar: no folder separators, not . or .."""
    return all("/" not in n and "\\" not in n and n not in (".", "..") for n in names)


# field -> what its value must also be, past its type
VALUE_CHECKS = {
    "files": files_ok,
    "file": lambda value: names_ok([value]),
    "kind": lambda value: value in KINDS,
    "level": lambda value: value in LEVELS,
    "fiscal_year": lambda value: 1900 <= value <= 2200,
    "sha256": lambda value: bool(re.fullmatch(r"[0-9a-f]{64}", value)),
}


def validate_provenance(sidecar, data, text=""):
    """The sidecar's fields, each of its expected type; anything else is one InputError naming the field."""
    if not isinstance(data, dict):
        raise InputError(sidecar, f"the sidecar is a JSON {type(data).__name__}; expected a JSON object "
                                  "of provenance fields", line=1)
    for name, value in data.items():
        if name not in FIELDS or value is None:
            continue
        kind, expected = FIELDS[name]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if ok and name in VALUE_CHECKS:  # one dict test, where a test of each checked name made six
            ok = VALUE_CHECKS[name](value)
        if not ok:
            raise InputError(sidecar, f"`{name}` is {json.dumps(value, ensure_ascii=False)[:40]}; expected {expected}",
                             line=line_of(text, name))
    return data


def line_of(text, name):
    """The line of the sidecar where `"name"` stands (1 when unknown)."""
    at = text.find(f'"{name}"')
    return text.count("\n", 0, at) + 1 if at >= 0 else 1
