# Django's own zh_Hans list spells the Chinese date "%Y年%n月%j日", which strptime reads as
# whitespace and day-of-year; "%m"/"%d" accept "9" as well as "09".
DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = "Y-m-d"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y年%m月%d日", "%Y/%m/%d", "%Y.%m.%d"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
