"""One header-driven reader for the standard tables of every region (kinds declared in `cnbudget.tables`).

    found = read_tables(doc, lines)   # every table of the document, its cells recorded on `doc`

Input: the document's `cnbudget.reading.Line`s. PDFs come from `pdftotext -layout`, so a table row
is one line whose cells stand on a character grid; HTML tables are laid out on the same grid
(`cnbudget.html`). A table starts at its title line on any page and runs, across pages,
until the next title or the next paragraph of prose. Its unit comes from `单位：万元|元` in its head;
its columns are named by the heading words printed above each amount column (multi-line and
letter-spaced headings joined; `cnbudget.table_columns`) through the kind's vocabulary; rows are keyed by
their classification code however it is printed (`2010601`, `201 06 01`, `2010601-行政运行`,
`[2010601]行政运行`, a code column of its own) or, without codes, by the name resolved through
`cnbudget.function_codes` (warned as `inferred_function_code`). Each amount becomes one budget line
with the table's statement, the row's code, the column's dimensions and phase, and `table_name`.
A table printed empty is found and reported (`empty_table`), never silently missing.
"""

import re

from cnbudget import function_codes
from cnbudget.numbers import UNIT_YUAN, normalize, parse_number
from cnbudget.pdf import Cell, clean_raw, nearest, row_cells_of, split_number_cells, year_words
from cnbudget.reading import sentence_at
from cnbudget.table_columns import column_mapping
from cnbudget.tables import INCOME_ITEMS, THREE_PUBLIC_LABELS, column_for, title_kind

UNIT_NOTE = re.compile(r"单位\s{0,4}[:：]\s{0,4}(?P<unit>亿元|万元|元)")
UNIT_IN_LABEL = re.compile(r"[(（]\s{0,2}(?P<unit>亿元|万元|元)\s{0,2}[)）]")
EMPTY_NOTE = re.compile(r"本表为空表|空表|无.{0,20}(?:预算|决算).{0,10}空表|没有使用.{0,40}安排的支出|本单位无.{0,30}(?:收入|支出|预算|决算)")
NOTE = re.compile(r"^\s*(?:[(（]\s*)?(?:注|说明|备注|填表说明)\s*\d?\s*[:：.、]")  # \s*[(（]?\s*: quadratic in the indent
PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s{0,2})?\d{1,4}(?:\s{0,2}[-—–])?\s*$|^\s*第\s{0,2}\d{1,4}\s{0,2}页")
TABLE_NUMBER_LINE = re.compile(r"^\s*(?:部门|单位)?(?:公开|预算|决算)?(?:附)?表\s{0,2}\d{1,2}(?:[-—]\d{1,2})?\s*$")
MAKER_LINE = re.compile(r"^\s*(?:编制(?:部门|单位)|部门(?:\(单位\)|（单位）)?|单位名称|预算(?:主管)?部门|填报单位)\s{0,4}[:：]")
CHAPTER = re.compile(r"^\s*第[一二三四五六七八九十]{1,3}部分")
# 类 款 项 printed in columns of their own ('201   05   07'); a one-digit 款/项 is a misprint of '0N'.
CODE_SPLIT = re.compile(r"^\s{0,160}(?P<cls>[2-9]\d{2})(?:\s{1,12}(?P<sec>\d{1,2}))?(?:\s{1,12}(?P<item>\d{1,2}))?(?=\s)")
# One code in one cell: '2010601', '2010601-行政运行', '[2011301]行政运行', '【201】一般公共服务'.
CODE_JOINED = re.compile(r"^\s{0,160}(?:[\[【(（]\s{0,2})?(?P<code>[1-9]\d{2}(?:\d{2}){0,2})(?:\s{0,2}[\]】)）])?"
                         r"(?:\s{0,2}[-－—_:：]\s{0,2}|\s+|(?=[^\d\s.,%]))")
