"""Year-over-year diff (cnbudget.diff): lines matched by meaning, stated vs computed changes, the
seed's as-stated partial diff, golden JSON and Markdown for a seed pair, and every input form.

Regenerate the golden files after an intended change with
`CNBUDGET_UPDATE_GOLDEN=1 pytest tests/test_diff.py` and read their diff before committing.
"""

import csv
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnbudget.cli import cli
from cnbudget.diff import CHANGE_COLUMNS, diff, diff_sides, render_csv, render_markdown, side_from_result
from cnbudget.errors import InputError
from cnbudget.schema import columns
from tests.conftest import SEED

GOLDEN = Path(__file__).resolve().parent / "golden"


# ---------------------------------------------------------------- hand-made records

def line(line_id, statement, item, label, amount, year=2023, **dims):
    """One budget_lines record with exactly the schema's columns."""
    record = dict.fromkeys(columns("budget_lines"))
    record.update(document_id=f"{year}-test-unit-budget", line_id=line_id, fiscal_year=year, statement=statement,
                  item=item, label=label, amount_yuan=amount, amount_text=f"{amount}元",
                  source_line=10 + line_id, source_text=f"（手工测试数据）{label}{amount}元")
    record.update(dims)
    return record


def change(change_id, line_id, statement, item, label, change_yuan, year=2024, **extra):
    """One stated_changes record with exactly the schema's columns."""
    record = dict.fromkeys(columns("stated_changes"))
    direction = "increase" if change_yuan > 0 else "decrease" if change_yuan < 0 else "flat"
    record.update(document_id=f"{year}-test-unit-budget", change_id=change_id, fiscal_year=year,
                  prior_year=year - 1, statement=statement, item=item, label=label, line_id=line_id,
                  direction=direction, change_yuan=change_yuan, change_text=f"比{year - 1}年变化{change_yuan}元",
                  source_line=10 + line_id)
    record.update(extra)
    return record


def side(year, lines, stated_changes=()):
    """A diff side from records, as `extract_file` would return them."""
    document = dict.fromkeys(columns("documents"))
    document.update(document_id=f"{year}-test-unit-budget", unit_name="测试单位", fiscal_year=year)
    for record in lines:
        record.update(document_id=document["document_id"], fiscal_year=year)
    result = {"document": document, "budget_lines": lines, "stated_changes": list(stated_changes)}
    return side_from_result(f"{year}.txt", result)


def compare(old_lines, new_lines, stated_changes=(), crosswalk=()):
    return diff_sides(side(2023, old_lines), side(2024, new_lines, stated_changes), crosswalk=crosswalk)


def brief(result, kind):
    return [(e["statement"], e["item"], e["label"], e["old_yuan"], e["new_yuan"], e["change_yuan"], e["change_pct"])
            for e in result[kind]]


