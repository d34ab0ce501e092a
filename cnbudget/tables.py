"""The national standard tables of 部门预算 / 部门决算 disclosures, declared once, as data.

Every region prints the Ministry of Finance's table set (部门收支总表 … 国有资本经营预算支出表, and the
决算 family) under its own titles, numbering and column headings. This module says, for each table
*kind*: the statement its cells belong to (`cnbudget.schema.STATEMENTS`), the title words that name
it, its shape (two-sided 收入|支出, rows coded 类/款/项) and the column headings it may print, each
heading mapped to an item key and its dimensions (fund_source, expense_type, economic_class). Column
headings also carry the *phase* of their figures (预算数, 执行数, 决算数 …).

Like frictionless-py's formats: the data here, detection (`title_kind`, `column_for`) beside it, and
the reading in `cnbudget.table_reader`. A title that names no standard kind but reads like a table
(政府购买服务预算表, 会议费培训费预算表, 项目支出表 …) is a generic table: read, never dropped.
"""

import re
from collections import namedtuple
from functools import lru_cache

from cnbudget.numbers import normalize


# Frozen records are named tuples, not dataclasses: `dataclasses` imports `inspect`, slow to start.
class Column(namedtuple("Column", "pattern key dims", defaults=((),))):
    """A column heading: the words that name it -> item key ('' = the row's total) and dimensions.

    key None: not a figure of its own (增减额, 完成率) — counted, not recorded.
    """

    __slots__ = ()

    @property
    def regex(self):
        return _compiled(self.pattern)


TableKind = namedtuple("TableKind", (
    "key", "statement",
    "titles",  # regexes over the normalised title (numbering, year and unit name stripped)
    "columns",  # Columns tried before the common ones
    "two_sided",
    "coded",  # rows start with (or are named by) a classification code
    "fund_source",
    "final",  # a 决算 table: figures are final accounts unless a heading says otherwise
    "default_columns",  # keys of the columns in their usual order, when headings cannot be read
), defaults=((), False, True, None, False, ()))
TableKind.__doc__ = "One standard table: its key, statement, title words, shape and column vocabulary."


def _c(pattern, key, **dims):
    return Column(pattern, key, tuple(sorted(dims.items())))


# Headings that are comparisons or ratios, not amounts of their own.
NOT_AMOUNTS = (_c(r"增减|增幅|变动|比上年|差额|差异", None), _c(r"完成率|%|百分比|占比|比重", None),
               _c(r"行次|栏次|序号|编号", None),
               _c(r"人数|数量|天数|个数|次数|辆数|台数|^(?:人|辆|台|套|个)$", None))  # counts, not amounts
FUND_COLUMNS = (
    _c(r"一般公共预算", "general_budget", fund_source="一般公共预算"),
    _c(r"政府性基金", "government_fund", fund_source="政府性基金预算"),
    _c(r"国有资本经营", "state_capital", fund_source="国有资本经营预算"),
    _c(r"财政专户", "special_account", fund_source="财政专户管理资金"),
    _c(r"财政拨款", "fiscal", fund_source="财政拨款"),
    _c(r"事业单位经营|经营收入", "operating_income", fund_source="事业单位经营收入"),
    _c(r"事业收入", "business_income", fund_source="事业收入"),
    _c(r"上级补助", "higher_subsidy", fund_source="上级补助收入"),
    _c(r"附属单位上缴", "affiliate_income", fund_source="附属单位上缴收入"),
    _c(r"非财政拨款结余", "non_fiscal_balance", fund_source="使用非财政拨款结余"),
    _c(r"单位资金", "unit_funds", fund_source="单位资金"),
    _c(r"其他收入", "other_income", fund_source="其他收入"),
    _c(r"上年结转|年初结转|结转结余", "carryover", fund_source="上年结转"),
)
EXPENSE_COLUMNS = (
    _c(r"人员经费|人员支出", "personnel", economic_class="人员经费"),
    _c(r"公用经费|公用支出", "public_use", economic_class="公用经费"),
    _c(r"基本支出", "basic", expense_type="基本支出"),
    _c(r"项目支出|专项业务经费", "project", expense_type="项目支出"),
    _c(r"上缴上级", "paid_to_higher"),
    _c(r"经营支出", "operating_expenditure"),
    _c(r"对附属单位补助", "affiliate_subsidy"),
    _c(r"年末结转|结转下年", "year_end_balance"),
    _c(r"结余分配", "balance_distribution"),
)
TOTAL_COLUMNS = (_c(r"合计|总计|小计|^(?:预算)?金额$|^(?:本年|年初|全年|调整后?)?(?:预算|决算|执行)数?$|^数额$", ""),)
# The common vocabulary: comparisons first, then parts, then totals (年初预算数 小计 is a total).
COMMON_COLUMNS = NOT_AMOUNTS + EXPENSE_COLUMNS + FUND_COLUMNS + TOTAL_COLUMNS

