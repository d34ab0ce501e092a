"""The seed's figures, stated changes and codes, asserted by value; the number formats of the genre."""

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cnbudget.extract import extract_file
from tests.conftest import SEED

# (source_line, statement, item, function_code, amount_yuan or quantity, amount_text, stated_share):
# every figure the seed prints, in the order it prints them.
SEED_LINES = [
    (85, 'overview', 'total', None, 6446600, '644.66万元', None),
    (88, 'income', 'total', None, 6446600, '644.66万元', None),
    (88, 'income', 'general_budget', None, 5696600, '569.66万元', '88%'),
    (88, 'income', 'government_fund', None, 750000, '75万元', '12%'),
    (92, 'expenditure', 'total', None, 6446600, '644.66万元', None),
    (92, 'expenditure', 'basic', None, 5696600, '569.66万元', '88%'),
    (92, 'expenditure', 'project', None, 750000, '75万元', '12%'),
    (101, 'expenditure', '201', '201', 4333500, '433.35万元', None),
    (103, 'expenditure', '208', '208', 637900, '63.79万元', None),
    (105, 'expenditure', '210', '210', 302300, '30.23万元', None),
    (107, 'expenditure', '221', '221', 422800, '42.28万元', None),
    (109, 'expenditure', 'project', None, 750000, '75万元', None),
    (113, 'fiscal_appropriation', 'total', None, 6446600, '644.66万元', None),
    (113, 'fiscal_appropriation', 'general_budget', None, 5696600, '569.66万元', None),
    (113, 'fiscal_appropriation', 'government_fund', None, 750000, '75万元', None),
    (113, 'fiscal_appropriation', '201', '201', 4333500, '433.35万元', None),
    (113, 'fiscal_appropriation', '208', '208', 637900, '63.79万元', None),
    (113, 'fiscal_appropriation', '221', '221', 422800, '42.28万元', None),
    (113, 'fiscal_appropriation', '210', '210', 302300, '30.23万元', None),
    (119, 'general_budget', 'total', None, 5696600, '569.66万元', None),
    (122, 'general_budget', '201', '201', 4333500, '433.35万元', '67%'),
    (122, 'general_budget', '208', '208', 637900, '63.79万元', '14.72%'),
    (122, 'general_budget', '210', '210', 302300, '30.23万元', '6.98%'),
    (122, 'general_budget', '221', '221', 422800, '42.28万元', '9.76%'),
    (126, 'function_class', '2010101', '2010101', 3818300, '381.83万元', None),
    (128, 'function_class', '2010150', '2010150', 515200, '51.52万元', None),
    (130, 'function_class', '2080501', '2080501', 131900, '13.19万元', None),
    (132, 'function_class', '2080505', '2080505', 1144100, '114.41万元', None),
    (134, 'function_class', '2101101', '2101101', 240500, '24.05万元', None),
    (136, 'function_class', '2101102', '2101102', 31400, '3.14万元', None),
    (138, 'function_class', '2101103', '2101103', 27200, '2.72万元', None),
    (140, 'function_class', '2101199', '2101199', 3200, '0.32万元', None),
    (142, 'function_class', '2210201', '2210201', 422800, '42.28万元', None),
    (146, 'basic_expenditure', 'total', None, 5696600, '569.66万元', None),
    (148, 'basic_expenditure', 'personnel', None, 5091600, '509.16万元', None),
    (150, 'basic_expenditure', 'public_use', None, 605000, '60.50万元', None),
    (154, 'three_public', 'total', None, 5000, '0.5万元', None),
    (154, 'three_public', 'overseas_travel', None, 0, '0万元', None),
    (154, 'three_public', 'reception', None, 5000, '0.5万元', None),
    (154, 'three_public', 'vehicles', None, 0, '0万元', None),
    (161, 'three_public', 'vehicles_owned', None, 0, '0辆', None),
    (161, 'three_public', 'vehicles_owned:轿车(含7座以下商务车、城市越野车)', None, 0, '0辆', None),
    (161, 'three_public', 'vehicles_owned:7座以上19座(含19座)以下客车', None, 0, '0辆', None),
    (161, 'three_public', 'vehicles_owned:越野车', None, 0, '0辆', None),
    (161, 'three_public', 'vehicles_owned:货车及19座以上客车', None, 0, '0辆', None),
    (161, 'three_public', 'vehicles_owned:摩托车', None, 0, '0辆', None),
    (163, 'three_public', 'vehicle_purchase', None, 0, '0万元', None),
    (163, 'three_public', 'vehicles_to_buy', None, 0, '0辆', None),
    (163, 'three_public', 'vehicles_to_buy:轿车(含7座以下商务车、城市越野车)', None, 0, '0辆', None),
    (163, 'three_public', 'vehicles_to_buy:7座以上19座(含19座)以下客车', None, 0, '0辆', None),
    (163, 'three_public', 'vehicles_to_buy:越野车', None, 0, '0辆', None),
    (163, 'three_public', 'vehicles_to_buy:货车及19座以上客车', None, 0, '0辆', None),
    (163, 'three_public', 'vehicles_to_buy:摩托车', None, 0, '0辆', None),
    (165, 'three_public', 'vehicle_operation', None, 0, '0万元', None),
    (169, 'three_public', 'non_fiscal', None, 0, '没有使用', None),
    (172, 'government_fund', 'total', None, 750000, '75万元', None),
    (172, 'government_fund', 'project', None, 750000, '75万元', None),
    (176, 'state_capital', 'total', None, 0, '没有使用', None),
    (181, 'agency_operating', 'total', None, 605000, '60.50万元', None),
    (184, 'procurement', 'total', None, 13800, '1.38万元', None),
    (184, 'procurement', 'goods', None, 13800, '1.38万元', None),
    (186, 'assets', 'vehicles_owned', None, 0, '0辆', None),
    (186, 'assets', 'vehicles_owned:一般公务用车', None, 0, '0辆', None),
    (186, 'assets', 'vehicles_owned:一般执法执勤用车', None, 0, '0辆', None),
    (186, 'assets', 'vehicles_owned:特种专业技术用车', None, 0, '0辆', None),
    (186, 'assets', 'vehicles_owned:其他用车', None, 0, '0辆', None),
    (186, 'assets', 'equipment:单价50万元以上通用设备', None, 0, '0台（套）', None),
    (186, 'assets', 'equipment:单价100万元以上专用设备', None, 0, '0台（套）', None),
    (190, 'performance', 'total', None, 750000, '75万元', None),
    (190, 'performance', 'project:人大业务项目', None, 400000, '40万元', None),
    (190, 'performance', 'project:在线监督建设项目', None, 80000, '8万元', None),
    (190, 'performance', 'project:人代会会议项目', None, 270000, '27万元', None),
]

