"""Settings for Yunfu One-Stop (``DJANGO_SETTINGS_MODULE=onestop.settings``).

One chain of three modules, each reading the one before it: ``base`` (the core: apps,
database, i18n, static and media, REST framework, cache and Celery, deadlines and
notifications), ``security`` (issue 12: edge security, logins, audit, personal data at rest)
and this module (the later apps' blocks: the service centre, the load-test dataset,
statistics, disclosure and reporting reads, the public pages' cache). Every deploy-dependent
value comes from the environment (``.env.example`` documents each; tests/test_compose.py
checks both agree). New settings go in a block at the end of this module."""

import copy as _copy
import sys as _sys

from onestop.settings.security import *  # noqa: F403

# This module changes copies of the settings it inherits, never the previous module's own
# lists and dicts: when a refused production setting stops the import, Django imports the
# settings again to report it, and that second run must start from the same values.
_inherited = vars(_sys.modules["onestop.settings.security"])
globals().update(_copy.deepcopy({k: v for k, v in _inherited.items() if k.isupper()}))

# === The service centre's queue (issue 10, centres) ==========================================
# Tickets per client address and hour at the public kiosk page, and display refreshes per
# address and hour; the centre's own kiosks and hall displays (their trusted client addresses,
# as onestop.clientip finds them) are exempt. The progress query's kiosks
# (TRACK_THROTTLE_EXEMPT_IPS) are exempt here too: they are the same machines.
CENTRES_KIOSK_IPS = [ip.strip() for ip in env.list("CENTRES_KIOSK_IPS", default=[]) if ip.strip()]
CENTRES_TICKETS_PER_HOUR = env.int("CENTRES_TICKETS_PER_HOUR", default=10)
CENTRES_DISPLAY_REFRESHES_PER_HOUR = env.int("CENTRES_DISPLAY_REFRESHES_PER_HOUR", default=2000)
# Assignment: a window's recent average handling time is read over this many minutes; with too
# few finished tickets, the centre's average, then this default.
CENTRES_RECENT_HANDLING_MINUTES = env.int("CENTRES_RECENT_HANDLING_MINUTES", default=120)
CENTRES_DEFAULT_HANDLING_SECONDS = env.int("CENTRES_DEFAULT_HANDLING_SECONDS", default=480)

# --- Load-test dataset (issue 11 item 1): ``manage.py seed_load`` and its template database ---
INSTALLED_APPS += ["loadtest"]

# === Statistics (issue 13 items 1–4; the stats app, label "statistics") ======================
# Read models fed from the event log after commit; the board pages under /office/statistics/.
INSTALLED_APPS += ["stats"]

# === Information disclosure and reporting reads (issue 13 items 5 and 6; disclosure, ===========
# onestop/reporting.py). Figures and exports read through the "reporting" alias: a PostgreSQL
# streaming replica when REPORTING_DATABASE_URL names one, the default database otherwise. The
# router never migrates it and sends reads there only when asked (onestop.reporting).
INSTALLED_APPS += ["disclosure"]
REPORTING_DATABASE_URL = env("REPORTING_DATABASE_URL", default="")
DATABASES["reporting"] = (
    {
        **env.db_url_config(REPORTING_DATABASE_URL),
        "CONN_MAX_AGE": env.int("CONN_MAX_AGE", default=60),
    }
    if REPORTING_DATABASE_URL
    else {k: v for k, v in DATABASES["default"].items() if k != "TEST"}
)
DATABASES["reporting"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["onestop.reporting.ReportingRouter"]
# 办件公示: how many completed cases the public page lists, and over how many days.
DISCLOSURE_CASES_SHOWN = env.int("DISCLOSURE_CASES_SHOWN", default=50)
DISCLOSURE_CASES_DAYS = env.int("DISCLOSURE_CASES_DAYS", default=90)

# === Public pages' cache (issue 11 item 3; portal/pagecache.py, permits/public_pages_version.py)
# Home, catalogue and guide pages for anonymous visitors are kept whole in the shared cache,
# keyed by the public pages' version stamp (bumped by every catalogue change and every notice
# published or withdrawn), language and large-text mode. The timeout only frees the memory of
# old versions: a cached page is never older than what it shows. False renders every page live.
PUBLIC_PAGE_CACHE = env.bool("PUBLIC_PAGE_CACHE", default=True)
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=24 * 3600)

