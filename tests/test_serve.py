"""The served site, asked through Datasette's test client: pages, seed figures, CSV bytes, search, limits.

The database is built once per session by cnbudget.load from a package freshly built from
datasets/sources (the `built_package` fixture), so these tests follow the current extractor.
"""

import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from datasette.app import Datasette
from datasette.plugins import pm

from cnbudget import site
from cnbudget.site import search
from cnbudget.cli import cli
from cnbudget.errors import InputError
from cnbudget.load import VIEWS, load_package
from cnbudget.schema import SCHEMAS
from tests.conftest import append_rows, copy_package

ROOT = Path(__file__).resolve().parent.parent
METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
DOC = "2023-panzhihua-xiqu-renda-budget"
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="session")
def db_path(built_package, tmp_path_factory):
    """build/cnbudget.db's twin in a temp folder, loaded from the freshly built package."""
    path = tmp_path_factory.mktemp("db") / "cnbudget.db"
    load_package(built_package, path)
    return path


def make_datasette(db_path, metadata=None, **settings):
    """The site as `make serve` runs it: immutable database, our metadata, settings and plugin."""
    if not pm.has_plugin("cnbudget.site") and site not in pm.get_plugins():
        pm.register(site, "cnbudget.site")
    return Datasette(
        immutables=[str(db_path)], metadata=metadata or METADATA,
        settings={**site.SERVE_SETTINGS, **settings},
    )


@pytest.fixture
def ds(db_path):
    return make_datasette(db_path)


async def get_rows(ds, path, **params):
    """Rows of a JSON endpoint as a list of dicts."""
    response = await ds.client.get(path, params={"_shape": "array", **params})
    assert response.status_code == 200, response.text
    return response.json()


# ---- load -----------------------------------------------------------------------------------

def test_load_creates_tables_keys_views_and_trigram_search(db_path):
    db = sqlite3.connect(db_path)
    tables = {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}
    assert set(SCHEMAS) <= tables
    assert {"budget_lines_fts", "sections_fts"} <= tables
    views = {row[0] for row in db.execute("select name from sqlite_master where type = 'view'")}
    assert views == set(VIEWS)
    fts_sql = db.execute("select sql from sqlite_master where name = 'budget_lines_fts'").fetchone()[0]
    assert "trigram" in fts_sql
    pk = [row[1] for row in sorted(db.execute("pragma table_info(budget_lines)"), key=lambda r: r[5]) if row[5]]
    assert pk == ["document_id", "line_id"]
    fks = {(row[3], row[2], row[4]) for row in db.execute("pragma foreign_key_list(budget_lines)")}
    assert fks == {("document_id", "documents", "document_id"), ("function_code", "function_codes", "code")}
    indexes = [
        [col[2] for col in db.execute(f"pragma index_info('{row[1]}')")]
        for row in db.execute("pragma index_list(budget_lines)")
    ]
    # filter columns first, then the primary key (the page order), so a filtered page needs no sort
    assert ["statement", "item", "document_id", "line_id"] in indexes
    assert ["fiscal_year", "document_id", "line_id"] in indexes
    # Integers stay integers: a code like 201 is text, an amount is an integer.
    assert db.execute(
        "select typeof(function_code), typeof(amount_yuan) from budget_lines where function_code = '201' limit 1"
    ).fetchone() == ("text", "integer")


def test_failed_load_keeps_the_last_good_database(built_package, tmp_path):
    good = tmp_path / "cnbudget.db"
    load_package(built_package, good)
    before = good.read_bytes()
    broken = copy_package(built_package, tmp_path / "broken")
    lines = (broken / "budget_lines.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",6446600,", ",six million,", 1) if ",6446600," in lines[3] else \
        re.sub(r"^([^,]*),\d+,", r"\1,x,", lines[3])
    (broken / "budget_lines.csv").write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_package(broken, good)
    assert error.value.line == 4
    assert good.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "cnbudget.db"]


