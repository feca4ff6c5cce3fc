"""Web nodes for the scale-out test: gunicorn with production settings on one shared test
database, one Redis database and one media folder (the stand-in for the shared volume or
bucket), and a small HTTP client that keeps its own cookies (production's cookies are
``Secure``; the client speaks plain HTTP with ``X-Forwarded-Proto: https``, as a TLS proxy in
front of the nodes would)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.celery_worker import ROOT, database_url
from tests.production_env import PII_KEYS

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
SECRET_KEY = "scale-out-test-secret-key-not-for-production-0123456789abcdefghijklmnop"


class QuickPBKDF2(PBKDF2PasswordHasher):
    """The nodes' own hasher (``pbkdf2_sha256``, the rounds are stored in each hash) with
    fewer rounds, for the accounts the test makes: the suite's MD5 hasher is not one that
    production settings accept."""

    iterations = 1000


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_env(*, redis_url: str, media_root: Path, **extra: str) -> dict:
    """What every node (web or worker) of one deployment shares: the database, Redis, the
    media storage and the keys (SECRET_KEY signs and keys the limits' counters, the PII keys
    seal personal data: a node with other keys would not read what another wrote)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "TEST_DATABASE_NAME")}
    env.update(PII_KEYS)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "onestop.settings",
            "PRODUCTION": "true",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "MEDIA_ROOT": str(media_root),
            "FILE_STORAGE": "local",
            "ALLOWED_HOSTS": "127.0.0.1",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "LOG_LEVEL": "INFO",
        }
    )
    env.update(extra)
    return env


def _static_sources_digest() -> str:
    """What collectstatic would read: every found file's path, size and modification time."""
    from django.contrib.staticfiles import finders

    digest = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def collected_static(env: dict) -> Path:
    """A STATIC_ROOT holding production's collected files and manifest (without them every page
    answers 500). Collected once per set of sources under var/ and reused: collectstatic with
    compression takes half a minute on these machines; older collections are removed."""
    base = ROOT / "var"
    target = base / f"test-static-{_static_sources_digest()}"
    if not (target / "staticfiles.json").exists():
        partial = base / f"{target.name}.partial-{uuid.uuid4().hex[:6]}"
        subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**env, "STATIC_ROOT": str(partial)},
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=240,
        )
        try:
            partial.rename(target)
        except OSError:  # another run collected the same files meanwhile
            shutil.rmtree(partial, ignore_errors=True)
    for old in base.glob("test-static-*"):
        if old != target and ".partial-" not in old.name:
            shutil.rmtree(old, ignore_errors=True)
    return target


class WebNode:
    """``gunicorn onestop.wsgi`` on a port of its own."""

    def __init__(self, name: str, env: dict) -> None:
        self.name = name
        self.env = env
        self.port = spare_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = ROOT / "var" / f"test-node-{name}-{uuid.uuid4().hex[:6]}.log"

    def start(self) -> None:
        self.log.parent.mkdir(exist_ok=True)
        self.proc = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
            [
                GUNICORN,
                "onestop.wsgi:application",
                "--config=onestop/gunicorn_conf.py",
                f"--bind=127.0.0.1:{self.port}",
                "--workers=1",
                "--worker-class=sync",
                "--timeout=120",
                "--access-logfile=-",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.log, "ab"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, limit: float = 120) -> None:
        """Until ``/readyz`` (database and Redis) answers 200."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise AssertionError(f"node {self.name} stopped:\n{self.tail()}")
            try:
                if requests.get(f"{self.base}/readyz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise AssertionError(f"node {self.name} not ready within {limit} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(10)
        self.proc = None

    def tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One visitor's cookies, sent to whichever node a request names (as a load balancer
    without sticky sessions would)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.http = requests.Session()
        self.http.trust_env = False

    def request(self, node: WebNode, method: str, path: str, **kw) -> requests.Response:
        headers = {
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1:{node.port}/",
            "Accept-Language": "zh-CN,zh;q=0.9",
            **kw.pop("headers", {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET" and "csrftoken" in self.cookies:
            headers.setdefault("X-CSRFToken", self.cookies["csrftoken"])
        response = self.http.request(
            method,
            node.base + path,
            headers=headers,
            allow_redirects=False,
            timeout=60,
            **kw,
        )
        for cookie in response.cookies:  # the jar keeps Secure cookies; we send them ourselves
            if cookie.value:
                self.cookies[cookie.name] = cookie.value
            else:
                self.cookies.pop(cookie.name, None)
        self.http.cookies.clear()
        return response

    def get(self, node: WebNode, path: str, **kw) -> requests.Response:
        return self.request(node, "GET", path, **kw)

    def post(self, node: WebNode, path: str, **kw) -> requests.Response:
        return self.request(node, "POST", path, **kw)

    def form_post(self, node: WebNode, page: str, data: dict, action: str | None = None):
        """GET ``page`` (for its CSRF token), then POST ``data`` to ``action`` (or the page)."""
        shown = self.get(node, page)
        assert shown.status_code == 200, (page, shown.status_code)
        match = _CSRF_INPUT.search(shown.text)
        assert match, f"no CSRF token on {page}"
        return self.post(node, action or page, data={"csrfmiddlewaretoken": match[1], **data})
