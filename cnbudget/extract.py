"""Extract every figure of a budget disclosure, with its dimensions and the sentence it came from.

`extract_file(path)` reads a text, PDF or web-page disclosure (`extract_files` one printed over
several files), reads its cover (`cnbudget.cover`), takes its region's hints (`cnbudget.regions`),
and runs the readers — the narrative reader (`cnbudget.narrative`) and the header-driven table
reader (`cnbudget.table_reader`) — into one collector. It returns plain records shaped like the
package's tables (`cnbudget.schema`): `document`, `budget_lines`, `stated_changes`, `sections`,
`warnings`. Every printed amount becomes a budget line or a warning, never nothing; what is not a
disclosure is one InputError.
"""

import hashlib
import re
from decimal import Decimal
from pathlib import Path

from cnbudget import function_codes, narrative
from cnbudget.cover import level_of, place_of, read_cover
from cnbudget.errors import InputError
from cnbudget.narrative import (  # noqa: F401 (re-exported: these lived in extract.py before narrative.py)
    AMOUNT_RE, CHANGE_RE, FUNCTION_TRIPLE, HEADING_STATEMENTS, LABEL_RULES, MAY_HOLD_FIGURES, classify,
    clean_label, heading_statement, read_narrative, record_change, scan_sentence, start_section,
)
from cnbudget.numbers import fen_int, yuan_of_fen, yuan_rounded
from cnbudget.provenance import SIDECAR_FIELDS, read_provenance, sidecar_path, validate_provenance
from cnbudget.reading import Line, Sentence, as_path, decode, make_line, raw_span, read_bytes, read_lines, sentence_at, sentences  # noqa: F401 (re-exported)
from cnbudget.regions import find_region, hook, region_name
from cnbudget.schema import columns
from cnbudget.table_reader import read_tables

BUDGET_LINE_COLUMNS = columns("budget_lines")
STATED_CHANGE_COLUMNS = columns("stated_changes")
DOCUMENT_COLUMNS = columns("documents")
EMPTY_BUDGET_LINE = dict.fromkeys(BUDGET_LINE_COLUMNS)  # copied for each record: faster than fromkeys
EMPTY_STATED_CHANGE = dict.fromkeys(STATED_CHANGE_COLUMNS)


# ---------------------------------------------------------------- the collector