# === Scale-out (issue 11 item 4; onestop/scaleout.py, docs/scaling.md) =======================
# Every web node and worker shares the database (sessions: Django's database engine, said here
# so nobody switches it to a per-node one), one Redis (cache, throttles, limits, page cache) and
# one file storage. The broker may be a Redis of its own (persisted, never evicting) apart from
# the cache's (which may evict under maxmemory); unset, it is REDIS_URL's.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or CELERY_BROKER_URL
# Celery queues (docs/scaling.md §7): true sends the notices to a queue "notify" and the
# deadline work to "deadlines", so a holiday's follow-up does not delay the notices nor a slow
# SMS gateway the sweep; the rest stays on the default queue "celery". Every queue then needs a
# worker (`celery -A onestop worker -Q notify`, `-Q deadlines`, `-Q celery`, or one worker with
# `-Q celery,notify,deadlines`). False (the default): one queue, every worker takes every task.
CELERY_SPLIT_QUEUES = env.bool("CELERY_SPLIT_QUEUES", default=False)
CELERY_QUEUE_OF_TASK = {
    "notifications.notify_event": "notify",
    "notifications.deliver": "notify",
    "notifications.notify_events": "notify",
    "evaluations.invitation_remind": "notify",
    "workflow.sweep_deadlines": "deadlines",
    "workflow.deadline_followup": "deadlines",
    "workflow.deadline_followups": "deadlines",
    "workflow.deadline_marking": "deadlines",
    "workflow.tolerance_terminate": "deadlines",
    "evaluations.sweep_invitations": "deadlines",
    "evaluations.rating_default": "deadlines",
}
CELERY_TASK_ROUTES = (
    {name: {"queue": queue} for name, queue in CELERY_QUEUE_OF_TASK.items()}
    if CELERY_SPLIT_QUEUES
    else {}
)

# === The demo's history (issue 13; stats/demo_history.py) =====================================
# seed_demo makes this many cases of the last six months through the services, each step at its
# own past moment, so the statistics board shows months of figures. 0: none (the test suite).
DEMO_HISTORY_CASES = env.int("DEMO_HISTORY_CASES", default=100)

# === Celery workers' database connections (issue 11; onestop/worker_db.py) ====================
# Celery's Django fixup closes every connection around each task unless this is set; with it, a
# worker process keeps its connection as a web process does (CONN_MAX_AGE, health checks, closed
# after a failed query) and recycles it at the latest every this many tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)

# === The deadline sweep's bulk follow-up (issue 11; workflow/deadlines/followup.py) ============
# Marks per follow-up message: each is one transaction of set-based writes (docs/deadlines.md).
DEADLINE_FOLLOWUP_BATCH = env.int("DEADLINE_FOLLOWUP_BATCH", default=500)

# === The statistics feed in the background (stats/feed.py, docs/statistics.md) =================
# After commit the request only queues the events' ids in the broker's Redis and publishes ONE
# drain task when none is pending; the worker feeds STATISTICS_FEED_BATCH ids per ingest. The
# drain is published STATISTICS_FEED_DELAY_SECONDS after the first event (the events of that
# time are fed together); the pending flag expires after STATISTICS_FEED_FLAG_SECONDS (a lost
# message is published again then); a drain hands on to a new task after
# STATISTICS_FEED_DRAIN_SECONDS. The beat's catch-up counts whatever Redis or a dead worker lost,
# every STATISTICS_CATCH_UP_SECONDS. "inline": the old feed, after commit in the request (also
# what runs without a Redis broker, as in the demo).
STATISTICS_FEED = env("STATISTICS_FEED", default="background")
STATISTICS_FEED_BATCH = env.int("STATISTICS_FEED_BATCH", default=2000)
STATISTICS_FEED_DELAY_SECONDS = env.float("STATISTICS_FEED_DELAY_SECONDS", default=1.0)
STATISTICS_FEED_FLAG_SECONDS = env.int("STATISTICS_FEED_FLAG_SECONDS", default=300)
STATISTICS_FEED_DRAIN_SECONDS = env.float("STATISTICS_FEED_DRAIN_SECONDS", default=120.0)
STATISTICS_CATCH_UP_SECONDS = env.int("STATISTICS_CATCH_UP_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["statistics-catch-up"] = {
    "task": "statistics.catch_up",
    "schedule": float(STATISTICS_CATCH_UP_SECONDS),
    "options": {"expires": float(STATISTICS_CATCH_UP_SECONDS)},
}
# The catch-up looks only at the recent event ids (stats.feed.catch_up: above the id noted two
# runs ago); once every STATISTICS_CATCH_UP_FULL_SECONDS, and when its marks in Redis are gone,
# it looks at the whole event log.
STATISTICS_CATCH_UP_FULL_SECONDS = env.int("STATISTICS_CATCH_UP_FULL_SECONDS", default=86400)

# === Prepared statements (issue 11; onestop/prepared.py) =========================================
# A query kept by onestop.prepared.PreparedQuery (the locked task read, the API token's lookup)
# is PREPAREd once per PostgreSQL session and run as EXECUTE, so PostgreSQL plans it once, not
# on every call. Off (false) behind PgBouncer in transaction mode: a session's prepared
# statements do not follow the next transaction to another server connection.
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)
