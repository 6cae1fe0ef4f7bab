import axes.apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Not a domain app (reportgov holds configuration): installed so that the security-event
    receivers (logins, logouts, lockouts) are connected once at start-up, before any request."""

    name = "reportgov"
    verbose_name = "reportgov"

    def ready(self):
        from . import security

        security.connect()


class AxesConfig(axes.apps.AppConfig):
    """django-axes (login attempts, lockouts) under a Chinese name in admin; its models' own strings
    are translated in locale/zh_Hans, as it ships no Chinese catalogue."""

    verbose_name = _("登录记录")
