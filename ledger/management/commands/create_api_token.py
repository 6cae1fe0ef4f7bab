from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ledger.models import ApiToken

MAX_DAYS = 3650


class Command(BaseCommand):
    help = "为用户创建接口令牌并打印（只显示这一次）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="令牌用途")
        parser.add_argument(
            "--days", type=int, default=settings.REPORTGOV_API_TOKEN_DAYS, help="有效天数（默认 %(default)s）"
        )

    def handle(self, *args, username, name, days, **options):
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"有效天数应在 1 到 {MAX_DAYS} 之间。")
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有这个用户：{username}")
        token, secret = ApiToken.objects.issue(user=user, name=name, days=days)
        self.stdout.write(secret)
        self.stderr.write(f"有效期至 {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}")
