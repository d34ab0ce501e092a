"""Provenance sidecars (NAME.provenance.json) read and checked: a JSON object whose known fields have
their types, else one InputError naming the sidecar and the line.

`read_sidecar(path)` is what `cnbudget build` (package.find_sources) and `cnbudget extract`
(extract.read_provenance) call instead of a bare `json.loads`; unknown keys pass through, so
richer sidecars (several files, more fields) stay readable.
"""

import json
from pathlib import Path, PurePosixPath

from cnbudget.errors import InputError, shorten

# Known fields and their JSON types; null is allowed for every one but `file`.
FIELDS = {
    "file": str, "document_id": str, "unit_name": str, "unit_name_en": str, "region": str, "title": str,
    "fiscal_year": int, "kind": str, "level": str, "sha256": str, "encoding": str, "source_url": str,
    "obtained": str, "synthetic": bool,
}
TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false"}


def line_of(text, key):
    """The line where `"key"` first appears in the JSON text (1 when not found)."""
    at = text.find(f'"{key}"')
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def check_field(path, text, key, value):
    """Refuse a known field of the wrong type (a bool is not an integer; a year has four digits)."""
    kind = FIELDS[key]
    if value is None and key != "file":
        return
    wrong = not isinstance(value, kind) or (kind is int and isinstance(value, bool))
    if not wrong and key == "fiscal_year" and not 1900 <= value <= 2200:
        wrong = True
    if not wrong and key == "file":
        name = PurePosixPath(value.replace("\\", "/"))
        wrong = not value or name.is_absolute() or ".." in name.parts or "\x00" in value
    if wrong:
        expected = "a file name beside the sidecar" if key == "file" else (
            "a year such as 2023" if key == "fiscal_year" else TYPE_NAMES[kind])
        raise InputError(path, f"{expected} in field {key}, got {shorten(json.dumps(value, ensure_ascii=False), 60)}",
                         line=line_of(text, key))


def read_sidecar(path):
    """The sidecar's JSON object; bad JSON, another JSON value or a mistyped field is an InputError."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(path, f"a UTF-8 JSON provenance sidecar ({error.reason} at byte {error.start:,})") from None
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(path, f"a JSON provenance sidecar ({error.msg})", line=error.lineno) from None
    except RecursionError:
        raise InputError(path, "a JSON provenance sidecar (nested too deeply)") from None
    if not isinstance(meta, dict):
        raise InputError(path, f"a JSON object of provenance fields, got {type(meta).__name__}", line=1)
    for key, value in meta.items():
        if key in FIELDS:
            check_field(path, text, key, value)
    return meta
