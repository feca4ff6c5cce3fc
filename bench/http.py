"""HTTP benchmark of the production server (issue 11 item 2).

    .venv/bin/python bench/http.py [--quick] [--dsn postgres://…/template_db] [--reuse-db]
        [--only applications_api inbox …] [--keep-clone] [--clone-name NAME]
        [--inbox-db-requests N]

1. A database of its own: ``bench_http``, fresh (migrated, ``seed_demo``) unless ``--reuse-db``
   (or ``--quick``) finds one; or, with ``--dsn`` (the ``seed_load`` template of
   ``bench/flow.py``'s dataset), a clone of that template (``CREATE DATABASE … TEMPLATE``),
   dropped after the run (``--keep-clone`` keeps it, under ``--clone-name``; ``--dsn … --reuse-db``
   then reuses it as it is instead of cloning again).
2. The production server: gunicorn (2 sync workers, as docker-compose.yml runs it, access log
   off) with ``PRODUCTION=true`` and the settings .env.example asks for, on PostgreSQL and Redis
   (its own Redis database, ``--redis-url``).
3. A load client in another process — ``wrk`` (Debian's package) with 8 connections, else a
   Python client with 8 keep-alive connections — drives each endpoint in turn: ``/healthz``
   (the baseline, measured first and last; its mean is the ratios' denominator), the home page,
   the catalogue, a guide, the items API, the applications API as a reviewer of the department
   that takes part in the most cases (API token), the staff inbox (session cookie, second factor
   shown) and the public tracking query (the kiosks' exemption from its throttle: the client is
   127.0.0.1). Requests carry ``X-Forwarded-Proto: https`` as behind the TLS proxy.
4. The resident memory of each gunicorn worker after each endpoint; the growth over the second
   half of the run is the last reading minus the one at half time. Before the measured run, a
   warm-up pass puts every endpoint under the same load for ``--warmup`` seconds (as long as the
   measured load; 0 skips it), so that each endpoint's first sustained load (its modules,
   templates, serializers, query plans) is not counted as growth. The growth that used to
   remain (~11 KB per items-API request, +2.5 to +6 MB per worker over the second half) was
   Python's cyclic garbage: each request's graph (DRF's request, view and renderer context refer
   to each other) is promoted to the oldest generation, which CPython collects only when it has
   grown by a quarter of the ~340,000 long-lived objects a worker loads — every ~2,700 requests.
   ``onestop/gunicorn_conf.py`` freezes the loaded application out of the collector
   (``gc.freeze()`` in ``post_worker_init``), so full collections come every ~150 requests and
   the RSS stays flat (tests/test_gunicorn_conf.py). The RSS after the warm-up and
   the growth over the whole measured run are reported too. ``--only`` measures some
   endpoints (and ``/healthz``, the baseline).
5. After the load, the staff inbox's database time (target ≤ 30 ms at a million tasks):
   in-process in the server's environment through Django's test client with the same session,
   each statement timed by ``connection.execute_wrapper``; p50/p95 over ``--inbox-db-requests``
   requests, for ``/office/tasks/`` and the department queue.

Prints a table, and last one JSON line: ``{"endpoints": {"healthz"|"home"|"catalogue"|"guide"|
"items_api"|"applications_api"|"inbox"|"track": {"rps", "p50_ms", "p95_ms", "ratio",
"status"}}, "worker_rss_mb": [...], "worker_rss_growth_mb": [...], "worker_rss_warm_mb": [...],
"worker_rss_growth_run_mb": [...], "client", "seconds_each", "warmup_seconds",
"inbox_db_ms"|"queue_db_ms": {"p50", "p95", "max", "queries", "status", "requests",
"slowest_ms"}}``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called http.py: keep its folder off the path, or ``import http`` (the standard
# library's, under urllib and every HTTP library) would import this script.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402

from bench.common import ensure_database  # noqa: E402

BENCH_DB = "bench_http"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
CONNECTIONS = 8
ORDER = (
    "healthz",
    "home",
    "catalogue",
    "guide",
    "items_api",
    "applications_api",
    "inbox",
    "track",
)
# Not the demo's public keys (production refuses them): the benchmark's own, fixed so a reused
# database stays readable.
BENCH_ENV = {
    "SECRET_KEY": "bench-http-secret-key-not-for-production-0123456789abcdefghijklmnop",
    "PII_ENCRYPTION_KEYS": "bench1:6b2f0c5e8d1a4b7c9e3f2a1d0c4b8e7f",
    "PII_LOOKUP_KEYS": "bench1:" + "5a" * 32,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "TRACK_THROTTLE_EXEMPT_IPS": "127.0.0.1",
    "LOG_LEVEL": "WARNING",
    "CELERY_TASK_ALWAYS_EAGER": "false",
}

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""

# Run in the server's environment (same SECRET_KEY, so the session it writes is valid there).
SETUP = r"""
import json, os, sys
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from departments.models import Role, StaffRole
from logins.services import token_issue
from permits.public_pages_version import new_version
from permits.models import Application, ApplicationDepartment, ServiceItem

