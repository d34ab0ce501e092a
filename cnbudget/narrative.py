"""The narrative reader: every amount of a disclosure's prose, with its dimensions and sentence.

One reader for every region (the genre's 情况说明): headings by their numbering, figures by their
labels (`LABEL_RULES`), 类/款/项 lines in every printed form (`X（类）Y（款）Z（项）`, inline
codes, `（204类）（06款）（01项）`, dash paths), comparisons with the prior year as stated changes.
It writes through the collector's methods (`doc.add_line`, `doc.warn`, …) and imports nothing
above the reading layer, so regions and the extractor import it, never the reverse.
"""

import bisect
import re
from decimal import Decimal
from functools import lru_cache

from cnbudget import function_codes
from cnbudget.errors import InputError
from cnbudget.numbers import fen_of, fold_width, to_yuan, yuan_int

# Numbers anchored at the start of a digit run (look-behind): a pattern never retries inside a
# long run of digits, so every pattern here is linear in its input. The first digit comes before
# the look-behind (`\d(?<![\d.,]\d)` = a digit with no digit, '.' or ',' before it): a pattern that
# starts with a digit lets the regex engine skip to the next digit instead of trying every position.
# Possessive repeats: what follows a number (. , a space or a unit) never starts with a digit, so
# giving digits back could never lead to a match; not trying saves the engine's steps.
NUMBER = r"\d(?<![\d.,]\d)(?:\d{0,2}+(?:,\d{3})++|\d*+)(?:\.\d++)?"
AMOUNT_RE = re.compile(rf"(?P<number>{NUMBER})\s*(?P<unit>亿元|万元|元)")
COUNT_RE = re.compile(r"(?P<number>\d(?<![\d.,]\d)\d{0,8})\s?(?P<unit>辆|台\(套\)|台|套)")
MAX_INTEGER_DIGITS = 15  # 999万亿元: beyond this a printed amount is a corrupt file, not a budget
PCT = r"(?<![\d.])\d{1,9}(?:\.\d{1,9})?\s?%"
from cnbudget.reading import cited_at_printed_line, raw_span, sentences


# ---------------------------------------------------------------- vocabulary shared by templates

# Heading keywords -> the statement that the figures under that heading belong to (first match wins).
HEADING_STATEMENTS = [
    (r"三公", "three_public"),
    (r"机关运行经费", "agency_operating"),
    (r"政府采购", "procurement"),
    (r"国有资产", "assets"),
    (r"绩效目标", "performance"),
    (r"政府性基金", "government_fund"),
    (r"国有资本经营", "state_capital"),
    (r"财政拨款收支", "fiscal_appropriation"),
    (r"一般公共预算当年拨款|一般公共预算财政拨款支出", "general_budget"),
    (r"财政拨款支出", "fiscal_appropriation"),  # '（四）财政拨款支出预算情况说明' (after 一般公共预算财政拨款支出)
    (r"基本支出", "basic_expenditure"),
    (r"收支预算总体|收支总体|收支预算总", "overview"),
    (r"收入预算", "income"),
    (r"支出预算", "expenditure"),
]
HEADING_STATEMENTS = [(tuple(p.split("|")), s) for p, s in HEADING_STATEMENTS]  # literals: `in` is enough


# Label patterns -> (statement or None for "the heading's statement", item, dimensions).
# Ordered from the most specific: 公务用车购置及运行费 before 公务用车购置费.
LABEL_RULES = [
    (r"非财政拨款.*三公", "three_public", "non_fiscal", {}),
    (r"三公.{0,2}经费", "three_public", "total", {}),
    (r"因公出国\(境\)", "three_public", "overseas_travel", {}),
    (r"公务接待", "three_public", "reception", {}),
    (r"公务用车购置[及和]运行", "three_public", "vehicles", {}),
    (r"公务用车购置", "three_public", "vehicle_purchase", {}),
    (r"公务用车运行", "three_public", "vehicle_operation", {}),
    (r"机关运行经费", "agency_operating", "total", {}),
    # An economic item's own figure ('会议费预算支出5.79万元'), never the statement's total.
    (r"会议费", "expenditure", "meeting", {"economic_class": "会议费"}),
    (r"培训费", "expenditure", "training", {"economic_class": "培训费"}),
    (r"委托业务费", "expenditure", "commissioned_services", {"economic_class": "委托业务费"}),
    (r"劳务费", "expenditure", "labour_services", {"economic_class": "劳务费"}),
    (r"政府采购货物", "procurement", "goods", {}),
    (r"政府采购工程", "procurement", "works", {}),
    (r"政府采购服务", "procurement", "services", {}),
    (r"小微企业", "procurement", "small_micro_reserved", {}),
    (r"中小企业", "procurement", "sme_reserved", {}),
    (r"政府采购", "procurement", "total", {}),
    (r"财政拨款收、?支(总|$)", "fiscal_appropriation", "total", {}),
    (r"收、?支(预算)?总(数|预算|计)|收支预算$|^收、支$", "overview", "total", {}),
    (r"一般公共预算当年拨款收入", None, "general_budget", {"fund_source": "一般公共预算"}),
    (r"一般公共预算当年拨款", "general_budget", "total", {}),
    (r"一般公共预算(财政拨款)?基本支出", "basic_expenditure", "total", {}),
    (r"一般公共预算(财政拨款)?支出", "general_budget", "total", {}),
    (r"人员经费", "basic_expenditure", "personnel", {"economic_class": "人员经费"}),
    (r"公用经费", "basic_expenditure", "public_use", {"economic_class": "公用经费"}),
    (r"一般公共预算(财政)?(拨款)?收入", None, "general_budget", {"fund_source": "一般公共预算"}),
    (r"政府性基金(预算)?(财政)?(拨款)?收入", None, "government_fund", {"fund_source": "政府性基金预算"}),
    (r"国有资本经营(预算)?(财政)?(拨款)?收入", None, "state_capital", {"fund_source": "国有资本经营预算"}),
    (r"财政拨款收入", None, "fiscal", {"fund_source": "财政拨款"}),
    (r"使用非财政拨款结余", None, "non_fiscal_balance", {"fund_source": "使用非财政拨款结余"}),
    (r"上级补助收入", None, "superior_subsidy", {"fund_source": "上级补助收入"}),
    (r"附属单位上缴收入", None, "subsidiary_remittance", {"fund_source": "附属单位上缴收入"}),
    (r"财政专户管理资金", None, "special_account", {"fund_source": "财政专户管理资金"}),
    (r"资产(?:处置|使用|出租|出借)收入", "assets", "asset_income", {}),
    (r"事业单位经营收入|^经营收入$", None, "operating_income", {"fund_source": "事业单位经营收入"}),
    # The 决算's other spending lines: parts of the spending, never its total.
    (r"上缴上级支出", "expenditure", "paid_to_higher", {}),
    (r"对附属单位补助支出", "expenditure", "affiliate_subsidy", {}),
    (r"^(?:事业单位)?经营支出$", "expenditure", "operating_expenditure", {}),
    (r"事业收入", None, "business_income", {"fund_source": "事业收入"}),
    (r"其他收入|^其他资金收入$", None, "other_income", {"fund_source": "其他收入"}),
    (r"上年结转|年初结转和结余", None, "carryover", {"fund_source": "上年结转"}),
    (r"年末结转和结余", "expenditure", "year_end_balance", {}),
    (r"政府性基金(预算)?.*支出", "government_fund", "total", {"fund_source": "政府性基金预算"}),
    (r"国有资本经营(预算)?.*支出", "state_capital", "total", {"fund_source": "国有资本经营预算"}),
    (r"基本支出", None, "basic", {"expense_type": "基本支出"}),
    (r"项目支出", None, "project", {"expense_type": "项目支出"}),
    (r"项目资金", "performance", "total", {}),
    # A fund source named without 收入, under an income heading ('其中：一般公共预算80,778,193.86元').
    (r"^一般公共预算(?:财政)?(?:拨款)?$", None, "general_budget", {"fund_source": "一般公共预算"}),
    (r"^政府性基金(?:预算)?(?:财政)?(?:拨款)?$", None, "government_fund", {"fund_source": "政府性基金预算"}),
    (r"^国有资本经营(?:收益|预算)?(?:财政)?(?:拨款)?$", None, "state_capital", {"fund_source": "国有资本经营预算"}),
    (r"资产总额$", "assets", "total_assets", {}),
    (r"^(?:流动资产|固定资产|在建工程|无形资产|对外投资及有价证券|长期投资|其他资产)$", "assets", "asset", {}),
    (r"收入(预算)?(总计|合计|总数)?$", "income", "total", {}),
    (r"支出(预算)?(总计|合计|总数)?$", "expenditure", "total", {}),
]
LABEL_RULES = [(re.compile(p), s, i, d) for p, s, i, d in LABEL_RULES]

