from django.urls import path

from . import views

app_name = "drafting"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.review, name="review"),
    path("<int:pk>/targets/<int:target_id>/", views.decide, name="decide"),
    path("<int:pk>/targets/<int:target_id>/edit/", views.edit, name="edit"),
    path("<int:pk>/add/", views.add_clause, name="add-clause"),
    path("<int:pk>/bulk/", views.bulk, name="bulk"),
    path("<int:pk>/publish/", views.publish, name="publish"),
]
