"""Reading any region's disclosure (synthetic examples, labelled so): covers, sentence forms,
web pages, several files as one document, sidecars, and inputs that are not disclosures."""

import json
import re
import subprocess
import sys

import pytest

from cnbudget.cover import read_cover
from cnbudget.errors import InputError
from cnbudget.extract import extract_file, extract_files
from cnbudget.reading import make_line

# A synthetic narrative disclosure of an unknown region: the generic reader, never a refusal.
SYNTHETIC = """{cover}

一、收支预算总体情况
2026年收支预算总计1,234.56万元，比2025年增加10.00万元。
二、“三公”经费预算情况
2026年“三公”经费预算数为5.00万元，其中：公务接待费5.00万元。
{body}
- 3 -
"""


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def extract_text(tmp_path, body="", cover="某某县文化局2026年部门预算", name="synthetic.txt"):
    return extract_file(write(tmp_path, name, SYNTHETIC.format(cover=cover, body=body)))


def lines_of(*texts):
    return [make_line(no, text) for no, text in enumerate(texts, start=1)]


@pytest.mark.parametrize("cover, unit, year, kind, level", [
    # Synthetic covers in each printed order, over one or several lines.
    (["国家信访局 2026 年度部门预算"], "国家信访局", 2026, "部门预算", "central"),
    (["2026 年深圳市审计局部门预算"], "深圳市审计局", 2026, "部门预算", "city"),
    (["    2026年", "珠海市商务局部门预算"], "珠海市商务局", 2026, "部门预算", "city"),
    (["西南大学", "2023 年度部门决算"], "西南大学", 2023, "部门决算", None),
    (["西安市统计局（汇总）", "", "2026年部门预算公开说明"], "西安市统计局", 2026, "部门预算", "city"),
    (["北京市退役军人事务局 2026 年度部门预算"], "北京市退役军人事务局", 2026, "部门预算", "province"),
    (["上海市普陀区人民政府万里街道办事处2025年单位预算"], "上海市普陀区人民政府万里街道办事处", 2025, "单位预算", "district"),
    (["某某县农业农村局2024年部门决算"], "某某县农业农村局", 2024, "部门决算", "county"),
    (["广东省财政厅2026年部门预算"], "广东省财政厅", 2026, "部门预算", "province"),
    # No cover: the second part's heading, then its title (Sichuan's template as a web page prints it so).
    (["第二部分  巴中市南江县教育局", "", "2023年部门预算情况说明"], "巴中市南江县教育局", 2023, "部门预算", "county"),
])
def test_cover_fields(cover, unit, year, kind, level):
    lines = lines_of(*cover)
    found = read_cover(lines, "\n".join(line.text for line in lines))
    assert (found["unit_name"], found["fiscal_year"], found["kind"], found["level"]) == (unit, year, kind, level)


def test_a_university_of_a_ministry_is_central():
    lines = lines_of("西南大学", "2021 年度部门预算")
    assert read_cover(lines, "西南大学是教育部直属的重点综合大学。")["level"] == "central"


def test_comprehensive_budget_is_recognised_from_its_tables():
    lines = lines_of("西安市统计局", "2026年部门预算公开说明")
    assert read_cover(lines, "表1 部门综合预算收支总表")["kind"] == "部门综合预算"


@pytest.mark.parametrize("cover, template, region, level", [
    ("深圳市审计局2026年部门预算", "guangdong", "广东省深圳市", "city"),
    ("烟台市审计局2026年部门预算", "shandong", "山东省烟台市", "city"),
    ("国家信访局2026年部门预算", "central", "中央", "central"),
    ("某某县文化局2026年部门预算", "generic", "某某县", "county"),  # an unknown region: generic, not refused
])
def test_regions_are_hints_and_an_unknown_region_is_read(tmp_path, cover, template, region, level):
    result = extract_text(tmp_path, cover=cover)
    document = result["document"]
    assert (document["template"], document["region"], document["level"]) == (template, region, level)
    assert [(l["statement"], l["item"], l["amount_fen"]) for l in result["budget_lines"]] == [
        ("overview", "total", 1_234_560_000), ("three_public", "total", 5_000_000), ("three_public", "reception", 5_000_000)]