# Statements whose income-side items keep the heading's statement (财政拨款收入 under 财政拨款收支).
INCOME_STATEMENTS = {"income", "fiscal_appropriation"}
PROCUREMENT_KINDS = {"货物": "goods", "工程": "works", "服务": "services"}
EXPENSE_TYPE_STATEMENTS = {"expenditure", "government_fund", "state_capital", "general_budget"}

# A 政府收支分类科目 code printed beside a name: 类 3 digits, 款 5, 项 7 (expenditure codes start with 2).
INLINE_CODE = re.compile(r"(?<![\d.,])(2\d{2}(?:\d{2}){0,2})(?![\d.,%年])")
# "一般公共服务(类)人大事务(款)行政运行(项)"; the 款 and 项 parts may be missing.
_NAME = r"(?:[^()“”,;:、]|\((?!\d{0,3}类\)|\d{0,2}款\)|\d{0,2}项\))[^()]{1,6}\)){1,40}?"  # bounded: linear  # a name may hold its own bracket: 办公厅（室）
FUNCTION_TRIPLE = re.compile(rf"(?P<cls>{_NAME})\(类\)(?:(?P<sec>{_NAME})\(款\))?(?:(?P<item>{_NAME})\(项\))?")
# '工资福利支出(301)': an economic-classification line (3xx 部门预算支出经济分类, 5xx 政府预算支出经济分类).
ECONOMIC_CODE = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,20})\((?P<code>(?:30|31|39|50|51|59)\d)\)$")
# '公共安全支出（204类）司法（06款）行政运行（01项）': the code's parts printed inside the brackets.
BRACKET_CODE = re.compile(r"\((?P<digits>\d{2,7})(?P<level>类|款|项)\)")
# '一般公共服务支出-审计事务-行政运行', optionally after its code ('2010301一般公共服务支出-…'), or in quotes.
DASH_PATH = re.compile(r"(?:(?<!\d)(?P<code>2\d{2}(?:\d{2}){0,2}))?“?(?P<names>[\u4e00-\u9fff()]{2,30}(?:[-－—][\u4e00-\u9fff()]{2,30}){1,2})”?(?:科目)?$")

DIRECTIONS = {"增加": "increase", "增长": "increase", "上升": "increase", "减少": "decrease",
              "下降": "decrease", "降低": "decrease", "持平": "flat", "无变化": "flat", "没有变化": "flat"}
CHANGE_RE = re.compile(
    r"(?:(?:比|较|与)\s?(?P<year>\d{4}\s?年度?|上年度?|上一年度?|去年)(?:相比|比较|对比)?,?|同比)"
    r"(?P<basis>(?:\([^)]{0,30}\)|[^,;，；。()]){0,60}?)"
    rf"(?P<direction>{'|'.join(DIRECTIONS)})(?:了)?\s?(?:(?P<number>{NUMBER})\s*(?P<unit>亿元|万元|元))?"
    rf"(?:[,，]?\s?(?:增长|下降|减少|增幅|降幅|上升)?(?:为)?\s?(?P<pct>{PCT}))?"
)
REASON_RE = re.compile(r"主要(?:变动|增减|变化)?(?:原因|是因为)(?:分析)?(?:是|为)?[:：]?(?P<reason>[^。]{0,300})")
REASON_WINDOW = 400  # a reason follows its comparison closely: never search the rest of a long sentence
REASON_LEAD = "，,：:；; "  # what can stand between '主要原因是' and the reason's first word
SHARE_RE = re.compile(rf"占[^,;，；。\d]{{0,12}}(?P<share>{PCT})")
THRESHOLD_RE = re.compile(rf"(?:单价|单位价值)\s*(?:{NUMBER})\s*(?:亿元|万元|元)(?:\(含\))?以上")
# '（一）收入预算情况：2024年，…' — a numbered heading that runs on into its first sentence.
INLINE_HEADING = re.compile(r"^(?P<heading>\(?[一二三四五六七八九十]+[)、.][^。:;,]{2,24}?)[。:]")
INLINE_FIRST = set("(一二三四五六七八九十")  # the characters INLINE_HEADING can start with
NIL_RE = re.compile(r"没有使用|没有安排|无预算|未安排|(?<=[年门位])[,，]?无(?=[\u4e00-\u9fff“])")
# "因公出国（境）经费无、" — a nil printed where an amount would stand.
NIL_VALUE_RE = re.compile(r"(?P<unit>无)(?<=[\u4e00-\u9fff)”]无)(?P<number>)(?=[,;、。]|$)")
# A cheap test that a line may hold a figure, a nil statement or a comparison.
FIGURE_UNIT = re.compile(r"\d\s*(?:亿元|万元|元|辆|台|套)")
MAY_HOLD_FIGURES = re.compile(rf"{FIGURE_UNIT.pattern}|持平|无变化|{NIL_RE.pattern}|{NIL_VALUE_RE.pattern}")
# Every match of MAY_HOLD_FIGURES other than a FIGURE_UNIT holds 持平 or a nil word of NIL_RE or
# NIL_VALUE_RE (无, 没有, 未安排): `may_hold_figures` tests them with `in` before running the pattern.
MAX_CLAUSE = 160
# '本年预算收入', '本年支出' (not '本年一般公共预算拨款收入', nor the total '本年收入合计').
CURRENT_YEAR = re.compile(r"本年(?:预算)?(?P<side>收入|支出)(?:预算)?$")  # 本年收入合计 stays the total
# '教育支出预算数' -> '教育支出': a 类 name followed by the phase of its figure.
PHASE_SUFFIX = re.compile(r"(?:预算数|预算|决算数|决算|执行数)$")
# '财政拨款收入增加14,458.07万元': a change printed as a label, not a figure.
CHANGE_LABEL = re.compile(r"(?P<direction>增加|减少|增长|下降|降低|上升)了?$")
# A label that names only the phase of a figure ('预算数'): its name is printed elsewhere.
PHASE_ONLY = re.compile(r"^(?:(?:年初|本年|当年)?(?:预算|决算|执行)(?:数|安排)?)?$")
GENERIC_LABEL = re.compile(r"^(?:(?:支出)?(?:预算|决算)(?:数|安排)?|金额|数额|安排)?$")
LEADING_NOISE = re.compile(
    r"^(?:\d+\s*[.、]|[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)[、.]?)?\s*"
    r"(?:其中|包括|主要包括|分别为|分别是)?[:：]?\s*"
)
FILLER_PREFIX = re.compile(r"^(?:本年|当年|安排|涉及|计划|预计)+")
FILLER_SUFFIX = re.compile(r"(?:为|是|约|达)+$")  # 总计/合计 stay: they are part of the printed name
YEAR_PREFIX = re.compile(r"^.*?\d{4}\s?年(?:度)?(?:,)?")
# Patterns of single uses below, compiled here with the others (regex_cache stores them: no compiling at run time).
YEAR_SPLIT = re.compile(r"\d{4}年")
DASH = re.compile(r"[-－—]")
SPACES = re.compile(r"\s")
ITEM_NUMBER = re.compile(r"^\d{1,2}[.、](?!\d)")  # '1.' '2、' opening a paragraph (not '1.5')
CLAUSE_OR_SECOND_SENTENCE = re.compile(r"[,;，；]|。.")
SEMICOLON = re.compile(r"[;；]")


