"""The citizen's pages: one per unit (部门), one per document, and a document's 类→款→项 drill-down.

Every figure is the first one the document prints for its (statement, item), in 万元 with the exact
元 on hover and a link to its page of the original; nothing is recomputed or corrected.
"""

from urllib.parse import quote, unquote

from datasette.utils.asgi import NotFound, Response

from cnbudget.numbers import fen_to_yuan, format_money
from cnbudget.site.charts import CURRENT_PHASES, bars, function_tree
from cnbudget.site.labels import VOCABULARIES

# The headline figures of a disclosure: (heading, statement, items in order of preference, indent).
# Keyed on the statement and item the readers emit, never on a template.
KEY_FIGURES = [
    ("收入总计", "income", ["total"], 0),
    ("支出总计", "expenditure", ["total"], 0),
    ("基本支出", "expenditure", ["basic", "total:basic"], 1),
    ("项目支出", "expenditure", ["project", "total:project"], 1),
    ("财政拨款收支总计", "fiscal_appropriation", ["total"], 0),
    ("一般公共预算当年拨款", "general_budget", ["total"], 0),
    ("“三公”经费", "three_public", ["total"], 0),
    ("因公出国（境）费", "three_public", ["overseas_travel"], 1),
    ("公务用车购置及运行维护费", "three_public", ["vehicles"], 1),
    ("公务用车购置费", "three_public", ["vehicle_purchase"], 2),
    ("公务用车运行维护费", "three_public", ["vehicle_operation"], 2),
    ("公务接待费", "three_public", ["reception"], 1),
    ("机关运行经费", "agency_operating", ["total"], 0),
    ("政府采购", "procurement", ["total"], 0),
]
KEY_STATEMENTS = sorted({statement for _, statement, _, _ in KEY_FIGURES})
KEY_ITEMS = sorted({item for _, _, items, _ in KEY_FIGURES for item in items})

LINE_COLUMNS = ("statement, item, label, function_code as code, function_level as level, amount_fen, amount_text, "
                "expense_type, fund_source, phase, page, source_line, line_id")


def unit_url(unit_name):
    return "/unit/" + quote(unit_name, safe="")


def document_url(document_id):
    return "/document/" + quote(document_id, safe="")


def functions_url(document_id, code=None):
    return document_url(document_id) + "/functions" + (f"?code={quote(code)}" if code else "")


def source_url(document, page=None):
    """Link to the served original (`/-/sources/<file>`), at its page for a PDF."""
    if not document.get("source_file"):
        return None
    url = "/-/sources/" + quote(document["source_file"])
    if page and document["source_file"].lower().endswith(".pdf"):
        url += f"#page={page}"
    return url


def in_list(names, prefix):
    """`:p0, :p1, …` placeholders and their params for an IN list."""
    params = {f"{prefix}{i}": name for i, name in enumerate(names)}
    return ", ".join(f":{key}" for key in params), params


def figure(line, document, heading=None, indent=0):
    """A figure ready for a template: heading, 万元 text, exact 元, link to the original."""
    amount = fen_to_yuan(line["amount_fen"]) if line and line["amount_fen"] is not None else None
    return {
        "heading": heading or (line and line["label"]), "indent": indent, "line": line,
        "wan": format_money(amount) if amount is not None else None,
        "yuan": format_money(amount, unit="元", places=2 if amount % 1 else 0) if amount is not None else None,
        "amount_yuan": amount, "printed": line["amount_text"] if line else None,
        "source": source_url(document, line["page"]) if line else None,
    }


async def key_figures(db, document):
    """The headline figures of one document, as printed (first line of each statement and item)."""
    statements, p1 = in_list(KEY_STATEMENTS, "s")
    items, p2 = in_list(KEY_ITEMS, "i")
    rows = await db.execute(
        f"select {LINE_COLUMNS} from budget_lines where document_id = :doc and statement in ({statements}) "
        f"and item in ({items}) order by line_id",
        {"doc": document["document_id"], **p1, **p2},
    )
    first = {}
    for row in rows:
        if row["phase"] in CURRENT_PHASES and row["amount_fen"] is not None:
            first.setdefault((row["statement"], row["item"]), dict(row))
    figures = []
    for heading, statement, wanted, indent in KEY_FIGURES:
        line = next((first[(statement, item)] for item in wanted if (statement, item) in first), None)
        figures.append(figure(line, document, heading, indent))
    return figures


