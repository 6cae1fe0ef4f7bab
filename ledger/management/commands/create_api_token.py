from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ledger.models import ApiToken


class Command(BaseCommand):
    help = "为用户创建接口令牌并打印（只显示这一次）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="令牌用途")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有这个用户：{username}")
        _token, secret = ApiToken.objects.issue(user=user, name=name)
        self.stdout.write(secret)