new_version()  # pages cached from an earlier database under the same Redis: never served
item = ServiceItem.objects.visible().order_by("-popularity", "code").first()
top = (
    ApplicationDepartment.objects.values("department_id")
    .annotate(n=Count("id")).order_by("-n").first()
)
role = (
    StaffRole.objects.filter(department_id=top["department_id"], role=Role.REVIEWER)
    .select_related("user").order_by("pk").first()
)
user = role.user
token = token_issue(user=user, second_factor=True)[1]
device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
    user=user, name="bench", confirmed=True
)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.create()
track = None
for app in (
    Application.objects.exclude(status="draft").filter(applicant_person__isnull=False)
    .select_related("applicant_person").order_by("-pk")[:50]
):
    number = app.applicant_person.id_number or ""
    if len(number) >= 4:
        track = {"number": app.number, "id_last4": number[-4:]}
        break
print(json.dumps({
    "guide": item.code, "token": token, "session": session.session_key,
    "reviewer": user.username, "department_rows": top["n"], "track": track,
}))
"""


# The staff inbox's database time (issue 11: ≤ 30 ms at a million tasks), in-process in the
# server's environment after the load: Django's test client with the benchmark's session, every
# statement timed by an execute wrapper (from the call to the rows fetched, as the view sees
# it), a few unmeasured requests first (connection, caches), then ``n`` measured ones per page.
INBOX_DB = r"""
import json, os, statistics, sys, time
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.conf import settings
from django.db import connection
from django.test import Client

