"""``seed_load`` with a small N: a template with every state and service model, consistent
counts, a clone that the inbox, the applications API and the tracking page answer on
(issue 11 item 1). Builds real databases beside the test database, so it runs the commands
in subprocesses against the server the suite uses, then drops what it made."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loadtest import databases

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = "test_loadtest_tpl"
CLONE = "test_loadtest_clone"

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _manage(url: str, *argv: str) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *argv],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_seed_load_builds_a_template_whose_clone_serves_the_pages():
    server = databases.server_url(os.environ.get("DATABASE_URL"))
    if not server.startswith("postgres"):
        pytest.fail("this test needs DATABASE_URL on PostgreSQL")
    try:
        out = _manage(
            server, "seed_load", "--cases", "1000", "--template", TEMPLATE,
            "--rebuild", "--no-estimate", "--clone", CLONE,
        )  # fmt: skip
        assert f"built {TEMPLATE}" in out and "clone: " in out
        assert "seed_load cases=1000" in databases.describe(TEMPLATE, server)
        report = json.loads(
            _manage(databases.database_url(CLONE, server), "seed_load_check")
            .strip()
            .splitlines()[-1]
        )
    finally:
        databases.drop(CLONE, server)
        databases.drop(TEMPLATE, server)

    assert report["applications"] == 1000
    assert {"draft", "submitted", "supplement", "in_review", "approved", "denied",
            "not_accepted", "answered", "withdrawn"} <= set(report["states"])  # fmt: skip
    assert {"parallel", "core_department", "process_centred"} <= set(report["service_models"])
    assert report["items"] == 200
    assert report["staff"] >= 5000
    assert report["persons"] >= 1000
    assert report["submitted_without_process"] == 0
    assert report["tasks_without_process"] == 0
    assert report["tasks_without_deadline"] == 0
    assert report["deadlines_out_of_step"] == 0
    assert report["events_without_item"] == 0
    assert report["processes"] < report["applications"]  # drafts have none
    pages = report["pages"]
    assert pages["inbox"]["status"] == 200
    assert pages["applications_api"]["status"] == 200
    assert pages["applications_api"]["count"] == report["busiest_department_cases"]
    assert pages["applications_api"]["rows"] == 20
    assert pages["track"]["status"] == 200
    assert pages["track"]["query_status"] == 200 and pages["track"]["found"]
