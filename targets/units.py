"""What a target's unit says about its numbers, written once: whether it is a share (its gap is in
个百分点), whether it counts whole things (所, 座, 个 … take whole numbers), and how a gap is named.
Pages, forms, imports and exports read these rules; none restates them."""

from django.utils.translation import gettext_lazy as _

# Shares and rates: their differences are points, not per cent of per cent.
SHARE_UNITS = {"%": _("个百分点"), "‰": _("个千分点")}
# Units of whole things. A count in one of them takes whole numbers; a unit scaled by 万 or 亿
# (万户, 亿元) or a measure (平方米, 公里, 吨) does not. One character each.
WHOLE_THING_UNITS = frozenset("所座个家条处栋件项名人户套辆台部场次批支只间口张块幢届类门站眼孔盏根棵株床")


def is_share(unit: str) -> bool:
    """A percentage or per-mille quantity (现代服务业占比 %, 人口自然增长率 ‰)."""
    return unit in SHARE_UNITS


def counts_whole_things(unit: str) -> bool:
    """A count of whole things (8 所, 10 座): 8.5 所 is not a figure anyone can report."""
    return unit in WHOLE_THING_UNITS


def gap_unit(unit: str) -> str:
    """The unit of a difference between two values of `unit`: 个百分点 for %, else the unit itself."""
    return SHARE_UNITS.get(unit, unit)


GROWTH_GAP_UNIT = SHARE_UNITS["%"]  # a growth rate is a percentage: its gap is in points
