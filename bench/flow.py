"""Benchmark of the whole parallel flow, against pgbench on the same database.

    .venv/bin/python bench/flow.py [--quick] [--template yunfu_load_tpl] [--clients 4]
                                   [--database-url postgres://postgres@127.0.0.1:5432/postgres]
                                   [--redis-url redis://127.0.0.1:6379/N]  (a Redis db of its own:
                                   flushed at the start and the end)

Complete cases through 企业开办 (445300-SCJG-QYKB: submit → acceptance → the participating
departments' parallel reviews — five beside the lead department in the demo's catalogue, each
one stage — → join → decision), driven by ``--clients`` processes started together (as
gunicorn's workers are; threads of one process would share one core), each with its own
database connection, calling the workflow services (``application_create``, ``material_upload``,
``application_submit``, then ``task_claim`` and ``task_complete`` for each task) as the API
views do, each call's actor authenticated by its API token as a request's is (``_Requests``) —
not through HTTP (``bench/http.py`` measures the web stack). Queries are counted
with Django's ``CaptureQueriesContext`` around each call: per case = submit + every claim and
completion (creating the draft and uploading its materials are timed but not counted);
per transition = submit and each completion; claims are shown on their own. ``queries_*``
leave out transaction control (BEGIN, COMMIT, savepoints), as the workflow-engine issue and
tests/workflow/test_query_budget.py count; ``statements_*`` are every statement. Both include
what runs after commit in the caller's process (the outbox publish), which the budget test does
not (its transaction never commits).

The statistics feed runs in the background (``stats.feed``): after commit a client only queues
the events' ids in the broker's Redis (``--redis-url``, the clients' ``CELERY_BROKER_URL``; their
cache stays the file cache it was), so ``queries_per_transition`` leaves the feed out. A drainer
process does what the ``statistics.feed`` task does in a worker — waits
``STATISTICS_FEED_DELAY_SECONDS`` once ids are pending, then ``stats.feed.drain()`` — and counts
its queries: ``feed_queries_per_transition`` (and ``feed_queries_per_event``) is that total over
the clients' transitions, reported beside ``queries_per_transition``. The clock for
``cases_per_s`` stops when the clients are done *and* the feed has drained. Without
``--redis-url`` the feed runs inline after commit in the clients (as it did before the queue)
and is inside ``queries_per_transition`` again; ``feed_queries_per_transition`` is then None.

CPU per case (``core_s_per_case``): the clients' and the drainer's own CPU time
(``time.process_time``) plus their PostgreSQL backends' (``/proc/<backend pid>/stat``: the
server runs on this machine), over the measured cases; ``cases_per_s_ceiling`` is the machine's
cores over it — the rate these cases could reach if they had every core to themselves, however
busy the machine was during the run.

Measured twice, in a fresh clone each (``loadtest.databases.clone_database``): of a template
with 1,000 cases (``yunfu_load_tpl_1k``, built by ``seed_load`` on first use) and of the big
template (``--template``, built by ``seed_load --cases N``). Then pgbench's tpcb-like TPS
(1 client, ``pgbench -i -s 1`` in the big clone) in the same run. Clones are dropped at the
end.

Prints a table, and last one JSON line: {"cases_per_s", "queries_per_case",
"queries_per_transition", "feed_queries_per_transition", "feed_queries_per_event",
"pgbench_tps", "ratio", "at_1k": {"queries_per_case"}, "at_1m": {"queries_per_case"}} —
``cases_per_s`` and the query figures of the big database; ``ratio`` is cases/s over pgbench
TPS; ``at_1m`` is at the big template's size, whatever ``--cases`` built it (its ``cases`` key
says).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this directory comes first on the path, and bench/queue.py would shadow
# the standard library's queue (which Django's threads import).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

ITEM = "445300-SCJG-QYKB"
SMALL_TEMPLATE = "yunfu_load_tpl_1k"


# --- the worker: one database, one process -------------------------------------------------


_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")


def _counted(captured) -> tuple[int, int]:
    """(statements without transaction control, as the workflow-engine issue counts them and
    tests/workflow/test_query_budget.py does; every statement)."""
    data = [q for q in captured if not q["sql"].lstrip().upper().startswith(_CONTROL)]
    return len(data), len(captured)


class _Requests:
    """Who makes each call, loaded as the API loads them: every call authenticates its actor's
    token afresh through ``logins.authentication.ApiTokenAuthentication`` (one query — the
    token, its user and the facts the access rules ask — and never a user object kept from an
    earlier call, as a request keeps none), so the services see the user a request would give
    them. The tokens are issued once per client (the reviewer of a department at a stage found
    once, as a member of staff has one account); the authentication is outside the counted
    service calls, as it is outside the views' services, but its CPU is in the case's."""

    def __init__(self) -> None:
        from logins.authentication import ApiTokenAuthentication

        self._auth = ApiTokenAuthentication()
        self._keys: dict = {}

    def _key(self, place, find) -> str:
        if place not in self._keys:
            from logins.services import token_issue

            user = find()
            if user is None:  # the dataset lacks the account: say which, not a None later
                raise LookupError(f"bench/flow.py: no account for {place!r} in this database")
            self._keys[place] = token_issue(user=user, second_factor=True)[1]
        return self._keys[place]

    def user(self, key: str):
        return self._auth.authenticate_credentials(key)[0]

    def citizen(self, username: str) -> str:
        from django.contrib.auth import get_user_model

        return self._key(
            ("citizen", username), lambda: get_user_model().objects.get(username=username)
        )

    def staff(self, task) -> str:
        from workflow import demo_inflight

        return self._key(
            (task.department_id, task.stage or "undertake"),
            lambda: demo_inflight._staff_for(task),  # noqa: SLF001
        )


def _flow_one(item, citizen_key: str, requests: _Requests, counter) -> dict:
    """One case from creation to decision; returns the queries of each transition."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workflow import demo_inflight, services
    from workflow.models import ACTIVE_TASK_STATUSES, CaseTask

    citizen = requests.user(citizen_key)
    scenario = demo_inflight.Scenario(f"压测{counter}", ITEM, citizen.username, ())
    form, _n, _m = demo_inflight._form(item, scenario, demo_inflight._person(citizen))  # noqa: SLF001
    app = services.application_create(actor=citizen, item=item, form=form)
    demo_inflight._upload_required(app, requests.user(citizen_key))  # noqa: SLF001
    transitions: list[tuple[str, int]] = []
    claims: list[int] = []
    citizen = requests.user(citizen_key)
    with CaptureQueriesContext(connection) as q:
        services.application_submit(actor=citizen, application=app)
    transitions.append(("submit", *_counted(q.captured_queries)))
    for kind, decision, fields in (
        ("acceptance", "approve", {"opinion": "材料齐全"}),
        ("review", "approve", {"opinion": "同意"}),
        ("review", "approve", {"opinion": "同意"}),
        ("review", "approve", {"opinion": "同意"}),
        ("decision", "approve", {"opinion": "准予许可"}),
        ("decision", "approve", {"opinion": "准予许可"}),
        ("decision", "approve", {"opinion": "准予许可"}),
    ):
        tasks = list(
            CaseTask.objects.filter(application=app, kind=kind, status__in=ACTIVE_TASK_STATUSES)
        )
        for task in tasks:
            key = requests.staff(task)
            actor = requests.user(key)  # the claim's request
            with CaptureQueriesContext(connection) as q:
                task = services.task_claim(task=task, actor=actor)
            claims.append(_counted(q.captured_queries))
            actor = requests.user(key)  # the completion's request
            with CaptureQueriesContext(connection) as q:
                services.task_complete(task=task, actor=actor, decision=decision, **fields)
            transitions.append((kind, *_counted(q.captured_queries)))
    app.refresh_from_db()
    return {"status": app.status, "transitions": transitions, "claims": claims}


