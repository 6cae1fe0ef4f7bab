import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenManager(models.Manager):
    def issue(self, *, user, name=""):
        """Create a token for `user` and return (token object, the secret). Only the digest is kept."""
        secret = secrets.token_urlsafe(32)
        return self.create(user=user, name=name, digest=digest(secret)), secret

    def user_for(self, secret: str):
        token = self.filter(digest=digest(secret), revoked=False, user__is_active=True).select_related("user").first()
        return token.user if token else None


class ApiToken(models.Model):
    """接口令牌: lets another system call the JSON API as a user. The secret is shown once; only its
    SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    name = models.CharField(_("用途"), max_length=100, blank=True)
    digest = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    revoked = models.BooleanField(_("已停用"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ApiTokenManager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.user} · {self.name or self.digest[:8]}"
