"""Shaanxi (陕西省): 部门综合预算, tables in 元 with 分, narrative codes in brackets ('行政运行（2010601）')."""

NAME = "shaanxi"
PROVINCE = "陕西省"
CITIES = ("西安市", "铜川市", "宝鸡市", "咸阳市", "渭南市", "延安市", "汉中市", "榆林市", "安康市", "商洛市")
