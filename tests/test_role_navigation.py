"""The header offers each role only what it may open: every link of the navigation and the user menu
answers 200 for the one who sees it, an official sees neither 我的目标 nor 导入进度, and the target
list is titled for the role (我的目标 for a reporter, 全部目标 for those who read every department's)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from . import builders


class HeaderLinks(HTMLParser):
    """The links of the page header's navigation and user menu, as (text, href) in page order."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._header_depth = 0  # open elements inside <header>
        self._href = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "header" or self._header_depth:
            self._header_depth += tag not in {"input", "meta", "br", "img"}
        if self._header_depth and tag == "a":
            self._href, self._text = attrs.get("href"), ""

    def handle_endtag(self, tag):
        if self._header_depth and tag == "a" and self._href is not None:
            self.links.append((self._text.strip(), self._href))
            self._href = None
        if self._header_depth:
            self._header_depth -= 1

    def handle_data(self, data):
        if self._href is not None:
            self._text += data


def header_links(response):
    parser = HeaderLinks()
    parser.feed(response.content.decode())
    # The brand links home, which sends each role on to its daily page (followed below).
    return [(text, href) for text, href in parser.links if href != reverse("home")]


def page_title(response):
    html = response.content.decode()
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0].strip()


@pytest.fixture
def people(reporter_a, supervisor, official, admin_user):
    return {"reporter": reporter_a, "supervisor": supervisor, "official": official, "admin": admin_user}


@pytest.fixture
def ledger(report, dept_a, reporter_a):
    target = builders.target(report, code="A1.1.01", lead=dept_a)
    builders.entry(target, "2026-10-31", 4, user=reporter_a)
    return target


@pytest.mark.parametrize("role", ["reporter", "supervisor", "official", "admin"])
def test_every_header_link_a_role_sees_answers_200_for_that_role(client, people, ledger, role):
    client.force_login(people[role])
    landing = client.get(reverse("home"), follow=True)
    assert landing.status_code == 200
    links = header_links(landing)
    assert links, "the header shows no links"
    for text, href in links:
        response = client.get(href)
        assert response.status_code == 200, f"{role}: {text} ({href}) answered {response.status_code}"


def test_an_official_sees_no_my_targets_and_no_import_link(client, official, ledger):
    client.force_login(official)
    links = dict(header_links(client.get(reverse("dashboard"))))
    assert "导入进度" not in links
    assert "我的目标" not in links
    assert links["全部目标"] == reverse("target-list")
    assert "督查" not in links
    assert page_title(client.get(reverse("target-list"))) == "全部目标"
    target_page = client.get(reverse("target-detail", args=[ledger.report.code, ledger.code])).content.decode()
    assert f'<p class="crumbs"><a href="{reverse("target-list")}">全部目标</a>' in target_page


def test_a_reporter_sees_my_targets_and_the_import_link_but_not_supervision(client, reporter_a, ledger):
    client.force_login(reporter_a)
    links = dict(header_links(client.get(reverse("dashboard"))))
    assert links["我的目标"] == reverse("target-list")
    assert links["导入进度"] == reverse("progress-import")
    assert "督查" not in links
    assert "管理后台" not in links
    assert page_title(client.get(reverse("target-list"))) == "我的目标"


def test_a_supervisor_sees_all_targets_the_import_link_and_supervision(client, supervisor, ledger):
    client.force_login(supervisor)
    links = dict(header_links(client.get(reverse("dashboard"))))
    assert links["全部目标"] == reverse("target-list")
    assert links["导入进度"] == reverse("progress-import")
    assert links["督查"] == reverse("supervision:index")


def test_the_signed_out_are_offered_only_the_login(client, ledger):
    response = client.get(reverse("login"))
    assert [text for text, _href in header_links(response)] == ["登录"]
