"""Web pages as published -> the article's text lines: navigation, scripts and styles dropped.

A disclosure page carries a site around the article: menus, search boxes, footers, scripts.
Block elements become lines; a line made only of links is navigation and is dropped; a table is
laid out on a character grid the way `pdftotext -layout` lays out a printed one (columns four
spaces apart, amounts right-aligned, headings centred over their columns, colspan and rowspan
honoured), so the one table reader (`cnbudget.table_reader`) reads web tables and PDF tables alike. The page's
<title> (its first part, before the site's name) is the first line: it is the cover.
"""

import re
from html.parser import HTMLParser

SKIP = {"script", "style", "noscript", "nav", "header", "footer", "form", "select", "option", "button",
        "iframe", "svg", "object", "template", "head"}
BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section",
         "article", "blockquote", "pre", "dd", "dt", "dl", "hr", "caption", "tbody", "thead", "center"}
CELL = {"td", "th"}
CELL_GAP = "    "
TITLE_SEPARATOR = re.compile(r"\s*[_|｜]\s*|\s+-\s+")
SPACES = re.compile(r"\s+")

class _PageText(HTMLParser):
    """Collects (text, link characters) per line of the page's visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = []  # [text, link_chars]
        self.current, self.links = [], 0
        self.skip_depth, self.link_depth, self.in_title = 0, 0, False
        self.title = []
        self.cells = None  # cells of the table row being read: [text, colspan, rowspan]
        self.span = (1, 1)
        self.tables = []  # stack of tables being read: lists of rows

    def break_line(self):
        text = SPACES.sub(" ", "".join(self.current)).strip()
        if text:
            self.lines.append([text, self.links])
        self.current, self.links = [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        if tag in SKIP:
            self.skip_depth += 1
        elif tag == "a":
            self.link_depth += 1
        elif tag == "table":
            self.break_line()
            self.tables.append([])
        elif tag == "tr":
            self.break_line()
            self.cells = []
        elif tag in CELL and self.cells is not None:
            self.break_line()
            values = dict(attrs)
            self.span = (span_of(values.get("colspan")), span_of(values.get("rowspan")))
        elif tag in BLOCK:
            self.break_line()

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in SKIP:
            self.skip_depth = max(self.skip_depth - 1, 0)
        elif tag == "a":
            self.link_depth = max(self.link_depth - 1, 0)
        elif tag in CELL and self.cells is not None:
            self.cells.append([SPACES.sub(" ", "".join(self.current)).strip(), *self.span])
            self.current, self.links = [], 0
        elif tag == "tr" and self.cells is not None:
            if self.tables:
                self.tables[-1].append(self.cells)
            self.cells = None
        elif tag == "table" and self.tables:
            rows = self.tables.pop()
            self.lines.extend([line, 0] for line in grid_lines(rows))
            self.lines.append(["", 0])  # a blank line ends the table, as on a printed page
        elif tag in BLOCK:
            self.break_line()

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
            return
        if self.skip_depth:
            return
        self.current.append(data)
        if self.link_depth:
            self.links += len(data.strip())


def page_lines(text):
    """The visible article text of a page, one string per line; the title first."""
    parser = _PageText()
    parser.feed(text)
    parser.close()
    parser.break_line()
    title = TITLE_SEPARATOR.split(SPACES.sub(" ", "".join(parser.title)).strip())[0]
    lines = [title] if title else []
    for line, link_chars in parser.lines:
        if link_chars and link_chars >= len(line.replace(" ", "")) * 0.8:
            continue  # a menu, a breadcrumb, a list of related links
        lines.append(line)
    return lines


def span_of(value):
    """A colspan/rowspan attribute as a small positive int (bounded: a page cannot ask for 10⁶ columns)."""
    return min(int(value), 50) if value and str(value).strip().isdigit() and int(value) > 0 else 1


TABLE_AMOUNT = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")


def grid_lines(rows):
    """Rows of [text, colspan, rowspan] cells -> layout lines on one character grid."""
    placed, pending = [], {}  # pending: column -> rows still covered by a rowspan above
    for cells in rows:
        row, column = {}, 0
        for text, colspan, rowspan in cells:
            while pending.get(column, 0) > 0:
                pending[column] -= 1
                column += 1
            row[column] = (text, colspan)
            for c in range(column, column + colspan):
                if rowspan > 1:
                    pending[c] = rowspan - 1
            column += colspan
        for c in [c for c, left in pending.items() if left > 0 and c >= column]:
            pending[c] -= 1
        placed.append(row)
    count = max((c + span for row in placed for c, (_, span) in row.items()), default=0)
    width = [1] * count
    for row in placed:
        for c, (text, span) in row.items():
            if span == 1:
                width[c] = max(width[c], len(text))
    starts = [sum(width[:c]) + len(CELL_GAP) * c for c in range(count)]
    lines = []
    for row in placed:
        if not any(text for text, _ in row.values()):
            continue
        numbers = any(TABLE_AMOUNT.match(text) for text, _ in row.values())
        out = ""
        for c in sorted(row):
            text, span = row[c]
            start = starts[c]
            end = starts[min(c + span, count) - 1] + width[min(c + span, count) - 1]
            if TABLE_AMOUNT.match(text):
                start = end - len(text)  # amounts right-aligned, as printed
            elif not numbers:
                start += max((end - starts[c] - len(text)) // 2, 0)  # headings centred over their columns
            out = out.ljust(start) + text if len(out) < start else out + CELL_GAP[:2] + text
        lines.append(out.rstrip())
    return lines
