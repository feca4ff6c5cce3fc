"""Helpers for the PostgreSQL concurrency tests: calls started at the same moment on threads of
their own, each with its own database connection, and a fresh user object per thread.

Written once here for the workflow, idempotency and centre tests (they had three copies)."""

from __future__ import annotations

import queue
import threading

from django.contrib.auth import get_user_model
from django.db import connections


def fresh(user):
    """A user object of its own per thread (the access answers are cached per object)."""
    return get_user_model().objects.get(pk=user.pk)


def run_together(*calls):
    """Start every call at the same moment on its own thread (and connection); return the
    results (the value, or the exception raised)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def runner(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return results


class Workers:
    """``n`` long-lived threads, each keeping its own database connection across runs (so a
    hundred runs do not pay for two hundred connection set-ups)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.inboxes = [queue.Queue() for _ in range(n)]
        self.results: queue.Queue = queue.Queue()
        self.threads = [
            threading.Thread(target=self._loop, args=(i,), daemon=True) for i in range(n)
        ]
        for t in self.threads:
            t.start()

    def _loop(self, i: int) -> None:
        try:
            while (item := self.inboxes[i].get()) is not None:
                barrier, call = item
                try:
                    barrier.wait(timeout=30)
                    result = call()
                except BaseException as exc:  # noqa: BLE001 - the test inspects it
                    result = exc
                self.results.put((i, result))
        finally:
            connections.close_all()

    def run(self, *calls):
        """Run one call per thread, all released at once; the results in call order."""
        assert len(calls) == self.n
        barrier = threading.Barrier(self.n)
        for inbox, call in zip(self.inboxes, calls, strict=True):
            inbox.put((barrier, call))
        out = [None] * self.n
        for _ in range(self.n):
            i, result = self.results.get(timeout=60)
            out[i] = result
        return out

    def stop(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for t in self.threads:
            t.join(timeout=30)
