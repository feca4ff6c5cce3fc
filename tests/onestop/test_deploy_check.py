"""Production settings pass Django's deployment checklist."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from tests.production_env import PII_KEYS


def test_check_deploy_reports_no_issues_in_production(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECURE_SSL_REDIRECT"}
    }
    env.update(
        PRODUCTION="true",
        **PII_KEYS,
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # Production shares its cache and broker between nodes (onestop/scaleout.py); the
        # checks never connect to it.
        REDIS_URL="redis://127.0.0.1:6379/15",
        ALLOWED_HOSTS="example.gov.cn",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(PRODUCTION="true", **PII_KEYS, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.slow
def test_collectstatic_succeeds_with_production_storage(tmp_path):
    # The Docker build runs this; Django's manifest storage used to fail on a stylesheet that
    # viewflow ships with references to fonts it does not contain.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        PRODUCTION="true",
        **PII_KEYS,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["admin/css/base.css"]
    assert hashed != "admin/css/base.css"  # names carry their content hash
    assert (tmp_path / "static" / f"{hashed}.gz").exists()  # and are precompressed
