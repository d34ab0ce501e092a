"""The budget site as a Datasette plugin: Chinese pages per unit and document, search, downloads, charts.

Registered through the `datasette` entry point in pyproject.toml; Datasette finds templates/ and
static/ beside this file. The hooks stay here; each concern lives in its own module:
pages (unit, document, drill-down), search, downloads, charts, labels (Chinese for every code and
column), settings (how `cnbudget serve` runs Datasette).
"""

from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response, asgi_static

from cnbudget.load import VIEW_COLUMNS, VIEWS
from cnbudget.numbers import fen_to_yuan, format_money
from cnbudget.site import downloads, labels, pages, search
from cnbudget.site.charts import bars, year_totals_same_units
from cnbudget.site.settings import SERVE_SETTINGS  # noqa: F401 (the one place serve settings live)

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
STATIC_PREFIX = "/-/cnbudget-static/"

# Re-exported for tests and benchmarks that tune the search plans.
rewrite_search = search.rewrite_search


def wrap_app(app):
    """ASGI middleware: searches rewritten on the way in, BOM on CSV downloads on the way out."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        query_string = scope.get("query_string", b"")
        if b"_search" in query_string:
            scope = dict(scope, query_string=search.rewrite_search(query_string))
        state = {"bom": False}

        async def send_with_bom(message):
            if message["type"] == "http.response.start" and downloads.is_csv(message.get("headers", [])):
                state["bom"] = True
                message = dict(message, headers=downloads.with_bom_length(message["headers"]))
            elif message["type"] == "http.response.body" and state["bom"]:
                state["bom"] = False
                message = dict(message, body=downloads.BOM + message.get("body", b""))
            await send(message)

        await app(scope, receive, send_with_bom)

    return wrapped


@hookimpl
def asgi_wrapper(datasette):
    return wrap_app


@hookimpl
def filters_from_request(request, database, table, datasette):
    if not request.args.get(search.SEARCH_ARG):
        return None

    async def inner():
        return await search.table_filter(datasette, request, database, table)

    return inner


@hookimpl
def render_cell(value, column, table, database, datasette):
    return labels.render_value(table, column, value)


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "xlsx", "render": downloads.render_xlsx, "can_render": downloads.can_render_xlsx}


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters["cnb_ordered"] = labels.ordered
    env.filters["cnb_csv"] = downloads.csv_download_url
    env.filters["cnb_op"] = labels.operator_label
    env.filters["cnb_crumb"] = lambda label: crumb_label(datasette, label)
    env.filters["cnb_filter_text"] = labels.filter_text
    env.filters["cnb_label"] = lambda value, table, column: labels.label_for(table, column, value) or value


def crumb_label(datasette, label):
    """A breadcrumb in Chinese: 首页, or the title metadata.yml gives a database or table."""
    if label == "home":
        return "首页"
    metadata = datasette.metadata() or {}
    for name, database in (metadata.get("databases") or {}).items():
        if label == name:
            return database.get("title", label)
        table = (database.get("tables") or {}).get(label)
        if table and table.get("title"):
            return table["title"]
    return label


def route(handler):
    """A page handler given the budget database (404 when none is attached)."""

    async def view(datasette, request):
        await datasette.ensure_permissions(request.actor, ["view-instance"])
        db = await budget_database(datasette)
        if db is None:
            return Response.text("尚未载入预算数据库", status=404)
        try:
            return await handler(datasette, request, db)
        except NotFound as error:  # answered here: Datasette's 404 would redirect %-encoded paths to ~-encoded ones
            return await not_found(datasette, request, str(error))

    return view


async def not_found(datasette, request, message):
    """A Chinese 404 page."""
    html = await datasette.render_template("error.html", {"title": "没有找到", "error": message, "status": 404},
                                           request=request)
    return Response.html(html, status=404)


@hookimpl
def register_routes():
    # Plugin routes come before Datasette's own, so "/" here replaces the default index page.
    return [
        (r"^/-/cnbudget-static/(?P<path>.*)$", asgi_static(STATIC_DIR)),
        (r"^/$", home),
        (r"^/unit/(?P<unit>[^/]+)$", route(pages.unit_page)),
        (r"^/document/(?P<document_id>[^/]+)$", route(pages.document_page)),
        (r"^/document/(?P<document_id>[^/]+)/functions$", route(pages.functions_page)),
        (r"^/search$", route(search_page)),
        (r"^/-/sources/(?P<path>.+)$", route(downloads.source_file)),
        (r"^/-/download/cnbudget-package\.zip$", downloads.package_zip),
    ]


@hookimpl
def extra_css_urls():
    return [STATIC_PREFIX + "cnbudget.css"]


def view_column_descriptions(datasette, database, view):
    """Descriptions of a disclosure view's columns: budget_lines' own, plus documents.unit_name."""
    lines = datasette.table_metadata(database, "budget_lines").get("columns") or {}
    documents = datasette.table_metadata(database, "documents").get("columns") or {}
    names = [c.strip().split(".")[-1] for c in VIEW_COLUMNS.split(",")]
    described = {**lines, "unit_name": documents.get("unit_name", "")}
    return {name: described[name] for name in names if described.get(name)}


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    """Chinese column titles for every page; disclosure views: their column descriptions; a document row: its page."""
    tables = (datasette.metadata("tables", database=database) or {}) if database else {}
    extra = {"column_titles": labels.column_titles(table), "cnb_table": table,
             "table_titles": {name: meta.get("title", name) for name, meta in tables.items()}}
    if view_name == "database":
        extra["table_column_titles"] = {name: labels.column_titles(name) for name in tables}
    if view_name == "table" and table in VIEWS:
        extra["view_columns"] = view_column_descriptions(datasette, database, table)
    if view_name == "row" and table == "documents" and request is not None:
        from datasette.utils import urlsafe_components

        extra["document_page"] = pages.document_url(urlsafe_components(request.url_vars["pks"])[0])
    return extra


# ---- home page ----------------------------------------------------------------------------

# The home page's grouped queries read every document once: on a large database they need more
# than a visitor's sql_time_limit_ms, and they run once per immutable database (at startup).
SUMMARY_TIME_LIMIT_MS = 60_000
HOME_UNITS = 60

DOCUMENT_TOTALS_SQL = """
    select d.document_id, d.unit_name, d.kind, d.fiscal_year,
      (select b.amount_fen from budget_lines b
       where b.document_id = d.document_id and b.statement = 'expenditure' and b.item = 'total'
         and coalesce(b.phase, 'budget') in ('budget', 'final') and b.amount_fen is not null
       order by b.line_id limit 1) as amount_fen
    from documents d