class Extraction:
    """Records of one document as they are found; `as_dict` returns them in the package's shape."""

    def __init__(self, path, document, lines):
        self.path = path
        self.document = document
        self.lines = lines
        self.budget_lines = []
        self.stated_changes = []
        self.sections = []
        self.warnings = []
        self.function_codes = []  # codes printed in the document, not in the reference
        self.final = "决算" in (document.get("kind") or "")  # a 决算: its own figures are final, not budget
        self.empty_line = None  # EMPTY_BUDGET_LINE with this document's id and year, made at the first line

    @property
    def document_id(self):
        return self.document["document_id"]

    @property
    def fiscal_year(self):
        return self.document["fiscal_year"]

    def add_line(self, statement, item, label, amount_text, sentence, amount=None, fen=None, **dims):
        """Record one printed figure (`amount`: Decimal 元, exact, or `fen`: int 分; neither for a count); returns its line_id."""
        return self.add_record(statement, item, label, amount_text, sentence, amount, fen, dims)

    def add_record(self, statement, item, label, amount_text, sentence, amount, fen, dims, phase=None):
        """add_line with its dimensions as one dict (not copied: a narrative amount's cached dims), and
        `phase` set over them when given: the narrative's call, without packing keywords for every amount."""
        record = self.empty_line
        if record is None:
            record = self.empty_line = dict(EMPTY_BUDGET_LINE, document_id=self.document["document_id"],
                                            fiscal_year=self.document["fiscal_year"])
        record = record.copy()
        if fen is not None:  # exact 分 already (numbers.fen_of)
            record["amount_fen"] = fen
            record["amount_yuan"] = (fen + 50) // 100 if fen >= 0 else -((50 - fen) // 100)  # yuan_of_fen, inline
            amount = fen
        elif amount is not None:
            if type(amount) is not Decimal:
                amount = Decimal(amount)
            amount_fen = fen_int(amount)
            if amount_fen is None:
                self.warn("finer_than_fen", f"数额 {amount_text} 精确到分以下，amount_fen 按分截断，原文见 amount_text", sentence)
                amount_fen = int(amount * 100)
                record["amount_yuan"] = yuan_rounded(amount)
            else:
                record["amount_yuan"] = yuan_of_fen(amount_fen)
            record["amount_fen"] = amount_fen
        line = sentence.line
        record["line_id"] = line_id = len(self.budget_lines) + 1
        record["statement"] = statement
        record["item"] = item
        record["label"] = label
        record["amount_text"] = amount_text
        record["page"] = line.page
        record["source_line"] = line.no
        record["source_text"] = sentence.raw
        record.update(dims)
        if phase is not None:
            record["phase"] = phase
        if record["phase"] is None and amount is not None:  # the document's own figure
            record["phase"] = "final" if self.final else "budget"
        if record["function_code"] is None and record["function_level"] is not None:
            self.warn("unknown_function_name",
                      f"功能分类名称“{label}”不在科目参考表中，编码留空", sentence)
        self.budget_lines.append(record)
        return line_id

    def add_change(self, sentence, **values):
        """Record one stated comparison with the prior year; returns its change_id."""
        record = EMPTY_STATED_CHANGE.copy()
        record.update(
            document_id=self.document_id, change_id=len(self.stated_changes) + 1,
            fiscal_year=self.fiscal_year, page=sentence.line.page,
            source_line=sentence.line.no, source_text=sentence.raw,
        )
        record.update(values)
        self.stated_changes.append(record)
        return record["change_id"]

    def warn(self, rule, message, sentence):
        """Record something that could not be placed, with its line; never drop it silently."""
        line = sentence.line
        self.warnings.append({
            "document_id": self.document_id, "warning_id": len(self.warnings) + 1,
            "rule": rule, "message": message, "page": line.page, "source_line": line.no,
            "source_text": sentence.raw,
        })

    def find_line(self, statement, item):
        """The latest budget line with this statement and item, or None."""
        for record in reversed(self.budget_lines):
            if record["statement"] == statement and record["item"] == item:
                return record
        return None

    def as_dict(self):
        for section in self.sections:
            if isinstance(section["text"], list):
                section["text"] = "\n".join(section["text"])
        self.document.update(
            budget_line_count=len(self.budget_lines), warning_count=len(self.warnings),
        )
        return {
            "document": self.document, "budget_lines": self.budget_lines,
            "stated_changes": self.stated_changes, "sections": self.sections,
            "warnings": self.warnings, "function_codes": self.function_codes,
        }

    def note_code(self, code, name):
        """Remember a code printed in the document that the reference table does not have."""
        if function_codes.official_name(code) is None and all(c["code"] != code for c in self.function_codes):
            name = without_code(name, code).strip() or name
            level = {3: "类", 5: "款", 7: "项"}[len(code)]
            parent = code[:-2] if len(code) > 3 else None
            self.function_codes.append({"code": code, "level": level, "name": name, "parent": parent})


def without_code(name, code):
    """`name` with each printing of `code` taken out, with a bracket before and after it if printed:
    what re.sub(r"[(（]?" + code + r"[)）]?", "", name) does, without compiling a pattern per code."""
    out, at = [], 0
    while (found := name.find(code, at)) >= 0:
        start = found - 1 if found > at and name[found - 1] in "(（" else found
        end = found + len(code)
        out.append(name[at:start])
        at = end + 1 if end < len(name) and name[end] in ")）" else end
    out.append(name[at:])
    return "".join(out)


# ---------------------------------------------------------------- the document

# A disclosure names its genre, or prints the standard tables with their unit note.
GENRE_WORDS = re.compile(r"部门预算|单位预算|部门决算|单位决算|部门综合预算|预算公开|决算公开|预算情况说明|决算情况说明")
TABLE_WORDS = re.compile(r"收支总表|收入总表|支出总表|财政拨款收支|三公.{0,2}经费|收支(?:预算|决算)?总体情况表")
UNIT_NOTE = re.compile(r"(?:金额)?单位[:：]\s*(?:万元|元)")
COMPLETE_END = re.compile(r"[。.!?;:：”)\]%]$")  # how a complete text file ends


