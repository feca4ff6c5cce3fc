"""``manage.py repair_text`` finds and repairs a stored value that breaks rendering.

PostgreSQL refuses NUL and lone surrogates outright, so such values only ever got stored on
SQLite (the demo, where the attack was tried): this test builds a SQLite database in a
subprocess, stores a lone surrogate in a case's form data and a NUL in the applicant's name as
the old code let through, sees the case answer 500, repairs, and sees it answer 200.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

from onestop.inputpolicy import clean_data, clean_text, find_bad_text

SCRIPT = """
import io
from django.core.management import call_command
from django.test import Client
from permits.models import Application, Person
from tests.workflow.journey import build_world, submitted_case

world = build_world(1)
app = submitted_case(world)
Application.objects.filter(pk=app.pk).update(form_data={"summary": "bad \\ud800 value"})
Person.objects.filter(pk=world.person.pk).update(real_name="张\\x00三")
client = Client(raise_request_exception=False)
client.force_login(world.citizen)

def statuses():
    api = client.get(f"/api/v1/applications/{app.number}/").status_code
    page = client.get(f"/my/cases/{app.number}/").status_code
    return f"{api} {page}"

def command(*args):
    out = io.StringIO()
    call_command("repair_text", *args, stdout=out)
    return out.getvalue().replace("\\n", " | ")

print("BROKEN", statuses())
print("DRYRUN", command("--dry-run"))
print("AFTERDRY", statuses())
print("REPAIR", command())
print("REPAIRED", statuses())
print("AGAIN", command("--dry-run"))
"""


def _run(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


@pytest.mark.slow
def test_a_stored_bad_value_is_found_and_repaired(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_TASK_ALWAYS_EAGER="true",
        NOTIFICATIONS_ENABLED="false",
        DEBUG="false",
    )
    _run(env, "migrate", "-v", "0")
    lines = dict(
        line.split(" ", 1) for line in _run(env, "shell", "-c", SCRIPT).splitlines() if " " in line
    )

    assert lines["BROKEN"] == "500 500"  # the case is broken: its API answer and its page
    listed = lines["DRYRUN"]
    assert "permits.Application" in listed and "form_data" in listed
    assert "permits.Person" in listed and "real_name" in listed
    assert "bad" not in listed and "张" not in listed  # names of fields, never values
    assert lines["AFTERDRY"] == "500 500"  # a dry run changes nothing
    assert "2 row(s) repaired." in lines["REPAIR"]
    assert lines["REPAIRED"] == "200 200"
    assert "0 row(s) found." in lines["AGAIN"]


def test_the_repair_of_one_value():
    assert clean_text("a\x00b\ud800c") == "ab\ufffdc"
    data = {"k\udfff": ["x\x00", {"y": "\ud800"}], "n": 1, "ok": "😀"}
    assert find_bad_text(data)
    fixed = clean_data(data)
    assert fixed == {"k\ufffd": ["x", {"y": "\ufffd"}], "n": 1, "ok": "😀"}
    assert not find_bad_text(fixed)
