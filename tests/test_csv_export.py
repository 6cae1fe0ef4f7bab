"""The CSV download of 我的目标 (issue 21): Excel on a Chinese Windows opens it as UTF-8 because it starts
with a byte-order mark, and its numbers read as people write them (8, 100000; not 8.0000 or 1E+5)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from . import builders

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def download(client, export_format):
    return client.get(reverse("target-list"), {"_export": export_format, "as_of": TODAY.isoformat()})


def test_the_csv_starts_with_a_byte_order_mark_and_writes_numbers_without_trailing_zeros(
    client, report, reporter_a, dept_a
):
    target = builders.target(report, code="A1", lead=dept_a, name="新建肉菜市场", target_value=100000, unit="元")
    builders.entry(target, "2026-06-30", 8, user=reporter_a)
    client.force_login(reporter_a)

    response = download(client, "csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:2] == ["编号", "名称"]
    (row,) = rows
    line = dict(zip(header, row, strict=True))
    assert (line["编号"], line["名称"], line["目标"], line["最新值"]) == ("A1", "新建肉菜市场", "100000", "8")
    assert not any(cell.endswith(".0000") or "E+" in cell for cell in row)
