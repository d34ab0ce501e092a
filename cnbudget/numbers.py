"""Text normalisation and exact money parsing: full-width forms, thousands separators, 元/万元/亿元."""

import re
from decimal import ROUND_HALF_UP, Decimal

from cnbudget.errors import InputError, shorten

UNIT_YUAN = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}

# A number starts where a digit run starts: never after a digit, nor after a digit and its separator
# (`,` `.`). Without this anchor a pattern retries from every position inside a long digit run that
# has no unit after it, which is quadratic (20,000 digits took 13 s); with it each run is tried once.
# A comma after a Han character (`经费,100万元`, folded from `，`) still starts a number.
NUMBER_START = r"(?<!\d)(?<!\d[.,])"
# A printed number: thousands separators, optional decimals; then an optional space and the unit.
NUMBER = rf"{NUMBER_START}(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
AMOUNT_RE = re.compile(rf"(?P<number>{NUMBER})\s*(?P<unit>亿元|万元|元)")
COUNT_RE = re.compile(rf"{NUMBER_START}(?P<number>\d+)\s*(?P<unit>辆|台\(套\)|台|套)")
SHARE_RE = re.compile(rf"占(?:[^,;，；。]{{0,12}}?)(?P<share>{NUMBER_START}\d+(?:\.\d+)?\s*%)")
NIL_WORDS = ("无", "没有")

_CJK = r"[\u3400-\u9fff\uf900-\ufaff“”()]"
# One space between Han characters is letter-spacing (因 公 出 国); wider gaps separate table columns.
_LETTER_SPACING = re.compile(rf" (?<={_CJK} )(?={_CJK})")  # the space first: the engine skips to spaces


_FULL_WIDTH = re.compile("[\uff01-\uff5e]")  # the ideographic space is one of _COMMON, folded before this runs
_FOLD = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}


_COMMON = "，：；（）％．！？\u3000"  # the full-width forms every disclosure prints, folded by str.replace


def fold_width(text):
    """Full-width ASCII forms (６４４．６６，（）％) and the ideographic space become ASCII, one for one."""
    for char in _COMMON:
        text = text.replace(char, _FOLD[char])
    if b"\xff" not in text.encode("utf-16-le", "surrogatepass"):
        # Every other full-width form (U+FF01..U+FF5E) is the byte 0xFF in UTF-16, so a text without
        # that byte has none left and the pattern, which tests each character, is skipped (a copy
        # and memchr are a sixth of its cost). A 0xFF of another character (仿 U+4EFF) runs it, as before.
        return text
    return _FULL_WIDTH.sub(lambda m: _FOLD[m.group()], text)


def normalize(text):
    """Return `text` in the form every pattern is written against; see `normalize_with_map`."""
    return normalize_with_map(text)[0]


def normalize_with_map(text):
    """Fold full-width forms, then close letter-spacing between Han characters.

    Returns the normalised text and, for each of its characters, the index of the raw
    character it came from (None when every index is unchanged), so a match can be cut
    back out of the text as printed. Folding is one character for one, so only closing
    letter-spacing moves positions.
    """
    return close_letter_spacing(fold_width(text))


def close_letter_spacing(normalized, origin=None):
    """Drop single spaces between Han characters; `origin` None means positions are unchanged."""
    first = _LETTER_SPACING.search(normalized)
    if first is None:  # most lines with a space have no letter-spacing: one search, no set or generator
        return normalized, origin
    # From the first match on, finditer finds the same matches (the look-behind still sees what precedes it).
    drop = {match.start() for match in _LETTER_SPACING.finditer(normalized, first.start())}
    origin = range(len(normalized)) if origin is None else origin
    kept = [i for i in range(len(normalized)) if i not in drop]
    return "".join(normalized[i] for i in kept), [origin[i] for i in kept]


# No budget prints more than 15 integer digits (10^15 元 is a thousand times China's GDP); past that a
# number is damage or an attack, and Decimal/int arithmetic and SQLite integers stop being exact.
MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 10
MAX_FEN = 2**63 - 1  # every amount is a signed 64-bit integer of 分 (budget_lines.amount_fen)
MAX_YUAN = MAX_FEN // 100


def check_amount_digits(number_text, path=None, line=None, page=None):
    """Refuse a printed number with more than 15 integer (or 10 decimal) digits: InputError naming where."""
    if len(number_text) <= MAX_FRACTION_DIGITS:  # too short to hold too many digits of either kind
        return
    integer, _, fraction = number_text.replace(",", "").lstrip("+-").partition(".")
    if len(integer.lstrip("0")) > MAX_INTEGER_DIGITS or len(fraction) > MAX_FRACTION_DIGITS:
        raise InputError(path, f"a printed number of at most {MAX_INTEGER_DIGITS} integer and "
                               f"{MAX_FRACTION_DIGITS} decimal digits, got {shorten(number_text)}",
                         line=line, page=page)