async def function_lines(db, document_id):
    rows = await db.execute(
        f"select {LINE_COLUMNS} from budget_lines where document_id = :doc and function_code is not null "
        "and statement in ('expenditure', 'function_class', 'general_budget', 'fiscal_appropriation') order by line_id",
        {"doc": document_id},
    )
    return [dict(r) for r in rows]


async def get_document(db, document_id):
    row = (await db.execute("select * from documents where document_id = :doc", {"doc": document_id})).first()
    if row is None:
        raise NotFound(f"没有这份文件：{document_id}")
    return dict(row)


def kind_label(document):
    """'2023年部门预算' — the column heading of a document on its unit's page."""
    return f"{document['fiscal_year']}年{document['kind']}"


async def render(datasette, request, template, context):
    html = await datasette.render_template(template, context, request=request, view_name="cnbudget")
    ttl = datasette.setting("default_cache_ttl")
    return Response.html(html, headers={"cache-control": f"max-age={ttl}"} if ttl else {})


async def document_page(datasette, request, db):
    """/document/<id>: headline figures, 类 chart, basic/project chart, stated changes with reasons, findings."""
    document = await get_document(db, unquote(request.url_vars["document_id"]))
    doc = document["document_id"]
    figures = await key_figures(db, document)
    _nodes, roots = function_tree(await function_lines(db, doc))
    by_type = [f for f in figures if f["heading"] in ("基本支出", "项目支出") and f["amount_yuan"] is not None]
    changes = [dict(r) for r in await db.execute(
        "select label, direction, change_yuan, change_text, reason_text, prior_year, page, source_line "
        "from stated_changes where document_id = :doc order by change_id", {"doc": doc})]
    findings = [dict(r) for r in await db.execute(
        "select finding_id, severity, rule, message_zh from findings where document_id = :doc order by finding_id",
        {"doc": doc})] if await db.table_exists("findings") else []
    siblings = [dict(r) for r in await db.execute(
        "select document_id, fiscal_year, kind from documents where unit_name = :unit order by fiscal_year, kind",
        {"unit": document["unit_name"]})]
    context = {
        "document": document, "figures": figures, "database": db.name,
        "function_bars": bars([{"label": f"{n['label']}", "code": n["code"], "amount_yuan": n["amount_yuan"],
                                "url": functions_url(doc, n["code"]) if n["children"] else None} for n in roots]),
        "type_bars": bars([{"label": f["heading"], "amount_yuan": f["amount_yuan"]} for f in by_type]),
        "changes": [dict(c, direction_label=VOCABULARIES["direction"].get(c["direction"], c["direction"]),
                         change=format_money(abs(c["change_yuan"])) if c["change_yuan"] is not None else None,
                         source=source_url(document, c["page"])) for c in changes],
        "findings": [dict(f, severity_label=VOCABULARIES["severity"].get(f["severity"], f["severity"]))
                     for f in findings],
        "source": source_url(document), "unit_url": unit_url(document["unit_name"]),
        "functions_url": functions_url(doc), "siblings": [dict(s, url=document_url(s["document_id"]),
                                                               label=kind_label(s)) for s in siblings],
    }
    return await render(datasette, request, "cnb_document.html", context)


async def functions_page(datasette, request, db):
    """/document/<id>/functions?code=201: one level of the 类→款→项 tree as bars, each linking one level down."""
    document = await get_document(db, unquote(request.url_vars["document_id"]))
    doc = document["document_id"]
    nodes, roots = function_tree(await function_lines(db, doc))
    code = request.args.get("code")
    node = nodes.get(code) if code else None
    if code and node is None:
        raise NotFound(f"这份文件没有印出科目 {code}")
    children = node["children"] if node else roots
    path = []
    while node:
        path.insert(0, node)
        parent = next((n for n in nodes.values() if node in n["children"]), None)
        node = parent
    context = {
        "document": document, "database": db.name, "path": [dict(p, url=functions_url(doc, p["code"]), wan=format_money(p["amount_yuan"]),
                       yuan=format_money(p["amount_yuan"], unit="元", places=0)) for p in path],
        "root_url": functions_url(doc), "document_url": document_url(doc), "unit_url": unit_url(document["unit_name"]),
        "bars": bars([{"label": c["label"], "code": c["code"], "level": c["level"], "amount_yuan": c["amount_yuan"],
                       "url": functions_url(doc, c["code"]) if c["children"] else None,
                       "source": source_url(document, c["page"])} for c in children]),
        "statement_title": VOCABULARIES["statement"].get(children[0]["statement"]) if children else None,
    }
    return await render(datasette, request, "cnb_functions.html", context)


