"""Seeded mutants of every input the CLI reads, shared by tests/test_fuzz.py and scripts/fuzz.py.

Each `*_case(rng, work)` writes one malformed input under `work` and returns the `cnbudget`
arguments that read it. The seeds are the committed seed text and package, the dev PDFs when
`../shared` is present (else small synthetic PDFs, labelled synthetic), and HTML built from the
seed text. Every mutant is deterministic for a given `random.Random`.
"""

import csv
import io
import json
import random
import shutil
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "datasets" / "sources" / "2023" / "2023-panzhihua-xiqu-renda-budget.txt"
PACKAGE = ROOT / "datasets" / "package"
DEV_SOURCES = ROOT.parent / "shared" / "sources" / "dev"
SEED_BYTES = SEED.read_bytes()
SEED_TEXT = SEED_BYTES.decode("utf-8")
SEED_SIDECAR = json.loads(SEED.with_name(SEED.stem + ".provenance.json").read_text(encoding="utf-8"))

HUGE_NUMBERS = ["9" * 16, "9" * 30, "1" * 80, "9" * 5000, "0" * 5000, "99999999999999999.99", "-5",
                "１２３４５．６７", "1," * 200 + "1", "1." + "9" * 40, "0" * 20 + "1", "9" * 20000]
UNITS = ["元", "万元", "亿元", "辆", "台", "台(套)", "%", "", " 万元"]
NASTY = ["\x00", "\x1b[2J", "\x1f", "\r", "\u2028", "\ufeff", "\ud7ff", "𠀀", "\t" * 50, "（", "）", "，" * 100,
         "比上年增加", "其中:", "单价", "占", "无", "0辆", "收支预算总数", "一般公共预算拨款收入"]


# ---------------------------------------------------------------- text

TITLE_LINE = "攀枝花市西区人大2023年部门预算\n"  # what detection looks for, before a window of the seed


def seed_window(rng):
    """The whole seed half the time, else a title line and 10 to 80 of its lines."""
    lines = SEED_TEXT.splitlines(keepends=True)
    if rng.random() < 0.5:
        return SEED_TEXT
    start = rng.randrange(len(lines))
    return TITLE_LINE + "".join(lines[start:start + rng.randint(10, 80)])


def replace_numbers(rng, text):
    """Replace some printed numbers by huge, negative, full-width or malformed ones."""
    import re

    spans = [m.span() for m in re.finditer(r"\d[\d,.]*", text)]
    for start, end in sorted(rng.sample(spans, min(len(spans), rng.randint(1, 3))), reverse=True):
        text = text[:start] + rng.choice(HUGE_NUMBERS) + text[end:]
    return text


def mutate_text(rng, text):
    """One to three edits of the text (as characters)."""
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(8)
        at = rng.randrange(len(text) + 1)
        if kind == 0:
            text = replace_numbers(rng, text)
        elif kind == 1:
            text = text[:at] + rng.choice(NASTY) * rng.choice([1, 1, 10, 1000]) + text[at:]
        elif kind == 2:
            text = text[:at] + rng.choice(HUGE_NUMBERS) + rng.choice(UNITS) + text[at:]
        elif kind == 3:
            text = text[:at]  # cut off
        elif kind == 4:
            end = min(len(text), at + rng.randint(1, 400))
            text = text[:at] + text[end:]
        elif kind == 5:  # a line repeated, up to ~1 MB (real disclosures are smaller)
            line = rng.choice(text.splitlines() or [""])[:2000]
            text = text[:at] + (line + "\n") * rng.choice([2, 50, 500]) + text[at:]
        elif kind == 6:
            lines = text.splitlines(keepends=True)
            rng.shuffle(lines)
            text = "".join(lines)
        else:
            text = text[:at] + rng.choice(NASTY) + rng.choice(HUGE_NUMBERS) + rng.choice(UNITS) + text[at:]
    return text


def mutate_bytes(rng, data, flips=None):
    """Flip, insert or delete a few bytes."""
    data = bytearray(data)
    for _ in range(flips or rng.randint(1, 8)):
        if not data:
            break
        at = rng.randrange(len(data))
        kind = rng.randrange(3)
        if kind == 0:
            data[at] = rng.randrange(256)
        elif kind == 1:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
        else:
            del data[at:at + rng.randint(1, 16)]
    return bytes(data)


def encode(rng, text):
    """The text in an encoding a careless publisher might use."""
    encoding = rng.choice(["utf-8"] * 12 + ["utf-8-sig", "gb18030", "gb18030", "utf-16", "big5", "latin-1"])
    return text.encode(encoding, errors="replace") if encoding not in ("utf-8", "utf-8-sig", "gb18030", "utf-16") \
        else text.encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else "replace")


