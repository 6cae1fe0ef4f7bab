from django import forms
from django.utils.translation import gettext_lazy as _

from targets import errors
from targets.choices import Kind, Measure
from targets.models import Government

from . import extract
from .reading import MAX_FILE_BYTES, MAX_FILE_MB

COMPARATORS = [
    (extract.AT_LEAST, _("≥ 以上")),
    (extract.EQUAL, _("= 完成（不低于）")),
    (extract.MORE, _("> 超过/突破/多/余")),
    (extract.AT_MOST, _("≤ 以内/控制在")),
    (extract.ABOUT, _("≈ 左右")),
    ("", _("定性（无数值）")),
]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("报告全文（.txt 或 .docx）"))
    government = forms.ModelChoiceField(Government.objects.all(), label=_("人民政府"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(errors.DRAFT_TOO_LARGE % {"limit": MAX_FILE_MB})
        return upload


class TargetForm(forms.Form):
    """The reviewer's corrections of one drafted target; values kept as the text writes them."""

    name = forms.CharField(label=_("名称"), max_length=200)
    value = forms.DecimalField(label=_("目标值"), required=False, max_digits=20, decimal_places=4)
    value_max = forms.DecimalField(label=_("目标上限"), required=False, max_digits=20, decimal_places=4)
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    comparator = forms.ChoiceField(label=_("比较"), choices=COMPARATORS, required=False)
    growth_rate = forms.DecimalField(label=_("目标增速(%)"), required=False, max_digits=8, decimal_places=2)
    kind = forms.ChoiceField(label=_("类别"), choices=Kind.choices)
    measure = forms.ChoiceField(label=_("计量方式"), choices=Measure.choices)
    lead_department = forms.ModelChoiceField(None, label=_("牵头单位"), required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_department"].queryset = departments

    def clean(self):
        data = super().clean()
        if data.get("comparator") and data.get("value") is None and data.get("growth_rate") is None:
            raise forms.ValidationError(errors.DRAFT_QUANTIFIED_NEEDS_VALUE)
        return data

    def draft_values(self):
        """The cleaned values as the draft keeps them (numbers as plain strings)."""
        data = self.cleaned_data
        values = {field: data.get(field) for field in ("name", "unit", "comparator", "kind", "measure")}
        for field in ("value", "value_max", "growth_rate"):
            number = data.get(field)
            values[field] = None if number is None else extract._clean_number(format(number, "f"))
        department = data.get("lead_department")
        values["lead_department"] = department.pk if department else None
        return values


class ClauseForm(forms.Form):
    clause = forms.CharField(label=_("所选原文"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class PublishForm(forms.Form):
    code = forms.SlugField(label=_("报告代码"), max_length=40)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
