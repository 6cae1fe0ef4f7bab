"""Issue 17, finding 1: a 1.5 KB workbook whose only cells are A1 and XFD1048576 made the reader allocate every cell
between them and abort the process. Every import measures each sheet's declared dimension, farthest cell and cell
count from its XML before the reader opens it, and answers a Chinese error; the server goes on answering."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from targets import errors, imports, report_import
from targets.models import ProgressEntry, Report

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
WIDE = str(imports.SHEET_TOO_LARGE % {"columns": imports.MAX_COLUMNS, "cells": imports.MAX_CELLS})
LONG = str(imports.TOO_MANY_ROWS % {"limit": imports.MAX_ROWS})


def cells_xml(references, *, dimension=None):
    """A sheet's XML with 编号 in the first cell and 'x' in the others; dimension as declared (default A1:last)."""
    rows = "".join(
        f'<row r="{"".join(filter(str.isdigit, ref))}"><c r="{ref}" t="inlineStr"><is><t>{"编号" if n == 0 else "x"}'
        "</t></is></c></row>"
        for n, ref in enumerate(references)
    )
    declared = dimension or f"{references[0]}:{references[-1]}"
    return f'<worksheet xmlns="{MAIN}"><dimension ref="{declared}"/><sheetData>{rows}</sheetData></worksheet>'


def minimal_xlsx(sheet_xml, *, sheet_part="xl/worksheets/sheet1.xml"):
    """The smallest workbook the reader opens: one sheet, inline strings, no styles."""
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{PACKAGE}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{imports.SPREADSHEET_CONTENT_TYPE}"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
            '<sheet name="年度任务" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIPS}/worksheet" Target="/{sheet_part}"/></Relationships>'
        ),
        sheet_part: sheet_xml,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())
    return buffer.getvalue()


