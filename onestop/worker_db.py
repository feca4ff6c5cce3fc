"""A Celery worker keeps its database connection from task to task, as a web process keeps its
own from request to request: ``CONN_MAX_AGE`` and ``CONN_HEALTH_CHECKS`` decide, not the task.

Celery's Django fixup (celery 5.7) closes every connection before and after each task unless
``CELERY_DB_REUSE_MAX`` is set, so each task paid a new PostgreSQL backend: the connect, the
``SET TIME ZONE`` and a first query on cold catalog caches, about 20 ms — most of the cost of a
by-id task (bench/celery.py). With ``CELERY_DB_REUSE_MAX`` the fixup only recycles the
connection every that many tasks, and these handlers do around each task what Django does around
each request (``close_old_connections``): a connection past its age, or one whose last query
failed and that no longer answers, is closed and the next query opens a new one, and the first
query of each task checks the connection first (health checks), so a restarted database costs
one retry, not a failing worker."""

from __future__ import annotations

from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections


def close_old_connections_around_task(sender=None, **kwargs) -> None:
    # An eager task runs inside its caller's request or transaction: leave its connection be.
    request = getattr(sender, "request", None)
    if getattr(request, "is_eager", False):
        return
    close_old_connections()


def connect() -> None:
    for signal in (task_prerun, task_postrun):
        signal.connect(
            close_old_connections_around_task,
            weak=False,
            dispatch_uid="onestop.worker_db.close_old_connections",
        )
