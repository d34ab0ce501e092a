#!/usr/bin/env python3
"""Write synthetic 部门预算 disclosures in the seed's Sichuan template, for tests and benchmarks only.

    python scripts/make_synthetic.py N OUTDIR [--seed S]

Every file says on its first line that it is synthetic and has a `*.provenance.json` sidecar with
`"synthetic": true`; never write the output into datasets/. Amounts are integer 元 built bottom-up
(项 → 款 → 类 → total, parts → totals), so every printed total equals the sum of its printed parts;
printed shares are rounded from the exact ratio. Each unit publishes five consecutive years
(2021–2025) whose amounts drift, so every stated change is the difference to the year before.
`make_document(index, unit_rng(seed, index))` also returns the figures it printed (`expected`), so
tests can check that the extractor recovers them; `write_corpus(n, outdir, seed)` writes n files.
"""

import argparse
import hashlib
import json
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SYNTHETIC_MARK = "【合成数据，仅供测试】"
GENERATOR = "scripts/make_synthetic.py"

# 政府收支分类科目 (支出功能分类) used here: official names of 类, 款 and 项.
CLASSES = {
    "201": "一般公共服务支出", "204": "公共安全支出", "205": "教育支出", "206": "科学技术支出",
    "207": "文化旅游体育与传媒支出", "208": "社会保障和就业支出", "210": "卫生健康支出",
    "212": "城乡社区支出", "213": "农林水支出", "221": "住房保障支出", "229": "其他支出",
}
FUND_CLASS = "229"  # 其他支出: where the synthetic units' 政府性基金 spending is classified
KUAN = {
    "20101": "人大事务", "20102": "政协事务", "20103": "政府办公厅（室）及相关机构事务",
    "20104": "发展与改革事务", "20105": "统计信息事务", "20106": "财政事务", "20108": "审计事务",
    "20406": "司法", "20501": "教育管理事务", "20601": "科学技术管理事务", "20701": "文化和旅游",
    "20801": "人力资源和社会保障管理事务", "20802": "民政管理事务", "20805": "行政事业单位养老支出",
    "21001": "卫生健康管理事务", "21011": "行政事业单位医疗", "21201": "城乡社区管理事务",
    "21301": "农业农村", "22102": "住房改革支出",
}
XIANG = {
    "2010101": "行政运行", "2010102": "一般行政管理事务", "2010104": "人大会议", "2010150": "事业运行",
    "2010201": "行政运行", "2010202": "一般行政管理事务", "2010204": "政协会议", "2010250": "事业运行",
    "2010301": "行政运行", "2010302": "一般行政管理事务", "2010350": "事业运行",
    "2010401": "行政运行", "2010402": "一般行政管理事务", "2010450": "事业运行",
    "2010501": "行政运行", "2010502": "一般行政管理事务", "2010550": "事业运行",
    "2010601": "行政运行", "2010602": "一般行政管理事务", "2010650": "事业运行",
    "2010801": "行政运行", "2010802": "一般行政管理事务", "2010850": "事业运行",
    "2040601": "行政运行", "2040602": "一般行政管理事务",
    "2050101": "行政运行", "2050102": "一般行政管理事务",
    "2060101": "行政运行", "2060102": "一般行政管理事务",
    "2070101": "行政运行", "2070102": "一般行政管理事务",
    "2080101": "行政运行", "2080102": "一般行政管理事务",
    "2080201": "行政运行", "2080202": "一般行政管理事务",
    "2080501": "行政单位离退休", "2080502": "事业单位离退休",
    "2080505": "机关事业单位基本养老保险缴费支出", "2080506": "机关事业单位职业年金缴费支出",
    "2100101": "行政运行", "2100102": "一般行政管理事务",
    "2101101": "行政单位医疗", "2101102": "事业单位医疗", "2101103": "公务员医疗补助",
    "2101199": "其他行政事业单位医疗支出",
    "2120101": "行政运行", "2120102": "一般行政管理事务",
    "2130101": "行政运行", "2130102": "一般行政管理事务",
    "2210201": "住房公积金", "2210202": "提租补贴",
}
# Names the seed prints instead of the official one (the extractor must map them back).
VARIANTS = {"210": "医疗卫生支出", "20805": "行政事业单位养老保险缴费支出", "2101199": "其他行政事业单位医疗补助"}

