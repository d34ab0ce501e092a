#!/usr/bin/env python3
"""Benchmark the served site: `make serve` settings against plain Datasette on the same synthetic database.

    python scripts/bench_serve.py [--quick] [--documents N] [--seconds S] [--rebuild]

Builds (once, cached under bench-out/serve/) a database of N synthetic documents (default 10,000;
--quick: 1,000) by cloning the committed seed package's rows with a synthetic label, loads it with
cnbudget.load, then runs `wrk` (10 connections, S seconds per endpoint; Debian package `wrk`,
installed with apt-get when missing) against two servers on 127.0.0.1, one after the other:

- tuned: `datasette serve -i ... --inspect-file ... --metadata metadata.yml` + SERVE_SETTINGS + our plugin
- plain: `datasette serve cnbudget.db` with default settings and no plugins

Prints requests/s and p50/p99 latency per endpoint and the tuned/plain ratio; the last line is one
JSON object. Synthetic data: never written under datasets/.
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

from cnbudget.datasette_plugin import SERVE_SETTINGS  # noqa: E402
from cnbudget.load import load_package  # noqa: E402

SEED_PACKAGE = ROOT / "datasets" / "package"
OUT = ROOT / "bench-out" / "serve"
BIN = Path(sys.executable).parent
SYNTHETIC = "【合成数据，仅供测试】"
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


def scale(row, factor, columns):
    """A copy of row with its money columns scaled by factor/100 in integer 元."""
    out = dict(row)
    for column in columns:
        if out.get(column) not in ("", None):
            out[column] = str(int(out[column]) * factor // 100)
    return out


def make_package(n, out):
    """Write a synthetic copy of the seed package with n documents into out (same schemas)."""
    descriptor = json.loads((SEED_PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["title"] = SYNTHETIC + descriptor.get("title", "")
    out.mkdir(parents=True, exist_ok=True)
    money = {"budget_lines": ["amount_yuan"], "stated_changes": ["change_yuan", "prior_yuan"]}
    for resource in descriptor["resources"]:
        source = SEED_PACKAGE / resource["path"]
        with open(source, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        fields = [f["name"] for f in resource["schema"]["fields"]]
        with open(out / resource["path"], "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fields, lineterminator="\n")
            writer.writeheader()
            if "document_id" not in fields:  # reference tables are copied unchanged
                writer.writerows(rows)
                continue
            for i in range(n):
                doc = f"synthetic-{i:05d}"
                year = 2021 + i % 3
                factor = 50 + (i * 37) % 101
                for row in rows:
                    row = scale(row, factor, money.get(resource["name"], []))
                    row["document_id"] = doc
                    if "fiscal_year" in row:
                        row["fiscal_year"] = str(year)
                    if resource["name"] == "documents":
                        unit = f"合成单位{i // 3:04d}"
                        row.update(
                            title=f"{SYNTHETIC}{unit}{year}年部门预算", unit_name=unit, region="合成",
                            source_file=f"synthetic/{doc}.txt", source_url="",
                            obtained="synthetic: scripts/bench_serve.py clones the seed package rows",
                        )
                    writer.writerow(row)
    (out / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")


def build_database(n, rebuild=False):
    """Path of the cached synthetic database for n documents, and build timings when it was built."""
    work = OUT / f"{n}"
    db = work / "cnbudget.db"
    inspect = work / "inspect.json"
    if db.exists() and inspect.exists() and not rebuild:
        return db, inspect, {}
    shutil.rmtree(work, ignore_errors=True)
    started = time.perf_counter()
    make_package(n, work / "package")
    generated = time.perf_counter()
    summary = load_package(work / "package", db)
    loaded = time.perf_counter()
    subprocess.run([str(BIN / "datasette"), "inspect", str(db), "--inspect-file", str(inspect)], check=True)
    inspected = time.perf_counter()
    shutil.rmtree(work / "package")
    return db, inspect, {
        "generate_s": round(generated - started, 1), "load_s": round(loaded - generated, 1),
        "inspect_s": round(inspected - loaded, 1), "rows": summary["tables"],
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_commands(db, inspect, port):
    """The tuned (make serve) and the plain command lines."""
    flags = []
    for name, value in SERVE_SETTINGS.items():
        flags += ["--setting", name, {False: "off", True: "on"}.get(value, str(value))]
    tuned = [str(BIN / "datasette"), "serve", "-i", str(db), "--inspect-file", str(inspect),
             "--metadata", str(ROOT / "metadata.yml"), *flags]
    plain = [sys.executable, "-c", PLAIN_DATASETTE, "serve", str(db)]
    address = ["--host", "127.0.0.1", "--port", str(port)]
    return {"tuned": tuned + address, "plain": plain + address}


def start(command, base):
    """Start a server and wait until it answers (at most 120 s: the plain one hashes nothing, the tuned one may)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        base = "http://127.0.0.1:" + command[-1]
        process = start(command, base)
        try:
            results[name] = {}
            for endpoint, path in ENDPOINTS.items():
                rows = result_count(base, path)  # also the warm-up request
                results[name][endpoint] = {**run_wrk(wrk, base + path, seconds), "rows": rows}
                r = results[name][endpoint]
                print(f"{name:5} {endpoint:18} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:8.2f} ms  "
                      f"p99 {r['p99_ms']:8.2f} ms  non-2xx {r['non_2xx']}  rows {rows}")
        finally:
            stop(process)
    ratio = {e: round(results["tuned"][e]["rps"] / max(results["plain"][e]["rps"], 0.01), 1) for e in ENDPOINTS}
    print("tuned/plain requests/s: " + ", ".join(f"{e} {r}x" for e, r in ratio.items()))
    print(f"load average (1 min) before/after: {load_before:.1f}/{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(json.dumps({
        "bench": "serve", "documents": n, "seconds": seconds, "connections": CONNECTIONS,
        "db_mb": round(db.stat().st_size / 1e6), "build": build, "results": results, "ratio": ratio,
        "cpus": os.cpu_count(), "load_average_1m": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "p99_target_met": {e: r["p99_ms"] <= 100 for e, r in results["tuned"].items()},
    }, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
