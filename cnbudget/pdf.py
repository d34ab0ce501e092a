"""PDF disclosures: text lines with page numbers from poppler's `pdftotext -layout`, and table rows.

Chosen by measurement (scripts/bench_pdf.py, README "PDF disclosures"): `pdftotext -layout` is
~50x faster than pdfplumber and keeps each table row on one line with its columns aligned on a
character grid, which is all the table reader below needs. It is a Debian package
(poppler-utils), called as a plain command: no Python binding. `cnbudget.poppler` runs it (a
command line starts it before its imports; `pdftotext(path)` collects what it printed).

`read_pdf_lines(path, data)` returns `cnbudget.reading.Line`s numbered over the whole extracted
text (form feeds separate pages). `row_cells_of(raw)` and `header_cells(raw)` cut a layout line
into cells with their character columns, so the table reader can put each amount under the
heading above it; `column_ends(rows)` finds the right edges of the amount columns.
"""

import re
from functools import lru_cache

from cnbudget import poppler
from cnbudget.errors import InputError

# A printed table amount: thousands separators and optional cents, or a bare integer; '-' is nil.
# Bounded: no budget prints 10^18 元, and a run of thousands of digits is not an amount (nor an int
# Python will print).
TABLE_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3}){1,6}|\d{1,18})(?:\.\d{1,8})?$")
WORD = re.compile(r"\S+")
WORDS_ONE_SPACE_APART = re.compile(r"\S+(?: \S+)*")
COLUMN_NUMBER = re.compile(r"\d{1,2}|栏次")
YEAR = re.compile(r"\d{4}")


def pdftotext(path):
    """The layout text of every page (pages separated by form feeds); unreadable PDFs are errors."""
    try:
        status, text, stderr = poppler.layout_text(path)
    except FileNotFoundError:
        raise InputError(path, "cannot read PDFs: the `pdftotext` command (Debian package poppler-utils) "
                               "is not installed; run `make system-deps`") from None
    except poppler.Timeout:
        raise InputError(path, f"pdftotext did not finish within {poppler.TIMEOUT_SECONDS} s; expected a PDF "
                               "that can be read in reasonable time", page=1) from None
    if status != 0 or not text:
        raise InputError(path, unreadable_reason(stderr.decode("utf-8", "replace")), page=1)
    return text.decode("utf-8", "replace")


def unreadable_reason(stderr):
    """pdftotext's complaint -> what we expected instead."""
    if re.search(r"password|encrypt", stderr, re.I):
        return "the PDF is encrypted (password-protected); expected an unencrypted disclosure PDF"
    if re.search(r"copying of text", stderr, re.I):
        return "the PDF forbids text extraction (permission flags); expected an unrestricted disclosure PDF"
    first = next((line for line in stderr.splitlines() if line.strip()), "no text produced")
    return f"the PDF is damaged or truncated ({first.strip()}); expected a complete PDF file"


def check_complete(path, data):
    """A PDF cut off in transfer lacks its final %%EOF marker: say where it stops, read nothing."""
    if b"%%EOF" in data[-2048:]:
        return
    try:
        readable = [page for page in pdftotext(path).split("\f") if page.strip()]
    except InputError:
        readable = []
    where = f"pages 1–{len(readable)} can be read, page {len(readable) + 1} cannot" if readable else "no page can be read"
    raise InputError(path, f"the PDF is truncated (no %%EOF marker at the end of the file; {where}); "
                           "expected a complete PDF as published", page=len(readable) + 1)


def read_pdf_lines(path, data):
    """PDF bytes -> Lines numbered over the extracted text, each with its 1-based page."""
    from cnbudget.reading import make_line  # reading imports pdf lazily: no circle

    check_complete(path, data)
    pages = pdftotext(path).split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # the form feed after the last page
    if not any(page.strip() for page in pages):
        raise InputError(path, "no text layer on any page (a scanned, image-only PDF?); expected a PDF "
                               "with selectable text — run OCR first", page=1)
    lines, no = [], 0
    for page_no, page in enumerate(pages, start=1):
        for raw in page.split("\n"):
            no += 1
            lines.append(make_line(no, raw.rstrip(), page_no))
    return lines


# ---------------------------------------------------------------- table rows

class Cell:
    """One run of text in a layout line, with its character columns [start, end).

    `spaced`: a single Han character of a letter-spaced heading (合   计), which the next one joins.
    A plain class, not a dataclass: `dataclasses` imports `inspect`, slow to start.
    """

    __slots__ = ("start", "end", "text", "is_number", "spaced")

    def __init__(self, start, end, text, is_number=None):
        self.start = start
        self.end = end
        self.text = text
        self.is_number = TABLE_NUMBER.match(text) is not None if is_number is None else is_number  # read often
        self.spaced = False

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.start, self.end, self.text, self.is_number) == (other.start, other.end, other.text, other.is_number)

    __hash__ = None  # mutable, like the dataclass it was

    def __repr__(self):
        return f"Cell(start={self.start!r}, end={self.end!r}, text={self.text!r})"

    @property
    def middle(self):
        return (self.start + self.end) / 2