# (statement, item, line_id, prior_year, direction, change_yuan, change_text, reason_text, source_line)
SEED_CHANGES = [
    ("overview", "total", 1, 2022, "increase", 883800, "比2022年收支预算总数增加88.38万元",
     "单位人员变动，工资待遇变动，保险公积金变动", 85),
    ("general_budget", "total", 20, 2022, "increase", 985800, "比2022年预算数增加98.58万元",
     "单位人员变动，工资待遇变动，保险公积金变动", 119),
    ("three_public", "overseas_travel", 38, 2022, "flat", 0, "与上年持平", None, 155),
    ("three_public", "reception", 39, 2022, "flat", 0, "与2022年预算持平", None, 157),
    ("three_public", "vehicles", 40, 2022, "flat", 0, "与上年持平", None, 160),
    ("government_fund", "project", 57, 2022, "decrease", -102000, "比2022年预算数减少10.2万元",
     "节约开支，开源节流", 172),
    ("agency_operating", "total", 59, 2022, "increase", 88500, "比2022年预算增加8.85万元",
     "单位人员变动，工资待遇变动，保险公积金变动", 181),
]


def figure(line):
    value = line["amount_yuan"] if line["quantity"] is None else line["quantity"]
    return (line["source_line"], line["statement"], line["item"], line["function_code"], value,
            line["amount_text"], line["stated_share"])


def test_seed_document(seed_extraction):
    document = seed_extraction["document"]
    assert document["document_id"] == "2023-panzhihua-xiqu-renda-budget"
    assert document["unit_name"] == "攀枝花市西区人大"
    assert document["fiscal_year"] == 2023
    assert document["kind"] == "部门预算"
    assert document["template"] == "sichuan"
    assert document["sha256"] == "c55a25d04d21796b826716a8f44f34eea44928795800ffdc558a7796398fed4d"
    assert document["source_url"] is None
    assert document["budget_line_count"] == 72
    assert document["warning_count"] == 0


def test_every_seed_figure(seed_extraction):
    assert [figure(line) for line in seed_extraction["budget_lines"]] == SEED_LINES


def test_seed_figures_keep_their_sentence(seed_extraction):
    lines = {line["line_id"]: line for line in seed_extraction["budget_lines"]}
    assert lines[1]["source_text"].endswith(
        "西区人大2023年收支预算总数644.66万元,比2022年收支预算总数增加88.38万元，"
        "主要原因是单位人员变动，工资待遇变动，保险公积金变动。")
    assert lines[39]["source_text"] == ("2023年，“三公”经费财政拨款预算数0.5万元，其中：因公出国（境）经费0万元、"
                                        "公务接待费0.5万元、公务用车购置及运行维护费0万元。")
    assert lines[39]["label"] == "公务接待费"
    seed_text = SEED.read_text(encoding="utf-8").splitlines()
    for line in seed_extraction["budget_lines"]:
        assert line["source_text"] in seed_text[line["source_line"] - 1]
        assert line["amount_text"] in line["source_text"]


