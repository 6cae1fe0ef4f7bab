from django.contrib import admin
from django.urls import include, path

# No static() for MEDIA_URL, not even with DEBUG on: evidence is downloaded through targets/evidence.py.
urlpatterns = [
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
