"""Checked reading of a package descriptor: `check_descriptor(descriptor, path)` checks the shape
`cnbudget load` relies on in datapackage.json; anything else is one InputError naming the file.
(Provenance sidecars are checked by `cnbudget.provenance.read_sidecar`.)
"""

import json

from cnbudget.errors import InputError, shorten

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