# Department: name, its own 款, basic-spending 项, project 项 (一般公共预算 projects), project names.
DEPARTMENTS = [
    ("人大", "20101", ["2010101", "2010150"], ["2010102", "2010104"], ["人大业务", "人代会会议", "在线监督建设", "代表履职能力提升"]),
    ("政协", "20102", ["2010201", "2010250"], ["2010202", "2010204"], ["政协业务", "政协全会会议", "委员履职服务"]),
    ("人民政府办公室", "20103", ["2010301", "2010350"], ["2010302"], ["政务服务", "电子政务运维", "应急值守"]),
    ("发展和改革局", "20104", ["2010401", "2010450"], ["2010402"], ["规划编制", "重点项目推进", "价格监测"]),
    ("统计局", "20105", ["2010501", "2010550"], ["2010502"], ["统计调查", "经济普查", "统计执法检查"]),
    ("财政局", "20106", ["2010601", "2010650"], ["2010602"], ["预算绩效评价", "财政信息化建设", "国库集中支付"]),
    ("审计局", "20108", ["2010801", "2010850"], ["2010802"], ["审计业务", "聘请中介机构审计", "审计信息化"]),
    ("司法局", "20406", ["2040601"], ["2040602"], ["法律援助", "人民调解", "普法宣传"]),
    ("教育局", "20501", ["2050101"], ["2050102"], ["教育督导", "教师培训", "学生资助管理"]),
    ("科学技术局", "20601", ["2060101"], ["2060102"], ["科技项目管理", "科普宣传"]),
    ("文化广播电视和旅游局", "20701", ["2070101"], ["2070102"], ["文化惠民演出", "旅游宣传推介", "文物保护"]),
    ("人力资源和社会保障局", "20801", ["2080101"], ["2080102"], ["就业服务", "劳动保障监察", "人才引进"]),
    ("民政局", "20802", ["2080201"], ["2080202"], ["社会救助", "养老服务", "社会组织管理"]),
    ("卫生健康局", "21001", ["2100101"], ["2100102"], ["疾病预防控制", "卫生监督执法", "家庭医生签约服务"]),
    ("住房和城乡建设局", "21201", ["2120101"], ["2120102"], ["城市管理", "建筑市场监管", "物业管理指导"]),
    ("农业农村局", "21301", ["2130101"], ["2130102"], ["农业技术推广", "动物防疫", "高标准农田管理"]),
]
# Cities (市) of Sichuan and their districts/counties: the unit name is city + district + department.
COUNTIES = {
    "成都市": "锦江区 青羊区 金牛区 武侯区 成华区 龙泉驿区 青白江区 新都区 温江区 双流区 郫都区 新津区 金堂县 大邑县 蒲江县 都江堰市 彭州市 邛崃市 崇州市 简阳市",
    "自贡市": "自流井区 贡井区 大安区 沿滩区 荣县 富顺县",
    "攀枝花市": "东区 西区 仁和区 米易县 盐边县",
    "泸州市": "江阳区 纳溪区 龙马潭区 泸县 合江县 叙永县 古蔺县",
    "德阳市": "旌阳区 罗江区 中江县 广汉市 什邡市 绵竹市",
    "绵阳市": "涪城区 游仙区 安州区 三台县 盐亭县 梓潼县 北川羌族自治县 平武县 江油市",
    "广元市": "利州区 昭化区 朝天区 旺苍县 青川县 剑阁县 苍溪县",
    "遂宁市": "船山区 安居区 蓬溪县 大英县 射洪市",
    "内江市": "市中区 东兴区 威远县 资中县 隆昌市",
    "乐山市": "市中区 沙湾区 五通桥区 金口河区 犍为县 井研县 夹江县 沐川县 峨边彝族自治县 马边彝族自治县 峨眉山市",
    "南充市": "顺庆区 高坪区 嘉陵区 南部县 营山县 蓬安县 仪陇县 西充县 阆中市",
    "眉山市": "东坡区 彭山区 仁寿县 洪雅县 丹棱县 青神县",
    "宜宾市": "翠屏区 南溪区 叙州区 江安县 长宁县 高县 珙县 筠连县 兴文县 屏山县",
    "广安市": "广安区 前锋区 岳池县 武胜县 邻水县 华蓥市",
    "达州市": "通川区 达川区 宣汉县 开江县 大竹县 渠县 万源市",
    "雅安市": "雨城区 名山区 荥经县 汉源县 石棉县 天全县 芦山县 宝兴县",
    "巴中市": "巴州区 恩阳区 通江县 南江县 平昌县",
    "资阳市": "雁江区 安岳县 乐至县",
}
PLACES = [(city, county) for city, names in COUNTIES.items() for county in names.split()]
# Each unit publishes five consecutive years: documents 1–5 are one unit's 2021–2025, 6–10 the next
# unit's, and so on; a prime stride spreads consecutive units over places and departments, so
# len(PLACES) * len(DEPARTMENTS) units (over 2,000) come before any unit repeats.
FIRST_YEAR, YEARS, STRIDE = 2021, 5, 7919
REASONS = [
    "单位人员变动，工资待遇变动，保险公积金变动", "节约开支，开源节流", "新增专项工作任务",
    "严格落实过紧日子要求，压减一般性支出", "人员调入调出", "项目支出按实际需要调整",
]
PURPOSES = {
    "basic": "在职人员工资、社保、公积金等支出和日常公用支出",
    "project": "专项业务工作支出",
    "208": "在职人员养老保险和单位离退休支出",
    "210": "为职工缴纳基本医疗保险及公务员医疗补助等支出",
    "221": "缴纳职工公积金",
}
DUTIES = [
    "贯彻执行国家有关法律法规和方针政策，拟订本行业发展规划并组织实施",
    "负责本行政区域内相关工作的统筹协调和监督管理",
    "组织实施有关专项工作，承担相关行政审批和公共服务事项",
    "负责本系统安全生产、信访维稳和应急管理工作",
    "指导、协调、监督下级单位开展相关业务工作",
    "承担本部门财务、资产管理和内部审计工作",
    "完成区委、区政府交办的其他任务",
    "负责相关统计、信息发布和政务公开工作",
    "组织开展本领域的调查研究，提出政策建议",
]
WORK = [
    "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，认真落实上级决策部署，围绕中心、服务大局，推动各项工作高质量发展。",
    "牢牢把握政治机关属性，坚持以政治建设为统领，把党的领导贯穿于各项工作全过程，确保各项工作沿着正确的政治方向前行。",
    "加强财政资金管理，严格执行预算，落实过紧日子要求，提高资金使用效益，主动接受审计监督和社会监督。",
    "深入推进依法行政，健全内部管理制度，规范议事决策程序，提升工作制度化、规范化、程序化水平。",
    "坚持以人民为中心的发展思想，聚焦群众急难愁盼问题，办好民生实事，不断增强人民群众获得感、幸福感、安全感。",
    "加强干部队伍建设，持续开展业务培训，组织干部职工参加集中轮训，着力提升履职能力和服务水平。",
    "严格执行中央八项规定及其实施细则精神，认真落实意识形态工作责任制，深入推进党风廉政建设。",
    "强化统筹协调，完善上下联动工作机制，加强与相关部门沟通协作，形成工作合力。",
    "推进信息化建设，完善政务公开和信息发布机制，及时回应社会关切，保障群众知情权、参与权、表达权、监督权。",
    "加强调查研究，围绕全区经济社会发展中的重点难点问题深入基层开展调研，形成高质量调研报告，为党委政府决策提供参考。",
]
# The extractor's item key of each printed label (cnbudget.extract.LABEL_RULES); 类/项 use their code.
ITEMS = {
    "收支预算总数": "total", "收入预算": "total", "支出预算": "total", "财政拨款收支总预算": "total",
    "一般公共预算当年拨款": "total", "一般公共预算基本支出": "total", "“三公”经费财政拨款预算数": "total",
    "政府性基金预算支出": "total", "机关运行经费": "total", "政府采购预算": "total", "项目资金共计": "total",
    "国有资本经营预算拨款安排的支出": "total", "政府性基金预算拨款安排的支出": "total",
    "一般公共预算收入": "general_budget", "本年一般公共预算拨款收入": "general_budget",
    "政府性基金预算收入": "government_fund", "本年政府性基金预算拨款收入": "government_fund",
    "基本支出": "basic", "项目支出": "project", "人员经费": "personnel", "公用经费": "public_use",
    "因公出国（境）经费": "overseas_travel", "公务接待费": "reception", "公务用车购置及运行维护费": "vehicles",
    "公务用车购置费": "vehicle_purchase", "公务用车运行维护费": "vehicle_operation",
    "政府采购货物预算": "goods", "政府采购工程预算": "works", "政府采购服务预算": "services",
    "非财政拨款安排“三公”经费预算": "non_fiscal",
}
HEADINGS = ["一、", "二、", "三、", "四、", "五、", "六、"]
SUBS = ["（一）", "（二）", "（三）", "（四）"]
CARS = ["轿车（含7座以下商务车、城市越野车）", "7座以上19座（含19座）以下客车", "越野车", "货车及19座以上客车", "摩托车"]
ASSET_CARS = ["一般公务用车", "一般执法执勤用车", "特种专业技术用车", "其他用车"]


