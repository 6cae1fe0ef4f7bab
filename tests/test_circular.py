"""督查通报: the monthly circular downloads as a .docx for supervisors and leaders; opened with
python-docx, its paragraphs and its ranking table say what with_progress says at the month's end,
and 环比 what changed since the end of the month before."""

import datetime
import io

import docx
import pytest
from django.urls import reverse

from projects.models import PracticalTask
from supervision import circular
from targets import errors
from targets.choices import ON_TRACK_STATUSES, Status
from targets.models import Target

from . import builders

D = datetime.date
NOVEMBER_END = D(2026, 11, 30)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: D(2026, 12, 1))


@pytest.fixture
def ledger(report, dept_a, dept_b, reporter_a, reporter_b):
    """Two areas of part 三; 发展和改革局 leads three targets (one done in November, one far behind, one
    overdue) and supports 教育局's on-track target; a practical task done in November."""
    part = builders.section(report, "3", "三、2026年主要工作")
    economy = builders.section(report, "3.1", "（一）稳增长", parent=part)
    people = builders.section(report, "3.2", "（二）惠民生", parent=part)
    t = {
        "done": builders.target(report, code="A1", lead=dept_a, name="新建肉菜市场", section_obj=economy),
        "behind": builders.target(report, code="A2", lead=dept_a, name="改造老旧小区", section_obj=economy),
        "overdue": builders.target(
            report, code="A3", lead=dept_a, name="建成停车场", section_obj=people, deadline=D(2026, 6, 30)
        ),
        "b": builders.target(report, code="B1", lead=dept_b, co=[dept_a], name="新建学校", section_obj=people),
    }
    builders.entry(t["done"], "2026-10-31", 8, user=reporter_a)
    builders.entry(t["done"], "2026-11-30", 10, user=reporter_a)
    builders.entry(t["behind"], "2026-10-31", 2, user=reporter_a)
    builders.entry(t["overdue"], "2026-06-30", 4, user=reporter_a)
    builders.entry(t["b"], "2026-10-31", 8, user=reporter_b)
    builders.entry(t["b"], "2026-11-30", 9, user=reporter_b)
    task = PracticalTask.objects.create(report=report, no=3, title="新建肉菜市场10座。")
    task.targets.set([t["done"]])
    return t


def download(client, user, **params):
    client.force_login(user)
    return client.get(reverse("supervision:circular"), params)


def opened(response):
    return docx.Document(io.BytesIO(b"".join(response.streaming_content)))


def test_the_november_circular_says_what_the_ledger_says_on_30_november(client, ledger, report, official):
    response = download(client, official, month="2026-11")
    assert response["Content-Type"] == circular.DOCX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith('duchatongbao-test-2026-11.docx"')
    document = opened(response)
    text = [paragraph.text for paragraph in document.paragraphs]
    assert text[:4] == [
        "督查通报",
        "督查通报〔2026〕11号",
        "2026年11月30日",
        f"关于{report.title}目标任务11月推进情况的通报",
    ]
    rows = {t.code: t for t in Target.objects.filter(report=report).with_progress(as_of=NOVEMBER_END)}
    assert {code: row.status for code, row in rows.items()} == {
        "A1": Status.DONE,
        "A2": Status.FAR_BEHIND,
        "A3": Status.OVERDUE,
        "B1": Status.ON_TRACK,
    }
    on_track = sum(row.status in ON_TRACK_STATUSES for row in rows.values())
    overall = text[5]
    assert overall.startswith(
        f"截至2026年11月30日，{report.title}确定的目标任务共4项目标，已完成1项，正常推进{on_track}项"
    )
    assert "滞后2项（其中逾期未完成1项）" in overall and "正常推进占比50.0%" in overall
    # 环比: the same share on 31 October, from the same computation
    october = {t.code: t.status for t in Target.objects.filter(report=report).with_progress(as_of=D(2026, 10, 31))}
    share_before = 100.0 * sum(status in ON_TRACK_STATUSES for status in october.values()) / 4
    assert f"正常推进占比环比{50.0 - share_before:+.1f}个百分点。" in overall
    assert "一、各领域推进情况" in text and "二、进度滞后的单位和目标" in text and "五、单位考核排名" in text
    assert any(line.startswith("（一）稳增长：共2项目标，已完成1项") for line in text)
    assert "发展和改革局：滞后2项，其中逾期未完成1项。" in text
    assert f"A3 建成停车场（发展和改革局）：逾期未完成，完成进度{rows['A3'].percent_complete:.1f}%" in "\n".join(text)
    assert any(line.startswith("A2 改造老旧小区（发展和改革局）：严重滞后") for line in text)
    assert "为民兴办1件实事已完成1件（10月31日为0件）。" in text
    [table] = document.tables
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0] == list(circular.RANKING_HEADERS)
    # 教育局: B1 on track (led); 发展和改革局: A1 done and B1 supported of 3 led + 1 supported: 1.5 / 3.5
    assert cells[1][:5] == ["1", "教育局", "1", "0", "100.0%"]
    assert cells[2][:5] == ["2", "发展和改革局", "3", "1", "42.9%"]
    assert cells[2][6] == "1"


def test_a_wenhao_is_taken_as_typed_and_any_month_of_the_report_downloads(client, ledger, supervisor):
    document = opened(download(client, supervisor, month="2026-10", wenhao="城督通〔2026〕10号"))
    assert [p.text for p in document.paragraphs][1:3] == ["城督通〔2026〕10号", "2026年10月31日"]


def test_a_month_outside_the_report_or_malformed_is_refused_with_a_message(client, ledger, supervisor):
    for month in ("2025-12", "2026-13", "november"):
        response = download(client, supervisor, month=month)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
    assert str(errors.CIRCULAR_MONTH_OUTSIDE_REPORT) in download(client, supervisor, month="2025-12").content.decode()
    assert download(client, supervisor, month="2026-01").status_code == 200


def test_the_form_offers_last_month(client, ledger, supervisor):
    page = download(client, supervisor).content.decode()
    assert 'value="2026-11"' in page


def test_reporters_cannot_download_it(client, ledger, reporter_a):
    assert download(client, reporter_a, month="2026-11").status_code == 403
