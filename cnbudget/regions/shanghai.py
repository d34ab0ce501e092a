"""The Shanghai template (上海市…区级部门预算, PDF): a narrative plus nine numbered budget tables.

Narrative: centred section titles (部门主要职能 … 部门预算编制说明 … 其他相关情况说明 … 项目经费情况说明),
hard-wrapped lines joined into paragraphs before any figure is read (pdftotext breaks '1.48\\n万元'),
function lines written “X（类）Y（款）Z（项）”[科目]N万元 followed by the prior year's outturn
('2022年当年预算执行数为1.48万元'), which is a stated change, not a current-year line.

Tables (五、部门预算表): read by the national reader (`cnbudget.table_reader`); this module only
says which pages hold them and which nine titles the template prints (a missing one is warned).
"""

import re

from cnbudget import function_codes
from cnbudget.errors import InputError
from cnbudget.narrative import (
    AMOUNT_RE, CHANGE_RE, FUNCTION_TRIPLE, MAY_HOLD_FIGURES, heading_statement, record_change,
    scan_sentence, start_section,
)
from cnbudget.reading import cited_at_printed_line, join_lines, sentence_at, sentences
from cnbudget.numbers import NUMBER, normalize, to_yuan, yuan_int
from cnbudget.table_reader import read_table, record
from cnbudget.tables import title_kind

NAME = "shanghai"

# '上海市普陀区2023年区级部门预算'; a municipal department prints '上海市2024年市级部门预算' or its own name.
TITLE = re.compile(r"上海市(?P<district>[^\s\d]{1,8}?区)?(?P<year>\d{4})年(?:区级|市级)?(?:部门|单位)(?P<kind>预算|决算)")
UNITS = [re.compile(r"预算主管部门[:：]\s*(?P<unit>\S+)"), re.compile(r"编制部门[:：]\s*(?P<unit>\S+)"),
         re.compile(r"^\s*(?P<unit>\S+?)\(部门\)主要职能", re.M)]

# Top-level section titles, possibly prefixed by the year or the unit's name ('…（部门）主要职能').
SECTION_TITLES = re.compile(
    r"^(?:\d{4}年)?(?:\S*?(?:\(部门\)|部门))?(?:主要职能|机构设置|名词解释|预算编制说明|"
    r"其他相关情况说明|项目经费情况说明|绩效目标)$"
)
CHAPTER = re.compile(r"^[一二三四五六七八九十]+[、.]")
SECTION = re.compile(r"^\([一二三四五六七八九十]+\)")
CONTENTS_FOLLOW = re.compile(r"支出主要内容如下$")
DASH_NAMES = re.compile(r"“?[^“”]+(?:-[^“”\-]+){1,2}”?")
FORM_TITLE = "财政项目支出绩效目标填报表"


# ---------------------------------------------------------------- the nine tables (hints)

# The nine numbered tables of the template; read by `cnbudget.table_reader`, named here only to
# recognise the template and to warn when one is missing.
TABLE_TITLES = (
    "财政拨款收支预算总表", "财务收支预算总表", "收入预算总表", "支出预算总表", "一般公共预算支出功能分类预算表",
    "政府性基金预算支出功能分类预算表", "国有资本经营预算支出功能分类预算表",
    "一般公共预算基本支出部门预算经济分类预算表", "“三公”经费和机关运行经费预算表",
)
# A title line: '2023年部门收入预算总表' (not a numbered contents line such as '2. 2023年部门…表').
TABLE_TITLE = re.compile(r"^(?:\d{4}\s*年)?(?:部门)?(?P<name>[^\d.、…]{4,40}表)$")
PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?\d{1,3}(?:\s*-)?\s*$")  # not \s*-?\s*: quadratic in the indent


def table_title(text):
    """The table Title this line prints (one of the nine, or another table), or None."""
    title = TABLE_TITLE.match(text.strip())
    if not title or FORM_TITLE in text:
        return None
    return title_kind(text)


def table_spec(text):
    """The printed title of one of the nine tables on this line, or None."""
    title = table_title(text)
    name = title.name if title else ""
    return next((t for t in TABLE_TITLES if t in name), None)


def line_sentence(line):
    """A whole layout line (a table row, a note) as one Sentence, for provenance."""
    text = line.text.strip()
    return sentence_at(line, text, line.text.find(text) if text else 0)


