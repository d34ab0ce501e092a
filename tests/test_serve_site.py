"""The citizen's site through Datasette's test client: unit, document and drill-down pages, Chinese
chrome, money as people read it, search that folds quotes, downloads with every row.

The seed database comes from tests/test_serve.py's fixture; the PDF part builds the Shanghai dev
PDFs (../shared, linked into a temp folder, never copied) with the seed into a temp package.
"""

import csv
import io
import json
import re
from decimal import Decimal
from urllib.parse import quote

import pytest

from cnbudget.load import load_package, search_fold
from cnbudget.numbers import format_money
from cnbudget.site import labels
from cnbudget.site.charts import function_tree, year_totals_same_units
from tests.conftest import DEV_SOURCES, SOURCES, append_rows, copy_package
from tests.test_serve import BOM, DOC, METADATA, db_path, make_datasette  # noqa: F401 (db_path is a fixture)

UNIT = "攀枝花市西区人大"
UNIT_URL = "/unit/" + quote(UNIT, safe="")
# English Datasette chrome that must not reach a citizen's page.
ENGLISH_CHROME = ["rows", "Search:", "Apply", "View and edit SQL", "Powered by", "This data as", "Next page",
                  "Advanced export", "Custom SQL query", "Query parameters", "Run SQL", "CREATE TABLE"]


@pytest.fixture
def ds(db_path):  # noqa: F811
    return make_datasette(db_path, **{"max_returned_rows": 10, "default_page_size": 5})


