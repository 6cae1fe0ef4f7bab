import functools

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceIterator

from . import roles, selectors
from .choices import Kind, Status
from .models import Department, SearchSynonym, Section, Target

# The choice of every value, instead of django-filter's "---------".
ALL = _("全部")


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

    def __len__(self):
        # Django's counts the queryset with a query of its own.
        return len(self.field.listed()) + (self.field.empty_label is not None) + (self.field.null_label is not None)


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
    """我的目标's filters (and the 台账's, which takes the same parameters). The sections and departments
    offered are those of the targets being filtered (the user's own: a reporter who sees 12 targets is
    offered their sections and units, not the report's every one), each list read in one query."""

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    section = ListedModelChoiceFilter(
        label=_("章节"), queryset=Section.objects.none(), method="in_section", empty_label=ALL
    )
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=Kind.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices, empty_label=ALL)
    department = ListedModelChoiceFilter(
        label=_("责任单位"), queryset=Department.objects.none(), method="of_department", empty_label=ALL
    )
    practical_task = django_filters.NumberFilter(label=_("实事序号"), field_name="practical_tasks__no", min_value=1)

    class Meta:
        model = Target
        fields = ["q", "section", "kind", "status", "department", "practical_task"]

    def __init__(self, *args, report=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._search_words = {}
        sections = Section.objects.none()
        departments = Department.objects.none()
        if report and user:
            offered_sections, offered_departments = _offered(roles.read_scope(user), report.pk, report.government_id)
            sections = Section.objects.filter(pk__in=RawSQL(*offered_sections)).order_by("order")  # one report's
            departments = Department.objects.filter(pk__in=RawSQL(*offered_departments))
        for name, queryset in (("section", sections), ("department", departments)):
            self.filters[name].queryset = queryset
            self.form.fields[name].queryset = queryset

    def figures_read(self) -> tuple:
        """The figures of with_progress the chosen filters read (the status filter reads the status)."""
        return ("status",) if self.is_bound and self.is_valid() and self.form.cleaned_data.get("status") else ()

    def sections(self):
        """The sections offered, by id, as the section filter lists them (one query for both): each row's is one."""
        return {section.pk: section for section in self.form.fields["section"].listed()}

    def search(self, queryset, name, value):
        # A short name (GDP, 固投) also finds what the report writes for it (targets.SearchSynonym).
        found = Q(code__iexact=value)
        if value not in self._search_words:  # read once, for the list and for its count
            self._search_words[value] = SearchSynonym.objects.search_words(value)
        for word in self._search_words[value]:
            found |= Q(name__icontains=word) | Q(source_text__icontains=word)
        return queryset.filter(found)

    def in_section(self, queryset, name, section):
        # A part or an area takes in every sub-section below it.
        return queryset.filter(Q(section=section) | Q(section__parent=section) | Q(section__parent__parent=section))

    def of_department(self, queryset, name, department):
        supports = Target.co_departments.through.objects.filter(target=OuterRef("pk"), department=department)
        return queryset.filter(Q(lead_department=department) | Exists(supports))


@functools.lru_cache(maxsize=1024)
def _offered(scope, report_id, government_id):
    """The ids of the sections and the departments TargetFilter offers for the targets of report
    `report_id` (of government `government_id`) in a roles.read_scope, as two SQL queries with their
    parameters, read when the lists are. Compiled once per scope and report, from nothing but these
    arguments: building and compiling them over the scope took twice the time PostgreSQL took
    to run them, on every page."""
    # The report's targets in scope, without their figures (the filtered queryset carries them: as
    # a subquery of each list it was planned and compiled again).
    targets = selectors.targets_in_scope(scope=scope, report=report_id)
    # A part or an area is offered when a target lies anywhere below it (as in_section filters).
    below = Q(section=OuterRef("pk")) | Q(section__parent=OuterRef("pk")) | Q(section__parent__parent=OuterRef("pk"))
    sections = Section.objects.filter(Exists(targets.filter(below)), report=report_id)
    # Those leading or supporting one, as two lists of ids (as two Exists over the scope, PostgreSQL
    # took 1.8 ms to plan the query, and 0.8 ms this way).
    supporting = Target.co_departments.through.objects.filter(target__in=targets.values("pk")).values("department")
    departments = Department.objects.filter(
        Q(pk__in=targets.values("lead_department")) | Q(pk__in=supporting),
        # The report's government's departments only: another government's are not this report's.
        government_id=government_id,
    )
    return tuple(offered.order_by().values("pk").query.sql_with_params() for offered in (sections, departments))
