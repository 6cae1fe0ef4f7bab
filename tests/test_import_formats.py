"""The progress import reads the 台账 saved as .xls (an older WPS or Excel) and .ods (LibreOffice) as it reads
.xlsx (issue 21), with the same limits and errors: each file is checked as what its name says it is, an .ods's
sheets are measured before the reader opens them, and an .xls is read by a child process under a memory limit."""

import datetime
import html
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from targets import errors, imports
from targets.models import ProgressEntry, Report

from . import builders, office
from .test_admin import report_workbook
from .test_import import BILLION_LAUGHS, upload, with_part, zip_of

TODAY = datetime.date(2026, 11, 27)
HEADERS = ["编号", "名称", "推进阶段", "填报日期", "本期累计完成值", "本期说明"]
ROWS = [
    ["A1", "新建肉菜市场", None, datetime.date(2026, 6, 30), 3, "半年"],
    ["A2", "改造老旧小区", None, "2026-10-31", 1200.5, "三季度"],
]


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The same two-row 台账 saved by LibreOffice as .xls and as .ods ({suffix: bytes}), and a new report's
    workbook saved as .ods."""
    libreoffice = office.start(tmp_path_factory)
    folder = tmp_path_factory.mktemp("formats")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "年度任务"
    for row in [HEADERS, *ROWS]:
        sheet.append(row)
    source = folder / "台账.xlsx"
    book.save(source)
    report_source = folder / "2027.xlsx"
    report_source.write_bytes(report_workbook())
    # Three conversions for the whole module: each takes seconds.
    return {
        ".xls": libreoffice.convert(source, "xls", folder / "xls").read_bytes(),
        ".ods": libreoffice.convert(source, "ods", folder / "ods").read_bytes(),
        "report.ods": libreoffice.convert(report_source, "ods", folder / "ods").read_bytes(),
    }


@pytest.fixture
def targets(report, dept_a):
    return [
        builders.target(report, code=code, lead=dept_a, name=name, unit="万元", target_value=10000)
        for code, name, *_ in ROWS
    ]


def refused(response, message):
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert not ProgressEntry.objects.exists()


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_a_ledger_saved_as_xls_or_ods_previews_and_imports_through_the_upload_page(
    client, saved, targets, reporter_a, suffix
):
    client.force_login(reporter_a)

    preview = upload(client, saved[suffix], f"台账{suffix}")

    assert preview.status_code == 200
    assert "确认导入 2 行" in preview.content.decode()
    assert not ProgressEntry.objects.exists()
    assert client.post(reverse("progress-import-confirm")).status_code == 302
    stored = ProgressEntry.objects.order_by("target__code").values_list("target__code", "reported_on", "value", "note")
    assert list(stored) == [
        ("A1", datetime.date(2026, 6, 30), Decimal("3"), "半年"),
        ("A2", datetime.date(2026, 10, 31), Decimal("1200.5"), "三季度"),
    ]


def test_a_new_report_saved_as_ods_imports_through_the_admin_page(admin_client, saved, report, dept_a, dept_b):
    url = reverse("admin:targets_report_import")
    workbook = SimpleUploadedFile("2027.ods", saved["report.ods"])
    arguments = {"code": "next", "year": 2027, "government": report.government.pk}

    checked = admin_client.post(url, {"workbook": workbook, **arguments})

    assert "尚未写入任何数据" in checked.content.decode() and not Report.objects.filter(code="next").exists()
    assert admin_client.post(url, {"confirm": checked.context["token"]}).status_code == 302
    new = Report.objects.get(code="next")
    assert sorted(new.targets.values_list("code", flat=True)) == ["B1", "B2"] and new.sections.count() == 2


# --- .ods: the content.xml measured as calamine lays it out ---------------------------------------


def with_content(ods: bytes, change) -> bytes:
    content = zipfile.ZipFile(io.BytesIO(ods)).read("content.xml").decode()
    changed = change(content)
    assert changed != content
    return with_part(ods, "content.xml", changed.encode())


def repeated(element, attribute, count, *, before=""):
    """A change of content.xml: the first `element` whose text goes on as `before` says, repeated `count` times."""
    return lambda xml: re.sub(
        rf"<table:{element} (?={before})", f'<table:{element} table:{attribute}="{count}" ', xml, count=1
    )


CELLS_REPEATED, ROWS_REPEATED = "number-columns-repeated", "number-rows-repeated"
A_NUMBER, ROW_OF_A1 = 'office:value-type="float"', r"[^>]*><table:table-cell[^>]*><text:p>A1<"
WIDE = imports.SHEET_TOO_LARGE % {"columns": imports.MAX_COLUMNS, "cells": imports.MAX_CELLS}


HOSTILE_ODS = {
    # One filled cell repeated a million times across the row: calamine would write every copy.
    "a filled cell repeated across a million columns": (
        repeated("table-cell", CELLS_REPEATED, 1_000_000, before=A_NUMBER),
        WIDE,
    ),
    "a filled row repeated 20 000 times": (
        repeated("table-row", ROWS_REPEATED, 20_000),
        imports.TOO_MANY_ROWS % {"limit": imports.MAX_ROWS},
    ),
    "a repeat count that is not a number": (
        repeated("table-row", ROWS_REPEATED, "1e9"),
        imports.UNREADABLE,
    ),
    "entity expansion": (
        lambda xml: BILLION_LAUGHS.decode() + xml.partition("?>")[2],
        imports.XML_DTD,
    ),
}


@pytest.mark.parametrize("kind", list(HOSTILE_ODS))
def test_an_ods_past_the_limits_is_refused_with_its_message_before_the_reader_opens_it(
    client, saved, targets, reporter_a, kind
):
    change, message = HOSTILE_ODS[kind]
    client.force_login(reporter_a)
    refused(upload(client, with_content(saved[".ods"], change), "台账.ods"), message)


def test_an_ods_whose_rows_and_cells_repeat_within_the_limits_is_read_as_the_rows_they_stand_for(
    client, saved, targets, reporter_a
):
    """LibreOffice writes the rest of a sheet as one empty row repeated a million times and 16 380 empty cells;
    a filled row repeated twice is two rows (the second the same entry again, skipped)."""
    content = zipfile.ZipFile(io.BytesIO(saved[".ods"])).read("content.xml").decode()
    assert re.search(r'number-rows-repeated="10485\d\d"', content)
    assert re.search(r'number-columns-repeated="163\d\d"', content)
    twice = with_content(saved[".ods"], repeated("table-row", ROWS_REPEATED, 2, before=ROW_OF_A1))
    client.force_login(reporter_a)

    page = upload(client, twice, "台账.ods").content.decode()

    assert "确认导入 2 行" in page and "已存在跳过 1 行" in page


def test_a_padded_ods_is_refused_as_a_zip_bomb(client, saved, targets, reporter_a, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    client.force_login(reporter_a)
    refused(
        upload(client, with_part(saved[".ods"], "Pictures/padding.bin", b"\0" * (2 * 1024 * 1024)), "台账.ods"),
        imports.ZIP_BOMB,
    )


# --- Names and contents ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_of, name, suffix",
    [
        (".ods", "台账.xlsx", ".xlsx"),
        (".xls", "台账.ods", ".ods"),
        (".ods", "台账.xls", ".xls"),
        ("zip", "台账.ods", ".ods"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(
    client, saved, targets, reporter_a, content_of, name, suffix
):
    content = (
        zip_of({"mimetype": b"application/zip", "content.xml": b"<x/>"}) if content_of == "zip" else saved[content_of]
    )
    client.force_login(reporter_a)
    refused(upload(client, content, name), errors.WORKBOOK_CONTENT_MISMATCH % {"format": suffix})


@pytest.mark.parametrize("name", ["台账.csv", "台账.xlsm", "台账"])
def test_a_name_that_is_not_a_workbook_is_refused_by_the_form(client, saved, targets, reporter_a, name):
    client.force_login(reporter_a)
    refused(upload(client, saved[".xls"], name), errors.WORKBOOK_FORMAT_NOT_ACCEPTED)


# --- .xls: read under the child process's limits ----------------------------------------------------


def with_farthest_cell(xls: bytes) -> bytes:
    """The .xls with its first shared-string cell (a LabelSst record: type 0x00FD, 10 bytes) moved to row 65 536,
    column 16 384: calamine would allocate every cell up to it (32 GB) and abort the process reading it."""
    record = xls.find(b"\xfd\x00\x0a\x00")
    assert record > 0
    return xls[: record + 4] + b"\xff\xff\xff\x3f" + xls[record + 8 :]


def test_an_xls_whose_farthest_cell_needs_gigabytes_is_refused_and_the_server_goes_on(
    client, saved, targets, reporter_a
):
    client.force_login(reporter_a)

    refused(
        upload(client, with_farthest_cell(saved[".xls"]), "台账.xls"),
        imports.SHEET_TOO_LARGE % {"columns": imports.MAX_COLUMNS, "cells": imports.MAX_CELLS},
    )

    preview = upload(client, saved[".xls"], "台账.xls")  # the same process answers the next upload
    assert "确认导入 2 行" in preview.content.decode()


def test_an_xls_with_more_rows_than_the_limit_is_refused(client, saved, targets, reporter_a, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 1)
    monkeypatch.setattr(imports, "HEADER_SEARCH_ROWS", 0)
    client.force_login(reporter_a)
    refused(upload(client, saved[".xls"], "台账.xls"), imports.TOO_MANY_ROWS % {"limit": 1})


# --- The upload page ------------------------------------------------------------------------------


def test_the_import_page_links_to_the_users_own_ledger_and_names_the_three_formats(
    client, report, dept_a, dept_b, reporter_a
):
    builders.target(report, code="A1", lead=dept_a)
    builders.target(report, code="B1", lead=dept_b)
    client.force_login(reporter_a)

    page = client.get(reverse("progress-import")).content.decode()

    assert "接受 Excel 工作簿（.xlsx、.xls）和 LibreOffice 表格（.ods）" in page
    assert 'accept=".xlsx,.xls,.ods"' in page
    link = html.unescape(re.search(r'<a class="ledger-download" href="([^"]+)"', page)[1])
    assert link == f"{reverse('ledger-xlsx')}?report={report.code}"
    response = client.get(link)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    codes = {row[0] for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) if row}
    assert "A1" in codes and "B1" not in codes  # the reporter's own targets only
