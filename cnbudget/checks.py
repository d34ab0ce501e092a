"""Audit findings: does a disclosure agree with itself?

`check_extraction(result)` takes one `extract_file` result (its budget_lines and stated_changes
records, never a template's titles) and reconciles it at every level the document states: income
sources and the total, basic + project, 项 to 类 and 类 to the total, personnel + public-use, the
“三公” parts, procurement parts, performance projects; stated changes against the base the sentence
names (cnbudget.audit.changes); printed shares (cnbudget.audit.shares); a 决算's own identities
(cnbudget.audit.finals; budget identities are never applied to a 决算, a 决算 line never summed with
a budget line); names and codes (cnbudget.audit.names); the document repeating itself
(cnbudget.audit.repeats); the appendix tables (cnbudget.crosschecks). One defect is one finding: its
echoes are listed, not counted (cnbudget.audit.grouping). It never changes a figure. A finding (the
`findings` table) has:

- `document_id`, `finding_id` (1.. in rule order), `rule` (stable id, see RULES), `statement`;
- `severity`: `error` (错误), `warning` (提示: a convention rather than an identity, e.g. a share
  printed on another base), or `rounding` (尾差: a gap within the printed figures' rounding);
  `severity_zh` the same in Chinese;
- `message_zh`, `message_en`;
- `expected_yuan`: the whole the document prints (a total, or the base a share should use);
  `actual_yuan`: what its parts add up to (or the base that reproduces the printed share);
- `source_lines`, `line_ids` and `pages`: the source lines, budget_lines and PDF pages involved, "12;45";
- `echoes`: where the same defect shows again (a row error echoed up its 类 and across tables).
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from cnbudget.audit import changes, finals, grouping, names, repeats, shares
from cnbudget.audit.common import SEVERITY_ZH, amounts_in, fen, gap_severity, is_final, step_fen, yuan
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
    "economic_classes_total": "说明所列经济分类各“类”之和 = 所列总数",
    "personnel_public_basic": "人员经费 + 公用经费 = 基本支出",
    "three_public_parts": "“三公”经费各项之和 = “三公”经费总数",
    "three_public_vehicles": "公务用车购置费 + 运行维护费 = 公务用车购置及运行维护费",
    "procurement_parts": "政府采购货物、工程、服务之和 = 政府采购总数",
    "performance_projects": "各绩效项目之和 = 绩效目标管理项目资金",
    "performance_project_spending": "绩效目标管理项目资金 = 项目支出",
    "stated_prior_change": "原文上年数 + 原文增减额 = 本年数",
    "stated_share": "原文占比以句中所称基数计算",
    "share_breakdown_total": "同一构成的各项占比之和 = 100%",
    "stated_change_pct": "原文增减幅度 = 增减额 / 句中所称基数（上年预算数、执行数或决算数）",
    "stated_change_year": "比较年度为上一年度",
    "stated_zero_change": "为0的数额不称增减，称持平的两个数相等",
    "stated_direction": "增减方向（及其原因）与数额一致",
    "stated_change_conflict": "同一项目对同一基数的增减表述一致",
    "restated_figure": "同一数额在文中各处一致",
    "final_identity": "决算：本年收入 + 年初结转和结余 = 本年支出 + 年末结转和结余（+ 结余分配）",
    "completion_rate": "决算完成率 = 决算数 / 年初预算数（年初预算为0时无完成率）",
    "function_name": "科目名称为该编码当年的正式名称",
    "function_code_unknown": "科目编码存在",
    "function_levels_swapped": "类、款、项名称各在其位",
    "repeated_lines": "同一表格不重复印出（重复的只计一次）",
    "empty_note_with_values": "注明为空表的表格不印数额",
    "copied_note": "原因说明、表注针对本科目、本表、本年度，而非照抄其他科目、其他表或上年",
    "empty_reason": "写了“主要原因是”就写出原因",
    "narrative_vs_table": "说明中的数额 = 附表中的数额",
    "agency_operating_vs_basic": "机关运行经费不超过基本支出中的公用经费",
    "table_three_public_parts": "附表“三公”经费各项之和 = 合计",
    "table_vs_overview": "各附表合计 = 收支总表所列",
    "table_total_vs_rows": "附表合计行 = 各类之和",
    "table_row_columns": "附表每行合计 = 各列之和",
    "table_row_parts": "附表“类” = 各“款”之和，“款” = 各“项”之和",
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
    label = line.get("label") or ""
    for level in ("项", "款"):
        mark = f"（{level}）"
        if label.endswith(mark):
            head = label[: -len(mark)]
            return head[head.rfind("）") + 1:] + mark
    return label


class Document:
    """Budget lines of one document, indexed for the rules."""

    def __init__(self, result):
        self.document = result["document"]
        self.id = self.document["document_id"]
        self.fiscal_year = self.document.get("fiscal_year")
        # Every line once: a table printed twice keeps its first printing (cnbudget.audit.repeats). A line
        # without a phase is the document's own figure: 决算 in a 决算, budget otherwise (copies; the
        # records themselves are never changed).
        default = "final" if is_final(self.document) else "budget"
        lines = [l if l.get("phase") else {**l, "phase": default} for l in result["budget_lines"]]
        self.all_lines, self.repeats = repeats.unique_table_lines(lines)
        # The narrative's figures; appendix tables (table_name set) are reconciled with the text by
        # cnbudget.crosschecks, and repeat each figure across several tables.
        self.lines = [line for line in self.all_lines if not line.get("table_name")]
        self.by_id = {line["line_id"]: line for line in lines}
        self.stated_changes = result.get("stated_changes", [])
        self.warnings = result.get("warnings", [])
        self.section_texts = [s.get("text") or "" for s in result.get("sections", [])]
        self.findings = []

    def first(self, statement, item):
        """The first line with this statement and item (a list repeats figures: the first states it)."""
        return next((l for l in self.lines if l["statement"] == statement and l["item"] == item), None)

    def in_phase(self, parts, phase):
        """Each part in the total's phase: its twin of that phase when a part is of another (年初预算 vs 决算)."""
        out = []
        for part in parts:
            if part.get("phase") != phase:
                part = next((l for l in self.lines if l["statement"] == part["statement"] and l["item"] == part["item"]
                             and l.get("phase") == phase), None)
            if part is not None and all(part is not kept for kept in out):  # a 项 printed with both figures: once
                out.append(part)
        return out

    def where(self, statement, test):
        return [l for l in self.lines if l["statement"] == statement and test(l)]

    def add(self, rule, severity, statement, message_zh, message_en, expected, actual, lines, extra_sources=(),
            records=(), key=None, gap=None, codes=(), where=None):
        """Record a finding; amounts in 元. `records` (stated changes, warnings) add their lines and pages."""
        lines = sorted({l["line_id"]: l for l in lines if l and l.get("line_id")}.values(), key=lambda l: l["line_id"])
        others = [r for r in [*records, *(l for l in lines)] if r]
        sources = ({l["source_line"] for l in others if l.get("source_line")} | {s for s in extra_sources if s})
        pages = {r["page"] for r in others if r.get("page")}
        self.findings.append({
            "document_id": self.id, "finding_id": len(self.findings) + 1, "rule": rule,
            "severity": severity, "severity_zh": SEVERITY_ZH[severity], "statement": statement,
            "message_zh": message_zh, "message_en": message_en,
            "expected_yuan": expected, "actual_yuan": actual,
            "source_lines": ";".join(str(s) for s in sorted(sources)),
            "line_ids": ";".join(str(l["line_id"]) for l in lines),
            "pages": ";".join(str(p) for p in sorted(pages)), "echoes": None,
            "_key": key, "_gap": gap, "_codes": codes, "_where": where,
            "_totals": {l["line_id"] for l in lines if str(l.get("item") or "").startswith("total")},
        })

    def report(self, rule, severity, statement, message_zh, message_en, expected_fen, actual_fen, lines,
               records=(), key=None, gap=None, codes=(), where=None):
        """Record a finding whose amounts are in 分 (the audit rules' unit); stored in 元."""
        self.add(rule, severity, statement, message_zh, message_en, yuan(expected_fen), yuan(actual_fen),
                 [l for l in lines if l and "line_id" in l], records=[*records, *(l for l in lines if l and "line_id" not in l)],
                 key=key, gap=gap, codes=codes, where=where)

    def finish(self):
        """The findings, one per defect (echoes folded in), numbered 1.. in rule order."""
        merged = grouping.merge(self.findings)
        return [{**f, "finding_id": n, "severity_zh": SEVERITY_ZH[f["severity"]]} for n, f in enumerate(merged, 1)]

    def reconcile(self, rule, statement, total, parts, what_zh, what_en):
        """Compare a printed whole with the sum of its printed parts; record a finding when they differ."""
        if total is None or not parts or total["amount_yuan"] is None:
            return
        if any(p["amount_yuan"] is None for p in parts):
            return
        parts = self.in_phase(parts, total.get("phase"))  # never a 决算 line summed with a budget line
        if not parts:
            return
        actual_fen, expected_fen = sum(fen(p) for p in parts), fen(total)
        gap_fen = actual_fen - expected_fen
        actual, expected = yuan(actual_fen), yuan(expected_fen)
        gap = actual - expected
        if gap_fen == 0 or unread_part(total, parts, gap, self.section_texts):
            return
        if max(step_fen(l) for l in (total, *parts)) < 100:  # printed to the 分: exact but for its last digit
            severity = gap_severity(gap_fen, [total, *parts])
            if gap_fen % 100:
                return self.add(rule, severity, statement,
                                f"{what_zh}：各项之和为{Decimal(actual_fen) / 100:,.2f}元，{total['label']}为"
                                f"{Decimal(expected_fen) / 100:,.2f}元，相差{Decimal(gap_fen) / 100:,.2f}元",
                                f"{what_en}: parts sum to {Decimal(actual_fen) / 100:,.2f} yuan, the document states "
                                f"{Decimal(expected_fen) / 100:,.2f} yuan", expected, actual, [total, *parts])
        else:
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


