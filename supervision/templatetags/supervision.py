from django import template

from targets import roles
from targets.tables import format_number

register = template.Library()


@register.filter
def can_supervise(user) -> bool:
    """督查 or admin: sees the 督查 link and the supervision pages."""
    return roles.is_supervisor(user)


@register.filter
def entry_figure(entry, unit=None):
    """What an entry reported, as one short text: the stage, the value, the growth rate. Pass the
    unit when the entry's target is not loaded (a superseded entry), to spare a query."""
    parts = []
    if entry.stage:
        parts.append(str(entry.get_stage_display()))
    if entry.value is not None:
        parts.append(f"{format_number(entry.value)} {entry.target.unit if unit is None else unit}".strip())
    if entry.growth_rate is not None:
        parts.append(f"{format_number(entry.growth_rate)}%")
    return " · ".join(parts) or "—"