UNIT_CODE = re.compile(r"^\s{0,40}(?P<code>\d{6,9})\s{1,40}(?=[^\d\s.,%])")
CODE_PART = re.compile(r"^\s{1,40}(?P<part>\d{2})(?=\s{1,40}[^\d\s.,%])")
SIDE_TOTAL = re.compile(r"(?<=\s)[^\d\s.,%-][^\s]{0,12}(?:合计|总计)(?=\s)")  # 人员经费合计 649.20 公用经费合计 97.19
SIDE_CODE = re.compile(r"(?<=\s)[2-5]\d{2}(?:\d{2}){0,2}\s{1,12}(?=[^\d\s.,%-])")
SECOND_CODE = re.compile(r"(?<=\s)(?P<cls>[2-5]\d{2})(?:\s{0,8}(?P<sec>\d{2}))?(?:\s{0,8}(?P<item>\d{2}))?\s{1,24}"
                         r"(?P<name>[^\d\s.,%-][^\s]{0,40}(?: [^\s]{1,40}){0,3})")
CELL_CODE = re.compile(r"^[\[【]?(?P<code>[1-9]\d{2}(?:\d{2}){0,3})[\]】]?\s{0,2}[-－—]?\s{0,2}(?P<name>\D.*)$")
PERCENT = re.compile(r"^-?\d{1,12}(?:\.\d{1,6})?%$")
NIL_CELL = {"-", "—", "--", "——", "－", "/", "*"}
NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.]|[(（][一二三四五六七八九十\d]{1,3}[)）][、.]?|\d{1,2}[.、．](?!\d))")
TOTAL_LABEL = re.compile(r"合计|总计")
MAX_HEADER_LINES = 14
COLUMN_GAP = re.compile(r"\S {3}")
PROSE_COMMA = re.compile(r"[，,](?!\d{3})")  # a comma between words, not a thousands separator
AMOUNT_CELL = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+(?:\.\d{1,6})?|\d{1,15}\.\d{1,6})$")
ROW_YEAR = re.compile(r"(\d{4})\s{0,2}年度?(?:预算)?$")
COMPARISON_ROW = re.compile(r"增减|变化|差额")
COLUMN_NUMBERING = re.compile(r"(?:栏次|行次)+")
DEPARTMENT_PREFIX = re.compile(r"^部门")


# Plain classes, not dataclasses: `dataclasses` imports `inspect`, slow to start.
class EqualByFields:
    """Equality on `_fields()`, and no hash: what the dataclasses these classes replace gave them."""

    __slots__ = ()

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None


class Row(EqualByFields):
    """One data row: its codes [(code, printed name)], label, amount cells and the line it was printed on.

    label_end: where the row's label (or code) stops: headings left of it name the label column.
    """

    __slots__ = ("line", "codes", "label", "numbers", "side", "label_end")

    def __init__(self, line, codes, label, numbers, side="", label_end=0):
        self.line = line
        self.codes = codes
        self.label = label
        self.numbers = numbers  # pdf.Cell
        self.side = side
        self.label_end = label_end

    def _fields(self):
        return (self.line, self.codes, self.label, self.numbers, self.side, self.label_end)

    def __repr__(self):
        return (f"Row(line={self.line!r}, codes={self.codes!r}, label={self.label!r}, numbers={self.numbers!r}, "
                f"side={self.side!r}, label_end={self.label_end!r})")


class FoundTable(EqualByFields):
    """A table found in the document: kind, printed name, pages, unit and the cells read from it."""

    __slots__ = ("kind", "name", "lines", "unit", "cells", "warnings", "codes", "empty", "fiscal_year")

    def __init__(self, kind, name, lines, unit="元", cells=None, warnings=None, codes=None, empty=False,
                 fiscal_year=None):
        self.kind = kind
        self.name = name
        self.lines = lines
        self.unit = unit
        self.cells = [] if cells is None else cells  # dicts of Extraction.add_line arguments
        self.warnings = [] if warnings is None else warnings  # (rule, message, line)
        self.codes = {} if codes is None else codes  # code -> {code, level, name, parent} as printed
        self.empty = empty
        self.fiscal_year = fiscal_year

    def _fields(self):
        return (self.kind, self.name, self.lines, self.unit, self.cells, self.warnings, self.codes, self.empty,
                self.fiscal_year)

    def __repr__(self):
        return (f"FoundTable(kind={self.kind!r}, name={self.name!r}, lines={self.lines!r}, unit={self.unit!r}, "
                f"cells={self.cells!r}, warnings={self.warnings!r}, codes={self.codes!r}, empty={self.empty!r}, "
                f"fiscal_year={self.fiscal_year!r})")

    @property
    def pages(self):
        return sorted({line.page for line in self.lines if line.page is not None})

    @property
    def statement(self):
        return self.kind.statement

    def signature(self):
        return tuple((c["statement"], c["item"], c["amount"], c.get("phase")) for c in self.cells)


