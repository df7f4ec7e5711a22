"""Find article citations in a search query: 行政处罚法第十六条, 《中华人民共和国行政处罚法》第16条,
民法典1165条, 刑法第二百五十三条之一. The law name is resolved by the caller (it knows the titles);
this module only finds candidate (name, number, sub) triples with their spans."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from legalkb.ingest.normalize import clean_text
from legalkb.ingest.numerals import CN_NUM_CHARS, cn_to_int

_NUM = rf"[0-9{CN_NUM_CHARS}]+"
_ARTICLE = re.compile(rf"第?\s*({_NUM})\s*条(?:\s*之\s*({_NUM}))?")
_BRACKETED = re.compile(r"《([^》]{2,60})》")
MAX_NAME = 40


@dataclass(frozen=True)
class QueryCitation:
    law_key: str
    number: int
    sub: int
    start: int
    end: int          # span in the cleaned query


def find_citations(query: str, resolve: Callable[[str], str | None]) -> tuple[list[QueryCitation], str]:
    """→ (citations, the query with citation spans removed). `resolve(name)` maps a law name to a
    law_key or None. Unbracketed names are matched by trying the longest text before 第X条 first."""
    q = clean_text(query).strip()
    out: list[QueryCitation] = []
    for m in _ARTICLE.finditer(q):
        try:
            number = cn_to_int(m.group(1))
            sub = cn_to_int(m.group(2)) if m.group(2) else 0
        except ValueError:
            continue
        base = max(0, m.start() - MAX_NAME - 2)
        before = q[base:m.start()].rstrip()
        key, start = None, m.start()
        bracket = None
        for b in _BRACKETED.finditer(before):
            bracket = b
        if bracket is not None and bracket.end() == len(before):
            key = resolve(bracket.group(1))
            start = base + bracket.start()
        if key is None:
            # Try suffixes of the preceding text, longest first: '请问民法典' → '民法典'.
            for i in range(len(before)):
                cand = before[i:].strip(" 《》，,。的")
                if len(cand) < 2:
                    break
                key = resolve(cand)
                if key:
                    start = base + i
                    break
        if key is None and out:
            # '行政处罚法第九条、第十条': later articles reuse the previous law.
            between = q[out[-1].end:m.start()]
            if len(between) <= 2 and re.fullmatch(r"[、，,和及与\s]*", between):
                key, start = out[-1].law_key, m.start()
        if key:
            out.append(QueryCitation(law_key=key, number=number, sub=sub, start=max(start, 0), end=m.end()))
    rest = q
    for c in reversed(out):
        rest = rest[:c.start] + " " + rest[c.end:]
    return out, rest.strip()
