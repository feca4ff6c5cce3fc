"""Run the demo in the foreground: the web server, a Celery worker and Celery beat.

    .venv/bin/python scripts/demo.py [--port 8000]

Each process's output is shown with its name in front. One Ctrl-C (or SIGTERM) stops all three:
each gets SIGTERM, and whatever is still running ten seconds later is killed. If any one of them
dies on its own, the others are stopped too and the exit status is non-zero, so a broken demo
never looks like a working one.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal

# bandit B404: the demo launcher starts its own fixed commands
import subprocess  # nosec B404
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRACE_SECONDS = 10


def commands(port: int) -> dict[str, list[str]]:
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "onestop"]
    return {
        "web": [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        "worker": celery
        + ["worker", "--loglevel", "INFO", "--concurrency", "2", "--hostname", "demo@%h"],
        "beat": celery
        + ["beat", "--loglevel", "INFO", "--schedule", str(ROOT / "var" / "celerybeat-schedule")],
    }


def pump(name: str, stream, lock: threading.Lock) -> None:
    """Copy a child's output to ours, each line prefixed with the child's name."""
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", errors="replace").rstrip("\n")
        with lock:
            sys.stdout.write(f"{name:<6} | {line}\n")
            sys.stdout.flush()
    stream.close()


def wait_until_serving(url: str, procs: dict[str, subprocess.Popen], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs.values()):
            return False
        try:
            # bandit B310: polls the demo's own http://127.0.0.1 address built here
            with urllib.request.urlopen(url, timeout=2) as response:  # nosec B310
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def stop(procs: dict[str, subprocess.Popen]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            # The main process first: Celery's worker then shuts its own pool down cleanly.
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            # Each child leads its own process group (start_new_session), which also holds
            # its own children, such as Celery's pool processes.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", 8000)))
    args = parser.parse_args()

    env = {**os.environ, "PYTHONUNBUFFERED": "1", "DJANGO_SETTINGS_MODULE": "onestop.settings"}
    lock = threading.Lock()
    procs: dict[str, subprocess.Popen] = {}
    stopping = threading.Event()

    def on_signal(signum, frame) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    for name, cmd in commands(args.port).items():
        # bandit B603: fixed commands of the demo (manage.py, celery), no shell
        proc = subprocess.Popen(  # nosec B603
            cmd,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # A terminal's Ctrl-C reaches only us; we stop the children in order.
            start_new_session=True,
        )
        procs[name] = proc
        threading.Thread(target=pump, args=(name, proc.stdout, lock), daemon=True).start()

    site = f"http://127.0.0.1:{args.port}/"
    if wait_until_serving(site + "healthz", procs, timeout=60):
        with lock:
            print(f"\n  Yunfu One-Stop demo is running: {site}\n  Ctrl-C stops everything.\n")
            sys.stdout.flush()

    exit_code = 0
    while not stopping.is_set():
        dead = {name: p.returncode for name, p in procs.items() if p.poll() is not None}
        if dead:
            with lock:
                print(f"demo: {', '.join(dead)} stopped unexpectedly ({dead}); stopping the rest")
            exit_code = 1
            break
        stopping.wait(0.5)

    with lock:
        print("demo: stopping web, worker and beat ...")
    stop(procs)
    with lock:
        print("demo: stopped.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