@lru_cache(maxsize=4096)
def heading_statement(text):
    """The statement a heading announces, or None (cached: templates print the same headings)."""
    for words, statement in HEADING_STATEMENTS:
        for word in words:  # a loop, not any() over a generator: a heading naming a unit misses the cache
            if word in text:
                return statement
    return None


def may_hold_figures(text):
    """Whether MAY_HOLD_FIGURES matches `text`: a figure and its unit, else (only when one of its nil words is there) the rest."""
    unit = text.find("元")
    while unit >= 0:  # FIGURE_UNIT's amounts: a digit, spaces, then 元, 万元 or 亿元; looked for back from each 元
        at = number_end(text, unit)
        if at and text[at - 1].isdecimal():
            return True
        unit = text.find("元", unit + 1)
    if ("辆" in text or "台" in text or "套" in text) and FIGURE_UNIT.search(text):
        return True  # a count
    if "无" in text or "持平" in text or "没有" in text or "未安排" in text:  # one test each, not a loop over a tuple
        return MAY_HOLD_FIGURES.search(text) is not None
    return False


def number_end(text, unit_at):
    """Where the number printed before the unit at `unit_at` (its 元) ends: before a 万 or 亿 and spaces."""
    at = unit_at
    if at and text[at - 1] in "万亿":
        at -= 1
    while at and text[at - 1].isspace():
        at -= 1
    return at


def amount_matches(text):
    """AMOUNT_RE.finditer(text) as a list, each match tried only where a 元 is printed.

    A match ends at a 元 (of 元, 万元 or 亿元); before it stand spaces, then digits, commas and points,
    and the match can only start at the first of these (NUMBER never starts after a digit, comma or
    point). So one `match` there per 元 finds what the search finds, without trying every digit of
    the years and numbering before it; tests/test_extract.py checks that both agree. Linear: a step
    back stops at the 元 before, so each character is stepped over for one 元 at most.
    """
    matches = []
    unit = text.find("元")
    while unit >= 0:
        start = number_end(text, unit)
        while start and (text[start - 1].isdecimal() or text[start - 1] in ".,"):
            start -= 1
        if text[start].isdecimal():
            match = AMOUNT_RE.match(text, start)
            if match is not None:
                matches.append(match)
        unit = text.find("元", unit + 1)
    return matches


def clause_start(text, end):
    """Index where the clause that ends at `end` begins: after the last delimiter outside brackets.

    A label is never longer than MAX_CLAUSE characters: looking no further back keeps a sentence
    of thousands of amounts linear. A character loop: compiled (narrative.pxd), each step is a
    few machine instructions.
    """
    low = max(0, end - MAX_CLAUSE)
    depth = 0
    for at in range(end - 1, low - 1, -1):
        char = text[at]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth:
                depth -= 1
        elif depth == 0 and char in ",;:、，；：":  # a delimiter (a literal: compiled, a switch)
            return at + 1
    return low


@lru_cache(maxsize=65536)
def clean_label(label):
    """Strip numbering, 其中, the year prefix and fillers: '2023年，收入预算为' -> '收入预算'."""
    return clean_unnumbered(LEADING_NOISE.sub("", label.strip()))


@lru_cache(maxsize=65536)
def clean_unnumbered(label):
    """clean_label of a label without its numbering (cached apart: '1.' and '6.' print the same name)."""
    if "年" in label:
        year = YEAR_PREFIX.match(label)
        after = YEAR_PREFIX.sub("", label)
        before = label[: year.end()].rstrip("年度, ")[:-4].strip() if year else ""
        # '公务用车运行维护费2026年预算数': the name stands before the year, not after it
        label = before if before and PHASE_ONLY.match(FILLER_SUFFIX.sub("", after).strip()) else after
    label = FILLER_PREFIX.sub("", label.strip())
    return FILLER_SUFFIX.sub("", label).strip()


@lru_cache(maxsize=65536)
def label_of(printed):
    """(clean_label(printed), whether that label names only the phase of a figure ('预算数')): one cached call per amount."""
    label = clean_label(printed)
    return label, PHASE_ONLY.match(label) is not None


def classify_function(label, context, printed=None):
    """A 类/款/项 label -> (statement, item, dims) with its code, or None.

    A code printed in the label (行政运行（2010101）) wins over the names.
    """
    return function_line(label, context, LEADING_NOISE.sub("", (printed or label).strip()))


@lru_cache(maxsize=65536)
def function_line(label, context, printed):
    """classify_function of a clause without its numbering (cached apart: '1.' and '6.' print the same line)."""
    bracketed, names_only = bracket_code(printed)
    inline = bracketed or max(INLINE_CODE.findall(printed), key=len, default=None)
    triple = FUNCTION_TRIPLE.search(names_only) if "(类)" in names_only else None
    if triple and bracketed and len(bracketed) == 3 and not triple.group("sec"):
        triple = None  # '公共安全支出(204类)1,252.30万元': a 类 line, read as the inline code below
    if triple:
        names = [(n or "").strip() for n in triple.group("cls", "sec", "item")]
        code, level = function_codes.resolve(*[n or None for n in names])
        if inline and len(inline) >= len(code or ""):
            code, level = inline, {3: "类", 5: "款", 7: "项"}[len(inline)]
        key = "".join(f"{n}({lvl})" for n, lvl in zip(names, "类款项") if n)
        shown = triple.group(0) if not bracketed else None  # the bracketed digits stay in the printed label
        return "function_class", code or key, {"function_code": code, "function_level": level, "label": shown}
    dashed = dash_path(printed)
    if dashed:
        return dashed
    if inline:
        level = {3: "类", 5: "款", 7: "项"}[len(inline)]
        name = YEAR_SPLIT.split(printed)[0].rstrip(":：为 ") or inline
        statement = "function_class" if level != "类" else (
            context if context in {"expenditure", "fiscal_appropriation", "general_budget"} else "expenditure")
        return statement, inline, {"function_code": inline, "function_level": level, "label": name}
    code = function_codes.class_code(label) or function_codes.class_code(PHASE_SUFFIX.sub("", label))
    if code:
        statement = context if context in {"expenditure", "fiscal_appropriation", "general_budget"} else "expenditure"
        return statement, code, {"function_code": code, "function_level": "类"}
    economic = ECONOMIC_CODE.search(label)
    if economic:
        return "economic_class", economic.group("code"), {"economic_class": economic.group("name")}
    return None


