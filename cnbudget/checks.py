"""Audit findings: does a disclosure agree with itself?

`check_extraction(result)` takes one `extract_file` result and reconciles its arithmetic at every
level the document states: income sources and the total, basic + project, 项 to 类 and 类 to the
total, personnel + public-use, the “三公” parts, procurement parts, performance projects, stated
prior-year figures, and printed shares (占X%) against the amounts. It returns findings, never
changes a figure. Each finding (the `findings` table) has:

- `document_id`, `finding_id` (1.. in rule order), `rule` (stable id, see RULES), `statement`;
- `severity`: `error`, `warning` (a convention rather than an identity, e.g. a share printed on
  another base), or `rounding` (gap at most 100 元, i.e. 0.01万元, per summed line);
- `message_zh`, `message_en`;
- `expected_yuan`: the whole the document prints (a total, or the base a share should use);
  `actual_yuan`: what its parts add up to (or the base that reproduces the printed share);
- `source_lines` and `line_ids`: the source lines and budget_lines involved, "12;45".
"""

from decimal import ROUND_HALF_UP, Decimal

from cnbudget.schema import STATEMENTS

ROUNDING_YUAN_PER_LINE = 100

RULES = {
    "income_sources_total": "收入来源之和 = 收入总数",
    "basic_project_total": "基本支出 + 项目支出 = 支出总数",
    "income_expenditure_total": "收入总数 = 支出总数 = 收支总数",
    "function_classes_total": "功能分类各“类”之和 = 所列总数",
    "function_items_class": "各“项”之和 = 所属“类”",
    "function_items_section": "各“项”之和 = 所属“款”",
    "function_items_total": "全部“项”之和 = 一般公共预算当年拨款",
    "personnel_public_basic": "人员经费 + 公用经费 = 基本支出",
    "three_public_parts": "“三公”经费各项之和 = “三公”经费总数",
    "three_public_vehicles": "公务用车购置费 + 运行维护费 = 公务用车购置及运行维护费",
    "procurement_parts": "政府采购货物、工程、服务之和 = 政府采购总数",
    "performance_projects": "各绩效项目之和 = 绩效目标管理项目资金",
    "performance_project_spending": "绩效目标管理项目资金 = 项目支出",
    "stated_prior_change": "原文上年数 + 原文增减额 = 本年数",
    "stated_share": "原文占比与金额相符",
}

INCOME_SOURCES = ["general_budget", "government_fund", "state_capital", "fiscal", "business_income",
                  "operating_income", "other_income", "carryover"]
# 财政拨款收入 is itself the sum of these three: count it only when they are not printed.
FISCAL_PARTS = {"general_budget", "government_fund", "state_capital"}


def wan(yuan):
    """Integer 元 -> '569.66' (万元, two decimals, Decimal)."""
    return f"{(Decimal(yuan) / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def gap_text(gap, language="zh"):
    """A gap in 万元, or in 元 when it is under 0.01万元."""
    if abs(gap) < 100:
        return f"{gap}元" if language == "zh" else f"{gap} yuan"
    return f"{wan(gap)}万元" if language == "zh" else f"{wan(gap)} (10k yuan)"


def short_label(line):
    """'社会保障和就业支出（类）…（款）行政单位离退休（项）' -> '行政单位离退休（项）'; other labels as printed."""
    label = line["label"]
    for level in ("项", "款"):
        mark = f"（{level}）"
        if label.endswith(mark):
            head = label[: -len(mark)]
            return head[head.rfind("）") + 1:] + mark
    return label