@pytest.mark.parametrize("sentence, code, level, amount_fen", [
    # Synthetic sentences, one per printed form of a 类/款/项 line.
    ("1.公共安全支出（204类）司法（06款）行政运行（01项）120.50万元。", "2040601", "项", 120_500_000),
    ("2.一般公共服务支出（类）人大事务（款）行政运行（项）2026年预算数为381.83万元。", "2010101", "项", 3_818_300_00),
    ("3.行政运行（2010601）4,702.02万元，主要用于机关运转。", "2010601", "项", 47_020_200_00),
    ("4.一般公共服务支出-审计事务-行政运行60,445,848.46元，主要用于机关运转。", "2010801", "项", 6_044_584_846),
    ("5.2010801一般公共服务支出-审计事务-行政运行1,000.01元。", "2010801", "项", 100_001),
    ("6.“一般公共服务支出-审计事务-行政运行”科目2.63万元。", "2010801", "项", 26_300_00),
    ("7.住房保障支出（类）住房改革支出（款）住房公积金（项）24995.94万元。", "2210201", "项", 249_959_400_00),
])
def test_function_line_forms(tmp_path, sentence, code, level, amount_fen):
    result = extract_text(tmp_path, body="三、一般公共预算支出情况\n" + sentence)
    line = next(l for l in result["budget_lines"] if l["function_level"] == level)
    assert (line["function_code"], line["amount_fen"]) == (code, amount_fen)


def test_a_dash_path_without_a_code_is_inferred_and_says_so(tmp_path):
    result = extract_text(tmp_path, body="三、支出情况\n一般公共服务支出-审计事务-行政运行60,445,848.46元。")
    assert [w["rule"] for w in result["warnings"]] == ["inferred_function_code"]
    assert "2010801" in result["warnings"][0]["message"]


def test_amounts_in_yuan_with_fen_are_exact(tmp_path):
    result = extract_text(tmp_path, body="三、收入情况\n2026年部门财务总收入80,778,193.86元，其中：一般公共预算80,778,193.86元。")
    assert [(l["item"], l["amount_fen"], l["amount_yuan"], l["fund_source"]) for l in result["budget_lines"][3:]] == [
        ("total", 8_077_819_386, 80_778_194, None), ("general_budget", 8_077_819_386, 80_778_194, "一般公共预算")]


def test_an_amount_of_more_than_15_digits_is_one_error(tmp_path):
    path = write(tmp_path, "huge.txt", SYNTHETIC.format(cover="某某县文化局2026年部门预算",
                                                       body="三、收入情况\n收入预算" + "9" * 16 + "元。"))
    with pytest.raises(InputError, match=r"line 8: the amount .* more than 15 integer digits"):
        extract_file(path)


@pytest.mark.parametrize("text, figures", [
    # Hostile runs (synthetic): each reads as a few figures or none, never a hang. Their time is
    # measured in scripts/bench_national.py (linear: 20,000 characters in a fraction of a second).
    ("收入预算" + "1" * 20000, 3),
    ("比2025年" + "9" * 20000, 3),
    ("一般公共服务" + "（" * 5000 + "类" * 5000, 3),
    (("一般公共服务支出" + "-" * 2) * 3000, 3),
    ("占" + "1" * 20000, 3),
    ("收入1元" * 5000, 5003),
    ("比2025年增加1万元" * 2000, 3),
    ("行政运行（2010601）1元" * 2000, 2003),
])
def test_hostile_runs_are_read(tmp_path, text, figures):
    path = write(tmp_path, "hostile.txt", SYNTHETIC.format(cover="某某县文化局2026年部门预算", body=text + "。\n"))
    assert len(extract_file(path)["budget_lines"]) == figures


def test_a_text_that_ends_with_a_page_number_is_not_cut_off(tmp_path):
    assert extract_text(tmp_path)["document"]["fiscal_year"] == 2026


