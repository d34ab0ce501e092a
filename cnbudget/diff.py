"""Year-over-year diff of budget lines, matched by meaning rather than by position.

`diff_sides(old, new)` compares two sides (each loaded by `load_side` from a disclosure file, a
package folder, a budget_lines CSV, a document id or a fiscal year of the package) and returns one
plain dict, the JSON contract of `cnbudget diff`:

- `old`, `new`: `{"documents": [{document_id, fiscal_year, unit_name}], "fiscal_years": [...],
  "source": what was asked for}`; `old` is null when only NEW was given.
- `summary`: `counts` (changed, added, removed, renamed, recoded, unchanged, stated_vs_computed by
  status, units compared / only in old / only in new) and `totals`: per statement, the sum of its
  `total` lines in both years (`old_yuan`, `new_yuan`, `change_yuan`, `change_pct`).
- `changed`, `renamed`, `recoded`, `added`, `removed`: one dict per line, flat, sorted by unit,
  statement, item. A matched line has `unit`, `statement`, `statement_title`, `item`,
  `function_code`, `label`, `old_label`, `old_yuan`, `new_yuan`, `change_yuan`, `change_pct`
  (string with 2 decimals, null when old is 0 or a side has no amount), `old_quantity`,
  `new_quantity`, `changed_fields` (the fields deepdiff found changed), `field_changes`
  (old/new value of each changed field other than amount and label), `basis` (`computed`, or
  `as_stated` when the prior-year figure is the one NEW states), and the provenance of both
  sides: `old_document_id`, `old_line_id`, `old_source_line`, `old_page`, `new_...`. Added and
  removed lines carry the same keys, with the missing side null.
- `stated_vs_computed`: each prior-year comparison NEW states, with `stated_change_yuan`,
  `computed_change_yuan` (null unless OLD holds the line), `prior_yuan`, `new_yuan` and `status`:
  `agrees`, `rounding` (gap at most 100 元), `differs`, `no_prior_line`, or `as_stated` (OLD
  not loaded for that unit and year: the prior-year figure is NEW's own statement).

Amounts are integer 元 everywhere; percentages are decimal strings, never floats.
"""

import csv
import gc
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from deepdiff import DeepDiff

from cnbudget.errors import InputError
from cnbudget.schema import STATEMENTS, columns

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "datasets" / "package"
CROSSWALK = Path(__file__).resolve().parent.parent / "datasets" / "reference" / "function_code_crosswalk.csv"

# A line's meaning: the same key in two years is the same line.
KEY_COLUMNS = ["statement", "item", "function_code", "fund_source", "expense_type",
               "economic_class", "project_name", "table_name"]
# What can change between years on one line; the printed form (amount_text) follows the amount.
VALUE_COLUMNS = ["label", "amount_yuan", "quantity", "quantity_unit", "stated_share"]
ROUNDING_YUAN = 100
KINDS = ["changed", "renamed", "recoded", "added", "removed"]


class Side:
    """Budget lines of one side of a diff, as strings in schema order, with their documents."""

    def __init__(self, source, documents, header, rows, stated_changes=()):
        self.source = str(source)
        self.documents = documents  # document_id -> documents record (may be sparse for CSV input)
        self.header = header
        self.rows = rows  # lists of strings; "" for null
        self.stated_changes = list(stated_changes)
        self.index = {name: i for i, name in enumerate(header)}

    def describe(self):
        """The `old`/`new` block of the JSON: which documents and years this side holds."""
        docs = [{"document_id": d, "fiscal_year": _int(self.documents[d].get("fiscal_year")),
                 "unit_name": self.documents[d].get("unit_name") or None}
                for d in sorted(self.documents)]
        years = sorted({d["fiscal_year"] for d in docs if d["fiscal_year"] is not None})
        return {"source": self.source, "documents": docs, "fiscal_years": years}


# ---------------------------------------------------------------- loading a side

