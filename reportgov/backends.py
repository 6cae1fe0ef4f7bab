"""Authentication backends."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS.

    axes refuses authenticate() calls that carry no request. Every login from the web (the login
    page, Django admin) carries one; the calls without one come from code we run ourselves — the
    test client's login(), a management command — where there is no client to lock out, so they
    pass through to the next backend instead of failing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
