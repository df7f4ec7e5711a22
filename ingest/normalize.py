"""Clean real-world noise before structure parsing.

Copies of law texts carry OCR and typing noise: 笫 for 第, full-width digits, stray spaces inside
article labels (第一百二十八 条), ideographic spaces, BOMs, Windows line ends. Cleaning happens once,
here, so the parsers can use strict patterns.
"""

from __future__ import annotations

import re
import unicodedata

from legalkb.ingest.numerals import CN_NUM_CHARS, to_halfwidth_digits

_NUM = rf"[0-9０-９{CN_NUM_CHARS}]"
# 笫 (a different character) is a common OCR/typing error for 第 in front of numerals.
_WRONG_DI = re.compile(rf"笫(\s*{_NUM}+\s*[条章节编款项])")
# Spaces inside labels: '第 一百二十八 条', '第十五 条'.
_SPACED_LABEL = re.compile(rf"第[ \t\u3000]*({_NUM}+)[ \t\u3000]*(条|章|节|编|款|项)(?:[ \t\u3000]*之[ \t\u3000]*({_NUM}+))?")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u200b-\u200f\ufeff]")


def _fix_label(m: re.Match[str]) -> str:
    base = f"第{to_halfwidth_digits(m.group(1))}{m.group(2)}"
    return base + (f"之{m.group(3)}" if m.group(3) else "")


def clean_text(text: str) -> str:
    """Normalise line ends, control characters and article-label noise. Keeps all content."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    # NFKC would also fold full-width punctuation （） that Chinese legal texts use deliberately, so
    # only compatibility spaces are folded here.
    text = text.replace("\u00a0", " ")
    text = _WRONG_DI.sub(r"第\1", text)
    text = _SPACED_LABEL.sub(_fix_label, text)
    return text


def compact(text: str) -> str:
    """Text without any white space: for comparing and hashing content."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))
