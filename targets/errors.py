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

# Supervision (督查督办): review, reporting periods, extensions.
PERIOD_CLOSED = _("%(start)s 至 %(end)s 的填报期已关闭，不能再新增该期间的填报；如需补报，请联系督查室重新开放。")
PERIOD_CLOSED_REOPEN_FIRST = _("%(start)s 至 %(end)s 的填报期已关闭：请先重新开放该期间并写明原因，再填报。")
PERIOD_ALREADY_CLOSED = _("该填报期已经关闭。")
PERIOD_NOT_CLOSED = _("该填报期没有关闭，无需重新开放。")
PERIOD_NOT_ENDED = _("填报期结束后才能关闭。")
REOPEN_NEEDS_REASON = _("请填写重新开放的原因。")
SUPERVISORS_ONLY = _("只有督查或管理员可以进行此操作。")
ALREADY_REVIEWED = _("该填报已审核，不能重复审核。")
RETURN_NEEDS_COMMENT = _("退回时请填写审核意见，说明需要如何修改。")
CANNOT_REVIEW_OWN_ENTRY = _("不能审核自己填报的进度。")
RESUBMIT_NOT_RETURNED = _("只能重新提交本目标已退回的填报。")
EXTENSION_ASKS_NOTHING = _("请填写申请的完成期限或目标值。")
EXTENSION_NEEDS_REASON = _("请填写申请理由。")
EXTENSION_DEADLINE_NOT_LATER = _("申请的完成期限须晚于当前期限 %(deadline)s。")
EXTENSION_VALUE_UNCHANGED = _("申请的目标值与当前目标值相同。")
EXTENSION_VALUE_NOT_APPLICABLE = _("该目标没有目标值，只能申请延期。")
EXTENSION_ALREADY_PENDING = _("该目标已有待审批的申请，请等待审批结果。")
EXTENSION_ALREADY_DECIDED = _("该申请已审批。")
REJECT_NEEDS_COMMENT = _("驳回时请填写审批意见。")

# Recording (issue 16): numbers as people write them, plausible values, targets nobody types.
EXPONENT_NOT_ALLOWED = _("请直接写出数字，例如 100000，不要用科学计数法（如 1e5）。")
WHOLE_NUMBER_REQUIRED = _("以“%(unit)s”计的数量只能是整数。")
UNUSUAL_VALUE_NEEDS_CONFIRMATION = _(
    "%(value)s 超过%(reference_name)s %(reference)s 的 10 倍，请核对单位和小数点；确认无误请勾选“确认数值无误”。"
)
UNUSUAL_AGAINST_TARGET = _("目标值")
UNUSUAL_AGAINST_PREVIOUS = _("上次填报的")
DERIVED_NOT_RECORDED = _("该目标的完成值由系统根据%(derivation)s计算，不需要填报。")

# Review of correction chains (issue 16).
ENTRY_SUPERSEDED = _("该填报已被 %(latest)s 更正，不能单独审核：请审核最新的一条，审核后本条随之标记为“已被更正”。")

# Reports with a lifecycle, several at once, governments and their departments (issue 19).
DUPLICATE_ALIAS = _("名称和别名不能重复。")
ALIAS_TAKEN = _("该名称或别名已被本级政府的“%(department)s”使用。")
REPORT_NOT_ACTIVE = _("报告“%(report)s”为%(state)s状态，不接受填报。")
TARGET_RETIRED = _("目标 %(code)s 已停用，不接受填报。")
STATE_CHANGE_NOT_ALLOWED = _("报告不能从%(from)s改为%(to)s。")
REOPEN_NEEDS_REASON = _("收官后重新开放须填写原因。")
ONLY_SUPERVISORS_CHANGE_STATE = _("只有督查和管理员可以变更报告状态。")
NOT_IN_REPORT = _("报告“%(report)s”（%(code)s）中没有编号为 %(target)s 的目标，或您无权查看。")
UNKNOWN_REPORT = _("没有代码为 %(code)s 的报告，或您无权查看。")
CLOSE_NEEDS_REVIEW = _("还有 %(count)d 条填报待审核：审核完毕后才能收官。")

