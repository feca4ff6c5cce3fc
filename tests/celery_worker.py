"""A real Celery worker for the tests that need one (a subprocess on a given broker, against
the test database), shared by the real-worker and the broker-outage tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """``celery -A onestop worker`` in a subprocess on ``broker``, against the test database."""

    def __init__(self, *, broker: str) -> None:
        self.broker = broker
        self.proc: subprocess.Popen | None = None
        self.log = ROOT / "var" / f"test-worker-{uuid.uuid4().hex[:8]}.log"

    def start(self, concurrency: int = 2, extra_env: dict | None = None) -> None:
        """``extra_env``: settings of the deployment under test (tests/scaleout), last."""
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.broker,
            # A killed worker's unacknowledged messages come back quickly.
            "CELERY_VISIBILITY_TIMEOUT": "10",
            # What the after-commit send of a killed worker never published, the relay does.
            "OUTBOX_RELAY_GRACE_SECONDS": "2",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DJANGO_SETTINGS_MODULE": "onestop.settings",
            **(extra_env or {}),
        }
        env.pop("TEST_DATABASE_NAME", None)
        self.log.parent.mkdir(exist_ok=True)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "onestop",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(concurrency),
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"deadlines-test-{uuid.uuid4().hex[:6]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=open(self.log, "ab"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(30)
        self.proc = None

    def tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def wait_for(self, predicate, *, limit: float, what: str) -> None:
        """Poll ``predicate`` on the real clock until it holds; fail with the worker's log."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.25)
        pytest.fail(f"timed out waiting for {what}; worker log:\n{self.tail()}")
