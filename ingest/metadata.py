"""Metadata found in the text itself: dates, 文号, issuing body, level, short title."""

from __future__ import annotations

import datetime as dt
import re

from legalkb.ingest.numerals import cn_to_int

DATE_PATTERN = re.compile(r"(\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日")
DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fa5]{1,12}[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*(\d{1,4})\s*号"
    r"|[\u4e00-\u9fa5]{1,12}令\s*第?\s*\d{1,4}\s*号"
)


def parse_date(text: str) -> dt.date | None:
    m = DATE_PATTERN.search(text)
    if not m:
        return None
    try:
        return dt.date(cn_to_int(m.group(1)), cn_to_int(m.group(2)), cn_to_int(m.group(3)))
    except ValueError:
        return None


def all_dates(text: str) -> list[dt.date]:
    out = []
    for m in DATE_PATTERN.finditer(text):
        try:
            out.append(dt.date(cn_to_int(m.group(1)), cn_to_int(m.group(2)), cn_to_int(m.group(3))))
        except ValueError:
            continue
    return out


def find_doc_number(text: str) -> str:
    m = DOC_NUMBER.search(text)
    return re.sub(r"\s+", "", m.group(0)).removeprefix("中华人民共和国") if m else ""


# Issuers named in LawRefBook header lines, most specific first.
_ISSUER_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"全国人民代表大会常务委员会"), "全国人民代表大会常务委员会"),
    (re.compile(r"全国人民代表大会"), "全国人民代表大会"),
    (re.compile(r"国务院令|国务院"), "国务院"),
    (re.compile(r"最高人民法院.*最高人民检察院|最高人民检察院.*最高人民法院"), "最高人民法院、最高人民检察院"),
    (re.compile(r"最高人民法院"), "最高人民法院"),
    (re.compile(r"最高人民检察院"), "最高人民检察院"),
    (re.compile(r"国家监察委员会"), "国家监察委员会"),
    (re.compile(r"([\u4e00-\u9fa5]{2,10}?(?:省|市|自治区))第[\u4e00-\u9fa5]{1,4}届人民代表大会常务委员会"), r"\1人民代表大会常务委员会"),
    (re.compile(r"([\u4e00-\u9fa5]{2,10}?(?:省|市|自治区))第[\u4e00-\u9fa5]{1,4}届人民代表大会"), r"\1人民代表大会"),
    (re.compile(r"(公安部|人力资源和?社会保障部|国家市场监督管理总局|国家安全部|司法部)"), r"\1"),
]


def issuer_from_header(lines: list[str]) -> str:
    """The body that passed the text: taken from the first header line that names one. Lines that
    record an approval (批准) are used only when nothing else names a body: a city's regulation is
    made by the city's people's congress and merely approved by the province."""
    ordered = [ln for ln in lines if "批准" not in ln] + [ln for ln in lines if "批准" in ln]
    for line in ordered:
        line = DATE_PATTERN.sub(" ", line)
        for pattern, repl in _ISSUER_PATTERNS:
            m = pattern.search(line)
            if m:
                return m.expand(repl)
    return ""


SHORT_TITLE_PREFIXES = ("中华人民共和国",)


def short_title(title: str) -> str:
    """'中华人民共和国行政处罚法' → '行政处罚法'. Other titles are kept whole."""
    t = re.sub(r"\s+", "", title)
    for p in SHORT_TITLE_PREFIXES:
        if t.startswith(p) and len(t) > len(p) + 1:
            t = t[len(p):]
    return t


def guess_level(title: str, issuer: str = "") -> str:
    """A best guess for documents that carry no level metadata (user uploads)."""
    if title.endswith("宪法"):
        return "宪法"
    if issuer.startswith("全国人民代表大会") or (title.endswith("法") and "办法" not in title[-3:]):
        return "法律"
    if issuer.startswith("最高人民"):
        return "司法解释"
    if issuer == "国务院" and title.endswith(("条例", "规定", "办法", "细则")):
        return "行政法规"
    if "人民代表大会" in issuer:
        return "地方性法规"
    if "人民政府令" in issuer or ("人民政府" in issuer and title.endswith(("办法", "规定")) and "令" in issuer):
        return "地方政府规章"
    if issuer.endswith(("人民政府", "办公室", "局", "委员会", "厅")):
        return "行政规范性文件"
    return "其他"


# 「…自2022年11月1日起施行。《个体工商户条例》同时废止」: the date a law takes effect, and the titles
# listed right before 同时废止 (not 《…》第十条同时废止 — one article only). Used by ingest (repeals the
# corpus states) and by the review (a cited law missing from the corpus).
TAKES_EFFECT = re.compile(r"(?:自|于)(?P<date>[^。；，]{6,16}?日)起?施行")
STATED_REPEAL = re.compile(r"((?:《[^《》]{2,60}》[、，,和及与]?)+)同时废止")


def book_title(title: str) -> str:
    """A title in 书名号 for running text; a title inside it takes 〈〉 (《山东省实施〈中华人民共和国道路交通
    安全法〉办法》), as the corpus's own 《》-nested titles must not be printed 《…《…》…》."""
    inner = title.strip().removeprefix("《").removesuffix("》")
    return f"《{inner.replace('《', '〈').replace('》', '〉')}》"
