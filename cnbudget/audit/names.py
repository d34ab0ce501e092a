"""Function-class names and codes (政府收支分类科目) against the reference table.

Rules: `function_name` — a 类/款/项 printed under a name that is not the official one for its code
(an old name such as 医疗卫生与计划生育支出, a variant such as 医疗卫生支出); `function_code_unknown` — a
printed code whose 类 does not exist; `function_levels_swapped` — a 类…（款）…（项） path whose 款 repeats
the 类 or whose 项 is the 款's own name (the levels shifted). Truncated names (a table cell cut short)
are not findings. A code the reference table does not hold is judged against the document's own
explanation of it (名词解释: “8.重点实验室及相关设施（2060204）：反映…”): printed elsewhere under another
name, it is a `function_name` warning too.
"""

import re
from functools import lru_cache

from cnbudget.function_codes import load_reference, name_key

# Tables whose rows are named by their function class; elsewhere (政府采购, 项目 lists) a row beside a
# code column is a project or a unit, not the code's name.
NAMED_BY_CODE = {"expenditure", "general_budget", "function_class", "fiscal_appropriation", "income",
                 "government_fund", "state_capital"}

# Names that were official until a year: not a finding in a document of that year or before.
FORMER_NAMES = {"210": [("医疗卫生与计划生育支出", 2018)], "20805": [("行政事业单位离退休", 2019)]}


def path_names(label):
    """'A（类）B（款）C（项）' or 'A-B-C' → ['A', 'B', 'C']; a bare name → [name]. Printed codes
    ('行政运行（2010501）', '[2011301]行政运行', '2010601-行政运行', '>2010301一般公共服务支出-…') are not names."""
    text = re.sub(r"[（(\[【]?\d{3,7}[）)\]】]?", "", label or "").strip("“”\" >-－")
    parts = re.findall(r"([^（）]+?)（[类款项]）", text)
    if not parts and re.search(r"\S[-－—]\S", text):
        parts = [p for p in re.split(r"[-－—]", text) if p]
    return [p.strip("“”\" ") for p in parts] or [text]


def same_name(printed, official):
    """Equal up to brackets, spaces and a trailing 支出, or the printed name cut short (a wrapped cell)."""
    a, b = name_key(printed), name_key(official)
    return a == b or (len(a) >= 4 and b.startswith(a))


def wrapped(printed, official):
    """A cell's text made of fragments of wrapped names (a table's names wrapped over lines and
    rejoined to the wrong row): it holds the official name, or it ends with the start of an official
    name after another name's tail ('出行政事业单位离退', '险缴费支出机关事业单位职业年金缴'), or it is
    too short to be a name ('出'). What it prints for this code cannot be told; a real variant
    (医疗卫生支出 for 卫生健康支出) is none of these."""
    a, b = plain(printed), plain(official)
    if len(a) <= 2 or name_key(b) in a:
        return True
    starts = name_starts()
    return b.startswith(a) or any(a[i:] in starts for i in range(1, len(a) - 3))


def plain(name):
    return name.replace("（", "(").replace("）", ")").replace(" ", "").strip("“”\"")


@lru_cache(maxsize=1)
def name_starts():
    """Every start (4 characters or more) of an official or former name."""
    names = [row["name"] for row in load_reference().values()] + \
        [name for former in FORMER_NAMES.values() for name, _ in former]
    return {plain(name)[:n] for name in names for n in range(4, len(plain(name)) + 1)}


# 类 of the 支出功能分类 beyond the reference table's rows (预备费, 其他支出, transfers and debt service).
MORE_CLASSES = {"227", "229", "230", "231", "232", "233", "234"}


def former_name(code, printed, year):
    """Was `printed` the official name of `code` in `year`?"""
    return any(same_name(printed, name) and year is not None and year <= until
               for name, until in FORMER_NAMES.get(code, ()))


def shifted(names, code, reference):
    """A 类（类）…（款）…（项） path whose 款 repeats the 类, or whose 项 is the 款's official name."""
    if len(names) != 3:
        return False
    if same_name(names[1], names[0]):
        return True
    section = (reference.get((code or "")[:5]) or {}).get("name") if code and len(code) == 7 else None
    return bool(section) and not same_name(names[1], section) and same_name(names[2], section)


