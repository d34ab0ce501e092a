"""Reading: a source's bytes (text, web page or PDF) -> numbered Lines with page, raw and normalised text.

The bottom layer: it imports nothing of the readers, regions or audit above it.
`read_lines(path, data)` decodes text (UTF-8, GB18030), keeps a web page's article text
(`cnbudget.html`) or runs PDFs through `cnbudget.pdf`;
`sentences(line)` cuts a line at 。 keeping where each sentence stands in the raw text.
"""

import re
from pathlib import Path

from cnbudget.errors import InputError
from cnbudget.numbers import close_letter_spacing, fold_width, normalize_with_map

SENTENCE_END = re.compile(r"[。!?]|$")
SENTENCE_STOP = re.compile(r"[。!?]")
# A web page opens with a doctype or an <html>/<head>/<body> tag (comments before it allowed).
HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)


class Line:
    """One line of the source: its number (1-based), page (PDF only), raw and normalised text.

    A plain class with slots, not a dataclass: a document has hundreds of lines, and importing
    `dataclasses` costs every process its `inspect` import.
    """

    __slots__ = ("no", "raw", "text", "origin", "page", "starts", "last_no")

    def __init__(self, no, raw, text, origin, page=None):
        self.no = no
        self.raw = raw
        self.text = text
        self.origin = origin
        self.page = page
        # A paragraph of join_lines sets these: where each printed line starts, and the last one's number.
        self.starts = None
        self.last_no = None

    def replace(self, **changes):
        """A copy with some fields changed (what dataclasses.replace did: starts and last_no are not copied)."""
        line = Line(self.no, self.raw, self.text, self.origin, self.page)
        for name, value in changes.items():
            setattr(line, name, value)
        return line

    def __repr__(self):
        return f"Line(no={self.no!r}, raw={self.raw!r}, text={self.text!r}, origin={self.origin!r}, page={self.page!r})"

    def __eq__(self, other):
        if other.__class__ is not Line:
            return NotImplemented
        return (self.no, self.raw, self.text, self.origin, self.page) == (other.no, other.raw, other.text, other.origin, other.page)

    __hash__ = None  # mutable, like the dataclass it replaces


class Sentence:
    """A sentence of one line (split at 。), normalised, with the raw text it was printed as."""

    __slots__ = ("line", "text", "raw", "offset")

    def __init__(self, line, text, raw, offset=0):
        self.line = line
        self.text = text
        self.raw = raw
        self.offset = offset  # where `text` starts in line.text

    def __repr__(self):
        return f"Sentence(line={self.line!r}, text={self.text!r}, raw={self.raw!r}, offset={self.offset!r})"

    def printed(self, fragment, start=0):
        """The raw (as printed) form of `fragment`, searched in this sentence from `start`."""
        at = self.text.find(fragment, start)
        if at < 0 or not fragment:
            return fragment
        begin = self.offset + at
        if self.line.origin is None:  # raw_span's first case, without the call
            return self.line.raw[begin:begin + len(fragment)]
        return raw_span(self.line, begin, begin + len(fragment))

    def printed_at(self, start, end):
        """The raw form of text[start:end] (a match's span): `printed` without searching for it."""
        if start >= end:
            return ""
        line = self.line
        if line.origin is None:  # raw_span's first case, without the call
            return line.raw[self.offset + start:self.offset + end]
        return raw_span(line, self.offset + start, self.offset + end)


def as_path(path):
    """`path` as a Path: one given as a Path is kept, not parsed again (pathlib's costliest step)."""
    return path if isinstance(path, Path) else Path(path)


def read_bytes(path):
    """A file's bytes, as Path.read_bytes reads them (same errors), through an unbuffered file.

    readall of the raw file reads it whole; the buffered reader read_bytes opens would only be
    allocated and passed through (a fifth of reading a file).
    """
    with open(path, "rb", buffering=0) as file:
        return file.readall()


def decode(path, data):
    """Bytes -> (text, encoding): UTF-8 (with or without BOM), else GB18030; binary is an error."""
    if not data or data.isspace():  # nothing but ASCII whitespace (`not data.strip()`, without the copy)
        raise InputError(path, "the file is empty; expected the text of a department budget disclosure", line=1)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(path, "binary data (NUL byte); expected a text or PDF budget disclosure", line=line)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            bad = error
            continue
        name = "utf-8-bom" if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else encoding
        return text, name.replace("-sig", "")
    line = data[: bad.start].count(b"\n") + 1
    raise InputError(path, "undecodable bytes; expected UTF-8 or GB18030/GBK text", line=line)


