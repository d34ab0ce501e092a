"""Year-over-year diff of budget lines, matched by meaning rather than by position.

`diff_sides(old, new)` compares two sides (each loaded by `load_side` from a disclosure file, a
package folder, a budget_lines CSV, a document id or a fiscal year of the package) and returns one
plain dict, the JSON contract of `cnbudget diff`:

- `old`, `new`: `{"documents": [{document_id, fiscal_year, unit_name}], "fiscal_years": [...],
  "source": what was asked for}`; `old` is null when only NEW was given.
- `summary`: `counts` (changed, added, removed, renamed, recoded, unchanged, stated_vs_computed by
  status, units compared / only in old / only in new) and `totals`: per statement, the sum over
  documents of each one's total (the first printed: a PDF restates it in its tables) in both years
  (`old_yuan`, `new_yuan`, `change_yuan`, `change_pct`).
- `changed`, `renamed`, `recoded`, `added`, `removed`: one dict per line, flat, sorted by unit,
  statement, item. A matched line has `unit`, `statement`, `statement_title`, `item`,
  `function_code`, `label`, `old_label`, `old_yuan`, `new_yuan`, `change_yuan`, `change_pct`
  (string with 2 decimals, null when old is 0 or a side has no amount), `old_quantity`,
  `new_quantity`, `changed_fields` (`amount_yuan` when the amount differs, plus the fields deepdiff
  finds changed among label, quantity, quantity_unit, stated_share), `field_changes`
  (old/new value of each changed field other than amount and label), `basis` (`computed`, or
  `as_stated` when the prior-year figure is the one NEW states), and the provenance of both
  sides: `old_document_id`, `old_line_id`, `old_source_line`, `old_page`, `new_...`. Added and
  removed lines carry the same keys, with the missing side null.
- `findings`: the audit findings of NEW's documents (`cnbudget.checks`; from the package's
  findings.csv, or computed for a disclosure file; empty for a bare budget_lines CSV).
- `stated_vs_computed`: each prior-year comparison NEW states, with `stated_change_yuan`,
  `computed_change_yuan` (null unless OLD holds the line), `prior_yuan`, `new_yuan`, `gap_yuan`,
  `compared` (`amount`, `percent` when only a percentage is printed, `direction` when neither)
  and `status`: `agrees`, `rounding` (gap at most 100 元), `differs`, `no_prior_line`, or
  `as_stated` (OLD not loaded for that unit and year: the prior-year figure is NEW's own statement).

Amounts are integer 元 everywhere; percentages are decimal strings, never floats.

How: each line becomes a signature string (unit + key + values); polars reads the CSVs and finds
the lines whose signature is missing from the other year (an anti-join), so unchanged lines never
reach Python. Lines sharing a key are paired (changed or renamed), a removed line whose code the
crosswalk maps to an added one is recoded, the rest are added or removed. deepdiff then describes
the paired records' non-amount fields; its raw output stays in this module.
"""

import csv
import gc
import io
import json
import re
from collections import Counter
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import orjson
import polars as pl
from deepdiff import DeepDiff

from cnbudget import execution
from cnbudget.audit.common import base_of
from cnbudget.errors import InputError, shorten
from cnbudget.schema import SCHEMAS, STATEMENTS, columns

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "datasets" / "package"
CROSSWALK = Path(__file__).resolve().parent / "reference" / "function_code_crosswalk.csv"  # package data

# A line's meaning: the same key in two years is the same line.
KEY_COLUMNS = ["statement", "item", "function_code", "fund_source", "expense_type",
               "economic_class", "project_name", "table_name"]
# What can change between years on one line; the printed form (amount_text) follows the amount.
# The amount comes first: its change is arithmetic (change_yuan); deepdiff describes the rest.
VALUE_COLUMNS = ["amount_yuan", "label", "quantity", "quantity_unit", "stated_share"]
# The columns a diff keeps in memory: long texts (source_text, amount_text) are left on disk.
LINE_COLUMNS = ["document_id", "line_id", "fiscal_year", *KEY_COLUMNS, *VALUE_COLUMNS, "page", "source_line"]
ROUNDING_YUAN = 100
SEP = "\x1f"  # joins the parts of a key; never printed in a disclosure
KINDS = ["changed", "renamed", "recoded", "added", "removed"]
# Per package resource, the columns an input CSV must hold as integers, and those never empty.
INTEGERS = {name: {f["name"] for f in schema["fields"] if f["type"] in ("integer", "year")}
            for name, schema in SCHEMAS.items()}
