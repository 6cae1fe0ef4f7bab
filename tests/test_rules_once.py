"""Rules written once (issue 18): "at most" is named only where the rule is defined; the ceiling's
bullet label and its bar read the same limit (an approved adjustment's); the status groups live in
targets.choices; the stacked status bars are written by one template."""

import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse

from supervision import services as supervision_services
from targets.choices import BEHIND_ORDER, BEHIND_STATUSES, Direction, Kind, Status

from . import builders

TODAY = datetime.date(2026, 11, 27)
ROOT = Path(__file__).resolve().parent.parent
# Where "at most" is defined: the vocabulary, the figures' SQL, and the drafting rules that read the
# report's words (以内, 不超过 …) into it and offer them in the draft's review form.
DEFINED_IN = {"targets/choices.py", "targets/figures.sql", "drafting/extract.py", "drafting/forms.py"}


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def test_at_most_is_named_only_where_the_rule_is_defined():
    named = set()
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT).as_posix()
        if path.suffix not in {".py", ".html", ".sql", ".js"} or relative.startswith((".venv/", "tests/", "var/")):
            continue
        if "/migrations/" in relative or relative.startswith("bench/"):
            continue
        if re.search(r"AT_MOST|['\"]at_most['\"]", path.read_text(encoding="utf-8", errors="replace")):
            named.add(relative)
    assert named == DEFINED_IN


def test_a_ceiling_is_told_by_its_direction_and_nothing_else(db):
    assert [direction for direction in Direction if direction.is_ceiling] == [Direction.AT_MOST]
    assert builders.target(direction=Direction.AT_MOST, unit="%", target_value=4).is_ceiling
    assert not builders.target(code="T-at-least").is_ceiling


def test_status_groups_are_defined_once_in_targets_choices():
    assert frozenset(BEHIND_ORDER) == BEHIND_STATUSES
    assert [status for status in Status if status.is_behind] == sorted(BEHIND_ORDER, key=list(Status).index)


@pytest.fixture
def jobless(report, dept_a, reporter_a):
    target = builders.target(
        report,
        code="M07",
        kind=Kind.MAIN_INDICATOR,
        name="城镇登记失业率",
        unit="%",
        target_value=4,
        direction=Direction.AT_MOST,
        lead=dept_a,
    )
    builders.entry(target, "2026-11-20", 4.2, user=reporter_a)
    return target


def test_a_ceilings_bullet_label_and_laggard_row_read_the_adjusted_limit(
    client, official, supervisor, reporter_a, jobless
):
    client.force_login(official)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'aria-label="城镇登记失业率：实际 4.2%，上限 4%"' in page
    laggards = page.split('id="laggards"', 1)[1].split("</section>", 1)[0]
    assert "4.2%" in laggards and str(Status.BREACHED.label) in laggards  # the value, not % complete
    extension = supervision_services.request_extension(
        user=reporter_a, target=jobless, requested_target_value=4.5, reason="受疫情影响"
    )
    supervision_services.decide_extension(user=supervisor, extension=extension, approve=True)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'aria-label="城镇登记失业率：实际 4.2%，上限 4.5%"' in page


def test_the_status_mix_bars_come_from_one_template(client, official, jobless):
    client.force_login(official)
    page = client.get(reverse("dashboard")).content.decode()
    big = re.search(r'<svg class="mix-chart big"[^>]*aria-label="([^"]*)"', page)
    assert big and big.group(1) == f"全部目标的状态分布：{Status.BREACHED.label} 1"
    segment = '<rect class="mix-segment status-breached" x="0.0" y="0" width="100.0" height="10">'
    assert f"{segment}<title>{Status.BREACHED.label} 1</title></rect>" in page
    assert page.count('class="mix-chart') == 2  # the whole report and its one department


@pytest.mark.parametrize(("reported_on", "stale"), [("2026-10-29", False), ("2026-10-28", True)])
def test_a_department_is_stale_by_the_same_30_days_as_its_targets(
    client, official, report, dept_a, reporter_a, reported_on, stale
):
    target = builders.target(report, code="A1.1.09", lead=dept_a)
    builders.entry(target, reported_on, 1, user=reporter_a)
    client.force_login(official)
    response = client.get(reverse("dashboard"))
    board = response.context["board"]
    assert board.departments[0].is_stale is stale
    assert (board.stale_total == 1) is stale  # 29 days old on 2026-11-27 is not stale, 30 days is
    assert ('class="num stale"' in response.content.decode()) is stale
