"""A Celery worker keeps its database connection from task to task (onestop/worker_db.py and
``CELERY_DB_REUSE_MAX``), and still drops one that is too old or broken, as Django does around
a request.

The worker's side is played here as a worker plays it: Celery's own Django fixup installed on
the project's app, and each task between the ``task_prerun`` and ``task_postrun`` signals."""

from __future__ import annotations

import time

import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection, transaction

import outbox.tasks  # noqa: F401 - registers outbox.relay, the task these tests run
from onestop.celery import app

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_fixup():
    fixup = DjangoWorkerFixup(app).install()
    yield fixup
    signals.beat_embedded_init.disconnect(fixup.close_database)
    signals.task_prerun.disconnect(fixup.on_task_prerun)
    signals.task_postrun.disconnect(fixup.on_task_postrun)
    signals.worker_process_init.disconnect(fixup.on_worker_process_init)


def run_task(task=None) -> int:
    """One task as the worker runs it: the signals around a body that queries; its backend pid."""
    task = task or app.tasks["outbox.relay"]
    signals.task_prerun.send(sender=task, task_id="t", task=task, args=(), kwargs={})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    signals.task_postrun.send(sender=task, task_id="t", task=task, args=(), kwargs={}, retval=None)
    return pid


def test_tasks_share_one_connection(worker_fixup):
    assert worker_fixup.db_reuse_max >= 100  # the setting reaches Celery's fixup
    pids = [run_task() for _ in range(5)]
    assert len(set(pids)) == 1


def test_a_connection_past_its_age_is_replaced_at_the_next_task(worker_fixup):
    first = run_task()
    connection.close_at = time.monotonic() - 1  # CONN_MAX_AGE has passed
    assert run_task() != first


def test_a_broken_connection_is_replaced_at_the_next_task(worker_fixup):
    first = run_task()
    connection.connection.close()  # the database went away under the worker
    connection.errors_occurred = True  # as the failing query of the last task left it
    assert run_task() != first


def test_an_eager_task_leaves_its_callers_transaction_alone(worker_fixup):
    task = app.tasks["outbox.relay"]
    task.push_request(is_eager=True)
    try:
        with transaction.atomic():
            pid = run_task(task)
            assert connection.in_atomic_block
            assert run_task(task) == pid
    finally:
        task.pop_request()