class Document:
    """Budget lines of one document, indexed for the rules."""

    def __init__(self, result):
        self.id = result["document"]["document_id"]
        # The narrative's figures; appendix tables (table_name set) are reconciled with the text by
        # cnbudget.crosschecks, and repeat each figure across several tables.
        self.lines = [line for line in result["budget_lines"] if not line.get("table_name")]
        self.stated_changes = result.get("stated_changes", [])
        self.findings = []

    def first(self, statement, item):
        """The first line with this statement and item (a list repeats figures: the first states it)."""
        return next((l for l in self.lines if l["statement"] == statement and l["item"] == item), None)

    def where(self, statement, test):
        return [l for l in self.lines if l["statement"] == statement and test(l)]

    def add(self, rule, severity, statement, message_zh, message_en, expected, actual, lines, extra_sources=()):
        lines = sorted({l["line_id"]: l for l in lines if l}.values(), key=lambda l: l["line_id"])
        sources = {l["source_line"] for l in lines if l["source_line"]} | {s for s in extra_sources if s}
        self.findings.append({
            "document_id": self.id, "finding_id": len(self.findings) + 1, "rule": rule,
            "severity": severity, "statement": statement, "message_zh": message_zh, "message_en": message_en,
            "expected_yuan": expected, "actual_yuan": actual,
            "source_lines": ";".join(str(s) for s in sorted(sources)),
            "line_ids": ";".join(str(l["line_id"]) for l in lines),
        })

    def reconcile(self, rule, statement, total, parts, what_zh, what_en):
        """Compare a printed whole with the sum of its printed parts; record a finding when they differ."""
        if total is None or not parts or total["amount_yuan"] is None:
            return
        if any(p["amount_yuan"] is None for p in parts):
            return
        actual = sum(p["amount_yuan"] for p in parts)
        expected = total["amount_yuan"]
        gap = actual - expected
        if gap == 0:
            return
        severity = "rounding" if abs(gap) <= ROUNDING_YUAN_PER_LINE * len(parts) else "error"
        names = "、".join(short_label(p) for p in parts) if len(parts) <= 5 else f"{len(parts)}个组成部分"
        summed = f"{names}之和为" if len(parts) > 1 else f"{names}为"
        self.add(
            rule, severity, statement,
            f"{what_zh}：{summed}{wan(actual)}万元，{total['label']}为{wan(expected)}万元，"
            f"相差{gap_text(gap)}" + ("（尾差）" if severity == "rounding" else ""),
            f"{what_en}: " + (f"{len(parts)} parts sum to" if len(parts) > 1 else "the part is")
            + f" {wan(actual)} (10k yuan) but the document states "
            f"{wan(expected)}; gap {gap_text(gap, 'en')}" + (" (rounding)" if severity == "rounding" else ""),
            expected, actual, [total, *parts],
        )


def check_extraction(result):
    """All findings of one extracted document, in rule order."""
    doc = Document(result)
    for check in (check_income, check_basic_project, check_balance, check_function_classes,
                  check_function_items, check_basic, check_three_public, check_procurement,
                  check_performance, check_stated_prior, check_shares):
        check(doc)
    from cnbudget.crosschecks import crosscheck_extraction  # PDF tables against the narrative

    doc.findings += [{**f, "finding_id": len(doc.findings) + n} for n, f in enumerate(crosscheck_extraction(result), 1)]
    return doc.findings


def check_income(doc):
    """income sources = income total (in the income and 财政拨款 statements)."""
    for statement in ("income", "fiscal_appropriation", "overview"):
        parts = [doc.first(statement, item) for item in INCOME_SOURCES]
        parts = [p for p in parts if p is not None]
        if FISCAL_PARTS & {p["item"] for p in parts}:
            parts = [p for p in parts if p["item"] != "fiscal"]
        doc.reconcile("income_sources_total", statement, doc.first(statement, "total"), parts,
                      f"{STATEMENTS[statement][0]}收入来源", f"{statement}: income sources")


def check_basic_project(doc):
    """basic + project = total, wherever a statement prints both."""
    for statement in ("expenditure", "general_budget", "government_fund", "state_capital", "fiscal_appropriation"):
        parts = [p for p in (doc.first(statement, "basic"), doc.first(statement, "project")) if p]
        total = doc.first(statement, "total")
        if len(parts) == 2 or (parts and statement in ("government_fund", "state_capital")):
            doc.reconcile("basic_project_total", statement, total, parts,
                          f"{STATEMENTS[statement][0]}基本支出与项目支出", f"{statement}: basic + project spending")


def check_balance(doc):
    """Department budgets balance: income total = expenditure total = overview total."""
    overview, income, spending = (doc.first(s, "total") for s in ("overview", "income", "expenditure"))
    pairs = [(overview, income), (overview, spending)] if overview else [(income, spending)]
    for whole, part in pairs:
        if whole and part:
            doc.reconcile("income_expenditure_total", part["statement"], whole, [part],
                          "收支总数与收入、支出总数", "overall total vs income/expenditure total")


def function_classes(doc, statement):
    return doc.where(statement, lambda l: l["function_level"] == "类")


def check_function_classes(doc):
    """类 lines sum to the total of their statement; an expenditure list may add its 项目支出 line."""
    for statement in ("expenditure", "fiscal_appropriation", "general_budget"):
        classes = function_classes(doc, statement)
        if not classes:
            continue
        total = doc.first(statement, "total")
        parts = list(classes)
        if statement == "expenditure":
            # "按支出功能分类：1.一般公共服务支出… 5.项目支出75万元": a project line listed after the classes.
            first_class = min(l["line_id"] for l in classes)
            parts += doc.where(statement, lambda l: l["item"] == "project" and l["line_id"] > first_class)
        before = len(doc.findings)
        doc.reconcile("function_classes_total", statement, total, parts,
                      f"{STATEMENTS[statement][0]}按功能分类", f"{statement}: function classes vs total")
        for finding in doc.findings[before:]:
            explain_omitted_fund(doc, statement, finding, len(parts))


