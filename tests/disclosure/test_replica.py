"""The public figures read through a real streaming standby (issue 13 item 6).

Uses the pair ``.ci/run`` starts (REPLICA_PRIMARY_PORT / REPLICA_STANDBY_PORT, default 5433 and
5434) when it answers; otherwise starts its own pair in a temporary directory with
``scripts/replica_pair.sh`` (initdb, pg_basebackup -R) and stops it afterwards. Never touches the
shared 5432 cluster. A child process with DATABASE_URL = the primary and REPORTING_DATABASE_URL =
the standby migrates, writes decided cases on the primary, waits for replay and reads the figures
(``tests/disclosure/replica_probe.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "replica_pair.sh"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DB = "onestop_replica"

pytestmark = [pytest.mark.slow, pytest.mark.replica]


def _answers(port: int) -> bool:
    return (
        subprocess.run(
            [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"], check=False
        ).returncode
        == 0
    )


def _psql(port: int, sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db]
        + ["-v", "ON_ERROR_STOP=1", "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture(scope="module")
def replica_pair():
    primary = int(os.environ.get("REPLICA_PRIMARY_PORT", "5433"))
    standby = int(os.environ.get("REPLICA_STANDBY_PORT", "5434"))
    assert 5432 not in (primary, standby), "the shared cluster is never used for this test"
    started = None
    if not (_answers(primary) and _answers(standby)):
        if not (PG_BIN / "initdb").exists():
            pytest.fail(f"PostgreSQL server binaries are missing under {PG_BIN}")
        # Directly under the temporary directory: pytest's own (/tmp/pytest-of-root, mode 700)
        # is not reachable by the postgres user the clusters run as.
        started = Path(tempfile.mkdtemp(prefix="onestop-replica-"))
        subprocess.run(
            ["bash", str(SCRIPT), "start", str(started), str(primary), str(standby)],
            check=True,
            timeout=300,
        )
    assert _psql(standby, "SELECT pg_is_in_recovery()") == "t", "the standby is not a standby"
    yield primary, standby
    if started is not None:
        subprocess.run(["bash", str(SCRIPT), "stop", str(started)], check=False, timeout=120)
        shutil.rmtree(started, ignore_errors=True)


def test_figures_are_read_through_the_standby(replica_pair):
    primary, standby = replica_pair
    if _psql(primary, f"SELECT count(*) FROM pg_database WHERE datname = '{DB}'") == "0":
        _psql(primary, f'CREATE DATABASE "{DB}"')
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{primary}/{DB}",
        REPORTING_DATABASE_URL=f"postgres://postgres@127.0.0.1:{standby}/{DB}",
        DJANGO_SETTINGS_MODULE="onestop.settings",
        CELERY_TASK_ALWAYS_EAGER="true",
    )
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        check=True,
        env=env,
        cwd=ROOT,
        timeout=900,
    )
    probe = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("replica_probe.py"))],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    result = json.loads(probe.stdout.strip().splitlines()[-1])

    assert result["replayed"], result
    assert result["replica"] is True
    assert result["lag_seconds"] is not None and result["lag_seconds"] < 30
    # the three cases written on the primary are read back from the standby
    assert result["cases"] == result["expected_cases"]
    assert result["rows"] == [{"completed": 3, "on_time": 2, "share": 66.7}]
    # every figure query went to the standby, none to the primary
    assert result["queries_on_standby"] >= 2 and result["queries_on_primary"] == 0
    # and the standby refuses writes: it really is a read-only replica
    assert result["write_refused"] is True
