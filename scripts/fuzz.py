#!/usr/bin/env python3
"""Fuzz every CLI input with thousands of seeded mutants; count tracebacks, hangs, clean errors, successes.

    python scripts/fuzz.py [--quick] [--text N] [--pdf N] [--other N] [--seed S] [--jobs J]

Mutants come from tests/fuzzing.py: the seed text (byte flips, cuts, huge/negative/full-width
numbers, encodings), PDFs (the dev PDFs when ../shared is present, else synthetic ones: flipped
bytes, cuts, repeated spans, a flate bomb), HTML, provenance sidecars, diff CSVs, package CSVs and
descriptors, odd ids and paths. Each case runs through the click CLI in a worker subprocess,
bounded: a case that uses 5 s of CPU (or 60 s of wall time) without an answer is a hang, and its
worker is killed and replaced; workers are capped at 8 GB of address space. A result is a success,
a clean error (exactly one `Error:` line) or a traceback. Failures are written to
bench-out/fuzz/failures.json (kind, seed, verdict, where); the last line printed is one JSON object.
"""

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench-out" / "fuzz"
HANG_SECONDS = 5  # of the worker's CPU time
WALL_SECONDS = 60  # a case waiting on something else (a stuck subprocess)
MEMORY_BYTES = 8 * 1024**3  # address space: polars reserves much more than it uses


def where(exception):
    """The innermost frame in cnbudget (file:line function) and the exception, in one line."""
    frames = [f for f in traceback.extract_tb(exception.__traceback__) if "/cnbudget/" in f.filename]
    frame = frames[-1] if frames else None
    at = f"{Path(frame.filename).parent.name}/{Path(frame.filename).name}:{frame.lineno} {frame.name}" if frame else "?"
    return f"{at}: {type(exception).__name__}: {str(exception)[:160]}"


def run_case(kind, seed, pdf_seeds):
    """One case in this process: (verdict, detail)."""
    from click.testing import CliRunner

    from cnbudget.cli import cli
    from tests import fuzzing

    with tempfile.TemporaryDirectory(prefix="cnbudget-fuzz-") as work:
        args = fuzzing.make_case(kind, fuzzing.seeded(seed), Path(work), pdf_seeds)
        result = CliRunner().invoke(cli, args)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            return "traceback", where(result.exception)
        verdict = fuzzing.verdict(result.exit_code, result.stderr)
        return verdict, result.stderr.strip()[:200] if verdict != "success" else ""


def worker(connection):
    """Run cases sent over the pipe until None arrives; memory capped."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    import cnbudget.cli  # noqa: F401 - imports are paid before the first case's 5 s start
    import cnbudget.diff  # noqa: F401
    import cnbudget.extract  # noqa: F401
    import cnbudget.load  # noqa: F401
    import cnbudget.package  # noqa: F401
    from tests import fuzzing

    pdf_seeds = fuzzing.pdf_seeds()
    connection.send("ready")
    while True:
        case = connection.recv()
        if case is None:
            return
        started = time.perf_counter()
        try:
            verdict, detail = run_case(*case, pdf_seeds)
        except BaseException as error:  # noqa: BLE001 - a crash of the harness is a finding too
            verdict, detail = "traceback", where(error)
        connection.send((verdict, detail, time.perf_counter() - started))


class Worker:
    """A worker subprocess and its pipe; restarted after a hang."""

    def __init__(self, context):
        self.context = context
        self.start()

    def start(self):
        self.parent, child = self.context.Pipe()
        self.process = self.context.Process(target=worker, args=(child,), daemon=True)
        self.process.start()
        if not self.parent.poll(300) or self.parent.recv() != "ready":
            raise SystemExit("a fuzz worker did not start within 300 s")
        self.case = None
        self.sent = None

    def send(self, case):
        self.case, self.sent = case, time.monotonic()
        self.cpu_at_send = self.cpu(since_send=False)
        self.parent.send(case)

    def cpu(self, since_send=True):
        """CPU seconds the worker used (since the case was sent): a busy machine is not a hang."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            used = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return 0.0
        return used - self.cpu_at_send if since_send else used

    def kill(self):
        self.process.kill()
        self.process.join(5)
        self.start()

    def stop(self):
        try:
            self.parent.send(None)
        except OSError:
            pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()


