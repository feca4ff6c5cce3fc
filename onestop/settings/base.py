"""Settings for Yunfu One-Stop, part one: the core (see ``onestop/settings/__init__.py`` for the
chain of modules).

One set of modules for every environment: each deploy-dependent value comes from the environment
(see ``.env.example``) with a safe development default. ``PRODUCTION=true`` switches on the
production behaviour (secure cookies, HSTS, no demo seeding).
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

PRODUCTION = env.bool("PRODUCTION", default=False)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    # Django's debug pages show settings and code to anyone who hits an error: production
    # answers 403, 404 and 500 with the site's own pages (templates/403.html, 404.html, 500.html).
    raise environ.ImproperlyConfigured("DEBUG must be false when PRODUCTION=true")
SECRET_KEY = env(
    "SECRET_KEY",
    default="" if PRODUCTION else "dev-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz",
)
if PRODUCTION and not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when PRODUCTION=true")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["*"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "onestop.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "viewflow",
    "viewflow.workflow",
    "outbox",
    "audit",
    "backups",
    "departments",
    "permits",
    "workflow",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "onestop.middleware.RejectNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "onestop.urls"
WSGI_APPLICATION = "onestop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# PostgreSQL in tests and production; SQLite for the demo. SQLite runs in WAL mode with a busy
# timeout and IMMEDIATE transactions so that web, worker and beat can share one file.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # A waiting row lock gives up after this long instead of hanging a worker forever.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c lock_timeout={env.int('DB_LOCK_TIMEOUT_MS', default=10000)}"
    )
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default=None)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth: see the "Logins, sessions, tokens" block at the end -------------------------------
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:after_login"
LOGOUT_REDIRECT_URL = "portal:home"
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
FILE_STORAGE = env("FILE_STORAGE", default="local")  # "local" or "s3"
if FILE_STORAGE == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET", default="onestop"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "access_key": env("S3_ACCESS_KEY", default=None),
            "secret_key": env("S3_SECRET_KEY", default=None),
            "region_name": env("S3_REGION", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "onestop.storage.StaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "onestop.api.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "onestop.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "onestop.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "track": env("TRACK_THROTTLE_RATE", default="30/min"),
        "auth": env("AUTH_THROTTLE_RATE", default="20/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "云浮市一站式政务服务平台 API",
    "DESCRIPTION": "REST API v1 of Yunfu One-Stop (see shared/API.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One content type per body (API.md: JSON in; uploads are multipart, declared as such by
    # their views): a generated client cannot pick between three declarations of one body.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
}
# Kiosks in the service centre query progress all day; their addresses are not throttled.
TRACK_THROTTLE_EXEMPT_IPS = env.list("TRACK_THROTTLE_EXEMPT_IPS", default=[])

# --- Cache, Celery --------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Due state lives in database columns swept by beat, never in long ETAs; a short
        # visibility timeout brings a killed worker's unacked messages back quickly.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
        "unacked_restore_interval": 10,
        # A publisher facing a broker that is down gives up after one retry instead of
        # reconnecting forever (kombu's default): the message is an outbox row, and the relay
        # publishes it once the broker is back, so nothing waits on the broker.
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.5,
        "interval_max": 1,
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    # The demo runs without a Redis server: kombu's filesystem transport under var/.
    _queue_dir = VAR_DIR / "celery-queue"
    for _sub in ("in", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "in"),
        "data_folder_out": str(_queue_dir / "in"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Probes from the container runtime or load balancer speak plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REFERRER_POLICY = "same-origin"

# --- E-mail, SMS ----------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@yunfu.gov.cn")

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"client_errors": {"()": "onestop.logfilters.ClientErrorsWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["client_errors"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# --- Project --------------------------------------------------------------------------------
SITE_NAME = _("Yunfu One-Stop Government Services")
ISSUING_AUTHORITY = "云浮市政务服务和数据管理局"
# What the footer of a Chinese government site shows (each line appears once it is set; blank
# in the demo): 网站标识码, the ICP filing number (ICP备案号), the public-security filing number
# (公安机关备案号), and the national "report an error on a government site" page.
SITE_IDENTIFIER = env("SITE_IDENTIFIER", default="")
# The public address printed in notices' QR codes (progress page, certificate check).
PUBLIC_SITE_URL = env("PUBLIC_SITE_URL", default="http://localhost:8000")
# The TrueType CJK font reportlab embeds in PDF notices (Debian's fonts-wqy-zenhei).
PDF_CJK_FONT = env("PDF_CJK_FONT", default="/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
ICP_FILING_NUMBER = env("ICP_FILING_NUMBER", default="")
PSB_FILING_NUMBER = env("PSB_FILING_NUMBER", default="")
GOV_ERROR_REPORT_URL = env("GOV_ERROR_REPORT_URL", default="https://zfwzzc.www.gov.cn/")
# bandit B105: the published demo password; the password rules refuse it in production
DEMO_PASSWORD = "Yunfu@2026"  # nosec B105

# --- Deadlines and notifications (workflow.deadlines.sweep, notifications) ------------------------
INSTALLED_APPS += ["notifications", "centres", "evaluations"]
TEMPLATES[0]["OPTIONS"]["context_processors"] += [
    "notifications.context_processors.notifications",
    "workflow.context_processors.calendar_banner",
]
# Yellow warning when this many working days are left (the due day counting as one).
DEADLINE_YELLOW_WORKING_DAYS = env.int("DEADLINE_YELLOW_WORKING_DAYS", default=1)
# Hour limits (urgent matters) turn yellow when this share of the time from the clock's start to
# its due is left (2 h → the last 30 min); DEADLINE_YELLOW_HOURS before the due without a start.
DEADLINE_YELLOW_HOUR_SHARE = env.float("DEADLINE_YELLOW_HOUR_SHARE", default=0.25)
DEADLINE_YELLOW_HOURS = env.int("DEADLINE_YELLOW_HOURS", default=1)
DEADLINE_SWEEP_SECONDS = env.int("DEADLINE_SWEEP_SECONDS", default=60)
DEADLINE_SWEEP_BATCH = env.int("DEADLINE_SWEEP_BATCH", default=500)
# From this month on, the back office warns when next year's holiday arrangement is missing.
CALENDAR_NEXT_YEAR_WARNING_MONTH = env.int("CALENDAR_NEXT_YEAR_WARNING_MONTH", default=11)
# Only one beat schedules at a time (a PostgreSQL advisory lock, or a lease row elsewhere).
CELERY_BEAT_SCHEDULER = "workflow.deadlines.beat:SingleBeatScheduler"
# The transactional outbox (outbox/, onestop.dispatch): the relay publishes rows the after-commit
# send could not (broker down) once they are this old, every OUTBOX_RELAY_SECONDS.
OUTBOX_RELAY_SECONDS = env.int("OUTBOX_RELAY_SECONDS", default=10)
OUTBOX_RELAY_GRACE_SECONDS = env.int("OUTBOX_RELAY_GRACE_SECONDS", default=30)
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=7)
# The audit trail (audit/, issue 12 item 6): rows are chained by a sealer every
# AUDIT_SEAL_SECONDS once AUDIT_SEAL_SETTLE_SECONDS old; `audit_verify` alarms on rows unsealed for
# longer than AUDIT_UNSEALED_ALARM_SECONDS; whole months are kept AUDIT_RETENTION_DAYS (≥ 180).
AUDIT_SEAL_SECONDS = env.int("AUDIT_SEAL_SECONDS", default=60)
AUDIT_SEAL_SETTLE_SECONDS = env.int("AUDIT_SEAL_SETTLE_SECONDS", default=2)
AUDIT_UNSEALED_ALARM_SECONDS = env.int("AUDIT_UNSEALED_ALARM_SECONDS", default=300)
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=400)
CELERY_BEAT_SCHEDULE.update(
    {
        "sweep-deadlines": {
            "task": "workflow.sweep_deadlines",
            "schedule": float(DEADLINE_SWEEP_SECONDS),
            "options": {"expires": float(DEADLINE_SWEEP_SECONDS)},
        },
        "outbox-relay": {
            "task": "outbox.relay",
            "schedule": float(OUTBOX_RELAY_SECONDS),
            "options": {"expires": float(OUTBOX_RELAY_SECONDS)},
        },
        "audit-seal": {
            "task": "audit.seal",
            "schedule": float(AUDIT_SEAL_SECONDS),
            "options": {"expires": float(AUDIT_SEAL_SECONDS)},
        },
        "audit-retention": {
            "task": "audit.retention",
            "schedule": 86400.0,
            "options": {"expires": 3600.0},
        },
        "notifications-catch-up": {
            "task": "notifications.catch_up",
            "schedule": 300.0,
            "options": {"expires": 300.0},
        },
    }
)
NOTIFICATIONS_ENABLED = env.bool("NOTIFICATIONS_ENABLED", default=True)
NOTIFICATION_LANGUAGE = "zh-hans"
NOTIFICATION_EMAIL_BACKEND = env(
    "NOTIFICATION_EMAIL_BACKEND", default="notifications.backends.LoggingEmailBackend"
)
SMS_BACKEND = env("SMS_BACKEND", default="notifications.backends.LoggingSmsBackend")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT = env.int("SMS_GATEWAY_TIMEOUT", default=10)
SMS_SIGNATURE = env("SMS_SIGNATURE", default="云浮政务服务")
CELERY_BEAT_MAX_INTERVAL = (
    30  # ticks often enough to renew the beat lease (workflow.deadlines.beat)
)