# ---------------------------------------------------------------- template interface

def detect(text):
    """A Shanghai budget PDF: the cover title within the first pages, and its numbered tables."""
    # TITLE opens with 上海市: str.find skips to it, where the pattern steps through the text; the
    # bounds stand for text[:5000] without copying it (search's endpos is documented as that slice).
    at = text.find("上海市", 0, 5000)
    return at >= 0 and bool(TITLE.search(text, at, 5000) and any(title in text for title in TABLE_TITLES))


def describe(path, lines, provenance):
    """Document fields from the sidecar, else from the cover (title, 预算主管部门 or 编制部门)."""
    title = TITLE.search("\n".join(line.text for line in lines[:200]))
    whole = "\n".join(line.text for line in lines)
    unit = next((m for m in (pattern.search(whole) for pattern in UNITS) if m), None)
    if title is None or (unit is None and not provenance.get("unit_name")):
        raise InputError(path, "expected the cover of a Shanghai department budget: '上海市…年区级部门预算' "
                               "and '预算主管部门：…'", line=1, page=1)
    kind = provenance.get("kind") or f"部门{title.group('kind')}"
    year = provenance.get("fiscal_year") or int(title.group("year"))
    name = provenance.get("unit_name") or unit.group("unit")
    region = "上海市" + (title.group("district") or "")
    return {
        "unit_name": name, "fiscal_year": year, "kind": kind,
        "region": provenance.get("region") or region,
        "title": provenance.get("title") or f"{name}{year}年{kind}",
    }


def extract(doc):
    """Narrative, tables and project forms, each page read by the part that owns it."""
    narrative, tables, forms = split_pages(doc.lines)
    if not tables:
        raise InputError(doc.path, "none of the nine budget tables (e.g. '部门财务收支预算总表') was found; "
                                   "expected the tables section 五、部门预算表", page=1)
    read_narrative(doc, paragraphs(narrative))
    doc.table_codes = {}
    found = set()
    for title, table_lines in tables:
        table = read_table(title, table_lines, doc.fiscal_year)
        record(doc, table)
        for code, row in table.codes.items():
            doc.table_codes.setdefault(code, row)
        found.add(table_spec(table_lines[0].text))
    resolve_function_codes(doc)
    for title in TABLE_TITLES:
        if title not in found:
            doc.warn("missing_table", f"未找到附表“{title}”", line_sentence(doc.lines[0]))
    read_forms(doc, forms)
    warn_pages_without_text(doc)
    for code in sorted(doc.table_codes):
        doc.note_code(code, doc.table_codes[code]["name"])  # codes the reference lacks join function_codes
    if not doc.budget_lines:
        raise InputError(doc.path, "no budget figures found; expected amounts in the tables", page=1)


def warn_pages_without_text(doc):
    """A page with no text among pages with text was probably scanned: its figures cannot be read."""
    pages = page_groups(doc.lines)
    last_text = max((page for page, lines in pages.items() if first_text(lines)), default=0)
    for page, lines in pages.items():
        if page < last_text and not first_text(lines):
            doc.warn("page_without_text", f"第{page}页没有文字层（扫描图像？），该页数据无法读取", line_sentence(lines[0]))


# ---------------------------------------------------------------- pages

def page_groups(lines):
    """{page: [lines]} in page order."""
    pages = {}
    for line in lines:
        pages.setdefault(line.page, []).append(line)
    return pages


def first_text(page_lines):
    return next((line.text.strip() for line in page_lines if line.text.strip()), "")


def split_pages(lines):
    """(narrative lines, [(table Title, lines)], project-form pages).

    A table starts at its title line (two small tables may share a page) and runs, across pages,
    until the next table title or a page that opens with a section title or a project form.
    """
    narrative, tables, forms = [], [], []
    mode = "narrative"
    for page_lines in page_groups(lines).values():
        first = first_text(page_lines)
        if FORM_TITLE in first:
            mode = "form"
            forms.append(page_lines)
            continue
        if SECTION_TITLES.match(CHAPTER.sub("", first)) and table_title(first) is None:
            mode = "narrative"
        for line in page_lines:
            title = table_title(line.text)
            if title is not None:
                tables.append((title, [line]))
                mode = "table"
            elif mode == "table":
                tables[-1][1].append(line)
            elif mode == "narrative":
                narrative.append(line)
        if mode == "form":
            forms.append(page_lines)
    return narrative, tables, forms