def check_names(doc):
    """Each distinct (code, printed name) once: the first line that prints it carries the finding."""
    reference = load_reference()
    check_explained_names(doc, reference)
    classes = {code for code, row in reference.items() if row["level"] == "类"} | MORE_CLASSES
    seen, read = set(), set()
    for line in doc.all_lines:
        if (line.get("function_code"), line.get("label")) in read:
            continue  # the same name and code again (another table, another column): judged once
        read.add((line.get("function_code"), line.get("label")))
        names = path_names(line.get("label"))
        if shifted(names, line.get("function_code"), reference):
            key = ("levels", line["label"])
            if key not in seen:
                seen.add(key)
                section = (reference.get((line.get("function_code") or "")[:5]) or {}).get("name")
                doc.report("function_levels_swapped", "warning", line["statement"],
                           f"科目“{line['label']}”的类/款/项错位：“{names[1]}”印在“款”位，“{names[2]}”印在“项”位"
                           + (f"（{line['function_code'][:5]}款应为“{section}”）" if section else ""),
                           f"'{line['label']}': the 类/款/项 levels are shifted", None, None, [line], key=key)
            continue
        code = line.get("function_code")
        if not code or not line.get("label") or line.get("statement") not in NAMED_BY_CODE:
            continue
        codes = [code[:3], code[:5], code[:7]][:len(names)] if len(names) > 1 else [code]
        if len(names) > 1 and len(names) != (len(code) - 1) // 2:
            continue  # the path and the code disagree in depth: the reader's business, not a defect
        for printed, level_code in zip(names, codes):
            if level_code[:3] not in classes and len(level_code) in (3, 5, 7):
                key = ("code", level_code)
                if key not in seen:
                    seen.add(key)
                    doc.report("function_code_unknown", "error", line["statement"],
                               f"科目编码{level_code}（{printed}）不存在：没有{level_code[:3]}这一类",
                               f"function code {level_code} ({printed}) does not exist", None, None, [line], key=key)
                continue
            row = reference.get(level_code)
            if (row is None or same_name(printed, row["name"]) or former_name(level_code, printed, doc.fiscal_year)
                    or (line.get("table_name") and wrapped(printed, row["name"]))
                    or re.sub(r"(?:支出)?[预决]算数?$", "", plain(printed)) == name_key(plain(row["name"]))):
                continue
            key = ("name", level_code, printed)
            if key in seen:
                continue
            seen.add(key)
            doc.report("function_name", "warning", line["statement"],
                       f"科目{level_code}印为“{printed}”，{doc.fiscal_year or ''}年的正式名称为“{row['name']}”",
                       f"function code {level_code} printed as '{printed}'; its official name is '{row['name']}'",
                       None, None, [line], key=key)


# '8.重点实验室及相关设施（2060204）：反映国家（重点）实验室…': a 科目's explanation, in the official wording.
EXPLAINED = re.compile(r"(?:^|(?<=[\d.、。:：;；\s]))(?P<name>[\u4e00-\u9fff（）()]{2,30}?)[（(](?P<code>2\d{4}(?:\d{2})?)[）)]\s?[:：]\s?反映")


def explained_names(doc):
    """{code: name} of the codes the document explains (名词解释) under one name."""
    found = {}
    for text in getattr(doc, "section_texts", ()):
        if "反映" not in text:
            continue
        for match in EXPLAINED.finditer(text):
            found.setdefault(match.group("code"), set()).add(match.group("name"))
    return {code: next(iter(names)) for code, names in found.items() if len(names) == 1}


def check_explained_names(doc, reference):
    """A code beyond the reference table, printed under another name than the one its explanation gives."""
    for code, explained in explained_names(doc).items():
        if code in reference:
            continue  # the reference table judges it (check_names)
        lines = [line for line in doc.all_lines if line.get("function_code") == code and line.get("label")
                 and line.get("statement") in NAMED_BY_CODE]
        differing = [line for line in lines if not same_name(path_names(line["label"])[-1], explained)
                     and not (line.get("table_name") and wrapped(path_names(line["label"])[-1], explained))]
        if not differing:
            continue
        printed = path_names(differing[0]["label"])[-1]
        doc.report("function_name", "warning", differing[0]["statement"],
                   f"科目{code}印为“{printed}”，本文件名词解释称“{explained}”",
                   f"function code {code} printed as '{printed}'; the document's own explanation names it '{explained}'",
                   None, None, differing, key=("name", code, printed))
