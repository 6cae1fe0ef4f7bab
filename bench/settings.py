"""The project's settings as production runs them (DEBUG off, cached templates, persistent
connections), for the benchmark process and its gunicorn only: plain HTTP on 127.0.0.1 and the
URLconf of bench/urls.py, which adds the two floor routes. Never used by the app itself."""

import os
import secrets
from urllib.parse import urlsplit

# Only ever a scratch database of the bench (bench_s, bench_l, bench_x): never the dev or a test database.
if not urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/").startswith("bench_"):
    raise RuntimeError("bench.settings needs DATABASE_URL naming a bench_* scratch database")
os.environ.pop("DEBUG", None)
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # a throwaway key per bench process
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from reportgov.settings import *  # noqa: E402, F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# The bench's client talks plain HTTP to 127.0.0.1: the session cookie must travel over it.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# No collectstatic manifest in a scratch run; static URLs cost the same either way.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
