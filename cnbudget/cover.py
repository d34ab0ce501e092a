"""The cover of a disclosure: unit name, fiscal year, kind and level, read from its first lines.

Every region prints the same facts on its cover in one of two orders —
'国家信访局 2026 年度部门预算' or '2026年深圳市审计局部门预算' — sometimes over several lines
('2026年' / '珠海市商务局部门预算'), so the first lines are read joined, without spaces.
What the cover does not say is left None for the sidecar or the region's hints to fill; nothing
here refuses a document.
"""

import re

KINDS = ("部门综合预算", "部门预算", "单位预算", "部门决算", "单位决算")
LEVELS = ("central", "province", "city", "district", "county")
_KIND = r"部门综合预算|部门预算|单位预算|部门决算|单位决算|预算|决算"
_UNIT = r"[\u4e00-\u9fff()]{2,40}?"
# Unit before the year ('西南大学2021年度部门预算'), or after it ('2026年深圳市审计局部门预算').
UNIT_FIRST = re.compile(rf"(?P<unit>{_UNIT})(?P<year>(?:19|20)\d{{2}})年度?(?:区级|市级|省级|县级)?(?P<kind>{_KIND})")
YEAR_FIRST = re.compile(rf"(?P<year>(?:19|20)\d{{2}})年度?(?P<unit>{_UNIT})(?P<kind>{_KIND})")
# Where UNIT_FIRST's unit can end: a match starts at most 40 characters before the first of these,
# so UNIT_FIRST is searched from there (trying a 40-character unit at every earlier Han character
# was a tenth of a text disclosure's extraction).
YEAR_KIND = re.compile(rf"(?:19|20)\d{{2}}年度?(?:区级|市级|省级|县级)?(?:{_KIND})")
# Patterns read only when the cover does not state the unit or the year are compiled when first
# needed (re's cache): a class of Han characters costs ~1 ms to compile, at every command's start.
# Where a table names its unit: '部门名称 北京市退役军人事务局', '编制单位：…'.
UNIT_FIELD = r"(?:部门名称|单位名称|编制单位|编制部门|预算单位|预算主管部门)[:：\s]\s*(?P<unit>[\u4e00-\u9fff()（）]{3,40})"
# '(汇总)', '(本级)': the scope of the figures, not part of the unit's name.
SCOPE_NOTE = re.compile(r"\((?:汇总|本级|部门汇总|含下属单位)\)$")
# "第二部分 巴中市南江县教育局 / 2023年部门预算情况说明": the part's number is not the unit's name.
UNIT_NOISE = re.compile(r"^(?:关于|公开|信息公开|目录|第[一二三四五六七八九十]+部分)+")
HEADING_TITLE = r"(?P<year>(?:19|20)\d{2})\s*年度?\s*(?P<kind>部门综合预算|部门预算|单位预算|部门决算|单位决算)"
# '第一部分 攀枝花市西区人大单位概况': the unit as the first part's heading names it.
PART_UNIT = r"第一部分\s*(?P<unit>[\u4e00-\u9fff()（）]{2,40}?)(?:单位|部门)?(?:基本)?(?:概况|情况)"
FILE_YEAR = re.compile(r"^((?:19|20)\d{2})(?!\d)")
COVER_LINES = 40
# A national body: its name has no place in front ('国家信访局', '中国地震局'), or it says it is one.
CENTRAL_NAME = re.compile(r"^(?:国家|中国|中华|中央|全国|国务院)")
CENTRAL_WORDS = ("教育部直属", "部直属高校", "中央部门", "中央本级", "中央级")
MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
# Place prefix of a unit or region name: province, city, then district or county.
PLACE = re.compile(
    r"^(?P<province>[\u4e00-\u9fff]{2,7}?(?:省|自治区))?"
    r"(?P<city>[\u4e00-\u9fff]{2,8}?(?:市|自治州|州|盟|地区)(?![场政民直属级辖委]))?"
    r"(?P<district>[\u4e00-\u9fff]{1,6}?(?:区|县|旗)(?![域间划]))?"
)


