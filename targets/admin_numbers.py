"""Django admin's decimal columns written as people write them (8, 100,000, 3.5), not as stored
(8.0000): a change list shows a DecimalField with all its decimal places. The text is
targets.units.format_number, the one rule every page uses.

Use: `class CheckpointAdmin(NumbersAsWrittenMixin, admin.ModelAdmin): ...`; the list's decimal fields
are shown through it, sorted by the field as before."""

import functools

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .units import format_number


@functools.cache
def _as_written(model, name):
    field = model._meta.get_field(name)

    @admin.display(description=field.verbose_name, ordering=name)
    def display(obj):
        return format_number(getattr(obj, name))

    display.__name__ = name  # the column's CSS class stays column-<name>
    return display


def _decimal(model, name) -> bool:
    if not isinstance(name, str):
        return False
    try:
        return isinstance(model._meta.get_field(name), models.DecimalField)
    except FieldDoesNotExist:  # a method or an admin attribute
        return False


class NumbersAsWrittenMixin:
    def get_list_display(self, request):
        return [_as_written(self.model, n) if _decimal(self.model, n) else n for n in super().get_list_display(request)]
