"""The central level (中央部门, 部门直属高校): national bodies print the national set of tables."""

NAME = "central"
PROVINCE = ""
CITIES = ()