def unread_part(total, parts, gap, section_texts=()):
    """The sentence of the total prints the missing amount itself, beside the parts that were read: a part
    the reader missed (e.g. 政府采购服务类预算), not a defect of the document."""
    if gap >= 0 or len(parts) < 2:
        return False
    read = {fen(p) for p in parts}
    texts = {l.get("source_text") or "" for l in (total, *parts)}  # a sentence may run over two lines
    texts |= {to_full_stop(text, section_texts) for text in texts}
    return any(abs(amount + gap * 100) <= 100 and amount not in read and amount != fen(total)
               and not re.search(r"(增加|减少|增长|下降|比上年|上年)\s*$", text[max(0, at - 6):at])
               for text in texts for amount, at in amounts_in(text))


def to_full_stop(text, section_texts):
    """A clause ('…占比0.7%；') with the rest of its sentence, up to the 。 (the next line of its section)."""
    for section in section_texts:
        at = section.find(text) if text else -1
        if at >= 0:
            end = section.find("。", at + len(text) - 1)
            return section[at:end + 1 if end >= 0 else len(section)]
    return text


def check_extraction(result):
    """All findings of one extracted document, in rule order."""
    from cnbudget.crosschecks import crosscheck  # the appendix tables, by table kind

    doc = Document(result)
    for check in (check_income, check_basic_project, check_balance, check_function_classes,
                  check_function_items, check_economic_classes, check_basic, check_three_public, check_procurement,
                  check_performance, shares.check_shares, changes.check_stated_changes, check_stated_prior,
                  finals.check_final_identity, finals.check_completion_rates, names.check_names,
                  repeats.check_repeats, repeats.check_reasons, crosscheck):
        check(doc)
    return doc.finish()


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
    """Department budgets balance: income total = expenditure total = overview total (not a 决算: carry-overs)."""
    if is_final(doc.document):
        return
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
            # Only the list's next figure: a 项目支出 of a later paragraph (财政拨款支出) is not a part of it.
            last_class = max(l["line_id"] for l in classes)
            parts += doc.where(statement, lambda l: l["item"] == "project" and l["line_id"] == last_class + 1)
        before = len(doc.findings)
        doc.reconcile("function_classes_total", statement, total, parts,
                      f"{STATEMENTS[statement][0]}按功能分类", f"{statement}: function classes vs total")
        for finding in doc.findings[before:]:
            explain_omitted_fund(doc, statement, finding, len(parts))
            # The same classes missing by the same amount in two lists (支出预算, 一般公共预算当年拨款): one defect.
            codes = ",".join(sorted(l["function_code"] or "" for l in classes))
            finding["_key"] = ("classes", codes, finding["actual_yuan"] - finding["expected_yuan"], finding["severity"])
            finding["_where"] = finding["message_zh"]


