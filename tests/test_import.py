"""Excel import of progress: every row validated like the form, a preview that writes nothing, all or
nothing on commit, idempotent re-imports, and files we refuse to open."""

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from targets import errors, imports
from targets.choices import Direction, Measure, Stage, Status
from targets.models import ProgressEntry

from . import builders

TODAY = datetime.date(2026, 11, 27)
HEADERS = ["编号", "名称", "推进阶段", "填报日期", "本期累计完成值", "本期说明"]


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def workbook(rows, *, sheet="年度任务", headers=HEADERS, extra_sheets=()):
    """An xlsx laid out like the 台账: a header row, then one row per target."""
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本工作簿由测试生成"])
    ws = book.create_sheet(sheet)
    ws.append(headers)
    for row in rows:
        ws.append(row)
    for name, sheet_rows in extra_sheets:
        extra = book.create_sheet(name)
        for row in sheet_rows:
            extra.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def save(tmp_path, content, name="ledger.xlsx"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def row(target, date="2026-06-30", value=None, note="", stage=None):
    return [target.code, target.name, stage, date, value, note]


def messages_of(plan):
    return [(e.sheet, e.row, e.column, e.message) for e in plan.errors]


def test_preview_lists_every_error_with_sheet_row_and_column_and_writes_nothing(tmp_path, report, reporter_a, dept_a):
    target = builders.target(report, code="A1", lead=dept_a)
    builders.entry(target, "2026-05-31", 6, user=reporter_a)
    before = ProgressEntry.objects.count()
    path = save(
        tmp_path,
        workbook(
            [
                row(target, "2026-06-30", "七"),  # not a number
                ["NOPE", "?", None, "2026-06-30", 3, ""],  # unknown code
                row(target, "2025-06-30", 7),  # outside the period
                row(target, "2026-06-30", 5),  # a decrease without a reason
                row(target, "2026/13/01", 7),  # no such date
            ]
        ),
    )

    plan = imports.plan_import(path, user=reporter_a, report=report)

    assert messages_of(plan) == [
        ("年度任务", 2, "本期累计完成值", str(errors.NOT_A_NUMBER)),
        ("年度任务", 3, "编号", str(imports.UNKNOWN_CODE % {"code": "NOPE"})),
        ("年度任务", 4, "填报日期", str(errors.DATE_OUTSIDE_PERIOD % {"start": "2026-01-01", "end": "2026-12-31"})),
        ("年度任务", 5, "更正原因", str(errors.DECREASE_NEEDS_REASON % {"previous": Decimal("6")})),
        ("年度任务", 6, "填报日期", str(imports.BAD_DATE)),
    ]
    assert ProgressEntry.objects.count() == before


def test_a_valid_file_records_every_row_and_moves_the_standing(tmp_path, report, reporter_a, dept_a):
    first = builders.target(report, code="A1", lead=dept_a, target_value=1000)
    second = builders.target(report, code="A2", lead=dept_a, direction=Direction.QUALITATIVE, target_value=None)
    path = save(
        tmp_path,
        workbook([row(first, "2026-10-31", "1,000"), row(second, datetime.date(2026, 10, 31), None, "开工", "推进中")]),
    )
    plan = imports.commit_import(path, user=reporter_a, report=report)

    assert plan.ok and len(plan.items) == 2
    # Counted as the form's entries are: pending review when the report requires it.
    assert builders.standing(first, include_pending=True).latest_value == Decimal("1000")
    assert builders.standing(first, include_pending=True).status == Status.DONE
    assert builders.standing(second, include_pending=True).latest_stage == Stage.IN_PROGRESS
    entry = ProgressEntry.objects.get(target=second)
    assert (entry.note, entry.created_by) == ("开工", reporter_a)
    assert entry.review_status == ("submitted" if report.review_required else "approved")


def test_one_bad_row_imports_nothing_at_all(tmp_path, report, reporter_a, dept_a):
    good = builders.target(report, code="A1", lead=dept_a)
    bad = builders.target(report, code="A2", lead=dept_a)
    path = save(tmp_path, workbook([row(good, "2026-06-30", 3), row(bad, "2026-06-30", -1)]))

    plan = imports.commit_import(path, user=reporter_a, report=report)

    assert messages_of(plan) == [("年度任务", 3, "本期累计完成值", str(errors.NEGATIVE_VALUE))]
    assert not ProgressEntry.objects.exists()


def test_the_batch_service_rolls_back_everything_when_a_row_fails_under_the_lock(report, reporter_a, dept_a):
    from targets import services

    target = builders.target(report, code="A1", lead=dept_a)
    items = [
        services.ProgressItem(target=target, reported_on=datetime.date(2026, 3, 31), value=Decimal(2), key=1),
        services.ProgressItem(target=target, reported_on=datetime.date(2026, 4, 30), value=Decimal(1), key=2),
    ]
    with pytest.raises(services.BatchInvalid) as invalid:
        services.record_progress_batch(user=reporter_a, items=items)
    assert list(invalid.value.problems) == [2]
    assert not ProgressEntry.objects.exists()


def test_a_batch_correction_supersedes_the_row_before_it_in_the_same_file(tmp_path, report, reporter_a, dept_a):
    target = builders.target(report, code="A1", lead=dept_a)
    headers = [*HEADERS, "更正原因"]
    path = save(
        tmp_path,
        workbook(
            [row(target, "2026-03-31", 4) + [""], row(target, "2026-04-30", 3) + ["三月多报了一座"]], headers=headers
        ),
    )

    imports.commit_import(path, user=reporter_a, report=report)

    march, april = ProgressEntry.objects.filter(target=target).order_by("reported_on")
    assert april.supersedes == march and april.correction_reason == "三月多报了一座"
    assert builders.standing(target, include_pending=True).latest_value == Decimal(3)


def test_reimporting_the_same_file_adds_nothing(tmp_path, report, reporter_a, dept_a):
    target = builders.target(report, code="A1", lead=dept_a)
    path = save(tmp_path, workbook([row(target, "2026-06-30", 3, "一季度"), row(target, "2026-09-30", 5, "二季度")]))
    imports.commit_import(path, user=reporter_a, report=report)

    again = imports.commit_import(path, user=reporter_a, report=report)

    assert again.ok and again.items == [] and len(again.skipped) == 2
    assert ProgressEntry.objects.filter(target=target).count() == 2


def test_a_row_of_another_departments_target_is_rejected(tmp_path, report, reporter_a, target_b):
    path = save(tmp_path, workbook([row(target_b, "2026-06-30", 3)]))

    plan = imports.commit_import(path, user=reporter_a, report=report)

    assert messages_of(plan) == [("年度任务", 2, "", str(errors.NOT_YOUR_TARGET))]
    assert not ProgressEntry.objects.exists()


def test_columns_are_found_by_header_not_position_and_other_sheets_are_ignored(tmp_path, report, reporter_a, dept_a):
    target = builders.target(report, code="A1", lead=dept_a, unit="%", target_value=50, measure=Measure.LEVEL)
    headers = ["本期说明", "增速（%）", "本期累计完成值", "填报日期", "名称", " 编 号 "]
    content = workbook(
        [["好", None, "12.5%", "2026年6月30日", target.name, target.code]],
        sheet="我的导出",
        headers=headers,
        extra_sheets=[("名词解释", [["名词", "解释"], ["五年目标", "……"]])],
    )

    plan = imports.plan_import(save(tmp_path, content), user=reporter_a, report=report)

    assert plan.ok and plan.sheets == ["我的导出"]
    (item,) = plan.items
    assert (item.value, item.reported_on, item.note) == (Decimal("12.5"), datetime.date(2026, 6, 30), "好")


def test_the_ledger_workbook_round_trips(tmp_path, report, reporter_a, dept_a, admin_user):
    from ledger.workbook import write_ledger

    target = builders.target(report, code="A1", lead=dept_a, kind="annual_task")
    out = tmp_path / "台账.xlsx"
    write_ledger(out, user=admin_user, report=report, as_of=TODAY)
    book = openpyxl.load_workbook(out)
    sheet = book["年度任务"]
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=headers.index("填报日期") + 1, value=datetime.date(2026, 10, 31))
    sheet.cell(row=2, column=headers.index("本期累计完成值") + 1, value=7)
    book.save(out)

    plan = imports.commit_import(out, user=reporter_a, report=report)

    assert plan.ok and [(i.target, i.value) for i in plan.items] == [(target, Decimal(7))]


