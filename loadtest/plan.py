"""Print the load test's plan as JSON: the reporters with the targets each may record progress on
today, the officials, and today's date. Run with DATABASE_URL pointing at the load test's copy."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reportgov.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.utils import timezone  # noqa: E402

from targets import roles, selectors  # noqa: E402
from targets.choices import Derivation, Direction  # noqa: E402
from targets.models import Report, Target  # noqa: E402
from targets.units import counts_whole_things  # noqa: E402

today = timezone.localdate()
report = Report.objects.current()
reporters = {}
for user in User.objects.filter(groups__name=roles.REPORTER, is_active=True).order_by("username"):
    writable = roles.writable_targets(Target.objects.filter(report=report), user)
    rows = (
        selectors.target_ledger(user=user, report=report, as_of=today, include_pending=True)
        .filter(pk__in=writable.values("pk"), target_value__isnull=False, period_start__lte=today, deadline__gte=today)
        .filter(derivation=Derivation.REPORTED)  # M10 is computed, never typed
        .exclude(direction=Direction.QUALITATIVE)
    )
    # A count of whole things (所, 座 …) moves by whole numbers.
    targets = [
        {"code": t.code, "latest": float(t.latest_value or 0), "step": 1 if counts_whole_things(t.unit) else 0.01}
        for t in rows
    ]
    if targets:
        reporters[user.username] = targets
officials = [
    username for username in ("leader", "supervisor") if User.objects.filter(username=username, is_active=True).exists()
]
plan = {"report": report.code, "today": today.isoformat(), "reporters": reporters, "officials": officials}
json.dump(plan, sys.stdout)
