"""`cnbudget diff` on malformed inputs: each ends in exactly one `Error:` line naming file and line."""

import shutil

import pytest
from click.testing import CliRunner

from cnbudget.cli import cli
from tests.conftest import PACKAGE

LINES = (PACKAGE / "budget_lines.csv").read_text(encoding="utf-8")
HEADER, FIRST, *REST = LINES.splitlines(keepends=True)


def run(*args):
    """Invoke the CLI in-process; (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def assert_one_error(code, out, err, *parts):
    assert code == 1, (out, err)
    assert err.count("\n") == 1 and err.startswith("Error: "), err
    assert "Traceback" not in err
    for part in parts:
        assert part in err, err


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding, newline", [
    ("utf-8-sig", "\r\n"),  # the site's CSV download: BOM and CRLF
    ("utf-16", "\n"),
    ("gb18030", "\n"),  # what Excel/WPS save on a Chinese Windows
])
def test_budget_lines_csv_in_any_encoding_the_site_or_excel_produces(tmp_path, encoding, newline):
    path = write(tmp_path / "lines.csv", LINES.replace("\n", newline), encoding)
    code, out, err = run("diff", PACKAGE / "budget_lines.csv", path)
    assert (code, err) == (0, "")
    assert '"changed": []' in out


def replace_cell(name, value, row=FIRST):
    """The budget_lines text with one cell of the first row replaced."""
    import csv
    import io

    names = HEADER.strip().split(",")
    cells = next(csv.reader([row]))
    cells[names.index(name)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return HEADER + buffer.getvalue() + "".join(REST)


@pytest.mark.parametrize("text, parts", [
    (replace_cell("amount_yuan", "12.5"), ["line 2", "an integer in column amount_yuan, got '12.5'"]),
    (replace_cell("amount_yuan", "9" * 30), ["line 2", "column amount_yuan"]),
    (replace_cell("fiscal_year", "abc"), ["line 2", "an integer in column fiscal_year, got 'abc'"]),
    (replace_cell("label", "a\x1fb"), ["line 2", "column label", "\\x1f"]),
    (replace_cell("document_id", ""), ["line 2", "a value in column document_id"]),
    (HEADER + FIRST + ",".join(FIRST.split(",")[:5]) + "\n" + "".join(REST), ["line 3", "23 cells a row", "got 5"]),
    (LINES[:-40], ["cut off"]),
    (HEADER + '"unclosed\n' + FIRST, ["well-formed CSV"]),
    ("document_id,amount_yuan\nx,1\n", ["line 1", "its header lacks line_id"]),
    ("", ["is empty"]),
])
def test_malformed_budget_lines_csv_is_one_error_line(tmp_path, text, parts):
    path = write(tmp_path / "lines.csv", text)
    assert_one_error(*run("diff", PACKAGE / "budget_lines.csv", path), str(path), *parts)


@pytest.mark.parametrize("data, parts", [
    (b"\x00\x01\x02binary\n", ["binary data", "line 1"]),
    ("预算".encode("utf-8") + b"\xff\xfe\xfa\n", ["UTF-8 or GB18030"]),
])
def test_binary_or_undecodable_csv(tmp_path, data, parts):
    path = tmp_path / "lines.csv"
    path.write_bytes(data)
    assert_one_error(*run("diff", path), *parts)


def package_copy(tmp_path):
    folder = tmp_path / "pkg"
    shutil.copytree(PACKAGE, folder)
    return folder


@pytest.mark.parametrize("name, edit, parts", [
    ("documents.csv", lambda t: t.replace("document_id,", "doc,", 1), ["documents CSV; its header lacks document_id"]),
    ("documents.csv", lambda t: t.replace(",2023,", ",abc,", 1), ["line 2", "an integer in column fiscal_year"]),
    ("documents.csv", lambda t: t.replace("人大", "人\x1f大", 1), ["line 2", "\\x1f"]),
    ("stated_changes.csv", lambda t: t[:-10], ["cut off"]),
    ("findings.csv", lambda t: t.replace("\n", ",extra\n", 2), ["line 3", "cells a row"]),
])
def test_malformed_package_csv_is_one_error_line(tmp_path, name, edit, parts):
    folder = package_copy(tmp_path)
    path = folder / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert_one_error(*run("diff", folder), str(path), *parts)


def test_budget_lines_a_folder(tmp_path):
    folder = package_copy(tmp_path)
    (folder / "budget_lines.csv").unlink()
    (folder / "budget_lines.csv").mkdir()
    assert_one_error(*run("diff", folder), "budget_lines.csv: a CSV file; it is a folder")


def test_an_id_of_5000_characters(tmp_path):
    assert_one_error(*run("diff", "x" * 5000, "--package", PACKAGE), "(5,000 characters)")


def test_a_file_name_with_a_newline_and_escape_codes_stays_one_line(tmp_path):
    path = write(tmp_path / "evil\n\x1b[2Jname.csv", "document_id\nx\n")
    code, out, err = run("diff", path)
    assert_one_error(code, out, err, "evil\\n\\x1b[2Jname.csv")
    assert "\x1b" not in err