def test_every_seed_stated_change(seed_extraction):
    got = [(c["statement"], c["item"], c["line_id"], c["prior_year"], c["direction"], c["change_yuan"],
            c["change_text"], c["reason_text"], c["source_line"]) for c in seed_extraction["stated_changes"]]
    assert got == SEED_CHANGES


@pytest.mark.parametrize("label, code, level", [
    ("一般公共服务（类）人大事务（款）行政运行（项）", "2010101", "项"),
    ("一般公共服务（类）人大事务（款）事业运行（项）", "2010150", "项"),
    ("社会保障和就业支出（类）行政事业单位养老保险缴费支出（款）行政单位离退休（项）", "2080501", "项"),
    ("社会保障和就业支出（类）行政事业单位养老保险缴费支出（款）机关事业单位基本养老保险缴费支出（项）", "2080505", "项"),
    ("卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）", "2101101", "项"),
    ("卫生健康支出（类）行政事业单位医疗（款）事业单位医疗（项）", "2101102", "项"),
    ("卫生健康支出（类）行政事业单位医疗（款）公务员医疗补助（项）", "2101103", "项"),
    ("卫生健康支出（类）行政事业单位医疗（款）其他行政事业单位医疗补助（项）", "2101199", "项"),
    ("住房保障支出（类）住房改革支出（款）住房公积金（项）", "2210201", "项"),
    ("一般公共服务支出", "201", "类"),
    ("社会保障和就业支出", "208", "类"),
    ("医疗卫生支出", "210", "类"),
    ("住房保障支出", "221", "类"),
])
def test_seed_function_codes(seed_extraction, label, code, level):
    coded = {(line["label"], line["function_code"], line["function_level"])
             for line in seed_extraction["budget_lines"] if line["function_code"]}
    assert (label, code, level) in coded


def disclosure(*sentences, year="2023"):
    """A minimal disclosure in the seed's template around the given sentences."""
    return "\n".join([
        "第一部分  某某单位单位概况", "一、主要职责", "（1）负责某某工作。",
        "第二部分  某某单位", f"{year}年部门预算情况说明", "收支预算总体情况", *sentences,
        "五、“三公”经费财政拨款预算安排情况说明",
        f"{year}年，“三公”经费财政拨款预算数0.5万元，其中：因公出国（境）经费0万元、公务接待费0.5万元、公务用车购置及运行维护费0万元。",
        "第三部分  名词解释", "1.财政拨款：指由一般公共预算、政府性基金预算安排的财政拨款数。", "",
    ])