THREE_PUBLIC_COLUMNS = (
    _c(r"机关运行", "agency_operating"),
    _c(r"因公出国", "overseas_travel"),
    _c(r"接待", "reception"),
    _c(r"(?<!及)购置费|车购置(?!及)", "vehicle_purchase"),
    _c(r"(?<!及)运行(?:维护)?费|车运行(?!费)", "vehicle_operation"),
    _c(r"购置及运行|小计", "vehicles"),
    _c(r"合计|总计|三公", "total"),
)
THREE_PUBLIC_LABELS = {
    "total": "“三公”经费合计", "overseas_travel": "因公出国(境)费", "reception": "公务接待费",
    "vehicles": "公务用车购置及运行费", "vehicle_purchase": "公务用车购置费", "vehicle_operation": "公务用车运行费",
    "agency_operating": "机关运行经费",
}

# Phase of a column's figures, from its heading (or the heading above it). Order matters:
# 上年执行数 before 执行数, 调整预算 before 预算.
PHASES = [(re.compile(pattern), phase) for pattern, phase in [
    (r"上年(?:度)?(?:预算)?执行|上年(?:度)?决算|执行数|预计执行|上年实际", "prior_outturn"),
    (r"上年(?:度)?预算", "prior_budget"),
    (r"调整(?:后)?预算|全年预算|变动后预算", "adjusted_budget"),
    (r"决算", "final"),
    (r"年初预算|预算", "budget"),
]]

# Left (income) side of two-sided tables: printed label -> (item, fund source). First match wins.
INCOME_ITEMS = [(re.compile(pattern), item, fund) for pattern, item, fund in [
    (r"本年收入", "current_total", None),  # 本年收入合计: this year's income, before 上年结转
    (r"收入总计|收入合计|总计", "total", None),
    (r"一般公共预算", "general_budget", "一般公共预算"),
    (r"政府性基金", "government_fund", "政府性基金预算"),
    (r"国有资本经营", "state_capital", "国有资本经营预算"),
    (r"财政专户", "special_account", "财政专户管理资金"),
    (r"非财政拨款结余", "non_fiscal_balance", "使用非财政拨款结余"),
    (r"财政拨款|^预算拨款", "fiscal", "财政拨款"),
    (r"事业单位经营收入|经营收入", "operating_income", "事业单位经营收入"),
    (r"事业收入", "business_income", "事业收入"),
    (r"上级补助", "higher_subsidy", "上级补助收入"),
    (r"附属单位上缴", "affiliate_income", "附属单位上缴收入"),
    (r"非财政拨款结余", "non_fiscal_balance", "使用非财政拨款结余"),
    (r"其他收入", "other_income", "其他收入"),
    (r"上年结转|年初结转|结转结余", "carryover", "上年结转"),
]]

FUND = {"general_budget": "一般公共预算", "government_fund": "政府性基金预算", "state_capital": "国有资本经营预算"}

