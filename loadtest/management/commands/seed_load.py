"""``manage.py seed_load [--cases 1000000] [--rebuild] [--clone NAME]``: the load dataset.

Builds the template database ``yunfu_load_tpl`` once (on the server ``DATABASE_URL`` names):
``migrate``, ``seed_demo`` and ``seed_load_fill`` run in it, each in its own process pointed at
it. Before a build of more than 10,000 cases it builds 10,000 in a probe database, measures its
bytes and seconds per case, prints the projected size and time for ``--cases``, and refuses when
the projection does not fit the server's free disk. A template already there is kept (its
comment says what it holds) unless ``--rebuild``; ``--clone NAME`` then makes a fresh copy to
work on (``loadtest.databases.clone_database``; drop it with ``--drop-clone NAME``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404 - runs our own manage.py
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from loadtest import databases

PROBE_CASES = 10_000
ROOT = Path(__file__).resolve().parents[3]


def _gb(n: float) -> str:
    return f"{n / 1e9:.2f} GB"


class Command(BaseCommand):
    help = "Build the load-test template database (and clone it)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the template")
        parser.add_argument("--template", default=databases.TEMPLATE)
        parser.add_argument("--clone", default="", help="then clone the template to this name")
        parser.add_argument("--drop-clone", default="", help="drop this clone and stop")
        parser.add_argument("--no-estimate", action="store_true", help="skip the 10,000 probe")
        parser.add_argument("--force", action="store_true", help="build even if it may not fit")
        parser.add_argument(
            "--estimate-only", action="store_true", help="measure at 10,000, project, stop"
        )

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def handle(self, *args, cases, rebuild, template, clone, drop_clone, no_estimate, force, **o):
        estimate_only = o.get("estimate_only")
        if settings.PRODUCTION:
            raise CommandError("seed_load makes accounts with a public password: not in production")
        server = databases.server_url(os.environ.get("DATABASE_URL"))
        if estimate_only:
            self.estimate(cases, template, server, force=True)
            return
        if drop_clone:
            databases.drop_clone(drop_clone, server)
            self.say(f"dropped {drop_clone}")
            return
        if databases.exists(template, server) and not rebuild:
            self.say(
                f"{template} is there ({_gb(databases.size_bytes(template, server))}):"
                f" {databases.describe(template, server)}; --rebuild to build it again"
            )
        else:
            if cases > PROBE_CASES and not no_estimate:
                self.estimate(cases, template, server, force=force)
            databases.drop(template, server)
            stats = self.build(template, cases, server)
            size = databases.size_bytes(template, server)
            comment = (
                f"seed_load cases={cases} applications={stats['applications']}"
                f" size={size} seconds={stats['seconds']}"
                f" built={time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}"
            )
            databases.seal_template(template, comment, server)
            self.say(f"built {template}: {_gb(size)}, {stats['seconds']} s — {comment}")
        if clone:
            self.say(f"clone: {databases.clone_database(clone, template=template, server=server)}")

    # --- building ---------------------------------------------------------------------

    def run_in(self, url: str, *argv: str) -> str:
        env = {**os.environ, "DATABASE_URL": url}
        env.pop("REDIS_URL", None)  # cache and broker fall back to in-process ones
        proc = subprocess.Popen(  # nosec B603 - our own manage.py with fixed arguments
            [sys.executable, str(ROOT / "manage.py"), *argv],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        last = ""
        for line in proc.stdout:
            line = line.rstrip("\n")
            if line.startswith("STATS "):
                last = line[6:]
            elif argv[0] == "seed_load_fill":
                self.say(line)
        if proc.wait():
            raise CommandError(f"{' '.join(argv)} failed in {url} (exit {proc.returncode})")
        return last

    def build(self, name: str, cases: int, server: str) -> dict:
        started = time.monotonic()
        url = databases.create(name, server=server)
        self.say(f"[{name}] migrate")
        self.run_in(url, "migrate", "-v0")
        self.say(f"[{name}] seed_demo (the prototypes' world, through the services)")
        self.run_in(url, "seed_demo", "-v0")
        self.say(f"[{name}] seed_load_fill --cases {cases}")
        stats = json.loads(self.run_in(url, "seed_load_fill", "--cases", str(cases)))
        stats["seconds"] = round(time.monotonic() - started, 1)
        return stats

    def estimate(self, cases: int, template: str, server: str, *, force: bool) -> None:
        """Build 10,000 cases in a probe database and project from it: bytes per case from
        the size before and after the copies, seconds per case from the copying and index
        building (which grow with the cases), the rest (migrate, demo, catalogue, people) as
        the fixed part."""
        probe = f"{template}_probe"
        self.say(f"measuring at {PROBE_CASES:,} cases first ({probe}) …")
        databases.drop(probe, server)
        try:
            stats = self.build(probe, PROBE_CASES, server)
            size = databases.size_bytes(probe, server)
        finally:
            databases.drop(probe, server)
        copies = max(1, stats["copies"])
        per_case = (size - stats["bytes_before_copies"]) / copies
        growing = stats["clone_seconds"] + stats.get("index_seconds", 0)
        per_second = growing / copies
        fixed_seconds = stats["seconds"] - growing
        fixed_bytes = stats["bytes_before_copies"]
        projected = fixed_bytes + per_case * cases
        seconds = fixed_seconds + per_second * cases
        self.say(
            f"measured: {per_case:,.0f} bytes per case, {per_second * 1000:.2f} ms per case"
            f" (copies and indexes; fixed part {_gb(fixed_bytes)}, {fixed_seconds:.0f} s)\n"
            f"projected for {cases:,} cases: {_gb(projected)}, {seconds / 60:.1f} min"
        )
        free = self.free_bytes(server)
        if free is not None and projected * 1.2 > free and not force:
            raise CommandError(
                f"projected {_gb(projected)} (+20%) does not fit the {_gb(free)} free; --force"
            )

    def free_bytes(self, server: str) -> int | None:
        import psycopg2

        try:
            conn = psycopg2.connect(server)
            with conn.cursor() as cur:
                cur.execute("SHOW data_directory")
                path = cur.fetchone()[0]
            conn.close()
            return shutil.disk_usage(path).free
        except Exception:  # noqa: BLE001 - not superuser or not local: no check
            return None
