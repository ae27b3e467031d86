"""Settings for the SIPAS portal, read from the environment (django-environ).

Defaults are the embedded, single-machine set-up (`make run`): DEBUG on, SQLite in the
repository root and Celery tasks run eagerly in-process.

Production (behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto and strips any
such header coming from the client):
  DJANGO_DEBUG=0                    required; turns on the hardening at the end of this file
  DJANGO_SECRET_KEY=...             required when DEBUG is off: 50+ random characters, e.g.
                                    python -c "import secrets; print(secrets.token_urlsafe(50))"
  DJANGO_ALLOWED_HOSTS=sipas.example.gov.vn   host names, comma-separated
  DJANGO_CSRF_TRUSTED_ORIGINS=https://sipas.example.gov.vn   only if the proxy changes the host
  DATABASE_URL=postgres://...       CELERY_BROKER_URL=redis://...
  SIPAS_CACHE_URL=redis://host:6379/1   the cache of every process (rate limits, dashboards):
                                    django-redis, a db number of its own (not the broker's);
                                    unset: files under .django_cache/, shared by one machine only
  DJANGO_STATIC_ROOT, DJANGO_MEDIA_ROOT, DJANGO_EMAIL_BACKEND, DJANGO_DEFAULT_FROM_EMAIL
Optional: DJANGO_HSTS_SECONDS (default one year), DJANGO_SECURE_SSL_REDIRECT and
DJANGO_SECURE_COOKIES (default on; off only for a plain-HTTP intranet test), SIPAS_IMPORT_MAX_BYTES,
SIPAS_IMPORT_MAX_UNCOMPRESSED_BYTES, SIPAS_SESSION_SECONDS, SIPAS_LOGIN_FAILURE_LIMIT,
SIPAS_CACHE_KEY_PREFIX (default: derived from the database, see CACHES).
Check with: `python manage.py check --deploy` (must report no issues).
"""
import hashlib
import os
import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    # Only usable with DEBUG on; production must provide its own key.
    default="dev-only-insecure-key-change-me" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "surveys",
    "indexes",
    "reporting",
    "reporting.plans",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login except those marked @login_not_required (public pages).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "surveys.accounts.audit.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the outcome of the login view (django-axes lockout).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "sipas_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "sipas_portal.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy one-stop desk and the worker write at once: wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)

# ---- Cache: the online form's rate limits and the dashboards --------------------------------
# One store for every process of a deployment (web workers, the Celery worker), so that a POST
# limit counts an address once however many processes serve it. SIPAS_CACHE_URL=redis://…/1:
# Redis through django-redis, with atomic counts; a db number of its own, not the broker's, as
# clearing the cache empties the whole db. Unset: files under .django_cache/ (no server, no table
# to create, shared by the processes of this machine). Their add/incr read then write, so truly
# simultaneous POSTs may slip a few past a limit: good enough on one machine, which is why
# production uses Redis. The database cache would not do better (its incr is a read then a
# write too) and would cost queries on every dashboard page and a createcachetable step.
_CACHE_PROCESS = secrets.token_hex(8)
_CACHE_NAMESPACES: dict[tuple, str] = {}


def database_cache_namespace(database: dict) -> str:
    """The cache key namespace of a database: processes on the same database (engine, host,
    port, name) share it; another database — another deployment, a test database — has its own.
    An in-memory database lives in one process, so its namespace is that process's."""
    name = str(database.get("NAME") or "")
    identity = (str(database.get("ENGINE") or ""), str(database.get("HOST") or ""), str(database.get("PORT") or ""), name)
    if name == ":memory:" or "mode=memory" in name:
        identity += (str(os.getpid()), _CACHE_PROCESS)
    namespace = _CACHE_NAMESPACES.get(identity)
    if namespace is None:
        digest = hashlib.sha256("\0".join(identity).encode()).hexdigest()[:16]
        namespace = _CACHE_NAMESPACES[identity] = f"sipas-{digest}"
    return namespace


def cache_key(key: str, key_prefix: str, version: int) -> str:
    """KEY_FUNCTION of the default cache: `<namespace>:<version>:<key>`, the namespace being
    KEY_PREFIX when set, else the database's. Read at each call, not once here: a test run
    switches to its test database (one per pytest-xdist process) after settings are loaded."""
    from django.conf import settings

    return f"{key_prefix or database_cache_namespace(settings.DATABASES['default'])}:{version}:{key}"


_CACHE_URL = env.str("SIPAS_CACHE_URL", default="")
if _CACHE_URL:
    CACHES = {"default": env.cache_url_config(_CACHE_URL)}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            # Entries are pickles: Django creates the directory for its own user only (0700).
            "LOCATION": str(BASE_DIR / ".django_cache"),
            # Beyond this many files a random third is dropped, live counts included.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }
