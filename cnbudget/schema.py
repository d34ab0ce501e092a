"""Table schemas of the data package: one place that names every column, its type and its unit.

Each resource is a Frictionless Table Schema with Chinese titles and descriptions, primary and
foreign keys, and Fiscal Data Package v1 `columnType` annotations where one fits. The extractor
emits records with exactly these columns, the package writer orders CSV columns by them and the
SQLite loader creates tables from them.
"""

from cnbudget.numbers import MAX_FEN, MAX_YUAN

# Every amount is a signed 64-bit integer of 分 (SQLite's INTEGER), validated in the package too.
FEN_RANGE = {"minimum": -MAX_FEN, "maximum": MAX_FEN}
YUAN_RANGE = {"minimum": -MAX_YUAN, "maximum": MAX_YUAN}

AMOUNT_NOTE = ("单位：元（整数）。原文以万元或亿元印出的数额按原文换算为元；原文印到分的，此列四舍五入到元，"
               "精确值见 amount_fen（分）。")


def field(name, type_, title, description, **extra):
    """One Table Schema field; `extra` carries constraints and columnType."""
    return {"name": name, "type": type_, "title": title, "description": description, **extra}


def required(name, type_, title, description, constraints=None, **extra):
    """A field whose value may not be empty."""
    return field(name, type_, title, description, constraints={"required": True, **(constraints or {})}, **extra)


DOCUMENT_ID = required(
    "document_id", "string", "文档编号",
    "公开文件的编号（源文件名去掉扩展名），例如 2023-panzhihua-xiqu-renda-budget。",
)
FISCAL_YEAR = required(
    "fiscal_year", "integer", "预算年度", "文件所属的预算（决算）年度。",
    columnType="date:fiscal-year",
)
SOURCE_LINE = field(
    "source_line", "integer", "原文行号",
    "该数据所在句子在源文件中的行号（从1开始）；PDF 为抽取文本的行号。",
)
SOURCE_TEXT = field("source_text", "string", "原文句子", "该数据所在的原文句子，原样保留。")
PAGE = field("page", "integer", "页码", "PDF 源文件中的页码（从1开始）；文本源文件为空。")

STATEMENTS = {
    "overview": ("收支总体", "部门收支预算总数（收支总表）。"),
    "income": ("收入预算", "收入预算总数及按资金来源的构成。"),
    "expenditure": ("支出预算", "支出预算总数，按基本支出/项目支出及按功能分类的构成。"),
    "fiscal_appropriation": ("财政拨款收支", "财政拨款收支总预算，收入按资金来源、支出按功能分类。"),
    "general_budget": ("一般公共预算当年拨款", "一般公共预算当年拨款总数及按功能分类“类”的结构。"),
    "function_class": ("一般公共预算支出功能分类", "按政府收支分类科目“类/款/项”列示的一般公共预算支出。"),
    "basic_expenditure": ("一般公共预算基本支出", "基本支出及其人员经费、公用经费构成，或按经济分类的构成。"),
    "economic_class": ("基本支出经济分类", "一般公共预算基本支出按部门预算经济分类科目（类/款）列示，分人员经费、公用经费（PDF 附表）。"),
    "three_public": ("“三公”经费", "“三公”经费财政拨款预算及其各组成部分，含公务用车购置数量。"),
    "government_fund": ("政府性基金预算", "政府性基金预算支出。"),
    "state_capital": ("国有资本经营预算", "国有资本经营预算支出。"),
    "agency_operating": ("机关运行经费", "机关运行经费财政拨款预算。"),
    "procurement": ("政府采购", "政府采购预算及货物、工程、服务等构成。"),
    "assets": ("国有资产占有使用", "车辆、大型设备等国有资产数量及资产价值。"),
    "performance": ("绩效目标", "实行绩效目标管理的项目资金及各项目金额。"),
}

