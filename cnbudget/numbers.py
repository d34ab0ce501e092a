"""Text normalisation and exact money parsing: full-width forms, thousands separators, 元/万元/亿元."""

import re
import unicodedata
from decimal import Decimal

UNIT_YUAN = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}

# A printed number: thousands separators, optional decimals; then an optional space and the unit.
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
AMOUNT_RE = re.compile(rf"(?P<number>{NUMBER})\s*(?P<unit>亿元|万元|元)")
COUNT_RE = re.compile(rf"(?P<number>\d+)\s*(?P<unit>辆|台\(套\)|台|套)")
SHARE_RE = re.compile(r"占(?:[^,;，；。]{0,12}?)(?P<share>\d+(?:\.\d+)?\s*%)")
NIL_WORDS = ("无", "没有")

_CJK = r"[\u3400-\u9fff\uf900-\ufaff“”()]"
# One space between Han characters is letter-spacing (因 公 出 国); wider gaps separate table columns.
_LETTER_SPACING = re.compile(rf"(?<={_CJK}) (?={_CJK})")


def normalize(text):
    """Return `text` in the form every pattern is written against; see `normalize_with_map`."""
    return normalize_with_map(text)[0]


def normalize_with_map(text):
    """NFKC (full-width digits and punctuation become ASCII), then close letter-spacing.

    Returns the normalised text and, for each of its characters, the index of the raw
    character it came from, so a match can be cut back out of the text as printed.
    """
    text = text.replace("\u3000", " ")
    whole = unicodedata.normalize("NFKC", text)
    if len(whole) == len(text):
        # The common case: every character maps to one, so positions carry over unchanged.
        return _close_letter_spacing(whole, list(range(len(text))))
    chars, origin = [], []
    for index, char in enumerate(text):
        for out in unicodedata.normalize("NFKC", char):
            chars.append(out)
            origin.append(index)
    return _close_letter_spacing("".join(chars), origin)


def _close_letter_spacing(normalized, origin):
    """Drop single spaces between Han characters, keeping the position map in step."""
    if " " in normalized:
        keep = [True] * len(normalized)
        for match in _LETTER_SPACING.finditer(normalized):
            for i in range(match.start(), match.end()):
                keep[i] = False
        normalized = "".join(c for c, k in zip(normalized, keep) if k)
        origin = [o for o, k in zip(origin, keep) if k]
    return normalized, origin


def parse_number(number_text):
    """'1,234.50' -> Decimal('1234.50'): exact, separators removed."""
    return Decimal(number_text.replace(",", ""))


def to_yuan(number_text, unit):
    """The printed amount in 元 as a Decimal, exactly (no rounding)."""
    return parse_number(number_text) * UNIT_YUAN[unit]


def yuan_int(amount):
    """Decimal 元 -> int when it is a whole number of 元, else None (the text keeps the cents)."""
    if amount == amount.to_integral_value():
        return int(amount)
    return None


def format_wan(amount_yuan):
    """Integer 元 -> '644.66' (万元, two decimals), exact."""
    return str((Decimal(amount_yuan) / UNIT_YUAN["万元"]).quantize(Decimal("0.01")))
