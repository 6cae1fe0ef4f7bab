"""A report's text from an uploaded file (.txt or .docx), every other file refused with a reason in
Chinese before any parser sees it: empty, too large, an image, a spreadsheet, a .docx bomb."""

import io
import zipfile

from targets import errors
from targets.imports import MAX_PARTS, MAX_RATIO, MAX_UNCOMPRESSED_BYTES, WorkbookRejected, _refuse_dtd

MAX_FILE_MB = 10
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls, .doc (Office 97–2003)
ZIP_MAGIC = b"PK\x03\x04"
DOCX_MAIN = "word/document.xml"


class NotAReport(Exception):
    """The upload is not a report's text; the message says why."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


def read_upload(name: str, content: bytes) -> str:
    """The text of an uploaded report, or NotAReport."""
    if not content.strip():
        raise NotAReport(errors.DRAFT_EMPTY_FILE)
    if len(content) > MAX_FILE_BYTES:
        raise NotAReport(errors.DRAFT_TOO_LARGE % {"limit": MAX_FILE_MB})
    head = content[:16]
    if head.startswith(IMAGE_MAGIC) or head[4:8] == b"ftyp":  # PNG, JPEG, GIF, BMP, TIFF, WebP, HEIC
        raise NotAReport(errors.DRAFT_IMAGE)
    if head.startswith(ZIP_MAGIC):
        return _docx_text(content)
    if head.startswith(OLE_MAGIC) or name.lower().endswith((".xls", ".xlsx", ".csv", ".ods")):
        raise NotAReport(errors.DRAFT_SPREADSHEET)
    return _plain_text(content)


def _plain_text(content: bytes) -> str:
    if b"\x00" in content:
        raise NotAReport(errors.DRAFT_NOT_A_REPORT_FILE)  # UTF-16 or binary
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(ord(char) < 32 and char not in "\n\r\t\f" for char in text):
            raise NotAReport(errors.DRAFT_NOT_A_REPORT_FILE)
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise NotAReport(errors.DRAFT_NOT_A_REPORT_FILE)


def _docx_text(content: bytes) -> str:
    """The paragraphs of a .docx, read by python-docx after the archive passed the same checks as
    an uploaded workbook (size once inflated, compression ratio, parts, no DTD)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
            if "xl/workbook.xml" in names:
                raise NotAReport(errors.DRAFT_SPREADSHEET)
            if DOCX_MAIN not in names:
                raise NotAReport(errors.DRAFT_NOT_A_REPORT_FILE)
            if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNCOMPRESSED_BYTES:
                raise NotAReport(errors.DRAFT_DOCX_UNSAFE)
            for part in parts:
                if part.file_size > 1024 * 1024 and part.file_size > MAX_RATIO * max(part.compress_size, 1):
                    raise NotAReport(errors.DRAFT_DOCX_UNSAFE)
            for part in parts:
                if part.filename.endswith((".xml", ".rels")):
                    try:
                        _refuse_dtd(archive, part)
                    except WorkbookRejected:
                        raise NotAReport(errors.DRAFT_DOCX_UNSAFE) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError):
        raise NotAReport(errors.DRAFT_DOCX_UNREADABLE) from None
    try:
        document = docx.Document(io.BytesIO(content))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile):
        raise NotAReport(errors.DRAFT_DOCX_UNREADABLE) from None
    return "\n\n".join(paragraph.text for paragraph in document.paragraphs)
