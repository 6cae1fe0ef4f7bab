import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .choices import Kind, Status
from .models import Department, Section, Target


class TargetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    section = django_filters.ModelChoiceFilter(label=_("章节"), queryset=Section.objects.none(), method="in_section")
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=Kind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices)
    department = django_filters.ModelChoiceFilter(
        label=_("责任单位"), queryset=Department.objects.all(), method="of_department"
    )
    practical_task = django_filters.NumberFilter(label=_("实事序号"), field_name="practical_tasks__no", min_value=1)

    class Meta:
        model = Target
        fields = ["q", "section", "kind", "status", "department", "practical_task"]

    def __init__(self, *args, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        sections = Section.objects.filter(report=report) if report else Section.objects.none()
        self.filters["section"].queryset = sections
        self.form.fields["section"].queryset = sections

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__iexact=value) | Q(name__icontains=value) | Q(source_text__icontains=value))

    def in_section(self, queryset, name, section):
        # A part or an area takes in every sub-section below it.
        return queryset.filter(Q(section=section) | Q(section__parent=section) | Q(section__parent__parent=section))

    def of_department(self, queryset, name, department):
        supports = Target.co_departments.through.objects.filter(target=OuterRef("pk"), department=department)
        return queryset.filter(Q(lead_department=department) | Exists(supports))