STATEMENT_DESCRIPTION = "数据所属的报表或说明段落，取值及含义：" + "；".join(
    f"{key} = {title}（{text}）" for key, (title, text) in STATEMENTS.items()
) + "。"

SCHEMAS = {
    "documents": {
        "fields": [
            DOCUMENT_ID,
            required("title", "string", "标题", "文件标题（单位名称 + 年度 + 文件类型）。"),
            required("unit_name", "string", "单位名称", "编制预算的部门（单位）名称，原文写法。"),
            field("region", "string", "地区", "单位所在地区，例如 四川省攀枝花市西区。"),
            FISCAL_YEAR,
            required("kind", "string", "文件类型", "部门预算、单位预算、部门决算、单位决算 或 部门综合预算。",
                     **{"constraints": {"enum": ["部门预算", "单位预算", "部门决算", "单位决算", "部门综合预算"]}}),
            field("level", "string", "行政级次", "central（中央）、province（省级）、city（市级）、district（区）、county（县）。",
                  **{"constraints": {"enum": ["central", "province", "city", "district", "county"]}}),
            required("template", "string", "模板", "识别出的地区提示模块（cnbudget/regions）：generic（未知地区，通用读取）、central、beijing、guangdong、shaanxi、shandong、shanghai、sichuan、yunnan。"),
            required("source_file", "string", "源文件", "源文件在 datasets/sources/ 下的路径。"),
            required("sha256", "string", "SHA-256", "源文件的 SHA-256 校验和。",
                     **{"constraints": {"pattern": "[0-9a-f]{64}"}}),
            field("source_url", "string", "原始网址", "源文件的原始发布网址；未知时为空。"),
            field("obtained", "string", "获取方式", "源文件是如何获得的。"),
            field("encoding", "string", "编码", "源文件的字符编码（PDF 为 pdf）。"),
            field("line_count", "integer", "行数", "源文件（或抽取文本）的行数。"),
            field("budget_line_count", "integer", "数据条数", "从该文件抽取的预算数据条数。"),
            field("warning_count", "integer", "警告数", "抽取时无法归类或存疑的数额条数。"),
        ],
        "primaryKey": ["document_id"],
    },
    "budget_lines": {
        "fields": [
            DOCUMENT_ID,
            required("line_id", "integer", "序号", "该条数据在文件内的序号（按出现顺序，从1开始）。"),
            FISCAL_YEAR,
            required("statement", "string", "报表", STATEMENT_DESCRIPTION,
                     **{"constraints": {"enum": list(STATEMENTS)}}),
            required("item", "string", "项目键",
                     "该条数据在报表内的规范化键（英文），跨年度、跨单位比较时用，例如 total、"
                     "reception、personnel；功能分类行为其科目编码或名称。"),
            required("label", "string", "名称", "原文印出的名称，例如 “公务接待费”“一般公共服务支出”。"),
            field("function_code", "string", "功能分类科目编码",
                  "政府收支分类科目编码：类3位、款5位、项7位；名称无法对应时为空并记警告。",
                  columnType="functional-classification:generic:code"),
            field("function_level", "string", "科目级次", "类、款 或 项。",
                  **{"constraints": {"enum": ["类", "款", "项"]}}),
            field("fund_source", "string", "资金来源",
                  "一般公共预算、政府性基金预算、国有资本经营预算、财政拨款、事业收入等。",
                  columnType="fin-source:generic:name"),
            field("expense_type", "string", "支出类型", "基本支出 或 项目支出。"),
            field("economic_class", "string", "经济分类", "人员经费、公用经费，或部门预算经济分类科目名称。",
                  columnType="economic-classification:generic:name"),
            field("project_name", "string", "项目名称", "绩效目标等列示的项目名称。",
                  columnType="project:generic:name"),
            field("amount_yuan", "integer", "金额（元）", AMOUNT_NOTE + "数量类数据（辆、台）此列为空。",
                  columnType="value", constraints=YUAN_RANGE),
            field("amount_fen", "integer", "金额（分）",
                  "原文数额按原文换算为分的精确整数（万元印六位小数、元印到分时也不丢失）；求和请用此列。"
                  "amount_yuan 为其四舍五入到元的值。数量类数据此列为空。", columnType="value",
                  constraints=FEN_RANGE),
            field("phase", "string", "口径",
                  "数额的口径：budget（预算数/年初预算）、adjusted_budget（调整预算/全年预算）、final（决算数）、"
                  "prior_budget（上年预算数）、prior_outturn（上年执行数/决算数）；预算文件的本年数为 budget。",
                  **{"constraints": {"enum": ["budget", "adjusted_budget", "final", "prior_budget", "prior_outturn"]}}),
            field("quantity", "integer", "数量", "车辆、设备等实物数量；金额类数据此列为空。",
                  constraints={"minimum": 0, "maximum": 10**15}),
            field("quantity_unit", "string", "数量单位", "数量的单位，例如 辆、台（套）。"),
            required("amount_text", "string", "原文数额", "原文印出的数额和单位，例如 “644.66万元”“无”。"),
            field("stated_share", "string", "原文占比", "原文印出的占比（例如 88%），原样保留，不重新计算。"),
            PAGE,
            field("table_name", "string", "表名",
                  "数据来自 PDF 附表时的表名，不含年度（例如 部门收入预算总表），以便跨年度对应；来自说明文字时为空。"),
            SOURCE_LINE,
            SOURCE_TEXT,
        ],
        "primaryKey": ["document_id", "line_id"],
        "foreignKeys": [
            {"fields": ["document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}},
            {"fields": ["function_code"], "reference": {"resource": "function_codes", "fields": ["code"]}},
        ],
    },
    "stated_changes": {
        "fields": [
            DOCUMENT_ID,
            required("change_id", "integer", "序号", "该条增减说明在文件内的序号。"),
            FISCAL_YEAR,
            required("prior_year", "integer", "比较年度", "原文比较的上一年度。", columnType="date:fiscal-year"),
            required("statement", "string", "报表", "所说明数据的报表，取值同 budget_lines.statement。"),
            required("item", "string", "项目键", "所说明数据的项目键，取值同 budget_lines.item。"),
            field("function_code", "string", "功能分类科目编码", "所说明数据的科目编码（如有）。"),
            required("label", "string", "名称", "所说明数据的名称（原文写法）。"),
            field("line_id", "integer", "对应数据序号", "所说明的本年数据在 budget_lines 中的序号（如有）。"),
            required("direction", "string", "增减方向", "increase（增加）、decrease（减少）或 flat（持平）。",
                     **{"constraints": {"enum": ["increase", "decrease", "flat"]}}),
            field("change_yuan", "integer", "增减额（元）",
                  "原文所述增减额，增加为正、减少为负、持平为0；只说百分比时为空。" + AMOUNT_NOTE, columnType="value"),
            field("change_pct_text", "string", "原文增减幅度", "原文印出的增减百分比（如有），原样保留。"),
            field("prior_yuan", "integer", "上年数（元）", "原文直接写出的上年数（如有）。" + AMOUNT_NOTE),
            required("change_text", "string", "原文增减表述", "原文的比较表述，例如 “比2022年预算数增加98.58万元”。"),
            field("reason_text", "string", "原因", "原文所述的主要原因（如有）。"),
            PAGE,
            SOURCE_LINE,
            SOURCE_TEXT,
        ],
        "primaryKey": ["document_id", "change_id"],
        "foreignKeys": [
            {"fields": ["document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}},
        ],
    },
    "sections": {
        "fields": [
            DOCUMENT_ID,
            required("section_id", "integer", "序号", "段落在文件内的序号。"),
            required("heading_path", "string", "标题路径", "从顶层到本段的各级标题，以 “ > ” 分隔。"),
            required("heading", "string", "标题", "本段的标题。"),
            required("level", "integer", "层级", "标题层级，1为最高。"),
            field("text", "string", "正文", "本段标题下的正文（不含下级段落）。"),
            required("line_start", "integer", "起始行号", "本段标题所在行号。"),
            required("line_end", "integer", "结束行号", "本段最后一行的行号。"),
        ],
        "primaryKey": ["document_id", "section_id"],
        "foreignKeys": [
            {"fields": ["document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}},
        ],
    },
    "function_codes": {
        "fields": [
            required("code", "string", "科目编码", "政府收支分类科目编码：类3位、款5位、项7位。",
                     **{"constraints": {"pattern": "[0-9]{3}([0-9]{2}){0,2}"}},
                     columnType="functional-classification:generic:code"),
            required("level", "string", "级次", "类、款 或 项。",
                     **{"constraints": {"enum": ["类", "款", "项"]}}),
            required("name", "string", "科目名称", "政府收支分类科目的正式名称。",
                     columnType="functional-classification:generic:label"),
            field("parent", "string", "上级科目", "上级科目编码（款的上级为类，项的上级为款）。"),
            field("variants", "string", "名称变体", "各地公开文件中出现过的其他写法，以 “;” 分隔。"),
            field("first_seen_in", "string", "来源",
                  "reference = 随项目发布的参考表；否则为首次印出该编码的文档编号。"),
        ],
        "primaryKey": ["code"],
        "foreignKeys": [
            {"fields": ["parent"], "reference": {"resource": "", "fields": ["code"]}},
        ],
    },
    "warnings": {
        "fields": [
            DOCUMENT_ID,
            required("warning_id", "integer", "序号", "警告在文件内的序号。"),
            required("rule", "string", "类型", "警告类型，例如 unplaced_amount、unknown_function_name。"),
            required("message", "string", "说明", "警告内容（中文）。"),
            PAGE,
            SOURCE_LINE,
            SOURCE_TEXT,
        ],
        "primaryKey": ["document_id", "warning_id"],
        "foreignKeys": [
            {"fields": ["document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}},
        ],
    },
}

TITLES = {
    "documents": ("公开文件", "每份部门预算（决算）公开文件一行：单位、年度、来源与校验和。"),
    "budget_lines": ("预算数据", "公开文件中印出的每一个数额一行，附报表、科目、原文句子与行号。金额单位：元。"),
    "stated_changes": ("增减说明", "公开文件中“比上年增加/减少/持平”的表述，每条一行，增减额单位：元。"),
    "sections": ("正文段落", "公开文件的说明文字，按标题分段，供全文检索。"),
    "function_codes": ("功能分类科目", "政府收支分类科目（支出功能分类）参考表：编码、级次、正式名称、名称变体。"),
    "warnings": ("抽取警告", "抽取时无法归类或存疑的数额，附原文行号，从不静默丢弃。"),
}


# Audit findings and year-over-year changes (cnbudget.checks, cnbudget.diff).
SEVERITY_NOTE = ("error（错误）= 算术或表述不符；warning（提示）= 口径或列示问题（如占比以其他数额为基数、科目名称非正式名称）；"
                 "rounding（尾差）= 差额在原文数额的舍入范围内（每个相加项不超过其末位一个单位，如0.01万元即100元）。")
SCHEMAS["findings"] = {
    "fields": [
        DOCUMENT_ID,
        required("finding_id", "integer", "序号", "发现在文件内的序号（按规则顺序）。"),
        required("rule", "string", "规则", "核对规则的稳定编号，例如 function_items_class（各“项”之和 = 所属“类”）、"
                 "stated_share（原文占比与金额相符），全部规则见 cnbudget/checks.py 的 RULES。"),
        required("severity", "string", "级别", SEVERITY_NOTE,
                 **{"constraints": {"required": True, "enum": ["error", "warning", "rounding"]}}),
        required("severity_zh", "string", "级别（中文）", "错误、提示 或 尾差（同 severity）。",
                 **{"constraints": {"required": True, "enum": ["错误", "提示", "尾差"]}}),
        field("statement", "string", "报表", "所核对数据的报表，取值同 budget_lines.statement。"),
        required("message_zh", "string", "说明", "发现的中文说明，含所涉数额（万元）。"),
        required("message_en", "string", "说明（英文）", "The finding in English."),
        field("expected_yuan", "integer", "原文总数（元）",
              "原文印出的整体数额（合计，或占比应采用的基数）；单位：元。", columnType="value"),
        field("actual_yuan", "integer", "分项合计（元）",
              "原文各分项相加之和（或能得出原文占比的基数，无则为空）；单位：元。", columnType="value"),
        field("source_lines", "string", "原文行号", "所涉数据在源文件中的行号，以 “;” 分隔。"),
        field("line_ids", "string", "数据序号", "所涉数据在 budget_lines 中的序号（line_id），以 “;” 分隔。"),
        field("pages", "string", "页码", "所涉数据在 PDF 源文件中的页码，以 “;” 分隔；文本源文件为空。"),
        field("echoes", "string", "同一问题另见",
              "同一处错误在其他位置的反映（例如一行的差额逐级汇总到“类”、合计及其他附表），只算一条发现，以 “；” 分隔。"),
    ],
    "primaryKey": ["document_id", "finding_id"],
    "foreignKeys": [
        {"fields": ["document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}},
    ],
}
SCHEMAS["changes"] = {
    "fields": [
        required("change_id", "integer", "序号", "变化的序号（按单位、年度，变化大者在前）。"),
        required("kind", "string", "变化类型", "changed（数额或占比变化）、renamed（科目相同、名称改变）、recoded（按科目对照表改码）、"
                 "added（本年新增）、removed（本年删除）。",
                 **{"constraints": {"required": True, "enum": ["changed", "renamed", "recoded", "added", "removed"]}}),
        required("basis", "string", "依据", "computed = 两年文件计算；as_stated = 只有本年文件，上年数按本年文件所述的增减推算。",
                 **{"constraints": {"required": True, "enum": ["computed", "as_stated"]}}),
        field("unit", "string", "单位名称", "编制预算的部门（单位）名称。"),
        required("statement", "string", "报表", "取值同 budget_lines.statement。"),
        field("statement_title", "string", "报表名称", "报表的中文名称。"),
        required("item", "string", "项目键", "取值同 budget_lines.item。"),
        field("function_code", "string", "功能分类科目编码", "政府收支分类科目编码（如有）。"),
        required("label", "string", "名称", "本年原文印出的名称（删除的行为上年名称）。"),
        field("old_label", "string", "上年名称", "上年原文印出的名称。"),
        field("old_yuan", "integer", "上年数（元）", "上年金额；as_stated 时为本年数减原文所述增减额。单位：元。", columnType="value"),
        field("new_yuan", "integer", "本年数（元）", "本年金额；单位：元。", columnType="value"),
        field("change_yuan", "integer", "增减额（元）", "本年数减上年数；单位：元。", columnType="value"),
        field("change_pct", "number", "增减幅度（%）", "增减额占上年数的百分比，两位小数；上年为0时为空。"),
        field("old_quantity", "integer", "上年数量", "车辆、设备等实物数量（上年）。"),
        field("new_quantity", "integer", "本年数量", "车辆、设备等实物数量（本年）。"),
        field("changed_fields", "string", "变化字段", "发生变化的字段，以 “;” 分隔，例如 amount_yuan;stated_share。"),
        field("old_document_id", "string", "上年文档编号", "上年公开文件的编号。"),
        field("old_line_id", "integer", "上年数据序号", "上年数据在 budget_lines 中的序号。"),
        field("old_source_line", "integer", "上年原文行号", "上年数据在源文件中的行号。"),
        field("old_page", "integer", "上年页码", "上年数据在 PDF 源文件中的页码。"),
        field("new_document_id", "string", "本年文档编号", "本年公开文件的编号。"),
        field("new_line_id", "integer", "本年数据序号", "本年数据在 budget_lines 中的序号。"),
        field("new_source_line", "integer", "本年原文行号", "本年数据在源文件中的行号。"),
        field("new_page", "integer", "本年页码", "本年数据在 PDF 源文件中的页码。"),
        field("change_text", "string", "原文增减表述", "as_stated 时原文的增减表述，例如 “比2022年预算数增加98.58万元”。"),
    ],
    "primaryKey": ["change_id"],
    "foreignKeys": [
        {"fields": ["new_document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}},
        {"fields": ["old_document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}},
    ],
}
# Budget vs actual (cnbudget.execution): a unit's 预算 and 决算 of one year, line by line; written per unit
# series by the build (cnbudget.package), loaded and served like the other tables.
BUDGET_VS_ACTUAL = {
    "fields": [
        field("unit", "string", "单位名称", "编制预算、决算的部门（单位）名称。"),
        FISCAL_YEAR,
        required("statement", "string", "报表", "取值同 budget_lines.statement（按报表种类对应，不按表名）。"),
        field("statement_title", "string", "报表名称", "报表的中文名称。"),
        required("item", "string", "项目键", "决算中该条数据的项目键，取值同 budget_lines.item。"),
        field("function_code", "string", "功能分类科目编码", "政府收支分类科目编码（如有）。"),
        required("label", "string", "名称", "决算原文印出的名称。"),
        field("budget_yuan", "integer", "预算数（元）", "同年预算文件中的数额；单位：元。", columnType="value"),
        field("final_yuan", "integer", "决算数（元）", "决算文件中的数额；单位：元。", columnType="value"),
        field("difference_yuan", "integer", "差额（元）", "决算数减预算数；单位：元。", columnType="value"),
        field("execution_pct", "number", "执行率（%）", "决算数占预算数的百分比，两位小数；预算为0时为空。"),
        field("final_doc_budget_yuan", "integer", "决算所列年初预算（元）",
              "决算文件自己印出的年初预算数（如有），可与预算文件对照；单位：元。", columnType="value"),
        field("reason_text", "string", "原因", "决算文件所述决算数与预算数差异的原因（如有）。"),
        required("budget_document_id", "string", "预算文档编号", "预算公开文件的编号。"),
        field("budget_line_id", "integer", "预算数据序号", "预算数据在 budget_lines 中的序号。"),
        field("budget_page", "integer", "预算页码", "预算数据在 PDF 源文件中的页码。"),
        required("final_document_id", "string", "决算文档编号", "决算公开文件的编号。"),
        field("final_line_id", "integer", "决算数据序号", "决算数据在 budget_lines 中的序号。"),
        field("final_page", "integer", "决算页码", "决算数据在 PDF 源文件中的页码。"),
    ],
    "primaryKey": ["final_document_id", "final_line_id"],
    "foreignKeys": [
        {"fields": ["budget_document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}},
        {"fields": ["final_document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}},
    ],
}
BUDGET_VS_ACTUAL_TITLE = ("预算与决算对比", "同一单位同一年度的预算与决算逐条对比：预算数、决算数、差额、执行率及决算所述原因。金额单位：元。")
TITLES["findings"] = ("审计发现", "文件自身的算术核对：合计与分项、项与类、占比与金额、原文增减与上年数。只列出，不更正原数据。金额单位：元。")
SCHEMAS["budget_vs_actual"] = BUDGET_VS_ACTUAL
TITLES["budget_vs_actual"] = BUDGET_VS_ACTUAL_TITLE
TITLES["changes"] = ("年度变化", "同一单位相邻年度的逐条比较（按科目含义而非位置匹配）；只有一年文件时，按原文所述增减推出的上年数（as_stated）。金额单位：元。")


def columns(resource):
    """Column names of a resource, in schema order."""
    return [f["name"] for f in SCHEMAS[resource]["fields"]]