def extract_file(path, provenance=None, source_file=None):
    """Extract one disclosure; `provenance` defaults to the sidecar beside the file.

    A sidecar that lists `files` makes them one document (Beijing publishes 附件1 情况说明 and
    附件2 报表 as two PDFs): they are read in that order, from the sidecar's folder.
    """
    path = as_path(path)
    provenance = read_provenance(path) if provenance is None else validate_provenance(path, provenance)
    if not provenance.get("files"):
        return extract_files([path], provenance, source_file)  # a missing file: read_source says so
    files = [path.parent / name for name in provenance["files"]]
    for file in files:
        if not file.is_file():
            raise InputError(sidecar_path(path), f"`files` names '{file.name}', which is not beside the sidecar; "
                                                 "expected the files of this disclosure", line=1)
    return extract_files(files, provenance, source_file)


def extract_files(paths, provenance=None, source_file=None):
    """Extract one disclosure printed over one or more files (read in order, lines numbered across them)."""
    paths = [as_path(p) for p in paths]
    if provenance is None:
        provenance = read_provenance(paths[0]) if len(paths) == 1 else {}
    parts = [read_source(p) for p in paths]
    offset = 0
    for part in parts:  # one numbering over every file: a line number names one line of the document
        if offset:
            for line in part["lines"]:
                line.no += offset
        offset = part["lines"][-1].no if part["lines"] else offset
    lines = parts[0]["lines"] if len(parts) == 1 else [line for part in parts for line in part["lines"]]
    text = "\n".join([line.text for line in lines])
    check_is_disclosure(paths[0], lines, text)
    if all(part["encoding"] not in ("pdf", "html") for part in parts):
        check_not_truncated(paths[0], lines, lambda t: narrative.heading_level(t, []) is not None)
    document = read_cover(lines, text, paths[0].name)
    document.update({k: provenance[k] for k in SIDECAR_FIELDS if provenance.get(k) is not None})
    place = place_of(document.get("region") or "")
    if not any(place.values()):
        place = place_of(document.get("unit_name") or "")
    document["level"] = provenance.get("level") or level_of(document.get("unit_name") or "", place, text)
    region = find_region(text[:20000], place, document["level"])
    if hook(region, "extract") is not None and any(part["encoding"] != "pdf" for part in parts):
        region = None  # a template with its own reader reads its PDFs; any other input is read generically
    document["template"] = region.NAME if region is not None else "generic"
    document["region"] = provenance.get("region") or region_name(region, place)
    if hook(region, "describe") is not None:
        try:
            described = region.describe(paths[0], lines, provenance)
        except InputError:
            described = {}  # a cover the template does not know: the generic cover stands, never a refusal
        document.update({k: v for k, v in described.items() if v and (k not in provenance or k == "title")})
    if not document.get("fiscal_year"):
        raise InputError(paths[0], "no fiscal year: expected a cover title such as '2026年部门预算' "
                                   "or `fiscal_year` in the provenance sidecar", line=1, page=lines[0].page if lines else None)
    document["unit_name"] = document.get("unit_name") or "未知单位"
    document["title"] = provenance.get("title") or f"{document['unit_name']}{document['fiscal_year']}年{document['kind']}"
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part["data"])
    document.update(
        document_id=provenance.get("document_id") or document_id_of(paths),
        source_file=";".join(source_names(paths, source_file)),
        sha256=digest.hexdigest(),
        source_url=provenance.get("source_url"),
        obtained=provenance.get("obtained"),
        encoding=";".join(dict.fromkeys(part["encoding"] for part in parts)),
        line_count=len(lines),
    )
    document = {name: document.get(name) for name in DOCUMENT_COLUMNS}
    doc = Extraction(paths[0], document, lines)
    if hook(region, "extract") is not None:
        region.extract(doc)  # a template that still reads itself (Shanghai)
        return doc.as_dict()
    prose = lines if all(part["encoding"] != "pdf" for part in parts) else [
        line for part in parts for line in (narrative.paragraphs(part["lines"]) if part["encoding"] == "pdf" else part["lines"])]
    narrative.read_document(doc, prose, region)
    read_document_tables(doc, parts)
    if not doc.budget_lines and not doc.tables_found:
        raise InputError(paths[0], "no budget figures found: expected sentences such as '收入预算644.66万元' "
                                   "or the standard tables (收支总表 …)", line=1, page=lines[0].page if lines else None)
    if all(part["encoding"] not in ("pdf", "html") for part in parts) and \
            not any(line["statement"] == "three_public" for line in doc.budget_lines):
        last = max((line for line in lines if line.text.strip()), key=lambda line: line.no)
        raise InputError(paths[0], "no “三公”经费 section, which every disclosure must state; "
                                   "the file looks cut off after this line", line=last.no)
    return doc.as_dict()


