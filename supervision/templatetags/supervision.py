from django import template

from targets import roles, services
from targets.choices import Measure
from targets.models import Target

from .. import cycles

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")

register = template.Library()


@register.filter
def can_supervise(user) -> bool:
    """督查 or admin: sees the 督查 link and the supervision pages."""
    return roles.is_supervisor(user)


@register.filter
def entry_figure(entry, unit=None):
    """What an entry reported, as one short text. Pass the unit when the entry's target is not
    loaded (an entry of a correction chain), to spare a query."""
    return services.entry_figure(entry, entry.target.unit if unit is None else unit)


@register.filter
def evidence_is_image(entry) -> bool:
    """The evidence can be shown inline in the queue (a photo); other files are linked."""
    return bool(entry.evidence) and entry.evidence.name.lower().endswith(IMAGE_SUFFIXES)


@register.filter
def is_decrease(entry) -> bool:
    """A running total reported below the official figure it follows: flagged for the reviewer."""
    official = getattr(entry, "official", None)
    return (
        entry.target.measure == Measure.CUMULATIVE
        and entry.value is not None
        and official is not None
        and official.latest_value is not None
        and entry.value < official.latest_value
    )


@register.inclusion_tag("supervision/todo.html", takes_context=True)
def reporter_todo(context, report):
    """待办 on a reporter's home (我的目标): the reports their department's led targets owe now — due,
    or late with its step of escalation — beside the entries review returned (listed by the page)."""
    user = context["user"]
    department = roles.department_of(user)
    if report is None or department is None or roles.sees_everything(user):
        return {"owed": [], "report": report}
    owed = cycles.obligations(report=report, targets=Target.objects.filter(report=report, lead_department=department))
    return {"owed": [obligation for obligation in owed if obligation.step is not None], "report": report}
