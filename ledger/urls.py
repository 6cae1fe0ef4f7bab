from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("ledger.xlsx", views.ledger_xlsx, name="ledger-xlsx"),
    path("api/v1/dashboard", views.api_dashboard, name="api-dashboard"),
]
