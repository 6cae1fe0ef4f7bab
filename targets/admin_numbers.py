"""Django admin's decimals written as people write them (8, 100,000, 3.5), not as stored (8.0000): a
change list, a read-only field and a view-only page show a DecimalField with all its decimal places.
The text is targets.units.format_number, the one rule every page uses.

Use: `class CheckpointAdmin(NumbersAsWrittenMixin, admin.ModelAdmin): ...` (an inline takes it too); the
list's decimal columns are shown through it, sorted by the field as before, and so is every decimal
field the change page shows read-only: those in readonly_fields, and all of them on a page the user may
only view. A decimal field the user may edit stays a form field, its value written without trailing
zeros (8, not 8.0000; an input holds no thousands separators)."""

import functools
from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .units import format_number


class _AsWritten:
    """A decimal field's value as written, as admin shows a callable: labelled with the field's
    verbose_name, its CSS class named after the field (column-<name>, field-<name>)."""

    do_not_call_in_templates = True  # a template reads its name, the inline's column-{{ field.name }}

    def __init__(self, field):
        self.name = self.__name__ = field.name
        admin.display(description=field.verbose_name, ordering=field.name)(self)

    def __call__(self, obj):
        return format_number(getattr(obj, self.name))

    def __str__(self):
        return self.name


@functools.cache
def _as_written(model, name):
    return _AsWritten(model._meta.get_field(name))


def _decimal(model, name) -> bool:
    if not isinstance(name, str):
        return False
    try:
        return isinstance(model._meta.get_field(name), models.DecimalField)
    except FieldDoesNotExist:  # a method or an admin attribute
        return False


class PlainNumberInput(forms.NumberInput):
    """A decimal's input holding the number as typed: 8, 100000, 3.5 (Django writes all its decimal places)."""

    def format_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            return format(value.normalize(), "f")
        return super().format_value(value)


class NumbersAsWrittenMixin:
    formfield_overrides = {models.DecimalField: {"widget": PlainNumberInput}}

    def get_list_display(self, request):
        return [_as_written(self.model, n) if _decimal(self.model, n) else n for n in super().get_list_display(request)]

    def _decimals_shown_read_only(self, request, obj):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            readonly = [field.name for field in self.model._meta.fields]  # a view-only page shows every field so
        return [name for name in readonly if _decimal(self.model, name)]

    def get_readonly_fields(self, request, obj=None):
        # The field's name stays (it keeps the field out of the form); its written value is what is shown.
        shown = [_as_written(self.model, name) for name in self._decimals_shown_read_only(request, obj)]
        return [*super().get_readonly_fields(request, obj), *shown]

    def get_fieldsets(self, request, obj=None):
        written = {name: _as_written(self.model, name) for name in self._decimals_shown_read_only(request, obj)}
        seen = set()

        def shown(names):
            line = []
            for name in names:
                if isinstance(name, (list, tuple)):
                    line.append(tuple(shown(name)))
                    continue
                name = written.get(name, name) if isinstance(name, str) else name
                if name not in seen:  # the default fields list the read-only ones again at the end
                    seen.add(name)
                    line.append(name)
            return line

        return [
            (title, {**options, "fields": shown(options["fields"])})
            for title, options in super().get_fieldsets(request, obj)
        ]