# ---------------------------------------------------------------- narrative

def paragraphs(lines):
    """Join hard-wrapped lines: an indented line, a heading or a blank line starts a new paragraph."""
    out, current = [], []

    def flush():
        if current:
            out.append(join_lines(current))
            current.clear()

    for line in lines:
        text = line.text.strip()
        if not text or PAGE_NUMBER.match(line.raw):
            flush()
            continue
        starts_block = line.raw.startswith("  ") or heading_level(text) is not None
        if starts_block or (current and heading_level(current[0].text.strip()) is not None):
            flush()
        current.append(line)
    flush()
    return out


def heading_level(text, stack=None):
    """Section title = 1, 一、= 2, （一）= 3, and 财政拨款支出主要内容如下 = 2; never a line with a figure."""
    text = text.strip().rstrip("。:：")
    if len(text) > 40 or AMOUNT_RE.search(text):
        return None
    if SECTION_TITLES.match(text) or text == "目录" or text == "目 录":
        return 1
    if CONTENTS_FOLLOW.search(text):
        return 2
    if "。" in text:
        return None
    if CHAPTER.match(text):
        return 2
    if SECTION.match(text):
        return 3
    return None


# Figures the shared rules do not know, read first and masked so the shared scan skips them.
PRIOR_OUTTURN = re.compile(rf"(?P<year>\d{{4}})年(?:当年)?预算执行数为(?P<number>{NUMBER})\s*(?P<unit>亿元|万元|元)")
RESTATED = re.compile(rf"(?P<year>\d{{4}})年预算安排(?P<number>{NUMBER})\s*(?P<unit>亿元|万元|元)")
QUARTER = re.compile(rf"第(?P<q>[一二三四])季度用款计划(?P<number>{NUMBER})\s*(?P<unit>亿元|万元|元)")
ASSET = re.compile(rf"(?P<label>流动资产|固定资产|在建工程|无形资产|长期投资|其他固定资产)(?:\d+项)?"
                   rf"(?P<number>{NUMBER})\s*(?P<unit>亿元|万元|元)")
# “一般公共服务支出-统计信息事务-统计管理”科目2.63万元: the dash form of a 类/款/项 line.
DASH_TRIPLE = re.compile(rf"“(?P<cls>[^“”\-]+?)-(?P<sec>[^“”\-]+?)(?:-(?P<item>[^“”\-]+?))?”(?:科目)?\s*"
                         rf"(?P<number>{NUMBER})\s*(?P<unit>亿元|万元|元)")
THRESHOLD = re.compile(r"单价\d+(?:\.\d+)?万元(?:\(含\))?以上")
PERFORMANCE_FUNDS = re.compile(rf"涉及项目预算资金(?P<number>{NUMBER})\s*(?P<unit>亿元|万元|元)")
PERFORMANCE_COUNTS = [
    (re.compile(r"本部门(?P<number>\d+)个(?P<label>预算单位)"), "units", "个"),
    (re.compile(r"(?P<label>编报绩效目标的项目)(?P<number>\d+)个"), "project_count", "个"),
]
PROJECT_NAME = re.compile(r"建设的(?P<name>[^,，。]{4,40}?)(?:,|，|位于)")
ASSET_ITEMS = {"流动资产": "current_assets", "固定资产": "fixed_assets", "在建工程": "construction_in_progress",
               "无形资产": "intangible_assets", "长期投资": "long_term_investment", "其他固定资产": "other_fixed_assets"}
# Same-length rewrites so the shared label rules recognise this template's wording.
LABEL_VARIANTS = [("公务车购置及运行费", "公务用车购置及运行"), ("公务车用车运行费", "公务用车运行费费"),
                  ("小型和微型企业", "小微企业小微企")]
QUARTERS = "一二三四"