def bracket_code(printed):
    """('2040601', text with '(类)(款)(项)') for '公共安全支出(204类)司法(06款)行政运行(01项)', else (None, text)."""
    if "类)" not in printed:
        return None, printed
    code = ""
    for digits, _ in BRACKET_CODE.findall(printed):  # '(06款)' extends the code; '(20406款)' is the whole code
        code = code + digits if len(digits) == 2 and code else digits
    if len(code) not in (3, 5, 7) or not code.startswith("2"):
        return None, printed
    return code, BRACKET_CODE.sub(lambda m: f"({m.group('level')})", printed)


def dash_path(printed):
    """'一般公共服务支出-审计事务-行政运行' (with or without its code in front) -> a 款/项 line, or None.

    Without a printed code the names are resolved through the reference table: the code is
    inferred, and the line says so (`inferred` -> an `inferred_function_code` warning).
    """
    if "-" not in printed and "－" not in printed and "—" not in printed:
        return None
    match = DASH_PATH.search(printed)
    if match is None:
        return None
    names = DASH.split(match.group("names"))
    level = "款" if len(names) == 2 else "项"
    printed_code = match.group("code")
    code, _ = function_codes.resolve(*names)
    if printed_code and len(printed_code) == (5 if level == "款" else 7):
        code, inferred = printed_code, False
    elif function_codes.class_code(names[0]) is None:
        return None  # not a 类 name in front: some other dashed phrase
    else:
        inferred = code is not None
    dims = {"function_code": code, "function_level": level, "label": match.group(0).rstrip("科目")}
    if inferred:
        dims["inferred"] = True
    return "function_class", code or "-".join(names), dims

@lru_cache(maxsize=65536)
def classify(label, context, printed=None):
    """(statement, item, dims) for an amount's label under a heading's statement, or None.

    `printed` is the clause before cleaning: a 类/款/项 name may be followed by '2023年预算数为'.
    """
    found = classify_function(label, context, printed)
    if found:
        return found
    current = CURRENT_YEAR.search(SPACES.sub("", printed or ""))
    if current:  # '（本年预算收入390,140.45万元）': this year's part of a total that includes carry-overs
        return ("income" if current.group("side") == "收入" else "expenditure"), "current_year", {}
    if context == "performance" and "涉及" in (printed or ""):
        return "performance", "total", {}
    return classify_words(label, context)


@lru_cache(maxsize=65536)
def classify_words(label, context):
    """classify by the label's words alone (cached apart: one label is printed after many units' names and years)."""
    if context == "procurement" and label[:2] in PROCUREMENT_KINDS:
        return "procurement", PROCUREMENT_KINDS[label[:2]], {}
    for pattern, statement, item, dims in LABEL_RULES:
        if pattern.search(label):
            if statement is None:
                if item in ("basic", "project"):
                    statement = context if context in EXPENSE_TYPE_STATEMENTS else "expenditure"
                    if statement == "government_fund":
                        dims = {**dims, "fund_source": "政府性基金预算"}
                else:
                    statement = context if context in INCOME_STATEMENTS else "income"
            if item in ("personnel", "public_use") and context == "agency_operating":
                statement = context
            if item == "asset":
                item = f"asset:{label}"  # 固定资产, 无形资产 …: the printed name is the key
            return statement, item, dims
    if context == "performance" and label.endswith("项目"):
        return "performance", "project:" + label, {"project_name": label}
    return None


def classify_count(label, context, parent):
    """(statement, item) for a count of vehicles or equipment."""
    statement = context if context in ("three_public", "assets") else "assets"
    if "设备" in label:
        return statement, "equipment:" + label
    if parent is None and "购置" in label:
        return statement, "vehicles_to_buy"
    if parent is None and ("现有" in label or "共有" in label or "车辆" in label):
        return statement, "vehicles_owned"
    return statement, f"{parent or 'vehicles'}:{label}"


# ---------------------------------------------------------------- reading one sentence

def scan_sentence(doc, sentence, context, title=None, previous=None):
    """Record every amount, count, share, nil statement and prior-year comparison in a sentence.

    `title`: a short sentence or heading just before ('（二）公务接待费。2026年预算数1.88万元'),
    the name of an amount whose own label is only '预算数'.
    """
    text = sentence.text
    # Cheap character tests first: most sentences hold no comparison, threshold, count or nil.
    changes = list(CHANGE_RE.finditer(text)) if "比" in text or "较" in text or "与" in text else []
    budget_changes = budget_base_changes(doc, text) if doc.final else ()  # a 决算 against its own year's budget
    skip = [m.span() for m in changes] if changes else []
    if budget_changes:
        skip += [m.span() for m in budget_changes]
    if "价" in text and ("单价" in text or "单位价值" in text):  # THRESHOLD_RE's words (单 alone is in every 单位; 价 is rare)
        skip += [m.span() for m in THRESHOLD_RE.finditer(text)]
    placed = []  # (end offset, line_id) of the figures recorded from this sentence, in order
    ends = []  # end offsets of every amount read, placed or not
    count_parent = None
    matches = amount_matches(text)
    others = [*COUNT_RE.finditer(text)] if "辆" in text or "台" in text or "套" in text else []
    if "无" in text:
        others += NIL_VALUE_RE.finditer(text)
    if others:
        matches = sorted([*matches, *others], key=re.Match.start)
    if "为万元" in text or "为元" in text or "为亿元" in text:
        matches = with_misprinted_units(doc, sentence, matches)  # '3,623.98 为万元'
    skipped = None
    if len(skip) > 4:  # many spans: marked once (linear), not each tested for every amount
        skipped = bytearray(len(text))
        for a, b in skip:
            skipped[a:b] = b"\x01" * (b - a)
    for match in matches:
        at = match.start()
        if skip:  # inside a comparison or a threshold: not a figure of its own
            if skipped is not None:
                if skipped[at]:
                    continue
            elif inside_a_span(at, skip):
                continue
        start = clause_start(text, at)
        if start > 1 and text[start - 1] == "、" and text[start - 2] == "收":  # '收、支总计' is one name
            start = clause_start(text, start - 2)
        if start > 0 and text[start - 1] == ":" and GENERIC_LABEL.match(clean_label(text[start:at])):
            start = clause_start(text, start - 1)  # '行政运行(项):2023年预算数为…': the name is before the colon
        printed = text[start:at]
        label, phase_only = label_of(printed)
        if phase_only and start > 0:
            # '1.小学教育（2050202），2023年度决算数为7,970.38万元': the name is the clause before
            before = clause_start(text, start - 1)
            named = text[before:start - 1]
            if classify(clean_label(named), context, named) is not None:
                start, printed, label = before, named, clean_label(named)
                phase_only = PHASE_ONLY.match(label) is not None
        if title and ((phase_only and not placed) or (placed and titled_final(doc, label, placed, title))):
            label = printed = title
        if match.group("unit")[-1] in "元无":
            line_id = place_amount(doc, sentence, match, label, context, printed, start)
        else:
            is_part = count_parent is not None and 0 <= text.find("其中") < start
            statement, item = classify_count(label, context, count_parent if is_part else None)
            if not is_part:
                count_parent = item
            line_id = doc.add_record(statement, item, sentence.printed(label, start) or item,
                                     sentence.printed_at(at, match.end()), sentence, None, None,
                                     {"quantity": int(match.group("number")), "quantity_unit": match.group("unit")})
        ends.append(match.end())
        if line_id:
            placed.append((match.end(), line_id))
    if "占" in text:
        attach_shares(doc, text, placed, ends)
    if not placed and NIL_RE.search(text) and not text.startswith("注"):  # a table's note is not a figure
        placed += place_nil(doc, sentence, context)
    for change in changes:
        record_change(doc, sentence, change, placed, context, previous)
    if budget_changes:
        record_budget_base_changes(doc, sentence, budget_changes, placed, context)


