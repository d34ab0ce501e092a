#!/usr/bin/env python3
"""Benchmark the site under hostile clients: page latency while 10 clients flood it, and huge results.

    python scripts/bench_hostile.py [--quick] [--seconds S] [--documents N] [--no-compare]

Serves a synthetic database (bench_serve's, cached under bench-out/serve/; 1,000 documents with
--quick) on 127.0.0.1 with the site's settings plus cnbudget.guard's GUARD_SETTINGS (cnbudget/site/settings.py), and for
each attack runs 10 attacking clients (another process) for S seconds while one visitor loads the
home page and a table page in turn. Attacks, one at a time: none (baseline), requests for missing
tables (404), invalid SQL, a runaway recursive CTE. Reports the visitor's p50/p99/max per page;
with comparison (the default), the same against the site without the guard plugin. Then asks for
a 100 MB value and a result over the response cap. Bounded: every loop stops after S seconds,
every request times out after 30 s, servers are stopped by their PID. Last line: one JSON object.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_serve import build_database, free_port, start, stop  # noqa: E402

from cnbudget import guard  # noqa: E402
from cnbudget.site.settings import SERVE_SETTINGS, SITE_SETTINGS, setting_flags  # noqa: E402

BIN = Path(sys.executable).parent
CLIENTS = 10
TIMEOUT = 30
RUNAWAY = "with recursive c(x) as (select 1 union all select x + 1 from c) select max(x) from c"
ATTACKS = {
    "none": None,
    "404_flood": ("/cnbudget/no_such_table_{i}", {}),
    "invalid_sql_flood": ("/cnbudget.json", {"sql": "selec nonsense {i}"}),
    "runaway_cte": ("/cnbudget.json", {"sql": RUNAWAY}),
}
PAGES = {"home": "/", "table": "/cnbudget/budget_lines"}
# The site without the guard: the same CLI with entry-point plugins off (see bench_serve) and the
# site plugin registered by hand.
UNGUARDED = ("import sys; sys._called_from_test = True; from datasette.plugins import pm; "
             "import cnbudget.site as site; pm.register(site, 'cnbudget'); "
             "from datasette.cli import cli; cli()")


def server_command(db, inspect, port, guarded):
    settings = SERVE_SETTINGS if guarded else SITE_SETTINGS
    head = [str(BIN / "datasette")] if guarded else [sys.executable, "-c", UNGUARDED]
    return [*head, "serve", "-i", str(db), "--inspect-file", str(inspect), "--metadata",
            str(ROOT / "metadata.yml"), *setting_flags(settings), "--host", "127.0.0.1", "--port", str(port)]


async def attack(base, path, params, seconds):
    """CLIENTS loops requesting path (with {i} filled) until `seconds` pass; returns status counts."""
    deadline = time.monotonic() + seconds
    counts = {}

    async def client(n):
        async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as http:
            i = 0
            while time.monotonic() < deadline:
                i += 1
                filled = {k: v.format(i=i) for k, v in params.items()}
                try:
                    response = await http.get(path.format(i=f"{n}_{i}"), params=filled)
                    counts[response.status_code] = counts.get(response.status_code, 0) + 1
                except httpx.HTTPError as error:
                    counts[type(error).__name__] = counts.get(type(error).__name__, 0) + 1

    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    return counts


def attacker_main(base, name, seconds):
    """Entry point of the attacking process: prints its status counts as JSON."""
    path, params = ATTACKS[name]
    print(json.dumps(asyncio.run(attack(base, path, params, seconds))))


def visit(base, seconds):
    """One visitor loading each page in turn for `seconds`: latencies in seconds per page."""
    latencies = {page: [] for page in PAGES}
    errors = 0
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base, timeout=TIMEOUT) as http:
        while time.monotonic() < deadline:
            for page, path in PAGES.items():
                started = time.perf_counter()
                try:
                    ok = http.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies[page].append(time.perf_counter() - started)
                errors += not ok
    return latencies, errors


def summary(values):
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"n": len(values), "p50_ms": round(statistics.median(values) * 1000, 1),
            "p99_ms": round(p99 * 1000, 1), "max_ms": round(max(values) * 1000, 1)}


def run_scenario(base, name, seconds):
    """Visitor latencies while the attack `name` runs in another process."""
    attacker = None
    if ATTACKS[name]:
        attacker = subprocess.Popen([sys.executable, __file__, "--attacker", name, "--base", base,
                                     "--seconds", str(seconds)], stdout=subprocess.PIPE, text=True)
        time.sleep(0.5)  # let the flood start
    latencies, errors = visit(base, seconds)
    counts = {}
    if attacker:
        try:
            out, _ = attacker.communicate(timeout=seconds + TIMEOUT + 10)
            counts = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
        except subprocess.TimeoutExpired:
            attacker.kill()
            attacker.wait()
    return {"pages": {page: summary(values) for page, values in latencies.items()},
            "visitor_errors": errors, "attacker_statuses": counts}


def huge_results(base):
    """A 100 MB value and a many-row result over the response cap: status, bytes and seconds."""
    probes = {
        "value_100mb": "select printf('%.*c', 100000000, 'x') as v",
        "rows_over_cap": "select printf('%.*c', 900000, 'x') as v from budget_lines limit 100",
    }
    out = {}
    with httpx.Client(base_url=base, timeout=TIMEOUT) as http:
        for name, sql in probes.items():
            started = time.perf_counter()
            response = http.get("/cnbudget.json", params={"sql": sql, "_shape": "array"})
            out[name] = {"status": response.status_code, "bytes": len(response.content),
                         "seconds": round(time.perf_counter() - started, 2)}
    return out


def peak_rss_mib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 documents and 5 s per attack")
    parser.add_argument("--seconds", type=float, help="seconds per attack (default 10; 5 with --quick)")
    parser.add_argument("--documents", type=int, help="synthetic documents (default 10,000; 1,000 with --quick)")
    parser.add_argument("--no-compare", action="store_true", help="skip the site without the guard")
    parser.add_argument("--attacks", default=",".join(ATTACKS), help="comma-separated attacks (default: all)")
    parser.add_argument("--attacker", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.attacker:
        return attacker_main(args.base, args.attacker, args.seconds)
    seconds = args.seconds or (5 if args.quick else 10)
    documents = args.documents or (1_000 if args.quick else 10_000)
    db, inspect, _built = build_database(documents)
    results = {}
    for guarded in (True, False) if not args.no_compare else (True,):
        label = "guarded" if guarded else "unguarded"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start(server_command(db, inspect, port, guarded), base)
        try:
            block = results[label] = {}
            for name in args.attacks.split(","):
                block[name] = run_scenario(base, name, seconds)
                pages = block[name]["pages"]
                print(f"{label:9} {name:18} home p50 {pages['home']['p50_ms']:>7} ms p99 {pages['home']['p99_ms']:>8} ms"
                      f" | table p50 {pages['table']['p50_ms']:>7} ms p99 {pages['table']['p99_ms']:>8} ms"
                      f" | attackers {block[name]['attacker_statuses']}", flush=True)
            if guarded:
                block["huge_results"] = huge_results(base)
                print(f"{label:9} huge results: {block['huge_results']}", flush=True)
            block["server_peak_rss_mib"] = peak_rss_mib(server.pid)
        finally:
            stop(server)
    guarded = results["guarded"]
    worst = max(guarded[name]["pages"][page]["p99_ms"] for name in args.attacks.split(",") for page in PAGES)
    huge = guarded["huge_results"]
    print(json.dumps({
        "benchmark": "hostile", "cpus": os.cpu_count(), "documents": documents, "seconds_per_attack": seconds,
        "clients": CLIENTS, "load_average_1min": round(os.getloadavg()[0], 2),
        "worst_p99_ms": worst, "within_1s": worst <= 1000,
        "huge_value_refused": huge["value_100mb"]["bytes"] < 1_000_000,
        "over_cap_refused": huge["rows_over_cap"]["status"] == 413,
        "results": results,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