CASES = [
    pytest.param([line(1, "overview", "total", "收支预算总数", 1000000)],
                 [line(1, "overview", "total", "收支预算总数", 1100000)],
                 "changed", [("overview", "total", "收支预算总数", 1000000, 1100000, 100000, "10.00")],
                 id="amount up 10%"),
    pytest.param([line(1, "three_public", "reception", "公务接待费", 0)],
                 [line(1, "three_public", "reception", "公务接待费", 5000)],
                 "changed", [("three_public", "reception", "公务接待费", 0, 5000, 5000, None)],
                 id="from zero: no percentage"),
    pytest.param([line(1, "expenditure", "210", "医疗卫生支出", 302300, function_code="210", function_level="类")],
                 [line(4, "expenditure", "210", "卫生健康支出", 302300, function_code="210", function_level="类")],
                 "renamed", [("expenditure", "210", "卫生健康支出", 302300, 302300, 0, "0.00")],
                 id="same code, new name, other position"),
    pytest.param([line(1, "performance", "project:甲项目", "甲项目", 80000, project_name="甲项目")],
                 [line(1, "performance", "project:乙项目", "乙项目", 80000, project_name="乙项目")],
                 "added", [("performance", "project:乙项目", "乙项目", None, 80000, None, None)],
                 id="a new project is added"),
    pytest.param([line(1, "performance", "project:甲项目", "甲项目", 80000, project_name="甲项目")],
                 [line(1, "performance", "project:乙项目", "乙项目", 80000, project_name="乙项目")],
                 "removed", [("performance", "project:甲项目", "甲项目", 80000, None, None, None)],
                 id="the old project is removed"),
    pytest.param([line(1, "income", "general_budget", "一般公共预算收入", 5000, fund_source="一般公共预算")],
                 [line(1, "income", "general_budget", "一般公共预算收入", 5000, fund_source="政府性基金预算")],
                 "added", [("income", "general_budget", "一般公共预算收入", None, 5000, None, None)],
                 id="a different fund source is a different line"),
    pytest.param([line(1, "expenditure", "project", "项目支出", 750000, expense_type="项目支出"),
                  line(2, "expenditure", "project", "项目支出", 750000, expense_type="项目支出")],
                 [line(1, "expenditure", "project", "项目支出", 750000, expense_type="项目支出"),
                  line(2, "expenditure", "project", "项目支出", 760000, expense_type="项目支出")],
                 "changed", [("expenditure", "project", "项目支出", 750000, 760000, 10000, "1.33")],
                 id="a line printed twice is matched copy by copy"),
]


@pytest.mark.parametrize("old, new, kind, expected", CASES)
def test_lines_are_matched_by_meaning(old, new, kind, expected):
    assert brief(compare(old, new), kind) == expected


def test_an_exact_repeat_dropped_next_year_is_removed():
    twice = [line(n, "three_public", "vehicles_owned:越野车", "越野车", None, quantity=0, quantity_unit="辆")
             for n in (1, 2)]
    result = compare(twice, [dict(twice[0])])
    assert [(e["label"], e["old_quantity"], e["old_line_id"]) for e in result["removed"]] == [("越野车", 0, 2)]
    assert result["summary"]["counts"]["unchanged"] == 1


def test_unchanged_lines_are_counted_not_listed():
    lines = [line(1, "overview", "total", "收支预算总数", 1000000), line(2, "income", "total", "收入预算", 1000000)]
    result = compare(lines, [dict(record) for record in lines])
    assert result["summary"]["counts"]["unchanged"] == 2
    assert all(result[kind] == [] for kind in ("changed", "renamed", "recoded", "added", "removed"))


def test_recoded_line_follows_the_crosswalk():
    crosswalk = [{"old_code": "2100501", "new_code": "2101101", "old_name": "行政单位医疗", "new_name": "行政单位医疗",
                  "from_year": 2023, "to_year": 2024, "note": "测试用"}]
    old = [line(1, "function_class", "2100501", "行政单位医疗", 240500, function_code="2100501", function_level="项")]
    new = [line(1, "function_class", "2101101", "行政单位医疗", 250500, function_code="2101101", function_level="项")]
    result = compare(old, new, crosswalk=crosswalk)
    assert brief(result, "recoded") == [("function_class", "2101101", "行政单位医疗", 240500, 250500, 10000, "4.16")]
    assert result["added"] == result["removed"] == []
    assert brief(compare(old, new), "removed")[0][1] == "2100501"  # without the crosswalk: removed + added


def test_deepdiff_describes_what_else_changed():
    old = [line(1, "income", "general_budget", "一般公共预算收入", 5696600, stated_share="88%")]
    new = [line(1, "income", "general_budget", "一般公共预算收入", 6250000, stated_share="89%")]
    [entry] = compare(old, new)["changed"]
    assert entry["changed_fields"] == ["amount_yuan", "stated_share"]
    assert entry["field_changes"] == {"stated_share": {"old": "88%", "new": "89%"}}
    assert (entry["old_line_id"], entry["old_source_line"], entry["new_line_id"], entry["new_source_line"]) == (1, 11, 1, 11)


