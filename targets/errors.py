"""Messages a user sees when what they entered cannot be stored. Tests reuse these constants."""

from django.utils.translation import gettext_lazy as _

NOT_A_NUMBER = _("请输入数字，例如 1200、1,200 或 12.5。")
PERCENT_NOT_ALLOWED = _("该目标的单位不是百分比，请不要输入“%”。")
NUMBER_TOO_LARGE = _("数值过大，请检查单位。")
NEGATIVE_VALUE = _("完成值不能为负数。")
VALUE_REQUIRED = _("请填写累计完成值。")
GROWTH_REQUIRED = _("请填写增速。")
STAGE_REQUIRED = _("定性目标请选择推进阶段。")
STAGE_NOT_FOR_QUANTITATIVE = _("定量目标请填写完成值，而不是推进阶段。")
GROWTH_NOT_APPLICABLE = _("该目标没有增速要求。")
DATE_IN_FUTURE = _("填报日期不能晚于今天。")
DATE_OUTSIDE_PERIOD = _("填报日期必须在目标期限内（%(start)s 至 %(end)s）。")
DECREASE_NEEDS_REASON = _("本次累计值低于上次填报的 %(previous)s，属于更正，请填写更正原因。")
NOT_YOUR_TARGET = _("只能填报本单位牵头或配合的目标。")
FILE_TOO_LARGE = _("佐证材料不能超过 %(limit)s MB。")
FILE_TYPE_NOT_ALLOWED = _("佐证材料只接受 PDF、图片（JPG、PNG）、Excel（xlsx）和 Word（docx）文件。")
FILE_CONTENT_MISMATCH = _("文件内容与扩展名不符。")
