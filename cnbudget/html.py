"""Web pages as published -> the article's text lines: navigation, scripts and styles dropped.

A disclosure page carries a site around the article: menus, search boxes, footers, scripts.
Block elements become lines; a line made only of links is navigation and is dropped; a table
row becomes one line whose cells are separated by four spaces, the way `pdftotext -layout` lays
out a printed table, so the table reader reads web tables and PDF tables alike. The page's
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
HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)


def looks_like_html(data):
    """A web page: it opens with a doctype or an <html>/<head>/<body> tag."""
    return bool(HTML_START.match(data[:2048].lstrip(b"\xef\xbb\xbf")))


class _PageText(HTMLParser):
    """Collects (text, link characters) per line of the page's visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = []  # [text, link_chars]
        self.current, self.links = [], 0
        self.skip_depth, self.link_depth, self.in_title = 0, 0, False
        self.title = []
        self.cells = None  # cells of the table row being read

    def break_line(self):
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
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
        elif tag == "tr":
            self.break_line()
            self.cells = []
        elif tag in CELL and self.cells is not None:
            self.break_line()
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
            self.cells.append(re.sub(r"\s+", " ", "".join(self.current)).strip() or "-")
            self.current, self.links = [], 0
        elif tag == "tr" and self.cells is not None:
            if any(cell != "-" for cell in self.cells):
                self.lines.append([CELL_GAP.join(self.cells), 0])
            self.cells = None
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
    title = TITLE_SEPARATOR.split(re.sub(r"\s+", " ", "".join(parser.title)).strip())[0]
    lines = [title] if title else []
    for line, link_chars in parser.lines:
        if link_chars and link_chars >= len(line.replace(" ", "")) * 0.8:
            continue  # a menu, a breadcrumb, a list of related links
        lines.append(line)
    return lines