async def budget_vs_actual(db, ids, params):
    """The unit's 预算 and 决算 of one year side by side, line by line (the budget_vs_actual table), in 万元."""
    if not await db.table_exists("budget_vs_actual"):
        return []
    rows = [dict(r) for r in await db.execute(
        "select fiscal_year, statement_title, function_code, label, budget_yuan, final_yuan, difference_yuan, "
        "execution_pct, reason_text, final_document_id, final_page "
        f"from budget_vs_actual where final_document_id in ({ids}) order by fiscal_year desc, final_document_id, "
        "rowid", params)]
    for r in rows:
        r.update({name: format_money(r[f"{name}_yuan"]) if r[f"{name}_yuan"] is not None else "—"
                  for name in ("budget", "final", "difference")},
                 rate="—" if r["execution_pct"] is None else f"{r['execution_pct']:.2f}%")
    return rows


async def unit_page(datasette, request, db):
    """/unit/<name>: the unit's documents side by side (budget and 决算 of a year adjacent), changes with reasons."""
    unit = unquote(request.url_vars["unit"])
    documents = [dict(r) for r in await db.execute(
        "select * from documents where unit_name = :unit order by fiscal_year, kind desc", {"unit": unit})]
    if not documents:
        raise NotFound(f"没有这个单位：{unit}")
    columns = []
    for document in documents:
        columns.append({"document": document, "label": kind_label(document), "url": document_url(document["document_id"]),
                        "figures": await key_figures(db, document)})
    rows = [{"heading": heading, "indent": indent, "cells": [c["figures"][i] for c in columns]}
            for i, (heading, _s, _items, indent) in enumerate(KEY_FIGURES)]
    rows = [r for r in rows if any(cell["wan"] is not None for cell in r["cells"])]
    series = bars([{"label": c["label"], "amount_yuan": c["figures"][1]["amount_yuan"]}
                   for c in columns if c["figures"][1]["amount_yuan"] is not None])
    ids, params = in_list([d["document_id"] for d in documents], "d")
    by_id = {d["document_id"]: d for d in documents}
    changes = [dict(r) for r in await db.execute(
        "select document_id, fiscal_year, prior_year, label, direction, change_yuan, change_text, reason_text, page "
        f"from stated_changes where document_id in ({ids}) order by fiscal_year desc, change_id", params)]
    computed = []
    if await db.table_exists("changes"):
        computed = [dict(r) for r in await db.execute(
            "select c.statement_title, c.label, c.kind, c.old_yuan, c.new_yuan, c.change_yuan, c.change_pct, "
            "c.basis, c.new_document_id, c.old_document_id, s.reason_text "
            "from changes c left join stated_changes s on s.document_id = c.new_document_id "
            "and s.statement = c.statement and s.item = c.item "
            f"where c.new_document_id in ({ids}) and c.kind = 'changed' and c.function_code is null "
            "group by c.change_id order by abs(c.change_yuan) desc limit 30", params)]
    for c in changes:
        c.update(direction_label=VOCABULARIES["direction"].get(c["direction"], c["direction"]),
                 change=format_money(abs(c["change_yuan"])) if c["change_yuan"] is not None else None,
                 source=source_url(by_id[c["document_id"]], c["page"]))
    for c in computed:
        c.update(old=format_money(c["old_yuan"]) if c["old_yuan"] is not None else "—",
                 new=format_money(c["new_yuan"]) if c["new_yuan"] is not None else "—",
                 change=format_money(c["change_yuan"]) if c["change_yuan"] is not None else "—",
                 basis_label=VOCABULARIES["basis"].get(c["basis"], c["basis"]))
    context = {
        "unit": unit, "documents": documents, "columns": columns, "rows": rows, "series": series,
        "changes": changes, "computed": computed, "executed": await budget_vs_actual(db, ids, params),
        "database": db.name,
        "region": documents[-1]["region"], "has_final": any("决算" in d["kind"] for d in documents),
    }
    return await render(datasette, request, "cnb_unit.html", context)
