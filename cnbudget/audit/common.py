"""Money, precision and wording shared by the audit rules: exact 分, the printed step, Chinese severities."""

import re
from decimal import ROUND_HALF_UP, Decimal

from cnbudget.numbers import AMOUNT_RE  # linear: a number starts only where its digit run starts

SEVERITY_ZH = {"error": "错误", "warning": "提示", "rounding": "尾差"}
SEVERITIES = ("error", "warning", "rounding")
FEN_PER = {"元": 100, "万元": 1_000_000, "亿元": 10_000_000_000}


def fen(line):
    """The exact amount of a budget line in 分 (amount_fen; amount_yuan × 100 for older records), or None."""
    if line is None:
        return None
    if line.get("amount_fen") is not None:
        return line["amount_fen"]
    return None if line.get("amount_yuan") is None else line["amount_yuan"] * 100


def step_fen(line):
    """One unit of the last printed digit, in 分: 0.01万元 → 10000, 1 元 → 100, 0.01 元 → 1.

    Read from amount_text against amount_fen, so a table cell printed without its unit works too.
    A printed 0 is exact (nothing to round): its step is 0.
    """
    if fen(line) == 0:
        return 0
    text = (line.get("amount_text") or "").replace(",", "")
    match = re.search(r"\d+(?:\.(\d+))?", text)
    amount = fen(line)
    if not match or amount is None:
        return 100
    places = len(match.group(1) or "")
    digits = int(match.group().replace(".", ""))
    if digits:
        return max(1, amount // digits)
    unit = next((u for u in ("亿元", "万元", "元") if u in text), "元")
    return max(1, FEN_PER[unit] // 10 ** places)


def tolerance(lines):
    """The gap a sum of these printed figures may show from rounding alone: one step per line summed."""
    lines = [l for l in lines if l is not None]
    return max((step_fen(l) for l in lines), default=0) * max(1, len(lines) - 1)


def gap_severity(gap, lines):
    """'rounding' when a sum's gap is within what rounding these printed figures allows, else 'error'."""
    return "rounding" if abs(gap) <= tolerance(lines) else "error"


def money(amount_fen):
    """分 → '569.66万元' (two decimals), or '1,234.56元' under 0.01万元."""
    if amount_fen is None:
        return "无"
    if abs(amount_fen) < 10_000:
        return f"{Decimal(amount_fen) / 100:,.2f}元"
    return f"{(Decimal(amount_fen) / 1_000_000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}万元"


def printed_like(cell, amount_fen=None):
    """分 in the printed form of `cell`, with its unit: 9499578900 like '94,995,790' → '94,995,789元'.

    Without `amount_fen`, the cell itself ('16,474.82' of a 万元 table → '16,474.82万元').
    """
    text = (cell.get("amount_text") or "").replace(",", "")
    amount_fen = fen(cell) if amount_fen is None else amount_fen
    match = re.search(r"\d+(?:\.(\d+))?", text)
    if not match or re.search(r"[元万亿]", text) or not step_fen(cell):
        return cell.get("amount_text") if amount_fen == fen(cell) and cell.get("amount_text") else money(amount_fen)
    places = len(match.group(1) or "")
    per_unit = step_fen(cell) * 10 ** places
    unit = next((u for u, n in FEN_PER.items() if n == per_unit), None)
    if unit is None:
        return money(amount_fen)
    return f"{Decimal(amount_fen) / per_unit:,.{places}f}{unit}"


def yuan(amount_fen):
    """分 → integer 元 (half up) for the findings' expected_yuan / actual_yuan columns."""
    if amount_fen is None:
        return None
    return int((Decimal(amount_fen) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def amounts_in(text):
    """Every printed amount of a sentence as (分, start), e.g. '2023年预算安排441.25万元' → [(44125000000, 9)]."""
    out = []
    for match in AMOUNT_RE.finditer(text or ""):
        out.append((int(Decimal(match.group("number").replace(",", "")) * FEN_PER[match.group("unit")]), match.start()))
    return out


def percent(text):
    """'77.70%' / '77.70 %' / '77.70' → (Decimal('77.70'), Decimal('0.01')); None when absent."""
    match = re.search(r"-?\d+(?:\.\d+)?", text or "")
    if not match:
        return None
    number = Decimal(match.group())
    places = len(match.group().split(".")[1]) if "." in match.group() else 0
    return abs(number), Decimal(1).scaleb(-places)


def is_final(document):
    """A 决算 (final accounts): budget identities do not apply to it."""
    return "决算" in (document.get("kind") or "")


BASES = [  # (words in a comparison, base key, Chinese name)
    ("执行数", "prior_outturn", "上年预算执行数"), ("执行", "prior_outturn", "上年预算执行数"),
    ("决算", "prior_final", "上年决算数"), ("年初预算", "budget", "年初预算数"),
    ("调整预算", "adjusted_budget", "调整预算数"), ("预算", "prior_budget", "上年预算数"),
]


# '决算数大于年初预算数' (a 决算 against its own budget): the base is the budget, not a 决算.
FINAL_VS_BUDGET = re.compile(r"决算数?\s?(?:大于|小于|高于|低于|超过|多于|少于|等于)\s?(?P<base>年初|调整|全年)?预算")


def base_of(change_text, same_year=False):
    """The base a comparison names: ('prior_outturn', '上年预算执行数') for '比2022年预算执行数增加…'.

    `same_year`: the comparison is with the document's own year (a 决算's '比预算数增加…'), so a
    budget it names is that year's budget (年初预算), not last year's.
    """
    text = change_text or ""
    versus = FINAL_VS_BUDGET.search(text)
    if versus:
        return ("adjusted_budget", "调整预算数") if versus.group("base") in ("调整", "全年") else ("budget", "年初预算数")
    head = re.split(r"增加|减少|增长|下降|持平|相同|基本持平|变化", text)[0]
    for words, key, name in BASES:
        if words in head:
            return ("budget", "年初预算数") if same_year and key == "prior_budget" else (key, name)
    return "prior_year", "上年数"
