"""Run the benchmark suite and write BENCHMARKS.md (``make bench``; ``make bench QUICK=1``).

    .venv/bin/python bench/report.py [--quick] [--output BENCHMARKS.md] [--label TEXT]

Runs, one after the other, bench/http.py, bench/flow.py (when it exists), bench/celery.py,
bench/sweep.py and bench/queue.py (each with ``--quick`` when asked), shows their output as it
comes and keeps it in var/bench/<name>.log, takes each one's last line (one JSON object), and
writes BENCHMARKS.md: the machine (nproc, RAM, CPU model, load average before and after), the
date, the commit, how to reproduce, every figure, and each target of issue 11 with met/missed
and by how much. A script that fails or prints no JSON is reported as such, not skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
QUICK_NOTE = "quick (`--quick`: smaller runs; figures only, targets are judged on the full run)"
SUITE = ("http", "flow", "celery", "sweep", "queue", "statistics")  # BENCHMARKS.md's order
# The order they run in: the sweep's timed follow-up first, on a server not yet busy writing
# back and unlinking the flow's and HTTP's 17 GB clones (in the run of 2026-12-04 it took 63.6 s
# right after the flow bench dropped its clones, 41.9 s alone on an idle server).
RUN_ORDER = ("sweep", "celery", "queue", "http", "flow", "statistics")
TEMPLATE = "yunfu_load_tpl"  # seed_load's million-case template (loadtest.databases.TEMPLATE)
SERVER = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def template_info() -> dict | None:
    """The load template's size and comment (what seed_load wrote), or None when not built."""
    query = (
        "select pg_database_size(d.datname), coalesce(s.description, '') from pg_database d "
        "left join pg_shdescription s on s.objoid = d.oid where d.datname = %s"
    )
    try:
        import psycopg2

        conn = psycopg2.connect(SERVER.rsplit("/", 1)[0] + "/postgres")
        try:
            with conn.cursor() as cursor:
                cursor.execute(query, [TEMPLATE])
                row = cursor.fetchone()
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 - no server, no template: reported as such
        return None
    if not row:
        return None
    return {"bytes": row[0], "comment": row[1]}


