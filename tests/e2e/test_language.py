"""Journey 8: the language switch in the header shows the same page in English.

The English catalogue of the app's own strings is still being written, so this asserts on what
Django itself translates (the login form's labels) and on the page's declared language."""

from django.urls import reverse

from .conftest import PASSWORD


def test_language_switch_shows_the_same_page_in_english(tab, reporter_a, target_a):
    page = tab.page
    login = reverse("login")
    tab.goto(login)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.get_by_label("用户名").is_visible() and page.get_by_label("密码").is_visible()

    page.get_by_label("语言").select_option("en")
    with tab.navigation():
        page.locator(".language-switch").get_by_role("button").click()

    assert page.url.endswith(login)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_label("Username").is_visible() and page.get_by_label("Password").is_visible()
    assert page.get_by_label("用户名").count() == 0

    # The choice stays with the browser: signed in, the next page is in English too.
    page.get_by_label("Username").fill(reporter_a.username)
    page.get_by_label("Password").fill(PASSWORD)
    with tab.navigation():
        page.locator("main").get_by_role("button").click()
    assert page.url.endswith(reverse("target-list"))
    assert page.locator("html").get_attribute("lang") == "en"
