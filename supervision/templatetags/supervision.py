from django import template

from targets import roles, services

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