THEMES = [
    "旗帜鲜明讲政治，始终坚持党的全面领导", "依法履职尽责，助推全区经济社会高质量发展",
    "坚持以人民为中心，切实办好民生实事", "强化服务保障，不断提升工作效能",
    "加强自身建设，不断提升工作质量和水平", "深化改革创新，激发干事创业活力",
]


class Printer:
    """Formats amounts of one document: 万元 (shortest or two decimals) or 元 with thousands separators."""

    def __init__(self, unit, two_decimals):
        self.unit = unit
        self.two_decimals = two_decimals
        self.quantum = 100 if unit == "万元" else 1  # smallest amount printable exactly, in 元

    def amount(self, yuan):
        """Printed text of an integer amount of 元, e.g. 6446600 -> '644.66万元' or '6,446,600元'."""
        if self.unit == "元":
            return f"{yuan:,}元"
        wan = Decimal(yuan) / Decimal(10000)
        if self.two_decimals and yuan % 10000:
            return f"{wan.quantize(Decimal('0.01'))}万元"
        return f"{wan.normalize():f}万元"


def share(part, whole, decimals):
    """Printed share of part in whole, rounded half-up from the exact ratio: '88%' or '14.72%'."""
    ratio = Decimal(part) * 100 / Decimal(whole)
    return f"{ratio.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)}%"


