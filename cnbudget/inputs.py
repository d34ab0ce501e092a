"""Checked readers of the small JSON inputs: provenance sidecars and package descriptors.

`read_sidecar(path)` (NAME.provenance.json) is what `cnbudget build` (package.find_sources) and
`cnbudget extract` (extract.read_provenance) call instead of a bare `json.loads`: a JSON object
whose known fields have their types; unknown keys pass through, so richer sidecars (several files,
more fields) stay readable. `check_descriptor(descriptor, path)` checks the shape `cnbudget load`
relies on in datapackage.json. Anything else is one InputError naming the file and the line.
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


FIELD_TYPES = {"string", "integer", "number", "boolean", "year", "date", "datetime", "time", "any"}


def _names(value):
    """A Table Schema key (a name or a list of names) as a list, or None when it is neither."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        return value
    return None


def check_resource(resource, path):
    """Refuse a resource `cnbudget load` cannot read: name, schema fields, keys."""
    name = resource.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(path, f"a resource name, got {shorten(repr(name), 60)}")
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list) or not fields:
        raise InputError(path, f"a schema with a list of fields in resource {name}")
    for field in fields:
        if not isinstance(field, dict) or not isinstance(field.get("name"), str) \
                or field.get("type", "string") not in FIELD_TYPES:
            raise InputError(path, f"fields with a name and a Table Schema type in resource {name}, "
                                   f"got {shorten(json.dumps(field, ensure_ascii=False), 80)}")
    if "primaryKey" in schema and _names(schema["primaryKey"]) is None:
        raise InputError(path, f"a primaryKey of field names in resource {name}")
    keys = schema.get("foreignKeys", [])
    for key in keys if isinstance(keys, list) else [None]:
        reference = key.get("reference") if isinstance(key, dict) else None
        if not isinstance(reference, dict) or _names(key.get("fields")) is None \
                or not isinstance(reference.get("resource"), str) or _names(reference.get("fields")) is None:
            raise InputError(path, f"foreignKeys with fields and a reference in resource {name}")


def check_descriptor(descriptor, path):
    """Refuse a datapackage.json whose resources `cnbudget load` cannot read."""
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise InputError(path, "a data package descriptor with a `resources` list")
    for resource in descriptor["resources"]:
        if not isinstance(resource, dict):
            raise InputError(path, f"resources that are objects, got {shorten(repr(resource), 80)}")
        check_resource(resource, path)
    return descriptor