def explain_omitted_fund(doc, statement, finding, summed):
    """A class list short by exactly a fund's income (政府性基金…) left that fund's spending out: a warning."""
    funds = [l for l in doc.where(statement, lambda l: l["item"] in ("government_fund", "state_capital"))
             if l["amount_yuan"]]
    missing = finding["expected_yuan"] - finding["actual_yuan"]
    omitted = sum(l["amount_yuan"] for l in funds)
    if finding["severity"] != "error" or not funds or abs(missing - omitted) > ROUNDING_YUAN_PER_LINE * (summed + len(funds)):
        return
    names = "、".join(l["label"] for l in funds)
    finding["severity"] = "warning"
    finding["message_zh"] += f"；差额即{names}{wan(omitted)}万元：支出按功能分类只列了一般公共预算，未列该项资金的支出"
    finding["message_en"] += (f"; the gap is the {wan(omitted)} of {', '.join(l['item'] for l in funds)} income: "
                              "the class list leaves that fund's spending out")
    ids = {int(i) for i in finding["line_ids"].split(";")} | {l["line_id"] for l in funds}
    finding["line_ids"] = ";".join(str(i) for i in sorted(ids))


def check_function_items(doc):
    """项 lines sum to their 款 and 类, and all 项 to the general-budget total."""
    items = doc.where("function_class", lambda l: l["function_level"] == "项" and l["function_code"])
    if not items:
        return
    sections = doc.where("function_class", lambda l: l["function_level"] == "款" and l["function_code"])
    for section in sections:
        parts = [i for i in items if i["function_code"].startswith(section["function_code"])]
        doc.reconcile("function_items_section", "function_class", section, parts,
                      f"“款”{section['label']}", f"items of section {section['function_code']}")
    classes = function_classes(doc, "general_budget") or function_classes(doc, "expenditure")
    for cls in classes:
        parts = [i for i in items if i["function_code"].startswith(cls["function_code"])]
        doc.reconcile("function_items_class", "function_class", cls, parts,
                      f"“类”{cls['label']}（{cls['function_code']}）", f"items of class {cls['function_code']}")
    doc.reconcile("function_items_total", "function_class", doc.first("general_budget", "total"), items,
                  "一般公共预算当年拨款按“项”", "all items vs general-budget total")


def check_basic(doc):
    parts = [p for p in (doc.first("basic_expenditure", "personnel"), doc.first("basic_expenditure", "public_use")) if p]
    if len(parts) == 2:
        doc.reconcile("personnel_public_basic", "basic_expenditure", doc.first("basic_expenditure", "total"), parts,
                      "基本支出构成", "basic spending: personnel + public use")


def check_three_public(doc):
    parts = [p for p in (doc.first("three_public", i) for i in ("overseas_travel", "reception", "vehicles")) if p]
    if not doc.first("three_public", "vehicles"):
        parts += [p for p in (doc.first("three_public", i) for i in ("vehicle_purchase", "vehicle_operation")) if p]
    doc.reconcile("three_public_parts", "three_public", doc.first("three_public", "total"), parts,
                  "“三公”经费构成", "“three public” expenses: parts vs total")
    parts = [p for p in (doc.first("three_public", i) for i in ("vehicle_purchase", "vehicle_operation")) if p]
    if len(parts) == 2:
        doc.reconcile("three_public_vehicles", "three_public", doc.first("three_public", "vehicles"), parts,
                      "公务用车购置及运行维护费构成", "official vehicles: purchase + operation")


def check_procurement(doc):
    parts = [p for p in (doc.first("procurement", i) for i in ("goods", "works", "services")) if p]
    doc.reconcile("procurement_parts", "procurement", doc.first("procurement", "total"), parts,
                  "政府采购构成", "procurement: goods + works + services")


def check_performance(doc):
    total = doc.first("performance", "total")
    # "project:NAME" is a project; "project:NAME:q1" a quarterly plan of one, not another project.
    projects = doc.where("performance", lambda l: l["item"].startswith("project:") and l["item"].count(":") == 1)
    doc.reconcile("performance_projects", "performance", total, projects,
                  "绩效目标管理项目", "performance-managed projects vs their total")
    spending = doc.first("expenditure", "project")
    if total and spending and total["amount_yuan"] is not None and spending["amount_yuan"] is not None:
        before = len(doc.findings)
        doc.reconcile("performance_project_spending", "performance", spending, [total],
                      "绩效目标管理项目资金与项目支出", "performance-managed funds vs project spending")
        for finding in doc.findings[before:]:
            if finding["severity"] == "error":  # not every project must carry targets: a warning
                finding["severity"] = "warning"