# ---------------------------------------------------------------- finding tables

def line_title(line):
    """The Title a line prints, or None (cheap tests first: most lines are rows or prose)."""
    text = line.text
    if "表" not in text or len(text) > 160:
        return None
    return title_kind(text)


def is_prose(line):
    """A line of running text (a sentence), which ends a table; table notes (注：…) do not.

    Prose is set solid: a table row has gaps of several spaces between its cells.
    """
    text = line.text.strip()
    if not text or NOTE.match(text):
        return False
    if CHAPTER.match(text):
        return True
    return len(text) > 16 and ("。" in text or PROSE_COMMA.search(text) is not None) and \
        COLUMN_GAP.search(line.raw.strip()) is None


def find_tables(lines):
    """[(Title, lines)] of every table: from its title line to the next title or paragraph of prose.

    A title that is only a contents entry (nothing under it: no unit note, no amount, no 空表 note)
    is not a table. A title marked 续 continues the table before it of the same name.
    """
    found, current = [], None
    for line in lines:
        title = line_title(line) if "表" in line.text else None  # most lines print no 表: no call for them
        if title is not None:
            if current is not None and current[0].name == title.name:
                current[1].append(line)  # the title printed again atop the next page, or marked 续
                continue
            current = (title, [line])
            found.append(current)
        elif current is not None:
            if is_prose(line):
                current = None
            else:
                current[1].append(line)
    return [(title, table_lines) for title, table_lines in found
            if looks_like_table(table_lines, generic=title.kind.key == "generic")]


def looks_like_table(table_lines, generic=False):
    """A title with a unit note or an empty-table note under it, or amount rows (not a contents entry).

    A title no standard kind names ('部门预算公开报表' over a contents list) needs amounts under it.
    """
    amounts = 0
    for line in table_lines[1:MAX_HEADER_LINES]:
        if not generic and (UNIT_NOTE.search(line.text) or EMPTY_NOTE.search(line.text)):
            return True
    for line in table_lines[1:]:
        if is_furniture(line):
            continue
        cells = split_number_cells(clean_raw(line))
        amounts += any(AMOUNT_CELL.match(c.text) if generic else c.is_number for c in cells)
        if amounts >= (2 if generic else 1):
            return True
    return not generic and bool(UNIT_NOTE.search(table_lines[0].text))


def read_tables(doc, lines=None, fiscal_year=None):
    """Find and read every table of the document; record its cells and warnings on `doc`.

    Returns the FoundTables in order (a repeated printing of the same table is reported once).
    Function codes printed in the tables that the reference lacks are noted on `doc`.
    """
    lines = doc.lines if lines is None else lines
    fiscal_year = fiscal_year or getattr(doc, "fiscal_year", None)
    out, seen = [], set()
    tables = find_tables(lines)
    units = [table_unit(table_lines) for _, table_lines in tables]
    stated = [unit for unit in units if unit]
    default_unit = max(set(stated), key=stated.count) if stated else "元"  # a table without one: as the others
    for title, table_lines in tables:
        table = read_table(title, table_lines, fiscal_year, default_unit)
        key = (table.name, table.signature())
        if table.cells and key in seen:
            doc.warn("repeated_table", f"附表“{table.name}”重复印出，数额相同，只记一次", row_sentence(table.lines[0]))
            continue
        seen.add(key)
        record(doc, table)
        out.append(table)
    return out


