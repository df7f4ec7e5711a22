"""Old → new article numbers between two versions of one law (立法法 2015→2023, 行政复议法 2017→2023 …).

A crosswalk answers "the drafter cited 第八十条 of the old 立法法: which article is that now?".
Curated tables live in corpus/crosswalks/<law>_<old year>_<new year>.csv (checked by hand where the
text was rewritten); for any other pair of versions the table is computed on the fly by text
similarity (character bigrams), which is what the curated tables were seeded from.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from legalkb.ingest.model import LegalDocument

CROSSWALK_DIR = Path(__file__).parent / "crosswalks"
_PUNCT = re.compile(r"[\s，。；：、“”‘’（）()《》〈〉！？,.;:!?\-—]")
MIN_SIMILARITY = 0.45  # below this an old article is treated as deleted or rewritten beyond recognition


def bigrams(text: str) -> set[str]:
    t = _PUNCT.sub("", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def containment(a: str | set[str], b: str | set[str]) -> float:
    """Share of a's bigrams that also occur in b (0..1). Asymmetric on purpose: a short draft
    clause that restates part of a long article scores high."""
    sa = a if isinstance(a, set) else bigrams(a)
    sb = b if isinstance(b, set) else bigrams(b)
    return len(sa & sb) / len(sa) if sa else 0.0


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams."""
    sa, sb = bigrams(a), bigrams(b)
    return 2 * len(sa & sb) / (len(sa) + len(sb)) if sa and sb else 0.0


@dataclass(frozen=True)
class Row:
    old: int
    new: int | None
    similarity: float
    status: str  # same / amended / moved / deleted


def compute(old: LegalDocument, new: LegalDocument) -> list[Row]:
    """Match each old article to the most similar new article. Articles keep their relative
    order across a revision, so among near-equal candidates the one closest to the expected
    position (old position shifted by the running offset) wins."""
    new_arts = [(a.number, bigrams(a.text)) for a in new.articles if a.sub == 0]
    rows: list[Row] = []
    offset = 0
    for a in old.articles:
        if a.sub:
            continue
        ba = bigrams(a.text)
        best, best_s = None, 0.0
        for n, bn in new_arts:
            s = 2 * len(ba & bn) / (len(ba) + len(bn)) if ba and bn else 0.0
            # Tie-break by distance from the expected position.
            s_adj = s - 0.0005 * abs(n - (a.number + offset))
            if s_adj > best_s:
                best, best_s = n, s_adj
        if best is None or best_s < MIN_SIMILARITY:
            rows.append(Row(a.number, None, round(max(best_s, 0.0), 2), "deleted"))
            continue
        offset = best - a.number
        s = round(best_s + 0.0005 * abs(best - (a.number + offset)), 2)
        status = "same" if s >= 0.98 and best == a.number else ("moved" if s >= 0.98 else "amended")
        rows.append(Row(a.number, best, s, status))
    return rows


def write_csv(rows: Iterable[Row], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["old_article", "new_article", "similarity", "status"])
        for r in rows:
            w.writerow([r.old, r.new or "", f"{r.similarity:.2f}", r.status])


@lru_cache(maxsize=64)
def _read_csv(path: str) -> dict[int, int | None]:
    out: dict[int, int | None] = {}
    with open(path, encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            out[int(rec["old_article"])] = int(rec["new_article"]) if rec["new_article"] else None
    return out


def table_path(law_key: str, old_year: int, new_year: int) -> Path:
    return CROSSWALK_DIR / f"{law_key}_{old_year}_{new_year}.csv"


_computed: dict[tuple[str, str], dict[int, int | None]] = {}


def mapping(old: LegalDocument, new: LegalDocument) -> dict[int, int | None]:
    """old article number → new article number (None = deleted). Curated table when present."""
    oy = (old.version_date or old.effective or old.promulgated)
    ny = (new.version_date or new.effective or new.promulgated)
    if oy and ny:
        p = table_path(old.law_key, oy.year, ny.year)
        if p.is_file():
            return _read_csv(str(p))
    key = (old.doc_id, new.doc_id)
    if key not in _computed:
        _computed[key] = {r.old: r.new for r in compute(old, new)}
    return _computed[key]