def inside_a_span(at, spans):
    """Whether `at` falls inside one of a few (start, end) spans: a loop, without a generator for `any`."""
    for start, end in spans:
        if start <= at < end:
            return True
    return False


def place_amount(doc, sentence, match, label, context, printed, start):
    """Record one amount as a budget line, or warn when its label cannot be placed."""
    number = match.group("number")
    if len(number) > MAX_INTEGER_DIGITS and len(number.split(".")[0].replace(",", "")) > MAX_INTEGER_DIGITS:
        raise InputError(doc.path, f"the amount “{number[:20]}…” has more than {MAX_INTEGER_DIGITS} integer digits; "
                                   "expected a budget figure (the file looks corrupt)",
                         line=sentence.line.no, page=sentence.line.page)
    change = CHANGE_LABEL.search(label) if number and label.endswith(CHANGE_ENDINGS) else None
    if change:
        return place_change_label(doc, sentence, match, label[: change.start()], change.group("direction"), context)
    found = classify(label, context, printed) if label else None
    if found is None:
        doc.warn("unplaced_amount", f"无法归类的数额 {match.group(0)}（名称：“{label}”）", sentence)
        return None
    statement, item, dims = found
    unit = match.group("unit")
    fen = fen_of(number, unit) if number else 0  # exact integer 分; None: to_yuan decides (Decimal, range checks)
    amount = to_yuan(number, unit) if fen is None else None
    shown, inferred = None, False
    if "label" in dims or "inferred" in dims:  # a copy only when something is taken out of the cached dims
        dims = dict(dims)
        shown, inferred = dims.pop("label", None), dims.pop("inferred", False)
    label = sentence.printed(shown or label, start)
    if inferred:
        doc.warn("inferred_function_code", f"“{label}”未印科目编码，按名称对照科目参考表推定为 {dims['function_code']}",
                 sentence)
    if dims.get("function_code"):
        doc.note_code(dims["function_code"], label)
    at, end = match.span()
    amount_text = sentence.printed_at(at, end)
    if "phase" in dims:
        return doc.add_record(statement, item, label, amount_text, sentence, amount, fen, dims)
    before = sentence.text[max(0, at - PHASE_WINDOW):at]
    # every phase word holds 算 or 执行: other windows (most: they hold the figure before) skip the cache
    phase = phase_of_words(doc.final, before) if "算" in before or "执行" in before else None
    return doc.add_record(statement, item, label, amount_text, sentence, amount, fen, dims, phase)


def whole_yuan(number, unit):
    """yuan_int(to_yuan(number, unit)): the amount in whole 元, or None when it has 角/分; by integers where fen_of can."""
    fen = fen_of(number, unit)
    if fen is None:
        return yuan_int(to_yuan(number, unit))
    return fen // 100 if fen % 100 == 0 else None


CHANGE_ENDINGS = ("增加", "减少", "增长", "下降", "降低", "上升", "了")  # what a CHANGE_LABEL ends with: tested before the pattern


# Which figure a narrative amount is, from the words just before it (“年初预算为X万元，支出决算为Y万元”);
# None leaves it to Extraction.add_line: the document's own figure (决算 in a 决算, budget in a 预算).
PHASE_WINDOW = 12
PHASE_WORDS = [(re.compile(r"调整预算|全年预算"), "adjusted_budget"), (re.compile(r"年初预算|完成预算|预算数"), "budget"),
               (re.compile(r"决算"), "final")]
PRIOR_WORDS = [(re.compile(r"执行数|执行为|决算数"), "prior_outturn"), (re.compile(r"上年预算|上年度预算"), "prior_budget")]
# Every word above holds 算 or 执行: place_amount asks phase_of_words only where one is printed (tested).


def phase_before(document, before):
    """budget / adjusted_budget / final in a 决算, prior_outturn / prior_budget in a 预算, or None."""
    return phase_of_words("决算" in (document.get("kind") or ""), before)


@lru_cache(maxsize=4096)
def phase_of_words(final, before):
    """phase_before for a 决算 (`final`) or a 预算, cached: the words before a figure repeat ('2023年预算数为')."""
    return next((phase for pattern, phase in (PHASE_WORDS if final else PRIOR_WORDS) if pattern.search(before)), None)


def place_change_label(doc, sentence, match, subject_label, direction, context):
    """'事业收入增加974.61万元': a stated change of the figure named, never a figure of its own."""
    found = classify(subject_label, context) if subject_label else None
    subject = doc.find_line(found[0], found[1]) if found else None
    if subject is None:
        doc.warn("unplaced_change", f"无法确定比较对象的增减表述“{match.group(0)}”（名称：“{subject_label}{direction}”）",
                 sentence)
        return None
    change_yuan = whole_yuan(match.group("number"), match.group("unit"))
    direction = DIRECTIONS[direction]
    doc.add_change(
        sentence, prior_year=doc.fiscal_year - 1, statement=subject["statement"], item=subject["item"],
        function_code=subject["function_code"], label=subject["label"], line_id=subject["line_id"],
        direction=direction, change_yuan=-change_yuan if direction == "decrease" and change_yuan else change_yuan,
        change_text=sentence.printed(f"{subject_label}", 0) + sentence.printed(match.group(0), match.start()),
    )
    return None


def attach_shares(doc, text, placed, ends=None):
    """Keep each printed share (占88%) on the figure it follows, as printed (not past an unplaced one)."""
    line_of = dict(placed)
    ends = sorted(line_of) if ends is None else ends
    for match in SHARE_RE.finditer(text):
        before = bisect.bisect_right(ends, match.start())
        if before and ends[before - 1] in line_of:
            doc.budget_lines[line_of[ends[before - 1]] - 1]["stated_share"] = match.group("share").replace(" ", "")