def record(doc, table):
    """Emit a read table's cells and warnings through the Extraction collector."""
    for rule, message, line in table.warnings:
        doc.warn(rule, message, row_sentence(line))
    line = sentence = None
    for cell in table.cells:
        cell = dict(cell)
        if cell["line"] is not line:  # a row's cells follow each other: one Sentence for them all
            line = cell["line"]
            sentence = row_sentence(line)
        del cell["line"]
        doc.add_line(cell.pop("statement"), cell.pop("item"), cell.pop("label"), cell.pop("amount_text"),
                     sentence, **cell)
    if hasattr(doc, "note_code"):
        for code in sorted(table.codes):
            doc.note_code(code, table.codes[code]["name"])


def row_sentence(line):
    """A whole layout line (a table row, a note) as one Sentence, for provenance."""
    text = line.text.strip()
    return sentence_at(line, text, line.text.find(text) if text else 0)


# ---------------------------------------------------------------- one table

def table_unit(table_lines):
    """The unit stated in the table's head (金额单位：万元), or None."""
    for line in table_lines[:MAX_HEADER_LINES]:
        match = UNIT_NOTE.search(line.text)
        if match:
            return match.group("unit")
    for line in table_lines[:2 * MAX_HEADER_LINES]:  # '项目资金（万元）', '预算数（单位：万元）'
        match = UNIT_IN_LABEL.search(line.text)
        if match:
            return match.group("unit")
    return None


def read_table(title, table_lines, fiscal_year=None, default_unit="元"):
    """Every amount of one table (all its pages) as cell records; an empty table as a warning."""
    kind = title.kind
    unit = table_unit(table_lines)
    table = FoundTable(kind, title.name, table_lines, unit or default_unit, fiscal_year=fiscal_year)
    short = DEPARTMENT_PREFIX.sub("", title.name)  # as warnings name it: 附表“收入预算总表”
    if unit is None:
        table.warnings.append(("unit_missing", f"附表“{short}”未印金额单位，按{default_unit}读取", table_lines[0]))
    empty_note = next((line for line in table_lines if EMPTY_NOTE.search(line.text)), None)
    mapping = None
    state = {"class": None, "section": None}
    printed = {}
    for page_lines in page_groups(table_lines).values():
        rows, header, short_codes = page_rows(kind, page_lines, printed)
        for line in short_codes:
            table.warnings.append(("short_code", "附表中的科目编码少印一位（如“301 2”），按两位补零读作“30102”", line))
        mapping = column_mapping(kind, rows, header, mapping, fiscal_year)
        placed = {}  # the page's columns by (side, amount's right edge): a column's amounts share it
        for row in rows:
            table.cells.extend(row_cells(table, row, mapping, state, placed))
    if not table.cells:
        table.empty = True
        where = empty_note or table_lines[0]
        note = empty_note.raw.strip() if empty_note else "无数据行"
        table.warnings.append(("empty_table", f"附表“{short}”为空表（{note}）", where))
    elif empty_note is not None and "空表" in empty_note.text:
        table.warnings.append(("empty_note_with_values", f"附表“{short}”注明为空表，但印有数额；数额照录",
                               empty_note))
    return table


def page_groups(lines):
    """{page: [lines]} in page order."""
    pages = {}
    for line in lines:
        pages.setdefault(line.page, []).append(line)
    return pages


def is_furniture(line):
    """Lines that are not rows: blank, page numbers, '部门公开表 3', titles, 编制单位, notes."""
    raw = clean_raw(line)
    text = line.text.strip()
    return (not raw.strip() or PAGE_NUMBER.match(raw) is not None or TABLE_NUMBER_LINE.match(text) is not None
            or line_title(line) is not None or MAKER_LINE.match(text) is not None
            or EMPTY_NOTE.search(text) is not None or NOTE.match(raw) is not None
            or (UNIT_NOTE.search(text) is not None and len(split_number_cells(raw)) <= 3))


