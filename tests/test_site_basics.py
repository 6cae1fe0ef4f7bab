"""The small things of every page (issue 21): the icon at /favicon.ico (admin and error pages name
none), the language menu naming each language in itself, and django-axes' admin in Chinese."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

ICO_MAGIC = b"\x00\x00\x01\x00"  # an ICO file's header: reserved 0, type 1 (icon)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_favicon_ico_is_an_icon_for_everyone(client, db, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert response.content.startswith(ICO_MAGIC)
    assert "max-age" in response["Cache-Control"]


def test_favicon_ico_refuses_a_post(client, db):
    assert client.post("/favicon.ico").status_code == 405


def language_options(page):
    menu = page[page.index('id="language-select"') : page.index("</select>", page.index('id="language-select"'))]
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', menu)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_menu_names_each_language_in_itself(client, db, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("login")).content.decode()
    assert language_options(page) == [("zh-hans", "简体中文"), ("en", "English")]
    assert "英语" not in page


def test_admin_names_axes_and_its_models_in_chinese(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    for name in ("登录记录", "登录尝试", "登录失败", "登录日志"):
        assert name in page
    for english in ("Axes", "Access attempts", "Access failures", "Access logs", "Model name", "Add link"):
        assert english not in page


def test_axes_lists_are_in_chinese(client, admin_user):
    AccessAttempt.objects.create(
        username="someone",
        ip_address="192.0.2.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        failures_since_start=1,
    )
    client.force_login(admin_user)
    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "用户名" in page and "IP 地址" in page and "尝试时间" in page
    assert "Attempt Time" not in page and "IP Address" not in page


def test_axes_admin_is_english_with_the_cookie(client, admin_user):
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("admin:index")).content.decode()
    assert "Login records" in page and "Access attempts" in page