def text_case(rng, work):
    """`extract` or `check` of a mutated seed text."""
    text = mutate_text(rng, seed_window(rng))
    try:
        data = encode(rng, text)
    except UnicodeEncodeError:
        data = text.encode("utf-8", errors="replace")
    if rng.random() < 0.3:
        data = mutate_bytes(rng, data)
    path = work / "disclosure.txt"
    path.write_bytes(data)
    return [rng.choice(["extract", "check"]), str(path)]


# ---------------------------------------------------------------- PDF and HTML

def synthetic_pdf(lines):
    """A small valid PDF (labelled synthetic) printing ASCII lines with a standard font."""
    content = "BT /F1 10 Tf 40 800 Td 12 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    stream = zlib.compress(content.encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (synthetic test document) >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_seeds():
    """The dev PDFs when ../shared is present, else synthetic ones."""
    found = sorted(DEV_SOURCES.rglob("*.pdf")) if DEV_SOURCES.is_dir() else []
    if found:
        return [path.read_bytes() for path in found[:6]]
    rows = ["Synthetic 2023 budget (not a real disclosure)", "Total 644.66", "201 01 01  1,234,567.89  0  0"]
    return [synthetic_pdf(rows), synthetic_pdf(rows * 40)]


def flate_bomb():
    """A valid PDF whose content stream inflates to 200 MB of spaces."""
    pdf = synthetic_pdf(["x"])
    bomb = zlib.compress(b" " * 200_000_000, 9)
    start = pdf.index(b"<< /Length")
    end = pdf.index(b"endstream") + len(b"endstream")
    return pdf[:start] + b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb) + bomb + b"\nendstream" + pdf[end:]


def pdf_case(rng, work, seeds):
    """`extract` of a PDF with flipped bytes, cut off, or a flate bomb."""
    data = rng.choice(seeds)
    kind = rng.randrange(10)
    if kind < 6:
        data = mutate_bytes(rng, data, flips=rng.choice([1, 4, 32, 256]))
    elif kind < 8:
        data = data[: rng.randrange(len(data))]
    elif kind == 8:
        at = rng.randrange(len(data))
        data = data[:at] + data[at:at + 4096] * rng.randint(2, 50) + data[at:]
    else:
        data = flate_bomb() if rng.random() < 0.2 else data.replace(b"/Count", b"/Count 99999999", 1)
    path = work / "disclosure.pdf"
    path.write_bytes(data)
    return ["extract", str(path)]


def html_case(rng, work):
    """`extract` of the seed as an HTML page (paragraphs and a table), mutated."""
    lines = [line for line in seed_window(rng).splitlines() if line.strip()]
    body = "".join(f"<p>{line}</p>" for line in lines)
    table = "<table>" + "".join(f"<tr><td>{line[:20]}</td><td>{rng.choice(HUGE_NUMBERS)}</td></tr>"
                                for line in lines[:5]) + "</table>"
    html = f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>部门预算</title></head><body>{body}{table}</body></html>"
    html = mutate_text(rng, html)
    path = work / "disclosure.html"
    path.write_bytes(html.encode("utf-8", errors="replace"))
    return ["extract", str(path)]


# ---------------------------------------------------------------- sidecars, packages and CSVs

SIDECAR_VALUES = ["abc", 123, None, [], {}, "", "../../../../etc/passwd", "x" * 5000, -1, 1e308, True, "\x1b[2J"]


def sidecar_case(rng, work):
    """`build` (or `extract` beside it) of the seed with a broken provenance sidecar."""
    sources = work / "sources"
    sources.mkdir()
    source = sources / SEED.name
    source.write_bytes(SEED_BYTES)
    meta = dict(SEED_SIDECAR)
    kind = rng.randrange(5)
    if kind == 0:
        text = json.dumps(meta)[: rng.randrange(1, 200)]  # cut-off JSON
    elif kind == 1:
        text = json.dumps(rng.choice([[meta], "text", 5, None]))
    elif kind == 2:
        text = json.dumps(meta).encode("utf-8").decode("latin-1") if rng.random() < 0.5 else "\ufeff" + json.dumps(meta)
    else:
        for key in rng.sample(sorted(meta), rng.randint(1, 3)):
            meta[key] = rng.choice(SIDECAR_VALUES)
        if rng.random() < 0.2:
            meta.pop("file", None)
        text = json.dumps(meta, ensure_ascii=False)
    source.with_name(source.stem + ".provenance.json").write_text(text, encoding="utf-8", errors="surrogatepass")
    if rng.random() < 0.3:
        return ["extract", str(source)]
    return ["build", "--sources", str(sources), "--out", str(work / "package")]


