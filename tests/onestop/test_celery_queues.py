"""CELERY_SPLIT_QUEUES (docs/scaling.md §7): off, every task goes to the default queue; on, the
notices go to "notify" and the deadline work to "deadlines", through the same router that the
outbox relay's ``send_task`` and the beat use."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

ROUTE = r"""
import json, django
django.setup()
from onestop.celery import app
names = ["notifications.deliver", "workflow.deadline_followup", "outbox.relay", "audit.seal"]
print(json.dumps({n: (app.amqp.router.route({}, n).get("queue").name) for n in names}))
"""


def _queues(split: str) -> dict:
    env = {**os.environ, "CELERY_SPLIT_QUEUES": split, "DJANGO_SETTINGS_MODULE": "onestop.settings"}
    result = subprocess.run(
        [sys.executable, "-c", ROUTE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_routed_name_is_a_task_of_the_project():
    from onestop.celery import app

    app.loader.import_default_modules()
    missing = sorted(set(settings.CELERY_QUEUE_OF_TASK) - set(app.tasks))
    assert not missing, missing
    assert set(settings.CELERY_QUEUE_OF_TASK.values()) == {"notify", "deadlines"}


def test_one_queue_by_default_and_three_when_split():
    assert _queues("false") == {
        "notifications.deliver": "celery",
        "workflow.deadline_followup": "celery",
        "outbox.relay": "celery",
        "audit.seal": "celery",
    }
    assert _queues("true") == {
        "notifications.deliver": "notify",
        "workflow.deadline_followup": "deadlines",
        "outbox.relay": "celery",
        "audit.seal": "celery",
    }
