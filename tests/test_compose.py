"""docker-compose.yml, the Dockerfile and .env.example agree with the settings (onestop/settings/).

No Docker engine runs on the development machines, so this reads the files instead: the five
services and their commands, healthchecks and volumes; every environment variable given to the
app is one the settings read; every variable the settings read is documented; and the
environment compose gives the app passes Django's deployment checks.
"""

from __future__ import annotations

import ast
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = ("web", "worker", "beat")
REQUIRED_APP_ENV = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PRODUCTION"}


def settings_env_names() -> set[str]:
    """Names of the environment variables the settings (every module of onestop/settings/) read.

    Finds ``env("NAME", ...)``, ``env.bool("NAME", ...)`` (any django-environ method),
    ``os.environ[...]``, ``os.environ.get(...)`` and ``os.getenv(...)`` calls.
    """
    trees = [ast.parse(p.read_text()) for p in sorted((ROOT / "onestop" / "settings").glob("*.py"))]
    names: set[str] = set()
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, ast.Call):
            func = node.func
            is_env = (isinstance(func, ast.Name) and func.id == "env") or (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "env"
            )
            is_os = isinstance(func, ast.Attribute) and (
                ast.unparse(func) in {"os.environ.get", "os.getenv", "environ.get"}
            )
            if (is_env or is_os) and node.args and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def env_example_names() -> dict[str, str]:
    """NAME -> value for every ``NAME=value`` or ``# NAME=value`` line of .env.example."""
    found = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def argv(command) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}``, ``${NAME:?error}`` and ``$$``."""

    def substitute(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if variables.get(name):
            return variables[name]
        if op == ":-":
            return arg
        raise AssertionError(f"{name} must be set ({arg})" if op == ":?" else f"{name} unset")

    value = re.sub(r"\$\{([A-Z0-9_]+)(?:(:[-?])([^}]*))?\}", substitute, value)
    return value.replace("$$", "$")


def test_settings_parser_finds_the_settings_variables():
    names = settings_env_names()

    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PRODUCTION", "ALLOWED_HOSTS"} <= names
    assert len(names) >= 15


def test_the_five_services_exist_on_the_right_images(services):
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    for name in APP_SERVICES:
        assert services[name].get("build") or services[name].get("image"), name


def test_web_runs_gunicorn_on_the_wsgi_app(services):
    command = argv(services["web"]["command"])

    assert command[0] == "gunicorn"
    assert any(arg.startswith("onestop.wsgi") for arg in command)
    assert "--bind=0.0.0.0:8000" in command
    assert "--config=onestop/gunicorn_conf.py" in command  # the gc hook (issue 11)
    assert any(port.endswith(":8000") for port in services["web"]["ports"])


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_worker_and_beat_run_celery(services, service):
    command = argv(services[service]["command"])

    assert command[:4] == ["celery", "-A", "onestop", service]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_get_the_required_settings(services, service):
    environment = services[service]["environment"]

    missing = REQUIRED_APP_ENV - set(environment)
    assert not missing, f"{service} lacks {missing}"
    assert str(environment["PRODUCTION"]).lower() == "true"


def test_every_variable_given_to_the_app_is_read_by_settings(services):
    known = settings_env_names()
    for name, service in services.items():
        if name in {"postgres", "redis"}:
            continue
        unknown = set(service.get("environment", {})) - known
        assert not unknown, f"{name} sets {unknown}, which the settings never read"


def test_database_and_redis_urls_point_at_the_compose_services(services):
    variables = {"POSTGRES_PASSWORD": "pw", "SECRET_KEY": "x"}
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        database = urlsplit(interpolate(environment["DATABASE_URL"], variables))
        redis_url = urlsplit(interpolate(environment["REDIS_URL"], variables))
        pg_env = services["postgres"]["environment"]

        assert database.scheme in {"postgres", "postgresql"}
        assert database.hostname == "postgres" and database.port == 5432
        assert database.username == pg_env["POSTGRES_USER"]
        assert database.path.lstrip("/") == pg_env["POSTGRES_DB"]
        assert redis_url.scheme == "redis" and redis_url.hostname == "redis"


def test_app_waits_for_healthy_servers_and_migrations(services):
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert argv(services["migrate"]["command"])[-2:] == ["migrate", "--noinput"]


@pytest.mark.parametrize("service", ["postgres", "redis", "web", "worker", "beat"])
def test_every_long_running_service_has_a_healthcheck(services, service):
    healthcheck = services[service]["healthcheck"]
    test = healthcheck["test"]

    assert test[0] in {"CMD", "CMD-SHELL"}
    if test[:3] == ["CMD", "python", "-c"]:
        compile(test[3], f"{service} healthcheck", "exec")  # the inline probe is valid Python
    if service == "web":
        assert "/healthz" in " ".join(test)


def test_volumes_keep_database_and_media(compose, services):
    assert {"pgdata", "media"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in ("web", "worker"):
        media_root = services[name]["environment"]["MEDIA_ROOT"]
        assert f"media:{media_root}" in services[name]["volumes"]


def test_env_example_documents_every_variable_settings_read():
    documented = set(env_example_names())

    missing = settings_env_names() - documented
    assert not missing, f".env.example does not document {sorted(missing)}"


def test_env_example_documents_every_variable_compose_interpolates():
    text = (ROOT / "docker-compose.yml").read_text()
    interpolated = set(re.findall(r"\$\{([A-Z0-9_]+)", text))

    missing = interpolated - set(env_example_names())
    assert not missing, f".env.example does not document {sorted(missing)}"


def test_dockerfile_builds_from_python_311_slim_and_prepares_the_app():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    assert "pip install --require-hashes -r requirements.txt" in dockerfile
    assert "compilemessages" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert re.search(r"^USER (?!root)", dockerfile, re.M), "the app must not run as root"


def test_compose_environment_passes_the_deployment_checks(services, tmp_path):
    # The environment web gets from compose (with .env.example's values filled in) is a valid
    # production configuration. check --deploy does not connect to PostgreSQL or Redis.
    variables = {**env_example_names(), "SECRET_KEY": secrets.token_urlsafe(50)}
    environment = {
        name: interpolate(str(value), variables)
        for name, value in services["web"]["environment"].items()
    }
    environment["MEDIA_ROOT"] = str(tmp_path / "media")
    base = {k: v for k, v in os.environ.items() if k not in settings_env_names()}

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