def split_codes(raw, kind):
    """(codes [(code, '')], end of the code columns, short-code flag) of a row, or ([], 0, False)."""
    if not kind.coded:
        return [], 0, False
    match = CODE_SPLIT.match(raw)
    if match and (match.group("sec") or match.group("item") or not CODE_JOINED.match(raw)
                  or len(CODE_JOINED.match(raw).group("code")) == 3):
        parts = [c for c in match.group("cls", "sec", "item") if c]
        short = any(len(c) == 1 for c in parts)
        code = "".join(c.zfill(2) if i else c for i, c in enumerate(parts))
        return [code], match.end(), short
    match = CODE_JOINED.match(raw)
    if match:
        return [match.group("code")], match.end(), False
    match = UNIT_CODE.match(raw)
    if match:  # '119001   西安市统计局': a budget unit's code
        return [match.group("code")], match.end(), False
    match = CODE_PART.match(raw)
    if match:  # '      08   审计事务': the 款 or 项 alone, under the 类/款 printed on a row above
        return [match.group("part")], match.end(), False
    return [], 0, False


def side_by_side(raw, kind, words=None):
    """A row that prints two tables side by side (决算: 人员经费 301… | 公用经费 302…) as two rows.

    A code and a name standing after an amount start the right-hand row; it keeps its columns.
    `words`: split_number_cells(raw), when the caller has it.
    """
    if not kind.coded:
        return [raw]
    words = split_number_cells(raw) if words is None else words
    first_number = next((c for c in words if AMOUNT_CELL.match(c.text)), None)  # not a code
    if first_number is None:
        return [raw]
    match = SIDE_CODE.search(raw, first_number.end) or SIDE_TOTAL.search(raw, first_number.end)
    if match is None:
        return [raw]
    return [raw[:match.start()], " " * match.start() + raw[match.start():]]


def second_code(match):
    """'505   01    工资福利支出' -> '50501-工资福利支出', padded to the same width (columns keep their place)."""
    code = "".join(part for part in match.group("cls", "sec", "item") if part)
    return f"{code}-{match.group('name')}".ljust(len(match.group(0)))


def full_code(code, start, printed):
    """A code printed without its parents ('08' under 201) made whole from the codes above it.

    `printed` remembers the last 类 and 款 and where their codes stood; a part indented past the
    款 column is a 项, else a 款. Whole codes update it.
    """
    if len(code) != 2:
        if len(code) in (3, 5):
            printed["class" if len(code) == 3 else "section"] = (code, start)
            if len(code) == 3:
                printed.pop("section", None)
        return code
    section, cls = printed.get("section"), printed.get("class")
    if section and start > section[1] + 1:
        return section[0] + code
    if cls:
        printed["section"] = (cls[0] + code, start)
        return cls[0] + code
    return None


def page_rows(kind, page_lines, printed=None):
    """(data rows, header lines, short-code lines) of one page: wrapped labels rejoined to their row.

    `printed` carries the last 类/款 codes across pages, for codes printed without their parents.
    """
    rows, header, pending, short = [], [], [], []
    printed = {} if printed is None else printed
    started, split = False, None
    laid_out = []  # (line, layout text, its words when already split)
    for line in page_lines:
        if not is_furniture(line):
            raw = clean_raw(line)
            words = split_number_cells(raw)
            parts = side_by_side(raw, kind, words)
            laid_out += [(line, part, words if len(parts) == 1 else None) for part in parts]
    for line, raw, words in laid_out:
        codes, code_end, is_short = split_codes(raw, kind)
        if codes:
            whole = full_code(codes[0], len(raw) - len(raw.lstrip()), printed)
            codes = [whole] if whole else []
            code_end = code_end if whole else 0
            if code_end:  # '301 02 津贴补贴   505 01 工资福利支出   43.71': the second code as '50501-工资福利支出'
                second = raw[:code_end] + SECOND_CODE.sub(second_code, raw[code_end:])
                raw, words = second, (words if second == raw else None)
        if is_short:
            short.append(line)
        cells = [c if c.start >= code_end else Cell(code_end, c.end, raw[code_end:c.end].strip())
                 for c in row_cells_of(raw, words) if c.end > code_end]  # '2010601-行政运行': the name after the code
        cells = [c for c in cells if c.text]
        cells = [c for c in cells if c.text not in NIL_CELL and not (c.text[-1] == "%" and PERCENT.match(c.text))]  # ends with %: the regex only then
        cells = year_words(cells)
        numbers = [c for c in cells if c.is_number]
        labels = [c for c in cells if not c.is_number]
        if numbers and is_column_numbering(numbers, labels):
            if not started:
                header.append(line)
            continue
        extra = [CELL_CODE.match(c.text) for c in labels[1:]] if codes else []
        codes = [(code, "") for code in codes] + [(m.group("code"), m.group("name")) for m in extra if m]
        if codes and extra and any(extra):
            labels = [labels[0]] + [c for c, m in zip(labels[1:], extra) if not m]
        if not numbers and not codes:
            text = "".join(c.text for c in labels)
            if not started:
                header.append(line)
            elif len(labels) == 1 and len(text) <= 24:
                if NUMBERING.match(text):  # a row without amounts ('十、节能环保支出') or the head of the next
                    pending = [(line, labels[0])]
                else:
                    pending.append((line, labels[0]))  # a wrapped label's tail, or the head of the next row
            else:
                pending = []  # a row printed without amounts: nothing to record
            continue
        started = True
        if kind.two_sided:
            if split is None:
                split = right_side_start(page_lines)
            rows.extend(two_sided_rows(line, cells, pending, rows, split))
        else:
            label = " ".join(c.text for c in labels)
            if pending and not label:
                label = "".join(c.text for _, c in pending)
            elif pending and rows:
                rows[-1].label += tail(pending)
            label_end = max([code_end] + [c.end for c in labels if numbers and c.end <= numbers[0].start])
            rows.append(Row(line, codes, label, numbers, label_end=label_end))
        pending = []
    if pending and rows:
        rows[-1].label += tail(pending)
    return rows, header, short


