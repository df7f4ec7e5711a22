"""Fine amounts and ranges in Chinese legal text: '二百元以上一千元以下', '2万元以下', '千分之五以上千分之十以下',
'违法所得一倍以上五倍以下', '处二百元罚款'; and the length of a ban ('在一至三年内禁止参加政府采购
活动', '三年内不得申请'). Used by the penalty_range check, which compares a draft's ranges against
the superior article's."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from legalkb.ingest.numerals import cn_to_int

_DIGITS = "0-9０-９.零〇一二两三四五六七八九十百千万亿点"
NUMBER = rf"[{_DIGITS}]+"
# '5万元以上10万以下的罚款' (生猪屠宰管理条例第三十七条): a 万 before 以下 is 万元 with its 元 dropped.
_AMOUNT = rf"(?:(?P<ratio>千分之|百分之)(?P<rn>{NUMBER})|(?P<n>{NUMBER})(?P<unit>万元|元|倍|%|万(?=以下)))"
_ONE = re.compile(_AMOUNT)
_RANGE = re.compile(rf"(?P<a>{_AMOUNT.replace('?P<', '?P<a_')})(?:以上|至|到|-|—|～|~)(?P<b>{_AMOUNT.replace('?P<', '?P<b_')})(?:以下)?")
_BELOW = re.compile(rf"(?P<b>{_AMOUNT.replace('?P<', '?P<b_')})以下")
_ABOVE = re.compile(rf"(?P<a>{_AMOUNT.replace('?P<', '?P<a_')})以上(?!{NUMBER})")
_FIXED = re.compile(rf"(?:处|并处|处以)(?P<a>{_AMOUNT.replace('?P<', '?P<a_')})(?:的)?罚款")
# A fixed multiple of a base named between: '并处所骗取、挪用资金五倍的罚款'.
_FIXED_TIMES = re.compile(rf"(?:处|并处|处以)[^，。；]{{0,20}}?(?P<a>(?P<a_n>{NUMBER})(?P<a_unit>倍))的?罚款")


@dataclass(frozen=True)
class Range:
    kind: str      # 'yuan' | 'ratio' (a share of a base amount: 百分之五十 = 0.5, 一倍 = 1.0) | 'years' (a ban)
    low: float
    high: float
    start: int = 0
    end: int = 0

    def within(self, other: Range) -> bool:
        return self.kind == other.kind and self.low >= other.low - 1e-9 and self.high <= other.high + 1e-9

    def label(self) -> str:
        def fmt(v: float) -> str:
            if math.isinf(v):
                return "∞"
            if self.kind == "years":
                return f"{v:g}年"
            if self.kind == "ratio":
                return f"{v:g}倍" if v >= 1 else f"{v * 100:g}%"
            return f"{v:,.0f}元"
        if self.low == self.high:      # a fixed amount: 处二十元罚款 → 20元, not 20元–20元
            return fmt(self.low)
        # As the law writes them: 500元以下 (not 0元–500元), 3倍以下 (not 0%–3倍), 五年以上.
        if self.low == 0 and not math.isinf(self.high):
            return f"{fmt(self.high)}以下"
        if math.isinf(self.high):
            return f"{fmt(self.low)}以上"
        return f"{fmt(self.low)}–{fmt(self.high)}"


_CN_DIGIT = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))


def parse_number(text: str) -> float:
    t = text.replace("０", "0")
    if "点" in t:  # 零点五 → 0.5 (百分之零点五)
        whole, _, frac = t.partition("点")
        if not frac or any(ch not in _CN_DIGIT and not ch.isdigit() for ch in frac):
            raise ValueError(text)
        digits = "".join(str(_CN_DIGIT.get(ch, ch)) for ch in frac)
        return (parse_number(whole) if whole else 0.0) + float("0." + digits)
    if re.fullmatch(r"[0-9.]+", t):
        return float(t)
    m = re.fullmatch(r"([0-9.]+)(万|亿)", t)
    if m:
        return float(m.group(1)) * (10_000 if m.group(2) == "万" else 100_000_000)
    return float(cn_to_int(t))


def _amount(groups: dict[str, str | None], prefix: str) -> tuple[str, float] | None:
    g = {k[len(prefix):]: v for k, v in groups.items() if k.startswith(prefix)}
    try:
        if g.get("ratio"):
            base = 1000 if g["ratio"] == "千分之" else 100
            return "ratio", parse_number(g["rn"] or "") / base
        n, unit = g.get("n"), g.get("unit")
        if not n or not unit:
            return None
        v = parse_number(n)
        if unit in ("万元", "万"):
            return "yuan", v * 10_000
        if unit == "元":
            return "yuan", v
        if unit == "%":
            return "ratio", v / 100
        # X倍 and 百分之Y are both shares of a base amount (合同价款、违法所得、货值金额): one倍 = 100 %,
        # so '百分之五十以上一倍以下' is one range and compares with '30%以上50%以下'.
        return "ratio", v
    except ValueError:
        return None


def ranges(text: str) -> list[Range]:
    """Every amount range in `text`, in order; a bare 'X以下' is (0, X), 'X以上' is (X, ∞)."""
    out: list[Range] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in _RANGE.finditer(text):
        a, b = _amount(m.groupdict(), "a_"), _amount(m.groupdict(), "b_")
        if a and b:
            if a[0] != b[0]:
                continue
            kind = b[0]
            out.append(Range(kind, a[1], b[1], m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in _BELOW.finditer(text):
        if free(m.start(), m.end()):
            b = _amount(m.groupdict(), "b_")
            if b:
                out.append(Range(b[0], 0.0, b[1], m.start(), m.end()))
                taken.append((m.start(), m.end()))
    for pat in (_FIXED, _FIXED_TIMES, _ABOVE):
        for m in pat.finditer(text):
            if free(m.start("a"), m.end("a")):
                a = _amount(m.groupdict(), "a_")
                if a:
                    high = math.inf if pat is _ABOVE else a[1]
                    out.append(Range(a[0], a[1], high, m.start("a"), m.end("a")))
                    taken.append((m.start("a"), m.end("a")))
    out.sort(key=lambda r: r.start)
    return out


def fine_ranges(text: str) -> list[Range]:
    """Ranges that are fines: in a sentence segment that mentions 罚款 after the amount."""
    out = []
    for r in ranges(text):
        tail = text[r.end:r.end + 16]
        head = text[max(0, r.start - 12):r.start]
        if "罚款" in tail or "罚款" in head:
            out.append(r)
    return out


# A ban's length: '在一至三年内禁止参加…', '三年至五年内禁止其…', '三年内不得再次申请'. Only before a ban
# verb, so that prison terms (三年以上七年以下有期徒刑) and validity periods never compare with it.
_BAN_VERB = r"(?:禁止|不得|不予|不再|取消|限制)"
# The ones barred may be named between: '自处罚决定作出之日起三年内，前款规定的国家机关…不得购买其…服务'.
_BAN_GAP = r"(?:[，,][^。；，]{0,30}?)?"
_BAN_RANGE = re.compile(rf"(?P<a>{NUMBER})年?(?:以上|至|到|-|—|～|~)(?P<b>{NUMBER})年(?:以下)?(?:以内|内){_BAN_GAP}{_BAN_VERB}")
# Not the upper end of a range (至三年内) nor the tail of a longer number.
_BAN_ONE = re.compile(rf"(?<![至到上\-—～~{_DIGITS}])(?P<b>{NUMBER})年(?:以内|内){_BAN_GAP}{_BAN_VERB}")


def ban_ranges(text: str) -> list[Range]:
    """The lengths of bans in `text`, in years ('一至三年内禁止' → 1–3; '三年内不得' → 3–3)."""
    out: list[Range] = []
    for m in _BAN_RANGE.finditer(text):
        try:
            out.append(Range("years", parse_number(m.group("a")), parse_number(m.group("b")), m.start(), m.end()))
        except ValueError:
            continue
    for m in _BAN_ONE.finditer(text):
        if any(r.start <= m.start() < r.end for r in out):
            continue
        try:
            v = parse_number(m.group("b"))
        except ValueError:
            continue
        out.append(Range("years", v, v, m.start(), m.end()))
    out.sort(key=lambda r: r.start)
    return out


def penalty_ranges(text: str) -> list[Range]:
    """Fine ranges and ban lengths: what a superior penalty provision bounds."""
    return sorted(fine_ranges(text) + ban_ranges(text), key=lambda r: r.start)