def place_nil(doc, sentence, context):
    """'没有使用…安排的支出' / 'X无预算': a stated nil, recorded as 0 with the words as printed.

    A nil that restates a figure already recorded ('因公出国（境）经费无预算与上年持平') is not
    recorded twice: the sentence's comparison attaches to the earlier figure.
    """
    text = CHANGE_RE.sub("", sentence.text)
    nil = NIL_RE.search(text)
    if nil is None:
        return []  # the nil words were part of a comparison ('与上年相比无变化'), read there
    label = clean_label(text[:nil.start()] + text[nil.end():].rstrip("。"))
    found = classify(label, context) or classify(NIL_RE.sub("", text), context)
    if found is None and context:
        found = (context, "total", {})
    if found is None:
        doc.warn("unplaced_nil", f"无法归类的“{nil.group(0)}”表述", sentence)
        return []
    statement, item, dims = found
    earlier = doc.find_line(statement, item)
    if earlier is not None:
        return [(sentence.text.find(nil.group(0)) + len(nil.group(0)), earlier["line_id"])]
    dims = dict(dims)
    label = sentence.printed(dims.pop("label", None) or label)
    line_id = doc.add_line(statement, item, label, sentence.printed(nil.group(0)), sentence, amount=0, **dims)
    return [(sentence.text.find(nil.group(0)) + len(nil.group(0)), line_id)]


def record_change(doc, sentence, change, placed, context, previous=None):
    """A prior-year comparison: tie it to the figure it follows in the sentence, or to its label.

    `previous`: the line id of the first figure of the paragraph before, the subject of a
    paragraph that is only a comparison ('与上年对比增加55,108.40元，主要原因…').
    """
    text = sentence.text
    at = change.start()
    subject = None
    for end, line_id in reversed(placed):  # placed: in order of end; the last figure that ends before it
        if end <= at:
            subject = doc.budget_lines[line_id - 1]
            break
    if subject is None:
        label = clean_label(text[clause_start(text, change.start()):change.start()])
        label = NIL_RE.sub("", label)
        found = ((classify(label, context) if label else None)
                 or classify(NIL_RE.sub("", text[max(0, change.start() - 2 * MAX_CLAUSE):change.start()]), context)
                 or classify(clean_label(change.group("basis")), context))  # 与上年相比，X增加…
        if found:
            subject = doc.find_line(found[0], found[1])
        if subject is None and previous and change.start() == 0 and not placed:
            subject = doc.budget_lines[previous - 1]
        if subject is None:
            doc.warn("unplaced_change", f"无法确定比较对象的增减表述“{change.group(0)}”", sentence)
            return
    year = change.group("year") or "同比"
    prior_year = int(year[:4]) if year[0].isdigit() else doc.fiscal_year - 1
    direction = DIRECTIONS[change.group("direction")]
    change_yuan = None
    if change.group("number"):
        change_yuan = whole_yuan(change.group("number"), change.group("unit"))
        change_yuan = -change_yuan if direction == "decrease" and change_yuan is not None else change_yuan
    elif direction == "flat":
        change_yuan = 0
    reason = REASON_RE.search(text, change.end(), change.end() + REASON_WINDOW)
    doc.add_change(
        sentence, prior_year=prior_year, statement=subject["statement"], item=subject["item"],
        function_code=subject["function_code"], label=subject["label"], line_id=subject["line_id"],
        direction=direction, change_yuan=change_yuan,
        change_pct_text=(change.group("pct") or "").replace(" ", "") or None,
        change_text=sentence.printed(change.group(0), change.start()),
        reason_text=sentence.printed(reason.group("reason").strip().lstrip(REASON_LEAD), reason.start()) if reason else None,
    )


# ---------------------------------------------------------------- sections and the narrative walk

def read_narrative(doc, lines=None):
    """Split the text into sections by heading and scan each sentence under its heading's statement.

    `heading_level(text, stack)` tells a heading line and its level. Sections keep the text as
    printed; statements are read off the normalised headings.
    """
    stack = []  # [(level, heading as printed, statement)]
    current = None
    previous = None  # line id of the first figure of the paragraph before, within this section
    for line in doc.lines if lines is None else lines:
        text = line.text.strip()
        if not text:
            continue
        level, body = heading_level(text, stack), ""
        inline = None if level is not None or text[0] not in INLINE_FIRST else INLINE_HEADING.match(text)
        if level is not None or inline:
            lead = len(line.text) - len(line.text.lstrip())
        if inline and heading_level(inline.group("heading"), stack) is not None:
            # '（一）收入预算情况：2024年，收入预算…' — a heading and its first sentence on one line
            level, text = heading_level(inline.group("heading"), stack), inline.group("heading")
            body = raw_span(line, lead + inline.end(), len(line.text)).strip()
        if level is not None:
            previous = None
            while stack and stack[-1][0] >= level:
                stack.pop()
            printed = raw_span(line, lead, lead + len(text)).strip().rstrip("。:：")
            stack.append((level, printed, heading_statement(text)))
            current = start_section(doc, stack, line)
            if body:
                current["text"].append(body)
        elif current is None:
            current = start_section(doc, [(1, line.raw.strip()[:60], None)], line)
            current["text"].append(line.raw.strip())
        else:
            current["text"].append(line.raw.strip())
        current["line_end"] = line.last_no or line.no
        if may_hold_figures(line.text) or (doc.final and may_state_final_reason(doc, line.text)):
            context = None  # the statement of the nearest heading that announces one
            for _, _, statement in reversed(stack):
                if statement:
                    context = statement
                    break
            title = stack[-1][1] if stack and stack[-1][1] and len(stack[-1][1]) <= MAX_TITLE else None
            first_new = len(doc.budget_lines) + 1
            for sentence in sentences(line):
                # a line that is one sentence was tested above
                if sentence.text is line.text or may_hold_figures(sentence.text):
                    if sentence.line.starts is not None:  # a paragraph of several printed lines
                        sentence = cited_at_printed_line(sentence)
                    scan_sentence(doc, sentence, context, title=clean_title(title) if title else None,
                                  previous=previous)
                    title = None
                elif len(sentence.text) <= MAX_TITLE:
                    title = sentence.text  # '1.因公出国(境)费用。' names the amount of the next sentence
                else:
                    title = None
                if doc.final:
                    read_final_reason(doc, sentence, context)  # a 决算's reason for differing from its budget
            if len(doc.budget_lines) >= first_new:
                previous = first_new


MAX_TITLE = 24


@lru_cache(maxsize=4096)
def clean_title(title):
    """'（二）公务接待费。' -> '公务接待费': a title's numbering and full stop dropped (cached: a heading titles every figure line under it)."""
    return clean_label(title.rstrip("。:：")) or None if title else None


def start_section(doc, stack, line):
    """Open a section record for the heading on top of `stack`."""
    section = {
        "document_id": doc.document_id, "section_id": len(doc.sections) + 1,
        "heading_path": " > ".join([h for _, h, _ in stack]), "heading": stack[-1][1],
        "level": stack[-1][0], "text": [], "line_start": line.no, "line_end": line.no,
    }  # text: a list of printed lines until as_dict joins them
    doc.sections.append(section)
    return section


