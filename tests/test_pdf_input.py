"""PDF reading without the dev PDFs: tiny hand-written PDFs (synthetic) and the layout-parsing rules.

Each bad PDF gives one clear error naming the file, the page and what was expected.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnbudget import poppler
from cnbudget.errors import InputError
from cnbudget.extract import extract_file, make_line
from cnbudget.pdf import column_ends, read_pdf_lines, split_number_cells

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")


def make_pdf(pages, encrypt=False):
    """A minimal PDF (synthetic): each page is ("text", ascii string) or ("image", None)."""
    objects = []

    def add(body):
        objects.append(body)
        return len(objects)

    catalog, pages_id = add(None), add(None)
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for kind, text in pages:
        if kind == "text":
            stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
            resources = f"<< /Font << /F1 {font} 0 R >> >>".encode()
        else:
            image = add(b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
                        b"/BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream")
            stream = b"q 200 0 0 200 72 500 cm /Im1 Do Q"
            resources = f"<< /XObject << /Im1 {image} 0 R >> >>".encode()
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 612 792] /Resources ".encode()
                        + resources + f" /Contents {content} 0 R >>".encode()))
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    objects[pages_id - 1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    encryption = None
    if encrypt:  # a Standard security handler whose password is not empty: nothing opens it without one
        encryption = add(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -44 >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root {catalog} 0 R".encode()
    if encryption:
        trailer += f" /Encrypt {encryption} 0 R /ID [<{'ab' * 16}> <{'ab' * 16}>]".encode()
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_lines_carry_page_numbers(tmp_path):
    path = write(tmp_path, "synthetic-two-pages.pdf", make_pdf([("text", "first page"), ("text", "second page")]))
    lines = read_pdf_lines(path, path.read_bytes())
    assert [(line.page, line.text) for line in lines if line.text] == [(1, "first page"), (2, "second page")]
    assert [line.no for line in lines] == list(range(1, len(lines) + 1))


BAD_PDFS = [
    ("synthetic-scanned.pdf", make_pdf([("image", None), ("image", None)]), 1,
     "no text layer on any page (a scanned, image-only PDF?)"),
    ("synthetic-encrypted.pdf", make_pdf([("text", "secret")], encrypt=True), 1,
     "the PDF is encrypted (password-protected); expected an unencrypted disclosure PDF"),
    ("synthetic-truncated.pdf", make_pdf([("text", "cut off")])[:300], 1,
     "the PDF is truncated (no %%EOF marker at the end of the file; no page can be read)"),
]


@pytest.mark.parametrize("name, data, page, expected", BAD_PDFS)
def test_bad_pdfs_are_one_clear_error(tmp_path, name, data, page, expected):
    path = write(tmp_path, name, data)
    with pytest.raises(InputError) as raised:
        extract_file(path)
    assert (raised.value.page, raised.value.path) == (page, str(path))
    assert expected in raised.value.expected


def test_a_pdf_that_is_not_a_disclosure(tmp_path):
    path = write(tmp_path, "synthetic-menu.pdf", make_pdf([("text", "Lunch menu: soup 12 yuan")]))
    with pytest.raises(InputError, match="not a budget disclosure"):
        extract_file(path)


@pytest.mark.parametrize("name, data, page, expected", BAD_PDFS)
def test_the_cli_prints_the_error_without_a_traceback(tmp_path, name, data, page, expected):
    from cnbudget.cli import cli

    path = write(tmp_path, name, data)
    result = CliRunner().invoke(cli, ["extract", str(path)])
    assert result.exit_code == 1
    assert f"Error: {path}, page {page}: " in result.output
    assert "Traceback" not in result.output


def test_pdftotext_started_early_gives_the_same_lines(tmp_path):
    path = write(tmp_path, "synthetic-two-pages.pdf", make_pdf([("text", "first page"), ("text", "second page")]))
    fresh = [line.raw for line in read_pdf_lines(path, path.read_bytes())]
    poppler.start_for_command(["extract", "--", str(path), str(tmp_path), "missing.pdf"])
    assert poppler.is_started(path)
    assert [line.raw for line in read_pdf_lines(path, path.read_bytes())] == fresh
    assert not poppler.is_started(path)  # collected once, reaped


def test_a_file_changed_after_the_early_start_is_read_again(tmp_path):
    path = write(tmp_path, "synthetic-changed.pdf", make_pdf([("text", "before")]))
    poppler.start_for_command(["check", "--format", "json", str(path)])
    path.write_bytes(make_pdf([("text", "after the change")]))
    assert [line.text for line in read_pdf_lines(path, path.read_bytes()) if line.text] == ["after the change"]
    poppler.stop_all()
    assert not poppler.is_started(path)


@pytest.mark.parametrize("args, status", [(["extract", "{pdf}", "missing.pdf"], 2), (["extract", "{pdf}", "{folder}"], 2),
                                          (["check", "{pdf}"], 1), (["extract", "{pdf}"], 1)])
def test_the_command_leaves_no_pdftotext_behind(tmp_path, args, status):
    pdf = write(tmp_path, "synthetic-two-pages.pdf", make_pdf([("text", "first page"), ("text", "second page")]))
    argv = [arg.format(pdf=pdf, folder=tmp_path) for arg in args]
    done = subprocess.run([sys.executable, "-m", "cnbudget", *argv], capture_output=True, text=True, timeout=60)
    assert done.returncode == status and done.stderr.startswith(("Error:", "Usage:")) and "Traceback" not in done.stderr
    still = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(pdf) not in still  # collected, or killed and reaped at exit


@pytest.mark.parametrize("started_early", [False, True])
def test_a_pdftotext_that_hangs_is_stopped_and_one_clear_error(tmp_path, monkeypatch, started_early):
    hang = tmp_path / "pdftotext-that-hangs"
    hang.write_text("#!/bin/sh\nexec sleep 30\n")
    hang.chmod(0o755)
    monkeypatch.setattr(poppler, "COMMAND", str(hang))
    monkeypatch.setattr(poppler, "TIMEOUT_SECONDS", 0.5)
    path = write(tmp_path, "synthetic-two-pages.pdf", make_pdf([("text", "first page"), ("text", "second page")]))
    if started_early:
        poppler.start_for_command(["extract", str(path)])
    with pytest.raises(InputError, match="pdftotext did not finish within 0.5 s") as raised:
        read_pdf_lines(path, path.read_bytes())
    assert (raised.value.path, raised.value.page) == (str(path), 1)
    assert not poppler.is_started(path)


SEED = Path(__file__).resolve().parent.parent / "datasets" / "sources" / "2023" / "2023-panzhihua-xiqu-renda-budget.txt"


@pytest.mark.parametrize("args", [["{seed}"], ["{seed}", "{pdf}"], ["{pdf}"], ["{truncated}"], ["{pdf}", "{folder}"],
                                  ["{empty}"]])
def test_the_fast_extract_prints_what_the_click_command_prints(tmp_path, args):
    names = {"seed": SEED, "folder": tmp_path,
             "pdf": write(tmp_path, "synthetic-menu.pdf", make_pdf([("text", "Lunch menu: soup 12 yuan")])),
             "truncated": write(tmp_path, "synthetic-truncated.pdf", make_pdf([("text", "cut off")])[:300]),
             "empty": write(tmp_path, "synthetic-empty.txt", b"")}
    argv = ["extract", *(arg.format(**names) for arg in args)]
    fast = subprocess.run([sys.executable, "-m", "cnbudget", *argv], capture_output=True, timeout=60)
    with_click = subprocess.run([sys.executable, "-m", "cnbudget.cli", *argv], capture_output=True, timeout=60)
    usage = with_click.stderr.replace(b"-m cnbudget.cli ", b"-m cnbudget ")  # the program's name in a usage line
    assert (fast.returncode, fast.stdout, fast.stderr) == (with_click.returncode, with_click.stdout, usage)
    assert fast.returncode or fast.stdout.startswith(b'{\n  "budget_lines": [')


@pytest.mark.parametrize("raw, cells", [
    # Table rows as pdftotext -layout prints them: label words stay together, numbers stand apart.
    ("201   05   07   专项普查活动              601,300     601,300",
     ["201", "05", "07", "专项普查活动", "601,300", "601,300"]),
    ("1. 一般公共预算                  164,978,640 二、公共安全支出                    1,252,300",
     ["1. 一般公共预算", "164,978,640", "二、公共安全支出", "1,252,300"]),
    ("        22.91              0       1.35        21.56", ["22.91", "0", "1.35", "21.56"]),
])
def test_layout_lines_split_into_cells(raw, cells):
    assert [cell.text for cell in split_number_cells(raw)] == cells


def test_number_columns_are_found_by_their_right_edge():
    # Amounts are right-aligned: their last character shares a column (codes are cut off first).
    rows = [[cell for cell in split_number_cells(raw) if cell.start > 15] for raw in [
        "201   05   06   统计管理                 26,300      26,300",
        "201             一般公共服务支出          2,976,800    2,976,800",
        "                  合计           164,978,640   164,978,640",
    ]]
    assert column_ends(rows) == [43, 56]


@pytest.mark.parametrize("text, level", [
    ("部门主要职能", 1),
    ("上海市普陀区人民政府万里街道办事处（部门）主要职能", 1),
    ("2024年部门预算编制说明", 1),
    ("其他相关情况说明", 1),
    ("财政拨款支出主要内容如下：", 2),
    ("一、2023年“三公”经费预算情况说明", 2),
    ("（一）因公出国（境）费0万元，比2023年预算持平。", None),
    ("二、机关运行经费预算", 2),
    ("一、加强党的建设。落实基层党建责任制。", None),
])
def test_shanghai_headings(text, level):
    from cnbudget.numbers import normalize
    from cnbudget.regions.shanghai import heading_level

    assert heading_level(normalize(text)) == level


def test_hard_wrapped_lines_are_joined_before_amounts_are_read():
    from cnbudget.regions.shanghai import paragraphs

    raws = ["  1. “一般公共服务支出（类）统计信息事务（款）统计管理（项）”2.63万元。2022年当年预算执行数为1.48",
            "万元，2023年预算安排2.63万元。", "", "                        部门机构设置", "本部门中，行政单位 1 家。"]
    lines = [make_line(no, raw, 6) for no, raw in enumerate(raws, start=1)]
    joined = paragraphs(lines)
    assert [(line.no, line.page) for line in joined] == [(1, 6), (4, 6), (5, 6)]
    assert "执行数为1.48万元" in joined[0].text


def shanghai_doc(raws):
    """An Extraction over synthetic Shanghai-template paragraphs (no PDF needed)."""
    from pathlib import Path

    from cnbudget.extract import Extraction

    lines = [make_line(no, raw, 6) for no, raw in enumerate(raws, start=1)]
    return Extraction(Path("synthetic-shanghai.pdf"), {"document_id": "synthetic-shanghai", "fiscal_year": 2023}, lines)


@pytest.mark.parametrize("raw, label, code, amount", [
    # Synthetic sentences in the three printed forms of a function line.
    ("1. “一般公共服务支出（类）统计信息事务（款）统计管理（项）”2.63万元，主要用于统计管理。"
     "2022年当年预算执行数为1.48万元，2023年预算安排2.63万元，比2022年预算执行数增加77.70%。",
     "一般公共服务支出（类）统计信息事务（款）统计管理（项）", "2010506", 26_300),
    ("1. “一般公共服务支出（类）统计信息事务（款）统计管理（项）”科目2.63万元，主要用于统计管理。"
     "2022年当年预算执行数为1.48万元，2023年预算安排2.63万元，比2022年预算执行数增加77.70%。",
     "一般公共服务支出（类）统计信息事务（款）统计管理（项）", "2010506", 26_300),
    ("1. “一般公共服务支出-统计信息事务-统计管理”科目2.63万元，主要用于统计管理。"
     "2022年当年预算执行数为1.48万元，2023年预算安排2.63万元，比2022年预算执行数增加77.70%。",
     "“一般公共服务支出-统计信息事务-统计管理”", "2010506", 26_300),
])
def test_function_line_forms(raw, label, code, amount):
    from cnbudget.regions.shanghai import paragraph_sentences, scan

    doc = shanghai_doc([raw])
    for sentence in paragraph_sentences(doc.lines[0]):
        scan(doc, sentence, None, None)
    assert [(b["statement"], b["label"], b["function_code"], b["amount_yuan"]) for b in doc.budget_lines] == \
        [("function_class", label, code, amount)]
    assert [(c["line_id"], c["prior_yuan"], c["change_pct_text"], c["direction"]) for c in doc.stated_changes] == \
        [(1, 14_800, "77.70%", "increase")]
    assert doc.warnings == []


@pytest.mark.parametrize("raw, expected", [
    # Inline codes beside the names (synthetic sentences): the printed code is the code.
    ("1. 公共安全支出（204类）1,252.30万元，主要用于公共安全。",
     ("expenditure", "204", "类", 12_523_000)),
    ("2. “公共安全支出（204类）司法（20406款）公共法律服务（2040607项）”15.00万元，主要用于公共法律服务。",
     ("function_class", "2040607", "项", 150_000)),
])
def test_inline_codes(raw, expected):
    from cnbudget.regions.shanghai import paragraph_sentences, scan

    doc = shanghai_doc([raw])
    for sentence in paragraph_sentences(doc.lines[0]):
        scan(doc, sentence, None, None)
    assert [(b["statement"], b["function_code"], b["function_level"], b["amount_yuan"]) for b in doc.budget_lines] \
        == [expected]


@pytest.mark.parametrize("cover, unit, region, year", [
    # Synthetic covers: district and municipal titles; the unit from 预算主管部门 or else 编制部门.
    (["上海市普陀区2023年区级部门预算", "预算主管部门：上海市普陀区人民政府万里街道办事处"],
     "上海市普陀区人民政府万里街道办事处", "上海市普陀区", 2023),
    (["上海市2024年市级部门预算", "2024年部门财务收支预算总表", "编制部门：上海市某某局      单位：元"],
     "上海市某某局", "上海市", 2024),
])
def test_shanghai_cover(cover, unit, region, year):
    from cnbudget.regions.shanghai import describe

    lines = [make_line(no, raw, 1) for no, raw in enumerate(cover, start=1)]
    document = describe("synthetic-cover.pdf", lines, {})
    assert (document["unit_name"], document["region"], document["fiscal_year"], document["kind"]) == \
        (unit, region, year, "部门预算")


def test_pages_split_into_narrative_tables_and_forms():
    from cnbudget.regions.shanghai import split_pages

    pages = [  # synthetic layout text, one list per page
        ["                 目    录", "  1. 2023年部门财务收支预算总表", "  6．2023年部门政府性基金预算支出功能分类预算表"],
        ["        2023年部门政府性基金预算支出功能分类预算表", "               合计", "注：本表为空表。",
         "        2023年部门国有资本经营预算支出功能分类预算表", "               合计", "注：本表为空表。"],
        ["201   05   07   专项普查活动   601,300"],
        ["                  其他相关情况说明", "  一、2023年“三公”经费预算情况说明"],
        ["                 财政项目支出绩效目标填报表", "项目名称   某项目"],
    ]
    lines, no = [], 0
    for page, raws in enumerate(pages, start=1):
        for raw in raws:
            no += 1
            lines.append(make_line(no, raw, page))
    narrative, tables, forms = split_pages(lines)
    assert [(title.name, title.kind.key, [line.no for line in table]) for title, table in tables] == [
        ("部门政府性基金预算支出功能分类预算表", "government_fund", [4, 5, 6]),
        ("部门国有资本经营预算支出功能分类预算表", "state_capital", [7, 8, 9, 10]),  # continued on page 3
    ]
    assert [line.no for line in narrative] == [1, 2, 3, 11, 12]
    assert [[line.no for line in page] for page in forms] == [[13, 14]]


def test_a_page_without_text_between_pages_with_text_is_warned():
    from pathlib import Path

    from cnbudget.extract import Extraction
    from cnbudget.regions.shanghai import warn_pages_without_text

    raws = [(1, "部门主要职能"), (2, ""), (3, "其他相关情况说明"), (4, "")]  # synthetic; page 4 is a blank last page
    lines = [make_line(no, raw, page) for no, (page, raw) in enumerate(raws, start=1)]
    doc = Extraction(Path("synthetic.pdf"), {"document_id": "synthetic", "fiscal_year": 2023}, lines)
    warn_pages_without_text(doc)
    assert [(w["rule"], w["page"]) for w in doc.warnings] == [("page_without_text", 2)]


def test_a_synthetic_table_across_two_pages():
    """Layout text as pdftotext prints it (synthetic figures): header over three lines, a wrapped
    label, a blank cell, cents, and the table continued on the next page without its header."""
    from pathlib import Path

    from cnbudget.extract import Extraction
    from cnbudget.table_reader import read_tables

    def row(start, *amounts, ends=(56, 70, 84)):
        """A layout row: amounts right-aligned at the columns' right edges ('' = blank cell)."""
        out = start
        for end, amount in zip(ends, amounts):
            out = out.ljust(end - len(amount)) + amount if amount else out
        return out

    page_one = [
        "                              2030年部门支出预算总表",
        "编制部门：某某局                                              单位：元",
        "                       项目                             支出预算",
        "功能分类科目编码",
        row("                         功能分类科目名称", "合计", "基本支出", "项目支出"),  # headings over their amounts
        "类     款    项",
        row("201             一般公共服务支出", "1,000,000", "600,000", "400,000"),
        row("201   05        统计信息事务", "1,000,000", "600,000", "400,000"),
        row("201   05   05   机关事业单位基本养老保险缴费支", "600,000", "600,000", ""),
        "                出",
    ]
    page_two = [
        row("201   05   07   专项普查活动", "400,000.50", "", "400,000.50"),
        row("                        合计", "1,000,000", "600,000", "400,000"),
    ]
    lines, no = [], 0
    for page, raws in ((7, page_one), (8, page_two)):
        for raw in raws:
            no += 1
            lines.append(make_line(no, raw, page))
    doc = Extraction(Path("synthetic.pdf"), {"document_id": "synthetic", "fiscal_year": 2030}, lines)
    found = read_tables(doc, lines)
    assert [(table.kind.key, table.pages, table.unit, len(table.cells)) for table in found] == [
        ("expenditure", [7, 8], "元", 13)]
    cells = [(b["item"], b["label"], b["amount_fen"], b["expense_type"], b["page"]) for b in doc.budget_lines]
    assert cells == [
        ("201", "一般公共服务支出", 100_000_000, None, 7),
        ("201:basic", "一般公共服务支出", 60_000_000, "基本支出", 7),
        ("201:project", "一般公共服务支出", 40_000_000, "项目支出", 7),
        ("20105", "统计信息事务", 100_000_000, None, 7),
        ("20105:basic", "统计信息事务", 60_000_000, "基本支出", 7),
        ("20105:project", "统计信息事务", 40_000_000, "项目支出", 7),
        ("2010505", "机关事业单位基本养老保险缴费支出", 60_000_000, None, 7),
        ("2010505:basic", "机关事业单位基本养老保险缴费支出", 60_000_000, "基本支出", 7),
        ("2010507", "专项普查活动", 40_000_050, None, 8),  # 400,000.50 元: exact to the 分
        ("2010507:project", "专项普查活动", 40_000_050, "项目支出", 8),
        ("total", "合计", 100_000_000, None, 8),
        ("total:basic", "合计", 60_000_000, "基本支出", 8),
        ("total:project", "合计", 40_000_000, "项目支出", 8),
    ]
    assert {b["table_name"] for b in doc.budget_lines} == {"部门支出预算总表"}
    assert doc.warnings == []
    assert doc.budget_lines[8]["amount_text"] == "400,000.50"
    assert doc.budget_lines[8]["amount_yuan"] == 400_001  # the 元 column rounds; amount_fen is exact


def test_a_sentence_cites_the_printed_line_where_it_starts():
    from cnbudget.extract import sentences
    from cnbudget.reading import cited_at_printed_line
    from cnbudget.regions.shanghai import paragraphs

    raws = ["      （二）公务用车购置及运行费36.56万元，比2024年预算减少10万元，主要原因是新增1辆公务用车购置，但与",
            "车辆类型不同。其中：公务用车购置费15万元，比2024年预算减少10万元。"]  # synthetic, after the 2025 PDF
    lines = [make_line(no, raw, 30) for no, raw in enumerate(raws, start=786)]
    paragraph = paragraphs(lines)[0]
    cited = [(s.line.no, s.line.page, s.raw[:6]) for s in map(cited_at_printed_line, sentences(paragraph))]
    assert cited == [(786, 30, "（二）公务用"), (787, 30, "其中：公务用")]
