#!/usr/bin/env python3
"""Benchmark the served site: `cnbudget serve` against plain Datasette on the same synthetic database.

    python scripts/bench_serve.py [--quick] [--documents N] [--seconds S] [--rebuild]

Builds (once, cached under bench-out/serve/) a database of N synthetic disclosures (default 10,000;
--quick: 1,000) written by scripts/make_synthetic.py, extracted by `cnbudget build` and loaded with
cnbudget.load, then runs `wrk` (10 connections, S seconds per endpoint; Debian package `wrk`,
installed with apt-get when missing) against two servers on 127.0.0.1, one after the other:

- site: the command `cnbudget serve` runs (cnbudget/site/settings.py, metadata.yml, our plugin)
- plain: `datasette serve cnbudget.db` with default settings and no plugins

The Datasette endpoints run on both; the site's own pages (unit, document, drill-down, search)
exist only on the site and stand beside plain Datasette's table page, the page a citizen would
otherwise read. Prints requests/s and p50/p99 latency per endpoint; the last line is one JSON
object. Synthetic data: never written under datasets/.
"""

import argparse
import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cnbudget.load import load_package  # noqa: E402
from cnbudget.package import build_package  # noqa: E402
from cnbudget.site.settings import serve_args  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from make_synthetic import write_corpus  # noqa: E402

OUT = ROOT / "bench-out" / "serve"
BIN = Path(sys.executable).parent
CONNECTIONS = 10

ENDPOINTS = {
    "home": "/",
    "table_html": "/cnbudget/budget_lines",
    "table_json": "/cnbudget/budget_lines.json?_shape=array",
    "filtered_json": "/cnbudget/budget_lines.json?_shape=array&statement=three_public&item=reception",
    "search_json": "/cnbudget/budget_lines.json?_shape=array&_search=" + quote("公务接待"),
    "search_short_json": "/cnbudget/budget_lines.json?_shape=array&_search=" + quote("接待"),
}

# Plain Datasette: the same CLI with entry-point plugins switched off (datasette/plugins.py skips
# them when sys._called_from_test is set), default settings, the file opened mutable.
PLAIN_DATASETTE = "import sys; sys._called_from_test = True; from datasette.cli import cli; cli()"


def build_database(n, rebuild=False):
    """Path of the cached synthetic database for n documents, and build timings when it was built."""
    work = OUT / f"synthetic-{n}"
    db = work / "cnbudget.db"
    inspect = work / "inspect.json"
    if db.exists() and inspect.exists() and not rebuild:
        return db, inspect, {}
    started = time.perf_counter()
    if rebuild or not (work / "package" / "datapackage.json").exists():
        shutil.rmtree(work, ignore_errors=True)
        write_corpus(n, work / "sources")
        build_package(work / "sources", work / "package")
    built = time.perf_counter()
    summary = load_package(work / "package", db)
    loaded = time.perf_counter()
    subprocess.run([str(BIN / "datasette"), "inspect", str(db), "--inspect-file", str(inspect)], check=True)
    inspected = time.perf_counter()
    return db, inspect, {
        "generate_and_build_s": round(built - started, 1), "load_s": round(loaded - built, 1),
        "inspect_s": round(inspected - loaded, 1), "rows": summary["tables"],
    }


