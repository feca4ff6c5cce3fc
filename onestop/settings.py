"""Settings for Yunfu One-Stop.

One module for every environment: each deploy-dependent value comes from the environment
(see ``.env.example``) with a safe development default. ``PRODUCTION=true`` switches on the
production behaviour (secure cookies, HSTS, no demo seeding).
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
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


# === Edge security (issue 12, items 1, 3 and 7) ====================================
# response headers. Kept in one block so other settings work merges around it.
#
# --- Client address (onestop.clientip): which X-Forwarded-For entries to believe ------------
# The number of reverse proxies in front of the app that append to X-Forwarded-For (0: the app
# is published directly and the header is ignored), or their addresses / networks (when set,
# only a request arriving from one of them has its header read). Every throttle, the kiosk
# exemption and the logs use the address found this way.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# A plain DRF throttle (if one is ever used) then trusts the same number of entries.
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
# Public progress query: after this many wrong check values on one case number (from any
# address), each further miss doubles the wait before that number is looked up again, up to
# TRACK_BACKOFF_MAX_SECONDS; misses are forgotten after TRACK_BACKOFF_WINDOW_SECONDS.
TRACK_BACKOFF_FREE_MISSES = env.int("TRACK_BACKOFF_FREE_MISSES", default=5)
TRACK_BACKOFF_MAX_SECONDS = env.int("TRACK_BACKOFF_MAX_SECONDS", default=900)
TRACK_BACKOFF_WINDOW_SECONDS = env.int("TRACK_BACKOFF_WINDOW_SECONDS", default=86400)
# The kiosk exemption must not be reachable by writing a kiosk's address into a header.
TRACK_THROTTLE_EXEMPT_IPS = [ip.strip() for ip in TRACK_THROTTLE_EXEMPT_IPS if ip.strip()]

# Log lines name the request's trusted client address ("-" when a record is not about one).
LOGGING["filters"] = {
    **LOGGING.get("filters", {}),
    "client": {"()": "onestop.clientip.ClientAddressFilter"},
}
LOGGING["handlers"]["console"].setdefault("filters", []).append("client")
LOGGING["formatters"]["plain"]["format"] = (
    "%(asctime)s %(levelname)s %(name)s [%(client)s] %(message)s"
)

# --- Input policy (onestop.inputpolicy, onestop.middleware, onestop.parsers) ----------------
# Largest request body in bytes (JSON and plain forms: 413 above it) and largest multipart
# upload body; JSON nested deeper than JSON_MAX_DEPTH answers 400.
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=DATA_UPLOAD_MAX_MEMORY_SIZE)
UPLOAD_MAX_BODY_BYTES = env.int("UPLOAD_MAX_BODY_BYTES", default=100 * 1024 * 1024)
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=32)
MIDDLEWARE[MIDDLEWARE.index("onestop.middleware.RejectNulMiddleware")] = (
    "onestop.middleware.InputPolicyMiddleware"
)
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "onestop.parsers.JSONParser",
    "onestop.parsers.FormParser",
    "onestop.parsers.MultiPartParser",
]

# --- Headers: CSP (django-csp), no-store, API docs ---------------------------------------------
# No inline script anywhere (every script is a static file); no inline style either. Swagger UI
# draws its icons from data: URIs. The CSP middleware goes first so that even the answers of
# other middleware (the input policy's 400s) carry the header.
INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(0, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "onestop.middleware.NoStoreMiddleware",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# true: /api/docs/ and /api/schema/ are public even with PRODUCTION=true (default: staff only
# in production, public in development).
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=not PRODUCTION)
SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = ["onestop.api.ApiDocsPermission"]
# === End of edge security ====================================================================

# --- Logins, sessions, tokens (issue 12 item 2; the logins app) ----------------------------
# Every login form (/accounts/login/, /admin/login/) and the API token endpoint authenticate
# through django-axes (lockout per account and per client address, with a cool-off), django-otp
# (TOTP second factor, recovery codes) and hashed, expiring API tokens. One block, so the rules
# read together; logins/ holds the code.
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "rest_framework.authtoken"]
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp"]
INSTALLED_APPS += ["django_otp.plugins.otp_static", "logins"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out accounts and addresses
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
_after_messages = MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1
MIDDLEWARE[_after_messages:_after_messages] = [
    "django_otp.middleware.OTPMiddleware",
    "logins.middleware.IdleTimeoutMiddleware",
    "logins.middleware.SecondFactorMiddleware",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as axes asks
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "rest_framework.authentication.SessionAuthentication",
    "logins.authentication.ApiTokenAuthentication",
    "logins.authentication.ServiceClientAuthentication",
]

# Lockout (django-axes): LOGIN_FAILURE_LIMIT failures on one account, or LOGIN_IP_FAILURE_LIMIT
# from one address (offices share one), lock it for LOGIN_LOCKOUT_MINUTES; every try while
# locked starts the cool-off again. Admins see attempts and lockouts under "Axes" and unlock
# there or with `manage.py login_unlock`.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=30)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AXES_ENABLED = True
AXES_HANDLER = "logins.lockout.LoginsAxesHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_CALLABLE = "logins.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "onestop.clientip.client_ip_for_storage"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp", "token", "code"]
AXES_VERBOSE = False

# Second factor (django-otp). Required for staff accounts (staff roles, superusers, Django
# admin users); citizens may opt in. Off only for the demo and development: production refuses
# to start with it off.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=PRODUCTION)
if PRODUCTION and not TWO_FACTOR_REQUIRED:
    raise ImproperlyConfigured("TWO_FACTOR_REQUIRED cannot be off when PRODUCTION=true")
OTP_TOTP_ISSUER = "云浮一站式"
SECOND_FACTOR_URL_NAME = "portal:two_factor"
SECOND_FACTOR_EXEMPT_URL_NAMES = ["portal:two_factor", "portal:logout"]
SECOND_FACTOR_EXEMPT_PATHS = ["/static/", "/media/", "/i18n/", "/healthz", "/readyz"]
SECOND_FACTOR_EXEMPT_PATHS += ["/api/v1/auth/"]

# Sessions end when the browser closes, after STAFF_IDLE_TIMEOUT (staff) or
# CITIZEN_IDLE_TIMEOUT seconds without a request, and at the latest after SESSION_COOKIE_AGE.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
STAFF_IDLE_TIMEOUT = env.int("STAFF_IDLE_TIMEOUT", default=30 * 60)
CITIZEN_IDLE_TIMEOUT = env.int("CITIZEN_IDLE_TIMEOUT", default=2 * 3600)

# API tokens: hashed, expire after API_TOKEN_TTL seconds, revoked at logout and password change.
API_TOKEN_TTL = env.int("API_TOKEN_TTL", default=8 * 3600)

# True (the default): the decision task goes to the reviewer who accepted the case (in their
# own list) when they may act at its stage; False leaves it in the lead department's queue for
# any colleague to claim (issue 14 item 12, docs/workflow.md).
DECISION_TASK_TO_ACCEPTER = env.bool("DECISION_TASK_TO_ACCEPTER", default=True)

# Unified social credit codes an establishment case (企业开办) issues to the enterprise it
# creates (permits/credit_codes.py): checksum-valid codes whose organisation code begins with
# this prefix, a range no authority hands out, marked as the demo's.
ENTERPRISE_DEMO_CODE_PREFIX = env.str("ENTERPRISE_DEMO_CODE_PREFIX", default="DM")

# Passwords: length, similarity, Django's offline list of 20,000 common passwords, not only
# digits; in production also not the published demo password, nor a word or pinyin surname
# with digits (wangceshi1).
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=10 if PRODUCTION else 8)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "logins.password_validation.DemoPasswordValidator"},
    {"NAME": "logins.password_validation.WeakPatternValidator"},
]

# Password reset by SMS code (sent through the notifications SMS backend): a code lives
# PASSWORD_RESET_CODE_TTL seconds and allows PASSWORD_RESET_MAX_ATTEMPTS tries; codes are sent
# at most PASSWORD_RESET_PER_ACCOUNT_HOUR times an hour per account and
# PASSWORD_RESET_PER_IP_HOUR per client address.
PASSWORD_RESET_CODE_TTL = env.int("PASSWORD_RESET_CODE_TTL", default=600)
PASSWORD_RESET_MAX_ATTEMPTS = env.int("PASSWORD_RESET_MAX_ATTEMPTS", default=5)
PASSWORD_RESET_PER_ACCOUNT_HOUR = env.int("PASSWORD_RESET_PER_ACCOUNT_HOUR", default=3)
PASSWORD_RESET_PER_IP_HOUR = env.int("PASSWORD_RESET_PER_IP_HOUR", default=10)

# Registration (page and API) and ID-number look-ups (onestop.limits, issue 12 item 5): at most
# REGISTER_PER_IP_HOUR registrations an hour per trusted client address and
# REGISTER_PER_ID_HOUR per ID number; a window's or the hotline's find-or-create of an applicant
# at most ID_LOOKUP_PER_IP_HOUR per address (a centre's clerks share one) and
# ID_LOOKUP_PER_ID_HOUR per ID number. Over the limit: 429.
REGISTER_PER_IP_HOUR = env.int("REGISTER_PER_IP_HOUR", default=20)
REGISTER_PER_ID_HOUR = env.int("REGISTER_PER_ID_HOUR", default=5)
ID_LOOKUP_PER_IP_HOUR = env.int("ID_LOOKUP_PER_IP_HOUR", default=600)
ID_LOOKUP_PER_ID_HOUR = env.int("ID_LOOKUP_PER_ID_HOUR", default=30)
LIMITS_NAMESPACE = ""

# --- Audit trail (issue 12 item 6; the audit app) -------------------------------------------
# The chain's HMAC key. Default: derived from SECRET_KEY (required in production), so the demo
# needs no setting; set AUDIT_CHAIN_KEY to keep it apart from SECRET_KEY (and from its rotation).
import hashlib as _hashlib  # noqa: E402

AUDIT_CHAIN_KEY = (
    env("AUDIT_CHAIN_KEY", default="")
    or _hashlib.sha256(f"yunfu-audit-chain|{SECRET_KEY}".encode()).hexdigest()
)
# After the authentication middleware (it records the user) and outside the input policy's
# refusals too: the audit middleware wraps everything after the session and user are known.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "audit.middleware.AuditMiddleware",
)

# --- Degrading, personal data at rest (issue 12 items 4, 5) --------------------------------
# Redis down: the cache answers as an empty cache (onestop/cache.py), so throttles fail open
# with a logged warning instead of answering 500; short timeouts keep an outage from stalling
# requests. Sessions are in the database (Django's default engine), Celery's messages in the
# outbox: neither needs Redis to keep working.
if REDIS_URL:
    CACHES["default"]["BACKEND"] = "onestop.cache.ResilientRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    )

# ID numbers and phones are stored SM4-encrypted with an HMAC-SM3 lookup hash (onestop/pii.py).
# PII_ENCRYPTION_KEYS: "id:hex,id:hex" of 16-byte SM4 keys (32 hex digits), the FIRST encrypts,
# all decrypt; PII_LOOKUP_KEYS the same for the HMAC-SM3 lookup keys (any length ≥ 16 bytes).
# Rotate: put a new key first, keep the old ones after it, run `manage.py pii_rotate`, then
# drop the old keys. The demo keys below are public: production refuses to start with them.
PII_DEMO_ENCRYPTION_KEYS = "demo1:000102030405060708090a0b0c0d0e0f"
PII_DEMO_LOOKUP_KEYS = "demo1:101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
PII_ENCRYPTION_KEYS = env(
    "PII_ENCRYPTION_KEYS", default="" if PRODUCTION else PII_DEMO_ENCRYPTION_KEYS
)
PII_LOOKUP_KEYS = env("PII_LOOKUP_KEYS", default="" if PRODUCTION else PII_DEMO_LOOKUP_KEYS)
if PRODUCTION:
    for _name, _value, _demo in (
        ("PII_ENCRYPTION_KEYS", PII_ENCRYPTION_KEYS, PII_DEMO_ENCRYPTION_KEYS),
        ("PII_LOOKUP_KEYS", PII_LOOKUP_KEYS, PII_DEMO_LOOKUP_KEYS),
    ):
        if not _value.strip():
            raise ImproperlyConfigured(f"{_name} must be set when PRODUCTION=true")
        _demo_keys = {part.split(":", 1)[1].strip() for part in _demo.split(",")}
        if any(part.split(":", 1)[-1].strip() in _demo_keys for part in _value.split(",")):
            raise ImproperlyConfigured(f"{_name} must not hold the demo key when PRODUCTION=true")

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

# === Public pages' cache (issue 11 item 3; portal/pagecache.py, permits/catalogue_version.py) ===
# Home, catalogue and guide pages for anonymous visitors are kept whole in the shared cache,
# keyed by the catalogue's version stamp (bumped by every catalogue change), language and
# large-text mode. The timeout only frees the memory of old versions: a cached page is never
# older than the catalogue. False renders every page live.
PUBLIC_PAGE_CACHE = env.bool("PUBLIC_PAGE_CACHE", default=True)
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=24 * 3600)