def extract_text(tmp_path, text, encoding="utf-8", name="doc.txt"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return extract_file(path)


@pytest.mark.parametrize("sentence, statement, item, amount_yuan, amount_text", [
    ("2023年收支预算总数644.66万元。", "overview", "total", 6446600, "644.66万元"),
    ("２０２３年收支预算总数６４４．６６万元。", "overview", "total", 6446600, "６４４．６６万元"),
    ("2023年收支预算总数6,446,600元。", "overview", "total", 6446600, "6,446,600元"),
    ("2023年收支预算总数６，４４６，６００元。", "overview", "total", 6446600, "６，４４６，６００元"),
    ("2023年收支预算总数16,497.86万元。", "overview", "total", 164978600, "16,497.86万元"),
    ("2023年收支预算总数1.2亿元。", "overview", "total", 120000000, "1.2亿元"),
    ("2023年收支预算总数 644.66 万元。", "overview", "total", 6446600, "644.66 万元"),
    ("2023年，收入预算644.66万元。", "income", "total", 6446600, "644.66万元"),
    ("（一）2023年，收入预算为644.66万元。", "income", "total", 6446600, "644.66万元"),
    ("1、政府采购预算1.38万元。", "procurement", "total", 13800, "1.38万元"),
    ("2023年，机关运行经费财政拨款预算为60.50万元。", "agency_operating", "total", 605000, "60.50万元"),
    ("2023年，一般公共预算当年拨款0万元。", "general_budget", "total", 0, "0万元"),
    ("2023年没有使用国有资本经营预算拨款安排的支出。", "state_capital", "total", 0, "没有使用"),
    ("2023年，政府采购预算无。", "procurement", "total", 0, "无"),
    ("2023年，“三公”经费财政拨款预算为无，其中：公务接待费无、公务用车运行维护费0万元。", "three_public", "total", 0, "无"),
])
def test_number_and_unit_variants(tmp_path, sentence, statement, item, amount_yuan, amount_text):
    result = extract_text(tmp_path, disclosure(sentence))
    first = result["budget_lines"][0]
    assert (first["statement"], first["item"], first["amount_yuan"], first["amount_text"]) == \
           (statement, item, amount_yuan, amount_text)
    assert result["warnings"] == []


@pytest.mark.parametrize("sentence, code, level", [
    ("1.一般公共服务（类）人大事务（款）行政运行（项）2023年预算数为381.83万元。", "2010101", "项"),
    ("（1）一般公共服务（类）人大事务（款）行政运行（项）2023年预算数为381.83万元。", "2010101", "项"),
    ("一般公共服务（类）人大事务（款）行政运行（项）2023年预算数为381.83万元。", "2010101", "项"),
    ("一般公共服务(类)人大事务(款)行政运行(项)2023年预算数为381.83万元。", "2010101", "项"),
])
def test_numbering_variants(tmp_path, sentence, code, level):
    line = extract_text(tmp_path, disclosure(sentence))["budget_lines"][0]
    assert (line["function_code"], line["function_level"], line["amount_yuan"]) == (code, level, 3818300)


def test_unknown_function_name_keeps_the_line_and_warns(tmp_path):
    result = extract_text(tmp_path, disclosure("1.一般公共服务（类）人大事务（款）新设事项（项）2023年预算数为1.00万元。"))
    line = result["budget_lines"][0]
    assert (line["function_code"], line["function_level"], line["amount_yuan"]) == (None, "项", 10000)
    assert line["label"] == "一般公共服务（类）人大事务（款）新设事项（项）"
    assert [(w["rule"], w["source_line"]) for w in result["warnings"]] == [("unknown_function_name", 7)]


def test_unplaced_amount_is_a_warning_not_dropped(tmp_path):
    result = extract_text(tmp_path, disclosure("2023年，某种说不清的款项12.00万元。"))
    assert [(w["rule"], w["source_line"], w["source_text"]) for w in result["warnings"]] == [
        ("unplaced_amount", 7, "2023年，某种说不清的款项12.00万元。")]


def test_shares_are_kept_as_printed(tmp_path):
    result = extract_text(tmp_path, disclosure(
        "2023年，收入预算644.66万元，其中：一般公共预算收入569.66万元，占88%；政府性基金预算收入75万元，占１２％。"))
    assert [(l["item"], l["stated_share"]) for l in result["budget_lines"][:3]] == [
        ("total", None), ("general_budget", "88%"), ("government_fund", "12%")]


@pytest.mark.parametrize("sentence, direction, change_yuan, prior_year", [
    ("2023年收支预算总数644.66万元，比2022年增加88.38万元。", "increase", 883800, 2022),
    ("2023年收支预算总数644.66万元，比上年减少1,000元。", "decrease", -1000, 2022),
    ("2023年收支预算总数644.66万元，与上年持平。", "flat", 0, 2022),
    ("2023年收支预算总数644.66万元，较2021年增长0.5亿元。", "increase", 50000000, 2021),
])
def test_stated_change_variants(tmp_path, sentence, direction, change_yuan, prior_year):
    change = extract_text(tmp_path, disclosure(sentence))["stated_changes"][0]
    assert (change["statement"], change["item"], change["line_id"]) == ("overview", "total", 1)
    assert (change["direction"], change["change_yuan"], change["prior_year"]) == (direction, change_yuan, prior_year)


@pytest.mark.parametrize("encoding, newline", [
    ("utf-8", "\n"), ("utf-8-sig", "\n"), ("gb18030", "\n"), ("gbk", "\r\n"), ("utf-8", "\r\n"),
])
def test_encodings_and_line_endings_give_the_same_figures(tmp_path, seed_extraction, encoding, newline):
    text = SEED.read_text(encoding="utf-8").replace("\n", newline)
    result = extract_text(tmp_path, text, encoding=encoding, name=SEED.name)
    strip = lambda lines: [{k: v for k, v in l.items() if k != "document_id"} for l in lines]
    assert strip(result["budget_lines"]) == strip(seed_extraction["budget_lines"])
    assert result["document"]["encoding"] == {"utf-8-sig": "utf-8-bom", "gbk": "gb18030"}.get(encoding, encoding)


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "cnbudget.cli", *args], capture_output=True, text=True)


