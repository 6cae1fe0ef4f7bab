"""Bad input, thrown by hypothesis at the progress form and the JSON API: text, huge numbers,
NaN/Infinity, negatives, full-width digits, dates far past and future, 10 000-character notes,
HTML and script. The answer is always a Chinese error or a safely stored value — never a 500,
never markup sent back unescaped. Each such property is paired with one that sends valid values of the
same fields (dates in the period, values and growth rates as staff type them, any text, every stage)
and proves they are stored exactly. Uploads: oversized, wrong type, a renamed executable → a clean
Chinese error and nothing stored.

Zip bombs, XML bombs (billion laughs, external entities) and oversized workbooks for the Excel
import are proved by the import's own tests: tests/test_import.py
(test_a_malicious_file_is_refused_with_a_clean_chinese_error,
test_a_compression_ratio_far_beyond_any_real_workbook_is_refused,
test_an_oversized_upload_is_refused_before_it_is_read)."""

import datetime
import decimal
import json
import logging
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.models import ApiToken
from targets import errors
from targets.choices import Direction, Stage
from targets.models import ProgressEntry

from . import builders

pytestmark = pytest.mark.django_db

FAST = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MARKUP = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '"><script>alert(document.cookie)</script>',
    "javascript:alert(1)",
    "<iframe src=//evil.example>",
    "{{ request.user }}{% debug %}",
    "'; DROP TABLE targets_target; --",
    "\x00\x01\x1f",
    "‮evil",
]
NUMBERS = [
    "NaN", "nan", "-NaN", "Infinity", "-Infinity", "inf", "1e400", "-1e400", "1e15", "999999999999999.99999",
    "-5", "-0", "0", "１２３４", "１，２００", "12.5%", "1,200", "  42  ", "0x1F", "1_000", "٣", "Ⅻ", "1e-400",
    "3.14159265358979323846264338327950288", "١٢", "--1", "1..2", "%", "",
]  # fmt: skip
DATES = [
    "2026-02-30", "0001-01-01", "0000-01-01", "2026-13-01", "99999-01-01", "9999-12-31", "２０２６-０３-３１",
    "2026/03/31", "31.03.2026", "", "today", "2026-03-31T00:00:00", "1900-01-01",
]  # fmt: skip