REQUIRED = {name: {f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")}
            for name, schema in SCHEMAS.items()}


ORIGIN_COLUMNS = ["document_id", "line_id", "source_line", "page"]
LINE_FIELDS = ["unit_key", *KEY_COLUMNS, *VALUE_COLUMNS, *ORIGIN_COLUMNS]  # a signature, then an origin
SIGNATURE_COLUMNS = (*KEY_COLUMNS, *VALUE_COLUMNS)


class Side:
    """One side of a diff: its documents and its budget lines, as a polars frame or a Python list.

    Each line is a signature (unit + KEY_COLUMNS + VALUE_COLUMNS joined by SEP, "" for null; the key
    is its first 1 + len(KEY_COLUMNS) parts) beside its position and ORIGIN_COLUMNS. A CSV side is a
    polars frame: matching is an anti-join on signatures and only the differing lines come into
    Python (`cache`: position -> (signature, origin)). A side from one extracted document is a list
    (`rows`): polars' fixed cost per call would be most of the work for seventy lines.
    """

    def __init__(self, source, documents=None, stated_changes=()):
        self.source = str(source)
        self.documents = dict(documents or {})  # document_id -> documents record (sparse for a bare CSV)
        self.stated_changes = list(stated_changes)
        self.frame = None  # pos, ORIGIN_COLUMNS, sig
        self.rows = None  # or the same as tuples, for a small side
        self.cache = {}
        self.totals = {}  # document_id -> {statement: its first printed `total` line}
        self.unit_of = {}  # document_id -> unit key
        self.findings = []  # audit findings of these documents (cnbudget.checks), when known
        # (document_id, line_id) -> (phase, amount_fen) of records, and the CSV a frame was read from: what
        # budget vs actual (cnbudget.execution) needs beyond the signatures, read only when a pair exists.
        self.exact, self.lines_path = {}, None

    def set_lines(self, raw, keep=None):
        """Take budget lines from a frame of LINE_COLUMNS as strings (optionally only `keep` documents)."""
        raw = raw.select(LINE_COLUMNS).fill_null("")
        if keep is not None:
            raw = raw.filter(pl.col("document_id").is_in(list(keep)))
        for doc, year in raw.select("document_id", "fiscal_year").unique("document_id", keep="first",
                                                                        maintain_order=True).rows():
            record = self.documents.setdefault(doc, {"document_id": doc, "fiscal_year": year})
            self.unit_of[doc] = unit_key(record)
        self.documents = {d: r for d, r in self.documents.items() if d in self.unit_of or keep is None}
        unit = pl.col("document_id").replace_strict(self.unit_of, return_dtype=pl.String, default="")
        self.frame = raw.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("pos"), *ORIGIN_COLUMNS,
            pl.concat_str([unit, *KEY_COLUMNS, *VALUE_COLUMNS], separator=SEP).alias("sig"),
        )
        totals = (raw.filter((pl.col("item") == "total") & (pl.col("amount_yuan") != ""))
                  .group_by("document_id", "statement", maintain_order=True)
                  .agg(pl.col("amount_yuan").cast(pl.Int64).first()))
        for doc, statement, amount in totals.rows():
            self.totals.setdefault(doc, {})[statement] = amount

    def set_records(self, lines):
        """Take budget lines from budget_lines records (dicts), kept as a Python list."""
        for line in lines:
            doc = line["document_id"]
            if doc not in self.unit_of:
                record = self.documents.setdefault(doc, {"document_id": doc, "fiscal_year": line["fiscal_year"]})
                self.unit_of[doc] = unit_key(record)
        self.rows = []
        self.exact = {(line["document_id"], _str(line.get("line_id"))): (line.get("phase"), line.get("amount_fen"))
                      for line in lines}
        for pos, line in enumerate(lines):
            get = line.get
            values = [self.unit_of[line["document_id"]]]
            values += ["" if value is None else value if type(value) is str else str(value)
                       for value in map(get, SIGNATURE_COLUMNS)]
            origin = ["" if value is None else value if type(value) is str else str(value)
                      for value in map(get, ORIGIN_COLUMNS)]
            self.rows.append((pos, *origin, SEP.join(values)))
            if line["item"] == "total" and line.get("amount_yuan") is not None:
                # A total printed again (a PDF's narrative and its table) is the same figure, not more money.
                self.totals.setdefault(line["document_id"], {}).setdefault(line["statement"], int(line["amount_yuan"]))

    def table(self):
        """The lines as a polars frame (built from `rows` when the other side needs a join)."""
        if self.frame is None:
            names = ["pos", *ORIGIN_COLUMNS, "sig"]
            self.frame = pl.DataFrame([dict(zip(names, row)) for row in self.rows] or None,
                                      schema={"pos": pl.Int64, **{n: pl.String for n in names[1:]}})
        return self.frame

    def sigs(self):
        """(positions, signatures) of every line, in reading order."""
        if self.rows is not None:
            return [row[0] for row in self.rows], [row[-1] for row in self.rows]
        return self.frame["pos"].to_list(), self.frame["sig"].to_list()

    def fetch_positions(self, positions):
        """Bring the lines at these positions into the cache; returns [(pos, sig, origin)]."""
        wanted = set(positions)
        if self.rows is None:
            return self.fetch(self.frame.filter(pl.col("pos").is_in(list(wanted))))
        found = [(row[0], row[-1], SEP.join(row[1:-1])) for row in self.rows if row[0] in wanted]
        self.cache.update((pos, (sig, origin)) for pos, sig, origin in found)
        return found

    def select(self, doc_ids):
        """Keep only the lines and stated changes of these documents."""
        if self.rows is not None:
            self.rows = [row for row in self.rows if row[1] in doc_ids]
            self.frame = None
        else:
            self.frame = self.frame.filter(pl.col("document_id").is_in(list(doc_ids)))
        self.documents = {d: r for d, r in self.documents.items() if d in doc_ids}
        self.unit_of = {d: u for d, u in self.unit_of.items() if d in doc_ids}
        self.stated_changes = [c for c in self.stated_changes if c["document_id"] in doc_ids]
        self.findings = [f for f in self.findings if f["document_id"] in doc_ids]

    def fetch(self, frame):
        """Bring these rows of the frame into the cache; returns [(pos, sig, origin)]."""
        rows = [(pos, sig, SEP.join(origin)) for pos, sig, *origin in frame.select("pos", "sig", *ORIGIN_COLUMNS).rows()]
        self.cache.update((pos, (sig, origin)) for pos, sig, origin in rows)
        return rows

    def line(self, position):
        """One budget line as a dict (unit, KEY_COLUMNS, VALUE_COLUMNS, ORIGIN_COLUMNS; "" -> None)."""
        if position not in self.cache:
            self.fetch_positions([position])
        sig, origin = self.cache[position]
        record = {name: value or None for name, value in zip(LINE_FIELDS, (sig + SEP + origin).split(SEP))}
        record["unit"] = self.unit_name(record["document_id"])
        return record

    def unit_name(self, doc_id):
        """The printed unit name of a document (its id without the year when unknown)."""
        names = self.__dict__.setdefault("_names", {})
        if doc_id not in names:
            record = self.documents.get(doc_id, {})
            names[doc_id] = record.get("unit_name") or re.sub(r"^\d{4}[-_]?", "", doc_id)
        return names[doc_id]

    def years(self):
        return {int(d["fiscal_year"]) for d in self.documents.values() if d.get("fiscal_year") not in (None, "")}

    def describe(self):
        """The `old`/`new` block of the JSON: which documents and years this side holds."""
        docs = [{"document_id": d, "fiscal_year": _int(self.documents[d].get("fiscal_year")),
                 "unit_name": self.documents[d].get("unit_name") or None}
                for d in sorted(self.documents)]
        return {"source": self.source, "documents": docs, "fiscal_years": sorted(self.years())}