"""


async def site_summary(db):
    """Counts, the yearly total over the same units, and the units list (one pass over documents)."""
    documents = [dict(r) for r in await db.execute(DOCUMENT_TOTALS_SQL, custom_time_limit=SUMMARY_TIME_LIMIT_MS)]
    budgets = [{"unit": (d["unit_name"], d["kind"]), "year": d["fiscal_year"], "amount_fen": d["amount_fen"]}
               for d in documents if "预算" in d["kind"] and d["amount_fen"] is not None]
    # one figure per unit and year (a unit with two budget documents in a year keeps the first)
    seen, unique = set(), []
    for row in budgets:
        if (row["unit"], row["year"]) not in seen:
            seen.add((row["unit"], row["year"]))
            unique.append(row)
    years_chart, same_units = year_totals_same_units(unique)
    units = {}
    for d in sorted(documents, key=lambda d: (d["fiscal_year"], d["kind"])):
        unit = units.setdefault(d["unit_name"], {"name": d["unit_name"], "years": [], "latest": None})
        unit["years"].append(f"{d['fiscal_year']}{'决算' if '决算' in d['kind'] else ''}")
        if d["amount_fen"] is not None:
            unit["latest"] = {"year": d["fiscal_year"], "kind": d["kind"], "amount_fen": d["amount_fen"]}
    for unit in units.values():
        unit["url"] = pages.unit_url(unit["name"])
        if unit["latest"]:
            amount = fen_to_yuan(unit["latest"]["amount_fen"])
            unit["latest"].update(wan=format_money(amount), yuan=format_money(amount, unit="元", places=0))
    listed = sorted(units.values(), key=lambda u: -(u["latest"] or {}).get("amount_fen", 0))[:HOME_UNITS]
    years = sorted({d["fiscal_year"] for d in documents})
    summary = {
        "documents": len(documents), "units": len(units), "first_year": years[0] if years else None,
        "last_year": years[-1] if years else None, "finals": sum("决算" in d["kind"] for d in documents),
    }
    units_chart = bars([{"label": u["name"], "amount_yuan": fen_to_yuan(u["latest"]["amount_fen"]), "url": u["url"]}
                        for u in listed[:15] if u["latest"]])
    return {"summary": summary, "years_chart": bars(years_chart), "same_units": same_units,
            "units_listed": listed, "units_chart": units_chart}


async def site_links(datasette, db):
    """Home-page links with Chinese titles: tables, disclosure-table views, canned queries, bulk downloads."""
    tables_metadata = datasette.metadata("tables", database=db.name) or {}
    views = await db.view_names()
    hidden = set(await db.hidden_table_names())
    present = [t for t in await db.table_names() if t not in hidden] + views
    # metadata.yml's order first, then anything it does not describe
    names = [t for t in tables_metadata if t in present] + [t for t in present if t not in tables_metadata]
    links = {"tables": [], "views": [], "bulk": []}
    for name in names:
        meta = tables_metadata.get(name, {})
        if meta.get("hidden"):
            continue
        kind = "views" if name in views else "tables"
        url = datasette.urls.table(db.name, name)
        links[kind].append({"url": url, "title": meta.get("title", name), "description": meta.get("description", "")})
        if kind == "tables":
            links["bulk"].append({"title": meta.get("title", name), "name": name,
                                  "url": downloads.csv_download_url(url + ".csv?_size=max&_labels=off")})
    queries = await datasette.get_canned_queries(db.name, None)
    links["queries"] = [
        {"url": datasette.urls.query(db.name, name), "title": q.get("title", name),
         "description": q.get("description", "")}
        for name, q in queries.items()
    ]
    return links


async def budget_database(datasette):
    """The first attached database that holds budget_lines and documents, or None."""
    for db in datasette.databases.values():
        if db.name.startswith("_"):
            continue
        if await db.table_exists("budget_lines") and await db.table_exists("documents"):
            return db
    return None


async def budget_context(datasette):
    """Counts, chart data and links of the budget database; computed once per immutable database."""
    db = await budget_database(datasette)
    if db is None:
        return None
    cache = datasette.__dict__.setdefault("_cnbudget_cache", {})
    key = (db.name, db.hash)
    if db.hash and key in cache:
        return cache[key]
    budget = {"database": db.name, **await site_summary(db), **await site_links(datasette, db)}
    if db.hash:
        cache[key] = budget
    return budget


@hookimpl
def startup(datasette):
    """Compute the home page's summary and charts before the first visitor asks for them."""

    async def inner():
        await budget_context(datasette)

    return inner


