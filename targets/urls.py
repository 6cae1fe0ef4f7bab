from django.urls import path

from . import evidence, import_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("status.css", views.status_css, name="status-css"),
    path("targets/", views.TargetListView.as_view(), name="target-list"),
    path("targets/<slug:report_code>/<str:code>/", views.target_detail, name="target-detail"),
    path("targets/<slug:report_code>/<str:code>/progress/", views.record_progress, name="record-progress"),
    path("reports/<slug:report_code>/state/", views.report_state, name="report-state"),
    path("progress/import/", import_views.import_progress, name="progress-import"),
    path("progress/import/confirm/", import_views.confirm_import, name="progress-import-confirm"),
    path("evidence/<int:pk>/", evidence.download, name="evidence"),
    # MEDIA_URL: the links to evidence written before downloads were checked.
    path("media/<path:name>", evidence.legacy_media, name="evidence-legacy"),
]