def read_lines(path, data):
    """The source's bytes as (lines, encoding): text is decoded, PDFs go through `cnbudget.pdf`."""
    if data.startswith(b"%PDF"):
        from cnbudget.pdf import read_pdf_lines

        return read_pdf_lines(path, data), "pdf"
    text, encoding = decode(path, data)
    if str(path).lower().endswith((".html", ".htm", ".shtml")) or HTML_START.match(data[:2048].lstrip(b"\xef\xbb\xbf")):
        from cnbudget.html import page_lines  # html.parser is imported only for web pages

        text, encoding = "\n".join(page_lines(text)), "html"
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    raws = text.split("\n")
    norms = fold_width(text).split("\n")  # one pass over the whole text; folding keeps every position
    origins = [None] * len(norms)
    for at, norm in enumerate(norms):
        if " " in norm:  # only a line with a space can be letter-spaced
            norms[at], origins[at] = close_letter_spacing(norm)
    # map builds the Lines in C, the loop's own steps (unpacking, append) a seventh of building them.
    return list(map(Line, range(1, len(norms) + 1), raws, norms, origins)), encoding


def make_line(no, raw, page=None):
    """A Line with its normalised text and position map."""
    text, origin = normalize_with_map(raw)
    return Line(no, raw, text, origin, page)


def sentence_at(line, text, offset):
    """A Sentence of `line` whose normalised text starts at `offset`; its raw text is cut from the line."""
    return Sentence(line, text, raw_span(line, offset, offset + len(text)), offset)


def sentences(line, keep=None):
    """Split a line at 。 (and ! ?); `keep` (a compiled pattern) drops sentences it does not match."""
    whole = line.text
    if "\n" not in whole and "!" not in whole and "?" not in whole:
        return sentences_at_stops(line, keep)
    if "\n" in whole:  # `$` also matches before a final newline: SENTENCE_END's own way
        ends = []
        for match in SENTENCE_END.finditer(whole):
            ends.append(match.end())
            if match.end() == len(whole):
                break
    else:  # each stop, then the end of the line (the same cuts, without trying `$` at every position)
        ends = [match.end() for match in SENTENCE_STOP.finditer(whole)]
        if not ends or ends[-1] != len(whole):
            ends.append(len(whole))
    out, start = [], 0
    plain = line.origin is None
    for end in ends:
        cut_sentence(out, line, whole[start:end], start, keep, plain)
        start = end
    return out


def cut_sentence(out, line, chunk, start, keep, plain):
    """Append the Sentence of `chunk` (line.text from `start`), stripped, unless empty or not kept by `keep`."""
    text = chunk.strip()
    if text and (keep is None or keep.search(text)):
        offset = start if text is chunk else start + len(chunk) - len(chunk.lstrip())
        if plain:  # sentence_at, with raw_span's first case inline
            out.append(Sentence(line, text, line.raw[offset:offset + len(text)], offset))
        else:
            out.append(sentence_at(line, text, offset))


def sentences_at_stops(line, keep=None):
    """`sentences` of a line where only 。 ends a sentence (no ! ? or newline): most lines.

    The same cuts as `sentences` (each 。, then the end of the line), each sentence made as its
    stop is found by str.find, without a list of the cuts first (a sixth of the time).
    """
    whole = line.text
    out, start = [], 0
    plain = line.origin is None
    end = whole.find("。") + 1
    while True:
        if not end:  # no 。 after `start`: the rest of the line
            end = len(whole)
        cut_sentence(out, line, whole[start:end], start, keep, plain)
        if end == len(whole):
            return out
        start = end
        end = whole.find("。", start) + 1


def raw_span(line, start, end):
    """The raw text printed where normalised characters start..end stand."""
    if line.origin is None:
        return line.raw[start:end]
    if start >= len(line.origin):
        return ""
    raw_end = line.origin[end - 1] + 1 if end - 1 < len(line.origin) else len(line.raw)
    return line.raw[line.origin[start]:raw_end]


def join_lines(lines):
    """One Line of hard-wrapped printed lines (a paragraph); `starts` keeps where each line began."""
    raw, starts = "", []
    for line in lines:
        starts.append((len(raw), line.no, line.page))
        raw += line.raw.strip()
    paragraph = make_line(lines[0].no, raw, lines[0].page)
    paragraph.starts = starts  # (raw offset, line, page) of each printed line it joins
    paragraph.last_no = lines[-1].no
    return paragraph


def cited_at_printed_line(sentence):
    """The sentence, its line number and page those of the printed line where it starts (the inverse of join_lines)."""
    line = sentence.line
    starts = line.starts
    if not starts or len(starts) == 1:
        return sentence
    raw_at = sentence.offset if line.origin is None else line.origin[min(sentence.offset, len(line.origin) - 1)]
    _, no, page = next(start for start in reversed(starts) if start[0] <= raw_at)
    return sentence_at(line.replace(no=no, page=page), sentence.text, sentence.offset)
