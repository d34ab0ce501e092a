"""Budget vs actual as published data: a synthetic 预算 and 决算 of one unit and year (small text
disclosures in the seed's style, written to a temp folder only, never published) built into a
package, loaded, and served on the `budget_vs_actual` table page and the unit's page."""

import csv
import hashlib
import json
import re
from urllib.parse import quote

import pytest

from cnbudget import package
from cnbudget.load import load_package
from cnbudget.schema import columns
from tests.test_serve import make_datasette

UNIT = "某某局（合成）"

BUDGET = """第一部分  某某局（合成）概况
一、主要职能
负责某某工作（合成数据，仅供测试）。
第二部分  2023年部门预算情况说明
一、收支预算总体情况说明
某某局（合成）2023年收支预算总数1,000.00万元。
三、一般公共预算当年拨款情况说明
2023年，一般公共预算当年拨款1,000.00万元。
1.一般公共服务（类）人大事务（款）行政运行（项）2023年预算数为800.00万元，主要用于：人员和公用支出。
2.住房保障支出（类）住房改革支出（款）住房公积金（项）2023年预算数为200.00万元，主要用于：公积金缴费支出。
五、“三公”经费财政拨款预算安排情况说明
2023年，“三公”经费财政拨款预算数2.00万元，其中：因公出国（境）经费0万元、公务接待费0.50万元、公务用车购置及运行维护费1.50万元。
"""

FINAL = """第一部分  某某局（合成）概况
一、主要职能
负责某某工作（合成数据，仅供测试）。
第二部分  2023年度部门决算情况说明
一、收入支出决算总体情况说明
2023年度收、支总计1,100.00万元。
五、一般公共预算财政拨款支出决算情况说明
2023年一般公共预算财政拨款支出1,100.00万元。
1.一般公共服务支出（类）人大事务（款）行政运行（项）:支出决算为880.00万元，完成预算110%。
2.住房保障支出（类）住房改革支出（款）住房公积金（项）:支出决算为180.00万元，完成预算90%。
七、“三公”经费财政拨款支出决算情况说明
2023年“三公”经费财政拨款支出决算中，因公出国（境）费支出决算0万元，占0%；公务用车购置及运行维护费支出决算1.50万元，占75%；公务接待费支出决算0.50万元，占25%。
"""


def write_source(folder, name, text, kind):
    """A synthetic text disclosure and its provenance sidecar."""
    data = text.encode("utf-8")
    (folder / f"{name}.txt").write_bytes(data)
    sidecar = {"file": f"{name}.txt", "unit_name": UNIT, "region": "合成", "fiscal_year": 2023, "kind": kind,
               "title": f"【合成数据】{UNIT}2023年{kind}", "sha256": hashlib.sha256(data).hexdigest(),
               "encoding": "utf-8", "source_url": None, "obtained": "synthetic, for tests only", "synthetic": True}
    (folder / f"{name}.provenance.json").write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sources")
    (folder / "2023").mkdir()
    write_source(folder / "2023", "2023-synthetic-ju-budget", BUDGET, "部门预算")
    write_source(folder / "2023", "2023-synthetic-ju-final", FINAL, "部门决算")
    return folder


@pytest.fixture(scope="module")
def built(sources, tmp_path_factory):
    out = tmp_path_factory.mktemp("package") / "package"
    counts = package.build_package(sources, out, jobs=1)
    return out, counts


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_budget_and_its_final_accounts_are_one_series(sources):
    # One series per unit, by kind then year: the documents keep the order of one series per unit and kind.
    assert [[s.name for s, _ in series] for series in package.unit_series(package.find_sources(sources))] == [
        ["2023-synthetic-ju-final.txt", "2023-synthetic-ju-budget.txt"]]


def test_budget_vs_actual_rows_by_value(built):
    out, counts = built
    rows = read_rows(out / "budget_vs_actual.csv")
    assert counts["budget_vs_actual"] == len(rows) == 7
    assert list(rows[0]) == columns("budget_vs_actual")
    assert [(r["statement"], r["function_code"], r["budget_yuan"], r["final_yuan"], r["difference_yuan"],
             r["execution_pct"]) for r in rows] == [
        ("overview", "", "10000000", "11000000", "1000000", "110.00"),
        ("general_budget", "", "10000000", "11000000", "1000000", "110.00"),
        ("function_class", "2010101", "8000000", "8800000", "800000", "110.00"),
        ("function_class", "2210201", "2000000", "1800000", "-200000", "90.00"),
        ("three_public", "", "0", "0", "0", ""),  # no rate against a budget of 0
        ("three_public", "", "5000", "5000", "0", "100.00"),
        ("three_public", "", "15000", "15000", "0", "100.00"),
    ]
    assert {(r["unit"], r["fiscal_year"], r["budget_document_id"], r["final_document_id"]) for r in rows} == {
        (UNIT, "2023", "2023-synthetic-ju-budget", "2023-synthetic-ju-final")}
    # A 决算 is never a year-over-year change of a 预算.
    assert not [c for c in read_rows(out / "changes.csv") if c["basis"] == "computed"]


def test_the_descriptor_declares_the_resource(built):
    out, _ = built
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == "budget_vs_actual")
    assert (resource["path"], resource["title"]) == ("budget_vs_actual.csv", "预算与决算对比")