# ---------------------------------------------------------------- headings and paragraphs

PART = re.compile(r"^第[一二三四五六七八九十]+部分")
CHAPTER = re.compile(r"^[一二三四五六七八九十]+[、.]")
CHAPTER_FIRST = set("一二三四五六七八九十")  # what CHAPTER can start with: tested before the pattern
SECTION = re.compile(r"^\([一二三四五六七八九十]+\)")
MAX_HEADING = 40
# A printed page number: '36', '- 33 -', '— 33 —', '第 3 页'.
PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s*)?(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[-—–])?\s*$")
# A layout line with a column gap (a table row, a contents line): not prose.
COLUMN_GAP = re.compile(r"\S {3,}\S|\.{4}|…{2}|·{4}")
SENTENCE_DONE = re.compile(r"[。;；:：!?！？]$")
YEAR_WORD = re.compile(r"\d{4}年")
HEADING_BREAK = re.compile(r"[,;:!?。]|\d")  # a clause or a figure (other than a year): not a bare heading


def heading_level(text, stack):
    """第X部分 = 1, 一、= 2, （一）= 3; a short unnumbered line without a figure is a heading too."""
    first = text[:1]  # what each numbering starts with: sliced once
    if first == "第" and PART.match(text):
        return 1
    if len(text) > MAX_HEADING:
        return None
    if first in CHAPTER_FIRST and CHAPTER.match(text):
        return 2
    if first == "(" and SECTION.match(text):
        return 3
    if len(text) <= 20 and not text.endswith("。") and not HEADING_BREAK.search(without_years(text)):
        return 3 if has_chapter(stack) else 2
    return None


def without_years(text):
    """`text` without its years ('2024年'): YEAR_WORD.sub only where a 年 is printed (most short lines have none)."""
    return YEAR_WORD.sub("", text) if "年" in text else text


def has_chapter(stack):
    """Whether a chapter heading (level 2) is open: a loop, without a generator for `any`."""
    for level, _, _ in stack:
        if level == 2:
            return True
    return False


def is_page_number(line):
    return bool(PAGE_NUMBER.match(line.text))


def paragraphs(lines):
    """Prose of a laid-out page (PDF, web page) as paragraph Lines: hard-wrapped lines joined.

    A line continues the paragraph before it unless that one ended a sentence, or this one is
    indented, numbered or a heading. Page numbers and blank lines (some producers print one
    between every line) do not end a paragraph; table rows and contents lines are left to the
    table reader.
    """
    from cnbudget.reading import join_lines

    out, current = [], []
    body_indent = usual_indents(lines)

    def flush():
        if current:
            out.append(join_lines(current))
            current.clear()

    for line in lines:
        text = line.text.strip()
        if not text or is_page_number(line):
            if current and SENTENCE_DONE.search(current[-1].text.strip()):
                flush()
            continue
        if COLUMN_GAP.search(text):
            flush()
            continue
        indent = len(line.raw) - len(line.raw.lstrip())
        opens = (indent >= body_indent.get(line.page, 0) + 2 or PART.match(text) or CHAPTER.match(text) or SECTION.match(text)
                 or ITEM_NUMBER.match(text))
        if opens or (current and (SENTENCE_DONE.search(current[-1].text.strip())
                                  or is_heading_line(current[-1].text.strip()))):
            flush()
        current.append(line)
    flush()
    return out


def is_heading_line(text):
    """A line that is a heading of its own (no figure, no clause): the paragraph before it has ended."""
    return heading_level(text, []) is not None and not MAY_HOLD_FIGURES.search(text) and \
        not CLAUSE_OR_SECOND_SENTENCE.search(text)


def usual_indents(lines):
    """{page: the indentation most prose lines of the page have}: a paragraph's first line is indented more."""
    counts = {}
    for line in lines:
        if line.text.strip() and not COLUMN_GAP.search(line.text.strip()):
            indent = len(line.raw) - len(line.raw.lstrip())
            page = counts.setdefault(line.page, {})
            page[indent] = page.get(indent, 0) + 1
    return {page: max(indents, key=indents.get) for page, indents in counts.items()}


def read_document(doc, lines=None, hints=None):
    """The narrative of one document: its prose lines (a text file's lines, a PDF's `paragraphs`)."""
    lines = doc.lines if lines is None else lines
    variants = getattr(hints, "LABEL_VARIANTS", ())
    if variants:
        lines = [rewrite(line, variants) for line in lines]
    read_narrative(doc, lines)


def rewrite(line, variants):
    """A region's same-length label rewrites applied to a line's normalised text."""
    text = line.text
    for printed, known in variants:
        text = text.replace(printed, known)
    if text == line.text:
        return line
    # A paragraph keeps where each printed line starts: a figure is still cited at its own line.
    return line.replace(text=text, starts=line.starts, last_no=line.last_no)


# ---------------------------------------------------------------- 决算: comparisons with the year's own budget
# Each called by one line from scan_sentence or read_narrative; each returns at once outside a 决算.

# '比年初预算数增加1668.14万元，增长0%' / '比预算数增加97.19万元' in a 决算: the year's own budget is the base.
BUDGET_BASE_CHANGE_RE = re.compile(
    r"(?:比|较)\s?(?P<year>)(?P<basis>(?:年初|调整|全年)?预算数?)(?:相比|比较|对比)?,?"
    rf"(?P<direction>{'|'.join(DIRECTIONS)})(?:了)?\s?(?:(?P<number>{NUMBER})\s*(?P<unit>亿元|万元|元))?"
    rf"(?:[,，]?\s?(?:增长|下降|减少|增幅|降幅|上升)?(?:为)?\s?(?P<pct>{PCT}))?"
)
# '决算数大于年初预算数的主要原因是…', '“三公”经费支出决算大于预算数的主要情况：…'.
FINAL_REASON_RE = re.compile(
    r"(?P<subject>[^,;:。]{0,40}?)(?P<comparison>决算数?\s?(?P<relation>大于|小于|高于|低于|超过|多于|少于|等于)\s?"
    r"(?:年初|调整|全年)?预算数?)[^。]{0,12}?主要(?:原因|情况|是因为)(?:是|为|有)?[:,]?\s?(?P<reason>[^。:,;\s][^。]{0,300})?"
)
RELATIONS = {"大于": "increase", "高于": "increase", "超过": "increase", "多于": "increase",
             "小于": "decrease", "低于": "decrease", "少于": "decrease", "等于": "flat"}
# The reason of a comparison in the words after it: '主要是因为…', '主要增减变动情况是：…'.
FINAL_REASON_WORDS = re.compile(
    r"主要(?:变动|增减|变化)*(?:原因|情况|是因为)(?:分析)?(?:是|为)?[:,]?\s?(?P<reason>[^。:,;\s][^。]{0,300})")


def is_final_document(doc):
    return doc.final


def budget_base_changes(doc, text):
    """The comparisons of a 决算's sentence with its own year's budget ('比年初预算数增加…'), else []."""
    if "预算" not in text or not is_final_document(doc):
        return []
    return list(BUDGET_BASE_CHANGE_RE.finditer(text))