def run_all(cases, jobs):
    """Run the cases on `jobs` workers; yields (case, verdict, detail, seconds)."""
    context = multiprocessing.get_context("spawn")
    workers = [Worker(context) for _ in range(jobs)]
    pending = list(reversed(cases))
    try:
        for w in workers:
            if pending:
                w.send(pending.pop())
        while any(w.case for w in workers):
            for w in workers:
                if w.case is None:
                    continue
                if w.parent.poll(0.02):
                    try:
                        verdict, detail, seconds = w.parent.recv()
                    except EOFError:  # the worker died (killed by the memory cap or a signal)
                        verdict, detail, seconds = "traceback", "worker died", time.monotonic() - w.sent
                        case = w.case
                        w.kill()
                        yield case, verdict, detail, seconds
                        if pending:
                            w.send(pending.pop())
                        continue
                    case = w.case
                    w.case = None
                    yield case, verdict, detail, seconds
                    if pending:
                        w.send(pending.pop())
                elif w.cpu() > HANG_SECONDS or time.monotonic() - w.sent > WALL_SECONDS:
                    case = w.case
                    w.kill()
                    yield case, "hang", f"no result within {HANG_SECONDS} s of CPU", HANG_SECONDS
                    if pending:
                        w.send(pending.pop())
    finally:
        for w in workers:
            w.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 text, 50 PDF and 10 of each other kind")
    parser.add_argument("--text", type=int, help="text mutants (default 5,000)")
    parser.add_argument("--pdf", type=int, help="PDF mutants (default 500)")
    parser.add_argument("--other", type=int, help="mutants of each other kind (html, sidecar, diff_csv, "
                                                  "package, argument; default 100, 500 in all)")
    parser.add_argument("--seed", type=int, default=0, help="first seed (cases use seed, seed+1, ...)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args(argv)
    counts = {"text": args.text or (500 if args.quick else 5000), "pdf": args.pdf or (50 if args.quick else 500)}
    for kind in ("html", "sidecar", "diff_csv", "package", "argument"):
        counts[kind] = args.other or (10 if args.quick else 100)
    cases = [(kind, args.seed + i) for kind, n in counts.items() for i in range(n)]
    started = time.perf_counter()
    totals, by_kind, failures, slowest = Counter(), {k: Counter() for k in counts}, [], []
    for n, (case, verdict, detail, seconds) in enumerate(run_all(cases, args.jobs), start=1):
        totals[verdict] += 1
        by_kind[case[0]][verdict] += 1
        slowest = sorted([*slowest, (round(seconds, 2), *case)], reverse=True)[:5]
        if verdict in ("traceback", "hang"):
            failures.append({"kind": case[0], "seed": case[1], "verdict": verdict, "where": detail})
        if n % 500 == 0:
            print(f"{n:>6} cases, {dict(totals)}, {time.perf_counter() - started:.0f} s", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "failures.json").write_text(json.dumps(failures, ensure_ascii=False, indent=1), encoding="utf-8")
    groups = Counter(f"{f['verdict']} {f['where'].split(': ')[0]}" for f in failures)
    for kind, counter in by_kind.items():
        print(f"{kind:9} {sum(counter.values()):>5} cases: {dict(counter)}")
    for group, count in groups.most_common():
        print(f"  {count:>4} × {group}")
    print(json.dumps({
        "benchmark": "fuzz", "cases": sum(totals.values()), "seconds": round(time.perf_counter() - started, 1),
        "tracebacks": totals["traceback"], "hangs": totals["hang"], "clean_errors": totals["error"],
        "successes": totals["success"], "by_kind": {k: dict(v) for k, v in by_kind.items()},
        "failure_sites": dict(groups), "slowest": slowest, "hang_seconds": HANG_SECONDS,
        "pdf_seeds": "dev" if (ROOT.parent / "shared" / "sources" / "dev").is_dir() else "synthetic",
        "load_average_1min": round(os.getloadavg()[0], 2),
    }, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
