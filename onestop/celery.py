"""The Celery application. Tasks are discovered in each app's ``tasks.py``."""

import os

from celery import Celery

from . import worker_db

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

app = Celery("onestop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Database connections outlive a task (CONN_MAX_AGE), with CELERY_DB_REUSE_MAX in the settings.
worker_db.connect()
