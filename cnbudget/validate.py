"""Row checks against the package's Table Schemas, cheap enough to run on every row of a national build.

Frictionless reads each CSV cell back and checks it against its field; on 1.4 million rows that is
~140 s of CPU. This module makes the same checks on the cells as they are written (the text that
goes into the CSV), while each document is extracted, so the result is cached with the document:
type (integer, number, string), `required`, `enum`, `pattern`, `minimum`/`maximum`, primary keys
(never empty, unique within the document), and the document's own rows pointing at its id. The
keys across documents (document ids, function codes) are checked by `KeyIndex` with Python sets.
Semantics follow frictionless 5: empty text is null, `pattern` is anchored, enum compares values.
"""

import re
from decimal import Decimal, InvalidOperation

from cnbudget.schema import SCHEMAS

MAX_ERRORS = 20  # per document: enough to see what is wrong, never a flood


def _integer(text):
    try:
        return int(text.strip())
    except ValueError:
        return None


def _number(text):
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


READERS = {"string": lambda text: text, "integer": _integer, "number": _number}
BOUNDS = {"minimum": lambda v, c: v >= c, "maximum": lambda v, c: v <= c,
          "exclusiveMinimum": lambda v, c: v > c, "exclusiveMaximum": lambda v, c: v < c}


class UnsupportedSchema(Exception):
    """A schema uses a type or constraint this checker does not know: extend it, never skip it."""


def cell(value):
    """The CSV text of one value, exactly as the package writer writes it (None is empty)."""
    return "" if value is None else str(value)


class FieldCheck:
    """One field's type and constraints, compiled once."""

    def __init__(self, field, in_primary_key):
        self.name = field["name"]
        if field["type"] not in READERS:
            raise UnsupportedSchema(f"field {self.name}: type {field['type']}")
        self.read = READERS[field["type"]]
        constraints = dict(field.get("constraints", {}))
        unknown = set(constraints) - {"required", "enum", "pattern", *BOUNDS}
        if unknown:
            raise UnsupportedSchema(f"field {self.name}: constraints {sorted(unknown)}")
        self.required = constraints.pop("required", False) or in_primary_key
        self.enum = None if "enum" not in constraints else {self.read(cell(v)) for v in constraints.pop("enum")}
        pattern = constraints.pop("pattern", None)
        self.pattern = None if pattern is None else re.compile(f"^{pattern}$")
        self.bounds = [(BOUNDS[name], self.read(cell(limit))) for name, limit in constraints.items()]

    def error(self, text):
        """What is wrong with one cell, or None."""
        if text == "":
            return "is empty but required" if self.required else None
        value = self.read(text)
        if value is None:
            return f"{text[:40]!r} is not of its type"
        if self.enum is not None and value not in self.enum:
            return f"{text[:40]!r} is not one of its enum"
        if self.pattern is not None and not self.pattern.match(value):
            return f"{text[:40]!r} does not match its pattern"
        if any(not within(value, limit) for within, limit in self.bounds):
            return f"{text[:40]!r} is out of its bounds"
        return None


class TableCheck:
    """Checks of one resource's rows: every field, and its primary key unique among the rows seen."""

    def __init__(self, resource):
        schema = SCHEMAS[resource]
        self.resource = resource
        self.key = schema.get("primaryKey", [])
        self.fields = [FieldCheck(f, f["name"] in self.key) for f in schema["fields"]]
        self.names = [f.name for f in self.fields]
        self.key_index = [self.names.index(name) for name in self.key]
        self.seen = set()

    def cells(self, row):
        """The row as CSV cells in schema order."""
        return [cell(row.get(name)) for name in self.names]

    def errors(self, cells, number):
        """Error lines of one row (`number` counts from 1 within what is checked)."""
        found = []
        if not any(cells):
            found.append(f"{self.resource} row {number}: blank row")
        for field, text in zip(self.fields, cells):
            problem = field.error(text)
            if problem:
                found.append(f"{self.resource} row {number}: {field.name} {problem}")
        if self.key_index:
            key = tuple(cells[i] for i in self.key_index)
            if key in self.seen:
                found.append(f"{self.resource} row {number}: primary key {self.key}={list(key)} is not unique")
            self.seen.add(key)
        return found


def document_cells(tables, document_id):
    """({resource: rows as CSV cells}, error lines) of one extracted document's tables; at most MAX_ERRORS errors."""
    cells_of, errors = {}, []
    for resource, rows in tables.items():
        check = TableCheck(resource)
        reference = "document_id" in check.names and resource != "documents"
        cells_of[resource] = []
        for number, row in enumerate(rows, start=1):
            cells = check.cells(row)
            cells_of[resource].append(cells)
            if len(errors) < MAX_ERRORS:
                errors += check.errors(cells, number)
                if reference and row.get("document_id") != document_id:
                    errors.append(f"{resource} row {number}: document_id {row.get('document_id')!r} "
                                  f"is not this document's {document_id!r}")
    return cells_of, errors[:MAX_ERRORS]


class KeyIndex:
    """Keys across documents, in Python sets: document ids unique, function codes resolved."""

    def __init__(self):
        self.document_ids = set()
        self.codes_used = {}  # code -> first document that printed it
        self.errors = []

    def add_document(self, document_id, codes_used):
        if document_id in self.document_ids:
            self.errors.append(f"documents: document_id {document_id!r} is not unique")
        self.document_ids.add(document_id)
        for code in codes_used:
            self.codes_used.setdefault(code, document_id)

    def check_function_codes(self, rows):
        """budget_lines.function_code and function_codes.parent resolve to a code of the table."""
        codes = {row["code"] for row in rows}
        for code, document_id in sorted(self.codes_used.items()):
            if code not in codes:
                self.errors.append(f"budget_lines: function_code {code!r} of {document_id} is not in function_codes")
        for row in rows:
            if row.get("parent") and row["parent"] not in codes:
                self.errors.append(f"function_codes: parent {row['parent']!r} of {row['code']} is not a code")
        return self.errors
