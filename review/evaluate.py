"""Score the review engine against labelled drafts (layout of ../shared/eval/review).

DIR holds drafts/NNN.txt and labels/NNN.json. A finding matches a labelled defect when category
and article agree (document-level categories — article 0 — by category alone). A finding that
matches no defect is a false positive; a finding on a labelled near-miss's article whose category
is not a labelled defect of that article is a near-miss false flag.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legalkb.review.model import CATEGORIES, DOCUMENT_LEVEL
from legalkb.review.pipeline import review_file


@dataclass
class DraftResult:
    id: str
    tp: list[tuple[str, int]] = field(default_factory=list)
    fp: list[tuple[str, int, str]] = field(default_factory=list)
    fn: list[tuple[str, int, str]] = field(default_factory=list)
    near_miss_flags: list[tuple[int, str, str]] = field(default_factory=list)
    near_misses: int = 0
    seconds: float = 0.0


def _key(category: str, article: int) -> tuple[str, int]:
    return (category, 0 if category in DOCUMENT_LEVEL else int(article))


def score_draft(draft_id: str, findings: list[dict[str, Any]], label: dict[str, Any]) -> DraftResult:
    res = DraftResult(id=draft_id, near_misses=len(label.get("near_misses", [])))
    gold = Counter(_key(d["category"], d["article"]) for d in label.get("defects", []))
    gold_quotes = {_key(d["category"], d["article"]): d.get("quote", "") for d in label.get("defects", [])}
    got = Counter()
    for f in findings:
        k = _key(f["category"], f["article"])
        got[k] += 1
        if got[k] <= gold.get(k, 0):
            res.tp.append(k)
        else:
            res.fp.append((k[0], k[1], f.get("quote", "")))
    for k, n in gold.items():
        for _ in range(n - min(n, got.get(k, 0))):
            res.fn.append((k[0], k[1], gold_quotes[k]))
    flagged_articles = defaultdict(list)
    for f in findings:
        if f["article"]:
            flagged_articles[int(f["article"])].append(f)
    gold_arts = {(c, a) for c, a in gold}
    for nm in label.get("near_misses", []):
        a = int(nm["article"])
        quote = nm.get("quote", "")
        for f in flagged_articles.get(a, []):
            if (f["category"], a) in gold_arts:
                continue
            # A flag counts against this near miss when it is about the same text.
            if not quote or quote in f.get("quote", "") or f.get("quote", "") in quote or _overlap(quote, f.get("quote", "")):
                res.near_miss_flags.append((a, f["category"], quote))
                break
    return res


def _overlap(a: str, b: str) -> bool:
    if not a or not b:
        return False
    sa = {a[i:i + 4] for i in range(len(a) - 3)}
    sb = {b[i:i + 4] for i in range(len(b) - 3)}
    return bool(sa & sb)


def evaluate(directory: str | Path, library: Any) -> dict[str, Any]:
    """Metrics over every labelled draft in `directory`."""
    d = Path(directory)
    drafts = sorted((d / "drafts").glob("*.txt"))
    results: list[DraftResult] = []
    for path in drafts:
        lp = d / "labels" / f"{path.stem}.json"
        if not lp.is_file():
            continue
        label = json.loads(lp.read_text(encoding="utf-8"))
        rep = review_file(path, library)
        r = score_draft(path.stem, [f.to_dict() for f in rep.findings], label)
        r.seconds = rep.seconds
        results.append(r)
    return metrics(results)


def metrics(results: list[DraftResult]) -> dict[str, Any]:
    per: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    for r in results:
        for c, _ in r.tp:
            per[c]["tp"] += 1
        for c, _, _ in r.fp:
            per[c]["fp"] += 1
        for c, _, _ in r.fn:
            per[c]["fn"] += 1
    tp = sum(v["tp"] for v in per.values())
    fp = sum(v["fp"] for v in per.values())
    fn = sum(v["fn"] for v in per.values())
    nm = sum(r.near_misses for r in results)
    nmf = sum(len(r.near_miss_flags) for r in results)

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    categories = {c: {**v, "precision": ratio(v["tp"], v["tp"] + v["fp"]), "recall": ratio(v["tp"], v["tp"] + v["fn"])}
                  for c, v in sorted(per.items(), key=lambda kv: (kv[0] not in CATEGORIES, kv[0]))}
    # Confusion of misses: for each missed defect, what (if anything) was flagged on that article.
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        fp_by_article = defaultdict(list)
        for c, a, _ in r.fp:
            fp_by_article[a].append(c)
        for c, a, _ in r.fn:
            others = fp_by_article.get(a) or ["(nothing)"]
            for o in others:
                confusion[c][o] += 1
    return {
        "drafts": len(results),
        "defects": tp + fn,
        "findings": tp + fp,
        "precision": ratio(tp, tp + fp),
        "recall": ratio(tp, tp + fn),
        "near_misses": nm,
        "near_miss_false_flags": nmf,
        "near_miss_false_flag_rate": ratio(nmf, nm),
        "categories": categories,
        "confusion": {k: dict(v) for k, v in confusion.items()},
        "misses": [{"draft": r.id, "category": c, "article": a, "quote": q} for r in results for c, a, q in r.fn],
        "false_positives": [{"draft": r.id, "category": c, "article": a, "quote": q} for r in results for c, a, q in r.fp],
        "near_miss_flags": [{"draft": r.id, "article": a, "category": c, "quote": q}
                            for r in results for a, c, q in r.near_miss_flags],
        "seconds_max": round(max((r.seconds for r in results), default=0.0), 3),
    }
