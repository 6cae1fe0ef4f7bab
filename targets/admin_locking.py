"""Optimistic locking for Django admin: two people editing the same row, the second to save gets a
conflict, not a silent overwrite of the first one's change.

No version column is needed: the version is a digest of the row as the database holds it (every
editable field and the members of each many-to-many relation). The change form carries the digest
of the row it was opened on in a hidden field; on save the row is locked (SELECT … FOR UPDATE,
inside the transaction Django admin wraps each save in) and its digest compared. Two saves at the
same moment are serialised by the lock, so the second one always sees the first one's change.

Use: `class TargetAdmin(OptimisticLockMixin, admin.ModelAdmin): ...` (the mixin first).
"""

import hashlib
import json

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

VERSION_FIELD = "_row_version"
EDITED_MEANWHILE = _(
    "保存失败：您打开此页面之后，已有其他人修改了这条记录。为避免覆盖他人的修改，本次保存未生效。"
    "请重新打开页面，核对最新内容后再修改。"
)


def row_version(model, pk, *, lock=False) -> str | None:
    """The digest of the row `pk` of `model` as stored now (None if it is gone). With `lock`, the
    row stays locked until the surrounding transaction ends."""
    manager = model._default_manager
    rows = manager.select_for_update() if lock else manager.all()
    # What a person edits: pointers the app keeps itself (editable=False, such as a target's latest
    # entry, moved by every recorded progress) are no one's edit and must not cause a conflict.
    columns = [field.attname for field in model._meta.concrete_fields if field.editable]
    values = rows.filter(pk=pk).values(*columns).first()
    if values is None:
        return None
    for field in model._meta.many_to_many:
        values[field.name] = sorted(
            getattr(model, field.name)
            .through.objects.filter(**{field.m2m_field_name(): pk})
            .values_list(field.m2m_reverse_name(), flat=True)
        )
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def locked_form(base):
    """`base` (a ModelForm class) with the hidden version and the check against the locked row. A
    POST without the version (not sent by the rendered page) is refused like a stale one."""

    class OptimisticLockForm(base):
        _row_version = forms.CharField(widget=forms.HiddenInput, required=False)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.pk is not None:
                self.initial[VERSION_FIELD] = row_version(type(self.instance), self.instance.pk)

        def clean(self):
            cleaned = super().clean()
            posted = self.data.get(self.add_prefix(VERSION_FIELD))
            if self.instance.pk is not None:
                # Locked until admin's transaction commits the save (or rolls back).
                current = row_version(type(self.instance), self.instance.pk, lock=True)
                if posted != current:
                    raise ValidationError(EDITED_MEANWHILE, code="edited_meanwhile")
            return cleaned

    OptimisticLockForm.__name__ = base.__name__
    return OptimisticLockForm


class OptimisticLockMixin:
    """For a ModelAdmin: the change form refuses to save over a change made since it was opened."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = locked_form(kwargs.get("form", self.form))
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], VERSION_FIELD]}), *rest]
