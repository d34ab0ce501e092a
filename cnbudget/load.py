"""Load the validated data package into one SQLite file for Datasette, driven by the package's schemas.

Tables, column types, primary and foreign keys come from datapackage.json (which cnbudget.schema
wrote); this module adds what only the database needs: indexes on the columns people filter and
facet on, views that lay budget_lines out like the standard disclosure tables, and FTS5 trigram
indexes for Chinese full-text search. The database is built in a temporary file next to the
target and renamed over it only when complete, so a failed load leaves the last good one in place.
"""

import csv
import json
from pathlib import Path

import sqlite_utils

from cnbudget import swap
from cnbudget.errors import InputError, path_inside, shorten
from cnbudget.inputs import check_descriptor
from cnbudget.numbers import fold_width
from cnbudget.progress import row_progress
from cnbudget.schema import columns

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# Frictionless field type -> SQLite column type. Money is integer 元 by the schema contract;
# `number` is only for ratios and never for amounts.
COLUMN_TYPES = {
    "string": str, "integer": int, "number": float, "boolean": int, "year": int,
    "date": str, "datetime": str, "time": str, "any": str,
}

# Columns people filter and facet on (first columns of a primary key are indexed already).
INDEXES = {
    "documents": [["fiscal_year"], ["region"], ["kind"], ["template"], ["unit_name"]],
    "budget_lines": [
        ["statement", "fiscal_year"], ["statement", "item"], ["fiscal_year"], ["function_code"],
        ["function_level"], ["expense_type"], ["fund_source"], ["label"],
    ],
    "stated_changes": [["fiscal_year"], ["statement", "item"], ["direction"]],
    "sections": [["heading"], ["level"]],
    "function_codes": [["level"], ["parent"], ["name"]],
    "warnings": [["rule"]],
    "findings": [["rule"], ["severity"], ["statement"]],
    "changes": [["kind"], ["unit"], ["statement", "item"], ["new_document_id"], ["old_document_id"]],
    "budget_vs_actual": [["unit", "fiscal_year"], ["statement", "item"], ["budget_document_id"]],
}

# Columns indexed with the FTS5 trigram tokenizer (the default tokenizer cannot split Chinese).
SEARCH_COLUMNS = {
    "sections": ["heading", "text"],
    "budget_lines": ["label", "source_text"],
}

# The disclosure-table views show every budget_lines column (so the figure keeps its provenance)
# plus the unit's name after document_id.
VIEW_COLUMNS = ", ".join(
    ["b.document_id", "d.unit_name"] + [f"b.{c}" for c in columns("budget_lines") if c != "document_id"]
)


def _view(where):
    """A disclosure-table view: budget_lines rows matching `where`, in primary-key (document) order."""
    return (
        f"select {VIEW_COLUMNS}\n"
        "from budget_lines b join documents d on d.document_id = b.document_id\n"
        f"where {where}\n"
        "order by b.document_id, b.line_id"
    )


# View name -> (Chinese title, SQL). Names stay ASCII: Chinese names break .json/.csv links.
VIEWS = {
    "disclosure_overview": ("部门收支总表", _view("b.statement in ('overview', 'income', 'expenditure')")),
    "disclosure_income": ("收入总表", _view("b.statement = 'income'")),
    "disclosure_expenditure": ("支出总表", _view("b.statement = 'expenditure'")),
    "disclosure_fiscal_appropriation": ("财政拨款收支总表", _view("b.statement = 'fiscal_appropriation'")),
    "disclosure_general_budget": (
        "一般公共预算支出表", _view("b.statement in ('general_budget', 'function_class')"),
    ),
    "disclosure_basic_expenditure": (
        "基本支出表", _view("b.statement in ('basic_expenditure', 'economic_class')"),
    ),
    "disclosure_three_public": ("“三公”经费表", _view("b.statement = 'three_public'")),
    "disclosure_government_fund": ("政府性基金预算支出表", _view("b.statement = 'government_fund'")),
}


