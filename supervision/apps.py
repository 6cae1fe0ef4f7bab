from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("督查督办")

    def ready(self):
        from targets import report_import

        # A target someone asked to extend or adjust keeps that request: an update import retires it.
        report_import.HISTORY_RELATIONS.append("extension_requests")
