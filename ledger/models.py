import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A token's last use is written at most once per this long: not a write per API request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def default_expiry():
    return timezone.now() + datetime.timedelta(days=settings.REPORTGOV_API_TOKEN_DAYS)


class ApiTokenManager(models.Manager):
    def issue(self, *, user, name="", days=None):
        """Create a token for `user`, valid for `days` (REPORTGOV_API_TOKEN_DAYS unless given), and
        return (token object, the secret). Only the digest is kept."""
        secret = secrets.token_urlsafe(32)
        expires_at = default_expiry() if days is None else timezone.now() + datetime.timedelta(days=days)
        return self.create(user=user, name=name, digest=digest(secret), expires_at=expires_at), secret

    def user_for(self, secret: str):
        """The active user of a token that is neither revoked nor expired, or None; notes the token's use."""
        now = timezone.now()
        token = (
            self.filter(digest=digest(secret), revoked=False, expires_at__gt=now, user__is_active=True)
            .select_related("user")
            .first()
        )
        if token is None:
            return None
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            self.filter(pk=token.pk).update(last_used_at=now)
        return token.user


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
    expires_at = models.DateTimeField(_("有效期至"), default=default_expiry)
    # Written at most once a minute (LAST_USED_RESOLUTION).
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    objects = ApiTokenManager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.user} · {self.name or self.digest[:8]}"