def test_cli_load_reports_a_missing_package_in_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["load", "--package", str(tmp_path), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "datapackage.json" in result.output
    assert "Traceback" not in result.output


# ---- pages ----------------------------------------------------------------------------------

async def test_home_page_summarises_units_years_and_links_downloads(ds):
    response = await ds.client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="zh-CN">' in html and "<title>部门预算公开数据</title>" in html
    for text in ["部门预算公开数据", "金额单位", "万元", "图表", "各单位", "数据表", "常用查询", "历年收支总览",
                 "“三公”经费", "按功能分类支出", "预算数据", "一般公共预算支出表", "批量下载"]:
        assert text in html, text
    assert "目前收录 <strong>1</strong> 个单位的\n  <strong>1</strong> 份公开文件" in html
    units = html[html.index('id="chart-units"'):]
    assert '<a href="/unit/%E6%94%80%E6%9E%9D%E8%8A%B1%E5%B8%82%E8%A5%BF%E5%8C%BA%E4%BA%BA%E5%A4%A7">攀枝花市西区人大</a>' in units
    assert 'title="6,446,600元">644.66<small> 万元</small>' in units
    assert 'href="/-/download/cnbudget-package.zip"' in html
    assert 'href="/cnbudget/budget_lines.csv?_size=max&amp;_labels=off&amp;_dl=1&amp;_stream=1"' in html
    assert 'id="chart-years"' not in html  # one year: no yearly chart
    assert "/-/cnbudget-static/cnbudget.css" in html
    assert "http://" not in re.sub(r'href="[^"]*"', "", html)


async def test_stylesheet_is_served_locally(ds):
    response = await ds.client.get("/-/cnbudget-static/cnbudget.css")
    assert response.status_code == 200
    assert "WenQuanYi" in response.text


@pytest.mark.parametrize("name", list(SCHEMAS) + list(VIEWS))
async def test_every_table_and_view_has_a_chinese_page_and_json(ds, name):
    page = await ds.client.get(f"/cnbudget/{name}")
    assert page.status_code == 200
    title = METADATA["databases"]["cnbudget"]["tables"][name]["title"]
    assert f"<h1>{title}" in page.text
    data = await ds.client.get(f"/cnbudget/{name}.json", params={"_shape": "objects"})
    assert data.status_code == 200
    assert isinstance(data.json()["rows"], list)


# ---- seed figures by value --------------------------------------------------------------------

@pytest.mark.parametrize("statement, item, amount_yuan, amount_text", [
    ("overview", "total", 6446600, "644.66万元"),
    ("expenditure", "basic", 5696600, "569.66万元"),
    ("three_public", "reception", 5000, "0.5万元"),
    ("general_budget", "201", 4333500, "433.35万元"),
    ("basic_expenditure", "personnel", 5091600, "509.16万元"),
])
async def test_seed_figures_in_json(ds, statement, item, amount_yuan, amount_text):
    rows = await get_rows(ds, "/cnbudget/budget_lines.json", statement=statement, item=item, document_id=DOC)
    assert [(r["amount_yuan"], r["amount_text"]) for r in rows][:1] == [(amount_yuan, amount_text)]
    assert amount_text in rows[0]["source_text"]


async def test_foreign_keys_show_labels(ds):
    response = await ds.client.get(
        "/cnbudget/budget_lines.json", params={"_shape": "array", "_labels": "on", "item": "201", "statement": "general_budget"},
    )
    row = response.json()[0]
    assert row["document_id"] == {"value": DOC, "label": "攀枝花市西区人大2023年部门预算"}
    assert row["function_code"] == {"value": "201", "label": "一般公共服务支出"}


@pytest.mark.parametrize("view, item, amount_yuan", [
    ("disclosure_overview", "total", 6446600),
    ("disclosure_three_public", "reception", 5000),
    ("disclosure_general_budget", "201", 4333500),
    ("disclosure_basic_expenditure", "public_use", 605000),
    ("disclosure_government_fund", "total", 750000),
])
async def test_disclosure_views_reproduce_the_tables(ds, view, item, amount_yuan):
    rows = await get_rows(ds, f"/cnbudget/{view}.json", item=item)
    assert rows[0]["amount_yuan"] == amount_yuan
    assert rows[0]["unit_name"] == "攀枝花市西区人大"


# ---- CSV ------------------------------------------------------------------------------------

async def test_csv_download_link_has_a_bom_for_excel(ds):
    response = await ds.client.get("/cnbudget/budget_lines.csv", params={"_dl": "1", "item": "reception"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(BOM + b"document_id,line_id,")
    assert "公务接待费".encode("utf-8") in response.content


async def test_plain_csv_api_has_no_bom(ds):
    response = await ds.client.get("/cnbudget/budget_lines.csv", params={"item": "reception"})
    assert response.status_code == 200
    assert response.content.startswith(b"document_id,line_id,")
    assert BOM not in response.content


async def test_canned_query_csv_download_has_a_bom(ds):
    response = await ds.client.get("/cnbudget/three_public.csv", params={"_dl": "1", "unit": ""})
    assert response.content.startswith(BOM + b"unit_name,")


# ---- search ---------------------------------------------------------------------------------

@pytest.mark.parametrize("table, query, column, expected", [
    ("budget_lines", "人", "label", "人员经费"),          # 1 character: LIKE-style fallback
    ("budget_lines", "接待", "label", "公务接待费"),       # 2 characters: fallback
    ("budget_lines", "公务接待", "label", "公务接待费"),   # 4 characters: FTS5 trigram
    ("budget_lines", "公务 接待费", "label", "公务接待费"),  # mixed terms: fallback, all terms
    ("sections", "职责", "heading", "主要职责"),
    ("sections", "三公", "heading", "“三公”经费财政拨款预算安排情况说明"),
    ("sections", "机关运行经费", "heading", "机关运行经费"),
])
async def test_search_box_finds_short_and_long_chinese_queries(ds, table, query, column, expected):
    rows = await get_rows(ds, f"/cnbudget/{table}.json", _search=query)
    assert any(expected in r[column] for r in rows), [r[column] for r in rows]
    for row in rows:  # every hit really contains every term
        text = " ".join(str(v) for v in row.values() if isinstance(v, str))
        assert all(term in text for term in query.split())


async def test_short_search_page_keeps_the_query_in_the_box(ds):
    response = await ds.client.get("/cnbudget/budget_lines", params={"_search": "接待"})
    assert response.status_code == 200
    assert 'value="接待"' in response.text
    assert re.search(r"包含 “接待”（共 [1-9]\d* 条）", response.text)


async def test_long_search_page_shows_the_hit_count_from_the_index(ds):
    response = await ds.client.get("/cnbudget/budget_lines", params={"_search": "公务接待费"})
    assert 'value="公务接待费"' in response.text
    assert re.search(r"包含 “公务接待费”（共 [1-9]\d* 条）", response.text)


@pytest.mark.parametrize("query, rewritten", [
    ("_search=%E6%8E%A5%E5%BE%85", "_contains=%E6%8E%A5%E5%BE%85&_nocount=1"),
    ("_search=%E5%85%AC%E5%8A%A1%E6%8E%A5%E5%BE%85", "_contains=%E5%85%AC%E5%8A%A1%E6%8E%A5%E5%BE%85&_nocount=1"),
    ("_search=%E4%BA%BA&_searchmode=raw", "_search=%E4%BA%BA&_searchmode=raw"),
    ("_sort=line_id&_search=%E4%BA%BA", "_sort=line_id&_contains=%E4%BA%BA&_nocount=1"),
    ("_search=&_size=10", "_search=&_size=10"),
    ("statement=income", "statement=income"),
])
def test_rewrite_search(query, rewritten):
    assert site.rewrite_search(query.encode()).decode() == rewritten


@pytest.mark.parametrize("dense_hits", [0, 10**9])
async def test_both_search_plans_find_the_same_rows(ds, monkeypatch, dense_hits):
    monkeypatch.setattr(search, "DENSE_HITS", dense_hits)
    rows = await get_rows(ds, "/cnbudget/budget_lines.json", _search="公务接待", _col="label")
    assert [(r["line_id"], r["label"]) for r in rows if r["label"] == "公务接待费"] == \
        [(r["line_id"], r["label"]) for r in await get_rows(
            ds, "/cnbudget/budget_lines.json", label="公务接待费", _col="label")]
    assert len(rows) >= 2


# ---- queries, read-only, time limit -----------------------------------------------------------

async def test_canned_queries_by_value(ds):
    overview = await get_rows(ds, "/cnbudget/overview_by_year.json", unit="西区人大")
    assert overview == [{
        "unit_name": "攀枝花市西区人大", "fiscal_year": 2023, "kind": "部门预算",
        "total_yuan": 6446600, "income_yuan": 6446600, "expenditure_yuan": 6446600,
        "basic_yuan": 5696600, "project_yuan": 750000, "three_public_yuan": 5000, "document_id": DOC,
    }]
    three = await get_rows(ds, "/cnbudget/three_public.json", unit="")
    assert {r["label"]: r["amount_yuan"] for r in three if r["amount_yuan"] is not None}["公务接待费"] == 5000
    by_function = await get_rows(ds, "/cnbudget/by_function.json", unit="")
    assert {r["unit_name"] for r in by_function} == {"攀枝花市西区人大"}  # one row per unit and class, never summed
    assert [(r["function_code"], r["function_name"], r["amount_yuan"]) for r in by_function] == [
        ("201", "一般公共服务支出", 4333500), ("208", "社会保障和就业支出", 637900),
        ("221", "住房保障支出", 422800), ("210", "卫生健康支出", 302300),
    ]


@pytest.mark.parametrize("sql", [
    "insert into documents (document_id) values ('x')",
    "delete from budget_lines",
    "drop table budget_lines",
])
async def test_arbitrary_sql_is_read_only(ds, sql):
    response = await ds.client.get("/cnbudget.json", params={"sql": sql})
    assert response.status_code == 400
    rows = await get_rows(ds, "/cnbudget.json", sql="select count(*) as n from budget_lines")
    assert rows[0]["n"] > 0


async def test_runaway_query_is_cut_off_and_the_site_keeps_serving(db_path):
    import asyncio

    ds = make_datasette(db_path)  # sql_time_limit_ms as served: 1000
    runaway = "with recursive c(x) as (select 1 union all select x + 1 from c) select max(x) from c"
    running = asyncio.create_task(ds.client.get("/cnbudget.json", params={"sql": runaway}))
    await asyncio.sleep(0.05)
    # While the runaway query holds one SQL thread, other visitors are still answered.
    rows = await get_rows(ds, "/cnbudget/budget_lines.json", item="reception")
    assert rows[0]["amount_yuan"] == 5000
    assert not running.done()
    response = await running
    assert response.status_code == 400
    assert "took too long" in response.text or "interrupted" in response.text.lower()


# ---- metadata and serve settings ------------------------------------------------------------------

@pytest.mark.parametrize("table", list(SCHEMAS))
def test_metadata_describes_every_schema_column(table):
    meta = METADATA["databases"]["cnbudget"]["tables"][table]
    assert list(meta["columns"]) == [f["name"] for f in SCHEMAS[table]["fields"]]
    for field in SCHEMAS[table]["fields"]:
        assert meta["columns"][field["name"]].startswith(field["title"] + "。"), field["name"]


def test_metadata_names_are_ascii():
    db = METADATA["databases"]["cnbudget"]
    for name in list(db["tables"]) + list(db["queries"]):
        assert name.isascii(), name


def test_make_serve_runs_cnbudget_serve():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile[makefile.index("\nserve:"):].split("\n\n")[0]
    assert "$(BIN)/cnbudget serve --db $(DB) --inspect-file $(INSPECT)" in recipe


def test_cnbudget_serve_passes_every_setting_once(db_path):
    result = CliRunner().invoke(cli, ["serve", "--db", str(db_path), "--print-command"])
    assert result.exit_code == 0, result.output
    command = result.output
    assert f"datasette serve -i {db_path} --metadata metadata.yml --host 127.0.0.1 --port 8001 --cors" in command
    for name, value in site.SERVE_SETTINGS.items():
        value = ("on" if value else "off") if isinstance(value, bool) else value
        assert command.count(f"--setting {name} {value}") == 1


def test_cnbudget_serve_without_a_database_is_one_error_line(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and result.output.startswith("Error: ") and "Traceback" not in result.output


def test_metadata_columns_are_generated_from_the_schema():
    from cnbudget.site.metadata import regenerate

    text = (ROOT / "metadata.yml").read_text(encoding="utf-8")
    assert regenerate(text) == text, "run `cnbudget metadata` after changing cnbudget/schema.py"
    drifted = text.replace("序号。该条数据在文件内的序号", "序号。旧的说明", 1)
    assert drifted != text and regenerate(drifted) == text


def test_canned_queries_hide_their_sql():
    for name, query in METADATA["databases"]["cnbudget"]["queries"].items():
        assert query.get("hide_sql") is True, name


# ---- charts ---------------------------------------------------------------------------------

@pytest.mark.parametrize("rows, expected", [
    ([{"label": "甲", "amount_yuan": 4333500}, {"label": "乙", "amount_yuan": 637900}],
     [("甲", "433.35", 100, "87.2%"), ("乙", "63.79", 14, "12.8%")]),
    ([{"label": "大", "amount_yuan": 156211123}], [("大", "15,621.11", 100, "100.0%")]),
    ([{"label": "零", "amount_yuan": 0}], [("零", "0.00", 0, "")]),
    ([{"label": "空", "amount_yuan": None}], []),
])
def test_bars_are_exact(rows, expected):
    assert [(b["label"], b["wan"], b["length"], b["share"]) for b in site.bars(rows)] == expected


async def test_year_chart_sums_only_the_units_of_every_year(built_package, tmp_path):
    """Synthetic copies of the seed (temp folder only): unit 甲 in 2022 and 2023, unit 乙 only in 2023."""
    package = copy_package(built_package, tmp_path / "package")
    units = [("synthetic-a-2022", "2022", "【合成数据】甲", True), ("synthetic-a-2023", "2023", "【合成数据】甲", False),
             ("synthetic-b-2023", "2023", "【合成数据】乙", False)]

    def unit_copy(name, r, doc_id, year, unit, halve):
        row = dict(r, document_id=doc_id, fiscal_year=year)
        if name == "documents":
            row.update(title=f"{unit}{year}", unit_name=unit)
        elif row["amount_fen"] and halve:
            row["amount_fen"] = str(int(row["amount_fen"]) // 2)
            row["amount_yuan"] = str(int(row["amount_yuan"]) // 2)
        return row

    for name in ["documents", "budget_lines"]:
        append_rows(package, name, lambda rows: [unit_copy(name, r, *unit) for unit in units for r in rows])
    load_package(package, tmp_path / "cnbudget.db")
    html = (await make_datasette(tmp_path / "cnbudget.db").client.get("/")).text
    chart = html[html.index('id="chart-years"'):html.index('id="chart-units"')]
    # only 甲 has both years: 322.33 then 644.66 (乙 and the seed, 2023 only, are not added in)
    assert "只计每一年都有预算文件的 1 个单位" in chart
    assert "2022年：322.33万元" in chart and "2023年：644.66万元" in chart


async def test_document_row_page_links_the_document_page(ds):
    response = await ds.client.get(f"/cnbudget/documents/{DOC}")
    assert response.status_code == 200
    assert f'href="/document/{DOC}"' in response.text
    other_row = await ds.client.get(f"/cnbudget/budget_lines/{DOC},1")
    assert other_row.status_code == 200 and f'href="/document/{DOC}"' not in other_row.text


@pytest.mark.parametrize("view", list(VIEWS))
async def test_view_pages_describe_every_column(ds, db_path, view):
    db = sqlite3.connect(db_path)
    view_columns = [row[1] for row in db.execute(f"pragma table_info({view})")]
    html = (await ds.client.get(f"/cnbudget/{view}")).text
    described = re.findall(r"<dt>(\w+)</dt><dd>", html)
    assert described == view_columns
    assert "<dt>unit_name</dt><dd>单位名称。" in html
    assert "<dt>amount_yuan</dt><dd>金额（元）。单位：元（整数）" in html
