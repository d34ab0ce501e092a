"""The `findings` and `changes` tables and the 最大变化 canned query, asked through Datasette's test
client on a database loaded from a freshly built package (fixtures of tests/test_serve.py)."""

from tests.test_serve import DOC, db_path, get_rows, make_datasette  # noqa: F401 (db_path is a fixture)


async def test_findings_table_lists_the_seed_findings(db_path):  # noqa: F811
    ds = make_datasette(db_path)
    rows = await get_rows(ds, "/cnbudget/findings.json", document_id=DOC, _sort="finding_id")
    # (audit, issue 9: the grand-total gap of the 项 is an echo of the 社会保障 one, listed in `echoes`)
    assert [(r["rule"], r["severity"], r["expected_yuan"], r["actual_yuan"]) for r in rows[2:3]] == [
        ("function_items_class", "error", 637900, 1276000),
    ]
    assert [r["severity"] for r in rows].count("error") == 2  # with share_breakdown_total
    errors = await get_rows(ds, "/cnbudget/findings.json", severity="error", rule="function_items_class")
    assert errors[0]["source_lines"] == "122;130;132"
    assert errors[0]["line_ids"] == "22;27;28"


async def test_findings_table_page_is_chinese_and_links_the_document(db_path):  # noqa: F811
    ds = make_datasette(db_path)
    response = await ds.client.get("/cnbudget/findings")
    assert response.status_code == 200
    assert "审计发现" in response.text
    assert f'href="/cnbudget/documents/{DOC}"' in response.text


async def test_largest_changes_query(db_path):  # noqa: F811
    ds = make_datasette(db_path)
    rows = await get_rows(ds, "/cnbudget/largest_changes.json", unit="")
    assert [(r["label"], r["old_yuan"], r["new_yuan"], r["change_yuan"], r["basis"]) for r in rows] == [
        ("一般公共预算当年拨款", 4710800, 5696600, 985800, "as_stated"),
        ("收支预算总数", 5562800, 6446600, 883800, "as_stated"),
        ("项目支出", 852000, 750000, -102000, "as_stated"),
        ("机关运行经费财政拨款预算", 516500, 605000, 88500, "as_stated"),
    ]
    assert rows[0]["change_text"] == "比2022年预算数增加98.58万元"
    assert await get_rows(ds, "/cnbudget/largest_changes.json", unit="不存在的单位") == []
    page = await ds.client.get("/cnbudget/largest_changes", params={"unit": ""})
    assert page.status_code == 200 and "最大变化" in page.text


async def test_changes_table(db_path):  # noqa: F811
    ds = make_datasette(db_path)
    rows = await get_rows(ds, "/cnbudget/changes.json", _sort="change_id")
    assert [(r["change_id"], r["statement"], r["change_pct"]) for r in rows] == [
        (1, "general_budget", 20.93), (2, "overview", 15.89), (3, "government_fund", -11.97),
        (4, "agency_operating", 17.13),
    ]


async def test_finding_lines_query_joins_each_finding_to_its_lines(db_path):  # noqa: F811
    ds = make_datasette(db_path)
    rows = await get_rows(ds, "/cnbudget/finding_lines.json", document_id=DOC, severity="error")
    first = [(r["finding_id"], r["line_id"], r["label"], r["amount_yuan"], r["source_line"]) for r in rows
             if r["rule"] == "function_items_class"]
    assert first == [
        (3, 22, "社会保障和就业支出", 637900, 122),
        (3, 27, "社会保障和就业支出（类）行政事业单位养老保险缴费支出（款）行政单位离退休（项）", 131900, 130),
        (3, 28, "社会保障和就业支出（类）行政事业单位养老保险缴费支出（款）机关事业单位基本养老保险缴费支出（项）", 1144100, 132),
    ]
    assert {r["severity"] for r in rows} == {"error"}