def csv_text(rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def mutate_rows(rng, rows):
    """Edit cells, widths, rows or the header of a CSV held as rows."""
    rows = [list(row) for row in rows]
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(6)
        row = rng.randrange(len(rows))
        col = rng.randrange(len(rows[row])) if rows[row] else 0
        if kind == 0 and rows[row]:
            rows[row][col] = rng.choice([*HUGE_NUMBERS, *NASTY, "abc", "", "1.5", "-0", "x" * 5000])
        elif kind == 1:
            rows[row] = rows[row][: rng.randrange(len(rows[row]) + 1)]  # ragged
        elif kind == 2:
            rows[row] = rows[row] + ["extra"] * rng.randint(1, 3)
        elif kind == 3 and len(rows) > 1:
            del rows[rng.randrange(1, len(rows))]
        elif kind == 4:
            rows[0] = rng.sample(rows[0], len(rows[0]))  # shuffled header
        else:
            rows.insert(rng.randrange(1, len(rows) + 1), rows[row][:])
    return rows


def read_rows(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def diff_csv_case(rng, work):
    """`diff` of the package's budget_lines.csv against a mutated copy (or alone)."""
    text = csv_text(mutate_rows(rng, read_rows(PACKAGE / "budget_lines.csv")))
    data = encode(rng, text) if rng.random() < 0.5 else text.encode("utf-8", errors="surrogatepass")
    if rng.random() < 0.3:
        data = data[: rng.randrange(len(data) + 1)]
    if rng.random() < 0.2:
        data = mutate_bytes(rng, data)
    path = work / "budget_lines.csv"
    path.write_bytes(data)
    return ["diff", str(PACKAGE / "budget_lines.csv"), str(path), "--format", rng.choice(["json", "markdown", "csv"])]


def package_case(rng, work):
    """`diff` or `load` of a package copy with one mutated file (a CSV, or the descriptor)."""
    folder = work / "package"
    shutil.copytree(PACKAGE, folder)
    name = rng.choice(["documents.csv", "stated_changes.csv", "findings.csv", "budget_lines.csv", "datapackage.json"])
    path = folder / name
    if name == "datapackage.json":
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        kind = rng.randrange(5)
        if kind == 0:
            text = path.read_text(encoding="utf-8")[: rng.randrange(1, 2000)]
        elif kind == 1:
            descriptor["resources"][rng.randrange(len(descriptor["resources"]))]["path"] = rng.choice(SIDECAR_VALUES)
            text = json.dumps(descriptor)
        elif kind == 2:
            resource = rng.choice(descriptor["resources"])
            resource[rng.choice(["schema", "name", "path"])] = rng.choice(SIDECAR_VALUES)
            text = json.dumps(descriptor)
        elif kind == 3:
            field = rng.choice(rng.choice(descriptor["resources"])["schema"]["fields"])
            field[rng.choice(["type", "name"])] = rng.choice(["integer", "number", "boolean", "geojson", 5, None])
            text = json.dumps(descriptor)
        else:
            text = json.dumps(rng.choice([[], "x", {"resources": "x"}, {"resources": [1, 2]}]))
        path.write_text(text, encoding="utf-8")
    elif rng.random() < 0.2:
        path.unlink()
        path.mkdir()
    else:
        path.write_text(csv_text(mutate_rows(rng, read_rows(path))), encoding="utf-8", errors="surrogatepass")
    if name == "datapackage.json" or rng.random() < 0.4:
        return ["load", "--package", str(folder), "--db", str(work / "db" / "cnbudget.db")]
    return ["diff", str(folder), "--format", "json"]


def odd_argument_case(rng, work):
    """`diff`/`extract` given ids and paths of any length or shape."""
    value = rng.choice(["x" * 5000, "a\nb", "\x1b[31m", "2023", "0000", "../../../../etc/passwd", str(work), "/dev/null",
                        "-", "", "2023-panzhihua-xiqu-renda-budget", "目录/文件.csv"])
    return rng.choice([["diff", value, "--package", str(PACKAGE)], ["diff", value, value, "--package", str(PACKAGE)],
                       ["extract", value], ["check", value]])


GENERATORS = {
    "text": text_case,
    "html": html_case,
    "sidecar": sidecar_case,
    "diff_csv": diff_csv_case,
    "package": package_case,
    "argument": odd_argument_case,
}


def make_case(kind, rng, work, pdf_seed_list=None):
    """Write one case of `kind` under `work`; its CLI arguments."""
    if kind == "pdf":
        return pdf_case(rng, work, pdf_seed_list or pdf_seeds())
    return GENERATORS[kind](rng, work)


def verdict(exit_code, stderr):
    """success, error (exactly one `Error:` line, no traceback) or traceback (anything else)."""
    if "Traceback" in stderr:
        return "traceback"
    if exit_code == 0:
        return "success"
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    return "error" if len(errors) == 1 and exit_code in (1, 2) else "traceback"


def seeded(seed):
    return random.Random(seed)