numbers = st.one_of(
    st.sampled_from(NUMBERS),
    st.text(max_size=45),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
dates = st.one_of(
    st.sampled_from(DATES),
    st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(datetime.date.isoformat),
    st.text(max_size=30),
)
notes = st.one_of(
    st.sampled_from(MARKUP),
    st.text(max_size=300),
    st.builds(lambda piece, n: (piece * n)[:10_000], st.sampled_from(["注", "<b>x</b>", "a"]), st.just(10_000)),
    st.builds(lambda m: "进展顺利 " + m, st.sampled_from(MARKUP)),
)

# Valid input of the same fields: every property that accepts an error for a field is paired with
# one proving that correct values of that field are stored exactly.
FULL_WIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def as_typed(number: decimal.Decimal, way: str) -> str:
    """A number as staff type it: plain, with thousands separators, in full-width digits, padded."""
    plain = format(number, "f")
    return {
        "plain": plain,
        "separated": f"{number:,}",
        "full-width": plain.translate(FULL_WIDTH),
        "padded": f" {plain} ",
    }[way]


TYPED_WAYS = st.sampled_from(["plain", "separated", "full-width", "padded"])
valid_dates = st.dates(
    min_value=datetime.date(2026, 1, 1), max_value=min(datetime.date.today(), datetime.date(2026, 12, 31))
)
# Plausible values of the level target below (500 亿元: up to 10× without a confirmation), 4 places kept.
valid_values = st.decimals(min_value=0, max_value=5000, places=4, allow_nan=False, allow_infinity=False)
# Growth rates as the column keeps them: 2 places.
valid_growth_rates = st.decimals(min_value=-100, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
valid_texts = st.one_of(
    st.sampled_from([markup for markup in MARKUP if "\x00" not in markup]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=300),
)

CJK = re.compile(r"[\u4e00-\u9fff]")
ALERT = re.compile(r'role="alert">(?:\s*<[^>]+>)*\s*[^<]*[\u4e00-\u9fff]')


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def form_client(reporter_a, target_a):
    client = Client(raise_request_exception=False)
    client.force_login(reporter_a)
    return client


def assert_escaped(page: str, submitted: str):
    """Whatever markup was submitted does not come back as markup."""
    for payload in MARKUP:
        if payload in submitted and "<" in payload:
            assert payload not in page, payload


def assert_stored_safely(entry: ProgressEntry, target):
    assert entry.reported_on <= timezone.localdate()
    assert target.period_start <= entry.reported_on <= target.deadline
    if entry.value is not None:
        assert entry.value.is_finite() and abs(entry.value) < decimal.Decimal("1e15")
        assert entry.value >= 0  # target_a is not a ceiling target
    assert len(entry.note) <= 2000


@FAST
@given(reported_on=dates, value=numbers, note=notes, reason=notes)
def test_the_progress_form_answers_any_input_with_an_error_or_a_safe_entry(
    form_client, target_a, reported_on, value, note, reason
):
    url = reverse("record-progress", args=[target_a.report.code, target_a.code])
    data = {"reported_on": reported_on, "value": value, "note": note, "correction_reason": reason}
    before = ProgressEntry.objects.count()
    response = form_client.post(url, data)
    unreadable = any("\x00" in text for text in data.values())  # refused whole, before any view (a 400)
    assert response.status_code in ((400,) if unreadable else (200, 302)), response.status_code
    if response.status_code == 400:
        assert "无法处理" in response.content.decode()
        assert ProgressEntry.objects.count() == before
    elif response.status_code == 200:
        page = response.content.decode()
        assert ALERT.search(page), "a form sent back without a Chinese error"
        assert_escaped(page, note + reason)
        assert ProgressEntry.objects.count() == before
    else:
        assert ProgressEntry.objects.count() == before + 1
        entry = ProgressEntry.objects.latest("id")
        assert_stored_safely(entry, target_a)
        assert entry.note == note.strip() or entry.note == note
        page = form_client.get(reverse("target-detail", args=[target_a.report.code, target_a.code])).content.decode()
        assert_escaped(page, note + reason)


@pytest.fixture
def level_and_growth(dept_a):
    """A fresh target like M01 (达到500亿元，增长15%) for each example: nothing recorded before it."""

    def build():
        return builders.target(unit="亿元", lead=dept_a, target_value=500, growth_rate_target=15)

    return build


def assert_stored_exactly(entry, *, reported_on, value, growth_rate, note, reason):
    assert entry.reported_on == reported_on
    assert entry.value == value and entry.growth_rate == growth_rate
    assert (entry.note, entry.correction_reason) == (note.strip(), reason.strip())


@FAST
@given(
    reported_on=valid_dates,
    value=valid_values,
    growth_rate=valid_growth_rates,
    value_way=TYPED_WAYS,
    growth_way=TYPED_WAYS,
    percent=st.booleans(),
    note=valid_texts,
    reason=valid_texts,
)
def test_the_progress_form_stores_any_valid_input_exactly(
    form_client, level_and_growth, reported_on, value, growth_rate, value_way, growth_way, percent, note, reason
):
    target = level_and_growth()
    data = {
        "reported_on": reported_on.isoformat(),
        "value": as_typed(value, value_way),
        "growth_rate": as_typed(growth_rate, growth_way) + ("%" if percent else ""),
        "note": note,
        "correction_reason": reason,
    }
    response = form_client.post(reverse("record-progress", args=[target.report.code, target.code]), data)
    assert response.status_code == 302, response.content.decode()
    entry = ProgressEntry.objects.get(target=target)
    assert_stored_exactly(
        entry, reported_on=reported_on, value=value, growth_rate=growth_rate, note=note, reason=reason
    )


@pytest.fixture
def api_token(reporter_a):
    return ApiToken.objects.issue(user=reporter_a, name="fuzz")[1]


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        numbers,
        dates,
        notes,
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=5,
)
payloads = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "reported_on": st.one_of(dates, json_values),
            "value": st.one_of(numbers, json_values),
            "note": st.one_of(notes, json_values),
            "correction_reason": notes,
            "stage": st.one_of(st.text(max_size=10), json_values),
            "growth_rate": numbers,
        },
    ),
    json_values,
)


@FAST
@given(payload=payloads)
def test_the_api_answers_any_json_with_a_chinese_error_or_a_safe_entry(api_token, target_a, payload):
    url = reverse("api-record-progress", args=[target_a.code])
    before = ProgressEntry.objects.count()
    response = Client(raise_request_exception=False).post(
        url, json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=f"Token {api_token}"
    )
    assert response.status_code in (201, 400), response.status_code
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if response.status_code == 400:
        assert CJK.search(body["error"])
        for messages in body.get("errors", {}).values():
            assert all(CJK.search(message) for message in messages), messages
        assert ProgressEntry.objects.count() == before
    else:
        assert ProgressEntry.objects.count() == before + 1
        assert_stored_safely(ProgressEntry.objects.latest("id"), target_a)


def as_json(number: decimal.Decimal, way: str):
    """A number as a client sends it: a JSON number or any of the typed strings."""
    if way == "number":
        return int(number) if number == number.to_integral_value() else float(number)
    return as_typed(number, way)


JSON_WAYS = st.sampled_from(["number", "plain", "separated", "full-width", "padded"])


