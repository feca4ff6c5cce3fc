"""The suite's own rules (tests/conftest.py): loud skips without servers, CI fails on them,
and a run that executes nothing fails.

Each case runs pytest in a subprocess on a small generated test file, with the project's
conftest loaded as a plugin and SQLite as the database.
"""

import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

SAMPLE = textwrap.dedent(
    """
    import pytest

    def test_plain():
        assert True

    @pytest.mark.postgres
    def test_needs_postgres():
        assert True

    @pytest.mark.redis
    def test_needs_redis():
        assert True
    """
)


def run_pytest(tmp_path, source: str, *args: str, ci: bool = False):
    test_file = tmp_path / "test_sample.py"
    test_file.write_text(source)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CI", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="onestop.settings",
        PYTHONPATH=str(settings.BASE_DIR),
        REDIS_URL="",
    )
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            "-c",
            os.devnull,
            "--rootdir",
            str(tmp_path),
            "-o",
            "markers=postgres\nredis\ne2e",
            str(test_file),
            *args,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_servers_marked_tests_skip_loudly_and_the_run_passes(tmp_path):
    result = run_pytest(tmp_path, SAMPLE)

    assert result.returncode == 0, result.stdout
    assert "1 passed, 2 skipped" in result.stdout
    assert "!!! 2 tests SKIPPED because PostgreSQL/Redis is not configured" in result.stdout


@pytest.mark.parametrize("ci", [True])
def test_under_ci_a_server_skip_fails_the_run(tmp_path, ci):
    result = run_pytest(tmp_path, SAMPLE, ci=ci)

    assert result.returncode == 1, result.stdout
    assert "CI is set, so this run FAILS" in result.stdout


def test_a_run_that_collects_no_test_fails(tmp_path):
    result = run_pytest(tmp_path, "x = 1\n")

    assert result.returncode != 0


def test_a_run_whose_every_test_is_skipped_fails(tmp_path):
    result = run_pytest(tmp_path, SAMPLE, "-k", "needs")

    assert result.returncode != 0, result.stdout
    assert "NO TEST WAS EXECUTED" in result.stdout


def test_collect_only_is_not_a_failure(tmp_path):
    result = run_pytest(tmp_path, SAMPLE, "--collect-only", "-q")

    assert result.returncode == 0, result.stdout
    assert "NO TEST WAS EXECUTED" not in result.stdout