# A synthetic web page: navigation, scripts and styles around the article, and a table.
PAGE = """<!DOCTYPE html><html><head><title>某某县文化局2026年部门预算公开_某某县人民政府</title>
<style>p {{ color: red }}</style><script>var total = "9,999.00万元";</script></head><body>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zw">政务公开</a></li></ul></div>
<div class="article">
<p>一、收支预算总体情况</p>
<p>2026年收支预算总计1,234.56万元，比2025年增加10.00万元。</p>
<p>二、“三公”经费预算情况</p>
<p>2026年“三公”经费预算数为5.00万元，其中：公务接待费5.00万元，主要用于接待上级检查。</p>
<p>附表1 收支总表</p><p>单位：万元</p>
<table><tr><td colspan="2">收入</td><td colspan="2">支出</td></tr>
<tr><td>项目</td><td>预算数</td><td>项目</td><td>预算数</td></tr>
<tr><td>一、一般公共预算拨款收入</td><td>1,234.56</td><td>一、一般公共服务支出</td><td>1,234.56</td></tr>
<tr><td>收入总计</td><td>1,234.56</td><td>支出总计</td><td>1,234.56</td></tr></table>
<p>以上预算数据均为年初预算数，按照有关规定向社会公开，接受社会监督。</p>
</div><div class="footer"><a href="/about">关于我们</a> <a href="/map">网站地图</a></div></body></html>
"""


def test_a_web_page_is_read_as_its_article(tmp_path):
    result = extract_file(write(tmp_path, "page.html", PAGE))
    document = result["document"]
    assert (document["unit_name"], document["fiscal_year"], document["encoding"]) == ("某某县文化局", 2026, "html")
    narrative = [(l["statement"], l["item"], l["amount_fen"]) for l in result["budget_lines"] if not l["table_name"]]
    assert narrative == [("overview", "total", 1_234_560_000), ("three_public", "total", 5_000_000),
                         ("three_public", "reception", 5_000_000)]
    assert not any("9,999" in l["amount_text"] for l in result["budget_lines"])  # the script is not text
    assert not any("首页" in s["text"] for s in result["sections"])  # nor the navigation


def test_a_table_of_a_web_page_reaches_the_table_reader(tmp_path):
    pytest.importorskip("cnbudget.table_reader")
    result = extract_file(write(tmp_path, "page.html", PAGE))
    cells = [(l["item"], l["amount_fen"]) for l in result["budget_lines"] if l["table_name"]]
    assert ("income:general_budget", 1_234_560_000) in cells
    assert ("201", 1_234_560_000) in cells


def test_a_web_page_in_gbk(tmp_path):
    result = extract_file(write(tmp_path, "page.htm", PAGE.replace("<head>", '<head><meta charset="gbk">'), "gbk"))
    assert result["document"]["unit_name"] == "某某县文化局"


# Several files, one disclosure (synthetic): a narrative file and a tables file.
PART_1 = "某某县文化局2026年部门预算\n一、收支预算总体情况\n2026年收支预算总计1,234.56万元。\n二、“三公”经费\n" \
         "2026年“三公”经费预算数为5.00万元。\n"
PART_2 = "二、“三公”经费（续）\n公务接待费5.00万元。\n"


def test_several_files_are_one_document(tmp_path):
    first, second = write(tmp_path, "2026-x-budget-1-narrative.txt", PART_1), write(tmp_path, "2026-x-budget-2-tables.txt", PART_2)
    result = extract_files([first, second])
    assert result["document"]["document_id"] == "2026-x-budget"
    assert result["document"]["source_file"] == "2026-x-budget-1-narrative.txt;2026-x-budget-2-tables.txt"
    assert [(l["item"], l["source_line"]) for l in result["budget_lines"]] == [
        ("total", 3), ("total", 5), ("reception", 8)]  # lines numbered across the files


