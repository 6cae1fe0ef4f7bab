import decimal
import logging
import re
import unicodedata

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import errors
from .choices import Measure, Stage
from .models import ProgressEntry
from .services import STATE_MOVES

# Rejected uploads are security events (reportgov.security logs them with the request id).
security_log = logging.getLogger("reportgov.security")
MAX_ABS_VALUE = decimal.Decimal("1e15")
EVIDENCE_TYPES = {
    # extension: the leading bytes every such file starts with
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".xlsx": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
}


# A number as people write it: digits with an optional sign and decimal point (after NFKC, the
# thousands separators and a trailing % are taken off). No exponent (1e5), no NaN, no 1_000.
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
EXPONENT = re.compile(r"[0-9.][eE][+-]?[0-9]")
# The columns a typed number is stored in: a number is rounded (half up) to the decimals its column
# keeps, so "9" is a growth rate of 9.00 and 9.456 is stored as 9.46. This is the one place.
VALUE_COLUMN = ProgressEntry._meta.get_field("value")
GROWTH_COLUMN = ProgressEntry._meta.get_field("growth_rate")


def parse_number(text: str, *, percent_allowed: bool, column=VALUE_COLUMN) -> decimal.Decimal:
    """Read a number as staff type it: full-width digits, thousands separators, a trailing %; rounded
    to the decimals of `column` (a DecimalField), and refused beyond what it can hold."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("，", "").replace(" ", "")
    if cleaned.endswith("%"):
        if not percent_allowed:
            raise forms.ValidationError(errors.PERCENT_NOT_ALLOWED, code="percent")
        cleaned = cleaned[:-1]
    if not PLAIN_NUMBER.fullmatch(cleaned):
        message = errors.EXPONENT_NOT_ALLOWED if EXPONENT.search(cleaned) else errors.NOT_A_NUMBER
        raise forms.ValidationError(message, code="invalid")
    limit = min(MAX_ABS_VALUE, decimal.Decimal(10) ** (column.max_digits - column.decimal_places))
    number = decimal.Decimal(cleaned)
    if abs(number) < limit:  # rounded only when in range: quantize cannot hold more digits than its context
        number = number.quantize(decimal.Decimal(1).scaleb(-column.decimal_places), decimal.ROUND_HALF_UP)
    if abs(number) >= limit:
        raise forms.ValidationError(errors.NUMBER_TOO_LARGE, code="max_value")
    return number


class LenientDecimalField(forms.Field):
    """A number field that accepts "1,200", "１２００" and, where the unit is %, "12.5%"."""

    def __init__(self, *, percent_allowed=False, column=VALUE_COLUMN, **kwargs):
        self.percent_allowed = percent_allowed
        self.column = column
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off", "maxlength": "40"}

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if len(text) > 40:
            raise forms.ValidationError(errors.NOT_A_NUMBER, code="invalid")
        return parse_number(text, percent_allowed=self.percent_allowed, column=self.column)


def _rejected(upload, reason, error):
    security_log.warning("upload_rejected reason=%s name=%r size=%s", reason, upload.name[:100], upload.size)
    return error


def validate_evidence(upload):
    limit_mb = settings.REPORTGOV_EVIDENCE_MAX_MB
    if upload.size > limit_mb * 1024 * 1024:
        error = forms.ValidationError(errors.FILE_TOO_LARGE % {"limit": limit_mb}, code="file_size")
        raise _rejected(upload, "file_size", error)
    name = upload.name.lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    if extension not in EVIDENCE_TYPES:
        raise _rejected(upload, "file_type", forms.ValidationError(errors.FILE_TYPE_NOT_ALLOWED, code="file_type"))
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(EVIDENCE_TYPES[extension]):
        error = forms.ValidationError(errors.FILE_CONTENT_MISMATCH, code="file_content")
        raise _rejected(upload, "file_content", error)


# What the value field asks for: a running total, where a level stands now, or this year's total.
VALUE_LABELS = {Measure.CUMULATIVE: _("累计完成值"), Measure.LEVEL: _("当前值"), Measure.ANNUAL: _("本年累计完成值")}


class ProgressForm(forms.Form):
    """Record where a target stands. Parsing happens here; the target's rules live in the service."""

    reported_on = forms.DateField(
        label=_("填报日期"), widget=forms.DateInput(attrs={"type": "text", "placeholder": "2026-09-05"})
    )
    value = LenientDecimalField(label=_("累计完成值"), required=False)
    growth_rate = LenientDecimalField(
        label=_("增速(%)"),
        required=False,
        percent_allowed=True,
        column=GROWTH_COLUMN,
        help_text=_("如 9、9.5% 或 -2.3。"),
    )
    # Needed only when the value is over 10× the target or the last value (services.unusual_reference).
    confirm_unusual = forms.BooleanField(
        label=_("确认数值无误"),
        required=False,
        help_text=_("数值超过目标值或上次填报值的 10 倍时，核对单位和小数点后勾选。"),
    )
    stage = forms.ChoiceField(label=_("推进阶段"), choices=[("", "—"), *Stage.choices], required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    correction_reason = forms.CharField(
        label=_("更正原因"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("累计值低于上次填报时必填。"),
    )
    evidence = forms.FileField(
        label=_("佐证材料"),
        required=False,
        validators=[validate_evidence],
        help_text=_("可选：PDF、JPG、PNG、XLSX、DOCX。"),
    )

    def __init__(self, *args, target, **kwargs):
        # A view may pass initial=None (nothing to resubmit): the date still defaults to today.
        kwargs["initial"] = {"reported_on": timezone.localdate(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.target = target
        self.fields["value"].percent_allowed = target.unit == "%"
        label = VALUE_LABELS[target.measure]
        self.fields["value"].label = (
            _("%(label)s（%(unit)s）") % {"label": label, "unit": target.unit} if target.unit else label
        )
        if target.is_qualitative:
            del self.fields["value"], self.fields["growth_rate"], self.fields["confirm_unusual"]
        else:
            del self.fields["stage"]
            if target.growth_rate_target is None:
                del self.fields["growth_rate"]
            if target.target_value is None:
                del self.fields["value"], self.fields["confirm_unusual"]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "reported_on": data["reported_on"],
            "value": data.get("value"),
            "growth_rate": data.get("growth_rate"),
            "stage": data.get("stage") or "",
            "note": data.get("note", ""),
            "correction_reason": data.get("correction_reason", ""),
            "unusual_confirmed": data.get("confirm_unusual", False),
            "evidence": data.get("evidence"),
        }


class ReportStateForm(forms.Form):
    """报告状态: the state to move a report to (those open from its own: services.STATE_MOVES), and why."""

    state = forms.ChoiceField(label=_("改为"), choices=())
    reason = forms.CharField(
        label=_("原因"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("收官后重新开放时必填。"),
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [(state.value, state.label) for state in STATE_MOVES[report.state]]