@pytest.mark.parametrize("content, message", [
    (b"", "line 1: the file is empty"),
    (b"   \n\n", "line 1: the file is empty"),
    ("这是一份菜谱。\n先烧水，再下面条。\n".encode(), "line 1: not a budget disclosure"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00binary", "line 1: binary data"),
    (b"\xff\xfe\xfa\xfb not text \x81", "undecodable bytes"),
    (SEED.read_bytes()[:15000], "line 93: the text stops mid-sentence"),
    ("\n".join(SEED.read_text(encoding="utf-8").splitlines()[:150]).encode(),
     "line 150: no “三公”经费 section"),
])
def test_bad_input_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = run_cli("extract", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {path}, ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_extract_prints_one_json_object():
    result = run_cli("extract", str(SEED))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"document", "budget_lines", "stated_changes", "warnings"} <= set(data)
    assert len(data["budget_lines"]) == 72
    assert data["budget_lines"][0]["amount_yuan"] == 6446600


@pytest.mark.parametrize("sentence, code, level, label", [
    ("1.行政运行（2010101）2023年预算数为381.83万元。", "2010101", "项", "行政运行（2010101）"),
    ("2.2010150事业运行：2023年预算数为51.52万元。", "2010150", "项", "2010150事业运行"),
    ("一般公共服务（201）人大事务（20101）行政运行（2010101）2023年预算数为381.83万元。", "2010101", "项",
     "一般公共服务（201）人大事务（20101）行政运行（2010101）"),
])
def test_codes_printed_beside_names(tmp_path, sentence, code, level, label):
    line = extract_text(tmp_path, disclosure(sentence))["budget_lines"][0]
    assert (line["function_code"], line["function_level"], line["statement"]) == (code, level, "function_class")
    assert line["label"] == label


def test_unknown_printed_code_joins_the_function_codes(tmp_path):
    result = extract_text(tmp_path, disclosure("1.人大新事项（2010188）2023年预算数为1.00万元。"))
    assert result["budget_lines"][0]["function_code"] == "2010188"
    assert result["function_codes"] == [
        {"code": "2010188", "level": "项", "name": "人大新事项", "parent": "20101"}]
    assert result["budget_lines"][0]["label"] == "人大新事项（2010188）"


@pytest.mark.parametrize("sentence, direction, change_yuan, prior_year", [
    ("2023年收支预算总数644.66万元，与2022年相比，增加88.38万元。", "increase", 883800, 2022),
    ("2023年收支预算总数644.66万元，同比下降5.2%。", "decrease", None, 2022),
    ("2023年收支预算总数644.66万元，较上年度无变化。", "flat", 0, 2022),
])
def test_more_change_phrasings(tmp_path, sentence, direction, change_yuan, prior_year):
    change = extract_text(tmp_path, disclosure(sentence))["stated_changes"][0]
    assert (change["direction"], change["change_yuan"], change["prior_year"], change["line_id"]) == \
           (direction, change_yuan, prior_year, 1)


def test_heading_that_runs_into_its_first_sentence_sets_the_statement(tmp_path):
    result = extract_text(tmp_path, disclosure(
        "（一）收入预算情况：2024年，收入预算100万元，其中：一般公共预算拨款收入90万元，占90%；上年结转10万元，占10%。",
        year="2024"))
    assert [(l["statement"], l["item"], l["amount_yuan"], l["stated_share"]) for l in result["budget_lines"][:3]] == [
        ("income", "total", 1000000, None), ("income", "general_budget", 900000, "90%"),
        ("income", "carryover", 100000, "10%")]
    section = next(s for s in result["sections"] if s["heading"] == "（一）收入预算情况")
    assert section["text"].startswith("2024年，收入预算100万元")


@pytest.mark.parametrize("sentences, expected", [
    (["七、政府性基金预算支出情况说明", "2024年，本部门无政府性基金预算支出。"],
     [("government_fund", "total", 0, "无")]),
    (["九、其他重要事项的情况说明", "政府采购情况", "2024年，本部门安排政府采购预算30万元，其中：货物类10万元、服务类20万元。"],
     [("procurement", "total", 300000, "30万元"), ("procurement", "goods", 100000, "10万元"),
      ("procurement", "services", 200000, "20万元")]),
    (["（二）国有资产占有使用情况", "截至2023年底，单位价值50万元以上通用设备1台（套），单位价值100万元（含）以上专用设备0台（套）。"],
     [("assets", "equipment:单位价值50万元以上通用设备", 1, "1台（套）"),
      ("assets", "equipment:单位价值100万元(含)以上专用设备", 0, "0台（套）")]),
])
def test_other_units_phrasings(tmp_path, sentences, expected):
    result = extract_text(tmp_path, disclosure(*sentences, year="2024"))
    got = [(l["statement"], l["item"], l["amount_yuan"] if l["quantity"] is None else l["quantity"], l["amount_text"])
           for l in result["budget_lines"] if l["statement"] != "three_public"]
    assert got == expected
    assert result["warnings"] == []


def test_nil_with_a_comparison_is_a_figure_and_the_comparison_attaches_to_it(tmp_path):
    # In the seed, '因公出国（境）经费无预算与上年持平' restates line 38 and adds no line (72 lines in all).
    result = extract_text(tmp_path, disclosure("五、“三公”经费财政拨款预算安排情况说明",
                                               "1.因公出国（境）经费：2023年无预算安排，与上年持平。"))
    nil = next(l for l in result["budget_lines"] if l["item"] == "overseas_travel")
    assert (nil["amount_yuan"], nil["amount_text"], nil["source_line"]) == (0, "无预算", 8)
    change = result["stated_changes"][0]
    assert (change["item"], change["line_id"], change["direction"]) == ("overseas_travel", nil["line_id"], "flat")


def test_reason_after_主要变动原因(tmp_path):
    change = extract_text(tmp_path, disclosure("2023年收支预算总数644.66万元，比2022年减少1万元，主要变动原因是人员减少。"))["stated_changes"][0]
    assert change["reason_text"] == "人员减少"


@pytest.mark.parametrize("sentence, code, level", [
    ("1.一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）行政运行（项）2023年预算数为10.00万元。", "2010301", "项"),
    ("1.一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）2023年预算数为10.00万元。", "20103", "款"),
    ("1.一般公共服务支出（类）2023年预算数为10.00万元。", "201", "类"),
])
def test_triples_with_brackets_inside_names_and_missing_levels(tmp_path, sentence, code, level):
    line = extract_text(tmp_path, disclosure(sentence))["budget_lines"][0]
    assert (line["function_code"], line["function_level"], line["amount_yuan"]) == (code, level, 100000)


def test_planned_vehicle_purchases_are_not_owned_vehicles(tmp_path):
    result = extract_text(tmp_path, disclosure("五、“三公”经费财政拨款预算安排情况说明", "2023年，计划购置车辆1辆。"))
    assert [(l["item"], l["quantity"]) for l in result["budget_lines"] if l["quantity"] is not None] == [
        ("vehicles_to_buy", 1)]


FINAL_ACCOUNTS = """第一部分  某某局概况
一、主要职能
负责某某工作。
第二部分  2022年度部门决算情况说明
一、收入支出决算总体情况说明
2022年度收、支总计1,234.56万元。与2021年相比，收、支总计各增加100.00万元，增长8.8%。主要变动原因是人员增加。
二、收入决算情况说明
2022年本年收入合计1,100.00万元，其中：一般公共预算财政拨款收入1,000.00万元，占90.91%；事业收入100.00万元，占9.09%。
五、一般公共预算财政拨款支出决算情况说明
2022年一般公共预算财政拨款支出1,000.00万元，占本年支出合计的86.96%。与2021年相比，一般公共预算财政拨款支出增加50.00万元，增长5.26%。
1.一般公共服务支出（类）人大事务（款）行政运行（项）:支出决算为800.00万元，完成预算100%。
七、“三公”经费财政拨款支出决算情况说明
2022年“三公”经费财政拨款支出决算中，因公出国（境）费支出决算0万元，占0%；公务用车购置及运行维护费支出决算1.50万元，占75%；公务接待费支出决算0.50万元，占25%。
"""


def test_final_accounts_of_the_same_template(tmp_path):
    result = extract_text(tmp_path, FINAL_ACCOUNTS)
    assert (result["document"]["kind"], result["document"]["fiscal_year"]) == ("部门决算", 2022)
    assert [(l["statement"], l["item"], l["label"], l["amount_yuan"], l["stated_share"])
            for l in result["budget_lines"]] == [
        ("overview", "total", "收、支总计", 12345600, None),
        ("income", "total", "收入合计", 11000000, None),
        ("income", "general_budget", "一般公共预算财政拨款收入", 10000000, "90.91%"),
        ("income", "business_income", "事业收入", 1000000, "9.09%"),
        ("general_budget", "total", "一般公共预算财政拨款支出", 10000000, "86.96%"),
        ("function_class", "2010101", "一般公共服务支出（类）人大事务（款）行政运行（项）", 8000000, None),
        ("three_public", "overseas_travel", "因公出国（境）费支出决算", 0, "0%"),
        ("three_public", "vehicles", "公务用车购置及运行维护费支出决算", 15000, "75%"),
        ("three_public", "reception", "公务接待费支出决算", 5000, "25%"),
    ]
    assert [(c["statement"], c["change_yuan"], c["prior_year"], c["change_pct_text"]) for c in result["stated_changes"]] == [
        ("overview", 1000000, 2021, "8.8%"), ("general_budget", 500000, 2021, "5.26%")]
    assert result["warnings"] == []


@pytest.mark.parametrize("sentence", [
    "2023年收支预算总数644.66万元，比2022年收支预算总数增加88.38万元，主要原因是，人员变动。",
    "2023年收支预算总数644.66万元，比2022年收支预算总数增加88.38万元，主要原因是：人员变动。",
    "2023年收支预算总数644.66万元，比2022年收支预算总数增加88.38万元，主要原因是人员变动。",
])
def test_a_stated_reason_starts_at_its_words_not_at_the_comma_after_是(tmp_path, sentence):
    change = extract_text(tmp_path, disclosure(sentence))["stated_changes"][0]
    assert change["reason_text"] == "人员变动"


@pytest.mark.parametrize("number, unit, fen", [
    ("1,041.25", "万元", 10_412_500_00),
    ("569.35", "万元", 5_693_500_00),
    ("0.001", "万元", 1_000),
    ("80,778,193.86", "元", 8_077_819_386),
    ("1.5", "元", 150),
    ("12", "亿元", 1_200_000_000_00),
    ("0", "元", 0),
])
def test_fen_of_reads_exact_fen_by_integers(number, unit, fen):
    from cnbudget.numbers import fen_of, fen_int, to_yuan
    assert fen_of(number, unit) == fen == fen_int(to_yuan(number, unit))


@pytest.mark.parametrize("number, unit", [
    ("1.234", "元"),  # finer than 分: the Decimal path warns
    ("1234567890123456", "元"),  # 16 integer digits: to_yuan refuses them with their line
    ("9999999999", "亿元"),  # past a signed 64-bit integer of 分: to_yuan refuses it
])
def test_fen_of_leaves_the_hard_cases_to_to_yuan(number, unit):
    from cnbudget.numbers import fen_of
    assert fen_of(number, unit) is None


def test_a_budget_line_has_every_column_of_the_schema_in_order():
    from cnbudget.extract import Extraction
    from cnbudget.reading import Line, Sentence
    from cnbudget.schema import columns
    doc = Extraction(Path("x.txt"), {"document_id": "x", "fiscal_year": 2024, "kind": "部门预算"}, [])
    line = Line(1, "收入预算644.66万元", "收入预算644.66万元", None)
    doc.add_line("income", "total", "收入预算", "644.66万元", Sentence(line, line.text, line.raw), fen=6_446_600_00)
    doc.add_line("assets", "vehicles", "车辆", "2辆", Sentence(line, line.text, line.raw), quantity=2, quantity_unit="辆")
    assert [list(record) for record in doc.budget_lines] == [columns("budget_lines")] * 2
    assert doc.budget_lines[0]["amount_yuan"] == 6_446_600 and doc.budget_lines[0]["phase"] == "budget"
    assert doc.budget_lines[1]["amount_fen"] is None and doc.budget_lines[1]["phase"] is None


def test_a_missing_file_is_one_input_error_naming_it(tmp_path):
    from cnbudget.errors import InputError
    with pytest.raises(InputError, match="no such file"):
        extract_file(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="no such file"):
        extract_file(tmp_path)  # a folder


@pytest.mark.parametrize("text, expected", [
    ("概况" * 3000 + "收入预算644.66万元", True),  # found although the prose before it is long
    ("收入预算644.66\n 万元", True),  # the unit on the next line
    ("经费保障有力，单位运转正常", False),
    ("2023年元旦", False),  # a 元 with no number before it
])
def test_states_an_amount(text, expected):
    from cnbudget.extract import states_an_amount
    assert states_an_amount(text) is expected


def test_states_an_amount_as_searching_from_before_the_first_yuan():
    import random

    from cnbudget.extract import AMOUNT_LEAD, AMOUNT_RE, states_an_amount
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice("0123456789,. 元万亿a٣\n\u3000x") for _ in range(rng.randint(0, 16)))
        if rng.random() < 0.1:
            text = "9" * rng.randint(990, 1010) + text  # a run reaching past AMOUNT_LEAD
        first = text.find("元")
        expected = first >= 0 and AMOUNT_RE.search(text, max(0, first - AMOUNT_LEAD)) is not None
        assert states_an_amount(text) is expected, text