def is_column_numbering(numbers, labels):
    """'栏次  1  2  3 …': the row that numbers the columns (决算 tables), not amounts."""
    label = "".join(c.text for c in labels).replace(" ", "")
    if COLUMN_NUMBERING.fullmatch(label):
        return True
    values = [c.text for c in numbers]
    return len(values) >= 3 and all(v.isdigit() for v in values) and \
        [int(v) for v in values] == list(range(int(values[0]), int(values[0]) + len(values))) and not label


def right_side_start(page_lines):
    """Where the 支出 side of a two-sided table starts: its labels stand right of an amount."""
    starts = []
    for line in page_lines:
        cells = row_cells_of(clean_raw(line))
        seen_number = False
        for cell in cells:
            if cell.is_number:
                seen_number = True
            elif seen_number:
                starts.append(cell.start)
                break
    return min(starts) if starts else 10 ** 6


def two_sided_rows(line, cells, pending, rows, split=10 ** 6):
    """A row of a 收/支 total table: [income label, amounts] [expenditure label, amounts].

    Label fragments above a row without a label are its label; above a labelled row they are the
    tail of the row before ('四、文化旅游体育与传媒' / amounts / '支出').
    """
    groups = []
    for cell in cells:
        if not cell.is_number:
            if groups and not groups[-1][1] and groups[-1][0] is not None and cell.start - groups[-1][0].end <= 2:
                groups[-1][0] = Cell(groups[-1][0].start, cell.end, groups[-1][0].text + cell.text)
                continue
            groups.append([cell, []])
        elif groups:
            groups[-1][1].append(cell)
        else:
            groups.append([None, [cell]])
    if groups and groups[0][0] is None:  # no income label: the income side's 行次 / amount, then the 支出 side's
        lefts = [c for c in groups[0][1] if c.end < split]
        if lefts and len(lefts) < len(groups[0][1]):
            groups[0:1] = [[None, lefts], [None, groups[0][1][len(lefts):]]]
    fragments = {True: [p for p in pending if p[1].start < split], False: [p for p in pending if p[1].start >= split]}
    out, labelled = [], set()
    for index, (label, numbers) in enumerate(groups):
        on_left = bool(numbers) and numbers[0].end < split
        text = label.text if label else "".join(c.text for _, c in fragments[on_left])
        left = index == 0 and (on_left if label is None and numbers else
                               label is not None and (label.start < 20 or len(groups) > 1))
        side = "income" if left and "支出" not in text else "expenditure"
        if not numbers:
            continue
        if label is None:
            labelled.add(on_left)
        out.append(Row(line, [], text, numbers, side=side, label_end=label.end if label else 0))
    for on_left, parts in fragments.items():  # wrapped tails ('支出') go to the row above on their side
        if parts and rows and on_left not in labelled:
            above = [r for r in rows if (r.side == "income") == on_left] if split < 10 ** 6 else rows
            (above or rows)[-1].label += tail(parts)
    return out