def cells(raw):
    """Cut a layout line at runs of two or more spaces (single spaces stay inside a cell)."""
    return [Cell(m.start(), m.end(), m.group()) for m in WORDS_ONE_SPACE_APART.finditer(raw)]


def split_number_cells(raw):
    """Words of a layout line, numbers apart, label words joined when one space separates them."""
    merged, last = [], None
    for part in WORD.finditer(raw):
        start, end = part.span()
        text = part.group()
        number = TABLE_NUMBER.match(text) is not None
        if not number and last is not None and not last.is_number and start - last.end <= 1:
            last.end, last.text = end, f"{last.text} {text}"  # words with a space: one cell
        else:
            last = Cell(start, end, text, number)
            merged.append(last)
    return merged


def column_ends(rows, tolerance=2, reach=4):
    """Right edges of the number columns in these rows (amounts are right-aligned), left to right.

    Edges within `tolerance` are one column; so are neighbouring edges within `reach` that no row
    uses both (a row whose Han label is longer pushes its amounts a few characters right).
    """
    ends = sorted(cell.end for row in rows for cell in row if cell.is_number)
    clusters = []
    for end in ends:
        if clusters and end - clusters[-1][-1] <= tolerance:
            clusters[-1].append(end)
        else:
            clusters.append([end])
    used = [{cell.end for cell in row if cell.is_number} for row in rows]
    merged = []
    for cluster in clusters:
        if merged and cluster[0] - merged[-1][-1] <= reach and not any(
                used_row & set(merged[-1]) and used_row & set(cluster) for used_row in used):
            merged[-1] = merged[-1] + cluster
        else:
            merged.append(cluster)
    return [max(c) for c in merged]


def nearest(value, positions):
    """Index of the position closest to `value` (the first of equals; IndexError when there is none)."""
    best, distance = 0, abs(positions[0] - value)
    for index in range(1, len(positions)):
        if abs(positions[index] - value) < distance:
            best, distance = index, abs(positions[index] - value)
    return best


def clean_raw(line):
    """A Line's layout text with ideographic spaces and tabs as plain spaces (positions kept)."""
    return line.raw.replace("\u3000", " ").replace("\t", "  ")


def row_cells_of(raw, words=None):
    """Cells of a layout line: letter-spaced single characters joined, percents and nil marks kept apart.

    `words`: split_number_cells(raw) when the caller has it already (its cells are reused).
    """
    merged = []
    for cell in split_number_cells(raw) if words is None else words:
        previous = merged[-1] if merged else None
        if (previous is not None and len(cell.text) == 1 and not cell.is_number and previous.spaced
                and cell.start - previous.end <= 8):
            joined = Cell(previous.start, cell.end, previous.text + cell.text)
            joined.spaced = True
            merged[-1] = joined
            continue
        if len(cell.text) == 1 and not cell.is_number and not cell.text.isascii():
            cell.spaced = True
        merged.append(cell)
    return merged


@lru_cache(maxsize=1024)
def header_cells(raw):
    """Words of a header line: headings of neighbouring columns may stand one space apart, so every
    space separates, except in letter-spaced headings (合   计) and years (2026 年预算数).

    A tuple, remembered: a page's header is read three times and repeats on the table's next pages
    (callers read these cells, never change them)."""
    cells = [Cell(m.start(), m.end(), m.group()) for m in WORD.finditer(raw)]
    merged = []
    for cell in cells:
        previous = merged[-1] if merged else None
        if previous is not None and cell.start - previous.end <= 8 and len(cell.text) == 1 and not cell.text.isascii() \
                and previous.spaced:
            joined = Cell(previous.start, cell.end, previous.text + cell.text)
            joined.spaced = True
            merged[-1] = joined
            continue
        if len(cell.text) == 1 and not cell.text.isascii():
            cell.spaced = True
        merged.append(cell)
    # '栏次 1 2 3 …' numbers the columns: neither the row's name nor its numbers are headings
    return tuple(cell for cell in year_words(merged) if not COLUMN_NUMBER.fullmatch(cell.text))


def year_words(cells):
    """'2026 年预算数': a year followed by 年 is a heading word, not an amount."""
    out = []
    for cell in cells:
        if out and out[-1].is_number and not cell.is_number and cell.text.startswith("年") \
                and cell.start - out[-1].end <= 1 and YEAR.fullmatch(out[-1].text):
            previous = out.pop()
            cell = Cell(previous.start, cell.end, f"{previous.text}{cell.text}")
        out.append(cell)
    return out