def parse_number(number_text, path=None, line=None, page=None):
    """'1,234.50' -> Decimal('1234.50'): exact, separators removed; too many digits is an InputError."""
    check_amount_digits(number_text, path, line, page)
    return Decimal(number_text.replace(",", ""))


def parse_count(number_text, path=None, line=None, page=None):
    """'12' (辆, 台) -> 12; more than 15 digits is an InputError (and would overflow SQLite)."""
    check_amount_digits(number_text, path, line, page)
    return int(number_text)


def check_fen_range(amount, path=None, line=None, page=None, text=None):
    """Refuse an amount in 元 whose 分 do not fit a signed 64-bit integer (SQLite's INTEGER)."""
    if abs(amount) * 100 > MAX_FEN:
        raise InputError(path, f"an amount below {MAX_YUAN:,} 元 (a signed 64-bit integer of 分), "
                               f"got {shorten(text or str(amount))}", line=line, page=page)
    return amount


MAX_AMOUNT_YUAN = Decimal(MAX_FEN).scaleb(-2)  # abs(amount) * 100 > MAX_FEN, without the multiplication


def to_yuan(number_text, unit, path=None, line=None, page=None):
    """The printed amount in 元 as a Decimal, exactly (no rounding); out of range is an InputError."""
    if len(number_text) > MAX_FRACTION_DIGITS:  # parse_number, with its digit check only where it can fail
        check_amount_digits(number_text, path, line, page)
    amount = Decimal(number_text.replace(",", "")) * UNIT_YUAN[unit]
    if abs(amount) > MAX_AMOUNT_YUAN:
        check_fen_range(amount, path, line, page, text=f"{number_text}{unit}")
    return amount


UNIT_FEN_DIGITS = {"元": 2, "万元": 6, "亿元": 10}  # 1 元 = 10^2 分, 1 万元 = 10^6 分, 1 亿元 = 10^10 分
POWERS_OF_TEN = [10 ** n for n in range(11)]


def fen_of(number_text, unit):
    """The printed amount in exact 分 by integer arithmetic ('1,041.25', '万元' -> 1041250000), or None
    where `to_yuan` must decide: a long number (its digit check), finer than 分, or past the range."""
    whole, _, fraction = number_text.replace(",", "").partition(".")
    shift = UNIT_FEN_DIGITS[unit] - len(fraction)
    if shift < 0 or len(whole) > MAX_INTEGER_DIGITS:
        return None
    fen = int(whole + fraction) * POWERS_OF_TEN[shift]
    return fen if fen <= MAX_FEN else None


def yuan_int(amount):
    """Decimal 元 -> int when it is a whole number of 元, else None (the text keeps the cents)."""
    if amount == amount.to_integral_value():
        return int(amount)
    return None


def fen_int(amount):
    """Decimal 元 -> exact integer 分, or None when the amount is finer than 1 分."""
    fen = amount * 100
    if fen == fen.to_integral_value():
        return int(fen)
    return None


WHOLE = Decimal(1)


def yuan_of_fen(fen):
    """Integer 分 -> whole 元, half away from zero: `yuan_rounded` of the same amount, in integers."""
    return (fen + 50) // 100 if fen >= 0 else -((50 - fen) // 100)


def yuan_rounded(amount):
    """Decimal 元 -> whole 元, half away from zero: the convenience column beside the exact 分."""
    return int(amount.quantize(WHOLE, rounding=ROUND_HALF_UP))


def format_wan(amount_yuan):
    """Integer 元 -> '644.66' (万元, two decimals), exact."""
    return str((Decimal(amount_yuan) / UNIT_YUAN["万元"]).quantize(Decimal("0.01")))


def format_money(amount_yuan, unit="万元", places=2, separators=True):
    """Integer or Decimal 元 -> the text people read: 6446600 -> '644.66' (万元), 156211123 -> '15,621.11'.

    Exact: Decimal division by the unit, half away from zero to `places` decimals (as disclosures
    round), thousands separators unless `separators` is False. The one formatter of site, check and diff.
    """
    value = (Decimal(amount_yuan) / UNIT_YUAN[unit]).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{value:,}" if separators else str(value)


def fen_to_yuan(amount_fen):
    """Exact integer 分 -> Decimal 元 (the site's sums are taken over amount_fen)."""
    return Decimal(amount_fen) / 100