def tail(pending):
    """The wrapped end of the row above: fragments after the last numbered one (a row without amounts)."""
    starts = [i for i, (_, cell) in enumerate(pending) if NUMBERING.match(cell.text)]
    return "".join(cell.text for _, cell in pending[starts[-1] + 1 if starts else 0:]) if not starts else ""


# ---------------------------------------------------------------- cells

def clean_label(label):
    label = normalize(label).replace(" ", "").strip()
    return NUMBERING.sub("", label)


def row_key_and_dims(table, row, label, state):
    """(row key, dimensions, inferred) of a row: its code, 'total', its income item, or its label."""
    kind = table.kind
    dims = {"fund_source": kind.fund_source} if kind.fund_source else {}
    if row.codes:
        code = row.codes[0][0]
        if code[0] not in "235" or len(code) not in (3, 5, 7):
            return code, dims, False  # a budget unit's code (119001): the row is that unit
        if code[0] == "2":
            level = {3: "类", 5: "款", 7: "项"}[len(code)]
            dims.update(function_code=code, function_level=level)
            parent = code[:-2] if len(code) > 3 else None
            table.codes.setdefault(code, {"code": code, "level": level, "name": label, "parent": parent})
            others = [name for c, name in row.codes[1:] if name]
            if others:
                dims["economic_class"] = normalize(others[-1])
        else:
            dims["economic_class"] = label
        return "/".join(c for c, _ in row.codes), dims, False
    if (TOTAL_LABEL.search(label) or not label) and row.side != "income":
        # a row of amounts alone is the table's total (收入总表, 三公); 本年支出合计 is before 结转下年
        return ("current_total" if "本年" in label else "total"), dims, False
    if row.side == "income":
        item, fund = next(((item, fund) for pattern, item, fund in INCOME_ITEMS if pattern.search(label)),
                          (label, None))
        if fund:
            dims["fund_source"] = fund
        return f"income:{item}", dims, False
    if kind.two_sided:
        code = function_codes.class_code(label)
        if code:
            dims.update(function_code=code, function_level="类")
        return code or label, dims, False
    if kind.coded and label and kind.statement != "economic_class":  # economic rows are not 功能分类 names
        code = infer_code(label, state)
        if code:
            dims.update(function_code=code, function_level={3: "类", 5: "款", 7: "项"}[len(code)])
            return code, dims, True
    return (label or None), dims, False


def named_total(kind, label):
    """The part a total row names ('公用经费合计' -> public_use), or None ('合计', '本年支出合计')."""
    part = TOTAL_LABEL.sub("", label)
    column = column_for(kind, part) if part and len(part) <= 8 else None
    return column if column is not None and column.key and column.key not in ("carryover",) else None


def three_public_part(kind, label):
    """The 三公 part a row label names ('其中：（一）因公出国（境）支出' -> overseas_travel), or None."""
    if not label:
        return None
    column = next((c for c in kind.columns if c.key and c.regex.search(label)), None)
    return column.key if column is not None and not TOTAL_LABEL.search(label) or (
        column is not None and "三公" in label) else None


def infer_code(label, state):
    """A 类/款/项 code for a row printed without one: its name under the last 类 and 款 read."""
    code = function_codes.child_code(state["section"], label) or function_codes.child_code(state["class"], label)
    if code is None:
        code = function_codes.class_code(label)
    if code:
        if len(code) == 3:
            state.update({"class": code, "section": None})
        elif len(code) == 5:
            state["section"] = code
    return code