def test_a_sidecar_lists_the_files_of_one_document(tmp_path):
    write(tmp_path, "a-1.txt", PART_1), write(tmp_path, "a-2.txt", PART_2)
    write(tmp_path, "a.provenance.json", json.dumps({"files": ["a-1.txt", "a-2.txt"], "document_id": "a",
                                                    "region": "某省某县", "level": "county"}))
    result = extract_file(tmp_path / "a.txt", provenance=json.loads((tmp_path / "a.provenance.json").read_text()))
    assert (result["document"]["document_id"], result["document"]["level"], len(result["budget_lines"])) == ("a", "county", 3)


def test_cli_extract_reads_several_files_as_one(tmp_path):
    first, second = write(tmp_path, "b-1.txt", PART_1), write(tmp_path, "b-2.txt", PART_2)
    done = subprocess.run([sys.executable, "-m", "cnbudget.cli", "extract", str(first), str(second)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["document"]["budget_line_count"] == 3


@pytest.mark.parametrize("sidecar, message", [
    ('{"fiscal_year": 2026,\n "unit_name": ', "line 2: invalid JSON"),
    ("[1, 2]", "line 1: the sidecar is a JSON list; expected a JSON object"),
    ('{"fiscal_year": "abc"}', "`fiscal_year` is \"abc\"; expected a year"),
    ('{"file": "x.txt",\n "unit_name": 123}', "line 2: `unit_name` is 123; expected a string"),
    ('{"kind": "预算"}', "`kind` is \"预算\"; expected one of"),
    ('{"level": "town"}', "`level` is \"town\"; expected one of central"),
    ('{"files": ["../../etc/passwd"]}', "`files` is"),
    ('{"files": []}', "`files` is []"),
])
def test_bad_sidecars_are_one_clear_error(tmp_path, sidecar, message):
    source = write(tmp_path, "doc.txt", SYNTHETIC.format(cover="某某县文化局2026年部门预算", body=""))
    write(tmp_path, "doc.provenance.json", sidecar)
    done = subprocess.run([sys.executable, "-m", "cnbudget.cli", "extract", str(source)], capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(f"Error: {tmp_path / 'doc.provenance.json'}, ")
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name, content, message", [
    # Synthetic non-disclosures: a notice, an unrelated page, a recipe.
    ("notice.txt", "关于做好2026年部门预算公开工作的通知\n请各单位于3月底前在门户网站公开。\n", "not a budget disclosure"),
    ("page.html", "<html><head><title>天气预报</title></head><body><p>明天晴，气温20度。</p></body></html>",
     "not a budget disclosure"),
    ("recipe.txt", "番茄炒蛋\n鸡蛋两个，番茄一个，盐3元。\n", "not a budget disclosure"),
])
def test_what_is_not_a_disclosure_is_one_clear_error(tmp_path, name, content, message):
    path = write(tmp_path, name, content)
    done = subprocess.run([sys.executable, "-m", "cnbudget.cli", "extract", str(path)], capture_output=True, text=True)
    assert done.returncode == 1
    assert re.match(rf"Error: {re.escape(str(path))}, line 1: {message}", done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_shanghai_cover_without_its_usual_fields_is_read_not_refused(tmp_path):
    # Synthetic: a 市级 单位预算 cover with none of 预算主管部门/编制部门, and a table title of the template.
    text = ("上海市2024年市级单位预算\n上海市某某中心\n一、收支预算总体情况\n2024年收支预算总计100.00万元。\n"
            "二、“三公”经费\n2024年“三公”经费预算数为1.00万元。\n财务收支预算总表\n单位：万元\n以上数据为年初预算数。\n")
    result = extract_file(write(tmp_path, "sh.txt", text))
    assert (result["document"]["fiscal_year"], result["document"]["kind"]) == (2024, "单位预算")


def test_a_web_page_fragment_named_html_is_read_as_a_page(tmp_path):
    fragment = ('<div class="content"><p>某某县文化局2026年部门预算</p><p>一、收支预算总体情况</p>'
                '<p>2026年收支预算总计1,234.56万元。</p><p>二、“三公”经费</p><p>2026年“三公”经费预算数为5.00万元。</p></div>')
    result = extract_file(write(tmp_path, "fragment.html", fragment))
    assert (result["document"]["encoding"], len(result["budget_lines"])) == ("html", 2)


# Fuzzed synthetic narratives: fragments of the genre in random order. Whatever extract accepts,
# check and diff read without a traceback; whatever it refuses is one InputError.
FRAGMENTS = ["2026年", "收入预算", "支出预算", "“三公”经费", "公务接待费", "因公出国（境）费", "基本支出", "项目支出",
             "一般公共服务支出（类）", "人大事务（款）", "行政运行（项）", "（204类）", "（06款）", "（01项）", "（2010601）",
             "一般公共服务支出-审计事务-行政运行", "其中：", "，", "；", "、", "。", "比2025年", "增加", "减少", "持平",
             "占", "12.5%", "1,234.56", "24995.94", "80,778,193.86", "0", "无", "没有使用", "万元", "元", "亿元", "辆",
             "（", "）", "-", "主要原因是", "本年", "上年结转", "政府采购", "机关运行经费", "999999999999999999"]


@pytest.mark.parametrize("seed", range(200))
def test_fuzzed_narratives_never_end_in_a_traceback(tmp_path, seed):
    import random

    from cnbudget import diff as budget_diff
    from cnbudget.checks import check_extraction

    rng = random.Random(seed)
    body = "\n".join("".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(3, 40))) + "。" for _ in range(12))
    path = write(tmp_path, "fuzz.txt", SYNTHETIC.format(cover="某某县文化局2026年部门预算", body=body))
    try:
        result = extract_file(path)
    except InputError:
        return
    assert all(line["amount_fen"] is not None or line["quantity"] is not None for line in result["budget_lines"])
    assert isinstance(check_extraction(result), list)
    side = budget_diff.side_from_result("fuzz", result, with_findings=False)
    seed_side = budget_diff.side_from_result("synthetic", extract_text(tmp_path, name="base.txt"), with_findings=False)
    assert isinstance(budget_diff.diff_sides(seed_side, side), dict)