@pytest.mark.parametrize("stated, status, gap", [
    (100000, "agrees", 0),
    (99900, "rounding", 100),
    (98000, "differs", 2000),
])
def test_stated_change_against_computed(stated, status, gap):
    old = [line(1, "overview", "total", "收支预算总数", 1000000)]
    new = [line(1, "overview", "total", "收支预算总数", 1100000)]
    result = compare(old, new, [change(1, 1, "overview", "total", "收支预算总数", stated)])
    [record] = result["stated_vs_computed"]
    assert (record["status"], record["computed_change_yuan"], record["gap_yuan"], record["prior_yuan"]) == (
        status, 100000, gap, 1000000)


def test_stated_change_without_a_prior_line():
    new = [line(1, "agency_operating", "total", "机关运行经费", 605000)]
    result = compare([line(1, "overview", "total", "收支预算总数", 1)], new,
                     [change(1, 1, "agency_operating", "total", "机关运行经费", 88500)])
    assert result["stated_vs_computed"][0]["status"] == "no_prior_line"


# ---------------------------------------------------------------- the seed

# 2022 as stated by the 2023 disclosure: (label, prior_yuan, new_yuan, stated change, source line)
SEED_AS_STATED = [
    ("收支预算总数", 5562800, 6446600, 883800, 85),
    ("一般公共预算当年拨款", 4710800, 5696600, 985800, 119),
    ("因公出国（境）经费", 0, 0, 0, 155),
    ("公务接待费", 5000, 5000, 0, 157),
    ("公务用车购置及运行维护费", 0, 0, 0, 160),
    ("项目支出", 852000, 750000, -102000, 172),
    ("机关运行经费财政拨款预算", 516500, 605000, 88500, 181),
]


@pytest.fixture(scope="module")
def seed_alone():
    return diff(None, SEED)


def test_seed_alone_gives_2022_as_stated(seed_alone):
    assert [(r["label"], r["prior_yuan"], r["new_yuan"], r["stated_change_yuan"], r["new_source_line"])
            for r in seed_alone["stated_vs_computed"]] == SEED_AS_STATED
    assert {r["status"] for r in seed_alone["stated_vs_computed"]} == {"as_stated"}
    assert {r["prior_year"] for r in seed_alone["stated_vs_computed"]} == {2022}


def test_seed_alone_partial_diff(seed_alone):
    assert seed_alone["old"] is None
    assert [(e["statement"], e["old_yuan"], e["new_yuan"], e["change_yuan"], e["change_pct"], e["basis"])
            for e in seed_alone["changed"]] == [
        ("agency_operating", 516500, 605000, 88500, "17.13", "as_stated"),
        ("general_budget", 4710800, 5696600, 985800, "20.93", "as_stated"),
        ("government_fund", 852000, 750000, -102000, "-11.97", "as_stated"),
        ("overview", 5562800, 6446600, 883800, "15.89", "as_stated"),
    ]
    totals = seed_alone["summary"]["totals"]
    assert (totals["overview"]["old_yuan"], totals["overview"]["new_yuan"]) == (5562800, 6446600)
    assert totals["income"]["old_yuan"] is None  # the 2023 document states no 2022 income total
    assert seed_alone["summary"]["counts"]["as_stated"] == 4
    assert len(seed_alone["findings"]) == 9  # the seed's findings (tests/test_checks.py SEED_FINDINGS)


# The seed's next year, planted by hand (synthetic edits of a copy, never published): totals up
# 55.34万, the general-budget change misstated (98.58 instead of 55.34), 公务接待费 up while the text
# says 持平, a class renamed (医疗卫生支出 -> 卫生健康支出), one performance project swapped.
NEXT_YEAR_EDITS = [
    ("收支预算总数644.66万元,比2022年收支预算总数增加88.38万元", "收支预算总数700.00万元,比2022年收支预算总数增加55.34万元"),
    ("收入预算644.66万元，其中：一般公共预算收入569.66万元，占88%；政府性基金预算收入75万元，占12%",
     "收入预算700.00万元，其中：一般公共预算收入625.00万元，占89%；政府性基金预算收入75万元，占11%"),
    ("一般公共预算当年拨款569.66万元，比2022年预算数增加98.58万元", "一般公共预算当年拨款625.00万元，比2022年预算数增加98.58万元"),
    ("3.医疗卫生支出30.23万元", "3.卫生健康支出30.23万元"),
    ("“三公”经费财政拨款预算数0.5万元", "“三公”经费财政拨款预算数0.8万元"),
    ("公务接待费0.5万元", "公务接待费0.8万元"),
    ("人大业务项目40万元、在线监督建设项目8万元、人代会会议项目27万元", "人大业务项目40万元、人代会会议项目27万元、代表培训项目8万元"),
    ("比2022年预算增加8.85万元", "与2022年预算持平"),
    ("比2022年预算数减少10.2万元", "与2022年预算持平"),
]


