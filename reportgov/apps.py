from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Not a domain app (reportgov holds configuration): installed so that the security-event
    receivers (logins, logouts, lockouts) are connected once at start-up, before any request."""

    name = "reportgov"
    verbose_name = "reportgov"

    def ready(self):
        from . import security

        security.connect()