def test_a_clause_classified_alike_whatever_its_numbering_or_unit():
    """classify's readings cached apart (function_line, classify_words, clean_unnumbered) give one answer per clause."""
    from cnbudget.narrative import classify, clean_label, clean_unnumbered
    clause = "卫生健康支出(类)行政事业单位医疗(款)行政单位医疗(项)2021年预算数为"
    label = clean_label(clause)
    assert label == "卫生健康支出(类)行政事业单位医疗(款)行政单位医疗(项)"
    for printed in (clause, "1." + clause, "6. " + clause, "(二)" + clause):
        assert clean_label(printed) == label == clean_unnumbered(clause)
        assert classify(label, "general_budget", printed) == classify(label, "general_budget", clause)
        assert classify(label, "general_budget", printed)[0] == "function_class"
    for unit in ("阆中市民政局", "乐至县司法局"):
        printed = f"{unit}2021年收支预算总数"
        assert clean_label(printed) == "收支预算总数"
        assert classify("收支预算总数", "overview", printed) == ("overview", "total", {})


@pytest.mark.parametrize("name, code, expected", [
    ("行政运行(2010101)", "2010101", "行政运行"),
    ("（2010101）行政运行", "2010101", "行政运行"),
    ("2010101行政运行2010101)", "2010101", "行政运行"),
    ("行政运行", "2010101", "行政运行"),
])
def test_without_code_takes_the_code_and_its_brackets_out(name, code, expected):
    from cnbudget.extract import without_code
    assert without_code(name, code) == expected


