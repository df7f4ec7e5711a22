"""Highlighted snippets computed in Python, so both engines return the same marks."""

from __future__ import annotations

import html
from collections.abc import Sequence

OPEN, CLOSE = "<em>", "</em>"


def highlight(text: str, terms: Sequence[str], *, max_chars: int = 160) -> str:
    """HTML-escaped snippet of `text` around the densest run of query terms, with terms in <em>.
    Longer terms win over their sub-terms (行政处罚 over 行政)."""
    if not text:
        return ""
    terms = sorted({t for t in terms if t and len(t) >= 1 and t.strip()}, key=len, reverse=True)
    lower = text.lower()
    marks = [False] * len(text)
    for t in terms:
        if len(t) == 1 and not t.isascii() and len(terms) > 1:
            continue  # single characters everywhere would paint the whole text
        start = lower.find(t)
        while start >= 0:
            for i in range(start, start + len(t)):
                marks[i] = True
            start = lower.find(t, start + len(t))
    if len(text) > max_chars:
        best, best_start, window = -1, 0, max_chars
        running = sum(marks[:window])
        best = running
        for s in range(1, len(text) - window + 1):
            running += marks[s + window - 1] - marks[s - 1]
            if running > best:
                best, best_start = running, s
        # Start the window a little before the first mark so the context reads naturally.
        first = next((i for i in range(best_start, best_start + window) if marks[i]), best_start)
        best_start = max(0, min(first - 20, len(text) - window))
        lo, hi = best_start, best_start + window
    else:
        lo, hi = 0, len(text)
    out = ["…" if lo > 0 else ""]
    i = lo
    while i < hi:
        if marks[i]:
            j = i
            while j < hi and marks[j]:
                j += 1
            out.append(OPEN + html.escape(text[i:j]) + CLOSE)
            i = j
        else:
            j = i
            while j < hi and not marks[j]:
                j += 1
            out.append(html.escape(text[i:j]))
            i = j
    if hi < len(text):
        out.append("…")
    return "".join(out)