def site_pages(db):
    """The site's own pages for one synthetic unit and document (ids read from the database)."""
    import sqlite3

    conn = sqlite3.connect(db)
    document, unit = conn.execute("select document_id, unit_name from documents order by document_id limit 1").fetchone()
    code = conn.execute("select function_code from budget_lines where document_id = ? and function_level = '类' "
                        "order by line_id limit 1", (document,)).fetchone()[0]
    conn.close()
    return {
        "unit_page": "/unit/" + quote(unit, safe=""),
        "document_page": "/document/" + quote(document),
        "drill_down": f"/document/{quote(document)}/functions?code={code}",
        "search_page": "/search?q=" + quote("三公经费"),
        "search_page_short": "/search?q=" + quote("接待"),
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_commands(db, inspect, port):
    """The site's command line (exactly what `cnbudget serve` runs) and the plain one."""
    site = [str(BIN / "datasette"), *serve_args(db, ROOT / "metadata.yml", inspect, host="127.0.0.1", port=port)]
    plain = [sys.executable, "-c", PLAIN_DATASETTE, "serve", str(db), "--host", "127.0.0.1", "--port", str(port)]
    return {"tuned": site, "plain": plain}


def start(command, base):
    """Start a server and wait until it answers (at most 120 s: the plain one hashes nothing, the tuned one may)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/-/metadata.json", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server did not start: {' '.join(command)}")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def ensure_wrk():
    """Path of wrk, installing the Debian package when missing."""
    if not shutil.which("wrk"):
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                       stdout=subprocess.DEVNULL, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk")


def to_ms(value):
    """A wrk duration like 812.00us, 3.41ms or 1.02s in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return round(float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 2)


def run_wrk(wrk, url, seconds):
    """Requests/s, p50 and p99 in ms, and error counts of one bounded wrk run."""
    output = subprocess.run(
        [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": to_ms(percentiles["50"]), "p99_ms": to_ms(percentiles["99"]),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "timeouts": int(errors.group(4)) if errors else 0,
    }


def result_count(base, path):
    """How many rows the first page of a JSON endpoint returns (to show both servers answer alike)."""
    if ".json" not in path:
        return None
    return len(httpx.get(base + path, timeout=60).json())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 documents, 3 s per endpoint")
    parser.add_argument("--documents", type=int, help="synthetic documents (default 10,000; --quick 1,000)")
    parser.add_argument("--seconds", type=int, help="wrk duration per endpoint (default 10; --quick 3)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    args = parser.parse_args(argv)
    n = args.documents or (1000 if args.quick else 10000)
    seconds = args.seconds or (3 if args.quick else 10)

    wrk = ensure_wrk()
    db, inspect, build = build_database(n, args.rebuild)
    load_before = os.getloadavg()[0]
    print(f"database: {n:,} synthetic documents, {db.stat().st_size / 1e6:.0f} MB {build or '(cached)'}")
    results = {}
    for name, command in server_commands(db, inspect, free_port()).items():
        base = "http://127.0.0.1:" + command[command.index("--port") + 1]
        process = start(command, base)
        try:
            results[name] = {}
            endpoints = {**ENDPOINTS, **(site_pages(db) if name == "tuned" else {})}
            for endpoint, path in endpoints.items():
                rows = result_count(base, path)  # also the warm-up request
                results[name][endpoint] = {**run_wrk(wrk, base + path, seconds), "rows": rows}
                r = results[name][endpoint]
                print(f"{name:5} {endpoint:18} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:8.2f} ms  "
                      f"p99 {r['p99_ms']:8.2f} ms  non-2xx {r['non_2xx']}  rows {rows}")
        finally:
            stop(process)
    ratio = {e: round(results["tuned"][e]["rps"] / max(results["plain"][e]["rps"], 0.01), 1) for e in ENDPOINTS}
    print("tuned/plain requests/s: " + ", ".join(f"{e} {r}x" for e, r in ratio.items()))
    table = results["plain"]["table_html"]
    for page in site_pages(db):
        r = results["tuned"][page]
        print(f"site {page:18} p99 {r['p99_ms']:8.2f} ms  {r['rps']:7.1f} req/s   |  plain Datasette table page "
              f"p99 {table['p99_ms']:8.2f} ms  {table['rps']:7.1f} req/s")
    print(f"load average (1 min) before/after: {load_before:.1f}/{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(json.dumps({
        "bench": "serve", "documents": n, "seconds": seconds, "connections": CONNECTIONS,
        "db_mb": round(db.stat().st_size / 1e6), "build": build, "results": results, "ratio": ratio,
        "cpus": os.cpu_count(), "load_average_1m": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "p99_target_met": {e: r["p99_ms"] <= 100 for e, r in results["tuned"].items()},
    }, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
