"""The Sichuan narrative template (四川省 部门预算/决算情况说明): 第一部分…第四部分, 一、（一）1. numbering.

It is also the fallback for any narrative disclosure of the genre: headings are recognised by
their numbering, figures by their labels (`cnbudget.extract.LABEL_RULES`), not by position.
"""

import re

from cnbudget.errors import InputError
from cnbudget.extract import AMOUNT_RE, check_not_truncated, read_narrative

NAME = "sichuan"

PART = re.compile(r"^第[一二三四五六七八九十]+部分")
CHAPTER = re.compile(r"^[一二三四五六七八九十]+[、.]")
SECTION = re.compile(r"^\([一二三四五六七八九十]+\)")
TITLE = re.compile(r"(?P<year>\d{4})\s*年(?:度)?\s*(?:部门|单位)?(?P<kind>预算|决算)")
MAX_HEADING = 40


def detect(text):
    """Any narrative 部门预算/决算 disclosure that states amounts."""
    return bool(TITLE.search(text[:20000]) and ("部门预算" in text or "部门决算" in text) and AMOUNT_RE.search(text))


def heading_level(text, stack):
    """第X部分 = 1, 一、= 2, （一）= 3; a short unnumbered line without a figure is a heading too."""
    if PART.match(text):
        return 1
    if len(text) > MAX_HEADING:
        return None
    if CHAPTER.match(text):
        return 2
    if SECTION.match(text):
        return 3
    bare = re.sub(r"\d{4}年", "", text.rstrip("。"))
    if len(text) <= 20 and not text.endswith("。") and not re.search(r"[,;:!?。]|\d", bare):
        return 3 if any(level == 2 for level, _, _ in stack) else 2
    return None


def describe(path, lines, provenance):
    """Document fields from the sidecar, else read from the text (unit name, year, kind)."""
    text = "\n".join(line.text for line in lines[:400])
    title = TITLE.search(text)
    if title is None:
        raise InputError(path, "expected a title such as '2023年部门预算' naming the fiscal year", line=1)
    unit = provenance.get("unit_name") or guess_unit(text)
    kind = provenance.get("kind") or f"部门{title.group('kind')}"
    year = provenance.get("fiscal_year") or int(title.group("year"))
    return {
        "unit_name": unit, "fiscal_year": year, "kind": kind,
        "region": provenance.get("region"),
        "title": provenance.get("title") or f"{unit}{year}年{kind}",
    }


def guess_unit(text):
    """The unit's name as its own headings print it."""
    for pattern in (r"第一部分\s*(?P<unit>\S+?)(?:单位|部门)?概况",
                    r"第二部分\s*(?P<unit>\S+?)\s*\n?\s*\d{4}年",
                    r"(?P<unit>\S+?)\d{4}年(?:部门|单位)(?:预算|决算)"):
        match = re.search(pattern, text)
        if match:
            return match.group("unit").strip()
    return "未知单位"


def extract(doc):
    """Walk the narrative once: sections, figures, stated changes."""
    check_not_truncated(doc.path, doc.lines, lambda text: heading_level(text, []) is not None)
    read_narrative(doc, heading_level)
    if not doc.budget_lines:
        raise InputError(doc.path, "no budget figures found; expected sentences such as "
                                   "'收入预算644.66万元'", line=1)
    if not any(line["statement"] == "three_public" for line in doc.budget_lines):
        last = max((line for line in doc.lines if line.text.strip()), key=lambda line: line.no)
        raise InputError(doc.path, "no “三公”经费 section, which every disclosure must state; "
                                   "the file looks cut off after this line", line=last.no)