# Most specific first: 财政拨款收支总表 before 收支总表, 基本支出 and 三公 before 一般公共预算支出.
KINDS = [
    TableKind("performance", "performance", (r"绩效",), coded=False),
    TableKind("three_public", "three_public", (r"三公",), columns=THREE_PUBLIC_COLUMNS,
              default_columns=("total", "overseas_travel", "reception", "vehicles", "vehicle_purchase",
                               "vehicle_operation", "agency_operating")),
    TableKind("government_fund", "government_fund", (r"政府性基金",), fund_source="政府性基金预算",
              default_columns=("", "basic", "project")),
    TableKind("state_capital", "state_capital", (r"国有资本经营",), fund_source="国有资本经营预算",
              default_columns=("", "basic", "project")),
    TableKind("fiscal_appropriation", "fiscal_appropriation",
              (r"财政拨款收(?:入)?支(?:出)?", r"财政拨款.*收支"), two_sided=True, coded=False,
              default_columns=("", "general_budget", "government_fund", "state_capital")),
    TableKind("basic_expenditure", "economic_class", (r"基本支出",), columns=(_c(r"^基本支出(?:预算)?$", ""),),
              default_columns=("", "personnel", "public_use")),
    TableKind("project_expenditure", "expenditure", (r"项目支出",), columns=(
        _c(r"^(?:合计|小计|金额|预算数|总计)$", "project", expense_type="项目支出"),), default_columns=("project",)),
    TableKind("general_budget", "function_class",
              (r"一般公共预算.*支出|一般公共预算.*拨款", r"财政拨款支出"), default_columns=("", "basic", "project")),
    TableKind("overview", "overview",
              (r"收支(?:预算|决算)?总|收入支出.*总表|收支总体|收支情况|财务收支",), two_sided=True, coded=False,
              default_columns=("",)),
    TableKind("income", "income", (r"收入(?:预算|决算)?(?:总表|总体|情况|表)",),
              default_columns=("", "fiscal", "business_income", "operating_income", "other_income")),
    TableKind("expenditure", "expenditure", (r"支出(?:预算|决算)?(?:总表|总体|情况|表)",),
              default_columns=("", "basic", "project")),
    TableKind("procurement", "procurement", (r"政府采购",)),
]
GENERIC_STATEMENTS = [(re.compile(pattern), statement) for pattern, statement in [
    (r"采购|购买服务", "procurement"), (r"绩效", "performance"), (r"资产", "assets"),
    (r"机关运行", "agency_operating"), (r"三公", "three_public"), (r"收入", "income"),
]]
# A title line once its numbering, year and unit name are stripped: short, ends with 表.
TABLE_WORDS = re.compile(r"预算|决算|支出|收入|经费|采购|绩效|资产|收支|拨款|资金|费明细|费用")
TITLE_PREFIX = re.compile(
    r"^(?:[(（]?[一二三四五六七八九十]{1,3}[)）、.]|\d{1,2}[.、．]|[(（]\d{1,2}[)）])?\s*"
    r"(?:(?:部门)?(?:公开|预算|决算)?(?:附)?表\s?\d{1,2}(?:[-—]\d{1,2})?|(?:预算|决算|部门)?\d{1,2}表|附件\s?\d{1,2})?[:：.、\s]*"
)
TITLE_SUFFIX = re.compile(r"(?:[(（](?:续|续表|单位[:：]?\s*(?:万元|元))[)）]|续表|\(续\))$")
QUALIFIER = re.compile(r"表[(（][^()（）]{1,16}[)）]$")  # '一般公共预算支出表（按功能分类科目）'
# Words of a title that set its fund source or its rows' classification, whatever the kind.
TITLE_FUNDS = [("一般公共预算", "一般公共预算"), ("政府性基金", "政府性基金预算"), ("国有资本经营", "国有资本经营预算"),
               ("财政拨款", "财政拨款")]
RESTATED_BY = [(re.compile(r"按[^()（）]{0,4}功能分类"), "function_class"),
               (re.compile(r"按[^()（）]{0,4}经济分类"), "economic_class")]
# What may follow a title on its line: the unit note, the table's number (not a contents page number).
# (?<!\s): tried at the start of a run of spaces only, not at each of its spaces (quadratic in the run).
TITLE_TRAILER = re.compile(r"(?<!\s)\s{2,}(?:(?:金额)?单位\s{0,2}[:：]\s{0,2}(?:亿元|万元|元)|(?:部门)?(?:公开|预算|决算)?(?:附)?表\s?\d{1,2}"
                           r"(?:[-—]\d{1,2})?)$")
YEAR_AND_UNIT = re.compile(r"^.{0,40}?\d{4}\s?年(?:度)?")
ENDS_WITH_NUMBER = re.compile(r"\d{1,3}$")  # a contents line's page number
LIST_PUNCTUATION = re.compile(r"[,，;；:：]")


Title = namedtuple("Title", "kind name continued", defaults=(False,))
Title.__doc__ = "A table title as printed and as read: its kind, its name (year stripped), a continuation flag."


def generic_kind(name):
    """A table no standard kind names: read with the common columns under a statement its title suggests."""
    statement = next((s for pattern, s in GENERIC_STATEMENTS if pattern.search(name)), "expenditure")
    final = "决算" in name
    return TableKind("generic", statement, (), coded=True, final=final)