def one_spending_total(doc):
    """The narrative states one spending total (no 财政拨款 total beside it): the 项 it lists are of
    that spending, so its 类 list is their whole. With two (总支出 and 财政拨款支出总计), which the 项
    belong to cannot be told."""
    totals = {fen(l) for l in doc.lines if l["item"] == "total" and fen(l)
              and l["statement"] in ("expenditure", "fiscal_appropriation", "general_budget")}
    return len(totals) <= 1


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
    classes = function_classes(doc, "general_budget") or (
        function_classes(doc, "expenditure") if one_spending_total(doc) else [])
    before = len(doc.findings)
    for cls in classes:
        parts = [i for i in items if i["function_code"].startswith(cls["function_code"])]
        doc.reconcile("function_items_class", "function_class", cls, parts,
                      f"“类”{cls['label']}（{cls['function_code']}）", f"items of class {cls['function_code']}")
    class_errors = [f for f in doc.findings[before:] if f["severity"] == "error"]
    before = len(doc.findings)
    doc.reconcile("function_items_total", "function_class", doc.first("general_budget", "total"), items,
                  "一般公共预算当年拨款按“项”", "all items vs general-budget total")
    explained = sum(f["actual_yuan"] - f["expected_yuan"] for f in class_errors)
    for finding in doc.findings[before:]:
        if class_errors and abs(finding["actual_yuan"] - finding["expected_yuan"] - explained) <= \
                ROUNDING_YUAN_PER_LINE * len(items):
            # The grand total misses by the classes' own gaps (plus rounding): their echo, not another defect.
            key = class_errors[0]["_key"] or ("items", class_errors[0]["line_ids"])
            class_errors[0]["_key"] = finding["_key"] = key
            finding["_where"] = f"一般公共预算当年拨款按“项”合计（{finding['message_zh'].split('：', 1)[1]}）"