def read_package(package_dir):
    """The parsed datapackage.json of a package folder; a missing or broken one is an InputError."""
    path = Path(package_dir) / "datapackage.json"
    if not path.is_file():
        raise InputError(path, "a data package descriptor written by `cnbudget build`; file not found")
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(path, f"valid UTF-8 JSON ({error})", line=getattr(error, "lineno", None))
    check_descriptor(descriptor, path)  # names, fields, keys: the shape this module relies on
    for resource in descriptor["resources"]:  # every CSV read stays inside the package folder
        path_inside(package_dir, resource.get("path"), path)
    return descriptor


def load_order(resources):
    """Resources sorted so that every table comes after the tables its foreign keys point to."""
    by_name = {r["name"]: r for r in resources}
    ordered, seen = [], set()

    def visit(name):
        if name in seen or name not in by_name:
            return
        seen.add(name)
        for fk in by_name[name].get("schema", {}).get("foreignKeys", []):
            visit(fk["reference"]["resource"] or name)
        ordered.append(by_name[name])

    for resource in resources:
        visit(resource["name"])
    return ordered


def _as_list(value):
    """A Table Schema key given as a string or a list, as a list."""
    return [value] if isinstance(value, str) else list(value or [])


def create_table(db, resource):
    """Create one empty table from a resource's Table Schema: types, not-null, keys."""
    schema = resource["schema"]
    columns = {f["name"]: COLUMN_TYPES.get(f.get("type", "string"), str) for f in schema["fields"]}
    pk = _as_list(schema.get("primaryKey"))
    not_null = [f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")]
    foreign_keys = []
    for fk in schema.get("foreignKeys", []):
        fields, ref = _as_list(fk["fields"]), fk["reference"]
        # SQLite foreign keys here are single-column, which is all the schema declares.
        foreign_keys.append((fields[0], ref["resource"] or resource["name"], _as_list(ref["fields"])[0]))
    db[resource["name"]].create(
        columns, pk=tuple(pk) if len(pk) > 1 else (pk[0] if pk else None),
        not_null=not_null, foreign_keys=foreign_keys,
    )


def _converter(field, path):
    """A function turning one CSV cell of `field` into its SQLite value (empty cell -> NULL)."""
    kind = field.get("type", "string")
    name = field["name"]
    if kind in ("integer", "year"):
        def convert(text, line):
            try:
                value = int(text)
            except ValueError:
                raise InputError(path, f"an integer in column {name}, got {shorten(repr(text), 60)}", line=line)
            if not INT64_MIN <= value <= INT64_MAX:  # SQLite's INTEGER is a signed 64-bit number
                raise InputError(path, f"an integer of at most 64 bits in column {name}, got {len(text):,} digits",
                                 line=line)
            return value
    elif kind == "number":
        def convert(text, line):
            try:
                return float(text)
            except ValueError:
                raise InputError(path, f"a number in column {name}, got {text!r}", line=line)
    elif kind == "boolean":
        true_values = set(field.get("trueValues", ["true", "True", "TRUE", "1"]))
        false_values = set(field.get("falseValues", ["false", "False", "FALSE", "0"]))

        def convert(text, line):
            if text in true_values:
                return 1
            if text in false_values:
                return 0
            raise InputError(path, f"true or false in column {name}, got {text!r}", line=line)
    else:
        def convert(text, line):
            return text
    return convert


def read_rows(package_dir, resource):
    """Yield the typed rows of one CSV resource; a malformed cell is an InputError with its line."""
    path = Path(package_dir) / resource["path"]
    fields = resource["schema"]["fields"]
    missing = set(resource["schema"].get("missingValues", [""]))
    converters = [(f["name"], _converter(f, path)) for f in fields]
    try:
        with open(path, encoding=resource.get("encoding", "utf-8"), newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            expected = [f["name"] for f in fields]
            if header != expected:
                raise InputError(path, f"header {','.join(expected)}, got {','.join(header or [])}", line=1)
            for cells in reader:
                if len(cells) != len(converters):
                    raise InputError(path, f"{len(converters)} cells, got {len(cells)}", line=reader.line_num)
                yield {
                    name: None if cell in missing else convert(cell, reader.line_num)
                    for (name, convert), cell in zip(converters, cells)
                }
    except FileNotFoundError:
        raise InputError(path, f"the CSV file of resource {resource['name']}; file not found")
    except UnicodeDecodeError as error:
        raise InputError(path, f"UTF-8 text ({error.reason} at byte {error.start})")


def create_indexes(db):
    """Index the filter and facet columns of every loaded table that has them.

    Each index ends with the table's primary key, the order Datasette pages rows in, so a filtered
    page reads its first rows straight from the index instead of sorting every match.
    """
    for table, index_list in INDEXES.items():
        if not db[table].exists():
            continue
        present = set(db[table].columns_dict)
        pks = [pk for pk in db[table].pks if pk != "rowid"]
        for columns in index_list:
            if set(columns) <= present:
                db[table].create_index(columns + [pk for pk in pks if pk not in columns], if_not_exists=True)


# Quote marks a citizen does not type: `三公经费` must find `“三公”经费`, `《预算法》` must find 预算法.
SEARCH_DROPPED = set("“”‘’\"'「」『』《》〈〉【】")


def search_fold_map(text):
    """The folded form of `text` (full-width to ASCII, quote marks and letter-spacing dropped) and,
    for each folded character, the index of the character it came from (to highlight the original)."""
    folded, origin = [], []
    for i, char in enumerate(text or ""):
        if char in SEARCH_DROPPED:
            continue
        folded.append(fold_width(char))
        origin.append(i)
    # a single space between two Han characters is letter-spacing (因 公 出 国)
    kept = [j for j, char in enumerate(folded)
            if not (char == " " and 0 < j < len(folded) - 1 and _is_han(folded[j - 1]) and _is_han(folded[j + 1]))]
    return "".join(folded[j] for j in kept), [origin[j] for j in kept]


def _is_han(char):
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def search_fold(text):
    """The form both the search index and a search query are folded to (see search_fold_map)."""
    return search_fold_map(text)[0] if text else text


def create_search(db):
    """FTS5 trigram indexes on section text and budget line labels (matches 3+ character queries).

    The index holds the folded text (search_fold): the table keeps the text as printed, and the
    site folds each query the same way, so quotes and full-width forms never stop a match.
    """
    db.conn.create_function("cnb_search_fold", 1, search_fold, deterministic=True)
    indexed = []
    for table, columns in SEARCH_COLUMNS.items():
        if db[table].exists():
            fts = f"{table}_fts"
            db[table].enable_fts(columns, fts_version="FTS5", tokenize="trigram", create_triggers=False)
            db.execute(f"insert into [{fts}]([{fts}]) values ('delete-all')")
            folded = ", ".join(f"cnb_search_fold([{c}])" for c in columns)
            db.execute(f"insert into [{fts}] (rowid, {', '.join(f'[{c}]' for c in columns)}) "
                       f"select rowid, {folded} from [{table}]")
            indexed.append(fts)
    return indexed


def create_views(db):
    """Create the disclosure-table views that budget_lines and documents allow."""
    if not (db["budget_lines"].exists() and db["documents"].exists()):
        return []
    for name, (_title, sql) in VIEWS.items():
        db.create_view(name, sql, replace=True)
    return list(VIEWS)


def load_package(package_dir, db_path):
    """Build db_path from a data package; replace the old database only when the new one is complete."""
    package_dir, db_path = Path(package_dir), Path(db_path)
    descriptor = read_package(package_dir)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = swap.temp_file(db_path)  # beside the target; leftovers of killed loads removed first
    try:
        db = sqlite_utils.Database(tmp_path)
        # No journal and no fsync while building: a crash leaves only the temp file, never served.
        db.execute("pragma journal_mode = off")
        db.execute("pragma synchronous = off")
        counts = {}
        progress = row_progress([package_dir / r["path"] for r in descriptor["resources"]], "load")
        for resource in load_order(descriptor["resources"]):
            create_table(db, resource)
            db[resource["name"]].insert_all(progress.track(read_rows(package_dir, resource)), batch_size=2000)
            counts[resource["name"]] = db[resource["name"]].count
        progress.close()
        create_indexes(db)
        search = create_search(db)
        views = create_views(db)
        db.analyze()
        db.close()
        swap.swap_file(tmp_path, db_path)  # fsynced, then renamed over the old database
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return {"database": str(db_path), "tables": counts, "views": views, "search": search}