def draw(rng, low_yuan, high_yuan, quantum):
    """A random amount between the bounds, a multiple of `quantum` (the printing precision)."""
    return rng.randint(max(1, low_yuan // quantum), max(1, high_yuan // quantum)) * quantum


def split(total, parts, rng, quantum):
    """Split `total` 元 into `parts` positive multiples of `quantum` that add up exactly."""
    units = total // quantum
    cuts = sorted(rng.sample(range(1, units), parts - 1))
    bounds = [0, *cuts, units]
    return [(b - a) * quantum for a, b in zip(bounds, bounds[1:])]


def split_count(rng, n, parts):
    """Split a count of vehicles into `parts` non-negative counts that add up to n (mostly the first)."""
    counts = [0] * parts
    for _ in range(n):
        counts[rng.choice([0, 0, 0, 1, 2])] += 1
    return counts


def choose_lines(rng, dept, quantum):
    """The 项 lines of the 一般公共预算 as (code, amount, 'basic' | 'project'), in print order."""
    _, _, basic_codes, project_codes, _ = dept
    lines = [(basic_codes[0], draw(rng, 500_000, 8_000_000, quantum), "basic")]
    lines += [(code, draw(rng, 200_000, 2_000_000, quantum), "basic") for code in basic_codes[1:]
              if rng.random() < 0.5]
    lines += [(code, draw(rng, 50_000, 1_500_000, quantum), "project") for code in project_codes
              if rng.random() < 0.5]
    optional = {"2080505": 1, "2080501": 0.6, "2080502": 0.3, "2080506": 0.5, "2101101": 1,
                "2101102": 0.5, "2101103": 0.6, "2101199": 0.4, "2210201": 1, "2210202": 0.2}
    lines += [(code, draw(rng, 1_000, 1_500_000, quantum), "basic") for code, p in optional.items()
              if rng.random() < p]
    return lines


def key(name):
    """A printed name as the extractor keys it: full-width brackets made half-width."""
    return name.replace("（", "(").replace("）", ")")


def by_class(lines):
    """Amounts by 类 code, in order of first appearance."""
    classes = {}
    for code, amount, _ in lines:
        classes[code[:3]] = classes.get(code[:3], 0) + amount
    return classes


def drift(rng, amount, quantum):
    """Next year's amount: unchanged three times in ten, else within ±15%, a multiple of `quantum`."""
    if amount == 0 or rng.random() < 0.3:
        return amount
    moved = amount + amount * rng.randint(-150, 150) // 1000
    return max(quantum, moved // quantum * quantum)


class Plan:
    """Every amount of one unit-year, drawn bottom-up so that each printed total is the exact sum of
    its parts; given the plan of the year before, amounts drift from it, so stated changes are real."""

    def __init__(self, rng, dept, q, prev=None):
        if prev is None:
            self.lines = choose_lines(rng, dept, q)
            self.fund = draw(rng, 100_000, 1_500_000, q) if rng.random() < 0.35 else 0
            self.vehicles = rng.choice([0, 0, 1, 2, 3])
            self.abroad = draw(rng, 10_000, 80_000, q) if rng.random() < 0.1 else 0
            self.reception = draw(rng, 2_000, 60_000, q) if rng.random() < 0.7 else 0
        else:
            self.lines = [(code, drift(rng, amount, q), kind) for code, amount, kind in prev.lines]
            self.fund = self.renew(rng, prev.fund, 0.85, 100_000, 1_500_000, q)
            self.vehicles = prev.vehicles if rng.random() < 0.85 else max(0, prev.vehicles + rng.choice([-1, 1]))
            self.abroad = self.renew(rng, prev.abroad, 0.8, 10_000, 80_000, q)
            self.reception = self.renew(rng, prev.reception, 0.8, 2_000, 60_000, q)
        if not self.fund and all(kind == "basic" for _, _, kind in self.lines):
            self.lines.append((dept[3][0], draw(rng, 50_000, 1_500_000, q), "project"))  # always some projects
        self.classes = by_class(self.lines)
        self.general = sum(self.classes.values())
        self.basic = sum(a for _, a, kind in self.lines if kind == "basic")
        self.project = self.general - self.basic + self.fund
        self.total = self.general + self.fund
        if prev is None:
            self.public = draw(rng, self.basic // 20, self.basic // 6, q)
        else:
            self.public = max(q, min(drift(rng, prev.public, q), self.basic // 4 // q * q))
        self.personnel = self.basic - self.public
        self.cars_bought = rng.choice([0, 0, 0, 1]) if self.vehicles else 0
        self.car_purchase = draw(rng, 150_000, 280_000, q) * self.cars_bought
        self.car_running = draw(rng, 10_000, 40_000, q) * self.vehicles
        self.cars = self.car_purchase + self.car_running
        self.three_public = self.abroad + self.reception + self.cars
        kinds = [k for k in ("货物", "工程", "服务") if rng.random() < 0.6] or ["货物"]
        self.procurement = dict(zip(kinds, split(draw(rng, 5_000 * len(kinds), 600_000, q), len(kinds), rng, q)))
        names = rng.sample(dept[4], min(len(dept[4]), rng.randint(1, 4)))
        names = names[: max(1, min(len(names), self.project // q))]
        self.projects = dict(zip(names, split(self.project, len(names), rng, q)))

    @staticmethod
    def renew(rng, amount, keep, low, high, q):
        """Drift an amount with probability `keep`; otherwise a nonzero one stops and a zero one starts."""
        if rng.random() < keep:
            return drift(rng, amount, q)
        return 0 if amount else draw(rng, low, high, q)


class Document:
    """One synthetic disclosure under construction: its lines of text and the figures it printed."""

    def __init__(self, index, rng, departments=DEPARTMENTS):
        self.index = index
        unit_no, offset = divmod(index - 1, YEARS)
        self.year = FIRST_YEAR + offset
        place_no, dept_no = divmod(unit_no * STRIDE % (len(PLACES) * len(departments)), len(departments))
        self.city, self.district = PLACES[place_no]
        self.dept = departments[dept_no]
        self.unit = f"{self.city}{self.district}{self.dept[0]}"
        self.short = f"{self.district}{self.dept[0]}"
        # The unit keeps its way of printing amounts from year to year.
        self.printer = Printer("元" if rng.random() < 0.15 else "万元", rng.random() < 0.3)
        plan = Plan(rng, self.dept, self.printer.quantum)  # the year before the first one published
        for _ in range(offset + 1):
            prior, plan = plan, Plan(rng, self.dept, self.printer.quantum, prev=plan)
        self.prior, self.plan = prior, plan
        # This year's wording gets its own stream, so the amounts never depend on how text was drawn.
        self.rng = rng = random.Random(rng.getrandbits(64))
        self.use_variants = rng.random() < 0.5
        self.decimals = rng.choice([0, 2, 2])
        self.out, self.figures, self.changes = [], [], []

    def __getattr__(self, name):
        """Amounts (total, general, fund, ...) are this year's plan's."""
        return getattr(self.__dict__["plan"], name)

    # Recording printed figures -------------------------------------------------------------

    def money(self, statement, label, amount, text=None, **extra):
        """Record a printed amount (item key from its label or 科目 code) and return its text."""
        text = text or self.printer.amount(amount)
        item = extra.get("function_code") or ITEMS.get(label)
        if statement == "performance" and item is None:
            item = f"project:{label}"
        self.figures.append({"statement": statement, "item": item, "label": label, "amount_yuan": amount,
                             "quantity": None, "amount_text": text, "stated_share": None, **extra})
        return text

    def money_share(self, statement, label, amount, whole, **extra):
        """Record a printed amount with its share of `whole`; return '569.66万元，占88%'."""
        text = self.money(statement, label, amount, **extra)
        self.figures[-1]["stated_share"] = printed = share(amount, whole, self.decimals)
        return f"{text}，占{printed}"

    def nil(self, statement, label):
        """Record a stated nil ('没有使用…'), which the extractor keeps as 0 元."""
        self.money(statement, label, 0, text="没有使用")

    def count(self, statement, item, label, n, unit="辆"):
        """Record a printed count (vehicles, equipment) and return its text."""
        self.figures.append({"statement": statement, "item": item, "label": label, "amount_yuan": None,
                             "quantity": n, "quantity_unit": unit, "amount_text": f"{n}{unit}", "stated_share": None})
        return f"{n}{unit}"

    def change(self, statement, label, current, prior, phrase):
        """The stated comparison with last year's amount: record it, return its text from '，比…' to '。'."""
        prior_year, delta = self.year - 1, current - prior
        record = {"statement": statement, "label": label, "prior_year": prior_year, "prior_yuan": prior,
                  "change_yuan": delta}
        if delta == 0:
            self.changes.append({**record, "direction": "flat", "reason_text": None})
            return f"，与{prior_year}年{phrase}持平。"
        reason = self.rng.choice(REASONS)
        self.changes.append({**record, "direction": "increase" if delta > 0 else "decrease",
                             "change_text": self.printer.amount(abs(delta)), "reason_text": reason})
        verb = "增加" if delta > 0 else "减少"
        return f"，比{prior_year}年{phrase}{verb}{self.printer.amount(abs(delta))}，主要原因是{reason}。"

    def name(self, code, official):
        """The printed name of a 科目: the seed's variant in half of the documents."""
        return VARIANTS[code] if self.use_variants and code in VARIANTS else official

    def para(self, *texts):
        """Append paragraphs, each followed by a blank line as in the seed."""
        for text in texts:
            self.out += [text, ""]

    # Sections, in the order of the seed -----------------------------------------------------

    def overview_part(self):
        rng, out = self.rng, self.out
        out += [SYNTHETIC_MARK + f"本文件由 {GENERATOR} 生成（第{self.index}号），内容与数额均为虚构，"
                "不是真实的预算公开文件。", f" 第一部分  {self.unit}单位概况", "", "一、主要职责"]
        duties = rng.sample(DUTIES, rng.randint(4, 8))
        self.para(*(f"（{i}）{duty}{'。' if i == len(duties) else '；'}" for i, duty in enumerate(duties, 1)))
        self.para(f"二、{self.year}年重点工作任务。")
        for h, theme in enumerate(rng.sample(THEMES, rng.randint(3, 5))):
            self.para(HEADINGS[h] + theme, rng.choice(WORK))
            self.para(*(SUBS[s] + "".join(rng.sample(WORK, 3)) for s in range(rng.randint(1, 4))))
        if rng.random() < 0.5:  # counts that are not amounts
            self.para(f"组织{rng.randint(20, 90)}名以上干部职工开展业务培训，完成年度{rng.randint(3, 12)}项重点任务。")

    def totals_section(self):
        year, short, fund = self.year, self.short, self.fund
        self.para(f"第二部分  {self.unit}", f"{year}年部门预算情况说明",
                  ("一、" if self.rng.random() < 0.5 else "") + "收支预算总体情况")
        income_kinds = "一般公共预算拨款收入" + ("、政府性基金预算拨款收入" if fund else "")
        spend_kinds = "、".join(self.class_name(c) for c in self.classes) + ("、政府性基金支出" if fund else "")
        # The seed has an ASCII comma after the total: keep it.
        self.out.append(
            f"按照综合预算的原则，{short}所有收入和支出均纳入部门预算管理。收入包括：{income_kinds}；支出包括："
            f"{spend_kinds}，{short}{year}年收支预算总数{self.money('overview', '收支预算总数', self.total)}"
            + self.change("overview", "收支预算总数", self.total, self.prior.total, "收支预算总数").replace("，", ",", 1))
        self.out.append("（一）收入预算情况。")
        self.out.append("")
        income = (f"{year}年，收入预算{self.money('income', '收入预算', self.total)}，其中：一般公共预算收入"
                  f"{self.money_share('income', '一般公共预算收入', self.general, self.total, fund_source='一般公共预算')}")
        if fund:
            income += f"；政府性基金预算收入{self.money_share('income', '政府性基金预算收入', fund, self.total, fund_source='政府性基金预算')}"
        self.para(income + "。", "（二）支出预算情况。")
        self.out.append(
            f"{year}年，支出预算{self.money('expenditure', '支出预算', self.total)}，其中：基本支出"
            f"{self.money_share('expenditure', '基本支出', self.basic, self.total, expense_type='基本支出')}；"
            f"项目支出{self.money_share('expenditure', '项目支出', self.project, self.total, expense_type='项目支出')}。")
        self.para(f"{short}预算安排支出主要用于保障单位机构正常运转、完成日常工作任务相关工作。",
                  f"基本支出，是用于保障{short}正常运转的日常支出，包括基本工资、津贴补贴、绩效工资等人员经费以及办公费、"
                  "印刷费、办公设备购置等日常公用经费。",
                  f"项目支出，是用于保障{short}为完成特定的行政工作任务或事业发展目标，用于专项业务工作的经费支出。",
                  "按支出功能分类主要用于以下方面支出：")
        items = [f"{self.class_name(c)}{self.money('expenditure', self.class_name(c), a, function_code=c, function_level='类')}"
                 f"，主要用于{PURPOSES.get(c, PURPOSES['basic'])}" for c, a in self.classes.items()]
        if fund:  # the seed lists the fund-financed projects as a fifth "function"
            items.append(f"项目支出{self.money('expenditure', '项目支出', fund, fund_source='政府性基金预算', expense_type='项目支出')}"
                         f"，主要用于{'、'.join(self.dept[4][:2])}")
        self.para(*(f"{i}.{item}{'。' if i == len(items) else '；'}" for i, item in enumerate(items, 1)))

    def class_name(self, code):
        return self.name(code, CLASSES[code])

    def appropriation_section(self):
        year = self.year
        total = self.money('fiscal_appropriation', '财政拨款收支总预算', self.total)
        income = f"本年一般公共预算拨款收入{self.money('fiscal_appropriation', '本年一般公共预算拨款收入', self.general, fund_source='一般公共预算')}"
        if self.fund:
            income += f"、本年政府性基金预算拨款收入{self.money('fiscal_appropriation', '本年政府性基金预算拨款收入', self.fund, fund_source='政府性基金预算')}"
        order = list(self.classes)
        self.rng.shuffle(order)  # the seed prints the classes in another order here
        spend = "、".join(f"{self.class_name(c)}{self.money('fiscal_appropriation', self.class_name(c), self.classes[c], function_code=c, function_level='类')}"
                         for c in order)
        if self.fund:  # the fund's spending has a class too, so the listed classes add up to the total
            spend += f"、{CLASSES[FUND_CLASS]}{self.money('fiscal_appropriation', CLASSES[FUND_CLASS], self.fund, function_code=FUND_CLASS, function_level='类', fund_source='政府性基金预算')}"
        self.para("二、财政拨款收支预算情况说明", f"{year}年，财政拨款收支总预算{total}。收入包括：{income}；支出包括：{spend}。")

    def general_budget_section(self):
        year, general = self.year, self.general
        self.para("三、一般公共预算当年拨款情况说明", "（一）一般公共预算当年拨款规模变化情况。")
        self.out.append(f"{year}年，一般公共预算当年拨款{self.money('general_budget', '一般公共预算当年拨款', general)}"
                        + self.change("general_budget", "一般公共预算当年拨款", general, self.prior.general, "预算数"))
        structure = "；".join(
            f"{self.class_name(c)}{self.money_share('general_budget', self.class_name(c), a, general, function_code=c, function_level='类')}"
            for c, a in self.classes.items())
        self.para("（二）一般公共预算当年拨款结构情况。", structure + "。", "（三）一般公共预算当年拨款具体使用情况。")
        for i, (code, amount, kind) in enumerate(self.lines, 1):
            xiang = self.name(code, XIANG[code])
            kuan = self.name(code[:5], KUAN[code[:5]])
            purpose = PURPOSES["project"] if kind == "project" else PURPOSES.get(code[:3], PURPOSES["basic"])
            space = " " if self.rng.random() < 0.3 else ""
            # The seed prints 一般公共服务（类） without 支出 in these lines.
            klass = "一般公共服务" if self.use_variants and code[:3] == "201" else CLASSES[code[:3]]
            triple = f"{klass}（类）{kuan}（款）{xiang}（项）"
            amount_text = self.money("function_class", triple, amount, function_code=code, function_level="项",
                                     expense_type="项目支出" if kind == "project" else "基本支出")
            self.para(f"{i}.{space}{triple}{year}年预算数为{amount_text}，主要用于：{purpose}。")

    def basic_section(self):
        self.para("四、一般公共预算基本支出情况说明",
                  f"{self.year}年，一般公共预算基本支出{self.money('basic_expenditure', '一般公共预算基本支出', self.basic)}，其中：",
                  f"人员经费{self.money('basic_expenditure', '人员经费', self.personnel, economic_class='人员经费')}，"
                  "主要包括：包括人员工资、社保、养老保险、公积金等。",
                  f"公用经费{self.money('basic_expenditure', '公用经费', self.public, economic_class='公用经费')}，"
                  "主要包括：办公费、差旅费、福利费、工会经费、党建经费、车贴等。")

    def three_public_section(self):
        year, out = self.year, self.out
        prior = self.prior
        parts = [("因公出国（境）经费", self.abroad, prior.abroad), ("公务接待费", self.reception, prior.reception),
                 ("公务用车购置及运行维护费", self.cars, prior.cars)]
        self.para("五、“三公”经费财政拨款预算安排情况说明")
        out.append(f"{year}年，“三公”经费财政拨款预算数{self.money('three_public', '“三公”经费财政拨款预算数', self.three_public)}，其中："
                   + "、".join(f"{label}{self.money('three_public', label, amount)}" for label, amount, _ in parts) + "。")
        for n, (label, amount, before) in enumerate(parts):
            if amount == before == 0:
                self.changes.append({"statement": "three_public", "label": label, "prior_year": year - 1,
                                     "prior_yuan": 0, "direction": "flat", "change_yuan": 0, "reason_text": None})
                out.append(f"{label}无预算与上年持平。")
                continue
            text = self.change("three_public", label, amount, before, "预算")
            if text.startswith("，与"):
                self.para("", f"{SUBS[n]}{label}与{year - 1}年预算持平。")
            else:
                self.para("", f"{SUBS[n]}{label}{self.money('three_public', label, amount)}{text}")
            if label == "公务接待费":
                out.append(f"{year}年公务接待费计划用于公务接待。")
        owned = split_count(self.rng, self.vehicles, len(CARS))
        self.para(f"单位现有公务用车{self.count('three_public', 'vehicles_owned', '单位现有公务用车', self.vehicles)}，其中："
                  + "，".join(f"{name}{self.count('three_public', 'vehicles_owned:' + key(name), name, k)}"
                             for name, k in zip(CARS, owned)) + "。")
        bought = split_count(self.rng, self.cars_bought, len(CARS))
        self.para(f"{year}年，安排公务用车购置费{self.money('three_public', '公务用车购置费', self.car_purchase)}，"
                  f"购置公务用车{self.count('three_public', 'vehicles_to_buy', '购置公务用车', self.cars_bought)}，其中："
                  + "，".join(f"{name}{self.count('three_public', 'vehicles_to_buy:' + key(name), name, k)}"
                             for name, k in zip(CARS, bought)) + "。",
                  f"{year}年，安排公务用车运行维护费{self.money('three_public', '公务用车运行维护费', self.car_running)}。")
        self.para("六、非财政拨款预算安排“三公”经费情况说明")
        self.out.append(f"{year}年，没有使用非财政拨款安排“三公”经费预算。")
        self.nil("three_public", "非财政拨款安排“三公”经费预算")

    def funds_section(self):
        year = self.year
        self.para("七、政府性基金预算支出情况说明")
        if self.fund:
            self.para(f"{year}年，政府性基金预算支出{self.money('government_fund', '政府性基金预算支出', self.fund)}，其中：项目支出"
                      f"{self.money('government_fund', '项目支出', self.fund, expense_type='项目支出')}"
                      + self.change("government_fund", "政府性基金预算支出", self.fund, self.prior.fund, "预算数"))
        else:
            self.para(f"{year}年没有使用政府性基金预算拨款安排的支出。")
            self.nil("government_fund", "政府性基金预算拨款安排的支出")
        self.para("八、国有资本经营预算情况说明")
        self.out.append(f"{year}年没有使用国有资本经营预算拨款安排的支出。")
        self.nil("state_capital", "国有资本经营预算拨款安排的支出")

    def other_section(self):
        year, out = self.year, self.out
        self.para("九、其他重要事项的情况说明", "（一）机关运行经费")
        out.append(f"{year}年，机关运行经费财政拨款预算为{self.money('agency_operating', '机关运行经费', self.public)}"
                   + self.change("agency_operating", "机关运行经费", self.public, self.prior.public, "预算"))
        self.para("政府采购情况")
        total = self.money("procurement", "政府采购预算", sum(self.procurement.values()))
        parts = "、".join(f"政府采购{k}预算{self.money('procurement', f'政府采购{k}预算', a)}" for k, a in self.procurement.items())
        out.append(f"{year}年，安排政府采购预算{total},其中，{parts}。")
        out.append("（二）国有资产占有使用情况")
        owned = [self.vehicles, 0, 0, 0]
        general_eq, special_eq = self.rng.choice([0, 0, 0, 1, 2]), self.rng.choice([0, 0, 0, 0, 1])
        equipment = [("单价50万元以上通用设备", general_eq), ("单价100万元以上专用设备", special_eq)]
        out.append(f"截至{year - 1}年底，共有车辆{self.count('assets', 'vehicles_owned', '车辆', self.vehicles)}，其中："
                   + "、".join(f"{name}{self.count('assets', 'vehicles_owned:' + name, name, k)}"
                              for name, k in zip(ASSET_CARS, owned)) + "；"
                   + "，".join(f"{name}{self.count('assets', 'equipment:' + name, name, k, '台（套）')}"
                              for name, k in equipment) + "。")
        self.para("", "（三）绩效目标设置情况")
        total = self.money("performance", "项目资金共计", self.project)
        parts = "、".join(f"{name}项目{self.money('performance', f'{name}项目', a, project_name=name)}"
                          for name, a in self.projects.items())
        out.append(f"{year}年，部门整体支出及预算批复项目均按要求实行绩效目标管理，涉及项目资金共计{total}，其中，{parts}。")
        out.extend(GLOSSARY)

    def render(self):
        """Build the whole text; return it with LF line ends."""
        for section in (self.overview_part, self.totals_section, self.appropriation_section,
                        self.general_budget_section, self.basic_section, self.three_public_section,
                        self.funds_section, self.other_section):
            section()
        return "\n".join(self.out) + "\n"


def make_document(index, rng, departments=DEPARTMENTS):
    """One synthetic disclosure: (bytes, provenance, expected figures), deterministic for a given rng.

    Document `index` is year FIRST_YEAR + (index - 1) % YEARS of unit (index - 1) // YEARS; `rng`
    must be freshly seeded for that unit (`unit_rng(seed, index)`), so the unit's
    documents share their amounts' history and each stated change is the difference to the year
    before.
    The bytes are the file as written (its encoding and line ends are part of the variation);
    `expected` lists every printed figure with the extractor's statement and item keys, the stated
    changes, and the document's totals.
    """
    doc = Document(index, rng, departments)
    text = doc.render()
    document_id = f"{doc.year}-synthetic-{index:05d}-budget"
    encoding = doc.rng.choice(["utf-8"] * 6 + ["utf-8-sig"] * 2 + ["gb18030"] * 2)
    newline = "\r\n" if doc.rng.random() < 0.2 else "\n"
    data = text.replace("\n", newline).encode(encoding)
    provenance = {
        "file": f"{document_id}.txt",
        "unit_name": doc.unit,
        "unit_name_en": None,
        "region": f"四川省{doc.city}{doc.district}",
        "fiscal_year": doc.year,
        "kind": "部门预算",
        "title": f"{doc.unit}{doc.year}年部门预算",
        "sha256": hashlib.sha256(data).hexdigest(),
        "encoding": encoding,
        "source_url": None,
        "obtained": f"Synthetic: generated by {GENERATOR} (document {index}); not a real disclosure, "
                    "for tests and benchmarks only.",
        "synthetic": True,
    }
    expected = {
        "document_id": document_id, "unit_name": doc.unit, "fiscal_year": doc.year,
        "unit_of_print": doc.printer.unit, "encoding": encoding, "newline": "crlf" if newline == "\r\n" else "lf",
        "figures": doc.figures, "stated_changes": doc.changes,
        "totals": {"total": doc.total, "general": doc.general, "fund": doc.fund, "basic": doc.basic,
                   "project": doc.project, "personnel": doc.personnel, "public": doc.public,
                   "three_public": doc.three_public, "procurement": sum(doc.procurement.values()),
                   "vehicles": doc.vehicles},
    }
    return data, provenance, expected


GLOSSARY = [
    "第三部分  名词解释", "",
    "1.财政拨款：指由一般公共预算、政府性基金预算安排的财政拨款数。", "",
    "2.一般公共预算：包括公共财政拨款（补助）资金、专项收入。", "",
    "3.基本支出：包括人员经费、商品和服务支出（定额）。其中，人员经费包括工资福利支出、对个人和家庭的补助。", "",
    "4.项目支出：包括编入部门预算的单位运转性项目、政府专项资金项目的支出安排数。", "",
    "5.“三公”经费：指使用一般公共预算财政拨款安排的因公出国（境）费、公务用车购置及运行维护费和公务接待费。", "",
    "第四部分  附表", "",
]


def unit_rng(seed, index):
    """The fresh random stream make_document needs for document `index`: one per unit and seed."""
    return random.Random(f"{seed}-unit-{(index - 1) // YEARS}")


def write_document(index, outdir, seed=0, departments=DEPARTMENTS):
    """Write synthetic disclosure number `index` (as in a corpus of that seed) and its sidecar; its figures."""
    data, provenance, figures = make_document(index, unit_rng(seed, index), departments)
    folder = Path(outdir) / str(provenance["fiscal_year"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / provenance["file"]).write_bytes(data)
    sidecar = folder / provenance["file"].replace(".txt", ".provenance.json")
    sidecar.write_text(json.dumps(provenance, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return figures


def write_corpus(n, outdir, seed=0, departments=DEPARTMENTS):
    """Write n synthetic disclosures with sidecars under outdir/<year>/; return their expected figures."""
    return [write_document(index, outdir, seed, departments) for index in range(1, n + 1)]


def main(argv=None):
    """Command line: N OUTDIR [--seed S]."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("outdir", type=Path, help="folder to write (not under datasets/)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same files)")
    args = parser.parse_args(argv)
    if "datasets" in args.outdir.resolve().parts:
        parser.error("synthetic data is never written into datasets/")
    write_corpus(args.n, args.outdir, args.seed)
    print(f"wrote {args.n} synthetic documents to {args.outdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
