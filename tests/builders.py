"""Small builders of test data in code. The report fixtures are tested as data in their own
module; other tests build exactly what they need here."""

import datetime
import itertools
from decimal import Decimal

from django.contrib.auth.models import Group, User

from targets import roles
from targets.choices import Direction, Kind, Measure, ReportState, ReviewStatus
from targets.models import Department, Government, ProgressEntry, Report, Section, StaffProfile, Target
from targets.services import refresh_latest  # noqa: F401  (re-exported for tests)

YEAR = 2026
_sequence = itertools.count(1)


def government(code="test-gov", name="测试区人民政府"):
    return Government.objects.get_or_create(code=code, defaults={"name": name})[0]


def report(code="test", year=YEAR, **fields):
    defaults = {
        "government": fields.pop("government", None) or government(),
        # Reporting open: tests of the states (test_report_lifecycle) build drafts and closed reports.
        "state": ReportState.ACTIVE,
        "title": f"{year}年测试区政府工作报告",
        "year": year,
        "period_start": datetime.date(year, 1, 1),
        "period_end": datetime.date(year, 12, 31),
        "text": "测试报告全文。",
        # New reports require review (the model's default); tests of other concerns build theirs with
        # review off so that a recorded entry counts at once. Review tests pass review_required=True.
        "review_required": False,
    }
    return Report.objects.get_or_create(code=code, defaults={**defaults, **fields})[0]


def section(report_obj, code="3.1.1", title="测试章节", parent=None):
    return Section.objects.get_or_create(
        report=report_obj, code=code, defaults={"title": title, "parent": parent, "order": next(_sequence)}
    )[0]


def department(code, name=None, *, government_obj=None, aliases=()):
    return Department.objects.get_or_create(
        code=code,
        defaults={
            "name": name or f"{code}单位",
            "government": government_obj or government(),
            "aliases": list(aliases),
        },
    )[0]


def target(report_obj=None, *, code=None, lead=None, co=(), section_obj=None, **fields):
    report_obj = report_obj or report()
    year = report_obj.year
    defaults = {
        "name": "新建肉菜市场",
        "unit": "座",
        "kind": Kind.ANNUAL_TASK,
        "direction": Direction.AT_LEAST,
        "measure": Measure.CUMULATIVE,
        "target_value": Decimal("10"),
        "period_start": datetime.date(year, 1, 1),
        "deadline": datetime.date(year, 12, 31),
        "source_text": "新建肉菜市场10座",
    }
    obj = Target.objects.create(
        report=report_obj,
        code=code or f"T{next(_sequence):04d}",
        section=section_obj or section(report_obj),
        lead_department=lead or department("fgw", "发展和改革局"),
        **{**defaults, **fields},
    )
    obj.co_departments.set(co)
    return obj


def entry(target_obj, reported_on, value=None, *, user, status=ReviewStatus.APPROVED, refresh=True, **fields):
    """An entry stored directly (bypassing the service's rules), for setting up history."""
    obj = ProgressEntry.objects.create(
        target=target_obj,
        reported_on=reported_on if isinstance(reported_on, datetime.date) else datetime.date.fromisoformat(reported_on),
        value=None if value is None else Decimal(str(value)),
        review_status=status,
        created_by=user,
        **fields,
    )
    if refresh:
        refresh_latest(target_ids=[target_obj.pk])
    return obj


def person(username, group=None, department_obj=None, **fields):
    user = User.objects.create_user(username=username, password="correct-horse-battery-9", **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if department_obj is not None:
        StaffProfile.objects.create(user=user, department=department_obj)
    return user


def standing(target_obj, as_of=None, include_pending=False):
    """The one computation's answer for one target."""
    return Target.objects.with_progress(as_of=as_of, include_pending=include_pending).get(pk=target_obj.pk)


REPORTER = roles.REPORTER