def cover_text(lines, limit=COVER_LINES):
    """The first non-empty lines, joined without spaces (a title may be printed over several lines)."""
    texts = []
    for line in lines:
        if line.text and not line.text.isspace():
            texts.append(line.text)
            if len(texts) >= limit:
                break
    return "".join("".join(texts).split())  # what re.sub(r"\s+", "", …) leaves, without the pattern


def search_by_year(pattern, text):
    """pattern.search(text) for a pattern whose every match starts with a year and its 年 ('2026年…').

    Such a match has 年 four characters after its start (`(?:19|20)\d{2}` is four characters), so
    it is tried only there: str.find skips from one 年 to the next, where the pattern's own search
    tries every digit 1 or 2 of the text (a fifth of reading a cover). Starts four before
    successive 年 are in order, so the first that matches is the leftmost match, as search finds.
    """
    at = text.find("年", 4)
    while at >= 0:
        match = pattern.match(text, at - 4)
        if match:
            return match
        at = text.find("年", at + 1)
    return None


def read_cover(lines, whole_text, file_name=""):
    """{unit_name, fiscal_year, kind, level, region} as far as the cover and the text state them."""
    cover = cover_text(lines)
    year_kind = search_by_year(YEAR_KIND, cover)
    unit_first = UNIT_FIRST.search(cover, max(0, year_kind.start() - 40)) if year_kind else None
    found = [m for m in (unit_first, search_by_year(YEAR_FIRST, cover)) if m]
    title = min(found, key=lambda m: m.start()) if found else None
    unit = year = kind = None
    if title:
        unit = clean_unit(title.group("unit"))
        year = int(title.group("year"))
        kind = title.group("kind")
    if title is None:  # no cover: the headings name the year ('第二部分 …2023年部门预算情况说明')
        heading = re.search(HEADING_TITLE, whole_text[:20000])
        if heading:
            year, kind = int(heading.group("year")), heading.group("kind")
    if not unit:
        field = re.search(UNIT_FIELD, whole_text) or re.search(PART_UNIT, whole_text[:20000])
        unit = clean_unit(field.group("unit")) if field else None
    if year is None:
        from_name = FILE_YEAR.match(file_name)
        year = int(from_name.group(1)) if from_name else None
    kind = document_kind(kind, whole_text)
    place = place_of(unit or "")
    return {"unit_name": unit, "fiscal_year": year, "kind": kind,
            "level": level_of(unit or "", place, whole_text), "place": place}


def clean_unit(unit):
    """'西安市统计局（汇总）' -> '西安市统计局'; '' when nothing is left."""
    unit = UNIT_NOISE.sub("", unit.replace("（", "(").replace("）", ")"))
    return SCOPE_NOTE.sub("", unit) or None


def document_kind(printed, text):
    """One of KINDS: the cover's word, else what the text calls its tables; a bare 预算 is a 部门预算."""
    if printed in ("预算", "决算", None):
        phase = printed or ("决算" if "决算" in text[:20000] and "部门预算" not in text[:20000] else "预算")
        printed = f"单位{phase}" if f"单位{phase}" in text[:5000] and f"部门{phase}" not in text[:5000] else f"部门{phase}"
    if printed == "部门预算" and "部门综合预算" in text:
        return "部门综合预算"  # Shaanxi: '2026年部门预算公开说明' whose tables are 部门综合预算…表
    return printed


def place_of(name):
    """{'province', 'city', 'district'} printed at the front of a unit's name (each may be None)."""
    match = PLACE.match(name)
    return {k: match.group(k) for k in ("province", "city", "district")}


def level_of(unit, place, text):
    """central / province / city / district / county from the unit's place prefix."""
    if not any(place.values()):
        if CENTRAL_NAME.match(unit) or any(word in text for word in CENTRAL_WORDS):
            return "central"
        return None
    if place["district"]:
        return "county" if place["district"][-1] in "县旗" else "district"
    if place["city"] in MUNICIPALITIES or (place["province"] and not place["city"]):
        return "province"
    return "city"