@pytest.mark.parametrize("number, unit, expected", [
    ("39.17", "万元", 391700),
    ("1,527.59", "万元", 15275900),
    ("12.30", "元", None),  # 角 and 分: not a whole number of 元
    ("0.00", "元", 0),
    ("1.234567", "万元", None),  # finer than 元 in 万元
    ("0.1234567", "万元", None),  # finer than 分: to_yuan decides
    ("3", "亿元", 300000000),
])
def test_whole_yuan_is_yuan_int_of_to_yuan(number, unit, expected):
    from cnbudget.narrative import whole_yuan
    from cnbudget.numbers import to_yuan, yuan_int
    assert whole_yuan(number, unit) == expected == yuan_int(to_yuan(number, unit))


@pytest.mark.parametrize("text", ["2024年预算情况", "预算情况", "二〇二四年", "1年", "2024年度2025年"])
def test_without_years_is_year_word_sub(text):
    from cnbudget.narrative import YEAR_WORD, without_years
    assert without_years(text) == YEAR_WORD.sub("", text)


@pytest.mark.parametrize("stack, expected", [
    ([], False), ([(1, "第二部分", None)], False), ([(1, "第二部分", None), (2, "一、收入", "income")], True),
    ([(2, "一、收入", "income"), (3, "（一）", None)], True),
])
def test_has_chapter_is_any_level_two(stack, expected):
    from cnbudget.narrative import has_chapter
    assert has_chapter(stack) is expected is any(level == 2 for level, _, _ in stack)


