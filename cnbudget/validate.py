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
from functools import lru_cache

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
        self.surely_valid = self.fast_check()

    def fast_check(self):
        """A cheap test that a non-empty cell is valid (a string in its enum, ASCII digits within bounds),
        or None; a cell it does not pass still goes through `error`."""
        if self.read is READERS["string"] and self.enum is not None and self.pattern is None and not self.bounds:
            return frozenset(self.enum).__contains__
        if self.read is _integer and self.enum is None and self.pattern is None:
            bounds = self.bounds
            return lambda text: text.isdigit() and text.isascii() and all(within(int(text), limit)
                                                                          for within, limit in bounds)
        return None

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


@lru_cache(maxsize=None)
def compiled(resource):
    """A resource's field checks and the column indexes of each kind of check, compiled once per process."""
    schema = SCHEMAS[resource]
    key = schema.get("primaryKey", [])
    fields = [FieldCheck(f, f["name"] in key) for f in schema["fields"]]
    names = [f.name for f in fields]
    key_index = [names.index(name) for name in key]
    required = [i for i, f in enumerate(fields) if f.required]
    integers = [i for i, f in enumerate(fields) if f.read is _integer and not (f.enum or f.bounds)]
    others = [(i, f.surely_valid) for i, f in enumerate(fields)
              if f.enum is not None or f.pattern or f.bounds or f.read is _number]
    return key, fields, names, key_index, required, integers, others


class TableCheck:
    """Checks of one resource's rows: every field, and its primary key unique among the rows seen.

    The common cases run as plain loops over column indexes (a required cell is not empty, an
    integer cell is ASCII digits); only a cell that fails them, or has an enum, pattern or bound,
    goes through its FieldCheck.
    """

    def __init__(self, resource):
        self.resource = resource
        (self.key, self.fields, self.names, self.key_index, self.required, self.integers,
         self.others) = compiled(resource)
        self.seen = set()

    def cells(self, row):
        """The row as CSV cells in schema order."""
        return ["" if v is None else v if type(v) is str else str(v) for v in map(row.get, self.names)]

    def errors(self, cells, number):
        """Error lines of one row (`number` counts from 1 within what is checked)."""
        bad = [i for i in self.required if not cells[i]]
        bad += [i for i in self.integers if cells[i] and not (cells[i].isdigit() and cells[i].isascii())
                and _integer(cells[i]) is None]
        bad += [i for i, fast in self.others if cells[i] and not (fast and fast(cells[i])) and self.fields[i].error(cells[i])]
        found = [f"{self.resource} row {number}: {self.names[i]} {self.fields[i].error(cells[i])}"
                 for i in sorted(set(bad))]
        if not any(cells):
            found.insert(0, f"{self.resource} row {number}: blank row")
        if self.key_index:
            key = tuple([cells[i] for i in self.key_index])
            if key in self.seen:
                found.append(f"{self.resource} row {number}: primary key {self.key}={list(key)} is not unique")
            self.seen.add(key)
        return found

    def all_valid(self, rows):
        """Whether every row of cells passes `errors` (none seen before), checked column by column on
        each column's distinct values: the common case of a table without an error, at a fraction of
        the cost of `errors` row by row (which names the errors when this says False)."""
        if not rows:
            return True
        if self.seen or not all(map(any, rows)):
            return False
        columns = list(zip(*rows))
        if not all(all(columns[i]) for i in self.required):
            return False
        for i in self.integers:
            if any(text and not (text.isdigit() and text.isascii()) and _integer(text) is None for text in set(columns[i])):
                return False
        for i, fast in self.others:
            if any(text and not (fast and fast(text)) and self.fields[i].error(text) for text in set(columns[i])):
                return False
        keys = list(zip(*[columns[i] for i in self.key_index]))
        return len(set(keys)) == len(keys)


def document_cells(tables, document_id):
    """({resource: rows as CSV cells}, error lines) of one extracted document's tables; at most MAX_ERRORS errors."""
    cells_of, errors = {}, []
    for resource, rows in tables.items():
        check = TableCheck(resource)
        reference = "document_id" in check.names and resource != "documents"
        cells = [check.cells(row) for row in rows]
        if check.all_valid(cells) and not (reference and {row.get("document_id") for row in rows} - {document_id}):
            cells_of[resource] = cells
            continue
        cells_of[resource] = cells
        for number, (row, row_cells) in enumerate(zip(rows, cells), start=1):
            if len(errors) < MAX_ERRORS:
                errors += check.errors(row_cells, number)
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
