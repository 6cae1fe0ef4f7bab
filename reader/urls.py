from django.urls import path

from . import views

urlpatterns = [
    path("report/", views.living_report, name="living-report"),
    path("glossary/", views.glossary, name="glossary"),
    path("search/", views.search, name="search"),
    path("tasks/", views.practical_tasks, name="practical-tasks"),
    path("public/", views.public, name="public"),
]
