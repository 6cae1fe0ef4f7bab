"""The 台账 round trip as a reporter makes it (issue 21): download the workbook, fill two rows, let LibreOffice
save it as .xlsx and as .ods, and import each through the upload page (preview, then confirm); and the
督查通报 (issue 22) opens in LibreOffice with its title and figures. Through soffice --headless, which .ci/run
installs; without it these tests fail, they are never skipped."""

import datetime
import html
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from targets import imports
from targets.choices import Status
from targets.models import ProgressEntry, Target

from . import builders, office

D = datetime.date
TODAY = D(2026, 12, 1)
FILLED = {"A1": (D(2026, 11, 30), 6, "肉菜市场完成6座"), "A2": (D(2026, 11, 28), 1200.5, "已改造1200.5万元")}


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture(scope="module")
def libreoffice(tmp_path_factory):
    return office.start(tmp_path_factory)  # one profile for the module


@pytest.fixture
def ledger(report, dept_a, dept_b, reporter_a, reporter_b):
    """发展和改革局 leads A1 and A2 (A1 reported in October); 教育局's B1, done in November, is not the
    reporter's to fill."""
    first = builders.target(report, code="A1", lead=dept_a, name="新建肉菜市场", target_value=10)
    builders.target(report, code="A2", lead=dept_a, name="改造老旧小区", unit="万元", target_value=5000)
    school = builders.target(report, code="B1", lead=dept_b, name="新建学校", unit="所", target_value=2)
    builders.entry(first, "2026-10-31", 4, user=reporter_a)
    builders.entry(school, "2026-11-20", 2, user=reporter_b)
    return report


def downloaded_ledger(client):
    """The reporter's 台账, downloaded by the link on the import page (下载本单位的台账)."""
    page = client.get(reverse("progress-import")).content.decode()
    link = html.unescape(re.search(r'<a class="ledger-download" href="([^"]+)"', page)[1])
    response = client.get(link)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def fill(book):
    """What the reporter types: 填报日期, 本期累计完成值 and 本期说明 in the rows of A1 and A2."""
    filled = set()
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        found = imports.find_header(rows)
        if found is None:
            continue
        header_index, columns = found
        for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
            code = row[columns[imports.CODE]]
            if code in FILLED:
                for header, value in zip((imports.DATE, imports.VALUE, imports.NOTE), FILLED[code], strict=True):
                    sheet.cell(row=number, column=columns[header] + 1, value=value)
                filled.add(code)
    assert filled == set(FILLED)


@pytest.mark.parametrize("saved_as", ["xlsx", "ods"])
def test_a_reporter_fills_the_downloaded_ledger_and_what_libreoffice_saves_imports(
    client, libreoffice, ledger, reporter_a, tmp_path, saved_as
):
    client.force_login(reporter_a)
    book = downloaded_ledger(client)
    fill(book)
    source = tmp_path / "台账.xlsx"
    book.save(source)
    saved = libreoffice.convert(source, saved_as, tmp_path / "saved")

    with saved.open("rb") as handle:
        preview = client.post(reverse("progress-import"), {"workbook": handle})

    assert preview.status_code == 200
    assert "确认导入 2 行" in preview.content.decode()
    filled = ProgressEntry.objects.filter(target__code__in=FILLED, reported_on__gte=D(2026, 11, 1))
    assert not filled.exists()
    assert client.post(reverse("progress-import-confirm")).status_code == 302
    stored = filled.order_by("target__code")
    assert [(e.target.code, e.reported_on, e.value, e.note, e.created_by) for e in stored] == [
        (code, date, Decimal(str(value)), note, reporter_a) for code, (date, value, note) in FILLED.items()
    ]


def test_the_circular_opens_in_libreoffice_with_its_title_and_the_ledgers_figures(
    client, libreoffice, ledger, official, tmp_path
):
    client.force_login(official)
    response = client.get(reverse("supervision:circular"), {"month": "2026-11"})
    assert response.status_code == 200
    source = tmp_path / "督查通报.docx"
    source.write_bytes(b"".join(response.streaming_content))

    text = libreoffice.convert(source, "txt:Text (encoded):UTF8", tmp_path / "text").read_text(encoding="utf-8-sig")

    rows = Target.objects.filter(report=ledger).with_progress(as_of=D(2026, 11, 30))
    done = sum(row.status == Status.DONE for row in rows)
    assert (len(rows), done) == (3, 1)
    assert "督查通报" in text.splitlines()[0]
    assert f"关于{ledger.title}目标任务11月推进情况的通报" in text
    assert f"共{len(rows)}项目标，已完成{done}项" in text
    assert "发展和改革局" in text and "教育局" in text
