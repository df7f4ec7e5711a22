"""Chinese numerals both ways, and article labels (第二百五十三条之一 ↔ 253, 1).

Law texts number articles in Chinese numerals; users type Arabic ones; OCR and web copies add
noise (full-width digits, 笫 for 第, stray spaces). Everything that turns a label into a number
goes through this module so the whole product agrees on what "第16条" means.
"""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3,
           "叁": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7,
           "八": 8, "捌": 8, "九": 9, "玖": 9}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}

CN_NUM_CHARS = "零〇○一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟"
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def to_halfwidth_digits(text: str) -> str:
    return text.translate(_FULLWIDTH)


def cn_to_int(text: str) -> int:
    """Parse a Chinese (or Arabic, incl. full-width) numeral: '一百二十八' → 128, '十六' → 16.

    Raises ValueError for anything that is not a numeral.
    """
    s = to_halfwidth_digits(text.strip())
    if not s:
        raise ValueError("empty numeral")
    if s.isdigit():
        return int(s)
    if any(ch not in _DIGITS and ch not in _UNITS and ch not in _BIG for ch in s):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    # Digit-by-digit form without units (一二八 → 128), used in some years and OCR output.
    if all(ch in _DIGITS for ch in s) and len(s) > 1:
        return int("".join(str(_DIGITS[ch]) for ch in s))
    total = 0      # completed 万/亿 groups
    section = 0    # value below the current 万 group
    digit = None   # pending digit
    for ch in s:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            # '十六' has no leading digit: treat it as 一十.
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:  # 万 / 亿
            section += digit or 0
            total += section * _BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def int_to_cn(n: int) -> str:
    """128 → '一百二十八'; 10 → '十'; 110 → '一百一十' (the style of law texts)."""
    if n < 0:
        raise ValueError("negative numbers are not article numbers")
    if n == 0:
        return "零"
    digits = "零一二三四五六七八九"

    def below_10k(x: int) -> str:
        out = []
        zero = False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d, x = divmod(x, value)
            if d:
                if zero:
                    out.append("零")
                    zero = False
                out.append(digits[d] + unit)
            elif out:
                zero = True
        return "".join(out)

    parts = []
    high, low = divmod(n, 10_000)
    if high:
        parts.append(below_10k(high) + "万")
        if 0 < low < 1000:
            parts.append("零")
    if low:
        parts.append(below_10k(low))
    s = "".join(parts)
    # Law texts write 十六 not 一十六 when it starts the number.
    return s[1:] if s.startswith("一十") else s


_LABEL = re.compile(
    rf"^\s*[第笫]\s*([0-9０-９{CN_NUM_CHARS}]+)\s*条\s*(?:之\s*([{CN_NUM_CHARS}0-9０-９]+))?"
)


def parse_article_label(label: str) -> tuple[int, int]:
    """'第二百五十三条之一' → (253, 1); '第16条' → (16, 0). Raises ValueError when not a label."""
    m = _LABEL.match(label)
    if not m:
        raise ValueError(f"not an article label: {label!r}")
    return cn_to_int(m.group(1)), cn_to_int(m.group(2)) if m.group(2) else 0


def article_label(number: int, sub: int = 0) -> str:
    """(253, 1) → '第二百五十三条之一'."""
    return f"第{int_to_cn(number)}条" + (f"之{int_to_cn(sub)}" if sub else "")


def article_key(number: int, sub: int = 0) -> str:
    """The id fragment of an article: '16', '253之1'. Stable, ASCII digits, sortable by parts."""
    return f"{number}之{sub}" if sub else str(number)


def parse_article_key(key: str) -> tuple[int, int]:
    if "之" in key:
        a, b = key.split("之", 1)
        return int(a), int(b)
    return int(key), 0