def unit_key(document):
    """What makes two years' documents the same series: unit name and kind (a budget is not compared
    with final accounts); a bare CSV gives only the document id, without its leading year."""
    if document.get("unit_name"):
        return "·".join(filter(None, (document["unit_name"], document.get("kind"))))
    return re.sub(r"^\d{4}[-_]?", "", document["document_id"])


# ---------------------------------------------------------------- loading a side

def _str(value):
    return "" if value is None else str(value)


def _int(value):
    return None if value is None or value == "" else int(value)


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector while change records are built: they hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


INTEGER = r"^-?\d{1,18}$"  # fits SQLite's signed 64-bit INTEGER
DECIMAL = r"^-?\d{1,18}(?:\.\d{1,10})?%?$"
BOMS = {b"\xef\xbb\xbf": "utf-8-sig", b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16"}


def decode_csv(path, data):
    """CSV bytes -> text: UTF-8 (the site's downloads start with a BOM), UTF-16 with its BOM, else
    GB18030 (what Excel and WPS save in Chinese Windows); NUL bytes or no text are an InputError."""
    encoding = next((name for bom, name in BOMS.items() if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data:
        raise InputError(path, "a CSV text file; it holds binary data (NUL byte)",
                         line=data[: data.index(b"\x00")].count(b"\n") + 1)
    for name in [encoding] if encoding else ["utf-8", "gb18030"]:
        try:
            text = data.decode(name)
        except UnicodeDecodeError as error:
            bad = error
            continue
        if "\x00" in text:
            raise InputError(path, "a CSV text file; it holds a NUL character", line=text[: text.index("\x00")].count("\n") + 1)
        return text.removeprefix("\ufeff")
    raise InputError(path, f"CSV text in UTF-8 or GB18030 ({bad.reason} at byte {bad.start:,})",
                     line=data[: bad.start].count(b"\n") + 1)


def read_csv_bytes(path):
    """The bytes of a CSV file; a folder, a missing file or an unreadable name is an InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "a CSV file; " + ("it is a folder" if path.is_dir() else "file not found"))
    return path.read_bytes()


def scan_csv(path, text, needed=(), what="package"):
    """Header and row count (blank lines included, as polars counts them), refusing ragged rows, a row
    cut off at the end of the file, an unclosed quote and a header without the `needed` columns."""
    if text and not text.endswith(("\n", "\r")):
        raise InputError(path, "a complete CSV file; the last row does not end with a line break (cut off?)",
                         line=text.count("\n") + 1)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise InputError(path, "a CSV file with a header row; it is empty", line=1)
        missing = [name for name in needed if name not in header]
        if missing:
            raise InputError(path, f"a {what} CSV; its header lacks {', '.join(missing)}", line=1)
        widths = Counter(map(len, reader))  # at C speed; the slow walk below only names a bad line
    except csv.Error as error:
        raise InputError(path, f"well-formed CSV ({error})", line=reader.line_num) from None
    if set(widths) - {len(header), 0}:
        for row, line in csv_rows(text):
            if row and len(row) != len(header):
                raise InputError(path, f"{len(header)} cells a row as in the header, got {len(row)}", line=line)
    return header, sum(widths.values())


def csv_rows(text):
    """(cells, line number where the row ends) of every row after the header, blank lines included."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    for row in reader:
        yield row, reader.line_num


def row_line(text, index):
    """The line number of the row at `index` (0 is the first after the header)."""
    for position, (_row, line) in enumerate(csv_rows(text)):
        if position == index:
            return line
    return None


def bad_cell(resource, name, value):
    """Why a cell cannot be read (None when it can): the diff's separator, an empty required value,
    a non-integer in an integer column."""
    if value is None or value == "":
        return "a value" if name in REQUIRED.get(resource, ()) else None
    if SEP in value:
        return "text without the \\x1f control character"
    if name in INTEGERS.get(resource, ()) and not re.match(INTEGER, value):
        return "an integer"
    if name == "change_pct_text" and not re.match(DECIMAL, value):
        return "a percentage"
    return None


def refuse_cell(path, resource, name, value, line):
    raise InputError(path, f"{bad_cell(resource, name, value)} in column {name}, got {shorten(repr(value), 60)}",
                     line=line)


def read_csv_dicts(path, resource=None):
    """Records of a small package CSV (documents, stated_changes, findings), nulls as None; a missing
    file is no records. With a `resource` name, its schema's columns and types are checked."""
    path = Path(path)
    if not path.exists():
        return []
    text = decode_csv(path, read_csv_bytes(path))
    header, _count = scan_csv(path, text, columns(resource) if resource else (), resource or "package")
    records = []
    for cells, line in csv_rows(text):
        if not cells:
            continue
        record = dict(zip(header, cells))
        for name, value in record.items():
            if resource and bad_cell(resource, name, value):
                refuse_cell(path, resource, name, value, line)
        records.append({k: (v if v != "" else None) for k, v in record.items()})
    return records


def side_from_result(source, result, with_findings=True):
    """A Side from one `extract_file` result (with its audit findings unless told otherwise)."""
    document = result["document"]
    side = Side(source, {document["document_id"]: document}, result.get("stated_changes", []))
    side.set_records(result["budget_lines"])
    if with_findings:
        from cnbudget.checks import check_extraction

        side.findings = check_extraction(result)
    return side


def side_from_budget_lines_csv(path, documents=None, stated_changes=(), keep=None, source=None):
    """A Side from a budget_lines-shaped CSV (polars reads it, on all cores); documents default to its rows'.

    Checked on the way in, the first bad row named by its line: encoding, a header with LINE_COLUMNS,
    the last row ended, every row as wide as the header, integers where the schema says integer.
    Polars refuses a row too wide; a short row reads as an empty last cell, so only when some last
    cell is empty (source_text, in the package and the site's download) are the rows walked one by one.
    """
    data = read_csv_bytes(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data or not utf8_start(data):
        data = decode_csv(path, data).encode("utf-8")  # UTF-16, GB18030, or an InputError naming the bad byte
    header = csv_header(path, data, LINE_COLUMNS, "budget_lines")
    wanted = list(dict.fromkeys([*LINE_COLUMNS, header[-1]]))
    try:
        raw = read_columns(data, wanted)
    except (pl.exceptions.PolarsError, UnicodeDecodeError):
        text = decode_csv(path, data)  # not UTF-8: GB18030, or an InputError naming the bad byte
        scan_csv(path, text)  # a quote left open, too many cells: an InputError naming the line
        data = text.encode("utf-8")
        try:
            raw = read_columns(data, wanted)
        except pl.exceptions.PolarsError as error:
            raise InputError(path, f"a budget_lines CSV ({shorten(str(error).splitlines()[0], 120)})") from None
    if raw[header[-1]].null_count():
        scan_csv(path, data.decode("utf-8-sig"))  # short rows are refused here, with their line
    check_line_values(path, raw, data, wanted)
    side = Side(source or path, documents, stated_changes)
    side.set_lines(raw.select(LINE_COLUMNS), keep)
    side.lines_path = path
    return side


def csv_header(path, data, needed, what):
    """The header row of UTF-8 CSV bytes; empty, cut off or lacking `needed` columns is an InputError."""
    if not data or data.isspace():
        raise InputError(path, "a CSV file with a header row; it is empty", line=1)
    if not data.endswith((b"\n", b"\r")):
        raise InputError(path, "a complete CSV file; the last row does not end with a line break (cut off?)",
                         line=data.count(b"\n") + 1)
    start = data[:65536].decode("utf-8-sig", errors="replace")
    header = next(csv.reader(io.StringIO(start, newline="")), [])
    missing = [name for name in needed if name not in header]
    if missing:
        raise InputError(path, f"a {what} CSV; its header lacks {', '.join(missing)}", line=1)
    return header


def utf8_start(data, size=65536):
    """Whether the first lines of `data` are UTF-8 (the rest is left to polars' own check)."""
    start = data[:size]
    if len(data) > size:
        start = start[: start.rfind(b"\n") + 1]
    try:
        start.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_columns(data, names):
    """These columns of UTF-8 CSV bytes, as strings (empty cells null)."""
    return pl.read_csv(io.BytesIO(data), columns=names, infer_schema=False, encoding="utf8")


def check_line_values(path, raw, data, names):
    """Refuse the first row with an unreadable cell (see `bad_cell`), naming its line."""
    required, integers = REQUIRED["budget_lines"], INTEGERS["budget_lines"]
    problems = [pl.col(name).str.contains(SEP, literal=True) for name in names]
    problems += [pl.col(name).is_null() for name in names if name in required]
    problems += [~pl.col(name).str.contains(INTEGER) for name in names if name in integers]
    bad = raw.with_row_index("_row").filter(pl.any_horizontal(problems).fill_null(False)).head(1)
    for row in bad.iter_rows(named=True):
        for name in names:
            if bad_cell("budget_lines", name, row[name]):
                refuse_cell(path, "budget_lines", name, row[name], row_line(data.decode("utf-8-sig"), row["_row"]))


def side_from_package(package_dir, source=None, keep=None):
    """A Side from a built package folder; `keep(document)` selects documents (all by default)."""
    package_dir = Path(package_dir)
    lines_csv = package_dir / "budget_lines.csv"
    if not lines_csv.exists():
        raise InputError(lines_csv, "a built data package (run `cnbudget build` first)")
    documents = {d["document_id"]: d for d in read_csv_dicts(package_dir / "documents.csv", "documents")}
    chosen = None if keep is None else {d for d, record in documents.items() if keep(record)}
    if chosen is not None:
        documents = {d: documents[d] for d in chosen}
    changes = [c for c in read_csv_dicts(package_dir / "stated_changes.csv", "stated_changes")
               if chosen is None or c["document_id"] in chosen]
    side = side_from_budget_lines_csv(lines_csv, documents, changes, chosen, source or package_dir)
    side.findings = [{k: _int(v) if k in ("finding_id", "expected_yuan", "actual_yuan") else v for k, v in f.items()}
                     for f in read_csv_dicts(package_dir / "findings.csv", "findings") if f["document_id"] in side.documents]
    return side


def load_side(spec, package_dir=PACKAGE_DIR):
    """OLD or NEW as given on the command line -> Side."""
    path = Path(spec)
    if is_dir(path):
        return side_from_package(path)
    if is_file(path):
        if path.suffix.lower() == ".csv":
            return side_from_budget_lines_csv(path)
        from cnbudget.extract import extract_file

        return side_from_result(spec, extract_file(path))
    text = str(spec)
    spec = shorten(spec, 120)  # an id of any length names itself in one short line
    if not (Path(package_dir) / "budget_lines.csv").exists():
        raise InputError(spec, f"a disclosure file, package folder or budget_lines CSV; or a document id or "
                               f"fiscal year of a built package, and {package_dir} has none (run `cnbudget build`)")
    if re.fullmatch(r"\d{4}", text):
        side = side_from_package(package_dir, text, lambda doc: str(doc.get("fiscal_year")) == text)
    else:
        side = side_from_package(package_dir, text, lambda doc: doc.get("document_id") == text)
    if not side.documents:
        raise InputError(spec, f"a disclosure file, package folder, budget_lines CSV, or a document id "
                               f"or fiscal year present in {package_dir}")
    return side


def is_dir(path):
    """Path.is_dir, False for a name the system cannot hold (too long): then it is an id, not a path."""
    try:
        return path.is_dir()
    except OSError:
        return False


def is_file(path):
    try:
        return path.is_file()
    except OSError:
        return False


def load_crosswalk(path=CROSSWALK):
    """Crosswalk rows (old_code, new_code, from_year, to_year, ...) of recoded function codes."""
    return [{**row, "from_year": int(row["from_year"]), "to_year": int(row["to_year"])}
            for row in read_csv_dicts(path)]


# ---------------------------------------------------------------- matching

def key_unit(key):
    """The unit part of a key (or of a signature)."""
    return key[:key.index(SEP)]


def key_of(sig):
    """The key part of a signature: unit + KEY_COLUMNS."""
    return sig.rsplit(SEP, len(VALUE_COLUMNS))[0]


def values_of(sig):
    """The VALUE_COLUMNS of a signature, as strings."""
    return sig.rsplit(SEP, len(VALUE_COLUMNS))[1:]


def differing(old, new):
    """(gone, came, unchanged): {key: [positions]} of the lines only in OLD and only in NEW (their
    signatures differ), and the number of lines in both. An anti-join on signatures; counted
    signatures when a line repeats exactly within a side (then the last copies are the extra ones)."""
    small = old.rows is not None and new.rows is not None
    if not small:
        old_frame, new_frame = old.table(), new.table()
        if not (may_repeat(old_frame) or may_repeat(new_frame)):
            gone = old.fetch(old_frame.join(new_frame.select("sig"), on="sig", how="anti"))
            came = new.fetch(new_frame.join(old_frame.select("sig"), on="sig", how="anti"))
            return by_key(gone), by_key(came), old_frame.height - len(gone)
    (old_pos, old_sigs), (new_pos, new_sigs) = old.sigs(), new.sigs()
    old_count, new_count = Counter(old_sigs), Counter(new_sigs)
    gone = extra_copies(old, old_pos, old_sigs, old_count - new_count)
    came = extra_copies(new, new_pos, new_sigs, new_count - old_count)
    return by_key(gone), by_key(came), sum((old_count & new_count).values())


def may_repeat(frame):
    """Could a signature repeat in this frame? (Counting 64-bit hashes is ~10x cheaper than strings;
    a hash collision only sends the diff down the exact, slower path.)"""
    return frame.select(pl.col("sig").hash().n_unique()).item() < frame.height


def extra_copies(side, positions, sigs, surplus):
    """Lines (pos, sig, origin) of the last `surplus[sig]` copies of each surplus signature."""
    found = {}
    for position, sig in zip(positions, sigs):
        if sig in surplus:
            found.setdefault(sig, []).append(position)
    return side.fetch_positions([p for sig, places in found.items() for p in places[-surplus[sig]:]])


def by_key(rows):
    """{key: [positions in reading order]} of (pos, sig, origin) rows."""
    grouped = {}
    for position, sig, _origin in sorted(rows):
        grouped.setdefault(key_of(sig), []).append(position)
    return grouped


def share_one_unit(old, new):
    """When each side holds exactly one unit, compare them whatever their names: blank the unit key."""
    old_units, new_units = set(old.unit_of.values()), set(new.unit_of.values())
    finals = {side: {"决算" in (d.get("kind") or "") for d in side.documents.values()} for side in (old, new)}
    if finals[old] != finals[new]:
        return  # a 预算 and a 决算 are never compared year over year (see budget_vs_actual)
    if len(old_units) == 1 and len(new_units) == 1 and old_units != new_units:
        for side in (old, new):
            if side.rows is not None:
                side.rows = [(*row[:-1], SEP + row[-1].split(SEP, 1)[1]) for row in side.rows]
                side.frame = None
            else:
                side.frame = side.frame.with_columns(pl.col("sig").str.replace(f"^[^{SEP}]*", ""))
            side.unit_of = dict.fromkeys(side.unit_of, "")


def describe_changes(pairs):
    """deepdiff over changed records -> {position: {field: (old, new)}}; its raw output stays here.

    `pairs` are (position, (old, new)) with dicts of the fields other than the amount, only for
    records whose those fields differ (== found them). Records are flattened to
    {"position|field": value}: deepdiff's cost grows with nesting, not with the number of keys.
    """
    if not pairs:
        return {}
    old = {f"{n}|{field}": value for n, (a, _b) in pairs for field, value in a.items()}
    new = {f"{n}|{field}": value for n, (_a, b) in pairs for field, value in b.items()}
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


TITLES_OF = {name: title for name, (title, _meaning) in STATEMENTS.items()}
NO_LINE = dict.fromkeys(["label", "amount_yuan", "quantity", *ORIGIN_COLUMNS])


def entry(kind, old, new, details=None):
    """One flat change record from the old and new line dicts (either may be None)."""
    base = new or old
    old, new = old or NO_LINE, new or NO_LINE
    old_yuan, new_yuan = _int(old["amount_yuan"]), _int(new["amount_yuan"])
    details = details or {}
    return {
        "kind": kind, "basis": "computed", "unit": base["unit"],
        "statement": base["statement"], "statement_title": TITLES_OF.get(base["statement"], ""),
        "item": base["item"], "function_code": base["function_code"],
        "label": base["label"], "old_label": old["label"],
        "old_yuan": old_yuan, "new_yuan": new_yuan,
        "change_yuan": new_yuan - old_yuan if old_yuan is not None and new_yuan is not None else None,
        "change_pct": percent(old_yuan, new_yuan),
        "old_quantity": _int(old["quantity"]), "new_quantity": _int(new["quantity"]),
        "changed_fields": sorted(details), "change_text": None,
        "field_changes": {f: {"old": a, "new": b} for f, (a, b) in sorted(details.items())
                          if f not in ("amount_yuan", "label")},
        "old_document_id": old["document_id"], "old_line_id": _int(old["line_id"]),
        "old_source_line": _int(old["source_line"]), "old_page": _int(old["page"]),
        "new_document_id": new["document_id"], "new_line_id": _int(new["line_id"]),
        "new_source_line": _int(new["source_line"]), "new_page": _int(new["page"]),
    }


def recoded_key(key, crosswalk, old_years, new_years):
    """The key a removed line would have after a crosswalk recode, or None."""
    parts = key.split(SEP)
    at = 1 + KEY_COLUMNS.index("function_code")
    code = parts[at]
    for row in crosswalk.get(code, ()):
        if any(y <= row["from_year"] for y in old_years) and any(row["to_year"] <= y for y in new_years):
            if parts[1 + KEY_COLUMNS.index("item")] == code:  # function lines use the code as their item
                parts[1 + KEY_COLUMNS.index("item")] = row["new_code"]
            parts[at] = row["new_code"]
            return SEP.join(parts)
    return None


def diff_sides(old, new, unit=None, crosswalk=()):
    """Compare two Sides (OLD may be None); returns the documented JSON-ready dict."""
    with paused_gc():
        for side in (old, new):
            if side is not None and unit:
                names = sorted({side.unit_name(d) for d in side.documents})
                side.select({d for d, u in side.unit_of.items() if unit in (u, d, side.unit_name(d))})
                if not side.documents:
                    raise InputError(f"--unit {unit}", f"a unit of {side.source}, which holds "
                                                       f"{'、'.join(names[:5]) or 'no document'}"
                                                       + (" …" if len(names) > 5 else ""))
        if old is not None:
            share_one_unit(old, new)
        shared = set(new.unit_of.values()) & set(old.unit_of.values()) if old is not None else set()
        result = {"old": old.describe() if old else None, "new": new.describe(), **{kind: [] for kind in KINDS}}
        unchanged = match_lines(old, new, shared, crosswalk, result) if old is not None else 0
        result["stated_vs_computed"] = stated_vs_computed(old, new, shared, result)
        for kind in KINDS:
            result[kind].sort(key=lambda e: (e["unit"] or "", e["statement"], e["item"], e["function_code"] or "",
                                             e["new_line_id"] or e["old_line_id"] or 0))
        result["summary"] = summarize(old, new, shared, result, unchanged)
        result["findings"] = new.findings
        result["budget_vs_actual"] = execution.sides_budget_vs_actual(old, new)  # a 预算 and its 决算
    return result


def match_lines(old, new, shared, crosswalk, result):
    """Fill changed/renamed/recoded/added/removed; returns the number of unchanged lines."""
    old_at, new_at, unchanged = differing(old, new)
    pairs, removed, added = [], [], {}
    for key, places in new_at.items():
        olds = old_at.get(key, [])
        pairs += zip(olds, places)  # a line printed twice pairs copy by copy, in reading order
        if key_unit(key) in shared:
            added.update((p, key) for p in places[len(olds):])
    for key, places in old_at.items():
        if key_unit(key) in shared:
            removed += places[len(new_at.get(key, [])):]
    pairs.sort()
    by_code = {}
    for row in crosswalk:
        by_code.setdefault(row["old_code"], []).append(row)
    recoded = []
    if by_code and removed and added:
        old_years, new_years = old.years(), new.years()
        free = {}
        for position, key in sorted(added.items()):
            free.setdefault(key, []).append(position)
        for position in list(removed):
            target = recoded_key(key_of(old.cache[position][0]), by_code, old_years, new_years)
            if free.get(target):
                match = free[target].pop(0)
                recoded.append((position, match))
                removed.remove(position)
                del added[match]
    matched = pairs + recoded
    records = []
    for n, (o, p) in enumerate(matched):
        before, after = values_of(old.cache[o][0]), values_of(new.cache[p][0])
        if before[1:] != after[1:]:
            records.append((n, (dict(zip(VALUE_COLUMNS[1:], before[1:])), dict(zip(VALUE_COLUMNS[1:], after[1:])))))
    details = describe_changes(records)
    for n, (o, p) in enumerate(matched):
        before, after = values_of(old.cache[o][0])[0], values_of(new.cache[p][0])[0]
        if before != after:
            details.setdefault(n, {})["amount_yuan"] = (_int(before), _int(after))
        kind = "recoded" if n >= len(pairs) else "renamed" if "label" in details.get(n, {}) else "changed"
        result[kind].append(entry(kind, old.line(o), new.line(p), details.get(n)))
    result["removed"] = [entry("removed", old.line(o), None) for o in sorted(removed)]
    result["added"] = [entry("added", None, new.line(p)) for p in sorted(added)]
    return unchanged


# ---------------------------------------------------------------- stated changes

def stated_vs_computed(old, new, shared, result):
    """Compare each change NEW states with the computed one; as_stated where OLD lacks the unit/year."""
    if not new.stated_changes:
        return []
    pairs = {(c["document_id"], _str(c.get("line_id"))) for c in new.stated_changes}
    if new.rows is not None:
        found = new.fetch_positions([row[0] for row in new.rows if (row[1], row[2]) in pairs])
    else:
        wanted = pl.DataFrame(sorted(pairs), schema={"document_id": pl.String, "line_id": pl.String}, orient="row")
        found = new.fetch(new.frame.join(wanted, on=["document_id", "line_id"], how="semi"))
    new_at = {}
    for position, _sig, origin in sorted(found):
        doc, line_id = origin.split(SEP)[:2]
        new_at.setdefault(f"{doc}{SEP}{line_id}", position)
    keys = {key_of(new.cache[p][0]) for p in new_at.values()}
    old_at = {}
    if old is not None and keys:
        if old.rows is not None:
            matches = old.fetch_positions([row[0] for row in old.rows if key_of(row[-1]) in keys])
        else:
            tail = f"({SEP}[^{SEP}]*){{{len(VALUE_COLUMNS)}}}$"
            matches = old.fetch(old.frame.filter(pl.col("sig").str.replace(tail, "").is_in(list(keys))))
        for position, sig, _origin in sorted(matches):
            old_at.setdefault(key_of(sig), position)
    old_years = {(unit, int(old.documents[d]["fiscal_year"])) for d, unit in old.unit_of.items()
                 if old.documents[d].get("fiscal_year")} if old is not None else set()
    out = []
    for change in sorted(new.stated_changes, key=lambda c: (c["document_id"], _int(c["change_id"]))):
        if _int(change.get("fiscal_year")) is not None and _int(change["prior_year"]) >= _int(change["fiscal_year"]):
            continue  # 决算数 vs 年初预算 of the same year: budget_vs_actual, not a change from last year
        position = new_at.get(f"{change['document_id']}{SEP}{change.get('line_id') or ''}")
        line = new.line(position) if position is not None else None
        new_yuan = _int(line["amount_yuan"]) if line else None
        stated = _int(change.get("change_yuan"))
        prior_year = _int(change["prior_year"])
        record = {
            "unit": new.unit_name(change["document_id"]), "document_id": change["document_id"],
            "change_id": _int(change["change_id"]), "statement": change["statement"],
            "statement_title": STATEMENTS.get(change["statement"], ("",))[0],
            "item": change["item"], "function_code": change.get("function_code"), "label": change["label"],
            "prior_year": prior_year, "direction": change["direction"], "change_text": change["change_text"],
            "stated_change_yuan": stated, "computed_change_yuan": None, "new_yuan": new_yuan,
            "prior_yuan": None, "gap_yuan": None, "compared": None, "new_line_id": _int(change.get("line_id")),
            "new_source_line": _int(change.get("source_line")), "old_document_id": None, "old_line_id": None,
            "old_source_line": None, "base": base_of(change["change_text"])[1],
        }
        unit = new.unit_of.get(change["document_id"])
        if (unit, prior_year) in old_years and position is not None:
            old_position = old_at.get(key_of(new.cache[position][0]))
            if old_position is None:
                record["status"] = "no_prior_line"
            else:
                old_line = old.line(old_position)
                prior = _int(old_line["amount_yuan"])
                record.update(prior_yuan=prior, old_document_id=old_line["document_id"],
                              old_line_id=_int(old_line["line_id"]), old_source_line=_int(old_line["source_line"]))
                if prior is not None and new_yuan is not None:
                    record["computed_change_yuan"] = new_yuan - prior
                record["status"] = judge(change, record["computed_change_yuan"], record)
                if other_base(change, old.documents.get(old_line["document_id"], {})):
                    record["status"] = "other_base"  # 比上年执行数/决算数 is not a change from OLD's budget
        else:
            record["status"] = "as_stated"
            prior = _int(change.get("prior_yuan"))
            if prior is None and new_yuan is not None and stated is not None:
                prior = new_yuan - stated
            record["prior_yuan"] = prior
            if line is not None and stated:
                as_stated = entry("changed", None, line)
                as_stated.update(basis="as_stated", old_yuan=prior, change_yuan=stated,
                                 change_pct=percent(prior, new_yuan), changed_fields=["amount_yuan"],
                                 change_text=change["change_text"])
                result["changed"].append(as_stated)
        out.append(record)
    return out


def other_base(change, old_document):
    """Does the sentence compare with a base OLD does not print (上年执行数 or 决算数 against a 预算)?"""
    base, _ = base_of(change.get("change_text"))
    old_is_final = "决算" in (old_document.get("kind") or "")
    return (base in ("prior_outturn", "prior_final") and not old_is_final) or (base == "prior_budget" and old_is_final)


def judge(change, computed, record):
    """agrees / rounding / differs: by amount when the change is stated in 元, else by the printed
    percentage (rounded as printed), else by direction alone; `compared` says which."""
    stated = _int(change.get("change_yuan"))
    if computed is None:
        record["compared"] = None
        return "differs"
    if stated is not None:
        record["compared"] = "amount"
        record["gap_yuan"] = computed - stated
        gap = abs(computed - stated)
        return "agrees" if gap == 0 else "rounding" if gap <= ROUNDING_YUAN else "differs"
    printed = (change.get("change_pct_text") or "").rstrip("%")
    prior = record["prior_yuan"]
    if printed and prior:
        record["compared"] = "percent"
        places = len(printed.split(".")[1]) if "." in printed else 0
        pct = (Decimal(abs(computed)) * 100 / Decimal(prior)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
        sign_ok = (computed > 0) == (change["direction"] == "increase") or computed == 0
        return "agrees" if pct == Decimal(printed) and sign_ok else "differs"
    record["compared"] = "direction"
    direction = "increase" if computed > 0 else "decrease" if computed < 0 else "flat"
    return "agrees" if direction == change["direction"] else "differs"


# ---------------------------------------------------------------- summary

def statement_totals(side, documents):
    """statement -> sum over the given documents of each one's (first printed) total, integer 元."""
    totals = {}
    for doc in documents:
        for statement, amount in side.totals.get(doc, {}).items():
            totals[statement] = totals.get(statement, 0) + amount
    return totals


def summarize(old, new, shared, result, unchanged):
    """Counts of each kind and statement totals of both years."""
    if old is not None:
        old_totals = statement_totals(old, [d for d, u in old.unit_of.items() if u in shared])
        new_totals = statement_totals(new, [d for d, u in new.unit_of.items() if u in shared])
    else:
        old_totals, new_totals = {}, statement_totals(new, new.unit_of)
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
    old_units = set(old.unit_of.values()) if old is not None else set()
    counts.update(
        unchanged=unchanged,
        as_stated=sum(1 for e in result["changed"] if e["basis"] == "as_stated"),
        stated_vs_computed=statuses,
        units_compared=len(shared),
        units_only_old=len(old_units - shared),
        units_only_new=len(set(new.unit_of.values()) - shared) if old is not None else 0,
    )
    return {"counts": counts, "totals": totals}


def load_pair(old_spec, new_spec, package_dir):
    """Both sides (OLD None when only NEW is given)."""
    old = load_side(old_spec, package_dir) if old_spec is not None else None
    return old, load_side(new_spec, package_dir)


def diff(old_spec, new_spec, unit=None, package_dir=PACKAGE_DIR, crosswalk_path=CROSSWALK):
    """`cnbudget diff`: load both sides (OLD may be None) and compare them."""
    old, new = load_pair(old_spec, new_spec, package_dir)
    return diff_sides(old, new, unit=unit, crosswalk=load_crosswalk(crosswalk_path))


# ---------------------------------------------------------------- rendering

CHANGE_COLUMNS = columns("changes")[1:]  # the `changes` table without its change_id
TOP = 20


def to_json(result):
    """The result as JSON text, keys sorted: indented for people when short, compact (orjson) when long."""
    if sum(len(result[kind]) for kind in KINDS) <= 1000:
        return json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True)
    return orjson.dumps(result, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def change_rows(result):
    """Every change of a diff result as one flat row (CSV, the `changes` table), largest first."""
    entries = [e for kind in KINDS for e in result[kind]]
    entries.sort(key=lambda e: (-abs(e["change_yuan"] if e["change_yuan"] is not None
                                     else e["new_yuan"] or e["old_yuan"] or 0), KINDS.index(e["kind"]),
                                e["unit"] or "", e["statement"], e["item"]))
    return [{name: (";".join(e[name]) if name == "changed_fields" else e.get(name)) for name in CHANGE_COLUMNS}
            for e in entries]


def package_changes(tables, crosswalk=None):
    """Rows of the package's `changes` table: each unit's consecutive years compared; a unit's first
    year gives the prior-year figures it states (as_stated)."""
    crosswalk = load_crosswalk() if crosswalk is None else crosswalk
    lines_of, changes_of = {}, {}
    for line in tables["budget_lines"]:
        lines_of.setdefault(line["document_id"], []).append(line)
    for change in tables["stated_changes"]:
        changes_of.setdefault(change["document_id"], []).append(change)
    series = {}
    for document in tables["documents"]:
        series.setdefault((document["unit_name"], document["kind"]), []).append(document)
    rows = []
    for key in sorted(series):
        old = None  # a year is NEW once, then OLD for the next: one unit, so diff_sides leaves it as it was
        for document in sorted(series[key], key=lambda d: d["fiscal_year"]):
            result = {"document": document, "budget_lines": lines_of.get(document["document_id"], []),
                      "stated_changes": changes_of.get(document["document_id"], [])}
            new = side_from_result(document["document_id"], result, with_findings=False)
            rows.extend(change_rows(diff_sides(old, new, crosswalk=crosswalk)))
            old = new
    return [{"change_id": n, **row} for n, row in enumerate(rows, start=1)]


def render_csv(result, handle):
    """Write one CSV row per change (amounts in 元) to an open text handle; a 预算/决算 pair: its comparison."""
    # A 决算's own "比上年决算数增加…" (as_stated) is not a change between the two files compared.
    compared = any(result[kind] for kind in KINDS if kind != "changed") or \
        any(change.get("basis") != "as_stated" for change in result["changed"])
    if result.get("budget_vs_actual") and not compared:
        return execution.render_csv(result["budget_vs_actual"], handle)
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
    """A Markdown report for people: totals, the largest changes, stated vs computed, findings (NEW's by default)."""
    findings = result.get("findings") if findings is None else findings
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
                     "as_stated": "仅原文所述", "other_base": "基数不同（原文与上年执行数或决算数比较）"}
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
                "| 级别 | 文档 | 说明 | 原文总数（万元） | 分项合计（万元） | 页、行 |", "|---|---|---|---:|---:|---|"]
        for f in findings:
            where = (f"第{f['pages']}页 " if f.get("pages") else "") + f"行 {f['source_lines'] or '—'}"
            echoes = f"（同一问题另见：{f['echoes']}）" if f.get("echoes") else ""
            out.append(f"| {severity_zh.get(f['severity'], f['severity'])} | {f['document_id']} | {f['message_zh']}{echoes} | "
                       f"{wan(f['expected_yuan'])} | {wan(f['actual_yuan'])} | {where} |")
        out.append("")
    out += execution.render_markdown(result.get("budget_vs_actual") or [])
    return "\n".join(out)