# --- Files we refuse to open ------------------------------------------------------------------


def zip_of(parts: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_part(content: bytes, name: str, data: bytes) -> bytes:
    """`content` (an xlsx) with one part replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(content))
    return zip_of({**{info.filename: source.read(info) for info in source.infolist()}, name: data})


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol3;</t></si></sst>"""


NOT_AN_XLSX = errors.WORKBOOK_CONTENT_MISMATCH % {"format": ".xlsx"}


def malicious_files(target):
    valid = workbook([row(target, "2026-06-30", 3)])
    return {
        "zip bomb": (
            with_part(valid, "xl/media/padding.bin", b"\0" * (2 * 1024 * 1024)),
            imports.ZIP_BOMB,
        ),
        "entity expansion": (with_part(valid, "xl/workbook.xml", BILLION_LAUGHS), imports.XML_DTD),
        "renamed exe": (b"MZ\x90\x00\x03" + b"\0" * 4000, NOT_AN_XLSX),
        "zip without a workbook": (zip_of({"hello.txt": b"hi"}), NOT_AN_XLSX),
        "oversized": (b"PK\x03\x04" + b"\0" * (imports.MAX_FILE_BYTES + 1), imports.FILE_TOO_LARGE),
    }


@pytest.mark.parametrize("kind", ["zip bomb", "entity expansion", "renamed exe", "zip without a workbook", "oversized"])
def test_a_malicious_file_is_refused_with_a_clean_chinese_error(
    tmp_path, report, reporter_a, dept_a, kind, monkeypatch
):
    monkeypatch.setattr(imports, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    target = builders.target(report, code="A1", lead=dept_a)
    content, message = malicious_files(target)[kind]
    if kind == "oversized":
        message = message % {"limit": imports.MAX_FILE_BYTES // (1024 * 1024)}

    with pytest.raises(imports.WorkbookRejected) as rejected:
        imports.plan_import(save(tmp_path, content), user=reporter_a, report=report)

    assert rejected.value.message == str(message)
    assert not ProgressEntry.objects.exists()


def test_a_compression_ratio_far_beyond_any_real_workbook_is_refused(tmp_path, report, reporter_a, dept_a):
    target = builders.target(report, code="A1", lead=dept_a)
    content = with_part(workbook([row(target)]), "xl/media/padding.bin", b"\0" * (3 * 1024 * 1024))
    with pytest.raises(imports.WorkbookRejected) as rejected:
        imports.check_workbook(save(tmp_path, content))
    assert rejected.value.message == str(imports.ZIP_BOMB)


def test_too_many_rows_are_refused(tmp_path, report, reporter_a, dept_a, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    target = builders.target(report, code="A1", lead=dept_a)
    path = save(tmp_path, workbook([row(target, "2026-06-30", n) for n in range(1, 30)]))
    with pytest.raises(imports.WorkbookRejected) as rejected:
        imports.plan_import(path, user=reporter_a, report=report)
    assert rejected.value.message == str(imports.TOO_MANY_ROWS % {"limit": 5})


# --- The staff pages --------------------------------------------------------------------------


def upload(client, content, name="台账.xlsx"):
    return client.post(reverse("progress-import"), {"workbook": SimpleUploadedFile(name, content)})


def test_upload_previews_then_confirm_records_all_rows(client, report, reporter_a, dept_a):
    target = builders.target(report, code="A1", lead=dept_a)
    client.force_login(reporter_a)

    preview = upload(client, workbook([row(target, "2026-06-30", 3, "半年")]))

    assert preview.status_code == 200
    assert "确认导入 1 行" in preview.content.decode()
    assert not ProgressEntry.objects.exists()
    confirmed = client.post(reverse("progress-import-confirm"))
    assert confirmed.status_code == 302
    assert ProgressEntry.objects.get().note == "半年"


def test_preview_page_shows_errors_and_offers_no_confirm(client, report, reporter_a, dept_a):
    target = builders.target(report, code="A1", lead=dept_a)
    client.force_login(reporter_a)

    page = upload(client, workbook([row(target, "2026-06-30", "abc")])).content.decode()

    assert str(errors.NOT_A_NUMBER) in page and "本期累计完成值" in page
    assert reverse("progress-import-confirm") not in page
    assert client.post(reverse("progress-import-confirm")).status_code == 200  # the errors again, nothing stored
    assert not ProgressEntry.objects.exists()


@pytest.mark.parametrize("kind", ["zip bomb", "entity expansion", "renamed exe"])
def test_the_upload_page_answers_a_malicious_file_with_its_message(
    client, report, reporter_a, dept_a, kind, monkeypatch
):
    monkeypatch.setattr(imports, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    target = builders.target(report, code="A1", lead=dept_a)
    content, message = malicious_files(target)[kind]
    client.force_login(reporter_a)

    response = upload(client, content)

    assert response.status_code == 200
    assert str(message) in response.content.decode()


def test_an_oversized_upload_is_refused_before_it_is_read(client, report, reporter_a, target_a, monkeypatch):
    monkeypatch.setattr(imports, "MAX_FILE_BYTES", 1024)
    client.force_login(reporter_a)
    response = upload(client, b"PK\x03\x04" + b"\0" * 2048)
    assert str(imports.FILE_TOO_LARGE % {"limit": 0}) in response.content.decode()


def test_another_user_cannot_confirm_someone_elses_upload(client, report, reporter_a, supervisor, dept_a):
    target = builders.target(report, code="A1", lead=dept_a)
    client.force_login(reporter_a)
    upload(client, workbook([row(target, "2026-06-30", 3)]))

    client.force_login(supervisor)  # a new session: nothing pending for this user
    response = client.post(reverse("progress-import-confirm"))

    assert response.status_code == 302 and response["Location"] == reverse("progress-import")
    assert not ProgressEntry.objects.exists()


def test_officials_and_outsiders_cannot_import(client, report, official, outsider):
    for person in (official, outsider):
        client.force_login(person)
        assert client.get(reverse("progress-import")).status_code == 403


# --- The command line -------------------------------------------------------------------------


def test_import_progress_command_dry_run_writes_nothing_then_imports(tmp_path, report, reporter_a, dept_a):
    target = builders.target(report, code="A1", lead=dept_a)
    path = save(tmp_path, workbook([row(target, "2026-06-30", 3)]))
    out = io.StringIO()

    call_command("import_progress", str(path), user=reporter_a.username, dry_run=True, stdout=out)
    assert "可导入 1 行" in out.getvalue() and not ProgressEntry.objects.exists()

    call_command("import_progress", str(path), user=reporter_a.username, stdout=io.StringIO())
    assert ProgressEntry.objects.get().created_by == reporter_a


def test_import_progress_command_fails_with_the_row_errors(tmp_path, report, reporter_a, target_b):
    path = save(tmp_path, workbook([row(target_b, "2026-06-30", 3)]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_progress", str(path), user=reporter_a.username, stderr=err, stdout=io.StringIO())
    assert str(errors.NOT_YOUR_TARGET) in err.getvalue()
    assert not ProgressEntry.objects.exists()
