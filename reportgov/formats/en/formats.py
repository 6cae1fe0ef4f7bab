# Staff switch languages freely: a date typed the Chinese way is still a date.
DATE_FORMAT = "N j, Y"
SHORT_DATE_FORMAT = "Y-m-d"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y年%m月%d日", "%Y/%m/%d", "%m/%d/%Y"]