def read_narrative(doc, paras):
    """Sections and figures of the narrative, paragraph by paragraph (cf. extract.read_narrative)."""
    stack, current, project = [], None, None
    for line in paras:
        text = line.text.strip()
        level = heading_level(text)
        if level is not None:
            while stack and stack[-1][0] >= level:
                stack.pop()
            heading = text.rstrip("。:：")
            stack.append((level, heading, heading_statement(heading)))
            current = start_section(doc, stack, line)
        elif current is None:
            current = start_section(doc, [(1, text[:60], None)], line)
            current["text"] = text
        else:
            current["text"] = f"{current['text']}\n{text}" if current["text"] else text
        current["line_end"] = line.last_no or line.no
        in_projects = any("项目经费情况说明" in h for _, h, _ in stack)
        context = "performance" if in_projects else next((s for _, _, s in reversed(stack) if s), None)
        name = PROJECT_NAME.search(text) if in_projects else None
        project = name.group("name").strip() if name and project is None else project
        if MAY_HOLD_FIGURES.search(text):
            for sentence in paragraph_sentences(line):
                scan(doc, cited_at_printed_line(sentence), context, project)


def paragraph_sentences(line):
    """A function line's paragraph is read whole: its prior-year sentence refers back to its figure."""
    if ("(类)" in line.text or DASH_TRIPLE.search(line.text)) and (
            PRIOR_OUTTURN.search(line.text) or RESTATED.search(line.text)):
        text = line.text.strip()
        return [sentence_at(line, text, line.text.find(text))]
    out = []
    for sentence in sentences(line):
        if out and sentence.text.startswith("比"):  # '公务接待费1.35万元。比2022年预算持平': one statement
            first = out.pop()
            end = sentence.offset + len(sentence.text)
            text = line.text[first.offset:end]
            out.append(sentence_at(line, text, first.offset))
        else:
            out.append(sentence)
    return out


def scan(doc, sentence, context, project):
    """This template's own figures first, then the shared sentence scan on what is left."""
    text = sentence.text
    masked = list(text)

    def mask(match):
        masked[match.start():match.end()] = "#" * (match.end() - match.start())

    priors = list(PRIOR_OUTTURN.finditer(text))
    restated = list(RESTATED.finditer(text))
    for match in priors + restated + list(THRESHOLD.finditer(text)):
        mask(match)
    dashed = []  # (end, line_id) of dash-form function lines: their comparisons are tied here
    for match in DASH_TRIPLE.finditer(text):
        mask(match)
        names = [n.strip() for n in match.group("cls", "sec", "item") if n]
        code, level = function_codes.resolve(*names)
        label = sentence.printed(match.group(0)[: match.group(0).index("”") + 1], match.start())
        dashed.append((match.end(), add_amount(doc, sentence, match, "function_class", code or "-".join(names),
                                               label, function_code=code, function_level=level)))
    if dashed:
        first = len(doc.stated_changes)
        changes = list(CHANGE_RE.finditer("".join(masked)))
        for change in changes:
            mask(change)
            record_change(doc, sentence, change, dashed, context)
        if len(doc.stated_changes) - first == len(changes):
            for prior in priors:
                after = [i for i, change in enumerate(changes) if change.start() >= prior.end()]
                if after:
                    doc.stated_changes[first + after[0]]["prior_yuan"] = yuan_int(
                        to_yuan(prior.group("number"), prior.group("unit")))
            priors = []
    for match in QUARTER.finditer(text):
        mask(match)
        q = QUARTERS.index(match.group("q")) + 1
        add_amount(doc, sentence, match, "performance", f"project:{project or '项目'}:q{q}",
                   f"第{match.group('q')}季度用款计划", project_name=project)
    for match in ASSET.finditer(text):
        mask(match)
        add_amount(doc, sentence, match, "assets", ASSET_ITEMS[match.group("label")], match.group("label"))
    for match in PERFORMANCE_FUNDS.finditer(text):
        mask(match)
        add_amount(doc, sentence, match, "performance", "total", "项目预算资金")
    if context == "performance" or "绩效目标" in text:
        for pattern, item, unit in PERFORMANCE_COUNTS:
            for match in pattern.finditer(text):
                doc.add_line("performance", item, match.group("label"), f"{match.group('number')}{unit}",
                             sentence, quantity=int(match.group("number")), quantity_unit=unit)
    rewritten = "".join(masked)
    for printed, known in LABEL_VARIANTS:
        rewritten = rewritten.replace(printed, known)
    first_change = len(doc.stated_changes)
    first_line = len(doc.budget_lines)
    scan_sentence(doc, sentence_at(sentence.line, rewritten, sentence.offset), context)
    attach_prior(doc, sentence, rewritten, priors, restated, first_line, first_change)


