"""Django admin's date drill-down (`date_hierarchy`) kept inside the calendar.

ChangeList turns `?<field>__year=&__month=&__day=` into a range from that day to the next year, month or day,
catching only the ValueError of a bad date: a year of 10^30 raises OverflowError, and the range of any day of
9999 ends past the last date there is (ValueError or OverflowError), so both gave a 500. Here they are an
incorrect lookup, as a bad date already is: the list asks again with `?e=1`.

Use: `class ProgressEntryAdmin(DateDrillDownInCalendarMixin, admin.ModelAdmin): ...` on every admin with a
date_hierarchy, django-axes' included (tests/test_security_routes.py walks every admin list).
"""

import datetime

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


def check_drill_down(field, params):
    """IncorrectLookupParameters unless the day `params` drill down to on `field` and the end of its range are dates."""
    year, month, day = (params.get(f"{field}__{part}", [None])[-1] for part in ("year", "month", "day"))
    if year is None:
        return
    try:
        first = datetime.date(int(year), int(month or 1), int(day or 1))
    except (ValueError, OverflowError) as error:
        raise IncorrectLookupParameters(error) from error
    if first.year == datetime.MAXYEAR:
        raise IncorrectLookupParameters(f"{field}: the drill-down of {first} would end past {datetime.date.max}")


class DateDrillDownInCalendarChangeList(ChangeList):
    def get_filters(self, request):
        if self.date_hierarchy:
            check_drill_down(self.date_hierarchy, self.filter_params)
        return super().get_filters(request)


class DateDrillDownInCalendarMixin:
    def get_changelist(self, request, **kwargs):
        return DateDrillDownInCalendarChangeList
