"""Places named in a question ('在浙江养狗需要办证吗', '上海市电动自行车上牌') → the regions whose
local rules the corpus holds.

Why: the reranker is trained on STARD, which asks about national law only, so it learned to rank
法律/司法解释 above 地方性法规. A district bureau's users often ask about their own province's or
city's rules; when they name the place, its local rules are searched on their own and shown
alongside the national ones (see `Library.search`). The place list comes from the index itself —
the `region` of every local document and the city a local title starts with — so a bureau's own
ingested rules are recognised without configuration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# A local title starts with its place: 杭州市养犬管理条例, 景宁畲族自治县…条例. (区 is left out:
# 北京经济技术开发区, 烟台葡萄酒产区 are areas inside a city, not names people ask with.)
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "省", "市", "盟")
_TITLE_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,10}?(?:" + "|".join(_SUFFIXES) + "))")
# Short forms that are ordinary words, or far more often mean something else in a question.
_NOT_A_PLACE = {"中国", "中华", "全国", "国家", "地方", "本市", "本省", "我市", "我省", "城市", "农村",
                "社区", "开发", "高新", "经济", "关于",
                # Everyday words that are also city names: ask with 日照市, 开封市.
                "日照", "开封", "石柱", "秀山"}
# Titles that start like a place but are not local rules' names ('关于加强县级…').
_NOT_A_PREFIX = ("关于", "中国", "中华", "全国")


@dataclass(frozen=True)
class Place:
    name: str      # as written in the question
    region: str    # the corpus's region (a province-level name)


class Gazetteer:
    """Place names → region, longest match first."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        names: dict[str, str] = {}
        for place, region in pairs:
            if not place or not region:
                continue
            for name in _forms(place):
                names.setdefault(name, region)
        self.names = names
        alternatives = sorted(names, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def find(self, text: str) -> list[Place]:
        """Places in `text`, in order, each region once."""
        if self._pattern is None:
            return []
        out: list[Place] = []
        seen: set[str] = set()
        for m in self._pattern.finditer(text):
            region = self.names[m.group(0)]
            if region not in seen:
                seen.add(region)
                out.append(Place(m.group(0), region))
        return out


def _forms(place: str) -> list[str]:
    """'浙江省' → ['浙江省', '浙江']; '景宁畲族自治县' → ['景宁畲族自治县', '景宁']."""
    out = [place]
    for suffix in _SUFFIXES:
        if place.endswith(suffix) and len(place) - len(suffix) >= 2:
            stem = place[: -len(suffix)]
            # 自治州/县 go by their first two characters (景宁, 彭水), not by the ethnic names.
            out.append(stem[:2] if suffix.startswith("自治") and suffix != "自治区" else stem)
            break
    return [n for n in out if n not in _NOT_A_PLACE and len(n) >= 2]


def title_place(title: str) -> str | None:
    m = _TITLE_PLACE.match(title)
    return m.group(1) if m else None


def _stem(place: str) -> str:
    """The shortest name a place goes by ('杭州市' → '杭州')."""
    forms = _forms(place)
    return forms[-1] if forms else place


def gazetteer_from(docs: Iterable[Any]) -> Gazetteer:
    """From document records (`region`, `title`) of local rules."""
    regions: set[str] = set()
    titled: dict[str, str] = {}
    for d in docs:
        if not d.region:
            continue
        regions.add(d.region)
        place = title_place(d.title or "")
        if place and not place.startswith(_NOT_A_PREFIX):
            titled.setdefault(place, d.region)
    # A lazy match can stop inside a longer name ('杭州城市…' → 杭州城市, '宁波杭州湾…市' →
    # 宁波杭州…): drop a title place whose stem starts with another place's stem.
    stems = {_stem(p) for p in (*regions, *titled)}
    kept = [(p, r) for p, r in titled.items()
            if not any(s != _stem(p) and _stem(p).startswith(s) for s in stems)]
    return Gazetteer([*((r, r) for r in regions), *kept])
