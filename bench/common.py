"""What every benchmark here needs: a database of its own on the server the suite uses, and Django
set up on it with the project's migrations. Imported as ``bench.common`` (each script puts the
project root first on ``sys.path``)."""

from __future__ import annotations

import os


def ensure_database(base_url: str, name: str) -> str:
    """Create database ``name`` beside ``base_url``'s when missing; return its URL."""
    import psycopg2

    conn = psycopg2.connect(base_url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {name}")
    conn.close()
    return base_url.rsplit("/", 1)[0] + "/" + name


def setup_django(url: str, *, migrate: bool = True) -> None:
    """Django on ``url`` with the project's settings and no Redis (the cache and broker fall
    back to in-process ones), migrated unless ``migrate`` is false: several processes on one
    database migrate it once, before they start (two ``migrate`` at once race on the catalog:
    both create the same table, and one fails on ``pg_type_typname_nsp_index``)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