TAGS = ["<p>", "</p>", "<div>", "</div>", "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", '<td colspan="3">',
        '<td rowspan="999999">', "<th>", "<a href='/'>", "</a>", "<script>", "</script>", "<style>", "<br>", "<nav>",
        "</nav>", "<!--", "-->", "&nbsp;", "&#x4e00;", "<title>", "</title>", "<![CDATA[", "<", ">"]


@pytest.mark.parametrize("seed", range(100))
def test_fuzzed_web_pages_never_end_in_a_traceback(tmp_path, seed):
    import random

    rng = random.Random(seed)
    page = "".join(rng.choice(TAGS + FRAGMENTS) for _ in range(rng.randint(10, 400)))
    path = write(tmp_path, "fuzz.html", "<!DOCTYPE html><html><body><p>某某县文化局2026年部门预算</p>" + page)
    try:
        result = extract_file(path)
    except InputError:
        return
    assert all(line["amount_fen"] is not None or line["quantity"] is not None for line in result["budget_lines"])


def test_a_sidecar_naming_a_missing_file_is_one_error(tmp_path):
    source = write(tmp_path, "doc.txt", SYNTHETIC.format(cover="某某县文化局2026年部门预算", body=""))
    write(tmp_path, "doc.provenance.json", '{"files": ["doc.txt", "missing.pdf"]}')
    done = subprocess.run([sys.executable, "-m", "cnbudget.cli", "extract", str(source)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "`files` names 'missing.pdf', which is not beside the sidecar" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_paragraph_that_is_only_a_comparison_refers_to_the_paragraph_before(tmp_path):
    body = "三、收入情况\n2026年部门财务总收入80,778,193.86元，其中：一般公共预算80,778,193.86元。\n与上年对比增加55,108.00元，主要原因分析：人员增加。"
    result = extract_text(tmp_path, body=body)
    change = result["stated_changes"][-1]
    assert (change["statement"], change["item"], change["change_yuan"], change["reason_text"]) == (
        "income", "total", 55_108, "人员增加")
    assert change["line_id"] == result["budget_lines"][3]["line_id"]