@pytest.mark.parametrize("text", [
    "2021年,收入预算1527.59万元", "元", "共计元", "12 万元", "合计3\u3000元", "5辆汽车,收入10元", "1台(套)无", "年无“三公”",
    "预算为万元", "因公出国(境)经费无预算与上年持平", "2024年预算", "万元12元", "1 亿元", "本年没有安排",
])
def test_may_hold_figures_is_may_hold_figures_pattern(text):
    from cnbudget.narrative import MAY_HOLD_FIGURES, may_hold_figures
    assert may_hold_figures(text) is (MAY_HOLD_FIGURES.search(text) is not None)


def random_texts(seed, count, alphabet, longest):
    """`count` random strings over `alphabet`, up to `longest` characters: inputs for an equivalence check."""
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest))) for _ in range(count)]


AMOUNT_ALPHABET = "0123456789,. \u3000\t万亿元年为支出(٣"  # ٣: a decimal digit of another script, which \d matches


@pytest.mark.parametrize("text", [
    "2021年收支预算总数1527.59万元,比2020年减少39.17万元", "1,234.56 万元", "1.2.3万元", "12,34万元", ".5万元",
    "x,12万元", "5万 元", "5 万元", "5亿万元", "5元元", "元5", "1,041.25元和3亿元", "٣万元", "2024年1\u3000元",
])
def test_amount_matches_is_amount_re_finditer(text):
    from cnbudget.narrative import AMOUNT_RE, amount_matches
    assert [(m.span(), m.groupdict()) for m in amount_matches(text)] == \
        [(m.span(), m.groupdict()) for m in AMOUNT_RE.finditer(text)]


def test_amount_matches_is_amount_re_finditer_on_random_text():
    from cnbudget.narrative import AMOUNT_RE, amount_matches
    for text in random_texts(2026, 20_000, AMOUNT_ALPHABET, 24):
        assert [m.span() for m in amount_matches(text)] == [m.span() for m in AMOUNT_RE.finditer(text)], text


def clause_start_by_marks(text, end):
    """clause_start as it was written before its character loop: over the delimiters and brackets a pattern finds."""
    from cnbudget.narrative import MAX_CLAUSE
    low = max(0, end - MAX_CLAUSE)
    depth = 0
    for match in reversed(list(re.finditer(r"[,;:、，；：()]", text[low:end]))):
        char = match.group()
        if char == ")":
            depth += 1
        elif char == "(":
            depth -= 1 if depth else 0
        elif depth == 0:
            return low + match.start() + 1
    return low


def test_clause_start_is_the_last_delimiter_outside_brackets():
    from cnbudget.narrative import clause_start
    text = "一般公共服务支出(类)人大事务(款),行政运行(项,含)2021年预算数为666.02万元"
    assert text[clause_start(text, text.index("666"))].startswith("行")
    for text in random_texts(7, 20_000, "ab,;:、()（），", 200):  # longer than MAX_CLAUSE (160) too
        for end in range(0, len(text) + 1, 7):
            assert clause_start(text, end) == clause_start_by_marks(text, end), (text, end)


def test_may_hold_figures_is_may_hold_figures_pattern_on_random_text():
    from cnbudget.narrative import MAY_HOLD_FIGURES, may_hold_figures
    for text in random_texts(11, 20_000, AMOUNT_ALPHABET + "辆台套无持平没有未安排门位“", 16):
        assert may_hold_figures(text) is (MAY_HOLD_FIGURES.search(text) is not None), text
