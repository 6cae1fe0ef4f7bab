"""The production settings (DEBUG off, cached templates, persistent connections, whitenoise) served
over plain HTTP on 127.0.0.1, for the load test and the benchmark only — never for users.

What differs from production: the cookies travel without TLS, nothing redirects to HTTPS, and
static files are served from the app's folders (no collectstatic manifest needed). SECRET_KEY must
come from the environment, the same for every gunicorn worker, or sessions would not verify."""

import os

os.environ.pop("DEBUG", None)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from reportgov.settings import *  # noqa: E402, F403

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
