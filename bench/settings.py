"""The production settings over plain HTTP on 127.0.0.1 (reportgov/loopback_settings.py), for the
benchmark process and its gunicorn only, with the URLconf of bench/urls.py, which adds the two
floor routes. bench/run.py passes one SECRET_KEY to the process and its gunicorn."""

import os
from urllib.parse import urlsplit

# Only ever a scratch database of the bench (bench_s, bench_l, bench_x): never the dev or a test database.
if not urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/").startswith("bench_"):
    raise RuntimeError("bench.settings needs DATABASE_URL naming a bench_* scratch database")

from reportgov.loopback_settings import *  # noqa: E402, F403

ROOT_URLCONF = "bench.urls"
