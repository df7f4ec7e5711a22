"""Probe the shortened-deadline check (review/deadlines.py, rule B15) on real provisions.

    LEGALKB_HOME=<full index> python scripts/probe_deadlines.py

Takes the sentences of laws and administrative regulations (then of local regulations, 规章)
that give someone a time limit for a remedy or an application, and reviews each as if it were a
draft sentence: as written it must not be flagged (its own provision allows it: false flags);
with the limit cut to 一 it should be (sensitivity). Prints both counts per level group.
"""

from __future__ import annotations

import datetime as dt
import re

from legalkb.review.deadlines import find_shortened_deadline, time_limits
from legalkb.review.evidence import Retriever
from legalkb.search.library import Library

QUERY = "日内 提出 申请 复议 投诉 异议 质疑"
GROUPS = (("法律", "行政法规"), ("地方性法规", "地方政府规章", "部门规章"))
_NUMBER = re.compile(r"[0-9零〇一二两三四五六七八九十百千万]+")


def main() -> None:
    lib = Library.open()
    retriever = Retriever(lib, dt.date.today())
    print("| provisions of | sentences with a limit | flagged as written | flagged with the limit cut to 一 |")
    print("|---|---|---|---|")
    for levels in GROUPS:
        res = lib.search(QUERY, top_k=400, level=levels, rerank=False)
        n = as_written = shortened = 0
        for hit in res.hits:
            for sent in re.split(r"(?<=。)", hit.text or ""):
                limits = time_limits(sent)
                if not limits or limits[0].value <= 1:
                    continue
                n += 1
                first = limits[0]
                as_written += find_shortened_deadline(sent, retriever) is not None
                digits = _NUMBER.match(sent, first.start)
                cut = sent[: first.start] + "一" + sent[digits.end():] if digits else sent
                shortened += find_shortened_deadline(cut, retriever) is not None
        print(f"| {'、'.join(levels)} | {n} | {as_written} | {shortened} |")
    lib.close()


if __name__ == "__main__":
    main()
