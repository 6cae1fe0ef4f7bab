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


# How every page, message, export and the admin write a number: the one rule (docs/figures.md).
def format_number(value) -> str:
    """A number as people write it: thousands separated, no trailing zeros, up to four decimals
    ("416.21", "100,000" for 100000.0000 or 1E+5, "8"); "—" when absent."""
    if value is None:
        return "—"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def joined(text: str, unit: str) -> str:
    """A written number and its unit: a percent or permille sign against it (3.5%), a word spaced (8 所)."""
    if not unit:
        return text
    return f"{text}{unit}" if is_share(unit) else f"{text} {unit}"


def with_unit(value, unit: str) -> str:
    """A number with its unit: 416.21 亿元, 3.5%, 0.65 个百分点; "—" when absent."""
    return "—" if value is None else joined(format_number(value), unit)


def percent_text(value) -> str:
    """A percentage figure (进度, 序时, a share), with the one decimal it is computed to: 83.3%, 100.0%
    (the decimal says how precise the figure is, as the columns' 0.0 format does); "—" when absent."""
    return "—" if value is None else f"{value:,.1f}%"