def _str(value):
    return "" if value is None else str(value)


def _int(value):
    return None if value in (None, "") else int(value)


def side_from_result(source, result):
    """A Side from one `extract_file` result."""
    header = columns("budget_lines")
    rows = [[_str(line.get(name)) for name in header] for line in result["budget_lines"]]
    document = result["document"]
    return Side(source, {document["document_id"]: document}, header, rows, result.get("stated_changes", []))


def read_csv_rows(path):
    """(header, rows) of a CSV file; gc is paused while the rows are built (it dominates the load)."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise InputError(path, "an empty file; expected a CSV with a header row", line=1)
        enabled = gc.isenabled()
        gc.disable()
        try:
            rows = list(reader)
        finally:
            if enabled:
                gc.enable()
    return header, rows


def read_csv_dicts(path):
    """Records of a small package CSV (documents, stated_changes), nulls as None."""
    if not Path(path).exists():
        return []
    header, rows = read_csv_rows(path)
    return [{k: (v if v != "" else None) for k, v in zip(header, row)} for row in rows]


def side_from_budget_lines_csv(path, documents=None, stated_changes=()):
    """A Side from a budget_lines-shaped CSV; documents default to what the rows name."""
    header, rows = read_csv_rows(path)
    missing = [name for name in ["document_id", "fiscal_year", *KEY_COLUMNS[:2], "amount_yuan"] if name not in header]
    if missing:
        raise InputError(path, f"a budget_lines CSV; the header lacks {', '.join(missing)}", line=1)
    if documents is None:
        i_doc, i_year = header.index("document_id"), header.index("fiscal_year")
        documents = {}
        for row in rows:
            if row[i_doc] not in documents:
                documents[row[i_doc]] = {"document_id": row[i_doc], "fiscal_year": row[i_year]}
    return Side(path, documents, header, rows, stated_changes)


def side_from_package(package_dir, source=None, keep=None):
    """A Side from a built package folder; `keep(document)` selects documents (all by default)."""
    package_dir = Path(package_dir)
    lines_csv = package_dir / "budget_lines.csv"
    if not lines_csv.exists():
        raise InputError(lines_csv, "a built data package (run `cnbudget build` first)")
    documents = {d["document_id"]: d for d in read_csv_dicts(package_dir / "documents.csv")}
    changes = read_csv_dicts(package_dir / "stated_changes.csv")
    side = side_from_budget_lines_csv(lines_csv, documents or None, changes)
    if keep is not None:
        chosen = {d for d, doc in side.documents.items() if keep(doc)}
        i_doc = side.index["document_id"]
        side.documents = {d: side.documents[d] for d in chosen}
        side.rows = [row for row in side.rows if row[i_doc] in chosen]
        side.stated_changes = [c for c in side.stated_changes if c["document_id"] in chosen]
    side.source = str(source or package_dir)
    return side


def load_side(spec, package_dir=PACKAGE_DIR):
    """OLD or NEW as given on the command line -> Side."""
    path = Path(spec)
    if path.is_dir():
        return side_from_package(path)
    if path.is_file():
        if path.suffix.lower() == ".csv":
            return side_from_budget_lines_csv(path)
        from cnbudget.extract import extract_file

        return side_from_result(spec, extract_file(path))
    text = str(spec)
    if re.fullmatch(r"\d{4}", text):
        side = side_from_package(package_dir, text, lambda doc: str(doc.get("fiscal_year")) == text)
    else:
        side = side_from_package(package_dir, text, lambda doc: doc.get("document_id") == text)
    if not side.documents:
        raise InputError(spec, f"a disclosure file, package folder, budget_lines CSV, or a document id "
                               f"or fiscal year present in {package_dir}")
    return side


def load_crosswalk(path=CROSSWALK):
    """Crosswalk rows (old_code, new_code, from_year, to_year, ...) of recoded function codes."""
    return [{**row, "from_year": int(row["from_year"]), "to_year": int(row["to_year"])}
            for row in read_csv_dicts(path)]


# ---------------------------------------------------------------- matching

def unit_keys(side, other):
    """document_id -> unit key: the unit name, or the id without its year; "" when each side is one unit."""
    keys = {}
    for doc_id, doc in side.documents.items():
        keys[doc_id] = doc.get("unit_name") or re.sub(r"^\d{4}[-_]?", "", doc_id)
    if other is not None and len(set(keys.values())) == 1:
        other_keys = {doc.get("unit_name") or re.sub(r"^\d{4}[-_]?", "", d) for d, doc in other.documents.items()}
        if len(other_keys) == 1:
            return dict.fromkeys(keys, "")
    return keys


def keyed(side, units):
    """(key -> row index, value tuple per row): keys are unit + KEY_COLUMNS (+ an ordinal when repeated)."""
    i_doc = side.index["document_id"]
    key_idx = [side.index[c] for c in KEY_COLUMNS if c in side.index]
    val_idx = [side.index[c] for c in VALUE_COLUMNS if c in side.index]
    rows = side.rows
    doc_ids = [row[i_doc] for row in rows]
    unit_of = [units[d] for d in doc_ids] if len(units) > 1 else [next(iter(units.values()), "")] * len(rows)
    if len(key_idx) == 1:
        parts = [(row[key_idx[0]],) for row in rows]
    else:
        from operator import itemgetter

        parts = list(map(itemgetter(*key_idx), rows))
    keys = list(zip(unit_of, parts))
    index = dict(zip(keys, range(len(keys))))
    if len(index) != len(keys):  # the same line printed twice: number repeats in reading order
        seen, numbered = {}, []
        for key in keys:
            seen[key] = seen.get(key, -1) + 1
            numbered.append(key + (seen[key],))
        keys = numbered
        index = dict(zip(keys, range(len(keys))))
    from operator import itemgetter

    values = list(map(itemgetter(*val_idx), rows))
    return index, values


def describe_changes(pairs):
    """deepdiff over the changed records only -> {position: {field: (old, new)}}; raw output stays here."""
    if not pairs:
        return {}
    # Flat {position_field: value} dicts: deepdiff's cost grows with nesting, not with the record count.
    old = {f"{n}|{field}": value for n, (a, _b) in enumerate(pairs) for field, value in a.items()}
    new = {f"{n}|{field}": value for n, (_a, b) in enumerate(pairs) for field, value in b.items()}
    result = DeepDiff(old, new, verbose_level=1, view="tree", threshold_to_diff_deeper=0)
    described = {}
    for report in ("values_changed", "type_changes", "dictionary_item_added", "dictionary_item_removed"):
        for level in result.get(report, []):
            position, field = level.path(output_format="list")[0].split("|", 1)
            old_value = level.t1 if not _missing(level.t1) else None
            new_value = level.t2 if not _missing(level.t2) else None
            described.setdefault(int(position), {})[field] = (old_value, new_value)
    return described


def _missing(value):
    return type(value).__name__ == "NotPresent"


def percent(old, new):
    """Change in percent as a 2-decimal string, or None when the base is 0 or absent."""
    if old in (None, 0) or new is None:
        return None
    pct = (Decimal(new - old) * 100 / Decimal(old)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return str(pct)


def line_record(side, position):
    """One budget line of a side as a dict of typed values."""
    row = side.rows[position]
    return {name: (row[i] if row[i] != "" else None) for name, i in side.index.items()}


def entry(kind, old, new, unit_name, details=None):
    """One flat change record from the old and new line dicts (either may be None)."""
    base = new or old
    old_yuan = _int(old["amount_yuan"]) if old else None
    new_yuan = _int(new["amount_yuan"]) if new else None
    details = details or {}
    change = new_yuan - old_yuan if old_yuan is not None and new_yuan is not None else None
    record = {
        "kind": kind, "basis": "computed", "unit": unit_name,
        "statement": base["statement"], "statement_title": STATEMENTS.get(base["statement"], ("",))[0],
        "item": base["item"], "function_code": base.get("function_code"),
        "label": base["label"], "old_label": old["label"] if old else None,
        "old_yuan": old_yuan, "new_yuan": new_yuan, "change_yuan": change,
        "change_pct": percent(old_yuan, new_yuan),
        "old_quantity": _int(old.get("quantity")) if old else None,
        "new_quantity": _int(new.get("quantity")) if new else None,
        "changed_fields": sorted(details),
        "field_changes": {f: {"old": a, "new": b} for f, (a, b) in sorted(details.items())
                          if f not in ("amount_yuan", "label")},
    }
    for prefix, line in (("old", old), ("new", new)):
        for name in ("document_id", "line_id", "source_line", "page"):
            value = line.get(name) if line else None
            record[f"{prefix}_{name}"] = _int(value) if name != "document_id" else value
    return record


def recoded_key(key, crosswalk, old_years, new_years):
    """The key a removed line would have after a crosswalk recode, or None."""
    unit, parts = key[0], key[1]
    code = parts[KEY_COLUMNS.index("function_code")]
    for row in crosswalk.get(code, ()):
        if any(y <= row["from_year"] for y in old_years) and any(row["to_year"] <= y for y in new_years):
            parts = list(parts)
            if parts[1] == code:
                parts[1] = row["new_code"]
            parts[KEY_COLUMNS.index("function_code")] = row["new_code"]
            return (unit, tuple(parts)) + key[2:]
    return None


def diff_sides(old, new, unit=None, crosswalk=None):
    """Compare two Sides (OLD may be None); returns the documented JSON-ready dict."""
    if unit:
        for side in (old, new):
            if side is not None:
                restrict_unit(side, unit)
    new_units = unit_keys(new, old)
    old_units = unit_keys(old, new) if old is not None else {}
    shared_units = set(new_units.values()) & set(old_units.values())
    result = {"old": old.describe() if old else None, "new": new.describe(),
              **{kind: [] for kind in KINDS}}
    unchanged = 0
    if old is not None:
        unchanged = match_lines(old, new, old_units, new_units, shared_units, crosswalk, result)
    result["stated_vs_computed"] = stated_vs_computed(old, new, old_units, new_units, shared_units, result)
    for kind in KINDS:
        result[kind].sort(key=lambda e: (e["unit"] or "", e["statement"], e["item"], e["function_code"] or "",
                                         e["new_line_id"] or e["old_line_id"] or 0))
    result["summary"] = summarize(old, new, old_units, new_units, shared_units, result, unchanged)
    return result


def restrict_unit(side, unit):
    """Keep only the documents of one unit (its name, or its document id without the year)."""
    keep = {d for d, doc in side.documents.items()
            if unit in (doc.get("unit_name"), d, re.sub(r"^\d{4}[-_]?", "", d))}
    i_doc = side.index["document_id"]
    side.documents = {d: side.documents[d] for d in keep}
    side.rows = [row for row in side.rows if row[i_doc] in keep]
    side.stated_changes = [c for c in side.stated_changes if c["document_id"] in keep]


def match_lines(old, new, old_units, new_units, shared_units, crosswalk, result):
    """Fill changed/renamed/recoded/added/removed; returns the number of unchanged lines."""
    old_index, old_values = keyed(old, old_units)
    new_index, new_values = keyed(new, new_units)
    common = old_index.keys() & new_index.keys()
    differing = [k for k in common if old_values[old_index[k]] != new_values[new_index[k]]]
    removed = [k for k in old_index.keys() - common if k[0] in shared_units]
    added = {k for k in new_index.keys() - common if k[0] in shared_units}
    pairs = [(k, old_index[k], new_index[k]) for k in differing]
    recoded_pairs = []
    if crosswalk is None:
        crosswalk = load_crosswalk()
    by_code = {}
    for row in crosswalk:
        by_code.setdefault(row["old_code"], []).append(row)
    old_years = {y for y in (_int(d.get("fiscal_year")) for d in old.documents.values()) if y}
    new_years = {y for y in (_int(d.get("fiscal_year")) for d in new.documents.values()) if y}
    for key in list(removed):
        target = recoded_key(key, by_code, old_years, new_years) if by_code else None
        if target in added:
            added.discard(target)
            removed.remove(key)
            recoded_pairs.append((key, old_index[key], new_index[target]))
    names = [n for n in VALUE_COLUMNS if n in old.index and n in new.index]
    records = [(dict(zip(names, _pick(old, o, names))), dict(zip(names, _pick(new, n, names))))
               for _k, o, n in pairs + recoded_pairs]
    details = describe_changes(records)
    unit_name = unit_names(new)
    for position, (key, o, n) in enumerate(pairs + recoded_pairs):
        kind = "recoded" if position >= len(pairs) else (
            "renamed" if "label" in details.get(position, {}) else "changed")
        new_line = line_record(new, n)
        result[kind].append(entry(kind, line_record(old, o), new_line,
                                  unit_name.get(new_line["document_id"]), details.get(position)))
    old_unit_name = unit_names(old)
    for key in removed:
        line = line_record(old, old_index[key])
        result["removed"].append(entry("removed", line, None, old_unit_name.get(line["document_id"])))
    for key in added:
        line = line_record(new, new_index[key])
        result["added"].append(entry("added", None, line, unit_name.get(line["document_id"])))
    return len(common) - len(differing)


def _pick(side, position, names):
    row = side.rows[position]
    return [row[side.index[n]] for n in names]


def unit_names(side):
    """document_id -> printed unit name (or the id when the side has no documents table)."""
    return {d: doc.get("unit_name") or re.sub(r"^\d{4}[-_]?", "", d) for d, doc in side.documents.items()}


# ---------------------------------------------------------------- stated changes

def stated_vs_computed(old, new, old_units, new_units, shared_units, result):
    """Compare each change NEW states with the computed one; as_stated where OLD lacks the unit/year."""
    if not new.stated_changes:
        return []
    new_lines = {}
    i_doc, i_line = new.index["document_id"], new.index["line_id"]
    wanted = {(c["document_id"], str(c.get("line_id") or "")) for c in new.stated_changes}
    for position, row in enumerate(new.rows):
        if (row[i_doc], row[i_line]) in wanted:
            new_lines[(row[i_doc], row[i_line])] = position
    old_index = keyed(old, old_units)[0] if old is not None else {}
    new_index = keyed(new, new_units)[0]
    positions = set(new_lines.values())
    key_of = {position: key for key, position in new_index.items() if position in positions}
    old_years = {(old_units[d], _int(doc.get("fiscal_year"))) for d, doc in old.documents.items()} if old else set()
    unit_name = unit_names(new)
    out = []
    for change in sorted(new.stated_changes, key=lambda c: (c["document_id"], _int(c["change_id"]))):
        position = new_lines.get((change["document_id"], str(change.get("line_id") or "")))
        line = line_record(new, position) if position is not None else None
        new_yuan = _int(line["amount_yuan"]) if line else None
        stated = _int(change.get("change_yuan"))
        prior_year = _int(change["prior_year"])
        unit_key = new_units.get(change["document_id"])
        record = {
            "unit": unit_name.get(change["document_id"]), "document_id": change["document_id"],
            "change_id": _int(change["change_id"]), "statement": change["statement"],
            "statement_title": STATEMENTS.get(change["statement"], ("",))[0],
            "item": change["item"], "function_code": change.get("function_code"), "label": change["label"],
            "prior_year": prior_year, "direction": change["direction"], "change_text": change["change_text"],
            "stated_change_yuan": stated, "computed_change_yuan": None, "new_yuan": new_yuan,
            "prior_yuan": None, "gap_yuan": None, "new_line_id": _int(change.get("line_id")),
            "new_source_line": _int(change.get("source_line")), "old_document_id": None, "old_line_id": None,
            "old_source_line": None,
        }
        if (unit_key, prior_year) in old_years and position is not None:
            old_position = old_index.get(key_of.get(position))
            if old_position is None:
                record["status"] = "no_prior_line"
            else:
                old_line = line_record(old, old_position)
                prior = _int(old_line["amount_yuan"])
                record.update(prior_yuan=prior, old_document_id=old_line["document_id"],
                              old_line_id=_int(old_line["line_id"]), old_source_line=_int(old_line["source_line"]))
                if prior is not None and new_yuan is not None:
                    record["computed_change_yuan"] = new_yuan - prior
                record["status"] = judge(stated, record["computed_change_yuan"], record)
        else:
            record["status"] = "as_stated"
            prior = _int(change.get("prior_yuan"))
            if prior is None and new_yuan is not None and stated is not None:
                prior = new_yuan - stated
            record["prior_yuan"] = prior
            if line is not None and stated:
                as_stated = entry("changed", None, line, record["unit"])
                as_stated.update(basis="as_stated", old_yuan=prior, change_yuan=stated,
                                 change_pct=percent(prior, new_yuan), changed_fields=["amount_yuan"],
                                 change_text=change["change_text"])
                result["changed"].append(as_stated)
        out.append(record)
    return out


def judge(stated, computed, record):
    """agrees / rounding / differs for a stated vs computed change."""
    if stated is None or computed is None:
        return "differs" if stated != computed else "agrees"
    record["gap_yuan"] = computed - stated
    gap = abs(computed - stated)
    return "agrees" if gap == 0 else "rounding" if gap <= ROUNDING_YUAN else "differs"


# ---------------------------------------------------------------- summary

def statement_totals(side, units):
    """statement -> sum of its `total` lines over the compared units (integer 元)."""
    totals = {}
    if side is None:
        return totals
    i_st, i_item, i_amt, i_doc = (side.index[c] for c in ("statement", "item", "amount_yuan", "document_id"))
    for row in side.rows:
        if row[i_item] == "total" and row[i_amt] != "" and (units is None or side_unit(side, row[i_doc]) in units):
            totals[row[i_st]] = totals.get(row[i_st], 0) + int(row[i_amt])
    return totals


def side_unit(side, doc_id):
    doc = side.documents.get(doc_id, {})
    return doc.get("unit_name") or re.sub(r"^\d{4}[-_]?", "", doc_id)


def summarize(old, new, old_units, new_units, shared_units, result, unchanged):
    """Counts of each kind and statement totals of both years."""
    if old is not None:
        names = {side_unit(new, d) for d, u in new_units.items() if u in shared_units}
        names |= {side_unit(old, d) for d, u in old_units.items() if u in shared_units}
        old_totals = statement_totals(old, names)
        new_totals = statement_totals(new, names)
    else:
        old_totals, new_totals = {}, statement_totals(new, None)
        for record in result["stated_vs_computed"]:
            if record["item"] == "total" and record["prior_yuan"] is not None:
                old_totals[record["statement"]] = old_totals.get(record["statement"], 0) + record["prior_yuan"]
    totals = {}
    order = {name: n for n, name in enumerate(STATEMENTS)}
    for statement in sorted(set(old_totals) | set(new_totals), key=lambda s: (order.get(s, len(order)), s)):
        a, b = old_totals.get(statement), new_totals.get(statement)
        totals[statement] = {"title": STATEMENTS.get(statement, ("",))[0], "old_yuan": a, "new_yuan": b,
                             "change_yuan": b - a if a is not None and b is not None else None,
                             "change_pct": percent(a, b)}
    statuses = {}
    for record in result["stated_vs_computed"]:
        statuses[record["status"]] = statuses.get(record["status"], 0) + 1
    counts = {kind: len(result[kind]) for kind in KINDS}
    counts.update(
        unchanged=unchanged,
        as_stated=sum(1 for e in result["changed"] if e["basis"] == "as_stated"),
        stated_vs_computed=statuses,
        units_compared=len(shared_units),
        units_only_old=len(set(old_units.values()) - shared_units),
        units_only_new=len(set(new_units.values()) - shared_units) if old is not None else 0,
    )
    return {"counts": counts, "totals": totals}


def diff(old_spec, new_spec, unit=None, package_dir=PACKAGE_DIR, crosswalk_path=CROSSWALK):
    """`cnbudget diff`: load both sides (OLD may be None) and compare them."""
    old = load_side(old_spec, package_dir) if old_spec is not None else None
    new = load_side(new_spec, package_dir)
    return diff_sides(old, new, unit=unit, crosswalk=load_crosswalk(crosswalk_path))


# ---------------------------------------------------------------- rendering

CHANGE_COLUMNS = [
    "kind", "basis", "unit", "statement", "statement_title", "item", "function_code", "label", "old_label",
    "old_yuan", "new_yuan", "change_yuan", "change_pct", "old_quantity", "new_quantity", "changed_fields",
    "old_document_id", "old_line_id", "old_source_line", "old_page",
    "new_document_id", "new_line_id", "new_source_line", "new_page", "change_text",
]
TOP = 20


def change_rows(result):
    """Every change of a diff result as one flat row (CSV, the `changes` table), largest first."""
    entries = [e for kind in KINDS for e in result[kind]]
    entries.sort(key=lambda e: (-abs(e["change_yuan"] if e["change_yuan"] is not None
                                     else e["new_yuan"] or e["old_yuan"] or 0), KINDS.index(e["kind"]),
                                e["unit"] or "", e["statement"], e["item"]))
    return [{name: (";".join(e[name]) if name == "changed_fields" else e.get(name)) for name in CHANGE_COLUMNS}
            for e in entries]


def render_csv(result, handle):
    """Write one CSV row per change (amounts in 元) to an open text handle."""
    writer = csv.DictWriter(handle, fieldnames=CHANGE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(change_rows(result))


def wan(yuan, signed=False):
    """Integer 元 -> 万元 with two decimals, via Decimal; '—' for null."""
    if yuan is None:
        return "—"
    value = (Decimal(yuan) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value:+}" if signed else f"{value}"


def pct(text):
    return "—" if text is None else f"{Decimal(text):+}%"


def years_of(block, fallback):
    years = block["fiscal_years"] if block else []
    return "、".join(f"{y}年" for y in years) if years else fallback


def render_markdown(result, findings=None):
    """A Markdown report for people: totals, the largest changes, stated vs computed, findings."""
    new_years = years_of(result["new"], "本年")
    prior = sorted({r["prior_year"] for r in result["stated_vs_computed"]})
    old_years = years_of(result["old"], "、".join(f"{y}年" for y in prior) or "上年")
    as_stated = result["old"] is None
    counts = result["summary"]["counts"]
    out = [f"# 预算变化：{old_years} → {new_years}", ""]
    for name, block in (("上年", result["old"]), ("本年", result["new"])):
        if block:
            docs = block["documents"]
            shown = "、".join(f"{d['unit_name'] or d['document_id']}（{d['document_id']}）" for d in docs[:5])
            more = f" 等 {len(docs)} 份" if len(docs) > 5 else ""
            out.append(f"- {name}：{shown}{more}")
    if as_stated:
        out.append(f"- 上年数：未载入上年文件，取本年文件所述的增减（as_stated），只是部分比较。")
    out += ["", f"变化 {counts['changed']} 条，更名 {counts['renamed']} 条，科目调整 {counts['recoded']} 条，"
                f"新增 {counts['added']} 条，删除 {counts['removed']} 条，未变 {counts['unchanged']} 条。", ""]
    totals = result["summary"]["totals"]
    if totals:
        out += ["## 总数", "", f"| 报表 | {old_years}（万元） | {new_years}（万元） | 增减（万元） | 增减幅度 |",
                "|---|---:|---:|---:|---:|"]
        for total in totals.values():
            out.append(f"| {total['title']} | {wan(total['old_yuan'])} | {wan(total['new_yuan'])} | "
                       f"{wan(total['change_yuan'], True)} | {pct(total['change_pct'])} |")
        out.append("")
    moved = [r for r in change_rows(result) if r["kind"] in ("changed", "renamed", "recoded") and r["change_yuan"]]
    if moved:
        out += [f"## 变化最大的项目（前 {min(TOP, len(moved))} 条，共 {len(moved)} 条）", "",
                "| 单位 | 报表 | 科目编码 | 名称 | 上年（万元） | 本年（万元） | 增减（万元） | 增减幅度 | 依据 |",
                "|---|---|---|---|---:|---:|---:|---:|---|"]
        for r in moved[:TOP]:
            basis = "原文所述" if r["basis"] == "as_stated" else "计算"
            label = r["label"] if r["kind"] != "renamed" else f"{r['old_label']} → {r['label']}"
            out.append(f"| {r['unit'] or ''} | {r['statement_title']} | {r['function_code'] or ''} | {label} | "
                       f"{wan(r['old_yuan'])} | {wan(r['new_yuan'])} | {wan(r['change_yuan'], True)} | "
                       f"{pct(r['change_pct'])} | {basis} |")
        out.append("")
    for kind, title in (("renamed", "更名"), ("recoded", "科目调整"), ("added", "新增"), ("removed", "删除")):
        rows = [r for r in change_rows(result) if r["kind"] == kind]
        if rows:
            out += [f"## {title}（{len(rows)} 条）", ""]
            for r in rows[:TOP]:
                if kind == "renamed":
                    text = f"{r['old_label']} → {r['label']}"
                elif kind == "recoded":
                    text = f"{r['old_label']} → {r['label']}（{r['function_code']}）"
                else:
                    text = r["label"]
                amount = wan(r["new_yuan"] if kind != "removed" else r["old_yuan"])
                out.append(f"- {r['unit'] or ''} {r['statement_title']}：{text}，{amount}万元")
            out.append("")
    stated = result["stated_vs_computed"]
    if stated:
        status_zh = {"agrees": "一致", "rounding": "尾差", "differs": "不一致", "no_prior_line": "上年无此项",
                     "as_stated": "仅原文所述"}
        out += ["## 原文所述增减与计算值", "",
                "| 单位 | 名称 | 原文表述 | 原文增减（万元） | 计算增减（万元） | 上年（万元） | 本年（万元） | 结论 | 行 |",
                "|---|---|---|---:|---:|---:|---:|---|---:|"]
        for r in stated:
            out.append(f"| {r['unit'] or ''} | {r['label']} | {r['change_text']} | {wan(r['stated_change_yuan'], True)} | "
                       f"{wan(r['computed_change_yuan'], True)} | {wan(r['prior_yuan'])} | {wan(r['new_yuan'])} | "
                       f"{status_zh[r['status']]} | {r['new_source_line'] or ''} |")
        out.append("")
    if findings:
        severity_zh = {"error": "错误", "warning": "提示", "rounding": "尾差"}
        out += [f"## 审计发现（{len(findings)} 条）", "",
                "| 级别 | 文档 | 说明 | 应为（万元） | 实为（万元） | 行 |", "|---|---|---|---:|---:|---|"]
        for f in findings:
            out.append(f"| {severity_zh.get(f['severity'], f['severity'])} | {f['document_id']} | {f['message_zh']} | "
                       f"{wan(f['expected_yuan'])} | {wan(f['actual_yuan'])} | {f['source_lines'] or ''} |")
        out.append("")
    return "\n".join(out)