def test_cached_rebuilds_are_byte_identical(built, sources, tmp_path):
    out, counts = built
    cache = tmp_path / "cache"
    for name in ("cold", "warm"):
        assert package.build_package(sources, tmp_path / name, jobs=1, cache_dir=cache) == counts
    for path in sorted(out.iterdir()):
        assert (tmp_path / "cold" / path.name).read_bytes() == path.read_bytes(), path.name
        assert (tmp_path / "warm" / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_changed_final_is_compared_again(built, sources, tmp_path):
    # The series' cache entry is keyed on every document of the unit: editing the 决算 refreshes its rows.
    cache = tmp_path / "cache"
    package.build_package(sources, tmp_path / "first", jobs=1, cache_dir=cache)
    edited = tmp_path / "edited"
    edited.mkdir()
    (edited / "2023").mkdir()
    write_source(edited / "2023", "2023-synthetic-ju-budget", BUDGET, "部门预算")
    write_source(edited / "2023", "2023-synthetic-ju-final", FINAL.replace("180.00万元", "150.00万元"), "部门决算")
    package.build_package(edited, tmp_path / "second", jobs=1, cache_dir=cache)
    row = next(r for r in read_rows(tmp_path / "second" / "budget_vs_actual.csv") if r["function_code"] == "2210201")
    assert (row["final_yuan"], row["execution_pct"]) == ("1500000", "75.00")


def visible(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)))


@pytest.fixture(scope="module")
def db_path(built, tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "cnbudget.db"
    counts = load_package(built[0], path)["tables"]
    assert counts["budget_vs_actual"] == 7
    return path


async def test_the_table_page_in_chinese(db_path):
    response = await make_datasette(db_path).client.get("/cnbudget/budget_vs_actual?function_code=2010101")
    assert response.status_code == 200
    text = visible(response.text)
    assert "预算与决算对比" in text and "执行率（%）" in text and "预算数（元）" in text
    assert "行政运行" in text and "110.0" in text


async def test_the_table_as_json_keeps_exact_integers(db_path):
    response = await make_datasette(db_path).client.get(
        "/cnbudget/budget_vs_actual.json", params={"_shape": "array", "function_code": "2210201"})
    [row] = response.json()
    assert (row["budget_yuan"], row["final_yuan"], row["difference_yuan"], row["execution_pct"]) == (
        2_000_000, 1_800_000, -200_000, 90.0)


async def test_the_unit_page_lists_budget_and_final(db_path):
    response = await make_datasette(db_path).client.get("/unit/" + quote(UNIT, safe=""))
    assert response.status_code == 200
    text = visible(response.text)
    assert "预算与决算" in text
    assert re.search(r"2023 \S+ 2010101 一般公共服务支出（类）人大事务（款）行政运行（项） 800.00 880.00 80.00 110.00% 原文未说明",
                     text), text[text.find("预算与决算"):][:600]
    assert re.search(r"住房公积金（项） 200.00 180.00 -20.00 90.00%", text)


async def test_a_unit_without_final_accounts_has_no_section(tmp_path, built):
    # The seed's unit (a 预算 only) is tested in test_serve_site; here: an empty table shows no section.
    out, _ = built
    empty = tmp_path / "package"
    empty.mkdir()
    for path in out.iterdir():
        (empty / path.name).write_bytes(path.read_bytes())
    (empty / "budget_vs_actual.csv").write_text(",".join(columns("budget_vs_actual")) + "\n", encoding="utf-8")
    load_package(empty, tmp_path / "cnbudget.db")
    text = visible((await make_datasette(tmp_path / "cnbudget.db").client.get("/unit/" + quote(UNIT, safe=""))).text)
    assert "预算与决算" not in text and "2023年部门决算" in text


async def test_the_unit_page_shows_the_stated_reason(tmp_path, built):
    # The reason comes from the 决算's stated comparison with its 年初预算 (cnbudget.execution); set in a copy here.
    out, _ = built
    copy = tmp_path / "package"
    copy.mkdir()
    for path in out.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    rows = read_rows(out / "budget_vs_actual.csv")
    for row in rows:
        if row["function_code"] == "2010101":
            row["reason_text"] = "追加会议经费（合成）"
    with open(copy / "budget_vs_actual.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns("budget_vs_actual"), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    load_package(copy, tmp_path / "cnbudget.db")
    text = visible((await make_datasette(tmp_path / "cnbudget.db").client.get("/unit/" + quote(UNIT, safe=""))).text)
    assert "800.00 880.00 80.00 110.00% 追加会议经费（合成）" in text


def document(doc_id, kind, year=2023):
    return {"document_id": doc_id, "unit_name": UNIT, "fiscal_year": year, "kind": kind}


def line(doc_id, yuan):
    return {"document_id": doc_id, "line_id": 1, "statement": "expenditure", "item": "total", "label": "支出合计",
            "function_code": None, "amount_yuan": yuan, "phase": None, "page": None}


@pytest.mark.parametrize("documents, expected", [
    ([document("b", "部门预算"), document("f", "部门决算")], [("b", "f")]),
    # A 决算 beside a 部门预算 and a 单位预算 of its year: compared once, with the budget of its own level.
    ([document("u", "单位预算"), document("b", "部门预算"), document("f", "部门决算")], [("b", "f")]),
    ([document("u", "单位预算"), document("f", "部门决算")], [("u", "f")]),
    ([document("b", "部门综合预算"), document("f", "部门决算")], [("b", "f")]),
    ([document("b", "部门预算", 2022), document("f", "部门决算")], []),  # another year
    ([document("b", "部门预算"), document("c", "部门预算", 2024)], []),  # two budgets: year over year only
])
def test_each_final_is_compared_with_one_budget(documents, expected):
    tables = {"budget_lines": [line(d["document_id"], 100) for d in documents], "stated_changes": []}
    rows = package.budget_vs_actual_rows(documents, tables)
    assert [(r["budget_document_id"], r["final_document_id"]) for r in rows] == expected