@pytest.fixture(scope="module")
def seed_pair(tmp_path_factory):
    """The seed and its planted next year, as files named like disclosures."""
    text = SEED.read_text(encoding="utf-8")
    for old, new in NEXT_YEAR_EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    text = text.replace("2023", "\0").replace("2022", "2023").replace("\0", "2024")
    folder = tmp_path_factory.mktemp("planted")
    path = folder / "2024-panzhihua-xiqu-renda-budget.txt"
    path.write_text(text, encoding="utf-8")
    return SEED, path


def stable(result, pair):
    """The result with the temporary folder's path replaced, for golden comparison."""
    text = json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    for path in pair:
        text = text.replace(str(path), path.name)
    return text


def check_golden(name, text):
    golden = GOLDEN / name
    if os.environ.get("CNBUDGET_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_seed_pair_golden_json(seed_pair):
    check_golden("seed-2023-2024.json", stable(diff(*seed_pair), seed_pair))


def test_seed_pair_golden_markdown(seed_pair):
    check_golden("seed-2023-2024.md", render_markdown(diff(*seed_pair)))


def test_seed_alone_golden_markdown(seed_alone):
    check_golden("seed-2023-as-stated.md", render_markdown(seed_alone))


def test_seed_pair_by_value(seed_pair):
    result = diff(*seed_pair)
    counts = result["summary"]["counts"]
    assert {k: counts[k] for k in ("changed", "renamed", "added", "removed", "recoded")} == {
        "changed": 7, "renamed": 1, "added": 1, "removed": 1, "recoded": 0}
    assert [(r["label"], r["status"], r["computed_change_yuan"]) for r in result["stated_vs_computed"]
            if r["status"] != "agrees"] == [("一般公共预算当年拨款", "differs", 553400), ("公务接待费", "differs", 3000)]
    [renamed] = result["renamed"]
    assert (renamed["old_label"], renamed["label"], renamed["function_code"]) == ("医疗卫生支出", "卫生健康支出", "210")


def test_csv_has_one_row_per_change(seed_pair):
    out = io.StringIO()
    render_csv(diff(*seed_pair), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == CHANGE_COLUMNS
    assert len(rows) == 10
    assert (rows[0]["label"], rows[0]["change_yuan"]) == ("一般公共预算当年拨款", "553400")


# ---------------------------------------------------------------- input forms and errors

def write_budget_lines(path, lines):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns("budget_lines"), lineterminator="\n")
        writer.writeheader()
        writer.writerows(lines)


def test_budget_lines_csvs_through_the_cli(tmp_path):
    old = [line(1, "overview", "total", "收支预算总数", 1000000)]
    new = [line(1, "overview", "total", "收支预算总数", 1200000, year=2024)]
    write_budget_lines(tmp_path / "old.csv", old)
    write_budget_lines(tmp_path / "new.csv", new)
    result = CliRunner().invoke(cli, ["diff", str(tmp_path / "old.csv"), str(tmp_path / "new.csv")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert brief(data, "changed") == [("overview", "total", "收支预算总数", 1000000, 1200000, 200000, "20.00")]
    assert data["summary"]["counts"]["units_compared"] == 1


def test_document_id_and_year_of_the_package(built_package, seed_alone):
    by_id = diff(None, "2023-panzhihua-xiqu-renda-budget", package_dir=built_package)
    by_year = diff(None, "2023", package_dir=built_package)
    assert by_id["changed"] == by_year["changed"] == seed_alone["changed"]
    assert by_id["stated_vs_computed"] == seed_alone["stated_vs_computed"]


@pytest.mark.parametrize("args", [["1999"], ["no-such-document"]])
def test_unknown_side_is_one_clear_error(args, built_package):
    result = CliRunner().invoke(cli, ["diff", *args, "--package", str(built_package)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {args[0]}: ")
    assert "Traceback" not in result.output


def test_csv_without_the_key_columns_is_rejected(tmp_path):
    (tmp_path / "bad.csv").write_text("document_id,amount_yuan\nx,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="its header lacks line_id"):
        diff(None, tmp_path / "bad.csv")


def test_markdown_and_csv_formats_through_the_cli():
    markdown = CliRunner().invoke(cli, ["diff", str(SEED), "--format", "markdown"])
    assert markdown.exit_code == 0, markdown.output
    assert "| 收支总体 | 556.28 | 644.66 | +88.38 | +15.89% |" in markdown.output
    table = CliRunner().invoke(cli, ["diff", str(SEED), "--format", "csv"])
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0] == ",".join(CHANGE_COLUMNS)


def test_readme_documents_every_json_key(seed_pair):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Diff and audit findings", 1)[1].split("\n## ", 1)[0]
    result = diff(*seed_pair)
    keys = set(result) | set(result["summary"]["counts"]) | set(result["changed"][0]) | {"source", "documents"}
    keys |= set(result["stated_vs_computed"][0]) - {"unit", "document_id", "change_id", "statement",
                                                     "statement_title", "item", "function_code", "label",
                                                     "prior_year", "direction", "change_text", "new_line_id",
                                                     "new_source_line", "old_document_id", "old_line_id",
                                                     "old_source_line"}
    for key in sorted(keys):
        documented = f"`{key}`" in section or (key.startswith(("old_", "new_")) and f"`{key[4:]}`" in section)
        assert documented, key


def test_unit_option(seed_pair):
    runner = CliRunner()
    kept = runner.invoke(cli, ["diff", *map(str, seed_pair), "--unit", "攀枝花市西区人大", "--format", "csv"])
    assert kept.exit_code == 0, kept.output
    assert len(kept.output.splitlines()) == 11
    unknown = runner.invoke(cli, ["diff", *map(str, seed_pair), "--unit", "其他单位"])
    assert unknown.exit_code == 1
    assert unknown.output == f"Error: --unit 其他单位: a unit of {seed_pair[0]}, which holds 攀枝花市西区人大\n"


@pytest.fixture(scope="module")
def two_year_package(seed_pair, tmp_path_factory):
    """A package built from the seed and its planted next year (a temp folder, never datasets/)."""
    import hashlib

    from cnbudget.package import build_package

    sources = tmp_path_factory.mktemp("sources")
    for path in seed_pair:
        year = path.name[:4]
        meta = json.loads((SEED.parent / (SEED.stem + ".provenance.json")).read_text(encoding="utf-8"))
        meta.update(file=path.name, fiscal_year=int(year), title=f"攀枝花市西区人大{year}年部门预算",
                    sha256=hashlib.sha256(path.read_bytes()).hexdigest(), synthetic=year != "2023")
        (sources / year).mkdir()
        (sources / year / path.name).write_bytes(path.read_bytes())
        (sources / year / (path.stem + ".provenance.json")).write_text(json.dumps(meta, ensure_ascii=False),
                                                                        encoding="utf-8")
    out = tmp_path_factory.mktemp("package") / "package"
    build_package(sources, out)
    return out


def test_package_changes_compare_consecutive_years(two_year_package):
    with open(two_year_package / "changes.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["basis"], r["new_document_id"][:4]) for r in rows].count(("as_stated", "2023")) == 4
    computed = [(r["kind"], r["label"], r["change_yuan"]) for r in rows if r["basis"] == "computed"]
    assert len(computed) == 10
    assert computed[:2] == [("changed", "一般公共预算当年拨款", "553400"), ("changed", "一般公共预算收入", "553400")]
    assert ("renamed", "卫生健康支出", "0") in computed
    assert [r["change_id"] for r in rows] == [str(n) for n in range(1, len(rows) + 1)]


def test_years_of_a_package(two_year_package, seed_pair):
    by_year = diff("2023", "2024", package_dir=two_year_package)
    by_file = diff(*seed_pair)
    assert by_year["summary"]["counts"] == by_file["summary"]["counts"]
    assert [e["change_yuan"] for e in by_year["changed"]] == [e["change_yuan"] for e in by_file["changed"]]
    assert [(r["label"], r["status"]) for r in by_year["stated_vs_computed"]] == [
        (r["label"], r["status"]) for r in by_file["stated_vs_computed"]]
    assert len(by_year["findings"]) == len(by_file["findings"]) == 11


@pytest.mark.parametrize("stated, pct_text, direction, status, compared", [
    (None, "10%", "increase", "agrees", "percent"),
    (None, "10.00%", "increase", "agrees", "percent"),
    (None, "9%", "increase", "differs", "percent"),
    (None, "10%", "decrease", "differs", "percent"),
    (None, None, "increase", "agrees", "direction"),
    (None, None, "flat", "differs", "direction"),
])
def test_a_change_stated_without_an_amount(stated, pct_text, direction, status, compared):
    old = [line(1, "overview", "total", "收支预算总数", 1000000)]
    new = [line(1, "overview", "total", "收支预算总数", 1100000)]
    stated_change = change(1, 1, "overview", "total", "收支预算总数", 0)
    stated_change.update(change_yuan=stated, change_pct_text=pct_text, direction=direction)
    [record] = compare(old, new, [stated_change])["stated_vs_computed"]
    assert (record["status"], record["compared"]) == (status, compared)


def test_long_results_are_compact_json_with_the_same_content():
    from cnbudget.diff import to_json

    old = [line(n, "performance", f"project:项目{n}", f"项目{n}", 10000, project_name=f"项目{n}") for n in range(1, 1202)]
    new = [dict(record, amount_yuan=record["amount_yuan"] + 100) for record in old]
    result = compare(old, new)
    assert len(result["changed"]) == 1201
    text = to_json(result)
    assert "\n" not in text and json.loads(text) == json.loads(json.dumps(result))
    short = compare(old[:2], new[:2])
    assert to_json(short).startswith('{\n "added": []')


def test_a_package_year_against_a_file(two_year_package, seed_pair):
    # OLD is read from the package's CSV (a polars frame), NEW extracted from a file (a list):
    # the mixed path must give the same result as two files.
    mixed = diff("2023", seed_pair[1], package_dir=two_year_package)
    by_file = diff(*seed_pair)
    assert mixed["summary"]["counts"] == by_file["summary"]["counts"]
    for kind in ("changed", "renamed", "added", "removed"):
        assert mixed[kind] == by_file[kind], kind
    assert mixed["stated_vs_computed"] == by_file["stated_vs_computed"]


def test_budget_and_final_accounts_are_different_series():
    from cnbudget.diff import Side

    def year_side(year, kinds):
        documents = {f"{year}-test-{key}": {"document_id": f"{year}-test-{key}", "unit_name": "测试单位",
                                            "kind": kind, "fiscal_year": year} for key, kind in kinds}
        side = Side(str(year), documents)
        side.set_records([dict(line(1, "overview", "total", "收支总数", 1000 * year), document_id=doc,
                               fiscal_year=year) for doc in documents])
        return side

    result = diff_sides(year_side(2023, [("budget", "部门预算")]),
                        year_side(2024, [("budget", "部门预算"), ("final", "部门决算")]))
    counts = result["summary"]["counts"]
    assert (counts["units_compared"], counts["units_only_new"], counts["added"]) == (1, 1, 0)
    assert [(e["new_document_id"], e["change_yuan"]) for e in result["changed"]] == [("2024-test-budget", 1000)]