def settle() -> None:
    """Before each script: the server's dirty pages written out (CHECKPOINT) and the files the
    last script deleted synced, so that one script's write-back does not land in the next one's
    figures."""
    try:
        import psycopg2

        conn = psycopg2.connect(SERVER.rsplit("/", 1)[0] + "/postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute("CHECKPOINT")
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 - no server: the script reports that itself
        pass
    os.sync()


def extra_args(name: str, quick: bool) -> list[str]:
    """The full run measures the HTTP endpoints on a clone of the million-case template."""
    if name == "http" and not quick and template_info():
        return ["--dsn", SERVER.rsplit("/", 1)[0] + "/" + TEMPLATE]
    if name == "flow":
        # the statistics feed runs in the background since 2026-12-04: with a Redis of its own
        # bench/flow.py measures it as production runs it (queued ids, a drainer process).
        return ["--redis-url", "redis://127.0.0.1:6379/5"]
    return []


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(ram, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return sha + (" (with uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


def run_one(name: str, quick: bool, logs: Path) -> dict:
    """Run bench/<name>.py (with ``--quick`` when ``quick``) and keep its last JSON line."""
    script = ROOT / "bench" / f"{name}.py"
    if not script.exists():
        return {"state": "absent", "note": f"bench/{name}.py is not on this branch"}
    # -P: the script's folder (bench/, with http.py, celery.py, queue.py) is not put first on
    # sys.path, where it would hide the standard library's and Celery's modules.
    takes_quick = "--quick" in script.read_text()
    cmd = [PYTHON, "-P", str(script)] + (["--quick"] if quick and takes_quick else [])
    cmd += extra_args(name, quick)
    started = time.monotonic()
    log = logs / f"{name}.log"
    last_json = None
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for line in proc.stdout:
            out.write(line)
            if not line.lstrip().startswith(("{", "[")) or "WARNING" in line:
                sys.stdout.write(f"[{name}] {line}")
                sys.stdout.flush()
            stripped = line.strip()
            if stripped.startswith("{") and stripped.endswith("}"):
                with contextlib.suppress(json.JSONDecodeError):
                    last_json = json.loads(stripped)
        proc.wait()
    seconds = time.monotonic() - started
    if proc.returncode != 0 or last_json is None:
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        return {
            "state": "failed",
            "seconds": seconds,
            "note": f"exit {proc.returncode}; last lines: " + " / ".join(tail)[-600:],
        }
    return {"state": "ok", "seconds": seconds, "data": last_json}


def reuse_one(name: str, logs: Path) -> dict:
    """The figures of bench/<name>.py's last run, from its log (``--reuse``)."""
    log = logs / f"{name}.log"
    last_json = None
    if log.exists():
        for line in log.read_text(errors="replace").splitlines():
            stripped = line.strip()
            if stripped.startswith("{") and stripped.endswith("}"):
                with contextlib.suppress(json.JSONDecodeError):
                    last_json = json.loads(stripped)
    if last_json is None:
        return {"state": "failed", "note": f"--reuse: no figures in {log}"}
    stamp = datetime.fromtimestamp(log.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return {"state": "ok", "seconds": None, "data": last_json, "reused": stamp}


def verdict(value, target: float, *, at_least: bool, unit: str = "") -> tuple[str, str]:
    """('met'|'missed', how far) for ``value`` against ``target``."""
    if value is None:
        return "not measured", ""
    ok = value >= target if at_least else value <= target
    if target:
        gap = (value - target) / target
        far = f"{gap:+.0%} of the target"
    else:
        far = f"{value - target:+g}{unit}"
    return ("met" if ok else "missed"), far


def targets(results: dict) -> list[tuple[str, str, str, str, str]]:
    """(target, measured, verdict, by how much, source) rows."""
    rows = []

    def data(name):
        r = results.get(name, {})
        return r.get("data") if r.get("state") == "ok" else None

    http = data("http")
    if http:
        eps = http.get("endpoints", {})
        for page in ("home", "catalogue", "guide"):
            ratio = eps.get(page, {}).get("ratio")
            v, far = verdict(ratio, 0.5, at_least=True)
            rows.append((f"{page} ≥ 50% of /healthz", f"{ratio:.1%}", v, far, "http"))
        api = eps.get("applications_api", {})
        v, far = verdict(api.get("rps"), 150, at_least=True)
        rows.append(
            (
                "applications API ≥ 150 req/s",
                f"{api.get('rps', 0):.1f} req/s",
                v,
                far,
                "http (this database's size: see the http figures)",
            )
        )
        v, far = verdict(api.get("p95_ms"), 100, at_least=False)
        rows.append(
            ("applications API p95 ≤ 100 ms", f"{api.get('p95_ms', 0):.1f} ms", v, far, "http")
        )
        rss = max(http.get("worker_rss_mb") or [0])
        v, far = verdict(rss, 250, at_least=False)
        rows.append(("each gunicorn worker ≤ 250 MB", f"{rss:.1f} MB (largest)", v, far, "http"))
        growth = max(http.get("worker_rss_growth_mb") or [0])
        v = "met" if growth <= 1.0 else "missed"
        rows.append(
            (
                "no RSS growth over the run's second half (≤ 1 MB)",
                f"{growth:+.1f} MB",
                v,
                f"{growth - 1.0:+.1f} MB" if v == "missed" else "",
                "http",
            )
        )
    flow = data("flow")
    if flow:
        v, far = verdict(flow.get("cases_per_s"), 6, at_least=True)
        ceiling = flow.get("cases_per_s_ceiling")
        measured = f"{flow.get('cases_per_s')}"
        if ceiling is not None:
            # What the cases' own CPU allows on this machine's cores: a ceiling under the
            # target says the target is out of reach here, whatever else ran.
            measured += (
                f" (CPU {flow.get('core_s_per_case')} core-s a case: at most {ceiling}/s on "
                f"{os.cpu_count()} cores)"
            )
            if v == "missed" and ceiling < 6:
                # Not out of reach for good: the ceiling is this code's, and falls with its CPU.
                v = "missed: CPU-bound at this code's cost per case"
        rows.append(("≥ 6 complete 6-department cases/s", measured, v, far, "flow"))
        small = (flow.get("at_1k") or {}).get("queries_per_case")
        big = (flow.get("at_1m") or {}).get("queries_per_case")
        same = small is not None and big is not None and abs(big - small) <= 0.5
        rows.append(
            (
                "queries per case the same at 1k and 1M",
                f"{small} / {big}",
                "met" if same else "missed",
                "" if same else f"{(big or 0) - (small or 0):+g}",
                "flow",
            )
        )
        v, far = verdict(flow.get("queries_per_transition"), 16, at_least=False)
        rows.append(
            (
                "≤ 16 queries per transition (submit, completion; after-commit work included)",
                f"{flow.get('queries_per_transition')} "
                f"({flow.get('statements_per_transition')} statements with BEGIN/COMMIT)",
                v,
                far,
                "flow",
            )
        )
        if flow.get("queries_per_claim") is not None:
            v, far = verdict(flow.get("queries_per_claim"), 8, at_least=False)
            rows.append(
                ("≤ 8 queries per claim", f"{flow.get('queries_per_claim')}", v, far, "flow")
            )
    celery = data("celery")
    if celery:
        v, far = verdict(celery.get("ratio"), 0.4, at_least=True)
        rows.append(
            (
                "idempotent task path ≥ 40% of a bare task",
                f"{celery['ratio']:.1%}",
                v,
                far,
                "celery",
            )
        )
    sweep = data("sweep")
    if sweep:
        key = "open_1m" if "open_1m" in sweep else sorted(sweep)[-1]
        big = sweep[key]
        v, far = verdict(big.get("seconds"), 1.0, at_least=False)
        rows.append(
            (f"sweep marks 1% due in ≤ 1 s ({key})", f"{big.get('seconds')} s", v, far, "sweep")
        )
        v, far = verdict(big.get("buffers_per_due_row"), 10, at_least=False)
        rows.append(
            ("≤ 10 buffers per due row", f"{big.get('buffers_per_due_row')}", v, far, "sweep")
        )
        followup = big.get("followup_seconds")
        if followup is None and big.get("followup_ms_per_row") is not None:
            followup = big["followup_ms_per_row"] * 10_000 / 1000
        v, far = verdict(followup, 60, at_least=False)
        rows.append(
            (
                "follow-up of 10,000 due rows ≤ 60 s",
                "—" if followup is None else f"{followup:.1f} s",
                v,
                far,
                "sweep",
            )
        )
    stats = data("statistics")
    if stats:
        for key, label in (("board_p95_ms", "board"), ("public_p95_ms", "public figures pages")):
            v, far = verdict(stats.get(key), 200, at_least=False)
            rows.append(
                (f"issue 13: {label} p95 < 200 ms", f"{stats.get(key)} ms", v, far, "statistics")
            )
        v, far = verdict(stats.get("rebuild_month_s"), 60, at_least=False)
        rows.append(
            (
                "issue 13: a month's read models rebuilt < 60 s",
                f"{stats.get('rebuild_month_s')} s",
                v,
                far,
                "statistics",
            )
        )
    rows.append(
        (
            "staff inbox ≤ 8 SQL queries whatever the tasks",
            "guarded by tests (tests/workflow/test_views.py, test_selectors.py)",
            "see the test suite",
            "",
            "tests",
        )
    )
    return rows


def figures(name: str, data: dict) -> list[str]:
    if name == "http":
        lines = [
            "| endpoint | req/s | p50 ms | p95 ms | ratio to /healthz | HTTP |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for ep, row in data.get("endpoints", {}).items():
            lines.append(
                f"| {ep} | {row['rps']:.1f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} "
                f"| {row['ratio']:.1%} | {row.get('status', '')} |"
            )
        lines.append("")
        lines.append(
            "Worker RSS after the run: "
            + ", ".join(f"{mb} MB" for mb in data.get("worker_rss_mb", []))
            + "; growth over the second "
            "half: " + ", ".join(f"{mb:+} MB" for mb in data.get("worker_rss_growth_mb", []))
        )
        return lines
    return ["```json", json.dumps(data, indent=2, ensure_ascii=False), "```"]


def dataset_line() -> str:
    info = template_info()
    if not info:
        return f"`{TEMPLATE}` not built: the HTTP figures are on the demo's data"
    return (
        f"`{TEMPLATE}` ({info['bytes'] / 1e9:.1f} GB; {info['comment'] or 'no comment'}); "
        "the full run's HTTP, flow and statistics figures are on clones of it"
    )


def write(path: Path, results: dict, info: dict, quick: bool, label: str) -> None:
    out = ["# Benchmarks", ""]
    if label:
        out += [f"> **{label}**", ""]
    out += [
        f"- Date: {info['date']} (took {info['minutes']:.1f} min)",
        f"- Commit: `{info['commit']}`",
        f"- Machine: {info['machine']['nproc']} CPUs ({info['machine']['cpu']}), "
        f"{info['machine']['ram_gb']} GB RAM, Python {info['machine']['python']}; load average "
        f"{info['machine']['load']} before, {info['load_after']} after",
        f"- Mode: {QUICK_NOTE if quick else 'full'}",
        "- Reproduce: `make bench` (full) or `make bench QUICK=1`, on a machine with PostgreSQL "
        "and Redis (DATABASE_URL's server; Redis at 127.0.0.1:6379, databases 5, 6 and 7) and "
        "`wrk` (`apt-get install wrk`; without it a Python load client is used); each script "
        "also runs alone, e.g. `.venv/bin/python bench/http.py --quick`. Run it on an "
        "otherwise idle machine: every comparison is a ratio within one run.",
        "",
        f"- Dataset: {dataset_line()}",
        "",
        "## Targets (issue 11)",
        "",
        "| target | measured | verdict | by how much | from |",
        "|---|---|---|---|---|",
    ]
    for row in targets(results):
        out.append("| " + " | ".join(row) + " |")
    out += [""]
    for name in SUITE:
        r = results[name]
        out += [f"## bench/{name}.py", ""]
        if r["state"] == "ok":
            mode = " **Quick version** (`--quick`) in this run." if r.get("quick") else ""
            took = (
                f"From the run that ended {r['reused']} (its log, var/bench/{name}.log)."
                if r.get("reused")
                else f"{r['seconds']:.0f} s."
            )
            out += [f"{took}{mode}", ""] + figures(name, r["data"]) + [""]
        else:
            out += [f"**{r['state']}**: {r['note']}", ""]
    path.write_text("\n".join(out) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--label", default=os.environ.get("BENCH_LABEL", ""))
    parser.add_argument("--only", nargs="*", choices=SUITE, default=None)
    parser.add_argument(
        "--quick-for",
        nargs="*",
        choices=SUITE,
        default=[],
        help="in a full run, run these scripts in their quick version (BENCHMARKS.md says so)",
    )
    parser.add_argument(
        "--reuse",
        nargs="*",
        choices=SUITE,
        default=[],
        help="take these scripts' figures from their last run's log in var/bench (not run "
        "again; BENCHMARKS.md says when that run ended)",
    )
    args = parser.parse_args()
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    info = {
        "machine": machine(),
        "commit": commit(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    started = time.monotonic()
    results = {}
    for name in RUN_ORDER:
        if args.only and name not in args.only:
            results[name] = {"state": "not run", "note": "left out with --only"}
            continue
        settle()
        print(f"=== bench/{name}.py", flush=True)
        if name in args.reuse:
            results[name] = reuse_one(name, logs)
        else:
            results[name] = run_one(name, args.quick or name in args.quick_for, logs)
        if name in args.quick_for and not args.quick:
            results[name]["quick"] = True
    info["minutes"] = (time.monotonic() - started) / 60
    info["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    write(Path(args.output), results, info, args.quick, args.label)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
