"""The source report masks its years as "20xx"; the living report and the glossary say so once, when
their text still holds such a year, and not otherwise."""

import pytest
from django.urls import reverse

from reader import selectors
from targets.models import GlossaryTerm

NOTE = "报告原文隐去了年份，写作“20xx”"


@pytest.mark.parametrize("text", ["到20xx年达到60平方公里", "20XX年以来", "是20Xx年的2.3倍"])
def test_a_masked_year_is_found_in_any_case_and_any_sentence(text):
    assert selectors.masks_years([text])


@pytest.mark.parametrize("text", ["2026年以来", "20年以来", "xx年", "2x年"])
def test_a_real_year_or_another_number_is_not_a_masked_year(text):
    assert not selectors.masks_years([text])


def test_the_living_report_explains_the_masked_years_once(client, official, report):
    report.text = "各位代表：20xx年以来，我们做好了工作。"
    report.save()
    client.force_login(official)
    page = client.get(reverse("living-report")).content.decode()
    assert page.count(NOTE) == 1


def test_the_living_report_says_nothing_of_masks_when_the_years_are_real(client, official, report):
    report.text = "各位代表：2025年以来，我们做好了工作。"
    report.save()
    client.force_login(official)
    assert NOTE not in client.get(reverse("living-report")).content.decode()


def test_the_glossary_explains_a_masked_year_in_a_definition(client, official, report):
    GlossaryTerm.objects.create(report=report, term="北城区", definition="到20xx年达到60平方公里左右。")
    client.force_login(official)
    page = client.get(reverse("glossary")).content.decode()
    assert page.count(NOTE) == 1


def test_the_glossary_says_nothing_of_masks_when_no_definition_holds_one(client, official, report):
    GlossaryTerm.objects.create(report=report, term="北城区", definition="到2030年达到60平方公里左右。")
    client.force_login(official)
    assert NOTE not in client.get(reverse("glossary")).content.decode()


def test_the_note_is_english_with_the_cookie(client, official, report):
    GlossaryTerm.objects.create(report=report, term="北城区", definition="到20xx年达到60平方公里左右。")
    client.force_login(official)
    client.cookies["django_language"] = "en"
    assert "the source report masks its years as “20xx”" in client.get(reverse("glossary")).content.decode()
