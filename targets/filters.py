import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceIterator

from .choices import Kind, Status
from .models import Department, SearchSynonym, Section, Target

# The filter bar is drawn on every view of 我的目标. Django draws a widget through its template
# engine, a template per <option>: for these six fields that took longer than the page's own
# query. These widgets write the same HTML in Python.


def _attrs(attrs):
    """As django/forms/widgets/attrs.html: in order, True writes the bare name, False nothing."""
    return mark_safe(
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


class PlainInput:
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html('<input type="{}" name="{}"{}{}>', widget["type"], name, value, _attrs(widget["attrs"]))


class TextInput(PlainInput, forms.TextInput):
    pass


class NumberInput(PlainInput, forms.NumberInput):
    pass


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>',
            (
                (option["value"], _attrs(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}\n</select>', name, _attrs(widget["attrs"]), mark_safe(options))


class ListedModelChoiceIterator(ModelChoiceIterator):
    """The choices read with one plain query, kept by the field (Django's iterator reads them
    through a server-side cursor, DECLARE, FETCH and CLOSE, each time they are drawn)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.field.listed():
            yield self.choice(obj)


class ListedModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = ListedModelChoiceIterator

    def listed(self):
        """The queryset's objects, read once for as long as the queryset stays the same."""
        if getattr(self, "_listed_for", None) is not self._queryset:
            self._listed, self._listed_for = list(self._queryset), self._queryset
        return self._listed


class ListedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ListedModelChoiceField


class TargetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search", widget=TextInput)
    section = ListedModelChoiceFilter(
        label=_("章节"), queryset=Section.objects.none(), method="in_section", widget=Select
    )
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=Kind.choices, widget=Select)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices, widget=Select)
    department = ListedModelChoiceFilter(
        label=_("责任单位"), queryset=Department.objects.all(), method="of_department", widget=Select
    )
    practical_task = django_filters.NumberFilter(
        label=_("实事序号"), field_name="practical_tasks__no", min_value=1, widget=NumberInput
    )

    class Meta:
        model = Target
        fields = ["q", "section", "kind", "status", "department", "practical_task"]

    def __init__(self, *args, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        sections = Section.objects.filter(report=report) if report else Section.objects.none()
        self.filters["section"].queryset = sections
        self.form.fields["section"].queryset = sections
        # The report's government's departments only: another government's are not this report's.
        departments = (
            Department.objects.filter(government_id=report.government_id) if report else Department.objects.none()
        )
        self.filters["department"].queryset = departments
        self.form.fields["department"].queryset = departments

    def sections(self):
        """The report's sections by id, as the section filter lists them (one query for both)."""
        return {section.pk: section for section in self.form.fields["section"].listed()}

    def search(self, queryset, name, value):
        # A short name (GDP, 固投) also finds what the report writes for it (targets.SearchSynonym).
        found = Q(code__iexact=value)
        for word in SearchSynonym.objects.search_words(value):
            found |= Q(name__icontains=word) | Q(source_text__icontains=word)
        return queryset.filter(found)

    def in_section(self, queryset, name, section):
        # A part or an area takes in every sub-section below it.
        return queryset.filter(Q(section=section) | Q(section__parent=section) | Q(section__parent__parent=section))

    def of_department(self, queryset, name, department):
        supports = Target.co_departments.through.objects.filter(target=OuterRef("pk"), department=department)
        return queryset.filter(Q(lead_department=department) | Exists(supports))