def record_budget_base_changes(doc, sentence, matches, placed, context):
    """Record each as a stated change of the figure it follows, against this year's budget, with its reason."""
    for match in matches:
        count = len(doc.stated_changes)
        record_change(doc, sentence, match, placed, context)
        if len(doc.stated_changes) == count:
            continue
        change = doc.stated_changes[-1]
        change["prior_year"] = doc.fiscal_year
        reason = None if change["reason_text"] else FINAL_REASON_WORDS.search(
            sentence.text, match.end(), match.end() + REASON_WINDOW)
        if reason:
            change["reason_text"] = sentence.printed(reason.group("reason").strip(), reason.start("reason"))
        change["reason_text"] = own_clause(change["reason_text"])


def own_clause(reason):
    """A reason up to the next clause that states another figure ('…；政府性基金…支出0万元，…'), as printed,
    without the punctuation after '主要原因是'."""
    reason = (reason or "").lstrip(REASON_LEAD)
    if not reason:
        return None
    for clause in SEMICOLON.finditer(reason):
        if AMOUNT_RE.search(fold_width(reason[clause.end():])):  # printed text: full-width forms folded
            return reason[:clause.start()].rstrip() or None
    return reason


# '支出决算' after '年初预算为X万元，': the 决算 figure of the item the title names.
FINAL_PHASE_LABEL = re.compile(r"^(?:支出)?决算数?$")


def titled_final(doc, label, placed, title):
    """'1.行政运行（2010101）。年初预算为X万元，支出决算为Y万元': in a 决算, the second figure is the
    title's too, when every figure before it in the sentence was the title's."""
    if not placed or not doc.final or not FINAL_PHASE_LABEL.match(label):
        return False
    titled = clean_title(title)
    return all(doc.budget_lines[line_id - 1]["label"] in (title, titled) for _, line_id in placed)


def may_state_final_reason(doc, text):
    """Cheap test: may this line of a 决算 give (or continue) the reason of a 决算-vs-budget difference?"""
    if not is_final_document(doc):
        return False
    return "主要" in text or awaiting_reason(doc) is not None


def awaiting_reason(doc):
    """The budget comparison just read whose reason is announced for the next paragraph ('…的主要情况：'), or None."""
    last = doc.stated_changes[-1] if doc.stated_changes else None
    if last is None or last["reason_text"] or last["prior_year"] != doc.fiscal_year:
        return None
    if not (last.get("source_text") or "").rstrip().endswith((":", "：")) or read_since(doc, last):
        return None
    return last


def read_since(doc, change):
    """Has a figure been read after this change's sentence?"""
    return bool(doc.budget_lines) and (doc.budget_lines[-1].get("source_line") or 0) > (change.get("source_line") or 0)


def read_final_reason(doc, sentence, context):
    """A 决算's reason for its difference from the budget, kept on the figure it explains.

    '决算数大于年初预算数的主要原因是…' (the subject named, or the figure just before in the section)
    becomes a stated change against this year's budget with its reason; a sentence that only gives
    the reason ('主要增减变动情况是：…', or the paragraph after '…的主要情况：') completes the budget
    comparison read just before it.
    """
    text = sentence.text
    if not is_final_document(doc):
        return
    match = FINAL_REASON_RE.search(text) if "主要" in text and "决算" in text else None
    if match is None:
        complete_last_reason(doc, sentence)
        return
    subject = final_reason_subject(doc, clean_label(match.group("subject")), context)
    if subject is None:
        doc.warn("unplaced_change", f"无法确定决算与预算差异原因所说明的数额“{match.group('comparison')}”", sentence)
        return
    reason = sentence.printed(match.group("reason").strip(), match.start("reason")) if match.group("reason") else None
    last = doc.stated_changes[-1] if doc.stated_changes else None
    if last and last["line_id"] == subject["line_id"] and last["prior_year"] == doc.fiscal_year:
        last["reason_text"] = last["reason_text"] or reason  # '比年初预算数增加…。决算数大于…的主要原因是…'
        return
    doc.add_change(
        sentence, prior_year=doc.fiscal_year, statement=subject["statement"], item=subject["item"],
        function_code=subject["function_code"], label=subject["label"], line_id=subject["line_id"],
        direction=RELATIONS[match.group("relation")], change_yuan=None,
        change_text=sentence.printed(match.group("comparison"), match.start("comparison")), reason_text=reason,
    )


def final_reason_subject(doc, label, context):
    """The figure a reason explains: the one it names, else the 决算 figure read just before it.

    None when the named figure was not read, or when the last amount read was a budget figure or
    could not be placed (the 决算 figure the reason explains is not among the lines).
    """
    found = classify(label, context) if label else None
    if found:
        return doc.find_line(found[0], found[1])
    if not doc.budget_lines:
        return None
    line = doc.budget_lines[-1]
    section_start = doc.sections[-1]["line_start"] if doc.sections else 0
    unplaced_since = doc.warnings and doc.warnings[-1]["rule"] == "unplaced_amount" and \
        (doc.warnings[-1]["source_line"] or 0) >= (line.get("source_line") or 0)
    if (line.get("table_name") or line.get("quantity") is not None or line.get("phase") in ("budget", "adjusted_budget")
            or unplaced_since or (line.get("source_line") or 0) < section_start):
        return None
    return line


def complete_last_reason(doc, sentence):
    """'…增长0%。主要增减变动情况是：…', or the paragraph after '…的主要情况：': the reason of the budget
    comparison read just before, when it has none."""
    pending = awaiting_reason(doc)
    if pending is not None:
        pending["reason_text"] = sentence.printed(sentence.text.strip().rstrip("。"))
        return
    stripped = sentence.text.lstrip(",;: ")
    reason = FINAL_REASON_WORDS.match(stripped) if stripped.startswith(("主要", "其主要")) else None
    last = doc.stated_changes[-1] if doc.stated_changes else None
    if reason is None or last is None or last["reason_text"] or last["prior_year"] != doc.fiscal_year or read_since(doc, last):
        return
    offset = len(sentence.text) - len(stripped)
    last["reason_text"] = sentence.printed(reason.group("reason").strip(), offset + reason.start("reason"))


# ---------------------------------------------------------------- a unit printed after 为
# '2026 年预算数 3,623.98 为万元' is '预算数为3,623.98万元' misprinted: read as that amount (with a
# warning), so the comparison that follows it is tied to its figure.
MISPRINTED_UNIT_RE = re.compile(rf"(?P<number>{NUMBER})\s?为\s?(?P<unit>亿元|万元|元)")


def with_misprinted_units(doc, sentence, matches):
    """The sentence's amount matches with its misprinted ones ('X 为万元') added in order, each warned about."""
    found = list(MISPRINTED_UNIT_RE.finditer(sentence.text))
    for match in found:
        doc.warn("misprinted_unit", f"数额“{sentence.printed(match.group(0), match.start())}”的单位印在“为”之后，"
                                    f"按{match.group('number')}{match.group('unit')}读取", sentence)
    return sorted([*matches, *found], key=lambda m: m.start()) if found else matches