def save(tmp_path, content, name="台账.xlsx"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def refusal(path):
    with pytest.raises(imports.WorkbookRejected) as rejected:
        imports.check_workbook(path)
    return rejected.value.message


def upload(client, content, name="台账.xlsx"):
    return client.post(reverse("progress-import"), {"workbook": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("far", ["XFD1048576", "XFD20000"])
def test_the_two_cell_workbook_is_refused_on_the_import_page_and_the_server_keeps_answering(
    client, report, reporter_a, target_a, far
):
    content = minimal_xlsx(cells_xml(["A1", far]))
    assert len(content) < 1600  # the 1.5 KB file of the issue
    client.force_login(reporter_a)

    response = upload(client, content)

    assert response.status_code == 200
    assert WIDE in response.content.decode()
    assert not ProgressEntry.objects.exists()
    assert client.get(reverse("progress-import")).status_code == 200


def test_the_import_page_still_previews_a_small_workbook_of_the_same_shape(client, report, reporter_a, target_a):
    client.force_login(reporter_a)
    response = upload(client, minimal_xlsx(cells_xml(["A1", "B3"])))
    assert response.status_code == 200
    assert WIDE not in response.content.decode()
    assert str(imports.NO_SHEET) in response.content.decode()  # read, and found to lack 填报日期


def test_the_import_command_refuses_the_two_cell_workbook(tmp_path, report, reporter_a):
    path = save(tmp_path, minimal_xlsx(cells_xml(["A1", "XFD1048576"])))
    with pytest.raises(CommandError, match=WIDE):
        call_command("import_progress", str(path), user=reporter_a.username, stdout=io.StringIO())


def test_the_admin_report_import_refuses_the_two_cell_workbook_and_creates_nothing(client, admin_user, report):
    client.force_login(admin_user)
    content = minimal_xlsx(cells_xml(["A1", "XFD1048576"]))

    response = client.post(
        reverse("admin:targets_report_import"),
        {"workbook": SimpleUploadedFile("2027.xlsx", content), "code": "next", "year": 2027},
    )

    assert response.status_code == 200
    assert WIDE in response.content.decode()
    assert not Report.objects.filter(code="next").exists()
    assert client.get(reverse("admin:targets_report_import")).status_code == 200


def test_the_admin_report_import_still_reads_a_workbook_within_the_limits(tmp_path, report):
    book = openpyxl.Workbook()
    book.active.title = "章节"
    book.active.append(["编号", "标题"])
    book.active.append(["3", "三、2027年的主要工作"])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = report_import.plan_report(
        save(tmp_path, buffer.getvalue(), "2027.xlsx"), code="next", year=2027, government=report.government
    )
    assert [error.sheet for error in plan.errors] == ["目标"]  # the outline was read; only the targets are missing


def test_a_far_row_in_the_first_column_is_refused_as_too_many_rows(tmp_path):
    assert refusal(save(tmp_path, minimal_xlsx(cells_xml(["A1", "A20000"])))) == LONG


def test_a_sheet_reaching_exactly_the_limits_is_accepted(tmp_path):
    last = f"{openpyxl.utils.get_column_letter(imports.MAX_COLUMNS)}{imports.MAX_ROWS + imports.HEADER_SEARCH_ROWS}"
    imports.check_workbook(save(tmp_path, minimal_xlsx(cells_xml(["A1", last]))))


def test_one_column_past_the_limit_is_refused(tmp_path):
    past = openpyxl.utils.get_column_letter(imports.MAX_COLUMNS + 1)
    assert refusal(save(tmp_path, minimal_xlsx(cells_xml(["A1", f"{past}2"])))) == WIDE


def test_a_declared_dimension_past_the_limits_is_refused_though_the_cells_are_few(tmp_path):
    assert refusal(save(tmp_path, minimal_xlsx(cells_xml(["A1", "B2"], dimension="A1:XFD1048576")))) == WIDE


def test_cells_without_references_are_placed_as_the_reader_places_them(tmp_path):
    """No r attribute: the next column of the row, so 201 bare cells in one row are 201 columns."""
    bare = "<c/>" * (imports.MAX_COLUMNS + 1)
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData><row>{bare}</row></sheetData></worksheet>'
    assert refusal(save(tmp_path, minimal_xlsx(sheet))) == WIDE
    fits = f'<worksheet xmlns="{MAIN}"><sheetData><row>{"<c/>" * imports.MAX_COLUMNS}</row></sheetData></worksheet>'
    imports.check_workbook(save(tmp_path, minimal_xlsx(fits), "fits.xlsx"))


def test_too_many_cells_are_refused_and_as_many_as_allowed_are_accepted(tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "MAX_CELLS", 4)
    cells = ["A1", "B1", "A2", "B2", "A3"]
    message = str(imports.SHEET_TOO_LARGE % {"columns": imports.MAX_COLUMNS, "cells": 4})
    assert refusal(save(tmp_path, minimal_xlsx(cells_xml(cells)))) == message
    imports.check_workbook(save(tmp_path, minimal_xlsx(cells_xml(cells[:4])), "fits.xlsx"))


def test_a_sheet_is_measured_whatever_its_part_name_root_or_prefix(tmp_path):
    """The reader finds cells by local name in any part the workbook points at."""
    sheet = cells_xml(["A1", "XFD1048576"]).replace("worksheet", "anything")
    prefixed = (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"><x:c r="A1"/></x:row>'
        '<x:row r="9"><x:c r="XFD9"/></x:row></x:sheetData></x:worksheet>'
    )
    assert refusal(save(tmp_path, minimal_xlsx(sheet, sheet_part="xl/media/picture.png"))) == WIDE
    assert refusal(save(tmp_path, minimal_xlsx(prefixed), "prefixed.xlsx")) == WIDE


def test_a_malformed_cell_reference_is_refused_as_unreadable(tmp_path):
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="1A"/></row></sheetData></worksheet>'
    assert refusal(save(tmp_path, minimal_xlsx(sheet))) == str(imports.UNREADABLE)


@pytest.mark.parametrize(
    "name, message",
    [
        ("台账.xlsb", errors.WORKBOOK_FORMAT_NOT_ACCEPTED),
        ("台账", errors.WORKBOOK_FORMAT_NOT_ACCEPTED),
        ("台账.xls", errors.WORKBOOK_CONTENT_MISMATCH % {"format": ".xls"}),
        ("台账.ods", errors.WORKBOOK_CONTENT_MISMATCH % {"format": ".ods"}),
    ],
)
def test_a_workbook_is_read_only_as_the_format_its_name_says_and_its_content_is(
    tmp_path, report, reporter_a, name, message
):
    """The reader picks its format by the file name: .xlsx, .xls and .ods are measured as what they say they
    are (an xlsx renamed .ods is not an .ods); any other name is refused."""
    path = save(tmp_path, minimal_xlsx(cells_xml(["A1", "B2"])), name)
    with pytest.raises(CommandError, match=str(message)):
        call_command("import_progress", str(path), user=reporter_a.username, stdout=io.StringIO())
    imports.check_workbook(save(tmp_path, path.read_bytes(), "台账.xlsx"))
