"""Benchmark of the project's idempotent task path against a bare Celery task (issue 11 item 2).

    .venv/bin/python bench/celery.py [--quick] [--tasks N]

On the real Redis broker (``--redis-url``, a database of its own) and a real worker process
(``celery -A bench.celery_tasks worker``, prefork, 2 processes as docker-compose.yml runs it, the
project's settings: ``acks_late``, prefetch 1), in a database of its own (``bench_celery``):

- **bare**: ``send_task("bench.bare")`` of a no-op task (it only counts itself, in Redis);
- **wrapped**: the project's way (bench/celery_tasks.py): each task enqueued through
  ``onestop.dispatch.enqueue`` in its own transaction (the outbox row, published after commit,
  marked sent), run by a task with the project's options that is idempotent by its row's id.

Both processes run with ``DEBUG=false``, as production's worker and web processes do (with
DEBUG on, Django keeps every query in memory and wraps each cursor for that).

End to end: from the first enqueue until the worker has finished all N, tasks/s. The two run
alternately, twice each (bare, wrapped, bare, wrapped), and each rate is the mean of its two, so
a change of the machine's load hits both. No generic "idempotent task wrapper" exists in
onestop/ or notifications/: the outbox dispatch plus STYLE.md §7's by-id task is what every task
of the project goes through, so that is what is measured.

Prints a table, and last one JSON line: {"wrapped_per_s", "bare_per_s", "ratio", "tasks"}.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called celery.py: keep its folder off the path, or ``import celery`` would import
# this script instead of the library.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.common import ensure_database  # noqa: E402

BENCH_DB = "bench_celery"


def setup(database_url: str, redis_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "python"),
            "-m",
            "celery",
            "-A",
            "bench.celery_tasks",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"bench-celery-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(log, "ab"),  # noqa: SIM115 - closed with the process
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(client, counter: str, n: int, timeout: float, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while int(client.get(counter) or 0) < n:
        if worker.poll() is not None:
            raise SystemExit("the Celery worker stopped")
        if time.monotonic() > deadline:
            done = int(client.get(counter) or 0)
            raise SystemExit(f"only {done} of {n} tasks ran in {timeout} s")
        time.sleep(0.005)


def run_bare(app, n: int) -> None:
    for i in range(n):
        app.send_task("bench.bare", args=[i], retry=False)


def run_wrapped(n: int) -> None:
    from django.db import transaction

    from onestop.dispatch import enqueue

    for _ in range(n):
        with transaction.atomic():
            message = enqueue("bench.wrapped")
            # The task takes its own row's id, known once the row exists: the after-commit
            # publish sends this instance's args (the row keeps [], which only a relay resend
            # after a broker failure would read; none happens here).
            message.args = [message.pk]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 tasks per run, not 3,000")
    parser.add_argument("--tasks", type=int, default=None)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    args = parser.parse_args()
    n = args.tasks or (500 if args.quick else 3000)

    url = ensure_database(args.database_url, BENCH_DB)
    setup(url, args.redis_url)
    import redis

    from bench.celery_tasks import COUNTER
    from onestop.celery import app
    from outbox.models import OutboxMessage

    client = redis.Redis.from_url(args.redis_url)
    client.delete(COUNTER, "celery")  # the default queue of this benchmark's own database
    OutboxMessage.objects.filter(task_name="bench.wrapped").delete()
    env = {
        **{k: v for k, v in os.environ.items() if k != "TEST_DATABASE_NAME"},
        "DATABASE_URL": url,
        "REDIS_URL": args.redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "onestop.settings",
    }
    log = Path(tempfile.mkstemp(prefix="bench-celery-", suffix=".log")[1])
    worker = start_worker(env, log)
    rates: dict[str, list[float]] = {"bare": [], "wrapped": []}
    try:
        run_bare(app, 20)  # the worker is up once these ran
        wait_for(client, COUNTER, 20, 120, worker)
        for kind in ("bare", "wrapped", "bare", "wrapped"):
            client.set(COUNTER, 0)
            started = time.perf_counter()
            if kind == "bare":
                run_bare(app, n)
            else:
                run_wrapped(n)
            wait_for(client, COUNTER, n, 600, worker)
            seconds = time.perf_counter() - started
            rates[kind].append(n / seconds)
            print(f"  {kind:<8} {n:,} tasks in {seconds:6.2f} s: {n / seconds:7.1f}/s", flush=True)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        OutboxMessage.objects.filter(task_name="bench.wrapped").delete()
        client.delete(COUNTER)
        log.unlink(missing_ok=True)

    bare = sum(rates["bare"]) / len(rates["bare"])
    wrapped = sum(rates["wrapped"]) / len(rates["wrapped"])
    print()
    print(f"{'path':<10} {'tasks/s':>9}")
    print("-" * 20)
    print(f"{'bare':<10} {bare:>9.1f}")
    print(f"{'wrapped':<10} {wrapped:>9.1f}")
    print(f"wrapped / bare: {wrapped / bare:.1%} (target ≥ 40%)")
    print(
        json.dumps(
            {
                "wrapped_per_s": round(wrapped, 1),
                "bare_per_s": round(bare, 1),
                "ratio": round(wrapped / bare, 3),
                "tasks": n,
            }
        )
    )


if __name__ == "__main__":
    main()