def row_cells(table, row, mapping, state, placed=None):
    """Cell records of one row: one per amount, keyed by the row (code, label) and its column.

    `placed`: {(side, right edge): Mapped} already found under this mapping (filled as it goes).
    """
    kind = table.kind
    label = clean_label(row.label)
    row_phase = None
    if kind.statement == "three_public":
        label, row_phase, comparison = year_of_row(table, label)
        if comparison:
            return []  # 增减变化金额: a comparison row, not figures of their own
        label = "" if row_phase else label  # '深圳市审计局 2025 年': the department's total row of that year
    row_key, dims, inferred = row_key_and_dims(table, row, label, state)
    if inferred:
        table.warnings.append(("inferred_function_code",
                               f"附表“{table.name}”的“{label}”未印科目编码，按名称推定为 {dims['function_code']}", row.line))
    out = []
    side = "income" if row.side == "income" else ""
    keys = [k for k in mapping if k[0] == side]
    ends = [k[1] for k in keys]
    for cell in row.numbers:
        if not keys:
            table.warnings.append(("unplaced_cell", f"附表“{table.name}”的数额 {cell.text} 无法对应到栏目", row.line))
            continue
        mapped = placed.get((side, cell.end)) if placed is not None else None
        if mapped is None:
            mapped = mapping[keys[nearest(cell.end, ends)]]
            if placed is not None:
                placed[(side, cell.end)] = mapped
        if mapped.key is None:
            continue  # 增减额 / 完成率: a comparison, not a figure of its own
        statement, item, column_dims = kind.statement, row_key, dict(mapped.dims)
        if row.side == "income":
            column_dims = {}
        elif kind.statement == "three_public" and "|" in (mapped.key or ""):
            part, fund = mapped.key.split("|")  # one part, one fund source (深圳)
            item = part if fund in ("general_budget", "") else f"{part}:{fund}"
        elif kind.statement == "three_public":
            part = three_public_part(kind, label)  # rows named by the parts (广东: 行政经费, “三公”经费, 其中：…)
            key = part or mapped.key or "total"
            statement, item = ("agency_operating", "total") if key == "agency_operating" else ("three_public", key)
            if part is None and label and not TOTAL_LABEL.search(label):
                item = f"{label}:{key}"
            elif part and mapped.key and mapped.key not in THREE_PUBLIC_LABELS:
                item = f"{item}:{mapped.key}"  # the part's amount from one fund source
            column_dims = {} if mapped.key in THREE_PUBLIC_LABELS else column_dims
        elif row_key == "total" and named_total(kind, label) is not None:
            column = named_total(kind, label)  # '人员经费合计' names its column itself
            item, column_dims = f"total:{column.key}", dict(column.dims)
        elif mapped.key and not (kind.two_sided and len(row.numbers) == 1 and mapped.key.startswith("column_")):
            item = f"{row_key}:{mapped.key}" if row_key else mapped.key  # (a lone amount beside its label is the label's)
        negative = cell.text.startswith("-")
        amount = parse_number(cell.text.lstrip("-")) * UNIT_YUAN[table.unit] * (-1 if negative else 1)
        cell_dims = {**dims, **column_dims}
        if kind.key == "basic_expenditure":
            cell_dims["economic_class"] = label if row.codes else column_dims.get("economic_class")
            cell_dims["expense_type"] = "基本支出"
        if kind.statement == "three_public" and not label:
            cell_label = THREE_PUBLIC_LABELS.get(mapped.key or "total", mapped.heading)
        else:
            cell_label = label or mapped.heading or item
        amount_text = cell.text if table.unit == "元" else f"{cell.text}{table.unit}"
        out.append({"line": row.line, "statement": statement, "item": item or label or "value",
                    "label": cell_label, "amount_text": amount_text, "amount": amount,
                    "table_name": table.name, "phase": row_phase or mapped.phase, **cell_dims})
    return out


def year_of_row(table, label):
    """('深圳市审计局', phase, is a comparison) of a row named by its year ('2025 年', '增减变化金额')."""
    if COMPARISON_ROW.search(label):
        return label, None, True
    match = ROW_YEAR.search(label)
    if match is None or table.fiscal_year is None:
        return label, None, False
    year = int(match.group(1))
    phase = {table.fiscal_year: "budget", table.fiscal_year - 1: "prior_budget"}.get(year)
    return label[:match.start()], phase, False
