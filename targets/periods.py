"""Reporting periods (填报期): the calendar months of a report's year by default, or quarters with
REPORTGOV_REPORTING_PERIOD_MONTHS=3. A period is closed by recording a ReportingPeriodLock."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _


def months_per_period() -> int:
    return getattr(settings, "REPORTGOV_REPORTING_PERIOD_MONTHS", 1)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        if self.start.month == self.end.month:
            return _("%(year)s年%(month)s月") % {"year": self.start.year, "month": self.start.month}
        return _("%(year)s年%(first)s—%(last)s月") % {
            "year": self.start.year,
            "first": self.start.month,
            "last": self.end.month,
        }

    def __contains__(self, day) -> bool:
        return self.start <= day <= self.end


def period_containing(day: datetime.date, months: int | None = None) -> Period:
    months = months or months_per_period()
    first_month = (day.month - 1) // months * months + 1
    start = datetime.date(day.year, first_month, 1)
    next_month = first_month + months
    following = datetime.date(day.year + (next_month - 1) // 12, (next_month - 1) % 12 + 1, 1)
    return Period(start, following - datetime.timedelta(days=1))


def periods_between(first: datetime.date, last: datetime.date, months: int | None = None) -> list[Period]:
    """The periods that overlap [first, last], in order."""
    periods = []
    day = first
    while day <= last:
        period = period_containing(day, months)
        periods.append(period)
        day = period.end + datetime.timedelta(days=1)
    return periods


def periods_of(report) -> list[Period]:
    return periods_between(report.period_start, report.period_end)