def _backend_cpu_s(connection) -> float | None:
    """CPU seconds (user + system) the connection's PostgreSQL backend has used so far, from
    /proc (the server runs on this machine in the bench), or None where it cannot be read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_now(connection) -> tuple[float, float | None]:
    return time.process_time(), _backend_cpu_s(connection)


def _cpu_since(start: tuple[float, float | None], connection) -> dict:
    client, backend = _cpu_now(connection)
    return {
        "client_cpu_s": client - start[0],
        "db_cpu_s": backend - start[1] if backend is not None and start[1] is not None else None,
    }


def worker(url: str, cases: int, start_at: float) -> dict:
    """One client in a process of its own (as gunicorn's workers are: threads of one process
    would share one interpreter lock, one core): a warm-up case, then ``cases`` cases from
    ``start_at`` (an epoch every client of the run waits for)."""
    from bench.common import setup_django

    os.environ["DATABASE_URL"] = url
    setup_django(url, migrate=False)  # the driver migrated the clone
    from django.db import connection

    from permits.models import Application, ServiceItem

    item = ServiceItem.objects.select_related("current_version").get(code=ITEM)
    requests = _Requests()
    citizen = requests.citizen("citizen")
    existing = Application.objects.count()
    _flow_one(item, citizen, requests, f"warm{os.getpid()}")  # imports, caches: not counted
    time.sleep(max(0.0, start_at - time.time()))
    began = time.time()
    cpu = _cpu_now(connection)
    results = [_flow_one(item, citizen, requests, f"{os.getpid()}-{n}") for n in range(cases)]
    ended = time.time()
    used = _cpu_since(cpu, connection)
    connection.close()
    return {"existing": existing, "began": began, "ended": ended, "results": results, **used}


def drainer(url: str, start_at: float) -> dict:
    """The statistics feed's worker (``statistics.feed`` as a Celery worker runs it): whenever
    ids are pending, wait the task's delay, then drain; queries counted from ``start_at`` (the
    clients' warm-up cases are fed uncounted before). Ends once the driver has said the
    clients are done (a Redis key) and nothing is pending."""
    from bench.common import setup_django

    os.environ["DATABASE_URL"] = url
    setup_django(url, migrate=False)  # the driver migrated the clone
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stats import feed

    client = feed.redis_client()
    time.sleep(max(0.0, start_at - 1 - time.time()))
    feed.drain()  # the warm-up cases' events: not counted
    counted = {"queries": 0, "statements": 0, "events": 0, "drains": 0, "last": start_at}
    cpu = _cpu_now(connection)
    while True:
        done = client.exists(DONE_KEY)
        if not client.scard(feed.PENDING):
            if done:
                break
            time.sleep(0.02)
            continue
        time.sleep(settings.STATISTICS_FEED_DELAY_SECONDS)
        with CaptureQueriesContext(connection) as q:
            events = feed.drain()
        queries, statements = _counted(q.captured_queries)
        counted["queries"] += queries
        counted["statements"] += statements
        counted["events"] += events
        counted["drains"] += 1
        counted["last"] = time.time()
    counted.update(_cpu_since(cpu, connection))
    connection.close()
    return counted


DONE_KEY = "bench:flow:clients-done"


def _summary(runs: list[dict], fed: dict | None) -> dict:
    results = [r for run in runs for r in run["results"]]
    ended = max(run["ended"] for run in runs)
    if fed is not None:  # the clock stops when the feed has drained too
        ended = max(ended, fed["last"])
    elapsed = ended - min(run["began"] for run in runs)
    per_kind: dict[str, list[int]] = {}
    for r in results:
        for kind, n, _all in r["transitions"]:
            per_kind.setdefault(kind, []).append(n)
    transitions = [(n, a) for r in results for _k, n, a in r["transitions"]]
    claims = [tuple(c) for r in results for c in r["claims"]]
    per_kind["claim"] = [n for n, _a in claims]
    cases = len(results)
    parts = [*runs, *([fed] if fed is not None else [])]
    client_cpu = sum(p.get("client_cpu_s") or 0.0 for p in parts)
    db_cpu = (
        sum(p["db_cpu_s"] for p in parts)
        if all(p.get("db_cpu_s") is not None for p in parts)
        else None
    )
    core_s = (client_cpu + db_cpu) / cases if db_cpu is not None else None
    return {
        # CPU per case: the clients' and the drainer's processes and their PostgreSQL backends
        # (what the cases cost, whatever else the machine runs), and the rate this machine's
        # cores could reach at that cost if nothing else ran.
        "client_cpu_s_per_case": round(client_cpu / cases, 3),
        "db_cpu_s_per_case": round(db_cpu / cases, 3) if db_cpu is not None else None,
        "core_s_per_case": round(core_s, 3) if core_s else None,
        "cases_per_s_ceiling": round((os.cpu_count() or 1) / core_s, 2) if core_s else None,
        "existing_cases": runs[0]["existing"],
        "cases": cases,
        "approved": sum(r["status"] == "approved" for r in results),
        "seconds": round(elapsed, 2),
        "cases_per_s": round(cases / elapsed, 2),
        "queries_per_case": round(
            (sum(n for n, _a in transitions) + sum(n for n, _a in claims)) / cases, 1
        ),
        "statements_per_case": round(
            (sum(a for _n, a in transitions) + sum(a for _n, a in claims)) / cases, 1
        ),
        # Submit and each completion (a claim is counted in the case, and shown on its own).
        "queries_per_transition": round(sum(n for n, _a in transitions) / len(transitions), 1),
        "statements_per_transition": round(sum(a for _n, a in transitions) / len(transitions), 1),
        "queries_per_claim": round(sum(n for n, _a in claims) / len(claims), 1),
        "transitions_per_case": round(len(transitions) / cases, 1),
        "per_kind": {k: round(sum(v) / len(v), 1) for k, v in per_kind.items()},
        # the statistics feed, in the drainer (None: inline, inside the transitions' figures)
        "feed_queries_per_transition": (
            round(fed["queries"] / len(transitions), 1) if fed is not None else None
        ),
        "feed_queries_per_event": (
            round(fed["queries"] / fed["events"], 2) if fed and fed["events"] else None
        ),
        "feed_events": fed["events"] if fed is not None else None,
        "feed_drains": fed["drains"] if fed is not None else None,
    }


# --- the driver ----------------------------------------------------------------------------


def _run_worker(url: str, cases: int, clients: int, redis_url: str | None) -> dict:
    """``clients`` processes at once, ``cases`` cases shared between them; with ``redis_url``
    the statistics feed queued there and drained by a drainer process."""
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    broker = None
    if redis_url:
        import redis

        broker = redis.Redis.from_url(redis_url)
        broker.flushdb()  # the bench's own database: the feed's queue and the drain messages
        env["CELERY_BROKER_URL"] = redis_url
    else:
        env["STATISTICS_FEED"] = "inline"
    start_at = time.time() + 30  # every client set up and warmed up by then
    shares = [cases // clients + (1 if n < cases % clients else 0) for n in range(clients)]

    def spawn(*args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, __file__, *args, "--start-at", str(start_at)],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    procs = [spawn("--worker", url, "--cases", str(share)) for share in shares if share]
    drain = spawn("--drainer", url) if redis_url else None

    def result(proc) -> dict:
        out, err = proc.communicate()
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if proc.returncode or not lines:
            raise SystemExit(f"flow process failed on {url}:\n{out[-2000:]}{err[-3000:]}")
        return json.loads(lines[-1])

    runs = [result(proc) for proc in procs]
    fed = None
    if drain is not None:
        broker.set(DONE_KEY, "1")
        fed = result(drain)
        broker.flushdb()
    if min(run["began"] for run in runs) < start_at - 1:
        print("  (a client began late: its warm-up took more than 30 s)", flush=True)
    return _summary(runs, fed)


def _ensure_small_template(server: str) -> None:
    from loadtest import databases

    if databases.exists(SMALL_TEMPLATE, server):
        return
    print(f"building {SMALL_TEMPLATE} (seed_load --cases 1000) …", flush=True)
    env = {**os.environ, "DATABASE_URL": server}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "seed_load", "--cases", "1000",
         "--template", SMALL_TEMPLATE, "--no-estimate"],
        env=env, cwd=ROOT, check=True,
    )  # fmt: skip


def _migrate(url: str) -> None:
    """The clone's migrations, once, before its clients start (a template built before the
    newest migrations lacks them; the clients and the drainer do not migrate)."""
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, cwd=ROOT, check=True
    )


def pgbench(url: str, seconds: int) -> float:
    subprocess.run(["pgbench", "-i", "-s", "1", "-q", url], check=True, capture_output=True)
    out = subprocess.run(
        ["pgbench", "-b", "tpcb-like", "-c", "1", "-T", str(seconds), url],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    match = re.search(r"tps = ([0-9.]+)", out.stdout)
    return float(match.group(1)) if match else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--template", default=None)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--cases", type=int, default=None)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--worker", default="")
    parser.add_argument("--drainer", default="")
    parser.add_argument("--start-at", type=float, default=0.0)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.cases or 10, args.start_at)))
        return
    if args.drainer:
        print(json.dumps(drainer(args.drainer, args.start_at)))
        return

    from loadtest import databases

    server = databases.server_url(args.database_url)
    template = args.template or databases.TEMPLATE
    cases = args.cases or (12 if args.quick else 60)
    if not databases.exists(template, server):
        raise SystemExit(f"no {template}: run `python manage.py seed_load --cases N` first")
    _ensure_small_template(server)
    size = re.search(r"applications=(\d+)", databases.describe(template, server))
    big_cases = int(size.group(1)) if size else None
    figures = {}
    try:
        for label, tpl in (("at_1k", SMALL_TEMPLATE), ("at_n", template)):
            url = databases.clone_database(f"bench_flow_{label}", template=tpl, server=server)
            _migrate(url)
            print(
                f"{label}: {cases} cases, {args.clients} clients on a clone of {tpl} …", flush=True
            )
            figures[label] = _run_worker(url, cases, args.clients, args.redis_url)
        tps = pgbench(databases.database_url("bench_flow_at_n", server), 10 if args.quick else 30)
    finally:
        for label in ("at_1k", "at_n"):
            databases.drop_clone(f"bench_flow_{label}", server)
    big, small = figures["at_n"], figures["at_1k"]
    print()
    print(f"{'':28}{'at 1k':>12}{'at N':>12}")
    for key in ("existing_cases", "cases", "approved", "seconds", "cases_per_s",
                "client_cpu_s_per_case", "db_cpu_s_per_case", "core_s_per_case",
                "cases_per_s_ceiling",
                "queries_per_case", "statements_per_case", "queries_per_transition",
                "statements_per_transition", "queries_per_claim",
                "transitions_per_case", "feed_queries_per_transition",
                "feed_queries_per_event", "feed_events", "feed_drains"):  # fmt: skip
        print(f"{key:28}{small[key]!s:>12}{big[key]!s:>12}")
    for kind, n in big["per_kind"].items():
        label = "queries/" + kind
        print(f"{label:28}{small['per_kind'].get(kind, ''):>12}{n:>12}")
    print(f"{'pgbench tpcb-like TPS (c1)':28}{'':>12}{tps:>12.0f}")
    ratio = round(big["cases_per_s"] / tps, 5) if tps else None
    print(f"{'cases/s ÷ pgbench TPS':28}{'':>12}{ratio!s:>12}")
    print(
        json.dumps(
            {
                "cases_per_s": big["cases_per_s"],
                "core_s_per_case": big["core_s_per_case"],
                "cases_per_s_ceiling": big["cases_per_s_ceiling"],
                "queries_per_case": big["queries_per_case"],
                "queries_per_transition": big["queries_per_transition"],
                "feed_queries_per_transition": big["feed_queries_per_transition"],
                "feed_queries_per_event": big["feed_queries_per_event"],
                "queries_per_claim": big["queries_per_claim"],
                "statements_per_transition": big["statements_per_transition"],
                "pgbench_tps": round(tps, 1),
                "ratio": ratio,
                "at_1k": {"queries_per_case": small["queries_per_case"]},
                "at_1m": {"queries_per_case": big["queries_per_case"], "cases": big_cases},
            }
        )
    )


if __name__ == "__main__":
    main()