def add_amount(doc, sentence, match, statement, item, label, **dims):
    """One amount matched by this template's own patterns."""
    amount = to_yuan(match.group("number"), match.group("unit"))
    printed = sentence.printed(match.group(0), match.start())
    amount_text = printed[printed.find(match.group("number")[0]):] if printed else match.group(0)
    return doc.add_line(statement, item, label, amount_text, sentence, amount=amount, **dims)


def attach_prior(doc, sentence, text, priors, restated, first_line, first_change):
    """'2022年当年预算执行数为1.48万元': the prior year's figure belongs to the change stated after it."""
    changes = doc.stated_changes[first_change:]
    stated = list(CHANGE_RE.finditer(text))
    for prior in priors:
        after = [i for i, change in enumerate(stated) if change.start() >= prior.end()]
        if not after or len(stated) != len(changes):
            doc.warn("unplaced_prior", f"上年执行数 {prior.group(0)} 后没有可对应的增减表述", sentence)
            continue
        changes[after[0]]["prior_yuan"] = yuan_int(to_yuan(prior.group("number"), prior.group("unit")))
    lines = doc.budget_lines[first_line:]
    for again in restated:
        amount = yuan_int(to_yuan(again.group("number"), again.group("unit")))
        if lines and lines[0]["amount_yuan"] is not None and amount != lines[0]["amount_yuan"]:
            doc.warn("restated_amount_differs",
                     f"句中重述的本年数 {again.group(0)} 与本条数额 {lines[0]['amount_text']} 不一致", sentence)


def label_names(label):
    """The printed 类/款/项 names of a function line, from either form, as comparison keys."""
    triple = FUNCTION_TRIPLE.search(label)
    if triple:
        names = [n for n in triple.group("cls", "sec", "item") if n]
    elif DASH_NAMES.fullmatch(label):
        names = label.strip("“”").split("-")
    else:
        return ()
    return tuple(function_codes.name_key(n.strip()) for n in names)


def resolve_function_codes(doc):
    """Narrative 类/款/项 names the reference table lacks take the code the document's own tables print."""
    printed = {}
    for code, row in doc.table_codes.items():
        path = [doc.table_codes.get(code[:n], {}).get("name") for n in (3, 5, 7)[: (len(code) - 1) // 2]]
        printed[tuple(function_codes.name_key(n or "") for n in path)] = code
    fixed = set()
    for record in doc.budget_lines:
        if record["statement"] != "function_class" or record["function_code"] or record["table_name"]:
            continue
        names = label_names(normalize(record["label"]))
        if not names:
            continue
        code = printed.get(names)
        if code:
            record.update(function_code=code, item=code)
            fixed.add(record["source_line"])
    for change in doc.stated_changes:
        line = doc.budget_lines[change["line_id"] - 1] if change["line_id"] else None
        if line and line["function_code"] and change["function_code"] is None:
            change.update(function_code=line["function_code"], item=line["item"])
    kept = [w for w in doc.warnings if not (w["rule"] == "unknown_function_name" and w["source_line"] in fixed)]
    for number, warning in enumerate(kept, start=1):
        warning["warning_id"] = number
    doc.warnings[:] = kept


# ---------------------------------------------------------------- project forms

FORM_NAME = re.compile(r"项目名称\s+(?P<name>\S+)")
FORM_TOTAL = re.compile(r"项目资金总额\s+(?P<number>[\d,]+(?:\.\d+)?)")


def read_forms(doc, forms):
    """财政项目支出绩效目标填报表: each project's name and 项目资金总额 (元) as a performance line."""
    for page_lines in forms:
        name = None
        for line in page_lines:
            found = FORM_NAME.search(line.text)
            if found:
                name = found.group("name")
            total = FORM_TOTAL.search(line.text)
            if total and name:
                sentence = line_sentence(line)
                doc.add_line("performance", f"project:{name}", name, total.group("number"), sentence,
                             amount=to_yuan(total.group("number"), "元"), project_name=name, table_name=FORM_TITLE)
                name = None