# Drafting a report from its text (issue 20).
DRAFT_EMPTY_FILE = _("文件是空的：请上传政府工作报告全文的 .txt 或 .docx 文件。")
DRAFT_NOT_A_REPORT_FILE = _("只能起草 .txt（UTF-8 或 GB18030 编码）或 .docx 格式的报告全文，该文件不是。")
DRAFT_IMAGE = _("这是一张图片，不是报告全文：请上传含文字的 .txt 或 .docx 文件。")
DRAFT_SPREADSHEET = _("这是电子表格，不是报告全文：按工作簿导入请用“从工作簿导入新报告”。")
DRAFT_TOO_LARGE = _("文件超过 %(limit)d MB：政府工作报告全文通常不到 1 MB，请确认没有传错文件。")
DRAFT_DOCX_UNSAFE = _("该 .docx 文件解压后过大、压缩比异常或含不允许的 XML 声明，已拒绝读取。")
DRAFT_DOCX_UNREADABLE = _("无法读取该 .docx 文件，请用 Word 另存为 .docx 后重试。")
DRAFT_NO_OUTLINE = _("没有识别出报告的结构（“一、”“二、”等部分标题），请确认上传的是政府工作报告全文。")
DRAFT_ALREADY_PUBLISHED = _("该草拟台账已发布为报告“%(report)s”，不能再修改。")
DRAFT_NOTHING_ACCEPTED = _("还没有采纳任何目标：请先审核草拟的目标。")
DRAFT_DEPARTMENTS_MISSING = _("还有 %(count)d 个采纳的目标没有指定牵头单位：请逐个指定或采纳建议后再发布。")
DRAFT_PENDING_LEFT = _("还有 %(count)d 个目标未审核（采纳或舍弃）：全部审核后才能发布。")
DRAFT_CLAUSE_NOT_IN_TEXT = _("所选原文不在报告全文中：请在左侧全文中选取一句。")
DRAFT_NOTHING_TO_MERGE = _("这是最后一个目标，没有可与之合并的下一个目标。")
DRAFT_QUANTIFIED_NEEDS_VALUE = _("定量目标需要目标值或目标增速；没有数值请选“定性”。")
DRAFT_REPORT_CODE_TAKEN = _("报告代码 %(code)s 已被使用：请换一个。")

# Supervision's month (issue 22): separation of duties, reopening for a department, batch review.
CANNOT_DECIDE_OWN_REQUEST = _("不能审批自己提出的申请：请由另一位督查或管理员审批。")
REOPEN_NOT_YOUR_DEPARTMENT = _("只能为本单位申请补报。")
REOPEN_ALREADY_PENDING = _("该期间已有待审批的补报申请，请等待审批结果。")
REOPEN_PERIOD_NOT_CLOSED = _("该填报期没有关闭，可以直接填报，无需申请补报。")
CLOSE_NEEDS_CONFIRMATION = _("请确认关闭该填报期。")
BATCH_NOTHING_CHOSEN = _("请勾选要审核的填报。")
CIRCULAR_MONTH_OUTSIDE_REPORT = _("请选择报告期内的月份（YYYY-MM）。")
DRAFT_GOVERNMENT_MISSING = _("该草拟台账的人民政府已不存在：请重新上传并选择人民政府。")

# Search synonyms (issue 21): a short name and the words it stands for.
SYNONYM_TAKEN = _("该简称已有相同的全称。")
SYNONYM_SAME_AS_TERM = _("全称不能与简称相同。")

# The progress import's formats (issue 21): .xlsx, .xls and .ods, each checked for what it claims to be.
WORKBOOK_FORMAT_NOT_ACCEPTED = _(
    "只能导入 .xlsx、.xls 或 .ods 格式的工作簿（Excel、WPS 和 LibreOffice 都能另存为这三种格式）。"
)
WORKBOOK_CONTENT_MISMATCH = _(
    "该文件的内容不是 %(format)s 工作簿（扩展名与内容不符，或文件已损坏）："
    "请用 Excel、WPS 或 LibreOffice 打开后另存为 .xlsx、.xls 或 .ods 再导入。"
)

# An admin's 调整 of a target's goal (issue 22 item 5, targets.adjustments).
ADJUSTMENT_NEEDS_REASON = _("修改目标值或完成期限即为调整目标，须填写调整理由。")
ADJUSTED_VALUE_REQUIRED = _("调整后的目标值不能为空；报告原文的目标值保留不变。")
GOAL_NOT_ADJUSTABLE = _("目标增速和目标上限按报告原文，不能调整；报告数据有误请通过报告更新导入更正。")
