"""The English catalogue (locale/en/LC_MESSAGES/django.po): every entry translated, nothing fuzzy,
placeholders intact — and, through the real URLs, views and templates, the language cookie turns
the pages English while without it they stay Chinese."""

import datetime
import re

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from targets.choices import Status

from . import builders

PO_PATH = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
TODAY = datetime.date(2026, 11, 27)

# Python's %-formatting as Django uses it: named placeholders, a literal %% and the bare forms.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|%[sdif]")
LATIN = re.compile(r"[A-Za-z]")
CJK = re.compile(r"[\u4e00-\u9fff]")
TAG = re.compile(r"<[^>]+>")


def read_catalogue():
    with open(PO_PATH, "rb") as po:
        return read_po(po)


def entries():
    """(msgid, msgstr) pairs, a plural entry giving one pair per form."""
    for message in read_catalogue():
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            yield singular, forms[0] if forms else ""
            for form in forms[1:]:
                yield plural, form
        else:
            yield message.id, message.string


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def test_catalogue_has_no_untranslated_entry():
    untranslated = [msgid for msgid, msgstr in entries() if not msgstr.strip()]
    assert untranslated == []
    assert len(list(entries())) > 500


def test_catalogue_has_no_fuzzy_entry():
    catalogue = read_catalogue()
    assert not catalogue.fuzzy, "the header is still marked fuzzy"
    assert [m.id for m in catalogue if m.id and m.fuzzy] == []


def test_plural_entries_have_both_english_forms():
    plurals = [m for m in read_catalogue() if isinstance(m.id, tuple)]
    assert plurals
    for message in plurals:
        assert isinstance(message.string, tuple) and len(message.string) == 2, message.id
        assert all(form.strip() for form in message.string), message.id


def test_translations_keep_the_placeholders_of_their_msgid():
    mismatched = [(msgid, msgstr) for msgid, msgstr in entries() if placeholders(msgid) != placeholders(msgstr)]
    assert mismatched == []


def test_translations_are_english_not_copies_of_the_chinese():
    def chinese_only(msgstr):
        return CJK.search(msgstr) and not LATIN.search(PLACEHOLDER.sub("", msgstr))

    copied = [msgid for msgid, msgstr in entries() if msgstr == msgid or chinese_only(msgstr)]
    assert copied == []


# --- The real stack -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compiled_locale(tmp_path_factory):
    """The .po compiled as the Makefile does (Babel, --use-fuzzy), so these tests read the committed
    catalogue and not whatever .mo was last built in the working tree."""
    root = tmp_path_factory.mktemp("locale")
    folder = root / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "django.mo", "wb") as mo:
        write_mo(mo, read_catalogue(), use_fuzzy=True)
    return root


@pytest.fixture(autouse=True)
def english_catalogue(settings, compiled_locale, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    settings.LOCALE_PATHS = [compiled_locale]  # setting_changed empties Django's translation cache
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def lagging_target(report, dept_a, reporter_a):
    target = builders.target(report, code="A1.1.01", lead=dept_a, name="新建肉菜市场", source_text="新建肉菜市场10座")
    builders.entry(target, "2026-06-30", 4, user=reporter_a)
    return target


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def status_labels(target):
    status = builders.standing(target).status
    with translation.override("en"):
        english = str(Status(status).label)
    with translation.override("zh-hans"):
        chinese = str(Status(status).label)
    assert english != chinese
    return english, chinese


def test_login_page_is_english_with_the_cookie_and_chinese_without(client, db):
    chinese = page(client, reverse("login"))
    assert 'lang="zh-Hans"' in chinese
    assert "登录" in chinese and "用户名" in chinese
    assert "Sign in" not in chinese

    english = page(in_english(client), reverse("login"))
    assert 'lang="en"' in english
    assert "Sign in" in english and "Username" in english
    assert "Government Work Report Target Ledger" in english
    assert "登录" not in english and "政府工作报告目标台账" not in english


def test_my_targets_is_english_with_the_cookie_and_chinese_without(client, reporter_a, lagging_target):
    english_status, chinese_status = status_labels(lagging_target)
    client.force_login(reporter_a)

    chinese = page(client, reverse("target-list"))
    assert "我的目标" in chinese and chinese_status in chinese
    assert "My targets" not in chinese

    english = page(in_english(client), reverse("target-list"))
    assert "My targets" in english and english_status in english
    assert ">My targets</a>" in english and "Dashboard" in english and "Sign out" in english
    assert "我的目标" not in english and "看板" not in english


def test_dashboard_is_english_with_the_cookie_and_chinese_without(client, official, lagging_target):
    english_status, chinese_status = status_labels(lagging_target)
    client.force_login(official)

    chinese = page(client, reverse("dashboard"))
    assert "目标总数" in chinese and "平均完成进度" in chinese and chinese_status in chinese

    english = page(in_english(client), reverse("dashboard"))
    assert "Total targets" in english and "Average progress" in english and english_status in english
    assert "目标总数" not in english and "平均完成进度" not in english and "口径说明" not in english


def test_target_page_is_english_with_the_cookie_and_chinese_without(client, reporter_a, lagging_target):
    english_status, chinese_status = status_labels(lagging_target)
    client.force_login(reporter_a)
    url = reverse("target-detail", args=[lagging_target.report.code, lagging_target.code])

    chinese = page(client, url)
    assert "填报进度" in chinese and "进度记录" in chinese and chinese_status in chinese

    english = page(in_english(client), url)
    assert "Report progress" in english and "Progress history" in english and english_status in english
    assert "Lead unit" in english and "Report text" in english


def test_english_pages_show_no_chinese_but_the_data(client, reporter_a, lagging_target):
    """Every Chinese character left on an English page is the report's own data (titles, names,
    source text, units) or the name of the Chinese language in the switch."""
    target = lagging_target
    data = [
        target.report.title,
        target.section.title,
        target.name,
        target.source_text,
        target.unit,
        target.lead_department.name,
        target.report.government.name,
        "简体中文",
    ]
    client.force_login(reporter_a)
    in_english(client)
    urls = [
        reverse("target-list"),
        reverse("dashboard"),
        reverse("target-detail", args=[target.report.code, target.code]),
        reverse("record-progress", args=[target.report.code, target.code]),
    ]
    for url in urls:
        text = TAG.sub(" ", page(client, url))
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, " ")
        leftovers = sorted({m.group(0) for m in re.finditer(r"[\u4e00-\u9fff]+", text)})
        assert leftovers == [], f"{url}: untranslated text — run makemessages and translate the new entries"
