"""Settings, part two: edge security (the client address, the input policy, headers), logins,
sessions and tokens, the audit trail, degrading and personal data at rest (issue 12). It reads
and extends the core settings of ``onestop.settings.base``; ``onestop.settings`` adds the later
apps' blocks on top of it (one chain, so the order of every assignment is the file order it
had when this was one module)."""

import copy as _copy
import sys as _sys
from datetime import timedelta

from onestop.settings.base import *  # noqa: F403

# This module changes copies of the settings it inherits, never the previous module's own
# lists and dicts: when a refused production setting stops the import, Django imports the
# settings again to report it, and that second run must start from the same values.
_inherited = vars(_sys.modules["onestop.settings.base"])
globals().update(_copy.deepcopy({k: v for k, v in _inherited.items() if k.isupper()}))

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
