from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

# Browsers ask for /favicon.ico on every page that names no icon (admin, error pages): answered here,
# from the icon drawn for the app (static/img/favicon.ico; base.html links its SVG twin).
FAVICON = (Path(settings.BASE_DIR) / "static" / "img" / "favicon.ico").read_bytes()


@require_safe
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request):
    return HttpResponse(FAVICON, content_type="image/x-icon")


# No static() for MEDIA_URL, not even with DEBUG on: evidence is downloaded through targets/evidence.py.
urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("ledger.api_urls")),
    path("", include("targets.urls")),
    path("", include("ledger.urls")),
    path("", include("reader.urls")),
    path("supervision/", include("supervision.urls")),
    path("drafting/", include("drafting.urls")),
]