def check_economic_classes(doc):
    """A list of economic classes ('支出6,210.93万元，其中：（1）工资福利支出（301）3,249.39万元；…') adds up to
    the figure it follows, for each classification printed (部门预算 30x, 政府预算 50x). The two lists split
    the same spending: the same gap in both is one defect."""
    for family in ("3", "5"):
        listed = doc.where("economic_class", lambda l: str(l["item"]).isdigit() and len(str(l["item"])) == 3
                           and str(l["item"]).startswith(family))
        if len(listed) < 2:
            continue
        first = min(listed, key=lambda l: l["line_id"])
        total = doc.by_id.get(first["line_id"] - 1)  # the figure the list follows
        if total is None or total.get("table_name") or not str(total.get("item") or "").startswith("total"):
            continue
        parts, line_id = [], first["line_id"]
        while (line := doc.by_id.get(line_id)) is not None and line["statement"] == "economic_class" \
                and not line.get("table_name"):
            parts += [line] if line in listed else []
            line_id += 1
        before = len(doc.findings)
        doc.reconcile("economic_classes_total", total["statement"], total, parts,
                      f"{total['label']}按经济分类", f"{total['statement']}: economic classes vs total")
        for finding in doc.findings[before:]:
            finding["_key"] = ("economic_classes", fen(total), finding["actual_yuan"] - finding["expected_yuan"])


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
    if total and "不涉及" in (total.get("source_text") or "") and not total["amount_yuan"]:
        return  # '无…项目，不涉及绩效目标设置': says which projects carry none, not a total to compare
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
        if not changes.linked(change, line):
            continue
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
                    line["amount_yuan"], prior + delta, [line], [change.get("source_line")],
                    records=[change], key=("change", change.get("change_id")))


# The share rules moved to cnbudget.audit.shares; share_matches stays importable from here.
share_matches = shares.share_matches


def format_finding(finding):
    """One line for `cnbudget check` text output: 级别, rule, 页, 行, the message (and its echoes)."""
    page = f"第{finding['pages']}页 " if finding.get("pages") else ""
    echoes = f"（同一问题另见：{finding['echoes']}）" if finding.get("echoes") else ""
    return (f"{SEVERITY_ZH[finding['severity']]} {finding['rule']:<28} {page}行 {finding['source_lines'] or '-'} "
            f"{finding['message_zh']}{echoes}")


def summary_line(findings):
    """'共 N 条：错误 a，提示 b，尾差 c', or '未发现问题'."""
    if not findings:
        return "未发现问题"
    counts = {s: sum(f["severity"] == s for f in findings) for s in ("error", "warning", "rounding")}
    return (f"共 {len(findings)} 条：错误 {counts['error']}，提示 {counts['warning']}，尾差 {counts['rounding']}")
