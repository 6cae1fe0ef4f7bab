from django.urls import path

from . import api

urlpatterns = [
    path("ledger", api.ledger_view, name="api-ledger"),
    path("targets/<str:code>/progress", api.record_progress_view, name="api-record-progress"),
]