def check_stated_prior(doc):
    """When the document prints last year's figure, prior + stated change = this year's figure."""
    by_id = {l["line_id"]: l for l in doc.lines}
    for change in doc.stated_changes:
        line = by_id.get(change.get("line_id"))
        prior, delta = change.get("prior_yuan"), change.get("change_yuan")
        if line is None or prior is None or delta is None or line["amount_yuan"] is None:
            continue
        gap = prior + delta - line["amount_yuan"]
        if gap:
            severity = "rounding" if abs(gap) <= 2 * ROUNDING_YUAN_PER_LINE else "error"
            doc.add("stated_prior_change", severity, change["statement"],
                    f"{change['label']}：上年{wan(prior)}万元加{change['change_text']}得{wan(prior + delta)}万元，"
                    f"本年印为{wan(line['amount_yuan'])}万元",
                    f"{change['label']}: prior {wan(prior)} + stated change {wan(delta)} = {wan(prior + delta)}, "
                    f"but this year prints {wan(line['amount_yuan'])}",
                    line["amount_yuan"], prior + delta, [line], [change.get("source_line")])


# ---------------------------------------------------------------- shares

def share_matches(amount, base, printed):
    """Does amount/base, rounded like the printed share (half up), print as `printed` (e.g. '14.72%')?"""
    if not base:
        return False
    number = printed.rstrip("%")
    places = len(number.split(".")[1]) if "." in number else 0
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(amount) * 100 / Decimal(base)).quantize(quantum, rounding=ROUND_HALF_UP) == Decimal(number)


def share_text(amount, base, _printed=None):
    """amount/base in percent with two decimals."""
    return f"{(Decimal(amount) * 100 / Decimal(base)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def share_bases(doc, line):
    """Candidate bases for a share, most expected first: own total, other totals, same-statement lines, others."""
    order = list(STATEMENTS)
    own = [l for l in doc.lines if l["statement"] == line["statement"] and l["item"] == "total"]
    totals = sorted((l for l in doc.lines if l["item"] == "total" and l["statement"] != line["statement"]),
                    key=lambda l: (order.index(l["statement"]) if l["statement"] in order else 99, l["line_id"]))
    same = [l for l in doc.lines if l["statement"] == line["statement"] and l["item"] != "total"]
    others = [l for l in doc.lines if l["statement"] != line["statement"] and l["item"] != "total"]
    seen, out = set(), []
    for base in own + totals + same + others:
        amount = base["amount_yuan"]
        if base is line or amount is None or amount <= 0 or amount in seen or amount < (line["amount_yuan"] or 0):
            continue
        seen.add(amount)
        out.append(base)
    return out


def check_shares(doc):
    """Each printed share against its statement's total; name the base that reproduces it, if any."""
    for line in doc.lines:
        printed = line.get("stated_share")
        if not printed or line["amount_yuan"] is None:
            continue
        bases = share_bases(doc, line)
        expected = next((b for b in bases if b["statement"] == line["statement"] and b["item"] == "total"), None)
        if expected is not None and share_matches(line["amount_yuan"], expected["amount_yuan"], printed):
            continue
        found = next((b for b in bases if share_matches(line["amount_yuan"], b["amount_yuan"], printed)), None)
        on_expected = (f"按{expected['label']}{wan(expected['amount_yuan'])}万元应为"
                       f"{share_text(line['amount_yuan'], expected['amount_yuan'], printed)}") if expected else "无本表总数可比"
        on_expected_en = (f"on {wan(expected['amount_yuan'])} ({expected['statement']} total) it is "
                          f"{share_text(line['amount_yuan'], expected['amount_yuan'], printed)}") if expected else "no total to compare"
        if found:
            doc.add("stated_share", "warning", line["statement"],
                    f"{short_label(line)}{wan(line['amount_yuan'])}万元印为占{printed}，是以{found['label']}"
                    f"{wan(found['amount_yuan'])}万元为基数计算的；{on_expected}",
                    f"{line['label']} {wan(line['amount_yuan'])}: the printed {printed} is computed on "
                    f"{wan(found['amount_yuan'])} ({found['statement']}/{found['item']}), not on its own total; "
                    f"{on_expected_en}",
                    expected["amount_yuan"] if expected else None, found["amount_yuan"], [line, found, expected])
        else:
            doc.add("stated_share", "error", line["statement"],
                    f"{short_label(line)}{wan(line['amount_yuan'])}万元印为占{printed}，文中没有任何数额能作为基数得出该占比；"
                    f"{on_expected}",
                    f"{line['label']} {wan(line['amount_yuan'])}: no amount in the document reproduces the printed "
                    f"share {printed}; {on_expected_en}",
                    expected["amount_yuan"] if expected else None, None, [line, expected])


def format_finding(finding):
    """One line for `cnbudget check` text output."""
    return (f"{finding['severity']:<8} {finding['rule']:<28} 行 {finding['source_lines'] or '-':<12} "
            f"{finding['message_zh']}")
