import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from targets import errors
from targets.choices import ReviewStatus
from targets.forms import LenientDecimalField
from targets.models import Department, ProgressEntry

APPROVE, RETURN = "approve", "return"


class DepartmentFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("牵头单位"),
        queryset=Department.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("全部单位"),
    )


class ReviewForm(forms.Form):
    """审核 one entry: approve, or return with a comment (the service insists on the comment)."""

    decision = forms.ChoiceField(choices=[(APPROVE, _("通过")), (RETURN, _("退回"))])
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=1000, widget=forms.Textarea)


class ClosePeriodForm(forms.Form):
    period_start = forms.DateField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=_("确认关闭"), error_messages={"required": errors.CLOSE_NEEDS_CONFIRMATION})


class ReopenPeriodForm(forms.Form):
    period_start = forms.DateField(widget=forms.HiddenInput)
    department = forms.ModelChoiceField(
        label=_("重新开放给"),
        queryset=Department.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("全部单位"),
    )
    reason = forms.CharField(label=_("重新开放原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenRequestForm(forms.Form):
    """补报申请: which closed period, for whom (supervisors choose; a reporter asks for their own), why."""

    period_start = forms.TypedChoiceField(label=_("填报期"), coerce=datetime.date.fromisoformat)
    department = forms.ModelChoiceField(
        label=_("申请单位"),
        queryset=Department.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("全部单位"),
    )
    reason = forms.CharField(label=_("申请理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, periods, for_supervisor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_start"].choices = [(period.start.isoformat(), period.label) for period in periods]
        if not for_supervisor:
            del self.fields["department"]


class BatchReviewForm(forms.Form):
    """批量通过 / 批量退回 the ticked entries of the queue, with one reason for a return."""

    entries = forms.ModelMultipleChoiceField(
        queryset=ProgressEntry.objects.filter(review_status=ReviewStatus.SUBMITTED),
        error_messages={"required": errors.BATCH_NOTHING_CHOSEN},
    )
    decision = forms.ChoiceField(choices=[(APPROVE, _("批量通过")), (RETURN, _("批量退回"))])
    comment = forms.CharField(label=_("退回原因"), required=False, max_length=1000, widget=forms.Textarea)


class ExtensionRequestForm(forms.Form):
    """延期/调整申请: a later deadline, a changed target value, or both, and why."""

    requested_deadline = forms.DateField(
        label=_("申请完成期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("须晚于当前期限；不申请延期请留空。"),
    )
    requested_target_value = LenientDecimalField(
        label=_("申请目标值"), required=False, help_text=_("不申请调整目标值请留空。")
    )
    reason = forms.CharField(label=_("申请理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_target_value"].percent_allowed = target.unit == "%"
        if target.target_value is None:
            del self.fields["requested_target_value"]
        elif target.unit:
            self.fields["requested_target_value"].label = _("申请目标值（%(unit)s）") % {"unit": target.unit}


class ExtensionDecisionForm(forms.Form):
    """批准/驳回 a request: an extension, or a 补报申请."""

    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("驳回"))])
    comment = forms.CharField(label=_("审批意见"), required=False, max_length=1000, widget=forms.Textarea)


class CircularForm(forms.Form):
    """督查通报 of a month (YYYY-MM) within the report's period, with its 文号 (generated when left empty)."""

    month = forms.RegexField(
        label=_("月份"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", widget=forms.DateInput(attrs={"type": "month"})
    )
    wenhao = forms.CharField(label=_("文号"), required=False, max_length=60)

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report

    def clean_month(self):
        year, month = (int(part) for part in self.cleaned_data["month"].split("-"))
        first = datetime.date(year, month, 1)
        if not (self.report.period_start.replace(day=1) <= first <= self.report.period_end):
            raise forms.ValidationError(errors.CIRCULAR_MONTH_OUTSIDE_REPORT)
        return year, month