def strip_title(text):
    """'预算01表 收支总表' / '表1 2026年部门收支总表（续）' -> ('收支总表' as printed, continued)."""
    text = TITLE_PREFIX.sub("", normalize(text).strip(), count=1).replace(" ", "").replace('"', "")
    continued = bool(TITLE_SUFFIX.search(text)) and "续" in text
    return TITLE_SUFFIX.sub("", text), continued


@lru_cache(maxsize=8192)
def title_kind(text):
    """The Title this line prints, or None: standard kinds first, then any short '…表' line."""
    if len(text) > 160 or "。" in text or "…" in text or ".." in text:
        # A sentence or a contents line, tested before TITLE_TRAILER (a step at each character of a
        # line of prose that mentions 表): the trailer it would strip holds no 。, … or '.', so
        # these are in the line exactly when they are in what it leaves, tested below as before.
        return None
    stripped = TITLE_TRAILER.sub("", text.strip())  # '部门收支总表      单位：万元' / '…总表    公开表1'
    if not stripped or "。" in stripped or "…" in stripped or "……" in stripped or ".." in stripped:
        return None
    printed, continued = strip_title(stripped)
    name = printed.replace("“", "").replace("”", "")
    qualifier = QUALIFIER.search(name)
    if qualifier:
        name = name[:qualifier.start() + 1]
    if not name.endswith("表") or not 3 <= len(name) <= 48 or ENDS_WITH_NUMBER.search(stripped):
        return None
    if not TABLE_WORDS.search(name) or LIST_PUNCTUATION.search(name):
        return None
    bare = YEAR_AND_UNIT.sub("", name) if "年" in name else name
    table_name = YEAR_AND_UNIT.sub("", printed) if "年" in printed else printed
    final = "决算" in name
    kind = next((k for k, titles in KIND_TITLES if any(pattern.search(bare) for pattern in titles)), None)
    kind = kind or generic_kind(bare)
    changes = {"final": True} if final and not kind.final else {}
    if kind.key in ("general_budget", "basic_expenditure", "project_expenditure", "generic"):
        fund = next((source for word, source in TITLE_FUNDS if word in bare), None)
        if fund != kind.fund_source:
            changes["fund_source"] = fund
        statement = next((s for pattern, s in RESTATED_BY if pattern.search(qualifier.group() if qualifier else bare)), None)
        if statement and statement != kind.statement:
            changes["statement"] = statement
    return Title(variant(kind, **changes) if changes else kind, table_name, continued)


_VARIANTS = {}


def variant(kind, **changes):
    """The kind with some fields changed (a 决算 twin, a fund source read from the title), made once."""
    key = (kind.key, tuple(sorted(changes.items())))
    if key not in _VARIANTS:
        _VARIANTS[key] = kind._replace(**changes)
    return _VARIANTS[key]


def column_for(kind, heading):
    """The Column a heading names under this kind, or None when no word of it is known."""
    text = heading.replace(" ", "")
    return _column_for(kind.columns, text) if text else None


@lru_cache(maxsize=8192)
def _column_for(columns, text):
    """A table's headings repeat on each of its pages (and across tables): tried against the vocabulary once."""
    for column in columns + COMMON_COLUMNS:
        if column.regex.search(text):
            return column
    return None


@lru_cache(maxsize=8192)
def phase_of(heading, fiscal_year=None):
    """The phase a heading states ('2025年执行数' in a 2026 budget -> prior_outturn), or None."""
    text = heading.replace(" ", "")
    if fiscal_year:
        text = text.replace(f"{fiscal_year - 1}年", "上年").replace(f"{fiscal_year}年", "本年")
    for pattern, phase in PHASES:
        if pattern.search(text):
            return phase
    return None


# Every declared pattern is compiled at import, when `make install` stores what is compiled
# (cnbudget.regex_cache): a document then never waits for `re` to compile one.
_PATTERNS = {}


def _compiled(pattern):
    if pattern not in _PATTERNS:
        _PATTERNS[pattern] = re.compile(pattern)
    return _PATTERNS[pattern]


KIND_TITLES = [(kind, tuple(re.compile(pattern) for pattern in kind.titles)) for kind in KINDS]
for _column in COMMON_COLUMNS + THREE_PUBLIC_COLUMNS + tuple(c for kind in KINDS for c in kind.columns):
    _compiled(_column.pattern)