def read_source(path):
    """{lines, encoding, data} of one file; a file read once (decoded for text, hashed for provenance)."""
    try:
        data = read_bytes(path)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise InputError(path, "no such file (or a folder); expected a disclosure: a text, PDF or web page file", line=1) from None
    lines, encoding = read_lines(path, data)
    return {"lines": lines, "encoding": encoding, "data": data}


def source_names(paths, first=None):
    """The files' names as recorded: `first` (a path under the sources folder) sets their folder."""
    if first is None:
        return [p.name for p in paths]
    folder = str(Path(first).parent)
    return [first] + [p.name if folder == "." else f"{folder}/{p.name}" for p in paths[1:]]


def document_id_of(paths):
    """The file's stem; for several files their common stem ('…-budget-1-narrative' + '…-budget-2-tables')."""
    stems = [p.stem for p in paths]
    if len(stems) == 1:
        return stems[0]
    common = stems[0]
    for stem in stems[1:]:
        while not stem.startswith(common):
            common = common[:-1]
    return common.rstrip("-_ .") or stems[0]


def read_document_tables(doc, parts):
    """The standard tables of every file, by the shared header-driven reader (cnbudget.table_reader)."""
    doc.tables_found = 0
    for part in parts:  # each file's own tables (a table does not run on from one file into the next)
        doc.tables_found += len(read_tables(doc, part["lines"]))


def check_is_disclosure(path, lines, text):
    """A notice, a recipe or an unrelated page is one clear error, before anything is read."""
    genre = GENRE_WORDS.search(text) or (TABLE_WORDS.search(text) and UNIT_NOTE.search(text))
    if genre and (states_an_amount(text) or UNIT_NOTE.search(text)):
        return
    first = lines[0] if lines else None
    raise InputError(path, "not a budget disclosure: expected a '部门预算' or '部门决算' document "
                           "stating amounts in 元/万元", line=1, page=first.page if first else None)


def states_an_amount(text):
    """Whether the text prints an amount (AMOUNT_RE), searched from shortly before its first 元.

    Every amount ends in 元; the prose before the first one (a page of 概况 in most disclosures)
    is not scanned. Only a number run longer than AMOUNT_LEAD characters before that 元 is missed.
    """
    first = text.find("元")
    return first >= 0 and AMOUNT_RE.search(text, number_before(text, first, max(0, first - AMOUNT_LEAD))) is not None


AMOUNT_LEAD = 1000


def number_before(text, end, floor):
    """Where the run of digits, '.' ',' and spaces before text[end] (and its 万 or 亿) starts, not before `floor`.

    An amount (AMOUNT_RE: digits, '.', ',', spaces, then 亿元/万元/元) that starts before that run
    would hold the character before it, which is none of these, so none does: any amount from `floor`
    on that ends at this 元 starts in the run, and any other starts after this 元. Searching from
    here finds an amount exactly when searching from `floor` does, without trying the prose between.
    """
    at = end
    if at > floor and text[at - 1] in "万亿":
        at -= 1
    while at > floor and (text[at - 1].isdecimal() or text[at - 1] in ".," or text[at - 1].isspace()):
        at -= 1  # isdecimal and isspace are the regex engine's own \d and \s
    return at


def check_not_truncated(path, lines, is_heading):
    """A text file that stops mid-sentence was cut off: say where (a PDF's end is checked by its %%EOF)."""
    last = next((line for line in reversed(lines) if line.text.strip() and not narrative.is_page_number(line)), None)
    if last is None:
        raise InputError(path, "no text; expected a department budget disclosure", line=1)
    text = last.text.strip()
    if not is_heading(text) and not COMPLETE_END.search(text):
        raise InputError(path, f"the text stops mid-sentence (“{last.raw.strip()[-20:]}”); "
                               "expected the document to end with a complete sentence or heading — "
                               "the file looks cut off", line=last.no, page=last.page)