@FAST
@given(
    reported_on=valid_dates,
    value=valid_values,
    growth_rate=valid_growth_rates,
    value_way=JSON_WAYS,
    growth_way=JSON_WAYS,
    note=valid_texts,
    reason=valid_texts,
)
def test_the_api_stores_any_valid_json_exactly(
    api_token, level_and_growth, reported_on, value, growth_rate, value_way, growth_way, note, reason
):
    target = level_and_growth()
    payload = {
        "reported_on": reported_on.isoformat(),
        "value": as_json(value, value_way),
        "growth_rate": as_json(growth_rate, growth_way),
        "note": note,
        "correction_reason": reason,
    }
    response = Client(raise_request_exception=False).post(
        reverse("api-record-progress", args=[target.code]),
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {api_token}",
    )
    assert response.status_code == 201, response.json()
    entry = ProgressEntry.objects.get(target=target)
    assert_stored_exactly(
        entry, reported_on=reported_on, value=value, growth_rate=growth_rate, note=note, reason=reason
    )
    assert decimal.Decimal(str(response.json()["entry"]["growth_rate"])) == growth_rate


@pytest.mark.parametrize("stage", Stage.values)
def test_the_api_stores_every_stage_of_a_qualitative_target(api_token, dept_a, stage):
    target = builders.target(lead=dept_a, unit="", direction=Direction.QUALITATIVE, target_value=None)
    response = Client().post(
        reverse("api-record-progress", args=[target.code]),
        json.dumps({"reported_on": min(timezone.localdate(), target.deadline).isoformat(), "stage": stage}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {api_token}",
    )
    assert response.status_code == 201
    assert ProgressEntry.objects.get(target=target).stage == stage


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"\xff\xfe\x00garbage", b"[1,2,3]", b'"text"', b"{" * 5000, b'{"value": 1e999999}', b"null"],
)
def test_the_api_answers_broken_bodies_with_a_chinese_400(api_token, target_a, body):
    response = Client(raise_request_exception=False).post(
        reverse("api-record-progress", args=[target_a.code]),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {api_token}",
    )
    assert response.status_code == 400
    assert CJK.search(response.json()["error"])


# --- Uploads ------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def post_evidence(client, target, upload):
    url = reverse("record-progress", args=[target.report.code, target.code])
    data = {"reported_on": min(timezone.localdate(), target.deadline).isoformat(), "value": "1", "evidence": upload}
    return client.post(url, data)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", EXECUTABLE, errors.FILE_TYPE_NOT_ALLOWED),
        ("report.pdf.exe", EXECUTABLE, errors.FILE_TYPE_NOT_ALLOWED),
        ("page.html", b"<script>alert(1)</script>", errors.FILE_TYPE_NOT_ALLOWED),
        ("drawing.svg", b"<svg onload=alert(1)></svg>", errors.FILE_TYPE_NOT_ALLOWED),
        ("no-extension", PDF, errors.FILE_TYPE_NOT_ALLOWED),
        ("scan.pdf", EXECUTABLE, errors.FILE_CONTENT_MISMATCH),  # a renamed executable
        ("photo.jpg", b"<html><script>alert(1)</script></html>", errors.FILE_CONTENT_MISMATCH),
        ("sheet.xlsx", b"#!/bin/sh\nrm -rf /\n", errors.FILE_CONTENT_MISMATCH),
        ("empty.png", b"", None),  # Django's own "the submitted file is empty", in Chinese
    ],
)
def test_a_wrong_or_disguised_upload_is_refused_with_a_chinese_error(
    form_client, target_a, name, content, message, caplog
):
    caplog.set_level(logging.WARNING, logger="reportgov.security")
    response = post_evidence(form_client, target_a, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    page = response.content.decode()
    assert ALERT.search(page)
    assert not ProgressEntry.objects.exists()
    if message is not None:
        assert str(message) in page
        assert any("upload_rejected" in record.getMessage() for record in caplog.records)


def test_an_oversized_upload_is_refused(form_client, target_a, settings):
    limit = settings.REPORTGOV_EVIDENCE_MAX_MB
    oversized = SimpleUploadedFile("big.pdf", PDF + b"0" * (limit * 1024 * 1024))
    response = post_evidence(form_client, target_a, oversized)
    assert response.status_code == 200
    assert str(errors.FILE_TOO_LARGE % {"limit": limit}) in response.content.decode()
    assert not ProgressEntry.objects.exists()


def test_a_real_pdf_is_accepted_and_stored_under_the_targets_folder(form_client, target_a):
    response = post_evidence(form_client, target_a, SimpleUploadedFile("../../etc/passwd.pdf", PDF))
    assert response.status_code == 302
    entry = ProgressEntry.objects.get()
    assert entry.evidence.name.startswith(f"evidence/{target_a.report.code}/{target_a.code}/")
    assert ".." not in entry.evidence.name


def test_a_request_body_beyond_the_limit_is_refused_cleanly(form_client, target_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    url = reverse("record-progress", args=[target_a.report.code, target_a.code])
    response = form_client.post(url, {"reported_on": "2026-03-31", "value": "1", "note": "注" * 2000})
    assert response.status_code == 400
    assert not ProgressEntry.objects.exists()