async def home(datasette, request):
    """The Chinese home page. Replaces Datasette's index, which re-reads every table's details per view."""
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    context = {
        "budget": await budget_context(datasette),
        "metadata": datasette.metadata(),
        "databases": [{"name": name} for name in datasette.databases if not name.startswith("_")],
    }
    html = await datasette.render_template("index.html", context, request=request, view_name="index")
    ttl = datasette.setting("default_cache_ttl")
    return Response.html(html, headers={"cache-control": f"max-age={ttl}"} if ttl else {})


async def search_page(datasette, request, db):
    """/search?q=: figures and narrative text together, highlighted; a hint when nothing matches."""
    query = (request.args.get("q") or "").strip()
    lines, sections, counts = await search.search_site(db, query) if search.search_terms(query) else ([], [], {})
    for line in lines:
        line["document_url"] = pages.document_url(line["document_id"])
        line["row_url"] = datasette.urls.row(db.name, "budget_lines", f"{line['document_id']},{line['line_id']}")
    for section in sections:
        section["document_url"] = pages.document_url(section["document_id"])
    context = {"q": query, "lines": lines, "sections": sections, "counts": counts, "database": db.name,
               "table_search_url": datasette.urls.table(db.name, "budget_lines")}
    return await pages.render(datasette, request, "cnb_search.html", context)