def visible(html):
    """The text a reader sees: no tags, scripts, styles, attribute values or closed <details>."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    html = re.sub(r"<details\b.*?</details>", "", html, flags=re.S)
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_no_english_chrome(html):
    text = visible(html)
    for phrase in ENGLISH_CHROME:
        assert phrase not in text, phrase
    assert '<html lang="zh-CN">' in html


# ---- the money formatter and the search fold --------------------------------------------------

@pytest.mark.parametrize("amount, unit, places, expected", [
    (6446600, "万元", 2, "644.66"),
    (156211123, "万元", 2, "15,621.11"),
    (Decimal("156211123.45"), "元", 2, "156,211,123.45"),
    (5000, "万元", 2, "0.50"),
    (12345, "万元", 2, "1.23"),
    (12350, "万元", 2, "1.24"),   # half away from zero, as disclosures round
    (-883800, "万元", 2, "-88.38"),
    (0, "元", 0, "0"),
])
def test_format_money(amount, unit, places, expected):
    assert format_money(amount, unit=unit, places=places) == expected


@pytest.mark.parametrize("text, folded", [
    ("“三公”经费", "三公经费"),
    ("\"三公\"经费", "三公经费"),
    ("《预算法》", "预算法"),
    ("因 公 出 国（境）费", "因公出国(境)费"),
    ("６４４．６６万元", "644.66万元"),
    ("2023 年", "2023 年"),
])
def test_search_fold(text, folded):
    assert search_fold(text) == folded


def test_money_cell_is_wan_with_exact_yuan_on_hover():
    html = str(labels.render_value("budget_lines", "amount_yuan", 6446600))
    assert html == '<span class="cnb-money" title="6,446,600元">644.66<small> 万元</small></span>'
    fen = str(labels.render_value("budget_lines", "amount_fen", 15621112345))
    assert 'title="156,211,123.45元">15,621.11<small>' in fen
    assert labels.render_value("budget_lines", "line_id", 3) is None


@pytest.mark.parametrize("table, column, value, label", [
    ("budget_lines", "statement", "three_public", "“三公”经费"),
    ("stated_changes", "direction", "increase", "增加"),
    ("budget_lines", "phase", "final", "决算数"),
    ("findings", "severity", "rounding", "尾差"),
    ("changes", "kind", "added", "本年新增"),
    ("changes", "basis", "as_stated", "按本年原文所述"),
    ("documents", "template", "sichuan", "四川格式"),
    ("documents", "level", "district", "区级"),
    ("findings", "rule", "three_public_parts", "“三公”经费各项之和 = “三公”经费总数"),
])
def test_every_coded_value_has_a_chinese_label(table, column, value, label):
    assert labels.label_for(table, column, value) == label


def test_every_enum_of_the_schema_has_labels():
    from cnbudget.schema import SCHEMAS

    for table, schema in SCHEMAS.items():
        for field in schema["fields"]:
            for value in field.get("constraints", {}).get("enum", []):
                if not value.isascii():
                    continue  # already Chinese (文件类型, 科目级次)
                assert labels.label_for(table, field["name"], value), (table, field["name"], value)


# ---- charts and trees ----------------------------------------------------------------------------

def line(statement, code, level, fen, line_id, expense_type=None, phase=None):
    return {"statement": statement, "code": code, "level": level, "label": f"科目{code}", "amount_fen": fen,
            "line_id": line_id, "expense_type": expense_type, "phase": phase, "page": 1}


def test_function_tree_keeps_one_family_and_the_total_column():
    lines = [
        line("expenditure", "201", "类", 300, 1), line("expenditure", "201", "类", 100, 2, "基本支出"),
        line("expenditure", "20101", "款", 300, 3), line("expenditure", "2010101", "项", 200, 4),
        line("expenditure", "2010150", "项", 100, 5), line("general_budget", "201", "类", 999, 6),
    ]
    nodes, roots = function_tree(lines)
    assert [r["code"] for r in roots] == ["201"] and nodes["201"]["amount_fen"] == 300
    assert [c["code"] for c in nodes["201"]["children"]] == ["20101"]
    assert [c["code"] for c in nodes["20101"]["children"]] == ["2010101", "2010150"]


def test_function_tree_links_a_xiang_to_its_lei_when_the_kuan_is_not_printed():
    nodes, roots = function_tree([line("general_budget", "201", "类", 10, 1),
                                  line("function_class", "2010101", "项", 10, 2)])
    assert [c["code"] for c in nodes["201"]["children"]] == ["2010101"]


def test_year_totals_keep_the_same_units():
    rows = [{"unit": "甲", "year": 2022, "amount_fen": 100}, {"unit": "甲", "year": 2023, "amount_fen": 200},
            {"unit": "乙", "year": 2023, "amount_fen": 5000}]
    totals, units = year_totals_same_units(rows)
    assert units == 1 and [(t["label"], t["amount_yuan"]) for t in totals] == [("2022年", 1), ("2023年", 2)]


# ---- pages --------------------------------------------------------------------------------------

async def test_unit_page_shows_the_figures_as_printed_in_wan(ds):
    response = await ds.client.get(UNIT_URL)
    assert response.status_code == 200
    html = response.text
    assert f"<title>{UNIT}：历年预算 - 部门预算公开数据</title>" in html
    assert_no_english_chrome(html)
    rows = {m[0]: m[1] for m in re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="cnb-num"><span class="cnb-money" '
                                          r'title="([^"]+)"', html)}
    assert rows["收入总计"].startswith("6,446,600元（原文：644.66万元）")
    assert rows["“三公”经费"].startswith("5,000元（原文：0.5万元）")
    assert rows["机关运行经费"].startswith("605,000元")
    assert rows["政府采购"].startswith("13,800元")
    text = visible(html)
    assert "644.66 万元" in text and "569.66 万元" in text and "75.00 万元" in text
    # each change with its stated reason
    assert re.search(r"收支预算总数 增加 88.38 万元 单位人员变动，工资待遇变动，保险公积金变动", text)
    assert f'href="/document/{DOC}"' in html


async def test_document_page_has_figures_chart_findings_and_source_link(ds):
    response = await ds.client.get(f"/document/{DOC}")
    assert response.status_code == 200
    html = response.text
    assert "<title>攀枝花市西区人大2023年部门预算 - 部门预算公开数据</title>" in html
    assert_no_english_chrome(html)
    chart = html[html.index('id="chart-function"'):html.index('id="chart-type"')]
    assert 'title="一般公共服务支出：433.35万元（4,333,500元，' in chart
    assert f'href="/document/{DOC}/functions?code=201"' in chart
    assert "基本支出：569.66万元" in html and "项目支出：75.00万元" in html
    assert "核对发现" in html and "算术不符" in html
    assert 'href="/-/sources/2023/2023-panzhihua-xiqu-renda-budget.txt"' in html


async def test_drill_down_goes_from_lei_to_xiang(ds):
    top = await ds.client.get(f"/document/{DOC}/functions")
    assert top.status_code == 200
    assert_no_english_chrome(top.text)
    assert "433.35<small> 万元" in top.text
    down = await ds.client.get(f"/document/{DOC}/functions", params={"code": "201"})
    html = down.text
    assert "<title>一般公共服务支出 - 支出功能分类 - 攀枝花市西区人大2023年部门预算</title>" in html
    assert "2010101" in html and "381.83<small> 万元" in html and "51.52<small> 万元" in html
    missing = await ds.client.get(f"/document/{DOC}/functions", params={"code": "999"})
    assert missing.status_code == 404


async def test_unknown_unit_and_document_are_404(ds):
    assert (await ds.client.get("/unit/" + quote("没有的单位"))).status_code == 404
    assert (await ds.client.get("/document/nothing-here")).status_code == 404


async def test_search_folds_quotes_and_highlights(ds):
    response = await ds.client.get("/search", params={"q": "三公经费"})
    html = response.text
    assert "<title>搜索：三公经费 - 部门预算公开数据</title>" in html
    assert_no_english_chrome(html)
    assert "“<mark>三公”经费</mark>财政拨款预算数" in html  # printed with quotes, found without
    assert "说明文字（共" in html
    empty = await ds.client.get("/search", params={"q": "没有这个词语"})
    assert "没有找到包含 “没有这个词语” 的数额或说明文字" in empty.text


async def test_table_search_folds_quotes_too(ds):
    rows = (await ds.client.get("/cnbudget/budget_lines.json",
                                params={"_shape": "array", "_search": "三公经费", "_size": "max"})).json()
    assert rows and all("三公”经费" in r["label"] + r["source_text"] for r in rows)


@pytest.mark.parametrize("path, params, title", [
    ("/cnbudget/budget_lines", {"statement": "three_public"}, "<title>预算数据（共 19 行） - 部门预算公开数据</title>"),
    ("/cnbudget/three_public", {"unit": ""}, "<title>“三公”经费 - 部门预算公开数据</title>"),
    ("/cnbudget/documents/" + DOC, {}, f"<title>公开文件：{DOC} - 部门预算公开数据</title>"),
    ("/cnbudget", {}, "<title>部门预算公开数据 - 自定义查询</title>"),
    ("/", {}, "<title>部门预算公开数据</title>"),
])
async def test_datasette_pages_are_chinese(ds, path, params, title):
    response = await ds.client.get(path, params=params)
    assert response.status_code == 200
    html = response.text
    assert title in html
    assert_no_english_chrome(html)


async def test_table_page_titles_order_and_amounts(ds):
    html = (await ds.client.get("/cnbudget/budget_lines", params={"statement": "overview", "document_id": DOC})).text
    headers = re.findall(r'<th [^>]*data-column="(\w+)"', html)
    assert headers[:4] == ["label", "amount_yuan", "fiscal_year", "document_id"]  # key columns first
    assert ">名称</a>" in html and ">金额（元）</a>" in html
    assert 'title="6,446,600元">644.66<small> 万元</small>' in html
    assert '<span title="overview">收支总体</span>' in html
    assert "共 1 行" in html
    assert '<details class="cnb-developer">' in html and "CREATE TABLE" in html  # reachable, folded away
    # the API keeps exact integers and codes
    rows = (await ds.client.get("/cnbudget/budget_lines.json",
                                params={"_shape": "array", "statement": "overview", "document_id": DOC})).json()
    assert rows[0]["amount_yuan"] == 6446600 and rows[0]["amount_fen"] == 644660000
    assert rows[0]["statement"] == "overview"


async def test_canned_query_page_hides_sql_and_titles_columns(ds):
    html = (await ds.client.get("/cnbudget/overview_by_year", params={"unit": ""})).text
    assert "with firsts as" not in html and "<textarea" not in html
    assert ">单位名称</th>" in html and ">收支总数</th>" in html
    assert "644.66<small> 万元" in html


# ---- downloads ---------------------------------------------------------------------------------

async def test_visible_csv_link_streams_every_row_with_a_bom(ds, db_path):  # noqa: F811
    import sqlite3

    html = (await ds.client.get("/cnbudget/budget_lines")).text  # 5-row pages, max_returned_rows 10
    link = re.search(r'<a class="cnb-csv" href="([^"]+)"', html)[1].replace("&amp;", "&")
    assert "_dl=1" in link and "_stream=1" in link
    response = await ds.client.get(link)
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(response.content[len(BOM):].decode("utf-8"))))
    count = sqlite3.connect(db_path).execute("select count(*) from budget_lines").fetchone()[0]
    assert len(rows) == count > 10
    assert {r["amount_yuan"] for r in rows if r["item"] == "reception"} == {"5000"}


async def test_canned_query_csv_link_has_a_bom(ds):
    html = (await ds.client.get("/cnbudget/three_public", params={"unit": ""})).text
    link = re.search(r'<a class="cnb-csv" href="([^"]+)"', html)[1].replace("&amp;", "&")
    response = await ds.client.get(link)
    assert response.content.startswith(BOM + b"unit_name,")


async def test_xlsx_has_every_row_with_numbers(ds, db_path):  # noqa: F811
    import sqlite3

    from openpyxl import load_workbook

    html = (await ds.client.get("/cnbudget/budget_lines")).text
    link = re.search(r'<a class="cnb-xlsx" href="([^"]+)"', html)[1].replace("&amp;", "&")
    response = await ds.client.get(link)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["数据"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("文档编号", "序号", "预算年度") and rows[1][:3] == ("document_id", "line_id", "fiscal_year")
    count = sqlite3.connect(db_path).execute("select count(*) from budget_lines").fetchone()[0]
    assert len(rows) - 2 == count > 10  # every row, although pages hold 5 and the API caps at 10
    amount = rows[1].index("amount_yuan")
    first = rows[2]
    assert first[amount] == 6446600 and isinstance(first[amount], int)


async def test_source_file_is_served_only_when_a_document_names_it(db_path):  # noqa: F811
    metadata = json.loads(json.dumps(METADATA))
    metadata["plugins"]["cnbudget"]["sources_dir"] = str(SOURCES)
    ds = make_datasette(db_path, metadata=metadata)
    response = await ds.client.get("/-/sources/2023/2023-panzhihua-xiqu-renda-budget.txt")
    assert response.status_code == 200 and "攀枝花市西区人大" in response.text
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    for path in ["/-/sources/2023/2023-panzhihua-xiqu-renda-budget.provenance.json", "/-/sources/../README.md",
                 "/-/sources/%2E%2E/README.md"]:
        assert (await ds.client.get(path)).status_code == 404, path


async def test_package_zip_holds_the_data_package(db_path, built_package):  # noqa: F811
    import zipfile

    metadata = json.loads(json.dumps(METADATA))
    metadata["plugins"]["cnbudget"]["package_dir"] = str(built_package)
    ds = make_datasette(db_path, metadata=metadata)
    response = await ds.client.get("/-/download/cnbudget-package.zip")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "cnbudget-package/datapackage.json" in names and "cnbudget-package/budget_lines.csv" in names


# ---- the Shanghai dev PDFs (../shared) ------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf_db(tmp_path_factory):
    """The three dev PDFs (linked, never copied) and the seed, built and loaded into a temp database."""
    if not DEV_SOURCES.exists():
        pytest.skip(f"dev PDFs not present at {DEV_SOURCES}")
    from cnbudget.package import build_package

    root = tmp_path_factory.mktemp("pdfsite")
    sources = root / "sources"
    sources.mkdir()
    for year in (2023, 2024, 2025):
        name = f"{year}-shanghai-putuo-wanli-budget"
        (sources / f"{name}.pdf").symlink_to(DEV_SOURCES / f"{name}.pdf")
        (sources / f"{name}.provenance.json").write_text(json.dumps({"file": f"{name}.pdf", "fiscal_year": year}))
    for path in (SOURCES / "2023").iterdir():
        (sources / path.name).symlink_to(path)
    build_package(sources, root / "package")
    load_package(root / "package", root / "cnbudget.db")
    return root


@pytest.fixture
def pdf_ds(pdf_db):
    metadata = json.loads(json.dumps(METADATA))
    metadata["plugins"]["cnbudget"].update(sources_dir=str(pdf_db / "sources"), package_dir=str(pdf_db / "package"))
    return make_datasette(pdf_db / "cnbudget.db", metadata=metadata)


async def test_a_pdf_document_page_charts_its_tables(pdf_ds):
    html = (await pdf_ds.client.get("/document/2024-shanghai-putuo-wanli-budget")).text
    chart = html[html.index('id="chart-function"'):html.index('id="chart-type"')]
    assert "城乡社区支出：11,938.53万元" in chart and "社会保障和就业支出：1,960.41万元" in chart
    assert "基本支出：9,970.60万元" in html and "项目支出：5,650.51万元" in html
    assert 'href="/-/sources/2024-shanghai-putuo-wanli-budget.pdf#page=' in html
    down = (await pdf_ds.client.get("/document/2024-shanghai-putuo-wanli-budget/functions", params={"code": "208"})).text
    assert "20805" in down and "723.50<small> 万元" in down
    pdf = await pdf_ds.client.get("/-/sources/2024-shanghai-putuo-wanli-budget.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"


async def test_a_pdf_unit_page_has_three_years_side_by_side(pdf_ds):
    html = (await pdf_ds.client.get("/unit/" + quote("上海市普陀区人民政府万里街道办事处", safe=""))).text
    text = visible(html)
    assert "2023年部门预算 2024年部门预算 2025年部门预算" in text
    assert re.search(r"“三公”经费 22.91 万元 ↗ 47.91 万元 ↗ 37.91 万元", text)
    assert "2025年新增1辆公务用车购置" in text  # a change with its stated reason


async def test_pdf_search_and_home_years(pdf_ds):
    html = (await pdf_ds.client.get("/search", params={"q": "三公经费"})).text
    assert "上海市普陀区人民政府万里街道办事处2024年部门预算" in html and "<mark>" in html
    home = (await pdf_ds.client.get("/")).text
    chart = home[home.index('id="chart-years"'):home.index('id="chart-units"')]
    assert "只计每一年都有预算文件的 1 个单位" in chart and "2024年：15,621.11万元" in chart


async def test_facets_and_column_menu_are_chinese(ds):
    html = (await ds.client.get("/cnbudget/stated_changes")).text
    facet = html[html.index('class="facet-results"'):]
    assert "<strong>增减方向" in facet and ">增加</a>" in facet
    assert 'src="/-/cnbudget-static/table.js"' in html
    script = (await ds.client.get("/-/cnbudget-static/table.js")).text
    assert "按此列分组统计" in script and ">Facet by this<" not in script


async def test_unit_page_puts_a_years_budget_and_final_accounts_side_by_side(built_package, tmp_path):
    """A synthetic 决算 copy of the seed (temp folder only, phase final) beside the seed's 预算."""
    package = copy_package(built_package, tmp_path / "package")

    def final_copy(name, r):
        row = dict(r, document_id="synthetic-final-2023")
        if name == "documents":
            row.update(title="【合成数据】攀枝花市西区人大2023年部门决算", kind="部门决算")
        else:
            row["phase"] = "final"
            if row["item"] == "total" and row["statement"] == "expenditure":
                row.update(amount_fen="600000000", amount_yuan="6000000", amount_text="600万元")
        return row

    for name in ["documents", "budget_lines"]:
        append_rows(package, name, lambda rows: [final_copy(name, r) for r in rows])
    load_package(package, tmp_path / "cnbudget.db")
    html = (await make_datasette(tmp_path / "cnbudget.db").client.get(UNIT_URL)).text
    text = visible(html)
    assert "2023年部门预算 2023年部门决算" in text  # adjacent columns
    assert 'class="cnb-num cnb-final"' in html
    assert re.search(r"支出总计 644.66 万元 ↗ 600.00 万元", text)


