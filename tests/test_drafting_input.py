"""Files that are not a report's text are refused with a Chinese reason and nothing is created;
each refusal beside a valid file of the same kind that is accepted."""

import io
import zipfile

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from drafting.models import Draft
from targets import errors

from . import builders
from .test_drafting_review import COUNTY


@pytest.fixture
def government(db):
    return builders.government("county", "某县人民政府")


def upload(client, government, name, content):
    return client.post(
        reverse("drafting:upload"),
        {"file": SimpleUploadedFile(name, content), "government": government.pk, "year": 2030},
    )


def refused(response, message):
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert not Draft.objects.exists()


def accepted(response):
    assert response.status_code == 302
    return Draft.objects.get()


def docx_of(text):
    document = docx.Document()
    for paragraph in text.split("\n\n"):
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def with_part(content, name, data):
    """The .docx `content` with one part replaced."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, data if item.filename == name else source.read(item.filename))
    return out.getvalue()


@pytest.fixture
def reviewer(client, supervisor):
    client.force_login(supervisor)
    return client


def test_an_empty_file_is_refused(reviewer, government):
    refused(upload(reviewer, government, "report.txt", b"  \n\n "), errors.DRAFT_EMPTY_FILE)


def test_a_report_in_utf8_text_is_accepted(reviewer, government):
    draft = accepted(upload(reviewer, government, "report.txt", COUNTY.encode()))
    assert draft.text.startswith("2030年某县政府工作报告") and draft.data["targets"]


def test_a_report_in_gb18030_text_is_accepted(reviewer, government):
    draft = accepted(upload(reviewer, government, "report.txt", COUNTY.encode("gb18030")))
    assert "森林覆盖率达到43%" in draft.text


def test_an_image_is_refused(reviewer, government):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    refused(upload(reviewer, government, "report.png", png), errors.DRAFT_IMAGE)
    refused(upload(reviewer, government, "report.txt", b"\xff\xd8\xff\xe0" + b"\x00" * 64), errors.DRAFT_IMAGE)


def test_a_spreadsheet_is_refused(reviewer, government):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "一、2029年工作回顾"
    out = io.BytesIO()
    workbook.save(out)
    refused(upload(reviewer, government, "report.xlsx", out.getvalue()), errors.DRAFT_SPREADSHEET)
    refused(upload(reviewer, government, "report.csv", "编号,名称\n1,新建公园\n".encode()), errors.DRAFT_SPREADSHEET)


def test_a_report_in_docx_is_accepted(reviewer, government):
    draft = accepted(upload(reviewer, government, "report.docx", docx_of(COUNTY)))
    assert "(一)办好教育。新建幼儿园5所" in draft.text
    assert {t["value"] for t in draft.data["targets"]} >= {"210", "43", "5", "80"}


def test_a_file_over_the_limit_is_refused(reviewer, government):
    fifty_mb = COUNTY.encode() + b" " * (50 * 1024 * 1024)
    refused(upload(reviewer, government, "report.txt", fifty_mb), errors.DRAFT_TOO_LARGE % {"limit": 10})


def test_a_docx_bomb_is_refused(reviewer, government):
    valid = docx_of(COUNTY)
    body = zipfile.ZipFile(io.BytesIO(valid)).read("word/document.xml")
    inflated = body.replace(b"</w:body>", b" " * (3 * 1024 * 1024) + b"</w:body>")
    refused(
        upload(reviewer, government, "report.docx", with_part(valid, "word/document.xml", inflated)),
        errors.DRAFT_DOCX_UNSAFE,
    )


def test_a_docx_declaring_entities_is_refused(reviewer, government):
    valid = docx_of(COUNTY)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
        b"<w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    refused(
        upload(reviewer, government, "report.docx", with_part(valid, "word/document.xml", laughs)),
        errors.DRAFT_DOCX_UNSAFE,
    )


def test_a_broken_docx_is_refused(reviewer, government):
    refused(upload(reviewer, government, "report.docx", docx_of(COUNTY)[:2000]), errors.DRAFT_DOCX_UNREADABLE)


def test_a_text_that_is_not_a_report_is_refused(reviewer, government):
    refused(
        upload(reviewer, government, "notes.txt", "会议纪要:请各单位按时报送材料。".encode()), errors.DRAFT_NO_OUTLINE
    )


def test_a_binary_file_is_refused(reviewer, government):
    refused(upload(reviewer, government, "report.txt", b"\x01\x02\x03binary\x00data"), errors.DRAFT_NOT_A_REPORT_FILE)
