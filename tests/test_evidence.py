"""佐证材料 downloads: evidence is read through a view that applies the target's visibility, as an
attachment with its type and nosniff, handed to nginx or Apache when configured; nothing is served
as /media/, and the old /media/ links lead to the checked download."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from targets.choices import ReviewStatus
from targets.evidence import CONTENT_TYPES
from targets.forms import EVIDENCE_TYPES
from targets.models import ProgressEntry

from . import builders

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a scanned approval\n"


def client_of(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def recorded(reporter_a, target_a):
    """Reporter A records progress with a PDF through the progress form; the stored entry."""
    response = client_of(reporter_a).post(
        reverse("record-progress", args=[target_a.report.code, target_a.code]),
        {"reported_on": "2026-11-20", "value": "7", "evidence": SimpleUploadedFile("批复.pdf", PDF)},
    )
    assert response.status_code == 302
    return ProgressEntry.objects.get(target=target_a)


def evidence_links(page):
    return re.findall(r'href="([^"]*/evidence/[^"]*)"', page.content.decode())


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_target_pages_link_downloads_the_file_as_an_attachment_with_nosniff(reporter_a, target_a, recorded):
    client = client_of(reporter_a)
    page = client.get(reverse("target-detail", args=[target_a.report.code, target_a.code]))
    assert evidence_links(page) == [reverse("evidence", args=[recorded.pk])]
    response = client.get(evidence_links(page)[0])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E6%89%B9%E5%A4%8D.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == PDF


def test_an_anonymous_visitor_is_sent_to_the_login_page(recorded):
    response = Client().get(reverse("evidence", args=[recorded.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_reporter_of_another_department_gets_404(reporter_b, recorded):
    assert client_of(reporter_b).get(reverse("evidence", args=[recorded.pk])).status_code == 404


def test_a_supervisor_downloads_from_the_review_queue(supervisor, reporter_b, report, target_b):
    report.review_required = True
    report.save()
    entry = builders.entry(
        target_b,
        datetime.date(2026, 6, 30),
        3,
        user=reporter_b,
        status=ReviewStatus.SUBMITTED,
        evidence=SimpleUploadedFile("验收.pdf", PDF),
    )
    client = client_of(supervisor)
    queue = client.get(reverse("supervision:review-queue"))
    assert evidence_links(queue) == [reverse("evidence", args=[entry.pk])]
    response = client.get(evidence_links(queue)[0])
    assert response.status_code == 200 and body(response) == PDF


def test_an_entry_without_evidence_and_an_id_beyond_any_row_are_404(reporter_a, target_a, recorded):
    bare = builders.entry(target_a, datetime.date(2026, 11, 21), 8, user=reporter_a)
    client = client_of(reporter_a)
    assert client.get(reverse("evidence", args=[bare.pk])).status_code == 404
    assert client.get(reverse("evidence", args=[10**30])).status_code == 404
    assert client.get(reverse("evidence", args=[recorded.pk])).status_code == 200


def test_an_old_media_link_leads_to_the_checked_download(reporter_a, reporter_b, recorded):
    old_link = f"/media/{recorded.evidence.name}"
    response = client_of(reporter_a).get(old_link)
    assert response.status_code == 302 and response["Location"] == reverse("evidence", args=[recorded.pk])
    assert client_of(reporter_b).get(old_link).status_code == 404
    anonymous = Client().get(old_link)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


def test_nothing_under_media_root_is_served_as_media_even_with_debug_on(settings, admin_user, recorded):
    settings.DEBUG = True
    stray = settings.MEDIA_ROOT / "evidence" / "stray.pdf"
    stray.write_bytes(PDF)
    client = client_of(admin_user)
    assert client.get("/media/evidence/stray.pdf").status_code == 404
    assert client.get("/media/evidence/\x00.pdf").status_code == 404
    assert client.get(f"/media/{recorded.evidence.name}").status_code == 302


def test_with_nginx_the_transfer_is_handed_to_it_by_x_accel_redirect(settings, reporter_a, recorded):
    settings.REPORTGOV_SENDFILE = "nginx"
    response = client_of(reporter_a).get(reverse("evidence", args=[recorded.pk]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/internal-evidence/evidence/test/A1.1.01/%E6%89%B9%E5%A4%8D.pdf"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_with_apache_the_transfer_is_handed_to_it_by_x_sendfile(settings, reporter_a, recorded):
    settings.REPORTGOV_SENDFILE = "apache"
    response = client_of(reporter_a).get(reverse("evidence", args=[recorded.pk]))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Sendfile"].endswith("/evidence/test/A1.1.01/%E6%89%B9%E5%A4%8D.pdf")
    assert response["X-Sendfile"].startswith(str(settings.MEDIA_ROOT))


def test_every_kind_of_evidence_the_form_accepts_has_its_content_type():
    assert set(CONTENT_TYPES) == set(EVIDENCE_TYPES)
