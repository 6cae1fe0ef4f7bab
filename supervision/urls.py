from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/<int:pk>/", views.review_entry, name="review-entry"),
    path("review/batch/", views.review_batch, name="review-batch"),
    path("periods/", views.periods, name="periods"),
    path("periods/close/", views.close_period, name="close-period"),
    path("periods/reopen/", views.reopen_period, name="reopen-period"),
    path("periods/requests/new/", views.reopen_request_new, name="reopen-request-new"),
    path("periods/requests/<int:pk>/decide/", views.reopen_request_decide, name="reopen-request-decide"),
    path("reminders/", views.reminders_preview, name="reminders"),
    path("reminders/send/", views.send_reminders, name="send-reminders"),
    path("steps.css", views.steps_css, name="steps-css"),
    path("extensions/", views.extensions, name="extensions"),
    path("extensions/new/<slug:report_code>/<str:code>/", views.extension_new, name="extension-new"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension-decide"),
    path("ranking/", views.ranking, name="ranking"),
    path("circular/", views.circular, name="circular"),
]