if CACHES["default"]["BACKEND"].endswith(".RedisCache"):
    # django-environ falls back to Django's own Redis backend when django-redis is missing:
    # name it, so that a missing package is an error rather than a quiet change of backend.
    CACHES["default"]["BACKEND"] = "django_redis.cache.RedisCache"
    # A Redis outage must not take pages down (a broker outage does not either): operations
    # give up fast and count as misses, and are logged.
    _REDIS_OPTIONS = CACHES["default"].setdefault("OPTIONS", {})
    _REDIS_OPTIONS.setdefault("IGNORE_EXCEPTIONS", True)
    _REDIS_OPTIONS.setdefault("SOCKET_CONNECT_TIMEOUT", 1)
    _REDIS_OPTIONS.setdefault("SOCKET_TIMEOUT", 1)
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
CACHES["default"]["KEY_FUNCTION"] = cache_key
# Set it when the database's namespace is wrong: two servers reaching one database under
# different host names (give both the same value), or two deployments whose databases look
# alike, e.g. both 127.0.0.1/sipas, sharing one Redis (give each its own).
CACHES["default"]["KEY_PREFIX"] = env.str("SIPAS_CACHE_KEY_PREFIX", default=CACHES["default"].get("KEY_PREFIX", ""))
RATELIMIT_USE_CACHE = "default"
if not _CACHE_URL:
    # django-ratelimit's checks (registered once its module is imported) rightly say the file
    # cache counts with a read then a write: accepted for the one-machine default, as above.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
# With the cache unreachable no count can be kept: take the answers (CSRF, the submission key
# and the honeypot still apply) rather than refuse every citizen with the 429 page.
RATELIMIT_FAIL_OPEN = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# ---- Accounts and sessions -----------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "surveys:round_list"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_AGE = env.int("SIPAS_SESSION_SECONDS", default=8 * 3600)  # one working day
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request (idle expiry)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-axes: lock a username after repeated failures.
AXES_FAILURE_LIMIT = env.int("SIPAS_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("SIPAS_LOGIN_COOLOFF_HOURS", default=0.5)
# A username from one address: a one-stop desk shares one address, so the address alone
# would lock out a whole office.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="sipas@localhost")

# ---- Content-Security-Policy (django-csp): no inline script or style anywhere --------------
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
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploaded import workbooks: a year's paper batch is far below this.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The import view's upload handler (surveys.responses.uploads) stops reading a file past this size.
IMPORT_MAX_BYTES = env.int("SIPAS_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# A workbook whose zip parts would expand beyond this is refused before it is opened (zip bomb).
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("SIPAS_IMPORT_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024)
# Public online questionnaire (/phieu/): POSTs per client address and per link (django-ratelimit,
# counted in the default cache, shared by the processes: see CACHES). Generous, because a
# one-stop desk's visitors share one public address; behind a reverse proxy REMOTE_ADDR must be
# the client's (set it from X-Forwarded-For in the proxy or WSGI server), or all share one count.
SIPAS_ONLINE_RATE_PER_IP = env.str("SIPAS_ONLINE_RATE_PER_IP", default="60/m")
SIPAS_ONLINE_RATE_PER_LINK = env.str("SIPAS_ONLINE_RATE_PER_LINK", default="60/m")

# Celery: no broker configured means the embedded set-up, tasks run in-process.
CELERY_TASK_ALWAYS_EAGER = not env.str("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# A recomputation starts this long after the save that asked for it, so a burst of saves (a
# workbook, a busy desk) is computed once: the tasks that follow find the round current.
SIPAS_RECOMPUTE_DELAY_SECONDS = env.float("SIPAS_RECOMPUTE_DELAY_SECONDS", default=2.0)
# The beat sweep's period: how long a round may stay stale when the broker was down at save time.
SIPAS_STALE_SWEEP_SECONDS = env.float("SIPAS_STALE_SWEEP_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    # Safety net: any round left stale (broker down at save time) is picked up.
    "recompute-stale-rounds": {
        "task": "indexes.tasks.recompute_stale_rounds",
        "schedule": SIPAS_STALE_SWEEP_SECONDS,
        # A sweep that could not run in time is dropped, not piled up: the next one does its work.
        "options": {"expires": SIPAS_STALE_SWEEP_SECONDS},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
    # Eager mode still builds a (memory://) connection; its "no hostname" notice is noise.
    "loggers": {"kombu.connection": {"level": "ERROR"}},
}

if not DEBUG:
    # `manage.py check --deploy` reports no issue with these (tests/security/test_deploy.py).
    if SECRET_KEY.startswith("dev-only") or len(set(SECRET_KEY)) < 5 or len(SECRET_KEY) < 50:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY phải là chuỗi ngẫu nhiên từ 50 ký tự trở lên khi DJANGO_DEBUG=0."
        )
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
