"""Beijing (北京市): 预算01表…预算14表; often published as 附件1 情况说明 + 附件2 报表 (two files)."""

NAME = "beijing"
PROVINCE = "北京市"
CITIES = ()
TITLE_SYNONYMS = {"general_budget": ["一般公共预算财政拨款支出表"]}