session, n = sys.argv[1], int(sys.argv[2])
client = Client(HTTP_HOST="127.0.0.1")
client.cookies[settings.SESSION_COOKIE_NAME] = session
out = {}
for name, path in (("inbox", "/office/tasks/"), ("queue", "/office/tasks/queue/")):
    totals, counts, per_sql = [], [], {}
    for i in range(n + 3):
        spent = []

        def timed(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent.append((time.perf_counter() - started) * 1000)
                per_sql.setdefault(sql, []).append(spent[-1])

        with connection.execute_wrapper(timed):
            status = client.get(path, secure=True).status_code
        if i < 3:
            per_sql.clear()
            continue
        totals.append(sum(spent))
        counts.append(len(spent))
    totals.sort()
    slowest = max(per_sql.items(), key=lambda kv: statistics.median(kv[1]))
    out[name] = {
        "p50": statistics.median(totals),
        "p95": totals[min(len(totals) - 1, round(0.95 * (len(totals) - 1)))],
        "max": totals[-1],
        "queries": max(counts),
        "status": status,
        "requests": n,
        "slowest_ms": statistics.median(slowest[1]),
        "slowest_sql": " ".join(slowest[0].split())[:160],
    }
print(json.dumps(out))
"""


def measure_inbox_db(env: dict, session: str, requests: int) -> dict:
    """The inbox's (``/office/tasks/``) and the department queue's database time per request:
    p50/p95/max ms, statements per request and the slowest statement (INBOX_DB above)."""
    out = run([PYTHON, "-c", INBOX_DB, session, str(requests)], env, capture_output=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, redis_url: str, production: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "TEST_DATABASE_NAME")}
    env.update(BENCH_ENV)
    env.update({"DATABASE_URL": database_url, "REDIS_URL": redis_url})
    env["DJANGO_SETTINGS_MODULE"] = "onestop.settings"
    if production:
        env["PRODUCTION"] = "true"
    else:
        env.pop("PRODUCTION", None)
    return env


def run(cmd: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, **kw)


def prepare_database(args) -> tuple[str, bool]:
    """The URL of the database the server uses, and whether to drop it afterwards."""
    import psycopg2

    base = args.database_url
    if args.dsn:
        template = args.dsn.rsplit("/", 1)[1]
        name = args.clone_name
        url = base.rsplit("/", 1)[0] + "/" + name
        if args.reuse_db and database_exists(base, name):
            print(f"… reusing the clone {name} (kept by an earlier --keep-clone run)", flush=True)
            return url, not args.keep_clone
        conn = psycopg2.connect(base)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            started = time.monotonic()
            # FILE_COPY, as loadtest.databases.create: not the whole template through the WAL
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY = FILE_COPY')
        conn.close()
        print(f"… cloned {template} in {time.monotonic() - started:.1f} s", flush=True)
        prepare_clone(url, args.redis_url)
        return url, not args.keep_clone
    conn = psycopg2.connect(base)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB])
        exists = cursor.fetchone() is not None
        if exists and not (args.reuse_db or args.quick):
            cursor.execute(f'DROP DATABASE "{BENCH_DB}" WITH (FORCE)')
            exists = False
    conn.close()
    url = ensure_database(base, BENCH_DB)
    if not exists:
        env = server_env(url, args.redis_url, production=False)
        started = time.monotonic()
        print("… migrating and seeding a fresh database (seed_demo)", flush=True)
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        env["CELERY_TASK_ALWAYS_EAGER"] = "true"
        run([PYTHON, "manage.py", "seed_demo"], env, stdout=subprocess.DEVNULL)
        print(f"… seeded in {time.monotonic() - started:.0f} s", flush=True)
    return url, False


def database_exists(base: str, name: str) -> bool:
    import psycopg2

    conn = psycopg2.connect(base)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        conn.close()


def prepare_clone(url: str, redis_url: str) -> None:
    """Bring a clone of the load template to this code and to the benchmark's keys.

    The template (seed_load) was built with the demo's public PII keys, which production refuses
    to start with: the clone's encrypted columns are re-sealed under the benchmark's keys
    (``pii_rotate --columns-only`` with the new key first and the demo's after it), as an
    operator rotates keys; values sealed inside application forms stay under the demo key (no
    endpoint measured here opens a case's form).
    Then the migrations the template lacks, and VACUUM ANALYZE (a fresh clone's visibility map is
    empty, so index-only scans would still read the heap)."""
    env = server_env(url, redis_url, production=False)
    started = time.monotonic()
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    # the demo keys of onestop/settings/security.py, after the benchmark's own
    env["PII_ENCRYPTION_KEYS"] += ",demo1:000102030405060708090a0b0c0d0e0f"
    env["PII_LOOKUP_KEYS"] += ",demo1:" + bytes(range(0x10, 0x30)).hex()
    # --columns-only: persons' ID numbers and phones, which the lists, masks and the tracking
    # query read; the sealed values inside a million application forms (only a case's own page
    # shows them, and no endpoint here) would take a quarter of an hour more.
    run(
        [PYTHON, "manage.py", "pii_rotate", "--batch", "2000", "--columns-only"],
        env,
        stdout=subprocess.DEVNULL,
    )
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    conn.close()
    print(
        f"… clone migrated, re-keyed and vacuumed in {time.monotonic() - started:.0f} s", flush=True
    )


def drop_database(base: str, url: str) -> None:
    import psycopg2

    conn = psycopg2.connect(base)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    conn.close()


def worker_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return sorted(int(pid) for pid in children)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_server(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    cmd = [
        GUNICORN,
        "onestop.wsgi:application",
        "--config=onestop/gunicorn_conf.py",  # as docker-compose.yml: the gc hook
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--timeout=60",
        "--forwarded-allow-ips=127.0.0.1",
        f"--error-logfile={log}",
    ]
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200 and len(worker_pids(server.pid)) >= workers:
                    return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped: see {log}")
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s: see {log}")


def probe(url: str, headers: dict) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def load_wrk(url: str, headers: dict, seconds: float, script: Path) -> dict:
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "-s", str(script)]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    requests, duration_us, p50, p95, non2xx, errors = (int(x) for x in line.split()[1:])
    return {
        "requests": requests,
        "rps": requests / (duration_us / 1e6),
        "p50_ms": p50 / 1000,
        "p95_ms": p95 / 1000,
        "non_2xx": non2xx,
        "errors": errors,
    }


def load_python(url: str, headers: dict, seconds: float) -> dict:
    """The fallback client: 8 keep-alive connections in a process of its own."""
    out = subprocess.run(
        [
            PYTHON,
            str(Path(__file__).with_name("loadclient.py")),
            url,
            str(seconds),
            str(CONNECTIONS),
            json.dumps(headers),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 s per endpoint instead of 20 s")
    parser.add_argument("--seconds", type=float, default=None, help="load time per endpoint")
    parser.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="warm-up load per endpoint before the measured run (default --seconds; 0: none)",
    )
    parser.add_argument("--dsn", default="", help="a template database to clone (seed_load's)")
    parser.add_argument("--reuse-db", action="store_true", help="keep an existing bench_http")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=ORDER[1:],
        default=None,
        help="measure only these endpoints (and /healthz, the ratios' baseline)",
    )
    parser.add_argument(
        "--keep-clone",
        action="store_true",
        help="with --dsn: keep the clone afterwards (a later --dsn … --reuse-db run reuses it)",
    )
    parser.add_argument(
        "--clone-name",
        default=f"{BENCH_DB}_clone",
        help="with --dsn: the clone's name (one per person running it)",
    )
    parser.add_argument(
        "--inbox-db-requests",
        type=int,
        default=20,
        help="measured requests of the inbox's database time after the load (0: skip)",
    )
    args = parser.parse_args()
    order = ORDER if not args.only else tuple(n for n in ORDER if n == "healthz" or n in args.only)
    seconds = args.seconds or (5.0 if args.quick else 20.0)
    warmup = seconds if args.warmup is None else args.warmup
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"

    url, drop = prepare_database(args)
    env = server_env(url, args.redis_url, production=True)
    # The pages name their static files through the manifest of collectstatic (production's
    # storage): without it every page answers 500.
    run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env,
        stderr=subprocess.DEVNULL,
    )
    setup = json.loads(
        run([PYTHON, "-c", SETUP], env, capture_output=True).stdout.strip().splitlines()[-1]
    )
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="bench-http-"))
    script = tmp / "report.lua"
    script.write_text(WRK_SCRIPT)
    base = f"http://127.0.0.1:{port}"
    https = {"X-Forwarded-Proto": "https"}
    token = {**https, "Authorization": f"Token {setup['token']}"}
    cookie = {**https, "Cookie": f"sessionid={setup['session']}"}
    track = setup["track"] or {"number": "none", "id_last4": "0000"}
    targets = {
        "healthz": (f"{base}/healthz", {}),
        "home": (f"{base}/", https),
        "catalogue": (f"{base}/items/", https),
        "guide": (f"{base}/items/{setup['guide']}/", https),
        "items_api": (f"{base}/api/v1/items/", https),
        "applications_api": (f"{base}/api/v1/applications/", token),
        "inbox": (f"{base}/office/tasks/", cookie),
        "track": (
            f"{base}/api/v1/track/?number={track['number']}&id_last4={track['id_last4']}",
            https,
        ),
    }
    print(
        f"… gunicorn ({args.workers} sync workers, PRODUCTION=true) on {url.rsplit('/', 1)[1]}; "
        f"{client} with {CONNECTIONS} connections, {seconds:g} s per endpoint; reviewer "
        f"{setup['reviewer']} ({setup['department_rows']:,} department rows)",
        flush=True,
    )
    server = start_server(env, port, args.workers, tmp / "gunicorn.log")
    results: dict[str, dict] = {}
    rss_after: list[list[float]] = []
    try:
        # Every code path once before anything is measured (imports, the page cache, the
        # template cache), so the second half's growth is the steady state's, not first use.
        statuses = {}
        for name, (target, headers) in targets.items():
            statuses[name] = probe(target, headers)
            for _ in range(3):
                probe(target, headers)
        # ... and under load for a while (point 4 of the docstring), unmeasured.
        if warmup > 0:
            for name in order:
                target, headers = targets[name]
                if client == "wrk":
                    load_wrk(target, headers, warmup, script)
                else:
                    load_python(target, headers, warmup)
        rss_warm = [rss_mb(pid) for pid in worker_pids(server.pid)]
        print(
            f"  (warm-up: {warmup:g} s per endpoint; worker RSS "
            + ", ".join(f"{mb:.1f} MB" for mb in rss_warm)
            + ")",
            flush=True,
        )
        plan = [*order, "healthz_end"]
        for name in plan:
            target, headers = targets[name.replace("_end", "")]
            status = statuses[name.replace("_end", "")]
            if client == "wrk":
                measured = load_wrk(target, headers, seconds, script)
            else:
                measured = load_python(target, headers, seconds)
            measured["status"] = status
            results[name] = measured
            rss_after.append([rss_mb(pid) for pid in worker_pids(server.pid)])
            print(
                f"  {name:<17} {measured['rps']:>8.1f} req/s  p50 {measured['p50_ms']:6.1f} ms  "
                f"p95 {measured['p95_ms']:6.1f} ms  HTTP {status}  RSS "
                + ", ".join(f"{mb:.1f}" for mb in rss_after[-1])
                + " MB",
                flush=True,
            )
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        inbox_db = (
            measure_inbox_db(env, setup["session"], args.inbox_db_requests)
            if args.inbox_db_requests > 0
            else {}
        )
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if drop:
            drop_database(args.database_url, url)
        shutil.rmtree(tmp, ignore_errors=True)

    start, end = results.pop("healthz"), results.pop("healthz_end")
    baseline = (start["rps"] + end["rps"]) / 2
    healthz = {
        "rps": baseline,
        "p50_ms": (start["p50_ms"] + end["p50_ms"]) / 2,
        "p95_ms": (start["p95_ms"] + end["p95_ms"]) / 2,
        "status": start["status"],
        "non_2xx": start["non_2xx"] + end["non_2xx"],
        "errors": start["errors"] + end["errors"],
    }
    endpoints = {"healthz": healthz, **results}
    for row in endpoints.values():
        row["ratio"] = row["rps"] / baseline if baseline else 0.0
    half = rss_after[len(rss_after) // 2 - 1]
    last = rss_after[-1]
    growth = [b - a for a, b in zip(half, last, strict=False)]
    growth_run = [b - a for a, b in zip(rss_warm, last, strict=False)]

    print()
    header = (
        f"{'endpoint':<17} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>7} {'HTTP':>5} "
        f"{'non-2xx':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, row in endpoints.items():
        print(
            f"{name:<17} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
            f"{row['ratio']:>6.1%} {row['status']:>5} {row['non_2xx']:>8}"
        )
    print(
        f"/healthz first {start['rps']:.0f} req/s, last {end['rps']:.0f} req/s (the ratios use "
        "the mean)"
    )
    print(
        "worker RSS after the run: "
        + ", ".join(f"{mb:.1f} MB" for mb in last)
        + "; growth over the second half: "
        + ", ".join(f"{mb:+.1f} MB" for mb in growth)
        + " (target ≤ 1 MB); over the whole measured run: "
        + ", ".join(f"{mb:+.1f} MB" for mb in growth_run)
    )
    for name, row in inbox_db.items():
        print(
            f"{name} database time (in-process, {row['requests']} requests, HTTP "
            f"{row['status']}): p50 {row['p50']:.1f} ms, p95 {row['p95']:.1f} ms, max "
            f"{row['max']:.1f} ms, {row['queries']} statements (target ≤ 30 ms); slowest "
            f"{row['slowest_ms']:.1f} ms: {row['slowest_sql']}"
        )
    keys = ("rps", "p50_ms", "p95_ms", "ratio", "status")
    print(
        json.dumps(
            {
                "endpoints": {
                    name: {
                        k: (round(row[k], 3) if isinstance(row[k], float) else row[k]) for k in keys
                    }
                    for name, row in endpoints.items()
                },
                "worker_rss_mb": [round(mb, 1) for mb in last],
                "worker_rss_growth_mb": [round(mb, 1) for mb in growth],
                "worker_rss_warm_mb": [round(mb, 1) for mb in rss_warm],
                "worker_rss_growth_run_mb": [round(mb, 1) for mb in growth_run],
                "client": client,
                "seconds_each": seconds,
                "warmup_seconds": warmup,
                **{
                    f"{name}_db_ms": {
                        k: (round(v, 2) if isinstance(v, float) else v)
                        for k, v in row.items()
                        if k != "slowest_sql"
                    }
                    for name, row in inbox_db.items()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
