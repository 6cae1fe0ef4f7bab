"""gunicorn's entry point for the throughput figure: the project's application under bench.settings."""

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