# A synthetic multi-table document (labelled synthetic, temp folder only): a PDF-like 支出预算总表 with
# 合计/基本支出/项目支出 columns on 类, 款 and 项 rows, and a 一般公共预算 table of the same codes.
SYNTHETIC_TABLE = [  # (statement, code, level, total, basic, project, page)
    ("expenditure", "201", "类", 900, 600, 300, 5), ("expenditure", "20101", "款", 900, 600, 300, 5),
    ("expenditure", "2010101", "项", 700, 600, 100, 5), ("expenditure", "2010102", "项", 200, 0, 200, 5),
    ("expenditure", "208", "类", 100, 100, 0, 6), ("expenditure", "20805", "款", 100, 100, 0, 6),
    ("expenditure", "2080505", "项", 100, 100, 0, 6),
    ("function_class", "201", "类", 800, 600, 200, 7), ("function_class", "2010101", "项", 600, 600, 0, 7),
]


SYNTHETIC_DOC = "synthetic-tables-2024"


def add_synthetic_tables(package):
    """Append the synthetic multi-table document to a package folder's documents and budget_lines."""
    doc = SYNTHETIC_DOC
    with open(package / "documents.csv", encoding="utf-8", newline="") as handle:
        documents = list(csv.DictReader(handle))
    document = dict(documents[0], document_id=doc, title="【合成数据】多表单位2024年部门预算", unit_name="【合成数据】多表单位",
                    fiscal_year="2024", template="shanghai", source_file="synthetic/tables.pdf")
    with open(package / "documents.csv", "a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, list(documents[0]), lineterminator="\n").writerow(document)
    with open(package / "budget_lines.csv", encoding="utf-8", newline="") as handle:
        fields = csv.DictReader(handle).fieldnames
    lines, line_id = [], 0
    for statement, code, level, *columns, page in SYNTHETIC_TABLE:
        for expense_type, wan in zip(["", "基本支出", "项目支出"], columns):
            line_id += 1
            lines.append({**{f: "" for f in fields}, "document_id": doc, "line_id": line_id, "fiscal_year": 2024,
                          "statement": statement, "item": code, "label": f"科目{code}", "function_code": code,
                          "function_level": level, "expense_type": expense_type, "amount_yuan": wan * 10000,
                          "amount_fen": wan * 1000000, "amount_text": f"{wan}万元", "page": page,
                          "table_name": "支出预算总表", "source_line": line_id, "source_text": f"{code} {columns}"})
    with open(package / "budget_lines.csv", "a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fields, lineterminator="\n").writerows(lines)


@pytest.fixture
def synthetic_tables_ds(built_package, tmp_path):
    package = copy_package(built_package, tmp_path / "package")
    add_synthetic_tables(package)
    load_package(package, tmp_path / "cnbudget.db")
    return make_datasette(tmp_path / "cnbudget.db")


async def test_drill_down_of_a_synthetic_multi_table_document(synthetic_tables_ds):
    ds, doc = synthetic_tables_ds, "synthetic-tables-2024"
    top = (await ds.client.get(f"/document/{doc}/functions")).text
    # the all-funds table (more codes) wins; each code shows its 合计 column, not 基本/项目
    assert 'title="科目201：900.00万元（9,000,000元，90.0%）"' in top
    assert 'title="科目208：100.00万元（1,000,000元，10.0%）"' in top
    kuan = (await ds.client.get(f"/document/{doc}/functions", params={"code": "201"})).text
    assert "20101" in kuan and "2010101" not in kuan
    xiang = (await ds.client.get(f"/document/{doc}/functions", params={"code": "20101"})).text
    assert 'title="科目2010101：700.00万元（7,000,000元，77.8%）"' in xiang
    assert 'title="科目2010102：200.00万元（2,000,000元，22.2%）"' in xiang
    assert 'href="/-/sources/synthetic/tables.pdf#page=5"' in xiang
    assert "全部“类”" in xiang and ">201 科目201</a>" in xiang
    page = (await ds.client.get(f"/document/{doc}")).text
    assert 'href="/document/synthetic-tables-2024/functions?code=201"' in page


async def test_a_capped_query_says_so_and_links_the_full_files(ds):
    html = (await ds.client.get("/cnbudget/three_public", params={"unit": ""})).text  # max_returned_rows 10
    assert "结果超过上限，只含前 10 行" in html and 'href="/#bulk"' in html
