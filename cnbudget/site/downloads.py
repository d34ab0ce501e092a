"""Downloads a journalist can trust: CSV with a BOM and every row, .xlsx with numbers as numbers, bulk files, originals.

- CSV: Datasette streams every row with `?_stream=1` (the visible link asks for it); the ASGI
  wrapper puts the UTF-8 BOM Excel and WPS need in front of every `text/csv` attachment.
- .xlsx: an output renderer (openpyxl) that pages through the same query's JSON until the last
  row (capped at XLSX_MAX_ROWS, said in the file with the link to the full CSV).
  datasette-render-xlsx stops at max_returned_rows (1,000), so it does not fit.
- Bulk: the data package as a zip, built once from the package folder; full-table CSVs are
  Datasette's own streamed CSV.
- Originals: `/-/sources/<path>` serves a file only when a document row names it.
"""

import io
import mimetypes
import os
import zipfile
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode

from datasette.utils.asgi import NotFound, Response

from cnbudget.site.labels import MONEY_COLUMNS, column_titles

# Excel and WPS read a CSV as the local code page unless it starts with a UTF-8 byte order mark.
BOM = "\ufeff".encode("utf-8")
XLSX_MAX_ROWS = 100_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_csv(headers):
    """True for a text/csv response (the ?_dl=1 download), not for the text/plain .csv API view."""
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.split(b";")[0].strip().lower() == b"text/csv"
    return False


def with_bom_length(headers):
    """Headers with content-length grown by the BOM, when the response declares one."""
    return [
        (name, str(int(value) + len(BOM)).encode()) if name.lower() == b"content-length" else (name, value)
        for name, value in headers
    ]


def csv_download_url(url):
    """A CSV link that downloads (BOM attachment) and streams every row."""
    separator = "&" if "?" in url else "?"
    extra = [arg for arg in ("_dl=1", "_stream=1") if arg.split("=")[0] not in url]
    return url + (separator + "&".join(extra) if extra else "")


def plugin_config(datasette):
    return datasette.plugin_config("cnbudget") or {}


def configured_dir(datasette, key, default):
    """A folder from the plugin config (metadata.yml `plugins: cnbudget:`), relative to the working directory."""
    return Path(plugin_config(datasette).get(key) or default).resolve()


async def source_file(datasette, request, db):
    """/-/sources/<path>: an original disclosure, when a documents row names exactly this path."""
    path = unquote(request.url_vars["path"])
    if not (await db.execute("select 1 from documents where source_file = :path limit 1", {"path": path})).first():
        raise NotFound("没有这个源文件")
    root = configured_dir(datasette, "sources_dir", "datasets/sources")
    file = Path(os.path.normpath(root / path))  # a linked source may live elsewhere; the path itself may not climb
    if root not in file.parents or not file.is_file():
        raise NotFound("源文件不在本站")
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    return Response(file.read_bytes(), content_type=content_type,
                    headers={"content-disposition": f"inline; filename*=UTF-8''{file.name}"})


def package_zip_bytes(package_dir):
    """The data package folder (datapackage.json and its CSVs) as one zip, in name order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(Path(package_dir).iterdir()):
            if path.is_file() and (path.suffix in (".csv", ".json")):
                archive.write(path, f"cnbudget-package/{path.name}")
    return buffer.getvalue()


async def package_zip(datasette, request):
    """/-/download/cnbudget-package.zip: the release's Frictionless data package, built once per process."""
    package_dir = configured_dir(datasette, "package_dir", "datasets/package")
    if not (package_dir / "datapackage.json").is_file():
        raise NotFound("本站没有附带数据包")
    cache = datasette.__dict__.setdefault("_cnbudget_zip", {})
    if package_dir not in cache:
        cache[package_dir] = package_zip_bytes(package_dir)
    return Response(cache[package_dir], content_type="application/zip",
                    headers={"content-disposition": 'attachment; filename="cnbudget-package.zip"'})


async def all_rows(datasette, request):
    """(columns, rows, complete) of the request's table or query, every page, through Datasette's JSON."""
    path = request.path[: -len(".xlsx")] + ".json"
    args = [(k, v) for k, v in parse_qsl(request.query_string, keep_blank_values=True)
            if k not in ("_next", "_size", "_labels", "_shape")]
    columns, rows, next_token = None, [], None
    while True:
        query = args + [("_size", "max"), ("_nocount", "1"), ("_nofacet", "1")]
        if next_token:
            query.append(("_next", next_token))
        response = await datasette.client.get(path + "?" + urlencode(query))
        if response.status_code != 200:
            raise NotFound("无法导出")
        data = response.json()
        columns = columns or data["columns"]
        rows.extend(data["rows"])
        next_token = data.get("next")
        if data.get("truncated"):
            return columns, rows, False
        if not next_token:
            return columns, rows, True
        if len(rows) >= XLSX_MAX_ROWS:
            return columns, rows[:XLSX_MAX_ROWS], False


def workbook_bytes(columns, rows, table, note):
    """An .xlsx of the rows: Chinese titles over the column names, amounts as numbers (#,##0 元)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数据")
    titles = column_titles(table)
    sheet.append([titles.get(c, c) for c in columns])
    sheet.append(columns)
    money = [MONEY_COLUMNS.get(c) for c in columns]
    for row in rows:
        cells = []
        for value, scale in zip(row, money):
            if scale and isinstance(value, int):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    about = workbook.create_sheet("说明")
    about.append(["第1行为中文列名，第2行为英文列名；金额列为整数（元；*_fen 列为分）。"])
    about.append([note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def render_xlsx(datasette, request, table, query_name, database):
    """The `.xlsx` output renderer: every row of the page's table or query."""
    columns, rows, complete = await all_rows(datasette, request)
    csv_path = request.path[: -len(".xlsx")] + ".csv"
    csv_url = csv_download_url(csv_path + ("?" + request.query_string if request.query_string else ""))
    note = (f"共 {len(rows):,} 行，即全部结果。" if complete
            else f"只含前 {len(rows):,} 行；完整数据请下载 CSV：{csv_url}")
    name = table or query_name or database
    body = workbook_bytes(columns, rows, table, note)
    return Response(body, content_type=XLSX_TYPE,
                    headers={"content-disposition": f'attachment; filename="{name}.xlsx"'})


def can_render_xlsx(view_name):
    return view_name in ("table", "query")
